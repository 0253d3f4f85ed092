//! The typed fields every panel is built from: text, price, number, colour (with a contrast
//! warning), image (with upload) and select. Each shows the validation problem at its path
//! under it and carries `data-path`, so a problem link can find and focus it.
#[cfg(feature = "hydrate")]
use super::net;
use super::state::EditorState;
use crate::i18n::Text;
use crate::model::color::contrast;
use crate::model::site::format_yuan;
use crate::model::typed::{parse_color, parse_time, parse_whole, parse_yuan};
use leptos::prelude::*;

/// The validation message for `path` (or, `nested`, for anything inside it: one textarea for
/// all paragraphs), shown under its field.
#[component]
pub(super) fn FieldProblem(
    #[prop(into)] path: Signal<String>,
    id: String,
    #[prop(optional)] nested: bool,
) -> impl IntoView {
    let ed = expect_context::<EditorState>();
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
    let ed = expect_context::<EditorState>();
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
    // Every keystroke: into the model, and straight into the phone (see `EditorState::show_typed`).
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

/// How a typed text becomes the value the site stores: `Ok` with that value's text as the
/// field shows it, or `Err` with why not, in the merchant's language.
pub(super) type Reader = Callback<String, Result<String, String>>;

/// One rule for everything a merchant types into a field that has a format (prices, numbers,
/// colours, times): `read` says what the text means. Until it means something, the text stays
/// in the field with the reason under it, the site (and the phone) keep the last good value,
/// and the save status counts the problem with a link to this field. A value changed from
/// elsewhere (undo, the colour picker) replaces the text; when what `read` depends on changes
/// (the opening time for a closing time), text that was refused is read again.
#[component]
pub(super) fn TypedInput(
    id: String,
    #[prop(into)] path: Signal<String>,
    /// The stored value, as the field shows it.
    #[prop(into)]
    value: Signal<String>,
    read: Reader,
    #[prop(into)] set: Callback<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional)] inputmode: &'static str,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] described_by: Option<String>,
) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    // What was typed here before (the panel was closed meanwhile) comes back with its reason.
    let before = ed.typed_at(&path.get_untracked());
    let text = RwSignal::new(
        before
            .as_ref()
            .map_or_else(|| value.get_untracked(), |(t, _)| t.clone()),
    );
    let refused = RwSignal::new(before.map(|(_, why)| why));
    let record = move |typed: &str, why: Option<String>| {
        ed.typed_problem(
            &path.get_untracked(),
            why.clone().map(|w| (typed.to_string(), w)),
        );
        refused.set(why);
    };
    let apply = move |typed: &str| match read.run(typed.to_string()) {
        Ok(v) => {
            record(typed, None);
            if v != value.get_untracked() {
                set.run(v);
            }
        }
        Err(why) => record(typed, Some(why)),
    };
    Effect::new(move |_| {
        let v = value.get();
        let typed = text.get_untracked();
        // Read in this effect, so a change to what the reader depends on reads again.
        match read.run(typed.clone()) {
            Ok(now) if now == v => record(&typed, None),
            Ok(_) if refused.get_untracked().is_some() => apply(&typed),
            Err(why) if refused.get_untracked().is_some() => record(&typed, Some(why)),
            _ => {
                record(&typed, None);
                text.set(v);
            }
        }
    });
    let err_id = format!("{id}-typed-err");
    let described = {
        let err_id = err_id.clone();
        move || {
            let mut ids: Vec<String> = described_by.iter().cloned().collect();
            if refused.with(Option::is_some) {
                ids.push(err_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <input id=id type="text" inputmode=(!inputmode.is_empty()).then_some(inputmode)
            placeholder=(!placeholder.is_empty()).then_some(placeholder)
            data-path=path prop:value=move || text.get() disabled=move || disabled.get()
            aria-invalid=move || (refused.with(Option::is_some) || ed.problem(&path.get()).is_some()).to_string()
            aria-describedby=described
            on:input=move |e| { let typed = event_target_value(&e); text.set(typed.clone()); apply(&typed); }
            on:blur=move |_| {
                // What was read is shown as stored (`9:00` becomes `09:00`).
                if refused.with_untracked(Option::is_none) { text.set(value.get_untracked()); }
                ed.seal();
            }/>
        {move || refused.get().map(|why| view! { <p class="field-error" id=err_id.clone()>{why}</p> })}
    }
}

/// A price in yuan (`12`, `12.50`, `¥1,280`, full-width digits), stored as fen.
#[component]
pub(super) fn PriceField(
    label: &'static str,
    #[prop(into)] fen: Signal<u64>,
    #[prop(into)] set: Callback<u64>,
    #[prop(into)] path: Signal<String>,
    #[prop(optional)] hint: Option<Signal<String>>,
) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let id = field_id(&path.get_untracked());
    let hint_id = format!("{id}-hint");
    let read = Callback::new(move |t: String| {
        parse_yuan(&t)
            .map(format_yuan)
            .ok_or_else(|| ed.t(Text::ErrPriceFormat).to_string())
    });
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <span class="input-prefix">
                <span aria-hidden="true">"¥"</span>
                <TypedInput id=id.clone() path value=Signal::derive(move || format_yuan(fen.get())) read
                    inputmode="decimal" described_by=hint_id.clone()
                    set=move |v: String| if let Some(f) = parse_yuan(&v) { set.run(f) }/>
            </span>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <FieldProblem path id=format!("{id}-err")/>
        </div>
    }
}

/// A whole number from `min` to `max`. With `blank`, an empty field means that value (stock
/// not tracked) and shows empty.
#[component]
pub(super) fn NumberField(
    label: &'static str,
    #[prop(into)] value: Signal<i64>,
    #[prop(into)] set: Callback<i64>,
    #[prop(into)] path: Signal<String>,
    min: i64,
    max: i64,
    #[prop(optional)] blank: Option<i64>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let id = field_id(&path.get_untracked());
    let hint_id = format!("{id}-hint");
    let shown = move |v: i64| {
        if Some(v) == blank {
            String::new()
        } else {
            v.to_string()
        }
    };
    let read = Callback::new(move |t: String| {
        if t.trim().is_empty() {
            if let Some(b) = blank {
                return Ok(shown(b));
            }
        }
        match parse_whole(&t) {
            Some(v) if (min..=max).contains(&v) => Ok(shown(v)),
            _ => Err(ed.lang.fill(
                Text::ErrWholeNumber,
                &[("min", min.max(0).to_string()), ("max", max.to_string())],
            )),
        }
    });
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <TypedInput id=id.clone() path value=Signal::derive(move || shown(value.get())) read inputmode="numeric"
                described_by=hint_id.clone()
                set=move |v: String| set.run(if v.is_empty() { blank.unwrap_or(min) } else { parse_whole(&v).unwrap_or(min) })/>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <FieldProblem path id=format!("{id}-err")/>
        </div>
    }
}

/// A time of day on the 24-hour clock (`09:00`), read as merchants type it (`9`, `930`,
/// `９：３０`); `after` refuses a time not later than it (a closing time).
#[component]
pub(super) fn TimeInput(
    id: String,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] set: Callback<String>,
    #[prop(into)] path: Signal<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional)] after: Option<Signal<String>>,
    #[prop(optional)] before: Option<Signal<String>>,
) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let read = Callback::new(move |t: String| {
        let Some(time) = parse_time(&t) else {
            return Err(ed
                .lang
                .fill(Text::VTime, &[("value", t.trim().to_string())]));
        };
        // `HH:MM` strings order like the times they are.
        let wrong = after.is_some_and(|a| parse_time(&a.get()).is_some_and(|a| time <= a))
            || before.is_some_and(|b| parse_time(&b.get()).is_some_and(|b| time >= b));
        if wrong {
            return Err(ed.t(Text::VCloseAfterOpen).to_string());
        }
        Ok(time)
    });
    view! {
        <TypedInput id path value read set disabled inputmode="numeric" placeholder="09:00"/>
    }
}

#[component]
pub(super) fn ColorField(
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] set: Callback<String>,
    #[prop(into)] path: Signal<String>,
    /// Warn when text in this colour on `against` (or the reverse) is hard to read.
    #[prop(into)]
    against: Signal<String>,
) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let id = field_id(&path.get_untracked());
    let low = move || contrast(&value.get(), &against.get()).is_some_and(|c| c < 3.0);
    let read = Callback::new(move |t: String| {
        parse_color(&t).ok_or_else(|| {
            ed.lang
                .fill(Text::VColor, &[("value", t.trim().to_string())])
        })
    });
    let err_id = format!("{id}-err");
    view! {
        <div class="field color-field">
            <label for=id.clone()>{label}</label>
            <span class="color-inputs">
                <input type="color" prop:value=move || value.get() aria-label=format!("{label} ({})", ed.t(Text::ColorPicker))
                    on:input=move |e| set.run(event_target_value(&e)) on:change=move |_| ed.seal()/>
                <TypedInput id=id.clone() path value read set/>
            </span>
            {move || low().then(|| view! { <p class="field-warning">{ed.t(Text::LowContrast)}</p> })}
            <FieldProblem path id=err_id/>
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
    let ed = expect_context::<EditorState>();
    let id = field_id(&path.get_untracked());
    let progress = RwSignal::new(None::<u32>);
    let error = RwSignal::new(None::<String>);
    let preview_url = move || {
        let v = value.get();
        if v.starts_with("art/") {
            // A starter's drawn picture (see `server/src/starter_art.rs`).
            return Some(format!("/templates/{v}"));
        }
        v.strip_prefix("media/")
            .map(|h| format!("/api/sites/{}/media/{h}", ed.site_id.get_value()))
    };
    #[cfg(feature = "hydrate")]
    let upload = {
        move |file: web_sys::File| {
            // The server's bound for uploads (`server/src/http/limits.rs`).
            const LIMIT: f64 = 20.0 * 1024.0 * 1024.0;
            if file.size() > LIMIT {
                error.set(Some(ed.t(Text::ErrImageTooLarge).into()));
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
                        error.set(Some(ed.t(Text::ErrImageTooLarge).into()))
                    }
                    Err(net::NetError::Refused(m) | net::NetError::Conflict(m)) => {
                        error.set(Some(m))
                    }
                    Err(net::NetError::Offline) => error.set(Some(ed.t(Text::ErrNetwork).into())),
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
                    <p class="hint">{ed.t(Text::ImageHint)}</p>
                    {move || (!value.get().is_empty()).then(|| {
                        view! { <button type="button" class="link-button" on:click=move |_| set.run(String::new())>{ed.t(Text::RemoveImage)}</button> }
                    })}
                </div>
            </div>
            {move || progress.get().map(|p| view! {
                <progress max="100" value=p aria-label=ed.t(Text::Uploading)>{p}"%"</progress>
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
