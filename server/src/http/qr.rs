//! QR codes of a site (its link, the official mini program code, the trial code, a printable
//! table card) and the public side of a site: `/s/{site}` serves the site's H5 version, the
//! same renderer as the editor's phone, every page navigable; `/i/{name}` its pictures at
//! their content address, as the mini program loads them.
use super::wechat::{immutable, trial_key};
use crate::error::Result;
use crate::generator::builtin_theme;
use crate::preview;
use crate::publish::{self, connect, versions};
use crate::state::AppState;
use crate::tenancy::{signed_in, visible_site};
use crate::wechat::client::CodeRequest;
use crate::wechat::tokens;
use app::error::AppError;
use app::i18n::Lang;
use app::model::publish::VersionKind;
use app::model::site::Site;
use app::model::SessionInfo;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use ulid::Ulid;

#[derive(Deserialize)]
pub(crate) struct QrQuery {
    #[serde(default)]
    pub size: Option<u32>,
    /// `1`: the shop's logo in the centre.
    #[serde(default)]
    pub logo: Option<String>,
    /// The official code's colour, `RRGGBB` (black by default).
    #[serde(default)]
    pub color: Option<String>,
    /// `1`: the official code on a transparent background.
    #[serde(default)]
    pub transparent: Option<String>,
}

/// `RRGGBB` as WeChat's `line_color`.
fn line_color(hex: Option<&str>) -> Option<serde_json::Value> {
    let hex = hex.unwrap_or("000000").trim_start_matches('#');
    if hex.len() != 6 {
        return None;
    }
    let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some(serde_json::json!({"r": c(0)?, "g": c(2)?, "b": c(4)?}))
}

fn invalid(lang: Lang, field: &str, en: &str, zh: &str) -> crate::error::Error {
    AppError::invalid(field, if lang == Lang::Zh { zh } else { en }).into()
}

/// `GET /sites/{id}/qr/{kind}.{png|svg}`: `link`, `official`, `trial` or `card`.
pub(crate) async fn site_qr(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<QrQuery>,
) -> Result<Response> {
    let who = signed_in(&session)?;
    let lang = who.lang;
    let record = visible_site(&*state.store, who, &id).await?;
    let (kind, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let size = q.size.unwrap_or(430);
    if !(crate::qr::MIN_SIZE..=crate::qr::MAX_SIZE).contains(&size) {
        return Err(invalid(
            lang,
            "size",
            "The size is 280 to 1280 pixels.",
            "尺寸为 280 至 1280 像素。",
        ));
    }
    let link = link_url(&state, record.id);
    let site = shown_site(&state, &record).await?;
    let logo = match q.logo.as_deref() {
        Some("1") => logo_bytes(&state, &record, &site).await?,
        _ => None,
    };
    let name = format!("{}-{kind}.{ext}", record.name);
    let download = |ct: &'static str, bytes: Vec<u8>| -> Response {
        let encoded =
            percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC);
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(ct)),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&format!(
                        "inline; filename=\"qr.{ext}\"; filename*=UTF-8''{encoded}"
                    ))
                    .unwrap_or(HeaderValue::from_static("inline")),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-cache"),
                ),
            ],
            bytes,
        )
            .into_response()
    };
    let qr_err = |e: crate::qr::QrError| AppError::invalid("logo", e.to_string());
    match (kind, ext) {
        ("link", "png") => Ok(download(
            "image/png",
            crate::qr::png(&link, size, logo.as_deref()).map_err(qr_err)?,
        )),
        ("link", "svg") => Ok(download(
            "image/svg+xml",
            crate::qr::svg(&link, size, logo.as_deref())
                .map_err(qr_err)?
                .into_bytes(),
        )),
        ("card", "svg") => Ok(download(
            "image/svg+xml",
            table_card(&site.name, &link, logo.as_deref())
                .map_err(qr_err)?
                .into_bytes(),
        )),
        ("trial", "png") => {
            let bytes = state
                .blobs
                .get(&trial_key(record.id))
                .await?
                .ok_or_else(|| {
                    invalid(
                        lang,
                        "trial",
                        "There is no trial version yet: publish first.",
                        "还没有体验版,请先发布。",
                    )
                })?;
            Ok(download("image/png", bytes))
        }
        ("official", "png") => {
            let color = line_color(q.color.as_deref()).ok_or_else(|| {
                invalid(
                    lang,
                    "color",
                    "The colour is six hex digits, like 1a1a1a.",
                    "颜色为六位十六进制数,如 1a1a1a。",
                )
            })?;
            let merchant = state
                .store
                .merchant(record.merchant_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let result = async {
                let p = publish::platform_of(&state, merchant.agency_id).await?;
                let conn = connect::connected(&*state.store, record.id).await?;
                let req = CodeRequest {
                    scene: record.id.to_string(),
                    page: Some("pages/p1/index".into()),
                    check_path: false,
                    env_version: "release".into(),
                    width: size,
                    auto_color: false,
                    line_color: color.clone(),
                    is_hyaline: q.transparent.as_deref() == Some("1"),
                };
                let bytes =
                    tokens::with_authorizer(&*state.store, &state.wx, &p, &conn.appid, |t| {
                        let req = req.clone();
                        let wx = state.wx.clone();
                        async move { wx.client.wxa_code(&t, &req).await }
                    })
                    .await?;
                Ok::<_, publish::PublishError>(bytes)
            }
            .await;
            match result {
                Ok(bytes) => Ok(download("image/png", bytes)),
                Err(e) => Err(AppError::conflict("official", e.message(lang)).into()),
            }
        }
        ("official" | "trial", _) => Err(invalid(
            lang,
            "format",
            "WeChat makes this code as a PNG picture only.",
            "该小程序码由微信生成,仅提供 PNG 图片。",
        )),
        _ => Err(AppError::NotFound.into()),
    }
}

/// `{public_url}/s/{site}`: what the link QR code opens.
pub fn link_url(state: &AppState, site: Ulid) -> String {
    format!("{}/s/{site}", state.wx.public_url)
}

/// A printable table card: the shop's name, its link QR code, and "扫码打开 / Scan to open".
pub fn table_card(
    name: &str,
    link: &str,
    logo: Option<&[u8]>,
) -> std::result::Result<String, crate::qr::QrError> {
    let qr = crate::qr::svg(link, 600, logo)?;
    let qr = qr.trim_start_matches(|c| c != '<');
    let qr = qr
        .strip_prefix("<?xml")
        .map(|r| &r[r.find("?>").map_or(0, |i| i + 2)..])
        .unwrap_or(qr);
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"105mm\" height=\"148mm\" viewBox=\"0 0 700 987\">\
<rect width=\"700\" height=\"987\" fill=\"#ffffff\"/><rect x=\"12\" y=\"12\" width=\"676\" height=\"963\" rx=\"28\" fill=\"none\" stroke=\"#222222\" stroke-width=\"4\"/>\
<text x=\"350\" y=\"130\" text-anchor=\"middle\" font-family=\"PingFang SC, Noto Sans CJK SC, Helvetica, Arial, sans-serif\" font-size=\"56\" font-weight=\"700\" fill=\"#222222\">{}</text>\
<svg x=\"50\" y=\"190\" width=\"600\" height=\"600\">{}</svg>\
<text x=\"350\" y=\"870\" text-anchor=\"middle\" font-family=\"PingFang SC, Noto Sans CJK SC, Helvetica, Arial, sans-serif\" font-size=\"44\" fill=\"#222222\">扫码打开 / Scan to open</text>\
</svg>\n",
        esc(name),
        qr
    ))
}

/// The logo of the site as bytes (an upload or a starter's drawing).
async fn logo_bytes(
    state: &AppState,
    record: &crate::storage::Site,
    site: &Site,
) -> Result<Option<Vec<u8>>> {
    let Some(logo) = site.logo.as_deref().filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    if let Some(bytes) = crate::starter_art::picture(logo) {
        return Ok(Some(bytes));
    }
    let Some(hash) = logo.strip_prefix("media/") else {
        return Ok(None);
    };
    Ok(crate::uploads::fetch(&*state.store, &state.blobs, record.merchant_id, hash).await?)
}

/// What `/s/` shows: the live version, else the last one committed or exported, else the
/// saved draft (so the link works from the first day).
async fn shown_site(state: &AppState, record: &crate::storage::Site) -> Result<Site> {
    let store = &*state.store;
    let (ps, _) = publish::load(store, record.id).await?;
    let all = versions::list(store, record.id).await?;
    let snapshot = |n: u64| all.iter().find(|v| v.n == n).and_then(|v| v.site.clone());
    if let Some(site) = ps.live.as_ref().and_then(|l| snapshot(l.version)) {
        return Ok(site);
    }
    if let Some(site) = all
        .iter()
        .find(|v| {
            v.ok && matches!(v.kind, VersionKind::Commit | VersionKind::Export) && v.site.is_some()
        })
        .and_then(|v| v.site.clone())
    {
        return Ok(site);
    }
    Ok(match store.draft(record.id).await? {
        Some(d) => d.site,
        None => crate::sites::starter_draft(record, Lang::En).site,
    })
}

async fn public_record(state: &AppState, id: &str) -> Result<crate::storage::Site> {
    let id: Ulid = id.parse().map_err(|_| AppError::NotFound)?;
    let record = state
        .store
        .site(id)
        .await?
        .filter(|s| s.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    Ok(record)
}

/// `GET /s/{site}`: the first page.
pub(super) async fn public_site(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response> {
    // `/s/{name}.txt`: a link rule's verification file, which WeChat fetches from the
    // directory of the sites' links.
    if let Some(stem) = id.strip_suffix(".txt") {
        if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(AppError::NotFound.into());
        }
        let doc = state
            .store
            .doc(connect::JUMP_FILE, &id)
            .await?
            .ok_or(AppError::NotFound)?;
        let content = doc.body["content"].as_str().unwrap_or_default().to_string();
        return Ok((
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            content,
        )
            .into_response());
    }
    render_public(&state, &id, None).await
}

/// `GET /s/{site}/{page}`: a page by id (the links between pages), or a site picture
/// (`media-<hash>`).
pub(super) async fn public_page(
    State(state): State<AppState>,
    Path((id, page)): Path<(String, String)>,
) -> Result<Response> {
    if let Some(hash) = page.strip_prefix("media-") {
        let record = public_record(&state, &id).await?;
        let site = shown_site(&state, &record).await?;
        // Only a picture the shown site uses is public.
        let used = serde_json::to_string(&site)
            .unwrap_or_default()
            .contains(&format!("\"media/{hash}\""));
        if !used {
            return Err(AppError::NotFound.into());
        }
        let bytes = crate::uploads::fetch(&*state.store, &state.blobs, record.merchant_id, hash)
            .await?
            .ok_or(AppError::NotFound)?;
        let ct = if bytes.starts_with(&[0x89, b'P']) {
            "image/png"
        } else {
            "image/jpeg"
        };
        return Ok(immutable(ct, bytes));
    }
    render_public(&state, &id, Some(&page)).await
}

async fn render_public(state: &AppState, id: &str, page: Option<&str>) -> Result<Response> {
    let record = public_record(state, id).await?;
    let site = shown_site(state, &record).await?;
    let index = match page {
        None => 0,
        Some(p) => site
            .pages
            .iter()
            .position(|x| x.id == p)
            .ok_or(AppError::NotFound)?,
    };
    let theme = builtin_theme(site.theme.template);
    let site_id = record.id.to_string();
    let resolve = |reference: &str| -> Option<String> {
        if let Some(url) = super::media::art_url(reference) {
            return Some(url);
        }
        let hash = reference.strip_prefix("media/")?;
        (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| format!("/s/{site_id}/media-{hash}"))
    };
    let html = preview::Previewer::new(&site, theme)?
        .document(
            &site,
            index,
            &preview::PreviewOptions {
                image_url: &resolve,
                mark_blocks: false,
            },
        )
        .ok_or(AppError::NotFound)?;
    // Links between pages (tabs, buttons, banners) open the page's own address.
    let html = html
        .replacen(
            "</head>",
            "<script src=\"/site-link.js\" defer></script></head>",
            1,
        )
        .replacen("<body>", &format!("<body data-site=\"{site_id}\">"), 1);
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        html,
    )
        .into_response())
}

/// `GET /i/{name}`: a picture of a published site (`<16 hex>.jpg|png`), kept at its content
/// address when the site was committed.
pub(super) async fn public_image(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    let (stem, ext) = name.rsplit_once('.').ok_or(AppError::NotFound)?;
    let ct = match ext {
        "jpg" => "image/jpeg",
        "png" => "image/png",
        _ => return Err(AppError::NotFound.into()),
    };
    if stem.is_empty() || stem.len() > 64 || !stem.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound.into());
    }
    let bytes = state
        .blobs
        .get(&crate::publish::pipeline::public_image_key(&name))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(immutable(ct, bytes))
}
