//! The editor's JSON endpoints under `/api/sites/{id}/…`: load and save the draft (with a
//! version check, so two editors never overwrite each other silently), preview a page, upload
//! and serve images, export the package as a zip. Every handler starts with `visible_site`:
//! a foreign or unknown id is 404.
use crate::accounts::visible_merchant;
use crate::data::{now_rfc3339, Draft, Site as SiteRecord, Store};
use crate::generator::{self, builtin_theme, preview, spill, GenerateError};
use crate::media::{self, MediaCache, Use};
use crate::web::AppState;
use app::error::AppError;
use app::i18n::{Lang, K};
use app::model::editor::{DraftView, ExportRefused, PreviewReply, SaveDraft, Saved, Uploaded};
use app::model::site::Site;
use app::model::{SessionInfo, UserView};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use ulid::Ulid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/sites/{id}/draft", get(load).put(save))
        .route("/api/sites/{id}/preview", post(preview_page))
        .route("/api/sites/{id}/media", post(upload))
        .route("/api/sites/{id}/media/{hash}", get(media_file))
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
) -> Result<Response, StatusCode> {
    let template = app::model::Template::from_slug(&slug).ok_or(StatusCode::NOT_FOUND)?;
    let lang = q
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(Lang::En);
    let site: Site = serde_json::from_str(generator::theme::starter_json(template, lang))
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let theme = builtin_theme(template);
    let html = preview::Previewer::new(&site, &theme)
        .ok()
        .and_then(|p| {
            p.document(
                &site,
                0,
                &preview::PreviewOptions {
                    image_url: &|_| None,
                    mark_blocks: false,
                },
            )
        })
        .ok_or(StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        html,
    )
        .into_response())
}

struct ApiError(AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self.0)).into_response()
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError(e.into())
    }
}

type ApiResult<T> = Result<T, ApiError>;

fn user(session: &SessionInfo) -> Result<&UserView, AppError> {
    session.user.as_ref().ok_or(AppError::Unauthenticated)
}

/// The site record, if `who` may see it.
fn visible_site(store: &Store, who: &UserView, id: &str) -> Result<SiteRecord, AppError> {
    let id = Ulid::from_string(id).map_err(|_| AppError::NotFound)?;
    let site = store.sites.get(&id)?.ok_or(AppError::NotFound)?;
    visible_merchant(store, who, &site.merchant_id.to_string())?;
    Ok(site)
}

/// The starter of the site's template, named after the site: where every draft begins.
pub fn starter_draft(record: &SiteRecord, lang: Lang) -> Draft {
    let mut site: Site =
        serde_json::from_str(generator::theme::starter_json(record.template, lang))
            .expect("starters parse (tested)");
    site.name = record.name.clone();
    Draft {
        version: 1,
        site,
        updated_at: now_rfc3339(),
    }
}

fn draft_of(store: &Store, record: &SiteRecord, lang: Lang) -> Result<Draft, AppError> {
    Ok(match store.drafts.get(&record.id)? {
        Some(d) => d,
        None => starter_draft(record, lang),
    })
}

/// The draft as the editor sees it, if `who` may see the site.
pub fn draft_view(store: &Store, who: &UserView, id: &str) -> Result<DraftView, AppError> {
    let record = visible_site(store, who, id)?;
    let draft = draft_of(store, &record, who.lang)?;
    Ok(DraftView {
        site_id: record.id.to_string(),
        merchant_id: record.merchant_id.to_string(),
        version: draft.version,
        site: draft.site,
    })
}

async fn load(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
) -> ApiResult<Json<DraftView>> {
    let who = user(&session)?;
    Ok(Json(draft_view(&state.store, who, &id)?))
}

async fn save(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Saved>> {
    let who = user(&session)?;
    let lang = who.lang;
    let mut record = visible_site(&state.store, who, &id)?;
    let input: SaveDraft = serde_json::from_slice(&body)
        .map_err(|e| AppError::invalid("site", format!("{}: {e}", lang.t(K::ErrSiteUnreadable))))?;
    // One save at a time, so the version check and the write are one step.
    let _guard = state.draft_lock.lock().await;
    let current = draft_of(&state.store, &record, lang)?;
    if input.base_version != current.version {
        return Err(AppError::conflict("version", lang.t(K::ErrEditConflict)).into());
    }
    let now = now_rfc3339();
    let draft = Draft {
        version: current.version + 1,
        site: input.site,
        updated_at: now.clone(),
    };
    state.store.drafts.insert(&record.id, &draft)?;
    if !draft.site.name.trim().is_empty() {
        record.name = draft.site.name.chars().take(30).collect();
    }
    record.updated_at = now;
    state.store.sites.insert(&record.id, &record)?;
    state.store.flush().await?;
    Ok(Json(Saved {
        version: draft.version,
    }))
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    page: usize,
}

/// Preview images come from the media store through this site's URL.
fn media_url(site_id: &str) -> impl Fn(&str) -> Option<String> + '_ {
    move |reference: &str| {
        let hash = reference.strip_prefix("media/")?;
        (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| format!("/api/sites/{site_id}/media/{hash}"))
    }
}

async fn preview_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    body: Bytes,
) -> ApiResult<Json<PreviewReply>> {
    let who = user(&session)?;
    let lang = who.lang;
    visible_site(&state.store, who, &id)?;
    let site: Site = serde_json::from_slice(&body)
        .map_err(|e| AppError::invalid("site", format!("{}: {e}", lang.t(K::ErrSiteUnreadable))))?;
    let theme = builtin_theme(site.theme.template);
    let previewer = preview::Previewer::new(&site, &theme).map_err(|e| {
        tracing::error!(error = %e, "preview failed");
        AppError::Internal
    })?;
    let resolve = media_url(&id);
    let opts = preview::PreviewOptions {
        image_url: &resolve,
        mark_blocks: true,
    };
    let screen = previewer
        .screen(&site, q.page, &opts)
        .ok_or_else(|| AppError::invalid("page", lang.t(K::ErrNoSuchPage)))?;
    Ok(Json(PreviewReply {
        css: previewer.css().to_string(),
        screen,
    }))
}

async fn upload(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Uploaded>> {
    let who = user(&session)?;
    let lang = who.lang;
    visible_site(&state.store, who, &id)?;
    let bytes = body.to_vec();
    // Decoding (bounded) proves it is a usable image before anything is stored.
    let checked = tokio::task::spawn_blocking(move || {
        media::process(&bytes, Use::Gallery).map(|p| (bytes, p.width, p.height))
    })
    .await
    .map_err(|_| AppError::Internal)?;
    let (bytes, width, height) =
        checked.map_err(|e| AppError::invalid("image", e.message(lang)))?;
    let hash = hex::encode(Sha256::digest(&bytes));
    state
        .store
        .media
        .insert(hash.as_bytes(), bytes)
        .map_err(crate::store::StoreError::from)?;
    state.store.flush().await?;
    Ok(Json(Uploaded {
        reference: format!("media/{hash}"),
        width,
        height,
    }))
}

async fn media_file(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path((id, hash)): Path<(String, String)>,
) -> ApiResult<Response> {
    let who = user(&session)?;
    visible_site(&state.store, who, &id)?;
    let bytes = state
        .store
        .media
        .get(hash.as_bytes())
        .map_err(crate::store::StoreError::from)?
        .ok_or(AppError::NotFound)?;
    let mime = match bytes.get(..4) {
        Some([0x89, b'P', b'N', b'G']) => "image/png",
        Some([b'G', b'I', b'F', _]) => "image/gif",
        Some([b'R', b'I', b'F', b'F']) => "image/webp",
        _ => "image/jpeg",
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=31536000, immutable"),
            ),
        ],
        bytes.to_vec(),
    )
        .into_response())
}

/// Generates the saved draft's package; images come from the media store. Problems are told
/// in `lang`.
pub fn build_package(
    store: &Store,
    cache: &MediaCache,
    site: &Site,
    lang: Lang,
) -> Result<generator::Package, GenerateError> {
    let theme = builtin_theme(site.theme.template);
    let (site, images) = generator::assets::embed_images(site, cache, lang, |reference| {
        let Some(hash) = reference.strip_prefix("media/") else {
            return Err(match lang {
                Lang::En => "this is not an uploaded picture: upload it again".into(),
                Lang::Zh => "这不是已上传的图片：请重新上传".into(),
            });
        };
        match store.media.get(hash.as_bytes()) {
            Ok(Some(bytes)) => Ok(bytes.to_vec()),
            Ok(None) => Err(match lang {
                Lang::En => "this picture is missing from the uploads: upload it again".into(),
                Lang::Zh => "已上传的图片中找不到这张：请重新上传".into(),
            }),
            Err(e) => Err(e.to_string()),
        }
    })?;
    generator::generate_with_images(&site, &theme, images)
}

/// 422 with what the merchant must fix before the site can be exported.
fn refused(message: String, problems: Vec<app::model::site::Problem>) -> Response {
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
) -> ApiResult<Response> {
    let who = user(&session)?;
    let lang = who.lang;
    let record = visible_site(&state.store, who, &id)?;
    let draft = draft_of(&state.store, &record, lang)?;
    let problems = draft.site.validate(lang);
    if !problems.is_empty() {
        return Ok(refused(lang.t(K::ErrExportInvalid).into(), problems));
    }
    let store = state.store.clone();
    let cache = state.media_cache.clone();
    let built = tokio::task::spawn_blocking(move || {
        let package = build_package(&store, &cache, &draft.site, lang)?;
        let zip = package.to_zip()?;
        Ok::<_, GenerateError>((package, zip))
    })
    .await
    .map_err(|_| AppError::Internal)?;
    let (package, zip) = match built {
        Ok(ok) => ok,
        // Images that cannot be used, each with its field path.
        Err(GenerateError::Invalid(problems)) => {
            return Ok(refused(lang.t(K::ErrExportInvalid).into(), problems));
        }
        Err(e @ GenerateError::TooBig { .. }) => return Ok(refused(e.message(lang), Vec::new())),
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            return Err(AppError::Internal.into());
        }
    };
    let sizes: Vec<(String, usize)> = spill::package_sizes(&package)
        .into_iter()
        .map(|(root, n)| (if root.is_empty() { "main".into() } else { root }, n))
        .collect();
    let file = format!("mpforge-{}.zip", record.id.to_string().to_lowercase());
    let mut res = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
                    .expect("ascii file name"),
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
    Ok(res)
}
