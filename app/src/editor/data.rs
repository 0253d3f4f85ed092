//! Editors for the merchant's data that blocks show: products and categories, opening hours,
//! location, contact and gallery. Long lists stay fast: one row per item, and only the item
//! being edited shows its fields.
use super::panels::{ImageField, NumberField, PriceField, SelectField, TextField};
use super::Ed;
use crate::i18n::K;
use crate::model::edit::{Edit, Part};
use crate::model::site::{Category, DayHours, Hours, Location, MerchantData, Product};
use leptos::prelude::*;

/// Changes the merchant's data as one undo step per field being typed in.
fn set_data(ed: Ed, key: &str, f: impl FnOnce(&mut MerchantData)) {
    let mut data = ed.site.with_untracked(|s| s.data.clone());
    f(&mut data);
    ed.edit(Edit::Set(Part::Data(Box::new(data))), Some(key));
}

fn data<T: Default + Send + Sync + 'static>(
    ed: Ed,
    f: impl Fn(&MerchantData) -> Option<T> + Send + Sync + 'static,
) -> Signal<T> {
    Signal::derive(move || ed.site.with(|s| f(&s.data)).unwrap_or_default())
}

/// A fresh id from a name, not used by `taken`.
fn fresh_id(name: &str, prefix: &str, taken: impl Fn(&str) -> bool) -> String {
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

#[component]
pub fn ProductsEditor() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let open = RwSignal::new(None::<usize>);
    let rows = move || {
        ed.site.with(|s| {
            s.data
                .products
                .iter()
                .enumerate()
                .map(|(i, p)| (i, p.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let add = move |_| {
        let name = t(K::NewProduct).to_string();
        let index = ed.site.with_untracked(|s| s.data.products.len());
        set_data(ed, "data.products", |d| {
            let id = fresh_id("product", "product", |id| {
                d.products.iter().any(|p| p.id == id)
            });
            d.products.push(Product {
                id,
                name,
                description: String::new(),
                images: Vec::new(),
                price: 0,
                compare_at: None,
                stock: None,
                category: d.categories.first().map(|c| c.id.clone()),
                options: Vec::new(),
                variants: Vec::new(),
            });
        });
        ed.seal();
        open.set(Some(index));
    };
    view! {
        <section class="subpanel" aria-labelledby="products-title">
            <h3 id="products-title">{t(K::Products)}</h3>
            <ul class="item-list">
                <For each=rows key=|r| r.clone() let:((i, name))>
                    <li>
                        <button type="button" class="item-row" aria-expanded=move || (open.get() == Some(i)).to_string()
                            on:click=move |_| open.update(|o| *o = if *o == Some(i) { None } else { Some(i) })>
                            {name}
                        </button>
                        {move || (open.get() == Some(i)).then(|| view! { <ProductForm i/> })}
                    </li>
                </For>
            </ul>
            <button type="button" class="btn" on:click=add>{t(K::AddProduct)}</button>
        </section>
    }
}

#[component]
fn ProductForm(i: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let p = move || ed.site.with(|s| s.data.products.get(i).cloned());
    let path = move |f: &str| format!("data.products[{i}].{f}");
    let set = move |f: &str, g: &(dyn Fn(&mut Product) + Send + Sync)| {
        set_data(ed, &path(f), |d| {
            if let Some(p) = d.products.get_mut(i) {
                g(p)
            }
        })
    };
    let categories = Signal::derive(move || {
        let mut v = vec![(String::new(), t(K::NoCategory).to_string())];
        ed.site.with(|s| {
            v.extend(
                s.data
                    .categories
                    .iter()
                    .map(|c| (c.id.clone(), c.name.clone())),
            )
        });
        v
    });
    let remove = move |_| {
        set_data(ed, "data.products", |d| {
            if i < d.products.len() {
                d.products.remove(i);
            }
        });
        ed.seal();
    };
    view! {
        <div class="item-form">
            <TextField label=t(K::FieldName) path=path("name")
                value=Signal::derive(move || p().map(|p| p.name).unwrap_or_default())
                set=move |v| set("name", &|p| p.name = v.clone())/>
            <PriceField label=t(K::FieldPrice) path=path("price")
                fen=Signal::derive(move || p().map(|p| p.price).unwrap_or_default())
                set=move |v| set("price", &|p| p.price = v)/>
            <PriceField label=t(K::FieldCompareAt) path=path("compare_at")
                fen=Signal::derive(move || p().and_then(|p| p.compare_at).unwrap_or_default())
                set=move |v| set("compare_at", &|p| p.compare_at = (v > 0).then_some(v))/>
            <NumberField label=t(K::FieldStock) path=path("stock") min=-1 max=999_999
                value=Signal::derive(move || p().and_then(|p| p.stock).map_or(-1, i64::from))
                set=move |v| set("stock", &|p| p.stock = u32::try_from(v).ok())/>
            <p class="hint">{t(K::StockHint)}</p>
            <SelectField label=t(K::FieldCategory) path=path("category") options=categories
                value=Signal::derive(move || p().and_then(|p| p.category).unwrap_or_default())
                set=move |v| set("category", &|p| p.category = (!v.is_empty()).then(|| v.clone()))/>
            <TextField label=t(K::FieldDescription) path=path("description") long=true
                value=Signal::derive(move || p().map(|p| p.description).unwrap_or_default())
                set=move |v| set("description", &|p| p.description = v.clone())/>
            <ImageField label=t(K::FieldImage) path=path("images[0]")
                value=Signal::derive(move || p().and_then(|p| p.images.first().cloned()).unwrap_or_default())
                set=move |v| set("images", &|p| {
                    if v.is_empty() { if !p.images.is_empty() { p.images.remove(0); } }
                    else if p.images.is_empty() { p.images.push(v.clone()) } else { p.images[0] = v.clone() }
                })/>
            <button type="button" class="link-button danger" on:click=remove>{t(K::DeleteProduct)}</button>
        </div>
    }
}

#[component]
pub fn CategoriesEditor() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let count = move || ed.site.with(|s| s.data.categories.len());
    let name = move |i: usize| data(ed, move |d| d.categories.get(i).map(|c| c.name.clone()));
    let add = move |_| {
        set_data(ed, "data.categories", |d| {
            let id = fresh_id("category", "category", |id| {
                d.categories.iter().any(|c| c.id == id)
            });
            d.categories.push(Category {
                id,
                name: t(K::NewCategory).into(),
            });
        });
        ed.seal();
    };
    view! {
        <section class="subpanel" aria-labelledby="categories-title">
            <h3 id="categories-title">{t(K::Categories)}</h3>
            <For each=move || 0..count() key=|i| *i let:i>
                <div class="row-field">
                    <TextField label=t(K::FieldName) path=format!("data.categories[{i}].name") value=name(i)
                        set=move |v| set_data(ed, &format!("data.categories[{i}].name"), |d| if let Some(c) = d.categories.get_mut(i) { c.name = v })/>
                    <button type="button" class="icon-btn danger" aria-label=move || format!("{}: {}", t(K::Delete), name(i).get())
                        on:click=move |_| { set_data(ed, "data.categories", |d| {
                            if i < d.categories.len() {
                                let id = d.categories.remove(i).id;
                                for p in &mut d.products { if p.category.as_deref() == Some(id.as_str()) { p.category = None } }
                            }
                        }); ed.seal(); }>"✕"</button>
                </div>
            </For>
            <button type="button" class="btn" on:click=add>{t(K::AddCategory)}</button>
        </section>
    }
}

#[component]
pub fn HoursEditor() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let day_names = [K::Mon, K::Tue, K::Wed, K::Thu, K::Fri, K::Sat, K::Sun];
    let day = move |i: usize| {
        ed.site
            .with(|s| s.data.hours.as_ref().and_then(|h| h.weekly.get(i).cloned()))
    };
    let set_day = move |i: usize, f: &(dyn Fn(&mut DayHours) + Send + Sync)| {
        set_data(ed, &format!("data.hours.weekly[{i}]"), |d| {
            let h = d.hours.get_or_insert_with(|| Hours {
                weekly: (0..7)
                    .map(|_| DayHours {
                        closed: false,
                        open: "09:00".into(),
                        close: "18:00".into(),
                    })
                    .collect(),
                exceptions: Vec::new(),
            });
            if let Some(day) = h.weekly.get_mut(i) {
                f(day)
            }
        })
    };
    let rows = day_names
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            let open_id = format!("hours-{i}-open");
            let close_id = format!("hours-{i}-close");
            view! {
                <fieldset class="hours-day">
                    <legend>{t(k)}</legend>
                    <label class="check"><input type="checkbox" prop:checked=move || day(i).is_some_and(|d| d.closed)
                        on:change=move |e| { let v = event_target_checked(&e); set_day(i, &move |d| d.closed = v); ed.seal(); }/>
                        {t(K::Closed)}</label>
                    <label for=open_id.clone() class="sr-only">{format!("{} {}", t(k), t(K::Opens))}</label>
                    <input id=open_id type="time" prop:value=move || day(i).map(|d| d.open).unwrap_or_default()
                        disabled=move || day(i).is_some_and(|d| d.closed)
                        on:change=move |e| { let v = event_target_value(&e); set_day(i, &move |d| d.open = v.clone()); ed.seal(); }/>
                    <span aria-hidden="true">"–"</span>
                    <label for=close_id.clone() class="sr-only">{format!("{} {}", t(k), t(K::Closes))}</label>
                    <input id=close_id type="time" prop:value=move || day(i).map(|d| d.close).unwrap_or_default()
                        disabled=move || day(i).is_some_and(|d| d.closed)
                        on:change=move |e| { let v = event_target_value(&e); set_day(i, &move |d| d.close = v.clone()); ed.seal(); }/>
                    {move || ed.problem(&format!("data.hours.weekly[{i}]")).map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <section class="subpanel" aria-labelledby="hours-title">
            <h3 id="hours-title">{t(K::BlockOpeningHours)}</h3>
            {rows}
        </section>
    }
}

#[component]
pub fn LocationEditor() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let loc = move || ed.site.with(|s| s.data.location.clone());
    let set = move |f: &str, g: &(dyn Fn(&mut Location) + Send + Sync)| {
        set_data(ed, &format!("data.location.{f}"), |d| {
            let l = d.location.get_or_insert_with(|| Location {
                name: String::new(),
                address: String::new(),
                latitude: 0.0,
                longitude: 0.0,
            });
            g(l)
        })
    };
    let coord = move |f: &'static str,
                      label: &'static str,
                      get: fn(&Location) -> f64,
                      put: fn(&mut Location, f64)| {
        let id = format!("loc-{f}");
        let bad = RwSignal::new(false);
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id type="text" inputmode="decimal" prop:value=move || loc().map(|l| get(&l).to_string()).unwrap_or_default()
                    aria-invalid=move || bad.get().to_string()
                    on:input=move |e| {
                        match event_target_value(&e).trim().parse::<f64>() {
                            Ok(v) => { bad.set(false); set(f, &move |l| put(l, v)) }
                            Err(_) => bad.set(true),
                        }
                    }
                    on:blur=move |_| ed.seal()/>
                {move || bad.get().then(|| view! { <p class="field-error">{t(K::ErrCoordinate)}</p> })}
                {move || ed.problem(&format!("data.location.{f}")).map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
        }
    };
    view! {
        <section class="subpanel" aria-labelledby="location-title">
            <h3 id="location-title">{t(K::Location)}</h3>
            <TextField label=t(K::FieldName) path="data.location.name"
                value=Signal::derive(move || loc().map(|l| l.name).unwrap_or_default())
                set=move |v| set("name", &|l| l.name = v.clone())/>
            <TextField label=t(K::Address) path="data.location.address"
                value=Signal::derive(move || loc().map(|l| l.address).unwrap_or_default())
                set=move |v| set("address", &|l| l.address = v.clone())/>
            {coord("latitude", t(K::Latitude), |l| l.latitude, |l, v| l.latitude = v)}
            {coord("longitude", t(K::Longitude), |l| l.longitude, |l, v| l.longitude = v)}
            <p class="hint">{t(K::CoordinateHint)}</p>
        </section>
    }
}

#[component]
pub fn ContactEditor() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    view! {
        <section class="subpanel" aria-labelledby="contact-title">
            <h3 id="contact-title">{t(K::BlockContactCard)}</h3>
            <TextField label=t(K::Phone) path="data.contact.phone"
                value=data(ed, |d| Some(d.contact.phone.clone()))
                set=move |v| set_data(ed, "data.contact.phone", |d| d.contact.phone = v)/>
            <TextField label=t(K::WechatId) path="data.contact.wechat"
                value=data(ed, |d| Some(d.contact.wechat.clone()))
                set=move |v| set_data(ed, "data.contact.wechat", |d| d.contact.wechat = v)/>
            <TextField label=t(K::Email) path="data.contact.email"
                value=data(ed, |d| Some(d.contact.email.clone()))
                set=move |v| set_data(ed, "data.contact.email", |d| d.contact.email = v)/>
        </section>
    }
}

#[component]
pub fn GalleryEditor() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let count = move || ed.site.with(|s| s.data.gallery.len());
    view! {
        <section class="subpanel" aria-labelledby="gallery-title">
            <h3 id="gallery-title">{t(K::BlockGallery)}</h3>
            <For each=move || 0..count() key=|i| *i let:i>
                <ImageField label=t(K::FieldImage) path=format!("data.gallery[{i}]")
                    value=data(ed, move |d| d.gallery.get(i).cloned())
                    set=move |v| set_data(ed, &format!("data.gallery[{i}]"), |d| {
                        if v.is_empty() { if i < d.gallery.len() { d.gallery.remove(i); } }
                        else if let Some(g) = d.gallery.get_mut(i) { *g = v }
                    })/>
            </For>
            <ImageField label=t(K::AddPicture) path="data.gallery"
                value=Signal::derive(String::new)
                set=move |v| if !v.is_empty() { set_data(ed, "data.gallery", |d| d.gallery.push(v)); ed.seal(); }/>
        </section>
    }
}
