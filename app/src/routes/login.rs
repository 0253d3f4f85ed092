//! `/login`: a plain HTML form, so signing in works with JavaScript off.
use crate::components::session::{use_session, CsrfField};
use crate::i18n::Text;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let s = use_session();
    // Whole minutes to wait, at least one.
    let minutes = query
        .get("wait")
        .and_then(|w| w.parse::<u64>().ok())
        .map_or(1, |secs| secs.div_ceil(60).max(1));
    let error = query.get("error").and_then(|e| match e.as_str() {
        "invalid" => Some(Text::ErrBadCredentials),
        "throttled" => Some(Text::ErrThrottled),
        "busy" => Some(Text::ErrBusy),
        "missing" => Some(Text::ErrMissingFields),
        "csrf" => Some(Text::ErrCsrf),
        "paused" => Some(Text::ErrAccountPaused),
        "removed" => Some(Text::ErrAccountRemoved),
        _ => None,
    });
    let notice = (query.get("notice").as_deref() == Some("signed_out_everywhere"))
        .then_some(Text::SignedOutEverywhere);
    let prefill = query.get("login").unwrap_or_default();
    if let Some(user) = &s.user {
        return view! { <Redirect path=user.home_path()/> }.into_any();
    }
    let t = move |k| s.lang.t(k);
    view! {
        <Title text=t(Text::LogIn)/>
        <section class="card narrow auth" aria-labelledby="login-title">
            <h1 id="login-title">{match s.brand.as_ref().filter(|b| !b.name.is_empty()) {
                Some(b) => match s.lang {
                    crate::i18n::Lang::Zh => format!("登录 {}", b.name),
                    crate::i18n::Lang::En => format!("Log in to {}", b.name),
                },
                None => t(Text::LoginTitle).to_string(),
            }}</h1>
            <p class="muted">{t(Text::Tagline)}</p>
            {notice.map(|k| view! { <p class="alert alert-ok" role="status">{s.lang.t(k)}</p> })}
            {error.map(|k| {
                let message = s.lang.fill(k, &[("minutes", minutes.to_string())]);
                view! { <p class="alert alert-error" role="alert">{message}</p> }
            })}
            <form method="post" action="/auth/login" class="stack">
                <CsrfField token=s.csrf.clone()/>
                <div class="field">
                    <label for="login">{t(Text::LoginField)}</label>
                    <input id="login" name="login" type="text" required
                        autocomplete="username" autocapitalize="none" spellcheck="false"
                        aria-describedby="login-hint" value=prefill/>
                    <p class="hint" id="login-hint">{t(Text::LoginHint)}</p>
                </div>
                <div class="field">
                    <label for="password">{t(Text::Password)}</label>
                    <input id="password" name="password" type="password" required
                        autocomplete="current-password"/>
                </div>
                <button type="submit" class="btn btn-primary btn-block">{t(Text::LogIn)}</button>
            </form>
        </section>
    }
    .into_any()
}
