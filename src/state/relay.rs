//! A long-lived value followed by short-lived views.
//!
//! A Leptos 0.8 signal keeps a weak link to every effect and memo that ever
//! read it, until the signal itself goes: an effect that is dropped does not
//! unsubscribe (reactive_graph 0.2). A card that read the page's clock or its
//! server's signal directly would leave about 100 bytes in that signal each
//! time it is replaced, and a panel left open while snapshots rotate would
//! grow without bound. So a view that comes and goes follows a long-lived
//! value through a trigger of its own, registered here and dropped with the
//! view; the owner of the value calls `notify` when it changes.

use rustc_hash::FxHashMap as HashMap;

use leptos::prelude::*;

use super::store::unowned;

#[derive(Clone, Copy)]
pub struct Relay(StoredValue<Followers>);

#[derive(Default)]
struct Followers {
    next: u64,
    triggers: HashMap<u64, ArcTrigger>,
}

impl Relay {
    /// A relay that belongs to no view: `dispose` ends it.
    pub fn new() -> Relay {
        unowned(|| Relay(StoredValue::new(Followers::default())))
    }

    /// A trigger that fires on every `notify`, for the current view; it is
    /// dropped when the view is cleaned up.
    pub fn follow(self) -> ArcTrigger {
        let trigger = ArcTrigger::new();
        let id = self.0.try_update_value(|f| {
            let id = f.next;
            f.next += 1;
            f.triggers.insert(id, trigger.clone());
            id
        });
        if let Some(id) = id {
            on_cleanup(move || {
                self.0.try_update_value(|f| f.triggers.remove(&id));
            });
        }
        trigger
    }

    /// Wakes every follower.
    pub fn notify(self) {
        let triggers: Vec<ArcTrigger> = self
            .0
            .try_with_value(|f| f.triggers.values().cloned().collect())
            .unwrap_or_default();
        for t in triggers {
            t.notify();
        }
    }

    /// How many views follow it.
    pub fn followers(self) -> usize {
        self.0.try_with_value(|f| f.triggers.len()).unwrap_or(0)
    }

    pub fn dispose(self) {
        self.0.dispose();
    }
}

impl Default for Relay {
    fn default() -> Relay {
        Relay::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follower_is_woken_and_leaves_with_its_owner() {
        let relay = Relay::new();
        let owner = Owner::new();
        let trigger = owner.with(|| relay.follow());
        assert_eq!(relay.followers(), 1);
        // The trigger is notified: something reading it would rerun.
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let memo = {
            let (trigger, seen) = (trigger.clone(), seen.clone());
            owner.with(|| {
                ArcMemo::new(move |_| {
                    trigger.track();
                    seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                })
            })
        };
        assert_eq!(memo.get_untracked(), 0);
        relay.notify();
        assert_eq!(memo.get_untracked(), 1);
        relay.notify();
        assert_eq!(memo.get_untracked(), 2);
        owner.cleanup();
        assert_eq!(relay.followers(), 0);
        relay.dispose();
        // A disposed relay is inert, not a panic.
        relay.notify();
        assert_eq!(relay.followers(), 0);
    }
}
