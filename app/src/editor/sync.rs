//! Autosave: a copy in the browser's storage, then a save with the version it was based on;
//! a conflict keeps the merchant's work and lets them choose, offline retries.
use super::net::{self, NetError};
use super::state::{EditorState, SaveState};
use leptos::prelude::*;
use std::time::Duration;

impl EditorState {
    /// Keeps a copy in the browser and saves, if nothing changed since `gen` was scheduled
    /// (debounce: typing does not serialise the site on every keystroke).
    pub(super) fn autosave(&self, gen: u64) {
        if gen == self.generation.get_value() {
            self.site.with_untracked(|s| {
                net::keep_local(&self.site_id.get_value(), self.version.get_value(), s)
            });
            self.save_now();
        }
    }

    fn save_now(&self) {
        if self.saving.get_value() || matches!(self.save.get_untracked(), SaveState::Conflict(_)) {
            return;
        }
        let gen = self.generation.get_value();
        let site = self.site.get_untracked();
        let (id, csrf, base) = (
            self.site_id.get_value(),
            self.csrf.get_value(),
            self.version.get_value(),
        );
        self.saving.set_value(true);
        self.save.set(SaveState::Saving);
        let ed = *self;
        leptos::task::spawn_local(async move {
            let result = net::save(&id, &csrf, base, &site).await;
            ed.saving.set_value(false);
            match result {
                Ok(version) => {
                    ed.version.set_value(version);
                    if ed.generation.get_value() == gen {
                        net::clear_local(&id);
                        ed.save.set(SaveState::Saved);
                    } else {
                        ed.site.with_untracked(|s| net::keep_local(&id, version, s));
                        ed.save_now();
                    }
                }
                Err(NetError::Conflict(message)) => ed.save.set(SaveState::Conflict(message)),
                Err(NetError::Offline) => {
                    ed.save.set(SaveState::Offline);
                    set_timeout(move || ed.save_now(), Duration::from_secs(3));
                }
                Err(NetError::Refused(message)) => {
                    ed.notice.set(Some(message));
                    ed.save.set(SaveState::Offline);
                    set_timeout(move || ed.save_now(), Duration::from_secs(5));
                }
            }
        });
    }

    /// After a conflict: keep this editor's version and save it over the other one.
    pub fn overwrite(&self) {
        let ed = *self;
        leptos::task::spawn_local(async move {
            match net::current_version(&ed.site_id.get_value()).await {
                Ok(v) => {
                    ed.version.set_value(v);
                    ed.save.set(SaveState::Pending);
                    ed.save_now();
                }
                Err(_) => ed.save.set(SaveState::Offline),
            }
        });
    }
}
