//! The evaluator against published reference scores in ../shared/datasets (read at run
//! time, never copied): TweetEval ships example test predictions with known scores.

use crate::util::*;

fn shared(path: &str) -> std::path::PathBuf {
    root().join("../shared/datasets").join(path)
}

fn score(dataset: &str, extra: &[&str]) -> serde_json::Value {
    let data = shared(&format!("{dataset}/test.csv"));
    let preds = shared(&format!("{dataset}/reference/example_test_predictions.csv"));
    assert!(data.exists(), "{} is missing: the benchmark sets live in ../shared/datasets", data.display());
    let mut args = vec!["evaluate", "--data", data.to_str().unwrap(), "--label-col", "label", "--predictions", preds.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let o = stancer(&args);
    assert!(o.status.success(), "{}", err(&o));
    serde_json::from_str::<serde_json::Value>(out(&o).trim()).unwrap()["label"].clone()
}

/// TweetEval stance README: the example predictions score F_avg (pooled favor/against F1) 0.7244.
#[test]
fn tweeteval_stance_reference_favg() {
    let v = score("tweeteval-stance", &["--favg", "favor,against"]);
    let f = v["f_avg"].as_f64().unwrap();
    assert!((f - 0.7244).abs() < 5e-5, "F_avg {f}");
}

/// TweetEval sentiment README: the example predictions score macro recall 0.7286.
#[test]
fn tweeteval_sentiment_reference_macro_recall() {
    let v = score("tweeteval-sentiment", &[]);
    let r = v["macro_recall"].as_f64().unwrap();
    assert!((r - 0.7286).abs() < 5e-5, "macro recall {r}");
}
