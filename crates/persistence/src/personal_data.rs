//! Whose personal data a caller reads in clear: the customers (and their contacts and portal
//! accounts) within the caller's `pii` read scope, decided in SQL on the customer's current owner
//! and team as every other scope is. Everything else is shown masked by the API.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::{Action, Resource, Scope};

use crate::entities::customers;
use crate::platform::audit;
use crate::query::in_chunks;
use crm_domain::privacy::keys::Keyring;

use crate::{Actor, Db, Error, Result};

/// The caller's `pii` read scope: how far it may see personal data in clear (and reveal it).
pub fn scope(actor: &Actor) -> Scope {
    actor.permissions.scope(Resource::Pii, Action::Read)
}

/// How far the caller's answers show personal data in clear: its `pii` scope, or nowhere when it
/// asked for masked values (see [`Actor::prefers_masked_personal_data`]).
pub fn shown_scope(actor: &Actor) -> Scope {
    if actor.prefers_masked_personal_data { Scope::None } else { scope(actor) }
}

/// Of `customer_ids`, those whose personal data (and their contacts' and portal accounts') the
/// caller's answers show in clear. Costs no query when the scope is `all` or `none`.
pub async fn customers_in_clear(db: &Db, actor: &Actor, customer_ids: &[Uuid]) -> Result<HashSet<Uuid>> {
    customers_within(db, actor, shown_scope(actor), customer_ids).await
}

/// Of `customer_ids`, those within `scope` of personal data.
#[tracing::instrument(skip_all)]
async fn customers_within(db: &Db, actor: &Actor, scope: Scope, customer_ids: &[Uuid]) -> Result<HashSet<Uuid>> {
    match scope {
        Scope::All => return Ok(customer_ids.iter().copied().collect()),
        Scope::None => return Ok(HashSet::new()),
        Scope::Own | Scope::Team => {}
    }
    let distinct: Vec<Uuid> = customer_ids.iter().copied().collect::<HashSet<_>>().into_iter().collect();
    // Inside a request whose writes are held until its answer is stored (an Idempotency-Key),
    // the customer it just created is visible only through the held transaction.
    let held = db.held_savepoint().await?;
    let clear: Vec<Uuid> = in_chunks(&distinct, |chunk| {
        let select = customers::Entity::find()
            .select_only()
            .column(customers::Column::Id)
            .filter(customers::Column::Id.is_in(chunk.iter().copied()))
            .filter(crate::customers::in_scope(actor, scope))
            .into_tuple::<Uuid>();
        let held = held.as_ref();
        async move {
            match held {
                Some(txn) => select.all(txn).await,
                None => select.all(&db.conn).await,
            }
        }
    })
    .await?;
    Ok(clear.into_iter().collect())
}

/// Refuses (403) a caller whose `pii` scope does not reach the customer (whatever it prefers to
/// be shown: this is the right to reveal).
pub async fn require_clear(db: &Db, actor: &Actor, customer_id: Uuid) -> Result<()> {
    if customers_within(db, actor, scope(actor), &[customer_id]).await?.contains(&customer_id) {
        Ok(())
    } else {
        Err(Error::Forbidden(crm_domain::identity::not_allowed(Action::Read, Resource::Pii)))
    }
}

/// Records a sensitive read: `actor` was shown the personal `fields` of one record in clear. The
/// audit entry names the fields, never their values; who, when and from where come with every
/// entry.
#[tracing::instrument(skip_all)]
pub async fn record_reveal(db: &Db, actor: &Actor, entity_type: &str, entity_id: Uuid, fields: &[&str]) -> Result<()> {
    let txn = db.begin_write().await?;
    audit::record(&txn, actor, "reveal", entity_type, entity_id, json!({ "fields": fields })).await?;
    txn.commit().await?;
    Ok(())
}

/// Records a list export (`GET /{resource}/export`) as a sensitive read: who exported which
/// kind of record, in which format, with which filters and columns. An export names no one
/// record, so the entry's id is the export's own (`export_id`), fresh for each.
#[tracing::instrument(skip_all)]
pub async fn record_export(db: &Db, actor: &Actor, entity_type: &str, export_id: Uuid, details: serde_json::Value) -> Result<()> {
    let txn = db.begin_write().await?;
    audit::record(&txn, actor, "export", entity_type, export_id, details).await?;
    txn.commit().await?;
    Ok(())
}

/// The lengths (in bits) a field's blind index has had under a key, shortest first:
/// `(field, key id) → [bits]`. The longest is the one new values get.
pub type BlindIndexLengths = std::collections::HashMap<(String, String), Vec<u32>>;

/// How long an instance trusts the blind index lengths it read: a length another instance (or
/// `crm rotate-key`) adds is seen by every instance within this time.
pub const LENGTHS_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// The lengths an instance read, and when.
#[derive(Debug, Default)]
pub struct CachedLengths {
    lengths: std::sync::Arc<BlindIndexLengths>,
    read_at: Option<std::time::Instant>,
}

/// The fields found by exact value through a blind index, with the table whose row count
/// chooses the index's length.
const BLIND_INDEXED: [(&str, &str); 4] = [
    ("customers.phone", "customers"),
    ("customers.email", "customers"),
    ("customers.id_number", "customers"),
    ("contacts.id_number", "contacts"),
];

/// What seals and opens the personal fields of customers and contacts and computes their blind
/// indexes: the data keys, and the lengths each blind index has had under each key.
#[derive(Debug, Clone)]
pub struct Sealer {
    keys: std::sync::Arc<Keyring>,
    lengths: std::sync::Arc<BlindIndexLengths>,
}

/// A blind index as stored: its length, then the truncated HMAC (`16:3fa2`), so that a lookup
/// made while two lengths are in use matches each row under its own.
fn tagged(bits: u32, index: String) -> String {
    format!("{bits}:{index}")
}

impl Sealer {
    /// `clear` sealed as `field` (`customers.address`) of `record`.
    pub fn seal(&self, field: &str, record: Uuid, clear: Option<&str>) -> Option<String> {
        clear.map(|clear| self.keys.seal(field, &record.to_string(), clear))
    }

    /// The clear value of a stored one (stored in clear before it was sealed: as it is).
    pub fn open(&self, field: &str, record: Uuid, stored: Option<&str>) -> Result<Option<String>> {
        stored
            .map(|stored| self.keys.open(field, &record.to_string(), stored).map_err(|error| unopenable(field, record, error)))
            .transpose()
    }

    /// The length new values of `field` get: the longest under the current key.
    fn current_bits(&self, field: &str) -> Option<u32> {
        self.lengths.get(&(field.to_owned(), self.keys.current_id().to_owned())).and_then(|lengths| lengths.iter().max().copied())
    }

    /// The blind index a value written now gets (under the current key, at its current length).
    pub fn index(&self, field: &str, normalised: Option<&str>) -> Option<String> {
        let bits = self.current_bits(field)?;
        normalised.map(|value| tagged(bits, self.keys.blind_index(field, value, bits)))
    }

    /// Whether a stored blind index is the one a write now would give (the current key at its
    /// current length), for a value that is sealed under the current key.
    fn index_is_current(&self, field: &str, stored: Option<&str>) -> bool {
        match (self.current_bits(field), stored) {
            (Some(bits), Some(stored)) => stored.split_once(':').is_some_and(|(length, _)| length == bits.to_string()),
            _ => false,
        }
    }

    /// Every blind index a stored `normalised` value may carry: under the current key and,
    /// during a rotation, the previous ones, at every length each has used.
    pub fn lookups(&self, field: &str, normalised: &str) -> Vec<String> {
        let mut indexes = Vec::new();
        for key_id in self.keys.key_ids() {
            for bits in self.lengths.get(&(field.to_owned(), key_id.to_owned())).into_iter().flatten() {
                if let Some(index) = self.keys.blind_index_under(key_id, field, normalised, *bits) {
                    indexes.push(tagged(*bits, index));
                }
            }
        }
        indexes.sort();
        indexes.dedup();
        indexes
    }

    /// Of the rows a blind index lookup found (`(id, stored value)`), those whose value opens to
    /// `normalised`: the coincidences the truncated index shares with other values dropped.
    pub(crate) fn holding(&self, field: &str, candidates: Vec<(Uuid, Option<String>)>, normalised: &str) -> Result<Vec<Uuid>> {
        let mut holders = Vec::new();
        for (id, stored) in candidates {
            if self.open(field, id, stored.as_deref())?.as_deref() == Some(normalised) {
                holders.push(id);
            }
        }
        Ok(holders)
    }

    /// Seals the personal fields of every copy of the record a change carries (its event and
    /// audit entry): see [`crm_domain::privacy::sealing`].
    pub(crate) fn seal_document(&self, entity_type: &str, record: Uuid, document: &mut serde_json::Value) {
        crm_domain::privacy::sealing::seal_document(&self.keys, entity_type, &record.to_string(), document);
    }

    /// `record` (in its `GET` shape) as a copy to store: its sealed fields sealed.
    pub(crate) fn sealed_record(&self, entity_type: &str, id: Uuid, record: &impl serde::Serialize) -> serde_json::Value {
        let mut document = serde_json::to_value(record).unwrap_or(serde_json::Value::Null);
        self.seal_document(entity_type, id, &mut document);
        document
    }

    /// Opens what [`Sealer::seal_document`] sealed.
    pub fn open_document(&self, entity_type: &str, record: Uuid, document: &mut serde_json::Value) -> Result<()> {
        crm_domain::privacy::sealing::open_document(&self.keys, entity_type, &record.to_string(), document)
            .map_err(|error| unopenable(entity_type, record, error))
    }
}

fn unopenable(field: &str, record: Uuid, error: crm_domain::privacy::keys::KeyError) -> Error {
    Error::unexpected(sea_orm::DbErr::Custom(format!("{field} of {record} does not open: {error}")))
}

impl Db {
    /// The sealer of this handle's keys. The first call (made by [`Db::migrate`]) reads the
    /// blind index lengths and, for a key that has none yet, chooses them
    /// ([`Db::choose_blind_index_lengths`]).
    pub async fn sealer(&self) -> Result<Sealer> {
        let keys = self.keys_arc()?;
        let current = keys.current_id().to_owned();
        let complete = |lengths: &BlindIndexLengths| {
            BLIND_INDEXED.iter().all(|(field, _)| lengths.get(&((*field).to_owned(), current.clone())).is_some_and(|l| !l.is_empty()))
        };
        let (cached, fresh) = {
            let cache = self.blind_index_lengths.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            (cache.lengths.clone(), cache.read_at.is_some_and(|at| at.elapsed() < LENGTHS_FRESH_FOR))
        };
        if fresh && complete(&cached) {
            return Ok(Sealer { keys, lengths: cached });
        }
        let mut lengths = self.refresh_lengths().await?;
        if !complete(&lengths) {
            self.choose_blind_index_lengths(None).await?;
            lengths = self.refresh_lengths().await?;
        }
        Ok(Sealer { keys, lengths })
    }

    /// Reads the stored lengths into this instance's cache.
    async fn refresh_lengths(&self) -> Result<std::sync::Arc<BlindIndexLengths>> {
        let lengths = std::sync::Arc::new(read_lengths(self).await?);
        let mut cache = self.blind_index_lengths.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *cache = CachedLengths { lengths: lengths.clone(), read_at: Some(std::time::Instant::now()) };
        Ok(lengths)
    }

    /// Chooses, for each blind-indexed field, the length its index has under the current key
    /// from the number of records (or `population`, when larger: a load about to write that
    /// many), per [`crm_domain::privacy::keys::blind_index_bits`]: a first length for a key that
    /// has none, and a longer one when the records have outgrown the longest (each index value
    /// shared by more than √R records makes every lookup open that many). Lengths are stored;
    /// every instance reads them again within [`LENGTHS_FRESH_FOR`] and writes with the longest,
    /// looking up with all (two instances choosing at once may both add one). Answers whether a
    /// longer length was added for a field that already had one (the rows indexed before keep
    /// their length until a pass of [`rotate_keys`] indexes them again).
    pub async fn choose_blind_index_lengths(&self, population: Option<u64>) -> Result<bool> {
        use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
        let keys = self.keys_arc()?;
        let current = keys.current_id().to_owned();
        let stored = read_lengths(self).await?;
        let mut grown = false;
        for (field, counted) in BLIND_INDEXED {
            let count = Query::select().expr(Expr::cust("COUNT(*)")).from(Alias::new(counted)).take();
            let records: i64 = match self.conn.query_one(&count).await? {
                Some(row) => row.try_get_by_index(0)?,
                None => 0,
            };
            let records = u64::try_from(records).unwrap_or(0).max(population.unwrap_or(0));
            let bits = crm_domain::privacy::keys::blind_index_bits(records);
            let longest = stored.get(&(field.to_owned(), current.clone())).and_then(|lengths| lengths.iter().max().copied());
            if longest.is_some_and(|longest| longest >= bits) {
                continue;
            }
            grown |= longest.is_some();
            let mut insert = Query::insert();
            insert
                .into_table(Alias::new("blind_index_lengths"))
                .columns([Alias::new("field"), Alias::new("key_id"), Alias::new("bits")])
                .values([field.into(), current.clone().into(), i32::try_from(bits).unwrap_or(8).into()])
                .map_err(|error| Error::unexpected(sea_orm::DbErr::Custom(error.to_string())))?
                .on_conflict(OnConflict::columns([Alias::new("field"), Alias::new("key_id"), Alias::new("bits")]).do_nothing().to_owned());
            self.conn.execute(&insert).await?;
        }
        self.refresh_lengths().await?;
        Ok(grown)
    }
}

/// Every stored blind index length.
async fn read_lengths(db: &Db) -> Result<BlindIndexLengths> {
    use sea_orm::sea_query::{Alias, Query};
    let read = Query::select()
        .columns([Alias::new("field"), Alias::new("key_id"), Alias::new("bits")])
        .from(Alias::new("blind_index_lengths"))
        .take();
    let mut lengths = BlindIndexLengths::new();
    for row in db.conn.query_all(&read).await? {
        let (field, key_id, bits): (String, String, i32) = (row.try_get_by_index(0)?, row.try_get_by_index(1)?, row.try_get_by_index(2)?);
        lengths.entry((field, key_id)).or_default().push(u32::try_from(bits).unwrap_or(8));
    }
    for bits in lengths.values_mut() {
        bits.sort_unstable();
    }
    Ok(lengths)
}

/// A column whose values are sealed with the data keys: its table, the field name the values
/// are bound to (each to its row's `id`), and the column of its blind index, if it has one.
struct SealedColumn {
    table: &'static str,
    column: &'static str,
    field: &'static str,
    blind_index: Option<&'static str>,
}

const fn sealed(table: &'static str, column: &'static str, field: &'static str, blind_index: Option<&'static str>) -> SealedColumn {
    SealedColumn { table, column, field, blind_index }
}

/// Every sealed column, which `crm rotate-key` walks: the personal fields of customers and
/// contacts ([`crm_domain::privacy::masking::sealed_fields`]), two-factor secrets and the answers
/// kept for idempotent retries.
const SEALED_COLUMNS: &[SealedColumn] = &[
    sealed("users", "totp_secret", crate::identity::two_factor::SECRET_FIELD, None),
    sealed("customers", "address", "customers.address", None),
    sealed("customers", "phone", "customers.phone", Some("phone_index")),
    sealed("customers", "email", "customers.email", Some("email_index")),
    sealed("customers", "birthday", "customers.birthday", None),
    sealed("customers", "id_number", "customers.id_number", Some("id_number_index")),
    sealed("customers", "bank_account", "customers.bank_account", None),
    sealed("contacts", "birthday", "contacts.birthday", None),
    sealed("contacts", "id_number", "contacts.id_number", Some("id_number_index")),
    sealed("contacts", "bank_account", "contacts.bank_account", None),
    sealed("idempotency_keys", "response_body", "idempotency_keys.response_body", None),
];

/// A column of JSON documents about records (events, audit entries) whose copies of sealed
/// fields are sealed (see [`crm_domain::privacy::sealing`]), with the columns naming the record.
struct SealedDocuments {
    table: &'static str,
    column: &'static str,
    /// How progress names it.
    name: &'static str,
}

const SEALED_DOCUMENTS: &[SealedDocuments] = &[
    SealedDocuments { table: "events", column: "payload", name: concat!("events", ".payload") },
    SealedDocuments { table: "audit_log", column: "changes", name: concat!("audit_log", ".changes") },
];

/// How far a rotation has come through one column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotationProgress {
    /// The field (`customers.address`) or documents (`events.payload`).
    pub field: &'static str,
    /// Rows with a value, read so far.
    pub read: u64,
    /// Values sealed again with the current key (in clear before, or under an old key).
    pub sealed: u64,
}

const ROTATION_BATCH: u64 = 500;

/// Seals every value of every sealed column, and every copy in events and audit entries, with
/// the current key (and indexes the blind-indexed ones under it), while servers keep running
/// with both keys: each value is replaced only if it is still the one read (a server that
/// changed it meanwhile sealed it with the current key already). Safe to stop and run again: a
/// second run reads everything and seals nothing more. When it is done the database holds no
/// value an old key sealed, and `data_key_passes` records that for the current key. `report`
/// hears after every batch.
pub async fn rotate_keys(db: &Db, mut report: impl FnMut(&RotationProgress)) -> Result<Vec<RotationProgress>> {
    // Indexing everything again is the time to fit the blind indexes to the records there are. A
    // new length is first only looked up by every instance (once their lengths are fresh again)
    // before rows carry it: an instance that did not know it yet would miss them.
    if db.choose_blind_index_lengths(None).await? {
        tokio::time::sleep(LENGTHS_FRESH_FOR * 2).await;
    }
    let sealer = db.sealer().await?;
    let mut done = Vec::new();
    for column in SEALED_COLUMNS {
        done.push(rotate_column(db, &sealer, column, &mut report).await?);
    }
    for documents in SEALED_DOCUMENTS {
        done.push(rotate_documents(db, &sealer, documents, &mut report).await?);
    }
    record_pass(db, sealer.keys.current_id()).await?;
    Ok(done)
}

async fn rotate_column(
    db: &Db,
    sealer: &Sealer,
    sealed: &SealedColumn,
    report: &mut impl FnMut(&RotationProgress),
) -> Result<RotationProgress> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
    let keys = &sealer.keys;
    let (table, column, id) = (Alias::new(sealed.table), Alias::new(sealed.column), Alias::new("id"));
    let mut progress = RotationProgress { field: sealed.field, ..Default::default() };
    let mut after: Option<Uuid> = None;
    loop {
        let mut select = Query::select();
        select
            .column(id.clone())
            .column(column.clone())
            .from(table.clone())
            .and_where(Expr::col(column.clone()).is_not_null())
            .order_by(id.clone(), Order::Asc)
            .limit(ROTATION_BATCH);
        if let Some(index) = sealed.blind_index {
            select.column(Alias::new(index));
        }
        if let Some(after) = after {
            select.and_where(Expr::col(id.clone()).gt(after));
        }
        let rows = db.conn.query_all(&select).await?;
        for row in &rows {
            let record: Uuid = row.try_get_by_index(0)?;
            let stored: String = row.try_get_by_index(1)?;
            // A value whose blind index is missing (its column was added, or emptied, after it
            // was sealed) or of an older length is indexed again.
            let unindexed = match sealed.blind_index {
                Some(_) => !sealer.index_is_current(sealed.field, row.try_get_by_index::<Option<String>>(2)?.as_deref()),
                None => false,
            };
            after = Some(record);
            progress.read += 1;
            if !keys.needs_sealing(&stored) && !unindexed {
                continue;
            }
            let clear = keys.open(sealed.field, &record.to_string(), &stored).map_err(|error| unopenable(sealed.field, record, error))?;
            let mut update = Query::update();
            update
                .table(table.clone())
                .value(column.clone(), keys.seal(sealed.field, &record.to_string(), &clear))
                .and_where(Expr::col(id.clone()).eq(record))
                .and_where(Expr::col(column.clone()).eq(stored));
            if let Some(index) = sealed.blind_index {
                update.value(Alias::new(index), sealer.index(sealed.field, Some(&clear)));
            }
            if db.conn.execute(&update).await?.rows_affected() == 1 {
                progress.sealed += 1;
            }
        }
        report(&progress);
        if (rows.len() as u64) < ROTATION_BATCH {
            return Ok(progress);
        }
    }
}

/// Whether a document holds a copy of a sealed field that is in clear or sealed under an old key.
fn document_needs_sealing(keys: &Keyring, entity_type: &str, document: &serde_json::Value) -> bool {
    let text = document.to_string();
    !crm_domain::privacy::sealing::is_sealed(entity_type, document)
        || keys.key_ids().iter().skip(1).any(|old| text.contains(&format!("enc1:{old}:")))
}

async fn rotate_documents(
    db: &Db,
    sealer: &Sealer,
    documents: &SealedDocuments,
    report: &mut impl FnMut(&RotationProgress),
) -> Result<RotationProgress> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
    let (table, column, id) = (Alias::new(documents.table), Alias::new(documents.column), Alias::new("id"));
    let (entity_type, entity_id) = (Alias::new("entity_type"), Alias::new("entity_id"));
    let mut progress = RotationProgress { field: documents.name, ..Default::default() };
    let mut after: Option<Uuid> = None;
    loop {
        let mut select = Query::select();
        select
            .columns([id.clone(), entity_type.clone(), entity_id.clone(), column.clone()])
            .from(table.clone())
            .and_where(Expr::col(entity_type.clone()).is_in(["customer", "contact"]))
            .order_by(id.clone(), Order::Asc)
            .limit(ROTATION_BATCH);
        if let Some(after) = after {
            select.and_where(Expr::col(id.clone()).gt(after));
        }
        let rows = db.conn.query_all(&select).await?;
        for row in &rows {
            let (row_id, kind, record, stored): (Uuid, String, Uuid, String) =
                (row.try_get_by_index(0)?, row.try_get_by_index(1)?, row.try_get_by_index(2)?, row.try_get_by_index(3)?);
            after = Some(row_id);
            progress.read += 1;
            let Ok(mut document) = serde_json::from_str::<serde_json::Value>(&stored) else { continue };
            if !document_needs_sealing(&sealer.keys, &kind, &document) {
                continue;
            }
            sealer.open_document(&kind, record, &mut document)?;
            sealer.seal_document(&kind, record, &mut document);
            let mut update = Query::update();
            update
                .table(table.clone())
                .value(column.clone(), document.to_string())
                .and_where(Expr::col(id.clone()).eq(row_id))
                .and_where(Expr::col(column.clone()).eq(stored));
            if db.conn.execute(&update).await?.rows_affected() == 1 {
                progress.sealed += 1;
            }
        }
        report(&progress);
        if (rows.len() as u64) < ROTATION_BATCH {
            return Ok(progress);
        }
    }
}

/// Notes that every value is sealed under `key_id` (a pass of [`rotate_keys`] finished).
async fn record_pass(db: &Db, key_id: &str) -> Result<()> {
    use sea_orm::sea_query::{Alias, OnConflict, Query};
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("data_key_passes"))
        .columns([Alias::new("key_id"), Alias::new("completed_at")])
        .values([key_id.into(), crate::now().into()])
        .map_err(|error| Error::unexpected(sea_orm::DbErr::Custom(error.to_string())))?
        .on_conflict(OnConflict::column(Alias::new("key_id")).do_nothing().to_owned());
    db.conn.execute(&insert).await?;
    Ok(())
}

/// Whether a pass of [`rotate_keys`] has ever finished (under any key): since then every value
/// has been written sealed, so nothing is left in clear.
async fn any_pass_done(db: &Db) -> Result<bool> {
    use sea_orm::sea_query::{Alias, Query};
    let select = Query::select().column(Alias::new("key_id")).from(Alias::new("data_key_passes")).limit(1).take();
    Ok(db.conn.query_one(&select).await?.is_some())
}

/// After an upgrade from a version that stored personal values in clear, seals them: at once
/// when there is nothing to seal (a new database), otherwise by a pass of [`rotate_keys`] in the
/// background, which every instance starting meanwhile may run too (each value is replaced only
/// once). Runs nothing once any pass has finished, unless the records have outgrown a blind
/// index's length: a longer one is chosen and the pass indexes everything again with it. A
/// change of key is not this: `crm rotate-key` runs that pass, while the servers hold both keys.
pub async fn seal_what_is_not_sealed(db: &Db) -> Result<()> {
    use sea_orm::sea_query::{Alias, Expr, Query};
    let key_id = db.keys()?.current_id().to_owned();
    let grown = db.choose_blind_index_lengths(None).await?;
    if any_pass_done(db).await? && !grown {
        return Ok(());
    }
    let mut rows = 0i64;
    for table in ["customers", "contacts", "users", "idempotency_keys", "events", "audit_log"] {
        let count = Query::select().expr(Expr::cust("COUNT(*)")).from(Alias::new(table)).take();
        if let Some(row) = db.conn.query_one(&count).await? {
            rows += row.try_get_by_index::<i64>(0)?;
        }
    }
    if rows == 0 {
        return record_pass(db, &key_id).await;
    }
    let db = db.clone();
    tokio::spawn(async move {
        if grown {
            // Every instance looks the new length up before the pass gives it to old rows.
            tokio::time::sleep(LENGTHS_FRESH_FOR * 2).await;
        }
        tracing::info!(key_id, "sealing personal data not yet sealed under the current data key");
        match rotate_keys(&db, |_| {}).await {
            Ok(done) => {
                let sealed: u64 = done.iter().map(|progress| progress.sealed).sum();
                tracing::info!(sealed, "personal data sealed under the current data key");
            }
            Err(error) => tracing::error!(%error, "sealing personal data failed; `crm rotate-key` resumes it"),
        }
    });
    Ok(())
}
