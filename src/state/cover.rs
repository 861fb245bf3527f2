//! "Am I covered?": per server, the facts that answer it; across every
//! account, the summary and its filters; late schedules; and which
//! snapshots a clean-up deletes. Pure: the clock is passed in, in seconds.

use super::plan::made_by_snapdeck;
use crate::i18n::{count, fill, t};
use crate::model::{ProviderKind, Schedule};
use crate::time::relative;

/// A server with no completed snapshot this recent is not covered.
pub const RECENT_SECS: i64 = 7 * 86_400;
/// A schedule runs late by this much before it is flagged: the provider's
/// scheduler may start a few minutes after the hour, and a snapshot takes
/// up to ten.
pub const LATE_GRACE_SECS: i64 = 3 * 3600;

/// A schedule whose last run is older than one period plus the grace (or
/// that never ran, with its first run past by the grace): it has stopped
/// running. Returns when the run was due. A wording we cannot read has no
/// period, so it is never flagged.
pub fn late_since(schedule: &Schedule, now: i64) -> Option<i64> {
    let (days, _, _) = schedule.parsed()?;
    let period = i64::from(days.max(1)) * 86_400;
    // A last run at or after the next one is the provider's way of saying
    // "not run yet" (its own example has them equal): only the next run is
    // expected then.
    let after_last = schedule
        .last_run
        .filter(|&last| last <= now && schedule.next_run.is_none_or(|next| last < next))
        .map(|last| last + period);
    let due = match (after_last, schedule.next_run) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    (now > due + LATE_GRACE_SECS).then_some(due)
}

/// One snapshot, as the overview and the clean-up see it.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapFacts {
    pub key: String,
    pub name: String,
    /// Seconds since the epoch.
    pub created: Option<i64>,
    pub completed: bool,
    pub protected: bool,
    /// ilkbyte: the server runs from it.
    pub current: bool,
    /// An operation is under way on it.
    pub busy: bool,
    /// Its schedule is late, since this time.
    pub late_since: Option<i64>,
}

/// One server, as the overview sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerFacts {
    pub account: u32,
    pub provider: ProviderKind,
    pub name: String,
    pub snapshots: Vec<SnapFacts>,
    pub limit: Option<usize>,
    /// Operations under way on it (a plan counts once).
    pub operations: usize,
    /// Its schedules' next run, the soonest.
    pub next_run: Option<i64>,
}

impl ServerFacts {
    /// When its newest completed snapshot was taken.
    pub fn newest(&self) -> Option<i64> {
        self.snapshots
            .iter()
            .filter(|s| s.completed)
            .filter_map(|s| s.created)
            .max()
    }

    pub fn uncovered(&self, now: i64) -> bool {
        self.newest().is_none_or(|t| now - t > RECENT_SECS)
    }

    pub fn late(&self) -> usize {
        self.snapshots
            .iter()
            .filter(|s| s.late_since.is_some())
            .count()
    }

    pub fn at_limit(&self) -> bool {
        self.limit.is_some_and(|l| self.snapshots.len() >= l)
    }

    /// The server's line in the overview: each part, and whether it is a
    /// warning. "Newest snapshot 2 days ago", "Next scheduled run in 5
    /// hours", "Schedule of base late since 9 days ago", "1 operation under
    /// way".
    pub fn coverage(&self, now: i64) -> Vec<(String, bool)> {
        let t = t();
        let mut out = Vec::new();
        match self.newest() {
            None => out.push((t.cover_none().inner().to_string(), true)),
            Some(at) => out.push((
                fill(t.cover_newest().inner(), &[("when", &relative(now, at))]),
                now - at > RECENT_SECS,
            )),
        }
        for s in &self.snapshots {
            if let Some(due) = s.late_since {
                out.push((
                    fill(
                        t.cover_late().inner(),
                        &[("name", &s.name), ("when", &relative(now, due))],
                    ),
                    true,
                ));
            }
        }
        if let Some(at) = self.next_run.filter(|&at| at >= now) {
            out.push((
                fill(t.cover_next_run().inner(), &[("when", &relative(now, at))]),
                false,
            ));
        }
        if self.operations > 0 {
            out.push((Facet::Busy.label(self.operations), false));
        }
        out
    }

    pub fn has(&self, facet: Facet, now: i64) -> bool {
        match facet {
            Facet::Uncovered => self.uncovered(now),
            Facet::Late => self.late() > 0,
            Facet::AtLimit => self.at_limit(),
            Facet::Busy => self.operations > 0,
        }
    }
}

/// A summary item that filters the view to its servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facet {
    /// No completed snapshot in the last 7 days.
    Uncovered,
    Late,
    AtLimit,
    Busy,
}

impl Facet {
    pub const ALL: [Facet; 4] = [Facet::Uncovered, Facet::Late, Facet::AtLimit, Facet::Busy];

    /// The summary item's text for `n` servers (or schedules, operations).
    pub fn label(self, n: usize) -> String {
        let t = t();
        match self {
            Facet::Uncovered => count(n, t.facet_uncovered().inner(), t.facet_uncovered().inner()),
            Facet::Late => count(
                n,
                t.facet_late_singular().inner(),
                t.facet_late_plural().inner(),
            ),
            Facet::AtLimit => count(n, t.facet_at_limit().inner(), t.facet_at_limit().inner()),
            Facet::Busy => count(
                n,
                t.facet_busy_singular().inner(),
                t.facet_busy_plural().inner(),
            ),
        }
    }
}

/// The counts at the top of the page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub servers: usize,
    pub snapshots: usize,
    pub uncovered: usize,
    /// Late schedules (not servers).
    pub late: usize,
    pub at_limit: usize,
    pub operations: usize,
}

impl Summary {
    pub fn of<'a>(servers: impl IntoIterator<Item = &'a ServerFacts>, now: i64) -> Summary {
        let mut out = Summary::default();
        for s in servers {
            out.servers += 1;
            out.snapshots += s.snapshots.len();
            out.uncovered += usize::from(s.uncovered(now));
            out.late += s.late();
            out.at_limit += usize::from(s.at_limit());
            out.operations += s.operations;
        }
        out
    }

    pub fn count(&self, facet: Facet) -> usize {
        match facet {
            Facet::Uncovered => self.uncovered,
            Facet::Late => self.late,
            Facet::AtLimit => self.at_limit,
            Facet::Busy => self.operations,
        }
    }
}

/// What the view shows: every filter must let a server through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Server or snapshot name, folded (see `fold`).
    pub query: String,
    pub account: Option<u32>,
    pub provider: Option<ProviderKind>,
    pub facet: Option<Facet>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Does the view show this server? `names` are its name and its
    /// snapshots' names, each already folded.
    pub fn shows(&self, facts: &ServerFacts, names: &[String], now: i64) -> bool {
        self.account.is_none_or(|a| a == facts.account)
            && self.provider.is_none_or(|p| p == facts.provider)
            && self.facet.is_none_or(|f| facts.has(f, now))
            && (self.query.is_empty() || names.iter().any(|n| n.contains(&self.query)))
    }
}

/// Text folded for search: lower case by the page's language's rules,
/// surrounding spaces gone.
pub fn fold(text: &str) -> String {
    crate::i18n::fold(text, crate::i18n::lang())
}

/// Why a clean-up keeps a snapshot, or that it deletes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Delete,
    /// One of the newest N that Snapdeck made.
    WithinNewest,
    Protected,
    /// Its name does not say Snapdeck made it: never touched.
    NotOurs,
    /// ilkbyte: the server runs from it.
    Current,
    /// Still being taken, or under an operation.
    Busy,
}

impl Verdict {
    pub fn reason(self, keep: usize) -> String {
        let t = t();
        match self {
            Verdict::Delete => t.verdict_delete().inner().into(),
            Verdict::WithinNewest => fill(t.verdict_newest().inner(), &[("n", &keep)]),
            Verdict::Protected => t.verdict_protected().inner().into(),
            Verdict::NotOurs => t.verdict_not_ours().inner().into(),
            Verdict::Current => t.verdict_current().inner().into(),
            Verdict::Busy => t.verdict_busy().inner().into(),
        }
    }
}

/// The clean-up of one server: keep the newest `keep` snapshots Snapdeck
/// made, delete its other ones. Returns each snapshot's verdict, in the
/// order given. Newest first by date; equal dates by name, then key, the
/// later one counting as newer, so the choice never depends on the order
/// of the list.
pub fn clean_up(snaps: &[SnapFacts], keep: usize) -> Vec<Verdict> {
    let mut ours: Vec<usize> = (0..snaps.len())
        .filter(|&i| made_by_snapdeck(&snaps[i].name))
        .collect();
    super::sort_positions(&mut ours, &|a, b| {
        let (a, b) = (&ours_key(&snaps[a]), &ours_key(&snaps[b]));
        b.cmp(a)
    });
    let mut verdicts: Vec<Verdict> = snaps
        .iter()
        .map(|s| {
            if !made_by_snapdeck(&s.name) {
                Verdict::NotOurs
            } else if s.protected {
                Verdict::Protected
            } else {
                Verdict::Delete
            }
        })
        .collect();
    for (rank, &i) in ours.iter().enumerate() {
        if rank < keep && verdicts[i] == Verdict::Delete {
            verdicts[i] = Verdict::WithinNewest;
        }
    }
    for (i, s) in snaps.iter().enumerate() {
        if verdicts[i] == Verdict::Delete {
            if s.current {
                verdicts[i] = Verdict::Current;
            } else if s.busy || !s.completed {
                verdicts[i] = Verdict::Busy;
            }
        }
    }
    verdicts
}

/// The snapshot that "Replace the oldest" deletes: the oldest that is
/// complete, not protected, not the current one and not under an
/// operation. Equal dates: the smaller name, then key.
pub fn oldest_replaceable(snaps: &[SnapFacts]) -> Option<usize> {
    let mut candidates: Vec<usize> = (0..snaps.len())
        .filter(|&i| {
            let s = &snaps[i];
            s.completed && !s.protected && !s.current && !s.busy
        })
        .collect();
    super::sort_positions(&mut candidates, &|a, b| {
        ours_key(&snaps[a]).cmp(&ours_key(&snaps[b]))
    });
    candidates.first().copied()
}

fn ours_key(s: &SnapFacts) -> (i64, &str, &str) {
    (
        s.created.unwrap_or(i64::MIN),
        s.name.as_str(),
        s.key.as_str(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const NOW: i64 = 1_800_000_000;

    fn schedule(days: u32, last: Option<i64>, next: Option<i64>) -> Schedule {
        Schedule {
            provider_text: format!("Her {days} günde bir 03:30 saatinde"),
            next_run: next,
            last_run: last,
            last_run_text: String::new(),
        }
    }

    #[test]
    fn a_schedule_is_late_after_one_period_and_the_grace() {
        // Every 2 days, last ran at day 0: simulate the days after.
        let s = schedule(2, Some(0), Some(2 * DAY));
        let flagged: Vec<i64> = (0..=6 * 24)
            .map(|h| h * 3600)
            .filter(|&now| late_since(&s, now).is_some())
            .collect();
        // Due at day 2; flagged from 3 hours after it, on.
        assert_eq!(flagged.first(), Some(&(2 * DAY + 4 * 3600)));
        assert_eq!(late_since(&s, 2 * DAY + LATE_GRACE_SECS), None);
        assert_eq!(late_since(&s, 5 * DAY), Some(2 * DAY));
        // A schedule that runs every night is never late.
        let mut last = 0;
        for day in 1..30 {
            let now = day * DAY + 3600;
            last = day * DAY;
            let s = schedule(1, Some(last), Some(last + DAY));
            assert_eq!(late_since(&s, now), None, "day {day}");
        }
        assert!(last > 0);
    }

    #[test]
    fn a_schedule_that_never_ran_is_late_once_its_first_run_is_past() {
        // ilkbyte's "not run yet": last run equal to next run, ahead.
        let s = schedule(1, Some(NOW + 3600), Some(NOW + 3600));
        assert_eq!(late_since(&s, NOW), None);
        assert_eq!(
            late_since(&s, NOW + 3600 + LATE_GRACE_SECS + 1),
            Some(NOW + 3600)
        );
        // No dates, or a wording without a period: nothing to say.
        assert_eq!(late_since(&schedule(1, None, None), NOW), None);
        let odd = Schedule {
            provider_text: "Haftalık".into(),
            ..schedule(1, Some(0), Some(DAY))
        };
        assert_eq!(late_since(&odd, NOW), None);
    }

    fn snap(name: &str, created: i64) -> SnapFacts {
        SnapFacts {
            key: format!("k-{name}"),
            name: name.into(),
            created: Some(created),
            completed: true,
            protected: false,
            current: false,
            busy: false,
            late_since: None,
        }
    }

    fn server(snaps: Vec<SnapFacts>) -> ServerFacts {
        ServerFacts {
            account: 1,
            provider: ProviderKind::Vpsorg,
            name: "web".into(),
            snapshots: snaps,
            limit: Some(5),
            operations: 0,
            next_run: None,
        }
    }

    #[test]
    fn the_coverage_line_says_what_is_wrong() {
        let mut s = server(vec![snap("nightly", NOW - 8 * DAY)]);
        s.snapshots[0].late_since = Some(NOW - 7 * DAY);
        s.next_run = Some(NOW - 7 * DAY);
        s.operations = 1;
        assert_eq!(
            s.coverage(NOW),
            [
                ("Newest snapshot 8 days ago".to_string(), true),
                (
                    "Schedule of nightly late: a run was due 7 days ago".to_string(),
                    true
                ),
                ("1 operation under way".to_string(), false),
            ]
        );
        let ok = ServerFacts {
            next_run: Some(NOW + 5 * 3600),
            ..server(vec![snap("a", NOW - 3600)])
        };
        assert_eq!(
            ok.coverage(NOW),
            [
                ("Newest snapshot 60 minutes ago".to_string(), false),
                ("Next scheduled run in 5 hours".to_string(), false),
            ]
        );
        assert_eq!(
            server(Vec::new()).coverage(NOW)[0],
            ("No completed snapshot".to_string(), true)
        );
    }

    #[test]
    fn servers_are_counted_for_each_summary_item() {
        let fresh = server(vec![snap("a", NOW - DAY)]);
        let old = server(vec![snap("b", NOW - 8 * DAY)]);
        let mut none = server(Vec::new());
        none.operations = 1;
        let mut full = server(
            (0..5)
                .map(|i| snap(&format!("s{i}"), NOW - i * DAY))
                .collect(),
        );
        full.snapshots[0].late_since = Some(NOW - DAY);
        // A snapshot still being taken does not cover anyone.
        let mut taking = server(vec![snap("t", NOW)]);
        taking.snapshots[0].completed = false;
        let all = [fresh, old, none, full, taking];
        let summary = Summary::of(&all, NOW);
        assert_eq!(
            summary,
            Summary {
                servers: 5,
                snapshots: 8,
                uncovered: 3,
                late: 1,
                at_limit: 1,
                operations: 1
            }
        );
        for facet in Facet::ALL {
            let n = all.iter().filter(|s| s.has(facet, NOW)).count();
            match facet {
                Facet::Late => assert_eq!(n, 1),
                f => assert_eq!(n, summary.count(f), "{f:?}"),
            }
        }
        assert_eq!(Facet::Late.label(1), "1 late schedule");
        assert_eq!(Facet::Busy.label(2), "2 operations under way");
    }

    #[test]
    fn filters_combine() {
        let s = server(vec![snap("nightly", NOW - DAY)]);
        let names = vec![fold("web-server-01"), fold("Nightly")];
        let shows = |f: Filter| f.shows(&s, &names, NOW);
        assert!(shows(Filter::default()));
        assert!(shows(Filter {
            query: fold(" NIGHT "),
            ..Filter::default()
        }));
        assert!(shows(Filter {
            query: "server-01".into(),
            ..Filter::default()
        }));
        assert!(!shows(Filter {
            query: "db".into(),
            ..Filter::default()
        }));
        assert!(!shows(Filter {
            account: Some(2),
            ..Filter::default()
        }));
        assert!(!shows(Filter {
            provider: Some(ProviderKind::Ilkbyte),
            ..Filter::default()
        }));
        assert!(!shows(Filter {
            facet: Some(Facet::Uncovered),
            ..Filter::default()
        }));
        assert!(shows(Filter {
            query: "web".into(),
            account: Some(1),
            provider: Some(ProviderKind::Vpsorg),
            facet: None
        }));
    }

    #[test]
    fn clean_up_keeps_the_newest_ours_and_never_touches_the_rest() {
        let mut snaps = vec![
            snap("safety202611010000", NOW - 30 * DAY),
            snap("weekly", NOW - 20 * DAY),
            snap("preupdate202611100000", NOW - 20 * DAY),
            snap("safety202611200000", NOW - 5 * DAY),
            snap("safety202611250000", NOW - DAY),
            snap("preupdate202611050000", NOW - 25 * DAY),
        ];
        snaps[5].protected = true;
        let v = clean_up(&snaps, 2);
        use Verdict::*;
        assert_eq!(
            v,
            [
                Delete,
                NotOurs,
                Delete,
                WithinNewest,
                WithinNewest,
                Protected
            ]
        );
        // Keep 0: all ours but the protected one; keep many: nothing.
        assert_eq!(
            clean_up(&snaps, 0),
            [Delete, NotOurs, Delete, Delete, Delete, Protected]
        );
        assert!(!clean_up(&snaps, 10).contains(&Delete));
        // A protected one among the newest still counts as one of them.
        snaps[4].protected = true;
        assert_eq!(
            clean_up(&snaps, 2),
            [Delete, NotOurs, Delete, WithinNewest, Protected, Protected]
        );
    }

    #[test]
    fn clean_up_breaks_ties_the_same_way_whatever_the_order() {
        let a = snap("safety202611200000", NOW - DAY);
        let b = snap("safety202611200001", NOW - DAY);
        let forward = clean_up(&[a.clone(), b.clone()], 1);
        let backward = clean_up(&[b, a], 1);
        // The later name is the newer: kept either way.
        assert_eq!(forward, [Verdict::Delete, Verdict::WithinNewest]);
        assert_eq!(backward, [Verdict::WithinNewest, Verdict::Delete]);
    }

    #[test]
    fn the_oldest_unprotected_is_the_one_replaced() {
        let mut snaps = vec![
            snap("new", NOW - DAY),
            snap("old", NOW - 60 * DAY),
            snap("older-but-protected", NOW - 90 * DAY),
            snap("mid", NOW - 30 * DAY),
        ];
        snaps[2].protected = true;
        assert_eq!(oldest_replaceable(&snaps), Some(1));
        snaps[1].busy = true;
        assert_eq!(oldest_replaceable(&snaps), Some(3));
        for s in &mut snaps {
            s.protected = true;
        }
        assert_eq!(oldest_replaceable(&snaps), None);
    }

    #[test]
    fn clean_up_spares_the_current_and_the_busy() {
        let mut snaps = vec![
            snap("safety202611010000", NOW - 30 * DAY),
            snap("safety202611020000", NOW - 29 * DAY),
            snap("safety202611030000", NOW - 28 * DAY),
            snap("safety202611040000", NOW - 27 * DAY),
        ];
        snaps[0].current = true;
        snaps[1].busy = true;
        snaps[2].completed = false;
        use Verdict::*;
        assert_eq!(clean_up(&snaps, 0), [Current, Busy, Busy, Delete]);
    }
}
