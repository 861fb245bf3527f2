//! Plans (see `plan`) run through the one path of every operation, the
//! protected marks, and the facts the overview reads.

use leptos::prelude::*;

use super::cover::{self, Filter, ServerFacts, SnapFacts};
use super::plan::{Event, Next, Plan};
use super::{AccountStore, AppState, Sent, ServerStore, set_if_changed};
use crate::model::SnapshotStatus;

/// One server in the overview.
#[derive(Clone, Debug, PartialEq)]
pub struct Overview {
    pub account: u32,
    pub server: String,
    pub facts: ServerFacts,
    /// Its name and its snapshots' names, folded for search.
    pub names: Vec<String>,
}

impl AppState {
    /// Runs `plan` on `server`: its first step now (heard by `reply`, from
    /// a dialog), each next one once the lists show the one before done.
    pub fn start_plan(
        &self,
        account: &AccountStore,
        server: &ServerStore,
        mut plan: Plan,
        reply: Option<RwSignal<Option<Sent>>>,
    ) {
        if server
            .plan
            .with_untracked(|p| p.as_ref().is_some_and(Plan::is_active))
        {
            let why = crate::i18n::t().plan_busy().inner();
            super::perform::could_not_start(server, reply, why.to_string());
            return;
        }
        let next = plan.start();
        server.plan.set(Some(plan));
        server.changed.notify();
        self.plan_next(account, server, next, reply);
    }

    /// An operation ended: the plan on its server moves on, if it was
    /// waiting for it.
    pub(super) fn plan_event(&self, account: &AccountStore, server: &ServerStore, event: &Event) {
        // Most operations are not a plan's: only a plan that moved wakes
        // its readers.
        let next = server
            .plan
            .try_update_untracked(|p| p.as_mut().map(|p| p.on(event)))
            .flatten();
        if next.as_ref().is_some_and(|n| *n != Next::Nothing) {
            server.plan.notify();
            server.changed.notify();
        }
        if let Some(next) = next {
            self.plan_next(account, server, next, None);
        }
    }

    fn plan_next(
        &self,
        account: &AccountStore,
        server: &ServerStore,
        next: Next,
        reply: Option<RwSignal<Option<Sent>>>,
    ) {
        match next {
            Next::Send(op) => {
                if let Err(why) = self.perform(account, server, op, reply) {
                    let next = server
                        .plan
                        .try_update(|p| p.as_mut().map(|p| p.cannot_send(why)))
                        .flatten();
                    server.changed.notify();
                    if let Some(next) = next {
                        self.plan_next(account, server, next, None);
                    }
                }
            }
            Next::Done => {
                let text = server
                    .plan
                    .with_untracked(|p| p.as_ref().map(Plan::success));
                if let Some(text) = text {
                    self.announce(text);
                }
            }
            Next::Failed => {
                let (text, untouched) = server.plan.with_untracked(|p| match p {
                    Some(p) => (p.failure(), p.untouched()),
                    None => (None, Vec::new()),
                });
                let Some(text) = text else {
                    return;
                };
                // The snapshots the plan never got to say why, on their cards.
                server.snapshots.with_untracked(|cards| {
                    for card in cards.iter().filter(|c| untouched.contains(&c.key)) {
                        card.error.set(Some(text.clone()));
                    }
                });
                self.announce(text);
            }
            Next::Nothing => {}
        }
    }

    /// "Dismiss" on an ended plan.
    pub fn dismiss_plan(&self, server: &ServerStore) {
        if server
            .plan
            .with_untracked(|p| p.as_ref().is_some_and(|p| !p.is_active()))
        {
            server.plan.set(None);
            server.changed.notify();
        }
    }

    /// Marks a snapshot protected, or not, and remembers it with the
    /// account's settings.
    pub fn set_protected(&self, account: &AccountStore, server: &str, key: &str, on: bool) {
        account.account.update(|a| a.set_protected(server, key, on));
        // Cards follow the marks through their server's relay.
        if let Some(store) = account.server(server) {
            store.changed.notify();
        }
        self.persist();
    }

    /// Shows the servers the filter lets through, and hides the others.
    /// `all` is every server's facts and folded names, in page order (as
    /// `overview` makes them). A server's signal is written only when its
    /// visibility changes, so a keystroke that changes nothing wakes
    /// nothing. Returns how many are shown.
    pub fn apply_filter(&self, filter: &Filter, all: &[Overview], now: i64) -> usize {
        let mut next = all.iter();
        let mut shown = 0;
        self.accounts.with_untracked(|accounts| {
            for account in accounts {
                account.servers.with_untracked(|servers| {
                    for server in servers {
                        let visible = match next.next() {
                            Some(o) if o.server == server.key && o.account == account.id => {
                                filter.is_empty() || filter.shows(&o.facts, &o.names, now)
                            }
                            // A list changed since: shown until the next pass.
                            _ => true,
                        };
                        shown += usize::from(visible);
                        set_if_changed(server.shown, visible);
                    }
                });
            }
        });
        shown
    }

    /// Every server's facts and folded names, in page order (tracked).
    pub fn overview(&self, now: i64) -> Vec<Overview> {
        self.accounts.with(|accounts| {
            let mut out = Vec::new();
            for account in accounts {
                account.servers.with(|servers| {
                    for server in servers {
                        let facts = self.server_facts(account, server, now);
                        let names = std::iter::once(&facts.name)
                            .chain(facts.snapshots.iter().map(|s| &s.name))
                            .map(|n| cover::fold(n))
                            .collect();
                        out.push(Overview {
                            account: account.id,
                            server: server.key.clone(),
                            facts,
                            names,
                        });
                    }
                });
            }
            out
        })
    }

    /// What the overview knows of one server (read tracked: a memo over it
    /// follows its cards).
    pub fn server_facts(
        &self,
        account: &AccountStore,
        server: &ServerStore,
        now: i64,
    ) -> ServerFacts {
        let provider = account.provider();
        let (planned, held): (bool, Vec<String>) = server.plan.with(|p| match p {
            Some(p) if p.is_active() => (
                true,
                p.steps
                    .iter()
                    .filter_map(|s| s.op.snapshot().map(str::to_string))
                    .collect(),
            ),
            _ => (false, Vec::new()),
        });
        let mut operations = usize::from(planned);
        let snapshots: Vec<SnapFacts> = server.snapshots.with(|list| {
            list.iter()
                .filter(|c| !c.is_placeholder())
                .map(|card| {
                    let busy = card
                        .pending
                        .with(|p| p.as_ref().is_some_and(|p| !p.is_over()));
                    if busy && !planned {
                        operations += 1;
                    }
                    let protected = account
                        .account
                        .with(|a| a.is_protected(&server.key, &card.key));
                    card.snap.with(|s| SnapFacts {
                        key: card.key.clone(),
                        name: s.name.clone(),
                        created: s.created,
                        completed: s.status == SnapshotStatus::Completed,
                        protected,
                        current: s.current,
                        busy: busy || held.contains(&card.key),
                        late_since: s
                            .schedule
                            .as_ref()
                            .and_then(|sched| cover::late_since(sched, now)),
                    })
                })
                .collect()
        });
        // A create not listed yet is under way too.
        operations += server
            .snapshots
            .with(|l| l.iter().filter(|c| c.is_placeholder() && !planned).count());
        ServerFacts {
            account: account.id,
            provider,
            name: server.server.with(|s| s.name.clone()),
            snapshots,
            limit: provider.capabilities().snapshot_limit,
            operations,
            next_run: server.snapshots.with(|l| {
                l.iter()
                    .filter_map(|c| {
                        c.snap
                            .with(|s| s.schedule.as_ref().and_then(|sched| sched.next_run))
                    })
                    .min()
            }),
        }
    }
}
