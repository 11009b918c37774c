//! Sign-in: login throttling, sessions (refresh-token families) with rotation and reuse
//! detection, and loading the [`Actor`] behind an access token.

use base64::Engine;
use chrono::Duration;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crm_domain::dates::shift;
use crm_domain::ids::{SessionId, UserId};

use crate::entities::{login_attempts, refresh_tokens, roles, sessions, user_teams, users};
use crate::{Actor, Db, Error, Result, now};

/// Failed sign-ins allowed for one account from one address in [`LOGIN_WINDOW_MINUTES`].
pub const ACCOUNT_FAILURES_PER_ADDRESS: u64 = 5;
/// Failed sign-ins allowed for one account from all addresses together (a spread-out attack).
pub const ACCOUNT_FAILURES_TOTAL: u64 = 50;
/// Failed sign-ins allowed from one address across all accounts.
pub const ADDRESS_FAILURES: u64 = 30;
pub const LOGIN_WINDOW_MINUTES: i64 = 15;
pub const SESSION_DAYS: i64 = 30;

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct LoginAccount {
    pub user_id: Uuid,
    pub password_hash: String,
    pub active: bool,
}

#[tracing::instrument(skip_all)]
pub async fn find_account(db: &Db, email: &str) -> Result<Option<LoginAccount>> {
    let account = users::Entity::find()
        .filter(users::Column::Email.eq(email.trim().to_lowercase()))
        // The users API keys act as have no password to sign in with.
        .filter(users::Column::Kind.eq(crm_domain::identity::UserKind::Person.as_str()))
        .one(&db.conn)
        .await?;
    Ok(account.map(|u| LoginAccount { user_id: u.id, password_hash: u.password_hash, active: u.active }))
}

/// Claims one sign-in attempt before the password is checked, or refuses it with
/// [`Error::RateLimited`]. Every attempt counts until it succeeds (a success gives its claim back
/// in [`release_login_claims`]), so at most the allowed number of passwords is ever evaluated
/// per window, however many requests arrive at once: each claim is one conditional `UPDATE` of a
/// counter row, which the database applies one at a time.
///
/// The tight limit is per account *and* address, so an attacker elsewhere cannot keep the real
/// user from signing in; only a spread attack past [`ACCOUNT_FAILURES_TOTAL`] locks the account
/// everywhere, and then for at most [`LOGIN_WINDOW_MINUTES`]. Windows are fixed: they start at
/// the first attempt and the count starts again when one has passed.
#[tracing::instrument(skip_all)]
pub async fn claim_login_attempt(db: &Db, email: &str, ip: Option<&str>) -> Result<()> {
    for (key, limit) in throttle_keys(email, ip) {
        claim(&db.conn, &key, limit).await?;
    }
    Ok(())
}

/// After a successful sign-in: the account's failures from this address are forgotten, and the
/// attempt no longer counts against the account or the address.
#[tracing::instrument(skip_all)]
pub async fn release_login_claims(db: &Db, email: &str, ip: Option<&str>) -> Result<()> {
    let keys = throttle_keys(email, ip);
    let mut refund = Query::update();
    refund
        .table(LoginThrottles::Table)
        .value(LoginThrottles::Attempts, Expr::col(LoginThrottles::Attempts).sub(1))
        .and_where(Expr::col(LoginThrottles::Key).is_in(keys.iter().map(|(key, _)| key.clone())))
        .and_where(Expr::col(LoginThrottles::Attempts).gt(0));
    db.conn.execute(&refund).await?;
    if ip.is_some() {
        let mut forget = Query::delete();
        forget.from_table(LoginThrottles::Table).and_where(Expr::col(LoginThrottles::Key).eq(keys[0].0.clone()));
        db.conn.execute(&forget).await?;
    }
    let mut stale = Query::delete();
    stale.from_table(LoginThrottles::Table).and_where(Expr::col(LoginThrottles::WindowStart).lt(now().timestamp() - 24 * 3600));
    db.conn.execute(&stale).await?;
    Ok(())
}

#[derive(sea_orm::DeriveIden)]
enum LoginThrottles {
    Table,
    Key,
    WindowStart,
    Attempts,
}

/// The counters a sign-in attempt claims from, tightest first (so a refused attempt uses up as
/// little of the wider limits as possible).
fn throttle_keys(email: &str, ip: Option<&str>) -> Vec<(String, u64)> {
    let email: String = email.trim().to_lowercase().chars().take(320).collect();
    let mut keys = Vec::with_capacity(3);
    if let Some(ip) = ip {
        keys.push((format!("account-address:{email} {ip}"), ACCOUNT_FAILURES_PER_ADDRESS));
        keys.push((format!("address:{ip}"), ADDRESS_FAILURES));
    }
    keys.push((format!("account:{email}"), ACCOUNT_FAILURES_TOTAL));
    keys
}

/// Takes one attempt from the counter `key`: starts a new window when the last one has passed,
/// else counts up while under `limit`. The `WHERE` holds the limit, so of any number of
/// concurrent claims only `limit` change the row.
async fn claim(conn: &impl ConnectionTrait, key: &str, limit: u64) -> Result<()> {
    let at = now().timestamp();
    let window = LOGIN_WINDOW_MINUTES * 60;
    let cutoff = at - window;
    let mut create = Query::insert();
    create
        .into_table(LoginThrottles::Table)
        .columns([LoginThrottles::Key, LoginThrottles::WindowStart, LoginThrottles::Attempts])
        .values_panic([key.into(), at.into(), 0.into()])
        .on_conflict(OnConflict::column(LoginThrottles::Key).do_nothing().to_owned());
    conn.execute(&create).await?;
    let expired = || Expr::col(LoginThrottles::WindowStart).lte(cutoff);
    let mut take = Query::update();
    take.table(LoginThrottles::Table)
        .value(LoginThrottles::Attempts, Expr::case(expired(), Expr::val(1)).finally(Expr::col(LoginThrottles::Attempts).add(1)))
        .value(LoginThrottles::WindowStart, Expr::case(expired(), Expr::val(at)).finally(Expr::col(LoginThrottles::WindowStart)))
        .and_where(Expr::col(LoginThrottles::Key).eq(key))
        .and_where(expired().or(Expr::col(LoginThrottles::Attempts).lt(i64::try_from(limit).unwrap_or(i64::MAX))));
    if conn.execute(&take).await?.rows_affected() == 1 {
        return Ok(());
    }
    let mut started = Query::select();
    started.column(LoginThrottles::WindowStart).from(LoginThrottles::Table).and_where(Expr::col(LoginThrottles::Key).eq(key));
    let window_start: Option<i64> = match conn.query_one(&started).await? {
        Some(row) => row.try_get_by_index(0).ok(),
        None => None,
    };
    let retry = std::cmp::max(window_start.map_or(window, |start| start + window - at), 1);
    Err(Error::RateLimited { retry_after_secs: u64::try_from(retry).unwrap_or(1) })
}

#[tracing::instrument(skip_all)]
pub async fn record_login_attempt(db: &Db, email: &str, ip: Option<&str>, succeeded: bool) -> Result<()> {
    let email = email.trim().to_lowercase();
    login_attempts::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.chars().take(320).collect()),
        ip: Set(ip.map(str::to_owned)),
        succeeded: Set(succeeded),
        attempted_at: Set(now()),
    }
    .insert(&db.conn)
    .await?;
    if succeeded {
        // A successful sign-in from an address clears that address's failures for the account.
        login_attempts::Entity::delete_many()
            .filter(login_attempts::Column::Email.eq(email))
            .filter(login_attempts::Column::Succeeded.eq(false))
            .filter(match ip {
                Some(ip) => login_attempts::Column::Ip.eq(ip),
                None => login_attempts::Column::Ip.is_null(),
            })
            .exec(&db.conn)
            .await?;
        login_attempts::Entity::delete_many()
            .filter(login_attempts::Column::AttemptedAt.lt(shift(now(), Duration::days(-1))))
            .exec(&db.conn)
            .await?;
    }
    Ok(())
}

/// A new opaque refresh token: 32 random bytes, shown to the client once and stored hashed.
fn new_refresh_token() -> String {
    random_token("rt_")
}

/// 32 random bytes, URL-safe, after a prefix that tells what the token is for.
pub(crate) fn random_token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Tokens are stored as their SHA-256, so a copy of the database lets nobody sign in.
pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A session opened by signing in: its id travels in access tokens, its refresh token rotates.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub refresh_token: String,
}

#[tracing::instrument(skip_all)]
pub async fn open_session(db: &Db, user_id: Uuid, ip: Option<&str>, user_agent: Option<&str>) -> Result<IssuedSession> {
    let txn = db.begin_write().await?;
    let session_id = Uuid::now_v7();
    let at = now();
    sessions::ActiveModel {
        id: Set(session_id),
        user_id: Set(user_id),
        created_at: Set(at),
        expires_at: Set(shift(at, Duration::days(SESSION_DAYS))),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        ip: Set(ip.map(str::to_owned)),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(300).collect())),
    }
    .insert(&txn)
    .await?;
    let refresh_token = insert_refresh_token(&txn, session_id).await?;
    users::ActiveModel { id: Set(user_id), last_login_at: Set(Some(at)), ..Default::default() }.update(&txn).await?;
    txn.commit().await?;
    Ok(IssuedSession { user_id, session_id, refresh_token })
}

async fn insert_refresh_token(conn: &impl ConnectionTrait, session_id: Uuid) -> Result<String> {
    let token = new_refresh_token();
    let at = now();
    refresh_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session_id),
        token_hash: Set(hash_token(&token)),
        created_at: Set(at),
        expires_at: Set(shift(at, Duration::days(SESSION_DAYS))),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// Exchanges a refresh token for a new one in the same session. A token that was already used
/// means it leaked (or a client replays it): the whole session is revoked, so both the thief and
/// the owner must sign in again.
#[tracing::instrument(skip_all)]
pub async fn rotate_refresh_token(db: &Db, token: &str) -> Result<IssuedSession> {
    let txn = db.begin_write().await?;
    let Some(stored) = refresh_tokens::Entity::find().filter(refresh_tokens::Column::TokenHash.eq(hash_token(token))).one(&txn).await?
    else {
        return Err(Error::Unauthorized {
            code: "auth.refresh_invalid",
            message: crm_domain::text!("the refresh token is not valid", "登录凭证无效，请重新登录"),
        });
    };
    let Some(session) = sessions::Entity::find_by_id(stored.session_id).one(&txn).await? else {
        return Err(Error::Unauthorized {
            code: "auth.refresh_invalid",
            message: crm_domain::text!("the refresh token is not valid", "登录凭证无效，请重新登录"),
        });
    };
    if session.revoked_at.is_some() {
        return Err(Error::Unauthorized {
            code: "auth.session_ended",
            message: crm_domain::text!("the session has ended", "会话已结束，请重新登录"),
        });
    }
    if stored.used_at.is_some() {
        revoke(&txn, session.id, "refresh token reused").await?;
        txn.commit().await?;
        return Err(Error::Unauthorized {
            code: "auth.refresh_reused",
            message: crm_domain::text!(
                "the refresh token was already used; the session has been revoked",
                "登录凭证已被使用，为安全起见会话已注销，请重新登录"
            ),
        });
    }
    if stored.expires_at < now() || session.expires_at < now() {
        return Err(Error::Unauthorized {
            code: "auth.session_expired",
            message: crm_domain::text!("the session has expired", "会话已过期，请重新登录"),
        });
    }
    let user = users::Entity::find_by_id(session.user_id).one(&txn).await?;
    if !user.is_some_and(|u| u.active) {
        return Err(Error::Unauthorized {
            code: "auth.account_deactivated",
            message: crm_domain::text!("the account is deactivated", "该账号已停用"),
        });
    }
    // Only the first of two racing refreshes may mark the token used.
    let claimed = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::UsedAt, Expr::value(now()))
        .filter(refresh_tokens::Column::Id.eq(stored.id))
        .filter(refresh_tokens::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(Error::Unauthorized {
            code: "auth.refresh_reused",
            message: crm_domain::text!("the refresh token was already used", "登录凭证已被使用，请重新登录"),
        });
    }
    let refresh_token = insert_refresh_token(&txn, session.id).await?;
    txn.commit().await?;
    Ok(IssuedSession { user_id: session.user_id, session_id: session.id, refresh_token })
}

async fn revoke(conn: &impl ConnectionTrait, session_id: Uuid, reason: &str) -> Result<()> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now()))
        .col_expr(sessions::Column::RevokedReason, Expr::value(reason))
        .filter(sessions::Column::Id.eq(session_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends the session a refresh token belongs to (sign out). Unknown tokens are ignored so that
/// signing out twice is harmless.
#[tracing::instrument(skip_all)]
pub async fn end_session_by_refresh_token(db: &Db, token: &str) -> Result<Option<Uuid>> {
    let stored = refresh_tokens::Entity::find().filter(refresh_tokens::Column::TokenHash.eq(hash_token(token))).one(&db.conn).await?;
    if let Some(stored) = &stored {
        revoke(&db.conn, stored.session_id, "signed out").await?;
    }
    Ok(stored.map(|s| s.session_id))
}

/// Ends one session by id (sign out with only an access token).
#[tracing::instrument(skip_all)]
pub async fn end_session(db: &Db, session_id: Uuid) -> Result<()> {
    revoke(&db.conn, session_id, "signed out").await
}

/// Revokes every open session of a user (deactivation, password change).
pub(crate) async fn revoke_all_sessions(conn: &impl ConnectionTrait, user_id: Uuid, reason: &str) -> Result<()> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now()))
        .col_expr(sessions::Column::RevokedReason, Expr::value(reason))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// What one query tells about an access token's session: whether it is live, whether its user is
/// active, and the identity generation (see [`ActorCache`]).
#[derive(Debug, sea_orm::FromQueryResult)]
struct SessionCheck {
    user_id: Uuid,
    revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    expires_at: chrono::DateTime<chrono::Utc>,
    active: bool,
    generation: i64,
}

/// Callers' permissions as computed from roles, teams and memberships, kept per user with the
/// identity generation they were computed at. Triggers raise the generation in the same
/// transaction as any change to those tables (migration 008), so an entry is used only while
/// nothing it was computed from has changed, on every instance sharing the database.
#[derive(Debug, Default)]
pub struct ActorCache {
    entries: std::sync::Mutex<std::collections::HashMap<Uuid, (i64, Actor)>>,
}

/// Entries kept at most; past it the cache starts over (each user then costs one reload).
const ACTOR_CACHE_CAPACITY: usize = 10_000;

impl ActorCache {
    fn get(&self, user_id: Uuid, generation: i64) -> Option<Actor> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.get(&user_id).filter(|(at, _)| *at == generation).map(|(_, actor)| actor.clone())
    }

    fn put(&self, generation: i64, actor: &Actor) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= ACTOR_CACHE_CAPACITY {
            entries.clear();
        }
        entries.insert(actor.user_id, (generation, actor.clone()));
    }
}

/// The caller behind an access token. The session and the account's state are read on every
/// request (one query), so sign-out and deactivation take effect at once; permissions and teams
/// are recomputed only when the identity generation has moved since they were last computed.
#[tracing::instrument(skip_all)]
pub async fn load_actor(db: &Db, user_id: UserId, session_id: SessionId) -> Result<Actor> {
    let (user_id, session_id) = (user_id.0, session_id.0);
    use sea_orm::sea_query::{Alias, Query};
    let generation = Alias::new("identity_generation");
    let query = Query::select()
        .column((sessions::Entity, sessions::Column::UserId))
        .column((sessions::Entity, sessions::Column::RevokedAt))
        .column((sessions::Entity, sessions::Column::ExpiresAt))
        .column((users::Entity, users::Column::Active))
        .column((generation.clone(), Alias::new("generation")))
        .from(sessions::Entity)
        .inner_join(users::Entity, Expr::col((users::Entity, users::Column::Id)).equals((sessions::Entity, sessions::Column::UserId)))
        .inner_join(generation.clone(), Expr::col((generation, Alias::new("id"))).eq(1))
        .and_where(Expr::col((sessions::Entity, sessions::Column::Id)).eq(session_id))
        .take();
    let check =
        <SessionCheck as sea_orm::FromQueryResult>::find_by_statement(db.conn.get_database_backend().build(&query)).one(&db.conn).await?;
    let Some(check) = check.filter(|c| c.user_id == user_id && c.revoked_at.is_none() && c.expires_at > now()) else {
        return Err(Error::Unauthorized {
            code: "auth.session_ended",
            message: crm_domain::text!("the session has ended", "会话已结束，请重新登录"),
        });
    };
    if !check.active {
        return Err(Error::Unauthorized {
            code: "auth.account_deactivated",
            message: crm_domain::text!("the account is deactivated", "该账号已停用"),
        });
    }
    actor_at_generation(db, user_id, check.generation).await
}

/// The actor of an active user whose credential was just checked together with the identity
/// generation: from the cache while that generation holds, else computed and cached.
pub(crate) async fn actor_at_generation(db: &Db, user_id: Uuid, generation: i64) -> Result<Actor> {
    db.names.observe(generation);
    if let Some(actor) = db.actors.get(user_id, generation) {
        return Ok(actor);
    }
    let actor = load_user_actor(db, user_id).await?;
    db.actors.put(generation, &actor);
    Ok(actor)
}

/// The actor for a user regardless of session (for operator commands and API keys).
#[tracing::instrument(skip_all)]
pub async fn load_user_actor(db: &Db, user_id: Uuid) -> Result<Actor> {
    let Some(user) = users::Entity::find_by_id(user_id).one(&db.conn).await? else {
        return Err(Error::Unauthorized {
            code: "auth.account_missing",
            message: crm_domain::text!("the account no longer exists", "该账号已不存在"),
        });
    };
    if !user.active {
        return Err(Error::Unauthorized {
            code: "auth.account_deactivated",
            message: crm_domain::text!("the account is deactivated", "该账号已停用"),
        });
    }
    let role = roles::Entity::find_by_id(user.role_id).one(&db.conn).await?.ok_or_else(|| Error::Unauthorized {
        code: "auth.no_role",
        message: crm_domain::text!("the account has no role", "该账号没有角色"),
    })?;
    let permissions = super::roles::granted(&role.permissions);
    let team_ids: Vec<Uuid> = user_teams::Entity::find()
        .filter(user_teams::Column::UserId.eq(user.id))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|m| m.team_id)
        .collect();
    let reach_team_ids = super::teams_below(&db.conn, &team_ids).await?;
    Ok(Actor {
        user_id: user.id,
        display_name: user.display_name,
        role_key: role.key,
        permissions,
        team_ids,
        reach_team_ids,
        request_id: None,
        ip: None,
        portal_account_id: None,
        api_key_id: None,
        prefers_masked_personal_data: false,
        import_id: None,
    })
}

/// Whether any user exists yet (first start creates the administrator).
#[tracing::instrument(skip_all)]
pub async fn has_users(db: &Db) -> Result<bool> {
    Ok(users::Entity::find().count(&db.conn).await? > 0)
}
