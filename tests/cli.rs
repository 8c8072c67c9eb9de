//! The binary end to end on fixtures.

use crate::util::*;

#[test]
fn train_then_classify_articles_as_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let o = stancer(&["classify", "--model", model.to_str().unwrap(), fixture("articles/one.txt").to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let text = std::fs::read_to_string(fixture("articles/one.txt")).unwrap();
    let rows: Vec<serde_json::Value> = out(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // Every row carries the document, sentence index, span, text and both heads.
    for r in &rows {
        let (s, e) = (r["start"].as_u64().unwrap() as usize, r["end"].as_u64().unwrap() as usize);
        assert_eq!(&text[s..e], r["text"].as_str().unwrap());
        assert!(r["sentiment"].is_string());
        let probs = r["sentiment_probs"].as_object().unwrap();
        let total: f64 = probs.values().map(|v| v.as_f64().unwrap()).sum();
        assert!((total - 1.0).abs() < 1e-3);
        if let Some(actor) = r["actor"].as_str() {
            let (a, b) = (r["actor_start"].as_u64().unwrap() as usize, r["actor_end"].as_u64().unwrap() as usize);
            assert_eq!(&text[a..b], r["alias"].as_str().unwrap());
            assert!(["supportive", "cautious", "hostile"].contains(&r["stance"].as_str().unwrap()), "{actor}");
        }
    }
    // The segmenter keeps "Gen. Park ... Jan. 5 ... U.S. request" as one sentence.
    assert!(rows.iter().any(|r| r["text"] == "Gen. Park said on Jan. 5 that the U.S. request was under review."));
    let actors: Vec<&str> = rows.iter().filter_map(|r| r["actor"].as_str()).collect();
    for want in ["United States", "South Korea", "Ukraine", "Russia", "China"] {
        assert!(actors.contains(&want), "missing {want} in {actors:?}");
    }
    let kremlin = rows.iter().find(|r| r["alias"] == "Kremlin").unwrap();
    assert_eq!(kremlin["actor"], "Russia");
    assert!(err(&o).contains("summary: 1 documents read, 1 classified"));
}

#[test]
fn csv_output_has_header_and_one_row_per_actor() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let out_path = dir.path().join("out.csv");
    let o = stancer(&["classify", "--model", model.to_str().unwrap(), "--format", "csv", "-o", out_path.to_str().unwrap(), fixture("articles/two.txt").to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let mut r = csv::Reader::from_path(&out_path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&header[..9], ["doc", "sentence", "start", "end", "text", "actor", "alias", "actor_start", "actor_end"]);
    assert!(header.contains(&"stance_p_hostile".to_string()));
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let actors: Vec<&str> = rows.iter().map(|x| &x[5]).collect();
    assert_eq!(actors, ["Japan", "North Korea"]);
}

#[test]
fn csv_input_with_actor_column_is_classified_as_given_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let input = dir.path().join("pairs.csv");
    std::fs::write(&input, "id,text,actor\np1,Moscow warned Tokyo against sending arms.,Japan\np2,No actor named here.,Russia\n").unwrap();
    let o = stancer(&["classify", "--model", model.to_str().unwrap(), input.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let rows: Vec<serde_json::Value> = out(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["doc"], "p1");
    assert_eq!(rows[0]["actor"], "Japan");
    assert_eq!(rows[0]["alias"], "Tokyo");
    assert_eq!(rows[1]["actor"], "Russia");
    assert!(rows[1]["stance"].is_string());
}

#[test]
fn stdin_input_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(["classify", "--model", model.to_str().unwrap(), "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"Pyongyang threatened Seoul. Tokyo welcomed the talks.").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(out(&o).lines().count(), 3);
}

#[test]
fn evaluate_json_has_the_contract_keys() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let o = stancer(&["evaluate", "--data", fixture("train.csv").to_str().unwrap(), "--model", model.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    for head in ["stance", "sentiment"] {
        let h = &v[head];
        for key in ["accuracy", "macro_f1", "macro_recall", "per_class", "confusion"] {
            assert!(!h[key].is_null(), "{head}.{key} missing");
        }
        assert_eq!(h["confusion"]["labels"].as_array().unwrap().len(), 3);
        let support: u64 = h["per_class"].as_object().unwrap().values().map(|c| c["support"].as_u64().unwrap()).sum();
        let matrix: u64 = h["confusion"]["matrix"].as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap()).map(|x| x.as_u64().unwrap()).sum();
        assert_eq!(support, matrix);
    }
    // Stance is per actor (27 actor rows); sentiment once per distinct sentence (25).
    let support = |head: &str| -> u64 { v[head]["per_class"].as_object().unwrap().values().map(|c| c["support"].as_u64().unwrap()).sum() };
    assert_eq!(support("stance"), 27);
    assert_eq!(support("sentiment"), 25);
    // Training data is fit well by the model trained on it.
    assert!(v["stance"]["accuracy"].as_f64().unwrap() > 0.9);
}

#[test]
fn evaluate_folds_cross_validates() {
    let o = stancer(&["evaluate", "--data", fixture("train.csv").to_str().unwrap(), "--actors", fixture("actors.csv").to_str().unwrap(), "--folds", "3", "--json", "--buckets", "14"]);
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    let f1 = v["stance"]["macro_f1"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&f1));
    let n: u64 = v["stance"]["confusion"]["matrix"].as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap()).map(|x| x.as_u64().unwrap()).sum();
    assert_eq!(n, 27, "every actor row is predicted exactly once out of fold");
}

#[test]
fn any_label_strings_and_sentence_heads_work() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("favor.csv");
    let mut s = String::from("text,label,target\n");
    for i in 0..12 {
        s.push_str(&format!("I fully support the plan number {i},FAVOR,Plan\n"));
        s.push_str(&format!("The plan number {i} is a disaster,AGAINST,Plan\n"));
        s.push_str(&format!("Lunch was served at noon on day {i},NONE,Plan\n"));
    }
    std::fs::write(&data, s).unwrap();
    let model = dir.path().join("m.bin");
    let o = stancer(&["train", "--data", data.to_str().unwrap(), "--actor-col", "target", "--label-col", "label", "--out", model.to_str().unwrap(), "--actors", fixture("actors.csv").to_str().unwrap(), "--buckets", "14"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("label (per actor, 3: AGAINST/FAVOR/NONE)"), "{}", err(&o));
    let o = stancer(&["evaluate", "--data", data.to_str().unwrap(), "--actor-col", "target", "--label-col", "label", "--model", model.to_str().unwrap(), "--json", "--favg", "FAVOR,AGAINST"]);
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    assert!(v["label"]["f_avg"].as_f64().unwrap() > 0.9);
}

#[test]
fn bench_reports_rates_and_stages() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let o = stancer(&["bench", "--model", model.to_str().unwrap(), "--json", "--min-mb", "0.05", "--threads", "2", fixture("articles").to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    assert!(v["sentences_per_sec"].as_f64().unwrap() > 0.0);
    assert!(v["mb_per_sec"].as_f64().unwrap() > 0.0);
    assert_eq!(v["threads"], 2);
    assert!(v["bytes"].as_u64().unwrap() >= 50_000);
    assert!(v["stages"]["analyze"].as_f64().unwrap() > 0.0);
}

#[test]
fn actors_subcommand_lists_matches_and_unknown_names() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("a.txt");
    std::fs::write(&text, "The Kremlin met envoys from Ruritania. Let us see what the US does.").unwrap();
    let o = stancer(&["actors", "--registry", fixture("actors.csv").to_str().unwrap(), text.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let stdout = out(&o);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("Kremlin\tRussia\tseat"));
    assert!(lines[1].contains("\tUS\tUnited States\tabbrev"));
    assert!(err(&o).contains("Ruritania"));
}

#[test]
fn help_lists_every_subcommand() {
    let o = stancer(&["--help"]);
    assert!(o.status.success());
    for cmd in ["train", "classify", "evaluate", "bench", "actors"] {
        assert!(out(&o).contains(cmd), "{cmd} missing from --help");
    }
}

/// Rows come out in input order, sentence after sentence, and the bytes do not depend on
/// the number of threads: small articles, one over 1 MiB (a batch of its own, written run
/// by run as its runs are classified), CSV pair rows with a bad one, and skipped documents.
#[test]
fn classify_output_is_in_input_order_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let big = dir.path().join("big.txt");
    let sentences = ["Seoul backs Kyiv, officials said.", "Moscow warned Tokyo on Monday.", "Beijing urged restraint.", "Washington pledged more aid."];
    let text: String = (0..40_000).map(|i| sentences[i % 4]).collect::<Vec<_>>().join(" ");
    assert!(text.len() > 1 << 20);
    std::fs::write(&big, &text).unwrap();
    let pairs = dir.path().join("pairs.csv");
    std::fs::write(&pairs, "id,text,actor\np1,Tokyo backed Seoul.,Japan\np2,a row of two fields\np3,Moscow objects.,Russia\n").unwrap();
    let (articles, big_s, pairs_s) = (fixture("articles"), big.to_str().unwrap().to_owned(), pairs.to_str().unwrap().to_owned());
    let run = |threads: &str| {
        let o = stancer(&["classify", "--model", model.to_str().unwrap(), "--actor-col", "actor", "--threads", threads, fixture("articles/one.txt").to_str().unwrap(), &big_s, &pairs_s, "missing.txt", articles.to_str().unwrap()]);
        assert!(o.status.success(), "{}", err(&o));
        o
    };
    let one = run("1");
    let rows: Vec<serde_json::Value> = out(&one).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // Documents in argument order (one.txt is given twice), each one's sentences in order.
    let mut docs: Vec<String> = Vec::new();
    let mut last: Option<(String, u64)> = None;
    for r in &rows {
        let doc = r["doc"].as_str().unwrap().to_owned();
        let s = r["sentence"].as_u64().unwrap();
        if let Some((d, prev)) = &last {
            if *d == doc {
                assert!(s >= *prev, "{doc}: sentence {s} after {prev}");
            }
        }
        if docs.last() != Some(&doc) {
            docs.push(doc.clone());
        }
        last = Some((doc, s));
    }
    let names: Vec<&str> = docs.iter().map(|d| d.rsplit('/').next().unwrap()).collect();
    assert_eq!(names, ["one.txt", "big.txt", "p1", "p3", "latin1.txt", "one.txt", "two.txt"]);
    let big_rows: Vec<&serde_json::Value> = rows.iter().filter(|r| r["doc"] == big_s.as_str()).collect();
    assert_eq!(big_rows.iter().map(|r| r["sentence"].as_u64().unwrap()).collect::<std::collections::BTreeSet<_>>().len(), 40_000);
    let e = err(&one);
    assert!(e.contains("pairs.csv:3"), "{e}");
    assert!(e.contains("skipped: missing.txt"), "{e}");
    for threads in ["2", "3"] {
        let o = run(threads);
        assert_eq!(out(&o), out(&one), "{threads} threads");
        assert_eq!(err(&o), e, "{threads} threads");
    }
}
