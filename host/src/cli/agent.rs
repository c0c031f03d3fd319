//! `slotline agent export`: a tenant's tool definitions as a voice platform takes them,
//! printed as JSON, without a server.
//!
//! The gateway is built from the configuration as `slotline serve` builds it (the same
//! tenant, its active plugin, its timeouts), and the definitions come from the same function
//! the admin endpoint answers with, so the two never disagree.

use std::path::Path;

use serde_json::Value;

use slotline::agent::{self, Platform, UnknownPlatform};
use slotline::config::{Config, ConfigError};
use slotline::gateway::{Gateway, GatewayError};

/// Whose definitions, for which platform, reached where.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The tenant whose tools are exported.
    #[arg(long)]
    pub tenant: String,
    /// `retell` (custom functions of a Retell LLM), `vapi` (function tools) or `mcp`
    /// (a `tools/list` result).
    #[arg(long)]
    pub platform: String,
    /// The gateway's base URL as the platform reaches it; default `http://<server.listen>`.
    #[arg(long)]
    pub url: Option<String>,
}

/// Why nothing was exported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    #[error(transparent)]
    Platform(#[from] UnknownPlatform),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    UnknownTenant(#[from] super::UnknownTenant),
    #[error("--url {0:?} is not an http(s) base URL such as https://gateway.example.com")]
    Url(String),
}

/// The definitions. The platform and URL are checked before the gateway is built, so a typo
/// fails at once instead of after compiling every plugin.
pub async fn export(config: Option<&Path>, args: &ExportArgs) -> Result<Value, ExportError> {
    let platform: Platform = args.platform.parse()?;
    if let Some(url) = &args.url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(ExportError::Url(url.clone()));
    }
    let config = Config::load(config)?;
    let base_url = args
        .url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.server.listen));
    let gateway = Gateway::from_config(&config).await?;
    let tenant = super::tenant(&gateway, &args.tenant)?;
    Ok(agent::export(gateway.dispatcher().runtime(), &tenant, platform, &base_url).await)
}
