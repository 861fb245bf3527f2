//! Requests to providers: one helper sends, parses and types the error; the
//! list fetches, the connection test and `snapdeck.json` are built on it.

use rustc_hash::FxHashMap as HashMap;

use leptos::prelude::*;

use super::plan::Event;
use super::refresh::{Outcome, Pace};
use super::store::{Retired, Settled, SnapshotList};
use super::{AppState, FetchError, ListKind, ListScope, Problem, describe, now_ms, set_if_changed};
use crate::i18n::{fill, t};
use crate::model::{Account, Credentials, ProviderKind, Snapshot};
use crate::net::{self, Abort, NetError};
use crate::providers::{self, HttpRequest, HttpResponse, ProviderError};
use crate::state::ops::Witness;
use crate::state::{AccountStore, ServerStore};

/// Sends `req` for `account` (through its proxy) and parses the answer.
pub async fn call<T>(
    account: &Account,
    req: &HttpRequest,
    abort: Option<&Abort>,
    parse: impl FnOnce(ProviderKind, &HttpResponse) -> Result<T, ProviderError>,
) -> Result<T, FetchError> {
    match net::send(req, &account.proxy, abort).await {
        Ok(resp) => parse(account.provider, &resp).map_err(FetchError::Provider),
        Err(e) => Err(FetchError::Net(e)),
    }
}

/// `Test connection`: who the provider says the account is, or why not.
pub async fn test_connection(account: Account) -> Result<String, String> {
    let req = providers::account_check_request(&account);
    call(&account, &req, None, providers::parse_account_check)
        .await
        .map_err(|e| describe(&e, &account))
}

/// Reads `snapdeck.json` (optional), then shows its presets and the
/// accounts this device remembers.
pub async fn load_deployment(state: AppState) {
    let deployment = match net::get_static("snapdeck.json").await {
        Ok(None) => Default::default(),
        Ok(Some(bytes)) => crate::config::parse(&bytes).unwrap_or_else(|e| {
            state.notice.set(Some(e));
            Default::default()
        }),
        Err(e) => {
            state.notice.set(Some(fill(
                t().config_unreadable().inner(),
                &[("why", &e.message())],
            )));
            Default::default()
        }
    };
    // The team's language, unless this device chose one.
    if let Some(team) = deployment.language {
        let remembered = crate::storage::load_language();
        let lang = crate::i18n::choose(remembered.as_deref(), Some(team.code()), &[]);
        state.set_language(lang, false);
    }
    state.start(deployment.accounts, deployment.proxy);
}

impl AppState {
    /// Fetches one list, merges it, and books its next fetch.
    pub(super) async fn run(self, id: super::ListId) {
        let (outcome, pace) = match &id.1 {
            ListKind::Servers => self.fetch_servers(id.0).await,
            ListKind::Snapshots(scope) => self.fetch_snapshots(id.0, scope.clone()).await,
        };
        let now = now_ms();
        self.sched
            .try_update_value(|s| s.finish(&id, now, pace, outcome));
        self.pump();
    }

    fn abort_for(&self, account: u32) -> Option<Abort> {
        self.aborts
            .try_with_value(|a| a.get(&account).cloned())
            .flatten()
    }

    async fn fetch_servers(&self, id: u32) -> (Outcome, Pace) {
        let Some(store) = self.account(id) else {
            return (Outcome::Fresh, Pace::Quiet);
        };
        let account = store.account.get_untracked();
        if account.credentials == Credentials::Missing {
            let why = if self.locked.with_untracked(Option::is_some) {
                Problem::Locked
            } else {
                Problem::NoKeys
            };
            set_if_changed(store.error, Some(why));
            return (Outcome::Fresh, Pace::Quiet);
        }
        let fetched = now_ms();
        let abort = self.abort_for(id);
        let mut servers = Vec::new();
        let mut page = 1;
        loop {
            let req = providers::servers_request(&account, page);
            match call(&account, &req, abort.as_ref(), providers::parse_servers).await {
                Ok(p) => {
                    servers.extend(p.servers);
                    if page >= p.total_pages {
                        break;
                    }
                    page += 1;
                }
                Err(FetchError::Net(NetError::Aborted)) => return (Outcome::Fresh, Pace::Quiet),
                Err(e) => {
                    let outcome = e.outcome();
                    set_if_changed(store.error, Some(Problem::Fetch(e)));
                    set_if_changed(store.stale, store.loaded.get_untracked());
                    return (outcome, servers_pace(&store));
                }
            }
        }
        if self.account(id).is_none() {
            // Removed while the list was on its way.
            return (Outcome::Fresh, Pace::Quiet);
        }
        // The snapshot lists are asked for before the servers are drawn, so
        // their requests are on their way while the page renders. Lists
        // already known keep their timing.
        let scopes = providers::list_scopes(account.provider, &servers);
        let now = now_ms();
        self.sched.update_value(|s| {
            s.retain(|(acct, kind)| match kind {
                ListKind::Snapshots(scope) if *acct == id => scopes.contains(scope),
                _ => true,
            });
            for scope in scopes {
                s.register((id, ListKind::Snapshots(scope)), now);
            }
        });
        self.pump();
        if !store.loaded.get_untracked() {
            self.count_soon();
        }
        if let Some(gone) = store.patch_servers(servers) {
            for server in gone {
                self.retire(Retired::Server(server));
            }
        }
        set_if_changed(store.error, None);
        set_if_changed(store.stale, false);
        let list = store.servers.get_untracked();
        if let Some((at, early)) = store.early.try_update_value(Option::take).flatten() {
            self.apply_snapshots(&store, &ListScope::Account, &list, early, at);
            // Booked as busy when it came; the servers now tell its pace.
            if list.iter().all(|s| s.pace() == Pace::Quiet) {
                let key = (id, ListKind::Snapshots(ListScope::Account));
                self.sched.update_value(|s| s.turned_quiet(&key, at));
            }
        }
        for server in list {
            let settled = server.observe_server(account.provider, fetched);
            self.settled(&store, &server, settled);
        }
        (Outcome::Fresh, servers_pace(&store))
    }

    async fn fetch_snapshots(&self, id: u32, scope: ListScope) -> (Outcome, Pace) {
        let Some(store) = self.account(id) else {
            return (Outcome::Fresh, Pace::Quiet);
        };
        let account = store.account.get_untracked();
        if account.credentials == Credentials::Missing {
            // The server list says why (locked, or no keys).
            return (Outcome::Fresh, Pace::Quiet);
        }
        let targets = || -> Vec<ServerStore> {
            match &scope {
                ListScope::Server(key) => store.server(key).into_iter().collect(),
                ListScope::Account => store.servers.get_untracked(),
            }
        };
        let fetched = now_ms();
        let req = providers::snapshots_request(&account, &scope);
        let abort = self.abort_for(id);
        let result = call(&account, &req, abort.as_ref(), |kind, resp| {
            providers::parse_snapshots(kind, &scope, resp)
        })
        .await;
        if self.account(id).is_none() {
            return (Outcome::Fresh, Pace::Quiet);
        }
        let result = match result {
            Ok(list) if scope == ListScope::Account && !store.loaded.get_untracked() => {
                // Here before the servers: they take it when they come (unless
                // the account was edited meanwhile). Soon asked again, as the
                // servers' state is not known yet.
                if store.account.with_untracked(|a| *a == account) {
                    store.early.set_value(Some((fetched, list)));
                }
                return (Outcome::Fresh, Pace::Busy);
            }
            other => other,
        };
        let targets = targets();
        let pace = |targets: &[ServerStore]| {
            targets
                .iter()
                .map(ServerStore::pace)
                .max()
                .unwrap_or(Pace::Quiet)
        };
        match result {
            Err(FetchError::Net(NetError::Aborted)) => (Outcome::Fresh, Pace::Quiet),
            Err(e) => {
                let outcome = e.outcome();
                let problem = Some(Problem::Fetch(e));
                match scope {
                    ListScope::Server(_) => {
                        for t in &targets {
                            set_if_changed(t.error, problem.clone());
                            set_if_changed(t.stale, t.loaded.get_untracked());
                        }
                    }
                    ListScope::Account => {
                        set_if_changed(store.snapshots_error, problem);
                        for t in &targets {
                            set_if_changed(t.stale, t.loaded.get_untracked());
                        }
                    }
                }
                (outcome, pace(&targets))
            }
            Ok(list) => {
                self.apply_snapshots(&store, &scope, &targets, list, fetched);
                (Outcome::Fresh, pace(&targets))
            }
        }
    }

    /// A snapshot list as fetched at `fetched`, onto the servers it covers.
    fn apply_snapshots(
        &self,
        store: &AccountStore,
        scope: &ListScope,
        targets: &[ServerStore],
        list: SnapshotList,
        fetched: f64,
    ) {
        let provider = store.provider();
        let mut grouped: HashMap<String, Vec<Snapshot>> = HashMap::default();
        for (server, snap) in list {
            grouped.entry(server).or_default().push(snap);
        }
        for t in targets {
            let fresh = grouped.remove(&t.key).unwrap_or_default();
            if !t.loaded.get_untracked() {
                self.count_soon();
            }
            let (settled, gone) = t.patch(provider, fresh, fetched);
            for card in gone {
                self.retire(Retired::Snapshot(card));
            }
            if matches!(scope, ListScope::Server(_)) {
                set_if_changed(t.error, None);
            }
            self.settled(store, t, settled);
        }
        if matches!(scope, ListScope::Account) {
            set_if_changed(store.snapshots_error, None);
        }
    }

    /// Operations the lists showed done, if any (see [`AppState::settle`]).
    fn settled(&self, account: &AccountStore, server: &ServerStore, done: Vec<Settled>) {
        if done.is_empty() {
            return;
        }
        // They were sent by the dialogs' part, which is here (`crate::part`).
        let _ = super::at_once(settle_part(*self, *account, server.clone(), done));
    }

    /// Operations the lists showed done: remember how long they took, say
    /// so, and re-read what else they can have changed (a revert can stop
    /// the server; a restore changes what the snapshot list shows).
    fn settle(&self, account: &AccountStore, server: &ServerStore, done: Vec<Settled>) {
        let provider = account.provider();
        let mut durations = self.durations.get_untracked();
        for op in &done {
            durations.record(provider, op.kind, (op.took / 1000.0) as u32);
            let server_name = server.server.with_untracked(|s| s.name.clone());
            self.announce(op.kind.done(provider, &op.name, &server_name));
        }
        for op in &done {
            self.plan_event(
                account,
                server,
                &Event::Settled {
                    kind: op.kind,
                    key: &op.key,
                    name: &op.name,
                },
            );
        }
        crate::storage::save_durations(&durations.to_text());
        self.durations.set(durations);
        let witnessed_by_servers = done.iter().any(|op| op.witness == Witness::Servers);
        let other = if witnessed_by_servers {
            ListKind::Snapshots(Self::snapshot_scope(provider, server))
        } else {
            ListKind::Servers
        };
        self.poke(account.id, other);
        self.pump();
    }
}

crate::part::part_fn! {
    pub(crate) fn settle_part(
        state: AppState,
        account: AccountStore,
        server: ServerStore,
        done: Vec<Settled>,
    ) -> ();
    preload settle_part_preload;
    { state.settle(&account, &server, done) }
}

/// The server list shows restores: poll it fast while one of ours runs.
fn servers_pace(store: &AccountStore) -> Pace {
    let provider = store.provider();
    store.servers.with_untracked(|list| {
        if list.iter().any(|s| s.waits_for(provider, Witness::Servers)) {
            Pace::Operation
        } else if list
            .iter()
            .any(|s| s.server.with_untracked(|s| s.is_transitional()))
        {
            Pace::Busy
        } else {
            Pace::Quiet
        }
    })
}
