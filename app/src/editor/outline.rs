//! The left column's outline of the page's blocks (select, reorder by drag, keys or buttons,
//! duplicate, hide, delete) and its "Add a block" picker (click, search or drag a block type
//! onto the page).
use super::icons::{Glyph, Icon};
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

/// "Add a block": a button that opens a searchable list of block types over the outline.
/// Typing filters by name (in the editor's language); Enter adds the first match; Escape or
/// adding closes it and gives the focus back to the button.
#[component]
fn BlockPicker(open: RwSignal<bool>) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let query = RwSignal::new(String::new());
    let search = NodeRef::<leptos::html::Input>::new();
    let matches = move || {
        let q = query.get().trim().to_lowercase();
        BlockType::ALL
            .iter()
            .copied()
            .filter(|ty| q.is_empty() || ed.t(ty.label()).to_lowercase().contains(&q))
            .collect::<Vec<_>>()
    };
    let close = move || {
        open.set(false);
        query.set(String::new());
        focus_selector("#add-block-toggle");
    };
    let pick = move |ty: BlockType| {
        add_block(ed, ty, None);
        open.set(false);
        query.set(String::new());
    };
    Effect::new(move |_| {
        if let Some(input) = search.get() {
            let _ = input.focus();
        }
    });
    view! {
        <div id="block-picker" class="block-picker" role="dialog" aria-label=t(Text::AddBlock)
            on:keydown=move |e: leptos::ev::KeyboardEvent| if e.key() == "Escape" { e.prevent_default(); close(); }>
            <div class="block-picker-head">
                <label for="block-search" class="sr-only">{t(Text::FindBlock)}</label>
                <input id="block-search" node_ref=search type="search" autocomplete="off" placeholder=t(Text::FindBlock)
                    prop:value=move || query.get() on:input=move |e| query.set(event_target_value(&e))
                    on:keydown=move |e: leptos::ev::KeyboardEvent| if e.key() == "Enter" {
                        e.prevent_default();
                        if let Some(&ty) = matches().first() { pick(ty); }
                    }/>
                <button type="button" class="icon-btn" title=t(Text::CloseTool) aria-label=t(Text::CloseTool)
                    on:click=move |_| close()><Icon glyph=Glyph::Close/></button>
            </div>
            <p class="muted small">{t(Text::PaletteHint)}</p>
            <ul class="palette">
                <For each=matches key=|ty| *ty let:ty>
                    <li>
                        <button type="button" class="palette-item" draggable="true"
                            on:click=move |_| pick(ty)
                            on:dragstart=move |e: leptos::ev::DragEvent| {
                                if let Some(dt) = e.data_transfer() {
                                    let _ = dt.set_data("text/plain", &format!("mpf-kind:{}", ty.name()));
                                }
                            }>
                            {ed.t(ty.label())}
                        </button>
                    </li>
                </For>
            </ul>
            {move || matches().is_empty().then(|| view! { <p class="muted small">{t(Text::NoBlockMatches)}</p> })}
        </div>
    }
}

/// Focuses the first element matching `selector`, if any.
fn focus_selector(selector: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(el) = document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Focuses the select button of row `index` of the outline (0-based).
fn focus_row(index: usize) {
    focus_selector(&format!(
        ".outline li:nth-child({}) .outline-select",
        index + 1
    ));
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
                            summary: shown_summary(s, &b.kind),
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
    // Roving tabindex: Tab reaches one row (the selected block's, else the last one the arrow
    // keys moved to), the arrow keys go between rows.
    let current = RwSignal::new(0usize);
    Effect::new(move |_| {
        if let Some((_, i)) = ed.selected_index() {
            current.set(i);
        }
    });
    let tab_row = Memo::new(move |_| current.get().min(count().saturating_sub(1)));
    let picker = RwSignal::new(false);
    view! {
        <section class="panel outline-panel" aria-labelledby="outline-title">
            <div class="panel-head">
                <h2 id="outline-title">{t(Text::Outline)}</h2>
                <button type="button" id="add-block-toggle" class="btn btn-small btn-primary"
                    aria-expanded=move || picker.get().to_string() aria-controls="block-picker"
                    on:click=move |_| picker.update(|o| *o = !*o)>
                    <Icon glyph=Glyph::Plus/>{t(Text::AddBlock)}
                </button>
            </div>
            {move || picker.get().then(|| view! { <BlockPicker open=picker/> })}
            {move || (count() == 0).then(|| view! {
                <p class="outline-empty">{t(Text::PageEmpty)}</p>
            })}
            <ol class="outline" aria-describedby="outline-hint"
                on:dragover=move |e: leptos::ev::DragEvent| e.prevent_default()
                on:drop=move |e: leptos::ev::DragEvent| {
                    e.prevent_default();
                    if let Some(d) = dropped(&e) { drop_at(ed, &d, count()); }
                }>
                // A row is rebuilt when its place, block, kind or visibility changes; typing
                // only updates its label's text (no new element, so no relayout of the list).
                <For each=move || rows.get() key=|r| (r.index, r.id.clone(), r.kind, r.hidden) let:row>
                    <OutlineRow row summaries current tab_row count=Signal::derive(count)/>
                </For>
            </ol>
            <p class="muted small" id="outline-hint">{t(Text::OutlineHint)}</p>
        </section>
    }
}

/// A block's summary as the merchant knows it: a featured product by its name, not its id.
fn shown_summary(site: &crate::model::site::Site, kind: &crate::model::site::BlockKind) -> String {
    match kind {
        crate::model::site::BlockKind::FeaturedProduct { product } => site
            .data
            .products
            .iter()
            .find(|p| &p.id == product)
            .map_or_else(|| product.clone(), |p| p.name.clone()),
        other => other.summary(),
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
    current: RwSignal<usize>,
    tab_row: Memo<usize>,
    count: Signal<usize>,
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
    let kind_name = lang.t(kind.label());
    let label = move || {
        summary.with(|s| {
            if s.is_empty() {
                kind_name.to_string()
            } else {
                format!("{kind_name}: {s}")
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
    let current_block = move || {
        ed.site
            .with_untracked(|s| s.pages.get(page())?.blocks.get(index).cloned())
    };
    let go = move |to: usize| {
        current.set(to);
        focus_row(to);
    };
    let tool = move |glyph: Glyph, name: Text| {
        let tip = move || format!("{}: {}", t(name), label());
        (glyph, tip)
    };
    let (up, up_tip) = tool(Glyph::Up, Text::MoveUp);
    let (down, down_tip) = tool(Glyph::Down, Text::MoveDown);
    let is_last = move || index + 1 >= count.get();
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
                aria-label=label title=label
                tabindex=move || if tab_row.get() == index { "0" } else { "-1" }
                aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"
                on:click=move |_| ed.selected.set(Some(select_id.clone()))
                on:keydown=move |e: leptos::ev::KeyboardEvent| {
                    let last = count.get_untracked().saturating_sub(1);
                    match (e.alt_key(), e.key().as_str()) {
                        (true, "ArrowUp") => { e.prevent_default(); move_by(-1); }
                        (true, "ArrowDown") => { e.prevent_default(); move_by(1); }
                        (false, "ArrowUp") if index > 0 => { e.prevent_default(); go(index - 1); }
                        (false, "ArrowDown") if index < last => { e.prevent_default(); go(index + 1); }
                        (false, "Home") => { e.prevent_default(); go(0); }
                        (false, "End") => { e.prevent_default(); go(last); }
                        _ => {}
                    }
                }>
                <span class="row-kind">{kind_name}
                    {hidden.then(|| view! { <span class="tag">{t(Text::Hidden)}</span> })}
                </span>
                <span class="row-summary">{move || summary.get()}</span>
            </button>
            {move || is_selected.get().then(|| view! {
                <span class="outline-tools" role="toolbar" aria-label=labelled(Text::BlockTools)>
                    <button type="button" class="icon-btn" on:click=move |_| move_by(-1)
                        disabled=index == 0 aria-label=up_tip title=up_tip><Icon glyph=up/></button>
                    <button type="button" class="icon-btn" on:click=move |_| move_by(1)
                        disabled=is_last aria-label=down_tip title=down_tip><Icon glyph=down/></button>
                    <button type="button" class="icon-btn" aria-label=labelled(Text::Duplicate) title=labelled(Text::Duplicate)
                        on:click=move |_| {
                            let Some(mut copy) = current_block() else { return };
                            copy.id = ed.site.with_untracked(|s| fresh_block_id(s, page(), copy.kind.block_type()));
                            let id = copy.id.clone();
                            ed.edit(Edit::InsertBlock { page: page(), index: index + 1, block: copy }, None);
                            ed.selected.set(Some(id));
                        }><Icon glyph=Glyph::Copy/></button>
                    <button type="button" class="icon-btn"
                        aria-label=labelled(if hidden { Text::Show } else { Text::Hide })
                        title=labelled(if hidden { Text::Show } else { Text::Hide })
                        on:click=move |_| {
                            let Some(mut b) = current_block() else { return };
                            b.hidden = !b.hidden;
                            ed.edit(Edit::Set(Part::Block { page: page(), index, block: b }), None);
                        }><Icon glyph=if hidden { Glyph::Eye } else { Glyph::EyeOff }/></button>
                    <button type="button" class="icon-btn danger" aria-label=labelled(Text::Delete) title=labelled(Text::Delete)
                        on:click=move |_| {
                            ed.edit(Edit::RemoveBlock { page: page(), index }, None);
                            ed.selected.set(None);
                        }><Icon glyph=Glyph::Trash/></button>
                </span>
            })}
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
    request_animation_frame(move || focus_row(to));
}
