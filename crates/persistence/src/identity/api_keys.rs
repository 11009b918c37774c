//! API keys: credentials of unattended integrations. A key acts as a user of its own
//! (`users.kind = 'api_key'`, no password), so its rights are its role's, the records it creates
//! have an owner, and the audit trail names it. Rotation adds a key under the same user and lets
//! the old one work for an overlap; revocation ends a key at once. The key is shown once and
//! stored as its SHA-256 (256 random bits need no slow hash), and every request reads the key's
//! row, so a revocation holds on every instance from the next request on.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::api_keys::{AllowedAddresses, ApiKeyPatch, ApiKeySettings, KEY_PREFIX, KeyStatus, Rotation};
use crm_domain::identity::{DEFAULT_LOCALE, UserKind};
use crm_domain::text;

use super::auth::{hash_token, random_token};
use crate::entities::{api_key_addresses, api_keys, roles, users};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored_json};

const ENTITY: &str = "api_key";
/// Characters of a key shown in lists: `crm_` and eight of the secret, enough to tell keys apart
/// and far too few to guess the rest.
const SHOWN_PREFIX_CHARS: usize = 12;
/// How stale `last_used_at` may be before a request writes it again: often enough for "last
/// used" to mean something, rare enough that a busy key does not write on every request.
const LAST_USED_RESOLUTION_SECONDS: i64 = 60;
/// Where the users API keys act as get an address nobody can receive mail at (RFC 2606).
const KEY_USER_EMAIL_DOMAIN: &str = "api-keys.invalid";
/// A password hash no password matches: an API key's user cannot sign in.
const NO_PASSWORD: &str = "!";

/// A key as administrators see it: never the secret.
#[derive(Debug, Clone, Serialize)]
pub struct ApiKeyRecord {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub user_id: Uuid,
    pub role_id: Uuid,
    pub role_key: String,
    pub status: KeyStatus,
    pub expires_at: Option<DateTime<Utc>>,
    pub allowed_addresses: Vec<String>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_used_ip: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub replaced_by_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A key just made: the record and the key itself, which is never shown again.
#[derive(Debug, Clone)]
pub struct IssuedApiKey {
    pub record: ApiKeyRecord,
    pub key: String,
}

fn status(key: &api_keys::Model, at: DateTime<Utc>) -> KeyStatus {
    if key.revoked_at.is_some() {
        KeyStatus::Revoked
    } else if key.expires_at.is_some_and(|expires| expires <= at) {
        KeyStatus::Expired
    } else {
        KeyStatus::Active
    }
}

fn stored_addresses(id: Uuid, stored: &str) -> Result<AllowedAddresses> {
    let items: Vec<String> = stored_json("allowed_addresses", id, stored)?;
    AllowedAddresses::from_stored(&items).map_err(|e| Error::unexpected(sea_orm::DbErr::Custom(format!("allowed_addresses of {id}: {e}"))))
}

fn to_record(key: api_keys::Model, user: &users::Model, role_key: String) -> Result<ApiKeyRecord> {
    let allowed_addresses = stored_addresses(key.id, &key.allowed_addresses)?.to_strings();
    Ok(ApiKeyRecord {
        status: status(&key, now()),
        id: key.id,
        name: key.name,
        prefix: key.prefix,
        user_id: key.user_id,
        role_id: user.role_id,
        role_key,
        expires_at: key.expires_at,
        allowed_addresses,
        last_used_at: key.last_used_at,
        last_used_ip: key.last_used_ip,
        revoked_at: key.revoked_at,
        replaced_by_id: key.replaced_by_id,
        created_by: key.created_by,
        created_at: key.created_at,
        updated_at: key.updated_at,
        version: key.version,
    })
}

/// The records of `keys`, reading their users and roles in one query each.
async fn to_records(conn: &impl ConnectionTrait, keys: Vec<api_keys::Model>) -> Result<Vec<ApiKeyRecord>> {
    let user_ids: Vec<Uuid> = keys.iter().map(|k| k.user_id).collect();
    let users: HashMap<Uuid, users::Model> =
        users::Entity::find().filter(users::Column::Id.is_in(user_ids)).all(conn).await?.into_iter().map(|u| (u.id, u)).collect();
    let role_ids: Vec<Uuid> = users.values().map(|u| u.role_id).collect();
    let role_keys: HashMap<Uuid, String> =
        roles::Entity::find().filter(roles::Column::Id.is_in(role_ids)).all(conn).await?.into_iter().map(|r| (r.id, r.key)).collect();
    keys.into_iter()
        .map(|key| {
            let user = users
                .get(&key.user_id)
                .ok_or_else(|| Error::unexpected(sea_orm::DbErr::RecordNotFound(format!("the user of api key {}", key.id))))?;
            let role_key = role_keys.get(&user.role_id).cloned().unwrap_or_default();
            to_record(key, user, role_key)
        })
        .collect()
}

async fn read_record(conn: &impl ConnectionTrait, id: Uuid) -> Result<ApiKeyRecord> {
    let key = api_keys::Entity::find_by_id(id).one(conn).await?.ok_or(Error::NotFound)?;
    to_records(conn, vec![key]).await?.pop().ok_or(Error::NotFound)
}

/// Keys are managed by administrators signed in as themselves: a key with the administrator's
/// role must not lift its own address limits or expiry, or mint keys that outlive its revocation.
fn require_key_administrator(actor: &Actor) -> Result<()> {
    actor.require_admin()?;
    actor.require_in_person()
}

fn addresses_json(addresses: &AllowedAddresses) -> String {
    serde_json::Value::from(addresses.to_strings()).to_string()
}

/// A new secret row under `user_id`; the key comes back beside it.
fn new_key_row(
    user_id: Uuid,
    name: String,
    expires_at: Option<DateTime<Utc>>,
    addresses: String,
    actor: &Actor,
) -> (api_keys::ActiveModel, String) {
    let key = random_token(KEY_PREFIX);
    let row = api_keys::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        name: Set(name),
        prefix: Set(key.chars().take(SHOWN_PREFIX_CHARS).collect()),
        secret_hash: Set(hash_token(&key)),
        expires_at: Set(expires_at),
        allowed_addresses: Set(addresses),
        last_used_at: Set(None),
        last_used_ip: Set(None),
        revoked_at: Set(None),
        replaced_by_id: Set(None),
        created_by: Set(actor.audit_id()),
        ..Default::default()
    };
    (row, key)
}

/// Makes a key and the user it acts as. Administrators only: a key is a standing credential.
#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, settings: ApiKeySettings) -> Result<IssuedApiKey> {
    require_key_administrator(actor)?;
    let txn = db.begin_write().await?;
    super::users::check_role_and_teams(&txn, Some(settings.role_id), None).await?;
    let user_id = Uuid::now_v7();
    let user = users::ActiveModel {
        id: Set(user_id),
        email: Set(format!("api-key-{user_id}@{KEY_USER_EMAIL_DOMAIN}")),
        display_name: Set(settings.name.clone()),
        password_hash: Set(NO_PASSWORD.to_owned()),
        role_id: Set(settings.role_id),
        locale: Set(DEFAULT_LOCALE.to_owned()),
        active: Set(true),
        last_login_at: Set(None),
        kind: Set(UserKind::ApiKey.as_str().to_owned()),
        ..Default::default()
    };
    insert_first_version(&txn, user, now()).await?;
    let (row, key) = new_key_row(user_id, settings.name, settings.expires_at, addresses_json(&settings.allowed_addresses), actor);
    let id = insert_first_version(&txn, row, now()).await?.id;
    let record = read_record(&txn, id).await?;
    changes::record(&txn, actor, Change::created(ENTITY, id, &record)).await?;
    txn.commit().await?;
    Ok(IssuedApiKey { record, key })
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, page: &PageRequest) -> Result<Page<ApiKeyRecord>> {
    require_key_administrator(actor)?;
    let sort = Sort { key: "-created_at", column: api_keys::Column::CreatedAt, descending: true, value: SortValue::Time };
    let page = fetch_page(&db.conn, api_keys::Entity::find(), &sort, api_keys::Column::Id, page, |k| (json!(k.created_at), k.id)).await?;
    let data = to_records(&db.conn, page.data).await?;
    Ok(Page { data, next_cursor: page.next_cursor, total: page.total })
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<ApiKeyRecord> {
    require_key_administrator(actor)?;
    read_record(&db.conn, id).await
}

/// Changes a key's name, role, expiry or addresses. The name and the role belong to the user the
/// key acts as, so they change for the keys a rotation made from it as well.
#[tracing::instrument(skip_all)]
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, patch: ApiKeyPatch) -> Result<ApiKeyRecord> {
    require_key_administrator(actor)?;
    let txn = db.begin_write().await?;
    let key = api_keys::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, key.version)?;
    if patch.expires_at.is_some() && (key.replaced_by_id.is_some() || key.revoked_at.is_some()) {
        // Its end is what rotation and revocation decided: moving it would bring the old secret
        // back beside its replacement.
        return Err(Error::conflict(
            "api_key.expiry_fixed",
            text!("a rotated or revoked key's expiry cannot change", "已轮换或已吊销的密钥不能修改有效期"),
        ));
    }
    if let Some(role_id) = patch.role_id {
        super::users::check_role_and_teams(&txn, Some(role_id), None).await?;
    }
    let before = read_record(&txn, id).await?;
    let current = ApiKeySettings {
        name: key.name.clone(),
        role_id: before.role_id,
        expires_at: key.expires_at,
        allowed_addresses: stored_addresses(key.id, &key.allowed_addresses)?,
    };
    let next = patch.apply(&current);
    if next.name != current.name || next.role_id != current.role_id {
        // The keys a rotation made from this one show the name and the role too: each is changed,
        // versioned and told like the key itself, so a reader's ETag of a sibling no longer matches.
        let siblings =
            api_keys::Entity::find().filter(api_keys::Column::UserId.eq(key.user_id)).filter(api_keys::Column::Id.ne(id)).all(&txn).await?;
        let mut sibling_befores = Vec::with_capacity(siblings.len());
        for sibling in &siblings {
            sibling_befores.push(read_record(&txn, sibling.id).await?);
        }
        super::users::set_key_user_name_and_role(&txn, actor, key.user_id, &next.name, next.role_id).await?;
        for (sibling, sibling_before) in siblings.into_iter().zip(sibling_befores) {
            let sibling_id = sibling.id;
            let mut row: api_keys::ActiveModel = sibling.into();
            row.name = Set(next.name.clone());
            save_next_version(&txn, row).await?;
            let sibling_after = read_record(&txn, sibling_id).await?;
            changes::record(&txn, actor, Change::updated(ENTITY, sibling_id, &sibling_before, &sibling_after)).await?;
        }
    }
    let mut row: api_keys::ActiveModel = key.into();
    row.name = Set(next.name);
    row.expires_at = Set(next.expires_at);
    row.allowed_addresses = Set(addresses_json(&next.allowed_addresses));
    save_next_version(&txn, row).await?;
    let after = read_record(&txn, id).await?;
    changes::record(&txn, actor, Change::updated(ENTITY, id, &before, &after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Replaces a key with a new one under the same user, name, role and addresses, with the expiry
/// the rotation asks for (the old key's by default); the old key keeps working for the overlap
/// (not past its own expiry), so the job can be switched over without a gap.
#[tracing::instrument(skip_all)]
pub async fn rotate(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, rotation: Rotation) -> Result<IssuedApiKey> {
    require_key_administrator(actor)?;
    let txn = db.begin_write().await?;
    let old = api_keys::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, old.version)?;
    if status(&old, now()) != KeyStatus::Active || old.replaced_by_id.is_some() {
        return Err(not_rotatable());
    }
    let (row, key) = new_key_row(old.user_id, old.name.clone(), rotation.new_expiry(old.expires_at), old.allowed_addresses.clone(), actor);
    let new_id = insert_first_version(&txn, row, now()).await?.id;
    let before = read_record(&txn, id).await?;
    let at = now();
    let overlap_ends = at + rotation.overlap;
    // Claimed only if nobody rotated or revoked it since it was read: two rotations at once
    // would otherwise both issue a live key, and a rotation racing a revocation revive it.
    let claimed = api_keys::Entity::update_many()
        .col_expr(api_keys::Column::ExpiresAt, Expr::value(old.expires_at.map_or(overlap_ends, |expires| Ord::min(expires, overlap_ends))))
        .col_expr(api_keys::Column::ReplacedById, Expr::value(new_id))
        .col_expr(api_keys::Column::UpdatedAt, Expr::value(at))
        .col_expr(api_keys::Column::Version, Expr::value(old.version + 1))
        .filter(api_keys::Column::Id.eq(id))
        .filter(api_keys::Column::Version.eq(old.version))
        .filter(api_keys::Column::ReplacedById.is_null())
        .filter(api_keys::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(not_rotatable());
    }
    let after = read_record(&txn, id).await?;
    changes::record(&txn, actor, Change::updated(ENTITY, id, &before, &after).told_as("api_key.rotated")).await?;
    let record = read_record(&txn, new_id).await?;
    changes::record(&txn, actor, Change::created(ENTITY, new_id, &record).noting("rotated_from", json!(id))).await?;
    txn.commit().await?;
    Ok(IssuedApiKey { record, key })
}

fn not_rotatable() -> Error {
    Error::conflict(
        "api_key.not_rotatable",
        text!("only a working key that has not been rotated yet can be rotated", "只能轮换仍然有效且尚未轮换过的密钥"),
    )
}

/// Ends a key at once. Revoking a revoked key changes nothing.
#[tracing::instrument(skip_all)]
pub async fn revoke(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    require_key_administrator(actor)?;
    let txn = db.begin_write().await?;
    let key = api_keys::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    if key.revoked_at.is_some() {
        return Ok(());
    }
    check_version(expected_version, key.version)?;
    let before = read_record(&txn, id).await?;
    let at = now();
    // Only the first of two revocations at once writes one.
    let revoked = api_keys::Entity::update_many()
        .col_expr(api_keys::Column::RevokedAt, Expr::value(at))
        .col_expr(api_keys::Column::UpdatedAt, Expr::value(at))
        .col_expr(api_keys::Column::Version, Expr::value(key.version + 1))
        .filter(api_keys::Column::Id.eq(id))
        .filter(api_keys::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if revoked.rows_affected == 0 {
        return Ok(());
    }
    let after = read_record(&txn, id).await?;
    changes::record(&txn, actor, Change::updated(ENTITY, id, &before, &after).told_as("api_key.revoked")).await?;
    txn.commit().await?;
    Ok(())
}

/// What one query tells about a presented key: the key's row, its user's state and the identity
/// generation (see `auth::ActorCache`).
#[derive(Debug, sea_orm::FromQueryResult)]
struct KeyCheck {
    id: Uuid,
    user_id: Uuid,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    allowed_addresses: String,
    last_used_at: Option<DateTime<Utc>>,
    /// Whether the key has been used from the caller's address before (true without an address).
    known_address: bool,
    active: bool,
    generation: i64,
}

/// The caller behind an API key presented from `client_ip`: one query checks the key, its user
/// and the identity generation; permissions come from the actor cache while nothing they were
/// computed from has changed. `last_used_at` is written at most once a minute, and the first use
/// from each address is audited once (a job behind alternating addresses writes nothing more).
#[tracing::instrument(skip_all)]
pub async fn authenticate(db: &Db, key: &str, client_ip: Option<&str>) -> Result<Actor> {
    let generation = Alias::new("identity_generation");
    let known_address = match client_ip {
        Some(address) => Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(api_key_addresses::Entity)
                .and_where(
                    Expr::col((api_key_addresses::Entity, api_key_addresses::Column::ApiKeyId))
                        .equals((api_keys::Entity, api_keys::Column::Id)),
                )
                .and_where(Expr::col((api_key_addresses::Entity, api_key_addresses::Column::Address)).eq(address))
                .take(),
        ),
        None => Expr::val(true),
    };
    let query = Query::select()
        .column((api_keys::Entity, api_keys::Column::Id))
        .column((api_keys::Entity, api_keys::Column::UserId))
        .column((api_keys::Entity, api_keys::Column::ExpiresAt))
        .column((api_keys::Entity, api_keys::Column::RevokedAt))
        .column((api_keys::Entity, api_keys::Column::AllowedAddresses))
        .column((api_keys::Entity, api_keys::Column::LastUsedAt))
        .expr_as(known_address, Alias::new("known_address"))
        .column((users::Entity, users::Column::Active))
        .column((generation.clone(), Alias::new("generation")))
        .from(api_keys::Entity)
        .inner_join(users::Entity, Expr::col((users::Entity, users::Column::Id)).equals((api_keys::Entity, api_keys::Column::UserId)))
        .inner_join(generation.clone(), Expr::col((generation, Alias::new("id"))).eq(1))
        .and_where(Expr::col((api_keys::Entity, api_keys::Column::SecretHash)).eq(hash_token(key)))
        .take();
    let check =
        <KeyCheck as sea_orm::FromQueryResult>::find_by_statement(db.conn.get_database_backend().build(&query)).one(&db.conn).await?;
    let Some(check) = check else {
        return Err(Error::Unauthorized { code: "auth.api_key_invalid", message: text!("the API key is not valid", "API 密钥无效") });
    };
    let at = now();
    if check.revoked_at.is_some() {
        return Err(Error::Unauthorized {
            code: "auth.api_key_revoked",
            message: text!("the API key has been revoked", "API 密钥已被吊销"),
        });
    }
    if check.expires_at.is_some_and(|expires| expires <= at) {
        return Err(Error::Unauthorized { code: "auth.api_key_expired", message: text!("the API key has expired", "API 密钥已过期") });
    }
    if !check.active {
        return Err(Error::Unauthorized {
            code: "auth.account_deactivated", message: text!("the account is deactivated", "该账号已停用")
        });
    }
    let allowed = stored_addresses(check.id, &check.allowed_addresses)?;
    if !allowed.permits(client_ip.and_then(|ip| ip.parse().ok())) {
        return Err(Error::Unauthorized {
            code: "auth.api_key_address",
            message: text!("the API key may not be used from this address", "此 API 密钥不允许从该地址使用"),
        });
    }
    let mut actor = super::auth::actor_at_generation(db, check.user_id, check.generation).await?;
    actor.api_key_id = Some(check.id);
    actor.ip = client_ip.map(str::to_owned);
    let new_address = !check.known_address;
    let stale = check.last_used_at.is_none_or(|last| at - last >= Duration::seconds(LAST_USED_RESOLUTION_SECONDS));
    if (new_address || stale)
        && let Err(error) = note_use(db, &actor, check.id, client_ip, new_address).await
    {
        // Bookkeeping: a busy database must not turn the caller's request away.
        tracing::warn!(key = %check.id, %error, "could not note an API key's use");
    }
    Ok(actor)
}

/// Writes when and from where a key was last used (bookkeeping: the version does not move), and
/// remembers and audits its first use from an address; of two instances seeing that first use
/// at once, only the one that remembers it audits it.
async fn note_use(db: &Db, actor: &Actor, id: Uuid, client_ip: Option<&str>, new_address: bool) -> Result<()> {
    let txn = db.begin_write().await?;
    let at = now();
    api_keys::Entity::update_many()
        .col_expr(api_keys::Column::LastUsedAt, Expr::value(at))
        .col_expr(api_keys::Column::LastUsedIp, Expr::value(client_ip.map(str::to_owned)))
        .filter(api_keys::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if let (true, Some(address)) = (new_address, client_ip) {
        let remembered = api_key_addresses::Entity::insert(api_key_addresses::ActiveModel {
            api_key_id: Set(id),
            address: Set(address.to_owned()),
            first_used_at: Set(at),
        })
        .on_conflict(OnConflict::columns([api_key_addresses::Column::ApiKeyId, api_key_addresses::Column::Address]).do_nothing().to_owned())
        .exec_without_returning(&txn)
        .await?;
        if remembered == 1 {
            crate::platform::audit::record(&txn, actor, "use", ENTITY, id, json!({ "ip": client_ip })).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Whether `token` is an API key rather than a JWT (the extractor tells them apart by this).
pub fn looks_like_key(token: &str) -> bool {
    token.starts_with(KEY_PREFIX)
}
