use sea_orm::entity::prelude::*;

record_entity!("webhook_subscriptions", versioned {
    /// The user whose read rights decide which events the subscription receives.
    pub owner_id: Uuid,
    pub url: String,
    /// JSON array of event types.
    pub event_types: String,
    pub description: String,
    /// `active`, `paused` or `disabled`.
    pub status: String,
    /// Why it was disabled: `gone` (the receiver answered 410) or `failing` (five days of failures).
    pub disabled_reason: Option<String>,
    /// `whsec_` + base64: the receiver holds the same secret, so it is stored as it is.
    pub secret: String,
    /// The secret before the last rotation, still signing until `previous_secret_expires_at`.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    /// When deliveries started failing without a success since.
    pub failing_since: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
});
