//! ilkbyte API v1: every call a GET with the keys in the query; every answer
//! an envelope `{status, message, error, data}` where `status` decides
//! success, even on HTTP 200.

use serde_json::Value;

use super::{
    Accepted, HttpRequest, HttpResponse, Method, ProviderError, ServerPage, encode, flag, join,
    number, parse_json, status_text, text,
};
use crate::i18n::t;
use crate::model::{Account, Credentials, Operation, Schedule, Server, Snapshot, SnapshotStatus};
use crate::time::parse_rfc3339;

/// A GET with the keys and `params` in the query. No `Content-Type`, so the
/// browser sends it as a simple request, without a preflight.
fn get(account: &Account, path: &str, params: &[(&str, String)]) -> HttpRequest {
    let (access, secret) = match &account.credentials {
        Credentials::Ilkbyte { access, secret } => (access.as_str(), secret.as_str()),
        _ => ("", ""),
    };
    let mut query = format!("access={}&secret={}", encode(access), encode(secret));
    for (k, v) in params {
        query.push_str(&format!("&{k}={}", encode(v)));
    }
    HttpRequest {
        method: Method::Get,
        url: format!("{}?{query}", join(&account.base_url, path)),
        headers: Vec::new(),
        body: None,
    }
}

pub fn account_check(account: &Account) -> HttpRequest {
    get(account, "/account", &[])
}

pub fn servers(account: &Account, page: u32) -> HttpRequest {
    get(account, "/server/list", &[("p", page.max(1).to_string())])
}

pub fn snapshots(account: &Account, server: &str) -> HttpRequest {
    get(
        account,
        &format!("/server/manage/{}/snapshot", encode(server)),
        &[],
    )
}

pub fn operation(account: &Account, server: &str, op: &Operation) -> HttpRequest {
    let base = format!("/server/manage/{}/snapshot", encode(server));
    let (action, params): (&str, Vec<(&str, String)>) = match op {
        Operation::Create { name, .. } => ("/create", vec![("name", name.clone())]),
        Operation::GoBack { snapshot } => ("/revert", vec![("name", snapshot.clone())]),
        Operation::Recreate { snapshot } => ("/update", vec![("name", snapshot.clone())]),
        Operation::Delete { snapshot } => ("/delete", vec![("name", snapshot.clone())]),
        Operation::Schedule {
            snapshot,
            every_days,
            hour,
            minute,
        } => (
            "/cron/add",
            vec![
                ("name", snapshot.clone()),
                ("day", every_days.to_string()),
                ("hour", hour.to_string()),
                ("min", minute.to_string()),
            ],
        ),
        Operation::Unschedule { snapshot } => ("/cron/delete", vec![("name", snapshot.clone())]),
    };
    get(account, &format!("{base}{action}"), &params)
}

/// Unwraps the envelope: `data` on success, the provider's reason otherwise.
pub fn envelope(resp: &HttpResponse) -> Result<Value, ProviderError> {
    let parsed = parse_json(resp);
    let reason = parsed
        .as_ref()
        .map(|v| text(v, "error"))
        .filter(|e| !e.is_empty());
    let ok_http = (200..300).contains(&resp.status);
    if !ok_http {
        let message = reason.unwrap_or_else(|| status_text(resp.status));
        return Err(ProviderError::from_status(resp, message));
    }
    let Some(mut v) = parsed else {
        return Err(ProviderError::Malformed(
            t().ilkbyte_not_json().inner().into(),
        ));
    };
    match v.get("status").and_then(Value::as_bool) {
        // Taken out of the body, not copied: the body is ours.
        Some(true) => Ok(v.get_mut("data").map(Value::take).unwrap_or(Value::Null)),
        Some(false) => Err(ProviderError::Refused {
            status: resp.status,
            message: reason
                .or_else(|| Some(text(&v, "message")).filter(|m| !m.is_empty()))
                .unwrap_or_else(|| t().ilkbyte_no_reason().inner().into()),
        }),
        _ => Err(ProviderError::Malformed(
            t().ilkbyte_no_status().inner().into(),
        )),
    }
}

pub fn parse_account_check(resp: &HttpResponse) -> Result<String, ProviderError> {
    let data = envelope(resp)?;
    let name = text(&data, "name");
    Ok(if name.is_empty() {
        t().ilkbyte_account().inner().into()
    } else {
        name
    })
}

pub fn parse_servers(resp: &HttpResponse) -> Result<ServerPage, ProviderError> {
    let data = envelope(resp)?;
    let list = data
        .get("server_list")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed(t().ilkbyte_no_servers().inner().into()))?;
    let servers = list
        .iter()
        .filter_map(|s| {
            let name = text(s, "name");
            // Removed servers keep a `_REMOVE<digits>` suffix: hidden.
            // (Split by the character: no substring search in the panel.)
            let removed = name.split('_').skip(1).any(|p| p.starts_with("REMOVE"));
            if name.is_empty() || removed {
                return None;
            }
            Some(Server {
                key: name.clone(),
                name,
                status: text(s, "status"),
                address: text(s, "ipv4"),
                os: text(s, "osapp"),
            })
        })
        .collect();
    let total_pages = data
        .get("pagination")
        .and_then(|p| number(p, "total_page"))
        .unwrap_or(1)
        .clamp(1, 10_000) as u32;
    Ok(ServerPage {
        servers,
        total_pages,
    })
}

pub fn parse_snapshots(resp: &HttpResponse) -> Result<Vec<Snapshot>, ProviderError> {
    let data = envelope(resp)?;
    let list = data
        .get("snapshots")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed(t().ilkbyte_no_snapshots().inner().into()))?;
    Ok(list.iter().filter_map(snapshot).collect())
}

fn snapshot(v: &Value) -> Option<Snapshot> {
    let name = text(v, "name");
    if name.is_empty() {
        return None;
    }
    let parent = Some(text(v, "parent")).filter(|p| !p.is_empty() && p != "-");
    let schedule = v
        .get("params")
        .filter(|p| flag(p, "is_cron"))
        .map(|p| Schedule {
            provider_text: text(p, "cron_time"),
            next_run: parse_rfc3339(&text(p, "next_run")),
            last_run: parse_rfc3339(&text(p, "last_run")),
            last_run_text: text(p, "last_run"),
        });
    let created_text = text(v, "date");
    Some(Snapshot {
        key: name.clone(),
        name,
        // ilkbyte reports no progress: a listed snapshot exists.
        status: SnapshotStatus::Completed,
        created: parse_rfc3339(&created_text),
        created_text,
        size_mb: None,
        description: String::new(),
        current: flag(v, "current"),
        parent,
        children: number(v, "children").unwrap_or(0).min(u64::from(u32::MAX)) as u32,
        state: text(v, "state"),
        schedule,
    })
}

pub fn parse_operation(resp: &HttpResponse) -> Result<Accepted, ProviderError> {
    let message = parse_json(resp)
        .map(|v| text(&v, "message"))
        .unwrap_or_default();
    envelope(resp)?;
    Ok(Accepted {
        message,
        ..Accepted::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProviderKind;
    use crate::providers::tests::resp;

    fn account() -> Account {
        Account {
            provider: ProviderKind::Ilkbyte,
            label: "Test".into(),
            base_url: "https://api.ilkbyte.com/".into(),
            credentials: Credentials::Ilkbyte {
                access: "ak".into(),
                secret: "s&k".into(),
            },
            proxy: String::new(),
            protected: Vec::new(),
        }
    }

    /// The seed document's list, less its trailing-comma typo.
    const SEED_LIST: &str = r#"{
     "status": true, "message": "Snapshot list created", "error": null,
     "data": {"snapshots": [
       {"name": "DenemeSnapshot", "current": false, "state": "running", "location": "internal",
        "parent": "-", "children": 1, "descendants": 1, "metadata": true,
        "params": {"is_cron": true, "last_run": "2020-11-24T02:03:00+03:00",
                   "next_run": "2020-11-24T02:03:00+03:00", "cron_time": "Her 1 günde bir 02:03 saatinde"},
        "date": "2020-11-23T15:31:07+03:00"}
     ]}}"#;

    #[test]
    fn requests_are_simple_gets_with_keys_in_the_query() {
        let r = account_check(&account());
        assert_eq!(r.method, Method::Get);
        assert_eq!(
            r.url,
            "https://api.ilkbyte.com/account?access=ak&secret=s%26k"
        );
        assert!(r.headers.is_empty(), "no Content-Type: no preflight");
        assert!(r.body.is_none());
        assert_eq!(
            servers(&account(), 2).url,
            "https://api.ilkbyte.com/server/list?access=ak&secret=s%26k&p=2"
        );
        assert_eq!(
            snapshots(&account(), "web 01").url,
            "https://api.ilkbyte.com/server/manage/web%2001/snapshot?access=ak&secret=s%26k"
        );
    }

    #[test]
    fn every_action_has_its_path_and_params() {
        let a = account();
        let cases = [
            (
                Operation::Create {
                    name: "N1".into(),
                    description: "ignored".into(),
                },
                "/create",
                "&name=N1",
            ),
            (
                Operation::GoBack {
                    snapshot: "N1".into(),
                },
                "/revert",
                "&name=N1",
            ),
            (
                Operation::Recreate {
                    snapshot: "N1".into(),
                },
                "/update",
                "&name=N1",
            ),
            (
                Operation::Delete {
                    snapshot: "N1".into(),
                },
                "/delete",
                "&name=N1",
            ),
            (
                Operation::Schedule {
                    snapshot: "N1".into(),
                    every_days: 1,
                    hour: 2,
                    minute: 3,
                },
                "/cron/add",
                "&name=N1&day=1&hour=2&min=3",
            ),
            (
                Operation::Unschedule {
                    snapshot: "N1".into(),
                },
                "/cron/delete",
                "&name=N1",
            ),
        ];
        for (op, path, params) in cases {
            let r = operation(&a, "web01", &op);
            assert_eq!(
                r.url,
                format!(
                    "https://api.ilkbyte.com/server/manage/web01/snapshot{path}?access=ak&secret=s%26k{params}"
                )
            );
            assert_eq!(r.method, Method::Get);
        }
    }

    #[test]
    fn parses_the_seed_snapshot_list() {
        let list = parse_snapshots(&resp(200, SEED_LIST)).unwrap();
        assert_eq!(list.len(), 1);
        let s = &list[0];
        assert_eq!(s.name, "DenemeSnapshot");
        assert_eq!(s.key, "DenemeSnapshot");
        assert!(!s.current);
        assert_eq!(s.parent, None);
        assert_eq!(s.children, 1);
        assert_eq!(s.state, "running");
        assert_eq!(s.created, Some(1_606_134_667));
        let sched = s.schedule.as_ref().unwrap();
        assert_eq!(sched.provider_text, "Her 1 günde bir 02:03 saatinde");
        assert_eq!(sched.describe(), "Every day at 02:03");
        assert!(sched.next_run.is_some());
    }

    #[test]
    fn missing_params_and_empty_lists() {
        let body = r#"{"status":true,"message":"","error":null,"data":{"snapshots":[
            {"name":"A","current":true,"parent":"B","date":null},
            {"name":"","current":false},
            {"current":true}
        ]}}"#;
        let list = parse_snapshots(&resp(200, body)).unwrap();
        assert_eq!(list.len(), 1, "entries without a name are skipped");
        assert!(list[0].schedule.is_none());
        assert!(list[0].current);
        assert_eq!(list[0].parent.as_deref(), Some("B"));
        assert_eq!(list[0].created, None);
        let empty = r#"{"status":true,"message":"","error":null,"data":{"snapshots":[]}}"#;
        assert!(parse_snapshots(&resp(200, empty)).unwrap().is_empty());
        // is_cron false: no schedule.
        let off =
            r#"{"status":true,"data":{"snapshots":[{"name":"X","params":{"is_cron":false}}]}}"#;
        assert!(
            parse_snapshots(&resp(200, off)).unwrap()[0]
                .schedule
                .is_none()
        );
    }

    #[test]
    fn http_200_with_status_false_is_an_error_with_the_reason() {
        let body =
            r#"{"status":false,"message":"","error":"Server backup not found!","data":null}"#;
        let e = parse_snapshots(&resp(200, body)).unwrap_err();
        assert_eq!(
            e,
            ProviderError::Refused {
                status: 200,
                message: "Server backup not found!".into()
            }
        );
        let e = parse_operation(&resp(200, body)).unwrap_err();
        assert_eq!(e.message(), "Server backup not found!");
    }

    #[test]
    fn non_2xx_statuses() {
        let e = envelope(&resp(
            401,
            r#"{"status":false,"error":"Invalid access or secret key!"}"#,
        ))
        .unwrap_err();
        assert_eq!(
            e,
            ProviderError::Auth("Invalid access or secret key!".into())
        );
        let e = envelope(&resp(401, "")).unwrap_err();
        assert_eq!(e, ProviderError::Auth("HTTP 401 Unauthorized".into()));
        let e = envelope(&resp(500, "<h1>Server Error (500)</h1>")).unwrap_err();
        assert!(matches!(e, ProviderError::Server { status: 500, .. }));
        let mut limited = resp(429, "");
        limited.retry_after = Some(7);
        assert_eq!(envelope(&limited).unwrap_err().retry_after(), Some(7));
    }

    #[test]
    fn malformed_bodies_are_errors_not_panics() {
        for body in [
            "",
            "{",
            "[]",
            "null",
            r#"{"status": tru"#,
            r#"{"status":"yes"}"#,
            r#"{"status":true,"data":null}"#,
            r#"{"status":true,"data":{"snapshots":7}}"#,
        ] {
            assert!(parse_snapshots(&resp(200, body)).is_err(), "{body:?}");
            assert!(parse_servers(&resp(200, body)).is_err(), "{body:?}");
        }
        let truncated = &SEED_LIST[..SEED_LIST.len() / 2];
        assert!(matches!(
            parse_snapshots(&resp(200, truncated)),
            Err(ProviderError::Malformed(_))
        ));
    }

    #[test]
    fn server_list_hides_removed_and_reads_pages() {
        let body = r#"{"status":true,"message":"","error":null,"data":{
          "pagination":{"current_page":1,"total_page":3},
          "server_list":[
            {"name":"web01","osapp":"Ubuntu 20.04 LTS / OpenSSH","service":"active","status":"running",
             "ipv4":"203.0.113.5","ipv6":"","bandwidth_limit":1073741824000,"bandwidth_usage":0,
             "created_time":"10.12.2020 20:56:18"},
            {"name":"old_REMOVE1234","status":"nil"},
            {"name":"bare"}
          ]}}"#;
        let page = parse_servers(&resp(200, body)).unwrap();
        assert_eq!(page.total_pages, 3);
        let names: Vec<_> = page.servers.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["web01", "bare"]);
        assert_eq!(page.servers[0].address, "203.0.113.5");
        assert_eq!(page.servers[0].status, "running");
        assert_eq!(page.servers[1].status, "");
    }

    #[test]
    fn account_check_names_the_account() {
        let body = r#"{"status":true,"message":"Account Info","error":null,
            "data":{"balance":74.3,"group":"Standart","name":"Ayşe","status":true}}"#;
        assert_eq!(parse_account_check(&resp(200, body)).unwrap(), "Ayşe");
    }

    #[test]
    fn operation_messages() {
        let body = r#"{"status":true,"message":"Snapshot created!","error":null,"data":null}"#;
        assert_eq!(
            parse_operation(&resp(200, body)).unwrap().message,
            "Snapshot created!"
        );
    }
}
