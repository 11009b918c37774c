//! Customer requirements (客户需求管理): the process collect → analyse → plan → implement →
//! deliver → evaluate, the priority score, and the similarity that finds duplicates.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::error::HasCode;
use crate::message::Text;
use crate::text;
use crate::values::string_enum;

mod commands;

pub use commands::{
    DEFAULT_CATEGORY, DEFAULT_LEVEL, DEPARTMENT_MAX, LEVEL_MAX, LEVEL_MIN, NewRequester, NewRequirement, Origin, RELEASE_MAX,
    REQUESTER_NOTE_MAX, REQUIREMENT_TITLE_MAX, RequirementFields, RequirementPatch,
};

string_enum! {
    /// What a requirement is about.
    RequirementCategory { Functional => "functional", Performance => "performance", Ui => "ui", Service => "service", Quality => "quality", Other => "other" }
}

string_enum! {
    /// Where the requirement was heard.
    RequirementSource { Interview => "interview", Survey => "survey", Complaint => "complaint", Feedback => "feedback", Ticket => "ticket", SalesVisit => "sales_visit", Other => "other" }
}

string_enum! {
    /// 已收集 → 分析中 → 已计划 → 实施中 → 已交付 → 已评价, or 已拒绝 / 重复.
    RequirementStatus {
        Collected => "collected", Analyzing => "analyzing", Planned => "planned", InProgress => "in_progress",
        Delivered => "delivered", Evaluated => "evaluated", Rejected => "rejected", Duplicate => "duplicate",
    }
}

impl RequirementStatus {
    /// The moves the process allows. `duplicate` is reached only by merging into a survivor, and
    /// `evaluated` and `duplicate` are final; a rejected requirement can be collected again.
    pub fn can_move_to(self, next: RequirementStatus) -> bool {
        use RequirementStatus::*;
        matches!(
            (self, next),
            (Collected, Analyzing | Rejected)
                | (Analyzing, Planned | Rejected | Collected)
                | (Planned, InProgress | Analyzing | Rejected)
                | (InProgress, Delivered | Planned)
                | (Delivered, Evaluated | InProgress)
                | (Rejected, Collected)
        )
    }

    /// Still to be delivered: counts as open work and can absorb a duplicate.
    pub fn is_open(self) -> bool {
        !matches!(self, RequirementStatus::Evaluated | RequirementStatus::Rejected | RequirementStatus::Duplicate)
    }

    /// The status as the Chinese interface names it, for sentences about a move.
    pub fn label_zh(self) -> &'static str {
        match self {
            RequirementStatus::Collected => "已收集",
            RequirementStatus::Analyzing => "分析中",
            RequirementStatus::Planned => "已计划",
            RequirementStatus::InProgress => "实施中",
            RequirementStatus::Delivered => "已交付",
            RequirementStatus::Evaluated => "已评价",
            RequirementStatus::Rejected => "已拒绝",
            RequirementStatus::Duplicate => "重复",
        }
    }

    /// Whether a requirement standing here may be moved to `next` by hand (see [`Self::can_move_to`]).
    pub fn check_move(self, next: RequirementStatus) -> Result<(), MoveError> {
        if next == RequirementStatus::Duplicate {
            return Err(MoveError::DuplicateByMerge);
        }
        if !self.can_move_to(next) {
            return Err(MoveError::NotAllowed { from: self, to: next });
        }
        Ok(())
    }
}

/// Why a requirement cannot be moved (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("a requirement becomes a duplicate by merging it into another")]
    DuplicateByMerge,
    #[error("a requirement that is {from} cannot become {to}")]
    NotAllowed { from: RequirementStatus, to: RequirementStatus },
}

impl HasCode for MoveError {
    fn code(&self) -> &'static str {
        match self {
            MoveError::DuplicateByMerge => "requirement.duplicate_by_merge",
            MoveError::NotAllowed { .. } => "requirement.invalid_transition",
        }
    }

    fn text(&self) -> Text {
        match self {
            MoveError::DuplicateByMerge => {
                text!("a requirement becomes a duplicate by merging it into another", "需求只能通过合并到另一条需求来标记为重复")
            }
            MoveError::NotAllowed { from, to } => {
                let (from_zh, to_zh) = (from.label_zh(), to.label_zh());
                text!("a requirement that is {from} cannot become {to}", "需求当前为“{from_zh}”，不能改为“{to_zh}”")
            }
        }
    }

    fn params(&self) -> Map<String, Value> {
        match self {
            MoveError::DuplicateByMerge => Map::new(),
            MoveError::NotAllowed { from, to } => {
                Map::from_iter([("from".to_owned(), Value::from(from.as_str())), ("to".to_owned(), Value::from(to.as_str()))])
            }
        }
    }
}

/// A reason the system gives when it moves a requirement itself. It is stored as the English
/// sentence earlier versions stored (so their rows read the same) and worded in the reader's
/// language when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemReason {
    /// Every requesting customer gave feedback, so the requirement was evaluated.
    AllRequestersAnswered,
    /// The requirement was merged into the one with this number.
    MergedInto(String),
}

const MERGED_INTO: &str = "merged into ";

impl SystemReason {
    /// What the history stores.
    pub fn key(&self) -> String {
        match self {
            SystemReason::AllRequestersAnswered => "every requester gave feedback".to_owned(),
            SystemReason::MergedInto(number) => format!("{MERGED_INTO}{number}"),
        }
    }

    /// The system reason a stored move to `to` gives, if it is one: people's reasons are shown
    /// as they typed them. Only the system evaluates on feedback and marks duplicates, so the
    /// target status tells a system sentence from a person's.
    pub fn from_stored(to: RequirementStatus, reason: &str) -> Option<Self> {
        match to {
            RequirementStatus::Evaluated if reason == SystemReason::AllRequestersAnswered.key() => {
                Some(SystemReason::AllRequestersAnswered)
            }
            RequirementStatus::Duplicate => reason.strip_prefix(MERGED_INTO).map(|number| SystemReason::MergedInto(number.to_owned())),
            _ => None,
        }
    }

    pub fn text(&self) -> Text {
        match self {
            SystemReason::AllRequestersAnswered => text!("every requester gave feedback", "所有提出客户都已评价"),
            SystemReason::MergedInto(number) => text!("merged into {number}", "已合并到 {number}"),
        }
    }
}

/// The weights of the priority score (settings `requirements`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityWeights {
    pub importance: f64,
    pub urgency: f64,
    pub demand: f64,
}

impl Default for PriorityWeights {
    fn default() -> Self {
        Self { importance: 0.5, urgency: 0.3, demand: 0.2 }
    }
}

impl PriorityWeights {
    /// Each weight between 0 and 10, not all zero.
    pub fn check(&self) -> Result<(), WeightsError> {
        let all = [self.importance, self.urgency, self.demand];
        if all.iter().any(|w| !w.is_finite() || !(0.0..=10.0).contains(w)) {
            return Err(WeightsError::Range);
        }
        if all.iter().all(|w| *w == 0.0) {
            return Err(WeightsError::AllZero);
        }
        Ok(())
    }
}

/// Why priority weights were refused (reported against `weights`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeightsError {
    #[error("each weight must be between 0 and 10")]
    Range,
    #[error("at least one weight must be above 0")]
    AllZero,
}

impl HasCode for WeightsError {
    /// `invalid`, the code these refusals always had; the sentence tells them apart.
    fn code(&self) -> &'static str {
        "invalid"
    }

    fn text(&self) -> Text {
        match self {
            WeightsError::Range => text!("each weight must be between 0 and 10", "每项权重须在 0 与 10 之间"),
            WeightsError::AllZero => text!("at least one weight must be above 0", "至少有一项权重须大于 0"),
        }
    }

    fn params(&self) -> Map<String, Value> {
        match self {
            WeightsError::Range => Map::from_iter([("min".to_owned(), Value::from(0)), ("max".to_owned(), Value::from(10))]),
            WeightsError::AllZero => Map::new(),
        }
    }
}

/// Demand from the number of requesting customers: `min(5, 1 + log2(n))`, one customer (or none
/// yet: the requirement was heard once) giving 1.
pub fn demand(requesting_customers: u32) -> f64 {
    let n = f64::from(requesting_customers.max(1));
    (1.0 + n.log2()).min(5.0)
}

/// `10 × (w_i·importance + w_u·urgency + w_d·demand) / effort`, with importance, urgency and
/// effort on 1–5.
pub fn priority_score(importance: i32, urgency: i32, effort: i32, requesting_customers: u32, weights: &PriorityWeights) -> f64 {
    let effort = f64::from(effort.max(1));
    10.0 * (weights.importance * f64::from(importance)
        + weights.urgency * f64::from(urgency)
        + weights.demand * demand(requesting_customers))
        / effort
}

/// The score as stored and sorted: thousandths, rounded half away from zero.
pub fn score_milli(score: f64) -> i64 {
    // Scores are at most 10 × 50 × 5 = 2,500: far inside i64 once scaled.
    (score * 1000.0).round() as i64
}

/// The character bigrams of a text, used to find similar requirements in any language: lower
/// case, split into runs of letters and digits (CJK characters included), a run's consecutive
/// pairs, and one-character runs as themselves.
pub fn bigrams(text: &str) -> BTreeSet<String> {
    let mut grams = BTreeSet::new();
    let lower = text.to_lowercase();
    for run in lower.split(|c: char| !c.is_alphanumeric()).filter(|r| !r.is_empty()) {
        let chars: Vec<char> = run.chars().collect();
        if chars.len() == 1 {
            grams.insert(run.to_owned());
        }
        for pair in chars.windows(2) {
            grams.insert(pair.iter().collect());
        }
    }
    grams
}

/// The Dice coefficient of two gram sets: 1 for the same text, 0 for nothing in common.
pub fn similarity(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(b).count();
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// How much of the shorter gram set the longer one contains (1 when one title says all the other
/// does, in more words). Sets under three grams are too short to judge and count as 0.
pub fn containment(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let shorter = a.len().min(b.len());
    if shorter < 3 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / shorter as f64
}

/// How alike two requirements read: mostly their titles, partly their descriptions. Titles are
/// alike when their bigrams mostly agree (Dice), or when one short title is nearly contained in a
/// longer one (what someone typing a new requirement writes), weighted a little lower.
pub fn requirement_similarity(title_a: &str, description_a: &str, title_b: &str, description_b: &str) -> f64 {
    let (ta, tb) = (bigrams(title_a), bigrams(title_b));
    let titles = similarity(&ta, &tb).max(0.9 * containment(&ta, &tb));
    let (da, db) = (bigrams(description_a), bigrams(description_b));
    if da.is_empty() || db.is_empty() {
        return titles;
    }
    0.75 * titles + 0.25 * similarity(&da, &db)
}

/// Candidates at least this similar are offered as possible duplicates.
pub const DUPLICATE_THRESHOLD: f64 = 0.45;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_follow_the_formula() {
        let w = PriorityWeights::default();
        // One requester: demand 1 → 10 × (0.5·5 + 0.3·4 + 0.2·1) / 2 = 19.5
        assert!((priority_score(5, 4, 2, 1, &w) - 19.5).abs() < 1e-9);
        // Four requesters: demand 3 → 10 × (0.5·3 + 0.3·3 + 0.2·3) / 3 = 10
        assert!((priority_score(3, 3, 3, 4, &w) - 10.0).abs() < 1e-9);
        // Demand is capped at 5 (from 16 customers on).
        assert_eq!(demand(16), 5.0);
        assert_eq!(demand(1000), 5.0);
        assert_eq!(demand(0), 1.0);
        assert!((demand(3) - (1.0 + 3f64.log2())).abs() < 1e-12);
        assert_eq!(score_milli(19.5), 19_500);
        assert_eq!(score_milli(10.0 / 3.0), 3_333);
    }

    #[test]
    fn weights_are_bounded_and_not_all_zero() {
        assert!(PriorityWeights::default().check().is_ok());
        assert!(PriorityWeights { importance: 0.0, urgency: 0.0, demand: 0.0 }.check().is_err());
        assert!(PriorityWeights { importance: -1.0, urgency: 1.0, demand: 1.0 }.check().is_err());
        assert!(PriorityWeights { importance: f64::NAN, urgency: 1.0, demand: 1.0 }.check().is_err());
    }

    #[test]
    fn transitions_follow_the_process() {
        use RequirementStatus::*;
        assert!(Collected.can_move_to(Analyzing));
        assert!(!Collected.can_move_to(Planned));
        assert!(Planned.can_move_to(InProgress));
        assert!(InProgress.can_move_to(Delivered));
        assert!(Delivered.can_move_to(Evaluated));
        assert!(!Evaluated.can_move_to(Collected));
        assert!(Rejected.can_move_to(Collected));
        assert!(!Collected.can_move_to(Duplicate), "duplicates come from merging");
        assert!(!Duplicate.can_move_to(Collected));
        assert_eq!(Collected.check_move(Duplicate), Err(MoveError::DuplicateByMerge));
        assert_eq!(Collected.check_move(Planned), Err(MoveError::NotAllowed { from: Collected, to: Planned }));
        assert_eq!(Collected.check_move(Analyzing), Ok(()));
    }

    #[test]
    fn reasons_the_system_gives_read_in_either_language() {
        use RequirementStatus::*;
        let evaluated = SystemReason::AllRequestersAnswered.key();
        assert_eq!(SystemReason::from_stored(Evaluated, &evaluated), Some(SystemReason::AllRequestersAnswered));
        assert_eq!(SystemReason::from_stored(Rejected, &evaluated), None, "a person's reason stays as typed");
        assert_eq!(SystemReason::from_stored(Evaluated, "客户已确认"), None);
        let merged = SystemReason::MergedInto("R-000012".into());
        assert_eq!(SystemReason::from_stored(Duplicate, &merged.key()), Some(merged.clone()));
        assert_eq!(merged.text().get(crate::Lang::ZhCn), "已合并到 R-000012");
        assert_eq!(SystemReason::AllRequestersAnswered.text().get(crate::Lang::ZhCn), "所有提出客户都已评价");
    }

    #[test]
    fn similar_chinese_and_english_titles_are_found() {
        let a = "批量导出客户数据到Excel";
        let b = "支持把客户数据批量导出为 Excel";
        let c = "移动端审批流程";
        assert!(requirement_similarity(a, "", b, "") > DUPLICATE_THRESHOLD);
        assert!(requirement_similarity(a, "", c, "") < 0.2);
        assert!(requirement_similarity("Export customers to CSV", "", "export customer list as csv", "") > DUPLICATE_THRESHOLD);
        assert_eq!(requirement_similarity("同一个", "", "同一个", ""), 1.0);
        // A short title typed while searching is found inside a longer one.
        assert!(requirement_similarity("客户数据导出", "", "批量导出客户数据到Excel", "") > DUPLICATE_THRESHOLD);
        assert_eq!(containment(&bigrams("导出"), &bigrams("批量导出客户数据")), 0.0, "too short to judge");
        assert!(bigrams("a 导").contains("a") && bigrams("a 导").contains("导"));
    }
}
