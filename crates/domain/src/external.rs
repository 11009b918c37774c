//! External references: how a record is known in another system. An ERP's customer `C-1001` and
//! a finance system's account `88-17` can both name one customer (`erp:C-1001`,
//! `finance:88-17`); a record has at most one id per system, and an id names at most one live
//! record of its kind per system, so an integration can find, create or update the record by
//! the id it already holds (`PUT /customers/external/erp/C-1001`).

use std::collections::BTreeMap;

use crate::check::Check;
use crate::error::HasCode;
use crate::message::Text;
use crate::text;

/// Longest system name, in characters.
pub const SYSTEM_MAX: usize = 40;
/// Longest id in a system, in characters.
pub const EXTERNAL_ID_MAX: usize = 120;

/// Why a system name or an external id was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalRefError {
    /// A system name is lowercase ASCII letters, digits, `_`, `-` or `.`, starting with a letter
    /// or digit, so it reads the same in a path, a log line and a JSON key.
    System,
    Id(crate::text::TextError),
}

impl HasCode for ExternalRefError {
    fn code(&self) -> &'static str {
        match self {
            ExternalRefError::System => "external_system",
            ExternalRefError::Id(error) => error.code(),
        }
    }

    fn text(&self) -> Text {
        match self {
            ExternalRefError::System => text!(
                "a system name is 1-{SYSTEM_MAX} lowercase letters, digits, '_', '-' or '.', starting with a letter or digit",
                "系统名须为 1-{SYSTEM_MAX} 个小写字母、数字、“_”“-”或“.”，以字母或数字开头"
            ),
            ExternalRefError::Id(error) => error.text(),
        }
    }

    fn params(&self) -> serde_json::Map<String, serde_json::Value> {
        match self {
            ExternalRefError::System => serde_json::Map::new(),
            ExternalRefError::Id(error) => error.params(),
        }
    }
}

/// The name of an external system (`erp`, `finance`, `shop-cn`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SystemName(String);

impl SystemName {
    pub fn parse(value: &str) -> Result<Self, ExternalRefError> {
        let mut chars = value.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'));
        if first_ok && rest_ok && value.len() <= SYSTEM_MAX { Ok(Self(value.to_owned())) } else { Err(ExternalRefError::System) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A record's id in an external system: any single line of text, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExternalId(String);

impl ExternalId {
    pub fn parse(value: &str) -> Result<Self, ExternalRefError> {
        crate::text::bounded_text(value, EXTERNAL_ID_MAX, false).map(Self).map_err(ExternalRefError::Id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One reference: the system and the record's id there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalRef {
    pub system: SystemName,
    pub id: ExternalId,
}

impl ExternalRef {
    /// The reference named by an upsert's path, `…/external/{system}/{external_id}`.
    pub fn parse(system: &str, id: &str) -> Result<Self, crate::ValidationErrors> {
        let mut check = Check::default();
        let system = check.external_part("system", SystemName::parse(system));
        let id = check.external_part("external_id", ExternalId::parse(id));
        let (system, id) = check.finish_with((system, id))?;
        Ok(Self { system, id })
    }
}

/// A record's references, one id per system, as a record shows them: `{"erp": "C-1001"}`.
pub type ExternalIds = BTreeMap<String, String>;

/// A change of a record's references (JSON merge patch): a system given an id gets it, a system
/// given `null` loses its reference, systems not named keep theirs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalIdsPatch(pub BTreeMap<SystemName, Option<ExternalId>>);

impl ExternalIdsPatch {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The references of a new record: every id given (a `null` on a new record sets nothing).
    pub fn setting(refs: &ExternalRef) -> Self {
        Self(BTreeMap::from([(refs.system.clone(), Some(refs.id.clone()))]))
    }

    /// `current` with this change applied.
    pub fn apply(&self, current: &ExternalIds) -> ExternalIds {
        let mut next = current.clone();
        for (system, id) in &self.0 {
            match id {
                Some(id) => next.insert(system.as_str().to_owned(), id.as_str().to_owned()),
                None => next.remove(system.as_str()),
            };
        }
        next
    }

    /// Whether the change gives `reference.system` an id other than `reference.id` or removes
    /// it: an upsert's body may not move the record away from the reference in its path.
    pub fn contradicts(&self, reference: &ExternalRef) -> bool {
        self.0.get(&reference.system).is_some_and(|id| id.as_ref() != Some(&reference.id))
    }

    /// The same change with the path's reference added (an upserted record keeps the id it was
    /// found or created by).
    pub fn with(mut self, reference: &ExternalRef) -> Self {
        self.0.insert(reference.system.clone(), Some(reference.id.clone()));
        self
    }
}

impl Check {
    fn external_part<T>(&mut self, field: &str, parsed: Result<T, ExternalRefError>) -> Option<T> {
        parsed.map_err(|error| self.fail(field, error)).ok()
    }

    /// The `external_ids` of a request: `{system: id}`, where `null` (in a patch) removes the
    /// system's reference. Errors are named `external_ids.<system>`.
    pub fn external_ids(&mut self, given: &BTreeMap<String, Option<String>>) -> ExternalIdsPatch {
        let mut patch = ExternalIdsPatch::default();
        for (system, id) in given {
            let field = format!("external_ids.{system}");
            let Some(system) = self.external_part(&field, SystemName::parse(system)) else { continue };
            match id {
                None => {
                    patch.0.insert(system, None);
                }
                Some(id) => {
                    if let Some(id) = self.external_part(&field, ExternalId::parse(id)) {
                        patch.0.insert(system, Some(id));
                    }
                }
            }
        }
        patch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_names_are_lowercase_path_safe_words() {
        for good in ["erp", "finance", "shop-cn", "sap.s4", "k3_cloud", "1c"] {
            assert!(SystemName::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "ERP", "-erp", "erp/x", "金蝶", "erp x", &"e".repeat(SYSTEM_MAX + 1)] {
            assert_eq!(SystemName::parse(bad), Err(ExternalRefError::System), "{bad}");
        }
    }

    #[test]
    fn external_ids_are_trimmed_single_lines() {
        assert_eq!(ExternalId::parse("  C-1001 ").map(|id| id.as_str().to_owned()), Ok("C-1001".to_owned()));
        assert!(ExternalId::parse("客户/001").is_ok());
        assert!(ExternalId::parse(" ").is_err());
        assert!(ExternalId::parse("a\nb").is_err());
        assert!(ExternalId::parse(&"x".repeat(EXTERNAL_ID_MAX + 1)).is_err());
    }

    #[test]
    fn a_patch_sets_removes_and_keeps_systems() {
        let mut check = Check::default();
        let given = BTreeMap::from([("erp".to_owned(), Some("C-2".to_owned())), ("finance".to_owned(), None)]);
        let patch = check.external_ids(&given);
        assert!(check.is_clean());
        let current = ExternalIds::from([("erp".into(), "C-1".into()), ("finance".into(), "88".into()), ("crm2".into(), "x".into())]);
        assert_eq!(patch.apply(&current), ExternalIds::from([("erp".into(), "C-2".into()), ("crm2".into(), "x".into())]));
        let reference = ExternalRef::parse("erp", "C-1").unwrap();
        assert!(patch.contradicts(&reference));
        assert!(!patch.contradicts(&ExternalRef::parse("erp", "C-2").unwrap()));
        assert!(!patch.contradicts(&ExternalRef::parse("shop", "1").unwrap()));
    }

    #[test]
    fn bad_systems_and_ids_are_named_by_their_key() {
        let mut check = Check::default();
        let given = BTreeMap::from([("ERP".to_owned(), Some("1".to_owned())), ("erp".to_owned(), Some(" ".to_owned()))]);
        check.external_ids(&given);
        let errors = check.finish().unwrap_err().0;
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(fields, [("external_ids.ERP", "external_system"), ("external_ids.erp", "required")]);
    }

    #[test]
    fn a_path_reference_reports_both_parts() {
        let errors = ExternalRef::parse("Bad System", "").unwrap_err().0;
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["system", "external_id"]);
    }
}
