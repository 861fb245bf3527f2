//! Reactive stores: one signal per server and per snapshot, so a poll that
//! changes one status touches one card.

use rustc_hash::FxHashMap as HashMap;

use leptos::prelude::*;

use super::errors::Problem;
use super::ops::{OpKind, PendingOp, Witness};
use super::plan::Plan;
use super::refresh::Pace;
use super::relay::Relay;
use crate::model::{Account, ProviderKind, Server, Snapshot, SnapshotStatus};

/// Writes `value` only when it differs: an unchanged poll notifies nobody.
pub fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|old| *old != value) {
        signal.set(value);
    }
}

/// Runs `f` with no reactive owner, so the signals it makes belong to no
/// owner: a store's signals are disposed by `dispose`, when the store goes,
/// not kept (even as an id) by whatever component or task made them.
pub fn unowned<T>(f: impl FnOnce() -> T) -> T {
    let owner = Owner::current();
    if let Some(o) = &owner {
        o.clone().unset();
    }
    let out = f();
    if let Some(o) = owner {
        o.set();
    }
    out
}

/// An operation that the lists showed done: for the remembered durations,
/// the re-reads it calls for and the announcement.
#[derive(Clone, Debug, PartialEq)]
pub struct Settled {
    pub kind: OpKind,
    /// The snapshot's key.
    pub key: String,
    pub witness: Witness,
    /// The snapshot's name.
    pub name: String,
    /// From the click to the list showing it, in ms.
    pub took: f64,
}

#[derive(Clone)]
pub struct SnapshotStore {
    pub key: String,
    pub snap: RwSignal<Snapshot>,
    /// Depth in ilkbyte's snapshot tree (0 for roots and VPS.org).
    pub depth: RwSignal<u32>,
    /// The operation under way on this snapshot (or creating it).
    pub pending: RwSignal<Option<PendingOp>>,
    pub error: RwSignal<Option<String>>,
}

impl SnapshotStore {
    pub fn new(snap: Snapshot, depth: u32, pending: Option<PendingOp>) -> SnapshotStore {
        unowned(|| SnapshotStore {
            key: snap.key.clone(),
            snap: RwSignal::new(snap),
            depth: RwSignal::new(depth),
            pending: RwSignal::new(pending),
            error: RwSignal::new(None),
        })
    }

    /// A card for a create that the provider does not hold yet (tracked:
    /// a count of snapshots follows it).
    pub fn is_placeholder(&self) -> bool {
        self.pending
            .with(|p| p.as_ref().is_some_and(PendingOp::is_placeholder))
    }

    /// A create under way keeps its card whatever a list shows.
    fn kept_by_create(&self) -> bool {
        self.pending
            .with_untracked(|p| p.as_ref().is_some_and(|p| p.is_create() && !p.is_over()))
    }

    /// Under an operation, or not yet confirmed by the provider: the card
    /// offers no other action until it settles.
    pub fn is_held(&self) -> bool {
        self.pending
            .try_with_untracked(|p| p.as_ref().is_some_and(|p| !p.is_over()))
            .unwrap_or(true)
    }

    /// Shows its operation, if that waits for `witness`, a list fetched at
    /// `fetched`: what settled, if it did.
    fn observe(
        &self,
        provider: ProviderKind,
        witness: Witness,
        fetched: f64,
        server: &Server,
        shown: Option<&Snapshot>,
    ) -> Option<Settled> {
        let mut settled = None;
        self.pending.update_untracked(|p| {
            if let Some(op) = p
                && op.witness(provider) == witness
                && op.observe(provider, fetched, server, shown)
            {
                settled = Some(Settled {
                    kind: op.kind(),
                    key: self.key.clone(),
                    witness,
                    name: self.snap.with_untracked(|s| s.name.clone()),
                    took: op.took().unwrap_or(0.0),
                });
            }
        });
        settled
    }

    fn dispose(self) {
        self.snap.dispose();
        self.depth.dispose();
        self.pending.dispose();
        self.error.dispose();
    }
}

#[derive(Clone)]
pub struct ServerStore {
    pub key: String,
    pub server: RwSignal<Server>,
    pub snapshots: RwSignal<Vec<SnapshotStore>>,
    /// Its snapshot list has arrived at least once.
    pub loaded: RwSignal<bool>,
    /// Why its snapshot list, or an action on it, failed.
    pub error: RwSignal<Option<Problem>>,
    /// The last refresh failed: what is shown is older.
    pub stale: RwSignal<bool>,
    /// Fires when `server` changes: what cards follow (see `relay`).
    pub changed: Relay,
    /// Operations that go together (a safety snapshot, then a restore),
    /// under way or ended; shown until dismissed or replaced.
    pub plan: RwSignal<Option<Plan>>,
    /// The view's filter lets it through (see `AppState::apply_filter`).
    pub shown: RwSignal<bool>,
}

impl ServerStore {
    pub fn new(server: Server) -> ServerStore {
        unowned(|| ServerStore {
            key: server.key.clone(),
            server: RwSignal::new(server),
            snapshots: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            stale: RwSignal::new(false),
            changed: Relay::new(),
            plan: RwSignal::new(None),
            shown: RwSignal::new(true),
        })
    }

    /// Writes the server's fresh details, waking its cards if they changed.
    pub fn set_server(&self, server: Server) {
        if self.server.with_untracked(|old| *old != server) {
            self.server.set(server);
            self.changed.notify();
        }
    }

    /// Its snapshots' names, as listed now.
    pub fn snapshot_names(&self) -> Vec<String> {
        self.snapshots.with_untracked(|l| {
            l.iter()
                .map(|s| s.snap.with_untracked(|s| s.name.clone()))
                .collect()
        })
    }

    /// Snapshots the provider counts against its limit (not placeholders).
    pub fn snapshot_count(&self) -> usize {
        self.snapshots
            .with(|list| list.iter().filter(|s| !s.is_placeholder()).count())
    }

    /// How fast its snapshot list should be polled.
    pub fn pace(&self) -> Pace {
        let (ours, moving) = self.snapshots.with_untracked(|list| {
            list.iter().fold((false, false), |(ours, moving), s| {
                (
                    ours || s
                        .pending
                        .with_untracked(|p| p.as_ref().is_some_and(PendingOp::in_flight)),
                    moving
                        || s.snap
                            .with_untracked(|s| s.status == SnapshotStatus::InProgress),
                )
            })
        });
        if ours {
            Pace::Operation
        } else if moving || self.server.with_untracked(Server::is_transitional) {
            Pace::Busy
        } else {
            Pace::Quiet
        }
    }

    /// Its operations that wait for `witness`, still in flight.
    pub fn waits_for(&self, provider: ProviderKind, witness: Witness) -> bool {
        self.snapshots.with_untracked(|list| {
            list.iter().any(|s| {
                s.pending.with_untracked(|p| {
                    p.as_ref()
                        .is_some_and(|p| p.in_flight() && p.witness(provider) == witness)
                })
            })
        })
    }

    /// Merges a snapshot list fetched at `fetched` (ms, when its request
    /// started). Operations it shows done settle; cards keep their signals
    /// and are written only when changed. A card the list does not show
    /// stays while an operation holds it (a create not listed yet); the
    /// others go, and are returned for disposal.
    pub fn patch(
        &self,
        provider: ProviderKind,
        fresh: Vec<Snapshot>,
        fetched: f64,
    ) -> (Vec<Settled>, Vec<SnapshotStore>) {
        let server = self.server.get_untracked();
        let existing = self.snapshots.get_untracked();
        let listed: HashMap<&str, &Snapshot> = fresh.iter().map(|s| (s.key.as_str(), s)).collect();
        let mut settled = Vec::new();
        for store in &existing {
            let shown = listed.get(store.key.as_str()).copied();
            settled.extend(store.observe(provider, Witness::Snapshots, fetched, &server, shown));
        }
        let by_key: HashMap<&str, &SnapshotStore> =
            existing.iter().map(|s| (s.key.as_str(), s)).collect();
        let waiting: Vec<SnapshotStore> = existing
            .iter()
            .filter(|s| s.kept_by_create() && !listed.contains_key(s.key.as_str()))
            .cloned()
            .collect();
        let order = display_order(provider, &fresh);
        let mut next: Vec<SnapshotStore> = Vec::with_capacity(order.len() + waiting.len());
        for &(index, depth) in &order {
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
        // New snapshots not listed yet, where the list will show them.
        let (at, depth) = new_snapshot_slot(provider, &fresh, &order);
        for (i, store) in waiting.into_iter().enumerate() {
            set_if_changed(store.depth, depth);
            next.insert(at + i, store);
        }
        // Settled operations leave their cards.
        for s in &existing {
            if s.pending
                .with_untracked(|p| p.as_ref().is_some_and(PendingOp::is_over))
            {
                s.pending.set(None);
            }
        }
        let same_keys =
            next.len() == existing.len() && next.iter().zip(&existing).all(|(a, b)| a.key == b.key);
        let mut gone = Vec::new();
        if !same_keys {
            gone = existing
                .into_iter()
                .filter(|old| !next.iter().any(|n| n.key == old.key))
                .collect();
            self.snapshots.set(next);
        }
        set_if_changed(self.loaded, true);
        set_if_changed(self.stale, false);
        (settled, gone)
    }

    /// The server list (fetched at `fetched`) has this server's state:
    /// settles the operations that it witnesses (a VPS.org restore).
    pub fn observe_server(&self, provider: ProviderKind, fetched: f64) -> Vec<Settled> {
        let server = self.server.get_untracked();
        let mut settled = Vec::new();
        for store in self.snapshots.get_untracked() {
            if let Some(done) = store.observe(provider, Witness::Servers, fetched, &server, None) {
                settled.push(done);
                store.pending.set(None);
            }
        }
        settled
    }

    /// Its snapshot cards, and itself.
    pub fn dispose(self) {
        for s in self.snapshots.get_untracked() {
            s.dispose();
        }
        self.server.dispose();
        self.snapshots.dispose();
        self.loaded.dispose();
        self.error.dispose();
        self.stale.dispose();
        self.changed.dispose();
        self.plan.dispose();
        self.shown.dispose();
    }
}

/// Stores that left the page, disposed once their views are gone.
pub enum Retired {
    Snapshot(SnapshotStore),
    Server(ServerStore),
    Account(AccountStore),
}

impl Retired {
    pub fn dispose(self) {
        match self {
            Retired::Snapshot(s) => s.dispose(),
            Retired::Server(s) => s.dispose(),
            Retired::Account(a) => a.dispose(),
        }
    }
}

/// Where a new snapshot will show in `order` (from `display_order`) once
/// listed, and its depth: at VPS.org first (newest first); at ilkbyte as
/// the newest child of the snapshot the server runs from (after that
/// snapshot's descendants), or the newest root when none is current. Its
/// card waits there, so nothing jumps when the provider lists it.
pub fn new_snapshot_slot(
    provider: ProviderKind,
    snaps: &[Snapshot],
    order: &[(usize, u32)],
) -> (usize, u32) {
    if provider == ProviderKind::Vpsorg {
        return (0, 0);
    }
    let Some(at) = order.iter().position(|&(i, _)| snaps[i].current) else {
        return (order.len(), 0);
    };
    let depth = order[at].1;
    let end = order[at + 1..]
        .iter()
        .position(|&(_, d)| d <= depth)
        .map_or(order.len(), |p| at + 1 + p);
    (end, depth + 1)
}

/// The order cards are shown in, with tree depth: ilkbyte as its snapshot
/// tree (parents first, oldest first), VPS.org newest first.
pub fn display_order(provider: ProviderKind, snaps: &[Snapshot]) -> Vec<(usize, u32)> {
    // Oldest first; the position breaks ties (two snapshots of one name
    // and date keep their order from poll to poll).
    let by_date = |a: usize, b: usize| {
        let (x, y) = (&snaps[a], &snaps[b]);
        x.created
            .cmp(&y.created)
            .then_with(|| x.name.cmp(&y.name))
            .then(a.cmp(&b))
    };
    match provider {
        ProviderKind::Vpsorg => {
            let mut idx: Vec<usize> = (0..snaps.len()).collect();
            super::sort_positions(&mut idx, &|a, b| by_date(b, a));
            idx.into_iter().map(|i| (i, 0)).collect()
        }
        ProviderKind::Ilkbyte => {
            let index: HashMap<&str, usize> = snaps
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.as_str(), i))
                .collect();
            let mut children: HashMap<usize, Vec<usize>> = HashMap::default();
            let mut roots = Vec::new();
            for (i, s) in snaps.iter().enumerate() {
                match s.parent.as_deref().and_then(|p| index.get(p)) {
                    Some(&p) if p != i => children.entry(p).or_default().push(i),
                    _ => roots.push(i),
                }
            }
            super::sort_positions(&mut roots, &by_date);
            for list in children.values_mut() {
                super::sort_positions(list, &by_date);
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

/// The page can be drawn as it will stay: `snapdeck.json` is read, and
/// there is no account to ask, or one of them has its first cards.
/// Reactive.
pub fn page_ready(read: bool, accounts: &[AccountStore]) -> bool {
    read && (accounts.is_empty() || accounts.iter().any(AccountStore::has_first_cards))
}

/// A snapshot list as fetched: each snapshot with its server's key.
pub type SnapshotList = Vec<(String, Snapshot)>;

#[derive(Clone, Copy)]
pub struct AccountStore {
    pub id: u32,
    pub account: RwSignal<Account>,
    pub servers: RwSignal<Vec<ServerStore>>,
    /// The server list has arrived at least once.
    pub loaded: RwSignal<bool>,
    /// Why the server list failed.
    pub error: RwSignal<Option<Problem>>,
    /// Why the account-wide snapshot list (VPS.org's) failed: apart from
    /// the server list's, so that neither list's answer clears the other's
    /// failure.
    pub snapshots_error: RwSignal<Option<Problem>>,
    pub stale: RwSignal<bool>,
    /// An account-wide snapshot list that came before the server list, with
    /// when it was asked for: applied as the servers arrive.
    pub early: StoredValue<Option<(f64, SnapshotList)>>,
}

impl AccountStore {
    pub fn new(id: u32, account: Account) -> AccountStore {
        unowned(|| AccountStore {
            id,
            account: RwSignal::new(account),
            servers: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            snapshots_error: RwSignal::new(None),
            stale: RwSignal::new(false),
            early: StoredValue::new(None),
        })
    }

    /// Its server list has answered, or has failed, or cannot be asked
    /// for (a locked vault, no keys). Reactive.
    pub fn answered(&self) -> bool {
        self.loaded.get() || self.error.with(Option::is_some)
    }

    /// Something of it can be drawn as it will stay: a first snapshot
    /// list has answered or failed, or it has no servers, or its server
    /// list failed (or cannot be asked for). Reactive.
    pub fn has_first_cards(&self) -> bool {
        self.error.with(Option::is_some)
            || self.snapshots_error.with(Option::is_some)
            || (self.loaded.get()
                && self.servers.with(|list| {
                    list.is_empty()
                        || list
                            .iter()
                            .any(|s| s.loaded.get() || s.error.with(Option::is_some))
                }))
    }

    /// Its servers and cards, and itself.
    pub fn dispose(self) {
        for s in self.servers.get_untracked() {
            s.dispose();
        }
        self.account.dispose();
        self.servers.dispose();
        self.early.dispose();
        self.loaded.dispose();
        self.error.dispose();
        self.snapshots_error.dispose();
        self.stale.dispose();
    }

    /// What the account says failed, in the page's language: its server
    /// list first, else its account-wide snapshot list.
    pub fn failure(&self) -> Option<String> {
        let problem = self.error.get().or_else(|| self.snapshots_error.get())?;
        Some(self.account.with(|a| problem.words(a)))
    }

    pub fn provider(&self) -> ProviderKind {
        self.account.with_untracked(|a| a.provider)
    }

    pub fn server(&self, key: &str) -> Option<ServerStore> {
        self.servers
            .with_untracked(|list| list.iter().find(|s| s.key == key).cloned())
    }

    /// Merges a fresh server list; returns the servers that went (for
    /// disposal), or `None` when the set of servers is the same.
    pub fn patch_servers(&self, fresh: Vec<Server>) -> Option<Vec<ServerStore>> {
        let existing = self.servers.get_untracked();
        let by_key: HashMap<&str, &ServerStore> =
            existing.iter().map(|s| (s.key.as_str(), s)).collect();
        let next: Vec<ServerStore> = fresh
            .into_iter()
            .map(|server| match by_key.get(server.key.as_str()) {
                Some(store) => {
                    store.set_server(server);
                    (*store).clone()
                }
                None => ServerStore::new(server),
            })
            .collect();
        set_if_changed(self.loaded, true);
        let same =
            next.len() == existing.len() && next.iter().zip(&existing).all(|(a, b)| a.key == b.key);
        if same {
            return None;
        }
        let gone = existing
            .into_iter()
            .filter(|old| !next.iter().any(|n| n.key == old.key))
            .collect();
        self.servers.set(next);
        Some(gone)
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
    fn an_account_has_answered_once_its_server_list_came_or_failed() {
        let account = Account {
            provider: ProviderKind::Vpsorg,
            label: "Demo".into(),
            base_url: String::new(),
            credentials: Default::default(),
            proxy: String::new(),
            protected: Vec::new(),
        };
        let came = AccountStore::new(0, account.clone());
        let failed = AccountStore::new(1, account);
        assert!(!came.answered() && !failed.answered());
        // A failure of the account-wide snapshot list is not an answer to
        // the server list.
        failed
            .snapshots_error
            .set(Some(crate::state::errors::Problem::NoKeys));
        assert!(!failed.answered());
        came.loaded.set(true);
        failed
            .error
            .set(Some(crate::state::errors::Problem::Locked));
        assert!(came.answered() && failed.answered());
    }

    #[test]
    fn an_account_has_first_cards_once_a_snapshot_list_came_or_failed() {
        use crate::state::errors::Problem;
        let account = || Account {
            provider: ProviderKind::Ilkbyte,
            label: "Demo".into(),
            base_url: String::new(),
            credentials: Default::default(),
            proxy: String::new(),
            protected: Vec::new(),
        };
        let asking = AccountStore::new(0, account());
        assert!(!asking.has_first_cards());
        // The servers are known, their snapshots not yet: only headings.
        asking.patch_servers(vec![server_store().server.get_untracked()]);
        assert!(asking.answered() && !asking.has_first_cards());
        let first = asking.servers.get_untracked()[0].clone();
        first.loaded.set(true);
        assert!(asking.has_first_cards());
        first.loaded.set(false);
        first.error.set(Some(Problem::NoKeys));
        assert!(asking.has_first_cards());

        let empty = AccountStore::new(1, account());
        empty.patch_servers(Vec::new());
        assert!(
            empty.has_first_cards(),
            "no servers: nothing more to wait for"
        );
        let locked = AccountStore::new(2, account());
        locked.error.set(Some(Problem::Locked));
        assert!(locked.has_first_cards());
        let failed = AccountStore::new(3, account());
        failed.snapshots_error.set(Some(Problem::NoKeys));
        assert!(failed.has_first_cards());

        // The page: once snapdeck.json is read, with one account's cards.
        let still = AccountStore::new(4, account());
        assert!(!page_ready(true, &[still]));
        assert!(!page_ready(false, &[still, locked]));
        assert!(page_ready(true, &[still, locked]));
        assert!(!page_ready(false, &[]));
        assert!(page_ready(true, &[]), "no account: nothing to wait for");
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
    fn a_new_snapshot_waits_where_it_will_be_listed() {
        let mut snaps = vec![
            snap("experiment", Some("base"), 30),
            snap("preupgrade", Some("base"), 20),
            snap("base", None, 10),
            snap("child", Some("preupgrade"), 40),
        ];
        let order = display_order(ProviderKind::Ilkbyte, &snaps);
        // No current snapshot: the newest root, at the end.
        assert_eq!(
            new_snapshot_slot(ProviderKind::Ilkbyte, &snaps, &order),
            (4, 0)
        );
        // Under preupgrade, after its child.
        snaps[1].current = true;
        assert_eq!(
            new_snapshot_slot(ProviderKind::Ilkbyte, &snaps, &order),
            (3, 2)
        );
        snaps[1].current = false;
        snaps[0].current = true;
        assert_eq!(
            new_snapshot_slot(ProviderKind::Ilkbyte, &snaps, &order),
            (4, 2)
        );
        snaps[0].current = false;
        snaps[2].current = true;
        assert_eq!(
            new_snapshot_slot(ProviderKind::Ilkbyte, &snaps, &order),
            (4, 1)
        );
        assert_eq!(
            new_snapshot_slot(ProviderKind::Vpsorg, &snaps, &order),
            (0, 0)
        );
        assert_eq!(new_snapshot_slot(ProviderKind::Ilkbyte, &[], &[]), (0, 0));
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
        ServerStore::new(server)
    }

    fn keys(server: &ServerStore) -> Vec<String> {
        server
            .snapshots
            .get_untracked()
            .iter()
            .map(|s| s.key.clone())
            .collect()
    }

    #[test]
    fn patch_keeps_signals_and_writes_only_changes() {
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
        assert_eq!(server.pace(), Pace::Busy);

        // A snapshot gone from the list goes, and is handed back for disposal.
        let (_, gone) = server.patch(ProviderKind::Vpsorg, vec![snap("b", None, 2)], 4.0);
        assert_eq!(keys(&server), ["b"]);
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].key, "a");
    }

    fn op_card(name: &str, op: crate::model::Operation, accepted: f64) -> SnapshotStore {
        let mut pending = PendingOp::new(op, 0.0, Some(snap(name, None, 0)));
        pending.accept(accepted, String::new());
        SnapshotStore::new(snap(name, None, 0), 0, Some(pending))
    }

    #[test]
    fn a_new_snapshot_keeps_its_card_over_many_lists_until_listed() {
        let server = server_store();
        let op = crate::model::Operation::Create {
            name: "fresh".into(),
            description: String::new(),
        };
        server.snapshots.set(vec![op_card("fresh", op, 5.0)]);
        assert_eq!(server.pace(), Pace::Operation);
        let base = Snapshot {
            current: true,
            ..snap("base", None, 1)
        };
        // Minutes of lists that do not show it yet.
        for t in 1..200 {
            let (settled, gone) = server.patch(
                ProviderKind::Ilkbyte,
                vec![base.clone(), snap("other", None, 0)],
                f64::from(t) * 3000.0,
            );
            assert!(settled.is_empty() && gone.is_empty(), "at poll {t}");
            assert_eq!(
                keys(&server),
                ["other", "base", "fresh"],
                "placeholder kept at poll {t}, under the current snapshot"
            );
        }
        let fresh = server.snapshots.get_untracked()[2].clone();
        assert_eq!(fresh.depth.get_untracked(), 1);
        assert!(fresh.is_held(), "no other action while unconfirmed");
        assert_eq!(server.snapshot_count(), 2, "a placeholder does not count");
        // Listed: the same card settles, at its place in the tree.
        let (settled, _) = server.patch(
            ProviderKind::Ilkbyte,
            vec![
                base.clone(),
                snap("other", None, 0),
                snap("fresh", Some("base"), 9),
            ],
            700_000.0,
        );
        assert_eq!(settled.len(), 1);
        assert_eq!(settled[0].kind, OpKind::Create);
        assert_eq!(keys(&server), ["other", "base", "fresh"], "nothing moved");
        assert!(fresh.pending.get_untracked().is_none());
        assert_eq!(fresh.depth.get_untracked(), 1);
        assert!(!fresh.is_held());
        assert_eq!(server.pace(), Pace::Quiet);
    }

    #[test]
    fn a_card_being_deleted_stays_marked_until_the_list_drops_it() {
        let server = server_store();
        let del = crate::model::Operation::Delete {
            snapshot: "a".into(),
        };
        server.snapshots.set(vec![
            op_card("a", del, 10.0),
            SnapshotStore::new(snap("b", None, 2), 0, None),
        ]);
        // A list asked for before the acceptance, then lists still showing it.
        for t in [5.0, 3_000.0, 60_000.0, 600_000.0] {
            let (settled, gone) = server.patch(
                ProviderKind::Ilkbyte,
                vec![snap("a", None, 0), snap("b", None, 2)],
                t,
            );
            assert!(settled.is_empty() && gone.is_empty());
            assert!(server.snapshots.get_untracked()[0].is_held());
        }
        let (settled, gone) =
            server.patch(ProviderKind::Ilkbyte, vec![snap("b", None, 2)], 700_000.0);
        assert_eq!(settled[0].kind, OpKind::Delete);
        assert_eq!(gone.len(), 1);
        assert_eq!(keys(&server), ["b"]);
    }

    #[test]
    fn a_restore_settles_on_the_server_list() {
        let server = server_store();
        server.server.update(|s| s.status = "restoring".into());
        let restore = crate::model::Operation::GoBack {
            snapshot: "a".into(),
        };
        server.snapshots.set(vec![op_card("a", restore, 10.0)]);
        // The snapshot list proves nothing about a restore.
        let (settled, _) = server.patch(ProviderKind::Vpsorg, vec![snap("a", None, 0)], 50.0);
        assert!(settled.is_empty());
        assert!(server.waits_for(ProviderKind::Vpsorg, Witness::Servers));
        assert!(server.observe_server(ProviderKind::Vpsorg, 60.0).is_empty());
        server.server.update(|s| s.status = "stopped".into());
        let settled = server.observe_server(ProviderKind::Vpsorg, 70.0);
        assert_eq!(settled.len(), 1);
        assert!(!server.snapshots.get_untracked()[0].is_held());
    }

    #[test]
    fn disposed_stores_free_their_signals() {
        let server = server_store();
        server.patch(ProviderKind::Vpsorg, vec![snap("a", None, 1)], 1.0);
        let card = server.snapshots.get_untracked()[0].clone();
        let (_, gone) = server.patch(ProviderKind::Vpsorg, vec![], 2.0);
        for g in gone {
            Retired::Snapshot(g).dispose();
        }
        assert!(card.snap.try_get_untracked().is_none(), "disposed");
        let signal = server.server;
        Retired::Server(server).dispose();
        assert!(signal.try_get_untracked().is_none());
    }
}
