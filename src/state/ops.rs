//! An operation's life, from the click to the provider's list showing it
//! done. Pure: the clock (milliseconds) and the lists are passed in, so every
//! rule here is a native test over simulated minutes.
//!
//! ```text
//! Sending ──accepted──▶ Waiting ──a list shows it──▶ Settled
//!    │                     │
//!    └──refused──▶ Refused └──15 min, no list shows it──▶ NotConfirmed
//!                                  (check again ▶ Waiting, or dismiss)
//! ```
//!
//! ilkbyte reports no progress at all, and VPS.org only an `in_progress`
//! status: the lists are the only witness. A list that does not show the
//! change yet never ends an operation.

use crate::i18n::{fill, t};
use crate::model::{Operation, ProviderKind, Server, Snapshot, SnapshotStatus};

/// No confirmation this long after the provider accepted: say so.
pub const CONFIRM_WITHIN_MS: f64 = 15.0 * 60.0 * 1000.0;

/// Which list shows that an operation is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Witness {
    Servers,
    Snapshots,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// The request is on its way to the provider.
    Sending,
    /// The provider accepted it at `accepted` (ms); no list shows it yet.
    Waiting { accepted: f64 },
    /// Accepted, and no list has shown it within 15 minutes.
    NotConfirmed { accepted: f64 },
    /// A list fetched after the acceptance shows it done, at `at`.
    Settled { at: f64 },
    /// The provider refused it, in its own words.
    Refused(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PendingOp {
    pub op: Operation,
    /// When the request was sent (ms).
    pub started: f64,
    pub phase: Phase,
    /// The snapshot as it was before (to see a recreate's new date, a
    /// schedule's change).
    pub before: Option<Snapshot>,
    /// What the provider said when it accepted ("Snapshot deleted!",
    /// "This may take 3-10 minutes"): an acceptance, not a result.
    pub note: String,
    /// A create whose snapshot the provider holds already: VPS.org answers
    /// with it (`in_progress`), ilkbyte's list shows it. Until then its card
    /// is a placeholder, not counted against the provider's limit.
    pub listed: bool,
}

impl PendingOp {
    pub fn new(op: Operation, now: f64, before: Option<Snapshot>) -> PendingOp {
        PendingOp {
            op,
            started: now,
            phase: Phase::Sending,
            before,
            note: String::new(),
            listed: false,
        }
    }

    /// The provider accepted the request.
    pub fn accept(&mut self, now: f64, note: String) {
        if self.phase == Phase::Sending {
            self.phase = Phase::Waiting { accepted: now };
            self.note = note;
        }
    }

    /// The provider refused the request.
    pub fn refuse(&mut self, message: String) {
        if self.phase == Phase::Sending {
            self.phase = Phase::Refused(message);
        }
    }

    /// When the provider accepted, if it has.
    pub fn accepted(&self) -> Option<f64> {
        match self.phase {
            Phase::Waiting { accepted } | Phase::NotConfirmed { accepted } => Some(accepted),
            _ => None,
        }
    }

    /// Still under way: the server is polled fast, the card stays.
    pub fn in_flight(&self) -> bool {
        matches!(self.phase, Phase::Sending | Phase::Waiting { .. })
    }

    /// Ended, one way or the other: the card may drop it.
    pub fn is_over(&self) -> bool {
        matches!(self.phase, Phase::Settled { .. } | Phase::Refused(_))
    }

    pub fn is_create(&self) -> bool {
        matches!(self.op, Operation::Create { .. })
    }

    /// A create the provider does not hold yet: its card is a placeholder.
    pub fn is_placeholder(&self) -> bool {
        self.is_create() && !self.listed && !self.is_over()
    }

    pub fn witness(&self, provider: ProviderKind) -> Witness {
        match (&self.op, provider) {
            (Operation::GoBack { .. }, ProviderKind::Vpsorg) => Witness::Servers,
            _ => Witness::Snapshots,
        }
    }

    /// The clock moved on: 15 minutes after the acceptance without a list
    /// showing the change, the operation is not confirmed.
    pub fn tick(&mut self, now: f64) {
        if let Phase::Waiting { accepted } = self.phase
            && self.is_late(now)
        {
            self.phase = Phase::NotConfirmed { accepted };
        }
    }

    /// Waiting, and past the 15 minutes: `tick` will say so.
    pub fn is_late(&self, now: f64) -> bool {
        matches!(self.phase, Phase::Waiting { accepted } if now - accepted > CONFIRM_WITHIN_MS)
    }

    /// "Check again" on a not-confirmed operation: watch the lists for
    /// another 15 minutes.
    pub fn check_again(&mut self, now: f64) {
        if let Phase::NotConfirmed { .. } = self.phase {
            self.phase = Phase::Waiting { accepted: now };
        }
    }

    /// A list has arrived. `fetched` is when its request started (ms);
    /// `snapshot` is this operation's snapshot in that list, if it is
    /// there. A list asked for before the provider accepted proves
    /// nothing. Returns whether this list settled the operation.
    pub fn observe(
        &mut self,
        provider: ProviderKind,
        fetched: f64,
        server: &Server,
        snapshot: Option<&Snapshot>,
    ) -> bool {
        let Some(accepted) = self.accepted() else {
            return false;
        };
        if fetched >= accepted && snapshot.is_some() {
            self.listed = true;
        }
        if fetched < accepted || !self.shows_done(provider, server, snapshot) {
            return false;
        }
        self.phase = Phase::Settled { at: fetched };
        true
    }

    /// Does this list show the operation done?
    fn shows_done(
        &self,
        provider: ProviderKind,
        server: &Server,
        snapshot: Option<&Snapshot>,
    ) -> bool {
        match (&self.op, provider) {
            (Operation::Delete { .. }, _) => snapshot.is_none(),
            (Operation::Create { .. }, ProviderKind::Ilkbyte) => snapshot.is_some(),
            (Operation::Create { .. }, ProviderKind::Vpsorg) => {
                snapshot.is_some_and(|s| s.status != SnapshotStatus::InProgress)
            }
            (Operation::GoBack { .. }, ProviderKind::Ilkbyte) => {
                snapshot.is_some_and(|s| s.current)
            }
            // The acceptance said `restoring`; the server list says when
            // it is over.
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
                .is_some_and(|sched| match sched.parsed() {
                    Some(got) => got == (*every_days, *hour, *minute),
                    // A wording we cannot read: any change will do.
                    None => self.before.as_ref().and_then(|b| b.schedule.as_ref()) != Some(sched),
                }),
            (Operation::Unschedule { .. }, _) => snapshot.is_some_and(|s| s.schedule.is_none()),
        }
    }

    /// The kind of work, for labels and remembered durations.
    pub fn kind(&self) -> OpKind {
        OpKind::of(&self.op)
    }

    /// The card's status while this runs: "Creating… 2 min 10 s".
    pub fn status(&self, provider: ProviderKind, now: f64) -> String {
        let label = self.kind().label(provider);
        match self.phase {
            Phase::NotConfirmed { .. } => {
                fill(t().op_not_confirmed().inner(), &[("label", &label)])
            }
            _ => format!("{label} {}", elapsed(now - self.started)),
        }
    }

    /// What is happening, in one sentence.
    pub fn detail(&self, provider: ProviderKind) -> String {
        let name = provider.display_name();
        match &self.phase {
            Phase::Sending => fill(t().op_sending().inner(), &[("provider", &name)]),
            Phase::Waiting { .. } if self.note.is_empty() => {
                fill(t().op_waiting().inner(), &[("provider", &name)])
            }
            Phase::Waiting { .. } => fill(
                t().op_waiting_note().inner(),
                &[("provider", &name), ("note", &self.note)],
            ),
            Phase::NotConfirmed { .. } => fill(
                t().op_not_confirmed_detail().inner(),
                &[("provider", &name)],
            ),
            Phase::Settled { .. } => String::new(),
            Phase::Refused(why) => why.clone(),
        }
    }

    /// Milliseconds from the click to the list showing it done.
    pub fn took(&self) -> Option<f64> {
        match self.phase {
            Phase::Settled { at } => Some(at - self.started),
            _ => None,
        }
    }
}

/// "45 s", "2 min 10 s", "1 h 5 min".
pub fn elapsed(ms: f64) -> String {
    let secs = (ms.max(0.0) / 1000.0) as u64;
    let t = t();
    match secs {
        s if s < 60 => fill(t.dur_s().inner(), &[("s", &s)]),
        s if s < 3600 => fill(
            t.dur_min_s().inner(),
            &[("min", &(s / 60)), ("s", &(s % 60))],
        ),
        s => fill(
            t.dur_h_min().inner(),
            &[("h", &(s / 3600)), ("min", &((s % 3600) / 60))],
        ),
    }
}

/// The kinds of operation, for labels and remembered durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    Create,
    GoBack,
    Recreate,
    Delete,
    Schedule,
    Unschedule,
}

impl OpKind {
    pub const ALL: [OpKind; 6] = [
        OpKind::Create,
        OpKind::GoBack,
        OpKind::Recreate,
        OpKind::Delete,
        OpKind::Schedule,
        OpKind::Unschedule,
    ];

    pub fn of(op: &Operation) -> OpKind {
        match op {
            Operation::Create { .. } => OpKind::Create,
            Operation::GoBack { .. } => OpKind::GoBack,
            Operation::Recreate { .. } => OpKind::Recreate,
            Operation::Delete { .. } => OpKind::Delete,
            Operation::Schedule { .. } => OpKind::Schedule,
            Operation::Unschedule { .. } => OpKind::Unschedule,
        }
    }

    pub fn label(self, provider: ProviderKind) -> &'static str {
        let t = t();
        match (self, provider) {
            (OpKind::Create, _) => t.op_creating().inner(),
            (OpKind::GoBack, ProviderKind::Vpsorg) => t.op_restoring().inner(),
            (OpKind::GoBack, ProviderKind::Ilkbyte) => t.op_reverting().inner(),
            (OpKind::Recreate, _) => t.op_recreating().inner(),
            (OpKind::Delete, _) => t.op_deleting().inner(),
            (OpKind::Schedule, _) => t.op_scheduling().inner(),
            (OpKind::Unschedule, _) => t.op_unscheduling().inner(),
        }
    }

    /// What the provider has done, once its list shows it.
    pub fn done(self, provider: ProviderKind, snapshot: &str, server: &str) -> String {
        let name = provider.display_name();
        let t = t();
        let what = match (self, provider) {
            (OpKind::Create, _) => t.done_create().inner(),
            (OpKind::GoBack, ProviderKind::Vpsorg) => t.done_restore().inner(),
            (OpKind::GoBack, ProviderKind::Ilkbyte) => t.done_revert().inner(),
            (OpKind::Recreate, _) => t.done_recreate().inner(),
            (OpKind::Delete, _) => t.done_delete().inner(),
            (OpKind::Schedule, _) => t.done_schedule().inner(),
            (OpKind::Unschedule, _) => t.done_unschedule().inner(),
        };
        fill(
            what,
            &[
                ("snapshot", &snapshot),
                ("server", &server),
                ("provider", &name),
            ],
        )
    }

    /// The word for this kind in the remembered-durations text.
    fn code(self) -> &'static str {
        match self {
            OpKind::Create => "create",
            OpKind::GoBack => "goback",
            OpKind::Recreate => "recreate",
            OpKind::Delete => "delete",
            OpKind::Schedule => "schedule",
            OpKind::Unschedule => "unschedule",
        }
    }

    /// What the provider documents, in minutes (VPS.org only).
    fn documented(self, provider: ProviderKind) -> Option<(u32, u32)> {
        match (provider, self) {
            (ProviderKind::Vpsorg, OpKind::Create) => Some((3, 10)),
            (ProviderKind::Vpsorg, OpKind::GoBack) => Some((5, 15)),
            _ => None,
        }
    }
}

/// How many durations of one kind are remembered.
const KEEP: usize = 5;

/// How long operations took in this browser, per provider and kind: the
/// last few, for an estimate. Stored as text, one line per kind:
/// `vpsorg create 184 201 240` (seconds).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Durations {
    seen: Vec<(ProviderKind, OpKind, Vec<u32>)>,
}

impl Durations {
    pub fn parse(text: &str) -> Durations {
        let mut out = Durations::default();
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let provider = match words.next() {
                Some("ilkbyte") => ProviderKind::Ilkbyte,
                Some("vpsorg") => ProviderKind::Vpsorg,
                _ => continue,
            };
            let Some(kind) = words
                .next()
                .and_then(|w| OpKind::ALL.into_iter().find(|k| k.code() == w))
            else {
                continue;
            };
            for secs in words.filter_map(|w| w.parse::<u32>().ok()) {
                out.record(provider, kind, secs);
            }
        }
        out
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (provider, kind, secs) in &self.seen {
            let p = match provider {
                ProviderKind::Ilkbyte => "ilkbyte",
                ProviderKind::Vpsorg => "vpsorg",
            };
            out.push_str(p);
            out.push(' ');
            out.push_str(kind.code());
            for s in secs {
                out.push(' ');
                out.push_str(&s.to_string());
            }
            out.push('\n');
        }
        out
    }

    pub fn record(&mut self, provider: ProviderKind, kind: OpKind, secs: u32) {
        let i = match self
            .seen
            .iter()
            .position(|(p, k, _)| *p == provider && *k == kind)
        {
            Some(i) => i,
            None => {
                self.seen.push((provider, kind, Vec::new()));
                self.seen.len() - 1
            }
        };
        let list = &mut self.seen[i].2;
        list.push(secs);
        if list.len() > KEEP {
            list.remove(0);
        }
    }

    /// "usually about 4 min here" once this browser has seen one finish;
    /// the provider's documented range before that; nothing otherwise.
    pub fn estimate(&self, provider: ProviderKind, kind: OpKind) -> Option<String> {
        let seen = self
            .seen
            .iter()
            .find(|(p, k, _)| *p == provider && *k == kind)
            .map(|(_, _, s)| s.as_slice())
            .filter(|s| !s.is_empty());
        match seen {
            Some(secs) => {
                let mut order: Vec<usize> = (0..secs.len()).collect();
                super::sort_positions(&mut order, &|a, b| secs[a].cmp(&secs[b]).then(a.cmp(&b)));
                let median = secs[order[order.len() / 2]];
                Some(fill(
                    t().estimate_seen().inner(),
                    &[("time", &rounded(u64::from(median)))],
                ))
            }
            None => kind.documented(provider).map(|(lo, hi)| {
                fill(
                    t().estimate_documented().inner(),
                    &[
                        ("provider", &provider.display_name()),
                        ("lo", &lo),
                        ("hi", &hi),
                    ],
                )
            }),
        }
    }
}

/// A duration for an estimate: "40 s", "4 min", "1 h 10 min".
fn rounded(secs: u64) -> String {
    let t = t();
    match secs {
        s if s < 60 => fill(t.dur_s().inner(), &[("s", &s)]),
        s if s < 3600 => fill(t.dur_min().inner(), &[("min", &((s + 30) / 60))]),
        s => fill(
            t.dur_h_min().inner(),
            &[("h", &(s / 3600)), ("min", &((s % 3600 + 30) / 60))],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schedule;

    const ILK: ProviderKind = ProviderKind::Ilkbyte;
    const VPS: ProviderKind = ProviderKind::Vpsorg;
    const SEC: f64 = 1000.0;
    const MIN: f64 = 60.0 * SEC;

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

    fn create(name: &str) -> Operation {
        Operation::Create {
            name: name.into(),
            description: String::new(),
        }
    }

    fn on(name: &str, f: fn(String) -> Operation) -> Operation {
        f(name.into())
    }

    fn delete(s: String) -> Operation {
        Operation::Delete { snapshot: s }
    }
    fn go_back(s: String) -> Operation {
        Operation::GoBack { snapshot: s }
    }
    fn recreate(s: String) -> Operation {
        Operation::Recreate { snapshot: s }
    }
    fn unschedule(s: String) -> Operation {
        Operation::Unschedule { snapshot: s }
    }

    /// Polls every `every` from `from` to `to`, showing `list` each time;
    /// returns when the operation settled, if it did.
    fn poll(
        p: &mut PendingOp,
        provider: ProviderKind,
        (from, to, every): (f64, f64, f64),
        list: impl Fn(f64) -> (Server, Option<Snapshot>),
    ) -> Option<f64> {
        let mut t = from;
        while t <= to {
            p.tick(t);
            let (server, snapshot) = list(t);
            if p.observe(provider, t, &server, snapshot.as_ref()) {
                return Some(t);
            }
            t += every;
        }
        None
    }

    #[test]
    fn a_list_that_does_not_show_the_change_never_ends_an_operation() {
        // Every operation of both providers, over 12 simulated minutes of
        // polls every 3 s that do not show the change yet.
        let cases: Vec<(ProviderKind, Operation, Server, Option<Snapshot>)> = vec![
            (ILK, create("fresh"), server("running"), None),
            (VPS, create("fresh"), server("active"), {
                let mut s = snap("fresh");
                s.status = SnapshotStatus::InProgress;
                Some(s)
            }),
            (ILK, on("a", delete), server("running"), Some(snap("a"))),
            (VPS, on("a", delete), server("active"), Some(snap("a"))),
            (ILK, on("a", go_back), server("running"), Some(snap("a"))),
            (VPS, on("a", go_back), server("restoring"), Some(snap("a"))),
            (ILK, on("a", recreate), server("running"), Some(snap("a"))),
            (
                ILK,
                Operation::Schedule {
                    snapshot: "a".into(),
                    every_days: 2,
                    hour: 4,
                    minute: 5,
                },
                server("running"),
                Some(snap("a")),
            ),
            (ILK, on("a", unschedule), server("running"), {
                let mut s = snap("a");
                s.schedule = Some(Schedule {
                    provider_text: "Her 1 günde bir 02:03 saatinde".into(),
                    next_run: None,
                    last_run_text: String::new(),
                    last_run: None,
                });
                Some(s)
            }),
        ];
        for (provider, op, srv, shown) in cases {
            let mut p = PendingOp::new(op.clone(), 0.0, shown.clone());
            assert!(p.in_flight());
            p.accept(800.0, "accepted".into());
            let settled = poll(&mut p, provider, (3.0 * SEC, 12.0 * MIN, 3.0 * SEC), |_| {
                (srv.clone(), shown.clone())
            });
            assert_eq!(settled, None, "{op:?} on {provider:?}");
            assert!(p.in_flight(), "{op:?} still waiting after 12 min");
            assert!(matches!(p.phase, Phase::Waiting { .. }));
        }
    }

    #[test]
    fn ilkbyte_create_waits_minutes_for_the_list_then_settles() {
        let mut p = PendingOp::new(create("fresh"), 0.0, None);
        // A list fetched while the request was still on its way proves nothing.
        assert!(!p.observe(ILK, 100.0, &server("running"), Some(&snap("fresh"))));
        p.accept(500.0, "Snapshot created!".into());
        assert_eq!(
            p.detail(ILK),
            "ilkbyte accepted: Snapshot created! Waiting for ilkbyte to confirm."
        );
        // The provider lists it after 4 minutes.
        let appears = 4.0 * MIN;
        let settled = poll(&mut p, ILK, (3.0 * SEC, 20.0 * MIN, 3.0 * SEC), |t| {
            (server("running"), (t >= appears).then(|| snap("fresh")))
        });
        let at = settled.expect("settles");
        assert!(at >= appears && at - appears <= 3.0 * SEC, "{at}");
        assert!(p.is_over());
        assert_eq!(p.took(), Some(at));
    }

    #[test]
    fn vpsorg_create_settles_when_completed_not_when_listed() {
        let mut p = PendingOp::new(create("fresh"), 0.0, None);
        p.accept(
            1.0 * SEC,
            "Snapshot is being created. This may take 3-10 minutes.".into(),
        );
        let mut s = snap("fresh");
        s.status = SnapshotStatus::InProgress;
        assert!(!p.observe(VPS, 5.0 * SEC, &server("active"), Some(&s)));
        s.status = SnapshotStatus::Other("failed".into());
        assert!(
            p.observe(VPS, 7.0 * MIN, &server("active"), Some(&s)),
            "any terminal status ends it"
        );
    }

    #[test]
    fn delete_settles_only_when_the_list_drops_the_snapshot() {
        for provider in [ILK, VPS] {
            let mut p = PendingOp::new(on("a", delete), 0.0, Some(snap("a")));
            p.accept(SEC, "Snapshot deleted!".into());
            assert!(!p.observe(provider, 2.0 * SEC, &server("running"), Some(&snap("a"))));
            assert!(
                p.in_flight(),
                "the card stays, marked, until the list drops it"
            );
            assert!(p.observe(provider, 90.0 * SEC, &server("running"), None));
        }
    }

    #[test]
    fn a_create_stops_being_a_placeholder_once_the_provider_holds_it() {
        let mut p = PendingOp::new(create("fresh"), 0.0, None);
        assert!(p.is_placeholder());
        p.accept(SEC, String::new());
        let mut s = snap("fresh");
        s.status = SnapshotStatus::InProgress;
        // A list asked for before the acceptance cannot hold it.
        p.observe(VPS, 0.5 * SEC, &server("active"), Some(&s));
        assert!(p.is_placeholder());
        p.observe(VPS, 3.0 * SEC, &server("active"), Some(&s));
        assert!(!p.is_placeholder(), "VPS.org counts it against the limit");
        assert!(p.in_flight(), "still being taken");
    }

    #[test]
    fn revert_settles_when_current_and_restore_when_the_server_is_back() {
        let mut p = PendingOp::new(on("a", go_back), 0.0, Some(snap("a")));
        p.accept(SEC, "Snapshot reverted!".into());
        assert!(!p.observe(ILK, 3.0 * SEC, &server("running"), Some(&snap("a"))));
        let mut current = snap("a");
        current.current = true;
        // A revert to a snapshot taken while the server was off stops it.
        assert!(p.observe(ILK, 6.0 * MIN, &server("shut off"), Some(&current)));
        assert_eq!(p.witness(ILK), Witness::Snapshots);

        let mut p = PendingOp::new(on("a", go_back), 0.0, Some(snap("a")));
        assert_eq!(p.witness(VPS), Witness::Servers);
        p.accept(SEC, "Server is being restored".into());
        let back = 9.0 * MIN;
        let settled = poll(&mut p, VPS, (4.0 * SEC, 20.0 * MIN, 4.0 * SEC), |t| {
            let status = if t < back { "restoring" } else { "stopped" };
            (server(status), Some(snap("a")))
        });
        assert!(settled.is_some_and(|t| t >= back));
    }

    #[test]
    fn recreate_settles_on_a_new_date() {
        let before = snap("a");
        let mut p = PendingOp::new(on("a", recreate), 0.0, Some(before.clone()));
        p.accept(SEC, String::new());
        assert!(!p.observe(ILK, 2.0 * SEC, &server("running"), Some(&before)));
        assert!(!p.observe(ILK, 3.0 * SEC, &server("running"), None));
        let mut after = before;
        after.created_text = "2020-11-24T10:00:00+03:00".into();
        assert!(p.observe(ILK, 5.0 * MIN, &server("running"), Some(&after)));
    }

    #[test]
    fn schedules_settle_when_the_list_shows_what_was_asked() {
        let sched = |text: &str| Schedule {
            provider_text: text.into(),
            next_run: None,
            last_run_text: String::new(),
            last_run: None,
        };
        let mut before = snap("a");
        before.schedule = Some(sched("Her 1 günde bir 02:03 saatinde"));
        let op = Operation::Schedule {
            snapshot: "a".into(),
            every_days: 2,
            hour: 4,
            minute: 5,
        };
        let mut p = PendingOp::new(op.clone(), 0.0, Some(before.clone()));
        p.accept(SEC, String::new());
        assert!(!p.observe(ILK, 2.0 * SEC, &server("running"), Some(&before)));
        let mut after = before.clone();
        after.schedule = Some(sched("Her 2 günde bir 04:05 saatinde"));
        assert!(p.observe(ILK, 60.0 * SEC, &server("running"), Some(&after)));
        // A wording we cannot read settles on any change.
        let mut p = PendingOp::new(op, 0.0, Some(before.clone()));
        p.accept(SEC, String::new());
        let mut odd = before.clone();
        odd.schedule = Some(sched("İki günde bir"));
        assert!(p.observe(ILK, 60.0 * SEC, &server("running"), Some(&odd)));

        let mut un = PendingOp::new(on("a", unschedule), 0.0, Some(before.clone()));
        un.accept(SEC, String::new());
        assert!(!un.observe(ILK, 2.0 * SEC, &server("running"), Some(&before)));
        assert!(un.observe(ILK, 40.0 * SEC, &server("running"), Some(&snap("a"))));
    }

    #[test]
    fn not_confirmed_after_15_minutes_then_check_again_or_settle_late() {
        let mut p = PendingOp::new(on("a", delete), 0.0, Some(snap("a")));
        p.accept(SEC, "Snapshot deleted!".into());
        p.tick(SEC + CONFIRM_WITHIN_MS);
        assert!(p.in_flight(), "exactly 15 minutes is not yet late");
        p.tick(SEC + CONFIRM_WITHIN_MS + 1.0);
        assert_eq!(p.phase, Phase::NotConfirmed { accepted: SEC });
        assert!(!p.in_flight(), "no more fast polling");
        assert!(!p.is_over(), "the card keeps it until dismissed");
        assert_eq!(p.status(ILK, 16.0 * MIN), "Deleting… not confirmed");
        // Check again: another 15 minutes of watching.
        p.check_again(20.0 * MIN);
        assert_eq!(
            p.phase,
            Phase::Waiting {
                accepted: 20.0 * MIN
            }
        );
        // A list showing it late still settles it.
        assert!(p.observe(ILK, 21.0 * MIN, &server("running"), None));
    }

    /// The scheduler and the lifecycle together, over simulated minutes:
    /// a 6-minute create whose list fetches fail for a while and whose tab
    /// is hidden for a while. Failures and hidden minutes never end it; once
    /// visible, it settles within 10 s of the list showing the snapshot.
    #[test]
    fn failures_and_a_hidden_tab_in_between_never_end_an_operation() {
        use crate::state::refresh::{Outcome, Pace, Scheduler};
        let appears = 6.0 * MIN;
        let failing = (1.0 * MIN)..(2.0 * MIN);
        let hidden = (4.0 * MIN)..(7.0 * MIN);
        let mut sched: Scheduler<&str> = Scheduler::new(6);
        sched.register("web01", 0.0);
        let mut op = PendingOp::new(create("fresh"), 0.0, None);
        op.accept(500.0, "Snapshot created!".into());
        let (mut polls, mut failed, mut t) = (0, 0, 0.0);
        let mut settled_at = None;
        while t < 20.0 * MIN && settled_at.is_none() {
            let visible = !hidden.contains(&t);
            if visible && hidden.contains(&(t - 100.0)) {
                // The tab came back: everything is fetched at once.
                sched.poke(|_| true, t);
            }
            for list in sched.take_due(t, visible) {
                polls += 1;
                assert!(!hidden.contains(&t), "nothing polled while hidden");
                let outcome = if failing.contains(&t) {
                    failed += 1;
                    Outcome::Failed
                } else {
                    let shown = (t >= appears).then(|| snap("fresh"));
                    if op.observe(ILK, t, &server("running"), shown.as_ref()) {
                        settled_at = Some(t);
                    }
                    Outcome::Fresh
                };
                let pace = if op.in_flight() {
                    Pace::Operation
                } else {
                    Pace::Quiet
                };
                sched.finish(&list, t, pace, outcome);
            }
            op.tick(t);
            assert!(
                op.in_flight() || settled_at.is_some(),
                "ended at {t} without the list"
            );
            t += 100.0;
        }
        assert!(failed > 0, "some fetches failed");
        assert!(polls > 20, "{polls} polls");
        // Hidden from minute 4 to 7: the snapshot appeared at 6, unseen;
        // the first poll once visible shows it.
        let at = settled_at.expect("settled");
        assert!(
            at >= hidden.end && at - hidden.end <= 10.0 * SEC,
            "settled at {at}"
        );
    }

    #[test]
    fn a_refusal_ends_the_operation_with_the_providers_words() {
        let mut p = PendingOp::new(on("a", delete), 0.0, Some(snap("a")));
        p.refuse("Snapshot bulunamadı!".into());
        assert!(p.is_over() && !p.in_flight());
        assert_eq!(p.detail(ILK), "Snapshot bulunamadı!");
        // A refused operation is never settled by a list.
        assert!(!p.observe(ILK, 10.0 * SEC, &server("running"), None));
        // Nor is it accepted afterwards.
        p.accept(11.0 * SEC, String::new());
        assert!(p.is_over());
    }

    #[test]
    fn two_operations_on_one_server_settle_independently() {
        let mut make = PendingOp::new(create("b"), 0.0, None);
        let mut gone = PendingOp::new(on("a", delete), 0.0, Some(snap("a")));
        make.accept(SEC, String::new());
        gone.accept(2.0 * SEC, String::new());
        // The delete shows first; the create is still not listed.
        let srv = server("running");
        assert!(gone.observe(ILK, 60.0 * SEC, &srv, None));
        assert!(!make.observe(ILK, 60.0 * SEC, &srv, None));
        assert!(make.observe(ILK, 5.0 * MIN, &srv, Some(&snap("b"))));
    }

    #[test]
    fn status_shows_the_phase_and_elapsed_time() {
        let mut p = PendingOp::new(create("a"), 0.0, None);
        assert_eq!(p.detail(ILK), "Sending to ilkbyte…");
        assert_eq!(p.status(ILK, 400.0), "Creating… 0 s");
        p.accept(SEC, String::new());
        assert_eq!(p.status(ILK, 130.0 * SEC), "Creating… 2 min 10 s");
        assert_eq!(
            p.detail(VPS),
            "VPS.org accepted; waiting for VPS.org to confirm."
        );
        assert_eq!(elapsed(3.0 * 3600.0 * SEC + 5.0 * MIN), "3 h 5 min");
        assert_eq!(
            OpKind::GoBack.done(ILK, "base", "web01"),
            "web01 reverted to base (ilkbyte confirmed)."
        );
        let p = PendingOp::new(on("a", go_back), 0.0, None);
        assert!(p.status(VPS, 0.0).starts_with("Restoring…"));
        assert!(p.status(ILK, 0.0).starts_with("Reverting…"));
    }

    #[test]
    fn estimates_come_from_this_browser_then_the_documentation() {
        let mut d = Durations::default();
        assert_eq!(
            d.estimate(VPS, OpKind::Create).as_deref(),
            Some("VPS.org says 3–10 minutes")
        );
        assert_eq!(d.estimate(ILK, OpKind::Create), None);
        for secs in [200, 260, 190] {
            d.record(ILK, OpKind::Create, secs);
        }
        assert_eq!(
            d.estimate(ILK, OpKind::Create).as_deref(),
            Some("usually about 3 min here"),
            "the median, 200 s"
        );
        for secs in 1..=9 {
            d.record(ILK, OpKind::Delete, secs * 10);
        }
        // Only the last five are kept: 50..90, median 70.
        assert_eq!(
            d.estimate(ILK, OpKind::Delete).as_deref(),
            Some("usually about 1 min here")
        );
        let again = Durations::parse(&d.to_text());
        assert_eq!(again, d);
        // Garbage in the stored text is skipped, not a panic.
        let odd = Durations::parse("vpsorg create 10 x 20\nnope\nilkbyte teleport 3\n\u{0}");
        assert_eq!(
            odd.estimate(VPS, OpKind::Create).as_deref(),
            Some("usually about 20 s here")
        );
    }
}
