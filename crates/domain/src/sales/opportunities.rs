//! Opportunities (销售机会): what creating one says and what a merge patch changes. Stage moves
//! are not patches: they follow [`super::check_move`].

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::{Competitor, LineInput, Money, OpportunitySource};
use crate::patch::merge_patch;
use crate::{FieldError, ValidationErrors, text};

/// Longest opportunity name, in characters.
pub const OPPORTUNITY_NAME_MAX: usize = 200;
/// Longest loss reason, in characters.
pub const LOSS_REASON_MAX: usize = 2000;

/// Every field a person sets on an opportunity, each already valid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpportunityFields {
    /// What the deal is (浦江精密 2027 年度维保).
    pub name: String,
    /// The customer's contact for this deal.
    pub contact_id: Option<Uuid>,
    /// The deal's value; with lines, their total.
    pub amount: Money,
    /// When the deal is expected to close.
    pub expected_close_date: Option<NaiveDate>,
    /// An override of the stage's probability; `None` follows the stage.
    pub probability: Option<i32>,
    /// Where the opportunity came from.
    pub source: Option<OpportunitySource>,
    /// The campaign that brought it.
    pub campaign_id: Option<Uuid>,
    /// Competitors in the deal.
    pub competitors: Vec<Competitor>,
    /// Longer text about the deal.
    pub description: Option<String>,
    /// Values of the opportunities' custom fields (see `platform::custom_fields`).
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
}

/// Where a new opportunity goes and who owns it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Placement {
    /// The customer the deal is with.
    pub customer_id: Uuid,
    /// Default: the default pipeline.
    pub pipeline_id: Option<Uuid>,
    /// An open stage; default the pipeline's first.
    pub stage_id: Option<Uuid>,
    /// Default: the caller.
    pub owner_id: Option<Uuid>,
}

/// A new opportunity: where it goes, its fields and its lines (with lines, the amount becomes
/// their total).
#[derive(Debug, Clone, PartialEq)]
pub struct NewOpportunity {
    /// Where it goes and who owns it.
    pub placement: Placement,
    /// What it says.
    pub fields: OpportunityFields,
    /// Products of the deal, priced when stored.
    pub lines: Vec<LineInput>,
}

merge_patch! {
    /// A change to some fields of an opportunity (JSON merge patch).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct OpportunityPatch applies to OpportunityFields {
        name: String,
        contact_id: Option<Uuid>,
        amount: Money,
        expected_close_date: Option<NaiveDate>,
        probability: Option<i32>,
        source: Option<OpportunitySource>,
        campaign_id: Option<Uuid>,
        competitors: Vec<Competitor>,
        description: Option<String>,
        custom_fields: serde_json::Map<String, serde_json::Value>,
    }
    and carries {
        /// Reassigns it; the owner's scope is checked against the stored record.
        owner_id: Option<Uuid>,
        /// Replaces the lines; the amount becomes their total once they are priced.
        lines: Option<Vec<LineInput>>,
    }
}

/// A loss reason is free text of at most [`LOSS_REASON_MAX`] characters; whether a move needs
/// one is [`super::check_move`]'s rule.
pub fn check_loss_reason(reason: Option<&str>) -> Result<(), ValidationErrors> {
    if reason.is_some_and(|r| r.chars().count() > LOSS_REASON_MAX) {
        return Err(ValidationErrors(vec![
            FieldError::new(
                "loss_reason",
                "too_long",
                text!("must be at most {LOSS_REASON_MAX} characters", "最多 {LOSS_REASON_MAX} 个字符"),
            )
            .with_param("max", LOSS_REASON_MAX),
        ]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::sales::Currency;

    fn deal() -> OpportunityFields {
        OpportunityFields {
            name: "年度维保".into(),
            contact_id: Some(Uuid::nil()),
            amount: Money::new(3_600_000, Currency::cny()).unwrap(),
            expected_close_date: None,
            probability: Some(40),
            source: None,
            campaign_id: None,
            competitors: vec![],
            description: None,
            custom_fields: Default::default(),
        }
    }

    #[test]
    fn an_opportunity_patch_returns_to_the_stage_probability_and_keeps_the_rest() {
        let patch = OpportunityPatch { probability: Some(None), owner_id: Some(Uuid::nil()), ..Default::default() };
        assert_eq!(patch.apply(&deal()), OpportunityFields { probability: None, ..deal() });
    }

    #[test]
    fn a_loss_reason_is_bounded() {
        assert!(check_loss_reason(None).is_ok());
        assert!(check_loss_reason(Some(&"因".repeat(LOSS_REASON_MAX))).is_ok());
        let errors = check_loss_reason(Some(&"因".repeat(LOSS_REASON_MAX + 1))).unwrap_err().0;
        assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), ("loss_reason", "too_long"));
    }
}
