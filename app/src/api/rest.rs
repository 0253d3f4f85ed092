//! The editor's JSON endpoints under `/api/sites/{id}/…`: what the editor and the server
//! exchange.
use crate::model::site::Site;
use crate::model::validate::Problem;
use serde::{Deserialize, Serialize};

/// `GET /api/sites/{id}/draft`: the site as last saved, and the version to base edits on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftView {
    pub site_id: String,
    pub merchant_id: String,
    pub version: u64,
    pub site: Site,
}

/// `PUT /api/sites/{id}/draft`. Refused with 409 when `base_version` is not the stored one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveDraft {
    pub base_version: u64,
    pub site: Site,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub version: u64,
}

/// `POST /api/sites/{id}/preview?page=N` (body: the site being edited).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewReply {
    pub css: String,
    /// Inner HTML of the phone screen: navigation bar, page, tab bar.
    pub screen: String,
}

/// `POST /api/sites/{id}/media` (body: the image file).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Uploaded {
    /// What the site stores: `media/<sha256>`.
    pub reference: String,
    pub width: u32,
    pub height: u32,
}

/// `GET /api/sites/{id}/export` when the site cannot be generated yet (422).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportRefused {
    pub message: String,
    pub problems: Vec<Problem>,
}

/// Bytes per package, sent with a successful export in the `x-mpforge-packages` header as
/// JSON: `[["main", 123456], ["p/product/", 2345]]`.
pub type PackageSizes = Vec<(String, usize)>;
