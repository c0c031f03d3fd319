//! Vapi server messages as the gateway reads them once their secret checks out. Any body must
//! be read or refused, never panic; a message is answered item by item.

#![no_main]

use libfuzzer_sys::fuzz_target;
use slotline::server::vapi::{self, VapiMessage};

fuzz_target!(|body: &[u8]| {
    match vapi::parse_tool_calls(body) {
        Ok(VapiMessage::ToolCalls { info, items }) => {
            drop(info.call_id);
            for item in items {
                if let Err(refusal) = item.request {
                    assert!(!refusal.code().as_str().is_empty());
                }
            }
        }
        Ok(
            VapiMessage::AssistantRequest(info)
            | VapiMessage::Ringing(info)
            | VapiMessage::Started(info)
            | VapiMessage::Ended(info),
        ) => drop(info.call_id),
        Ok(VapiMessage::Other) => {}
        Err(err) => assert!(err.status.is_client_error(), "{err}"),
    }
});
