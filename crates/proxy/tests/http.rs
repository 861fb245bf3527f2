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
        .route("/big", get(|| async { "x".repeat(100 * 1024) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
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
    assert_eq!(r.headers["x-upstream"], "yes");
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
    let h = start(|c| c.rate_limit = 2).await;
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
