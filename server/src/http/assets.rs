//! The built browser assets under `/pkg`: wasm, JS and CSS as `cargo leptos build --release`
//! leaves them, with content hashes in their names and brotli and gzip copies beside each.
//! Served as the precompressed copy the browser accepts, and cached for good: a new build
//! has new names. Without a hash file (a development build) they are revalidated instead.
use axum::http::{header, HeaderValue};
use axum::Router;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Written by cargo-leptos (`hash-file-name` in Cargo.toml) into the site root.
pub const HASH_FILE: &str = "hash.txt";

/// The hash file of a release build in `site_root`, if there is one.
pub fn hash_file(site_root: &str) -> Option<PathBuf> {
    let path = Path::new(site_root).join(HASH_FILE);
    path.is_file()
        .then(|| std::path::absolute(&path).unwrap_or(path))
}

/// The names the pages link to, read once at start.
pub fn names(options: &leptos::prelude::LeptosOptions) -> app::AssetNames {
    let pkg = &options.site_pkg_dir;
    let name = &options.output_name;
    let hash = options
        .hash_files
        .then(|| std::fs::read_to_string(&*options.hash_file).ok())
        .flatten()
        .and_then(|text| {
            text.lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(kind, _)| kind.trim() == "css")
                .map(|(_, hash)| hash.trim().to_string())
        });
    let css = match hash {
        Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
        None => format!("/{pkg}/{name}.css"),
    };
    app::AssetNames { css }
}

/// `/pkg`: precompressed files, immutable when their names carry a hash.
pub fn routes<S: Clone + Send + Sync + 'static>(
    options: &leptos::prelude::LeptosOptions,
) -> Router<S> {
    let dir = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new().nest_service(
        &format!("/{}", options.site_pkg_dir),
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache),
            ))
            // One URL, several encodings: caches between must keep them apart.
            .layer(SetResponseHeaderLayer::overriding(
                header::VARY,
                HeaderValue::from_static("accept-encoding"),
            ))
            .service(files),
    )
}
