//! Products of the catalogue: what a create sets and a merge patch changes.

use serde::Serialize;

use super::Money;
use crate::patch::merge_patch;
use crate::{Check, FieldError, text};

/// Longest SKU, in characters.
pub const SKU_MAX: usize = 64;
/// Longest product name, in characters.
pub const PRODUCT_NAME_MAX: usize = 200;
/// Longest product category, in characters.
pub const PRODUCT_CATEGORY_MAX: usize = 100;

/// Every field of a product, each already valid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductFields {
    /// Unique across the catalogue; letters, digits, `-`, `_` and `.`.
    pub sku: String,
    /// The name people see on quotes and orders.
    pub name: String,
    /// A free grouping (服务, 配件).
    pub category: Option<String>,
    /// Longer text about the product.
    pub description: Option<String>,
    /// The list price of one unit.
    pub unit_price: Money,
    /// Inactive products stay on old documents but are not offered for new ones.
    pub active: bool,
    /// Values of the products' custom fields (see `platform::custom_fields`).
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
}

merge_patch! {
    /// A change to some fields of a product (JSON merge patch).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ProductPatch applies to ProductFields {
        sku: String,
        name: String,
        category: Option<String>,
        description: Option<String>,
        unit_price: Money,
        active: bool,
        custom_fields: serde_json::Map<String, serde_json::Value>,
    }
}

impl Check {
    /// A SKU: required, at most [`SKU_MAX`] characters, letters, digits, `-`, `_` and `.` only
    /// (it appears in file names and URLs of exports).
    pub fn sku(&mut self, value: &str) -> Option<String> {
        let sku = self.text("sku", value, SKU_MAX)?;
        if sku.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)) {
            Some(sku)
        } else {
            self.0.push(FieldError::new(
                "sku",
                "invalid_characters",
                text!("letters, digits, -, _ and . only", "只能包含字母、数字、-、_ 和 ."),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::sales::Currency;

    #[test]
    fn a_sku_is_letters_digits_and_a_few_marks() {
        let mut check = Check::default();
        assert_eq!(check.sku(" PJ-100.a_1 "), Some("PJ-100.a_1".into()));
        assert_eq!(check.sku("PJ 100"), None);
        assert_eq!(check.sku(&"x".repeat(SKU_MAX + 1)), None);
        let codes: Vec<String> = check.finish().unwrap_err().0.into_iter().map(|e| e.code).collect();
        assert_eq!(codes, ["invalid_characters", "too_long"]);
    }

    #[test]
    fn a_product_patch_changes_the_price_and_clears_the_category() {
        let current = ProductFields {
            sku: "PJ-100".into(),
            name: "维保".into(),
            category: Some("服务".into()),
            description: None,
            unit_price: Money::new(100, Currency::cny()).unwrap(),
            active: true,
            custom_fields: Default::default(),
        };
        let price = Money::new(250, Currency::cny()).unwrap();
        let patch = ProductPatch { unit_price: Some(price.clone()), category: Some(None), ..Default::default() };
        assert_eq!(patch.apply(&current), ProductFields { unit_price: price, category: None, ..current });
    }
}
