//! A test plugin of the `slotline:plugin/scheduler` world. Its `mode` setting (wasi:config)
//! picks what every function does, so one component stands in for many plugins, good and bad:
//!
//! | mode | behaviour |
//! |---|---|
//! | `echo` | answers at once with the `reply` setting as speech |
//! | `fetch` | GETs the `url` setting (optionally asking for `timeout_ms`) and reports the outcome |
//! | `many-requests` | GETs `url` 1,000 times, reporting how many were let through |
//! | `probe-cache` | lists the cache, reads `probe_keys`, opens the buckets in `probe_buckets` |
//! | `write-cache` | writes `key` = `value` into its cache |
//! | `flood-cache` | writes `count` empty values (200,000 unless set), then lists every key page by page, reporting how many it wrote, listed, and the largest page |
//! | `loop` | spins forever |
//! | `alloc` | allocates until refused |
//! | `recurse` | recurses without bound |
//! | `trap` | panics |
//! | `big-reply` | answers with a 100 MB sentence |
//! | `long-reply` | answers with a 100 KiB sentence: fine to copy, far too long to speak |
//! | `wide-reply` | answers with a 2 MiB sentence: within memory, past the host-call data limit |
//! | `big-value` | writes a 2 MiB value into its cache |
//! | `handles` | creates host resources (HTTP header maps) without ever dropping one |
//! | `sleep` | sleeps for an hour |
//! | `many-origins` | GETs `http://h{n}.example/` for n up to 1,000, reporting how many were denied before the budget stopped it |
//! | `post-body` | POSTs a body of `body_mib` MiB to `url`, reporting the outcome |
//! | `unsent-body` | writes `body_mib` MiB into each of 16 request bodies it never sends, as fast as the streams take them, reporting how much they took |
//! | `escaped-error` | fails with a speech and detail of 20,000 control characters: 20 KB raw, six times that as JSON |

wit_bindgen::generate!({
    path: "wit",
    world: "slotline:plugin/scheduler",
    generate_all,
});

use std::time::Duration;

use exports::slotline::plugin::booking::{
    Alternatives, AlternativesRequest, Availability, AvailabilityRequest, BookingList,
    BookingReply, BookingRequest, CalendarEvent, CallContext, CancelRequest, ErrorCode, Guest,
    ParseDateRequest, ParsedDate, PluginError, RescheduleRequest, ServiceList,
};
use wasi::http::types::{Fields, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme};

fn setting(key: &str) -> Option<String> {
    wasi::config::store::get(key).ok().flatten()
}

fn fail(detail: String) -> PluginError {
    PluginError {
        code: ErrorCode::UpstreamUnavailable,
        detail,
        speech: None,
    }
}

/// Runs the configured behaviour; `Ok` carries the sentence to speak.
fn behave() -> Result<String, PluginError> {
    let mode = setting("mode").unwrap_or_default();
    match mode.as_str() {
        "echo" => Ok(setting("reply").unwrap_or_else(|| "echo".into())),
        "fetch" => fetch(&setting("url").unwrap_or_default()).map_err(fail),
        "many-requests" => {
            let url = setting("url").unwrap_or_default();
            let sent = (0..1_000).take_while(|_| fetch(&url).is_ok()).count();
            Ok(format!("sent {sent}"))
        }
        "probe-cache" => Ok(probe_cache()),
        "write-cache" => {
            let bucket = wasi::keyvalue::store::open("").map_err(|e| fail(format!("{e:?}")))?;
            let key = setting("key").unwrap_or_default();
            let value = setting("value").unwrap_or_default();
            bucket
                .set(&key, value.as_bytes())
                .map_err(|e| fail(format!("{e:?}")))?;
            Ok("written".into())
        }
        "flood-cache" => flood_cache().map_err(fail),
        "unsent-body" => {
            let mib = setting("body_mib")
                .and_then(|mib| mib.parse::<usize>().ok())
                .unwrap_or(64);
            unsent(&setting("url").unwrap_or_default(), mib << 20).map_err(fail)
        }
        "loop" => {
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        "alloc" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 1 << 20]);
                std::hint::black_box(&hoard);
            }
        }
        "recurse" => Ok(recurse(1).to_string()),
        "trap" => panic!("a deliberate trap"),
        "big-reply" => Ok("x".repeat(100 * 1024 * 1024)),
        "long-reply" => Ok("x".repeat(100 * 1024)),
        "wide-reply" => Ok("x".repeat(2 * 1024 * 1024)),
        "big-value" => {
            let bucket = wasi::keyvalue::store::open("").map_err(|e| fail(format!("{e:?}")))?;
            bucket
                .set("big", &vec![7u8; 2 * 1024 * 1024])
                .map_err(|e| fail(format!("{e:?}")))?;
            Ok("written".into())
        }
        "handles" => {
            let mut held = Vec::new();
            loop {
                held.push(Fields::new());
                std::hint::black_box(&held);
            }
        }
        "many-origins" => {
            let denied = (0..1_000)
                .map(|n| fetch(&format!("http://h{n}.example/")))
                .take_while(|outcome| {
                    outcome
                        .as_ref()
                        .is_err_and(|code| code.contains("HttpRequestDenied"))
                })
                .count();
            Ok(format!("denied {denied}"))
        }
        "post-body" => {
            let mib = setting("body_mib")
                .and_then(|mib| mib.parse::<usize>().ok())
                .unwrap_or(8);
            post(&setting("url").unwrap_or_default(), mib << 20).map_err(fail)
        }
        "escaped-error" => Err(PluginError {
            code: ErrorCode::UpstreamError,
            detail: "\u{7}".repeat(20_000),
            speech: Some("\u{7}".repeat(20_000)),
        }),
        "sleep" => {
            wasi::clocks::monotonic_clock::subscribe_duration(3_600_000_000_000).block();
            Ok("woke up".into())
        }
        other => Err(fail(format!("unknown mode {other:?}"))),
    }
}

/// Recurses until wasmtime's stack limit stops it. Nothing is kept in linear memory, so it is
/// the engine's stack that runs out, not the guest's shadow stack; `black_box` only hides the
/// endless recursion from the compiler.
fn recurse(depth: u64) -> u64 {
    if std::hint::black_box(depth) == u64::MAX {
        return depth;
    }
    recurse(depth + 1).wrapping_add(std::hint::black_box(depth))
}

/// A request of `method` to `url`, not yet sent.
fn request_to(method: &Method, url: &str) -> Result<OutgoingRequest, String> {
    let (scheme, rest) = match url.split_once("://") {
        Some(("https", rest)) => (Scheme::Https, rest),
        Some((_, rest)) => (Scheme::Http, rest),
        None => return Err(format!("bad url {url:?}")),
    };
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
    let request = OutgoingRequest::new(Fields::new());
    let _ = request.set_method(method);
    let _ = request.set_scheme(Some(&scheme));
    let _ = request.set_authority(Some(authority));
    let _ = request.set_path_with_query(Some(path));
    Ok(request)
}

/// POSTs `size` bytes to `url`, written in the largest pieces a stream takes at once, until
/// written or the host stops reading.
fn post(url: &str, size: usize) -> Result<String, String> {
    let request = request_to(&Method::Post, url)?;
    let body = request.body().map_err(|()| "no body".to_owned())?;
    let future =
        wasi::http::outgoing_handler::handle(request, None).map_err(|e| format!("{e:?}"))?;
    let stream = body.write().map_err(|()| "no body stream".to_owned())?;
    let chunk = [b'x'; 4096];
    let mut written = 0;
    while written < size && stream.blocking_write_and_flush(&chunk).is_ok() {
        written += chunk.len();
    }
    drop(stream);
    let _ = OutgoingBody::finish(body, None);
    future.subscribe().block();
    match future.get() {
        Some(Ok(Ok(response))) => Ok(format!("status {}", response.status())),
        Some(Ok(Err(code))) => Err(format!("{code:?} after {written} bytes")),
        _ => Err("no response".into()),
    }
}

/// Writes up to `size` bytes into the bodies of 16 requests that are never sent, without
/// waiting for the streams (whatever they take at once, they take), and keeps them all open
/// until the end: how much the host buffers for bodies nobody reads.
fn unsent(url: &str, size: usize) -> Result<String, String> {
    let chunk = vec![b'x'; 64 * 1024];
    let mut held = Vec::new();
    let mut taken = 0;
    for _ in 0..16 {
        let request = request_to(&Method::Post, url)?;
        let body = request.body().map_err(|()| "no body".to_owned())?;
        let stream = body.write().map_err(|()| "no body stream".to_owned())?;
        let mut written = 0;
        while written < size {
            match stream.check_write() {
                Ok(0) | Err(_) => break,
                Ok(room) => {
                    let n = chunk.len().min(usize::try_from(room).unwrap_or(usize::MAX));
                    if stream.write(&chunk[..n]).is_err() {
                        break;
                    }
                    written += n;
                }
            }
        }
        taken += written;
        // Children first when dropped: the stream, its body, then the request.
        held.push((stream, body, request));
    }
    Ok(format!("took {taken} bytes"))
}

fn fetch(url: &str) -> Result<String, String> {
    let request = request_to(&Method::Get, url)?;
    let options = setting("timeout_ms")
        .and_then(|ms| ms.parse::<u64>().ok())
        .map(|ms| {
            let options = RequestOptions::new();
            let nanos = Duration::from_millis(ms).as_nanos() as u64;
            let _ = options.set_connect_timeout(Some(nanos));
            let _ = options.set_first_byte_timeout(Some(nanos));
            let _ = options.set_between_bytes_timeout(Some(nanos));
            options
        });
    let future =
        wasi::http::outgoing_handler::handle(request, options).map_err(|e| format!("{e:?}"))?;
    future.subscribe().block();
    match future.get() {
        Some(Ok(Ok(response))) => Ok(format!("status {}", response.status())),
        Some(Ok(Err(code))) => Err(format!("{code:?}")),
        _ => Err("no response".into()),
    }
}

fn flood_cache() -> Result<String, String> {
    let bucket = wasi::keyvalue::store::open("").map_err(|e| format!("{e:?}"))?;
    let count: u64 = setting("count")
        .and_then(|count| count.parse().ok())
        .unwrap_or(200_000);
    let mut written = 0;
    for n in 0..count {
        if bucket.set(&format!("flood:{n:026}"), &[]).is_err() {
            break;
        }
        written += 1;
    }
    let (mut listed, mut pages, mut largest) = (0, 0, 0);
    let mut cursor = None;
    loop {
        let page = bucket.list_keys(cursor).map_err(|e| format!("{e:?}"))?;
        pages += 1;
        listed += page.keys.len();
        largest = largest.max(page.keys.len());
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(format!(
        "wrote {written}, listed {listed} in {pages} pages, largest {largest}"
    ))
}

fn probe_cache() -> String {
    let mut found = Vec::new();
    let mut opened = Vec::new();
    if let Ok(bucket) = wasi::keyvalue::store::open("") {
        if let Ok(listing) = bucket.list_keys(None) {
            found.extend(listing.keys);
        }
        for key in setting("probe_keys")
            .unwrap_or_default()
            .split(',')
            .filter(|k| !k.is_empty())
        {
            if let Ok(Some(_)) = bucket.get(key) {
                found.push(key.to_owned());
            }
        }
    }
    for name in setting("probe_buckets")
        .unwrap_or_default()
        .split(',')
        .filter(|b| !b.is_empty())
    {
        if wasi::keyvalue::store::open(name).is_ok() {
            opened.push(name.to_owned());
        }
    }
    serde_json::json!({ "found": found, "opened": opened }).to_string()
}

struct TestPlugin;

impl Guest for TestPlugin {
    fn parse_date(_: CallContext, _: ParseDateRequest) -> Result<ParsedDate, PluginError> {
        let speech = behave()?;
        Ok(ParsedDate {
            date: "2026-11-26".into(),
            time: None,
            start: None,
            weekday: "thursday".into(),
            speech,
        })
    }

    fn check_availability(
        _: CallContext,
        _: AvailabilityRequest,
    ) -> Result<Availability, PluginError> {
        let speech = behave()?;
        Ok(Availability {
            available: false,
            requested: None,
            slots: Vec::new(),
            alternatives: Vec::new(),
            speech,
        })
    }

    fn find_alternatives(
        _: CallContext,
        _: AlternativesRequest,
    ) -> Result<Alternatives, PluginError> {
        let speech = behave()?;
        Ok(Alternatives {
            alternatives: Vec::new(),
            speech,
        })
    }

    fn create_booking(_: CallContext, _: BookingRequest) -> Result<BookingReply, PluginError> {
        Err(fail(behave()?))
    }

    fn cancel_booking(_: CallContext, _: CancelRequest) -> Result<BookingReply, PluginError> {
        Err(fail(behave()?))
    }

    fn reschedule_booking(
        _: CallContext,
        _: RescheduleRequest,
    ) -> Result<BookingReply, PluginError> {
        Err(fail(behave()?))
    }

    fn list_bookings(_: CallContext) -> Result<BookingList, PluginError> {
        let speech = behave()?;
        Ok(BookingList {
            bookings: Vec::new(),
            speech,
        })
    }

    fn list_services(_: CallContext) -> Result<ServiceList, PluginError> {
        let speech = behave()?;
        Ok(ServiceList {
            services: Vec::new(),
            speech,
        })
    }

    fn on_calendar_event(_: CallContext, _: CalendarEvent) -> Result<(), PluginError> {
        behave().map(|_| ())
    }
}

export!(TestPlugin);
