//! Custom field definitions, and what they mean for the records that carry values.
//!
//! - Definitions are organisation settings: administrators create, edit, retire and restore
//!   them, each change audited and told in the feed (`custom_field.*`); anyone signed in reads
//!   them (forms and lists are built from them).
//! - Values live in the record's `custom_fields` JSON column. [`settle`] checks what a write
//!   brings against the definitions (rules read once per [`RULES_FRESH_FOR`] per instance, and at
//!   once after a change on this one).
//! - Every definition has an expression index on its table (`ix_cf_<table>_<key>`), made when it
//!   is created and again at start-up if missing; [`ListQuery`] filters and sorts lists by the
//!   very expression the index holds, so the database can use it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crm_domain::error::{FieldError, ValidationErrors};
use crm_domain::platform::custom_fields::{
    self as rules_of, CustomEntity, FieldOption, FieldRule, FieldType, MAX_FIELDS_PER_ENTITY, check_default, check_key, check_options,
};
use crm_domain::text;

use crate::entities::{custom_field_definitions as definitions, users};
use crate::pagination::{Cursor, Page, PageRequest, Sort, SortValue, clamp_limit, fetch_page, invalid_cursor};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Result, check_version, now, stored, stored_json};

const ENTITY: &str = "custom_field";

/// How long an instance trusts the definitions it read: another instance may change them.
pub const RULES_FRESH_FOR: Duration = Duration::from_secs(5);

/// One definition as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomFieldRecord {
    pub id: Uuid,
    pub entity: CustomEntity,
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub field_type: FieldType,
    pub options: Vec<FieldOption>,
    pub required: bool,
    pub default_value: Option<Value>,
    pub help_zh: Option<String>,
    pub help_en: Option<String>,
    pub position: i32,
    pub retired: bool,
    pub retired_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl CustomFieldRecord {
    fn of_row(row: definitions::Model) -> Result<Self> {
        Ok(Self {
            entity: stored("custom_field_definitions.entity", row.id, &row.entity, CustomEntity::parse)?,
            field_type: stored("custom_field_definitions.field_type", row.id, &row.field_type, FieldType::parse)?,
            options: stored_json("custom_field_definitions.options", row.id, &row.options)?,
            default_value: match &row.default_value {
                Some(text) => Some(stored_json("custom_field_definitions.default_value", row.id, text)?),
                None => None,
            },
            id: row.id,
            key: row.key,
            label_zh: row.label_zh,
            label_en: row.label_en,
            required: row.required,
            help_zh: row.help_zh,
            help_en: row.help_en,
            position: row.position,
            retired: row.retired_at.is_some(),
            retired_at: row.retired_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        })
    }

    fn rule(&self) -> FieldRule {
        FieldRule {
            key: self.key.clone(),
            field_type: self.field_type,
            options: self.options.clone(),
            required: self.required,
            default_value: self.default_value.clone(),
            retired: self.retired,
        }
    }
}

/// A new definition, its texts already trimmed by the API.
#[derive(Debug, Clone)]
pub struct NewCustomField {
    pub entity: CustomEntity,
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub field_type: FieldType,
    pub options: Vec<FieldOption>,
    pub required: bool,
    pub default_value: Option<Value>,
    pub help_zh: Option<String>,
    pub help_en: Option<String>,
    /// `None` puts it last.
    pub position: Option<i32>,
}

/// A change of a definition: its key, kind and type never change (values are stored under them).
#[derive(Debug, Clone, Default)]
pub struct CustomFieldPatch {
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
    pub options: Option<Vec<FieldOption>>,
    pub required: Option<bool>,
    pub default_value: Option<Option<Value>>,
    pub help_zh: Option<Option<String>>,
    pub help_en: Option<Option<String>>,
    pub position: Option<i32>,
}

/// The definitions of one kind, and when they were read.
type ReadDefinitions = (Arc<Vec<CustomFieldRecord>>, Instant);

/// The definitions of each kind as an instance last read them.
#[derive(Debug, Default)]
pub struct RuleCache {
    read: RwLock<HashMap<CustomEntity, ReadDefinitions>>,
}

impl RuleCache {
    fn forget(&self) {
        if let Ok(mut read) = self.read.write() {
            read.clear();
        }
    }
}

/// Every definition of `entity` (retired ones too), by position: from the cache while fresh.
pub async fn definitions_of(db: &Db, entity: CustomEntity) -> Result<Arc<Vec<CustomFieldRecord>>> {
    if let Ok(read) = db.custom_field_rules.read.read()
        && let Some((found, at)) = read.get(&entity)
        && at.elapsed() < RULES_FRESH_FOR
    {
        return Ok(found.clone());
    }
    let rows = definitions::Entity::find()
        .filter(definitions::Column::Entity.eq(entity.as_str()))
        .order_by_asc(definitions::Column::Position)
        .order_by_asc(definitions::Column::Id)
        .all(&db.conn)
        .await?;
    let found = Arc::new(rows.into_iter().map(CustomFieldRecord::of_row).collect::<Result<Vec<_>>>()?);
    if let Ok(mut read) = db.custom_field_rules.read.write() {
        read.insert(entity, (found.clone(), Instant::now()));
    }
    Ok(found)
}

/// The rules values of `entity` follow.
pub(crate) async fn rules(db: &Db, entity: CustomEntity) -> Result<Vec<FieldRule>> {
    Ok(definitions_of(db, entity).await?.iter().map(CustomFieldRecord::rule).collect())
}

/// The rules of a kind of record's fields with their labels (zh, en): what an import's column
/// mapping recognises and how it reads a cell.
pub async fn labelled_rules(db: &Db, entity: CustomEntity) -> Result<Vec<(FieldRule, String, String)>> {
    Ok(definitions_of(db, entity).await?.iter().map(|record| (record.rule(), record.label_zh.clone(), record.label_en.clone())).collect())
}

/// The custom fields of a record after a write (see [`rules_of::settle`]), with `user` fields
/// naming existing users. `incoming` `None` (the client sent none) on an update keeps `current`.
pub(crate) async fn settle(
    db: &Db,
    conn: &impl ConnectionTrait,
    entity: CustomEntity,
    current: &Map<String, Value>,
    incoming: Option<&Map<String, Value>>,
    creating: bool,
) -> Result<Map<String, Value>> {
    let rules = rules(db, entity).await?;
    if incoming.is_none() && !creating {
        return Ok(current.clone());
    }
    settle_with(conn, &rules, current, incoming.unwrap_or(&Map::new()), creating).await
}

/// [`settle`] with rules already read (a batch reads them once).
pub(crate) async fn settle_with(
    conn: &impl ConnectionTrait,
    rules: &[FieldRule],
    current: &Map<String, Value>,
    incoming: &Map<String, Value>,
    creating: bool,
) -> Result<Map<String, Value>> {
    let next = rules_of::settle(rules, current, incoming, creating)?;
    check_users(conn, rules, &next, incoming).await?;
    Ok(next)
}

/// [`settle`] without the database, for the set-based batch paths: `None` when the values are
/// refused or set a `user` field (whose user must be looked up). Such an item takes the single
/// request's path, which answers for it.
pub(crate) fn settle_offline(
    rules: &[FieldRule],
    current: &Map<String, Value>,
    incoming: &Map<String, Value>,
    creating: bool,
) -> Option<Map<String, Value>> {
    let sets_a_user = rules.iter().any(|r| r.field_type == FieldType::User && incoming.get(&r.key).is_some_and(|v| !v.is_null()));
    if sets_a_user {
        return None;
    }
    rules_of::settle(rules, current, incoming, creating).ok()
}

/// `user` fields the write sets must name users who exist.
async fn check_users(
    conn: &impl ConnectionTrait,
    rules: &[FieldRule],
    next: &Map<String, Value>,
    incoming: &Map<String, Value>,
) -> Result<()> {
    let mut errors = ValidationErrors::new();
    for rule in rules.iter().filter(|r| r.field_type == FieldType::User) {
        let Some(id) = next.get(&rule.key).and_then(Value::as_str).and_then(|v| Uuid::parse_str(v).ok()) else { continue };
        if !incoming.contains_key(&rule.key) && next.get(&rule.key) != rule.default_value.as_ref() {
            continue;
        }
        if users::Entity::find_by_id(id).count(conn).await? == 0 {
            errors.push(FieldError::new(format!("custom_fields.{}", rule.key), "user", text!("no such user", "没有该用户")));
        }
    }
    Ok(errors.into_result()?)
}

/// The defaults of `entity`'s fields in use: the values of a record made where nobody can fill
/// in fields (a customer's ticket from the portal).
pub(crate) async fn defaults(db: &Db, entity: CustomEntity) -> Result<Map<String, Value>> {
    Ok(definitions_of(db, entity)
        .await?
        .iter()
        .filter(|field| !field.retired)
        .filter_map(|field| field.default_value.clone().map(|value| (field.key.clone(), value)))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Definitions: list, read, create, change, retire, restore.

#[derive(Debug, Clone, Default)]
pub struct DefinitionFilter {
    pub entity: Option<CustomEntity>,
    pub include_retired: bool,
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, _actor: &Actor, filter: &DefinitionFilter, page: &PageRequest) -> Result<Page<CustomFieldRecord>> {
    let mut select = definitions::Entity::find();
    if let Some(entity) = filter.entity {
        select = select.filter(definitions::Column::Entity.eq(entity.as_str()));
    }
    if !filter.include_retired {
        select = select.filter(definitions::Column::RetiredAt.is_null());
    }
    // Position orders within a kind; listing every kind at once orders by position across
    // kinds, which the index (entity, position, id) also serves per kind.
    let sort = Sort { key: "position", column: definitions::Column::Position, descending: false, value: SortValue::Int };
    let page = fetch_page(&db.conn, select, &sort, definitions::Column::Id, page, |row| (json!(row.position), row.id)).await?;
    page.try_map(CustomFieldRecord::of_row)
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, _actor: &Actor, id: Uuid) -> Result<CustomFieldRecord> {
    CustomFieldRecord::of_row(definitions::Entity::find_by_id(id).one(&db.conn).await?.ok_or(Error::NotFound)?)
}

fn key_taken(existing_id: Uuid) -> Error {
    Error::Taken {
        code: "custom_field.key_taken",
        message: text!("this kind of record already has a field with this key", "该类记录已有相同标识的字段"),
        existing_id,
    }
}

fn checked_default(field_type: FieldType, key: &str, options: &[FieldOption], value: Option<&Value>) -> Result<Option<Value>> {
    let rule =
        FieldRule { key: key.to_owned(), field_type, options: options.to_vec(), required: false, default_value: None, retired: false };
    check_default(&rule, value).map_err(|e| Error::Validation(ValidationErrors(vec![e])))
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, new: NewCustomField) -> Result<CustomFieldRecord> {
    actor.require_admin()?;
    let mut errors = ValidationErrors::new();
    if let Err(error) = check_key(&new.key) {
        errors.push(error);
    }
    let options = check_options(new.field_type, &new.options, None).map_err(|e| errors.0.extend(e.0)).unwrap_or_default();
    if new.field_type == FieldType::User && new.default_value.as_ref().is_some_and(|v| !v.is_null()) {
        errors.push(FieldError::new("default_value", "not_for_type", text!("a user field has no default", "用户字段不能有默认值")));
    }
    errors.into_result()?;
    let default_value = checked_default(new.field_type, &new.key, &options, new.default_value.as_ref())?;
    let txn = db.begin_write().await?;
    let existing = definitions::Entity::find().filter(definitions::Column::Entity.eq(new.entity.as_str())).all(&txn).await?;
    if let Some(holder) = existing.iter().find(|d| d.key == new.key) {
        return Err(key_taken(holder.id));
    }
    if existing.len() >= MAX_FIELDS_PER_ENTITY {
        return Err(Error::conflict(
            "custom_field.too_many",
            text!(
                "a kind of record has at most {MAX_FIELDS_PER_ENTITY} custom fields",
                "每类记录最多 {MAX_FIELDS_PER_ENTITY} 个自定义字段"
            ),
        ));
    }
    let last = existing.iter().map(|d| d.position).max().unwrap_or(-1);
    let id = Uuid::now_v7();
    let row = insert_first_version(
        &txn,
        definitions::ActiveModel {
            id: Set(id),
            entity: Set(new.entity.as_str().to_owned()),
            key: Set(new.key.clone()),
            label_zh: Set(new.label_zh),
            label_en: Set(new.label_en),
            field_type: Set(new.field_type.as_str().to_owned()),
            options: Set(serde_json::to_string(&options).unwrap_or_else(|_| "[]".into())),
            required: Set(new.required),
            default_value: Set(default_value.map(|v| v.to_string())),
            help_zh: Set(new.help_zh),
            help_en: Set(new.help_en),
            position: Set(new.position.unwrap_or(last.saturating_add(1))),
            retired_at: Set(None),
            ..Default::default()
        },
        now(),
    )
    .await?;
    let created = CustomFieldRecord::of_row(row)?;
    let backend = db.conn.get_database_backend();
    if backend != DatabaseBackend::Postgres
        && let Some(sql) = index_sql(backend, created.entity.as_str(), &created.key, created.field_type)
    {
        // SQLite has one writer: the index is built in the definition's own transaction (a
        // second connection would wait for this one's lock), and the field exists with it.
        txn.execute_unprepared(&sql).await?;
    }
    let created = changes::commit(txn, actor, Change::created(ENTITY, id, &created), created).await?;
    db.custom_field_rules.forget();
    if backend == DatabaseBackend::Postgres {
        // Built concurrently (writes go on meanwhile), off the request: a concurrent build waits
        // for every transaction older than itself, which may include the one this request's
        // idempotency key holds open until the answer is sent.
        let (db, field) = (db.clone(), created.clone());
        tokio::spawn(async move { ensure_index(&db, field.entity, &field.key, field.field_type).await });
    }
    Ok(created)
}

async fn load(conn: &impl ConnectionTrait, id: Uuid, expected_version: Option<i32>) -> Result<definitions::Model> {
    let row = definitions::Entity::find_by_id(id).one(conn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, row.version)?;
    Ok(row)
}

#[tracing::instrument(skip_all)]
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, patch: CustomFieldPatch) -> Result<CustomFieldRecord> {
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let row = load(&txn, id, expected_version).await?;
    let before = CustomFieldRecord::of_row(row.clone())?;
    let options = match &patch.options {
        Some(options) => check_options(before.field_type, options, Some(&before.options))?,
        None => before.options.clone(),
    };
    let default_value = match &patch.default_value {
        Some(value) => {
            if before.field_type == FieldType::User && value.as_ref().is_some_and(|v| !v.is_null()) {
                return Err(Error::validation(
                    "default_value",
                    "not_for_type",
                    text!("a user field has no default", "用户字段不能有默认值"),
                ));
            }
            checked_default(before.field_type, &before.key, &options, value.as_ref())?
        }
        // A default that names an option retired by this change no longer fits.
        None => checked_default(before.field_type, &before.key, &options, before.default_value.as_ref()).unwrap_or(None),
    };
    let mut model: definitions::ActiveModel = row.into();
    if let Some(label) = patch.label_zh {
        model.label_zh = Set(label);
    }
    if let Some(label) = patch.label_en {
        model.label_en = Set(label);
    }
    model.options = Set(serde_json::to_string(&options).unwrap_or_else(|_| "[]".into()));
    model.default_value = Set(default_value.map(|v| v.to_string()));
    if let Some(required) = patch.required {
        model.required = Set(required);
    }
    if let Some(help) = patch.help_zh {
        model.help_zh = Set(help);
    }
    if let Some(help) = patch.help_en {
        model.help_en = Set(help);
    }
    if let Some(position) = patch.position {
        model.position = Set(position);
    }
    let updated = CustomFieldRecord::of_row(save_next_version(&txn, model).await?)?;
    let updated = changes::commit(txn, actor, Change::updated(ENTITY, id, &before, &updated), updated).await?;
    db.custom_field_rules.forget();
    Ok(updated)
}

/// Retires a field (`retire`) or brings it back: a retired field keeps every stored value and
/// its index, leaves forms, and refuses new values.
#[tracing::instrument(skip_all)]
pub async fn set_retired(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, retire: bool) -> Result<CustomFieldRecord> {
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let row = load(&txn, id, expected_version).await?;
    if row.retired_at.is_some() == retire {
        let unchanged = CustomFieldRecord::of_row(row)?;
        txn.commit().await?;
        return Ok(unchanged);
    }
    let before = CustomFieldRecord::of_row(row.clone())?;
    let mut model: definitions::ActiveModel = row.into();
    model.retired_at = Set(retire.then(now));
    let after = CustomFieldRecord::of_row(save_next_version(&txn, model).await?)?;
    let (action, event) = if retire { ("retire", "custom_field.retired") } else { ("restore", "custom_field.restored") };
    let change = Change::told(ENTITY, id, action, event, Value::Object(changes::changed_fields(&before, &after)), Some(&before), &after);
    let after = changes::commit(txn, actor, change, after).await?;
    db.custom_field_rules.forget();
    Ok(after)
}

// ---------------------------------------------------------------------------------------------
// Indexes and list queries.

/// The SQL expression that reads field `key` of `table`'s rows as its type compares: text
/// (texts, choices, dates, user ids), a number (numbers, money) or true/false; null where the
/// row has no value of that type. The index holds exactly this expression.
fn value_sql(backend: DatabaseBackend, table: &str, key: &str, field_type: FieldType) -> String {
    let postgres = backend == DatabaseBackend::Postgres;
    let (pg_type, sqlite_types) = match field_type {
        FieldType::Number | FieldType::Money => ("number", "'integer', 'real'"),
        FieldType::Bool => ("boolean", "'true', 'false'"),
        _ => ("string", "'text'"),
    };
    if postgres {
        let read = match field_type {
            FieldType::Number | FieldType::Money => format!("(({table}.custom_fields::jsonb ->> '{key}')::float8)"),
            _ => format!("({table}.custom_fields::jsonb ->> '{key}')"),
        };
        format!("(CASE WHEN jsonb_typeof({table}.custom_fields::jsonb -> '{key}') = '{pg_type}' THEN {read} END)")
    } else {
        format!(
            "(CASE WHEN json_type({table}.custom_fields, '$.{key}') IN ({sqlite_types}) THEN json_extract({table}.custom_fields, '$.{key}') END)"
        )
    }
}

/// The index of field `key`: on the value expression then the id (lists sort by both), or for a
/// multiselect on PostgreSQL a GIN index answering "has this option". SQLite cannot index the
/// elements of a JSON list: a multiselect filter there reads the rows the other filters leave.
fn index_sql(backend: DatabaseBackend, table: &str, key: &str, field_type: FieldType) -> Option<String> {
    let name = format!("ix_cf_{table}_{key}");
    // An index expression names the column without its table.
    let expression = value_sql(backend, table, key, field_type).replace(&format!("{table}.custom_fields"), "custom_fields");
    match (backend, field_type) {
        (DatabaseBackend::Postgres, FieldType::Multiselect) => Some(format!(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin ((custom_fields::jsonb -> '{key}') jsonb_path_ops)"
        )),
        (DatabaseBackend::Postgres, _) => {
            Some(format!("CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({expression} NULLS FIRST, id)"))
        }
        (_, FieldType::Multiselect) => None,
        _ => Some(format!("CREATE INDEX IF NOT EXISTS {name} ON {table} ({expression}, id)")),
    }
}

/// Makes the index of one field. A failure is logged and the field still works (lists by it are
/// slower): the definition is stored either way, and the next start tries again.
async fn ensure_index(db: &Db, entity: CustomEntity, key: &str, field_type: FieldType) {
    if check_key(key).is_err() {
        return;
    }
    let Some(sql) = index_sql(db.conn.get_database_backend(), entity.as_str(), key, field_type) else { return };
    if let Err(error) = db.conn.execute_unprepared(&sql).await {
        tracing::warn!(%error, table = entity.as_str(), key, "could not index a custom field");
    }
}

/// Makes every definition's index that is missing (a database restored from a dump, a creation
/// whose index failed). Called once at start-up; `IF NOT EXISTS` makes it cheap.
pub async fn ensure_indexes(db: &Db) -> Result<()> {
    if db.conn.get_database_backend() == DatabaseBackend::Postgres {
        // A concurrent build that failed leaves an invalid index, which `IF NOT EXISTS` would
        // keep for ever: drop it so that it is built again.
        let invalid = "SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                       WHERE NOT i.indisvalid AND c.relname LIKE 'ix\\_cf\\_%'";
        for row in db.conn.query_all_raw(sea_orm::Statement::from_string(DatabaseBackend::Postgres, invalid)).await? {
            let name: String = row.try_get("", "name")?;
            if name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                db.conn.execute_unprepared(&format!("DROP INDEX CONCURRENTLY IF EXISTS {name}")).await?;
            }
        }
    }
    for row in definitions::Entity::find().all(&db.conn).await? {
        let record = CustomFieldRecord::of_row(row)?;
        ensure_index(db, record.entity, &record.key, record.field_type).await;
    }
    Ok(())
}

/// The custom-field part of a list request: `cf.<key>=…` filters (several values
/// comma-separated mean any of them; `true`/`false` for a bool), `cf.<key>_from`/`_to` ranges
/// (inclusive) for numbers, money and dates, and a `sort` of `cf.<key>` or `-cf.<key>`.
#[derive(Debug, Clone, Default)]
pub struct CustomFieldQuery {
    /// The `cf.…` query parameters as sent, name without the `cf.` prefix.
    pub filters: Vec<(String, String)>,
}

/// How many `cf.` filters one list request may carry, and how many values one of them.
const MAX_FILTERS: usize = 20;
const MAX_FILTER_VALUES: usize = 50;

/// A list sorted by a custom field.
pub(crate) struct CustomSort {
    key: String,
    field_key: String,
    field_type: FieldType,
    descending: bool,
    expression: String,
}

/// A list's custom-field filter and sort, resolved against the definitions.
pub(crate) struct ListQuery {
    pub condition: Condition,
    pub sort: Option<CustomSort>,
}

fn bad_parameter(field: &str, message: crm_domain::message::Text) -> Error {
    Error::validation(field, "invalid", message)
}

/// `sort` is the list's requested sort: a `cf.` one is taken here, any other is left to the list.
pub(crate) async fn list_query(db: &Db, entity: CustomEntity, query: &CustomFieldQuery, sort: Option<&str>) -> Result<ListQuery> {
    let wanted_sort = sort.map(str::trim).and_then(|s| s.strip_prefix('-').unwrap_or(s).strip_prefix("cf.").map(|key| (s, key)));
    if query.filters.is_empty() && wanted_sort.is_none() {
        return Ok(ListQuery { condition: Condition::all(), sort: None });
    }
    let fields = definitions_of(db, entity).await?;
    let backend = db.conn.get_database_backend();
    let table = entity.as_str();
    let find = |key: &str| fields.iter().find(|f| f.key == key);
    let mut condition = Condition::all();
    if let Some((name, _)) = query.filters.get(MAX_FILTERS) {
        return Err(bad_parameter(
            &format!("cf.{name}"),
            text!("at most {MAX_FILTERS} custom field filters", "自定义字段筛选条件最多 {MAX_FILTERS} 个"),
        ));
    }
    for (name, raw) in &query.filters {
        let parameter = format!("cf.{name}");
        if raw.contains('\0') || raw.split(',').count() > MAX_FILTER_VALUES {
            return Err(bad_parameter(
                &parameter,
                text!(
                    "at most {MAX_FILTER_VALUES} values, without control characters",
                    "最多 {MAX_FILTER_VALUES} 个值，且不能包含控制字符"
                ),
            ));
        }
        let (field, bound) = match find(name) {
            Some(field) => (field, None),
            None => match name.strip_suffix("_from").map(|k| (k, true)).or_else(|| name.strip_suffix("_to").map(|k| (k, false))) {
                Some((key, from)) if find(key).is_some_and(|f| f.field_type.ranged()) => (find(key).ok_or(Error::NotFound)?, Some(from)),
                _ => {
                    return Err(bad_parameter(&parameter, text!("no custom field has this key", "没有该标识的自定义字段")));
                }
            },
        };
        let values: Vec<&str> = raw.split(',').map(str::trim).filter(|v| !v.is_empty()).collect();
        if values.is_empty() {
            continue;
        }
        let expression = value_sql(backend, table, &field.key, field.field_type);
        match (field.field_type, bound) {
            (FieldType::Multiselect, _) => {
                let mut any = Condition::any();
                for value in values {
                    any = any.add(has_option(backend, table, &field.key, value));
                }
                condition = condition.add(any);
            }
            (_, Some(from)) => {
                let value = filter_value(backend, field, values[0]).ok_or_else(|| bad_value(&parameter, field.field_type))?;
                let column = Expr::cust(expression);
                condition = condition.add(if from { column.gte(value) } else { column.lte(value) });
            }
            (_, None) => {
                let parsed = values
                    .iter()
                    .map(|v| filter_value(backend, field, v).ok_or_else(|| bad_value(&parameter, field.field_type)))
                    .collect::<Result<Vec<_>>>()?;
                condition = condition.add(Expr::cust(expression).is_in(parsed));
            }
        }
    }
    let sort = match wanted_sort {
        None => None,
        Some((whole, key)) => {
            let field = find(key).filter(|f| f.field_type.sortable()).ok_or_else(|| {
                Error::validation("sort", "choice", text!("no sortable custom field has this key", "没有可排序的该标识自定义字段"))
            })?;
            Some(CustomSort {
                key: whole.to_owned(),
                field_key: field.key.clone(),
                field_type: field.field_type,
                descending: whole.starts_with('-'),
                expression: value_sql(backend, table, &field.key, field.field_type),
            })
        }
    };
    Ok(ListQuery { condition, sort })
}

fn bad_value(parameter: &str, field_type: FieldType) -> Error {
    let kind = field_type.as_str();
    bad_parameter(parameter, text!("not a value of this {kind} field", "不是该字段（{kind}）的有效值"))
}

/// "The row's list `key` has `option`": a GIN-indexed containment on PostgreSQL, the list's
/// elements on SQLite.
fn has_option(backend: DatabaseBackend, table: &str, key: &str, option: &str) -> Expr {
    if backend == DatabaseBackend::Postgres {
        Expr::cust_with_values(format!("({table}.custom_fields::jsonb -> '{key}') @> $1::jsonb"), [json!([option]).to_string()])
    } else {
        Expr::cust_with_values(
            format!("EXISTS (SELECT 1 FROM json_each({table}.custom_fields, '$.{key}') WHERE value = ?)"),
            [option.to_owned()],
        )
    }
}

/// A filter's text as the value expression compares it; `None` when it is not a value of the
/// field's type.
fn filter_value(backend: DatabaseBackend, field: &CustomFieldRecord, text: &str) -> Option<sea_orm::Value> {
    match field.field_type {
        FieldType::Number | FieldType::Money => text.parse::<f64>().ok().filter(|n| n.is_finite()).map(Into::into),
        FieldType::Bool => {
            let flag = match text {
                "true" => true,
                "false" => false,
                _ => return None,
            };
            Some(bool_value(backend, flag))
        }
        FieldType::Date => crm_domain::dates::parse_date(text).ok().map(|d| d.format("%Y-%m-%d").to_string().into()),
        FieldType::User => Uuid::parse_str(text).ok().map(|id| id.to_string().into()),
        FieldType::Text | FieldType::Select | FieldType::Multiselect => Some(text.to_owned().into()),
    }
}

/// True or false as the value expression gives it: `->>` text on PostgreSQL, 1/0 on SQLite.
fn bool_value(backend: DatabaseBackend, flag: bool) -> sea_orm::Value {
    if backend == DatabaseBackend::Postgres { flag.to_string().into() } else { i32::from(flag).into() }
}

impl CustomSort {
    /// A row's sort value as its cursor keeps it: the stored JSON value when it has the field's
    /// type (the expression reads nothing else), null otherwise.
    fn cursor_value(&self, stored: &str) -> Value {
        let fields: Map<String, Value> = serde_json::from_str(stored).unwrap_or_default();
        match (fields.get(&self.field_key), self.field_type) {
            (Some(Value::Number(n)), FieldType::Number | FieldType::Money) => Value::Number(n.clone()),
            (Some(Value::Bool(b)), FieldType::Bool) => Value::Bool(*b),
            (Some(Value::String(s)), FieldType::Text | FieldType::Select | FieldType::Date | FieldType::User) => Value::String(s.clone()),
            _ => Value::Null,
        }
    }

    /// A cursor's value as the expression compares it (`None` for null).
    fn bound(&self, backend: DatabaseBackend, value: &Value) -> Result<Option<sea_orm::Value>> {
        Ok(match (value, self.field_type) {
            (Value::Null, _) => None,
            (Value::Number(n), FieldType::Number | FieldType::Money) => Some(n.as_f64().ok_or_else(invalid_cursor)?.into()),
            (Value::Bool(b), FieldType::Bool) => Some(bool_value(backend, *b)),
            (Value::String(s), FieldType::Text | FieldType::Select | FieldType::Date | FieldType::User) => Some(s.clone().into()),
            _ => return Err(invalid_cursor()),
        })
    }
}

/// [`fetch_page`] for a list sorted by a custom field. Rows without a value sort before every
/// value (as SQLite orders nulls, and as the PostgreSQL index is built), so the keyset condition
/// spells out where nulls fall.
pub(crate) async fn fetch_sorted_page<E>(
    conn: &impl ConnectionTrait,
    select: sea_orm::Select<E>,
    sort: &CustomSort,
    id_column: E::Column,
    page: &PageRequest,
    row_key: impl Fn(&E::Model) -> (&str, Uuid),
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    let backend = conn.get_database_backend();
    let total = if page.include_total { Some(select.clone().count(conn).await?) } else { None };
    let mut select = select;
    let value = || Expr::cust(sort.expression.clone());
    if let Some(text) = &page.cursor {
        let cursor = Cursor::decode(text, &sort.key)?;
        let after = match (sort.bound(backend, &cursor.value)?, sort.descending) {
            (None, false) => {
                Condition::any().add(value().is_not_null()).add(Condition::all().add(value().is_null()).add(id_column.gt(cursor.id)))
            }
            (None, true) => Condition::all().add(value().is_null()).add(id_column.lt(cursor.id)),
            (Some(v), false) => {
                Condition::any().add(value().gt(v.clone())).add(Condition::all().add(value().eq(v)).add(id_column.gt(cursor.id)))
            }
            (Some(v), true) => Condition::any()
                .add(value().lt(v.clone()))
                .add(Condition::all().add(value().eq(v)).add(id_column.lt(cursor.id)))
                .add(value().is_null()),
        };
        select = select.filter(after);
    }
    let order = if sort.descending { sea_orm::Order::Desc } else { sea_orm::Order::Asc };
    select = if backend == DatabaseBackend::Postgres {
        let nulls = if sort.descending { sea_orm::sea_query::NullOrdering::Last } else { sea_orm::sea_query::NullOrdering::First };
        select.order_by_with_nulls(value(), order.clone(), nulls)
    } else {
        select.order_by(value(), order.clone())
    };
    let limit = clamp_limit(page.limit);
    let mut rows = select.order_by(id_column, order).limit(limit + 1).all(conn).await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        rows.last().map(|last| {
            let (stored, id) = row_key(last);
            Cursor { sort: sort.key.clone(), value: sort.cursor_value(stored), id }.encode()
        })
    } else {
        None
    };
    Ok(Page { data: rows, next_cursor, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_query_read_the_same_expression() {
        for backend in [DatabaseBackend::Postgres, DatabaseBackend::Sqlite] {
            for field_type in [FieldType::Text, FieldType::Money, FieldType::Bool, FieldType::Date] {
                let index = index_sql(backend, "customers", "level", field_type).unwrap();
                let query = value_sql(backend, "customers", "level", field_type).replace("customers.custom_fields", "custom_fields");
                assert!(index.contains(&query), "{index} / {query}");
            }
        }
        assert!(index_sql(DatabaseBackend::Sqlite, "customers", "tags2", FieldType::Multiselect).is_none());
        assert!(index_sql(DatabaseBackend::Postgres, "customers", "tags2", FieldType::Multiselect).unwrap().contains("gin"));
    }
}
