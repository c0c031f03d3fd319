//! One plugin upload at a time per tenant.
//!
//! Compiling a component takes a core for up to seconds; a tenant sending uploads in parallel
//! would otherwise take every core the gateway has for its neighbours' calls and uploads. A
//! second upload of the same tenant while one compiles is refused at once (429, retry in a
//! second) rather than queued: a queue would hold its bodies in memory.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// The tenants whose upload is being compiled.
#[derive(Default, Clone)]
pub struct InFlight {
    tenants: Arc<Mutex<HashSet<String>>>,
}

/// Held while a tenant's upload compiles; the next may begin once it is dropped.
pub struct Turn {
    tenants: Arc<Mutex<HashSet<String>>>,
    tenant: String,
}

impl InFlight {
    /// The tenant's turn, unless another of its uploads holds it.
    pub fn begin(&self, tenant: &str) -> Option<Turn> {
        let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        tenants.insert(tenant.to_owned()).then(|| Turn {
            tenants: Arc::clone(&self.tenants),
            tenant: tenant.to_owned(),
        })
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.tenants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.tenant);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_has_one_turn_at_a_time_and_its_neighbours_their_own() {
        let uploads = InFlight::default();
        let turn = uploads.begin("acme");
        assert!(turn.is_some());
        assert!(uploads.begin("acme").is_none(), "a second upload waits");
        assert!(
            uploads.begin("globex").is_some(),
            "a neighbour is not held up"
        );
        drop(turn);
        assert!(uploads.begin("acme").is_some(), "free again once done");
    }
}
