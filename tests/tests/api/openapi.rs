use std::path::Path;

use reqwest::Method;
use serde_json::Value;

use crm_tests::TestApp;

fn committed() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json")).unwrap()
}

#[test]
fn the_committed_openapi_document_is_up_to_date() {
    let generated = crm_api::openapi::document_json();
    assert!(generated == committed(), "openapi/openapi.json is stale: run `make openapi` and commit it");
}

/// Every `.rs` file under `dir`, in its context folders too.
fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// Counts the actix route attributes in the API's source: each must be one documented operation,
/// so a route registered without utoipa (or with `.route()`) makes this fail.
#[test]
fn every_route_in_the_code_is_in_the_document() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/api/src");
    let mut routes = 0;
    for path in rust_files(&src) {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(!text.contains(".route("), "register routes with .service() so they are documented");
        routes += text
            .lines()
            .filter(|l| ["#[get(", "#[post(", "#[put(", "#[patch(", "#[delete("].iter().any(|m| l.trim_start().starts_with(m)))
            .count();
    }
    let doc: Value = serde_json::from_str(&committed()).unwrap();
    let operations: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().keys().filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str())).count())
        .sum();
    assert_eq!(routes, operations);
}

/// utoipa names a schema after its type and keeps only one of two types with the same name, so
/// two `ToSchema` types called alike in different modules would silently share a schema.
#[test]
fn schema_names_are_unique() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/api/src");
    let mut seen = std::collections::BTreeMap::new();
    for path in rust_files(&src) {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !(line.starts_with("#[derive(") && line.contains("ToSchema")) {
                continue;
            }
            let Some(declaration) = lines[i + 1..].iter().find(|l| l.starts_with("pub struct ") || l.starts_with("pub enum ")) else {
                continue;
            };
            let name = declaration.split_whitespace().nth(2).unwrap().trim_end_matches(['{', '<', '(']).to_owned();
            let file = path.strip_prefix(&src).unwrap().display().to_string();
            if let Some(other) = seen.insert(name.clone(), file.clone()) {
                panic!("schema {name} is declared in {other} and {file}");
            }
        }
    }
}

/// Generated clients name their functions and types after operation ids: two operations with one
/// id would get each other's types.
#[test]
fn operation_ids_are_unique() {
    let doc: Value = serde_json::from_str(&committed()).unwrap();
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if let Some(id) = operation["operationId"].as_str()
                && let Some(other) = seen.insert(id.to_owned(), format!("{method} {path}"))
            {
                panic!("operationId {id} is used by {other} and {method} {path}");
            }
        }
    }
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let doc: Value = serde_json::from_str(&committed()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", &uuid::Uuid::now_v7().to_string());
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let reply = app.send(method.clone(), &concrete, Some(&admin), None, &[]).await;
            assert!(reply.body["type"] != "/problems/no-route" && reply.status != 405, "{method} {path} is not served: {}", reply.text);
            assert!(reply.status.as_u16() < 500, "{method} {path}: {}", reply.text);
        }
    }
}

#[tokio::test]
async fn the_document_and_swagger_ui_are_served() {
    let app = TestApp::spawn().await;
    let doc = app.send(Method::GET, "/api/openapi.json", None, None, &[]).await.expect(200);
    assert_eq!(doc.body["info"]["title"], "CRM API");
    let ui = app.send(Method::GET, "/api/docs/", None, None, &[]).await.expect(200);
    assert!(ui.text.contains("swagger"));
}
