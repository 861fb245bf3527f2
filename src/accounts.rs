//! Accounts as the user enters, stores, exports and imports them. Pure: the
//! browser's storage and crypto are in `storage` and `vault`.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::forms::{Invalid, field};
use crate::i18n::{fill, t};
use crate::model::{Account, Credentials, ProviderKind};

/// The account form's fields, as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub provider: Option<ProviderKind>,
    pub label: String,
    pub base_url: String,
    pub access_key: String,
    pub secret_key: String,
    pub token: String,
    pub proxy: String,
}

impl Draft {
    pub fn from_account(a: &Account) -> Draft {
        let (access_key, secret_key, token) = match &a.credentials {
            Credentials::Ilkbyte { access, secret } => {
                (access.clone(), secret.clone(), String::new())
            }
            Credentials::Vpsorg { token } => (String::new(), String::new(), token.clone()),
            Credentials::Missing => Default::default(),
        };
        Draft {
            provider: Some(a.provider),
            label: a.label.clone(),
            base_url: a.base_url.clone(),
            access_key,
            secret_key,
            token,
            proxy: a.proxy.clone(),
        }
    }

    /// The account these fields describe, or what is wrong with them.
    /// `taken` are the labels of the other accounts.
    pub fn validate(&self, taken: &[String]) -> Result<Account, Invalid> {
        let provider = self
            .provider
            .ok_or_else(|| Invalid::new(field::PROVIDER, t().form_choose_provider().inner()))?;
        let label = self.label.trim().to_string();
        if label.is_empty() {
            return Err(Invalid::new(field::LABEL, t().form_enter_label().inner()));
        }
        if taken.iter().any(|t| t.trim() == label) {
            return Err(Invalid::new(
                field::LABEL,
                fill(t().form_label_taken().inner(), &[("label", &label)]),
            ));
        }
        let base_url = self.base_url.trim().trim_end_matches('/').to_string();
        if base_url.is_empty() {
            return Err(Invalid::new(
                field::BASE_URL,
                t().form_enter_base_url().inner(),
            ));
        }
        if let Some(why) = url_problem(&base_url) {
            return Err(Invalid::new(
                field::BASE_URL,
                fill(t().form_base_url_bad().inner(), &[("why", &why)]),
            ));
        }
        let proxy = self.proxy.trim().to_string();
        if let Some(why) = url_problem(&proxy).filter(|_| !proxy.is_empty()) {
            return Err(Invalid::new(
                field::PROXY,
                fill(t().form_proxy_bad().inner(), &[("why", &why)]),
            ));
        }
        let credentials = match provider {
            ProviderKind::Ilkbyte => {
                let (access, secret) = (self.access_key.trim(), self.secret_key.trim());
                if access.is_empty() {
                    return Err(Invalid::new(
                        field::ACCESS_KEY,
                        t().form_enter_access().inner(),
                    ));
                }
                if secret.is_empty() {
                    return Err(Invalid::new(
                        field::SECRET_KEY,
                        t().form_enter_secret().inner(),
                    ));
                }
                Credentials::Ilkbyte {
                    access: access.into(),
                    secret: secret.into(),
                }
            }
            ProviderKind::Vpsorg => {
                let token = self.token.trim();
                if token.is_empty() {
                    return Err(Invalid::new(field::TOKEN, t().form_enter_token().inner()));
                }
                Credentials::Vpsorg {
                    token: token.into(),
                }
            }
        };
        Ok(Account {
            provider,
            label,
            base_url,
            credentials,
            proxy,
            protected: Vec::new(),
        })
    }
}

/// `scheme://host[...]` with an http(s) scheme and a non-empty host.
pub fn is_http_url(s: &str) -> bool {
    url_problem(s).is_none()
}

/// What is wrong with a base URL or proxy URL, if anything. A user name or
/// password in it (`https://user:pw@host`) is refused: it would travel
/// with every request and show up in error messages.
pub fn url_problem(s: &str) -> Option<&'static str> {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return Some(t().url_not_http().inner());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Some(t().url_userinfo().inner());
    }
    if authority.is_empty() || authority.contains(char::is_whitespace) || authority.starts_with(':')
    {
        return Some(t().url_no_host().inner());
    }
    None
}

/// An account's settings without its secrets: what is stored plainly,
/// exported, and imported. The same shape as `snapdeck.json`'s accounts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Settings {
    pub provider: ProviderKind,
    pub label: String,
    pub base_url: String,
    #[serde(default)]
    pub proxy: String,
    /// Snapshots marked protected (`server/snapshot` keys).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protected: Vec<String>,
}

impl Settings {
    pub fn of(a: &Account) -> Settings {
        Settings {
            provider: a.provider,
            label: a.label.clone(),
            base_url: a.base_url.clone(),
            proxy: a.proxy.clone(),
            protected: a.protected.clone(),
        }
    }

    /// A stored or sealed list of settings; `None` if any is not one.
    pub fn list(v: &Value) -> Option<Vec<Settings>> {
        let mut list = Vec::new();
        for item in v.as_array()? {
            list.push(Settings::from_value(item)?);
        }
        Some(list)
    }

    fn from_value(v: &Value) -> Option<Settings> {
        let m = v.as_object()?;
        Some(Settings {
            provider: ProviderKind::from_code(m.get("provider")?.as_str()?)?,
            label: text(m, "label")?,
            base_url: text(m, "base_url")?,
            proxy: match m.get("proxy") {
                None => String::new(),
                Some(_) => text(m, "proxy")?,
            },
            protected: match m.get("protected") {
                None => Vec::new(),
                Some(list) => {
                    let mut keys = Vec::new();
                    for key in list.as_array()? {
                        keys.push(key.as_str()?.to_string());
                    }
                    keys
                }
            },
        })
    }

    pub fn into_account(self, credentials: Credentials) -> Account {
        Account {
            provider: self.provider,
            label: self.label,
            base_url: self.base_url,
            credentials,
            proxy: self.proxy,
            protected: self.protected,
        }
    }
}

/// Secrets by account label, in label order; what the vault encrypts.
/// Written as a JSON object. A sorted list, not a map: a panel has a
/// handful of accounts, and a map of this type would bring its own copy of
/// the map's code into the wasm.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Secrets(Vec<(String, StoredCredentials)>);

impl Serialize for Secrets {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(label, c)| (label, c)))
    }
}

// Externally tagged (serde's default): internally tagged enums buffer
// through serde's generic content type, which costs the panel dearly in size.
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StoredCredentials {
    Ilkbyte { access: String, secret: String },
    Vpsorg { token: String },
}

impl std::fmt::Debug for StoredCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredCredentials(<hidden>)")
    }
}

// The stored documents are read from a `Value`, field by field, in the
// shapes their `Serialize` writes: the one JSON decoder the panel has (it
// reads provider bodies), rather than a derived decoder per type.

/// A text field, if it is one.
fn text(m: &Map<String, Value>, key: &str) -> Option<String> {
    m.get(key)?.as_str().map(String::from)
}

impl StoredCredentials {
    /// `{"ilkbyte": {"access", "secret"}}` or `{"vpsorg": {"token"}}`.
    fn from_value(v: &Value) -> Option<StoredCredentials> {
        let m = v.as_object().filter(|m| m.len() == 1)?;
        let (tag, body) = m.iter().next()?;
        let b = body.as_object()?;
        match tag.as_str() {
            "ilkbyte" => Some(StoredCredentials::Ilkbyte {
                access: text(b, "access")?,
                secret: text(b, "secret")?,
            }),
            "vpsorg" => Some(StoredCredentials::Vpsorg {
                token: text(b, "token")?,
            }),
            _ => None,
        }
    }
}

impl Secrets {
    /// Sets a label's secrets, keeping the labels in order. Built by
    /// `insert`, not by sorting: each sort is a copy of the standard
    /// library's in the wasm.
    pub fn insert(&mut self, label: String, c: StoredCredentials) {
        match self.0.binary_search_by(|(l, _)| l.as_str().cmp(&label)) {
            Ok(at) => self.0[at].1 = c,
            Err(at) => self.0.insert(at, (label, c)),
        }
    }

    fn get(&self, label: &str) -> Option<&StoredCredentials> {
        self.0.iter().find(|(l, _)| l == label).map(|(_, c)| c)
    }

    fn from_value(v: &Value) -> Option<Secrets> {
        let mut secrets = Secrets::default();
        for (label, c) in v.as_object()? {
            secrets.insert(label.clone(), StoredCredentials::from_value(c)?);
        }
        Some(secrets)
    }

    pub fn of(accounts: &[Account]) -> Secrets {
        let mut secrets = Secrets::default();
        for a in accounts {
            let c = match &a.credentials {
                Credentials::Ilkbyte { access, secret } => StoredCredentials::Ilkbyte {
                    access: access.clone(),
                    secret: secret.clone(),
                },
                Credentials::Vpsorg { token } => StoredCredentials::Vpsorg {
                    token: token.clone(),
                },
                Credentials::Missing => continue,
            };
            secrets.insert(a.label.clone(), c);
        }
        secrets
    }

    pub fn credentials_for(&self, label: &str, provider: ProviderKind) -> Credentials {
        match (self.get(label), provider) {
            (Some(StoredCredentials::Ilkbyte { access, secret }), ProviderKind::Ilkbyte) => {
                Credentials::Ilkbyte {
                    access: access.clone(),
                    secret: secret.clone(),
                }
            }
            (Some(StoredCredentials::Vpsorg { token }), ProviderKind::Vpsorg) => {
                Credentials::Vpsorg {
                    token: token.clone(),
                }
            }
            _ => Credentials::Missing,
        }
    }
}

/// The accounts to show: the stored ones, then the presets of
/// `snapdeck.json` whose labels are not stored. A preset keeps its own
/// secrets unless stored ones exist.
pub fn merge(stored: Vec<Settings>, presets: Vec<Account>, secrets: &Secrets) -> Vec<Account> {
    let mut out: Vec<Account> = stored
        .into_iter()
        .map(|s| {
            let creds = secrets.credentials_for(&s.label, s.provider);
            s.into_account(creds)
        })
        .collect();
    for preset in presets {
        if let Some(existing) = out.iter_mut().find(|a| a.label == preset.label) {
            if existing.credentials == Credentials::Missing && existing.provider == preset.provider
            {
                existing.credentials = preset.credentials;
            }
        } else {
            let mut preset = preset;
            if preset.credentials == Credentials::Missing {
                preset.credentials = secrets.credentials_for(&preset.label, preset.provider);
            }
            out.push(preset);
        }
    }
    out
}

/// What the vault seals: the secrets, and the settings they were saved
/// with. The settings are stored plainly too (the panel shows them before
/// unlocking); sealed beside the secrets, a base URL or proxy changed in
/// storage since is caught at unlock instead of receiving the keys.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SealedDocument {
    pub secrets: Secrets,
    pub settings: Vec<Settings>,
}

impl SealedDocument {
    /// A decrypted document: this shape, or the earlier one that sealed
    /// the secrets alone (with no settings to check against).
    pub fn read(plain: &[u8]) -> Option<SealedDocument> {
        let v: Value = serde_json::from_slice(plain).ok()?;
        let whole = || {
            let m = v.as_object()?;
            Some(SealedDocument {
                secrets: Secrets::from_value(m.get("secrets")?)?,
                settings: Settings::list(m.get("settings")?)?,
            })
        };
        whole().or_else(|| {
            Some(SealedDocument {
                secrets: Secrets::from_value(&v)?,
                settings: Vec::new(),
            })
        })
    }
}

/// The accounts whose plainly stored settings differ from the ones sealed
/// with their keys, and how: `(label, "CORS proxy A → B")`. Accounts with
/// no sealed settings (new, or sealed before settings were) are not judged.
pub fn altered(plain: &[Settings], sealed: &[Settings]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in plain {
        let Some(s) = sealed.iter().find(|s| s.label == p.label) else {
            continue;
        };
        let mut what = Vec::new();
        if s.provider != p.provider {
            what.push(fill(
                t().altered_provider().inner(),
                &[
                    ("was", &s.provider.display_name()),
                    ("now", &p.provider.display_name()),
                ],
            ));
        }
        if s.base_url != p.base_url {
            what.push(fill(
                t().altered_base_url().inner(),
                &[("was", &s.base_url), ("now", &p.base_url)],
            ));
        }
        if s.proxy != p.proxy {
            let shown = |x: &str| {
                if x.is_empty() {
                    t().altered_direct().inner().to_string()
                } else {
                    x.to_string()
                }
            };
            what.push(fill(
                t().altered_proxy().inner(),
                &[("was", &shown(&s.proxy)), ("now", &shown(&p.proxy))],
            ));
        }
        if !what.is_empty() {
            let what: Vec<&str> = what.iter().map(String::as_str).collect();
            out.push((p.label.clone(), crate::i18n::join(&what, ", ")));
        }
    }
    out
}

/// Whether a new way of remembering may be chosen: while the saved keys are
/// locked, only once the user has said to replace them.
pub fn may_change_mode(locked: bool, replace_confirmed: bool) -> Result<(), &'static str> {
    if locked && !replace_confirmed {
        Err(t().mode_locked().inner())
    } else {
        Ok(())
    }
}

/// Encrypted bytes at rest, as the vault writes them (base64 fields).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sealed {
    pub salt: String,
    pub iv: String,
    pub data: String,
}

/// How secrets are kept on this device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Remember {
    /// In memory for this tab only (the default).
    #[default]
    Tab,
    /// Encrypted under a passphrase.
    Encrypted,
    /// In plain text, by the user's explicit, warned choice.
    Plain,
}

/// The secrets document in local storage.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StoredSecrets {
    Encrypted(Sealed),
    Plain { secrets: Secrets },
}

impl StoredSecrets {
    /// `{"encrypted": {"salt", "iv", "data"}}` or `{"plain": {"secrets"}}`.
    pub fn read(bytes: &[u8]) -> Option<StoredSecrets> {
        let v: Value = serde_json::from_slice(bytes).ok()?;
        let m = v.as_object().filter(|m| m.len() == 1)?;
        let (tag, body) = m.iter().next()?;
        let b = body.as_object()?;
        match tag.as_str() {
            "encrypted" => Some(StoredSecrets::Encrypted(Sealed {
                salt: text(b, "salt")?,
                iv: text(b, "iv")?,
                data: text(b, "data")?,
            })),
            "plain" => Some(StoredSecrets::Plain {
                secrets: Secrets::from_value(b.get("secrets")?)?,
            }),
            _ => None,
        }
    }
}

/// The export file: `snapdeck.json`'s shape (compact: the panel indents it
/// for people in the browser), never a secret.
pub fn export(accounts: &[Account]) -> String {
    #[derive(Serialize)]
    struct Export {
        accounts: Vec<Settings>,
    }
    let accounts = accounts.iter().map(Settings::of).collect();
    serde_json::to_string(&Export { accounts }).unwrap_or_default()
}

/// Standard base64 (with padding), for the vault's bytes.
pub mod base64 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    pub fn decode(s: &str) -> Option<Vec<u8>> {
        let s = s.trim().trim_end_matches('=');
        let mut out = Vec::with_capacity(s.len() * 3 / 4);
        let mut acc = 0u32;
        let mut bits = 0;
        for c in s.bytes() {
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            acc = acc << 6 | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(provider: ProviderKind) -> Draft {
        Draft {
            provider: Some(provider),
            label: "Prod".into(),
            base_url: provider.default_base_url().into(),
            access_key: "ak".into(),
            secret_key: "sk".into(),
            token: "tok".into(),
            proxy: String::new(),
        }
    }

    #[test]
    fn valid_drafts_become_accounts() {
        let a = draft(ProviderKind::Ilkbyte).validate(&[]).unwrap();
        assert_eq!(
            a.credentials,
            Credentials::Ilkbyte {
                access: "ak".into(),
                secret: "sk".into()
            }
        );
        let v = draft(ProviderKind::Vpsorg).validate(&[]).unwrap();
        assert_eq!(
            v.credentials,
            Credentials::Vpsorg {
                token: "tok".into()
            }
        );
        assert_eq!(v.base_url, "https://admin.vps.org/api/v1");
    }

    #[test]
    fn invalid_drafts_say_why() {
        type Change = Box<dyn Fn(&mut Draft)>;
        let cases: Vec<(Change, &str, &str)> = vec![
            (
                Box::new(|d| d.label = "  ".into()),
                field::LABEL,
                "Enter a label",
            ),
            (
                Box::new(|d| d.base_url = " ".into()),
                field::BASE_URL,
                "Enter the API base URL",
            ),
            (
                Box::new(|d| d.base_url = "api.ilkbyte.com".into()),
                field::BASE_URL,
                "base URL",
            ),
            (
                Box::new(|d| d.base_url = "https://".into()),
                field::BASE_URL,
                "base URL",
            ),
            (
                Box::new(|d| d.proxy = "proxy".into()),
                field::PROXY,
                "CORS proxy",
            ),
            (
                Box::new(|d| d.access_key = "".into()),
                field::ACCESS_KEY,
                "access key",
            ),
            (
                Box::new(|d| d.secret_key = "".into()),
                field::SECRET_KEY,
                "secret key",
            ),
            (Box::new(|d| d.provider = None), field::PROVIDER, "provider"),
        ];
        for (change, at, want) in cases {
            let mut d = draft(ProviderKind::Ilkbyte);
            change(&mut d);
            let e = d.validate(&[]).unwrap_err();
            assert_eq!(e.field, at, "{e:?}");
            assert!(e.message.contains(want), "{e:?} lacks {want:?}");
        }
        let e = draft(ProviderKind::Ilkbyte)
            .validate(&["Prod".into()])
            .unwrap_err();
        assert_eq!(e.field, field::LABEL);
        assert!(e.message.contains("already labelled"));
        let mut no_token = draft(ProviderKind::Vpsorg);
        no_token.token = " ".into();
        let e = no_token.validate(&[]).unwrap_err();
        assert_eq!(
            (e.field, e.message.as_str()),
            (field::TOKEN, "Enter the API token.")
        );
    }

    #[test]
    fn presets_merge_with_stored_accounts() {
        let stored = vec![Settings {
            provider: ProviderKind::Vpsorg,
            label: "Mine".into(),
            base_url: "https://admin.vps.org/api/v1".into(),
            proxy: String::new(),
            protected: Vec::new(),
        }];
        let preset = |label: &str, creds| Account {
            provider: ProviderKind::Ilkbyte,
            label: label.into(),
            base_url: "https://api.ilkbyte.com".into(),
            credentials: creds,
            proxy: "https://p/".into(),
            protected: Vec::new(),
        };
        let mut secrets = Secrets::default();
        secrets.insert(
            "Mine".into(),
            StoredCredentials::Vpsorg { token: "t".into() },
        );
        secrets.insert(
            "Team".into(),
            StoredCredentials::Ilkbyte {
                access: "a".into(),
                secret: "s".into(),
            },
        );
        let merged = merge(
            stored,
            vec![
                preset("Team", Credentials::Missing),
                preset(
                    "Shipped",
                    Credentials::Ilkbyte {
                        access: "x".into(),
                        secret: "y".into(),
                    },
                ),
            ],
            &secrets,
        );
        let labels: Vec<_> = merged.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(labels, ["Mine", "Team", "Shipped"]);
        assert_eq!(
            merged[0].credentials,
            Credentials::Vpsorg { token: "t".into() }
        );
        assert_eq!(
            merged[1].credentials,
            Credentials::Ilkbyte {
                access: "a".into(),
                secret: "s".into()
            },
            "a preset without secrets gets the stored ones"
        );
        assert!(matches!(merged[2].credentials, Credentials::Ilkbyte { .. }));
    }

    #[test]
    fn exports_hold_no_secret_and_import_as_snapdeck_json() {
        let a = draft(ProviderKind::Ilkbyte).validate(&[]).unwrap();
        let v = draft(ProviderKind::Vpsorg).validate(&[]).unwrap();
        let file = export(&[
            a.clone(),
            Account {
                label: "Other".into(),
                ..v
            },
        ]);
        for secret in ["\"ak\"", "\"sk\"", "tok"] {
            assert!(!file.contains(secret), "{secret} in {file}");
        }
        let back = crate::config::parse(file.as_bytes()).unwrap();
        assert_eq!(back.accounts.len(), 2);
        assert_eq!(back.accounts[0].label, "Prod");
        assert_eq!(back.accounts[0].credentials, Credentials::Missing);
    }

    #[test]
    fn stored_secrets_documents() {
        let sealed = StoredSecrets::Encrypted(Sealed {
            salt: "c2FsdA==".into(),
            iv: "aXY=".into(),
            data: "ZGF0YQ==".into(),
        });
        let json = serde_json::to_string(&sealed).unwrap();
        assert_eq!(
            json,
            r#"{"encrypted":{"salt":"c2FsdA==","iv":"aXY=","data":"ZGF0YQ=="}}"#
        );
        assert_eq!(StoredSecrets::read(json.as_bytes()), Some(sealed));
        let mut secrets = Secrets::default();
        secrets.insert("A".into(), StoredCredentials::Vpsorg { token: "t".into() });
        let plain = StoredSecrets::Plain { secrets };
        let json = serde_json::to_string(&plain).unwrap();
        assert!(
            json.starts_with(r#"{"plain":{"secrets":{"A":{"vpsorg""#),
            "{json}"
        );
        assert_eq!(StoredSecrets::read(json.as_bytes()), Some(plain));
        for bad in [
            r#"{"rot13":{}}"#,
            r#"{"plain":{"secrets":{"A":{"vpsorg":{}}}}}"#,
            r#"{"plain":{"secrets":{"A":{"aws":{"token":"t"}}}}}"#,
            r#"{"plain":{"secrets":{"A":{"vpsorg":{"token":7}}}}}"#,
            r#"{"encrypted":{"salt":"a","iv":"b"}}"#,
            r#"{"encrypted":{"salt":"a","iv":"b","data":"c"},"plain":{"secrets":{}}}"#,
            "[]",
            "\u{0}",
        ] {
            assert_eq!(StoredSecrets::read(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn secrets_stay_in_label_order_one_per_label() {
        let token = |t: &str| StoredCredentials::Vpsorg { token: t.into() };
        let mut secrets = Secrets::default();
        secrets.insert("b".into(), token("1"));
        secrets.insert("a".into(), token("2"));
        secrets.insert("c".into(), token("3"));
        secrets.insert("b".into(), token("4"));
        let json = serde_json::to_string(&secrets).unwrap();
        assert_eq!(
            json,
            r#"{"a":{"vpsorg":{"token":"2"}},"b":{"vpsorg":{"token":"4"}},"c":{"vpsorg":{"token":"3"}}}"#
        );
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(Secrets::from_value(&v), Some(secrets.clone()));
        let b = secrets.credentials_for("b", ProviderKind::Vpsorg);
        assert_eq!(b, Credentials::Vpsorg { token: "4".into() });
        let none = secrets.credentials_for("d", ProviderKind::Vpsorg);
        assert_eq!(none, Credentials::Missing);
    }

    #[test]
    fn secrets_do_not_print() {
        let c = StoredCredentials::Vpsorg {
            token: "TOKEN".into(),
        };
        assert!(!format!("{c:?}").contains("TOKEN"));
    }

    #[test]
    fn base64_round_trips() {
        for (raw, enc) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64::encode(raw), enc);
            assert_eq!(base64::decode(enc).unwrap(), raw);
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64::decode(&base64::encode(&all)).unwrap(), all);
        assert_eq!(base64::decode("not base64!"), None);
    }

    #[test]
    fn urls_with_a_user_or_password_are_refused() {
        assert_eq!(url_problem("https://api.ilkbyte.com"), None);
        assert_eq!(url_problem("http://127.0.0.1:8787/"), None);
        for bad in [
            "https://user:pw@host",
            "https://user@host/x",
            "http://a:b@127.0.0.1:8787/",
        ] {
            assert_eq!(
                url_problem(bad),
                Some("must not hold a user name or password (user:password@)"),
                "{bad}"
            );
        }
        // An @ in the path or query is not userinfo.
        assert_eq!(url_problem("https://host/a@b?c=d@e"), None);
        assert!(url_problem("ftp://host").is_some());
        assert!(url_problem("https://").is_some());
        let draft = Draft {
            provider: Some(ProviderKind::Vpsorg),
            label: "x".into(),
            base_url: "https://u:p@admin.vps.org/api/v1".into(),
            token: "t".into(),
            ..Draft::default()
        };
        let err = draft.validate(&[]).unwrap_err().message;
        assert!(err.contains("user name or password"), "{err}");
        assert!(!err.contains("u:p"), "the password is not repeated: {err}");
    }

    fn settings(label: &str, proxy: &str) -> Settings {
        Settings {
            provider: ProviderKind::Ilkbyte,
            label: label.into(),
            base_url: "https://api.ilkbyte.com".into(),
            proxy: proxy.into(),
            protected: Vec::new(),
        }
    }

    #[test]
    fn settings_changed_since_they_were_sealed_are_caught() {
        let sealed = vec![
            settings("Prod", "https://proxy.example.com/"),
            settings("Dev", ""),
        ];
        let same = sealed.clone();
        assert!(altered(&same, &sealed).is_empty());
        let mut tampered = sealed.clone();
        tampered[0].proxy = "https://evil.example/".into();
        tampered[1].base_url = "https://evil.example".into();
        tampered.push(settings("New", "https://x/"));
        assert_eq!(
            altered(&tampered, &sealed),
            [
                (
                    "Prod".to_string(),
                    "CORS proxy https://proxy.example.com/ → https://evil.example/".to_string()
                ),
                (
                    "Dev".to_string(),
                    "API base URL https://api.ilkbyte.com → https://evil.example".to_string()
                ),
            ]
        );
    }

    #[test]
    fn stored_settings_are_read_in_the_shape_they_are_written() {
        let mut a = settings("Prod", "https://proxy.example/");
        a.protected = vec!["5/base".into()];
        let list = vec![a, settings("Lab", "")];
        let json: Value = serde_json::to_value(&list).unwrap();
        assert_eq!(Settings::list(&json), Some(list));
        let bare = serde_json::json!([{"provider": "vpsorg", "label": "L", "base_url": "u"}]);
        let read = Settings::list(&bare).unwrap();
        assert_eq!((read[0].proxy.as_str(), read[0].protected.len()), ("", 0));
        for bad in [
            serde_json::json!([{"provider": "aws", "label": "L", "base_url": "u"}]),
            serde_json::json!([{"provider": "VPS.org", "label": "L", "base_url": "u"}]),
            serde_json::json!([{"provider": "vpsorg", "base_url": "u"}]),
            serde_json::json!([{"provider": "vpsorg", "label": "L", "base_url": "u", "proxy": null}]),
            serde_json::json!([{"provider": "vpsorg", "label": "L", "base_url": "u", "protected": [1]}]),
            serde_json::json!({"provider": "vpsorg", "label": "L", "base_url": "u"}),
        ] {
            assert_eq!(Settings::list(&bad), None, "{bad}");
        }
    }

    #[test]
    fn sealed_documents_of_both_shapes_are_read() {
        let doc = SealedDocument {
            secrets: Secrets(vec![(
                "Prod".to_string(),
                StoredCredentials::Vpsorg { token: "t".into() },
            )]),
            settings: vec![settings("Prod", "")],
        };
        let bytes = serde_json::to_vec(&doc).unwrap();
        assert_eq!(SealedDocument::read(&bytes), Some(doc.clone()));
        let old = serde_json::to_vec(&doc.secrets).unwrap();
        let read = SealedDocument::read(&old).unwrap();
        assert_eq!(read.secrets, doc.secrets);
        assert!(read.settings.is_empty());
        assert_eq!(SealedDocument::read(b"{nonsense"), None);
    }

    #[test]
    fn the_mode_changes_while_locked_only_when_told_to_replace() {
        assert!(may_change_mode(false, false).is_ok());
        assert!(
            may_change_mode(true, false)
                .unwrap_err()
                .contains("Unlock them first")
        );
        assert!(may_change_mode(true, true).is_ok());
    }
}
