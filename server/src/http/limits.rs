//! How large a request body may be, decided in one place before any of it is read: forms and
//! anything anonymous are small; a site (draft save, preview) and an image upload get their own
//! bounds. A body declared larger is refused at once; one that grows past its bound while being
//! read is cut off. The refusal of an editor call is JSON in the user's language.
use app::error::AppError;
use app::i18n::{Lang, Text};
use axum::body::Body;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Forms (log in, create a merchant…) and every request from a visitor who is not signed in.
pub const FORM_LIMIT: usize = 64 * 1024;
/// A whole site as JSON: a draft save or a preview.
pub const SITE_LIMIT: usize = 4 * 1024 * 1024;
/// A merchant import (a CSV of up to 1,000 rows, pasted into a form).
pub const IMPORT_LIMIT: usize = 1024 * 1024;
/// An image upload (the editor says so before sending: `ErrImageTooLarge`).
pub const UPLOAD_LIMIT: usize = crate::media::MAX_INPUT_BYTES;
/// The most any request may send.
pub const MAX_BODY: usize = UPLOAD_LIMIT;

/// The bound for a request to `path` by a signed-in user (`signed_in`) or a visitor.
pub fn body_limit(method: &Method, path: &str, signed_in: bool) -> usize {
    let site_call = path.starts_with("/api/sites/") && !path.starts_with("/api/sites/create");
    if signed_in && path == "/agency/import" {
        return IMPORT_LIMIT;
    }
    if signed_in && path == "/agency/brand/logo" {
        return UPLOAD_LIMIT;
    }
    match (signed_in, site_call) {
        (true, true) if *method == Method::POST && path.ends_with("/media") => UPLOAD_LIMIT,
        (true, true) => SITE_LIMIT,
        _ => FORM_LIMIT,
    }
}

/// The length the request declares, if any.
pub fn declared_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// `body`, cut off with an error once more than `limit` bytes have been read.
pub fn limited(body: Body, limit: usize) -> Body {
    Body::new(http_body_util::Limited::new(body, limit))
}

/// The refusal of a body over `limit`: JSON naming the limit for the editor's calls, a short
/// page otherwise.
pub fn too_large(path: &str, limit: usize, lang: Lang) -> Response {
    let max = if limit >= 1024 * 1024 {
        format!("{} MB", limit / (1024 * 1024))
    } else {
        format!("{} KB", limit / 1024)
    };
    let message = lang.fill(Text::ErrTooLarge, &[("max", max)]);
    if path.starts_with("/api/") {
        let err = AppError::invalid("body", message);
        (StatusCode::PAYLOAD_TOO_LARGE, Json(err)).into_response()
    } else {
        (StatusCode::PAYLOAD_TOO_LARGE, message).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_request_has_its_bound() {
        let post = Method::POST;
        assert_eq!(body_limit(&post, "/api/sites/S/media", true), UPLOAD_LIMIT);
        assert_eq!(
            body_limit(&Method::PUT, "/api/sites/S/draft", true),
            SITE_LIMIT
        );
        assert_eq!(body_limit(&post, "/api/sites/S/preview", true), SITE_LIMIT);
        assert_eq!(body_limit(&post, "/agency", true), FORM_LIMIT);
        assert_eq!(body_limit(&post, "/api/sites/create", true), FORM_LIMIT);
        // A visitor who is not signed in sends forms only.
        assert_eq!(body_limit(&post, "/api/sites/S/media", false), FORM_LIMIT);
        assert_eq!(body_limit(&post, "/auth/login", false), FORM_LIMIT);
    }
}
