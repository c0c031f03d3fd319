//! Which origins (scheme, host, port) a tenant's plugin may call.

use http::Uri;
use http::uri::Scheme;

/// One allowed origin.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    https: bool,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin `uri` names, normalised (lower case, the scheme's default port made
    /// explicit, leading zeros of the port gone), so that one origin spelled two ways is one
    /// origin everywhere. A URI with userinfo (`user@host`) names none: it would be forwarded
    /// in `Host` and make the same host look like another.
    fn of(uri: &Uri) -> Option<Self> {
        if uri.authority()?.as_str().contains('@') {
            return None;
        }
        let https = match uri.scheme() {
            Some(scheme) if *scheme == Scheme::HTTPS => true,
            Some(scheme) if *scheme == Scheme::HTTP => false,
            _ => return None,
        };
        let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        Some(Self {
            https,
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

/// Why an `allowed_outbound` entry is not usable.
#[derive(Debug, thiserror::Error)]
pub enum AllowlistError {
    /// Not an origin (`scheme://host[:port]`, http or https, no path).
    #[error("allowed_outbound entry {0:?} is not an http(s) origin such as https://api.cal.com")]
    Invalid(String),
}

/// The origins a plugin may reach. Empty means nothing at all.
///
/// Private, loopback and link-local addresses are reachable only through an entry that names
/// the IP literally (`http://127.0.0.1:4000`): a host name is resolved by the outbound client,
/// which refuses such addresses, so DNS cannot be used to reach an internal network.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    origins: Vec<Origin>,
}

impl Allowlist {
    /// The origins `entries` name; refuses the first entry that is not one.
    pub fn parse(entries: &[String]) -> Result<Self, AllowlistError> {
        let origins = entries
            .iter()
            .map(|entry| {
                let uri: Uri = entry
                    .parse()
                    .map_err(|_| AllowlistError::Invalid(entry.clone()))?;
                let path_is_root = uri.path_and_query().is_none_or(|p| p.as_str() == "/");
                match Origin::of(&uri) {
                    Some(origin) if path_is_root => Ok(origin),
                    _ => Err(AllowlistError::Invalid(entry.clone())),
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { origins })
    }

    /// Whether `uri`'s scheme, host and port are on the list.
    pub fn allows(&self, uri: &Uri) -> bool {
        self.upstream(uri).is_some()
    }

    /// The name of `uri`'s origin when it is on the list: `host` or `host:port` (the port only
    /// when it is not the scheme's default), normalised. Breakers, pacing and metrics key on
    /// it, so the names are as few as the list's entries, whatever a plugin spells.
    pub fn upstream(&self, uri: &Uri) -> Option<String> {
        let origin = Origin::of(uri).filter(|origin| self.origins.contains(origin))?;
        let default_port = if origin.https { 443 } else { 80 };
        let host = if origin.host.contains(':') {
            format!("[{}]", origin.host)
        } else {
            origin.host
        };
        Some(if origin.port == default_port {
            host
        } else {
            format!("{host}:{}", origin.port)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> Allowlist {
        let entries: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
        Allowlist::parse(&entries).unwrap_or_default()
    }

    #[test]
    fn matches_scheme_host_and_port() {
        let allow = list(&["https://api.cal.com", "http://127.0.0.1:4000"]);
        assert!(allow.allows(&Uri::from_static("https://api.cal.com/v2/slots?x=1")));
        assert!(allow.allows(&Uri::from_static("https://API.cal.com:443/v2")));
        assert!(allow.allows(&Uri::from_static("http://127.0.0.1:4000/v2/slots")));
        assert!(!allow.allows(&Uri::from_static("http://api.cal.com/v2")));
        assert!(!allow.allows(&Uri::from_static("https://api.cal.com:8443/v2")));
        assert!(!allow.allows(&Uri::from_static("http://127.0.0.1:4001/v2")));
        assert!(!allow.allows(&Uri::from_static("http://169.254.169.254/latest")));
    }

    #[test]
    fn one_origin_spelled_several_ways_is_one_upstream() {
        let allow = list(&[
            "https://api.cal.com",
            "http://127.0.0.1:4000",
            "http://[::1]:4000",
        ]);
        for uri in [
            "https://api.cal.com/v2",
            "https://API.Cal.com:443/v2",
            "https://api.cal.com:0443/v2/slots",
        ] {
            assert_eq!(
                allow.upstream(&Uri::from_static(uri)).as_deref(),
                Some("api.cal.com"),
                "{uri}"
            );
        }
        assert_eq!(
            allow
                .upstream(&Uri::from_static("http://127.0.0.1:04000/x"))
                .as_deref(),
            Some("127.0.0.1:4000")
        );
        assert_eq!(
            allow
                .upstream(&Uri::from_static("http://[::1]:4000/x"))
                .as_deref(),
            Some("[::1]:4000")
        );
        assert_eq!(
            allow.upstream(&Uri::from_static("https://evil.example/x")),
            None
        );
    }

    #[test]
    fn a_uri_with_userinfo_is_never_allowed() {
        let allow = list(&["https://api.cal.com"]);
        for uri in [
            "https://user@api.cal.com/v2",
            "https://user:secret@api.cal.com/v2",
            "https://api.cal.com@evil.example/v2",
        ] {
            assert!(!allow.allows(&Uri::from_static(uri)), "{uri}");
        }
        assert!(Allowlist::parse(&["https://user@api.cal.com".to_owned()]).is_err());
    }

    #[test]
    fn refuses_entries_that_are_not_origins() {
        for bad in [
            "api.cal.com",
            "ftp://x",
            "https://api.cal.com/v2",
            "https://",
        ] {
            assert!(Allowlist::parse(&[bad.to_owned()]).is_err(), "{bad}");
        }
    }
}
