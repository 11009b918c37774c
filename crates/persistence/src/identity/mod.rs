//! Users, teams, roles and sign-in sessions.

pub mod api_keys;
pub mod auth;
pub(crate) mod names;
pub mod roles;
pub mod sessions;
pub mod teams;
pub mod two_factor;
pub mod users;

use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::Result;
use crate::entities::teams as team_entity;

/// `roots` and every team below them, following `parent_id` (cycles are refused on write, and
/// the walk stops at visited teams regardless).
pub(crate) async fn teams_below(conn: &impl ConnectionTrait, roots: &[Uuid]) -> Result<Vec<Uuid>> {
    if roots.is_empty() {
        return Ok(vec![]);
    }
    let all: Vec<(Uuid, Option<Uuid>)> = team_entity::Entity::find().all(conn).await?.into_iter().map(|t| (t.id, t.parent_id)).collect();
    let mut reached: Vec<Uuid> = roots.to_vec();
    let mut index = 0;
    while index < reached.len() {
        let current = reached[index];
        for (id, parent) in &all {
            if *parent == Some(current) && !reached.contains(id) {
                reached.push(*id);
            }
        }
        index += 1;
    }
    Ok(reached)
}
