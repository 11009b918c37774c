//! What opening a ticket says, and the SLA policies' and portal accounts' fields with their
//! merge patches.

use serde::Serialize;
use uuid::Uuid;

use super::{CalendarSpec, SlaTargets, TicketChannel, TicketKind, TicketPriority};
use crate::patch::merge_patch;
use crate::{FieldError, HasCode, ValidationErrors, text};

/// Longest ticket subject, in characters.
pub const TICKET_SUBJECT_MAX: usize = 200;
/// The kind of a ticket that names none.
pub const DEFAULT_TICKET_KIND: TicketKind = TicketKind::Inquiry;
/// The channel of a ticket that names none: most tickets staff open come in by phone.
pub const DEFAULT_TICKET_CHANNEL: TicketChannel = TicketChannel::Phone;
/// The priority of a ticket that names none.
pub const DEFAULT_TICKET_PRIORITY: TicketPriority = TicketPriority::Normal;
/// Longest SLA policy name, in characters.
pub const POLICY_NAME_MAX: usize = 100;
/// The longest SLA target, in working minutes (a year).
pub const SLA_TARGET_MAX_MINUTES: i64 = 525_600;

/// A ticket to open; the number, status and due times are the server's.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    /// The customer it is for.
    pub customer_id: Uuid,
    /// The customer's contact who asked.
    pub contact_id: Option<Uuid>,
    /// One line on what it is about.
    pub subject: String,
    /// What the customer said.
    pub description: Option<String>,
    /// Complaint, inquiry, request or incident.
    pub kind: TicketKind,
    /// How it reached us.
    pub channel: TicketChannel,
    /// How urgent it is; it picks the SLA targets.
    pub priority: TicketPriority,
    /// Who handles it.
    pub assignee_id: Option<Uuid>,
    /// With a team and no assignee, the ticket is assigned round-robin within the team.
    pub team_id: Option<Uuid>,
    /// Values of the tickets' custom fields (see `platform::custom_fields`).
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
}

/// Every field of an SLA policy, each already valid on its own; [`PolicyFields::check`] checks
/// the calendar and the targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyFields {
    /// Unique among policies.
    pub name: String,
    /// New tickets follow the default policy; exactly one is.
    pub is_default: bool,
    /// Whether the clock runs on the calendar's business hours rather than 24×7.
    pub business_hours: bool,
    /// Working hours, holidays and make-up working days.
    pub calendar: CalendarSpec,
    /// First-response and resolution targets per priority.
    pub targets: SlaTargets,
}

impl PolicyFields {
    /// Calendars and targets must make sense before they are stored.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        self.calendar.to_calendar().map_err(|e| ValidationErrors(vec![e.field_error("calendar")]))?;
        self.targets.check().map_err(|_| {
            let message = text!(
                "targets are 1 to 525600 working minutes, the first response no later than the resolution",
                "时限须为 1 至 525600 分钟工作时间，且首次响应时限不得长于解决时限"
            );
            ValidationErrors(vec![
                FieldError::new("targets", "range", message).with_param("min", 1).with_param("max", SLA_TARGET_MAX_MINUTES),
            ])
        })
    }
}

merge_patch! {
    /// A change to some fields of an SLA policy (JSON merge patch).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PolicyPatch applies to PolicyFields {
        name: String,
        is_default: bool,
        business_hours: bool,
        calendar: CalendarSpec,
        targets: SlaTargets,
    }
}

/// A portal account to create for a contact, with an invitation.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAccount {
    /// The contact who signs in.
    pub contact_id: Uuid,
    /// The sign-in email; the contact's own email when absent.
    pub email: Option<String>,
    /// Whether the contact sees every ticket of their company, not only their own.
    pub sees_company_tickets: bool,
}

/// What staff change on a portal account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountSettings {
    /// Whether the contact sees every ticket of their company, not only their own.
    pub sees_company_tickets: bool,
    /// Inactive accounts cannot sign in.
    pub active: bool,
}

merge_patch! {
    /// A change to a portal account's settings (JSON merge patch).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct AccountPatch applies to AccountSettings {
        sees_company_tickets: bool,
        active: bool,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_policy_patch_renames_and_keeps_the_clock() {
        let target = super::super::SlaTarget { first_response_minutes: 60, resolution_minutes: 480 };
        let current = PolicyFields {
            name: "标准".into(),
            is_default: true,
            business_hours: true,
            calendar: CalendarSpec {
                time_zone: "Asia/Shanghai".into(),
                weekdays: vec!["mon".into(), "tue".into()],
                start: "09:00".into(),
                end: "18:00".into(),
                holidays: vec![],
                extra_workdays: vec![],
            },
            targets: SlaTargets { urgent: target, high: target, normal: target, low: target },
        };
        assert!(current.check().is_ok());
        let next = PolicyPatch { name: Some("标准服务".into()), ..Default::default() }.apply(&current);
        assert_eq!(next, PolicyFields { name: "标准服务".into(), ..current });
    }

    #[test]
    fn an_account_patch_deactivates_and_keeps_what_it_sees() {
        let current = AccountSettings { sees_company_tickets: true, active: true };
        let next = AccountPatch { active: Some(false), ..Default::default() }.apply(&current);
        assert_eq!(next, AccountSettings { sees_company_tickets: true, active: false });
    }
}
