//! The panel's words in English and Turkish.
//!
//! The texts live in `locales/<lang>.json` (flat key → text, `{name}` for
//! a value put in, filled by `fill`). `leptos_i18n` loads them at compile
//! time, so a key the code uses and `en.json` lacks does not compile:
//! `t().new_snapshot().inner()` is the text of the current language. The
//! page's language is set once per render (`set_lang`): switching renders
//! the page again (see `components::App`).

use std::cell::Cell;
use std::fmt::Display;

use leptos_i18n::Locale as _;

// The macro, rather than its build.rs successor (leptos_i18n_build): that
// one brings ICU's data-export crates into every build, for formatters the
// panel leaves to the browser's Intl.
#[allow(deprecated)]
mod generated {
    leptos_i18n::load_locales!();
}
use generated::i18n;

/// The texts of one language, one method per key of `locales/en.json`.
pub type Texts = i18n::I18nKeys;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Tr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Tr];

    /// The BCP 47 tag: the page's `lang`, `Intl`'s locale, the stored choice.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Tr => "tr",
        }
    }

    /// The language's name in itself, as the switch offers it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Tr => "Türkçe",
        }
    }

    /// `tr`, `tr-TR`, `TR` → Turkish; `en`, `en-GB` → English; else none.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Lang::ALL
            .into_iter()
            .find(|l| primary.eq_ignore_ascii_case(l.code()))
    }

    pub fn texts(self) -> Texts {
        match self {
            Lang::En => i18n::Locale::en,
            Lang::Tr => i18n::Locale::tr,
        }
        .get_keys()
    }
}

/// The language to show: the one chosen on this device, else the team's
/// default from `snapdeck.json`, else the browser's first preferred
/// language that the panel speaks, else English.
pub fn choose(remembered: Option<&str>, team: Option<&str>, preferred: &[String]) -> Lang {
    remembered
        .and_then(Lang::from_tag)
        .or_else(|| team.and_then(Lang::from_tag))
        .or_else(|| preferred.iter().find_map(|t| Lang::from_tag(t)))
        .unwrap_or_default()
}

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The language texts are read in from now on (this thread).
pub fn set_lang(lang: Lang) {
    LANG.with(|l| l.set(lang));
}

pub fn lang() -> Lang {
    LANG.with(Cell::get)
}

/// The texts of the current language.
pub fn t() -> Texts {
    lang().texts()
}

/// The non-empty parts, with `sep` between them. One plain loop for the
/// whole panel: the standard library's `join` is built into the wasm once
/// for each type of part.
pub fn join(parts: &[&str], sep: &str) -> String {
    let mut out = String::new();
    for part in parts.iter().filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(part);
    }
    out
}

/// A text with its `{name}`s replaced by the values given; a name with no
/// value stays as written.
pub fn fill(template: &str, values: &[(&str, &dyn Display)]) -> String {
    // Split, never sliced by index: no slicing panic in the panel's code.
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let filled = after.split_once('}').and_then(|(name, tail)| {
            let named = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            let (_, value) = values.iter().find(|(k, _)| named && *k == name)?;
            Some((value, tail))
        });
        match filled {
            Some((value, tail)) => {
                use std::fmt::Write;
                let _ = write!(out, "{value}");
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `one` for a count of 1, else `other`, with `{n}` filled in. English and
/// Turkish both have just these two forms (Turkish writes the same noun in
/// both).
pub fn count(n: usize, one: &str, other: &str) -> String {
    fill(if n == 1 { one } else { other }, &[("n", &n)])
}

/// Case folding for search, by the language's rules: in Turkish, I folds
/// to ı and İ to i; in English both fold to i (not to the "i̇" with a
/// combining dot that plain lower-casing makes of İ).
///
/// ASCII text (most server and snapshot names) is folded here. Other text
/// is lower-cased by the browser (`toLocaleLowerCase`): Rust's Unicode
/// case tables would add about 20 KB to the panel.
pub fn fold(text: &str, lang: Lang) -> String {
    let dotted_i = |c: char| match (c, lang) {
        ('I', Lang::Tr) => 'ı',
        ('İ', _) => 'i',
        (c, _) => c.to_ascii_lowercase(),
    };
    let text: String = text.trim().chars().map(dotted_i).collect();
    if text.is_ascii() {
        return text;
    }
    lower_case(&text, lang)
}

#[cfg(target_arch = "wasm32")]
fn lower_case(text: &str, lang: Lang) -> String {
    js_sys::JsString::from(text)
        .to_locale_lower_case(Some(lang.code()))
        .into()
}

#[cfg(not(target_arch = "wasm32"))]
fn lower_case(text: &str, _lang: Lang) -> String {
    text.to_lowercase()
}

/// A date and time to the minute, as the browser writes it in the current
/// language and this device's zone (`Intl.DateTimeFormat`). Natively, the
/// ISO form in UTC.
pub fn date_time(unix_secs: i64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        intl::date_time(unix_secs)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        crate::time::exact(unix_secs, 0)
    }
}

/// Makes the formatters the cards use in the current language, ahead of
/// their first use.
pub fn prepare() {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = intl::date_time(0);
        let _ = intl::decimal(0.0, 0);
        let _ = intl::decimal(0.0, 1);
    }
}

/// A number with at most `digits` decimals, in the current language's
/// notation (`Intl.NumberFormat`: "1.5" in English, "1,5" in Turkish).
pub fn decimal(x: f64, digits: u32) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        intl::decimal(x, digits)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let s = format!("{x:.0$}", digits as usize);
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        };
        match lang() {
            Lang::En => s,
            Lang::Tr => s.replace('.', ","),
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod intl {
    use js_sys::{Array, Date, Function, Intl, Object, Reflect};
    use wasm_bindgen::JsValue;

    use super::{Lang, lang};

    fn options(pairs: &[(&str, JsValue)]) -> Object {
        let o = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&o, &JsValue::from_str(k), v);
        }
        o
    }

    /// Which formatter: dates, or numbers with at most this many decimals.
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        DateTime,
        Decimal(u32),
    }

    thread_local! {
        /// The formatters made so far, per language and kind: making one
        /// costs far more than using it (thousands of cards each use one).
        static FORMATS: std::cell::RefCell<Vec<(Lang, Kind, Function)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }

    /// The `format` function of this language's formatter of this kind.
    fn formatter(kind: Kind) -> Function {
        let lang = lang();
        FORMATS.with(|f| {
            let mut f = f.borrow_mut();
            if let Some((_, _, format)) = f.iter().find(|(l, k, _)| *l == lang && *k == kind) {
                return format.clone();
            }
            let locales = Array::of1(&JsValue::from_str(lang.code()));
            let format = match kind {
                Kind::DateTime => {
                    let opts = options(&[
                        ("dateStyle", "medium".into()),
                        ("timeStyle", "short".into()),
                    ]);
                    Intl::DateTimeFormat::new(&locales, &opts).format()
                }
                Kind::Decimal(digits) => {
                    let opts = options(&[("maximumFractionDigits", digits.into())]);
                    Intl::NumberFormat::new(&locales, &opts).format()
                }
            };
            f.push((lang, kind, format.clone()));
            format
        })
    }

    fn apply(kind: Kind, value: &JsValue) -> String {
        formatter(kind)
            .call1(&JsValue::NULL, value)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    pub fn date_time(unix_secs: i64) -> String {
        let date = Date::new(&JsValue::from_f64(unix_secs as f64 * 1000.0));
        apply(Kind::DateTime, &date)
    }

    pub fn decimal(x: f64, digits: u32) -> String {
        apply(Kind::Decimal(digits), &JsValue::from_f64(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn join_skips_empty_parts() {
        assert_eq!(join(&["a", "", "b", "c"], " · "), "a · b · c");
        assert_eq!(join(&["", "only"], ", "), "only");
        assert_eq!(join(&["", ""], ", "), "");
        assert_eq!(join(&[], ", "), "");
    }

    fn file(code: &str) -> BTreeMap<String, String> {
        let path = format!("{}/locales/{code}.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn names(text: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            rest = &rest[open + 1..];
            if let Some(close) = rest.find('}') {
                out.insert(rest[..close].to_string());
                rest = &rest[close + 1..];
            }
        }
        out
    }

    #[test]
    fn every_key_in_every_language() {
        let en = file("en");
        assert!(en.len() > 300, "en.json has {} keys", en.len());
        for lang in Lang::ALL {
            let code = lang.code();
            let texts = file(code);
            let extra: Vec<_> = texts.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(
                extra.is_empty(),
                "{code}.json has keys en.json lacks: {extra:?}"
            );
            for (key, english) in &en {
                let text = texts.get(key).map_or("", String::as_str);
                assert!(
                    !text.trim().is_empty(),
                    "{key} is missing or empty in {code}.json"
                );
                assert_eq!(
                    names(text),
                    names(english),
                    "{key}: {code}.json fills in other values than en.json"
                );
            }
        }
    }

    #[test]
    fn the_texts_are_those_of_the_language_set() {
        set_lang(Lang::Tr);
        assert_eq!(t().new_snapshot().inner(), "Yeni snapshot");
        set_lang(Lang::En);
        assert_eq!(t().new_snapshot().inner(), "New snapshot");
        assert_eq!(Lang::Tr.texts().cancel().inner(), "Vazgeç");
    }

    #[test]
    fn the_language_is_the_devices_then_the_teams_then_the_browsers() {
        let browser = ["de-DE".to_string(), "tr-TR".into(), "en".into()];
        assert_eq!(choose(None, None, &browser), Lang::Tr);
        assert_eq!(choose(None, None, &["en-GB".into(), "tr".into()]), Lang::En);
        assert_eq!(choose(None, None, &["fr".into()]), Lang::En);
        assert_eq!(choose(None, Some("en"), &browser), Lang::En);
        assert_eq!(choose(Some("tr"), Some("en"), &[]), Lang::Tr);
        assert_eq!(choose(Some("xx"), Some("TR"), &[]), Lang::Tr);
    }

    #[test]
    fn fill_puts_values_in_and_leaves_the_rest() {
        assert_eq!(
            fill(
                "{name} has {n} of {limit}",
                &[("name", &"web01"), ("n", &5)]
            ),
            "web01 has 5 of {limit}"
        );
        assert_eq!(fill("{ odd } {", &[]), "{ odd } {");
        assert_eq!(fill("İstanbul {n}", &[("n", &"ılık")]), "İstanbul ılık");
        // A brace that opens no name, then one that does; a name unclosed.
        assert_eq!(fill("{{n}} {ş{n}", &[("n", &1)]), "{1} {ş1");
        assert_eq!(fill("end {n", &[("n", &1)]), "end {n");
        assert_eq!(count(1, "{n} snapshot", "{n} snapshots"), "1 snapshot");
        assert_eq!(count(3, "{n} snapshot", "{n} snapshots"), "3 snapshots");
    }

    #[test]
    fn turkish_folds_the_dotted_and_dotless_i_apart() {
        assert_eq!(fold("İSTANBUL", Lang::Tr), "istanbul");
        assert_eq!(fold("ILIK", Lang::Tr), "ılık");
        assert_eq!(fold("ILIK", Lang::En), "ilik");
        assert_eq!(fold("İstanbulYedek", Lang::En), "istanbulyedek");
        assert_eq!(fold("ISTANBUL", Lang::Tr), "ıstanbul");
        assert_ne!(fold("ılık", Lang::En), fold("ILIK", Lang::En));
        assert_ne!(fold("ILIK", Lang::Tr), fold("ilik", Lang::Tr));
        assert!(fold(" Web01 ", Lang::Tr) == "web01");
    }

    #[test]
    fn numbers_are_written_in_the_languages_notation() {
        set_lang(Lang::Tr);
        assert_eq!(decimal(1.5, 1), "1,5");
        assert_eq!(decimal(20.0, 1), "20");
        set_lang(Lang::En);
        assert_eq!(decimal(1.25, 1), "1.2");
    }
}
