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
    assert!(text.starts_with("{\"mpforge_export\":1"));
    assert!(text.contains("\"users_by_login\""));

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
        stderr(&again).contains("import into an empty one"),
        "{}",
        stderr(&again)
    );
}
