//! The `/api/v1` routes. Each handler checks ids with the same tenancy functions as the pages
//! (another agency's id is 404) and calls the same domain functions.
use super::{ApiError, ApiResult, Body, Caller};
use crate::api_tokens;
use crate::batches::{self, Action, Batch};
use crate::publish::{self, connect};
use crate::state::AppState;
use crate::tenancy::visible_site;
use app::api::rest::SaveDraft;
use app::api::{Backend, NewMerchant, NewSite};
use app::error::AppError;
use app::i18n::Lang;
use app::model::site::Site;
use app::model::{SessionInfo, ThemeKind};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use ulid::Ulid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/merchants", get(merchants).post(create_merchant))
        .route(
            "/merchants/{id}/sites",
            get(merchant_sites).post(create_site),
        )
        .route("/sites/{id}", get(site).put(put_site))
        .route("/sites/{id}/export", get(export))
        .route("/sites/{id}/wechat/connect", post(wechat_connect))
        .route("/sites/{id}/publish", post(publish_one))
        .route("/sites/{id}/status", get(status))
        .route("/sites/{id}/release", post(release))
        .route("/sites/{id}/rollback", post(rollback))
        .route("/sites/{id}/versions", get(versions))
        .route("/sites/{id}/qr", get(qr))
        .route("/publish", post(publish_many))
        .route("/bulk", post(bulk))
        .route("/jobs", get(jobs))
        .route("/jobs/{id}", get(job))
        .route("/jobs/{id}/cancel", post(cancel_job))
        .route("/jobs/{id}/report.csv", get(job_report))
        .route("/jobs/{id}/packages.zip", get(job_packages))
        .route("/tokens", get(tokens))
}

type Who = Extension<Caller>;

fn err(c: &Caller) -> impl Fn(crate::error::Error) -> ApiError + '_ {
    move |e| ApiError::from_error(e, c.lang())
}

fn app_err(c: &Caller) -> impl Fn(AppError) -> ApiError + '_ {
    move |e| ApiError::app(e, c.lang())
}

async fn note(state: &AppState, c: &Caller, site: Option<Ulid>, action: &str, detail: String) {
    let entry = crate::storage::AuditEntry {
        id: crate::storage::tree::new_id(),
        agency_id: c.agency(),
        user_id: Some(c.token.created_by),
        merchant_id: None,
        site_id: site,
        action: action.into(),
        detail: format!(
            "API token “{}”{}{detail}",
            c.token.name,
            if detail.is_empty() { "" } else { ": " }
        ),
        at: crate::storage::now_rfc3339(),
    };
    if let Err(e) = state.store.append_audit(&entry).await {
        tracing::warn!(error = %e, "audit entry not written");
    }
}

async fn merchants(State(state): State<AppState>, Extension(c): Who) -> ApiResult<Json<Value>> {
    let list = state
        .backend
        .list_merchants(&c.user)
        .await
        .map_err(app_err(&c))?;
    Ok(Json(json!({ "merchants": list })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMerchantBody {
    name: String,
    login: String,
    #[serde(default)]
    password: Option<String>,
}

async fn create_merchant(
    State(state): State<AppState>,
    Extension(c): Who,
    Body(b): Body<NewMerchantBody>,
) -> ApiResult<Response> {
    let created = state
        .backend
        .create_merchant(
            &c.user,
            NewMerchant {
                name: b.name,
                login: b.login,
                password: b.password.unwrap_or_default(),
            },
        )
        .await
        .map_err(app_err(&c))?;
    note(
        &state,
        &c,
        None,
        "merchant_created",
        created.merchant.login.clone(),
    )
    .await;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "merchant": created.merchant,
            "password": created.generated_password,
        })),
    )
        .into_response())
}

async fn merchant_sites(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let home = state
        .backend
        .merchant_home(&c.user, &id)
        .await
        .map_err(app_err(&c))?;
    Ok(Json(json!({ "sites": home.sites })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSiteBody {
    name: String,
    template: ThemeKind,
    #[serde(default)]
    locale: Option<Lang>,
}

async fn create_site(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
    Body(b): Body<NewSiteBody>,
) -> ApiResult<Response> {
    let summary = state
        .backend
        .create_site(
            &c.user,
            &id,
            NewSite {
                name: b.name,
                template: b.template,
                locale: b.locale.unwrap_or(c.lang()),
            },
        )
        .await
        .map_err(app_err(&c))?;
    Ok((StatusCode::CREATED, Json(json!(summary))).into_response())
}

async fn site(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let d = crate::sites::draft_view(&*state.store, &c.user, &id)
        .await
        .map_err(err(&c))?;
    Ok(Json(json!({"version": d.version, "site": d.site})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PutSite {
    base_version: u64,
    site: Box<serde_json::value::RawValue>,
}

async fn put_site(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
    Body(b): Body<PutSite>,
) -> ApiResult<Json<Value>> {
    let lang = c.lang();
    // Tenancy first: another agency's id is not found, whatever the body says.
    visible_site(&*state.store, &c.user, &id)
        .await
        .map_err(app_err(&c))?;
    let invalid = |problems: Vec<app::model::validate::Problem>| {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_site",
            match lang {
                Lang::Zh => "站点有需要修改的地方,见 problems。",
                Lang::En => "The site has problems to fix: see problems.",
            },
        );
        e.problems = Some(problems);
        e
    };
    let site: Site =
        app::model::validate::parse_site(b.site.get().as_bytes(), lang).map_err(invalid)?;
    let problems = site.validate(lang);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let saved = crate::sites::save_draft(
        &*state.store,
        &c.user,
        &id,
        SaveDraft {
            base_version: b.base_version,
            site,
        },
    )
    .await
    .map_err(err(&c))?;
    // The save notes itself in the audit log (an agency user editing a merchant's site).
    Ok(Json(json!({"version": saved.version})))
}

async fn export(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    match crate::http::sites::export_zip(&state, &c.user, &id)
        .await
        .map_err(err(&c))?
    {
        Ok(res) => Ok(res),
        Err((message, problems)) => {
            let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_site", message);
            e.problems = Some(problems);
            Err(e)
        }
    }
}

/// The site `id` of the caller's agency.
async fn own_site(state: &AppState, c: &Caller, id: &str) -> ApiResult<crate::storage::Site> {
    visible_site(&*state.store, &c.user, id)
        .await
        .map_err(app_err(c))
}

fn refused(c: &Caller, e: publish::PublishError) -> ApiError {
    let code = match &e {
        publish::PublishError::Refused(_) => "refused",
        publish::PublishError::WeChat(_) => "wechat",
        publish::PublishError::Store(_) => "internal",
    };
    let status = match &e {
        publish::PublishError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        publish::PublishError::WeChat(_) => StatusCode::BAD_GATEWAY,
        publish::PublishError::Refused(_) => StatusCode::CONFLICT,
    };
    let mut out = ApiError::new(status, code, e.message(c.lang()));
    if let publish::PublishError::WeChat(w) = &e {
        if let Some(errcode) = w.code() {
            out.field = Some(format!("errcode {errcode}"));
        }
    }
    out
}

async fn wechat_connect(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = own_site(&state, &c, &id).await?;
    let url = async {
        let p = publish::platform_of(&state, c.agency()).await?;
        connect::start(&state, &p, site.id).await
    }
    .await
    .map_err(|e| refused(&c, e))?;
    Ok(Json(json!({ "authorize_url": url })))
}

async fn job_started(
    state: &AppState,
    c: &Caller,
    action: Action,
    ids: &[String],
) -> ApiResult<Response> {
    if ids.is_empty() || ids.len() > batches::MAX_ITEMS {
        return Err(ApiError::app(
            AppError::invalid(
                "site_ids",
                match c.lang() {
                    Lang::Zh => format!("请列出 1 至 {} 个站点。", batches::MAX_ITEMS),
                    Lang::En => format!("List 1 to {} sites.", batches::MAX_ITEMS),
                },
            ),
            c.lang(),
        ));
    }
    let mut sites = Vec::new();
    for id in ids {
        let s = own_site(state, c, id).await?;
        sites.push((s.id, s.name));
    }
    let name = action.name();
    let b = batches::start(&*state.store, c.agency(), action, sites, &c.user.login)
        .await
        .map_err(|e| ApiError::from_error(e.into(), c.lang()))?;
    note(
        state,
        c,
        None,
        &format!("bulk_{name}"),
        format!("{} sites, job {}", b.items.len(), b.id),
    )
    .await;
    Ok((StatusCode::ACCEPTED, Json(json!({"job_id": b.id}))).into_response())
}

async fn publish_one(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    job_started(&state, &c, Action::Publish, &[id]).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteIds {
    site_ids: Vec<String>,
}

async fn publish_many(
    State(state): State<AppState>,
    Extension(c): Who,
    Body(b): Body<SiteIds>,
) -> ApiResult<Response> {
    job_started(&state, &c, Action::Publish, &b.site_ids).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkBody {
    action: String,
    site_ids: Vec<String>,
    #[serde(default)]
    theme: Option<batches::ThemeChange>,
}

/// `POST /api/v1/bulk {action, site_ids, theme?}`: publish, release, rollback, regenerate or
/// theme on many sites as one job.
async fn bulk(
    State(state): State<AppState>,
    Extension(c): Who,
    Body(b): Body<BulkBody>,
) -> ApiResult<Response> {
    let lang = c.lang();
    let action = match (b.action.as_str(), b.theme) {
        ("publish", None) => Action::Publish,
        ("release", None) => Action::Release,
        ("rollback", None) => Action::Rollback,
        ("regenerate", None) => Action::Regenerate,
        ("export", None) => Action::Export,
        ("theme", Some(t)) => {
            t.check(lang).map_err(app_err(&c))?;
            let has_logo = crate::brand::settings(&*state.store, c.agency())
                .await
                .map_err(|e| ApiError::from_error(e.into(), lang))?
                .is_some_and(|s| s.logo.is_some());
            if t.logo && !has_logo {
                return Err(ApiError::app(
                    AppError::invalid(
                        "theme.logo",
                        match lang {
                            Lang::Zh => "服务商还没有标志:请先在品牌设置中上传。",
                            Lang::En => "The agency has no logo yet: add it under White label first.",
                        },
                    ),
                    lang,
                ));
            }
            Action::Theme(t)
        }
        ("theme", None) => {
            return Err(ApiError::app(AppError::invalid("theme", match lang {
                Lang::Zh => "主题修改需要 theme 字段。",
                Lang::En => "A theme change needs the theme field.",
            }), lang))
        }
        (_, Some(_)) if ["publish", "release", "rollback", "regenerate", "export"].contains(&b.action.as_str()) => {
            return Err(ApiError::app(AppError::invalid("theme", match lang {
                Lang::Zh => "只有 theme 操作使用 theme 字段。",
                Lang::En => "Only the theme action takes the theme field.",
            }), lang))
        }
        (other, _) => {
            return Err(ApiError::app(AppError::invalid("action", match lang {
                Lang::Zh => format!("未知操作“{other}”:可用 publish、release、rollback、regenerate、export、theme。"),
                Lang::En => format!("Unknown action “{other}”: use publish, release, rollback, regenerate, export or theme."),
            }), lang))
        }
    };
    job_started(&state, &c, action, &b.site_ids).await
}

pub fn job_json(b: &Batch, lang: Lang) -> Value {
    json!(b.view(lang))
}

async fn job(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let b = batches::of_agency(&*state.store, c.agency(), &id)
        .await
        .map_err(err(&c))?;
    Ok(Json(job_json(&b, c.lang())))
}

async fn jobs(State(state): State<AppState>, Extension(c): Who) -> ApiResult<Json<Value>> {
    let list = batches::list(&*state.store, c.agency(), 50)
        .await
        .map_err(|e| ApiError::from_error(e.into(), c.lang()))?;
    let list: Vec<Value> = list
        .iter()
        .map(|b| {
            let mut v = job_json(b, c.lang());
            v.as_object_mut().map(|o| o.remove("items"));
            v
        })
        .collect();
    Ok(Json(json!({ "jobs": list })))
}

async fn cancel_job(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let b = batches::cancel(&*state.store, c.agency(), &id)
        .await
        .map_err(err(&c))?;
    note(&state, &c, None, "bulk_cancelled", format!("job {}", b.id)).await;
    Ok(Json(job_json(&b, c.lang())))
}

async fn job_report(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let b = batches::of_agency(&*state.store, c.agency(), &id)
        .await
        .map_err(err(&c))?;
    Ok(super::csv_download(&b, c.lang()))
}

async fn status(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = own_site(&state, &c, &id).await?;
    let store = &*state.store;
    let conn = crate::wechat::platform::connection(store, site.id)
        .await
        .map_err(|e| ApiError::from_error(e.into(), c.lang()))?;
    let (ps, _) = publish::load(store, site.id)
        .await
        .map_err(|e| ApiError::from_error(e.into(), c.lang()))?;
    let run = ps.run.as_ref();
    Ok(Json(json!({
        "site_id": site.id,
        "name": site.name,
        "connected": conn.as_ref().is_some_and(|c| c.connected),
        "appid": conn.as_ref().map(|c| c.appid.clone()),
        "mini_program": conn.as_ref().map(|c| c.nick_name.clone()),
        "live_version": ps.live.as_ref().map(|l| l.version),
        "live_user_version": ps.live.as_ref().map(|l| l.user_version.clone()),
        "released_at": ps.live.as_ref().map(|l| l.released_at.clone()),
        "review": run.map(|r| r.review),
        "reason": run.map(|r| r.reason.clone()).filter(|r| !r.is_empty()),
        "publishing": run.is_some_and(|r| r.is_active() && r.review == app::model::publish::Review::NotSubmitted),
        "version": run.map(|r| r.version).filter(|v| *v > 0),
        "error": run.and_then(|r| r.error.as_ref()).map(|e| e.get(c.lang()).to_string()),
        "errcode": run.and_then(|r| r.errcode),
    })))
}

async fn release(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = own_site(&state, &c, &id).await?;
    let r = publish::release(&state, c.agency(), site.id, &c.user.login).await;
    note(
        &state,
        &c,
        Some(site.id),
        "publish_release",
        r.as_ref()
            .err()
            .map(|e| e.message(Lang::En))
            .unwrap_or_default(),
    )
    .await;
    r.map_err(|e| refused(&c, e))?;
    let (ps, _) = publish::load(&*state.store, site.id)
        .await
        .map_err(|e| ApiError::from_error(e.into(), c.lang()))?;
    Ok(Json(json!({"live_version": ps.live.map(|l| l.version)})))
}

async fn rollback(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = own_site(&state, &c, &id).await?;
    let r = publish::rollback(&state, c.agency(), site.id, &c.user.login).await;
    note(
        &state,
        &c,
        Some(site.id),
        "publish_rollback",
        r.as_ref()
            .err()
            .map(|e| e.message(Lang::En))
            .unwrap_or_default(),
    )
    .await;
    let v = r.map_err(|e| refused(&c, e))?;
    Ok(Json(json!({"live_version": v})))
}

async fn versions(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let site = own_site(&state, &c, &id).await?;
    let list = publish::versions::list(&*state.store, site.id)
        .await
        .map_err(|e| ApiError::from_error(e.into(), c.lang()))?;
    let list: Vec<_> = list.iter().map(|v| v.view()).collect();
    Ok(Json(json!({ "versions": list })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QrParams {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    size: Option<u32>,
    #[serde(default)]
    logo: Option<String>,
    #[serde(default)]
    color: Option<String>,
    #[serde(default)]
    transparent: Option<String>,
}

async fn qr(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
    Query(q): Query<QrParams>,
) -> ApiResult<Response> {
    let lang = c.lang();
    let kind = q.kind.as_deref().unwrap_or("link");
    let format = q.format.as_deref().unwrap_or("png");
    if !["link", "official", "trial", "card"].contains(&kind) {
        return Err(ApiError::app(
            AppError::invalid(
                "kind",
                match lang {
                    Lang::Zh => "kind 为 link、official、trial 或 card。",
                    Lang::En => "kind is link, official, trial or card.",
                },
            ),
            lang,
        ));
    }
    if !["png", "svg"].contains(&format) {
        return Err(ApiError::app(
            AppError::invalid(
                "format",
                match lang {
                    Lang::Zh => "format 为 png 或 svg。",
                    Lang::En => "format is png or svg.",
                },
            ),
            lang,
        ));
    }
    let session = SessionInfo {
        user: Some(c.user.clone()),
        csrf: String::new(),
        lang,
        brand: None,
    };
    let query = crate::http::qr::QrQuery {
        size: q.size,
        logo: q.logo,
        color: q.color,
        transparent: q.transparent,
    };
    crate::http::qr::site_qr(
        State(state),
        Extension(session),
        Path((id, format!("{kind}.{format}"))),
        Query(query),
    )
    .await
    .map_err(err(&c))
}

/// The caller's agency's tokens (never a token itself).
async fn tokens(State(state): State<AppState>, Extension(c): Who) -> ApiResult<Json<Value>> {
    let list = api_tokens::list(&*state.store, c.agency())
        .await
        .map_err(|e| ApiError::from_error(e.into(), c.lang()))?;
    let list: Vec<Value> = list
        .iter()
        .map(|t| {
            json!({"id": t.id, "name": t.name, "created_at": t.created_at,
                   "created_by": t.created_by_login, "last_used_at": t.last_used_at,
                   "revoked_at": t.revoked_at})
        })
        .collect();
    Ok(Json(json!({ "tokens": list })))
}

async fn job_packages(
    State(state): State<AppState>,
    Extension(c): Who,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    crate::http::bulk::packages_of(&state, c.agency(), &id)
        .await
        .map_err(err(&c))
}
