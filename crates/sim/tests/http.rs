//! HTTP-level tests of the simulator against providers.md.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use snapdeck_sim::{Config, Faults, Sim, Timing, router};
use tower::ServiceExt;

const KEYS: &str = "access=demo-access&secret=demo-secret";
const TOKEN: &str = "Bearer demo-token";

fn app_with(config: Config) -> Router {
    router(Sim::new(config))
}

fn app(op_secs: f64) -> Router {
    app_with(Config {
        timing: Timing::Fixed(Duration::from_secs_f64(op_secs)),
        ..Config::default()
    })
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let resp = app.clone().oneshot(req).await.expect("router answers");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        bytes,
    }
}

async fn ilk(app: &Router, path: &str, extra: &str) -> Reply {
    let sep = if extra.is_empty() { "" } else { "&" };
    let uri = format!("/ilkbyte{path}?{KEYS}{sep}{extra}");
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn vps(app: &Router, method: &str, path: &str, body: Option<Value>) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("/vpsorg/api/v1{path}"))
        .header(header::AUTHORIZATION, TOKEN)
        .header(header::CONTENT_TYPE, "application/json");
    if method == "GET" || method == "DELETE" || body.is_none() {
        req = req.header(header::CONTENT_LENGTH, "0");
    }
    let body = body
        .map(|b| Body::from(b.to_string()))
        .unwrap_or_else(Body::empty);
    send(app, req.body(body).unwrap()).await
}

async fn ilk_snapshots(app: &Router, server: &str) -> Vec<Value> {
    let r = ilk(app, &format!("/server/manage/{server}/snapshot"), "").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["status"], true, "{v}");
    v["data"]["snapshots"]
        .as_array()
        .cloned()
        .expect("snapshots array")
}

fn find<'a>(list: &'a [Value], name: &str) -> Option<&'a Value> {
    list.iter().find(|s| s["name"] == name)
}

/// Polls `check` every 100 ms until it holds, for at most `limit`.
async fn eventually<F, Fut>(limit: Duration, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if check().await {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ---------------------------------------------------------------- ilkbyte

#[tokio::test]
async fn ilkbyte_refuses_bad_keys_with_401_envelope() {
    let app = app(1.0);
    let r = send(
        &app,
        Request::get("/ilkbyte/account?access=demo-access&secret=wrong")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let v = r.json();
    assert_eq!(v["status"], false);
    assert!(v["error"].as_str().unwrap().contains("access or secret"));
    assert_eq!(v["data"], Value::Null);
    // And without any keys.
    let r = send(
        &app,
        Request::get("/ilkbyte/account")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn ilkbyte_account_and_api_info() {
    let app = app(1.0);
    let v = ilk(&app, "/account", "").await.json();
    assert_eq!(v["status"], true);
    assert_eq!(v["message"], "Account Info");
    assert_eq!(v["data"]["group"], "Standart");
    assert!(v["data"]["balance"].is_number());
    let v = ilk(&app, "/", "").await.json();
    assert_eq!(v["data"]["api_access"], true);
    assert_eq!(v["data"]["permission"], "Full");
    assert!(v["data"]["ip_address"].is_string());
}

#[tokio::test]
async fn ilkbyte_server_list_pages_and_hides_removed() {
    let app = app_with(Config {
        page_size: 2,
        ..Config::default()
    });
    let p1 = ilk(&app, "/server/list", "p=1").await.json();
    assert_eq!(
        p1["data"]["pagination"],
        json!({"current_page": 1, "total_page": 2})
    );
    let p2 = ilk(&app, "/server/list", "p=2").await.json();
    let names = |v: &Value| -> Vec<String> {
        v["data"]["server_list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    let mut active = names(&p1);
    active.extend(names(&p2));
    assert_eq!(active, ["web01", "db01", "mail01"]);
    let all1 = ilk(&app, "/server/list/all", "p=2").await.json();
    assert!(names(&all1).iter().any(|n| n.contains("_REMOVE")));
    // Server dates are DD.MM.YYYY HH:MM:SS.
    let created = p1["data"]["server_list"][0]["created_time"]
        .as_str()
        .unwrap();
    assert_eq!(created.len(), 19);
    assert_eq!(&created[2..3], ".");
    assert_eq!(&created[5..6], ".");
}

#[tokio::test]
async fn ilkbyte_snapshot_list_is_a_consistent_tree() {
    let app = app(1.0);
    let list = ilk_snapshots(&app, "web01").await;
    assert_eq!(list.len(), 3);
    let base = find(&list, "base").unwrap();
    assert_eq!(base["parent"], "-");
    assert_eq!(base["children"], 2);
    assert_eq!(base["descendants"], 2);
    assert_eq!(base["location"], "internal");
    assert!(base.get("params").is_none(), "no params without a schedule");
    let current: Vec<_> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["name"], "preupgrade");
    assert!(base["date"].as_str().unwrap().ends_with("+03:00"));

    let db = ilk_snapshots(&app, "db01").await;
    let nightly = find(&db, "nightly").unwrap();
    assert_eq!(nightly["params"]["is_cron"], true);
    assert_eq!(
        nightly["params"]["cron_time"],
        "Her 1 günde bir 03:30 saatinde"
    );

    assert_eq!(ilk_snapshots(&app, "mail01").await.len(), 0);
}

#[tokio::test]
async fn ilkbyte_logical_errors_are_http_200_status_false() {
    let app = app(1.0);
    let cases = [
        ("/server/manage/nope/snapshot", "", "Server not found!"),
        (
            "/server/manage/web01/snapshot/create",
            "name=bad-name",
            "alphanumeric",
        ),
        (
            "/server/manage/web01/snapshot/create",
            "name=has%20space",
            "alphanumeric",
        ),
        (
            "/server/manage/web01/snapshot/create",
            "",
            "Missing parameter",
        ),
        (
            "/server/manage/web01/snapshot/create",
            "name=base",
            "already exists",
        ),
        (
            "/server/manage/web01/snapshot/revert",
            "name=ghost",
            "Snapshot not found",
        ),
        (
            "/server/manage/web01/snapshot/delete",
            "name=ghost",
            "Snapshot not found",
        ),
        (
            "/server/manage/web01/snapshot/update",
            "name=ghost",
            "Snapshot not found",
        ),
        (
            "/server/manage/web01/snapshot/cron/add",
            "name=base&day=0&hour=1&min=1",
            "Invalid schedule",
        ),
        (
            "/server/manage/web01/snapshot/cron/add",
            "name=base&day=1&hour=24&min=1",
            "Invalid schedule",
        ),
        (
            "/server/manage/web01/snapshot/cron/add",
            "name=base&day=1&hour=2&min=60",
            "Invalid schedule",
        ),
        (
            "/server/manage/web01/snapshot/cron/add",
            "name=base&day=x&hour=2&min=3",
            "Invalid schedule",
        ),
        (
            "/server/manage/web01/snapshot/cron/add",
            "name=base&day=1&hour=2",
            "Invalid schedule",
        ),
        (
            "/server/manage/web01/snapshot/cron/delete",
            "name=base",
            "task not found",
        ),
    ];
    for (path, params, want) in cases {
        let r = ilk(&app, path, params).await;
        assert_eq!(r.status, StatusCode::OK, "{path}?{params}");
        let v = r.json();
        assert_eq!(v["status"], false, "{path}?{params}: {v}");
        assert_eq!(v["data"], Value::Null);
        let error = v["error"].as_str().unwrap();
        assert!(
            error.contains(want),
            "{path}?{params}: {error:?} lacks {want:?}"
        );
    }
}

#[tokio::test]
async fn ilkbyte_create_appears_after_op_delay_as_current_child() {
    let app = app(1.0);
    let r = ilk(&app, "/server/manage/web01/snapshot/create", "name=fresh1")
        .await
        .json();
    assert_eq!(
        r,
        json!({"status": true, "message": "Snapshot created!", "error": null, "data": null})
    );
    // Not there at once: the provider takes a while.
    assert!(find(&ilk_snapshots(&app, "web01").await, "fresh1").is_none());
    // A second create of the same name while the first is in flight is refused.
    let dup = ilk(&app, "/server/manage/web01/snapshot/create", "name=fresh1")
        .await
        .json();
    assert_eq!(dup["status"], false);
    let waited = eventually(Duration::from_secs(5), || async {
        find(&ilk_snapshots(&app, "web01").await, "fresh1").is_some()
    })
    .await;
    assert!(
        waited >= Duration::from_millis(800),
        "appeared too early: {waited:?}"
    );
    let list = ilk_snapshots(&app, "web01").await;
    let fresh = find(&list, "fresh1").unwrap();
    assert_eq!(
        fresh["parent"], "preupgrade",
        "parent is the previous current"
    );
    assert_eq!(fresh["current"], true);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(find(&list, "preupgrade").unwrap()["children"], 1);
    assert_eq!(find(&list, "base").unwrap()["descendants"], 3);
}

#[tokio::test]
async fn ilkbyte_revert_update_delete_take_effect() {
    let app = app(1.0);
    let before = ilk_snapshots(&app, "web01").await;
    let base_date = find(&before, "base").unwrap()["date"].clone();

    let r = ilk(
        &app,
        "/server/manage/web01/snapshot/revert",
        "name=experiment",
    )
    .await
    .json();
    assert_eq!(r["message"], "Snapshot reverted!");
    // An operation on a snapshot with one in flight is refused.
    let busy = ilk(
        &app,
        "/server/manage/web01/snapshot/delete",
        "name=experiment",
    )
    .await
    .json();
    assert_eq!(busy["status"], false);
    assert!(busy["error"].as_str().unwrap().contains("in progress"));

    let r = ilk(&app, "/server/manage/web01/snapshot/update", "name=base")
        .await
        .json();
    assert_eq!(r["message"], "Snapshot recreated!");

    eventually(Duration::from_secs(5), || async {
        let list = ilk_snapshots(&app, "web01").await;
        find(&list, "experiment").unwrap()["current"] == true
            && find(&list, "base").unwrap()["date"] != base_date
    })
    .await;
    let list = ilk_snapshots(&app, "web01").await;
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);

    // Deleting the root re-parents its children to "-".
    let r = ilk(&app, "/server/manage/web01/snapshot/delete", "name=base")
        .await
        .json();
    assert_eq!(r["message"], "Snapshot deleted!");
    eventually(Duration::from_secs(5), || async {
        find(&ilk_snapshots(&app, "web01").await, "base").is_none()
    })
    .await;
    let list = ilk_snapshots(&app, "web01").await;
    assert_eq!(find(&list, "preupgrade").unwrap()["parent"], "-");
    assert_eq!(find(&list, "experiment").unwrap()["parent"], "-");
}

#[tokio::test]
async fn ilkbyte_schedule_add_and_delete() {
    let app = app(1.0);
    let r = ilk(
        &app,
        "/server/manage/web01/snapshot/cron/add",
        "name=base&day=2&hour=4&min=5",
    )
    .await
    .json();
    assert_eq!(r["message"], "Scheduled snapshot task created!");
    eventually(Duration::from_secs(5), || async {
        find(&ilk_snapshots(&app, "web01").await, "base").unwrap()["params"]["is_cron"] == true
    })
    .await;
    let list = ilk_snapshots(&app, "web01").await;
    let params = &find(&list, "base").unwrap()["params"];
    assert_eq!(params["cron_time"], "Her 2 günde bir 04:05 saatinde");
    let next = params["next_run"].as_str().unwrap();
    assert!(next.contains("T04:05:00+03:00"), "{next}");
    assert!(params["last_run"].is_string());

    let r = ilk(
        &app,
        "/server/manage/web01/snapshot/cron/delete",
        "name=base",
    )
    .await
    .json();
    assert_eq!(r["message"], "Scheduled snapshot task deleted!!");
    eventually(Duration::from_secs(5), || async {
        find(&ilk_snapshots(&app, "web01").await, "base")
            .unwrap()
            .get("params")
            .is_none()
    })
    .await;
}

#[tokio::test]
async fn ilkbyte_accepts_form_posts() {
    let app = app(0.0);
    let req = Request::post("/ilkbyte/server/manage/db01/snapshot/create")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("{KEYS}&name=viaform")))
        .unwrap();
    let v = send(&app, req).await.json();
    assert_eq!(v["status"], true, "{v}");
    assert!(find(&ilk_snapshots(&app, "db01").await, "viaform").is_some());
}

#[tokio::test]
async fn ilkbyte_concurrent_creates_all_land() {
    let app = app(0.0);
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                ilk(
                    &app,
                    "/server/manage/mail01/snapshot/create",
                    &format!("name=c{i}"),
                )
                .await
                .json()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap()["status"], true);
    }
    let list = ilk_snapshots(&app, "mail01").await;
    assert_eq!(list.len(), 40);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
}

// ---------------------------------------------------------------- VPS.org

#[tokio::test]
async fn vpsorg_auth() {
    let app = app(1.0);
    let r = send(
        &app,
        Request::get("/vpsorg/api/v1/snapshots/")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json()["detail"],
        "Authentication credentials were not provided."
    );
    let r = send(
        &app,
        Request::get("/vpsorg/api/v1/snapshots/")
            .header(header::AUTHORIZATION, "Bearer nope")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["detail"], "Invalid token.");
    let me = vps(&app, "GET", "/account/me/", None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.json()["account"]["email"].is_string());
    assert!(me.json()["token"]["permissions"].is_array());
}

#[tokio::test]
async fn vpsorg_servers_and_filters() {
    let app = app(1.0);
    let v = vps(&app, "GET", "/servers/", None).await.json();
    assert_eq!(v["count"], 3);
    let first = &v["results"][0];
    for key in [
        "id",
        "name",
        "hostname",
        "status",
        "ip_address",
        "location",
        "plan",
        "os",
        "created_at",
    ] {
        assert!(!first[key].is_null(), "server lacks {key}");
    }
    let stopped = vps(&app, "GET", "/servers/?status=stopped", None)
        .await
        .json();
    assert_eq!(stopped["count"], 1);
    assert_eq!(stopped["results"][0]["name"], "staging-01");
    let west = vps(&app, "GET", "/servers/?location=us-west", None)
        .await
        .json();
    assert_eq!(west["count"], 2);
    // Paths end with a slash.
    assert_eq!(
        vps(&app, "GET", "/servers", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn vpsorg_snapshot_list_and_filter() {
    let app = app(30.0);
    let all = vps(&app, "GET", "/snapshots/", None).await.json();
    assert_eq!(all["count"], 8);
    let web = vps(&app, "GET", "/snapshots/?server_id=12345", None)
        .await
        .json();
    assert_eq!(web["count"], 5);
    let s = &web["results"][0];
    assert_eq!(s["server"], json!({"id": 12345, "name": "web-server-01"}));
    assert_eq!(s["status"], "completed");
    assert!(s["size_mb"].is_u64());
    assert!(s["created_at"].as_str().unwrap().ends_with('Z'));
    let db = vps(&app, "GET", "/snapshots/?server_id=12346", None)
        .await
        .json();
    let in_progress: Vec<_> = db["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "in_progress")
        .collect();
    assert_eq!(in_progress.len(), 1);
    assert_eq!(in_progress[0]["size_mb"], Value::Null);
    let bad = vps(&app, "GET", "/snapshots/?server_id=abc", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn vpsorg_create_goes_in_progress_then_completed() {
    let app = app(1.0);
    let r = vps(
        &app,
        "POST",
        "/snapshots/",
        Some(json!({"server_id": 12347, "name": "before-update_2", "description": "test"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = r.json();
    assert_eq!(v["status"], "in_progress");
    assert_eq!(v["size_mb"], Value::Null);
    assert_eq!(v["name"], "before-update_2");
    assert_eq!(v["description"], "test");
    assert!(v["message"].as_str().unwrap().contains("3-10 minutes"));
    let id = v["id"].as_u64().unwrap();
    let waited = eventually(Duration::from_secs(5), || async {
        vps(&app, "GET", &format!("/snapshots/{id}/"), None)
            .await
            .json()["status"]
            == "completed"
    })
    .await;
    assert!(
        waited >= Duration::from_millis(800),
        "completed too early: {waited:?}"
    );
    let done = vps(&app, "GET", &format!("/snapshots/{id}/"), None)
        .await
        .json();
    assert!(done["size_mb"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn vpsorg_create_errors() {
    let app = app(1.0);
    let limit = vps(
        &app,
        "POST",
        "/snapshots/",
        Some(json!({"server_id": 12345, "name": "sixth"})),
    )
    .await;
    assert_eq!(limit.status, StatusCode::BAD_REQUEST);
    let msg = limit.json()["non_field_errors"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("at most 5"), "{msg}");

    let bad_name = vps(
        &app,
        "POST",
        "/snapshots/",
        Some(json!({"server_id": 12347, "name": "no spaces!"})),
    )
    .await;
    assert_eq!(bad_name.status, StatusCode::BAD_REQUEST);
    assert!(
        bad_name.json()["name"][0]
            .as_str()
            .unwrap()
            .contains("letters, digits")
    );

    let missing = vps(&app, "POST", "/snapshots/", Some(json!({"name": "x"}))).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.json()["server_id"][0], "This field is required.");

    let unknown = vps(
        &app,
        "POST",
        "/snapshots/",
        Some(json!({"server_id": 1, "name": "x"})),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.json()["detail"].is_string());

    let garbage = send(
        &app,
        Request::post("/vpsorg/api/v1/snapshots/")
            .header(header::AUTHORIZATION, TOKEN)
            .body(Body::from("{not json"))
            .unwrap(),
    )
    .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert!(
        garbage.json()["detail"]
            .as_str()
            .unwrap()
            .contains("JSON parse error")
    );

    let put = vps(&app, "PUT", "/snapshots/", Some(json!({}))).await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn vpsorg_restore_marks_server_restoring_then_active() {
    let app = app(1.0);
    // A snapshot still being taken cannot be restored.
    assert_eq!(
        vps(&app, "POST", "/snapshots/802/restore/", None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let r = vps(&app, "POST", "/snapshots/750/restore/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["status"], "success");
    assert_eq!(v["snapshot"]["id"], 750);
    assert_eq!(
        v["server"],
        json!({"id": 12347, "name": "staging-01", "status": "restoring"})
    );
    let again = vps(&app, "POST", "/snapshots/750/restore/", None).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(
        again.json()["detail"]
            .as_str()
            .unwrap()
            .contains("valid state")
    );
    let status = |v: Value| {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == 12347)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(
        status(vps(&app, "GET", "/servers/", None).await.json()),
        "restoring"
    );
    eventually(Duration::from_secs(5), || async {
        status(vps(&app, "GET", "/servers/", None).await.json()) == "active"
    })
    .await;
    assert_eq!(
        vps(&app, "POST", "/snapshots/999/restore/", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn vpsorg_delete_is_204_then_404() {
    let app = app(1.0);
    let r = vps(&app, "DELETE", "/snapshots/801/", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.bytes.is_empty());
    let web = vps(&app, "GET", "/snapshots/?server_id=12345", None)
        .await
        .json();
    assert_eq!(web["count"], 4);
    assert_eq!(
        vps(&app, "DELETE", "/snapshots/801/", None).await.status,
        StatusCode::NOT_FOUND
    );
    // Below the limit again, a create is accepted.
    let r = vps(
        &app,
        "POST",
        "/snapshots/",
        Some(json!({"server_id": 12345, "name": "again"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

// ---------------------------------------------------------------- both

fn faulty(faults: Faults) -> Router {
    app_with(Config {
        faults,
        ..Config::default()
    })
}

#[tokio::test]
async fn fault_server_errors() {
    let app = faulty(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let r = ilk(&app, "/account", "").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(serde_json::from_slice::<Value>(&r.bytes).is_err());
}

#[tokio::test]
async fn fault_rate_limit_answers_429_with_retry_after() {
    let app = faulty(Faults {
        rate_limit: 2,
        ..Faults::default()
    });
    assert_eq!(
        vps(&app, "GET", "/servers/", None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        vps(&app, "GET", "/servers/", None).await.status,
        StatusCode::OK
    );
    let r = vps(&app, "GET", "/servers/", None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers[header::RETRY_AFTER], "1");
    assert!(r.json()["detail"].as_str().unwrap().contains("throttled"));
    // The other provider has its own window.
    assert_eq!(ilk(&app, "/account", "").await.status, StatusCode::OK);
}

#[tokio::test]
async fn fault_garbage_bodies_do_not_parse() {
    let app = faulty(Faults {
        garbage_rate: 1.0,
        ..Faults::default()
    });
    for _ in 0..6 {
        let r = vps(&app, "GET", "/snapshots/", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(serde_json::from_slice::<Value>(&r.bytes).is_err());
    }
}

#[tokio::test]
async fn fault_hang_outlasts_a_client_timeout() {
    let app = faulty(Faults {
        hang_rate: 1.0,
        hang_seconds: 30,
        ..Faults::default()
    });
    let r = tokio::time::timeout(Duration::from_millis(300), ilk(&app, "/account", "")).await;
    assert!(r.is_err(), "the request should still be hanging");
}

#[tokio::test]
async fn faults_are_deterministic_for_a_seed_and_limited_to_one_provider() {
    let run = || async {
        let app = faulty(Faults {
            error_rate: 0.5,
            only: Some(snapdeck_sim::Provider::Vpsorg),
            ..Faults::default()
        });
        let mut codes = Vec::new();
        for _ in 0..20 {
            codes.push(vps(&app, "GET", "/servers/", None).await.status.as_u16());
            assert_eq!(ilk(&app, "/account", "").await.status, StatusCode::OK);
        }
        codes
    };
    let a = run().await;
    assert_eq!(a, run().await);
    assert!(a.contains(&500) && a.contains(&200), "{a:?}");
}

#[tokio::test]
async fn faults_can_be_changed_at_run_time_and_reset_restores_data() {
    let app = app(0.0);
    let put = send(
        &app,
        Request::put("/__sim/faults")
            .body(Body::from(r#"{"error_rate": 1.0}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(
        ilk(&app, "/account", "").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let bad = send(
        &app,
        Request::put("/__sim/faults")
            .body(Body::from(r#"{"nope": 1}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    vps(&app, "DELETE", "/snapshots/801/", None).await;
    let stats = send(
        &app,
        Request::get("/__sim/stats").body(Body::empty()).unwrap(),
    )
    .await
    .json();
    assert_eq!(stats["ilkbyte"], 1);
    assert_eq!(stats["vpsorg"], 1);
    assert_eq!(stats["recent"][1], "DELETE /vpsorg/api/v1/snapshots/801/");
    assert!(
        !stats.to_string().contains("demo-secret"),
        "stats never hold keys"
    );

    let r = send(
        &app,
        Request::post("/__sim/reset").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(ilk(&app, "/account", "").await.status, StatusCode::OK);
    assert_eq!(
        vps(&app, "GET", "/snapshots/801/", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn cors_headers_only_when_switched_on() {
    let off = app(1.0);
    let r = ilk(&off, "/account", "").await;
    assert!(r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let on = app_with(Config {
        cors_vpsorg: true,
        ..Config::default()
    });
    let r = vps(&on, "GET", "/servers/", None).await;
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let pre = send(
        &on,
        Request::options("/vpsorg/api/v1/snapshots/")
            .header(header::ORIGIN, "http://panel.example")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(pre.status, StatusCode::NO_CONTENT);
    assert!(
        pre.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
            .to_str()
            .unwrap()
            .contains("Authorization")
    );
    // ilkbyte stays without CORS, as the real one.
    assert!(
        ilk(&on, "/account", "")
            .await
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

#[tokio::test]
async fn generated_scale_answers_quickly() {
    let app = app_with(Config {
        scale: Some(snapdeck_sim::Scale {
            servers: 1000,
            snapshots: 5,
        }),
        page_size: 100,
        ..Config::default()
    });
    let all = vps(&app, "GET", "/snapshots/", None).await.json();
    assert_eq!(all["count"], 5000);
    let servers = vps(&app, "GET", "/servers/", None).await.json();
    assert_eq!(servers["count"], 1000);
    let page = ilk(&app, "/server/list", "p=10").await.json();
    assert_eq!(page["data"]["pagination"]["total_page"], 10);
    assert_eq!(page["data"]["server_list"].as_array().unwrap().len(), 100);
    let list = ilk_snapshots(&app, "srv0999").await;
    assert_eq!(list.len(), 5);
    assert_eq!(find(&list, "snap4").unwrap()["current"], true);
    assert_eq!(find(&list, "snap0").unwrap()["descendants"], 4);
}

// ------------------------------------------------------ realistic timing

async fn stats(app: &Router) -> Value {
    send(
        app,
        Request::get("/__sim/stats").body(Body::empty()).unwrap(),
    )
    .await
    .json()
}

#[tokio::test]
async fn realistic_timing_uses_each_operations_range_times_the_scale() {
    let app = app_with(Config {
        timing: Timing::Realistic { scale: 0.1 },
        ..Config::default()
    });
    ilk(&app, "/server/manage/web01/snapshot/create", "name=slow1").await;
    ilk(
        &app,
        "/server/manage/web01/snapshot/delete",
        "name=experiment",
    )
    .await;
    vps(&app, "POST", "/snapshots/750/restore/", None).await;
    let ops = stats(&app).await["operations"].as_array().cloned().unwrap();
    let took = |op: &str| -> f64 {
        let r = ops
            .iter()
            .find(|r| r["op"] == op)
            .unwrap_or_else(|| panic!("{op}: {ops:?}"));
        (r["done_ms"].as_u64().unwrap() - r["accepted_ms"].as_u64().unwrap()) as f64 / 1000.0
    };
    // create 3–10 min, delete 1–3 min, restore 5–15 min, all times 0.1.
    assert!((18.0..=60.0).contains(&took("create")), "{ops:?}");
    assert!((6.0..=18.0).contains(&took("delete")), "{ops:?}");
    assert!((30.0..=90.0).contains(&took("restore")), "{ops:?}");
    assert_eq!(
        ops.iter().find(|r| r["op"] == "create").unwrap()["target"],
        "slow1"
    );
    assert_eq!(
        ops.iter().find(|r| r["op"] == "create").unwrap()["provider"],
        "ilkbyte"
    );
    // Still in flight after several polls' worth of time.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(find(&ilk_snapshots(&app, "web01").await, "slow1").is_none());
    assert!(find(&ilk_snapshots(&app, "web01").await, "experiment").is_some());
}

#[tokio::test]
async fn dates_are_whole_seconds_as_the_providers_send_them() {
    let app = app(0.0);
    ilk(&app, "/server/manage/web01/snapshot/create", "name=whole1").await;
    ilk(
        &app,
        "/server/manage/web01/snapshot/cron/add",
        "name=whole1&day=1&hour=2&min=3",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let list = ilk_snapshots(&app, "web01").await;
    let fresh = find(&list, "whole1").expect("created");
    let shape = |s: &str| {
        // 2020-11-23T15:31:07+03:00
        s.len() == 25 && s.ends_with("+03:00") && !s.contains('.')
    };
    for d in [
        &fresh["date"],
        &fresh["params"]["next_run"],
        &fresh["params"]["last_run"],
    ] {
        assert!(shape(d.as_str().unwrap()), "{d}");
    }
    let made = vps(
        &app,
        "POST",
        "/snapshots/",
        Some(json!({"server_id": 12347, "name": "whole-2"})),
    )
    .await
    .json();
    let at = made["created_at"].as_str().unwrap();
    assert!(at.len() == 20 && at.ends_with('Z'), "{at}");
}

#[tokio::test]
async fn rename_gives_a_vpsorg_snapshot_a_name_only_its_console_takes() {
    let app = app(1.0);
    let rename = |body: &'static str| {
        Request::post("/__sim/rename")
            .body(Body::from(body))
            .unwrap()
    };
    let r = send(
        &app,
        rename(r#"{"from": "staging-clean", "to": "İstanbulYedek"}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["renamed"], 1);
    let list = vps(&app, "GET", "/snapshots/", None).await.json();
    let names: Vec<&str> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"İstanbulYedek"), "{names:?}");
    assert!(!names.contains(&"staging-clean"), "{names:?}");
    let r = send(
        &app,
        rename(r#"{"from": "nothing-has-this-name", "to": "x"}"#),
    )
    .await;
    assert_eq!(r.json()["renamed"], 0);
    let r = send(&app, rename("{ not json")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn churn_replaces_every_snapshot_with_a_new_one() {
    let app = app(1.0);
    let before = vps(&app, "GET", "/snapshots/", None).await.json();
    let ilk_before = ilk_snapshots(&app, "web01").await;
    let r = send(
        &app,
        Request::post("/__sim/churn").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let after = vps(&app, "GET", "/snapshots/", None).await.json();
    assert_eq!(before["count"], after["count"]);
    let ids = |v: &Value| -> Vec<u64> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_u64().unwrap())
            .collect()
    };
    assert!(
        ids(&after).iter().all(|id| !ids(&before).contains(id)),
        "all new ids"
    );
    let ilk_after = ilk_snapshots(&app, "web01").await;
    assert_eq!(ilk_before.len(), ilk_after.len());
    for s in &ilk_after {
        assert!(
            find(&ilk_before, s["name"].as_str().unwrap()).is_none(),
            "{s}"
        );
    }
    // The tree keeps its shape: one current, parents renamed along.
    assert_eq!(ilk_after.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(find(&ilk_after, "base1").unwrap()["descendants"], 2);
}
