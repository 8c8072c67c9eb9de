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
    header_done: bool,
    rows: u64,
}

impl<W: Write> RowWriter<W> {
    /// A writer for the given heads.
    pub fn new(out: W, format: Format, heads: &[Head]) -> Self {
        let heads = heads.iter().map(|h| (h.name.clone(), h.scope, h.labels.names().to_vec())).collect();
        Self { format, out, heads, header_done: false, rows: 0 }
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
        let n_rows = s.actors.len().max(1);
        for r in 0..n_rows {
            let actor = s.actors.get(r);
            let mut sent_i = 0;
            let mut act_i = 0;
            let mut preds: Vec<Option<&crate::pipeline::Prediction>> = Vec::new();
            for (_, scope, _) in &self.heads {
                match scope {
                    Scope::Sentence => {
                        preds.push(s.heads.get(sent_i));
                        sent_i += 1;
                    }
                    Scope::Actor => {
                        preds.push(actor.and_then(|a| a.heads.get(act_i)));
                        act_i += 1;
                    }
                }
            }
            match self.format {
                Format::Jsonl => {
                    // Written by hand (fixed key order, no intermediate map): this is the
                    // hot path of `classify`. Strings go through serde_json for escaping.
                    let o = &mut self.out;
                    o.write_all(b"{\"doc\":")?;
                    serde_json::to_writer(&mut *o, doc)?;
                    write!(o, ",\"sentence\":{},\"start\":{},\"end\":{},\"text\":", s.index, s.span.start, s.span.end)?;
                    serde_json::to_writer(&mut *o, sentence)?;
                    match actor {
                        Some(a) => {
                            o.write_all(b",\"actor\":")?;
                            serde_json::to_writer(&mut *o, &a.actor)?;
                            o.write_all(b",\"alias\":")?;
                            serde_json::to_writer(&mut *o, &a.alias)?;
                            match a.span {
                                Some(sp) => write!(o, ",\"actor_start\":{},\"actor_end\":{}", sp.start, sp.end)?,
                                None => o.write_all(b",\"actor_start\":null,\"actor_end\":null")?,
                            }
                        }
                        None => o.write_all(b",\"actor\":null,\"alias\":null,\"actor_start\":null,\"actor_end\":null")?,
                    }
                    for ((name, _, labels), p) in self.heads.iter().zip(&preds) {
                        o.write_all(b",")?;
                        serde_json::to_writer(&mut *o, name)?;
                        match p {
                            Some(p) => {
                                o.write_all(b":")?;
                                serde_json::to_writer(&mut *o, labels.get(p.label).map_or("", String::as_str))?;
                                o.write_all(b",")?;
                                serde_json::to_writer(&mut *o, &format!("{name}_probs"))?;
                                o.write_all(b":{")?;
                                for (i, (l, v)) in labels.iter().zip(&p.probs).enumerate() {
                                    if i > 0 {
                                        o.write_all(b",")?;
                                    }
                                    serde_json::to_writer(&mut *o, l)?;
                                    write!(o, ":{}", round4(*v))?;
                                }
                                o.write_all(b"}")?;
                            }
                            None => o.write_all(b":null")?,
                        }
                    }
                    o.write_all(b"}\n")?;
                }
                Format::Csv => {
                    if !self.header_done {
                        let h = self.csv_header();
                        write_csv_record(&mut self.out, &h)?;
                        self.header_done = true;
                    }
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
                    for ((_, _, labels), p) in self.heads.iter().zip(&preds) {
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
