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
        let stored_permissions: crm_domain::identity::Permissions =
            serde_json::from_str(&crm_migrations::builtin_permissions_after(key, permissions)).unwrap();
        assert_eq!((role.name, role.description), (*name, *description), "{key}");
        assert_eq!(role.permissions, stored_permissions, "{key}: the domain's matrix changed; add a migration that updates it");
    }
}

/// Rolls back every migration from 013 on, runs `before_013` on the database as it was before
/// it, and migrates up again.
async fn rerun_migration_13(app: &crm_tests::TestApp, before_013: &[String]) {
    let db = Database::connect(&app.database_url).await.unwrap();
    let after_013 = Migrator::migrations().len() - 12;
    Migrator::down(&db, Some(u32::try_from(after_013).unwrap())).await.unwrap();
    for sql in before_013 {
        db.execute_unprepared(sql).await.unwrap();
    }
    Migrator::up(&db, None).await.unwrap();
    db.close().await.unwrap();
    // Migration 031 rolled back and run again leaves the blind indexes empty: a server starting
    // on the database would index them again, as this pass does.
    let keys = crm_domain::privacy::keys::Keyring::new(
        crm_domain::privacy::keys::DataKey::from_secret(crm_tests::TEST_DATA_KEY).unwrap(),
        Vec::new(),
    );
    let sealing = crm_persistence::Db::connect(&app.database_url).await.unwrap().with_keys(keys);
    crm_persistence::personal_data::rotate_keys(&sealing, |_| {}).await.unwrap();
}

async fn found_by(app: &crm_tests::TestApp, token: &str, q: &str) -> usize {
    let url = reqwest::Url::parse_with_params(&app.url("/api/v1/customers"), &[("q", q)]).unwrap();
    let reply = app.get(&format!("/api/v1/customers?{}", url.query().unwrap()), token).await.expect(200);
    reply.body["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn migration_13_rewrites_old_search_texts_so_landlines_are_found_as_typed() {
    let app = crm_tests::TestApp::spawn().await;
    let admin = app.admin().await;
    app.customer(&admin, serde_json::json!({ "kind": "company", "name": "七宝印刷", "phone": "021-6200 0999" })).await;
    app.customer(&admin, serde_json::json!({ "kind": "company", "name": "七宝物流", "phone": "13812345678" })).await;
    // The search texts as the application stored them before migration 013.
    let old = [
        "UPDATE customers SET search_text = '七宝印刷 +862162000999 2162000999 ' WHERE name = '七宝印刷'".to_owned(),
        "UPDATE customers SET search_text = '七宝物流 +8613812345678 13812345678 ' WHERE name = '七宝物流'".to_owned(),
    ];
    rerun_migration_13(&app, &old).await;
    for typed in ["021-6200 0999", "021 62000999", "138 1234 5678"] {
        assert_eq!(found_by(&app, &admin, typed).await, 1, "{typed}");
    }
    // Migration 028, which runs after it, takes phones out of the search texts altogether: a
    // fragment finds nothing any more.
    assert_eq!(found_by(&app, &admin, "62000999").await, 0);
    let db = Database::connect(&app.database_url).await.unwrap();
    let texts = db.query_all_raw(Statement::from_string(db.get_database_backend(), "SELECT search_text FROM customers")).await.unwrap();
    let mut texts: Vec<String> = texts.iter().map(|row| row.try_get("", "search_text").unwrap()).collect();
    texts.sort();
    assert_eq!(texts, ["七宝印刷 ", "七宝物流 "]);
}

#[tokio::test]
async fn migration_13_leaves_existing_duplicate_credit_codes_alone_and_the_application_still_refuses_new_ones() {
    let app = crm_tests::TestApp::spawn().await;
    let admin = app.admin().await;
    let code = "91310000MA1FL0000N";
    let first = app.customer(&admin, serde_json::json!({ "kind": "company", "name": "甲", "credit_code": code })).await;
    app.customer(&admin, serde_json::json!({ "kind": "company", "name": "乙" })).await;
    // Two live customers with one code, as a database could hold them before migration 013.
    rerun_migration_13(&app, &[format!("UPDATE customers SET credit_code = '{code}' WHERE name = '乙'")]).await;
    let listed = app.get("/api/v1/customers", &admin).await.expect(200).body;
    assert_eq!(listed["data"].as_array().unwrap().iter().filter(|c| c["credit_code"] == code).count(), 2);
    let problem = app
        .post("/api/v1/customers", &admin, serde_json::json!({ "kind": "company", "name": "丙", "credit_code": code }))
        .await
        .problem(409);
    assert_eq!(problem["code"], "customer.credit_code_taken");
    assert_eq!(problem["existing_id"], first["id"]);
}

/// The days of the day rollup's rows that count a won deal.
async fn won_days(db: &sea_orm::DatabaseConnection) -> Vec<chrono::NaiveDate> {
    let sql = "SELECT day FROM sales_day_rollups WHERE won_count <> 0 ORDER BY day";
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    rows.iter().map(|row| row.try_get("", "day").unwrap()).collect()
}

/// A database whose rollups were summed in UTC days (as migration 010 summed them) has them
/// summed again in the organisation's days by migration 017.
#[tokio::test]
async fn migration_17_sums_the_rollups_of_utc_days_again_in_the_organisations_days() {
    let app = crm_tests::TestApp::spawn().await;
    let admin = app.admin().await;
    let customer =
        app.customer(&admin, serde_json::json!({ "kind": "company", "name": "午夜成交" })).await["id"].as_str().unwrap().to_owned();
    let pipeline = app.get("/api/v1/pipelines", &admin).await.body["data"][0].clone();
    let won = pipeline["stages"].as_array().unwrap().iter().find(|s| s["kind"] == "won").unwrap()["id"].clone();
    let id = app
        .post(
            "/api/v1/opportunities",
            &admin,
            serde_json::json!({ "name": "d", "customer_id": customer, "amount": { "amount_minor": 500 } }),
        )
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/opportunities/{id}/stage"), &admin, serde_json::json!({ "stage_id": won })).await.expect(200);
    // closed at 01:14 on 3 December in Shanghai, 17:14 on 2 December in UTC
    app.close_opportunity_at(&id, "2026-12-02T17:14:00Z").await;
    let db = Database::connect(&app.database_url).await.unwrap();
    let day = |text: &str| text.parse::<chrono::NaiveDate>().unwrap();
    assert_eq!(won_days(&db).await, [day("2026-12-03")]);

    // back to the database before migration 017: the rollups hold UTC days
    let position = Migrator::migrations().iter().position(|m| m.name().contains("_000017_")).unwrap();
    let from_017 = u32::try_from(Migrator::migrations().len() - position).unwrap();
    Migrator::down(&db, Some(from_017)).await.unwrap();
    assert_eq!(won_days(&db).await, [day("2026-12-02")]);

    Migrator::up(&db, None).await.unwrap();
    assert_eq!(won_days(&db).await, [day("2026-12-03")]);
    let report = app.get("/api/v1/reports/sales?from=2026-12-03&to=2026-12-03&group_by=period&period=day", &admin).await.expect(200).body;
    assert_eq!(report["rows"][0]["measures"]["won_opportunities"]["value"], 1);
    db.close().await.unwrap();
}

/// Customers' first and last order times stored at UTC midnight (before migration 019) begin
/// their days in the organisation's zone after it, and again in a new zone when the server
/// starts in one.
#[tokio::test]
async fn migration_19_dates_the_customers_orders_from_midnight_in_the_organisations_zone() {
    let app = crm_tests::TestApp::spawn().await;
    let admin = app.admin().await;
    let customer =
        app.customer(&admin, serde_json::json!({ "kind": "company", "name": "首单客户" })).await["id"].as_str().unwrap().to_owned();
    let product = app
        .post("/api/v1/products", &admin, serde_json::json!({ "sku": "M19", "name": "产品", "unit_price": { "amount_minor": 100 } }))
        .await
        .expect(201)
        .id();
    for date in ["2026-03-01", "2026-12-03"] {
        let order = serde_json::json!({ "customer_id": customer, "order_date": date, "lines": [{ "product_id": product, "quantity": 1 }] });
        let id = app.post("/api/v1/orders", &admin, order).await.expect(201).id();
        app.post(&format!("/api/v1/orders/{id}/confirm"), &admin, serde_json::json!({})).await.expect(200);
    }
    async fn order_times(app: &crm_tests::TestApp, admin: &str, customer: &str) -> [String; 2] {
        let c = app.get(&format!("/api/v1/customers/{customer}"), admin).await.expect(200).body;
        ["first_order_at", "last_order_at"].map(|field| c[field].as_str().unwrap().to_owned())
    }
    let in_shanghai = ["2026-02-28T16:00:00Z", "2026-12-02T16:00:00Z"];
    assert_eq!(order_times(&app, &admin, &customer).await, in_shanghai);

    // back to the database before migration 019, with the times it stored
    let db = Database::connect(&app.database_url).await.unwrap();
    let position = Migrator::migrations().iter().position(|m| m.name().contains("_000019_")).unwrap();
    Migrator::down(&db, Some(u32::try_from(Migrator::migrations().len() - position).unwrap())).await.unwrap();
    db.close().await.unwrap();
    let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let values = [at("2026-03-01T00:00:00Z").into(), at("2026-12-03T00:00:00Z").into(), customer.parse::<uuid::Uuid>().unwrap().into()];
    app.execute("UPDATE customers SET first_order_at = ?, last_order_at = ? WHERE id = ?", values).await;
    let at_utc_midnight = ["2026-03-01T00:00:00Z", "2026-12-03T00:00:00Z"];
    // Read from the database: the running server's schema is ahead of it now (later migrations
    // add columns it reads on every request), so only a server that migrates reads it again.
    let db = Database::connect(&app.database_url).await.unwrap();
    let backend = db.get_database_backend();
    let placeholder = if backend == sea_orm::DatabaseBackend::Postgres { "$1" } else { "?" };
    let sql = format!("SELECT first_order_at, last_order_at FROM customers WHERE id = {placeholder}");
    let id = sea_orm::Value::from(customer.parse::<uuid::Uuid>().unwrap());
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [id])).await.unwrap().unwrap();
    let stored = ["first_order_at", "last_order_at"]
        .map(|column| row.try_get::<chrono::DateTime<chrono::Utc>>("", column).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    assert_eq!(stored, at_utc_midnight);
    db.close().await.unwrap();

    // a server starting migrates and dates them in its zone
    let shanghai = app.spawn_alongside(|_| {}).await;
    assert_eq!(order_times(&shanghai, &admin, &customer).await, in_shanghai);
    let utc = app.spawn_alongside(|config| config.time_zone = "UTC".parse().unwrap()).await;
    assert_eq!(order_times(&utc, &admin, &customer).await, at_utc_midnight);
    let new_york = app.spawn_alongside(|config| config.time_zone = "America/New_York".parse().unwrap()).await;
    assert_eq!(order_times(&new_york, &admin, &customer).await, ["2026-03-01T05:00:00Z", "2026-12-03T05:00:00Z"]);
}
