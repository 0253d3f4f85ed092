//! `/sites/:id/edit`: the no-code editor. Left: pages, block palette and the page outline.
//! Centre: the phone preview, rendered by the server from the theme's own WXML. Right: the
//! properties of what is selected. Every change is an [`Edit`] in the command log (undo/redo),
//! autosaved with the version it was based on.
mod data;
mod net;
mod panels;

use crate::api::get_draft;
use crate::components::feedback::{ErrorPage, Loading};
use crate::components::session::use_session;
use crate::i18n::{Lang, K};
use crate::model::edit::{Edit, History, Part};
use crate::model::editor::DraftView;
use crate::model::site::{Block, BlockKind, Problem, Site};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use net::NetError;
use std::collections::HashMap;
use std::time::Duration;

#[component]
pub fn EditorPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let draft = Resource::new_blocking(id, get_draft);
    let csrf = s.csrf.clone();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let csrf = csrf.clone();
                Suspend::new(async move {
                    match draft.await {
                        Ok(d) => view! { <Editor draft=d csrf lang/> }.into_any(),
                        Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Where autosave stands, shown in the top bar.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveState {
    Saved,
    Pending,
    Saving,
    Offline,
    Conflict(String),
}

/// Everything the editor's parts share. `Copy`: signals and stored values only.
#[derive(Clone, Copy)]
pub struct Ed {
    pub lang: Lang,
    pub site: RwSignal<Site>,
    history: StoredValue<History>,
    pub can_undo: RwSignal<bool>,
    pub can_redo: RwSignal<bool>,
    pub page: RwSignal<usize>,
    pub selected: RwSignal<Option<String>>,
    pub save: RwSignal<SaveState>,
    version: StoredValue<u64>,
    /// Bumped on every change; autosave saves when it stops moving.
    generation: StoredValue<u64>,
    saving: StoredValue<bool>,
    pub site_id: StoredValue<String>,
    pub csrf: StoredValue<String>,
    pub problems: Memo<Vec<Problem>>,
    pub notice: RwSignal<Option<String>>,
    /// A field to bring into view and focus (a problem's path), until it has been.
    pub reveal: RwSignal<Option<String>>,
    /// Blocks whose text the editor patched in the phone ahead of the server's render: the
    /// next render replaces them even when its HTML did not change.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    patched: StoredValue<Vec<String>>,
}

impl Ed {
    pub fn t(&self, k: K) -> &'static str {
        self.lang.t(k)
    }

    /// Applies an edit as one undoable step (folded into the previous one when `key` says it
    /// is the same field being typed in).
    pub fn edit(&self, edit: Edit, key: Option<&str>) {
        let mut ok = false;
        self.site.update(|s| {
            self.history
                .update_value(|h| ok = h.apply(s, edit, key).is_ok());
        });
        if ok {
            self.changed();
        }
    }

    /// The field being typed in lost focus: the next keystroke starts a new undo step.
    pub fn seal(&self) {
        self.history.update_value(History::seal);
    }

    pub fn undo(&self) {
        self.replay(History::undo);
    }

    pub fn redo(&self) {
        self.replay(History::redo);
    }

    /// Undo or redo one step, if there is one.
    fn replay(&self, step: fn(&mut History, &mut Site) -> bool) {
        let mut done = false;
        self.site
            .update(|s| self.history.update_value(|h| done = step(h, s)));
        if done {
            self.changed();
        }
    }

    fn changed(&self) {
        self.history.with_value(|h| {
            self.can_undo.set(h.can_undo());
            self.can_redo.set(h.can_redo());
        });
        // Keep the current page and selection meaningful after structural edits.
        let pages = self.site.with_untracked(|s| s.pages.len());
        if self.page.get_untracked() >= pages {
            self.page.set(pages.saturating_sub(1));
        }
        let gen = self.generation.get_value() + 1;
        self.generation.set_value(gen);
        if !matches!(self.save.get_untracked(), SaveState::Conflict(_)) {
            self.save.set(SaveState::Pending);
        }
        let ed = *self;
        set_timeout(move || ed.autosave(gen), Duration::from_millis(700));
    }

    /// Keeps a copy in the browser and saves, if nothing changed since `gen` was scheduled
    /// (debounce: typing does not serialise the site on every keystroke).
    fn autosave(&self, gen: u64) {
        if gen == self.generation.get_value() {
            self.site.with_untracked(|s| {
                net::keep_local(&self.site_id.get_value(), self.version.get_value(), s)
            });
            self.save_now();
        }
    }

    fn save_now(&self) {
        if self.saving.get_value() || matches!(self.save.get_untracked(), SaveState::Conflict(_)) {
            return;
        }
        let gen = self.generation.get_value();
        let site = self.site.get_untracked();
        let (id, csrf, base) = (
            self.site_id.get_value(),
            self.csrf.get_value(),
            self.version.get_value(),
        );
        self.saving.set_value(true);
        self.save.set(SaveState::Saving);
        let ed = *self;
        leptos::task::spawn_local(async move {
            let result = net::save(&id, &csrf, base, &site).await;
            ed.saving.set_value(false);
            match result {
                Ok(version) => {
                    ed.version.set_value(version);
                    if ed.generation.get_value() == gen {
                        net::clear_local(&id);
                        ed.save.set(SaveState::Saved);
                    } else {
                        ed.site.with_untracked(|s| net::keep_local(&id, version, s));
                        ed.save_now();
                    }
                }
                Err(NetError::Conflict(message)) => ed.save.set(SaveState::Conflict(message)),
                Err(NetError::Offline) => {
                    ed.save.set(SaveState::Offline);
                    set_timeout(move || ed.save_now(), Duration::from_secs(3));
                }
                Err(NetError::Refused(message)) => {
                    ed.notice.set(Some(message));
                    ed.save.set(SaveState::Offline);
                    set_timeout(move || ed.save_now(), Duration::from_secs(5));
                }
            }
        });
    }

    /// After a conflict: keep this editor's version and save it over the other one.
    pub fn overwrite(&self) {
        let ed = *self;
        leptos::task::spawn_local(async move {
            match net::current_version(&ed.site_id.get_value()).await {
                Ok(v) => {
                    ed.version.set_value(v);
                    ed.save.set(SaveState::Pending);
                    ed.save_now();
                }
                Err(_) => ed.save.set(SaveState::Offline),
            }
        });
    }

    pub fn page_index(&self) -> usize {
        self.page.get()
    }

    /// (page, index) of the selected block on the current page.
    pub fn selected_index(&self) -> Option<(usize, usize)> {
        let id = self.selected.get()?;
        let page = self.page.get();
        self.site.with(|s| {
            s.pages
                .get(page)?
                .blocks
                .iter()
                .position(|b| b.id == id)
                .map(|i| (page, i))
        })
    }

    /// Shows typed text in the phone at once, before the server's render arrives (which
    /// then replaces the block): the text node of the selected block (or, with nothing
    /// selected, of the screen) that shows exactly `old` now shows `new`. When no text node
    /// shows exactly `old` (a formatted value, a first character) nothing is patched and
    /// the server's render is all there is.
    pub fn show_typed(&self, old: &str, new: &str) {
        #[cfg(feature = "hydrate")]
        {
            let block = self.selected.get_untracked();
            if patch_text(block.as_deref(), old, new) {
                if let Some(id) = block {
                    self.patched.update_value(|p| p.push(id));
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (old, new);
    }

    /// The first problem at `path` or inside it (`path.x`, `path[i]`), if any.
    pub fn problem_under(&self, path: &str) -> Option<String> {
        self.problems.with(|ps| {
            ps.iter()
                .find(|p| {
                    p.path
                        .strip_prefix(path)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
                })
                .map(|p| p.message.clone())
        })
    }

    /// Shows where the problem at `path` is fixed: opens its page, selects the block whose
    /// panel edits it, and focuses the field. Data no block shows gets a notice saying which
    /// block to add.
    pub fn reveal_problem(&self, path: &str) {
        match self
            .site
            .with_untracked(|s| place_of(s, self.page.get_untracked(), path))
        {
            Ok((page, block)) => {
                self.page.set(page);
                self.selected.set(block);
                self.reveal.set(Some(path.to_string()));
            }
            Err(kind) => self.notice.set(Some(
                self.t(K::AddBlockToFix)
                    .replace("{block}", kind_label(kind, self.lang)),
            )),
        }
    }

    /// [`Ed::problem_under`] when `nested`, else [`Ed::problem`].
    pub fn problem_at(&self, path: &str, nested: bool) -> Option<String> {
        if nested {
            self.problem_under(path)
        } else {
            self.problem(path)
        }
    }

    /// The problem at exactly `path`, if any.
    pub fn problem(&self, path: &str) -> Option<String> {
        self.problems.with(|ps| {
            ps.iter()
                .find(|p| p.path == path)
                .map(|p| p.message.clone())
        })
    }
}

/// The block kinds whose panel edits the merchant data section (`products`, `hours`…).
fn kinds_editing(section: &str) -> &'static [&'static str] {
    match section {
        "products" => &["product_grid", "product_list", "featured_product"],
        "categories" => &["product_grid", "product_list"],
        "services" | "staff" => &["service_list", "booking_button"],
        "hours" => &["opening_hours"],
        "location" => &["location_map"],
        "contact" => &["contact_card"],
        "gallery" => &["gallery"],
        _ => &[],
    }
}

/// The index right after `prefix` at the start of `path`: 3 for `data.products[` in
/// `data.products[3].name`.
pub fn index_after(path: &str, prefix: &str) -> Option<usize> {
    path.strip_prefix(prefix)?.split(']').next()?.parse().ok()
}

/// Where the field at `path` (a problem's path) is edited: the page to show and the block to
/// select (`None`: the page, site, theme and tab bar panels). `Err(kind)` when the path is
/// merchant data that no block on any page shows: a block of `kind` must be added first.
pub fn place_of(
    site: &Site,
    current: usize,
    path: &str,
) -> Result<(usize, Option<String>), &'static str> {
    if path.starts_with("pages[") {
        let Some(page) = index_after(path, "pages[").filter(|&p| p < site.pages.len()) else {
            return Ok((current, None));
        };
        let block = path
            .split_once("].")
            .and_then(|(_, rest)| index_after(rest, "blocks["))
            .and_then(|b| site.pages[page].blocks.get(b))
            .map(|b| b.id.clone());
        return Ok((page, block));
    }
    let Some(section) = path
        .strip_prefix("data.")
        .map(|r| r.split(['.', '[']).next().unwrap_or(r))
    else {
        return Ok((current, None));
    };
    let kinds = kinds_editing(section);
    if kinds.is_empty() {
        return Ok((current, None));
    }
    let on = |p: usize| {
        site.pages.get(p).and_then(|pg| {
            pg.blocks
                .iter()
                .find(|b| kinds.contains(&b.kind.name()))
                .map(|b| (p, Some(b.id.clone())))
        })
    };
    on(current)
        .or_else(|| (0..site.pages.len()).find_map(on))
        .ok_or(kinds[0])
}

/// A block id not used on the page yet.
pub fn fresh_block_id(site: &Site, page: usize, kind: &str) -> String {
    let taken = |id: &str| {
        site.pages
            .get(page)
            .is_some_and(|p| p.blocks.iter().any(|b| b.id == id))
    };
    (1..)
        .map(|n| format!("{kind}-{n}"))
        .find(|id| !taken(id))
        .expect("some id is free")
}

/// A new block of `kind`, with sensible content for this site.
pub fn new_block(site: &Site, page: usize, kind: &str, lang: Lang) -> Option<Block> {
    let first_product = site.data.products.first().map(|p| p.id.clone());
    let other_page = site
        .pages
        .iter()
        .enumerate()
        .find(|(i, _)| *i != page)
        .map(|(_, p)| p.id.clone())
        .unwrap_or_else(|| site.pages[page].id.clone());
    let sample = lang.t(K::SampleText).to_string();
    let kind = match kind {
        "banner" => BlockKind::Banner {
            slides: vec![crate::model::site::Slide {
                image: String::new(),
                title: site.name.clone(),
                subtitle: String::new(),
                link: None,
            }],
        },
        "rich_text" => BlockKind::RichText {
            title: String::new(),
            paragraphs: vec![sample],
        },
        "image" => BlockKind::Image {
            image: String::new(),
            caption: String::new(),
        },
        "notice_bar" => BlockKind::NoticeBar { text: sample },
        "product_grid" => BlockKind::ProductGrid {
            title: String::new(),
            category: None,
            columns: 2,
        },
        "product_list" => BlockKind::ProductList {
            title: String::new(),
        },
        "featured_product" => BlockKind::FeaturedProduct {
            product: first_product?,
        },
        "service_list" => BlockKind::ServiceList {
            title: String::new(),
        },
        "booking_button" => BlockKind::BookingButton {
            label: lang.t(K::BookNow).into(),
            service: None,
        },
        "opening_hours" => BlockKind::OpeningHours {
            title: String::new(),
        },
        "location_map" => BlockKind::LocationMap {
            title: String::new(),
        },
        "contact_card" => BlockKind::ContactCard {
            title: String::new(),
        },
        "gallery" => BlockKind::Gallery {
            title: String::new(),
            columns: 3,
        },
        "spacer" => BlockKind::Spacer { height: 40 },
        "divider" => BlockKind::Divider {},
        "link_button" => BlockKind::LinkButton {
            label: lang.t(K::MoreInfo).into(),
            page: other_page,
        },
        _ => return None,
    };
    let id = fresh_block_id(site, page, kind.name());
    Some(Block {
        id,
        hidden: false,
        kind,
    })
}

/// Every block kind the palette offers, in order.
pub const PALETTE: [&str; 16] = [
    "banner",
    "rich_text",
    "image",
    "notice_bar",
    "product_grid",
    "product_list",
    "featured_product",
    "service_list",
    "booking_button",
    "opening_hours",
    "location_map",
    "contact_card",
    "gallery",
    "spacer",
    "divider",
    "link_button",
];

pub fn kind_label(kind: &str, lang: Lang) -> &'static str {
    lang.t(match kind {
        "banner" => K::BlockBanner,
        "rich_text" => K::BlockRichText,
        "image" => K::BlockImage,
        "notice_bar" => K::BlockNoticeBar,
        "product_grid" => K::BlockProductGrid,
        "product_list" => K::BlockProductList,
        "featured_product" => K::BlockFeaturedProduct,
        "service_list" => K::BlockServiceList,
        "booking_button" => K::BlockBookingButton,
        "opening_hours" => K::BlockOpeningHours,
        "location_map" => K::BlockLocationMap,
        "contact_card" => K::BlockContactCard,
        "gallery" => K::BlockGallery,
        "spacer" => K::BlockSpacer,
        "divider" => K::BlockDivider,
        _ => K::BlockLinkButton,
    })
}

/// A short description of a block for the outline.
fn block_summary(b: &Block) -> String {
    let text = match &b.kind {
        BlockKind::Banner { slides } => slides.first().map(|s| s.title.clone()).unwrap_or_default(),
        BlockKind::RichText { title, paragraphs } => {
            if title.is_empty() {
                paragraphs.first().cloned().unwrap_or_default()
            } else {
                title.clone()
            }
        }
        BlockKind::Image { caption, .. } => caption.clone(),
        BlockKind::NoticeBar { text } => text.clone(),
        BlockKind::ProductGrid { title, .. }
        | BlockKind::ProductList { title }
        | BlockKind::ServiceList { title }
        | BlockKind::OpeningHours { title }
        | BlockKind::LocationMap { title }
        | BlockKind::ContactCard { title }
        | BlockKind::Gallery { title, .. } => title.clone(),
        BlockKind::FeaturedProduct { product } => product.clone(),
        BlockKind::BookingButton { label, .. } | BlockKind::LinkButton { label, .. } => {
            label.clone()
        }
        BlockKind::Spacer { height } => format!("{height}"),
        BlockKind::Divider {} => String::new(),
    };
    text.chars().take(40).collect()
}

#[component]
fn Editor(draft: DraftView, csrf: String, lang: Lang) -> impl IntoView {
    let DraftView {
        site_id,
        merchant_id,
        version,
        site,
    } = draft;
    let site_signal = RwSignal::new(site);
    let problems = Memo::new(move |_| site_signal.with(|s| s.validate(lang)));
    let ed = Ed {
        lang,
        site: site_signal,
        history: StoredValue::new(History::default()),
        can_undo: RwSignal::new(false),
        can_redo: RwSignal::new(false),
        page: RwSignal::new(0),
        selected: RwSignal::new(None),
        save: RwSignal::new(SaveState::Saved),
        version: StoredValue::new(version),
        generation: StoredValue::new(0),
        saving: StoredValue::new(false),
        site_id: StoredValue::new(site_id.clone()),
        csrf: StoredValue::new(csrf),
        problems,
        notice: RwSignal::new(None),
        reveal: RwSignal::new(None),
        patched: StoredValue::new(Vec::new()),
    };
    provide_context(ed);

    // Unsaved work from an earlier visit (network dropped, tab closed) comes back.
    Effect::new(move |_| {
        if let Some((base, local)) = net::take_local(&ed.site_id.get_value()) {
            if base == ed.version.get_value() && ed.site.with_untracked(|s| *s != local) {
                ed.site.set(local);
                ed.notice.set(Some(ed.t(K::RestoredLocal).into()));
                ed.changed();
            }
        }
    });

    // A problem's field (see `Ed::reveal_problem`): focused once its panel is on screen.
    Effect::new(move |_| {
        if ed.reveal.with(Option::is_some) {
            request_animation_frame(move || {
                #[cfg(feature = "hydrate")]
                if let Some(path) = ed.reveal.get_untracked() {
                    focus_field(&path);
                }
                ed.reveal.set(None);
            });
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

    let t = move |k| lang.t(k);
    let title = move || ed.site.with(|s| s.name.clone());
    let back = format!("/merchants/{merchant_id}");
    view! {
        <Title text=move || format!("{} · {}", title(), t(K::Editor))/>
        <div class="editor" aria-label=t(K::Editor)>
            <header class="editor-bar">
                <a class="back" href=back>"← "{t(K::MySites)}</a>
                <h1 class="editor-title">{title}</h1>
                <div class="editor-actions">
                    <button type="button" class="btn" on:click=move |_| ed.undo()
                        disabled=move || !ed.can_undo.get() aria-keyshortcuts="Control+Z">{t(K::Undo)}</button>
                    <button type="button" class="btn" on:click=move |_| ed.redo()
                        disabled=move || !ed.can_redo.get() aria-keyshortcuts="Control+Shift+Z">{t(K::Redo)}</button>
                    <SaveStatus/>
                    <panels::ExportButton/>
                </div>
            </header>
            {move || ed.notice.get().map(|n| view! {
                <p class="alert alert-info editor-notice" role="status">{n}
                    <button type="button" class="link-button" on:click=move |_| ed.notice.set(None)>{t(K::Dismiss)}</button>
                </p>
            })}
            <div class="editor-body">
                <aside class="editor-left">
                    <panels::PagesPanel/>
                    <Palette/>
                    <Outline/>
                </aside>
                <section class="editor-center" aria-label=t(K::PhonePreview) tabindex="0">
                    <PhonePreview/>
                </section>
                <aside class="editor-right" aria-label=t(K::Properties)>
                    <panels::Properties/>
                </aside>
            </div>
        </div>
    }
}

#[component]
fn SaveStatus() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    view! {
        <span class="save-status" role="status" aria-live="polite">
            {move || match ed.save.get() {
                SaveState::Saved => view! { <span class="saved">{t(K::Saved)}</span> }.into_any(),
                SaveState::Pending | SaveState::Saving => view! { <span class="saving">{t(K::Saving)}</span> }.into_any(),
                SaveState::Offline => view! { <span class="offline">{t(K::OfflineRetrying)}</span> }.into_any(),
                SaveState::Conflict(message) => view! {
                    <span class="conflict" role="alert">{message}" "
                        <button type="button" class="link-button" on:click=move |_| {
                            let _ = window().location().reload();
                        }>{t(K::ReloadTheirs)}</button>" "
                        <button type="button" class="link-button" on:click=move |_| ed.overwrite()>{t(K::KeepMine)}</button>
                    </span>
                }.into_any(),
            }}
        </span>
    }
}

/// Inserts a block of `kind` after the selection (or at the end) and selects it.
pub fn add_block(ed: Ed, kind: &str, at: Option<usize>) {
    let page = ed.page.get_untracked();
    let Some(block) = ed
        .site
        .with_untracked(|s| new_block(s, page, kind, ed.lang))
    else {
        ed.notice.set(Some(ed.t(K::NeedsProduct).into()));
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
fn Palette() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let items = PALETTE
        .iter()
        .map(|&kind| {
            view! {
                <li>
                    <button type="button" class="palette-item" draggable="true"
                        on:click=move |_| add_block(ed, kind, None)
                        on:dragstart=move |e: leptos::ev::DragEvent| {
                            if let Some(dt) = e.data_transfer() {
                                let _ = dt.set_data("text/plain", &format!("mpf-kind:{kind}"));
                            }
                        }>
                        {kind_label(kind, ed.lang)}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="palette-title">
            <h2 id="palette-title">{ed.t(K::AddBlock)}</h2>
            <p class="muted small">{ed.t(K::PaletteHint)}</p>
            <ul class="palette">{items}</ul>
        </section>
    }
}

/// What was dropped on the outline: a new block from the palette, or a block being moved.
fn dropped(e: &leptos::ev::DragEvent) -> Option<String> {
    e.data_transfer()?.get_data("text/plain").ok()
}

fn drop_at(ed: Ed, data: &str, index: usize) {
    if let Some(kind) = data.strip_prefix("mpf-kind:") {
        add_block(ed, kind, Some(index));
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
fn Outline() -> impl IntoView {
    let ed = expect_context::<Ed>();
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
                            kind: b.kind.name(),
                            hidden: b.hidden,
                            summary: block_summary(b),
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
            <h2 id="outline-title">{t(K::Outline)}</h2>
            <p class="muted small">{t(K::OutlineHint)}</p>
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
    kind: &'static str,
    hidden: bool,
    summary: String,
}

#[component]
fn OutlineRow(
    row: Row,
    summaries: StoredValue<HashMap<String, RwSignal<String>>>,
) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let lang = ed.lang;
    let t = move |k| lang.t(k);
    let Row {
        index,
        id,
        kind,
        hidden,
        summary,
    } = row;
    let summary = RwSignal::new(summary);
    summaries.update_value(|m| {
        m.insert(id.clone(), summary);
    });
    {
        let id = id.clone();
        // A rebuilt row registers its own signal before the old one is cleaned up.
        on_cleanup(move || {
            summaries.update_value(|m| {
                if m.get(&id) == Some(&summary) {
                    m.remove(&id);
                }
            })
        });
    }
    let label = move || {
        summary.with(|s| {
            if s.is_empty() {
                kind_label(kind, lang).to_string()
            } else {
                format!("{}: {s}", kind_label(kind, lang))
            }
        })
    };
    let labelled = move |k: K| move || format!("{}: {}", t(k), label());
    let is_selected = {
        let id = id.clone();
        Signal::derive(move || ed.selected.get().as_deref() == Some(id.as_str()))
    };
    let page = move || ed.page.get_untracked();
    let len = move || {
        ed.site
            .with_untracked(|s| s.pages.get(page()).map_or(0, |p| p.blocks.len()))
    };
    let move_by = move |delta: isize| {
        let to = index as isize + delta;
        if to >= 0 && (to as usize) < len() {
            ed.edit(
                Edit::MoveBlock {
                    page: page(),
                    from: index,
                    to: to as usize,
                },
                None,
            );
            // Keep keyboard focus on the moved block.
            let target = to as usize;
            request_animation_frame(move || {
                if let Some(el) = document()
                    .query_selector(&format!(
                        ".outline li:nth-child({}) .outline-select",
                        target + 1
                    ))
                    .ok()
                    .flatten()
                {
                    use leptos::wasm_bindgen::JsCast;
                    if let Ok(el) = el.dyn_into::<leptos::web_sys::HtmlElement>() {
                        let _ = el.focus();
                    }
                }
            });
        }
    };
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
                {hidden.then(|| view! { <span class="tag">{t(K::Hidden)}</span> })}
            </button>
            <span class="outline-tools">
                <button type="button" class="icon-btn" on:click=move |_| move_by(-1)
                    disabled=index == 0 aria-label=labelled(K::MoveUp)>"↑"</button>
                <button type="button" class="icon-btn" on:click=move |_| move_by(1)
                    aria-label=labelled(K::MoveDown)>"↓"</button>
                <button type="button" class="icon-btn" aria-label=labelled(K::Duplicate)
                    on:click=move |_| {
                        let Some(mut copy) = current() else { return };
                        copy.id = ed.site.with_untracked(|s| fresh_block_id(s, page(), copy.kind.name()));
                        let id = copy.id.clone();
                        ed.edit(Edit::InsertBlock { page: page(), index: index + 1, block: copy }, None);
                        ed.selected.set(Some(id));
                    }>"⧉"</button>
                <button type="button" class="icon-btn" aria-label=labelled(if hidden { K::Show } else { K::Hide })
                    on:click=move |_| {
                        let Some(mut b) = current() else { return };
                        b.hidden = !b.hidden;
                        ed.edit(Edit::Set(Part::Block { page: page(), index, block: b }), None);
                    }>{if hidden { "◎" } else { "◉" }}</button>
                <button type="button" class="icon-btn danger" aria-label=labelled(K::Delete)
                    on:click=move |_| {
                        ed.edit(Edit::RemoveBlock { page: page(), index }, None);
                        ed.selected.set(None);
                    }>"✕"</button>
            </span>
        </li>
    }
}

/// Splits a preview screen into its frame (everything but the blocks) and its blocks
/// `(id, html)`, using the markers the server puts around each block.
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

/// How many leading segments (`a`, `b`, `0` in `a.b[0]`) two field paths share.
pub fn shared_segments(a: &str, b: &str) -> usize {
    fn parts(p: &str) -> impl Iterator<Item = &str> {
        p.split(['.', '[']).map(|s| s.trim_end_matches(']'))
    }
    parts(a).zip(parts(b)).take_while(|(x, y)| x == y).count()
}

/// Focuses the field that edits `path` (or, failing that, the one for the same thing: the
/// first picture of a product for its second), and scrolls it into view.
#[cfg(feature = "hydrate")]
fn focus_field(path: &str) {
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
fn patch_text(block: Option<&str>, old: &str, new: &str) -> bool {
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

/// The iframe document the preview lives in; the editor fills `#mp-css` and `#mp-screen`.
const PREVIEW_SHELL: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><style id=\"mp-css\"></style><style>.mpf-block{cursor:pointer}.mpf-block:hover{outline:2px dashed #7aa7ff;outline-offset:-2px}.mpf-selected{outline:3px solid #1a73e8!important;outline-offset:-3px}.mp-tab{cursor:pointer}</style></head><body><div class=\"mp-screen\" id=\"mp-screen\"></div></body></html>";

#[component]
fn PhonePreview() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let frame = NodeRef::<leptos::html::Iframe>::new();
    // Bumped each time a preview document is loaded and wired up (the frame may reload).
    let loads = RwSignal::new(0u32);
    let seq = StoredValue::new(0u64);
    // What the frame shows now, to swap only the blocks that changed.
    let shown = StoredValue::new(None::<(String, Vec<(String, String)>)>);

    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let doc = move || frame.get_untracked().and_then(|f| f.content_document());
        let mark_selected = move || {
            let Some(d) = doc() else { return };
            if let Ok(list) = d.query_selector_all(".mpf-selected") {
                for i in 0..list.length() {
                    // `unchecked_into`: nodes of the frame belong to its own realm, where
                    // `instanceof Element` (what `dyn_into` checks) is false.
                    if let Some(el) = list
                        .item(i)
                        .filter(|n| n.node_type() == web_sys::Node::ELEMENT_NODE)
                        .map(|n| n.unchecked_into::<web_sys::Element>())
                    {
                        let _ = el.class_list().remove_1("mpf-selected");
                    }
                }
            }
            if let Some(id) = ed.selected.get_untracked() {
                let sel = format!("[data-mpf-block=\"{}\"]", id.replace('"', ""));
                if let Ok(Some(el)) = d.query_selector(&sel) {
                    let _ = el.class_list().add_1("mpf-selected");
                    let opts = web_sys::ScrollIntoViewOptions::new();
                    opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                    el.scroll_into_view_with_scroll_into_view_options(&opts);
                }
            }
        };
        let render = move |n: u64, page: usize| {
            let site = ed.site.get_untracked();
            let (id, csrf) = (ed.site_id.get_value(), ed.csrf.get_value());
            leptos::task::spawn_local(async move {
                if let Ok(reply) = net::preview(&id, &csrf, page, &site).await {
                    if seq.get_value() != n {
                        return;
                    }
                    if let Some(d) = doc() {
                        if let Some(css) = d.get_element_by_id("mp-css") {
                            if css.text_content().as_deref() != Some(reply.css.as_str()) {
                                css.set_text_content(Some(&reply.css));
                            }
                        }
                        let (frame_html, blocks) = split_screen(&reply.screen);
                        let patched = shown.with_value(|old| {
                            let Some((old_frame, old_blocks)) = old else {
                                return false;
                            };
                            if *old_frame != frame_html
                                || old_blocks.len() != blocks.len()
                                || old_blocks.iter().zip(&blocks).any(|(a, b)| a.0 != b.0)
                            {
                                return false;
                            }
                            let patched = ed.patched.with_value(Clone::clone);
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
                        });
                        if !patched {
                            if let Some(screen) = d.get_element_by_id("mp-screen") {
                                screen.set_inner_html(&reply.screen);
                            }
                        }
                        shown.set_value(Some((frame_html, blocks)));
                        ed.patched.update_value(Vec::clear);
                        mark_selected();
                        if let Some(w) = window().dyn_ref::<web_sys::Window>() {
                            let _ = w.performance().map(|p| p.mark("mpf-preview-updated"));
                        }
                    }
                }
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
        // Clicks inside the phone select blocks and switch pages through the tab bar.
        // Wired once per document: the frame can load again (e.g. when hydration re-sets srcdoc).
        let on_load = move || {
            let Some(d) = doc() else { return };
            let Some(root) = d.document_element() else {
                return;
            };
            if d.get_element_by_id("mp-screen").is_none() || root.has_attribute("data-mpf-wired") {
                return;
            }
            let _ = root.set_attribute("data-mpf-wired", "");
            let handler = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MouseEvent)>::new(
                move |e: web_sys::MouseEvent| {
                    e.prevent_default();
                    // The frame's nodes fail `instanceof` checks across realms: cast unchecked.
                    let Some(target) = e
                        .target()
                        .map(|t| t.unchecked_into::<web_sys::Node>())
                        .filter(|n| n.node_type() == web_sys::Node::ELEMENT_NODE)
                        .map(|n| n.unchecked_into::<web_sys::Element>())
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
            shown.set_value(None);
            loads.update(|n| *n += 1);
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
                <iframe node_ref=frame class="phone-screen" title=ed.t(K::PhonePreview) srcdoc=PREVIEW_SHELL
                    on:load=move |_| on_load()></iframe>
            </div>
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (frame, loads, seq, shown);
        view! {
            <div class="phone" role="presentation">
                <iframe class="phone-screen" title=ed.t(K::PhonePreview) srcdoc=PREVIEW_SHELL></iframe>
            </div>
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

    #[test]
    fn problems_lead_to_the_panel_that_fixes_them() {
        let site: Site =
            serde_json::from_str(include_str!("../../../themes/booking/starter.en.json")).unwrap();
        let at = |current, path| place_of(&site, current, path);
        let block = |page, id: &str| Ok((page, Some(id.to_string())));
        // A block's field: its page, the block selected.
        assert_eq!(at(0, "pages[1].blocks[2].title"), block(1, "contact"));
        // A page's own field: that page, nothing selected (the page panel shows).
        assert_eq!(at(0, "pages[1].title"), Ok((1, None)));
        // Merchant data: the block whose panel edits it, on this page first, else the first.
        assert_eq!(at(0, "data.services[0].name"), block(0, "book"));
        assert_eq!(at(0, "data.staff[1].name"), block(0, "book"));
        assert_eq!(at(0, "data.hours.weekly[2].close"), block(1, "hours"));
        assert_eq!(at(1, "data.location.latitude"), block(1, "map"));
        // Site, theme and tab bar fields: the panels shown with nothing selected.
        assert_eq!(at(1, "theme.primary"), Ok((1, None)));
        assert_eq!(at(0, "tab_bar.items[1].text"), Ok((0, None)));
        // Data no block shows: which block to add.
        assert_eq!(at(0, "data.products[0].name"), Err("product_grid"));
        assert_eq!(at(0, "data.gallery[3]"), Err("gallery"));
    }

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
