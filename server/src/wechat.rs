//! WeChat's third-party platform ("component"), through which agencies publish their
//! merchants' mini programs. What is here so far: the push message crypto ([`crypto`]).
pub mod crypto;
