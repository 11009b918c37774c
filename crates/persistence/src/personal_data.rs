//! Whose personal data a caller reads in clear: the customers (and their contacts and portal
//! accounts) within the caller's `pii` read scope, decided in SQL on the customer's current owner
//! and team as every other scope is. Everything else is shown masked by the API.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::{Action, Resource, Scope};

use crate::entities::customers;
use crate::platform::audit;
use crate::query::in_chunks;
use crate::{Actor, Db, Error, Result};

/// The caller's `pii` read scope.
pub fn scope(actor: &Actor) -> Scope {
    actor.permissions.scope(Resource::Pii, Action::Read)
}

/// Of `customer_ids`, those whose personal data (and their contacts' and portal accounts') the
/// caller reads in clear. Costs no query when the scope is `all` or `none`.
#[tracing::instrument(skip_all)]
pub async fn customers_in_clear(db: &Db, actor: &Actor, customer_ids: &[Uuid]) -> Result<HashSet<Uuid>> {
    let scope = scope(actor);
    match scope {
        Scope::All => return Ok(customer_ids.iter().copied().collect()),
        Scope::None => return Ok(HashSet::new()),
        Scope::Own | Scope::Team => {}
    }
    let distinct: Vec<Uuid> = customer_ids.iter().copied().collect::<HashSet<_>>().into_iter().collect();
    let clear: Vec<Uuid> = in_chunks(&distinct, |chunk| {
        customers::Entity::find()
            .select_only()
            .column(customers::Column::Id)
            .filter(customers::Column::Id.is_in(chunk.iter().copied()))
            .filter(crate::customers::in_scope(actor, scope))
            .into_tuple()
            .all(&db.conn)
    })
    .await?;
    Ok(clear.into_iter().collect())
}

/// Refuses (403) a caller whose `pii` scope does not reach the customer.
pub async fn require_clear(db: &Db, actor: &Actor, customer_id: Uuid) -> Result<()> {
    if customers_in_clear(db, actor, &[customer_id]).await?.contains(&customer_id) {
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
    audit::record(&db.conn, actor, "reveal", entity_type, entity_id, json!({ "fields": fields })).await
}
