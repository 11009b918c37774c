//! Subject requests: received with a due date 15 days on, then completed or refused with a
//! reason. Lists filter by status and overdue, sorted by due date (each backed by an index of
//! migration 030), and reach the requests whose person's customer lies in the caller's
//! `privacy` scope.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};
use crm_domain::privacy::SubjectType;
use crm_domain::privacy::requests::{RequestKind, RequestStatus, due_at, is_overdue};
use crm_domain::text;

use super::{privacy_subject, stored_subject_type, subject_names};
use crate::entities::{customers, privacy_requests};
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored};

const ENTITY: &str = "privacy_request";

/// A subject request as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub id: Uuid,
    pub subject_type: SubjectType,
    pub subject_id: Uuid,
    pub customer_id: Uuid,
    /// The person's name now (a pseudonym once erased).
    pub subject_name: Option<String>,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub channel: String,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// Still open after its due time.
    pub overdue: bool,
    pub notes: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub refusal_reason: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_by_name: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub subject_type: SubjectType,
    pub subject_id: Uuid,
    pub kind: RequestKind,
    pub received_at: DateTime<Utc>,
    pub channel: String,
    pub notes: Option<String>,
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub statuses: Vec<RequestStatus>,
    /// `true`: open and past due; `false`: all others.
    pub overdue: Option<bool>,
    pub sort: Option<String>,
}

/// The sorts a request list allows; the first is the default.
pub const REQUEST_SORTS: &[&str] = &["due_at", "-due_at", "-received_at", "received_at"];

fn sorts() -> [Sort<privacy_requests::Column>; 4] {
    use privacy_requests::Column::{DueAt, ReceivedAt};
    [
        Sort { key: "due_at", column: DueAt, descending: false, value: SortValue::Time },
        Sort { key: "-due_at", column: DueAt, descending: true, value: SortValue::Time },
        Sort { key: "-received_at", column: ReceivedAt, descending: true, value: SortValue::Time },
        Sort { key: "received_at", column: ReceivedAt, descending: false, value: SortValue::Time },
    ]
}

async fn to_records(conn: &impl ConnectionTrait, rows: Vec<privacy_requests::Model>) -> Result<Vec<RequestRecord>> {
    let resolvers: Vec<Uuid> = rows.iter().filter_map(|r| r.resolved_by).collect();
    let names = crate::platform::audit::user_names(conn, &resolvers).await?;
    let mut subjects = Vec::with_capacity(rows.len());
    for row in &rows {
        subjects.push((stored_subject_type("privacy_requests.subject_type", row.id, &row.subject_type)?, row.subject_id));
    }
    let subject_names = subject_names(conn, &subjects).await?;
    let at = now();
    rows.into_iter()
        .zip(subjects)
        .map(|(row, (subject_type, _))| {
            let status = stored("privacy_requests.status", row.id, &row.status, RequestStatus::parse)?;
            Ok(RequestRecord {
                subject_type,
                subject_name: subject_names.get(&row.subject_id).cloned(),
                kind: stored("privacy_requests.kind", row.id, &row.kind, RequestKind::parse)?,
                overdue: is_overdue(status, row.due_at, at),
                status,
                resolved_by_name: row.resolved_by.and_then(|id| names.get(&id).cloned()),
                id: row.id,
                subject_id: row.subject_id,
                customer_id: row.customer_id,
                channel: row.channel,
                received_at: row.received_at,
                due_at: row.due_at,
                notes: row.notes,
                resolved_at: row.resolved_at,
                refusal_reason: row.refusal_reason,
                resolved_by: row.resolved_by,
                created_by: row.created_by,
                created_at: row.created_at,
                updated_at: row.updated_at,
                version: row.version,
            })
        })
        .collect()
}

async fn to_record(conn: &impl ConnectionTrait, row: privacy_requests::Model) -> Result<RequestRecord> {
    to_records(conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

/// Requests whose person's customer lies in `scope` (binned customers included: their people
/// still have rights).
fn in_scope(actor: &Actor, scope: crm_domain::identity::Scope) -> Condition {
    let customers_in_scope = Query::select()
        .column((customers::Entity, customers::Column::Id))
        .from(customers::Entity)
        .cond_where(crate::customers::in_scope(actor, scope))
        .take();
    Condition::all().add(privacy_requests::Column::CustomerId.in_subquery(customers_in_scope))
}

/// Records a request received from a person the caller may reach. A person that does not exist
/// (or lies outside the caller's scope) is refused on `subject_id` (422), as references are.
#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, new: NewRequest) -> Result<RequestRecord> {
    let txn = db.begin_write().await?;
    let subject = match privacy_subject(&txn, actor, new.subject_type, new.subject_id, Action::Create).await {
        Err(Error::NotFound) => {
            return Err(Error::validation("subject_id", "not_found", text!("no such customer or contact", "找不到该客户或联系人")));
        }
        other => other?,
    };
    let id = Uuid::now_v7();
    let model = privacy_requests::ActiveModel {
        id: Set(id),
        subject_type: Set(new.subject_type.as_str().to_owned()),
        subject_id: Set(new.subject_id),
        customer_id: Set(subject.customer_id),
        kind: Set(new.kind.as_str().to_owned()),
        status: Set(RequestStatus::Received.as_str().to_owned()),
        channel: Set(new.channel),
        received_at: Set(new.received_at),
        due_at: Set(due_at(new.received_at)),
        notes: Set(new.notes),
        resolved_at: Set(None),
        refusal_reason: Set(None),
        resolved_by: Set(None),
        created_by: Set(actor.audit_id()),
        ..Default::default()
    };
    let row = insert_first_version(&txn, model, now()).await?;
    let record = to_record(&txn, row).await?;
    changes::commit(txn, actor, Change::created(ENTITY, id, &record), record).await
}

async fn load(conn: &impl ConnectionTrait, actor: &Actor, action: Action, id: Uuid) -> Result<privacy_requests::Model> {
    let read = actor.require(Resource::Privacy, Action::Read)?;
    let row = privacy_requests::Entity::find_by_id(id).filter(in_scope(actor, read)).one(conn).await?.ok_or(Error::NotFound)?;
    if action != Action::Read {
        let wanted = actor.require(Resource::Privacy, action)?;
        privacy_requests::Entity::find_by_id(id)
            .filter(in_scope(actor, wanted))
            .one(conn)
            .await?
            .ok_or_else(|| Error::Forbidden(crm_domain::identity::not_allowed(action, Resource::Privacy)))?;
    }
    Ok(row)
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<RequestRecord> {
    to_record(&db.conn, load(&db.conn, actor, Action::Read, id).await?).await
}

/// Answers a received request: completed, or refused with the reason told to the person. A
/// request is answered once (409 `privacy_request.already_answered`).
#[tracing::instrument(skip_all)]
pub async fn answer(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    outcome: RequestStatus,
    reason: Option<String>,
) -> Result<RequestRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    let status = stored("privacy_requests.status", row.id, &row.status, RequestStatus::parse)?;
    if !status.can_move_to(outcome) {
        return Err(Error::conflict(
            "privacy_request.already_answered",
            text!("this request has already been answered", "此请求已经处理完毕"),
        ));
    }
    let before = to_record(&txn, row.clone()).await?;
    let at = now();
    let mut model: privacy_requests::ActiveModel = row.into();
    model.status = Set(outcome.as_str().to_owned());
    model.resolved_at = Set(Some(at));
    model.resolved_by = Set(actor.audit_id());
    model.refusal_reason = Set(reason);
    let after = to_record(&txn, save_next_version(&txn, model).await?).await?;
    let (action, event) = match outcome {
        RequestStatus::Refused => ("refuse", "privacy_request.refused"),
        _ => ("complete", "privacy_request.completed"),
    };
    let change = Change::told(ENTITY, id, action, event, json!(changes::changed_fields(&before, &after)), Some(&before), &after);
    changes::commit(txn, actor, change, after).await
}

/// Requests the caller may read, by due date unless sorted otherwise.
#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, filter: &RequestFilter, page: &PageRequest) -> Result<Page<RequestRecord>> {
    use privacy_requests::Column as C;
    let scope = actor.require(Resource::Privacy, Action::Read)?;
    let sorts = sorts();
    let sort = pick_sort(&sorts, filter.sort.as_deref())?;
    let mut select = privacy_requests::Entity::find().filter(in_scope(actor, scope));
    if !filter.statuses.is_empty() {
        select = select.filter(C::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    let open_and_late = || Condition::all().add(C::Status.eq(RequestStatus::Received.as_str())).add(C::DueAt.lt(now()));
    match filter.overdue {
        Some(true) => select = select.filter(open_and_late()),
        Some(false) => select = select.filter(open_and_late().not()),
        None => {}
    }
    let page = fetch_page(&db.conn, select, sort, C::Id, page, |row| {
        let value = match sort.column {
            C::ReceivedAt => json!(row.received_at),
            _ => json!(row.due_at),
        };
        (value, row.id)
    })
    .await?;
    Ok(Page { data: to_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

/// The requests about one person (or, for a customer, about it and its contacts), for the export.
pub(crate) async fn of_customer(conn: &impl ConnectionTrait, customer_id: Uuid) -> Result<Vec<RequestRecord>> {
    let rows = privacy_requests::Entity::find().filter(privacy_requests::Column::CustomerId.eq(customer_id)).all(conn).await?;
    to_records(conn, rows).await
}
