//! User accounts (administered by admins): create, list, read, change, deactivate.

use crm_domain::text;
use sea_orm::sea_query::ExprTrait;
use sea_orm::sea_query::{Condition, Expr, Func, LikeExpr, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::{Action, NewUser, Resource, UserKind, UserPatch, UserSettings};

use crate::entities::{roles, user_teams, users};
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored};

/// A user as administrators see it (never the password hash).
#[derive(Debug, Clone, Serialize)]
pub struct UserRecord {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub locale: String,
    pub active: bool,
    pub role_id: Uuid,
    pub role_key: String,
    pub team_ids: Vec<Uuid>,
    pub kind: UserKind,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether the user signs in with a second factor (TOTP).
    pub two_factor_enabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub role_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub active: Option<bool>,
    /// The user with exactly this sign-in email (any case), for integrations setting owners.
    pub email: Option<String>,
    pub sort: Option<String>,
}

const ENTITY: &str = "user";

pub(super) async fn to_record(conn: &impl ConnectionTrait, user: users::Model) -> Result<UserRecord> {
    let role_key = roles::Entity::find_by_id(user.role_id).one(conn).await?.map(|r| r.key).unwrap_or_default();
    let team_ids =
        user_teams::Entity::find().filter(user_teams::Column::UserId.eq(user.id)).all(conn).await?.into_iter().map(|m| m.team_id).collect();
    Ok(UserRecord {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        locale: user.locale,
        active: user.active,
        role_id: user.role_id,
        role_key,
        team_ids,
        kind: stored("kind", user.id, &user.kind, UserKind::parse)?,
        last_login_at: user.last_login_at,
        two_factor_enabled: user.two_factor_enabled_at.is_some(),
        created_at: user.created_at,
        updated_at: user.updated_at,
        version: user.version,
    })
}

/// Reads any user by id; every signed-in user may read their own account.
#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<UserRecord> {
    if id != actor.user_id {
        actor.require(Resource::Users, Action::Read)?;
    }
    let user = users::Entity::find_by_id(id).one(&db.conn).await?.ok_or(Error::NotFound)?;
    to_record(&db.conn, user).await
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, filter: &UserFilter, page: &PageRequest) -> Result<Page<UserRecord>> {
    actor.require(Resource::Users, Action::Read)?;
    let sorts = [
        Sort { key: "display_name", column: users::Column::DisplayName, descending: false, value: SortValue::Text },
        Sort { key: "-display_name", column: users::Column::DisplayName, descending: true, value: SortValue::Text },
        Sort { key: "created_at", column: users::Column::CreatedAt, descending: false, value: SortValue::Time },
        Sort { key: "-created_at", column: users::Column::CreatedAt, descending: true, value: SortValue::Time },
    ];
    let sort = pick_sort(&sorts, filter.sort.as_deref())?;
    let mut condition = Condition::all().add(users::Column::Kind.eq(UserKind::Person.as_str()));
    if let Some(email) = &filter.email {
        condition = condition.add(users::Column::Email.eq(email.trim().to_lowercase()));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", crate::query::escape_like(&q.to_lowercase()));
        condition = condition.add(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(users::Column::DisplayName))).like(LikeExpr::new(pattern.clone()).escape('\\')))
                .add(Expr::col(users::Column::Email).like(LikeExpr::new(pattern).escape('\\'))),
        );
    }
    if let Some(role_id) = filter.role_id {
        condition = condition.add(users::Column::RoleId.eq(role_id));
    }
    if let Some(active) = filter.active {
        condition = condition.add(users::Column::Active.eq(active));
    }
    if let Some(team_id) = filter.team_id {
        condition = condition.add(
            users::Column::Id.in_subquery(
                Query::select()
                    .column(user_teams::Column::UserId)
                    .from(user_teams::Entity)
                    .and_where(user_teams::Column::TeamId.eq(team_id))
                    .take(),
            ),
        );
    }
    let page = fetch_page(&db.conn, users::Entity::find().filter(condition), sort, users::Column::Id, page, |u| {
        let value = match sort.value {
            SortValue::Text => json!(u.display_name),
            SortValue::Time | SortValue::Int => json!(u.created_at),
        };
        (value, u.id)
    })
    .await?;
    let mut data = Vec::with_capacity(page.data.len());
    for user in page.data {
        data.push(to_record(&db.conn, user).await?);
    }
    Ok(Page { data, next_cursor: page.next_cursor, total: page.total })
}

pub(super) async fn check_role_and_teams(conn: &impl ConnectionTrait, role_id: Option<Uuid>, team_ids: Option<&[Uuid]>) -> Result<()> {
    if let Some(role_id) = role_id
        && roles::Entity::find_by_id(role_id).one(conn).await?.is_none()
    {
        return Err(Error::validation("role_id", "not_found", text!("no such role", "角色不存在")));
    }
    if let Some(team_ids) = team_ids {
        for (index, team_id) in team_ids.iter().enumerate() {
            if crate::entities::teams::Entity::find_by_id(*team_id).one(conn).await?.is_none() {
                return Err(Error::validation(&format!("team_ids[{index}]"), "not_found", text!("no such team", "团队不存在")));
            }
        }
    }
    Ok(())
}

async fn set_teams(conn: &impl ConnectionTrait, user_id: Uuid, team_ids: &[Uuid]) -> Result<()> {
    user_teams::Entity::delete_many().filter(user_teams::Column::UserId.eq(user_id)).exec(conn).await?;
    let mut unique = team_ids.to_vec();
    unique.dedup();
    for team_id in unique {
        user_teams::ActiveModel { user_id: Set(user_id), team_id: Set(team_id) }.insert(conn).await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, new: NewUser) -> Result<UserRecord> {
    actor.require(Resource::Users, Action::Create)?;
    // A new account is given a role and teams: granting access is for administrators.
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    check_role_and_teams(&txn, Some(new.role_id), Some(&new.team_ids)).await?;
    let email = new.email.into_string();
    if let Some(holder) = users::Entity::find().filter(users::Column::Email.eq(email.clone())).one(&txn).await? {
        return Err(Error::Taken {
            code: "user.email_taken",
            message: text!("a user with this email already exists", "已有使用此邮箱的用户"),
            existing_id: holder.id,
        });
    }
    let at = now();
    let id = Uuid::now_v7();
    insert_first_version(
        &txn,
        users::ActiveModel {
            id: Set(id),
            email: Set(email),
            display_name: Set(new.display_name),
            password_hash: Set(new.password_hash),
            role_id: Set(new.role_id),
            locale: Set(new.locale),
            active: Set(true),
            last_login_at: Set(None),
            kind: Set(UserKind::Person.as_str().to_owned()),
            ..Default::default()
        },
        at,
    )
    .await?;
    set_teams(&txn, id, &new.team_ids).await?;
    let user = users::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    let record = to_record(&txn, user).await?;
    changes::commit(txn, actor, Change::created(ENTITY, id, &record), record).await
}

#[tracing::instrument(skip_all)]
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, mut patch: UserPatch) -> Result<UserRecord> {
    actor.require(Resource::Users, Action::Update)?;
    let txn = db.begin_write().await?;
    let user = users::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, user.version)?;
    if user.kind == UserKind::ApiKey.as_str() {
        return Err(Error::conflict(
            "user.is_api_key",
            text!("this user is an API key's; change it under /api-keys", "这是 API 密钥的账号，请在 API 密钥中修改"),
        ));
    }
    if id == actor.user_id && (patch.active == Some(false) || patch.role_id.is_some_and(|r| r != user.role_id)) {
        return Err(Error::conflict(
            "user.self_change",
            text!("you cannot deactivate yourself or change your own role", "不能停用自己或修改自己的角色"),
        ));
    }
    let grants_access = patch.role_id.is_some_and(|r| r != user.role_id) || patch.team_ids.is_some();
    let sets_others_password = patch.password_hash.is_some() && id != actor.user_id;
    if grants_access || sets_others_password || super::roles::granted_by(&txn, user.role_id).await?.is_administrator() {
        // Whoever may set another account's role, teams or password can become that account;
        // and an administrator's account is changed only by administrators.
        actor.require_admin()?;
    }
    check_role_and_teams(&txn, patch.role_id, patch.team_ids.as_deref()).await?;
    let before = to_record(&txn, user.clone()).await?;
    let deactivated = patch.active == Some(false) && user.active;
    let password_changed = patch.password_hash.is_some();
    // Teams and the password are not settings: teams are rows of their own, the password a hash.
    let team_ids = patch.team_ids.take();
    let password_hash = patch.password_hash.take();
    let current =
        UserSettings { display_name: user.display_name.clone(), role_id: user.role_id, active: user.active, locale: user.locale.clone() };
    let next = patch.apply(&current);
    let mut model: users::ActiveModel = user.clone().into();
    model.display_name = Set(next.display_name);
    model.role_id = Set(next.role_id);
    model.active = Set(next.active);
    model.locale = Set(next.locale);
    if let Some(hash) = password_hash {
        model.password_hash = Set(hash);
    }
    save_next_version(&txn, model).await?;
    if let Some(team_ids) = &team_ids {
        set_teams(&txn, id, team_ids).await?;
    }
    if deactivated || password_changed {
        super::auth::revoke_all_sessions(&txn, id, if deactivated { "deactivated" } else { "password changed" }).await?;
    }
    let after_model = users::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    let after = to_record(&txn, after_model).await?;
    let mut change = Change::updated(ENTITY, id, &before, &after);
    if password_changed {
        change = change.noting("password", json!("changed"));
    }
    if deactivated {
        change = change.told_as("user.deactivated");
    }
    changes::commit(txn, actor, change, after).await
}

/// Renames the user an API key acts as and sets its role (the name and the role of a key are its
/// user's), audited and told as that user's update, inside the key's transaction.
pub(super) async fn set_key_user_name_and_role(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    name: &str,
    role_id: Uuid,
) -> Result<()> {
    let user = users::Entity::find_by_id(id).one(txn).await?.ok_or(Error::NotFound)?;
    let before = to_record(txn, user.clone()).await?;
    let mut model: users::ActiveModel = user.into();
    model.display_name = Set(name.to_owned());
    model.role_id = Set(role_id);
    let saved = save_next_version(txn, model).await?;
    let after = to_record(txn, saved).await?;
    changes::record(txn, actor, Change::updated(ENTITY, id, &before, &after)).await?;
    Ok(())
}

/// The user with this email, for operator commands.
#[tracing::instrument(skip_all)]
pub async fn find_id_by_email(db: &Db, email: &str) -> Result<Option<Uuid>> {
    Ok(users::Entity::find().filter(users::Column::Email.eq(email.trim().to_lowercase())).one(&db.conn).await?.map(|u| u.id))
}

/// A signed-in user's own profile: account, role and teams (no permission needed).
pub struct Profile {
    pub user: UserRecord,
    pub role: super::roles::RoleRecord,
    pub teams: Vec<super::teams::TeamRecord>,
}

#[tracing::instrument(skip_all)]
pub async fn profile(db: &Db, user_id: Uuid) -> Result<Profile> {
    let user = users::Entity::find_by_id(user_id).one(&db.conn).await?.ok_or(Error::NotFound)?;
    let role = roles::Entity::find_by_id(user.role_id).one(&db.conn).await?.ok_or(Error::NotFound)?;
    let user = to_record(&db.conn, user).await?;
    let teams = if user.team_ids.is_empty() {
        vec![]
    } else {
        crate::entities::teams::Entity::find()
            .filter(crate::entities::teams::Column::Id.is_in(user.team_ids.clone()))
            .all(&db.conn)
            .await?
            .into_iter()
            .map(super::teams::TeamRecord::from)
            .collect()
    };
    Ok(Profile { user, role: super::roles::RoleRecord::try_from(role)?, teams })
}

/// A user's email and password hash, for checking the password they type to change it.
#[tracing::instrument(skip_all)]
pub async fn sign_in_secret(db: &Db, user_id: Uuid) -> Result<(String, String)> {
    let user = users::Entity::find_by_id(user_id).one(&db.conn).await?.ok_or(Error::NotFound)?;
    Ok((user.email, user.password_hash))
}

/// The caller changes their own password (after the handler checked the current one): the hash
/// is replaced and every other session of theirs ends, so a device or a thief still holding one
/// is signed out; `current_session` goes on, since it just proved the password.
#[tracing::instrument(skip_all)]
pub async fn change_own_password(db: &Db, actor: &Actor, current_session: Uuid, password_hash: String) -> Result<()> {
    use crate::entities::sessions;
    let txn = db.begin_write().await?;
    let id = actor.user_id;
    let user = users::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    let before = to_record(&txn, user.clone()).await?;
    let mut model: users::ActiveModel = user.into();
    model.password_hash = Set(password_hash);
    let after = to_record(&txn, save_next_version(&txn, model).await?).await?;
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now()))
        .col_expr(sessions::Column::RevokedReason, Expr::value("password changed"))
        .filter(sessions::Column::UserId.eq(id))
        .filter(sessions::Column::Id.ne(current_session))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let change = Change::told(ENTITY, id, "update", "user.updated", json!({ "password": "changed" }), Some(&before), &after);
    changes::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(())
}
