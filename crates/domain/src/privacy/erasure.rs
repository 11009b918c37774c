//! The rules of erasure (删除/匿名化): a person's record keeps its id, its orders and its figures
//! under a pseudonym, and loses every value that identifies them. Erasure cannot be undone: the
//! old values are overwritten, not kept aside, and the audit entry of the erasure names only the
//! fields and counts, never a value.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The pseudonym an erased person's name becomes: `已匿名-7F3A`, four hex digits from the
/// record's id, so the same record always gets the same one (a second erasure changes nothing)
/// and staff can still tell two erased records apart in a list.
pub fn pseudonym(id: Uuid) -> String {
    let hex = id.simple().to_string().to_uppercase();
    let tail = hex.get(hex.len().saturating_sub(4)..).unwrap_or_default();
    format!("已匿名-{tail}")
}

/// Whether a name is already a pseudonym (an erased record).
pub fn is_pseudonym(name: &str) -> bool {
    name.starts_with("已匿名-")
}

/// The personal fields of a customer that erasure clears (its name becomes the pseudonym). The
/// company-level fields (industry, region, tier, stage) and the purchase figures stay.
pub const CUSTOMER_FIELDS: &[&str] = &["name", "address", "phone", "email", "website", "birthday", "gender", "preferences", "notes"];

/// The personal fields of a contact that erasure clears (its name becomes the pseudonym).
pub const CONTACT_FIELDS: &[&str] = &["name", "title", "department", "phone", "mobile", "email", "wechat", "birthday", "notes"];

/// The personal text of an interaction with the person that erasure clears (the subject becomes
/// a neutral placeholder; channel, direction, time and links stay for the statistics).
pub const INTERACTION_FIELDS: &[&str] = &["subject", "content", "outcome", "next_step"];

/// The subject an erased interaction keeps.
pub const ERASED_SUBJECT: &str = "已匿名";

/// Retention: the organisation's setting of how long contacts of churned customers are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    /// Propose the contacts of customers churned (流失) for this many years for erasure
    /// (1–50); `null` proposes none.
    pub erase_contacts_of_churned_after_years: Option<u32>,
}

/// Bounds of the retention period in years.
pub const RETENTION_YEARS_MIN: u32 = 1;
pub const RETENTION_YEARS_MAX: u32 = 50;

/// What an erased value is replaced with where it was copied into history (audit entries,
/// events, the timeline): the name by the pseudonym, everything else by this.
pub const ERASED_VALUE: &str = "[已删除]";

/// The shortest value that is replaced where it occurs inside a longer text: shorter ones (a
/// one-character name) would hit unrelated words, so they are replaced only where they are the
/// whole value.
const MIN_INNER_CHARS: usize = 2;

/// Replaces, in every string of `value`, each erased value (`old`) by its replacement: a string
/// that is the old value becomes the replacement; one that contains it gets it replaced (longer
/// old values first, so a name inside an email is not cut in half). Returns whether anything
/// changed. Used on the copies of a record that history keeps (audit entries, events, timeline
/// items), so that their shape survives and only the person's values go.
pub fn scrub(value: &mut serde_json::Value, replacements: &[(String, String)]) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => match scrub_text(text, replacements) {
            Some(clean) => {
                *text = clean;
                true
            }
            None => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |changed, item| scrub(item, replacements) | changed),
        Value::Object(fields) => fields.values_mut().fold(false, |changed, item| scrub(item, replacements) | changed),
        _ => false,
    }
}

/// [`scrub`] of one text: the text without the erased values, or `None` when it holds none.
pub fn scrub_text(text: &str, replacements: &[(String, String)]) -> Option<String> {
    let mut ordered: Vec<&(String, String)> = replacements.iter().filter(|(old, _)| !old.trim().is_empty()).collect();
    ordered.sort_by_key(|(old, _)| std::cmp::Reverse(old.chars().count()));
    if let Some((_, new)) = ordered.iter().find(|(old, _)| old == text) {
        return (new != text).then(|| new.clone());
    }
    let mut clean = text.to_owned();
    for (old, new) in ordered {
        if old.chars().count() >= MIN_INNER_CHARS && clean.contains(old.as_str()) {
            clean = clean.replace(old.as_str(), new);
        }
    }
    (clean != text).then_some(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbing_replaces_whole_and_inner_values_and_keeps_the_shape() {
        let replacements = vec![
            ("王芳".to_owned(), "已匿名-7F3A".to_owned()),
            ("+8613812345678".to_owned(), ERASED_VALUE.to_owned()),
            ("wang.fang@example.com".to_owned(), ERASED_VALUE.to_owned()),
        ];
        let mut value = serde_json::json!({ "after": { "name": "王芳", "phone": "+8613812345678", "note": "call 王芳 at wang.fang@example.com", "n": 3 } });
        assert!(scrub(&mut value, &replacements));
        assert_eq!(value["after"]["name"], "已匿名-7F3A");
        assert_eq!(value["after"]["phone"], ERASED_VALUE);
        assert_eq!(value["after"]["note"], format!("call 已匿名-7F3A at {ERASED_VALUE}"));
        assert_eq!(value["after"]["n"], 3);
        assert!(!scrub(&mut value, &replacements), "a second pass finds nothing");
    }

    #[test]
    fn a_one_character_value_is_replaced_only_where_it_is_the_whole_text() {
        let replacements = vec![("李".to_owned(), "已匿名-0001".to_owned())];
        assert_eq!(scrub_text("李", &replacements).as_deref(), Some("已匿名-0001"));
        assert_eq!(scrub_text("李宁体育", &replacements), None);
    }

    #[test]
    fn a_pseudonym_is_stable_and_ends_with_the_ids_last_hex_digits() {
        let id: Uuid = "0190f5d2-7c1e-7a00-8000-000000007f3a".parse().unwrap();
        assert_eq!(pseudonym(id), "已匿名-7F3A");
        assert_eq!(pseudonym(id), pseudonym(id));
        assert!(is_pseudonym(&pseudonym(id)));
        assert!(!is_pseudonym("上海七宝印刷"));
    }
}
