//! Labelled CSV in (ANNOTATION.md layout or any text/label columns).
//!
//! Policy: problems that make the file untrustworthy are fatal (unreadable or empty file,
//! missing header or column, malformed CSV, invalid UTF-8, a label outside a known label
//! set); problems confined to one row skip that row with a warning and a count (empty
//! text, no label in any label column). Duplicate ids and actors missing from the registry
//! are kept with a warning.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::labels::{SENTIMENT_LABELS, STANCE_LABELS};
use crate::text::segment::Span;

/// Which columns to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Text column.
    pub text: String,
    /// Actor (target) column; when `actor_required` is false a missing column is fine.
    pub actor: String,
    /// Fail when the actor column is missing.
    pub actor_required: bool,
    /// Label columns; empty means `stance` and `sentiment` if present, else `label`.
    pub labels: Vec<String>,
    /// Optional columns with the target's byte or character offsets (`start,end`).
    pub span: Option<(String, String)>,
    /// Optional column that groups rows for cross-validation (default: from `id`).
    pub group: Option<String>,
}

impl Default for Columns {
    fn default() -> Self {
        Self { text: "text".into(), actor: "actor".into(), actor_required: false, labels: Vec::new(), span: None, group: None }
    }
}

/// One usable labelled row.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledRow {
    /// 1-based line where the record starts.
    pub line: u64,
    /// 0-based index of the data record in the file (skipped rows count too).
    pub record: usize,
    /// Group key for cross-validation: the document id (the `id` column up to its first
    /// `-`), or the text itself when there is no id column.
    pub group: String,
    /// The sentence.
    pub text: String,
    /// The actor (empty for a sentence-only row).
    pub actor: String,
    /// One label per label column (empty when the row has none for it).
    pub labels: Vec<String>,
    /// Target span in bytes, when span columns were given.
    pub span: Option<Span>,
}

/// A loaded labelled file.
#[derive(Debug, Clone)]
pub struct LabelledData {
    /// The file.
    pub path: PathBuf,
    /// Label column names, in head order.
    pub label_columns: Vec<String>,
    /// Whether an actor column is in use.
    pub has_actor: bool,
    /// Usable rows.
    pub rows: Vec<LabelledRow>,
    /// Rows skipped, with reasons (one line each, naming the line).
    pub skipped: Vec<String>,
    /// Non-fatal remarks.
    pub warnings: Vec<String>,
}

fn known_set(column: &str) -> Option<&'static [&'static str]> {
    match column {
        "stance" => Some(&STANCE_LABELS),
        "sentiment" => Some(&SENTIMENT_LABELS),
        _ => None,
    }
}

/// Converts a character offset to a byte offset (None when past the end).
fn char_to_byte(text: &str, chars: usize) -> Option<usize> {
    if chars == text.chars().count() {
        return Some(text.len());
    }
    text.char_indices().nth(chars).map(|(b, _)| b)
}

/// Maps record byte offsets to 1-based line numbers. The csv crate's own line count is
/// off by one after CRLF line ends, and its record offsets point at the `\n` of a CRLF, so
/// the line is one plus the newlines up to and including the offset. Offsets only grow,
/// so counting is incremental.
#[derive(Default)]
struct LineCounter {
    byte: usize,
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, body: &[u8], byte: u64) -> u64 {
        let end = (byte as usize + 1).min(body.len());
        if end < self.byte {
            self.byte = 0;
            self.newlines = 0;
        }
        self.newlines += body[self.byte..end].iter().filter(|&&b| b == b'\n').count() as u64;
        self.byte = end;
        self.newlines + 1
    }
}

/// Reads a labelled CSV.
///
/// # Errors
/// See the module policy: [`Error::Io`], [`Error::Empty`], [`Error::MissingColumn`],
/// [`Error::Csv`] (with line), [`Error::BadRow`] (unknown label, with line).
pub fn read_labelled(path: &Path, cols: &Columns) -> Result<LabelledData> {
    if path.is_dir() {
        return Err(Error::io(path, std::io::Error::other("is a directory, expected a CSV file")));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::Empty { path: path.to_owned(), message: "the file has no header and no rows".into() });
    }
    let mut rdr = ::csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(body);
    let header: Vec<String> = rdr.headers().map_err(|e| Error::csv(path, e))?.iter().map(|h| h.trim().to_owned()).collect();
    let find = |name: &str| header.iter().position(|h| h == name);
    let missing = |name: &str| Error::MissingColumn { path: path.to_owned(), column: name.to_owned(), found: header.join(",") };
    let text_col = find(&cols.text).ok_or_else(|| missing(&cols.text))?;
    let actor_col = match find(&cols.actor) {
        Some(c) => Some(c),
        None if cols.actor_required => return Err(missing(&cols.actor)),
        None => None,
    };
    let label_columns: Vec<String> = if cols.labels.is_empty() {
        let defaults: Vec<String> = ["stance", "sentiment"].iter().filter(|c| find(c).is_some()).map(|c| c.to_string()).collect();
        if defaults.is_empty() {
            vec!["label".to_owned()]
        } else {
            defaults
        }
    } else {
        cols.labels.clone()
    };
    let label_idx: Vec<usize> = label_columns.iter().map(|c| find(c).ok_or_else(|| missing(c))).collect::<Result<_>>()?;
    let span_idx = match &cols.span {
        Some((s, e)) => Some((find(s).ok_or_else(|| missing(s))?, find(e).ok_or_else(|| missing(e))?)),
        None => None,
    };
    let id_col = find("id");
    let group_col = match &cols.group {
        Some(g) => Some(find(g).ok_or_else(|| missing(g))?),
        None => None,
    };
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut warnings = Vec::new();
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut lines = LineCounter::default();
    for (record, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| lines.line_at(body, p.byte()));
            let mut err = Error::csv(path, e);
            if let (Error::Csv { line: l, .. }, Some(fixed)) = (&mut err, line) {
                *l = fixed;
            }
            err
        })?;
        let line = rec.position().map_or(0, |p| lines.line_at(body, p.byte()));
        let get = |c: usize| rec.get(c).unwrap_or("").trim();
        let text = get(text_col);
        if text.is_empty() {
            skipped.push(format!("{}:{line}: empty text", path.display()));
            continue;
        }
        let labels: Vec<String> = label_idx.iter().map(|&c| get(c).to_owned()).collect();
        if labels.iter().all(String::is_empty) {
            skipped.push(format!("{}:{line}: no label in {}", path.display(), label_columns.join(", ")));
            continue;
        }
        for (name, label) in label_columns.iter().zip(&labels) {
            if let (Some(set), false) = (known_set(name), label.is_empty()) {
                if !set.contains(&label.as_str()) {
                    return Err(Error::BadRow {
                        path: path.to_owned(),
                        line,
                        message: format!("unknown {name} label '{label}' (expected one of {})", set.join(", ")),
                    });
                }
            }
        }
        let id = id_col.map(|c| get(c).to_owned()).filter(|s| !s.is_empty());
        if let Some(id) = &id {
            if let Some(prev) = ids.insert(id.clone(), line) {
                warnings.push(format!("{}:{line}: duplicate id '{id}' (first on line {prev})", path.display()));
            }
        }
        let group = match (group_col, &id) {
            (Some(c), _) => get(c).to_owned(),
            (None, Some(id)) => id.split('-').next().unwrap_or(id).to_owned(),
            (None, None) => text.to_owned(),
        };
        let span = match span_idx {
            Some((s, e)) => {
                let parse = |c: usize| get(c).parse::<usize>().ok();
                match (parse(s), parse(e)) {
                    (Some(a), Some(b)) if a < b => match (char_to_byte(text, a), char_to_byte(text, b)) {
                        (Some(x), Some(y)) => Some(Span { start: x, end: y }),
                        _ => {
                            warnings.push(format!("{}:{line}: target offsets {a}..{b} fall outside the text; ignored", path.display()));
                            None
                        }
                    },
                    _ => None,
                }
            }
            None => None,
        };
        let actor = actor_col.map(|c| get(c).to_owned()).unwrap_or_default();
        rows.push(LabelledRow { line, record, group, text: text.to_owned(), actor, labels, span });
    }
    if rows.is_empty() {
        return Err(Error::Empty { path: path.to_owned(), message: format!("no usable rows ({} skipped)", skipped.len()) });
    }
    Ok(LabelledData { path: path.to_owned(), label_columns, has_actor: actor_col.is_some(), rows, skipped, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(content: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(content).unwrap();
        f
    }

    #[test]
    fn reads_annotation_layout_with_bom_and_crlf() {
        let f = write(b"\xef\xbb\xbfid,text,actor,stance,sentiment\r\nd1-s1-a1,\"Seoul backs Kyiv, officials said.\",South Korea,supportive,positive\r\nd1-s2-a0,Prices rose.,,,neutral\n");
        let d = read_labelled(f.path(), &Columns::default()).unwrap();
        assert_eq!(d.label_columns, ["stance", "sentiment"]);
        assert_eq!(d.rows.len(), 2);
        assert_eq!(d.rows[0].group, "d1");
        assert_eq!(d.rows[1].line, 3);
        assert_eq!(d.rows[1].labels, ["", "neutral"]);
    }

    #[test]
    fn errors_name_file_and_line() {
        let cases: Vec<(&[u8], &str)> = vec![
            (b"", "empty input"),
            (b"text,actor\nA,B\n", "missing column 'stance'"),
            (b"id,text,actor,stance,sentiment\nx,Hello,US,supportive,positive\ny,\"open,US,hostile,negative\n", "3:"),
            (b"id,text,actor,stance,sentiment\nx,Hello,US,supportive\n", ":2: expected 5 fields, found 4"),
            (b"id,text,actor,stance,sentiment\nx,Hello,US,friendly,positive\n", ":2: unknown stance label 'friendly'"),
            (b"id,text,actor,stance,sentiment\nx,Hel\xfflo,US,hostile,positive\n", ":2: invalid UTF-8"),
            (b"id,text,actor,stance,sentiment\nx,,US,hostile,positive\n", "no usable rows (1 skipped)"),
        ];
        for (content, want) in cases {
            let f = write(content);
            let cols = Columns { labels: if want.contains("'stance'") { vec!["stance".into()] } else { vec![] }, ..Default::default() };
            let err = read_labelled(f.path(), &cols).unwrap_err().to_string();
            assert!(err.contains(want), "{:?}: got {err}", String::from_utf8_lossy(content));
            assert!(err.contains(&f.path().display().to_string()), "error must name the file: {err}");
        }
    }

    #[test]
    fn skips_and_warns_per_row() {
        let f = write(b"id,text,actor,stance,sentiment\nd1-a,,US,hostile,negative\nd1-b,Fine.,US,hostile,negative\nd1-b,Again.,US,,\nd1-b,More.,US,cautious,neutral\n");
        let d = read_labelled(f.path(), &Columns::default()).unwrap();
        assert_eq!(d.rows.len(), 2);
        assert_eq!(d.skipped.len(), 2);
        assert!(d.skipped[0].contains(":2: empty text"));
        assert!(d.skipped[1].contains(":4: no label"));
        assert_eq!(d.warnings.len(), 1);
        assert!(d.warnings[0].contains("duplicate id 'd1-b'"));
    }

    #[test]
    fn character_offsets_become_byte_spans() {
        let f = write("text,label,target,target_start,target_end\n“Hi” Obama said,positive,Obama,5,10\n".as_bytes());
        let cols = Columns { actor: "target".into(), span: Some(("target_start".into(), "target_end".into())), ..Default::default() };
        let d = read_labelled(f.path(), &cols).unwrap();
        let sp = d.rows[0].span.unwrap();
        assert_eq!(sp.of(&d.rows[0].text), "Obama");
    }

    #[test]
    fn a_group_column_groups_rows() {
        let f = write(b"text,label,target,claim_id\nA says yes,for,C1,c1\nB says no,against,C1,c1\nC says yes,for,C2,c2\n");
        let cols = Columns { actor: "target".into(), group: Some("claim_id".into()), ..Default::default() };
        let d = read_labelled(f.path(), &cols).unwrap();
        let groups: Vec<&str> = d.rows.iter().map(|r| r.group.as_str()).collect();
        assert_eq!(groups, ["c1", "c1", "c2"]);
        // Without it, rows group by text; a missing group column is an error naming it.
        let d = read_labelled(f.path(), &Columns { actor: "target".into(), ..Default::default() }).unwrap();
        assert_eq!(d.rows[0].group, "A says yes");
        let err = read_labelled(f.path(), &Columns { group: Some("doc".into()), ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("doc"), "{err}");
    }

    #[test]
    fn directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(read_labelled(dir.path(), &Columns::default()), Err(Error::Io { .. })));
    }
}
