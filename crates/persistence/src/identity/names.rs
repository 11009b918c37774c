//! Display names of users and teams, kept between requests.
//!
//! Nearly every record a list or a detail returns names its owner and team, and looking those
//! names up cost two queries per request. A name changes only by a rename, and a rename of a user
//! (`users.display_name`) or any change to `teams` raises the identity generation in the same
//! transaction (migration 008). Every request reads that generation when it checks its session,
//! and reports it here: a newer generation empties the cache before the request reads any name.
//!
//! One race needs care: a request may read a name from the database, a rename then commits and is
//! observed by another request (emptying the cache), and only then would the first request store
//! the old name it read. So a lookup notes the cache's generation before it queries and stores
//! what it read only if the cache is still at that generation.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use uuid::Uuid;

use crate::{Db, Result};

/// Entries kept per kind at most; past it the kind starts over (each name then costs one reload).
const CAPACITY: usize = 50_000;

#[derive(Debug, Default)]
pub struct NameCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    generation: i64,
    users: HashMap<Uuid, String>,
    teams: HashMap<Uuid, String>,
}

#[derive(Clone, Copy)]
enum Kind {
    Users,
    Teams,
}

impl Inner {
    fn of(&mut self, kind: Kind) -> &mut HashMap<Uuid, String> {
        match kind {
            Kind::Users => &mut self.users,
            Kind::Teams => &mut self.teams,
        }
    }
}

impl NameCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Called with the identity generation a request has just read: a newer one means a name may
    /// have changed, so everything is forgotten. An older one (a request that read it before a
    /// newer request did) changes nothing.
    pub(crate) fn observe(&self, generation: i64) {
        let mut inner = self.lock();
        if generation > inner.generation {
            *inner = Inner { generation, ..Default::default() };
        }
    }

    /// The names known for `ids`, the ids still to look up, and the generation to store them at.
    fn split(&self, kind: Kind, ids: &[Uuid]) -> (HashMap<Uuid, String>, Vec<Uuid>, i64) {
        let mut inner = self.lock();
        let generation = inner.generation;
        let known = inner.of(kind);
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for id in ids {
            match known.get(id) {
                Some(name) => {
                    found.insert(*id, name.clone());
                }
                None => missing.push(*id),
            }
        }
        missing.sort();
        missing.dedup();
        (found, missing, generation)
    }

    fn store(&self, kind: Kind, generation: i64, names: &HashMap<Uuid, String>) {
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        let known = inner.of(kind);
        if known.len() + names.len() > CAPACITY {
            known.clear();
        }
        known.extend(names.iter().map(|(id, name)| (*id, name.clone())));
    }
}

async fn cached(
    db: &Db,
    kind: Kind,
    ids: &[Uuid],
    load: impl AsyncFnOnce(Vec<Uuid>) -> Result<HashMap<Uuid, String>>,
) -> Result<HashMap<Uuid, String>> {
    let (mut found, missing, generation) = db.names.split(kind, ids);
    if !missing.is_empty() {
        let loaded = load(missing).await?;
        db.names.store(kind, generation, &loaded);
        found.extend(loaded);
    }
    Ok(found)
}

/// Where a function that builds records reads owners' and teams' names from: the cache for a
/// plain read, or a transaction directly, so that it sees its own renames.
pub(crate) enum Names<'a, C: sea_orm::ConnectionTrait> {
    Cached(&'a Db),
    Within(&'a C),
}

impl<'a> Names<'a, sea_orm::DatabaseConnection> {
    pub(crate) fn cached(db: &'a Db) -> Self {
        Names::Cached(db)
    }
}

impl<C: sea_orm::ConnectionTrait> Names<'_, C> {
    /// The external references of records of kind `entity` (see [`crate::external_refs`]), read
    /// where the names are: never cached, since an upsert must see the one it just wrote.
    pub(crate) async fn external_ids(&self, entity: &str, ids: &[Uuid]) -> Result<HashMap<Uuid, crm_domain::external::ExternalIds>> {
        match self {
            Names::Cached(db) => crate::external_refs::of_records(&db.conn, entity, ids).await,
            Names::Within(conn) => crate::external_refs::of_records(*conn, entity, ids).await,
        }
    }

    /// Display names of the given users (unknown ids are absent).
    pub(crate) async fn users(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, String>> {
        match self {
            Names::Cached(db) => {
                cached(db, Kind::Users, ids, async |missing| crate::platform::audit::user_names(&db.conn, &missing).await).await
            }
            Names::Within(conn) => crate::platform::audit::user_names(*conn, ids).await,
        }
    }

    /// Names of the given teams (unknown ids are absent).
    pub(crate) async fn teams(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, String>> {
        match self {
            Names::Cached(db) => {
                cached(db, Kind::Teams, ids, async |missing| crate::platform::audit::team_names(&db.conn, &missing).await).await
            }
            Names::Within(conn) => crate::platform::audit::team_names(*conn, ids).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(pairs: &[(Uuid, &str)]) -> HashMap<Uuid, String> {
        pairs.iter().map(|(id, name)| (*id, (*name).to_owned())).collect()
    }

    #[test]
    fn a_newer_generation_forgets_every_name_and_an_older_one_does_not() {
        let cache = NameCache::default();
        let (alice, team) = (Uuid::now_v7(), Uuid::now_v7());
        cache.observe(5);
        cache.store(Kind::Users, 5, &names(&[(alice, "Alice")]));
        cache.store(Kind::Teams, 5, &names(&[(team, "华东")]));
        cache.observe(4);
        assert_eq!(cache.split(Kind::Users, &[alice]).0.get(&alice).map(String::as_str), Some("Alice"));
        cache.observe(6);
        let (found, missing, generation) = cache.split(Kind::Users, &[alice, alice]);
        assert!(found.is_empty());
        assert_eq!((missing, generation), (vec![alice], 6));
        assert!(cache.split(Kind::Teams, &[team]).0.is_empty());
    }

    #[test]
    fn a_name_read_before_a_rename_was_observed_is_not_stored_after_it() {
        let cache = NameCache::default();
        let alice = Uuid::now_v7();
        cache.observe(5);
        let (_, missing, read_at) = cache.split(Kind::Users, &[alice]);
        assert_eq!(missing, vec![alice]);
        // Another request sees the rename's generation while this one is still querying.
        cache.observe(6);
        cache.store(Kind::Users, read_at, &names(&[(alice, "old name")]));
        assert!(cache.split(Kind::Users, &[alice]).0.is_empty());
        cache.store(Kind::Users, 6, &names(&[(alice, "new name")]));
        assert_eq!(cache.split(Kind::Users, &[alice]).0.get(&alice).map(String::as_str), Some("new name"));
    }

    #[test]
    fn users_and_teams_are_kept_apart() {
        let cache = NameCache::default();
        let id = Uuid::now_v7();
        cache.store(Kind::Teams, 0, &names(&[(id, "a team")]));
        assert!(cache.split(Kind::Users, &[id]).0.is_empty());
    }
}
