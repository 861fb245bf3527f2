//! Operations under way and the rules that say when a provider has done
//! them. ilkbyte reports no progress: its lists are the only witness.

use crate::model::{Operation, ProviderKind, Server, Snapshot, SnapshotStatus};

/// No confirmation after this long: the card says so and offers a retry.
pub const CONFIRM_WITHIN_MS: f64 = 15.0 * 60.0 * 1000.0;

/// Which list shows that an operation is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Witness {
    Servers,
    Snapshots,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PendingOp {
    pub op: Operation,
    /// When the request was sent (ms).
    pub started: f64,
    /// When the provider accepted it (ms); until then it is being sent.
    pub accepted: Option<f64>,
    /// The snapshot as it was before (to see a recreate's new date, a
    /// schedule's change).
    pub before: Option<Snapshot>,
    /// What the provider said when it accepted ("This may take 3-10 minutes").
    pub note: String,
}

impl PendingOp {
    pub fn new(op: Operation, now: f64, before: Option<Snapshot>) -> PendingOp {
        PendingOp {
            op,
            started: now,
            accepted: None,
            before,
            note: String::new(),
        }
    }

    /// What the card says while this runs.
    pub fn label(&self, provider: ProviderKind) -> &'static str {
        match (&self.op, provider) {
            (Operation::Create { .. }, _) => "Creating…",
            (Operation::GoBack { .. }, ProviderKind::Vpsorg) => "Restoring…",
            (Operation::GoBack { .. }, ProviderKind::Ilkbyte) => "Reverting…",
            (Operation::Recreate { .. }, _) => "Recreating…",
            (Operation::Delete { .. }, _) => "Deleting…",
            (Operation::Schedule { .. }, _) => "Scheduling…",
            (Operation::Unschedule { .. }, _) => "Removing schedule…",
        }
    }

    pub fn witness(&self, provider: ProviderKind) -> Witness {
        match (&self.op, provider) {
            (Operation::GoBack { .. }, ProviderKind::Vpsorg) => Witness::Servers,
            _ => Witness::Snapshots,
        }
    }

    /// Accepted, and no confirmation within 15 minutes.
    pub fn overdue(&self, now: f64) -> bool {
        self.accepted.is_some_and(|t| now - t > CONFIRM_WITHIN_MS)
    }

    /// Does a list fetched after the provider accepted this operation show it
    /// done? `snapshot` is this operation's snapshot in that list, if there.
    pub fn settled(
        &self,
        provider: ProviderKind,
        server: &Server,
        snapshot: Option<&Snapshot>,
    ) -> bool {
        if self.accepted.is_none() {
            return false;
        }
        match (&self.op, provider) {
            (Operation::Delete { .. }, _) => snapshot.is_none(),
            (Operation::Create { .. }, ProviderKind::Ilkbyte) => snapshot.is_some(),
            (Operation::Create { .. }, ProviderKind::Vpsorg) => {
                snapshot.is_some_and(|s| s.status != SnapshotStatus::InProgress)
            }
            (Operation::GoBack { .. }, ProviderKind::Ilkbyte) => {
                snapshot.is_some_and(|s| s.current)
            }
            (Operation::GoBack { .. }, ProviderKind::Vpsorg) => !server.is_transitional(),
            (Operation::Recreate { .. }, _) => match (snapshot, &self.before) {
                (Some(now), Some(before)) => now.created_text != before.created_text,
                _ => false,
            },
            (
                Operation::Schedule {
                    every_days,
                    hour,
                    minute,
                    ..
                },
                _,
            ) => snapshot
                .and_then(|s| s.schedule.as_ref())
                .is_some_and(|sched| {
                    match sched.parsed() {
                        Some(got) => got == (*every_days, *hour, *minute),
                        // A wording we cannot read: any change will do.
                        None => {
                            self.before.as_ref().and_then(|b| b.schedule.as_ref()) != Some(sched)
                        }
                    }
                }),
            (Operation::Unschedule { .. }, _) => snapshot.is_some_and(|s| s.schedule.is_none()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schedule;

    fn server(status: &str) -> Server {
        Server {
            key: "web01".into(),
            name: "web01".into(),
            status: status.into(),
            address: String::new(),
            os: String::new(),
        }
    }

    fn snap(name: &str) -> Snapshot {
        Snapshot {
            key: name.into(),
            name: name.into(),
            status: SnapshotStatus::Completed,
            created: Some(1),
            created_text: "2020-11-23T15:31:07+03:00".into(),
            size_mb: None,
            description: String::new(),
            current: false,
            parent: None,
            children: 0,
            state: "running".into(),
            schedule: None,
        }
    }

    fn accepted(op: Operation, before: Option<Snapshot>) -> PendingOp {
        let mut p = PendingOp::new(op, 0.0, before);
        p.accepted = Some(10.0);
        p
    }

    const ILK: ProviderKind = ProviderKind::Ilkbyte;
    const VPS: ProviderKind = ProviderKind::Vpsorg;

    #[test]
    fn nothing_settles_before_the_provider_accepts() {
        let p = PendingOp::new(
            Operation::Delete {
                snapshot: "a".into(),
            },
            0.0,
            None,
        );
        assert!(!p.settled(ILK, &server("running"), None));
    }

    #[test]
    fn ilkbyte_create_settles_when_the_snapshot_appears() {
        let p = accepted(
            Operation::Create {
                name: "a".into(),
                description: String::new(),
            },
            None,
        );
        assert!(!p.settled(ILK, &server("running"), None));
        assert!(p.settled(ILK, &server("running"), Some(&snap("a"))));
    }

    #[test]
    fn vpsorg_create_settles_when_completed() {
        let p = accepted(
            Operation::Create {
                name: "a".into(),
                description: String::new(),
            },
            None,
        );
        let mut s = snap("a");
        s.status = SnapshotStatus::InProgress;
        assert!(!p.settled(VPS, &server("active"), Some(&s)));
        s.status = SnapshotStatus::Completed;
        assert!(p.settled(VPS, &server("active"), Some(&s)));
        s.status = SnapshotStatus::Other("failed".into());
        assert!(
            p.settled(VPS, &server("active"), Some(&s)),
            "any terminal status ends it"
        );
    }

    #[test]
    fn delete_settles_when_gone() {
        let p = accepted(
            Operation::Delete {
                snapshot: "a".into(),
            },
            None,
        );
        assert!(!p.settled(VPS, &server("active"), Some(&snap("a"))));
        assert!(p.settled(VPS, &server("active"), None));
        assert!(p.settled(ILK, &server("running"), None));
    }

    #[test]
    fn revert_settles_when_current_and_restore_when_the_server_is_back() {
        let p = accepted(
            Operation::GoBack {
                snapshot: "a".into(),
            },
            None,
        );
        let mut s = snap("a");
        assert!(!p.settled(ILK, &server("running"), Some(&s)));
        s.current = true;
        assert!(p.settled(ILK, &server("running"), Some(&s)));
        assert_eq!(p.witness(ILK), Witness::Snapshots);

        assert_eq!(p.witness(VPS), Witness::Servers);
        assert!(!p.settled(VPS, &server("restoring"), Some(&snap("a"))));
        assert!(p.settled(VPS, &server("active"), Some(&snap("a"))));
    }

    #[test]
    fn recreate_settles_on_a_new_date() {
        let before = snap("a");
        let p = accepted(
            Operation::Recreate {
                snapshot: "a".into(),
            },
            Some(before.clone()),
        );
        assert!(!p.settled(ILK, &server("running"), Some(&before)));
        let mut after = before;
        after.created_text = "2020-11-24T10:00:00+03:00".into();
        assert!(p.settled(ILK, &server("running"), Some(&after)));
        assert!(!p.settled(ILK, &server("running"), None));
    }

    #[test]
    fn schedules_settle_when_is_cron_flips_to_what_was_asked() {
        let sched = |text: &str| Schedule {
            provider_text: text.into(),
            next_run: None,
            last_run: None,
        };
        let op = Operation::Schedule {
            snapshot: "a".into(),
            every_days: 2,
            hour: 4,
            minute: 5,
        };
        let mut before = snap("a");
        before.schedule = Some(sched("Her 1 günde bir 02:03 saatinde"));
        let p = accepted(op, Some(before.clone()));
        assert!(
            !p.settled(ILK, &server("running"), Some(&before)),
            "old schedule still there"
        );
        let mut after = before.clone();
        after.schedule = Some(sched("Her 2 günde bir 04:05 saatinde"));
        assert!(p.settled(ILK, &server("running"), Some(&after)));
        // A wording we cannot read settles on any change.
        let mut odd = before.clone();
        odd.schedule = Some(sched("İki günde bir"));
        assert!(p.settled(ILK, &server("running"), Some(&odd)));

        let un = accepted(
            Operation::Unschedule {
                snapshot: "a".into(),
            },
            Some(before.clone()),
        );
        assert!(!un.settled(ILK, &server("running"), Some(&before)));
        assert!(un.settled(ILK, &server("running"), Some(&snap("a"))));
    }

    #[test]
    fn overdue_after_15_minutes() {
        let p = accepted(
            Operation::Delete {
                snapshot: "a".into(),
            },
            None,
        );
        assert!(!p.overdue(10.0 + CONFIRM_WITHIN_MS));
        assert!(p.overdue(10.0 + CONFIRM_WITHIN_MS + 1.0));
        let unsent = PendingOp::new(
            Operation::Delete {
                snapshot: "a".into(),
            },
            0.0,
            None,
        );
        assert!(!unsent.overdue(1e12));
    }

    #[test]
    fn labels() {
        let p = PendingOp::new(
            Operation::GoBack {
                snapshot: "a".into(),
            },
            0.0,
            None,
        );
        assert_eq!(p.label(VPS), "Restoring…");
        assert_eq!(p.label(ILK), "Reverting…");
    }
}
