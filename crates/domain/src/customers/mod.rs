//! Customers (客户) and their contacts (联系人): the validated field sets that create and patch
//! them, the lifecycle (潜在 → 意向 → 成交 → 流失) and its allowed moves.

pub mod merge;
mod values;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};

pub use values::{CustomerKind, Gender, IdType, SizeBand, SourceChannel, ValueTier};

use crate::values::{BankAccount, CreditCode, Email, IdNumber, Phone, WebsiteUrl, string_enum};

use crate::error::{FieldError, ValidationErrors};
use crate::patch::merge_patch;
use crate::text;

string_enum! {
    /// 客户关系阶段: where the relationship stands.
    LifecycleStage {
        /// 潜在客户: known, not yet interested.
        Potential => "potential",
        /// 意向客户: has shown interest.
        Prospect => "prospect",
        /// 成交客户: has bought.
        Customer => "customer",
        /// 流失客户: has stopped buying.
        Churned => "churned",
    }
}

impl LifecycleStage {
    /// The stage as the Chinese interface names it.
    pub fn label_zh(self) -> &'static str {
        match self {
            LifecycleStage::Potential => "潜在客户",
            LifecycleStage::Prospect => "意向客户",
            LifecycleStage::Customer => "成交客户",
            LifecycleStage::Churned => "流失客户",
        }
    }

    /// Whether a customer may move from `self` to `next`. A customer who has bought does not
    /// become a mere lead again: from `customer` the only way is `churned`, and a churned
    /// customer comes back as `prospect` or, on a new order, `customer`.
    pub fn can_move_to(self, next: LifecycleStage) -> bool {
        use LifecycleStage::*;
        match (self, next) {
            (a, b) if a == b => false,
            (Potential, _) => true,
            (Prospect, Potential | Customer | Churned) => true,
            (Customer, Churned) => true,
            (Churned, Prospect | Customer) => true,
            _ => false,
        }
    }
}

/// Longest names and free-text fields we store, in characters.
pub const NAME_MAX: usize = 200;
pub const SHORT_TEXT_MAX: usize = 100;
pub const ADDRESS_MAX: usize = 500;
pub const NOTES_MAX: usize = 10_000;
pub const TAG_MAX: usize = 32;
pub const TAGS_PER_RECORD: usize = 20;
pub const CUSTOM_FIELDS_MAX: usize = 50;

/// Every field a person or integration sets on a customer, each already valid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerFields {
    pub kind: CustomerKind,
    pub name: String,
    pub industry: Option<String>,
    pub size_band: Option<SizeBand>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub website: Option<WebsiteUrl>,
    pub credit_code: Option<CreditCode>,
    pub source_channel: Option<SourceChannel>,
    pub lifecycle_stage: LifecycleStage,
    pub value_tier: Option<ValueTier>,
    pub tags: Vec<String>,
    pub custom_fields: Map<String, Value>,
    pub gender: Option<Gender>,
    pub birthday: Option<NaiveDate>,
    pub preferences: Option<String>,
    pub notes: Option<String>,
    pub id_type: Option<IdType>,
    pub id_number: Option<IdNumber>,
    pub bank_name: Option<String>,
    pub bank_account: Option<BankAccount>,
}

/// A person's identity document is its type and number together, and a resident identity card
/// number must be a valid one.
fn check_identity_document(id_type: Option<IdType>, id_number: Option<&IdNumber>, errors: &mut ValidationErrors) {
    match (id_type, id_number) {
        (Some(IdType::IdCard), Some(number)) if !number.is_resident_id_card() => {
            errors.push(crate::error::HasCode::field_error(&crate::values::ValueError::IdCard, "id_number"))
        }
        (Some(_), None) => errors.push(FieldError::new(
            "id_number",
            "required_with",
            text!("an identity document type needs its number", "填写证件类型时须填写证件号码"),
        )),
        (None, Some(_)) => errors.push(FieldError::new(
            "id_type",
            "required_with",
            text!("an identity document number needs its type", "填写证件号码时须选择证件类型"),
        )),
        _ => {}
    }
}

impl CustomerFields {
    /// Rules that span fields: a credit code belongs to companies, gender and birthday to people.
    /// `today` is the organisation's calendar day (a birthday may not come after it).
    pub fn check_consistency(&self, today: chrono::NaiveDate) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        match self.kind {
            CustomerKind::Individual if self.credit_code.is_some() => errors.push(FieldError::new(
                "credit_code",
                "not_for_kind",
                text!("only companies have a unified social credit code", "只有企业客户才有统一社会信用代码"),
            )),
            CustomerKind::Company if self.gender.is_some() => {
                errors.push(FieldError::new("gender", "not_for_kind", text!("only individuals have a gender", "只有个人客户才有性别")))
            }
            CustomerKind::Company if self.birthday.is_some() => {
                errors.push(FieldError::new("birthday", "not_for_kind", text!("only individuals have a birthday", "只有个人客户才有生日")))
            }
            _ => {}
        }
        if let Some(birthday) = self.birthday
            && birthday > today
        {
            errors.push(FieldError::new("birthday", "in_future", text!("a birthday cannot be in the future", "生日不能晚于今天")));
        }
        if self.kind == CustomerKind::Company && self.id_number.is_some() {
            errors.push(FieldError::new(
                "id_number",
                "not_for_kind",
                text!("only individuals have an identity document", "只有个人客户才有身份证件"),
            ));
        } else {
            check_identity_document(self.id_type, self.id_number.as_ref(), &mut errors);
        }
        errors.into_result()
    }
}

merge_patch! {
    /// A change to some fields of a customer (JSON merge patch): `None` leaves a field alone;
    /// `Some(None)` clears a nullable one.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct CustomerPatch applies to CustomerFields {
        kind: CustomerKind,
        name: String,
        industry: Option<String>,
        size_band: Option<SizeBand>,
        province: Option<String>,
        city: Option<String>,
        district: Option<String>,
        address: Option<String>,
        phone: Option<Phone>,
        email: Option<Email>,
        website: Option<WebsiteUrl>,
        credit_code: Option<CreditCode>,
        source_channel: Option<SourceChannel>,
        value_tier: Option<ValueTier>,
        tags: Vec<String>,
        custom_fields: Map<String, Value>,
        gender: Option<Gender>,
        birthday: Option<NaiveDate>,
        preferences: Option<String>,
        notes: Option<String>,
        id_type: Option<IdType>,
        id_number: Option<IdNumber>,
        bank_name: Option<String>,
        bank_account: Option<BankAccount>,
    }
    and carries {
        /// A stage move is not applied with the other fields: it has its own rule and history,
        /// see [`LifecycleStage::can_move_to`].
        lifecycle_stage: Option<LifecycleStage>,
    }
}

/// Normalises a tag list: trimmed, de-duplicated in order, each 1–32 characters, at most 20.
pub fn parse_tags(tags: &[String]) -> Result<Vec<String>, ValidationErrors> {
    // Counted before any tag is read, duplicates included, so a list of 64,000 tags is refused
    // at once instead of being trimmed and compared first.
    if tags.len() > TAGS_PER_RECORD {
        let error = FieldError::new("tags", "too_many", text!("at most {TAGS_PER_RECORD} tags", "标签最多 {TAGS_PER_RECORD} 个"));
        return Err(ValidationErrors(vec![error.with_param("max", TAGS_PER_RECORD)]));
    }
    let mut errors = ValidationErrors::new();
    let mut seen = Vec::new();
    let mut unique = std::collections::HashSet::new();
    for (index, tag) in tags.iter().enumerate() {
        match crate::text::bounded_text(tag, TAG_MAX, false) {
            Ok(tag) if tag.contains(',') => errors.push(FieldError::new(
                format!("tags[{index}]"),
                "invalid_characters",
                text!("a tag cannot contain a comma", "标签不能包含逗号"),
            )),
            Ok(tag) => {
                if unique.insert(tag.clone()) {
                    seen.push(tag);
                }
            }
            Err(error) => errors.push(crate::error::HasCode::field_error(&error, &format!("tags[{index}]"))),
        }
    }
    errors.into_result().map(|()| seen)
}

/// Checks custom field values until per-entity definitions exist: lower-case keys, scalar values
/// or lists of strings, and a bounded count, so a client cannot store arbitrary documents.
pub fn parse_custom_fields(fields: &Map<String, Value>) -> Result<Map<String, Value>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if fields.len() > CUSTOM_FIELDS_MAX {
        errors.push(
            FieldError::new(
                "custom_fields",
                "too_many",
                text!("at most {CUSTOM_FIELDS_MAX} custom fields", "自定义字段最多 {CUSTOM_FIELDS_MAX} 个"),
            )
            .with_param("max", CUSTOM_FIELDS_MAX),
        );
    }
    for (key, value) in fields {
        let key_ok = key.len() <= 40
            && key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            errors.push(
                FieldError::new(
                    format!("custom_fields.{key}"),
                    "key",
                    text!("keys are lower-case letters, digits and _ (max 40)", "键只能由小写字母、数字和 _ 组成（最多 40 个字符）"),
                )
                .with_param("max", 40),
            );
            continue;
        }
        let value_ok = match value {
            Value::Null | Value::Bool(_) | Value::Number(_) => true,
            Value::String(s) => s.chars().count() <= 1000,
            Value::Array(items) => items.len() <= 50 && items.iter().all(|i| i.as_str().is_some_and(|s| s.chars().count() <= 200)),
            Value::Object(_) => false,
        };
        if !value_ok {
            errors.push(FieldError::new(
                format!("custom_fields.{key}"),
                "value",
                text!("values are text, numbers, true/false or lists of text", "值只能是文本、数字、true/false 或文本列表"),
            ));
        }
    }
    errors.into_result().map(|()| fields.clone())
}

/// Every field of a contact, each already valid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactFields {
    pub name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub phone: Option<Phone>,
    pub mobile: Option<Phone>,
    pub email: Option<Email>,
    pub wechat: Option<String>,
    pub is_primary: bool,
    pub birthday: Option<NaiveDate>,
    pub notes: Option<String>,
    pub id_type: Option<IdType>,
    pub id_number: Option<IdNumber>,
    pub bank_name: Option<String>,
    pub bank_account: Option<BankAccount>,
    /// Values of the contacts' custom fields (see `platform::custom_fields`).
    pub custom_fields: Map<String, Value>,
}

impl ContactFields {
    /// Rules that span fields: an identity document is its type and number together.
    pub fn check_consistency(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_identity_document(self.id_type, self.id_number.as_ref(), &mut errors);
        errors.into_result()
    }
}

merge_patch! {
    /// A change to some fields of a contact (merge-patch semantics, as [`CustomerPatch`]).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ContactPatch applies to ContactFields {
        name: String,
        title: Option<String>,
        department: Option<String>,
        phone: Option<Phone>,
        mobile: Option<Phone>,
        email: Option<Email>,
        wechat: Option<String>,
        is_primary: bool,
        birthday: Option<NaiveDate>,
        notes: Option<String>,
        id_type: Option<IdType>,
        id_number: Option<IdNumber>,
        bank_name: Option<String>,
        bank_account: Option<BankAccount>,
        custom_fields: Map<String, Value>,
    }
}

/// The names of the fields that differ between two serialisable values, with old and new values,
/// for the audit log. Both must serialise to JSON objects.
pub fn changed_fields<T: Serialize>(before: &T, after: &T) -> Map<String, Value> {
    let (Ok(Value::Object(old)), Ok(Value::Object(new))) = (serde_json::to_value(before), serde_json::to_value(after)) else {
        return Map::new();
    };
    let mut changes = Map::new();
    for (key, new_value) in new {
        let old_value = old.get(&key).cloned().unwrap_or(Value::Null);
        if old_value != new_value {
            changes.insert(key, serde_json::json!({ "old": old_value, "new": new_value }));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company() -> CustomerFields {
        CustomerFields {
            kind: CustomerKind::Company,
            name: "上海申通科技有限公司".into(),
            industry: None,
            size_band: None,
            province: Some("上海市".into()),
            city: None,
            district: None,
            address: None,
            phone: None,
            email: None,
            website: None,
            credit_code: None,
            source_channel: None,
            lifecycle_stage: LifecycleStage::Potential,
            value_tier: None,
            tags: vec![],
            custom_fields: Map::new(),
            gender: None,
            birthday: None,
            preferences: None,
            notes: None,
            id_type: None,
            id_number: None,
            bank_name: None,
            bank_account: None,
        }
    }

    #[test]
    fn an_identity_document_is_a_type_and_a_number_and_id_cards_are_checked() {
        let mut person = CustomerFields { kind: CustomerKind::Individual, ..company() };
        let errors = |fields: &CustomerFields| -> Vec<(String, String)> {
            fields
                .check_consistency(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
                .err()
                .map_or(vec![], |e| e.0.into_iter().map(|error| (error.field, error.code)).collect())
        };
        person.id_type = Some(IdType::IdCard);
        person.id_number = Some(IdNumber::parse("11010519491231002X").unwrap());
        assert_eq!(errors(&person), vec![]);
        person.id_number = Some(IdNumber::parse("110105194912310021").unwrap());
        assert_eq!(errors(&person), vec![("id_number".to_owned(), "id_card".to_owned())]);
        person.id_type = Some(IdType::Passport);
        assert_eq!(errors(&person), vec![], "any 5–20 characters for a passport");
        person.id_type = None;
        assert_eq!(errors(&person), vec![("id_type".to_owned(), "required_with".to_owned())]);
        let firm = CustomerFields { id_type: Some(IdType::Passport), id_number: Some(IdNumber::parse("E12345678").unwrap()), ..company() };
        assert_eq!(errors(&firm), vec![("id_number".to_owned(), "not_for_kind".to_owned())]);
    }

    #[test]
    fn lifecycle_allows_forward_moves_churn_and_return() {
        use LifecycleStage::*;
        assert!(Potential.can_move_to(Prospect));
        assert!(Prospect.can_move_to(Customer));
        assert!(Customer.can_move_to(Churned));
        assert!(Churned.can_move_to(Customer));
        assert!(!Customer.can_move_to(Potential));
        assert!(!Customer.can_move_to(Prospect));
        assert!(!Churned.can_move_to(Potential));
        assert!(!Prospect.can_move_to(Prospect));
    }

    #[test]
    fn patch_changes_only_what_it_names_and_can_clear() {
        let current = company();
        let patch = CustomerPatch { name: Some("新名字".into()), province: Some(None), ..Default::default() };
        let next = patch.apply(&current);
        assert_eq!(next.name, "新名字");
        assert_eq!(next.province, None);
        assert_eq!(next.kind, CustomerKind::Company);
        let changes = changed_fields(&current, &next);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes["province"]["old"], "上海市");
    }

    #[test]
    fn a_patch_leaves_the_stage_to_its_own_move() {
        let patch = CustomerPatch { lifecycle_stage: Some(LifecycleStage::Customer), ..Default::default() };
        assert_eq!(patch.apply(&company()).lifecycle_stage, LifecycleStage::Potential);
    }

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    #[test]
    fn a_birthday_may_be_today_but_not_after_it() {
        let mut person = company();
        person.kind = CustomerKind::Individual;
        person.birthday = Some(today());
        assert!(person.check_consistency(today()).is_ok());
        person.birthday = today().succ_opt();
        let errors = person.check_consistency(today()).unwrap_err().0;
        assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), ("birthday", "in_future"));
    }

    #[test]
    fn consistency_keeps_company_and_person_fields_apart() {
        let mut individual = company();
        individual.kind = CustomerKind::Individual;
        individual.credit_code = Some(CreditCode::parse("91350100M000100Y43").unwrap());
        assert_eq!(individual.check_consistency(today()).unwrap_err().0[0].field, "credit_code");
        let mut firm = company();
        firm.gender = Some(Gender::Female);
        assert_eq!(firm.check_consistency(today()).unwrap_err().0[0].field, "gender");
        assert!(company().check_consistency(today()).is_ok());
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_bounded() {
        assert_eq!(parse_tags(&[" VIP ".into(), "VIP".into(), "制造".into()]).unwrap(), vec!["VIP", "制造"]);
        assert_eq!(parse_tags(&["".into()]).unwrap_err().0[0].field, "tags[0]");
        assert_eq!(parse_tags(&["a,b".into()]).unwrap_err().0[0].code, "invalid_characters");
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(parse_tags(&many).unwrap_err().0[0].code, "too_many");
    }

    #[test]
    fn too_many_tags_are_refused_before_any_tag_is_read() {
        // Each of these tags is invalid too; had they been read, each would have its error.
        let invalid: Vec<String> = (0..64_000).map(|i| format!("a,{i}")).collect();
        let errors = parse_tags(&invalid).unwrap_err().0;
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), ("tags", "too_many"));
        // De-duplication keeps the first of each tag, in order.
        let repeated: Vec<String> = ["b", "a", "b", "c", "a"].iter().map(|t| (*t).to_owned()).collect();
        assert_eq!(parse_tags(&repeated).unwrap(), vec!["b", "a", "c"]);
    }

    #[test]
    fn custom_fields_accept_scalars_and_refuse_documents() {
        let ok: Map<String, Value> = serde_json::from_str(r#"{"erp_code":"A1","credit_days":30,"vip":true,"langs":["zh","en"]}"#).unwrap();
        assert!(parse_custom_fields(&ok).is_ok());
        let nested: Map<String, Value> = serde_json::from_str(r#"{"x":{"y":1}}"#).unwrap();
        assert_eq!(parse_custom_fields(&nested).unwrap_err().0[0].code, "value");
        let bad_key: Map<String, Value> = serde_json::from_str(r#"{"Bad Key":1}"#).unwrap();
        assert_eq!(parse_custom_fields(&bad_key).unwrap_err().0[0].code, "key");
    }
}
