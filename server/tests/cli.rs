//! The operator commands of the `mpforge` binary, run as a user would.
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn mpforge(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mpforge"))
        .args(args)
        .env_remove("MPFORGE_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn create_agency_export_and_import_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let dump = dir.path().join("dump.jsonl");
    let dump = dump.to_str().unwrap();

    let weak = mpforge(
        &[
            "--data-dir",
            a,
            "create-agency",
            "--name",
            "Acme",
            "--login",
            "admin@acme.test",
        ],
        "short\n",
    );
    assert!(!weak.status.success());
    assert!(
        stderr(&weak).contains("at least 10 characters"),
        "{}",
        stderr(&weak)
    );
    assert!(
        !stderr(&weak).contains("backtrace"),
        "operator errors carry no backtrace"
    );

    let ok = mpforge(
        &[
            "--data-dir",
            a,
            "create-agency",
            "--name",
            "Acme",
            "--login",
            "admin@acme.test",
        ],
        "long-enough-pass\n",
    );
    assert!(ok.status.success(), "{}", stderr(&ok));

    let export = mpforge(&["--data-dir", a, "export-data", "--out", dump], "");
    assert!(export.status.success(), "{}", stderr(&export));
    let text = std::fs::read_to_string(dump).unwrap();
    assert!(text.starts_with("{\"mpforge_export\":2"));
    assert!(text.contains("\"record\":\"user\""));
    assert!(text.trim_end().ends_with('}') && text.contains("{\"end\":"));

    let import = mpforge(&["--data-dir", b, "import-data", dump], "");
    assert!(import.status.success(), "{}", stderr(&import));
    // The restored login index is live: the same login cannot be created again.
    let dup = mpforge(
        &[
            "--data-dir",
            b,
            "create-agency",
            "--name",
            "Dup",
            "--login",
            "ADMIN@acme.test",
        ],
        "long-enough-pass\n",
    );
    assert!(stderr(&dup).contains("already in use"), "{}", stderr(&dup));
    // Restoring over existing data is refused.
    let again = mpforge(&["--data-dir", b, "import-data", dump], "");
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("import into an empty store"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn site_commands_new_check_generate_and_preview() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let new = mpforge(&["new-site", "--template", "shop"], "");
    assert!(new.status.success(), "{}", stderr(&new));
    let mut site: serde_json::Value = serde_json::from_slice(&new.stdout).unwrap();

    // An image beside the site JSON, used by the banner.
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        64,
        48,
        image::Rgb([20, 120, 200]),
    ))
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    std::fs::write(path("hero.png"), &png).unwrap();
    site["pages"][0]["blocks"][0]["slides"][0]["image"] = "hero.png".into();
    site["pages"][0]["blocks"][1]["text"] = "<b>{{x}}</b> & more".into();
    std::fs::write(path("site.json"), site.to_string()).unwrap();

    let check = mpforge(&["check", &path("site.json")], "");
    assert!(check.status.success(), "{}", stderr(&check));

    // A missing picture and a mistake elsewhere are both reported, each with its path.
    let mut broken = site.clone();
    broken["pages"][0]["blocks"][0]["slides"][0]["image"] = "gone.png".into();
    broken["pages"][0]["title"] = "".into();
    std::fs::write(path("broken.json"), broken.to_string()).unwrap();
    let check = mpforge(&["check", &path("broken.json")], "");
    assert!(!check.status.success());
    let said = stderr(&check);
    assert!(
        said.contains("pages[0].blocks[0].slides[0].image"),
        "{said}"
    );
    assert!(said.contains("gone.png: cannot read"), "{said}");
    assert!(said.contains("pages[0].title"), "{said}");
    // Values of the wrong type: every one, not only the first.
    let mut mistyped = site.clone();
    mistyped["data"]["products"][0]["price"] = "a lot".into();
    mistyped["data"]["products"][1]["name"] = 3.into();
    std::fs::write(path("mistyped.json"), mistyped.to_string()).unwrap();
    let check = mpforge(&["check", &path("mistyped.json")], "");
    assert!(!check.status.success());
    let said = stderr(&check);
    assert!(
        said.contains("data.products[0].price") && said.contains("data.products[1].name"),
        "{said}"
    );
    // Each subcommand's help lists its own flags only, each explained.
    let help = mpforge(&["generate", "--help"], "");
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    assert!(
        help.contains("--out") && help.contains("a directory, or a file ending in .zip"),
        "{help}"
    );
    assert!(
        !help.contains("--addr") && !help.contains("--trusted-proxy"),
        "{help}"
    );

    let gen = mpforge(
        &["generate", &path("site.json"), "--out", &path("pkg.zip")],
        "",
    );
    assert!(gen.status.success(), "{}", stderr(&gen));
    let summary = String::from_utf8_lossy(&gen.stdout);
    assert!(
        summary.contains("pages")
            && summary.contains("main package")
            && summary.contains("(limit 2048 KB each)"),
        "{summary}"
    );

    let out = path("home.html");
    let pv = mpforge(
        &["preview", &path("site.json"), "--page", "1", "--out", &out],
        "",
    );
    assert!(pv.status.success(), "{}", stderr(&pv));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!doctype html>"), "a complete document");
    assert!(html.contains("Slow coffee, warm bread"), "the banner title");
    assert!(
        html.contains("&lt;b&gt;{{x}}&lt;/b&gt; &amp; more"),
        "merchant text escaped"
    );
    assert!(
        html.contains("src=\"data:image/jpeg;base64,"),
        "the banner image is embedded"
    );
    let by_id = mpforge(
        &[
            "preview",
            &path("site.json"),
            "--page",
            "menu",
            "--out",
            &path("m.html"),
        ],
        "",
    );
    assert!(by_id.status.success(), "{}", stderr(&by_id));

    let missing = mpforge(
        &["preview", &path("site.json"), "--page", "7", "--out", &out],
        "",
    );
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("give a number from 1 to 3 or one of the ids home, menu, visit"),
        "{}",
        stderr(&missing)
    );

    site["pages"][0]["blocks"][0]["slides"][0]["image"] = "nope.png".into();
    std::fs::write(path("bad.json"), site.to_string()).unwrap();
    let bad = mpforge(&["preview", &path("bad.json"), "--out", &out], "");
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("pages[0].blocks[0].slides[0].image"),
        "{}",
        stderr(&bad)
    );
}

/// A store or blob store that cannot be used stops start-up at once with one line saying why.
#[test]
fn an_unusable_store_stops_start_up_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = format!("file://{}", dir.path().join("blobs").display());
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "--store",
                "postgres://nobody@127.0.0.1:1/mp",
                "--blobs",
                &blobs,
            ],
            "cannot reach postgres at 127.0.0.1:1/mp",
        ),
        (
            &["--store", "postgres://nobody@127.0.0.1:1/mp"],
            "a PostgreSQL store needs a shared blob store",
        ),
        (
            &["--store", "mysql://db/mp"],
            "`--store mysql://db/mp` is not a store",
        ),
        (
            &[
                "--store",
                &format!("sled:{}", dir.path().join("d").display()),
                "--blobs",
                "ftp://x",
            ],
            "`--blobs ftp://x`: not a blob store",
        ),
    ];
    for (args, says) in cases {
        let out = mpforge(args, "");
        assert!(!out.status.success(), "{args:?}");
        let err = stderr(&out);
        let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(lines[0].contains(says), "{args:?}: {err}");
    }
}

/// The README's order of commands to move from one machine to several: export from sled,
/// import into PostgreSQL with a blob folder, then back, each import checking counts and hashes.
#[tokio::test]
async fn data_moves_from_sled_to_postgres_and_back_with_the_commands() {
    let Ok(url) = std::env::var("MPFORGE_TEST_PG") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must test against PostgreSQL: run the tests through .ci/with-services"
        );
        eprintln!("MPFORGE_TEST_PG is not set: skipped");
        return;
    };
    let db = format!("mv_{}", ulid::Ulid::new().to_string().to_lowercase());
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&admin)
        .await
        .unwrap();
    let mut pg = url::Url::parse(&url).unwrap();
    pg.set_path(&db);
    let pg = pg.to_string();
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (sled_a, sled_b, blobs) = (p("a"), p("b"), format!("file://{}", p("blobs")));
    let (dump, back) = (p("dump.jsonl"), p("back.jsonl"));
    let ok = |o: Output| {
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    };
    ok(mpforge(
        &[
            "--data-dir",
            &sled_a,
            "create-agency",
            "--name",
            "Acme",
            "--login",
            "admin@acme.test",
        ],
        "long-enough-pass\n",
    ));
    let exported = ok(mpforge(
        &["--data-dir", &sled_a, "export-data", "--out", &dump],
        "",
    ));
    assert!(exported.contains("1 agencies"), "{exported}");
    let imported = ok(mpforge(
        &["--store", &pg, "--blobs", &blobs, "import-data", &dump],
        "",
    ));
    assert!(imported.contains("counts and hashes checked"), "{imported}");
    // The agency is there, on PostgreSQL.
    ok(mpforge(
        &[
            "--store",
            &pg,
            "--blobs",
            &blobs,
            "jobs",
            "--agency",
            "admin@acme.test",
        ],
        "",
    ));
    ok(mpforge(
        &[
            "--store",
            &pg,
            "--blobs",
            &blobs,
            "export-data",
            "--out",
            &back,
        ],
        "",
    ));
    let again = ok(mpforge(&["--data-dir", &sled_b, "import-data", &back], ""));
    let records = |s: &str| {
        s.split(": ")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(records(&exported), records(&again), "{exported} / {again}");
}

/// `mpforge qr` writes a code a phone reads back as the link, in PNG or SVG, with a logo.
#[test]
fn qr_codes_are_written_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let url = "https://mp.example.com/s/01JDQ3Z8K4W5X6Y7Z8A9B0C1D2";
    let logo = image::RgbImage::from_pixel(64, 64, image::Rgb([220, 30, 30]));
    image::DynamicImage::ImageRgb8(logo)
        .save(path("logo.png"))
        .unwrap();
    let out = mpforge(
        &[
            "qr",
            "--url",
            url,
            "--out",
            &path("code.png"),
            "--size",
            "640",
            "--logo",
            &path("logo.png"),
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let img = image::open(path("code.png")).unwrap().to_luma8();
    assert_eq!(img.dimensions(), (640, 640));
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids[0].decode().unwrap().1, url);
    let out = mpforge(&["qr", "--url", url, "--out", &path("code.svg")], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(path("code.svg"))
        .unwrap()
        .starts_with("<svg"));
    for (args, says) in [
        (
            vec!["qr", "--url", url, "--out", "x.gif"],
            "must end in .png or .svg",
        ),
        (
            vec!["qr", "--url", url, "--out", "x.png", "--size", "100"],
            "between 280 and 1280",
        ),
        (vec!["qr", "--url", "", "--out", "x.png"], "nothing to put"),
    ] {
        let out = mpforge(&args, "");
        assert!(!out.status.success());
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
}

#[test]
fn set_platform_seals_its_secrets_names_bad_fields_and_the_export_keeps_them_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let data = data.to_str().unwrap();
    let ok = mpforge(
        &[
            "--data-dir",
            data,
            "create-agency",
            "--name",
            "Acme",
            "--login",
            "admin@acme.test",
        ],
        "correct horse battery\n",
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    let set = |aes: &str, template: &str| {
        mpforge(
            &[
                "--data-dir",
                data,
                "set-platform",
                "--agency",
                "admin@acme.test",
                "--component-appid",
                "wxfa4e000000000001",
                "--token",
                "faketoken",
                "--aes-key",
                aes,
                "--template",
                template,
                "--contact-email",
                "p@acme.test",
            ],
            "the-platform-secret\n",
        )
    };
    let bad = set("short", "shop=x");
    assert!(!bad.status.success());
    let text = stderr(&bad);
    assert!(
        text.contains("aes_key:") && text.contains("template.shop:"),
        "{text}"
    );
    let good = set("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "shop=12");
    assert!(good.status.success(), "{}", stderr(&good));
    assert!(
        dir.path().join("d/secret.key").exists(),
        "the key lives beside the data, not in it"
    );
    let dump = dir.path().join("dump.jsonl");
    let out = mpforge(
        &[
            "--data-dir",
            data,
            "export-data",
            "--out",
            dump.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&dump).unwrap();
    assert!(text.contains("wx-platform") && text.contains("sealed1:"));
    assert!(
        !text.contains("the-platform-secret")
            && !text.contains("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
    );
    let unknown = mpforge(
        &[
            "--data-dir",
            data,
            "set-platform",
            "--agency",
            "nobody@acme.test",
            "--component-appid",
            "wxfa4e000000000001",
        ],
        "x\n",
    );
    assert!(stderr(&unknown).contains("no agency admin signs in as `nobody@acme.test`"));
}

#[test]
fn the_platform_template_of_each_theme_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for theme in ["shop", "booking", "info"] {
        let out = dir.path().join(theme);
        let o = mpforge(
            &["template", "--theme", theme, "--out", out.to_str().unwrap()],
            "",
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(out.join("pages/p30/index.wxml").exists());
        assert!(std::fs::read_to_string(out.join("data/site.js"))
            .unwrap()
            .contains("getExtConfigSync"));
    }
    let zip = dir.path().join("shop.zip");
    assert!(mpforge(
        &[
            "template",
            "--theme",
            "shop",
            "--out",
            zip.to_str().unwrap()
        ],
        ""
    )
    .status
    .success());
    assert!(std::fs::metadata(&zip).unwrap().len() > 10_000);
    let bad = mpforge(&["template", "--theme", "blog", "--out", "x"], "");
    assert!(!bad.status.success());
}

#[test]
fn create_token_prints_a_token_once_that_the_store_knows_only_by_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let data = data.to_str().unwrap();
    let ok = mpforge(
        &[
            "--data-dir",
            data,
            "create-agency",
            "--name",
            "Acme",
            "--login",
            "admin@acme.test",
        ],
        "correct horse battery\n",
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    let made = mpforge(
        &[
            "--data-dir",
            data,
            "create-token",
            "--agency",
            "admin@acme.test",
            "--name",
            "till sync",
        ],
        "",
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let token = String::from_utf8(made.stdout.clone())
        .unwrap()
        .trim()
        .to_string();
    assert!(token.starts_with("mpf_") && token.len() > 90, "{token}");
    assert!(stderr(&made).contains("shown this once"));
    let dump = dir.path().join("dump.jsonl");
    let out = mpforge(
        &[
            "--data-dir",
            data,
            "export-data",
            "--out",
            dump.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let dump = std::fs::read_to_string(dump).unwrap();
    assert!(dump.contains("till sync"), "the token's record is exported");
    let secret = token.rsplit('_').next().unwrap();
    assert!(!dump.contains(secret), "but never the token");
    let unnamed = mpforge(
        &[
            "--data-dir",
            data,
            "create-token",
            "--agency",
            "admin@acme.test",
            "--name",
            " ",
        ],
        "",
    );
    assert!(!unnamed.status.success());
    assert!(stderr(&unnamed).contains("Give the token a name"));
    let nobody = mpforge(
        &[
            "--data-dir",
            data,
            "create-token",
            "--agency",
            "x@acme.test",
            "--name",
            "n",
        ],
        "",
    );
    assert!(stderr(&nobody).contains("no agency admin signs in as `x@acme.test`"));
}
