//! Roles and their permission matrices. Built-in roles are fixed; admins add custom ones.

use crm_domain::text;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::{Action, Permissions, Resource};

use crate::entities::{roles, users};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored_json};

#[derive(Debug, Clone, Serialize)]
pub struct RoleRecord {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub permissions: Permissions,
    /// Holders must sign in with a second factor (and enrol at their next sign-in).
    pub requires_two_factor: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl TryFrom<roles::Model> for RoleRecord {
    type Error = Error;

    /// A stored matrix that does not parse is an error, not an empty one: an administrator
    /// would otherwise save the empty matrix back over it.
    fn try_from(r: roles::Model) -> Result<Self> {
        Ok(Self {
            id: r.id,
            key: r.key,
            name: r.name,
            description: r.description,
            builtin: r.builtin,
            permissions: stored_json("roles.permissions", r.id, &r.permissions)?,
            requires_two_factor: r.requires_two_factor,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        })
    }
}

const ENTITY: &str = "role";

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, page: &PageRequest) -> Result<Page<RoleRecord>> {
    actor.require(Resource::Roles, Action::Read)?;
    let sort = Sort { key: "key", column: roles::Column::Key, descending: false, value: SortValue::Text };
    let page = fetch_page(&db.conn, roles::Entity::find(), &sort, roles::Column::Id, page, |r| (json!(r.key), r.id)).await?;
    page.try_map(RoleRecord::try_from)
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<RoleRecord> {
    actor.require(Resource::Roles, Action::Read)?;
    roles::Entity::find_by_id(id).one(&db.conn).await?.map(RoleRecord::try_from).ok_or(Error::NotFound)?
}

/// The role with this key (`sales`), for operator commands.
#[tracing::instrument(skip_all)]
pub async fn find_by_key(db: &Db, key: &str) -> Result<Option<RoleRecord>> {
    roles::Entity::find().filter(roles::Column::Key.eq(key)).one(&db.conn).await?.map(RoleRecord::try_from).transpose()
}

/// What a stored role matrix grants: `own`/`team` on the administration resources read as
/// `none` (roles saved before those were refused), and a matrix that does not parse grants nothing.
pub(crate) fn granted(stored: &str) -> Permissions {
    serde_json::from_str::<Permissions>(stored).unwrap_or_default().without_partial_administration()
}

/// What the role with this id grants (nothing when there is no such role).
pub(crate) async fn granted_by(conn: &impl ConnectionTrait, role_id: Uuid) -> Result<Permissions> {
    Ok(roles::Entity::find_by_id(role_id).one(conn).await?.map(|role| granted(&role.permissions)).unwrap_or_default())
}

/// A role may not carry `own` or `team` on the resources that administer access (see
/// [`crm_domain::identity::ADMINISTRATION_RESOURCES`]).
fn check_matrix(permissions: &Permissions) -> Result<()> {
    let cells = permissions.partial_administration_scopes();
    if cells.is_empty() {
        return Ok(());
    }
    let mut errors = crm_domain::ValidationErrors::new();
    for cell in cells {
        errors.push(crm_domain::FieldError::new(
            format!("permissions.{cell}"),
            "administration_scope",
            text!("users, roles, teams and audit take only none or all", "用户、角色、团队和审计只能设为“无”或“全部”"),
        ));
    }
    Err(errors.into())
}

#[tracing::instrument(skip_all)]
pub async fn create(
    db: &Db,
    actor: &Actor,
    key: String,
    name: String,
    description: String,
    permissions: Permissions,
    requires_two_factor: bool,
) -> Result<RoleRecord> {
    actor.require(Resource::Roles, Action::Create)?;
    actor.require_admin()?;
    check_matrix(&permissions)?;
    let txn = db.begin_write().await?;
    if let Some(holder) = roles::Entity::find().filter(roles::Column::Key.eq(key.clone())).one(&txn).await? {
        return Err(Error::Taken {
            code: "role.key_taken",
            message: text!("a role with this key already exists", "已有使用此标识的角色"),
            existing_id: holder.id,
        });
    }
    let at = now();
    let id = Uuid::now_v7();
    let model = insert_first_version(
        &txn,
        roles::ActiveModel {
            id: Set(id),
            key: Set(key),
            name: Set(name),
            description: Set(description),
            builtin: Set(false),
            permissions: Set(serde_json::to_string(&permissions).unwrap_or_else(|_| "{}".into())),
            requires_two_factor: Set(requires_two_factor),
            ..Default::default()
        },
        at,
    )
    .await?;
    let record = RoleRecord::try_from(model)?;
    changes::commit(txn, actor, Change::created(ENTITY, id, &record), record).await
}

/// A change to a role: each field sent replaces the role's, the others stay. Of a built-in
/// role only `requires_two_factor` may change.
#[derive(Debug, Clone, Default)]
pub struct RolePatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Permissions>,
    pub requires_two_factor: Option<bool>,
}

#[tracing::instrument(skip_all)]
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, patch: RolePatch) -> Result<RoleRecord> {
    actor.require(Resource::Roles, Action::Update)?;
    actor.require_admin()?;
    let RolePatch { name, description, permissions, requires_two_factor } = patch;
    if let Some(permissions) = &permissions {
        check_matrix(permissions)?;
    }
    let txn = db.begin_write().await?;
    let role = roles::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    if role.builtin && (name.is_some() || description.is_some() || permissions.is_some()) {
        return Err(Error::conflict(
            "role.built_in",
            text!(
                "built-in roles cannot be changed (except whether they require two-factor sign-in); create a custom role instead",
                "内置角色不能修改（是否要求两步验证除外），请新建自定义角色"
            ),
        ));
    }
    check_version(expected_version, role.version)?;
    let before = RoleRecord::try_from(role.clone())?;
    let mut model: roles::ActiveModel = role.clone().into();
    if let Some(name) = name {
        model.name = Set(name);
    }
    if let Some(description) = description {
        model.description = Set(description);
    }
    if let Some(permissions) = permissions {
        model.permissions = Set(serde_json::to_string(&permissions).unwrap_or_else(|_| "{}".into()));
    }
    if let Some(required) = requires_two_factor {
        model.requires_two_factor = Set(required);
    }
    let after = RoleRecord::try_from(save_next_version(&txn, model).await?)?;
    changes::commit(txn, actor, Change::updated(ENTITY, id, &before, &after), after).await
}

#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    actor.require(Resource::Roles, Action::Delete)?;
    let txn = db.begin_write().await?;
    let role = roles::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    if role.builtin {
        return Err(Error::conflict("role.built_in", text!("built-in roles cannot be deleted", "内置角色不能删除")));
    }
    check_version(expected_version, role.version)?;
    let holders = users::Entity::find().filter(users::Column::RoleId.eq(id)).count(&txn).await?;
    if holders > 0 {
        return Err(Error::conflict("role.in_use", text!("{holders} user(s) still have this role", "仍有 {holders} 名用户使用此角色")));
    }
    roles::Entity::delete_by_id(id).exec(&txn).await?;
    changes::record(&txn, actor, Change::removed(ENTITY, id, &RoleRecord::try_from(role)?)).await?;
    txn.commit().await?;
    Ok(())
}
