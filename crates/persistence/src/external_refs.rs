//! External references of records (customers, contacts, products, orders): the ids other systems
//! know them by, one per system, unique per system among live records (see migration 023). The
//! stores call these inside their own transactions, so a reference changes with its record, in
//! its audit entry and its event.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use crm_domain::external::{ExternalIds, ExternalIdsPatch, ExternalRef};
use crm_domain::text;

use crate::entities::external_refs::{self, Column as C};
use crate::{Error, Result, now};

/// The live record of kind `entity` that `reference` names, if any.
pub(crate) async fn holder(conn: &impl ConnectionTrait, entity: &str, reference: &ExternalRef) -> Result<Option<Uuid>> {
    live_holder(conn, entity, reference.system.as_str(), reference.id.as_str()).await
}

/// [`holder`] as the caller's request sees it: inside a batch, including the records the batch
/// wrote before (so an id created by one item is found by the next).
pub(crate) async fn holder_seen(db: &crate::Db, entity: &str, reference: &ExternalRef) -> Result<Option<Uuid>> {
    match db.held_savepoint().await? {
        Some(savepoint) => {
            let found = holder(&savepoint, entity, reference).await?;
            savepoint.commit().await?;
            Ok(found)
        }
        None => holder(&db.conn, entity, reference).await,
    }
}

async fn live_holder(conn: &impl ConnectionTrait, entity: &str, system: &str, external_id: &str) -> Result<Option<Uuid>> {
    Ok(external_refs::Entity::find()
        .select_only()
        .column(C::EntityId)
        .filter(C::EntityType.eq(entity))
        .filter(C::System.eq(system))
        .filter(C::ExternalId.eq(external_id))
        .filter(C::RecordDeletedAt.is_null())
        .into_tuple::<Uuid>()
        .one(conn)
        .await?)
}

/// The references of each of `ids` (records of kind `entity`), for building their records.
pub(crate) async fn of_records(conn: &impl ConnectionTrait, entity: &str, ids: &[Uuid]) -> Result<HashMap<Uuid, ExternalIds>> {
    let mut found: HashMap<Uuid, ExternalIds> = HashMap::new();
    if ids.is_empty() {
        return Ok(found);
    }
    let rows: Vec<(Uuid, String, String)> = crate::query::in_chunks(ids, |chunk| {
        external_refs::Entity::find()
            .select_only()
            .columns([C::EntityId, C::System, C::ExternalId])
            .filter(crate::query::one_of(
                conn.get_database_backend(),
                (external_refs::Entity, C::EntityId),
                chunk.iter().map(Uuid::to_string).collect(),
                "uuid",
            ))
            .filter(C::EntityType.eq(entity))
            .into_tuple()
            .all(conn)
    })
    .await?;
    for (id, system, external_id) in rows {
        found.entry(id).or_default().insert(system, external_id);
    }
    Ok(found)
}

/// The references of one record.
pub(crate) async fn of_record(conn: &impl ConnectionTrait, entity: &str, id: Uuid) -> Result<ExternalIds> {
    Ok(of_records(conn, entity, &[id]).await?.remove(&id).unwrap_or_default())
}

fn taken(existing_id: Uuid, reference: &str) -> Error {
    Error::Taken {
        code: "external_id.taken",
        message: text!("another record already has the external id {reference}", "已有其他记录使用外部编号 {reference}"),
        existing_id,
    }
}

/// Applies `patch` to the references of record `id` (of kind `entity`). A reference another
/// live record of the kind holds is refused with 409 `external_id.taken` naming that record; a
/// concurrent writer taking it first is refused the same way, by the unique index.
pub(crate) async fn change(conn: &impl ConnectionTrait, entity: &str, id: Uuid, patch: &ExternalIdsPatch) -> Result<()> {
    for (system, external_id) in &patch.0 {
        external_refs::Entity::delete_many()
            .filter(C::EntityId.eq(id))
            .filter(C::EntityType.eq(entity))
            .filter(C::System.eq(system.as_str()))
            .filter(C::RecordDeletedAt.is_null())
            .exec(conn)
            .await?;
        let Some(external_id) = external_id else { continue };
        let row = external_refs::ActiveModel {
            id: Set(Uuid::now_v7()),
            entity_type: Set(entity.to_owned()),
            entity_id: Set(id),
            system: Set(system.as_str().to_owned()),
            external_id: Set(external_id.as_str().to_owned()),
            created_at: Set(now()),
            record_deleted_at: Set(None),
        };
        // DO NOTHING rather than a failed statement: PostgreSQL lets no statement run in a
        // transaction after one failed, and the holder is read next to name it.
        let inserted =
            external_refs::Entity::insert(row).on_conflict(OnConflict::new().do_nothing().to_owned()).exec_without_returning(conn).await?;
        if inserted == 0 {
            let reference = ExternalRef { system: system.clone(), id: external_id.clone() };
            let holder = holder(conn, entity, &reference).await?.unwrap_or(id);
            return Err(taken(holder, &format!("{}:{}", system.as_str(), external_id.as_str())));
        }
    }
    Ok(())
}

/// Follows a record into the recycle bin (`Some(at)`) or out of it (`None`): a binned record's
/// references name nothing live, so another record may take them, and come back with it unless
/// a live record took one meanwhile (409 naming it).
pub(crate) async fn follow_bin(conn: &impl ConnectionTrait, entity: &str, id: Uuid, deleted_at: Option<DateTime<Utc>>) -> Result<()> {
    if deleted_at.is_none() {
        let binned: Vec<(String, String)> = external_refs::Entity::find()
            .select_only()
            .columns([C::System, C::ExternalId])
            .filter(C::EntityId.eq(id))
            .filter(C::EntityType.eq(entity))
            .filter(C::RecordDeletedAt.is_not_null())
            .into_tuple()
            .all(conn)
            .await?;
        for (system, external_id) in binned {
            if let Some(holder) = live_holder(conn, entity, &system, &external_id).await? {
                return Err(taken(holder, &format!("{system}:{external_id}")));
            }
        }
    }
    let live = if deleted_at.is_some() { C::RecordDeletedAt.is_null() } else { C::RecordDeletedAt.is_not_null() };
    external_refs::Entity::update_many()
        .col_expr(C::RecordDeletedAt, Expr::value(deleted_at))
        .filter(C::EntityId.eq(id))
        .filter(C::EntityType.eq(entity))
        .filter(live)
        .exec(conn)
        .await?;
    Ok(())
}

/// Follows a customer into the recycle bin or out of it with its live contacts' references: a
/// binned customer's contacts cannot be read or changed, so their ids must not stay taken by
/// records nobody reaches (an upsert would find them and answer 404 for ever).
pub(crate) async fn follow_customer_bin(conn: &impl ConnectionTrait, customer_id: Uuid, deleted_at: Option<DateTime<Utc>>) -> Result<()> {
    use crate::entities::contacts;
    let people: Vec<Uuid> = contacts::Entity::find()
        .select_only()
        .column(contacts::Column::Id)
        .filter(contacts::Column::CustomerId.eq(customer_id))
        .filter(contacts::Column::DeletedAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    for contact_id in people {
        follow_bin(conn, "contact", contact_id, deleted_at).await?;
    }
    Ok(())
}
