//! Dates, datetimes and booleans read from their text: the fast paths for the ISO forms
//! nearly every export uses, checked against chrono on every day.

use super::*;

/// A boolean as the dialect spells it, ignoring case.
pub(super) fn parse_bool(dialect: &Dialect, v: &str) -> Option<bool> {
    let is = |list: &[String]| list.iter().any(|s| s.to_lowercase() == v.to_lowercase());
    match (is(&dialect.true_values), is(&dialect.false_values)) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

pub(super) fn parse_date(v: &str) -> Option<NaiveDate> {
    iso_date(v.as_bytes()).or_else(|| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
}

/// `YYYY-MM-DD` read straight from its digits: the form nearly every export uses, so the
/// general parsers only see the rest.
pub(super) fn iso_date(v: &[u8]) -> Option<NaiveDate> {
    if v.len() != 10 || v[4] != b'-' || v[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(&v[0..4])? as i32, digits(&v[5..7])?, digits(&v[8..10])?)
}

/// Days since 1970-01-01 of `YYYY-MM-DD`, from its digits (a valid day only): what
/// [`iso_date`] and [`days_since_epoch`] give, without building a date, for the millions
/// of cells a large export holds.
pub(super) fn iso_days(v: &[u8]) -> Option<i32> {
    if v.len() != 10 || v[4] != b'-' || v[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&v[0..4])? as i32, digits(&v[5..7])?, digits(&v[8..10])?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d == 0 || d > month_days[m as usize - 1] {
        return None;
    }
    // Days from civil (H. Hinnant): years start in March, so leap days come last.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year as i32;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS` (or with a space) that is UTC:
/// ending in `Z`, or at a site keeping UTC (`utc`). Anything else takes the general path.
pub(super) fn iso_utc_ms(v: &[u8], utc: bool) -> Option<i64> {
    let plain = match v.len() {
        19 if utc => v,
        20 if v[19] == b'Z' => &v[..19],
        _ => return None,
    };
    if !matches!(plain[10], b'T' | b' ') || plain[13] != b':' || plain[16] != b':' {
        return None;
    }
    let (h, m, s) = (digits(&plain[11..13])?, digits(&plain[14..16])?, digits(&plain[17..19])?);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let seconds = i64::from(iso_days(&plain[..10])?) * 86_400 + i64::from(h * 3600 + m * 60 + s);
    Some(seconds * 1000)
}

/// What a value that parses under a pattern with `%Y` is not, when its year has fewer
/// than four digits: `25` under `%Y` is the year 25, never 2025.
pub(super) fn short_year(expected: &str, v: &str, year: i32) -> String {
    format!("{expected} with its year written in full (`{v}` would be in the year {year})")
}

/// What `v` is not, when its fields read under `pattern` but name a day that does not
/// exist (`31.11.2025`): the month's days.
pub(super) fn no_such_day(v: &str, pattern: &str) -> Option<String> {
    let mut parsed = chrono::format::Parsed::new();
    chrono::format::parse(&mut parsed, v, chrono::format::StrftimeItems::new(pattern)).ok()?;
    let (year, month, day) = (parsed.year()?, parsed.month()?, parsed.day()?);
    if NaiveDate::from_ymd_opt(year, month, day).is_some() {
        return None;
    }
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let days = first.checked_add_months(chrono::Months::new(1))?.signed_duration_since(first).num_days();
    Some(format!("a day that exists: {} {year} has {days} days", first.format("%B")))
}

pub(super) fn digits(v: &[u8]) -> Option<u32> {
    v.iter().try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
}

pub(crate) fn days_since_epoch(d: NaiveDate) -> i32 {
    /// Days from 1 January of year 1 to 1 January 1970.
    const EPOCH_FROM_CE: i32 = 719_163;
    d.num_days_from_ce() - EPOCH_FROM_CE
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_day_that_does_not_exist_is_named_as_such() {
        let said = super::no_such_day("31.11.2025", "%d.%m.%Y");
        assert_eq!(said.as_deref(), Some("a day that exists: November 2025 has 30 days"));
        let said = super::no_such_day("2025-02-29T10:00:00", "%Y-%m-%dT%H:%M:%S");
        assert_eq!(said.as_deref(), Some("a day that exists: February 2025 has 28 days"));
        // A value in another form, or a day that exists, is not this.
        assert_eq!(super::no_such_day("2025-11-31", "%d.%m.%Y"), None);
        assert_eq!(super::no_such_day("30.11.2025", "%d.%m.%Y"), None);
    }

    #[test]
    fn dates() {
        let date = |s: &str| super::parse_date(s).map(|d| d.to_string());
        assert_eq!(date("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(date("2025-02-29"), None);
        assert_eq!(date("2025-13-01"), None);
        assert_eq!(date("2025-01-3x"), None);
    }

    #[test]
    fn the_fast_paths_agree_with_chrono_on_every_day_and_refuse_what_it_refuses() {
        let mut day = chrono::NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
        let last = chrono::NaiveDate::from_ymd_opt(2101, 3, 5).unwrap();
        while day <= last {
            let text = day.to_string();
            assert_eq!(super::iso_days(text.as_bytes()), Some(super::days_since_epoch(day)), "{text}");
            let at = day.and_hms_opt(13, 7, 59).unwrap();
            let ms = at.and_utc().timestamp_millis();
            assert_eq!(super::iso_utc_ms(format!("{text}T13:07:59Z").as_bytes(), false), Some(ms), "{text}");
            assert_eq!(super::iso_utc_ms(format!("{text} 13:07:59").as_bytes(), true), Some(ms), "{text}");
            day = day.succ_opt().unwrap();
        }
        for bad in ["2025-02-29", "1900-02-29", "2025-04-31", "2025-00-10", "2025-13-01", "2025-01-00", "2025/01/01"] {
            assert_eq!(super::iso_days(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(super::iso_days(b"2000-02-29"), Some(11_016));
        // Wall-clock time at a site off UTC, hours past 23, a leap second: the general path.
        for other in ["2025-01-01T10:00:00", "2025-01-01T24:00:00Z", "2025-01-01T10:00:60Z", "2025-01-01T10:00Z"] {
            assert_eq!(super::iso_utc_ms(other.as_bytes(), false), None, "{other}");
        }
    }
}
