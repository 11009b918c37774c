//! Outgoing webhooks, to the Standard Webhooks specification (<https://www.standardwebhooks.com>):
//! which URLs may receive them, the retry schedule, and what a subscription may be set to.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::check::Check;
use crate::error::HasCode;
use crate::message::Text;
use crate::patch::merge_patch;
use crate::text;
use crate::values::string_enum;

/// Longest URL accepted, in characters.
pub const URL_MAX: usize = 2000;
/// Longest description, in characters.
pub const DESCRIPTION_MAX: usize = 500;
/// Every secret starts with this (the specification's convention), followed by base64.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a secret: the specification asks for 24 to 64.
pub const SECRET_BYTES: usize = 32;
/// How long one attempt may take before it counts as failed.
pub const ATTEMPT_TIMEOUT_SECONDS: u64 = 15;
/// The most of a response body an attempt keeps, in bytes.
pub const RESPONSE_EXCERPT_BYTES: usize = 1024;
/// After this long of failures without a success, a subscription is disabled and its owner told.
pub const DISABLE_AFTER_FAILING_DAYS: i64 = 5;

/// The delay before each attempt, as the specification's example schedule has it: at once, then
/// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after the attempt before; eight attempts in all.
pub const RETRY_SCHEDULE_SECONDS: [i64; 8] = [0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];

string_enum! {
    /// Whether a subscription receives events: `active`, `paused` (by a person, until resumed)
    /// or `disabled` (by the server: the receiver answered 410, or it failed for five days).
    WebhookStatus { Active => "active", Paused => "paused", Disabled => "disabled" }
}

string_enum! {
    /// Why the server disabled a subscription.
    DisabledReason { Gone => "gone", Failing => "failing" }
}

string_enum! {
    /// Where a delivery stands: `pending` (due, being attempted, or waiting for a retry),
    /// `succeeded` (a 2xx answer) or `failed` (given up: out of attempts, or the endpoint is gone).
    DeliveryStatus { Pending => "pending", Succeeded => "succeeded", Failed => "failed" }
}

string_enum! {
    /// Why an attempt got no answer, for people to read in their language (the attempt's `error`
    /// keeps the transport's own words for whoever debugs the receiver).
    AttemptFailure {
        /// No answer within the attempt's timeout.
        Timeout => "timeout",
        /// The receiver could not be reached: name not found, connection refused or reset, TLS.
        Connection => "connection",
        /// The URL leads to a private, loopback or link-local address.
        ForbiddenAddress => "forbidden_address",
        /// The stored URL does not parse.
        InvalidUrl => "invalid_url",
        /// Anything else the request ran into before an answer came.
        Request => "request",
    }
}

/// The delay before attempt `attempt + 1` after `attempt` attempts failed, before jitter;
/// `None` once the schedule is used up (the delivery is given up).
pub fn retry_delay(attempts_made: i32) -> Option<Duration> {
    let index = usize::try_from(attempts_made).ok()?;
    RETRY_SCHEDULE_SECONDS.get(index).map(|seconds| Duration::seconds(*seconds))
}

/// `delay` stretched by up to a fifth, `unit` (0 to 1) saying how much: receivers that failed
/// together are not all retried in the same instant.
pub fn with_jitter(delay: Duration, unit: f64) -> Duration {
    let millis = delay.num_milliseconds() as f64 * (1.0 + 0.2 * unit.clamp(0.0, 1.0));
    Duration::milliseconds(millis as i64)
}

/// A `Retry-After` header (RFC 9110): seconds, or an HTTP date; `None` when it is neither or lies
/// in the past.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<i64>() {
        return (seconds >= 0).then(|| Duration::seconds(seconds.min(RETRY_SCHEDULE_SECONDS[7])));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    (at > now).then(|| (at - now).min(Duration::seconds(RETRY_SCHEDULE_SECONDS[7])))
}

/// Whether a subscription failing since `failing_since` has failed long enough to be disabled.
pub fn failed_too_long(failing_since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    failing_since.is_some_and(|since| now - since >= Duration::days(DISABLE_AFTER_FAILING_DAYS))
}

/// Whether webhooks may not be sent to `address` (unless private targets are allowed): loopback,
/// private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10, cloud metadata among them),
/// unspecified, CGNAT (100.64/10), broadcast, multicast and documentation ranges, in IPv4-mapped
/// and IPv4-compatible forms too.
pub fn is_forbidden_address(address: IpAddr) -> bool {
    match crate::net::canonical(address) {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)
                // ::a.b.c.d (IPv4-compatible) and 64:ff9b::/96 (NAT64) reach IPv4 addresses.
                || v6.segments()[..6].iter().all(|s| *s == 0)
                || (first == 0x64 && v6.segments()[1] == 0xff9b)
        }
    }
}

/// A webhook URL: `http` or `https`, with a host, no credentials and no fragment.
pub fn check_url(check: &mut Check, field: &str, value: &str) -> Option<url::Url> {
    let value = value.trim();
    if value.chars().count() > URL_MAX {
        check.fail(field, WebhookError::Url);
        return None;
    }
    match url::Url::parse(value) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host().is_some()
                && url.username().is_empty()
                && url.password().is_none()
                && url.fragment().is_none() =>
        {
            Some(url)
        }
        _ => {
            check.fail(field, WebhookError::Url);
            None
        }
    }
}

/// The event types a subscription asks for: at least one, each one the server writes, each once.
pub fn check_event_types(check: &mut Check, field: &str, types: &[String], known: &[&str]) -> Option<Vec<String>> {
    if types.is_empty() {
        check.fail(field, WebhookError::NoEventTypes);
        return None;
    }
    let mut chosen: Vec<String> = Vec::with_capacity(types.len());
    let mut valid = true;
    for (index, event_type) in types.iter().enumerate() {
        let event_type = event_type.trim();
        if !known.contains(&event_type) {
            check.fail(&format!("{field}[{index}]"), WebhookError::UnknownEventType);
            valid = false;
        } else if !chosen.iter().any(|t| t == event_type) {
            chosen.push(event_type.to_owned());
        }
    }
    valid.then_some(chosen)
}

/// A description: optional, at most [`DESCRIPTION_MAX`] characters.
pub fn check_description(check: &mut Check, field: &str, value: Option<&str>) -> Option<String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(String::new()),
        Some(text) => check.long_text(field, text, DESCRIPTION_MAX),
    }
}

/// What an administrator sets on a subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookSettings {
    pub url: String,
    pub event_types: Vec<String>,
    pub description: String,
    /// Whose read rights filter the events (the feed's rules).
    pub owner_id: Uuid,
}

merge_patch! {
    /// A change to a subscription (JSON merge patch); `status` pauses or resumes it.
    #[derive(Debug, Default)]
    pub struct WebhookPatch applies to WebhookSettings {
        url: String,
        event_types: Vec<String>,
        description: String,
        owner_id: Uuid,
    }
    and carries {
        /// `active` resumes (also a disabled subscription), `paused` pauses.
        status: Option<WebhookStatus>,
    }
}

/// A subscription's own field errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookError {
    Url,
    ForbiddenAddress,
    Unresolvable,
    NoEventTypes,
    UnknownEventType,
    Status,
}

impl HasCode for WebhookError {
    fn code(&self) -> &'static str {
        match self {
            WebhookError::Url => "url",
            WebhookError::ForbiddenAddress => "forbidden_address",
            WebhookError::Unresolvable => "unresolvable",
            WebhookError::NoEventTypes => "required",
            WebhookError::UnknownEventType => "unknown_event_type",
            WebhookError::Status => "choice",
        }
    }

    fn text(&self) -> Text {
        match self {
            WebhookError::Url => text!("must be an http or https URL without credentials", "必须是不含账号密码的 http 或 https 网址"),
            WebhookError::ForbiddenAddress => {
                text!("points to a loopback, private, link-local or metadata address", "指向本机、内网、链路本地或云元数据地址，不允许")
            }
            WebhookError::Unresolvable => text!("the host name does not resolve", "无法解析该主机名"),
            WebhookError::NoEventTypes => text!("choose at least one event type", "至少选择一种事件类型"),
            WebhookError::UnknownEventType => text!("not an event type of this server", "不是本系统的事件类型"),
            WebhookError::Status => text!("must be active or paused", "只能是 active 或 paused"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_the_specifications_example_and_then_gives_up() {
        let delays: Vec<i64> = (0..8).map(|n| retry_delay(n).unwrap().num_seconds()).collect();
        assert_eq!(delays, [0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
        assert_eq!(retry_delay(8), None);
        assert_eq!(with_jitter(Duration::seconds(10), 0.0), Duration::seconds(10));
        assert_eq!(with_jitter(Duration::seconds(10), 1.0), Duration::seconds(12));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2026-12-03T08:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(parse_retry_after("120", now), Some(Duration::seconds(120)));
        assert_eq!(parse_retry_after("Thu, 03 Dec 2026 08:01:00 GMT", now), Some(Duration::seconds(60)));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn private_and_metadata_addresses_are_forbidden_and_public_ones_are_not() {
        for forbidden in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
        ] {
            assert!(is_forbidden_address(forbidden.parse().unwrap()), "{forbidden}");
        }
        for allowed in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(!is_forbidden_address(allowed.parse().unwrap()), "{allowed}");
        }
    }

    #[test]
    fn urls_must_be_http_with_a_host_and_no_credentials() {
        let mut check = Check::default();
        assert!(check_url(&mut check, "url", "https://erp.example.com/hooks?x=1").is_some());
        assert!(check_url(&mut check, "url", "http://127.0.0.1:9000/").is_some());
        assert!(check.0.0.is_empty());
        for bad in ["ftp://example.com", "https://user:pw@example.com/", "not a url", "https://example.com/#x", "file:///etc/passwd"] {
            let mut check = Check::default();
            assert!(check_url(&mut check, "url", bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn event_types_must_be_known_and_are_kept_once() {
        let known = ["customer.created", "customer.updated"];
        let mut check = Check::default();
        let types = vec!["customer.created".to_owned(), "customer.created".to_owned()];
        assert_eq!(check_event_types(&mut check, "event_types", &types, &known), Some(vec!["customer.created".to_owned()]));
        assert_eq!(check_event_types(&mut check, "event_types", &["x.y".to_owned()], &known), None);
        assert_eq!(check_event_types(&mut check, "event_types", &[], &known), None);
        assert_eq!(check.0.0.len(), 2);
    }
}
