//! The editor's shared state: the site being edited with its undo history, the page and block
//! in view, the save state and the problems validation finds. Every part of the editor reads
//! it from context ([`EditorState`] is `Copy`).
#[cfg(feature = "hydrate")]
use super::dom::patch_text;
use crate::i18n::{Lang, Text};
use crate::model::blocks::place_of;
use crate::model::edit::{Edit, History};
use crate::model::site::Site;
use crate::model::validate::Problem;
use leptos::prelude::*;
use std::time::Duration;

/// Where autosave stands, shown in the top bar.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveState {
    Saved,
    Pending,
    Saving,
    Offline,
    Conflict(String),
}

/// Text typed into a field that cannot be used yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Typed {
    pub path: String,
    pub text: String,
    pub why: String,
}

/// Everything the editor's parts share. `Copy`: signals and stored values only.
#[derive(Clone, Copy)]
pub struct EditorState {
    pub lang: Lang,
    pub site: RwSignal<Site>,
    pub(super) history: StoredValue<History>,
    pub can_undo: RwSignal<bool>,
    pub can_redo: RwSignal<bool>,
    pub page: RwSignal<usize>,
    pub selected: RwSignal<Option<String>>,
    pub save: RwSignal<SaveState>,
    pub(super) version: StoredValue<u64>,
    /// Bumped on every change; autosave saves when it stops moving.
    pub(super) generation: StoredValue<u64>,
    pub(super) saving: StoredValue<bool>,
    pub site_id: StoredValue<String>,
    pub csrf: StoredValue<String>,
    pub problems: Memo<Vec<Problem>>,
    pub notice: RwSignal<Option<String>>,
    /// Whether the theme and tab bar panels are open (their code loads on first opening).
    pub theme_open: RwSignal<bool>,
    pub tab_bar_open: RwSignal<bool>,
    /// A field to bring into view and focus (a problem's path), until it has been.
    pub reveal: RwSignal<Option<String>>,
    /// What was typed and cannot be used yet (a price that is not a price, a closing time
    /// before the opening): (field path, the text, why). It stays in its field (also when the
    /// panel closes and opens again) and never reaches the site; the save status counts it.
    pub typed: RwSignal<Vec<Typed>>,
    /// Blocks whose text the editor patched in the phone ahead of the server's render: the
    /// next render replaces them even when its HTML did not change.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) patched: StoredValue<Vec<String>>,
}

impl EditorState {
    /// Records (or, with `None`, clears) what is typed at `path` and why it cannot be used.
    pub fn typed_problem(&self, path: &str, problem: Option<(String, String)>) {
        let now = self.typed.with_untracked(|t| {
            t.iter()
                .find(|x| x.path == path)
                .map(|x| (x.text.clone(), x.why.clone()))
        });
        if now == problem {
            return;
        }
        self.typed.update(|t| {
            t.retain(|x| x.path != path);
            if let Some((text, why)) = problem {
                t.push(Typed {
                    path: path.to_string(),
                    text,
                    why,
                });
            }
        });
    }

    /// What is typed at `path` and cannot be used yet, with why.
    pub fn typed_at(&self, path: &str) -> Option<(String, String)> {
        self.typed.with_untracked(|t| {
            t.iter()
                .find(|x| x.path == path)
                .map(|x| (x.text.clone(), x.why.clone()))
        })
    }

    /// The state of an editor opened on `site` (saved as `version`).
    pub fn new(site_id: String, version: u64, site: Site, csrf: String, lang: Lang) -> Self {
        let site = RwSignal::new(site);
        EditorState {
            lang,
            site,
            history: StoredValue::new(History::default()),
            can_undo: RwSignal::new(false),
            can_redo: RwSignal::new(false),
            page: RwSignal::new(0),
            selected: RwSignal::new(None),
            save: RwSignal::new(SaveState::Saved),
            version: StoredValue::new(version),
            generation: StoredValue::new(0),
            saving: StoredValue::new(false),
            site_id: StoredValue::new(site_id),
            csrf: StoredValue::new(csrf),
            problems: Memo::new(move |_| site.with(|s| s.validate(lang))),
            notice: RwSignal::new(None),
            theme_open: RwSignal::new(false),
            tab_bar_open: RwSignal::new(false),
            reveal: RwSignal::new(None),
            typed: RwSignal::new(Vec::new()),
            patched: StoredValue::new(Vec::new()),
        }
    }

    pub fn t(&self, k: Text) -> &'static str {
        self.lang.t(k)
    }

    /// Applies an edit as one undoable step (folded into the previous one when `key` says it
    /// is the same field being typed in).
    pub fn edit(&self, edit: Edit, key: Option<&str>) {
        let mut ok = false;
        self.site.update(|s| {
            self.history
                .update_value(|h| ok = h.apply(s, edit, key).is_ok());
        });
        if ok {
            self.changed();
        }
    }

    /// The field being typed in lost focus: the next keystroke starts a new undo step.
    pub fn seal(&self) {
        self.history.update_value(History::seal);
    }

    pub fn undo(&self) {
        self.replay(History::undo);
    }

    pub fn redo(&self) {
        self.replay(History::redo);
    }

    /// Undo or redo one step, if there is one.
    fn replay(&self, step: fn(&mut History, &mut Site) -> bool) {
        let mut done = false;
        self.site
            .update(|s| self.history.update_value(|h| done = step(h, s)));
        if done {
            self.changed();
        }
    }

    pub(super) fn changed(&self) {
        self.history.with_value(|h| {
            self.can_undo.set(h.can_undo());
            self.can_redo.set(h.can_redo());
        });
        // Keep the current page and selection meaningful after structural edits.
        let pages = self.site.with_untracked(|s| s.pages.len());
        if self.page.get_untracked() >= pages {
            self.page.set(pages.saturating_sub(1));
        }
        let gen = self.generation.get_value() + 1;
        self.generation.set_value(gen);
        if !matches!(self.save.get_untracked(), SaveState::Conflict(_)) {
            self.save.set(SaveState::Pending);
        }
        let ed = *self;
        set_timeout(move || ed.autosave(gen), Duration::from_millis(700));
    }
}

impl EditorState {
    /// Every page as `(id, title)`, for the selects that link to a page.
    pub fn page_choices(&self) -> Signal<Vec<(String, String)>> {
        let site = self.site;
        Signal::derive(move || {
            site.with(|s| {
                s.pages
                    .iter()
                    .map(|p| (p.id.clone(), p.title.clone()))
                    .collect()
            })
        })
    }

    pub fn page_index(&self) -> usize {
        self.page.get()
    }

    /// (page, index) of the selected block on the current page.
    pub fn selected_index(&self) -> Option<(usize, usize)> {
        let id = self.selected.get()?;
        let page = self.page.get();
        self.site.with(|s| {
            s.pages
                .get(page)?
                .blocks
                .iter()
                .position(|b| b.id == id)
                .map(|i| (page, i))
        })
    }

    /// Shows typed text in the phone at once, before the server's render arrives (which
    /// then replaces the block): the text node of the selected block (or, with nothing
    /// selected, of the screen) that shows exactly `old` now shows `new`. When no text node
    /// shows exactly `old` (a formatted value, a first character) nothing is patched and
    /// the server's render is all there is.
    pub fn show_typed(&self, old: &str, new: &str) {
        #[cfg(feature = "hydrate")]
        {
            let block = self.selected.get_untracked();
            if patch_text(block.as_deref(), old, new) {
                if let Some(id) = block {
                    self.patched.update_value(|p| p.push(id));
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (old, new);
    }

    /// The first problem at `path` or inside it (`path.x`, `path[i]`), if any.
    pub fn problem_under(&self, path: &str) -> Option<String> {
        self.problems.with(|ps| {
            ps.iter()
                .find(|p| {
                    p.path
                        .strip_prefix(path)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
                })
                .map(|p| p.message.clone())
        })
    }

    /// Shows where the problem at `path` is fixed: opens its page, selects the block whose
    /// panel edits it, and focuses the field. Data no block shows gets a notice saying which
    /// block to add.
    pub fn reveal_problem(&self, path: &str) {
        match self
            .site
            .with_untracked(|s| place_of(s, self.page.get_untracked(), path))
        {
            Ok((page, block)) => {
                self.page.set(page);
                self.selected.set(block);
                // The theme's and the tab bar's fields are in panels that may be closed.
                if path.starts_with("theme.") {
                    self.theme_open.set(true);
                } else if path.starts_with("tab_bar") {
                    self.tab_bar_open.set(true);
                }
                self.reveal.set(Some(path.to_string()));
            }
            Err(kind) => self.notice.set(Some(
                self.t(Text::AddBlockToFix)
                    .replace("{block}", self.t(kind.label())),
            )),
        }
    }

    /// [`EditorState::problem_under`] when `nested`, else [`EditorState::problem`].
    pub fn problem_at(&self, path: &str, nested: bool) -> Option<String> {
        if nested {
            self.problem_under(path)
        } else {
            self.problem(path)
        }
    }

    /// The problem at exactly `path`, if any.
    pub fn problem(&self, path: &str) -> Option<String> {
        self.problems.with(|ps| {
            ps.iter()
                .find(|p| p.path == path)
                .map(|p| p.message.clone())
        })
    }
}
