//! Provider-neutral types: what the panel shows and acts on, whichever
//! provider a server lives at.

use serde::Serialize;

use crate::i18n::{fill, t};
use crate::time::relative;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Ilkbyte,
    Vpsorg,
}

impl ProviderKind {
    /// The stored name (`Serialize`'s): exact, lowercase.
    pub fn from_code(code: &str) -> Option<ProviderKind> {
        match code {
            "ilkbyte" => Some(ProviderKind::Ilkbyte),
            "vpsorg" => Some(ProviderKind::Vpsorg),
            _ => None,
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            ProviderKind::Ilkbyte => "ilkbyte",
            ProviderKind::Vpsorg => "VPS.org",
        }
    }

    /// The provider's real API base URL.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderKind::Ilkbyte => "https://api.ilkbyte.com",
            ProviderKind::Vpsorg => "https://admin.vps.org/api/v1",
        }
    }

    pub fn capabilities(self) -> Capabilities {
        match self {
            ProviderKind::Ilkbyte => Capabilities {
                go_back: GoBack::Revert,
                recreate: true,
                schedules: true,
                tree: true,
                description: false,
                snapshot_limit: None,
            },
            ProviderKind::Vpsorg => Capabilities {
                go_back: GoBack::Restore,
                recreate: false,
                schedules: false,
                tree: false,
                description: true,
                snapshot_limit: Some(5),
            },
        }
    }

    /// Checks a snapshot name against the provider's rule; the error is the
    /// rule, worded for the form.
    pub fn validate_name(self, name: &str) -> Result<(), &'static str> {
        let ok = match self {
            ProviderKind::Ilkbyte => {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric())
            }
            ProviderKind::Vpsorg => {
                !name.is_empty()
                    && name.len() <= 100
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            }
        };
        if ok {
            Ok(())
        } else {
            Err(match self {
                ProviderKind::Ilkbyte => t().name_rule_ilkbyte().inner(),
                ProviderKind::Vpsorg => t().name_rule_vpsorg().inner(),
            })
        }
    }
}

/// How a provider takes a server back to a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoBack {
    Revert,
    Restore,
}

/// What a provider can do with snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub go_back: GoBack,
    pub recreate: bool,
    pub schedules: bool,
    pub tree: bool,
    pub description: bool,
    pub snapshot_limit: Option<usize>,
}

/// One account at one provider, with its credentials.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub provider: ProviderKind,
    pub label: String,
    pub base_url: String,
    pub credentials: Credentials,
    /// CORS proxy prefix; empty means direct.
    pub proxy: String,
    /// Snapshots marked protected in the panel, as `server/snapshot` keys:
    /// delete, recreate, replace and clean-up refuse them.
    pub protected: Vec<String>,
}

impl Account {
    pub fn is_protected(&self, server: &str, snapshot: &str) -> bool {
        self.protected.iter().any(|p| {
            p.strip_prefix(server)
                .and_then(|rest| rest.strip_prefix('/'))
                == Some(snapshot)
        })
    }

    /// Marks or unmarks a snapshot as protected.
    pub fn set_protected(&mut self, server: &str, snapshot: &str, on: bool) {
        self.protected.retain(|p| {
            p.strip_prefix(server)
                .and_then(|rest| rest.strip_prefix('/'))
                != Some(snapshot)
        });
        if on {
            self.protected.push(format!("{server}/{snapshot}"));
        }
    }
}

#[derive(Clone, PartialEq, Default)]
pub enum Credentials {
    #[default]
    Missing,
    Ilkbyte {
        access: String,
        secret: String,
    },
    Vpsorg {
        token: String,
    },
}

// Secrets must never reach a log line, even through `{:?}`.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Missing => f.write_str("Missing"),
            Credentials::Ilkbyte { .. } => {
                f.write_str("Ilkbyte { access: <hidden>, secret: <hidden> }")
            }
            Credentials::Vpsorg { .. } => f.write_str("Vpsorg { token: <hidden> }"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Server {
    /// The provider's key: ilkbyte's name, VPS.org's numeric id.
    pub key: String,
    pub name: String,
    /// The provider's status text (`running`, `active`, `restoring`, …).
    pub status: String,
    pub address: String,
    /// ilkbyte: `osapp`; VPS.org: the OS name.
    pub os: String,
}

impl Server {
    /// A restore or revert is running on the server itself.
    pub fn is_transitional(&self) -> bool {
        self.status == "restoring"
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotStatus {
    Completed,
    InProgress,
    /// Anything else the provider says, shown verbatim.
    Other(String),
}

impl SnapshotStatus {
    pub fn parse(s: &str) -> SnapshotStatus {
        match s {
            "completed" => SnapshotStatus::Completed,
            "in_progress" => SnapshotStatus::InProgress,
            other => SnapshotStatus::Other(other.to_string()),
        }
    }

    pub fn label(&self) -> String {
        match self {
            SnapshotStatus::Completed => t().status_completed().inner().into(),
            SnapshotStatus::InProgress => t().status_in_progress().inner().into(),
            SnapshotStatus::Other(s) => {
                let mut c = s.chars();
                match c.next() {
                    // ASCII only: no Unicode case tables in the panel.
                    Some(first) => std::iter::once(first.to_ascii_uppercase())
                        .chain(c)
                        .collect::<String>()
                        .replace('_', " "),
                    None => t().status_unknown().inner().into(),
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The provider's key: ilkbyte's name, VPS.org's numeric id.
    pub key: String,
    pub name: String,
    pub status: SnapshotStatus,
    /// Seconds since the Unix epoch.
    pub created: Option<i64>,
    /// The date as the provider wrote it, for the exact-time tooltip.
    pub created_text: String,
    pub size_mb: Option<u64>,
    pub description: String,
    /// ilkbyte: the snapshot the server now runs from.
    pub current: bool,
    /// ilkbyte: the parent snapshot's name.
    pub parent: Option<String>,
    pub children: u32,
    /// ilkbyte: the domain state when it was taken (`running`, `shutoff`…).
    pub state: String,
    pub schedule: Option<Schedule>,
}

/// An ilkbyte schedule that re-takes one snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// The provider's own wording, shown as given.
    pub provider_text: String,
    pub next_run: Option<i64>,
    pub last_run: Option<i64>,
    /// `last_run` as the provider wrote it.
    pub last_run_text: String,
}

impl Schedule {
    /// "every N days at HH:MM" read back from the provider's Turkish text
    /// ("Her 1 günde bir 02:03 saatinde"), when it has that shape.
    pub fn parsed(&self) -> Option<(u32, u32, u32)> {
        let rest = self.provider_text.trim().strip_prefix("Her ")?;
        let (days, rest) = rest.split_once(' ')?;
        let days = days.parse().ok()?;
        let time = rest.split_whitespace().find(|w| w.contains(':'))?;
        let (h, m) = time.split_once(':')?;
        Some((days, h.parse().ok()?, m.parse().ok()?))
    }

    /// "Next run in 5 hours".
    pub fn next_run_wording(&self, now: i64) -> Option<String> {
        self.next_run.map(|at| {
            fill(
                t().schedule_next_run().inner(),
                &[("when", &relative(now, at))],
            )
        })
    }

    /// "Last run 3 hours ago". A schedule that has not run yet carries a
    /// last run in the future (the provider's own example does): that is
    /// shown as the provider wrote it, never as if it were due.
    pub fn last_run_wording(&self, now: i64) -> Option<String> {
        let at = self.last_run?;
        Some(if at > now {
            fill(
                t().schedule_not_run_yet().inner(),
                &[("given", &self.last_run_text)],
            )
        } else {
            fill(
                t().schedule_last_run().inner(),
                &[("when", &relative(now, at))],
            )
        })
    }

    pub fn describe(&self) -> String {
        match self.parsed() {
            Some((1, h, m)) => fill(
                t().schedule_daily().inner(),
                &[("time", &format!("{h:02}:{m:02}"))],
            ),
            Some((d, h, m)) => fill(
                t().schedule_every().inner(),
                &[("n", &d), ("time", &format!("{h:02}:{m:02}"))],
            ),
            None => self.provider_text.clone(),
        }
    }
}

/// A snapshot operation, as the panel asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    Create {
        name: String,
        description: String,
    },
    /// Revert (ilkbyte) or restore (VPS.org).
    GoBack {
        snapshot: String,
    },
    Recreate {
        snapshot: String,
    },
    Delete {
        snapshot: String,
    },
    Schedule {
        snapshot: String,
        every_days: u32,
        hour: u32,
        minute: u32,
    },
    Unschedule {
        snapshot: String,
    },
}

impl Operation {
    /// The snapshot key this operation concerns (none for a create).
    pub fn snapshot(&self) -> Option<&str> {
        match self {
            Operation::Create { .. } => None,
            Operation::GoBack { snapshot }
            | Operation::Recreate { snapshot }
            | Operation::Delete { snapshot }
            | Operation::Schedule { snapshot, .. }
            | Operation::Unschedule { snapshot } => Some(snapshot),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_each_providers_rule() {
        let ilk = ProviderKind::Ilkbyte;
        assert!(ilk.validate_name("Deneme2").is_ok());
        for bad in ["", "with-hyphen", "with_underscore", "has space", "ünicode"] {
            assert!(ilk.validate_name(bad).is_err(), "{bad:?}");
        }
        let vps = ProviderKind::Vpsorg;
        assert!(vps.validate_name("before-update_2").is_ok());
        for bad in ["", "has space", "dot.name", &"x".repeat(101)] {
            assert!(vps.validate_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn schedule_text_is_read_back() {
        let s = Schedule {
            provider_text: "Her 1 günde bir 02:03 saatinde".into(),
            next_run: None,
            last_run_text: String::new(),
            last_run: None,
        };
        assert_eq!(s.parsed(), Some((1, 2, 3)));
        assert_eq!(s.describe(), "Every day at 02:03");
        let s = Schedule {
            provider_text: "Her 7 günde bir 23:59 saatinde".into(),
            ..s
        };
        assert_eq!(s.describe(), "Every 7 days at 23:59");
        let odd = Schedule {
            provider_text: "Haftalık".into(),
            ..s
        };
        assert_eq!(odd.parsed(), None);
        assert_eq!(odd.describe(), "Haftalık");
    }

    #[test]
    fn a_last_run_in_the_future_is_shown_as_written_not_as_due() {
        let now = crate::time::parse_rfc3339("2026-11-26T20:00:00+03:00").unwrap();
        let s = Schedule {
            provider_text: "Her 1 günde bir 02:03 saatinde".into(),
            next_run: crate::time::parse_rfc3339("2026-11-27T02:03:00+03:00"),
            last_run: crate::time::parse_rfc3339("2026-11-27T02:03:00+03:00"),
            last_run_text: "2026-11-27T02:03:00+03:00".into(),
        };
        assert_eq!(
            s.last_run_wording(now).as_deref(),
            Some("Not run yet (ilkbyte's last run: 2026-11-27T02:03:00+03:00)")
        );
        assert_eq!(
            s.next_run_wording(now).as_deref(),
            Some("Next run in 6 hours")
        );
        let ran = Schedule {
            last_run: Some(now - 3 * 3600),
            ..s
        };
        assert_eq!(
            ran.last_run_wording(now).as_deref(),
            Some("Last run 3 hours ago")
        );
    }

    #[test]
    fn unknown_statuses_are_shown_verbatim() {
        assert_eq!(SnapshotStatus::parse("completed").label(), "Completed");
        assert_eq!(SnapshotStatus::parse("in_progress").label(), "In progress");
        assert_eq!(SnapshotStatus::parse("failed").label(), "Failed");
        assert_eq!(SnapshotStatus::parse("").label(), "Unknown");
    }

    #[test]
    fn credentials_never_print() {
        let c = Credentials::Ilkbyte {
            access: "AKEY".into(),
            secret: "SKEY".into(),
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("AKEY") && !shown.contains("SKEY"));
    }
}
