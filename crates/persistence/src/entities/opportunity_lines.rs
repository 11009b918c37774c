use sea_orm::entity::prelude::*;

line_entity!("opportunity_lines", opportunity_id);
