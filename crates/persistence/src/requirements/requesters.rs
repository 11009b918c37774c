//! Requesters: the customers and contacts who asked for a requirement, each counted once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::activities::TimelineKind;
use crm_domain::identity::{Action, Resource};
use crm_domain::ids::{RequesterId, RequirementId};
use crm_domain::requirements::{NewRequester, RequirementStatus};
use crm_domain::text;

use crate::activities::timeline;
use crate::entities::{requirement_feedback, requirement_requesters};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::audit;
use crate::{Actor, Db, Error, Page, PageRequest, Result, stored};

use super::{REQUESTER_ENTITY, insert_requester, load, log, refresh_figures, to_record};

#[derive(Debug, Clone, Serialize)]
pub struct RequesterRecord {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_id: Option<Uuid>,
    pub contact_name: Option<String>,
    pub ticket_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub note: Option<String>,
    pub requested_at: DateTime<Utc>,
    /// The requester's feedback after delivery.
    pub feedback_rating: Option<i32>,
}

pub(super) async fn requester_records(
    conn: &impl ConnectionTrait,
    rows: Vec<requirement_requesters::Model>,
) -> Result<Vec<RequesterRecord>> {
    let customers = audit::customer_names(conn, &rows.iter().map(|r| r.customer_id).collect::<Vec<_>>()).await?;
    let contact_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.contact_id).collect();
    let contact_names = audit::contact_names(conn, &contact_ids).await?;
    let requirement_ids: Vec<Uuid> = rows.iter().map(|r| r.requirement_id).collect();
    let feedback: HashMap<(Uuid, Uuid), i32> = if requirement_ids.is_empty() {
        HashMap::new()
    } else {
        requirement_feedback::Entity::find()
            .filter(requirement_feedback::Column::RequirementId.is_in(requirement_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|f| ((f.requirement_id, f.customer_id), f.rating))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| RequesterRecord {
            id: r.id,
            requirement_id: r.requirement_id,
            customer_name: customers.get(&r.customer_id).cloned(),
            contact_name: r.contact_id.and_then(|c| contact_names.get(&c).cloned()),
            feedback_rating: feedback.get(&(r.requirement_id, r.customer_id)).copied(),
            customer_id: r.customer_id,
            contact_id: r.contact_id,
            ticket_id: r.ticket_id,
            interaction_id: r.interaction_id,
            note: r.note,
            requested_at: r.requested_at,
        })
        .collect())
}

#[tracing::instrument(skip_all)]
pub async fn add_requester(db: &Db, actor: &Actor, id: Uuid, new: NewRequester) -> Result<RequesterRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Read, id).await?;
    actor.require(Resource::Requirements, Action::Create)?;
    let status = stored("requirements.status", row.id, &row.status, RequirementStatus::parse)?;
    if !status.is_open() {
        let (number, label) = (&row.number, status.label_zh());
        return Err(Error::conflict(
            "requirement.closed",
            text!("requirement {number} is {status}; it takes no more requesters", "需求 {number} 已是“{label}”，不能再添加提出客户"),
        ));
    }
    let before = to_record(&txn, row).await?;
    let requester = insert_requester(&txn, actor, id, new).await?;
    let record = to_record(&txn, refresh_figures(&txn, id).await?).await?;
    let out = requester_records(&txn, vec![requester.clone()]).await?.pop().ok_or(Error::NotFound)?;
    log(
        &txn,
        actor,
        Some(&before),
        &record,
        "add_requester",
        "requirement.requested",
        json!({ "requester_id": requester.id, "customer_id": requester.customer_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

#[tracing::instrument(skip_all)]
pub async fn remove_requester(db: &Db, actor: &Actor, id: RequirementId, requester_id: RequesterId) -> Result<()> {
    let (id, requester_id) = (id.0, requester_id.0);
    let txn = db.begin_write().await?;
    let before = to_record(&txn, load(&txn, actor, Action::Update, id).await?).await?;
    let requester = requirement_requesters::Entity::find_by_id(requester_id)
        .filter(requirement_requesters::Column::RequirementId.eq(id))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound)?;
    requirement_requesters::Entity::delete_by_id(requester_id).exec(&txn).await?;
    timeline::remove(&txn, REQUESTER_ENTITY, requester_id, TimelineKind::Requirement.as_str()).await?;
    let record = to_record(&txn, refresh_figures(&txn, id).await?).await?;
    log(
        &txn,
        actor,
        Some(&before),
        &record,
        "remove_requester",
        "requirement.unrequested",
        json!({ "requester_id": requester_id, "customer_id": requester.customer_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn requesters(db: &Db, actor: &Actor, id: Uuid, page: &PageRequest) -> Result<Page<RequesterRecord>> {
    load(&db.conn, actor, Action::Read, id).await?;
    let sort = Sort { key: "requested_at", column: requirement_requesters::Column::RequestedAt, descending: false, value: SortValue::Time };
    let page = fetch_page(
        &db.conn,
        requirement_requesters::Entity::find().filter(requirement_requesters::Column::RequirementId.eq(id)),
        &sort,
        requirement_requesters::Column::Id,
        page,
        |r| (json!(r.requested_at), r.id),
    )
    .await?;
    Ok(Page { data: requester_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}
