//! snapdeck-proxy: a small CORS proxy that only reaches allowlisted
//! upstreams, only for allowlisted browser origins, and never logs a secret.
//!
//! Requests take the cors-anywhere form: `METHOD /<absolute upstream URL>`.

pub mod addr;

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};

/// What the proxy answers with: its own small JSON, or the upstream's body,
/// read whole (and capped) before anything is sent, so a body over the cap
/// or cut off is an error the client sees, not a silent truncation.
pub type ProxyBody = Full<Bytes>;

type Connector = hyper_rustls::HttpsConnector<HttpConnector<GuardedResolver>>;

/// One allowlisted upstream origin: exact scheme, host and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    pub scheme: String,
    pub host: String,
    pub port: u16,
}

impl Upstream {
    /// Parses `https://host[:port]` (a trailing `/` is allowed, a path is not).
    pub fn parse(s: &str) -> Result<Upstream, String> {
        let uri: Uri = s
            .trim()
            .parse()
            .map_err(|e| format!("{s:?} is not a URL: {e}"))?;
        let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        if path != "/" && !path.is_empty() {
            return Err(format!(
                "{s:?}: give an origin (scheme://host[:port]) without a path"
            ));
        }
        Upstream::of(&uri).ok_or_else(|| format!("{s:?}: use http:// or https:// and a host"))
    }

    fn of(uri: &Uri) -> Option<Upstream> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return None,
        };
        let authority = uri.authority()?;
        if authority.as_str().contains('@') {
            return None;
        }
        Some(Upstream {
            scheme,
            host: authority.host().to_ascii_lowercase(),
            port: uri.port_u16().unwrap_or(default_port),
        })
    }
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

pub const DEFAULT_UPSTREAMS: [&str; 2] = ["https://api.ilkbyte.com", "https://admin.vps.org"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origins {
    /// `*`, only when given explicitly.
    Any,
    List(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct Config {
    pub upstreams: Vec<Upstream>,
    pub origins: Origins,
    /// Serve requests without an `Origin` header (same-origin deployments,
    /// command-line clients). Off by default.
    pub allow_no_origin: bool,
    pub max_request_body: usize,
    pub max_response_body: usize,
    /// A client's whole request, headers and body; also how long an idle
    /// keep-alive connection may wait for its next request.
    pub request_timeout: Duration,
    /// A whole upstream exchange: connecting, headers and body.
    pub upstream_timeout: Duration,
    pub connect_timeout: Duration,
    /// Requests per second per client address; 0 for no limit.
    pub rate_limit: u32,
    /// Requests a client may send at once before the rate applies.
    pub rate_burst: u32,
    /// Open connections in all, and per client address.
    pub max_connections: usize,
    pub max_connections_per_client: usize,
    /// Take the client address from the last `X-Forwarded-For` hop (behind
    /// a reverse proxy).
    pub trust_forwarded_for: bool,
    pub preflight_max_age: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            upstreams: DEFAULT_UPSTREAMS
                .iter()
                .filter_map(|u| Upstream::parse(u).ok())
                .collect(),
            origins: Origins::List(Vec::new()),
            allow_no_origin: false,
            max_request_body: 64 * 1024,
            max_response_body: 8 * 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            upstream_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            rate_limit: 20,
            rate_burst: 40,
            max_connections: 768,
            max_connections_per_client: 64,
            trust_forwarded_for: false,
            preflight_max_age: 600,
        }
    }
}

/// Where request log lines go.
pub type LogSink = Arc<Mutex<dyn Write + Send>>;

/// The refusal a resolver gives for a name that leads to a forbidden address.
#[derive(Debug)]
struct ForbiddenAddress(String);

impl std::fmt::Display for ForbiddenAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves to a private or reserved address", self.0)
    }
}

impl std::error::Error for ForbiddenAddress {}

/// Resolves upstream names, refusing any that lead to a private, loopback,
/// link-local or metadata address. Checked at connect time, so a name that
/// changes its answer (DNS rebinding) cannot slip past. An allowlisted IP
/// literal is never resolved: the operator named that address on purpose.
#[derive(Clone, Default)]
struct GuardedResolver {
    /// Allowlisted upstream hosts named `localhost`.
    exempt: Arc<Vec<String>>,
}

impl tower_service::Service<Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, io::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let host = name.as_str().to_string();
        let exempt = self.exempt.contains(&host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !exempt && addrs.iter().any(|a| addr::is_forbidden(a.ip())) {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    ForbiddenAddress(host),
                ));
            }
            Ok(addrs.into_iter())
        })
    }
}

/// Per-client rate limits (GCRA), keyed by address.
struct Limiter {
    keyed: DefaultKeyedRateLimiter<IpAddr>,
    clock: governor::clock::DefaultClock,
    checks: std::sync::atomic::AtomicU32,
}

impl Limiter {
    fn new(rate: u32, burst: u32) -> Option<Limiter> {
        let rate = NonZeroU32::new(rate)?;
        let burst = NonZeroU32::new(burst.max(rate.get())).unwrap_or(rate);
        Some(Limiter {
            keyed: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            clock: governor::clock::DefaultClock::default(),
            checks: std::sync::atomic::AtomicU32::new(0),
        })
    }

    /// `Err(seconds)` to wait when the client is over its rate.
    fn check(&self, ip: IpAddr) -> Result<(), u64> {
        use governor::clock::Clock;
        // Forget clients whose buckets are full again, now and then.
        if self
            .checks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .is_multiple_of(4096)
        {
            self.keyed.retain_recent();
        }
        self.keyed.check_key(&ip).map_err(|not_until| {
            not_until
                .wait_time_from(self.clock.now())
                .as_secs_f64()
                .ceil()
                .max(1.0) as u64
        })
    }
}

/// Marks an answer the proxy makes itself.
pub const REFUSAL_HEADER: HeaderName = HeaderName::from_static("x-snapdeck-proxy");

/// An answer the proxy makes itself.
struct Refusal {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
            retry_after: None,
        }
    }
}

pub struct Proxy {
    config: Config,
    client: Client<Connector, Full<Bytes>>,
    limiter: Option<Limiter>,
    log: Option<LogSink>,
}

const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Headers that never cross the proxy, either way, besides hop-by-hop ones.
fn is_stripped(name: &HeaderName, connection: &[String]) -> bool {
    let n = name.as_str();
    HOP_BY_HOP.contains(&n)
        || connection.iter().any(|c| c == n)
        || matches!(
            n,
            "cookie"
                | "set-cookie"
                | "host"
                | "origin"
                | "referer"
                | "content-length"
                | "forwarded"
                | "x-forwarded-for"
                | "x-forwarded-host"
                | "x-forwarded-proto"
        )
        || n.starts_with("access-control-")
}

fn connection_tokens(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The upstream response headers a panel needs; nothing else crosses
/// (no `Location`, `Refresh`, cookies of any kind, CORS of the upstream's).
const RESPONSE_HEADERS: [HeaderName; 10] = [
    header::CONTENT_TYPE,
    header::CONTENT_ENCODING,
    header::CONTENT_LANGUAGE,
    header::CACHE_CONTROL,
    header::EXPIRES,
    header::LAST_MODIFIED,
    header::ETAG,
    header::DATE,
    header::AGE,
    header::RETRY_AFTER,
];

/// A longer response header value is dropped.
pub const MAX_RESPONSE_HEADER: usize = 4 * 1024;

fn copy_response_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for name in RESPONSE_HEADERS {
        for value in from.get_all(&name) {
            if value.len() <= MAX_RESPONSE_HEADER {
                to.append(name.clone(), value.clone());
            }
        }
    }
}

/// Request headers pass unless hop-by-hop, cookies, or about the client.
fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    let connection = connection_tokens(from);
    for (name, value) in from {
        if !is_stripped(name, &connection) {
            to.append(name.clone(), value.clone());
        }
    }
}

/// The upstream URL in a `/<absolute URL>` request target.
pub fn parse_target(uri: &Uri) -> Option<Uri> {
    target(uri).ok()
}

fn target(uri: &Uri) -> Result<Uri, Refusal> {
    let pq = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut raw = pq.strip_prefix('/').unwrap_or(pq).to_string();
    // Some clients collapse `//` in paths: accept `https:/host`. Compared
    // as bytes: whatever the client sent, nothing here can panic.
    for scheme in ["http:/", "https:/"] {
        let bytes = raw.as_bytes();
        if bytes.len() > scheme.len()
            && bytes[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
            && bytes[scheme.len()] != b'/'
        {
            // The prefix is ASCII, so this is a character boundary.
            raw.insert(scheme.len(), '/');
        }
    }
    let bad = || {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "expected /<absolute http(s) URL of an allowed upstream>, e.g. /https://api.ilkbyte.com/account",
        )
    };
    let parsed: Uri = raw.parse().map_err(|_| bad())?;
    if parsed.scheme().is_none() || parsed.authority().is_none() {
        return Err(bad());
    }
    Ok(parsed)
}

fn json_body(status: StatusCode, message: &str) -> Full<Bytes> {
    let body = serde_json::json!({"error": message, "status": status.as_u16()});
    Full::new(Bytes::from(body.to_string()))
}

impl Proxy {
    pub fn new(config: Config, log: Option<LogSink>) -> Arc<Proxy> {
        let exempt: Vec<String> = config
            .upstreams
            .iter()
            .filter(|u| u.host == "localhost")
            .map(|u| u.host.clone())
            .collect();
        let mut http = HttpConnector::new_with_resolver(GuardedResolver {
            exempt: Arc::new(exempt),
        });
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(256)
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .build(https);
        let limiter = Limiter::new(config.rate_limit, config.rate_burst);
        Arc::new(Proxy {
            config,
            client,
            limiter,
            log,
        })
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        match &self.config.origins {
            Origins::Any => true,
            Origins::List(list) => list.iter().any(|o| o == origin),
        }
    }

    fn client_ip(&self, req: &Request<Incoming>, peer: SocketAddr) -> IpAddr {
        if self.config.trust_forwarded_for {
            let last = req
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = last {
                return ip;
            }
        }
        peer.ip()
    }

    /// Answers one request.
    pub async fn handle(&self, req: Request<Incoming>, peer: SocketAddr) -> Response<ProxyBody> {
        let start = Instant::now();
        let method = req.method().clone();
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let allowed_origin = origin.clone().filter(|o| self.origin_allowed(o));
        let upstream = target(req.uri()).ok();
        let (log_host, log_path) = match &upstream {
            Some(u) => (u.host().unwrap_or("-").to_string(), u.path().to_string()),
            None => ("-".to_string(), "-".to_string()),
        };
        let client_ip = self.client_ip(&req, peer);
        let mut resp = match self.respond(req, origin.as_deref(), client_ip, start).await {
            Ok(resp) => resp,
            Err(refusal) => {
                let mut resp = Response::new(json_body(refusal.status, &refusal.message));
                *resp.status_mut() = refusal.status;
                resp.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                // Tells the panel that the proxy answered, not the provider:
                // an upstream's own headers never carry it (allowlist).
                resp.headers_mut()
                    .insert(REFUSAL_HEADER, HeaderValue::from_static("refused"));
                if let Some(secs) = refusal.retry_after {
                    resp.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                }
                resp
            }
        };
        let headers = resp.headers_mut();
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        if let Some(o) = allowed_origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("Retry-After, X-Snapdeck-Proxy"),
            );
        }
        if let Some(log) = &self.log {
            // Method, upstream host, path, status, latency: never the query
            // string (ilkbyte keys travel there), never a header value.
            let line = format!(
                "{method} {log_host} {log_path} {} {:.1}ms\n",
                resp.status().as_u16(),
                start.elapsed().as_secs_f64() * 1000.0
            );
            let mut sink = log.lock().unwrap_or_else(|e| e.into_inner());
            let _ = sink.write_all(line.as_bytes());
        }
        resp
    }

    async fn respond(
        &self,
        req: Request<Incoming>,
        origin: Option<&str>,
        client_ip: IpAddr,
        start: Instant,
    ) -> Result<Response<ProxyBody>, Refusal> {
        match origin {
            Some(o) if !self.origin_allowed(o) => {
                return Err(Refusal::new(
                    StatusCode::FORBIDDEN,
                    format!("origin {o} is not allowed by this proxy"),
                ));
            }
            None if !self.config.allow_no_origin => {
                return Err(Refusal::new(
                    StatusCode::FORBIDDEN,
                    "requests without an Origin header are refused by this proxy",
                ));
            }
            _ => {}
        }
        if let Some(limiter) = &self.limiter
            && let Err(wait) = limiter.check(client_ip)
        {
            return Err(Refusal {
                status: StatusCode::TOO_MANY_REQUESTS,
                message: format!("too many requests from this client; retry in {wait} s"),
                retry_after: Some(wait),
            });
        }
        let method = req.method().clone();
        if !matches!(
            method,
            Method::GET | Method::POST | Method::DELETE | Method::OPTIONS
        ) {
            return Err(Refusal::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("method {method} is not proxied (GET, POST, DELETE only)"),
            ));
        }
        let uri = target(req.uri())?;
        let upstream = Upstream::of(&uri).ok_or_else(|| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "the upstream must be an http(s) URL without credentials",
            )
        })?;
        // A preflight is answered whatever the upstream: it reaches no
        // upstream, and lets the browser send the request whose refusal
        // (below) the panel can then read and explain.
        if method == Method::OPTIONS {
            return Ok(self.preflight());
        }
        if !self.config.upstreams.contains(&upstream) {
            return Err(Refusal::new(
                StatusCode::FORBIDDEN,
                format!("upstream {upstream} is not on this proxy's allowlist"),
            ));
        }
        let too_big = || {
            Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body over {} bytes", self.config.max_request_body),
            )
        };
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.config.max_request_body as u64) {
            return Err(too_big());
        }
        // The body within what is left of the request's deadline: a client
        // trickling its body holds a connection for that long at most.
        let (parts, body) = req.into_parts();
        let left = self.config.request_timeout.saturating_sub(start.elapsed());
        let body = match tokio::time::timeout(
            left,
            Limited::new(body, self.config.max_request_body).collect(),
        )
        .await
        {
            Err(_) => {
                return Err(Refusal::new(
                    StatusCode::REQUEST_TIMEOUT,
                    format!(
                        "the request body did not arrive within {} s",
                        self.config.request_timeout.as_secs_f64()
                    ),
                ));
            }
            Ok(Err(_)) => return Err(too_big()),
            Ok(Ok(b)) => b.to_bytes(),
        };

        let mut out = Request::builder()
            .method(parts.method)
            .uri(uri)
            .body(Full::new(body))
            .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, format!("cannot forward: {e}")))?;
        copy_headers(&parts.headers, out.headers_mut());

        // One deadline for the whole exchange: connect, headers and body.
        let exchange =
            tokio::time::timeout(self.config.upstream_timeout, self.exchange(out, &upstream)).await;
        let (parts, body) = match exchange {
            Err(_) => {
                return Err(Refusal::new(
                    StatusCode::GATEWAY_TIMEOUT,
                    format!(
                        "{upstream} did not answer within {} s (headers and body)",
                        self.config.upstream_timeout.as_secs_f64()
                    ),
                ));
            }
            Ok(result) => result?,
        };
        let mut resp = Response::new(Full::new(body));
        *resp.status_mut() = parts.status;
        copy_response_headers(&parts.headers, resp.headers_mut());
        Ok(resp)
    }

    /// Sends `out` and reads the whole answer, within the body cap.
    async fn exchange(
        &self,
        out: Request<Full<Bytes>>,
        upstream: &Upstream,
    ) -> Result<(hyper::http::response::Parts, Bytes), Refusal> {
        let resp = self
            .client
            .request(out)
            .await
            .map_err(|e| upstream_failure(upstream, &e))?;
        // Redirects are not followed, and not passed on (they would take the
        // browser elsewhere with its request). Other 3xx, such as 304 Not
        // Modified, are answers like any other.
        if matches!(resp.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
            let to = resp
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("(no location)");
            let to = to.split('?').next().unwrap_or(to);
            return Err(Refusal::new(
                StatusCode::BAD_GATEWAY,
                format!(
                    "{upstream} answered with a redirect ({}) to {to}; the proxy does not follow redirects",
                    resp.status().as_u16()
                ),
            ));
        }
        let cap = self.config.max_response_body;
        let over = || {
            Refusal::new(
                StatusCode::BAD_GATEWAY,
                format!("{upstream} sent a response over {cap} bytes"),
            )
        };
        let declared = resp
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > cap as u64) {
            return Err(over());
        }
        let (parts, body) = resp.into_parts();
        let body = Limited::new(body, cap).collect().await.map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                over()
            } else {
                Refusal::new(
                    StatusCode::BAD_GATEWAY,
                    format!("{upstream} broke off its answer: {e}"),
                )
            }
        })?;
        Ok((parts, body.to_bytes()))
    }

    fn preflight(&self) -> Response<ProxyBody> {
        let mut resp = Response::new(Full::new(Bytes::new()));
        *resp.status_mut() = StatusCode::NO_CONTENT;
        let h = resp.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, DELETE"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from(self.config.preflight_max_age),
        );
        resp
    }
}

fn upstream_failure(upstream: &Upstream, e: &hyper_util::client::legacy::Error) -> Refusal {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(forbidden) = inner.downcast_ref::<ForbiddenAddress>()
        {
            return Refusal::new(StatusCode::FORBIDDEN, format!("refused: {forbidden}"));
        }
        source = err.source();
    }
    if e.is_connect() {
        let mut detail = String::new();
        let mut source = std::error::Error::source(e);
        while let Some(err) = source {
            detail = err.to_string();
            source = err.source();
        }
        Refusal::new(
            StatusCode::BAD_GATEWAY,
            format!("cannot connect to {upstream}: {detail}"),
        )
    } else {
        Refusal::new(
            StatusCode::BAD_GATEWAY,
            format!("{upstream} broke off the exchange: {e}"),
        )
    }
}

/// Open connections, in all and per client address.
struct Connections {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
}

/// One open connection, counted until dropped.
struct Slot {
    conns: Arc<Mutex<Connections>>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.per_client.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                c.per_client.remove(&self.ip);
            }
        }
    }
}

/// Counts a new connection from `ip`, or says why it is turned away.
fn admit(
    conns: &Arc<Mutex<Connections>>,
    ip: IpAddr,
    config: &Config,
) -> Result<Slot, (StatusCode, &'static str)> {
    let mut c = conns.lock().unwrap_or_else(|e| e.into_inner());
    if c.total >= config.max_connections {
        return Err((
            StatusCode::SERVICE_UNAVAILABLE,
            "the proxy is at its connection limit; retry shortly",
        ));
    }
    // Behind a reverse proxy every connection comes from it: the per-client
    // cap would then cap everyone at once.
    let per_client = c.per_client.get(&ip).copied().unwrap_or(0);
    if !config.trust_forwarded_for && per_client >= config.max_connections_per_client {
        return Err((
            StatusCode::TOO_MANY_REQUESTS,
            "too many open connections from this client",
        ));
    }
    c.total += 1;
    *c.per_client.entry(ip).or_insert(0) += 1;
    Ok(Slot {
        conns: conns.clone(),
        ip,
    })
}

/// Answers a connection over a cap with a short JSON error and closes it,
/// without reading anything from it.
async fn turn_away(mut stream: tokio::net::TcpStream, status: StatusCode, message: &str) {
    use tokio::io::AsyncWriteExt;
    let body = serde_json::json!({"error": message, "status": status.as_u16()}).to_string();
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

/// Serves connections from `listener` until `shutdown` completes, then
/// waits up to `grace` for the requests under way.
pub async fn serve(
    listener: tokio::net::TcpListener,
    proxy: Arc<Proxy>,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let conns = Arc::new(Mutex::new(Connections {
        total: 0,
        per_client: HashMap::new(),
    }));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of descriptors and the like: wait a moment, go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let slot = match admit(&conns, peer.ip(), &proxy.config) {
            Ok(slot) => slot,
            Err((status, message)) => {
                tokio::spawn(turn_away(stream, status, message));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let handler = proxy.clone();
        let service = hyper::service::service_fn(move |req| {
            let proxy = handler.clone();
            async move { Ok::<_, Infallible>(proxy.handle(req, peer).await) }
        });
        // The header deadline also closes a keep-alive connection that waits
        // this long for its next request.
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(proxy.config.request_timeout)
            .max_buf_size(64 * 1024)
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    let _ = tokio::time::timeout(grace, graceful.shutdown()).await;
}

/// What the panic hook prints: where, never what. A panic's message can
/// quote the data it choked on (a request's query holds ilkbyte's keys).
pub fn panic_report(location: Option<&std::panic::Location<'_>>) -> String {
    match location {
        Some(l) => format!(
            "snapdeck-proxy: internal error at {}:{} (details withheld: they may hold request data)",
            l.file(),
            l.line()
        ),
        None => "snapdeck-proxy: internal error (details withheld)".to_string(),
    }
}

/// Installs a panic hook that prints `panic_report` only.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("{}", panic_report(info.location()));
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_service::Service;

    #[tokio::test]
    async fn the_resolver_refuses_names_that_lead_to_private_addresses() {
        let mut guarded = GuardedResolver::default();
        let name: Name = "localhost".parse().unwrap();
        let err = guarded.call(name.clone()).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert!(err.get_ref().unwrap().is::<ForbiddenAddress>());
        let mut exempt = GuardedResolver {
            exempt: Arc::new(vec!["localhost".into()]),
        };
        assert!(exempt.call(name).await.unwrap().next().is_some());
    }

    #[tokio::test]
    async fn a_refused_name_becomes_a_403_not_a_502() {
        let mut http = HttpConnector::new_with_resolver(GuardedResolver::default());
        http.enforce_http(false);
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(http);
        let err = client
            .request(
                Request::get("http://localhost:9/")
                    .body(Full::new(Bytes::new()))
                    .unwrap(),
            )
            .await
            .unwrap_err();
        let upstream = Upstream::parse("http://localhost:9").unwrap();
        let refusal = upstream_failure(&upstream, &err);
        assert_eq!(refusal.status, StatusCode::FORBIDDEN);
        assert!(refusal.message.contains("private"), "{}", refusal.message);
    }

    #[test]
    fn upstream_origins_parse_exactly() {
        let u = Upstream::parse("https://API.ilkbyte.com/").unwrap();
        assert_eq!(
            u,
            Upstream {
                scheme: "https".into(),
                host: "api.ilkbyte.com".into(),
                port: 443
            }
        );
        assert_eq!(Upstream::parse("http://127.0.0.1:8790").unwrap().port, 8790);
        assert!(Upstream::parse("https://a.example/path").is_err());
        assert!(Upstream::parse("ftp://a.example").is_err());
        assert!(Upstream::parse("https://user@a.example").is_err());
    }

    #[test]
    fn targets_in_both_prefix_forms() {
        let t = target(&"/https://api.ilkbyte.com/account?access=a".parse().unwrap())
            .ok()
            .unwrap();
        assert_eq!(t.host(), Some("api.ilkbyte.com"));
        assert_eq!(t.query(), Some("access=a"));
        let collapsed = target(&"/https:/api.ilkbyte.com/account".parse().unwrap())
            .ok()
            .unwrap();
        assert_eq!(collapsed.host(), Some("api.ilkbyte.com"));
        assert!(target(&"/account".parse().unwrap()).is_err());
        assert!(target(&"/".parse().unwrap()).is_err());
    }
}
