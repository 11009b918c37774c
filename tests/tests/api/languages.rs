//! Problems speak the language the request asks for (`Accept-Language`, zh-CN or en) and carry
//! stable codes and parameters a client can word itself. The boundary walk (boundaries.rs) asks
//! every operation in Chinese and fails on any English sentence; these are the focused cases.

use reqwest::Method;
use serde_json::{Value, json};

use crm_tests::{TestApp, english_in_problem};

const ZH: &[(&str, &str)] = &[("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")];
const EN: &[(&str, &str)] = &[("accept-language", "en-US,en;q=0.9")];

fn field<'p>(problem: &'p Value, name: &str) -> &'p Value {
    problem["errors"].as_array().and_then(|errors| errors.iter().find(|e| e["field"] == name)).unwrap_or(&Value::Null)
}

#[tokio::test]
async fn a_validation_problem_is_worded_in_the_language_asked_for_with_the_same_codes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = json!({ "kind": "company", "name": "名".repeat(201), "phone": "12345" });
    let zh = app.send(Method::POST, "/api/v1/customers", Some(&admin), Some(&body), ZH).await;
    assert_eq!(zh.header("content-language").as_deref(), Some("zh-CN"));
    assert!(zh.header("vary").is_some_and(|v| v.to_ascii_lowercase().contains("accept-language")));
    let zh = zh.problem(422);
    let en = app.send(Method::POST, "/api/v1/customers", Some(&admin), Some(&body), EN).await.problem(422);
    assert_eq!((zh["code"].as_str(), en["code"].as_str()), (Some("validation"), Some("validation")));
    assert_eq!(zh["title"], "校验未通过");
    assert_eq!(zh["detail"], "有 2 项填写有误");
    assert_eq!(en["detail"], "2 fields are invalid");
    assert_eq!(field(&zh, "name")["code"], "too_long");
    assert_eq!(field(&zh, "name")["params"], json!({ "max": 200 }));
    assert_eq!(field(&zh, "name")["message"], "最多 200 个字符");
    assert_eq!(field(&en, "name")["message"], "must be at most 200 characters");
    assert_eq!(field(&zh, "phone")["message"], "不是有效的电话号码");
    assert!(english_in_problem(zh.to_string().as_bytes()).is_none(), "{zh}");
    // Nothing was written.
    assert_eq!(app.count("customers", None).await, 0);
}

#[tokio::test]
async fn without_accept_language_problems_are_english_and_any_chinese_tag_is_chinese() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let missing = "/api/v1/customers/00000000-0000-7000-8000-000000000000";
    let plain = app.send(Method::GET, missing, Some(&admin), None, &[]).await.problem(404);
    assert_eq!(plain["detail"], "the record does not exist or you cannot see it");
    for tag in ["zh-CN", "zh", "zh-TW;q=0.5, de", "fr, zh-Hans;q=0.4, en;q=0.3"] {
        let problem = app.send(Method::GET, missing, Some(&admin), None, &[("accept-language", tag)]).await.problem(404);
        assert_eq!(problem["detail"], "记录不存在，或您无权查看", "{tag}");
        assert_eq!(problem["code"], "not_found");
    }
    // Unauthenticated and malformed requests are answered in the asked language too.
    let unauthenticated = app.send(Method::GET, "/api/v1/customers", None, None, ZH).await.problem(401);
    assert_eq!(unauthenticated["code"], "auth.required");
    assert!(english_in_problem(unauthenticated.to_string().as_bytes()).is_none(), "{unauthenticated}");
    let wrong = app
        .send(Method::POST, "/api/v1/auth/login", None, Some(&json!({ "email": "admin@example.com", "password": "not-it" })), ZH)
        .await
        .problem(401);
    assert_eq!(wrong["code"], "auth.invalid_credentials");
    assert_eq!(wrong["detail"], "邮箱或密码错误，或账号已停用");
}

#[tokio::test]
async fn a_conflict_carries_its_own_code_and_a_uniqueness_conflict_names_the_holder() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let team = app.create_team("华东销售", None).await;
    app.user("member@example.com", "sales", &[&team]).await;
    let refused = app.send(Method::DELETE, &format!("/api/v1/teams/{team}"), Some(&admin), None, ZH).await.problem(409);
    assert_eq!(refused["code"], "team.in_use");
    assert_eq!(refused["detail"], "该团队仍有 1 名成员、0 个下级团队和 0 个客户");
    let taken = app.send(Method::POST, "/api/v1/teams", Some(&admin), Some(&json!({ "name": "华东销售" })), ZH).await.problem(409);
    assert_eq!(taken["code"], "team.name_taken");
    assert_eq!(taken["existing_id"], team.as_str());
    let user = json!({ "email": "member@example.com", "display_name": "重名", "password": "a-long-password-1", "role_id": app.role_id("sales").await });
    let taken = app.send(Method::POST, "/api/v1/users", Some(&admin), Some(&user), EN).await.problem(409);
    assert_eq!(taken["code"], "user.email_taken");
    assert!(taken["existing_id"].as_str().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_names_the_field_at_fault() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unknown = app
        .send(Method::POST, "/api/v1/customers", Some(&admin), Some(&json!({ "kind": "company", "name": "x", "regoin": "上海" })), ZH)
        .await
        .problem(422);
    assert_eq!(unknown["errors"][0]["field"], "regoin");
    assert_eq!(unknown["errors"][0]["code"], "unknown_field");
    let missing = app.send(Method::POST, "/api/v1/customers", Some(&admin), Some(&json!({ "kind": "company" })), ZH).await.problem(422);
    assert_eq!(missing["errors"][0]["field"], "name");
    assert_eq!(missing["errors"][0]["code"], "required");
    let choice =
        app.send(Method::POST, "/api/v1/customers", Some(&admin), Some(&json!({ "kind": "robot", "name": "x" })), ZH).await.problem(422);
    assert_eq!(choice["errors"][0]["code"], "choice");
    assert!(english_in_problem(choice.to_string().as_bytes()).is_none(), "{choice}");
}

#[tokio::test]
async fn built_in_roles_are_named_in_the_readers_language_and_custom_roles_as_written() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let custom = json!({ "key": "key_accounts", "name": "Key accounts", "description": "大客户", "permissions": {} });
    app.post("/api/v1/roles", &admin, custom).await.expect(201);
    let names = |reply: crm_tests::Reply| -> Vec<(String, String)> {
        reply.expect(200).body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["key"].as_str().unwrap().to_owned(), r["name"].as_str().unwrap().to_owned()))
            .collect()
    };
    let zh = names(app.send(Method::GET, "/api/v1/roles", Some(&admin), None, ZH).await);
    let en = names(app.send(Method::GET, "/api/v1/roles", Some(&admin), None, EN).await);
    assert!(zh.contains(&("admin".into(), "管理员".into())), "{zh:?}");
    assert!(en.contains(&("admin".into(), "Administrator".into())), "{en:?}");
    assert!(zh.contains(&("key_accounts".into(), "Key accounts".into())), "{zh:?}");
    let me = app.send(Method::GET, "/api/v1/auth/me", Some(&admin), None, ZH).await.expect(200).body;
    assert_eq!(me["role"]["name"], "管理员");
}
