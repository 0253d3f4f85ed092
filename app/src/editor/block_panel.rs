//! The selected block's panel: its own fields, by type (every type is matched: a new type does
//! not compile until it has a panel), then the editors of the merchant data it shows, as the
//! block catalogue lists them; and the banner's slides.
use super::fields::{ImageField, NumberField, SelectField, TextField};
use super::merchant_data::DataEditor;
use super::state::EditorState;
use crate::i18n::Text;
use crate::model::blocks::BlockType;
use crate::model::edit::{Edit, Part};
use crate::model::site::Block;
use crate::model::site::{BlockKind, Slide};
use leptos::prelude::*;

/// Reads and replaces the block at (page, index) inside panel closures.
#[derive(Clone, Copy)]
struct BlockAt {
    ed: EditorState,
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
pub(super) fn BlockPanel(page: usize, index: usize, kind: BlockType) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let at = BlockAt { ed, page, index };
    let pages = ed.page_choices();
    let fields = match kind {
        BlockType::Banner => view! { <SlidesEditor at pages/> }.into_any(),
        BlockType::RichText => view! {
            <TextField label=t(Text::FieldTitle) path=at.path("title")
                value=field_of!(at, BlockKind::RichText { title, .. } => title)
                set=move |v: String| at.update("title", |k| if let BlockKind::RichText { title, .. } = k { *title = v })/>
            <TextField label=t(Text::FieldText) path=at.path("paragraphs") long=true nested=true hint=t(Text::ParagraphHint)
                value=field_of!(at, BlockKind::RichText { paragraphs, .. } => paragraphs.join("\n\n"))
                set=move |v: String| at.update("paragraphs", |k| if let BlockKind::RichText { paragraphs, .. } = k {
                    *paragraphs = v.split("\n\n").map(str::to_string).collect();
                })/>
        }.into_any(),
        BlockType::Image => view! {
            <ImageField label=t(Text::FieldImage) path=at.path("image")
                value=field_of!(at, BlockKind::Image { image, .. } => image)
                set=move |v: String| at.update("image", |k| if let BlockKind::Image { image, .. } = k { *image = v })/>
            <TextField label=t(Text::FieldCaption) path=at.path("caption")
                value=field_of!(at, BlockKind::Image { caption, .. } => caption)
                set=move |v: String| at.update("caption", |k| if let BlockKind::Image { caption, .. } = k { *caption = v })/>
        }.into_any(),
        BlockType::NoticeBar => view! {
            <TextField label=t(Text::FieldText) path=at.path("text")
                value=field_of!(at, BlockKind::NoticeBar { text } => text)
                set=move |v: String| at.update("text", |k| if let BlockKind::NoticeBar { text } = k { *text = v })/>
        }.into_any(),
        BlockType::ProductGrid | BlockType::ProductList | BlockType::ServiceList | BlockType::OpeningHours | BlockType::LocationMap | BlockType::ContactCard | BlockType::Gallery => view! {
            <TextField label=t(Text::FieldTitle) path=at.path("title")
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
            {(kind == BlockType::ProductGrid).then(|| view! {
                <SelectField label=t(Text::FieldCategory) path=at.path("category")
                    value=field_of!(at, BlockKind::ProductGrid { category, .. } => category.unwrap_or_default())
                    options=Signal::derive(move || {
                        let mut v = vec![(String::new(), t(Text::AllProducts).to_string())];
                        ed.site.with(|s| v.extend(s.data.categories.iter().map(|c| (c.id.clone(), c.name.clone()))));
                        v
                    })
                    set=move |v: String| at.update("category", |k| if let BlockKind::ProductGrid { category, .. } = k { *category = (!v.is_empty()).then_some(v) })/>
            })}
            {matches!(kind, BlockType::ProductGrid | BlockType::Gallery).then(|| view! {
                <SelectField label=t(Text::FieldColumns) path=at.path("columns")
                    value=field_of!(at, BlockKind::ProductGrid { columns, .. } | BlockKind::Gallery { columns, .. } => columns.to_string())
                    options=Signal::derive(move || (2..=if kind == BlockType::Gallery { 4 } else { 3 }).map(|n: u8| (n.to_string(), n.to_string())).collect())
                    set=move |v: String| { let n: u8 = v.parse().unwrap_or(2); at.update("columns", |k| match k {
                        BlockKind::ProductGrid { columns, .. } | BlockKind::Gallery { columns, .. } => *columns = n,
                        _ => {}
                    }) }/>
            })}
        }.into_any(),
        BlockType::FeaturedProduct => view! {
            <SelectField label=t(Text::FieldProduct) path=at.path("product")
                value=field_of!(at, BlockKind::FeaturedProduct { product } => product)
                options=Signal::derive(move || ed.site.with(|s| s.data.products.iter().map(|p| (p.id.clone(), p.name.clone())).collect()))
                set=move |v: String| at.update("product", |k| if let BlockKind::FeaturedProduct { product } = k { *product = v })/>
        }.into_any(),
        BlockType::BookingButton => view! {
            <TextField label=t(Text::FieldLabel) path=at.path("label")
                value=field_of!(at, BlockKind::BookingButton { label, .. } => label)
                set=move |v: String| at.update("label", |k| if let BlockKind::BookingButton { label, .. } = k { *label = v })/>
            <SelectField label=t(Text::FieldService) path=at.path("service")
                value=field_of!(at, BlockKind::BookingButton { service, .. } => service.unwrap_or_default())
                options=Signal::derive(move || {
                    let mut v = vec![(String::new(), t(Text::AnyService).to_string())];
                    ed.site.with(|s| v.extend(s.data.services.iter().map(|x| (x.id.clone(), x.name.clone()))));
                    v
                })
                set=move |v: String| at.update("service", |k| if let BlockKind::BookingButton { service, .. } = k { *service = (!v.is_empty()).then_some(v) })/>
        }.into_any(),
        BlockType::Spacer => view! {
            <NumberField label=t(Text::FieldHeight) path=at.path("height") min=4 max=400
                value=field_of!(at, BlockKind::Spacer { height } => height as i64)
                set=move |v: i64| at.update("height", |k| if let BlockKind::Spacer { height } = k { *height = v as u16 })/>
        }.into_any(),
        BlockType::LinkButton => view! {
            <TextField label=t(Text::FieldLabel) path=at.path("label")
                value=field_of!(at, BlockKind::LinkButton { label, .. } => label)
                set=move |v: String| at.update("label", |k| if let BlockKind::LinkButton { label, .. } = k { *label = v })/>
            <SelectField label=t(Text::FieldLinkPage) path=at.path("page") options=pages
                value=field_of!(at, BlockKind::LinkButton { page, .. } => page)
                set=move |v: String| at.update("page", |k| if let BlockKind::LinkButton { page, .. } = k { *page = v })/>
        }.into_any(),
        BlockType::Divider => view! { <p class="muted">{t(Text::NothingToSet)}</p> }.into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="block-panel-title">
            <h2 id="block-panel-title">{t(kind.label())}</h2>
            <button type="button" class="link-button" on:click=move |_| ed.selected.set(None)>{t(Text::BackToPage)}</button>
            {fields}
            {kind.edits().iter().map(|&section| view! { <DataEditor section/> }).collect_view()}
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
        let title = t(Text::NewSlide).to_string();
        change(&|v| {
            v.push(Slide {
                title: title.clone(),
                ..Slide::default()
            })
        });
    };
    let links = Signal::derive(move || {
        let mut v = vec![(String::new(), t(Text::NoLink).to_string())];
        v.extend(pages.get());
        v
    });
    view! {
        <For each=move || 0..count() key=|i| *i let:i>
            {
                let legend = t(Text::Slide).replace("{n}", &(i + 1).to_string());
                let name = legend.clone();
                let labelled = move |k: Text| format!("{}: {name}", t(k));
                view! {
                    <fieldset class="item-card">
                        <legend>{legend}</legend>
                        <ImageField label=t(Text::FieldImage) path=path(i, "image")
                            value=Signal::derive(move || slide(i).image)
                            set=move |v: String| set(i, "image", &|s| s.image = v.clone())/>
                        <TextField label=t(Text::FieldTitle) path=path(i, "title")
                            value=Signal::derive(move || slide(i).title)
                            set=move |v: String| set(i, "title", &|s| s.title = v.clone())/>
                        <TextField label=t(Text::FieldSubtitle) path=path(i, "subtitle")
                            value=Signal::derive(move || slide(i).subtitle)
                            set=move |v: String| set(i, "subtitle", &|s| s.subtitle = v.clone())/>
                        <SelectField label=t(Text::SlideLink) path=path(i, "link") options=links
                            value=Signal::derive(move || slide(i).link.unwrap_or_default())
                            set=move |v: String| set(i, "link", &|s| s.link = (!v.is_empty()).then(|| v.clone()))/>
                        <div class="actions">
                            <button type="button" class="btn" aria-label=labelled(Text::MoveUp) disabled=move || i == 0
                                on:click=move |_| change(&|v| if i > 0 && i < v.len() { v.swap(i - 1, i) })>{t(Text::MoveUp)}</button>
                            <button type="button" class="btn" aria-label=labelled(Text::MoveDown) disabled=move || count() <= i + 1
                                on:click=move |_| change(&|v| if i + 1 < v.len() { v.swap(i, i + 1) })>{t(Text::MoveDown)}</button>
                            <button type="button" class="btn danger" aria-label=labelled(Text::RemoveSlide) disabled=move || count() <= 1
                                on:click=move |_| change(&|v| if v.len() > 1 && i < v.len() { v.remove(i); })>{t(Text::RemoveSlide)}</button>
                        </div>
                    </fieldset>
                }
            }
        </For>
        <button type="button" class="btn" on:click=add>{t(Text::AddSlide)}</button>
    }
    .into_any()
}
