//! The left column: the block palette (click or drag a block type onto the page) and the
//! page's outline (select, reorder by drag or buttons, duplicate, hide, delete).
use super::state::EditorState;
use crate::i18n::Text;
use crate::model::blocks::{fresh_block_id, new_block, BlockType};
use crate::model::edit::{Edit, Part};
use leptos::prelude::*;
use std::collections::HashMap;

/// Inserts a block of type `ty` after the selection (or at the end) and selects it.
pub fn add_block(ed: EditorState, ty: BlockType, at: Option<usize>) {
    let page = ed.page.get_untracked();
    let Some(block) = ed.site.with_untracked(|s| new_block(s, page, ty, ed.lang)) else {
        ed.notice.set(Some(ed.t(Text::NeedsProduct).into()));
        return;
    };
    let len = ed
        .site
        .with_untracked(|s| s.pages.get(page).map_or(0, |p| p.blocks.len()));
    let index = at.unwrap_or_else(|| {
        ed.selected
            .get_untracked()
            .and_then(|id| {
                ed.site
                    .with_untracked(|s| s.pages[page].blocks.iter().position(|b| b.id == id))
            })
            .map_or(len, |i| i + 1)
    });
    let id = block.id.clone();
    ed.edit(
        Edit::InsertBlock {
            page,
            index: index.min(len),
            block,
        },
        None,
    );
    ed.selected.set(Some(id));
}

#[component]
pub(super) fn Palette() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let items = BlockType::ALL
        .iter()
        .map(|&ty| {
            let kind = ty.name();
            view! {
                <li>
                    <button type="button" class="palette-item" draggable="true"
                        on:click=move |_| add_block(ed, ty, None)
                        on:dragstart=move |e: leptos::ev::DragEvent| {
                            if let Some(dt) = e.data_transfer() {
                                let _ = dt.set_data("text/plain", &format!("mpf-kind:{kind}"));
                            }
                        }>
                        {ed.t(ty.label())}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="palette-title">
            <h2 id="palette-title">{ed.t(Text::AddBlock)}</h2>
            <p class="muted small">{ed.t(Text::PaletteHint)}</p>
            <ul class="palette">{items}</ul>
        </section>
    }
}

/// What was dropped on the outline: a new block from the palette, or a block being moved.
fn dropped(e: &leptos::ev::DragEvent) -> Option<String> {
    e.data_transfer()?.get_data("text/plain").ok()
}

fn drop_at(ed: EditorState, data: &str, index: usize) {
    if let Some(ty) = data
        .strip_prefix("mpf-kind:")
        .and_then(BlockType::from_name)
    {
        add_block(ed, ty, Some(index));
    } else if let Some(from) = data
        .strip_prefix("mpf-move:")
        .and_then(|v| v.parse::<usize>().ok())
    {
        let page = ed.page.get_untracked();
        let len = ed.site.with_untracked(|s| s.pages[page].blocks.len());
        let to = if index > from { index - 1 } else { index }.min(len.saturating_sub(1));
        if from != to {
            ed.edit(Edit::MoveBlock { page, from, to }, None);
        }
    }
}

#[component]
pub(super) fn Outline() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let rows = Memo::new(move |_| {
        let page = ed.page.get();
        ed.site.with(|s| {
            s.pages
                .get(page)
                .map(|p| {
                    p.blocks
                        .iter()
                        .enumerate()
                        .map(|(index, b)| Row {
                            index,
                            id: b.id.clone(),
                            kind: b.kind.block_type(),
                            hidden: b.hidden,
                            summary: b.kind.summary(),
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    // Each row's summary is a signal of its own, set only when that summary changes: typing in
    // a block updates one row's text instead of waking all of them.
    let summaries: StoredValue<HashMap<String, RwSignal<String>>> =
        StoredValue::new(HashMap::new());
    Effect::new(move |_| {
        rows.with(|rs| {
            summaries.with_value(|m| {
                for r in rs {
                    if let Some(sig) = m.get(&r.id) {
                        if sig.with_untracked(|s| *s != r.summary) {
                            sig.set(r.summary.clone());
                        }
                    }
                }
            })
        })
    });
    let count = move || {
        let page = ed.page.get();
        ed.site
            .with(|s| s.pages.get(page).map_or(0, |p| p.blocks.len()))
    };
    view! {
        <section class="panel" aria-labelledby="outline-title">
            <h2 id="outline-title">{t(Text::Outline)}</h2>
            <p class="muted small">{t(Text::OutlineHint)}</p>
            <ol class="outline"
                on:dragover=move |e: leptos::ev::DragEvent| e.prevent_default()
                on:drop=move |e: leptos::ev::DragEvent| {
                    e.prevent_default();
                    if let Some(d) = dropped(&e) { drop_at(ed, &d, count()); }
                }>
                // A row is rebuilt when its place, block, kind or visibility changes; typing
                // only updates its label's text (no new element, so no relayout of the list).
                <For each=move || rows.get() key=|r| (r.index, r.id.clone(), r.kind, r.hidden) let:row>
                    <OutlineRow row summaries/>
                </For>
            </ol>
        </section>
    }
}

/// What the outline shows of a block.
#[derive(Clone, PartialEq, Eq)]
struct Row {
    index: usize,
    id: String,
    kind: BlockType,
    hidden: bool,
    summary: String,
}

#[component]
fn OutlineRow(
    row: Row,
    summaries: StoredValue<HashMap<String, RwSignal<String>>>,
) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let lang = ed.lang;
    let t = move |k| lang.t(k);
    let Row {
        index,
        id,
        kind,
        hidden,
        summary,
    } = row;
    let summary = register_summary(summaries, &id, summary);
    let label = move || {
        summary.with(|s| {
            if s.is_empty() {
                lang.t(kind.label()).to_string()
            } else {
                format!("{}: {s}", lang.t(kind.label()))
            }
        })
    };
    let labelled = move |k: Text| move || format!("{}: {}", t(k), label());
    let is_selected = {
        let id = id.clone();
        Signal::derive(move || ed.selected.get().as_deref() == Some(id.as_str()))
    };
    let page = move || ed.page.get_untracked();
    let move_by = move |delta: isize| move_block(ed, index, delta);
    let select_id = id.clone();
    // The block as it is now (the row outlives edits that do not change what it shows).
    let current = move || {
        ed.site
            .with_untracked(|s| s.pages.get(page())?.blocks.get(index).cloned())
    };
    view! {
        <li class="outline-row" class:selected=is_selected class:is-hidden=hidden draggable="true"
            on:dragstart=move |e: leptos::ev::DragEvent| {
                if let Some(dt) = e.data_transfer() {
                    let _ = dt.set_data("text/plain", &format!("mpf-move:{index}"));
                }
            }
            on:dragover=move |e: leptos::ev::DragEvent| e.prevent_default()
            on:drop=move |e: leptos::ev::DragEvent| {
                e.prevent_default();
                e.stop_propagation();
                if let Some(d) = dropped(&e) { drop_at(ed, &d, index); }
            }>
            <button type="button" class="outline-select" aria-pressed=move || is_selected.get().to_string()
                aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"
                on:click=move |_| ed.selected.set(Some(select_id.clone()))
                on:keydown=move |e: leptos::ev::KeyboardEvent| {
                    if e.alt_key() && e.key() == "ArrowUp" { e.prevent_default(); move_by(-1); }
                    if e.alt_key() && e.key() == "ArrowDown" { e.prevent_default(); move_by(1); }
                }>
                {label}
                {hidden.then(|| view! { <span class="tag">{t(Text::Hidden)}</span> })}
            </button>
            <span class="outline-tools">
                <button type="button" class="icon-btn" on:click=move |_| move_by(-1)
                    disabled=index == 0 aria-label=labelled(Text::MoveUp)>"↑"</button>
                <button type="button" class="icon-btn" on:click=move |_| move_by(1)
                    aria-label=labelled(Text::MoveDown)>"↓"</button>
                <button type="button" class="icon-btn" aria-label=labelled(Text::Duplicate)
                    on:click=move |_| {
                        let Some(mut copy) = current() else { return };
                        copy.id = ed.site.with_untracked(|s| fresh_block_id(s, page(), copy.kind.block_type()));
                        let id = copy.id.clone();
                        ed.edit(Edit::InsertBlock { page: page(), index: index + 1, block: copy }, None);
                        ed.selected.set(Some(id));
                    }>"⧉"</button>
                <button type="button" class="icon-btn" aria-label=labelled(if hidden { Text::Show } else { Text::Hide })
                    on:click=move |_| {
                        let Some(mut b) = current() else { return };
                        b.hidden = !b.hidden;
                        ed.edit(Edit::Set(Part::Block { page: page(), index, block: b }), None);
                    }>{if hidden { "◎" } else { "◉" }}</button>
                <button type="button" class="icon-btn danger" aria-label=labelled(Text::Delete)
                    on:click=move |_| {
                        ed.edit(Edit::RemoveBlock { page: page(), index }, None);
                        ed.selected.set(None);
                    }>"✕"</button>
            </span>
        </li>
    }
}

/// Registers a row's summary signal under its block id, so typing updates that row's text;
/// a rebuilt row registers its own signal before the old one is cleaned up.
fn register_summary(
    summaries: StoredValue<HashMap<String, RwSignal<String>>>,
    id: &str,
    summary: String,
) -> RwSignal<String> {
    let summary = RwSignal::new(summary);
    summaries.update_value(|m| {
        m.insert(id.to_string(), summary);
    });
    let id = id.to_string();
    on_cleanup(move || {
        summaries.update_value(|m| {
            if m.get(&id) == Some(&summary) {
                m.remove(&id);
            }
        })
    });
    summary
}

/// Moves the block at `index` of the current page by `delta` places, keeping keyboard focus
/// on it.
fn move_block(ed: EditorState, index: usize, delta: isize) {
    let page = ed.page.get_untracked();
    let len = ed
        .site
        .with_untracked(|s| s.pages.get(page).map_or(0, |p| p.blocks.len()));
    let to = index as isize + delta;
    if to < 0 || to as usize >= len {
        return;
    }
    let to = to as usize;
    ed.edit(
        Edit::MoveBlock {
            page,
            from: index,
            to,
        },
        None,
    );
    request_animation_frame(move || {
        let row = format!(".outline li:nth-child({}) .outline-select", to + 1);
        if let Some(el) = document().query_selector(&row).ok().flatten() {
            use leptos::wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<leptos::web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}
