//! Reusable widgets.
pub mod feedback;
pub mod layout;
pub mod session;
