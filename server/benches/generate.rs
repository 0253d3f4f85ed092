//! Package generation speed: the three starters, a 200-product shop, and a 30-page site
//! (throughput in pages per second). Run: `cargo bench -p server --bench generate`.
use app::i18n::Lang;
use app::model::site::BlockKind;
use app::model::site::{Block, Page, Product, Site};
use app::model::ThemeKind;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use server::generator::{builtin_theme, generate, generate_with_images, theme::starter_json};
use server::preview::{PreviewOptions, Previewer};

fn starter(t: ThemeKind) -> Site {
    serde_json::from_str(starter_json(t, Lang::En)).expect("starter parses")
}

/// The shop starter with 200 products over its categories.
pub fn big_shop() -> Site {
    let mut site = starter(ThemeKind::Shop);
    let template = site.data.products[0].clone();
    site.data.products = (0..200)
        .map(|i| Product {
            id: format!("p{i}"),
            name: format!("Product {i}"),
            category: Some(if i % 2 == 0 { "coffee" } else { "bakery" }.into()),
            ..template.clone()
        })
        .collect();
    site.pages[0]
        .blocks
        .retain(|b| !matches!(b.kind, BlockKind::FeaturedProduct { .. }));
    site
}

/// 30 pages (the maximum) of 20 blocks each.
fn many_pages() -> Site {
    let mut site = starter(ThemeKind::Info);
    let blocks: Vec<Block> = (0..20)
        .map(|j| Block {
            id: format!("b{j}"),
            hidden: false,
            kind: BlockKind::RichText {
                title: format!("Section {j}"),
                paragraphs: vec!["Text ".repeat(40)],
            },
        })
        .collect();
    site.pages.extend((2..30).map(|i| Page {
        id: format!("page{i}"),
        title: format!("Page {i}"),
        blocks: blocks.clone(),
    }));
    site
}

/// A shop whose product pictures pass the 2 MB main package: the spill path (pages that are
/// not tabs, with their own pictures, move to subpackages).
fn spilling_shop() -> (Site, std::collections::BTreeMap<String, Vec<u8>>) {
    let mut site = starter(ThemeKind::Shop);
    let mut images = std::collections::BTreeMap::new();
    for (i, p) in site.data.products.iter_mut().enumerate() {
        p.images = vec![format!("/images/card{i}.jpg")];
        // The grid's pictures stay in the main package (the grid is on a tab page).
        let card = (0..150 * 1024u32)
            .map(|k| (k.wrapping_mul(2_246_822_519) >> 11) as u8 ^ i as u8)
            .collect();
        images.insert(format!("images/card{i}.jpg"), card);
        for j in 0..4u8 {
            // Incompressible bytes: the size check counts bytes, not pixels.
            let detail = (0..100 * 1024u32)
                .map(|k| (k.wrapping_mul(2_654_435_761) >> 13) as u8 ^ (i as u8 * 4 + j))
                .collect();
            p.images.push(format!("/images/detail{i}_{j}.jpg"));
            images.insert(format!("images/detail{i}_{j}.jpg"), detail);
        }
    }
    (site, images)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("generate");
    for t in ThemeKind::ALL {
        let (site, theme) = (starter(t), builtin_theme(t));
        g.throughput(Throughput::Elements(site.pages.len() as u64));
        g.bench_function(format!("starter_{}", t.slug()), |b| {
            b.iter(|| generate(&site, theme).unwrap())
        });
    }
    let (site, theme) = (big_shop(), builtin_theme(ThemeKind::Shop));
    assert!(site.validate(Lang::En).is_empty());
    g.throughput(Throughput::Elements(site.pages.len() as u64));
    g.bench_function("shop_200_products", |b| {
        b.iter(|| generate(&site, theme).unwrap())
    });
    let (site, theme) = (many_pages(), builtin_theme(ThemeKind::Info));
    assert!(
        site.validate(Lang::En).is_empty(),
        "{:?}",
        site.validate(Lang::En)
    );
    g.throughput(Throughput::Elements(site.pages.len() as u64));
    g.bench_function("info_30_pages", |b| {
        b.iter(|| generate(&site, theme).unwrap())
    });
    let (site, images) = spilling_shop();
    let theme = builtin_theme(ThemeKind::Shop);
    let pkg = generate_with_images(&site, theme, images.clone()).unwrap();
    assert!(
        pkg.files.keys().any(|p| p.starts_with("p/")),
        "the bench site spills"
    );
    g.throughput(Throughput::Elements(site.pages.len() as u64));
    g.bench_function("shop_spill_over_2mb", |b| {
        b.iter(|| generate_with_images(&site, theme, images.clone()).unwrap())
    });
    g.finish();

    // The editor's preview of a 300-block page: prepare (CSS, view model) and render the body.
    let mut site = starter(ThemeKind::Shop);
    let blocks = site.pages[0].blocks.clone();
    site.pages[0].blocks = (0..300)
        .map(|i| {
            let mut b = blocks[i % blocks.len()].clone();
            b.id = format!("b{i}");
            b
        })
        .collect();
    let theme = builtin_theme(ThemeKind::Shop);
    let opts = PreviewOptions {
        image_url: &|_| None,
        mark_blocks: true,
    };
    let mut g = c.benchmark_group("preview");
    g.bench_function("page_300_blocks", |b| {
        b.iter(|| {
            Previewer::new(&site, theme)
                .unwrap()
                .body(0, &opts)
                .unwrap()
        })
    });
    let prepared = Previewer::new(&site, theme).unwrap();
    g.bench_function("page_300_blocks_body_only", |b| {
        b.iter(|| prepared.body(0, &opts).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
