//! Stable-Rust smoke driver for the fuzz targets: runs each target body from
//! `stancer_fuzz` over a deterministic pseudo-random corpus (seed inputs plus random
//! mutations of them, no coverage feedback), catching panics.
//!
//! ```text
//! cargo run --release --example smoke -- [--target segment|analyze|csv|model|all]
//!     [--secs N | --iters N] [--seed N] [--write-corpus]
//! ```
//!
//! Defaults: every target, 30 s each, seed 1. A panic is reported with its message, its
//! location and the input (minimised), and the input is saved under
//! `fuzz/artifacts/smoke/`. `--write-corpus` only writes the seed inputs to
//! `fuzz/corpus/fuzz_<target>/` for `cargo fuzz run`, then exits. Exit status 1 when any
//! panic was found.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use stancer::io::csv::{read_labelled, Columns};
use stancer::io::model_file;
use stancer::{FeatureParams, Gazetteer, TrainConfig};

type Body = fn(&[u8]);

const TARGETS: &[(&str, Body)] =
    &[("segment", stancer_fuzz::segment), ("analyze", stancer_fuzz::analyze), ("csv", stancer_fuzz::csv), ("model", stancer_fuzz::model)];

/// Longest generated input.
const MAX_LEN: usize = 1 << 16;

/// SplitMix64: small, deterministic, good enough for mutation choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn crate_dir() -> PathBuf {
    fuzz_dir().join("..")
}

fn seed_articles() -> Vec<Vec<u8>> {
    let read = |dir: &Path| -> Vec<Vec<u8>> {
        let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
        let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
        files.sort();
        files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
    };
    let own = read(&crate_dir().join("seeds"));
    if own.is_empty() { read(&crate_dir().join("../shared/seeds")) } else { own }
}

/// Tokens spliced into inputs: sentence punctuation, quotes, abbreviations, multibyte and
/// invalid UTF-8, CSV syntax, registry aliases.
const DICT: &[&[u8]] = &[
    b".", b". ", b"!", b"?", b"...", "…".as_bytes(), b"\n", b"\n\n", b"\r\n", b"\r", b" ", b"\t", "\u{a0}".as_bytes(),
    b"\"", b"'", "“".as_bytes(), "”".as_bytes(), "‘".as_bytes(), "’".as_bytes(), "«".as_bytes(), "»".as_bytes(), "—".as_bytes(),
    b"(", b")", b"[", b"]", b"U.S.", b"Gen.", b"Jan.", b"J.", b"e.g.", b"n't", b"not ", b"refused to ", b"Mr.", b"3.5",
    "é".as_bytes(), "İ".as_bytes(), "ß".as_bytes(), "Σ".as_bytes(), "Сеул".as_bytes(), "日本".as_bytes(), "🇰🇷".as_bytes(), "\u{feff}".as_bytes(),
    "\u{200b}".as_bytes(), "\u{301}".as_bytes(), b"\xff", b"\xc3", b"\xe2\x80", b"\0",
    b",", b",\"", b"\"\"", b"id,text,actor,stance,sentiment\n", b",start,end", b"hostile", b"supportive", b"cautious", b"positive",
    b"Korean", b"North Korea", b"South Korea", b"North Korean", b"Washington D.C.", b"Guinea-Bissau", "Côte d'Ivoire".as_bytes(), b"US",
];

/// Little-endian integers that make interesting bincode lengths, counts and shapes.
const INTS: &[u64] = &[0, 1, 2, 3, 7, 10, 24, 25, 255, 256, 1023, 1024, 1025, 1 << 16, 1 << 20, 1 << 24, (1 << 24) + 1, u32::MAX as u64, 1 << 32, u64::MAX / 2, u64::MAX];

fn text_seeds() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = [
        "Gen. Smith met U.S. envoys on Jan. 5. “We are ready,” he said. Talks resume.",
        "“We will not bow. We will fight,” the minister said.\n\nPara two… “Why now?” he asked.",
        "Seoul did not rule out sending arms, officials said, but North Korean envoys refused to comment.",
        "The Korean plan, North Korea said, was rejected by Washington D.C. and the EU (in Brussels.) Then Trump left.",
        "A line that is hard\nwrapped in the middle. Сеул заявил. Москва ответила. 日本は歓迎した。",
        "Côte d'Ivoire's and Guinea-Bissau's envoys met Türkiye's in Ankara. Ivorian troops stayed.",
        "",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    for a in seed_articles() {
        // Whole articles and ~1 KiB pieces of them.
        for chunk in a.chunks(1024) {
            out.push(chunk.to_vec());
        }
        out.push(a);
    }
    out
}

fn csv_seeds() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = vec![
        b"id,text,actor,stance,sentiment\nd1-s1-a1,Moscow warned Kyiv.,Russia,hostile,negative\nd1-s2-a1,\"Tokyo welcomed it, and \"\"praised\"\" it.\",Japan,supportive,positive\n".to_vec(),
        b"\xef\xbb\xbfid,text,actor,stance,sentiment\r\nd1-s1-a1,Moscow warned Kyiv.,Russia,hostile,negative\r\nd1-s2-a1,,Japan,,\r\n".to_vec(),
        "id,text,actor,stance,sentiment,start,end\nd1-s1-a1,Сеул warned Moscow.,Russia,hostile,negative,12,18\nd2-s1-a1,Tokyo backed it.,Japan,supportive,positive,0,5\nd2-s2-a1,Tokyo backed it.,Japan,supportive,positive,9,99\n".as_bytes().to_vec(),
        b"text,label\nGood news.,positive\n\"Multi\nline\",negative\n".to_vec(),
        b"id,text,actor,stance,sentiment\nd1,x,Russia,angry,negative\n".to_vec(),
    ];
    if let Ok(test) = std::fs::read_to_string(crate_dir().join("data/stance-test.csv")) {
        let lines: Vec<&str> = test.lines().take(25).collect();
        out.push(lines.join("\n").into_bytes());
    }
    out
}

/// A small valid model (4096 buckets, word features only) trained on a few inline rows.
fn tiny_model() -> Option<Vec<u8>> {
    let rows = "id,text,actor,stance,sentiment\n\
        d1-s1-a1,Moscow threatened Kyiv with new strikes.,Russia,hostile,negative\n\
        d1-s2-a1,Moscow condemned the sanctions and warned of retaliation.,Russia,hostile,negative\n\
        d2-s1-a1,Tokyo welcomed the agreement and pledged new aid.,Japan,supportive,positive\n\
        d2-s2-a1,Tokyo backed the deal and praised the mediators.,Japan,supportive,positive\n\
        d3-s1-a1,Tokyo said it was concerned and urged restraint.,Japan,cautious,neutral\n\
        d3-s2-a1,Moscow voiced concern and called for dialogue.,Russia,cautious,neutral\n";
    let registry = "actor,alias,kind\nRussia,Moscow,capital\nJapan,Tokyo,capital\nUkraine,Kyiv,capital\nSouth Korea,Seoul,capital\n";
    let path = std::env::temp_dir().join(format!("stancer-smoke-train-{}.csv", std::process::id()));
    std::fs::write(&path, rows).ok()?;
    let data = read_labelled(&path, &Columns::default());
    let _ = std::fs::remove_file(&path);
    let gaz = Gazetteer::from_csv_str(registry, "smoke-registry.csv").ok()?;
    let cfg = TrainConfig { features: FeatureParams { buckets_log2: 12, char_max: 0, ..FeatureParams::default() }, ..TrainConfig::default() };
    let p = stancer::train(&data.ok()?, &cfg, gaz, &mut Vec::new()).ok()?;
    model_file::to_bytes(&p).ok()
}

fn model_seeds() -> Vec<Vec<u8>> {
    let mut out = vec![b"STANCER\0".to_vec(), stancer_fuzz::wrap_model_body(&[])];
    if let Some(m) = tiny_model() {
        out.push(m);
    } else {
        eprintln!("warning: could not build the tiny seed model");
    }
    if let Ok(real) = std::fs::read(crate_dir().join("models/stancer.model")) {
        // A real model is megabytes; its first 16 KiB (header, params, registry start).
        out.push(real[..real.len().min(1 << 14)].to_vec());
    }
    out
}

fn seeds_for(target: &str) -> Vec<Vec<u8>> {
    match target {
        "segment" | "analyze" => text_seeds(),
        "csv" => csv_seeds(),
        "model" => model_seeds(),
        _ => Vec::new(),
    }
}

fn mutate(rng: &mut Rng, input: &[u8], pool: &[Vec<u8>], binary: bool) -> Vec<u8> {
    if rng.chance(2) {
        let n = rng.below(256);
        return (0..n).map(|_| rng.next() as u8).collect();
    }
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = v.len();
        match rng.below(if binary { 10 } else { 9 }) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                v.splice(i..i, bytes);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                v.drain(i..i + n);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                let piece = v[i..i + n].to_vec();
                let at = rng.below(len + 1);
                v.splice(at..at, piece);
            }
            5 | 6 => {
                let tok = DICT[rng.below(DICT.len())];
                let i = rng.below(len + 1);
                if rng.chance(30) && i + tok.len() <= len {
                    v[i..i + tok.len()].copy_from_slice(tok);
                } else {
                    v.splice(i..i, tok.iter().copied());
                }
            }
            7 if !pool.is_empty() => {
                let other = &pool[rng.below(pool.len())];
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                v.truncate(cut);
                v.extend_from_slice(&other[from..]);
            }
            8 if len > 0 => {
                v.truncate(rng.below(len));
            }
            9 if len >= 8 => {
                let x = INTS[rng.below(INTS.len())];
                let i = rng.below(len - 7);
                let w = [1usize, 2, 4, 8][rng.below(4)];
                v[i..i + w].copy_from_slice(&x.to_le_bytes()[..w]);
            }
            _ => {}
        }
    }
    v.truncate(MAX_LEN);
    v
}

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn install_quiet_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "(non-string panic payload)".into()
        };
        let loc = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("{loc}\t{msg}"));
    }));
}

/// Runs one input; `Some((location, message))` when it panicked.
fn run(body: Body, input: &[u8]) -> Option<(String, String)> {
    match catch_unwind(AssertUnwindSafe(|| body(input))) {
        Ok(()) => None,
        Err(_) => {
            let p = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
            let (loc, msg) = p.split_once('\t').unwrap_or(("?", &p));
            Some((loc.to_owned(), msg.to_owned()))
        }
    }
}

/// Shrinks `input` while it still panics at `loc` (chunk removal, then byte simplification).
fn minimise(body: Body, input: &[u8], loc: &str) -> Vec<u8> {
    let mut best = input.to_vec();
    let mut budget = 20_000usize;
    let mut chunk = best.len().max(1) / 2;
    while chunk >= 1 && budget > 0 {
        let mut i = 0;
        let mut progressed = false;
        while i < best.len() && budget > 0 {
            let end = (i + chunk).min(best.len());
            let mut cand = best.clone();
            cand.drain(i..end);
            budget -= 1;
            if run(body, &cand).is_some_and(|(l, _)| l == loc) {
                best = cand;
                progressed = true;
            } else {
                i += chunk;
            }
        }
        if !progressed {
            chunk /= 2;
        }
    }
    best
}

fn show(input: &[u8]) -> String {
    let s = String::from_utf8_lossy(&input[..input.len().min(400)]);
    let mut out = format!("{s:?}");
    if input.len() > 400 {
        out.push_str(&format!(" … ({} bytes)", input.len()));
    }
    out
}

struct Found {
    message: String,
    count: u64,
    input: Vec<u8>,
    minimised: Vec<u8>,
    artifact: PathBuf,
}

fn fuzz_one(name: &str, body: Body, seed: u64, limit: Limit) -> (u64, f64, BTreeMap<String, Found>) {
    let mut pool = seeds_for(name);
    if pool.is_empty() {
        pool.push(Vec::new());
    }
    let n_seeds = pool.len();
    let binary = name == "model";
    let mut rng = Rng(seed ^ name.bytes().fold(0u64, |h, b| h.wrapping_mul(131).wrapping_add(b as u64)));
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    let start = Instant::now();
    let mut execs = 0u64;
    let check = |input: &[u8], execs: &mut u64, found: &mut BTreeMap<String, Found>| {
        *execs += 1;
        if let Some((loc, msg)) = run(body, input) {
            if let Some(f) = found.get_mut(&loc) {
                f.count += 1;
                return;
            }
            let minimised = minimise(body, input, &loc);
            let dir = fuzz_dir().join("artifacts/smoke");
            let _ = std::fs::create_dir_all(&dir);
            let artifact = dir.join(format!("{name}-crash-{}.bin", found.len()));
            let _ = std::fs::write(&artifact, &minimised);
            eprintln!("[{name}] PANIC at {loc}: {msg}\n    input (minimised, {} bytes): {}", minimised.len(), show(&minimised));
            found.insert(loc, Found { message: msg, count: 1, input: input.to_vec(), minimised, artifact });
        }
    };
    for s in pool.clone() {
        check(&s, &mut execs, &mut found);
    }
    loop {
        match limit {
            Limit::Iters(n) if execs >= n => break,
            Limit::Time(d) if execs.is_multiple_of(64) && start.elapsed() >= d => break,
            _ => {}
        }
        let parent = pool[rng.below(pool.len())].clone();
        let child = mutate(&mut rng, &parent, &pool, binary);
        check(&child, &mut execs, &mut found);
        // Keep some children as parents (bounded pool; seeds are never evicted).
        if rng.chance(10) {
            if pool.len() < n_seeds + 512 {
                pool.push(child);
            } else {
                let i = n_seeds + rng.below(512);
                pool[i] = child;
            }
        }
    }
    (execs, start.elapsed().as_secs_f64(), found)
}

#[derive(Clone, Copy)]
enum Limit {
    Time(Duration),
    Iters(u64),
}

fn write_corpus() -> std::io::Result<()> {
    for (name, _) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(format!("fuzz_{name}"));
        std::fs::create_dir_all(&dir)?;
        let seeds = seeds_for(name);
        for (k, s) in seeds.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{k:03}")), s)?;
        }
        println!("{}: {} seed inputs", dir.display(), seeds.len());
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut target = "all".to_owned();
    let mut limit = Limit::Time(Duration::from_secs(30));
    let mut seed = 1u64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--target" => target = value(),
            "--secs" => limit = Limit::Time(Duration::from_secs(value().parse().expect("--secs N"))),
            "--iters" => limit = Limit::Iters(value().parse().expect("--iters N")),
            "--seed" => seed = value().parse().expect("--seed N"),
            "--write-corpus" => {
                write_corpus().expect("write the seed corpus");
                return;
            }
            other => {
                eprintln!("unknown argument {other}\nusage: smoke [--target segment|analyze|csv|model|all] [--secs N | --iters N] [--seed N] [--write-corpus]");
                std::process::exit(2);
            }
        }
    }
    install_quiet_hook();
    let mut any = false;
    for &(name, body) in TARGETS {
        if target != "all" && target != name {
            continue;
        }
        let (execs, secs, found) = fuzz_one(name, body, seed, limit);
        println!("{name}: {execs} executions in {secs:.1} s ({:.0}/s), {} distinct panic(s)", execs as f64 / secs.max(1e-9), found.len());
        for (loc, f) in &found {
            any = true;
            println!(
                "  panic at {loc} ({} hits): {}\n    minimised input ({} bytes, saved to {}): {}\n    original input ({} bytes): {}",
                f.count,
                f.message,
                f.minimised.len(),
                f.artifact.display(),
                show(&f.minimised),
                f.input.len(),
                show(&f.input)
            );
        }
    }
    if any {
        std::process::exit(1);
    }
}
