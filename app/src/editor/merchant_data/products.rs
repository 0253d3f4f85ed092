//! Products (name, price, pictures, stock) with their options and the price and stock of each
//! combination sold, and the categories that group them.
use super::super::fields::{ImageField, NumberField, PriceField, SelectField, TextField};
use super::super::state::EditorState;
use super::{data, fresh_id, set_data};
use crate::i18n::Text;
use crate::model::product::ShownPrice;
use crate::model::site::{format_yuan, Category, Product, SkuOption};
use crate::model::typed::parse_yuan;
use leptos::prelude::*;

#[component]
pub fn ProductsEditor() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let open = RwSignal::new(None::<usize>);
    // A problem in a product (see `EditorState::reveal_problem`) opens that product's form.
    Effect::new(move |_| {
        let at = ed
            .reveal
            .with(|r| crate::model::blocks::index_after(r.as_deref()?, "data.products["));
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
            .unwrap_or_else(|| t(Text::Unnamed).into())
    };
    let add = move |_| {
        let name = t(Text::NewProduct).to_string();
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
            <h3 id="products-title">{t(Text::Products)}</h3>
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
            <button type="button" class="btn" on:click=add>{t(Text::AddProduct)}</button>
        </section>
    }
    .into_any()
}

#[component]
fn ProductForm(i: usize) -> impl IntoView {
    let ed = expect_context::<EditorState>();
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
        let mut v = vec![(String::new(), t(Text::NoCategory).to_string())];
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
    let has_choices = Memo::new(move |_| {
        ed.site.with(|s| {
            s.data
                .products
                .get(i)
                .is_some_and(|p| !p.variants.is_empty())
        })
    });
    // The price on the product's card, as the customer reads it.
    let seen = move || {
        ed.site
            .with(|s| match s.data.products.get(i).map(Product::shown_price) {
                Some(ShownPrice::From(fen)) => ed.lang.fill(
                    Text::PriceFrom,
                    &[("price", format!("¥{}", format_yuan(fen)))],
                ),
                Some(ShownPrice::Exactly(fen)) => format!("¥{}", format_yuan(fen)),
                None => String::new(),
            })
    };
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
            <TextField label=t(Text::FieldName) path=path("name")
                value=Signal::derive(move || p().map(|p| p.name).unwrap_or_default())
                set=move |v: String| set("name", &|p| p.name = v.clone())/>
            // With options, each choice has its price (below) and the card shows the lowest
            // as "from"; the product's own price field would do nothing, so it is not shown.
            {move || if has_choices.get() {
                view! { <ChoicesPrice i seen=Signal::derive(seen)/> }.into_any()
            } else {
                view! {
                    <PriceField label=t(Text::FieldPrice) path=path("price")
                        hint=Signal::derive(move || ed.lang.fill(Text::CustomersSee, &[("price", seen())]))
                        fen=Signal::derive(move || p().map(|p| p.price).unwrap_or_default())
                        set=move |v: u64| set("price", &|p| p.price = v)/>
                }.into_any()
            }}
            <PriceField label=t(Text::FieldCompareAt) path=path("compare_at")
                fen=Signal::derive(move || p().and_then(|p| p.compare_at).unwrap_or_default())
                set=move |v: u64| set("compare_at", &|p| p.compare_at = (v > 0).then_some(v))/>
            <NumberField label=t(Text::FieldStock) path=path("stock") min=-1 max=999_999 blank=-1 hint=t(Text::StockHint)
                value=Signal::derive(move || p().and_then(|p| p.stock).map_or(-1, i64::from))
                set=move |v: i64| set("stock", &|p| p.stock = u32::try_from(v).ok())/>
            <SelectField label=t(Text::FieldCategory) path=path("category") options=categories
                value=Signal::derive(move || p().and_then(|p| p.category).unwrap_or_default())
                set=move |v: String| set("category", &|p| p.category = (!v.is_empty()).then(|| v.clone()))/>
            <TextField label=t(Text::FieldDescription) path=path("description") long=true
                value=Signal::derive(move || p().map(|p| p.description).unwrap_or_default())
                set=move |v: String| set("description", &|p| p.description = v.clone())/>
            <ImageField label=t(Text::FieldImage) path=path("images[0]")
                value=Signal::derive(move || p().and_then(|p| p.images.first().cloned()).unwrap_or_default())
                set=move |v: String| set("images", &|p| {
                    if v.is_empty() { if !p.images.is_empty() { p.images.remove(0); } }
                    else if p.images.is_empty() { p.images.push(v.clone()) } else { p.images[0] = v.clone() }
                })/>
            <SkuEditor i/>
            <button type="button" class="link-button danger" on:click=remove>{t(Text::DeleteProduct)}</button>
        </div>
    }
    .into_any()
}

/// The price of a product with options: what the customer sees on its card, and one price
/// to give every choice at once.
#[component]
fn ChoicesPrice(i: usize, seen: Signal<String>) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let typed = RwSignal::new(String::new());
    let wrong = RwSignal::new(false);
    let id = format!("price-all-{i}");
    let apply = move || match parse_yuan(&typed.get_untracked()) {
        Some(fen) => {
            wrong.set(false);
            set_data(ed, &format!("data.products[{i}].variants"), |d| {
                if let Some(p) = d.products.get_mut(i) {
                    p.price_all(fen)
                }
            });
            ed.seal();
            typed.set(String::new());
        }
        None => wrong.set(true),
    };
    view! {
        <div class="field price-seen">
            <p class="seen-price" role="status">{t(Text::CustomersSeeLabel)}" "<strong>{move || seen.get()}</strong></p>
            <p class="hint">{t(Text::ChoicesPriceHint)}</p>
            <label for=id.clone()>{t(Text::PriceAllChoices)}</label>
            <form class="inline-form" on:submit=move |e| { e.prevent_default(); apply(); }>
                <span class="input-prefix">
                    <span aria-hidden="true">"¥"</span>
                    <input id=id type="text" inputmode="decimal" prop:value=move || typed.get()
                        aria-invalid=move || wrong.get().to_string()
                        on:input=move |e| { typed.set(event_target_value(&e)); wrong.set(false); }/>
                </span>
                <button type="submit" class="btn">{t(Text::ApplyToAll)}</button>
            </form>
            {move || wrong.get().then(|| view! { <p class="field-error" role="alert">{t(Text::ErrPriceFormat)}</p> })}
        </div>
    }
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
    let ed = expect_context::<EditorState>();
    let id = super::super::fields::field_id(&path);
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
    let ed = expect_context::<EditorState>();
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
            <legend>{t(Text::SkuOptions)}</legend>
            <For each=move || 0..options().len() key=|k| *k let:k>
                <div class="sku-option">
                    <TextField label=t(Text::OptionName) path=format!("data.products[{i}].options[{k}].name")
                        value=Signal::derive(move || option_name(k))
                        set=move |v: String| set_option(k, &|o| o.name = v.clone())/>
                    <ListField label=t(Text::OptionValues) path=format!("data.products[{i}].options[{k}].values")
                        values=Signal::derive(move || options().get(k).map(|o| o.values.clone()).unwrap_or_default())
                        set={move |v: Vec<String>| set_option(k, &|o| o.values = v.clone())}/>
                    <button type="button" class="link-button danger" aria-label=move || format!("{}: {}", t(Text::RemoveOption), option_name(k))
                        on:click=move |_| { change(format!("data.products[{i}].options"), &|p| p.remove_option(k)); ed.seal(); }>
                        {t(Text::RemoveOption)}</button>
                </div>
            </For>
            <button type="button" class="btn" on:click=add_option>{t(Text::AddOption)}</button>
            {move || too_many().then(|| view! { <p class="field-error" role="alert">{t(Text::TooManyVariants)}</p> })}
            {move || shape.with(|(_, sold)| !sold.is_empty()).then(|| view! {
                <h4>{t(Text::Variants)}</h4>
                <p class="hint">{t(Text::VariantsHint)}</p>
                <For each=rows key=Clone::clone let:row>
                    <VariantRow i j=row.0 name=row.1.join(" / ")/>
                </For>
            })}
            {move || missing().then(|| view! {
                <button type="button" class="link-button"
                    on:click=move |_| { change(format!("data.products[{i}].variants"), &Product::restore_variants); ed.seal(); }>
                    {t(Text::RestoreVariants)}</button>
            })}
        </fieldset>
    }
    .into_any()
}

#[component]
fn VariantRow(i: usize, j: usize, name: String) -> impl IntoView {
    let ed = expect_context::<EditorState>();
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
            <PriceField label=t(Text::FieldPrice) path=format!("data.products[{i}].variants[{j}].price")
                fen=Signal::derive(move || variant().map(|v| v.price).unwrap_or_default())
                set=move |v: u64| set("price", &|x| x.price = v)/>
            <NumberField label=t(Text::FieldStock) path=format!("data.products[{i}].variants[{j}].stock") min=-1 max=999_999 blank=-1
                value=Signal::derive(move || variant().and_then(|v| v.stock).map_or(-1, i64::from))
                set=move |v: i64| set("stock", &|x| x.stock = u32::try_from(v).ok())/>
            <button type="button" class="icon-btn danger" aria-label=format!("{}: {}", t(Text::RemoveVariant), name)
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
    let ed = expect_context::<EditorState>();
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
                name: t(Text::NewCategory).into(),
            });
        });
        ed.seal();
    };
    view! {
        <section class="subpanel" aria-labelledby="categories-title">
            <h3 id="categories-title">{t(Text::Categories)}</h3>
            <For each=move || 0..count() key=|i| *i let:i>
                <div class="row-field">
                    <TextField label=t(Text::FieldName) path=format!("data.categories[{i}].name") value=name(i)
                        set=move |v: String| set_data(ed, &format!("data.categories[{i}].name"), |d| if let Some(c) = d.categories.get_mut(i) { c.name = v })/>
                    <button type="button" class="icon-btn danger" aria-label=move || format!("{}: {}", t(Text::Delete), name(i).get())
                        on:click=move |_| { set_data(ed, "data.categories", |d| {
                            if i < d.categories.len() {
                                let id = d.categories.remove(i).id;
                                for p in &mut d.products { if p.category.as_deref() == Some(id.as_str()) { p.category = None } }
                            }
                        }); ed.seal(); }>"✕"</button>
                </div>
            </For>
            <button type="button" class="btn" on:click=add>{t(Text::AddCategory)}</button>
        </section>
    }
    .into_any()
}
