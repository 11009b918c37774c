//! The data behind the requirements document and the requirements report.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};
use crm_domain::requirements::RequirementStatus;

use crate::entities::{requirement_feedback, requirement_requesters, requirements};
use crate::{Actor, Db, PageRequest, Result};

use super::{
    FeedbackRecord, HistoryRecord, RequesterRecord, RequirementFilter, RequirementRecord, all_matching, feedback_records, filtered,
    history_of, list, requester_records,
};

/// Everything the requirements document shows about one requirement.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentEntry {
    pub requirement: RequirementRecord,
    pub requesters: Vec<RequesterRecord>,
    pub history: Vec<HistoryRecord>,
    pub feedback: Vec<FeedbackRecord>,
}

/// The requirements of a customer or a release with their requesters, history and feedback.
#[tracing::instrument(skip_all)]
pub async fn document(db: &Db, actor: &Actor, filter: &RequirementFilter) -> Result<Vec<DocumentEntry>> {
    let records = all_matching(db, actor, filter, 2000).await?;
    let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut requesters: HashMap<Uuid, Vec<RequesterRecord>> = HashMap::new();
    let rows = requirement_requesters::Entity::find()
        .filter(requirement_requesters::Column::RequirementId.is_in(ids.clone()))
        .order_by_asc(requirement_requesters::Column::RequestedAt)
        .all(&db.conn)
        .await?;
    for r in requester_records(&db.conn, rows).await? {
        requesters.entry(r.requirement_id).or_default().push(r);
    }
    let mut feedback: HashMap<Uuid, Vec<FeedbackRecord>> = HashMap::new();
    let rows = requirement_feedback::Entity::find()
        .filter(requirement_feedback::Column::RequirementId.is_in(ids.clone()))
        .order_by_asc(requirement_feedback::Column::CreatedAt)
        .all(&db.conn)
        .await?;
    for f in feedback_records(&db.conn, rows).await? {
        feedback.entry(f.requirement_id).or_default().push(f);
    }
    let mut history = history_of(&db.conn, &ids).await?;
    Ok(records
        .into_iter()
        .map(|r| DocumentEntry {
            requesters: requesters.remove(&r.id).unwrap_or_default(),
            feedback: feedback.remove(&r.id).unwrap_or_default(),
            history: history.remove(&r.id).unwrap_or_default(),
            requirement: r,
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct RequirementsReport {
    pub total: u64,
    pub by_status: Vec<(String, u64)>,
    pub by_category: Vec<(String, u64)>,
    pub by_source: Vec<(String, u64)>,
    /// Average days from collection to delivery over delivered and evaluated requirements.
    pub average_days_to_delivery: Option<f64>,
    pub delivered_count: u64,
    pub top_by_demand: Vec<RequirementRecord>,
    pub top_by_score: Vec<RequirementRecord>,
}

#[tracing::instrument(skip_all)]
pub async fn report(db: &Db, actor: &Actor) -> Result<RequirementsReport> {
    let scope = actor.require(Resource::Requirements, Action::Read)?;
    let base = RequirementFilter::default();
    let group = |column: requirements::Column| {
        filtered(actor, scope, &base)
            .select_only()
            .column(column)
            .column_as(requirements::Column::Id.count(), "n")
            .group_by(column)
            .order_by_asc(column)
            .into_tuple::<(String, i64)>()
    };
    let count = |rows: Vec<(String, i64)>| rows.into_iter().map(|(k, n)| (k, u64::try_from(n).unwrap_or_default())).collect::<Vec<_>>();
    let by_status = count(group(requirements::Column::Status).all(&db.conn).await?);
    let by_category = count(group(requirements::Column::Category).all(&db.conn).await?);
    let by_source = count(group(requirements::Column::SourceChannel).all(&db.conn).await?);
    let total = by_status.iter().map(|(_, n)| n).sum();
    // Durations are computed here rather than in SQL, whose date arithmetic differs per backend.
    let delivered: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = filtered(actor, scope, &base)
        .select_only()
        .column(requirements::Column::CreatedAt)
        .column(requirements::Column::DeliveredAt)
        .filter(requirements::Column::DeliveredAt.is_not_null())
        .into_tuple()
        .all(&db.conn)
        .await?;
    let days: Vec<f64> = delivered.iter().filter_map(|(c, d)| d.map(|d| (d - *c).num_seconds() as f64 / 86_400.0)).collect();
    let average_days_to_delivery = (!days.is_empty()).then(|| (days.iter().sum::<f64>() / days.len() as f64 * 100.0).round() / 100.0);
    let open = |sort: &str| RequirementFilter {
        statuses: RequirementStatus::ALL.iter().copied().filter(|s| s.is_open()).collect(),
        sort: Some(sort.into()),
        ..RequirementFilter::default()
    };
    let top = |filter: RequirementFilter| async move {
        list(db, actor, &filter, &PageRequest { limit: 10, cursor: None, include_total: false }).await
    };
    Ok(RequirementsReport {
        total,
        by_status,
        by_category,
        by_source,
        average_days_to_delivery,
        delivered_count: days.len() as u64,
        top_by_demand: top(open("-requester_count")).await?.data,
        top_by_score: top(open("-score")).await?.data,
    })
}
