//! The `vigil` binary: parses the command line and hands off to the library crates.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

mod backup;
mod data_dir;
mod import;
mod listen;
mod match_cmd;
mod mcp;
mod migrate;
mod scrub;
mod storage;
mod users;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use vigil_server::setup::{self, KeyOptions};
use vigil_server::{AppState, ServerConfig};
use vigil_store::Store;

/// vigil: a self-hosted, Persona-compatible identity-risk platform.
#[derive(Parser)]
#[command(name = "vigil", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (Persona-compatible, under /api/v1).
    Serve(ServeArgs),
    /// Manage the review console's users (invite, list, reset a password).
    Users {
        #[command(subcommand)]
        command: users::UsersCommand,
    },
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Copy a SQLite data directory, consistently, while a server may run on it (on
    /// PostgreSQL, use pg_dump or the server's own backups).
    Backup(backup::BackupArgs),
    /// Copy a SQLite data directory's records into an empty PostgreSQL database, checked.
    Migrate(migrate::MigrateArgs),
    /// Remove what redactions left in a PostgreSQL database's files (old row versions,
    /// index entries, WAL) now; each table is locked while it is rewritten.
    Scrub(scrub::ScrubArgs),
    /// Score two names the way screening does, with the explanation.
    Match(match_cmd::MatchArgs),
    /// Receive a running vigil's webhooks here for development: makes (or reuses) a
    /// webhook pointing at this command, verifies each signature, prints each event.
    Listen(listen::ListenArgs),
    /// Load data into the data directory.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Configure account actions (run with POST /accounts/{id}/run-action).
    Actions {
        #[command(subcommand)]
        command: ActionsCommand,
    },
    /// Export events.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
    },
    /// Manage flagging rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Serve Persona's API as agent tools (MCP) over stdio, against a vigil server or a
    /// Persona tenant; the key comes from VIGIL_API_KEY (or PERSONA_API_KEY).
    Mcp(mcp::McpArgs),
    /// Read the agent tool server's execution log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Print the latest tool calls, oldest first: time, environment, tool, outcome, HTTP
    /// status, latency, masked arguments, request id, caller, message.
    Tail(mcp::tail::TailArgs),
}

#[derive(Subcommand)]
enum EventsCommand {
    /// Write an environment's events, oldest first, as NDJSON (the API's event resources,
    /// one per line) or Parquet (one typed row per event), with a progress bar on stderr.
    /// Safe beside a running server.
    Export {
        #[command(flatten)]
        place: EnvArgs,
        /// Events created at or after this date or date-time (ISO 8601).
        #[arg(long)]
        since: String,
        /// Events created at or before this date or date-time.
        #[arg(long)]
        until: Option<String>,
        /// `ndjson` or `parquet`.
        #[arg(long, default_value = "ndjson")]
        format: String,
        /// Where to write (default: stdout).
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Load flagging rules from a TOML file ([[rules]] tables: name, account_tag,
    /// condition, ...): rules are matched by name, updated or created; all land or none.
    /// Safe beside a running server.
    Load {
        #[command(flatten)]
        place: EnvArgs,
        /// The TOML file.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Load a sanctions source (OFAC SDN or the UN consolidated list) for screening,
    /// replacing the one loaded before.
    Sanctions(import::sanctions::SanctionsArgs),
    /// Import a CSV file of items into a list (Persona's importer columns), showing
    /// progress; bad rows are reported by line and the rest land.
    List(import::list::ListArgs),
}

#[derive(Subcommand)]
enum ActionsCommand {
    /// Create an account action and print only its id (accac_...) on stdout.
    Create {
        #[command(flatten)]
        place: EnvArgs,
        /// A name people recognise ("Suspend for fraud review").
        #[arg(long)]
        name: String,
        /// set-status (parameters.status), add-tags or remove-tags (parameters.tags).
        #[arg(long)]
        kind: String,
    },
    /// List the environment's account actions: id, kind and name, one per line.
    List {
        #[command(flatten)]
        place: EnvArgs,
    },
}

/// Where an offline command works: the data directory and one of its environments.
#[derive(clap::Args)]
struct EnvArgs {
    #[command(flatten)]
    storage: crate::storage::Storage,
    /// Environment: sandbox or production.
    #[arg(long, default_value = "sandbox")]
    env: String,
}

#[derive(clap::Args)]
struct ServeArgs {
    #[command(flatten)]
    storage: crate::storage::Storage,
    /// Address to listen on.
    #[arg(long, env = "VIGIL_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Requests per window per environment (a fixed window, a minute unless
    /// --rate-limit-window says otherwise); 0 disables the limit.
    #[arg(long, env = "VIGIL_RATE_LIMIT", default_value_t = 6000)]
    rate_limit: u64,
    /// The rate limit's window in seconds.
    #[arg(long, env = "VIGIL_RATE_LIMIT_WINDOW", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    rate_limit_window: u64,
    /// Requests with a wrong API key allowed per client address per minute; past it they
    /// are answered 429 without a lookup. 0 disables the limit.
    #[arg(long, env = "VIGIL_FAILED_AUTH_LIMIT", default_value_t = 30)]
    failed_auth_limit: u64,
    /// Verification flows started, or one-time links used, per client address per minute.
    /// Behind a reverse proxy every person has the proxy's address: raise it. 0 disables
    /// the limit.
    #[arg(long, env = "VIGIL_FLOW_START_LIMIT", default_value_t = 30)]
    flow_start_limit: u64,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "VIGIL_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    max_body_bytes: usize,
    /// Largest accepted upload (importer CSV files), in bytes.
    #[arg(long, env = "VIGIL_MAX_UPLOAD_BYTES", default_value_t = 64 * 1024 * 1024)]
    max_upload_bytes: usize,
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "VIGIL_LOG_JSON")]
    log_json: bool,
    /// The URL people reach this server at (one-time links are made under it);
    /// default `http://<listen>`.
    #[arg(long, env = "VIGIL_PUBLIC_URL")]
    public_url: Option<String>,
    /// Serve `POST /api/v1/test-clock/advance` to move this server's clock forward, for
    /// testing expiry. Never in production.
    #[arg(long, env = "VIGIL_TEST_CLOCK")]
    test_clock: bool,
    /// Accept webhook URLs on loopback, private or link-local addresses (refused by
    /// default).
    #[arg(long, env = "VIGIL_ALLOW_PRIVATE_WEBHOOKS")]
    allow_private_webhooks: bool,
    /// Seconds to wait after each failed webhook delivery attempt, comma-separated (its
    /// length + 1 is the number of attempts).
    #[arg(long, env = "VIGIL_WEBHOOK_RETRY_SCHEDULE", value_delimiter = ',', default_values_t = vigil_domain::webhook::DEFAULT_BACKOFF.to_vec())]
    webhook_retry_schedule: Vec<i64>,
    /// Delivery requests in flight to one webhook at most (deliveries to one endpoint are
    /// not ordered beyond this).
    #[arg(long, env = "VIGIL_WEBHOOK_CONCURRENCY", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    webhook_concurrency: u16,
    /// Delete events older than this many days (default: keep them forever).
    #[arg(long, env = "VIGIL_EVENT_RETENTION_DAYS")]
    event_retention_days: Option<u32>,
    /// Seconds the background lease lasts: with several servers on one PostgreSQL
    /// database, one does the background work (screening re-runs, flagging rules, webhooks,
    /// the scheduler, imports), and another takes it over this long after it dies.
    #[arg(long, env = "VIGIL_LEASE_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    lease_seconds: u64,
    /// When the leader removes what redactions left in PostgreSQL's files (each table is
    /// locked while it is rewritten): `HH:MM` (UTC; in the hour after it, daily, only when
    /// a redaction is owed one), `redaction` (within seconds of each) or `never` (run
    /// `vigil scrub`). SQLite needs none.
    #[arg(long, env = "VIGIL_SCRUB_AT", default_value = "03:00")]
    scrub_at: vigil_server::scrub::ScrubSchedule,
    /// Threads serving requests (default: one per core on SQLite, four per core on
    /// PostgreSQL). A request waits on its store call in its thread: on PostgreSQL that is
    /// a round trip to the database, so one thread per core would leave the cores idle
    /// between answers. Each thread may hold a database connection.
    #[arg(long, env = "VIGIL_WORKER_THREADS", value_parser = clap::value_parser!(u16).range(1..=256))]
    worker_threads: Option<u16>,
    /// Threads one name screening may use (default: one per core, at most eight). In a
    /// list of 131,072 names or more, a screening that reads many postings is split in
    /// parts of the list that the threads take in turn: the same matches, sooner. 1 keeps
    /// each screening on the thread serving it.
    #[arg(long, env = "VIGIL_SCREENING_THREADS", value_parser = clap::value_parser!(u16).range(1..=64))]
    screening_threads: Option<u16>,
    /// The agent tools on `/mcp` (streamable HTTP; each request needs an API key).
    #[command(flatten)]
    mcp: mcp::http::ServeMcpArgs,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create an API key offline and print only the key on stdout.
    Create {
        #[command(flatten)]
        place: EnvArgs,
        /// Comma-separated permissions (e.g. account.read,event.read); default: all.
        #[arg(long)]
        permissions: Option<String>,
        /// A name for the key.
        #[arg(long)]
        name: Option<String>,
        /// Default Persona-Version for requests made with this key.
        #[arg(long)]
        api_version: Option<String>,
        /// Default Key-Inflection (kebab, camel, snake).
        #[arg(long)]
        key_inflection: Option<String>,
    },
}

/// The API key a client command uses: VIGIL_API_KEY, else PERSONA_API_KEY (`what` says
/// what it is for when neither is set).
fn api_key(what: &str) -> anyhow::Result<String> {
    std::env::var("VIGIL_API_KEY")
        .or_else(|_| std::env::var("PERSONA_API_KEY"))
        .with_context(|| format!("set VIGIL_API_KEY (or PERSONA_API_KEY) to {what}"))
}

fn open_store(storage: &storage::Storage) -> anyhow::Result<Arc<dyn Store>> {
    storage.open()
}

/// The store of a data directory that must already exist (readers of a server's data
/// never create one by mistake).
fn open_existing(storage: &storage::Storage) -> anyhow::Result<Arc<dyn Store>> {
    storage.open_existing()
}

/// Logs go to stderr through a background thread that writes them in batches, so a
/// request never waits on the terminal or a pipe. Nothing is dropped: when the thread
/// falls behind, requests wait. Keep the guard alive to flush on exit.
fn init_logging(json: bool) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_env("VIGIL_LOG")
        // rmcp logs every MCP session's client details at info.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,rmcp=warn"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("vigil-log")
        .finish(std::io::BufWriter::new(std::io::stderr()));
    // Colours only for a person at a terminal, not for files and log collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(writer);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
    guard
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Audit {
            command: AuditCommand::Tail(args),
        } => mcp::tail::tail(args),
        Command::Mcp(args) => {
            let _guard = init_logging(false);
            mcp::run(args)
        }
        Command::Actions { command } => actions(command),
        Command::Users { command } => users::run(command),
        Command::Match(args) => match_cmd::run(args),
        Command::Backup(args) => backup::run(args),
        Command::Migrate(args) => migrate::run(args),
        Command::Scrub(args) => scrub::run(args),
        Command::Listen(args) => listen::run(args),
        Command::Events {
            command:
                EventsCommand::Export {
                    place,
                    since,
                    until,
                    format,
                    output,
                },
        } => {
            let format = vigil_server::export::Format::parse(&format).with_context(|| {
                format!("--format must be `ndjson` or `parquet`, got `{format}`")
            })?;
            let parse = |text: &str, flag: &str| {
                vigil_domain::time::parse_millis(text).with_context(|| {
                    format!("{flag} must be an ISO 8601 date or date-time, got `{text}`")
                })
            };
            let since = parse(&since, "--since")?;
            let until = until.as_deref().map(|u| parse(u, "--until")).transpose()?;
            let store = open_initialised(&place.storage)?;
            let env = store
                .environments()?
                .into_iter()
                .find(|e| e.name == place.env)
                .with_context(|| format!("unknown environment `{}`", place.env))?;
            let range = vigil_server::export::Range {
                environment_id: env.id,
                since,
                until,
                version: vigil_server::protocol::version::ApiVersion::default(),
            };
            let bar = indicatif::ProgressBar::new(store.last_event_seq()?.max(0) as u64)
                .with_style(indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} log positions ({per_sec})",
            )?);
            let out: Box<dyn std::io::Write + Send> = match &output {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("creating {}", path.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout())),
            };
            let written = vigil_server::export::export(&store, &range, format, out, &mut |p| {
                bar.set_position(p.max(0) as u64)
            })
            .map_err(|e| anyhow::anyhow!(e))?;
            bar.finish_and_clear();
            eprintln!("exported {written} events");
            Ok(())
        }
        Command::Rules {
            command: RulesCommand::Load { place, file },
        } => {
            let store = open_initialised(&place.storage)?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let loaded = vigil_server::rules::file::load(
                &store,
                &place.env,
                &text,
                vigil_server::now_millis(),
            )?;
            for rule in loaded {
                let what = if rule.created { "created" } else { "updated" };
                println!("{what} {} {}", rule.id, rule.name);
            }
            Ok(())
        }
        Command::Import {
            command: ImportCommand::Sanctions(args),
        } => {
            let store = open_initialised(&args.storage)?;
            let source = import::sanctions::run(&store, &args)?;
            println!(
                "loaded {} parties into {} ({})",
                source.parties, source.id, source.name
            );
            if let Some(load) = source.history.last() {
                println!("{} added, {} delisted", load.added, load.delisted);
                for party in &load.delisted_parties {
                    println!("delisted {party}");
                }
            }
            Ok(())
        }
        Command::Import {
            command: ImportCommand::List(args),
        } => {
            let store = open_initialised(&args.storage)?;
            let importer = import::list::run(&store, &args)?;
            print!(
                "{}",
                import::list::report(&store, &importer, args.show_errors)?
            );
            if importer.status != vigil_domain::importer::ImporterStatus::Ready {
                anyhow::bail!("the import did not finish");
            }
            Ok(())
        }
        Command::Keys {
            command:
                KeysCommand::Create {
                    place,
                    permissions,
                    name,
                    api_version,
                    key_inflection,
                },
        } => {
            let store = open_initialised(&place.storage)?;
            let permissions = permissions
                .map(|p| vigil_domain::permissions::parse_list(&p))
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let key = setup::create_key(
                &store,
                &place.env,
                KeyOptions {
                    name,
                    permissions,
                    api_version,
                    key_inflection,
                },
            )?;
            println!("{}", key.secret);
            Ok(())
        }
    }
}

/// The store of an offline command, set up if new; a new directory's admin keys go to
/// stderr (stdout carries only the command's own output, for scripts).
fn open_initialised(storage: &storage::Storage) -> anyhow::Result<Arc<dyn Store>> {
    let store = open_store(storage)?;
    let created = setup::bootstrap(&store).context("setting up the data directory")?;
    if !created.is_empty() {
        eprintln!(
            "Initialised a new data directory in {}; its admin keys:",
            storage.describe()
        );
        for key in &created {
            eprintln!("  {}: {}", key.environment, key.secret);
        }
    }
    Ok(store)
}

fn actions(command: ActionsCommand) -> anyhow::Result<()> {
    match command {
        ActionsCommand::Create { place, name, kind } => {
            let store = open_initialised(&place.storage)?;
            let action = setup::create_account_action(&store, &place.env, &name, &kind)?;
            println!("{}", action.id);
        }
        ActionsCommand::List { place } => {
            let store = open_store(&place.storage)?;
            for action in setup::account_actions(&store, &place.env)? {
                println!("{}\t{}\t{}", action.id, action.kind, action.name);
            }
        }
    }
    Ok(())
}

/// One server per data directory: the store caches accounts in memory and trusts that
/// nothing else writes them. The lock is released when the process ends, however it ends.
/// (`vigil keys create` may still run beside a server: keys are never cached as absent.)
fn lock_data_dir(data_dir: &Path) -> anyhow::Result<std::fs::File> {
    data_dir::prepare(data_dir)?;
    let path = data_dir.join("serve.lock");
    let file = std::os::unix::fs::OpenOptionsExt::mode(
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true),
        0o600,
    )
    .open(&path)
    .with_context(|| format!("creating {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another vigil server is already using {}; stop it or choose another --data-dir",
            data_dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// Threads serving requests: as asked, or one per core on SQLite (a store call there
/// reads the page cache) and four per core on PostgreSQL (each waits on a round trip).
fn serving_threads(asked: Option<u16>, sqlite: bool) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match asked {
        Some(threads) => usize::from(threads),
        None if sqlite => cores,
        None => cores * 4,
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let _log_guard = init_logging(args.log_json);
    let mcp_settings = args.mcp.settings()?;
    // One server per SQLite data directory: its store caches accounts and trusts that
    // nothing else writes them. Servers sharing a PostgreSQL database need no lock.
    let _lock = if args.storage.is_sqlite() {
        Some(lock_data_dir(&args.storage.data_dir)?)
    } else {
        None
    };
    let store = args.storage.open()?;
    let created = setup::bootstrap(&store).context("setting up the data directory")?;
    if !created.is_empty() {
        // Printed once: only hashes are stored.
        println!(
            "vigil initialised {} with one admin API key per environment (shown only now):",
            args.storage.describe()
        );
        for key in &created {
            println!("  {:<10} {}", key.environment, key.secret);
        }
    }
    let mut config = ServerConfig {
        rate_limit: args.rate_limit,
        rate_limit_window: std::time::Duration::from_secs(args.rate_limit_window),
        failed_auth_limit: args.failed_auth_limit,
        flow_start_limit: args.flow_start_limit,
        max_body_bytes: args.max_body_bytes,
        max_upload_bytes: args.max_upload_bytes,
        public_url: String::new(),
        test_clock: args.test_clock,
        // Made afresh at every start: only the console in this process knows it.
        forwarding_secret: Some(vigil_domain::ids::random_token("vigil_forwarding", 40)),
        data_dir: Some(args.storage.data_dir.clone()),
        allow_private_webhooks: args.allow_private_webhooks,
        webhook_retry_schedule: args.webhook_retry_schedule.clone(),
        webhook_concurrency: args.webhook_concurrency.into(),
        event_retention_days: args.event_retention_days.filter(|d| *d > 0),
        lease_ttl: std::time::Duration::from_secs(args.lease_seconds),
        scrub: args.scrub_at,
    };
    vigil_screening::name::set_query_threads(args.screening_threads.map_or(0, usize::from));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(serving_threads(
            args.worker_threads,
            args.storage.is_sqlite(),
        ))
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("binding {}", args.listen))?;
        let address = listener.local_addr()?;
        config.public_url = args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}"))
            .trim_end_matches('/')
            .to_string();
        println!("vigil listening on http://{address} (review console at /, API under /api/v1, agent tools on /mcp, verification flow at /widget)");
        tracing::info!(%address, "listening");
        let state = AppState::new(store, config);
        let (tools, close_tools) = mcp::http::router(&state, address, mcp_settings)?;
        // The console, like the agent tools, reaches the API over HTTP as its users.
        let console = vigil_console::Console::new(
            &mcp::http::own_api(address),
            &state.config.public_url,
            state.config.forwarding_secret.clone(),
        )?;
        // The verification flow too: end users' pages, acting as their inquiry session.
        let flow = vigil_flow::Flow::new(
            &mcp::http::own_api(address),
            state.config.forwarding_secret.clone(),
        )?;
        let beside = tools
            .merge(vigil_console::router(console))
            .merge(vigil_flow::router(flow));
        let shutdown = async {
            // Ctrl-C or SIGTERM (what service managers and `docker stop` send): finish the
            // requests in flight, then stop.
            let mut terminate =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("a SIGTERM handler");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            tracing::info!("shutting down");
            // Open event streams would hold a graceful shutdown forever.
            close_tools();
        };
        vigil_server::run(listener, state, beside, shutdown).await?;
        anyhow::Ok(())
    })
}
