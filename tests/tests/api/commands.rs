//! The operator commands behind `crm user create` and `crm seed --demo`.

use crm_api::cli;
use crm_tests::TestApp;

#[tokio::test]
async fn user_create_makes_an_account_that_can_sign_in_with_its_role_and_teams() {
    let app = TestApp::spawn().await;
    app.create_team("华南", None).await;
    cli::create_user(&app.app_db, "Ops@Example.com", "运维", "viewer", "long-password-1", &["华南"]).await.unwrap();
    let session = app.login("ops@example.com", "long-password-1").await.expect(200).body;
    assert_eq!(session["user"]["role"]["key"], "viewer");
    assert_eq!(session["user"]["teams"][0]["name"], "华南");
    assert!(cli::create_user(&app.app_db, "x@example.com", "x", "no-such-role", "long-password-1", &[]).await.is_err());
    assert!(cli::create_user(&app.app_db, "y@example.com", "y", "viewer", "short", &[]).await.is_err());
    assert!(cli::create_user(&app.app_db, "z@example.com", "z", "viewer", "long-password-1", &["无此团队"]).await.is_err());
    assert!(cli::create_user(&app.app_db, "ops@example.com", "again", "viewer", "long-password-1", &[]).await.is_err());
    assert_eq!(app.count("users", None).await, 2);
}

#[tokio::test]
async fn demo_data_is_a_living_crm_and_loads_only_into_an_empty_database() {
    let app = TestApp::spawn().await;
    cli::seed_demo(&app.app_db).await.unwrap();
    let admin = app.admin().await;
    let all = app.get("/api/v1/customers?include_total=true", &admin).await.expect(200).body;
    assert_eq!(all["total"], 60);
    for stage in ["potential", "prospect", "customer", "churned"] {
        let n =
            app.get(&format!("/api/v1/customers?include_total=true&lifecycle_stage={stage}"), &admin).await.body["total"].as_u64().unwrap();
        assert!(n > 0, "no {stage} customers");
    }
    assert!(app.count("contacts", None).await >= 30);
    assert!(app.count("interactions", None).await > 0);
    assert!(app.count("products", None).await >= 5);
    assert!(app.count("opportunities", None).await >= 20);
    let revenue = app.get("/api/v1/reports/sales?group_by=period&period=month&from=2025-01-01", &admin).await.expect(200).body;
    assert!(revenue["total"]["revenue_minor"]["value"].as_i64().unwrap() > 0);
    for role in ["manager", "sales1", "sales2", "marketing", "support", "viewer", "erp"] {
        app.login(&format!("{role}@example.com"), cli::DEMO_PASSWORD).await.expect(200);
    }
    // Sales users see their own team's customers only.
    let sales1 = app.login("sales1@example.com", cli::DEMO_PASSWORD).await.body["access_token"].as_str().unwrap().to_owned();
    let seen = app.get("/api/v1/customers?limit=200", &sales1).await.body;
    assert!(seen["data"].as_array().unwrap().iter().all(|c| c["team_name"] == "浦东新区销售"));
    // The manager of the Shanghai region reaches both district teams.
    let manager = app.login("manager@example.com", cli::DEMO_PASSWORD).await.body["access_token"].as_str().unwrap().to_owned();
    let reached = app.get("/api/v1/customers?include_total=true", &manager).await.body["total"].as_u64().unwrap();
    assert!(reached > seen["data"].as_array().unwrap().len() as u64 && reached < 60);
    // A second run changes nothing.
    cli::seed_demo(&app.app_db).await.unwrap();
    assert_eq!(app.count("customers", None).await, 60);
    // The default prospect rule finds sales1's prospect, silent for 20 days.
    let created = crm_persistence::activities::rules::run_follow_up_rules(&app.app_db, chrono::Utc::now()).await.unwrap();
    assert!(created >= 1);
    let tasks = app.get("/api/v1/tasks?assignee_id=me&view=all", &sales1).await.body;
    assert!(!tasks["data"].as_array().unwrap().is_empty());
}
