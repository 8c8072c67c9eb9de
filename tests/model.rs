//! Model files: round trip, reproducibility, thread-independence, damage detection.

use crate::util::*;
use stancer::io::model_file;
use stancer::Error;

#[test]
fn save_load_round_trip_gives_identical_predictions_and_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture_model(dir.path());
    let bytes = std::fs::read(&path).unwrap();
    let p = model_file::load(&path).unwrap();
    assert_eq!(model_file::to_bytes(&p).unwrap(), bytes, "load + save must reproduce the file");
    let q = model_file::from_bytes(&bytes, &path).unwrap();
    let docs = ["Moscow warned Kyiv. Tokyo welcomed the talks.", "Seoul has not ruled out sending arms."];
    assert_eq!(p.classify_batch(&docs), q.classify_batch(&docs));
    // Pinned serialized shape: magic, version 3 (1 had no `claim_cues`, 2 no `proximity`),
    // then length and CRC.
    assert_eq!(&bytes[..8], b"STANCER\0");
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), 3);
    assert_eq!(u64::from_le_bytes(bytes[12..20].try_into().unwrap()) as usize, bytes.len() - 24);
}

/// `classify_sentence` scores a sentence's block once and adds each actor's target block;
/// that must give what scoring the full row from `actor_row` (the training row) gives.
fn check_per_sentence_scoring(p: &stancer::Pipeline, text: &str) -> usize {
    let mut s = stancer::Scratch::default();
    let mut row = stancer::SparseRow::default();
    let head = p.heads().iter().position(|h| h.scope == stancer::Scope::Actor).unwrap();
    let actor_heads_before = p.heads()[..head].iter().filter(|h| h.scope == stancer::Scope::Actor).count();
    let mut checked = 0;
    for sent in p.classify_document(text, &mut s) {
        let sentence = sent.span.of(text);
        for a in &sent.actors {
            p.actor_row(sentence, &a.actor, None, &mut s, &mut row);
            let mut probs = vec![0f32; p.heads()[head].model.n_classes()];
            p.heads()[head].model.predict_proba_row(&row, &mut probs);
            let got = &a.heads[actor_heads_before].probs;
            for (x, y) in probs.iter().zip(got) {
                assert!((x - y).abs() < 1e-5, "{sentence:?} / {}: {probs:?} vs {got:?}", a.actor);
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn per_sentence_scoring_matches_the_training_rows() {
    let p = model_file::load(&root().join("models/stancer.model")).unwrap();
    let text = std::fs::read_to_string(root().join("seeds").read_dir().unwrap().next().unwrap().unwrap().path()).unwrap();
    let checked = check_per_sentence_scoring(&p, &text);
    assert!(checked > 20, "only {checked} actor rows");
    // With the sentence block down-weighted too.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.bin");
    let o = stancer(&[
        "train", "--data", fixture("train.csv").to_str().unwrap(), "--actors", fixture("actors.csv").to_str().unwrap(),
        "--out", path.to_str().unwrap(), "--buckets", "16", "--sentence-weight", "0.4",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let p = model_file::load(&path).unwrap();
    let mut text = String::new();
    for f in std::fs::read_dir(fixture("articles")).unwrap() {
        text.push_str(&std::fs::read_to_string(f.unwrap().path()).unwrap_or_default());
        text.push_str("\n\n");
    }
    let checked = check_per_sentence_scoring(&p, &text);
    assert!(checked > 5, "only {checked} actor rows");
}

/// A batch shares long documents out in runs of `UNIT_SENTENCES` sentences; the results
/// (indices, offsets, labels) must be those of classifying each document whole.
#[test]
fn batches_split_long_documents_without_changing_results() {
    let p = model_file::load(&root().join("models/stancer.model")).unwrap();
    let seed = std::fs::read_to_string(root().join("seeds").read_dir().unwrap().next().unwrap().unwrap().path()).unwrap();
    let mut long = String::new();
    while p.classify_document(&long, &mut stancer::Scratch::default()).len() < 3 * stancer::pipeline::UNIT_SENTENCES + 10 {
        long.push_str(&seed);
        long.push_str("\n\n");
    }
    let docs = [long.clone(), "Seoul backs Kyiv.".to_owned(), String::new(), long[long.len() / 3..].to_owned()];
    let batch = p.classify_batch(&docs);
    assert_eq!(batch.len(), docs.len());
    for (d, got) in docs.iter().zip(&batch) {
        assert_eq!(got, &p.classify_document(d, &mut stancer::Scratch::default()));
        assert!(got.iter().enumerate().all(|(i, r)| r.index == i));
    }
    assert!(batch[0].len() > 3 * stancer::pipeline::UNIT_SENTENCES);
    assert!(batch[2].is_empty());
}

/// `classify_sentence_into` reuses a result's allocations: whatever it held before (more
/// actors, other aliases), the result must equal a fresh `classify_sentence`.
#[test]
fn classifying_into_a_used_result_equals_a_fresh_result() {
    let p = model_file::load(&root().join("models/stancer.model")).unwrap();
    let sentences = [
        "Washington, Tokyo and Seoul condemned the launch, while Beijing urged restraint and Moscow said nothing.",
        "Kyiv welcomed the package.",
        "The weather was mild.",
        "Paris and Berlin hedged.",
    ];
    let mut s = stancer::Scratch::default();
    let mut reused = stancer::SentenceResult::default();
    for round in 0..2 {
        for (i, text) in sentences.iter().enumerate() {
            p.classify_sentence_into(text, i, 10 * i, &mut s, &mut reused);
            let fresh = p.classify_sentence(text, i, 10 * i, &mut stancer::Scratch::default());
            assert_eq!(reused, fresh, "round {round}: {text}");
        }
    }
    assert!(p.classify_sentence(sentences[0], 0, 0, &mut s).actors.len() >= 4);
}

/// A (text, actor) pair must get the same answer whatever the scratch space classified
/// before it: the sentence head's row once picked up the previous pair's target block.
#[test]
fn pair_classification_does_not_depend_on_earlier_pairs() {
    let p = model_file::load(&root().join("models/stancer.model")).unwrap();
    let pairs = [
        ("Seoul backs Kyiv.", "South Korea"),
        ("Moscow warned that any deployment near its border would meet a response.", "Russia"),
        ("Tokyo welcomed the talks but said it would wait for details.", "Japan"),
    ];
    let mut shared = stancer::Scratch::default();
    for round in 0..2 {
        for (text, actor) in pairs {
            let fresh = p.classify_pair(text, actor, &mut stancer::Scratch::default());
            let reused = p.classify_pair(text, actor, &mut shared);
            assert_eq!(fresh, reused, "round {round}: {text} / {actor}");
        }
    }
}

#[test]
fn training_is_bit_for_bit_reproducible_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for threads in ["1", "2", "2"] {
        let path = dir.path().join(format!("m{}.bin", files.len()));
        let o = stancer(&[
            "train", "--data", fixture("train.csv").to_str().unwrap(), "--actors", fixture("actors.csv").to_str().unwrap(),
            "--out", path.to_str().unwrap(), "--threads", threads, "--buckets", "16",
        ]);
        assert!(o.status.success(), "{}", err(&o));
        files.push(std::fs::read(&path).unwrap());
    }
    assert_eq!(files[0], files[1]);
    assert_eq!(files[1], files[2]);
}

#[test]
fn classification_output_is_identical_for_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let run = |threads: &str| {
        let o = stancer(&["classify", "--model", model.to_str().unwrap(), "--threads", threads, fixture("articles").to_str().unwrap(), root().join("seeds").to_str().unwrap()]);
        assert!(o.status.success(), "{}", err(&o));
        o.stdout
    };
    let one = run("1");
    assert!(one.len() > 1000);
    assert_eq!(one, run("2"));
    assert_eq!(one, run("2"));
}

#[test]
fn damaged_model_files_get_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture_model(dir.path());
    let good = std::fs::read(&path).unwrap();
    let p = |b: &[u8]| model_file::from_bytes(b, &path);
    assert!(matches!(p(b"hello world, not a model"), Err(Error::NotAModel { .. })));
    assert!(matches!(p(b""), Err(Error::NotAModel { .. })));
    assert!(matches!(p(&good[..good.len() / 2]), Err(Error::CorruptModel { .. })));
    assert!(matches!(p(&good[..10]), Err(Error::CorruptModel { .. })));
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    assert!(matches!(p(&flipped), Err(Error::CorruptModel { message, .. }) if message.contains("checksum")));
    let mut newer = good.clone();
    newer[8] = 4;
    assert!(matches!(p(&newer), Err(Error::UnsupportedVersion { found: 4, supported: 3, .. })));
    let msg = p(&newer).unwrap_err().to_string();
    assert!(msg.contains("version 4 is not supported") && msg.contains("versions 1 to 3"), "{msg}");
    // A version-3 body under an older header does not decode as the old layout.
    for old in [1, 2] {
        let mut older = good.clone();
        older[8] = old;
        assert!(matches!(p(&older), Err(Error::CorruptModel { .. })), "version {old}");
    }
    let mut zero = good.clone();
    zero[8] = 0;
    assert!(matches!(p(&zero), Err(Error::UnsupportedVersion { found: 0, .. })));
    // The CLI prints them as one line naming the file, with a non-zero exit.
    let bad = dir.path().join("flipped.model");
    std::fs::write(&bad, &flipped).unwrap();
    let o = stancer(&["classify", "--model", bad.to_str().unwrap(), fixture("articles/two.txt").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("flipped.model: model file is damaged: checksum mismatch"), "{}", err(&o));
}

#[test]
fn a_different_registry_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model(dir.path());
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "actor,alias,kind\nRussia,Moscow,capital\n").unwrap();
    let o = stancer(&["classify", "--model", model.to_str().unwrap(), "--actors", other.to_str().unwrap(), fixture("articles/two.txt").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("differs from the one the model was trained with"), "{}", err(&o));
    let o = stancer(&["classify", "--model", model.to_str().unwrap(), "--actors", fixture("actors.csv").to_str().unwrap(), fixture("articles/two.txt").to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
}

#[test]
fn saving_is_atomic_and_checks_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture_model(dir.path());
    let p = model_file::load(&path).unwrap();
    let missing = dir.path().join("no/such/dir/model.bin");
    assert!(matches!(model_file::save(&p, &missing), Err(Error::Io { .. })));
    model_file::save(&p, &path).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().contains(".tmp")).collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

/// `tests/fixtures/models/format-v1.model` was written by the build before model format 2
/// (commit a7bf42e) from the same fixture data. It must still load, and since version 1
/// had no `claim_cues`, it is the model this build trains from that data: same
/// predictions, and re-saved it gives exactly the bytes of a fresh training run.
#[test]
fn format_version_1_and_2_models_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let fresh_path = fixture_model(dir.path());
    let fresh = model_file::load(&fresh_path).unwrap();
    let fresh_bytes = std::fs::read(&fresh_path).unwrap();
    assert_eq!(u32::from_le_bytes(fresh_bytes[8..12].try_into().unwrap()), model_file::FORMAT_VERSION);
    // Written by the builds of a7bf42e (version 1) and a95b768 (version 2) from the same data.
    for version in [1u32, 2] {
        let old_path = fixture(&format!("models/format-v{version}.model"));
        let old_bytes = std::fs::read(&old_path).unwrap();
        assert_eq!(u32::from_le_bytes(old_bytes[8..12].try_into().unwrap()), version, "the fixture is a version-{version} file");
        let old = model_file::load(&old_path).unwrap();
        assert!(!old.vectorizer().params().claim_cues);
        assert_eq!(old.vectorizer().params().proximity, 0.0);
        // Re-saved, it is what this build trains from the same data.
        assert_eq!(model_file::to_bytes(&old).unwrap(), fresh_bytes, "version {version}");
        let docs = ["Moscow warned Kyiv. Tokyo welcomed the talks.", "Seoul has not ruled out sending arms."];
        assert_eq!(old.classify_batch(&docs), fresh.classify_batch(&docs));
        // And through the CLI.
        let o = stancer(&["classify", "--model", old_path.to_str().unwrap(), fixture("articles/two.txt").to_str().unwrap()]);
        assert!(o.status.success(), "{}", err(&o));
        let p = stancer(&["classify", "--model", fresh_path.to_str().unwrap(), fixture("articles/two.txt").to_str().unwrap()]);
        assert_eq!(o.stdout, p.stdout);
    }
}
