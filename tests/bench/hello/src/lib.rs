//! The least a `wasi:http` component can do per request: answer a fixed JSON. `make bench`
//! serves it with stock `wasmtime serve` (the wasmtime version the gateway embeds), a fresh
//! instance per request as in the gateway, and drives it with the same load generator as the
//! gateway's cached call, to see what Slotline adds to the runtime's own per-request cost.

wit_bindgen::generate!({
    path: "../../../wit",
    world: "wasi:http/proxy@0.2.12",
    generate_all,
});

use exports::wasi::http::incoming_handler::Guest;
use wasi::http::types::{
    ErrorCode, Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

/// About the size of the gateway's answer to a cached `check_availability`.
const BODY: &[u8] = br#"{"success":true,"message":"Am Donnerstag um 15 Uhr ist leider schon vergeben. Ich kann Ihnen 14 Uhr oder 16 Uhr anbieten.","data":{"available":false}}"#;

struct Hello;

impl Guest for Hello {
    fn handle(_request: IncomingRequest, out: ResponseOutparam) {
        match respond() {
            Ok((response, body)) => {
                ResponseOutparam::set(out, Ok(response));
                // The status line is already sent: a failure now can only cut the body short.
                let _ = write_body(body);
            }
            Err(error) => ResponseOutparam::set(out, Err(error)),
        }
    }
}

fn respond() -> Result<(OutgoingResponse, OutgoingBody), ErrorCode> {
    let internal = |what: &str| ErrorCode::InternalError(Some(what.to_owned()));
    let headers = Fields::from_list(&[
        ("content-type".to_owned(), b"application/json".to_vec()),
        (
            "content-length".to_owned(),
            BODY.len().to_string().into_bytes(),
        ),
    ])
    .map_err(|_| internal("headers"))?;
    let response = OutgoingResponse::new(headers);
    let body = response.body().map_err(|()| internal("body"))?;
    Ok((response, body))
}

fn write_body(body: OutgoingBody) -> Result<(), ()> {
    {
        let stream = body.write()?;
        stream.blocking_write_and_flush(BODY).map_err(|_| ())?;
    }
    OutgoingBody::finish(body, None).map_err(|_| ())
}

export!(Hello);
