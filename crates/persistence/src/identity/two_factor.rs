//! Two-factor sign-in for staff: enrolment (a pending TOTP secret confirmed by a code), recovery
//! codes, the challenge between password and code at sign-in, and turning it off (by its user, or
//! reset by an administrator). Every enable, disable, reset and regeneration is audited on the
//! user; the first three also tell `user.updated` (the user shows `two_factor_enabled`).
//!
//! The TOTP secret lives in one column, `users.totp_secret`, which the users entity does not
//! map: [`read_secret`] and [`write_secret`] are the only code that reads or writes it. It is
//! sealed with the data keys (AES-256-GCM, bound to the user): a stolen database holds no secret
//! that computes codes.
//!
//! Every code checked (at sign-in or by a signed-in user) is claimed against the sign-in limits
//! first (see [`auth::claim_login_attempt`]), so codes cannot be guessed faster than passwords.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::dates::shift;
use crm_domain::identity::UserKind;
use crm_domain::identity::two_factor::{
    CHALLENGE_MINUTES, RECOVERY_CODE_COUNT, TotpSecret, normalise_recovery_code, recovery_code_from_bytes,
};
use crm_domain::text;

use super::auth::{self, hash_token, random_token};
use crate::entities::{recovery_codes, roles, two_factor_challenges, users};
use crate::platform::changes::{self, Change, changed_fields, save_next_version};
use crate::{Actor, Db, Error, Result, now};

const ENTITY: &str = "user";
const SIGN_IN: &str = "sign_in";
const ENROL: &str = "enrol";

#[derive(sea_orm::DeriveIden)]
enum Users {
    Table,
    Id,
    TotpSecret,
}

/// The field name that binds a sealed secret to its column (see [`crm_domain::privacy::keys`]).
pub(crate) const SECRET_FIELD: &str = "users.totp_secret";

/// The one read of the TOTP secret column, opened with the data keys. A value that does not
/// parse reads as none; one sealed with a key this server lacks is an error, never "no secret".
async fn read_secret(db: &Db, conn: &impl ConnectionTrait, user_id: Uuid) -> Result<Option<TotpSecret>> {
    let mut select = Query::select();
    select.column(Users::TotpSecret).from(Users::Table).and_where(Expr::col(Users::Id).eq(user_id));
    let stored: Option<String> = match conn.query_one(&select).await? {
        Some(row) => row.try_get_by_index::<Option<String>>(0).ok().flatten(),
        None => None,
    };
    let Some(stored) = stored else { return Ok(None) };
    let opened = db
        .keys()?
        .open(SECRET_FIELD, &user_id.to_string(), &stored)
        .map_err(|error| Error::unexpected(sea_orm::DbErr::Custom(format!("a two-factor secret does not open: {error}"))))?;
    Ok(TotpSecret::parse(&opened))
}

/// The one write of the TOTP secret column: sealed with the current data key, or cleared.
async fn write_secret(db: &Db, conn: &impl ConnectionTrait, user_id: Uuid, secret: Option<&TotpSecret>) -> Result<()> {
    let sealed = match secret {
        Some(secret) => Some(db.keys()?.seal(SECRET_FIELD, &user_id.to_string(), secret.as_base32())),
        None => None,
    };
    let mut update = Query::update();
    update.table(Users::Table).value(Users::TotpSecret, sealed).and_where(Expr::col(Users::Id).eq(user_id));
    conn.execute(&update).await?;
    Ok(())
}

/// A new secret as its user adds it to an authenticator app.
#[derive(Debug, Clone)]
pub struct PendingSetup {
    /// Base32, for typing in by hand.
    pub secret: String,
    /// `otpauth://totp/CRM:<email>?secret=…&issuer=CRM`, for a QR code.
    pub otpauth_uri: String,
}

/// The step between a correct password and a signed-in session.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// Opaque, single-use; valid [`CHALLENGE_MINUTES`].
    pub token: String,
    pub expires_at: DateTime<Utc>,
    /// Set when the user's role requires two-factor sign-in and they have not enrolled: the
    /// secret to add, confirmed by the code that finishes sign-in.
    pub setup: Option<PendingSetup>,
}

/// What proves the second factor at sign-in.
#[derive(Debug, Clone, Copy)]
pub enum SignInProof<'a> {
    Code(&'a str),
    RecoveryCode(&'a str),
}

/// A finished sign-in: whose, and the recovery codes when it also finished enrolment.
#[derive(Debug, Clone)]
pub struct FinishedSignIn {
    pub user_id: Uuid,
    pub recovery_codes: Option<Vec<String>>,
}

/// What proves a user may turn their own two-factor sign-in off.
#[derive(Debug, Clone, Copy)]
pub enum DisableProof<'a> {
    /// The caller checked the user's password (a slow hash, verified off the async workers).
    PasswordChecked,
    Code(&'a str),
}

fn already_enabled() -> Error {
    Error::conflict("two_factor.already_enabled", text!("two-factor sign-in is already on", "两步验证已开启"))
}

fn not_enabled() -> Error {
    Error::conflict("two_factor.not_enabled", text!("two-factor sign-in is not on", "两步验证未开启"))
}

fn not_set_up() -> Error {
    Error::conflict(
        "two_factor.not_set_up",
        text!("start the setup first: there is no secret to confirm", "请先开始设置：没有待确认的密钥"),
    )
}

fn incorrect_code() -> Error {
    Error::validation(
        "code",
        "incorrect_code",
        text!("is not the current code of your authenticator app", "不是身份验证器当前显示的验证码"),
    )
}

fn challenge_invalid() -> Error {
    Error::Unauthorized {
        code: "auth.challenge_invalid",
        message: text!("the sign-in step has expired or was already used; sign in again", "登录步骤已过期或已使用，请重新登录"),
    }
}

fn second_factor_invalid() -> Error {
    Error::Unauthorized {
        code: "auth.two_factor_invalid",
        message: text!("the code is wrong, expired or already used", "验证码错误、已过期或已使用"),
    }
}

async fn find_user(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<users::Model> {
    users::Entity::find_by_id(user_id).one(conn).await?.ok_or(Error::NotFound)
}

async fn role_requires(conn: &impl ConnectionTrait, role_id: Uuid) -> Result<bool> {
    Ok(roles::Entity::find_by_id(role_id).one(conn).await?.is_some_and(|r| r.requires_two_factor))
}

fn new_pending(email: &str) -> Result<(TotpSecret, PendingSetup)> {
    let secret = TotpSecret::from_bytes(rand::random());
    let otpauth_uri =
        secret.otpauth_uri(email).ok_or_else(|| Error::Unexpected(sea_orm::DbErr::Custom("the otpauth URI could not be built".into())))?;
    let setup = PendingSetup { secret: secret.as_base32().to_owned(), otpauth_uri };
    Ok((secret, setup))
}

fn unix_now() -> u64 {
    u64::try_from(now().timestamp()).unwrap_or(0)
}

/// Accepts `code` when it is right now and of a later time step than any accepted before: the
/// step is stored by a conditional update, so of two requests with the same code only one wins.
async fn accept_code(conn: &impl ConnectionTrait, user_id: Uuid, secret: &TotpSecret, code: &str) -> Result<bool> {
    let Some(step) = secret.matching_step(code, unix_now()) else { return Ok(false) };
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let accepted = users::Entity::update_many()
        .col_expr(users::Column::TotpLastStep, Expr::value(step))
        .filter(users::Column::Id.eq(user_id))
        .filter(sea_orm::Condition::any().add(users::Column::TotpLastStep.is_null()).add(users::Column::TotpLastStep.lt(step)))
        .exec(conn)
        .await?;
    Ok(accepted.rows_affected == 1)
}

/// Uses up one unused recovery code of the user; false when it is not one (or was used).
async fn use_recovery_code(conn: &impl ConnectionTrait, user_id: Uuid, code: &str) -> Result<bool> {
    let normalised = normalise_recovery_code(code);
    if normalised.is_empty() {
        return Ok(false);
    }
    let used = recovery_codes::Entity::update_many()
        .col_expr(recovery_codes::Column::UsedAt, Expr::value(now()))
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .filter(recovery_codes::Column::CodeHash.eq(hash_token(&normalised)))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(used.rows_affected >= 1)
}

/// Runs one check of a second factor inside the sign-in limits: the attempt is claimed before
/// `attempt` runs (a future does nothing until awaited), counted as failed when it answers false,
/// and given back when it answers true.
async fn guarded(db: &Db, email: &str, ip: Option<&str>, attempt: impl std::future::Future<Output = Result<bool>>) -> Result<bool> {
    auth::claim_login_attempt(db, email, ip).await?;
    let passed = attempt.await?;
    auth::record_login_attempt(db, email, ip, passed).await?;
    if passed {
        auth::release_login_claims(db, email, ip).await?;
    }
    Ok(passed)
}

/// Replaces the user's recovery codes with [`RECOVERY_CODE_COUNT`] new ones, returned in clear
/// this once and stored as SHA-256.
async fn replace_recovery_codes(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<String>> {
    recovery_codes::Entity::delete_many().filter(recovery_codes::Column::UserId.eq(user_id)).exec(conn).await?;
    let at = now();
    let codes: Vec<String> = (0..RECOVERY_CODE_COUNT).map(|_| recovery_code_from_bytes(rand::random())).collect();
    let rows = codes.iter().map(|code| recovery_codes::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        code_hash: Set(hash_token(&normalise_recovery_code(code))),
        created_at: Set(at),
        used_at: Set(None),
    });
    recovery_codes::Entity::insert_many(rows).exec(conn).await?;
    Ok(codes)
}

/// Marks the user enrolled, issues recovery codes and records the change (`user.updated`).
async fn turn_on(conn: &impl ConnectionTrait, actor: &Actor, user: users::Model) -> Result<Vec<String>> {
    let id = user.id;
    let before = super::users::to_record(conn, user.clone()).await?;
    let mut model: users::ActiveModel = user.into();
    model.two_factor_enabled_at = Set(Some(now()));
    let after = super::users::to_record(conn, save_next_version(conn, model).await?).await?;
    let codes = replace_recovery_codes(conn, id).await?;
    let audit = Value::Object(changed_fields(&before, &after));
    changes::record(conn, actor, Change::told(ENTITY, id, "enable_two_factor", "user.updated", audit, Some(&before), &after)).await?;
    Ok(codes)
}

/// Clears the secret, the enrolment, the recovery codes and open challenges, and records the
/// change under `action` (`user.updated`).
async fn turn_off(db: &Db, conn: &impl ConnectionTrait, actor: &Actor, user: users::Model, action: &str) -> Result<()> {
    let id = user.id;
    let before = super::users::to_record(conn, user.clone()).await?;
    write_secret(db, conn, id, None).await?;
    let mut model: users::ActiveModel = user.into();
    model.two_factor_enabled_at = Set(None);
    model.totp_last_step = Set(None);
    let after = super::users::to_record(conn, save_next_version(conn, model).await?).await?;
    recovery_codes::Entity::delete_many().filter(recovery_codes::Column::UserId.eq(id)).exec(conn).await?;
    two_factor_challenges::Entity::delete_many().filter(two_factor_challenges::Column::UserId.eq(id)).exec(conn).await?;
    let audit = Value::Object(changed_fields(&before, &after));
    changes::record(conn, actor, Change::told(ENTITY, id, action, "user.updated", audit, Some(&before), &after)).await
}

/// Starts enrolment for the signed-in caller: a new secret, pending until a code confirms it
/// ([`enable`]). Starting again replaces a pending secret; an enabled one is kept (409).
#[tracing::instrument(skip_all)]
pub async fn setup(db: &Db, actor: &Actor) -> Result<PendingSetup> {
    actor.require_in_person()?;
    let txn = db.begin_write().await?;
    let user = find_user(&txn, actor.user_id).await?;
    if user.two_factor_enabled_at.is_some() {
        return Err(already_enabled());
    }
    let (secret, setup) = new_pending(&user.email)?;
    write_secret(db, &txn, user.id, Some(&secret)).await?;
    txn.commit().await?;
    Ok(setup)
}

/// Confirms the pending secret with a current code: two-factor sign-in is on, and the recovery
/// codes are returned this once.
#[tracing::instrument(skip_all)]
pub async fn enable(db: &Db, actor: &Actor, code: &str) -> Result<Vec<String>> {
    actor.require_in_person()?;
    let user = find_user(&db.conn, actor.user_id).await?;
    if user.two_factor_enabled_at.is_some() {
        return Err(already_enabled());
    }
    let secret = read_secret(db, &db.conn, user.id).await?.ok_or_else(not_set_up)?;
    if !guarded(db, &user.email, actor.ip.as_deref(), accept_code(&db.conn, user.id, &secret, code)).await? {
        return Err(incorrect_code());
    }
    let txn = db.begin_write().await?;
    let user = find_user(&txn, actor.user_id).await?;
    if user.two_factor_enabled_at.is_some() {
        return Err(already_enabled());
    }
    let codes = turn_on(&txn, actor, user).await?;
    txn.commit().await?;
    Ok(codes)
}

/// Turns the caller's own two-factor sign-in off, on their password or a current code; refused
/// while their role requires it (an administrator may still reset it).
#[tracing::instrument(skip_all)]
pub async fn disable(db: &Db, actor: &Actor, proof: DisableProof<'_>) -> Result<()> {
    actor.require_in_person()?;
    let user = find_user(&db.conn, actor.user_id).await?;
    if user.two_factor_enabled_at.is_none() {
        return Err(not_enabled());
    }
    if role_requires(&db.conn, user.role_id).await? {
        return Err(Error::conflict(
            "two_factor.required_by_role",
            text!("your role requires two-factor sign-in; it cannot be turned off", "你的角色要求两步验证，不能关闭"),
        ));
    }
    if let DisableProof::Code(code) = proof {
        let secret = read_secret(db, &db.conn, user.id).await?.ok_or_else(not_enabled)?;
        if !guarded(db, &user.email, actor.ip.as_deref(), accept_code(&db.conn, user.id, &secret, code)).await? {
            return Err(incorrect_code());
        }
    }
    let txn = db.begin_write().await?;
    let user = find_user(&txn, actor.user_id).await?;
    turn_off(db, &txn, actor, user, "disable_two_factor").await?;
    txn.commit().await?;
    Ok(())
}

/// New recovery codes for the caller (the old ones stop working), on a current code; audited.
#[tracing::instrument(skip_all)]
pub async fn regenerate_recovery_codes(db: &Db, actor: &Actor, code: &str) -> Result<Vec<String>> {
    actor.require_in_person()?;
    let user = find_user(&db.conn, actor.user_id).await?;
    if user.two_factor_enabled_at.is_none() {
        return Err(not_enabled());
    }
    let secret = read_secret(db, &db.conn, user.id).await?.ok_or_else(not_enabled)?;
    if !guarded(db, &user.email, actor.ip.as_deref(), accept_code(&db.conn, user.id, &secret, code)).await? {
        return Err(incorrect_code());
    }
    let txn = db.begin_write().await?;
    let codes = replace_recovery_codes(&txn, user.id).await?;
    crate::platform::audit::record(&txn, actor, "regenerate_recovery_codes", ENTITY, user.id, json!({ "recovery_codes": "regenerated" }))
        .await?;
    txn.commit().await?;
    Ok(codes)
}

/// An administrator turns a user's two-factor sign-in off (a lost phone); the user enrols again
/// when they want to, or at their next sign-in when their role requires it.
#[tracing::instrument(skip_all)]
pub async fn reset(db: &Db, actor: &Actor, user_id: Uuid) -> Result<()> {
    actor.require_in_person()?;
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let user = find_user(&txn, user_id).await?;
    if user.two_factor_enabled_at.is_none() {
        return Err(not_enabled());
    }
    turn_off(db, &txn, actor, user, "reset_two_factor").await?;
    txn.commit().await?;
    Ok(())
}

/// After a correct password: the challenge that must be answered before a session opens, or
/// `None` when the account signs in with its password alone. A user whose role requires two-factor
/// sign-in and who has not enrolled gets a new pending secret with the challenge.
#[tracing::instrument(skip_all)]
pub async fn challenge_for(db: &Db, user_id: Uuid) -> Result<Option<Challenge>> {
    let user = find_user(&db.conn, user_id).await?;
    let (purpose, pending) = if user.two_factor_enabled_at.is_some() {
        (SIGN_IN, None)
    } else if user.kind == UserKind::Person.as_str() && role_requires(&db.conn, user.role_id).await? {
        (ENROL, Some(new_pending(&user.email)?))
    } else {
        return Ok(None);
    };
    let txn = db.begin_write().await?;
    let at = now();
    two_factor_challenges::Entity::delete_many()
        .filter(two_factor_challenges::Column::UserId.eq(user_id))
        .filter(two_factor_challenges::Column::ExpiresAt.lt(at))
        .exec(&txn)
        .await?;
    if let Some((secret, _)) = &pending {
        write_secret(db, &txn, user_id, Some(secret)).await?;
    }
    let token = random_token("tfa_");
    let expires_at = shift(at, Duration::minutes(CHALLENGE_MINUTES));
    two_factor_challenges::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        token_hash: Set(hash_token(&token)),
        purpose: Set(purpose.to_owned()),
        created_at: Set(at),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Some(Challenge { token, expires_at, setup: pending.map(|(_, setup)| setup) }))
}

/// Answers a challenge: a current code (or, once enrolled, an unused recovery code) finishes
/// sign-in; for an enrolment challenge the code also turns two-factor sign-in on. Wrong answers
/// count against the sign-in limits; the challenge works once and for [`CHALLENGE_MINUTES`].
#[tracing::instrument(skip_all)]
pub async fn finish_sign_in(
    db: &Db,
    token: &str,
    proof: SignInProof<'_>,
    ip: Option<&str>,
    request_id: Option<String>,
) -> Result<FinishedSignIn> {
    let challenge = two_factor_challenges::Entity::find()
        .filter(two_factor_challenges::Column::TokenHash.eq(hash_token(token.trim())))
        .one(&db.conn)
        .await?
        .filter(|c| c.used_at.is_none() && c.expires_at > now())
        .ok_or_else(challenge_invalid)?;
    let user = find_user(&db.conn, challenge.user_id).await.map_err(|_| challenge_invalid())?;
    if !user.active {
        return Err(Error::Unauthorized {
            code: "auth.account_deactivated", message: text!("the account is deactivated", "该账号已停用")
        });
    }
    let enrolling = challenge.purpose == ENROL;
    if enrolling == user.two_factor_enabled_at.is_some() {
        // Enrolled since the enrolment challenge, or reset since the sign-in challenge.
        return Err(challenge_invalid());
    }
    let passed = match proof {
        SignInProof::RecoveryCode(_) if enrolling => {
            return Err(Error::validation(
                "recovery_code",
                "not_enrolled",
                text!(
                    "recovery codes are issued once enrolment is confirmed with a code",
                    "确认开启两步验证后才会发放恢复码，请输入验证码"
                ),
            ));
        }
        // The secret is opened only for a code: a recovery code still signs in when it cannot
        // be (a data key missing during a rotation), which is what recovery codes are for.
        SignInProof::RecoveryCode(code) => guarded(db, &user.email, ip, use_recovery_code(&db.conn, user.id, code)).await?,
        SignInProof::Code(code) => match read_secret(db, &db.conn, user.id).await? {
            Some(secret) => guarded(db, &user.email, ip, accept_code(&db.conn, user.id, &secret, code)).await?,
            None => guarded(db, &user.email, ip, async { Ok(false) }).await?,
        },
    };
    if !passed {
        return Err(second_factor_invalid());
    }
    let actor = if enrolling {
        let mut actor = auth::load_user_actor(db, user.id).await?;
        actor.ip = ip.map(str::to_owned);
        actor.request_id = request_id;
        Some(actor)
    } else {
        None
    };
    let txn = db.begin_write().await?;
    let claimed = two_factor_challenges::Entity::update_many()
        .col_expr(two_factor_challenges::Column::UsedAt, Expr::value(now()))
        .filter(two_factor_challenges::Column::Id.eq(challenge.id))
        .filter(two_factor_challenges::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(challenge_invalid());
    }
    let recovery_codes = match &actor {
        Some(actor) => {
            let user = find_user(&txn, user.id).await?;
            Some(turn_on(&txn, actor, user).await?)
        }
        None => None,
    };
    txn.commit().await?;
    Ok(FinishedSignIn { user_id: user.id, recovery_codes })
}
