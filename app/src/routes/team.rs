//! `/agency/users`: the agency's team. Invite an admin or a staff member with a one-time link
//! (shown once, valid seven days), see who is in, remove someone. Merchant staff are invited
//! from their merchant's page and listed here too. Plain forms, no island.
use crate::api::get_team;
use crate::components::feedback::{set_http_status, ErrorAlert, ErrorPage, Loading};
use crate::components::field::SecretField;
use crate::components::outcome::{use_outcome, FormOutcome};
use crate::components::session::{use_session, CsrfField};
use crate::i18n::{tr, Lang};
use crate::model::{MemberView, Role};
use leptos::prelude::*;
use leptos_meta::Title;

/// The one-time invitation link just made, with a Copy button (shared with the merchant page).
#[component]
pub fn InviteCreated(url: String, role: Role, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    view! {
        <div class="alert alert-ok" role="status">
            <p>{t("Invitation made for: ", "已创建邀请:")}<strong>{role.label(lang)}</strong>". "
               {t("Send this link to the person; it works once, for seven days, and is not shown again.", "请把此链接发给对方;链接只能使用一次,七天内有效,不会再次显示。")}</p>
            <SecretField id="invite-link" label=tr(lang, "Invitation link", "邀请链接") value=url lang/>
        </div>
    }
}

#[component]
pub fn TeamPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let user = match super::agency_admin(&s) {
        Ok(user) => user,
        Err(elsewhere) => return elsewhere,
    };
    let t = move |en, zh| tr(lang, en, zh);
    let outcome = use_outcome();
    if let Some(FormOutcome::Refused { error, .. }) = &outcome {
        set_http_status(error.status());
    }
    let created = match &outcome {
        Some(FormOutcome::InviteCreated { url, role }) => Some((url.clone(), *role)),
        _ => None,
    };
    let refused = match &outcome {
        Some(FormOutcome::Refused { error, .. }) => Some(error.clone()),
        _ => None,
    };
    let team = Resource::new_blocking(|| (), |_| get_team());
    let csrf = StoredValue::new(s.csrf.clone());
    let me = user.id.clone();
    view! {
        <Title text=t("Team", "团队")/>
        <a class="back" href="/agency">"← "{t("Dashboard", "控制台")}</a>
        <div class="page-head">
            <div>
                <p class="eyebrow">{user.agency_name.clone()}</p>
                <h1>{t("Team", "团队")}</h1>
                <p class="muted">{t("Admins do everything, including users and settings. Staff edit and publish every merchant's sites. A merchant's staff edit its sites but do not publish.", "管理员可以做所有事情,包括用户和设置。员工可以编辑并发布所有商户的网站。商户员工可以编辑网站,但不能发布。")}</p>
            </div>
        </div>
        {created.map(|(url, role)| view! { <InviteCreated url role lang/> })}
        {refused.map(|error| view! { <ErrorAlert error lang/> })}
        <Suspense fallback=Loading>
            {move || {
                let me = me.clone();
                Suspend::new(async move {
                    match team.await {
                        Ok(v) => view! { <Members list=v.members csrf=csrf.get_value() me lang/> }.into_any(),
                        Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                    }
                })
            }}
        </Suspense>
        <section class="card" aria-labelledby="invite-title">
            <h2 id="invite-title">{t("Invite someone", "邀请成员")}</h2>
            <form method="post" action="/agency/users" class="grid-form">
                <CsrfField token=s.csrf.clone()/>
                <input type="hidden" name="action" value="invite"/>
                <fieldset>
                    <legend>{t("Role", "角色")}</legend>
                    <label class="check"><input type="radio" name="role" value="agency_staff" checked/>" "{Role::AgencyStaff.label(lang)}</label>
                    <label class="check"><input type="radio" name="role" value="agency_admin"/>" "{Role::AgencyAdmin.label(lang)}</label>
                </fieldset>
                <div class="actions">
                    <button type="submit" class="btn btn-primary">{t("Make an invitation link", "生成邀请链接")}</button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn Members(list: Vec<MemberView>, csrf: String, me: String, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    if list.is_empty() {
        return view! { <p class="empty card">{t("Nobody has joined by invitation yet.", "还没有人通过邀请加入。")}</p> }.into_any();
    }
    let rows = list
        .into_iter()
        .map(|m| {
            let label = format!("{}: {}", t("Remove", "移除"), m.display_name);
            let mine = m.user_id == me;
            view! {
                <tr>
                    <td>{m.display_name.clone()}</td>
                    <td><code>{m.login.clone()}</code></td>
                    <td>{m.role.label(lang)}</td>
                    <td>{m.added_at.get(..10).unwrap_or_default().to_string()}" · "{m.added_by.clone()}</td>
                    <td>{(!mine).then(|| view! {
                        <form method="post" action="/agency/users" class="inline">
                            <CsrfField token=csrf.clone()/>
                            <input type="hidden" name="action" value="remove"/>
                            <input type="hidden" name="user" value=m.user_id.clone()/>
                            <button type="submit" class="btn btn-small btn-danger" aria-label=label>{t("Remove", "移除")}</button>
                        </form>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card table-wrap">
            <table aria-label=t("Team", "团队")>
                <thead><tr>
                    <th scope="col">{t("Name", "姓名")}</th>
                    <th scope="col">{t("Login", "登录名")}</th>
                    <th scope="col">{t("Role", "角色")}</th>
                    <th scope="col">{t("Joined", "加入")}</th>
                    <th scope="col"><span class="sr-only">{t("Actions", "操作")}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
