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
// panel does not use (dates and sizes are written below).
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

/// A date and time to the minute, in the current language and this
/// device's zone: "Nov 15, 2026, 2:05 PM" in English, "15 Kas 2026 14:05"
/// in Turkish. Natively, in UTC.
pub fn date_time(unix_secs: i64) -> String {
    date_time_in(lang(), unix_secs, crate::time::zone_offset_min(unix_secs))
}

/// CLDR's abbreviated month names, January first.
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_TR: [&str; 12] = [
    "Oca", "Şub", "Mar", "Nis", "May", "Haz", "Tem", "Ağu", "Eyl", "Eki", "Kas", "Ara",
];

/// `unix_secs` in a zone `offset_min` minutes east of UTC, to the minute,
/// written exactly as the browser's `Intl.DateTimeFormat` writes it with
/// `dateStyle: "medium", timeStyle: "short"` in `lang`.
///
/// Written here rather than by `Intl`: a page's first `Intl` formatter
/// loads the browser's locale data, 40-80 ms on the main thread before the
/// first card could be drawn. The browser tests hold the two to the same
/// text.
pub fn date_time_in(lang: Lang, unix_secs: i64, offset_min: i32) -> String {
    let (y, m, d, hour, minute) = crate::time::civil(unix_secs, offset_min);
    let month = match lang {
        Lang::En => MONTHS_EN,
        Lang::Tr => MONTHS_TR,
    }[(m as usize + 11) % 12];
    match lang {
        Lang::En => {
            let (h12, half) = match hour {
                0 => (12, "AM"),
                1..=11 => (hour, "AM"),
                12 => (12, "PM"),
                _ => (hour - 12, "PM"),
            };
            format!("{month} {d}, {y}, {h12}:{minute:02} {half}")
        }
        Lang::Tr => format!("{d} {month} {y} {hour:02}:{minute:02}"),
    }
}

/// A size in MB as the cards write it: MB below 1,024, else GB to one
/// decimal ("512 MB", "1.5 GB"; "1,5 GB" in Turkish).
pub fn size(mb: u64) -> String {
    if mb >= 1024 {
        // Tenths of a GB, the half rounded up as Intl rounds it.
        let tenths = mb.saturating_mul(20).saturating_add(1024) / 2048;
        fill(t().size_gb().inner(), &[("n", &tenths_in(lang(), tenths))])
    } else {
        fill(t().size_mb().inner(), &[("n", &tenths_in(lang(), mb * 10))])
    }
}

/// A number given in tenths, with at most one decimal and its thousands
/// grouped, as `Intl.NumberFormat` writes it in `lang`: "1,234.5" in
/// English, "1.234,5" in Turkish; no ",0". Integers only: Rust's float
/// formatting would add its tables to the panel.
pub fn tenths_in(lang: Lang, tenths: u64) -> String {
    let (group, mark) = match lang {
        Lang::En => (',', '.'),
        Lang::Tr => ('.', ','),
    };
    let digits = (tenths / 10).to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    if !tenths.is_multiple_of(10) {
        out.push(mark);
        out.push(char::from(b'0' + (tenths % 10) as u8));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// 2026-11-15 12:00 UTC.
    const MID_NOVEMBER: i64 = 1_794_744_000;

    #[test]
    fn dates_are_written_as_intl_writes_them() {
        // Each expected text is what Chromium's Intl.DateTimeFormat wrote
        // with dateStyle "medium" and timeStyle "short" in that zone.
        let cases: [(i64, i32, &str, &str); 8] = [
            (
                MID_NOVEMBER,
                0,
                "Nov 15, 2026, 12:00 PM",
                "15 Kas 2026 12:00",
            ),
            (
                MID_NOVEMBER,
                180,
                "Nov 15, 2026, 3:00 PM",
                "15 Kas 2026 15:00",
            ),
            (
                MID_NOVEMBER,
                -300,
                "Nov 15, 2026, 7:00 AM",
                "15 Kas 2026 07:00",
            ),
            (
                MID_NOVEMBER + 59,
                330,
                "Nov 15, 2026, 5:30 PM",
                "15 Kas 2026 17:30",
            ),
            (0, 0, "Jan 1, 1970, 12:00 AM", "1 Oca 1970 00:00"),
            (0, 120, "Jan 1, 1970, 2:00 AM", "1 Oca 1970 02:00"),
            // The year's last minute, and in a zone west of UTC the day
            // (and year) before.
            (
                1_767_225_599,
                0,
                "Dec 31, 2025, 11:59 PM",
                "31 Ara 2025 23:59",
            ),
            (
                1_767_225_600,
                -60,
                "Dec 31, 2025, 11:00 PM",
                "31 Ara 2025 23:00",
            ),
        ];
        for (t, offset, en, tr) in cases {
            assert_eq!(date_time_in(Lang::En, t, offset), en);
            assert_eq!(date_time_in(Lang::Tr, t, offset), tr);
        }
        // Noon and midnight, and one hour either side, in English's clock.
        let day = 1_794_700_800; // 2026-11-15 00:00 UTC
        let hours = [
            (0, "12:00 AM"),
            (1, "1:00 AM"),
            (11, "11:00 AM"),
            (12, "12:00 PM"),
            (13, "1:00 PM"),
            (23, "11:00 PM"),
        ];
        for (h, clock) in hours {
            assert_eq!(
                date_time_in(Lang::En, day + h * 3600, 0),
                format!("Nov 15, 2026, {clock}")
            );
        }
    }

    #[test]
    fn every_month_has_its_name_in_each_language() {
        let mut en = Vec::new();
        let mut tr = Vec::new();
        for month in 0..12 {
            // The 5th of each month of 2026, 00:07 UTC.
            let t = crate::time::days_from_civil(2026, month + 1, 5) * 86_400 + 7 * 60;
            en.push(date_time_in(Lang::En, t, 0));
            tr.push(date_time_in(Lang::Tr, t, 0));
        }
        assert_eq!(en[0], "Jan 5, 2026, 12:07 AM");
        assert_eq!(en[8], "Sep 5, 2026, 12:07 AM");
        assert_eq!(en[11], "Dec 5, 2026, 12:07 AM");
        let tr_months: Vec<_> = tr.iter().map(|d| d.split(' ').nth(1).unwrap()).collect();
        assert_eq!(
            tr_months,
            [
                "Oca", "Şub", "Mar", "Nis", "May", "Haz", "Tem", "Ağu", "Eyl", "Eki", "Kas", "Ara"
            ]
        );
    }

    #[test]
    fn dates_far_out_of_range_do_not_panic() {
        for t in [i64::MIN, i64::MIN + 1, -1, i64::MAX - 1, i64::MAX] {
            for offset in [-720, 0, 840] {
                assert!(!date_time_in(Lang::En, t, offset).is_empty());
                assert!(!date_time_in(Lang::Tr, t, offset).is_empty());
            }
        }
    }

    #[test]
    fn numbers_are_written_as_intl_writes_them() {
        let cases: [(u64, &str, &str); 10] = [
            (0, "0", "0"),
            (1, "0.1", "0,1"),
            (15, "1.5", "1,5"),
            (10, "1", "1"),
            (9_990, "999", "999"),
            (10_000, "1,000", "1.000"),
            (10_235, "1,023.5", "1.023,5"),
            (100_000, "10,000", "10.000"),
            (12_345_679, "1,234,567.9", "1.234.567,9"),
            (
                u64::MAX,
                "1,844,674,407,370,955,161.5",
                "1.844.674.407.370.955.161,5",
            ),
        ];
        for (tenths, en, tr) in cases {
            assert_eq!(tenths_in(Lang::En, tenths), en);
            assert_eq!(tenths_in(Lang::Tr, tenths), tr);
        }
    }

    #[test]
    fn sizes_are_mb_below_a_gb_and_gb_to_a_tenth_above() {
        set_lang(Lang::En);
        assert_eq!(size(0), "0 MB");
        assert_eq!(size(1023), "1,023 MB");
        assert_eq!(size(1024), "1 GB");
        // 1.55 GB: the half is rounded up, as Intl rounds it.
        assert_eq!(size(1587), "1.5 GB");
        assert_eq!(size(1588), "1.6 GB");
        assert_eq!(size(1536), "1.5 GB");
        assert_eq!(size(1280), "1.3 GB");
        assert_eq!(size(2_097_152), "2,048 GB");
        assert!(size(u64::MAX).ends_with(" GB"));
        set_lang(Lang::Tr);
        assert_eq!(size(1536), "1,5 GB");
        assert_eq!(size(1023), "1.023 MB");
        set_lang(Lang::En);
    }

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
}
