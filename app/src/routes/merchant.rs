//! `/merchants/:id`: a merchant's sites, and creating one from a template. Server-rendered,
//! no island.
use crate::api::get_merchant_home;
use crate::components::feedback::{set_http_status, ErrorAlert, ErrorPage, Loading};
use crate::components::field::SecretField;
use crate::components::outcome::{
    general_refusal, refused_field, refused_value, use_outcome, DoneNotice, FormOutcome,
};
use crate::components::session::{use_session, CsrfField};
use crate::i18n::{Lang, Text};
use crate::model::{MerchantView, Role, SiteSummary, ThemeKind};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

#[component]
pub fn MerchantPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let Some(user) = s.user.clone() else {
        return view! { <Redirect path="/login"/> }.into_any();
    };
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let home = Resource::new_blocking(id, get_merchant_home);
    let t = move |k| lang.t(k);
    let back = user.role.is_agency().then(|| {
        view! { <a class="back" href="/agency">"← "{t(Text::BackToDashboard)}</a> }
    });
    let csrf = s.csrf.clone();
    let agency = user.role.is_agency();
    let admin = user.role == Role::AgencyAdmin;
    let manages_team = matches!(user.role, Role::AgencyAdmin | Role::Merchant);
    view! {
        {back}
        <Suspense fallback=Loading>
            {move || {
                let csrf = csrf.clone();
                Suspend::new(async move {
                    let home = match home.await {
                        Ok(home) => home,
                        Err(error) => return view! { <ErrorPage error lang/> }.into_any(),
                    };
                    // The agency sees the merchant itself; the merchant, its own mini programs.
                    let (eyebrow, heading) = if agency {
                        (t(Text::Merchant).to_string(), home.merchant.name.clone())
                    } else {
                        (home.merchant.name.clone(), t(Text::MySites).to_string())
                    };
                    let account = admin.then(|| view! {
                        <MerchantAccount merchant=home.merchant.clone() csrf=csrf.clone() lang/>
                    });
                    view! {
                        <Title text=home.merchant.name.clone()/>
                        <div class="page-head">
                            <div>
                                <p class="eyebrow">{eyebrow}</p>
                                <h1>{heading}</h1>
                                <p class="muted">{t(Text::SitesIntro)}</p>
                            </div>
                        </div>
                        {account}
                        <InboxCard merchant_id=home.merchant.id.clone() counts=home.counts.clone() lang/>
                        <DoneNotice lang param="site" said=SITE_DONE/>
                        <DoneNotice lang param="name" said=crate::routes::agency::MERCHANT_DONE/>
                        <SiteList merchant_id=home.merchant.id.clone() sites=home.sites deleted=home.deleted csrf=csrf.clone() lang/>
                        {manages_team.then(|| view! {
                            <MerchantTeam merchant_id=home.merchant.id.clone() staff=home.staff.clone() csrf=csrf.clone() lang/>
                        })}
                        <NewSiteForm merchant_id=home.merchant.id csrf lang/>
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// What the merchant's mini programs brought in that needs doing, and the way to the inbox.
#[component]
fn InboxCard(
    merchant_id: String,
    counts: crate::model::inbox::Counts,
    lang: Lang,
) -> impl IntoView {
    let t = move |en, zh| crate::i18n::tr(lang, en, zh);
    let summary = match lang {
        Lang::Zh => format!(
            "{} 个新订单待接单,{} 个订单处理中,今天 {} 个预约。",
            counts.new_orders, counts.open_orders, counts.bookings_today
        ),
        Lang::En => format!(
            "{} new orders to accept, {} under way, {} bookings today.",
            counts.new_orders, counts.open_orders, counts.bookings_today
        ),
    };
    let urgent = counts.new_orders > 0;
    view! {
        <section class=if urgent { "card inbox-card urgent" } else { "card inbox-card" } aria-labelledby="inbox-card-title">
            <h2 id="inbox-card-title">{t("Orders and bookings", "订单与预约")}</h2>
            <p id="inbox-card-counts">{summary}</p>
            <a class="btn btn-primary" href=format!("/merchants/{merchant_id}/inbox")>{t("Open the inbox", "打开收件箱")}</a>
        </section>
    }
}

/// The agency's view of the merchant's account: its login and a new password when it lost
/// its own (shown once, copyable, with where to sign in).
#[component]
fn MerchantAccount(merchant: MerchantView, csrf: String, lang: Lang) -> impl IntoView {
    let t = move |k| lang.t(k);
    let action = format!("/merchants/{}", merchant.id);
    let reset = match use_outcome() {
        Some(FormOutcome::PasswordReset {
            login,
            password,
            login_url,
        }) => Some(view! {
            <div class="alert alert-ok" role="status">
                <p>{lang.fill(Text::PasswordResetDone, &[("login", login)])}</p>
                <SecretField id="new-merchant-password" label=t(Text::GeneratedPassword) value=password lang/>
                <p>{t(Text::SignInAt)}" "<code>{login_url}</code></p>
            </div>
        }),
        _ => None,
    };
    view! {
        <section class="card" aria-labelledby="merchant-account-title">
            <h2 id="merchant-account-title">{t(Text::MerchantAccount)}</h2>
            <dl class="facts">
                <dt>{t(Text::MerchantLogin)}</dt><dd><code>{merchant.login.clone()}</code></dd>
                <dt>{t(Text::SitesCount)}</dt><dd>{merchant.site_count}</dd>
                <dt>{t(Text::Created)}</dt><dd>{merchant.created_at.get(..10).unwrap_or_default().to_string()}</dd>
            </dl>
            {reset}
            {merchant.paused.then(|| view! { <p class="alert alert-error">{t(Text::MerchantPaused)}</p> })}
            <form method="post" action=action.clone() class="inline">
                <CsrfField token=csrf.clone()/>
                <input type="hidden" name="action" value="reset_password"/>
                <button type="submit" class="btn" aria-describedby="reset-hint">{t(Text::ResetPassword)}</button>
            </form>
            <p class="hint" id="reset-hint">{t(Text::ResetPasswordHint)}</p>
            <div class="account-actions">
                <form method="post" action=action.clone() class="inline">
                    <CsrfField token=csrf.clone()/>
                    <input type="hidden" name="action" value=if merchant.paused { "resume_merchant" } else { "pause_merchant" }/>
                    <button type="submit" class="btn" aria-describedby="pause-hint">
                        {if merchant.paused { t(Text::ResumeMerchant) } else { t(Text::PauseMerchant) }}
                    </button>
                </form>
                <details class="danger-zone">
                    <summary class="btn danger">{t(Text::DeleteMerchant)}</summary>
                    <p class="hint">{t(Text::DeleteMerchantHint)}</p>
                    <form method="post" action=action.clone()>
                        <CsrfField token=csrf/>
                        <input type="hidden" name="action" value="delete_merchant"/>
                        <button type="submit" class="btn btn-danger">{lang.fill(Text::DeleteMerchantConfirm, &[("name", merchant.name.clone())])}</button>
                    </form>
                </details>
            </div>
            <p class="hint" id="pause-hint">{t(Text::PauseMerchantHint)}</p>
        </section>
    }
}

/// Whether `o` is the refusal of an action on one site (rename, delete…), posted to this
/// page like the new-site form but said above the list.
fn is_site_action(o: &FormOutcome) -> bool {
    matches!(o, FormOutcome::Refused { values, .. }
        if values.iter().any(|(k, v)| k == "action" && v != "create"))
}

/// What the site actions say once done.
const SITE_DONE: &[(&str, Text)] = &[
    ("rename", Text::DoneRename),
    ("duplicate", Text::DoneDuplicate),
    ("archive", Text::DoneArchive),
    ("unarchive", Text::DoneUnarchive),
    ("delete", Text::DoneDelete),
    ("restore", Text::DoneRestore),
];

/// A site action: a one-button plain form posted to the merchant page.
#[component]
fn SiteActionButton(
    merchant_id: String,
    site: String,
    csrf: String,
    action: &'static str,
    label: &'static str,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    view! {
        <form method="post" action=format!("/merchants/{merchant_id}") class="inline">
            <CsrfField token=csrf/>
            <input type="hidden" name="site" value=site/>
            <input type="hidden" name="action" value=action/>
            <button type="submit" class=if danger { "btn btn-small danger" } else { "btn btn-small" }>{label}</button>
        </form>
    }
}

#[component]
fn SiteList(
    merchant_id: String,
    sites: Vec<SiteSummary>,
    deleted: Vec<SiteSummary>,
    csrf: String,
    lang: Lang,
) -> impl IntoView {
    let t = move |k| lang.t(k);
    let outcome = use_outcome();
    // A refused action on a site is said above the list, naming what to fix.
    let refused = match &outcome {
        Some(o @ FormOutcome::Refused { error, .. }) if is_site_action(o) => {
            set_http_status(error.status());
            Some(error.clone())
        }
        _ => None,
    };
    let (archived, active): (Vec<_>, Vec<_>) = sites.into_iter().partition(|s| s.archived);
    let card = {
        let (merchant_id, csrf) = (merchant_id.clone(), csrf.clone());
        move |site: SiteSummary| {
            let (m, c, id) = (merchant_id.clone(), csrf.clone(), site.id.clone());
            let rename_id = format!("rename-{}", site.id);
            let button = move |action: &'static str, label: &'static str, danger: bool| {
                view! { <SiteActionButton merchant_id=m.clone() site=id.clone() csrf=c.clone() action label danger/> }
            };
            let archive = if site.archived {
                button("unarchive", t(Text::Unarchive), false)
            } else {
                button("archive", t(Text::Archive), false)
            };
            view! {
                <li class="card site-card">
                    <span class=format!("badge badge-{}", site.template.slug())>{site.template.label(lang)}</span>
                    <h3>{site.name.clone()}</h3>
                    <p class="muted">{t(Text::Updated)}" "{site.updated_at.get(..10).unwrap_or_default().to_string()}</p>
                    <a class="btn" href=format!("/sites/{}/edit", site.id) aria-label=format!("{}: {}", t(Text::EditSite), site.name)>{t(Text::EditSite)}</a>
                    <a class="btn" href=format!("/sites/{}/publish", site.id) aria-label=format!("{}: {}", t(Text::PublishSite), site.name)>{t(Text::PublishSite)}</a>
                    <div class="site-actions" role="group" aria-label=lang.fill(Text::ActionsFor, &[("name", site.name.clone())])>
                        <details class="rename">
                            <summary class="btn btn-small">{t(Text::Rename)}</summary>
                            <form method="post" action=format!("/merchants/{}", merchant_id) class="inline">
                                <CsrfField token=csrf.clone()/>
                                <input type="hidden" name="site" value=site.id.clone()/>
                                <input type="hidden" name="action" value="rename"/>
                                <label class="sr-only" for=rename_id.clone()>{t(Text::SiteName)}</label>
                                <input id=rename_id name="name" type="text" required maxlength="30" value=site.name.clone()/>
                                <button type="submit" class="btn btn-small btn-primary">{t(Text::SaveName)}</button>
                            </form>
                        </details>
                        {button("duplicate", t(Text::Duplicate), false)}
                        {archive}
                        {button("delete", t(Text::DeleteSite), true)}
                    </div>
                </li>
            }
        }
    };
    let list = if active.is_empty() {
        view! { <p class="empty card">{t(Text::NoSites)}</p> }.into_any()
    } else {
        let items = active.into_iter().map(card.clone()).collect_view();
        view! { <ul class="site-grid" aria-label=t(Text::Sites)>{items}</ul> }.into_any()
    };
    let archived = (!archived.is_empty()).then(|| {
        let items = archived.into_iter().map(card.clone()).collect_view();
        view! {
            <section aria-labelledby="archived-title">
                <h2 id="archived-title">{t(Text::ArchivedSites)}</h2>
                <p class="muted">{t(Text::ArchivedSitesIntro)}</p>
                <ul class="site-grid">{items}</ul>
            </section>
        }
    });
    let deleted = (!deleted.is_empty()).then(|| {
        let items = deleted
            .into_iter()
            .map(|site| {
                let until = lang.fill(Text::RestorableUntil, &[("date", site.restorable_until.clone().unwrap_or_default())]);
                view! {
                    <li class="deleted-site">
                        <strong>{site.name.clone()}</strong>" "
                        <span class="muted">{until}</span>" "
                        <SiteActionButton merchant_id=merchant_id.clone() site=site.id.clone() csrf=csrf.clone()
                            action="restore" label=t(Text::Restore)/>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="card" aria-labelledby="deleted-title">
                <h2 id="deleted-title">{t(Text::DeletedSites)}</h2>
                <p class="muted">{t(Text::DeletedSitesIntro)}</p>
                <ul class="deleted-list">{items}</ul>
            </section>
        }
    });
    view! {
        {refused.map(|error| view! { <ErrorAlert error lang/> })}
        {list}
        {archived}
        {deleted}
    }
    .into_any()
}

/// A plain form posted to `/merchants/{id}` (works without JavaScript): the server creates
/// the site and opens it in the editor, or renders this page again saying what to fix.
#[component]
fn NewSiteForm(merchant_id: String, csrf: String, lang: Lang) -> impl IntoView {
    let t = move |k| lang.t(k);
    let outcome = use_outcome();
    if let Some(FormOutcome::Refused { error, .. }) = &outcome {
        set_http_status(error.status());
    }
    let chosen = ThemeKind::from_slug(&refused_value(&outcome, "template"));
    let choices = ThemeKind::ALL
        .into_iter()
        .enumerate()
        .map(|(i, tpl)| {
            let id = format!("tpl-{}", tpl.slug());
            let desc_id = format!("{id}-desc");
            let checked = chosen.map_or(i == 0, |c| c == tpl);
            view! {
                <div class="template-choice">
                    <div class="template-pick">
                    <input type="radio" name="template" id=id.clone() value=tpl.slug() checked=checked
                        aria-describedby=desc_id.clone()/>
                    <label for=id>
                        // The starter's first page, rendered from the theme; inert: a picture.
                        <span class=format!("template-thumb thumb-{}", tpl.slug()) inert=true>
                            <iframe src=format!("/templates/{}/preview?lang={}", tpl.slug(), lang.code())
                                tabindex="-1" title=tpl.label(lang) sandbox=""></iframe>
                        </span>
                        <strong>{tpl.label(lang)}</strong>
                        <span class="muted" id=desc_id>{tpl.description(lang)}</span>
                    </label>
                    </div>
                    // The same page at phone size, over the page (no script: a disclosure).
                    <details class="template-zoom">
                        <summary class="btn btn-small">
                            <span class="when-closed">{lang.fill(Text::LookCloser, &[("template", tpl.label(lang).to_string())])}</span>
                            <span class="when-open">{t(Text::CloseTool)}</span>
                        </summary>
                        <div class="template-zoom-body">
                            <iframe src=format!("/templates/{}/preview?lang={}", tpl.slug(), lang.code())
                                title=lang.fill(Text::LookCloser, &[("template", tpl.label(lang).to_string())]) sandbox=""></iframe>
                        </div>
                    </details>
                </div>
            }
        })
        .collect_view();
    // Only this form's own refusals (a site action's is said above the list).
    let outcome = outcome.filter(|o| !is_site_action(o));
    let name_error = refused_field(&outcome, "name");
    let name_bad = name_error.is_some();
    let other_error = general_refusal(&outcome, &["name"]);
    view! {
        <section class="card" aria-labelledby="new-site-title">
            <h2 id="new-site-title">{t(Text::NewSite)}</h2>
            {other_error.map(|error| view! { <ErrorAlert error lang/> })}
            <form method="post" action=format!("/merchants/{merchant_id}") class="stack">
                <CsrfField token=csrf/>
                <div class="field">
                    <label for="site-name">{t(Text::SiteName)}</label>
                    <input id="site-name" name="name" type="text" required maxlength="30"
                        value=refused_value(&outcome, "name") aria-invalid=name_bad.then_some("true")
                        autofocus=name_bad aria-describedby=name_bad.then_some("site-name-err")/>
                    {name_error.map(|e| view! { <p class="field-error" id="site-name-err" role="alert">{e.message(lang)}</p> })}
                </div>
                <div class="field">
                    <label for="site-locale">{t(Text::CustomerLanguage)}</label>
                    <select id="site-locale" name="locale" aria-describedby="site-locale-hint">
                        {Lang::ALL.into_iter().map(|l| {
                            let chosen = refused_value(&outcome, "locale");
                            let selected = if chosen.is_empty() { l == lang } else { chosen == l.code() };
                            view! { <option value=l.code() lang=l.code() selected=selected>{l.native_name()}</option> }
                        }).collect_view()}
                    </select>
                    <p class="hint" id="site-locale-hint">{t(Text::CustomerLanguageHint)}</p>
                </div>
                <fieldset class="template-picker">
                    <legend>{t(Text::Template)}</legend>
                    {choices}
                </fieldset>
                <div class="actions">
                    <button type="submit" class="btn btn-primary">{t(Text::CreateSite)}</button>
                </div>
            </form>
        </section>
    }
}

/// The merchant's staff: who edits its sites besides its owner; an invitation link for one
/// more (shown once) and a button to remove one.
#[component]
fn MerchantTeam(
    merchant_id: String,
    staff: Vec<crate::model::MemberView>,
    csrf: String,
    lang: Lang,
) -> impl IntoView {
    let tr = move |en: &'static str, zh: &'static str| if lang == Lang::Zh { zh } else { en };
    let action = format!("/merchants/{merchant_id}");
    let created = match use_outcome() {
        Some(FormOutcome::InviteCreated { url, role }) => {
            Some(view! { <crate::routes::team::InviteCreated url role lang/> })
        }
        _ => None,
    };
    let rows = staff
        .into_iter()
        .map(|m| {
            let label = format!("{}: {}", tr("Remove", "移除"), m.display_name);
            view! {
                <li>
                    <strong>{m.display_name.clone()}</strong>" "<code>{m.login.clone()}</code>
                    <form method="post" action=action.clone() class="inline">
                        <CsrfField token=csrf.clone()/>
                        <input type="hidden" name="action" value="remove_staff"/>
                        <input type="hidden" name="user" value=m.user_id.clone()/>
                        <button type="submit" class="btn btn-small btn-danger" aria-label=label>{tr("Remove", "移除")}</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="merchant-team-title">
            <h2 id="merchant-team-title">{tr("Staff", "员工")}</h2>
            <p class="muted">{tr("Staff edit the sites; publishing stays with the owner and the agency.", "员工可以编辑网站;发布仍由负责人和服务商进行。")}</p>
            {created}
            <ul class="plain-list">{rows}</ul>
            <div class="actions">
                <form method="post" action=action.clone() class="inline">
                    <CsrfField token=csrf.clone()/>
                    <input type="hidden" name="action" value="invite_staff"/>
                    <button type="submit" class="btn">{tr("Invite a staff member", "邀请员工")}</button>
                </form>
                <a class="btn" href=format!("{action}/activity")>{tr("Activity", "操作记录")}</a>
            </div>
        </section>
    }
}
