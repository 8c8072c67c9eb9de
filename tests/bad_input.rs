//! Bad input: a clear one-line error naming the file and line, or a reported skip; never a
//! panic, and nothing lost silently.

use crate::util::*;

fn train_on(path: &std::path::Path) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    stancer(&["train", "--data", path.to_str().unwrap(), "--actors", fixture("actors.csv").to_str().unwrap(), "--out", dir.path().join("m").to_str().unwrap(), "--buckets", "12"])
}

#[test]
fn malformed_training_files_fail_with_file_and_line() {
    let cases = [
        ("bad/unbalanced.csv", "unbalanced.csv:"),
        ("bad/field_count.csv", "field_count.csv:2: expected 5 fields, found 4"),
        ("bad/unknown_label.csv", "unknown_label.csv:2: unknown stance label 'friendly'"),
        ("bad/one_class.csv", "head 'stance': needs at least 2 classes, found 1"),
        ("bad/invalid_utf8.csv", "invalid_utf8.csv:2: invalid UTF-8"),
        ("bad/missing_column.csv", "missing column 'stance'"),
        ("bad/empty.csv", "empty.csv: empty input"),
        ("bad/no_header.csv", "missing column 'text'"),
        ("articles", "is a directory"),
        ("no-such-file.csv", "no-such-file.csv: No such file"),
    ];
    for (name, want) in cases {
        let path = fixture(name);
        let o = if name == "bad/missing_column.csv" {
            let dir = tempfile::tempdir().unwrap();
            stancer(&["train", "--data", path.to_str().unwrap(), "--label-col", "stance", "--actors", fixture("actors.csv").to_str().unwrap(), "--out", dir.path().join("m").to_str().unwrap()])
        } else {
            train_on(&path)
        };
        assert_eq!(o.status.code(), Some(1), "{name}: {}", err(&o));
        let e = err(&o);
        assert!(e.contains(want), "{name}: expected {want:?} in {e:?}");
        assert!(!e.contains("panicked"), "{name} panicked: {e}");
        assert_eq!(e.lines().filter(|l| l.starts_with("error:")).count(), 1, "{name}: one error line");
    }
}

#[test]
fn unreadable_training_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("locked.csv");
    std::fs::write(&p, "id,text\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        return; // running as a user that ignores permissions (root): nothing to test
    }
    let o = train_on(&p);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("locked.csv"));
}

#[test]
fn row_level_problems_skip_with_warning_and_count() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mixed.csv");
    let mut body = std::fs::read_to_string(fixture("train.csv")).unwrap();
    body.push_str("z1-s01-a1,,Russia,hostile,negative\r\n");
    body.push_str("f01-s01-a1,Duplicate id row with a new text.,Japan,supportive,positive\n");
    body.push_str("z2-s01-a1,Atlantis protested loudly.,Atlantis,hostile,negative\n");
    std::fs::write(&p, body).unwrap();
    let o = train_on(&p);
    assert!(o.status.success(), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("mixed.csv:30: empty text"), "{e}");
    assert!(e.contains("duplicate id 'f01-s01-a1'"), "{e}");
    assert!(e.contains("not in the registry (Atlantis)"), "{e}");
    assert!(e.contains("(1 skipped)"), "{e}");
}

/// A bad row of a CSV or JSONL input is skipped with one line naming its file and line
/// once, and the good rows around it are classified.
#[test]
fn bad_input_rows_are_skipped_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let csv = dir.path().join("rows.csv");
    std::fs::write(&csv, "id,text\nr1,Seoul backs Kyiv.\nr2\nr3,Tokyo hedged.\n").unwrap();
    let jsonl = dir.path().join("rows.jsonl");
    std::fs::write(&jsonl, "{\"text\":\"Paris welcomed it.\"}\n\nnot json\n").unwrap();
    let o = stancer(&["classify", "--model", model.to_str().unwrap(), csv.to_str().unwrap(), jsonl.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let e = err(&o);
    let skips: Vec<&str> = e.lines().filter(|l| l.starts_with("skipped: ")).collect();
    assert_eq!(skips.len(), 3, "{e}");
    assert!(skips[0].ends_with("rows.csv:3: expected 2 fields, found 1"), "{e}");
    assert!(skips[1].ends_with("rows.jsonl:2: empty line"), "{e}");
    assert!(skips[2].contains("rows.jsonl:3: invalid JSON"), "{e}");
    for s in &skips {
        assert_eq!(s.matches("rows.").count(), 1, "file named once: {s}");
    }
    assert!(e.contains("summary: 6 documents read, 3 classified"), "{e}");
}

#[test]
fn bad_articles_are_reported_and_the_rest_classified() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let o = stancer(&["classify", "--model", model.to_str().unwrap(), fixture("articles").to_str().unwrap(), "missing.txt"]);
    assert!(o.status.success(), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("binary.txt: binary file"), "{e}");
    assert!(e.contains("empty.txt: empty document"), "{e}");
    assert!(e.contains("latin1.txt: invalid UTF-8 at byte 19"), "{e}");
    assert!(e.contains("skipped: missing.txt: cannot open"), "{e}");
    assert!(e.contains("summary: 6 documents read, 3 classified, 10 sentences"), "{e}");
    assert!(e.contains("3 skipped"), "{e}");
    // Every good document is complete: all its sentences appear.
    let rows: Vec<serde_json::Value> = out(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut seen: std::collections::BTreeMap<String, std::collections::BTreeSet<u64>> = Default::default();
    for r in &rows {
        seen.entry(r["doc"].as_str().unwrap().rsplit('/').next().unwrap().to_owned()).or_default().insert(r["sentence"].as_u64().unwrap());
    }
    // Title, three sentences, then two: every sentence of one.txt has a row.
    assert_eq!(seen["one.txt"].len(), 6, "{seen:?}");
    assert_eq!(seen["two.txt"].len(), 2);
    assert_eq!(seen["latin1.txt"].len(), 2);
    // --strict turns skips into exit status 3.
    let o = stancer(&["classify", "--strict", "--model", model.to_str().unwrap(), fixture("articles").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn huge_and_odd_articles_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let long = dir.path().join("long.txt");
    let mut s = "Moscow warned Kyiv and Tokyo backed Seoul ".repeat(2_500); // ~105,000 chars, no boundary
    s.push('.');
    std::fs::write(&long, &s).unwrap();
    // A 50 MB article on a single line: streamed in sentence batches.
    let line = dir.path().join("oneline.txt");
    std::fs::write(&line, "Seoul backs Kyiv, officials said on Monday. Moscow objects! ".repeat(840_000)).unwrap();
    assert!(std::fs::metadata(&line).unwrap().len() >= 50_000_000);
    let script = dir.path().join("script.txt");
    std::fs::write(&script, "Москва предупредила Киев. 北京呼吁克制。 ٱلْقَاهِرَة تدعو إلى الحوار. Tokyo backed Seoul.").unwrap();
    let o = stancer(&["classify", "--model", model.to_str().unwrap(), "-o", "/dev/null", long.to_str().unwrap(), line.to_str().unwrap(), script.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    // 105,000 chars are cut at whitespace into 7 pieces of at most 16 KiB; the 50 MB line
    // gives 1,680,000 sentences; the mixed-script text 3 ("。" is not a terminator here).
    assert!(err(&o).contains("3 documents read, 3 classified, 1680010 sentences"), "{}", err(&o));
}

#[test]
fn cli_misuse_is_a_usage_error() {
    let o = stancer(&["classify", "--no-such-flag", "x"]);
    assert_eq!(o.status.code(), Some(2));
    let o = stancer(&["evaluate", "--model", "m", "--folds", "3"]);
    assert_eq!(o.status.code(), Some(2), "conflicting flags");
    assert!(err(&o).contains("cannot be used with"));
    let o = stancer(&["classify"]);
    assert_eq!(o.status.code(), Some(2), "missing input");
    let o = stancer(&["train", "--char-ngrams", "5-3", "--data", fixture("train.csv").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("invalid parameter char_ngrams"), "{}", err(&o));
}

#[test]
fn output_into_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let o = stancer(&["classify", "--model", model.to_str().unwrap(), "-o", "/no/such/dir/out.jsonl", fixture("articles/two.txt").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("/no/such/dir/out.jsonl"), "{}", err(&o));
}

#[test]
fn closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let big = dir.path().join("big.txt");
    std::fs::write(&big, "Seoul backs Kyiv. Moscow objects! ".repeat(20_000)).unwrap();
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("'{}' classify --model '{}' '{}' | head -n 1 >/dev/null; echo \"status=${{PIPESTATUS:-}}\"", env!("CARGO_BIN_EXE_stancer"), model.display(), big.display()))
        .output()
        .unwrap();
    let e = err(&o);
    assert!(!e.contains("panicked"), "{e}");
    assert!(!e.contains("Broken pipe"), "{e}");
}

/// A quote that is never closed makes the csv reader take the rest of the file as one
/// field; that row is skipped with its file and line instead of being classified with the
/// following rows inside its text. A quoted field that is closed is read as usual.
#[test]
fn unclosed_quote_in_csv_input_is_reported_not_merged() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let csv = dir.path().join("open.csv");
    std::fs::write(&csv, "id,text\nr1,\"Seoul backs \"\"Kyiv\"\".\"\nr2,\"Tokyo hedged.\nr3,Paris agreed.\n").unwrap();
    let o = stancer(&["classify", "--model", model.to_str().unwrap(), csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("open.csv:3: a quoted field is not closed before the end of the file"), "{e}");
    assert!(e.contains("summary: 2 documents read, 1 classified"), "{e}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Seoul backs \\\"Kyiv\\\"."), "{out}");
    assert!(!out.contains("Paris agreed"), "{out}");
}
