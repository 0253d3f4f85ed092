//! mpforge's server: HTTP, storage, accounts and the mini program generator.
#![recursion_limit = "256"]
pub mod accounts;
pub mod auth;
pub mod cli;
pub mod config;
pub mod data;
pub mod editor;
pub mod generator;
pub mod media;
pub mod seed;
pub mod store;
pub mod web;

pub use web::{app, AppState};

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
