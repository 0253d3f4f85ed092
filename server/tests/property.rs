//! Random valid sites always generate packages that pass our own structural checks.
use app::i18n::Lang;
use app::model::site::*;
use app::model::site::{BlockKind, Slide};
use app::model::theme::ThemeSettings;
use app::model::ThemeKind;
use proptest::prelude::*;
use server::generator::{builtin_theme, generate, MAIN_PACKAGE_LIMIT};
use std::collections::HashSet;

fn text(max: usize) -> impl Strategy<Value = String> {
    // Hostile characters, CJK, emoji and line separators mixed with plain words.
    proptest::string::string_regex(&format!(
        "[a-zA-Z0-9 咖啡店美发{{}}<>\"'&/\u{2028}🍵]{{1,{max}}}"
    ))
    .unwrap()
    .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn color() -> impl Strategy<Value = String> {
    "#[0-9a-f]{6}"
}

const ICONS: [Icon; 12] = Icon::ALL;

fn block_kind(pages: usize, products: usize, services: usize) -> impl Strategy<Value = BlockKind> {
    let page = (0..pages).prop_map(|i| format!("p{i}"));
    let mut options: Vec<BoxedStrategy<BlockKind>> = vec![
        text(30)
            .prop_map(|title| BlockKind::Banner {
                slides: vec![Slide {
                    image: String::new(),
                    title,
                    subtitle: String::new(),
                    link: None,
                }],
            })
            .boxed(),
        prop::collection::vec(text(200), 1..3)
            .prop_map(|paragraphs| BlockKind::RichText {
                title: String::new(),
                paragraphs,
            })
            .boxed(),
        text(100)
            .prop_map(|text| BlockKind::NoticeBar { text })
            .boxed(),
        (2u8..=3)
            .prop_map(|columns| BlockKind::ProductGrid {
                title: String::new(),
                category: None,
                columns,
            })
            .boxed(),
        Just(BlockKind::ProductList {
            title: String::new(),
        })
        .boxed(),
        Just(BlockKind::ServiceList {
            title: String::new(),
        })
        .boxed(),
        Just(BlockKind::OpeningHours {
            title: String::new(),
        })
        .boxed(),
        Just(BlockKind::LocationMap {
            title: String::new(),
        })
        .boxed(),
        Just(BlockKind::ContactCard {
            title: String::new(),
        })
        .boxed(),
        (2u8..=4)
            .prop_map(|columns| BlockKind::Gallery {
                title: String::new(),
                columns,
            })
            .boxed(),
        (0u16..=400)
            .prop_map(|height| BlockKind::Spacer { height })
            .boxed(),
        Just(BlockKind::Divider {}).boxed(),
        (text(20), page)
            .prop_map(|(label, page)| BlockKind::LinkButton { label, page })
            .boxed(),
        text(20)
            .prop_map(|label| BlockKind::BookingButton {
                label,
                service: None,
            })
            .boxed(),
    ];
    if products > 0 {
        options.push(
            (0..products)
                .prop_map(|i| BlockKind::FeaturedProduct {
                    product: format!("x{i}"),
                })
                .boxed(),
        );
    }
    if services > 0 {
        options.push(
            (text(20), 0..services)
                .prop_map(|(label, i)| BlockKind::BookingButton {
                    label,
                    service: Some(format!("s{i}")),
                })
                .boxed(),
        );
    }
    proptest::strategy::Union::new(options)
}

fn site() -> impl Strategy<Value = Site> {
    (
        1usize..6,
        0usize..6,
        0usize..4,
        prop::sample::select(ThemeKind::ALL.to_vec()),
    )
        .prop_flat_map(|(pages, products, services, template)| {
            let page_list = prop::collection::vec(
                (
                    text(20).prop_map(|t| t.chars().take(20).collect::<String>()),
                    prop::collection::vec(
                        (block_kind(pages, products, services), any::<bool>()),
                        0..8,
                    ),
                ),
                pages,
            );
            let product_list = prop::collection::vec(
                (text(60), 1u64..100_000, prop::option::of(0u32..5)),
                products,
            );
            let service_list =
                prop::collection::vec((text(60), 5u16..=600, 0u64..100_000), services);
            let tabs = prop::sample::subsequence((0..pages).collect::<Vec<_>>(), 0..=pages.min(5));
            let icons = prop::collection::vec(prop::sample::select(ICONS.to_vec()), 5);
            (
                page_list,
                product_list,
                service_list,
                tabs,
                icons,
                color(),
                color(),
                Just(template),
            )
        })
        .prop_map(
            |(pages, products, services, tabs, icons, primary, accent, template)| {
                let pages: Vec<Page> = pages
                    .into_iter()
                    .enumerate()
                    .map(|(i, (title, blocks))| Page {
                        id: format!("p{i}"),
                        title,
                        blocks: blocks
                            .into_iter()
                            .enumerate()
                            .map(|(j, (kind, hidden))| Block {
                                id: format!("b{j}"),
                                hidden,
                                kind,
                            })
                            .collect(),
                    })
                    .collect();
                let mut tab_pages: Vec<usize> = tabs;
                if !tab_pages.is_empty() && tab_pages[0] != 0 {
                    tab_pages.insert(0, 0);
                    tab_pages.truncate(5);
                }
                let tab_bar = (tab_pages.len() >= 2).then(|| TabBar {
                    color: "#7a7e83".into(),
                    selected_color: primary.clone(),
                    background: "#ffffff".into(),
                    items: tab_pages
                        .iter()
                        .zip(&icons)
                        .map(|(p, icon)| TabItem {
                            page: format!("p{p}"),
                            text: format!("T{p}"),
                            icon: *icon,
                        })
                        .collect(),
                });
                Site {
                    schema_version: SITE_SCHEMA_VERSION,
                    name: "Property".into(),
                    locale: Lang::Zh,
                    appid: None,
                    api_base: Some("https://api.example.com".into()),
                    logo: None,
                    theme: ThemeSettings {
                        template,
                        primary,
                        accent,
                        background: "#fafafa".into(),
                        text: "#222222".into(),
                        font_scale: 1.0,
                        radius: 12,
                    },
                    pages,
                    tab_bar,
                    data: MerchantData {
                        products: products
                            .into_iter()
                            .enumerate()
                            .map(|(i, (name, price, stock))| Product {
                                id: format!("x{i}"),
                                name: name.chars().take(60).collect(),
                                description: String::new(),
                                images: vec![],
                                price,
                                compare_at: None,
                                stock,
                                category: None,
                                options: vec![],
                                variants: vec![],
                            })
                            .collect(),
                        services: services
                            .into_iter()
                            .enumerate()
                            .map(|(i, (name, duration_min, price))| Service {
                                id: format!("s{i}"),
                                name: name.chars().take(60).collect(),
                                description: String::new(),
                                duration_min,
                                buffer_min: 0,
                                price,
                                image: None,
                                staff: vec![],
                            })
                            .collect(),
                        ..Default::default()
                    },
                }
            },
        )
}

/// U+2028 LINE SEPARATOR (a constant: `prop_assert!` cannot quote braces).
const LS: char = '\u{2028}';

const APP_KEYS: [&str; 6] = [
    "pages",
    "window",
    "tabBar",
    "style",
    "sitemapLocation",
    "lazyCodeLoading",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_sites_generate_sound_packages(site in site()) {
        prop_assert_eq!(site.validate(Lang::En), vec![]);
        let pkg = generate(&site, builtin_theme(site.theme.template)).unwrap();
        let app: serde_json::Value = serde_json::from_slice(&pkg.files["app.json"]).unwrap();
        for key in app.as_object().unwrap().keys() {
            prop_assert!(APP_KEYS.contains(&key.as_str()), "unknown app.json key {}", key);
        }
        let pages: HashSet<&str> = app["pages"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        for page in &pages {
            for ext in ["js", "json", "wxml", "wxss"] {
                prop_assert!(pkg.files.contains_key(&format!("{page}.{ext}")), "{}.{} missing", page, ext);
            }
        }
        if let Some(tb) = app.get("tabBar") {
            let list = tb["list"].as_array().unwrap();
            prop_assert!((2..=5).contains(&list.len()));
            for item in list {
                prop_assert!(pages.contains(item["pagePath"].as_str().unwrap()));
                for k in ["iconPath", "selectedIconPath"] {
                    let icon = &pkg.files[item[k].as_str().unwrap()];
                    prop_assert!(icon.len() < 40 * 1024);
                }
            }
        }
        for (path, bytes) in &pkg.files {
            if path.ends_with(".wxml") || path.ends_with(".wxss") || path == "app.json" {
                let text = std::str::from_utf8(bytes).unwrap();
                prop_assert!(!text.contains("🍵") && !text.contains(LS), "merchant text leaked into {}", path);
            }
        }
        let data = std::str::from_utf8(&pkg.files["data/site.js"]).unwrap();
        prop_assert!(!data.contains(LS));
        prop_assert!(pkg.total_bytes() < MAIN_PACKAGE_LIMIT);
    }
}
