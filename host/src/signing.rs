//! HMAC-SHA256, the one signature every platform here uses (Retell, Vapi, Cal.com, and the
//! gateway's own notifications), computed and compared in one place.

use hmac::{Hmac, Mac};
use sha2::Sha256;

fn mac(key: &[u8], parts: &[&[u8]]) -> Hmac<Sha256> {
    // HMAC takes keys of every length (long ones are hashed first): this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        unreachable!("HMAC accepts keys of every length")
    };
    for part in parts {
        mac.update(part);
    }
    mac
}

/// HMAC-SHA256 of the concatenated `parts` under `key`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    mac(key, parts).finalize().into_bytes().into()
}

/// Whether `given` is the HMAC-SHA256 of `parts` under one of `keys`. Every key is tried
/// (no early return) and each comparison is constant-time.
pub fn verify_any<'a>(
    keys: impl IntoIterator<Item = &'a [u8]>,
    parts: &[&[u8]],
    given: &[u8],
) -> bool {
    keys.into_iter().fold(false, |found, key| {
        found | mac(key, parts).verify_slice(given).is_ok()
    })
}
