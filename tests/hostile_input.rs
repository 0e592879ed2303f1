//! Property tests: whatever a customer types or an editor saves, the parsers,
//! the Korean analyzer, the jamo functions, query understanding and the
//! personal-data masker never panic, and what they return stays in bounds.

mod util;

use std::path::PathBuf;

use doumi::analytics::Masker;
use doumi::content::{Article, Fingerprint, SourceFile};
use doumi::korean::{Analyzer, jamo};
use proptest::prelude::*;

/// Text customers and editors really produce: Hangul syllables and jamo,
/// Latin, digits, punctuation, emoji, combining marks, full-width forms and
/// the odd control character — mixed.
fn messy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[가-힣]{1,4}",
        "[ㄱ-ㅎㅏ-ㅣ]{1,3}",
        "[a-zA-Z]{1,5}",
        "[0-9]{1,12}",
        "[ \t\n.,!?~@#%&*()\\-+=/:;'\"<>\\[\\]{}|]{1,3}",
        "[\u{1100}-\u{11FF}]{1,3}",
        "[\u{FF01}-\u{FF5E}]{1,3}",
        "[\u{0300}-\u{036F}]{1,2}",
        "[😀-🙏]{1,2}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|parts| parts.concat())
}

fn source(text: String) -> SourceFile {
    SourceFile {
        path: PathBuf::from("content/fuzz.md"),
        stem: "fuzz".into(),
        folder: None,
        fingerprint: Fingerprint { hash: String::new(), size: text.len() as u64, modified_ns: 0 },
        text,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_analyzer_keeps_offsets_on_char_boundaries_within_the_text(text in messy()) {
        let analyzer = Analyzer::shared_default();
        for term in analyzer.analyze(&text) {
            prop_assert!(term.start <= term.end && term.end <= text.len(), "{term:?} in {text:?}");
            prop_assert!(text.is_char_boundary(term.start) && text.is_char_boundary(term.end), "{term:?} in {text:?}");
            prop_assert!(!term.text.is_empty());
        }
    }

    #[test]
    fn jamo_functions_accept_any_text(text in messy()) {
        let keys = jamo::keystrokes(&text);
        let _ = jamo::compose(&keys);
        let _ = jamo::initials(&text);
        let _ = jamo::jamo_units(&text);
        let _ = jamo::from_dubeolsik(&text);
        let units: Vec<char> = keys.chars().collect();
        let _ = jamo::prefix_distance(&units, &units[..units.len() / 2]);
    }

    #[test]
    fn typing_a_word_key_by_key_composes_it_back(word in "[가-힣]{1,8}") {
        prop_assert_eq!(jamo::compose(&jamo::keystrokes(&word)), word);
    }

    #[test]
    fn any_front_matter_and_markdown_parse_or_fail_with_a_line(yaml in messy(), body in messy(), fenced in any::<bool>()) {
        let text = if fenced { format!("---\n{yaml}\n---\n{body}") } else { format!("{yaml}\n{body}") };
        match Article::parse(&source(text.clone())) {
            Ok((article, problems)) => {
                for entry in article.entries() {
                    prop_assert!(!entry.id.is_empty());
                    let _ = doumi::content::article_html(&article);
                }
                for p in problems {
                    prop_assert!(p.line >= 1 && p.line <= text.lines().count().max(1) + 1, "{p} in {text:?}");
                }
            }
            Err(problem) => prop_assert!(problem.line >= 1 && problem.line <= text.lines().count().max(1) + 1, "{problem} in {text:?}"),
        }
    }

    #[test]
    fn masking_any_text_is_idempotent_and_leaves_no_long_digit_run(text in messy()) {
        let masker = Masker::default();
        let once = masker.mask(&text).into_owned();
        prop_assert_eq!(masker.mask(&once).into_owned(), once.clone());
        let mut run = 0;
        for c in once.chars() {
            run = if c.is_ascii_digit() { run + 1 } else { 0 };
            prop_assert!(run < 9, "{text:?} → {once:?}");
        }
    }
}

proptest! {
    // Each case runs a whole search in a debug build: fewer cases.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_query_is_understood_and_searched_without_panicking(query in messy()) {
        let engine = util::bundled_engine();
        let _ = engine.plan(&query);
        let request = doumi::search::SearchRequest::new(query.clone());
        if let Ok(response) = engine.search(&request) {
            prop_assert!((0.0..=1.0).contains(&response.confidence));
            for hit in response.hits {
                prop_assert!(!hit.snippet.contains("<script"), "{}", hit.snippet);
            }
        }
    }
}
