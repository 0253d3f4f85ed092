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
                    ed.saved(gen, &id);
                }
                Err(NetError::Conflict(message)) => {
                    // The save sent as the page was last left can land after this page
                    // loaded the draft: the same content stored is no conflict.
                    match net::current_draft(&id).await {
                        Ok(stored) if stored.site == site => {
                            ed.version.set_value(stored.version);
                            ed.saved(gen, &id);
                        }
                        _ => ed.save.set(SaveState::Conflict(message)),
                    }
                }
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

    /// Whether some change is not saved yet.
    pub(super) fn unsaved(&self) -> bool {
        !matches!(self.save.get_untracked(), SaveState::Saved)
    }

    /// The tab was hidden (switched away, minimised, or the first step of closing): save now
    /// rather than when typing pauses.
    pub(super) fn on_hidden(&self) {
        if self.unsaved() {
            self.site.with_untracked(|s| {
                net::keep_local(&self.site_id.get_value(), self.version.get_value(), s)
            });
            self.save_now();
        }
    }

    /// The page is going away (closed, reloaded, a link followed): what is not saved is kept
    /// in the browser at once and sent with a request that outlives the page. The next visit
    /// restores the browser's copy only if that request did not land.
    pub(super) fn on_leave(&self) {
        if !self.unsaved() {
            return;
        }
        let (id, base) = (self.site_id.get_value(), self.version.get_value());
        self.site.with_untracked(|s| {
            net::keep_local(&id, base, s);
            // A save in flight has the same base: a second one would only be a conflict.
            if !self.saving.get_value()
                && !matches!(self.save.get_untracked(), SaveState::Conflict(_))
            {
                net::save_on_leave(&id, &self.csrf.get_value(), base, s);
            }
        });
    }

    /// Whether leaving now could lose work, so the browser should ask first: only when the
    /// save on leaving cannot carry it (a conflict to settle, no connection, a save already
    /// in flight, or a site too large for a request that outlives the page).
    pub(super) fn leaving_loses_work(&self) -> bool {
        // Typed but unusable: nothing can save it, so the browser asks.
        self.typed.with_untracked(|t| !t.is_empty())
            || self.unsaved()
                && (self.saving.get_value()
                    || matches!(
                        self.save.get_untracked(),
                        SaveState::Conflict(_) | SaveState::Offline
                    )
                    || !self.site.with_untracked(net::fits_on_leave))
    }

    /// The site as it was at generation `gen` is stored: done, or save what changed since.
    fn saved(&self, gen: u64, id: &str) {
        if self.generation.get_value() == gen {
            net::clear_local(id);
            self.save.set(SaveState::Saved);
        } else {
            let version = self.version.get_value();
            self.site
                .with_untracked(|s| net::keep_local(id, version, s));
            self.save_now();
        }
    }

    /// After a conflict: keep this editor's version and save it over the other one.
    pub fn overwrite(&self) {
        let ed = *self;
        leptos::task::spawn_local(async move {
            match net::current_draft(&ed.site_id.get_value()).await {
                Ok(stored) => {
                    ed.version.set_value(stored.version);
                    ed.save.set(SaveState::Pending);
                    ed.save_now();
                }
                Err(_) => ed.save.set(SaveState::Offline),
            }
        });
    }
}
