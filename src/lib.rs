//! Snapdeck: a snapshot panel for VPS owners, as a Leptos single-page app.
//!
//! Flow, one direction: `providers` (pure requests and parsing) ← `net`
//! (the only place that fetches) ← `state` (accounts, stores, refresh,
//! operations) ← `components` (what is on screen).

pub mod accounts;
pub mod components;
pub mod config;
pub mod forms;
pub mod i18n;
pub mod model;
pub mod net;
mod part;
pub mod providers;
pub mod state;
pub mod storage;
pub mod time;
pub mod vault;
