//! Sales, part two: orders (购买记录) with their lines and numbering, the lines of opportunities
//! that orders copy, and the purchase figures kept on each customer.

use sea_orm_migration::prelude::*;

use crate::columns::*;
use crate::tables::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000004_create_orders"
    }
}

/// The columns every line table has: product, its SKU and name copied at the time, quantity, unit
/// price, discount in basis points and the server-computed total.
fn line_columns(
    table: &mut TableCreateStatement,
    lines: impl IntoIden + Copy + 'static,
    owner: Lines,
    owner_table: impl IntoIden + Copy + 'static,
) {
    table
        .table(lines)
        .col(id(Lines::Id))
        .col(uuid(owner))
        .col(uuid(Lines::ProductId))
        .col(text(Lines::Sku))
        .col(text(Lines::ProductName))
        .col(ColumnDef::new(Lines::Quantity).big_integer().not_null().take())
        .col(money(Lines::UnitPriceMinor))
        .col(int(Lines::DiscountBp))
        .col(money(Lines::LineTotalMinor))
        .col(int(Lines::Position))
        .foreign_key(&mut references_cascade(lines, owner, owner_table))
        .foreign_key(&mut references(lines, Lines::ProductId, Tables::Products));
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Counters::Table)
                    .col(text_key(Counters::Name))
                    .col(ColumnDef::new(Counters::Value).big_integer().not_null().take())
                    .take(),
            )
            .await?;
        insert_counter(manager, "order").await?;

        manager
            .create_table(
                Table::create()
                    .table(Orders::Table)
                    .col(id(Orders::Id))
                    .col(text(Orders::Number).unique_key().take())
                    .col(uuid(Orders::CustomerId))
                    .col(uuid_null(Orders::OpportunityId))
                    .col(text_null(Orders::ExternalSystem))
                    .col(text_null(Orders::ExternalId))
                    .col(date(Orders::OrderDate))
                    .col(text(Orders::Status))
                    .col(text(Orders::Currency))
                    .col(money(Orders::SubtotalMinor))
                    .col(money(Orders::DiscountMinor))
                    .col(money(Orders::TotalMinor))
                    .col(long_text_null(Orders::Notes))
                    .owner_and_team()
                    .col(time_null(Orders::ConfirmedAt))
                    .timestamps_version_and_deleted_at()
                    .foreign_key(&mut references_cascade(Orders::Table, Orders::CustomerId, Customers::Table))
                    .foreign_key(&mut references_set_null(Orders::Table, Orders::OpportunityId, Tables::Opportunities))
                    .foreign_key(&mut references(Orders::Table, SharedColumn::OwnerId, Tables::Users))
                    .take(),
            )
            .await?;
        manager.create_index(unique_index(Orders::Table, "ux_orders_external", &["external_system", "external_id"])).await?;
        create_indexes(
            manager,
            Orders::Table,
            &[
                ("ix_orders_created", &["deleted_at", "created_at", "id"]),
                ("ix_orders_date", &["deleted_at", "order_date", "id"]),
                ("ix_orders_customer", &["customer_id", "order_date", "id"]),
                ("ix_orders_status", &["status", "order_date", "id"]),
                ("ix_orders_owner", &["owner_id", "order_date", "id"]),
                ("ix_orders_team", &["team_id", "order_date", "id"]),
                ("ix_orders_opportunity", &["opportunity_id"]),
            ],
        )
        .await?;

        let mut order_lines = Table::create();
        line_columns(&mut order_lines, OrderLines::Table, Lines::OrderId, Orders::Table);
        manager.create_table(order_lines.take()).await?;
        create_indexes(
            manager,
            OrderLines::Table,
            &[("ix_order_lines_order", &["order_id", "position"]), ("ix_order_lines_product", &["product_id", "order_id"])],
        )
        .await?;

        let mut opportunity_lines = Table::create();
        line_columns(&mut opportunity_lines, OpportunityLines::Table, Lines::OpportunityId, Tables::Opportunities);
        manager.create_table(opportunity_lines.take()).await?;
        manager.create_index(index(OpportunityLines::Table, "ix_opportunity_lines_opportunity", &["opportunity_id", "position"])).await?;

        for column in [
            time_null(Customers::FirstOrderAt),
            time_null(Customers::LastOrderAt),
            ColumnDef::new(Customers::OrderCount).integer().not_null().default(0).take(),
            big_int_default_zero(Customers::TotalSpendMinor),
        ] {
            manager.alter_table(Table::alter().table(Customers::Table).add_column(column).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Customers::TotalSpendMinor, Customers::OrderCount, Customers::LastOrderAt, Customers::FirstOrderAt] {
            manager.alter_table(Table::alter().table(Customers::Table).drop_column(column).take()).await?;
        }
        drop_tables(
            manager,
            [OpportunityLines::Table.into_iden(), OrderLines::Table.into_iden(), Orders::Table.into_iden(), Counters::Table.into_iden()],
        )
        .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    FirstOrderAt,
    LastOrderAt,
    OrderCount,
    TotalSpendMinor,
}
#[derive(DeriveIden, Clone, Copy)]
enum OrderLines {
    Table,
}
#[derive(DeriveIden, Clone, Copy)]
enum OpportunityLines {
    Table,
}
#[derive(DeriveIden, Clone, Copy)]
enum Orders {
    Table,
    Id,
    Number,
    CustomerId,
    OpportunityId,
    ExternalSystem,
    ExternalId,
    OrderDate,
    Status,
    Currency,
    SubtotalMinor,
    DiscountMinor,
    TotalMinor,
    Notes,
    ConfirmedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Lines {
    Id,
    OrderId,
    OpportunityId,
    ProductId,
    Sku,
    ProductName,
    Quantity,
    UnitPriceMinor,
    DiscountBp,
    LineTotalMinor,
    Position,
}
