use sea_orm::entity::prelude::*;

record_entity!("sla_policies", versioned {
    pub name: String,
    pub is_default: bool,
    pub business_hours: bool,
    pub calendar: String,
    pub targets: String,
});
