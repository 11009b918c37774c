//! Two-factor sign-in for staff: TOTP codes (RFC 6238 as authenticator apps read it: HMAC-SHA-1,
//! six digits, 30-second steps, one step either side accepted for clock drift) and one-time
//! recovery codes. Randomness comes from the caller; this module only computes.

use totp_rs::{Builder, Secret, Totp};

/// The issuer authenticator apps show next to the account.
pub const ISSUER: &str = "CRM";
/// Recovery codes issued at a time; each works once.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Bytes of randomness in a recovery code (80 bits, 16 base32 characters).
pub const RECOVERY_CODE_BYTES: usize = 10;
/// Bytes of a TOTP secret: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// How long a sign-in challenge (the step between password and code) lasts.
pub const CHALLENGE_MINUTES: i64 = 5;
/// Seconds of one TOTP step.
pub const STEP_SECONDS: u64 = 30;

/// A TOTP shared secret in its base32 form (as typed into an authenticator app).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(String);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    /// The secret made of these random bytes.
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> Self {
        Self(Secret::from(bytes.to_vec()).to_base32())
    }

    /// A stored secret; `None` when it is not base32 of at least 128 bits.
    pub fn parse(base32: &str) -> Option<Self> {
        let bytes = Secret::try_from_base32(base32.trim()).ok()?;
        (bytes.as_bytes().len() >= 16).then(|| Self(base32.trim().to_owned()))
    }

    pub fn as_base32(&self) -> &str {
        &self.0
    }

    fn totp(&self, account: Option<&str>) -> Option<Totp> {
        let secret = Secret::try_from_base32(&self.0).ok()?;
        let mut builder = Builder::new().with_secret(secret.as_bytes().to_vec()).with_skew(1).with_step_duration(STEP_SECONDS);
        if let Some(account) = account {
            // A colon separates issuer and account in the URI's label.
            builder = builder.with_account_name(account.replace(':', "")).with_issuer(Some(ISSUER));
        }
        builder.build().ok()
    }

    /// The `otpauth://totp/CRM:<email>?secret=…&issuer=CRM` URI an authenticator app scans.
    pub fn otpauth_uri(&self, email: &str) -> Option<String> {
        self.totp(Some(email))?.to_url().ok()
    }

    /// The time step at which `code` is right at `unix_seconds` (the step before, the current or
    /// the one after), or `None`. The caller refuses a step it has already accepted (RFC 6238
    /// §5.2: a code works once).
    pub fn matching_step(&self, code: &str, unix_seconds: u64) -> Option<u64> {
        let code = normalise_code(code)?;
        self.totp(None)?.check(&code, unix_seconds)
    }

    /// The code at `unix_seconds` (for tests and tools).
    pub fn code_at(&self, unix_seconds: u64) -> Option<String> {
        Some(self.totp(None)?.generate(unix_seconds).to_string())
    }
}

/// A typed TOTP code without spaces: exactly six digits, or `None`.
pub fn normalise_code(code: &str) -> Option<String> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// A recovery code as shown to its user: 16 lower-case base32 characters in groups of four.
pub fn recovery_code_from_bytes(bytes: [u8; RECOVERY_CODE_BYTES]) -> String {
    let plain = Secret::from(bytes.to_vec()).to_base32().to_lowercase();
    let groups: Vec<String> = plain.as_bytes().chunks(4).map(|chunk| String::from_utf8_lossy(chunk).into_owned()).collect();
    groups.join("-")
}

/// A recovery code as typed, reduced to what is compared: lower case, without dashes or spaces.
pub fn normalise_recovery_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_rfc_6238_and_allow_one_step_of_drift() {
        // RFC 6238 appendix B, SHA-1: the secret "12345678901234567890", 8 digits → the last 6.
        let secret = TotpSecret::from_bytes(*b"12345678901234567890");
        assert_eq!(secret.code_at(59).unwrap(), "287082");
        assert_eq!(secret.code_at(1_111_111_109).unwrap(), "081804");
        let now = 1_111_111_109;
        let code = secret.code_at(now).unwrap();
        assert_eq!(secret.matching_step(&code, now), Some(now / 30));
        assert_eq!(secret.matching_step(&code, now + 30), Some(now / 30));
        assert_eq!(secret.matching_step(&code, now + 90), None);
        assert_eq!(secret.matching_step("12345", now), None);
        assert_eq!(secret.matching_step(&format!("{} {}", &code[..3], &code[3..]), now), Some(now / 30));
    }

    #[test]
    fn uri_names_the_issuer_and_account_and_secrets_parse_back() {
        let secret = TotpSecret::from_bytes([7; SECRET_BYTES]);
        let uri = secret.otpauth_uri("li.na@example.com").unwrap();
        assert!(uri.starts_with("otpauth://totp/CRM:li.na%40example.com?secret="), "{uri}");
        assert!(uri.contains("issuer=CRM"));
        assert_eq!(TotpSecret::parse(secret.as_base32()), Some(secret));
        assert_eq!(TotpSecret::parse("short"), None);
    }

    #[test]
    fn recovery_codes_are_grouped_and_compare_as_typed() {
        let code = recovery_code_from_bytes([1; RECOVERY_CODE_BYTES]);
        assert_eq!(code.len(), 19);
        assert_eq!(normalise_recovery_code(&code.to_uppercase().replace('-', " ")), code.replace('-', ""));
    }
}
