//! Uploading an image to a site and serving it back to the editor's preview.
use crate::error::Result;
use crate::media;
use crate::starter_art;
use crate::state::AppState;
use crate::tenancy::{signed_in, visible_site};
use crate::uploads;
use app::api::rest::Uploaded;
use app::error::AppError;
use app::i18n::{Lang, Text};
use app::model::SessionInfo;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use sha2::{Digest, Sha256};

/// `bytes` as megabytes with one decimal, as a merchant reads a size.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/sites/{id}/media", post(upload))
        .route("/api/sites/{id}/media/{hash}", get(media_file))
        .route("/templates/art/{name}", get(art_file))
}

/// Preview images come from the media store through this site's URL; the starters' drawn
/// pictures from their public one.
pub fn media_url(site_id: &str) -> impl Fn(&str) -> Option<String> + '_ {
    move |reference: &str| {
        if let Some(url) = art_url(reference) {
            return Some(url);
        }
        let hash = reference.strip_prefix("media/")?;
        (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| format!("/api/sites/{site_id}/media/{hash}"))
    }
}

/// The public URL of a starter's picture (`art/latte` → `/templates/art/latte`).
pub fn art_url(reference: &str) -> Option<String> {
    let name = reference.strip_prefix(starter_art::PREFIX)?;
    name.bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'-')
        .then(|| format!("/templates/{reference}"))
}

/// A starter's picture: public, like the starters (nobody's data), and never changing within
/// a release.
async fn art_file(Path(name): Path<String>) -> Result<Response> {
    // Drawn on first use (a tenth of a second or two): off the async workers.
    let reference = format!("{}{name}", starter_art::PREFIX);
    let bytes = tokio::task::spawn_blocking(move || starter_art::picture(&reference))
        .await
        .map_err(|_| AppError::Internal)?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
        .into_response())
}

async fn upload(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Uploaded>> {
    let who = signed_in(&session)?;
    let lang = who.lang;
    let site = visible_site(&*state.store, who, &id).await?;
    // Counted before any work: a script cannot keep the image workers busy for one merchant.
    if let Err(wait) = state
        .upload_rate
        .reserve(&*state.store, &site.merchant_id.to_string(), None)
        .await?
    {
        let minutes = crate::http::session::minutes_to_wait(wait);
        tracing::warn!(merchant = %site.merchant_id, "upload rate reached");
        return Err(AppError::Busy(lang.fill(Text::ErrUploadRate, &[("minutes", minutes)])).into());
    }
    let bytes = body.to_vec();
    // Decoding (bounded, a few at once) proves it is a usable image; what is kept is its
    // pixels, re-encoded, with no metadata (no GPS position).
    let cleaned = state
        .image_work
        .run(move || media::clean_original(&bytes))
        .await
        .map_err(|_| AppError::Busy(lang.t(Text::ErrBusyWork).into()))?;
    let (bytes, width, height) =
        cleaned.map_err(|e| AppError::invalid("image", Lang::sentence(&e.message(lang))))?;
    let hash = hex::encode(Sha256::digest(&bytes));
    let room = uploads::make_room(
        &*state.store,
        &state.blobs,
        site.merchant_id,
        &hash,
        bytes.len() as u64,
        state.media_quota,
    )
    .await?;
    if let uploads::Room::Full { used, quota } = room {
        let message = lang.fill(
            Text::ErrMediaQuota,
            &[("used", megabytes(used)), ("quota", megabytes(quota))],
        );
        return Err(AppError::conflict("image", message).into());
    }
    uploads::keep(&*state.store, &state.blobs, site.merchant_id, &hash, bytes).await?;
    state.store.flush().await?;
    Ok(Json(Uploaded {
        reference: format!("media/{hash}"),
        width,
        height,
    }))
}

async fn media_file(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path((id, hash)): Path<(String, String)>,
) -> Result<Response> {
    let who = signed_in(&session)?;
    let site = visible_site(&*state.store, who, &id).await?;
    // Only the site's merchant's own images: another's hash is not found, like a missing one.
    let bytes = uploads::fetch(&*state.store, &state.blobs, site.merchant_id, &hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let mime = match bytes.get(..4) {
        Some([0x89, b'P', b'N', b'G']) => "image/png",
        Some([b'G', b'I', b'F', _]) => "image/gif",
        Some([b'R', b'I', b'F', b'F']) => "image/webp",
        _ => "image/jpeg",
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=31536000, immutable"),
            ),
        ],
        bytes,
    )
        .into_response())
}
