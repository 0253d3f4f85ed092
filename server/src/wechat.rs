//! WeChat's third-party platform ("component"), through which agencies publish their
//! merchants' mini programs: the push crypto ([`crypto`]), the typed HTTP client ([`client`])
//! with its errors ([`errors`]), tokens kept in the store with one writer across nodes
//! ([`tokens`]), an agency's platform settings and its connected mini programs ([`platform`]),
//! the push endpoints' logic ([`push`]) and a faithful fake of the platform ([`fake`]).
pub mod client;
pub mod crypto;
pub mod errors;
pub mod fake;
pub mod platform;
pub mod tokens;
