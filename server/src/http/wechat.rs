//! WeChat routes: the platform's push endpoints (no cookies, no CSRF token: each push is
//! verified by its signature, decrypted and checked for its receiver and age instead), the way
//! back from the authorization page, the publish actions behind the publish screen, QR codes,
//! and the public side of a site: `/s/{site}` (its H5 version, what the link QR code opens)
//! and `/i/{name}` (its pictures at their content address).
use crate::error::Result;
use crate::publish::{self, connect, pipeline, PublishError};
use crate::state::AppState;
use crate::tenancy::{require_agency_admin, require_publisher, signed_in, visible_site};
use crate::wechat::crypto::{CryptError, MsgCrypt};
use crate::wechat::platform::{self, Platform, PlatformInput};
use app::error::AppError;
use app::i18n::Lang;
use app::model::publish::Review;
use app::model::{SessionInfo, UserView};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use std::collections::HashMap;
use ulid::Ulid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/wechat/{component}/events", post(component_events))
        .route("/wechat/{component}/{appid}/events", post(app_events))
        .route("/sites/{id}/wechat/callback", get(callback))
        .route("/sites/{id}/wechat/connect", get(start_connect))
        .route("/sites/{id}/publish/{action}", post(publish_action))
        .route("/sites/{id}/versions/{n}/restore", post(restore))
        .route("/api/sites/{id}/publish", get(publish_state))
        .route("/sites/{id}/qr/{file}", get(super::qr::site_qr))
        .route("/agency/wechat", post(save_platform))
        .route("/agency/wechat/link-rules", post(link_rules))
        .route("/s/{id}", get(super::qr::public_site))
        .route("/s/{id}/{page}", get(super::qr::public_page))
        .route("/i/{name}", get(super::qr::public_image))
}

#[derive(Deserialize)]
struct PushQuery {
    #[serde(default)]
    timestamp: String,
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    msg_signature: String,
}

/// Why a push was refused: a 4xx and nothing changed.
fn refuse(status: StatusCode, why: &str) -> Response {
    tracing::warn!(%status, why, "push refused");
    (status, why.to_string()).into_response()
}

/// The decrypted XML of a push, or why it is refused (a 4xx: nothing changes).
fn open_push(
    p: &Platform,
    q: &PushQuery,
    body: &[u8],
) -> std::result::Result<String, (StatusCode, &'static str)> {
    let ts: i64 = q
        .timestamp
        .parse()
        .map_err(|_| (StatusCode::BAD_REQUEST, "no timestamp"))?;
    // Older than five minutes (or from the future): a replay, whatever its signature.
    if (crate::storage::now_unix() - ts).abs() > 300 {
        return Err((StatusCode::FORBIDDEN, "stale timestamp"));
    }
    let text = std::str::from_utf8(body).map_err(|_| (StatusCode::BAD_REQUEST, "not UTF-8"))?;
    let outer =
        roxmltree::Document::parse(text).map_err(|_| (StatusCode::BAD_REQUEST, "not XML"))?;
    let encrypted = field(&outer, "Encrypt").ok_or((StatusCode::BAD_REQUEST, "no Encrypt"))?;
    let crypt = MsgCrypt::new(&p.token, &p.aes_key, &p.appid)
        .map_err(|_| (StatusCode::INTERNAL_SERVER_ERROR, "platform key unusable"))?;
    crypt
        .decrypt(&q.msg_signature, &q.timestamp, &q.nonce, &encrypted)
        .map_err(|e| match e {
            CryptError::BadSignature => (StatusCode::FORBIDDEN, "bad signature"),
            CryptError::WrongReceiver => (StatusCode::FORBIDDEN, "for another platform"),
            _ => (StatusCode::BAD_REQUEST, "undecryptable"),
        })
}

fn field(doc: &roxmltree::Document, name: &str) -> Option<String> {
    doc.root_element()
        .children()
        .find(|n| n.has_tag_name(name))
        .map(|n| n.text().unwrap_or_default().to_string())
}

async fn platform_for(
    state: &AppState,
    component: &str,
) -> std::result::Result<Platform, Response> {
    match platform::by_component(&*state.store, &state.wx.sbox, component).await {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(refuse(StatusCode::NOT_FOUND, "unknown platform")),
        Err(e) => {
            tracing::error!(error = %e, "reading a platform failed");
            Err(StatusCode::SERVICE_UNAVAILABLE.into_response())
        }
    }
}

/// `POST /wechat/{component_appid}/events`: tickets and authorization events.
async fn component_events(
    State(state): State<AppState>,
    Path(component): Path<String>,
    Query(q): Query<PushQuery>,
    body: Bytes,
) -> Response {
    let p = match platform_for(&state, &component).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let xml = match open_push(&p, &q, &body) {
        Ok(x) => x,
        Err((status, why)) => return refuse(status, why),
    };
    let Ok(doc) = roxmltree::Document::parse(&xml) else {
        return refuse(StatusCode::BAD_REQUEST, "inner message is not XML");
    };
    if field(&doc, "AppId").is_some_and(|a| a != p.appid) {
        return refuse(StatusCode::FORBIDDEN, "for another platform");
    }
    let info = field(&doc, "InfoType").unwrap_or_default();
    let store = &*state.store;
    match info.as_str() {
        "component_verify_ticket" => {
            let Some(ticket) = field(&doc, "ComponentVerifyTicket").filter(|t| !t.is_empty())
            else {
                return refuse(StatusCode::BAD_REQUEST, "no ticket");
            };
            if let Err(e) = crate::wechat::tokens::put_ticket(store, &state.wx, &p, &ticket).await {
                tracing::error!(error = %e, "keeping the ticket failed");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
        "authorized" | "updateauthorized" => {
            let appid = field(&doc, "AuthorizerAppid").unwrap_or_default();
            let code = field(&doc, "AuthorizationCode").unwrap_or_default();
            let pre = field(&doc, "PreAuthCode").unwrap_or_default();
            let site = match connect::site_of_preauth(store, &pre).await {
                Ok(Some(s)) => Some(s),
                _ => platform::site_of_app(store, &appid).await.ok().flatten(),
            };
            match site {
                // WeChat wants its answer within 5 s: the exchange runs on.
                Some(site) if !code.is_empty() => {
                    tokio::spawn(async move {
                        if let Err(e) = connect::complete(&state, &p, site, &code).await {
                            tracing::warn!(error = %e, %appid, "completing an authorization failed");
                        }
                    });
                }
                _ => tracing::info!(%appid, "an authorization for no site of ours"),
            }
        }
        "unauthorized" => {
            let appid = field(&doc, "AuthorizerAppid").unwrap_or_default();
            if let Err(e) = connect::disconnected(&state, &p, &appid).await {
                tracing::error!(error = %e, "recording an unauthorization failed");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
        other => tracing::info!(info = other, "push ignored"),
    }
    "success".into_response()
}

/// `POST /wechat/{component_appid}/{appid}/events`: review results of a connected app.
async fn app_events(
    State(state): State<AppState>,
    Path((component, appid)): Path<(String, String)>,
    Query(q): Query<PushQuery>,
    body: Bytes,
) -> Response {
    let p = match platform_for(&state, &component).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let xml = match open_push(&p, &q, &body) {
        Ok(x) => x,
        Err((status, why)) => return refuse(status, why),
    };
    let Ok(doc) = roxmltree::Document::parse(&xml) else {
        return refuse(StatusCode::BAD_REQUEST, "inner message is not XML");
    };
    let store = &*state.store;
    let site = match store.doc(platform::BY_APP, &appid).await {
        Ok(Some(d)) if d.agency_id == p.agency_id => {
            d.body["site"].as_str().and_then(|s| s.parse::<Ulid>().ok())
        }
        Ok(_) => None,
        Err(e) => {
            tracing::error!(error = %e, "reading a connection failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let Some(site) = site else {
        return refuse(
            StatusCode::NOT_FOUND,
            "no site of this platform has that mini program",
        );
    };
    // The event must be about this app (WeChat names it by its original id).
    if let (Some(to), Ok(Some(conn))) = (
        field(&doc, "ToUserName"),
        platform::connection(store, site).await,
    ) {
        if !conn.user_name.is_empty() && to != conn.user_name {
            return refuse(StatusCode::FORBIDDEN, "for another mini program");
        }
    }
    let reason = field(&doc, "Reason").unwrap_or_default();
    let review = match field(&doc, "Event").unwrap_or_default().as_str() {
        "weapp_audit_success" => Review::Approved,
        "weapp_audit_fail" => Review::Rejected,
        "weapp_audit_delay" => Review::Delayed,
        other => {
            tracing::info!(event = other, "push ignored");
            return "success".into_response();
        }
    };
    match publish::on_review(&state, p.agency_id, site, review, &reason).await {
        Ok(_) => "success".into_response(),
        // The review is recorded; a release that failed is shown on the site.
        Err(PublishError::WeChat(e)) => {
            tracing::warn!(error = %e, "auto-release failed");
            "success".into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "recording a review failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// The site `id` as `who` may act on it, with its agency.
async fn site_and_agency(
    state: &AppState,
    who: &UserView,
    id: &str,
) -> Result<(crate::storage::Site, Ulid)> {
    let site = visible_site(&*state.store, who, id).await?;
    let merchant = state
        .store
        .merchant(site.merchant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((site, merchant.agency_id))
}

fn back(id: &str, error: Option<String>) -> Response {
    match error {
        None => Redirect::to(&format!("/sites/{id}/publish")).into_response(),
        Some(e) => {
            let e: String = url::form_urlencoded::byte_serialize(e.as_bytes()).collect();
            Redirect::to(&format!("/sites/{id}/publish?error={e}")).into_response()
        }
    }
}

/// `GET /sites/{id}/wechat/connect`: off to WeChat's authorization page. A link, not a form:
/// the page's policy lets forms post only to mpforge, and a form's redirect to WeChat would be
/// blocked. All it changes is a pre-auth code that expires in ten minutes and that nobody else
/// can read.
async fn start_connect(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> Result<Response> {
    let who = signed_in(&session)?;
    let (site, agency) = site_and_agency(&state, who, &id).await?;
    require_publisher(who)?;
    let result = async {
        let p = publish::platform_of(&state, agency).await?;
        connect::start(&state, &p, site.id).await
    }
    .await;
    Ok(match result {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => back(&id, Some(e.message(who.lang))),
    })
}

#[derive(Deserialize)]
struct Callback {
    #[serde(default)]
    auth_code: String,
}

/// `GET /sites/{id}/wechat/callback?auth_code=…`: back from the authorization page.
async fn callback(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
    Query(q): Query<Callback>,
) -> Result<Response> {
    let who = signed_in(&session)?;
    let (site, agency) = site_and_agency(&state, who, &id).await?;
    require_publisher(who)?;
    if q.auth_code.is_empty() {
        return Ok(back(
            &id,
            Some(match who.lang {
                Lang::Zh => "授权未完成,请重新连接。".into(),
                Lang::En => "The authorization was not completed: connect again.".into(),
            }),
        ));
    }
    let result = async {
        let p = publish::platform_of(&state, agency).await?;
        connect::complete(&state, &p, site.id, &q.auth_code).await
    }
    .await;
    Ok(back(&id, result.err().map(|e| e.message(who.lang))))
}

async fn act(state: &AppState, session: &SessionInfo, id: &str, action: &str) -> Result<Response> {
    let who = signed_in(session)?;
    let (site, agency) = site_and_agency(state, who, id).await?;
    require_publisher(who)?;
    let by = who.login.clone();
    let result: std::result::Result<(), PublishError> = match action {
        "start" => publish::start(state, agency, site.id, &by)
            .await
            .map(|_| ()),
        "release" => publish::release(state, agency, site.id, &by).await,
        _ => publish::rollback(state, agency, site.id, &by)
            .await
            .map(|_| ()),
    };
    note(
        state,
        who,
        Some(site.id),
        &format!("publish_{action}"),
        result
            .as_ref()
            .err()
            .map(|e| e.message(Lang::En))
            .unwrap_or_default(),
    )
    .await;
    Ok(back(id, result.err().map(|e| e.message(who.lang))))
}

/// `POST /sites/{id}/publish/{start|release|rollback}`.
async fn publish_action(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response> {
    match action.as_str() {
        "start" | "release" | "rollback" => act(&state, &session, &id, &action).await,
        _ => Err(AppError::NotFound.into()),
    }
}

/// `POST /sites/{id}/versions/{n}/restore`: the version becomes the draft; the draft it
/// replaces is kept as a version first, so the restore is undone by restoring that.
async fn restore(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path((id, n)): Path<(String, u64)>,
) -> Result<Response> {
    let who = signed_in(&session)?;
    let (site, agency) = site_and_agency(&state, who, &id).await?;
    let store = &*state.store;
    let Some(snapshot) = publish::versions::get(store, site.id, n)
        .await?
        .and_then(|v| v.site)
    else {
        return Err(AppError::NotFound.into());
    };
    let current = store.draft(site.id).await?.ok_or(AppError::NotFound)?;
    let keep = publish::versions::Version::new(
        app::model::publish::VersionKind::Restore,
        Some(current.site.clone()),
        Some(n),
        &who.login,
    );
    publish::versions::record(store, agency, site.id, keep).await?;
    let saved = crate::sites::save_draft(
        store,
        who,
        &id,
        app::api::rest::SaveDraft {
            base_version: current.version,
            site: snapshot,
        },
    )
    .await;
    Ok(match saved {
        Ok(_) => Redirect::to(&format!("/sites/{id}/edit")).into_response(),
        Err(e) => back(&id, Some(e.to_string())),
    })
}

/// `GET /api/sites/{id}/publish`: the publish screen's data (it polls this while a publish
/// runs).
async fn publish_state(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> Result<Json<app::model::publish::PublishView>> {
    let who = signed_in(&session)?;
    Ok(Json(
        crate::backend::publish_view(&state.store, &state.wx, who, &id).await?,
    ))
}

/// `POST /agency/wechat`: the agency's platform settings (agency admins only).
async fn save_platform(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    body: Bytes,
) -> Result<Response> {
    let who = signed_in(&session)?;
    let agency = require_agency_admin(who)?;
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let templates: HashMap<String, String> = ["shop", "booking", "info"]
        .iter()
        .map(|t| (t.to_string(), get(&format!("template_{t}"))))
        .collect();
    let input = PlatformInput {
        component_appid: get("component_appid"),
        secret: Some(get("secret")),
        token: Some(get("token")),
        aes_key: Some(get("aes_key")),
        templates: templates.into_iter().collect(),
        contact_email: get("contact_email"),
        contact_phone: get("contact_phone"),
        auto_release: get("auto_release") == "on",
    };
    let result =
        platform::save_settings(&*state.store, &state.wx.sbox, agency, input, who.lang).await;
    note(
        &state,
        who,
        None,
        "platform_settings",
        if result.is_ok() {
            "saved".into()
        } else {
            "refused".into()
        },
    )
    .await;
    Ok(match result {
        Ok(()) => Redirect::to("/agency/wechat?saved=1").into_response(),
        Err(platform::SettingsError::Invalid(problems)) => {
            let text = serde_json::to_string(&problems).unwrap_or_default();
            let e: String = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
            Redirect::to(&format!("/agency/wechat?problems={e}")).into_response()
        }
        Err(platform::SettingsError::Store(e)) => return Err(e.into()),
    })
}

/// `POST /agency/wechat/link-rules`: every connected site's link QR code opens its mini
/// program when scanned in WeChat (agency admins only).
async fn link_rules(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
) -> Result<Response> {
    let who = signed_in(&session)?;
    let agency = require_agency_admin(who)?;
    let store = &*state.store;
    let p = match publish::platform_of(&state, agency).await {
        Ok(p) => p,
        Err(e) => {
            let e: String =
                url::form_urlencoded::byte_serialize(e.message(who.lang).as_bytes()).collect();
            return Ok(Redirect::to(&format!("/agency/wechat?link_error={e}")).into_response());
        }
    };
    let (mut done, mut failed) = (0usize, Vec::new());
    for m in store.agency_merchants(agency).await? {
        for site in store.merchant_sites(m.id).await? {
            if site.deleted_at.is_some() {
                continue;
            }
            let Some(conn) = platform::connection(store, site.id)
                .await?
                .filter(|c| c.connected)
            else {
                continue;
            };
            match connect::register_link(&state, &p, site.id, &conn.appid).await {
                Ok(()) => done += 1,
                Err(e) => failed.push(format!("{}: {}", site.name, e.message(who.lang))),
            }
        }
    }
    note(
        &state,
        who,
        None,
        "link_rules",
        format!("{done} registered, {} refused", failed.len()),
    )
    .await;
    let failed: String = url::form_urlencoded::byte_serialize(
        serde_json::to_string(&failed)
            .unwrap_or_default()
            .as_bytes(),
    )
    .collect();
    Ok(Redirect::to(&format!(
        "/agency/wechat?links={done}&link_failures={failed}"
    ))
    .into_response())
}

pub(super) fn immutable(content_type: &'static str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub(super) fn trial_key(site: Ulid) -> String {
    pipeline::trial_qr_key(site)
}

/// Notes an action in the agency's audit log; a failure to note it is logged, never in the
/// user's way.
pub(super) async fn note(
    state: &AppState,
    who: &UserView,
    site: Option<Ulid>,
    action: &str,
    detail: String,
) {
    crate::audit::note(&*state.store, who, None, site, action, detail).await;
}
