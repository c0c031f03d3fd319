//! Retell's webhook signature: `X-Retell-Signature: v=<unix ms>,d=<hex>`.
//!
//! The digest is HMAC-SHA256 keyed with the tenant's Retell API key over the raw body followed
//! by the timestamp digits. The timestamp bounds replays; the comparison is constant-time.

use std::time::Duration;

use subtle::ConstantTimeEq;

/// How far a signature's timestamp may be from our clock, either way.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Why a Retell signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No header.
    #[error("missing X-Retell-Signature header")]
    Missing,
    /// Not `v=<unix ms>,d=<hex>`.
    #[error("malformed X-Retell-Signature header: expected v=<unix ms>,d=<hex>")]
    Malformed,
    /// Older or newer than the replay window.
    #[error("signature timestamp is outside the allowed window")]
    Stale,
    /// Not the body's digest under the tenant's key.
    #[error("signature does not match the body")]
    Mismatch,
}

fn digest(key: &[u8], body: &[u8], timestamp: &str) -> [u8; 32] {
    crate::signing::hmac_sha256(key, &[body, timestamp.as_bytes()])
}

/// Checks `header` against `body` and `key` at `now_ms` (unix milliseconds).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    key: &[u8],
    now_ms: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut given = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("v", value)) => timestamp = Some(value),
            Some(("d", value)) => given = Some(value),
            _ => return Err(SignatureError::Malformed),
        }
    }
    let (Some(timestamp), Some(given)) = (timestamp, given) else {
        return Err(SignatureError::Malformed);
    };
    let sent_ms: i64 = timestamp.parse().map_err(|_| SignatureError::Malformed)?;
    let given = hex::decode(given).map_err(|_| SignatureError::Malformed)?;
    let window = i64::try_from(REPLAY_WINDOW.as_millis()).unwrap_or(i64::MAX);
    if now_ms.saturating_sub(sent_ms).abs() > window {
        return Err(SignatureError::Stale);
    }
    let expected = digest(key, body, timestamp);
    if bool::from(expected.as_slice().ct_eq(&given)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Produces the header value Retell would send (for the demo, tests and benchmarks).
pub fn sign(body: &[u8], key: &[u8], now_ms: i64) -> String {
    let timestamp = now_ms.to_string();
    let digest = hex::encode(digest(key, body, &timestamp));
    format!("v={timestamp},d={digest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_000_000_000;

    #[test]
    fn a_fresh_signature_of_the_same_body_verifies() {
        let header = sign(b"{}", b"key", NOW);
        assert_eq!(verify(Some(&header), b"{}", b"key", NOW + 1_000), Ok(()));
    }

    #[test]
    fn tampering_staleness_and_garbage_are_refused() {
        let header = sign(b"{}", b"key", NOW);
        assert_eq!(
            verify(Some(&header), b"{ }", b"key", NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), b"{}", b"other", NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), b"{}", b"key", NOW + 301_000),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some(&header), b"{}", b"key", NOW - 301_000),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(None, b"{}", b"key", NOW),
            Err(SignatureError::Missing)
        );
        for bad in ["", "v=1", "d=00", "v=x,d=00", "v=1,d=zz", "v=1,d=00,e=1"] {
            assert_eq!(
                verify(Some(bad), b"{}", b"key", NOW),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }
}
