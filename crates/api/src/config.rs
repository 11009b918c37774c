//! Configuration from the environment (`CRM_*` and `DATABASE_URL`), with defaults that work for a
//! newcomer and no production defaults for secrets.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use crm_domain::privacy::keys::MIN_SECRET_CHARS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub jwt_secret: String,
    /// Seals personal data at rest (`CRM_DATA_KEY`, at least 32 characters; generated into the
    /// data folder in development). Losing it loses the sealed values: back it up apart from
    /// the database.
    pub data_key: String,
    /// Keys being rotated away from (`CRM_DATA_KEY_PREVIOUS`, comma-separated): values sealed
    /// with them still open until `crm rotate-key` has sealed everything with `data_key`.
    pub previous_data_keys: Vec<String>,
    pub environment: Environment,
    pub log_filter: String,
    pub log_format: LogFormat,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// Largest request body accepted, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// Where the built single-page app lives (`frontend/dist`); served at `/` when present.
    pub static_dir: Option<PathBuf>,
    pub data_dir: PathBuf,
    /// HTTP worker threads (`CRM_WORKERS`, default: one per core).
    pub workers: usize,
    /// The organisation's time zone (`CRM_TIME_ZONE`, default Asia/Shanghai): what "today" means.
    pub time_zone: chrono_tz::Tz,
    /// Seconds between runs of the follow-up rules and reminders (`CRM_FOLLOW_UP_INTERVAL_SECS`,
    /// default 300; 0 turns the scheduler off).
    pub follow_up_interval_secs: u64,
    /// How long a request waits for a database connection before answering 503
    /// (`CRM_DB_ACQUIRE_TIMEOUT_MS`, default 1000) and for a new one to open
    /// (`CRM_DB_CONNECT_TIMEOUT_MS`, default 1000): what bounds every answer during an outage.
    pub database_pool: crm_persistence::PoolSettings,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`CRM_TRUSTED_PROXIES`, comma-separated
    /// addresses or CIDR blocks, default none: the socket peer is the client).
    pub trusted_proxies: crate::auth::TrustedProxies,
    /// Whether rendered Markdown may show images from other sites (`CRM_MARKDOWN_REMOTE_IMAGES`,
    /// default false: they appear as links, and the Content-Security-Policy blocks them).
    pub markdown_remote_images: bool,
    /// The bearer token `/metrics` requires (`CRM_METRICS_TOKEN`). Without it, and without
    /// `metrics_bind`, `/metrics` answers 404: metrics are not for the world.
    pub metrics_token: Option<String>,
    /// A second address that serves only `/metrics`, without a token (`CRM_METRICS_BIND`, e.g.
    /// `127.0.0.1:9090`, for a scraper on a private network).
    pub metrics_bind: Option<String>,
    /// Whether webhooks may go to loopback, private, link-local and metadata addresses
    /// (`CRM_WEBHOOK_ALLOW_PRIVATE`, default false: an administrator could otherwise make the
    /// server probe its own network).
    pub webhook_allow_private: bool,
    /// The longest the webhook worker sleeps between looks for due retries
    /// (`CRM_WEBHOOK_POLL_INTERVAL_MS`, default 5000; 0 turns delivery off on this instance).
    /// Writes on this instance wake it at once; this bounds how late a write on another instance
    /// or a retry falls due is noticed.
    pub webhook_poll_interval_ms: u64,
    /// Multiplies the retry schedule's delays (`CRM_WEBHOOK_RETRY_SCALE`, default 1). Only tests
    /// change it, to see a retry without waiting seconds.
    pub webhook_retry_scale: f64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url)
            .field("bind", &self.bind)
            .field("environment", &self.environment)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("static_dir", &self.static_dir)
            .finish_non_exhaustive()
    }
}

/// The time zone type of the configuration, re-exported so that callers need no chrono-tz.
pub type TimeZone = chrono_tz::Tz;

pub fn default_time_zone() -> TimeZone {
    chrono_tz::Asia::Shanghai
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/crm.sqlite?mode=rwc";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

impl Config {
    /// Reads the environment. In production, secrets must be given; in development a missing JWT
    /// secret is generated once and kept in the data folder so sessions survive restarts.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let var = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let environment = match var("CRM_ENV").as_deref() {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => bail!("CRM_ENV must be development or production, not {other:?}"),
        };
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let data_dir = var("CRM_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("data"));
        ensure_sqlite_folder(&database_url)?;
        let jwt_secret = match (var("CRM_JWT_SECRET"), environment) {
            (Some(secret), _) if secret.len() >= 32 => secret,
            (Some(_), _) => bail!("CRM_JWT_SECRET must be at least 32 characters"),
            (None, Environment::Production) => bail!("CRM_ENV=production needs CRM_JWT_SECRET (and CRM_DATA_KEY) set explicitly"),
            (None, Environment::Development) => development_key(&data_dir, "jwt_secret")?,
        };
        let data_key = match (var("CRM_DATA_KEY"), environment) {
            (Some(key), _) if key.chars().count() >= MIN_SECRET_CHARS => key,
            (Some(_), _) => bail!("CRM_DATA_KEY must be at least {MIN_SECRET_CHARS} characters"),
            (None, Environment::Production) => bail!("CRM_ENV=production needs CRM_DATA_KEY set explicitly"),
            (None, Environment::Development) => development_key(&data_dir, "data_key")?,
        };
        let previous_data_keys: Vec<String> = var("CRM_DATA_KEY_PREVIOUS")
            .map(|keys| keys.split(',').map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect())
            .unwrap_or_default();
        if previous_data_keys.iter().any(|key| key.chars().count() < MIN_SECRET_CHARS) {
            bail!("every key of CRM_DATA_KEY_PREVIOUS must be at least {MIN_SECRET_CHARS} characters");
        }
        let log_format = match var("CRM_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("CRM_LOG_FORMAT must be pretty or json, not {other:?}"),
        };
        let max_body_bytes = match var("CRM_MAX_BODY_BYTES") {
            None => 1024 * 1024,
            Some(text) => text.parse().context("CRM_MAX_BODY_BYTES must be a number of bytes")?,
        };
        let static_dir = var("CRM_STATIC_DIR").map(PathBuf::from).or_else(|| {
            let default = PathBuf::from("frontend/dist");
            default.join("index.html").exists().then_some(default)
        });
        Ok(Self {
            database_url,
            bind: var("CRM_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned()),
            jwt_secret,
            data_key,
            previous_data_keys,
            environment,
            log_filter: var("CRM_LOG").unwrap_or_else(|| "info,sqlx=warn,sea_orm=warn".to_owned()),
            log_format,
            admin_email: var("CRM_ADMIN_EMAIL"),
            admin_password: var("CRM_ADMIN_PASSWORD"),
            max_body_bytes,
            static_dir,
            data_dir,
            workers: match var("CRM_WORKERS") {
                None => std::thread::available_parallelism().map(usize::from).unwrap_or(2),
                Some(text) => text.parse().ok().filter(|n| *n > 0).context("CRM_WORKERS must be a positive number")?,
            },
            time_zone: match var("CRM_TIME_ZONE") {
                None => chrono_tz::Asia::Shanghai,
                Some(name) => {
                    name.parse().map_err(|_| anyhow::anyhow!("CRM_TIME_ZONE {name:?} is not an IANA time zone such as Asia/Shanghai"))?
                }
            },
            trusted_proxies: crate::auth::TrustedProxies::parse(&var("CRM_TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|e| anyhow::anyhow!("CRM_TRUSTED_PROXIES: {e}"))?,
            markdown_remote_images: match var("CRM_MARKDOWN_REMOTE_IMAGES").as_deref() {
                None | Some("false") | Some("0") => false,
                Some("true") | Some("1") => true,
                Some(other) => bail!("CRM_MARKDOWN_REMOTE_IMAGES must be true or false, not {other:?}"),
            },
            metrics_token: match var("CRM_METRICS_TOKEN") {
                Some(token) if token.len() < 16 => bail!("CRM_METRICS_TOKEN must be at least 16 characters"),
                token => token,
            },
            metrics_bind: var("CRM_METRICS_BIND"),
            webhook_allow_private: match var("CRM_WEBHOOK_ALLOW_PRIVATE").as_deref() {
                None | Some("false") | Some("0") => false,
                Some("true") | Some("1") => true,
                Some(other) => bail!("CRM_WEBHOOK_ALLOW_PRIVATE must be true or false, not {other:?}"),
            },
            webhook_poll_interval_ms: match var("CRM_WEBHOOK_POLL_INTERVAL_MS") {
                None => 5000,
                Some(text) => text.parse().context("CRM_WEBHOOK_POLL_INTERVAL_MS must be a number of milliseconds")?,
            },
            webhook_retry_scale: match var("CRM_WEBHOOK_RETRY_SCALE") {
                None => 1.0,
                Some(text) => text
                    .parse::<f64>()
                    .ok()
                    .filter(|scale| scale.is_finite() && *scale >= 0.0)
                    .context("CRM_WEBHOOK_RETRY_SCALE must be a number of 0 or more")?,
            },
            follow_up_interval_secs: match var("CRM_FOLLOW_UP_INTERVAL_SECS") {
                None => 300,
                Some(text) => text.parse().context("CRM_FOLLOW_UP_INTERVAL_SECS must be a number of seconds")?,
            },
            database_pool: {
                let defaults = crm_persistence::PoolSettings::default();
                let millis = |name: &str, default: std::time::Duration| -> anyhow::Result<std::time::Duration> {
                    match var(name) {
                        None => Ok(default),
                        Some(text) => text
                            .parse::<u64>()
                            .ok()
                            .filter(|ms| *ms > 0)
                            .map(std::time::Duration::from_millis)
                            .with_context(|| format!("{name} must be a positive number of milliseconds")),
                    }
                };
                crm_persistence::PoolSettings {
                    acquire_timeout: millis("CRM_DB_ACQUIRE_TIMEOUT_MS", defaults.acquire_timeout)?,
                    connect_timeout: millis("CRM_DB_CONNECT_TIMEOUT_MS", defaults.connect_timeout)?,
                }
            },
        })
    }
}

/// Creates the folder of a SQLite database file so that `mode=rwc` can create the file.
fn ensure_sqlite_folder(url: &str) -> anyhow::Result<()> {
    let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) else { return Ok(()) };
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    Ok(())
}

/// The data keys the configuration names: `data_key` seals, the previous ones still open.
pub fn keyring(config: &Config) -> anyhow::Result<crm_domain::privacy::keys::Keyring> {
    use crm_domain::privacy::keys::{DataKey, Keyring};
    let current = DataKey::from_secret(&config.data_key)?;
    let previous = config.previous_data_keys.iter().map(|key| DataKey::from_secret(key)).collect::<Result<Vec<_>, _>>()?;
    Ok(Keyring::new(current, previous))
}

/// A development secret kept in the data folder under `name`: generated once, then read back, so
/// that sessions and sealed values survive restarts. The file is readable by its owner only. A
/// data key that is there but unusable is refused, never replaced: replacing it would make every
/// value sealed with it unreadable.
fn development_key(data_dir: &Path, name: &str) -> anyhow::Result<String> {
    let path = data_dir.join(name);
    if let Ok(secret) = std::fs::read_to_string(&path) {
        let secret = secret.trim().to_owned();
        if secret.len() >= MIN_SECRET_CHARS {
            return Ok(secret);
        }
        if name == "data_key" {
            bail!("{} holds no usable data key (fewer than {MIN_SECRET_CHARS} characters); restore it from a backup", path.display());
        }
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let secret = hex::encode(rand::random::<[u8; 32]>());
    write_private(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    Ok(secret)
}

/// Writes a file only its owner may read (on Unix; elsewhere with the default permissions).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let dir = std::env::temp_dir().join(format!("crm-config-{}", uuid::Uuid::new_v4()));
        let mut map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        map.entry("CRM_DATA_DIR".into()).or_insert_with(|| dir.display().to_string());
        map.entry("DATABASE_URL".into()).or_insert_with(|| format!("sqlite://{}/crm.sqlite?mode=rwc", dir.display()));
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn production_refuses_to_start_without_explicit_secrets() {
        let error = config(&[("CRM_ENV", "production")]).unwrap_err().to_string();
        assert!(error.contains("CRM_JWT_SECRET"), "{error}");
        let secret = "s".repeat(40);
        let error = config(&[("CRM_ENV", "production"), ("CRM_JWT_SECRET", &secret)]).unwrap_err().to_string();
        assert!(error.contains("CRM_DATA_KEY"), "{error}");
        assert!(config(&[("CRM_ENV", "production"), ("CRM_JWT_SECRET", &secret), ("CRM_DATA_KEY", "k")]).is_err(), "a short data key");
        let production = config(&[("CRM_ENV", "production"), ("CRM_JWT_SECRET", &secret), ("CRM_DATA_KEY", &secret)]).unwrap();
        assert_eq!(production.data_key, secret);
        let rotating =
            [("CRM_ENV", "production"), ("CRM_JWT_SECRET", &secret), ("CRM_DATA_KEY", &secret), ("CRM_DATA_KEY_PREVIOUS", "short")];
        assert!(config(&rotating).is_err());
        assert!(config(&[("CRM_JWT_SECRET", "short")]).is_err());
    }

    #[test]
    fn development_generates_a_secret_once_and_keeps_it() {
        let dir = std::env::temp_dir().join(format!("crm-config-{}", uuid::Uuid::new_v4()));
        let vars = [("CRM_DATA_DIR", dir.to_str().unwrap())];
        let first = config(&vars).unwrap();
        let second = config(&vars).unwrap();
        assert!(first.jwt_secret.len() >= 32);
        assert_eq!(first.jwt_secret, second.jwt_secret);
        assert!(first.data_key.len() >= 32 && first.data_key != first.jwt_secret);
        assert_eq!(first.data_key, second.data_key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("data_key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.join("data_key"), "short").unwrap();
        assert!(config(&vars).unwrap_err().to_string().contains("data key"), "a damaged data key is refused, not replaced");
        assert_eq!(first.bind, DEFAULT_BIND);
        assert_eq!(first.time_zone, chrono_tz::Asia::Shanghai);
    }

    #[test]
    fn the_database_waits_default_to_a_second_and_can_be_set() {
        let defaults = config(&[]).unwrap().database_pool;
        assert_eq!(
            (defaults.acquire_timeout, defaults.connect_timeout),
            (std::time::Duration::from_secs(1), std::time::Duration::from_secs(1))
        );
        let set = config(&[("CRM_DB_ACQUIRE_TIMEOUT_MS", "250"), ("CRM_DB_CONNECT_TIMEOUT_MS", "400")]).unwrap().database_pool;
        assert_eq!(
            (set.acquire_timeout, set.connect_timeout),
            (std::time::Duration::from_millis(250), std::time::Duration::from_millis(400))
        );
    }

    #[test]
    fn bad_values_are_refused_with_their_name() {
        for (name, value) in [
            ("CRM_ENV", "staging"),
            ("CRM_LOG_FORMAT", "xml"),
            ("CRM_MAX_BODY_BYTES", "lots"),
            ("CRM_WORKERS", "0"),
            ("CRM_TIME_ZONE", "Mars/Base"),
            ("CRM_TRUSTED_PROXIES", "10.0.0.1, proxy.local"),
            ("CRM_MARKDOWN_REMOTE_IMAGES", "sometimes"),
            ("CRM_METRICS_TOKEN", "short"),
            ("CRM_DB_ACQUIRE_TIMEOUT_MS", "0"),
            ("CRM_DB_CONNECT_TIMEOUT_MS", "soon"),
        ] {
            let error = config(&[(name, value)]).unwrap_err().to_string();
            assert!(error.contains(name), "{name}: {error}");
        }
    }

    #[test]
    fn the_sqlite_folder_is_created() {
        let dir = std::env::temp_dir().join(format!("crm-config-{}", uuid::Uuid::new_v4())).join("nested");
        let url = format!("sqlite://{}/crm.sqlite?mode=rwc", dir.display());
        config(&[("DATABASE_URL", &url)]).unwrap();
        assert!(dir.is_dir());
    }
}
