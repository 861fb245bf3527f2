//! What this device remembers, in local storage: account settings in plain
//! JSON, secrets encrypted (or plain, by explicit choice). Nothing is stored
//! unless the user asks to be remembered.

use crate::accounts::{Settings, StoredSecrets};

const SETTINGS: &str = "snapdeck.accounts.v1";
const SECRETS: &str = "snapdeck.secrets.v1";
/// How long operations took here, for estimates (no secret in it).
const DURATIONS: &str = "snapdeck.durations.v1";
/// The language chosen with the banner's switch (no secret in it).
const LANGUAGE: &str = "snapdeck.language";
/// The overview's height at a window width, which boot.js keeps for the
/// next visit's first frame (no account data in it).
const OVERVIEW_HEIGHT: &str = "snapdeck.overview-height";

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

// Every document is read from bytes (`from_slice`): reading some from
// `&str` would put a second copy of serde_json's reader in the wasm.

/// Stored account settings; none when absent or unreadable.
pub fn load_settings() -> Vec<Settings> {
    read(SETTINGS)
        .and_then(|s| serde_json::from_slice(s.as_bytes()).ok())
        .and_then(|v| Settings::list(&v))
        .unwrap_or_default()
}

pub fn load_secrets() -> Option<StoredSecrets> {
    read(SECRETS).and_then(|s| StoredSecrets::read(s.as_bytes()))
}

/// Writes both documents; `false` when storage refused (full, disabled).
pub fn save(settings: &[Settings], secrets: &StoredSecrets) -> bool {
    let Some(storage) = local() else {
        return false;
    };
    let (Ok(a), Ok(b)) = (
        serde_json::to_string(settings),
        serde_json::to_string(secrets),
    ) else {
        return false;
    };
    storage.set_item(SETTINGS, &a).is_ok() && storage.set_item(SECRETS, &b).is_ok()
}

/// "Forget everything": no account and no secret stays on this device.
pub fn forget() {
    if let Some(storage) = local() {
        let _ = storage.remove_item(SETTINGS);
        let _ = storage.remove_item(SECRETS);
    }
}

/// Operation durations, the language and the overview's height are kept
/// whatever the accounts' mode (they name no account and hold no secret);
/// "Forget everything" removes them too.
pub fn forget_durations() {
    if let Some(storage) = local() {
        for key in [DURATIONS, LANGUAGE, OVERVIEW_HEIGHT] {
            let _ = storage.remove_item(key);
        }
    }
}

/// The language chosen on this device, if one was.
pub fn load_language() -> Option<String> {
    read(LANGUAGE)
}

pub fn save_language(code: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(LANGUAGE, code);
    }
}

pub fn load_durations() -> String {
    read(DURATIONS).unwrap_or_default()
}

pub fn save_durations(text: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(DURATIONS, text);
    }
}
