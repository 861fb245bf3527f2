//! Dates and numbers as the browser's `Intl` writes them, in each language.
//! The panel writes them itself (see `i18n::date_time_in`); here the two
//! are held to the same text.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Intl, Object, Reflect};
use snapdeck::i18n::{self, Lang};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// 2026-11-15 12:00 UTC: the 15th in every zone of the world.
const MID_NOVEMBER: i64 = 1_794_744_000;

#[wasm_bindgen_test]
fn dates_name_the_month_in_the_language_shown() {
    i18n::set_lang(Lang::Tr);
    let tr = i18n::date_time(MID_NOVEMBER);
    assert!(
        tr.contains("15") && tr.contains("Kas") && tr.contains("2026"),
        "{tr}"
    );
    i18n::set_lang(Lang::En);
    let en = i18n::date_time(MID_NOVEMBER);
    assert!(
        en.contains("15") && en.contains("Nov") && en.contains("2026"),
        "{en}"
    );
    assert_ne!(tr, en);
}

/// What the browser's `Intl` writes for `value` in `lang`, with `options`.
fn intl(kind: &str, lang: Lang, options: &[(&str, JsValue)], value: &JsValue) -> String {
    let locales = Array::of1(&JsValue::from_str(lang.code()));
    let opts = Object::new();
    for (k, v) in options {
        Reflect::set(&opts, &JsValue::from_str(k), v).unwrap();
    }
    let format = if kind == "date" {
        Intl::DateTimeFormat::new(&locales, &opts).format()
    } else {
        Intl::NumberFormat::new(&locales, &opts).format()
    };
    format
        .call1(&JsValue::NULL, value)
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
fn dates_are_written_exactly_as_the_browsers_intl_writes_them() {
    let style = [
        ("dateStyle", "medium".into()),
        ("timeStyle", "short".into()),
    ];
    for lang in Lang::ALL {
        i18n::set_lang(lang);
        // Two years, every 7 h 13 min: every hour of the day, both sides
        // of noon and midnight, and this zone's summer time changes.
        let mut t = 1_767_225_600 - 86_400 * 365;
        while t < 1_767_225_600 + 86_400 * 365 {
            let date = js_sys::Date::new(&JsValue::from_f64(t as f64 * 1000.0));
            assert_eq!(i18n::date_time(t), intl("date", lang, &style, &date), "{t}");
            t += 7 * 3600 + 13 * 60;
        }
    }
    i18n::set_lang(Lang::En);
}

#[wasm_bindgen_test]
fn sizes_are_written_exactly_as_the_browsers_intl_writes_them() {
    for lang in Lang::ALL {
        i18n::set_lang(lang);
        let values = (0..2_000).chain([10_239, 10_240, 99_999, 100_000, 12_345_678, 1 << 40]);
        for mb in values {
            let (digits, n) = if mb >= 1024 {
                (1, mb as f64 / 1024.0)
            } else {
                (0, mb as f64)
            };
            let number = intl(
                "number",
                lang,
                &[("maximumFractionDigits", digits.into())],
                &n.into(),
            );
            let unit = if mb >= 1024 { "GB" } else { "MB" };
            assert_eq!(i18n::size(mb), format!("{number} {unit}"), "{mb} MB");
        }
    }
    i18n::set_lang(Lang::En);
}

#[wasm_bindgen_test]
fn relative_times_are_in_the_language_shown() {
    i18n::set_lang(Lang::Tr);
    assert_eq!(snapdeck::time::relative(3 * 86_400, 0), "3 gün önce");
    assert_eq!(snapdeck::time::relative(0, 2 * 3600), "2 saat sonra");
    i18n::set_lang(Lang::En);
    assert_eq!(snapdeck::time::relative(3 * 86_400, 0), "3 days ago");
}

#[wasm_bindgen_test]
fn search_folds_by_the_languages_rules_in_the_browser() {
    use snapdeck::i18n::fold;
    assert_eq!(fold("İSTANBULYEDEK", Lang::Tr), "istanbulyedek");
    assert_eq!(fold("ILIK", Lang::Tr), "ılık");
    assert_eq!(fold("ÇAĞRI Şube", Lang::Tr), "çağrı şube");
    assert_eq!(fold("İstanbulYedek", Lang::En), "istanbulyedek");
    assert_eq!(fold("ILIK", Lang::En), "ilik");
    assert_eq!(fold(" École ", Lang::En), "école");
    assert_eq!(fold("Web-01", Lang::En), "web-01");
}
