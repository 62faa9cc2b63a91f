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
    /// Load the demo co-op into an empty database, with its history.
    Demo(DemoHistory),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Mining licences and the lease map (no database needed).
    #[command(subcommand)]
    Cadastre(CadastreCommand),
    /// Import records from a CSV or XLSX sheet: checked whole, then written all or nothing.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Metallurgical accounting calculators (no database needed). Grades are percent metal.
    #[command(subcommand)]
    Metallurgy(MetallurgyCommand),
    /// Safety calculators (no database needed): accident class, legal deadlines, frequency rates.
    #[command(subcommand)]
    Safety(SafetyCommand),
    /// Alerts: escalate overdue actions and deliver queued e-mails and webhooks.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Workers and their insurance.
    #[command(subcommand)]
    Workforce(WorkforceCommand),
    /// Write a view as a CSV or XLSX file (identity numbers masked).
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The coverage check on a day: a row per mine and for the co-op, then one per uncovered
    /// worker with what he lacks (as `workforce coverage` prints it).
    Coverage {
        /// The day (YYYY-MM-DD); default today.
        #[arg(long)]
        date: Option<String>,
        /// Only this mine: its id or its Chinese or English name.
        #[arg(long)]
        mine: Option<String>,
        #[arg(long, value_enum)]
        format: FileFormat,
        #[arg(long)]
        output: std::path::PathBuf,
        /// The headings' and choices' language: en-US or zh-CN.
        #[arg(long, default_value = "en-US")]
        lang: String,
    },
    /// The workers (every state), with their identity numbers masked.
    Workers {
        /// Only this mine: its id or its Chinese or English name.
        #[arg(long)]
        mine: Option<String>,
        #[arg(long, value_enum)]
        format: FileFormat,
        #[arg(long)]
        output: std::path::PathBuf,
        /// The headings' and choices' language: en-US or zh-CN.
        #[arg(long, default_value = "en-US")]
        lang: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FileFormat {
    Csv,
    Xlsx,
}

#[derive(Subcommand)]
enum WorkforceCommand {
    /// The coverage check on a day: every working worker covered by work-injury and
    /// work-safety liability insurance (cover at least RMB 400,000), and the days without a
    /// policy, per mine and for the co-op. Exits 0 whatever it finds.
    Coverage {
        /// The day (YYYY-MM-DD); default today.
        #[arg(long)]
        date: Option<String>,
        /// Only this mine: its id or its Chinese or English name.
        #[arg(long)]
        mine: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// Record the daily coverage snapshot of every mine with workers (active workers, those
    /// fully covered, the ratio, and the family cover) for a day, or for every day from
    /// `--from` to it (a backfill from the recorded data). A day already recorded is left as
    /// it is, so running it twice changes nothing.
    Snapshot {
        /// The day (YYYY-MM-DD); default today.
        #[arg(long)]
        date: Option<String>,
        /// Backfill from this day (YYYY-MM-DD) up to --date.
        #[arg(long)]
        from: Option<String>,
    },
}

#[derive(Subcommand)]
enum NotifyCommand {
    /// Once: raise the overdue actions' escalations not yet sent, the certificates and the
    /// insurance policies ending within 30 days, record today's coverage snapshot, then send the
    /// e-mails and post the webhooks that are due (for cron, or when the server is not running).
    Run,
}

#[derive(Subcommand)]
enum SafetyCommand {
    /// The class of an accident under State Council Decree No. 493 (the highest class any one
    /// criterion reaches) and the level of government that investigates it.
    Classify {
        #[arg(long, allow_negative_numbers = true)]
        deaths: i64,
        #[arg(long = "serious-injuries", allow_negative_numbers = true)]
        serious_injuries: i64,
        /// Direct economic loss, RMB.
        #[arg(long, allow_negative_numbers = true)]
        loss: String,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// The legal deadlines that run from an accident (ISO 8601 local times, YYYY-MM-DDTHH:MM).
    Deadlines {
        #[arg(long)]
        occurred: String,
        #[arg(long = "unit-head-notified")]
        unit_head_notified: String,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// LTIFR, TRIFR and fatality frequency rate per 1,000,000 hours worked.
    Rates {
        #[arg(long, allow_negative_numbers = true)]
        hours: String,
        #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
        fatalities: i64,
        #[arg(long = "lost-time", allow_negative_numbers = true, default_value_t = 0)]
        lost_time: i64,
        #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
        restricted: i64,
        #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
        medical: i64,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
}

#[derive(Subcommand)]
enum MetallurgyCommand {
    /// Yield, recovery, ratio of concentration and enrichment ratio from the grades of feed,
    /// concentrate and tailing.
    TwoProduct {
        /// Feed grade, % metal (3.48 for 3.48 % Zn).
        #[arg(long, allow_negative_numbers = true)]
        feed: f64,
        /// Concentrate grade, %.
        #[arg(long, allow_negative_numbers = true)]
        conc: f64,
        /// Tailing grade, %.
        #[arg(long, allow_negative_numbers = true)]
        tail: f64,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// Shares of the feed in two concentrates and the tailing, and each metal's recovery to its
    /// own concentrate, from the grades of two metals (e.g. Pb,Zn).
    ThreeProduct {
        /// Feed grades of metal 1 and metal 2, % (e.g. 3.0,6.0).
        #[arg(long, value_parser = parse_grade_pair, allow_negative_numbers = true, value_name = "A,B")]
        feed: GradePair,
        /// Concentrate of metal 1: its grades of metal 1 and metal 2.
        #[arg(long, value_parser = parse_grade_pair, allow_negative_numbers = true, value_name = "A,B")]
        conc1: GradePair,
        /// Concentrate of metal 2: its grades of metal 1 and metal 2.
        #[arg(long, value_parser = parse_grade_pair, allow_negative_numbers = true, value_name = "A,B")]
        conc2: GradePair,
        /// Tailing grades of metal 1 and metal 2.
        #[arg(long, value_parser = parse_grade_pair, allow_negative_numbers = true, value_name = "A,B")]
        tail: GradePair,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// Adjust measured flows so that every node balances (weighted least squares), and test
    /// the adjustments for a gross error at the 95 % level.
    Reconcile {
        /// JSON file: {"streams":[{"name","value","sd"}],"nodes":[{"name","in":[..],"out":[..]}]}.
        #[arg(long)]
        input: std::path::PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// Check a reported recovery against the feed and tailing grades: flag it when it is below
    /// (f - t) / f, the lowest recovery any concentrate grade gives.
    CheckRecovery {
        /// The reported recovery, %.
        #[arg(long, allow_negative_numbers = true)]
        reported: f64,
        /// Feed grade, %.
        #[arg(long, allow_negative_numbers = true)]
        feed: f64,
        /// Tailing grade, %.
        #[arg(long, allow_negative_numbers = true)]
        tail: f64,
        /// Concentrate grade, %, when known: adds the two-product recovery.
        #[arg(long, allow_negative_numbers = true)]
        conc: Option<f64>,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
}

/// Grades of two metals in one product, as `--feed 3.0,6.0` gives them.
#[derive(Clone, Copy, Debug)]
struct GradePair([f64; 2]);

fn parse_grade_pair(s: &str) -> Result<GradePair, String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [a, b] = parts.as_slice() else {
        return Err("give the grades of metal 1 and metal 2 separated by a comma, e.g. 3.0,6.0".into());
    };
    let num = |t: &str| t.parse::<f64>().map_err(|_| format!("'{t}' is not a number; give two grades like 3.0,6.0"));
    Ok(GradePair([num(a)?, num(b)?]))
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Daily production, one row per mine and day (headings as on the import page). Exit 0 when
    /// imported (or, with --dry-run, ready), 1 when the sheet has problems (each is listed by
    /// row and column), 2 when the file cannot be read.
    Production {
        file: std::path::PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// A laboratory's results, one row per sample (its code), one column per element (`3.48` or
    /// `<0.01`), `dl.<element>` for detection limits. Same exit codes as production.
    Assays {
        file: std::path::PathBuf,
        /// The laboratory, where the sheet has no `lab` column.
        #[arg(long, default_value = "")]
        lab: String,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Workers, one row per worker (headings as on the import page; family members in
    /// `dependant1.name`, ... columns). Every rule of the worker form is applied to each row.
    /// A worker recorded with the same details is skipped; one recorded with other details is
    /// a problem (correct him on his page). Same exit codes as production.
    Workers {
        file: std::path::PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Insurance policies and the workers they cover: a policies sheet and/or a covered
    /// workers sheet (`policy_number`, `id_number`, `from`, `to`), told apart by their
    /// headings. Same exit codes as production.
    Policies {
        file: std::path::PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
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
    #[command(flatten)]
    history: DemoHistory,
}

/// How much of the demo co-op's history to load: daily production of every operating mine
/// from `--demo-from` to `--demo-to` (2005 is the case study's year, always exact), and the
/// sampling programme of 2005 and of the last twelve months.
#[derive(Args, Clone, Copy)]
struct DemoHistory {
    /// First year of the demo's daily production.
    #[arg(long = "demo-from", env = "MINECOOP_DEMO_FROM", default_value_t = 1999)]
    demo_from: i32,
    /// Last year of the demo's daily production (default: up to yesterday).
    #[arg(long = "demo-to", env = "MINECOOP_DEMO_TO")]
    demo_to: Option<i32>,
}

impl DemoHistory {
    /// The first year and the last day, checked.
    fn range(self) -> Result<(i32, chrono::NaiveDate)> {
        use chrono::Datelike;
        let today = minecoop_web::cadastre::today();
        let to = self.demo_to.unwrap_or(today.year()).min(today.year());
        if !(1950..=to).contains(&self.demo_from) {
            anyhow::bail!("--demo-from {} must be a year from 1950 to {to}", self.demo_from);
        }
        let last =
            if to == today.year() { today } else { chrono::NaiveDate::from_ymd_opt(to, 12, 31).unwrap_or(today) };
        Ok((self.demo_from, last))
    }

    async fn load(self, store: &Store) -> Result<()> {
        let (from, last) = self.range()?;
        demo::load_history_between(store, from, last).await.map_err(store_error)?;
        Ok(())
    }
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
        /// Where the user's alerts are e-mailed.
        #[arg(long)]
        email: Option<String>,
    },
    /// Set the address a user's alerts are e-mailed to ("" to stop e-mails).
    SetEmail { username: String, email: String },
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
    /// The elements the co-op assays for: `symbol:unit`, unit `%` or `g/t`.
    elements: Vec<String>,
    /// The lowest accident class the "days without a major accident" counter counts:
    /// `general`, `relatively_large` (default), `major` or `especially_major`.
    major_accident_class: String,
    /// The mail server for alert e-mails; without it e-mails stay queued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    smtp: Option<minecoop_web::delivery::SmtpSettings>,
    /// Where alerts are posted, signed with each hook's secret.
    #[serde(default)]
    webhooks: Vec<WebhookConfig>,
    /// Quality-control limits (`[qc]`): warn_sd, fail_sd, blank_factor, blank_limits,
    /// duplicate_limit_pct, duplicate_min_dl_factor.
    #[serde(default)]
    qc: minecoop_domain::production::qc::QcSettings,
    /// PEM file of certificate authorities trusted for `https://` webhooks besides the public
    /// roots (a co-op's or a government network's own CA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    webhook_ca_file: Option<String>,
    /// The address people reach this server at, e.g. `https://coop.example.cn`: links in alert
    /// e-mails start with it. Without it they are paths only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    public_url: Option<String>,
    /// `[grievances]`: days from receipt by which a case must be acknowledged, investigated and
    /// a resolution proposed (7, 30 and 45 by default).
    #[serde(default)]
    grievances: minecoop_domain::grievances::Deadlines,
    /// The secret that encrypts workers' identity numbers: 64 hex digits (32 bytes). Without
    /// it, a key file next to the database is used (made on first start; back it up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identity_key: Option<String>,
    /// Where that key file is (default: the SQLite file's name + `.identity-key`, or
    /// `minecoop-identity.key` in the working directory for PostgreSQL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identity_key_file: Option<String>,
}

/// `[[webhooks]]` in minecoop.toml.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WebhookConfig {
    url: String,
    secret: String,
    /// `incident`, `explosives_difference`, `action_overdue`; empty or absent: all.
    #[serde(default)]
    events: Vec<String>,
}

fn webhooks_of(config: &Config) -> Result<Vec<minecoop_store::alerts::WebhookTarget>> {
    config
        .webhooks
        .iter()
        .map(|w| {
            if let Some(e) = w.events.iter().find(|e| !minecoop_domain::alerts::EVENTS.contains(&e.as_str())) {
                anyhow::bail!(
                    "webhook {}: unknown event '{e}'; one of {}",
                    w.url,
                    minecoop_domain::alerts::EVENTS.join(", ")
                );
            }
            if w.secret.len() < 16 {
                anyhow::bail!("webhook {}: the secret must be at least 16 characters", w.url);
            }
            Ok(minecoop_store::alerts::WebhookTarget {
                url: w.url.clone(),
                secret: w.secret.clone(),
                events: w.events.clone(),
            })
        })
        .collect()
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
            elements: vec!["zn:%".into(), "pb:%".into(), "ag:g/t".into()],
            major_accident_class: "relatively_large".into(),
            smtp: None,
            webhooks: Vec::new(),
            qc: Default::default(),
            webhook_ca_file: None,
            public_url: None,
            grievances: Default::default(),
            identity_key: None,
            identity_key_file: None,
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

/// The grievance deadlines of the configuration, checked (each step after the one before).
fn grievance_deadlines(config: &Config) -> Result<minecoop_domain::grievances::Deadlines> {
    let d = config.grievances;
    d.check().map_err(|_| {
        anyhow::anyhow!(
            "[grievances] in the configuration: acknowledge_days at least 1, then investigate_days and propose_days \
             each at least the one before, at most 365"
        )
    })?;
    Ok(d)
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

/// `minecoop workforce coverage`: the check per mine and for the co-op, with the breaches by
/// name (the command line is the operator's, who sees everything).
async fn workforce_coverage(
    store: &Store,
    date: Option<&str>,
    mine: Option<&str>,
    format: OutputFormat,
) -> Result<ExitCode> {
    use minecoop_domain::workforce::coverage::Missing;
    store.check_identity_key().await.map_err(store_error)?;
    let day = day_of(date)?;
    let mines = select_mines(store, mine).await?;
    let ids: Vec<uuid::Uuid> = mines.iter().map(|m| m.id).collect();
    let results = store.coverage(&ids, day).await.map_err(store_error)?;
    let active: usize = results.iter().map(|r| r.coverage.active).sum();
    let covered: usize = results.iter().map(|r| r.coverage.covered).sum();
    let breaches: usize = results.iter().map(|r| r.coverage.breaches.len()).sum();
    let ratio = if active == 0 { 1.0 } else { covered as f64 / active as f64 };
    match format {
        OutputFormat::Json => {
            let per_mine: Vec<serde_json::Value> = results
                .iter()
                .map(|r| {
                    let name = mines.iter().find(|m| m.id == r.mine_id).map(|m| m.name_zh.clone()).unwrap_or_default();
                    serde_json::json!({
                        "mine_id": r.mine_id, "mine": name, "active": r.coverage.active,
                        "covered": r.coverage.covered, "ratio": r.coverage.ratio(),
                        "breaches": r.coverage.breaches, "gaps": r.coverage.gaps,
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "date": day.to_string(), "active": active, "covered": covered, "ratio": ratio,
                "breach_count": breaches, "mines": per_mine,
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        OutputFormat::Text => {
            println!("coverage on {day}: {covered} of {active} working workers fully covered ({:.1}%)", ratio * 100.0);
            for r in &results {
                let name = mines.iter().find(|m| m.id == r.mine_id).map(|m| m.name_zh.as_str()).unwrap_or("?");
                let c = &r.coverage;
                println!("{name}: {} of {} covered, {} breaches", c.covered, c.active, c.breaches.len());
                for g in &c.gaps {
                    println!("  gap: no {} policy from {} to {}", g.kind, g.from, g.to);
                }
                for b in &c.breaches {
                    let what: Vec<String> = b
                        .missing
                        .iter()
                        .map(|m| match m {
                            Missing::NotInsured { kind } => format!("not on any {kind} policy"),
                            Missing::CoverTooLow { policy, cover_fen } => format!(
                                "liability cover {} on {policy} below 400000",
                                minecoop_domain::units::from_scaled(*cover_fen, minecoop_domain::units::MONEY_SCALE)
                            ),
                        })
                        .collect();
                    println!("  {}: {}", b.name, what.join("; "));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The mines a `--mine` names (its id or Chinese or English name), or all of them.
async fn select_mines(store: &Store, mine: Option<&str>) -> Result<Vec<minecoop_store::registry::Mine>> {
    let all = store.mine_choices().await.map_err(store_error)?;
    let Some(m) = mine else { return Ok(all) };
    let m = m.trim();
    let found: Vec<_> = all
        .into_iter()
        .filter(|x| x.id.to_string() == m || x.name_zh == m || x.name_en.eq_ignore_ascii_case(m))
        .collect();
    if found.is_empty() {
        anyhow::bail!("--mine: no mine with the id or name '{m}'");
    }
    Ok(found)
}

/// A `--date`, or today.
fn day_of(date: Option<&str>) -> Result<chrono::NaiveDate> {
    match date {
        None => Ok(minecoop_web::cadastre::today()),
        Some(d) => minecoop_domain::validation::era_date(d)
            .map_err(|_| anyhow::anyhow!("--date: not a date, use the form 2026-11-26")),
    }
}

/// `minecoop export ...`: the same tables as the pages' CSV/XLSX downloads, as the operator
/// (who sees every mine), written to `--output`.
async fn export_command(store: &Store, cmd: ExportCommand) -> Result<ExitCode> {
    use minecoop_web::workforce::import::{coverage_table, workers_table};
    store.check_identity_key().await.map_err(store_error)?;
    let lang_of = |l: &str| {
        minecoop_web::i18n::Lang::parse(l).ok_or_else(|| anyhow::anyhow!("--lang: give en-US or zh-CN, not '{l}'"))
    };
    let (table, format, output) = match cmd {
        ExportCommand::Coverage { date, mine, format, output, lang } => {
            let lang = lang_of(&lang)?;
            let day = day_of(date.as_deref())?;
            let mines = select_mines(store, mine.as_deref()).await?;
            let ids: Vec<uuid::Uuid> = mines.iter().map(|m| m.id).collect();
            let results = store.coverage(&ids, day).await.map_err(store_error)?;
            (coverage_table(lang, day, &results, &mines, &|_| true), format, output)
        }
        ExportCommand::Workers { mine, format, output, lang } => {
            let lang = lang_of(&lang)?;
            let mines = select_mines(store, mine.as_deref()).await?;
            let ids: Vec<uuid::Uuid> = mines.iter().map(|m| m.id).collect();
            let workers = store.workers(Some(&ids)).await.map_err(store_error)?;
            let missing =
                store.missing_certificates(&workers, minecoop_web::cadastre::today()).await.map_err(store_error)?;
            (workers_table(lang, &workers, &mines, &missing), format, output)
        }
    };
    let bytes = match format {
        FileFormat::Csv => minecoop_web::export::to_csv(&table),
        FileFormat::Xlsx => minecoop_web::export::to_xlsx(&table).map_err(|e| anyhow::anyhow!("{e:?}"))?,
    };
    std::fs::write(&output, bytes).with_context(|| format!("{}: cannot write", output.display()))?;
    println!("{}: {} rows written", output.display(), table.rows.len());
    Ok(ExitCode::SUCCESS)
}

/// The key file's default place: next to a SQLite database, else in the working directory.
fn default_key_file(db: &str) -> Option<std::path::PathBuf> {
    if let Some(rest) = db.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//").split('?').next().unwrap_or("");
        if path.is_empty() || path.starts_with(':') {
            return None;
        }
        return Some(std::path::PathBuf::from(format!("{path}.identity-key")));
    }
    Some(std::path::PathBuf::from("minecoop-identity.key"))
}

/// The identity key: from the configuration, else from the key file (made now if missing,
/// with a warning to back it up). An in-memory database gets a key for this run only.
fn identity_secret(config: &Config) -> Result<[u8; 32]> {
    use minecoop_store::workforce::crypto;
    if let Some(k) = &config.identity_key {
        return crypto::parse_secret(k).map_err(|e| anyhow::anyhow!("identity_key in the configuration: {e}"));
    }
    let path = match &config.identity_key_file {
        Some(p) => Some(std::path::PathBuf::from(p)),
        None => default_key_file(&config.db),
    };
    let Some(path) = path else {
        tracing::warn!("in-memory database: workers' identity numbers are encrypted with a key for this run only");
        return Ok(crypto::generate_secret());
    };
    let (secret, made) = crypto::load_or_create_key_file(&path).map_err(|e| anyhow::anyhow!("{e}"))?;
    if made {
        tracing::warn!(
            file = %path.display(),
            "made a new identity key for workers' identity numbers; BACK THIS FILE UP with the database: \
             without it the numbers cannot be read"
        );
    }
    Ok(secret)
}

fn elements_of(config: &Config) -> Result<Vec<minecoop_domain::production::Element>> {
    minecoop_domain::production::parse_elements(&config.elements)
        .map_err(|e| anyhow::anyhow!("elements in the configuration: {e}"))
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
    if let Command::Metallurgy(cmd) = &cli.command {
        return metallurgy_command(cmd);
    }
    if let Command::Safety(cmd) = &cli.command {
        return safety_command(cmd);
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
    let store = store.with_webhooks(webhooks_of(&config)?);
    if let Some(url) = config.public_url.as_deref().filter(|u| !u.trim().is_empty()) {
        minecoop_web::alerts::set_public_url(url)
            .map_err(|e| anyhow::anyhow!("public_url in the configuration: {e}"))?;
    }
    // Settings are checked before anything runs, whatever the command.
    minecoop_domain::production::qc::QcLimits::from_settings(&config.qc, &elements_of(&config)?)
        .map_err(|e| anyhow::anyhow!("[qc] in the configuration: {}", e.join("; ")))?;
    if let Some(path) = config.webhook_ca_file.as_deref().filter(|p| !p.trim().is_empty()) {
        let pem = std::fs::read(path).with_context(|| format!("reading webhook_ca_file {path}"))?;
        minecoop_web::delivery::set_webhook_ca(&pem).map_err(|e| anyhow::anyhow!("webhook_ca_file {path}: {e}"))?;
    }
    // Only the commands that write or read workers need the identity key (and make its file).
    let needs_key = matches!(
        cli.command,
        Command::Serve(_)
            | Command::Demo(_)
            | Command::Workforce(_)
            | Command::Export(_)
            | Command::Import(ImportCommand::Workers { .. } | ImportCommand::Policies { .. })
    );
    let store = if needs_key { store.with_identity_secret(&identity_secret(&config)?) } else { store };
    minecoop_store::alerts::set_renderer(minecoop_web::alerts::render_email);
    let system = Actor::system("cli");
    match cli.command {
        Command::Migrate => println!("database is up to date: {}", config.db),
        Command::Demo(history) => {
            history.range()?;
            let logins = demo::load(&store).await.map_err(store_error)?;
            history.load(&store).await?;
            print_logins(logins);
        }
        Command::Serve(args) => return serve(store, &config, args.demo.then_some(args.history)).await,
        Command::Cadastre(_) | Command::Metallurgy(_) | Command::Safety(_) => {
            unreachable!("handled before the database is opened")
        }
        Command::User(cmd) => user_command(&store, &system, cmd).await?,
        Command::Notify(NotifyCommand::Run) => {
            let today = minecoop_web::cadastre::today();
            let raised = store.escalate_overdue_actions(today).await.map_err(store_error)?;
            let deadlines = grievance_deadlines(&config)?;
            let raised = raised + store.escalate_overdue_grievances(today, &deadlines).await.map_err(store_error)?;
            let certificates = store.alert_expiring_certificates(today).await.map_err(store_error)?;
            println!("certificates ending within 30 days alerted: {certificates}");
            let policies = store.alert_expiring_policies(today).await.map_err(store_error)?;
            println!("insurance policies ending within 30 days alerted: {policies}");
            let snapshots = store.snapshot_coverage(today).await.map_err(store_error)?;
            println!("coverage snapshots recorded for {today}: {snapshots}");
            let claims = store.alert_claim_deadlines(today).await.map_err(store_error)?;
            println!("injury claims near or past their determination deadline alerted: {claims}");
            let r = minecoop_web::delivery::deliver_due(&store, config.smtp.as_ref()).await.map_err(store_error)?;
            println!(
                "escalations raised: {raised}; e-mails sent: {}, failed: {}; webhooks sent: {}, failed: {}{}",
                r.emails_sent,
                r.emails_failed,
                r.webhooks_sent,
                r.webhooks_failed,
                if config.smtp.is_none() { " (no [smtp] configured: e-mails stay queued)" } else { "" }
            );
        }
        Command::Import(ImportCommand::Production { file, dry_run }) => {
            return import_production(&store, &system, &file, dry_run, &elements_of(&config)?).await;
        }
        Command::Import(ImportCommand::Assays { file, lab, dry_run }) => {
            return import_assays(&store, &system, &file, &lab, dry_run, &elements_of(&config)?).await;
        }
        Command::Import(ImportCommand::Workers { file, dry_run }) => {
            return import_workers(&store, &system, &file, dry_run).await;
        }
        Command::Import(ImportCommand::Policies { file, dry_run }) => {
            return import_policies(&store, &system, &file, dry_run).await;
        }
        Command::Export(cmd) => return export_command(&store, cmd).await,
        Command::Workforce(WorkforceCommand::Coverage { date, mine, format }) => {
            return workforce_coverage(&store, date.as_deref(), mine.as_deref(), format).await;
        }
        Command::Workforce(WorkforceCommand::Snapshot { date, from }) => {
            let day = |what: &str, d: Option<&str>| match d {
                None => Ok(minecoop_web::cadastre::today()),
                Some(d) => minecoop_domain::validation::era_date(d)
                    .map_err(|_| anyhow::anyhow!("{what}: not a date, use the form 2026-11-26")),
            };
            let to = day("--date", date.as_deref())?;
            let from = if from.is_some() { day("--from", from.as_deref())? } else { to };
            if from > to {
                anyhow::bail!("--from {from} is after --date {to}");
            }
            let n = store.snapshot_coverage_between(from, to).await.map_err(store_error)?;
            println!(
                "coverage snapshots recorded from {from} to {to}: {n} (days already recorded are left as they are)"
            );
        }
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

/// What an import shows while it works: on stderr, and only when stderr is a terminal (no noise
/// in logs and tests), a spinner for each phase and a bar with row counts while writing. With
/// `MINECOOP_TIMINGS=1`, each phase's time (for profiling and the benchmarks).
struct Progress {
    terminal: bool,
    timings: bool,
    bar: Option<indicatif::ProgressBar>,
    phase: String,
    started: std::time::Instant,
}

impl Progress {
    fn new() -> Progress {
        use std::io::IsTerminal;
        Progress {
            terminal: std::io::stderr().is_terminal(),
            timings: std::env::var_os("MINECOOP_TIMINGS").is_some(),
            bar: None,
            phase: String::new(),
            started: std::time::Instant::now(),
        }
    }

    /// Start a phase: a bar to `total` rows, or a spinner.
    fn phase(&mut self, name: &str, total: Option<usize>) {
        use indicatif::{ProgressBar, ProgressStyle};
        self.end();
        if self.terminal {
            let bar = match total {
                Some(t) => ProgressBar::new(t as u64).with_style(
                    ProgressStyle::with_template(
                        "{msg} [{bar:30}] {human_pos}/{human_len} rows, {per_sec}, {eta} left",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                ),
                None => ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                ),
            };
            bar.set_message(name.to_owned());
            bar.enable_steady_tick(std::time::Duration::from_millis(100));
            self.bar = Some(bar);
        }
        self.phase = name.to_owned();
        self.started = std::time::Instant::now();
    }

    fn set(&self, done: usize) {
        if let Some(b) = &self.bar {
            b.set_position(done as u64);
        }
    }

    fn end(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
        if self.timings && !self.phase.is_empty() {
            eprintln!("[timing] {}: {:.3} s", self.phase, self.started.elapsed().as_secs_f64());
        }
        self.phase.clear();
    }
}

/// Read a sheet for an import, or say (in English) why it cannot be read.
fn read_sheet(file: &std::path::Path) -> Result<(Vec<u8>, Vec<Vec<String>>)> {
    use minecoop_web::i18n::Lang;
    let bytes = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let rows = minecoop_domain::tabular::read_rows(&name, &bytes).map_err(|e| {
        anyhow::anyhow!("{}", Lang::En.t_args(e.code, &[("file", file.display().to_string()), ("detail", e.detail)]))
    })?;
    // On a terminal the progress line says it instead.
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!("{}: {} rows read; checking", file.display(), rows.len());
    }
    Ok((bytes, rows))
}

fn print_problems(problems: &[minecoop_domain::production::import::RowProblem]) -> ExitCode {
    use minecoop_web::i18n::Lang;
    for p in problems {
        let args: Vec<(&str, String)> = p.args.iter().map(|(k, v)| (*k, v.clone())).collect();
        println!("row {}, column {}: {} ({})", p.row, p.column, Lang::En.t_args(p.code, &args), p.code);
    }
    eprintln!("{} problems; nothing imported", problems.len());
    ExitCode::from(1)
}

/// `minecoop import assays`: the laboratory's sheet, as the import page checks it.
async fn import_assays(
    store: &Store,
    actor: &Actor,
    file: &std::path::Path,
    lab: &str,
    dry_run: bool,
    elements: &[minecoop_domain::production::Element],
) -> Result<ExitCode> {
    use minecoop_domain::production::assay_import::{SheetChecker, check_assay_sheet_codes, may_be_code};
    use minecoop_store::production::samples::BLOCK_ROWS;
    use minecoop_web::i18n::Lang;
    use minecoop_web::production::samples::{LabSheetProblems, cell_problems, check_lab_sheet};
    let mut progress = Progress::new();
    progress.phase("reading", None);
    let (bytes, rows) = read_sheet(file)?;
    // A row that differs from what is recorded, or whose sample has not reached the laboratory.
    let print_recorded = |problems: Vec<(usize, &str)>| {
        for (row, code) in problems {
            println!("row {row}: {}", Lang::En.t(code));
        }
        ExitCode::from(1)
    };
    if dry_run {
        progress.phase(&format!("checking {} rows", rows.len()), None);
        let checked = check_lab_sheet(store, &rows, elements, lab).await.map_err(store_error)?;
        progress.end();
        return Ok(match checked {
            Ok((sheet, _)) => {
                println!("ready: {} rows", sheet.len());
                ExitCode::SUCCESS
            }
            Err(LabSheetProblems::Cells(problems)) => print_problems(&problems),
            Err(LabSheetProblems::Recorded(bad)) => print_recorded(bad),
        });
    }
    use sha2::Digest;
    let source = format!("import:{}", hex::encode(&sha2::Sha256::digest(&bytes)[..8]));
    // The cells are checked a block at a time on one thread while the store writes the blocks
    // already checked on another (every code taken as a sample's: the database finds the
    // samples as it writes, and names the unknown ones). The database checks every row against
    // what is recorded inside the import's transaction, and a problem anywhere (a cell, or what
    // is recorded) writes nothing: no separate dry run first.
    progress.phase("checking and writing", Some(rows.len().saturating_sub(1)));
    fn any_code(c: &str) -> Option<&str> {
        may_be_code(c).then_some(c)
    }
    let imported = match SheetChecker::new(&rows, elements, lab, any_code) {
        Err(_) => None,
        Ok(mut checker) => {
            let (send, blocks) = tokio::sync::mpsc::channel(2);
            let written = |done| progress.set(done);
            tokio::task::block_in_place(|| {
                std::thread::scope(|scope| {
                    scope.spawn(move || {
                        while let Some(block) = checker.next_block(BLOCK_ROWS) {
                            let ok = block.is_ok();
                            // The store stops taking blocks when it fails (and drops `blocks`).
                            if send.blocking_send(block.ok()).is_err() || !ok {
                                break;
                            }
                        }
                    });
                    tokio::runtime::Handle::current()
                        .block_on(store.import_assay_blocks(actor, blocks, &source, &written))
                })
            })
            .transpose()
        }
    };
    progress.end();
    let (added, same) = match imported {
        // A cell's problem: every problem of the sheet, as the check names them.
        None => {
            progress.phase("looking up the samples", None);
            let problems = cell_problems(store, &rows, elements, lab, None).await.map_err(store_error)?;
            progress.end();
            return Ok(print_problems(&problems));
        }
        Some(Err(StoreError::Invalid(fields))) if fields.0.iter().all(|f| f.field.parse::<usize>().is_ok()) => {
            // The rows as the store numbered them (the same check, whole).
            let sheet = check_assay_sheet_codes(&rows, elements, lab, &Default::default()).unwrap_or_default();
            let mut bad: Vec<(usize, &str)> =
                fields.0.iter().filter_map(|f| Some((f.field.parse().ok()?, f.code))).collect();
            bad.sort_unstable();
            // Unknown samples are named with the sheet's other problems, as the check names them.
            let unknown: std::collections::HashSet<&str> = bad
                .iter()
                .filter(|(_, c)| *c == "err-sample-unknown")
                .filter_map(|(i, _)| Some(sheet.get(*i)?.sample))
                .collect();
            if !unknown.is_empty() {
                let problems = cell_problems(store, &rows, elements, lab, Some(unknown)).await.map_err(store_error)?;
                return Ok(print_problems(&problems));
            }
            return Ok(print_recorded(bad.into_iter().map(|(i, c)| (sheet.get(i).map_or(0, |r| r.row), c)).collect()));
        }
        Some(other) => other.map_err(store_error)?,
    };
    println!("imported: {added} results added, {same} samples already recorded with the same results");
    Ok(ExitCode::SUCCESS)
}

/// `minecoop import production`: the same checks as the import page, as the system.
async fn import_production(
    store: &Store,
    actor: &Actor,
    file: &std::path::Path,
    dry_run: bool,
    elements: &[minecoop_domain::production::Element],
) -> Result<ExitCode> {
    use minecoop_domain::production::import::check_sheet;
    use minecoop_store::production::ImportPlan;
    use minecoop_web::i18n::Lang;
    let mut progress = Progress::new();
    progress.phase("reading", None);
    let (bytes, rows) = read_sheet(file)?;
    progress.phase(&format!("checking {} rows", rows.len()), None);
    let mines = store.mine_choices().await.map_err(store_error)?;
    let mine_of = |n: &str| {
        mines
            .iter()
            .find(|m| m.id.to_string() == n || m.name_zh == n || m.name_en.eq_ignore_ascii_case(n))
            .map(|m| m.id)
    };
    let today = minecoop_web::cadastre::today();
    let sheet = match check_sheet(&rows, elements, today, mine_of) {
        Ok(s) => s,
        Err(problems) => {
            progress.end();
            return Ok(print_problems(&problems));
        }
    };
    let drafts: Vec<_> = sheet.iter().map(|r| r.draft.clone()).collect();
    progress.phase(&format!("comparing {} records with what is recorded", drafts.len()), None);
    let plans = store.plan_production_import(&drafts).await.map_err(store_error)?;
    progress.end();
    let differs: Vec<usize> =
        plans.iter().zip(&sheet).filter(|(p, _)| **p == ImportPlan::Differs).map(|(_, r)| r.row).collect();
    for row in &differs {
        println!("row {row}: {}", Lang::En.t("err-import-differs"));
    }
    if !differs.is_empty() {
        return Ok(ExitCode::from(1));
    }
    let new = plans.iter().filter(|p| **p == ImportPlan::New).count();
    if dry_run {
        println!("ready: {new} new records, {} already recorded with the same figures", drafts.len() - new);
        return Ok(ExitCode::SUCCESS);
    }
    use sha2::Digest;
    let source = format!("import:{}", hex::encode(&sha2::Sha256::digest(&bytes)[..8]));
    if !progress.terminal {
        eprintln!("writing {new} records in one transaction");
    }
    progress.phase(&format!("writing {new} records"), None);
    let (added, same) = store.import_production(actor, &drafts, &source).await.map_err(store_error)?;
    progress.end();
    println!("imported: {added} new records, {same} already recorded with the same figures");
    Ok(ExitCode::SUCCESS)
}

/// The rows of a workers or policies import that stop it (recorded with other details, or a
/// member row whose policy or worker is not found), as sheet problems.
fn plan_problems(
    plans: &[minecoop_store::workforce::RowPlan],
    rows: &[usize],
    column: &dyn Fn(&str) -> String,
) -> Vec<minecoop_domain::production::import::RowProblem> {
    use minecoop_domain::production::import::RowProblem;
    use minecoop_store::workforce::{DIFFERS, RowPlan};
    let mut out = Vec::new();
    for (p, row) in plans.iter().zip(rows) {
        match p {
            RowPlan::Differs(fields) => out.extend(fields.iter().map(|f| RowProblem {
                row: *row,
                column: column(f),
                code: DIFFERS,
                args: vec![],
            })),
            RowPlan::Problem(field, code) => {
                out.push(RowProblem { row: *row, column: column(field), code, args: vec![] })
            }
            RowPlan::New | RowPlan::Same => {}
        }
    }
    out
}

/// `minecoop import workers`: the same checks as the import page, as the system (every mine).
async fn import_workers(store: &Store, actor: &Actor, file: &std::path::Path, dry_run: bool) -> Result<ExitCode> {
    use minecoop_domain::workforce::import::check_workers_sheet;
    use minecoop_web::workforce::import::mine_named;
    let mut progress = Progress::new();
    progress.phase("reading", None);
    let (_, rows) = read_sheet(file)?;
    store.check_identity_key().await.map_err(store_error)?;
    progress.phase(&format!("checking {} rows", rows.len()), None);
    let mines = store.mine_choices().await.map_err(store_error)?;
    let sheet = match check_workers_sheet(&rows, minecoop_web::cadastre::today(), |n| mine_named(&mines, n)) {
        Ok(s) => s,
        Err(problems) => {
            progress.end();
            return Ok(print_problems(&problems));
        }
    };
    let drafts: Vec<_> = sheet.rows.iter().map(|r| r.draft.clone()).collect();
    progress.phase(&format!("comparing {} workers with those recorded", drafts.len()), None);
    let plans = store.plan_worker_import(&drafts).await.map_err(store_error)?;
    progress.end();
    let at: Vec<usize> = sheet.rows.iter().map(|r| r.row).collect();
    let problems = plan_problems(&plans, &at, &|f| sheet.column(f));
    if !problems.is_empty() {
        return Ok(print_problems(&problems));
    }
    let new = plans.iter().filter(|p| **p == minecoop_store::workforce::RowPlan::New).count();
    if dry_run {
        println!("ready: {new} new workers, {} already recorded with the same details", drafts.len() - new);
        return Ok(ExitCode::SUCCESS);
    }
    progress.phase(&format!("writing {new} workers"), None);
    let c = store.import_workers(actor, &drafts).await.map_err(store_error)?;
    progress.end();
    println!("imported: {} new workers, {} already recorded with the same details", c.new, c.same);
    Ok(ExitCode::SUCCESS)
}

/// `minecoop import policies`: a policies sheet and/or a covered workers sheet, as the import
/// page checks them, as the system (every mine).
async fn import_policies(store: &Store, actor: &Actor, file: &std::path::Path, dry_run: bool) -> Result<ExitCode> {
    use minecoop_domain::workforce::import::check_policy_tables;
    use minecoop_web::i18n::Lang;
    use minecoop_web::workforce::import::mine_named;
    let bytes = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tables = minecoop_domain::tabular::read_tables(&name, &bytes).map_err(|e| {
        anyhow::anyhow!("{}", Lang::En.t_args(e.code, &[("file", file.display().to_string()), ("detail", e.detail)]))
    })?;
    store.check_identity_key().await.map_err(store_error)?;
    let mines = store.mine_choices().await.map_err(store_error)?;
    let ids: Vec<uuid::Uuid> = mines.iter().map(|m| m.id).collect();
    let sheet = match check_policy_tables(&tables, |n| mine_named(&mines, n)) {
        Ok(s) => s,
        Err(problems) => return Ok(print_problems(&problems)),
    };
    let plan = store.plan_policy_import(&ids, &sheet).await.map_err(store_error)?;
    let both = !sheet.policies.is_empty() && !sheet.members.is_empty();
    let tag = |n: usize, c: String| if both { format!("{n} › {c}") } else { c };
    let policy_rows: Vec<usize> = sheet.policies.iter().map(|r| r.row).collect();
    let member_rows: Vec<usize> = sheet.members.iter().map(|r| r.row).collect();
    let mut problems = plan_problems(&plan.policies, &policy_rows, &|f| tag(1, sheet.policy_column(f)));
    problems.extend(plan_problems(&plan.members, &member_rows, &|f| tag(2, sheet.member_column(f))));
    if !problems.is_empty() {
        return Ok(print_problems(&problems));
    }
    let c = plan.counts();
    if dry_run {
        println!("ready: {} new policies and covered workers, {} already recorded the same", c.new, c.same);
        return Ok(ExitCode::SUCCESS);
    }
    let c = store.import_policies(actor, &ids, &sheet).await.map_err(store_error)?;
    println!("imported: {} new policies and covered workers, {} already recorded the same", c.new, c.same);
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

/// `minecoop metallurgy ...`: exit 0 with the result, 2 (through `main`) with every problem of
/// the input, each naming the argument, stream or node.
/// A calculator's bad input: the flag and what is wrong, in English.
fn flag_error(flag: &str, code: &str) -> anyhow::Error {
    anyhow::anyhow!("--{flag}: {}", minecoop_web::i18n::Lang::En.t(code))
}

fn safety_command(cmd: &SafetyCommand) -> Result<ExitCode> {
    use minecoop_domain::safety;
    let count = |flag: &str, n: i64| -> Result<u32> {
        u32::try_from(n)
            .map_err(|_| if n < 0 { flag_error(flag, "err-negative") } else { flag_error(flag, "err-too-large") })
    };
    let decimal = |flag: &str, s: &str| -> Result<rust_decimal::Decimal> {
        s.trim().parse::<rust_decimal::Decimal>().map_err(|_| flag_error(flag, "err-number"))
    };
    let time = |flag: &str, s: &str| -> Result<chrono::NaiveDateTime> {
        minecoop_domain::production::sample::parse_local_time(s).map_err(|code| flag_error(flag, code))
    };
    let field = |p: safety::SafetyProblem| flag_error(&p.field.replace('_', "-"), p.code);
    match cmd {
        SafetyCommand::Classify { deaths, serious_injuries, loss, format } => {
            let deaths = count("deaths", *deaths)?;
            let injuries = count("serious-injuries", *serious_injuries)?;
            let class = safety::classify(deaths, injuries, decimal("loss", loss)?).map_err(field)?;
            let by = class.investigated_by();
            match format {
                OutputFormat::Json => println!("{}", serde_json::json!({"class": class, "investigated_by": by})),
                OutputFormat::Text => println!("class {class}, investigated by the {by} level"),
            }
        }
        SafetyCommand::Deadlines { occurred, unit_head_notified, format } => {
            let d = safety::deadlines(time("occurred", occurred)?, time("unit-head-notified", unit_head_notified)?)
                .map_err(field)?;
            match format {
                OutputFormat::Json => println!("{}", serde_json::to_string(&d)?),
                OutputFormat::Text => {
                    println!("report to the county regulator by {}", d.report_to_regulator_by);
                    println!("casualty updates until            {}", d.casualty_updates_until);
                    println!("investigation report due          {}", d.investigation_report_due);
                    println!("  at the latest (one extension)   {}", d.investigation_report_latest);
                }
            }
        }
        SafetyCommand::Rates { hours, fatalities, lost_time, restricted, medical, format } => {
            let e = safety::Exposure {
                hours: decimal("hours", hours)?,
                fatalities: count("fatalities", *fatalities)?,
                lost_time: count("lost-time", *lost_time)?,
                restricted: count("restricted", *restricted)?,
                medical: count("medical", *medical)?,
            };
            let r = safety::rates(&e).map_err(field)?;
            let num = |d: rust_decimal::Decimal| serde_json::Number::from_f64(d.try_into().unwrap_or_default());
            match format {
                OutputFormat::Json => {
                    println!("{}", serde_json::json!({"ltifr": num(r.ltifr), "trifr": num(r.trifr), "ffr": num(r.ffr)}))
                }
                OutputFormat::Text => {
                    println!("LTIFR {:>10} per million hours", r.ltifr.round_dp(2));
                    println!("TRIFR {:>10}", r.trifr.round_dp(2));
                    println!("FFR   {:>10}", r.ffr.round_dp(2));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn metallurgy_command(cmd: &MetallurgyCommand) -> Result<ExitCode> {
    use minecoop_domain::metallurgy::{self as m, Problem, Problems};
    // The calculators' fields are their flags.
    let flags = |e: Problems| {
        let lines: Vec<String> = e
            .0
            .iter()
            .map(|p| {
                let at = match p {
                    Problem::IllConditioned { .. } => "--conc1 and --conc2".to_owned(),
                    _ => format!("--{}{}", p.field(), p.metal().map(|m| format!(" (metal {m})")).unwrap_or_default()),
                };
                format!("{at}: {}", p.message())
            })
            .collect();
        anyhow::anyhow!("{}", lines.join("\n"))
    };
    match cmd {
        MetallurgyCommand::TwoProduct { feed, conc, tail, format } => {
            let r = m::two_product(*feed, *conc, *tail).map_err(flags)?;
            match format {
                OutputFormat::Json => println!("{}", serde_json::to_string(&r)?),
                OutputFormat::Text => {
                    println!("yield                  {:>10.4} %", r.yield_pct);
                    println!("recovery               {:>10.4} %", r.recovery_pct);
                    println!("ratio of concentration {:>10.4}", r.ratio_of_concentration);
                    println!("enrichment ratio       {:>10.4}", r.enrichment_ratio);
                }
            }
        }
        MetallurgyCommand::ThreeProduct { feed, conc1, conc2, tail, format } => {
            let g = m::ThreeProductGrades { feed: feed.0, conc1: conc1.0, conc2: conc2.0, tail: tail.0 };
            let r = m::three_product(&g).map_err(flags)?;
            match format {
                OutputFormat::Json => println!("{}", serde_json::to_string(&r)?),
                OutputFormat::Text => {
                    println!("concentrate 1 {:>10.4} % of the feed", r.conc1_pct);
                    println!("concentrate 2 {:>10.4} % of the feed", r.conc2_pct);
                    println!("tailing       {:>10.4} % of the feed", r.tail_pct);
                    println!("recovery 1    {:>10.4} % (metal 1 to concentrate 1)", r.recovery1_pct);
                    println!("recovery 2    {:>10.4} % (metal 2 to concentrate 2)", r.recovery2_pct);
                }
            }
        }
        MetallurgyCommand::CheckRecovery { reported, feed, tail, conc, format } => {
            let r = m::check_reported_recovery(*reported, *feed, *tail, *conc).map_err(flags)?;
            let reason = r.reason(*feed, *tail);
            match format {
                OutputFormat::Json => {
                    let mut v = serde_json::to_value(&r)?;
                    v["code"] = serde_json::json!(r.code());
                    v["reason"] = serde_json::json!(reason);
                    println!("{v}");
                }
                OutputFormat::Text => {
                    println!("lowest possible recovery {:.3} % = (f - t) / f", r.lowest_possible_pct);
                    if let Some(two) = r.two_product_pct {
                        println!("two-product recovery     {two:.3} % at the concentrate grade");
                    }
                    match reason {
                        Some(why) => println!("FLAGGED: {why}"),
                        None => println!("the reported {} % is possible with these grades", r.reported_pct),
                    }
                }
            }
        }
        MetallurgyCommand::Reconcile { input, format } => {
            let path = input.display();
            let text = std::fs::read_to_string(input).with_context(|| format!("{path}: cannot read"))?;
            let circuit: m::Circuit = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "{path}: not a circuit ({e}); expected {{\"streams\":[{{\"name\",\"value\",\"sd\"}}],\
                     \"nodes\":[{{\"name\",\"in\":[..],\"out\":[..]}}]}}"
                )
            })?;
            let r = m::reconcile(&circuit).map_err(|e| {
                let lines: Vec<String> =
                    e.0.iter().map(|p| format!("{path}: {}: {}", p.field(), p.message())).collect();
                anyhow::anyhow!("{}", lines.join("\n"))
            })?;
            match format {
                OutputFormat::Json => println!("{}", serde_json::to_string(&r)?),
                OutputFormat::Text => print_reconciliation(&r),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Six significant digits without trailing zeros: flows in t/h and grades in % both read well.
fn significant(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (5 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s };
    if s == "-0" { "0".into() } else { s }
}

fn print_reconciliation(r: &minecoop_domain::metallurgy::Reconciliation) {
    let width = r.streams.iter().map(|s| s.name.chars().count()).max().unwrap_or(0).max(6);
    println!(
        "{:<width$}  {:>12} {:>10} {:>12} {:>12} {:>7}",
        "stream", "measured", "sd", "reconciled", "adjustment", "z"
    );
    for s in &r.streams {
        let e = &s.estimate;
        println!(
            "{:<width$}  {:>12} {:>10} {:>12} {:>12} {:>7.2}",
            s.name,
            significant(e.measured),
            significant(e.sd),
            significant(e.reconciled),
            significant(e.adjustment),
            e.normalised_adjustment
        );
    }
    println!(
        "chi2 {} with {} degree{} of freedom; 95 % critical value {}",
        significant(r.chi2),
        r.dof,
        if r.dof == 1 { "" } else { "s" },
        significant(r.chi2_critical)
    );
    if r.gross_error_suspected {
        println!("GROSS ERROR SUSPECTED: some measurement is off by more than its sd explains");
    } else {
        println!("no gross error suspected");
    }
    for g in &r.most_adjusted {
        let tie = if g.names.len() > 1 { " (the balances cannot tell these apart)" } else { "" };
        println!("most adjusted: {} (|z| = {:.2}){tie}", g.names.join(", "), g.normalised_adjustment);
    }
}

fn print_logins(logins: &[demo::DemoLogin]) {
    println!("Demo logins (username / password / role):");
    for l in logins {
        println!("  {:<10} {:<22} {:<15} {}", l.username, l.password, l.role.as_str(), l.note);
    }
    println!(
        "Demo grievance tracking code (follow it at /grievance/track without logging in): {}",
        minecoop_store::grievances::demo::DEMO_CODE
    );
}

async fn serve(store: Store, config: &Config, demo_history: Option<DemoHistory>) -> Result<ExitCode> {
    if let Some(history) = demo_history
        && store.member_choices().await.map_err(store_error)?.is_empty()
        && store.user_count().await.map_err(store_error)? == 0
    {
        history.range()?;
        demo::load(&store).await.map_err(store_error)?;
        eprintln!("loaded the demo co-op; loading its production since 1999 and its samples");
        history.load(&store).await?;
        eprintln!("loaded the demo co-op's history");
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
    // A wrong identity key is said now, not at the first worker's page.
    store.check_identity_key().await.map_err(store_error)?;
    let addr: SocketAddr = config.listen.parse().with_context(|| format!("listen address {}", config.listen))?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let bound = listener.local_addr()?;
    println!("minecoop is serving on http://{bound}/");
    if demo_history.is_some() {
        print_logins(demo::LOGINS);
    }
    let web = minecoop_web::WebConfig {
        secure_cookies: config.secure_cookies,
        renewal_window_days: config.renewal_window_days.max(31),
        trust_proxy: config.trust_proxy,
        elements: elements_of(config)?,
        qc: minecoop_domain::production::qc::QcLimits::from_settings(&config.qc, &elements_of(config)?)
            .map_err(|e| anyhow::anyhow!("[qc] in the configuration: {}", e.join("; ")))?,
        major_accident_class: minecoop_domain::safety::AccidentClass::parse(config.major_accident_class.trim())
            .map_err(|_| {
                anyhow::anyhow!(
                    "major_accident_class in the configuration: one of general, relatively_large, major, especially_major"
                )
            })?,
        smtp_configured: config.smtp.is_some(),
        webhooks_configured: config.webhooks.len(),
        grievance_deadlines: grievance_deadlines(config)?,
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let job = tokio::spawn(minecoop_web::delivery::run(
        store.clone(),
        config.smtp.clone(),
        grievance_deadlines(config)?,
        std::time::Duration::from_secs(30),
        stopped,
    ));
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let served = minecoop_web::serve(listener, store, web, shutdown).await;
    let _ = stop.send(true);
    let _ = job.await;
    served?;
    Ok(ExitCode::SUCCESS)
}

async fn user_command(store: &Store, actor: &Actor, cmd: UserCommand) -> Result<()> {
    match cmd {
        UserCommand::Add { username, role, display_name, member, mine, password_stdin, email } => {
            if let Some(e) = email.as_deref().filter(|e| !e.trim().is_empty()) {
                minecoop_domain::alerts::check_email(e)
                    .map_err(|_| anyhow::anyhow!("--email: '{e}' is not an e-mail address"))?;
            }
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
            if let Some(e) = email {
                store.set_user_email(actor, u.id, &e).await.map_err(store_error)?;
            }
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
        UserCommand::SetEmail { username, email } => {
            let u = store.user_by_name(&username).await.map_err(store_error)?;
            let u = store.set_user_email(actor, u.id, &email).await.map_err(store_error)?;
            println!("{username}: alerts are e-mailed to {}", u.email.as_deref().unwrap_or("nobody"));
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
