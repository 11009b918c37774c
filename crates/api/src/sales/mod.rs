//! Sales: `/products`, `/pipelines` (with stages and the board) and `/opportunities`.

pub mod opportunities;
pub mod orders;
pub mod pipelines;
pub mod products;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crm_domain::sales::LineInput;
use crm_persistence::sales::lines;

/// The lines as the domain checks them (no discount unless one is given).
fn line_inputs(dtos: &[LineInputDto]) -> Vec<LineInput> {
    dtos.iter()
        .map(|line| LineInput {
            product_id: line.product_id,
            quantity: line.quantity,
            unit_price_minor: line.unit_price_minor,
            discount_bp: line.discount_bp.unwrap_or(0),
        })
        .collect()
}

/// A line as clients send it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInputDto {
    pub product_id: Uuid,
    /// 1 to 10^9.
    pub quantity: i64,
    /// Default: the product's price, in the document's currency's minor units.
    pub unit_price_minor: Option<i64>,
    /// Discount in basis points: 1000 is 10 %. Default 0.
    pub discount_bp: Option<i32>,
}

/// A priced line.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineDto {
    pub product_id: Uuid,
    /// As it was when the line was written.
    pub sku: String,
    pub product_name: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub discount_bp: i32,
    /// quantity × unit price − discount, rounded half up to the minor unit.
    pub line_total_minor: i64,
}

impl From<lines::Line> for LineDto {
    fn from(l: lines::Line) -> Self {
        Self {
            product_id: l.product_id,
            sku: l.sku,
            product_name: l.product_name,
            quantity: l.quantity,
            unit_price_minor: l.unit_price_minor,
            discount_bp: l.discount_bp,
            line_total_minor: l.line_total_minor,
        }
    }
}

/// Money as clients send it: minor units and an optional currency (default CNY).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    /// In minor units (分): 1234500 is ¥12,345.00. 0 to 10^15.
    pub amount_minor: i64,
    /// ISO 4217; default `CNY`.
    pub currency: Option<String>,
}

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(products::batch_products)
        .service(products::list_products)
        .service(products::export_products)
        .service(products::create_product)
        .service(products::get_product)
        .service(products::update_product)
        .service(products::upsert_product)
        .service(products::get_product_by_external_id)
        .service(products::delete_product)
        .service(pipelines::list_pipelines)
        .service(pipelines::create_pipeline)
        .service(pipelines::get_pipeline)
        .service(pipelines::update_pipeline)
        .service(opportunities::pipeline_board)
        .service(pipelines::reorder_stages)
        .service(pipelines::add_stage)
        .service(pipelines::update_stage)
        .service(pipelines::delete_stage)
        .service(opportunities::list_opportunities)
        .service(opportunities::export_opportunities)
        .service(opportunities::create_opportunity)
        .service(opportunities::get_opportunity)
        .service(opportunities::update_opportunity)
        .service(opportunities::delete_opportunity)
        .service(opportunities::move_opportunity)
        .service(opportunities::opportunity_stage_history)
        .service(orders::order_from_opportunity)
        .service(orders::batch_orders)
        .service(orders::list_orders)
        .service(orders::export_orders)
        .service(orders::create_order)
        .service(orders::get_order)
        .service(orders::update_order)
        .service(orders::upsert_order)
        .service(orders::get_order_by_external_id)
        .service(orders::delete_order)
        .service(orders::confirm_order)
        .service(orders::fulfill_order)
        .service(orders::cancel_order)
        .service(orders::refund_order);
}
