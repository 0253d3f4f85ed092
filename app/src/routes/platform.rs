//! `/agency/wechat`: the agency's WeChat third-party platform: its AppID and secrets (never
//! shown back), the template id of each theme, the contact for the privacy guideline, and the
//! two push addresses to enter in the WeChat Open Platform. A plain form, no island.
use crate::api::get_platform_view;
use crate::components::feedback::{ErrorPage, Loading};
use crate::components::session::{use_session, CsrfField};
use crate::i18n::{tr, Lang};
use crate::model::publish::PlatformView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use serde::Deserialize;

#[derive(Clone, Deserialize)]
struct Problem {
    field: String,
    message: String,
}

#[component]
pub fn PlatformPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    if s.user.is_none() {
        return view! { <Redirect path="/login"/> }.into_any();
    }
    let query = use_query_map().read_untracked().clone();
    let saved = query.get("saved").is_some();
    let links = LinkResult {
        done: query.get("links").and_then(|n| n.parse().ok()),
        failures: query
            .get("link_failures")
            .and_then(|f| serde_json::from_str(&f).ok())
            .unwrap_or_default(),
        error: query.get("link_error"),
    };
    let problems: Vec<Problem> = query
        .get("problems")
        .and_then(|p| serde_json::from_str(&p).ok())
        .unwrap_or_default();
    let data = Resource::new_blocking(|| (), |_| get_platform_view());
    let csrf = s.csrf.clone();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let (csrf, problems, links) = (csrf.clone(), problems.clone(), links.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <Settings v csrf saved problems links lang/> }.into_any(),
                        Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// What registering the link rules did, from the redirect's query.
#[derive(Clone, Default)]
struct LinkResult {
    done: Option<usize>,
    failures: Vec<String>,
    error: Option<String>,
}

#[component]
fn Settings(
    v: PlatformView,
    csrf: String,
    saved: bool,
    problems: Vec<Problem>,
    links: LinkResult,
    lang: Lang,
) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let problem = {
        let problems = problems.clone();
        move |field: &str| {
            problems
                .iter()
                .find(|p| p.field == field)
                .map(|p| p.message.clone())
        }
    };
    let field = {
        let problem = problem.clone();
        move |name: &'static str,
              label: &'static str,
              value: String,
              kind: &'static str,
              hint: &'static str| {
            let error = problem(name);
            let id = format!("f-{name}");
            let hint_id = format!("{id}-hint");
            let err_id = format!("{id}-error");
            let described = if error.is_some() {
                format!("{hint_id} {err_id}")
            } else {
                hint_id.clone()
            };
            view! {
                <div class="field">
                    <label for=id.clone()>{label}</label>
                    <input id=id type=kind name=name value=value autocomplete="off" aria-describedby=described aria-invalid=error.is_some().then_some("true")/>
                    <p class="hint" id=hint_id>{hint}</p>
                    {error.map(|e| view! { <p class="field-error" id=err_id>{e}</p> })}
                </div>
            }
        }
    };
    let secret_hint = if v.secrets_set {
        t(
            "Stored and sealed. Leave empty to keep it.",
            "已加密保存。留空则保持不变。",
        )
    } else {
        t(
            "From the WeChat Open Platform → third-party platform → development settings.",
            "见微信开放平台 → 第三方平台 → 开发资料。",
        )
    };
    let templates = v.templates.clone();
    let template_fields = ["shop", "booking", "info"]
        .into_iter()
        .map(|theme| {
            let value = templates.iter().find(|(t, _)| t == theme).map(|(_, id)| id.clone()).unwrap_or_default();
            let name: &'static str = match theme {
                "shop" => "template_shop",
                "booking" => "template_booking",
                _ => "template_info",
            };
            let label: &'static str = match theme {
                "shop" => "Shop template id",
                "booking" => "Booking template id",
                _ => "Info template id",
            };
            let error = problem(&format!("template.{theme}"));
            view! {
                <div class="field">
                    <label for=format!("f-{name}")>{label}</label>
                    <input id=format!("f-{name}") name=name value=value inputmode="numeric" autocomplete="off"/>
                    {error.map(|e| view! { <p class="field-error">{e}</p> })}
                </div>
            }
        })
        .collect_view();
    let ticket = match v.ticket_at {
        Some(_) => t("WeChat's verify ticket has arrived: the events address works.", "已收到微信的验证票据:授权事件接收地址正常。"),
        None => t("No verify ticket from WeChat yet: check the events address below (tickets arrive every 10 minutes).", "尚未收到微信的验证票据:请检查下方的授权事件接收地址(每 10 分钟推送一次)。"),
    };
    let general: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect();
    view! {
        <Title text=t("WeChat platform", "微信第三方平台")/>
        <a class="back" href="/agency">"← "{t("Dashboard", "控制台")}</a>
        <div class="page-head">
            <div>
                <p class="eyebrow">{t("Agency settings", "服务商设置")}</p>
                <h1>{t("WeChat third-party platform", "微信第三方平台")}</h1>
                <p class="muted">{t("Your merchants' mini programs are published through your platform: set it once here.", "商家的小程序通过您的第三方平台发布:在此设置一次即可。")}</p>
            </div>
        </div>
        {saved.then(|| view! { <p class="alert alert-ok" role="status">{t("Saved.", "已保存。")}</p> })}
        {(!general.is_empty()).then(|| view! {
            <div class="alert alert-error" role="alert">
                <p>{t("Nothing was saved; please fix:", "未保存,请修正:")}</p>
                <ul>{general.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}</ul>
            </div>
        })}
        <section class="card" aria-labelledby="push-title">
            <h2 id="push-title">{t("Addresses to enter in the WeChat Open Platform", "在微信开放平台填写的地址")}</h2>
            <p>{t("Authorization events URL: ", "授权事件接收 URL:")}<code>{v.events_url.clone()}</code></p>
            <p>{t("Messages and events URL: ", "消息与事件接收 URL:")}<code>{v.messages_url.clone()}</code></p>
            <p class="muted">{ticket}</p>
        </section>
        <section class="card" aria-labelledby="links-title">
            <h2 id="links-title">{t("Link QR codes open the mini program", "链接二维码打开小程序")}</h2>
            <p class="muted">{t("Each site's link QR code opens its H5 page in any browser. Registered with WeChat, scanning it in WeChat opens the released mini program instead (for every connected site with a released version).", "每个网站的链接二维码在浏览器中打开 H5 页面。在微信登记后,用微信扫码将直接打开已发布的小程序(适用于所有已连接且已发布的网站)。")}</p>
            {links.done.map(|n| view! { <p class="alert alert-ok" role="status">{format!("{}{n}", t("Registered: ", "已登记:"))}</p> })}
            {links.error.clone().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            {(!links.failures.is_empty()).then(|| view! {
                <ul class="alert alert-warn" role="status">{links.failures.clone().into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
            })}
            <form method="post" action="/agency/wechat/link-rules" class="inline">
                <CsrfField token=csrf.clone()/>
                <button type="submit" class="btn">{t("Register the link QR codes with WeChat", "向微信登记链接二维码")}</button>
            </form>
        </section>
        <section class="card" aria-labelledby="platform-title">
            <h2 id="platform-title">{t("Platform", "平台信息")}</h2>
            <form method="post" action="/agency/wechat" class="stack">
                <CsrfField token=csrf/>
                {field("component_appid", "Component AppID", v.component_appid.clone(), "text", t("wx followed by 16 letters or digits.", "wx 加 16 位字母或数字。"))}
                {field("secret", "AppSecret", String::new(), "password", secret_hint)}
                {field("token", "Message token (消息校验Token)", String::new(), "password", secret_hint)}
                {field("aes_key", "EncodingAESKey (消息加解密Key)", String::new(), "password", secret_hint)}
                <h3>{t("Templates", "模板")}</h3>
                <p class="muted">{t("Upload each theme's template once (mpforge template --theme shop --out DIR), add it to the template library, and enter its id.", "每个主题的模板上传一次(mpforge template --theme shop --out DIR),加入模板库后填写模板 ID。")}</p>
                {template_fields}
                <h3>{t("Privacy guideline contact", "隐私保护指引联系方式")}</h3>
                {field("contact_email", "Email", v.contact_email.clone(), "email", t("Shown to customers in every mini program's privacy guideline.", "将显示在每个小程序的用户隐私保护指引中。"))}
                {field("contact_phone", "Phone", v.contact_phone.clone(), "tel", t("Optional when an email is given.", "填写邮箱后可不填。"))}
                <div class="field">
                    <label><input type="checkbox" name="auto_release" checked=v.auto_release/>" "{t("Release approved versions automatically", "审核通过后自动发布")}</label>
                </div>
                <div class="actions"><button type="submit" class="btn btn-primary">{t("Save", "保存")}</button></div>
            </form>
        </section>
    }
}
