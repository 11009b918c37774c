//! Two structures that take work off every request:
//!
//! - `identity_generation`: one counter that triggers raise whenever anything a caller's
//!   permissions are computed from changes (roles, teams, memberships, a user's role or name).
//!   A request then checks its session and this counter in one query and reuses the permissions
//!   it computed before while the counter stands still, instead of reading five tables.
//! - `events.position`: the change feed's order. Writers no longer serialise on a lock to make
//!   sequence numbers visible in order; the feed gives positions to committed events under a lock
//!   only readers take, so a reader polling `after=<position>` still never skips an event.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000008_add_actor_generation_and_feed_positions"
    }
}

/// The tables and, for users, the columns whose changes alter a caller's computed permissions.
/// (`users.active` is not here: the per-request query reads it directly.)
const WATCHED: &[(&str, Option<&str>)] =
    &[("roles", None), ("teams", None), ("user_teams", None), ("users", Some("role_id, display_name"))];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;

        db.execute_unprepared("CREATE TABLE identity_generation (id INTEGER NOT NULL PRIMARY KEY, generation BIGINT NOT NULL)").await?;
        db.execute_unprepared("INSERT INTO identity_generation (id, generation) VALUES (1, 1)").await?;
        if postgres {
            db.execute_unprepared(
                "CREATE FUNCTION raise_identity_generation() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN UPDATE identity_generation SET generation = generation + 1 WHERE id = 1; RETURN NULL; END $$",
            )
            .await?;
            for (table, columns) in WATCHED {
                let events = match columns {
                    Some(columns) => format!("UPDATE OF {columns}"),
                    None => "INSERT OR UPDATE OR DELETE".to_owned(),
                };
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER tr_{table}_identity_generation AFTER {events} ON {table} \
                     FOR EACH STATEMENT EXECUTE FUNCTION raise_identity_generation()"
                ))
                .await?;
            }
        } else {
            for (table, columns) in WATCHED {
                let events: Vec<String> = match columns {
                    Some(columns) => vec![format!("UPDATE OF {columns}")],
                    None => vec!["INSERT".into(), "UPDATE".into(), "DELETE".into()],
                };
                for (n, event) in events.iter().enumerate() {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER tr_{table}_identity_generation_{n} AFTER {event} ON {table} \
                         BEGIN UPDATE identity_generation SET generation = generation + 1 WHERE id = 1; END"
                    ))
                    .await?;
                }
            }
        }

        db.execute_unprepared("ALTER TABLE events ADD COLUMN position BIGINT").await?;
        db.execute_unprepared("UPDATE events SET position = seq").await?;
        db.execute_unprepared("CREATE UNIQUE INDEX ux_events_position ON events (position)").await?;
        db.execute_unprepared("CREATE INDEX ix_events_unpositioned ON events (seq) WHERE position IS NULL").await?;
        db.execute_unprepared("CREATE INDEX ix_events_type_position ON events (event_type, position)").await?;
        db.execute_unprepared("DROP INDEX ix_events_type").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        db.execute_unprepared("CREATE INDEX ix_events_type ON events (event_type, seq)").await?;
        db.execute_unprepared("DROP INDEX ix_events_type_position").await?;
        db.execute_unprepared("DROP INDEX ix_events_unpositioned").await?;
        db.execute_unprepared("DROP INDEX ux_events_position").await?;
        db.execute_unprepared("ALTER TABLE events DROP COLUMN position").await?;
        for (table, columns) in WATCHED {
            if postgres {
                db.execute_unprepared(&format!("DROP TRIGGER tr_{table}_identity_generation ON {table}")).await?;
            } else {
                let count = if columns.is_some() { 1 } else { 3 };
                for n in 0..count {
                    db.execute_unprepared(&format!("DROP TRIGGER tr_{table}_identity_generation_{n}")).await?;
                }
            }
        }
        if postgres {
            db.execute_unprepared("DROP FUNCTION raise_identity_generation()").await?;
        }
        db.execute_unprepared("DROP TABLE identity_generation").await?;
        Ok(())
    }
}
