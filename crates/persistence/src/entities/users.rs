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
});
