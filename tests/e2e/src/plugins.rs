//! The test plugin (`tests/plugins/hostile`), configured per tenant by its `mode` setting, and
//! the example plugins (`examples/plugins`).

use std::path::PathBuf;

use slotline::config::{CallLimits, Secret, TenantConfig};

/// Call limits no test reaches by accident.
pub const UNLIMITED_CALLS: CallLimits = CallLimits {
    max_tool_calls: u32::MAX,
    per_minute: u32::MAX,
    tenant_per_second: 0,
};

/// Where `make guest` leaves the test plugin.
pub fn test_plugin_path() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/wasm32-wasip2/guest/slotline_test_plugin.wasm");
    assert!(
        path.is_file(),
        "the test plugin is not built: run `make guest` (or `make test`)"
    );
    path
}

/// Where `make guest` leaves the replay tests' candidate (`tests/plugins/candidate`): the
/// default plugin, but reading "halb drei" as 03:30.
pub fn replay_candidate_path() -> PathBuf {
    example_plugin_path("slotline_replay_candidate")
}

/// Where `make guest` leaves the example plugin `examples/plugins/salon`.
pub fn salon_plugin_path() -> PathBuf {
    example_plugin_path("slotline_example_salon")
}

/// Where `make guest` leaves the example plugin `examples/plugins/opening-hours`.
pub fn opening_hours_plugin_path() -> PathBuf {
    example_plugin_path("slotline_example_opening_hours")
}

fn example_plugin_path(file_stem: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../target/wasm32-wasip2/guest/{file_stem}.wasm"));
    assert!(
        path.is_file(),
        "the plugin {file_stem} is not built: run `make guest` (or `make test`)"
    );
    path
}

/// A tenant running the test plugin in `mode`, with extra settings, allowed to reach `allowed`.
pub fn test_tenant(mode: &str, settings: &[(&str, &str)], allowed: &[String]) -> TenantConfig {
    let mut tenant = TenantConfig {
        plugin: Some(test_plugin_path()),
        retell_api_key: Some(Secret::new(slotline::demo::RETELL_API_KEY)),
        allowed_outbound: allowed.to_vec(),
        calls: UNLIMITED_CALLS,
        ..TenantConfig::default()
    };
    tenant
        .settings
        .insert("mode".into(), serde_json::Value::from(mode));
    for (key, value) in settings {
        tenant
            .settings
            .insert((*key).into(), serde_json::Value::from(*value));
    }
    tenant
}

/// Where `make plugins-polyglot` leaves the JavaScript example plugin (`examples/plugins/js`).
pub fn js_plugin_path() -> PathBuf {
    polyglot_plugin_path("js", "slotline_js")
}

/// Where `make plugins-polyglot` leaves the Python example plugin (`examples/plugins/python`).
pub fn python_plugin_path() -> PathBuf {
    polyglot_plugin_path("python", "slotline_python")
}

/// `target/plugins/<dir>/<file_stem>.wasm` (`dir` empty: `target/plugins/<file_stem>.wasm`).
fn polyglot_plugin_path(dir: &str, file_stem: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/plugins")
        .join(dir)
        .join(format!("{file_stem}.wasm"));
    assert!(
        path.is_file(),
        "the plugin {file_stem} is not built: run `make plugins-polyglot` (or `make test`)"
    );
    path
}

/// Where `make plugins-polyglot` leaves the misbehaving JavaScript test plugin
/// (`tests/plugins/hostile-js`, by its `mode` setting: `loop`, `alloc`, `throw`).
pub fn hostile_js_plugin_path() -> PathBuf {
    polyglot_plugin_path("", "hostile_js")
}

/// The same in Python (`tests/plugins/hostile-python`).
pub fn hostile_python_plugin_path() -> PathBuf {
    polyglot_plugin_path("", "hostile_python")
}
