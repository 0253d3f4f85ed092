//! The typed fields every panel is built from: text, price, number, colour (with a contrast
//! warning), image (with upload) and select. Each shows the validation problem at its path
//! under it and carries `data-path`, so a problem link can find and focus it.
#[cfg(feature = "hydrate")]
use super::net;
use super::state::EditorState;
use crate::i18n::Text;
use crate::model::color::{contrast, normalize_hex};
use crate::model::site::format_yuan;
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
    let ed = expect_context::<EditorState>();
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
            {move || local_err.get().then(|| view! { <p class="field-error" id=err_id.clone()>{ed.t(Text::ErrPriceFormat)}</p> })}
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
    let ed = expect_context::<EditorState>();
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
    // What is typed is kept here; only a colour reaches the site (and the phone). Until then
    // the field says what is wrong, and the site keeps its last colour.
    let text = RwSignal::new(value.get_untracked());
    let typed_wrong = RwSignal::new(false);
    Effect::new(move |_| {
        let v = value.get();
        if normalize_hex(&text.get_untracked()).as_deref() != Some(v.as_str()) {
            text.set(v);
            typed_wrong.set(false);
        }
    });
    let typed = move |t: String| {
        match normalize_hex(&t) {
            Some(color) => {
                typed_wrong.set(false);
                set.run(color);
            }
            None => typed_wrong.set(true),
        }
        text.set(t);
    };
    let err_id = format!("{id}-err");
    let typed_err_id = format!("{id}-typed-err");
    view! {
        <div class="field color-field">
            <label for=id.clone()>{label}</label>
            <span class="color-inputs">
                <input type="color" prop:value=move || value.get() aria-label=format!("{label} ({})", ed.t(Text::ColorPicker))
                    on:input=move |e| set.run(event_target_value(&e)) on:change=move |_| ed.seal()/>
                <input id=id.clone() type="text" maxlength="9" data-path=path prop:value=move || text.get()
                    aria-invalid=move || typed_wrong.get().then_some("true")
                    aria-describedby=move || typed_wrong.get().then(|| typed_err_id.clone())
                    on:input=move |e| typed(event_target_value(&e)) on:blur=move |_| ed.seal()/>
            </span>
            {move || low().then(|| view! { <p class="field-warning">{ed.t(Text::LowContrast)}</p> })}
            {move || typed_wrong.get().then(|| view! {
                <p class="field-error" id=format!("{id}-typed-err")>{ed.lang.fill(Text::VColor, &[("value", text.get())])}</p>
            })}
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
