use sea_orm::entity::prelude::*;

record_entity!("roles", versioned {
    pub key: String,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub permissions: String,
});
