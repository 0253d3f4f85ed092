//! `/agency`: the agency's dashboard (every site, where it stands, bulk actions), its merchants
//! and a form to add one. Server-rendered, no island.
use super::dashboard::SiteDashboard;
use crate::api::{get_dashboard, list_merchants};
use crate::components::feedback::{set_http_status, ErrorAlert, ErrorPage, Loading};
use crate::components::field::{FormField, SecretField};
use crate::components::outcome::{general_refusal, use_outcome, DoneNotice, FormOutcome};
use crate::components::session::{use_session, CsrfField};
use crate::error::AppError;
use crate::i18n::{Lang, Text};
use crate::model::{MerchantView, Role};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AgencyPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let Some(user) = s.user.clone() else {
        return view! { <Redirect path="/login"/> }.into_any();
    };
    if !user.role.is_agency() {
        return view! { <ErrorPage error=AppError::Forbidden lang/> }.into_any();
    }
    let admin = user.role == Role::AgencyAdmin;
    // A refused form of someone who does not see the form (staff creating a merchant): said
    // here, with its status.
    let refused_elsewhere = match use_outcome() {
        Some(FormOutcome::Refused { error, .. }) if !admin => {
            set_http_status(error.status());
            Some(error)
        }
        _ => None,
    };
    let merchants = Resource::new_blocking(|| (), |_| list_merchants());
    let query = use_query_map().read_untracked().clone();
    let get = |k: &str| query.get(k).unwrap_or_default();
    let (q, state, sort) = (get("q"), get("state"), get("sort"));
    let page = query.get("page").and_then(|p| p.parse().ok());
    let error = query.get("error");
    let dashboard = Resource::new_blocking(
        move || (q.clone(), state.clone(), sort.clone(), page),
        |(q, state, sort, page)| get_dashboard(q, state, sort, page),
    );
    let t = move |k| lang.t(k);
    let csrf = StoredValue::new(s.csrf.clone());
    let tokens_label = if lang == Lang::Zh {
        "API 令牌"
    } else {
        "API tokens"
    };
    let dashboard_label = if lang == Lang::Zh {
        "控制台"
    } else {
        "Dashboard"
    };
    view! {
        <Title text=dashboard_label/>
        <div class="page-head">
            <div>
                <p class="eyebrow">{user.agency_name.clone()}</p>
                <h1>{dashboard_label}</h1>
                <p class="muted">{t(Text::MerchantsIntro)}</p>
            </div>
            {admin.then(|| view! {
                <div class="actions">
                    <a class="btn" href="/agency/import">{if lang == Lang::Zh { "导入商户" } else { "Import merchants" }}</a>
                    <a class="btn" href="/agency/users">{if lang == Lang::Zh { "团队" } else { "Team" }}</a>
                    <a class="btn" href="/agency/brand">{if lang == Lang::Zh { "品牌" } else { "White label" }}</a>
                    <a class="btn" href="/agency/audit">{if lang == Lang::Zh { "操作记录" } else { "Activity" }}</a>
                    <a class="btn" href="/agency/wechat">{t(Text::WeChatPlatform)}</a>
                    <a class="btn" href="/agency/api">{tokens_label}</a>
                </div>
            })}
        </div>
        {refused_elsewhere.map(|error| view! { <ErrorAlert error lang/> })}
        <Suspense fallback=Loading>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    match dashboard.await {
                        Ok(v) => view! { <SiteDashboard v csrf=csrf.get_value() error lang/> }.into_any(),
                        Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                    }
                })
            }}
        </Suspense>
        <h2 class="section-title">{t(Text::Merchants)}</h2>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match merchants.await {
                    Ok(list) => {
                        let (deleted, live): (Vec<_>, Vec<_>) =
                            list.into_iter().partition(|m| m.restorable_until.is_some());
                        view! {
                            <DoneNotice lang param="name" said=MERCHANT_DONE/>
                            <MerchantTable list=live lang/>
                            <DeletedMerchants list=deleted csrf=csrf.get_value() lang/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                }
            })}
        </Suspense>
        {admin.then(|| view! { <NewMerchantForm csrf=s.csrf.clone() lang/> })}
    }
    .into_any()
}

/// What the actions on a merchant say once done.
pub const MERCHANT_DONE: &[(&str, Text)] = &[
    ("merchant_paused", Text::DoneMerchantPaused),
    ("merchant_resumed", Text::DoneMerchantResumed),
    ("merchant_deleted", Text::DoneMerchantDeleted),
    ("merchant_restored", Text::DoneMerchantRestored),
];

/// Merchants deleted within the last 30 days, each with a button to restore it.
#[component]
fn DeletedMerchants(list: Vec<MerchantView>, csrf: String, lang: Lang) -> impl IntoView {
    let t = move |k| lang.t(k);
    (!list.is_empty()).then(|| {
        let rows = list
            .into_iter()
            .map(|m| {
                let until = m.restorable_until.clone().unwrap_or_default();
                view! {
                    <li class="deleted-site">
                        <strong>{m.name.clone()}</strong>
                        <span class="muted small">{lang.fill(Text::RestorableUntil, &[("date", until)])}</span>
                        <form method="post" action=format!("/merchants/{}", m.id) class="inline">
                            <CsrfField token=csrf.clone()/>
                            <input type="hidden" name="action" value="restore_merchant"/>
                            <button type="submit" class="btn btn-small"
                                aria-label=format!("{}: {}", t(Text::RestoreMerchant), m.name)>{t(Text::RestoreMerchant)}</button>
                        </form>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="card" aria-labelledby="deleted-merchants-title">
                <h2 id="deleted-merchants-title">{t(Text::DeletedMerchants)}</h2>
                <ul class="deleted-list">{rows}</ul>
            </section>
        }
    })
}

#[component]
fn MerchantTable(list: Vec<MerchantView>, lang: Lang) -> impl IntoView {
    let t = move |k| lang.t(k);
    if list.is_empty() {
        return view! { <p class="empty card">{t(Text::NoMerchants)}</p> }.into_any();
    }
    let rows = list
        .into_iter()
        .map(|m| {
            let href = format!("/merchants/{}", m.id);
            view! {
                <tr>
                    <td><a href=href>{m.name}</a>
                        {m.paused.then(|| view! { " " <span class="badge badge-paused">{t(Text::StatePaused)}</span> })}
                    </td>
                    <td><code>{m.login}</code></td>
                    <td class="num">{m.site_count}</td>
                    <td>{m.created_at.get(..10).unwrap_or_default().to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card table-wrap">
            <table aria-label=t(Text::Merchants)>
                <thead>
                    <tr>
                        <th scope="col">{t(Text::MerchantName)}</th>
                        <th scope="col">{t(Text::MerchantLogin)}</th>
                        <th scope="col" class="num">{t(Text::SitesCount)}</th>
                        <th scope="col">{t(Text::Created)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A plain form posted to `/agency` (works without JavaScript): the server creates the
/// merchant and renders this page again with the outcome.
#[component]
fn NewMerchantForm(csrf: String, lang: Lang) -> impl IntoView {
    let t = move |k| lang.t(k);
    let outcome = use_outcome();
    if let Some(FormOutcome::Refused { error, .. }) = &outcome {
        set_http_status(error.status());
    }
    let created = match &outcome {
        Some(FormOutcome::MerchantCreated(created)) => Some(created.clone()),
        _ => None,
    };
    // A refusal not about one of the fields is shown above them.
    let general = general_refusal(&outcome, &["name", "login", "password"]);
    view! {
        <section class="card" aria-labelledby="new-merchant-title">
            <h2 id="new-merchant-title">{t(Text::CreateMerchant)}</h2>
            {created.map(|created| view! {
                <div class="alert alert-ok" role="status">
                    <p>{t(Text::MerchantCreated)}" "<strong>{created.merchant.name.clone()}</strong></p>
                    {created.generated_password.map(|p| view! {
                        <SecretField id="created-password" label=t(Text::GeneratedPassword) value=p lang/>
                    })}
                </div>
            })}
            {general.map(|error| view! { <ErrorAlert error lang/> })}
            <form method="post" action="/agency" class="grid-form">
                <CsrfField token=csrf/>
                <FormField id="m-name" name="name" label=t(Text::MerchantName) lang
                    required=true maxlength=80/>
                <FormField id="m-login" name="login" label=t(Text::MerchantLogin) lang
                    required=true maxlength=64 autocomplete="off" verbatim=true/>
                <FormField id="m-password" name="password" label=t(Text::MerchantPassword) lang
                    kind="password" minlength=10 autocomplete="new-password"
                    hint=t(Text::MerchantPasswordHint)/>
                <div class="actions">
                    <button type="submit" class="btn btn-primary">{t(Text::CreateMerchant)}</button>
                </div>
            </form>
        </section>
    }
}
