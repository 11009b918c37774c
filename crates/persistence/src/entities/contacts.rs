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
    pub birthday: Option<Date>,
    pub notes: Option<String>,
});
