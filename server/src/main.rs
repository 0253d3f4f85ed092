//! `mpforge`: serve the app, or run an operator command.
use anyhow::Context;
use clap::Parser;
use server::config::{Cli, Command};
use server::storage::blobs::Blobs;
use server::storage::SharedStore;
use std::io::{BufRead, Write};
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        // Site and QR commands work on files only: no data directory is opened.
        Some(Command::NewSite { template, lang }) => server::cli::new_site(template, lang),
        Some(Command::Check { site, lang }) => server::cli::check(site, lang),
        Some(Command::Generate { site, out }) => server::cli::generate(site, out),
        Some(Command::Preview { site, page, out }) => server::cli::preview(site, page, out),
        Some(Command::Schema) => {
            print!("{}", server::cli::site_schema());
            Ok(())
        }
        Some(Command::Qr {
            url,
            out,
            size,
            logo,
        }) => server::cli::qr(url, out, *size, logo.as_deref()),
        Some(Command::Template { theme, out }) => server::cli::template(theme, out),
        Some(Command::ExtJson { site, appid }) => {
            server::cli::ext_json(site, appid, &cli.public_base())
        }
        Some(Command::DevWechat {
            addr,
            push_to,
            component_appid,
            secret,
            token,
            aes_key,
        }) => {
            let config = server::wechat::fake::FakeConfig {
                component_appid: component_appid.clone(),
                secret: secret.clone(),
                token: token.clone(),
                aes_key: aes_key.clone(),
                push_to: Some(push_to.clone()),
                ..Default::default()
            };
            server::wechat::crypto::MsgCrypt::new(token, aes_key, component_appid)
                .map_err(|e| anyhow::anyhow!("--aes-key: {e}"))?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening on {addr}"))?;
            eprintln!(
                "fake WeChat platform {component_appid} on http://{addr}, pushing to {push_to}"
            );
            eprintln!("start mpforge with --wechat-api-base http://{addr} --wechat-open-base http://{addr}");
            server::wechat::fake::serve(
                server::wechat::fake::Fake::new(config),
                listener,
                std::time::Duration::from_secs(600),
            )
            .await?;
            Ok(())
        }
        Some(Command::SetPlatform {
            agency,
            component_appid,
            token,
            aes_key,
            templates,
            contact_email,
            contact_phone,
            auto_release,
        }) => {
            let (store, _) = open_store(&cli).await?;
            let agency_id = agency_of(&store, agency).await?;
            eprint!("AppSecret (empty keeps the stored one): ");
            std::io::stderr().flush().ok();
            let mut secret = String::new();
            std::io::stdin().lock().read_line(&mut secret)?;
            let sbox = server::sealed::SecretBox::load_or_create(&cli.secret_key_path())?;
            server::wechat::platform::save_settings(
                &*store,
                &sbox,
                agency_id,
                server::wechat::platform::PlatformInput {
                    component_appid: component_appid.clone(),
                    secret: Some(secret.trim().to_string()),
                    token: token.clone(),
                    aes_key: aes_key.clone(),
                    templates: templates.iter().cloned().collect(),
                    contact_email: contact_email.clone(),
                    contact_phone: contact_phone.clone(),
                    auto_release: *auto_release,
                },
                app::i18n::Lang::En,
            )
            .await?;
            store.flush().await?;
            eprintln!(
                "platform {component_appid} set for {agency}; secrets sealed with {}",
                cli.secret_key_path().display()
            );
            Ok(())
        }
        None | Some(Command::Serve) => {
            let (store, blobs) = open_store(&cli).await?;
            serve(&cli, store, blobs, started).await
        }
        Some(Command::ExportData { out }) => {
            let (store, blobs) = open_store(&cli).await?;
            let summary = match out {
                Some(path) => {
                    let file = std::fs::File::create(path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    server::storage::dump::export(
                        &*store,
                        Some(&blobs),
                        std::io::BufWriter::new(file),
                    )
                    .await?
                }
                None => {
                    server::storage::dump::export(
                        &*store,
                        Some(&blobs),
                        std::io::BufWriter::new(std::io::stdout()),
                    )
                    .await?
                }
            };
            eprintln!(
                "exported from {}: {} records ({}), {} blobs ({} bytes)",
                store.describe(),
                summary.records.values().sum::<u64>(),
                describe_counts(&summary.records),
                summary.blobs,
                summary.blob_bytes
            );
            Ok(())
        }
        Some(Command::ImportData { file }) => {
            let (store, blobs) = open_store(&cli).await?;
            let f =
                std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
            let summary =
                server::storage::dump::import(&*store, &blobs, std::io::BufReader::new(f)).await?;
            eprintln!(
                "imported into {}: {} records ({}), {} blobs ({} bytes); counts and hashes checked",
                store.describe(),
                summary.records.values().sum::<u64>(),
                describe_counts(&summary.records),
                summary.blobs,
                summary.blob_bytes
            );
            Ok(())
        }
        Some(Command::CreateAgency { name, login }) => {
            let (store, _) = open_store(&cli).await?;
            eprint!("password for {login}: ");
            std::io::stderr().flush().ok();
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let (agency, user) = server::accounts::create_agency(&*store, name, login, password)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message(app::i18n::Lang::En)))?;
            store.flush().await?;
            eprintln!(
                "created agency \"{}\" with admin login {}",
                agency.name, user.login
            );
            Ok(())
        }
        Some(Command::CreateToken { agency, name }) => {
            let (store, _) = open_store(&cli).await?;
            let admin = match server::accounts::find_login(&*store, agency).await? {
                Some(u) if matches!(u.role, server::storage::StoredRole::AgencyAdmin { .. }) => u,
                _ => anyhow::bail!("no agency admin signs in as `{agency}`"),
            };
            let (record, token) = server::api_tokens::create(
                &*store,
                admin.role.agency_id(),
                name,
                (admin.id, &admin.login),
                app::i18n::Lang::En,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.into_app_error().message(app::i18n::Lang::En)))?;
            eprintln!(
                "token \"{}\" ({}) for {agency}'s agency; shown this once:",
                record.name, record.id
            );
            println!("{token}");
            Ok(())
        }
        Some(Command::Regenerate { agency }) => {
            let (store, _) = open_store(&cli).await?;
            let agency_id = agency_of(&store, agency).await?;
            let mut queued = 0;
            for m in store.agency_merchants(agency_id).await? {
                if m.deleted_at.is_some() {
                    continue;
                }
                for site in store.merchant_sites(m.id).await? {
                    if site.deleted_at.is_some() {
                        continue;
                    }
                    let version = store.draft(site.id).await?.map_or(1, |d| d.version);
                    let kind = server::jobs::Kind::Regenerate { site_id: site.id };
                    let key = format!("regenerate:{}:{version}", site.id);
                    server::jobs::enqueue(&*store, agency_id, &kind, Some(key)).await?;
                    queued += 1;
                }
            }
            store.flush().await?;
            eprintln!(
                "queued {queued} package builds; `mpforge jobs --agency {agency}` shows them"
            );
            Ok(())
        }
        Some(Command::Jobs { agency, limit }) => {
            let (store, _) = open_store(&cli).await?;
            let agency_id = agency_of(&store, agency).await?;
            for job in store.agency_jobs(agency_id, *limit).await? {
                println!(
                    "{}  {:<10} {:<8} tries {}/{}  {}",
                    job.id,
                    job.kind,
                    job.state.name(),
                    job.attempts,
                    job.max_attempts,
                    job.last_error
                        .or_else(|| job.result.map(|r| r.to_string()))
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}

/// The agency whose admin signs in as `login`.
async fn agency_of(store: &SharedStore, login: &str) -> anyhow::Result<ulid::Ulid> {
    match server::accounts::find_login(&**store, login).await? {
        Some(u) if matches!(u.role, server::storage::StoredRole::AgencyAdmin { .. }) => {
            Ok(u.role.agency_id())
        }
        _ => anyhow::bail!("no agency admin signs in as `{login}`"),
    }
}

fn describe_counts(counts: &server::storage::Counts) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Opens the store `--store` names (creating the embedded one if needed; sled's lock makes a
/// second process fail here) and the blob store beside it.
async fn open_store(cli: &Cli) -> anyhow::Result<(SharedStore, Blobs)> {
    let spec = cli.store_spec();
    let embedded = !spec.contains("://");
    if embedded {
        let dir = spec.strip_prefix("sled:").unwrap_or(&spec);
        let dir = std::path::Path::new(dir);
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating data directory {}", dir.display()))?;
        let store = server::storage::embedded::SledStore::open(dir).with_context(|| {
            format!(
                "opening the data in {} (is another mpforge using it?)",
                dir.display()
            )
        })?;
        let blobs = match &cli.blobs {
            Some(b) => Blobs::open(b)?,
            None => Blobs::in_sled(&store)?,
        };
        return Ok((std::sync::Arc::new(store), blobs));
    }
    if !(spec.starts_with("postgres://") || spec.starts_with("postgresql://")) {
        anyhow::bail!(
            "`--store {spec}` is not a store: use sled:DIR or postgres://USER@HOST:PORT/DB"
        );
    }
    let Some(blob_spec) = &cli.blobs else {
        anyhow::bail!(
            "a PostgreSQL store needs a shared blob store: add --blobs s3://BUCKET?endpoint=URL or --blobs file://DIR"
        );
    };
    let blobs = Blobs::open(blob_spec)?;
    let store = server::storage::postgres::PgStore::connect(&spec).await?;
    Ok((std::sync::Arc::new(store), blobs))
}

async fn serve(
    cli: &Cli,
    store: SharedStore,
    blobs: Blobs,
    started: Instant,
) -> anyhow::Result<()> {
    if store.is_empty().await? && !cli.no_demo {
        let logins = server::seed::seed_demo(&store, &blobs)
            .await
            .map_err(|e| anyhow::anyhow!("creating demo data: {e}"))?;
        server::seed::print_demo_logins(&logins);
    }
    let options = server::leptos_options(&cli.site_root, cli.addr);
    let mut state = server::AppState::new(options, store.clone(), blobs, cli.secure_cookies())
        .await
        .context("reading the server's secrets from the store")?;
    state.public_origin = cli
        .public_url
        .as_deref()
        .and_then(server::http::session::origin_of);
    state.media_quota = cli.media_quota_mb * 1024 * 1024;
    state.api_rate = std::sync::Arc::new(server::http::api::ApiRate::per_second(cli.api_rate));
    let mut state = state.with_wx(server::wechat::tokens::Wx {
        client: wechat_client(cli)?,
        sbox: server::sealed::SecretBox::load_or_create(&cli.secret_key_path())?,
        public_url: cli.public_base(),
    });
    state.throttle = std::sync::Arc::new(server::auth::Throttle::logins(
        cli.login_free_attempts,
        std::time::Duration::from_secs(cli.login_delay_secs),
    ));
    state.proxies = std::sync::Arc::new(server::proxies::TrustedProxies::new(
        cli.trusted_proxies.clone(),
    ));
    tokio::spawn(server::jobs::run_workers(
        state.clone(),
        cli.workers,
        std::time::Duration::from_secs(cli.job_lease_secs),
    ));
    let router = server::app(state.clone());
    let listener = tokio::net::TcpListener::bind(cli.addr)
        .await
        .with_context(|| format!("listening on {}", cli.addr))?;
    tracing::info!(
        "mpforge listening on http://{} (store: {}; blobs: {}; ready in {} ms)",
        cli.addr,
        state.store.describe(),
        state.blobs.describe(),
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

fn wechat_client(cli: &Cli) -> anyhow::Result<server::wechat::client::Client> {
    for (flag, value) in [
        ("--wechat-api-base", &cli.wechat_api_base),
        ("--wechat-open-base", &cli.wechat_open_base),
    ] {
        let ok = url::Url::parse(value).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        anyhow::ensure!(ok, "`{flag} {value}` is not an http(s) URL");
    }
    Ok(server::wechat::client::Client::new(
        &cli.wechat_api_base,
        &cli.wechat_open_base,
    ))
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
