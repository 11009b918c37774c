//! Service (服务): the SLA clock. Due times are working time added to an instant, on a 24×7
//! schedule or a business-hours calendar in the organisation's time zone, with holidays and the
//! make-up working days (调休) Chinese calendars move weekends into.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dates::shift;
use crate::error::HasCode;
use crate::message::Text;
use crate::text;
use crate::values::{ValueError, string_enum};

mod commands;
pub mod knowledge;
pub mod tickets;

pub use commands::{
    AccountPatch, AccountSettings, DEFAULT_TICKET_CHANNEL, DEFAULT_TICKET_KIND, DEFAULT_TICKET_PRIORITY, NewAccount, NewTicket,
    POLICY_NAME_MAX, PolicyFields, PolicyPatch, SLA_TARGET_MAX_MINUTES, TICKET_SUBJECT_MAX,
};
pub use tickets::{CloseReason, Closure, MoveError, MoveInput, TicketMove};

string_enum! {
    /// What kind of service request a ticket is.
    TicketKind { Complaint => "complaint", Inquiry => "inquiry", Request => "request", Incident => "incident" }
}

string_enum! {
    /// How the ticket reached us.
    TicketChannel { Phone => "phone", Email => "email", Web => "web", Wechat => "wechat", Portal => "portal", Chat => "chat", Other => "other" }
}

string_enum! {
    /// How urgent a ticket is; each has its own SLA targets.
    TicketPriority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" }
}

string_enum! {
    /// 已受理 → 处理中 ⇄ 待客户 → 已解决 → 已关闭, reopened from resolved; a ticket may be closed
    /// from any open status, with a reason unless it was resolved (see [`TicketStatus::check_move`]).
    TicketStatus { New => "new", InProgress => "in_progress", WaitingCustomer => "waiting_customer", Resolved => "resolved", Closed => "closed" }
}

impl TicketStatus {
    /// The status as the Chinese interface names it, for sentences about a move.
    pub fn label_zh(self) -> &'static str {
        match self {
            TicketStatus::New => "已受理",
            TicketStatus::InProgress => "处理中",
            TicketStatus::WaitingCustomer => "待客户",
            TicketStatus::Resolved => "已解决",
            TicketStatus::Closed => "已关闭",
        }
    }

    pub fn can_move_to(self, next: TicketStatus) -> bool {
        use TicketStatus::*;
        matches!(
            (self, next),
            (New, InProgress | WaitingCustomer | Resolved | Closed)
                | (InProgress, WaitingCustomer | Resolved | Closed)
                | (WaitingCustomer, InProgress | Resolved | Closed)
                | (Resolved, Closed | InProgress)
        )
    }
}

/// Minutes of working time allowed per priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaTarget {
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
}

/// The targets of every priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaTargets {
    pub urgent: SlaTarget,
    pub high: SlaTarget,
    pub normal: SlaTarget,
    pub low: SlaTarget,
}

impl SlaTargets {
    pub fn for_priority(&self, priority: TicketPriority) -> SlaTarget {
        match priority {
            TicketPriority::Urgent => self.urgent,
            TicketPriority::High => self.high,
            TicketPriority::Normal => self.normal,
            TicketPriority::Low => self.low,
        }
    }

    /// Targets are 1 minute to a year of working time, and a response comes no later than the resolution.
    pub fn check(&self) -> Result<(), ValueError> {
        for target in [self.urgent, self.high, self.normal, self.low] {
            let ok = (1..=525_600).contains(&target.first_response_minutes)
                && (1..=525_600).contains(&target.resolution_minutes)
                && target.first_response_minutes <= target.resolution_minutes;
            if !ok {
                return Err(ValueError::Range(1, 525_600));
            }
        }
        Ok(())
    }
}

/// A business-hours calendar as stored and sent: weekdays as `mon`…`sun`, times as `HH:MM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// IANA time zone, e.g. `Asia/Shanghai`.
    pub time_zone: String,
    pub weekdays: Vec<String>,
    /// `09:00`.
    pub start: String,
    /// `18:00`.
    pub end: String,
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// Weekend days worked instead of holidays (调休).
    #[serde(default)]
    pub extra_workdays: Vec<NaiveDate>,
}

impl CalendarSpec {
    pub fn to_calendar(&self) -> Result<BusinessCalendar, CalendarError> {
        let time_zone: Tz = self.time_zone.parse().map_err(|_| CalendarError::TimeZone)?;
        let weekdays = self
            .weekdays
            .iter()
            .map(|d| match d.as_str() {
                "mon" => Ok(Weekday::Mon),
                "tue" => Ok(Weekday::Tue),
                "wed" => Ok(Weekday::Wed),
                "thu" => Ok(Weekday::Thu),
                "fri" => Ok(Weekday::Fri),
                "sat" => Ok(Weekday::Sat),
                "sun" => Ok(Weekday::Sun),
                _ => Err(CalendarError::Weekday),
            })
            .collect::<Result<HashSet<_>, _>>()?;
        let start = NaiveTime::parse_from_str(&self.start, "%H:%M").map_err(|_| CalendarError::Hours)?;
        let end = NaiveTime::parse_from_str(&self.end, "%H:%M").map_err(|_| CalendarError::Hours)?;
        if self.holidays.iter().chain(&self.extra_workdays).any(|day| crate::dates::check_date(*day).is_err()) {
            return Err(CalendarError::DateRange);
        }
        let calendar = BusinessCalendar {
            time_zone,
            weekdays,
            start,
            end,
            holidays: self.holidays.iter().copied().collect(),
            extra_workdays: self.extra_workdays.iter().copied().collect(),
        };
        calendar.check()?;
        Ok(calendar)
    }
}

/// A business-hours calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    pub time_zone: Tz,
    /// Usual working days.
    pub weekdays: HashSet<Weekday>,
    /// Working hours of a working day, local time, `start < end`.
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// Days off that would otherwise be working days (public holidays).
    pub holidays: BTreeSet<NaiveDate>,
    /// Days worked that would otherwise be off (调休 weekends).
    pub extra_workdays: BTreeSet<NaiveDate>,
}

/// When the SLA clock runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    AroundTheClock,
    BusinessHours(BusinessCalendar),
}

/// Why a calendar cannot be used. Every reason is reported against the `calendar` field under
/// the one code `calendar`; the sentence says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the time zone is not an IANA time zone such as Asia/Shanghai")]
    TimeZone,
    #[error("weekdays are mon, tue, wed, thu, fri, sat and sun")]
    Weekday,
    #[error("working hours are written HH:MM, such as 09:00")]
    Hours,
    #[error("holidays and extra workdays must be {}", crate::dates::RANGE_TEXT)]
    DateRange,
    #[error("a calendar needs at least one working weekday")]
    NoWorkingDays,
    #[error("working hours must start before they end")]
    EmptyDay,
}

impl HasCode for CalendarError {
    fn code(&self) -> &'static str {
        "calendar"
    }

    fn text(&self) -> Text {
        match self {
            CalendarError::TimeZone => {
                text!("the time zone is not an IANA time zone such as Asia/Shanghai", "时区须为 IANA 时区，例如 Asia/Shanghai")
            }
            CalendarError::Weekday => {
                text!("weekdays are mon, tue, wed, thu, fri, sat and sun", "工作日只能是 mon、tue、wed、thu、fri、sat、sun")
            }
            CalendarError::Hours => text!("working hours are written HH:MM, such as 09:00", "上下班时间须写作 HH:MM，例如 09:00"),
            CalendarError::DateRange => text!(
                "holidays and extra workdays must be between 1900-01-01 and 2199-12-31",
                "节假日和调休上班日须在 1900-01-01 与 2199-12-31 之间"
            ),
            CalendarError::NoWorkingDays => text!("a calendar needs at least one working weekday", "工作日历至少要有一个工作日"),
            CalendarError::EmptyDay => text!("working hours must start before they end", "上班时间须早于下班时间"),
        }
    }
}

/// The furthest a due time is searched for: ten years of calendar days.
const MAX_DAYS: i64 = 3660;

impl BusinessCalendar {
    pub fn check(&self) -> Result<(), CalendarError> {
        if self.weekdays.is_empty() && self.extra_workdays.is_empty() {
            return Err(CalendarError::NoWorkingDays);
        }
        if self.start >= self.end {
            return Err(CalendarError::EmptyDay);
        }
        Ok(())
    }

    /// Monday to Friday, 09:00–18:00, Asia/Shanghai, no holidays.
    pub fn china_office() -> Self {
        Self {
            time_zone: chrono_tz::Asia::Shanghai,
            weekdays: [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri].into_iter().collect(),
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
            holidays: BTreeSet::new(),
            extra_workdays: BTreeSet::new(),
        }
    }

    fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.extra_workdays.contains(&date) {
            return true;
        }
        self.weekdays.contains(&date.weekday()) && !self.holidays.contains(&date)
    }

    /// The working window of a local date, as UTC instants.
    fn window(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_working_day(date) {
            return None;
        }
        let open = self.time_zone.from_local_datetime(&date.and_time(self.start)).earliest()?.with_timezone(&Utc);
        let close = self.time_zone.from_local_datetime(&date.and_time(self.end)).latest()?.with_timezone(&Utc);
        (open < close).then_some((open, close))
    }
}

/// `minutes` (negative counts as none) as a duration, capped where chrono's durations end.
fn minutes_or_max(minutes: i64) -> Duration {
    Duration::try_minutes(minutes.max(0)).unwrap_or(Duration::MAX)
}

impl Schedule {
    /// The instant at which `minutes` of working time have passed since `from`.
    pub fn add_working_minutes(&self, from: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let calendar = match self {
            Schedule::AroundTheClock => return shift(from, minutes_or_max(minutes)),
            Schedule::BusinessHours(calendar) => calendar,
        };
        let mut remaining = minutes_or_max(minutes);
        let mut date = from.with_timezone(&calendar.time_zone).date_naive();
        for _ in 0..MAX_DAYS {
            if let Some((open, close)) = calendar.window(date) {
                let start = from.max(open);
                if start < close {
                    let available = close - start;
                    if remaining <= available {
                        return shift(start, remaining);
                    }
                    remaining -= available;
                }
            }
            date = date.succ_opt().unwrap_or(date);
        }
        // Unreachable with a checked calendar; a far date is the safe answer.
        shift(from, Duration::days(MAX_DAYS))
    }

    /// Working minutes between two instants (0 when `to` is not after `from`).
    pub fn working_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let calendar = match self {
            Schedule::AroundTheClock => return (to - from).num_minutes(),
            Schedule::BusinessHours(calendar) => calendar,
        };
        let mut total = Duration::zero();
        let mut date = from.with_timezone(&calendar.time_zone).date_naive();
        let last = to.with_timezone(&calendar.time_zone).date_naive();
        while date <= last {
            if let Some((open, close)) = calendar.window(date) {
                let (start, end) = (from.max(open), to.min(close));
                if start < end {
                    total += end - start;
                }
            }
            date = match date.succ_opt() {
                Some(next) => next,
                None => break,
            };
        }
        total.num_minutes()
    }

    /// The due time after a pause: a clock stopped from `paused_at` to `resumed_at` owes the
    /// working time that passed meanwhile.
    pub fn extend_for_pause(&self, due: DateTime<Utc>, paused_at: DateTime<Utc>, resumed_at: DateTime<Utc>) -> DateTime<Utc> {
        let owed = self.working_minutes_between(paused_at, resumed_at);
        self.add_working_minutes(due, owed)
    }

    /// How much of a target has elapsed, in per cent, at `now` (for the 80 % warning).
    pub fn elapsed_percent(&self, started: DateTime<Utc>, due: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
        let total = self.working_minutes_between(started, due);
        if total == 0 {
            return 100;
        }
        self.working_minutes_between(started, now) * 100 / total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Shanghai local time as UTC.
    fn sh(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Shanghai.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
    }

    fn office() -> Schedule {
        Schedule::BusinessHours(BusinessCalendar::china_office())
    }

    #[test]
    fn around_the_clock_adds_plain_minutes() {
        assert_eq!(Schedule::AroundTheClock.add_working_minutes(sh(2026, 11, 21, 23, 0), 120), sh(2026, 11, 22, 1, 0));
        assert_eq!(Schedule::AroundTheClock.working_minutes_between(sh(2026, 11, 21, 23, 0), sh(2026, 11, 22, 1, 0)), 120);
    }

    #[test]
    fn within_a_working_day() {
        // Monday 10:00 + 4 h = 14:00.
        assert_eq!(office().add_working_minutes(sh(2026, 11, 23, 10, 0), 240), sh(2026, 11, 23, 14, 0));
    }

    #[test]
    fn after_hours_starts_next_morning() {
        // Monday 20:00 + 1 h → Tuesday 10:00; Monday 07:00 + 1 h → Monday 10:00.
        assert_eq!(office().add_working_minutes(sh(2026, 11, 23, 20, 0), 60), sh(2026, 11, 24, 10, 0));
        assert_eq!(office().add_working_minutes(sh(2026, 11, 23, 7, 0), 60), sh(2026, 11, 23, 10, 0));
    }

    #[test]
    fn friday_evening_rolls_over_the_weekend() {
        // Friday 17:00 + 3 h: 1 h on Friday, 2 h on Monday → Monday 11:00.
        assert_eq!(office().add_working_minutes(sh(2026, 11, 27, 17, 0), 180), sh(2026, 11, 30, 11, 0));
        // Saturday counts nothing.
        assert_eq!(office().working_minutes_between(sh(2026, 11, 28, 0, 0), sh(2026, 11, 29, 23, 59)), 0);
    }

    #[test]
    fn holidays_are_skipped_and_make_up_days_worked() {
        let mut calendar = BusinessCalendar::china_office();
        // 国庆: 1–7 October off; Sunday 28 September and Saturday 11 October worked (调休).
        for day in 1..=7 {
            calendar.holidays.insert(NaiveDate::from_ymd_opt(2025, 10, day).unwrap());
        }
        calendar.extra_workdays.insert(NaiveDate::from_ymd_opt(2025, 9, 28).unwrap());
        calendar.extra_workdays.insert(NaiveDate::from_ymd_opt(2025, 10, 11).unwrap());
        let schedule = Schedule::BusinessHours(calendar);
        // Tuesday 30 September 17:00 + 2 h: 1 h that day, then the holiday week → Wednesday 8 October 10:00.
        assert_eq!(schedule.add_working_minutes(sh(2025, 9, 30, 17, 0), 120), sh(2025, 10, 8, 10, 0));
        // Saturday 27 September 12:00 + 1 h → Sunday 28 September (a make-up day) 10:00.
        assert_eq!(schedule.add_working_minutes(sh(2025, 9, 27, 12, 0), 60), sh(2025, 9, 28, 10, 0));
        assert_eq!(schedule.working_minutes_between(sh(2025, 10, 11, 9, 0), sh(2025, 10, 11, 18, 0)), 540);
    }

    #[test]
    fn a_pause_over_a_night_owes_only_the_working_time_it_took() {
        let schedule = office();
        // Due Wednesday 12:00; paused Monday 17:00, resumed Tuesday 10:00: 1 h Monday + 1 h Tuesday owed.
        let due = sh(2026, 11, 25, 12, 0);
        assert_eq!(schedule.extend_for_pause(due, sh(2026, 11, 23, 17, 0), sh(2026, 11, 24, 10, 0)), sh(2026, 11, 25, 14, 0));
        // A pause entirely outside working hours owes nothing.
        assert_eq!(schedule.extend_for_pause(due, sh(2026, 11, 23, 19, 0), sh(2026, 11, 24, 8, 0)), due);
        // 24×7: the whole pause.
        assert_eq!(
            Schedule::AroundTheClock.extend_for_pause(due, sh(2026, 11, 23, 19, 0), sh(2026, 11, 24, 8, 0)),
            due + Duration::hours(13)
        );
    }

    #[test]
    fn elapsed_share_is_measured_in_working_time() {
        let schedule = office();
        let (start, due) = (sh(2026, 11, 23, 9, 0), sh(2026, 11, 23, 19, 0));
        assert_eq!(schedule.add_working_minutes(start, 540), sh(2026, 11, 23, 18, 0));
        assert_eq!(schedule.elapsed_percent(start, sh(2026, 11, 23, 18, 0), sh(2026, 11, 23, 16, 12)), 80);
        assert_eq!(schedule.elapsed_percent(start, due, due), 100);
    }

    #[test]
    fn ticket_statuses_follow_the_service_process() {
        use TicketStatus::*;
        assert!(New.can_move_to(InProgress));
        assert!(InProgress.can_move_to(WaitingCustomer) && WaitingCustomer.can_move_to(InProgress));
        assert!(Resolved.can_move_to(InProgress), "reopen");
        assert!(!Closed.can_move_to(InProgress));
        assert!(InProgress.can_move_to(Closed) && WaitingCustomer.can_move_to(Closed), "closed early, with a reason");
        assert!(!Resolved.can_move_to(WaitingCustomer));
    }

    #[test]
    fn calendar_specs_parse_and_refuse_nonsense() {
        let spec = CalendarSpec {
            time_zone: "Asia/Shanghai".into(),
            weekdays: vec!["mon".into(), "fri".into()],
            start: "09:00".into(),
            end: "18:00".into(),
            holidays: vec![],
            extra_workdays: vec![],
        };
        let calendar = spec.to_calendar().unwrap();
        assert_eq!(calendar.weekdays.len(), 2);
        assert!(CalendarSpec { time_zone: "Mars/Olympus".into(), ..spec.clone() }.to_calendar().is_err());
        assert!(CalendarSpec { start: "18:00".into(), end: "09:00".into(), ..spec.clone() }.to_calendar().is_err());
        assert!(CalendarSpec { weekdays: vec!["funday".into()], ..spec }.to_calendar().is_err());
    }

    #[test]
    fn calendars_without_working_time_are_refused() {
        let mut calendar = BusinessCalendar::china_office();
        calendar.weekdays.clear();
        assert_eq!(calendar.check(), Err(CalendarError::NoWorkingDays));
        let mut calendar = BusinessCalendar::china_office();
        calendar.end = calendar.start;
        assert_eq!(calendar.check(), Err(CalendarError::EmptyDay));
        assert!(BusinessCalendar::china_office().check().is_ok());
    }
}
