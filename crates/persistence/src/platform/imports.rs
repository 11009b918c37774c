//! Imports: the uploaded file and its settings, the work a worker claims (a dry run, a run or a
//! revert), and the outcome of every row.
//!
//! - The file is stored with the import, in parts, so that any instance can pick the work up
//!   after a restart.
//! - A worker claims an import with work to do for a lease it renews with each chunk; a chunk's
//!   records, its rows' outcomes and the progress commit in one transaction (see
//!   [`record_chunk`]), so a restart resumes after the last committed chunk and never writes a row
//!   twice.
//! - Creating, configuring, starting, cancelling and reverting an import are audited changes told
//!   in the feed (`import.created`, `import.updated`); a finished run is told once as
//!   `import.completed` and a finished revert as `import.reverted`, whatever the number of rows
//!   (each record written also has its own audit entry and event, marked with the import's id).

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};
use crm_domain::platform::imports::{
    DuplicateHandling, FileFormat, ImportEntity, ImportPhase, ImportStatus, MatchKey, RevertOutcome, RowAction, RowError,
};
use crm_domain::text;

use crate::entities::{import_file_parts as parts, import_rows, imports};
use crate::pagination::{Page, PageRequest, Sort, SortValue, fetch_page};
use crate::platform::changes::{self, Change, insert_all, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Result, check_version, now, stored, stored_json};

pub const ENTITY: &str = "import";
/// The bytes of one stored part of a file.
const PART_BYTES: usize = 1 << 20;
/// How long a worker's claim lasts without a chunk renewing it: another instance takes the work
/// over after that (its holder having stopped).
pub const LEASE_SECONDS: i64 = 120;

/// An import as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportRecord {
    pub id: Uuid,
    pub entity: ImportEntity,
    pub file_name: String,
    pub format: FileFormat,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub headers: Vec<String>,
    pub sample: Vec<Vec<String>>,
    pub rows_total: i64,
    pub mapping: Vec<Option<String>>,
    pub duplicate_handling: DuplicateHandling,
    pub match_keys: Vec<MatchKey>,
    pub external_system: Option<String>,
    pub status: ImportStatus,
    pub rows_done: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
    /// A revert's progress: records undone (or already gone), and records left alone because
    /// they changed after the import.
    pub reverted: i64,
    pub kept: i64,
    /// The dry run's counts (`created`, `updated`, `skipped`, `failed`), once it has run on the
    /// current settings.
    pub checked: Option<Value>,
    pub error_code: Option<String>,
    pub cancel_requested: bool,
    pub created_by: Uuid,
    pub acting_user_id: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl ImportRecord {
    fn of_row(row: imports::Model) -> Result<Self> {
        let keys: Vec<String> = stored_json("imports.match_keys", row.id, &row.match_keys)?;
        Ok(Self {
            entity: stored("imports.entity", row.id, &row.entity, ImportEntity::parse)?,
            format: stored("imports.format", row.id, &row.format, FileFormat::parse)?,
            headers: stored_json("imports.headers", row.id, &row.headers)?,
            sample: stored_json("imports.sample", row.id, &row.sample)?,
            mapping: stored_json("imports.mapping", row.id, &row.mapping)?,
            duplicate_handling: stored("imports.duplicate_handling", row.id, &row.duplicate_handling, DuplicateHandling::parse)?,
            match_keys: keys.iter().map(|key| stored("imports.match_keys", row.id, key, MatchKey::parse)).collect::<Result<_>>()?,
            status: stored("imports.status", row.id, &row.status, ImportStatus::parse)?,
            checked: match &row.checked {
                Some(text) => Some(stored_json("imports.checked", row.id, text)?),
                None => None,
            },
            id: row.id,
            file_name: row.file_name,
            encoding: row.encoding,
            delimiter: row.delimiter,
            rows_total: row.rows_total,
            external_system: row.external_system,
            rows_done: row.rows_done,
            created: row.created_count,
            updated: row.updated_count,
            skipped: row.skipped_count,
            failed: row.failed_count,
            reverted: row.reverted_count,
            kept: row.kept_count,
            error_code: row.error_code,
            cancel_requested: row.cancel_requested,
            created_by: row.created_by,
            acting_user_id: row.acting_user_id,
            started_at: row.started_at,
            finished_at: row.finished_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        })
    }

    /// The phase a worker runs for this import's state.
    pub fn phase(&self) -> Option<ImportPhase> {
        match self.status {
            ImportStatus::Checking => Some(ImportPhase::Check),
            ImportStatus::Running | ImportStatus::Reverting => Some(ImportPhase::Run),
            _ => None,
        }
    }
}

/// What an upload stores: the file as read, with the mapping the server proposes.
#[derive(Debug, Clone)]
pub struct NewImport {
    pub entity: ImportEntity,
    pub file_name: String,
    pub format: FileFormat,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub headers: Vec<String>,
    pub sample: Vec<Vec<String>>,
    pub rows_total: i64,
    pub mapping: Vec<Option<String>>,
}

/// The settings a person chooses before the dry run.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSettings {
    pub mapping: Vec<Option<String>>,
    pub duplicate_handling: DuplicateHandling,
    pub match_keys: Vec<MatchKey>,
    pub external_system: Option<String>,
}

/// The permission importing records of `entity` needs: creating them.
fn required(entity: ImportEntity) -> Resource {
    match entity {
        ImportEntity::Customers => Resource::Customers,
    }
}

fn to_text(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// Imports a caller sees: their own, or every one for an administrator.
fn visible(actor: &Actor, row: &imports::Model) -> bool {
    row.created_by == actor.user_id || actor.permissions.is_administrator()
}

async fn load(conn: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<imports::Model> {
    imports::Entity::find_by_id(id).one(conn).await?.filter(|row| visible(actor, row)).ok_or(Error::NotFound)
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, new: NewImport, file: &[u8]) -> Result<ImportRecord> {
    actor.require(required(new.entity), Action::Create)?;
    let txn = db.begin_write().await?;
    let id = Uuid::now_v7();
    let at = now();
    let model = imports::ActiveModel {
        id: Set(id),
        entity: Set(new.entity.as_str().to_owned()),
        file_name: Set(new.file_name),
        format: Set(new.format.as_str().to_owned()),
        encoding: Set(new.encoding),
        delimiter: Set(new.delimiter),
        headers: Set(to_text(&new.headers)),
        sample: Set(to_text(&new.sample)),
        rows_total: Set(new.rows_total),
        mapping: Set(to_text(&new.mapping)),
        duplicate_handling: Set(DuplicateHandling::Skip.as_str().to_owned()),
        match_keys: Set(to_text(&[MatchKey::ExternalId, MatchKey::CreditCode, MatchKey::Phone, MatchKey::Email])),
        external_system: Set(None),
        status: Set(ImportStatus::Uploaded.as_str().to_owned()),
        rows_done: Set(0),
        created_count: Set(0),
        updated_count: Set(0),
        skipped_count: Set(0),
        failed_count: Set(0),
        reverted_count: Set(0),
        kept_count: Set(0),
        checked: Set(None),
        error_code: Set(None),
        cancel_requested: Set(false),
        claimed_by: Set(None),
        claimed_until: Set(None),
        created_by: Set(actor.user_id),
        acting_user_id: Set(None),
        started_at: Set(None),
        finished_at: Set(None),
        ..Default::default()
    };
    let row = insert_first_version(&txn, model, at).await?;
    let file_parts: Vec<parts::ActiveModel> = file
        .chunks(PART_BYTES)
        .enumerate()
        .map(|(part, data)| parts::ActiveModel {
            import_id: Set(id),
            part: Set(i32::try_from(part).unwrap_or(i32::MAX)),
            data: Set(data.to_vec()),
        })
        .collect();
    // One part per statement: a part is a megabyte, more than a multi-row statement should carry.
    for part in file_parts {
        parts::Entity::insert(part).exec_without_returning(&txn).await?;
    }
    let record = ImportRecord::of_row(row)?;
    changes::commit(txn, actor, Change::created(ENTITY, id, &without_sample(&record)), record).await
}

/// The record as its audit entries and events carry it: without the sample rows, which are the
/// file's data (personal data among them) rather than the import's.
fn without_sample(record: &ImportRecord) -> ImportRecord {
    ImportRecord { sample: Vec::new(), ..record.clone() }
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<ImportRecord> {
    ImportRecord::of_row(load(&db.conn, actor, id).await?)
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, page: &PageRequest) -> Result<Page<ImportRecord>> {
    let mut select = imports::Entity::find();
    if !actor.permissions.is_administrator() {
        select = select.filter(imports::Column::CreatedBy.eq(actor.user_id));
    }
    let sort = Sort { key: "-created_at", column: imports::Column::CreatedAt, descending: true, value: SortValue::Time };
    let page = fetch_page(&db.conn, select, &sort, imports::Column::Id, page, |row| (json!(row.created_at), row.id)).await?;
    page.try_map(ImportRecord::of_row)
}

fn not_now(status: ImportStatus) -> Error {
    let state = status.as_str();
    Error::conflict(
        "import.wrong_state",
        text!("the import is {state}: this cannot be done now", "导入当前状态为 {state}，现在不能执行此操作"),
    )
}

/// Saves `row` as its next version and tells the change (`import.updated`).
async fn save(txn: crate::db::WriteTxn, actor: &Actor, before: imports::Model, model: imports::ActiveModel) -> Result<ImportRecord> {
    let before = ImportRecord::of_row(before)?;
    let after = ImportRecord::of_row(save_next_version(&txn, model).await?)?;
    changes::commit(txn, actor, Change::updated(ENTITY, after.id, &without_sample(&before), &without_sample(&after)), after).await
}

/// Sets the mapping and duplicate handling. A checked import goes back to `uploaded`: its dry
/// run was of other settings.
#[tracing::instrument(skip_all)]
pub async fn configure(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, settings: ImportSettings) -> Result<ImportRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, id).await?;
    check_version(expected_version, row.version)?;
    let status = stored("imports.status", row.id, &row.status, ImportStatus::parse)?;
    if !status.is_settable() {
        return Err(not_now(status));
    }
    let mut model: imports::ActiveModel = row.clone().into();
    model.mapping = Set(to_text(&settings.mapping));
    model.duplicate_handling = Set(settings.duplicate_handling.as_str().to_owned());
    model.match_keys = Set(to_text(&settings.match_keys));
    model.external_system = Set(settings.external_system);
    model.status = Set(ImportStatus::Uploaded.as_str().to_owned());
    model.checked = Set(None);
    import_rows::Entity::delete_many()
        .filter(import_rows::Column::ImportId.eq(id))
        .filter(import_rows::Column::Phase.eq(ImportPhase::Check.as_str()))
        .exec(&txn)
        .await?;
    save(txn, actor, row, model).await
}

/// Starts a dry run (`check`) or the run: a worker picks it up. A run starts once per import.
#[tracing::instrument(skip_all)]
pub async fn start(db: &Db, actor: &Actor, id: Uuid, phase: ImportPhase, expected_version: Option<i32>) -> Result<ImportRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, id).await?;
    check_version(expected_version, row.version)?;
    let entity = stored("imports.entity", row.id, &row.entity, ImportEntity::parse)?;
    actor.require(required(entity), Action::Create)?;
    let status = stored("imports.status", row.id, &row.status, ImportStatus::parse)?;
    if !status.is_settable() {
        return Err(not_now(status));
    }
    let mut model: imports::ActiveModel = row.clone().into();
    model.status = Set(match phase {
        ImportPhase::Check => ImportStatus::Checking,
        ImportPhase::Run => ImportStatus::Running,
    }
    .as_str()
    .to_owned());
    model.acting_user_id = Set(Some(actor.user_id));
    model.started_at = Set(Some(now()));
    model.finished_at = Set(None);
    model.error_code = Set(None);
    model.cancel_requested = Set(false);
    model.claimed_by = Set(None);
    model.claimed_until = Set(None);
    reset_counts(&mut model);
    import_rows::Entity::delete_many()
        .filter(import_rows::Column::ImportId.eq(id))
        .filter(import_rows::Column::Phase.eq(phase.as_str()))
        .exec(&txn)
        .await?;
    save(txn, actor, row, model).await
}

fn reset_counts(model: &mut imports::ActiveModel) {
    model.rows_done = Set(0);
    model.created_count = Set(0);
    model.updated_count = Set(0);
    model.skipped_count = Set(0);
    model.failed_count = Set(0);
}

/// Asks the worker to stop a dry run or a run after the chunk it is writing. What it wrote stays
/// (and can be reverted).
#[tracing::instrument(skip_all)]
pub async fn cancel(db: &Db, actor: &Actor, id: Uuid) -> Result<ImportRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, id).await?;
    let status = stored("imports.status", row.id, &row.status, ImportStatus::parse)?;
    if !matches!(status, ImportStatus::Checking | ImportStatus::Running) {
        return Err(not_now(status));
    }
    let mut model: imports::ActiveModel = row.clone().into();
    model.cancel_requested = Set(true);
    save(txn, actor, row, model).await
}

/// Starts undoing a completed or cancelled run: a worker removes the records it created and gives
/// those it updated their values back, leaving alone (and listing) those changed since.
#[tracing::instrument(skip_all)]
pub async fn revert(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<ImportRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, id).await?;
    check_version(expected_version, row.version)?;
    let status = stored("imports.status", row.id, &row.status, ImportStatus::parse)?;
    // A failed run's committed chunks are undone as a completed run's are.
    if !matches!(status, ImportStatus::Completed | ImportStatus::Cancelled | ImportStatus::Failed) {
        return Err(not_now(status));
    }
    let entity = stored("imports.entity", row.id, &row.entity, ImportEntity::parse)?;
    actor.require(required(entity), Action::Delete)?;
    let mut model: imports::ActiveModel = row.clone().into();
    model.status = Set(ImportStatus::Reverting.as_str().to_owned());
    model.acting_user_id = Set(Some(actor.user_id));
    model.claimed_by = Set(None);
    model.claimed_until = Set(None);
    model.finished_at = Set(None);
    model.reverted_count = Set(0);
    model.kept_count = Set(0);
    save(txn, actor, row, model).await
}

/// The import's row, locked until the transaction ends (PostgreSQL; SQLite's one writer holds
/// it anyway): a worker taking the import over cannot slip in between the check of the claim
/// and the write that relies on it.
async fn locked(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<imports::Model>> {
    let mut select = imports::Entity::find_by_id(id);
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        select = select.lock(LockType::Update);
    }
    Ok(select.one(conn).await?)
}

/// Lets a claimed import go after a passing failure (the database out of reach): any worker takes
/// it up again shortly, where it stopped.
#[tracing::instrument(skip_all)]
pub async fn release(db: &Db, claimed: &Claimed) -> Result<()> {
    imports::Entity::update_many()
        .col_expr(imports::Column::ClaimedBy, Expr::value(Option::<String>::None))
        .col_expr(imports::Column::ClaimedUntil, Expr::value(now() + Duration::seconds(5)))
        .filter(imports::Column::Id.eq(claimed.import.id))
        .filter(imports::Column::ClaimedBy.eq(claimed.holder.as_str()))
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// One row's outcome, as a chunk records it.
#[derive(Debug, Clone, PartialEq)]
pub struct RowOutcome {
    pub row_number: i64,
    pub action: RowAction,
    pub record_id: Option<Uuid>,
    pub errors: Vec<RowError>,
    /// For an updated record: the merge patch that gives it back its values before the import.
    pub before: Option<Value>,
    pub version_after: Option<i32>,
}

/// One stored row outcome, as the API lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowRecord {
    pub row_number: i64,
    pub action: RowAction,
    pub record_id: Option<Uuid>,
    pub errors: Vec<RowError>,
    pub revert: Option<RevertOutcome>,
}

/// A claimed import: the worker holds it until its lease ends.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub import: ImportRecord,
    pub holder: String,
}

/// Claims the oldest import with work to do whose lease is free (or has run out).
#[tracing::instrument(skip_all)]
pub async fn claim(db: &Db, holder: &str) -> Result<Option<Claimed>> {
    let at = now();
    let busy = [ImportStatus::Checking, ImportStatus::Running, ImportStatus::Reverting].map(|s| s.as_str());
    // Looked for first without a write transaction: every instance asks every second, and on
    // SQLite a write transaction takes the one write lock, which requests would wait for.
    let waiting = imports::Entity::find()
        .filter(imports::Column::Status.is_in(busy))
        .filter(imports::Column::ClaimedUntil.is_null().or(imports::Column::ClaimedUntil.lt(at)))
        .limit(1)
        .one(&db.conn)
        .await?;
    if waiting.is_none() {
        return Ok(None);
    }
    let txn = db.begin_write().await?;
    let mut next = imports::Entity::find()
        .filter(imports::Column::Status.is_in(busy))
        .filter(imports::Column::ClaimedUntil.is_null().or(imports::Column::ClaimedUntil.lt(at)))
        .order_by_asc(imports::Column::CreatedAt)
        .limit(1);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        next = next.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let Some(row) = next.one(&txn).await? else {
        txn.commit().await?;
        return Ok(None);
    };
    imports::Entity::update_many()
        .col_expr(imports::Column::ClaimedBy, Expr::value(holder))
        .col_expr(imports::Column::ClaimedUntil, Expr::value(at + Duration::seconds(LEASE_SECONDS)))
        .filter(imports::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Some(Claimed { import: ImportRecord::of_row(row)?, holder: holder.to_owned() }))
}

/// The file of an import, put back together.
#[tracing::instrument(skip_all)]
pub async fn file(db: &Db, id: Uuid) -> Result<Vec<u8>> {
    let stored = parts::Entity::find().filter(parts::Column::ImportId.eq(id)).order_by_asc(parts::Column::Part).all(&db.conn).await?;
    Ok(stored.into_iter().flat_map(|part| part.data).collect())
}

/// What a chunk tells the import besides its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkVerdict {
    /// The chunk is recorded: go on.
    Go,
    /// Cancel was asked for, or another worker holds the import now: the chunk was not
    /// recorded, and the caller rolls its writes back.
    Stop,
}

/// Records a chunk's row outcomes and progress, in the transaction that wrote its records (the
/// caller's, through [`Db::all_or_nothing`]): only while `claimed` still holds the import and no
/// cancel was asked for.
#[tracing::instrument(skip_all)]
pub async fn record_chunk(db: &Db, claimed: &Claimed, phase: ImportPhase, rows: Vec<RowOutcome>) -> Result<ChunkVerdict> {
    let txn = db.begin_write().await?;
    let id = claimed.import.id;
    let Some(row) = locked(&txn, id).await? else { return Ok(ChunkVerdict::Stop) };
    if row.claimed_by.as_deref() != Some(claimed.holder.as_str()) || row.cancel_requested {
        return Ok(ChunkVerdict::Stop);
    }
    let count = |action: RowAction| rows.iter().filter(|r| r.action == action).count() as i64;
    let (created, updated, skipped, failed) =
        (count(RowAction::Created), count(RowAction::Updated), count(RowAction::Skipped), count(RowAction::Failed));
    let done = rows.len() as i64;
    let stored: Vec<import_rows::ActiveModel> = rows
        .into_iter()
        .map(|row| import_rows::ActiveModel {
            import_id: Set(id),
            phase: Set(phase.as_str().to_owned()),
            row_number: Set(row.row_number),
            action: Set(row.action.as_str().to_owned()),
            record_id: Set(row.record_id),
            errors: Set((!row.errors.is_empty()).then(|| to_text(&row.errors))),
            before: Set(row.before.map(|before| before.to_string())),
            version_after: Set(row.version_after),
            revert: Set(None),
        })
        .collect();
    insert_all(&txn, stored).await?;
    imports::Entity::update_many()
        .col_expr(imports::Column::RowsDone, Expr::col(imports::Column::RowsDone).add(done))
        .col_expr(imports::Column::CreatedCount, Expr::col(imports::Column::CreatedCount).add(created))
        .col_expr(imports::Column::UpdatedCount, Expr::col(imports::Column::UpdatedCount).add(updated))
        .col_expr(imports::Column::SkippedCount, Expr::col(imports::Column::SkippedCount).add(skipped))
        .col_expr(imports::Column::FailedCount, Expr::col(imports::Column::FailedCount).add(failed))
        .col_expr(imports::Column::ClaimedUntil, Expr::value(now() + Duration::seconds(LEASE_SECONDS)))
        .filter(imports::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(ChunkVerdict::Go)
}

/// How far a phase has come: the rows it has recorded (a resumed worker skips them).
#[tracing::instrument(skip_all)]
pub async fn rows_recorded(db: &Db, id: Uuid, phase: ImportPhase) -> Result<i64> {
    Ok(imports::Entity::find_by_id(id).one(&db.conn).await?.map_or(0, |row| match phase {
        ImportPhase::Check | ImportPhase::Run => row.rows_done,
    }))
}

/// Ends a phase: `checked` with the dry run's counts, `completed`, `cancelled`, `reverted` or
/// `failed` (with a code), told as an `import.*` event; the lease is let go.
#[tracing::instrument(skip_all)]
pub async fn finish(db: &Db, claimed: &Claimed, actor: &Actor, status: ImportStatus, error_code: Option<&str>) -> Result<ImportRecord> {
    let txn = db.begin_write().await?;
    let row = locked(&txn, claimed.import.id).await?.ok_or(Error::NotFound)?;
    if row.claimed_by.as_deref() != Some(claimed.holder.as_str()) {
        txn.commit().await?;
        return ImportRecord::of_row(row);
    }
    let mut model: imports::ActiveModel = row.clone().into();
    // A cancelled dry run leaves the import as it was before it: uploaded, to be checked again.
    // A failed one too, with its error code, to be checked again.
    let was = stored("imports.status", row.id, &row.status, ImportStatus::parse)?;
    let status = match (was, status) {
        (ImportStatus::Checking, ImportStatus::Cancelled | ImportStatus::Failed) => ImportStatus::Uploaded,
        (_, status) => status,
    };
    // The file is needed no more once the run has ended: what a revert needs is in the rows.
    if was == ImportStatus::Running && status != ImportStatus::Running {
        parts::Entity::delete_many().filter(parts::Column::ImportId.eq(row.id)).exec(&txn).await?;
    }
    model.status = Set(status.as_str().to_owned());
    if status == ImportStatus::Checked {
        let counts =
            json!({ "created": row.created_count, "updated": row.updated_count, "skipped": row.skipped_count, "failed": row.failed_count });
        model.checked = Set(Some(counts.to_string()));
    }
    model.error_code = Set(error_code.map(str::to_owned));
    model.cancel_requested = Set(false);
    model.claimed_by = Set(None);
    model.claimed_until = Set(None);
    model.finished_at = Set(Some(now()));
    let before = ImportRecord::of_row(row)?;
    let after = ImportRecord::of_row(save_next_version(&txn, model).await?)?;
    let mut change = Change::updated(ENTITY, after.id, &without_sample(&before), &without_sample(&after));
    match status {
        ImportStatus::Completed => change = change.told_as("import.completed"),
        ImportStatus::Reverted => change = change.told_as("import.reverted"),
        _ => {}
    }
    changes::commit(txn, actor, change, after).await
}

/// Whether cancel was asked for (the worker stops between chunks).
#[tracing::instrument(skip_all)]
pub async fn cancel_requested(db: &Db, id: Uuid) -> Result<bool> {
    Ok(imports::Entity::find_by_id(id).one(&db.conn).await?.is_some_and(|row| row.cancel_requested))
}

fn row_record(row: import_rows::Model) -> Result<RowRecord> {
    let id = row.import_id;
    Ok(RowRecord {
        row_number: row.row_number,
        action: stored("import_rows.action", id, &row.action, RowAction::parse)?,
        record_id: row.record_id,
        errors: match &row.errors {
            Some(text) => stored_json("import_rows.errors", id, text)?,
            None => Vec::new(),
        },
        revert: match &row.revert {
            Some(text) => Some(stored("import_rows.revert", id, text, RevertOutcome::parse)?),
            None => None,
        },
    })
}

/// Which rows of a phase are listed: of one action, of one revert outcome.
pub type RowFilter = (Option<RowAction>, Option<RevertOutcome>);

/// The rows of a phase, in file order, of one action when asked (`failed`, say).
#[tracing::instrument(skip_all)]
pub async fn rows(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    phase: ImportPhase,
    (action, revert): RowFilter,
    page: &PageRequest,
) -> Result<Page<RowRecord>> {
    load(&db.conn, actor, id).await?;
    let mut select =
        import_rows::Entity::find().filter(import_rows::Column::ImportId.eq(id)).filter(import_rows::Column::Phase.eq(phase.as_str()));
    if let Some(action) = action {
        select = select.filter(import_rows::Column::Action.eq(action.as_str()));
    }
    // A revert's outcome: among an import's written rows (a few, next to the file's), read
    // through the primary key's (import, phase) prefix.
    if let Some(revert) = revert {
        select = select.filter(import_rows::Column::Revert.eq(revert.as_str()));
    }
    let limit = crate::pagination::clamp_limit(page.limit);
    let after: i64 = match &page.cursor {
        Some(cursor) => cursor.parse().map_err(|_| crate::pagination::invalid_cursor())?,
        None => 0,
    };
    let found = select
        .filter(import_rows::Column::RowNumber.gt(after))
        .order_by_asc(import_rows::Column::RowNumber)
        .limit(limit + 1)
        .all(&db.conn)
        .await?;
    let more = found.len() as u64 > limit;
    let data: Vec<RowRecord> = found.into_iter().take(limit as usize).map(row_record).collect::<Result<_>>()?;
    let next_cursor = more.then(|| data.last().map(|row| row.row_number.to_string())).flatten();
    Ok(Page { data, next_cursor, total: None })
}

/// A written row a revert undoes.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenRow {
    pub row_number: i64,
    pub action: RowAction,
    pub record_id: Uuid,
    pub before: Option<Value>,
    pub version_after: Option<i32>,
}

/// The next written rows of a run that a revert has not yet dealt with, last written first.
#[tracing::instrument(skip_all)]
pub async fn rows_to_revert(db: &Db, id: Uuid, limit: u64) -> Result<Vec<WrittenRow>> {
    let written = [RowAction::Created.as_str(), RowAction::Updated.as_str()];
    let found = import_rows::Entity::find()
        .filter(import_rows::Column::ImportId.eq(id))
        .filter(import_rows::Column::Phase.eq(ImportPhase::Run.as_str()))
        .filter(import_rows::Column::Action.is_in(written))
        .filter(import_rows::Column::Revert.is_null())
        .filter(import_rows::Column::RecordId.is_not_null())
        .order_by_desc(import_rows::Column::RowNumber)
        .limit(limit)
        .all(&db.conn)
        .await?;
    found
        .into_iter()
        .filter_map(|row| {
            let record_id = row.record_id?;
            Some((row, record_id))
        })
        .map(|(row, record_id)| {
            Ok(WrittenRow {
                row_number: row.row_number,
                action: stored("import_rows.action", row.import_id, &row.action, RowAction::parse)?,
                record_id,
                before: match &row.before {
                    Some(text) => Some(stored_json("import_rows.before", row.import_id, text)?),
                    None => None,
                },
                version_after: row.version_after,
            })
        })
        .collect()
}

/// Records what a revert did with some rows, in the transaction that undid them, while `claimed`
/// still holds the import.
#[tracing::instrument(skip_all)]
pub async fn record_reverted(db: &Db, claimed: &Claimed, outcomes: &[(i64, RevertOutcome)]) -> Result<ChunkVerdict> {
    let txn = db.begin_write().await?;
    let id = claimed.import.id;
    let Some(row) = locked(&txn, id).await? else { return Ok(ChunkVerdict::Stop) };
    if row.claimed_by.as_deref() != Some(claimed.holder.as_str()) {
        return Ok(ChunkVerdict::Stop);
    }
    for outcome in [RevertOutcome::Reverted, RevertOutcome::ChangedSince, RevertOutcome::Gone] {
        let numbers: Vec<i64> = outcomes.iter().filter(|(_, o)| *o == outcome).map(|(n, _)| *n).collect();
        if numbers.is_empty() {
            continue;
        }
        import_rows::Entity::update_many()
            .col_expr(import_rows::Column::Revert, Expr::value(outcome.as_str()))
            .filter(import_rows::Column::ImportId.eq(id))
            .filter(import_rows::Column::Phase.eq(ImportPhase::Run.as_str()))
            .filter(import_rows::Column::RowNumber.is_in(numbers))
            .exec(&txn)
            .await?;
    }
    let reverted = outcomes.iter().filter(|(_, o)| *o != RevertOutcome::ChangedSince).count() as i64;
    let kept = outcomes.len() as i64 - reverted;
    imports::Entity::update_many()
        .col_expr(imports::Column::RevertedCount, Expr::col(imports::Column::RevertedCount).add(reverted))
        .col_expr(imports::Column::KeptCount, Expr::col(imports::Column::KeptCount).add(kept))
        .col_expr(imports::Column::ClaimedUntil, Expr::value(now() + Duration::seconds(LEASE_SECONDS)))
        .filter(imports::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(ChunkVerdict::Go)
}
