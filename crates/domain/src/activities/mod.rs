//! Activities: communication records (沟通记录), tasks and reminders (跟进提醒), and the
//! kinds of items on a customer's timeline (客户360°视图).

use chrono::{DateTime, Duration, Utc};

use crate::dates::shift;
use crate::values::{ValueError, string_enum};

mod interactions;
mod rules;
mod tasks;

pub use interactions::{DEFAULT_DIRECTION, InteractionFields, InteractionPatch, MAX_DURATION_MINUTES, OUTCOME_MAX, SUBJECT_MAX};
pub use rules::{DUE_IN_DAYS_MAX, RuleFields, RulePatch, SILENT_DAYS_MAX, SILENT_DAYS_MIN};
pub use tasks::{DEFAULT_PRIORITY, TASK_TITLE_MAX, TaskFields, TaskPatch};

string_enum! {
    /// How the interaction took place.
    Channel {
        Phone => "phone", Email => "email", Visit => "visit", Meeting => "meeting", Wechat => "wechat",
        Sms => "sms", Chat => "chat", Note => "note",
    }
}

string_enum! {
    /// Who reached out.
    Direction { Inbound => "inbound", Outbound => "outbound" }
}

string_enum! {
    /// How urgent a task is.
    TaskPriority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" }
}

string_enum! {
    /// Where a task stands.
    TaskStatus { Open => "open", Done => "done", Cancelled => "cancelled" }
}

impl TaskStatus {
    /// The status as the Chinese interface names it.
    pub fn label_zh(self) -> &'static str {
        match self {
            TaskStatus::Open => "待办",
            TaskStatus::Done => "已完成",
            TaskStatus::Cancelled => "已取消",
        }
    }

    /// Done and cancelled tasks can be reopened; an open task can be done or cancelled.
    pub fn can_move_to(self, next: TaskStatus) -> bool {
        matches!(
            (self, next),
            (TaskStatus::Open, TaskStatus::Done | TaskStatus::Cancelled) | (TaskStatus::Done | TaskStatus::Cancelled, TaskStatus::Open)
        )
    }
}

string_enum! {
    /// What a task is about, besides its customer.
    RelatedType { Customer => "customer", Contact => "contact", Interaction => "interaction" }
}

string_enum! {
    /// The kinds of items on a customer's timeline. Later modules add theirs (opportunity,
    /// order, ticket, requirement, survey answer) without changing the item's shape.
    TimelineKind {
        Interaction => "interaction", Task => "task", StageChange => "stage_change", Contact => "contact",
        Opportunity => "opportunity", Order => "order", Ticket => "ticket", Requirement => "requirement",
    }
}

string_enum! {
    /// Why a user is notified.
    NotificationKind {
        TaskAssigned => "task_assigned", TaskDue => "task_due", TaskOverdue => "task_overdue",
        TicketAssigned => "ticket_assigned", SlaAtRisk => "sla_at_risk", SlaBreached => "sla_breached",
        WebhookDisabled => "webhook_disabled",
    }
}

/// How far in the future an interaction may be dated (clock skew between devices).
pub const FUTURE_TOLERANCE_MINUTES: i64 = 5;

/// Interactions record what happened: they cannot be dated beyond a small clock-skew tolerance.
pub fn check_occurred_at(occurred_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, ValueError> {
    if occurred_at > shift(now, Duration::minutes(FUTURE_TOLERANCE_MINUTES)) { Err(ValueError::InFuture) } else { Ok(occurred_at) }
}

/// When a rule's task is due: `due_in_days` after it is created.
pub fn rule_task_due(now: DateTime<Utc>, due_in_days: i32) -> DateTime<Utc> {
    shift(now, Duration::days(i64::from(due_in_days)))
}

/// Whether a customer silent since `silent_since` has been silent for at least `days` at `now`.
pub fn is_silent(silent_since: DateTime<Utc>, days: i32, now: DateTime<Utc>) -> bool {
    silent_since <= shift(now, Duration::days(-i64::from(days)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_move_between_open_and_closed_states_only() {
        assert!(TaskStatus::Open.can_move_to(TaskStatus::Done));
        assert!(TaskStatus::Open.can_move_to(TaskStatus::Cancelled));
        assert!(TaskStatus::Done.can_move_to(TaskStatus::Open));
        assert!(!TaskStatus::Done.can_move_to(TaskStatus::Cancelled));
        assert!(!TaskStatus::Open.can_move_to(TaskStatus::Open));
    }

    #[test]
    fn interactions_may_not_lie_in_the_future_beyond_the_tolerance() {
        let now = Utc::now();
        assert!(check_occurred_at(now - Duration::days(3), now).is_ok());
        assert!(check_occurred_at(now + Duration::minutes(4), now).is_ok());
        assert!(check_occurred_at(now + Duration::minutes(6), now).is_err());
    }

    #[test]
    fn silence_is_measured_in_whole_days_from_the_last_contact() {
        let now = Utc::now();
        assert!(is_silent(now - Duration::days(14), 14, now));
        assert!(!is_silent(now - Duration::days(13), 14, now));
        assert_eq!(rule_task_due(now, 2), now + Duration::days(2));
    }
}
