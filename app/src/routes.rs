//! One module per screen.
pub mod account;
pub mod activity;
pub mod agency;
pub mod api_tokens;
pub mod brand;
pub mod dashboard;
pub mod editor;
pub mod import;
pub mod invite;
pub mod jobs;
pub mod login;
pub mod merchant;
pub mod not_found;
pub mod platform;
pub mod publish;
pub mod team;
