//! The editor's JSON endpoints under `/api/sites/{id}/…`: load and save the draft (with a
//! version check, so two editors never overwrite each other silently), preview a page, export
//! the package as a zip; and the template picker's thumbnails. Every site handler starts with
//! the tenancy check: a foreign or unknown id is 404.
use crate::error::Result;
use crate::generator::{builtin_theme, spill, GenerateError};
use crate::preview;
use crate::sites;
use crate::state::AppState;
use crate::tenancy::{signed_in, visible_site};
use app::api::rest::{DraftView, ExportRefused, PreviewReply, SaveDraft, Saved};
use app::error::AppError;
use app::i18n::{Lang, Text};
use app::model::site::Site;
use app::model::validate::{parse_site, Problem};
use app::model::SessionInfo;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/sites/{id}/draft", get(load).put(save))
        .route("/api/sites/{id}/preview", post(preview_page))
        .route("/api/sites/{id}/export", get(export))
        .route("/templates/{slug}/preview", get(template_preview))
}

#[derive(Deserialize)]
struct LangQuery {
    #[serde(default)]
    lang: Option<String>,
}

/// The first page of a template's starter site, rendered from the theme like the editor's
/// phone: the thumbnails of the template picker. Public: starters are not anyone's data.
async fn template_preview(
    Path(slug): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response> {
    let template = app::model::ThemeKind::from_slug(&slug).ok_or(AppError::NotFound)?;
    let lang = q
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(Lang::En);
    let site: Site = serde_json::from_str(crate::generator::theme::starter_json(template, lang))
        .expect("starters parse (tested)");
    let theme = builtin_theme(template);
    let html = preview::Previewer::new(&site, theme)?
        .document(
            &site,
            0,
            &preview::PreviewOptions {
                image_url: &crate::http::media::art_url,
                mark_blocks: false,
            },
        )
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        html,
    )
        .into_response())
}

/// The download is named after the site (`Bean There.zip`, `莲花咖啡.zip`): `filename*` in
/// UTF-8 for browsers, and an ASCII `filename` for older clients (the site's id when the name
/// has no ASCII letters).
fn attachment(site_name: &str, id: &str) -> String {
    let name: String = site_name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let name = name.trim().trim_matches('.');
    let name = if name.is_empty() { id } else { name };
    let ascii: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '(' | ')'))
        .collect();
    let ascii = if ascii.chars().any(|c| c.is_ascii_alphanumeric()) {
        ascii.trim().to_string()
    } else {
        format!("mpforge-{id}")
    };
    let file = format!("{name}.zip");
    let encoded = percent_encoding::utf8_percent_encode(&file, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"{ascii}.zip\"; filename*=UTF-8''{encoded}")
}

/// A site as sent by the editor. What cannot be read (an unknown block type, a value of the
/// wrong type) is named by its path, in the user's language: a 422, never a 500.
/// A site that holds something harmful (a colour that is not a colour, an api_base that is
/// not https) is refused too, before it is stored or rendered, naming the field.
fn read_site(body: &[u8], lang: Lang) -> Result<Site> {
    let site = parse_site(body, lang).map_err(|problems| unreadable(&problems, lang))?;
    if let Some(p) = site.harmful(lang).into_iter().next() {
        return Err(AppError::invalid(p.path, p.message).into());
    }
    Ok(site)
}

fn unreadable(problems: &[Problem], lang: Lang) -> crate::error::Error {
    let first = problems.first();
    let field = first.map_or("site", |p| p.path.as_str());
    let detail = first.map_or(String::new(), |p| format!(": {}: {}", p.path, p.message));
    AppError::invalid(
        field,
        format!("{}{detail}", lang.t(Text::ErrSiteUnreadable)),
    )
    .into()
}

/// `{base_version, site}`, the site read as [`read_site`] reads it.
fn read_save(body: &[u8], lang: Lang) -> Result<SaveDraft> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body<'a> {
        base_version: u64,
        #[serde(borrow)]
        site: &'a serde_json::value::RawValue,
    }
    let body: Body = serde_json::from_slice(body).map_err(|e| {
        let problem = Problem {
            path: String::new(),
            message: e.to_string(),
        };
        unreadable(&[problem], lang)
    })?;
    Ok(SaveDraft {
        base_version: body.base_version,
        site: read_site(body.site.get().as_bytes(), lang)?,
    })
}

async fn load(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> Result<Json<DraftView>> {
    let who = signed_in(&session)?;
    Ok(Json(sites::draft_view(&*state.store, who, &id).await?))
}

async fn save(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Saved>> {
    let who = signed_in(&session)?;
    // The tenancy check is the save's first step.
    let input = read_save(&body, who.lang)?;
    let saved = sites::save_draft(&*state.store, who, &id, input).await?;
    Ok(Json(saved))
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    page: usize,
}

async fn preview_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    body: Bytes,
) -> Result<Json<PreviewReply>> {
    let who = signed_in(&session)?;
    let lang = who.lang;
    visible_site(&*state.store, who, &id).await?;
    let site = read_site(&body, lang)?;
    let theme = builtin_theme(site.theme.template);
    let previewer = preview::Previewer::new(&site, theme)?;
    let resolve = super::media::media_url(&id);
    let opts = preview::PreviewOptions {
        image_url: &resolve,
        mark_blocks: true,
    };
    let screen = previewer
        .screen(&site, q.page, &opts)
        .ok_or_else(|| AppError::invalid("page", lang.t(Text::ErrNoSuchPage)))?;
    Ok(Json(PreviewReply {
        css: previewer.css().to_string(),
        screen,
    }))
}

/// 422 with what the merchant must fix before the site can be exported.
fn refused(message: String, problems: Vec<Problem>) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(ExportRefused { message, problems }),
    )
        .into_response()
}

async fn export(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> Result<Response> {
    let who = signed_in(&session)?;
    Ok(match export_zip(&state, who, &id).await? {
        Ok(res) => res,
        Err((message, problems)) => refused(message, problems),
    })
}

/// The site's package as a zip download, recorded as a version; or why it cannot be built
/// (a message and every problem, each with its path).
pub(crate) async fn export_zip(
    state: &AppState,
    who: &app::model::UserView,
    id: &str,
) -> Result<std::result::Result<Response, (String, Vec<Problem>)>> {
    let lang = who.lang;
    let (record, site) = sites::saved_site(&*state.store, who, id).await?;
    let media = sites::site_media(&*state.store, &state.blobs, record.merchant_id, &site).await?;
    let cache = state.media_cache.clone();
    let snapshot = site.clone();
    let own_api = (record.id, state.wx.public_url.clone());
    let built = state
        .image_work
        .run(move || {
            let package = sites::build_package(&cache, &media, &site, lang, Some(&own_api))?;
            let zip = package.to_zip()?;
            Ok::<_, GenerateError>((package, zip))
        })
        .await
        .map_err(|_| AppError::Busy(lang.t(Text::ErrBusyWork).into()))?;
    let (package, zip) = match built {
        Ok(ok) => ok,
        // Every problem of the site, else the images that cannot be used, each with its path.
        Err(GenerateError::Invalid(problems)) => {
            return Ok(Err((lang.t(Text::ErrExportInvalid).into(), problems)));
        }
        Err(e @ GenerateError::TooBig { .. }) => return Ok(Err((e.message(lang), Vec::new()))),
        Err(e) => return Err(e.into()),
    };
    let sizes: Vec<(String, usize)> = spill::package_sizes(&package)
        .into_iter()
        .map(|(root, n)| (if root.is_empty() { "main".into() } else { root }, n))
        .collect();
    // Every export is a version: what was handed out, by whom, when.
    let merchant = state
        .store
        .merchant(record.merchant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let version = crate::publish::versions::record(
        &*state.store,
        merchant.agency_id,
        record.id,
        crate::publish::versions::Version::new(
            app::model::publish::VersionKind::Export,
            Some(snapshot),
            None,
            &who.login,
        ),
    )
    .await?;
    let disposition = attachment(&record.name, &record.id.to_string().to_lowercase());
    let mut res = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).expect("ascii header"),
            ),
        ],
        zip,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&serde_json::to_string(&sizes).unwrap_or_default()) {
        res.headers_mut().insert("x-mpforge-packages", v);
    }
    res.headers_mut().insert(
        "x-mpforge-pages",
        HeaderValue::from(package.page_count() as u64),
    );
    res.headers_mut()
        .insert("x-mpforge-version", HeaderValue::from(version));
    Ok(Ok(res))
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn the_download_is_named_after_the_site() {
        assert_eq!(
            attachment("Bean There", "01abc"),
            "attachment; filename=\"Bean There.zip\"; filename*=UTF-8''Bean%20There%2Ezip"
        );
        // A Chinese name: UTF-8 for browsers, the id for clients that only read ASCII.
        let d = attachment("莲花咖啡", "01abc");
        assert!(
            d.starts_with("attachment; filename=\"mpforge-01abc.zip\"; filename*=UTF-8''%E8%8E%B2")
        );
        // Characters no file system takes are replaced.
        assert!(attachment("A/B: C?", "x").contains("filename=\"A-B- C-.zip\""));
    }
}
