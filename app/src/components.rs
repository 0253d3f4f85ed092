//! Reusable widgets.
pub mod feedback;
pub mod layout;
pub mod outcome;
pub mod session;
