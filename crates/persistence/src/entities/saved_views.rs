use sea_orm::entity::prelude::*;

record_entity!("saved_views", versioned {
    /// The list it is a view of (`customers`).
    pub list: String,
    pub name: String,
    /// JSON: the list's filters, columns and sort, as the web app keeps them.
    pub state: String,
    pub owner_id: Uuid,
    /// Shared with this team (one of the owner's), or the owner's alone.
    pub team_id: Option<Uuid>,
});
