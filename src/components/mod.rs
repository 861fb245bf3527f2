//! What is on screen. Components read state and dispatch operations; they
//! never build requests themselves.

mod account;
mod card;
mod dialogs;
mod menu;
mod safety;
mod settings;

use std::time::Duration;

use leptos::prelude::*;
use leptos::tachys::reactive_graph::OwnedView;
use leptos::tachys::view::keyed::keyed;
use leptos::task::spawn_local;

use crate::i18n;
use crate::state::store::{page_ready, unowned};
use crate::state::{AppState, Dialog, at_once, load_deployment, set_if_changed};
use account::AccountSection;
use dialogs::{ConfirmDialog, NewSnapshotDialog, ScheduleDialog};
use safety::CleanUpDialog;
use settings::{AccountFormDialog, RemoveAccountDialog, SettingsDialog, UnlockDialog};

/// Past this many servers, those off screen are not laid out.
const MANY_SERVERS: usize = 100;

/// The page: banner, one region per account, and the open dialog.
#[component]
pub fn App() -> impl IntoView {
    i18n::set_lang(i18n::choose(
        crate::storage::load_language().as_deref(),
        None,
        &browser_languages(),
    ));
    let state = AppState::new();
    provide_context(state);
    let loading = RwSignal::new(true);
    let dialogs = DialogCode::new(loading, state);
    provide_context(dialogs);
    // The page is drawn when it has its first cards to show (or no account
    // to ask), not before: a page drawn while the first lists are on their
    // way makes the browser lay out and paint it just as they answer, and
    // their cards wait for that. index.html's banner stands meanwhile. A
    // slow `snapdeck.json` or a slow provider does not hold it longer than
    // `DRAW_AT_THE_LATEST`.
    let drawn = RwSignal::new(false);
    spawn_local(async move {
        load_deployment(state).await;
        loading.set(false);
    });
    Effect::new(move |_| {
        if drawn.get_untracked() {
            // Drawn: nothing more to watch.
            return;
        }
        if state.accounts.with(|a| page_ready(!loading.get(), a)) {
            set_if_changed(drawn, true);
        }
    });
    set_timeout(move || set_if_changed(drawn, true), DRAW_AT_THE_LATEST);

    // Many servers: those off screen skip layout (see `.many` in the CSS).
    let many = move || {
        state.accounts.with(|a| {
            a.iter()
                .map(|acct| acct.servers.with(Vec::len))
                .sum::<usize>()
                > MANY_SERVERS
        })
    };

    watch_visibility(state);
    if let Ok(handle) = set_interval_with_handle(move || state.tick(), Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }

    // The page's `lang` follows the language shown.
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", state.lang.get().code());
        }
    });

    // Everything on the page is rendered again when the language changes:
    // texts are read once, as each part is built (no signal per text).
    move || {
        i18n::set_lang(state.lang.get());
        drawn.get().then(|| {
            remove_boot_banner();
            view! { <Page loading many dialogs /> }
        })
    }
}

/// Removes the banner that `index.html` shows until the page is drawn: the
/// page's own banner takes its place in the same frame.
fn remove_boot_banner() {
    if let Some(banner) = document().get_element_by_id("boot-banner") {
        banner.remove();
    }
}

/// When, after the start, the dialogs' part runs at the latest if the
/// first lists have not all answered: a provider that is slow to answer
/// does not keep the overview away.
const RUN_PART_WITHOUT_LISTS: Duration = Duration::from_millis(1500);

/// How long after the start the page is drawn at the latest, with what has
/// come by then: on a slow network, the banner's actions (add an account,
/// settings) are not kept away while the first lists travel.
const DRAW_AT_THE_LATEST: Duration = Duration::from_millis(400);

/// The language switch in the banner, each language named in itself.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let state = page_state();
    let current = i18n::lang();
    let change = move |ev: leptos::ev::Event| {
        if let Some(lang) = i18n::Lang::from_tag(&event_target_value(&ev)) {
            state.set_language(lang, true);
            // The page is built again: the focus stays on the switch.
            request_animation_frame(|| focus_id("language"));
        }
    };
    view! {
        <select id="language" class="language" aria-label=i18n::t().language().inner() on:change=act(change)>
            {i18n::Lang::ALL
                .map(|l| {
                    view! {
                        <option value=l.code() lang=l.code() selected=l == current>
                            {l.own_name()}
                        </option>
                    }
                })}
        </select>
    }
}

/// The browser's preferred languages, most preferred first.
fn browser_languages() -> Vec<String> {
    window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect()
}

/// Banner, accounts and dialogs, in the current language.
#[component]
fn Page(
    loading: RwSignal<bool>,
    many: impl Fn() -> bool + Send + Sync + 'static,
    dialogs: DialogCode,
) -> impl IntoView {
    let state = page_state();
    let t = i18n::t();
    view! {
        <a class="skip-link" href="#accounts">
            {t.skip_link().inner()}
        </a>
        <header class="banner">
            <h1>"Snapdeck"</h1>
            <p class="tagline">{t.tagline().inner()}</p>
            <nav class="banner-actions">
                <LanguageSwitch />
                <When is=Signal::derive(move || state.locked.with(Option::is_some))>
                    <button type="button" on:click=act(move |_| state.dialog.set(Some(Dialog::Unlock)))>
                        {t.unlock().inner()}
                    </button>
                </When>
                <button
                    type="button"
                    class="primary"
                    on:click=act(move |_| state.dialog.set(Some(Dialog::AccountForm { editing: None })))
                >
                    {t.add_account().inner()}
                </button>
                <button type="button" on:click=act(move |_| state.dialog.set(Some(Dialog::Settings)))>
                    {t.settings().inner()}
                </button>
                <button
                    type="button"
                    class:busy=move || state.refreshing.get()
                    aria-describedby="refresh-state"
                    on:click=act(move |_| state.refresh_all())
                >
                    {t.refresh().inner()}
                </button>
                <span id="refresh-state" class="refresh-state">
                    {move || if state.refreshing.get() { t.refreshing().inner() } else { "" }}
                </span>
            </nav>
        </header>
        <main id="accounts" tabindex="-1" class:many=many>
            {move || state.notice.get().map(|n| view! { <p role="alert" class="notice">{n}</p> })}
            <When is=Signal::derive(move || state.accounts.with(|a| !a.is_empty()))>
                <OverviewSlot code=dialogs />
            </When>
            <When is=Signal::derive(move || !loading.get() && state.accounts.with(Vec::is_empty))>
                <section class="welcome">
                    <h2>{t.welcome_title().inner()}</h2>
                    <p>{t.welcome().inner()}</p>
                </section>
            </When>
            {rows(Box::new(move || {
                state
                    .accounts
                    .get()
                    .into_iter()
                    .map(|account| Row::new(account.id.to_string(), move || view! { <AccountSection account /> }))
                    .collect()
            }))}
        </main>
        <DialogHost code=dialogs />
        // Operations starting, settling and failing, for screen readers.
        <p class="visually-hidden" role="status" aria-live="polite">
            {move || state.announcement.get()}
        </p>
    }
}

/// The overview, once the dialogs' part (which draws it) is here; until
/// then an empty band of its height, so that the cards do not move when it
/// comes.
#[component]
fn OverviewSlot(code: DialogCode) -> impl IntoView {
    move || {
        if code.loaded.get() {
            at_once(safety::draw_overview()).and_then(Result::ok)
        } else {
            Some(view! { <div class="overview-wait" aria-hidden="true"></div> }.into_any())
        }
    }
}

/// `<Show>` without a fallback, instantiated once for the whole page: each
/// `<Show>` of its own adds a copy of its machinery to the wasm.
#[component]
pub fn When(is: Signal<bool>, children: ChildrenFn) -> impl IntoView {
    move || is.get().then(|| children())
}

/// A keyed list, like Leptos's `For`, whose rows leave nothing behind.
///
/// `For` makes each row's reactive owner a child of the list's owner, and
/// an owner keeps a weak link to every child it ever had (about 72 bytes a
/// row in the wasm) until it goes itself. Cards are replaced all day while
/// snapshots rotate, so here each row's owner stands alone, is dropped with
/// its row, and gets the page state and the dialogs' code (the contexts
/// rows read) again.
///
/// Every list of the page is this one type (boxed rows of one item type):
/// a list of its own item, key and view types would build the view
/// library's keyed diffing into the wasm once more.
pub fn rows(each: Box<dyn Fn() -> Vec<Row> + Send>) -> impl IntoView {
    let state = page_state();
    let code = use_context::<DialogCode>();
    let row = move |_, item: Row| {
        let owner = unowned(Owner::new);
        let view = owner.with(|| {
            provide_context(state);
            if let Some(code) = code {
                provide_context(code);
            }
            (item.draw)()
        });
        (drop, OwnedView::new_with_owner(view, owner))
    };
    move || keyed(each(), |r: &Row| r.key.clone(), row)
}

/// One row of [`rows`]: its key, unique in its list, and how to draw it
/// (called only for a row that is new on the page).
pub struct Row {
    key: String,
    draw: Box<dyn FnOnce() -> AnyView + Send>,
}

impl Row {
    pub fn new<V: IntoView + 'static>(
        key: String,
        draw: impl FnOnce() -> V + Send + 'static,
    ) -> Row {
        Row {
            key,
            draw: Box::new(move || draw().into_view().into_any()),
        }
    }
}

/// The page's state, which `App` provides to everything under it. Not
/// `expect_context`, whose panic message formats the type's name (234 B
/// brotli more).
pub(crate) fn page_state() -> AppState {
    use_context::<AppState>().expect("the page state is provided by App")
}

/// An event handler as the one boxed type for its event: each closure's
/// own type would build the view library's event code once more (for the
/// page's 53 handlers, 3.1 KB brotli).
pub(crate) fn act<E: 'static>(f: impl FnMut(E) + 'static) -> Box<dyn FnMut(E)> {
    Box::new(f)
}

/// Minutes east of UTC of this browser's zone, now.
pub(crate) fn local_offset_min() -> i32 {
    crate::time::zone_offset_min((crate::state::now_ms() / 1000.0) as i64)
}

/// The name Snapdeck gives a snapshot it takes now on a server whose
/// snapshots are named `taken` (`safety202611261530`).
pub(crate) fn name_now(prefix: &str, taken: &[String]) -> String {
    let now = (crate::state::now_ms() / 1000.0) as i64;
    crate::state::plan::snapdeck_name(prefix, now, local_offset_min(), taken)
}

/// Moves the focus to the element with this id, if it can take it.
pub(crate) fn focus_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Hidden tabs poll nothing: follows the document's `visibilitychange`.
fn watch_visibility(state: AppState) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let visible = || document().visibility_state() != web_sys::VisibilityState::Hidden;
    state.set_visible(visible());
    let on_change = Closure::<dyn Fn()>::new(move || state.set_visible(visible()));
    let _ = document()
        .add_event_listener_with_callback("visibilitychange", on_change.as_ref().unchecked_ref());
    let listener = StoredValue::new_local(on_change);
    on_cleanup(move || {
        listener.with_value(|f| {
            let _ = document().remove_event_listener_with_callback(
                "visibilitychange",
                f.as_ref().unchecked_ref(),
            );
        });
    });
}

/// Where the dialogs' code is. The built panel has it in a module of its
/// own (see [`draw_dialog`]), fetched once the page has started: the first
/// cards do not wait for it.
#[derive(Clone, Copy)]
struct DialogCode {
    loaded: RwSignal<bool>,
    /// The last fetch failed (and nothing has been fetched since).
    failed: RwSignal<bool>,
}

impl DialogCode {
    /// Downloads the code in the background as soon as `snapdeck.json` is
    /// read and the first lists are asked for: on a slow network it comes
    /// while they are on their way (it draws the overview), and a dialog
    /// opens at once. It runs once every account's server list has
    /// answered (or [`RUN_PART_WITHOUT_LISTS`] after the start): on a fast
    /// network its compiling and drawing then come after the first cards.
    fn new(loading: RwSignal<bool>, state: AppState) -> Self {
        let code = DialogCode {
            loaded: RwSignal::new(false),
            failed: RwSignal::new(false),
        };
        let waited = RwSignal::new(false);
        set_timeout(move || waited.set(true), RUN_PART_WITHOUT_LISTS);
        Effect::new(move |fetched: Option<bool>| {
            if fetched == Some(true) || loading.get() {
                return fetched.unwrap_or(false);
            }
            crate::part::prefetch();
            let answered = state.accounts.with(|a| a.iter().all(|a| a.answered()));
            if !answered && !waited.get() {
                return false;
            }
            // After the next frame: the cards that came with the lists are
            // painted first.
            request_animation_frame(move || set_timeout(move || code.fetch(None), Duration::ZERO));
            true
        });
        code
    }

    /// Fetches the module, unless it is here. `asked`: for the dialog
    /// the user opened, which a failure closes with a message (the next
    /// try fetches again); a fetch in the background fails silently.
    fn fetch(self, asked: Option<AppState>) {
        if self.loaded.get_untracked() {
            return;
        }
        if asked.is_some() {
            self.failed.set(false);
        }
        spawn_local(async move {
            let ok = load_dialogs().await.is_ok();
            // Written only when it comes: its readers ask again otherwise.
            if ok {
                self.loaded.set(true);
            }
            if let (false, Some(state)) = (ok, asked) {
                self.failed.set(true);
                state.dialog.set(None);
            }
        });
    }
}

/// The dialog that is open, if any. A dialog asked for before its code is
/// here opens when the code comes; if the code cannot be fetched, it
/// closes with a message.
#[component]
fn DialogHost(code: DialogCode) -> impl IntoView {
    let state = page_state();
    move || {
        let t = i18n::t();
        let Some(dialog) = state.dialog.get() else {
            return code.failed.get().then(|| {
                view! {
                    <p role="alert" class="notice toast">
                        {t.dialog_unavailable().inner()}
                        <button type="button" on:click=act(move |_| code.failed.set(false))>
                            {t.dismiss().inner()}
                        </button>
                    </p>
                }
                .into_any()
            });
        };
        if !code.loaded.get() {
            code.fetch(Some(state));
            return Some(
                view! { <p role="status" class="toast">{t.dialog_loading().inner()}</p> }
                    .into_any(),
            );
        }
        // Loaded: the call completes at once, under this view's owner.
        at_once(draw_dialog(dialog)).and_then(Result::ok)
    }
}

/// Fetches the dialogs' module, if it is not here yet. Each function in it
/// has a loader of its own, which knows only that it was called: all are
/// readied here, so that each can then be called at once.
pub(crate) async fn load_dialogs() -> Result<(), leptos::wasm_split::SplitLoaderError> {
    draw_dialog_preload().await?;
    draw_menu_preload().await?;
    menu::focus_entry_preload().await?;
    menu::list_key_preload().await?;
    safety::draw_overview_preload().await?;
    card::pending_words_preload().await?;
    card::draw_not_confirmed_preload().await?;
    safety::draw_plan_preload().await?;
    account::before_update_preload().await?;
    crate::state::send_part_preload().await?;
    crate::state::settle_part_preload().await?;
    crate::state::late_part_preload().await
}

crate::part::part_fn! {
    /// The view of one dialog.
    fn draw_dialog(dialog: Dialog) -> AnyView;
    preload draw_dialog_preload;
    { dialog_view(dialog) }
}

crate::part::part_fn! {
    /// A card's menu items.
    fn draw_menu(menu: menu::CardMenu, close: Callback<bool>) -> AnyView;
    preload draw_menu_preload;
    { menu::items_view(menu.items(), close) }
}

fn dialog_view(dialog: Dialog) -> AnyView {
    match dialog {
        Dialog::NewSnapshot { account, server } => {
            view! { <NewSnapshotDialog account server /> }.into_any()
        }
        Dialog::Confirm {
            account,
            server,
            snapshot,
            op,
        } => view! { <ConfirmDialog account server snapshot op /> }.into_any(),
        Dialog::Schedule {
            account,
            server,
            snapshot,
        } => view! { <ScheduleDialog account server snapshot /> }.into_any(),
        Dialog::AccountForm { editing } => view! { <AccountFormDialog editing /> }.into_any(),
        Dialog::RemoveAccount { account } => view! { <RemoveAccountDialog account /> }.into_any(),
        Dialog::Unlock => view! { <UnlockDialog /> }.into_any(),
        Dialog::Settings => view! { <SettingsDialog /> }.into_any(),
        Dialog::CleanUp { only } => view! { <CleanUpDialog only /> }.into_any(),
    }
}
