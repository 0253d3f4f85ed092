//! Types shared by the browser, the server and the generator. Plain data: serde, no I/O.
//!
//! `site` is the site format as it travels (wire types only); `blocks` is the block catalogue;
//! `product` keeps a product's options and variants in step; `typed` reads what merchants
//! type; `validate` lists a site's problems; `theme` is the theme kind and settings.
pub mod account;
pub mod blocks;
pub mod color;
pub mod dashboard;
pub mod edit;
pub mod inbox;
pub mod product;
pub mod publish;
pub mod site;
pub mod theme;
pub mod typed;
pub mod validate;

pub use account::*;
pub use theme::ThemeKind;
