//! `crm`: serve the CRM, migrate, print the OpenAPI document, create users, load demo data.

use std::io::Read;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crm_api::config::{Config, LogFormat};
use crm_api::{Application, cli};

#[derive(Parser)]
#[command(name = "crm", version, about = "客户关系管理系统: an open-source CRM")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate and serve the API and the web app (CRM_BIND, default 127.0.0.1:8080).
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Seal every personal value stored with CRM_DATA_KEY: after changing the key (the old one
    /// in CRM_DATA_KEY_PREVIOUS, on every server too), or to seal values stored in clear before.
    /// Runs beside the servers; safe to stop and run again.
    RotateKey,
    /// Load data.
    Seed {
        /// A demo organisation: teams, a user per role, ~60 customers with contacts.
        #[arg(long)]
        demo: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password comes from CRM_PASSWORD or standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, manager, sales, marketing, support, viewer, integration or a custom role key.
        #[arg(long)]
        role: String,
        /// Team names, comma-separated.
        #[arg(long, value_delimiter = ',')]
        teams: Vec<String>,
    },
}

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}

async fn connect(config: &Config) -> anyhow::Result<crm_persistence::Db> {
    let db = crm_persistence::Db::connect(&config.database_url)
        .await
        .context("connecting to the database")?
        .in_time_zone(config.time_zone)
        .with_keys(crm_api::config::keyring(config)?);
    db.migrate().await.context("migrating")?;
    Ok(db)
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        print!("{}", crm_api::openapi::document_json());
        return Ok(());
    }
    let config = Config::from_env()?;
    init_tracing(&config);
    match cli.command {
        Command::Serve => {
            let app = Application::build(config.clone()).await?;
            tracing::info!(port = app.port(), database = %crm_api::app::redact(&config.database_url), "serving");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            connect(&config).await?;
            println!("Migrations applied.");
        }
        Command::User { command: UserCommand::Create { email, name, role, teams } } => {
            let password = match std::env::var("CRM_PASSWORD") {
                Ok(password) if !password.is_empty() => password,
                _ => {
                    let mut text = String::new();
                    std::io::stdin().read_to_string(&mut text)?;
                    text.trim_end_matches(['\n', '\r']).to_owned()
                }
            };
            let db = connect(&config).await?;
            let team_refs: Vec<&str> = teams.iter().map(String::as_str).collect();
            let id = cli::create_user(&db, &email, &name, &role, &password, &team_refs).await?;
            println!("Created user {email} ({id}).");
        }
        Command::Seed { demo } => {
            if !demo {
                anyhow::bail!("say what to load: crm seed --demo");
            }
            let db = connect(&config).await?;
            cli::ensure_admin(&db, &config).await?;
            cli::seed_demo(&db).await?;
        }
        Command::RotateKey => {
            let db = connect(&config).await?;
            let done = cli::rotate_key(&db).await?;
            println!("Every personal value is sealed with key {}: {done}.", crm_api::config::keyring(&config)?.current_id());
        }
        Command::Openapi => {}
    }
    Ok(())
}
