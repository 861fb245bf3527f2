//! When each list is fetched again, and which lists go out now. Pure: times
//! are milliseconds passed in.

use rustc_hash::FxHashMap as HashMap;
use std::hash::Hash;

/// A list with something in flight starts here…
pub const FAST_MS: f64 = 3_000.0;
/// …and backs off to this…
pub const FAST_MAX_MS: f64 = 30_000.0;
/// …or to this while one of our own operations waits for the list, so its
/// card settles within 10 s of the list showing it done, however long the
/// provider takes (up to the 15 minutes).
pub const OPERATION_MAX_MS: f64 = 8_000.0;
/// A quiet list.
pub const SLOW_MS: f64 = 60_000.0;
const BACKOFF: f64 = 1.5;

/// How fast a list should be fetched again, by what it shows (in rising
/// order of urgency).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pace {
    /// Nothing in flight.
    Quiet,
    /// Something moves that we did not start (an `in_progress` snapshot,
    /// a `restoring` server).
    Busy,
    /// One of our operations waits for this list.
    Operation,
}

/// How a fetch ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    Fresh,
    Failed,
    /// 429; the provider's `Retry-After` in seconds, if it sent one.
    RateLimited(Option<u32>),
}

/// The refresh state of one list.
#[derive(Clone, Debug, PartialEq)]
pub struct ListTiming {
    pub next_due: f64,
    pub in_flight: bool,
    /// Fast polls in a row (for the backoff).
    streak: u32,
    failures: u32,
    /// Asked for while a fetch was under way: fetch again when it ends.
    rerun: bool,
    /// Nothing before this time (a provider's `Retry-After`).
    not_before: f64,
}

impl ListTiming {
    /// A new list is due at once.
    pub fn new(now: f64) -> ListTiming {
        ListTiming {
            next_due: now,
            in_flight: false,
            streak: 0,
            failures: 0,
            rerun: false,
            not_before: 0.0,
        }
    }

    pub fn is_due(&self, now: f64) -> bool {
        !self.in_flight && now >= self.next_due && now >= self.not_before
    }

    pub fn begin(&mut self) {
        self.in_flight = true;
    }

    /// A fetch ended; `pace` says what the list has in flight.
    pub fn finish(&mut self, now: f64, pace: Pace, outcome: Outcome) {
        self.in_flight = false;
        let delay = match outcome {
            Outcome::Fresh => {
                self.failures = 0;
                let cap = match pace {
                    Pace::Quiet => None,
                    Pace::Busy => Some(FAST_MAX_MS),
                    Pace::Operation => Some(OPERATION_MAX_MS),
                };
                match cap {
                    Some(cap) => {
                        let d = (FAST_MS * BACKOFF.powi(self.streak.min(16) as i32)).min(cap);
                        self.streak = self.streak.saturating_add(1);
                        d
                    }
                    None => {
                        self.streak = 0;
                        SLOW_MS
                    }
                }
            }
            Outcome::Failed => {
                self.failures = self.failures.saturating_add(1);
                (FAST_MS * 2f64.powi(self.failures as i32 - 1)).min(SLOW_MS)
            }
            Outcome::RateLimited(secs) => {
                self.failures = self.failures.saturating_add(1);
                let wait = secs.map(|s| f64::from(s) * 1000.0).unwrap_or(FAST_MS * 2.0);
                self.not_before = now + wait;
                wait
            }
        };
        self.next_due = if self.rerun { now } else { now + delay };
        self.rerun = false;
    }

    /// The fetch that ended at `at` was booked as a busy list's, because
    /// what tells its pace had not come yet (VPS.org's snapshots before
    /// its servers); they show it quiet, so the next fetch is a quiet
    /// list's. Not when a fetch is under way or was asked for since.
    pub fn turned_quiet(&mut self, at: f64) {
        if !self.in_flight && !self.rerun && self.next_due >= at + FAST_MS {
            self.streak = 0;
            self.next_due = self.next_due.max(at + SLOW_MS);
        }
    }

    /// Fetch as soon as allowed: on `Refresh`, when the tab becomes
    /// visible, when an operation starts. Resets the backoff.
    pub fn poke(&mut self, now: f64) {
        self.streak = 0;
        if self.in_flight {
            // The answer under way may predate what prompted this.
            self.rerun = true;
        } else {
            self.next_due = now;
        }
    }
}

/// Every list of the panel and its timing, with a bound on the requests in
/// flight over all of them. `K` names a list.
#[derive(Debug)]
pub struct Scheduler<K> {
    lists: HashMap<K, ListTiming>,
    in_flight: usize,
    max_in_flight: usize,
}

impl<K: Clone + Eq + Hash> Scheduler<K> {
    pub fn new(max_in_flight: usize) -> Scheduler<K> {
        Scheduler {
            lists: HashMap::default(),
            in_flight: 0,
            max_in_flight,
        }
    }

    /// A list to keep fresh, due at once if it is new.
    pub fn register(&mut self, list: K, now: f64) {
        self.lists
            .entry(list)
            .or_insert_with(|| ListTiming::new(now));
    }

    pub fn is_registered(&self, list: &K) -> bool {
        self.lists.contains_key(list)
    }

    /// Drops the lists `keep` says no to (an account removed, a server gone).
    /// A fetch of theirs under way still ends through `finish`.
    pub fn retain(&mut self, keep: impl Fn(&K) -> bool) {
        self.lists.retain(|k, _| keep(k));
    }

    /// Fetch the lists `which` selects as soon as allowed.
    pub fn poke(&mut self, which: impl Fn(&K) -> bool, now: f64) {
        self.lists
            .iter_mut()
            .filter(|(k, _)| which(k))
            .for_each(|(_, t)| t.poke(now));
    }

    /// The lists to fetch now, soonest due first, within the bound; each is
    /// marked in flight. Nothing while the tab is hidden.
    pub fn take_due(&mut self, now: f64, visible: bool) -> Vec<K> {
        if !visible {
            return Vec::new();
        }
        let room = self.max_in_flight.saturating_sub(self.in_flight);
        let candidates: Vec<(f64, K)> = self
            .lists
            .iter()
            .filter(|(_, t)| t.is_due(now))
            .map(|(k, t)| (t.next_due, k.clone()))
            .collect();
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        super::sort_positions(&mut order, &|a, b| {
            candidates[a].0.total_cmp(&candidates[b].0).then(a.cmp(&b))
        });
        order.truncate(room);
        let due: Vec<(f64, K)> = order.into_iter().map(|i| candidates[i].clone()).collect();
        for (_, k) in &due {
            if let Some(t) = self.lists.get_mut(k) {
                t.begin();
            }
        }
        self.in_flight += due.len();
        due.into_iter().map(|(_, k)| k).collect()
    }

    /// A fetch from `take_due` ended.
    pub fn finish(&mut self, list: &K, now: f64, pace: Pace, outcome: Outcome) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if let Some(t) = self.lists.get_mut(list) {
            t.finish(now, pace, outcome);
        }
    }

    /// See [`ListTiming::turned_quiet`].
    pub fn turned_quiet(&mut self, list: &K, at: f64) {
        if let Some(t) = self.lists.get_mut(list) {
            t.turned_quiet(at);
        }
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Nothing in flight and nothing due: what `Refresh` asked for is done.
    pub fn is_quiet(&self, now: f64) -> bool {
        self.in_flight == 0 && !self.lists.values().any(|t| t.is_due(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_once_every_poked_list_has_answered() {
        let mut s = Scheduler::new(1);
        s.register("a", 0.0);
        s.register("b", 0.0);
        assert!(!s.is_quiet(0.0), "new lists are due");
        let first = s.take_due(0.0, true);
        assert_eq!(first.len(), 1, "the bound holds one");
        assert!(!s.is_quiet(0.0));
        s.finish(&first[0], 10.0, Pace::Quiet, Outcome::Fresh);
        assert!(!s.is_quiet(10.0), "the other is still due");
        let second = s.take_due(10.0, true);
        s.finish(&second[0], 20.0, Pace::Quiet, Outcome::Fresh);
        assert!(s.is_quiet(20.0));
        s.poke(|_| true, 30.0);
        assert!(!s.is_quiet(30.0), "a refresh makes them due again");
    }

    #[test]
    fn new_lists_are_due_at_once_and_never_twice_in_flight() {
        let mut t = ListTiming::new(100.0);
        assert!(t.is_due(100.0));
        t.begin();
        assert!(!t.is_due(1e12), "never two requests for the same list");
    }

    #[test]
    fn quiet_lists_refresh_slowly() {
        let mut t = ListTiming::new(0.0);
        t.begin();
        t.finish(1_000.0, Pace::Quiet, Outcome::Fresh);
        assert_eq!(t.next_due, 1_000.0 + SLOW_MS);
    }

    #[test]
    fn busy_lists_poll_fast_and_back_off_to_30s() {
        let mut t = ListTiming::new(0.0);
        let mut now = 0.0;
        let mut delays = Vec::new();
        for _ in 0..12 {
            t.begin();
            t.finish(now, Pace::Busy, Outcome::Fresh);
            delays.push(t.next_due - now);
            now = t.next_due;
        }
        assert_eq!(delays[0], 3_000.0);
        assert_eq!(delays[1], 4_500.0);
        assert!(delays.windows(2).all(|w| w[1] >= w[0]), "{delays:?}");
        assert_eq!(*delays.last().unwrap(), FAST_MAX_MS);
        // Settled: back to slow.
        t.begin();
        t.finish(now, Pace::Quiet, Outcome::Fresh);
        assert_eq!(t.next_due - now, SLOW_MS);
    }

    #[test]
    fn a_list_booked_busy_before_its_pace_was_known_goes_quiet() {
        let mut t = ListTiming::new(0.0);
        t.begin();
        t.finish(100.0, Pace::Busy, Outcome::Fresh);
        assert_eq!(t.next_due, 100.0 + FAST_MS);
        t.turned_quiet(100.0);
        assert_eq!(t.next_due, 100.0 + SLOW_MS);
        // Then busy again: the backoff starts over.
        t.begin();
        t.finish(200.0, Pace::Busy, Outcome::Fresh);
        assert_eq!(t.next_due, 200.0 + FAST_MS);

        // Asked for meanwhile (Refresh): that stands.
        let mut poked = ListTiming::new(0.0);
        poked.begin();
        poked.finish(100.0, Pace::Busy, Outcome::Fresh);
        poked.poke(150.0);
        poked.turned_quiet(100.0);
        assert!(poked.is_due(150.0));
        // Under way again: its own answer will tell.
        poked.begin();
        let booked = poked.next_due;
        poked.turned_quiet(100.0);
        assert!(poked.in_flight);
        assert_eq!(poked.next_due, booked);
    }

    #[test]
    fn a_poke_resets_the_backoff_and_reruns_after_a_fetch_under_way() {
        let mut t = ListTiming::new(0.0);
        for i in 0..5 {
            t.begin();
            t.finish(f64::from(i), Pace::Busy, Outcome::Fresh);
        }
        t.poke(10.0);
        assert!(t.is_due(10.0));
        t.begin();
        t.poke(11.0);
        t.finish(12.0, Pace::Busy, Outcome::Fresh);
        assert_eq!(
            t.next_due, 12.0,
            "the poke during the fetch asks for another"
        );
        t.begin();
        t.finish(13.0, Pace::Busy, Outcome::Fresh);
        assert_eq!(
            t.next_due,
            13.0 + FAST_MS * BACKOFF,
            "backoff restarted at the poke"
        );
    }

    #[test]
    fn failures_back_off_and_429_honours_retry_after() {
        let mut t = ListTiming::new(0.0);
        t.begin();
        t.finish(0.0, Pace::Quiet, Outcome::Failed);
        assert_eq!(t.next_due, 3_000.0);
        t.begin();
        t.finish(0.0, Pace::Quiet, Outcome::Failed);
        assert_eq!(t.next_due, 6_000.0);
        t.begin();
        t.finish(0.0, Pace::Quiet, Outcome::RateLimited(Some(20)));
        assert_eq!(t.next_due, 20_000.0);
        t.poke(1_000.0);
        assert!(!t.is_due(1_000.0), "a poke cannot jump a Retry-After");
        assert!(t.is_due(20_000.0));
        t.begin();
        t.finish(20_000.0, Pace::Quiet, Outcome::Fresh);
        assert_eq!(t.next_due, 20_000.0 + SLOW_MS);
    }

    #[test]
    fn an_operation_is_polled_fast_for_its_whole_life_within_the_settle_budget() {
        // A 12-minute operation: every gap between polls stays at or under
        // 8 s, so the card settles within 10 s of the list changing.
        let mut t = ListTiming::new(0.0);
        let mut now = 0.0;
        let mut polls = 0;
        while now < 12.0 * 60_000.0 {
            t.begin();
            t.finish(now, Pace::Operation, Outcome::Fresh);
            let gap = t.next_due - now;
            assert!(gap <= OPERATION_MAX_MS, "gap {gap} at {now}");
            now = t.next_due;
            polls += 1;
        }
        assert!(polls > 80, "{polls} polls in 12 minutes");
        // The first polls are still fast.
        let mut t = ListTiming::new(0.0);
        t.begin();
        t.finish(0.0, Pace::Operation, Outcome::Fresh);
        assert_eq!(t.next_due, FAST_MS);
    }

    #[test]
    fn the_scheduler_bounds_requests_in_flight_and_polls_nothing_hidden() {
        let mut s: Scheduler<u32> = Scheduler::new(6);
        for k in 0..10 {
            s.register(k, f64::from(k));
        }
        assert!(s.take_due(100.0, false).is_empty(), "hidden: nothing");
        let first = s.take_due(100.0, true);
        assert_eq!(first, [0, 1, 2, 3, 4, 5], "soonest due first, six at most");
        assert!(s.take_due(100.0, true).is_empty(), "no room");
        s.finish(&0, 200.0, Pace::Quiet, Outcome::Fresh);
        assert_eq!(s.take_due(200.0, true), [6], "one finished, one more goes");
        // Never two requests for the same list.
        s.poke(|_| true, 300.0);
        let again = s.take_due(300.0, true);
        assert!(!again.contains(&1) && !again.contains(&6), "{again:?}");
        assert_eq!(s.in_flight(), 6);
        // A list dropped while in flight still frees its slot.
        s.retain(|k| *k != 1);
        s.finish(&1, 400.0, Pace::Quiet, Outcome::Fresh);
        assert_eq!(s.in_flight(), 5);
        assert!(!s.is_registered(&1));
    }

    #[test]
    fn a_poke_during_a_fetch_fetches_again_when_it_ends() {
        let mut s: Scheduler<&str> = Scheduler::new(6);
        s.register("a", 0.0);
        assert_eq!(s.take_due(0.0, true), ["a"]);
        s.poke(|k| *k == "a", 10.0);
        s.finish(&"a", 20.0, Pace::Quiet, Outcome::Fresh);
        assert_eq!(
            s.take_due(20.0, true),
            ["a"],
            "the answer predated the poke"
        );
    }
}
