//! What an import of customers needs from the store beyond the single requests' functions: the
//! stored customers each row of a chunk matches, by the import's matching keys, found with one
//! query per key for the whole chunk; and the owners its rows name by email.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};
use crm_domain::platform::imports::MatchKey;

use super::store::{EMAIL, PHONE};
use crate::entities::{customers, external_refs, users};
use crate::personal_data::Sealer;
use crate::{Actor, Db, Result};

/// What a row offers for matching, each value in its stored form (phone in E.164, email in
/// lower case, credit code in upper case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Probe {
    pub external_id: Option<String>,
    pub credit_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub city: Option<String>,
}

impl Probe {
    /// The row's value for `key`, as one string (name and city together for `name_city`).
    pub fn value(&self, key: MatchKey) -> Option<String> {
        match key {
            MatchKey::ExternalId => self.external_id.clone(),
            MatchKey::CreditCode => self.credit_code.clone(),
            MatchKey::Phone => self.phone.clone(),
            MatchKey::Email => self.email.clone(),
            MatchKey::NameCity => self.name.as_ref().map(|name| format!("{name}\u{1f}{}", self.city.as_deref().unwrap_or_default())),
        }
    }
}

/// The key a row matched by, and the customers it matched.
pub type Match = (MatchKey, Vec<Uuid>);

/// For each probe, the live customers the caller may read found by the first of `keys` that
/// finds any (the key with them), or `None`. `system` is the import's external system
/// (`external_id` needs it). Customers out of the caller's scope are not matched, as a single
/// create does not tell them either: a row naming one is read as a new customer, and the single
/// create's own rules (a credit code taken, say) apply.
#[tracing::instrument(skip_all)]
pub async fn find_matches(db: &Db, actor: &Actor, system: Option<&str>, keys: &[MatchKey], probes: &[Probe]) -> Result<Vec<Option<Match>>> {
    let sealer = db.sealer().await?;
    let mut found: Vec<Option<Match>> = vec![None; probes.len()];
    for key in keys {
        let open: Vec<usize> = (0..probes.len()).filter(|i| found[*i].is_none() && probes[*i].value(*key).is_some()).collect();
        if open.is_empty() {
            continue;
        }
        let values: Vec<String> = open.iter().filter_map(|i| probes[*i].value(*key)).collect();
        let mut holders = holders_by(&db.conn, &sealer, *key, system, &values).await?;
        let readable = readable_of(db, actor, holders.values().flatten().copied().collect()).await?;
        for ids in holders.values_mut() {
            ids.retain(|id| readable.contains(id));
        }
        for index in open {
            if let Some(ids) = probes[index].value(*key).and_then(|value| holders.get(&value)).filter(|ids| !ids.is_empty()) {
                found[index] = Some((*key, ids.clone()));
            }
        }
    }
    Ok(found)
}

/// Which of `ids` are live customers the caller may read.
async fn readable_of(db: &Db, actor: &Actor, ids: Vec<Uuid>) -> Result<std::collections::HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let scope = actor.require(Resource::Customers, Action::Read)?;
    let found: Vec<Uuid> = customers::Entity::find()
        .select_only()
        .column(customers::Column::Id)
        .filter(customers::Column::Id.is_in(ids))
        .filter(customers::Column::DeletedAt.is_null())
        .filter(super::store::in_scope(actor, scope))
        .into_tuple()
        .all(&db.conn)
        .await?;
    Ok(found.into_iter().collect())
}

/// The live customers holding each of `values` for `key`.
async fn holders_by(
    conn: &impl ConnectionTrait,
    sealer: &Sealer,
    key: MatchKey,
    system: Option<&str>,
    values: &[String],
) -> Result<HashMap<String, Vec<Uuid>>> {
    let mut holders: HashMap<String, Vec<Uuid>> = HashMap::new();
    match key {
        MatchKey::ExternalId => {
            let Some(system) = system else { return Ok(holders) };
            let rows: Vec<(String, Uuid)> = external_refs::Entity::find()
                .select_only()
                .column(external_refs::Column::ExternalId)
                .column(external_refs::Column::EntityId)
                .filter(external_refs::Column::EntityType.eq(super::store::ENTITY))
                .filter(external_refs::Column::System.eq(system))
                .filter(external_refs::Column::ExternalId.is_in(values.to_vec()))
                .filter(external_refs::Column::RecordDeletedAt.is_null())
                .into_tuple()
                .all(conn)
                .await?;
            for (value, id) in rows {
                holders.entry(value).or_default().push(id);
            }
        }
        MatchKey::CreditCode => {
            let rows: Vec<(Option<String>, Uuid)> = customers::Entity::find()
                .select_only()
                .column(customers::Column::CreditCode)
                .column(customers::Column::Id)
                .filter(customers::Column::CreditCode.is_in(values.to_vec()))
                .filter(customers::Column::DeletedAt.is_null())
                .into_tuple()
                .all(conn)
                .await?;
            for (value, id) in rows {
                holders.entry(value.unwrap_or_default()).or_default().push(id);
            }
        }
        MatchKey::Phone | MatchKey::Email => {
            // Sealed columns are found through their blind indexes, then opened to confirm.
            let (field, index, column) = if key == MatchKey::Phone { PHONE } else { EMAIL };
            let lookups: HashMap<&String, Vec<String>> = values.iter().map(|value| (value, sealer.lookups(field, value))).collect();
            let every: Vec<String> = lookups.values().flatten().cloned().collect();
            if every.is_empty() {
                return Ok(holders);
            }
            let rows: Vec<(Uuid, Option<String>, Option<String>)> = customers::Entity::find()
                .select_only()
                .column(customers::Column::Id)
                .column(index)
                .column(column)
                .filter(index.is_in(every))
                .filter(customers::Column::DeletedAt.is_null())
                .into_tuple()
                .all(conn)
                .await?;
            for (value, wanted) in lookups {
                let candidates: Vec<(Uuid, Option<String>)> = rows
                    .iter()
                    .filter(|(_, stored_index, _)| stored_index.as_ref().is_some_and(|i| wanted.contains(i)))
                    .map(|(id, _, sealed)| (*id, sealed.clone()))
                    .collect();
                if !candidates.is_empty() {
                    holders.insert(value.clone(), sealer.holding(field, candidates, value)?);
                }
            }
        }
        MatchKey::NameCity => {
            let names: Vec<String> = values.iter().filter_map(|value| value.split('\u{1f}').next().map(str::to_owned)).collect();
            let rows: Vec<(Uuid, String, Option<String>)> = customers::Entity::find()
                .select_only()
                .column(customers::Column::Id)
                .column(customers::Column::Name)
                .column(customers::Column::City)
                .filter(customers::Column::Name.is_in(names))
                .filter(customers::Column::DeletedAt.is_null())
                .into_tuple()
                .all(conn)
                .await?;
            for (id, name, city) in rows {
                holders.entry(format!("{name}\u{1f}{}", city.unwrap_or_default())).or_default().push(id);
            }
        }
    }
    Ok(holders)
}

/// The ids of the active users with these emails (lower case), by email.
#[tracing::instrument(skip_all)]
pub async fn users_by_email(db: &Db, emails: &[String]) -> Result<HashMap<String, Uuid>> {
    if emails.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, Uuid)> = users::Entity::find()
        .select_only()
        .column(users::Column::Email)
        .column(users::Column::Id)
        .filter(users::Column::Email.is_in(emails.to_vec()))
        .filter(users::Column::Active.eq(true))
        .into_tuple()
        .all(&db.conn)
        .await?;
    Ok(rows.into_iter().collect())
}
