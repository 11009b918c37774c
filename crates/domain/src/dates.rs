//! The one range of calendar dates the CRM accepts from clients, the one parser for them, and
//! calendar arithmetic that cannot panic.
//!
//! chrono represents years from about -262,000 to +262,000, and its `+`/`-` operators panic at
//! those ends: a report asked for `to=-262143-01-01` used to take the server down. Every date or
//! time a client sends (query parameters, body fields, cursors) is therefore checked against
//! [`EARLIEST`]..=[`LATEST`] when it is parsed, and arithmetic on dates uses the helpers below,
//! which saturate instead of panicking, so a bug elsewhere cannot turn into a crash.

use chrono::{DateTime, Duration, Months, NaiveDate, TimeZone, Utc};

use crate::error::HasCode;

/// The first day a client may send.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// The last day a client may send.
pub const LATEST: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(day) => day,
    None => NaiveDate::MAX,
};

/// The accepted range as people read it (also quoted in the OpenAPI descriptions).
pub const RANGE_TEXT: &str = "between 1900-01-01 and 2199-12-31";

/// Why a client's date was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("must be a date (YYYY-MM-DD)")]
    Malformed,
    #[error("must be a date (YYYY-MM-DD) or an RFC 3339 time")]
    MalformedTime,
    #[error("must be between 1900-01-01 and 2199-12-31")]
    OutOfRange,
}

impl HasCode for DateError {
    fn code(&self) -> &'static str {
        match self {
            DateError::Malformed | DateError::MalformedTime => "date",
            DateError::OutOfRange => "date_range",
        }
    }

    fn text(&self) -> crate::message::Text {
        match self {
            DateError::Malformed => crate::text!("must be a date (YYYY-MM-DD)", "须为日期（YYYY-MM-DD）"),
            DateError::MalformedTime => {
                crate::text!("must be a date (YYYY-MM-DD) or an RFC 3339 time", "须为日期（YYYY-MM-DD）或 RFC 3339 时间")
            }
            DateError::OutOfRange => crate::text!("must be between 1900-01-01 and 2199-12-31", "须在 1900-01-01 与 2199-12-31 之间"),
        }
    }
}

/// `day` when it lies in the accepted range.
pub fn check_date(day: NaiveDate) -> Result<NaiveDate, DateError> {
    if (EARLIEST..=LATEST).contains(&day) { Ok(day) } else { Err(DateError::OutOfRange) }
}

/// `time` when its UTC day lies in the accepted range.
pub fn check_time(time: DateTime<Utc>) -> Result<DateTime<Utc>, DateError> {
    check_date(time.date_naive()).map(|_| time)
}

/// A `YYYY-MM-DD` date in the accepted range (`2026-02-30`, `9999-99-99` and `+262142-12-31`
/// are refused).
pub fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    let text = text.trim();
    // chrono's `%Y` takes signed years of any length; a client date has exactly four digits.
    if text.len() != 10 || !text.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(DateError::Malformed);
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| DateError::Malformed)?;
    check_date(day)
}

/// An RFC 3339 time whose UTC day lies in the accepted range.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, DateError> {
    let time = DateTime::parse_from_rfc3339(text.trim()).map_err(|_| DateError::MalformedTime)?;
    check_time(time.with_timezone(&Utc))
}

/// `day` moved by `days`, stopping at chrono's first or last day instead of panicking.
pub fn add_days(day: NaiveDate, days: i64) -> NaiveDate {
    Duration::try_days(days).and_then(|step| day.checked_add_signed(step)).unwrap_or(if days < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// `day` moved by whole months (the 31st falls back to the month's last day), saturating.
pub fn add_months(day: NaiveDate, months: i32) -> NaiveDate {
    let shifted = if months < 0 {
        day.checked_sub_months(Months::new(months.unsigned_abs()))
    } else {
        day.checked_add_months(Months::new(months.unsigned_abs()))
    };
    shifted.unwrap_or(if months < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// `time` moved by `step`, saturating at chrono's limits.
pub fn shift(time: DateTime<Utc>, step: Duration) -> DateTime<Utc> {
    time.checked_add_signed(step).unwrap_or(if step < Duration::zero() { DateTime::<Utc>::MIN_UTC } else { DateTime::<Utc>::MAX_UTC })
}

/// The organisation's calendar day at `now`. Days are the organisation's, not UTC's: at 01:14 in
/// Shanghai (17:14 UTC the day before) today is already the Shanghai date, and a range ending on
/// the UTC date would leave out that day's orders.
pub fn organisation_today(now: DateTime<Utc>, time_zone: chrono_tz::Tz) -> NaiveDate {
    now.with_timezone(&time_zone).date_naive()
}

/// The instant `day` begins in the organisation's zone. Where the zone skips midnight (a daylight
/// saving gap), the day begins at the first instant after the gap.
pub fn organisation_day_start(day: NaiveDate, time_zone: chrono_tz::Tz) -> DateTime<Utc> {
    (0..=2)
        .filter_map(|hour| day.and_hms_opt(hour, 0, 0))
        .find_map(|local| time_zone.from_local_datetime(&local).earliest())
        .map(|start| start.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_inside_the_range_parse_and_others_are_refused() {
        assert_eq!(parse_date("2026-11-23").unwrap(), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(parse_date("1900-01-01").unwrap(), EARLIEST);
        assert_eq!(parse_date("2199-12-31").unwrap(), LATEST);
        assert_eq!(parse_date("1899-12-31"), Err(DateError::OutOfRange));
        assert_eq!(parse_date("2200-01-01"), Err(DateError::OutOfRange));
        assert_eq!(parse_date("+262142-12-31"), Err(DateError::Malformed));
        assert_eq!(parse_date("-262143-01-01"), Err(DateError::Malformed));
        assert_eq!(parse_date("2026-02-30"), Err(DateError::Malformed));
        assert_eq!(parse_date("9999-99-99"), Err(DateError::Malformed));
        assert!(parse_time("2026-11-23T08:00:00+08:00").is_ok());
        assert_eq!(parse_time("+262142-12-31T00:00:00Z").map_err(|e| e.code()), Err("date"));
        assert_eq!(parse_time("3000-01-01T00:00:00Z"), Err(DateError::OutOfRange));
    }

    #[test]
    fn arithmetic_saturates_at_the_ends_instead_of_panicking() {
        assert_eq!(add_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(add_days(NaiveDate::MIN, -365), NaiveDate::MIN);
        assert_eq!(add_days(LATEST, i64::MAX), NaiveDate::MAX);
        assert_eq!(add_months(NaiveDate::MIN, -12), NaiveDate::MIN);
        assert_eq!(add_months(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(), 1), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!(shift(DateTime::<Utc>::MAX_UTC, Duration::days(1)), DateTime::<Utc>::MAX_UTC);
    }
}
