//! An order's prices and stock as the live site says, never as the client sent them: the
//! client's numbers are a display, and a difference is `price_changed` with the new prices.
//! Pure: the caller reserves the stock this finds needed, atomically, in the store.
use app::model::site::MerchantData;
use serde::{Deserialize, Serialize};

/// Lines one order may have, and pieces of one line.
pub const MAX_LINES: usize = 50;
pub const MAX_QUANTITY: u32 = 99;

/// A line as the mini program sends it (docs/mp-api.md).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LineIn {
    pub product: String,
    /// The chosen option values joined by ` / `; empty without options.
    #[serde(default)]
    pub variant: String,
    pub quantity: u32,
    pub unit_price: u64,
}

/// A line as the live site prices it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub product: String,
    pub name: String,
    pub variant: String,
    pub quantity: u32,
    pub unit_price: u64,
}

/// What an order costs and the stock it takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Priced {
    pub lines: Vec<Line>,
    pub total: u64,
    /// Per stock-tracked product or choice (its [`stock_key`]): pieces wanted and the stock the
    /// live site started with.
    pub stock: Vec<(String, u32, u32)>,
}

/// Why an order cannot be priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NoLines,
    TooManyLines,
    /// Line `index` names no product of the live site.
    UnknownProduct {
        index: usize,
    },
    /// Line `index` names a choice the product does not sell.
    UnknownVariant {
        index: usize,
    },
    /// Line `index` asks for 0 or more than [`MAX_QUANTITY`].
    BadQuantity {
        index: usize,
    },
    /// A price or the total differs from the live site's: these are the right ones.
    PriceChanged {
        lines: Vec<Line>,
        total: u64,
    },
}

/// Where the stock of a product (no options) or of one of its choices is counted.
pub fn stock_key(product: &str, values: &[String]) -> String {
    if values.is_empty() {
        product.to_string()
    } else {
        format!("{product}|{}", values.join("|"))
    }
}

/// Prices `lines` from `data` and checks them and `total` against the client's.
pub fn price(data: &MerchantData, lines: &[LineIn], total: u64) -> Result<Priced, Refusal> {
    if lines.is_empty() {
        return Err(Refusal::NoLines);
    }
    if lines.len() > MAX_LINES {
        return Err(Refusal::TooManyLines);
    }
    let mut out = Vec::with_capacity(lines.len());
    let mut stock: Vec<(String, u32, u32)> = Vec::new();
    let mut changed = false;
    for (index, l) in lines.iter().enumerate() {
        if !(1..=MAX_QUANTITY).contains(&l.quantity) {
            return Err(Refusal::BadQuantity { index });
        }
        let p = data
            .products
            .iter()
            .find(|p| p.id == l.product)
            .ok_or(Refusal::UnknownProduct { index })?;
        let (unit_price, left, values) = if p.options.is_empty() {
            if !l.variant.is_empty() {
                return Err(Refusal::UnknownVariant { index });
            }
            (p.price, p.stock, Vec::new())
        } else {
            let v = p
                .variants
                .iter()
                .find(|v| v.values.join(" / ") == l.variant)
                .ok_or(Refusal::UnknownVariant { index })?;
            (v.price, v.stock, v.values.clone())
        };
        changed |= unit_price != l.unit_price;
        if let Some(left) = left {
            let key = stock_key(&p.id, &values);
            match stock.iter_mut().find(|(k, _, _)| *k == key) {
                Some(entry) => entry.1 += l.quantity,
                None => stock.push((key, l.quantity, left)),
            }
        }
        out.push(Line {
            product: p.id.clone(),
            name: p.name.clone(),
            variant: l.variant.clone(),
            quantity: l.quantity,
            unit_price,
        });
    }
    let sum = out
        .iter()
        .map(|l| l.unit_price * u64::from(l.quantity))
        .sum();
    if changed || sum != total {
        return Err(Refusal::PriceChanged {
            lines: out,
            total: sum,
        });
    }
    Ok(Priced {
        lines: out,
        total: sum,
        stock,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::site::{Product, SkuOption, Variant};

    fn cafe() -> MerchantData {
        MerchantData {
            products: vec![
                Product {
                    id: "latte".into(),
                    name: "Oat latte".into(),
                    description: String::new(),
                    images: vec![],
                    price: 3000,
                    compare_at: None,
                    stock: None,
                    category: None,
                    options: vec![SkuOption {
                        name: "Size".into(),
                        values: vec!["Small".into(), "Large".into()],
                    }],
                    variants: vec![
                        Variant {
                            values: vec!["Small".into()],
                            price: 2800,
                            stock: None,
                        },
                        Variant {
                            values: vec!["Large".into()],
                            price: 3200,
                            stock: Some(5),
                        },
                    ],
                },
                Product {
                    id: "bun".into(),
                    name: "Bun".into(),
                    description: String::new(),
                    images: vec![],
                    price: 1200,
                    compare_at: None,
                    stock: Some(3),
                    category: None,
                    options: vec![],
                    variants: vec![],
                },
            ],
            ..Default::default()
        }
    }

    fn line(product: &str, variant: &str, quantity: u32, unit_price: u64) -> LineIn {
        LineIn {
            product: product.into(),
            variant: variant.into(),
            quantity,
            unit_price,
        }
    }

    #[test]
    fn prices_come_from_the_site_and_stock_is_summed_per_choice() {
        let lines = [
            line("latte", "Large", 2, 3200),
            line("latte", "Small", 1, 2800),
            line("bun", "", 1, 1200),
            line("latte", "Large", 1, 3200),
        ];
        let p = price(&cafe(), &lines, 3 * 3200 + 2800 + 1200).unwrap();
        assert_eq!(p.total, 13600);
        assert_eq!(p.lines[0].name, "Oat latte");
        assert_eq!(
            p.stock,
            vec![("latte|Large".into(), 3, 5), ("bun".into(), 1, 3)],
            "untracked choices take no stock"
        );
    }

    #[test]
    fn a_tampered_price_or_total_gets_the_right_prices_back() {
        let cheap = [line("latte", "Large", 1, 100)];
        assert_eq!(
            price(&cafe(), &cheap, 100),
            Err(Refusal::PriceChanged {
                lines: vec![Line {
                    product: "latte".into(),
                    name: "Oat latte".into(),
                    variant: "Large".into(),
                    quantity: 1,
                    unit_price: 3200,
                }],
                total: 3200,
            })
        );
        let wrong_total = [line("bun", "", 2, 1200)];
        assert!(matches!(
            price(&cafe(), &wrong_total, 1200),
            Err(Refusal::PriceChanged { total: 2400, .. })
        ));
    }

    #[test]
    fn unknown_products_choices_and_quantities_are_named_by_line() {
        let d = cafe();
        assert_eq!(price(&d, &[], 0), Err(Refusal::NoLines));
        assert_eq!(
            price(&d, &[line("bun", "", 1, 1200), line("tea", "", 1, 1)], 0),
            Err(Refusal::UnknownProduct { index: 1 })
        );
        assert_eq!(
            price(&d, &[line("latte", "Huge", 1, 3200)], 3200),
            Err(Refusal::UnknownVariant { index: 0 })
        );
        assert_eq!(
            price(&d, &[line("bun", "Large", 1, 1200)], 1200),
            Err(Refusal::UnknownVariant { index: 0 })
        );
        assert_eq!(
            price(&d, &[line("bun", "", 0, 1200)], 0),
            Err(Refusal::BadQuantity { index: 0 })
        );
        assert_eq!(
            price(&d, &[line("bun", "", 100, 1200)], 120_000),
            Err(Refusal::BadQuantity { index: 0 })
        );
        let many: Vec<LineIn> = (0..51).map(|_| line("bun", "", 1, 1200)).collect();
        assert_eq!(price(&d, &many, 0), Err(Refusal::TooManyLines));
    }
}
