//! The vault and what the panel stores, in a real browser.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use snapdeck::accounts::{Remember, Sealed, base64};
use snapdeck::model::{Account, Credentials, ProviderKind};
use snapdeck::state::AppState;
use snapdeck::vault::{self, VaultError, VaultKey};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn round_trip_with_fresh_salt_and_iv() {
    let key = VaultKey::derive("correct horse battery", None)
        .await
        .unwrap();
    let a = key.seal(b"the secret").await.unwrap();
    let b = key.seal(b"the secret").await.unwrap();
    assert_ne!(a.iv, b.iv, "a new IV for every write");
    assert_ne!(a.data, b.data);
    assert_eq!(base64::decode(&a.salt).unwrap().len(), 16);
    assert_eq!(base64::decode(&a.iv).unwrap().len(), 12);
    let (_, plain) = vault::unlock("correct horse battery", &a).await.unwrap();
    assert_eq!(plain, b"the secret");
    let other = VaultKey::derive("correct horse battery", None)
        .await
        .unwrap();
    let c = other.seal(b"x").await.unwrap();
    assert_ne!(a.salt, c.salt, "a new salt for every new key");
}

#[wasm_bindgen_test]
async fn a_wrong_passphrase_is_refused() {
    let key = VaultKey::derive("right one", None).await.unwrap();
    let sealed = key.seal(b"the secret").await.unwrap();
    assert_eq!(
        vault::unlock("wrong one", &sealed).await.err(),
        Some(VaultError::WrongPassphrase)
    );
}

#[wasm_bindgen_test]
async fn tampered_ciphertext_is_refused() {
    let key = VaultKey::derive("passphrase", None).await.unwrap();
    let sealed = key.seal(b"the secret").await.unwrap();
    let mut bytes = base64::decode(&sealed.data).unwrap();
    bytes[0] ^= 1;
    let tampered = Sealed {
        data: base64::encode(&bytes),
        ..sealed.clone()
    };
    assert_eq!(
        vault::unlock("passphrase", &tampered).await.err(),
        Some(VaultError::WrongPassphrase)
    );
    let moved_iv = Sealed {
        iv: base64::encode(&[0u8; 12]),
        ..sealed
    };
    assert_eq!(
        vault::unlock("passphrase", &moved_iv).await.err(),
        Some(VaultError::WrongPassphrase)
    );
}

fn storage_dump() -> String {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    (0..storage.length().unwrap())
        .filter_map(|i| storage.key(i).unwrap())
        .map(|k| format!("{k}={}", storage.get_item(&k).unwrap().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn until_stored(what: &str) -> String {
    for _ in 0..100 {
        let dump = storage_dump();
        if dump.contains(what) {
            return dump;
        }
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
    panic!("{what} never stored: {}", storage_dump());
}

#[wasm_bindgen_test]
async fn saved_accounts_hold_no_plain_secret_and_unlock_only_with_the_passphrase() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let owner = Owner::new();
    owner.set();

    let state = AppState::new();
    // Unreachable base URLs: the loads fail quietly, the test is about storage.
    state.add_account(Account {
        provider: ProviderKind::Ilkbyte,
        label: "Keys".into(),
        base_url: "http://127.0.0.1:9/ilkbyte".into(),
        credentials: Credentials::Ilkbyte {
            access: "ACCESS-7f3a".into(),
            secret: "SECRET-91bc".into(),
        },
        proxy: String::new(),
        protected: Vec::new(),
    });
    state.add_account(Account {
        provider: ProviderKind::Vpsorg,
        label: "Token".into(),
        base_url: "http://127.0.0.1:9/vpsorg/api/v1".into(),
        credentials: Credentials::Vpsorg {
            token: "TOKEN-5d2e".into(),
        },
        proxy: String::new(),
        protected: Vec::new(),
    });
    assert_eq!(storage_dump(), "", "nothing is stored by default");

    state
        .set_remember(Remember::Encrypted, Some("a long passphrase".into()), false)
        .await
        .unwrap();
    let dump = until_stored("{\"encrypted\":").await;
    assert!(
        dump.contains("\"label\":\"Keys\""),
        "settings are stored plainly: {dump}"
    );
    for secret in [
        "ACCESS-7f3a",
        "SECRET-91bc",
        "TOKEN-5d2e",
        "a long passphrase",
    ] {
        assert!(!dump.contains(secret), "{secret} in local storage: {dump}");
    }

    // A new visit: the accounts are back, locked.
    let again = AppState::new();
    again.start(Vec::new(), String::new());
    assert!(again.locked.get_untracked().is_some());
    let creds = |s: &AppState| {
        s.accounts
            .get_untracked()
            .iter()
            .map(|a| a.account.get_untracked().credentials)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        creds(&again),
        vec![Credentials::Missing, Credentials::Missing]
    );
    assert_eq!(
        again.unlock("wrong passphrase").await,
        Err(VaultError::WrongPassphrase)
    );
    assert!(
        again.locked.get_untracked().is_some(),
        "a wrong passphrase changes nothing"
    );
    assert_eq!(storage_dump(), dump, "and loses nothing");
    again.unlock("a long passphrase").await.unwrap();
    assert_eq!(
        creds(&again),
        vec![
            Credentials::Ilkbyte {
                access: "ACCESS-7f3a".into(),
                secret: "SECRET-91bc".into()
            },
            Credentials::Vpsorg {
                token: "TOKEN-5d2e".into()
            },
        ]
    );

    // Plain storage only by choice, and "Forget everything" wipes it all.
    again
        .set_remember(Remember::Plain, None, false)
        .await
        .unwrap();
    assert!(until_stored("{\"plain\":").await.contains("SECRET-91bc"));
    again.forget_everything();
    assert_eq!(storage_dump(), "");
    assert!(again.accounts.get_untracked().is_empty());
}

fn local() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// A saved, encrypted account; returns the passphrase and the owner that
/// keeps the panel's state alive (its requests outlive this function).
async fn saved_encrypted() -> (&'static str, Owner) {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    local().clear().unwrap();
    let owner = Owner::new();
    owner.set();
    let state = AppState::new();
    state.add_account(Account {
        provider: ProviderKind::Vpsorg,
        label: "Prod".into(),
        base_url: "http://127.0.0.1:9/vpsorg/api/v1".into(),
        credentials: Credentials::Vpsorg {
            token: "TOKEN-prod".into(),
        },
        proxy: "http://127.0.0.1:9/".into(),
        protected: Vec::new(),
    });
    state
        .set_remember(Remember::Encrypted, Some("a long passphrase".into()), false)
        .await
        .unwrap();
    until_stored("{\"encrypted\":").await;
    ("a long passphrase", owner)
}

fn proxy_of(s: &AppState, label: &str) -> String {
    s.accounts
        .get_untracked()
        .iter()
        .map(|a| a.account.get_untracked())
        .find(|a| a.label == label)
        .map(|a| a.proxy)
        .unwrap()
}

#[wasm_bindgen_test]
async fn edits_made_while_locked_are_written_at_unlock() {
    let (pass, _owner) = saved_encrypted().await;
    let before = storage_dump();
    let again = AppState::new();
    again.start(Vec::new(), String::new());
    again.add_account(Account {
        provider: ProviderKind::Ilkbyte,
        label: "Added while locked".into(),
        base_url: "http://127.0.0.1:9/ilkbyte".into(),
        credentials: Credentials::Ilkbyte {
            access: "A".into(),
            secret: "S".into(),
        },
        proxy: String::new(),
        protected: Vec::new(),
    });
    again.persist();
    assert_eq!(storage_dump(), before, "nothing overwrites the locked keys");
    again.unlock(pass).await.unwrap();
    let dump = until_stored("Added while locked").await;
    assert!(!dump.contains("TOKEN-prod"), "still encrypted: {dump}");
    // And both accounts' keys are in the new sealed document.
    let third = AppState::new();
    third.start(Vec::new(), String::new());
    third.unlock(pass).await.unwrap();
    let creds: Vec<_> = third
        .accounts
        .get_untracked()
        .iter()
        .map(|a| a.account.get_untracked().credentials)
        .collect();
    assert!(
        creds.iter().all(|c| *c != Credentials::Missing),
        "{creds:?}"
    );
}

#[wasm_bindgen_test]
async fn a_proxy_changed_in_storage_is_caught_at_unlock_and_not_used() {
    let (pass, _owner) = saved_encrypted().await;
    // A script that can write local storage points the account elsewhere.
    let key = "snapdeck.accounts.v1";
    let settings = local().get_item(key).unwrap().unwrap();
    assert!(settings.contains("http://127.0.0.1:9/"), "{settings}");
    local()
        .set_item(
            key,
            &settings.replace("http://127.0.0.1:9/\"", "https://evil.example/\""),
        )
        .unwrap();
    let again = AppState::new();
    again.start(Vec::new(), String::new());
    assert_eq!(
        proxy_of(&again, "Prod"),
        "https://evil.example/",
        "shown before unlock"
    );
    again.unlock(pass).await.unwrap();
    assert_eq!(
        proxy_of(&again, "Prod"),
        "http://127.0.0.1:9/",
        "the sealed proxy is used"
    );
    let notice = again.notice.get_untracked().unwrap_or_default();
    assert!(notice.contains("changed outside Snapdeck"), "{notice}");
    assert!(notice.contains("https://evil.example/"), "{notice}");
    // The stored settings are put right.
    let fixed = until_stored("\"proxy\":\"http://127.0.0.1:9/\"").await;
    assert!(!fixed.contains("evil.example"), "{fixed}");
}

#[wasm_bindgen_test]
async fn choosing_a_mode_while_locked_needs_the_word_to_replace() {
    let (_pass, _owner) = saved_encrypted().await;
    let before = storage_dump();
    let again = AppState::new();
    again.start(Vec::new(), String::new());
    let refused = again.set_remember(Remember::Plain, None, false).await;
    assert!(refused.unwrap_err().contains("Unlock them first"));
    assert_eq!(storage_dump(), before, "the locked keys are untouched");
    again.set_remember(Remember::Tab, None, true).await.unwrap();
    assert!(again.locked.get_untracked().is_none());
}
