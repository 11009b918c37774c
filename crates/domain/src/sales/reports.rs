//! Calendar arithmetic for sales reports: period buckets and the ranges a figure is compared with.

use chrono::{Datelike, NaiveDate};

use crate::dates::{add_days, add_months};

use crate::values::{ValueError, string_enum};

string_enum! {
    /// The length of a report period.
    Period { Day => "day", Week => "week", Month => "month", Quarter => "quarter", Year => "year" }
}

string_enum! {
    /// What a sales report groups its rows by.
    GroupBy { Region => "region", Industry => "industry", Owner => "owner", Team => "team", Product => "product", Period => "period" }
}

impl Period {
    /// The first day of the period that contains `date` (weeks start on Monday).
    pub fn start_of(self, date: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => date,
            Period::Week => add_days(date, -i64::from(date.weekday().num_days_from_monday())),
            Period::Month => date.with_day(1).unwrap_or(date),
            Period::Quarter => NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1).unwrap_or(date),
            Period::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date),
        }
    }

    /// The first day of the period after the one starting at `start`.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => add_days(start, 1),
            Period::Week => add_days(start, 7),
            Period::Month => add_months(start, 1),
            Period::Quarter => add_months(start, 3),
            Period::Year => add_months(start, 12),
        }
    }

    /// The first day of the period before the one starting at `start`.
    pub fn previous(self, start: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => add_days(start, -1),
            Period::Week => add_days(start, -7),
            Period::Month => add_months(start, -1),
            Period::Quarter => add_months(start, -3),
            Period::Year => add_months(start, -12),
        }
    }

    /// A label people read: `2026-11-23`, `2026-W48`, `2026-11`, `2026-Q4`, `2026`.
    pub fn label(self, start: NaiveDate) -> String {
        match self {
            Period::Day => start.format("%Y-%m-%d").to_string(),
            Period::Week => {
                let week = start.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Period::Month => start.format("%Y-%m").to_string(),
            Period::Quarter => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
            Period::Year => start.year().to_string(),
        }
    }
}

/// The same dates one year earlier (29 February falls back to the 28th).
pub fn year_before(date: NaiveDate) -> NaiveDate {
    add_months(date, -12)
}

/// The range of equal length just before `[from, to]` (both inclusive).
pub fn previous_range(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let days = (to - from).num_days() + 1;
    (add_days(from, -days), add_days(from, -1))
}

/// Checks a report range: `from` not after `to`, and at most ten years long.
pub fn check_range(from: NaiveDate, to: NaiveDate) -> Result<(), ValueError> {
    if from > to || (to - from).num_days() > 3660 { Err(ValueError::Range(0, 3660)) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_start_label_and_step() {
        let date = d(2026, 11, 23);
        assert_eq!(Period::Week.start_of(date), d(2026, 11, 23));
        assert_eq!(Period::Week.start_of(d(2026, 11, 29)), d(2026, 11, 23));
        assert_eq!(Period::Month.start_of(date), d(2026, 11, 1));
        assert_eq!(Period::Quarter.start_of(date), d(2026, 10, 1));
        assert_eq!(Period::Quarter.label(d(2026, 10, 1)), "2026-Q4");
        assert_eq!(Period::Week.label(d(2026, 11, 23)), "2026-W48");
        assert_eq!(Period::Month.next(d(2026, 12, 1)), d(2027, 1, 1));
        assert_eq!(Period::Month.previous(d(2026, 1, 1)), d(2025, 12, 1));
        assert_eq!(Period::Year.label(d(2026, 1, 1)), "2026");
    }

    #[test]
    fn comparison_ranges() {
        assert_eq!(previous_range(d(2026, 11, 1), d(2026, 11, 30)), (d(2026, 10, 2), d(2026, 10, 31)));
        assert_eq!(year_before(d(2024, 2, 29)), d(2023, 2, 28));
        assert!(check_range(d(2026, 2, 1), d(2026, 1, 1)).is_err());
    }
}
