//! HTTP-level tests of the proxy's rules, against a local upstream.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap as AxumHeaders;
use axum::response::IntoResponse;
use axum::routing::{any, get};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderMap};
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use snapdeck_proxy::{Config, LogSink, Origins, Proxy, Upstream, serve};

const ORIGIN: &str = "http://panel.test";

/// A local upstream with the behaviours the proxy must cope with.
async fn upstream() -> SocketAddr {
    async fn echo(
        method: axum::http::Method,
        uri: axum::http::Uri,
        headers: AxumHeaders,
        body: Bytes,
    ) -> impl IntoResponse {
        let seen: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").into()))
            .collect();
        (
            [
                ("set-cookie", "session=abc"),
                ("access-control-allow-origin", "http://evil.test"),
                ("x-upstream", "yes"),
                ("retry-after", "3"),
            ],
            axum::Json(serde_json::json!({
                "method": method.as_str(), "query": uri.query(), "headers": seen, "body_len": body.len(),
            })),
        )
    }
    let app = Router::new()
        .route("/echo", any(echo))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                "late"
            }),
        )
        .route(
            "/redirect",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [("location", "http://elsewhere.test/next?secret=leak")],
                    "",
                )
            }),
        )
        .route(
            "/garbage",
            get(|| async { ([("content-type", "application/json")], "{\"status\": tru") }),
        )
        .route("/big", get(|| async { "x".repeat(100 * 1024) }))
        .route(
            "/not-modified",
            get(|| async { (StatusCode::NOT_MODIFIED, [("etag", "\"v1\"")]) }),
        )
        .route(
            "/trickle",
            get(|| async {
                // Headers at once, then a byte every 200 ms for 2 s.
                let chunks = futures_stream(20, Duration::from_millis(200), 1);
                axum::body::Body::from_stream(chunks)
            }),
        )
        .route(
            "/endless",
            get(|| async {
                // Chunked, 64 KiB a chunk, far over any cap.
                axum::body::Body::from_stream(futures_stream(400, Duration::ZERO, 64 * 1024))
            }),
        )
        .route(
            "/headers",
            get(|| async {
                (
                    [
                        ("location", "http://elsewhere.test/"),
                        ("refresh", "0; url=http://elsewhere.test/"),
                        ("set-cookie2", "a=b"),
                        ("x-frame-options", "DENY"),
                        ("content-language", "tr"),
                        ("x-snapdeck-proxy", "refused"),
                    ],
                    [("cache-control", "x".repeat(200 * 1024))],
                    "{}",
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// `n` chunks of `size` bytes, `every` apart.
fn futures_stream(
    n: usize,
    every: Duration,
    size: usize,
) -> impl futures_core::Stream<Item = Result<Bytes, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        for _ in 0..n {
            if !every.is_zero() {
                tokio::time::sleep(every).await;
            }
            if tx.send(Ok(Bytes::from(vec![b'x'; size]))).await.is_err() {
                return;
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

/// Sends raw bytes on a fresh connection and reads what comes back until
/// the proxy closes it or `wait` passes.
async fn raw(proxy: SocketAddr, bytes: &[u8], wait: Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(proxy).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

struct Harness {
    proxy: SocketAddr,
    upstream: SocketAddr,
    log: Arc<Mutex<Vec<u8>>>,
    client: Client<HttpConnector, Full<Bytes>>,
}

async fn start(tune: impl FnOnce(&mut Config)) -> Harness {
    let upstream = upstream().await;
    let mut config = Config {
        upstreams: vec![Upstream::parse(&format!("http://{upstream}")).unwrap()],
        origins: Origins::List(vec![ORIGIN.into()]),
        upstream_timeout: Duration::from_millis(500),
        ..Config::default()
    };
    tune(&mut config);
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink: LogSink = log.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    tokio::spawn(serve(
        listener,
        Proxy::new(config, Some(sink)),
        std::future::pending(),
        Duration::ZERO,
    ));
    Harness {
        proxy,
        upstream,
        log,
        client: Client::builder(TokioExecutor::new()).build_http(),
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

impl Harness {
    fn url(&self, path: &str) -> String {
        format!("http://{}/http://{}{path}", self.proxy, self.upstream)
    }

    async fn call(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = self
            .client
            .request(req.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.call("GET", &self.url(path), &[("origin", ORIGIN)], Vec::new())
            .await
    }

    fn log(&self) -> String {
        String::from_utf8(self.log.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test]
async fn forwards_with_cors_for_the_allowed_origin_only() {
    let h = start(|_| {}).await;
    let r = h
        .call(
            "GET",
            &h.url("/echo?x=1"),
            &[
                ("origin", ORIGIN),
                ("authorization", "Bearer t"),
                ("cookie", "mine=1"),
                ("referer", "http://panel.test/page"),
                ("connection", "x-private"),
                ("x-private", "hop"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    assert_eq!(r.headers[header::VARY], "Origin");
    assert!(
        r.headers[header::ACCESS_CONTROL_EXPOSE_HEADERS]
            .to_str()
            .unwrap()
            .contains("Retry-After")
    );
    assert!(
        r.headers.get(header::SET_COOKIE).is_none(),
        "cookies are stripped on the way back"
    );
    assert!(
        r.headers.get("x-upstream").is_none(),
        "only the response headers a panel needs pass"
    );
    let seen = r.json();
    assert_eq!(seen["query"], "x=1");
    let headers = &seen["headers"];
    assert_eq!(headers["authorization"], "Bearer t");
    for stripped in ["cookie", "origin", "referer", "x-private"] {
        assert!(
            headers.get(stripped).is_none(),
            "{stripped} reached the upstream"
        );
    }
    assert_eq!(headers["host"], h.upstream.to_string());
}

#[tokio::test]
async fn refuses_upstreams_off_the_allowlist() {
    let h = start(|_| {}).await;
    for url in [
        format!("http://{}/https://example.com/", h.proxy),
        format!("http://{}/http://127.0.0.1:1/echo", h.proxy),
        format!("http://{}/https://{}/echo", h.proxy, h.upstream),
        format!(
            "http://{}/http://169.254.169.254/latest/meta-data/",
            h.proxy
        ),
    ] {
        let r = h.call("GET", &url, &[("origin", ORIGIN)], Vec::new()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{url}");
        assert!(r.json()["error"].as_str().unwrap().contains("allowlist"));
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/json");
        // Marked as the proxy's own answer, readable by the panel.
        assert_eq!(r.headers["x-snapdeck-proxy"], "refused");
        assert!(
            r.headers[header::ACCESS_CONTROL_EXPOSE_HEADERS]
                .to_str()
                .unwrap()
                .contains("X-Snapdeck-Proxy")
        );
    }
    let r = h
        .call(
            "GET",
            &format!("http://{}/not-a-url", h.proxy),
            &[("origin", ORIGIN)],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn refuses_other_origins_and_requests_without_one() {
    let h = start(|_| {}).await;
    let r = h
        .call(
            "GET",
            &h.url("/echo"),
            &[("origin", "http://evil.test")],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert!(r.json()["error"].as_str().unwrap().contains("evil.test"));
    let r = h.call("GET", &h.url("/echo"), &[], Vec::new()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let open = start(|c| c.allow_no_origin = true).await;
    assert_eq!(
        open.call("GET", &open.url("/echo"), &[], Vec::new())
            .await
            .status,
        StatusCode::OK
    );
    let any = start(|c| c.origins = Origins::Any).await;
    let r = any
        .call(
            "GET",
            &any.url("/echo"),
            &[("origin", "http://else.test")],
            Vec::new(),
        )
        .await;
    assert_eq!(
        r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://else.test"
    );
}

#[tokio::test]
async fn a_preflight_to_an_unlisted_upstream_lets_the_refusal_be_read() {
    let h = start(|_| {}).await;
    let url = format!("http://{}/http://127.0.0.1:9/api/v1/account/me/", h.proxy);
    let r = h
        .call(
            "OPTIONS",
            &url,
            &[
                ("origin", ORIGIN),
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", "authorization"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    // The request itself is refused, readably, and goes nowhere.
    let r = h.call("GET", &url, &[("origin", ORIGIN)], Vec::new()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.headers["x-snapdeck-proxy"], "refused");
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
}

#[tokio::test]
async fn answers_preflights_itself() {
    let h = start(|_| {}).await;
    let r = h
        .call(
            "OPTIONS",
            &h.url("/echo"),
            &[
                ("origin", ORIGIN),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "authorization, content-type",
                ),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    assert_eq!(
        r.headers[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "Authorization, Content-Type"
    );
    assert!(
        r.headers[header::ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .unwrap()
            .contains("DELETE")
    );
    assert_eq!(r.headers[header::ACCESS_CONTROL_MAX_AGE], "600");
    assert!(
        !h.log().contains("/echo 200"),
        "the preflight never reached the upstream"
    );
}

#[tokio::test]
async fn methods_and_body_limits() {
    let h = start(|_| {}).await;
    let r = h
        .call("PUT", &h.url("/echo"), &[("origin", ORIGIN)], Vec::new())
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let r = h
        .call(
            "POST",
            &h.url("/echo"),
            &[("origin", ORIGIN)],
            vec![b'a'; 64 * 1024],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["body_len"], 64 * 1024);
    let r = h
        .call(
            "POST",
            &h.url("/echo"),
            &[("origin", ORIGIN)],
            vec![b'a'; 64 * 1024 + 1],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.json()["error"].as_str().unwrap().contains("65536"));
    let r = h
        .call("DELETE", &h.url("/echo"), &[("origin", ORIGIN)], Vec::new())
        .await;
    assert_eq!(r.json()["method"], "DELETE");
}

#[tokio::test]
async fn slow_down_and_redirecting_upstreams() {
    let h = start(|_| {}).await;
    let r = h.get("/slow").await;
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("did not answer")
    );
    assert_eq!(
        r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        ORIGIN,
        "the panel can read the reason"
    );

    let r = h.get("/redirect").await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    let msg = r.json()["error"].as_str().unwrap().to_string();
    assert!(msg.contains("does not follow redirects"), "{msg}");
    assert!(!msg.contains("leak"), "no query string in the message");

    // Garbage passes through untouched; the proxy is the messenger.
    let r = h.get("/garbage").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.body[..], b"{\"status\": tru");

    // An upstream that is down.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let down =
        start(|c| c.upstreams = vec![Upstream::parse(&format!("http://{closed}")).unwrap()]).await;
    let r = down
        .call(
            "GET",
            &format!("http://{}/http://{closed}/x", down.proxy),
            &[("origin", ORIGIN)],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("cannot connect")
    );

    // And the proxy is still up.
    assert_eq!(h.get("/echo").await.status, StatusCode::OK);
}

#[tokio::test]
async fn oversized_responses_are_refused() {
    let h = start(|c| c.max_response_body = 1024).await;
    let r = h.get("/big").await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("over 1024 bytes")
    );
    assert_eq!(h.get("/echo").await.status, StatusCode::OK);
}

#[tokio::test]
async fn rate_limit_per_client() {
    let h = start(|c| {
        c.rate_limit = 2;
        c.rate_burst = 2;
    })
    .await;
    assert_eq!(h.get("/echo").await.status, StatusCode::OK);
    assert_eq!(h.get("/echo").await.status, StatusCode::OK);
    let r = h.get("/echo").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers[header::RETRY_AFTER], "1");
    assert!(r.json()["error"].as_str().unwrap().contains("too many"));
}

#[tokio::test]
async fn secrets_never_reach_the_log() {
    let h = start(|_| {}).await;
    let url = h.url("/echo?access=AKEY123&secret=SUPERSECRET456&name=snap1");
    let r = h
        .call(
            "GET",
            &url,
            &[("origin", ORIGIN), ("authorization", "Bearer TOKEN789")],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["query"],
        "access=AKEY123&secret=SUPERSECRET456&name=snap1"
    );
    let log = h.log();
    assert!(log.contains("GET 127.0.0.1 /echo 200 "), "{log}");
    for secret in ["AKEY123", "SUPERSECRET456", "TOKEN789", "access=", "Bearer"] {
        assert!(!log.contains(secret), "log has {secret}: {log}");
    }
}

#[tokio::test]
async fn collapsed_scheme_slashes_are_accepted() {
    let h = start(|_| {}).await;
    let url = format!("http://{}/http:/{}/echo", h.proxy, h.upstream);
    let r = h.call("GET", &url, &[("origin", ORIGIN)], Vec::new()).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn graceful_shutdown_finishes_requests_under_way_then_stops() {
    let upstream = upstream().await;
    let config = Config {
        upstreams: vec![Upstream::parse(&format!("http://{upstream}")).unwrap()],
        origins: Origins::List(vec![ORIGIN.into()]),
        upstream_timeout: Duration::from_secs(10),
        ..Config::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(
        listener,
        Proxy::new(config, None),
        async move {
            let _ = stopped.await;
        },
        Duration::from_secs(10),
    ));
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let slow = tokio::spawn(
        client.request(
            Request::get(format!("http://{addr}/http://{upstream}/slow"))
                .header("origin", ORIGIN)
                .body(Full::new(Bytes::new()))
                .unwrap(),
        ),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.send(()).unwrap();
    let resp = slow
        .await
        .unwrap()
        .expect("the request under way is answered");
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"late");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("serve returns once the request is done")
        .unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}

// ---------------------------------------------------------------- abuse

#[tokio::test]
async fn a_slow_request_body_meets_the_request_deadline() {
    let h = start(|c| c.request_timeout = Duration::from_millis(600)).await;
    let started = std::time::Instant::now();
    let head = format!(
        "POST /http://{}/echo HTTP/1.1\r\nhost: x\r\norigin: {ORIGIN}\r\ncontent-length: 1000\r\n\r\nab",
        h.upstream
    );
    let reply = raw(h.proxy, head.as_bytes(), Duration::from_secs(5)).await;
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("did not arrive within"), "{reply}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(h.get("/echo").await.status, StatusCode::OK);
}

#[tokio::test]
async fn idle_and_silent_connections_are_closed_at_the_deadline() {
    let h = start(|c| c.request_timeout = Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    // Says nothing at all.
    let reply = raw(h.proxy, b"", Duration::from_secs(5)).await;
    assert!(started.elapsed() < Duration::from_secs(3), "{reply}");
    // Half a request line, then nothing.
    let started = std::time::Instant::now();
    raw(h.proxy, b"GET /http", Duration::from_secs(5)).await;
    assert!(started.elapsed() < Duration::from_secs(3));
    // One request, then idle on keep-alive.
    let req = format!(
        "GET /http://{}/echo HTTP/1.1\r\nhost: x\r\norigin: {ORIGIN}\r\n\r\n",
        h.upstream
    );
    let started = std::time::Instant::now();
    let reply = raw(h.proxy, req.as_bytes(), Duration::from_secs(5)).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "idle keep-alive closed"
    );
}

#[tokio::test]
async fn connections_are_capped_per_client_and_in_all() {
    let h = start(|c| c.max_connections_per_client = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(tokio::net::TcpStream::connect(h.proxy).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let reply = raw(h.proxy, b"", Duration::from_secs(2)).await;
    assert!(reply.starts_with("HTTP/1.1 429"), "{reply}");
    assert!(reply.contains("too many open connections"), "{reply}");
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(h.get("/echo").await.status, StatusCode::OK, "freed again");

    let all = start(|c| c.max_connections = 2).await;
    let _a = tokio::net::TcpStream::connect(all.proxy).await.unwrap();
    let _b = tokio::net::TcpStream::connect(all.proxy).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let reply = raw(all.proxy, b"", Duration::from_secs(2)).await;
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    assert!(reply.contains("\"status\":503"), "{reply}");
}

#[tokio::test]
async fn the_rate_limit_is_on_by_default() {
    let defaults = Config::default();
    assert!(defaults.rate_limit > 0);
    let h = start(|_| {}).await;
    let mut limited = 0;
    for _ in 0..200 {
        if h.get("/echo").await.status == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    assert!(limited >= 100, "{limited} of 200 rapid requests limited");
}

#[tokio::test]
async fn any_bytes_in_the_target_are_a_400_not_a_panic() {
    let h = start(|_| {}).await;
    for target in [
        "/http:\u{e9}?access=AKEY&secret=SKEY".as_bytes().to_vec(),
        "/https:/\u{e9}\u{e9}".as_bytes().to_vec(),
        b"/http:".to_vec(),
        b"/h\xff\xfe".to_vec(),
        "/\u{1F600}https://x".as_bytes().to_vec(),
    ] {
        let mut req = b"GET ".to_vec();
        req.extend_from_slice(&target);
        req.extend_from_slice(
            format!(" HTTP/1.1\r\nhost: x\r\norigin: {ORIGIN}\r\nconnection: close\r\n\r\n")
                .as_bytes(),
        );
        let reply = raw(h.proxy, &req, Duration::from_secs(3)).await;
        assert!(
            reply.starts_with("HTTP/1.1 400"),
            "{:?}: {reply}",
            String::from_utf8_lossy(&target)
        );
    }
    assert_eq!(h.get("/echo").await.status, StatusCode::OK);
    assert!(
        !h.log().contains("AKEY") && !h.log().contains("SKEY"),
        "{}",
        h.log()
    );
}

#[tokio::test]
async fn a_304_passes_as_a_304() {
    let h = start(|_| {}).await;
    let r = h.get("/not-modified").await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers[header::ETAG], "\"v1\"");
}

#[tokio::test]
async fn the_upstream_deadline_covers_the_body_and_the_log_tells_the_outcome() {
    let h = start(|c| c.upstream_timeout = Duration::from_millis(800)).await;
    let started = std::time::Instant::now();
    let r = h.get("/trickle").await;
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT, "{:?}", r.body);
    assert!(started.elapsed() < Duration::from_millis(1_800));
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("(headers and body)")
    );
    assert!(
        h.log().contains("GET 127.0.0.1 /trickle 504 "),
        "{}",
        h.log()
    );

    let capped = start(|c| {
        c.max_response_body = 1024 * 1024;
        c.upstream_timeout = Duration::from_secs(5);
    })
    .await;
    let r = capped.get("/endless").await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("over 1048576 bytes")
    );
    assert!(capped.log().contains("/endless 502 "), "{}", capped.log());
}

#[tokio::test]
async fn response_headers_pass_by_an_allowlist() {
    let h = start(|_| {}).await;
    let r = h.get("/headers").await;
    assert_eq!(r.status, StatusCode::OK);
    for gone in [
        "location",
        "refresh",
        "set-cookie2",
        "x-frame-options",
        "cache-control",
        // An upstream cannot pass its answer off as the proxy's.
        "x-snapdeck-proxy",
    ] {
        assert!(r.headers.get(gone).is_none(), "{gone} passed");
    }
    assert_eq!(r.headers[header::CONTENT_LANGUAGE], "tr");
    let echo = h.get("/echo").await;
    assert_eq!(echo.headers[header::RETRY_AFTER], "3");
    assert!(echo.headers.get("x-upstream").is_none());
    assert!(echo.headers.get("set-cookie").is_none());
}

#[test]
fn the_panic_report_never_carries_the_message() {
    use std::sync::Mutex as StdMutex;
    static SEEN: StdMutex<String> = StdMutex::new(String::new());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        *SEEN.lock().unwrap() = snapdeck_proxy::panic_report(info.location());
    }));
    let _ = std::panic::catch_unwind(|| {
        let q = String::from("access=AKEY&secret=SKEY");
        panic!("byte index 1 is not a char boundary in `{q}`");
    });
    std::panic::set_hook(previous);
    let seen = SEEN.lock().unwrap().clone();
    assert!(seen.contains("internal error at"), "{seen}");
    assert!(
        !seen.contains("AKEY") && !seen.contains("SKEY") && !seen.contains("boundary"),
        "{seen}"
    );
}
