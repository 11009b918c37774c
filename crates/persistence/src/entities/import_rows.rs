use sea_orm::entity::prelude::*;

/// What an import's dry run or run did with one row of its file.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "import_rows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub import_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub phase: String,
    /// The row's number in the spreadsheet (the header is row 1).
    #[sea_orm(primary_key, auto_increment = false)]
    pub row_number: i64,
    pub action: String,
    pub record_id: Option<Uuid>,
    /// JSON list of field errors.
    pub errors: Option<String>,
    /// JSON merge patch that gives an updated record its values before the import back.
    pub before: Option<String>,
    pub version_after: Option<i32>,
    pub revert: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
