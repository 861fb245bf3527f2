//! Pure provider clients: turn an operation into a plain request value and a
//! response into typed data or a typed error. No network, no web-sys, so
//! every rule of the provider documentation is a native unit test.

pub mod ilkbyte;
pub mod vpsorg;

use serde_json::Value;

use crate::model::{Account, Operation, ProviderKind, Server, Snapshot};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// A request to send, as plain data.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    /// Absolute upstream URL (the proxy prefix is added by `net`).
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

// Requests carry secrets (ilkbyte's query, VPS.org's bearer token): their
// debug form shows neither.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.url.split('?').next().unwrap_or_default();
        let headers: Vec<&str> = self.headers.iter().map(|(k, _)| *k).collect();
        write!(f, "{} {path} headers={headers:?}", self.method.as_str())
    }
}

/// A response as received: status, `Retry-After` if any, body bytes.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub retry_after: Option<u32>,
    pub body: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderError {
    /// The provider refused the credentials.
    Auth(String),
    /// The provider understood and said no, with its reason.
    Refused { status: u16, message: String },
    /// Too many requests; retry after this many seconds if given.
    RateLimited {
        retry_after: Option<u32>,
        message: String,
    },
    /// The provider failed (5xx).
    Server { status: u16, message: String },
    /// The answer is not what the provider documents.
    Malformed(String),
}

impl ProviderError {
    /// The error a non-2xx answer means, with the text its body carried.
    pub fn from_status(resp: &HttpResponse, message: String) -> ProviderError {
        match resp.status {
            401 | 403 => ProviderError::Auth(message),
            429 => ProviderError::RateLimited {
                retry_after: resp.retry_after,
                message,
            },
            s if s >= 500 => ProviderError::Server { status: s, message },
            s => ProviderError::Refused { status: s, message },
        }
    }

    pub fn message(&self) -> String {
        match self {
            ProviderError::Auth(m) | ProviderError::Malformed(m) => m.clone(),
            ProviderError::Refused { message, .. }
            | ProviderError::RateLimited { message, .. }
            | ProviderError::Server { message, .. } => message.clone(),
        }
    }

    pub fn retry_after(&self) -> Option<u32> {
        match self {
            ProviderError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// One page of a server list.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerPage {
    pub servers: Vec<Server>,
    pub total_pages: u32,
}

/// What one snapshot-list request covers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ListScope {
    /// ilkbyte lists one server's snapshots.
    Server(String),
    /// VPS.org lists every snapshot of the account at once.
    Account,
}

/// What a provider said when it accepted an operation.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Accepted {
    pub message: String,
    /// VPS.org answers a create with the new snapshot.
    pub snapshot: Option<Snapshot>,
    /// VPS.org answers a restore with the server's new status.
    pub server_status: Option<String>,
}

pub fn account_check_request(account: &Account) -> HttpRequest {
    match account.provider {
        ProviderKind::Ilkbyte => ilkbyte::account_check(account),
        ProviderKind::Vpsorg => vpsorg::account_check(account),
    }
}

/// Who the credentials belong to: ilkbyte's account name, VPS.org's e-mail.
pub fn parse_account_check(
    kind: ProviderKind,
    resp: &HttpResponse,
) -> Result<String, ProviderError> {
    match kind {
        ProviderKind::Ilkbyte => ilkbyte::parse_account_check(resp),
        ProviderKind::Vpsorg => vpsorg::parse_account_check(resp),
    }
}

/// `page` is 1-based; VPS.org has one page.
pub fn servers_request(account: &Account, page: u32) -> HttpRequest {
    match account.provider {
        ProviderKind::Ilkbyte => ilkbyte::servers(account, page),
        ProviderKind::Vpsorg => vpsorg::servers(account),
    }
}

pub fn parse_servers(kind: ProviderKind, resp: &HttpResponse) -> Result<ServerPage, ProviderError> {
    match kind {
        ProviderKind::Ilkbyte => ilkbyte::parse_servers(resp),
        ProviderKind::Vpsorg => vpsorg::parse_servers(resp),
    }
}

pub fn list_scopes(kind: ProviderKind, servers: &[Server]) -> Vec<ListScope> {
    match kind {
        ProviderKind::Ilkbyte => servers
            .iter()
            .map(|s| ListScope::Server(s.key.clone()))
            .collect(),
        ProviderKind::Vpsorg => vec![ListScope::Account],
    }
}

pub fn snapshots_request(account: &Account, scope: &ListScope) -> HttpRequest {
    match (account.provider, scope) {
        (ProviderKind::Ilkbyte, ListScope::Server(server)) => ilkbyte::snapshots(account, server),
        (ProviderKind::Ilkbyte, ListScope::Account) => ilkbyte::snapshots(account, ""),
        (ProviderKind::Vpsorg, ListScope::Server(server)) => {
            vpsorg::snapshots(account, Some(server))
        }
        (ProviderKind::Vpsorg, ListScope::Account) => vpsorg::snapshots(account, None),
    }
}

/// Snapshots keyed by the server they belong to.
pub fn parse_snapshots(
    kind: ProviderKind,
    scope: &ListScope,
    resp: &HttpResponse,
) -> Result<Vec<(String, Snapshot)>, ProviderError> {
    match (kind, scope) {
        (ProviderKind::Ilkbyte, ListScope::Server(server)) => Ok(ilkbyte::parse_snapshots(resp)?
            .into_iter()
            .map(|s| (server.clone(), s))
            .collect()),
        (ProviderKind::Ilkbyte, ListScope::Account) => Ok(Vec::new()),
        (ProviderKind::Vpsorg, _) => vpsorg::parse_snapshots(resp),
    }
}

/// `None` when the provider does not offer `op`.
pub fn operation_request(account: &Account, server: &str, op: &Operation) -> Option<HttpRequest> {
    match account.provider {
        ProviderKind::Ilkbyte => Some(ilkbyte::operation(account, server, op)),
        ProviderKind::Vpsorg => vpsorg::operation(account, server, op),
    }
}

pub fn parse_operation(kind: ProviderKind, resp: &HttpResponse) -> Result<Accepted, ProviderError> {
    match kind {
        ProviderKind::Ilkbyte => ilkbyte::parse_operation(resp),
        ProviderKind::Vpsorg => vpsorg::parse_operation(resp),
    }
}

/// The URL to fetch: the upstream URL itself, or behind a cors-anywhere
/// style prefix (`http://proxy/` + absolute URL).
pub fn proxied_url(proxy: &str, url: &str) -> String {
    let proxy = proxy.trim();
    if proxy.is_empty() {
        url.to_string()
    } else {
        format!("{}/{url}", proxy.trim_end_matches('/'))
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim().trim_end_matches('/'))
}

// Lenient field readers: providers send nulls, strings for numbers, and
// leave fields out. None of these panic.

pub(crate) fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => number_text(n),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A JSON number as text, without a float formatter (its code and tables
/// are several KB of the wasm): integers exactly; other numbers to six
/// decimals, trailing zeros left out, and past 10^12 with an exponent.
pub(crate) fn number_text(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_u64() {
        return i.to_string();
    }
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    let f = n.as_f64().unwrap_or_default();
    let (mut m, mut exp) = (f.abs(), 0u32);
    while m >= 1e12 {
        m /= 10.0;
        exp += 1;
    }
    let mut out = String::new();
    if exp > 0 {
        // Twelve digits and the exponent: the fraction is noise here.
        out += &(m.round() as u64).to_string();
        out.push('e');
        out += &exp.to_string();
    } else {
        // Below 10^18: within u64.
        let micros = (m * 1e6).round() as u64;
        out += &(micros / 1_000_000).to_string();
        let frac = micros % 1_000_000;
        if frac > 0 {
            let digits = (frac + 1_000_000).to_string();
            out.push('.');
            out += digits
                .strip_prefix('1')
                .unwrap_or(&digits)
                .trim_end_matches('0');
        }
    }
    if f < 0.0 && out != "0" {
        out.insert(0, '-');
    }
    out
}

pub(crate) fn number(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn flag(v: &Value, key: &str) -> bool {
    match v.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.as_str(), "true" | "1" | "yes"),
        Some(Value::Number(n)) => n.as_u64() == Some(1),
        _ => false,
    }
}

pub(crate) fn parse_json(resp: &HttpResponse) -> Option<Value> {
    serde_json::from_slice(&resp.body).ok()
}

/// The status line, for an error body that says nothing useful.
pub(crate) fn status_text(status: u16) -> String {
    let reason = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    format!("HTTP {status} {reason}").trim_end().to_string()
}

/// What Snapdeck's CORS proxy said when it answered a request itself
/// (`{"error": "...", "status": 403}`), whatever the bytes.
pub fn proxy_refusal(body: &[u8]) -> String {
    // Read as a Value, as provider bodies are: no decoder of its own.
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("error")?.as_str().map(String::from))
        .unwrap_or_else(|| crate::i18n::t().proxy_refused().inner().into())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_text_say_their_value() {
        let said = |json: &str| {
            let v: Value = serde_json::from_str(json).unwrap();
            text(&v, "n")
        };
        for (json, want) in [
            (r#"{"n":42}"#, "42"),
            (r#"{"n":-7}"#, "-7"),
            (r#"{"n":18446744073709551615}"#, "18446744073709551615"),
            (r#"{"n":12.5}"#, "12.5"),
            (r#"{"n":-3.25}"#, "-3.25"),
            (r#"{"n":0.1}"#, "0.1"),
            (r#"{"n":2.0}"#, "2"),
            (r#"{"n":0.0000004}"#, "0"),
            (r#"{"n":0.9999999}"#, "1"),
            (r#"{"n":-0.0}"#, "0"),
            (r#"{"n":-0.0000004}"#, "0"),
            (r#"{"n":1e20}"#, "100000000000e9"),
            (r#"{"n":-1.5e300}"#, "-150000000000e289"),
        ] {
            assert_eq!(said(json), want, "{json}");
        }
    }

    #[test]
    fn the_proxys_own_answer_is_read_whatever_the_bytes() {
        assert_eq!(
            proxy_refusal(
                br#"{"error":"upstream x is not on this proxy's allowlist","status":403}"#
            ),
            "upstream x is not on this proxy's allowlist"
        );
        assert_eq!(
            proxy_refusal(b"\xff\x00<html>"),
            "the proxy refused the request"
        );
        assert_eq!(proxy_refusal(b""), "the proxy refused the request");
    }

    /// A response as a provider would send it, for the clients' tests.
    pub(crate) fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn proxy_prefix_is_the_cors_anywhere_form() {
        assert_eq!(
            proxied_url(
                "http://127.0.0.1:8787/",
                "https://api.ilkbyte.com/account?x=1"
            ),
            "http://127.0.0.1:8787/https://api.ilkbyte.com/account?x=1"
        );
        assert_eq!(
            proxied_url("http://127.0.0.1:8787", "https://a/b"),
            "http://127.0.0.1:8787/https://a/b"
        );
        assert_eq!(proxied_url("  ", "https://a/b"), "https://a/b");
    }

    #[test]
    fn encoding_keeps_unreserved_only() {
        assert_eq!(encode("Ab9-_.~"), "Ab9-_.~");
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn lenient_readers() {
        let v: Value = serde_json::json!({"a": "12", "b": 7, "c": null, "d": true, "e": 3.0});
        assert_eq!(number(&v, "a"), Some(12));
        assert_eq!(number(&v, "b"), Some(7));
        assert_eq!(number(&v, "c"), None);
        assert_eq!(number(&v, "e"), Some(3));
        assert_eq!(text(&v, "b"), "7");
        assert_eq!(text(&v, "missing"), "");
        assert!(flag(&v, "d"));
        assert!(!flag(&v, "c"));
    }

    #[test]
    fn request_debug_hides_secrets() {
        let r = HttpRequest {
            method: Method::Get,
            url: "https://api.ilkbyte.com/account?access=AK&secret=SK".into(),
            headers: vec![("Authorization", "Bearer TOKEN".into())],
            body: None,
        };
        let shown = format!("{r:?}");
        assert!(!shown.contains("SK") && !shown.contains("TOKEN") && !shown.contains("AK"));
        assert!(shown.contains("GET https://api.ilkbyte.com/account"));
    }
}
