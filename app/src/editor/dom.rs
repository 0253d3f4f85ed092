//! Browser DOM helpers the editor needs beyond Leptos: focusing the field for a problem's path,
//! and patching typed text into the phone ahead of the server's render.
#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// How many leading segments (`a`, `b`, `0` in `a.b[0]`) two field paths share.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn shared_segments(a: &str, b: &str) -> usize {
    fn parts(p: &str) -> impl Iterator<Item = &str> {
        p.split(['.', '[']).map(|s| s.trim_end_matches(']'))
    }
    parts(a).zip(parts(b)).take_while(|(x, y)| x == y).count()
}

/// The iframe document the preview lives in; the editor fills `#mp-css` and `#mp-screen`.
/// Focuses the field that edits `path` (or, failing that, the one for the same thing: the
/// first picture of a product for its second), and scrolls it into view.
#[cfg(feature = "hydrate")]
pub(super) fn focus_field(path: &str) {
    use leptos::wasm_bindgen::JsCast;
    let Ok(fields) = document().query_selector_all("[data-path]") else {
        return;
    };
    let want = path.split(['.', '[']).count();
    // Of equally good fields the first on screen: `max_by_key` keeps the last, so go backwards.
    let best = (0..fields.length())
        .rev()
        .filter_map(|i| {
            fields
                .item(i)?
                .dyn_into::<leptos::web_sys::HtmlElement>()
                .ok()
        })
        .map(|el| {
            let p = el.get_attribute("data-path").unwrap_or_default();
            (shared_segments(&p, path), el)
        })
        .filter(|(n, _)| *n >= want.saturating_sub(1).max(1))
        .max_by_key(|(n, _)| *n);
    if let Some((_, el)) = best {
        let opts = leptos::web_sys::ScrollIntoViewOptions::new();
        opts.set_block(leptos::web_sys::ScrollLogicalPosition::Center);
        el.scroll_into_view_with_scroll_into_view_options(&opts);
        let _ = el.focus();
    }
}

/// Replaces the first text node showing exactly `old` (trimmed) in block `block` of the
/// phone preview (the whole screen when `None`) with `new`. True when one was found.
#[cfg(feature = "hydrate")]
pub(super) fn patch_text(block: Option<&str>, old: &str, new: &str) -> bool {
    use leptos::wasm_bindgen::JsCast;
    let old = old.trim();
    if old.is_empty() {
        return false;
    }
    let Some(doc) = document()
        .query_selector("iframe.phone-screen")
        .ok()
        .flatten()
        .map(|f| f.unchecked_into::<web_sys::HtmlIFrameElement>())
        .and_then(|f| f.content_document())
    else {
        return false;
    };
    let scope = match block {
        Some(id) => doc.query_selector(&format!("[data-mpf-block=\"{}\"]", id.replace('"', ""))),
        None => Ok(doc.get_element_by_id("mp-screen")),
    };
    let Some(scope) = scope.ok().flatten() else {
        return false;
    };
    // SHOW_TEXT: only text nodes.
    let Ok(walker) = doc.create_tree_walker_with_what_to_show(&scope, 0x4) else {
        return false;
    };
    while let Ok(Some(node)) = walker.next_node() {
        if node.text_content().is_some_and(|t| t.trim() == old) {
            node.set_text_content(Some(new));
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_are_compared_by_segment() {
        assert_eq!(
            shared_segments("data.products[0].images[0]", "data.products[0].images[1]"),
            4
        );
        assert_eq!(
            shared_segments("data.products[1].name", "data.products[0].name"),
            2
        );
        assert_eq!(shared_segments("name", "name"), 1);
        assert_eq!(shared_segments("names", "name"), 0);
    }
}
