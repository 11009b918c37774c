//! Building and running the HTTP application. `Application::build` binds (port 0 allowed),
//! connects, migrates and creates the first administrator, so tests and `main` start it alike.

use std::net::TcpListener;
use std::sync::OnceLock;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Compress, DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp, scope};
use utoipa_swagger_ui::SwaggerUi;

use crm_persistence::Db;

use crate::auth::{AppState, JwtKeys};
use crate::config::Config;
use crate::error::{json_error, path_error, query_error};
use crate::ops::RouteTable;
use crate::{activities, analytics, customers, identity, middleware, ops, platform, privacy, requirements, sales, service};

/// Registers every documented route. Everything goes through `.service()` so that
/// utoipa-actix-web puts it in the OpenAPI document.
pub fn routes<T>(app: App<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.into_utoipa_app()
        .openapi(crate::openapi::ApiDoc::openapi())
        .service(
            scope("/api/v1")
                .configure(identity::routes)
                .configure(customers::routes)
                .configure(activities::routes)
                .configure(sales::routes)
                .configure(analytics::routes)
                .configure(service::routes)
                .configure(requirements::routes)
                .configure(privacy::routes)
                .configure(platform::routes),
        )
        .service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
}

/// The process-wide metrics recorder, installed once even when several applications start
/// concurrently in one process (as the tests do).
fn prometheus() -> anyhow::Result<PrometheusHandle> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new().install_recorder().map_err(|e| format!("installing the metrics recorder: {e}"))?;
            // `install_recorder` leaves upkeep to its caller: without it every histogram sample
            // stays in memory until `/metrics` is scraped, so an unscraped server grows.
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(std::time::Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                })
                .map_err(|e| format!("starting the metrics upkeep: {e}"))?;
            Ok(handle)
        })
        .clone()
        .map_err(anyhow::Error::msg)
}

/// Long-lived assets whose names carry a content hash may be cached for a year; the app shell
/// must be revalidated so that a deploy is picked up.
async fn cache_headers(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let immutable = req.path().starts_with("/assets/");
    let mut response = next.call(req).await?;
    if response.status().is_success() && !response.headers().contains_key(header::CACHE_CONTROL) {
        let value = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static(value));
    }
    Ok(response)
}

pub struct Application {
    server: Server,
    port: u16,
    db: Db,
    follow_up_interval_secs: u64,
    /// The `/metrics`-only server on `CRM_METRICS_BIND`, when configured.
    metrics_server: Option<Server>,
    webhook_worker: WebhookWorker,
}

/// How this instance's webhook worker runs (`CRM_WEBHOOK_*`).
struct WebhookWorker {
    runtime: crate::platform::delivery::WebhookRuntime,
    poll: std::time::Duration,
    time_scale: f64,
}

/// A server on `bind` that answers only `/metrics` (no token: the operator chose a private address).
fn metrics_server(bind: &str, handle: web::Data<PrometheusHandle>) -> anyhow::Result<Server> {
    let listener = TcpListener::bind(bind).with_context(|| format!("binding CRM_METRICS_BIND {bind}"))?;
    // Not a documented route: this address is the operator's, outside the API.
    let server = HttpServer::new(move || {
        App::new()
            .app_data(handle.clone())
            .service(web::resource("/metrics").guard(actix_web::guard::Get()).to(ops::metrics_on_private_address))
    })
    .workers(1)
    .listen(listener)?
    .run();
    Ok(server)
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = Db::connect_with(&config.database_url, config.database_pool)
            .await
            .with_context(|| format!("connecting to {}", redact(&config.database_url)))?
            .in_time_zone(config.time_zone)
            .with_keys(crate::config::keyring(&config)?);
        db.migrate().await.context("migrating the database")?;
        crm_persistence::personal_data::seal_what_is_not_sealed(&db).await.context("sealing personal data")?;
        crm_persistence::platform::custom_fields::ensure_indexes(&db).await.context("indexing custom fields")?;
        {
            // Names written before the duplicate check existed get their grams in the background;
            // a customer without them is only missed by name (phones and emails still match).
            let db = db.clone();
            tokio::spawn(async move {
                match crm_persistence::customers::duplicates::fill_missing_name_grams(&db).await {
                    Ok(0) => {}
                    Ok(filled) => tracing::info!(filled, "customer names indexed for duplicate checks"),
                    Err(error) => tracing::error!(%error, "indexing customer names for duplicate checks failed; the next start resumes it"),
                }
            });
        }
        crate::cli::ensure_admin(&db, &config).await?;
        let listener = TcpListener::bind(&config.bind).with_context(|| format!("binding {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let workers = config.workers;
        let webhooks = crate::platform::delivery::WebhookRuntime::new(config.webhook_allow_private);
        let state = web::Data::new(AppState {
            db: db.clone(),
            jwt: JwtKeys::new(&config.jwt_secret),
            max_body_bytes: config.max_body_bytes,
            time_zone: config.time_zone,
            trusted_proxies: config.trusted_proxies.clone(),
            webhooks: webhooks.clone(),
        });
        let route_table = web::Data::new(RouteTable::from_openapi(&crate::openapi::document()));
        let metrics_handle = web::Data::new(prometheus()?);
        let metrics_access = web::Data::new(ops::MetricsAccess::new(config.metrics_token.as_deref()));
        let security_headers = web::Data::new(crate::headers::SecurityHeaders::new(config.markdown_remote_images));
        let metrics_server = match &config.metrics_bind {
            Some(bind) => Some(metrics_server(bind, metrics_handle.clone())?),
            None => None,
        };
        let max_body = config.max_body_bytes;
        let static_dir = config.static_dir.clone();
        let server = HttpServer::new(move || {
            let app = App::new()
                .app_data(state.clone())
                .app_data(route_table.clone())
                .app_data(metrics_handle.clone())
                .app_data(metrics_access.clone())
                .app_data(security_headers.clone())
                .app_data(web::JsonConfig::default().limit(max_body).error_handler(json_error))
                .app_data(web::PayloadConfig::new(max_body))
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .app_data(web::PathConfig::default().error_handler(path_error))
                .wrap(from_fn(middleware::idempotency))
                .wrap(from_fn(cache_headers))
                .wrap(from_fn(crate::headers::security_headers))
                .wrap(Compress::default())
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "strict-origin-when-cross-origin")),
                )
                .wrap(from_fn(crate::platform::delivery::wake_after_writes))
                .wrap(from_fn(middleware::request_context));
            let (app, api) = routes(app).split_for_parts();
            let api = crate::openapi::complete(api);
            let app = app
                .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", api))
                .service(web::redirect("/api/docs", "/api/docs/"));
            match &static_dir {
                Some(dir) => {
                    let index = dir.join("index.html");
                    app.default_service(web::to(ops::fallback)).service(
                        actix_files::Files::new("/", dir).index_file("index.html").default_handler(web::to(
                            move |req: actix_web::HttpRequest| {
                                let index = index.clone();
                                async move {
                                    // History-API fallback: client routes get the app shell; API paths don't.
                                    if req.path().starts_with("/api/") || req.method() != actix_web::http::Method::GET {
                                        let table = req.app_data::<web::Data<RouteTable>>().cloned();
                                        return Err(match table.and_then(|t| t.allowed(req.path())) {
                                            Some(allow) => crate::error::ApiError::MethodNotAllowed { allow },
                                            None => crate::error::ApiError::NoRoute(req.path().chars().take(200).collect()),
                                        });
                                    }
                                    actix_files::NamedFile::open_async(index)
                                        .await
                                        .map(|f| f.into_response(&req))
                                        .map_err(|_| crate::error::ApiError::NoRoute(req.path().into()))
                                }
                            },
                        )),
                    )
                }
                None => app.default_service(web::to(ops::fallback)),
            }
        })
        .workers(workers)
        .listen(listener)?
        .run();
        let webhook_worker = WebhookWorker {
            runtime: webhooks,
            poll: std::time::Duration::from_millis(config.webhook_poll_interval_ms),
            time_scale: config.webhook_retry_scale,
        };
        Ok(Self { server, port, db, follow_up_interval_secs: config.follow_up_interval_secs, metrics_server, webhook_worker })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until the process is asked to stop, with background jobs alongside.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let janitor = tokio::spawn(purge_idempotency_keys(self.db.clone()));
        let scheduler =
            (self.follow_up_interval_secs > 0).then(|| tokio::spawn(run_scheduler(self.db.clone(), self.follow_up_interval_secs)));
        let worker = self.webhook_worker;
        let webhooks = (!worker.poll.is_zero())
            .then(|| tokio::spawn(crate::platform::delivery::run_worker(self.db.clone(), worker.runtime, worker.poll, worker.time_scale)));
        let imports = tokio::spawn(crate::platform::imports::run_worker(self.db.clone(), std::time::Duration::from_secs(1)));
        let metrics = self.metrics_server.map(|server| {
            let handle = server.handle();
            tokio::spawn(server);
            handle
        });
        let result = self.server.await;
        if let Some(metrics) = metrics {
            metrics.stop(true).await;
        }
        janitor.abort();
        // A chunk being written is rolled back with its transaction; the next start resumes it.
        imports.abort();
        if let Some(webhooks) = webhooks {
            webhooks.abort();
        }
        if let Some(scheduler) = scheduler {
            scheduler.abort();
        }
        result
    }
}

async fn purge_idempotency_keys(db: Db) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(error) = crm_persistence::platform::idempotency::purge_expired(&db).await {
            tracing::warn!(%error, "purging idempotency keys failed");
        }
    }
}

/// Applies follow-up rules and sends task reminders every interval. With several instances on
/// one database, a lease lets one of them do a round; the work itself is idempotent as well.
async fn run_scheduler(db: Db, interval_secs: u64) {
    let holder = uuid::Uuid::now_v7().to_string();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(interval_secs));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let at = chrono::Utc::now();
        let ttl = chrono::Duration::try_seconds(i64::try_from(interval_secs).unwrap_or(300).max(1)).unwrap_or(chrono::Duration::MAX);
        match crm_persistence::activities::jobs::try_lease(&db, "follow_up", &holder, at, ttl).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) => {
                tracing::warn!(%error, "could not take the scheduler lease");
                continue;
            }
        }
        match crm_persistence::activities::rules::run_follow_up_rules(&db, at).await {
            Ok(0) => {}
            Ok(created) => tracing::info!(created, "follow-up rules created tasks"),
            Err(error) => tracing::warn!(%error, "follow-up rules failed"),
        }
        match crm_persistence::service::tickets::watch_sla(&db, at).await {
            Ok(0) => {}
            Ok(flagged) => tracing::info!(flagged, "SLA breaches flagged"),
            Err(error) => tracing::warn!(%error, "SLA watch failed"),
        }
        match crm_persistence::activities::notifications::send_task_reminders(&db, at).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "task reminders sent"),
            Err(error) => tracing::warn!(%error, "task reminders failed"),
        }
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
