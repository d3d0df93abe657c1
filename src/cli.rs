//! The `spci` command line.
use crate::api::{Role, Scope};
use crate::auth::issue;
use crate::config::{Config, LogFormat};
use crate::domain::scopes::DEFAULT_SCOPES;
use crate::http::API_PREFIX;
use crate::seed;
use crate::startup::{open, serve};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

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
    Migrate {
        /// Print what would be added (migrations, tables, indexes) and change nothing
        #[arg(long)]
        dry_run: bool,
    },
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
    /// Serve MCP over stdio (for an agent's MCP client): each tool call is sent to the spci
    /// server at SPCI_URL with SPCI_TOKEN, so it has that token's rights and limits
    Mcp {
        /// The API root of a running spci server
        #[arg(long, env = "SPCI_URL", default_value = "http://127.0.0.1:5000/api/v1")]
        url: String,
        /// The API token the agent acts with
        #[arg(long, env = "SPCI_TOKEN", hide_env_values = true)]
        token: String,
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
        #[arg(long, default_value = "user", value_parser = parse_role)]
        role: Role,
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
        #[arg(long, value_delimiter = ',', value_parser = parse_scope)]
        scopes: Vec<Scope>,
        /// Lifetime in days (1-30)
        #[arg(long, default_value_t = 7)]
        days: i64,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("role must be one of {}", all.join(", "))
    })
}

fn parse_scope(s: &str) -> Result<Scope, String> {
    Scope::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Scope::ALL.iter().map(|r| r.as_str()).collect();
        format!("scope must be one of {}", all.join(", "))
    })
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
    // 8 MiB per worker, as the main thread has: an unoptimised build's request futures (about a
    // hundred operations behind one router) need more than tokio's 2 MiB default.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 * 1024 * 1024)
        .build()
        .expect("tokio runtime");
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
        Command::Serve => serve(open(config).await?).await,
        Command::Mcp { url, token } => crate::mcp::stdio(url, token).await,
        Command::Migrate { dry_run: true } => {
            let db =
                crate::data::connect::connect(config.database_url.as_str(), config.db_timeout())
                    .await
                    .map_err(|e| e.to_string())?;
            for line in migration::dry_run(&db).await.map_err(|e| e.to_string())? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Migrate { dry_run: false } => {
            open(config).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Demo {
            no_serve,
            runs,
            tests,
        } => {
            // Before anything touches the database it names.
            seed::demo::refuse_in_production(&config)?;
            let state = open(config).await?;
            let tokens = seed::demo::seed(&state).await.map_err(|e| e.to_string())?;
            let token = tokens.admin;
            if runs > 0 {
                seed::synthetic::seed(&state.db, runs, tests)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("seeded {runs} synthetic runs x {tests} regression tests");
            }
            let base = format!("http://{}{API_PREFIX}", state.config.bind);
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
            let state = open(config).await?;
            let id = issue::create_user(
                &state.db,
                state.config.password_format,
                &email,
                &name,
                role,
                &password,
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("created user {id} <{email}> ({})", role.as_str());
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
            let state = open(config).await?;
            let scopes = if scopes.is_empty() {
                DEFAULT_SCOPES.to_vec()
            } else {
                scopes
            };
            let issued = issue::issue_for_email(&state.db, &email, &name, &scopes, days)
                .await
                .map_err(|e| e.to_string())?;
            println!("{}", issued.plaintext);
            Ok(())
        }
    }
}
