//! `/agency/import`: merchants from a CSV pasted into a form (or read into it from a file by
//! `public/csv-file.js`). `mode=check` lists every row's problems and creates nothing;
//! `mode=import` checks again and creates every row when none has a problem; the passwords
//! come back as a file downloadable once (`/agency/import/{token}.csv`).
use super::pages::{field, render};
use crate::import;
use crate::state::AppState;
use crate::tenancy::{require_agency_admin, signed_in};
use app::components::outcome::FormOutcome;
use app::error::AppError;
use app::model::SessionInfo;
use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agency/import", post(submit))
        .route("/agency/import/{file}", get(download))
}

async fn submit(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Some(user) = parts
        .extensions
        .get::<SessionInfo>()
        .and_then(|s| s.user.clone())
    else {
        return axum::response::Redirect::to("/login").into_response();
    };
    let Ok(bytes) = to_bytes(body, super::limits::IMPORT_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let lang = user.lang;
    let agency = match require_agency_admin(&user) {
        Ok(a) => a,
        Err(e) => return render(&state, parts, FormOutcome::refused(e, &form)).await,
    };
    let text = field(&form, "csv");
    let store = &*state.store;
    let refuse = |message: String| FormOutcome::Refused {
        error: AppError::invalid("csv", message),
        values: vec![("csv".into(), text.clone())],
    };
    let (rows, views) = match import::check(store, &text, lang).await {
        Ok(checked) => checked,
        Err(why) => return render(&state, parts, refuse(why)).await,
    };
    let blocked = views.iter().any(|v| !v.problems.is_empty());
    if field(&form, "mode") != "import" || blocked {
        // A refused import is a check: nothing was created, every problem is listed.
        return render(
            &state,
            parts,
            FormOutcome::ImportChecked { rows: views, text },
        )
        .await;
    }
    let (done, file) = import::run(store, &user, agency, rows).await;
    let token = crate::auth::random_token();
    if let Err(e) = state
        .blobs
        .put(&import::download_key(agency, &token), file.into_bytes())
        .await
    {
        return crate::error::Error::from(e).into_response();
    }
    let download = format!("/agency/import/{token}.csv");
    render(
        &state,
        parts,
        FormOutcome::Imported {
            rows: done,
            download,
        },
    )
    .await
}

/// The passwords of an import, once: the file is gone after it is read.
async fn download(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(file): Path<String>,
) -> crate::error::Result<Response> {
    let who = signed_in(&session)?;
    let agency = require_agency_admin(who)?;
    let token = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    let key = import::download_key(agency, token);
    let bytes = state.blobs.get(&key).await?.ok_or(AppError::NotFound)?;
    state.blobs.delete(&key).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"mpforge-merchant-passwords.csv\""),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}
