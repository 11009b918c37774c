//! Sales (销售): money in integer minor units, products, pipeline stages, opportunities and
//! order arithmetic. No floating point touches an amount.

mod opportunities;
mod orders;
mod pipelines;
mod products;
pub mod reports;

pub use opportunities::{
    LOSS_REASON_MAX, NewOpportunity, OPPORTUNITY_NAME_MAX, OpportunityFields, OpportunityPatch, Placement, check_loss_reason,
};
pub use orders::{EXTERNAL_ID_MAX, EXTERNAL_SYSTEM_MAX, NewOrder, OrderPatch, OrderTerms};
pub use pipelines::{
    MAX_STAGES, NewStage, PIPELINE_NAME_MAX, PROBABILITY_MAX, STAGE_KEY_MAX, STAGE_NAME_MAX, StageFields, StagePatch, check_stage_set,
};
pub use products::{PRODUCT_CATEGORY_MAX, PRODUCT_NAME_MAX, ProductFields, ProductPatch, SKU_MAX};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::HasCode;
use crate::message::Text;
use crate::text;
use crate::values::{ValueError, string_enum};

/// An ISO 4217 currency code (`CNY`, `USD`), upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[schema(value_type = String, example = "CNY")]
pub struct Currency(String);

/// A currency code that is not three letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be one of: a three-letter ISO 4217 code such as CNY")]
pub struct CurrencyError;

impl HasCode for CurrencyError {
    fn code(&self) -> &'static str {
        "choice"
    }

    fn text(&self) -> Text {
        text!("must be one of: a three-letter ISO 4217 code such as CNY", "须为三个字母的 ISO 4217 币种代码，如 CNY")
    }
}

impl Currency {
    pub fn parse(input: &str) -> Result<Self, CurrencyError> {
        let code = input.trim().to_uppercase();
        if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) { Ok(Self(code)) } else { Err(CurrencyError) }
    }

    pub fn cny() -> Self {
        Self(DEFAULT_CURRENCY.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An amount of money: an integer count of the currency's minor unit (分 for CNY).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"amount_minor": 1234500, "currency": "CNY"}))]
pub struct Money {
    /// In minor units: 1234500 is ¥12,345.00.
    pub amount_minor: i64,
    pub currency: Currency,
}

/// The currency of an amount or an order that names none.
pub const DEFAULT_CURRENCY: &str = "CNY";

/// Largest amount we accept in one field: 10^15 minor units (ten trillion yuan), far beyond any
/// deal, and small enough that sums of many never overflow 64 bits.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

impl Money {
    pub fn new(amount_minor: i64, currency: Currency) -> Result<Self, ValueError> {
        if (0..=MAX_AMOUNT_MINOR).contains(&amount_minor) {
            Ok(Self { amount_minor, currency })
        } else {
            Err(ValueError::Range(0, MAX_AMOUNT_MINOR))
        }
    }
}

/// A competitor in a deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Competitor {
    pub name: String,
    pub notes: Option<String>,
}

string_enum! {
    /// Whether a pipeline stage is still open or closes the opportunity as won or lost.
    StageKind { Open => "open", Won => "won", Lost => "lost" }
}

string_enum! {
    /// Where an opportunity came from.
    OpportunitySource {
        Campaign => "campaign", Referral => "referral", Website => "website", Exhibition => "exhibition",
        ColdCall => "cold_call", Partner => "partner", Other => "other",
    }
}

string_enum! {
    /// Where an order stands.
    OrderStatus { Draft => "draft", Confirmed => "confirmed", Fulfilled => "fulfilled", Cancelled => "cancelled", Refunded => "refunded" }
}

impl OrderStatus {
    /// The status as the Chinese interface names it (订单状态).
    pub fn label_zh(self) -> &'static str {
        match self {
            OrderStatus::Draft => "草稿",
            OrderStatus::Confirmed => "已确认",
            OrderStatus::Fulfilled => "已履约",
            OrderStatus::Cancelled => "已取消",
            OrderStatus::Refunded => "已退款",
        }
    }

    /// draft → confirmed | cancelled; confirmed → fulfilled | cancelled | refunded;
    /// fulfilled → refunded. Cancelled and refunded orders are final.
    pub fn can_move_to(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!((self, next), (Draft, Confirmed | Cancelled) | (Confirmed, Fulfilled | Cancelled | Refunded) | (Fulfilled, Refunded))
    }

    /// Whether the order counts as revenue.
    pub fn is_revenue(self) -> bool {
        matches!(self, OrderStatus::Confirmed | OrderStatus::Fulfilled)
    }
}

/// A stage of the default pipeline: key, Chinese name, English name, probability %, kind.
pub const DEFAULT_STAGES: &[(&str, &str, &str, i32, StageKind)] = &[
    ("initial_contact", "初步接触", "Initial contact", 10, StageKind::Open),
    ("qualification", "需求确认", "Qualification", 25, StageKind::Open),
    ("proposal", "方案提供", "Proposal", 50, StageKind::Open),
    ("negotiation", "谈判中", "Negotiation", 75, StageKind::Open),
    ("won", "成交", "Won", 100, StageKind::Won),
    ("lost", "失败", "Lost", 0, StageKind::Lost),
];

/// Why a stage move is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("an opportunity needs an amount greater than zero to be won")]
    WonNeedsAmount,
    #[error("a lost opportunity needs a loss reason")]
    LostNeedsReason,
    #[error("a closed opportunity moves only when reopened explicitly")]
    ClosedNeedsReopen,
    #[error("the opportunity is already in this stage")]
    SameStage,
}

impl MoveError {
    /// The field a refusal is about and its field code, for the refusals a client fixes by
    /// filling in a field (an amount, a loss reason); `None` for those about the move itself.
    pub fn field(&self) -> Option<(&'static str, &'static str)> {
        match self {
            MoveError::WonNeedsAmount => Some(("amount", "won_needs_amount")),
            MoveError::LostNeedsReason => Some(("loss_reason", "required")),
            MoveError::ClosedNeedsReopen | MoveError::SameStage => None,
        }
    }
}

impl HasCode for MoveError {
    /// The stable code of the refusal as a whole (the problem's `code`).
    fn code(&self) -> &'static str {
        match self {
            MoveError::WonNeedsAmount => "opportunity.won_needs_amount",
            MoveError::LostNeedsReason => "opportunity.loss_reason_required",
            MoveError::ClosedNeedsReopen => "opportunity.closed",
            MoveError::SameStage => "opportunity.same_stage",
        }
    }

    fn text(&self) -> Text {
        match self {
            MoveError::WonNeedsAmount => {
                text!("an opportunity needs an amount greater than zero to be won", "销售机会须填写大于零的金额才能赢单")
            }
            MoveError::LostNeedsReason => text!("a lost opportunity needs a loss reason", "输单须填写失败原因"),
            MoveError::ClosedNeedsReopen => {
                text!("a closed opportunity moves only when reopened explicitly", "已关闭的销售机会须明确重新打开后才能移动")
            }
            MoveError::SameStage => text!("the opportunity is already in this stage", "该销售机会已在此阶段"),
        }
    }
}

/// The rules of moving an opportunity between stages: won needs an amount, lost a reason, and a
/// won or lost opportunity goes back to an open stage only when the move says `reopen`.
pub fn check_move(
    from: StageKind,
    to: StageKind,
    same_stage: bool,
    amount_minor: i64,
    loss_reason: Option<&str>,
    reopen: bool,
) -> Result<(), MoveError> {
    if same_stage {
        return Err(MoveError::SameStage);
    }
    if from != StageKind::Open && !reopen {
        return Err(MoveError::ClosedNeedsReopen);
    }
    match to {
        StageKind::Won if amount_minor <= 0 => Err(MoveError::WonNeedsAmount),
        StageKind::Lost if loss_reason.is_none_or(|r| r.trim().is_empty()) => Err(MoveError::LostNeedsReason),
        _ => Ok(()),
    }
}

/// The expected value of an opportunity: amount × probability %, rounded half up, in integers.
pub fn weighted_amount(amount_minor: i64, probability: i32) -> i64 {
    let product = i128::from(amount_minor) * i128::from(probability.clamp(0, 100));
    i64::try_from((product + 50) / 100).unwrap_or(i64::MAX)
}

/// A line's total: quantity × unit price less a discount in basis points (1% = 100), rounded
/// half up to the minor unit. `None` when the result would not fit.
pub fn line_total(quantity: i64, unit_price_minor: i64, discount_bp: i32) -> Option<i64> {
    let gross = i128::from(quantity).checked_mul(i128::from(unit_price_minor))?;
    let kept = gross.checked_mul(i128::from(10_000 - discount_bp.clamp(0, 10_000)))?;
    i64::try_from((kept + 5_000) / 10_000).ok()
}

/// Growth of `current` over `previous` as a ratio (0.25 = +25%); `None` when there was nothing
/// before to grow from.
pub fn growth_rate(current: i64, previous: i64) -> Option<f64> {
    if previous == 0 {
        return None;
    }
    let ratio = (current - previous) as f64 / previous.abs() as f64;
    Some((ratio * 10_000.0).round() / 10_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_bounded_and_currencies_are_iso_codes() {
        assert_eq!(Currency::parse(" cny ").unwrap().as_str(), "CNY");
        assert!(Currency::parse("RMB1").is_err());
        assert!(Money::new(-1, Currency::cny()).is_err());
        assert!(Money::new(MAX_AMOUNT_MINOR + 1, Currency::cny()).is_err());
        assert_eq!(Money::new(1234500, Currency::cny()).unwrap().amount_minor, 1234500);
    }

    #[test]
    fn stage_moves_follow_the_rules() {
        use StageKind::*;
        assert_eq!(check_move(Open, Won, false, 0, None, false), Err(MoveError::WonNeedsAmount));
        assert_eq!(check_move(Open, Won, false, 100, None, false), Ok(()));
        assert_eq!(check_move(Open, Lost, false, 100, Some("  "), false), Err(MoveError::LostNeedsReason));
        assert_eq!(check_move(Open, Lost, false, 100, Some("价格"), false), Ok(()));
        assert_eq!(check_move(Won, Open, false, 100, None, false), Err(MoveError::ClosedNeedsReopen));
        assert_eq!(check_move(Lost, Open, false, 100, None, true), Ok(()));
        assert_eq!(check_move(Open, Open, true, 100, None, false), Err(MoveError::SameStage));
        assert_eq!(MoveError::ClosedNeedsReopen.code(), "opportunity.closed");
        assert_eq!(MoveError::WonNeedsAmount.field(), Some(("amount", "won_needs_amount")));
    }

    #[test]
    fn arithmetic_rounds_half_up_in_integers() {
        assert_eq!(weighted_amount(1000, 25), 250);
        assert_eq!(weighted_amount(1, 50), 1);
        assert_eq!(weighted_amount(3, 10), 0);
        assert_eq!(line_total(3, 999, 0), Some(2997));
        assert_eq!(line_total(3, 999, 1000), Some(2697)); // 2697.3
        assert_eq!(line_total(1, 5, 5000), Some(3)); // 2.5 rounds up
        assert_eq!(line_total(i64::MAX, i64::MAX, 0), None);
    }

    #[test]
    fn orders_move_through_their_statuses_only_forward() {
        use OrderStatus::*;
        assert!(Draft.can_move_to(Confirmed));
        assert!(Confirmed.can_move_to(Fulfilled));
        assert!(Fulfilled.can_move_to(Refunded));
        assert!(!Draft.can_move_to(Fulfilled));
        assert!(!Cancelled.can_move_to(Confirmed));
        assert!(!Refunded.can_move_to(Fulfilled));
        assert!(Confirmed.is_revenue() && !Draft.is_revenue() && !Refunded.is_revenue());
    }

    #[test]
    fn growth_is_none_from_nothing() {
        assert_eq!(growth_rate(150, 100), Some(0.5));
        assert_eq!(growth_rate(50, 100), Some(-0.5));
        assert_eq!(growth_rate(10, 0), None);
        assert_eq!(growth_rate(1, 3), Some(-0.6667));
    }
}

/// A line as a client asks for it: a product at a quantity, its unit price (the product's when
/// absent) and a discount in basis points.
#[derive(Debug, Clone, PartialEq)]
pub struct LineInput {
    pub product_id: uuid::Uuid,
    pub quantity: i64,
    pub unit_price_minor: Option<i64>,
    pub discount_bp: i32,
}

/// At most this many lines on an opportunity or an order.
pub const MAX_LINES: usize = 500;
/// At most this many competitors on an opportunity.
pub const MAX_COMPETITORS: usize = 20;
/// A line's quantity is at least 1 and at most this.
pub const MAX_QUANTITY: i64 = 1_000_000_000;
/// A discount of 10,000 basis points is 100 %.
pub const MAX_DISCOUNT_BP: i32 = 10_000;

fn out_of_range(field: String, min: i64, max: i64, message: Text) -> crate::FieldError {
    crate::FieldError::new(field, "range", message).with_param("min", min).with_param("max", max)
}

/// Parsers of sales values, next to the generic ones of [`crate::Check`].
impl crate::Check {
    /// An amount in minor units of `currency` (`CNY` when absent).
    pub fn money(&mut self, field: &str, amount_minor: i64, currency: Option<&str>) -> Option<Money> {
        let currency = self.0.check(&format!("{field}.currency"), Currency::parse(currency.unwrap_or(DEFAULT_CURRENCY)))?;
        self.0.check(&format!("{field}.amount_minor"), Money::new(amount_minor, currency))
    }

    /// An opportunity's competitors: named, with optional notes.
    pub fn competitors(&mut self, list: &[Competitor]) -> Option<Vec<Competitor>> {
        if list.len() > MAX_COMPETITORS {
            self.0.push(
                crate::FieldError::new("competitors", "too_many", text!("at most 20 competitors", "竞争对手最多 20 个"))
                    .with_param("max", MAX_COMPETITORS),
            );
            return None;
        }
        let mut out = Vec::new();
        for (i, c) in list.iter().enumerate() {
            let name = self.text(&format!("competitors[{i}].name"), &c.name, 100)?;
            let notes = self.optional_text(&format!("competitors[{i}].notes"), c.notes.as_deref(), 1000);
            out.push(Competitor { name, notes });
        }
        Some(out)
    }

    /// Lines of an opportunity or an order: each quantity, price and discount within bounds.
    pub fn lines(&mut self, inputs: Vec<LineInput>) -> Option<Vec<LineInput>> {
        if inputs.len() > MAX_LINES {
            self.0.push(
                crate::FieldError::new("lines", "too_many", text!("at most 500 lines", "产品明细最多 500 行")).with_param("max", MAX_LINES),
            );
            return None;
        }
        let mut ok = true;
        for (i, line) in inputs.iter().enumerate() {
            if !(1..=MAX_QUANTITY).contains(&line.quantity) {
                let message = text!("must be between 1 and 1000000000", "须在 1 与 1000000000 之间");
                self.0.push(out_of_range(format!("lines[{i}].quantity"), 1, MAX_QUANTITY, message));
                ok = false;
            }
            if line.unit_price_minor.is_some_and(|p| !(0..=MAX_AMOUNT_MINOR).contains(&p)) {
                let message = text!("must be between 0 and 10^15", "须在 0 与 10^15 之间");
                self.0.push(out_of_range(format!("lines[{i}].unit_price_minor"), 0, MAX_AMOUNT_MINOR, message));
                ok = false;
            }
            if !(0..=MAX_DISCOUNT_BP).contains(&line.discount_bp) {
                let message = text!("must be between 0 and 10000 (100 %)", "须在 0 与 10000（即 100%）之间");
                self.0.push(out_of_range(format!("lines[{i}].discount_bp"), 0, MAX_DISCOUNT_BP.into(), message));
                ok = false;
            }
        }
        ok.then_some(inputs)
    }
}
