//! `/agency/jobs/:id`: a bulk action's progress: a bar, the counts, one row per site with its
//! state, tries and error (in the reader's language), a Cancel button while it runs and the
//! report as CSV. Server-rendered; `public/job-progress.js` polls the job's JSON and updates
//! the bar and the rows in place until it ends (without JavaScript, reloading shows the same).
use crate::api::get_job;
use crate::components::feedback::{ErrorPage, Loading};
use crate::components::session::{use_session, CsrfField};
use crate::i18n::{tr, Lang};
use crate::model::dashboard::JobView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

/// A site's state in words (the script uses the same words, from `data-label-*`).
pub fn item_label(state: &str, lang: Lang) -> &'static str {
    match state {
        "queued" => tr(lang, "Waiting", "等待中"),
        "running" => tr(lang, "Under way", "进行中"),
        "done" => tr(lang, "Done", "完成"),
        "failed" => tr(lang, "Failed", "失败"),
        "cancelled" => tr(lang, "Cancelled", "已取消"),
        _ => "",
    }
}

#[component]
pub fn JobPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    if s.user.is_none() {
        return view! { <Redirect path="/login"/> }.into_any();
    }
    let id = use_params_map()
        .read_untracked()
        .get("id")
        .unwrap_or_default();
    let job = Resource::new_blocking(move || id.clone(), get_job);
    let csrf = s.csrf.clone();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let csrf = csrf.clone();
                Suspend::new(async move {
                    match job.await {
                        Ok(v) => view! { <Job v csrf lang/> }.into_any(),
                        Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Job(v: JobView, csrf: String, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let title = format!("{}: {} {}", v.title(lang), v.total, t("sites", "个网站"));
    let ended = v.done + v.failed + v.cancelled;
    let summary = move |v: &JobView| match lang {
        Lang::Zh => format!(
            "完成 {},失败 {},取消 {},共 {}",
            v.done, v.failed, v.cancelled, v.total
        ),
        Lang::En => format!(
            "{} done, {} failed, {} cancelled of {}",
            v.done, v.failed, v.cancelled, v.total
        ),
    };
    let rows = v
        .items
        .iter()
        .map(|i| {
            view! {
                <tr data-site=i.site_id.clone()>
                    <td><a href=format!("/sites/{}/publish", i.site_id)>{i.name.clone()}</a></td>
                    <td class="item-state" data-state=i.state.clone()>{item_label(&i.state, lang)}</td>
                    <td class="num item-attempts">{i.attempts}</td>
                    <td class="item-result">{i.result.clone().unwrap_or_default()}</td>
                    <td class="item-error">{i.error.clone().unwrap_or_default()}
                        {i.errcode.map(|c| format!(" ({c})")).unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let labels: std::collections::BTreeMap<&str, &str> =
        ["queued", "running", "done", "failed", "cancelled"]
            .into_iter()
            .map(|s| (s, item_label(s, lang)))
            .collect();
    let labels = serde_json::to_string(&labels).unwrap_or_default();
    let template = match lang {
        Lang::Zh => "完成 {done},失败 {failed},取消 {cancelled},共 {total}",
        Lang::En => "{done} done, {failed} failed, {cancelled} cancelled of {total}",
    };
    let running = !v.is_final();
    view! {
        <Title text=title.clone()/>
        <a class="back" href="/agency">"← "{t("Dashboard", "控制台")}</a>
        <div class="page-head">
            <div>
                <p class="eyebrow">{t("Bulk action", "批量操作")}" · "{v.by.clone()}</p>
                <h1>{title}</h1>
            </div>
            <div class="actions">
                <a class="btn" href=format!("/agency/jobs/{}/report.csv", v.id) download="">{t("Download report (CSV)", "下载报告(CSV)")}</a>
                {v.has_packages.then(|| view! {
                    <a class="btn btn-primary" href=format!("/agency/jobs/{}/packages.zip", v.id) download="">{t("Download the packages (zip)", "下载全部代码包(zip)")}</a>
                })}
                {running.then(|| view! {
                    <form method="post" action=format!("/agency/jobs/{}/cancel", v.id) class="inline">
                        <CsrfField token=csrf.clone()/>
                        <button type="submit" class="btn btn-danger">{t("Cancel what has not started", "取消未开始的网站")}</button>
                    </form>
                })}
            </div>
        </div>
        <section class="card" aria-labelledby="progress-title" id="job"
            data-job=v.id.clone() data-final=(!running).to_string() data-labels=labels
            data-summary=template>
            <h2 id="progress-title">{t("Progress", "进度")}</h2>
            <progress id="job-bar" max=v.total value=ended aria-labelledby="progress-title"></progress>
            <p id="job-summary" role="status">{summary(&v)}</p>
            <div class="table-wrap">
                <table aria-label=t("Sites", "网站")>
                    <thead><tr>
                        <th scope="col">{t("Site", "网站")}</th>
                        <th scope="col">{t("State", "状态")}</th>
                        <th scope="col" class="num">{t("Tries", "尝试次数")}</th>
                        <th scope="col">{t("Result", "结果")}</th>
                        <th scope="col">{t("Error", "错误")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
        <script src="/job-progress.js" defer></script>
    }
}
