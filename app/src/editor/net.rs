#![cfg_attr(not(feature = "hydrate"), allow(dead_code))]
//! The editor's calls to `/api/sites/{id}/…` (browser only; on the server these are never
//! reached, since nothing is edited during server rendering).
use crate::api::rest::{ExportRefused, PreviewReply, Uploaded};
use crate::model::site::Site;

/// Why a call failed, in the terms the editor acts on.
#[derive(Clone, Debug, PartialEq)]
pub enum NetError {
    /// No answer (offline, server down): retry later, keep everything.
    Offline,
    /// 409: the draft moved on since we loaded it.
    Conflict(String),
    /// A refusal with a message for the merchant.
    Refused(String),
}

/// The file name a `Content-Disposition` gives: `filename*` (UTF-8, RFC 6266) first, else
/// `filename`.
pub fn file_name(disposition: &str) -> Option<String> {
    let part = |key: &str| {
        disposition
            .split(';')
            .map(str::trim)
            .find_map(|p| p.strip_prefix(key))
    };
    if let Some(encoded) = part("filename*=UTF-8''") {
        if let Ok(name) = percent_encoding::percent_decode_str(encoded).decode_utf8() {
            return Some(name.into_owned());
        }
    }
    part("filename=").map(|n| n.trim_matches('"').to_string())
}

/// What an export produced.
pub enum Exported {
    /// The zip was handed to the browser; (pages, [(package, bytes)], file name).
    Downloaded(u64, Vec<(String, usize)>, String),
    Refused(ExportRefused),
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::api::rest::{SaveDraft, Saved};
    use crate::error::AppError;
    use gloo_net::http::{Request, Response};
    use wasm_bindgen::JsCast;

    async fn error_of(res: Response) -> NetError {
        let status = res.status();
        let message = match res.json::<AppError>().await {
            Ok(
                AppError::Invalid { message, .. }
                | AppError::Conflict { message, .. }
                | AppError::Busy(message),
            ) => message,
            Ok(other) => other.to_string(),
            Err(_) => format!("HTTP {status}"),
        };
        if status == 409 {
            NetError::Conflict(message)
        } else {
            NetError::Refused(message)
        }
    }

    pub async fn save(
        site_id: &str,
        csrf: &str,
        base_version: u64,
        site: &Site,
    ) -> Result<u64, NetError> {
        let body = SaveDraft {
            base_version,
            site: site.clone(),
        };
        let res = Request::put(&format!("/api/sites/{site_id}/draft"))
            .header("x-csrf-token", csrf)
            .json(&body)
            .map_err(|e| NetError::Refused(e.to_string()))?
            .send()
            .await
            .map_err(|_| NetError::Offline)?;
        if res.ok() {
            let saved: Saved = res.json().await.map_err(|_| NetError::Offline)?;
            Ok(saved.version)
        } else if res.status() >= 500 {
            Err(NetError::Offline)
        } else {
            Err(error_of(res).await)
        }
    }

    /// Sends a save that outlives the page (fetch `keepalive`), for a page being left. Its
    /// answer is never read. Browsers carry at most 64 KiB that way: a larger site is not
    /// sent (`false`).
    pub fn save_on_leave(site_id: &str, csrf: &str, base_version: u64, site: &Site) -> bool {
        let body = SaveDraft {
            base_version,
            site: site.clone(),
        };
        let Ok(body) = serde_json::to_string(&body) else {
            return false;
        };
        if body.len() > KEEPALIVE_MAX {
            return false;
        }
        let Ok(headers) = web_sys::Headers::new() else {
            return false;
        };
        let _ = headers.set("x-csrf-token", csrf);
        let _ = headers.set("content-type", "application/json");
        let init = web_sys::RequestInit::new();
        init.set_method("PUT");
        // Not in web-sys's `RequestInit` bindings: set on the dictionary object itself.
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
        init.set_headers(&headers);
        init.set_body(&wasm_bindgen::JsValue::from_str(&body));
        let _ = leptos::prelude::window()
            .fetch_with_str_and_init(&format!("/api/sites/{site_id}/draft"), &init);
        true
    }

    /// Whether [`save_on_leave`] can carry `site`.
    pub fn fits_on_leave(site: &Site) -> bool {
        // The envelope adds a few bytes; the site's JSON is nearly all of it.
        serde_json::to_string(site).is_ok_and(|s| s.len() + 64 <= KEEPALIVE_MAX)
    }

    /// What a browser sends with `keepalive` (all such requests of a page together).
    const KEEPALIVE_MAX: usize = 60 * 1024;

    /// The draft as it is stored now.
    pub async fn current_draft(site_id: &str) -> Result<crate::api::rest::DraftView, NetError> {
        let res = Request::get(&format!("/api/sites/{site_id}/draft"))
            .send()
            .await
            .map_err(|_| NetError::Offline)?;
        if !res.ok() {
            return Err(error_of(res).await);
        }
        res.json().await.map_err(|_| NetError::Offline)
    }

    pub async fn preview(
        site_id: &str,
        csrf: &str,
        page: usize,
        site: &Site,
    ) -> Result<PreviewReply, NetError> {
        let res = Request::post(&format!("/api/sites/{site_id}/preview?page={page}"))
            .header("x-csrf-token", csrf)
            .json(site)
            .map_err(|e| NetError::Refused(e.to_string()))?
            .send()
            .await
            .map_err(|_| NetError::Offline)?;
        if res.ok() {
            res.json().await.map_err(|_| NetError::Offline)
        } else {
            Err(error_of(res).await)
        }
    }

    /// Uploads with XMLHttpRequest for its progress events; `progress` gets 0..=100.
    pub async fn upload(
        site_id: &str,
        csrf: &str,
        file: web_sys::File,
        progress: impl Fn(u32) + 'static,
    ) -> Result<Uploaded, NetError> {
        let xhr = web_sys::XmlHttpRequest::new().map_err(|_| NetError::Offline)?;
        xhr.open("POST", &format!("/api/sites/{site_id}/media"))
            .map_err(|_| NetError::Offline)?;
        let _ = xhr.set_request_header("x-csrf-token", csrf);
        let (tx, rx) = futures_channel();
        let on_progress = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::ProgressEvent)>::new(
            move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    progress((e.loaded() / e.total() * 100.0) as u32);
                }
            },
        );
        if let Ok(up) = xhr.upload() {
            up.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        let done = {
            let tx = tx.clone();
            wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || tx(true))
        };
        let failed = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || tx(false));
        xhr.set_onload(Some(done.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(failed.as_ref().unchecked_ref()));
        xhr.send_with_opt_blob(Some(&file))
            .map_err(|_| NetError::Offline)?;
        let loaded = rx.await;
        drop((on_progress, done, failed));
        if !loaded {
            return Err(NetError::Offline);
        }
        let status = xhr.status().unwrap_or(0);
        let text = xhr.response_text().ok().flatten().unwrap_or_default();
        match status {
            200 => serde_json::from_str(&text).map_err(|_| NetError::Offline),
            413 => Err(NetError::Refused(String::new())),
            s if s >= 500 || s == 0 => Err(NetError::Offline),
            _ => Err(NetError::Refused(
                match serde_json::from_str::<AppError>(&text) {
                    Ok(
                        AppError::Invalid { message, .. }
                        | AppError::Conflict { message, .. }
                        | AppError::Busy(message),
                    ) => message,
                    Ok(other) => other.to_string(),
                    Err(_) => format!("HTTP {status}"),
                },
            )),
        }
    }

    /// A one-shot channel from a JS callback to an async fn.
    fn futures_channel() -> (
        std::rc::Rc<dyn Fn(bool)>,
        impl std::future::Future<Output = bool>,
    ) {
        use std::cell::RefCell;
        use std::rc::Rc;
        let state: Rc<RefCell<(Option<bool>, Option<std::task::Waker>)>> = Rc::default();
        let setter = {
            let state = state.clone();
            Rc::new(move |v: bool| {
                let mut s = state.borrow_mut();
                if s.0.is_none() {
                    s.0 = Some(v);
                    if let Some(w) = s.1.take() {
                        w.wake();
                    }
                }
            }) as Rc<dyn Fn(bool)>
        };
        let fut = std::future::poll_fn(move |cx| {
            let mut s = state.borrow_mut();
            match s.0 {
                Some(v) => std::task::Poll::Ready(v),
                None => {
                    s.1 = Some(cx.waker().clone());
                    std::task::Poll::Pending
                }
            }
        });
        (setter, fut)
    }

    pub async fn export(site_id: &str) -> Result<Exported, NetError> {
        let res = Request::get(&format!("/api/sites/{site_id}/export"))
            .send()
            .await
            .map_err(|_| NetError::Offline)?;
        if res.status() == 422 {
            let refused: ExportRefused = res.json().await.map_err(|_| NetError::Offline)?;
            return Ok(Exported::Refused(refused));
        }
        if !res.ok() {
            return Err(if res.status() >= 500 {
                NetError::Offline
            } else {
                error_of(res).await
            });
        }
        let sizes: Vec<(String, usize)> = res
            .headers()
            .get("x-mpforge-packages")
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default();
        let pages = res
            .headers()
            .get("x-mpforge-pages")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let name = res
            .headers()
            .get("content-disposition")
            .and_then(|v| file_name(&v))
            .unwrap_or_else(|| "mpforge.zip".into());
        let bytes = res.binary().await.map_err(|_| NetError::Offline)?;
        let array = js_sys::Uint8Array::from(bytes.as_slice());
        let parts = js_sys::Array::of1(&array);
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/zip");
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(|_| NetError::Offline)?;
        let url =
            web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| NetError::Offline)?;
        let a: web_sys::HtmlAnchorElement = leptos::prelude::document()
            .create_element("a")
            .map_err(|_| NetError::Offline)?
            .unchecked_into();
        a.set_href(&url);
        a.set_download(&name);
        a.click();
        let _ = web_sys::Url::revoke_object_url(&url);
        Ok(Exported::Downloaded(pages, sizes, name))
    }

    fn storage() -> Option<web_sys::Storage> {
        leptos::prelude::window().local_storage().ok().flatten()
    }

    /// Unsaved work kept in the browser, so a reload or a dropped network loses nothing.
    pub fn keep_local(site_id: &str, base_version: u64, site: &Site) {
        if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(&(base_version, site))) {
            let _ = s.set_item(&format!("mpf-draft-{site_id}"), &json);
        }
    }

    pub fn take_local(site_id: &str) -> Option<(u64, Site)> {
        let s = storage()?;
        let text = s.get_item(&format!("mpf-draft-{site_id}")).ok()??;
        serde_json::from_str(&text).ok()
    }

    pub fn clear_local(site_id: &str) {
        if let Some(s) = storage() {
            let _ = s.remove_item(&format!("mpf-draft-{site_id}"));
        }
    }
}

#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(not(feature = "hydrate"))]
mod server_side {
    //! Never called while rendering on the server; these keep the types in one place.
    use super::*;

    pub async fn save(_: &str, _: &str, _: u64, _: &Site) -> Result<u64, NetError> {
        Err(NetError::Offline)
    }
    pub async fn current_draft(_: &str) -> Result<crate::api::rest::DraftView, NetError> {
        Err(NetError::Offline)
    }
    pub async fn preview(_: &str, _: &str, _: usize, _: &Site) -> Result<PreviewReply, NetError> {
        Err(NetError::Offline)
    }
    pub async fn export(_: &str) -> Result<Exported, NetError> {
        Err(NetError::Offline)
    }
    pub fn keep_local(_: &str, _: u64, _: &Site) {}
    pub fn save_on_leave(_: &str, _: &str, _: u64, _: &Site) -> bool {
        false
    }
    pub fn fits_on_leave(_: &Site) -> bool {
        false
    }
    pub fn take_local(_: &str) -> Option<(u64, Site)> {
        None
    }
    pub fn clear_local(_: &str) {}
    pub type _Uploaded = Uploaded;
}

#[cfg(not(feature = "hydrate"))]
pub use server_side::*;

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn the_download_keeps_the_name_the_server_gave() {
        let d =
            "attachment; filename=\"mpforge-01abc.zip\"; filename*=UTF-8''%E8%8E%B2%E8%8A%B1.zip";
        assert_eq!(file_name(d).as_deref(), Some("莲花.zip"));
        assert_eq!(
            file_name("attachment; filename=\"a b.zip\"").as_deref(),
            Some("a b.zip")
        );
        assert_eq!(file_name("inline"), None);
    }
}
