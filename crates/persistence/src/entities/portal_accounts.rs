use sea_orm::entity::prelude::*;

record_entity!("portal_accounts", versioned {
    pub contact_id: Uuid,
    pub customer_id: Uuid,
    pub email: String,
    pub password_hash: Option<String>,
    pub sees_company_tickets: bool,
    pub active: bool,
    pub invitation_hash: Option<String>,
    pub invitation_expires_at: Option<DateTimeUtc>,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
});
