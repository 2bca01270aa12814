//! The one calendar (docs/semantics.md): calendar or fiscal months, quarters and years, their
//! labels, the partial period holding `as_of`, and baseline windows.

use crate::ir::{Baseline, Grain};
use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone};
use chrono_tz::Tz;

/// The project's calendar: which month a fiscal year starts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Calendar {
    /// 1 (January: calendar years) to 12.
    pub fiscal_year_start: u32,
}

/// How the periods of one grain are numbered: the one formula that places a month in a
/// period, which back ends apply to a row's month as this calendar applies it to a day's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodScheme {
    /// Months per period.
    pub months: i64,
    /// Months from January to the fiscal year's first month.
    pub offset: i64,
}

impl PeriodScheme {
    /// The index of the period holding a calendar month given as `year * 12 + month0`.
    pub fn index_of_month(self, calendar_month: i64) -> i64 {
        (calendar_month - self.offset).div_euclid(self.months)
    }
}

/// A day written `YYYY-MM-DD`, with a year of four digits (`25-12-31` is not the year
/// 25): what the calendar can hold, whether the day comes from a YAML file or the command
/// line.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    (1000..=9999).contains(&day.year()).then_some(day)
}

/// A day's month as `year * 12 + month0`: what [`PeriodScheme::index_of_month`] takes.
pub fn calendar_month(d: NaiveDate) -> i64 {
    d.year() as i64 * 12 + d.month0() as i64
}

/// A date as the instant it stands for: its midnight, UTC, in milliseconds since the epoch.
pub fn midnight_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis()
}

/// The UTC instant of a wall-clock time at `tz`, and whether it fell in a gap (the spring
/// change to summer time) and was moved forward by the gap's length: 02:30 on the day
/// Berlin goes from 02:00 to 03:00 is read as 03:30. An ambiguous time (the autumn hour
/// that happens twice) is the earlier instant.
pub fn wall_to_utc(wall: NaiveDateTime, tz: Tz) -> (NaiveDateTime, bool) {
    match tz.from_local_datetime(&wall) {
        chrono::LocalResult::Single(t) => (t.naive_utc(), false),
        chrono::LocalResult::Ambiguous(earlier, _) => (earlier.naive_utc(), false),
        chrono::LocalResult::None => {
            // The offset in force before the gap: zones do not change offset twice a day.
            let before = tz.offset_from_utc_datetime(&(wall - TimeDelta::days(1))).fix();
            (wall - TimeDelta::seconds(i64::from(before.local_minus_utc())), true)
        }
    }
}

/// The variable that fixes today's date (`YYYY-MM-DD`) at every site, instead of the
/// system clock: what tests, benchmarks and a replay of a past scheduled build set.
pub const TODAY_VAR: &str = "YARDSTICK_TODAY";

/// Where today comes from: the system clock, or [`TODAY_VAR`].
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    Now(chrono::DateTime<chrono::Utc>),
    Fixed(NaiveDate),
}

/// [`TODAY_VAR`] holds something other than a day.
#[derive(Debug, thiserror::Error)]
#[error("{TODAY_VAR}=`{0}` is not a day; write YYYY-MM-DD, or unset it to use the system clock")]
pub struct BadToday(pub String);

impl Clock {
    /// The clock of this process: [`TODAY_VAR`] when it is set, else the system's.
    pub fn from_env() -> Result<Clock, BadToday> {
        match std::env::var(TODAY_VAR) {
            Ok(v) if !v.trim().is_empty() => parse_day(&v).map(Clock::Fixed).ok_or(BadToday(v)),
            _ => Ok(Clock::Now(chrono::Utc::now())),
        }
    }

    /// Today's date at a site keeping the clock of `tz`.
    pub fn today(&self, tz: Tz) -> NaiveDate {
        match self {
            Clock::Now(now) => now.with_timezone(&tz).date_naive(),
            Clock::Fixed(day) => *day,
        }
    }

    /// The last day that has ended at every one of `zones` (UTC when there are none): the
    /// latest day a run can be computed as of.
    pub fn last_whole_day(&self, zones: &[Tz]) -> NaiveDate {
        let today = zones.iter().map(|tz| self.today(*tz)).min().unwrap_or_else(|| self.today(Tz::UTC));
        today.pred_opt().unwrap_or(today)
    }
}

/// The instant, in UTC, at which `day` ends at a site in `tz`: its next local midnight.
/// What a site knew "as of" a day is what it knew before this instant.
pub fn end_of_day(tz: Tz, day: NaiveDate) -> NaiveDateTime {
    let midnight = day.succ_opt().unwrap_or(day).and_time(chrono::NaiveTime::MIN);
    wall_to_utc(midnight, tz).0
}

/// One reporting period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub grain: Grain,
    /// Position on the project's timeline of this grain; consecutive periods differ by 1.
    pub index: i64,
    pub start: NaiveDate,
    /// The last day counted: the period's last day, or `as_of` in the partial period.
    pub end: NaiveDate,
    pub label: String,
    /// The period holds `as_of` and is not over yet.
    pub partial: bool,
}

impl Calendar {
    /// Months since year 0, counted from the fiscal year's first month.
    fn fiscal_month(&self, d: NaiveDate) -> i64 {
        d.year() as i64 * 12 + d.month0() as i64 - (self.fiscal_year_start as i64 - 1)
    }

    /// How periods of `grain` are numbered on this calendar.
    pub fn scheme(&self, grain: Grain) -> PeriodScheme {
        PeriodScheme { months: grain.months() as i64, offset: self.fiscal_year_start as i64 - 1 }
    }

    /// The index of the period of `grain` that holds `d`.
    pub fn index(&self, grain: Grain, d: NaiveDate) -> i64 {
        self.scheme(grain).index_of_month(calendar_month(d))
    }

    /// First day of period `index`.
    pub fn start(&self, grain: Grain, index: i64) -> NaiveDate {
        let m = index * grain.months() as i64 + (self.fiscal_year_start as i64 - 1);
        NaiveDate::from_ymd_opt(m.div_euclid(12) as i32, m.rem_euclid(12) as u32 + 1, 1).expect("a valid month")
    }

    /// Last day of period `index`.
    pub fn last_day(&self, grain: Grain, index: i64) -> NaiveDate {
        self.start(grain, index + 1).pred_opt().expect("a day before")
    }

    /// `2025-03`, `2025-Q1`, `2025`; with a fiscal year not starting in January,
    /// `FY2026-Q1` and `FY2026`, a fiscal year named by the calendar year it ends in.
    pub fn label(&self, grain: Grain, index: i64) -> String {
        let start = self.start(grain, index);
        let fiscal = self.fiscal_year_start != 1;
        let fm = self.fiscal_month(start);
        // The calendar year the fiscal year ends in.
        let year = if fiscal { fm.div_euclid(12) + 1 } else { fm.div_euclid(12) };
        let prefix = if fiscal { "FY" } else { "" };
        match grain {
            Grain::Month => format!("{}-{:02}", start.year(), start.month()),
            Grain::Quarter => format!("{prefix}{year}-Q{}", fm.rem_euclid(12) / 3 + 1),
            Grain::Year => format!("{prefix}{year}"),
        }
    }

    /// Period `index` as seen at the end of `as_of`: the period holding `as_of` is partial
    /// and ends at `as_of`, unless `as_of` is its last day (a report as of 31 March shows
    /// a whole first quarter).
    pub fn period(&self, grain: Grain, index: i64, as_of: NaiveDate) -> Period {
        let partial = index == self.index(grain, as_of) && as_of != self.last_day(grain, index);
        Period {
            grain,
            index,
            start: self.start(grain, index),
            end: if partial { as_of } else { self.last_day(grain, index) },
            label: self.label(grain, index),
            partial,
        }
    }

    /// Every period from the one holding `start` to the one holding `as_of`.
    pub fn periods(&self, grain: Grain, start: NaiveDate, as_of: NaiveDate) -> Vec<Period> {
        if as_of < start {
            return Vec::new();
        }
        (self.index(grain, start)..=self.index(grain, as_of)).map(|i| self.period(grain, i, as_of)).collect()
    }
}

/// A site's baseline window, both days included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Window {
    /// Calendar months covered, a month partly inside counting for its share of days:
    /// what flows are scaled by.
    /// The calendar months wholly inside, by number (year × 12 + month - 1).
    pub fn whole_months(&self) -> Vec<i64> {
        let number = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
        let mut months = Vec::new();
        let mut first = self.from.with_day(1).expect("a first day");
        while first <= self.to {
            let next = first.checked_add_months(Months::new(1)).expect("a next month");
            if first >= self.from && next.pred_opt().expect("a day before") <= self.to {
                months.push(number(first));
            }
            first = next;
        }
        months
    }

    pub fn months(&self) -> f64 {
        let mut months = 0.0;
        let mut first = self.from;
        while first <= self.to {
            let month_start = first.with_day(1).expect("a first day");
            let next = month_start.checked_add_months(Months::new(1)).expect("a next month");
            let last = self.to.min(next.pred_opt().expect("a day before"));
            let days_in_month = (next - month_start).num_days() as f64;
            months += ((last - first).num_days() + 1) as f64 / days_in_month;
            first = next;
        }
        months
    }
}

/// The baseline window of a site with the given rollout date (docs/semantics.md):
/// `months_before_rollout: 12` is the 12 months before the first day of the rollout month.
pub fn baseline_window(baseline: &Baseline, rollout: Option<NaiveDate>) -> Option<Window> {
    match baseline {
        Baseline::Window { from, to } => Some(Window { from: *from, to: *to }),
        Baseline::MonthsBeforeRollout(n) => {
            let rollout_month = rollout?.with_day(1)?;
            Some(Window { from: rollout_month.checked_sub_months(Months::new(*n))?, to: rollout_month.pred_opt()? })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const CALENDAR: Calendar = Calendar { fiscal_year_start: 1 };
    const APRIL: Calendar = Calendar { fiscal_year_start: 4 };

    #[test]
    fn calendar_labels() {
        let labels =
            |g| CALENDAR.periods(g, d(2024, 11, 5), d(2025, 2, 10)).into_iter().map(|p| p.label).collect::<Vec<_>>();
        assert_eq!(labels(Grain::Month), ["2024-11", "2024-12", "2025-01", "2025-02"]);
        assert_eq!(labels(Grain::Quarter), ["2024-Q4", "2025-Q1"]);
        assert_eq!(labels(Grain::Year), ["2024", "2025"]);
    }

    #[test]
    fn fiscal_year_is_named_by_the_year_it_ends_in() {
        // With April as the first month, FY2026 runs from April 2025 to March 2026.
        let i = APRIL.index(Grain::Year, d(2025, 4, 1));
        assert_eq!(APRIL.label(Grain::Year, i), "FY2026");
        assert_eq!(APRIL.index(Grain::Year, d(2026, 3, 31)), i);
        assert_eq!(APRIL.index(Grain::Year, d(2025, 3, 31)), i - 1);
        assert_eq!((APRIL.start(Grain::Year, i), APRIL.last_day(Grain::Year, i)), (d(2025, 4, 1), d(2026, 3, 31)));
        let q = |date| APRIL.label(Grain::Quarter, APRIL.index(Grain::Quarter, date));
        assert_eq!(q(d(2025, 4, 1)), "FY2026-Q1");
        assert_eq!(q(d(2025, 12, 31)), "FY2026-Q3");
        assert_eq!(q(d(2026, 1, 1)), "FY2026-Q4");
        assert_eq!(q(d(2026, 4, 1)), "FY2027-Q1");
        // Months keep their calendar names.
        assert_eq!(APRIL.label(Grain::Month, APRIL.index(Grain::Month, d(2026, 1, 15))), "2026-01");
    }

    #[test]
    fn the_period_holding_as_of_is_partial_and_ends_at_as_of() {
        let periods = CALENDAR.periods(Grain::Quarter, d(2025, 1, 1), d(2025, 5, 20));
        assert_eq!(periods.len(), 2);
        assert!(!periods[0].partial);
        assert_eq!(periods[0].end, d(2025, 3, 31));
        assert!(periods[1].partial);
        assert_eq!((periods[1].start, periods[1].end), (d(2025, 4, 1), d(2025, 5, 20)));
        // On its last day, the period holding as_of is whole: as_of is a whole day.
        let last = CALENDAR.periods(Grain::Quarter, d(2025, 1, 1), d(2025, 6, 30)).pop().unwrap();
        assert!(!last.partial);
        assert_eq!(last.end, d(2025, 6, 30));
        let day_before = CALENDAR.periods(Grain::Quarter, d(2025, 1, 1), d(2025, 6, 29)).pop().unwrap();
        assert!(day_before.partial);
    }

    #[test]
    fn baseline_is_the_months_before_the_rollout_month() {
        let w = baseline_window(&Baseline::MonthsBeforeRollout(12), Some(d(2024, 3, 15))).unwrap();
        assert_eq!((w.from, w.to), (d(2023, 3, 1), d(2024, 2, 29)));
        assert_eq!(w.months(), 12.0);
        assert_eq!(baseline_window(&Baseline::MonthsBeforeRollout(12), None), None);
    }

    #[test]
    fn a_window_clipped_inside_a_month_counts_that_month_by_its_days() {
        // 16 of January's 31 days, then February and March whole.
        let w = Window { from: d(2024, 1, 16), to: d(2024, 3, 31) };
        assert!((w.months() - (16.0 / 31.0 + 2.0)).abs() < 1e-12, "{}", w.months());
    }
}
