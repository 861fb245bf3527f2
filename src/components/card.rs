use leptos::prelude::*;

use super::{act, page_state};

use super::When;

use super::menu::{ActionMenu, CardMenu, Item};
use crate::i18n::{self, fill, t};
use crate::model::ProviderKind;
use crate::model::{GoBack, Operation, SnapshotStatus};
use crate::part::part_fn;
use crate::state::ops::{PendingOp, Phase};
use crate::state::plan::is_pre_update;
use crate::state::{AccountStore, AppState, Dialog, ServerStore, SnapshotStore, at_once};
use crate::time;

/// One snapshot: name, status, date, and the operations its provider offers.
#[component]
pub fn SnapshotCard(
    account: AccountStore,
    server: ServerStore,
    card: SnapshotStore,
) -> impl IntoView {
    let state = page_state();
    let provider = account.provider();
    let caps = provider.capabilities();
    let snap = card.snap;
    let pending = card.pending;
    let error = card.error;
    let depth = card.depth;
    let info = server.server;
    // The page's clocks and the server are followed through triggers that
    // go with this card (see `state::Relay`), never read tracked.
    let seconds = state.seconds.follow();
    let dates = state.dates.follow();
    let server_changed = server.changed.follow();
    let plan = server.plan;
    let card_key = card.key.clone();
    let server_key = server.key.clone();
    let stores = StoredValue::new((server, card));

    let name = move || snap.with(|s| s.name.clone());
    // The server's plan and the account's marks live longer than the card:
    // followed through the server's relay, read untracked.
    let held_by_plan = Memo::new({
        let key = card_key.clone();
        let server_changed = server_changed.clone();
        move |_| {
            server_changed.track();
            plan.with_untracked(|p| p.as_ref().is_some_and(|p| p.holds(&key)))
        }
    });
    // What a card under an operation says comes with the dialogs' part,
    // which sent the operation (see `crate::part`).
    let words = move || {
        pending
            .with(Clone::clone)
            .and_then(|op| at_once(pending_words(state, provider, op)))
            .and_then(Result::ok)
    };
    // Only a card with an operation under way reads the 1-second clock.
    let status = move || {
        if pending.with(Option::is_some) {
            seconds.track();
            words().map(|w| w.status).unwrap_or_default()
        } else {
            snap.with(|s| s.status.label())
        }
    };
    let detail = move || {
        if held_by_plan.get() {
            return Some(t().card_held().inner().to_string());
        }
        words().and_then(|w| w.doing)
    };
    let status_kind = move || {
        if pending.with(Option::is_some) {
            "pending"
        } else {
            snap.with(|s| match s.status {
                SnapshotStatus::Completed => "done",
                SnapshotStatus::InProgress => "working",
                SnapshotStatus::Other(_) => "other",
            })
        }
    };
    // A memo: the text node is written only when the wording changes.
    // The exact date is written once per date, not on every tick.
    let taken = Memo::new({
        let dates = dates.clone();
        move |prev: Option<&Option<(String, String, i64)>>| {
            dates.track();
            let now = state.now.get_untracked();
            snap.with(|s| {
                s.created.map(|at| {
                    let exact = prev
                        .and_then(Option::as_ref)
                        .filter(|p| p.2 == at)
                        .map_or_else(|| i18n::date_time(at), |p| p.1.clone());
                    (time::relative(now, at), exact, at)
                })
            })
        }
    });
    // The schedule's wording, written to the page only when it changes.
    let schedule = Memo::new({
        let dates = dates.clone();
        move |_| {
            dates.track();
            let now = state.now.get_untracked();
            snap.with(|s| {
                s.schedule.as_ref().map(|sched| {
                    (
                        sched.describe(),
                        sched.provider_text.clone(),
                        sched.next_run_wording(now),
                        sched.last_run_wording(now),
                        crate::state::cover::late_since(sched, now).map(|due| {
                            fill(
                                t().card_late().inner(),
                                &[("when", &time::relative(now, due))],
                            )
                        }),
                    )
                })
            })
        }
    });
    // Under an operation, not confirmed yet, or waiting in a plan: no
    // other action.
    let busy =
        move || pending.with(|p| p.as_ref().is_some_and(|p| !p.is_over())) || held_by_plan.get();
    let protected = Memo::new({
        let (server_key, key) = (server_key.clone(), card_key.clone());
        let server_changed = server_changed.clone();
        move |_| {
            server_changed.track();
            account
                .account
                .with_untracked(|a| a.is_protected(&server_key, &key))
        }
    });
    // A snapshot taken before an update, confirmed: its two outcomes.
    // (A snapshot's name does not change: only such cards watch for it.)
    let pre_update_name = snap.with_untracked(|s| is_pre_update(&s.name));
    let pre_update = move || {
        !busy() && snap.with(|s| s.status == SnapshotStatus::Completed && is_pre_update(&s.name))
    };
    let restoring = move || {
        server_changed.track();
        info.with_untracked(|s| s.is_transitional())
    };
    // Only a finished snapshot can be gone back to.
    let in_progress = move || snap.with(|s| s.status == SnapshotStatus::InProgress);
    let placeholder = move || stores.with_value(|(_, c)| c.is_placeholder());

    let confirm = move |op: Operation| ask_confirm(state, account, stores, op);
    let key = move || stores.with_value(|(_, c)| c.key.clone());
    let restoring_now = move || info.with_untracked(|s| s.is_transitional());
    let go_back_label = match caps.go_back {
        GoBack::Restore => t().restore().inner(),
        GoBack::Revert => t().revert().inner(),
    };

    view! {
        <article
            class="card"
            class:current=move || snap.with(|s| s.current)
            class:busy=busy
            data-depth=move || depth.get().to_string()
            // Through the CSSOM, not a style attribute: allowed by the CSP.
            style:margin-inline-start=move || {
                // A step per level, up to four: the tree line says the rest.
                let tenths = depth.get().min(4) * 6;
                format!("{}.{}rem", tenths / 10, tenths % 10)
            }
        >
            <header class="card-head">
                <h4>{name}</h4>
                <span class="status" data-kind=status_kind>
                    {status}
                </span>
            </header>
            <dl class="facts">
                {move || {
                    taken
                        .get()
                        .map(|(when, exact, _)| {
                            let machine = snap.with(|s| s.created_text.clone());
                            view! {
                                <div class="wide">
                                    <dt>{t().taken().inner()}</dt>
                                    <dd>
                                        <time datetime=machine>{exact}</time>
                                        <span class="muted">{format!(" ({when})")}</span>
                                    </dd>
                                </div>
                            }
                        })
                }}
                {fact(false, t().size().inner(), Box::new(move || snap.with(|s| s.size_mb).map(i18n::size)))}
                {fact(
                    true,
                    t().description().inner(),
                    Box::new(move || snap.with(|s| Some(s.description.clone()).filter(|d| !d.is_empty()))),
                )}
                // A new snapshot's place in the tree is known once listed.
                {fact(
                    false,
                    t().parent().inner(),
                    Box::new(move || {
                        (caps.tree && !placeholder()).then(|| {
                            snap.with(|s| s.parent.clone().unwrap_or_else(|| t().parent_none().inner().into()))
                        })
                    }),
                )}
                {fact(
                    false,
                    t().server_state().inner(),
                    Box::new(move || snap.with(|s| Some(s.state.clone()).filter(|st| !st.is_empty()))),
                )}
                {move || {
                    schedule
                        .get()
                        .map(|(describe, provider_text, next, last, late)| {
                            view! {
                                <div class="wide schedule">
                                    <dt>{t().schedule().inner()}</dt>
                                    <dd>
                                        <span>{describe}</span>
                                        <span class="provider-text" lang="tr">
                                            {format!("“{provider_text}”")}
                                        </span>
                                        {next.map(|n| view! { <span>{n}</span> })}
                                        {last.map(|l| view! { <span>{l}</span> })}
                                        {late.map(|l| view! { <span class="late-mark">{l}</span> })}
                                    </dd>
                                </div>
                            }
                        })
                }}
            </dl>
            <When is=Signal::derive(move || snap.with(|s| s.current))>
                <p class="current-mark">{t().current_mark().inner()}</p>
            </When>
            <When is=Signal::derive(move || protected.get())>
                <p class="protected-mark">{t().protected_mark().inner()}</p>
            </When>
            {move || detail().map(|d| view! { <p class="hint op-detail">{d}</p> })}
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <div role="alert" class="error">
                                {e}
                            </div>
                        }
                    })
            }}
            {move || {
                words()
                    .and_then(|w| w.not_confirmed)
                    .and_then(|why| at_once(draw_not_confirmed(account, stores, why)))
                    .and_then(Result::ok)
            }}
            {pre_update_name.then(|| view! {
            <When is=Signal::derive(pre_update)>
                <div class="outcomes">
                    <button type="button" on:click=act(move |_| confirm(Operation::Delete { snapshot: key() }))>
                        {t().update_went_well().inner()}
                    </button>
                    <button type="button" on:click=act(move |_| confirm(Operation::GoBack { snapshot: key() }))>
                        {match caps.go_back {
                            GoBack::Restore => t().restore_it().inner(),
                            GoBack::Revert => t().revert_to_it().inner(),
                        }}
                    </button>
                </div>
            </When>
            })}
            <div class="actions">
                <button
                    type="button"
                    aria-disabled=move || (busy() || restoring() || in_progress()).to_string()
                    on:click=act(move |_| {
                        if !(busy() || restoring_now() || in_progress()) {
                            confirm(Operation::GoBack { snapshot: key() })
                        }
                    })
                >
                    {go_back_label}
                </button>
                <ActionMenu
                    text=t().more().inner()
                    label=Signal::derive(move || fill(t().more_label().inner(), &[("name", &name())]))
                    unavailable=Signal::derive(busy)
                    items=CardMenu { account, stores, protected }
                />
            </div>
        </article>
    }
}

/// One fact of a card (term and value), there while it has a value. One
/// function for every such fact: a closure of its own each would build the
/// view library's optional-view code into the wasm once more.
fn fact(
    wide: bool,
    term: &'static str,
    value: Box<dyn Fn() -> Option<String> + Send + Sync>,
) -> impl IntoView {
    move || {
        value().map(|v| {
            view! {
                <div class:wide=wide>
                    <dt>{term}</dt>
                    <dd>{v}</dd>
                </div>
            }
        })
    }
}

impl CardMenu {
    /// The card's menu items, as its provider offers them. Drawn by the
    /// dialogs' part: every item opens a dialog or changes what the device
    /// remembers.
    pub(super) fn items(self) -> Vec<Item> {
        let CardMenu {
            account,
            stores,
            protected,
        } = self;
        let state = page_state();
        let caps = account.provider().capabilities();
        let snap = stores.with_value(|(_, c)| c.snap);
        let key = move || stores.with_value(|(_, c)| c.key.clone());
        let confirm = move |op: Operation| ask_confirm(state, account, stores, op);
        let always = Signal::stored(true);
        let item = |label, danger, shown, run: Callback<()>| Item {
            label,
            danger,
            shown,
            run,
        };
        let mut items = Vec::new();
        if caps.recreate {
            items.push(item(
                t().recreate().inner(),
                false,
                always,
                Callback::new(move |()| confirm(Operation::Recreate { snapshot: key() })),
            ));
        }
        if caps.schedules {
            items.push(item(
                t().schedule().inner(),
                false,
                always,
                Callback::new(move |()| {
                    let (server, snapshot) = stores.get_value();
                    state.dialog.set(Some(Dialog::Schedule {
                        account,
                        server,
                        snapshot,
                    }));
                }),
            ));
            items.push(item(
                t().remove_schedule().inner(),
                false,
                Signal::derive(move || snap.with(|s| s.schedule.is_some())),
                Callback::new(move |()| confirm(Operation::Unschedule { snapshot: key() })),
            ));
        }
        let set_protected = move |on: bool| {
            let key = key();
            stores.with_value(|(server, _)| state.set_protected(&account, &server.key, &key, on));
        };
        items.push(item(
            t().protect().inner(),
            false,
            Signal::derive(move || !protected.get()),
            Callback::new(move |()| set_protected(true)),
        ));
        items.push(item(
            t().unprotect().inner(),
            false,
            Signal::derive(move || protected.get()),
            Callback::new(move |()| set_protected(false)),
        ));
        items.push(item(
            t().delete().inner(),
            true,
            always,
            Callback::new(move |()| confirm(Operation::Delete { snapshot: key() })),
        ));
        items
    }
}

/// Opens the dialog that confirms `op` on the card in `stores`.
fn ask_confirm(
    state: AppState,
    account: AccountStore,
    stores: StoredValue<(ServerStore, SnapshotStore)>,
    op: Operation,
) {
    let (server, snapshot) = stores.get_value();
    state.dialog.set(Some(Dialog::Confirm {
        account,
        server,
        snapshot,
        op,
    }));
}

/// What a card under an operation says: its status (with the time taken
/// so far), what it is doing (with the usual time here), and, once the
/// lists have not confirmed it in time, why.
pub(super) struct Words {
    status: String,
    doing: Option<String>,
    not_confirmed: Option<String>,
}

part_fn! {
    pub(super) fn pending_words(state: AppState, provider: ProviderKind, op: PendingOp) -> Words;
    preload pending_words_preload;
    {
        let doing = op.in_flight().then(|| {
            let estimate = state
                .durations
                .with_untracked(|d| d.estimate(provider, op.kind()));
            match estimate {
                Some(e) => format!("{} ({e})", op.detail(provider)),
                None => op.detail(provider),
            }
        });
        Words {
            status: op.status(provider, state.clock.get_untracked()),
            doing,
            not_confirmed: matches!(op.phase, Phase::NotConfirmed { .. }).then(|| op.detail(provider)),
        }
    }
}

part_fn! {
    /// "Not confirmed": why, and the two ways on.
    pub(super) fn draw_not_confirmed(
        account: AccountStore,
        stores: StoredValue<(ServerStore, SnapshotStore)>,
        why: String,
    ) -> AnyView;
    preload draw_not_confirmed_preload;
    {
        let state = page_state();
        view! {
            <div role="alert" class="error">
                <span>{why}</span>
                <button
                    type="button"
                    on:click=act(move |_| {
                        stores.with_value(|(server, card)| state.check_again(&account, server, card))
                    })
                >
                    {t().check_again().inner()}
                </button>
                <button
                    type="button"
                    on:click=act(move |_| {
                        stores.with_value(|(server, card)| state.dismiss(server, card))
                    })
                >
                    {t().dismiss().inner()}
                </button>
            </div>
        }
        .into_any()
    }
}
