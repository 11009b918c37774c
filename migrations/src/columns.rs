//! Column and index builders shared by the migrations, so that every table spells ids, times,
//! text and versions the same way on both backends.

use sea_orm_migration::prelude::*;

pub(crate) fn id(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).uuid().not_null().primary_key().take()
}
/// A string primary key: the name of a counter, a job or a setting.
pub(crate) fn text_key(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string().not_null().primary_key().take()
}
pub(crate) fn uuid(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).uuid().not_null().take()
}
pub(crate) fn uuid_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).uuid().null().take()
}
pub(crate) fn text(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string().not_null().take()
}
pub(crate) fn text_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string().null().take()
}
pub(crate) fn long_text(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).text().not_null().take()
}
pub(crate) fn long_text_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).text().null().take()
}
pub(crate) fn time(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().not_null().take()
}
pub(crate) fn time_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().null().take()
}
pub(crate) fn date(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).date().not_null().take()
}
pub(crate) fn date_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).date().null().take()
}
pub(crate) fn int(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).integer().not_null().take()
}
pub(crate) fn int_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).integer().null().take()
}
pub(crate) fn flag(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).boolean().not_null().take()
}
pub(crate) fn version(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).integer().not_null().default(1).take()
}
pub(crate) fn money(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().take()
}
/// A 64-bit integer that starts at 0 when a row does not say otherwise: counts, sums, scores.
pub(crate) fn big_int_default_zero(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().default(0).take()
}

pub(crate) fn index(table: impl IntoIden, name: &str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(name).table(table);
    for column in columns {
        statement.col(Alias::new(*column));
    }
    statement.take()
}
/// `index` made unique: one row at the most for each value of `columns`.
pub(crate) fn unique_index(table: impl IntoIden, name: &str, columns: &[&'static str]) -> IndexCreateStatement {
    index(table, name, columns).unique().take()
}
