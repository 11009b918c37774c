use sea_orm::entity::prelude::*;

line_entity!("order_lines", order_id);
