//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture path.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// Runs the built binary with `args` in the crate root; stdin is empty.
pub fn stancer(args: &[&str]) -> Output {
    stancer_in(&root(), args)
}

/// Runs the built binary in `dir`.
pub fn stancer_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the stancer binary runs")
}

/// stdout as text.
pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Trains a model on the fixture corpus into `dir/model.bin` and returns its path.
pub fn fixture_model(dir: &Path) -> PathBuf {
    let path = dir.join("model.bin");
    let o = stancer(&[
        "train",
        "--data",
        fixture("train.csv").to_str().unwrap(),
        "--actors",
        fixture("actors.csv").to_str().unwrap(),
        "--out",
        path.to_str().unwrap(),
        "--buckets",
        "16",
    ]);
    assert!(o.status.success(), "training failed: {}", err(&o));
    path
}
