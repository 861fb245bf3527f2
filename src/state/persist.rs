//! Accounts over time: the presets of `snapdeck.json` merged with what
//! this device remembers, edits, and what is written back.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::store::Retired;
use super::{AppState, Dialog, ListKind, now_ms};
use crate::accounts::{self, Remember, SealedDocument, Secrets, Settings, StoredSecrets};
use crate::i18n::{fill, t};
use crate::model::{Account, Credentials};
use crate::storage;
use crate::vault::{self, VaultError, VaultKey};

impl AppState {
    /// Shows the presets and what this device remembers. Encrypted secrets
    /// wait for the passphrase: the unlock dialog opens.
    pub fn start(&self, presets: Vec<Account>, default_proxy: String) {
        self.default_proxy.set(default_proxy);
        self.presets.set_value(presets.clone());
        let stored = storage::load_settings();
        let (secrets, remember) = match storage::load_secrets() {
            Some(StoredSecrets::Plain { secrets }) => (secrets, Remember::Plain),
            Some(StoredSecrets::Encrypted(sealed)) => {
                self.locked.set(Some(sealed));
                (Secrets::default(), Remember::Encrypted)
            }
            None => (Secrets::default(), Remember::Tab),
        };
        self.remember.set(remember);
        for account in accounts::merge(stored, presets, &secrets) {
            self.add_account(account);
        }
        if self.locked.with_untracked(Option::is_some) {
            self.dialog.set(Some(Dialog::Unlock));
        }
    }

    pub fn labels_except(&self, id: Option<u32>) -> Vec<String> {
        self.accounts.with_untracked(|list| {
            list.iter()
                .filter(|a| Some(a.id) != id)
                .map(|a| a.account.with_untracked(|a| a.label.clone()))
                .collect()
        })
    }

    /// Replaces an account's settings and credentials and loads it afresh.
    pub fn update_account(&self, id: u32, account: Account) {
        let Some(store) = self.account(id) else {
            return;
        };
        // The form does not edit the protected marks: they stay.
        let mut account = account;
        account.protected = store.account.with_untracked(|a| a.protected.clone());
        store.account.set(account);
        for server in store.servers.get_untracked() {
            self.retire(Retired::Server(server));
        }
        store.servers.set(Vec::new());
        store.loaded.set(false);
        store.early.set_value(None);
        store.error.set(None);
        store.snapshots_error.set(None);
        store.stale.set(false);
        let now = now_ms();
        let servers = (id, ListKind::Servers);
        self.sched.update_value(|s| {
            s.retain(|(acct, kind)| *acct != id || *kind == ListKind::Servers);
            s.poke(|k| *k == servers, now);
        });
        self.pump();
        self.persist();
    }

    fn all_accounts(&self) -> Vec<Account> {
        self.accounts
            .with_untracked(|list| list.iter().map(|a| a.account.get_untracked()).collect())
    }

    /// Writes what the chosen mode keeps. While the saved secrets are
    /// locked, writing would overwrite them: the edits are kept in the page
    /// and written at unlock.
    pub fn persist(&self) {
        if self.locked.with_untracked(Option::is_some) {
            self.unsaved.set_value(true);
            return;
        }
        self.unsaved.set_value(false);
        let accounts = self.all_accounts();
        let settings: Vec<Settings> = accounts.iter().map(Settings::of).collect();
        let secrets = Secrets::of(&accounts);
        match self.remember.get_untracked() {
            Remember::Tab => storage::forget(),
            Remember::Plain => {
                self.report_storage(storage::save(&settings, &StoredSecrets::Plain { secrets }));
            }
            Remember::Encrypted => {
                let Some(key) = self.vault.get_value() else {
                    return;
                };
                let state = *self;
                let document = SealedDocument {
                    secrets,
                    settings: settings.clone(),
                };
                spawn_local(async move {
                    // Never an empty document sealed over saved secrets.
                    let Ok(plain) = serde_json::to_vec(&document) else {
                        state.notice.set(Some(t().save_unprepared().inner().into()));
                        return;
                    };
                    match key.seal(&plain).await {
                        Ok(sealed) => state.report_storage(storage::save(
                            &settings,
                            &StoredSecrets::Encrypted(sealed),
                        )),
                        Err(e) => state.notice.set(Some(fill(
                            t().save_unencrypted().inner(),
                            &[("why", &e.message())],
                        ))),
                    }
                });
            }
        }
    }

    fn report_storage(&self, saved: bool) {
        if !saved {
            self.notice.set(Some(t().save_refused().inner().into()));
        }
    }

    /// Opens the saved secrets; a wrong passphrase changes nothing.
    pub async fn unlock(&self, passphrase: &str) -> Result<(), VaultError> {
        let Some(sealed) = self.locked.get_untracked() else {
            return Ok(());
        };
        let (key, plain) = vault::unlock(passphrase, &sealed).await?;
        let document = SealedDocument::read(&plain).ok_or(VaultError::WrongPassphrase)?;
        self.vault.set_value(Some(key));
        self.locked.set(None);
        // Settings stored plainly that differ from those sealed with the keys
        // were changed outside the panel: the sealed ones are used.
        let altered = accounts::altered(&storage::load_settings(), &document.settings);
        for (label, how) in &altered {
            let sealed = document.settings.iter().find(|s| &s.label == label);
            let store = self.accounts.with_untracked(|l| {
                l.iter()
                    .find(|a| a.account.with_untracked(|a| &a.label == label))
                    .copied()
            });
            if let (Some(sealed), Some(store)) = (sealed, store) {
                store.account.update(|a| {
                    a.provider = sealed.provider;
                    a.base_url = sealed.base_url.clone();
                    a.proxy = sealed.proxy.clone();
                });
            }
            self.notice.set(Some(fill(
                t().settings_altered().inner(),
                &[("label", label), ("how", how)],
            )));
        }
        if !altered.is_empty() {
            self.unsaved.set_value(true);
        }
        let secrets = document.secrets;
        for store in self.accounts.get_untracked() {
            let (label, provider, missing) = store.account.with_untracked(|a| {
                (
                    a.label.clone(),
                    a.provider,
                    a.credentials == Credentials::Missing,
                )
            });
            if missing {
                let creds = secrets.credentials_for(&label, provider);
                if creds != Credentials::Missing {
                    store.account.update(|a| a.credentials = creds);
                    self.retry_account(store.id);
                }
            }
        }
        // What was edited while locked, or restored above, is written now.
        if self.unsaved.get_value() {
            self.persist();
        }
        Ok(())
    }

    /// Chooses how this device remembers accounts, and writes accordingly.
    /// While the saved keys are locked, only with `replace_locked`: they
    /// are then replaced by the accounts shown.
    pub async fn set_remember(
        &self,
        mode: Remember,
        passphrase: Option<String>,
        replace_locked: bool,
    ) -> Result<(), String> {
        accounts::may_change_mode(self.locked.with_untracked(Option::is_some), replace_locked)?;
        if mode == Remember::Encrypted {
            let passphrase = passphrase.unwrap_or_default();
            let key = VaultKey::derive(&passphrase, None)
                .await
                .map_err(|e| e.message())?;
            self.vault.set_value(Some(key));
        } else {
            self.vault.set_value(None);
        }
        self.locked.set(None);
        self.remember.set(mode);
        self.persist();
        Ok(())
    }

    /// Wipes what this device stored; only `snapdeck.json`'s presets stay.
    pub fn forget_everything(&self) {
        storage::forget();
        storage::forget_durations();
        self.vault.set_value(None);
        self.locked.set(None);
        self.remember.set(Remember::Tab);
        for id in self
            .accounts
            .with_untracked(|l| l.iter().map(|a| a.id).collect::<Vec<_>>())
        {
            self.remove_account_only(id);
        }
        for preset in self.presets.get_value() {
            self.add_account(preset);
        }
    }

    /// Adds the accounts of an exported file (or a `snapdeck.json`) whose
    /// labels are new. Returns how many were added and skipped.
    pub fn import(&self, bytes: &[u8]) -> Result<(usize, usize), String> {
        let deployment = crate::config::parse(bytes)?;
        let taken = self.labels_except(None);
        let (mut added, mut skipped) = (0, 0);
        for account in deployment.accounts {
            if taken.contains(&account.label) {
                skipped += 1;
            } else {
                self.add_account(account);
                added += 1;
            }
        }
        self.persist();
        Ok((added, skipped))
    }

    pub fn export(&self) -> String {
        accounts::export(&self.all_accounts())
    }
}
