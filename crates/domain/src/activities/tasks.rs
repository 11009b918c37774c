//! Tasks and reminders (跟进提醒): what creating one says and what a merge patch changes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{RelatedType, TaskPriority};
use crate::patch::merge_patch;
use crate::{Check, FieldError, text};

/// Longest task title, in characters.
pub const TASK_TITLE_MAX: usize = 200;
/// The priority of a task that names none.
pub const DEFAULT_PRIORITY: TaskPriority = TaskPriority::Normal;

/// Every field a person sets on a task, each already valid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskFields {
    /// What to do.
    pub title: String,
    /// More on what to do.
    pub description: Option<String>,
    /// When it is due; undated tasks sort after every dated one.
    pub due_at: Option<DateTime<Utc>>,
    /// When to remind the assignee.
    pub remind_at: Option<DateTime<Utc>>,
    /// How urgent it is.
    pub priority: TaskPriority,
    /// Who does it.
    pub assignee_id: Uuid,
    /// The customer it is for.
    pub customer_id: Option<Uuid>,
    /// What else it is about, with `related_id`.
    pub related_type: Option<RelatedType>,
    /// The record of `related_type` it is about.
    pub related_id: Option<Uuid>,
}

merge_patch! {
    /// A change to some fields of a task (JSON merge patch); what it is about stays as created,
    /// and its status moves through [`super::TaskStatus::can_move_to`].
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TaskPatch applies to TaskFields {
        title: String,
        description: Option<String>,
        due_at: Option<DateTime<Utc>>,
        remind_at: Option<DateTime<Utc>>,
        priority: TaskPriority,
        assignee_id: Uuid,
    }
}

impl Check {
    /// What a task is about besides its customer: a type and an id, both or neither. Answers the
    /// type when it is valid.
    pub fn related(&mut self, related_type: Option<&str>, related_id: Option<Uuid>) -> Option<RelatedType> {
        let related_type = related_type.and_then(|t| self.value("related_type", t, RelatedType::parse));
        if related_type.is_some() != related_id.is_some() {
            self.0.push(FieldError::new(
                "related_id",
                "pair",
                text!("related_type and related_id go together", "关联类型与关联记录须同时填写"),
            ));
        }
        related_type
    }

    /// A reminder comes at the due time at the latest.
    pub fn reminder_before_due(&mut self, remind_at: Option<DateTime<Utc>>, due_at: Option<DateTime<Utc>>) {
        if let (Some(remind), Some(due)) = (remind_at, due_at)
            && remind > due
        {
            self.0.push(FieldError::new(
                "remind_at",
                "after_due",
                text!("the reminder must not come after the due time", "提醒时间不能晚于截止时间"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::Duration;

    use super::*;

    #[test]
    fn a_task_patch_reassigns_and_undates() {
        let now = Utc::now();
        let current = TaskFields {
            title: "回访".into(),
            description: None,
            due_at: Some(now),
            remind_at: None,
            priority: DEFAULT_PRIORITY,
            assignee_id: Uuid::nil(),
            customer_id: None,
            related_type: None,
            related_id: None,
        };
        let someone = Uuid::from_u128(7);
        let patch = TaskPatch { assignee_id: Some(someone), due_at: Some(None), ..Default::default() };
        assert_eq!(patch.apply(&current), TaskFields { assignee_id: someone, due_at: None, ..current });
    }

    #[test]
    fn a_related_record_has_a_type_and_an_id_and_a_reminder_precedes_the_due_time() {
        let now = Utc::now();
        let mut check = Check::default();
        assert_eq!(check.related(Some("contact"), Some(Uuid::nil())), Some(RelatedType::Contact));
        assert_eq!(check.related(None, None), None);
        check.reminder_before_due(Some(now), Some(now));
        assert!(check.is_clean());
        check.related(Some("contact"), None);
        check.reminder_before_due(Some(now + Duration::minutes(1)), Some(now));
        let codes: Vec<String> = check.finish().unwrap_err().0.into_iter().map(|e| e.code).collect();
        assert_eq!(codes, ["pair", "after_due"]);
    }
}
