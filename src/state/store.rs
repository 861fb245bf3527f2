//! Reactive stores: one signal per server and per snapshot, so a poll that
//! changes one status touches one card.

use std::collections::HashMap;

use leptos::prelude::*;

use super::ops::PendingOp;
use crate::model::{Account, ProviderKind, Server, Snapshot};

/// Writes `value` only when it differs: an unchanged poll notifies nobody.
pub fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|old| *old != value) {
        signal.set(value);
    }
}

#[derive(Clone)]
pub struct SnapshotStore {
    pub key: String,
    pub snap: RwSignal<Snapshot>,
    /// Depth in ilkbyte's snapshot tree (0 for roots and VPS.org).
    pub depth: RwSignal<u32>,
    pub pending: RwSignal<Option<PendingOp>>,
    /// Pending for more than 15 minutes without confirmation.
    pub unconfirmed: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl SnapshotStore {
    pub fn new(snap: Snapshot, depth: u32, pending: Option<PendingOp>) -> SnapshotStore {
        SnapshotStore {
            key: snap.key.clone(),
            snap: RwSignal::new(snap),
            depth: RwSignal::new(depth),
            pending: RwSignal::new(pending),
            unconfirmed: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// A card for a create the provider has not listed yet.
    pub fn is_placeholder(&self) -> bool {
        self.pending.with_untracked(|p| {
            p.as_ref()
                .is_some_and(|p| matches!(p.op, crate::model::Operation::Create { .. }))
        })
    }
}

#[derive(Clone)]
pub struct ServerStore {
    pub key: String,
    pub server: RwSignal<Server>,
    pub snapshots: RwSignal<Vec<SnapshotStore>>,
    /// Its snapshot list has arrived at least once.
    pub loaded: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    /// The last refresh failed: what is shown is older.
    pub stale: RwSignal<bool>,
    /// When the fetches behind what is shown started (ms).
    pub servers_seen: StoredValue<f64>,
    pub snaps_seen: StoredValue<f64>,
}

impl ServerStore {
    pub fn new(server: Server, seen: f64) -> ServerStore {
        ServerStore {
            key: server.key.clone(),
            server: RwSignal::new(server),
            snapshots: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            stale: RwSignal::new(false),
            servers_seen: StoredValue::new(seen),
            snaps_seen: StoredValue::new(0.0),
        }
    }

    /// Snapshots the provider counts against its limit (not our placeholders).
    pub fn snapshot_count(&self) -> usize {
        self.snapshots
            .with(|list| list.iter().filter(|s| !s.key.starts_with("new:")).count())
    }

    /// Something is in flight: fast polling.
    pub fn busy(&self) -> bool {
        self.server.with_untracked(Server::is_transitional)
            || self.snapshots.with_untracked(|list| {
                list.iter().any(|s| {
                    s.pending.with_untracked(Option::is_some)
                        || s.snap.with_untracked(|s| {
                            s.status == crate::model::SnapshotStatus::InProgress
                        })
                })
            })
    }

    /// Merges a fresh list into the stores, in display order. Existing
    /// cards keep their signals (and are written only when changed); cards
    /// for creates the provider has not listed yet stay.
    pub fn patch(&self, provider: ProviderKind, fresh: Vec<Snapshot>, seen: f64) {
        let existing = self.snapshots.get_untracked();
        let by_key: HashMap<&str, &SnapshotStore> =
            existing.iter().map(|s| (s.key.as_str(), s)).collect();
        let mut next: Vec<SnapshotStore> = existing
            .iter()
            .filter(|s| s.is_placeholder() && !fresh.iter().any(|f| f.key == s.key))
            .cloned()
            .collect();
        for (index, depth) in display_order(provider, &fresh) {
            let snap = fresh[index].clone();
            match by_key.get(snap.key.as_str()) {
                Some(store) => {
                    set_if_changed(store.snap, snap);
                    set_if_changed(store.depth, depth);
                    next.push((*store).clone());
                }
                None => next.push(SnapshotStore::new(snap, depth, None)),
            }
        }
        let same_keys =
            next.len() == existing.len() && next.iter().zip(&existing).all(|(a, b)| a.key == b.key);
        if !same_keys {
            self.snapshots.set(next);
        }
        self.snaps_seen.set_value(seen);
        set_if_changed(self.loaded, true);
        set_if_changed(self.stale, false);
    }

    /// Clears the operations that the lists now show done.
    pub fn settle(&self, provider: ProviderKind) {
        let server = self.server.get_untracked();
        for store in self.snapshots.get_untracked() {
            let Some(op) = store.pending.get_untracked() else {
                continue;
            };
            let seen = match op.witness(provider) {
                super::ops::Witness::Servers => self.servers_seen.get_value(),
                super::ops::Witness::Snapshots => self.snaps_seen.get_value(),
            };
            let fresh_enough = op.accepted.is_some_and(|at| seen >= at);
            let snap = store.snap.get_untracked();
            if fresh_enough && op.settled(provider, &server, Some(&snap)) {
                store.pending.set(None);
                set_if_changed(store.unconfirmed, false);
            }
        }
    }
}

/// The order cards are shown in, with tree depth: ilkbyte as its snapshot
/// tree (parents first, oldest first), VPS.org newest first.
pub fn display_order(provider: ProviderKind, snaps: &[Snapshot]) -> Vec<(usize, u32)> {
    let by_date = |a: &usize, b: &usize| {
        let (a, b) = (&snaps[*a], &snaps[*b]);
        a.created.cmp(&b.created).then_with(|| a.name.cmp(&b.name))
    };
    match provider {
        ProviderKind::Vpsorg => {
            let mut idx: Vec<usize> = (0..snaps.len()).collect();
            idx.sort_by(|a, b| by_date(b, a));
            idx.into_iter().map(|i| (i, 0)).collect()
        }
        ProviderKind::Ilkbyte => {
            let index: HashMap<&str, usize> = snaps
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.as_str(), i))
                .collect();
            let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
            let mut roots = Vec::new();
            for (i, s) in snaps.iter().enumerate() {
                match s.parent.as_deref().and_then(|p| index.get(p)) {
                    Some(&p) if p != i => children.entry(p).or_default().push(i),
                    _ => roots.push(i),
                }
            }
            roots.sort_by(by_date);
            for list in children.values_mut() {
                list.sort_by(by_date);
            }
            let mut out = Vec::with_capacity(snaps.len());
            let mut seen = vec![false; snaps.len()];
            let mut stack: Vec<(usize, u32)> = roots.into_iter().rev().map(|r| (r, 0)).collect();
            while let Some((i, depth)) = stack.pop() {
                if std::mem::replace(&mut seen[i], true) {
                    continue;
                }
                out.push((i, depth));
                if let Some(kids) = children.get(&i) {
                    stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
                }
            }
            // A parent cycle leaves nodes unreached: show them as roots.
            for (i, done) in seen.iter().enumerate() {
                if !done {
                    out.push((i, 0));
                }
            }
            out
        }
    }
}

#[derive(Clone, Copy)]
pub struct AccountStore {
    pub id: u32,
    pub account: RwSignal<Account>,
    pub servers: RwSignal<Vec<ServerStore>>,
    /// The server list has arrived at least once.
    pub loaded: RwSignal<bool>,
    /// Why the server list (or VPS.org's account-wide snapshot list) failed.
    pub error: RwSignal<Option<String>>,
    pub stale: RwSignal<bool>,
}

impl AccountStore {
    pub fn new(id: u32, account: Account) -> AccountStore {
        AccountStore {
            id,
            account: RwSignal::new(account),
            servers: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            stale: RwSignal::new(false),
        }
    }

    pub fn provider(&self) -> ProviderKind {
        self.account.with_untracked(|a| a.provider)
    }

    pub fn server(&self, key: &str) -> Option<ServerStore> {
        self.servers
            .with_untracked(|list| list.iter().find(|s| s.key == key).cloned())
    }

    /// Merges a fresh server list; returns whether the set of servers changed.
    pub fn patch_servers(&self, fresh: Vec<Server>, seen: f64) -> bool {
        let existing = self.servers.get_untracked();
        let by_key: HashMap<&str, &ServerStore> =
            existing.iter().map(|s| (s.key.as_str(), s)).collect();
        let next: Vec<ServerStore> = fresh
            .into_iter()
            .map(|server| match by_key.get(server.key.as_str()) {
                Some(store) => {
                    set_if_changed(store.server, server);
                    store.servers_seen.set_value(seen);
                    (*store).clone()
                }
                None => ServerStore::new(server, seen),
            })
            .collect();
        let same =
            next.len() == existing.len() && next.iter().zip(&existing).all(|(a, b)| a.key == b.key);
        if !same {
            self.servers.set(next);
        }
        set_if_changed(self.loaded, true);
        !same
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SnapshotStatus;

    fn snap(name: &str, parent: Option<&str>, created: i64) -> Snapshot {
        Snapshot {
            key: name.into(),
            name: name.into(),
            status: SnapshotStatus::Completed,
            created: Some(created),
            created_text: created.to_string(),
            size_mb: None,
            description: String::new(),
            current: false,
            parent: parent.map(str::to_string),
            children: 0,
            state: String::new(),
            schedule: None,
        }
    }

    fn names(snaps: &[Snapshot], order: &[(usize, u32)]) -> Vec<(String, u32)> {
        order
            .iter()
            .map(|(i, d)| (snaps[*i].name.clone(), *d))
            .collect()
    }

    #[test]
    fn ilkbyte_cards_follow_the_tree() {
        let snaps = vec![
            snap("experiment", Some("base"), 30),
            snap("preupgrade", Some("base"), 20),
            snap("base", None, 10),
            snap("child", Some("preupgrade"), 40),
            snap("orphan", Some("gone"), 5),
        ];
        let order = display_order(ProviderKind::Ilkbyte, &snaps);
        assert_eq!(
            names(&snaps, &order),
            [
                ("orphan".into(), 0),
                ("base".into(), 0),
                ("preupgrade".into(), 1),
                ("child".into(), 2),
                ("experiment".into(), 1)
            ]
        );
    }

    #[test]
    fn cycles_do_not_hang_or_drop_cards() {
        let snaps = vec![
            snap("a", Some("b"), 1),
            snap("b", Some("a"), 2),
            snap("self", Some("self"), 3),
        ];
        let order = display_order(ProviderKind::Ilkbyte, &snaps);
        assert_eq!(order.len(), 3);
    }

    #[test]
    fn vpsorg_cards_newest_first() {
        let snaps = vec![
            snap("old", None, 1),
            snap("new", None, 3),
            snap("mid", None, 2),
        ];
        let order = display_order(ProviderKind::Vpsorg, &snaps);
        assert_eq!(
            names(&snaps, &order),
            [("new".into(), 0), ("mid".into(), 0), ("old".into(), 0)]
        );
    }

    fn server_store() -> ServerStore {
        let server = Server {
            key: "s".into(),
            name: "s".into(),
            status: "running".into(),
            address: String::new(),
            os: String::new(),
        };
        ServerStore::new(server, 0.0)
    }

    #[test]
    fn patch_keeps_signals_and_writes_only_changes() {
        let _owner = Owner::new();
        let server = server_store();
        server.patch(
            ProviderKind::Vpsorg,
            vec![snap("a", None, 1), snap("b", None, 2)],
            1.0,
        );
        let first = server.snapshots.get_untracked();
        assert_eq!(first.len(), 2);
        let a_signal = first.iter().find(|s| s.key == "a").unwrap().snap;

        // The same data again: nothing is written.
        server.patch(
            ProviderKind::Vpsorg,
            vec![snap("a", None, 1), snap("b", None, 2)],
            2.0,
        );
        let again = server.snapshots.get_untracked();
        assert!(
            again.iter().zip(&first).all(|(x, y)| x.snap == y.snap),
            "same signals"
        );

        // One status changes: only that snapshot's signal gets the new value.
        let mut changed = snap("a", None, 1);
        changed.status = SnapshotStatus::InProgress;
        server.patch(
            ProviderKind::Vpsorg,
            vec![changed.clone(), snap("b", None, 2)],
            3.0,
        );
        assert_eq!(a_signal.get_untracked(), changed);
        assert!(server.busy());

        // A snapshot gone from the list goes.
        server.patch(ProviderKind::Vpsorg, vec![snap("b", None, 2)], 4.0);
        assert_eq!(server.snapshots.get_untracked().len(), 1);
    }

    #[test]
    fn placeholders_stay_until_listed() {
        let _owner = Owner::new();
        let server = server_store();
        let op = crate::model::Operation::Create {
            name: "fresh".into(),
            description: String::new(),
        };
        let mut pending = PendingOp::new(op, 0.0, None);
        pending.accepted = Some(5.0);
        server.snapshots.set(vec![SnapshotStore::new(
            snap("fresh", None, 0),
            0,
            Some(pending),
        )]);
        server.patch(ProviderKind::Ilkbyte, vec![snap("base", None, 1)], 1.0);
        assert_eq!(
            server.snapshots.get_untracked().len(),
            2,
            "placeholder kept"
        );
        server.settle(ProviderKind::Ilkbyte);
        // A list fetched before the provider accepted does not settle it…
        server.patch(
            ProviderKind::Ilkbyte,
            vec![snap("base", None, 1), snap("fresh", Some("base"), 9)],
            4.0,
        );
        server.settle(ProviderKind::Ilkbyte);
        let fresh = server
            .snapshots
            .get_untracked()
            .into_iter()
            .find(|s| s.key == "fresh")
            .unwrap();
        assert!(fresh.pending.get_untracked().is_some());
        // …one fetched after does.
        server.patch(
            ProviderKind::Ilkbyte,
            vec![snap("base", None, 1), snap("fresh", Some("base"), 9)],
            6.0,
        );
        server.settle(ProviderKind::Ilkbyte);
        assert!(fresh.pending.get_untracked().is_none());
        assert_eq!(fresh.depth.get_untracked(), 1);
    }
}
