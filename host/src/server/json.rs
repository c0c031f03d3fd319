//! Reading webhook bodies: a nesting limit before the parser, then serde.

use serde::de::DeserializeOwned;

use super::ApiError;

/// Deeper JSON is refused before parsing. Real webhooks nest four or five levels; the limit
/// keeps a hostile body from costing stack or time.
pub const MAX_DEPTH: usize = 32;

/// Parses `body` as `T`, naming `what` in the error.
pub fn parse<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ApiError> {
    if depth(body) > MAX_DEPTH {
        return Err(ApiError::bad_request(format!(
            "{what}: JSON nested deeper than {MAX_DEPTH} levels"
        )));
    }
    serde_json::from_slice(body).map_err(|err| ApiError::bad_request(format!("{what}: {err}")))
}

/// The deepest nesting of arrays and objects, ignoring brackets inside strings.
fn depth(body: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in body {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_structure_not_strings() {
        assert_eq!(depth(br#"{"a": [1, {"b": "]]]{{{"}]}"#), 3);
        assert_eq!(depth(br#""\"[[[""#), 0);
        let deep = format!("{}{}", "[".repeat(33), "]".repeat(33));
        assert!(parse::<serde_json::Value>(deep.as_bytes(), "body").is_err());
        let fine = format!("{}{}", "[".repeat(32), "]".repeat(32));
        assert!(parse::<serde_json::Value>(fine.as_bytes(), "body").is_ok());
    }
}
