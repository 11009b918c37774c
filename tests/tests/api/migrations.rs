use sea_orm::{ConnectionTrait, Database, Statement};
use sea_orm_migration::MigratorTrait;

use crm_migrations::Migrator;

async fn tables(db: &sea_orm::DatabaseConnection) -> usize {
    let sql = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'"
        }
        _ => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations'",
    };
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    usize::try_from(row.try_get::<i64>("", "n").unwrap()).unwrap()
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let (url, _dir) = crm_tests::fresh_database_url().await;
    let db = Database::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let created = tables(&db).await;
    assert!(created >= 14, "{created} tables");
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(tables(&db).await, 0);
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(tables(&db).await, created);
    let roles = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) AS n FROM roles WHERE builtin = true"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(roles.try_get::<i64>("", "n").unwrap(), 7);
}

#[test]
fn builtin_roles_in_the_migration_match_the_domain() {
    let stored = crm_migrations::FOUNDATION_BUILTIN_ROLES;
    let domain = crm_domain::identity::builtin_roles();
    assert_eq!(stored.len(), domain.len());
    for (key, name, description, permissions) in stored {
        let role = domain.iter().find(|r| r.key == *key).unwrap_or_else(|| panic!("{key} is not a built-in role of the domain"));
        let stored_permissions: crm_domain::identity::Permissions = serde_json::from_str(permissions).unwrap();
        assert_eq!((role.name, role.description), (*name, *description), "{key}");
        assert_eq!(role.permissions, stored_permissions, "{key}: the domain's matrix changed; add a migration that updates it");
    }
}
