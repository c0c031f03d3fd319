//! How a tenant's webhooks prove they are the tenant's: the secrets of every platform scheme
//! it allows, each with a current and (while rotating) a previous value.
//!
//! Verification itself is in `server/auth.rs`; this is what it checks against, read and
//! validated once when the tenant is made, so a bad header name is a configuration error at
//! start rather than a 401 on every call.

use axum::http::HeaderName;

use crate::config::{Secret, TenantConfig};

/// Why the credentials of a configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// A `vapi_auth.*_header` is not an HTTP header name.
    #[error("vapi_auth.{key} = {value:?} is not an HTTP header name")]
    HeaderName {
        /// The key.
        key: &'static str,
        /// Its value.
        value: String,
    },
}

/// The secrets a scheme accepts: the current one first, then the previous one.
#[derive(Debug, Clone, Default)]
pub struct Secrets(Vec<Secret>);

impl Secrets {
    fn of(current: &Option<Secret>, previous: &Option<Secret>) -> Self {
        Self(current.iter().chain(previous.iter()).cloned().collect())
    }

    /// Whether the scheme is configured at all.
    pub fn is_configured(&self) -> bool {
        !self.0.is_empty()
    }

    /// The secrets, current first.
    pub fn iter(&self) -> impl Iterator<Item = &Secret> {
        self.0.iter()
    }
}

/// Vapi's bearer-token credential.
#[derive(Debug, Clone)]
pub struct VapiBearer {
    /// The tokens accepted.
    pub tokens: Secrets,
    /// The header they come in.
    pub header: HeaderName,
    /// Whether the value is `Bearer <token>`.
    pub prefix: bool,
}

/// Vapi's HMAC credential: hex HMAC-SHA256 of `{timestamp}.{body}`.
#[derive(Debug, Clone)]
pub struct VapiHmac {
    /// The keys accepted.
    pub secrets: Secrets,
    /// The header with the signature.
    pub signature_header: HeaderName,
    /// The header with the timestamp.
    pub timestamp_header: HeaderName,
    /// A prefix before the hex digest (`sha256=`), or empty.
    pub signature_prefix: String,
}

/// Every credential of a tenant.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Retell API keys (signatures).
    pub retell: Secrets,
    /// Vapi's legacy `x-vapi-secret`.
    pub vapi_secret: Secrets,
    /// Vapi's bearer credential, when configured.
    pub vapi_bearer: Option<VapiBearer>,
    /// Vapi's HMAC credential, when configured.
    pub vapi_hmac: Option<VapiHmac>,
    /// Cal.com webhook secrets.
    pub calcom: Secrets,
}

impl Credentials {
    /// The credentials `config` names.
    pub fn from_config(config: &TenantConfig) -> Result<Self, CredentialError> {
        let auth = &config.vapi_auth;
        let header = |key: &'static str, value: &str| {
            HeaderName::from_bytes(value.trim().to_ascii_lowercase().as_bytes()).map_err(|_| {
                CredentialError::HeaderName {
                    key,
                    value: value.to_owned(),
                }
            })
        };
        let tokens = Secrets::of(&auth.bearer_token, &auth.bearer_token_previous);
        let vapi_bearer = if tokens.is_configured() {
            Some(VapiBearer {
                tokens,
                header: header("bearer_header", &auth.bearer_header)?,
                prefix: auth.bearer_prefix,
            })
        } else {
            None
        };
        let secrets = Secrets::of(&auth.hmac_secret, &auth.hmac_secret_previous);
        let vapi_hmac = if secrets.is_configured() {
            Some(VapiHmac {
                secrets,
                signature_header: header("hmac_signature_header", &auth.hmac_signature_header)?,
                timestamp_header: header("hmac_timestamp_header", &auth.hmac_timestamp_header)?,
                signature_prefix: auth.hmac_signature_prefix.clone(),
            })
        } else {
            None
        };
        Ok(Self {
            retell: Secrets::of(&config.retell_api_key, &config.retell_api_key_previous),
            vapi_secret: Secrets::of(&config.vapi_secret, &config.vapi_secret_previous),
            vapi_bearer,
            vapi_hmac,
            calcom: Secrets::of(
                &config.calcom_webhook_secret,
                &config.calcom_webhook_secret_previous,
            ),
        })
    }

    /// Whether Vapi can reach the tenant by any scheme.
    pub fn vapi_configured(&self) -> bool {
        self.vapi_secret.is_configured() || self.vapi_bearer.is_some() || self.vapi_hmac.is_some()
    }
}
