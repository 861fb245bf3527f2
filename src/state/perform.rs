//! The one path of every operation: a pending card at once, the request
//! sent once, then the lifecycle in `ops` until the lists show it done.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::errors::maybe_at_limit;
use super::fetch::call;
use super::ops::{PendingOp, Witness};
use super::plan::Event;
use super::store::Retired;
use super::{AccountStore, AppState, FetchError, ListKind, ServerStore, SnapshotStore, describe};
use super::{Problem, now_ms, set_if_changed};
use crate::i18n::{fill, t};
use crate::model::{Operation, ProviderKind, Snapshot, SnapshotStatus};
use crate::providers;

/// How a request sent from a dialog went. The dialog stays open until the
/// provider accepts, and shows a refusal in place, with what was typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Sent {
    Sending,
    Accepted,
    /// The provider's words (and, for a create at VPS.org's limit, the
    /// count read afresh shows beside them).
    Refused {
        message: String,
        maybe_at_limit: bool,
    },
}

/// Something could not even be sent: said in the dialog that asked for it,
/// or else on the server.
pub(super) fn could_not_start(
    server: &ServerStore,
    reply: Option<RwSignal<Option<Sent>>>,
    why: String,
) {
    match reply {
        Some(r) => r.set(Some(Sent::Refused {
            message: why,
            maybe_at_limit: false,
        })),
        None => set_if_changed(server.error, Some(Problem::Said(why))),
    }
}

impl AppState {
    /// Starts `op` on `server`. `reply`, from a dialog, hears how the
    /// sending went; a refusal is then shown there, once, not on the card.
    /// An operation that cannot start says why, in the dialog or on the
    /// card, and returns it.
    pub fn perform(
        &self,
        account: &AccountStore,
        server: &ServerStore,
        op: Operation,
        reply: Option<RwSignal<Option<Sent>>>,
    ) -> Result<(), String> {
        let result = self.send(account, server, op, reply);
        if let Err(why) = &result {
            could_not_start(server, reply, why.clone());
        }
        result
    }

    /// The code that sends an operation is in the dialogs' part: every
    /// operation starts from a dialog, or from a plan that a dialog or the
    /// "Before an update" button started once the part was here (see
    /// `components::load_dialogs`).
    fn send(
        &self,
        account: &AccountStore,
        server: &ServerStore,
        op: Operation,
        reply: Option<RwSignal<Option<Sent>>>,
    ) -> Result<(), String> {
        match super::at_once(send_part(*self, *account, server.clone(), op, reply)) {
            Some(Ok(sent)) => sent,
            _ => Err(t().dialog_unavailable().inner().to_string()),
        }
    }

    fn send_now(
        &self,
        account: &AccountStore,
        server: &ServerStore,
        op: Operation,
        reply: Option<RwSignal<Option<Sent>>>,
    ) -> Result<(), String> {
        let acct = account.account.get_untracked();
        let provider = acct.provider;
        let Some(req) = providers::operation_request(&acct, &server.key, &op) else {
            return Err(fill(
                t().refuse_not_offered().inner(),
                &[("provider", &provider.display_name())],
            ));
        };
        if let Some(key) = op.snapshot() {
            let name = server
                .snapshots
                .with_untracked(|l| {
                    l.iter()
                        .find(|s| s.key == key)
                        .map(|s| s.snap.with_untracked(|s| s.name.clone()))
                })
                .unwrap_or_else(|| key.to_string());
            if let Some(why) = super::protection::refusal(&acct, &server.key, key, &name, &op) {
                return Err(why);
            }
            if server
                .plan
                .with_untracked(|p| p.as_ref().is_some_and(|p| p.holds(key)))
            {
                return Err(fill(t().refuse_held().inner(), &[("name", &name)]));
            }
        }
        let now = now_ms();
        let card = match &op {
            Operation::Create { name, description } => {
                let key = match provider {
                    ProviderKind::Ilkbyte => name.clone(),
                    // VPS.org names the new snapshot's id in its answer.
                    ProviderKind::Vpsorg => {
                        let n = self.next_id.get_value();
                        self.next_id.set_value(n + 1);
                        format!("new:{n}")
                    }
                };
                let store = SnapshotStore::new(
                    self.placeholder(server, key, name, description),
                    0,
                    Some(PendingOp::new(op.clone(), now, None)),
                );
                server
                    .snapshots
                    .update(|list| list.insert(0, store.clone()));
                set_if_changed(server.error, None);
                store
            }
            other => {
                let key = other.snapshot().unwrap_or_default();
                let Some(store) = server
                    .snapshots
                    .with_untracked(|l| l.iter().find(|s| s.key == key).cloned())
                else {
                    return Err(fill(
                        t().refuse_gone().inner(),
                        &[("name", &key), ("provider", &provider.display_name())],
                    ));
                };
                if store.is_held() {
                    // Sent once, and nothing else while an operation holds it.
                    let name = store.snap.with_untracked(|s| s.name.clone());
                    return Err(fill(t().refuse_busy().inner(), &[("name", &name)]));
                }
                let before = store.snap.get_untracked();
                store
                    .pending
                    .set(Some(PendingOp::new(op.clone(), now, Some(before))));
                set_if_changed(store.error, None);
                store
            }
        };
        if let Some(r) = reply {
            r.set(Some(Sent::Sending));
        }
        let state = *self;
        let account = *account;
        let server = server.clone();
        spawn_local(async move {
            let result = call(&acct, &req, None, providers::parse_operation).await;
            match result {
                Ok(accepted) => state.accepted(&account, &server, card, accepted, reply),
                Err(e) => state.refused(&account, &server, card, &e, reply),
            }
        });
        Ok(())
    }

    /// A new card for a create, until the provider lists the snapshot: it
    /// shows what the provider will show (an ilkbyte snapshot becomes the
    /// child of the current one).
    fn placeholder(
        &self,
        server: &ServerStore,
        key: String,
        name: &str,
        description: &str,
    ) -> Snapshot {
        let current = server.snapshots.with_untracked(|l| {
            l.iter()
                .find(|s| s.snap.with_untracked(|s| s.current))
                .map(|s| s.snap.with_untracked(|s| s.name.clone()))
        });
        let state = server.server.with_untracked(|s| match s.status.as_str() {
            "shut off" => "shutoff".to_string(),
            other => other.to_string(),
        });
        Snapshot {
            key,
            name: name.to_string(),
            status: SnapshotStatus::InProgress,
            created: Some((now_ms() / 1000.0) as i64),
            created_text: String::new(),
            size_mb: None,
            description: description.to_string(),
            current: false,
            parent: current,
            children: 0,
            state,
            schedule: None,
        }
    }

    fn accepted(
        &self,
        account: &AccountStore,
        server: &ServerStore,
        mut card: SnapshotStore,
        accepted: providers::Accepted,
        reply: Option<RwSignal<Option<Sent>>>,
    ) {
        let provider = account.provider();
        let at = now_ms();
        let mut listed = false;
        if let Some(real) = accepted
            .snapshot
            .filter(|_| provider == ProviderKind::Vpsorg)
            && card.key != real.key
        {
            // Swap the placeholder for the snapshot VPS.org made (a list may
            // have brought it already).
            let pending = card.pending.try_get_untracked().flatten();
            let existing = server
                .snapshots
                .try_with_untracked(|l| l.iter().find(|s| s.key == real.key).cloned())
                .flatten();
            let real_card = match existing {
                Some(existing) => {
                    existing.pending.set(pending);
                    existing
                }
                None => SnapshotStore::new(real, 0, pending),
            };
            let placeholder = card.key.clone();
            server.snapshots.try_update(|list| {
                list.retain(|s| s.key != placeholder && s.key != real_card.key);
                list.insert(0, real_card.clone());
            });
            self.retire(Retired::Snapshot(card));
            card = real_card;
            listed = true;
        }
        card.pending.try_update(|p| {
            if let Some(p) = p {
                p.accept(at, accepted.message.clone());
                // VPS.org's answer is the snapshot it now holds.
                p.listed |= listed;
            }
        });
        if let Some(status) = accepted.server_status {
            server.server.try_update(|s| s.status = status);
        }
        if let Some(r) = reply {
            r.try_set(Some(Sent::Accepted));
        }
        let op = card.pending.try_get_untracked().flatten();
        if let Some(op) = op {
            let name = card.snap.with_untracked(|s| s.name.clone());
            let server_name = server.server.with_untracked(|s| s.name.clone());
            self.announce(fill(
                t().announce_accepted().inner(),
                &[
                    ("label", &op.kind().label(provider)),
                    ("name", &name),
                    ("server", &server_name),
                    ("provider", &provider.display_name()),
                ],
            ));
            let scope = Self::snapshot_scope(provider, server);
            self.poke(account.id, ListKind::Snapshots(scope));
            if op.witness(provider) == Witness::Servers {
                self.poke(account.id, ListKind::Servers);
            }
        }
        self.pump();
    }

    fn refused(
        &self,
        account: &AccountStore,
        server: &ServerStore,
        card: SnapshotStore,
        err: &FetchError,
        reply: Option<RwSignal<Option<Sent>>>,
    ) {
        let acct = account.account.get_untracked();
        let provider = acct.provider;
        let mut message = describe(err, &acct);
        if err.may_have_reached_provider() {
            message.push(' ');
            message.push_str(t().may_have_reached().inner());
        }
        let name = card
            .snap
            .try_with_untracked(|s| s.name.clone())
            .unwrap_or_default();
        let create = card
            .pending
            .try_with_untracked(|p| p.as_ref().is_some_and(PendingOp::is_create))
            .unwrap_or(false);
        let kind = card
            .pending
            .try_with_untracked(|p| p.as_ref().map(PendingOp::kind))
            .flatten();
        card.pending.try_set(None);
        let at_limit = create && maybe_at_limit(provider, err);
        if create {
            let key = card.key.clone();
            server.snapshots.try_update(|l| l.retain(|s| s.key != key));
            self.retire(Retired::Snapshot(card.clone()));
        }
        // What is there now: the count on screen may be stale, and the
        // failure may hide an operation that did reach the provider.
        let scope = Self::snapshot_scope(provider, server);
        self.poke(account.id, ListKind::Snapshots(scope));
        self.pump();
        self.announce(format!("{name}: {message}"));
        let shown_in_dialog = reply.is_some_and(|r| {
            r.try_set(Some(Sent::Refused {
                message: message.clone(),
                maybe_at_limit: at_limit,
            }))
            .is_none()
        });
        if let Some(kind) = kind {
            self.plan_event(
                account,
                server,
                &Event::Refused {
                    kind,
                    key: &card.key,
                    name: &name,
                    why: &message,
                },
            );
        }
        if !shown_in_dialog {
            if create {
                server.error.try_set(Some(Problem::Said(message)));
            } else {
                card.error.try_set(Some(message));
            }
        }
    }

    /// "Check again" on an operation not confirmed after 15 minutes.
    pub fn check_again(&self, account: &AccountStore, server: &ServerStore, card: &SnapshotStore) {
        let now = now_ms();
        card.pending.update(|p| {
            if let Some(p) = p {
                p.check_again(now);
            }
        });
        let scope = Self::snapshot_scope(account.provider(), server);
        self.poke(account.id, ListKind::Snapshots(scope));
        self.poke(account.id, ListKind::Servers);
        self.pump();
    }

    /// "Dismiss" on an operation not confirmed: the card goes back to what
    /// the lists show (a placeholder goes).
    pub fn dismiss(&self, server: &ServerStore, card: &SnapshotStore) {
        if card
            .pending
            .with_untracked(|p| p.as_ref().is_some_and(PendingOp::is_placeholder))
        {
            let key = card.key.clone();
            server.snapshots.update(|l| l.retain(|s| s.key != key));
            self.retire(Retired::Snapshot(card.clone()));
        } else {
            card.pending.set(None);
        }
    }
}

crate::part::part_fn! {
    /// The code that sends an operation.
    pub(crate) fn send_part(
        state: AppState,
        account: AccountStore,
        server: ServerStore,
        op: Operation,
        reply: Option<RwSignal<Option<Sent>>>,
    ) -> Result<(), String>;
    preload send_part_preload;
    { state.send_now(&account, &server, op, reply) }
}
