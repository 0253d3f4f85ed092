//! mpforge's server: HTTP, storage, accounts and the mini program generator.
#![recursion_limit = "256"]
pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod backend;
pub mod batches;
pub mod brand;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod error;
pub mod gate;
pub mod generator;
pub mod http;
pub mod import;
pub mod jobs;
pub mod media;
pub mod mp;
pub mod preview;
pub mod proxies;
pub mod publish;
pub mod qr;
pub mod sealed;
pub mod seed;
pub mod sites;
pub mod starter_art;
pub mod state;
pub mod storage;
pub mod team;
pub mod tenancy;
pub mod uploads;
pub mod wechat;

pub use http::app;
pub use state::AppState;

/// Leptos options built from our own config, so the binary runs with or without cargo-leptos.
/// A release build's hash file in the site root turns on hashed asset names.
pub fn leptos_options(
    site_root: &str,
    addr: std::net::SocketAddr,
) -> leptos::prelude::LeptosOptions {
    let hash_file = http::assets::hash_file(site_root);
    leptos::prelude::LeptosOptions::builder()
        .output_name("mpforge")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(hash_file.is_some())
        .hash_file(
            hash_file
                .map(|p| p.to_string_lossy().into())
                .unwrap_or_else(|| http::assets::HASH_FILE.into()),
        )
        .build()
}
