//! `/sites/:id/publish`: the site's life in WeChat: the connected mini program, the one-click
//! publish with each step's state and the checklist, the review, release and rollback, the QR
//! codes, and every version with what changed. Server-rendered plain forms, no island; while a
//! publish moves by itself the page refreshes every few seconds.
use crate::api::get_publish_view;
use crate::components::feedback::{ErrorPage, Loading};
use crate::components::session::{use_session, CsrfField};
use crate::i18n::{tr, Lang};
use crate::model::publish::{PublishView, Review, Run, StepName, StepState};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn PublishPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    if s.user.is_none() {
        return view! { <Redirect path="/login"/> }.into_any();
    }
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let error = use_query_map().read_untracked().get("error");
    let data = Resource::new_blocking(id, get_publish_view);
    let csrf = s.csrf.clone();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let (csrf, error) = (csrf.clone(), error.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <Publish v csrf error lang/> }.into_any(),
                        Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// A one-button form posted to `action`.
#[component]
fn ActionButton(
    action: String,
    csrf: String,
    label: &'static str,
    #[prop(optional)] primary: bool,
) -> impl IntoView {
    view! {
        <form method="post" action=action class="inline">
            <CsrfField token=csrf/>
            <button type="submit" class=if primary { "btn btn-primary" } else { "btn" }>{label}</button>
        </form>
    }
}

#[component]
fn Publish(v: PublishView, csrf: String, error: Option<String>, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let site = v.site_id.clone();
    let moving = v
        .state
        .run
        .as_ref()
        .is_some_and(|r| r.is_active() && r.review != Review::InReview);
    let in_review = v
        .state
        .run
        .as_ref()
        .is_some_and(|r| matches!(r.review, Review::InReview | Review::Delayed));
    let refresh = (moving || in_review)
        .then(|| view! { <Meta http_equiv="refresh" content=if moving { "3" } else { "15" }/> });
    let connection = match v.connection.clone() {
        Some(c) => {
            let warnings = c.warnings.clone();
            view! {
                <div class="connection">
                    {(!c.head_img.is_empty()).then(|| view! { <img class="avatar" src=c.head_img.clone() alt="" width="48" height="48"/> })}
                    <div>
                        <p><strong>{c.nick_name.clone()}</strong>" · "<code>{c.appid.clone()}</code></p>
                        <p class="muted">{c.principal_name.clone()}</p>
                        <p class="muted">{t("Permission sets granted: ", "已授权权限集:")}{c.permission_sets.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")}</p>
                        <p class=if c.connected { "badge badge-ok" } else { "badge badge-warn" }>
                            {if c.connected { t("Connected", "已连接") } else { t("Disconnected", "已断开") }}
                        </p>
                    </div>
                </div>
                {(!warnings.is_empty()).then(|| view! {
                    <ul class="alert alert-warn" role="status">{warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                })}
            }
            .into_any()
        }
        None => view! { <p class="muted">{t("No mini program is connected yet. The merchant's WeChat administrator scans WeChat's authorization page and confirms.", "尚未连接小程序。请小程序管理员在微信授权页面扫码确认。")}</p> }.into_any(),
    };
    let connect_label = if v.connection.is_some() {
        t("Connect again", "重新连接")
    } else {
        t("Connect WeChat mini program", "连接微信小程序")
    };
    let platform_missing = (!v.platform_ready).then(|| view! {
        <p class="alert alert-warn" role="status">{t("The agency has not set up its WeChat platform yet: ", "服务商尚未设置微信第三方平台:")}<a href="/agency/wechat">{t("WeChat platform settings", "微信第三方平台设置")}</a></p>
    });
    let run = v.state.run.clone();
    let live = v.state.live.clone();
    let released_any = live.is_some();
    view! {
        {refresh}
        <Title text=format!("{} · {}", t("Publish", "发布"), v.site_name)/>
        <a class="back" href=format!("/merchants/{}", v.merchant_id)>"← "{t("Sites", "网站")}</a>
        <div class="page-head">
            <div>
                <p class="eyebrow">{v.site_name.clone()}</p>
                <h1>{t("Publish to WeChat", "发布到微信")}</h1>
                <p class="muted">{t("Connect the mini program once; then every publish is one click.", "连接一次小程序,之后每次发布只需一键。")}</p>
            </div>
            <a class="btn" href=format!("/sites/{site}/edit")>{t("Edit the site", "编辑网站")}</a>
        </div>
        {error.map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
        {platform_missing}
        <section class="card" aria-labelledby="mp-title">
            <h2 id="mp-title">{t("Mini program", "小程序")}</h2>
            {connection}
            {v.may_publish.then(|| view! {
                <a class="btn btn-primary" href=format!("/sites/{site}/wechat/connect")>{connect_label}</a>
            })}
        </section>
        <section class="card" aria-labelledby="publish-title">
            <h2 id="publish-title">{t("Publish", "发布")}</h2>
            {live.as_ref().map(|l| view! {
                <p class="alert alert-ok" role="status">{t("Live in WeChat: version ", "线上版本:")}<strong>{l.user_version.clone()}</strong>" · "{l.released_at.get(..16).unwrap_or_default().replace('T', " ")}" · "{l.by.clone()}</p>
            })}
            {run.clone().map(|r| view! { <RunView run=r lang/> })}
            {(!v.may_publish).then(|| view! {
                <p class="muted">{t("Your merchant's owner or its agency publishes: your changes are saved in the draft.", "由商户负责人或服务商发布:您的修改已保存在草稿中。")}</p>
            })}
            <div class="actions" hidden=!v.may_publish>
                <ActionButton action=format!("/sites/{site}/publish/start") csrf=csrf.clone() label=t("Publish now", "立即发布") primary=true/>
                {run.as_ref().filter(|r| r.review == Review::Approved && !r.released).map(|_| view! {
                    <ActionButton action=format!("/sites/{site}/publish/release") csrf=csrf.clone() label=t("Release", "发布上线") primary=true/>
                })}
                {released_any.then(|| view! {
                    <ActionButton action=format!("/sites/{site}/publish/rollback") csrf=csrf.clone() label=t("Roll back to the previous release", "回退到上一个线上版本")/>
                })}
            </div>
        </section>
        <QrCodes site=site.clone() link=v.link_url.clone() live=released_any trial=run.as_ref().is_some_and(|r| r.trial_qr) lang/>
        <Versions v=v.clone() csrf lang/>
    }
}

#[component]
fn RunView(run: Run, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let state_label = move |s: StepState| match s {
        StepState::Pending => t("Waiting", "等待"),
        StepState::Running => t("Working…", "进行中…"),
        StepState::Waiting => t("Waiting for WeChat", "等待微信"),
        StepState::Done => t("Done", "完成"),
        StepState::Failed => t("Failed", "失败"),
    };
    let steps = StepName::ALL
        .iter()
        .map(|name| {
            let step = run.step(*name).cloned();
            let state = step.as_ref().map(|s| s.state).unwrap_or_default();
            let note = step.and_then(|s| s.note).map(|n| n.get(lang).to_string());
            view! {
                <li class=format!("step step-{}", format!("{state:?}").to_lowercase()) data-step=name.slug()>
                    <span class="step-name">{name.label(lang)}</span>
                    <span class="step-state">{state_label(state)}</span>
                    {note.map(|n| view! { <span class="step-note">{n}</span> })}
                </li>
            }
        })
        .collect_view();
    let checks = run
        .checks
        .iter()
        .map(|c| {
            let link = c.link.clone();
            view! {
                <li class=if c.ok { "check check-ok" } else { "check check-open" }>
                    <span aria-hidden="true">{if c.ok { "✓ " } else { "✗ " }}</span>
                    {c.message.get(lang).to_string()}
                    {link.filter(|_| !c.ok).map(|l| view! { " "<a href=l>{tr(lang, "Fix it", "去处理")}</a> })}
                </li>
            }
        })
        .collect_view();
    let review = (run.review != Review::NotSubmitted).then(|| {
        let reason = run.reason.clone();
        view! {
            <p class="review" data-review=run.review.slug()>
                <strong>{run.review.label(lang)}</strong>
            </p>
            {(!reason.is_empty()).then(|| view! {
                <div class="alert alert-warn review-reason" role="status">
                    <p>{tr(lang, "WeChat's reason:", "微信审核意见:")}</p>
                    <p class="pre">{reason}</p>
                </div>
            })}
        }
    });
    view! {
        <p class="muted">{t("Version ", "版本 ")}{run.user_version.clone()}" · "{t("started by ", "发起人 ")}{run.by.clone()}</p>
        {run.error.clone().map(|e| view! { <p class="alert alert-error" role="alert">{e.get(lang).to_string()}</p> })}
        <ol class="pipeline">{steps}</ol>
        {(!run.checks.is_empty()).then(|| view! { <h3>{t("Checklist", "发布前检查")}</h3><ul class="checklist">{checks}</ul> })}
        {review}
    }
}

#[component]
fn QrCodes(site: String, link: String, live: bool, trial: bool, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let base = format!("/sites/{site}/qr");
    view! {
        <section class="card" aria-labelledby="qr-title">
            <h2 id="qr-title">{t("QR codes", "二维码")}</h2>
            <div class="qr-grid">
                <figure>
                    <img src=format!("{base}/link.png?size=280") alt=t("The site's link QR code", "网站链接二维码") width="200" height="200"/>
                    <figcaption>
                        <p>{t("Link QR code: opens ", "链接二维码,打开 ")}<a href=link.clone()><code>{link.clone()}</code></a></p>
                        <p>
                            <a class="btn btn-small" href=format!("{base}/link.png?size=1280") download="">{"PNG"}</a>" "
                            <a class="btn btn-small" href=format!("{base}/link.svg?size=1280") download="">{"SVG"}</a>" "
                            <a class="btn btn-small" href=format!("{base}/link.png?size=1280&logo=1") download="">{t("PNG with logo", "带标志 PNG")}</a>" "
                            <a class="btn btn-small" href=format!("{base}/card.svg") download="">{t("Table card (SVG)", "桌贴(SVG)")}</a>" "
                            <button type="button" class="btn btn-small" hidden=true data-card-png=format!("{base}/card.svg") data-name="table-card.png">{t("Table card (PNG)", "桌贴(PNG)")}</button>
                        </p>
                        <script src="/card-png.js" defer></script>
                    </figcaption>
                </figure>
                {live.then(|| view! {
                    <figure>
                        <img src=format!("{base}/official.png?size=280") alt=t("The official mini program code", "官方小程序码") width="200" height="200"/>
                        <figcaption>
                            <p>{t("Official mini program code", "官方小程序码")}</p>
                            <a class="btn btn-small" href=format!("{base}/official.png?size=1280") download="">{"PNG"}</a>
                        </figcaption>
                    </figure>
                })}
                {trial.then(|| view! {
                    <figure>
                        <img src=format!("{base}/trial.png") alt=t("The trial version's QR code", "体验版二维码") width="200" height="200"/>
                        <figcaption><p>{t("Trial version (for the merchant's testers)", "体验版(供体验成员使用)")}</p></figcaption>
                    </figure>
                })}
            </div>
        </section>
    }
}

#[component]
fn Versions(v: PublishView, csrf: String, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let site = v.site_id.clone();
    let rows = v
        .versions
        .into_iter()
        .map(|x| {
            let restore = x.has_snapshot.then(|| view! {
                <form method="post" action=format!("/sites/{site}/versions/{}/restore", x.n) class="inline">
                    <CsrfField token=csrf.clone()/>
                    <button type="submit" class="btn btn-small">{tr(lang, "Restore to the draft", "恢复为草稿")}</button>
                </form>
            });
            let changes = x.changes.clone();
            view! {
                <tr>
                    <td>{x.n}</td>
                    <td>{x.kind.label(lang)}{x.of.map(|o| format!(" (#{o})"))}</td>
                    <td>{x.user_version.clone().unwrap_or_default()}</td>
                    <td>{x.at.get(..16).unwrap_or_default().replace('T', " ")}</td>
                    <td>{x.by.clone()}</td>
                    <td>{if x.ok { tr(lang, "OK", "成功").to_string() } else { format!("{} {}", x.errcode.map(|c| c.to_string()).unwrap_or_default(), x.error.clone().unwrap_or_default()) }}</td>
                    <td>
                        {(!changes.is_empty()).then(|| view! {
                            <details><summary>{tr(lang, "Changes", "变更")}" ("{changes.len()}")"</summary>
                                <ul>{changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                            </details>
                        })}
                        {restore}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="versions-title">
            <h2 id="versions-title">{t("Versions", "版本记录")}</h2>
            <p class="muted">{t("Every upload, export and release. Restoring puts that version in the draft; the draft it replaces is kept here as a version.", "每次上传、导出和发布都会记录。恢复会把该版本放入草稿,被替换的草稿也会保留为一个版本。")}</p>
            <table class="table">
                <thead><tr>
                    <th>"#"</th><th>{t("What", "类型")}</th><th>{t("Version", "版本号")}</th><th>{t("When", "时间")}</th><th>{t("Who", "操作人")}</th><th>{t("Result", "结果")}</th><th></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
