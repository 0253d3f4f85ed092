//! The editor's command log: every change to a site is an [`Edit`] whose application returns
//! its exact inverse, so undo and redo replay edits instead of restoring snapshots. Typing in
//! one field collapses into one step (edits with the same coalescing key, until the field is
//! left). Proven by property tests: undo everything returns the original site, redo everything
//! the result.
use super::site::{Block, MerchantData, Page, Service, Site, TabBar};
use super::theme::ThemeSettings;

/// One part of a site that an edit replaces wholesale.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Name(String),
    /// The language the mini program speaks to customers (its built-in labels).
    Locale(crate::i18n::Lang),
    /// The business's logo (an image reference), shown on the contact card.
    Logo(Option<String>),
    Block {
        page: usize,
        index: usize,
        block: Block,
    },
    PageTitle {
        page: usize,
        title: String,
    },
    Theme(ThemeSettings),
    TabBar(Option<TabBar>),
    Service {
        index: usize,
        service: Service,
    },
    /// Products, categories, staff, hours, location, contact, gallery, notices.
    Data(Box<MerchantData>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    Set(Part),
    InsertBlock {
        page: usize,
        index: usize,
        block: Block,
    },
    RemoveBlock {
        page: usize,
        index: usize,
    },
    MoveBlock {
        page: usize,
        from: usize,
        to: usize,
    },
    InsertPage {
        index: usize,
        page: Page,
    },
    RemovePage {
        index: usize,
    },
    MovePage {
        from: usize,
        to: usize,
    },
    /// Several edits as one step (deleting a service also resets the blocks that named it):
    /// applied in order, undone in reverse; all or nothing.
    Batch(Vec<Edit>),
}

/// An edit that does not fit the site (an index out of range): refused, nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("this change no longer fits the site")]
pub struct OutOfRange;

fn page_mut(site: &mut Site, page: usize) -> Result<&mut Page, OutOfRange> {
    site.pages.get_mut(page).ok_or(OutOfRange)
}

/// Applies `edit` to `site` and returns the edit that undoes it.
pub fn apply(site: &mut Site, edit: Edit) -> Result<Edit, OutOfRange> {
    Ok(match edit {
        Edit::Set(part) => Edit::Set(match part {
            Part::Name(name) => Part::Name(std::mem::replace(&mut site.name, name)),
            Part::Locale(locale) => Part::Locale(std::mem::replace(&mut site.locale, locale)),
            Part::Logo(logo) => Part::Logo(std::mem::replace(&mut site.logo, logo)),
            Part::Block { page, index, block } => {
                let slot = page_mut(site, page)?
                    .blocks
                    .get_mut(index)
                    .ok_or(OutOfRange)?;
                Part::Block {
                    page,
                    index,
                    block: std::mem::replace(slot, block),
                }
            }
            Part::PageTitle { page, title } => {
                let p = page_mut(site, page)?;
                Part::PageTitle {
                    page,
                    title: std::mem::replace(&mut p.title, title),
                }
            }
            Part::Theme(theme) => Part::Theme(std::mem::replace(&mut site.theme, theme)),
            Part::TabBar(tab_bar) => Part::TabBar(std::mem::replace(&mut site.tab_bar, tab_bar)),
            Part::Service { index, service } => {
                let slot = site.data.services.get_mut(index).ok_or(OutOfRange)?;
                Part::Service {
                    index,
                    service: std::mem::replace(slot, service),
                }
            }
            Part::Data(data) => Part::Data(Box::new(std::mem::replace(&mut site.data, *data))),
        }),
        Edit::InsertBlock { page, index, block } => {
            let p = page_mut(site, page)?;
            if index > p.blocks.len() {
                return Err(OutOfRange);
            }
            p.blocks.insert(index, block);
            Edit::RemoveBlock { page, index }
        }
        Edit::RemoveBlock { page, index } => {
            let p = page_mut(site, page)?;
            if index >= p.blocks.len() {
                return Err(OutOfRange);
            }
            let block = p.blocks.remove(index);
            Edit::InsertBlock { page, index, block }
        }
        Edit::MoveBlock { page, from, to } => {
            let p = page_mut(site, page)?;
            if from >= p.blocks.len() || to >= p.blocks.len() {
                return Err(OutOfRange);
            }
            let b = p.blocks.remove(from);
            p.blocks.insert(to, b);
            Edit::MoveBlock {
                page,
                from: to,
                to: from,
            }
        }
        Edit::InsertPage { index, page } => {
            if index > site.pages.len() {
                return Err(OutOfRange);
            }
            site.pages.insert(index, page);
            Edit::RemovePage { index }
        }
        Edit::RemovePage { index } => {
            if index >= site.pages.len() {
                return Err(OutOfRange);
            }
            let page = site.pages.remove(index);
            Edit::InsertPage { index, page }
        }
        Edit::MovePage { from, to } => {
            if from >= site.pages.len() || to >= site.pages.len() {
                return Err(OutOfRange);
            }
            let p = site.pages.remove(from);
            site.pages.insert(to, p);
            Edit::MovePage { from: to, to: from }
        }
        Edit::Batch(edits) => {
            let mut inverses = Vec::with_capacity(edits.len());
            for edit in edits {
                match apply(site, edit) {
                    Ok(inverse) => inverses.push(inverse),
                    Err(e) => {
                        for inverse in inverses.into_iter().rev() {
                            apply(site, inverse).expect("an inverse fits the site it came from");
                        }
                        return Err(e);
                    }
                }
            }
            inverses.reverse();
            Edit::Batch(inverses)
        }
    })
}

#[derive(Clone, Debug, PartialEq)]
struct Step {
    forward: Edit,
    inverse: Edit,
    /// Edits with the same key, one after the other, are one step (typing in one field).
    key: Option<String>,
}

/// Undo and redo stacks over [`apply`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    done: Vec<Step>,
    undone: Vec<Step>,
    /// The key of the step that is still open for coalescing.
    open: Option<String>,
}

/// How many steps are kept; the oldest are dropped beyond that.
pub const HISTORY_LIMIT: usize = 500;

impl History {
    /// Applies `edit` as a new step, or folds it into the previous step when `key` is the
    /// same and that step is still open.
    pub fn apply(
        &mut self,
        site: &mut Site,
        edit: Edit,
        key: Option<&str>,
    ) -> Result<(), OutOfRange> {
        let inverse = apply(site, edit.clone())?;
        self.undone.clear();
        let same = key.is_some() && self.open.as_deref() == key;
        match self.done.last_mut() {
            Some(last) if same && last.key.as_deref() == key => {
                // Keep the first inverse: undo goes back to before the typing began.
                last.forward = edit;
            }
            _ => {
                self.done.push(Step {
                    forward: edit,
                    inverse,
                    key: key.map(str::to_string),
                });
                if self.done.len() > HISTORY_LIMIT {
                    self.done.remove(0);
                }
            }
        }
        self.open = key.map(str::to_string);
        Ok(())
    }

    /// Ends the open step (the field lost focus): the next edit starts a new one.
    pub fn seal(&mut self) {
        self.open = None;
    }

    pub fn can_undo(&self) -> bool {
        !self.done.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }

    pub fn undo(&mut self, site: &mut Site) -> bool {
        self.open = None;
        let Some(step) = self.done.pop() else {
            return false;
        };
        match apply(site, step.inverse.clone()) {
            Ok(_) => {
                self.undone.push(step);
                true
            }
            Err(_) => false,
        }
    }

    pub fn redo(&mut self, site: &mut Site) -> bool {
        self.open = None;
        let Some(step) = self.undone.pop() else {
            return false;
        };
        match apply(site, step.forward.clone()) {
            Ok(_) => {
                self.done.push(step);
                true
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::site::BlockKind;
    use proptest::prelude::*;

    fn site() -> Site {
        serde_json::from_str(include_str!("../../../themes/booking/starter.en.json")).unwrap()
    }

    /// A recipe for an edit, turned into a valid edit against the current site.
    #[derive(Clone, Debug)]
    enum Recipe {
        Text(u8, u8, String),
        Insert(u8, u8),
        Remove(u8, u8),
        Move(u8, u8, u8),
        Title(u8, String),
        Price(u8, u32),
        Theme(u8),
        AddPage(u8),
        RemovePage(u8),
        MovePage(u8, u8),
        Batch(u8, u8, String),
        Seal,
    }

    fn recipe() -> impl Strategy<Value = Recipe> {
        prop_oneof![
            (any::<u8>(), any::<u8>(), "[a-z ]{0,6}").prop_map(|(p, b, s)| Recipe::Text(p, b, s)),
            (any::<u8>(), any::<u8>()).prop_map(|(p, b)| Recipe::Insert(p, b)),
            (any::<u8>(), any::<u8>()).prop_map(|(p, b)| Recipe::Remove(p, b)),
            (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(p, a, b)| Recipe::Move(p, a, b)),
            (any::<u8>(), "[a-z]{0,5}").prop_map(|(p, s)| Recipe::Title(p, s)),
            (any::<u8>(), any::<u32>()).prop_map(|(i, v)| Recipe::Price(i, v)),
            any::<u8>().prop_map(Recipe::Theme),
            any::<u8>().prop_map(Recipe::AddPage),
            any::<u8>().prop_map(Recipe::RemovePage),
            (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Recipe::MovePage(a, b)),
            (any::<u8>(), any::<u8>(), "[a-z]{0,5}").prop_map(|(p, b, s)| Recipe::Batch(p, b, s)),
            Just(Recipe::Seal),
        ]
    }

    /// The edit (and its coalescing key) for a recipe, or None when it does not apply.
    fn make(site: &Site, r: &Recipe) -> Option<(Edit, Option<String>)> {
        let pick = |n: u8, len: usize| (len > 0).then(|| n as usize % len);
        Some(match r {
            Recipe::Text(p, b, s) => {
                let page = pick(*p, site.pages.len())?;
                let index = pick(*b, site.pages[page].blocks.len())?;
                let mut block = site.pages[page].blocks[index].clone();
                block.kind = BlockKind::NoticeBar { text: s.clone() };
                (
                    Edit::Set(Part::Block { page, index, block }),
                    Some(format!("{page}.{index}.text")),
                )
            }
            Recipe::Insert(p, b) => {
                let page = pick(*p, site.pages.len())?;
                let index = *b as usize % (site.pages[page].blocks.len() + 1);
                let block = Block {
                    id: format!("n{b}"),
                    hidden: false,
                    kind: BlockKind::Divider {},
                };
                (Edit::InsertBlock { page, index, block }, None)
            }
            Recipe::Remove(p, b) => {
                let page = pick(*p, site.pages.len())?;
                let index = pick(*b, site.pages[page].blocks.len())?;
                (Edit::RemoveBlock { page, index }, None)
            }
            Recipe::Batch(p, b, s) => {
                let page = pick(*p, site.pages.len())?;
                let index = pick(*b, site.pages[page].blocks.len())?;
                let edits = vec![
                    Edit::RemoveBlock { page, index },
                    Edit::Set(Part::Name(s.clone())),
                ];
                (Edit::Batch(edits), None)
            }
            Recipe::Move(p, a, b) => {
                let page = pick(*p, site.pages.len())?;
                let len = site.pages[page].blocks.len();
                (
                    Edit::MoveBlock {
                        page,
                        from: pick(*a, len)?,
                        to: pick(*b, len)?,
                    },
                    None,
                )
            }
            Recipe::Title(p, s) => {
                let page = pick(*p, site.pages.len())?;
                (
                    Edit::Set(Part::PageTitle {
                        page,
                        title: s.clone(),
                    }),
                    Some(format!("{page}.title")),
                )
            }
            Recipe::Price(i, v) => {
                let index = pick(*i, site.data.services.len())?;
                let mut service = site.data.services[index].clone();
                service.price = *v as u64;
                (
                    Edit::Set(Part::Service { index, service }),
                    Some(format!("service.{index}.price")),
                )
            }
            Recipe::Theme(n) => {
                let mut theme = site.theme.clone();
                theme.radius = *n;
                (Edit::Set(Part::Theme(theme)), Some("theme.radius".into()))
            }
            Recipe::AddPage(n) => {
                let index = *n as usize % (site.pages.len() + 1);
                let page = Page {
                    id: format!("p{n}"),
                    title: "New".into(),
                    blocks: Vec::new(),
                };
                (Edit::InsertPage { index, page }, None)
            }
            Recipe::RemovePage(n) => (
                Edit::RemovePage {
                    index: pick(*n, site.pages.len())?,
                },
                None,
            ),
            Recipe::MovePage(a, b) => (
                Edit::MovePage {
                    from: pick(*a, site.pages.len())?,
                    to: pick(*b, site.pages.len())?,
                },
                None,
            ),
            Recipe::Seal => return None,
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Random edit sequences (with typing coalesced): undo all gives the original back,
        /// redo all gives the result back, and every edit's inverse is exact.
        #[test]
        fn undo_all_restores_and_redo_all_replays(recipes in prop::collection::vec(recipe(), 0..40)) {
            let original = site();
            let mut current = original.clone();
            let mut history = History::default();
            for r in &recipes {
                if matches!(r, Recipe::Seal) {
                    history.seal();
                    continue;
                }
                if let Some((edit, key)) = make(&current, r) {
                    let before = current.clone();
                    let mut probe = current.clone();
                    let inverse = apply(&mut probe, edit.clone()).unwrap();
                    let mut back = probe.clone();
                    apply(&mut back, inverse).unwrap();
                    prop_assert_eq!(&back, &before);
                    history.apply(&mut current, edit, key.as_deref()).unwrap();
                    prop_assert_eq!(&current, &probe);
                }
            }
            let result = current.clone();
            while history.undo(&mut current) {}
            prop_assert_eq!(&current, &original);
            prop_assert!(!history.can_undo());
            while history.redo(&mut current) {}
            prop_assert_eq!(&current, &result);
        }
    }

    #[test]
    fn typing_in_one_field_is_one_step_until_the_field_is_left() {
        let mut s = site();
        let original = s.clone();
        let mut h = History::default();
        for name in ["B", "Ba", "Bam"] {
            h.apply(&mut s, Edit::Set(Part::Name(name.into())), Some("name"))
                .unwrap();
        }
        assert_eq!(s.name, "Bam");
        h.seal();
        h.apply(&mut s, Edit::Set(Part::Name("Bamboo".into())), Some("name"))
            .unwrap();
        assert!(h.undo(&mut s));
        assert_eq!(s.name, "Bam");
        assert!(h.undo(&mut s));
        assert_eq!(s, original);
        assert!(!h.undo(&mut s));
        assert!(h.redo(&mut s) && h.redo(&mut s));
        assert_eq!(s.name, "Bamboo");
    }

    #[test]
    fn a_batch_is_one_step_and_all_or_nothing() {
        let mut s = site();
        let original = s.clone();
        let mut h = History::default();
        let both = Edit::Batch(vec![
            Edit::RemoveBlock { page: 0, index: 0 },
            Edit::Set(Part::Name("Renamed".into())),
        ]);
        h.apply(&mut s, both, None).unwrap();
        assert_eq!(s.name, "Renamed");
        assert_eq!(s.pages[0].blocks.len(), original.pages[0].blocks.len() - 1);
        assert!(h.undo(&mut s));
        assert_eq!(s, original, "one undo takes back both");
        // The second edit does not fit: the first is rolled back too.
        let broken = Edit::Batch(vec![
            Edit::RemoveBlock { page: 0, index: 0 },
            Edit::RemoveBlock { page: 99, index: 0 },
        ]);
        assert_eq!(apply(&mut s, broken), Err(OutOfRange));
        assert_eq!(s, original);
    }

    #[test]
    fn out_of_range_edits_change_nothing() {
        let mut s = site();
        let before = s.clone();
        let mut h = History::default();
        assert_eq!(
            h.apply(&mut s, Edit::RemoveBlock { page: 9, index: 0 }, None),
            Err(OutOfRange)
        );
        assert_eq!(s, before);
        assert!(!h.can_undo());
    }
}
