//! `/agency/api`: the agency's scripting-API tokens. Make one (shown this once, with a Copy
//! button), see when each was last used, revoke one. Plain forms posted to this page, no
//! island.
use crate::api::get_api_tokens;
use crate::components::feedback::{set_http_status, ErrorAlert, ErrorPage, Loading};
use crate::components::field::{FormField, SecretField};
use crate::components::outcome::{use_outcome, FormOutcome};
use crate::components::session::{use_session, CsrfField};
use crate::i18n::{tr, Lang};
use crate::model::ApiTokenView;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    if let Err(elsewhere) = super::agency_admin(&s) {
        return elsewhere;
    }
    let t = move |en, zh| tr(lang, en, zh);
    let outcome = use_outcome();
    if let Some(FormOutcome::Refused { error, .. }) = &outcome {
        set_http_status(error.status());
    }
    let created = match &outcome {
        Some(FormOutcome::TokenCreated { name, token }) => Some((name.clone(), token.clone())),
        _ => None,
    };
    let refused = match &outcome {
        Some(FormOutcome::Refused { error, .. }) => Some(error.clone()),
        _ => None,
    };
    let tokens = Resource::new_blocking(|| (), |_| get_api_tokens());
    let csrf = StoredValue::new(s.csrf.clone());
    view! {
        <Title text=t("API tokens", "API 令牌")/>
        <a class="back" href="/agency">"← "{t("Dashboard", "控制台")}</a>
        <div class="page-head">
            <div>
                <p class="eyebrow">{t("Agency settings", "服务商设置")}</p>
                <h1>{t("API tokens", "API 令牌")}</h1>
                <p class="muted">{t("Scripts and other systems use the mpforge API with a token: send it as “Authorization: Bearer TOKEN”. A token acts for your agency, in your name. The API is described in docs/api.md and at /api/v1/openapi.json.", "脚本和其他系统使用令牌调用 mpforge API:以“Authorization: Bearer TOKEN”发送。令牌以您的名义代表本服务商。API 说明见 docs/api.md 和 /api/v1/openapi.json。")}</p>
            </div>
        </div>
        {created.map(|(name, token)| view! {
            <div class="alert alert-ok" role="status">
                <p>{t("Token made: ", "令牌已创建:")}<strong>{name}</strong>". "
                   {t("Copy it now: it is shown this once and cannot be shown again.", "请立即复制:令牌只显示这一次。")}</p>
                <SecretField id="new-token" label=tr(lang, "Your new token", "新令牌") value=token lang/>
            </div>
        })}
        {refused.map(|error| view! { <ErrorAlert error lang/> })}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(list) => view! { <TokenTable list csrf=csrf.get_value() lang/> }.into_any(),
                    Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card" aria-labelledby="new-token-title">
            <h2 id="new-token-title">{t("Make a token", "创建令牌")}</h2>
            <form method="post" action="/agency/api" class="grid-form">
                <CsrfField token=s.csrf.clone()/>
                <input type="hidden" name="action" value="create"/>
                <FormField id="token-name" name="name" label=t("What it is for", "用途") lang
                    required=true maxlength=60 hint=t("For example “till sync” or “nightly publish”.", "例如“收银同步”或“每晚发布”。")/>
                <div class="actions">
                    <button type="submit" class="btn btn-primary">{t("Make token", "创建令牌")}</button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn TokenTable(list: Vec<ApiTokenView>, csrf: String, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    if list.is_empty() {
        return view! { <p class="empty card">{t("No tokens yet.", "还没有令牌。")}</p> }
            .into_any();
    }
    let day = |s: &str| s.get(..16).unwrap_or(s).replace('T', " ");
    let rows = list
        .into_iter()
        .map(|tk| {
            let revoked = tk.revoked_at.is_some();
            let used = tk
                .last_used_at
                .as_deref()
                .map(day)
                .unwrap_or_else(|| t("never", "从未").to_string());
            let label = format!("{}: {}", t("Revoke", "撤销"), tk.name);
            view! {
                <tr class:revoked=revoked>
                    <td>{tk.name.clone()}
                        {revoked.then(|| view! { " " <span class="badge badge-paused">{t("revoked", "已撤销")}</span> })}
                    </td>
                    <td><code>{tk.created_by.clone()}</code></td>
                    <td>{day(&tk.created_at)}</td>
                    <td>{used}</td>
                    <td>
                        {(!revoked).then(|| view! {
                            <form method="post" action="/agency/api" class="inline">
                                <CsrfField token=csrf.clone()/>
                                <input type="hidden" name="action" value="revoke"/>
                                <input type="hidden" name="id" value=tk.id.clone()/>
                                <button type="submit" class="btn btn-small btn-danger" aria-label=label>{t("Revoke", "撤销")}</button>
                            </form>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card table-wrap">
            <table aria-label=t("API tokens", "API 令牌")>
                <thead>
                    <tr>
                        <th scope="col">{t("Name", "名称")}</th>
                        <th scope="col">{t("Made by", "创建者")}</th>
                        <th scope="col">{t("Made", "创建时间")}</th>
                        <th scope="col">{t("Last used", "最近使用")}</th>
                        <th scope="col"><span class="sr-only">{t("Actions", "操作")}</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
