//! Parts of the editor whose code loads when they are first opened: the merchant data editors,
//! the theme and tab bar panels and the export report. Each is a `#[lazy]` function, which
//! `cargo leptos build --split` moves into a wasm file of its own; the editor's first load
//! carries only the outline, the phone and the block panels.
//!
//! While a part's code is on its way, [`deferred!`] shows a polite "Loading…" in its place and
//! leaves the focus where it is. Once loaded, a part shows at once the next time.
use super::state::EditorState;
use crate::i18n::Text;
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};

/// A lazily loaded view: what calling a `#[lazy]` function that returns a view gives.
pub type LazyView = Pin<Box<dyn Future<Output = AnyView>>>;

/// Shows a part of the editor whose code may not be loaded yet: `deferred!(lazy_fn, call)`,
/// where `call` calls the `#[lazy]` function `lazy_fn`. Until the code is in, a polite
/// "Loading…" stands in its place; once it is, the part renders at once, in place (no waiting,
/// no flash) every time after.
macro_rules! deferred {
    ($part:ident, $call:expr) => {{
        static LOADED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        let ready: Signal<bool> = if LOADED.load(std::sync::atomic::Ordering::Relaxed) {
            Signal::stored(true)
        } else {
            leptos::prelude::lazy_preload!($part).into()
        };
        view! { <$crate::editor::deferred::Deferred ready loaded=&LOADED view=move || Box::pin($call) as $crate::editor::deferred::LazyView/> }
    }};
}
pub(super) use deferred;

/// See [`deferred!`]: renders `view` when `ready` (its code is loaded), else "Loading…".
#[component]
pub fn Deferred(
    ready: Signal<bool>,
    loaded: &'static AtomicBool,
    view: impl Fn() -> LazyView + Send + Sync + 'static,
) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    move || {
        if ready.get() {
            loaded.store(true, Ordering::Relaxed);
            // Loaded: the call completes on its first poll, so the part is built here, under
            // this view's owner, like any other component.
            if let Poll::Ready(part) = untrack(|| {
                view()
                    .as_mut()
                    .poll(&mut Context::from_waker(Waker::noop()))
            }) {
                return part;
            }
        }
        view! { <p class="loading deferred" role="status" aria-live="polite">{ed.t(Text::Loading)}</p> }
            .into_any()
    }
}

/// Whether some part of the editor is still loading.
pub(super) fn loading() -> bool {
    #[cfg(feature = "hydrate")]
    {
        document()
            .query_selector(".deferred")
            .ok()
            .flatten()
            .is_some()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// A panel whose body loads when it is first opened: a heading with a toggle button
/// (`aria-expanded`), then the body. `open` is kept by the editor, so the panel stays open
/// while blocks are selected and deselected.
#[component]
pub(super) fn Disclosure(
    /// The heading's id; the body's is `{id}-body`.
    id: &'static str,
    title: &'static str,
    open: RwSignal<bool>,
    body: fn() -> AnyView,
) -> impl IntoView {
    let body_id = format!("{id}-body");
    view! {
        <section class="panel disclosure" aria-labelledby=id>
            <h2 id=id>
                <button type="button" class="disclosure-toggle" aria-expanded=move || open.get().to_string()
                    aria-controls=body_id.clone() on:click=move |_| open.update(|o| *o = !*o)>
                    {title}
                </button>
            </h2>
            <div id=body_id>
                {move || open.get().then(body)}
            </div>
        </section>
    }
}
