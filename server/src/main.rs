//! `mpforge`: serve the app, or run an operator command.
use anyhow::Context;
use clap::Parser;
use server::config::{Cli, Command};
use server::storage::Store;
use std::io::{BufRead, Write};
use std::time::Instant;

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The whole cause chain on one line each, no backtrace: these are operator messages.
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let started = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn,sled=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match &cli.command {
        // Site commands work on files only: no data directory is opened.
        Some(Command::NewSite { template, lang }) => server::cli::new_site(template, lang),
        Some(Command::Check { site, lang }) => server::cli::check(site, lang),
        Some(Command::Generate { site, out }) => server::cli::generate(site, out),
        Some(Command::Preview { site, page, out }) => server::cli::preview(site, page, out),
        Some(Command::Schema) => {
            print!("{}", server::cli::site_schema());
            Ok(())
        }
        None | Some(Command::Serve) => serve(&cli, open_store(&cli)?, started).await,
        Some(Command::ExportData { out }) => {
            let store = open_store(&cli)?;
            let count = match out {
                Some(path) => {
                    let file = std::fs::File::create(path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    server::storage::dump::export_jsonl(&store.db, std::io::BufWriter::new(file))?
                }
                None => server::storage::dump::export_jsonl(&store.db, std::io::stdout().lock())?,
            };
            eprintln!("exported {count} records");
            Ok(())
        }
        Some(Command::ImportData { file }) => {
            let store = open_store(&cli)?;
            let f =
                std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
            let count = server::storage::dump::import_jsonl(&store.db, std::io::BufReader::new(f))?;
            store.flush().await?;
            eprintln!("imported {count} records into {}", cli.data_dir().display());
            Ok(())
        }
        Some(Command::CreateAgency { name, login }) => {
            let store = open_store(&cli)?;
            eprint!("password for {login}: ");
            std::io::stderr().flush().ok();
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let (agency, user) = server::accounts::create_agency(&store, name, login, password)
                .map_err(|e| anyhow::anyhow!("{}", e.message(app::i18n::Lang::En)))?;
            store.flush().await?;
            eprintln!(
                "created agency \"{}\" with admin login {}",
                agency.name, user.login
            );
            Ok(())
        }
    }
}

/// Opens (creating if needed) the data directory; sled's lock makes a second process fail here.
fn open_store(cli: &Cli) -> anyhow::Result<Store> {
    let data_dir = cli.data_dir();
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating data directory {}", data_dir.display()))?;
    Store::open(&data_dir).with_context(|| {
        format!(
            "opening the data in {} (is another mpforge using it?)",
            data_dir.display()
        )
    })
}

async fn serve(cli: &Cli, store: Store, started: Instant) -> anyhow::Result<()> {
    if store.is_empty()? && !cli.no_demo {
        let logins = server::seed::seed_demo(&store)
            .await
            .map_err(|e| anyhow::anyhow!("creating demo data: {e}"))?;
        server::seed::print_demo_logins(&logins);
    }
    let options = server::leptos_options(&cli.site_root, cli.addr);
    let mut state = server::AppState::new(options, store.clone(), cli.secure_cookies())
        .context("reading the server's secrets from the store")?;
    state.public_origin = cli
        .public_url
        .as_deref()
        .and_then(server::http::session::origin_of);
    state.media_quota = cli.media_quota_mb * 1024 * 1024;
    state.proxies = std::sync::Arc::new(server::proxies::TrustedProxies::new(
        cli.trusted_proxies.clone(),
    ));
    let router = server::app(state);
    let listener = tokio::net::TcpListener::bind(cli.addr)
        .await
        .with_context(|| format!("listening on {}", cli.addr))?;
    tracing::info!(
        "mpforge listening on http://{} (data in {}, ready in {} ms)",
        cli.addr,
        cli.data_dir().display(),
        started.elapsed().as_millis()
    );
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    store
        .flush()
        .await
        .context("flushing the data on shutdown")?;
    tracing::info!("stopped; all data flushed");
    Ok(())
}

async fn shutdown_signal() {
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
