//! Test harness: spawns the real application on a random port against its own fresh database
//! (a temporary SQLite file, or a new PostgreSQL database when `CRM_TEST_DATABASE=postgres`) and
//! talks HTTP to it like any client.

// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use reqwest::{Method, StatusCode, header::HeaderMap};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crm_api::Application;
use crm_api::config::{Config, Environment, LogFormat};

mod declared_headers;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const PASSWORD: &str = "user-password-1";
/// The token `/metrics` needs in tests.
pub const METRICS_TOKEN: &str = "metrics-token-for-tests";
/// The key that seals personal data in test apps (`CRM_DATA_KEY`).
pub const TEST_DATA_KEY: &str = "test-data-key-test-data-key-test-data-key-01";
/// Small, so that the 413 test needs no large body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Which database the suite runs against.
pub fn backend() -> &'static str {
    match std::env::var("CRM_TEST_DATABASE").as_deref() {
        Ok("postgres") => "postgres",
        _ => "sqlite",
    }
}

fn postgres_admin_url() -> String {
    std::env::var("CRM_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

static POSTGRES_READY: OnceCell<()> = OnceCell::const_new();

/// Drops databases left by earlier runs, once per test process (runs are sequential).
async fn prepare_postgres() {
    POSTGRES_READY
        .get_or_init(|| async {
            let admin = Database::connect(postgres_admin_url())
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL is required for CRM_TEST_DATABASE=postgres: {e}"));
            let rows = admin
                .query_all_raw(Statement::from_string(
                    admin.get_database_backend(),
                    "SELECT datname FROM pg_database WHERE datname LIKE 'crm_test_%'",
                ))
                .await
                .unwrap();
            for row in rows {
                let name: String = row.try_get("", "datname").unwrap();
                let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
            }
        })
        .await;
}

/// A fresh, empty database URL for one test.
pub async fn fresh_database_url() -> (String, Option<tempfile::TempDir>) {
    if backend() == "postgres" {
        prepare_postgres().await;
        let name = format!("crm_test_{}", Uuid::new_v4().simple());
        let admin = Database::connect(postgres_admin_url()).await.unwrap();
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
        admin.close().await.unwrap();
        let base = postgres_admin_url();
        let url = match base.rfind('/') {
            Some(slash) => format!("{}/{}", &base[..slash], name),
            None => panic!("bad CRM_TEST_POSTGRES_URL"),
        };
        (url, None)
    } else {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("crm.sqlite").display());
        (url, Some(dir))
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database_url: String,
    pub app_db: crm_persistence::Db,
    db: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
    admin_token: OnceCell<String>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// Asserts the status and returns self, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        self
    }

    /// Asserts a problem+json answer with this status and returns the problem.
    #[track_caller]
    pub fn problem(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        assert_eq!(self.header("content-type").as_deref(), Some("application/problem+json"), "body: {}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(self.body["type"].as_str().is_some_and(|t| t.starts_with("/problems/")));
        assert!(self.body["request_id"].as_str().is_some_and(|r| !r.is_empty()), "problem without request_id: {}", self.text);
        self.body
    }

    /// The field names of a 422 problem.
    #[track_caller]
    pub fn invalid_fields(self) -> Vec<String> {
        let problem = self.problem(422);
        problem["errors"]
            .as_array()
            .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or_default().to_owned()).collect())
            .unwrap_or_default()
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_owned()
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        let (database_url, dir) = fresh_database_url().await;
        Self::spawn_on(database_url, dir).await
    }

    /// Spawns the application on a database the caller provides (the fault test's own
    /// PostgreSQL cluster); `dir` is kept as long as the app.
    pub async fn spawn_on(database_url: String, dir: Option<tempfile::TempDir>) -> Self {
        Self::spawn_configured(database_url, dir, |_| {}).await
    }

    /// Spawns the application on a fresh database with a configuration `configure` adjusts
    /// (trusted proxies, limits).
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> Self {
        let (database_url, dir) = fresh_database_url().await;
        Self::spawn_configured(database_url, dir, configure).await
    }

    /// Spawns a second application on this one's database with a configuration `configure`
    /// adjusts: the server restarted with another setting (the first one keeps running).
    pub async fn spawn_alongside(&self, configure: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_configured(self.database_url.clone(), None, configure).await
    }

    /// Sets when an opportunity closed (RFC 3339) in the database: the API closes a deal now, and
    /// a test of days needs it closed at an instant of its choosing. The rollup triggers see it.
    pub async fn close_opportunity_at(&self, id: &str, closed_at: &str) {
        let at: chrono::DateTime<chrono::Utc> = closed_at.parse().unwrap();
        let id: Uuid = id.parse().unwrap();
        self.execute("UPDATE opportunities SET closed_at = ? WHERE id = ?", [at.into(), id.into()]).await;
    }

    /// Runs one statement on the database behind the server, written with `?` placeholders
    /// (numbered `$1…` for PostgreSQL here): a test setting up what the API cannot write.
    pub async fn execute(&self, sql: &str, values: impl IntoIterator<Item = sea_orm::Value>) {
        let backend = self.db.get_database_backend();
        let sql = match backend {
            sea_orm::DatabaseBackend::Postgres => {
                let mut numbered = String::with_capacity(sql.len());
                for (i, part) in sql.split('?').enumerate() {
                    if i > 0 {
                        numbered.push_str(&format!("${i}"));
                    }
                    numbered.push_str(part);
                }
                numbered
            }
            _ => sql.to_owned(),
        };
        self.db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.unwrap();
    }

    async fn spawn_configured(database_url: String, dir: Option<tempfile::TempDir>, configure: impl FnOnce(&mut Config)) -> Self {
        let data_dir: PathBuf = dir.as_ref().map(|d| d.path().to_path_buf()).unwrap_or_else(std::env::temp_dir);
        let mut config = Config {
            database_url: database_url.clone(),
            bind: "127.0.0.1:0".into(),
            jwt_secret: "test-secret-test-secret-test-secret-0123".into(),
            data_key: TEST_DATA_KEY.into(),
            previous_data_keys: Vec::new(),
            environment: Environment::Development,
            log_filter: "error".into(),
            log_format: LogFormat::Pretty,
            admin_email: Some(ADMIN_EMAIL.into()),
            admin_password: Some(ADMIN_PASSWORD.into()),
            max_body_bytes: MAX_BODY_BYTES,
            static_dir: None,
            data_dir,
            // One worker keeps many parallel test apps light.
            workers: 1,
            time_zone: chrono_tz_shanghai(),
            // Tests drive the follow-up job themselves, with their own clock.
            follow_up_interval_secs: 0,
            database_pool: Default::default(),
            trusted_proxies: Default::default(),
            markdown_remote_images: false,
            metrics_token: Some(METRICS_TOKEN.into()),
            metrics_bind: None,
            // The tests' receivers listen on 127.0.0.1; the SSRF test turns this off.
            webhook_allow_private: true,
            webhook_poll_interval_ms: 1000,
            // Retries after milliseconds instead of seconds, so a test sees them without waiting.
            webhook_retry_scale: 0.001,
        };
        configure(&mut config);
        let app = Application::build(config).await.expect("the application starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let app_db = app.db().clone();
        tokio::spawn(app.run_until_stopped());
        let db = Database::connect(&database_url).await.unwrap();
        Self {
            address,
            // The server closes a connection idle for 5 s (actix's keep-alive); a request sent on
            // it just as it closes fails with IncompleteMessage (seen after a webhook receiver took
            // seconds to start). Idle connections are dropped here well before that.
            client: reqwest::Client::builder().pool_idle_timeout(std::time::Duration::from_secs(2)).build().unwrap(),
            database_url,
            app_db,
            db,
            _dir: dir,
            admin_token: OnceCell::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sends a request; `body` is sent as JSON when given.
    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.client.request(method.clone(), self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.answer(method, path, request).await
    }

    /// Posts `body` as it is, labelled `content_type`: for what no JSON client sends (a body cut
    /// short, a body of another type).
    pub async fn post_raw(&self, path: &str, token: &str, content_type: &str, body: &'static str) -> Reply {
        let request = self.client.post(self.url(path)).bearer_auth(token).header("content-type", content_type).body(body);
        self.answer(Method::POST, path, request).await
    }

    /// Posts a file's bytes as they are (an import's upload), labelled `content_type`.
    pub async fn post_bytes(&self, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let request = self.client.post(self.url(path)).bearer_auth(token).header("content-type", content_type).body(body);
        self.answer(Method::POST, path, request).await
    }

    /// Sends a built request and reads the reply, checking the headers it declares.
    async fn answer(&self, method: Method, path: &str, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the server answers");
        let reply = read(response).await;
        declared_headers::check(&method, path, &reply);
        reply
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(token), Some(&body), &[]).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value, if_match: Option<&str>) -> Reply {
        let headers: Vec<(&str, &str)> = if_match.map(|v| vec![("If-Match", v)]).unwrap_or_default();
        self.send(Method::PATCH, path, Some(token), Some(&body), &headers).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.send(Method::DELETE, path, Some(token), None, &[]).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.send(Method::POST, "/api/v1/auth/login", None, Some(&json!({ "email": email, "password": password })), &[]).await
    }

    /// The administrator's access token (signed in once per test app).
    pub async fn admin(&self) -> String {
        self.admin_token
            .get_or_init(|| async {
                self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200).body["access_token"].as_str().unwrap().to_owned()
            })
            .await
            .clone()
    }

    pub async fn role_id(&self, key: &str) -> String {
        let roles = self.get("/api/v1/roles?limit=200", &self.admin().await).await.expect(200);
        roles.body["data"].as_array().unwrap().iter().find(|r| r["key"] == key).unwrap_or_else(|| panic!("no role {key}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn create_team(&self, name: &str, parent: Option<&str>) -> String {
        self.post("/api/v1/teams", &self.admin().await, json!({ "name": name, "parent_id": parent })).await.expect(201).id()
    }

    /// Creates a user with a role and teams, signs them in, and returns (user id, access token).
    pub async fn user(&self, email: &str, role: &str, teams: &[&str]) -> (String, String) {
        let body = json!({ "email": email, "display_name": email.split('@').next().unwrap(), "password": PASSWORD, "role_id": self.role_id(role).await, "team_ids": teams });
        let id = self.post("/api/v1/users", &self.admin().await, body).await.expect(201).id();
        let token = self.login(email, PASSWORD).await.expect(200).body["access_token"].as_str().unwrap().to_owned();
        (id, token)
    }

    /// Rows in a table whose column equals a value (`None` counts all rows).
    pub async fn count(&self, table: &str, filter: Option<(&str, &str)>) -> i64 {
        let backend = self.db.get_database_backend();
        let sql = match filter {
            Some((column, value)) => format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = '{}'", value.replace('\'', "''")),
            None => format!("SELECT COUNT(*) AS n FROM {table}"),
        };
        let row = self.db.query_one_raw(Statement::from_string(backend, sql)).await.unwrap().unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    /// Audit entries and events in total: a failed request must change neither.
    pub async fn side_effects(&self) -> (i64, i64) {
        (self.count("audit_log", None).await, self.count("events", None).await)
    }

    /// Creates a customer as `token` and returns its JSON.
    pub async fn customer(&self, token: &str, body: Value) -> Value {
        self.post("/api/v1/customers", token, body).await.expect(201).body
    }
}

fn chrono_tz_shanghai() -> crm_api::config::TimeZone {
    crm_api::config::default_time_zone()
}

async fn read(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, headers, body, text }
}

/// The first run of three or more English words (ASCII letters separated by spaces) in `text`:
/// a sentence, as opposed to a name, a number, a code, an email or a list of codes
/// (`company, individual`).
pub fn english_run(text: &str) -> Option<String> {
    let mut run: Vec<&str> = Vec::new();
    let mut rest = text;
    loop {
        let word_end = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let word = &rest[..word_end];
        if word.is_empty() {
            run.clear();
        } else {
            run.push(word);
            if run.len() >= 3 {
                return Some(run.join(" "));
            }
        }
        rest = &rest[word_end..];
        // Words of one sentence are separated by one space; anything else ends the run.
        match rest.chars().next() {
            None => return None,
            Some(' ') if !word.is_empty() => rest = &rest[1..],
            Some(c) => {
                run.clear();
                rest = &rest[c.len_utf8()..];
            }
        }
    }
}

/// An English sentence in a problem+json body's title, detail or field messages, if any.
pub fn english_in_problem(body: &[u8]) -> Option<String> {
    let problem: Value = serde_json::from_slice(body).ok()?;
    let mut texts = vec![problem["title"].as_str().unwrap_or_default(), problem["detail"].as_str().unwrap_or_default()];
    if let Some(errors) = problem["errors"].as_array() {
        texts.extend(errors.iter().map(|e| e["message"].as_str().unwrap_or_default()));
    }
    texts.into_iter().find_map(|text| english_run(text).map(|run| format!("{run:?} in {text:?}")))
}

#[cfg(test)]
mod english_tests {
    #[test]
    fn sentences_are_english_and_names_codes_and_lists_are_not() {
        assert_eq!(super::english_run("the record does not exist").as_deref(), Some("the record does"));
        assert_eq!(super::english_run("记录不存在，或您无权查看"), None);
        assert_eq!(super::english_run("只能是以下之一：micro, small, medium, large"), None);
        assert_eq!(super::english_run("请求须带 Authorization: Bearer <访问令牌>"), None);
        assert_eq!(super::english_run("上海 Acme Trading 公司"), None);
        assert!(super::english_run("类型不对（invalid type: integer）").is_none());
        assert!(super::english_run("类型不对（expected a string here）").is_some());
    }
}
