//! `slotline plugin replay`: the replay report, as a person reads it in a terminal.

use std::fmt::Write;

use serde_json::Value;

/// The report's totals, then each call that differs with what changed.
pub fn summary(report: &Value) -> String {
    let totals = &report["totals"];
    let count = |key: &str| totals[key].as_u64().unwrap_or(0);
    let micros = |key: &str| {
        totals[key]
            .as_u64()
            .map_or_else(|| "-".to_owned(), |us| format!("{us} µs"))
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "version {} (sha256:{}): {} calls replayed, {} same, {} different, {} plugin errors, {} not replayable, {} requests the recordings lack",
        report["version"],
        report["digest"].as_str().unwrap_or_default(),
        count("calls"),
        count("same"),
        count("different"),
        count("errors"),
        count("not_replayable"),
        count("missing_requests"),
    );
    let _ = writeln!(
        out,
        "median time per call: {} (the versions that answered: {}); {:.0} calls/s",
        micros("candidate_p50_us"),
        micros("recorded_version_p50_us"),
        totals["calls_per_second"].as_f64().unwrap_or(0.0),
    );
    for call in report["calls"].as_array().into_iter().flatten() {
        let verdict = call["verdict"].as_str().unwrap_or_default();
        if verdict == "same" {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{verdict}: {} of call {} at {} (log id {})",
            call["tool"].as_str().unwrap_or_default(),
            call["call_id"].as_str().unwrap_or_default(),
            call["at"].as_str().unwrap_or_default(),
            call["call_log_id"],
        );
        for text in [&call["reason"], &call["error"]] {
            if let Some(text) = text.as_str() {
                let _ = writeln!(out, "  {text}");
            }
        }
        for difference in call["differences"].as_array().into_iter().flatten() {
            let field = difference["field"].as_str().unwrap_or_default();
            match difference["words"].as_str() {
                Some(words) => {
                    let _ = writeln!(out, "  {field}: {words}");
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  {field}: {} -> {}",
                        difference["recorded"], difference["candidate"]
                    );
                }
            }
        }
        for request in call["missing_requests"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "  not in the recording: {}",
                request.as_str().unwrap_or_default()
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differing_calls_are_listed_with_their_changes() {
        let report = json!({
            "version": 2, "digest": "ab",
            "totals": {"calls": 2, "same": 1, "different": 1, "errors": 0, "not_replayable": 0,
                       "missing_requests": 0, "candidate_p50_us": 150, "calls_per_second": 900.0},
            "calls": [
                {"verdict": "same", "tool": "parse_date", "call_id": "a"},
                {"verdict": "different", "tool": "parse_date", "call_id": "b", "at": "t",
                 "call_log_id": 7,
                 "differences": [{"field": "speech", "words": "um [-14:30-]{+15:30+}"},
                                 {"field": "data.time", "recorded": "14:30", "candidate": "15:30"}]}
            ]
        });
        let text = summary(&report);
        assert!(
            text.contains("2 calls replayed, 1 same, 1 different"),
            "{text}"
        );
        assert!(text.contains("different: parse_date of call b"), "{text}");
        assert!(text.contains("speech: um [-14:30-]{+15:30+}"), "{text}");
        assert!(text.contains(r#"data.time: "14:30" -> "15:30""#), "{text}");
        assert!(!text.contains("of call a"), "{text}");
    }
}
