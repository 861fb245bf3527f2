use leptos::prelude::*;

use super::{act, page_state};

use super::When;

use super::card::SnapshotCard;
use super::safety::PlanPanel;
use super::{Row, rows};
use crate::i18n::{fill, t};
use crate::state::plan::{PRE_UPDATE_PREFIX, Plan};
use crate::state::{AccountStore, AppState, Dialog, Problem, ServerStore, at_once};

/// One account: a region named by its label, with its servers.
#[component]
pub fn AccountSection(account: AccountStore) -> impl IntoView {
    let state = page_state();
    let label = move || account.account.with(|a| a.label.clone());
    let provider = account.provider();
    let collapsed = RwSignal::new(false);
    let filtered_out = move || {
        state.filter.with(|f| {
            f.account.is_some_and(|a| a != account.id) || f.provider.is_some_and(|p| p != provider)
        })
    };
    let servers_id = format!("servers-{}", account.id);
    view! {
        <section class="account" aria-label=label hidden=filtered_out>
            <header class="account-head">
                <button
                    type="button"
                    class="collapse"
                    aria-expanded=move || (!collapsed.get()).to_string()
                    aria-controls=servers_id.clone()
                    aria-label=move || {
                        let t = t();
                        fill(if collapsed.get() { t.expand().inner() } else { t.collapse().inner() }, &[("label", &label())])
                    }
                    on:click=act(move |_| collapsed.update(|c| *c = !*c))
                >
                    {move || if collapsed.get() { "▸" } else { "▾" }}
                </button>
                <h2>{label}</h2>
                <span class="provider">{provider.display_name()}</span>
                <When is=Signal::derive(move || account.stale.get())>
                    <span class="stale">{t().stale_short().inner()}</span>
                </When>
                <span class="account-actions">
                    <button
                        type="button"
                        aria-label=move || fill(t().edit_label().inner(), &[("label", &label())])
                        on:click=act(move |_| state.dialog.set(Some(Dialog::AccountForm { editing: Some(account) })))
                    >
                        {t().edit().inner()}
                    </button>
                    <button
                        type="button"
                        class="danger"
                        aria-label=move || fill(t().remove_label().inner(), &[("label", &label())])
                        on:click=act(move |_| state.dialog.set(Some(Dialog::RemoveAccount { account })))
                    >
                        {t().remove().inner()}
                    </button>
                </span>
            </header>
            {move || {
                account
                    .failure()
                    .map(|e| {
                        view! {
                            <div role="alert" class="error">
                                <span>{e}</span>
                                <button type="button" on:click=act(move |_| state.retry_account(account.id))>
                                    {t().retry().inner()}
                                </button>
                            </div>
                        }
                    })
            }}
            <When is=Signal::derive(move || !account.loaded.get() && account.error.with(Option::is_none))>
                <p class="loading">{t().loading_servers().inner()}</p>
            </When>
            <When is=Signal::derive(move || account.loaded.get() && account.servers.with(Vec::is_empty))>
                <p class="empty">{t().no_servers().inner()}</p>
            </When>
            <div id=servers_id class="servers" hidden=move || collapsed.get()>
                {rows(Box::new(move || {
                    account
                        .servers
                        .get()
                        .into_iter()
                        .map(|server| Row::new(server.key.clone(), move || view! { <ServerSection account server /> }))
                        .collect()
                }))}
            </div>
        </section>
    }
}

/// One server: a region named by the server, with its snapshot cards.
#[component]
fn ServerSection(account: AccountStore, server: ServerStore) -> impl IntoView {
    let state = page_state();
    let provider = account.provider();
    let limit = provider.capabilities().snapshot_limit;
    let info = server.server;
    let snapshots = server.snapshots;
    let error = server.error;
    let stale = server.stale;
    let loaded = server.loaded;
    let this = StoredValue::new(server);
    let name = move || info.with(|s| s.name.clone());
    let count = move || this.with_value(ServerStore::snapshot_count);
    let at_limit = move || limit.is_some_and(|l| count() >= l);
    let status = move || {
        info.with(|s| match s.status.as_str() {
            "restoring" => t().op_restoring().inner().to_string(),
            "" => t().status_unknown().inner().to_string(),
            other => other.to_string(),
        })
    };
    let open_new = move |_| {
        state.dialog.set(Some(Dialog::NewSnapshot {
            account,
            server: this.get_value(),
        }))
    };
    // What the overview knows of this server, for its coverage line. The
    // clock is followed through the page's relay.
    let dates = state.dates.follow();
    let facts = Memo::new(move |_| {
        dates.track();
        let now = state.now.get_untracked();
        this.with_value(|s| state.server_facts(&account, s, now))
    });
    // Whether the filter shows it: written by the overview, only when it
    // changes.
    let shown = this.with_value(|s| s.shown);
    let coverage = move || {
        let now = state.now.get_untracked();
        facts.with(|f| f.coverage(now))
    };
    let planning =
        move || this.with_value(|s| s.plan.with(|p| p.as_ref().is_some_and(Plan::is_active)));
    // Sending is in the dialogs' part (see `perform::send`): the plan
    // starts once that is here, at once if it is.
    let before_update = move |_| {
        leptos::task::spawn_local(async move {
            let ready = super::load_dialogs().await.is_ok();
            // The server may have gone meanwhile.
            this.try_with_value(|s| {
                if !ready {
                    s.error.set(Some(Problem::Said(
                        t().dialog_unavailable().inner().to_string(),
                    )));
                    return;
                }
                let _ = at_once(before_update(state, account, s.clone()));
            });
        })
    };
    let open_clean_up = move |_| {
        state.dialog.set(Some(Dialog::CleanUp {
            only: Some((account, this.get_value())),
        }))
    };
    view! {
        // Filtered out: folded away rather than taken out of the layout,
        // which costs little however many servers a keystroke hides.
        <section
            class="server"
            class:out=move || !shown.get()
            aria-label=name
            aria-hidden=move || (!shown.get()).then_some("true")
        >
            <header class="server-head">
                <h3>{name}</h3>
                <span class="server-status" data-status=move || info.with(|s| s.status.clone())>
                    {status}
                </span>
                <span class="server-meta">
                    {move || {
                        info.with(|s| crate::i18n::join(&[&s.address, &s.os], " · "))
                    }}
                </span>
                {limit
                    .map(|l| {
                        view! {
                            <span class="count" class:full=at_limit>
                                {move || fill(t().server_count().inner(), &[("n", &count()), ("limit", &l)])}
                            </span>
                        }
                    })}
                <span class="server-actions">
                    <button type="button" class="primary" on:click=act(open_new)>
                        {t().new_snapshot().inner()}
                    </button>
                    <button
                        type="button"
                        on:click=act(before_update)
                        disabled=move || at_limit() || planning()
                    >
                        {t().before_update().inner()}
                    </button>
                    <button type="button" on:click=act(open_clean_up)>
                        {t().clean_up().inner()}
                    </button>
                </span>
            </header>
            <p class="coverage">
                {move || {
                    coverage()
                        .into_iter()
                        .map(|(text, warn)| view! { <span class:warn=warn>{text}</span> })
                        .collect_view()
                }}
            </p>
            <When is=Signal::derive(at_limit)>
                <p class="limit-note">
                    {fill(
                        t().limit_note().inner(),
                        &[("provider", &provider.display_name()), ("limit", &limit.unwrap_or_default())],
                    )}
                </p>
            </When>
            <PlanPanel server=this.get_value() />
            {move || {
                error
                    .get()
                    .map(|problem| {
                        view! {
                            <div role="alert" class="error">
                                <span>{account.account.with(|a| problem.words(a))}</span>
                                <button
                                    type="button"
                                    on:click=act(move |_| this.with_value(|s| state.retry_server(&account, s)))
                                >
                                    {t().retry().inner()}
                                </button>
                            </div>
                        }
                    })
            }}
            <When is=Signal::derive(move || stale.get())>
                <p class="stale">{t().stale_long().inner()}</p>
            </When>
            <When is=Signal::derive(move || !loaded.get() && error.with(Option::is_none))>
                <p class="loading">{t().loading_snapshots().inner()}</p>
            </When>
            <When is=Signal::derive(move || loaded.get() && snapshots.with(Vec::is_empty))>
                <p class="empty">{t().no_snapshots().inner()}</p>
            </When>
            <div class="cards" class:tree=provider.capabilities().tree>
                {rows(Box::new(move || {
                    snapshots
                        .get()
                        .into_iter()
                        .map(|card| {
                            Row::new(card.key.clone(), move || {
                                view! { <SnapshotCard account server=this.get_value() card /> }
                            })
                        })
                        .collect()
                }))}
            </div>
        </section>
    }
}

crate::part::part_fn! {
    /// "Before an update": a snapshot named now, then the server waits for
    /// the update's outcome (see `Plan::before_update`).
    pub(super) fn before_update(state: AppState, account: AccountStore, server: ServerStore) -> ();
    preload before_update_preload;
    {
        let name = super::name_now(PRE_UPDATE_PREFIX, &server.snapshot_names());
        let plan = Plan::before_update(account.provider(), &name);
        state.start_plan(&account, &server, plan, None);
    }
}
