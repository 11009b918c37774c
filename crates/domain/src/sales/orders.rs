//! Orders (订单): what creating one says and what may change on a draft. Statuses move through
//! [`super::OrderStatus::can_move_to`], not through patches.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::{Currency, LineInput};
use crate::patch::merge_patch;
use crate::{Check, FieldError, text};

/// Longest name of the external system an order came from, in characters.
pub const EXTERNAL_SYSTEM_MAX: usize = 50;
/// Longest id of an order in its external system, in characters.
pub const EXTERNAL_ID_MAX: usize = 100;

/// What a new order says; the number, totals and status are the server's.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    /// The customer who buys.
    pub customer_id: Uuid,
    /// The opportunity it closes, of the same customer.
    pub opportunity_id: Option<Uuid>,
    /// The system the order came from (an ERP, a shop); set together with `external_id`.
    pub external_system: Option<String>,
    /// The order's id in `external_system`, unique there.
    pub external_id: Option<String>,
    /// The day of the order in the organisation's calendar.
    pub order_date: NaiveDate,
    /// Every line's product must be priced in it.
    pub currency: Currency,
    /// Products at quantities, priced when stored.
    pub lines: Vec<LineInput>,
    /// Free text.
    pub notes: Option<String>,
    /// Values of the orders' custom fields (see `platform::custom_fields`).
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
}

/// What may change on a draft order besides its lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderTerms {
    /// The day of the order in the organisation's calendar.
    pub order_date: NaiveDate,
    /// Free text.
    pub notes: Option<String>,
}

merge_patch! {
    /// A change to a draft order (JSON merge patch).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct OrderPatch applies to OrderTerms {
        order_date: NaiveDate,
        notes: Option<String>,
    }
    and carries {
        /// Replaces the lines; they are priced (and refused when empty) when stored.
        lines: Option<Vec<LineInput>>,
        /// Custom field values as a merge patch: unlike the terms, editable whatever the
        /// order's status (they are the organisation's own bookkeeping).
        custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
    }
}

impl Check {
    /// An order's reference in an external system: both parts or neither.
    pub fn external_ref(&mut self, system: Option<&str>, id: Option<&str>) -> (Option<String>, Option<String>) {
        let system = self.optional_text("external_system", system, EXTERNAL_SYSTEM_MAX);
        let id = self.optional_text("external_id", id, EXTERNAL_ID_MAX);
        if system.is_some() != id.is_some() {
            self.0.push(FieldError::new(
                "external_id",
                "pair",
                text!("external_system and external_id go together", "外部系统与外部编号须同时填写"),
            ));
        }
        (system, id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn an_external_reference_has_both_parts_or_neither() {
        let mut check = Check::default();
        assert_eq!(check.external_ref(Some("ERP"), Some("SO-1")), (Some("ERP".into()), Some("SO-1".into())));
        assert_eq!(check.external_ref(None, Some(" ")), (None, None));
        assert!(check.is_clean());
        check.external_ref(Some("ERP"), None);
        let errors = check.finish().unwrap_err().0;
        assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), ("external_id", "pair"));
    }

    #[test]
    fn an_order_patch_redates_and_clears_the_notes() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let current = OrderTerms { order_date: day, notes: Some("加急".into()) };
        let next_day = day.succ_opt().unwrap();
        let patch = OrderPatch { order_date: Some(next_day), notes: Some(None), lines: Some(vec![]), custom_fields: None };
        assert_eq!(patch.apply(&current), OrderTerms { order_date: next_day, notes: None });
    }
}
