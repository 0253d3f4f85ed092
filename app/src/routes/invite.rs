//! `/invite/:token`: what an invitation offers (which agency or merchant, which role, from
//! whom) and a form to join: a name, a login and a password; then the new user is signed in.
//! A used or expired link says so. A plain form, no island.
use crate::api::get_invite;
use crate::components::feedback::{set_http_status, ErrorAlert, Loading};
use crate::components::field::FormField;
use crate::components::outcome::{general_refusal, use_outcome, FormOutcome};
use crate::components::session::{use_session, CsrfField};
use crate::i18n::tr;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvitePage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let t = move |en, zh| tr(lang, en, zh);
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let invite = Resource::new_blocking(
        {
            let token = token.clone();
            move || token.clone()
        },
        get_invite,
    );
    let outcome = use_outcome();
    if let Some(FormOutcome::Refused { error, .. }) = &outcome {
        set_http_status(error.status());
    }
    let general = general_refusal(&outcome, &["name", "login", "password"]);
    let csrf = s.csrf.clone();
    view! {
        <Title text=t("Join", "加入")/>
        <Suspense fallback=Loading>
            {move || {
                let (csrf, token, general) = (csrf.clone(), token.clone(), general.clone());
                Suspend::new(async move {
                    match invite.await {
                        Ok(v) => {
                            let place = match &v.merchant_name {
                                Some(m) => format!("{m} · {}", v.agency_name),
                                None => v.agency_name.clone(),
                            };
                            view! {
                                <div class="page-head"><div>
                                    <p class="eyebrow">{place.clone()}</p>
                                    <h1>{t("Join ", "加入 ")}{place}</h1>
                                    <p class="muted">{v.invited_by.clone()}{t(" invites you as: ", " 邀请您担任:")}<strong>{v.role.label(lang)}</strong></p>
                                </div></div>
                                {general.map(|error| view! { <ErrorAlert error lang/> })}
                                <section class="card" aria-labelledby="join-title">
                                    <h2 id="join-title">{t("Your account", "您的账号")}</h2>
                                    <form method="post" action=format!("/invite/{token}") class="grid-form">
                                        <CsrfField token=csrf/>
                                        <FormField id="j-name" name="name" label=tr(lang, "Your name", "姓名") lang required=true maxlength=80/>
                                        <FormField id="j-login" name="login" label=tr(lang, "Login", "登录名") lang required=true maxlength=64 autocomplete="username" verbatim=true/>
                                        <FormField id="j-password" name="password" label=tr(lang, "Password", "密码") lang kind="password" required=true minlength=10 autocomplete="new-password"
                                            hint=tr(lang, "At least 10 characters, not easy to guess.", "至少 10 个字符,不易猜到。")/>
                                        <div class="actions"><button type="submit" class="btn btn-primary">{t("Join", "加入")}</button></div>
                                    </form>
                                </section>
                            }.into_any()
                        }
                        Err(_) => {
                            set_http_status(404);
                            view! {
                                <h1>{t("This invitation cannot be used", "该邀请无法使用")}</h1>
                                <p class="alert alert-error" role="alert">{t("The link was already used or has expired. Ask whoever invited you for a new one.", "链接已被使用或已过期。请向邀请人索取新的链接。")}</p>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
