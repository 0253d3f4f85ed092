//! One labelled input of a plain form, tied to the form's [`FormOutcome`]: a refusal about
//! this field is said under it (`role=alert`), the input is marked invalid, focused and
//! described by the message, and what was typed comes back (never a password).
use crate::components::outcome::{refused_field, refused_value, use_outcome};
use crate::i18n::{Lang, Text};
use leptos::prelude::*;

#[component]
pub fn FormField(
    /// The input's id; the hint and the error take it with `-hint` and `-err`.
    id: &'static str,
    /// The form field's name, as the server reads it and names it in a refusal.
    name: &'static str,
    label: &'static str,
    lang: Lang,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] minlength: Option<u32>,
    #[prop(optional)] maxlength: Option<u32>,
    /// For logins and codes: no capitals or spelling fixes added by the keyboard.
    #[prop(optional)]
    verbatim: bool,
) -> impl IntoView {
    let outcome = use_outcome();
    let error = refused_field(&outcome, name);
    let invalid = error.is_some();
    let value = (kind != "password").then(|| refused_value(&outcome, name));
    let hint_id = format!("{id}-hint");
    let err_id = format!("{id}-err");
    let described: Vec<&str> = hint
        .map(|_| hint_id.as_str())
        .into_iter()
        .chain(invalid.then_some(err_id.as_str()))
        .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=name type=kind value=value required=required
                minlength=minlength maxlength=maxlength autocomplete=autocomplete
                autocapitalize=verbatim.then_some("none") spellcheck=verbatim.then_some("false")
                aria-invalid=invalid.then_some("true") autofocus=invalid
                aria-describedby=described/>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            {error.map(|e| view! { <p class="field-error" id=err_id.clone() role="alert">{e.message(lang)}</p> })}
        </div>
    }
}

/// A one-time secret (a generated password): shown once in a read-only field, with a "Copy"
/// button that `/copy.js` turns on (without JavaScript the field is selected by hand).
#[component]
pub fn SecretField(
    id: &'static str,
    label: &'static str,
    value: String,
    lang: Lang,
) -> impl IntoView {
    view! {
        <div class="field secret-field">
            <label for=id>{label}</label>
            <span class="secret-row">
                <input id=id class="secret" type="text" readonly value=value autocomplete="off" spellcheck="false"/>
                <button type="button" class="btn copy-btn" hidden data-copy=id
                    data-copied=lang.t(Text::Copied)>{lang.t(Text::Copy)}</button>
            </span>
            <script src="/copy.js" defer></script>
        </div>
    }
}
