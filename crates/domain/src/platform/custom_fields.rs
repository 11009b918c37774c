//! Custom fields: what an administrator defines for a kind of record (a key, labels in both
//! languages, a type, options for choices, required, a default) and the rules its values follow.
//! Values live with the record as one JSON object `{key: value}`; [`settle`] turns what a client
//! sends into that object, field by field, with every error at once.
//!
//! Option values are the stored identity of a choice; their labels may change freely. Options and
//! fields are retired, never removed, so no stored value ever loses its meaning.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::error::{FieldError, ValidationErrors};
use crate::text;
use crate::values::string_enum;

/// How many fields one kind of record may define (retired ones included).
pub const MAX_FIELDS_PER_ENTITY: usize = 100;
/// How many options one choice field may offer.
pub const MAX_OPTIONS: usize = 200;
/// The longest text value.
pub const MAX_TEXT: usize = 1000;
/// The largest money amount, in 分 (minor units): a JavaScript client reads it exactly.
pub const MAX_MONEY: i64 = 9_007_199_254_740_991;

string_enum! {
    /// The kinds of record that carry custom fields (their tables' names).
    CustomEntity {
        Customers => "customers",
        Contacts => "contacts",
        Opportunities => "opportunities",
        Orders => "orders",
        Tickets => "tickets",
        Products => "products",
    }
}

string_enum! {
    /// What a custom field holds. `money` is an integer number of 分 (minor units of the
    /// organisation's currency), `date` a `YYYY-MM-DD`, `user` a user's id, `select` one option's
    /// value and `multiselect` a list of them.
    FieldType {
        Text => "text",
        Number => "number",
        Money => "money",
        Date => "date",
        Bool => "bool",
        Select => "select",
        Multiselect => "multiselect",
        User => "user",
    }
}

impl FieldType {
    pub fn has_options(self) -> bool {
        matches!(self, FieldType::Select | FieldType::Multiselect)
    }

    /// Whether a list can be sorted by it (a list of choices has no order).
    pub fn sortable(self) -> bool {
        self != FieldType::Multiselect
    }

    /// Whether a list filter may ask for a range (`_from`/`_to`).
    pub fn ranged(self) -> bool {
        matches!(self, FieldType::Number | FieldType::Money | FieldType::Date)
    }
}

/// One choice of a select or multiselect field. `value` is what records store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldOption {
    /// What records store: 1–100 characters, unique within the field, never changed once stored.
    pub value: String,
    pub label_zh: String,
    pub label_en: String,
    /// A retired option is kept on the records that have it and refused on new writes.
    #[serde(default)]
    pub retired: bool,
}

/// What checking a value needs to know of its field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRule {
    pub key: String,
    pub field_type: FieldType,
    pub options: Vec<FieldOption>,
    pub required: bool,
    pub default_value: Option<Value>,
    pub retired: bool,
}

/// A field key: a lower-case letter, then lower-case letters, digits and `_`, at most 40. It is
/// also part of an index's name, so nothing else may pass.
pub fn check_key(key: &str) -> Result<(), FieldError> {
    let ok = (1..=40).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "key",
            "key",
            text!(
                "a key starts with a lower-case letter, then lower-case letters, digits and _ (at most 40)",
                "标识须以小写字母开头，只含小写字母、数字和 _（最多 40 个字符）"
            ),
        )
        .with_param("max", 40))
    }
}

/// The options of a field of type `field_type`: only choices have them (at least one, values
/// unique); an edit may add options, relabel and retire them, never drop one (`previous`).
pub fn check_options(
    field_type: FieldType,
    options: &[FieldOption],
    previous: Option<&[FieldOption]>,
) -> Result<Vec<FieldOption>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if !field_type.has_options() {
        if !options.is_empty() {
            errors.push(FieldError::new(
                "options",
                "not_for_type",
                text!("only select and multiselect fields have options", "只有单选和多选字段有选项"),
            ));
        }
        return errors.into_result().map(|()| Vec::new());
    }
    if options.iter().all(|o| o.retired) {
        errors.push(FieldError::new(
            "options",
            "required",
            text!("a choice field needs at least one option in use", "选择字段至少需要一个启用的选项"),
        ));
    }
    if options.len() > MAX_OPTIONS {
        errors.push(
            FieldError::new("options", "too_many", text!("at most {MAX_OPTIONS} options", "选项最多 {MAX_OPTIONS} 个"))
                .with_param("max", MAX_OPTIONS),
        );
    }
    let mut seen = std::collections::HashSet::new();
    let mut cleaned = Vec::with_capacity(options.len());
    for (index, option) in options.iter().enumerate() {
        let value = option.value.trim();
        if value.is_empty() || value.chars().count() > 100 {
            errors.push(
                FieldError::new(format!("options[{index}].value"), "length", text!("1 to 100 characters", "须为 1 到 100 个字符"))
                    .with_param("max", 100),
            );
        } else if !seen.insert(value.to_owned()) {
            errors.push(FieldError::new(
                format!("options[{index}].value"),
                "duplicate",
                text!("this option is listed twice", "该选项重复"),
            ));
        }
        for (field, label) in [("label_zh", &option.label_zh), ("label_en", &option.label_en)] {
            if label.trim().is_empty() || label.trim().chars().count() > 100 {
                errors.push(
                    FieldError::new(format!("options[{index}].{field}"), "length", text!("1 to 100 characters", "须为 1 到 100 个字符"))
                        .with_param("max", 100),
                );
            }
        }
        cleaned.push(FieldOption {
            value: value.to_owned(),
            label_zh: option.label_zh.trim().to_owned(),
            label_en: option.label_en.trim().to_owned(),
            retired: option.retired,
        });
    }
    for old in previous.unwrap_or_default() {
        if !seen.contains(&old.value) {
            let value = &old.value;
            errors.push(
                FieldError::new(
                    "options",
                    "option_removed",
                    text!("option {value} may be stored on records: retire it instead", "选项 {value} 可能已被记录使用，请改为停用"),
                )
                .with_param("value", old.value.clone()),
            );
        }
    }
    errors.into_result().map(|()| cleaned)
}

fn invalid(field: &str, code: &str, message: crate::message::Text) -> FieldError {
    FieldError::new(format!("custom_fields.{field}"), code, message)
}

/// Checks one value against its field and gives it as stored (text trimmed, choices as their
/// values). `null` is not a value: callers treat it as "clear".
pub fn check_value(rule: &FieldRule, value: &Value) -> Result<Value, FieldError> {
    let key = rule.key.as_str();
    let wrong = |message| invalid(key, "type", message);
    match rule.field_type {
        FieldType::Text => {
            let text = value.as_str().ok_or_else(|| wrong(text!("expected text", "应为文本")))?.trim();
            if text.chars().count() > MAX_TEXT {
                return Err(
                    invalid(key, "too_long", text!("at most {MAX_TEXT} characters", "最多 {MAX_TEXT} 个字符")).with_param("max", MAX_TEXT)
                );
            }
            Ok(Value::String(text.to_owned()))
        }
        FieldType::Number => match value.as_f64() {
            Some(n) if n.is_finite() && n.abs() < 1e15 => Ok(value.clone()),
            _ => Err(wrong(text!("expected a number below 10¹⁵", "应为小于 10¹⁵ 的数字"))),
        },
        FieldType::Money => match value.as_i64() {
            Some(n) if (0..=MAX_MONEY).contains(&n) => Ok(Value::from(n)),
            _ => Err(wrong(text!("expected a whole number of 分 (cents), not negative", "应为以分为单位的非负整数"))),
        },
        FieldType::Date => {
            let text = value.as_str().ok_or_else(|| wrong(text!("expected a date YYYY-MM-DD", "应为 YYYY-MM-DD 格式的日期")))?;
            let day = crate::dates::parse_date(text)
                .map_err(|_| invalid(key, "date", text!("expected a date YYYY-MM-DD", "应为 YYYY-MM-DD 格式的日期")))?;
            Ok(Value::String(day.format("%Y-%m-%d").to_string()))
        }
        FieldType::Bool => value.as_bool().map(Value::Bool).ok_or_else(|| wrong(text!("expected true or false", "应为 true 或 false"))),
        FieldType::User => {
            let text = value.as_str().ok_or_else(|| wrong(text!("expected a user's id", "应为用户 ID")))?;
            let id = uuid::Uuid::parse_str(text.trim()).map_err(|_| wrong(text!("expected a user's id", "应为用户 ID")))?;
            Ok(Value::String(id.to_string()))
        }
        FieldType::Select => {
            let text = value.as_str().ok_or_else(|| wrong(text!("expected one option", "应为一个选项")))?;
            choice(rule, text).map(Value::String)
        }
        FieldType::Multiselect => {
            let items = value.as_array().ok_or_else(|| wrong(text!("expected a list of options", "应为选项列表")))?;
            let mut chosen: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                let text = item.as_str().ok_or_else(|| wrong(text!("expected a list of options", "应为选项列表")))?;
                let value = choice(rule, text)?;
                if !chosen.contains(&value) {
                    chosen.push(value);
                }
            }
            Ok(Value::from(chosen))
        }
    }
}

/// An option of a choice field, by value; retired ones are refused.
fn choice(rule: &FieldRule, text: &str) -> Result<String, FieldError> {
    let key = rule.key.as_str();
    match rule.options.iter().find(|o| o.value == text.trim()) {
        Some(option) if !option.retired => Ok(option.value.clone()),
        Some(_) => {
            Err(invalid(key, "option_retired", text!("this option is no longer offered", "该选项已停用")).with_param("value", text.trim()))
        }
        None => Err(invalid(key, "option", text!("not one of the field's options", "不是该字段的选项")).with_param("value", text.trim())),
    }
}

/// The custom fields of a record after a write: `current` (the stored object; empty on create)
/// changed by `incoming` as a merge patch (a key with `null` clears that field, absent keys stay).
/// On create, fields the client leaves out get their default, and required ones must then have a
/// value; on update, a required field may not be cleared. Keys no field defines, and fields that
/// are retired, are refused when sent; values already stored under them are kept untouched.
pub fn settle(
    rules: &[FieldRule],
    current: &Map<String, Value>,
    incoming: &Map<String, Value>,
    creating: bool,
) -> Result<Map<String, Value>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut next = current.clone();
    for (key, value) in incoming {
        let Some(rule) = rules.iter().find(|r| &r.key == key) else {
            errors.push(invalid(key, "unknown_field", text!("no custom field has this key", "没有该标识的自定义字段")));
            continue;
        };
        if rule.retired {
            // Sending back the stored value unchanged (a form that read the record) is no change.
            if current.get(key) != Some(value) {
                errors.push(invalid(key, "retired", text!("this field is retired", "该字段已停用")));
            }
            continue;
        }
        if value.is_null() {
            if rule.required {
                errors.push(invalid(key, "required", text!("this field is required", "该字段为必填项")));
            } else {
                next.remove(key);
            }
            continue;
        }
        match check_value(rule, value) {
            Ok(stored) if is_blank(&stored) => {
                if rule.required {
                    errors.push(invalid(key, "required", text!("this field is required", "该字段为必填项")));
                } else {
                    next.remove(key);
                }
            }
            Ok(stored) => {
                next.insert(key.clone(), stored);
            }
            Err(error) => errors.push(error),
        }
    }
    if creating {
        let missing: Vec<&FieldRule> =
            rules.iter().filter(|r| !r.retired && !next.contains_key(&r.key) && !incoming.contains_key(&r.key)).collect();
        for rule in missing {
            match &rule.default_value {
                Some(default) => {
                    next.insert(rule.key.clone(), default.clone());
                }
                None if rule.required => {
                    errors.push(invalid(&rule.key, "required", text!("this field is required", "该字段为必填项")));
                }
                None => {}
            }
        }
    }
    errors.into_result().map(|()| next)
}

/// An empty text or an empty list means "no value": it is not stored.
fn is_blank(value: &Value) -> bool {
    matches!(value, Value::String(s) if s.is_empty()) || matches!(value, Value::Array(items) if items.is_empty())
}

/// A definition's default: a valid value of its type (checked like a record's), or none.
pub fn check_default(rule: &FieldRule, value: Option<&Value>) -> Result<Option<Value>, FieldError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            let stored = check_value(rule, value).map_err(|e| FieldError { field: "default_value".into(), ..e })?;
            Ok(if is_blank(&stored) { None } else { Some(stored) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(key: &str, field_type: FieldType) -> FieldRule {
        FieldRule { key: key.into(), field_type, options: vec![], required: false, default_value: None, retired: false }
    }

    fn options() -> Vec<FieldOption> {
        vec![
            FieldOption { value: "north".into(), label_zh: "华北".into(), label_en: "North".into(), retired: false },
            FieldOption { value: "old".into(), label_zh: "旧".into(), label_en: "Old".into(), retired: true },
        ]
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn keys_are_lower_case_words() {
        assert!(check_key("budget_2026").is_ok());
        for bad in ["", "Budget", "1st", "a-b", "a b", &"x".repeat(41), "ç"] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_are_checked_by_type_and_normalised() {
        assert_eq!(check_value(&rule("t", FieldType::Text), &json!("  hi ")).unwrap(), json!("hi"));
        assert!(check_value(&rule("t", FieldType::Text), &json!(3)).is_err());
        assert_eq!(check_value(&rule("n", FieldType::Number), &json!(2.5)).unwrap(), json!(2.5));
        assert!(check_value(&rule("n", FieldType::Number), &json!("2.5")).is_err());
        assert_eq!(check_value(&rule("m", FieldType::Money), &json!(1999)).unwrap(), json!(1999));
        assert!(check_value(&rule("m", FieldType::Money), &json!(19.99)).is_err());
        assert!(check_value(&rule("m", FieldType::Money), &json!(-1)).is_err());
        assert_eq!(check_value(&rule("d", FieldType::Date), &json!("2026-12-04")).unwrap(), json!("2026-12-04"));
        assert_eq!(check_value(&rule("d", FieldType::Date), &json!("2026-02-30")).unwrap_err().code, "date");
        assert!(check_value(&rule("b", FieldType::Bool), &json!("true")).is_err());
        let user = "0192f0c0-0000-7000-8000-000000000001";
        assert_eq!(check_value(&rule("u", FieldType::User), &json!(user.to_uppercase())).unwrap(), json!(user));
        let mut select = rule("s", FieldType::Select);
        select.options = options();
        assert_eq!(check_value(&select, &json!("north")).unwrap(), json!("north"));
        assert_eq!(check_value(&select, &json!("old")).unwrap_err().code, "option_retired");
        assert_eq!(check_value(&select, &json!("south")).unwrap_err().code, "option");
        let mut multi = rule("ms", FieldType::Multiselect);
        multi.options = options();
        assert_eq!(check_value(&multi, &json!(["north", "north"])).unwrap(), json!(["north"]));
        assert_eq!(check_value(&multi, &json!(["south"])).unwrap_err().field, "custom_fields.ms");
    }

    #[test]
    fn settling_merges_applies_defaults_and_requires() {
        let mut required = rule("level", FieldType::Text);
        required.required = true;
        let mut defaulted = rule("score", FieldType::Number);
        defaulted.default_value = Some(json!(5));
        let mut retired = rule("gone", FieldType::Text);
        retired.retired = true;
        let rules = vec![required, defaulted, retired, rule("note", FieldType::Text)];

        let created = settle(&rules, &Map::new(), &object(json!({"level": "A"})), true).unwrap();
        assert_eq!(Value::Object(created.clone()), json!({"level": "A", "score": 5}));
        let missing = settle(&rules, &Map::new(), &Map::new(), true).unwrap_err();
        assert_eq!(missing.0[0].field, "custom_fields.level");
        assert_eq!(missing.0[0].code, "required");

        // Merge patch: absent keys stay, null clears, blank clears, a required one stays required.
        let stored = object(json!({"level": "A", "score": 5, "note": "x", "legacy": 1, "gone": "kept"}));
        let next = settle(&rules, &stored, &object(json!({"score": null, "note": ""})), false).unwrap();
        assert_eq!(Value::Object(next), json!({"level": "A", "legacy": 1, "gone": "kept"}));
        assert_eq!(settle(&rules, &stored, &object(json!({"level": null})), false).unwrap_err().0[0].code, "required");
        assert_eq!(settle(&rules, &stored, &object(json!({"legacy": 2})), false).unwrap_err().0[0].code, "unknown_field");
        assert_eq!(settle(&rules, &stored, &object(json!({"gone": "new"})), false).unwrap_err().0[0].code, "retired");
        assert!(settle(&rules, &stored, &object(json!({"gone": "kept"})), false).is_ok());
    }

    #[test]
    fn options_are_retired_never_dropped() {
        let previous = options();
        assert!(check_options(FieldType::Select, &previous, None).is_ok());
        assert_eq!(check_options(FieldType::Select, &previous[..1], Some(&previous)).unwrap_err().0[0].code, "option_removed");
        let mut relabelled = previous.clone();
        relabelled[0].label_zh = "北方".into();
        assert!(check_options(FieldType::Select, &relabelled, Some(&previous)).is_ok());
        assert_eq!(check_options(FieldType::Text, &previous, None).unwrap_err().0[0].code, "not_for_type");
        assert_eq!(check_options(FieldType::Select, &[], None).unwrap_err().0[0].code, "required");
        let twice = vec![previous[0].clone(), previous[0].clone()];
        assert_eq!(check_options(FieldType::Multiselect, &twice, None).unwrap_err().0[0].code, "duplicate");
    }
}
