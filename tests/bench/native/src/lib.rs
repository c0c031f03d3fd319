//! The default plugin (`guest/`), compiled natively into the gateway as a
//! [`Builtin`](slotline::dispatch::Builtin), so `make bench` can serve the same request both
//! ways in one process and report what running it as WebAssembly costs.
//!
//! The plugin's own modules are compiled from its sources unchanged. What a component imports
//! is replaced by [`wasi`] (settings and the tenant's cache, read directly) and [`http`] (no
//! network: a cache miss answers "unavailable"), and the WIT types are the host's own bindings,
//! which have the same names and fields. Only the cached path is comparable, and only
//! `check_availability` and `find_alternatives` are served.

#![allow(
    dead_code,
    reason = "the plugin's modules are compiled whole; its booking paths are not served natively"
)]

use std::cell::RefCell;
use std::sync::Arc;

use slotline::cache::TenantCache;
use slotline::dispatch::Builtin;
use slotline::runtime::api;
use slotline::tenant::{Settings, Tenant};
use slotline::tool::{PluginRequest, ToolResponse};

#[path = "../../../../guest/src/availability.rs"]
mod availability;
#[path = "../../../../guest/src/cache.rs"]
mod cache;
#[path = "../../../../guest/src/calcom.rs"]
mod calcom;
#[path = "../../../../guest/src/clock.rs"]
mod clock;
#[path = "../../../../guest/src/errors.rs"]
mod errors;
#[path = "../../../../guest/src/parse_date.rs"]
mod parse_date;
#[path = "../../../../guest/src/ranking.rs"]
mod ranking;
#[path = "../../../../guest/src/settings.rs"]
mod settings;
#[path = "../../../../guest/src/speech.rs"]
mod speech;

/// The WIT types, as the plugin's modules name them.
mod exports {
    pub mod slotline {
        pub mod plugin {
            pub mod booking {
                pub use slotline::runtime::api::*;
            }
        }
    }
}

thread_local! {
    /// The tenant whose call runs on this thread. Set for the length of one synchronous call,
    /// like a component's imports are bound to one store.
    static CURRENT: RefCell<Option<(Arc<Settings>, Arc<TenantCache>)>> = const { RefCell::new(None) };
}

/// Natively compiled stand-ins for the component's WASI imports.
mod wasi {
    pub mod config {
        pub mod store {
            #[derive(Debug)]
            pub struct Error;

            pub fn get_all() -> Result<Vec<(String, String)>, Error> {
                super::super::super::CURRENT.with_borrow(|current| {
                    let (settings, _) = current.as_ref().ok_or(Error)?;
                    Ok(settings
                        .iter()
                        .map(|(key, value)| (key.clone(), value.clone()))
                        .collect())
                })
            }
        }
    }

    pub mod keyvalue {
        pub mod store {
            use std::sync::Arc;

            use slotline::cache::TenantCache;

            #[derive(Debug)]
            pub struct Error;

            pub struct Bucket(Arc<TenantCache>);

            pub fn open(_name: &str) -> Result<Bucket, Error> {
                super::super::super::CURRENT.with_borrow(|current| {
                    let (_, cache) = current.as_ref().ok_or(Error)?;
                    Ok(Bucket(Arc::clone(cache)))
                })
            }

            impl Bucket {
                pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
                    let cache = self.0.local().ok_or(Error)?;
                    Ok(cache.get(key).map(|value| value.to_vec()))
                }

                pub fn set(&self, key: &str, value: &[u8]) -> Result<(), Error> {
                    let cache = self.0.local().ok_or(Error)?;
                    cache.set(key.to_owned(), value.to_vec());
                    Ok(())
                }

                pub fn delete(&self, key: &str) -> Result<(), Error> {
                    let cache = self.0.local().ok_or(Error)?;
                    cache.delete(key);
                    Ok(())
                }
            }
        }
    }

    pub mod http {
        pub mod types {
            pub enum Method {
                Get,
                Post,
            }
        }
    }
}

/// No network: the native built-in answers from the cache, as the compared path does.
mod http {
    pub struct Response {
        pub status: u16,
        pub body: Vec<u8>,
    }

    #[derive(Debug)]
    pub struct HttpError;

    impl std::fmt::Display for HttpError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("the native built-in answers from the cache only")
        }
    }

    pub fn send(
        _method: &crate::wasi::http::types::Method,
        _url: &str,
        _headers: &[(&str, &str)],
        _body: Option<&[u8]>,
    ) -> Result<Response, HttpError> {
        Err(HttpError)
    }
}

/// The default plugin's `check_availability` and `find_alternatives`, native. It reads the
/// cache another tenant's plugin fills (it has no network of its own), so the two answer from
/// the same data.
pub struct NativeDefaultPlugin {
    cache: Arc<TenantCache>,
}

impl NativeDefaultPlugin {
    /// Serves from `cache`, the cache of a tenant with the same settings run by the plugin.
    pub fn reading(cache: Arc<TenantCache>) -> Self {
        Self { cache }
    }
}

impl Builtin for NativeDefaultPlugin {
    fn call(
        &self,
        tenant: &Tenant,
        context: &api::CallContext,
        request: PluginRequest,
    ) -> Result<ToolResponse, api::PluginError> {
        CURRENT.set(Some((
            Arc::clone(&tenant.env.settings),
            Arc::clone(&self.cache),
        )));
        let outcome = match request {
            PluginRequest::CheckAvailability(req) => {
                availability::check(context, &req).map(ToolResponse::Availability)
            }
            PluginRequest::FindAlternatives(req) => {
                availability::alternatives(context, &req).map(ToolResponse::Alternatives)
            }
            _ => Err(api::PluginError {
                code: api::ErrorCode::NotSupported,
                detail: "not served by the native built-in".into(),
                speech: None,
            }),
        };
        CURRENT.set(None);
        outcome
    }
}
