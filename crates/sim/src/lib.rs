//! snapdeck-sim: behaves like the ilkbyte and VPS.org snapshot APIs, so the
//! panel can be tried, and tested, without a provider account.
//!
//! Written from the provider documentation alone; it shares no types with the
//! panel, so a field one side misreads shows up as a failing test.

pub mod data;
pub mod ilkbyte;
pub mod timing;
pub mod vpsorg;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use data::Scale;
pub use timing::{OpKind, Timing};

/// Largest request body the simulator reads.
const BODY_LIMIT: usize = 1 << 20;
/// How many recent requests `/__sim/stats` remembers.
const RECENT: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Ilkbyte,
    Vpsorg,
}

/// Faults injected into provider responses. All off by default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every provider response.
    pub latency_ms: u64,
    /// Share of requests answered with a 500.
    pub error_rate: f64,
    /// Share of requests that hang for `hang_seconds` (past any client timeout).
    pub hang_rate: f64,
    pub hang_seconds: u64,
    /// Share of responses whose JSON body is malformed or truncated.
    pub garbage_rate: f64,
    /// Requests per second per provider before answering 429; 0 is no limit.
    pub rate_limit: u32,
    /// Limit the faults to one provider; both when absent.
    pub only: Option<Provider>,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            latency_ms: 0,
            error_rate: 0.0,
            hang_rate: 0.0,
            hang_seconds: 120,
            garbage_rate: 0.0,
            rate_limit: 0,
            only: None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    /// How long an operation stays in flight before the lists show it done.
    pub timing: Timing,
    /// Generated data; the hand-written demo set when `None`.
    pub scale: Option<Scale>,
    /// Servers per page of ilkbyte's `/server/list`.
    pub page_size: usize,
    pub cors_ilkbyte: bool,
    pub cors_vpsorg: bool,
    pub faults: Faults,
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            timing: Timing::Realistic { scale: 1.0 },
            scale: None,
            page_size: 25,
            cors_ilkbyte: false,
            cors_vpsorg: false,
            faults: Faults::default(),
            seed: 1,
        }
    }
}

/// SplitMix64: tiny, and deterministic for a given `--seed`.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Default, Serialize)]
struct Stats {
    ilkbyte: u64,
    vpsorg: u64,
    /// "METHOD /path" of recent provider requests, oldest first. Never the
    /// query string: ilkbyte keys travel there.
    recent: VecDeque<String>,
    /// Operations accepted, with when the lists show them done.
    operations: VecDeque<OpRecord>,
}

/// One accepted operation: what, on which snapshot (or server), and when
/// the provider's lists show it done (Unix ms).
#[derive(Serialize)]
struct OpRecord {
    provider: Provider,
    op: OpKind,
    target: String,
    accepted_ms: u64,
    done_ms: u64,
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Books operations at `provider`: draws each one's duration and records
/// when it will be done.
fn booker<'a>(
    rng: &'a mut Rng,
    stats: &'a mut Stats,
    timing: &'a Timing,
    provider: Provider,
) -> impl FnMut(OpKind, &str, Option<Duration>) -> Duration + 'a {
    move |op, target, fixed| schedule(rng, stats, timing, provider, op, target, fixed)
}

/// Draws an operation's duration and records when it will be done.
fn schedule(
    rng: &mut Rng,
    stats: &mut Stats,
    timing: &Timing,
    provider: Provider,
    op: OpKind,
    target: &str,
    fixed: Option<Duration>,
) -> Duration {
    let d = fixed.unwrap_or_else(|| timing.duration(op, rng.next_f64()));
    let now = unix_ms();
    stats.operations.push_back(OpRecord {
        provider,
        op,
        target: target.to_string(),
        accepted_ms: now,
        done_ms: now + d.as_millis() as u64,
    });
    if stats.operations.len() > RECENT {
        stats.operations.pop_front();
    }
    d
}

struct RateWindow {
    start: Instant,
    count: u32,
}

struct World {
    ilkbyte: ilkbyte::World,
    vpsorg: vpsorg::World,
    faults: Faults,
    rng: Rng,
    stats: Stats,
    windows: HashMap<Provider, RateWindow>,
}

/// The simulator: configuration plus all provider state, shared by handlers.
pub struct Sim {
    config: Config,
    world: Mutex<World>,
}

impl Sim {
    pub fn new(config: Config) -> Arc<Sim> {
        let world = Mutex::new(Sim::fresh_world(&config));
        Arc::new(Sim { config, world })
    }

    fn fresh_world(config: &Config) -> World {
        World {
            ilkbyte: data::ilkbyte_world(config.scale, config.page_size),
            vpsorg: data::vpsorg_world(config.scale, &config.timing),
            faults: config.faults.clone(),
            rng: Rng(config.seed),
            stats: Stats::default(),
            windows: HashMap::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, World> {
        // A handler never panics while holding the lock; if one did, the data
        // is still consistent enough for a simulator to go on.
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cors(&self, provider: Provider) -> bool {
        match provider {
            Provider::Ilkbyte => self.config.cors_ilkbyte,
            Provider::Vpsorg => self.config.cors_vpsorg,
        }
    }
}

/// The whole simulator as an axum router.
pub fn router(sim: Arc<Sim>) -> Router {
    let ilkbyte = Router::new()
        .route("/ilkbyte", any(ilkbyte_handler))
        .route("/ilkbyte/", any(ilkbyte_handler))
        .route("/ilkbyte/{*rest}", any(ilkbyte_handler))
        .layer(middleware::from_fn_with_state(
            (sim.clone(), Provider::Ilkbyte),
            provider_layer,
        ));
    let vpsorg = Router::new()
        .route("/vpsorg/api/v1/{*rest}", any(vpsorg_handler))
        .layer(middleware::from_fn_with_state(
            (sim.clone(), Provider::Vpsorg),
            provider_layer,
        ));
    let control = Router::new()
        .route("/", get(index))
        .route("/__sim/stats", get(stats))
        .route("/__sim/reset", post(reset))
        .route("/__sim/churn", post(churn))
        .route("/__sim/rename", post(rename))
        .route("/__sim/faults", get(get_faults).put(put_faults));
    ilkbyte.merge(vpsorg).merge(control).with_state(sim)
}

async fn index() -> Response {
    axum::Json(json!({
        "service": "snapdeck-sim",
        "ilkbyte": {"base_url": "/ilkbyte", "access": data::ILKBYTE_ACCESS, "secret": data::ILKBYTE_SECRET},
        "vpsorg": {"base_url": "/vpsorg/api/v1", "token": data::VPSORG_TOKEN},
        "control": ["GET /__sim/stats", "POST /__sim/reset", "POST /__sim/churn", "POST /__sim/rename", "GET|PUT /__sim/faults"],
    }))
    .into_response()
}

async fn stats(State(sim): State<Arc<Sim>>) -> Response {
    let world = sim.lock();
    axum::Json(json!(world.stats)).into_response()
}

async fn reset(State(sim): State<Arc<Sim>>) -> Response {
    *sim.lock() = Sim::fresh_world(&sim.config);
    StatusCode::NO_CONTENT.into_response()
}

/// Replaces every snapshot of both providers with a new one (new key, new
/// name), as rotation does over time: for memory tests of a panel left open.
async fn churn(State(sim): State<Arc<Sim>>) -> Response {
    let mut world = sim.lock();
    world.ilkbyte.churn();
    world.vpsorg.churn();
    StatusCode::NO_CONTENT.into_response()
}

/// Renames VPS.org snapshots, as its web console can (with letters its API
/// refuses, such as Turkish ones): `{"from": "staging-clean", "to":
/// "İstanbulYedek"}`. Answers how many were renamed.
async fn rename(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    #[derive(serde::Deserialize)]
    struct Rename {
        from: String,
        to: String,
    }
    let Ok(r) = serde_json::from_slice::<Rename>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "expected {\"from\": name, \"to\": name}"})),
        )
            .into_response();
    };
    let mut world = sim.lock();
    let mut renamed = 0;
    for s in world
        .vpsorg
        .snapshots
        .iter_mut()
        .filter(|s| s.name == r.from)
    {
        s.name = r.to.clone();
        renamed += 1;
    }
    axum::Json(json!({ "renamed": renamed })).into_response()
}

async fn get_faults(State(sim): State<Arc<Sim>>) -> Response {
    axum::Json(json!(sim.lock().faults)).into_response()
}

async fn put_faults(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            sim.lock().faults = faults.clone();
            axum::Json(json!(faults)).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": format!("invalid faults: {e}")})),
        )
            .into_response(),
    }
}

enum Fault {
    None,
    RateLimited { retry_after: u64 },
    ServerError,
    Hang(Duration),
    Garbage { truncate: bool },
}

/// Everything providers share: request counting, CORS, fault injection.
async fn provider_layer(
    State((sim, provider)): State<(Arc<Sim>, Provider)>,
    req: Request,
    next: Next,
) -> Response {
    let cors = sim.cors(provider);
    if cors && req.method() == Method::OPTIONS {
        let mut resp = StatusCode::NO_CONTENT.into_response();
        add_cors(resp.headers_mut());
        return resp;
    }
    let (fault, latency) = {
        let mut world = sim.lock();
        let line = format!("{} {}", req.method(), req.uri().path());
        match provider {
            Provider::Ilkbyte => world.stats.ilkbyte += 1,
            Provider::Vpsorg => world.stats.vpsorg += 1,
        }
        world.stats.recent.push_back(line);
        if world.stats.recent.len() > RECENT {
            world.stats.recent.pop_front();
        }
        decide_fault(&mut world, provider)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut resp = match fault {
        Fault::None => next.run(req).await,
        Fault::RateLimited { retry_after } => {
            let body = match provider {
                Provider::Ilkbyte => {
                    json!({"status": false, "message": "", "error": "Too many requests!", "data": null})
                }
                Provider::Vpsorg => {
                    json!({"detail": format!("Request was throttled. Expected available in {retry_after} seconds.")})
                }
            };
            let mut resp = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            resp
        }
        Fault::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/html")],
            "<h1>Server Error (500)</h1>",
        )
            .into_response(),
        Fault::Hang(d) => {
            tokio::time::sleep(d).await;
            next.run(req).await
        }
        Fault::Garbage { truncate } => {
            let resp = next.run(req).await;
            let (parts, body) = resp.into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            let bad: Vec<u8> = if truncate {
                bytes[..bytes.len() / 2].to_vec()
            } else {
                b"{\"status\": tru, \"data\": [}".to_vec()
            };
            let mut resp = Response::from_parts(parts, Body::from(bad));
            resp.headers_mut().remove(header::CONTENT_LENGTH);
            resp
        }
    };
    if cors {
        add_cors(resp.headers_mut());
    }
    resp
}

fn decide_fault(world: &mut World, provider: Provider) -> (Fault, Duration) {
    let faults = world.faults.clone();
    if faults.only.is_some_and(|only| only != provider) {
        return (Fault::None, Duration::ZERO);
    }
    let latency = Duration::from_millis(faults.latency_ms);
    if faults.rate_limit > 0 {
        let now = Instant::now();
        let window = world.windows.entry(provider).or_insert(RateWindow {
            start: now,
            count: 0,
        });
        if now.duration_since(window.start) >= Duration::from_secs(1) {
            window.start = now;
            window.count = 0;
        }
        window.count += 1;
        if window.count > faults.rate_limit {
            return (Fault::RateLimited { retry_after: 1 }, Duration::ZERO);
        }
    }
    let roll = world.rng.next_f64();
    let fault = if roll < faults.error_rate {
        Fault::ServerError
    } else if roll < faults.error_rate + faults.hang_rate {
        Fault::Hang(Duration::from_secs(faults.hang_seconds))
    } else if roll < faults.error_rate + faults.hang_rate + faults.garbage_rate {
        Fault::Garbage {
            truncate: world.rng.next_f64() < 0.5,
        }
    } else {
        Fault::None
    };
    (fault, latency)
}

fn add_cors(headers: &mut HeaderMap) {
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Authorization, Content-Type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After"),
    );
}

fn query_map(query: Option<&str>) -> HashMap<String, String> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

async fn ilkbyte_handler(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let caller_ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "127.0.0.1".into());
    let path = req
        .uri()
        .path()
        .strip_prefix("/ilkbyte")
        .unwrap_or("")
        .to_string();
    let mut params = query_map(req.uri().query());
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let method = req.method().clone();
    if method != Method::GET && method != Method::POST {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            axum::Json(json!({"status": false, "message": "", "error": "Method not allowed!", "data": null})),
        )
            .into_response();
    }
    if method == Method::POST && is_form {
        let body = to_bytes(req.into_body(), BODY_LIMIT)
            .await
            .unwrap_or_default();
        params.extend(form_urlencoded::parse(&body).into_owned());
    }
    let timing = &sim.config.timing;
    let mut guard = sim.lock();
    let world = &mut *guard;
    let mut due = booker(&mut world.rng, &mut world.stats, timing, Provider::Ilkbyte);
    let (status, body) = world.ilkbyte.handle(&path, &params, &caller_ip, &mut due);
    (status, axum::Json(body)).into_response()
}

async fn vpsorg_handler(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req
        .uri()
        .path()
        .strip_prefix("/vpsorg/api/v1")
        .unwrap_or("")
        .to_string();
    let query = query_map(req.uri().query());
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = match to_bytes(req.into_body(), BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                axum::Json(json!({"detail": "Request body too large."})),
            )
                .into_response();
        }
    };
    let timing = &sim.config.timing;
    let mut guard = sim.lock();
    let world = &mut *guard;
    let mut due = booker(&mut world.rng, &mut world.stats, timing, Provider::Vpsorg);
    let (status, body) = world.vpsorg.handle(
        &method,
        &path,
        &query,
        authorization.as_deref(),
        &body,
        &mut due,
    );
    match body {
        Some(v) => (status, axum::Json(v)).into_response(),
        None => status.into_response(),
    }
}
