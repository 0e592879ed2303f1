//! The `doumi` command line: parse flags, call the library, print, exit.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use doumi::config::{self, Config, LogFormat};
use doumi::content::{self, Library, Problem};
use doumi::index::{self, IndexError, SearchIndex};
use doumi::search::{self, Engine, Meaning, SearchRequest, SearchResponse};
use doumi::semantic::{Model, QueryEmbedder};

/// A search allocates many small, short-lived values on every server
/// thread; mimalloc's per-thread free lists serve them faster than glibc's
/// (BENCHMARKS.md, "Ninth stop").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// doumi (도우미) — a Korean help-center search.
///
/// Editors write Markdown articles in a content folder; doumi indexes them with
/// Korean morphological analysis and answers customer questions from them.
///
/// Typical use:
///   doumi index                          build index/ from content/
///   doumi search "비밀번호를 잊어버렸어요"   ask a question
///   doumi check                          lint content/ before publishing
///   doumi serve                          the HTTP API and live reload
///   doumi report --since 7d              what customers did not find
///
/// Exit codes: 0 success, 1 content problems found (index and check),
/// 2 an error (bad flag or argument, missing folder, unusable index).
#[derive(Parser, Debug)]
#[command(name = "doumi", version, max_term_width = 100, verbatim_doc_comment)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug)]
struct Global {
    /// Folder of Markdown articles [default: content].
    ///
    /// Every `.md` file below it is an article (hidden files and folders are
    /// skipped). The first folder level is the default category. Also set by
    /// `content` in doumi.toml or DOUMI_CONTENT.
    #[arg(long, global = true, value_name = "DIR", help_heading = "Configuration")]
    content: Option<PathBuf>,
    /// Folder for generated state [default: index].
    ///
    /// The search index lives in DIR/search. Safe to delete: `doumi index`
    /// rebuilds it from the content folder. Also set by `index` in doumi.toml
    /// or DOUMI_INDEX.
    #[arg(long, global = true, value_name = "DIR", help_heading = "Configuration")]
    index: Option<PathBuf>,
    /// Configuration file [default: doumi.toml, if present].
    ///
    /// TOML with the keys listed under `doumi serve --help`. Environment
    /// variables DOUMI_<KEY> override the file; flags override both.
    #[arg(long, global = true, value_name = "FILE", help_heading = "Configuration")]
    config: Option<PathBuf>,
}

/// Flags that override the configuration file and environment.
#[derive(serde::Serialize, Default)]
struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    addr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rate_limit_per_minute: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cors_origins: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query_log: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the help center over HTTP (search API, health, metrics).
    ///
    /// Listens on 127.0.0.1:7878 unless told otherwise, indexes the content
    /// folder (reusing an index that matches it), and applies every saved edit
    /// within a second. A broken save keeps the last good version of that file
    /// searchable and shows the error in /healthz and the log. Stops gracefully
    /// on Ctrl-C or SIGTERM.
    ///
    /// Every setting can come from doumi.toml (or --config FILE), from the
    /// environment as DOUMI_<KEY>, or from a flag (flags win):
    ///
    ///   key                    what                                      default
    ///   addr                   HOST:PORT to listen on                    127.0.0.1:7878
    ///   content, index         folders (see doumi --help)                content, index
    ///   admin_token            bearer token for the admin report         (none: report off)
    ///                          (file or DOUMI_ADMIN_TOKEN, never a flag)
    ///   rate_limit_per_minute  requests a minute per client, 0 = off     600
    ///   cors_origins           origins allowed to call the API           ["*"]
    ///   request_timeout_ms     longer requests get 408                   10000
    ///   max_body_bytes         larger bodies get 413                     16384
    ///   reload_debounce_ms     quiet time before applying edits          100
    ///   log_format             text or json                              text
    ///   query_log              SQLite query log, or a postgres:// URL     index/queries.sqlite3
    ///                          shared by replicas (docs/deploy.md)
    ///   log_retention_days     query-log rows kept this long, 0 = ever   365
    ///   order_number_pattern   regex of this shop's order numbers,       (see README)
    ///                          masked in the query log
    ///   search_cache_entries   answers remembered for repeated searches, 4096
    ///                          per index version, 0 = none
    ///   semantic               also rank the settled question by         true
    ///                          meaning (embedding model), true or false
    ///   model_dir              the multilingual-e5-small folder          ../shared/models/…
    ///                                                                    beside the source
    ///   semantic_weight        most the ranking by meaning counts beside 1.5
    ///                          the lexical one (1); less when it is sure
    ///   query_embedding_cache  query embeddings remembered, 0 = none     4096
    ///   header_read_timeout_ms a request's headers must arrive within    10000
    ///                          this long; idle kept-alive connections
    ///                          are closed after it
    ///   max_connections_per_client  open connections per client IP,      64
    ///                          0 = no cap
    ///   max_connections        open connections in all, 0 = the file     0
    ///                          descriptor limit less what doumi needs
    ///   shutdown_timeout_ms    after SIGTERM, requests in flight finish  10000
    ///                          within this, then connections are dropped
    ///   trusted_proxies        CIDRs whose X-Forwarded-For, Forwarded    []
    ///                          and X-Forwarded-Proto are believed
    ///   sign_in_per_minute     admin sign-ins (and bearer tokens tried)  10
    ///                          a minute per client, 0 = off
    ///   sessions_per_client    customers one client address may count    30
    ///                          as in a day, 0 = no cap
    ///   votes_per_session      votes a session may cast a day, 0 = off   20
    ///   admin_session_idle_hours  an unused admin session ends after     12
    ///   admin_session_max_hours   any admin session ends after          168
    ///   secure_cookies         always mark the admin cookie Secure       false
    ///                          (it is over HTTPS via a trusted proxy)
    ///   ops_addr               serve /metrics and the detailed /healthz  (none)
    ///                          here only, e.g. 127.0.0.1:9878
    ///   spool_max_records      records kept in index/spool.sqlite3 while 200000
    ///                          the PostgreSQL query log is unreachable
    ///
    /// Example: DOUMI_RATE_LIMIT_PER_MINUTE=0 doumi serve --addr 0.0.0.0:8080
    #[command(verbatim_doc_comment)]
    Serve(ServeArgs),
    /// Rebuild the search index from the content folder.
    ///
    /// A broken article is reported with its path, line and reason; every other
    /// article is still indexed. The new index replaces the old one only once it
    /// is complete, so a failed build leaves the previous index serving.
    /// Exits 1 when some file could not be indexed.
    Index {
        /// Print `{files, entries, errors: [{path, line, message}], took_ms}`.
        #[arg(long)]
        json: bool,
    },
    /// Search the help center as a customer would.
    ///
    /// Example: doumi search "비회원 주문 조회" --limit 3
    ///
    /// Builds the index first if there is none yet.
    Search(SearchArgs),
    /// Lint the content folder: front matter, anchors, duplicate questions, links.
    ///
    /// With the ranking by meaning on (semantic = true, the default), also
    /// warns about two FAQ questions that ask the same thing in different
    /// words. Prints one `path:line: message` per problem. Exits 1 when any is an error,
    /// 0 when there are only warnings or none.
    Check {
        /// Print the problems as a JSON array of {path, line, severity, message}.
        #[arg(long)]
        json: bool,
    },
    /// Measure search quality on a labelled query set, beside two baselines.
    ///
    /// FILE holds one JSON object a line:
    ///   {"query": "배숑 조회", "expected": ["shipping#배송-조회는-어떻게-하나요"], "class": "typo"}
    /// `expected` lists the entries that answer it (a bare article id accepts any
    /// of its entries); `expected: []` means the help center has no answer.
    /// Reports Recall@1, Recall@3 and MRR@10 overall, per class and for queries
    /// of 5+ words, for doumi, for whitespace-token BM25 and for plain ko-dic
    /// morpheme BM25 over the same fields, in the same run — once as written and
    /// once without the editors' synonyms, user dictionary and aliases. The
    /// content is indexed into a scratch directory; index/ is not touched.
    Eval {
        /// The labelled queries (JSON lines).
        #[arg(long, value_name = "FILE")]
        queries: PathBuf,
        /// Also measure "did you mean": JSON lines of
        /// {"query": "배숑 조회", "misspelled": true, "expected": "배송 조회"}
        /// or {"query": "환불 지원 되나요", "misspelled": false}.
        #[arg(long, value_name = "FILE")]
        suggestions: Option<PathBuf>,
        /// Also rank by meaning with the embedding model (model_dir /
        /// DOUMI_MODEL_DIR, or ../shared/models/multilingual-e5-small beside
        /// the source) and report doumi's lexical ranking, the dense ranking
        /// alone and doumi's hybrid search side by side.
        #[arg(long)]
        semantic: bool,
        /// With --semantic: write every query's rank and confidence in each
        /// ranking as JSON lines to FILE (what fusion settings are chosen from).
        #[arg(long, value_name = "FILE", requires = "semantic")]
        trace: Option<PathBuf>,
        /// Print the report as JSON (scores, per class, and every miss).
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Print the report as a Markdown table (for docs/quality.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Report what customers searched for and did not find, and the
    /// self-service KPIs.
    ///
    /// Reads the query log that `doumi serve` writes: unanswered searches
    /// (no results, low confidence, no click, voted not helpful, followed by
    /// contacting support, or reworded) are clustered into gaps — spacing
    /// variants, typos and half-typed states folded together — each with its
    /// count, example phrasings, the closest entry today and what to do. KPIs
    /// (searches, sessions, zero-result, click-through, self-service,
    /// helpfulness, escalation) come for the period, the period before, and
    /// each day.
    ///
    /// Example: doumi report --since 7d --format csv --out gaps.csv
    Report(ReportArgs),
    /// Write made-up customer traffic to a separate log, for demos and tests.
    ///
    /// Customers ask the questions of a labelled query set (the `doumi eval`
    /// format), some typing in the widget (half-typed states are searched
    /// too), then click, vote, reword or contact support depending on whether
    /// the expected answer was in the top 3. Written to --log (default
    /// index/simulated.sqlite3), never to the live query log, with every
    /// search marked `simulated`. Then: doumi report --log index/simulated.sqlite3
    Simulate(SimulateArgs),
    /// Move the query log: copy it to PostgreSQL when one machine is not
    /// enough (see docs/deploy.md).
    #[command(subcommand)]
    Log(LogCommand),
}

#[derive(Subcommand, Debug)]
enum LogCommand {
    /// Copy every search and event of the SQLite query log to a PostgreSQL
    /// database (the tables are created if needed).
    ///
    /// Idempotent: rows already there are left as they are, so running it
    /// again resumes an interrupted copy, and running it after the move
    /// copies what was logged meanwhile.
    ///
    /// Example: doumi log export --to postgres://doumi@db.internal/doumi
    Export {
        /// The database: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE
        #[arg(long, value_name = "URL")]
        to: String,
        /// The SQLite log to copy [default: query_log, else <index>/queries.sqlite3].
        #[arg(long, value_name = "FILE")]
        log: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
struct ReportArgs {
    /// The period: days, hours or weeks back from now (30d, 12h, 2w), or a
    /// date (2026-11-01, from midnight Korean time). Trends compare it with
    /// the period of the same length before it.
    #[arg(long, default_value = "30d", value_name = "PERIOD")]
    since: doumi::analytics::Since,
    /// md for people, json for tools, csv for the gaps as a spreadsheet,
    /// daily-csv for the KPIs per day.
    #[arg(long, default_value = "md", value_parser = ["md", "json", "csv", "daily-csv"])]
    format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Also write a draft article (draft: true) for each of the top gaps that
    /// need one, titled by the customers' words with their phrasings as
    /// aliases. Existing files are never overwritten.
    #[arg(long, value_name = "DIR")]
    drafts: Option<PathBuf>,
    /// Replay each gap's phrasings against today's index and say which gaps
    /// new content now answers.
    #[arg(long)]
    recheck: bool,
    /// Read this query log instead of the configured one (e.g. a simulated one).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct SimulateArgs {
    /// Labelled queries (JSON lines, as for `doumi eval`) customers ask.
    #[arg(long, value_name = "FILE")]
    queries: PathBuf,
    /// Customer visits to simulate.
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    sessions: u32,
    /// Spread the visits over this many days up to now.
    #[arg(long, default_value_t = 30, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=3650))]
    days: u32,
    /// Seed for the customers' choices: the same seed gives the same traffic.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write: a file [default: <index>/simulated.sqlite3] or a
    /// postgres:// URL. Refused if it is the live query log.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// Address to listen on, HOST:PORT (port 0 picks a free one).
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// Requests per minute allowed from one client IP; 0 turns the limit off.
    #[arg(long, value_name = "N")]
    rate_limit_per_minute: Option<u32>,
    /// An origin allowed to call the API from a browser (repeat for more).
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Log format: text or json.
    #[arg(long, value_name = "FORMAT", value_parser = ["text", "json"])]
    log_format: Option<String>,
    /// The query log: a SQLite file, or a postgres:// URL replicas share
    /// (a password in it is better kept in DOUMI_QUERY_LOG, out of `ps`).
    #[arg(long, value_name = "FILE|URL")]
    query_log: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct SearchArgs {
    /// The customer's question, in any form: 비번 까먹음, 환불 언제 돼요.
    query: String,
    /// How many results to show (1–50).
    #[arg(long, short = 'n', default_value_t = search::DEFAULT_LIMIT, value_name = "N")]
    limit: usize,
    /// Skip this many results (for paging).
    #[arg(long, default_value_t = 0, value_name = "N")]
    offset: usize,
    /// Only entries of this category, e.g. 배송.
    #[arg(long, value_name = "NAME")]
    category: Option<String>,
    /// Print exactly the body of `GET /api/search`.
    #[arg(long)]
    json: bool,
    /// Also print, on stderr, how the query was understood: each word with its
    /// exact terms and the synonyms, typo corrections, completions and initials
    /// tried beside them, and how telling each word is.
    #[arg(long)]
    explain: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("doumi: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut overrides = Overrides { content: cli.global.content, index: cli.global.index, ..Overrides::default() };
    if let Command::Serve(args) = &cli.command {
        overrides.addr = args.addr.clone();
        overrides.rate_limit_per_minute = args.rate_limit_per_minute;
        overrides.cors_origins = args.cors_origins.clone();
        overrides.log_format = args.log_format.clone();
        overrides.query_log = args.query_log.clone();
    }
    let config = config::load(cli.global.config.as_deref(), overrides)?;
    match cli.command {
        Command::Serve(_) => run_serve(config),
        Command::Index { json } => run_index(&config, json),
        Command::Search(args) => run_search(&config, args),
        Command::Check { json } => run_check(&config, json),
        Command::Eval { queries, suggestions, semantic, trace, json, markdown } => {
            run_eval(&config, &queries, suggestions.as_deref(), semantic.then_some(trace.as_deref()), json, markdown)
        }
        Command::Report(args) => run_report(&config, args),
        Command::Simulate(args) => run_simulate(&config, args),
        Command::Log(LogCommand::Export { to, log }) => run_log_export(&config, &to, log),
    }
}

/// The search engine over `config`'s index, built first if there is none.
fn open_engine(config: &Config) -> anyhow::Result<Engine> {
    let index = SearchIndex::open_or_build(&config.content, &config.index, |why, library| {
        let why = if matches!(why, IndexError::NotBuilt(_)) { "no index yet" } else { "the index was built by another doumi version" };
        eprintln!("doumi: {why}; building it from {}", config.content.display());
        print_problems(&library.problems);
    })?;
    let engine = Engine::new(index, &config.content)?.0;
    if !config.semantic {
        return Ok(engine);
    }
    let library = Library::load(&config.content)?;
    Ok(match meaning_of(config, &library.articles) {
        Ok((meaning, _)) => engine.with_meaning(meaning),
        Err(e) => {
            eprintln!("doumi: {e}; answering by words only (set semantic = false to silence this)");
            engine
        }
    })
}

/// Loads the embedding model and the embeddings of `articles`' entries,
/// embedding those not kept in the index folder yet, and keeps them there.
fn meaning_of(config: &Config, articles: &[std::sync::Arc<doumi::content::Article>]) -> anyhow::Result<(Meaning, doumi::semantic::Embedded)> {
    let model = std::sync::Arc::new(Model::load(&config.model_dir())?);
    let mut embeddings = index::EntryEmbeddings::open(&config.index, &model);
    let (vectors, embedded) = embeddings.update(&model, articles)?;
    if embedded.computed > 0
        && let Err(e) = embeddings.save()
    {
        eprintln!("doumi: cannot keep the entry embeddings in {}: {e}", embeddings.path().display());
    }
    let queries = std::sync::Arc::new(QueryEmbedder::new(model, config.query_embedding_cache));
    Ok((Meaning { queries, vectors: std::sync::Arc::new(vectors), weight: config.semantic_weight }, embedded))
}

fn run_report(config: &Config, args: ReportArgs) -> anyhow::Result<ExitCode> {
    use doumi::analytics::{LogTarget, ReportOptions, report};
    let target = args.log.as_deref().map_or_else(|| config.query_log_target(), LogTarget::parse);
    let store = target.open_existing()?;
    let engine = open_engine(config)?;
    let options = ReportOptions { since: args.since, now_ms: doumi::analytics::record::now_ms(), recheck: args.recheck };
    let built = report::build(store.as_ref(), &engine, options)?;
    let text = match args.format.as_str() {
        "json" => built.to_json() + "\n",
        "csv" => built.gaps_csv(),
        "daily-csv" => built.daily_csv(),
        _ => built.to_markdown(),
    };
    match &args.out {
        Some(file) => std::fs::write(file, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?,
        None => io::stdout().lock().write_all(text.as_bytes())?,
    }
    if let Some(dir) = &args.drafts {
        let (written, failed) = report::write_drafts(&built, dir);
        eprintln!("wrote {} draft(s) to {}", written.len(), dir.display());
        for path in written {
            eprintln!("  {}", path.display());
        }
        for error in &failed {
            eprintln!("doumi: {error}");
        }
        if !failed.is_empty() {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_log_export(config: &Config, to: &str, log: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    use doumi::analytics::postgres::{PostgresStore, is_url, redacted};
    use doumi::analytics::{LogTarget, Store};
    if !is_url(to) {
        anyhow::bail!("--to must be a PostgreSQL URL (postgres://USER@HOST/DATABASE), got `{to}`");
    }
    let path = match log.map(|p| LogTarget::parse(&p)).unwrap_or_else(|| config.query_log_target()) {
        LogTarget::File(path) => path,
        LogTarget::Postgres(url) => anyhow::bail!("the query log is already in PostgreSQL ({}); pass --log FILE to copy a SQLite log", redacted(&url)),
    };
    let from = Store::open_existing(&path)?;
    let mut into = PostgresStore::open(to)?;
    let done = doumi::analytics::export::export(&from, &mut into, |so_far| {
        eprint!("\rcopied {} searches, {} events", so_far.searches, so_far.events);
    })?;
    let (searches, events) = doumi::analytics::LogStore::counts(&into)?;
    eprintln!(
        "\rcopied {} searches and {} events from {} to {}; it now holds {searches} searches and {events} events",
        done.searches,
        done.events,
        path.display(),
        redacted(to)
    );
    Ok(ExitCode::SUCCESS)
}

fn run_simulate(config: &Config, args: SimulateArgs) -> anyhow::Result<ExitCode> {
    use doumi::analytics::simulate::{Simulation, simulate};
    use doumi::analytics::Masker;
    let path = args.log.clone().unwrap_or_else(|| config.index.join("simulated.sqlite3"));
    let live = config.query_log.clone().unwrap_or_else(|| config.index.join("queries.sqlite3"));
    let target = doumi::analytics::LogTarget::parse(&path);
    let same = |a: &std::path::Path, b: &std::path::Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if same(&path, &live) {
        anyhow::bail!("--log {target} is the live query log; simulated traffic goes to a log of its own");
    }
    let queries = doumi::eval::read_queries(&args.queries)?;
    let engine = open_engine(config)?;
    let masker = Masker::new(config.order_number_pattern.as_deref())?;
    let mut store = target.open()?;
    let simulation = Simulation {
        sessions: args.sessions as usize,
        days: args.days,
        seed: args.seed,
        now_ms: doumi::analytics::record::now_ms(),
    };
    let done = simulate(&engine, &masker, &queries, simulation, store.as_mut())?;
    eprintln!(
        "simulated {} sessions over {} days into {}: {} searches, {} clicks, {} helpful, {} not helpful, {} reworded, {} contacted support",
        done.sessions,
        args.days,
        target,
        done.searches,
        done.clicks,
        done.helpful,
        done.not_helpful,
        done.reworded,
        done.escalations
    );
    eprintln!("see it with: doumi report --log {target}");
    Ok(ExitCode::SUCCESS)
}

fn run_serve(config: Config) -> anyhow::Result<ExitCode> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DOUMI_LOG").unwrap_or_else(|_| "info".into());
    // Colour codes only for a person at a terminal, never into a log file.
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(io::stderr).with_ansi(io::stderr().is_terminal());
    match config.log_format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.init(),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(doumi::server::serve(config))?;
    Ok(ExitCode::SUCCESS)
}

fn run_index(config: &Config, json: bool) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    index::ensure_not_in_use(&config.index)?;
    let library = Library::load(&config.content)?;
    print_warnings(&library);
    let report = index::build(&library, &config.index, started)?;
    // Embedded now, so that `doumi serve` starts with every entry ranked by
    // meaning; only entries whose text changed since the last run are.
    let embedded = if config.semantic {
        match meaning_of(config, &library.articles) {
            Ok((_, embedded)) => Some(embedded),
            Err(e) => {
                eprintln!("doumi: entries not embedded: {e}; search will rank by words only (set semantic = false to silence this)");
                None
            }
        }
    } else {
        None
    };
    let mut out = io::stdout().lock();
    if json {
        #[derive(serde::Serialize)]
        struct Indexed<'r> {
            #[serde(flatten)]
            report: &'r index::BuildReport,
            /// Entries embedded now and reused from the last run; absent
            /// when the ranking by meaning is off or unavailable.
            #[serde(skip_serializing_if = "Option::is_none")]
            embedded: Option<doumi::semantic::Embedded>,
        }
        serde_json::to_writer(&mut out, &Indexed { report: &report, embedded })?;
        writeln!(out)?;
    } else {
        if let Some(embedded) = &embedded {
            writeln!(out, "embedded {} entries by meaning ({} unchanged since the last run)", embedded.computed, embedded.reused)?;
        }
        for problem in &report.errors {
            eprintln!("{problem}");
        }
        writeln!(
            out,
            "indexed {} entries from {} files into {} in {} ms{}",
            report.entries,
            report.files,
            index::search_dir(&config.index).display(),
            report.took_ms,
            match report.errors.len() {
                0 => String::new(),
                n => format!("; {n} file(s) not indexed, see above"),
            }
        )?;
    }
    Ok(if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn run_search(config: &Config, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let request = SearchRequest { q: args.query, limit: args.limit, offset: args.offset, category: args.category, semantic: true };
    request.validate()?;
    let engine = open_engine(config)?;
    let response = if args.explain {
        eprint!("{}", engine.plan(request.q.trim()));
        let (response, explanation) = engine.explain(&request)?;
        print_explanation(&explanation);
        response
    } else {
        engine.search(&request)?
    };
    let mut out = io::stdout().lock();
    if args.json {
        out.write_all(&response.to_json())?;
        writeln!(out)?;
    } else {
        print_hits(&mut out, &response, io::stdout().is_terminal())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// How each hit was ranked: its place in the lexical and the dense ranking,
/// its cosine to the query, and the fused score it is shown with.
fn print_explanation(explanation: &doumi::search::Explanation) {
    match &explanation.embedded {
        Some(text) => eprintln!("by meaning: 「{text}」 at weight {:.2} beside the words (1)", explanation.dense_weight),
        None if explanation.dense_weight > 0.0 => eprintln!("by meaning: the query could not be embedded"),
        None => eprintln!("by meaning: not run (the words answer surely, or were typed as initials or unfinished syllables, or semantic search is off)"),
    }
    let rank = |r: Option<usize>| r.map_or("-".to_string(), |r| r.to_string());
    for (i, hit) in explanation.hits.iter().enumerate() {
        let cosine = hit.cosine.map_or("-".to_string(), |c| format!("{c:.3}"));
        eprintln!("{:>3}. {:<40} lexical #{:<3} dense #{:<3} cosine {cosine:<6} score {:.3}", i + 1, hit.id, rank(hit.lexical_rank), rank(hit.dense_rank), hit.score);
    }
}

fn print_hits(out: &mut impl Write, response: &SearchResponse, color: bool) -> anyhow::Result<()> {
    if response.hits.is_empty() {
        let why = if doumi::korean::analyze(&response.query).is_empty() {
            " (it has no words to search for, only punctuation or symbols)"
        } else {
            ""
        };
        writeln!(out, "no results for 「{}」{why}", response.query)?;
        return Ok(());
    }
    let (mark_on, mark_off) = if color { ("\x1b[1;33m", "\x1b[0m") } else { ("[", "]") };
    for (rank, hit) in response.hits.iter().enumerate() {
        let category = hit.category.as_deref().map(|c| format!("  [{c}]")).unwrap_or_default();
        writeln!(out, "{}. {}{category}  ({:.2})", rank + 1, hit.title, hit.score)?;
        writeln!(out, "   {}", hit.url)?;
        let snippet = unescape(&hit.snippet.replace("<mark>", mark_on).replace("</mark>", mark_off));
        writeln!(out, "   {}", snippet.replace('\n', " "))?;
    }
    let or_more = if response.total_is_lower_bound { " or more" } else { "" };
    writeln!(out, "{} of {}{or_more} entries, {:.1} ms", response.hits.len(), response.total, response.took_ms)?;
    Ok(())
}

fn unescape(html: &str) -> String {
    html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

fn run_check(config: &Config, json: bool) -> anyhow::Result<ExitCode> {
    let library = Library::load(&config.content)?;
    let mut problems = content::check(&library);
    problems.extend(search::lint_dictionaries(&library.dictionaries, &config.content));
    if config.semantic {
        // Questions asked twice in different words split customers between
        // two answers as surely as questions asked twice word for word.
        let published: Vec<_> = library.articles.iter().chain(&library.drafts).cloned().collect();
        match Model::load(&config.model_dir()).map_err(anyhow::Error::from).and_then(|m| Ok(index::similar_questions(&m, &published)?)) {
            Ok(similar) => problems.extend(similar),
            Err(e) => eprintln!("doumi: questions not compared by meaning: {e} (set semantic = false to silence this)"),
        }
    }
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let mut out = io::stdout().lock();
    if json {
        let rows: Vec<_> = problems
            .iter()
            .map(|p| serde_json::json!({"path": p.path, "line": p.line, "severity": p.severity, "message": p.message}))
            .collect();
        serde_json::to_writer(&mut out, &rows)?;
        writeln!(out)?;
    } else {
        for problem in &problems {
            writeln!(out, "{problem}")?;
        }
        let warnings = problems.len() - errors;
        let articles = library.articles.len() + library.drafts.len();
        eprintln!("checked {} files ({articles} articles): {errors} error(s), {warnings} warning(s)", library.files);
    }
    Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn run_eval(
    config: &Config,
    queries: &std::path::Path,
    suggestions: Option<&std::path::Path>,
    semantic: Option<Option<&std::path::Path>>,
    json: bool,
    markdown: bool,
) -> anyhow::Result<ExitCode> {
    let queries = doumi::eval::read_queries(queries)?;
    let suggestions = suggestions.map(doumi::eval::read_suggestions).transpose()?;
    let model = semantic.map(|_| Model::load(&config.model_dir())).transpose()?.map(|m| (std::sync::Arc::new(m), config.semantic_weight));
    let library = Library::load(&config.content)?;
    print_problems(library.errors());
    let report = doumi::eval::run_with(&library, &config.content, &queries, suggestions.as_deref(), model)?;
    if let Some(Some(file)) = semantic {
        let mut lines = String::new();
        for trace in report.traces.iter().chain(report.without_editors.iter().flat_map(|r| &r.traces)) {
            lines.push_str(&serde_json::to_string(trace)?);
            lines.push('\n');
        }
        std::fs::write(file, lines).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?;
    }
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if markdown {
        writeln!(out, "As written (with the editors' synonyms, user dictionary and aliases):\n")?;
        write!(out, "{}", report.to_markdown())?;
        if let Some(bare) = &report.without_editors {
            writeln!(out, "\nWithout the editors' synonyms, user dictionary and aliases (the engine on its own):\n")?;
            write!(out, "{}", bare.to_markdown())?;
        }
        if let Some(s) = &report.suggestions {
            write_suggestions(&mut out, s)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let o = &report.overall;
    writeln!(
        out,
        "{} queries ({} with an answer, {} without) on {}, {} ms",
        report.queries,
        o.doumi.answerable,
        o.doumi.unanswerable,
        config.content.display(),
        report.took_ms
    )?;
    write_table(&mut out, &report)?;
    if let Some(bare) = &report.without_editors {
        writeln!(out, "\nwithout the editors' synonyms, user dictionary and aliases:")?;
        write_table(&mut out, bare)?;
    }
    if let Some(s) = &report.suggestions {
        write_suggestions(&mut out, s)?;
    }
    if !report.misses.is_empty() {
        writeln!(out, "\nmisses (not in doumi's top 3, or confidently answered though unanswerable):")?;
        for m in &report.misses {
            writeln!(out, "  [{}] {} → expected {:?}, got {:?} (confidence {:.2})", m.class, m.query, m.expected, m.got, m.confidence)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// doumi beside the whitespace ("ws") and morpheme ("morph") baselines.
fn write_table(out: &mut io::StdoutLock, report: &doumi::eval::Report) -> io::Result<()> {
    writeln!(out, "{:<14}{:>5}   {:>20}   {:>20}   {:>20}   {:>13}   {:>9}", "", "", "Recall@1", "Recall@3", "MRR@10", "no answer", "confident")?;
    writeln!(
        out,
        "{:<14}{:>5}   {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}   {:>6} {:>6}   {:>9}",
        "class", "n", "doumi", "ws", "morph", "doumi", "ws", "morph", "doumi", "ws", "morph", "doumi", "ws", "doumi"
    )?;
    let row = |out: &mut io::StdoutLock, name: &str, c: &doumi::eval::Comparison| -> io::Result<()> {
        let f = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
        let answerable = |x: f64| (c.doumi.answerable > 0).then_some(x);
        writeln!(
            out,
            "{:<14}{:>5}   {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}   {:>6} {:>6}   {:>9}",
            name,
            c.doumi.answerable + c.doumi.unanswerable,
            f(answerable(c.doumi.recall_at_1)),
            f(answerable(c.baseline.recall_at_1)),
            f(answerable(c.morphemes.recall_at_1)),
            f(answerable(c.doumi.recall_at_3)),
            f(answerable(c.baseline.recall_at_3)),
            f(answerable(c.morphemes.recall_at_3)),
            f(answerable(c.doumi.mrr_at_10)),
            f(answerable(c.baseline.mrr_at_10)),
            f(answerable(c.morphemes.mrr_at_10)),
            f(c.doumi.no_answer_correct),
            f(c.baseline.no_answer_correct),
            f(c.doumi.confident),
        )
    };
    row(out, "overall", &report.overall)?;
    for (class, c) in &report.classes {
        row(out, class, c)?;
    }
    if report.long_queries.doumi.answerable + report.long_queries.doumi.unanswerable > 0 {
        row(out, "5+ words", &report.long_queries)?;
    }
    Ok(())
}

fn write_suggestions(out: &mut io::StdoutLock, s: &doumi::eval::SuggestionScores) -> io::Result<()> {
    let f = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
    writeln!(
        out,
        "\n\"did you mean\" on {} labelled queries ({} misspelled): offered {}, right {}, on correct queries {}; precision {}, recall {}",
        s.queries,
        s.misspelled,
        s.offered,
        s.right,
        s.for_correct_queries,
        f(s.precision),
        f(s.recall)
    )?;
    for w in &s.wrong {
        writeln!(out, "- {} → {} (expected {})", w.query, w.got, w.expected.as_deref().unwrap_or("no suggestion"))?;
    }
    Ok(())
}

fn print_warnings(library: &Library) {
    print_problems(library.problems.iter().filter(|p| !p.is_error()));
}

fn print_problems<'a>(problems: impl IntoIterator<Item = &'a Problem>) {
    for problem in problems {
        eprintln!("{problem}");
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|e| e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

