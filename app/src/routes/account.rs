//! `/account`: the signed-in user's own account: change the password, sign out everywhere.
//! Server-rendered plain forms, no island.
use crate::components::feedback::{set_http_status, ErrorAlert};
use crate::components::field::FormField;
use crate::components::outcome::{general_refusal, use_outcome, FormOutcome};
use crate::components::session::{use_session, CsrfField};
use crate::i18n::Text;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// The password form's fields, as the server names them in a refusal.
const PASSWORD_FIELDS: [&str; 3] = ["current_password", "new_password", "repeat_password"];

#[component]
pub fn AccountPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let Some(user) = s.user.clone() else {
        return view! { <Redirect path="/login"/> }.into_any();
    };
    let t = move |k| lang.t(k);
    let outcome = use_outcome();
    if let Some(FormOutcome::Refused { error, .. }) = &outcome {
        set_http_status(error.status());
    }
    let changed = matches!(outcome, Some(FormOutcome::PasswordChanged));
    let general = general_refusal(&outcome, &PASSWORD_FIELDS);
    view! {
        <Title text=t(Text::AccountTitle)/>
        <div class="page-head">
            <div>
                <p class="eyebrow">{format!("{} · {}", user.agency_name, user.role.label(lang))}</p>
                <h1>{t(Text::AccountTitle)}</h1>
                <p class="muted">{t(Text::AccountIntro)}" "<code>{user.login.clone()}</code></p>
            </div>
        </div>
        <section class="card narrow" aria-labelledby="password-title">
            <h2 id="password-title">{t(Text::ChangePassword)}</h2>
            {changed.then(|| view! { <p class="alert alert-ok" role="status">{t(Text::PasswordChanged)}</p> })}
            {general.map(|error| view! { <ErrorAlert error lang/> })}
            <form method="post" action="/account" class="stack">
                <CsrfField token=s.csrf.clone()/>
                // For password managers: whose password this is.
                <input type="text" name="username" value=user.login.clone() autocomplete="username" hidden/>
                <FormField id="current-password" name="current_password" lang kind="password"
                    label=t(Text::CurrentPassword) required=true autocomplete="current-password"/>
                <FormField id="new-password" name="new_password" lang kind="password"
                    label=t(Text::NewPassword) required=true minlength=10 maxlength=200
                    autocomplete="new-password" hint=t(Text::NewPasswordHint)/>
                <FormField id="repeat-password" name="repeat_password" lang kind="password"
                    label=t(Text::RepeatPassword) required=true autocomplete="new-password"/>
                <div class="actions">
                    <button type="submit" class="btn btn-primary">{t(Text::ChangePassword)}</button>
                </div>
            </form>
        </section>
        <section class="card narrow" aria-labelledby="everywhere-title">
            <h2 id="everywhere-title">{t(Text::SignOutEverywhere)}</h2>
            <p class="muted" id="everywhere-hint">{t(Text::SignOutEverywhereHint)}</p>
            <form method="post" action="/account/sessions" class="inline">
                <CsrfField token=s.csrf.clone()/>
                <button type="submit" class="btn" aria-describedby="everywhere-hint">
                    {t(Text::SignOutEverywhere)}
                </button>
            </form>
        </section>
    }
    .into_any()
}
