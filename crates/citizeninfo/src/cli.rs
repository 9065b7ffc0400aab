use anyhow::{Context, Result};
use chrono::Utc;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;
use storage::Db;

#[derive(Parser, Debug)]
#[command(
    name = "citizeninfo",
    version,
    about = "The national directory of Thai government service points and citizen manuals"
)]
pub struct Cli {
    /// Database: sqlite://PATH (created when missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "CITIZENINFO_DATABASE_URL",
        default_value = "sqlite://citizeninfo.db"
    )]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the public portal, the API and the operational endpoints.
    Serve(Box<ServeArgs>),
    /// Create or update the database schema.
    Migrate,
    /// Load the demo data (Chonburi), or a synthetic national dataset for benchmarks.
    SeedDemo {
        /// Also generate this many synthetic service points over all 77 provinces.
        #[arg(long)]
        national: Option<usize>,
    },
    /// Administration: Authorize Codes, the first system administrator.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Create or update service points from the back office's spreadsheet (the staff
    /// listing's CSV or XLSX export), as the console operator: every line is checked as
    /// the form checks a save, and nothing is written unless every line passes.
    Import {
        #[arg(long, value_enum)]
        format: ImportFormat,
        /// The file (its kind is checked by its content, not its name).
        file: PathBuf,
        /// Check every line and report, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Rollout tasks.
    Tasks {
        #[command(subcommand)]
        command: TasksCommand,
    },
    /// Write the public directory (public service points only).
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// File to write; standard output when absent.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CITIZENINFO_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Public address of the site, used in absolute links.
    #[arg(long, env = "CITIZENINFO_BASE_URL")]
    base_url: Option<String>,
    /// Load the demo data when the database is empty.
    #[arg(long)]
    demo: bool,
    /// Map tile URL template; empty for maps without tiles.
    #[arg(
        long,
        env = "CITIZENINFO_TILE_URL",
        default_value = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )]
    tile_url: String,
    /// Attribution shown on the map tiles.
    #[arg(
        long,
        env = "CITIZENINFO_TILE_ATTRIBUTION",
        default_value = "© OpenStreetMap contributors"
    )]
    tile_attribution: String,
    /// How often to check whether the data changed elsewhere, in seconds.
    #[arg(long, env = "CITIZENINFO_REFRESH_SECONDS", default_value_t = 5)]
    refresh_seconds: u64,
    /// Add /_bench/ceiling, the fixed response that benchmarks compare with.
    #[arg(long, env = "CITIZENINFO_BENCH_CEILING", hide = true)]
    bench_ceiling: bool,
    #[command(flatten)]
    mail: MailArgs,
    /// Rollout tasks: mail the units that have not reported from this many days before
    /// the deadline (0: on the day only), and every day once it is overdue.
    #[arg(
        long,
        env = "CITIZENINFO_TASK_REMINDER_DAYS",
        default_value_t = DEFAULT_TASK_REMINDER_DAYS,
        value_parser = clap::value_parser!(u32).range(0..=365)
    )]
    task_reminder_days: u32,
    /// Folder for photos when no S3-compatible store is set with `CITIZENINFO_S3_BUCKET`
    /// and the other `CITIZENINFO_S3_*` variables [default: `citizeninfo-media` beside
    /// the SQLite file, or in the current directory with PostgreSQL].
    #[arg(long, env = "CITIZENINFO_MEDIA_DIR")]
    media_dir: Option<PathBuf>,
    /// Key of the citizen ID hash (keep it secret and the same on every instance);
    /// when absent, one is made and kept in the database.
    #[arg(long, env = "CITIZENINFO_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// OpenID Connect provider for staff sign-in (the Thai Digital ID), its issuer URL.
    #[arg(long, env = "CITIZENINFO_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    #[arg(long, env = "CITIZENINFO_OIDC_CLIENT_ID", default_value = "")]
    oidc_client_id: String,
    #[arg(
        long,
        env = "CITIZENINFO_OIDC_CLIENT_SECRET",
        default_value = "",
        hide_env_values = true
    )]
    oidc_client_secret: String,
    /// Send the client secret as the Digital ID expects (md5 with "EGA", 7 times).
    #[arg(long, env = "CITIZENINFO_OIDC_DGA_SECRET")]
    oidc_dga_secret: bool,
    /// How the client authenticates at the token endpoint.
    #[arg(
        long,
        env = "CITIZENINFO_OIDC_AUTH_METHOD",
        default_value = "client_secret_basic",
        value_parser = ["client_secret_basic", "client_secret_post"]
    )]
    oidc_auth_method: String,
    /// The provider's name on the sign-in button.
    #[arg(long, env = "CITIZENINFO_OIDC_NAME", default_value = "Digital ID")]
    oidc_name: String,
    /// Seconds a client has to send a request head, and the most a kept-alive
    /// connection stays open unused. Room for a slow phone link; a head is a kilobyte.
    #[arg(
        long,
        env = "CITIZENINFO_HEADER_TIMEOUT_SECONDS",
        default_value_t = web::server::defaults::HEADER_TIMEOUT_SECONDS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    header_timeout_seconds: u64,
    /// Seconds a client has to send a whole request body (answered 408 after).
    #[arg(
        long,
        env = "CITIZENINFO_BODY_TIMEOUT_SECONDS",
        default_value_t = web::server::defaults::BODY_TIMEOUT_SECONDS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    body_timeout_seconds: u64,
    /// Seconds a response may stall because the client does not read it.
    #[arg(
        long,
        env = "CITIZENINFO_WRITE_TIMEOUT_SECONDS",
        default_value_t = web::server::defaults::WRITE_TIMEOUT_SECONDS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    write_timeout_seconds: u64,
    /// Seconds a request may take in all, its body included (answered 503 after); keep
    /// it above the body timeout.
    #[arg(
        long,
        env = "CITIZENINFO_REQUEST_TIMEOUT_SECONDS",
        default_value_t = web::server::defaults::REQUEST_TIMEOUT_SECONDS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    request_timeout_seconds: u64,
    /// Connections held at once from all clients; more are answered 503.
    #[arg(
        long,
        env = "CITIZENINFO_MAX_CONNECTIONS",
        default_value_t = web::server::defaults::MAX_CONNECTIONS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    max_connections: usize,
    /// Connections held at once from one client address (IPv6: one /64); 0 for no cap.
    /// Offices behind one NAT share an address; behind a reverse proxy every
    /// connection comes from the proxy, so set 0 there.
    #[arg(
        long,
        env = "CITIZENINFO_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = web::server::defaults::MAX_CONNECTIONS_PER_ADDRESS
    )]
    max_connections_per_address: usize,
}

/// Outgoing mail, for the server and for the commands that send mail.
#[derive(clap::Args, Debug)]
pub struct MailArgs {
    /// Outgoing mail server, smtp://[user:password@]host[:port]; without it, mail is
    /// written to files in --mail-dir.
    #[arg(long, env = "CITIZENINFO_SMTP_URL")]
    smtp_url: Option<String>,
    /// Sender of the mail (verification and password reset links, task reminders).
    #[arg(
        long,
        env = "CITIZENINFO_MAIL_FROM",
        default_value = "CITIZENinfo <no-reply@citizeninfo.invalid>"
    )]
    mail_from: String,
    /// Folder for mail when no SMTP server is set [default: `citizeninfo-mail` beside the
    /// SQLite file, or in the current directory with PostgreSQL].
    #[arg(long, env = "CITIZENINFO_MAIL_DIR")]
    mail_dir: Option<PathBuf>,
}

const DEFAULT_TASK_REMINDER_DAYS: u32 = 3;

#[derive(Subcommand, Debug)]
pub enum TasksCommand {
    /// Mail the reminders due now (what the server does every 15 minutes), for
    /// deployments that run it from cron instead; prints what it did. Safe beside a
    /// running server: each unit is reminded at most once a day whoever sends it.
    Remind {
        /// Public address of the site, for the links in the mail [default:
        /// http://CITIZENINFO_LISTEN, as `serve` has it].
        #[arg(long, env = "CITIZENINFO_BASE_URL")]
        base_url: Option<String>,
        #[command(flatten)]
        mail: MailArgs,
        /// Mail the units that have not reported from this many days before the
        /// deadline, and every day once it is overdue.
        #[arg(
            long,
            env = "CITIZENINFO_TASK_REMINDER_DAYS",
            default_value_t = DEFAULT_TASK_REMINDER_DAYS,
            value_parser = clap::value_parser!(u32).range(0..=365)
        )]
        days: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Give every unit under a ministry, department or unit an Authorize Code (units that
    /// have one keep it) and print them as CSV: no., unit code, unit, Authorize Code.
    IssueCodes {
        /// The 13-digit code of the unit whose subtree gets codes.
        #[arg(long)]
        under: String,
    },
    /// Create a system administrator (the first account of a new installation). The
    /// password is read from CITIZENINFO_ADMIN_PASSWORD, else from the first line of
    /// standard input; it is never a command line argument, which others could see.
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ImportFormat {
    Csv,
    Xlsx,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ExportFormat {
    Csv,
    Geojson,
}

pub fn main() -> Result<()> {
    let cli = Cli::parse();
    web::limit_allocator_arenas();
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli))
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("CITIZENINFO_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("CITIZENINFO_LOG_FORMAT").is_ok_and(|f| f == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init()
    } else {
        builder.init()
    }
}

/// Connects and brings the schema up to date: every command needs both.
pub async fn open(url: &str) -> Result<Db> {
    let db = Db::connect(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(url)))?;
    db.migrate().await.context("cannot migrate the database")?;
    Ok(db)
}

/// A database URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub async fn seed_demo(db: &Db, national: Option<usize>) -> Result<()> {
    let now = Utc::now();
    if db.is_empty().await? {
        let ds = crate::demo::dataset(now)?;
        db.import(&ds, now).await.context("loading the demo data")?;
        tracing::info!(
            service_points = ds.service_points.len(),
            manuals = ds.manuals.len(),
            "demo data loaded"
        );
    } else {
        tracing::info!("the database already holds data: demo data not loaded again");
    }
    if let Some(n) = national {
        let started = std::time::Instant::now();
        let ds = crate::national::dataset(n, now)?;
        tracing::info!(service_points = n, "generated national data, loading");
        db.import(&ds, now)
            .await
            .context("loading the national data (load it into a database without national data)")?;
        tracing::info!(
            service_points = n,
            seconds = started.elapsed().as_secs_f32(),
            "national data loaded"
        );
    }
    Ok(())
}

/// Every unit under `root` with its Authorize Code (units without one get one), as the
/// operator at the console, through the same use case as the API.
pub async fn issue_codes(db: &Db, root: &domain::UnitCode) -> Result<Vec<storage::UnitCodeRow>> {
    let app = app::App::for_console(db.clone());
    app::staff::codes_below(&app, &app::Caller::console(), root, None)
        .await
        .map_err(explain)
}

/// Imports a spreadsheet as the operator at the console: progress on standard error
/// every 1,000 lines, the summary and the refused lines as a table on `out`. An error
/// when any line is refused (nothing is then written).
pub async fn import(
    db: &Db,
    bytes: &[u8],
    format: ImportFormat,
    dry_run: bool,
    out: &mut dyn std::io::Write,
) -> Result<app::import::Report> {
    let app = app::App::for_console(db.clone());
    let format = match format {
        ImportFormat::Csv => app::import::Format::Csv,
        ImportFormat::Xlsx => app::import::Format::Xlsx,
    };
    let started = std::time::Instant::now();
    let report = app::import::run(
        &app,
        &app::Caller::console(),
        bytes,
        Some(format),
        dry_run,
        app::import::Limits::CONSOLE,
        &mut |stage, n| eprintln!("{stage} {n} rows…"),
    )
    .await
    .map_err(explain)?;
    writeln!(
        out,
        "{}rows {} · created {} · updated {} · unchanged {} · refused {} ({:.1} s)",
        if dry_run { "dry run: " } else { "" },
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        report.refused_rows,
        started.elapsed().as_secs_f64()
    )?;
    if !report.refusals.is_empty() {
        let width = report
            .refusals
            .iter()
            .map(|r| r.column.chars().count())
            .max()
            .unwrap_or(0);
        writeln!(out, "{:>6} │ {:width$} │ why", "row", "column")?;
        for r in &report.refusals {
            let pad = width.saturating_sub(r.column.chars().count());
            writeln!(
                out,
                "{:>6} │ {}{} │ {} / {}",
                r.row,
                r.column,
                " ".repeat(pad),
                r.th,
                r.en
            )?;
        }
        anyhow::bail!(
            "{} of {} rows refused: nothing was written",
            report.refused_rows,
            report.rows
        );
    }
    Ok(report)
}

/// The mailer that `mail` sets up: SMTP, or files in the mail folder.
fn mailer(mail: MailArgs, database_url: &str) -> Result<app::mail::Mailer> {
    Ok(match mail.smtp_url {
        Some(url) => app::mail::Mailer::smtp(&url, &mail.mail_from)?,
        None => app::mail::Mailer::folder(
            mail.mail_dir
                .unwrap_or_else(|| beside_data(database_url, "citizeninfo-mail")),
            &mail.mail_from,
        )?,
    })
}

/// Mails the task reminders due now, once, and prints what it did on `out`; an error
/// when a mail failed (it is tried again by the next run), so that cron reports it.
pub async fn remind(
    db: &Db,
    mailer: app::mail::Mailer,
    base_url: String,
    days: u32,
    out: &mut dyn std::io::Write,
) -> Result<app::task_reminders::Sent> {
    // No key and no photos: a reminder hashes no citizen ID and shows no photo.
    let app = app::App::new(
        db.clone(),
        mailer,
        base_url,
        Vec::new(),
        media::Store::Local("citizeninfo-media".into()),
    );
    let sent = app::task_reminders::send_due(&app, Utc::now(), days)
        .await
        .map_err(explain)?;
    writeln!(
        out,
        "units reminded {} · mails sent {} · failures {} · units without an address {}",
        sent.units, sent.mails, sent.failures, sent.unreachable
    )?;
    if sent.failures > 0 {
        anyhow::bail!(
            "{} reminder mails could not be sent: the next run tries again",
            sent.failures
        );
    }
    Ok(sent)
}

/// An error of a use case, as the command line says it.
fn explain(e: app::AppError) -> anyhow::Error {
    match e {
        app::AppError::Fields(errors) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|(field, e)| format!("{field}: {} / {}", e.th(), e.en()))
                .collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        }
        app::AppError::NotFound(what) => anyhow::anyhow!("{what}: not found"),
        app::AppError::Invalid(problems) => {
            let lines: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {} / {}", p.field, p.th, p.en))
                .collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        }
        e => anyhow::anyhow!("{e:?}"),
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Migrate => {
            open(&cli.database_url).await?;
            tracing::info!(database = %redact(&cli.database_url), "schema up to date");
        }
        Command::SeedDemo { national } => {
            let db = open(&cli.database_url).await?;
            seed_demo(&db, national).await?;
        }
        Command::Admin {
            command: AdminCommand::IssueCodes { under },
        } => {
            let root = domain::UnitCode::parse(&under)
                .map_err(|e| anyhow::anyhow!("--under {under:?}: {e}"))?;
            let db = open(&cli.database_url).await?;
            let rows = issue_codes(&db, &root).await?;
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record(["no", "unit_code", "unit", "authorize_code"])?;
            for (i, r) in rows.iter().enumerate() {
                w.write_record([
                    (i + 1).to_string(),
                    r.unit.to_string(),
                    r.name_th.clone(),
                    r.code.clone(),
                ])?;
            }
            w.flush()?;
            tracing::info!(units = rows.len(), under = %root, "authorize codes issued");
        }
        Command::Admin {
            command:
                AdminCommand::CreateAdmin {
                    username,
                    email,
                    first_name,
                    last_name,
                },
        } => {
            let password = match std::env::var("CITIZENINFO_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let db = open(&cli.database_url).await?;
            let id =
                create_admin(&db, &username, &email, &first_name, &last_name, &password).await?;
            tracing::info!(user = id, username = %username, "system administrator created");
        }
        Command::Import {
            format,
            file,
            dry_run,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let db = open(&cli.database_url).await?;
            let report = import(&db, &bytes, format, dry_run, &mut std::io::stdout()).await?;
            tracing::info!(
                rows = report.rows,
                created = report.created,
                updated = report.updated,
                applied = report.applied,
                "import finished"
            );
        }
        Command::Tasks {
            command:
                TasksCommand::Remind {
                    base_url,
                    mail,
                    days,
                },
        } => {
            let base_url = base_url.unwrap_or_else(|| {
                let listen =
                    std::env::var("CITIZENINFO_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
                format!("http://{listen}")
            });
            let mailer = mailer(mail, &cli.database_url)?;
            tracing::info!(to = %mailer.describe(), "outgoing mail");
            let db = open(&cli.database_url).await?;
            let sent = remind(&db, mailer, base_url, days, &mut std::io::stdout()).await?;
            tracing::info!(
                units = sent.units,
                mails = sent.mails,
                unreachable = sent.unreachable,
                "task reminders sent"
            );
        }
        Command::Export { format, output } => {
            let db = open(&cli.database_url).await?;
            let dir = directory::Directory::build(db.snapshot().await?);
            let bytes = match format {
                ExportFormat::Csv => crate::export::csv(&dir, Utc::now())?,
                ExportFormat::Geojson => crate::export::geojson(&dir, Utc::now()).into_bytes(),
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    tracing::info!(path = %path.display(), service_points = dir.points.len(), "exported");
                }
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
            }
        }
        Command::Serve(args) => {
            let ServeArgs {
                listen,
                base_url,
                demo,
                tile_url,
                tile_attribution,
                refresh_seconds,
                bench_ceiling,
                mail,
                task_reminder_days,
                media_dir,
                secret_key,
                oidc_issuer,
                oidc_client_id,
                oidc_client_secret,
                oidc_dga_secret,
                oidc_auth_method,
                oidc_name,
                header_timeout_seconds,
                body_timeout_seconds,
                write_timeout_seconds,
                request_timeout_seconds,
                max_connections,
                max_connections_per_address,
            } = *args;
            let limits = web::server::ConnectionLimits {
                header_timeout: Duration::from_secs(header_timeout_seconds),
                body_timeout: Duration::from_secs(body_timeout_seconds),
                write_timeout: Duration::from_secs(write_timeout_seconds),
                request_timeout: Duration::from_secs(request_timeout_seconds),
                max_connections,
                max_connections_per_address: (max_connections_per_address > 0)
                    .then_some(max_connections_per_address),
                ..Default::default()
            };
            let db = open(&cli.database_url).await?;
            if demo {
                let fresh = db.is_empty().await?;
                seed_demo(&db, None).await?;
                // A demo loaded just now gets its ratings too, so that the reports
                // have something to show.
                if fresh {
                    let n = crate::demo_ratings::seed(&db, Utc::now()).await?;
                    tracing::info!(ratings = n, "demo ratings stored");
                }
            }
            let config = web::Config {
                base_url: base_url.unwrap_or_else(|| format!("http://{listen}")),
                tile_url,
                tile_attribution,
                bench_ceiling,
                smtp_url: mail.smtp_url,
                mail_from: mail.mail_from,
                mail_dir: mail
                    .mail_dir
                    .unwrap_or_else(|| beside_data(&cli.database_url, "citizeninfo-mail")),
                task_reminder_days,
                media_dir: media_dir
                    .unwrap_or_else(|| beside_data(&cli.database_url, "citizeninfo-media")),
                secret_key,
                oidc: oidc_issuer.map(|issuer| web::OidcConfig {
                    issuer,
                    client_id: oidc_client_id,
                    client_secret: oidc_client_secret,
                    dga_secret: oidc_dga_secret,
                    auth_method: oidc_auth_method,
                    display_name: oidc_name,
                }),
            };
            let state = web::AppState::new(db, config).await?;
            state.spawn_refresher(Duration::from_secs(refresh_seconds.max(1)));
            let listener =
                listen_on(&listen).with_context(|| format!("cannot listen on {listen}"))?;
            tracing::info!(
                address = %format!("http://{}", listener.local_addr()?),
                database = %redact(&cli.database_url),
                service_points = state.directory().points.len(),
                "serving"
            );
            web::server::serve(listener, web::router(state), limits, shutdown()).await?;
        }
    }
    Ok(())
}

/// Binds with a listen queue of 4,096 (tokio's default is 1,024): a burst of
/// connections beyond the queue is dropped by the kernel before the server can answer
/// or refuse it.
fn listen_on(address: &str) -> Result<tokio::net::TcpListener> {
    use std::net::ToSocketAddrs;
    let addr = address
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| anyhow::anyhow!("{address} names no address"))?;
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    Ok(socket.listen(4096)?)
}

/// Mail without an SMTP server, and photos without an object store, go next to the
/// data: beside the SQLite file.
fn beside_data(database_url: &str, folder: &str) -> PathBuf {
    database_url
        .strip_prefix("sqlite://")
        .map(|path| path.split('?').next().unwrap_or(path))
        .and_then(|path| std::path::Path::new(path).parent().map(|p| p.join(folder)))
        .unwrap_or_else(|| PathBuf::from(folder))
}

/// Creates a verified system administrator after the sign-up rules.
pub async fn create_admin(
    db: &Db,
    username: &str,
    email: &str,
    first_name: &str,
    last_name: &str,
    password: &str,
) -> Result<i64> {
    app::accounts::create_admin(db, username, email, first_name, last_name, password)
        .await
        .map_err(explain)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_goes_beside_the_sqlite_file() {
        assert_eq!(
            beside_data("sqlite:///var/lib/citizeninfo/data.db", "citizeninfo-mail"),
            PathBuf::from("/var/lib/citizeninfo/citizeninfo-mail")
        );
        assert_eq!(
            beside_data("sqlite://citizeninfo.db", "citizeninfo-mail"),
            PathBuf::from("citizeninfo-mail")
        );
        assert_eq!(
            beside_data("postgres://db/ci", "citizeninfo-mail"),
            PathBuf::from("citizeninfo-mail")
        );
    }

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/ci"),
            "postgres://app:***@db:5432/ci"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1:5432/ci"),
            "postgres://postgres@127.0.0.1:5432/ci"
        );
        assert_eq!(redact("sqlite://citizeninfo.db"), "sqlite://citizeninfo.db");
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
