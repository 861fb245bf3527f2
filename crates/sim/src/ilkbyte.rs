//! ilkbyte API v1, as documented: every call a GET (or form POST), keys in
//! the query, a JSON envelope, logical errors as HTTP 200 with `status:false`.

use std::collections::HashMap;
use std::time::Instant;

use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone, Utc};
use serde_json::{Value, json};

use crate::timing::{Due, OpKind};

/// ilkbyte reports times in Turkey's zone.
pub fn turkey() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).expect("fixed offset in range")
}

/// Now in Turkey, in whole seconds as the provider reports it.
pub fn now_tr() -> DateTime<FixedOffset> {
    let now = Utc::now();
    let whole = Utc
        .timestamp_opt(now.timestamp(), 0)
        .single()
        .unwrap_or(now);
    whole.with_timezone(&turkey())
}

/// `2020-11-23T15:31:07+03:00`: whole seconds, as the provider writes it.
fn rfc3339(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[derive(Clone, Debug)]
pub struct Server {
    pub name: String,
    pub osapp: String,
    /// `active` or `cancel`.
    pub service: String,
    /// `running`, `shut off`, `nil`.
    pub status: String,
    pub ipv4: String,
    pub ipv6: String,
    pub created: DateTime<FixedOffset>,
    pub snapshots: Vec<Snapshot>,
    pub current: Option<String>,
    pending: Vec<Pending>,
}

#[derive(Clone, Debug)]
pub struct Snapshot {
    pub name: String,
    pub date: DateTime<FixedOffset>,
    pub parent: Option<String>,
    /// libvirt domain state when the snapshot was taken.
    pub state: String,
    pub cron: Option<Cron>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cron {
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub next_run: DateTime<FixedOffset>,
    pub last_run: DateTime<FixedOffset>,
    /// A schedule the provider's scheduler has stopped running (it
    /// happens): its dates stay where they were.
    pub stalled: bool,
}

impl Cron {
    /// "every `day` day(s) at hour:min", starting at the next such time.
    pub fn new(day: u32, hour: u32, min: u32, now: DateTime<FixedOffset>) -> Cron {
        let today = now
            .date_naive()
            .and_hms_opt(hour, min, 0)
            .and_then(|t| now.timezone().from_local_datetime(&t).single())
            .unwrap_or(now);
        let next_run = if today > now {
            today
        } else {
            today + chrono::Duration::days(1)
        };
        // The provider's own example shows last_run equal to next_run on a
        // schedule that has not run yet.
        Cron {
            day,
            hour,
            min,
            next_run,
            last_run: next_run,
            stalled: false,
        }
    }

    /// The provider's Turkish wording: "Every N day(s) at HH:MM".
    pub fn cron_time(&self) -> String {
        format!(
            "Her {} günde bir {:02}:{:02} saatinde",
            self.day, self.hour, self.min
        )
    }
}

#[derive(Clone, Debug)]
enum Action {
    Create,
    Revert,
    Update,
    Delete,
    CronAdd { day: u32, hour: u32, min: u32 },
    CronDelete,
}

#[derive(Clone, Debug)]
struct Pending {
    action: Action,
    name: String,
    due: Instant,
}

impl Server {
    pub fn new(name: &str, status: &str, created: DateTime<FixedOffset>) -> Server {
        Server {
            name: name.to_string(),
            osapp: "Ubuntu 22.04 LTS / OpenSSH".to_string(),
            service: "active".to_string(),
            status: status.to_string(),
            ipv4: String::new(),
            ipv6: String::new(),
            created,
            snapshots: Vec::new(),
            current: None,
            pending: Vec::new(),
        }
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.snapshots.iter().position(|s| s.name == name)
    }

    fn busy(&self, name: &str) -> bool {
        self.pending.iter().any(|p| p.name == name)
    }

    /// Applies every operation that is due by `now`, then runs due schedules.
    pub fn advance(&mut self, now: Instant, wall: DateTime<FixedOffset>) {
        let (due, later): (Vec<_>, Vec<_>) = self.pending.drain(..).partition(|p| p.due <= now);
        self.pending = later;
        for p in due {
            self.apply(p, wall);
        }
        for snap in &mut self.snapshots {
            if let Some(cron) = snap.cron.as_mut().filter(|c| !c.stalled) {
                while cron.next_run <= wall {
                    snap.date = cron.next_run;
                    cron.last_run = cron.next_run;
                    cron.next_run += chrono::Duration::days(i64::from(cron.day.max(1)));
                }
            }
        }
    }

    fn apply(&mut self, p: Pending, wall: DateTime<FixedOffset>) {
        match p.action {
            Action::Create => {
                if self.find(&p.name).is_none() {
                    let state = if self.status == "running" {
                        "running"
                    } else {
                        "shutoff"
                    };
                    self.snapshots.push(Snapshot {
                        name: p.name.clone(),
                        date: wall,
                        parent: self.current.clone(),
                        state: state.to_string(),
                        cron: None,
                    });
                    // libvirt makes a new snapshot the current one.
                    self.current = Some(p.name);
                }
            }
            Action::Revert => {
                if let Some(i) = self.find(&p.name) {
                    self.status = if self.snapshots[i].state == "running" {
                        "running".into()
                    } else {
                        "shut off".into()
                    };
                    self.current = Some(p.name);
                }
            }
            Action::Update => {
                if let Some(i) = self.find(&p.name) {
                    self.snapshots[i].date = wall;
                }
            }
            Action::Delete => {
                if let Some(i) = self.find(&p.name) {
                    let gone = self.snapshots.remove(i);
                    // As libvirt does: children move up to the deleted
                    // snapshot's parent, and so does the current mark.
                    for s in &mut self.snapshots {
                        if s.parent.as_deref() == Some(gone.name.as_str()) {
                            s.parent = gone.parent.clone();
                        }
                    }
                    if self.current.as_deref() == Some(gone.name.as_str()) {
                        self.current = gone.parent;
                    }
                }
            }
            Action::CronAdd { day, hour, min } => {
                if let Some(i) = self.find(&p.name) {
                    self.snapshots[i].cron = Some(Cron::new(day, hour, min, wall));
                }
            }
            Action::CronDelete => {
                if let Some(i) = self.find(&p.name) {
                    self.snapshots[i].cron = None;
                }
            }
        }
    }

    fn counts(&self, name: &str) -> (usize, usize) {
        let children = self
            .snapshots
            .iter()
            .filter(|s| s.parent.as_deref() == Some(name))
            .count();
        let mut descendants = 0;
        let mut frontier = vec![name.to_string()];
        // Bounded by the number of snapshots: a malformed cycle cannot loop.
        for _ in 0..=self.snapshots.len() {
            let next: Vec<String> = self
                .snapshots
                .iter()
                .filter(|s| {
                    s.parent
                        .as_deref()
                        .is_some_and(|p| frontier.iter().any(|f| f == p))
                })
                .map(|s| s.name.clone())
                .collect();
            if next.is_empty() {
                break;
            }
            descendants += next.len();
            frontier = next;
        }
        (children, descendants)
    }

    fn snapshot_json(&self) -> Value {
        let list: Vec<Value> = self
            .snapshots
            .iter()
            .map(|s| {
                let (children, descendants) = self.counts(&s.name);
                let mut v = json!({
                    "name": s.name,
                    "current": self.current.as_deref() == Some(s.name.as_str()),
                    "state": s.state,
                    "location": "internal",
                    "parent": s.parent.clone().unwrap_or_else(|| "-".into()),
                    "children": children,
                    "descendants": descendants,
                    "metadata": true,
                    "date": rfc3339(s.date),
                });
                if let Some(c) = &s.cron {
                    v["params"] = json!({
                        "is_cron": true,
                        "last_run": rfc3339(c.last_run),
                        "next_run": rfc3339(c.next_run),
                        "cron_time": c.cron_time(),
                    });
                }
                v
            })
            .collect();
        json!({ "snapshots": list })
    }

    fn summary_json(&self) -> Value {
        json!({
            "name": self.name,
            "osapp": self.osapp,
            "service": self.service,
            "status": self.status,
            "ipv4": self.ipv4,
            "ipv6": self.ipv6,
            "bandwidth_limit": 1_073_741_824_000u64,
            "bandwidth_usage": 0,
            "created_time": self.created.format("%d.%m.%Y %H:%M:%S").to_string(),
        })
    }
}

#[derive(Clone, Debug)]
pub struct World {
    pub access: String,
    pub secret: String,
    pub servers: Vec<Server>,
    pub page_size: usize,
}

/// What the handler answers: an HTTP status and a JSON body.
pub type Reply = (StatusCode, Value);

fn ok(message: &str, data: Value) -> Reply {
    (
        StatusCode::OK,
        json!({"status": true, "message": message, "error": null, "data": data}),
    )
}

fn fail(error: &str) -> Reply {
    (
        StatusCode::OK,
        json!({"status": false, "message": "", "error": error, "data": null}),
    )
}

/// `base` → `base1` → `base2`…: a new alphanumeric name.
fn churned_name(name: &str) -> String {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let n: u64 = name[stem.len()..].parse().unwrap_or(0);
    format!("{stem}{}", n + 1)
}

pub fn is_alphanumeric_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric())
}

impl World {
    /// Handles one request: `path` is below `/ilkbyte`, `params` the query
    /// and form fields merged.
    pub fn handle(
        &mut self,
        path: &str,
        params: &HashMap<String, String>,
        caller_ip: &str,
        due: &mut Due<'_>,
    ) -> Reply {
        let keys_ok = params.get("access") == Some(&self.access)
            && params.get("secret") == Some(&self.secret);
        if !keys_ok {
            return (
                StatusCode::UNAUTHORIZED,
                json!({"status": false, "message": "", "error": "Invalid access or secret key!", "data": null}),
            );
        }
        let now = Instant::now();
        let wall = now_tr();
        for s in &mut self.servers {
            s.advance(now, wall);
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            [] => ok(
                "API Info",
                json!({"api_access": true, "ip_address": caller_ip, "permission": "Full"}),
            ),
            ["account"] => ok(
                "Account Info",
                json!({"balance": 74.3, "group": "Standart", "name": "Snapdeck Demo", "status": true}),
            ),
            ["server", "list"] => self.list(params, false),
            ["server", "list", "all"] => self.list(params, true),
            ["server", "manage", server, "snapshot", rest @ ..] => {
                let Some(si) = self.servers.iter().position(|s| s.name == *server) else {
                    return fail("Server not found!");
                };
                let server = &mut self.servers[si];
                match rest {
                    [] => ok("Snapshot list created", server.snapshot_json()),
                    ["create"] => action(server, params, Action::Create, now, due),
                    ["revert"] => action(server, params, Action::Revert, now, due),
                    ["update"] => action(server, params, Action::Update, now, due),
                    ["delete"] => action(server, params, Action::Delete, now, due),
                    ["cron", "add"] => {
                        let num =
                            |k: &str| params.get(k).and_then(|v| v.trim().parse::<u32>().ok());
                        match (num("day"), num("hour"), num("min")) {
                            (Some(day), Some(hour), Some(min))
                                if day >= 1 && hour <= 23 && min <= 59 =>
                            {
                                action(server, params, Action::CronAdd { day, hour, min }, now, due)
                            }
                            _ => fail(
                                "Invalid schedule: day must be 1 or more, hour 0-23 and min 0-59!",
                            ),
                        }
                    }
                    ["cron", "delete"] => action(server, params, Action::CronDelete, now, due),
                    _ => (
                        StatusCode::NOT_FOUND,
                        json!({"status": false, "message": "", "error": "Endpoint not found!", "data": null}),
                    ),
                }
            }
            _ => (
                StatusCode::NOT_FOUND,
                json!({"status": false, "message": "", "error": "Endpoint not found!", "data": null}),
            ),
        }
    }

    /// Every snapshot replaced by a new one under a new name (schedules and
    /// the tree kept in shape).
    pub fn churn(&mut self) {
        for server in &mut self.servers {
            let renamed: HashMap<String, String> = server
                .snapshots
                .iter()
                .map(|s| (s.name.clone(), churned_name(&s.name)))
                .collect();
            let rename = |n: &mut String| {
                if let Some(new) = renamed.get(n.as_str()) {
                    *n = new.clone();
                }
            };
            for s in &mut server.snapshots {
                rename(&mut s.name);
                if let Some(p) = &mut s.parent {
                    rename(p);
                }
            }
            if let Some(c) = &mut server.current {
                rename(c);
            }
            server.pending.clear();
        }
    }

    fn list(&self, params: &HashMap<String, String>, all: bool) -> Reply {
        let visible: Vec<&Server> = self
            .servers
            .iter()
            .filter(|s| all || (s.service == "active" && !s.name.contains("_REMOVE")))
            .collect();
        let size = self.page_size.max(1);
        let total = visible.len().div_ceil(size).max(1);
        let page = params
            .get("p")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        let items: Vec<Value> = visible
            .iter()
            .skip((page - 1) * size)
            .take(size)
            .map(|s| s.summary_json())
            .collect();
        ok(
            "Server list created",
            json!({
                "pagination": {"current_page": page, "total_page": total},
                "server_list": items,
            }),
        )
    }
}

fn action(
    server: &mut Server,
    params: &HashMap<String, String>,
    action: Action,
    now: Instant,
    due: &mut Due<'_>,
) -> Reply {
    let Some(name) = params
        .get("name")
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
    else {
        return fail("Missing parameter: name");
    };
    let exists = server.find(name).is_some();
    if let Action::Create = action {
        if !is_alphanumeric_name(name) {
            return fail("Snapshot name must be alphanumeric!");
        }
        if exists || server.busy(name) {
            return fail("A snapshot with this name already exists!");
        }
    } else {
        if !exists {
            return fail("Snapshot not found!");
        }
        if server.busy(name) {
            return fail("Another operation is in progress for this snapshot!");
        }
        let has_cron = server
            .snapshots
            .iter()
            .any(|s| s.name == name && s.cron.is_some());
        if matches!(action, Action::CronDelete) && !has_cron {
            return fail("Scheduled snapshot task not found!");
        }
    }
    let message = match action {
        Action::Create => "Snapshot created!",
        Action::Revert => "Snapshot reverted!",
        Action::Update => "Snapshot recreated!",
        Action::Delete => "Snapshot deleted!",
        Action::CronAdd { .. } => "Scheduled snapshot task created!",
        Action::CronDelete => "Scheduled snapshot task deleted!!",
    };
    let kind = match action {
        Action::Create => OpKind::Create,
        Action::Revert => OpKind::Revert,
        Action::Update => OpKind::Recreate,
        Action::Delete => OpKind::Delete,
        Action::CronAdd { .. } => OpKind::Schedule,
        Action::CronDelete => OpKind::Unschedule,
    };
    let due = now + due(kind, name, None);
    server.pending.push(Pending {
        action,
        name: name.to_string(),
        due,
    });
    ok(message, Value::Null)
}
