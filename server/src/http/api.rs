//! The scripting API for agencies, JSON over HTTP under `/api/v1/` (documented in
//! `docs/api.md`, described by `/api/v1/openapi.json`). A request carries
//! `Authorization: Bearer TOKEN` ([`crate::api_tokens`]) and no cookie: it needs no CSRF token,
//! and it acts for the token's agency only (every id is checked by the same tenancy functions
//! as the pages). Errors are `{error: {code, message}}` with the right status; bodies are
//! bounded and read strictly (an unknown field is refused); each token is rate-limited.
mod v1;

use crate::api_tokens::{self, ApiToken};
use crate::error::Error;
use crate::state::AppState;
use app::error::AppError;
use app::i18n::Lang;
use app::model::validate::Problem;
use app::model::{Role, SessionInfo, UserView};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::de::DeserializeOwned;
use std::num::NonZeroU32;
use ulid::Ulid;

/// The most a request body may be (a whole site is well under it).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;
pub const OPENAPI: &str = include_str!("api/openapi.json");

/// Requests per second each token may make on one node, with bursts of three seconds' worth.
pub struct ApiRate(DefaultKeyedRateLimiter<Ulid>);

impl ApiRate {
    pub fn per_second(n: u32) -> ApiRate {
        let n = NonZeroU32::new(n.max(1)).expect("at least one");
        let burst = NonZeroU32::new(n.get().saturating_mul(3)).expect("at least one");
        ApiRate(RateLimiter::keyed(Quota::per_second(n).allow_burst(burst)))
    }
}

impl Default for ApiRate {
    fn default() -> Self {
        ApiRate::per_second(DEFAULT_RATE)
    }
}

pub const DEFAULT_RATE: u32 = 20;

/// The token a request came with, and the agency admin it acts as.
#[derive(Clone)]
pub struct Caller {
    pub token: ApiToken,
    pub user: UserView,
}

impl Caller {
    pub fn lang(&self) -> Lang {
        self.user.lang
    }
    pub fn agency(&self) -> Ulid {
        self.token.agency_id
    }
}

/// An API error: `{error: {code, message}}`, and the problems of an invalid site.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub problems: Option<Vec<Problem>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            problems: None,
        }
    }

    pub fn app(e: AppError, lang: Lang) -> ApiError {
        let (code, status) = match &e {
            AppError::Unauthenticated => ("unauthenticated", StatusCode::UNAUTHORIZED),
            AppError::Forbidden => ("forbidden", StatusCode::FORBIDDEN),
            AppError::NotFound => ("not_found", StatusCode::NOT_FOUND),
            AppError::Invalid { .. } => ("invalid", StatusCode::UNPROCESSABLE_ENTITY),
            AppError::Conflict { .. } => ("conflict", StatusCode::CONFLICT),
            AppError::Busy(_) => ("busy", StatusCode::TOO_MANY_REQUESTS),
            AppError::Internal | AppError::Transport(_) => {
                ("internal", StatusCode::INTERNAL_SERVER_ERROR)
            }
        };
        ApiError {
            status,
            code,
            message: e.message(lang),
            field: e.field().map(String::from),
            problems: None,
        }
    }

    pub fn from_error(e: Error, lang: Lang) -> ApiError {
        ApiError::app(e.into_app_error(), lang)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = serde_json::json!({"code": self.code, "message": self.message});
        if let Some(f) = self.field {
            error["field"] = f.into();
        }
        let mut body = serde_json::json!({ "error": error });
        if let Some(p) = self.problems {
            body["problems"] = serde_json::to_value(p).unwrap_or_default();
        }
        let mut res = (self.status, Json(body)).into_response();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"mpforge\""),
            );
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A JSON body read strictly: at most [`BODY_LIMIT`], every field known, each mistake named.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let lang = req
            .extensions()
            .get::<Caller>()
            .map(|c| c.lang())
            .unwrap_or_default();
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large(lang)
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text())
            }
        })?;
        parse(&bytes, lang).map(Body)
    }
}

fn too_large(lang: Lang) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        match lang {
            Lang::Zh => format!("请求内容超过 {} MiB。", BODY_LIMIT / 1024 / 1024),
            Lang::En => format!("The request body is over {} MiB.", BODY_LIMIT / 1024 / 1024),
        },
    )
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8], lang: Lang) -> ApiResult<T> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let detail = e.into_inner().to_string();
        let mut err = ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            match lang {
                Lang::Zh => format!("请求内容无法读取({path}):{detail}"),
                Lang::En => format!("The request body does not read ({path}): {detail}"),
            },
        );
        if path != "." {
            err.field = Some(path);
        }
        err
    })
}

/// `/api/v1/…`, bearer tokens only.
pub fn routes(state: &AppState) -> Router<AppState> {
    let api = v1::routes()
        .layer(middleware::from_fn_with_state(state.clone(), bearer))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT));
    Router::new()
        .route("/api/v1/openapi.json", axum::routing::get(openapi))
        .nest("/api/v1", api)
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}

/// Who is calling: the bearer token, checked against its stored hash; then its rate.
async fn bearer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let lang = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or_default();
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(String::from);
    let unauthenticated =
        |why: &str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", why).into_response();
    let Some(given) = given else {
        return unauthenticated(match lang {
            Lang::Zh => "请在 Authorization 请求头中提供令牌:Bearer TOKEN。",
            Lang::En => "Send a token in the Authorization header: Bearer TOKEN.",
        });
    };
    let token = match api_tokens::authenticate(&*state.store, &given).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            return unauthenticated(match lang {
                Lang::Zh => "令牌无效或已撤销。",
                Lang::En => "The token is not valid, or it was revoked.",
            })
        }
        Err(e) => return ApiError::from_error(e.into(), lang).into_response(),
    };
    if state.api_rate.0.check_key(&token.id).is_err() {
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            match lang {
                Lang::Zh => "请求过于频繁,请稍后再试。",
                Lang::En => "Too many requests with this token: slow down and try again.",
            },
        )
        .into_response();
    }
    let agency_name = match state.store.agency(token.agency_id).await {
        Ok(Some(a)) => a.name,
        Ok(None) => return unauthenticated("The token's agency no longer exists."),
        Err(e) => return ApiError::from_error(e.into(), lang).into_response(),
    };
    let user = UserView {
        id: token.created_by.to_string(),
        login: format!("api:{}", token.name),
        display_name: token.name.clone(),
        role: Role::AgencyAdmin,
        agency_id: token.agency_id.to_string(),
        agency_name,
        merchant_id: None,
        lang,
    };
    req.extensions_mut().insert(SessionInfo {
        user: Some(user.clone()),
        csrf: String::new(),
        lang,
        brand: None,
    });
    req.extensions_mut().insert(Caller { token, user });
    next.run(req).await
}

/// A bulk job's report as a CSV download.
pub fn csv_download(b: &crate::batches::Batch, lang: Lang) -> Response {
    let name = format!(
        "attachment; filename=\"mpforge-{}-{}.csv\"",
        b.action.name(),
        b.id
    );
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&name).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        // A byte-order mark, so spreadsheet programs read the Chinese names right.
        format!("\u{feff}{}", crate::batches::csv(b, lang)),
    )
        .into_response()
}
