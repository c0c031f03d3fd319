//! `wasi:config` for plugins: the tenant's settings, read-only and shared between calls.

use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::component::HasData;

use super::bindings::wasi::config::store;

/// The settings a plugin reads through `wasi:config`, as flat string pairs.
pub type Settings = HashMap<String, String>;

/// What the config host functions see of a call's state.
pub struct ConfigView<'a>(pub &'a Arc<Settings>);

/// Marker tying the generated `add_to_linker` function to [`ConfigView`].
pub struct HasConfig;

impl HasData for HasConfig {
    type Data<'a> = ConfigView<'a>;
}

impl store::Host for ConfigView<'_> {
    fn get(&mut self, key: String) -> wasmtime::Result<Result<Option<String>, store::Error>> {
        Ok(Ok(self.0.get(&key).cloned()))
    }

    fn get_all(&mut self) -> wasmtime::Result<Result<Vec<(String, String)>, store::Error>> {
        Ok(Ok(self
            .0
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()))
    }
}
