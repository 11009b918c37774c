//! Teams: groups of users, optionally under a parent team (a district under a region).

use crm_domain::text;
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};

use crate::entities::{customers, teams, user_teams};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now};

#[derive(Debug, Clone, Serialize)]
pub struct TeamRecord {
    pub id: Uuid,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl From<teams::Model> for TeamRecord {
    fn from(t: teams::Model) -> Self {
        Self { id: t.id, name: t.name, parent_id: t.parent_id, created_at: t.created_at, updated_at: t.updated_at, version: t.version }
    }
}

const ENTITY: &str = "team";

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, parent_id: Option<Uuid>, page: &PageRequest) -> Result<Page<TeamRecord>> {
    actor.require(Resource::Teams, Action::Read)?;
    let sort = Sort { key: "name", column: teams::Column::Name, descending: false, value: SortValue::Text };
    let mut condition = Condition::all();
    if let Some(parent_id) = parent_id {
        condition = condition.add(teams::Column::ParentId.eq(parent_id));
    }
    let page =
        fetch_page(&db.conn, teams::Entity::find().filter(condition), &sort, teams::Column::Id, page, |t| (json!(t.name), t.id)).await?;
    Ok(page.map(TeamRecord::from))
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<TeamRecord> {
    actor.require(Resource::Teams, Action::Read)?;
    teams::Entity::find_by_id(id).one(&db.conn).await?.map(TeamRecord::from).ok_or(Error::NotFound)
}

/// Refuses a parent that does not exist or that would put the team below itself.
async fn check_parent(conn: &impl sea_orm::ConnectionTrait, team_id: Uuid, parent_id: Option<Uuid>) -> Result<()> {
    let Some(parent_id) = parent_id else { return Ok(()) };
    if teams::Entity::find_by_id(parent_id).one(conn).await?.is_none() {
        return Err(Error::validation("parent_id", "not_found", text!("no such team", "团队不存在")));
    }
    if super::teams_below(conn, &[team_id]).await?.contains(&parent_id) {
        return Err(Error::validation(
            "parent_id",
            "cycle",
            text!("a team cannot be placed under itself or its own sub-team", "团队不能放在自己或自己的下级团队之下"),
        ));
    }
    Ok(())
}

/// Team names are unique: a name another team holds is refused naming that team.
async fn check_name_free(conn: &impl ConnectionTrait, name: &str, team_id: Uuid) -> Result<()> {
    let holder = teams::Entity::find().filter(teams::Column::Name.eq(name)).filter(teams::Column::Id.ne(team_id)).one(conn).await?;
    match holder {
        Some(holder) => Err(Error::Taken {
            code: "team.name_taken",
            message: text!("a team with this name already exists", "已有同名团队"),
            existing_id: holder.id,
        }),
        None => Ok(()),
    }
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, name: String, parent_id: Option<Uuid>) -> Result<TeamRecord> {
    actor.require(Resource::Teams, Action::Create)?;
    if parent_id.is_some() {
        // A team under another widens the scope of everyone above it.
        actor.require_admin()?;
    }
    let txn = db.begin_write().await?;
    let id = Uuid::now_v7();
    check_parent(&txn, id, parent_id).await?;
    check_name_free(&txn, &name, id).await?;
    let at = now();
    let model = insert_first_version(
        &txn,
        teams::ActiveModel { id: Set(id), name: Set(name), parent_id: Set(parent_id), ..Default::default() },
        at,
    )
    .await?;
    let record = TeamRecord::from(model);
    changes::commit(txn, actor, Change::created(ENTITY, id, &record), record).await
}

/// A change to a team: a new name, and a new parent (`Some(None)`: a top-level team).
#[derive(Debug, Clone, Default)]
pub struct TeamPatch {
    pub name: Option<String>,
    pub parent_id: Option<Option<Uuid>>,
}

#[tracing::instrument(skip_all)]
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, patch: TeamPatch) -> Result<TeamRecord> {
    actor.require(Resource::Teams, Action::Update)?;
    let TeamPatch { name, parent_id } = patch;
    if parent_id.is_some() {
        // Moving a team changes which customers every manager above it reaches.
        actor.require_admin()?;
    }
    let txn = db.begin_write().await?;
    let team = teams::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, team.version)?;
    if let Some(parent) = parent_id {
        check_parent(&txn, id, parent).await?;
    }
    let before = TeamRecord::from(team.clone());
    let mut model: teams::ActiveModel = team.clone().into();
    if let Some(name) = name {
        check_name_free(&txn, &name, id).await?;
        model.name = Set(name);
    }
    if let Some(parent) = parent_id {
        model.parent_id = Set(parent);
    }
    let after = TeamRecord::from(save_next_version(&txn, model).await?);
    changes::commit(txn, actor, Change::updated(ENTITY, id, &before, &after), after).await
}

/// Deletes a team that nothing uses any more; teams with members, sub-teams or customers answer
/// 409, so no record silently loses its team.
#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    actor.require(Resource::Teams, Action::Delete)?;
    let txn = db.begin_write().await?;
    let team = teams::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, team.version)?;
    let members = user_teams::Entity::find().filter(user_teams::Column::TeamId.eq(id)).count(&txn).await?;
    let children = teams::Entity::find().filter(teams::Column::ParentId.eq(id)).count(&txn).await?;
    let owned = customers::Entity::find().filter(customers::Column::TeamId.eq(id)).count(&txn).await?;
    if members + children + owned > 0 {
        return Err(Error::conflict(
            "team.in_use",
            text!(
                "the team still has {members} member(s), {children} sub-team(s) and {owned} customer(s)",
                "该团队仍有 {members} 名成员、{children} 个下级团队和 {owned} 个客户"
            ),
        ));
    }
    teams::Entity::delete_by_id(id).exec(&txn).await?;
    changes::record(&txn, actor, Change::removed(ENTITY, id, &TeamRecord::from(team))).await?;
    txn.commit().await?;
    Ok(())
}

/// The team with this name, for operator commands and demo data.
#[tracing::instrument(skip_all)]
pub async fn find_id_by_name(db: &Db, name: &str) -> Result<Option<Uuid>> {
    Ok(teams::Entity::find().filter(teams::Column::Name.eq(name)).one(&db.conn).await?.map(|t| t.id))
}

/// The first team of a user (by team name), which a customer they own belongs to by default.
pub(crate) async fn primary_team(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<Option<Uuid>> {
    Ok(primary_team_row(conn, user_id).await?.map(|team| team.id))
}

/// A user's primary team (the first of their teams by name), in one query.
pub(crate) async fn primary_team_row(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<Option<teams::Model>> {
    let memberships = Query::select()
        .column(user_teams::Column::TeamId)
        .from(user_teams::Entity)
        .and_where(user_teams::Column::UserId.eq(user_id))
        .take();
    Ok(teams::Entity::find()
        .filter(teams::Column::Id.in_subquery(memberships))
        .order_by_asc(teams::Column::Name)
        .order_by_asc(teams::Column::Id)
        .one(conn)
        .await?)
}
