//! Boundary values: extreme and malformed dates, huge and negative numbers, huge lists and
//! strings, wrong types. Focused regressions first, then one walk that sends such values to every
//! parameter and body field of every operation in the OpenAPI document.

use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crm_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp};

use crate::schema_values::Schemas;

/// The date errors' field codes.
fn date_code(problem: &Value) -> String {
    problem["errors"][0]["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn reports_and_filters_with_extreme_dates_answer_400_and_the_server_stays_up() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, marketing) = app.user("mkt@example.com", "marketing", &[]).await;
    for path in [
        "/api/v1/reports/funnel?to=-262143-01-01",
        "/api/v1/reports/funnel?from=%2B262142-12-01",
        "/api/v1/reports/sales?from=%2B262142-12-01",
        "/api/v1/reports/sales?to=-262143-01-01",
        "/api/v1/reports/sales?from=1899-12-31&to=1900-01-31",
        "/api/v1/orders?order_date_from=-262143-01-01",
        "/api/v1/opportunities?expected_close_to=%2B262142-12-31",
        "/api/v1/opportunities?expected_close_from=9999-99-99",
        "/api/v1/customers?created_at_to=%2B262142-12-31",
        "/api/v1/customers?updated_at_from=2200-01-01",
        "/api/v1/interactions?occurred_at_to=-262143-01-01T00:00:00Z",
        "/api/v1/tickets?due_to=2026-02-30",
    ] {
        let problem = app.get(path, &admin).await.problem(400);
        assert!(["date", "date_range"].contains(&date_code(&problem).as_str()), "{path}: {problem}");
    }
    // Refused while the query is read, before any permission check or arithmetic.
    app.get("/api/v1/reports/funnel?to=-262143-01-01", &marketing).await.problem(400);
    // The ends of the accepted range still work.
    app.get("/api/v1/reports/sales?from=2190-01-01&to=2199-12-31", &admin).await.expect(200);
    app.get("/api/v1/reports/funnel?from=1900-01-01&to=1900-12-31", &admin).await.expect(200);
    app.send(Method::GET, "/healthz", None, None, &[]).await.expect(200);
}

#[tokio::test]
async fn an_order_dated_outside_the_accepted_range_is_refused_with_422() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "上海日期测试" })).await["id"].as_str().unwrap().to_owned();
    let product = app
        .post("/api/v1/products", &admin, json!({ "sku": "D1", "name": "日期", "unit_price": { "amount_minor": 100 } }))
        .await
        .expect(201)
        .id();
    let order = |date: &str| json!({ "customer_id": customer, "order_date": date, "lines": [{ "product_id": product, "quantity": 1 }] });
    for (date, code) in [("+262142-12-31", "date"), ("-262143-01-01", "date"), ("2200-01-01", "date_range"), ("1899-12-31", "date_range")] {
        let problem = app.post("/api/v1/orders", &admin, order(date)).await.problem(422);
        assert_eq!(date_code(&problem), code, "{date}: {problem}");
    }
    // The last accepted day makes an order that confirms.
    let last = app.post("/api/v1/orders", &admin, order("2199-12-31")).await.expect(201).id();
    app.post(&format!("/api/v1/orders/{last}/confirm"), &admin, json!({})).await.expect(200);
    let draft = app.post("/api/v1/orders", &admin, order("2026-11-20")).await.expect(201).id();
    app.patch(&format!("/api/v1/orders/{draft}"), &admin, json!({ "order_date": "+262142-12-31" }), None).await.problem(422);
    // Other date fields of bodies take the same range.
    let customer_path = format!("/api/v1/customers/{customer}");
    app.patch(&customer_path, &admin, json!({ "birthday": "+262142-12-31" }), None).await.problem(422);
    app.post("/api/v1/tasks", &admin, json!({ "title": "远期", "due_at": "3000-01-01T00:00:00Z" })).await.problem(422);
}

#[tokio::test]
async fn sixty_four_thousand_tags_are_refused_with_422() {
    let app = TestApp::spawn_with(|config| config.max_body_bytes = 2 * 1024 * 1024).await;
    let admin = app.admin().await;
    let tags: Vec<String> = (0..64_000).map(|i| format!("t{i}")).collect();
    let body = json!({ "kind": "company", "name": "标签过多", "tags": tags });
    app.post("/api/v1/customers", &admin, body).await.problem(422);
    // Under the list bound, the tag limit is counted before any tag is read.
    let tags: Vec<String> = (0..900).map(|i| format!("t{i}")).collect();
    let problem = app.post("/api/v1/customers", &admin, json!({ "kind": "company", "name": "标签过多", "tags": tags })).await.problem(422);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 1, "{problem}");
    assert_eq!(problem["errors"][0]["code"], "too_many");
    app.send(Method::GET, "/healthz", None, None, &[]).await.expect(200);
}

#[tokio::test]
async fn comma_separated_filters_take_at_most_a_hundred_values() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let many = vec!["prospect"; 101].join(",");
    for path in [format!("/api/v1/customers?lifecycle_stage={many}"), format!("/api/v1/events?types={many}")] {
        let problem = app.get(&path, &admin).await.problem(400);
        assert_eq!(problem["errors"][0]["code"], "too_many", "{path}");
    }
    app.get(&format!("/api/v1/customers?lifecycle_stage={}", vec!["prospect"; 100].join(",")), &admin).await.expect(200);
}

#[tokio::test]
async fn a_search_text_over_two_hundred_characters_or_a_tag_filter_over_thirty_two_answers_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let long = "x".repeat(60_000);
    for list in ["customers", "users", "tickets", "portal-accounts", "requirements/board", "opportunities", "kb/articles"] {
        let problem = app.get(&format!("/api/v1/{list}?q={long}"), &admin).await.problem(400);
        assert_eq!(problem["errors"][0]["code"], "too_long", "{list}");
    }
    app.get(&format!("/api/v1/customers?q={}", "x".repeat(200)), &admin).await.expect(200);
    for list in ["customers", "requirements/board", "kb/articles"] {
        let problem = app.get(&format!("/api/v1/{list}?tag={}", "x".repeat(20_000)), &admin).await.problem(400);
        assert_eq!(problem["errors"][0]["code"], "too_long", "{list}");
    }
}

// ---------------------------------------------------------------------------------------------
// The walk over every operation.

/// Panics on the server's threads (actix workers and their blocking pool) while the walk runs.
/// The app runs in this process, so a process-wide hook sees them; test threads are named after
/// their test (`module::name`) or `main`, and are left out so that another test's failing
/// assertion is not counted.
static SERVER_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn watch_server_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let name = std::thread::current().name().unwrap_or_default().to_owned();
            if !name.contains("::") && name != "main" {
                SERVER_PANICS.lock().unwrap_or_else(|e| e.into_inner()).push(format!("thread {name}: {info}"));
            }
            previous(info);
        }));
    });
}

const DATES: [&str; 5] = ["-262143-01-01", "+262142-12-31", "2026-02-30", "9999-99-99", "+262142-12-31T00:00:00Z"];
const MIB: usize = 1024 * 1024;
const QUERY_MAX: usize = 60_000;

struct Walk<'a> {
    schemas: Schemas<'a>,
    /// An id that exists (a customer), for uuid fields and path parameters.
    known_id: String,
}

impl Walk<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        self.schemas.resolve(schema)
    }

    fn kind<'s>(&self, schema: &'s Value) -> &'s str {
        self.schemas.kind(schema)
    }

    /// A plausible valid value, so that one wrong field is not hidden behind a missing one.
    fn sample(&self, schema: &Value, depth: usize) -> Value {
        self.schemas.sample(schema, "", depth, &|_| self.known_id.clone())
    }

    /// The boundary values for a field of this schema (named `name`).
    fn boundaries(&self, name: &str, schema: &Value) -> Vec<Value> {
        let schema = self.resolve(schema);
        let date_like = matches!(schema["format"].as_str(), Some("date" | "date-time"))
            || ["_at", "_date", "from", "to", "birthday", "date"].iter().any(|end| name.ends_with(end));
        let mut values = Vec::new();
        match self.kind(schema) {
            "string" => {
                if date_like {
                    values.extend(DATES.iter().map(|d| json!(d)));
                }
                values.push(json!("x".repeat(MIB)));
                values.push(json!(i64::MAX));
                values.push(json!(-1));
            }
            "integer" | "number" => {
                values.extend([json!(i64::MAX), json!(i64::MIN), json!(-1), json!(1e308), json!("12")]);
            }
            "boolean" => values.extend([json!("yes"), json!(2)]),
            "array" => {
                let item = self.sample(&schema["items"], 1);
                values.push(Value::Array(vec![item; 100_000]));
                values.push(json!("not a list"));
            }
            "object" => values.extend([json!([1, 2]), json!("not an object")]),
            _ => values.extend([json!("x".repeat(MIB)), json!(i64::MAX), json!([{}])]),
        }
        values
    }

    /// Every field of a body schema as (path, schema), nested objects and list items included.
    fn fields(&self, schema: &Value, prefix: Vec<Value>, depth: usize, out: &mut Vec<(Vec<Value>, Value)>) {
        let schema = self.resolve(schema);
        if depth > 3 {
            return;
        }
        match self.kind(schema) {
            "object" => {
                if let Some(properties) = schema["properties"].as_object() {
                    for (name, property) in properties {
                        let mut path = prefix.clone();
                        path.push(json!(name));
                        out.push((path.clone(), property.clone()));
                        self.fields(property, path, depth + 1, out);
                    }
                }
            }
            "array" if !prefix.is_empty() => {
                let mut path = prefix;
                path.push(json!(0));
                self.fields(&schema["items"], path, depth + 1, out);
            }
            _ => {}
        }
    }

    /// `base` with the value at `path` replaced (list items along the way are created).
    fn with(&self, base: &Value, schema: &Value, path: &[Value], value: Value) -> Value {
        let mut body = base.clone();
        let mut at = &mut body;
        let mut schema = self.resolve(schema).clone();
        for (i, step) in path.iter().enumerate() {
            let last = i == path.len() - 1;
            match step {
                Value::String(name) => {
                    let property = self.resolve(&schema["properties"][name]).clone();
                    if !at.is_object() {
                        *at = json!({});
                    }
                    let object = at.as_object_mut().unwrap();
                    if last {
                        object.insert(name.clone(), value);
                        return body;
                    }
                    if !object.contains_key(name) || object[name].is_null() {
                        object.insert(name.clone(), self.sample(&property, 1));
                    }
                    at = object.get_mut(name).unwrap();
                    schema = property;
                }
                _ => {
                    let item = self.resolve(&schema["items"]).clone();
                    if !at.is_array() || at.as_array().unwrap().is_empty() {
                        *at = json!([self.sample(&item, 1)]);
                    }
                    at = &mut at.as_array_mut().unwrap()[0];
                    schema = item;
                }
            }
        }
        body
    }
}

struct Probe<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    staff: String,
    portal: String,
    failures: Vec<String>,
    sent: usize,
    statuses: std::collections::BTreeMap<u16, usize>,
    slowest: (Duration, String),
}

impl Probe<'_> {
    async fn send(&mut self, method: &Method, path: &str, query: &[(String, String)], body: Option<&Value>) {
        let token = if path.starts_with("/api/v1/portal/") { self.portal.clone() } else { self.staff.clone() };
        // Asked in Chinese: every refusal must come back without an English sentence.
        let mut request =
            self.client.request(method.clone(), self.app.url(path)).bearer_auth(&token).header("accept-language", "zh-CN").query(query);
        if let Some(body) = body {
            request = request.json(body);
        }
        let started = Instant::now();
        let outcome = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                response.bytes().await.map(|body| (status, body))
            }
            Err(error) => Err(error),
        };
        let took = started.elapsed();
        self.sent += 1;
        let shown: String =
            format!("{method} {path} {query:?} {}", body.map(Value::to_string).unwrap_or_default()).chars().take(300).collect();
        if took > self.slowest.0 {
            self.slowest = (took, shown.clone());
        }
        if let Ok((status, body)) = &outcome {
            *self.statuses.entry(*status).or_default() += 1;
            if *status >= 400
                && let Some(english) = crm_tests::english_in_problem(body)
            {
                self.failures.push(format!("{status} in English for zh-CN ({english}): {shown}"));
            }
        }
        match outcome.map(|(status, _)| status) {
            Ok(status) if status >= 500 => self.failures.push(format!("{status} after {took:?}: {shown}")),
            Ok(_) if took > Duration::from_secs(1) => self.failures.push(format!("took {took:?}: {shown}")),
            Ok(401) if !path.starts_with("/api/v1/portal/") && !path.starts_with("/api/v1/auth/") => {
                // The walk may have signed itself out (logout, password change): sign in again.
                self.staff =
                    self.app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200).body["access_token"].as_str().unwrap().to_owned();
            }
            Ok(_) => {}
            Err(error) => {
                let error: String = error.to_string().chars().take(200).collect();
                self.failures.push(format!("no answer after {took:?} ({error}): {shown}"));
            }
        }
    }
}

#[tokio::test]
async fn every_parameter_and_body_field_of_every_operation_survives_boundary_values() {
    watch_server_panics();
    // A body limit above the largest value sent, so that lists and strings reach the handlers
    // instead of stopping at 413.
    let app = TestApp::spawn_with(|config| config.max_body_bytes = 4 * MIB).await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "上海边界测试" })).await["id"].as_str().unwrap().to_owned();
    let contact = app
        .post(&format!("/api/v1/customers/{customer}/contacts"), &admin, json!({ "name": "边界", "email": "edge@example.com" }))
        .await
        .expect(201)
        .id();
    let invited = app.post("/api/v1/portal-accounts", &admin, json!({ "contact_id": contact })).await.expect(201).body;
    let portal = app
        .send(
            Method::POST,
            "/api/v1/portal/auth/accept-invitation",
            None,
            Some(&json!({ "token": invited["invitation_token"], "password": "portal-password-1" })),
            &[],
        )
        .await
        .expect(200)
        .body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = crate::schema_values::document();
    let walk = Walk { schemas: Schemas { doc: &doc }, known_id: customer.clone() };
    let mut probe = Probe {
        app: &app,
        client: reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap(),
        staff: admin,
        portal,
        failures: Vec::new(),
        sent: 0,
        statuses: Default::default(),
        slowest: (Duration::ZERO, String::new()),
    };
    let started = Instant::now();
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        for (method_name, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(method_name.to_uppercase().as_bytes()).unwrap();
            let parameters: Vec<&Value> =
                operation["parameters"].as_array().map(|p| p.iter().filter(|p| p["in"] != "header").collect()).unwrap_or_default();
            let base_path = |replace: Option<(&str, &str)>| {
                let mut concrete = path.clone();
                for parameter in parameters.iter().filter(|p| p["in"] == "path") {
                    let name = parameter["name"].as_str().unwrap();
                    let value = match replace {
                        Some((target, value)) if target == name => value.to_owned(),
                        _ => match walk.sample(&parameter["schema"], 0) {
                            Value::String(text) => text,
                            other => other.to_string(),
                        },
                    };
                    concrete = concrete.replace(&format!("{{{name}}}"), &urlencoding(&value));
                }
                concrete
            };
            let base_query: Vec<(String, String)> = parameters
                .iter()
                .filter(|p| p["in"] == "query" && p["required"] == true)
                .map(|p| {
                    let value = match walk.sample(&p["schema"], 0) {
                        Value::String(text) => text,
                        other => other.to_string(),
                    };
                    (p["name"].as_str().unwrap().to_owned(), value)
                })
                .collect();
            let body_schema = operation["requestBody"]["content"]["application/json"]["schema"].clone();
            let base_body = (!body_schema.is_null()).then(|| walk.sample(&body_schema, 0));

            for parameter in &parameters {
                let name = parameter["name"].as_str().unwrap();
                let mut values: Vec<String> = walk
                    .boundaries(name, &parameter["schema"])
                    .into_iter()
                    .map(|v| match v {
                        Value::String(text) => text,
                        // A list parameter is comma-separated (`style: form, explode: false`).
                        Value::Array(items) => {
                            items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect::<Vec<_>>().join(",")
                        }
                        other => other.to_string(),
                    })
                    .collect();
                if walk.kind(walk.resolve(&parameter["schema"])) == "string" {
                    values.push(vec!["a"; 10_000].join(","));
                }
                for value in values {
                    if parameter["in"] == "path" {
                        // A path is not where megabytes go; its boundary is a long segment.
                        let value: String = value.chars().take(2048).collect();
                        probe.send(&method, &base_path(Some((name, &value))), &base_query, base_body.as_ref()).await;
                    } else {
                        // The HTTP client refuses URLs over 64 KiB, so a query value gets 60,000
                        // bytes once percent-encoded (still past the server's header limit)
                        // instead of a mebibyte.
                        let mut encoded = 0;
                        let value: String = value
                            .chars()
                            .take_while(|c| {
                                encoded += if c.is_ascii_alphanumeric() || "-._~".contains(*c) { 1 } else { 3 * c.len_utf8() };
                                encoded <= QUERY_MAX
                            })
                            .collect();
                        let mut query: Vec<(String, String)> = base_query.iter().filter(|(n, _)| n != name).cloned().collect();
                        query.push((name.to_owned(), value));
                        probe.send(&method, &base_path(None), &query, base_body.as_ref()).await;
                    }
                }
            }
            if let Some(base) = &base_body {
                let concrete = base_path(None);
                probe.send(&method, &concrete, &base_query, Some(base)).await;
                probe.send(&method, &concrete, &base_query, Some(&json!([]))).await;
                let mut fields = Vec::new();
                walk.fields(&body_schema, Vec::new(), 0, &mut fields);
                for (field, schema) in fields {
                    let name = field.iter().rev().find_map(Value::as_str).unwrap_or_default();
                    for value in walk.boundaries(name, &schema) {
                        let body = walk.with(base, &body_schema, &field, value);
                        probe.send(&method, &concrete, &base_query, Some(&body)).await;
                    }
                }
            }
        }
    }
    let healthy = app.send(Method::GET, "/healthz", None, None, &[]).await;
    let panics = SERVER_PANICS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    println!(
        "sent {} requests in {:?} (statuses {:?}); slowest {:?}: {}",
        probe.sent,
        started.elapsed(),
        probe.statuses,
        probe.slowest.0,
        probe.slowest.1
    );
    assert!(probe.sent > 2_000, "only {} requests were sent", probe.sent);
    assert!(
        probe.failures.is_empty(),
        "{} failures, first ones:\n{}",
        probe.failures.len(),
        probe.failures[..probe.failures.len().min(40)].join("\n")
    );
    assert!(panics.is_empty(), "the server panicked:\n{}", panics.join("\n"));
    assert_eq!(healthy.status.as_u16(), 200, "/healthz after the walk: {}", healthy.text);
}

/// Percent-encodes a path segment.
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}
