//! Accounts and what this device remembers: the account form, removal,
//! unlocking, and the settings dialog.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{act, page_state};

use super::When;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};

use super::dialogs::{
    CancelButton, FieldError, FormError, Modal, Problems, clear, described_by, invalid,
    show_problems,
};
use crate::accounts::{Draft, Remember};
use crate::forms::field;
use crate::i18n::{fill, t};
use crate::model::ProviderKind;
use crate::state::{AccountStore, test_connection};
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
    let state = page_state();
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
                    Ok(who) => Check::Passed(fill(t().connected().inner(), &[("who", &who)])),
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
    let ilkbyte = Memo::new(move |_| provider.get() == ProviderKind::Ilkbyte);
    let title = if editing.is_some() {
        t().edit_account().inner()
    } else {
        t().add_account().inner()
    };
    view! {
        <Modal title=title.to_string()>
            <form on:submit=act(save) on:input=act(edited) novalidate>
                <label for=field::PROVIDER>{t().provider().inner()}</label>
                <select id=field::PROVIDER on:change=act(change_provider)>
                    <option value="ilkbyte" selected=move || provider.get() == ProviderKind::Ilkbyte>
                        "ilkbyte"
                    </option>
                    <option value="vpsorg" selected=move || provider.get() == ProviderKind::Vpsorg>
                        "VPS.org"
                    </option>
                </select>
                <p id="account-provider-hint" class="hint">
                    {move || match provider.get() {
                        ProviderKind::Ilkbyte => t().ilkbyte_hint().inner(),
                        ProviderKind::Vpsorg => t().vpsorg_hint().inner(),
                    }}
                </p>
                <TextField problems field=field::LABEL label=t().label().inner() value=label />
                <TextField problems field=field::BASE_URL label=t().base_url().inner() value=base_url kind="url" />
                // Built again only when the provider changes (a memo): the
                // keys typed so far stay in their signals either way.
                {move || {
                    if ilkbyte.get() {
                        view! {
                            <TextField problems field=field::ACCESS_KEY label=t().access_key().inner() value=access kind="password" />
                            <TextField problems field=field::SECRET_KEY label=t().secret_key().inner() value=secret kind="password" />
                        }
                            .into_any()
                    } else {
                        view! { <TextField problems field=field::TOKEN label=t().token().inner() value=token kind="password" /> }.into_any()
                    }
                }}
                <TextField
                    problems
                    field=field::PROXY
                    label=t().proxy_label().inner()
                    value=proxy
                    kind="url"
                    placeholder=t().proxy_placeholder().inner()
                />
                <p class="hint">{t().keys_stay().inner()}</p>
                {move || match check.get() {
                    Check::Idle => None,
                    Check::Running => Some(view! { <p role="status">{t().testing().inner()}</p> }.into_any()),
                    Check::Passed(who) => Some(view! { <p role="status" class="ok">{who}</p> }.into_any()),
                    Check::Failed(why) => Some(view! { <p role="alert" class="error">{why}</p> }.into_any()),
                }}
                <When is=Signal::derive(move || unconfirmed.get())>
                    <p role="alert" class="warning">
                        {t().save_anyway_q().inner()}
                    </p>
                </When>
                <div class="buttons">
                    <button type="button" on:click=act(run_check) disabled=move || check.get() == Check::Running>
                        {t().test_connection().inner()}
                    </button>
                    <button type="submit" class="primary">
                        {move || if unconfirmed.get() { t().save_anyway().inner() } else { t().save().inner() }}
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
            on:input=act(clear(problems, field))
        />
        <FieldError problems field />
    }
}

/// Removing an account asks first.
#[component]
pub fn RemoveAccountDialog(account: AccountStore) -> impl IntoView {
    let state = page_state();
    let label = account.account.with_untracked(|a| a.label.clone());
    let remove = move |ev: SubmitEvent| {
        ev.prevent_default();
        state.dialog.set(None);
        state.remove_account(account.id);
    };
    view! {
        <Modal title=t().remove_account().inner().to_string()>
            <form on:submit=act(remove)>
                <p class="warning">
                    {fill(t().remove_account_what().inner(), &[("label", &label)])}
                </p>
                <div class="buttons">
                    <button type="submit" class="danger">
                        {t().remove_account().inner()}
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
    let state = page_state();
    let passphrase = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let unlock = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            match state.unlock(&passphrase.get_untracked()).await {
                Ok(()) => state.dialog.set(None),
                Err(VaultError::WrongPassphrase) => {
                    problem.set(Some(t().wrong_passphrase().inner().into()))
                }
                Err(e @ VaultError::Unavailable(_)) => problem.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <Modal title=t().unlock_title().inner().to_string()>
            <form on:submit=act(unlock)>
                <p class="hint">{t().unlock_what().inner()}</p>
                <label for="unlock-passphrase">{t().passphrase().inner()}</label>
                <input id="unlock-passphrase" type="password" autocomplete="current-password" bind:value=passphrase />
                <FormError message=problem />
                <div class="buttons">
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {move || if busy.get() { t().unlocking().inner() } else { t().unlock().inner() }}
                    </button>
                    <CancelButton label=t().not_now().inner() />
                </div>
            </form>
        </Modal>
    }
}

/// JSON indented for people to read, by the browser's `JSON` (serde_json's
/// pretty printer would be a second copy of every writer in the wasm).
fn indented(json: &str) -> String {
    js_sys::JSON::parse(json)
        .and_then(|v| {
            js_sys::JSON::stringify_with_replacer_and_space(&v, &JsValue::NULL, &JsValue::from(2))
        })
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| json.to_string())
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
    let state = page_state();
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
                message.set(Some((false, t().passphrase_short().inner().into())));
                return;
            }
            if pass != repeat.get_untracked() {
                message.set(Some((false, t().passphrase_differ().inner().into())));
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
                (Ok(()), Remember::Tab) => (true, t().saved_tab().inner().into()),
                (Ok(()), Remember::Encrypted) => (true, t().saved_encrypted().inner().into()),
                (Ok(()), Remember::Plain) => (true, t().saved_plain().inner().into()),
            }));
        });
    };
    let forget = move |_| {
        state.forget_everything();
        mode.set(Remember::Tab);
        message.set(Some((true, t().forgotten().inner().into())));
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
            let outcome = match text.ok().and_then(|v| v.as_string()) {
                None => (false, t().file_unreadable().inner().to_string()),
                Some(text) => match state.import(text.as_bytes()) {
                    Ok((added, 0)) => (true, fill(t().imported().inner(), &[("n", &added)])),
                    Ok((added, skipped)) => (
                        true,
                        fill(
                            t().imported_skipped().inner(),
                            &[("n", &added), ("skipped", &skipped)],
                        ),
                    ),
                    Err(e) => (false, e),
                },
            };
            message.set(Some(outcome));
        });
    };
    view! {
        <Modal title=t().settings().inner().to_string()>
            <form on:submit=act(apply) novalidate>
                <fieldset>
                    <legend>{t().remember_legend().inner()}</legend>
                    {[
                        (Remember::Tab, t().remember_tab().inner()),
                        (Remember::Encrypted, t().remember_encrypted().inner()),
                        (Remember::Plain, t().remember_plain().inner()),
                    ]
                        .into_iter()
                        .map(|(choice, text)| {
                            view! {
                                <label class="choice">
                                    <input
                                        type="radio"
                                        name="remember"
                                        prop:checked=move || mode.get() == choice
                                        on:change=act(move |_| mode.set(choice))
                                    />
                                    {text}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <When is=Signal::derive(move || state.locked.with(Option::is_some))>
                    <p class="warning">
                        {t().still_locked().inner()}
                    </p>
                    <label class="choice">
                        <input type="checkbox" bind:checked=replace_locked />
                        {t().replace_locked().inner()}
                    </label>
                </When>
                <When is=Signal::derive(move || mode.get() == Remember::Encrypted)>
                    <label for="settings-passphrase">{t().passphrase().inner()}</label>
                    <input id="settings-passphrase" type="password" autocomplete="new-password" bind:value=passphrase />
                    <label for="settings-repeat">{t().repeat_passphrase().inner()}</label>
                    <input id="settings-repeat" type="password" autocomplete="new-password" bind:value=repeat />
                    <p class="hint">{t().passphrase_hint().inner()}</p>
                </When>
                <When is=Signal::derive(move || mode.get() == Remember::Plain)>
                    <p class="warning">
                        {t().plain_warning().inner()}
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
                        {t().save_settings().inner()}
                    </button>
                    <button type="button" class="danger" on:click=act(forget)>
                        {t().forget_everything().inner()}
                    </button>
                </div>
                <fieldset>
                    <legend>{t().accounts_file().inner()}</legend>
                    <div class="buttons">
                        <button type="button" on:click=act(move |_| download("snapdeck-accounts.json", &indented(&state.export())))>
                            {t().export_accounts().inner()}
                        </button>
                        <label class="file">
                            {t().import_accounts().inner()}
                            <input type="file" accept="application/json,.json" on:change=act(import) />
                        </label>
                    </div>
                </fieldset>
                <div class="buttons">
                    <CancelButton label=t().close().inner() />
                </div>
            </form>
        </Modal>
    }
}
