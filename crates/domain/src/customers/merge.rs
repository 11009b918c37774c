//! Merging two customers (查重合并): which values the survivor keeps. By default the survivor's
//! own value stays and an empty one is filled from the other record; a client may pick the
//! other's value field by field (`field_choices`). Tags are the union of both; custom fields
//! are chosen key by key (`custom_fields.<key>`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{ContactFields, CustomerFields};
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

/// Checks a customer merge's choices' names (every error at once).
pub fn check_choices(choices: &BTreeMap<String, MergeSide>) -> Result<(), ValidationErrors> {
    check_names(choices, MERGE_FIELDS)
}

fn check_names(choices: &BTreeMap<String, MergeSide>, fields: &[&'static str]) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    for field in choices.keys() {
        let known = fields.contains(&field.as_str())
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

/// Takes values from the other record into the survivor's, field by field, remembering which.
struct Picker<'a, F> {
    survivor: &'a F,
    other: &'a F,
    merged: F,
    taken: Vec<String>,
    choices: &'a BTreeMap<String, MergeSide>,
}

impl<'a, F: Clone> Picker<'a, F> {
    fn new(survivor: &'a F, other: &'a F, choices: &'a BTreeMap<String, MergeSide>) -> Self {
        Self { survivor, other, merged: survivor.clone(), taken: Vec::new(), choices }
    }

    /// One field (or a pair that moves together) read by `get` and written by `set`: the
    /// other's value when chosen, or by default when the survivor's is empty (`empty`).
    fn pick<V: PartialEq>(&mut self, name: &str, get: impl Fn(&F) -> V, empty: impl Fn(&V) -> bool, set: impl Fn(&mut F, &F)) {
        let (mine, theirs) = (get(self.survivor), get(self.other));
        let take = match self.choices.get(name) {
            Some(MergeSide::Other) => true,
            Some(MergeSide::Survivor) => false,
            None => empty(&mine) && !empty(&theirs),
        };
        if take && mine != theirs {
            set(&mut self.merged, self.other);
            self.taken.push(name.to_owned());
        }
    }

    /// A field the survivor keeps unless the other's is chosen (it is never empty).
    fn choose<V: PartialEq>(&mut self, name: &str, get: impl Fn(&F) -> V, set: impl Fn(&mut F, &F)) {
        self.pick(name, get, |_| false, set);
    }

    /// Custom field values, key by key (`custom_fields.<key>`).
    fn custom_fields(
        &mut self,
        get: impl Fn(&F) -> &serde_json::Map<String, Value>,
        get_mut: impl Fn(&mut F) -> &mut serde_json::Map<String, Value>,
    ) {
        let (mine, theirs) = (get(self.survivor).clone(), get(self.other).clone());
        for (key, value) in &theirs {
            let name = format!("custom_fields.{key}");
            let take = match self.choices.get(&name) {
                Some(MergeSide::Other) => true,
                Some(MergeSide::Survivor) => false,
                None => mine.get(key).is_none_or(Value::is_null),
            };
            if take && mine.get(key) != Some(value) {
                get_mut(&mut self.merged).insert(key.clone(), value.clone());
                self.taken.push(name);
            }
        }
    }
}

/// Picks an optional field of both records, or a pair that moves together (the first decides
/// whether the survivor's is empty).
macro_rules! optional {
    ($picker:ident, $name:literal, $field:ident) => {
        $picker.pick($name, |f| f.$field.clone(), |v| v.is_none(), |m, o| m.$field = o.$field.clone())
    };
    ($picker:ident, $name:literal, $field:ident, $with:ident) => {
        $picker.pick(
            $name,
            |f| (f.$field.clone(), f.$with.clone()),
            |v| v.0.is_none(),
            |m, o| {
                m.$field = o.$field.clone();
                m.$with = o.$with.clone();
            },
        )
    };
}

/// The survivor's fields after taking in `other`, and the fields whose value came from it.
pub fn merged_fields(
    survivor: &CustomerFields,
    other: &CustomerFields,
    choices: &BTreeMap<String, MergeSide>,
) -> (CustomerFields, Vec<String>) {
    let mut p = Picker::new(survivor, other, choices);
    optional!(p, "industry", industry);
    optional!(p, "size_band", size_band);
    optional!(p, "province", province);
    optional!(p, "city", city);
    optional!(p, "district", district);
    optional!(p, "address", address);
    optional!(p, "phone", phone);
    optional!(p, "email", email);
    optional!(p, "website", website);
    optional!(p, "credit_code", credit_code);
    optional!(p, "source_channel", source_channel);
    optional!(p, "value_tier", value_tier);
    optional!(p, "gender", gender);
    optional!(p, "birthday", birthday);
    optional!(p, "preferences", preferences);
    optional!(p, "notes", notes);
    optional!(p, "id_number", id_number, id_type);
    optional!(p, "bank_account", bank_account, bank_name);
    p.choose("name", |f| f.name.clone(), |m, o| m.name = o.name.clone());
    p.choose("lifecycle_stage", |f| f.lifecycle_stage, |m, o| m.lifecycle_stage = o.lifecycle_stage);
    for tag in &other.tags {
        if !p.merged.tags.contains(tag) && p.merged.tags.len() < super::TAGS_PER_RECORD {
            p.merged.tags.push(tag.clone());
        }
    }
    p.custom_fields(|f| &f.custom_fields, |f| &mut f.custom_fields);
    (p.merged, p.taken)
}

/// The fields a client may choose when merging contacts (`id_number` brings `id_type`,
/// `bank_account` brings `bank_name`); custom fields are `custom_fields.<key>`.
pub const CONTACT_MERGE_FIELDS: &[&str] =
    &["name", "title", "department", "phone", "mobile", "email", "wechat", "birthday", "notes", "id_number", "bank_account"];

/// Checks a contact merge's choices' names.
pub fn check_contact_choices(choices: &BTreeMap<String, MergeSide>) -> Result<(), ValidationErrors> {
    check_names(choices, CONTACT_MERGE_FIELDS)
}

/// The surviving contact's fields after taking in `other`, and the fields taken from it. The
/// survivor is the customer's primary contact if either was.
pub fn merged_contact_fields(
    survivor: &ContactFields,
    other: &ContactFields,
    choices: &BTreeMap<String, MergeSide>,
) -> (ContactFields, Vec<String>) {
    let mut p = Picker::new(survivor, other, choices);
    optional!(p, "title", title);
    optional!(p, "department", department);
    optional!(p, "phone", phone);
    optional!(p, "mobile", mobile);
    optional!(p, "email", email);
    optional!(p, "wechat", wechat);
    optional!(p, "birthday", birthday);
    optional!(p, "notes", notes);
    optional!(p, "id_number", id_number, id_type);
    optional!(p, "bank_account", bank_account, bank_name);
    p.choose("name", |f| f.name.clone(), |m, o| m.name = o.name.clone());
    p.custom_fields(|f| &f.custom_fields, |f| &mut f.custom_fields);
    p.merged.is_primary = survivor.is_primary || other.is_primary;
    (p.merged, p.taken)
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
