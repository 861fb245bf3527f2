//! What the user reads when a request fails: the provider's own words
//! where there are some, and what to do about a network failure.

use super::refresh::Outcome;
use crate::i18n::{fill, t};
use crate::model::{Account, ProviderKind};
use crate::net::{self, NetError};
use crate::providers::ProviderError;

/// Why a fetch failed.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchError {
    Net(NetError),
    Provider(ProviderError),
}

impl FetchError {
    /// The request may have reached the provider though no answer came:
    /// an operation may be under way after all.
    pub fn may_have_reached_provider(&self) -> bool {
        matches!(
            self,
            FetchError::Net(
                NetError::Network(_)
                    | NetError::Timeout
                    | NetError::Proxy {
                        status: 502 | 504,
                        ..
                    }
            )
        )
    }

    pub fn outcome(&self) -> Outcome {
        match self {
            FetchError::Provider(ProviderError::RateLimited { retry_after, .. })
            | FetchError::Net(NetError::Proxy {
                status: 429,
                retry_after,
                ..
            }) => Outcome::RateLimited(*retry_after),
            _ => Outcome::Failed,
        }
    }
}

fn host_of(url: &str) -> &str {
    // `scheme://rest`, split by the character: no substring search.
    let rest = url
        .split_once(':')
        .and_then(|(_, r)| r.strip_prefix("//"))
        .unwrap_or(url);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

/// Why a list (or a server's action) failed, kept as what happened rather
/// than as text: it is worded when shown, so a page whose language changes
/// says it in the new one.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    Fetch(FetchError),
    /// The secrets this device remembers are locked.
    Locked,
    /// The account has no keys.
    NoKeys,
    /// Already worded (a refusal, which is shown once).
    Said(String),
}

impl Problem {
    /// What the alert says, in the page's language.
    pub fn words(&self, account: &Account) -> String {
        match self {
            Problem::Fetch(e) => describe(e, account),
            Problem::Locked => t().account_locked().inner().into(),
            Problem::NoKeys => t().account_no_keys().inner().into(),
            Problem::Said(text) => text.clone(),
        }
    }
}

/// What the user reads in the alert: the provider's own words where there
/// are some, and what to do about a network failure.
pub fn describe(err: &FetchError, account: &Account) -> String {
    let provider = account.provider.display_name();
    let t = t();
    let proxy = host_of(&account.proxy);
    match err {
        FetchError::Net(NetError::Timeout) => fill(
            t.err_timeout().inner(),
            &[("provider", &provider), ("s", &(net::TIMEOUT_MS / 1000))],
        ),
        FetchError::Net(NetError::Aborted) => t.err_cancelled().inner().into(),
        FetchError::Net(NetError::Network(_)) if account.proxy.trim().is_empty() => fill(
            t.err_unreachable().inner(),
            &[
                ("host", &host_of(&account.base_url)),
                ("provider", &provider),
            ],
        ),
        FetchError::Net(NetError::Network(_)) => {
            fill(t.err_proxy_unreachable().inner(), &[("proxy", &proxy)])
        }
        // The proxy's own answer: nothing reached the provider, so nothing
        // is said about the keys.
        FetchError::Net(NetError::Proxy {
            status: 429,
            message,
            ..
        }) => fill(
            t.err_proxy_limit().inner(),
            &[("proxy", &proxy), ("message", message)],
        ),
        // Forwarded, but the provider's answer never came whole.
        FetchError::Net(NetError::Proxy {
            status: 502 | 504,
            message,
            ..
        }) => fill(
            t.err_proxy_upstream().inner(),
            &[
                ("provider", &provider),
                ("proxy", &proxy),
                ("message", message),
            ],
        ),
        FetchError::Net(NetError::Proxy { message, .. }) => fill(
            t.err_proxy_refused().inner(),
            &[
                ("provider", &provider),
                ("proxy", &proxy),
                ("message", message),
            ],
        ),
        FetchError::Provider(ProviderError::Auth(m)) => fill(
            t.err_auth().inner(),
            &[("provider", &provider), ("message", m)],
        ),
        FetchError::Provider(ProviderError::RateLimited {
            retry_after,
            message,
        }) => match retry_after {
            Some(s) => fill(
                t.err_rate_limited_retry().inner(),
                &[("message", message), ("s", s)],
            ),
            None => fill(t.err_rate_limited().inner(), &[("message", message)]),
        },
        FetchError::Provider(e) => e.message(),
    }
}

/// A create refused perhaps for the snapshot limit: VPS.org answers 400 for
/// a bad name and for a server at its limit alike, and the count on screen
/// may be stale (another tab, another tool). The form then shows the count
/// read afresh, beside the provider's own words.
pub fn maybe_at_limit(provider: ProviderKind, err: &FetchError) -> bool {
    provider.capabilities().snapshot_limit.is_some()
        && matches!(err, FetchError::Provider(ProviderError::Refused { status: 400, message })
            if !message.starts_with("name:"))
}

/// "web-server-01 has 5 of the 5 snapshots VPS.org allows: delete one to make
/// room." once the fresh count is at the limit; the count otherwise.
pub fn limit_note(provider: ProviderKind, server: &str, count: usize) -> Option<String> {
    let limit = provider.capabilities().snapshot_limit?;
    let name = provider.display_name();
    let values: [(&str, &dyn std::fmt::Display); 4] = [
        ("server", &server),
        ("count", &count),
        ("limit", &limit),
        ("provider", &name),
    ];
    Some(if count >= limit {
        fill(t().limit_full().inner(), &values)
    } else {
        fill(t().limit_count().inner(), &values)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Credentials;

    #[test]
    fn host_of_takes_the_host_and_port() {
        assert_eq!(host_of("https://api.ilkbyte.com/v1?x=1"), "api.ilkbyte.com");
        assert_eq!(host_of("http://127.0.0.1:8787/"), "127.0.0.1:8787");
        assert_eq!(host_of("127.0.0.1:8787/p"), "127.0.0.1:8787");
        assert_eq!(host_of("proxy.example"), "proxy.example");
        assert_eq!(host_of(""), "");
    }

    fn account(proxy: &str) -> Account {
        Account {
            provider: ProviderKind::Ilkbyte,
            label: "a".into(),
            base_url: "https://api.ilkbyte.com".into(),
            credentials: Credentials::Missing,
            proxy: proxy.into(),
            protected: Vec::new(),
        }
    }

    #[test]
    fn a_problem_is_worded_in_the_language_of_the_moment() {
        use crate::i18n::{Lang, set_lang};
        let acct = account("");
        let late = Problem::Fetch(FetchError::Net(NetError::Timeout));
        set_lang(Lang::En);
        let en = [&late, &Problem::Locked, &Problem::NoKeys].map(|p| p.words(&acct));
        set_lang(Lang::Tr);
        let tr = [&late, &Problem::Locked, &Problem::NoKeys].map(|p| p.words(&acct));
        set_lang(Lang::En);
        assert_eq!(en[0], "ilkbyte did not answer within 20 s.");
        assert_eq!(tr[0], "ilkbyte 20 sn içinde yanıt vermedi.");
        assert!(en[1].starts_with("Locked:") && tr[1].starts_with("Kilitli:"));
        assert!(en[2].starts_with("This account") && tr[2].starts_with("Bu hesab"));
        // A refusal is kept as it was said.
        assert_eq!(Problem::Said("refused".into()).words(&acct), "refused");
    }

    #[test]
    fn network_failures_say_what_to_do() {
        let direct = describe(
            &FetchError::Net(NetError::Network("TypeError".into())),
            &account(""),
        );
        assert!(
            direct.contains("api.ilkbyte.com") && direct.contains("CORS proxy"),
            "{direct}"
        );
        let proxied = describe(
            &FetchError::Net(NetError::Network("TypeError".into())),
            &account("http://127.0.0.1:8787/"),
        );
        assert!(proxied.contains("proxy at 127.0.0.1:8787"), "{proxied}");
        assert!(describe(&FetchError::Net(NetError::Timeout), &account("")).contains("20 s"));
    }

    #[test]
    fn a_proxy_refusal_is_not_a_credentials_refusal() {
        let e = FetchError::Net(NetError::Proxy {
            status: 403,
            message: "upstream http://127.0.0.1:9 is not on this proxy's allowlist".into(),
            retry_after: None,
        });
        let said = describe(&e, &account("http://127.0.0.1:8787/"));
        assert!(
            said.starts_with("The CORS proxy at 127.0.0.1:8787 did not forward"),
            "{said}"
        );
        assert!(
            said.contains("allowlist") && said.contains("keys were not checked"),
            "{said}"
        );
        assert!(!said.contains("refused the credentials"), "{said}");
        assert_eq!(e.outcome(), Outcome::Failed);
        let limited = FetchError::Net(NetError::Proxy {
            status: 429,
            message: "too many requests from this client; retry in 2 s".into(),
            retry_after: Some(2),
        });
        assert_eq!(limited.outcome(), Outcome::RateLimited(Some(2)));
        // A request the proxy forwarded whose answer did not come: not a
        // settings problem, and perhaps done at the provider.
        let late = FetchError::Net(NetError::Proxy {
            status: 504,
            message: "upstream did not answer within 30 s (headers and body)".into(),
            retry_after: None,
        });
        let said = describe(&late, &account("http://p:1/"));
        assert!(
            said.starts_with("ilkbyte gave no usable answer through the CORS proxy at p:1"),
            "{said}"
        );
        assert!(!said.contains("did not forward"), "{said}");
        assert!(late.may_have_reached_provider());
        assert!(!e.may_have_reached_provider());
        assert!(describe(&limited, &account("http://p:1/")).contains("limiting this browser"));
    }

    #[test]
    fn a_refused_vpsorg_create_is_told_apart_from_a_bad_name() {
        let limit = FetchError::Provider(ProviderError::Refused {
            status: 400,
            message: "Snapshot limit reached".into(),
        });
        assert!(maybe_at_limit(ProviderKind::Vpsorg, &limit));
        assert!(!maybe_at_limit(ProviderKind::Ilkbyte, &limit));
        let bad_name = FetchError::Provider(ProviderError::Refused {
            status: 400,
            message: "name: Use only letters".into(),
        });
        assert!(!maybe_at_limit(ProviderKind::Vpsorg, &bad_name));
        assert_eq!(
            limit_note(ProviderKind::Vpsorg, "web", 5).as_deref(),
            Some("web has 5 of the 5 snapshots VPS.org allows: delete one to make room.")
        );
        assert_eq!(
            limit_note(ProviderKind::Vpsorg, "web", 4).as_deref(),
            Some("web has 4 of the 5 snapshots VPS.org allows.")
        );
        assert_eq!(limit_note(ProviderKind::Ilkbyte, "web", 9), None);
    }

    #[test]
    fn provider_errors_carry_the_providers_words() {
        let e = FetchError::Provider(ProviderError::Refused {
            status: 200,
            message: "Server backup not found!".into(),
        });
        assert_eq!(describe(&e, &account("")), "Server backup not found!");
        let e = FetchError::Provider(ProviderError::Auth("Invalid token.".into()));
        assert_eq!(
            describe(&e, &account("")),
            "ilkbyte refused the credentials: Invalid token."
        );
        let e = FetchError::Provider(ProviderError::RateLimited {
            retry_after: Some(3),
            message: "Slow down".into(),
        });
        assert!(describe(&e, &account("")).contains("retrying in 3 s"));
        assert_eq!(e.outcome(), Outcome::RateLimited(Some(3)));
    }
}
