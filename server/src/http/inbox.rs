//! The merchant's inbox over HTTP (the page itself is `app/src/routes/inbox.rs`): its plain
//! forms (an order or a booking moved on; a site's rules saved), the stamp the open page polls
//! to show what arrives without a reload (`public/inbox.js`), and the CSV exports. Every route
//! checks that the signed-in user may see the merchant, and that the site is the merchant's.
use super::pages::{field, read, render};
use crate::mp::orders::By;
use crate::mp::settings::{self, Field, Settings, Template};
use crate::mp::{bookings, inbox, live, notify, orders, shop_now, MpError};
use crate::state::AppState;
use crate::tenancy::{signed_in, visible_merchant};
use app::components::outcome::FormOutcome;
use app::error::AppError;
use app::i18n::Lang;
use app::model::SessionInfo;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use ulid::Ulid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/merchants/{id}/inbox", post(act))
        .route("/merchants/{id}/inbox/stamp", get(stamp))
        .route("/merchants/{id}/inbox/orders.csv", get(orders_csv))
        .route("/merchants/{id}/inbox/bookings.csv", get(bookings_csv))
}

fn app_error(e: MpError) -> AppError {
    match e {
        MpError::Refused(r) => {
            let field = r.field.unwrap_or_default();
            match r.status {
                404 => AppError::NotFound,
                409 => AppError::conflict(field, r.message),
                _ => AppError::invalid(field, r.message),
            }
        }
        MpError::Store(e) => AppError::from(crate::error::Error::from(e)),
    }
}

/// The merchant's site `site_id`, or NotFound.
async fn own_site(
    state: &AppState,
    merchant: Ulid,
    site_id: &str,
) -> Result<crate::storage::Site, AppError> {
    let id: Ulid = site_id.parse().map_err(|_| AppError::NotFound)?;
    match state
        .store
        .site(id)
        .await
        .map_err(crate::error::Error::from)?
    {
        Some(s) if s.merchant_id == merchant && s.deleted_at.is_none() => Ok(s),
        _ => Err(AppError::NotFound),
    }
}

/// The language the site's customers read (its messages are in it).
async fn site_lang(state: &AppState, site: Ulid) -> Lang {
    match live::resolve(&*state.store, &state.mp.cache, site).await {
        Ok(l) => l.site.locale,
        Err(_) => Lang::Zh,
    }
}

/// `POST /merchants/{id}/inbox`: accept, mark ready, complete or cancel (with a reason) an
/// order; complete, mark missed or cancel a booking. Then back to the inbox, or the inbox again
/// with why not.
async fn act(State(state): State<AppState>, Path(id): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (user, form) = match read(&parts, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    if field(&form, "form") == "rules" {
        return save_rules(&state, &id, parts, user, form).await;
    }
    let tab = field(&form, "tab");
    let done = async {
        let store = &*state.store;
        let merchant = visible_merchant(store, &user, &id).await?;
        let site = own_site(&state, merchant.id, &field(&form, "site")).await?;
        let item = field(&form, "item");
        let reason = field(&form, "reason");
        let reason = Some(reason.as_str()).filter(|r| !r.trim().is_empty());
        let action = field(&form, "action");
        let lang = user.lang;
        let unknown = || AppError::invalid("action", lang.t(app::i18n::Text::ErrUnknownAction));
        match field(&form, "kind").as_str() {
            "order" => {
                let what = orders::Action::parse(&action).ok_or_else(unknown)?;
                let o = orders::act(
                    store,
                    merchant.agency_id,
                    site.id,
                    &item,
                    what,
                    By::Merchant,
                    reason,
                    lang,
                )
                .await
                .map_err(app_error)?;
                if matches!(o.status, orders::Status::Accepted | orders::Status::Ready) {
                    let event = o.status.as_str();
                    let to = site_lang(&state, site.id).await;
                    notify::order(&state.store, &state.wx, merchant.agency_id, &o, event, to);
                }
                Ok::<String, AppError>(o.order_id)
            }
            "booking" => {
                let what = bookings::Action::parse(&action).ok_or_else(unknown)?;
                let booking: Ulid = item.parse().map_err(|_| AppError::NotFound)?;
                let rules = settings::load(store, site.id)
                    .await
                    .map_err(crate::error::Error::from)?;
                let b = bookings::act(
                    store,
                    merchant.agency_id,
                    site.id,
                    booking,
                    what,
                    By::Merchant,
                    reason,
                    rules.cancel_before_min,
                    shop_now(),
                    lang,
                )
                .await
                .map_err(app_error)?;
                if b.status == bookings::Status::Cancelled {
                    let to = site_lang(&state, site.id).await;
                    notify::booking(
                        &state.store,
                        &state.wx,
                        merchant.agency_id,
                        &b,
                        "cancelled",
                        to,
                    );
                }
                Ok(b.booking_id)
            }
            _ => Err(unknown()),
        }
    }
    .await;
    match done {
        Ok(number) => {
            let q = serde_urlencoded::to_string([
                ("tab", tab.as_str()),
                ("done", field(&form, "action").as_str()),
                ("n", number.as_str()),
            ])
            .unwrap_or_default();
            Redirect::to(&format!("/merchants/{id}/inbox?{q}")).into_response()
        }
        Err(error) => render(&state, parts, FormOutcome::refused(error, &form)).await,
    }
}

/// `keyword=field` lines as a template's fields, or the line at fault.
fn parse_fields(text: &str, name: &str, lang: Lang) -> Result<Vec<(String, Field)>, AppError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed = line.split_once('=').and_then(|(k, f)| {
            let k = k.trim();
            let f: Field =
                serde_json::from_value(serde_json::Value::String(f.trim().into())).ok()?;
            let plain = !k.is_empty()
                && k.len() <= 32
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            plain.then(|| (k.to_string(), f))
        });
        match parsed {
            Some(p) => out.push(p),
            None => {
                return Err(AppError::invalid(
                    name,
                    match lang {
                        Lang::Zh => format!(
                            "第 {} 行应为“关键词=内容”,内容为 number、status、items、amount、time、shop 或 note 之一。",
                            i + 1
                        ),
                        Lang::En => format!(
                            "Line {} should be keyword=field, the field one of number, status, items, amount, time, shop, note.",
                            i + 1
                        ),
                    },
                ))
            }
        }
    }
    if out.len() > 10 {
        return Err(AppError::invalid(
            name,
            match lang {
                Lang::Zh => "一条订阅消息最多 10 个关键词。",
                Lang::En => "A subscribe message has at most 10 keywords.",
            },
        ));
    }
    Ok(out)
}

fn template(
    form: &[(String, String)],
    id_field: &str,
    fields_field: &str,
    lang: Lang,
) -> Result<Option<Template>, AppError> {
    let id = field(form, id_field).trim().to_string();
    if id.is_empty() {
        return Ok(None);
    }
    if !settings::valid_template(&id) {
        return Err(AppError::invalid(
            id_field,
            match lang {
                Lang::Zh => "模板 ID 只能包含字母、数字、- 和 _(在小程序后台“订阅消息”中复制)。",
                Lang::En => "A template id is letters, digits, - and _ (copy it from Subscribe messages in the mini program's admin).",
            },
        ));
    }
    let fields = parse_fields(&field(form, fields_field), fields_field, lang)?;
    if fields.is_empty() {
        return Err(AppError::invalid(
            fields_field,
            match lang {
                Lang::Zh => "请说明模板的每个关键词填什么,例如 character_string1=number。",
                Lang::En => {
                    "Say what fills each of the template's keywords, e.g. character_string1=number."
                }
            },
        ));
    }
    Ok(Some(Template { id, fields }))
}

/// `POST /merchants/{id}/inbox` with `form=rules`: a site's cancellation deadline, delivery
/// and subscribe message templates.
async fn save_rules(
    state: &AppState,
    id: &str,
    parts: axum::http::request::Parts,
    user: app::model::UserView,
    form: Vec<(String, String)>,
) -> Response {
    let lang = user.lang;
    let saved = async {
        let store = &*state.store;
        let merchant = visible_merchant(store, &user, id).await?;
        let site = own_site(state, merchant.id, &field(&form, "site")).await?;
        let hours = field(&form, "cancel_before_hours");
        let hours: u32 = hours
            .trim()
            .parse()
            .ok()
            .filter(|h| *h * 60 <= settings::MAX_CANCEL_BEFORE_MIN)
            .ok_or_else(|| {
                AppError::invalid(
                    "cancel_before_hours",
                    match lang {
                        Lang::Zh => "请填写 0 到 168 之间的整数小时。",
                        Lang::En => "Enter a whole number of hours from 0 to 168.",
                    },
                )
            })?;
        let new = Settings {
            cancel_before_min: hours * 60,
            delivery: field(&form, "delivery") == "on",
            order_template: template(&form, "order_template", "order_fields", lang)?,
            booking_template: template(&form, "booking_template", "booking_fields", lang)?,
        };
        settings::save(store, merchant.agency_id, site.id, new)
            .await
            .map_err(crate::error::Error::from)?;
        Ok::<(), AppError>(())
    }
    .await;
    match saved {
        Ok(()) => {
            Redirect::to(&format!("/merchants/{id}/inbox?tab=settings&done=saved")).into_response()
        }
        Err(error) => render(state, parts, FormOutcome::refused(error, &form)).await,
    }
}

async fn everything(
    state: &AppState,
    session: &SessionInfo,
    id: &str,
) -> Result<inbox::Everything, AppError> {
    let who = signed_in(session)?;
    let store = &*state.store;
    let merchant = visible_merchant(store, who, id).await?;
    inbox::everything(store, &merchant, false)
        .await
        .map_err(|e| AppError::from(crate::error::Error::from(e)))
}

fn refused(e: AppError) -> Response {
    crate::error::Error::App(e).into_response()
}

/// `GET /merchants/{id}/inbox/stamp`: `{stamp}`, which changes with anything in the inbox
/// (one small read, however many orders there are).
async fn stamp(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> Response {
    let changes = async {
        let who = signed_in(&session)?;
        let merchant = visible_merchant(&*state.store, who, &id).await?;
        crate::mp::changes(&*state.store, merchant.id)
            .await
            .map_err(|e| AppError::from(crate::error::Error::from(e)))
    };
    match changes.await {
        Ok(n) => {
            let mut res = Json(serde_json::json!({ "stamp": n.to_string() })).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => refused(e),
    }
}

fn csv(name: &str, body: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response()
}

async fn orders_csv(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> Response {
    match everything(&state, &session, &id).await {
        Ok(e) => csv("mpforge-orders.csv", inbox::orders_csv(&e)),
        Err(e) => refused(e),
    }
}

async fn bookings_csv(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> Response {
    match everything(&state, &session, &id).await {
        Ok(e) => csv("mpforge-bookings.csv", inbox::bookings_csv(&e)),
        Err(e) => refused(e),
    }
}
