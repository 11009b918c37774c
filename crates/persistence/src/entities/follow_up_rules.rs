use sea_orm::entity::prelude::*;

record_entity!("follow_up_rules", versioned {
    pub lifecycle_stage: String,
    pub silent_days: i32,
    pub due_in_days: i32,
    pub priority: String,
    pub active: bool,
});
