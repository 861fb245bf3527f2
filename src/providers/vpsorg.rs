//! VPS.org API v1: bearer token, JSON, Django REST Framework shapes. Error
//! bodies are not documented: whatever text they carry is shown.

use serde_json::Value;

use super::{
    Accepted, HttpRequest, HttpResponse, Method, ProviderError, ServerPage, encode, join, number,
    parse_json, status_text, text,
};
use crate::i18n::{fill, t};
use crate::model::{Account, Credentials, Operation, Server, Snapshot, SnapshotStatus};
use crate::time::parse_rfc3339;

fn request(account: &Account, method: Method, path: &str, body: Option<String>) -> HttpRequest {
    let token = match &account.credentials {
        Credentials::Vpsorg { token } => token.as_str(),
        _ => "",
    };
    HttpRequest {
        method,
        url: join(&account.base_url, path),
        headers: vec![
            ("Authorization", format!("Bearer {token}")),
            ("Content-Type", "application/json".into()),
        ],
        body,
    }
}

pub fn account_check(account: &Account) -> HttpRequest {
    request(account, Method::Get, "/account/me/", None)
}

pub fn servers(account: &Account) -> HttpRequest {
    request(account, Method::Get, "/servers/", None)
}

pub fn snapshots(account: &Account, server: Option<&str>) -> HttpRequest {
    let path = match server {
        Some(id) => format!("/snapshots/?server_id={}", encode(id)),
        None => "/snapshots/".into(),
    };
    request(account, Method::Get, &path, None)
}

/// `POST /snapshots/`'s body: the server's id as a number when it is one.
#[derive(serde::Serialize)]
struct CreateBody<'a, Id> {
    server_id: Id,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

/// The request for `op`, or `None` for what VPS.org does not offer
/// (recreate, schedules).
pub fn operation(account: &Account, server: &str, op: &Operation) -> Option<HttpRequest> {
    Some(match op {
        Operation::Create { name, description } => {
            let description = Some(description.trim()).filter(|d| !d.is_empty());
            let body = match server.parse::<u64>() {
                Ok(id) => serde_json::to_string(&CreateBody {
                    server_id: id,
                    name,
                    description,
                }),
                Err(_) => serde_json::to_string(&CreateBody {
                    server_id: server,
                    name,
                    description,
                }),
            };
            request(account, Method::Post, "/snapshots/", body.ok())
        }
        Operation::GoBack { snapshot } => request(
            account,
            Method::Post,
            &format!("/snapshots/{}/restore/", encode(snapshot)),
            None,
        ),
        Operation::Delete { snapshot } => request(
            account,
            Method::Delete,
            &format!("/snapshots/{}/", encode(snapshot)),
            None,
        ),
        Operation::Recreate { .. } | Operation::Schedule { .. } | Operation::Unschedule { .. } => {
            return None;
        }
    })
}

/// The text an error body carries: `detail`, `message`, `error`,
/// `non_field_errors`, then field errors; else the status line.
pub fn error_text(resp: &HttpResponse) -> String {
    let Some(v) = parse_json(resp) else {
        return status_text(resp.status);
    };
    for key in ["detail", "message", "error", "non_field_errors"] {
        if let Some(found) = v.get(key).map(words).filter(|s| !s.is_empty()) {
            return found;
        }
    }
    match words(&v) {
        fields if fields.is_empty() || !v.is_object() => status_text(resp.status),
        fields => fields,
    }
}

/// An error value as text: lists joined by spaces, fields as `name: text`
/// joined by `; `, empty parts left out.
fn words(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => joined(items.iter().map(words), " "),
        Value::Object(map) => joined(
            map.iter().map(|(k, val)| format!("{k}: {}", words(val))),
            "; ",
        ),
        Value::Number(n) => super::number_text(n),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
    }
}

fn joined(parts: impl Iterator<Item = String>, sep: &str) -> String {
    let parts: Vec<String> = parts.collect();
    crate::i18n::join(&parts.iter().map(String::as_str).collect::<Vec<_>>(), sep)
}

fn checked(resp: &HttpResponse) -> Result<(), ProviderError> {
    if (200..300).contains(&resp.status) {
        return Ok(());
    }
    Err(ProviderError::from_status(resp, error_text(resp)))
}

fn body(resp: &HttpResponse, what: &str) -> Result<Value, ProviderError> {
    checked(resp)?;
    parse_json(resp).ok_or_else(|| {
        ProviderError::Malformed(fill(t().vpsorg_not_json().inner(), &[("what", &what)]))
    })
}

fn results<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, ProviderError> {
    v.get("results").and_then(Value::as_array).ok_or_else(|| {
        ProviderError::Malformed(fill(t().vpsorg_no_results().inner(), &[("what", &what)]))
    })
}

pub fn parse_account_check(resp: &HttpResponse) -> Result<String, ProviderError> {
    let v = body(resp, t().what_account().inner())?;
    let account = v.get("account").unwrap_or(&Value::Null);
    let email = text(account, "email");
    Ok(if email.is_empty() {
        t().vpsorg_account().inner().into()
    } else {
        email
    })
}

pub fn parse_servers(resp: &HttpResponse) -> Result<ServerPage, ProviderError> {
    let v = body(resp, t().what_server_list().inner())?;
    let servers = results(&v, t().what_server_list().inner())?
        .iter()
        .filter_map(|s| {
            let key = text(s, "id");
            if key.is_empty() {
                return None;
            }
            let name = Some(text(s, "name"))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| fill(t().unnamed_server().inner(), &[("key", &key)]));
            Some(Server {
                key,
                name,
                status: text(s, "status"),
                address: text(s, "ip_address"),
                os: s.get("os").map(|o| text(o, "name")).unwrap_or_default(),
            })
        })
        .collect();
    Ok(ServerPage {
        servers,
        total_pages: 1,
    })
}

fn snapshot(v: &Value) -> Option<(String, Snapshot)> {
    let key = text(v, "id");
    if key.is_empty() {
        return None;
    }
    let server = match v.get("server") {
        Some(s @ Value::Object(_)) => text(s, "id"),
        Some(_) => text(v, "server"),
        None => text(v, "server_id"),
    };
    if server.is_empty() {
        return None;
    }
    let created_text = text(v, "created_at");
    let status = text(v, "status");
    Some((
        server,
        Snapshot {
            name: Some(text(v, "name"))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| fill(t().unnamed_snapshot().inner(), &[("key", &key)])),
            key,
            status: if status.is_empty() {
                SnapshotStatus::Other("unknown".into())
            } else {
                SnapshotStatus::parse(&status)
            },
            created: parse_rfc3339(&created_text),
            created_text,
            size_mb: number(v, "size_mb"),
            description: text(v, "description"),
            current: false,
            parent: None,
            children: 0,
            state: String::new(),
            schedule: None,
        },
    ))
}

pub fn parse_snapshots(resp: &HttpResponse) -> Result<Vec<(String, Snapshot)>, ProviderError> {
    let v = body(resp, t().what_snapshot_list().inner())?;
    Ok(results(&v, t().what_snapshot_list().inner())?
        .iter()
        .filter_map(snapshot)
        .collect())
}

pub fn parse_operation(resp: &HttpResponse) -> Result<Accepted, ProviderError> {
    checked(resp)?;
    // A delete is a 204 with no body.
    let Some(v) = parse_json(resp) else {
        return Ok(Accepted::default());
    };
    let server_status = v
        .get("server")
        .filter(|s| s.is_object())
        .map(|s| text(s, "status"))
        .filter(|s| !s.is_empty());
    Ok(Accepted {
        message: text(&v, "message"),
        // A create answers with the snapshot itself.
        snapshot: if server_status.is_none() {
            snapshot(&v).map(|(_, s)| s)
        } else {
            None
        },
        server_status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProviderKind;
    use crate::providers::tests::resp;

    fn account() -> Account {
        Account {
            provider: ProviderKind::Vpsorg,
            label: "V".into(),
            base_url: "https://admin.vps.org/api/v1".into(),
            credentials: Credentials::Vpsorg {
                token: "tok".into(),
            },
            proxy: String::new(),
            protected: Vec::new(),
        }
    }

    const SEED_LIST: &str = r#"{"count": 2, "results": [
      {"id": 801, "server": {"id": 12345, "name": "web-server-01"}, "name": "pre-migration-snapshot",
       "status": "completed", "size_mb": 5120, "created_at": "2025-01-15T18:30:00Z",
       "description": "Before major migration"},
      {"id": 798, "server": {"id": 12345, "name": "web-server-01"}, "name": "weekly-snapshot-2025-01-08",
       "status": "completed", "size_mb": 4856, "created_at": "2025-01-08T12:00:00Z",
       "description": "Weekly snapshot"}]}"#;

    #[test]
    fn requests_carry_the_bearer_token_and_trailing_slashes() {
        let r = snapshots(&account(), Some("12345"));
        assert_eq!(
            r.url,
            "https://admin.vps.org/api/v1/snapshots/?server_id=12345"
        );
        assert_eq!(r.method, Method::Get);
        assert!(r.headers.contains(&("Authorization", "Bearer tok".into())));
        assert!(
            r.headers
                .contains(&("Content-Type", "application/json".into()))
        );
        assert_eq!(
            servers(&account()).url,
            "https://admin.vps.org/api/v1/servers/"
        );
        assert_eq!(
            account_check(&account()).url,
            "https://admin.vps.org/api/v1/account/me/"
        );
    }

    #[test]
    fn operations() {
        let a = account();
        let create = operation(
            &a,
            "12345",
            &Operation::Create {
                name: "n-1".into(),
                description: " d ".into(),
            },
        )
        .unwrap();
        assert_eq!(create.method, Method::Post);
        assert_eq!(create.url, "https://admin.vps.org/api/v1/snapshots/");
        let body: Value = serde_json::from_str(create.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"server_id": 12345, "name": "n-1", "description": "d"})
        );
        let bare = operation(
            &a,
            "12345",
            &Operation::Create {
                name: "n".into(),
                description: "".into(),
            },
        )
        .unwrap();
        assert!(!bare.body.unwrap().contains("description"));
        let restore = operation(
            &a,
            "12345",
            &Operation::GoBack {
                snapshot: "801".into(),
            },
        )
        .unwrap();
        assert_eq!(
            (restore.method, restore.url.as_str()),
            (
                Method::Post,
                "https://admin.vps.org/api/v1/snapshots/801/restore/"
            )
        );
        let delete = operation(
            &a,
            "12345",
            &Operation::Delete {
                snapshot: "801".into(),
            },
        )
        .unwrap();
        assert_eq!(
            operation(
                &a,
                "12345",
                &Operation::Recreate {
                    snapshot: "801".into()
                }
            ),
            None
        );
        assert_eq!(
            (delete.method, delete.url.as_str()),
            (
                Method::Delete,
                "https://admin.vps.org/api/v1/snapshots/801/"
            )
        );
    }

    #[test]
    fn parses_the_seed_list() {
        let list = parse_snapshots(&resp(200, SEED_LIST)).unwrap();
        assert_eq!(list.len(), 2);
        let (server, s) = &list[0];
        assert_eq!(server, "12345");
        assert_eq!(s.key, "801");
        assert_eq!(s.name, "pre-migration-snapshot");
        assert_eq!(s.status, SnapshotStatus::Completed);
        assert_eq!(s.size_mb, Some(5120));
        assert_eq!(s.description, "Before major migration");
        assert_eq!(s.created, Some(1_736_965_800));
    }

    #[test]
    fn create_answer_is_an_in_progress_snapshot() {
        let body = r#"{"id": 802, "server": {"id": 12345, "name": "web-server-01"},
          "name": "before-update-snapshot", "status": "in_progress", "size_mb": null,
          "created_at": "2025-01-16T16:15:00Z", "description": "Snapshot before system update",
          "message": "Snapshot is being created. This may take 3-10 minutes depending on server size."}"#;
        let a = parse_operation(&resp(201, body)).unwrap();
        let s = a.snapshot.unwrap();
        assert_eq!(s.status, SnapshotStatus::InProgress);
        assert_eq!(s.size_mb, None);
        assert!(a.message.contains("3-10 minutes"));
        assert_eq!(a.server_status, None);
    }

    #[test]
    fn restore_answer_reports_the_server_restoring() {
        let body = r#"{"status": "success", "message": "Server is being restored from snapshot. This may take 5-15 minutes.",
          "snapshot": {"id": 801, "name": "pre-migration-snapshot", "created_at": "2025-01-15T18:30:00Z"},
          "server": {"id": 12345, "name": "web-server-01", "status": "restoring"}}"#;
        let a = parse_operation(&resp(200, body)).unwrap();
        assert_eq!(a.server_status.as_deref(), Some("restoring"));
        assert!(a.snapshot.is_none());
        let deleted = parse_operation(&resp(204, "")).unwrap();
        assert_eq!(deleted, Accepted::default());
    }

    #[test]
    fn error_bodies_in_every_shape() {
        let cases = [
            (401, r#"{"detail": "Invalid token."}"#, "Invalid token."),
            (404, r#"{"detail": "Not found."}"#, "Not found."),
            (
                400,
                r#"{"name": ["Use only letters."], "server_id": ["This field is required."]}"#,
                "name: Use only letters.; server_id: This field is required.",
            ),
            (
                400,
                r#"{"non_field_errors": ["Snapshot limit reached"]}"#,
                "Snapshot limit reached",
            ),
            (400, r#"{"message": "Bad"}"#, "Bad"),
            (400, r#"{"error": "Worse"}"#, "Worse"),
            (
                409,
                r#"{"detail": {"code": 7, "busy": true, "why": ["locked", "", null]}}"#,
                "busy: true; code: 7; why: locked",
            ),
            (400, r#"["a list"]"#, "HTTP 400 Bad Request"),
            (502, "<html>bad gateway</html>", "HTTP 502 Bad Gateway"),
            (400, "{}", "HTTP 400 Bad Request"),
        ];
        for (status, body, want) in cases {
            assert_eq!(error_text(&resp(status, body)), want, "{body}");
        }
        assert!(
            matches!(parse_snapshots(&resp(401, r#"{"detail":"Invalid token."}"#)), Err(ProviderError::Auth(m)) if m == "Invalid token.")
        );
        assert!(matches!(
            parse_operation(&resp(400, r#"{"detail":"x"}"#)),
            Err(ProviderError::Refused { status: 400, .. })
        ));
        assert!(matches!(
            parse_servers(&resp(503, "")),
            Err(ProviderError::Server { status: 503, .. })
        ));
    }

    #[test]
    fn lenient_snapshot_fields() {
        let body = r#"{"count": 4, "results": [
          {"id": "9", "server": 5, "name": "a", "status": "failed", "size_mb": "12"},
          {"id": 10, "server_id": 5, "status": null},
          {"server": {"id": 5}, "name": "no id"},
          {"id": 11, "name": "no server"}]}"#;
        let list = parse_snapshots(&resp(200, body)).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].0, "5");
        assert_eq!(list[0].1.status, SnapshotStatus::Other("failed".into()));
        assert_eq!(list[0].1.size_mb, Some(12));
        assert_eq!(list[1].1.name, "Snapshot 10");
    }

    #[test]
    fn malformed_lists_are_errors() {
        for body in ["", "[", "{\"count\": 1}", "{\"results\": {}}", "null"] {
            assert!(parse_snapshots(&resp(200, body)).is_err(), "{body:?}");
            assert!(parse_servers(&resp(200, body)).is_err(), "{body:?}");
        }
    }

    #[test]
    fn servers_list() {
        let body = r#"{"count": 1, "results": [
          {"id": 12345, "name": "web-server-01", "hostname": "web01.example.com", "status": "active",
           "ip_address": "203.0.113.10", "location": "us-west",
           "plan": {"id": 1, "name": "Standard VPS", "vcpus": 2, "memory": 4096, "storage": 80},
           "os": {"id": 5, "name": "Ubuntu 22.04 LTS"},
           "created_at": "2025-01-10T14:30:00Z", "updated_at": "2025-01-15T10:20:00Z"}]}"#;
        let page = parse_servers(&resp(200, body)).unwrap();
        assert_eq!(page.servers[0].key, "12345");
        assert_eq!(page.servers[0].os, "Ubuntu 22.04 LTS");
        assert_eq!(page.servers[0].address, "203.0.113.10");
    }

    #[test]
    fn account_check_gives_the_email() {
        let body = r#"{"account": {"email": "me@example.com"}, "token": {"name": "t", "permissions": []}}"#;
        assert_eq!(
            parse_account_check(&resp(200, body)).unwrap(),
            "me@example.com"
        );
    }
}
