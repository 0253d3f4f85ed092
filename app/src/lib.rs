//! mpforge's user interface (Leptos: every screen rendered on the server, the interactive parts
//! hydrated in the browser as islands) and the model types shared by the browser, the server
//! and the package generator.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod editor;
pub mod error;
pub mod i18n;
pub mod model;
pub mod routes;
mod shell;

pub use shell::{shell, App, AssetNames};

/// Browser entry point: attaches the Leptos runtime to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
