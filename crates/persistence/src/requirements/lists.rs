//! Requirement lists with filters, the board by status, and the release summaries.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::{Action, Resource, Scope};
use crm_domain::requirements::{RequirementCategory, RequirementSource, RequirementStatus};

use crate::entities::{requirement_requesters, requirement_tags, requirements};
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::{Actor, Db, Page, PageRequest, Result};

use super::{RequirementRecord, scope_condition, to_records};

#[derive(Debug, Clone, Default)]
pub struct RequirementFilter {
    pub q: Option<String>,
    pub statuses: Vec<RequirementStatus>,
    pub categories: Vec<RequirementCategory>,
    pub sources: Vec<RequirementSource>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub release: Option<String>,
    pub customer_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub tag: Option<String>,
    pub updated: crate::query::UpdatedWindow,
    pub sort: Option<String>,
}

const SORTS: [Sort<requirements::Column>; 5] = [
    Sort { key: "-score", column: requirements::Column::ScoreMilli, descending: true, value: SortValue::Int },
    Sort { key: "-requester_count", column: requirements::Column::RequesterCount, descending: true, value: SortValue::Int },
    Sort { key: "-created_at", column: requirements::Column::CreatedAt, descending: true, value: SortValue::Time },
    Sort { key: "-updated_at", column: requirements::Column::UpdatedAt, descending: true, value: SortValue::Time },
    Sort { key: "updated_at", column: requirements::Column::UpdatedAt, descending: false, value: SortValue::Time },
];

pub(super) fn filtered(actor: &Actor, scope: Scope, filter: &RequirementFilter) -> sea_orm::Select<requirements::Entity> {
    use requirements::Column as C;
    let mut select = requirements::Entity::find().filter(C::DeletedAt.is_null()).filter(scope_condition(actor, scope));
    if !filter.statuses.is_empty() {
        select = select.filter(C::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if !filter.categories.is_empty() {
        select = select.filter(C::Category.is_in(filter.categories.iter().map(|s| s.as_str())));
    }
    if !filter.sources.is_empty() {
        select = select.filter(C::SourceChannel.is_in(filter.sources.iter().map(|s| s.as_str())));
    }
    if let Some(v) = filter.owner_id {
        select = select.filter(C::OwnerId.eq(v));
    }
    if let Some(v) = filter.team_id {
        select = select.filter(C::TeamId.eq(v));
    }
    if let Some(v) = &filter.release {
        select = select.filter(C::Release.eq(v.clone()));
    }
    if filter.customer_id.is_some() || filter.ticket_id.is_some() {
        let mut requested =
            Query::select().column(requirement_requesters::Column::RequirementId).from(requirement_requesters::Entity).take();
        if let Some(customer) = filter.customer_id {
            requested.and_where(requirement_requesters::Column::CustomerId.eq(customer));
        }
        if let Some(ticket) = filter.ticket_id {
            requested.and_where(requirement_requesters::Column::TicketId.eq(ticket));
        }
        select = select.filter(C::Id.in_subquery(requested));
    }
    if let Some(tag) = filter.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let tagged = Query::select()
            .column(requirement_tags::Column::RequirementId)
            .from(requirement_tags::Entity)
            .and_where(requirement_tags::Column::Tag.eq(tag.to_lowercase()))
            .take();
        select = select.filter(C::Id.in_subquery(tagged));
    }
    select.filter(filter.updated.on(C::UpdatedAt)).filter(crate::query::contains_every_word(C::SearchText, filter.q.as_deref()))
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, filter: &RequirementFilter, page: &PageRequest) -> Result<Page<RequirementRecord>> {
    let scope = actor.require(Resource::Requirements, Action::Read)?;
    let sort = pick_sort(&SORTS, filter.sort.as_deref())?;
    let page = fetch_page(&db.conn, filtered(actor, scope, filter), sort, requirements::Column::Id, page, |r| {
        let value = match sort.key {
            "-score" => json!(r.score_milli),
            "-requester_count" => json!(r.requester_count),
            "-created_at" => json!(r.created_at),
            _ => json!(r.updated_at),
        };
        (value, r.id)
    })
    .await?;
    Ok(Page { data: to_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

/// Every matching requirement, highest score first (for documents), with a ceiling.
#[tracing::instrument(skip_all)]
pub async fn all_matching(db: &Db, actor: &Actor, filter: &RequirementFilter, ceiling: u64) -> Result<Vec<RequirementRecord>> {
    let scope = actor.require(Resource::Requirements, Action::Read)?;
    let rows = filtered(actor, scope, filter)
        .order_by_desc(requirements::Column::ScoreMilli)
        .order_by_asc(requirements::Column::Id)
        .limit(ceiling)
        .all(&db.conn)
        .await?;
    to_records(&db.conn, rows).await
}

/// One column of the board.
#[derive(Debug, Clone, Serialize)]
pub struct BoardColumn {
    pub status: RequirementStatus,
    pub count: u64,
    /// The first cards by score; more through `GET /requirements?status=…&sort=-score`.
    pub items: Vec<RequirementRecord>,
    pub next_cursor: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn board(db: &Db, actor: &Actor, filter: &RequirementFilter, per_column: u64) -> Result<Vec<BoardColumn>> {
    let mut columns = Vec::new();
    for status in RequirementStatus::ALL.iter().copied().filter(|s| *s != RequirementStatus::Duplicate) {
        let column_filter = RequirementFilter { statuses: vec![status], sort: Some("-score".into()), ..filter.clone() };
        let page = list(db, actor, &column_filter, &PageRequest { limit: per_column, cursor: None, include_total: true }).await?;
        columns.push(BoardColumn { status, count: page.total.unwrap_or_default(), items: page.data, next_cursor: page.next_cursor });
    }
    Ok(columns)
}

/// A release and its requirements by status.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseSummary {
    pub release: String,
    pub total: u64,
    pub by_status: HashMap<String, u64>,
    pub earliest_target: Option<NaiveDate>,
    pub latest_target: Option<NaiveDate>,
}

/// Release, status, count, earliest and latest target date.
type ReleaseRow = (Option<String>, String, i64, Option<NaiveDate>, Option<NaiveDate>);

#[tracing::instrument(skip_all)]
pub async fn releases(db: &Db, actor: &Actor) -> Result<Vec<ReleaseSummary>> {
    let scope = actor.require(Resource::Requirements, Action::Read)?;
    let rows: Vec<ReleaseRow> = filtered(actor, scope, &RequirementFilter::default())
        .select_only()
        .column(requirements::Column::Release)
        .column(requirements::Column::Status)
        .column_as(requirements::Column::Id.count(), "n")
        .column_as(requirements::Column::TargetDate.min(), "earliest")
        .column_as(requirements::Column::TargetDate.max(), "latest")
        .filter(requirements::Column::Release.is_not_null())
        .group_by(requirements::Column::Release)
        .group_by(requirements::Column::Status)
        .into_tuple()
        .all(&db.conn)
        .await?;
    let mut out: Vec<ReleaseSummary> = Vec::new();
    for (release, status, n, earliest, latest) in rows {
        let Some(release) = release else { continue };
        let n = u64::try_from(n).unwrap_or_default();
        let entry = match out.iter_mut().position(|r| r.release == release) {
            Some(i) => &mut out[i],
            None => {
                out.push(ReleaseSummary {
                    release: release.clone(),
                    total: 0,
                    by_status: HashMap::new(),
                    earliest_target: None,
                    latest_target: None,
                });
                let last = out.len() - 1;
                &mut out[last]
            }
        };
        entry.total += n;
        *entry.by_status.entry(status).or_default() += n;
        entry.earliest_target = match (entry.earliest_target, earliest) {
            (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
            (a, b) => a.or(b),
        };
        entry.latest_target = match (entry.latest_target, latest) {
            (Some(a), Some(b)) => Some(std::cmp::max(a, b)),
            (a, b) => a.or(b),
        };
    }
    out.sort_by(|a, b| a.release.cmp(&b.release));
    Ok(out)
}
