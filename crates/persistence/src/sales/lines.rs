//! Lines of opportunities and orders: a product at a quantity and unit price less a discount, with
//! totals the server computes in integer minor units.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use crm_domain::sales::{Currency, MAX_AMOUNT_MINOR, Money, line_total};
use crm_domain::text;

use crate::entities::products;
use crate::{Error, Result};

pub use crm_domain::sales::LineInput;

/// A priced line, with the product's SKU and name as they were.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub product_id: Uuid,
    pub sku: String,
    pub product_name: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    /// Basis points: 1000 is 10 %.
    pub discount_bp: i32,
    pub line_total_minor: i64,
}

/// Replaces the lines under one opportunity or order with `lines`, in their order. The two line
/// tables have the same columns under their own parent, so one body serves both:
/// `replace_lines!(conn, order_lines, order_id, OrderId, id, &lines)`.
macro_rules! replace_lines {
    ($conn:expr, $table:ident, $parent:ident, $parent_column:ident, $parent_id:expr, $lines:expr) => {{
        use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
        use $crate::entities::$table;
        let parent_id: uuid::Uuid = $parent_id;
        $table::Entity::delete_many().filter($table::Column::$parent_column.eq(parent_id)).exec($conn).await?;
        for (position, line) in $lines.iter().enumerate() {
            $table::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                $parent: Set(parent_id),
                product_id: Set(line.product_id),
                sku: Set(line.sku.clone()),
                product_name: Set(line.product_name.clone()),
                quantity: Set(line.quantity),
                unit_price_minor: Set(line.unit_price_minor),
                discount_bp: Set(line.discount_bp),
                line_total_minor: Set(line.line_total_minor),
                position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            }
            .insert($conn)
            .await?;
        }
        Ok::<(), $crate::Error>(())
    }};
}
pub(crate) use replace_lines;

/// The sums of priced lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub subtotal: Money,
    pub discount: Money,
    pub total: Money,
}

/// Prices lines in `currency`: products must exist and be priced in that currency; totals must
/// stay within the money bounds. Errors name the line (`lines[2].product_id`).
pub(crate) async fn price_lines(conn: &impl ConnectionTrait, currency: &Currency, inputs: &[LineInput]) -> Result<(Vec<Line>, Totals)> {
    let ids: Vec<Uuid> = inputs.iter().map(|l| l.product_id).collect();
    let catalogue: std::collections::HashMap<Uuid, products::Model> = if ids.is_empty() {
        Default::default()
    } else {
        products::Entity::find()
            .filter(products::Column::Id.is_in(ids))
            .filter(products::Column::DeletedAt.is_null())
            .all(conn)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };
    let mut lines = Vec::with_capacity(inputs.len());
    let (mut subtotal, mut total) = (0i64, 0i64);
    let too_large = |field: String| Error::validation(&field, "range", text!("the amount is too large", "金额过大"));
    for (index, input) in inputs.iter().enumerate() {
        let product = catalogue.get(&input.product_id).ok_or_else(|| {
            Error::validation(&format!("lines[{index}].product_id"), "not_found", text!("no such product", "找不到该产品"))
        })?;
        if product.currency != currency.as_str() {
            let (priced_in, document_in) = (&product.currency, currency.as_str());
            return Err(Error::validation(
                &format!("lines[{index}].product_id"),
                "currency",
                text!(
                    "the product is priced in {priced_in}, the document in {document_in}",
                    "该产品以 {priced_in} 计价，而单据币种是 {document_in}"
                ),
            ));
        }
        let unit_price_minor = input.unit_price_minor.unwrap_or(product.unit_price_minor);
        let gross = input.quantity.checked_mul(unit_price_minor).ok_or_else(|| too_large(format!("lines[{index}].quantity")))?;
        let line_total_minor =
            line_total(input.quantity, unit_price_minor, input.discount_bp).ok_or_else(|| too_large(format!("lines[{index}].quantity")))?;
        subtotal = subtotal.checked_add(gross).filter(|s| *s <= MAX_AMOUNT_MINOR).ok_or_else(|| too_large("lines".into()))?;
        total = total.checked_add(line_total_minor).filter(|t| *t <= MAX_AMOUNT_MINOR).ok_or_else(|| too_large("lines".into()))?;
        lines.push(Line {
            product_id: product.id,
            sku: product.sku.clone(),
            product_name: product.name.clone(),
            quantity: input.quantity,
            unit_price_minor,
            discount_bp: input.discount_bp,
            line_total_minor,
        });
    }
    let money = |amount_minor| Money { amount_minor, currency: currency.clone() };
    Ok((lines, Totals { subtotal: money(subtotal), discount: money(subtotal - total), total: money(total) }))
}
