//! `/agency/import`: many merchants (and each one's first site) from a spreadsheet saved as
//! CSV. Check first: every row with what is wrong with it, nothing created; then import; the
//! one-time passwords download as a file, once. A plain form; `public/csv-file.js` reads a
//! chosen file into it (without JavaScript the CSV is pasted).
use crate::components::feedback::{set_http_status, ErrorAlert};
use crate::components::outcome::{refused_value, use_outcome, FormOutcome};
use crate::components::session::{use_session, CsrfField};
use crate::i18n::{tr, Lang};
use crate::model::ImportRowView;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ImportPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let user = match super::agency_admin(&s) {
        Ok(user) => user,
        Err(elsewhere) => return elsewhere,
    };
    let t = move |en, zh| tr(lang, en, zh);
    let outcome = use_outcome();
    let refused = match &outcome {
        Some(FormOutcome::Refused { error, .. }) => {
            set_http_status(error.status());
            Some(error.clone())
        }
        _ => None,
    };
    let mut text = refused_value(&outcome, "csv");
    let report = match outcome.clone() {
        Some(FormOutcome::ImportChecked {
            rows,
            text: checked,
        }) => {
            text = checked.clone();
            let blocked = rows.iter().filter(|r| !r.problems.is_empty()).count();
            if blocked > 0 {
                set_http_status(422);
            }
            let ready = rows.len() - blocked;
            let summary = match lang {
                Lang::Zh => format!(
                    "共 {} 行:{} 行可以导入,{} 行有问题。",
                    rows.len(),
                    ready,
                    blocked
                ),
                Lang::En => format!(
                    "{} rows: {} ready, {} with problems.",
                    rows.len(),
                    ready,
                    blocked
                ),
            };
            let go = (blocked == 0).then(|| {
                let label = match lang {
                    Lang::Zh => format!("导入这 {ready} 个商户"),
                    Lang::En => format!("Import these {ready} merchants"),
                };
                view! {
                    <form method="post" action="/agency/import">
                        <CsrfField token=s.csrf.clone()/>
                        <input type="hidden" name="mode" value="import"/>
                        <input type="hidden" name="csv" value=checked/>
                        <button type="submit" class="btn btn-primary">{label}</button>
                    </form>
                }
            });
            Some(
                view! {
                    <section class="card" aria-labelledby="check-title">
                        <h2 id="check-title">{t("Check", "检查结果")}</h2>
                        <p role="status" id="import-summary">{summary}</p>
                        <Rows rows lang/>
                        {go}
                    </section>
                }
                .into_any(),
            )
        }
        Some(FormOutcome::Imported { rows, download }) => {
            let ok = rows.iter().filter(|r| r.problems.is_empty()).count();
            let summary = match lang {
                Lang::Zh => format!("已导入 {ok} 个商户。"),
                Lang::En => format!("{ok} merchants imported."),
            };
            Some(view! {
                <section class="card" aria-labelledby="done-title">
                    <h2 id="done-title">{t("Imported", "已导入")}</h2>
                    <p class="alert alert-ok" role="status">{summary}" "
                        {t("Their passwords are in a file you can download once: keep it safe and hand each merchant its own.", "密码保存在一个只能下载一次的文件中:请妥善保管,并分别交给各商户。")}</p>
                    <a class="btn btn-primary" href=download download="">{t("Download the passwords (CSV)", "下载密码(CSV)")}</a>
                    <Rows rows lang/>
                </section>
            }.into_any())
        }
        _ => None,
    };
    view! {
        <Title text=t("Import merchants", "导入商户")/>
        <a class="back" href="/agency">"← "{t("Dashboard", "控制台")}</a>
        <div class="page-head"><div>
            <p class="eyebrow">{user.agency_name.clone()}</p>
            <h1>{t("Import merchants", "导入商户")}</h1>
            <p class="muted">{t("One row per merchant, the first line naming the columns: name, login, and if you like password (empty: one is made), site, template (shop, booking, info) and language (en, zh) for its first site. Nothing is created until every row is right.", "每行一个商户,第一行为列名:名称、登录名,可选密码(留空则自动生成)、网站、模板(shop、booking、info)和语言(en、zh)用于其第一个网站。所有行都正确后才会创建。")}</p>
        </div></div>
        {refused.map(|error| view! { <ErrorAlert error lang/> })}
        {report}
        <section class="card" aria-labelledby="import-title">
            <h2 id="import-title">{t("The spreadsheet", "表格")}</h2>
            <form method="post" action="/agency/import" class="grid-form">
                <CsrfField token=s.csrf.clone()/>
                <div class="field" hidden id="csv-file-field">
                    <label for="csv-file">{t("A CSV file", "CSV 文件")}</label>
                    <input id="csv-file" type="file" accept=".csv,text/csv" data-into="csv"/>
                </div>
                <div class="field">
                    <label for="csv">{t("Rows (CSV)", "内容(CSV)")}</label>
                    <textarea id="csv" name="csv" rows="10" spellcheck="false"
                        placeholder="name,login,password,site,template,language">{text}</textarea>
                </div>
                <div class="actions">
                    <button type="submit" name="mode" value="check" class="btn btn-primary">{t("Check", "检查")}</button>
                </div>
            </form>
            <script src="/csv-file.js" defer></script>
        </section>
    }
    .into_any()
}

#[component]
fn Rows(rows: Vec<ImportRowView>, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let body = rows
        .into_iter()
        .map(|r| {
            let ok = r.problems.is_empty();
            view! {
                <tr class:row-problem=!ok>
                    <td class="num">{r.line}</td>
                    <td>{r.name}</td>
                    <td><code>{r.login}</code></td>
                    <td>{r.site.unwrap_or_default()}</td>
                    <td>{if ok {
                        view! { <span class="badge badge-ok">{t("Ready", "可以导入")}</span> }.into_any()
                    } else {
                        view! { <ul class="problems">{r.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul> }.into_any()
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table aria-label=t("Rows", "各行")>
                <thead><tr>
                    <th scope="col" class="num">{t("Line", "行")}</th>
                    <th scope="col">{t("Name", "名称")}</th>
                    <th scope="col">{t("Login", "登录名")}</th>
                    <th scope="col">{t("First site", "第一个网站")}</th>
                    <th scope="col">{t("Problems", "问题")}</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}
