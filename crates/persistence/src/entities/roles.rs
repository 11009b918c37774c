use sea_orm::entity::prelude::*;

record_entity!("roles", versioned {
    pub key: String,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub permissions: String,
    /// Holders must sign in with a second factor (and enrol at their next sign-in).
    pub requires_two_factor: bool,
});
