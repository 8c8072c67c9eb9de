//! Prediction output: one row per (sentence, actor), or one per sentence without actors,
//! as JSON lines or CSV.

use std::io::Write;


use crate::pipeline::{Head, Scope, SentenceResult};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "jsonl" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            o => Err(format!("unknown format '{o}' (expected jsonl or csv)")),
        }
    }
}

/// Writes prediction rows.
pub struct RowWriter<W: Write> {
    format: Format,
    out: W,
    heads: Vec<(String, Scope, Vec<String>)>,
    /// For each head, its position among the heads of its scope (where its prediction
    /// sits in a sentence's or an actor's results).
    slots: Vec<usize>,
    /// The JSON fragments of each head, escaped once.
    json_keys: Vec<HeadJson>,
    /// The current sentence's row prefix (doc, sentence, span, text), escaped once per sentence.
    prefix: Vec<u8>,
    header_done: bool,
    rows: u64,
}

/// Pre-escaped JSON fragments of one head.
struct HeadJson {
    /// `,"stance":`
    label_key: Vec<u8>,
    /// `,"stance":null`
    null: Vec<u8>,
    /// `,"stance_probs":{`
    probs_key: Vec<u8>,
    /// `"supportive"`, one per label.
    values: Vec<Vec<u8>>,
    /// `"supportive":`, one per label (a leading comma after the first).
    prob_keys: Vec<Vec<u8>>,
}

/// Writes `s` as a JSON string, byte for byte what `serde_json` writes (`\"`, `\\`,
/// `\b \f \n \r \t`, other control characters as `\u00xx`, everything else as is), but
/// copying the runs between escapes in one piece instead of byte by byte.
fn write_json_str<W: Write>(o: &mut W, s: &str) -> std::io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    o.write_all(b"\"")?;
    let mut run = 0;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        // Eight bytes at a time while none of them needs escaping (most text).
        if let Some(chunk) = b.get(i..i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            if !needs_escape8(u64::from_le_bytes(w)) {
                i += 8;
                continue;
            }
        }
        i += 1;
        if c >= 0x20 && c != b'"' && c != b'\\' {
            continue;
        }
        o.write_all(&b[run..i - 1])?;
        run = i;
        let short: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => {
                o.write_all(&[b'\\', b'u', b'0', b'0', HEX[(c >> 4) as usize], HEX[(c & 0xf) as usize]])?;
                continue;
            }
        };
        o.write_all(short)?;
    }
    o.write_all(&b[run..])?;
    o.write_all(b"\"")
}

/// Does any of the eight bytes in `x` need escaping in a JSON string (below 0x20, `"`
/// or `\`)? Word-at-a-time zero-byte tests, exact as a yes/no answer.
#[inline]
fn needs_escape8(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    let q = x ^ (ONES * b'"' as u64);
    let quote = q.wrapping_sub(ONES) & !q & HIGH;
    let bs = x ^ (ONES * b'\\' as u64);
    let backslash = bs.wrapping_sub(ONES) & !bs & HIGH;
    below_space | quote | backslash != 0
}

fn json_str(s: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(s.len() + 2);
    // Writing into a Vec cannot fail.
    let _ = write_json_str(&mut v, s);
    v
}

impl HeadJson {
    fn new(name: &str, labels: &[String]) -> Self {
        let key = json_str(name);
        let label_key = [b",".as_slice(), &key, b":"].concat();
        let null = [label_key.as_slice(), b"null"].concat();
        let probs_key = [b",".as_slice(), &json_str(&format!("{name}_probs")), b":{"].concat();
        let values = labels.iter().map(|l| json_str(l)).collect();
        let prob_keys = labels.iter().enumerate().map(|(i, l)| [if i > 0 { b",".as_slice() } else { b"" }, &json_str(l), b":"].concat()).collect();
        Self { label_key, null, probs_key, values, prob_keys }
    }
}

impl<W: Write> RowWriter<W> {
    /// A writer for the given heads.
    pub fn new(out: W, format: Format, heads: &[Head]) -> Self {
        let heads: Vec<(String, Scope, Vec<String>)> = heads.iter().map(|h| (h.name.clone(), h.scope, h.labels.names().to_vec())).collect();
        let json_keys = heads.iter().map(|(name, _, labels)| HeadJson::new(name, labels)).collect();
        let slots = heads.iter().enumerate().map(|(h, (_, scope, _))| heads[..h].iter().filter(|(_, s, _)| s == scope).count()).collect();
        Self { format, out, heads, slots, json_keys, prefix: Vec::new(), header_done: false, rows: 0 }
    }

    /// A writer whose CSV header is already written elsewhere (for rendering a document's
    /// rows into a buffer on a worker thread).
    pub fn without_header(out: W, format: Format, heads: &[Head]) -> Self {
        let mut w = Self::new(out, format, heads);
        w.header_done = true;
        w
    }

    /// Writes the CSV header now if it has not been written (no-op for JSONL).
    ///
    /// # Errors
    /// The underlying write error.
    pub fn write_header(&mut self) -> std::io::Result<()> {
        if self.format == Format::Csv && !self.header_done {
            let h = self.csv_header();
            write_csv_record(&mut self.out, &h)?;
            self.header_done = true;
        }
        Ok(())
    }

    /// Writes bytes already rendered by another writer, counting `rows` rows.
    ///
    /// # Errors
    /// The underlying write error.
    pub fn write_rendered(&mut self, bytes: &[u8], rows: u64) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        self.rows += rows;
        Ok(())
    }

    /// The output, consumed.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// The output format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    fn csv_header(&self) -> Vec<String> {
        let mut h: Vec<String> = ["doc", "sentence", "start", "end", "text", "actor", "alias", "actor_start", "actor_end"].iter().map(|s| s.to_string()).collect();
        for (name, _, labels) in &self.heads {
            h.push(name.clone());
            for l in labels {
                h.push(format!("{name}_p_{l}"));
            }
        }
        h
    }

    /// Writes the rows of one sentence of document `doc` (`text` is the document text).
    ///
    /// # Errors
    /// The underlying write error (a closed pipe included).
    pub fn write_sentence(&mut self, doc: &str, text: &str, s: &SentenceResult) -> std::io::Result<()> {
        let sentence = s.span.of(text);
        // Every sentence writes at least one row, so the CSV header goes first.
        self.write_header()?;
        if self.format == Format::Jsonl {
            self.prefix.clear();
            self.prefix.extend_from_slice(b"{\"doc\":");
            write_json_str(&mut self.prefix, doc)?;
            let mut n = itoa::Buffer::new();
            self.prefix.extend_from_slice(b",\"sentence\":");
            self.prefix.extend_from_slice(n.format(s.index).as_bytes());
            self.prefix.extend_from_slice(b",\"start\":");
            self.prefix.extend_from_slice(n.format(s.span.start).as_bytes());
            self.prefix.extend_from_slice(b",\"end\":");
            self.prefix.extend_from_slice(n.format(s.span.end).as_bytes());
            self.prefix.extend_from_slice(b",\"text\":");
            write_json_str(&mut self.prefix, sentence)?;
        }
        let n_rows = s.actors.len().max(1);
        for r in 0..n_rows {
            let actor = s.actors.get(r);
            let preds = self.heads.iter().zip(&self.slots).map(|((_, scope, _), &k)| match scope {
                Scope::Sentence => s.heads.get(k),
                Scope::Actor => actor.and_then(|a| a.heads.get(k)),
            });
            match self.format {
                Format::Jsonl => {
                    // Written by hand (fixed key order, no intermediate map, constant parts
                    // escaped once): this is the hot path of `classify`.
                    let o = &mut self.out;
                    o.write_all(&self.prefix)?;
                    match actor {
                        Some(a) => {
                            o.write_all(b",\"actor\":")?;
                            write_json_str(o, &a.actor)?;
                            o.write_all(b",\"alias\":")?;
                            write_json_str(o, &a.alias)?;
                            match a.span {
                                Some(sp) => {
                                    // itoa instead of write!: the formatter was 3% of classify.
                                    let mut n = itoa::Buffer::new();
                                    o.write_all(b",\"actor_start\":")?;
                                    o.write_all(n.format(sp.start).as_bytes())?;
                                    o.write_all(b",\"actor_end\":")?;
                                    o.write_all(n.format(sp.end).as_bytes())?;
                                }
                                None => o.write_all(b",\"actor_start\":null,\"actor_end\":null")?,
                            }
                        }
                        None => o.write_all(b",\"actor\":null,\"alias\":null,\"actor_start\":null,\"actor_end\":null")?,
                    }
                    for (keys, p) in self.json_keys.iter().zip(preds) {
                        match p {
                            Some(p) => {
                                o.write_all(&keys.label_key)?;
                                o.write_all(keys.values.get(p.label).map_or(b"\"\"".as_slice(), Vec::as_slice))?;
                                o.write_all(&keys.probs_key)?;
                                for (k, v) in keys.prob_keys.iter().zip(&p.probs) {
                                    o.write_all(k)?;
                                    write_prob(o, *v)?;
                                }
                                o.write_all(b"}")?;
                            }
                            None => o.write_all(&keys.null)?,
                        }
                    }
                    o.write_all(b"}\n")?;
                }
                Format::Csv => {
                    let mut rec: Vec<String> = vec![
                        doc.to_owned(),
                        s.index.to_string(),
                        s.span.start.to_string(),
                        s.span.end.to_string(),
                        sentence.to_owned(),
                        actor.map(|a| a.actor.clone()).unwrap_or_default(),
                        actor.map(|a| a.alias.clone()).unwrap_or_default(),
                        actor.and_then(|a| a.span).map(|sp| sp.start.to_string()).unwrap_or_default(),
                        actor.and_then(|a| a.span).map(|sp| sp.end.to_string()).unwrap_or_default(),
                    ];
                    for ((_, _, labels), p) in self.heads.iter().zip(preds) {
                        match p {
                            Some(p) => {
                                rec.push(labels.get(p.label).cloned().unwrap_or_default());
                                rec.extend(p.probs.iter().map(|v| format!("{:.4}", v)));
                            }
                            None => rec.extend(std::iter::repeat_n(String::new(), labels.len() + 1)),
                        }
                    }
                    write_csv_record(&mut self.out, &rec)?;
                }
            }
            self.rows += 1;
        }
        Ok(())
    }

    /// Flushes the output.
    ///
    /// # Errors
    /// The underlying write error.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn round4(v: f32) -> f64 {
    (v as f64 * 10000.0).round() / 10000.0
}

/// Writes a probability rounded to 4 decimals, shortest form (`0`, `1`, `0.5`, `0.1234`):
/// the same text as `round4(v)`'s `Display`, without the float formatter.
fn write_prob<W: Write>(o: &mut W, v: f32) -> std::io::Result<()> {
    let r = round4(v);
    if !(0.0..=1.0).contains(&r) {
        return write!(o, "{r}");
    }
    let n = (r * 10000.0).round() as u32;
    match n {
        0 => o.write_all(b"0"),
        10000 => o.write_all(b"1"),
        _ => {
            let mut buf = *b"0.0000";
            let mut k = n;
            for d in buf[2..].iter_mut().rev() {
                *d = b'0' + (k % 10) as u8;
                k /= 10;
            }
            let mut end = buf.len();
            while buf[end - 1] == b'0' {
                end -= 1;
            }
            o.write_all(&buf[..end])
        }
    }
}

/// Writes one RFC 4180 record: fields with commas, quotes or line breaks are quoted.
fn write_csv_record<W: Write>(out: &mut W, fields: &[String]) -> std::io::Result<()> {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        if f.contains([',', '"', '\n', '\r']) {
            out.write_all(b"\"")?;
            out.write_all(f.replace('"', "\"\"").as_bytes())?;
            out.write_all(b"\"")?;
        } else {
            out.write_all(f.as_bytes())?;
        }
    }
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_strings_are_written_as_serde_json_writes_them() {
        // Every ASCII byte (all control characters included), quotes, backslashes and
        // multi-byte characters, alone and in runs.
        let mut cases: Vec<String> = (0u8..128).map(|b| format!("a{}b", b as char)).collect();
        cases.extend(["", "\"", "\\", "plain text", "Kyiv’s “quoted” — ok", "tab\there\nline\r\u{0}\u{1f}\u{7f}", "\\\"\\", "é日本語🙂"].map(String::from));
        // One escape at every offset of a long run (the eight-byte path and its tail).
        for pos in 0..24 {
            for special in ['"', '\\', '\n', '\u{1}', '\u{1f}', ' ', '\u{7f}', 'é'] {
                cases.push(format!("{}{special}{}", "x".repeat(pos), "y".repeat(pos % 11 + 3)));
            }
        }
        let mut seed = 0x9e37_79b9_u64;
        for _ in 0..2000 {
            let mut t = String::new();
            for _ in 0..(seed % 90) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                t.push(['a', ' ', '"', '\\', '\n', '\u{1}', '\u{1b}', 'é', '“', '🙂', '\t', '/', 'b', 'c', 'd', 'e', 'f', 'g'][(seed % 18) as usize]);
            }
            cases.push(t);
        }
        for c in &cases {
            let mut ours = Vec::new();
            write_json_str(&mut ours, c).unwrap();
            assert_eq!(ours, serde_json::to_vec(c).unwrap(), "{c:?}");
        }
    }

    use super::*;

    #[test]
    fn probabilities_print_as_the_float_formatter_would() {
        let mut values: Vec<f32> = (0..=20000).map(|k| k as f32 / 20000.0).collect();
        values.extend([0.0, 1.0, 0.99996, 0.00004, 0.00005, 0.123_456, f32::MIN_POSITIVE, 1.0 - f32::EPSILON]);
        for v in values {
            let mut fast = Vec::new();
            write_prob(&mut fast, v).unwrap();
            assert_eq!(String::from_utf8(fast).unwrap(), format!("{}", round4(v)), "{v}");
        }
    }
}
