use sea_orm::entity::prelude::*;

record_entity!("users", versioned {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role_id: Uuid,
    pub locale: String,
    pub active: bool,
    pub last_login_at: Option<DateTimeUtc>,
    /// `person` or `api_key` (the user an API key acts as; it cannot sign in).
    pub kind: String,
    /// When two-factor sign-in was enabled (`None`: not enabled). The TOTP secret itself is
    /// not a field: only `identity::two_factor` reads and writes its column.
    pub two_factor_enabled_at: Option<DateTimeUtc>,
    /// The last TOTP time step accepted: a code works once.
    pub totp_last_step: Option<i64>,
});
