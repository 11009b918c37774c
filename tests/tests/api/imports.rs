//! Imports: a file uploaded (CSV in UTF-8 or GBK, XLSX), its mapping proposed and adjusted, a
//! dry run that says per row what the run will do, the run in the background with its audit
//! entries and events, duplicate handling, cancel, and a revert that leaves alone what changed
//! since.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crm_tests::TestApp;

const TERMINAL: [&str; 6] = ["uploaded", "checked", "completed", "cancelled", "failed", "reverted"];

async fn upload(app: &TestApp, token: &str, file_name: &str, bytes: Vec<u8>) -> Value {
    let path = format!("/api/v1/imports?entity=customers&file_name={file_name}");
    app.post_bytes(&path, token, "application/octet-stream", bytes).await.expect(201).body
}

/// Waits until the import's background work ends (a state the worker leaves it in).
async fn settled(app: &TestApp, token: &str, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let import = app.get(&format!("/api/v1/imports/{id}"), token).await.expect(200).body;
        if TERMINAL.contains(&import["status"].as_str().unwrap_or_default()) {
            return import;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "the import did not finish: {import}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn step(app: &TestApp, token: &str, id: &str, action: &str) -> Value {
    app.post(&format!("/api/v1/imports/{id}/{action}"), token, json!({})).await.expect(202);
    settled(app, token, id).await
}

async fn rows(app: &TestApp, token: &str, id: &str, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app.get(&format!("/api/v1/imports/{id}/rows?limit=200&{query}{cursor}"), token).await.expect(200).body;
        all.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return all,
        }
    }
}

/// Live customers, as an administrator counts them.
async fn live_customers(app: &TestApp, admin: &str) -> i64 {
    app.get("/api/v1/customers?limit=1&include_total=true", admin).await.expect(200).body["total"].as_i64().unwrap()
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[tokio::test]
async fn a_gbk_file_is_mapped_checked_imported_and_told_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (sales_id, _) = app.user("wang@example.com", "sales", &[]).await;
    app.post(
        "/api/v1/custom-fields",
        &admin,
        json!({ "entity": "customers", "key": "budget", "label_zh": "预算", "label_en": "Budget", "field_type": "money" }),
    )
    .await
    .expect(201);
    let file = "客户名称;手机;所属行业;客户阶段;标签;负责人邮箱;预算;备注\r\n\
                上海甲科技有限公司;13912345678;制造业;意向客户;重点、华东;wang@example.com;1,200.50;\r\n\
                北京乙贸易有限公司;010-88886666;贸易;潜在;;;;第二行\r\n\
                ;13800000000;;;;;;缺名称\r\n\
                广州丙公司;不是电话;;;;nobody@example.com;很多;\r\n";
    let import = upload(&app, &admin, "客户.csv", gbk(file)).await;
    let id = import["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (import["format"].as_str(), import["encoding"].as_str(), import["delimiter"].as_str()),
        (Some("csv"), Some("gbk"), Some(";"))
    );
    assert_eq!(import["rows_total"], 4);
    assert_eq!(import["status"], "uploaded");
    assert_eq!(
        import["mapping"],
        json!(["name", "phone", "industry", "lifecycle_stage", "tags", "owner_email", "cf.budget", "notes"]),
        "Chinese headers and the custom field's label are recognised"
    );
    assert_eq!(import["sample"][0][0], "上海甲科技有限公司");

    // The dry run writes nothing, and says what the run will do.
    let before = app.side_effects().await;
    let customers_before = live_customers(&app, &admin).await;
    let checked = step(&app, &admin, &id, "dry-run").await;
    assert_eq!(checked["status"], "checked", "{checked}");
    assert_eq!(checked["checked"], json!({ "created": 2, "updated": 0, "skipped": 0, "failed": 2 }));
    assert_eq!(live_customers(&app, &admin).await, customers_before);
    let (audits, _) = app.side_effects().await;
    assert_eq!(audits - before.0, 2, "only the import's own changes (dry run asked, finished) are audited");
    let failed = rows(&app, &admin, &id, "phase=check&action=failed").await;
    assert_eq!(failed.iter().map(|r| r["row_number"].as_i64().unwrap()).collect::<Vec<_>>(), [4, 5]);
    assert_eq!(failed[0]["errors"][0]["field"], "name");
    let fields: Vec<&str> = failed[1]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"owner_email") && fields.contains(&"custom_fields.budget"), "{fields:?}");
    let report = app
        .send(Method::GET, &format!("/api/v1/imports/{id}/rows/export?phase=check"), Some(&admin), None, &[("accept-language", "zh-CN")])
        .await;
    assert_eq!(report.status, 200);
    assert!(report.text.starts_with("\u{feff}行号,处理,记录编号,错误"), "{}", report.text);
    assert!(report.text.contains("没有邮箱为 nobody@example.com 的在职用户"), "{}", report.text);

    // The run: two customers, each audited and told with the import's id; the end told once.
    let head = app.get("/api/v1/events/head", &admin).await.expect(200).body["head"].as_i64().unwrap();
    let done = step(&app, &admin, &id, "run").await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!((done["created"].as_i64(), done["failed"].as_i64(), done["rows_done"].as_i64()), (Some(2), Some(2), Some(4)));
    let created = rows(&app, &admin, &id, "action=created").await;
    let first_id = created[0]["record_id"].as_str().unwrap().to_owned();
    let first = app.get(&format!("/api/v1/customers/{first_id}"), &admin).await.expect(200).body;
    assert_eq!((first["name"].as_str(), first["phone"].as_str()), (Some("上海甲科技有限公司"), Some("+8613912345678")));
    assert_eq!((first["lifecycle_stage"].as_str(), first["owner_id"].as_str()), (Some("prospect"), Some(sales_id.as_str())));
    assert_eq!(first["tags"], json!(["重点", "华东"]));
    assert_eq!(first["custom_fields"]["budget"], 120050);
    let events = app.get(&format!("/api/v1/events?after={head}&limit=100"), &admin).await.expect(200).body;
    let told: Vec<(&str, Option<&str>)> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event_type"].as_str().unwrap(), e["payload"]["import_id"].as_str()))
        .collect();
    assert_eq!(told.iter().filter(|(t, i)| *t == "customer.created" && *i == Some(id.as_str())).count(), 2, "{told:?}");
    assert_eq!(told.iter().filter(|(t, _)| *t == "import.completed").count(), 1, "{told:?}");
    let audit = app.get(&format!("/api/v1/audit?entity_id={first_id}"), &admin).await.expect(200).body;
    assert_eq!(audit["data"][0]["changes"]["import_id"].as_str(), Some(id.as_str()), "{audit}");

    // A run happens once.
    app.post(&format!("/api/v1/imports/{id}/run"), &admin, json!({})).await.problem(409);
}

#[tokio::test]
async fn duplicates_are_skipped_or_updated_and_a_revert_leaves_alone_what_changed_since() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let existing = app
        .customer(
            &admin,
            json!({ "kind": "company", "name": "老客户", "credit_code": "91310000MA1FL8TQ36", "city": "上海市", "industry": "零售" }),
        )
        .await;
    let existing_id = existing["id"].as_str().unwrap().to_owned();
    let file = "Name,Credit code,City,Industry,ERP id\n\
                老客户（新名）,91310000MA1FL8TQ36,上海市,制造业,C-1\n\
                新客户甲,,北京市,贸易,C-2\n\
                新客户乙,,广州市,,C-3\n\
                新客户甲,,北京市,物流,C-2\n";
    let import = upload(&app, &admin, "customers.csv", file.as_bytes().to_vec()).await;
    let id = import["id"].as_str().unwrap().to_owned();
    assert_eq!(import["mapping"], json!(["name", "credit_code", "city", "industry", "external_id"]));

    // Mapping an external id needs its system.
    let refused = app.patch(&format!("/api/v1/imports/{id}"), &admin, json!({ "duplicate_handling": "skip" }), None).await;
    assert_eq!(refused.invalid_fields(), ["external_system"]);
    app.patch(
        &format!("/api/v1/imports/{id}"),
        &admin,
        json!({ "duplicate_handling": "skip", "match_keys": ["external_id", "credit_code"], "external_system": "erp" }),
        None,
    )
    .await
    .expect(200);
    let checked = step(&app, &admin, &id, "dry-run").await;
    assert_eq!(checked["checked"], json!({ "created": 2, "updated": 0, "skipped": 2, "failed": 0 }), "the last row repeats row 3");

    // Updating instead: the matched customer takes the row's cells, the repeated row updates the
    // customer the earlier row created.
    let settings = json!({ "duplicate_handling": "update", "match_keys": ["external_id", "credit_code"], "external_system": "erp" });
    let configured = app.patch(&format!("/api/v1/imports/{id}"), &admin, settings, None).await.expect(200).body;
    assert_eq!(configured["status"], "uploaded");
    assert_eq!(configured["checked"], Value::Null);
    let checked = step(&app, &admin, &id, "dry-run").await;
    assert_eq!(checked["checked"], json!({ "created": 2, "updated": 2, "skipped": 0, "failed": 0 }));
    let done = step(&app, &admin, &id, "run").await;
    assert_eq!((done["created"].as_i64(), done["updated"].as_i64()), (Some(2), Some(2)), "{done}");
    let old = app.get(&format!("/api/v1/customers/{existing_id}"), &admin).await.expect(200).body;
    assert_eq!((old["name"].as_str(), old["industry"].as_str()), (Some("老客户（新名）"), Some("制造业")));
    assert_eq!(old["external_ids"]["erp"], "C-1");
    let jia = app.get("/api/v1/customers/external/erp/C-2", &admin).await.expect(200).body;
    assert_eq!(jia["industry"], "物流");
    let yi = app.get("/api/v1/customers/external/erp/C-3", &admin).await.expect(200).body;

    // Someone edits 新客户乙 after the import: the revert leaves it and lists it.
    let yi_id = yi["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/customers/{yi_id}"), &admin, json!({ "industry": "医疗" }), None).await.expect(200);
    let reverted = step(&app, &admin, &id, "revert").await;
    assert_eq!(reverted["status"], "reverted", "{reverted}");
    assert_eq!((reverted["reverted"].as_i64(), reverted["kept"].as_i64()), (Some(3), Some(1)), "{reverted}");
    let old = app.get(&format!("/api/v1/customers/{existing_id}"), &admin).await.expect(200).body;
    assert_eq!(
        (old["name"].as_str(), old["industry"].as_str()),
        (Some("老客户"), Some("零售")),
        "the updated customer has its values back"
    );
    assert_eq!(old["external_ids"], json!({}), "the reference the import added is gone");
    app.get(&format!("/api/v1/customers/{}", jia["id"].as_str().unwrap()), &admin).await.problem(404);
    app.get(&format!("/api/v1/customers/{yi_id}"), &admin).await.expect(200);
    let kept: Vec<Value> = rows(&app, &admin, &id, "").await.into_iter().filter(|r| r["revert"] == "changed_since").collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["record_id"].as_str(), Some(yi_id.as_str()));
    app.post(&format!("/api/v1/imports/{id}/revert"), &admin, json!({})).await.problem(409);
}

#[tokio::test]
async fn ten_thousand_rows_with_errors_are_imported_in_chunks() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut file = String::from("客户名称\t手机\t邮箱\t城市\n");
    for n in 0..10_000 {
        // Every 97th row has a bad email, every 89th no name.
        let name = if n % 89 == 0 { String::new() } else { format!("导入客户{n}") };
        let email = if n % 97 == 0 { "not-an-email".to_owned() } else { format!("c{n}@example.com") };
        file.push_str(&format!("{name}\t139{n:08}\t{email}\t上海市\n"));
    }
    let bad = (0..10_000).filter(|n| n % 89 == 0 || n % 97 == 0).count() as i64;
    let import = upload(&app, &admin, "big.tsv", file.into_bytes()).await;
    let id = import["id"].as_str().unwrap().to_owned();
    assert_eq!((import["rows_total"].as_i64(), import["delimiter"].as_str()), (Some(10_000), Some("\t")));
    let done = step(&app, &admin, &id, "run").await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!((done["created"].as_i64(), done["failed"].as_i64()), (Some(10_000 - bad), Some(bad)), "{done}");
    assert_eq!(live_customers(&app, &admin).await, 10_000 - bad);
    let failed = rows(&app, &admin, &id, "action=failed").await;
    assert_eq!(failed.len() as i64, bad);
    assert_eq!(failed[0]["row_number"], 2, "row 2 is the first data row (n = 0)");
    let found = app.get("/api/v1/customers?q=c1234@example.com", &admin).await.expect(200).body;
    assert_eq!(found["data"][0]["name"], "导入客户1234");
}

#[tokio::test]
async fn an_xlsx_workbook_is_read_and_bad_files_and_settings_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, header) in ["公司名称", "电话", "Email", "客户等级"].iter().enumerate() {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    sheet.write_string(1, 0, "深圳丁科技").unwrap();
    sheet.write_number(1, 1, 13912345678.0).unwrap();
    sheet.write_string(1, 2, "ding@example.com").unwrap();
    sheet.write_string(1, 3, "A类").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let import = upload(&app, &admin, "客户.xlsx", bytes).await;
    let id = import["id"].as_str().unwrap().to_owned();
    assert_eq!((import["format"].as_str(), import["encoding"].as_str()), (Some("xlsx"), None));
    assert_eq!(import["mapping"], json!(["name", "phone", "email", "value_tier"]));
    assert_eq!(import["sample"][0][1], "13912345678", "a number typed in Excel is read as the digits");
    let done = step(&app, &admin, &id, "run").await;
    assert_eq!(done["created"], 1, "{done}");
    let created = rows(&app, &admin, &id, "").await;
    let customer = app.get(&format!("/api/v1/customers/{}", created[0]["record_id"].as_str().unwrap()), &admin).await.expect(200).body;
    assert_eq!((customer["value_tier"].as_str(), customer["email"].as_str()), (Some("a"), Some("ding@example.com")));

    // Files that are no table, unknown fields and a missing name column.
    for (bytes, code) in [(b"   ".to_vec(), "import.empty_file"), (b"PK\x03\x04broken".to_vec(), "import.unreadable_workbook")] {
        let refused = app.post_bytes("/api/v1/imports?entity=customers", &admin, "application/octet-stream", bytes).await.problem(422);
        assert_eq!(refused["code"], code);
    }
    app.post_bytes("/api/v1/imports?entity=spaceships", &admin, "text/csv", b"a,b\n1,2\n".to_vec()).await.problem(400);
    let nameless = upload(&app, &admin, "x.csv", "电话,城市\n13912345678,上海市\n".as_bytes().to_vec()).await;
    let nameless_id = nameless["id"].as_str().unwrap();
    let refused = app.post(&format!("/api/v1/imports/{nameless_id}/dry-run"), &admin, json!({})).await.problem(422);
    assert_eq!(refused["code"], "import.required_field_unmapped");
    let refused = app
        .patch(
            &format!("/api/v1/imports/{nameless_id}"),
            &admin,
            json!({ "mapping": [{ "column": 0, "field": "warp_drive" }, { "column": 9, "field": "name" }] }),
            None,
        )
        .await;
    assert_eq!(refused.invalid_fields(), ["mapping[0]", "mapping[1]"]);
    let refused =
        app.patch(&format!("/api/v1/imports/{nameless_id}"), &admin, json!({ "mapping": [{ "column": 0, "field": "city" }] }), None).await;
    assert_eq!(refused.invalid_fields(), ["mapping"], "city from two columns");

    // Imports are their creator's (and administrators'); a role that may not create customers
    // may not import them.
    let (_, service) = app.user("service@example.com", "support", &[]).await;
    app.get(&format!("/api/v1/imports/{id}"), &service).await.problem(404);
    app.post_bytes("/api/v1/imports?entity=customers", &service, "text/csv", b"name\nx\n".to_vec()).await.problem(403);
    let (_, sales) = app.user("sales@example.com", "sales", &[]).await;
    let mine = upload(&app, &sales, "mine.csv", b"name\nx\n".to_vec()).await;
    let listed = app.get("/api/v1/imports", &sales).await.expect(200).body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed["data"][0]["id"], mine["id"]);
    let all = app.get("/api/v1/imports", &admin).await.expect(200).body;
    assert_eq!(all["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_cancelled_run_keeps_what_it_wrote_and_can_be_reverted() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut file = String::from("name,city\n");
    for n in 0..3_000 {
        file.push_str(&format!("取消测试{n},上海市\n"));
    }
    let import = upload(&app, &admin, "cancel.csv", file.into_bytes()).await;
    let id = import["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/imports/{id}/run"), &admin, json!({})).await.expect(202);
    // Cancel as soon as it runs; it stops after the chunk being written (or ends first).
    let cancelled = app.post(&format!("/api/v1/imports/{id}/cancel"), &admin, json!({})).await;
    let done = settled(&app, &admin, &id).await;
    let written = done["created"].as_i64().unwrap();
    if cancelled.status == 200 {
        assert!(["cancelled", "completed"].contains(&done["status"].as_str().unwrap()), "{done}");
    }
    assert_eq!(live_customers(&app, &admin).await, written, "what was written is what it says");
    assert!(written % 500 == 0 || written == 3_000, "whole chunks only: {written}");
    let reverted = step(&app, &admin, &id, "revert").await;
    assert_eq!((reverted["status"].as_str(), reverted["reverted"].as_i64()), (Some("reverted"), Some(written)));
    assert_eq!(live_customers(&app, &admin).await, 0);
}

#[tokio::test]
async fn an_import_does_not_match_customers_out_of_its_makers_scope() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let theirs = app.customer(&admin, json!({ "kind": "company", "name": "别人的客户", "phone": "13911112222" })).await;
    let (_, sales) = app.user("scope-import@example.com", "sales", &[]).await;
    let import = upload(&app, &sales, "mine.csv", "客户名称,手机\n我的新客户,13911112222\n".as_bytes().to_vec()).await;
    let id = import["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/imports/{id}"), &sales, json!({ "duplicate_handling": "skip", "match_keys": ["phone"] }), None)
        .await
        .expect(200);
    // The phone belongs to a customer the sales user may not read: the row is no duplicate to
    // them (a single create would not tell them either), so it creates their own customer.
    let checked = step(&app, &sales, &id, "dry-run").await;
    assert_eq!(checked["checked"], json!({ "created": 1, "updated": 0, "skipped": 0, "failed": 0 }), "{checked}");
    let rows = rows(&app, &sales, &id, "phase=check").await;
    assert_ne!(rows[0]["record_id"].as_str(), theirs["id"].as_str());
    assert_eq!(rows[0]["record_id"], Value::Null);
    // The admin's import of the same row finds it.
    let import = upload(&app, &admin, "all.csv", "客户名称,手机\n我的新客户,13911112222\n".as_bytes().to_vec()).await;
    let id = import["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/imports/{id}"), &admin, json!({ "duplicate_handling": "skip", "match_keys": ["phone"] }), None)
        .await
        .expect(200);
    let checked = step(&app, &admin, &id, "dry-run").await;
    assert_eq!(checked["checked"]["skipped"], 1, "{checked}");
}
