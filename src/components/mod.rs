//! What is on screen. Components read state and dispatch operations; they
//! never build requests themselves.

mod account;
mod card;
mod dialogs;

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::{AppState, Dialog};
use account::AccountSection;
use dialogs::{ConfirmDialog, NewSnapshotDialog, ScheduleDialog};

/// The page: banner, one region per account, and the open dialog.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    let loading = RwSignal::new(true);
    spawn_local(async move {
        load_deployment(state).await;
        loading.set(false);
    });

    let visibility = leptos_use::use_document_visibility();
    Effect::new(move |_| state.set_visible(visibility.get() != web_sys::VisibilityState::Hidden));
    if let Ok(handle) = set_interval_with_handle(move || state.tick(), Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }

    view! {
        <header class="banner">
            <h1>"Snapdeck"</h1>
            <p class="tagline">"Snapshots of every server, live"</p>
            <nav class="banner-actions">
                <button type="button" on:click=move |_| state.refresh_all()>"Refresh"</button>
            </nav>
        </header>
        <main>
            {move || state.notice.get().map(|n| view! { <p role="alert" class="notice">{n}</p> })}
            <Show when=move || !loading.get() && state.accounts.with(Vec::is_empty)>
                <section class="welcome">
                    <h2>"No accounts yet"</h2>
                    <p>
                        "Snapdeck shows the snapshots of your ilkbyte and VPS.org servers. "
                        "List your accounts in snapdeck.json beside index.html (see the README)."
                    </p>
                </section>
            </Show>
            <For
                each=move || state.accounts.get()
                key=|account| account.id
                children=move |account| view! { <AccountSection account /> }
            />
        </main>
        <DialogHost />
    }
}

/// Reads `snapdeck.json` (optional) and adds its accounts.
async fn load_deployment(state: AppState) {
    match crate::net::get_static("snapdeck.json").await {
        Ok(None) => {}
        Ok(Some(bytes)) => match crate::config::parse(&bytes) {
            Ok(deployment) => {
                for account in deployment.accounts {
                    state.add_account(account);
                }
            }
            Err(e) => state.notice.set(Some(e)),
        },
        Err(e) => state
            .notice
            .set(Some(format!("Could not load snapdeck.json: {e:?}"))),
    }
}

/// The dialog that is open, if any.
#[component]
fn DialogHost() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.dialog.get().map(|dialog| match dialog {
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
        })
    }
}
