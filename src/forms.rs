//! The rules of the panel's forms. Each problem names the field it belongs
//! to (by the input's id), so the form shows it beside that field and marks
//! the field invalid; nothing is sent while there is one.

use crate::i18n::{fill, t};
use crate::model::ProviderKind;

/// The inputs' ids.
pub mod field {
    pub const SNAPSHOT_NAME: &str = "snapshot-name";
    pub const DAYS: &str = "schedule-days";
    pub const HOUR: &str = "schedule-hour";
    pub const MINUTE: &str = "schedule-minute";
    pub const PROVIDER: &str = "account-provider";
    pub const LABEL: &str = "account-label";
    pub const BASE_URL: &str = "account-url";
    pub const ACCESS_KEY: &str = "account-access";
    pub const SECRET_KEY: &str = "account-secret";
    pub const TOKEN: &str = "account-token";
    pub const PROXY: &str = "account-proxy";
}

/// Bad input: the field, and what to tell the user beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Invalid {
        Invalid {
            field,
            message: message.into(),
        }
    }
}

/// The message for `field` among `problems`, if any.
pub fn message_for(problems: &[Invalid], field: &str) -> Option<String> {
    problems
        .iter()
        .find(|p| p.field == field)
        .map(|p| p.message.clone())
}

/// VPS.org's longest snapshot name.
pub const VPSORG_NAME_MAX: usize = 100;

/// A new snapshot's name, trimmed, or why it cannot be sent. `taken` are
/// the names of the server's snapshots: ilkbyte names a snapshot by its
/// name, and at VPS.org a second snapshot of one name would make "type the
/// name to confirm" ambiguous.
pub fn snapshot_name(
    provider: ProviderKind,
    typed: &str,
    taken: &[String],
) -> Result<String, Invalid> {
    let name = typed.trim();
    let bad = |m: String| Err(Invalid::new(field::SNAPSHOT_NAME, m));
    if name.is_empty() {
        return bad(t().form_enter_name().inner().into());
    }
    if provider == ProviderKind::Vpsorg && name.chars().count() > VPSORG_NAME_MAX {
        return bad(fill(
            t().form_name_long().inner(),
            &[("max", &VPSORG_NAME_MAX), ("n", &name.chars().count())],
        ));
    }
    if let Err(rule) = provider.validate_name(name) {
        return bad(rule.into());
    }
    if taken.iter().any(|t| t == name) {
        let rule = match provider {
            ProviderKind::Ilkbyte => t().form_name_taken_ilkbyte().inner(),
            ProviderKind::Vpsorg => t().form_name_taken_vpsorg().inner(),
        };
        return bad(fill(rule, &[("name", &name)]));
    }
    Ok(name.to_string())
}

/// The longest schedule period the panel offers, in days.
pub const SCHEDULE_MAX_DAYS: u32 = 365;

/// A schedule's period and time, or each field's problem.
pub fn schedule(days: &str, hour: &str, minute: &str) -> Result<(u32, u32, u32), Vec<Invalid>> {
    let mut problems = Vec::new();
    let mut read =
        |field: &'static str, text: &str, empty: &str, lo: u32, hi: u32, range: String| {
            let text = text.trim();
            if text.is_empty() {
                problems.push(Invalid::new(field, empty.to_string()));
                return 0;
            }
            match text.parse::<u32>() {
                Ok(n) if (lo..=hi).contains(&n) => n,
                Ok(_) => {
                    problems.push(Invalid::new(field, range));
                    0
                }
                Err(_) => {
                    problems.push(Invalid::new(
                        field,
                        fill(t().form_whole().inner(), &[("range", &range)]),
                    ));
                    0
                }
            }
        };
    let d = read(
        field::DAYS,
        days,
        t().form_enter_days().inner(),
        1,
        SCHEDULE_MAX_DAYS,
        fill(
            t().form_days_range().inner(),
            &[("max", &SCHEDULE_MAX_DAYS)],
        ),
    );
    let h = read(
        field::HOUR,
        hour,
        t().form_enter_hour().inner(),
        0,
        23,
        t().form_hour_range().inner().into(),
    );
    let m = read(
        field::MINUTE,
        minute,
        t().form_enter_minute().inner(),
        0,
        59,
        t().form_minute_range().inner().into(),
    );
    if problems.is_empty() {
        Ok((d, h, m))
    } else {
        Err(problems)
    }
}

/// Whether what was typed confirms a destructive operation on `name`:
/// the exact name, spaces around it aside. No case folding in any
/// language: `istanbulyedek` does not confirm `İstanbulYedek`, nor `ilik`
/// `ılık`.
pub fn confirms(typed: &str, name: &str) -> bool {
    typed.trim() == name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_name_confirms_turkish_names_too() {
        assert!(confirms("İstanbulYedek", "İstanbulYedek"));
        assert!(confirms("  ılık ", "ılık"));
        for wrong in [
            "istanbulyedek",
            "IstanbulYedek",
            "İSTANBULYEDEK",
            "İstanbulyedek",
            "i̇stanbulYedek",
        ] {
            assert!(!confirms(wrong, "İstanbulYedek"), "{wrong}");
        }
        for wrong in ["ilik", "ILIK", "Ilık", "ılı", "ılıkk"] {
            assert!(!confirms(wrong, "ılık"), "{wrong}");
        }
        assert!(!confirms("", "ılık"));
    }

    #[test]
    fn each_name_problem_has_its_own_wording() {
        let ilk = ProviderKind::Ilkbyte;
        let vps = ProviderKind::Vpsorg;
        let msg = |p, n: &str, taken: &[&str]| {
            let taken: Vec<String> = taken.iter().map(|t| t.to_string()).collect();
            let e = snapshot_name(p, n, &taken).unwrap_err();
            assert_eq!(e.field, field::SNAPSHOT_NAME);
            e.message
        };
        assert_eq!(msg(ilk, "   ", &[]), "Enter a name.");
        assert_eq!(msg(vps, "", &[]), "Enter a name.");
        assert!(msg(ilk, "with-hyphen", &[]).contains("letters and digits only"));
        assert!(msg(vps, "with space", &[]).contains("hyphens and underscores"));
        assert!(msg(vps, &"a".repeat(101), &[]).contains("this name has 101"));
        assert!(msg(ilk, "base", &["base"]).contains("already exists"));
        assert!(msg(vps, "nightly", &["nightly"]).contains("cannot be told apart"));
        assert_eq!(
            snapshot_name(vps, " ok-1 ", &["ok".into()]).unwrap(),
            "ok-1"
        );
        assert_eq!(
            snapshot_name(vps, &"a".repeat(100), &[]).unwrap().len(),
            100
        );
        // Names compare exactly: no case folding.
        assert!(snapshot_name(ilk, "Base", &["base".into()]).is_ok());
    }

    #[test]
    fn each_schedule_field_is_judged_on_its_own() {
        assert_eq!(schedule("1", "0", "0"), Ok((1, 0, 0)));
        assert_eq!(schedule(" 365 ", "23", "59"), Ok((365, 23, 59)));
        let problems = schedule("400", "25", "").unwrap_err();
        assert_eq!(
            message_for(&problems, field::DAYS).unwrap(),
            "From 1 to 365 days."
        );
        assert_eq!(
            message_for(&problems, field::HOUR).unwrap(),
            "An hour from 0 to 23."
        );
        assert_eq!(
            message_for(&problems, field::MINUTE).unwrap(),
            "Enter a minute."
        );
        let problems = schedule("0", "7", "x").unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(message_for(&problems, field::DAYS).is_some());
        assert!(message_for(&problems, field::HOUR).is_none());
        assert!(
            message_for(&problems, field::MINUTE)
                .unwrap()
                .contains("Whole numbers")
        );
        assert!(schedule("-1", "1", "1").is_err());
    }
}
