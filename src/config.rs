//! `snapdeck.json`: optional deployment defaults served beside
//! `index.html` (default proxy prefix, preset accounts, secrets optional).

use serde_json::{Map, Value};

use crate::i18n::{Lang, fill, t};
use crate::model::{Account, Credentials, ProviderKind};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Deployment {
    /// Default CORS proxy prefix for accounts that do not set their own.
    pub proxy: String,
    pub accounts: Vec<Account>,
    /// The team's default language, until someone picks one on a device.
    pub language: Option<Lang>,
}

struct RawDeployment {
    proxy: String,
    accounts: Vec<RawAccount>,
    language: Option<String>,
}

struct RawAccount {
    provider: String,
    label: String,
    base_url: Option<String>,
    access_key: Option<String>,
    secret_key: Option<String>,
    token: Option<String>,
    /// Overrides the top-level proxy; `""` means direct.
    proxy: Option<String>,
}

/// The file's shape, read from a `Value` (the decoder provider bodies use
/// already): objects with only the known keys, text where text belongs,
/// `null` as absent.
fn raw(bytes: &[u8]) -> Result<RawDeployment, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let top = object(&v, "the file", &["proxy", "accounts", "language"])?;
    let mut accounts = Vec::new();
    match top.get("accounts") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                accounts.push(raw_account(item, &format!("accounts[{i}]"))?);
            }
        }
        Some(_) => return Err("accounts: expected a list".into()),
    }
    Ok(RawDeployment {
        proxy: string(top, "proxy", "")?.unwrap_or_default(),
        accounts,
        language: string(top, "language", "")?,
    })
}

fn raw_account(v: &Value, at: &str) -> Result<RawAccount, String> {
    const KEYS: [&str; 7] = [
        "provider",
        "label",
        "base_url",
        "access_key",
        "secret_key",
        "token",
        "proxy",
    ];
    let a = object(v, at, &KEYS)?;
    let required =
        |key: &str| string(a, key, at)?.ok_or_else(|| format!("{at}: missing field `{key}`"));
    Ok(RawAccount {
        provider: required("provider")?,
        label: required("label")?,
        base_url: string(a, "base_url", at)?,
        access_key: string(a, "access_key", at)?,
        secret_key: string(a, "secret_key", at)?,
        token: string(a, "token", at)?,
        proxy: string(a, "proxy", at)?,
    })
}

fn object<'a>(v: &'a Value, at: &str, keys: &[&str]) -> Result<&'a Map<String, Value>, String> {
    let Value::Object(map) = v else {
        return Err(format!("{at}: expected an object"));
    };
    match map.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "{at}: unknown field `{k}`, expected one of {}",
            crate::i18n::join(keys, ", ")
        )),
        None => Ok(map),
    }
}

fn string(map: &Map<String, Value>, key: &str, at: &str) -> Result<Option<String>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!(
            "{at}{}{key}: expected text",
            if at.is_empty() { "" } else { "." }
        )),
    }
}

pub fn parse_provider(s: &str) -> Option<ProviderKind> {
    match s.trim().to_ascii_lowercase().as_str() {
        "ilkbyte" => Some(ProviderKind::Ilkbyte),
        "vpsorg" | "vps.org" => Some(ProviderKind::Vpsorg),
        _ => None,
    }
}

/// Reads `snapdeck.json`; the error says what is wrong and where.
pub fn parse(bytes: &[u8]) -> Result<Deployment, String> {
    let raw = raw(bytes).map_err(|e| fill(t().config_invalid().inner(), &[("why", &e)]))?;
    let mut accounts: Vec<Account> = Vec::new();
    for (i, a) in raw.accounts.into_iter().enumerate() {
        let at = format!("snapdeck.json: accounts[{i}]");
        let provider = parse_provider(&a.provider).ok_or_else(|| {
            fill(
                t().config_provider().inner(),
                &[("at", &at), ("provider", &a.provider)],
            )
        })?;
        let label = a.label.trim().to_string();
        if label.is_empty() {
            return Err(fill(t().config_label_empty().inner(), &[("at", &at)]));
        }
        if accounts.iter().any(|other| other.label == label) {
            return Err(fill(
                t().config_label_twice().inner(),
                &[("at", &at), ("label", &label)],
            ));
        }
        let base_url = a
            .base_url
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| provider.default_base_url().to_string());
        if let Some(why) = crate::accounts::url_problem(&base_url) {
            return Err(format!("{at}: base_url {why}"));
        }
        let credentials = match provider {
            ProviderKind::Ilkbyte => match (a.access_key, a.secret_key) {
                (Some(access), Some(secret)) if !access.is_empty() && !secret.is_empty() => {
                    Credentials::Ilkbyte { access, secret }
                }
                _ => Credentials::Missing,
            },
            ProviderKind::Vpsorg => match a.token {
                Some(token) if !token.is_empty() => Credentials::Vpsorg { token },
                _ => Credentials::Missing,
            },
        };
        let proxy = a
            .proxy
            .unwrap_or_else(|| raw.proxy.clone())
            .trim()
            .to_string();
        if let Some(why) = crate::accounts::url_problem(&proxy).filter(|_| !proxy.is_empty()) {
            return Err(format!("{at}: proxy {why}"));
        }
        accounts.push(Account {
            provider,
            label,
            base_url,
            credentials,
            proxy,
            protected: Vec::new(),
        });
    }
    if let Some(why) =
        crate::accounts::url_problem(raw.proxy.trim()).filter(|_| !raw.proxy.trim().is_empty())
    {
        return Err(format!("snapdeck.json: proxy {why}"));
    }
    let language = match raw.language.as_deref() {
        None => None,
        Some(tag) => Some(
            Lang::from_tag(tag)
                .ok_or_else(|| fill(t().config_language().inner(), &[("language", &tag)]))?,
        ),
    };
    Ok(Deployment {
        proxy: raw.proxy.trim().to_string(),
        accounts,
        language,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_demo_file() {
        let json = r#"{
          "proxy": "http://127.0.0.1:8787/",
          "accounts": [
            {"provider": "ilkbyte", "label": "Demo ilkbyte",
             "base_url": "http://127.0.0.1:8790/ilkbyte",
             "access_key": "demo-access", "secret_key": "demo-secret"},
            {"provider": "vpsorg", "label": "Demo VPS.org",
             "base_url": "http://127.0.0.1:8790/vpsorg/api/v1",
             "token": "demo-token", "proxy": ""}
          ]}"#;
        let d = parse(json.as_bytes()).unwrap();
        assert_eq!(d.proxy, "http://127.0.0.1:8787/");
        assert_eq!(d.accounts.len(), 2);
        assert_eq!(
            d.accounts[0].proxy, "http://127.0.0.1:8787/",
            "inherits the default"
        );
        assert_eq!(d.accounts[1].proxy, "", "empty means direct");
        assert_eq!(
            d.accounts[0].credentials,
            Credentials::Ilkbyte {
                access: "demo-access".into(),
                secret: "demo-secret".into()
            }
        );
        assert_eq!(d.accounts[1].provider, ProviderKind::Vpsorg);
    }

    #[test]
    fn secrets_and_base_urls_are_optional() {
        let d = parse(br#"{"accounts": [{"provider": "VPS.org", "label": "Team"}]}"#).unwrap();
        assert_eq!(d.accounts[0].credentials, Credentials::Missing);
        assert_eq!(d.accounts[0].base_url, "https://admin.vps.org/api/v1");
        assert_eq!(parse(b"{}").unwrap(), Deployment::default());
    }

    #[test]
    fn clear_errors() {
        let cases: [(&[u8], &str); 15] = [
            (b"not json", "not valid"),
            (br#"{"accounts": [{"provider": "aws", "label": "x"}]}"#, "unknown provider \"aws\""),
            (br#"{"accounts": [{"provider": "ilkbyte", "label": " "}]}"#, "label is empty"),
            (br#"{"accounts": [{"provider": "ilkbyte", "label": "a"}, {"provider": "vpsorg", "label": "a"}]}"#, "used twice"),
            (br#"{"accounts": [{"provider": "ilkbyte", "label": "a", "base_url": "ftp://x"}]}"#, "base_url must be an http:// or https:// URL"),
            (br#"{"accounts": [{"provider": "ilkbyte", "label": "a", "base_url": "https://u:p@api.ilkbyte.com"}]}"#, "base_url must not hold a user name or password"),
            (br#"{"accounts": [{"provider": "ilkbyte", "label": "a", "proxy": "https://u:p@proxy.example/"}]}"#, "accounts[0]: proxy must not hold a user name"),
            (br#"{"proxy": "https://u@proxy.example/", "accounts": []}"#, "snapdeck.json: proxy must not hold"),
            (br#"{"acounts": []}"#, "unknown field `acounts`"),
            (br#"{"accounts": [{"provider": "ilkbyte", "label": "a", "tokn": "x"}]}"#, "accounts[0]: unknown field `tokn`"),
            (br#"{"accounts": [{"provider": "ilkbyte"}]}"#, "accounts[0]: missing field `label`"),
            (br#"{"accounts": [{"provider": "ilkbyte", "label": 5}]}"#, "accounts[0].label: expected text"),
            (br#"{"accounts": {"provider": "ilkbyte"}}"#, "accounts: expected a list"),
            (br#"{"proxy": ["x"]}"#, "proxy: expected text"),
            (br#"[1]"#, "expected an object"),
        ];
        for (json, want) in cases {
            let e = parse(json).unwrap_err();
            assert!(e.contains(want), "{e:?} lacks {want:?}");
        }
    }
}
