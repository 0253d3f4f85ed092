//! The audit log: `/agency/audit` (the agency's, for its admins) and
//! `/merchants/:id/activity` (what concerns one merchant and its sites, for its owner and the
//! agency's admins): who did what and when, newest first, filtered by kind and words. A GET
//! form, no island.
use crate::api::get_activity;
use crate::components::feedback::{ErrorPage, Loading};
use crate::components::session::use_session;
use crate::i18n::{tr, Lang};
use crate::model::AuditLine;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Every kind of entry, with its name in both languages.
pub const ACTIONS: &[(&str, &str, &str)] = &[
    ("login", "Signed in", "登录"),
    ("login_failed", "Failed sign-in", "登录失败"),
    ("site_saved", "Site saved", "保存网站"),
    (
        "agency_edited_site",
        "Agency edited a merchant's site",
        "服务商编辑了商户网站",
    ),
    ("publish_start", "Publish started", "开始发布"),
    ("publish_release", "Released", "发布上线"),
    ("publish_rollback", "Rolled back", "回退"),
    ("merchant_created", "Merchant added", "添加商户"),
    ("merchant_paused", "Merchant paused", "暂停商户"),
    ("merchant_resumed", "Merchant resumed", "恢复商户"),
    ("merchant_deleted", "Merchant deleted", "删除商户"),
    ("merchant_restored", "Merchant restored", "还原商户"),
    ("password_reset", "Password reset", "重置密码"),
    ("user_invited", "User invited", "邀请用户"),
    ("user_joined", "User joined", "用户加入"),
    ("user_removed", "User removed", "移除用户"),
    (
        "platform_settings",
        "WeChat settings changed",
        "修改微信设置",
    ),
    ("api_token_created", "API token made", "创建 API 令牌"),
    ("api_token_revoked", "API token revoked", "撤销 API 令牌"),
];

fn action_name(action: &str, lang: Lang) -> String {
    ACTIONS
        .iter()
        .find(|(k, _, _)| *k == action)
        .map(|(_, en, zh)| if lang == Lang::Zh { *zh } else { *en }.to_string())
        .unwrap_or_else(|| action.replace('_', " "))
}

#[component]
pub fn AgencyActivityPage() -> impl IntoView {
    view! { <Activity merchant=false/> }
}

#[component]
pub fn MerchantActivityPage() -> impl IntoView {
    view! { <Activity merchant=true/> }
}

#[component]
fn Activity(merchant: bool) -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    if s.user.is_none() {
        return view! { <Redirect path="/login"/> }.into_any();
    }
    let t = move |en, zh| tr(lang, en, zh);
    let merchant_id = merchant
        .then(|| use_params_map().read_untracked().get("id"))
        .flatten();
    let query = use_query_map().read_untracked().clone();
    let action = query.get("action").unwrap_or_default();
    let q = query.get("q").unwrap_or_default();
    let lines = Resource::new_blocking(
        {
            let (m, a, q) = (merchant_id.clone(), action.clone(), q.clone());
            move || (m.clone(), a.clone(), q.clone())
        },
        |(m, a, q)| get_activity(m, a, q),
    );
    let (here, back) = match &merchant_id {
        Some(id) => (
            format!("/merchants/{id}/activity"),
            format!("/merchants/{id}"),
        ),
        None => ("/agency/audit".to_string(), "/agency".to_string()),
    };
    let options = ACTIONS
        .iter()
        .map(|(k, en, zh)| {
            let label = if lang == Lang::Zh { *zh } else { *en };
            view! { <option value=*k selected=action == *k>{label}</option> }
        })
        .collect_view();
    view! {
        <Title text=t("Activity", "操作记录")/>
        <a class="back" href=back>"← "{t("Back", "返回")}</a>
        <div class="page-head"><div>
            <h1>{t("Activity", "操作记录")}</h1>
            <p class="muted">{t("Who did what, and when: newest first.", "谁在何时做了什么:最新的在前。")}</p>
        </div></div>
        <form method="get" action=here class="filters" role="search">
            <label for="act-kind">{t("Kind", "类型")}</label>
            <select id="act-kind" name="action">
                <option value="">{t("Everything", "全部")}</option>
                {options}
            </select>
            <label for="act-q" class="sr-only">{t("Words", "关键词")}</label>
            <input id="act-q" type="search" name="q" value=q placeholder=t("A login, a site's name…", "登录名、网站名…")/>
            <button type="submit" class="btn btn-small">{t("Filter", "筛选")}</button>
        </form>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match lines.await {
                    Ok(list) => view! { <Lines list lang/> }.into_any(),
                    Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Lines(list: Vec<AuditLine>, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    if list.is_empty() {
        return view! { <p class="empty card">{t("Nothing yet.", "暂无记录。")}</p> }.into_any();
    }
    let rows = list
        .into_iter()
        .map(|l| {
            let site = l
                .site_id
                .map(|s| view! { <a href=format!("/sites/{s}/publish")>{t("site", "网站")}</a> });
            view! {
                <tr>
                    <td>{l.at.get(..19).unwrap_or(&l.at).replace('T', " ")}</td>
                    <td data-action=l.action.clone()>{action_name(&l.action, lang)}</td>
                    <td>{l.detail.clone()}</td>
                    <td>{site}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card table-wrap">
            <table aria-label=t("Activity", "操作记录")>
                <thead><tr>
                    <th scope="col">{t("When (UTC)", "时间(UTC)")}</th>
                    <th scope="col">{t("What", "操作")}</th>
                    <th scope="col">{t("Who, and about what", "操作人及对象")}</th>
                    <th scope="col"><span class="sr-only">{t("Site", "网站")}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
