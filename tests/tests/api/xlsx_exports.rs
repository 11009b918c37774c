//! `GET /{resource}/export?format=xlsx` and `columns=`: a workbook read back with `calamine`
//! holds what the list shows (its filters, sort, scope and masking), text stays text (a name
//! like `=1+1` is never a formula), the columns are the ones asked for, and every export is in
//! the audit log.

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use serde_json::{Value, json};

use crm_tests::TestApp;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook as the server sent it, with its headers.
struct Workbook {
    content_type: String,
    disposition: String,
    content_length: Option<u64>,
    cells: Range<Data>,
    formulas: Range<String>,
}

impl Workbook {
    fn row(&self, index: usize) -> Vec<Data> {
        self.cells.rows().nth(index).map(<[Data]>::to_vec).unwrap_or_default()
    }

    fn header(&self) -> Vec<String> {
        self.row(0).iter().map(ToString::to_string).collect()
    }

    /// The data rows (without the header).
    fn records(&self) -> Vec<Vec<Data>> {
        self.cells.rows().skip(1).map(<[Data]>::to_vec).collect()
    }

    fn column(&self, name: &str) -> usize {
        self.header().iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {:?}", self.header()))
    }
}

/// `GET path` as bytes, read back as a workbook of one sheet.
async fn workbook(app: &TestApp, path: &str, token: &str) -> Workbook {
    let response = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let content_length = response.content_length();
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("a valid XLSX workbook");
    let sheets = book.sheet_names();
    assert_eq!(sheets.len(), 1, "{sheets:?}");
    let cells = book.worksheet_range(&sheets[0]).unwrap();
    let formulas = book.worksheet_formula(&sheets[0]).unwrap();
    Workbook { content_type, disposition, content_length, cells, formulas }
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("not a text cell: {other:?}"),
    }
}

#[tokio::test]
async fn an_xlsx_export_is_a_workbook_of_the_lists_rows_with_text_kept_as_text() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for n in 0..3 {
        app.customer(&admin, json!({ "kind": "company", "name": format!("上海客户{n}"), "industry": "制造业", "tags": ["重点"] })).await;
    }
    app.customer(&admin, json!({ "kind": "company", "name": "贸易公司", "industry": "贸易" })).await;
    for formula in ["=1+1", "+86 138", "-2", "@SUM(A1)"] {
        app.customer(&admin, json!({ "kind": "company", "name": formula, "industry": "制造业" })).await;
    }

    let list = app.get("/api/v1/customers?industry=制造业&sort=name&limit=200", &admin).await.expect(200).body;
    let listed: Vec<&str> = list["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    let book = workbook(&app, "/api/v1/customers/export?format=xlsx&industry=制造业&sort=name", &admin).await;
    assert_eq!(book.content_type, XLSX);
    assert_eq!(book.disposition, "attachment; filename=\"customers.xlsx\"");
    assert!(book.content_length.is_some_and(|n| n > 0), "the length is known, so a client can show progress");

    // The header is the CSV's: the record's fields.
    let csv = app.get("/api/v1/customers/export?format=csv&industry=制造业&sort=name", &admin).await.expect(200).text;
    let csv_header: Vec<String> = csv.trim_start_matches('\u{feff}').lines().next().unwrap().split(',').map(str::to_owned).collect();
    assert_eq!(book.header(), csv_header);

    // The same rows in the same order; a formula-looking name is a text cell, no formula at all.
    let names: Vec<String> = book.records().iter().map(|r| text(&r[book.column("name")])).collect();
    assert_eq!(names, listed);
    assert_eq!(names.len(), 7);
    assert!(names.contains(&"上海客户0".to_owned()));
    for formula in ["=1+1", "+86 138", "-2", "@SUM(A1)"] {
        assert!(names.contains(&formula.to_owned()), "{formula} kept as typed, without a prefix");
    }
    assert!(book.formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula in the workbook");

    // Numbers as numbers, nested values as JSON text.
    let first = book.row(1);
    assert!(matches!(first[book.column("version")], Data::Float(_) | Data::Int(_)), "{:?}", first[book.column("version")]);
    let tagged = book.records().into_iter().find(|r| text(&r[book.column("name")]) == "上海客户0").unwrap();
    assert_eq!(text(&tagged[book.column("tags")]), "[\"重点\"]");

    // An empty export still has its header.
    let empty = workbook(&app, "/api/v1/customers/export?format=xlsx&industry=没有", &admin).await;
    assert_eq!(empty.header(), csv_header);
    assert!(empty.records().is_empty());

    // Every list exports as XLSX.
    for resource in ["contacts", "products", "orders", "opportunities", "interactions", "tasks", "tickets", "audit"] {
        let book = workbook(&app, &format!("/api/v1/{resource}/export?format=xlsx"), &admin).await;
        assert!(book.header().len() > 3, "{resource}");
        assert_eq!(book.disposition, format!("attachment; filename=\"{resource}.xlsx\""));
    }
}

#[tokio::test]
async fn columns_choose_and_order_what_csv_and_xlsx_write_and_an_unknown_one_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let field = json!({ "entity": "customers", "key": "level", "label_zh": "等级", "label_en": "Level", "field_type": "text" });
    app.post("/api/v1/custom-fields", &admin, field).await.expect(201);
    app.customer(&admin, json!({ "kind": "company", "name": "华为", "industry": "通信", "custom_fields": { "level": "战略" } })).await;

    let chosen = "columns=name,custom_fields.level,industry";
    let book = workbook(&app, &format!("/api/v1/customers/export?format=xlsx&{chosen}"), &admin).await;
    assert_eq!(book.header(), ["name", "custom_fields.level", "industry"]);
    assert_eq!(book.records().iter().map(|r| r.iter().map(text).collect::<Vec<_>>()).collect::<Vec<_>>(), [["华为", "战略", "通信"]]);
    let csv = app.get(&format!("/api/v1/customers/export?format=csv&{chosen}"), &admin).await.expect(200).text;
    assert_eq!(csv.trim_start_matches('\u{feff}'), "name,custom_fields.level,industry\r\n华为,战略,通信\r\n");

    for (resource, unknown) in
        [("customers", "password_hash"), ("customers", "custom_fields.planet"), ("orders", "custom_fields.level"), ("audit", "name,nope")]
    {
        for format in ["csv", "xlsx", "ndjson"] {
            let path = format!("/api/v1/{resource}/export?format={format}&columns={unknown}");
            let problem = app.get(&path, &admin).await.problem(400);
            assert_eq!(problem["code"], "bad_request", "{path}");
            assert_eq!(problem["errors"][0]["field"], "columns");
            assert_eq!(problem["errors"][0]["code"], "unknown_column", "{path}: {problem}");
        }
    }
    // The refusal is in the reader's language.
    let zh = app
        .send(
            reqwest::Method::GET,
            "/api/v1/customers/export?format=xlsx&columns=nope",
            Some(&admin),
            None,
            &[("Accept-Language", "zh-CN")],
        )
        .await;
    assert!(zh.problem(400)["errors"][0]["message"].as_str().unwrap().contains("不是可导出的列"));
    let bad_format =
        app.send(reqwest::Method::GET, "/api/v1/customers/export?format=pdf", Some(&admin), None, &[("Accept-Language", "zh-CN")]).await;
    assert!(bad_format.problem(400)["errors"][0]["message"].as_str().unwrap().contains("xlsx"));
}

#[tokio::test]
async fn an_xlsx_export_keeps_to_the_callers_scope_and_masks_as_the_list_does() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, sales) = app.user("sales@example.com", "sales", &[]).await;
    let (_, marketing) = app.user("marketing@example.com", "marketing", &[]).await;
    app.customer(&admin, json!({ "kind": "individual", "name": "张伟", "phone": "13812345678" })).await;
    app.customer(&sales, json!({ "kind": "individual", "name": "李娜", "phone": "13987654321" })).await;

    // Scope: the own-scope salesperson exports their own customer only.
    let theirs = workbook(&app, "/api/v1/customers/export?format=xlsx&columns=name,phone", &sales).await;
    assert_eq!(theirs.records().iter().map(|r| text(&r[0])).collect::<Vec<_>>(), ["李娜"]);

    // Masking: without the personal-data right the phones read as the list shows them.
    let list = app.get("/api/v1/customers?sort=name", &marketing).await.expect(200).body;
    let listed: Vec<Value> = list["data"].as_array().unwrap().iter().map(|c| c["phone"].clone()).collect();
    let masked = workbook(&app, "/api/v1/customers/export?format=xlsx&columns=phone&sort=name", &marketing).await;
    let phones: Vec<String> = masked.records().iter().map(|r| text(&r[0])).collect();
    assert_eq!(phones.iter().map(|p| json!(p)).collect::<Vec<_>>(), listed);
    assert!(phones.contains(&"138****5678".to_owned()), "{phones:?}");
    assert!(phones.iter().all(|p| !p.contains("12345678") && !p.contains("87654321")), "{phones:?}");
    let clear = workbook(&app, "/api/v1/customers/export?format=xlsx&columns=phone&sort=name", &admin).await;
    assert!(clear.records().iter().any(|r| text(&r[0]) == "+8613812345678"));
}

#[tokio::test]
async fn every_export_is_audited_as_a_sensitive_read_with_its_format_filters_and_columns() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, marketing) = app.user("marketing@example.com", "marketing", &[]).await;
    app.customer(&admin, json!({ "kind": "company", "name": "上海客户", "industry": "制造业" })).await;

    workbook(&app, "/api/v1/customers/export?format=xlsx&industry=制造业&sort=-name&columns=name,industry", &marketing).await;
    app.get("/api/v1/contacts/export?format=csv", &admin).await.expect(200);
    // A refused export is no read, and is not recorded.
    app.get("/api/v1/customers/export?format=xlsx&columns=nope", &marketing).await.problem(400);
    app.get("/api/v1/orders/export", &marketing).await.problem(403);

    let audit = app.get("/api/v1/audit?action=export", &admin).await.expect(200).body;
    let entries = audit["data"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{audit}");
    let customers = entries.iter().find(|e| e["entity_type"] == "customer").unwrap();
    assert_eq!(customers["actor_name"], "marketing");
    assert_eq!(customers["ip"], "127.0.0.1");
    assert_eq!(
        customers["changes"],
        json!({ "format": "xlsx", "filters": { "industry": "制造业", "sort": "-name" }, "columns": ["name", "industry"] })
    );
    let contacts = entries.iter().find(|e| e["entity_type"] == "contact").unwrap();
    assert_eq!(contacts["changes"], json!({ "format": "csv", "filters": {}, "columns": null }));
    assert_eq!(contacts["actor_name"], "Administrator");
}

#[tokio::test]
async fn an_xlsx_export_writes_every_page_of_a_large_list() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    // More than one export page (500 rows each).
    let items: Vec<Value> = (0..520)
        .map(|n| json!({ "op": "create", "body": { "sku": format!("SKU-{n:04}"), "name": format!("产品{n:04}"), "unit_price": { "amount_minor": 100 } } }))
        .collect();
    let reply = app.post("/api/v1/products/batch?atomic=true", &admin, json!({ "items": items })).await.expect(200);
    assert!(reply.body["results"].as_array().unwrap().iter().all(|r| r["status"] == 201), "{}", reply.text);
    let book = workbook(&app, "/api/v1/products/export?format=xlsx&columns=sku,name&sort=name", &admin).await;
    let skus: Vec<String> = book.records().iter().map(|r| text(&r[0])).collect();
    assert_eq!(skus.len(), 520);
    let expected: Vec<String> = (0..520).map(|n| format!("SKU-{n:04}")).collect();
    assert_eq!(skus, expected, "every row once, in the list's order");
}
