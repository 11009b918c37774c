//! Communication records (沟通记录): what recording one says and what a merge patch changes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{Channel, Direction, check_occurred_at};
use crate::Check;
use crate::patch::merge_patch;

/// Longest subject of an interaction, in characters.
pub const SUBJECT_MAX: usize = 200;
/// Longest outcome or next step of an interaction, in characters.
pub const OUTCOME_MAX: usize = 2000;
/// The longest interaction we record, in minutes (a day-long visit or workshop).
pub const MAX_DURATION_MINUTES: i32 = 24 * 60;
/// Who reached out when the record does not say: most records are of calls and visits we made.
pub const DEFAULT_DIRECTION: Direction = Direction::Outbound;

/// What a person records about an interaction, already valid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InteractionFields {
    /// A contact of the interaction's customer.
    pub contact_id: Option<Uuid>,
    /// The opportunity it was about.
    pub opportunity_id: Option<Uuid>,
    /// The ticket it was about.
    pub ticket_id: Option<Uuid>,
    /// The requirement it was about.
    pub requirement_id: Option<Uuid>,
    /// How it took place.
    pub channel: Channel,
    /// Who reached out.
    pub direction: Direction,
    /// When it took place; never beyond a small clock-skew tolerance in the future.
    pub occurred_at: DateTime<Utc>,
    /// How long it took, `0..=MAX_DURATION_MINUTES`.
    pub duration_minutes: Option<i32>,
    /// One line on what it was.
    pub subject: String,
    /// What was said.
    pub content: Option<String>,
    /// What came of it.
    pub outcome: Option<String>,
    /// What happens next.
    pub next_step: Option<String>,
}

merge_patch! {
    /// A change to some fields of an interaction (JSON merge patch); what it was about
    /// (opportunity, ticket, requirement) stays as recorded.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct InteractionPatch applies to InteractionFields {
        contact_id: Option<Uuid>,
        channel: Channel,
        direction: Direction,
        occurred_at: DateTime<Utc>,
        duration_minutes: Option<i32>,
        subject: String,
        content: Option<String>,
        outcome: Option<String>,
        next_step: Option<String>,
    }
}

impl Check {
    /// When an interaction took place, at `now` at the latest (give or take the clock-skew
    /// tolerance of [`check_occurred_at`]).
    pub fn occurred_at(&mut self, occurred_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.value("occurred_at", "", |_| check_occurred_at(occurred_at, now))
    }

    /// How long an interaction took, `0..=MAX_DURATION_MINUTES`.
    pub fn duration_minutes(&mut self, minutes: i32) -> Option<i32> {
        self.range("duration_minutes", minutes, 0, MAX_DURATION_MINUTES)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::Duration;

    use super::*;

    fn call(now: DateTime<Utc>) -> InteractionFields {
        InteractionFields {
            contact_id: None,
            opportunity_id: Some(Uuid::nil()),
            ticket_id: None,
            requirement_id: None,
            channel: Channel::Phone,
            direction: DEFAULT_DIRECTION,
            occurred_at: now,
            duration_minutes: Some(10),
            subject: "电话回访".into(),
            content: None,
            outcome: Some("同意见面".into()),
            next_step: None,
        }
    }

    #[test]
    fn an_interaction_patch_changes_the_channel_and_clears_the_outcome() {
        let now = Utc::now();
        let patch = InteractionPatch { channel: Some(Channel::Visit), outcome: Some(None), ..Default::default() };
        assert_eq!(patch.apply(&call(now)), InteractionFields { channel: Channel::Visit, outcome: None, ..call(now) });
    }

    #[test]
    fn durations_and_times_are_checked_against_their_limits() {
        let now = Utc::now();
        let mut check = Check::default();
        assert_eq!(check.duration_minutes(MAX_DURATION_MINUTES), Some(MAX_DURATION_MINUTES));
        assert_eq!(check.duration_minutes(MAX_DURATION_MINUTES + 1), None);
        assert_eq!(check.occurred_at(now - Duration::days(1), now), Some(now - Duration::days(1)));
        assert_eq!(check.occurred_at(now + Duration::hours(1), now), None);
        let fields: Vec<String> = check.finish().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["duration_minutes", "occurred_at"]);
    }
}
