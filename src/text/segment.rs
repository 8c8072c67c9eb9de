//! Sentence segmentation: article text → sentence byte spans.
//!
//! ```
//! use stancer::SentenceSplitter;
//! let text = "Gen. Smith met U.S. envoys on Jan. 5. “We are ready,” he said. Talks resume.";
//! let spans = SentenceSplitter::default().split(text);
//! let sentences: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
//! assert_eq!(sentences, [
//!     "Gen. Smith met U.S. envoys on Jan. 5.",
//!     "“We are ready,” he said.",
//!     "Talks resume.",
//! ]);
//! ```

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into the original text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The text this span covers in `text`, or `""` when the span does not fit it.
    pub fn of<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// Abbreviations after which a period never ends a sentence (compared lowercased,
/// without the final period). Months are here too, except "may", which is a word.
const ABBREVIATIONS: &[&str] = &[
    "adm", "amb", "apr", "approx", "aug", "brig", "capt", "cmdr", "co", "col", "corp", "cpl",
    "dec", "dept", "dr", "est", "feb", "fig", "fr", "ft", "gen", "gov", "hon", "inc", "jan",
    "jr", "jul", "jun", "lt", "ltd", "maj", "mar", "messrs", "mr", "mrs", "ms", "mt", "no",
    "nov", "oct", "pres", "prof", "rep", "rev", "sen", "sep", "sept", "sgt", "sr", "st", "supt",
    "vs", "gov't", "govt", "nos", "op", "pp", "vol", "ave", "blvd",
];

/// Rule-based sentence splitter for news prose.
///
/// Rules, in order:
/// - A blank line always ends a sentence. A single line break ends one unless the next line
///   starts with a lowercase letter (hard-wrapped text).
/// - `.`, `!`, `?` and `…` (with any closing quotes or brackets after them) end a sentence when
///   whitespace and then an uppercase letter, digit, opening quote or bracket follow, unless
///   the period closes a known abbreviation ("Gen.", "Jan.", "Dr."), an initial ("J."), or a
///   dotted acronym ("U.S.", "e.g."), or the punctuation sits inside an open quotation.
#[derive(Debug, Clone, Default)]
pub struct SentenceSplitter {
    _private: (),
}

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»' | '›')
}

fn is_opening_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '‘' | '(' | '[' | '«' | '‹' | '—')
}

fn starts_sentence(c: char) -> bool {
    c.is_uppercase() || c.is_numeric() || is_opening_quote(c) || (c.is_alphabetic() && !c.is_lowercase())
}

impl SentenceSplitter {
    /// A splitter with the default rules.
    pub fn new() -> Self {
        Self::default()
    }

    /// Splits `text` into sentence spans (trimmed of surrounding whitespace, in order,
    /// non-overlapping, on character boundaries).
    pub fn split(&self, text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        self.split_into(text, &mut out);
        out
    }

    /// Like [`split`](Self::split), but appends into a caller-owned buffer (cleared first).
    pub fn split_into(&self, text: &str, out: &mut Vec<Span>) {
        out.clear();
        let bytes = text.as_bytes();
        let mut start = 0usize;
        let mut quote_depth: i32 = 0;
        // Scan by position, jumping straight to the next byte that can begin a character
        // the rules act on (see `ACTS_ON`), instead of decoding every character.
        let mut p = 0usize;
        while let Some(k) = bytes.get(p..).and_then(|b| b.iter().position(|&x| ACTS_ON[x as usize])) {
            let i = p + k;
            let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else { break };
            p = i + c.len_utf8();
            match c {
                '“' | '«' => quote_depth += 1,
                '”' | '»' => quote_depth = (quote_depth - 1).max(0),
                '"' => {
                    // A straight quote opens after whitespace or an opening bracket, else closes.
                    let prev = text[..i].chars().next_back();
                    if prev.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '[' | '—' | '-')) {
                        quote_depth += 1;
                    } else {
                        quote_depth = (quote_depth - 1).max(0);
                    }
                }
                '\n' => {
                    // Look at what follows the line break: one scan over the whitespace,
                    // which the iterator then skips (linear even on runs of blank lines).
                    let rest = &text[i + 1..];
                    let ws_len = rest.len() - rest.trim_start().len();
                    let blank = rest[..ws_len].contains('\n') || ws_len == rest.len();
                    let next = rest[ws_len..].chars().next();
                    let wrap = !blank && next.is_some_and(|n| n.is_lowercase());
                    if !wrap {
                        push(text, start, i, out);
                        start = i + 1;
                        quote_depth = 0;
                    }
                    let skip_to = i + 1 + ws_len;
                    p = p.max(skip_to);
                }
                '.' | '!' | '?' | '…' => {
                    // Consume the run of terminal punctuation and closing quotes/brackets.
                    let mut end = i + c.len_utf8();
                    while let Some(d) = text.get(end..).and_then(|t| t.chars().next()) {
                        if matches!(d, '.' | '!' | '?' | '…') {
                            end += d.len_utf8();
                        } else if is_closing(d) {
                            if matches!(d, '”' | '»') || (d == '"' && quote_depth > 0) {
                                quote_depth = (quote_depth - 1).max(0);
                            }
                            end += d.len_utf8();
                        } else {
                            break;
                        }
                    }
                    p = end;
                    if quote_depth > 0 {
                        continue;
                    }
                    // Whitespace (without a line break, handled above) then a sentence start?
                    let rest = &text[end..];
                    let after_ws = rest.trim_start_matches([' ', '\t', '\u{a0}']);
                    let had_ws = after_ws.len() < rest.len();
                    let next = after_ws.chars().next();
                    let boundary = match next {
                        None => true,
                        Some('\n') | Some('\r') => false, // the line-break rule decides
                        Some(n) => had_ws && starts_sentence(n),
                    };
                    if !boundary || next.is_none() {
                        continue;
                    }
                    if c == '.' && end == i + 1 && is_abbreviation(&text[start..i]) {
                        continue;
                    }
                    push(text, start, end, out);
                    start = end;
                }
                _ => {}
            }
        }
        push(text, start, bytes.len(), out);
    }
}

/// Bytes that can begin a character `split_into` acts on: `"`, `\n`, `.`, `!`, `?`, and
/// the lead bytes of `“ ” …` (0xE2) and `« »` (0xC2). UTF-8 continuation bytes are
/// 0x80..=0xBF, so none of these can occur inside another character.
const ACTS_ON: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'.' as usize] = true;
    t[b'!' as usize] = true;
    t[b'?' as usize] = true;
    t[0xE2] = true;
    t[0xC2] = true;
    t
};

/// Is the word right before a period (the end of `before`) an abbreviation, initial or
/// dotted acronym?
fn is_abbreviation(before: &str) -> bool {
    let word_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || matches!(c, '(' | '“' | '"' | '‘' | '—'))
        .map_or(0, |(k, c)| k + c.len_utf8());
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    // Dotted acronyms and abbreviations: "U.S", "e.g", "a.m".
    if word.contains('.') && word.chars().all(|c| c.is_alphabetic() || c == '.') {
        return true;
    }
    let mut chars = word.chars();
    if let (Some(first), None) = (chars.next(), chars.next()) {
        // A single-letter initial: "J." in "J. Smith".
        return first.is_uppercase();
    }
    if word.len() > 7 {
        return false;
    }
    let lower = word.to_ascii_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

/// Longest sentence kept whole, in bytes. A longer run without a boundary (a scraped
/// table, a run-on line) is cut at the last whitespace before the limit, so that one
/// pathological "sentence" cannot take unbounded time or memory downstream.
pub const MAX_SENTENCE_BYTES: usize = 16 * 1024;

fn push(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if trimmed.is_empty() {
        return;
    }
    let mut s = start + lead;
    let e = s + trimmed.len();
    while e - s > MAX_SENTENCE_BYTES {
        let mut cut = s + MAX_SENTENCE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let window = &text[s..cut];
        let at = window.rfind(char::is_whitespace).filter(|&k| k > 0).map_or(cut, |k| s + k);
        let chunk = text[s..at].trim_end();
        out.push(Span { start: s, end: s + chunk.len() });
        let rest = &text[at..e];
        s = at + (rest.len() - rest.trim_start().len());
    }
    if e > s {
        out.push(Span { start: s, end: e });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        SentenceSplitter::default().split(text).iter().map(|s| s.of(text)).collect()
    }

    /// The committed segmentation table: input → expected sentences.
    #[test]
    fn segmentation_table() {
        let table: &[(&str, &[&str])] = &[
            ("The U.S. envoy arrived. Talks began.", &["The U.S. envoy arrived.", "Talks began."]),
            ("Officials in the U.S. said no.", &["Officials in the U.S. said no."]),
            ("Dr. Kim met Gen. Lee in Seoul.", &["Dr. Kim met Gen. Lee in Seoul."]),
            ("The summit opens on Jan. 12 in Oslo. It ends Friday.", &["The summit opens on Jan. 12 in Oslo.", "It ends Friday."]),
            ("J. R. Ellis wrote the memo. Nobody read it.", &["J. R. Ellis wrote the memo.", "Nobody read it."]),
            ("Growth slowed to 2.5 percent. Exports fell 3.1%.", &["Growth slowed to 2.5 percent.", "Exports fell 3.1%."]),
            ("“We will not bow. We will fight,” the minister said.", &["“We will not bow. We will fight,” the minister said."]),
            ("He refused. “We will fight,” she added.", &["He refused.", "“We will fight,” she added."]),
            ("\"Enough. No more,\" he said. Then he left.", &["\"Enough. No more,\" he said.", "Then he left."]),
            ("Will Seoul send arms? Nobody knows!", &["Will Seoul send arms?", "Nobody knows!"]),
            ("“Why now?” he asked. Silence followed.", &["“Why now?” he asked.", "Silence followed."]),
            ("Headline Without Stop\nThe body starts here.", &["Headline Without Stop", "The body starts here."]),
            ("A line that is hard\nwrapped in the middle.", &["A line that is hard\nwrapped in the middle."]),
            ("Para one ends.\n\nPara two ends.", &["Para one ends.", "Para two ends."]),
            ("Mr. and Mrs. Park voted e.g. early. The count began at 9 a.m. sharp.", &["Mr. and Mrs. Park voted e.g. early.", "The count began at 9 a.m. sharp."]),
            ("The talks (held in Doha.) ended. Next round soon.", &["The talks (held in Doha.) ended.", "Next round soon."]),
            ("Wait... They came back.", &["Wait...", "They came back."]),
            ("", &[]),
            ("   \n\n  ", &[]),
            ("No terminal punctuation", &["No terminal punctuation"]),
            ("The U.N. Security Council met. Russia vetoed.", &["The U.N. Security Council met.", "Russia vetoed."]),
            ("Сеул заявил. Москва ответила.", &["Сеул заявил.", "Москва ответила."]),
            ("Sen. Graham and Prof. Ito spoke.", &["Sen. Graham and Prof. Ito spoke."]),
            ("It said: 'No.' Then it agreed.", &["It said: 'No.'", "Then it agreed."]),
        ];
        for (input, expected) in table {
            assert_eq!(split(input), *expected, "input: {input:?}");
        }
    }

    /// Regression (fuzzing, issue 6): runs of blank lines used to take quadratic time.
    #[test]
    fn blank_line_runs_are_linear() {
        let text = format!("One.{}Two.", "\r\n".repeat(200_000));
        let started = std::time::Instant::now();
        assert_eq!(split(&text), ["One.", "Two."]);
        // Not a timing test: a quadratic scan of 400 KB takes over a minute, linear is instant.
        assert!(started.elapsed().as_secs() < 20);
    }

    #[test]
    fn overlong_sentences_are_cut_at_whitespace() {
        let text = "word ".repeat(10_000); // 50,000 bytes, no boundary
        let spans = SentenceSplitter::default().split(&text);
        assert_eq!(spans.len(), 4);
        assert!(spans.iter().all(|s| s.end - s.start <= MAX_SENTENCE_BYTES));
        assert!(spans.iter().all(|s| s.of(&text).starts_with("word") && s.of(&text).ends_with("word")));
        let no_space = "é".repeat(20_000); // 40,000 bytes, no whitespace at all
        let spans = SentenceSplitter::default().split(&no_space);
        assert_eq!(spans.iter().map(|s| s.end - s.start).sum::<usize>(), no_space.len());
    }

    #[test]
    fn spans_are_trimmed_and_ordered() {
        let text = "  First one.   Second one.  ";
        let spans = SentenceSplitter::default().split(text);
        assert_eq!(spans, vec![Span { start: 2, end: 12 }, Span { start: 15, end: 26 }]);
    }
}
