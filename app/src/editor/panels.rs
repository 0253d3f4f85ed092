//! The editor's panels: pages, the properties of the selection (block, page, site, theme, tab
//! bar) and the merchant's data the selected block shows, plus export.
use super::{kind_label, net, Ed};
use crate::i18n::K;
use crate::model::color::contrast;
use crate::model::edit::{Edit, Part};
use crate::model::site::{format_yuan, Block, BlockKind, Icon, Page, Slide, TabBar, TabItem};
use leptos::prelude::*;

// --------------------------------------------------------------------------------------------
// Fields

/// The validation message for `path` (or, `nested`, for anything inside it: one textarea for
/// all paragraphs), shown under its field.
#[component]
fn FieldProblem(
    #[prop(into)] path: Signal<String>,
    id: String,
    #[prop(optional)] nested: bool,
) -> impl IntoView {
    let ed = expect_context::<Ed>();
    move || {
        ed.problem_at(&path.get(), nested)
            .map(|m| view! { <p class="field-error" id=id.clone()>{m}</p> })
    }
}

/// A field's element id, from the path it edits (`pages[0].title` → `f-pages-0-title`): the
/// same on the server and in the browser, so labels and descriptions rendered by one still
/// point at the inputs of the other; unique because no path is edited by two fields at once.
pub(super) fn field_id(path: &str) -> String {
    let mut id = String::from("f");
    for part in path.split(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
        if !part.is_empty() {
            id.push('-');
            id.push_str(part);
        }
    }
    id
}

/// A text (or long text) field. `set` receives every keystroke; `key` groups them into one
/// undo step until the field is left.
#[component]
pub(super) fn TextField(
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] set: Callback<String>,
    #[prop(into)] path: Signal<String>,
    #[prop(optional)] long: bool,
    #[prop(optional)] hint: Option<&'static str>,
    /// Also show problems inside `path` (`paragraphs[2]` for `paragraphs`).
    #[prop(optional)]
    nested: bool,
) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let id = field_id(&path.get_untracked());
    let err_id = format!("{id}-err");
    let hint_id = format!("{id}-hint");
    let described = {
        let (err_id, hint_id) = (err_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if ed.problem_at(&path.get(), nested).is_some() {
                ids.push(err_id.clone());
            }
            ids.join(" ")
        }
    };
    let invalid = move || ed.problem_at(&path.get(), nested).is_some().to_string();
    // Every keystroke: into the model, and straight into the phone (see `Ed::show_typed`).
    let typed = move |e: leptos::ev::Event| {
        let new = event_target_value(&e);
        let old = value.get_untracked();
        set.run(new.clone());
        ed.show_typed(&old, &new);
    };
    let input = if long {
        view! {
            <textarea id=id.clone() rows="4" prop:value=move || value.get() data-path=path
                aria-invalid=invalid aria-describedby=described.clone()
                on:input=typed on:blur=move |_| ed.seal()></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() type="text" prop:value=move || value.get() data-path=path
                aria-invalid=invalid aria-describedby=described.clone()
                on:input=typed on:blur=move |_| ed.seal()/>
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {input}
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <FieldProblem path id=err_id.clone() nested/>
        </div>
    }
}

/// Yuan with two decimals, stored as fen.
pub fn parse_yuan(text: &str) -> Option<u64> {
    let t = text.trim().trim_start_matches('¥').trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 2 {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: u64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

/// A price in yuan; what cannot be read as a price is kept in the field with a message, and
/// the stored price does not change until it can.
#[component]
pub(super) fn PriceField(
    label: &'static str,
    #[prop(into)] fen: Signal<u64>,
    #[prop(into)] set: Callback<u64>,
    #[prop(into)] path: Signal<String>,
) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let id = field_id(&path.get_untracked());
    let err_id = format!("{id}-err");
    let local_err = RwSignal::new(false);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <span class="input-prefix">
                <span aria-hidden="true">"¥"</span>
                <input id=id.clone() type="text" inputmode="decimal" data-path=path
                    prop:value=move || format_yuan(fen.get())
                    aria-invalid=move || (local_err.get() || ed.problem(&path.get()).is_some()).to_string()
                    aria-describedby=err_id.clone()
                    on:input=move |e| {
                        match parse_yuan(&event_target_value(&e)) {
                            Some(v) => { local_err.set(false); set.run(v) }
                            None => local_err.set(true),
                        }
                    }
                    on:blur=move |_| ed.seal()/>
            </span>
            {move || local_err.get().then(|| view! { <p class="field-error" id=err_id.clone()>{ed.t(K::ErrPriceFormat)}</p> })}
            <FieldProblem path id=format!("{id}-err2")/>
        </div>
    }
}

#[component]
pub(super) fn NumberField(
    label: &'static str,
    #[prop(into)] value: Signal<i64>,
    #[prop(into)] set: Callback<i64>,
    #[prop(into)] path: Signal<String>,
    min: i64,
    max: i64,
) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let id = field_id(&path.get_untracked());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id.clone() type="number" min=min max=max data-path=path prop:value=move || value.get().to_string()
                on:input=move |e| { if let Ok(v) = event_target_value(&e).parse::<i64>() { set.run(v.clamp(min, max)) } }
                on:blur=move |_| ed.seal()/>
            <FieldProblem path id=format!("{id}-err")/>
        </div>
    }
}

#[component]
fn ColorField(
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] set: Callback<String>,
    #[prop(into)] path: Signal<String>,
    /// Warn when text in this colour on `against` (or the reverse) is hard to read.
    #[prop(into)]
    against: Signal<String>,
) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let id = field_id(&path.get_untracked());
    let low = move || contrast(&value.get(), &against.get()).is_some_and(|c| c < 3.0);
    view! {
        <div class="field color-field">
            <label for=id.clone()>{label}</label>
            <span class="color-inputs">
                <input type="color" prop:value=move || value.get() aria-label=format!("{label} ({})", ed.t(K::ColorPicker))
                    on:input=move |e| set.run(event_target_value(&e)) on:change=move |_| ed.seal()/>
                <input id=id.clone() type="text" maxlength="7" data-path=path prop:value=move || value.get()
                    on:input=move |e| set.run(event_target_value(&e)) on:blur=move |_| ed.seal()/>
            </span>
            {move || low().then(|| view! { <p class="field-warning">{ed.t(K::LowContrast)}</p> })}
            <FieldProblem path id=format!("{id}-err")/>
        </div>
    }
}

/// A picture: file picker or drop, upload with progress, specific errors.
#[component]
pub(super) fn ImageField(
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] set: Callback<String>,
    #[prop(into)] path: Signal<String>,
) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let id = field_id(&path.get_untracked());
    let progress = RwSignal::new(None::<u32>);
    let error = RwSignal::new(None::<String>);
    let preview_url = move || {
        let v = value.get();
        v.strip_prefix("media/")
            .map(|h| format!("/api/sites/{}/media/{h}", ed.site_id.get_value()))
    };
    #[cfg(feature = "hydrate")]
    let upload = {
        move |file: web_sys::File| {
            const LIMIT: f64 = 16.0 * 1024.0 * 1024.0;
            if file.size() > LIMIT {
                error.set(Some(ed.t(K::ErrImageTooLarge).into()));
                return;
            }
            error.set(None);
            progress.set(Some(0));
            let (site, csrf) = (ed.site_id.get_value(), ed.csrf.get_value());
            leptos::task::spawn_local(async move {
                let r = net::upload(&site, &csrf, file, move |p| progress.set(Some(p))).await;
                progress.set(None);
                match r {
                    Ok(up) => {
                        set.run(up.reference);
                        ed.seal();
                    }
                    Err(net::NetError::Refused(m)) if m.is_empty() => {
                        error.set(Some(ed.t(K::ErrImageTooLarge).into()))
                    }
                    Err(net::NetError::Refused(m) | net::NetError::Conflict(m)) => {
                        error.set(Some(m))
                    }
                    Err(net::NetError::Offline) => error.set(Some(ed.t(K::ErrNetwork).into())),
                }
            });
        }
    };
    #[cfg(feature = "hydrate")]
    let (on_pick, on_drop) = {
        (
            move |e: leptos::ev::Event| {
                use leptos::wasm_bindgen::JsCast;
                let input: web_sys::HtmlInputElement = event_target(&e);
                if let Some(f) = input.files().and_then(|l| l.get(0)) {
                    upload(f);
                }
                input.set_value("");
                let _ = e.dyn_ref::<web_sys::Event>();
            },
            move |e: leptos::ev::DragEvent| {
                e.prevent_default();
                if let Some(f) = e
                    .data_transfer()
                    .and_then(|d| d.files())
                    .and_then(|l| l.get(0))
                {
                    upload(f);
                }
            },
        )
    };
    #[cfg(not(feature = "hydrate"))]
    let (on_pick, on_drop) = (|_: leptos::ev::Event| {}, |_: leptos::ev::DragEvent| {});
    view! {
        <div class="field image-field" on:dragover=|e: leptos::ev::DragEvent| e.prevent_default() on:drop=on_drop>
            <label for=id.clone()>{label}</label>
            <div class="image-row">
                {move || match preview_url() {
                    Some(url) => view! { <img class="thumb" src=url alt=""/> }.into_any(),
                    None => view! { <span class="thumb empty" aria-hidden="true"></span> }.into_any(),
                }}
                <div>
                    <input id=id.clone() type="file" accept="image/png,image/jpeg,image/gif,image/webp" data-path=path on:change=on_pick/>
                    <p class="hint">{ed.t(K::ImageHint)}</p>
                    {move || (!value.get().is_empty()).then(|| {
                        view! { <button type="button" class="link-button" on:click=move |_| set.run(String::new())>{ed.t(K::RemoveImage)}</button> }
                    })}
                </div>
            </div>
            {move || progress.get().map(|p| view! {
                <progress max="100" value=p aria-label=ed.t(K::Uploading)>{p}"%"</progress>
            })}
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <FieldProblem path id=format!("{id}-err")/>
        </div>
    }
}

#[component]
pub(super) fn SelectField(
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    options: Signal<Vec<(String, String)>>,
    #[prop(into)] set: Callback<String>,
    #[prop(into)] path: Signal<String>,
) -> impl IntoView {
    let id = field_id(&path.get_untracked());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id.clone() data-path=path on:change=move |e| set.run(event_target_value(&e))>
                {move || options.get().into_iter().map(|(v, l)| {
                    let selected = v == value.get();
                    view! { <option value=v selected=selected>{l}</option> }
                }).collect_view()}
            </select>
            <FieldProblem path id=format!("{id}-err")/>
        </div>
    }
}

// --------------------------------------------------------------------------------------------
// Pages

#[component]
pub fn PagesPanel() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let new_title = RwSignal::new(String::new());
    let pages = move || {
        ed.site.with(|s| {
            s.pages
                .iter()
                .map(|p| (p.id.clone(), p.title.clone()))
                .enumerate()
                .collect::<Vec<_>>()
        })
    };
    let add = move || {
        let title = new_title.get_untracked().trim().to_string();
        if title.is_empty() {
            return;
        }
        let (index, id) = ed.site.with_untracked(|s| {
            let base: String = title
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .take(20)
                .collect();
            let base = if base.is_empty() || !base.starts_with(|c: char| c.is_ascii_lowercase()) {
                "page".to_string()
            } else {
                base
            };
            let taken = |id: &str| {
                s.pages.iter().any(|p| p.id == id)
                    || crate::model::site::RESERVED_PAGE_IDS.contains(&id)
            };
            let id = if taken(&base) {
                (2..)
                    .map(|n| format!("{base}{n}"))
                    .find(|i| !taken(i))
                    .expect("free id")
            } else {
                base
            };
            (s.pages.len(), id)
        });
        ed.edit(
            Edit::InsertPage {
                index,
                page: Page {
                    id,
                    title,
                    blocks: Vec::new(),
                },
            },
            None,
        );
        ed.page.set(index);
        ed.selected.set(None);
        new_title.set(String::new());
    };
    view! {
        <section class="panel" aria-labelledby="pages-title">
            <h2 id="pages-title">{t(K::Pages)}</h2>
            <ul class="page-list">
                <For each=pages key=|p| p.clone() let:((i, (_id, title)))>
                    <li>
                        <button type="button" class="page-item" aria-current=move || (ed.page.get() == i).then_some("page")
                            on:click=move |_| { ed.page.set(i); ed.selected.set(None); }>{title}</button>
                    </li>
                </For>
            </ul>
            <form class="inline-form" on:submit=move |e| { e.prevent_default(); add(); }>
                <label for="new-page-title" class="sr-only">{t(K::NewPageTitle)}</label>
                <input id="new-page-title" type="text" maxlength="20" placeholder=t(K::NewPageTitle)
                    prop:value=move || new_title.get() on:input=move |e| new_title.set(event_target_value(&e))/>
                <button type="submit" class="btn">{t(K::AddPage)}</button>
            </form>
        </section>
    }
}

// --------------------------------------------------------------------------------------------
// Properties

#[component]
pub fn Properties() -> impl IntoView {
    let ed = expect_context::<Ed>();
    // A memo: the panel is rebuilt when another block (or kind) is selected, not on every
    // edit of the site (which would drop the focus and what is open in the panel).
    let selected = Memo::new(move |_| {
        let (page, index) = ed.selected_index()?;
        let kind = ed.site.with(|s| s.pages[page].blocks[index].kind.name());
        Some((page, index, kind))
    });
    move || match selected.get() {
        Some((page, index, kind)) => view! { <BlockPanel page index kind/> }.into_any(),
        None => view! { <PagePanel/><SitePanel/><ThemePanel/><TabBarPanel/> }.into_any(),
    }
}

/// Reads and replaces the block at (page, index) inside panel closures.
#[derive(Clone, Copy)]
struct BlockAt {
    ed: Ed,
    page: usize,
    index: usize,
}

impl BlockAt {
    fn get(&self) -> Option<Block> {
        self.ed
            .site
            .with(|s| s.pages.get(self.page)?.blocks.get(self.index).cloned())
    }
    fn path(&self, field: &str) -> String {
        format!("pages[{}].blocks[{}].{field}", self.page, self.index)
    }
    fn update(&self, field: &str, f: impl FnOnce(&mut BlockKind)) {
        let Some(mut block) = self
            .ed
            .site
            .with_untracked(|s| s.pages.get(self.page)?.blocks.get(self.index).cloned())
        else {
            return;
        };
        f(&mut block.kind);
        let key = self.path(field);
        self.ed.edit(
            Edit::Set(Part::Block {
                page: self.page,
                index: self.index,
                block,
            }),
            Some(&key),
        );
    }
}

macro_rules! field_of {
    ($at:expr, $pat:pat => $val:expr) => {
        Signal::derive(move || match $at.get().map(|b| b.kind) {
            Some($pat) => $val,
            _ => Default::default(),
        })
    };
}

#[component]
fn BlockPanel(page: usize, index: usize, kind: &'static str) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let at = BlockAt { ed, page, index };
    let pages = Signal::derive(move || {
        ed.site.with(|s| {
            s.pages
                .iter()
                .map(|p| (p.id.clone(), p.title.clone()))
                .collect::<Vec<_>>()
        })
    });
    let fields = match kind {
        "banner" => view! { <SlidesEditor at pages/> }.into_any(),
        "rich_text" => view! {
            <TextField label=t(K::FieldTitle) path=at.path("title")
                value=field_of!(at, BlockKind::RichText { title, .. } => title)
                set=move |v: String| at.update("title", |k| if let BlockKind::RichText { title, .. } = k { *title = v })/>
            <TextField label=t(K::FieldText) path=at.path("paragraphs") long=true nested=true hint=t(K::ParagraphHint)
                value=field_of!(at, BlockKind::RichText { paragraphs, .. } => paragraphs.join("\n\n"))
                set=move |v: String| at.update("paragraphs", |k| if let BlockKind::RichText { paragraphs, .. } = k {
                    *paragraphs = v.split("\n\n").map(str::to_string).collect();
                })/>
        }.into_any(),
        "image" => view! {
            <ImageField label=t(K::FieldImage) path=at.path("image")
                value=field_of!(at, BlockKind::Image { image, .. } => image)
                set=move |v: String| at.update("image", |k| if let BlockKind::Image { image, .. } = k { *image = v })/>
            <TextField label=t(K::FieldCaption) path=at.path("caption")
                value=field_of!(at, BlockKind::Image { caption, .. } => caption)
                set=move |v: String| at.update("caption", |k| if let BlockKind::Image { caption, .. } = k { *caption = v })/>
        }.into_any(),
        "notice_bar" => view! {
            <TextField label=t(K::FieldText) path=at.path("text")
                value=field_of!(at, BlockKind::NoticeBar { text } => text)
                set=move |v: String| at.update("text", |k| if let BlockKind::NoticeBar { text } = k { *text = v })/>
        }.into_any(),
        "product_grid" | "product_list" | "service_list" | "opening_hours" | "location_map" | "contact_card" | "gallery" => view! {
            <TextField label=t(K::FieldTitle) path=at.path("title")
                value=field_of!(at,
                    BlockKind::ProductGrid { title, .. } | BlockKind::ProductList { title } | BlockKind::ServiceList { title }
                    | BlockKind::OpeningHours { title } | BlockKind::LocationMap { title } | BlockKind::ContactCard { title }
                    | BlockKind::Gallery { title, .. } => title)
                set=move |v: String| at.update("title", |k| match k {
                    BlockKind::ProductGrid { title, .. } | BlockKind::ProductList { title } | BlockKind::ServiceList { title }
                    | BlockKind::OpeningHours { title } | BlockKind::LocationMap { title } | BlockKind::ContactCard { title }
                    | BlockKind::Gallery { title, .. } => *title = v,
                    _ => {}
                })/>
            {(kind == "product_grid").then(|| view! {
                <SelectField label=t(K::FieldCategory) path=at.path("category")
                    value=field_of!(at, BlockKind::ProductGrid { category, .. } => category.unwrap_or_default())
                    options=Signal::derive(move || {
                        let mut v = vec![(String::new(), t(K::AllProducts).to_string())];
                        ed.site.with(|s| v.extend(s.data.categories.iter().map(|c| (c.id.clone(), c.name.clone()))));
                        v
                    })
                    set=move |v: String| at.update("category", |k| if let BlockKind::ProductGrid { category, .. } = k { *category = (!v.is_empty()).then_some(v) })/>
            })}
            {matches!(kind, "product_grid" | "gallery").then(|| view! {
                <SelectField label=t(K::FieldColumns) path=at.path("columns")
                    value=field_of!(at, BlockKind::ProductGrid { columns, .. } | BlockKind::Gallery { columns, .. } => columns.to_string())
                    options=Signal::derive(move || (2..=if kind == "gallery" { 4 } else { 3 }).map(|n: u8| (n.to_string(), n.to_string())).collect())
                    set=move |v: String| { let n: u8 = v.parse().unwrap_or(2); at.update("columns", |k| match k {
                        BlockKind::ProductGrid { columns, .. } | BlockKind::Gallery { columns, .. } => *columns = n,
                        _ => {}
                    }) }/>
            })}
            {(kind == "service_list").then(|| view! { <ServicesEditor/><super::data::StaffEditor/> })}
            {matches!(kind, "product_grid" | "product_list").then(|| view! { <super::data::ProductsEditor/><super::data::CategoriesEditor/> })}
            {(kind == "opening_hours").then(|| view! { <super::data::HoursEditor/> })}
            {(kind == "location_map").then(|| view! { <super::data::LocationEditor/> })}
            {(kind == "contact_card").then(|| view! { <super::data::ContactEditor/> })}
            {(kind == "gallery").then(|| view! { <super::data::GalleryEditor/> })}
        }.into_any(),
        "featured_product" => view! {
            <SelectField label=t(K::FieldProduct) path=at.path("product")
                value=field_of!(at, BlockKind::FeaturedProduct { product } => product)
                options=Signal::derive(move || ed.site.with(|s| s.data.products.iter().map(|p| (p.id.clone(), p.name.clone())).collect()))
                set=move |v: String| at.update("product", |k| if let BlockKind::FeaturedProduct { product } = k { *product = v })/>
            <super::data::ProductsEditor/>
        }.into_any(),
        "booking_button" => view! {
            <TextField label=t(K::FieldLabel) path=at.path("label")
                value=field_of!(at, BlockKind::BookingButton { label, .. } => label)
                set=move |v: String| at.update("label", |k| if let BlockKind::BookingButton { label, .. } = k { *label = v })/>
            <SelectField label=t(K::FieldService) path=at.path("service")
                value=field_of!(at, BlockKind::BookingButton { service, .. } => service.unwrap_or_default())
                options=Signal::derive(move || {
                    let mut v = vec![(String::new(), t(K::AnyService).to_string())];
                    ed.site.with(|s| v.extend(s.data.services.iter().map(|x| (x.id.clone(), x.name.clone()))));
                    v
                })
                set=move |v: String| at.update("service", |k| if let BlockKind::BookingButton { service, .. } = k { *service = (!v.is_empty()).then_some(v) })/>
            <ServicesEditor/>
            <super::data::StaffEditor/>
        }.into_any(),
        "spacer" => view! {
            <NumberField label=t(K::FieldHeight) path=at.path("height") min=4 max=400
                value=field_of!(at, BlockKind::Spacer { height } => height as i64)
                set=move |v: i64| at.update("height", |k| if let BlockKind::Spacer { height } = k { *height = v as u16 })/>
        }.into_any(),
        "link_button" => view! {
            <TextField label=t(K::FieldLabel) path=at.path("label")
                value=field_of!(at, BlockKind::LinkButton { label, .. } => label)
                set=move |v: String| at.update("label", |k| if let BlockKind::LinkButton { label, .. } = k { *label = v })/>
            <SelectField label=t(K::FieldLinkPage) path=at.path("page") options=pages
                value=field_of!(at, BlockKind::LinkButton { page, .. } => page)
                set=move |v: String| at.update("page", |k| if let BlockKind::LinkButton { page, .. } = k { *page = v })/>
        }.into_any(),
        _ => view! { <p class="muted">{t(K::NothingToSet)}</p> }.into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="block-panel-title">
            <h2 id="block-panel-title">{kind_label(kind, ed.lang)}</h2>
            <button type="button" class="link-button" on:click=move |_| ed.selected.set(None)>{t(K::BackToPage)}</button>
            {fields}
        </section>
    }
}

/// A banner's slides, each with its picture, headline, second line and the page it opens;
/// added, reordered and removed here (a banner keeps at least one).
#[component]
fn SlidesEditor(at: BlockAt, pages: Signal<Vec<(String, String)>>) -> impl IntoView {
    let ed = at.ed;
    let t = move |k| ed.t(k);
    let slides = move || match at.get().map(|b| b.kind) {
        Some(BlockKind::Banner { slides }) => slides,
        _ => Vec::new(),
    };
    let slide = move |i: usize| slides().get(i).cloned().unwrap_or_default();
    let count = move || slides().len();
    let path = move |i: usize, field: &str| at.path(&format!("slides[{i}].{field}"));
    let set = move |i: usize, field: &str, f: &dyn Fn(&mut Slide)| {
        at.update(&format!("slides[{i}].{field}"), |k| {
            if let BlockKind::Banner { slides } = k {
                if let Some(s) = slides.get_mut(i) {
                    f(s)
                }
            }
        })
    };
    // Adding, moving and removing are each one undo step of their own.
    let change = move |f: &dyn Fn(&mut Vec<Slide>)| {
        ed.seal();
        at.update("slides", |k| {
            if let BlockKind::Banner { slides } = k {
                f(slides)
            }
        });
        ed.seal();
    };
    let add = move |_| {
        let title = t(K::NewSlide).to_string();
        change(&|v| {
            v.push(Slide {
                title: title.clone(),
                ..Slide::default()
            })
        });
    };
    let links = Signal::derive(move || {
        let mut v = vec![(String::new(), t(K::NoLink).to_string())];
        v.extend(pages.get());
        v
    });
    view! {
        <For each=move || 0..count() key=|i| *i let:i>
            {
                let legend = t(K::Slide).replace("{n}", &(i + 1).to_string());
                let name = legend.clone();
                let labelled = move |k: K| format!("{}: {name}", t(k));
                view! {
                    <fieldset class="item-card">
                        <legend>{legend}</legend>
                        <ImageField label=t(K::FieldImage) path=path(i, "image")
                            value=Signal::derive(move || slide(i).image)
                            set=move |v: String| set(i, "image", &|s| s.image = v.clone())/>
                        <TextField label=t(K::FieldTitle) path=path(i, "title")
                            value=Signal::derive(move || slide(i).title)
                            set=move |v: String| set(i, "title", &|s| s.title = v.clone())/>
                        <TextField label=t(K::FieldSubtitle) path=path(i, "subtitle")
                            value=Signal::derive(move || slide(i).subtitle)
                            set=move |v: String| set(i, "subtitle", &|s| s.subtitle = v.clone())/>
                        <SelectField label=t(K::SlideLink) path=path(i, "link") options=links
                            value=Signal::derive(move || slide(i).link.unwrap_or_default())
                            set=move |v: String| set(i, "link", &|s| s.link = (!v.is_empty()).then(|| v.clone()))/>
                        <div class="actions">
                            <button type="button" class="btn" aria-label=labelled(K::MoveUp) disabled=move || i == 0
                                on:click=move |_| change(&|v| if i > 0 && i < v.len() { v.swap(i - 1, i) })>{t(K::MoveUp)}</button>
                            <button type="button" class="btn" aria-label=labelled(K::MoveDown) disabled=move || i + 1 >= count()
                                on:click=move |_| change(&|v| if i + 1 < v.len() { v.swap(i, i + 1) })>{t(K::MoveDown)}</button>
                            <button type="button" class="btn danger" aria-label=labelled(K::RemoveSlide) disabled=move || count() <= 1
                                on:click=move |_| change(&|v| if v.len() > 1 && i < v.len() { v.remove(i); })>{t(K::RemoveSlide)}</button>
                        </div>
                    </fieldset>
                }
            }
        </For>
        <button type="button" class="btn" on:click=add>{t(K::AddSlide)}</button>
    }
    .into_any()
}

/// The services a service list or booking button shows: name, duration, price.
#[component]
fn ServicesEditor() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let count = move || ed.site.with(|s| s.data.services.len());
    let service = move |i: usize| ed.site.with(|s| s.data.services.get(i).cloned());
    // Who can be ticked; the checkboxes are rebuilt only when the staff changes.
    let staff = Memo::new(move |_| {
        ed.site.with(|s| {
            s.data
                .staff
                .iter()
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let set = move |i: usize, field: &str, f: &dyn Fn(&mut crate::model::site::Service)| {
        if let Some(mut sv) = ed.site.with_untracked(|s| s.data.services.get(i).cloned()) {
            f(&mut sv);
            ed.edit(
                Edit::Set(Part::Service {
                    index: i,
                    service: sv,
                }),
                Some(&format!("data.services[{i}].{field}")),
            );
        }
    };
    view! {
        <section class="subpanel" aria-labelledby="services-title">
            <h3 id="services-title">{t(K::Services)}</h3>
            <For each=move || 0..count() key=|i| *i let:i>
                <fieldset class="item-card">
                    <legend>{move || service(i).map(|s| s.name).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| t(K::Unnamed).into())}</legend>
                    <TextField label=t(K::FieldName) path=format!("data.services[{i}].name")
                        value=Signal::derive(move || service(i).map(|s| s.name).unwrap_or_default())
                        set=move |v: String| set(i, "name", &|s| s.name = v.clone())/>
                    <NumberField label=t(K::FieldDuration) path=format!("data.services[{i}].duration_min") min=5 max=600
                        value=Signal::derive(move || service(i).map(|s| s.duration_min as i64).unwrap_or_default())
                        set=move |v: i64| set(i, "duration_min", &|s| s.duration_min = v as u16)/>
                    <PriceField label=t(K::FieldPrice) path=format!("data.services[{i}].price")
                        fen=Signal::derive(move || service(i).map(|s| s.price).unwrap_or_default())
                        set=move |v: u64| set(i, "price", &|s| s.price = v)/>
                    <TextField label=t(K::FieldDescription) path=format!("data.services[{i}].description") long=true
                        value=Signal::derive(move || service(i).map(|s| s.description).unwrap_or_default())
                        set=move |v: String| set(i, "description", &|s| s.description = v.clone())/>
                    {move || {
                        let staff = staff.get();
                        (!staff.is_empty()).then(|| view! {
                            <fieldset class="checks">
                                <legend>{t(K::OfferedBy)}</legend>
                                {staff.into_iter().map(|(id, name)| {
                                    let id2 = id.clone();
                                    view! {
                                        <label class="check">
                                            <input type="checkbox"
                                                prop:checked=move || service(i).is_some_and(|s| s.staff.contains(&id))
                                                on:change=move |e| {
                                                    let on = event_target_checked(&e);
                                                    let who = id2.clone();
                                                    set(i, "staff", &move |s| {
                                                        s.staff.retain(|w| *w != who);
                                                        if on { s.staff.push(who.clone()) }
                                                    });
                                                    ed.seal();
                                                }/>
                                            {name}
                                        </label>
                                    }
                                }).collect_view()}
                            </fieldset>
                        })
                    }}
                    <button type="button" class="link-button danger"
                        on:click=move |_| super::data::remove_service(ed, i)>{t(K::DeleteService)}</button>
                </fieldset>
            </For>
            <button type="button" class="btn" on:click=move |_| super::data::add_service(ed)>{t(K::AddService)}</button>
        </section>
    }
    .into_any()
}

#[component]
fn PagePanel() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let page = move || ed.page.get();
    let title = Signal::derive(move || {
        ed.site.with(|s| {
            s.pages
                .get(page())
                .map(|p| p.title.clone())
                .unwrap_or_default()
        })
    });
    let is_tab = move || {
        ed.site.with(|s| {
            let id = s
                .pages
                .get(page())
                .map(|p| p.id.clone())
                .unwrap_or_default();
            s.tab_bar
                .as_ref()
                .is_some_and(|tb| tb.items.iter().any(|i| i.page == id))
        })
    };
    let delete = move |_| {
        let (index, count) = (page(), ed.site.with_untracked(|s| s.pages.len()));
        if count <= 1 {
            ed.notice.set(Some(t(K::LastPage).into()));
            return;
        }
        ed.edit(Edit::RemovePage { index }, None);
        ed.page.set(index.saturating_sub(1));
    };
    let shift = move |delta: isize| {
        let (from, count) = (page(), ed.site.with_untracked(|s| s.pages.len()));
        let to = from as isize + delta;
        if to >= 0 && (to as usize) < count {
            ed.edit(
                Edit::MovePage {
                    from,
                    to: to as usize,
                },
                None,
            );
            ed.page.set(to as usize);
        }
    };
    view! {
        <section class="panel" aria-labelledby="page-panel-title">
            <h2 id="page-panel-title">{t(K::ThisPage)}</h2>
            <TextField label=t(K::FieldPageTitle) value=title path=Signal::derive(move || format!("pages[{}].title", page()))
                set=move |v: String| { let p = page(); ed.edit(Edit::Set(Part::PageTitle { page: p, title: v }), Some(&format!("pages[{p}].title"))) }/>
            <div class="actions">
                <button type="button" class="btn" on:click=move |_| shift(-1)>{t(K::MovePageUp)}</button>
                <button type="button" class="btn" on:click=move |_| shift(1)>{t(K::MovePageDown)}</button>
                <button type="button" class="btn danger" on:click=delete>{t(K::DeletePage)}</button>
            </div>
            {move || is_tab().then(|| view! { <p class="hint">{t(K::TabPageHint)}</p> })}
        </section>
    }
}

#[component]
fn SitePanel() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    view! {
        <section class="panel" aria-labelledby="site-panel-title">
            <h2 id="site-panel-title">{t(K::SiteSettings)}</h2>
            <TextField label=t(K::SiteName) path="name" value=Signal::derive(move || ed.site.with(|s| s.name.clone()))
                set=move |v: String| ed.edit(Edit::Set(Part::Name(v)), Some("name"))/>
        </section>
    }
}

#[component]
fn ThemePanel() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let theme = move || ed.site.with(|s| s.theme.clone());
    let set = move |field: &str, f: &dyn Fn(&mut crate::model::site::ThemeSettings)| {
        let mut th = ed.site.with_untracked(|s| s.theme.clone());
        f(&mut th);
        ed.edit(Edit::Set(Part::Theme(th)), Some(&format!("theme.{field}")));
    };
    let bg = Signal::derive(move || theme().background);
    view! {
        <section class="panel" aria-labelledby="theme-panel-title">
            <h2 id="theme-panel-title">{t(K::Theme)}</h2>
            <ColorField label=t(K::ColorPrimary) path="theme.primary" against=bg
                value=Signal::derive(move || theme().primary) set=move |v: String| set("primary", &|th| th.primary = v.clone())/>
            <ColorField label=t(K::ColorAccent) path="theme.accent" against=bg
                value=Signal::derive(move || theme().accent) set=move |v: String| set("accent", &|th| th.accent = v.clone())/>
            <ColorField label=t(K::ColorBackground) path="theme.background" against=Signal::derive(move || theme().text)
                value=bg set=move |v: String| set("background", &|th| th.background = v.clone())/>
            <ColorField label=t(K::ColorText) path="theme.text" against=bg
                value=Signal::derive(move || theme().text) set=move |v: String| set("text", &|th| th.text = v.clone())/>
            <NumberField label=t(K::CornerRadius) path="theme.radius" min=0 max=48
                value=Signal::derive(move || theme().radius as i64) set=move |v: i64| set("radius", &|th| th.radius = v as u8)/>
            <div class="field">
                <label for="font-scale">{t(K::FontScale)}</label>
                <input id="font-scale" type="range" min="0.85" max="1.3" step="0.05"
                    prop:value=move || theme().font_scale.to_string()
                    on:input=move |e| { if let Ok(v) = event_target_value(&e).parse::<f32>() { set("font_scale", &|th| th.font_scale = v) } }
                    on:change=move |_| ed.seal()/>
            </div>
        </section>
    }
}

#[component]
fn TabBarPanel() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let tab_bar = move || ed.site.with(|s| s.tab_bar.clone());
    let set = move |tb: Option<TabBar>| ed.edit(Edit::Set(Part::TabBar(tb)), None);
    let count = move || tab_bar().map_or(0, |tb| tb.items.len());
    let add = move |_| {
        let Some(mut tb) = tab_bar() else { return };
        let used: Vec<String> = tb.items.iter().map(|i| i.page.clone()).collect();
        let Some(p) = ed
            .site
            .with_untracked(|s| s.pages.iter().find(|p| !used.contains(&p.id)).cloned())
        else {
            ed.notice.set(Some(t(K::TabNeedsPage).into()));
            return;
        };
        tb.items.push(TabItem {
            page: p.id,
            text: p.title.chars().take(4).collect(),
            icon: Icon::ALL[0],
        });
        set(Some(tb));
    };
    let item = move |i: usize| tab_bar().and_then(|tb| tb.items.get(i).cloned());
    let update = move |i: usize, f: &dyn Fn(&mut TabItem)| {
        if let Some(mut tb) = tab_bar() {
            if let Some(it) = tb.items.get_mut(i) {
                f(it);
            }
            ed.edit(
                Edit::Set(Part::TabBar(Some(tb))),
                Some(&format!("tab_bar.items[{i}]")),
            );
        }
    };
    let remove = move |i: usize| {
        if let Some(mut tb) = tab_bar() {
            if tb.items.len() <= 2 {
                ed.notice.set(Some(t(K::TabMinimum).into()));
                return;
            }
            tb.items.remove(i);
            set(Some(tb));
        }
    };
    let pages = Signal::derive(move || {
        ed.site.with(|s| {
            s.pages
                .iter()
                .map(|p| (p.id.clone(), p.title.clone()))
                .collect::<Vec<_>>()
        })
    });
    let icons = Signal::derive(move || {
        Icon::ALL
            .iter()
            .map(|i| (i.slug().to_string(), t(icon_label(*i)).to_string()))
            .collect::<Vec<_>>()
    });
    let color_of = move |f: fn(TabBar) -> String| tab_bar().map(f).unwrap_or_default();
    let set_color = move |field: &str, f: &dyn Fn(&mut TabBar)| {
        if let Some(mut tb) = tab_bar() {
            f(&mut tb);
            ed.edit(
                Edit::Set(Part::TabBar(Some(tb))),
                Some(&format!("tab_bar.{field}")),
            );
        }
    };
    let tab_bg = Signal::derive(move || color_of(|tb| tb.background));
    view! {
        <section class="panel" aria-labelledby="tabbar-panel-title">
            <h2 id="tabbar-panel-title">{t(K::TabBar)}</h2>
            <p class="hint">{t(K::TabRules)}</p>
            {move || tab_bar().is_none().then(|| view! { <p class="muted">{t(K::NoTabBar)}</p> })}
            <For each=move || 0..count() key=|i| *i let:i>
                <fieldset class="item-card">
                    <legend>{format!("{} {}", t(K::Tab), i + 1)}</legend>
                    <TextField label=t(K::FieldLabel) path=format!("tab_bar.items[{i}].text")
                        value=Signal::derive(move || item(i).map(|it| it.text).unwrap_or_default())
                        set=move |v: String| update(i, &|it| it.text = v.clone())/>
                    <SelectField label=t(K::FieldLinkPage) path=format!("tab_bar.items[{i}].page") options=pages
                        value=Signal::derive(move || item(i).map(|it| it.page).unwrap_or_default())
                        set=move |v: String| update(i, &|it| it.page = v.clone())/>
                    <SelectField label=t(K::FieldIcon) path=format!("tab_bar.items[{i}].icon") options=icons
                        value=Signal::derive(move || item(i).map(|it| it.icon.slug().to_string()).unwrap_or_default())
                        set=move |v: String| { if let Some(icon) = Icon::ALL.iter().find(|ic| ic.slug() == v) { update(i, &|it| it.icon = *icon) } }/>
                    <button type="button" class="link-button danger" on:click=move |_| remove(i)>{t(K::RemoveTab)}</button>
                </fieldset>
            </For>
            <FieldProblem path="tab_bar.items" id="tab-items-err".to_string()/>
            <button type="button" class="btn" on:click=add disabled=move || { count() >= 5 || tab_bar().is_none() }>{t(K::AddTab)}</button>
            {move || tab_bar().is_some().then(|| view! {
                <fieldset class="item-card">
                    <legend>{t(K::TabColors)}</legend>
                    <ColorField label=t(K::TabTextColor) path="tab_bar.color" against=tab_bg
                        value=Signal::derive(move || color_of(|tb| tb.color)) set=move |v: String| set_color("color", &|tb| tb.color = v.clone())/>
                    <ColorField label=t(K::TabSelectedColor) path="tab_bar.selected_color" against=tab_bg
                        value=Signal::derive(move || color_of(|tb| tb.selected_color)) set=move |v: String| set_color("selected_color", &|tb| tb.selected_color = v.clone())/>
                    <ColorField label=t(K::TabBackground) path="tab_bar.background" against=Signal::derive(move || color_of(|tb| tb.color))
                        value=tab_bg set=move |v: String| set_color("background", &|tb| tb.background = v.clone())/>
                </fieldset>
            })}
        </section>
    }
}

/// The name of a tab icon in the merchant's language.
fn icon_label(icon: Icon) -> K {
    match icon {
        Icon::Home => K::IconHome,
        Icon::Shop => K::IconShop,
        Icon::Cart => K::IconCart,
        Icon::Calendar => K::IconCalendar,
        Icon::User => K::IconUser,
        Icon::Info => K::IconInfo,
        Icon::Phone => K::IconPhone,
        Icon::Map => K::IconMap,
        Icon::Star => K::IconStar,
        Icon::Grid => K::IconGrid,
        Icon::Gift => K::IconGift,
        Icon::Photo => K::IconPhoto,
    }
}

// --------------------------------------------------------------------------------------------
// Export

#[component]
pub fn ExportButton() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let busy = RwSignal::new(false);
    let result = RwSignal::new(
        None::<Result<(u64, Vec<(String, usize)>), (String, Vec<crate::model::site::Problem>)>>,
    );
    let run = move |_| {
        busy.set(true);
        result.set(None);
        let id = ed.site_id.get_value();
        leptos::task::spawn_local(async move {
            let r = net::export(&id).await;
            busy.set(false);
            result.set(Some(match r {
                Ok(net::Exported::Downloaded(pages, sizes)) => Ok((pages, sizes)),
                Ok(net::Exported::Refused(r)) => Err((r.message, r.problems)),
                Err(net::NetError::Offline) => Err((t(K::ErrNetwork).into(), Vec::new())),
                Err(net::NetError::Refused(m) | net::NetError::Conflict(m)) => Err((m, Vec::new())),
            }));
        });
    };
    view! {
        <button type="button" class="btn btn-primary" on:click=run disabled=move || busy.get()>
            {move || if busy.get() { t(K::Exporting) } else { t(K::Export) }}
        </button>
        {move || result.get().map(|r| match r {
            Ok((pages, sizes)) => view! {
                <div class="export-result alert alert-ok" role="status">
                    <strong>{t(K::Exported)}</strong>" "{format!("{pages} {}", t(K::PagesWord))}
                    <ul>{sizes.into_iter().map(|(name, bytes)| view! {
                        <li>{format!("{name}: {:.0} KB / 2048 KB", bytes as f64 / 1024.0)}
                            <meter min="0" max="2097152" high="1887436" value=bytes.to_string()></meter></li>
                    }).collect_view()}</ul>
                    <button type="button" class="link-button" on:click=move |_| result.set(None)>{t(K::Dismiss)}</button>
                </div>
            }.into_any(),
            Err((message, problems)) => view! {
                <div class="export-result alert alert-error" role="alert">
                    <p>{message}</p>
                    <ul>{problems.into_iter().map(|p| {
                        let path = p.path.clone();
                        // The message is what the merchant reads; the path is for support and scripts.
                        view! { <li><button type="button" class="link-button" on:click=move |_| ed.reveal_problem(&path)>{p.message}</button>" "<code class="muted small">{p.path.clone()}</code></li> }
                    }).collect_view()}</ul>
                    <button type="button" class="link-button" on:click=move |_| result.set(None)>{t(K::Dismiss)}</button>
                </div>
            }.into_any(),
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_as_yuan() {
        assert_eq!(parse_yuan("12.5"), Some(1250));
        assert_eq!(parse_yuan("¥ 0.05"), Some(5));
        assert_eq!(parse_yuan("88"), Some(8800));
        assert_eq!(parse_yuan(".5"), Some(50));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("abc"), None);
        assert_eq!(parse_yuan(""), None);
        assert_eq!(parse_yuan("-1"), None);
    }

    #[test]
    fn field_ids_come_from_paths() {
        assert_eq!(
            field_id("pages[0].blocks[12].title"),
            "f-pages-0-blocks-12-title"
        );
        assert_eq!(
            field_id("data.products[3].compare_at"),
            "f-data-products-3-compare_at"
        );
        assert_ne!(
            field_id("data.staff[1].name"),
            field_id("data.staff[11].name")
        );
    }
}
