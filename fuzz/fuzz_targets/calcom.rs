//! Cal.com webhook bodies as the gateway reads them once their signature checks out. Any body
//! must be read or refused, never panic; the payload handed to the plugin must be JSON again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use slotline::server::calcom;

fuzz_target!(|body: &[u8]| {
    match calcom::parse_webhook(body) {
        Ok(event) => {
            assert!(
                serde_json::from_str::<serde_json::Value>(&event.payload).is_ok(),
                "payload is not JSON: {}",
                event.payload
            );
        }
        Err(err) => assert!(err.status.is_client_error(), "{err}"),
    }
});
