//! `/sites/:id/edit`: the no-code editor. Left: pages, block palette and the page outline
//! ([`outline`]). Centre: the phone preview ([`phone`]), rendered by the server from the theme's
//! own WXML. Right: the properties of what is selected ([`panels`], [`block_panel`], the
//! merchant data editors in [`data`], all built from [`fields`]). Every change is an [`Edit`]
//! in the command log of [`state`] (undo/redo), autosaved by [`sync`] with the version it was
//! based on; [`net`] holds the browser's calls.
//!
//! [`Edit`]: crate::model::edit::Edit
mod block_panel;
mod deferred;
mod dom;
mod fields;
mod icons;
mod merchant_data;
mod net;
mod outline;
mod panels;
mod phone;
mod state;
mod sync;

use crate::api::rest::DraftView;
use crate::i18n::{Lang, Text};
#[cfg(feature = "hydrate")]
use dom::focus_field;
use leptos::prelude::*;
use outline::Outline;
use phone::PhonePreview;
pub use state::{EditorState, SaveState};

/// The editor: an island, the only part of the app that runs in the browser. Its props (the
/// draft, the anti-CSRF token, the language) travel in the page as JSON.
#[island]
pub fn Editor(draft: DraftView, csrf: String, lang: Lang) -> impl IntoView {
    let DraftView {
        site_id,
        merchant_id,
        version,
        site,
    } = draft;
    let ed = EditorState::new(site_id.clone(), version, site, csrf, lang);
    provide_context(ed);

    // Unsaved work from an earlier visit (network dropped, tab closed) comes back.
    Effect::new(move |_| {
        if let Some((base, local)) = net::take_local(&ed.site_id.get_value()) {
            if base == ed.version.get_value() && ed.site.with_untracked(|s| *s != local) {
                ed.site.set(local);
                ed.notice.set(Some(ed.t(Text::RestoredLocal).into()));
                ed.changed();
            }
        }
    });

    // A problem's field (see `EditorState::reveal_problem`): focused once its panel is on screen,
    // after any part of the editor it needs has loaded (at most about five seconds later).
    Effect::new(move |_| {
        if ed.reveal.with(Option::is_some) {
            reveal_when_loaded(ed, 300, true);
        }
    });

    // The tab's title follows the site's name (the server rendered the first one).
    Effect::new(move |first: Option<()>| {
        let name = ed.site.with(|s| s.name.clone());
        if first.is_some() {
            document().set_title(&format!("{name} · {} · mpforge", lang.t(Text::Editor)));
        }
    });

    // Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z (and Ctrl+Y) anywhere in the editor.
    let keys = window_event_listener(leptos::ev::keydown, move |e| {
        let cmd = e.ctrl_key() || e.meta_key();
        let key = e.key().to_lowercase();
        if cmd && key == "z" {
            e.prevent_default();
            if e.shift_key() {
                ed.redo()
            } else {
                ed.undo()
            }
        } else if cmd && key == "y" {
            e.prevent_default();
            ed.redo();
        }
    });
    on_cleanup(move || keys.remove());

    // Leaving the page never loses an edit: hidden → save now; gone → a save that outlives
    // the page; and a prompt only when that cannot carry the work.
    let hidden = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Hidden {
            ed.on_hidden();
        }
    });
    let gone = window_event_listener(leptos::ev::pagehide, move |_| ed.on_leave());
    let ask = window_event_listener(leptos::ev::beforeunload, move |e| {
        if ed.leaving_loses_work() {
            e.prevent_default();
            e.set_return_value("");
        }
    });
    on_cleanup(move || {
        hidden.remove();
        gone.remove();
        ask.remove();
    });

    let t = move |k| lang.t(k);
    let title = move || ed.site.with(|s| s.name.clone());
    let back = format!("/merchants/{merchant_id}");
    // Under 900 px wide one column shows at a time, chosen by tabs; choosing a block (in the
    // outline or the phone) shows its properties.
    let view = RwSignal::new(Column::Blocks);
    Effect::new(move |first: Option<()>| {
        let chosen = ed.selected.get().is_some();
        if first.is_some() && chosen && narrow() {
            view.set(Column::Properties);
        }
    });
    let tab = move |c: Column, label: Text| {
        view! {
            <button type="button" role="tab" id=format!("tab-{}", c.id()) aria-controls=c.id()
                aria-selected=move || (view.get() == c).to_string()
                tabindex=move || if view.get() == c { "0" } else { "-1" }
                on:click=move |_| view.set(c)>{t(label)}</button>
        }
    };
    view! {
        <div class="editor" aria-label=t(Text::Editor)>
            <a class="skip-link" href="#properties">{t(Text::SkipToProperties)}</a>
            <header class="editor-bar">
                <a class="back" href=back>"← "{t(Text::MySites)}</a>
                <h1 class="editor-title">{title}</h1>
                <div class="editor-actions">
                    <button type="button" class="btn" on:click=move |_| ed.undo()
                        disabled=move || !ed.can_undo.get() aria-keyshortcuts="Control+Z">{t(Text::Undo)}</button>
                    <button type="button" class="btn" on:click=move |_| ed.redo()
                        disabled=move || !ed.can_redo.get() aria-keyshortcuts="Control+Shift+Z">{t(Text::Redo)}</button>
                    <SaveStatus/>
                    <panels::ExportButton/>
                </div>
            </header>
            {move || ed.notice.get().map(|n| view! {
                <p class="alert alert-info editor-notice" role="status">{n}
                    <button type="button" class="link-button" on:click=move |_| ed.notice.set(None)>{t(Text::Dismiss)}</button>
                </p>
            })}
            <div class="editor-tabs" role="tablist" aria-label=t(Text::EditorViews)
                on:keydown=move |e: leptos::ev::KeyboardEvent| {
                    let step = match e.key().as_str() { "ArrowRight" => 1, "ArrowLeft" => 2, _ => return };
                    let next = Column::ALL[(view.get_untracked().index() + step) % 3];
                    view.set(next);
                    focus_tab(next);
                }>
                {tab(Column::Blocks, Text::TabBlocks)}
                {tab(Column::Phone, Text::TabPhone)}
                {tab(Column::Properties, Text::Properties)}
            </div>
            <div class="editor-body" data-view=move || view.get().id()>
                <aside id="blocks" class="editor-left" aria-label=t(Text::TabBlocks)>
                    <panels::PagesPanel/>
                    <Outline/>
                </aside>
                <section id="phone" class="editor-center" aria-label=t(Text::PhonePreview) tabindex="0">
                    <PhonePreview/>
                </section>
                <aside id="properties" class="editor-right" aria-label=t(Text::Properties) tabindex="-1">
                    <panels::Properties/>
                </aside>
            </div>
        </div>
    }
}

/// The editor's three columns, shown side by side, or one at a time on a narrow screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Blocks,
    Phone,
    Properties,
}

impl Column {
    const ALL: [Column; 3] = [Column::Blocks, Column::Phone, Column::Properties];

    /// The column's element id (and the `data-view` the stylesheet reads).
    fn id(self) -> &'static str {
        match self {
            Column::Blocks => "blocks",
            Column::Phone => "phone",
            Column::Properties => "properties",
        }
    }

    fn index(self) -> usize {
        Column::ALL.iter().position(|&c| c == self).unwrap_or(0)
    }
}

/// Whether the editor shows one column at a time (the stylesheet's breakpoint).
fn narrow() -> bool {
    window()
        .match_media("(max-width: 899px)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

fn focus_tab(c: Column) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id(&format!("tab-{}", c.id()))
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Focuses the field of `ed.reveal` on a later frame, once no part of the editor is loading
/// (`frames` more frames at most), then clears it.
fn reveal_when_loaded(ed: EditorState, frames: u32, waited: bool) {
    request_animation_frame(move || {
        let loading = deferred::loading();
        if frames > 0 && (loading || !waited) {
            // One more frame after the last part arrived, for its effects to have run.
            return reveal_when_loaded(ed, frames - 1, !loading);
        }
        #[cfg(feature = "hydrate")]
        if let Some(path) = ed.reveal.get_untracked() {
            focus_field(&path);
        }
        ed.reveal.set(None);
    });
}

#[component]
fn SaveStatus() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    view! {
        // What was typed and cannot be used is not in the site: said first, with a link.
        <span class="save-problems" aria-live="polite">
            {move || {
                let (count, first) = ed.typed.with(|t| (t.len(), t.first().map(|x| x.path.clone())));
                first.map(|path| {
                    let label = if count == 1 {
                        t(Text::NotSavedOne).to_string()
                    } else {
                        ed.lang.fill(Text::NotSavedMany, &[("count", count.to_string())])
                    };
                    view! {
                        <button type="button" class="link-button not-saved"
                            on:click=move |_| ed.reveal_problem(&path)>{label}</button>
                    }
                })
            }}
        </span>
        <span class="save-status" role="status" aria-live="polite">
            {move || match ed.save.get() {
                SaveState::Saved => view! { <span class="saved">{t(Text::Saved)}</span> }.into_any(),
                SaveState::Pending | SaveState::Saving => view! { <span class="saving">{t(Text::Saving)}</span> }.into_any(),
                SaveState::Offline => view! { <span class="offline">{t(Text::OfflineRetrying)}</span> }.into_any(),
                SaveState::Conflict(message) => view! {
                    <span class="conflict" role="alert">{message}" "
                        <button type="button" class="link-button" on:click=move |_| {
                            let _ = window().location().reload();
                        }>{t(Text::ReloadTheirs)}</button>" "
                        <button type="button" class="link-button" on:click=move |_| ed.overwrite()>{t(Text::KeepMine)}</button>
                    </span>
                }.into_any(),
            }}
        </span>
    }
}
