//! Contacts (联系人) of a customer. Access follows the parent customer: the `contacts`
//! permission's scope is applied to the customer's owner and team.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crm_domain::customers::{ContactFields, ContactPatch, IdType};
use crm_domain::external::{ExternalIds, ExternalIdsPatch, ExternalRef};
use crm_domain::identity::{Action, Resource};
use crm_domain::platform::custom_fields::CustomEntity;
use crm_domain::values::{BankAccount, Email, IdNumber, Phone};

use super::store::{live_in_scope, load_for, refresh_search_text};
use crate::activities::timeline::{self, NewItem};
use crate::entities::contacts;
use crate::external_refs;
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::personal_data::Sealer;
use crate::platform::changes::{self, Change, insert_first_version, move_to_bin, save_next_version, take_from_bin};
use crate::platform::custom_fields::{self, CustomFieldQuery, fetch_sorted_page};
use crate::query::{ExactTerm, UpdatedWindow, escape_like};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored_json, stored_opt};
use crm_domain::activities::TimelineKind;

pub(super) const ENTITY: &str = "contact";

#[derive(Debug, Clone, Serialize)]
pub struct ContactRecord {
    pub id: Uuid,
    pub customer_id: Uuid,
    #[serde(flatten)]
    pub fields: ContactFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub deleted_at: Option<DateTime<Utc>>,
    /// How other systems know the contact: `{"erp": "P-77"}`.
    pub external_ids: ExternalIds,
}

impl ContactRecord {
    /// The record of a stored row (without its external references), its sealed fields opened.
    pub(crate) fn of_row(row: contacts::Model, sealer: &Sealer) -> Result<Self> {
        let phone = |v: &Option<String>| v.as_deref().map(Phone::from_stored);
        let open = |field: &str, stored: &Option<String>| sealer.open(field, row.id, stored.as_deref());
        let birthday = open("contacts.birthday", &row.birthday)?;
        Ok(Self {
            id: row.id,
            customer_id: row.customer_id,
            fields: ContactFields {
                name: row.name.clone(),
                title: row.title.clone(),
                department: row.department.clone(),
                phone: phone(&row.phone),
                mobile: phone(&row.mobile),
                email: row.email.as_deref().map(Email::from_stored),
                wechat: row.wechat.clone(),
                is_primary: row.is_primary,
                birthday: stored_opt("contacts.birthday", row.id, &birthday, |day| day.parse::<chrono::NaiveDate>())?,
                notes: row.notes.clone(),
                id_type: stored_opt("contacts.id_type", row.id, &row.id_type, IdType::parse)?,
                id_number: open("contacts.id_number", &row.id_number)?.as_deref().map(IdNumber::from_stored),
                bank_name: row.bank_name.clone(),
                bank_account: open("contacts.bank_account", &row.bank_account)?.as_deref().map(BankAccount::from_stored),
                custom_fields: stored_json("contacts.custom_fields", row.id, &row.custom_fields)?,
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
            deleted_at: row.deleted_at,
            external_ids: ExternalIds::new(),
        })
    }
}

/// Records of `rows` with their external references.
pub(crate) async fn to_records(conn: &impl ConnectionTrait, rows: Vec<contacts::Model>, sealer: &Sealer) -> Result<Vec<ContactRecord>> {
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let mut refs = external_refs::of_records(conn, ENTITY, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let external_ids = refs.remove(&row.id).unwrap_or_default();
            Ok(ContactRecord { external_ids, ..ContactRecord::of_row(row, sealer)? })
        })
        .collect()
}

async fn to_record(conn: &impl ConnectionTrait, row: contacts::Model, sealer: &Sealer) -> Result<ContactRecord> {
    to_records(conn, vec![row], sealer).await?.pop().ok_or(Error::NotFound)
}

/// Pages of contacts with their external references.
async fn page_of_records(db: &Db, page: Page<contacts::Model>) -> Result<Page<ContactRecord>> {
    Ok(Page { data: to_records(&db.conn, page.data, &db.sealer().await?).await?, next_cursor: page.next_cursor, total: page.total })
}

/// The live contact other systems know by `reference`, whoever may read it (see the customers'
/// [`super::store::holder_of`]).
#[tracing::instrument(skip_all)]
pub async fn holder_of(db: &Db, reference: &ExternalRef) -> Result<Option<Uuid>> {
    external_refs::holder_seen(db, ENTITY, reference).await
}

/// Puts a contact change on its customer's timeline.
async fn on_timeline(conn: &impl ConnectionTrait, actor: &Actor, record: &ContactRecord, action: &str) -> Result<()> {
    timeline::append(conn, actor, timeline_item(record, action)).await
}

/// The timeline item of a contact change (`action`: created, updated…).
pub(super) fn timeline_item<'a>(record: &'a ContactRecord, action: &str) -> NewItem<'a> {
    NewItem {
        customer_id: record.customer_id,
        kind: TimelineKind::Contact.as_str(),
        occurred_at: now(),
        entity_type: ENTITY,
        entity_id: record.id,
        title: &record.fields.name,
        summary: json!({ "action": action, "name": record.fields.name, "title": record.fields.title, "is_primary": record.fields.is_primary }),
    }
}

/// A copy of a stored row with its sealed columns opened (see the customers' `opened_row`).
pub(crate) fn opened_row(row: &contacts::Model, sealer: &Sealer) -> Result<contacts::Model> {
    let open = |field: &str, stored: &Option<String>| sealer.open(field, row.id, stored.as_deref());
    Ok(contacts::Model {
        birthday: open("contacts.birthday", &row.birthday)?,
        id_number: open("contacts.id_number", &row.id_number)?,
        bank_account: open("contacts.bank_account", &row.bank_account)?,
        ..row.clone()
    })
}

/// Writes `f` into the row of contact `id`: the sealed fields sealed, with their blind indexes.
pub(super) fn write_fields(model: &mut contacts::ActiveModel, id: Uuid, f: &ContactFields, sealer: &Sealer) {
    let id_number = f.id_number.as_ref().map(|v| v.as_str());
    let birthday = f.birthday.map(|day| day.format("%Y-%m-%d").to_string());
    model.name = Set(f.name.clone());
    model.title = Set(f.title.clone());
    model.department = Set(f.department.clone());
    model.phone = Set(f.phone.as_ref().map(|p| p.as_str().to_owned()));
    model.mobile = Set(f.mobile.as_ref().map(|p| p.as_str().to_owned()));
    model.email = Set(f.email.as_ref().map(|e| e.as_str().to_owned()));
    model.wechat = Set(f.wechat.clone());
    model.is_primary = Set(f.is_primary);
    model.birthday = Set(sealer.seal("contacts.birthday", id, birthday.as_deref()));
    model.notes = Set(f.notes.clone());
    model.id_type = Set(f.id_type.map(|v| v.as_str().to_owned()));
    model.id_number = Set(sealer.seal("contacts.id_number", id, id_number));
    model.id_number_index = Set(sealer.index("contacts.id_number", id_number));
    model.bank_name = Set(f.bank_name.clone());
    model.bank_account = Set(sealer.seal("contacts.bank_account", id, f.bank_account.as_ref().map(|v| v.as_str())));
    model.custom_fields = Set(Value::Object(f.custom_fields.clone()).to_string());
}

/// The live contacts whose identity document number is `id_number` (normalised): found by the
/// blind index, the index's coincidences dropped after opening.
async fn id_number_holders(conn: &impl ConnectionTrait, sealer: &Sealer, id_number: &IdNumber) -> Result<Vec<Uuid>> {
    let lookups = sealer.lookups("contacts.id_number", id_number.as_str());
    if lookups.is_empty() {
        return Ok(Vec::new());
    }
    let candidates = contacts::Entity::find()
        .select_only()
        .column(contacts::Column::Id)
        .column(contacts::Column::IdNumber)
        .filter(contacts::Column::IdNumberIndex.is_in(lookups))
        .filter(contacts::Column::DeletedAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    sealer.holding("contacts.id_number", candidates, id_number.as_str())
}

/// Only one primary contact per customer: making one primary demotes the others.
async fn demote_other_primaries(conn: &impl ConnectionTrait, customer_id: Uuid, keep: Uuid) -> Result<()> {
    contacts::Entity::update_many()
        .col_expr(contacts::Column::IsPrimary, Expr::value(false))
        .filter(contacts::Column::CustomerId.eq(customer_id))
        .filter(contacts::Column::Id.ne(keep))
        .filter(contacts::Column::IsPrimary.eq(true))
        .exec(conn)
        .await?;
    Ok(())
}

/// Loads a contact (live or deleted) whose customer is live and in the caller's scope for `action`.
async fn load(conn: &impl ConnectionTrait, actor: &Actor, action: Action, id: Uuid, deleted: bool) -> Result<contacts::Model> {
    let deleted_condition = if deleted { contacts::Column::DeletedAt.is_not_null() } else { contacts::Column::DeletedAt.is_null() };
    let row = contacts::Entity::find_by_id(id).filter(deleted_condition).one(conn).await?.ok_or(Error::NotFound)?;
    load_for(conn, actor, Resource::Contacts, action, row.customer_id, false).await?;
    Ok(row)
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, customer_id: Uuid, updated: UpdatedWindow, page: &PageRequest) -> Result<Page<ContactRecord>> {
    load_for(&db.conn, actor, Resource::Contacts, Action::Read, customer_id, false).await?;
    let sort = Sort { key: "created_at", column: contacts::Column::CreatedAt, descending: false, value: SortValue::Time };
    // `ix_contacts_customer` finds the customer's contacts; the window filters those few.
    let select = contacts::Entity::find()
        .filter(contacts::Column::CustomerId.eq(customer_id))
        .filter(contacts::Column::DeletedAt.is_null())
        .filter(updated.on(contacts::Column::UpdatedAt));
    let page = fetch_page(&db.conn, select, &sort, contacts::Column::Id, page, |row| (json!(row.created_at), row.id)).await?;
    page_of_records(db, page).await
}

/// Filters of the list of every contact the caller may read (`GET /contacts`).
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Name, email, phone or mobile contains it (a phone number as people type it).
    pub q: Option<String>,
    /// An identity document number, normalised: found by its blind index.
    pub id_number: Option<IdNumber>,
    pub customer_id: Option<Uuid>,
    pub updated: UpdatedWindow,
    /// `cf.<key>` filters (see [`CustomFieldQuery`]).
    pub custom: CustomFieldQuery,
    /// One of the list's sorts, or `cf.<key>`/`-cf.<key>` for a custom field.
    pub sort: Option<String>,
}

/// The sorts of the list of every contact; each has a `WHERE deleted_at IS NULL` index
/// (migration 024), the first is the default.
fn sorts() -> [Sort<contacts::Column>; 5] {
    use contacts::Column as C;
    [
        Sort { key: "-created_at", column: C::CreatedAt, descending: true, value: SortValue::Time },
        Sort { key: "created_at", column: C::CreatedAt, descending: false, value: SortValue::Time },
        Sort { key: "-updated_at", column: C::UpdatedAt, descending: true, value: SortValue::Time },
        Sort { key: "updated_at", column: C::UpdatedAt, descending: false, value: SortValue::Time },
        Sort { key: "name", column: C::Name, descending: false, value: SortValue::Text },
    ]
}

/// Every live contact of a live customer the caller may read, scoped through the customer as
/// `/customers/{id}/contacts` is.
#[tracing::instrument(skip_all)]
pub async fn list_all(db: &Db, actor: &Actor, filter: &ContactFilter, page: &PageRequest) -> Result<Page<ContactRecord>> {
    use contacts::Column as C;
    let scope = actor.require(Resource::Contacts, Action::Read)?;
    let custom = custom_fields::list_query(db, CustomEntity::Contacts, &filter.custom, filter.sort.as_deref()).await?;
    let reachable = live_in_scope(actor, scope);
    let mut select = contacts::Entity::find()
        .filter(custom.condition)
        .filter(C::DeletedAt.is_null())
        .filter(C::CustomerId.in_subquery(reachable))
        .filter(filter.updated.on(C::UpdatedAt));
    if let Some(customer_id) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(customer_id));
    }
    let sealer = db.sealer().await?;
    if let Some(id_number) = &filter.id_number {
        select = select.filter(C::Id.is_in(id_number_holders(&db.conn, &sealer, id_number).await?));
    }
    if let Some(q) = filter.q.as_deref() {
        select = select.filter(match ExactTerm::parse(q) {
            // Phones and emails are found whole, never by fragment (see `customer_search_text`).
            Some(ExactTerm::Phone(phone)) => Condition::any().add(C::Phone.eq(phone.as_str())).add(C::Mobile.eq(phone.as_str())),
            Some(ExactTerm::Email(email)) => Condition::all().add(C::Email.eq(email.as_str())),
            // Names in any case (PostgreSQL's LIKE tells them apart).
            None => {
                let pattern = LikeExpr::new(format!("%{}%", escape_like(&q.trim().to_lowercase()))).escape('\\');
                Condition::all().add(Expr::expr(Func::lower(Expr::col(C::Name))).like(pattern))
            }
        });
    }
    if let Some(sort) = &custom.sort {
        let page = fetch_sorted_page(&db.conn, select, sort, C::Id, page, |row| (&row.custom_fields, row.id)).await?;
        return page.try_map(|row| ContactRecord::of_row(row, &sealer));
    }
    let sorts = sorts();
    let sort = pick_sort(&sorts, filter.sort.as_deref())?;
    let page = fetch_page(&db.conn, select, sort, C::Id, page, |row| {
        let value = match sort.column {
            C::Name => json!(row.name),
            C::UpdatedAt => json!(row.updated_at),
            _ => json!(row.created_at),
        };
        (value, row.id)
    })
    .await?;
    page.try_map(|row| ContactRecord::of_row(row, &sealer))
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<ContactRecord> {
    to_record(&db.conn, load(&db.conn, actor, Action::Read, id, false).await?, &db.sealer().await?).await
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, customer_id: Uuid, fields: ContactFields, refs: &ExternalIdsPatch) -> Result<ContactRecord> {
    fields.check_consistency()?;
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    load_for(&txn, actor, Resource::Contacts, Action::Create, customer_id, false).await?;
    let mut fields = fields;
    fields.custom_fields = custom_fields::settle(db, &txn, CustomEntity::Contacts, &Map::new(), Some(&fields.custom_fields), true).await?;
    let at = now();
    let id = Uuid::now_v7();
    let mut model = contacts::ActiveModel { id: Set(id), customer_id: Set(customer_id), ..Default::default() };
    write_fields(&mut model, id, &fields, &sealer);
    let row = insert_first_version(&txn, model, at).await?;
    external_refs::change(&txn, ENTITY, id, refs).await?;
    let record = ContactRecord { external_ids: refs.apply(&ExternalIds::new()), ..ContactRecord::of_row(row, &sealer)? };
    if fields.is_primary {
        demote_other_primaries(&txn, customer_id, id).await?;
    }
    refresh_search_text(&txn, customer_id).await?;
    on_timeline(&txn, actor, &record, "created").await?;
    changes::commit(txn, actor, Change::created(ENTITY, id, &record).sealed(&sealer), record).await
}

#[tracing::instrument(skip_all)]
/// Changes a contact. With `of_customer`, only a contact of that customer: an upsert under a
/// customer finding another customer's contact by its external id refuses to change it (409
/// `external_id.taken` naming the contact), since a contact does not move between customers.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    of_customer: Option<Uuid>,
    expected_version: Option<i32>,
    patch: ContactPatch,
    refs: &ExternalIdsPatch,
) -> Result<ContactRecord> {
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id, false).await?;
    if of_customer.is_some_and(|customer_id| customer_id != row.customer_id) {
        return Err(Error::Taken {
            code: "external_id.taken",
            message: crm_domain::text!("a contact of another customer already has this external id", "其他客户的联系人已使用此外部编号"),
            existing_id: id,
        });
    }
    check_version(expected_version, row.version)?;
    let before = to_record(&txn, row.clone(), &sealer).await?;
    let mut patch = patch;
    if let Some(incoming) = &patch.custom_fields {
        patch.custom_fields =
            Some(custom_fields::settle(db, &txn, CustomEntity::Contacts, &before.fields.custom_fields, Some(incoming), false).await?);
    }
    let next = patch.apply(&before.fields);
    next.check_consistency()?;
    let external_ids = refs.apply(&before.external_ids);
    if next == before.fields && external_ids == before.external_ids {
        txn.commit().await?;
        return Ok(before);
    }
    if external_ids != before.external_ids {
        external_refs::change(&txn, ENTITY, id, refs).await?;
    }
    let mut model: contacts::ActiveModel = row.clone().into();
    write_fields(&mut model, id, &next, &sealer);
    let after = ContactRecord { external_ids, ..ContactRecord::of_row(save_next_version(&txn, model).await?, &sealer)? };
    if next.is_primary {
        demote_other_primaries(&txn, row.customer_id, id).await?;
    }
    refresh_search_text(&txn, row.customer_id).await?;
    on_timeline(&txn, actor, &after, "updated").await?;
    changes::commit(txn, actor, Change::updated(ENTITY, id, &before, &after).sealed(&sealer), after).await
}

#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Delete, id, false).await?;
    check_version(expected_version, row.version)?;
    let customer_id = row.customer_id;
    let before = sealer.sealed_record(ENTITY, id, &to_record(&txn, row.clone(), &sealer).await?);
    let binned = move_to_bin(&txn, actor, ENTITY, id, contacts::ActiveModel::from(row), &before).await?;
    let deleted = ContactRecord::of_row(binned, &sealer)?;
    external_refs::follow_bin(&txn, ENTITY, id, deleted.deleted_at).await?;
    refresh_search_text(&txn, customer_id).await?;
    on_timeline(&txn, actor, &deleted, "deleted").await?;
    txn.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn restore(db: &Db, actor: &Actor, id: Uuid) -> Result<ContactRecord> {
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Delete, id, true).await?;
    let restored = take_from_bin(&txn, contacts::ActiveModel::from(row.clone())).await?;
    external_refs::follow_bin(&txn, ENTITY, id, None).await?;
    let after = to_record(&txn, restored, &sealer).await?;
    if after.fields.is_primary {
        demote_other_primaries(&txn, row.customer_id, id).await?;
    }
    refresh_search_text(&txn, row.customer_id).await?;
    on_timeline(&txn, actor, &after, "restored").await?;
    changes::commit(txn, actor, Change::restored(ENTITY, id, row.deleted_at, &after).sealed(&sealer), after).await
}

/// Deleted contacts of live customers in the caller's delete scope, most recently deleted first.
#[tracing::instrument(skip_all)]
pub async fn list_deleted(db: &Db, actor: &Actor, page: &PageRequest) -> Result<Page<ContactRecord>> {
    let scope = actor.require(Resource::Contacts, Action::Delete)?;
    let reachable = live_in_scope(actor, scope);
    let sort = Sort { key: "-deleted_at", column: contacts::Column::DeletedAt, descending: true, value: SortValue::Time };
    let select = contacts::Entity::find()
        .filter(contacts::Column::DeletedAt.is_not_null())
        .filter(contacts::Column::CustomerId.in_subquery(reachable));
    let page = fetch_page(&db.conn, select, &sort, contacts::Column::Id, page, |row| (json!(row.deleted_at), row.id)).await?;
    page_of_records(db, page).await
}
