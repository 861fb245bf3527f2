//! Accounts, per-server snapshot stores, the refresh scheduler and the
//! operations under way. Components read these and dispatch operations.

pub mod ops;
mod persist;
pub mod refresh;
pub mod store;

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::accounts::{Remember, Sealed};
use crate::model::{Account, Credentials, Operation, ProviderKind, Snapshot, SnapshotStatus};
use crate::net::{self, Abort, NetError};
use crate::providers::{self, ListScope, ProviderError};
use crate::vault::VaultKey;
use ops::PendingOp;
use refresh::{ListTiming, Outcome};
pub use store::{AccountStore, ServerStore, SnapshotStore, set_if_changed};

/// At most this many list requests at once, over all accounts.
const MAX_IN_FLIGHT: usize = 6;

/// Why a fetch failed.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchError {
    Net(NetError),
    Provider(ProviderError),
}

impl FetchError {
    fn outcome(&self) -> Outcome {
        match self {
            FetchError::Provider(ProviderError::RateLimited { retry_after, .. }) => {
                Outcome::RateLimited(*retry_after)
            }
            _ => Outcome::Failed,
        }
    }
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

/// What the user reads in the alert: the provider's own words where there
/// are some, and what to do about a network failure.
pub fn describe(err: &FetchError, account: &Account) -> String {
    let provider = account.provider.display_name();
    match err {
        FetchError::Net(NetError::Timeout) => format!(
            "{provider} did not answer within {} s.",
            net::TIMEOUT_MS / 1000
        ),
        FetchError::Net(NetError::Aborted) => "Cancelled.".into(),
        FetchError::Net(NetError::Network(_)) if account.proxy.trim().is_empty() => format!(
            "Could not reach {}. The network failed or the browser blocked the answer: {provider} may need a CORS proxy (set one for this account).",
            host_of(&account.base_url)
        ),
        FetchError::Net(NetError::Network(_)) => format!(
            "Could not reach the CORS proxy at {}. Is it running, and does it allow this page's origin?",
            host_of(&account.proxy)
        ),
        FetchError::Provider(ProviderError::Auth(m)) => {
            format!("{provider} refused the credentials: {m}")
        }
        FetchError::Provider(ProviderError::RateLimited {
            retry_after,
            message,
        }) => match retry_after {
            Some(s) => format!("{message} (rate limited: retrying in {s} s)"),
            None => format!("{message} (rate limited)"),
        },
        FetchError::Provider(e) => e.message(),
    }
}

/// A refused create, explained: VPS.org answers 400 for a bad name and for
/// a server at its snapshot limit alike, and the count on screen may be
/// stale (another client may have taken snapshots).
pub fn explain_refused_create(provider: ProviderKind, err: &FetchError, message: String) -> String {
    let Some(limit) = provider.capabilities().snapshot_limit else {
        return message;
    };
    match err {
        FetchError::Provider(ProviderError::Refused {
            status: 400,
            message: said,
        }) if !said.starts_with("name:") => {
            format!(
                "{message} {} allows at most {limit} snapshots per server: if this one has {limit}, delete one to make room.",
                provider.display_name()
            )
        }
        _ => message,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ListKind {
    Servers,
    Snapshots(ListScope),
}

type ListId = (u32, ListKind);

#[derive(Default)]
struct Scheduler {
    lists: HashMap<ListId, ListTiming>,
    aborts: HashMap<u32, Abort>,
    in_flight: usize,
}

/// A dialog on screen; one at a time.
#[derive(Clone)]
pub enum Dialog {
    NewSnapshot {
        account: AccountStore,
        server: ServerStore,
    },
    Confirm {
        account: AccountStore,
        server: ServerStore,
        snapshot: SnapshotStore,
        op: Operation,
    },
    Schedule {
        account: AccountStore,
        server: ServerStore,
        snapshot: SnapshotStore,
    },
    /// Add an account, or edit one.
    AccountForm {
        editing: Option<AccountStore>,
    },
    RemoveAccount {
        account: AccountStore,
    },
    /// The passphrase for the secrets this device remembers.
    Unlock,
    Settings,
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Everything the panel knows, shared through context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub accounts: RwSignal<Vec<AccountStore>>,
    /// A page-level problem (an invalid `snapdeck.json`).
    pub notice: RwSignal<Option<String>>,
    /// The clock for relative dates, in seconds; ticks every 30 s.
    pub now: RwSignal<i64>,
    pub dialog: RwSignal<Option<Dialog>>,
    /// `snapdeck.json`'s default CORS proxy, offered in the account form.
    pub default_proxy: RwSignal<String>,
    /// How this device remembers accounts.
    pub remember: RwSignal<Remember>,
    /// Saved secrets waiting for their passphrase.
    pub locked: RwSignal<Option<Sealed>>,
    presets: StoredValue<Vec<Account>>,
    vault: StoredValue<Option<VaultKey>, LocalStorage>,
    visible: RwSignal<bool>,
    sched: StoredValue<Scheduler, LocalStorage>,
    owner: StoredValue<Owner>,
    next_id: StoredValue<u32>,
    ticks: StoredValue<u64>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            accounts: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            now: RwSignal::new((now_ms() / 1000.0) as i64),
            dialog: RwSignal::new(None),
            default_proxy: RwSignal::new(String::new()),
            remember: RwSignal::new(Remember::Tab),
            locked: RwSignal::new(None),
            presets: StoredValue::new(Vec::new()),
            vault: StoredValue::new_local(None),
            visible: RwSignal::new(true),
            sched: StoredValue::new_local(Scheduler::default()),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            next_id: StoredValue::new(1),
            ticks: StoredValue::new(0),
        }
    }

    /// Runs `f` under the app's root owner, so signals made in async code
    /// outlive the component or task that happened to start it.
    fn owned<T>(&self, f: impl FnOnce() -> T) -> T {
        self.owner.with_value(|o| o.clone()).with(f)
    }

    pub fn add_account(&self, account: Account) -> AccountStore {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let store = self.owned(|| AccountStore::new(id, account));
        self.accounts.update(|a| a.push(store));
        if let Some(abort) = Abort::new() {
            self.sched.update_value(|s| {
                s.aborts.insert(id, abort);
            });
        }
        self.register(id, ListKind::Servers);
        self.pump();
        store
    }

    /// Removes an account from the page and from what this device remembers.
    pub fn remove_account(&self, id: u32) {
        self.remove_account_only(id);
        self.persist();
    }

    fn remove_account_only(&self, id: u32) {
        self.accounts.update(|a| a.retain(|s| s.id != id));
        self.sched.update_value(|s| {
            s.lists.retain(|(acct, _), _| *acct != id);
            if let Some(abort) = s.aborts.remove(&id) {
                abort.abort();
            }
        });
    }

    fn account(&self, id: u32) -> Option<AccountStore> {
        self.accounts
            .with_untracked(|a| a.iter().find(|s| s.id == id).cloned())
    }

    fn register(&self, account: u32, kind: ListKind) {
        let now = now_ms();
        self.sched.update_value(|s| {
            s.lists
                .entry((account, kind))
                .or_insert_with(|| ListTiming::new(now));
        });
    }

    fn poke(&self, account: u32, kind: ListKind) {
        let now = now_ms();
        self.sched.update_value(|s| {
            if let Some(t) = s.lists.get_mut(&(account, kind)) {
                t.poke(now);
            }
        });
    }

    /// `Refresh`: every list, now.
    pub fn refresh_all(&self) {
        let now = now_ms();
        self.sched
            .update_value(|s| s.lists.values_mut().for_each(|t| t.poke(now)));
        self.pump();
    }

    /// Retry after a failure: the account's lists.
    pub fn retry_account(&self, id: u32) {
        let now = now_ms();
        self.sched.update_value(|s| {
            s.lists
                .iter_mut()
                .filter(|((acct, _), _)| *acct == id)
                .for_each(|(_, t)| t.poke(now));
        });
        self.pump();
    }

    /// Retry after a failure: one server's list.
    pub fn retry_server(&self, account: &AccountStore, server: &ServerStore) {
        let scope = match account.provider() {
            ProviderKind::Ilkbyte => ListScope::Server(server.key.clone()),
            ProviderKind::Vpsorg => ListScope::Account,
        };
        self.poke(account.id, ListKind::Snapshots(scope));
        self.pump();
    }

    /// Hidden tabs poll nothing; a tab that becomes visible refreshes at once.
    pub fn set_visible(&self, visible: bool) {
        if self.visible.get_untracked() == visible {
            return;
        }
        self.visible.set(visible);
        if visible {
            self.refresh_all();
        }
    }

    /// Called every second.
    pub fn tick(&self) {
        let ticks = self.ticks.get_value() + 1;
        self.ticks.set_value(ticks);
        if ticks.is_multiple_of(30) {
            self.now.set((now_ms() / 1000.0) as i64);
        }
        if ticks.is_multiple_of(10) {
            self.mark_overdue();
        }
        self.pump();
    }

    fn mark_overdue(&self) {
        let now = now_ms();
        for account in self.accounts.get_untracked() {
            for server in account.servers.get_untracked() {
                for snap in server.snapshots.get_untracked() {
                    let overdue = snap
                        .pending
                        .with_untracked(|p| p.as_ref().is_some_and(|p| p.overdue(now)));
                    if overdue {
                        set_if_changed(snap.unconfirmed, true);
                    }
                }
            }
        }
    }

    /// Starts the lists that are due, within the bound on requests in flight.
    fn pump(&self) {
        if !self.visible.get_untracked() {
            return;
        }
        let now = now_ms();
        let due: Vec<ListId> = self
            .sched
            .try_update_value(|s| {
                let room = MAX_IN_FLIGHT.saturating_sub(s.in_flight);
                let mut due: Vec<(f64, ListId)> = s
                    .lists
                    .iter()
                    .filter(|(_, t)| t.is_due(now))
                    .map(|(id, t)| (t.next_due, id.clone()))
                    .collect();
                due.sort_by(|a, b| a.0.total_cmp(&b.0));
                due.truncate(room);
                for (_, id) in &due {
                    if let Some(t) = s.lists.get_mut(id) {
                        t.begin();
                    }
                }
                s.in_flight += due.len();
                due.into_iter().map(|(_, id)| id).collect()
            })
            .unwrap_or_default();
        for id in due {
            let state = *self;
            spawn_local(async move { state.run(id).await });
        }
    }

    async fn run(self, id: ListId) {
        let (outcome, busy) = match &id.1 {
            ListKind::Servers => self.fetch_servers(id.0).await,
            ListKind::Snapshots(scope) => self.fetch_snapshots(id.0, scope.clone()).await,
        };
        let now = now_ms();
        self.sched.try_update_value(|s| {
            s.in_flight = s.in_flight.saturating_sub(1);
            if let Some(t) = s.lists.get_mut(&id) {
                t.finish(now, busy, outcome);
            }
        });
        self.pump();
    }

    fn abort_for(&self, account: u32) -> Option<Abort> {
        self.sched
            .try_with_value(|s| s.aborts.get(&account).cloned())
            .flatten()
    }

    async fn fetch_servers(&self, id: u32) -> (Outcome, bool) {
        let Some(store) = self.account(id) else {
            return (Outcome::Fresh, false);
        };
        let account = store.account.get_untracked();
        if account.credentials == Credentials::Missing {
            let why = if self.locked.with_untracked(Option::is_some) {
                "Locked: unlock the accounts saved on this device to load this one."
            } else {
                "This account has no credentials yet: edit it to add them."
            };
            set_if_changed(store.error, Some(why.into()));
            return (Outcome::Fresh, false);
        }
        let started = now_ms();
        let abort = self.abort_for(id);
        let mut servers = Vec::new();
        let mut page = 1;
        loop {
            let req = providers::servers_request(&account, page);
            let result = match net::send(&req, &account.proxy, abort.as_ref()).await {
                Ok(resp) => {
                    providers::parse_servers(account.provider, &resp).map_err(FetchError::Provider)
                }
                Err(e) => Err(FetchError::Net(e)),
            };
            match result {
                Ok(p) => {
                    servers.extend(p.servers);
                    if page >= p.total_pages {
                        break;
                    }
                    page += 1;
                }
                Err(FetchError::Net(NetError::Aborted)) => return (Outcome::Fresh, false),
                Err(e) => {
                    set_if_changed(store.error, Some(describe(&e, &account)));
                    set_if_changed(store.stale, store.loaded.get_untracked());
                    return (e.outcome(), self.servers_busy(&store));
                }
            }
        }
        let changed = self.owned(|| store.patch_servers(servers, started));
        set_if_changed(store.error, None);
        set_if_changed(store.stale, false);
        if changed {
            let servers = store.servers.get_untracked();
            let scopes: Vec<ListScope> = providers::list_scopes(
                account.provider,
                &servers
                    .iter()
                    .map(|s| s.server.get_untracked())
                    .collect::<Vec<_>>(),
            );
            self.sched.update_value(|s| {
                s.lists.retain(|(acct, kind), _| match kind {
                    ListKind::Snapshots(scope) if *acct == id => scopes.contains(scope),
                    _ => true,
                });
            });
            for scope in scopes {
                self.register(id, ListKind::Snapshots(scope));
            }
        }
        for server in store.servers.get_untracked() {
            server.settle(account.provider);
        }
        (Outcome::Fresh, self.servers_busy(&store))
    }

    /// The server list shows restores: poll it fast while one runs.
    fn servers_busy(&self, store: &AccountStore) -> bool {
        store.servers.with_untracked(|list| {
            list.iter().any(|s| {
                s.server.with_untracked(|s| s.is_transitional())
                    || s.snapshots.with_untracked(|snaps| {
                        snaps.iter().any(|snap| {
                            snap.pending.with_untracked(|p| {
                                p.as_ref().is_some_and(|p| {
                                    p.witness(store.provider()) == ops::Witness::Servers
                                })
                            })
                        })
                    })
            })
        })
    }

    async fn fetch_snapshots(&self, id: u32, scope: ListScope) -> (Outcome, bool) {
        let Some(store) = self.account(id) else {
            return (Outcome::Fresh, false);
        };
        let account = store.account.get_untracked();
        let targets: Vec<ServerStore> = match &scope {
            ListScope::Server(key) => store.server(key).into_iter().collect(),
            ListScope::Account => store.servers.get_untracked(),
        };
        let started = now_ms();
        let req = providers::snapshots_request(&account, &scope);
        let abort = self.abort_for(id);
        let result = match net::send(&req, &account.proxy, abort.as_ref()).await {
            Ok(resp) => providers::parse_snapshots(account.provider, &scope, &resp)
                .map_err(FetchError::Provider),
            Err(e) => Err(FetchError::Net(e)),
        };
        let busy = |targets: &[ServerStore]| targets.iter().any(ServerStore::busy);
        match result {
            Err(FetchError::Net(NetError::Aborted)) => (Outcome::Fresh, false),
            Err(e) => {
                let message = describe(&e, &account);
                match scope {
                    ListScope::Server(_) => {
                        for t in &targets {
                            set_if_changed(t.error, Some(message.clone()));
                            set_if_changed(t.stale, t.loaded.get_untracked());
                        }
                    }
                    ListScope::Account => {
                        set_if_changed(store.error, Some(message));
                        for t in &targets {
                            set_if_changed(t.stale, t.loaded.get_untracked());
                        }
                    }
                }
                (e.outcome(), busy(&targets))
            }
            Ok(list) => {
                let mut grouped: HashMap<String, Vec<Snapshot>> = HashMap::new();
                for (server, snap) in list {
                    grouped.entry(server).or_default().push(snap);
                }
                self.owned(|| {
                    for t in &targets {
                        t.patch(
                            account.provider,
                            grouped.remove(&t.key).unwrap_or_default(),
                            started,
                        );
                        t.settle(account.provider);
                        if matches!(scope, ListScope::Server(_)) {
                            set_if_changed(t.error, None);
                        }
                    }
                });
                if matches!(scope, ListScope::Account) && store.loaded.get_untracked() {
                    set_if_changed(store.error, None);
                }
                (Outcome::Fresh, busy(&targets))
            }
        }
    }

    fn snapshot_scope(&self, account: &AccountStore, server: &ServerStore) -> ListScope {
        match account.provider() {
            ProviderKind::Ilkbyte => ListScope::Server(server.key.clone()),
            ProviderKind::Vpsorg => ListScope::Account,
        }
    }

    /// The one path of every operation: pending at once, sent once, settled
    /// by the provider's lists, or the provider's error on the card.
    pub fn perform(&self, account: &AccountStore, server: &ServerStore, op: Operation) {
        let acct = account.account.get_untracked();
        let provider = acct.provider;
        let Some(req) = providers::operation_request(&acct, &server.key, &op) else {
            set_if_changed(
                server.error,
                Some(format!(
                    "{} does not offer this operation.",
                    provider.display_name()
                )),
            );
            return;
        };
        let now = now_ms();
        let card = match &op {
            Operation::Create { name, description } => {
                let key = match provider {
                    ProviderKind::Ilkbyte => name.clone(),
                    // VPS.org names the new snapshot's id in its answer.
                    ProviderKind::Vpsorg => format!("new:{name}:{now}"),
                };
                let placeholder = Snapshot {
                    key,
                    name: name.clone(),
                    status: SnapshotStatus::InProgress,
                    created: Some((now / 1000.0) as i64),
                    created_text: String::new(),
                    size_mb: None,
                    description: description.clone(),
                    current: false,
                    parent: None,
                    children: 0,
                    state: String::new(),
                    schedule: None,
                };
                let store = self.owned(|| {
                    SnapshotStore::new(placeholder, 0, Some(PendingOp::new(op.clone(), now, None)))
                });
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
                    return;
                };
                if store.pending.with_untracked(Option::is_some) {
                    // Sent once: a second click while pending does nothing.
                    return;
                }
                let before = store.snap.get_untracked();
                store
                    .pending
                    .set(Some(PendingOp::new(op.clone(), now, Some(before))));
                set_if_changed(store.error, None);
                set_if_changed(store.unconfirmed, false);
                store
            }
        };
        let state = *self;
        let account = *account;
        let server = server.clone();
        spawn_local(async move {
            let result = match net::send(&req, &acct.proxy, None).await {
                Ok(resp) => {
                    providers::parse_operation(provider, &resp).map_err(FetchError::Provider)
                }
                Err(e) => Err(FetchError::Net(e)),
            };
            match result {
                Ok(accepted) => {
                    let at = now_ms();
                    let mut card = card;
                    if let Some(real) = accepted
                        .snapshot
                        .filter(|_| provider == ProviderKind::Vpsorg)
                    {
                        // Swap the placeholder for the snapshot VPS.org made.
                        let pending = card.pending.get_untracked().map(|mut p| {
                            p.accepted = Some(at);
                            p
                        });
                        let existing = server
                            .snapshots
                            .with_untracked(|l| l.iter().find(|s| s.key == real.key).cloned());
                        let real_card = match existing {
                            Some(existing) => {
                                existing.pending.set(pending);
                                existing
                            }
                            None => state.owned(|| SnapshotStore::new(real, 0, pending)),
                        };
                        let placeholder = card.key.clone();
                        server.snapshots.update(|list| {
                            list.retain(|s| s.key != placeholder && s.key != real_card.key);
                            list.insert(0, real_card.clone());
                        });
                        card = real_card;
                    }
                    card.pending.update(|p| {
                        if let Some(p) = p {
                            p.accepted = Some(at);
                            p.note = accepted.message.clone();
                        }
                    });
                    if let Some(status) = accepted.server_status {
                        server.server.update(|s| s.status = status);
                    }
                    let scope = state.snapshot_scope(&account, &server);
                    state.poke(account.id, ListKind::Snapshots(scope));
                    if provider == ProviderKind::Vpsorg {
                        state.poke(account.id, ListKind::Servers);
                    }
                    state.pump();
                }
                Err(e) => {
                    let mut message = describe(&e, &acct);
                    if let FetchError::Net(NetError::Network(_) | NetError::Timeout) = e {
                        message.push_str(
                            " The operation may not have reached the provider: refresh to see.",
                        );
                    }
                    if matches!(op, Operation::Create { .. }) {
                        message = explain_refused_create(provider, &e, message);
                        // The count shown may be stale: see what is there now.
                        let scope = state.snapshot_scope(&account, &server);
                        state.poke(account.id, ListKind::Snapshots(scope));
                        state.pump();
                        let key = card.key.clone();
                        server.snapshots.update(|l| l.retain(|s| s.key != key));
                        server.error.set(Some(message));
                    } else {
                        card.pending.set(None);
                        card.error.set(Some(message));
                    }
                }
            }
        });
    }

    /// `Retry` on an operation that was never confirmed: send it again.
    pub fn retry_operation(
        &self,
        account: &AccountStore,
        server: &ServerStore,
        card: &SnapshotStore,
    ) {
        let Some(pending) = card.pending.get_untracked() else {
            return;
        };
        card.pending.set(None);
        set_if_changed(card.unconfirmed, false);
        if matches!(pending.op, Operation::Create { .. }) {
            let key = card.key.clone();
            server.snapshots.update(|l| l.retain(|s| s.key != key));
        }
        self.perform(account, server, pending.op);
    }
}

impl Default for AppState {
    fn default() -> AppState {
        AppState::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(proxy: &str) -> Account {
        Account {
            provider: ProviderKind::Ilkbyte,
            label: "a".into(),
            base_url: "https://api.ilkbyte.com".into(),
            credentials: Credentials::Missing,
            proxy: proxy.into(),
        }
    }

    #[test]
    fn network_failures_say_what_to_do() {
        let direct = describe(
            &FetchError::Net(NetError::Network("TypeError".into())),
            &account(""),
        );
        assert!(
            direct.contains("api.ilkbyte.com") && direct.contains("CORS proxy"),
            "{direct}"
        );
        let proxied = describe(
            &FetchError::Net(NetError::Network("TypeError".into())),
            &account("http://127.0.0.1:8787/"),
        );
        assert!(proxied.contains("proxy at 127.0.0.1:8787"), "{proxied}");
        assert!(describe(&FetchError::Net(NetError::Timeout), &account("")).contains("20 s"));
    }

    #[test]
    fn a_refused_vpsorg_create_explains_the_limit() {
        let limit = FetchError::Provider(ProviderError::Refused {
            status: 400,
            message: "Snapshot limit reached".into(),
        });
        let explained = explain_refused_create(
            ProviderKind::Vpsorg,
            &limit,
            "Snapshot limit reached".into(),
        );
        assert!(
            explained.starts_with("Snapshot limit reached VPS.org allows at most 5"),
            "{explained}"
        );
        let bad_name = FetchError::Provider(ProviderError::Refused {
            status: 400,
            message: "name: Use only letters".into(),
        });
        assert_eq!(
            explain_refused_create(
                ProviderKind::Vpsorg,
                &bad_name,
                "name: Use only letters".into()
            ),
            "name: Use only letters"
        );
        assert_eq!(
            explain_refused_create(ProviderKind::Ilkbyte, &limit, "x".into()),
            "x"
        );
    }

    #[test]
    fn provider_errors_carry_the_providers_words() {
        let e = FetchError::Provider(ProviderError::Refused {
            status: 200,
            message: "Server backup not found!".into(),
        });
        assert_eq!(describe(&e, &account("")), "Server backup not found!");
        let e = FetchError::Provider(ProviderError::Auth("Invalid token.".into()));
        assert_eq!(
            describe(&e, &account("")),
            "ilkbyte refused the credentials: Invalid token."
        );
        let e = FetchError::Provider(ProviderError::RateLimited {
            retry_after: Some(3),
            message: "Slow down".into(),
        });
        assert!(describe(&e, &account("")).contains("retrying in 3 s"));
        assert_eq!(e.outcome(), Outcome::RateLimited(Some(3)));
    }
}
