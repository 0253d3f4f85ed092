//! The server's one error type. Every handler and domain function that can fail for more than
//! one reason returns [`Error`]: what a user can act on is an [`AppError`] (already in their
//! language, with the field it is about); everything else (storage, generation, a crashed
//! task) is logged here with its detail and shown to the client as a plain "internal error".
use crate::generator::GenerateError;
use crate::storage::StoreError;
use app::error::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the user can fix or must be told: shown as it is.
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error("background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn status_code(&self) -> StatusCode {
        match self {
            Error::App(e) => StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            Error::Store(_) | Error::Generate(_) | Error::Task(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// What the client may see. Server faults are logged here, once, with their detail.
    pub fn into_app_error(self) -> AppError {
        match self {
            Error::App(e) => e,
            other => {
                tracing::error!(error = %other, "request failed");
                AppError::Internal
            }
        }
    }
}

impl From<sled::Error> for Error {
    fn from(e: sled::Error) -> Self {
        Error::Store(e.into())
    }
}

/// Server functions speak [`AppError`]: a server fault reaches them logged and masked.
impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        e.into_app_error()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        Error::from(e).into_app_error()
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status_code();
        (status, Json(self.into_app_error())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_faults_are_masked_and_user_errors_kept() {
        let store = Error::Store(StoreError::NoMigration(3));
        assert_eq!(store.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(store.into_app_error(), AppError::Internal);
        let invalid = Error::App(AppError::invalid("name", "Please enter a name."));
        assert_eq!(invalid.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            invalid.into_app_error(),
            AppError::invalid("name", "Please enter a name.")
        );
    }
}
