//! Property tests: segmentation spans tile the text; token offsets point at their text.

use proptest::prelude::*;
use stancer::{Analyzer, AnalyzerParams, AnalyzerScratch, SentenceSplitter};

fn text_strategy() -> impl Strategy<Value = String> {
    // Words, abbreviations, punctuation, quotes, line breaks and non-Latin script.
    let pieces = prop::sample::select(vec![
        "Seoul", "U.S.", "Gen.", "Jan.", "J.", "2.5", "said", "not", "didn't", "“", "”", "\"", "'", ".", "!", "?", "…", ",", " ", "  ", "\n", "\n\n", "Москва", "北京", "é", "—", "(", ")", "Dr.", "x",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn sentence_spans_tile_the_text(text in text_strategy()) {
        let spans = SentenceSplitter::default().split(&text);
        let mut covered = vec![false; text.len()];
        let mut prev_end = 0;
        for s in &spans {
            prop_assert!(s.start >= prev_end && s.start < s.end && s.end <= text.len());
            prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            let piece = &text[s.start..s.end];
            prop_assert_eq!(piece, piece.trim());
            for c in covered.iter_mut().take(s.end).skip(s.start) { *c = true; }
            prev_end = s.end;
        }
        for (i, ch) in text.char_indices() {
            if !ch.is_whitespace() {
                prop_assert!(covered[i], "non-space char {:?} at {} outside every sentence", ch, i);
            }
        }
    }

    #[test]
    fn token_offsets_point_at_their_text(text in text_strategy()) {
        let a = Analyzer::new(&AnalyzerParams::default());
        let mut s = AnalyzerScratch::default();
        a.analyze(&text, &mut s);
        let mut prev = 0;
        for t in &s.tokens {
            prop_assert!(t.span.start >= prev && t.span.start < t.span.end);
            let src = &text[t.span.start..t.span.end];
            let lowered: String = src.chars().flat_map(char::to_lowercase).collect::<String>().replace('’', "'");
            prop_assert_eq!(lowered.as_str(), s.norm(t));
            prev = t.span.end;
        }
    }
}
