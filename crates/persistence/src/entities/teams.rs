use sea_orm::entity::prelude::*;

record_entity!("teams", versioned {
    pub name: String,
    pub parent_id: Option<Uuid>,
});
