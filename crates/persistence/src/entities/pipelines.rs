use sea_orm::entity::prelude::*;

record_entity!("pipelines", versioned {
    pub name: String,
    pub is_default: bool,
});
