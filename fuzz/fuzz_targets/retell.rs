//! Retell webhook bodies as the gateway reads them once their signature checks out: function
//! calls, call events and inbound-call webhooks. Any body must be read or refused, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use slotline::server::retell;

fuzz_target!(|body: &[u8]| {
    match retell::parse_function_call(body) {
        // The request is one of the tool's kind.
        Ok(call) => {
            if let Ok(request) = &call.request {
                assert_eq!(
                    request.is_mutating(),
                    call.tool.is_mutating(),
                    "{request:?}"
                );
            }
        }
        Err(err) => assert!(err.status.is_client_error(), "{err}"),
    }
    if let Err(err) = retell::parse_call_event(body) {
        assert!(err.status.is_client_error(), "{err}");
    }
    if let Err(err) = retell::parse_inbound(body) {
        assert!(err.status.is_client_error(), "{err}");
    }
});
