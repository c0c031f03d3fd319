//! `slotline serve` with one more tenant kind: `slotline-native-gateway --config FILE` serves
//! every tenant as configured, and the tenant named `native` with the default plugin's logic
//! compiled natively ([`NativeDefaultPlugin`]), reading the cache that tenant `demo`'s plugin
//! fills. For `make bench` only.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use slotline::config::Config;
use slotline::gateway::Gateway;
use slotline_native::NativeDefaultPlugin;

/// The tenant answered natively.
const NATIVE_TENANT: &str = "native";
/// The tenant, with the same settings, whose plugin fills the cache the native one reads.
const CACHE_OF: &str = "demo";

/// The same allocator as `slotline serve`, so the comparison is only WebAssembly against native.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SLOTLINE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let mut args = std::env::args().skip(1);
    let config = match (args.next().as_deref(), args.next()) {
        (Some("--config"), Some(path)) => PathBuf::from(path),
        _ => bail!("usage: slotline-native-gateway --config FILE"),
    };
    let config = Config::load(Some(&config))?;
    if !config.tenants.contains_key(NATIVE_TENANT) {
        bail!("the configuration has no tenant `{NATIVE_TENANT}` to answer natively");
    }
    let listen = config.server.listen;
    let mut gateway = Gateway::from_config(&config).await?;
    let cache = gateway
        .tenants()
        .get(CACHE_OF)
        .map(|tenant| Arc::clone(&tenant.env.cache))
        .with_context(|| format!("the configuration has no tenant `{CACHE_OF}`"))?;
    if !gateway.set_builtin(NATIVE_TENANT, Arc::new(NativeDefaultPlugin::reading(cache))) {
        bail!("the gateway was shared before the built-in was set");
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    gateway.serve(listener).await?;
    Ok(())
}
