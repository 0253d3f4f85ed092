//! mpforge's server: HTTP, storage, accounts and the mini program generator.
#![recursion_limit = "256"]
pub mod accounts;
pub mod auth;
pub mod backend;
pub mod cli;
pub mod config;
pub mod error;
pub mod generator;
pub mod http;
pub mod media;
pub mod preview;
pub mod seed;
pub mod sites;
pub mod state;
pub mod storage;
pub mod tenancy;

pub use http::app;
pub use state::AppState;

/// Leptos options built from our own config, so the binary runs with or without cargo-leptos.
pub fn leptos_options(
    site_root: &str,
    addr: std::net::SocketAddr,
) -> leptos::prelude::LeptosOptions {
    leptos::prelude::LeptosOptions::builder()
        .output_name("mpforge")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}
