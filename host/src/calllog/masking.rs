//! Secret-looking query values masked in URLs: what the call log shows of a request's path,
//! and how a replay recording names a request. Apart from the trace, so that replay can use it
//! without depending on tracing.

/// Query parameters whose values are masked in the log: API keys and tokens sent in the URL
/// (Cal.com v1 took `?apiKey=`).
fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "key",
        "token",
        "secret",
        "password",
        "auth",
        "signature",
        "sig",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// `uri` whole (scheme, authority, path, query), secret-looking query values masked: how a
/// replay recording names a request, and how a replayed request is looked up in it.
pub fn masked_url(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("http");
    let authority = uri.authority().map_or("", |a| a.as_str());
    format!("{scheme}://{authority}{}", masked_path(uri))
}

/// The path and query of `uri`, the values of secret-looking parameters replaced by `***`.
pub fn masked_path(uri: &http::Uri) -> String {
    let path = uri.path();
    let Some(query) = uri.query() else {
        return path.to_owned();
    };
    let masked: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_name(name) => format!("{name}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", masked.join("&"))
}
