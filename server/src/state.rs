//! Everything a request handler can reach, built once at start-up.
use crate::auth::{CsrfKey, Throttle};
use crate::backend::StoreBackend;
use crate::gate::Gate;
use crate::proxies::TrustedProxies;
use crate::storage::blobs::Blobs;
use crate::storage::{SharedStore, StoreError};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// Everything a request handler can reach: one shared [`AppParts`], so that handing it to a
/// request (every extractor and middleware takes its own) is one reference count, not a copy
/// of every field.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl std::ops::Deref for AppState {
    type Target = AppParts;
    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// Setting a field is for start-up and tests, before the state is shared with requests (a
/// state already shared is copied first).
impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut AppParts {
        Arc::make_mut(&mut self.0)
    }
}

/// What [`AppState`] holds.
#[derive(Clone)]
pub struct AppParts {
    pub leptos: LeptosOptions,
    pub store: SharedStore,
    /// Pictures and packages, by key.
    pub blobs: Blobs,
    /// What the server functions call, behind the UI's `Backend` trait.
    pub backend: Arc<StoreBackend>,
    /// Login attempts (and password checks of a password change), counted in the store.
    pub throttle: Arc<Throttle>,
    /// Uploads per merchant, counted in the store.
    pub upload_rate: Arc<Throttle>,
    /// Bytes of pictures each merchant may keep.
    pub media_quota: u64,
    /// Password checks at once (each takes ~19 MiB).
    pub password_checks: Arc<Gate>,
    /// Image decodes and package builds at once.
    pub image_work: Arc<Gate>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub proxies: Arc<TrustedProxies>,
    /// Served over https: `Secure`, `__Host-` cookies and HSTS.
    pub secure_cookies: bool,
    /// Derives the anti-CSRF tokens (same secret on every node sharing the store).
    pub csrf_key: CsrfKey,
    /// `scheme://host[:port]` of `--public-url`: a state-changing request's `Origin` must be it.
    pub public_origin: Option<String>,
    /// Processed images, so re-exporting does not redo work.
    pub media_cache: crate::media::MediaCache,
    /// The built stylesheet's (hashed) name, read once.
    pub assets: app::AssetNames,
    /// WeChat's platform client, the key sealing secrets, and the public URL.
    pub wx: Arc<crate::wechat::tokens::Wx>,
    /// Requests per second each scripting-API token may make on this node.
    pub api_rate: Arc<crate::http::api::ApiRate>,
    /// The mini-program API's decoded sites, customer key and rate limits.
    pub mp: Arc<crate::http::mp::MpState>,
}

impl AppState {
    pub async fn new(
        leptos: LeptosOptions,
        store: SharedStore,
        blobs: Blobs,
        secure_cookies: bool,
    ) -> Result<Self, StoreError> {
        let wx = Arc::new(crate::wechat::tokens::Wx::offline());
        let store_for_key = store.clone();
        Ok(AppState(Arc::new(AppParts {
            csrf_key: CsrfKey::load(&*store).await?,
            blobs: blobs.clone(),
            assets: crate::http::assets::names(&leptos),
            leptos,
            backend: Arc::new(StoreBackend {
                store: store.clone(),
                blobs: blobs.clone(),
                wx: wx.clone(),
            }),
            store,
            throttle: Arc::new(Throttle::default()),
            upload_rate: Arc::new(Throttle::uploads()),
            media_quota: crate::uploads::DEFAULT_QUOTA,
            password_checks: Arc::new(Gate::per_core()),
            image_work: Arc::new(Gate::per_core()),
            proxies: Arc::new(TrustedProxies::default()),
            secure_cookies,
            public_origin: None,
            media_cache: crate::media::MediaCache::default(),
            wx,
            api_rate: Arc::new(crate::http::api::ApiRate::default()),
            mp: Arc::new(crate::http::mp::MpState::new(
                crate::mp::customers::CustomerKey::load(&*store_for_key).await?,
                crate::http::mp::DEFAULT_PER_IP,
                crate::http::mp::DEFAULT_PER_CUSTOMER,
            )),
        })))
    }

    /// The state over an embedded store, its blobs inside it (tests, benches, one machine).
    pub async fn embedded(
        leptos: LeptosOptions,
        store: Arc<crate::storage::embedded::SledStore>,
        secure_cookies: bool,
    ) -> Result<Self, StoreError> {
        let blobs = Blobs::in_sled(&store)?;
        AppState::new(leptos, store, blobs, secure_cookies).await
    }

    /// The state with another WeChat client, secret key and public URL (start-up, tests).
    pub fn with_wx(mut self, wx: crate::wechat::tokens::Wx) -> Self {
        let wx = Arc::new(wx);
        self.backend = Arc::new(StoreBackend {
            store: self.store.clone(),
            blobs: self.blobs.clone(),
            wx: wx.clone(),
        });
        self.wx = wx;
        self
    }

    /// The state with other rate limits for the mini-program API: requests per second per
    /// client address, writes per second per signed-in customer (start-up, benches, tests).
    pub fn with_mp_rates(mut self, per_ip: u32, per_customer: u32) -> Self {
        let key = self.mp.key.clone();
        self.mp = Arc::new(crate::http::mp::MpState::new(key, per_ip, per_customer));
        self
    }

    /// The name of cookie `c` as this server sets it.
    pub fn cookie(&self, c: crate::auth::CookieName) -> &'static str {
        c.name(self.secure_cookies)
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
