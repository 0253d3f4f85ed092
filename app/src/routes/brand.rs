//! `/agency/brand`: the agency's white label: the name, colour and logo its users and
//! merchants see instead of mpforge's, and its own domain (whose login page shows them).
//! A plain form; the logo is sent by `public/brand-logo.js` (with JavaScript only).
use crate::api::get_brand;
use crate::components::feedback::{set_http_status, ErrorAlert, ErrorPage, Loading};
use crate::components::outcome::{refused_value, use_outcome, FormOutcome};
use crate::components::session::{use_session, CsrfField};
use crate::i18n::{tr, Lang};
use crate::model::BrandView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn BrandPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    if let Err(elsewhere) = super::agency_admin(&s) {
        return elsewhere;
    }
    let t = move |en, zh| tr(lang, en, zh);
    let saved = use_query_map().read_untracked().get("saved").is_some();
    let outcome = use_outcome();
    let refused = match &outcome {
        Some(FormOutcome::Refused { error, .. }) => {
            set_http_status(error.status());
            Some(error.clone())
        }
        _ => None,
    };
    let data = Resource::new_blocking(|| (), |_| get_brand());
    let csrf = s.csrf.clone();
    view! {
        <Title text=t("White label", "品牌设置")/>
        <a class="back" href="/agency">"← "{t("Dashboard", "控制台")}</a>
        <div class="page-head"><div>
            <p class="eyebrow">{t("Agency settings", "服务商设置")}</p>
            <h1>{t("White label", "品牌设置")}</h1>
            <p class="muted">{t("Your name, colour and logo on your team's and your merchants' screens, and on the login page of your own domain.", "您的名称、颜色和标志将显示在团队和商户的页面上,以及您自有域名的登录页面上。")}</p>
        </div></div>
        {saved.then(|| view! { <p class="alert alert-ok" role="status">{t("Saved.", "已保存。")}</p> })}
        {refused.clone().map(|error| view! { <ErrorAlert error lang/> })}
        <Suspense fallback=Loading>
            {move || {
                let (csrf, outcome) = (csrf.clone(), outcome.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <Form v csrf outcome lang/> }.into_any(),
                        Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Form(v: BrandView, csrf: String, outcome: Option<FormOutcome>, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let refused = matches!(outcome, Some(FormOutcome::Refused { .. }));
    let value = |name: &str, stored: &str| {
        if refused {
            refused_value(&outcome, name)
        } else {
            stored.to_string()
        }
    };
    view! {
        <section class="card" aria-labelledby="brand-title">
            <h2 id="brand-title">{t("Look", "外观")}</h2>
            <form method="post" action="/agency/brand" class="grid-form">
                <CsrfField token=csrf.clone()/>
                <div class="field"><label for="b-name">{t("Name shown", "显示名称")}</label>
                    <input id="b-name" name="name" maxlength="60" value=value("name", &v.name)/></div>
                <div class="field"><label for="b-color">{t("Colour", "颜色")}</label>
                    <input id="b-color" name="color" maxlength="7" placeholder="#06874a" value=value("color", &v.color)/></div>
                <div class="field"><label for="b-domain">{t("Your domain (optional)", "自有域名(可选)")}</label>
                    <input id="b-domain" name="domain" placeholder="app.example.com" value=value("domain", &v.domain) aria-describedby="b-domain-hint"/>
                    <p class="hint" id="b-domain-hint">{t("Point it at this server (a CNAME or your proxy); its login page then shows your look.", "将其指向本服务器(CNAME 或代理);其登录页面即显示您的品牌。")}</p></div>
                <div class="actions"><button type="submit" class="btn btn-primary">{t("Save", "保存")}</button></div>
            </form>
        </section>
        <section class="card" aria-labelledby="logo-title">
            <h2 id="logo-title">{t("Logo", "标志")}</h2>
            {v.logo.clone().map(|src| view! { <img class="brand-preview" src=src alt=tr(lang, "Your logo", "您的标志") width="96" height="96"/> })}
            <div class="field" hidden id="logo-field">
                <label for="b-logo">{t("A picture (PNG, JPEG, WebP)", "图片(PNG、JPEG、WebP)")}</label>
                <input id="b-logo" type="file" accept="image/*" data-csrf=csrf/>
                <p class="hint" id="logo-status" role="status"></p>
            </div>
            <noscript><p class="muted">{t("Sending a logo needs JavaScript.", "上传标志需要启用 JavaScript。")}</p></noscript>
            <script src="/brand-logo.js" defer></script>
        </section>
    }
}
