//! Pipelines' stages: what adding a stage says, what may change on one, and the rule every
//! pipeline's set of stages keeps.

use serde::Serialize;

use super::StageKind;
use crate::patch::merge_patch;
use crate::{Check, FieldError, ValidationErrors, text};

/// Longest pipeline name, in characters.
pub const PIPELINE_NAME_MAX: usize = 100;
/// At most this many stages in a pipeline created at once.
pub const MAX_STAGES: usize = 30;
/// Longest stage key, in characters.
pub const STAGE_KEY_MAX: usize = 40;
/// Longest stage name, in characters.
pub const STAGE_NAME_MAX: usize = 100;
/// A probability is a percentage.
pub const PROBABILITY_MAX: i32 = 100;

/// A stage to add: key (unique in its pipeline), name, default probability and kind.
#[derive(Debug, Clone, PartialEq)]
pub struct NewStage {
    /// Stable identifier within the pipeline (`proposal`).
    pub key: String,
    /// The name people see on the board.
    pub name: String,
    /// Default probability in percent.
    pub probability: i32,
    /// Open, won or lost.
    pub kind: StageKind,
}

/// What may change on an existing stage; its key and kind are fixed once opportunities use it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageFields {
    /// The name people see on the board.
    pub name: String,
    /// Default probability in percent.
    pub probability: i32,
    /// Retired stages take no new opportunities.
    pub retired: bool,
}

merge_patch! {
    /// A change to a stage (rename, re-weight, retire or restore).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct StagePatch applies to StageFields {
        name: String,
        probability: i32,
        retired: bool,
    }
}

impl Check {
    /// A stage key: lower-case letters, digits and `_`, starting with a letter, so it can name
    /// the stage in URLs and reports.
    pub fn stage_key(&mut self, field: &str, value: &str) -> Option<String> {
        let key = self.text(field, value, STAGE_KEY_MAX)?;
        if key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            Some(key)
        } else {
            self.0.push(FieldError::new(
                field,
                "key",
                text!("lower-case letters, digits and _, starting with a letter", "只能包含小写字母、数字和 _，且以字母开头"),
            ));
            None
        }
    }

    /// A probability in percent, 0 to 100.
    pub fn probability(&mut self, field: &str, value: i32) -> Option<i32> {
        self.range(field, value, 0, PROBABILITY_MAX)
    }
}

/// A pipeline has at least one open, one won and one lost stage, and its stage keys are unique.
pub fn check_stage_set(stages: &[NewStage]) -> Result<(), ValidationErrors> {
    for kind in [StageKind::Open, StageKind::Won, StageKind::Lost] {
        if !stages.iter().any(|s| s.kind == kind) {
            return Err(ValidationErrors::single(
                "stages",
                "kinds",
                text!(
                    "a pipeline needs at least one open, one won and one lost stage",
                    "销售流程至少需要一个进行中、一个赢单和一个输单阶段"
                ),
            ));
        }
    }
    let mut keys: Vec<&str> = stages.iter().map(|s| s.key.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(ValidationErrors::single(
            "stages",
            "duplicate_key",
            text!("stage keys must be unique within the pipeline", "同一销售流程中的阶段标识不能重复"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn stage(key: &str, kind: StageKind) -> NewStage {
        NewStage { key: key.into(), name: key.into(), probability: 0, kind }
    }

    #[test]
    fn a_stage_key_starts_with_a_letter_and_stays_lower_case() {
        let mut check = Check::default();
        assert_eq!(check.stage_key("key", "proposal_2"), Some("proposal_2".into()));
        assert_eq!(check.stage_key("key", "2nd"), None);
        assert_eq!(check.stage_key("key", "Won"), None);
        assert_eq!(check.finish().unwrap_err().0.len(), 2);
    }

    #[test]
    fn a_stage_set_needs_every_kind_and_unique_keys() {
        let complete = [stage("open", StageKind::Open), stage("won", StageKind::Won), stage("lost", StageKind::Lost)];
        assert!(check_stage_set(&complete).is_ok());
        assert_eq!(check_stage_set(&complete[..2]).unwrap_err().0[0].code, "kinds");
        let twice = [stage("a", StageKind::Open), stage("a", StageKind::Won), stage("lost", StageKind::Lost)];
        assert_eq!(check_stage_set(&twice).unwrap_err().0[0].code, "duplicate_key");
    }

    #[test]
    fn a_stage_patch_retires_without_renaming() {
        let current = StageFields { name: "谈判中".into(), probability: 75, retired: false };
        let next = StagePatch { retired: Some(true), ..Default::default() }.apply(&current);
        assert_eq!(next, StageFields { retired: true, ..current });
    }
}
