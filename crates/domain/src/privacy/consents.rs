//! Consents (同意记录): whether a person agreed to be contacted for a purpose, as given and as
//! withdrawn. History is kept: a withdrawal ends a consent, it never deletes it, so the record of
//! what the organisation was allowed to do at any time survives.

use chrono::{DateTime, Utc};

use crate::values::string_enum;

string_enum! {
    /// What the person agreed (or not) to be contacted for.
    Purpose {
        /// Marketing emails.
        MarketingEmail => "marketing_email",
        /// Text messages (短信).
        Sms => "sms",
        /// Telephone calls.
        Phone => "phone",
        /// Sharing their data with third parties.
        DataSharing => "data_sharing",
    }
}

string_enum! {
    /// Where a consent stands.
    ConsentStatus {
        /// In force since `given_at`.
        Given => "given",
        /// Ended at `withdrawn_at`; kept as history.
        Withdrawn => "withdrawn",
    }
}

/// Longest channel, source or evidence text a consent keeps.
pub const CHANNEL_MAX: usize = 100;
pub const SOURCE_MAX: usize = 200;
pub const EVIDENCE_MAX: usize = 4000;

/// A consent as given: what for, how it was collected and what proves it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentFields {
    pub purpose: Purpose,
    /// How it was given: `web_form`, `paper`, `phone`, `wechat`… (free text).
    pub channel: String,
    /// When it was given; the time it was recorded when not said.
    pub given_at: DateTime<Utc>,
    /// Where it came from (a campaign, a contract clause…).
    pub source: Option<String>,
    /// What proves it (a form's reference, the wording agreed to).
    pub evidence: Option<String>,
}

/// Whether the latest consent of each purpose allows contact: the newest record decides (a
/// consent given again after a withdrawal is in force again). No record means no consent.
pub fn allows(latest: Option<ConsentStatus>) -> bool {
    latest == Some(ConsentStatus::Given)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_given_consent_allows_contact() {
        assert!(allows(Some(ConsentStatus::Given)));
        assert!(!allows(Some(ConsentStatus::Withdrawn)));
        assert!(!allows(None));
    }

    #[test]
    fn purposes_read_as_their_wire_names() {
        assert_eq!(Purpose::parse("marketing_email").unwrap(), Purpose::MarketingEmail);
        assert!(Purpose::parse("fax").is_err());
    }
}
