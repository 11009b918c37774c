use sea_orm::entity::prelude::*;

record_entity!("contacts", binned {
    pub customer_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub is_primary: bool,
    /// Sealed `YYYY-MM-DD` (or in clear until `crm rotate-key` seals it).
    pub birthday: Option<String>,
    pub id_type: Option<String>,
    pub id_number: Option<String>,
    pub id_number_index: Option<String>,
    pub bank_name: Option<String>,
    pub bank_account: Option<String>,
    pub notes: Option<String>,
    /// JSON object of custom field values.
    pub custom_fields: String,
    /// The record this one was merged into (it is then in the recycle bin).
    pub merged_into_id: Option<Uuid>,
});
