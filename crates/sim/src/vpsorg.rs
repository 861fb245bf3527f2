//! VPS.org API v1, as documented: bearer token, JSON bodies, Django REST
//! Framework shapes (`count`/`results`, `detail`, field errors), trailing
//! slashes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::timing::{Due, OpKind};

pub const SNAPSHOT_LIMIT: usize = 5;

#[derive(Clone, Debug)]
pub struct Server {
    pub id: u64,
    pub name: String,
    pub hostname: String,
    /// `active`, `stopped`, `suspended`, `restoring`.
    pub status: String,
    pub ip_address: String,
    pub location: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    restore_due: Option<Instant>,
}

#[derive(Clone, Debug)]
pub struct Snapshot {
    pub id: u64,
    pub server_id: u64,
    pub name: String,
    /// `in_progress`, `completed`, or anything else the provider invents.
    pub status: String,
    pub size_mb: Option<u64>,
    pub created_at: DateTime<Utc>,
    pub description: String,
    complete_due: Option<Instant>,
}

impl Server {
    pub fn new(
        id: u64,
        name: &str,
        status: &str,
        location: &str,
        created_at: DateTime<Utc>,
    ) -> Server {
        Server {
            id,
            name: name.to_string(),
            hostname: format!("{name}.example.com"),
            status: status.to_string(),
            ip_address: format!("203.0.113.{}", id % 250 + 1),
            location: location.to_string(),
            created_at,
            updated_at: created_at,
            restore_due: None,
        }
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "hostname": self.hostname,
            "status": self.status,
            "ip_address": self.ip_address,
            "location": self.location,
            "plan": {"id": 1, "name": "Standard VPS", "vcpus": 2, "memory": 4096, "storage": 80},
            "os": {"id": 5, "name": "Ubuntu 22.04 LTS"},
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        })
    }
}

impl Snapshot {
    pub fn new(
        id: u64,
        server_id: u64,
        name: &str,
        created_at: DateTime<Utc>,
        description: &str,
    ) -> Snapshot {
        Snapshot {
            id,
            server_id,
            name: name.to_string(),
            status: "completed".into(),
            size_mb: Some(size_for(id)),
            created_at,
            description: description.to_string(),
            complete_due: None,
        }
    }

    /// A snapshot still being taken, done at `due`.
    pub fn in_progress(mut self, due: Instant) -> Snapshot {
        self.status = "in_progress".into();
        self.size_mb = None;
        self.complete_due = Some(due);
        self
    }

    fn json(&self, servers: &[Server]) -> Value {
        let server_name = servers
            .iter()
            .find(|s| s.id == self.server_id)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        json!({
            "id": self.id,
            "server": {"id": self.server_id, "name": server_name},
            "name": self.name,
            "status": self.status,
            "size_mb": self.size_mb,
            "created_at": iso(self.created_at),
            "description": self.description,
        })
    }
}

/// A plausible, deterministic size for a finished snapshot.
fn size_for(id: u64) -> u64 {
    4096 + (id * 7919) % 2048
}

/// Now, in whole seconds as the provider reports it.
fn now_whole() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[derive(Clone, Debug)]
pub struct World {
    pub token: String,
    pub servers: Vec<Server>,
    pub snapshots: Vec<Snapshot>,
    pub next_id: u64,
}

pub type Reply = (StatusCode, Option<Value>);

fn detail(status: StatusCode, text: &str) -> Reply {
    (status, Some(json!({ "detail": text })))
}

pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl World {
    fn advance(&mut self, now: Instant) {
        for s in &mut self.snapshots {
            if s.complete_due.is_some_and(|d| d <= now) {
                s.complete_due = None;
                s.status = "completed".into();
                s.size_mb = Some(size_for(s.id));
            }
        }
        for s in &mut self.servers {
            if s.restore_due.is_some_and(|d| d <= now) {
                s.restore_due = None;
                s.status = "active".into();
                s.updated_at = Utc::now();
            }
        }
    }

    /// Handles one request below `/vpsorg/api/v1`.
    pub fn handle(
        &mut self,
        method: &Method,
        path: &str,
        query: &HashMap<String, String>,
        authorization: Option<&str>,
        body: &[u8],
        due: &mut Due<'_>,
    ) -> Reply {
        match authorization.and_then(|h| h.strip_prefix("Bearer ")) {
            None => {
                return detail(
                    StatusCode::UNAUTHORIZED,
                    "Authentication credentials were not provided.",
                );
            }
            Some(t) if t.trim() != self.token => {
                return detail(StatusCode::UNAUTHORIZED, "Invalid token.");
            }
            Some(_) => {}
        }
        let now = Instant::now();
        self.advance(now);
        if !path.ends_with('/') {
            return detail(StatusCode::NOT_FOUND, "Not found.");
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let not_allowed = || {
            detail(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("Method \"{method}\" not allowed."),
            )
        };
        match segments.as_slice() {
            ["account", "me"] => match *method {
                Method::GET => (
                    StatusCode::OK,
                    Some(json!({
                        "account": {"email": "demo@snapdeck.example", "first_name": "Demo",
                                    "last_name": "Owner", "company_name": "Snapdeck Demo",
                                    "created_at": "2024-06-15"},
                        "token": {"name": "snapdeck-demo", "permissions": ["servers:read", "snapshots:write"]},
                    })),
                ),
                _ => not_allowed(),
            },
            ["servers"] => match *method {
                Method::GET => {
                    let results: Vec<Value> = self
                        .servers
                        .iter()
                        .filter(|s| query.get("status").is_none_or(|v| *v == s.status))
                        .filter(|s| query.get("location").is_none_or(|v| *v == s.location))
                        .map(Server::json)
                        .collect();
                    (
                        StatusCode::OK,
                        Some(json!({"count": results.len(), "results": results})),
                    )
                }
                _ => not_allowed(),
            },
            ["snapshots"] => match *method {
                Method::GET => self.list(query),
                Method::POST => self.create(body, now, due),
                _ => not_allowed(),
            },
            ["snapshots", id] => match (method.clone(), id.parse::<u64>()) {
                (Method::GET, Ok(id)) => match self.snapshots.iter().find(|s| s.id == id) {
                    Some(s) => (StatusCode::OK, Some(s.json(&self.servers))),
                    None => detail(StatusCode::NOT_FOUND, "Not found."),
                },
                (Method::DELETE, Ok(id)) => match self.snapshots.iter().position(|s| s.id == id) {
                    Some(i) => {
                        // Gone from the list at once: recorded as done now.
                        let gone = self.snapshots.remove(i);
                        due(OpKind::Delete, &gone.name, Some(Duration::ZERO));
                        (StatusCode::NO_CONTENT, None)
                    }
                    None => detail(StatusCode::NOT_FOUND, "Not found."),
                },
                (Method::GET | Method::DELETE, Err(_)) => {
                    detail(StatusCode::NOT_FOUND, "Not found.")
                }
                _ => not_allowed(),
            },
            ["snapshots", id, "restore"] => match (method.clone(), id.parse::<u64>()) {
                (Method::POST, Ok(id)) => self.restore(id, now, due),
                (Method::POST, Err(_)) => detail(StatusCode::NOT_FOUND, "Not found."),
                _ => not_allowed(),
            },
            _ => detail(StatusCode::NOT_FOUND, "Not found."),
        }
    }

    /// Every snapshot replaced by a new, completed one (new id, new name).
    pub fn churn(&mut self) {
        for s in &mut self.snapshots {
            s.id = self.next_id;
            self.next_id += 1;
            let stem = s.name.split("-r").next().unwrap_or(&s.name).to_string();
            s.name = format!("{stem}-r{}", s.id);
            s.status = "completed".into();
            s.size_mb = Some(size_for(s.id));
            s.complete_due = None;
        }
    }

    fn list(&self, query: &HashMap<String, String>) -> Reply {
        let filter = match query.get("server_id") {
            None => None,
            Some(v) => match v.parse::<u64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    return (
                        StatusCode::BAD_REQUEST,
                        Some(json!({"server_id": ["A valid integer is required."]})),
                    );
                }
            },
        };
        let mut results: Vec<&Snapshot> = self
            .snapshots
            .iter()
            .filter(|s| filter.is_none_or(|id| s.server_id == id))
            .collect();
        results.sort_by_key(|s| std::cmp::Reverse(s.created_at));
        let results: Vec<Value> = results.iter().map(|s| s.json(&self.servers)).collect();
        (
            StatusCode::OK,
            Some(json!({"count": results.len(), "results": results})),
        )
    }

    fn create(&mut self, body: &[u8], now: Instant, due: &mut Due<'_>) -> Reply {
        let parsed: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return detail(StatusCode::BAD_REQUEST, &format!("JSON parse error - {e}"));
            }
        };
        let mut errors = serde_json::Map::new();
        let server_id = match parsed.get("server_id") {
            None | Some(Value::Null) => {
                errors.insert("server_id".into(), json!(["This field is required."]));
                None
            }
            Some(v) => match v.as_u64() {
                Some(id) => Some(id),
                None => {
                    errors.insert("server_id".into(), json!(["A valid integer is required."]));
                    None
                }
            },
        };
        let name = match parsed.get("name").and_then(Value::as_str) {
            None => {
                errors.insert("name".into(), json!(["This field is required."]));
                None
            }
            Some("") => {
                errors.insert("name".into(), json!(["This field may not be blank."]));
                None
            }
            Some(n) if !is_valid_name(n) => {
                errors.insert(
                    "name".into(),
                    json!(["Use only letters, digits, hyphens and underscores (at most 100 characters)."]),
                );
                None
            }
            Some(n) => Some(n.to_string()),
        };
        let description = match parsed.get("description") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                errors.insert("description".into(), json!(["Not a valid string."]));
                String::new()
            }
        };
        if !errors.is_empty() {
            return (StatusCode::BAD_REQUEST, Some(Value::Object(errors)));
        }
        let (Some(server_id), Some(name)) = (server_id, name) else {
            return detail(StatusCode::BAD_REQUEST, "Invalid parameters.");
        };
        if !self.servers.iter().any(|s| s.id == server_id) {
            return detail(StatusCode::NOT_FOUND, "Server not found.");
        }
        let count = self
            .snapshots
            .iter()
            .filter(|s| s.server_id == server_id)
            .count();
        if count >= SNAPSHOT_LIMIT {
            return (
                StatusCode::BAD_REQUEST,
                Some(json!({"non_field_errors": [format!(
                    "Snapshot limit reached: a server can have at most {SNAPSHOT_LIMIT} snapshots. Delete an old snapshot first."
                )]})),
            );
        }
        let id = self.next_id;
        self.next_id += 1;
        let done = now + due(OpKind::Create, &name, None);
        let snap = Snapshot::new(id, server_id, &name, now_whole(), &description).in_progress(done);
        let mut body = snap.json(&self.servers);
        body["message"] = json!(
            "Snapshot is being created. This may take 3-10 minutes depending on server size."
        );
        self.snapshots.push(snap);
        (StatusCode::CREATED, Some(body))
    }

    fn restore(&mut self, id: u64, now: Instant, due: &mut Due<'_>) -> Reply {
        let Some(snap) = self.snapshots.iter().find(|s| s.id == id) else {
            return detail(StatusCode::NOT_FOUND, "Not found.");
        };
        if snap.status != "completed" {
            return detail(
                StatusCode::BAD_REQUEST,
                "Snapshot is not ready: only a completed snapshot can be restored.",
            );
        }
        let Some(server) = self.servers.iter_mut().find(|s| s.id == snap.server_id) else {
            return detail(StatusCode::NOT_FOUND, "Server not found.");
        };
        if server.status == "restoring" || server.status == "suspended" {
            return detail(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Server is not in a valid state for restoration (status: {}).",
                    server.status
                ),
            );
        }
        server.status = "restoring".into();
        server.updated_at = now_whole();
        server.restore_due = Some(now + due(OpKind::Restore, &snap.name, None));
        (
            StatusCode::OK,
            Some(json!({
                "status": "success",
                "message": "Server is being restored from snapshot. This may take 5-15 minutes.",
                "snapshot": {"id": snap.id, "name": snap.name, "created_at": iso(snap.created_at)},
                "server": {"id": server.id, "name": server.name, "status": server.status},
            })),
        )
    }
}
