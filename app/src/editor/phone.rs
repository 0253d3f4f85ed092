//! The phone in the middle: the server renders the page from the theme's own WXML, and the
//! editor swaps only the blocks whose HTML changed into a sandboxed frame; clicks in the phone
//! select blocks and switch tabs.
#[cfg(feature = "hydrate")]
use super::net;
use super::state::EditorState;
use crate::i18n::Text;
use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use std::time::Duration;

/// Splits a preview screen into its frame (everything but the blocks) and its blocks
/// `(id, html)`, using the markers the server puts around each block.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn split_screen(screen: &str) -> (String, Vec<(String, String)>) {
    const START: &str = "<div class=\"mpf-block\" data-mpf-block=\"";
    const END: &str = "<!--/mpf-->";
    let mut frame = String::with_capacity(1024);
    let mut blocks = Vec::new();
    let mut rest = screen;
    while let Some(start) = rest.find(START) {
        let Some(len) = rest[start..].find(END) else {
            break;
        };
        frame.push_str(&rest[..start]);
        let html = &rest[start..start + len];
        let id = html[START.len()..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string();
        blocks.push((id, html.to_string()));
        rest = &rest[start + len + END.len()..];
    }
    frame.push_str(rest);
    (frame, blocks)
}

const PREVIEW_SHELL: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><style id=\"mp-css\"></style><style>.mpf-block{cursor:pointer}.mpf-block:hover{outline:2px dashed #7aa7ff;outline-offset:-2px}.mpf-selected{outline:3px solid #1a73e8!important;outline-offset:-3px}.mp-tab{cursor:pointer}</style></head><body><div class=\"mp-screen\" id=\"mp-screen\"></div></body></html>";

#[component]
pub(super) fn PhonePreview() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let frame = NodeRef::<leptos::html::Iframe>::new();
    // Bumped each time a preview document is loaded and wired up (the frame may reload).
    let loads = RwSignal::new(0u32);
    let seq = StoredValue::new(0u64);
    // What the frame shows now, to swap only the blocks that changed.
    let shown = StoredValue::new(None::<Shown>);
    // The page the phone shows, to scroll back to the top when it changes.
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let shown_page = StoredValue::new(None::<usize>);

    #[cfg(feature = "hydrate")]
    {
        let doc = move || frame.get_untracked().and_then(|f| f.content_document());
        let mark_selected = move || {
            if let Some(d) = doc() {
                frame_dom::mark_selected(&d, ed.selected.get_untracked());
            }
        };
        let render = move |n: u64, page: usize| {
            let site = ed.site.get_untracked();
            let (id, csrf) = (ed.site_id.get_value(), ed.csrf.get_value());
            leptos::task::spawn_local(async move {
                let Ok(reply) = net::preview(&id, &csrf, page, &site).await else {
                    return;
                };
                let Some(d) = doc().filter(|_| seq.get_value() == n) else {
                    return;
                };
                let patched = ed.patched.with_value(Clone::clone);
                let now =
                    shown.with_value(|old| frame_dom::show(&d, &reply, old.as_ref(), &patched));
                shown.set_value(Some(now));
                // Another page starts at its top, as it does in the mini program.
                if shown_page.get_value() != Some(page) {
                    shown_page.set_value(Some(page));
                    if let Some(w) = d.default_view() {
                        w.scroll_to_with_x_and_y(0.0, 0.0);
                    }
                }
                ed.patched.update_value(Vec::clear);
                mark_selected();
                frame_dom::mark_performance("mpf-preview-updated");
            });
        };
        // Re-render whenever the site or the page changes; stale replies are dropped.
        Effect::new(move |_| {
            if loads.get() == 0 {
                return;
            }
            let page = ed.page.get();
            ed.site.track();
            let n = seq.get_value() + 1;
            seq.set_value(n);
            // Asked for after the next paint, so what was typed shows first (see `show_typed`),
            // and once for a burst of changes within a frame.
            request_animation_frame(move || {
                set_timeout(
                    move || {
                        if seq.get_value() == n {
                            render(n, page);
                        }
                    },
                    Duration::ZERO,
                )
            });
        });
        Effect::new(move |_| {
            ed.selected.track();
            mark_selected();
        });
        // Wired once per document: the frame can load again (e.g. when hydration re-sets srcdoc).
        let on_load = move || {
            if let Some(d) = doc() {
                if frame_dom::wire_clicks(&d, ed) {
                    shown.set_value(None);
                    loads.update(|n| *n += 1);
                }
            }
        };
        Effect::new(move |_| {
            // The frame may have loaded before hydration attached our handler.
            if let Some(f) = frame.get() {
                if f.content_document()
                    .is_some_and(|d| d.ready_state() == "complete")
                {
                    on_load();
                }
            }
        });
        view! {
            <div class="phone" role="presentation">
                <iframe node_ref=frame class="phone-screen" title=ed.t(Text::PhonePreview) srcdoc=PREVIEW_SHELL
                    sandbox="allow-same-origin"
                    on:load=move |_| on_load()></iframe>
            </div>
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (frame, loads, seq, shown);
        view! {
            <div class="phone" role="presentation">
                <iframe class="phone-screen" title=ed.t(Text::PhonePreview) srcdoc=PREVIEW_SHELL
                    sandbox="allow-same-origin"></iframe>
            </div>
        }
    }
}

/// What the frame shows: the screen's frame HTML and its blocks `(id, html)`.
type Shown = (String, Vec<(String, String)>);

/// The preview frame's document: its nodes belong to the frame's own realm, where
/// `instanceof Element` (what `dyn_into` checks) is false, so casts here are unchecked.
#[cfg(feature = "hydrate")]
mod frame_dom {
    use super::{split_screen, EditorState, Shown};
    use crate::api::rest::PreviewReply;
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use web_sys::{Document, Element, Node};

    fn as_element(node: Node) -> Option<Element> {
        (node.node_type() == Node::ELEMENT_NODE).then(|| node.unchecked_into::<Element>())
    }

    /// Outlines the selected block (and scrolls it into view), and only that one.
    pub fn mark_selected(d: &Document, selected: Option<String>) {
        if let Ok(list) = d.query_selector_all(".mpf-selected") {
            for el in (0..list.length()).filter_map(|i| list.item(i).and_then(as_element)) {
                let _ = el.class_list().remove_1("mpf-selected");
            }
        }
        if let Some(id) = selected {
            let sel = format!("[data-mpf-block=\"{}\"]", id.replace('"', ""));
            if let Ok(Some(el)) = d.query_selector(&sel) {
                let _ = el.class_list().add_1("mpf-selected");
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                el.scroll_into_view_with_scroll_into_view_options(&opts);
            }
        }
    }

    /// Shows `reply` in the frame: when the screen's frame and its blocks are the same as
    /// `old`, only the blocks whose HTML changed (or that were `patched` ahead of the server)
    /// are swapped; otherwise the whole screen. Returns what is shown now.
    pub fn show(
        d: &Document,
        reply: &PreviewReply,
        old: Option<&Shown>,
        patched: &[String],
    ) -> Shown {
        if let Some(css) = d.get_element_by_id("mp-css") {
            if css.text_content().as_deref() != Some(reply.css.as_str()) {
                css.set_text_content(Some(&reply.css));
            }
        }
        let (frame_html, blocks) = split_screen(&reply.screen);
        let swapped = old.is_some_and(|(old_frame, old_blocks)| {
            *old_frame == frame_html
                && old_blocks.len() == blocks.len()
                && old_blocks.iter().zip(&blocks).all(|(a, b)| a.0 == b.0)
                && swap_changed(d, &blocks, old_blocks, patched)
        });
        if !swapped {
            if let Some(screen) = d.get_element_by_id("mp-screen") {
                screen.set_inner_html(&reply.screen);
            }
        }
        (frame_html, blocks)
    }

    /// Replaces the blocks that changed; false when one is not in the document.
    fn swap_changed(
        d: &Document,
        blocks: &[(String, String)],
        old_blocks: &[(String, String)],
        patched: &[String],
    ) -> bool {
        for ((id, html), (_, before)) in blocks.iter().zip(old_blocks) {
            if html == before && !patched.contains(id) {
                continue;
            }
            let sel = format!("[data-mpf-block=\"{}\"]", id.replace('"', ""));
            match d.query_selector(&sel) {
                Ok(Some(el)) => el.set_outer_html(html),
                _ => return false,
            }
        }
        true
    }

    /// Clicks inside the phone select blocks and switch pages through the tab bar. Wires a
    /// loaded preview document once; true when it did.
    pub fn wire_clicks(d: &Document, ed: EditorState) -> bool {
        let Some(root) = d.document_element() else {
            return false;
        };
        if d.get_element_by_id("mp-screen").is_none() || root.has_attribute("data-mpf-wired") {
            return false;
        }
        let _ = root.set_attribute("data-mpf-wired", "");
        let handler = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MouseEvent)>::new(
            move |e: web_sys::MouseEvent| {
                e.prevent_default();
                let Some(target) = e
                    .target()
                    .map(|t| t.unchecked_into::<Node>())
                    .and_then(as_element)
                else {
                    return;
                };
                if let Ok(Some(block)) = target.closest("[data-mpf-block]") {
                    ed.selected.set(block.get_attribute("data-mpf-block"));
                } else if let Ok(Some(tab)) = target.closest("[data-mpf-page]") {
                    let id = tab.get_attribute("data-mpf-page").unwrap_or_default();
                    if let Some(i) = ed
                        .site
                        .with_untracked(|s| s.pages.iter().position(|p| p.id == id))
                    {
                        ed.page.set(i);
                        ed.selected.set(None);
                    }
                }
            },
        );
        let _ = d.add_event_listener_with_callback("click", handler.as_ref().unchecked_ref());
        handler.forget();
        true
    }

    /// A performance mark the editor bench measures.
    pub fn mark_performance(name: &str) {
        if let Some(w) = window().dyn_ref::<web_sys::Window>() {
            let _ = w.performance().map(|p| p.mark(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screens_split_into_frame_and_blocks() {
        let screen = "<header>T</header><main><div class=\"wx-view page\"><div class=\"mpf-block\" data-mpf-block=\"a\" data-mpf-kind=\"x\"><p>A &lt;!--/mpf--&gt;</p></div><!--/mpf--><div class=\"mpf-block\" data-mpf-block=\"b\" data-mpf-kind=\"y\">B</div><!--/mpf--></div></main>";
        let (frame, blocks) = split_screen(screen);
        assert_eq!(
            frame,
            "<header>T</header><main><div class=\"wx-view page\"></div></main>"
        );
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].0, "a");
        assert!(blocks[0].1.ends_with("</p></div>"));
        assert_eq!(blocks[1].0, "b");
    }
}
