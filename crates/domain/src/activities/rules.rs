//! Follow-up rules: what creating one says and what a merge patch changes.

use serde::Serialize;

use super::TaskPriority;
use crate::Check;
use crate::customers::LifecycleStage;
use crate::patch::merge_patch;

/// A rule waits at least a day of silence…
pub const SILENT_DAYS_MIN: i32 = 1;
/// …and at most ten years.
pub const SILENT_DAYS_MAX: i32 = 3650;
/// A rule's task is due within a year of its creation.
pub const DUE_IN_DAYS_MAX: i32 = 365;

/// Every field of a follow-up rule, each already valid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleFields {
    /// The stage of the customers it watches.
    pub lifecycle_stage: LifecycleStage,
    /// Days without an interaction before it acts.
    pub silent_days: i32,
    /// Days from the task's creation to its due time.
    pub due_in_days: i32,
    /// The priority of its tasks.
    pub priority: TaskPriority,
    /// Inactive rules create no tasks.
    pub active: bool,
}

merge_patch! {
    /// A change to some fields of a follow-up rule (JSON merge patch).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RulePatch applies to RuleFields {
        lifecycle_stage: LifecycleStage,
        silent_days: i32,
        due_in_days: i32,
        priority: TaskPriority,
        active: bool,
    }
}

impl Check {
    /// A rule's days of silence, `SILENT_DAYS_MIN..=SILENT_DAYS_MAX`.
    pub fn silent_days(&mut self, days: i32) -> Option<i32> {
        self.range("silent_days", days, SILENT_DAYS_MIN, SILENT_DAYS_MAX)
    }

    /// Days until a rule's task is due, `0..=DUE_IN_DAYS_MAX`.
    pub fn due_in_days(&mut self, days: i32) -> Option<i32> {
        self.range("due_in_days", days, 0, DUE_IN_DAYS_MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_patch_pauses_a_rule_and_keeps_its_days() {
        let current = RuleFields {
            lifecycle_stage: LifecycleStage::Prospect,
            silent_days: 14,
            due_in_days: 2,
            priority: TaskPriority::High,
            active: true,
        };
        let next = RulePatch { active: Some(false), ..Default::default() }.apply(&current);
        assert_eq!(next, RuleFields { active: false, ..current });
    }

    #[test]
    fn rule_days_stay_within_their_bounds() {
        let mut check = Check::default();
        assert_eq!(check.silent_days(SILENT_DAYS_MIN - 1), None);
        assert_eq!(check.silent_days(SILENT_DAYS_MAX), Some(SILENT_DAYS_MAX));
        assert_eq!(check.due_in_days(0), Some(0));
        assert_eq!(check.due_in_days(DUE_IN_DAYS_MAX + 1), None);
        assert_eq!(check.finish().map_err(|e| e.0.len()), Err(2));
    }
}
