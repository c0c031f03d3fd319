//! What the store announces when it changes: [`StoreEvent`], and how it travels between
//! replicas (a `pg_notify` payload on [`CHANNEL`]).
//!
//! The event and its wire format live here, apart from both the writer (`pg.rs`, which sends
//! them inside write transactions) and the reader (`watch.rs`, which listens for them), so
//! that neither has to know the other: `watch.rs` uses `pg.rs`'s connection helpers, and
//! `pg.rs` and `sql.rs` only need this file.

/// The channel store events are announced on (`pg_notify`); see [`StoreEvent::payload`].
pub const CHANNEL: &str = "slotline_store";

/// Something another process (or this one) changed in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreEvent {
    /// A plugin version of `tenant` was activated (or rolled back to).
    Activated {
        /// The tenant's id.
        tenant: String,
    },
    /// A new plugin version of `tenant` was stored: replicas may compile it before anyone
    /// activates it, so that the activation itself is only a swap.
    Uploaded {
        /// The tenant's id.
        tenant: String,
        /// The component's SHA-256, lowercase hex.
        digest: String,
    },
    /// The tenant's settings were created or replaced (`PUT /v1/admin/tenants/{id}`).
    Settings {
        /// The tenant's id.
        tenant: String,
    },
    /// The watch was disconnected and may have missed events: re-read everything cached.
    Resync,
}

impl StoreEvent {
    /// The event as a `pg_notify` payload: a verb and its arguments, space-separated (tenant
    /// ids and digests never contain spaces).
    pub(crate) fn payload(&self) -> String {
        match self {
            Self::Activated { tenant } => format!("activate {tenant}"),
            Self::Uploaded { tenant, digest } => format!("upload {tenant} {digest}"),
            Self::Settings { tenant } => format!("settings {tenant}"),
            Self::Resync => "resync".to_owned(),
        }
    }

    /// The event a payload announces.
    pub(super) fn parse(payload: &str) -> Self {
        match payload.split(' ').collect::<Vec<_>>().as_slice() {
            ["activate", tenant] => Self::Activated {
                tenant: (*tenant).to_owned(),
            },
            ["settings", tenant] => Self::Settings {
                tenant: (*tenant).to_owned(),
            },
            ["upload", tenant, digest] => Self::Uploaded {
                tenant: (*tenant).to_owned(),
                digest: (*digest).to_owned(),
            },
            // "resync", or unknown to this release (a newer replica's): re-reading
            // everything is always safe.
            _ => Self::Resync,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_survives_its_payload() {
        let events = [
            StoreEvent::Activated {
                tenant: "acme-2".into(),
            },
            StoreEvent::Activated {
                tenant: "resync".into(),
            },
            StoreEvent::Uploaded {
                tenant: "acme".into(),
                digest: "ab".repeat(32),
            },
            StoreEvent::Settings {
                tenant: "acme".into(),
            },
            StoreEvent::Resync,
        ];
        for event in events {
            assert_eq!(StoreEvent::parse(&event.payload()), event);
        }
    }
}
