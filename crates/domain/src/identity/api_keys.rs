//! API keys: the credentials of unattended integrations (an ERP's nightly sync, a finance job).
//! A key acts as a user of its own, under a role, so its rights are the role's and what it
//! creates has an owner; what an administrator says about a key is checked here.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::check::Check;
use crate::error::{HasCode, ValidationErrors};
use crate::message::Text;
use crate::patch::merge_patch;
use crate::text;
use crate::values::string_enum;

/// Longest key name, in characters.
pub const NAME_MAX: usize = 100;
/// Most client addresses or networks one key may be limited to.
pub const ALLOWED_ADDRESSES_MAX: usize = 50;
/// How long the old secret keeps working after a rotation when the request names no overlap.
pub const DEFAULT_ROTATION_OVERLAP_MINUTES: i64 = 24 * 60;
/// The longest overlap a rotation may give the old secret (7 days): long enough for a monthly
/// job's owner to be told, short enough that a leaked key does not live on for long.
pub const ROTATION_OVERLAP_MAX_MINUTES: i64 = 7 * 24 * 60;
/// Every key starts with this, so a scanner (or a person) can tell it from a JWT at a glance.
pub const KEY_PREFIX: &str = "crm_";

string_enum! {
    /// Whether a key works now: `active`, `expired` (past its expiry, or past the overlap after
    /// a rotation) or `revoked`.
    KeyStatus { Active => "active", Expired => "expired", Revoked => "revoked" }
}

/// The client addresses a key may be used from: single addresses or CIDR networks; none means
/// any address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllowedAddresses(Vec<ipnet::IpNet>);

impl AllowedAddresses {
    /// Parses each of `items` (`203.0.113.7`, `10.1.0.0/16`, `2001:db8::/32`), reporting a bad
    /// item against `field[index]`.
    pub fn parse(field: &str, items: &[String], check: &mut Check) -> Option<Self> {
        if items.len() > ALLOWED_ADDRESSES_MAX {
            check.fail(field, ApiKeyError::TooManyAddresses);
            return None;
        }
        let mut networks = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let item = item.trim();
            match network(item) {
                Some(network) => networks.push(network),
                None => check.fail(&format!("{field}[{index}]"), ApiKeyError::Address),
            }
        }
        networks.dedup();
        Some(Self(networks))
    }

    /// The addresses as stored (JSON array of strings in the row, as [`Self::to_strings`] wrote
    /// them).
    pub fn from_stored(items: &[String]) -> Result<Self, String> {
        items
            .iter()
            .map(|item| network(item).ok_or_else(|| format!("stored allowed address {item:?} does not parse")))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether a request from `client` may use the key (always, when the list is empty).
    pub fn permits(&self, client: Option<IpAddr>) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let Some(client) = client.map(crate::net::canonical) else { return false };
        self.0.iter().any(|network| network.contains(&client))
    }

    /// The networks as text, single addresses without their `/32` or `/128`.
    pub fn to_strings(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|network| if network.prefix_len() == network.max_prefix_len() { network.addr().to_string() } else { network.to_string() })
            .collect()
    }
}

/// A CIDR network with its host bits cleared, or a single address.
fn network(item: &str) -> Option<ipnet::IpNet> {
    crate::net::parse_network(item).map(|network| network.trunc())
}

/// What an administrator sets on a key and may change later.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeySettings {
    /// What the key is for (`金蝶 ERP 同步`); the name its records' owner shows.
    pub name: String,
    /// The role whose rights the key has.
    pub role_id: Uuid,
    /// After this the key no longer works; `None` for a key that works until revoked.
    pub expires_at: Option<DateTime<Utc>>,
    /// Where the key may be used from.
    pub allowed_addresses: AllowedAddresses,
}

merge_patch! {
    /// A change to a key (JSON merge patch).
    #[derive(Debug, Default)]
    pub struct ApiKeyPatch applies to ApiKeySettings {
        name: String,
        role_id: Uuid,
        expires_at: Option<DateTime<Utc>>,
        allowed_addresses: AllowedAddresses,
    }
}

/// Checks a name: required, one line, at most [`NAME_MAX`] characters.
pub fn check_name(check: &mut Check, field: &str, name: &str) -> Option<String> {
    check.text(field, name, NAME_MAX)
}

/// Checks an expiry: it must lie in the future of `now`, or the key would be born dead.
pub fn check_expiry(
    check: &mut Check,
    field: &str,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<Option<DateTime<Utc>>> {
    match expires_at {
        Some(at) if at <= now => {
            check.fail(field, ApiKeyError::ExpiryPassed);
            None
        }
        other => Some(other),
    }
}

/// How long the replaced secret keeps working after a rotation: `minutes` (0 ends it at once),
/// [`DEFAULT_ROTATION_OVERLAP_MINUTES`] when not given.
pub fn rotation_overlap(minutes: Option<i64>) -> Result<Duration, ValidationErrors> {
    let minutes = minutes.unwrap_or(DEFAULT_ROTATION_OVERLAP_MINUTES);
    if !(0..=ROTATION_OVERLAP_MAX_MINUTES).contains(&minutes) {
        return Err(ValidationErrors(vec![
            crate::values::ValueError::Range(0, ROTATION_OVERLAP_MAX_MINUTES).field_error("overlap_minutes"),
        ]));
    }
    Ok(Duration::minutes(minutes))
}

/// What a rotation asks for: how long the old key keeps working, and the new key's expiry
/// (`None` keeps the old key's, `Some(None)` makes the new key work until revoked). Giving one
/// is how a key about to expire is rotated into one that lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    pub overlap: Duration,
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

impl Rotation {
    /// Checks a rotation's `overlap_minutes` and `expires_at`, which must lie after the overlap:
    /// a new key ending first would leave only the secret it replaces working.
    pub fn parse(
        overlap_minutes: Option<i64>,
        expires_at: Option<Option<DateTime<Utc>>>,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let overlap = rotation_overlap(overlap_minutes).map_err(|errors| check.merge(Err(errors))).ok();
        let expires_at = match expires_at {
            Some(expires_at) => check_expiry(&mut check, "expires_at", expires_at, now).map(Some),
            None => Some(None),
        };
        // An expiry already refused as past is `None` here.
        if let (Some(overlap), Some(Some(Some(at)))) = (overlap, expires_at)
            && at <= now + overlap
        {
            check.fail("expires_at", ApiKeyError::ExpiryWithinOverlap);
        }
        let (overlap, expires_at) = check.finish_with((overlap, expires_at))?;
        Ok(Self { overlap, expires_at })
    }

    /// The new key's expiry after a rotation of a key ending at `old`.
    pub fn new_expiry(&self, old: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        self.expires_at.unwrap_or(old)
    }
}

/// A key's own field errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyError {
    Address,
    TooManyAddresses,
    ExpiryPassed,
    ExpiryWithinOverlap,
}

impl HasCode for ApiKeyError {
    fn code(&self) -> &'static str {
        match self {
            ApiKeyError::Address => "ip_address",
            ApiKeyError::TooManyAddresses => "too_many",
            ApiKeyError::ExpiryPassed => "in_past",
            ApiKeyError::ExpiryWithinOverlap => "within_overlap",
        }
    }

    fn text(&self) -> Text {
        match self {
            ApiKeyError::Address => text!("not an IP address or CIDR network", "不是有效的 IP 地址或 CIDR 网段"),
            ApiKeyError::TooManyAddresses => text!("at most 50 addresses", "最多 50 个地址"),
            ApiKeyError::ExpiryPassed => text!("must be in the future", "必须是将来的时间"),
            ApiKeyError::ExpiryWithinOverlap => {
                text!("must be after the old key stops working (the overlap)", "必须晚于旧密钥停止使用的时间（过渡期结束）")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(items: &[&str]) -> (Option<AllowedAddresses>, Vec<String>) {
        let mut check = Check::default();
        let items: Vec<String> = items.iter().map(|s| (*s).to_owned()).collect();
        let addresses = AllowedAddresses::parse("allowed_addresses", &items, &mut check);
        (addresses, check.0.0.iter().map(|e| format!("{}:{}", e.field, e.code)).collect())
    }

    #[test]
    fn addresses_and_networks_parse_and_bad_ones_are_named_by_position() {
        let (addresses, errors) = parsed(&["203.0.113.7", "10.1.2.3/16", "2001:db8::/32"]);
        assert!(errors.is_empty());
        let addresses = addresses.unwrap();
        assert_eq!(addresses.to_strings(), ["203.0.113.7", "10.1.0.0/16", "2001:db8::/32"]);
        assert!(addresses.permits(Some("10.1.200.9".parse().unwrap())));
        assert!(addresses.permits(Some("::ffff:203.0.113.7".parse().unwrap())), "an IPv4-mapped peer is its IPv4 address");
        assert!(!addresses.permits(Some("10.2.0.1".parse().unwrap())));
        assert!(!addresses.permits(None));
        assert_eq!(parsed(&["10.0.0.1", "intranet"]).1, ["allowed_addresses[1]:ip_address"]);
    }

    #[test]
    fn no_addresses_means_anywhere() {
        assert!(AllowedAddresses::default().permits(None));
        assert!(AllowedAddresses::from_stored(&["10.0.0.0/8".into()]).unwrap().permits(Some("10.9.9.9".parse().unwrap())));
        let written = parsed(&["192.168.1.7", "10.0.0.0/8"]).0.unwrap().to_strings();
        assert_eq!(AllowedAddresses::from_stored(&written).unwrap().to_strings(), written, "what is written reads back");
        assert!(AllowedAddresses::from_stored(&["nonsense".into()]).is_err());
    }

    #[test]
    fn an_expiry_in_the_past_and_an_overlap_beyond_a_week_are_refused() {
        let now = Utc::now();
        let mut check = Check::default();
        assert_eq!(check_expiry(&mut check, "expires_at", Some(now - Duration::seconds(1)), now), None);
        assert_eq!(check_expiry(&mut check, "expires_at", None, now), Some(None));
        assert_eq!(check.0.0.len(), 1);
        assert_eq!(rotation_overlap(None).unwrap(), Duration::hours(24));
        assert_eq!(rotation_overlap(Some(0)).unwrap(), Duration::zero());
        assert!(rotation_overlap(Some(ROTATION_OVERLAP_MAX_MINUTES + 1)).is_err());
    }
}
