//! How long operations take: the providers' documented ranges, compressed by
//! a time scale, or one fixed duration for every operation.

use std::time::Duration;

use serde::Serialize;

/// An operation, for its duration and for the record of when it is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    Create,
    Restore,
    Revert,
    Recreate,
    Delete,
    Schedule,
    Unschedule,
}

impl OpKind {
    /// Seconds an operation takes at the real providers, as a range.
    /// VPS.org documents create 3–10 min and restore 5–15 min; ilkbyte
    /// documents nothing, and its actions are the same kind of work
    /// (libvirt snapshots), so they take the same ranges.
    pub fn real_range(self) -> (f64, f64) {
        match self {
            OpKind::Create | OpKind::Recreate => (180.0, 600.0),
            OpKind::Restore | OpKind::Revert => (300.0, 900.0),
            OpKind::Delete => (60.0, 180.0),
            OpKind::Schedule | OpKind::Unschedule => (30.0, 90.0),
        }
    }
}

/// Books an operation on a target (a snapshot's name) and says how long it
/// takes: its own draw, or the duration given (an operation the provider
/// does at once).
pub type Due<'a> = dyn FnMut(OpKind, &str, Option<Duration>) -> Duration + 'a;

#[derive(Clone, Debug, PartialEq)]
pub enum Timing {
    /// Every operation takes exactly this long.
    Fixed(Duration),
    /// Each operation takes a draw from its real range, times `scale`
    /// (0.1: a 3–10 minute create takes 18–60 s).
    Realistic { scale: f64 },
}

impl Timing {
    /// The duration of one operation; `draw` is uniform in `0..1`.
    pub fn duration(&self, kind: OpKind, draw: f64) -> Duration {
        match self {
            Timing::Fixed(d) => *d,
            Timing::Realistic { scale } => {
                let (lo, hi) = kind.real_range();
                let secs = (lo + (hi - lo) * draw.clamp(0.0, 1.0)) * scale.max(0.0);
                Duration::from_secs_f64(secs)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realistic_durations_follow_the_ranges_times_the_scale() {
        let t = Timing::Realistic { scale: 0.1 };
        assert_eq!(t.duration(OpKind::Create, 0.0), Duration::from_secs(18));
        assert_eq!(t.duration(OpKind::Create, 1.0), Duration::from_secs(60));
        assert_eq!(t.duration(OpKind::Restore, 0.5), Duration::from_secs(60));
        let real = Timing::Realistic { scale: 1.0 };
        assert_eq!(
            real.duration(OpKind::Restore, 1.0),
            Duration::from_secs(900)
        );
        let fixed = Timing::Fixed(Duration::from_secs(2));
        assert_eq!(fixed.duration(OpKind::Restore, 0.9), Duration::from_secs(2));
    }
}
