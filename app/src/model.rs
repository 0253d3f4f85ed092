//! Types shared by the browser, the server and the generator. Plain data: serde, no I/O.
pub mod account;
pub mod color;
pub mod edit;
pub mod editor;
pub mod site;

pub use account::*;
