//! Saved views: a user's named list states (filters, columns, sort), their own or shared with one
//! of their teams. Only the owner changes or deletes a view; every change is audited and told
//! (`saved_view.*`) to the owner and, for a shared view, to the team.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::text;

use crate::entities::saved_views as views;
use crate::pagination::{Page, PageRequest, Sort, SortValue, fetch_page};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Result, check_version, now, stored_json};

pub const ENTITY: &str = "saved_view";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SavedViewRecord {
    pub id: Uuid,
    pub list: String,
    pub name: String,
    pub state: Value,
    pub owner_id: Uuid,
    pub team_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl SavedViewRecord {
    fn of_row(row: views::Model) -> Result<Self> {
        Ok(Self {
            state: stored_json("saved_views.state", row.id, &row.state)?,
            id: row.id,
            list: row.list,
            name: row.name,
            owner_id: row.owner_id,
            team_id: row.team_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        })
    }
}

/// A new view; its texts already checked by the API.
#[derive(Debug, Clone)]
pub struct NewSavedView {
    pub list: String,
    pub name: String,
    pub state: Value,
    pub team_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct SavedViewPatch {
    pub name: Option<String>,
    pub state: Option<Value>,
    /// `Some(None)` stops sharing.
    pub team_id: Option<Option<Uuid>>,
}

/// The views a caller sees: their own and those shared with their teams.
fn visible(actor: &Actor) -> Condition {
    let mut seen = Condition::any().add(views::Column::OwnerId.eq(actor.user_id));
    if !actor.team_ids.is_empty() {
        seen = seen.add(views::Column::TeamId.is_in(actor.team_ids.clone()));
    }
    seen
}

fn check_team(actor: &Actor, team_id: Option<Uuid>) -> Result<()> {
    match team_id {
        Some(team) if !actor.team_ids.contains(&team) => Err(Error::validation(
            "team_id",
            "not_your_team",
            text!("a view is shared only with a team you belong to", "视图只能共享给您所在的团队"),
        )),
        _ => Ok(()),
    }
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, list: &str, page: &PageRequest) -> Result<Page<SavedViewRecord>> {
    let select = views::Entity::find().filter(views::Column::List.eq(list)).filter(visible(actor));
    let sort = Sort { key: "name", column: views::Column::Name, descending: false, value: SortValue::Text };
    let page = fetch_page(&db.conn, select, &sort, views::Column::Id, page, |row| (json!(row.name), row.id)).await?;
    page.try_map(SavedViewRecord::of_row)
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, new: NewSavedView) -> Result<SavedViewRecord> {
    check_team(actor, new.team_id)?;
    let txn = db.begin_write().await?;
    let id = Uuid::now_v7();
    let model = views::ActiveModel {
        id: Set(id),
        list: Set(new.list),
        name: Set(new.name),
        state: Set(new.state.to_string()),
        owner_id: Set(actor.user_id),
        team_id: Set(new.team_id),
        ..Default::default()
    };
    let record = SavedViewRecord::of_row(insert_first_version(&txn, model, now()).await?)?;
    changes::commit(txn, actor, Change::created(ENTITY, id, &record), record).await
}

/// The view `id` as its owner may change it: 404 when the caller does not see it, 403 when they
/// see it (shared with their team) but do not own it.
async fn owned(conn: &impl sea_orm::ConnectionTrait, actor: &Actor, id: Uuid) -> Result<views::Model> {
    let row = views::Entity::find_by_id(id).filter(visible(actor)).one(conn).await?.ok_or(Error::NotFound)?;
    if row.owner_id != actor.user_id {
        return Err(Error::Forbidden(text!("only the view's owner may change it", "只有视图的创建者可以修改它")));
    }
    Ok(row)
}

#[tracing::instrument(skip_all)]
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, patch: SavedViewPatch) -> Result<SavedViewRecord> {
    if let Some(team) = patch.team_id {
        check_team(actor, team)?;
    }
    let txn = db.begin_write().await?;
    let row = owned(&txn, actor, id).await?;
    check_version(expected_version, row.version)?;
    let before = SavedViewRecord::of_row(row.clone())?;
    let mut model: views::ActiveModel = row.into();
    if let Some(name) = patch.name {
        model.name = Set(name);
    }
    if let Some(state) = patch.state {
        model.state = Set(state.to_string());
    }
    if let Some(team) = patch.team_id {
        model.team_id = Set(team);
    }
    let after = SavedViewRecord::of_row(save_next_version(&txn, model).await?)?;
    changes::commit(txn, actor, Change::updated(ENTITY, id, &before, &after), after).await
}

#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let txn = db.begin_write().await?;
    let row = owned(&txn, actor, id).await?;
    check_version(expected_version, row.version)?;
    let before = SavedViewRecord::of_row(row)?;
    views::Entity::delete_by_id(id).exec(&txn).await?;
    changes::commit(txn, actor, Change::removed(ENTITY, id, &before), ()).await
}
