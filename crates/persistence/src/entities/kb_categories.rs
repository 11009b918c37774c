use sea_orm::entity::prelude::*;

record_entity!("kb_categories", versioned {
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    pub position: i32,
});
