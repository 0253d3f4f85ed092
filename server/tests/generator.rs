//! The generator over the starter sites and hostile content.
use app::i18n::Lang;
use app::model::site::Site;
use app::model::ThemeKind;
use server::generator::{builtin_theme, generate, theme::starter_json};

fn starter(t: ThemeKind, lang: Lang) -> Site {
    serde_json::from_str(starter_json(t, lang))
        .unwrap_or_else(|e| panic!("{t:?} {lang:?} starter: {e}"))
}

#[test]
fn every_starter_is_valid_and_generates_a_complete_package() {
    for t in ThemeKind::ALL {
        for lang in Lang::ALL {
            let site = starter(t, lang);
            assert_eq!(site.validate(Lang::En), vec![], "{t:?} {lang:?}");
            let pkg = generate(&site, builtin_theme(t)).unwrap();
            for f in [
                "app.js",
                "app.json",
                "app.wxss",
                "project.config.json",
                "sitemap.json",
                "data/site.js",
            ] {
                assert!(pkg.files.contains_key(f), "{t:?}: {f} missing");
            }
            let app: serde_json::Value = serde_json::from_slice(&pkg.files["app.json"]).unwrap();
            for page in app["pages"].as_array().unwrap() {
                for ext in ["js", "json", "wxml", "wxss"] {
                    let path = format!("{}.{ext}", page.as_str().unwrap());
                    assert!(
                        pkg.files.contains_key(&path),
                        "{t:?}: {path} listed in app.json but missing"
                    );
                }
            }
            assert!(
                pkg.total_bytes() < 200 * 1024,
                "{t:?} starter is {} bytes",
                pkg.total_bytes()
            );
        }
    }
}

#[test]
fn generation_is_deterministic() {
    let site = starter(ThemeKind::Shop, Lang::Zh);
    let theme = builtin_theme(ThemeKind::Shop);
    let (a, b) = (
        generate(&site, theme).unwrap(),
        generate(&site, theme).unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!(
        a.to_zip().unwrap(),
        b.to_zip().unwrap(),
        "zip bytes are reproducible"
    );
}

#[test]
fn hostile_text_stays_data() {
    let mut site = starter(ThemeKind::Shop, Lang::En);
    let evil =
        "</view><script>alert(1)</script>{{x}} \" ' \u{2028} 🍵 ".to_string() + &"长".repeat(50);
    site.name = "</view>{{name}}\"".into();
    site.data.products[0].name = evil.chars().take(60).collect();
    site.data.products[0].description = evil.clone();
    let pkg = generate(&site, builtin_theme(ThemeKind::Shop)).unwrap();
    for (path, bytes) in &pkg.files {
        let text = String::from_utf8_lossy(bytes);
        if path.ends_with(".wxml") || path.ends_with(".wxss") {
            assert!(
                !text.contains("alert(1)") && !text.contains("{{x}}") && !text.contains("{{name}}"),
                "{path} carries merchant text"
            );
        }
    }
    let data = String::from_utf8(pkg.files["data/site.js"].clone()).unwrap();
    assert!(data.contains("\\u2028") && !data.contains('\u{2028}'));
    assert!(
        data.contains("\\\"") && data.contains("{{x}}"),
        "kept as JSON string data"
    );
    let app_js = String::from_utf8(pkg.files["app.js"].clone()).unwrap();
    assert!(
        app_js.starts_with("// \"</view>{{name}}\\\"\""),
        "name only in a JSON string: {app_js}"
    );
}

#[test]
fn invalid_sites_are_refused_with_every_problem_and_its_path() {
    let mut site = starter(ThemeKind::Booking, Lang::En);
    site.theme.primary = "green".into();
    site.pages[0].blocks[1].id = "hero".into();
    site.data.services[0].staff.push("ghost".into());
    site.tab_bar.as_mut().unwrap().items.truncate(1);
    site.data.services[0].buffer_min = 300;
    let mut own = vec![
        app::model::site::DayHours {
            closed: false,
            open: "12:00".into(),
            close: "11:00".into(),
        };
        6
    ];
    own[1].open = "25:00".into();
    site.data.staff[0].hours = Some(own);
    let err = generate(&site, builtin_theme(ThemeKind::Booking))
        .unwrap_err()
        .to_string();
    for needle in [
        "theme.primary: \"green\" is not a colour",
        "pages[0].blocks[1].id: \"hero\" is used twice",
        "data.services[0].staff[2]: \"ghost\" does not exist",
        "tab_bar.items: WeChat's tab bar needs 2 to 5 items",
        "data.services[0].buffer_min:",
        "data.staff[0].hours: Opening hours need all seven days",
        "data.staff[0].hours[0].close: Closing time must be after opening time.",
        "data.staff[0].hours[1].open: \"25:00\"",
    ] {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }
    let zh = site.validate(Lang::Zh);
    assert!(
        zh.iter()
            .any(|p| p.path == "theme.primary" && p.message.contains("不是颜色")),
        "{zh:?}"
    );
}

#[test]
fn images_are_processed_embedded_and_bad_ones_named_by_field() {
    use server::generator::{assets::embed_images, generate_with_images};
    use server::media::MediaCache;
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        1600,
        900,
        image::Rgb([200, 80, 20]),
    ))
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    let mut site = starter(ThemeKind::Shop, Lang::En);
    site.pages[0].blocks[0].kind = app::model::site::BlockKind::Banner {
        slides: vec![app::model::site::Slide {
            image: "hero.png".into(),
            title: String::new(),
            subtitle: String::new(),
            link: None,
        }],
    };
    // Only this test's files: the other products keep no starter picture.
    for p in &mut site.data.products[1..] {
        p.images.clear();
    }
    site.data.products[0].images = vec!["hero.png".into(), "notes.txt".into()];
    let load = |r: &str| match r {
        "hero.png" => Ok(png.clone()),
        "notes.txt" => Ok(b"just text".to_vec()),
        other => Err(format!("no file {other}")),
    };
    let cache = MediaCache::default();
    for (lang, said) in [
        (Lang::En, "this is not an image"),
        (Lang::Zh, "这不是可读取的图片"),
    ] {
        let err = embed_images(&site, &cache, lang, load)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("data.products[0].images[1]: notes.txt: {said}")),
            "{err}"
        );
    }

    site.data.products[0].images.truncate(1);
    let (embedded, images) = embed_images(&site, &cache, Lang::En, load).unwrap();
    assert_eq!(
        images.len(),
        2,
        "banner and product crops of the same file are two images"
    );
    let pkg = generate_with_images(&embedded, builtin_theme(ThemeKind::Shop), images).unwrap();
    let data = String::from_utf8(pkg.files["data/site.js"].clone()).unwrap();
    for (path, bytes) in pkg
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("images/") && !p.starts_with("images/tab/"))
    {
        assert!(bytes.len() <= 200 * 1024);
        assert!(
            data.contains(&format!("/{path}")),
            "{path} referenced from the data"
        );
    }
}
