//! Operations that only make sense together: a safety snapshot, then the
//! restore; delete the oldest, then create; a clean-up's deletes one by
//! one; a snapshot before an update. Pure: each step is an operation of the
//! lifecycle in `ops`, and the next is sent only once the provider's list
//! shows the one before it done. A step that is refused or not confirmed
//! ends the plan there, so the provider is left as it was before that step.
//!
//! ```text
//! step 1 ──settled──▶ step 2 ──settled──▶ … ──▶ Done
//!    │                   │
//!    └─refused / not confirmed─▶ Failed (nothing after it is sent)
//! ```

use super::ops::OpKind;
use crate::i18n::{count, fill, t};
use crate::model::{Operation, ProviderKind};

/// What a plan is for: its title, and how its failures read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A safety snapshot, then a restore (VPS.org) or revert (ilkbyte).
    SafetyFirst,
    /// At the provider's limit: delete the oldest, then create.
    ReplaceOldest,
    /// Delete the snapshots a clean-up selected, one at a time.
    CleanUp,
    /// A snapshot before an update.
    BeforeUpdate,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StepState {
    /// Not sent yet: waits for the steps before it.
    Waiting,
    /// Sent; the lists have not shown it done yet.
    Running,
    Done,
    /// Refused, or not confirmed: the provider's or our words.
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub op: Operation,
    /// The snapshot's name, for the wording (its key may be an id).
    pub name: String,
    pub state: StepState,
}

/// What the caller does next.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// Send this operation (the plan's next step).
    Send(Operation),
    /// Every step is done.
    Done,
    /// The plan stopped at a step: nothing after it is sent.
    Failed,
    /// The event was not about this plan's running step.
    Nothing,
}

/// What became of one operation, as the lifecycle saw it.
#[derive(Clone, Debug, PartialEq)]
pub enum Event<'a> {
    /// A list showed it done.
    Settled {
        kind: OpKind,
        key: &'a str,
        name: &'a str,
    },
    /// The provider (or the way to it) refused it.
    Refused {
        kind: OpKind,
        key: &'a str,
        name: &'a str,
        why: &'a str,
    },
    /// Accepted, but no list showed it done within 15 minutes.
    NotConfirmed {
        kind: OpKind,
        key: &'a str,
        name: &'a str,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub purpose: Purpose,
    pub provider: ProviderKind,
    pub steps: Vec<Step>,
}

impl Plan {
    pub fn new(purpose: Purpose, provider: ProviderKind, steps: Vec<(Operation, String)>) -> Plan {
        Plan {
            purpose,
            provider,
            steps: steps
                .into_iter()
                .map(|(op, name)| Step {
                    op,
                    name,
                    state: StepState::Waiting,
                })
                .collect(),
        }
    }

    /// A safety snapshot named `safety`, then back to `target`.
    pub fn safety_first(
        provider: ProviderKind,
        safety: &str,
        target_key: &str,
        target_name: &str,
    ) -> Plan {
        Plan::new(
            Purpose::SafetyFirst,
            provider,
            vec![
                (create(safety), safety.to_string()),
                (
                    Operation::GoBack {
                        snapshot: target_key.to_string(),
                    },
                    target_name.to_string(),
                ),
            ],
        )
    }

    /// Delete `oldest`, then create `name`.
    pub fn replace_oldest(
        provider: ProviderKind,
        (oldest_key, oldest_name): (&str, &str),
        name: &str,
        description: &str,
    ) -> Plan {
        Plan::new(
            Purpose::ReplaceOldest,
            provider,
            vec![
                (
                    Operation::Delete {
                        snapshot: oldest_key.to_string(),
                    },
                    oldest_name.to_string(),
                ),
                (
                    Operation::Create {
                        name: name.to_string(),
                        description: description.to_string(),
                    },
                    name.to_string(),
                ),
            ],
        )
    }

    /// Delete each of `victims` (key, name), in order.
    pub fn clean_up(provider: ProviderKind, victims: &[(String, String)]) -> Plan {
        Plan::new(
            Purpose::CleanUp,
            provider,
            victims
                .iter()
                .map(|(key, name)| {
                    (
                        Operation::Delete {
                            snapshot: key.clone(),
                        },
                        name.clone(),
                    )
                })
                .collect(),
        )
    }

    pub fn before_update(provider: ProviderKind, name: &str) -> Plan {
        Plan::new(
            Purpose::BeforeUpdate,
            provider,
            vec![(create(name), name.to_string())],
        )
    }

    /// The first step, to send now.
    pub fn start(&mut self) -> Next {
        match self.steps.first_mut() {
            Some(step) if step.state == StepState::Waiting => {
                step.state = StepState::Running;
                Next::Send(step.op.clone())
            }
            Some(_) => Next::Nothing,
            None => Next::Done,
        }
    }

    /// The step sent and not yet shown done.
    pub fn running(&self) -> Option<usize> {
        self.steps
            .iter()
            .position(|s| s.state == StepState::Running)
    }

    /// Still under way: sends more, or waits for a step.
    pub fn is_active(&self) -> bool {
        self.running().is_some()
    }

    pub fn failed(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s.state, StepState::Failed(_)))
    }

    /// Will this plan act on snapshot `key` later? (Its card is held.)
    pub fn holds(&self, key: &str) -> bool {
        self.is_active()
            && self
                .steps
                .iter()
                .any(|s| s.state == StepState::Waiting && s.op.snapshot() == Some(key))
    }

    /// The snapshots of the steps never sent (after a failure: the ones
    /// left as they were).
    pub fn untouched(&self) -> Vec<String> {
        self.steps
            .iter()
            .filter(|s| s.state == StepState::Waiting)
            .filter_map(|s| s.op.snapshot().map(str::to_string))
            .collect()
    }

    /// An operation ended: the plan moves on, or stops.
    pub fn on(&mut self, event: &Event) -> Next {
        let Some(i) = self.running() else {
            return Next::Nothing;
        };
        let (kind, key, name) = match event {
            Event::Settled { kind, key, name }
            | Event::Refused {
                kind, key, name, ..
            }
            | Event::NotConfirmed { kind, key, name } => (*kind, *key, *name),
        };
        let step = &self.steps[i];
        let ours = OpKind::of(&step.op) == kind
            && match &step.op {
                // A new snapshot's key is known only once it is listed.
                Operation::Create { name: wanted, .. } => wanted == name,
                op => op.snapshot() == Some(key),
            };
        if !ours {
            return Next::Nothing;
        }
        match event {
            Event::Settled { .. } => {
                self.steps[i].state = StepState::Done;
                match self.steps.get_mut(i + 1) {
                    Some(next) => {
                        next.state = StepState::Running;
                        Next::Send(next.op.clone())
                    }
                    None => Next::Done,
                }
            }
            Event::Refused { why, .. } => {
                self.steps[i].state = StepState::Failed(why.to_string());
                Next::Failed
            }
            Event::NotConfirmed { .. } => {
                self.steps[i].state = StepState::Failed(fill(
                    t().plan_not_confirmed().inner(),
                    &[("provider", &self.provider.display_name())],
                ));
                Next::Failed
            }
        }
    }

    /// The running step could not even be sent (its snapshot is gone, or
    /// held by another operation).
    pub fn cannot_send(&mut self, why: String) -> Next {
        match self.running() {
            Some(i) => {
                self.steps[i].state = StepState::Failed(why);
                Next::Failed
            }
            None => Next::Nothing,
        }
    }

    /// The plan's name, on the server and in announcements.
    pub fn title(&self) -> String {
        let t = t();
        let target = |i: usize| self.steps.get(i).map_or("", |s| s.name.as_str());
        let values: [(&str, &dyn std::fmt::Display); 2] = [("a", &target(0)), ("b", &target(1))];
        match self.purpose {
            Purpose::SafetyFirst => fill(
                self.by_provider(
                    t.plan_safety_restore().inner(),
                    t.plan_safety_revert().inner(),
                ),
                &values,
            ),
            Purpose::ReplaceOldest => fill(t.plan_replace().inner(), &values),
            Purpose::CleanUp => count(
                self.steps.len(),
                t.plan_clean_up_singular().inner(),
                t.plan_clean_up_plural().inner(),
            ),
            Purpose::BeforeUpdate => fill(t.plan_before_update().inner(), &values),
        }
    }

    /// One step, as the plan shows it: "Create safety202611261530".
    pub fn step_label(&self, i: usize) -> String {
        let Some(step) = self.steps.get(i) else {
            return String::new();
        };
        let t = t();
        let label = match OpKind::of(&step.op) {
            OpKind::Create => t.step_create().inner(),
            OpKind::GoBack => self.by_provider(t.step_restore().inner(), t.step_revert().inner()),
            OpKind::Delete => t.step_delete().inner(),
            OpKind::Recreate => t.step_recreate().inner(),
            OpKind::Schedule => t.step_schedule().inner(),
            OpKind::Unschedule => t.step_unschedule().inner(),
        };
        fill(label, &[("name", &step.name)])
    }

    /// Why the plan stopped, and what that left as it was.
    pub fn failure(&self) -> Option<String> {
        let i = self
            .steps
            .iter()
            .position(|s| matches!(s.state, StepState::Failed(_)))?;
        let StepState::Failed(why) = &self.steps[i].state else {
            return None;
        };
        let t = t();
        let template = match (self.purpose, i) {
            (Purpose::SafetyFirst, 0) => self.by_provider(
                t.plan_fail_safety_restore().inner(),
                t.plan_fail_safety_revert().inner(),
            ),
            (Purpose::SafetyFirst, _) => {
                self.by_provider(t.plan_fail_restore().inner(), t.plan_fail_revert().inner())
            }
            (Purpose::ReplaceOldest, 0) => t.plan_fail_replace_delete().inner(),
            (Purpose::ReplaceOldest, _) => t.plan_fail_replace_create().inner(),
            (Purpose::CleanUp, _) => t.plan_fail_clean_up().inner(),
            (Purpose::BeforeUpdate, _) => t.plan_fail_before_update().inner(),
        };
        Some(fill(
            template,
            &[
                ("name", &self.steps[i].name),
                ("first", &self.steps[0].name),
                ("done", &i),
                ("total", &self.steps.len()),
                ("why", why),
            ],
        ))
    }

    /// What the plan did, once every step is done.
    pub fn success(&self) -> String {
        let t = t();
        let name = |i: usize| self.steps.get(i).map_or("", |s| s.name.as_str());
        let values: [(&str, &dyn std::fmt::Display); 2] = [("a", &name(0)), ("b", &name(1))];
        match self.purpose {
            Purpose::SafetyFirst => fill(
                self.by_provider(
                    t.plan_done_safety_restore().inner(),
                    t.plan_done_safety_revert().inner(),
                ),
                &values,
            ),
            Purpose::ReplaceOldest => fill(t.plan_done_replace().inner(), &values),
            Purpose::CleanUp => count(
                self.steps.len(),
                t.plan_done_clean_up_singular().inner(),
                t.plan_done_clean_up_plural().inner(),
            ),
            Purpose::BeforeUpdate => fill(
                self.by_provider(
                    t.plan_done_before_update_restore().inner(),
                    t.plan_done_before_update_revert().inner(),
                ),
                &values,
            ),
        }
    }

    /// VPS.org restores, ilkbyte reverts: the text for this plan's provider.
    fn by_provider(&self, restore: &'static str, revert: &'static str) -> &'static str {
        match self.provider {
            ProviderKind::Vpsorg => restore,
            ProviderKind::Ilkbyte => revert,
        }
    }
}

fn create(name: &str) -> Operation {
    Operation::Create {
        name: name.to_string(),
        description: String::new(),
    }
}

/// The prefixes of the names Snapdeck gives the snapshots it takes itself.
pub const SAFETY_PREFIX: &str = "safety";
pub const PRE_UPDATE_PREFIX: &str = "preupdate";

/// A name Snapdeck gives: `prefix` and the local time to the minute
/// (`safety202611261530`), letters and digits only so that both providers
/// take it; with a digit after it if the server has one of that name
/// already (two within a minute).
pub fn snapdeck_name(prefix: &str, t: i64, offset_min: i32, taken: &[String]) -> String {
    let stamp: String = crate::time::exact(t, offset_min)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let base = format!("{prefix}{stamp}");
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or(base)
}

/// Did Snapdeck take this snapshot? Its name is one of our prefixes and at
/// least the twelve digits of a minute.
pub fn made_by_snapdeck(name: &str) -> bool {
    [SAFETY_PREFIX, PRE_UPDATE_PREFIX].iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| rest.len() >= 12 && rest.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// A snapshot taken by "Before an update" (the card offers its two
/// outcomes).
pub fn is_pre_update(name: &str) -> bool {
    name.starts_with(PRE_UPDATE_PREFIX) && made_by_snapdeck(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VPS: ProviderKind = ProviderKind::Vpsorg;
    const ILK: ProviderKind = ProviderKind::Ilkbyte;

    fn settled<'a>(kind: OpKind, key: &'a str, name: &'a str) -> Event<'a> {
        Event::Settled { kind, key, name }
    }
    fn refused<'a>(kind: OpKind, key: &'a str, name: &'a str) -> Event<'a> {
        Event::Refused {
            kind,
            key,
            name,
            why: "Provider says no.",
        }
    }
    fn late<'a>(kind: OpKind, key: &'a str, name: &'a str) -> Event<'a> {
        Event::NotConfirmed { kind, key, name }
    }

    fn states(plan: &Plan) -> Vec<StepState> {
        plan.steps.iter().map(|s| s.state.clone()).collect()
    }

    use StepState::{Done, Running, Waiting};

    #[test]
    fn safety_first_restores_only_after_the_safety_snapshot_is_listed() {
        let mut plan = Plan::safety_first(VPS, "safety202611261530", "798", "weekly");
        assert_eq!(
            plan.start(),
            Next::Send(Operation::Create {
                name: "safety202611261530".into(),
                description: String::new()
            })
        );
        assert_eq!(states(&plan), [Running, Waiting]);
        assert!(plan.holds("798"), "the target waits for the plan");
        // Other operations, and the restore's target settling, move nothing.
        assert_eq!(
            plan.on(&settled(OpKind::Create, "900", "other")),
            Next::Nothing
        );
        assert_eq!(
            plan.on(&settled(OpKind::GoBack, "798", "weekly")),
            Next::Nothing
        );
        assert_eq!(states(&plan), [Running, Waiting]);
        // The list shows the safety snapshot done: now the restore.
        assert_eq!(
            plan.on(&settled(OpKind::Create, "901", "safety202611261530")),
            Next::Send(Operation::GoBack {
                snapshot: "798".into()
            })
        );
        assert_eq!(states(&plan), [Done, Running]);
        assert!(!plan.holds("798"));
        assert_eq!(
            plan.on(&settled(OpKind::GoBack, "798", "weekly")),
            Next::Done
        );
        assert!(!plan.is_active() && !plan.failed());
        assert_eq!(
            plan.success(),
            "Safety snapshot safety202611261530 taken, then restored from weekly."
        );
    }

    #[test]
    fn safety_first_stops_when_the_safety_snapshot_fails_or_is_not_confirmed() {
        for event in [
            refused(OpKind::Create, "new:1", "safety1"),
            late(OpKind::Create, "new:1", "safety1"),
        ] {
            let mut plan = Plan::safety_first(ILK, "safety1", "base", "base");
            plan.start();
            assert_eq!(plan.on(&event), Next::Failed);
            assert_eq!(states(&plan)[1], Waiting, "the revert is never sent");
            assert_eq!(plan.untouched(), ["base"], "its card says why");
            assert!(!plan.is_active() && !plan.holds("base"));
            let why = plan.failure().unwrap();
            assert!(
                why.starts_with("Nothing was reverted: the safety snapshot safety1 failed."),
                "{why}"
            );
            // A late settle of the safety snapshot does not revive it.
            assert_eq!(
                plan.on(&settled(OpKind::Create, "safety1", "safety1")),
                Next::Nothing
            );
        }
    }

    #[test]
    fn safety_first_says_what_was_done_when_the_restore_fails() {
        let mut plan = Plan::safety_first(VPS, "safety1", "798", "weekly");
        plan.start();
        plan.on(&settled(OpKind::Create, "901", "safety1"));
        assert_eq!(
            plan.on(&refused(OpKind::GoBack, "798", "weekly")),
            Next::Failed
        );
        assert_eq!(
            plan.failure().unwrap(),
            "The safety snapshot safety1 was taken, but the restore of weekly failed. Provider says no."
        );
        let mut plan = Plan::safety_first(VPS, "safety1", "798", "weekly");
        plan.start();
        plan.on(&settled(OpKind::Create, "901", "safety1"));
        assert_eq!(
            plan.on(&late(OpKind::GoBack, "798", "weekly")),
            Next::Failed
        );
        assert!(
            plan.failure()
                .unwrap()
                .contains("did not confirm it within 15 minutes")
        );
    }

    #[test]
    fn replace_oldest_creates_only_after_the_delete_is_listed() {
        let mut plan = Plan::replace_oldest(VPS, ("770", "initial-setup"), "fresh", "d");
        assert_eq!(
            plan.start(),
            Next::Send(Operation::Delete {
                snapshot: "770".into()
            })
        );
        assert_eq!(plan.title(), "Replace initial-setup with fresh");
        assert_eq!(
            plan.on(&settled(OpKind::Delete, "781", "other")),
            Next::Nothing
        );
        assert_eq!(
            plan.on(&settled(OpKind::Delete, "770", "initial-setup")),
            Next::Send(Operation::Create {
                name: "fresh".into(),
                description: "d".into()
            })
        );
        assert_eq!(
            plan.on(&settled(OpKind::Create, "900", "fresh")),
            Next::Done
        );
        assert_eq!(plan.success(), "initial-setup deleted, then fresh created.");
    }

    #[test]
    fn replace_oldest_failures_say_what_is_left() {
        let mut plan = Plan::replace_oldest(VPS, ("770", "initial-setup"), "fresh", "");
        plan.start();
        assert_eq!(
            plan.on(&refused(OpKind::Delete, "770", "initial-setup")),
            Next::Failed
        );
        assert_eq!(states(&plan)[1], Waiting);
        assert_eq!(
            plan.failure().unwrap(),
            "Nothing was created: deleting initial-setup failed. Provider says no."
        );
        let mut plan = Plan::replace_oldest(VPS, ("770", "initial-setup"), "fresh", "");
        plan.start();
        assert_eq!(
            plan.on(&late(OpKind::Delete, "770", "initial-setup")),
            Next::Failed
        );
        let mut plan = Plan::replace_oldest(VPS, ("770", "initial-setup"), "fresh", "");
        plan.start();
        plan.on(&settled(OpKind::Delete, "770", "initial-setup"));
        assert_eq!(
            plan.on(&refused(OpKind::Create, "new:3", "fresh")),
            Next::Failed
        );
        assert!(
            plan.failure()
                .unwrap()
                .starts_with("initial-setup was deleted, but creating fresh failed.")
        );
    }

    #[test]
    fn clean_up_deletes_one_at_a_time_and_stops_at_the_first_failure() {
        let victims: Vec<(String, String)> = ["a", "b", "c"]
            .iter()
            .map(|n| (format!("k{n}"), n.to_string()))
            .collect();
        let mut plan = Plan::clean_up(ILK, &victims);
        assert_eq!(plan.title(), "Clean-up: delete 3 snapshots");
        assert_eq!(
            plan.start(),
            Next::Send(Operation::Delete {
                snapshot: "ka".into()
            })
        );
        assert_eq!(states(&plan), [Running, Waiting, Waiting]);
        assert!(plan.holds("kb") && plan.holds("kc") && !plan.holds("ka"));
        assert_eq!(
            plan.on(&settled(OpKind::Delete, "ka", "a")),
            Next::Send(Operation::Delete {
                snapshot: "kb".into()
            })
        );
        assert_eq!(plan.on(&refused(OpKind::Delete, "kb", "b")), Next::Failed);
        assert_eq!(states(&plan)[2], Waiting, "c is never sent");
        assert_eq!(
            plan.failure().unwrap(),
            "Clean-up stopped after 1 of 3 deletes: deleting b failed, and nothing after it was sent. Provider says no."
        );
        // All done.
        let mut plan = Plan::clean_up(ILK, &victims);
        plan.start();
        plan.on(&settled(OpKind::Delete, "ka", "a"));
        plan.on(&settled(OpKind::Delete, "kb", "b"));
        assert_eq!(plan.on(&settled(OpKind::Delete, "kc", "c")), Next::Done);
        assert_eq!(plan.success(), "Clean-up done: 3 snapshots deleted.");
        // Nothing to delete is done at once.
        assert_eq!(Plan::clean_up(ILK, &[]).start(), Next::Done);
    }

    #[test]
    fn before_update_is_one_create_and_its_failures() {
        let mut plan = Plan::before_update(ILK, "preupdate202611261530");
        assert!(matches!(plan.start(), Next::Send(Operation::Create { .. })));
        assert_eq!(
            plan.on(&settled(
                OpKind::Create,
                "preupdate202611261530",
                "preupdate202611261530"
            )),
            Next::Done
        );
        assert_eq!(
            plan.success(),
            "preupdate202611261530 is ready. Update the server; then delete it if all went well, or revert to it."
        );
        for event in [
            refused(OpKind::Create, "x", "preupdate202611261530"),
            late(OpKind::Create, "x", "preupdate202611261530"),
        ] {
            let mut plan = Plan::before_update(ILK, "preupdate202611261530");
            plan.start();
            assert_eq!(plan.on(&event), Next::Failed);
            assert!(
                plan.failure()
                    .unwrap()
                    .starts_with("The snapshot before the update")
            );
        }
        let mut plan = Plan::before_update(ILK, "p");
        plan.start();
        assert_eq!(plan.cannot_send("Gone.".into()), Next::Failed);
        assert_eq!(plan.on(&settled(OpKind::Create, "p", "p")), Next::Nothing);
    }

    #[test]
    fn names_snapdeck_gives_are_valid_unique_and_recognised() {
        // 2026-11-26 12:30 UTC is 15:30 in Turkey.
        let t = crate::time::parse_rfc3339("2026-11-26T12:30:00Z").unwrap();
        let name = snapdeck_name(SAFETY_PREFIX, t, 180, &[]);
        assert_eq!(name, "safety202611261530");
        for provider in [ILK, VPS] {
            assert!(provider.validate_name(&name).is_ok());
        }
        let taken = vec![name.clone(), format!("{name}2")];
        assert_eq!(
            snapdeck_name(SAFETY_PREFIX, t, 180, &taken),
            format!("{name}3")
        );
        assert!(made_by_snapdeck(&name) && made_by_snapdeck("preupdate2026112615302"));
        assert!(is_pre_update("preupdate202611261530") && !is_pre_update(&name));
        for theirs in [
            "safety",
            "safetynet",
            "preupdate2026",
            "Safety202611261530",
            "nightly",
        ] {
            assert!(!made_by_snapdeck(theirs), "{theirs}");
        }
    }
}
