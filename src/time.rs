//! Dates as the providers write them, read into Unix seconds, and shown
//! relative to now. Pure: the browser's clock is passed in.

use crate::i18n::{count, fill, t};

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_seconds(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s))
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// RFC 3339 / ISO 8601 with a zone: `2020-11-23T15:31:07+03:00`,
/// `2025-01-15T18:30:00Z`, fractions allowed. A date alone is midnight UTC.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    let date = s.get(..10)?;
    let y = i64::from(num(date.get(..4)?)?);
    if date.get(4..5)? != "-" || date.get(7..8)? != "-" {
        return None;
    }
    let mo = num(date.get(5..7)?)?;
    let d = num(date.get(8..10)?)?;
    let rest = s.get(10..)?;
    if rest.is_empty() {
        return civil_seconds(y, mo, d, 0, 0, 0);
    }
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let h = num(rest.get(..2)?)?;
    let mi = num(rest.get(3..5)?)?;
    let sec = num(rest.get(6..8)?)?;
    let mut zone = rest.get(8..)?;
    if let Some(frac) = zone.strip_prefix('.') {
        zone = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let oh = i64::from(num(zone.get(1..3)?)?);
            let om = i64::from(num(zone.get(zone.len() - 2..)?)?);
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(civil_seconds(y, mo, d, h, mi, sec)? - offset)
}

/// ilkbyte's server dates: `DD.MM.YYYY HH:MM:SS`, Turkey time (UTC+3).
pub fn parse_ilkbyte_dmy(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once(' ')?;
    let mut dp = date.split('.');
    let d = num(dp.next()?)?;
    let mo = num(dp.next()?)?;
    let y = i64::from(num(dp.next()?)?);
    let mut tp = time.split(':');
    let h = num(tp.next()?)?;
    let mi = num(tp.next()?)?;
    let sec = num(tp.next()?)?;
    Some(civil_seconds(y, mo, d, h, mi, sec)? - 3 * 3600)
}

/// "just now", "5 minutes ago", "in 2 hours", "3 days ago"…
pub fn relative(now: i64, at: i64) -> String {
    let delta = now - at;
    let ago = delta >= 0;
    let secs = delta.unsigned_abs();
    let t = t();
    if secs < 45 {
        return t.rel_just_now().inner().into();
    }
    let (n, one, other) = match secs {
        s if s < 90 * 60 => (
            s.div_ceil(60).max(1),
            t.rel_minute_singular().inner(),
            t.rel_minute_plural().inner(),
        ),
        s if s < 36 * 3600 => (
            (s + 1800) / 3600,
            t.rel_hour_singular().inner(),
            t.rel_hour_plural().inner(),
        ),
        s if s < 45 * 86_400 => (
            (s + 43_200) / 86_400,
            t.rel_day_singular().inner(),
            t.rel_day_plural().inner(),
        ),
        s if s < 548 * 86_400 => (
            (s + 15 * 86_400) / (30 * 86_400),
            t.rel_month_singular().inner(),
            t.rel_month_plural().inner(),
        ),
        s => (
            (s + 182 * 86_400) / (365 * 86_400),
            t.rel_year_singular().inner(),
            t.rel_year_plural().inner(),
        ),
    };
    let span = count(n as usize, one, other);
    fill(
        if ago {
            t.rel_ago().inner()
        } else {
            t.rel_in().inner()
        },
        &[("span", &span)],
    )
}

/// The civil date of a day count since 1970-01-01 (Hinnant's inverse).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// How many minutes this device's zone is east of UTC at `unix_secs`
/// (summer time included), as the browser knows it. Natively, UTC.
pub fn zone_offset_min(unix_secs: i64) -> i32 {
    #[cfg(target_arch = "wasm32")]
    {
        let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix_secs as f64 * 1000.0));
        -(at.get_timezone_offset() as i32)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = unix_secs;
        0
    }
}

/// The date and time, to the minute, in a zone `offset_min` minutes east
/// of UTC: (year, month 1-12, day, hour, minute).
pub fn civil(t: i64, offset_min: i32) -> (i64, u32, u32, u32, u32) {
    let local = t.saturating_add(i64::from(offset_min) * 60);
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    (y, m, d, (secs / 3600) as u32, (secs % 3600 / 60) as u32)
}

/// The exact time, to the minute, in a zone `offset_min` minutes east of
/// UTC: "2026-11-24 15:31".
pub fn exact(t: i64, offset_min: i32) -> String {
    let (y, m, d, hour, minute) = civil(t, offset_min);
    format!("{y}-{m:02}-{d:02} {hour:02}:{minute:02}")
}

/// Turkey's offset from UTC, in minutes: ilkbyte reads a schedule's hour
/// and minute in Turkey's time.
pub const TURKEY_OFFSET_MIN: i32 = 180;

/// What a schedule's `hour:minute` in Turkey's time is in a zone
/// `local_offset_min` minutes east of UTC: "04:05 in Turkey (UTC+3) is
/// 02:05 here (UTC+1)", with "the day before" or "the next day" when the
/// date changes.
pub fn schedule_zone_note(hour: u32, minute: u32, local_offset_min: i32) -> String {
    let turkey = (hour * 60 + minute) as i32;
    let local = turkey - TURKEY_OFFSET_MIN + local_offset_min;
    let day = match local.div_euclid(24 * 60) {
        0 => "",
        d if d < 0 => t().zone_day_before().inner(),
        _ => t().zone_day_after().inner(),
    };
    let local = local.rem_euclid(24 * 60);
    let zone = |off: i32| {
        let sign = if off < 0 { '-' } else { '+' };
        let off = off.abs();
        match off % 60 {
            0 => format!("UTC{sign}{}", off / 60),
            m => format!("UTC{sign}{}:{m:02}", off / 60),
        }
    };
    if local_offset_min == TURKEY_OFFSET_MIN {
        return t().zone_same().inner().into();
    }
    fill(
        t().zone_note().inner(),
        &[
            ("there", &format!("{hour:02}:{minute:02}")),
            ("here", &format!("{:02}:{:02}", local / 60, local % 60)),
            ("day", &day),
            ("zone", &zone(local_offset_min)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_times_in_any_zone() {
        let t = parse_rfc3339("2020-11-23T15:31:07+03:00").unwrap();
        assert_eq!(exact(t, 180), "2020-11-23 15:31");
        assert_eq!(exact(t, 0), "2020-11-23 12:31");
        assert_eq!(exact(t, -13 * 60), "2020-11-22 23:31");
        assert_eq!(exact(0, 0), "1970-01-01 00:00");
        let leap = parse_rfc3339("2024-02-29T23:59:59Z").unwrap();
        assert_eq!(exact(leap, 0), "2024-02-29 23:59");
        assert_eq!(exact(leap, 1), "2024-03-01 00:00");
        assert_eq!(exact(-1, 0), "1969-12-31 23:59");
    }

    #[test]
    fn reads_both_providers_dates() {
        // 2020-11-23T12:31:07Z
        assert_eq!(
            parse_rfc3339("2020-11-23T15:31:07+03:00"),
            Some(1_606_134_667)
        );
        assert_eq!(parse_rfc3339("2020-11-23T12:31:07Z"), Some(1_606_134_667));
        assert_eq!(
            parse_rfc3339("2020-11-23T12:31:07.123456Z"),
            Some(1_606_134_667)
        );
        assert_eq!(
            parse_rfc3339("2020-11-23T07:01:07-05:30"),
            Some(1_606_134_667)
        );
        assert_eq!(parse_rfc3339("2024-06-15"), Some(1_718_409_600));
        assert_eq!(
            parse_ilkbyte_dmy("23.11.2020 15:31:07"),
            Some(1_606_134_667)
        );
    }

    #[test]
    fn garbage_dates_are_none_not_panics() {
        for bad in [
            "",
            "2020",
            "2020-13-01T00:00:00Z",
            "2020-11-23T15:31",
            "ü020-11-23T15:31:07Z",
            "2020-11-23T15:31:07+0",
            "2020-11-23X15:31:07Z",
            "23.11.2020",
            "a.b.c d:e:f",
        ] {
            assert_eq!(
                parse_rfc3339(bad).or(parse_ilkbyte_dmy(bad)),
                None,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn relative_wording() {
        let now = 1_000_000_000;
        assert_eq!(relative(now, now - 10), "just now");
        assert_eq!(relative(now, now - 60), "1 minute ago");
        assert_eq!(relative(now, now - 5 * 60), "5 minutes ago");
        assert_eq!(relative(now, now - 3 * 3600), "3 hours ago");
        assert_eq!(relative(now, now - 3 * 86_400), "3 days ago");
        assert_eq!(relative(now, now + 2 * 3600), "in 2 hours");
        assert_eq!(relative(now, now - 400 * 86_400), "13 months ago");
        assert_eq!(relative(now, now - 800 * 86_400), "2 years ago");
    }

    #[test]
    fn schedule_times_are_told_in_the_users_zone() {
        assert_eq!(
            schedule_zone_note(4, 5, 60),
            "ilkbyte reads the time in Turkey's zone (UTC+3): 04:05 there is 02:05 here (UTC+1)."
        );
        assert_eq!(
            schedule_zone_note(2, 3, -300),
            "ilkbyte reads the time in Turkey's zone (UTC+3): 02:03 there is 18:03 the day before here (UTC-5)."
        );
        assert_eq!(
            schedule_zone_note(23, 30, 330),
            "ilkbyte reads the time in Turkey's zone (UTC+3): 23:30 there is 02:00 the next day here (UTC+5:30)."
        );
        assert!(schedule_zone_note(1, 0, 180).contains("yours too"));
    }
}
