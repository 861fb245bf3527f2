//! The overview (summary, search, filters), the plans under way on a
//! server, and the clean-up with its preview.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{act, page_state};

use super::dialogs::{CancelButton, Modal};
use super::{Row, rows};
use crate::i18n::{count, fill, t};
use crate::model::ProviderKind;
use crate::state::cover::{self, Facet, Filter, Summary, Verdict};
use crate::state::plan::{Plan, StepState};
use crate::state::{AccountStore, Dialog, ServerStore, at_once};

crate::part::part_fn! {
    /// The overview, drawn by the dialogs' part: the first cards do not
    /// wait for its code.
    pub(super) fn draw_overview() -> AnyView;
    preload draw_overview_preload;
    { view! { <Overview /> }.into_any() }
}

/// "Am I covered?" across every account: the counts, each a filter, and
/// the search and the account and provider filters.
#[component]
fn Overview() -> impl IntoView {
    let state = page_state();
    // Once a second, and soon after a list answers for the first time
    // (`state.counts`, once for many), not on every list: with a list per
    // server (ilkbyte), following every card would redo all servers' facts
    // for each server's list. Unchanged facts wake nothing (a memo).
    let seconds = state.seconds.follow();
    let counts = state.counts.follow();
    let all = Memo::new(move |_| {
        seconds.track();
        counts.track();
        let now = state.now.get_untracked();
        untrack(|| state.overview(now))
    });
    let summary = Memo::new(move |_| {
        let now = state.now.get();
        all.with(|all| Summary::of(all.iter().map(|o| &o.facts), now))
    });
    // One pass over every server when the filter or the facts change; each
    // server is written only if its visibility changes.
    let shown = RwSignal::new(0);
    Effect::new(move |_| {
        let now = state.now.get_untracked();
        let n = state
            .filter
            .with(|f| all.with(|all| state.apply_filter(f, all, now)));
        shown.set(n);
    });
    let facet_pressed =
        move |facet: Option<Facet>| move || (state.filter.with(|f| f.facet == facet)).to_string();
    let pick = move |facet: Option<Facet>| {
        move |_| {
            state.filter.update(|f| {
                f.facet = if f.facet == facet { None } else { facet };
            })
        }
    };
    let facet_item = move |facet: Facet| {
        view! {
            <li>
                <button
                    type="button"
                    class="facet"
                    class:warn=move || facet != Facet::Busy && summary.with(|s| s.count(facet) > 0)
                    aria-pressed=facet_pressed(Some(facet))
                    on:click=act(pick(Some(facet)))
                >
                    {move || facet.label(summary.with(|s| s.count(facet)))}
                </button>
            </li>
        }
    };
    let on_query = move |ev: leptos::ev::Event| {
        let q = cover::fold(&event_target_value(&ev));
        state.filter.update(|f| f.query = q);
    };
    let on_account = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        state.filter.update(|f| f.account = v.parse().ok());
    };
    let on_provider = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        state.filter.update(|f| {
            f.provider = match v.as_str() {
                "ilkbyte" => Some(ProviderKind::Ilkbyte),
                "vpsorg" => Some(ProviderKind::Vpsorg),
                _ => None,
            }
        });
    };
    let search = NodeRef::<leptos::html::Input>::new();
    let clear = move |_| {
        state.filter.set(Filter::default());
        if let Some(input) = search.get() {
            input.set_value("");
        }
        for id in ["filter-account", "filter-provider"] {
            if let Some(select) = document()
                .get_element_by_id(id)
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(e).ok())
            {
                select.set_value("");
            }
        }
    };
    view! {
            <section class="overview" aria-label=t().overview().inner()>
                <ul class="summary">
                    <li>
                        <button type="button" class="facet" aria-pressed=facet_pressed(None) on:click=act(pick(None))>
                            {move || count(summary.with(|s| s.servers), t().servers_singular().inner(), t().servers_plural().inner())}
                        </button>
                    </li>
                    <li class="count-only">
                        {move || count(summary.with(|s| s.snapshots), t().snapshots_singular().inner(), t().snapshots_plural().inner())}
                    </li>
                    {Facet::ALL.map(facet_item)}
                </ul>
                <div class="filters">
                    <input
                        type="search"
                        node_ref=search
                        aria-label=t().search().inner()
                        placeholder=t().search().inner()
                        autocomplete="off"
                        spellcheck="false"
                        on:input=act(on_query)
                    />
                    <select id="filter-account" aria-label=t().account().inner() on:change=act(on_account)>
                        <option value="">{t().all_accounts().inner()}</option>
                        {rows(Box::new(move || {
                            state
                                .accounts
                                .get()
                                .into_iter()
                                .map(|a: AccountStore| {
                                    Row::new(a.id.to_string(), move || {
                                        view! {
                                            <option value=a.id.to_string()>
                                                {move || a.account.with(|a| a.label.clone())}
                                            </option>
                                        }
                                    })
                                })
                                .collect()
                        }))}
                    </select>
                    <select id="filter-provider" aria-label=t().provider().inner() on:change=act(on_provider)>
                        <option value="">{t().all_providers().inner()}</option>
                        <option value="ilkbyte">"ilkbyte"</option>
                        <option value="vpsorg">"VPS.org"</option>
                    </select>
                    <button type="button" on:click=act(move |_| state.dialog.set(Some(Dialog::CleanUp { only: None })))>
                        {t().clean_up().inner()}
                    </button>
                </div>
                <p class="filter-state" aria-live="polite">
                    {move || {
                        (!state.filter.with(Filter::is_empty))
                            .then(|| {
                                let total = summary.with(|s| s.servers);
                                view! {
                                    <span>{fill(t().showing().inner(), &[("n", &shown.get()), ("total", &total)])}</span>
                                    " "
                                    <button type="button" class="link" on:click=act(clear)>
                                        {t().show_all().inner()}
                                    </button>
                                }
                            })
                    }}
                </p>
            </section>
    }
}

/// A server's plan: its steps, what each is doing, and why it stopped.
#[component]
pub fn PlanPanel(server: ServerStore) -> impl IntoView {
    let plan = server.plan;
    // A plan starts only from the dialogs' part (see `crate::part`).
    move || {
        plan.get()
            .and_then(|p| at_once(draw_plan(server.clone(), p)))
            .and_then(Result::ok)
    }
}

crate::part::part_fn! {
    /// A plan's steps, what each is doing, and why it stopped.
    pub(super) fn draw_plan(server: ServerStore, p: Plan) -> AnyView;
    preload draw_plan_preload;
    {
        let state = page_state();
        let this = StoredValue::new(server);
        let title = p.title();
        let heading = title.clone();
        let failure = p.failure();
        let active = p.is_active();
        let steps: Vec<_> = p
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let t = t();
                let (mark, word) = match &s.state {
                    StepState::Waiting => ("waiting", t.step_waits().inner()),
                    StepState::Running => ("running", t.step_running().inner()),
                    StepState::Done => ("done", t.step_done().inner()),
                    StepState::Failed(_) => ("failed", t.step_failed().inner()),
                };
                view! {
                    <li data-state=mark>{format!("{}: {word}", p.step_label(i))}</li>
                }
            })
            .collect();
        let done = (!active && failure.is_none()).then(|| p.success());
        view! {
            <section class="plan" aria-label=title>
                <h4>{heading}</h4>
                <ol>{steps}</ol>
                {failure.map(|f| view! { <p role="alert" class="error">{f}</p> })}
                {done.map(|d| view! { <p class="done">{d}</p> })}
                {(!active)
                    .then(|| {
                        view! {
                            <button type="button" on:click=act(move |_| this.with_value(|s| state.dismiss_plan(s)))>
                                {t().dismiss().inner()}
                            </button>
                        }
                    })}
            </section>
        }
        .into_any()
    }
}

/// One server's clean-up: what each snapshot becomes.
#[derive(Clone)]
struct Preview {
    account: AccountStore,
    server: ServerStore,
    server_name: String,
    /// (key, name, verdict)
    rows: Vec<(String, String, Verdict)>,
}

/// "Keep the newest N snapshots Snapdeck made, delete the others": the
/// preview first, then the deletes, one by one.
#[component]
pub fn CleanUpDialog(only: Option<(AccountStore, ServerStore)>) -> impl IntoView {
    let state = page_state();
    let keep = RwSignal::new("2".to_string());
    let problem = RwSignal::new(None::<String>);
    let targets: Vec<(AccountStore, ServerStore)> = match &only {
        Some(pair) => vec![pair.clone()],
        None => state.accounts.with_untracked(|accounts| {
            accounts
                .iter()
                .flat_map(|a| {
                    a.servers
                        .with_untracked(|s| s.iter().map(|s| (*a, s.clone())).collect::<Vec<_>>())
                })
                .collect()
        }),
    };
    let targets = StoredValue::new(targets);
    let keep_n = move || keep.with(|k| k.trim().parse::<usize>().ok().filter(|n| *n <= 100));
    let preview = Signal::derive(move || {
        let n = keep_n()?;
        let now = state.now.get_untracked();
        Some(targets.with_value(|t| {
            t.iter()
                .map(|(account, server)| {
                    let facts = untrack(|| state.server_facts(account, server, now));
                    let verdicts = cover::clean_up(&facts.snapshots, n);
                    Preview {
                        account: *account,
                        server: server.clone(),
                        server_name: facts.name.clone(),
                        rows: facts
                            .snapshots
                            .iter()
                            .zip(verdicts)
                            .map(|(s, v)| (s.key.clone(), s.name.clone(), v))
                            .collect(),
                    }
                })
                .filter(|p| !p.rows.is_empty())
                .collect::<Vec<_>>()
        }))
    });
    let deletes = move || {
        preview.with(|p| {
            p.as_ref().map_or(0, |p| {
                p.iter()
                    .map(|s| s.rows.iter().filter(|r| r.2 == Verdict::Delete).count())
                    .sum()
            })
        })
    };
    let run = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(list) = preview.get_untracked() else {
            problem.set(Some(t().keep_invalid().inner().into()));
            super::focus_id("cleanup-keep");
            return;
        };
        for p in list {
            let victims: Vec<(String, String)> = p
                .rows
                .iter()
                .filter(|r| r.2 == Verdict::Delete)
                .map(|r| (r.0.clone(), r.1.clone()))
                .collect();
            if !victims.is_empty() {
                let plan = Plan::clean_up(p.account.provider(), &victims);
                state.start_plan(&p.account, &p.server, plan, None);
            }
        }
        state.dialog.set(None);
    };
    let scope = match &only {
        Some((_, s)) => s.server.with_untracked(|s| s.name.clone()),
        None => t().every_server().inner().to_string(),
    };
    view! {
        <Modal title=t().clean_up_title().inner().to_string()>
            <form on:submit=act(run) novalidate>
                <p class="hint">
                    {fill(t().clean_up_what().inner(), &[("scope", &scope)])}
                </p>
                <label for="cleanup-keep">{t().keep_newest().inner()}</label>
                <input
                    id="cleanup-keep"
                    type="number"
                    inputmode="numeric"
                    min="0"
                    max="100"
                    bind:value=keep
                    aria-invalid=move || problem.with(Option::is_some).to_string()
                    aria-describedby="cleanup-keep-hint"
                    on:input=act(move |_| problem.set(None))
                />
                <span id="cleanup-keep-hint" class="rule">
                    {t().keep_hint().inner()}
                </span>
                {move || problem.get().map(|m| view! { <p class="field-error">{m}</p> })}
                <div class="preview" aria-label=t().preview().inner() role="region">
                    {move || {
                        let n = keep_n().unwrap_or_default();
                        preview
                            .get()
                            .map(|list| {
                                if list.is_empty() {
                                    return view! { <p>{t().preview_empty().inner()}</p> }.into_any();
                                }
                                list.into_iter()
                                    .map(|p| {
                                        view! {
                                            <h3>{p.server_name.clone()}</h3>
                                            <ul>
                                                {p
                                                    .rows
                                                    .iter()
                                                    .map(|(_, name, v)| {
                                                        view! {
                                                            <li data-verdict=if *v == Verdict::Delete { "delete" } else { "keep" }>
                                                                <code>{name.clone()}</code>
                                                                {format!(": {}", v.reason(n))}
                                                            </li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            })
                    }}
                </div>
                <div class="buttons">
                    <button type="submit" class="danger" disabled=move || deletes() == 0>
                        {move || count(deletes(), t().delete_n_singular().inner(), t().delete_n_plural().inner())}
                    </button>
                    <CancelButton />
                </div>
            </form>
        </Modal>
    }
}
