//! Editors for the merchant's data that blocks show: products and categories, opening hours,
//! location, contact and gallery. Long lists stay fast: one row per item, and only the item
//! being edited shows its fields.
use super::panels::{ImageField, NumberField, PriceField, SelectField, TextField};
use super::Ed;
use crate::i18n::K;
use crate::model::edit::{Edit, Part};
use crate::model::site::{
    BlockKind, Category, DayHours, Hours, HoursException, Location, MerchantData, Product, Service,
    SkuOption, Staff,
};
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
    // A problem in a product (see `Ed::reveal_problem`) opens that product's form.
    Effect::new(move |_| {
        let at = ed
            .reveal
            .with(|r| super::index_after(r.as_deref()?, "data.products["));
        if at.is_some() {
            open.set(at);
        }
    });
    // Rows by position, names read reactively: typing a name must not rebuild its row (and
    // the open form with the focus in it).
    let count = move || ed.site.with(|s| s.data.products.len());
    // An emptied name still leaves the row something to be called by.
    let name = move |i: usize| {
        ed.site
            .with(|s| s.data.products.get(i).map(|p| p.name.clone()))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| t(K::Unnamed).into())
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
                <For each=move || 0..count() key=|i| *i let:i>
                    <li>
                        <button type="button" class="item-row" aria-expanded=move || (open.get() == Some(i)).to_string()
                            on:click=move |_| open.update(|o| *o = if *o == Some(i) { None } else { Some(i) })>
                            {move || name(i)}
                        </button>
                        {move || (open.get() == Some(i)).then(|| view! { <ProductForm i/> })}
                    </li>
                </For>
            </ul>
            <button type="button" class="btn" on:click=add>{t(K::AddProduct)}</button>
        </section>
    }
    .into_any()
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
                set=move |v: String| set("name", &|p| p.name = v.clone())/>
            <PriceField label=t(K::FieldPrice) path=path("price")
                fen=Signal::derive(move || p().map(|p| p.price).unwrap_or_default())
                set=move |v: u64| set("price", &|p| p.price = v)/>
            <PriceField label=t(K::FieldCompareAt) path=path("compare_at")
                fen=Signal::derive(move || p().and_then(|p| p.compare_at).unwrap_or_default())
                set=move |v: u64| set("compare_at", &|p| p.compare_at = (v > 0).then_some(v))/>
            <NumberField label=t(K::FieldStock) path=path("stock") min=-1 max=999_999
                value=Signal::derive(move || p().and_then(|p| p.stock).map_or(-1, i64::from))
                set=move |v: i64| set("stock", &|p| p.stock = u32::try_from(v).ok())/>
            <p class="hint">{t(K::StockHint)}</p>
            <SelectField label=t(K::FieldCategory) path=path("category") options=categories
                value=Signal::derive(move || p().and_then(|p| p.category).unwrap_or_default())
                set=move |v: String| set("category", &|p| p.category = (!v.is_empty()).then(|| v.clone()))/>
            <TextField label=t(K::FieldDescription) path=path("description") long=true
                value=Signal::derive(move || p().map(|p| p.description).unwrap_or_default())
                set=move |v: String| set("description", &|p| p.description = v.clone())/>
            <ImageField label=t(K::FieldImage) path=path("images[0]")
                value=Signal::derive(move || p().and_then(|p| p.images.first().cloned()).unwrap_or_default())
                set=move |v: String| set("images", &|p| {
                    if v.is_empty() { if !p.images.is_empty() { p.images.remove(0); } }
                    else if p.images.is_empty() { p.images.push(v.clone()) } else { p.images[0] = v.clone() }
                })/>
            <SkuEditor i/>
            <button type="button" class="link-button danger" on:click=remove>{t(K::DeleteProduct)}</button>
        </div>
    }
    .into_any()
}

/// Splits "S, M，L、XL" into distinct values (ASCII and Chinese commas alike).
pub fn split_values(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in text.split([',', '，', '、']).map(str::trim) {
        if !v.is_empty() && !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    out
}

/// A comma-separated list. What the merchant types stays as typed (a trailing comma, a
/// space) while it means the same list; an undo that changes the list rewrites it.
#[component]
fn ListField(
    label: &'static str,
    #[prop(into)] values: Signal<Vec<String>>,
    #[prop(into)] set: Callback<Vec<String>>,
    path: String,
) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let id = super::panels::field_id(&path);
    let typed = RwSignal::new(values.get_untracked().join(", "));
    let shown = move || {
        let vals = values.get();
        let text = typed.get_untracked();
        if split_values(&text) == vals {
            text
        } else {
            vals.join(", ")
        }
    };
    let err = format!("{id}-err");
    let data_path = path.clone();
    let path = StoredValue::new(path);
    let problem = move || path.with_value(|p| ed.problem(p));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type="text" prop:value=shown data-path=data_path aria-invalid=move || problem().is_some().to_string()
                aria-describedby=err.clone()
                on:input=move |e| { let v = event_target_value(&e); let list = split_values(&v); typed.set(v); set.run(list); }
                on:blur=move |_| ed.seal()/>
            {move || problem().map(|m| view! { <p class="field-error" id=err.clone()>{m}</p> })}
        </div>
    }
    .into_any()
}

/// A product's options (size, temperature…) and the price and stock of each combination.
#[component]
fn SkuEditor(i: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    // What the form is built from: the options and which combinations are sold. A memo, so
    // edits elsewhere (or to a price) do not rebuild the rows.
    let shape = Memo::new(move |_| {
        ed.site
            .with(|s| {
                s.data.products.get(i).map(|p| {
                    let sold: Vec<Vec<String>> =
                        p.variants.iter().map(|v| v.values.clone()).collect();
                    (p.options.clone(), sold)
                })
            })
            .unwrap_or_default()
    });
    let options = move || shape.with(|(o, _)| o.clone());
    let change = move |key: String, f: &(dyn Fn(&mut Product) + Send + Sync)| {
        set_data(ed, &key, |d| {
            if let Some(p) = d.products.get_mut(i) {
                f(p)
            }
        })
    };
    let set_option = move |k: usize, f: &(dyn Fn(&mut SkuOption) + Send + Sync)| {
        change(format!("data.products[{i}].options[{k}]"), &|p| {
            let mut opts = p.options.clone();
            if let Some(o) = opts.get_mut(k) {
                f(o);
            }
            p.set_options(opts);
        })
    };
    let add_option = move |_| {
        change(format!("data.products[{i}].options"), &|p| {
            let mut opts = p.options.clone();
            opts.push(SkuOption {
                name: String::new(),
                values: Vec::new(),
            });
            p.set_options(opts);
        });
        ed.seal();
    };
    let too_many = move || {
        let opts = options();
        !opts.is_empty() && Product::combinations(&opts).is_none()
    };
    let missing = move || {
        shape.with(|(options, sold)| {
            !options.is_empty()
                && Product::combinations(options).is_some_and(|c| c.len() > sold.len())
        })
    };
    let rows = move || shape.with(|(_, sold)| sold.iter().cloned().enumerate().collect::<Vec<_>>());
    let option_name = move |k: usize| options().get(k).map(|o| o.name.clone()).unwrap_or_default();
    view! {
        <fieldset class="item-card sku">
            <legend>{t(K::SkuOptions)}</legend>
            <For each=move || 0..options().len() key=|k| *k let:k>
                <div class="sku-option">
                    <TextField label=t(K::OptionName) path=format!("data.products[{i}].options[{k}].name")
                        value=Signal::derive(move || option_name(k))
                        set=move |v: String| set_option(k, &|o| o.name = v.clone())/>
                    <ListField label=t(K::OptionValues) path=format!("data.products[{i}].options[{k}].values")
                        values=Signal::derive(move || options().get(k).map(|o| o.values.clone()).unwrap_or_default())
                        set={move |v: Vec<String>| set_option(k, &|o| o.values = v.clone())}/>
                    <button type="button" class="link-button danger" aria-label=move || format!("{}: {}", t(K::RemoveOption), option_name(k))
                        on:click=move |_| { change(format!("data.products[{i}].options"), &|p| p.remove_option(k)); ed.seal(); }>
                        {t(K::RemoveOption)}</button>
                </div>
            </For>
            <button type="button" class="btn" on:click=add_option>{t(K::AddOption)}</button>
            {move || too_many().then(|| view! { <p class="field-error" role="alert">{t(K::TooManyVariants)}</p> })}
            {move || shape.with(|(_, sold)| !sold.is_empty()).then(|| view! {
                <h4>{t(K::Variants)}</h4>
                <p class="hint">{t(K::VariantsHint)}</p>
                <For each=rows key=Clone::clone let:row>
                    <VariantRow i j=row.0 name=row.1.join(" / ")/>
                </For>
            })}
            {move || missing().then(|| view! {
                <button type="button" class="link-button"
                    on:click=move |_| { change(format!("data.products[{i}].variants"), &Product::restore_variants); ed.seal(); }>
                    {t(K::RestoreVariants)}</button>
            })}
        </fieldset>
    }
    .into_any()
}

#[component]
fn VariantRow(i: usize, j: usize, name: String) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let variant = move || {
        ed.site.with(|s| {
            s.data
                .products
                .get(i)
                .and_then(|p| p.variants.get(j).cloned())
        })
    };
    let set = move |f: &str, g: &(dyn Fn(&mut crate::model::site::Variant) + Send + Sync)| {
        set_data(ed, &format!("data.products[{i}].variants[{j}].{f}"), |d| {
            if let Some(v) = d.products.get_mut(i).and_then(|p| p.variants.get_mut(j)) {
                g(v)
            }
        })
    };
    view! {
        <fieldset class="variant-row">
            <legend>{name.clone()}</legend>
            <PriceField label=t(K::FieldPrice) path=format!("data.products[{i}].variants[{j}].price")
                fen=Signal::derive(move || variant().map(|v| v.price).unwrap_or_default())
                set=move |v: u64| set("price", &|x| x.price = v)/>
            <NumberField label=t(K::FieldStock) path=format!("data.products[{i}].variants[{j}].stock") min=-1 max=999_999
                value=Signal::derive(move || variant().and_then(|v| v.stock).map_or(-1, i64::from))
                set=move |v: i64| set("stock", &|x| x.stock = u32::try_from(v).ok())/>
            <button type="button" class="icon-btn danger" aria-label=format!("{}: {}", t(K::RemoveVariant), name)
                on:click=move |_| {
                    set_data(ed, &format!("data.products[{i}].variants"), |d| {
                        if let Some(p) = d.products.get_mut(i) { if j < p.variants.len() { p.variants.remove(j); } }
                    });
                    ed.seal();
                }>"✕"</button>
        </fieldset>
    }
    .into_any()
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
                        set=move |v: String| set_data(ed, &format!("data.categories[{i}].name"), |d| if let Some(c) = d.categories.get_mut(i) { c.name = v })/>
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
    .into_any()
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
    // A day's problems: its opening or closing time.
    let problem = move |i: usize| ed.problem_under(&format!("data.hours.weekly[{i}]"));
    let set_day = move |i: usize, f: &(dyn Fn(&mut DayHours) + Send + Sync)| {
        set_data(ed, &format!("data.hours.weekly[{i}]"), |d| {
            let h = d.hours.get_or_insert_with(default_hours);
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
                        data-path=format!("data.hours.weekly[{i}].open") aria-invalid=move || problem(i).is_some().to_string()
                        disabled=move || day(i).is_some_and(|d| d.closed)
                        on:change=move |e| { let v = event_target_value(&e); set_day(i, &move |d| d.open = v.clone()); ed.seal(); }/>
                    <span aria-hidden="true">"–"</span>
                    <label for=close_id.clone() class="sr-only">{format!("{} {}", t(k), t(K::Closes))}</label>
                    <input id=close_id type="time" prop:value=move || day(i).map(|d| d.close).unwrap_or_default()
                        data-path=format!("data.hours.weekly[{i}].close") aria-invalid=move || problem(i).is_some().to_string()
                        disabled=move || day(i).is_some_and(|d| d.closed)
                        on:change=move |e| { let v = event_target_value(&e); set_day(i, &move |d| d.close = v.clone()); ed.seal(); }/>
                    {move || problem(i).map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <section class="subpanel" aria-labelledby="hours-title">
            <h3 id="hours-title">{t(K::BlockOpeningHours)}</h3>
            {rows}
            <SpecialDays/>
        </section>
    }
    .into_any()
}

fn default_hours() -> Hours {
    Hours {
        weekly: (0..7)
            .map(|_| DayHours {
                closed: false,
                open: "09:00".into(),
                close: "18:00".into(),
            })
            .collect(),
        exceptions: Vec::new(),
    }
}

/// Days that differ from the week: holidays (closed) or special hours, with a note.
#[component]
fn SpecialDays() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let count = move || {
        ed.site
            .with(|s| s.data.hours.as_ref().map_or(0, |h| h.exceptions.len()))
    };
    let day = move |i: usize| {
        ed.site.with(|s| {
            s.data
                .hours
                .as_ref()
                .and_then(|h| h.exceptions.get(i).cloned())
        })
    };
    let set = move |i: usize, f: &str, g: &(dyn Fn(&mut HoursException) + Send + Sync)| {
        set_data(ed, &format!("data.hours.exceptions[{i}].{f}"), |d| {
            if let Some(x) = d.hours.as_mut().and_then(|h| h.exceptions.get_mut(i)) {
                g(x)
            }
        })
    };
    let add = move |_| {
        set_data(ed, "data.hours.exceptions", |d| {
            let h = d.hours.get_or_insert_with(default_hours);
            h.exceptions.push(HoursException {
                date: String::new(),
                closed: true,
                open: "09:00".into(),
                close: "18:00".into(),
                note: String::new(),
            });
        });
        ed.seal();
    };
    view! {
        <h4>{t(K::SpecialDays)}</h4>
        <For each=move || 0..count() key=|i| *i let:i>
            {
                let date_id = format!("special-{i}-date");
                let open_id = format!("special-{i}-open");
                let close_id = format!("special-{i}-close");
                let label = move || day(i).map(|d| d.date).filter(|d| !d.is_empty()).unwrap_or_else(|| t(K::NewSpecialDay).into());
                view! {
                    <fieldset class="hours-day special-day">
                        <legend>{label}</legend>
                        <label for=date_id.clone()>{t(K::FieldDate)}</label>
                        <input id=date_id type="date" data-path=format!("data.hours.exceptions[{i}].date") prop:value=move || day(i).map(|d| d.date).unwrap_or_default()
                            aria-invalid=move || ed.problem(&format!("data.hours.exceptions[{i}].date")).is_some().to_string()
                            on:change=move |e| { let v = event_target_value(&e); set(i, "date", &move |d| d.date = v.clone()); ed.seal(); }/>
                        {move || ed.problem(&format!("data.hours.exceptions[{i}].date")).map(|m| view! { <p class="field-error">{m}</p> })}
                        <label class="check"><input type="checkbox" prop:checked=move || day(i).is_some_and(|d| d.closed)
                            on:change=move |e| { let v = event_target_checked(&e); set(i, "closed", &move |d| d.closed = v); ed.seal(); }/>
                            {t(K::Closed)}</label>
                        <label for=open_id.clone() class="sr-only">{move || format!("{} {}", label(), t(K::Opens))}</label>
                        <input id=open_id type="time" prop:value=move || day(i).map(|d| d.open).unwrap_or_default()
                            data-path=format!("data.hours.exceptions[{i}].open")
                            disabled=move || day(i).is_some_and(|d| d.closed)
                            on:change=move |e| { let v = event_target_value(&e); set(i, "open", &move |d| d.open = v.clone()); ed.seal(); }/>
                        <span aria-hidden="true">"–"</span>
                        <label for=close_id.clone() class="sr-only">{move || format!("{} {}", label(), t(K::Closes))}</label>
                        <input id=close_id type="time" prop:value=move || day(i).map(|d| d.close).unwrap_or_default()
                            data-path=format!("data.hours.exceptions[{i}].close")
                            disabled=move || day(i).is_some_and(|d| d.closed)
                            on:change=move |e| { let v = event_target_value(&e); set(i, "close", &move |d| d.close = v.clone()); ed.seal(); }/>
                        {move || {
                            let at = |f: &str| ed.problem(&format!("data.hours.exceptions[{i}].{f}"));
                            at("open").or_else(|| at("close")).map(|m| view! { <p class="field-error">{m}</p> })
                        }}
                        <TextField label=t(K::FieldNote) path=format!("data.hours.exceptions[{i}].note")
                            value=Signal::derive(move || day(i).map(|d| d.note).unwrap_or_default())
                            set=move |v: String| set(i, "note", &|d| d.note = v.clone())/>
                        <button type="button" class="link-button danger"
                            aria-label=move || format!("{}: {}", t(K::Delete), label())
                            on:click=move |_| {
                                set_data(ed, "data.hours.exceptions", |d| {
                                    if let Some(h) = d.hours.as_mut() { if i < h.exceptions.len() { h.exceptions.remove(i); } }
                                });
                                ed.seal();
                            }>{t(K::Delete)}</button>
                    </fieldset>
                }
            }
        </For>
        <button type="button" class="btn" on:click=add>{t(K::AddSpecialDay)}</button>
    }
    .into_any()
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
                <input id=id type="text" inputmode="decimal" data-path=format!("data.location.{f}") prop:value=move || loc().map(|l| get(&l).to_string()).unwrap_or_default()
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
                set=move |v: String| set("name", &|l| l.name = v.clone())/>
            <TextField label=t(K::Address) path="data.location.address"
                value=Signal::derive(move || loc().map(|l| l.address).unwrap_or_default())
                set=move |v: String| set("address", &|l| l.address = v.clone())/>
            {coord("latitude", t(K::Latitude), |l| l.latitude, |l, v| l.latitude = v)}
            {coord("longitude", t(K::Longitude), |l| l.longitude, |l, v| l.longitude = v)}
            <p class="hint">{t(K::CoordinateHint)}</p>
        </section>
    }
    .into_any()
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
                set=move |v: String| set_data(ed, "data.contact.phone", |d| d.contact.phone = v)/>
            <TextField label=t(K::WechatId) path="data.contact.wechat"
                value=data(ed, |d| Some(d.contact.wechat.clone()))
                set=move |v: String| set_data(ed, "data.contact.wechat", |d| d.contact.wechat = v)/>
            <TextField label=t(K::Email) path="data.contact.email"
                value=data(ed, |d| Some(d.contact.email.clone()))
                set=move |v: String| set_data(ed, "data.contact.email", |d| d.contact.email = v)/>
        </section>
    }
    .into_any()
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
                    set=move |v: String| set_data(ed, &format!("data.gallery[{i}]"), |d| {
                        if v.is_empty() { if i < d.gallery.len() { d.gallery.remove(i); } }
                        else if let Some(g) = d.gallery.get_mut(i) { *g = v }
                    })/>
            </For>
            <ImageField label=t(K::AddPicture) path="data.gallery"
                value=Signal::derive(String::new)
                set=move |v: String| if !v.is_empty() { set_data(ed, "data.gallery", |d| d.gallery.push(v)); ed.seal(); }/>
        </section>
    }
    .into_any()
}

/// The people who give the services; a service lists who offers it.
#[component]
pub fn StaffEditor() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let t = move |k| ed.t(k);
    let count = move || ed.site.with(|s| s.data.staff.len());
    let person = move |i: usize| ed.site.with(|s| s.data.staff.get(i).cloned());
    let set = move |i: usize, f: &str, g: &(dyn Fn(&mut Staff) + Send + Sync)| {
        set_data(ed, &format!("data.staff[{i}].{f}"), |d| {
            if let Some(p) = d.staff.get_mut(i) {
                g(p)
            }
        })
    };
    let add = move |_| {
        let name = t(K::NewStaff).to_string();
        set_data(ed, "data.staff", |d| {
            let id = fresh_id("staff", "staff", |id| d.staff.iter().any(|p| p.id == id));
            d.staff.push(Staff {
                id,
                name,
                title: String::new(),
                photo: None,
            });
        });
        ed.seal();
    };
    view! {
        <section class="subpanel" aria-labelledby="staff-title">
            <h3 id="staff-title">{t(K::Staff)}</h3>
            <For each=move || 0..count() key=|i| *i let:i>
                <fieldset class="item-card">
                    <legend>{move || person(i).map(|p| p.name).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| t(K::Unnamed).into())}</legend>
                    <TextField label=t(K::FieldName) path=format!("data.staff[{i}].name")
                        value=Signal::derive(move || person(i).map(|p| p.name).unwrap_or_default())
                        set=move |v: String| set(i, "name", &|p| p.name = v.clone())/>
                    <TextField label=t(K::FieldJobTitle) path=format!("data.staff[{i}].title")
                        value=Signal::derive(move || person(i).map(|p| p.title).unwrap_or_default())
                        set=move |v: String| set(i, "title", &|p| p.title = v.clone())/>
                    <ImageField label=t(K::FieldPhoto) path=format!("data.staff[{i}].photo")
                        value=Signal::derive(move || person(i).and_then(|p| p.photo).unwrap_or_default())
                        set=move |v: String| set(i, "photo", &|p| p.photo = (!v.is_empty()).then(|| v.clone()))/>
                    <button type="button" class="link-button danger"
                        aria-label=move || format!("{}: {}", t(K::Delete), person(i).map(|p| p.name).unwrap_or_default())
                        on:click=move |_| {
                            set_data(ed, "data.staff", |d| {
                                if i < d.staff.len() {
                                    let id = d.staff.remove(i).id;
                                    for s in &mut d.services { s.staff.retain(|w| *w != id); }
                                }
                            });
                            ed.seal();
                        }>{t(K::Delete)}</button>
                </fieldset>
            </For>
            <button type="button" class="btn" on:click=add>{t(K::AddStaff)}</button>
        </section>
    }
    .into_any()
}

/// Adds a service, with the duration and price of the last one as a start.
pub fn add_service(ed: Ed) {
    let name = ed.t(K::NewService).to_string();
    set_data(ed, "data.services", |d| {
        let id = fresh_id("service", "service", |id| {
            d.services.iter().any(|s| s.id == id)
        });
        let (duration_min, price) = d
            .services
            .last()
            .map_or((60, 0), |s| (s.duration_min, s.price));
        d.services.push(Service {
            id,
            name,
            description: String::new(),
            duration_min,
            price,
            image: None,
            staff: Vec::new(),
        });
    });
    ed.seal();
}

/// Deletes service `i` in one undo step; booking buttons that named it fall back to letting
/// the customer choose.
pub fn remove_service(ed: Ed, i: usize) {
    let edits = ed.site.with_untracked(|site| {
        let id = site.data.services.get(i)?.id.clone();
        let mut edits = Vec::new();
        for (page, p) in site.pages.iter().enumerate() {
            for (index, block) in p.blocks.iter().enumerate() {
                if let BlockKind::BookingButton { label, service } = &block.kind {
                    if service.as_deref() == Some(id.as_str()) {
                        let mut block = block.clone();
                        block.kind = BlockKind::BookingButton {
                            label: label.clone(),
                            service: None,
                        };
                        edits.push(Edit::Set(Part::Block { page, index, block }));
                    }
                }
            }
        }
        let mut data = site.data.clone();
        data.services.remove(i);
        edits.push(Edit::Set(Part::Data(Box::new(data))));
        Some(edits)
    });
    if let Some(edits) = edits {
        ed.edit(Edit::Batch(edits), None);
        ed.seal();
    }
}
