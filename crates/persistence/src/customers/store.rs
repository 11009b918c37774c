use chrono::{DateTime, Utc};
use sea_orm::sea_query::ExprTrait;
use sea_orm::sea_query::{Condition, Expr, LikeExpr, Query, SelectStatement};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crm_domain::customers::{
    CustomerFields, CustomerKind, CustomerPatch, Gender, IdType, LifecycleStage, SizeBand, SourceChannel, ValueTier,
};
use crm_domain::external::{ExternalIds, ExternalIdsPatch, ExternalRef};
use crm_domain::identity::{Action, Resource, Scope};
use crm_domain::platform::custom_fields::CustomEntity;
use crm_domain::text;
use crm_domain::values::{BankAccount, CreditCode, Email, IdNumber, Phone, WebsiteUrl};
use crm_domain::written::SystemText;

use crate::activities::timeline::{self, NewItem};
use crate::entities::{contacts, customer_stage_history, customer_tags, customers, teams, users};
use crate::external_refs;
use crate::identity::names::Names;
use crate::identity::teams::{primary_team, primary_team_row};
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::personal_data::Sealer;
use crate::platform::changes::{self, Change, insert_first_version, move_to_bin, save_next_version, take_from_bin};
use crate::platform::custom_fields::{self, CustomFieldQuery, fetch_sorted_page};
use crate::query::{ExactTerm, escape_like, search_text, search_words, within_window};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, no_active_user, now, stored, stored_json, stored_opt};
use crm_domain::activities::TimelineKind;

pub(super) const ENTITY: &str = "customer";

/// A customer as stored, with the names of its owner and team for display.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerRecord {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: CustomerFields,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub team_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub deleted_at: Option<DateTime<Utc>>,
    /// When the latest live interaction took place (derived; see activities).
    pub last_interaction_at: Option<DateTime<Utc>>,
    /// Purchase figures from confirmed and fulfilled orders (derived; see sales).
    pub first_order_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
    pub order_count: i32,
    pub total_spend_minor: i64,
    /// How other systems know the customer: `{"erp": "C-1001"}`.
    pub external_ids: ExternalIds,
}

/// Who owns a new or reassigned customer.
#[derive(Debug, Clone, Default)]
pub struct Ownership {
    /// `None` keeps the current owner (or, on create, makes the caller the owner).
    pub owner_id: Option<Uuid>,
    /// `None` keeps the team, or follows the new owner's first team when the owner changes;
    /// `Some(None)` clears it.
    pub team_id: Option<Option<Uuid>>,
}

/// List filters, each backed by an index (see the migration).
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub q: Option<String>,
    /// An identity document number, normalised ([`IdNumber::parse`]): found by its blind index.
    pub id_number: Option<IdNumber>,
    pub lifecycle_stages: Vec<LifecycleStage>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub tag: Option<String>,
    pub value_tiers: Vec<ValueTier>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub updated_from: Option<DateTime<Utc>>,
    pub updated_to: Option<DateTime<Utc>>,
    /// `cf.<key>` filters (see [`CustomFieldQuery`]).
    pub custom: CustomFieldQuery,
    /// One of [`CUSTOMER_SORTS`], or `cf.<key>`/`-cf.<key>` for a custom field.
    pub sort: Option<String>,
}

/// The sorts a customer list allows; the first is the default.
pub const CUSTOMER_SORTS: &[&str] = &["-created_at", "created_at", "-updated_at", "updated_at", "name", "-name"];

fn sorts() -> [Sort<customers::Column>; 6] {
    use customers::Column::{CreatedAt, Name, UpdatedAt};
    [
        Sort { key: "-created_at", column: CreatedAt, descending: true, value: SortValue::Time },
        Sort { key: "created_at", column: CreatedAt, descending: false, value: SortValue::Time },
        Sort { key: "-updated_at", column: UpdatedAt, descending: true, value: SortValue::Time },
        Sort { key: "updated_at", column: UpdatedAt, descending: false, value: SortValue::Time },
        Sort { key: "name", column: Name, descending: false, value: SortValue::Text },
        Sort { key: "-name", column: Name, descending: true, value: SortValue::Text },
    ]
}

/// Rebuilds domain values from a stored row (values were valid when written), opening the
/// sealed ones.
pub(crate) fn fields_of(row: &customers::Model, sealer: &Sealer) -> Result<CustomerFields> {
    let open = |field: &str, stored: &Option<String>| sealer.open(field, row.id, stored.as_deref());
    let birthday = open("customers.birthday", &row.birthday)?;
    Ok(CustomerFields {
        kind: stored("customers.kind", row.id, &row.kind, CustomerKind::parse)?,
        name: row.name.clone(),
        industry: row.industry.clone(),
        size_band: stored_opt("customers.size_band", row.id, &row.size_band, SizeBand::parse)?,
        province: row.province.clone(),
        city: row.city.clone(),
        district: row.district.clone(),
        address: open("customers.address", &row.address)?,
        phone: open("customers.phone", &row.phone)?.as_deref().map(Phone::from_stored),
        email: open("customers.email", &row.email)?.as_deref().map(Email::from_stored),
        website: row.website.as_deref().map(WebsiteUrl::from_stored),
        credit_code: row.credit_code.as_deref().map(CreditCode::from_stored),
        source_channel: stored_opt("customers.source_channel", row.id, &row.source_channel, SourceChannel::parse)?,
        lifecycle_stage: stored("customers.lifecycle_stage", row.id, &row.lifecycle_stage, LifecycleStage::parse)?,
        value_tier: stored_opt("customers.value_tier", row.id, &row.value_tier, ValueTier::parse)?,
        tags: stored_json("customers.tags", row.id, &row.tags)?,
        custom_fields: stored_json("customers.custom_fields", row.id, &row.custom_fields)?,
        gender: stored_opt("customers.gender", row.id, &row.gender, Gender::parse)?,
        birthday: stored_opt("customers.birthday", row.id, &birthday, |day| day.parse::<chrono::NaiveDate>())?,
        preferences: row.preferences.clone(),
        notes: row.notes.clone(),
        id_type: stored_opt("customers.id_type", row.id, &row.id_type, IdType::parse)?,
        id_number: open("customers.id_number", &row.id_number)?.as_deref().map(IdNumber::from_stored),
        bank_name: row.bank_name.clone(),
        bank_account: open("customers.bank_account", &row.bank_account)?.as_deref().map(BankAccount::from_stored),
    })
}

/// A copy of a stored row with its sealed columns opened (for code that reads the row's clear
/// values directly, such as erasure's scrubbing of texts).
pub(crate) fn opened_row(row: &customers::Model, sealer: &Sealer) -> Result<customers::Model> {
    let open = |field: &str, stored: &Option<String>| sealer.open(field, row.id, stored.as_deref());
    Ok(customers::Model {
        address: open("customers.address", &row.address)?,
        phone: open("customers.phone", &row.phone)?,
        email: open("customers.email", &row.email)?,
        birthday: open("customers.birthday", &row.birthday)?,
        id_number: open("customers.id_number", &row.id_number)?,
        bank_account: open("customers.bank_account", &row.bank_account)?,
        ..row.clone()
    })
}

/// Writes `f` into the row of customer `id`: the sealed fields sealed, with their blind indexes.
pub(super) fn write_fields(model: &mut customers::ActiveModel, id: Uuid, f: &CustomerFields, sealer: &Sealer) {
    let text = |v: &Option<String>| v.clone();
    let phone = f.phone.as_ref().map(|v| v.as_str());
    let email = f.email.as_ref().map(|v| v.as_str());
    let id_number = f.id_number.as_ref().map(|v| v.as_str());
    let birthday = f.birthday.map(|day| day.format("%Y-%m-%d").to_string());
    model.kind = Set(f.kind.as_str().to_owned());
    model.name = Set(f.name.clone());
    model.industry = Set(text(&f.industry));
    model.size_band = Set(f.size_band.map(|v| v.as_str().to_owned()));
    model.province = Set(text(&f.province));
    model.city = Set(text(&f.city));
    model.district = Set(text(&f.district));
    model.address = Set(sealer.seal("customers.address", id, f.address.as_deref()));
    model.phone = Set(sealer.seal("customers.phone", id, phone));
    model.phone_index = Set(sealer.index("customers.phone", phone));
    model.email = Set(sealer.seal("customers.email", id, email));
    model.email_index = Set(sealer.index("customers.email", email));
    model.website = Set(f.website.as_ref().map(|v| v.as_str().to_owned()));
    model.credit_code = Set(f.credit_code.as_ref().map(|v| v.as_str().to_owned()));
    model.source_channel = Set(f.source_channel.map(|v| v.as_str().to_owned()));
    model.lifecycle_stage = Set(f.lifecycle_stage.as_str().to_owned());
    model.value_tier = Set(f.value_tier.map(|v| v.as_str().to_owned()));
    model.tags = Set(serde_json::to_string(&f.tags).unwrap_or_else(|_| "[]".into()));
    model.custom_fields = Set(Value::Object(f.custom_fields.clone()).to_string());
    model.gender = Set(f.gender.map(|v| v.as_str().to_owned()));
    model.birthday = Set(sealer.seal("customers.birthday", id, birthday.as_deref()));
    model.preferences = Set(text(&f.preferences));
    model.notes = Set(text(&f.notes));
    model.id_type = Set(f.id_type.map(|v| v.as_str().to_owned()));
    model.id_number = Set(sealer.seal("customers.id_number", id, id_number));
    model.id_number_index = Set(sealer.index("customers.id_number", id_number));
    model.bank_name = Set(text(&f.bank_name));
    model.bank_account = Set(sealer.seal("customers.bank_account", id, f.bank_account.as_ref().map(|v| v.as_str())));
}

pub(crate) async fn to_records<C: ConnectionTrait>(
    names: Names<'_, C>,
    rows: Vec<customers::Model>,
    sealer: &Sealer,
) -> Result<Vec<CustomerRecord>> {
    let owner_ids: Vec<Uuid> = rows.iter().map(|r| r.owner_id).collect();
    let owners = names.users(&owner_ids).await?;
    let team_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.team_id).collect();
    let team_names = names.teams(&team_ids).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut refs = names.external_ids(ENTITY, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let owner_name = owners.get(&row.owner_id).cloned();
            let team_name = row.team_id.and_then(|t| team_names.get(&t).cloned());
            let external_ids = refs.remove(&row.id).unwrap_or_default();
            record_of(row, owner_name, team_name, external_ids, sealer)
        })
        .collect()
}

/// A stored row as a record, with its owner's and team's names already known.
pub(super) fn record_of(
    row: customers::Model,
    owner_name: Option<String>,
    team_name: Option<String>,
    external_ids: ExternalIds,
    sealer: &Sealer,
) -> Result<CustomerRecord> {
    Ok(CustomerRecord {
        id: row.id,
        fields: fields_of(&row, sealer)?,
        owner_name,
        owner_id: row.owner_id,
        team_name,
        team_id: row.team_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        deleted_at: row.deleted_at,
        last_interaction_at: row.last_interaction_at,
        first_order_at: row.first_order_at,
        last_order_at: row.last_order_at,
        order_count: row.order_count,
        total_spend_minor: row.total_spend_minor,
        external_ids,
    })
}

pub(super) async fn to_record<C: ConnectionTrait>(names: Names<'_, C>, row: customers::Model, sealer: &Sealer) -> Result<CustomerRecord> {
    to_records(names, vec![row], sealer).await?.pop().ok_or(Error::NotFound)
}

/// The scope condition on customer rows for `scope`.
pub(crate) fn in_scope(actor: &Actor, scope: Scope) -> Condition {
    actor.scope_condition(scope, (customers::Entity, customers::Column::OwnerId), (customers::Entity, customers::Column::TeamId))
}

/// The ids of the live customers in `scope`: the rows that hang off a customer (contacts,
/// interactions, tickets) are listed through them.
pub(crate) fn live_in_scope(actor: &Actor, scope: Scope) -> SelectStatement {
    Query::select()
        .column(customers::Column::Id)
        .from(customers::Entity)
        .and_where(customers::Column::DeletedAt.is_null())
        .cond_where(in_scope(actor, scope))
        .take()
}

/// Loads a live (not deleted) customer the actor may read through `resource`, checking that the
/// actor may also perform `action` on it. Unreadable → 404; readable but not changeable → 403.
pub(crate) async fn load_for(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    resource: Resource,
    action: Action,
    id: Uuid,
    deleted: bool,
) -> Result<customers::Model> {
    let read = actor.require(resource, Action::Read)?;
    let wanted = actor.require(resource, action)?;
    let deleted_condition = if deleted { customers::Column::DeletedAt.is_not_null() } else { customers::Column::DeletedAt.is_null() };
    let row = customers::Entity::find_by_id(id)
        .filter(deleted_condition)
        .filter(in_scope(actor, read))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if !actor.reaches(wanted, row.owner_id, row.team_id) {
        return Err(Error::Forbidden(crm_domain::identity::not_allowed(action, resource)));
    }
    Ok(row)
}

/// The active user who is to own a customer (their row gives the record its owner name).
pub(super) async fn check_owner(conn: &impl ConnectionTrait, owner_id: Uuid) -> Result<users::Model> {
    match users::Entity::find_by_id(owner_id).one(conn).await? {
        Some(user) if user.active => Ok(user),
        _ => Err(no_active_user("owner_id")),
    }
}

/// The team a customer is to belong to, if any (its row gives the record its team name).
pub(super) async fn check_team(conn: &impl ConnectionTrait, team_id: Option<Uuid>) -> Result<Option<teams::Model>> {
    let Some(id) = team_id else { return Ok(None) };
    match teams::Entity::find_by_id(id).one(conn).await? {
        Some(team) => Ok(Some(team)),
        None => Err(Error::validation("team_id", "not_found", text!("no team with this id", "没有此 id 的团队"))),
    }
}

pub(super) async fn replace_tags(conn: &impl ConnectionTrait, customer_id: Uuid, tags: &[String]) -> Result<()> {
    customer_tags::Entity::delete_many().filter(customer_tags::Column::CustomerId.eq(customer_id)).exec(conn).await?;
    insert_tags(conn, customer_id, tags).await
}

/// Adds a customer's tags in one statement.
async fn insert_tags(conn: &impl ConnectionTrait, customer_id: Uuid, tags: &[String]) -> Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let rows = tags.iter().map(|tag| customer_tags::ActiveModel { customer_id: Set(customer_id), tag: Set(tag.clone()) });
    customer_tags::Entity::insert_many(rows).exec_without_returning(conn).await?;
    Ok(())
}

/// Records a stage move in the stage history and on the customer's timeline.
pub(super) async fn record_stage(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    customer_id: Uuid,
    from: Option<LifecycleStage>,
    to: LifecycleStage,
) -> Result<()> {
    let at = now();
    customer_stage_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(customer_id),
        from_stage: Set(from.map(|s| s.as_str().to_owned())),
        to_stage: Set(to.as_str().to_owned()),
        changed_by: Set(actor.audit_id()),
        changed_at: Set(at),
    }
    .insert(conn)
    .await?;
    timeline::append(conn, actor, stage_item(customer_id, from, to, at)).await
}

/// The timeline item of a stage move (a new customer's first stage comes from none).
pub(super) fn stage_item(customer_id: Uuid, from: Option<LifecycleStage>, to: LifecycleStage, at: DateTime<Utc>) -> NewItem<'static> {
    NewItem {
        customer_id,
        kind: TimelineKind::StageChange.as_str(),
        occurred_at: at,
        entity_type: ENTITY,
        entity_id: customer_id,
        title: to.as_str(),
        summary: json!({ "from_stage": from, "to_stage": to }),
    }
}

/// What a customer is found by in words: its own name and credit code, then each live contact's
/// name. Phones and emails are personal data and stay out of it: they are found only whole
/// ([`crate::query::ExactTerm`]), so that someone who sees them masked cannot learn them digit by
/// digit through search.
pub(super) fn customer_search_text(own: [Option<&str>; 2], people: &[contacts::Model]) -> String {
    let mut parts: Vec<Option<&str>> = own.to_vec();
    parts.extend(people.iter().map(|person| Some(person.name.as_str())));
    search_text(parts)
}

/// Recomputes the text `q` searches for a customer: its own name and credit code and the names
/// of its live contacts.
pub(crate) async fn refresh_search_text(conn: &impl ConnectionTrait, customer_id: Uuid) -> Result<()> {
    let Some(row) = customers::Entity::find_by_id(customer_id).one(conn).await? else { return Ok(()) };
    let people = contacts::Entity::find()
        .filter(contacts::Column::CustomerId.eq(customer_id))
        .filter(contacts::Column::DeletedAt.is_null())
        .all(conn)
        .await?;
    let text = customer_search_text([Some(&row.name), row.credit_code.as_deref()], &people);
    customers::Entity::update_many()
        .col_expr(customers::Column::SearchText, Expr::value(text))
        .filter(customers::Column::Id.eq(customer_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The live customer other than `except` that holds this 统一社会信用代码, if any.
async fn credit_code_holder(conn: &impl ConnectionTrait, credit_code: &str, except: Uuid) -> Result<Option<Uuid>> {
    let holder = customers::Entity::find()
        .select_only()
        .column(customers::Column::Id)
        .filter(customers::Column::CreditCode.eq(credit_code))
        .filter(customers::Column::DeletedAt.is_null())
        .filter(customers::Column::Id.ne(except))
        .order_by_asc(customers::Column::CreatedAt)
        .into_tuple::<Uuid>()
        .one(conn)
        .await?;
    Ok(holder)
}

fn credit_code_taken(existing_id: Uuid) -> Error {
    Error::Taken {
        code: "customer.credit_code_taken",
        message: text!("another customer already has this credit code (统一社会信用代码)", "已有其他客户使用此统一社会信用代码"),
        existing_id,
    }
}

/// Refuses a credit code that a live customer other than `except` already holds. Two live
/// customers with one credit code are one organisation entered twice.
pub(super) async fn refuse_taken_credit_code(conn: &impl ConnectionTrait, credit_code: Option<&str>, except: Uuid) -> Result<()> {
    let Some(credit_code) = credit_code else { return Ok(()) };
    match credit_code_holder(conn, credit_code, except).await? {
        Some(existing_id) => Err(credit_code_taken(existing_id)),
        None => Ok(()),
    }
}

/// The live customers other than `except` whose sealed column holds `value` (normalised as
/// stored): the rows whose blind index matches, with the coincidences the truncated index shares
/// with other values dropped after opening. Matching rows are few by design (at most about √R
/// per value), so they are read whole.
async fn sealed_holders(
    conn: &impl ConnectionTrait,
    sealer: &Sealer,
    (field, index, column): (&str, customers::Column, customers::Column),
    value: &str,
    except: Option<Uuid>,
) -> Result<Vec<Uuid>> {
    let lookups = sealer.lookups(field, value);
    if lookups.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = customers::Entity::find()
        .select_only()
        .column(customers::Column::Id)
        .column(column)
        .filter(index.is_in(lookups))
        .filter(customers::Column::DeletedAt.is_null());
    if let Some(except) = except {
        select = select.filter(customers::Column::Id.ne(except));
    }
    let candidates = select.order_by_asc(customers::Column::CreatedAt).into_tuple().all(conn).await?;
    sealer.holding(field, candidates, value)
}

const ID_NUMBER: (&str, customers::Column, customers::Column) =
    ("customers.id_number", customers::Column::IdNumberIndex, customers::Column::IdNumber);
const PHONE: (&str, customers::Column, customers::Column) = ("customers.phone", customers::Column::PhoneIndex, customers::Column::Phone);
const EMAIL: (&str, customers::Column, customers::Column) = ("customers.email", customers::Column::EmailIndex, customers::Column::Email);

/// Refuses an identity document number that a live customer other than `except` already holds:
/// two live customers with one document are one person entered twice. Found through the blind
/// index (the column is sealed), so no unique index can stand behind it: two writes racing with
/// the same number can both pass, which the duplicate list of data quality finds later.
pub(super) async fn refuse_taken_id_number(
    conn: &impl ConnectionTrait,
    sealer: &Sealer,
    id_number: Option<&IdNumber>,
    except: Uuid,
) -> Result<()> {
    let Some(id_number) = id_number else { return Ok(()) };
    match sealed_holders(conn, sealer, ID_NUMBER, id_number.as_str(), Some(except)).await?.first() {
        Some(existing_id) => Err(Error::Taken {
            code: "customer.id_number_taken",
            message: text!("another customer already has this identity document number", "已有其他客户使用此证件号码"),
            existing_id: *existing_id,
        }),
        None => Ok(()),
    }
}

/// A write that failed after [`refuse_taken_credit_code`] passed: when a concurrent write took
/// the credit code in between, the unique index of live credit codes (migration 013) refused it,
/// and the client gets the same 409 naming the holder. The holder is read outside the failed
/// transaction, which PostgreSQL no longer lets run statements.
async fn credit_code_race(db: &Db, error: sea_orm::DbErr, credit_code: Option<&str>, except: Uuid, txn: crate::WriteTxn) -> Error {
    let unique_violation = matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(ref m)) if m.contains("credit_code"));
    let _ = txn.rollback().await;
    if let (true, Some(credit_code)) = (unique_violation, credit_code) {
        match credit_code_holder(&db.conn, credit_code, except).await {
            Ok(Some(existing_id)) => return credit_code_taken(existing_id),
            Ok(None) => {}
            Err(lookup) => return lookup,
        }
    }
    error.into()
}

#[tracing::instrument(skip_all)]
pub async fn create(
    db: &Db,
    actor: &Actor,
    fields: CustomerFields,
    ownership: Ownership,
    refs: &ExternalIdsPatch,
) -> Result<CustomerRecord> {
    let scope = actor.require(Resource::Customers, Action::Create)?;
    fields.check_consistency(db.today())?;
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    let mut fields = fields;
    fields.custom_fields = custom_fields::settle(db, &txn, CustomEntity::Customers, &Map::new(), Some(&fields.custom_fields), true).await?;
    let owner_id = ownership.owner_id.unwrap_or(actor.user_id);
    let owner = check_owner(&txn, owner_id).await?;
    let team = match ownership.team_id {
        Some(team_id) => check_team(&txn, team_id).await?,
        None => primary_team_row(&txn, owner_id).await?,
    };
    let team_id = team.as_ref().map(|t| t.id);
    if !actor.reaches(scope, owner_id, team_id) {
        return Err(Error::Forbidden(text!(
            "your role may only create customers within its scope (owner and team)",
            "您的角色只能在自己的数据范围（负责人和团队）内新建客户"
        )));
    }
    let at = now();
    let id = Uuid::now_v7();
    // A new customer has no contacts yet, so its search text is its own fields': written with
    // the row rather than read back and updated.
    let own_text = [Some(fields.name.as_str()), fields.credit_code.as_ref().map(|c| c.as_str())];
    let mut model = customers::ActiveModel {
        id: Set(id),
        search_text: Set(customer_search_text(own_text, &[])),
        owner_id: Set(owner_id),
        team_id: Set(team_id),
        ..Default::default()
    };
    write_fields(&mut model, id, &fields, &sealer);
    let credit_code = fields.credit_code.as_ref().map(|c| c.as_str());
    refuse_taken_credit_code(&txn, credit_code, id).await?;
    refuse_taken_id_number(&txn, &sealer, fields.id_number.as_ref(), id).await?;
    let row = match insert_first_version(&txn, model, at).await {
        Ok(row) => row,
        Err(error) => return Err(credit_code_race(db, error, credit_code, id, txn).await),
    };
    insert_tags(&txn, id, &fields.tags).await?;
    external_refs::change(&txn, ENTITY, id, refs).await?;
    record_stage(&txn, actor, id, None, fields.lifecycle_stage).await?;
    let record = record_of(row, Some(owner.display_name), team.map(|t| t.name), refs.apply(&ExternalIds::new()), &sealer)?;
    changes::commit(txn, actor, Change::created(ENTITY, id, &record).sealed(&sealer), record).await
}

/// The live customer other systems know by `reference`, whoever may read it: an upsert updates
/// it (and answers 404 when the caller may not read it) rather than creating a second one.
#[tracing::instrument(skip_all)]
pub async fn holder_of(db: &Db, reference: &ExternalRef) -> Result<Option<Uuid>> {
    external_refs::holder_seen(db, ENTITY, reference).await
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<CustomerRecord> {
    let row = load_for(&db.conn, actor, Resource::Customers, Action::Read, id, false).await?;
    to_record(Names::cached(db), row, &db.sealer().await?).await
}

#[tracing::instrument(skip_all)]
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    patch: CustomerPatch,
    ownership: Ownership,
    refs: &ExternalIdsPatch,
) -> Result<CustomerRecord> {
    let scope = actor.require(Resource::Customers, Action::Update)?;
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    let row = load_for(&txn, actor, Resource::Customers, Action::Update, id, false).await?;
    check_version(expected_version, row.version)?;
    let current = fields_of(&row, &sealer)?;
    let stage_change = patch.lifecycle_stage.filter(|stage| *stage != current.lifecycle_stage);
    let mut patch = patch;
    if let Some(incoming) = &patch.custom_fields {
        patch.custom_fields =
            Some(custom_fields::settle(db, &txn, CustomEntity::Customers, &current.custom_fields, Some(incoming), false).await?);
    }
    let mut next = patch.apply(&current);
    if let Some(stage) = stage_change {
        if !current.lifecycle_stage.can_move_to(stage) {
            let from = current.lifecycle_stage;
            let (from_zh, to_zh) = (from.label_zh(), stage.label_zh());
            return Err(Error::conflict(
                "customer.invalid_stage_transition",
                text!("a customer cannot move from stage {from} to {stage}", "客户关系阶段不能从“{from_zh}”改为“{to_zh}”"),
            ));
        }
        next.lifecycle_stage = stage;
    }
    next.check_consistency(db.today())?;
    let owner_id = ownership.owner_id.unwrap_or(row.owner_id);
    let team_id = match ownership.team_id {
        Some(team) => team,
        None if owner_id != row.owner_id => primary_team(&txn, owner_id).await?,
        None => row.team_id,
    };
    if owner_id != row.owner_id {
        check_owner(&txn, owner_id).await?;
    }
    if team_id != row.team_id {
        check_team(&txn, team_id).await?;
    }
    if !actor.reaches(scope, owner_id, team_id) {
        return Err(Error::Forbidden(text!(
            "your role may not hand this customer to an owner or team outside its scope",
            "您的角色不能把此客户转给数据范围以外的负责人或团队"
        )));
    }
    let before = to_record(Names::Within(&txn), row.clone(), &sealer).await?;
    let refs_change = refs.apply(&before.external_ids) != before.external_ids;
    if next == current && owner_id == row.owner_id && team_id == row.team_id && !refs_change {
        txn.commit().await?;
        return Ok(before);
    }
    let mut model: customers::ActiveModel = row.clone().into();
    write_fields(&mut model, id, &next, &sealer);
    model.owner_id = Set(owner_id);
    model.team_id = Set(team_id);
    let credit_code = next.credit_code.as_ref().map(|c| c.as_str());
    if credit_code != row.credit_code.as_deref() {
        refuse_taken_credit_code(&txn, credit_code, id).await?;
    }
    if next.id_number != current.id_number {
        refuse_taken_id_number(&txn, &sealer, next.id_number.as_ref(), id).await?;
    }
    if let Err(error) = save_next_version(&txn, model).await {
        return Err(credit_code_race(db, error, credit_code, id, txn).await);
    }
    if next.tags != current.tags {
        replace_tags(&txn, id, &next.tags).await?;
    }
    if refs_change {
        external_refs::change(&txn, ENTITY, id, refs).await?;
    }
    refresh_search_text(&txn, id).await?;
    let after = to_record(Names::Within(&txn), customers::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?, &sealer).await?;
    let mut change = Change::updated(ENTITY, id, &before, &after).leaving_out(&["owner_name", "team_name"]).sealed(&sealer);
    if let Some(stage) = stage_change {
        record_stage(&txn, actor, id, Some(current.lifecycle_stage), stage).await?;
        change = change.also_told_as("customer.stage_changed");
    }
    changes::commit(txn, actor, change, after).await
}

/// Moves a customer to the recycle bin; its contacts stay with it and come back on restore.
#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    let row = load_for(&txn, actor, Resource::Customers, Action::Delete, id, false).await?;
    check_version(expected_version, row.version)?;
    let before = sealer.sealed_record(ENTITY, id, &to_record(Names::Within(&txn), row.clone(), &sealer).await?);
    let binned = move_to_bin(&txn, actor, ENTITY, id, customers::ActiveModel::from(row), &before).await?;
    external_refs::follow_bin(&txn, ENTITY, id, binned.deleted_at).await?;
    external_refs::follow_customer_bin(&txn, id, binned.deleted_at).await?;
    txn.commit().await?;
    Ok(())
}

/// Brings a customer back from the recycle bin (whoever may delete it may restore it).
#[tracing::instrument(skip_all)]
pub async fn restore(db: &Db, actor: &Actor, id: Uuid) -> Result<CustomerRecord> {
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    let row = load_for(&txn, actor, Resource::Customers, Action::Delete, id, true).await?;
    // While it was in the recycle bin another customer may have taken its credit code.
    refuse_taken_credit_code(&txn, row.credit_code.as_deref(), id).await?;
    let id_number = fields_of(&row, &sealer)?.id_number;
    refuse_taken_id_number(&txn, &sealer, id_number.as_ref(), id).await?;
    let credit_code = row.credit_code.clone();
    if let Err(error) = take_from_bin(&txn, customers::ActiveModel::from(row.clone())).await {
        return Err(credit_code_race(db, error, credit_code.as_deref(), id, txn).await);
    }
    external_refs::follow_bin(&txn, ENTITY, id, None).await?;
    external_refs::follow_customer_bin(&txn, id, None).await?;
    let after = to_record(Names::Within(&txn), customers::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?, &sealer).await?;
    changes::commit(txn, actor, Change::restored(ENTITY, id, row.deleted_at, &after).sealed(&sealer), after).await
}

/// The customers a list's exact searches name, found through blind indexes before the list's
/// query runs: `own` for a whole phone or email in `q` (the customer's own, sealed), `documents`
/// for `id_number`.
#[derive(Default)]
struct ExactMatches {
    own: Vec<Uuid>,
    documents: Option<Vec<Uuid>>,
}

async fn exact_matches(db: &Db, sealer: &Sealer, filter: &CustomerFilter) -> Result<ExactMatches> {
    let own = match filter.q.as_deref().and_then(ExactTerm::parse) {
        Some(ExactTerm::Phone(phone)) => sealed_holders(&db.conn, sealer, PHONE, phone.as_str(), None).await?,
        Some(ExactTerm::Email(email)) => sealed_holders(&db.conn, sealer, EMAIL, email.as_str(), None).await?,
        None => Vec::new(),
    };
    let documents = match &filter.id_number {
        Some(number) => Some(sealed_holders(&db.conn, sealer, ID_NUMBER, number.as_str(), None).await?),
        None => None,
    };
    Ok(ExactMatches { own, documents })
}

fn filter_condition(filter: &CustomerFilter, exact: ExactMatches) -> Condition {
    use customers::Column as C;
    let mut condition = Condition::all();
    if let Some(documents) = exact.documents {
        condition = condition.add(C::Id.is_in(documents));
    }
    match filter.q.as_deref().and_then(ExactTerm::parse) {
        // A whole phone number or email: the customer's own (sealed: matched through its blind
        // index beforehand), or one of its live contacts'.
        Some(term) => {
            let (own, people) = match &term {
                ExactTerm::Phone(phone) => {
                    (C::Id.is_in(exact.own), contacts::Column::Phone.eq(phone.as_str()).or(contacts::Column::Mobile.eq(phone.as_str())))
                }
                ExactTerm::Email(email) => (C::Id.is_in(exact.own), contacts::Column::Email.eq(email.as_str())),
            };
            let holders = Query::select()
                .column(contacts::Column::CustomerId)
                .from(contacts::Entity)
                .and_where(contacts::Column::DeletedAt.is_null())
                .and_where(people)
                .take();
            condition = condition.add(Condition::any().add(own).add(C::Id.in_subquery(holders)));
        }
        // Every word must occur (`七宝 印刷` finds 上海七宝印刷有限公司).
        None => {
            for word in filter.q.as_deref().map(search_words).unwrap_or_default() {
                condition = condition.add(Expr::col(C::SearchText).like(LikeExpr::new(format!("%{}%", escape_like(&word))).escape('\\')));
            }
        }
    }
    if !filter.lifecycle_stages.is_empty() {
        condition = condition.add(C::LifecycleStage.is_in(filter.lifecycle_stages.iter().map(|s| s.as_str())));
    }
    if let Some(owner_id) = filter.owner_id {
        condition = condition.add(C::OwnerId.eq(owner_id));
    }
    if let Some(team_id) = filter.team_id {
        condition = condition.add(C::TeamId.eq(team_id));
    }
    if let Some(industry) = &filter.industry {
        condition = condition.add(C::Industry.eq(industry.clone()));
    }
    if let Some(region) = &filter.region {
        condition = condition
            .add(Condition::any().add(C::Province.eq(region.clone())).add(C::City.eq(region.clone())).add(C::District.eq(region.clone())));
    }
    if let Some(tag) = &filter.tag {
        condition = condition.add(
            C::Id.in_subquery(
                Query::select()
                    .column(customer_tags::Column::CustomerId)
                    .from(customer_tags::Entity)
                    .and_where(customer_tags::Column::Tag.eq(tag.clone()))
                    .take(),
            ),
        );
    }
    if !filter.value_tiers.is_empty() {
        condition = condition.add(C::ValueTier.is_in(filter.value_tiers.iter().map(|s| s.as_str())));
    }
    condition = condition.add(within_window(C::CreatedAt, filter.created_from, filter.created_to));
    condition = condition.add(within_window(C::UpdatedAt, filter.updated_from, filter.updated_to));
    condition
}

fn cursor_value(sort: &Sort<customers::Column>, row: &customers::Model) -> (Value, Uuid) {
    let value = match sort.column {
        customers::Column::Name => json!(row.name),
        customers::Column::UpdatedAt => json!(row.updated_at),
        _ => json!(row.created_at),
    };
    (value, row.id)
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, filter: &CustomerFilter, page: &PageRequest) -> Result<Page<CustomerRecord>> {
    let scope = actor.require(Resource::Customers, Action::Read)?;
    let custom = custom_fields::list_query(db, CustomEntity::Customers, &filter.custom, filter.sort.as_deref()).await?;
    let sealer = db.sealer().await?;
    let exact = exact_matches(db, &sealer, filter).await?;
    let select = customers::Entity::find()
        .filter(customers::Column::DeletedAt.is_null())
        .filter(in_scope(actor, scope))
        .filter(filter_condition(filter, exact))
        .filter(custom.condition);
    let page = match &custom.sort {
        Some(sort) => fetch_sorted_page(&db.conn, select, sort, customers::Column::Id, page, |row| (&row.custom_fields, row.id)).await?,
        None => {
            let sorts = sorts();
            let sort = pick_sort(&sorts, filter.sort.as_deref())?;
            fetch_page(&db.conn, select, sort, customers::Column::Id, page, |row| cursor_value(sort, row)).await?
        }
    };
    Ok(Page { data: to_records(Names::cached(db), page.data, &sealer).await?, next_cursor: page.next_cursor, total: page.total })
}

/// The recycle bin: deleted customers in the caller's delete scope, most recently deleted first.
#[tracing::instrument(skip_all)]
pub async fn list_deleted(db: &Db, actor: &Actor, page: &PageRequest) -> Result<Page<CustomerRecord>> {
    let scope = actor.require(Resource::Customers, Action::Delete)?;
    let sort = Sort { key: "-deleted_at", column: customers::Column::DeletedAt, descending: true, value: SortValue::Time };
    let select = customers::Entity::find().filter(customers::Column::DeletedAt.is_not_null()).filter(in_scope(actor, scope));
    let page = fetch_page(&db.conn, select, &sort, customers::Column::Id, page, |row| (json!(row.deleted_at), row.id)).await?;
    Ok(Page {
        data: to_records(Names::cached(db), page.data, &db.sealer().await?).await?,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// One change of lifecycle stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageChange {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub from_stage: Option<LifecycleStage>,
    pub to_stage: LifecycleStage,
    pub changed_by: Option<Uuid>,
    pub changed_by_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all)]
pub async fn stage_history(db: &Db, actor: &Actor, customer_id: Uuid, page: &PageRequest) -> Result<Page<StageChange>> {
    load_for(&db.conn, actor, Resource::Customers, Action::Read, customer_id, false).await?;
    let sort = Sort { key: "-changed_at", column: customer_stage_history::Column::ChangedAt, descending: true, value: SortValue::Time };
    let select = customer_stage_history::Entity::find().filter(customer_stage_history::Column::CustomerId.eq(customer_id));
    let page = fetch_page(&db.conn, select, &sort, customer_stage_history::Column::Id, page, |row| (json!(row.changed_at), row.id)).await?;
    let ids: Vec<Uuid> = page.data.iter().filter_map(|r| r.changed_by).collect();
    let names = crate::platform::audit::user_names(&db.conn, &ids).await?;
    page.try_map(|row| {
        Ok(StageChange {
            id: row.id,
            customer_id: row.customer_id,
            from_stage: stored_opt("customer_stage_history.from_stage", row.id, &row.from_stage, LifecycleStage::parse)?,
            to_stage: stored("customer_stage_history.to_stage", row.id, &row.to_stage, LifecycleStage::parse)?,
            changed_by_name: row.changed_by.and_then(|id| names.get(&id).cloned()),
            changed_by: row.changed_by,
            changed_at: row.changed_at,
        })
    })
}

/// Counts live customers per lifecycle stage within the caller's read scope (dashboard figures).
#[tracing::instrument(skip_all)]
pub async fn count_by_stage(db: &Db, actor: &Actor) -> Result<Vec<(LifecycleStage, u64)>> {
    let scope = actor.require(Resource::Customers, Action::Read)?;
    let rows: Vec<(String, i64)> = customers::Entity::find()
        .select_only()
        .column(customers::Column::LifecycleStage)
        .column_as(customers::Column::Id.count(), "n")
        .filter(customers::Column::DeletedAt.is_null())
        .filter(in_scope(actor, scope))
        .group_by(customers::Column::LifecycleStage)
        .into_tuple()
        .all(&db.conn)
        .await?;
    Ok(LifecycleStage::ALL
        .iter()
        .map(|stage| (*stage, rows.iter().find(|(s, _)| s == stage.as_str()).map(|(_, n)| u64::try_from(*n).unwrap_or(0)).unwrap_or(0)))
        .collect())
}

/// What a customer's confirmed and fulfilled orders add up to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PurchaseFigures {
    pub first_order_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
    pub order_count: i32,
    pub total_spend_minor: i64,
}

/// Applies what an order's move did to its customer: the purchase figures and, after a confirmed
/// order (`promote`), the `customer` stage (成交客户) through the lifecycle rules. Like any other
/// change of the record it bumps the version and `updated_at` and writes an audit entry and a
/// `customer.updated` event (the record after, with `changed: {field: [old, new]}`), so that
/// integrations following the feed or holding an ETag see it; a promotion also writes its stage
/// history, timeline item and `customer.stage_changed`. Nothing is written when nothing changes.
pub(crate) async fn apply_order_outcome(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    customer_id: Uuid,
    figures: PurchaseFigures,
    promote: bool,
    reason: SystemText,
    sealer: &Sealer,
) -> Result<()> {
    let Some(row) = customers::Entity::find_by_id(customer_id).one(conn).await? else { return Ok(()) };
    let current = stored("customers.lifecycle_stage", row.id, &row.lifecycle_stage, LifecycleStage::parse)?;
    let promoted = promote && current != LifecycleStage::Customer && current.can_move_to(LifecycleStage::Customer);
    let stored = PurchaseFigures {
        first_order_at: row.first_order_at,
        last_order_at: row.last_order_at,
        order_count: row.order_count,
        total_spend_minor: row.total_spend_minor,
    };
    if !promoted && stored == figures {
        return Ok(());
    }
    let before = to_record(Names::Within(conn), row.clone(), sealer).await?;
    let mut model: customers::ActiveModel = row.clone().into();
    if promoted {
        model.lifecycle_stage = Set(LifecycleStage::Customer.as_str().to_owned());
    }
    model.first_order_at = Set(figures.first_order_at);
    model.last_order_at = Set(figures.last_order_at);
    model.order_count = Set(figures.order_count);
    model.total_spend_minor = Set(figures.total_spend_minor);
    let after = to_record(Names::Within(conn), save_next_version(conn, model).await?, sealer).await?;
    if promoted {
        record_stage(conn, actor, customer_id, Some(current), LifecycleStage::Customer).await?;
    }
    let mut change = Change::updated(ENTITY, customer_id, &before, &after)
        .leaving_out(&["owner_name", "team_name"])
        .noting("reason", reason.to_value())
        .sealed(sealer);
    if promoted {
        change = change.also_told_as("customer.stage_changed");
    }
    changes::record(conn, actor, change).await
}
