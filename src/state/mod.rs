//! Accounts, per-server snapshot stores, the refresh scheduler and the
//! operations under way. Components read these and dispatch operations.
//!
//! - `ops`: an operation's lifecycle (pure);
//! - `refresh`: when each list is fetched, and the bound on requests (pure);
//! - `store`: the keyed reactive stores, and how a list is merged in;
//! - `fetch`: the one helper that sends, parses and types the error, and
//!   the list fetches built on it;
//! - `perform`: the one path of every operation;
//! - `errors`: what the user reads when something fails;
//! - `persist`: accounts over time and what the device remembers;
//! - `relay`: long-lived values that cards follow without leaving a trace.

pub mod cover;
pub mod errors;
mod fetch;
mod flows;
pub use flows::Overview;
pub mod ops;
mod perform;
mod persist;
pub mod plan;
mod protection;
pub mod refresh;
mod relay;
pub mod store;

use rustc_hash::FxHashMap as HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::accounts::{Remember, Sealed};
use crate::i18n::{self, Lang};
use crate::model::{Account, Operation, ProviderKind};
use crate::net::Abort;
use crate::providers::{self, ListScope};
use crate::vault::VaultKey;
pub use errors::{FetchError, Problem, describe, limit_note};
pub(crate) use fetch::settle_part_preload;
pub use fetch::{load_deployment, test_connection};
use ops::Durations;
pub use perform::Sent;
pub(crate) use perform::send_part_preload;
pub use protection::refusal as protection_refusal;
use refresh::Scheduler;
pub use relay::Relay;
use store::Retired;
pub use store::{AccountStore, ServerStore, SnapshotStore, set_if_changed};

/// Sorts positions by `cmp`, which must be a total order. Every sort of the
/// panel goes through this one function: a bottom-up merge sort (stable,
/// n log n comparisons), a few hundred bytes in the wasm where the
/// standard library's sort is several KB for each distinct call.
pub(crate) fn sort_positions(
    positions: &mut [usize],
    cmp: &dyn Fn(usize, usize) -> std::cmp::Ordering,
) {
    let n = positions.len();
    let mut from = positions.to_vec();
    let mut to = vec![0; n];
    let mut width = 1;
    while width < n {
        // Merges each pair of sorted runs of `width` from `from` into `to`.
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut left, mut right) = (lo, mid);
            for slot in &mut to[lo..hi] {
                let take_right = right < hi
                    && (left >= mid || cmp(from[right], from[left]) == std::cmp::Ordering::Less);
                if take_right {
                    *slot = from[right];
                    right += 1;
                } else {
                    *slot = from[left];
                    left += 1;
                }
            }
            lo = hi;
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    positions.copy_from_slice(&from);
}

/// At most this many list requests at once, over all accounts.
const MAX_IN_FLIGHT: usize = 6;
/// Ticks (seconds) between a store leaving the page and its disposal: by
/// then the views that read it are gone.
const DISPOSE_AFTER_TICKS: u64 = 2;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ListKind {
    Servers,
    Snapshots(ListScope),
}

type ListId = (u32, ListKind);

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
    /// Clean-up: one server's snapshots, or every server's.
    CleanUp {
        only: Option<(AccountStore, ServerStore)>,
    },
}

/// The output of a future that is ready when first polled, or `None`: a
/// function of the dialogs' part, called once the part is here.
pub fn at_once<T>(future: impl std::future::Future<Output = T>) -> Option<T> {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => Some(out),
        Poll::Pending => None,
    }
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
    /// The clock for relative dates, in seconds; ticks every 30 s. Cards
    /// read it untracked and follow `dates`.
    pub now: RwSignal<i64>,
    pub dates: Relay,
    /// The clock for operations' elapsed time, in ms; ticks every second.
    /// Cards read it untracked and follow `seconds`.
    pub clock: RwSignal<f64>,
    pub seconds: Relay,
    /// The overview's counts follow it, besides `seconds`: a list that
    /// answers for the first time is counted within 100 ms, not at the
    /// next second (the page never says "0 servers" beside its cards).
    pub counts: Relay,
    counts_due: StoredValue<bool>,
    /// What the polite live region says: operations starting, settling,
    /// failing.
    pub announcement: RwSignal<String>,
    /// `Refresh` was pressed and its lists have not all answered yet.
    pub refreshing: RwSignal<bool>,
    pub dialog: RwSignal<Option<Dialog>>,
    /// `snapdeck.json`'s default CORS proxy, offered in the account form.
    pub default_proxy: RwSignal<String>,
    /// How this device remembers accounts.
    pub remember: RwSignal<Remember>,
    /// Saved secrets waiting for their passphrase.
    pub locked: RwSignal<Option<Sealed>>,
    /// How long operations took in this browser, for estimates.
    pub durations: RwSignal<Durations>,
    /// What the view shows (search, account, provider, summary item).
    pub filter: RwSignal<cover::Filter>,
    /// The page's language: the page is rendered again when it changes.
    pub lang: RwSignal<Lang>,
    presets: StoredValue<Vec<Account>>,
    /// Edits made while the saved secrets were locked, to write at unlock.
    unsaved: StoredValue<bool>,
    vault: StoredValue<Option<VaultKey>, LocalStorage>,
    visible: RwSignal<bool>,
    sched: StoredValue<Scheduler<ListId>>,
    aborts: StoredValue<HashMap<u32, Abort>, LocalStorage>,
    retired: StoredValue<Vec<(u64, Retired)>>,
    next_id: StoredValue<u32>,
    ticks: StoredValue<u64>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            accounts: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            now: RwSignal::new((now_ms() / 1000.0) as i64),
            dates: Relay::new(),
            clock: RwSignal::new(now_ms()),
            seconds: Relay::new(),
            counts: Relay::new(),
            counts_due: StoredValue::new(false),
            announcement: RwSignal::new(String::new()),
            refreshing: RwSignal::new(false),
            dialog: RwSignal::new(None),
            default_proxy: RwSignal::new(String::new()),
            remember: RwSignal::new(Remember::Tab),
            locked: RwSignal::new(None),
            durations: RwSignal::new(Durations::parse(&crate::storage::load_durations())),
            filter: RwSignal::new(cover::Filter::default()),
            lang: RwSignal::new(i18n::lang()),
            presets: StoredValue::new(Vec::new()),
            unsaved: StoredValue::new(false),
            vault: StoredValue::new_local(None),
            visible: RwSignal::new(true),
            sched: StoredValue::new(Scheduler::new(MAX_IN_FLIGHT)),
            aborts: StoredValue::new_local(HashMap::default()),
            retired: StoredValue::new(Vec::new()),
            next_id: StoredValue::new(1),
            ticks: StoredValue::new(0),
        }
    }

    /// Shows the page in `lang` from now on; `remember` keeps the choice on
    /// this device.
    pub fn set_language(&self, lang: Lang, remember: bool) {
        i18n::set_lang(lang);
        if remember {
            crate::storage::save_language(lang.code());
        }
        if self.lang.get_untracked() != lang {
            self.lang.set(lang);
        }
    }

    pub fn add_account(&self, account: Account) -> AccountStore {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let store = AccountStore::new(id, account);
        self.accounts.update(|a| a.push(store));
        if let Some(abort) = Abort::new() {
            self.aborts.update_value(|a| {
                a.insert(id, abort);
            });
        }
        self.register(id, ListKind::Servers);
        // A list that needs no server (VPS.org's account-wide snapshots) is
        // asked for beside the server list, not after it.
        for scope in providers::list_scopes(store.provider(), &[]) {
            self.register(id, ListKind::Snapshots(scope));
        }
        self.pump();
        store
    }

    /// Removes an account from the page and from what this device remembers.
    pub fn remove_account(&self, id: u32) {
        self.remove_account_only(id);
        self.persist();
    }

    fn remove_account_only(&self, id: u32) {
        let mut gone = Vec::new();
        self.accounts.update(|a| {
            a.retain(|s| {
                if s.id == id {
                    gone.push(*s);
                }
                s.id != id
            })
        });
        for account in gone {
            self.retire(Retired::Account(account));
        }
        self.sched
            .update_value(|s| s.retain(|(acct, _)| *acct != id));
        if let Some(abort) = self.aborts.try_update_value(|a| a.remove(&id)).flatten() {
            abort.abort();
        }
    }

    /// The account `id`, if it (and the panel's state) is still there: a
    /// request's answer can arrive after either went away.
    fn account(&self, id: u32) -> Option<AccountStore> {
        self.accounts
            .try_with_untracked(|a| a.iter().find(|s| s.id == id).copied())
            .flatten()
    }

    /// A store left the page: disposed in a moment, once its views are gone.
    fn retire(&self, store: Retired) {
        let at = self.ticks.get_value();
        self.retired.update_value(|r| r.push((at, store)));
    }

    fn dispose_retired(&self, ticks: u64) {
        let due = self
            .retired
            .try_update_value(|r| {
                let (due, keep): (Vec<_>, Vec<_>) = std::mem::take(r)
                    .into_iter()
                    .partition(|(at, _)| ticks >= at + DISPOSE_AFTER_TICKS);
                *r = keep;
                due
            })
            .unwrap_or_default();
        for (_, store) in due {
            store.dispose();
        }
    }

    fn register(&self, account: u32, kind: ListKind) {
        let now = now_ms();
        self.sched
            .update_value(|s| s.register((account, kind), now));
    }

    fn poke(&self, account: u32, kind: ListKind) {
        let now = now_ms();
        let id = (account, kind);
        self.sched.update_value(|s| s.poke(|k| *k == id, now));
    }

    /// The list that holds a server's snapshots.
    fn snapshot_scope(provider: ProviderKind, server: &ServerStore) -> ListScope {
        match provider {
            ProviderKind::Ilkbyte => ListScope::Server(server.key.clone()),
            ProviderKind::Vpsorg => ListScope::Account,
        }
    }

    /// `Refresh`: every list, now.
    pub fn refresh_all(&self) {
        let now = now_ms();
        self.sched.update_value(|s| s.poke(|_| true, now));
        self.refreshing.set(true);
        self.pump();
    }

    /// Retry after a failure: the account's lists.
    pub fn retry_account(&self, id: u32) {
        let now = now_ms();
        self.sched
            .update_value(|s| s.poke(|(acct, _)| *acct == id, now));
        self.pump();
    }

    /// Retry after a failure: one server's list.
    pub fn retry_server(&self, account: &AccountStore, server: &ServerStore) {
        let scope = Self::snapshot_scope(account.provider(), server);
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
        let now = now_ms();
        self.clock.set(now);
        self.seconds.notify();
        if ticks.is_multiple_of(30) {
            self.now.set((now / 1000.0) as i64);
            self.dates.notify();
        }
        self.age_operations(now);
        self.dispose_retired(ticks);
        self.pump();
    }

    /// The clock moves operations on: 15 minutes without confirmation.
    fn age_operations(&self, now: f64) {
        for account in self.accounts.get_untracked() {
            for server in account.servers.get_untracked() {
                for card in server.snapshots.get_untracked() {
                    let late = card
                        .pending
                        .with_untracked(|p| p.as_ref().is_some_and(|p| p.is_late(now)));
                    if late {
                        // Sent by the dialogs' part, which is here (`crate::part`).
                        let _ = at_once(late_part(*self, account, server.clone(), card, now));
                    }
                }
            }
        }
    }

    /// An operation the lists have not shown done within 15 minutes: the
    /// card says so, and so does the page; its plan, if any, hears it.
    fn not_confirmed_in_time(
        &self,
        account: &AccountStore,
        server: &ServerStore,
        card: &SnapshotStore,
        now: f64,
    ) {
        let mut kind = None;
        card.pending.update(|p| {
            if let Some(p) = p {
                p.tick(now);
                kind = Some(p.kind());
            }
        });
        let name = card.snap.with_untracked(|s| s.name.clone());
        self.announce(crate::i18n::fill(
            crate::i18n::t().announce_not_confirmed().inner(),
            &[
                ("name", &name),
                ("provider", &account.provider().display_name()),
            ],
        ));
        if let Some(kind) = kind {
            let event = plan::Event::NotConfirmed {
                kind,
                key: &card.key,
                name: &name,
            };
            self.plan_event(account, server, &event);
        }
    }

    /// A list answered for the first time: the overview counts it soon,
    /// once for the lists that answer meanwhile.
    fn count_soon(&self) {
        if self.counts_due.try_get_value() != Some(false) {
            return;
        }
        self.counts_due.set_value(true);
        let state = *self;
        set_timeout(
            move || {
                if state.counts_due.try_set_value(false).is_none() {
                    state.counts.notify();
                }
            },
            std::time::Duration::from_millis(100),
        );
    }

    /// Says `text` in the polite live region.
    fn announce(&self, text: String) {
        self.announcement.set(text);
    }

    /// Starts the lists that are due, within the bound on requests in flight.
    fn pump(&self) {
        let now = now_ms();
        let Some(visible) = self.visible.try_get_untracked() else {
            return;
        };
        let due = self
            .sched
            .try_update_value(|s| s.take_due(now, visible))
            .unwrap_or_default();
        for id in due {
            let state = *self;
            spawn_local(async move { state.run(id).await });
        }
        if self.refreshing.get_untracked() && self.sched.with_value(|s| s.is_quiet(now_ms())) {
            self.refreshing.set(false);
        }
    }
}

crate::part::part_fn! {
    pub(crate) fn late_part(
        state: AppState,
        account: AccountStore,
        server: ServerStore,
        card: SnapshotStore,
        now: f64,
    ) -> ();
    preload late_part_preload;
    { state.not_confirmed_in_time(&account, &server, &card, now) }
}

impl Default for AppState {
    fn default() -> AppState {
        AppState::new()
    }
}

#[cfg(test)]
mod tests {
    use super::{at_once, sort_positions};

    // proptest is a native dev-dependency (the wasm build of the tests has
    // none).
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        // Ties broken by position, as every caller does: one right order.
        #[test]
        fn sort_positions_sorts_as_the_standard_library_does(
            keys in proptest::collection::vec(0u8..8, 0..300),
        ) {
            let mut ours: Vec<usize> = (0..keys.len()).rev().collect();
            let by = |a: usize, b: usize| keys[a].cmp(&keys[b]).then(a.cmp(&b));
            sort_positions(&mut ours, &by);
            let mut std_sorted: Vec<usize> = (0..keys.len()).collect();
            std_sorted.sort_by(|&a, &b| by(a, b));
            proptest::prop_assert_eq!(ours, std_sorted);
        }
    }

    #[test]
    fn sort_positions_is_stable_on_ties() {
        let keys = [2, 1, 2, 1, 0];
        let mut order = vec![0, 1, 2, 3, 4];
        sort_positions(&mut order, &|a, b| keys[a].cmp(&keys[b]));
        assert_eq!(order, [4, 1, 3, 0, 2]);
    }

    #[test]
    fn at_once_takes_what_is_ready_and_leaves_what_waits() {
        assert_eq!(at_once(async { 7 }), Some(7));
        assert_eq!(at_once(async { std::future::ready(2).await + 1 }), Some(3));
        assert_eq!(at_once(std::future::pending::<u8>()), None);
        assert_eq!(at_once(async { std::future::pending::<u8>().await }), None);
    }
}
