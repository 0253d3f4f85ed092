//! A product's options (size, temperature…) and the variants sold for their combinations: the
//! rules that keep the two in step as the merchant edits them.
use super::site::{Product, SkuOption, Variant};

/// At most this many option combinations per product (the editor lists one row for each).
pub const MAX_VARIANTS: usize = 100;

/// The price a customer sees on a product's card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShownPrice {
    /// The product's own price, or the one price all its choices share.
    Exactly(u64),
    /// The choices cost different amounts: "from" the lowest.
    From(u64),
}

impl Product {
    /// What the card shows: with options sold, the choices' prices decide (the product's own
    /// price is only where a new choice starts); without, the product's price.
    pub fn shown_price(&self) -> ShownPrice {
        let mut prices = self.variants.iter().map(|v| v.price);
        let Some(first) = prices.next() else {
            return ShownPrice::Exactly(self.price);
        };
        let (low, high) = prices.fold((first, first), |(lo, hi), p| (lo.min(p), hi.max(p)));
        if low == high {
            ShownPrice::Exactly(low)
        } else {
            ShownPrice::From(low)
        }
    }

    /// Gives every choice (and the product) one price: "apply to all choices".
    pub fn price_all(&mut self, fen: u64) {
        self.price = fen;
        for v in &mut self.variants {
            v.price = fen;
        }
    }

    /// Every combination of the option values, in option order; `None` when there would be
    /// more than [`MAX_VARIANTS`].
    pub fn combinations(options: &[SkuOption]) -> Option<Vec<Vec<String>>> {
        let mut all: Vec<Vec<String>> = vec![Vec::new()];
        for o in options {
            if all.len().saturating_mul(o.values.len()) > MAX_VARIANTS {
                return None;
            }
            all = all
                .iter()
                .flat_map(|c| {
                    o.values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push(v.clone());
                        c
                    })
                })
                .collect();
        }
        Some(all)
    }

    /// Sets new options and keeps the variants in step: a combination that still exists
    /// keeps its price and stock; one made possible by a new option or value is added, priced
    /// like the closest existing one; one the merchant stopped selling (no variant, though
    /// every value was there before) stays unsold; variants that no longer fit are dropped.
    pub fn set_options(&mut self, options: Vec<SkuOption>) {
        let old = std::mem::replace(&mut self.options, options);
        if self.options.is_empty() {
            self.variants.clear();
            return;
        }
        // An option still without values (being added): wait for them, keep what is sold.
        if self.options.iter().any(|o| o.values.is_empty()) {
            return;
        }
        let Some(combos) = Self::combinations(&self.options) else {
            let options = &self.options;
            self.variants.retain(|v| fits(v, options));
            return;
        };
        let is_new = |combo: &[String]| {
            old.is_empty()
                || combo
                    .iter()
                    .enumerate()
                    .any(|(k, val)| old.get(k).is_none_or(|o| !o.values.contains(val)))
        };
        let variants = combos
            .into_iter()
            .filter_map(|combo| {
                if let Some(v) = self.variants.iter().find(|v| v.values == combo) {
                    return Some(v.clone());
                }
                is_new(&combo).then(|| self.new_variant(combo))
            })
            .collect();
        self.variants = variants;
    }

    /// Adds back every combination that has no variant.
    pub fn restore_variants(&mut self) {
        if let Some(combos) = Self::combinations(&self.options) {
            let mut variants = Vec::with_capacity(combos.len());
            for combo in combos {
                match self.variants.iter().find(|v| v.values == combo) {
                    Some(v) => variants.push(v.clone()),
                    None => variants.push(self.new_variant(combo)),
                }
            }
            self.variants = variants;
        }
    }

    /// Removes option `k`, keeping one variant (the first) per remaining combination.
    pub fn remove_option(&mut self, k: usize) {
        if k >= self.options.len() {
            return;
        }
        let mut options = self.options.clone();
        options.remove(k);
        let mut seen = std::collections::HashSet::new();
        self.variants = std::mem::take(&mut self.variants)
            .into_iter()
            .filter_map(|mut v| {
                if k < v.values.len() {
                    v.values.remove(k);
                }
                seen.insert(v.values.clone()).then_some(v)
            })
            .collect();
        self.options = options.clone();
        self.set_options(options);
    }

    /// A variant for `combo`, priced like the existing variant sharing most of its values
    /// (or like the product), with stock not tracked.
    fn new_variant(&self, combo: Vec<String>) -> Variant {
        let closest = self
            .variants
            .iter()
            .max_by_key(|v| v.values.iter().zip(&combo).filter(|(a, b)| a == b).count());
        Variant {
            price: closest.map_or(self.price, |v| v.price),
            stock: None,
            values: combo,
        }
    }
}

pub(crate) fn fits(v: &Variant, options: &[SkuOption]) -> bool {
    v.values.len() == options.len()
        && v.values
            .iter()
            .zip(options)
            .all(|(val, o)| o.values.contains(val))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_card_shows_the_lowest_choice_as_from_unless_all_cost_the_same() {
        let mut p = product();
        p.price = 1000;
        p.set_options(vec![SkuOption {
            name: "Size".into(),
            values: vec!["S".into(), "M".into(), "L".into()],
        }]);
        assert_eq!(p.shown_price(), ShownPrice::Exactly(1000));
        p.variants[1].price = 1200;
        p.variants[2].price = 900;
        assert_eq!(p.shown_price(), ShownPrice::From(900));
        p.price_all(1500);
        assert_eq!(p.shown_price(), ShownPrice::Exactly(1500));
        assert!(p.variants.iter().all(|v| v.price == 1500));
        p.set_options(Vec::new());
        p.price = 800;
        assert_eq!(p.shown_price(), ShownPrice::Exactly(800));
    }

    fn opt(name: &str, values: &[&str]) -> SkuOption {
        SkuOption {
            name: name.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn product() -> Product {
        Product {
            id: "latte".into(),
            name: "Latte".into(),
            description: String::new(),
            images: Vec::new(),
            price: 2800,
            compare_at: None,
            stock: None,
            category: None,
            options: Vec::new(),
            variants: Vec::new(),
        }
    }

    fn combos(p: &Product) -> Vec<String> {
        p.variants.iter().map(|v| v.values.join("/")).collect()
    }

    #[test]
    fn options_make_one_variant_per_combination_priced_like_the_product() {
        let mut p = product();
        p.set_options(vec![
            opt("Size", &["S", "L"]),
            opt("Temp", &["Hot", "Iced"]),
        ]);
        assert_eq!(combos(&p), ["S/Hot", "S/Iced", "L/Hot", "L/Iced"]);
        assert!(p
            .variants
            .iter()
            .all(|v| v.price == 2800 && v.stock.is_none()));
    }

    #[test]
    fn variants_keep_their_price_and_stay_stopped_when_options_change() {
        let mut p = product();
        p.set_options(vec![opt("Size", &["S", "L"])]);
        p.variants[1].price = 3200;
        p.variants[1].stock = Some(4);
        // The merchant stops selling S.
        p.variants.remove(0);
        p.set_options(vec![opt("Size", &["S", "L", "XL"])]);
        assert_eq!(combos(&p), ["L", "XL"], "S stays stopped, XL is new");
        assert_eq!((p.variants[0].price, p.variants[0].stock), (3200, Some(4)));
        assert_eq!(p.variants[1].price, 3200, "priced like the closest variant");
        // A new option multiplies the combinations, each priced like its base.
        // The option is added empty first, as the editor does, then gets its values.
        p.set_options(vec![opt("Size", &["S", "L", "XL"]), opt("Temp", &[])]);
        assert_eq!(
            combos(&p),
            ["L", "XL"],
            "unchanged while the new option has no values"
        );
        p.set_options(vec![
            opt("Size", &["S", "L", "XL"]),
            opt("Temp", &["Hot", "Iced"]),
        ]);
        assert_eq!(
            combos(&p),
            ["S/Hot", "S/Iced", "L/Hot", "L/Iced", "XL/Hot", "XL/Iced"]
        );
        assert_eq!(p.variants[3].price, 3200, "L/Iced priced like L");
        p.restore_variants();
        assert_eq!(p.variants.len(), 6);
        p.remove_option(1);
        assert_eq!(combos(&p), ["S", "L", "XL"]);
        p.set_options(Vec::new());
        assert!(p.variants.is_empty());
    }

    #[test]
    fn too_many_combinations_are_not_generated() {
        let many: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(Product::combinations(&[opt("A", &many), opt("B", &many)]).is_none());
        let mut p = product();
        p.set_options(vec![opt("A", &many)]);
        assert_eq!(p.variants.len(), 11);
        p.set_options(vec![opt("A", &many), opt("B", &many)]);
        assert!(p.variants.is_empty(), "none fit two options");
    }
}
