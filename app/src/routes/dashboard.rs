//! The top of `/agency`: every site of the agency's merchants, one row each (its mini program,
//! where it stands in WeChat, what is live, whether the draft changed since, open problems),
//! with a count per state, search, filters, sort and pages, all done by the server; and bulk
//! actions on the selected rows or on everything the filter matches. Plain forms (GET for the
//! filter, POST for the actions), no island.
use crate::components::session::CsrfField;
use crate::i18n::{tr, Lang};
use crate::model::dashboard::{action_label, DashboardView, Query, Row, State};
use leptos::prelude::*;

/// `/agency?…` with the query's filter and these changes.
fn href(q: &Query, state: Option<&str>, page: Option<usize>) -> String {
    let mut s = url_encode_pairs(&[
        ("q", q.q.as_str()),
        ("state", state.unwrap_or(&q.state)),
        ("sort", q.sort.as_str()),
    ]);
    if let Some(p) = page.filter(|p| *p > 1) {
        if !s.is_empty() {
            s.push('&');
        }
        s.push_str(&format!("page={p}"));
    }
    if s.is_empty() {
        "/agency".into()
    } else {
        format!("/agency?{s}")
    }
}

fn url_encode_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn state_class(s: State) -> &'static str {
    match s {
        State::Live => "badge badge-ok",
        State::Rejected | State::Failed => "badge badge-error",
        State::InReview | State::Publishing | State::Approved => "badge badge-warn",
        State::NotConnected | State::Draft => "badge badge-muted",
    }
}

#[component]
pub fn SiteDashboard(
    v: DashboardView,
    csrf: String,
    error: Option<String>,
    lang: Lang,
) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let DashboardView { page, query, jobs } = v;
    let current = query.state.clone();
    let tab = |slug: &str, label: String, n: usize| {
        let on = current == slug || (slug.is_empty() && (current.is_empty() || current == "all"));
        view! {
            <li><a href=href(&query, Some(slug), None) class:on=on aria-current=on.then_some("page")>
                {label}" "<span class="count">{n}</span></a></li>
        }
    };
    let mut tabs = vec![tab("", t("All", "全部").to_string(), page.all).into_any()];
    for (s, n) in &page.counts {
        tabs.push(tab(s.slug(), s.label(lang).to_string(), *n).into_any());
    }
    tabs.push(
        tab(
            "changed",
            t("Draft changed", "草稿有改动").to_string(),
            page.changed,
        )
        .into_any(),
    );
    tabs.push(
        tab(
            "problems",
            t("With problems", "有问题").to_string(),
            page.with_problems,
        )
        .into_any(),
    );
    let sorts = [
        ("", t("Merchant", "商家")),
        ("site", t("Site", "网站")),
        ("state", t("State", "状态")),
        ("-published", t("Last published", "最近发布")),
        ("-updated", t("Last edited", "最近编辑")),
    ];
    let sort_options = sorts
        .iter()
        .map(|(v, label)| view! { <option value=*v selected=query.sort == *v>{*label}</option> })
        .collect_view();
    let rows = page
        .rows
        .iter()
        .map(|r| view! { <SiteRow r=r.clone() lang/> })
        .collect_view();
    let prev = (page.page > 1).then(|| href(&query, None, Some(page.page - 1)));
    let next = (page.page < page.pages).then(|| href(&query, None, Some(page.page + 1)));
    let showing = match lang {
        Lang::Zh => format!(
            "共 {} 个网站,第 {}/{} 页",
            page.total, page.page, page.pages
        ),
        Lang::En => format!("{} sites, page {} of {}", page.total, page.page, page.pages),
    };
    let all_label = match lang {
        Lang::Zh => format!("对筛选出的全部 {} 个网站执行", page.total),
        Lang::En => format!("Apply to all {} sites this filter matches", page.total),
    };
    let actions = ["publish", "release", "rollback", "regenerate", "export"]
        .into_iter()
        .map(|a| view! {
            <button type="submit" name="action" value=a class="btn btn-small">{action_label(a, lang)}</button>
        })
        .collect_view();
    let job_list = (!jobs.is_empty()).then(|| {
        let items = jobs
            .iter()
            .map(|j| {
                let label = format!(
                    "{} · {} · {}/{}",
                    action_label(&j.action, lang),
                    j.created_at
                        .get(..16)
                        .unwrap_or(&j.created_at)
                        .replace('T', " "),
                    j.done + j.failed,
                    j.total
                );
                view! { <li><a href=format!("/agency/jobs/{}", j.id)>{label}</a>
                " "<span class="muted small">{j.state.clone()}</span></li> }
            })
            .collect_view();
        view! {
            <section class="card" aria-labelledby="jobs-title">
                <h2 id="jobs-title">{t("Recent bulk actions", "最近的批量操作")}</h2>
                <ul class="plain-list">{items}</ul>
            </section>
        }
    });
    view! {
        <section class="card dashboard" aria-labelledby="sites-title">
            <h2 id="sites-title">{t("Mini programs", "小程序")}</h2>
            <nav aria-label=t("Filter by state", "按状态筛选")><ul class="state-tabs">{tabs}</ul></nav>
            <form method="get" action="/agency" class="filters" role="search">
                <input type="hidden" name="state" value=query.state.clone()/>
                <label for="dash-q" class="sr-only">{t("Search", "搜索")}</label>
                <input id="dash-q" type="search" name="q" value=query.q.clone()
                    placeholder=t("Merchant, site, login or AppID", "商家、网站、登录名或 AppID")/>
                <label for="dash-sort">{t("Sort by", "排序")}</label>
                <select id="dash-sort" name="sort">{sort_options}</select>
                <button type="submit" class="btn btn-small">{t("Search", "搜索")}</button>
            </form>
            {error.map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            <form method="post" action="/agency/bulk" id="bulk">
                <CsrfField token=csrf/>
                <input type="hidden" name="q" value=query.q.clone()/>
                <input type="hidden" name="state" value=query.state.clone()/>
                <input type="hidden" name="sort" value=query.sort.clone()/>
                <div class="table-wrap">
                    <table aria-label=t("Mini programs", "小程序")>
                        <thead><tr>
                            <th scope="col"><span class="sr-only">{t("Select", "选择")}</span></th>
                            <th scope="col">{t("Site", "网站")}</th>
                            <th scope="col">{t("Merchant", "商家")}</th>
                            <th scope="col">{t("Mini program", "小程序")}</th>
                            <th scope="col">{t("State", "状态")}</th>
                            <th scope="col">{t("Live", "线上版本")}</th>
                            <th scope="col">{t("Draft changed", "草稿有改动")}</th>
                            <th scope="col" class="num">{t("Problems", "问题")}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {page.rows.is_empty().then(|| view! { <p class="empty">{t("No site matches.", "没有符合条件的网站。")}</p> })}
                <div class="pager">
                    <span class="muted small">{showing}</span>
                    {prev.map(|h| view! { <a class="btn btn-small" href=h rel="prev">{t("← Previous", "← 上一页")}</a> })}
                    {next.map(|h| view! { <a class="btn btn-small" href=h rel="next">{t("Next →", "下一页 →")}</a> })}
                </div>
                <fieldset class="bulk-actions">
                    <legend>{t("With the selected sites", "对所选网站")}</legend>
                    <label class="check"><input type="checkbox" name="all" value="1"/>" "{all_label}</label>
                    <div class="actions">{actions}</div>
                    <details>
                        <summary>{t("Change the theme…", "修改主题…")}</summary>
                        <p class="muted small">{t("Only what you fill in changes; each draft is kept as a version its merchant can restore.", "只修改您填写的项;每份草稿都会保存为商家可恢复的版本。")}</p>
                        <div class="grid-form">
                            <div class="field"><label for="th-primary">{t("Primary colour", "主色")}</label>
                                <input id="th-primary" name="primary" placeholder="#1a1a1a" maxlength="7"/></div>
                            <div class="field"><label for="th-accent">{t("Accent colour", "强调色")}</label>
                                <input id="th-accent" name="accent" placeholder="#1a1a1a" maxlength="7"/></div>
                            <div class="field"><label for="th-background">{t("Background", "背景色")}</label>
                                <input id="th-background" name="background" placeholder="#ffffff" maxlength="7"/></div>
                            <div class="field"><label for="th-text">{t("Text colour", "文字颜色")}</label>
                                <input id="th-text" name="text" placeholder="#1a1a1a" maxlength="7"/></div>
                            <div class="field"><label for="th-radius">{t("Corner radius (0–48)", "圆角(0–48)")}</label>
                                <input id="th-radius" name="radius" type="number" min="0" max="48"/></div>
                            <div class="field"><label for="th-font">{t("Font scale (0.8–1.4)", "字号比例(0.8–1.4)")}</label>
                                <input id="th-font" name="font_scale" type="number" min="0.8" max="1.4" step="0.05"/></div>
                            <label class="check"><input type="checkbox" name="logo" value="1"/>" "{t("Put our logo on them (from White label)", "使用我们的标志(来自品牌设置)")}</label>
                        </div>
                        <button type="submit" name="action" value="theme" class="btn btn-small">{t("Apply theme", "应用主题")}</button>
                    </details>
                </fieldset>
            </form>
        </section>
        {job_list}
    }
}

#[component]
fn SiteRow(r: Row, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let note = match (&r.review_reason, &r.error) {
        (Some(reason), _) => Some(reason.clone()),
        (None, Some((en, zh))) => Some(if lang == Lang::Zh {
            zh.clone()
        } else {
            en.clone()
        }),
        _ => None,
    };
    let live = r.live_version.map(|v| {
        let at = r
            .released_at
            .as_deref()
            .and_then(|s| s.get(..10))
            .unwrap_or("")
            .to_string();
        format!("v{v} · {at}")
    });
    let select = format!("{}: {}", t("Select", "选择"), r.site_name);
    view! {
        <tr>
            <td><input type="checkbox" name="site" value=r.site_id.clone() aria-label=select/></td>
            <td><a href=format!("/sites/{}/publish", r.site_id)>{r.site_name.clone()}</a>
                {r.archived.then(|| view! { " " <span class="badge badge-muted">{t("archived", "已归档")}</span> })}</td>
            <td>{r.merchant_name.clone()}
                {r.merchant_paused.then(|| view! { " " <span class="badge badge-paused">{t("paused", "已暂停")}</span> })}
                <br/><span class="muted small">{r.merchant_login.clone()}</span></td>
            <td>{r.mini_program.clone().unwrap_or_default()}<br/>
                <code class="small">{r.appid.clone().unwrap_or_default()}</code></td>
            <td><span class=state_class(r.state) data-state=r.state.slug()>{r.state.label(lang)}</span>
                {note.map(|n| view! { <br/><span class="muted small reason">{n}</span> })}</td>
            <td>{live.unwrap_or_else(|| "—".into())}</td>
            <td>{if r.draft_changed { t("Yes", "是") } else { t("No", "否") }}</td>
            <td class="num">{r.problems}</td>
        </tr>
    }
}
