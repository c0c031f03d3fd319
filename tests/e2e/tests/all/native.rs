//! The default plugin's logic compiled natively (`make bench`'s built-in, `tests/bench/native`)
//! answers exactly what the plugin answers from the same cache, so the benchmark's
//! WASM-vs-native ratio compares like with like.

use std::sync::Arc;

use serde_json::json;
use slotline_e2e::{Harness, THURSDAY, TestResult, call};
use slotline_native::NativeDefaultPlugin;

#[tokio::test]
async fn the_native_built_in_answers_what_the_plugin_answers() -> TestResult {
    let harness = Harness::with_gateway(
        |config| {
            let native = config.tenants["demo"].clone();
            config.tenants.insert("native".into(), native);
        },
        |gateway| {
            let Some(demo) = gateway.tenants().get("demo") else {
                panic!("the demo tenant is configured");
            };
            let native = NativeDefaultPlugin::reading(Arc::clone(&demo.env.cache));
            assert!(gateway.set_builtin("native", Arc::new(native)));
        },
    )
    .await;
    let asks = [
        call(
            "check_availability",
            json!({"date": THURSDAY, "time": "14:00"}),
        ),
        // Taken: answered with alternatives from the following days.
        call(
            "check_availability",
            json!({"date": THURSDAY, "time": "10:00"}),
        ),
        call("check_availability", json!({"date": THURSDAY})),
        call(
            "find_alternatives",
            json!({"date": THURSDAY, "time": "15:00"}),
        ),
    ];
    for ask in asks {
        // The plugin answers first and fills the cache the built-in reads.
        let (status, plugin) = harness.retell(&ask).await;
        assert_eq!(status, 200, "{plugin}");
        assert_eq!(plugin["success"], true, "{plugin}");
        // Slot queries only: a free check also has the plugin hold the slot, after its reply.
        let queries = harness.slot_queries();
        let (status, native) = harness.retell_to("native", &ask).await;
        assert_eq!(status, 200, "{native}");
        assert_eq!(native, plugin, "{ask}");
        assert_eq!(
            harness.slot_queries(),
            queries,
            "the built-in answered from the cache"
        );
    }
    Ok(())
}
