//! Replays the fuzz corpus (`fuzz/corpus/<target>/`, and `fuzz/artifacts/<target>/` when a
//! local `make fuzz` left crashes there) without nightly or cargo-fuzz: every webhook body is
//! read or refused with a 4xx, every date text is read or refused, never a panic, and every
//! hand-written seed (`seed-*`) is read.
//!
//! The plugin's date reader is compiled in from its source, as the `parse_date` fuzz target
//! does: the plugin crate is a wasm32-wasip2 component whose native `cdylib` does not link, so
//! it can have no integration tests. Its own unit tests therefore also run here, natively.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use slotline::server::vapi::VapiMessage;
use slotline::server::{ApiError, calcom, retell, vapi};

#[path = "../../guest/src/parse_date.rs"]
#[allow(
    dead_code,
    reason = "the plugin uses more of the reader than this test does"
)]
mod parse_date;
#[path = "../../fuzz/src/parse_date_input.rs"]
mod parse_date_input;

const FUZZ_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz");

/// The files of `fuzz/corpus/<target>` and `fuzz/artifacts/<target>`, sorted.
fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["corpus", "artifacts"]
        .iter()
        .map(|dir| Path::new(FUZZ_DIR).join(dir).join(target))
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

fn is_seed(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with("seed-"))
}

/// Runs `check` on every input of `target`, collecting failures and panics so that one run
/// names every bad file.
fn replay(target: &str, check: impl Fn(&[u8], bool) -> Result<(), String>) {
    let files = inputs(target);
    assert!(
        files.iter().any(|path| is_seed(path)),
        "no seeds in fuzz/corpus/{target}"
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let body = match std::fs::read(path) {
                Ok(body) => body,
                Err(err) => return Some(format!("{}: {err}", path.display())),
            };
            let outcome = catch_unwind(AssertUnwindSafe(|| check(&body, is_seed(path))));
            match outcome {
                Ok(Ok(())) => None,
                Ok(Err(why)) => Some(format!("{}: {why}", path.display())),
                Err(_) => Some(format!("{}: panicked", path.display())),
            }
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A refusal must be the client's fault: a 4xx, never a 5xx.
fn refused(err: &ApiError) -> Result<(), String> {
    if err.status.is_client_error() {
        Ok(())
    } else {
        Err(format!("refused with {err}"))
    }
}

#[test]
fn retell_corpus_is_read_or_refused() {
    replay("retell", |body, seed| {
        let call = retell::parse_function_call(body);
        let event = retell::parse_call_event(body);
        let inbound = retell::parse_inbound(body);
        for err in [
            call.as_ref().err(),
            event.as_ref().err(),
            inbound.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        {
            refused(err)?;
        }
        if let Ok(call) = &call
            && let Ok(request) = &call.request
            && request.is_mutating() != call.tool.is_mutating()
        {
            return Err(format!("{:?} read as {request:?}", call.tool));
        }
        if seed && call.is_err() && event.is_err() && inbound.is_err() {
            return Err(format!(
                "a seed no Retell webhook reads: {}",
                call.err().map(|err| err.to_string()).unwrap_or_default()
            ));
        }
        Ok(())
    });
}

#[test]
fn vapi_corpus_is_read_or_refused() {
    replay("vapi", |body, seed| match vapi::parse_tool_calls(body) {
        Ok(_) => Ok(()),
        Err(err) if seed => Err(format!("a seed is refused: {err}")),
        Err(err) => refused(&err),
    });
}

#[test]
fn calcom_corpus_is_read_or_refused() {
    replay("calcom", |body, seed| match calcom::parse_webhook(body) {
        Ok(event) => serde_json::from_str::<serde_json::Value>(&event.payload)
            .map(drop)
            .map_err(|err| format!("the plugin's payload is not JSON: {err}")),
        Err(err) if seed => Err(format!("a seed is refused: {err}")),
        Err(err) => refused(&err),
    });
}

/// The seed with one bad item of each kind: each is refused on its own, with its own code.
#[test]
fn vapi_items_are_refused_one_by_one() {
    let path = Path::new(FUZZ_DIR).join("corpus/vapi/seed-tool-calls-bad-items.json");
    let body = std::fs::read(&path).expect("the seed exists");
    let Ok(VapiMessage::ToolCalls { info, items }) = vapi::parse_tool_calls(&body) else {
        panic!("not read as tool calls");
    };
    assert_eq!(info.call_id, "call-3");
    let codes: Vec<(&str, &str)> = items
        .iter()
        .map(|item| {
            let code = item
                .request
                .as_ref()
                .err()
                .map_or("ok", |refusal| refusal.code().as_str());
            (item.id.as_str(), code)
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("tc_1", "unknown_tool"),
            ("tc_2", "invalid_arguments"),
            ("tc_3", "invalid_arguments"),
            ("tc_4", "ok"),
        ]
    );
}

#[test]
fn parse_date_corpus_is_read_or_refused() {
    replay("parse_date", |data, seed| {
        let input = parse_date_input::read(data);
        match parse_date::parse(&input.text, input.now, &input.hours) {
            Ok(_) => Ok(()),
            Err(err) if seed => Err(format!("a seed is not read ({input:?}): {err}")),
            // What the voice agent would hear must render.
            Err(err) => {
                assert!(!err.to_string().is_empty());
                Ok(())
            }
        }
    });
}
