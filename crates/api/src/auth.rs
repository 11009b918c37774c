//! Authentication: argon2id passwords, 15-minute JWT access tokens bound to a session, and the
//! `Principal` extractor that turns a bearer token into the caller, read fresh from the database
//! on every request so that sign-out and deactivation take effect at once.

use crm_domain::ids::{PortalAccountId, SessionId, UserId};
use crm_domain::text;
use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crm_persistence::identity::api_keys;
use crm_persistence::{Actor, Db};

use crate::error::{ApiError, current_request_id};

pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
const PORTAL_TOKEN: &str = "portal";

/// The application state as handlers take it.
pub type State = actix_web::web::Data<AppState>;

/// Shared state of every request.
pub struct AppState {
    pub db: Db,
    pub jwt: JwtKeys,
    pub max_body_bytes: usize,
    pub time_zone: chrono_tz::Tz,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`CRM_TRUSTED_PROXIES`).
    pub trusted_proxies: TrustedProxies,
    /// Webhook delivery: whether private targets are allowed, and the worker's wake-up signal.
    pub webhooks: crate::platform::delivery::WebhookRuntime,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    sid: Uuid,
    iat: i64,
    exp: i64,
    typ: String,
}

impl JwtKeys {
    pub fn new(secret: &str) -> Self {
        Self { encoding: EncodingKey::from_secret(secret.as_bytes()), decoding: DecodingKey::from_secret(secret.as_bytes()) }
    }

    /// A signed access token for a user's session.
    pub fn issue(&self, user_id: Uuid, session_id: Uuid) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims { sub: user_id, sid: session_id, iat: now, exp: now + ACCESS_TOKEN_SECONDS, typ: "access".into() };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("signing a token: {e}")))
    }

    /// A signed token for a customer's portal session. Its type differs from staff tokens, so
    /// neither kind of token is accepted where the other is expected.
    pub fn issue_portal(&self, account_id: Uuid, session_id: Uuid, expires_at: chrono::DateTime<chrono::Utc>) -> Result<String, ApiError> {
        let claims = Claims {
            sub: account_id,
            sid: session_id,
            iat: chrono::Utc::now().timestamp(),
            exp: expires_at.timestamp(),
            typ: PORTAL_TOKEN.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("signing a token: {e}")))
    }

    fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        self.verify_typed(token, "access")
    }

    fn verify_typed(&self, token: &str, typ: &str) -> Result<Claims, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                ApiError::unauthorized("auth.token_expired", text!("the access token has expired; refresh it", "访问令牌已过期，请刷新"))
            }
            _ => ApiError::unauthorized("auth.token_invalid", text!("the access token is not valid", "访问令牌无效")),
        })?;
        if data.claims.typ != typ {
            return Err(ApiError::unauthorized("auth.token_invalid", text!("the access token is not valid", "访问令牌无效")));
        }
        Ok(data.claims)
    }
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("hashing a password: {e}")))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()).unwrap_or(false)
}

/// A hash of a random password, verified against when an email is unknown so that sign-in takes
/// as long for unknown accounts as for known ones.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&Uuid::new_v4().to_string()).unwrap_or_default())
}

/// The reverse proxies in front of the server (`CRM_TRUSTED_PROXIES`: comma-separated addresses
/// or CIDR blocks, default none). Behind a proxy every request's socket peer is the proxy, so
/// sign-in throttling and audit entries need the address it forwards; but anyone can send
/// `X-Forwarded-For`, so it is read only from a peer in this list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Parses `10.0.0.1, 10.1.0.0/16, ::1`; blank means none.
    pub fn parse(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| crm_domain::net::parse_network(item).ok_or_else(|| format!("{item:?} is neither an IP address nor a CIDR block")))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn contains(&self, address: std::net::IpAddr) -> bool {
        let address = crm_domain::net::canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client's address: the peer, unless the peer is a trusted proxy; then the right-most
    /// address in `X-Forwarded-For` that is not itself a trusted proxy (addresses to its left
    /// were written by the client and prove nothing).
    pub fn client_address(&self, peer: std::net::IpAddr, forwarded_for: &[&str]) -> std::net::IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_for.iter().rev().flat_map(|value| value.rsplit(',')).map(str::trim) {
            let Ok(address) = hop.parse::<std::net::IpAddr>() else { break };
            client = address;
            if !self.contains(address) {
                break;
            }
        }
        client
    }
}

/// The address a request came from: the socket peer, or what a trusted proxy forwarded (see
/// [`TrustedProxies`]). Used for sign-in throttling and audit entries.
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let Some(state) = req.app_data::<web::Data<AppState>>() else { return Some(peer.to_string()) };
    let forwarded: Vec<&str> = req.headers().get_all("x-forwarded-for").filter_map(|value| value.to_str().ok()).collect();
    Some(state.trusted_proxies.client_address(peer, &forwarded).to_string())
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub actor: Actor,
    /// The signed-in session; `None` for an integration calling with an API key.
    pub session_id: Option<Uuid>,
}

impl Principal {
    /// The caller's session, for what only a signed-in person can do (sign out, change their
    /// password): an API key has neither a session nor a password.
    pub fn session(&self) -> Result<Uuid, ApiError> {
        self.session_id.ok_or_else(|| {
            ApiError::conflict(
                "auth.no_session",
                text!(
                    "an API key has no session or password; revoke or rotate the key instead",
                    "API 密钥没有会话或密码；请改为吊销或轮换密钥"
                ),
            )
        })
    }
}

impl std::ops::Deref for Principal {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

pub fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| ApiError::Internal("application state missing".into()))
}

/// Authenticates a request once and caches the result in its extensions.
pub async fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    if let Some(principal) = req.extensions().get::<Principal>() {
        return Ok(principal.clone());
    }
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let Some(token) = header.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()) else {
        return Err(ApiError::unauthorized(
            "auth.required",
            text!(
                "send Authorization: Bearer <access token or API key>",
                "请先登录（请求须带 Authorization: Bearer <访问令牌或 API 密钥>）"
            ),
        ));
    };
    let state = state(req)?;
    let ip = client_ip(req);
    let principal = if api_keys::looks_like_key(token) {
        let mut actor = api_keys::authenticate(&state.db, token, ip.as_deref()).await?;
        actor.request_id = current_request_id();
        Principal { actor, session_id: None }
    } else {
        let claims = state.jwt.verify(token)?;
        let mut actor = crm_persistence::identity::auth::load_actor(&state.db, UserId(claims.sub), SessionId(claims.sid)).await?;
        actor.request_id = current_request_id();
        actor.ip = ip;
        Principal { actor, session_id: Some(claims.sid) }
    };
    let mut principal = principal;
    principal.actor.prefers_masked_personal_data = prefers_masked_personal_data(req);
    req.extensions_mut().insert(principal.clone());
    Ok(principal)
}

/// Whether the request asks for personal data masked (`Prefer: personal-data=masked`, RFC 7240):
/// the web app sends it on every request and reveals records one at a time, audited.
fn prefers_masked_personal_data(req: &HttpRequest) -> bool {
    req.headers()
        .get_all("prefer")
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|preference| preference.trim().replace('"', "").eq_ignore_ascii_case("personal-data=masked"))
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

/// A customer signed in to the portal.
#[derive(Debug, Clone)]
pub struct PortalPrincipal {
    pub customer: crm_persistence::service::portal::PortalCustomer,
    pub actor: Actor,
    pub session_id: Uuid,
}

pub async fn authenticate_portal(req: &HttpRequest) -> Result<PortalPrincipal, ApiError> {
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let Some(token) = header.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()) else {
        return Err(ApiError::unauthorized(
            "auth.required",
            text!("send Authorization: Bearer <portal token>", "请先登录门户（请求须带 Authorization: Bearer <门户令牌>）"),
        ));
    };
    let state = state(req)?;
    let claims = state.jwt.verify_typed(token, PORTAL_TOKEN)?;
    let customer = crm_persistence::service::portal::load_customer(&state.db, PortalAccountId(claims.sub), SessionId(claims.sid)).await?;
    let actor = customer.actor(current_request_id(), client_ip(req));
    Ok(PortalPrincipal { customer, actor, session_id: claims.sid })
}

impl FromRequest for PortalPrincipal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate_portal(&req).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let ip = |text: &str| text.parse::<std::net::IpAddr>().unwrap();
        let none = TrustedProxies::default();
        assert_eq!(none.client_address(ip("127.0.0.1"), &["203.0.113.1"]), ip("127.0.0.1"));
        let proxies = TrustedProxies::parse(" 127.0.0.1, 10.0.0.0/8 ").unwrap();
        assert_eq!(proxies.client_address(ip("127.0.0.1"), &["203.0.113.1"]), ip("203.0.113.1"));
        // The right-most untrusted hop counts; what the client wrote to its left is ignored.
        assert_eq!(proxies.client_address(ip("127.0.0.1"), &["198.51.100.7, 203.0.113.1", "10.1.2.3"]), ip("203.0.113.1"));
        assert_eq!(proxies.client_address(ip("198.51.100.9"), &["203.0.113.1"]), ip("198.51.100.9"));
        assert_eq!(proxies.client_address(ip("::ffff:127.0.0.1"), &["203.0.113.1"]), ip("203.0.113.1"));
        // An unreadable hop ends the walk at the last proxy.
        assert_eq!(proxies.client_address(ip("127.0.0.1"), &["not-an-address"]), ip("127.0.0.1"));
        assert!(TrustedProxies::parse("proxy.local").is_err());
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_verify_with_their_key_only() {
        let keys = JwtKeys::new("0123456789abcdef0123456789abcdef");
        let (user, session) = (Uuid::now_v7(), Uuid::now_v7());
        let token = keys.issue(user, session).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!((claims.sub, claims.sid), (user, session));
        assert!(JwtKeys::new("another-secret-another-secret-xx").verify(&token).is_err());
        assert!(keys.verify("garbage").is_err());
    }

    #[test]
    fn portal_and_staff_tokens_are_not_interchangeable() {
        let keys = JwtKeys::new("0123456789abcdef0123456789abcdef");
        let (account, session) = (Uuid::now_v7(), Uuid::now_v7());
        let portal = keys.issue_portal(account, session, chrono::Utc::now() + chrono::Duration::hours(1)).unwrap();
        assert!(keys.verify(&portal).is_err(), "a portal token must not pass as a staff token");
        assert_eq!(keys.verify_typed(&portal, PORTAL_TOKEN).unwrap().sub, account);
        let staff = keys.issue(account, session).unwrap();
        assert!(keys.verify_typed(&staff, PORTAL_TOKEN).is_err(), "a staff token must not pass as a portal token");
    }
}
