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

/// A column whose values are sealed with the data keys: its table, the field name the values
/// are bound to, and its rows' id column (the record each value is bound to).
struct SealedColumn {
    table: &'static str,
    column: &'static str,
    field: &'static str,
}

/// Every sealed column, which `crm rotate-key` walks.
const SEALED_COLUMNS: &[SealedColumn] =
    &[SealedColumn { table: "users", column: "totp_secret", field: crate::identity::two_factor::SECRET_FIELD }];

/// How far a rotation has come through one column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotationProgress {
    pub field: &'static str,
    /// Rows with a value, read so far.
    pub read: u64,
    /// Values sealed again with the current key (in clear before, or under an old key).
    pub sealed: u64,
}

const ROTATION_BATCH: u64 = 500;

/// Seals every value of every sealed column with the current key, while servers keep running
/// with both keys: each value is replaced only if it is still the one read (a server that
/// changed it meanwhile sealed it with the current key already). Safe to stop and run again: a
/// second run reads everything and seals nothing more. `report` hears after every batch.
pub async fn rotate_keys(db: &Db, mut report: impl FnMut(&RotationProgress)) -> Result<Vec<RotationProgress>> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
    let keys = db.keys()?;
    let mut done = Vec::new();
    for sealed in SEALED_COLUMNS {
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
            if let Some(after) = after {
                select.and_where(Expr::col(id.clone()).gt(after));
            }
            let rows = db.conn.query_all(&select).await?;
            for row in &rows {
                let record: Uuid = row.try_get_by_index(0)?;
                let stored: String = row.try_get_by_index(1)?;
                after = Some(record);
                progress.read += 1;
                if !keys.needs_sealing(&stored) {
                    continue;
                }
                let clear = keys.open(sealed.field, &record.to_string(), &stored).map_err(|error| {
                    Error::unexpected(sea_orm::DbErr::Custom(format!("{} of {record} does not open: {error}", sealed.field)))
                })?;
                let mut update = Query::update();
                update
                    .table(table.clone())
                    .value(column.clone(), keys.seal(sealed.field, &record.to_string(), &clear))
                    .and_where(Expr::col(id.clone()).eq(record))
                    .and_where(Expr::col(column.clone()).eq(stored));
                if db.conn.execute(&update).await?.rows_affected() == 1 {
                    progress.sealed += 1;
                }
            }
            report(&progress);
            if (rows.len() as u64) < ROTATION_BATCH {
                break;
            }
        }
        done.push(progress);
    }
    Ok(done)
}
