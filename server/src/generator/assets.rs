//! Puts the site's images into the package: each reference is loaded (a starter's drawn
//! picture; else a file next to the site JSON for the CLI, stored uploads for the server), processed for its use, stored as
//! `images/<hash>.<ext>` and the reference rewritten to that path. An image that cannot be
//! used is reported with the field it came from.
use super::GenerateError;
use crate::media::{MediaCache, Use};
use app::i18n::Lang;
use app::model::site::BlockKind;
use app::model::site::Site;
use app::model::validate::Problem;
use std::collections::BTreeMap;

/// Every image reference of the site, with its field path and use, for rewriting in place.
fn image_refs(site: &mut Site) -> Vec<(String, Use, &mut String)> {
    let mut out: Vec<(String, Use, &mut String)> = Vec::new();
    if let Some(logo) = site.logo.as_mut() {
        out.push(("logo".into(), Use::Logo, logo));
    }
    for (i, page) in site.pages.iter_mut().enumerate() {
        for (j, block) in page.blocks.iter_mut().enumerate() {
            let at = format!("pages[{i}].blocks[{j}]");
            match &mut block.kind {
                BlockKind::Banner { slides } => {
                    for (k, s) in slides.iter_mut().enumerate() {
                        out.push((format!("{at}.slides[{k}].image"), Use::Banner, &mut s.image));
                    }
                }
                BlockKind::Image { image, .. } => {
                    out.push((format!("{at}.image"), Use::Gallery, image))
                }
                _ => {}
            }
        }
    }
    let d = &mut site.data;
    for (i, p) in d.products.iter_mut().enumerate() {
        for (k, img) in p.images.iter_mut().enumerate() {
            out.push((format!("data.products[{i}].images[{k}]"), Use::Product, img));
        }
    }
    for (i, s) in d.services.iter_mut().enumerate() {
        if let Some(img) = s.image.as_mut() {
            out.push((format!("data.services[{i}].image"), Use::Product, img));
        }
    }
    for (i, s) in d.staff.iter_mut().enumerate() {
        if let Some(img) = s.photo.as_mut() {
            out.push((format!("data.staff[{i}].photo"), Use::Logo, img));
        }
    }
    for (i, img) in d.gallery.iter_mut().enumerate() {
        out.push((format!("data.gallery[{i}]"), Use::Gallery, img));
    }
    out.retain(|(_, _, r)| !r.trim().is_empty());
    out
}

/// Loads, processes and embeds every image; returns the rewritten site and the image files.
///
/// `load` says in `lang` why a reference cannot be loaded. A problem names the reference too
/// when it is a file name the author chose; uploads (`media/<hash>`) are named by their field
/// alone, since the hash means nothing to a merchant.
pub fn embed_images(
    site: &Site,
    cache: &MediaCache,
    lang: Lang,
    mut load: impl FnMut(&str) -> Result<Vec<u8>, String>,
) -> Result<(Site, BTreeMap<String, Vec<u8>>), GenerateError> {
    let mut site = site.clone();
    let mut files = BTreeMap::new();
    let mut problems = Vec::new();
    for (path, u, reference) in image_refs(&mut site) {
        // A starter's drawn picture is the same everywhere; anything else is the caller's.
        let bytes = crate::starter_art::picture(reference).map_or_else(|| load(reference), Ok);
        let result = bytes.and_then(|bytes| cache.process(&bytes, u).map_err(|e| e.message(lang)));
        match result {
            Ok(img) => {
                let name = format!("images/{}", img.file_name());
                files
                    .entry(name.clone())
                    .or_insert_with(|| img.bytes.clone());
                *reference = format!("/{name}");
            }
            Err(message) if reference.starts_with("media/") => {
                problems.push(Problem { path, message })
            }
            Err(message) => problems.push(Problem {
                path,
                message: format!("{reference}: {message}"),
            }),
        }
    }
    if problems.is_empty() {
        Ok((site, files))
    } else {
        Err(GenerateError::Invalid(problems))
    }
}
