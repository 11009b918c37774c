//! Merging two customers (查重合并): which values the survivor keeps. By default the survivor's
//! own value stays and an empty one is filled from the other record; a client may pick the
//! other's value field by field (`field_choices`). Tags are the union of both; custom fields
//! are chosen key by key (`custom_fields.<key>`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::CustomerFields;
use crate::error::{FieldError, ValidationErrors};
use crate::text;

/// Which record a merged field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MergeSide {
    Survivor,
    Other,
}

/// The fields a client may choose (a pair moves together: `id_number` brings `id_type`,
/// `bank_account` brings `bank_name`, `owner` brings the team). Custom fields are named
/// `custom_fields.<key>`.
pub const MERGE_FIELDS: &[&str] = &[
    "name",
    "industry",
    "size_band",
    "province",
    "city",
    "district",
    "address",
    "phone",
    "email",
    "website",
    "credit_code",
    "source_channel",
    "lifecycle_stage",
    "value_tier",
    "gender",
    "birthday",
    "preferences",
    "notes",
    "id_number",
    "bank_account",
    "owner",
];

/// Checks the choices' names (every error at once).
pub fn check_choices(choices: &BTreeMap<String, MergeSide>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    for field in choices.keys() {
        let known = MERGE_FIELDS.contains(&field.as_str())
            || field.strip_prefix("custom_fields.").is_some_and(|key| crate::platform::custom_fields::check_key(key).is_ok());
        if !known {
            errors.push(
                FieldError::new(
                    format!("field_choices.{field}"),
                    "unknown_field",
                    text!("not a field that can be chosen", "不是可选择的字段"),
                )
                .with_param("allowed", MERGE_FIELDS.to_vec()),
            );
        }
    }
    errors.into_result()
}

/// The survivor's fields after taking in `other`, and the fields whose value came from it.
pub fn merged_fields(
    survivor: &CustomerFields,
    other: &CustomerFields,
    choices: &BTreeMap<String, MergeSide>,
) -> (CustomerFields, Vec<String>) {
    let mut merged = survivor.clone();
    let mut taken = Vec::new();
    let side = |field: &str| choices.get(field).copied();
    macro_rules! pick {
        ($name:literal, $($field:ident),+) => {{
            let take = match side($name) {
                Some(MergeSide::Other) => true,
                Some(MergeSide::Survivor) => false,
                // The survivor's value stays; an empty one is filled in.
                None => is_none!($(survivor.$field),+) && !is_none!($(other.$field),+),
            };
            if take && ($(survivor.$field != other.$field)||+) {
                $(merged.$field = other.$field.clone();)+
                taken.push($name.to_owned());
            }
        }};
    }
    macro_rules! is_none {
        ($first:expr $(, $rest:expr)*) => {
            $first.is_none()
        };
    }
    pick!("industry", industry);
    pick!("size_band", size_band);
    pick!("province", province);
    pick!("city", city);
    pick!("district", district);
    pick!("address", address);
    pick!("phone", phone);
    pick!("email", email);
    pick!("website", website);
    pick!("credit_code", credit_code);
    pick!("source_channel", source_channel);
    pick!("value_tier", value_tier);
    pick!("gender", gender);
    pick!("birthday", birthday);
    pick!("preferences", preferences);
    pick!("notes", notes);
    pick!("id_number", id_number, id_type);
    pick!("bank_account", bank_account, bank_name);
    if side("name") == Some(MergeSide::Other) && survivor.name != other.name {
        merged.name = other.name.clone();
        taken.push("name".to_owned());
    }
    if side("lifecycle_stage") == Some(MergeSide::Other) && survivor.lifecycle_stage != other.lifecycle_stage {
        merged.lifecycle_stage = other.lifecycle_stage;
        taken.push("lifecycle_stage".to_owned());
    }
    for tag in &other.tags {
        if !merged.tags.contains(tag) && merged.tags.len() < super::TAGS_PER_RECORD {
            merged.tags.push(tag.clone());
        }
    }
    for (key, value) in &other.custom_fields {
        let take = match side(&format!("custom_fields.{key}")) {
            Some(MergeSide::Other) => true,
            Some(MergeSide::Survivor) => false,
            None => survivor.custom_fields.get(key).is_none_or(Value::is_null),
        };
        if take && survivor.custom_fields.get(key) != Some(value) {
            merged.custom_fields.insert(key.clone(), value.clone());
            taken.push(format!("custom_fields.{key}"));
        }
    }
    (merged, taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::{CustomerKind, LifecycleStage};
    use serde_json::json;

    fn company(name: &str) -> CustomerFields {
        CustomerFields {
            kind: CustomerKind::Company,
            name: name.into(),
            industry: None,
            size_band: None,
            province: None,
            city: None,
            district: None,
            address: None,
            phone: None,
            email: None,
            website: None,
            credit_code: None,
            source_channel: None,
            lifecycle_stage: LifecycleStage::Prospect,
            value_tier: None,
            tags: vec!["a".into()],
            custom_fields: Default::default(),
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
    fn the_survivor_keeps_its_values_fills_gaps_and_takes_what_is_chosen() {
        let mut survivor = company("浦江机械");
        survivor.city = Some("上海市".into());
        survivor.custom_fields.insert("grade".into(), json!("a"));
        let mut other = company("浦江机械有限公司");
        other.city = Some("苏州市".into());
        other.industry = Some("制造业".into());
        other.notes = Some("老客户".into());
        other.tags = vec!["a".into(), "b".into()];
        other.custom_fields.insert("grade".into(), json!("b"));
        other.custom_fields.insert("erp".into(), json!("C-1"));

        let (merged, taken) = merged_fields(&survivor, &other, &BTreeMap::new());
        assert_eq!(
            (merged.name.as_str(), merged.city.as_deref(), merged.industry.as_deref()),
            ("浦江机械", Some("上海市"), Some("制造业"))
        );
        assert_eq!(merged.tags, ["a", "b"]);
        assert_eq!(merged.custom_fields, json!({"grade": "a", "erp": "C-1"}).as_object().cloned().unwrap());
        assert_eq!(taken, ["industry", "notes", "custom_fields.erp"]);

        let choices = BTreeMap::from([
            ("name".to_owned(), MergeSide::Other),
            ("city".to_owned(), MergeSide::Other),
            ("notes".to_owned(), MergeSide::Survivor),
            ("custom_fields.grade".to_owned(), MergeSide::Other),
        ]);
        let (merged, taken) = merged_fields(&survivor, &other, &choices);
        assert_eq!((merged.name.as_str(), merged.city.as_deref(), merged.notes.as_deref()), ("浦江机械有限公司", Some("苏州市"), None));
        assert_eq!(merged.custom_fields["grade"], "b");
        assert_eq!(taken, ["industry", "city", "name", "custom_fields.erp", "custom_fields.grade"]);
    }

    #[test]
    fn choices_name_known_fields() {
        assert!(
            check_choices(&BTreeMap::from([("owner".to_owned(), MergeSide::Other), ("custom_fields.grade".to_owned(), MergeSide::Other)]))
                .is_ok()
        );
        let errors = check_choices(&BTreeMap::from([("planet".to_owned(), MergeSide::Other)])).unwrap_err();
        assert_eq!(errors.0[0].field, "field_choices.planet");
    }
}
