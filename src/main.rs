//! The `minecoop` command: run the server, manage the database, users and audit trail.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use minecoop_domain::audit::BrokenLink;
use minecoop_domain::auth::Role;
use minecoop_store::accounts::{NewUser, random_token};
use minecoop_store::{Actor, Store, StoreError, demo};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// mimalloc: the cadastre check allocates millions of small objects on both cores; it is
/// faster there and wastes less memory than the system allocator (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "minecoop", version, about = "Management system for co-operatives of artisanal and small-scale mines")]
struct Cli {
    /// Database URL (default sqlite://minecoop.db?mode=rwc; postgres://... for PostgreSQL).
    #[arg(long, global = true)]
    db: Option<String>,
    /// Configuration file (default ./minecoop.toml if it exists).
    #[arg(long, global = true, default_value = "minecoop.toml")]
    config: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrates the database first).
    Serve(ServeArgs),
    /// Bring the database schema up to date.
    Migrate,
    /// Load the demo co-op into an empty database.
    Demo,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Mining licences and the lease map (no database needed).
    #[command(subcommand)]
    Cadastre(CadastreCommand),
}

#[derive(Subcommand)]
enum CadastreCommand {
    /// Find overlapping leases and workings outside their licence, from GeoJSON files.
    Check {
        /// FeatureCollection of Polygon/MultiPolygon leases with `licence_no`.
        #[arg(long)]
        leases: std::path::PathBuf,
        /// FeatureCollection of Point/LineString workings with `id` and `licence_no`.
        #[arg(long)]
        workings: Option<std::path::PathBuf>,
        /// EPSG code of the coordinates (EPSG:4490, EPSG:4513-4554); default: degrees if they
        /// fit, else planar metres.
        #[arg(long)]
        crs: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// Exit 1 when anything was found.
        #[arg(long)]
        fail_on_findings: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<String>,
    /// Load the demo co-op if the database is empty, and print its logins.
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. Without --password-stdin a password is generated and printed.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long, default_value = "")]
        display_name: String,
        /// Member enterprise id (owners).
        #[arg(long)]
        member: Option<Uuid>,
        /// Mine id (safety officers).
        #[arg(long)]
        mine: Option<Uuid>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Change an account's role (and its enterprise or mine).
    SetRole {
        username: String,
        #[arg(value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        member: Option<Uuid>,
        #[arg(long)]
        mine: Option<Uuid>,
    },
    /// Disable an account: it can no longer log in and its sessions end.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exit 1 at the first broken link.
    Verify,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|_| {
        format!("unknown role; one of: {}", Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))
    })
}

/// Settings: defaults, then `minecoop.toml`, then `MINECOOP_*` variables, then flags.
#[derive(Debug, Serialize, Deserialize)]
struct Config {
    db: String,
    listen: String,
    secure_cookies: bool,
    /// Days before a licence expires from which it shows as due for renewal.
    renewal_window_days: i64,
    /// Behind a reverse proxy: trust X-Forwarded-For for the client's address.
    trust_proxy: bool,
    log: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: "sqlite://minecoop.db?mode=rwc".into(),
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            renewal_window_days: 90,
            trust_proxy: false,
            log: "info,sea_orm_migration=warn,sqlx=warn".into(),
        }
    }
}

#[derive(Serialize)]
struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    db: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
}

fn load_config(cli: &Cli) -> Result<Config> {
    let listen = match &cli.command {
        Command::Serve(a) => a.listen.clone(),
        _ => None,
    };
    Figment::from(Serialized::defaults(Config::default()))
        .merge(Toml::file(&cli.config))
        .merge(Env::prefixed("MINECOOP_"))
        .merge(Serialized::defaults(Overrides { db: cli.db.clone(), listen }))
        .extract()
        .context("reading the configuration")
}

fn store_error(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(f) => {
            let lang = minecoop_web::i18n::Lang::En;
            let msgs: Vec<String> =
                f.0.iter().map(|e| format!("{}: {}", e.field, minecoop_web::error::field_message(lang, e))).collect();
            anyhow::anyhow!("{}", msgs.join("\n"))
        }
        other => anyhow::anyhow!(other),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Cadastre(CadastreCommand::Check { leases, workings, crs, format, fail_on_findings }) = &cli.command
    {
        return cadastre_check(leases, workings.as_deref(), crs.as_deref(), *format, *fail_on_findings);
    }
    let config = load_config(&cli)?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.log)),
        )
        .with_writer(std::io::stderr)
        .init();
    let store = Store::open(&config.db).await.map_err(store_error).with_context(|| format!("opening {}", config.db))?;
    let system = Actor::system("cli");
    match cli.command {
        Command::Migrate => println!("database is up to date: {}", config.db),
        Command::Demo => {
            let logins = demo::load(&store).await.map_err(store_error)?;
            print_logins(logins);
        }
        Command::Serve(args) => return serve(store, &config, args.demo).await,
        Command::Cadastre(_) => unreachable!("handled before the database is opened"),
        Command::User(cmd) => user_command(&store, &system, cmd).await?,
        Command::Audit(AuditCommand::Verify) => match store.audit_verify().await.map_err(store_error)? {
            Ok(n) => println!("audit trail intact: {n} records"),
            Err(broken) => {
                let why = match broken {
                    BrokenLink::HashMismatch { seq } => format!("record {seq} was changed after it was written"),
                    BrokenLink::PrevMismatch { seq } => {
                        format!("record {seq} does not follow the record before it (removed or reordered)")
                    }
                    BrokenLink::Gap { expected, found } => {
                        format!("records are missing: expected {expected}, found {found}")
                    }
                };
                eprintln!("audit trail BROKEN: {why}");
                return Ok(ExitCode::from(1));
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// `minecoop cadastre check`: exit 0 when the check ran, 1 with `--fail-on-findings` when
/// something was found, 2 (through `main`) when an input cannot be read.
fn cadastre_check(
    leases: &std::path::Path,
    workings: Option<&std::path::Path>,
    crs: Option<&str>,
    format: OutputFormat,
    fail_on_findings: bool,
) -> Result<ExitCode> {
    use minecoop_domain::cadastre::{check, crs::Crs, geojson};
    // MINECOOP_TIMINGS=1 prints how long each phase took, for profiling.
    let started = std::time::Instant::now();
    let timings = std::env::var_os("MINECOOP_TIMINGS").is_some();
    let phase = |name: &str| {
        if timings {
            eprintln!("{:>8.3} s  {name}", started.elapsed().as_secs_f64());
        }
    };
    // One file at a time, each read a window at a time and parsed on all cores: the text of a
    // file is never held whole (the workings file is the largest thing the check would hold).
    let lease_list = geojson::read_leases(leases)
        .with_context(|| format!("{}: cannot read", leases.display()))?
        .map_err(|e| anyhow::anyhow!("{}: {e}", leases.display()))?;
    phase("leases parsed");
    let work_list = match workings {
        Some(p) => geojson::read_workings(p)
            .with_context(|| format!("{}: cannot read", p.display()))?
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
        None => Vec::new(),
    };
    phase("workings parsed");
    let crs = match crs {
        Some(code) => Crs::parse(code).map_err(|e| anyhow::anyhow!(e))?,
        None => check::guess_crs(
            lease_list
                .iter()
                .flat_map(|l| l.rings.iter().flatten().flatten())
                .chain(work_list.iter().flat_map(|w| w.points.iter())),
        ),
    };
    let report = check::check(lease_list, &work_list, crs);
    phase("checked");
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string(&report)?),
        OutputFormat::Text => {
            println!("{} leases, {} workings", report.leases, report.workings);
            for o in &report.overlaps {
                println!("overlap: {} and {} share {:.2} m2", o.a, o.b, o.area_m2);
            }
            for o in &report.outside {
                let kind = match o.kind {
                    check::OutsideKind::BeyondBoundary => "beyond the boundary of",
                    check::OutsideKind::OutOfLevel => "out of the licensed levels of",
                };
                println!("working {} is {:.2} m {kind} {}", o.working, o.distance_m, o.licence_no);
            }
            for i in &report.invalid {
                println!("invalid lease {}: {}", i.licence_no, i.problem);
            }
            for w in &report.unknown_licence_workings {
                println!("working {w} names a licence that is not in the leases file");
            }
            if !report.has_findings() {
                println!("no findings");
            }
        }
    }
    phase("written");
    Ok(if fail_on_findings && report.has_findings() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn print_logins(logins: &[demo::DemoLogin]) {
    println!("Demo logins (username / password / role):");
    for l in logins {
        println!("  {:<10} {:<22} {:<15} {}", l.username, l.password, l.role.as_str(), l.note);
    }
}

async fn serve(store: Store, config: &Config, with_demo: bool) -> Result<ExitCode> {
    if with_demo
        && store.member_choices().await.map_err(store_error)?.is_empty()
        && store.user_count().await.map_err(store_error)? == 0
    {
        demo::load(&store).await.map_err(store_error)?;
        eprintln!("loaded the demo co-op");
    }
    if store.admin_count().await.map_err(store_error)? == 0 {
        eprintln!(
            "No administrator account exists, so the server will not start.\n\
             Create one with:\n\n    minecoop user add --username admin --role admin{}\n\n\
             (or start with --demo to load the demo co-op and its accounts).",
            if config.db.starts_with("sqlite://minecoop.db") {
                String::new()
            } else {
                format!(" --db '{}'", config.db)
            }
        );
        return Ok(ExitCode::from(1));
    }
    let addr: SocketAddr = config.listen.parse().with_context(|| format!("listen address {}", config.listen))?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let bound = listener.local_addr()?;
    println!("minecoop is serving on http://{bound}/");
    if with_demo {
        print_logins(demo::LOGINS);
    }
    let web = minecoop_web::WebConfig {
        secure_cookies: config.secure_cookies,
        renewal_window_days: config.renewal_window_days.max(31),
        trust_proxy: config.trust_proxy,
    };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    minecoop_web::serve(listener, store, web, shutdown).await?;
    Ok(ExitCode::SUCCESS)
}

async fn user_command(store: &Store, actor: &Actor, cmd: UserCommand) -> Result<()> {
    match cmd {
        UserCommand::Add { username, role, display_name, member, mine, password_stdin } => {
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (random_token(9), true)
            };
            let u = store
                .create_user(
                    actor,
                    NewUser {
                        username,
                        display_name,
                        password: password.clone(),
                        role,
                        member_id: member,
                        mine_id: mine,
                    },
                )
                .await
                .map_err(store_error)?;
            println!("created user {} ({})", u.username, u.role);
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::List => {
            for u in store.users().await.map_err(store_error)? {
                println!(
                    "{:<16} {:<15} {}{}",
                    u.username,
                    u.role,
                    if u.disabled { "disabled " } else { "" },
                    u.member_id.or(u.mine_id).map(|id| id.to_string()).unwrap_or_default()
                );
            }
        }
        UserCommand::SetRole { username, role, member, mine } => {
            let u = store.user_by_name(&username).await.map_err(store_error)?;
            store.set_user_role(actor, u.id, role, member, mine).await.map_err(store_error)?;
            println!("{username} is now {role}");
        }
        UserCommand::Disable { username } => {
            let u = store.user_by_name(&username).await.map_err(store_error)?;
            store.set_user_disabled(actor, u.id, true).await.map_err(store_error)?;
            println!("{username} disabled");
        }
        UserCommand::Enable { username } => {
            let u = store.user_by_name(&username).await.map_err(store_error)?;
            store.set_user_disabled(actor, u.id, false).await.map_err(store_error)?;
            println!("{username} enabled");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_layers_defaults_file_environment_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("minecoop.toml");
        std::fs::write(&file, "db = \"sqlite://from-file.db\"\nlisten = \"127.0.0.1:9000\"\nsecure_cookies = true\n")
            .unwrap();
        let cfg = file.to_str().unwrap();

        let cli = Cli::parse_from(["minecoop", "--config", "/nonexistent.toml", "migrate"]);
        let c = load_config(&cli).unwrap();
        assert_eq!(
            (c.db.as_str(), c.listen.as_str(), c.secure_cookies),
            ("sqlite://minecoop.db?mode=rwc", "127.0.0.1:8080", false)
        );

        let cli = Cli::parse_from(["minecoop", "--config", cfg, "migrate"]);
        let c = load_config(&cli).unwrap();
        assert_eq!(
            (c.db.as_str(), c.listen.as_str(), c.secure_cookies),
            ("sqlite://from-file.db", "127.0.0.1:9000", true)
        );

        // SAFETY: this is the only test in this binary that touches the environment.
        unsafe { std::env::set_var("MINECOOP_LISTEN", "127.0.0.1:9100") };
        let c = load_config(&cli).unwrap();
        assert_eq!(c.listen, "127.0.0.1:9100", "the environment beats the file");

        let cli = Cli::parse_from([
            "minecoop",
            "--config",
            cfg,
            "--db",
            "sqlite://flag.db",
            "serve",
            "--listen",
            "127.0.0.1:9200",
        ]);
        let c = load_config(&cli).unwrap();
        assert_eq!((c.db.as_str(), c.listen.as_str()), ("sqlite://flag.db", "127.0.0.1:9200"), "flags beat everything");
        unsafe { std::env::remove_var("MINECOOP_LISTEN") };
    }
}
