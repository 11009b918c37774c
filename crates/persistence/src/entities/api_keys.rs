use sea_orm::entity::prelude::*;

record_entity!("api_keys", versioned {
    /// The user the key acts as (`users.kind = 'api_key'`); rotated keys share it.
    pub user_id: Uuid,
    pub name: String,
    /// The first characters of the key, shown to tell keys apart.
    pub prefix: String,
    /// SHA-256 of the whole key, hex.
    pub secret_hash: String,
    pub expires_at: Option<DateTimeUtc>,
    /// JSON array of addresses and CIDR networks; empty for anywhere.
    pub allowed_addresses: String,
    pub last_used_at: Option<DateTimeUtc>,
    pub last_used_ip: Option<String>,
    pub revoked_at: Option<DateTimeUtc>,
    /// The key a rotation replaced this one with.
    pub replaced_by_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
});
