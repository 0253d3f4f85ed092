//! Editors for the merchant's data that blocks show, one file per kind of data: products with
//! options and categories, services with their staff, opening hours with special days, and the
//! shop's place (location, contact, gallery). [`DataEditor`] shows the editor of one
//! [`DataSection`]: a block's panel lists the sections its type edits in the block catalogue.
//! Long lists stay fast: one row per item, and only the item being edited shows its fields.
mod hours;
mod place;
mod products;
mod services;

use super::deferred::deferred;
use super::state::EditorState;
use crate::model::blocks::DataSection;
use crate::model::edit::{Edit, Part};
use crate::model::site::MerchantData;
use leptos::prelude::*;

/// The editor of one section of the merchant's data; its code loads when a block that shows
/// such data is first selected.
#[component]
pub fn DataEditor(section: DataSection) -> impl IntoView {
    deferred!(data_editor, data_editor(section))
}

#[lazy]
fn data_editor(section: DataSection) -> AnyView {
    match section {
        DataSection::Products => view! { <products::ProductsEditor/> }.into_any(),
        DataSection::Categories => view! { <products::CategoriesEditor/> }.into_any(),
        DataSection::Services => view! { <services::ServicesEditor/> }.into_any(),
        DataSection::Staff => view! { <services::StaffEditor/> }.into_any(),
        DataSection::Hours => view! { <hours::HoursEditor/> }.into_any(),
        DataSection::Location => view! { <place::LocationEditor/> }.into_any(),
        DataSection::Contact => view! { <place::ContactEditor/> }.into_any(),
        DataSection::Gallery => view! { <place::GalleryEditor/> }.into_any(),
    }
}

/// Changes the merchant's data as one undo step per field being typed in.
pub(super) fn set_data(ed: EditorState, key: &str, f: impl FnOnce(&mut MerchantData)) {
    let mut data = ed.site.with_untracked(|s| s.data.clone());
    f(&mut data);
    ed.edit(Edit::Set(Part::Data(Box::new(data))), Some(key));
}

pub(super) fn data<T: Default + Send + Sync + 'static>(
    ed: EditorState,
    f: impl Fn(&MerchantData) -> Option<T> + Send + Sync + 'static,
) -> Signal<T> {
    Signal::derive(move || ed.site.with(|s| f(&s.data)).unwrap_or_default())
}

/// A fresh id from a name, not used by `taken`.
pub(super) fn fresh_id(name: &str, prefix: &str, taken: impl Fn(&str) -> bool) -> String {
    let base: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .take(16)
        .collect();
    let base = if base.is_empty() {
        prefix.to_string()
    } else {
        base
    };
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|id| !taken(id))
        .expect("a free id")
}
