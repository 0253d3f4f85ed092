//! The dashboard's bulk actions (plain forms): act on the selected sites or on every site a
//! filter matches, as one durable job ([`crate::batches`]); the job's page polls its JSON, and
//! its report downloads as CSV.
use super::pages::{field, read};
use crate::batches::{self, Action, ThemeChange};
use crate::error::Result;
use crate::state::AppState;
use crate::tenancy::{require_agency_member, signed_in};
use app::error::AppError;
use app::i18n::Lang;
use app::model::dashboard::Query;
use app::model::{SessionInfo, UserView};
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agency/bulk", post(start))
        .route("/agency/jobs/{id}/cancel", post(cancel))
        .route("/agency/jobs/{id}/report.csv", get(report))
        .route("/agency/jobs/{id}/packages.zip", get(packages))
        .route("/api/agency/jobs/{id}", get(job))
}

fn tr(lang: Lang, en: &str, zh: &str) -> String {
    if lang == Lang::Zh { zh } else { en }.to_string()
}

/// Back to the dashboard with the filter it was on, saying why nothing started.
fn refused(query: &Query, error: &str) -> Response {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &query.q),
        ("state", &query.state),
        ("sort", &query.sort),
    ] {
        if !v.is_empty() {
            q.append_pair(k, v);
        }
    }
    q.append_pair("error", error);
    Redirect::to(&format!("/agency?{}", q.finish())).into_response()
}

fn theme_of(form: &[(String, String)], lang: Lang) -> std::result::Result<ThemeChange, String> {
    let text = |name: &str| {
        let v = field(form, name);
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    let number = |name: &str| -> std::result::Result<Option<f64>, String> {
        match text(name) {
            None => Ok(None),
            Some(v) => v.parse::<f64>().map(Some).map_err(|_| {
                tr(
                    lang,
                    &format!("{name}: “{v}” is not a number."),
                    &format!("{name}:“{v}”不是数字。"),
                )
            }),
        }
    };
    let radius = match number("radius")? {
        Some(r) if (0.0..=48.0).contains(&r) => Some(r.round() as u8),
        Some(_) => {
            return Err(tr(
                lang,
                "The corner radius is 0 to 48.",
                "圆角为 0 至 48。",
            ))
        }
        None => None,
    };
    let change = ThemeChange {
        primary: text("primary"),
        accent: text("accent"),
        background: text("background"),
        text: text("text"),
        radius,
        font_scale: number("font_scale")?.map(|f| f as f32),
        logo: field(form, "logo") == "1",
    };
    change.check(lang).map_err(|e| match e.field() {
        Some(f) => format!("{f}: {}", e.message(lang)),
        None => e.message(lang),
    })?;
    Ok(change)
}

pub(super) async fn has_logo(
    store: &dyn crate::storage::Store,
    agency: ulid::Ulid,
) -> Result<bool> {
    Ok(crate::brand::settings(store, agency)
        .await?
        .is_some_and(|s| s.logo.is_some()))
}

/// `POST /agency/bulk`: `action`, and `site` (repeated) or `all=1` with the filter's `q`,
/// `state` and `sort`; a theme change's values beside.
async fn start(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (user, form) = match read(&parts, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    match start_bulk(&state, &user, &form).await {
        Ok(Ok(id)) => Redirect::to(&format!("/agency/jobs/{id}")).into_response(),
        Ok(Err((query, why))) => refused(&query, &why),
        Err(e) => e.into_response(),
    }
}

type Started = std::result::Result<String, (Query, String)>;

async fn start_bulk(
    state: &AppState,
    user: &UserView,
    form: &[(String, String)],
) -> Result<Started> {
    let agency = require_agency_member(user)?;
    let lang = user.lang;
    let store = &*state.store;
    let query = Query {
        q: field(form, "q"),
        state: field(form, "state"),
        sort: field(form, "sort"),
        page: None,
    };
    let action = match field(form, "action").as_str() {
        "publish" => Action::Publish,
        "release" => Action::Release,
        "rollback" => Action::Rollback,
        "regenerate" => Action::Regenerate,
        "export" => Action::Export,
        "theme" => match theme_of(form, lang) {
            Ok(t) if t.logo && !has_logo(store, agency).await? => {
                let why = tr(
                    lang,
                    "Your agency has no logo yet: add it under White label first.",
                    "服务商还没有标志:请先在品牌设置中上传。",
                );
                return Ok(Err((query, why)));
            }
            Ok(t) => Action::Theme(t),
            Err(why) => return Ok(Err((query, why))),
        },
        _ => {
            let why = tr(
                lang,
                "Choose what to do with the sites.",
                "请选择要对网站执行的操作。",
            );
            return Ok(Err((query, why)));
        }
    };
    let rows = crate::dashboard::rows(store, agency).await?;
    let chosen: Vec<(ulid::Ulid, String)> = if field(form, "all") == "1" {
        query
            .select(rows)
            .into_iter()
            .filter_map(|r| Some((r.site_id.parse().ok()?, r.site_name)))
            .collect()
    } else {
        let picked: std::collections::HashSet<String> = form
            .iter()
            .filter(|(k, _)| k == "site")
            .map(|(_, v)| v.clone())
            .collect();
        // Only the agency's own rows can be chosen: an id of another agency is not among
        // them, whatever the form says.
        rows.into_iter()
            .filter(|r| picked.contains(&r.site_id))
            .filter_map(|r| Some((r.site_id.parse().ok()?, r.site_name)))
            .collect()
    };
    if chosen.is_empty() {
        let why = tr(lang, "Select at least one site.", "请至少选择一个网站。");
        return Ok(Err((query, why)));
    }
    let name = action.name();
    let b = batches::start(store, agency, action, chosen, &user.login).await?;
    super::wechat::note(
        state,
        user,
        None,
        &format!("bulk_{name}"),
        format!("{} sites, job {}", b.items.len(), b.id),
    )
    .await;
    Ok(Ok(b.id.to_string()))
}

async fn cancel(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> Result<Response> {
    let who = signed_in(&session)?;
    let b = batches::cancel(&*state.store, require_agency_member(who)?, &id).await?;
    super::wechat::note(&state, who, None, "bulk_cancelled", format!("job {}", b.id)).await;
    Ok(Redirect::to(&format!("/agency/jobs/{id}")).into_response())
}

async fn report(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> Result<Response> {
    let (who, b) = job_of(&state, &session, &id).await?;
    Ok(super::api::csv_download(&b, who.lang))
}

/// Job `id` of the signed-in agency user's agency (another agency's is not found).
async fn job_of<'s>(
    state: &AppState,
    session: &'s SessionInfo,
    id: &str,
) -> Result<(&'s UserView, batches::Batch)> {
    let who = signed_in(session)?;
    let b = batches::of_agency(&*state.store, require_agency_member(who)?, id).await?;
    Ok((who, b))
}

/// `GET /api/agency/jobs/{id}`: the job page polls this while the job runs.
async fn job(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> Result<Json<app::model::dashboard::JobView>> {
    let (who, b) = job_of(&state, &session, &id).await?;
    Ok(Json(b.view(who.lang)))
}

/// `GET /agency/jobs/{id}/packages.zip`: an export's packages in one zip.
async fn packages(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> Result<Response> {
    let who = signed_in(&session)?;
    let agency = require_agency_member(who)?;
    packages_of(&state, agency, &id).await
}

pub(crate) async fn packages_of(
    state: &AppState,
    agency: ulid::Ulid,
    id: &str,
) -> Result<Response> {
    let b = batches::of_agency(&*state.store, agency, id).await?;
    let key = b.download.ok_or(AppError::NotFound)?;
    let bytes = state.blobs.get(&key).await?.ok_or(AppError::NotFound)?;
    let name = format!("attachment; filename=\"mpforge-export-{}.zip\"", b.id);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/zip"),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                axum::http::HeaderValue::from_str(&name)
                    .unwrap_or(axum::http::HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response())
}
