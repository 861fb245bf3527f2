use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{act, page_state};

use super::When;
use crate::forms::{self, Invalid, field, message_for};
use crate::i18n::{self, fill, t};
use crate::model::{Operation, ProviderKind};
use crate::state::cover;
use crate::state::plan::{Plan, SAFETY_PREFIX};
use crate::state::{AccountStore, Sent, ServerStore, SnapshotStore, limit_note};
use crate::time;

/// A form's problems, each shown beside its field.
pub(super) type Problems = RwSignal<Vec<Invalid>>;

fn error_id(field: &str) -> String {
    format!("{field}-error")
}

/// One field's problem, under it; the field names it in
/// `aria-describedby`.
#[component]
pub(super) fn FieldError(problems: Problems, field: &'static str) -> impl IntoView {
    move || {
        problems
            .with(|p| message_for(p, field))
            .map(|m| view! { <p id=error_id(field) class="field-error">{m}</p> })
    }
}

/// `aria-invalid` for a field.
pub(super) fn invalid(problems: Problems, field: &'static str) -> impl Fn() -> &'static str + Copy {
    move || {
        if problems.with(|p| p.iter().any(|x| x.field == field)) {
            "true"
        } else {
            "false"
        }
    }
}

/// `aria-describedby` for a field: its hint, and its problem when it has
/// one.
pub(super) fn described_by(
    problems: Problems,
    field: &'static str,
    hint: Option<&'static str>,
) -> impl Fn() -> Option<String> + Copy {
    move || {
        let error = problems
            .with(|p| p.iter().any(|x| x.field == field))
            .then(|| error_id(field));
        match (hint, error) {
            (Some(h), Some(e)) => Some(format!("{h} {e}")),
            (Some(h), None) => Some(h.to_string()),
            (None, e) => e,
        }
    }
}

/// Typing in a field clears its problem.
pub(super) fn clear(problems: Problems, field: &'static str) -> impl Fn(leptos::ev::Event) + Copy {
    move |_| {
        if problems.with_untracked(|p| p.iter().any(|x| x.field == field)) {
            problems.update(|p| p.retain(|x| x.field != field));
        }
    }
}

/// Shows the problems and puts the focus on the first field among them.
pub(super) fn show_problems(problems: Problems, list: Vec<Invalid>) {
    let first = list.first().map(|p| p.field);
    problems.set(list);
    if let Some(id) = first {
        super::focus_id(id);
    }
}

/// "Sending to VPS.org…" while the request is on its way.
#[component]
fn SendingNote(sent: RwSignal<Option<Sent>>, provider: ProviderKind) -> impl IntoView {
    move || {
        sending(sent).then(|| {
            view! { <p class="hint">{fill(t().op_sending().inner(), &[("provider", &provider.display_name())])}</p> }
        })
    }
}

/// A modal `<dialog>` named by its title; Escape or Cancel closes it.
/// However it closes, the focus goes back to the control that opened it.
#[component]
pub(super) fn Modal(title: String, children: Children) -> impl IntoView {
    use wasm_bindgen::JsCast;
    let state = page_state();
    let node = NodeRef::<leptos::html::Dialog>::new();
    let opener = StoredValue::new_local(
        document()
            .active_element()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
    );
    let shown = StoredValue::new_local(None::<web_sys::HtmlDialogElement>);
    on_cleanup(move || {
        // A modal dialog makes the rest of the page inert until it closes.
        shown.try_with_value(|d| {
            if let Some(d) = d.as_ref().filter(|d| d.open()) {
                d.close();
            }
        });
        opener.try_with_value(|o| {
            if let Some(el) = o.as_ref().filter(|el| el.is_connected()) {
                let _ = el.focus();
            }
        });
    });
    Effect::new(move |_| {
        if let Some(dialog) = node.get()
            && !dialog.open()
        {
            let _ = dialog.show_modal();
            shown.set_value(Some(dialog.clone()));
        }
    });
    view! {
        <dialog node_ref=node aria-labelledby="dialog-title" on:close=act(move |_| {
            // Not when this view is gone (its own cleanup closed it).
            if shown.try_with_value(|_| ()).is_some() {
                state.dialog.set(None);
            }
        })>
            <h2 id="dialog-title">{title}</h2>
            {children()}
        </dialog>
    }
}

/// What is wrong with the form, announced to screen readers.
#[component]
pub(super) fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p role="alert" class="error">{m}</p> })
    }
}

/// A dialog's request to the provider: the dialog stays open while it is
/// sent, closes when the provider accepts, and keeps the form as typed,
/// with the provider's words, when it refuses.
fn provider_reply() -> RwSignal<Option<Sent>> {
    let state = page_state();
    let sent = RwSignal::new(None);
    Effect::new(move |_| {
        if sent.with(|s| *s == Some(Sent::Accepted)) {
            state.dialog.set(None);
        }
    });
    sent
}

fn sending(sent: RwSignal<Option<Sent>>) -> bool {
    sent.with(|s| *s == Some(Sent::Sending))
}

/// The provider's refusal, if that is how the request went.
fn refusal(sent: RwSignal<Option<Sent>>) -> Signal<Option<String>> {
    Signal::derive(move || match sent.get() {
        Some(Sent::Refused { message, .. }) => Some(message),
        _ => None,
    })
}

/// Closes the dialog without doing anything.
#[component]
pub(super) fn CancelButton(#[prop(optional)] label: Option<&'static str>) -> impl IntoView {
    let label = label.unwrap_or(t().cancel().inner());
    let state = page_state();
    view! {
        <button type="button" on:click=act(move |_| state.dialog.set(None))>
            {label}
        </button>
    }
}

/// `New snapshot`: name (and description on VPS.org), checked against the
/// provider's rule before anything is sent.
#[component]
pub fn NewSnapshotDialog(account: AccountStore, server: ServerStore) -> impl IntoView {
    let state = page_state();
    let provider = account.provider();
    let server_name = server.server.with_untracked(|s| s.name.clone());
    let taken = server.snapshot_names();
    // At the provider's limit: the snapshot "Replace the oldest" deletes.
    let slots = provider.capabilities().snapshot_limit;
    let at_limit = slots.is_some_and(|l| server.snapshot_count() >= l);
    let oldest = at_limit
        .then(|| {
            let now = state.now.get_untracked();
            let facts = untrack(|| state.server_facts(&account, &server, now));
            cover::oldest_replaceable(&facts.snapshots).map(|i| {
                let s = &facts.snapshots[i];
                let when = s
                    .created
                    .map(|at| format!("{} ({})", i18n::date_time(at), time::relative(now, at)));
                (s.key.clone(), s.name.clone(), when.unwrap_or_default())
            })
        })
        .flatten();
    let replace = RwSignal::new(false);
    let replace_typed = RwSignal::new(String::new());
    let server = StoredValue::new(server);
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let problems: Problems = RwSignal::new(Vec::new());
    let sent = provider_reply();
    let victim = StoredValue::new(oldest.clone());
    let rule = match provider {
        ProviderKind::Ilkbyte => t().rule_ilkbyte().inner(),
        ProviderKind::Vpsorg => t().rule_vpsorg().inner(),
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new_name = match forms::snapshot_name(provider, &name.get_untracked(), &taken) {
            Err(why) => return show_problems(problems, vec![why]),
            Ok(n) => n,
        };
        let victim = victim.get_value().filter(|_| replace.get_untracked());
        match victim {
            Some((key, old, _)) => {
                // Exactly as typed: no case folding, no trimming inside.
                if !replace_typed.with_untracked(|t| forms::confirms(t, &old)) {
                    return show_problems(
                        problems,
                        vec![Invalid::new(
                            REPLACE_CONFIRM,
                            fill(t().replace_mistyped().inner(), &[("name", &old)]),
                        )],
                    );
                }
                let plan = Plan::replace_oldest(
                    provider,
                    (&key, &old),
                    &new_name,
                    &description.get_untracked(),
                );
                server.with_value(|s| state.start_plan(&account, s, plan, Some(sent)));
            }
            None => {
                let op = Operation::Create {
                    name: new_name,
                    description: description.get_untracked(),
                };
                let _ = server.with_value(|s| state.perform(&account, s, op, Some(sent)));
            }
        }
    };
    // At VPS.org's limit, the count read afresh after the refusal.
    let counted = server_name.clone();
    let limit = move || match sent.get() {
        Some(Sent::Refused {
            maybe_at_limit: true,
            ..
        }) => server.with_value(|s| limit_note(provider, &counted, s.snapshot_count())),
        _ => None,
    };
    view! {
        <Modal title=t().new_snapshot().inner().to_string()>
            <form on:submit=act(submit) novalidate>
                <p class="hint">
                    {fill(t().new_snapshot_of().inner(), &[("server", &server_name)])}
                    {(provider == ProviderKind::Vpsorg).then_some(t().vpsorg_advice().inner())}
                </p>
                <label for=field::SNAPSHOT_NAME>{t().name().inner()}</label>
                <input
                    id=field::SNAPSHOT_NAME
                    name="name"
                    autocomplete="off"
                    spellcheck="false"
                    required
                    bind:value=name
                    aria-describedby=described_by(problems, field::SNAPSHOT_NAME, Some("snapshot-rule"))
                    aria-invalid=invalid(problems, field::SNAPSHOT_NAME)
                    on:input=act(clear(problems, field::SNAPSHOT_NAME))
                />
                <p id="snapshot-rule" class="rule">
                    {rule}
                </p>
                <FieldError problems field=field::SNAPSHOT_NAME />
                <FormError message=refusal(sent) />
                {move || limit().map(|n| view! { <p class="hint">{n}</p> })}
                {provider
                    .capabilities()
                    .description
                    .then(|| {
                        view! {
                            <label for="snapshot-description">{t().description().inner()}</label>
                            <textarea
                                id="snapshot-description"
                                name="description"
                                rows="2"
                                bind:value=description
                            ></textarea>
                        }
                    })}
                {at_limit
                    .then(|| {
                        let full = fill(
                            t().server_full().inner(),
                            &[("server", &server_name), ("n", &slots.unwrap_or_default())],
                        );
                        match oldest.clone() {
                            None => {
                                view! {
                                    <p class="warning">
                                        {full}
                                        " "
                                        {t().no_replaceable().inner()}
                                    </p>
                                }
                                    .into_any()
                            }
                            Some((_, old, when)) => {
                                let typed_hint = old.clone();
                                view! {
                                    <fieldset class="replace">
                                        <legend>{full}</legend>
                                        <label class="check">
                                            <input type="checkbox" id="replace-oldest" bind:checked=replace />
                                            {t().replace_oldest().inner()}
                                        </label>
                                        <p class="hint" id="replace-what">
                                            <code>{old.clone()}</code>
                                            {fill(t().replace_what().inner(), &[("when", &when), ("provider", &provider.display_name())])}
                                        </p>
                                        <When is=Signal::derive(move || replace.get())>
                                            <label for=REPLACE_CONFIRM>{fill(t().type_to_confirm().inner(), &[("name", &typed_hint)])}</label>
                                            <input
                                                id=REPLACE_CONFIRM
                                                autocomplete="off"
                                                spellcheck="false"
                                                bind:value=replace_typed
                                                aria-describedby=described_by(problems, REPLACE_CONFIRM, Some("replace-what"))
                                                aria-invalid=invalid(problems, REPLACE_CONFIRM)
                                                on:input=act(clear(problems, REPLACE_CONFIRM))
                                            />
                                            <FieldError problems field=REPLACE_CONFIRM />
                                        </When>
                                    </fieldset>
                                }
                                    .into_any()
                            }
                        }
                    })}
                <SendingNote sent provider />
                <div class="buttons">
                    <button type="submit" class="primary" disabled=move || sending(sent)>
                        {move || if replace.get() { t().replace_and_create().inner() } else { t().create().inner() }}
                    </button>
                    <CancelButton />
                </div>
            </form>
        </Modal>
    }
}

/// The typed confirmation of "Replace the oldest".
const REPLACE_CONFIRM: &str = "replace-confirm";

/// What a destructive operation is called and what it costs.
fn consequence(
    op: &Operation,
    provider: ProviderKind,
    snapshot: &str,
    server: &str,
) -> (&'static str, String) {
    let values: [(&str, &dyn std::fmt::Display); 2] =
        [("server", &server), ("snapshot", &snapshot)];
    match (op, provider) {
        (Operation::GoBack { .. }, ProviderKind::Vpsorg) => (
            t().restore_snapshot().inner(),
            fill(t().restore_consequence().inner(), &values),
        ),
        (Operation::GoBack { .. }, ProviderKind::Ilkbyte) => (
            t().revert_server().inner(),
            fill(t().revert_consequence().inner(), &values),
        ),
        (Operation::Unschedule { .. }, _) => (
            t().remove_schedule().inner(),
            fill(t().unschedule_consequence().inner(), &values),
        ),
        (Operation::Recreate { .. }, _) => (
            t().recreate_snapshot().inner(),
            fill(t().recreate_consequence().inner(), &values),
        ),
        _ => (
            t().delete_snapshot().inner(),
            fill(t().delete_consequence().inner(), &values),
        ),
    }
}

/// A destructive operation, enabled only once the snapshot's name is typed.
#[component]
pub fn ConfirmDialog(
    account: AccountStore,
    server: ServerStore,
    snapshot: SnapshotStore,
    op: Operation,
) -> impl IntoView {
    let state = page_state();
    let provider = account.provider();
    let snap_name = snapshot.snap.with_untracked(|s| s.name.clone());
    let server_name = server.server.with_untracked(|s| s.name.clone());
    let (action, warning) = consequence(&op, provider, &snap_name, &server_name);
    let typed = RwSignal::new(String::new());
    let expected = snap_name.clone();
    let matches = Memo::new(move |_| typed.with(|t| forms::confirms(t, &expected)));
    let acct = account.account.get_untracked();
    let protected =
        crate::state::protection_refusal(&acct, &server.key, &snapshot.key, &snap_name, &op);
    let go_back = matches!(op, Operation::GoBack { .. });
    // A safety snapshot needs a free slot (VPS.org keeps five).
    let free_slot = provider
        .capabilities()
        .snapshot_limit
        .is_none_or(|l| server.snapshot_count() < l);
    let safety = RwSignal::new(go_back && free_slot);
    let taken = server.snapshot_names();
    let target_key = snapshot.key.clone();
    let target_name = snap_name.clone();
    let server = StoredValue::new(server);
    let op = StoredValue::new(op);
    let sent = provider_reply();
    let confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !matches.get_untracked() || sending(sent) {
            return;
        }
        if go_back && safety.get_untracked() {
            let name = super::name_now(SAFETY_PREFIX, &taken);
            let plan = Plan::safety_first(provider, &name, &target_key, &target_name);
            server.with_value(|s| state.start_plan(&account, s, plan, Some(sent)));
            return;
        }
        let _ = server.with_value(|s| state.perform(&account, s, op.get_value(), Some(sent)));
    };
    if let Some(why) = protected {
        return view! {
            <Modal title=action.to_string()>
                <p class="error">{why}</p>
                <div class="buttons">
                    <CancelButton label=t().close().inner() />
                </div>
            </Modal>
        }
        .into_any();
    }
    let provider_name = provider.display_name();
    let server_label = server_name.clone();
    view! {
        <Modal title=action.to_string()>
            <form on:submit=act(confirm)>
                <p class="warning">{warning}</p>
                {go_back
                    .then(|| {
                        view! {
                            <div class="safety">
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        id="safety-first"
                                        bind:checked=safety
                                        disabled=!free_slot
                                        aria-describedby="safety-what"
                                    />
                                    {t().safety_first().inner()}
                                </label>
                                <p class="hint" id="safety-what">
                                    {
                                        let t = t();
                                        let text = match (free_slot, provider) {
                                            (false, _) => t.safety_no_slot().inner(),
                                            (true, ProviderKind::Vpsorg) => t.safety_what_restore().inner(),
                                            (true, ProviderKind::Ilkbyte) => t.safety_what_revert().inner(),
                                        };
                                        fill(text, &[("server", &server_label), ("provider", &provider_name)])
                                    }
                                </p>
                            </div>
                        }
                    })}
                <label for="confirm-name">{t().type_name_to_confirm().inner()}</label>
                <input id="confirm-name" autocomplete="off" spellcheck="false" bind:value=typed />
                <p class="rule">
                    {t().type_exactly().inner()} " " <code>{snap_name}</code>
                </p>
                <FormError message=refusal(sent) />
                <SendingNote sent provider />
                <div class="buttons">
                    <button type="submit" class="danger" disabled=move || !matches.get() || sending(sent)>
                        {action}
                    </button>
                    <CancelButton />
                </div>
            </form>
        </Modal>
    }
    .into_any()
}

/// ilkbyte's schedule: re-take this snapshot every N days at HH:MM.
#[component]
pub fn ScheduleDialog(
    account: AccountStore,
    server: ServerStore,
    snapshot: SnapshotStore,
) -> impl IntoView {
    let state = page_state();
    let current = snapshot.snap.with_untracked(|s| s.schedule.clone());
    let (d, h, m) = current
        .as_ref()
        .and_then(|s| s.parsed())
        .unwrap_or((1, 3, 0));
    let days = RwSignal::new(d.to_string());
    let hour = RwSignal::new(h.to_string());
    let minute = RwSignal::new(m.to_string());
    let problems: Problems = RwSignal::new(Vec::new());
    let key = snapshot.key.clone();
    let name = snapshot.snap.with_untracked(|s| s.name.clone());
    let server = StoredValue::new(server);
    let sent = provider_reply();
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        match forms::schedule(
            &days.get_untracked(),
            &hour.get_untracked(),
            &minute.get_untracked(),
        ) {
            Err(list) => show_problems(problems, list),
            Ok((every_days, hour, minute)) => {
                let op = Operation::Schedule {
                    snapshot: key.clone(),
                    every_days,
                    hour,
                    minute,
                };
                let _ = server.with_value(|s| state.perform(&account, s, op, Some(sent)));
            }
        }
    };
    view! {
        <Modal title=t().schedule_snapshot().inner().to_string()>
            <form on:submit=act(save) novalidate>
                <p class="hint">
                    {fill(t().schedule_what().inner(), &[("name", &name)])}
                </p>
                {current
                    .map(|s| {
                        view! {
                            <p class="hint">
                                {t().schedule_now().inner()} " " {s.describe()} " "
                                <span lang="tr" class="provider-text">
                                    {format!("“{}”", s.provider_text)}
                                </span>
                            </p>
                        }
                    })}
                <div class="row">
                    <ScheduleField problems field=field::DAYS label=t().every_days().inner() hint=t().every_days_hint().inner() hint_id="schedule-days-hint" max=forms::SCHEDULE_MAX_DAYS min=1 value=days />
                    <ScheduleField problems field=field::HOUR label=t().hour().inner() hint=t().hour_hint().inner() hint_id="schedule-hour-hint" max=23 min=0 value=hour />
                    <ScheduleField problems field=field::MINUTE label=t().minute().inner() hint=t().minute_hint().inner() hint_id="schedule-minute-hint" max=59 min=0 value=minute />
                </div>
                <p class="hint">
                    {move || {
                        let read = |s: RwSignal<String>| s.with(|v| v.trim().parse::<u32>().ok());
                        match (read(hour), read(minute)) {
                            (Some(h), Some(m)) if h <= 23 && m <= 59 => {
                                time::schedule_zone_note(h, m, super::local_offset_min())
                            }
                            _ => String::new(),
                        }
                    }}
                </p>
                <FormError message=refusal(sent) />
                <SendingNote sent provider=ProviderKind::Ilkbyte />
                <div class="buttons">
                    <button type="submit" class="primary" disabled=move || sending(sent)>
                        {t().save_schedule().inner()}
                    </button>
                    <CancelButton />
                </div>
            </form>
        </Modal>
    }
}

/// One number of the schedule, with its bounds and its own problem.
#[component]
fn ScheduleField(
    problems: Problems,
    field: &'static str,
    label: &'static str,
    hint: &'static str,
    hint_id: &'static str,
    min: u32,
    max: u32,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="number-field">
            <label for=field>{label}</label>
            <input
                id=field
                type="number"
                inputmode="numeric"
                min=min
                max=max
                step="1"
                bind:value=value
                aria-describedby=described_by(problems, field, Some(hint_id))
                aria-invalid=invalid(problems, field)
                on:input=act(clear(problems, field))
            />
            <span id=hint_id class="rule">{hint}</span>
            <FieldError problems field />
        </div>
    }
}
