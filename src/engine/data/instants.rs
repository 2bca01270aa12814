//! Datetimes in the exports (docs/definition-set.md and docs/semantics.md): a value with an offset (`Z`,
//! `+02:00`) is that instant; one without is wall-clock time at its site and becomes the
//! instant it names there. Every datetime is stored as a UTC instant.

use super::{digits, iso_date, parse_date};
use chrono::NaiveDateTime;

/// A datetime as written in an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Written {
    /// With `Z` or an offset: already an instant, given in UTC.
    Instant(NaiveDateTime),
    /// Without an offset: wall-clock time at the site.
    Wall(NaiveDateTime),
}

/// ISO 8601 with or without `Z`/offset; `T` or a space between date and time; a bare
/// date is its midnight (wall-clock).
pub(super) fn parse_written(v: &str) -> Option<Written> {
    if let Some(written) = iso_datetime(v.as_bytes()) {
        return Some(written);
    }
    if let Some(d) = parse_date(v) {
        return d.and_hms_opt(0, 0, 0).map(Written::Wall);
    }
    let normalized =
        if v.len() > 10 && v.as_bytes()[10] == b' ' { format!("{}T{}", &v[..10], &v[11..]) } else { v.to_string() };
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(wall) = NaiveDateTime::parse_from_str(&normalized, format) {
            return Some(Written::Wall(wall));
        }
    }
    crate::syntax::parse_datetime(&normalized).map(|dt| Written::Instant(dt.naive_utc()))
}

impl Written {
    /// The year it is written in (of the instant, for one with an offset).
    pub(super) fn year(&self) -> i32 {
        match self {
            Written::Instant(t) | Written::Wall(t) => chrono::Datelike::year(t),
        }
    }
}

/// A datetime written in a binding's chrono pattern: an instant when the pattern reads
/// an offset, else wall-clock time at the site.
pub(super) fn parse_with(v: &str, pattern: &str) -> Option<Written> {
    if crate::check::dialect::has_offset(pattern) {
        return chrono::DateTime::parse_from_str(v, pattern).ok().map(|t| Written::Instant(t.naive_utc()));
    }
    NaiveDateTime::parse_from_str(v, pattern).ok().map(Written::Wall)
}

/// `YYYY-MM-DDTHH:MM:SS`, with `T` or a space and an optional `Z`, read straight from
/// its digits: the form nearly every export uses, so the general parsers only see the
/// rest.
fn iso_datetime(v: &[u8]) -> Option<Written> {
    let (plain, utc) = match v.len() {
        19 => (v, false),
        20 if v[19] == b'Z' => (&v[..19], true),
        _ => return None,
    };
    if !matches!(plain[10], b'T' | b' ') || plain[13] != b':' || plain[16] != b':' {
        return None;
    }
    let dt = iso_date(&plain[..10])?.and_hms_opt(
        digits(&plain[11..13])?,
        digits(&plain[14..16])?,
        digits(&plain[17..19])?,
    )?;
    Some(if utc { Written::Instant(dt) } else { Written::Wall(dt) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{end_of_day, wall_to_utc};
    use chrono::NaiveDate;
    use chrono_tz::Tz;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn offsets_are_instants_and_the_rest_is_wall_clock() {
        assert_eq!(parse_written("2025-04-01T00:30:00Z"), Some(Written::Instant(at("2025-04-01 00:30"))));
        assert_eq!(parse_written("2025-04-01T00:30:00"), Some(Written::Wall(at("2025-04-01 00:30"))));
        assert_eq!(parse_written("2025-04-01 00:30"), Some(Written::Wall(at("2025-04-01 00:30"))));
        assert_eq!(parse_written("2025-04-01"), Some(Written::Wall(at("2025-04-01 00:00"))));
        assert_eq!(parse_written("2025-04-01T00:30:00+02:00"), Some(Written::Instant(at("2025-03-31 22:30"))));
        assert_eq!(parse_written("2025-04-01T00:30+02:00"), Some(Written::Instant(at("2025-03-31 22:30"))));
        assert_eq!(parse_written("01/04/2025"), None);
    }

    #[test]
    fn wall_clock_times_in_berlin() {
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(wall_to_utc(at("2025-04-01 00:30"), berlin), (at("2025-03-31 22:30"), false));
        assert_eq!(wall_to_utc(at("2025-01-15 12:00"), berlin), (at("2025-01-15 11:00"), false));
        // 30 March 2025: 02:00 CET becomes 03:00 CEST; 02:30 is read as 03:30 CEST.
        assert_eq!(wall_to_utc(at("2025-03-30 02:30"), berlin), (at("2025-03-30 01:30"), true));
        // 26 October 2025: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 (CET).
        assert_eq!(wall_to_utc(at("2025-10-26 02:30"), berlin), (at("2025-10-26 00:30"), false));
        assert_eq!(wall_to_utc(at("2025-04-01 00:30"), Tz::UTC), (at("2025-04-01 00:30"), false));
    }

    #[test]
    fn a_day_ends_at_the_next_local_midnight() {
        let day = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        assert_eq!(end_of_day(Tz::UTC, day), at("2025-04-01 00:00"));
        assert_eq!(end_of_day(chrono_tz::Europe::Berlin, day), at("2025-03-31 22:00"));
        assert_eq!(end_of_day(chrono_tz::America::New_York, day), at("2025-04-01 04:00"));
    }
}
