//! Team forms: an agency admin invites agency admins and staff (`/agency/users`), a merchant's
//! owner or the agency's admin invites the merchant's staff (`/merchants/{id}`), anyone with
//! a link joins (`/invite/{token}`: signed in at once), and members are removed.
use super::pages::{field, read, render};
use super::session::{cookie_header, visitor_cookie};
use crate::auth::{self, CookieName};
use crate::error::Error;
use crate::state::AppState;
use crate::team::{self, Joining};
use app::components::outcome::FormOutcome;
use app::model::{Role, UserView};
use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agency/users", post(agency_users))
        .route("/invite/{token}", post(join))
}

fn link(state: &AppState, token: &str) -> String {
    format!(
        "{}/invite/{token}",
        state.wx.public_url.trim_end_matches('/')
    )
}

async fn note(state: &AppState, who: &UserView, action: &str, detail: String) {
    super::wechat::note(state, who, None, action, detail).await;
}

/// `POST /agency/users`: `action=invite` with `role` (`agency_staff`, `agency_admin`), or
/// `action=remove` with `user`.
async fn agency_users(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (user, form) = match read(&parts, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let store = &*state.store;
    match field(&form, "action").as_str() {
        "invite" => {
            let role = match field(&form, "role").as_str() {
                "agency_admin" => Role::AgencyAdmin,
                _ => Role::AgencyStaff,
            };
            match team::invite(store, &user, role, None).await {
                Ok(token) => {
                    note(
                        &state,
                        &user,
                        "user_invited",
                        role.label(app::i18n::Lang::En).into(),
                    )
                    .await;
                    let url = link(&state, &token);
                    render(&state, parts, FormOutcome::InviteCreated { url, role }).await
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
        "remove" => match team::remove(store, &user, &field(&form, "user")).await {
            Ok(m) => {
                note(&state, &user, "user_removed", m.login).await;
                Redirect::to("/agency/users?done=removed").into_response()
            }
            Err(e) => {
                render(
                    &state,
                    parts,
                    FormOutcome::refused(e.into_app_error(), &form),
                )
                .await
            }
        },
        _ => {
            let error = app::error::AppError::invalid(
                "action",
                user.lang.t(app::i18n::Text::ErrUnknownAction),
            );
            render(&state, parts, FormOutcome::refused(error, &form)).await
        }
    }
}

/// `POST /merchants/{id}` with `action=invite_staff`, or `action=remove_staff` with `user`.
pub(super) async fn merchant_staff(
    state: &AppState,
    parts: Parts,
    user: &UserView,
    merchant_id: &str,
    form: &[(String, String)],
) -> Response {
    let store = &*state.store;
    if field(form, "action") == "invite_staff" {
        return match team::invite(store, user, Role::MerchantStaff, Some(merchant_id)).await {
            Ok(token) => {
                note(
                    state,
                    user,
                    "user_invited",
                    format!("merchant staff of {merchant_id}"),
                )
                .await;
                let url = link(state, &token);
                render(
                    state,
                    parts,
                    FormOutcome::InviteCreated {
                        url,
                        role: Role::MerchantStaff,
                    },
                )
                .await
            }
            Err(e) => render(state, parts, FormOutcome::refused(e.into_app_error(), form)).await,
        };
    }
    match team::remove(store, user, &field(form, "user")).await {
        Ok(m) => {
            note(state, user, "user_removed", m.login).await;
            Redirect::to(&format!("/merchants/{merchant_id}")).into_response()
        }
        Err(e) => render(state, parts, FormOutcome::refused(e.into_app_error(), form)).await,
    }
}

/// `POST /invite/{token}`: `name`, `login`, `password`; the new user is signed in and sent home.
async fn join(State(state): State<AppState>, Path(token): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let lang = parts
        .extensions
        .get::<app::model::SessionInfo>()
        .map(|s| s.lang)
        .unwrap_or_default();
    let Ok(bytes) = to_bytes(body, super::limits::FORM_LIMIT).await else {
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let input = Joining {
        name: field(&form, "name"),
        login: field(&form, "login"),
        password: field(&form, "password"),
    };
    let user = match team::accept(&*state.store, &token, input, lang).await {
        Ok(u) => u,
        Err(Error::App(e)) => return render(&state, parts, FormOutcome::refused(e, &form)).await,
        Err(e) => return e.into_response(),
    };
    let session = match auth::create_session(&*state.store, user.id).await {
        Ok(t) => t,
        Err(e) => return Error::from(e).into_response(),
    };
    let view = crate::accounts::user_view(&*state.store, &user).await;
    if let Ok(v) = &view {
        note(
            &state,
            v,
            "user_joined",
            v.role.label(app::i18n::Lang::En).into(),
        )
        .await;
    }
    let home = view.map(|v| v.home_path()).unwrap_or_else(|_| "/".into());
    let mut res = Redirect::to(&home).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(
            state.cookie(CookieName::Session),
            session,
            auth::SESSION_TTL_SECS,
            true,
            state.secure_cookies,
        ),
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        visitor_cookie(&state, auth::random_token()),
    );
    res
}
