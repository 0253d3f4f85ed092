//! White label: an agency's name, colour and logo on its own users' and merchants' screens,
//! and on its login page when mpforge is reached at the agency's own domain (the request's
//! `Host` says which agency's). Settings are a store document per agency; each domain points
//! at its agency by a document of its own, so a domain belongs to one agency at most.
use crate::storage::{Doc, Expect, Store, StoreError};
use app::error::AppError;
use app::i18n::Lang;
use app::model::{Brand, BrandView};
use serde::{Deserialize, Serialize};
use ulid::Ulid;

pub const BRAND: &str = "brand";
pub const BY_HOST: &str = "brand-host";
pub const NAME_MAX: usize = 60;
/// The longest side of a kept logo, in pixels.
pub const LOGO_SIZE: u32 = 256;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
    /// A host name (`shop.agency.cn`), lower-case, no port.
    #[serde(default)]
    pub domain: Option<String>,
    /// SHA-256 of the logo's PNG (blob `brand/{agency}/{hash}.png`).
    #[serde(default)]
    pub logo: Option<String>,
}

pub fn logo_key(agency: Ulid, hash: &str) -> String {
    format!("brand/{agency}/{hash}.png")
}

fn logo_url(agency: Ulid, hash: &str) -> String {
    format!("/brand/{agency}/{hash}.png")
}

pub async fn settings(store: &dyn Store, agency: Ulid) -> Result<Option<Settings>, StoreError> {
    store
        .doc(BRAND, &agency.to_string())
        .await?
        .map(|d| d.read())
        .transpose()
}

pub fn view(agency: Ulid, s: &Settings) -> BrandView {
    BrandView {
        name: s.name.clone(),
        color: s.color.clone().unwrap_or_default(),
        domain: s.domain.clone().unwrap_or_default(),
        logo: s.logo.as_deref().map(|h| logo_url(agency, h)),
    }
}

fn brand(agency: Ulid, s: Settings) -> Option<Brand> {
    (!s.name.is_empty() || s.logo.is_some() || s.color.is_some()).then(|| Brand {
        logo: s.logo.as_deref().map(|h| logo_url(agency, h)),
        name: s.name,
        color: s.color,
    })
}

/// A host name as typed (`https://Shop.Agency.cn/` too), or why it is not one.
pub fn normalize_domain(input: &str, lang: Lang) -> Result<Option<String>, AppError> {
    let d = input
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_lowercase();
    if d.is_empty() {
        return Ok(None);
    }
    let labels_ok = d.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if d.len() > 253 || !d.contains('.') || !labels_ok {
        return Err(AppError::invalid(
            "domain",
            match lang {
                Lang::Zh => format!("“{d}”不是域名:请写成 shop.example.cn 这样,不带端口和路径。"),
                Lang::En => format!(
                    "“{d}” is not a domain name: write it like shop.example.com, without a port or path."
                ),
            },
        ));
    }
    Ok(Some(d))
}

/// Saves the agency's name, colour and domain (its logo is kept). A domain another agency
/// has is refused.
pub async fn save(
    store: &dyn Store,
    agency: Ulid,
    name: &str,
    color: &str,
    domain: &str,
    lang: Lang,
) -> Result<Settings, crate::error::Error> {
    let name = name.trim().to_string();
    if name.chars().count() > NAME_MAX {
        return Err(AppError::invalid(
            "name",
            match lang {
                Lang::Zh => format!("名称最多 {NAME_MAX} 个字符。"),
                Lang::En => format!("The name is at most {NAME_MAX} characters."),
            },
        )
        .into());
    }
    let color = color.trim().to_lowercase();
    let color = if color.is_empty() {
        None
    } else if app::model::validate::is_hex_color(&color) {
        Some(color)
    } else {
        return Err(AppError::invalid(
            "color",
            match lang {
                Lang::Zh => format!("“{color}”不是颜色:请写成 #1a1a1a 这样。"),
                Lang::En => format!("“{color}” is not a colour: write it like #1a1a1a."),
            },
        )
        .into());
    };
    let domain = normalize_domain(domain, lang)?;
    let old = settings(store, agency).await?.unwrap_or_default();
    if let Some(d) = &domain {
        let claim = Doc::new(
            BY_HOST,
            d.clone(),
            agency,
            serde_json::json!({"agency": agency.to_string()}),
        );
        match store.doc(BY_HOST, d).await? {
            Some(doc) if doc.agency_id != agency => {
                return Err(AppError::conflict(
                    "domain",
                    match lang {
                        Lang::Zh => "该域名已被另一个服务商使用。",
                        Lang::En => "Another agency already uses this domain.",
                    },
                )
                .into())
            }
            Some(_) => {}
            None => match store.put_doc(&claim, Expect::Absent).await {
                Ok(_) => {}
                Err(StoreError::Stale) => {
                    return Err(AppError::conflict("domain", "taken").into());
                }
                Err(e) => return Err(e.into()),
            },
        }
    }
    if let Some(previous) = old
        .domain
        .as_deref()
        .filter(|p| Some(*p) != domain.as_deref())
    {
        store.delete_doc(BY_HOST, previous).await?;
    }
    let next = Settings {
        name,
        color,
        domain,
        logo: old.logo,
    };
    let body = serde_json::to_value(&next).map_err(StoreError::Encode)?;
    store
        .put_doc(
            &Doc::new(BRAND, agency.to_string(), agency, body),
            Expect::Any,
        )
        .await?;
    store.flush().await?;
    Ok(next)
}

/// Keeps `png` (already checked and re-encoded) as the agency's logo.
pub async fn set_logo(store: &dyn Store, agency: Ulid, hash: &str) -> Result<(), StoreError> {
    let mut s = settings(store, agency).await?.unwrap_or_default();
    s.logo = Some(hash.to_string());
    let body = serde_json::to_value(&s).map_err(StoreError::Encode)?;
    store
        .put_doc(
            &Doc::new(BRAND, agency.to_string(), agency, body),
            Expect::Any,
        )
        .await?;
    Ok(())
}

/// The logo as kept: decoded (any picture mpforge takes), at most [`LOGO_SIZE`] a side, PNG.
pub fn logo_png(input: &[u8]) -> Result<Vec<u8>, crate::media::MediaError> {
    let (bytes, _, _) = crate::media::clean_original(input)?;
    let img = image::load_from_memory(&bytes).map_err(|_| crate::media::MediaError::NotAnImage)?;
    let img = img.thumbnail(LOGO_SIZE, LOGO_SIZE);
    let mut out = Vec::new();
    img.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
        .expect("encoding into memory cannot fail");
    Ok(out)
}

/// The look of a request: the signed-in user's agency's, else the agency whose domain the
/// request came to; `None` for mpforge's own.
pub async fn for_request(
    store: &dyn Store,
    agency: Option<Ulid>,
    host: Option<&str>,
) -> Option<Brand> {
    let agency = match agency {
        Some(a) => a,
        None => {
            let host = host?.split(':').next()?.to_lowercase();
            let doc = store.doc(BY_HOST, &host).await.ok()??;
            doc.agency_id
        }
    };
    let s = settings(store, agency).await.ok()??;
    brand(agency, s)
}
