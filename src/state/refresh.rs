//! When each list is fetched again. Pure: times are milliseconds passed in.

/// A list with something in flight starts here…
pub const FAST_MS: f64 = 3_000.0;
/// …and backs off to this.
pub const FAST_MAX_MS: f64 = 30_000.0;
/// A quiet list.
pub const SLOW_MS: f64 = 60_000.0;
const BACKOFF: f64 = 1.5;

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

    /// A fetch ended; `busy` says whether the list has anything in flight
    /// (an operation, an `in_progress` snapshot, a `restoring` server).
    pub fn finish(&mut self, now: f64, busy: bool, outcome: Outcome) {
        self.in_flight = false;
        let delay = match outcome {
            Outcome::Fresh => {
                self.failures = 0;
                if busy {
                    let d = (FAST_MS * BACKOFF.powi(self.streak as i32)).min(FAST_MAX_MS);
                    self.streak = self.streak.saturating_add(1);
                    d
                } else {
                    self.streak = 0;
                    SLOW_MS
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

#[cfg(test)]
mod tests {
    use super::*;

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
        t.finish(1_000.0, false, Outcome::Fresh);
        assert_eq!(t.next_due, 1_000.0 + SLOW_MS);
    }

    #[test]
    fn busy_lists_poll_fast_and_back_off_to_30s() {
        let mut t = ListTiming::new(0.0);
        let mut now = 0.0;
        let mut delays = Vec::new();
        for _ in 0..12 {
            t.begin();
            t.finish(now, true, Outcome::Fresh);
            delays.push(t.next_due - now);
            now = t.next_due;
        }
        assert_eq!(delays[0], 3_000.0);
        assert_eq!(delays[1], 4_500.0);
        assert!(delays.windows(2).all(|w| w[1] >= w[0]), "{delays:?}");
        assert_eq!(*delays.last().unwrap(), FAST_MAX_MS);
        // Settled: back to slow.
        t.begin();
        t.finish(now, false, Outcome::Fresh);
        assert_eq!(t.next_due - now, SLOW_MS);
    }

    #[test]
    fn a_poke_resets_the_backoff_and_reruns_after_a_fetch_under_way() {
        let mut t = ListTiming::new(0.0);
        for i in 0..5 {
            t.begin();
            t.finish(f64::from(i), true, Outcome::Fresh);
        }
        t.poke(10.0);
        assert!(t.is_due(10.0));
        t.begin();
        t.poke(11.0);
        t.finish(12.0, true, Outcome::Fresh);
        assert_eq!(
            t.next_due, 12.0,
            "the poke during the fetch asks for another"
        );
        t.begin();
        t.finish(13.0, true, Outcome::Fresh);
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
        t.finish(0.0, false, Outcome::Failed);
        assert_eq!(t.next_due, 3_000.0);
        t.begin();
        t.finish(0.0, false, Outcome::Failed);
        assert_eq!(t.next_due, 6_000.0);
        t.begin();
        t.finish(0.0, false, Outcome::RateLimited(Some(20)));
        assert_eq!(t.next_due, 20_000.0);
        t.poke(1_000.0);
        assert!(!t.is_due(1_000.0), "a poke cannot jump a Retry-After");
        assert!(t.is_due(20_000.0));
        t.begin();
        t.finish(20_000.0, false, Outcome::Fresh);
        assert_eq!(t.next_due, 20_000.0 + SLOW_MS);
    }
}
