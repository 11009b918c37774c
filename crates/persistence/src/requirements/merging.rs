//! Duplicate candidates by character bigrams, and merging a duplicate into its survivor.

use std::collections::{BTreeSet, HashMap};

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::activities::TimelineKind;
use crm_domain::identity::{Action, Resource};
use crm_domain::requirements::{DUPLICATE_THRESHOLD, RequirementStatus, SystemReason, bigrams, requirement_similarity};
use crm_domain::text;

use crate::activities::timeline;
use crate::entities::{requirement_feedback, requirement_grams, requirement_requesters, requirements};
use crate::platform::changes::{self, Change, save_next_version};
use crate::{Actor, Db, Error, Result, stored};

use super::{
    ENTITY, REQUESTER_ENTITY, RequirementRecord, load, log, record_history, record_revision, refresh_figures, scope_condition, to_record,
};

#[derive(Debug, Clone, Serialize)]
pub struct DuplicateCandidate {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub status: RequirementStatus,
    pub requester_count: i32,
    /// 0–1.
    pub similarity: f64,
}

/// Open requirements that read like this title and description, most similar first. Candidates
/// are the ones sharing most character bigrams (an indexed lookup on both databases); their
/// similarity is then computed exactly.
#[tracing::instrument(skip_all)]
pub async fn similar(
    db: &Db,
    actor: &Actor,
    title: &str,
    description: Option<&str>,
    exclude: Option<Uuid>,
) -> Result<Vec<DuplicateCandidate>> {
    let scope = actor.require(Resource::Requirements, Action::Read)?;
    let grams: Vec<String> = bigrams(&format!("{title} {}", description.unwrap_or_default())).into_iter().take(300).collect();
    if grams.is_empty() {
        return Ok(vec![]);
    }
    let shared: Vec<(Uuid, i64)> = requirement_grams::Entity::find()
        .select_only()
        .column(requirement_grams::Column::RequirementId)
        .column_as(requirement_grams::Column::Gram.count(), "shared")
        .filter(requirement_grams::Column::Gram.is_in(grams))
        .group_by(requirement_grams::Column::RequirementId)
        .order_by_desc(Expr::cust("shared"))
        .limit(50)
        .into_tuple()
        .all(&db.conn)
        .await?;
    let ids: Vec<Uuid> = shared.into_iter().map(|(id, _)| id).filter(|id| Some(*id) != exclude).collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let open = [RequirementStatus::Evaluated, RequirementStatus::Rejected, RequirementStatus::Duplicate].map(|s| s.as_str());
    let rows = requirements::Entity::find()
        .filter(requirements::Column::Id.is_in(ids))
        .filter(requirements::Column::DeletedAt.is_null())
        .filter(requirements::Column::Status.is_not_in(open))
        .filter(scope_condition(actor, scope))
        .all(&db.conn)
        .await?;
    let mut candidates: Vec<DuplicateCandidate> = rows
        .into_iter()
        .map(|r| {
            Ok(DuplicateCandidate {
                similarity: (requirement_similarity(
                    title,
                    description.unwrap_or_default(),
                    &r.title,
                    r.description.as_deref().unwrap_or_default(),
                ) * 1000.0)
                    .round()
                    / 1000.0,
                id: r.id,
                status: stored("requirements.status", r.id, &r.status, RequirementStatus::parse)?,
                number: r.number,
                title: r.title,
                requester_count: r.requester_count,
            })
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|c| c.similarity >= DUPLICATE_THRESHOLD)
        .collect();
    candidates.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then_with(|| a.number.cmp(&b.number)));
    candidates.truncate(10);
    Ok(candidates)
}

/// Duplicate candidates of a stored requirement.
#[tracing::instrument(skip_all)]
pub async fn duplicates_of(db: &Db, actor: &Actor, id: Uuid) -> Result<Vec<DuplicateCandidate>> {
    let row = load(&db.conn, actor, Action::Read, id).await?;
    similar(db, actor, &row.title, row.description.as_deref(), Some(id)).await
}

/// What a merge moved.
#[derive(Debug, Clone, Serialize)]
pub struct MergeOutcome {
    pub survivor: RequirementRecord,
    pub moved_requesters: u64,
    /// Requesters whose customer already requested the survivor: their links and notes were
    /// folded into the survivor's row for that customer.
    pub folded_requesters: u64,
    pub moved_feedback: u64,
}

/// Merges `duplicate_id` into `survivor_id`: its requesters (with their ticket and interaction
/// links), feedback and timeline items move to the survivor exactly once, the survivor is
/// re-scored, and the duplicate becomes `duplicate`, pointing at the survivor.
#[tracing::instrument(skip_all)]
pub async fn merge(db: &Db, actor: &Actor, survivor_id: Uuid, duplicate_id: Uuid) -> Result<MergeOutcome> {
    if survivor_id == duplicate_id {
        return Err(Error::validation(
            "duplicate_id",
            "invalid",
            text!("a requirement cannot be merged into itself", "需求不能合并到自身"),
        ));
    }
    let txn = db.begin_write().await?;
    let survivor = load(&txn, actor, Action::Update, survivor_id).await?;
    let duplicate = load(&txn, actor, Action::Update, duplicate_id).await.map_err(|e| {
        if matches!(e, Error::NotFound) {
            Error::validation("duplicate_id", "not_found", text!("no requirement with this id", "没有此 id 的需求"))
        } else {
            e
        }
    })?;
    for row in [&survivor, &duplicate] {
        let status = stored("requirements.status", row.id, &row.status, RequirementStatus::parse)?;
        if !status.is_open() {
            let (number, label) = (&row.number, status.label_zh());
            return Err(Error::conflict(
                "requirement.closed",
                text!("requirement {number} is {status} and cannot take part in a merge", "需求 {number} 已是“{label}”，不能参与合并"),
            ));
        }
    }
    let kept: HashMap<Uuid, requirement_requesters::Model> = requirement_requesters::Entity::find()
        .filter(requirement_requesters::Column::RequirementId.eq(survivor_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| (r.customer_id, r))
        .collect();
    let moving =
        requirement_requesters::Entity::find().filter(requirement_requesters::Column::RequirementId.eq(duplicate_id)).all(&txn).await?;
    let (mut moved, mut folded) = (0, 0);
    for requester in moving {
        timeline::remove(&txn, REQUESTER_ENTITY, requester.id, TimelineKind::Requirement.as_str()).await?;
        match kept.get(&requester.customer_id) {
            None => {
                let mut model: requirement_requesters::ActiveModel = requester.into();
                model.requirement_id = Set(survivor_id);
                model.update(&txn).await?;
                moved += 1;
            }
            Some(existing) => {
                // The customer asked for both: one requester row, keeping every link and note.
                let mut model: requirement_requesters::ActiveModel = existing.clone().into();
                model.contact_id = Set(existing.contact_id.or(requester.contact_id));
                model.ticket_id = Set(existing.ticket_id.or(requester.ticket_id));
                model.interaction_id = Set(existing.interaction_id.or(requester.interaction_id));
                model.note = Set(match (&existing.note, &requester.note) {
                    (Some(a), Some(b)) if a != b => Some(format!("{a}\n{b}")),
                    (a, b) => a.clone().or_else(|| b.clone()),
                });
                model.requested_at = Set(std::cmp::min(existing.requested_at, requester.requested_at));
                model.update(&txn).await?;
                requirement_requesters::Entity::delete_by_id(requester.id).exec(&txn).await?;
                folded += 1;
            }
        }
    }
    let survivor_feedback: BTreeSet<Uuid> = requirement_feedback::Entity::find()
        .filter(requirement_feedback::Column::RequirementId.eq(survivor_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|f| f.customer_id)
        .collect();
    let mut moved_feedback = 0;
    for feedback in
        requirement_feedback::Entity::find().filter(requirement_feedback::Column::RequirementId.eq(duplicate_id)).all(&txn).await?
    {
        if survivor_feedback.contains(&feedback.customer_id) {
            continue;
        }
        let mut model: requirement_feedback::ActiveModel = feedback.into();
        model.requirement_id = Set(survivor_id);
        model.update(&txn).await?;
        moved_feedback += 1;
    }
    let (survivor_before, duplicate_before) = (to_record(&txn, survivor.clone()).await?, to_record(&txn, duplicate.clone()).await?);
    // The duplicate keeps its own history and revisions, and gains the merge.
    let mut model: requirements::ActiveModel = duplicate.clone().into();
    model.status = Set(RequirementStatus::Duplicate.as_str().to_owned());
    model.duplicate_of_id = Set(Some(survivor_id));
    save_next_version(&txn, model).await?;
    let from = stored("requirements.status", duplicate.id, &duplicate.status, RequirementStatus::parse)?;
    let reason = SystemReason::MergedInto(survivor.number.clone()).key();
    record_history(&txn, actor, duplicate_id, Some(from), RequirementStatus::Duplicate, Some(reason)).await?;
    let merged = json!({ "merged_into": { "id": survivor_id, "number": survivor.number }, "status": { "old": duplicate.status, "new": "duplicate" } });
    record_revision(&txn, actor, duplicate_id, &merged).await?;
    let duplicate_record = to_record(&txn, refresh_figures(&txn, duplicate_id).await?).await?;
    let change = Change::told(
        ENTITY,
        duplicate_id,
        "merge",
        "requirement.status_changed",
        merged.clone(),
        Some(&duplicate_before),
        &duplicate_record,
    );
    changes::record(&txn, actor, change.detailing(merged)).await?;
    save_next_version(&txn, requirements::ActiveModel::from(survivor.clone())).await?;
    let record = to_record(&txn, refresh_figures(&txn, survivor_id).await?).await?;
    let absorbed = json!({ "absorbed": { "id": duplicate_id, "number": duplicate.number }, "moved_requesters": moved,
        "folded_requesters": folded, "moved_feedback": moved_feedback, "requester_count": { "old": survivor.requester_count, "new": record.requester_count } });
    record_revision(&txn, actor, survivor_id, &absorbed).await?;
    log(&txn, actor, Some(&survivor_before), &record, "merge", "requirement.merged", absorbed).await?;
    txn.commit().await?;
    Ok(MergeOutcome { survivor: record, moved_requesters: moved, folded_requesters: folded, moved_feedback })
}
