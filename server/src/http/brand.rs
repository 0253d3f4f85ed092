//! White-label settings: `POST /agency/brand` (name, colour, domain; a plain form),
//! `POST /agency/brand/logo` (the picture's bytes, from `public/brand-logo.js` with the
//! anti-CSRF header), and the logo itself at `/brand/{agency}/{hash}.png` for anyone.
use super::pages::{field, read, render};
use crate::brand;
use crate::error::Result;
use crate::state::AppState;
use crate::tenancy::{parse_id, require_agency_admin, signed_in};
use app::components::outcome::FormOutcome;
use app::error::AppError;
use app::model::SessionInfo;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agency/brand", post(save))
        .route("/agency/brand/logo", post(logo))
        .route("/brand/{agency}/{file}", get(serve_logo))
}

async fn save(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (user, form) = match read(&parts, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let agency = match require_agency_admin(&user) {
        Ok(a) => a,
        Err(e) => return render(&state, parts, FormOutcome::refused(e, &form)).await,
    };
    let saved = brand::save(
        &*state.store,
        agency,
        &field(&form, "name"),
        &field(&form, "color"),
        &field(&form, "domain"),
        user.lang,
    )
    .await;
    match saved {
        Ok(_) => {
            super::wechat::note(&state, &user, None, "brand_settings", "saved".into()).await;
            Redirect::to("/agency/brand?saved=1").into_response()
        }
        Err(e) => {
            render(
                &state,
                parts,
                FormOutcome::refused(e.into_app_error(), &form),
            )
            .await
        }
    }
}

async fn logo(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    body: Bytes,
) -> Result<Json<serde_json::Value>> {
    let who = signed_in(&session)?;
    let agency = require_agency_admin(who)?;
    let lang = who.lang;
    let input = body.to_vec();
    let png = state
        .image_work
        .run(move || brand::logo_png(&input))
        .await
        .map_err(|_| AppError::Busy(lang.t(app::i18n::Text::ErrBusyWork).into()))?
        .map_err(|e| AppError::invalid("logo", e.message(lang)))?;
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(&png));
    state
        .blobs
        .put(&brand::logo_key(agency, &hash), png)
        .await?;
    brand::set_logo(&*state.store, agency, &hash).await?;
    state.store.flush().await?;
    super::wechat::note(&state, who, None, "brand_settings", "logo".into()).await;
    Ok(Json(
        serde_json::json!({"logo": format!("/brand/{agency}/{hash}.png")}),
    ))
}

async fn serve_logo(
    State(state): State<AppState>,
    Path((agency, file)): Path<(String, String)>,
) -> Result<Response> {
    let agency = parse_id(&agency)?;
    let hash = file.strip_suffix(".png").ok_or(AppError::NotFound)?;
    if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::NotFound.into());
    }
    let bytes = state
        .blobs
        .get(&brand::logo_key(agency, hash))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(super::wechat::immutable("image/png", bytes))
}
