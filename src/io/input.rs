//! Article inputs for `classify` and `bench`: text files, directories (recursive, sorted),
//! CSV or JSONL with a text column, or `-` for standard input. Documents stream one at a
//! time, so a large corpus is never held in memory whole.
//!
//! Policy: invalid UTF-8 in a text file is decoded lossily (U+FFFD) with a warning naming
//! the file; a file with NUL bytes is skipped as binary; an empty file or text is skipped
//! as empty. Every skip is reported with the document id and reason.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The text of one input document.
#[derive(Debug, Clone, PartialEq)]
pub enum DocText {
    /// A whole article: segment it and find actors.
    Article(String),
    /// A given (sentence, actor) pair: classify as is.
    Pair {
        /// The sentence.
        text: String,
        /// The actor.
        actor: String,
    },
}

/// One input document, or the reason it cannot be read.
#[derive(Debug, Clone, PartialEq)]
pub struct InputDoc {
    /// Document id: the file path, or `path:line` / the `id` column for CSV and JSONL rows.
    pub id: String,
    /// The text, or why the document is skipped.
    pub text: Result<DocText, String>,
    /// Non-fatal remarks (lossy decoding).
    pub warnings: Vec<String>,
    /// Size in bytes of the raw input.
    pub bytes: usize,
}

/// Column names for CSV/JSONL inputs.
#[derive(Debug, Clone)]
pub struct InputColumns {
    /// Text column / key.
    pub text: String,
    /// Actor column / key (pairs are classified as given when present).
    pub actor: String,
    /// Id column / key.
    pub id: String,
}

impl Default for InputColumns {
    fn default() -> Self {
        Self { text: "text".into(), actor: "actor".into(), id: "id".into() }
    }
}

enum Current {
    None,
    Csv { path: PathBuf, reader: Box<::csv::Reader<BufReader<File>>>, len: u64, text: usize, actor: Option<usize>, id: Option<usize> },
    Jsonl { path: PathBuf, lines: std::io::Lines<BufReader<File>>, line: u64 },
}

/// A streaming iterator over input documents.
pub struct InputStream {
    pending: VecDeque<PathBuf>,
    current: Current,
    cols: InputColumns,
    stdin_used: bool,
}

impl InputStream {
    /// Streams the given inputs in order. `-` reads standard input as one article.
    pub fn new(inputs: &[PathBuf], cols: InputColumns) -> Self {
        Self { pending: inputs.iter().cloned().collect(), current: Current::None, cols, stdin_used: false }
    }

    fn open(&mut self, path: PathBuf) -> Option<InputDoc> {
        let id = path.display().to_string();
        let fail = |id: String, msg: String| Some(InputDoc { id, text: Err(msg), warnings: vec![], bytes: 0 });
        if path.as_os_str() == "-" {
            if self.stdin_used {
                return fail(id, "standard input given twice".into());
            }
            self.stdin_used = true;
            let mut buf = Vec::new();
            if let Err(e) = std::io::stdin().lock().read_to_end(&mut buf) {
                return fail("-".into(), format!("cannot read standard input: {e}"));
            }
            return Some(article("-".into(), buf));
        }
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => return fail(id, format!("cannot open: {e}")),
        };
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = match std::fs::read_dir(&path) {
                Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                Err(e) => return fail(id, format!("cannot list directory: {e}")),
            };
            entries.retain(|p| p.is_dir() || matches!(ext(p).as_str(), "txt" | "csv" | "jsonl" | "md" | "text"));
            entries.sort();
            for e in entries.into_iter().rev() {
                self.pending.push_front(e);
            }
            return None;
        }
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) => return fail(id, format!("cannot open: {e}")),
        };
        match ext(&path).as_str() {
            "csv" => {
                let len = file.metadata().map_or(u64::MAX, |m| m.len());
                let mut reader = ::csv::ReaderBuilder::new().flexible(false).from_reader(BufReader::new(file));
                let header: Vec<String> = match reader.headers() {
                    Ok(h) => h.iter().map(|s| s.trim().trim_start_matches('\u{feff}').to_owned()).collect(),
                    Err(e) => return fail(id, format!("bad CSV header: {e}")),
                };
                let pos = |n: &str| header.iter().position(|h| h == n);
                let Some(text) = pos(&self.cols.text) else {
                    return fail(id, format!("missing column '{}' (header has: {})", self.cols.text, header.join(",")));
                };
                self.current = Current::Csv { path, reader: Box::new(reader), len, text, actor: pos(&self.cols.actor), id: pos(&self.cols.id) };
                None
            }
            "jsonl" => {
                self.current = Current::Jsonl { path, lines: BufReader::new(file).lines(), line: 0 };
                None
            }
            _ => {
                let mut buf = Vec::with_capacity(meta.len() as usize);
                if let Err(e) = BufReader::new(file).read_to_end(&mut buf) {
                    return fail(id, format!("cannot read: {e}"));
                }
                Some(article(id, buf))
            }
        }
    }

    fn next_from_current(&mut self) -> Option<InputDoc> {
        match &mut self.current {
            Current::None => None,
            Current::Csv { path, reader, len, text, actor, id } => {
                let mut rec = ::csv::StringRecord::new();
                match reader.read_record(&mut rec) {
                    Ok(false) => {
                        self.current = Current::None;
                        None
                    }
                    Ok(true) => {
                        let line = rec.position().map_or(0, |p| p.line());
                        let doc_id = id.and_then(|c| rec.get(c)).filter(|s| !s.is_empty()).map_or_else(|| format!("{}:{line}", path.display()), str::to_owned);
                        let t = rec.get(*text).unwrap_or("").to_owned();
                        let bytes = t.len();
                        let a = actor.and_then(|c| rec.get(c)).map(str::to_owned);
                        // The csv reader takes a quote that is never closed to run to the end of
                        // the file: every later row would end up inside this row's text.
                        // Only the file's last record can be such a row, so only it is checked.
                        let last = reader.position().byte() >= *len;
                        let unclosed = last && rec.position().is_some_and(|p| ends_inside_quotes(path, p.byte()).unwrap_or(false));
                        let text = if unclosed {
                            Err(format!("{}:{line}: a quoted field is not closed before the end of the file (the lines after it were read into this row)", path.display()))
                        } else if t.trim().is_empty() {
                            Err(format!("{}:{line}: empty text", path.display()))
                        } else {
                            Ok(match a {
                                Some(actor) => DocText::Pair { text: t, actor },
                                None => DocText::Article(t),
                            })
                        };
                        Some(InputDoc { id: doc_id, text, warnings: vec![], bytes })
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        let id = format!("{}:{line}", path.display());
                        let fatal = !matches!(e.kind(), ::csv::ErrorKind::Utf8 { .. } | ::csv::ErrorKind::UnequalLengths { .. });
                        // The id already names the file and line; the reason says what is wrong.
                        let msg = match crate::error::Error::csv(path.clone(), e) {
                            crate::error::Error::Csv { message, .. } => message,
                            other => other.to_string(),
                        };
                        if fatal {
                            self.current = Current::None;
                        }
                        Some(InputDoc { id, text: Err(msg), warnings: vec![], bytes: 0 })
                    }
                }
            }
            Current::Jsonl { path, lines, line } => {
                let next = lines.next();
                *line += 1;
                let n = *line;
                let p = path.display().to_string();
                match next {
                    None => {
                        self.current = Current::None;
                        None
                    }
                    Some(Err(e)) => {
                        self.current = Current::None;
                        Some(InputDoc { id: format!("{p}:{n}"), text: Err(e.to_string()), warnings: vec![], bytes: 0 })
                    }
                    Some(Ok(l)) if l.trim().is_empty() => Some(InputDoc { id: format!("{p}:{n}"), text: Err("empty line".into()), warnings: vec![], bytes: 0 }),
                    Some(Ok(l)) => Some(parse_json_line(&p, n, &l, &self.cols)),
                }
            }
        }
    }
}

fn parse_json_line(path: &str, n: u64, l: &str, cols: &InputColumns) -> InputDoc {
    let bytes = l.len();
    let v: serde_json::Value = match serde_json::from_str(l) {
        Ok(v) => v,
        Err(e) => return InputDoc { id: format!("{path}:{n}"), text: Err(format!("invalid JSON: {e}")), warnings: vec![], bytes },
    };
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    let id = s(&cols.id).unwrap_or_else(|| format!("{path}:{n}"));
    let text = match s(&cols.text) {
        None => Err(format!("{path}:{n}: no string field '{}'", cols.text)),
        Some(t) if t.trim().is_empty() => Err(format!("{path}:{n}: empty text")),
        Some(t) => Ok(match s(&cols.actor) {
            Some(actor) => DocText::Pair { text: t, actor },
            None => DocText::Article(t),
        }),
    };
    InputDoc { id, text, warnings: vec![], bytes }
}

/// Does `path` hold an odd number of `"` from byte `from` to its end, that is, does the
/// CSV record starting there end inside a quoted field? (Quotes inside a quoted field are
/// doubled, so a closed record holds an even number.)
fn ends_inside_quotes(path: &Path, from: u64) -> std::io::Result<bool> {
    use std::io::{Seek, SeekFrom};
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(from))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut odd = false;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(odd);
        }
        odd ^= buf[..n].iter().filter(|&&b| b == b'"').count() % 2 == 1;
    }
}

fn ext(p: &Path) -> String {
    p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

/// Decodes a raw article: binary (NUL bytes) and empty inputs are skipped, invalid UTF-8
/// is replaced with U+FFFD and reported.
pub fn article(id: String, buf: Vec<u8>) -> InputDoc {
    let bytes = buf.len();
    if buf.contains(&0) {
        return InputDoc { id, text: Err("binary file (contains NUL bytes)".into()), warnings: vec![], bytes };
    }
    let mut warnings = Vec::new();
    let text = match String::from_utf8(buf) {
        Ok(s) => s,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            warnings.push(format!("{id}: invalid UTF-8 at byte {at}; decoded with replacement characters"));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
    if text.trim().is_empty() {
        return InputDoc { id, text: Err("empty document".into()), warnings, bytes };
    }
    InputDoc { id, text: Ok(DocText::Article(text)), warnings, bytes }
}

impl Iterator for InputStream {
    type Item = InputDoc;

    fn next(&mut self) -> Option<InputDoc> {
        loop {
            if let Some(doc) = self.next_from_current() {
                return Some(doc);
            }
            let path = self.pending.pop_front()?;
            if let Some(doc) = self.open(path) {
                return Some(doc);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_directories_csv_and_jsonl_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("b.txt"), "Second.").unwrap();
        std::fs::write(d.join("a.txt"), "First.").unwrap();
        std::fs::write(d.join("sub/c.txt"), b"bad \xff byte.").unwrap();
        std::fs::write(d.join("e.txt"), "  ").unwrap();
        std::fs::write(d.join("f.txt"), b"bin\0ary").unwrap();
        std::fs::write(d.join("ignored.bin"), "x").unwrap();
        std::fs::write(d.join("rows.csv"), "id,text,actor\nr1,Hello there.,Russia\nr2,,\n").unwrap();
        std::fs::write(d.join("rows.jsonl"), "{\"text\":\"One.\"}\nnot json\n").unwrap();
        let docs: Vec<InputDoc> = InputStream::new(&[d.to_owned()], InputColumns::default()).collect();
        let ids: Vec<String> = docs.iter().map(|x| x.id.rsplit('/').next().unwrap().to_owned()).collect();
        assert_eq!(ids, ["a.txt", "b.txt", "e.txt", "f.txt", "r1", "r2", "rows.jsonl:1", "rows.jsonl:2", "c.txt"]);
        assert!(docs[2].text.as_ref().unwrap_err().contains("empty"));
        assert!(docs[3].text.as_ref().unwrap_err().contains("binary"));
        assert_eq!(docs[4].text, Ok(DocText::Pair { text: "Hello there.".into(), actor: "Russia".into() }));
        assert!(docs[5].text.is_err());
        assert!(docs[7].text.as_ref().unwrap_err().contains("invalid JSON"));
        assert_eq!(docs[8].warnings.len(), 1);
        assert_eq!(docs[8].text, Ok(DocText::Article("bad \u{fffd} byte.".into())));
    }

    #[test]
    fn missing_path_is_reported_not_fatal() {
        let docs: Vec<InputDoc> = InputStream::new(&[PathBuf::from("/no/such/file.txt")], InputColumns::default()).collect();
        assert_eq!(docs.len(), 1);
        assert!(docs[0].text.as_ref().unwrap_err().contains("cannot open"));
    }
}
