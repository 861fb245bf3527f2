//! Dates and numbers as the browser's `Intl` writes them, in each language.
#![cfg(target_arch = "wasm32")]

use snapdeck::i18n::{self, Lang};
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

#[wasm_bindgen_test]
fn numbers_use_the_languages_decimal_mark() {
    i18n::set_lang(Lang::Tr);
    assert_eq!(i18n::decimal(5.4, 1), "5,4");
    assert_eq!(i18n::decimal(1023.0, 0), "1.023");
    i18n::set_lang(Lang::En);
    assert_eq!(i18n::decimal(5.4, 1), "5.4");
    assert_eq!(i18n::decimal(5.44, 1), "5.4");
    assert_eq!(i18n::decimal(1023.0, 0), "1,023");
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
