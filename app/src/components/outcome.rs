//! What a plain form post did, for the page it was posted to.
//!
//! Screens without an island post their forms to their own URL. The server runs the action and
//! renders the same page with a [`FormOutcome`] in context: a refusal keeps what was typed and
//! names the field at fault, a success shows its result (a generated password, shown once).
//! Nothing here needs JavaScript.
use crate::error::AppError;
use crate::model::MerchantCreated;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub enum FormOutcome {
    MerchantCreated(MerchantCreated),
    /// The password was changed; the user's other sessions ended.
    PasswordChanged,
    /// An agency gave a merchant a new password, shown this once with where to sign in.
    PasswordReset {
        login: String,
        password: String,
        login_url: String,
    },
    /// An invitation link was made: shown this once.
    InviteCreated {
        url: String,
        role: crate::model::Role,
    },
    /// A merchant import was checked without creating anything: every row and its problems,
    /// and the text, to import it as it is.
    ImportChecked {
        rows: Vec<crate::model::ImportRowView>,
        text: String,
    },
    /// Merchants were imported: how many, and where their one-time passwords download (once).
    Imported {
        rows: Vec<crate::model::ImportRowView>,
        download: String,
    },
    /// A scripting-API token was made: shown this once.
    TokenCreated {
        name: String,
        token: String,
    },
    /// The action was refused: why, and the submitted fields to show again (never a password).
    Refused {
        error: AppError,
        values: Vec<(String, String)>,
    },
}

impl FormOutcome {
    /// A refusal, keeping the submitted values except passwords and the anti-CSRF token.
    pub fn refused(error: AppError, values: &[(String, String)]) -> Self {
        let values = values
            .iter()
            .filter(|(k, _)| !k.contains("password") && k != "csrf_token")
            .cloned()
            .collect();
        FormOutcome::Refused { error, values }
    }
}

/// The outcome of the form posted to this page, if one was.
pub fn use_outcome() -> Option<FormOutcome> {
    use_context::<FormOutcome>()
}

/// What to put back into the field `name`: the refused submission's value, or empty.
pub fn refused_value(outcome: &Option<FormOutcome>, name: &str) -> String {
    match outcome {
        Some(FormOutcome::Refused { values, .. }) => values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The refusal, when it is about the field `name` (to show under it and mark it invalid).
pub fn refused_field(outcome: &Option<FormOutcome>, name: &str) -> Option<AppError> {
    match outcome {
        Some(FormOutcome::Refused { error, .. }) if error.field() == Some(name) => {
            Some(error.clone())
        }
        _ => None,
    }
}

/// The refusal, when it is about none of `fields` (to show above the form).
pub fn general_refusal(outcome: &Option<FormOutcome>, fields: &[&str]) -> Option<AppError> {
    match outcome {
        Some(FormOutcome::Refused { error, .. })
            if !error.field().is_some_and(|f| fields.contains(&f)) =>
        {
            Some(error.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_what_was_typed_but_no_secret() {
        let values = [
            ("csrf_token".to_string(), "t".to_string()),
            ("name".to_string(), "Ruby Cafe".to_string()),
            ("password".to_string(), "hunter22222".to_string()),
        ];
        let o = Some(FormOutcome::refused(
            AppError::conflict("login", "taken"),
            &values,
        ));
        assert_eq!(refused_value(&o, "name"), "Ruby Cafe");
        assert_eq!(refused_value(&o, "password"), "");
        assert_eq!(refused_value(&o, "csrf_token"), "");
        assert!(refused_field(&o, "login").is_some());
        assert!(refused_field(&o, "name").is_none());
    }
}

/// What the last plain-form action did, said once after its redirect: the page's
/// `?done=ACTION&{param}=NAME` looked up in `said` (action → message with `{name}`).
#[component]
pub fn DoneNotice(
    lang: crate::i18n::Lang,
    param: &'static str,
    said: &'static [(&'static str, crate::i18n::Text)],
) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map().get_untracked();
    let done = query.get("done")?;
    let key = said.iter().find(|(action, _)| *action == done)?.1;
    let name = query.get(param).unwrap_or_default();
    Some(view! { <p class="alert alert-ok" role="status">{lang.fill(key, &[("name", name)])}</p> })
}
