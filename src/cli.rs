//! The `spci` command line.
use crate::app::{AppState, build_app};
use crate::auth::issue;
use crate::config::{Config, LogFormat};
use crate::ratelimit::{Limits, spawn_sweeper};
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "spci",
    version,
    about = "CI results API server (sample-platform API v1 compatible)"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API server
    Serve,
    /// Create or update the database schema, then exit
    Migrate,
    /// Seed a demo dataset (idempotent), print an admin token, and serve
    Demo {
        /// Seed and print the token, but do not serve
        #[arg(long)]
        no_serve: bool,
        /// Also seed this many synthetic runs (for load tests; see --tests)
        #[arg(long, default_value_t = 0)]
        runs: usize,
        /// Regression tests every synthetic run executes
        #[arg(long, default_value_t = 200, requires = "runs")]
        tests: usize,
    },
    /// Manage platform users
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, user, contributor or tester
        #[arg(long, default_value = "user")]
        role: String,
        /// The password (at least 8 characters)
        #[arg(long, env = "SPCI_USER_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a token for a user and print it (shown once)
    Create {
        /// The owner's email
        #[arg(long)]
        email: String,
        /// Token name, unique per user ([A-Za-z0-9_-]{1,50})
        #[arg(long)]
        name: String,
        /// Comma-separated scopes; default runs:read,results:read
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
        /// Lifetime in days (1-30)
        #[arg(long, default_value_t = 7)]
        days: i64,
    },
}

fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.config.log_format);
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("spci: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = cli.config;
    match cli.command {
        Command::Serve => serve(AppState::open(config).await?).await,
        Command::Migrate => {
            AppState::open(config).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Demo {
            no_serve,
            runs,
            tests,
        } => {
            let state = AppState::open(config).await?;
            let tokens = crate::demo::seed(&state).await.map_err(|e| e.message)?;
            let token = tokens.admin;
            if runs > 0 {
                crate::synthetic::seed(&state.db, runs, tests)
                    .await
                    .map_err(|e| e.message)?;
                println!("seeded {runs} synthetic runs x {tests} regression tests");
            }
            let base = format!("http://{}{}", state.config.bind, crate::app::API_PREFIX);
            println!("demo data ready");
            println!("expired token: {} (for trying a 401)", tokens.expired);
            println!("admin token: {token}");
            println!("docs:        {base}/docs");
            println!("try:         curl -H 'Authorization: Bearer {token}' {base}/auth/me");
            if no_serve { Ok(()) } else { serve(state).await }
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    name,
                    role,
                    password,
                },
        } => {
            let state = AppState::open(config).await?;
            let id = issue::create_user(&state.db, &email, &name, &role, &password)
                .await
                .map_err(|e| e.message)?;
            println!("created user {id} <{email}> ({role})");
            Ok(())
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    email,
                    name,
                    scopes,
                    days,
                },
        } => {
            let state = AppState::open(config).await?;
            let scopes = if scopes.is_empty() {
                crate::auth::scopes::DEFAULT_SCOPES
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            } else {
                scopes
            };
            let issued = issue::issue_for_email(&state.db, &email, &name, &scopes, days)
                .await
                .map_err(|e| e.message)?;
            println!("{}", issued.plaintext);
            Ok(())
        }
    }
}

async fn serve(state: Arc<AppState>) -> Result<(), String> {
    let limits = Limits::from_config(&state.config);
    spawn_sweeper(limits.clone(), Duration::from_secs(60));
    // Judge every run once at startup, so the first list request does not pay for it.
    let warm = state.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match warm.verdicts.refresh(&warm.db).await {
            Ok(()) => tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "run verdicts ready"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "run verdicts not ready; the first list request retries")
            }
        }
    });
    let addr = state.config.bind;
    let app = build_app(state, limits);
    tracing::info!(%addr, "listening; docs at http://{addr}{}/docs", crate::app::API_PREFIX);
    poem::Server::new(poem::listener::TcpListener::bind(addr))
        .run_with_graceful_shutdown(
            app,
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
            Some(Duration::from_secs(10)),
        )
        .await
        .map_err(|e| format!("server: {e}"))
}
