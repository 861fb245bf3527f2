//! A menu button (the WAI-ARIA menu-button pattern): the button opens a
//! list of actions; arrows move between them, Enter or Space runs one,
//! Escape closes and gives the focus back to the button.
//!
//! The button is in the main module; the items, and the keys that move
//! among them, are the dialogs' part's (every item opens a dialog or
//! changes what the device remembers), so a menu opened before the part is
//! here says it is loading, then shows them.

use std::sync::atomic::{AtomicU32, Ordering};

use leptos::prelude::*;

use super::{DialogCode, When, act, draw_menu};
use crate::state::{AccountStore, ServerStore, SnapshotStore, at_once};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// One action of a menu.
#[derive(Clone)]
pub struct Item {
    pub label: &'static str,
    /// A destructive action: set apart, after a separator.
    pub danger: bool,
    /// Offered now? (Remove schedule only when there is one.)
    pub shown: Signal<bool>,
    pub run: Callback<()>,
}

/// What a card's menu items are drawn from (see `CardMenu::items`).
#[derive(Clone, Copy)]
pub struct CardMenu {
    pub account: AccountStore,
    pub stores: StoredValue<(ServerStore, SnapshotStore)>,
    /// The card's protected mark.
    pub protected: Memo<bool>,
}

/// The gap between a card's row of actions and its open menu (`.menu-list`
/// in style/main.css).
const MENU_GAP_PX: f64 = 4.0;

static NEXT_ID: AtomicU32 = AtomicU32::new(0);

/// Where the focus goes when the menu opens.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Closed,
    First,
    Last,
}

#[component]
pub fn ActionMenu(
    /// The button's text.
    text: &'static str,
    /// The button's accessible name.
    #[prop(into)]
    label: Signal<String>,
    /// No action is offered (an operation under way).
    #[prop(into)]
    unavailable: Signal<bool>,
    items: CardMenu,
) -> impl IntoView {
    let state = super::page_state();
    let code = use_context::<DialogCode>();
    let id = format!("menu-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let open = RwSignal::new(Open::Closed);
    let button = NodeRef::<leptos::html::Button>::new();
    let list = NodeRef::<leptos::html::Div>::new();

    // The items, and the keys that move among them, are the part's: here
    // once it is. (Calling into the part before would fetch it.)
    let loaded = move || code.is_none_or(|c| c.loaded.get());
    // Once the list is drawn, the focus moves into it. An open list may
    // reach past its server, which skips painting what lies outside it
    // when the page has many servers: not while the list is open.
    Effect::new(move |_| {
        let mut where_to = open.get();
        // An open menu whose items are on their way: when they come, the
        // focus goes to them; if they cannot, the menu closes (the page
        // says why). Closed menus follow nothing.
        if where_to != Open::Closed
            && let Some(code) = code
            && !code.loaded.get()
            && code.failed.get()
        {
            open.set(Open::Closed);
            where_to = Open::Closed;
        }
        if let Some(section) = button
            .get_untracked()
            .and_then(|b| b.closest("section.server").ok().flatten())
        {
            let _ = section
                .class_list()
                .toggle_with_force("menu-open", where_to != Open::Closed);
        }
        if where_to == Open::Closed || list.get().is_none() {
            return;
        }
        if loaded() {
            let _ = at_once(focus_entry(list, where_to == Open::Last));
        }
    });
    // Opening asks for the items' code, unless it is here.
    let show = move |at: Open| {
        open.set(at);
        if let Some(code) = code {
            code.fetch(Some(state));
        }
    };
    let close = move |refocus: bool| {
        open.set(Open::Closed);
        if refocus && let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    let on_button_key = move |ev: leptos::ev::KeyboardEvent| {
        if unavailable.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                show(Open::First);
            }
            "ArrowUp" => {
                ev.prevent_default();
                show(Open::Last);
            }
            _ => {}
        }
    };
    // Nothing to move among before the items come.
    let on_list_key = move |ev: leptos::ev::KeyboardEvent| {
        if loaded() {
            let _ = at_once(list_key(ev, list, Callback::new(close)));
        }
    };
    // A click or the focus elsewhere closes it.
    let on_focus_out = move |ev: leptos::ev::FocusEvent| {
        let inside = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .is_some_and(|n| {
                list.get_untracked().is_some_and(|l| l.contains(Some(&n)))
                    || button
                        .get_untracked()
                        .is_some_and(|b| b.is_same_node(Some(&n)))
            });
        if !inside {
            open.set(Open::Closed);
        }
    };
    let list_id = id.clone();
    view! {
        <span class="menu" on:focusout=act(on_focus_out)>
            <button
                type="button"
                node_ref=button
                class="menu-button"
                aria-haspopup="menu"
                aria-controls=id.clone()
                aria-expanded=move || (open.get() != Open::Closed).to_string()
                aria-label=label
                aria-disabled=move || unavailable.get().to_string()
                on:click=act(move |_| {
                    if unavailable.get_untracked() {
                        return;
                    }
                    if open.get_untracked() == Open::Closed {
                        show(Open::First);
                    } else {
                        open.set(Open::Closed);
                    }
                })
                on:keydown=act(on_button_key)
            >
                {text}
                <span aria-hidden="true" class="caret">"▾"</span>
            </button>
            <When is=Signal::derive(move || open.get() != Open::Closed)>
                <div
                    node_ref=list
                    id=list_id.clone()
                    role="menu"
                    class="menu-list"
                    aria-label=label
                    aria-busy=move || (!loaded()).to_string()
                    on:keydown=act(on_list_key)
                >
                    {move || {
                        if loaded() {
                            let close = Callback::new(close);
                            return at_once(draw_menu(items, close)).and_then(Result::ok);
                        }
                        // An entry that does nothing. It takes no focus:
                        // the focus stays on the button until the items
                        // come (a focused entry that goes away would close
                        // the menu, see `on_focus_out`).
                        Some(
                            view! {
                                <span role="menuitem" aria-disabled="true" class="menu-loading">
                                    {crate::i18n::t().dialog_loading().inner()}
                                </span>
                            }
                                .into_any(),
                        )
                    }}
                </div>
            </When>
        </span>
    }
}

/// A menu's items, each shown while it is offered; `close` closes the menu
/// (`true`: the focus goes back to its button) before an item runs.
pub(super) fn items_view(items: Vec<Item>, close: Callback<bool>) -> AnyView {
    items
        .into_iter()
        .map(|item| {
            let run = item.run;
            let shown = item.shown;
            view! {
                <When is=Signal::derive(move || shown.get())>
                    {item.danger.then(|| view! { <div role="separator" class="menu-separator"></div> })}
                    <button
                        type="button"
                        role="menuitem"
                        tabindex="-1"
                        class:danger=item.danger
                        on:click=act(move |_| {
                            close.run(true);
                            run.run(());
                        })
                    >
                        {item.label}
                    </button>
                </When>
            }
        })
        .collect_view()
        .into_any()
}

/// The items of an open menu, in order.
fn entries(list: NodeRef<leptos::html::Div>) -> Vec<HtmlElement> {
    let Some(list) = list.get_untracked() else {
        return Vec::new();
    };
    let Ok(nodes) = list.query_selector_all("[role=menuitem]") else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// Whether a menu's list opens upward, above the row it belongs to (from
/// `row_top` to `row_bottom`, in px from the window's top edge), rather
/// than below it: when below it would pass the window's bottom edge and
/// there is more room above.
pub fn opens_up(row_top: f64, row_bottom: f64, list_height: f64, window_height: f64) -> bool {
    let below = window_height - row_bottom;
    list_height > below && row_top > below
}

crate::part::part_fn! {
    /// Places an open menu's list where it fits in the window (see
    /// [`opens_up`]), then focuses its first item (`last`: its last).
    pub(super) fn focus_entry(list: NodeRef<leptos::html::Div>, last: bool) -> ();
    preload focus_entry_preload;
    {
        if let Some(el) = list.get_untracked()
            && let Some(row) = el.offset_parent()
            && let Some(height) = window().inner_height().ok().and_then(|h| h.as_f64())
        {
            let row = row.get_bounding_client_rect();
            // The list's own height, and the gap it keeps from the row.
            let needs = el.get_bounding_client_rect().height() + MENU_GAP_PX;
            let up = opens_up(row.top(), row.bottom(), needs, height);
            let _ = el.class_list().toggle_with_force("up", up);
        }
        let all = entries(list);
        let at = if last { all.len().saturating_sub(1) } else { 0 };
        if let Some(el) = all.get(at) {
            let _ = el.focus();
        }
    }
}

crate::part::part_fn! {
    /// A key in an open menu: arrows, Home and End move among the items,
    /// Escape closes it (the focus back on its button), Tab leaves it.
    pub(super) fn list_key(
        ev: leptos::ev::KeyboardEvent,
        list: NodeRef<leptos::html::Div>,
        close: Callback<bool>,
    ) -> ();
    preload list_key_preload;
    {
        let all = entries(list);
        let active = document().active_element();
        let at = all.iter().position(|e| {
            active
                .as_ref()
                .is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>())
        });
        let n = all.len();
        if n > 0 {
            let go = |i: usize| {
                let _ = all[i].focus();
            };
            match ev.key().as_str() {
                "ArrowDown" => {
                    ev.prevent_default();
                    go(at.map_or(0, |i| (i + 1) % n));
                }
                "ArrowUp" => {
                    ev.prevent_default();
                    go(at.map_or(n - 1, |i| (i + n - 1) % n));
                }
                "Home" => {
                    ev.prevent_default();
                    go(0);
                }
                "End" => {
                    ev.prevent_default();
                    go(n - 1);
                }
                "Escape" => {
                    ev.prevent_default();
                    ev.stop_propagation();
                    close.run(true);
                }
                "Tab" => close.run(false),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::opens_up;

    #[test]
    fn a_menu_opens_upward_only_when_it_fits_better_there() {
        // Room below: down, however much room there is above.
        assert!(!opens_up(600.0, 640.0, 150.0, 800.0));
        // Exactly enough room below: down.
        assert!(!opens_up(600.0, 650.0, 150.0, 800.0));
        // Not enough below, more above: up.
        assert!(opens_up(700.0, 740.0, 150.0, 800.0));
        // Not enough either way, but more room below: down (the page
        // scrolls to it).
        assert!(!opens_up(100.0, 140.0, 700.0, 800.0));
        // A row partly below the window's bottom edge: up.
        assert!(opens_up(780.0, 820.0, 150.0, 800.0));
    }
}
