//! Users: what creating one says and what an administrator (or the user) changes.

use uuid::Uuid;

use crate::patch::merge_patch;
use crate::values::{Email, ValueError, string_enum};

/// Longest display name, in characters.
pub const DISPLAY_NAME_MAX: usize = 100;
/// The interface languages a user may choose.
pub const LOCALES: [&str; 2] = ["zh-CN", "en"];
/// The language of a user who names none.
pub const DEFAULT_LOCALE: &str = "zh-CN";

/// One of [`LOCALES`].
pub fn parse_locale(locale: &str) -> Result<String, ValueError> {
    if LOCALES.contains(&locale) { Ok(locale.to_owned()) } else { Err(ValueError::Choice(LOCALES.join(", "))) }
}

string_enum! {
    /// A person who signs in, or the user an API key acts as (it has no password and is listed
    /// under `/api-keys`, not among users).
    UserKind { Person => "person", ApiKey => "api_key" }
}

/// A user to create; the password is already hashed, so this never holds a password.
pub struct NewUser {
    /// The sign-in email, unique.
    pub email: Email,
    /// The name others see.
    pub display_name: String,
    /// The password's hash (argon2).
    pub password_hash: String,
    /// The role that grants the user's rights.
    pub role_id: Uuid,
    /// The teams the user belongs to; the first is the primary team.
    pub team_ids: Vec<Uuid>,
    /// The interface language, one of [`LOCALES`].
    pub locale: String,
}

/// What may change on a user besides teams and password.
#[derive(Debug, Clone, PartialEq)]
pub struct UserSettings {
    /// The name others see.
    pub display_name: String,
    /// The role that grants the user's rights.
    pub role_id: Uuid,
    /// Inactive users cannot sign in.
    pub active: bool,
    /// The interface language, one of [`LOCALES`].
    pub locale: String,
}

merge_patch! {
    /// A change to a user (JSON merge patch). Not `Debug`: it may carry a password hash.
    #[derive(Default)]
    pub struct UserPatch applies to UserSettings {
        display_name: String,
        role_id: Uuid,
        active: bool,
        locale: String,
    }
    and carries {
        /// Replaces the user's teams (rows of their own, not a setting).
        team_ids: Option<Vec<Uuid>>,
        /// A new password's hash; setting it ends the user's sessions.
        password_hash: Option<String>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_patch_deactivates_and_carries_the_new_password_apart() {
        let current = UserSettings { display_name: "李娜".into(), role_id: Uuid::nil(), active: true, locale: DEFAULT_LOCALE.into() };
        let patch = UserPatch { active: Some(false), password_hash: Some("hash".into()), ..Default::default() };
        assert_eq!(patch.password_hash.as_deref(), Some("hash"));
        assert_eq!(patch.apply(&current), UserSettings { active: false, ..current });
    }

    #[test]
    fn locales_are_chinese_or_english() {
        assert_eq!(parse_locale("en"), Ok("en".to_owned()));
        assert!(parse_locale("fr").is_err());
    }
}
