//! Onboarding many merchants at once from a spreadsheet saved as CSV: one row per merchant
//! (`name`, `login`, `password` (empty: generated), and optionally its first site: `site`,
//! `template`, `language`). A check lists every row's problems before anything is created;
//! the import then creates every row, and the one-time passwords come back as a CSV file
//! downloadable once.
use crate::accounts::{self, normalize_login, validate_name, validate_password};
use crate::storage::Store;
use app::api::{NewMerchant, NewSite};
use app::i18n::Lang;
use app::model::{ImportRowView, ThemeKind, UserView};
use std::collections::HashSet;
use ulid::Ulid;

/// Rows one import may have.
pub const MAX_ROWS: usize = 1_000;
/// Where a finished import's passwords wait for their one download.
pub fn download_key(agency: Ulid, token: &str) -> String {
    format!("imports/{agency}/{token}.csv")
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub name: String,
    pub login: String,
    pub password: String,
    pub site: Option<(String, ThemeKind, Lang)>,
}

fn tr(lang: Lang, en: String, zh: String) -> String {
    if lang == Lang::Zh {
        zh
    } else {
        en
    }
}

/// Which column holds what, from the header (English or Chinese, any case).
fn columns(header: &csv::StringRecord) -> [Option<usize>; 6] {
    let find = |names: &[&str]| {
        header.iter().position(|h| {
            names.contains(
                &h.trim()
                    .trim_start_matches('\u{feff}')
                    .to_lowercase()
                    .as_str(),
            )
        })
    };
    [
        find(&[
            "name",
            "business name",
            "merchant",
            "名称",
            "商户名称",
            "商户",
        ]),
        find(&["login", "email", "登录名", "账号"]),
        find(&["password", "密码"]),
        find(&["site", "site name", "网站", "网站名称"]),
        find(&["template", "模板"]),
        find(&["language", "locale", "语言"]),
    ]
}

/// Reads and checks every row against the store (a login taken, or repeated in the file),
/// without creating anything. Each row says all that is wrong with it.
pub async fn check(
    store: &dyn Store,
    text: &str,
    lang: Lang,
) -> Result<(Vec<Row>, Vec<ImportRowView>), String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let [name_c, login_c, password_c, site_c, template_c, lang_c] = columns(&header);
    if name_c.is_none() || login_c.is_none() {
        return Err(tr(
            lang,
            "The first line must name the columns, with at least “name” and “login” (also: password, site, template, language).".into(),
            "第一行须为列名,至少包含“名称”和“登录名”(还可有:密码、网站、模板、语言)。".into(),
        ));
    }
    let mut rows = Vec::new();
    let mut views = Vec::new();
    let mut seen = HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        if i >= MAX_ROWS {
            return Err(tr(
                lang,
                format!("At most {MAX_ROWS} merchants at once: split the file."),
                format!("每次最多导入 {MAX_ROWS} 个商户,请拆分文件。"),
            ));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                views.push(ImportRowView {
                    line,
                    name: String::new(),
                    login: String::new(),
                    site: None,
                    problems: vec![e.to_string()],
                });
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_string();
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let (name, login, password) = (get(name_c), get(login_c), get(password_c));
        let mut problems = Vec::new();
        let name_ok = validate_name("name", &name, accounts::NAME_MAX, lang)
            .map_err(|e| problems.push(e.message(lang)))
            .ok();
        let login_ok = normalize_login(&login, lang)
            .map_err(|e| problems.push(e.message(lang)))
            .ok();
        if let Some(l) = &login_ok {
            if !seen.insert(l.clone()) {
                problems.push(tr(
                    lang,
                    format!("The login {l} is on another line of the file too."),
                    format!("登录名 {l} 在文件中重复出现。"),
                ));
            } else if accounts::find_login(store, l)
                .await
                .map_err(|e| e.to_string())?
                .is_some()
            {
                problems.push(tr(
                    lang,
                    format!("The login {l} is already in use."),
                    format!("登录名 {l} 已被使用。"),
                ));
            }
        }
        if !password.is_empty() {
            if let Err(e) = validate_password(
                "password",
                &password,
                &[login_ok.as_deref().unwrap_or(""), name.as_str()],
                lang,
            ) {
                problems.push(e.message(lang));
            }
        }
        let site_name = get(site_c);
        let template = get(template_c);
        let language = get(lang_c);
        let site = if site_name.is_empty() && template.is_empty() {
            None
        } else {
            let theme = match template.to_lowercase().as_str() {
                "" | "shop" | "商店" => Some(ThemeKind::Shop),
                "booking" | "预约" => Some(ThemeKind::Booking),
                "info" | "信息" => Some(ThemeKind::Info),
                other => {
                    problems.push(tr(
                        lang,
                        format!("The template “{other}” does not exist: shop, booking or info."),
                        format!("模板“{other}”不存在:可用 shop、booking 或 info。"),
                    ));
                    None
                }
            };
            let locale = match language.to_lowercase().as_str() {
                "" => Some(lang),
                "en" | "english" | "英文" => Some(Lang::En),
                "zh" | "zh-cn" | "chinese" | "中文" => Some(Lang::Zh),
                other => {
                    problems.push(tr(
                        lang,
                        format!("The language “{other}” is not offered: en or zh."),
                        format!("语言“{other}”不可用:en 或 zh。"),
                    ));
                    None
                }
            };
            let site_name = if site_name.is_empty() {
                name.clone()
            } else {
                site_name
            };
            match (theme, locale) {
                (Some(t), Some(l)) => Some((site_name, t, l)),
                _ => None,
            }
        };
        views.push(ImportRowView {
            line,
            name: name.clone(),
            login: login_ok.clone().unwrap_or(login.clone()),
            site: site.as_ref().map(|(s, _, _)| s.clone()),
            problems: problems.clone(),
        });
        if problems.is_empty() {
            if let (Some(name), Some(login)) = (name_ok, login_ok) {
                rows.push(Row {
                    line,
                    name,
                    login,
                    password,
                    site,
                });
            }
        }
    }
    if views.is_empty() {
        return Err(tr(
            lang,
            "The file has no merchants under its header.".into(),
            "文件中除列名外没有商户。".into(),
        ));
    }
    Ok((rows, views))
}

/// Creates every row (all were checked); returns the report and the passwords file.
pub async fn run(
    store: &dyn Store,
    who: &UserView,
    agency: Ulid,
    rows: Vec<Row>,
) -> (Vec<ImportRowView>, String) {
    let lang = who.lang;
    let mut out = Vec::new();
    let mut file = String::from("\u{feff}name,login,password,site_id\r\n");
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    for row in rows {
        let mut problems = Vec::new();
        let created = accounts::create_merchant(
            store,
            agency,
            NewMerchant {
                name: row.name.clone(),
                login: row.login.clone(),
                password: row.password.clone(),
            },
            lang,
        )
        .await;
        let mut site_id = String::new();
        let password = match &created {
            Ok(c) => c.generated_password.clone().unwrap_or_else(|| {
                tr(lang, "(as given in the file)".into(), "(按文件所给)".into())
            }),
            Err(e) => {
                problems.push(e.message(lang));
                String::new()
            }
        };
        if let (Ok(c), Some((site, template, locale))) = (&created, &row.site) {
            match crate::sites::create(
                store,
                who,
                &c.merchant.id,
                NewSite {
                    name: site.clone(),
                    template: *template,
                    locale: *locale,
                },
            )
            .await
            {
                Ok(s) => site_id = s.id,
                Err(e) => problems.push(e.into_app_error().message(lang)),
            }
        }
        if let Ok(c) = &created {
            crate::audit::note(
                store,
                who,
                c.merchant.id.parse().ok(),
                None,
                "merchant_created",
                format!("{} (import)", row.login),
            )
            .await;
            file.push_str(&format!(
                "{},{},{},{}\r\n",
                field(&row.name),
                field(&row.login),
                field(&password),
                site_id
            ));
        }
        out.push(ImportRowView {
            line: row.line,
            name: row.name,
            login: row.login,
            site: row.site.map(|(s, _, _)| s),
            problems,
        });
    }
    (out, file)
}
