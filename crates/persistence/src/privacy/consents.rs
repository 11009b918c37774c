//! Consents per customer or contact and purpose. A consent is given once and withdrawn once; a
//! purpose given again after a withdrawal is a new record, so the history of what the
//! organisation was allowed to do stays whole. At most one consent per subject and purpose is in
//! force at a time.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::Action;
use crm_domain::privacy::SubjectType;
use crm_domain::privacy::consents::{ConsentFields, ConsentStatus, Purpose, allows};
use crm_domain::text;

use super::{record_subject, stored_subject_type};
use crate::entities::consents;
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Page, PageRequest, Result, now, stored};

const ENTITY: &str = "consent";

/// A consent as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentRecord {
    pub id: Uuid,
    pub subject_type: SubjectType,
    pub subject_id: Uuid,
    pub customer_id: Uuid,
    pub purpose: Purpose,
    pub channel: String,
    pub status: ConsentStatus,
    pub given_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub source: Option<String>,
    pub evidence: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub recorded_by_name: Option<String>,
    pub withdrawn_by: Option<Uuid>,
    pub withdrawn_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

async fn to_records(conn: &impl ConnectionTrait, rows: Vec<consents::Model>) -> Result<Vec<ConsentRecord>> {
    let people: Vec<Uuid> = rows.iter().flat_map(|r| [r.recorded_by, r.withdrawn_by]).flatten().collect();
    let names = crate::platform::audit::user_names(conn, &people).await?;
    rows.into_iter()
        .map(|row| {
            Ok(ConsentRecord {
                subject_type: stored_subject_type("consents.subject_type", row.id, &row.subject_type)?,
                purpose: stored("consents.purpose", row.id, &row.purpose, Purpose::parse)?,
                status: stored("consents.status", row.id, &row.status, ConsentStatus::parse)?,
                recorded_by_name: row.recorded_by.and_then(|id| names.get(&id).cloned()),
                withdrawn_by_name: row.withdrawn_by.and_then(|id| names.get(&id).cloned()),
                id: row.id,
                subject_id: row.subject_id,
                customer_id: row.customer_id,
                channel: row.channel,
                given_at: row.given_at,
                withdrawn_at: row.withdrawn_at,
                source: row.source,
                evidence: row.evidence,
                recorded_by: row.recorded_by,
                withdrawn_by: row.withdrawn_by,
                created_at: row.created_at,
                updated_at: row.updated_at,
                version: row.version,
            })
        })
        .collect()
}

async fn to_record(conn: &impl ConnectionTrait, row: consents::Model) -> Result<ConsentRecord> {
    to_records(conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

/// The consents in force of a subject for a purpose (none or one).
fn in_force(subject_type: SubjectType, subject_id: Uuid, purpose: Purpose) -> sea_orm::Select<consents::Entity> {
    consents::Entity::find()
        .filter(consents::Column::SubjectType.eq(subject_type.as_str()))
        .filter(consents::Column::SubjectId.eq(subject_id))
        .filter(consents::Column::Purpose.eq(purpose.as_str()))
        .filter(consents::Column::Status.eq(ConsentStatus::Given.as_str()))
}

/// Records a consent given by a customer or contact the caller may change (404 outside scope).
/// A purpose already in force is refused (409 `consent.already_given`): withdraw it first.
#[tracing::instrument(skip_all)]
pub async fn give(db: &Db, actor: &Actor, subject_type: SubjectType, subject_id: Uuid, fields: ConsentFields) -> Result<ConsentRecord> {
    let txn = db.begin_write().await?;
    let subject = record_subject(&txn, actor, subject_type, subject_id, Action::Update).await?;
    let already_given = || {
        Error::conflict(
            "consent.already_given",
            text!("a consent for this purpose is already in force", "此用途的同意仍然有效，如需重新记录请先撤回"),
        )
    };
    if in_force(subject_type, subject_id, fields.purpose).count(&txn).await? > 0 {
        return Err(already_given());
    }
    let id = Uuid::now_v7();
    let model = consents::ActiveModel {
        id: Set(id),
        subject_type: Set(subject_type.as_str().to_owned()),
        subject_id: Set(subject_id),
        customer_id: Set(subject.customer_id),
        purpose: Set(fields.purpose.as_str().to_owned()),
        channel: Set(fields.channel),
        status: Set(ConsentStatus::Given.as_str().to_owned()),
        given_at: Set(fields.given_at),
        withdrawn_at: Set(None),
        source: Set(fields.source),
        evidence: Set(fields.evidence),
        recorded_by: Set(actor.audit_id()),
        withdrawn_by: Set(None),
        ..Default::default()
    };
    // A request recording the same consent at the same moment loses on the unique index.
    let row = insert_first_version(&txn, model, now()).await.map_err(|error| match Error::from(error) {
        Error::Conflict { code: "conflict.unique", .. } => already_given(),
        other => other,
    })?;
    let record = to_record(&txn, row).await?;
    // A consent is created by being given: the feed names it so (`consent.given`).
    let change = Change::told(ENTITY, id, "create", "consent.given", json!({ "after": record }), None::<&ConsentRecord>, &record);
    changes::commit(txn, actor, change, record).await
}

/// Withdraws a consent in force (the record stays, `withdrawn`). One already withdrawn: 409
/// `consent.already_withdrawn`.
#[tracing::instrument(skip_all)]
pub async fn withdraw(db: &Db, actor: &Actor, id: Uuid) -> Result<ConsentRecord> {
    let txn = db.begin_write().await?;
    let row = consents::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    let subject_type = stored_subject_type("consents.subject_type", row.id, &row.subject_type)?;
    record_subject(&txn, actor, subject_type, row.subject_id, Action::Update).await?;
    if row.status != ConsentStatus::Given.as_str() {
        return Err(Error::conflict("consent.already_withdrawn", text!("this consent is already withdrawn", "此同意已撤回")));
    }
    let before = to_record(&txn, row.clone()).await?;
    let at = now();
    let mut model: consents::ActiveModel = row.into();
    model.status = Set(ConsentStatus::Withdrawn.as_str().to_owned());
    model.withdrawn_at = Set(Some(at));
    model.withdrawn_by = Set(actor.audit_id());
    let after = to_record(&txn, save_next_version(&txn, model).await?).await?;
    let change =
        Change::told(ENTITY, id, "withdraw", "consent.withdrawn", json!(changes::changed_fields(&before, &after)), Some(&before), &after);
    changes::commit(txn, actor, change, after).await
}

/// A subject's consents, newest first, withdrawn ones included.
#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, subject_type: SubjectType, subject_id: Uuid, page: &PageRequest) -> Result<Page<ConsentRecord>> {
    record_subject(&db.conn, actor, subject_type, subject_id, Action::Read).await?;
    let sort = Sort { key: "-created_at", column: consents::Column::CreatedAt, descending: true, value: SortValue::Time };
    let select = consents::Entity::find()
        .filter(consents::Column::SubjectType.eq(subject_type.as_str()))
        .filter(consents::Column::SubjectId.eq(subject_id));
    let page = fetch_page(&db.conn, select, &sort, consents::Column::Id, page, |row| (json!(row.created_at), row.id)).await?;
    Ok(Page { data: to_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

/// Whether the organisation may contact this customer or contact for `purpose` now: a consent
/// for it is in force. For the jobs that send (marketing, later), which act for the organisation
/// rather than for a user, so it takes no caller.
#[tracing::instrument(skip_all)]
pub async fn may_contact(db: &Db, subject_type: SubjectType, subject_id: Uuid, purpose: Purpose) -> Result<bool> {
    may_contact_within(&db.conn, subject_type, subject_id, purpose).await
}

/// [`may_contact`] inside the caller's transaction (a send job checking as it claims work).
pub async fn may_contact_within(
    conn: &impl ConnectionTrait,
    subject_type: SubjectType,
    subject_id: Uuid,
    purpose: Purpose,
) -> Result<bool> {
    let latest = if in_force(subject_type, subject_id, purpose).count(conn).await? > 0 { Some(ConsentStatus::Given) } else { None };
    Ok(allows(latest))
}

/// Every consent recorded under a customer (its own and its contacts'), for the subject export.
pub(crate) async fn of_customer(conn: &impl ConnectionTrait, customer_id: Uuid) -> Result<Vec<ConsentRecord>> {
    let rows = consents::Entity::find().filter(consents::Column::CustomerId.eq(customer_id)).all(conn).await?;
    to_records(conn, rows).await
}
