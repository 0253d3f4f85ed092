//! `/mp/{site}/…`: the API every generated mini program calls (docs/mp-api.md). No cookie and
//! no CSRF token (a mini program has neither): each request names its site, is rate-limited by
//! client address (and by customer when signed in), has its body bounded and read strictly,
//! and is answered in the site's language. Errors are `{error: {code, message, field?}}`;
//! nothing is stored for a refused request.
use crate::mp::bookings::{self, BookingIn};
use crate::mp::customers::{self, CustomerKey};
use crate::mp::live::{self, LiveCache, LiveError, LiveSite};
use crate::mp::orders::{self, By, OrderIn};
use crate::mp::{availability, hold, say, settings, shop_now, MpError, Refused};
use crate::state::AppState;
use crate::storage::now_unix;
use app::i18n::Lang;
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use ulid::Ulid;

/// The most a mini program's request may send (an order of 50 lines is ~5 KiB).
pub const BODY_LIMIT: usize = 16 * 1024;

/// What the mini-program API keeps per process.
pub struct MpState {
    pub cache: LiveCache,
    pub key: CustomerKey,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_customer: DefaultKeyedRateLimiter<String>,
}

/// Requests per second one client address may make (many phones share one address behind a
/// carrier's NAT: generous), and writes per second one signed-in customer may make.
pub const DEFAULT_PER_IP: u32 = 50;
pub const DEFAULT_PER_CUSTOMER: u32 = 2;

fn limiter<K: std::hash::Hash + Eq + Clone>(per_second: u32) -> DefaultKeyedRateLimiter<K> {
    let n = NonZeroU32::new(per_second.max(1)).expect("at least one");
    let burst = NonZeroU32::new(n.get().saturating_mul(5)).expect("at least one");
    RateLimiter::keyed(Quota::per_second(n).allow_burst(burst))
}

impl MpState {
    pub fn new(key: CustomerKey, per_ip: u32, per_customer: u32) -> MpState {
        MpState {
            cache: LiveCache::default(),
            key,
            per_ip: limiter(per_ip),
            per_customer: limiter(per_customer),
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/mp/{site}/config", get(config))
        .route("/mp/{site}/session", post(session))
        .route("/mp/{site}/availability", get(availability))
        .route("/mp/{site}/orders", post(place_order).get(my_orders))
        .route("/mp/{site}/orders/{id}/cancel", post(cancel_order))
        .route("/mp/{site}/bookings", post(book).get(my_bookings))
        .route("/mp/{site}/bookings/{id}/cancel", post(cancel_booking))
}

/// A refusal as the mini program reads it.
fn refused(r: Refused) -> Response {
    let mut error = json!({"code": r.code, "message": r.message});
    if let Some(f) = r.field {
        error["field"] = f.into();
    }
    if let Some(Value::Object(extra)) = r.detail {
        for (k, v) in extra {
            error[k] = v;
        }
    }
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut res = (status, Json(json!({ "error": error }))).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    res
}

fn failed(e: MpError, lang: Lang) -> Response {
    match e {
        MpError::Refused(r) => refused(r),
        MpError::Store(e) => {
            tracing::error!(error = %e, "a mini program's request failed");
            refused(Refused::new(
                500,
                "internal",
                say(
                    lang,
                    "Something went wrong on our side: please try again.",
                    "服务器出错了,请重试。",
                ),
            ))
        }
    }
}

/// Both languages: said before the site (and so its language) is known.
fn both(en: &str, zh: &str) -> String {
    format!("{zh} {en}")
}

/// A request to one site's mini-program API, its site resolved and its caller checked.
struct Call {
    live: LiveSite,
    lang: Lang,
    /// The signed-in customer's openid.
    customer: Option<String>,
}

fn client_ip(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
    match peer {
        Some(p) => state.proxies.client_ip(p.ip(), headers),
        None => IpAddr::V4(Ipv4Addr::LOCALHOST),
    }
}

/// Rate limit, site, customer: the first refusal, or the call.
async fn enter(
    state: &AppState,
    site: &str,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    write: bool,
) -> Result<Call, Response> {
    let ip = client_ip(state, headers, peer);
    if state.mp.per_ip.check_key(&ip).is_err() {
        return Err(refused(Refused::new(
            429,
            "rate_limited",
            both(
                "Too many requests: please wait a moment.",
                "请求过于频繁,请稍候再试。",
            ),
        )));
    }
    let not_found = || {
        refused(Refused::new(
            404,
            "not_found",
            both("No such shop.", "没有这家店。"),
        ))
    };
    let Ok(id) = site.parse::<Ulid>() else {
        return Err(not_found());
    };
    let live = match live::resolve(&*state.store, &state.mp.cache, id).await {
        Ok(l) => l,
        Err(LiveError::NotFound) => return Err(not_found()),
        Err(LiveError::NotLive) => {
            return Err(refused(Refused::new(
                409,
                "not_live",
                both(
                    "This shop is not open yet: it has not been published.",
                    "本店尚未开业:小程序还没有发布。",
                ),
            )))
        }
        Err(LiveError::Paused) => {
            return Err(refused(Refused::new(
                403,
                "paused",
                both(
                    "This shop is not taking orders or bookings right now.",
                    "本店暂停接单和预约。",
                ),
            )))
        }
        Err(LiveError::Store(e)) => return Err(failed(MpError::Store(e), Lang::Zh)),
    };
    let lang = live.site.locale;
    let customer = match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        None => None,
        Some(token) => match state.mp.key.check(id, token.trim(), now_unix()) {
            Some(openid) => Some(openid),
            None => {
                return Err(refused(Refused::new(
                    401,
                    "signed_out",
                    say(
                        lang,
                        "Your sign-in has expired: please sign in again.",
                        "登录已过期,请重新登录。",
                    ),
                )))
            }
        },
    };
    if write {
        if let Some(c) = &customer {
            if state.mp.per_customer.check_key(c).is_err() {
                return Err(refused(Refused::new(
                    429,
                    "rate_limited",
                    say(
                        lang,
                        "Too many requests: please wait a moment.",
                        "请求过于频繁,请稍候再试。",
                    ),
                )));
            }
        }
    }
    Ok(Call {
        live,
        lang,
        customer,
    })
}

/// The body as `T`: at most [`BODY_LIMIT`], every field known, a mistake named by its field.
async fn body<T: DeserializeOwned>(body: Body, lang: Lang) -> Result<T, Response> {
    let bytes = to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        refused(Refused::new(
            413,
            "too_large",
            say(
                lang,
                "The request is too large (at most 16 KiB).",
                "请求内容过大(最多 16 KiB)。",
            ),
        ))
    })?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // A missing field is named by serde, not by the path.
        let text = inner.to_string();
        let missing = text
            .strip_prefix("missing field `")
            .and_then(|t| t.split('`').next())
            .map(str::to_string);
        let field = missing.unwrap_or(path);
        let mut r = Refused::new(
            422,
            "invalid",
            match lang {
                Lang::Zh => format!("请求内容有误:{field}"),
                _ => format!("The request is not right: {field}"),
            },
        );
        if field != "." {
            r.field = Some(field);
        }
        refused(r)
    })
}

fn peer_of(req: &Request) -> Option<SocketAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(p)| *p)
}

/// `GET /mp/{site}/config`: what the mini program needs to know at launch.
async fn config(State(state): State<AppState>, Path(site): Path<String>, req: Request) -> Response {
    let call = match enter(&state, &site, req.headers(), peer_of(&req), false).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let s = match settings::load(&*state.store, call.live.id).await {
        Ok(s) => s,
        Err(e) => return failed(e.into(), call.lang),
    };
    Json(json!({
        "test": call.live.test,
        "delivery": s.delivery,
        "cancel_before_min": s.cancel_before_min,
        "templates": {
            "order": s.order_template.map(|t| t.id),
            "booking": s.booking_template.map(|t| t.id),
        },
    }))
    .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionIn {
    code: String,
}

/// `POST /mp/{site}/session {code}`: a customer signs in with `wx.login`'s code.
async fn session(
    State(state): State<AppState>,
    Path(site): Path<String>,
    req: Request,
) -> Response {
    let call = match enter(&state, &site, req.headers(), peer_of(&req), true).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let input: SessionIn = match body(req.into_body(), call.lang).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    match customers::sign_in(
        &*state.store,
        &state.wx,
        &state.mp.key,
        &call.live,
        input.code.trim(),
    )
    .await
    {
        Ok((token, expires)) => {
            Json(json!({"token": token, "expires_at": expires})).into_response()
        }
        Err(e) => failed(e, call.lang),
    }
}

#[derive(Deserialize)]
struct AvailabilityQuery {
    #[serde(default)]
    service: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    staff: Option<String>,
}

/// `GET /mp/{site}/availability?service=ID&date=YYYY-MM-DD[&staff=ID]`.
async fn availability(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Query(q): Query<AvailabilityQuery>,
    req: Request,
) -> Response {
    let call = match enter(&state, &site, req.headers(), peer_of(&req), false).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = call.lang;
    if availability::parse_date(&q.date).is_none() {
        return refused(bookings::refusal(&availability::Refusal::BadDate, lang));
    }
    let day = match hold::day(&*state.store, call.live.id, &q.date).await {
        Ok(d) => d,
        Err(e) => return failed(e.into(), lang),
    };
    let staff = q.staff.as_deref().filter(|s| !s.is_empty());
    match availability::slots_with(
        &call.live.site.data,
        &q.service,
        &q.date,
        staff,
        &day.as_held(),
        shop_now(),
    ) {
        Ok(slots) => Json(json!({"date": q.date, "slots": slots})).into_response(),
        // A closed day has no times: not an error for a calendar.
        Err(availability::Refusal::Closed) => {
            Json(json!({"date": q.date, "slots": [], "closed": true})).into_response()
        }
        Err(r) => refused(bookings::refusal(&r, lang)),
    }
}

/// `POST /mp/{site}/orders`: 201 with the new order, 200 with the one this
/// `client_order_id` already placed.
async fn place_order(
    State(state): State<AppState>,
    Path(site): Path<String>,
    req: Request,
) -> Response {
    let call = match enter(&state, &site, req.headers(), peer_of(&req), true).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let input: OrderIn = match body(req.into_body(), call.lang).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let store = &*state.store;
    let delivery = match settings::load(store, call.live.id).await {
        Ok(s) => s.delivery,
        Err(e) => return failed(e.into(), call.lang),
    };
    match orders::place(
        store,
        &call.live,
        &input,
        call.customer.as_deref(),
        delivery,
    )
    .await
    {
        Ok((order, new)) => {
            let status = if new {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(order.view())).into_response()
        }
        Err(e) => failed(e, call.lang),
    }
}

fn signed_out(lang: Lang) -> Response {
    refused(Refused::new(
        401,
        "signed_out",
        say(lang, "Please sign in first.", "请先登录。"),
    ))
}

/// `GET /mp/{site}/orders`: the signed-in customer's orders, newest first.
async fn my_orders(
    State(state): State<AppState>,
    Path(site): Path<String>,
    req: Request,
) -> Response {
    mine(&state, &site, req, true).await
}

/// `GET /mp/{site}/bookings`: the signed-in customer's bookings, by day.
async fn my_bookings(
    State(state): State<AppState>,
    Path(site): Path<String>,
    req: Request,
) -> Response {
    mine(&state, &site, req, false).await
}

/// The signed-in customer's orders (`orders`) or bookings.
async fn mine(state: &AppState, site: &str, req: Request, orders: bool) -> Response {
    let call = match enter(state, site, req.headers(), peer_of(&req), false).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(me) = call.customer.as_deref() else {
        return signed_out(call.lang);
    };
    let store = &*state.store;
    let listed = if orders {
        orders::list(store, call.live.id).await.map(|all| {
            all.iter()
                .filter(|o| o.customer.as_deref() == Some(me))
                .map(|o| o.view())
                .collect::<Vec<_>>()
        })
    } else {
        bookings::list(store, call.live.id).await.map(|all| {
            all.iter()
                .filter(|b| b.customer.as_deref() == Some(me))
                .map(|b| b.view())
                .collect::<Vec<_>>()
        })
    };
    match listed {
        Ok(list) => {
            let key = if orders { "orders" } else { "bookings" };
            Json(json!({ key: list })).into_response()
        }
        Err(e) => failed(e.into(), call.lang),
    }
}

/// `POST /mp/{site}/bookings`: 201 with the booking.
async fn book(State(state): State<AppState>, Path(site): Path<String>, req: Request) -> Response {
    let call = match enter(&state, &site, req.headers(), peer_of(&req), true).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let input: BookingIn = match body(req.into_body(), call.lang).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    match bookings::book(
        &*state.store,
        &call.live,
        &input,
        call.customer.as_deref(),
        shop_now(),
    )
    .await
    {
        Ok(b) => {
            crate::mp::notify::booking(
                &state.store,
                &state.wx,
                call.live.agency,
                &b,
                "confirmed",
                call.lang,
            );
            (StatusCode::CREATED, Json(b.view())).into_response()
        }
        Err(e) => failed(e, call.lang),
    }
}

/// Who may cancel: the signed-in customer who placed it, or anyone who knows its id and the
/// phone it was placed with.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CancelIn {
    #[serde(default)]
    phone: String,
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn owns(customer: Option<&str>, placed_by: Option<&str>, phone: &str, placed_phone: &str) -> bool {
    let by_token = customer.is_some() && customer == placed_by;
    let by_phone = !digits(phone).is_empty() && digits(phone) == digits(placed_phone);
    by_token || by_phone
}

/// `POST /mp/{site}/orders/{id}/cancel`: the customer cancels an order still received.
async fn cancel_order(
    State(state): State<AppState>,
    Path((site, id)): Path<(String, String)>,
    req: Request,
) -> Response {
    cancel(&state, &site, &id, req, true).await
}

/// `POST /mp/{site}/bookings/{id}/cancel`: the customer cancels up to the merchant's deadline.
async fn cancel_booking(
    State(state): State<AppState>,
    Path((site, id)): Path<(String, String)>,
    req: Request,
) -> Response {
    cancel(&state, &site, &id, req, false).await
}

/// The customer cancels order (`order`) or booking `id`: theirs by their token or by the
/// phone it was placed with; anyone else's is not found, as if it did not exist.
async fn cancel(state: &AppState, site: &str, id: &str, req: Request, order: bool) -> Response {
    let call = match enter(state, site, req.headers(), peer_of(&req), true).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = call.lang;
    let input: CancelIn = match body(req.into_body(), lang).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let store = &*state.store;
    let (agency, site) = (call.live.agency, call.live.id);
    let me = call.customer.as_deref();
    let done = async {
        if order {
            let not_found = || MpError::from(orders::not_found(lang));
            let (o, _) = orders::get(store, site, id).await?.ok_or_else(not_found)?;
            if !owns(me, o.customer.as_deref(), &input.phone, &o.phone) {
                return Err(not_found());
            }
            let action = orders::Action::Cancel;
            let o = orders::act(store, agency, site, id, action, By::Customer, None, lang).await?;
            Ok(o.view())
        } else {
            let not_found = || MpError::from(bookings::not_found(lang));
            let id: Ulid = id.parse().map_err(|_| not_found())?;
            let (b, _) = bookings::get(store, site, id)
                .await?
                .ok_or_else(not_found)?;
            if !owns(me, b.customer.as_deref(), &input.phone, &b.phone) {
                return Err(not_found());
            }
            let rules = settings::load(store, site).await?;
            let b = bookings::act(
                store,
                agency,
                site,
                id,
                bookings::Action::Cancel,
                By::Customer,
                None,
                rules.cancel_before_min,
                shop_now(),
                lang,
            )
            .await?;
            Ok(b.view())
        }
    };
    match done.await {
        Ok(v) => Json(v).into_response(),
        Err(e) => failed(e, lang),
    }
}
