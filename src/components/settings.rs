//! Accounts and what this device remembers: the account form, removal,
//! unlocking, and the settings dialog.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::When;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::dialogs::{
    CancelButton, FieldError, FormError, Modal, Problems, clear, described_by, invalid,
    show_problems,
};
use crate::accounts::{Draft, Remember};
use crate::forms::field;
use crate::model::ProviderKind;
use crate::state::{AccountStore, AppState, test_connection};
use crate::vault::VaultError;

/// What `Test connection` found.
#[derive(Clone, PartialEq)]
enum Check {
    Idle,
    Running,
    Passed(String),
    Failed(String),
}

/// `Add account`, or editing one: provider, label, URL, credentials, proxy.
#[component]
pub fn AccountFormDialog(editing: Option<AccountStore>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let start = match editing {
        Some(store) => Draft::from_account(&store.account.get_untracked()),
        None => Draft {
            provider: Some(ProviderKind::Ilkbyte),
            base_url: ProviderKind::Ilkbyte.default_base_url().into(),
            proxy: state.default_proxy.get_untracked(),
            ..Draft::default()
        },
    };
    let provider = RwSignal::new(start.provider.unwrap_or(ProviderKind::Ilkbyte));
    let label = RwSignal::new(start.label);
    let base_url = RwSignal::new(start.base_url);
    let access = RwSignal::new(start.access_key);
    let secret = RwSignal::new(start.secret_key);
    let token = RwSignal::new(start.token);
    let proxy = RwSignal::new(start.proxy);
    let problems: Problems = RwSignal::new(Vec::new());
    let check = RwSignal::new(Check::Idle);
    // Save after a failed test asks once more.
    let unconfirmed = RwSignal::new(false);
    let editing_id = editing.map(|a| a.id);

    let draft = move || Draft {
        provider: Some(provider.get_untracked()),
        label: label.get_untracked(),
        base_url: base_url.get_untracked(),
        access_key: access.get_untracked(),
        secret_key: secret.get_untracked(),
        token: token.get_untracked(),
        proxy: proxy.get_untracked(),
    };
    let change_provider = move |ev: leptos::ev::Event| {
        let next = match event_target_value(&ev).as_str() {
            "vpsorg" => ProviderKind::Vpsorg,
            _ => ProviderKind::Ilkbyte,
        };
        let old = provider.get_untracked();
        // Follow the provider with the URL unless the user typed their own.
        if base_url.with_untracked(|u| u.trim().is_empty() || u == old.default_base_url()) {
            base_url.set(next.default_base_url().into());
        }
        provider.set(next);
        problems.set(Vec::new());
        check.set(Check::Idle);
    };
    // A test result speaks of the values it tested: an edit retires it.
    let edited = move |_| {
        if !matches!(check.get_untracked(), Check::Idle | Check::Running) {
            check.set(Check::Idle);
        }
        unconfirmed.set(false);
    };
    let run_check = move |_| match draft().validate(&state.labels_except(editing_id)) {
        Err(why) => show_problems(problems, vec![why]),
        Ok(account) => {
            problems.set(Vec::new());
            unconfirmed.set(false);
            check.set(Check::Running);
            spawn_local(async move {
                check.set(match test_connection(account).await {
                    Ok(who) => Check::Passed(format!("Connected: {who}")),
                    Err(why) => Check::Failed(why),
                })
            });
        }
    };
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        match draft().validate(&state.labels_except(editing_id)) {
            Err(why) => show_problems(problems, vec![why]),
            Ok(_)
                if matches!(check.get_untracked(), Check::Failed(_))
                    && !unconfirmed.get_untracked() =>
            {
                unconfirmed.set(true);
            }
            Ok(account) => {
                state.dialog.set(None);
                match editing_id {
                    Some(id) => state.update_account(id, account),
                    None => {
                        state.add_account(account);
                        state.persist();
                    }
                }
            }
        }
    };
    let title = if editing.is_some() {
        "Edit account"
    } else {
        "Add account"
    };
    view! {
        <Modal title=title.to_string()>
            <form on:submit=save on:input=edited novalidate>
                <label for=field::PROVIDER>"Provider"</label>
                <select id=field::PROVIDER on:change=change_provider>
                    <option value="ilkbyte" selected=move || provider.get() == ProviderKind::Ilkbyte>
                        "ilkbyte"
                    </option>
                    <option value="vpsorg" selected=move || provider.get() == ProviderKind::Vpsorg>
                        "VPS.org"
                    </option>
                </select>
                <p id="account-provider-hint" class="hint">
                    {move || match provider.get() {
                        ProviderKind::Ilkbyte => {
                            "ilkbyte sends no CORS headers: the browser reaches it only through a CORS proxy, so this account needs one. The access and secret keys are in ilkbyte's panel, under API."
                        }
                        ProviderKind::Vpsorg => {
                            "A VPS.org API token is made in VPS.org's panel. Leave the proxy empty to call VPS.org directly; set one if the connection test cannot reach it."
                        }
                    }}
                </p>
                <TextField problems field=field::LABEL label="Label" value=label />
                <TextField problems field=field::BASE_URL label="API base URL" value=base_url kind="url" />
                <Show
                    when=move || provider.get() == ProviderKind::Ilkbyte
                    fallback=move || {
                        view! { <TextField problems field=field::TOKEN label="API token" value=token kind="password" /> }
                    }
                >
                    <TextField problems field=field::ACCESS_KEY label="Access key" value=access kind="password" />
                    <TextField problems field=field::SECRET_KEY label="Secret key" value=secret kind="password" />
                </Show>
                <TextField
                    problems
                    field=field::PROXY
                    label="CORS proxy"
                    value=proxy
                    kind="url"
                    placeholder="empty: call the provider directly"
                />
                <p class="hint">"Keys stay in this tab unless you choose to remember them (Settings)."</p>
                {move || match check.get() {
                    Check::Idle => None,
                    Check::Running => Some(view! { <p role="status">"Testing…"</p> }.into_any()),
                    Check::Passed(who) => Some(view! { <p role="status" class="ok">{who}</p> }.into_any()),
                    Check::Failed(why) => Some(view! { <p role="alert" class="error">{why}</p> }.into_any()),
                }}
                <When is=Signal::derive(move || unconfirmed.get())>
                    <p role="alert" class="warning">
                        "The connection test failed with these values. Save the account anyway?"
                    </p>
                </When>
                <div class="buttons">
                    <button type="button" on:click=run_check disabled=move || check.get() == Check::Running>
                        "Test connection"
                    </button>
                    <button type="submit" class="primary">
                        {move || if unconfirmed.get() { "Save anyway" } else { "Save" }}
                    </button>
                    <CancelButton />
                </div>
            </form>
        </Modal>
    }
}

/// One line of the account form: label, input, and its own problem.
#[component]
fn TextField(
    problems: Problems,
    field: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label for=field>{label}</label>
        <input
            id=field
            type=kind
            autocomplete="off"
            spellcheck="false"
            placeholder=(!placeholder.is_empty()).then_some(placeholder)
            bind:value=value
            aria-describedby=described_by(problems, field, None)
            aria-invalid=invalid(problems, field)
            on:input=clear(problems, field)
        />
        <FieldError problems field />
    }
}

/// Removing an account asks first.
#[component]
pub fn RemoveAccountDialog(account: AccountStore) -> impl IntoView {
    let state = expect_context::<AppState>();
    let label = account.account.with_untracked(|a| a.label.clone());
    let remove = move |ev: SubmitEvent| {
        ev.prevent_default();
        state.dialog.set(None);
        state.remove_account(account.id);
    };
    view! {
        <Modal title="Remove account".to_string()>
            <form on:submit=remove>
                <p class="warning">
                    {format!(
                        "{label} and its credentials will be removed from Snapdeck. Its servers and snapshots at the provider are not touched.",
                    )}
                </p>
                <div class="buttons">
                    <button type="submit" class="danger">
                        "Remove account"
                    </button>
                    <CancelButton />
                </div>
            </form>
        </Modal>
    }
}

/// The passphrase for the accounts this device remembers.
#[component]
pub fn UnlockDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let passphrase = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let unlock = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            match state.unlock(&passphrase.get_untracked()).await {
                Ok(()) => state.dialog.set(None),
                Err(VaultError::WrongPassphrase) => problem.set(Some(
                    "Wrong passphrase: nothing was changed. Try again.".into(),
                )),
                Err(e @ VaultError::Unavailable(_)) => problem.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <Modal title="Unlock saved accounts".to_string()>
            <form on:submit=unlock>
                <p class="hint">"The credentials saved on this device are encrypted. Enter the passphrase to load those accounts."</p>
                <label for="unlock-passphrase">"Passphrase"</label>
                <input id="unlock-passphrase" type="password" autocomplete="current-password" bind:value=passphrase />
                <FormError message=problem />
                <div class="buttons">
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Unlocking…" } else { "Unlock" }}
                    </button>
                    <CancelButton label="Not now" />
                </div>
            </form>
        </Modal>
    }
}

/// Offers `text` as a file download.
fn download(name: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = document.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Remembering accounts on this device, forgetting them, export and import.
#[component]
pub fn SettingsDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let mode = RwSignal::new(state.remember.get_untracked());
    let passphrase = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let replace_locked = RwSignal::new(false);
    let apply = move |ev: SubmitEvent| {
        ev.prevent_default();
        let chosen = mode.get_untracked();
        let pass = passphrase.get_untracked();
        if chosen == Remember::Encrypted {
            if pass.chars().count() < 8 {
                message.set(Some((
                    false,
                    "Choose a passphrase of at least 8 characters.".into(),
                )));
                return;
            }
            if pass != repeat.get_untracked() {
                message.set(Some((false, "The two passphrases differ.".into())));
                return;
            }
        }
        busy.set(true);
        spawn_local(async move {
            let result = state
                .set_remember(chosen, Some(pass), replace_locked.get_untracked())
                .await;
            busy.set(false);
            message.set(Some(match (result, chosen) {
                (Err(e), _) => (false, e),
                (Ok(()), Remember::Tab) => (
                    true,
                    "Accounts are kept for this tab only; nothing is stored.".into(),
                ),
                (Ok(()), Remember::Encrypted) => {
                    (true, "Saved, encrypted with your passphrase.".into())
                }
                (Ok(()), Remember::Plain) => (true, "Saved without encryption.".into()),
            }));
        });
    };
    let forget = move |_| {
        state.forget_everything();
        mode.set(Remember::Tab);
        message.set(Some((
            true,
            "Everything this device stored was removed.".into(),
        )));
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            let outcome = match text.ok().and_then(|t| t.as_string()) {
                None => (false, "Could not read that file.".to_string()),
                Some(t) => match state.import(t.as_bytes()) {
                    Ok((added, 0)) => (
                        true,
                        format!("Imported {added} account(s): add their credentials to load them."),
                    ),
                    Ok((added, skipped)) => (
                        true,
                        format!(
                            "Imported {added} account(s); {skipped} skipped (their labels exist already)."
                        ),
                    ),
                    Err(e) => (false, e),
                },
            };
            message.set(Some(outcome));
        });
    };
    view! {
        <Modal title="Settings".to_string()>
            <form on:submit=apply novalidate>
                <fieldset>
                    <legend>"Remember accounts on this device"</legend>
                    {[
                        (Remember::Tab, "No: keep them for this tab only"),
                        (Remember::Encrypted, "Remember, encrypted with a passphrase"),
                        (Remember::Plain, "Remember without encryption"),
                    ]
                        .into_iter()
                        .map(|(choice, text)| {
                            view! {
                                <label class="choice">
                                    <input
                                        type="radio"
                                        name="remember"
                                        prop:checked=move || mode.get() == choice
                                        on:change=move |_| mode.set(choice)
                                    />
                                    {text}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <When is=Signal::derive(move || state.locked.with(Option::is_some))>
                    <p class="warning">
                        "The keys saved on this device are still locked. Unlock them first (Unlock, in the banner) to keep them; a new choice made now replaces them with the accounts shown."
                    </p>
                    <label class="choice">
                        <input type="checkbox" bind:checked=replace_locked />
                        "Replace the locked keys"
                    </label>
                </When>
                <When is=Signal::derive(move || mode.get() == Remember::Encrypted)>
                    <label for="settings-passphrase">"Passphrase"</label>
                    <input id="settings-passphrase" type="password" autocomplete="new-password" bind:value=passphrase />
                    <label for="settings-repeat">"Repeat passphrase"</label>
                    <input id="settings-repeat" type="password" autocomplete="new-password" bind:value=repeat />
                    <p class="hint">"Asked when Snapdeck opens. Lost passphrases cannot be recovered."</p>
                </When>
                <When is=Signal::derive(move || mode.get() == Remember::Plain)>
                    <p class="warning">
                        "Your API keys will be stored in plain text in this browser: anyone who can use this browser profile, and any script that runs on this site, can read them."
                    </p>
                </When>
                {move || {
                    message
                        .get()
                        .map(|(ok, m)| {
                            if ok {
                                view! { <p role="status" class="ok">{m}</p> }.into_any()
                            } else {
                                view! { <p role="alert" class="error">{m}</p> }.into_any()
                            }
                        })
                }}
                <div class="buttons">
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        "Save settings"
                    </button>
                    <button type="button" class="danger" on:click=forget>
                        "Forget everything"
                    </button>
                </div>
                <fieldset>
                    <legend>"Accounts file (never holds keys)"</legend>
                    <div class="buttons">
                        <button type="button" on:click=move |_| download("snapdeck-accounts.json", &state.export())>
                            "Export accounts"
                        </button>
                        <label class="file">
                            "Import accounts"
                            <input type="file" accept="application/json,.json" on:change=import />
                        </label>
                    </div>
                </fieldset>
                <div class="buttons">
                    <CancelButton label="Close" />
                </div>
            </form>
        </Modal>
    }
}
