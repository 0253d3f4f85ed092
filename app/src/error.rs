//! The one error type that crosses the wire between server functions and the browser.
use crate::i18n::{Lang, Text};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("please log in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Bad input: which field, and a message already in the user's language.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The request cannot be done in the current state (e.g. a login already taken).
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// Too much heavy work at once (image decoding, builds): try again in a moment.
    #[error("{0}")]
    Busy(String),
    #[error("internal error")]
    Internal,
    /// Transport or framework failure (network down, bad encoding).
    #[error("{0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Conflict {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict { .. } => 409,
            AppError::Busy(_) => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// The field the error is about, if any, so forms can show it next to that field.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } | AppError::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }

    /// What to show a merchant.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::Unauthenticated => lang.t(Text::ErrUnauthenticated).into(),
            AppError::Forbidden => lang.t(Text::ErrForbidden).into(),
            AppError::NotFound => lang.t(Text::ErrNotFound).into(),
            AppError::Invalid { message, .. } | AppError::Conflict { message, .. } => {
                message.clone()
            }
            AppError::Busy(message) => message.clone(),
            AppError::Internal => lang.t(Text::ErrInternal).into(),
            AppError::Transport(_) => lang.t(Text::ErrNetwork).into(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Arguments the server cannot read are the caller's to fix (400 on the wire, see the
    /// server's session middleware), not a server fault.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::Deserialization(detail) => {
                AppError::invalid("arguments", detail)
            }
            ServerFnErrorErr::MissingArg(name) => {
                AppError::invalid(name.clone(), format!("missing argument: {name}"))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}
