//! Feedback on a delivered requirement: ratings and comments, and the automatic evaluation.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};
use crm_domain::requirements::{RequirementStatus, SystemReason};
use crm_domain::text;

use crate::entities::{requirement_feedback, requirement_requesters};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::audit;
use crate::{Actor, Db, Error, Page, PageRequest, Result, now, stored};

use super::{RequirementRecord, load, log, move_row, refresh_figures, to_record};

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackRecord {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_id: Option<Uuid>,
    pub rating: i32,
    pub comment: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub recorded_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub(super) async fn feedback_records(conn: &impl ConnectionTrait, rows: Vec<requirement_feedback::Model>) -> Result<Vec<FeedbackRecord>> {
    let customers = audit::customer_names(conn, &rows.iter().map(|r| r.customer_id).collect::<Vec<_>>()).await?;
    let users = audit::user_names(conn, &rows.iter().filter_map(|r| r.recorded_by).collect::<Vec<_>>()).await?;
    Ok(rows
        .into_iter()
        .map(|f| FeedbackRecord {
            id: f.id,
            requirement_id: f.requirement_id,
            customer_name: customers.get(&f.customer_id).cloned(),
            recorded_by_name: f.recorded_by.and_then(|u| users.get(&u).cloned()),
            customer_id: f.customer_id,
            contact_id: f.contact_id,
            rating: f.rating,
            comment: f.comment,
            recorded_by: f.recorded_by,
            created_at: f.created_at,
        })
        .collect())
}

/// Records a requester's feedback on a delivered requirement (one per requesting customer,
/// replaced when given again). When every requester has answered, the requirement is evaluated.
#[tracing::instrument(skip_all)]
pub async fn give_feedback(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    customer_id: Uuid,
    contact_id: Option<Uuid>,
    rating: i32,
    comment: Option<String>,
) -> Result<(FeedbackRecord, RequirementRecord)> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Read, id).await?;
    actor.require(Resource::Requirements, Action::Create)?;
    let status = stored("requirements.status", row.id, &row.status, RequirementStatus::parse)?;
    if status != RequirementStatus::Delivered {
        let (number, label) = (&row.number, status.label_zh());
        return Err(Error::conflict(
            "requirement.not_delivered",
            text!(
                "feedback is asked once a requirement is delivered; {number} is {status}",
                "需求交付后才能记录评价；{number} 当前为“{label}”"
            ),
        ));
    }
    let before = to_record(&txn, row.clone()).await?;
    let requester = requirement_requesters::Entity::find()
        .filter(requirement_requesters::Column::RequirementId.eq(id))
        .filter(requirement_requesters::Column::CustomerId.eq(customer_id))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            Error::validation(
                "customer_id",
                "not_a_requester",
                text!("this customer did not request the requirement", "该客户不是此需求的提出客户"),
            )
        })?;
    requirement_feedback::Entity::delete_many()
        .filter(requirement_feedback::Column::RequirementId.eq(id))
        .filter(requirement_feedback::Column::CustomerId.eq(customer_id))
        .exec(&txn)
        .await?;
    let feedback = requirement_feedback::ActiveModel {
        id: Set(Uuid::now_v7()),
        requirement_id: Set(id),
        customer_id: Set(customer_id),
        contact_id: Set(contact_id.or(requester.contact_id)),
        rating: Set(rating),
        comment: Set(comment),
        recorded_by: Set(actor.audit_id()),
        created_at: Set(now()),
    }
    .insert(&txn)
    .await?;
    let refreshed = refresh_figures(&txn, id).await?;
    let mut record = to_record(&txn, refreshed.clone()).await?;
    log(
        &txn,
        actor,
        Some(&before),
        &record,
        "feedback",
        "requirement.feedback_given",
        json!({ "customer_id": customer_id, "rating": rating }),
    )
    .await?;
    if refreshed.feedback_count >= refreshed.requester_count {
        let reason = SystemReason::AllRequestersAnswered.key();
        record = move_row(&txn, actor, refreshed, RequirementStatus::Evaluated, Some(reason)).await?;
    }
    let out = feedback_records(&txn, vec![feedback]).await?.pop().ok_or(Error::NotFound)?;
    txn.commit().await?;
    Ok((out, record))
}

#[tracing::instrument(skip_all)]
pub async fn feedback(db: &Db, actor: &Actor, id: Uuid, page: &PageRequest) -> Result<Page<FeedbackRecord>> {
    load(&db.conn, actor, Action::Read, id).await?;
    let sort = Sort { key: "created_at", column: requirement_feedback::Column::CreatedAt, descending: false, value: SortValue::Time };
    let page = fetch_page(
        &db.conn,
        requirement_feedback::Entity::find().filter(requirement_feedback::Column::RequirementId.eq(id)),
        &sort,
        requirement_feedback::Column::Id,
        page,
        |f| (json!(f.created_at), f.id),
    )
    .await?;
    Ok(Page { data: feedback_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}
