//! What collecting a requirement says, what a merge patch changes, and who asks for one.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{RequirementCategory, RequirementSource};
use crate::patch::merge_patch;
use crate::{Check, FieldError, text};

/// Longest requirement title, in characters.
pub const REQUIREMENT_TITLE_MAX: usize = 200;
/// Longest department name, in characters.
pub const DEPARTMENT_MAX: usize = 100;
/// Longest release name, in characters.
pub const RELEASE_MAX: usize = 50;
/// Longest note of a requester, in characters.
pub const REQUESTER_NOTE_MAX: usize = 2000;
/// Importance, urgency and effort are levels from 1…
pub const LEVEL_MIN: i32 = 1;
/// …to 5.
pub const LEVEL_MAX: i32 = 5;
/// The level of importance, urgency or effort a new requirement that names none gets: the middle.
pub const DEFAULT_LEVEL: i32 = 3;
/// The category of a requirement that names none.
pub const DEFAULT_CATEGORY: RequirementCategory = RequirementCategory::Functional;

/// The record a requirement starts from: it becomes the first requester.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A customer (and one of its contacts) asked directly.
    Customer {
        /// The customer who asked.
        customer_id: Uuid,
        /// Its contact who asked.
        contact_id: Option<Uuid>,
    },
    /// It came up in this ticket.
    Ticket(Uuid),
    /// It came up in this interaction.
    Interaction(Uuid),
}

impl Origin {
    /// Where a requirement comes from when the body does not say: a ticket's are `ticket`,
    /// everything else `feedback`.
    pub fn default_source(origin_is_ticket: bool) -> RequirementSource {
        if origin_is_ticket { RequirementSource::Ticket } else { RequirementSource::Feedback }
    }
}

/// Every field a person sets on a requirement, each already valid; status moves, rejection and
/// delivery have their own rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementFields {
    /// What is asked for.
    pub title: String,
    /// More on what is asked for.
    pub description: Option<String>,
    /// Functional, performance, usability…
    pub category: RequirementCategory,
    /// Where it came from.
    pub source_channel: RequirementSource,
    /// 1–5.
    pub importance: i32,
    /// 1–5.
    pub urgency: i32,
    /// 1–5.
    pub effort: i32,
    /// Who takes care of it.
    pub owner_id: Option<Uuid>,
    /// The department it concerns.
    pub department: Option<String>,
    /// When it should be delivered.
    pub target_date: Option<NaiveDate>,
    /// The release that delivers it.
    pub release: Option<String>,
    /// Trimmed and de-duplicated.
    pub tags: Vec<String>,
}

/// A requirement to collect: its fields, the record it starts from, and the first requester's note.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRequirement {
    /// What it says.
    pub fields: RequirementFields,
    /// The record it starts from, which becomes its first requester.
    pub origin: Option<Origin>,
    /// The first requester's note.
    pub note: Option<String>,
}

merge_patch! {
    /// A change to some fields of a requirement (JSON merge patch); each change is kept as a
    /// revision.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RequirementPatch applies to RequirementFields {
        title: String,
        description: Option<String>,
        category: RequirementCategory,
        source_channel: RequirementSource,
        importance: i32,
        urgency: i32,
        effort: i32,
        owner_id: Option<Uuid>,
        department: Option<String>,
        target_date: Option<NaiveDate>,
        release: Option<String>,
        tags: Vec<String>,
    }
}

/// A customer (or a contact, ticket or interaction of one) asking for a requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRequester {
    /// The customer who asks.
    pub customer_id: Uuid,
    /// Its contact who asks.
    pub contact_id: Option<Uuid>,
    /// The ticket it came up in.
    pub ticket_id: Option<Uuid>,
    /// The interaction it came up in.
    pub interaction_id: Option<Uuid>,
    /// What they said.
    pub note: Option<String>,
    /// When they asked; default now.
    pub requested_at: Option<DateTime<Utc>>,
}

impl Check {
    /// An importance, urgency or effort level, `LEVEL_MIN..=LEVEL_MAX`.
    pub fn level(&mut self, field: &str, level: i32) -> Option<i32> {
        self.range(field, level, LEVEL_MIN, LEVEL_MAX)
    }

    /// The one origin a body names: a customer (with a contact), a ticket or an interaction.
    pub fn origin(
        &mut self,
        customer_id: Option<Uuid>,
        contact_id: Option<Uuid>,
        ticket_id: Option<Uuid>,
        interaction_id: Option<Uuid>,
    ) -> Option<Origin> {
        match (customer_id, contact_id, ticket_id, interaction_id) {
            (Some(customer_id), contact_id, None, None) => Some(Origin::Customer { customer_id, contact_id }),
            (None, None, Some(ticket), None) => Some(Origin::Ticket(ticket)),
            (None, None, None, Some(interaction)) => Some(Origin::Interaction(interaction)),
            _ => {
                self.0.push(FieldError::new(
                    "origin",
                    "invalid",
                    text!(
                        "name one origin: customer_id (with contact_id), ticket_id or interaction_id",
                        "只能指定一个来源：customer_id（可带 contact_id）、ticket_id 或 interaction_id"
                    ),
                ));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_requirement_patch_drops_the_owner_and_keeps_the_levels() {
        let current = RequirementFields {
            title: "批量导出".into(),
            description: None,
            category: DEFAULT_CATEGORY,
            source_channel: RequirementSource::Feedback,
            importance: 4,
            urgency: DEFAULT_LEVEL,
            effort: 2,
            owner_id: Some(Uuid::nil()),
            department: None,
            target_date: None,
            release: None,
            tags: vec![],
        };
        let next = RequirementPatch { owner_id: Some(None), ..Default::default() }.apply(&current);
        assert_eq!(next, RequirementFields { owner_id: None, ..current });
    }

    #[test]
    fn a_requirement_has_one_origin() {
        let id = Uuid::nil();
        let mut check = Check::default();
        assert_eq!(check.origin(Some(id), Some(id), None, None), Some(Origin::Customer { customer_id: id, contact_id: Some(id) }));
        assert_eq!(check.origin(None, None, Some(id), None), Some(Origin::Ticket(id)));
        assert!(check.is_clean());
        assert_eq!(check.origin(Some(id), None, Some(id), None), None);
        assert_eq!(check.origin(None, Some(id), None, None), None);
        assert_eq!(check.finish().unwrap_err().0.len(), 2);
        assert_eq!(Origin::default_source(true), RequirementSource::Ticket);
    }
}
