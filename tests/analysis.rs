//! Korean analysis that reads a word the same way in the query and in the
//! index, keeps every word that is not pure grammar, joins spaced nouns only
//! when that finds something, and never "corrects" a correct word.

mod util;

use std::path::{Path, PathBuf};

use doumi::content::Library;
use doumi::search::{Origin, SearchRequest};
use util::{HelpCenter, bundled_engine};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// For every heading of a help center: the terms each of its words gets when
/// a customer types it are terms the index holds.
fn heading_words_not_indexed(content: &Path) -> Vec<String> {
    let library = Library::load(content).unwrap();
    let (engine, _, _scratch) = doumi::eval::scratch_engine(&library, content).unwrap();
    let mut missing = Vec::new();
    let mut words = 0;
    for entry in library.entries() {
        for word in entry.title.split_whitespace() {
            words += 1;
            for term in engine.index.analyzer.analyze(word) {
                if engine.vocabulary().df(&term.text) == 0 {
                    missing.push(format!("{} — `{word}` → {}", entry.id, term.text));
                }
            }
        }
    }
    assert!(words > 100, "{}: only {words} heading words", content.display());
    missing
}

#[test]
fn every_heading_word_is_read_at_query_time_as_it_was_indexed() {
    for content in [root().join("content"), root().join("tests/eval/holdout/content")] {
        let missing = heading_words_not_indexed(&content);
        assert!(missing.is_empty(), "{}: query-time terms not in the index:\n{}", content.display(), missing.join("\n"));
    }
}

#[test]
fn a_stray_space_between_two_nouns_is_joined_once() {
    let plan = bundled_engine().plan("배송 지 변경");
    let joins: Vec<(usize, Option<usize>)> = plan
        .slots
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.alternatives.iter().filter(|a| a.origin == Origin::Spacing).map(move |a| (i, a.also_covers)))
        .collect();
    assert_eq!(joins, [(0, Some(1))], "배송지 on the first word, answering the second too: {plan}");
}

#[test]
fn words_that_are_not_bare_nouns_or_make_no_indexed_word_are_not_joined() {
    for query in ["내일 비 와", "배송을 지 변경", "회원가입 해요", "환불 언제 돼요"] {
        let plan = bundled_engine().plan(query);
        assert!(plan.slots.iter().all(|s| s.alternatives.iter().all(|a| a.origin != Origin::Spacing)), "{query}: {plan}");
    }
}

#[test]
fn two_nouns_the_help_center_itself_writes_apart_are_not_joined() {
    let hc = HelpCenter::new();
    hc.write("address.md", "---\ntitle: 주소\ntype: faq\n---\n## 배송지를 바꾸고 싶어요\n주문 전이면 바꿀 수 있습니다.\n");
    let joined = |hc: &HelpCenter| {
        let out = hc.run(&["search", "배송 지", "--explain"]);
        out.stderr.contains("Spacing")
    };
    assert!(joined(&hc), "only 배송지 is written: join");
    hc.write("labels.md", "---\ntitle: 표기\ntype: faq\n---\n## 송장의 배송 지 표기는 무엇인가요\n배송 지 표기는 택배사가 정합니다.\n");
    hc.run(&["index"]);
    assert!(!joined(&hc), "배송 지 is also written apart: the customer's spacing is right");
}

#[test]
fn a_filler_is_dropped_by_its_role_not_its_spelling() {
    let plan = bundled_engine().plan("환불 해 봤는데 안 됐어요");
    let empty: Vec<&str> = plan.slots.iter().filter(|s| s.alternatives.is_empty()).map(|s| s.text.as_str()).collect();
    assert_eq!(empty, ["해", "됐어요"], "{plan}");
    assert!(plan.slots.iter().filter(|s| s.alternatives.is_empty()).all(|s| s.importance == 0.0));
    // Words a spelling list dropped are kept when the analysis reads content
    // in them: 함 the box (쿠폰 함), 가능 in 가능한가요.
    for (query, word) in [("쿠폰 함", "함"), ("해외결제 가능한가요", "가능한가요")] {
        let plan = bundled_engine().plan(query);
        let slot = plan.slots.iter().find(|s| s.text == word).unwrap();
        assert!(!slot.alternatives.is_empty() && slot.importance > 0.0, "{query}: {plan}");
    }
    // Negation is a word, not a filler: 안 와요 is not 와요.
    let plan = bundled_engine().plan("택배 안 와요");
    assert!(plan.slots[1].alternatives.iter().any(|a| a.terms.contains(&"안".to_string())), "{plan}");
}

#[test]
fn a_word_that_matches_nothing_and_names_no_topic_does_not_cap_confidence() {
    // 좀 and 궁금 are leftovers of how the question is asked; 채용 names a
    // topic the help center lacks.
    let engine = bundled_engine();
    let confident = |q: &str| engine.search(&SearchRequest::new(q)).unwrap().confidence;
    assert!(confident("환불 좀 빨리") >= doumi::search::CONFIDENT, "{}", confident("환불 좀 빨리"));
    assert!(confident("채용 공고") < doumi::search::CONFIDENT);
}

const BODY_EVIDENCE: &str = "---
title: 배송
type: faq
---

## 배송 조회 방법

주문 내역에서 배송 상태를 볼 수 있습니다.

## 배송 안내

택배사 송장번호로 조회하면 위치를 바로 볼 수 있습니다. 송장번호는 출고 다음 날 문자로 보내 드립니다.
";

#[test]
fn a_telling_word_found_only_in_the_answer_lifts_its_entry() {
    let hc = HelpCenter::new();
    hc.write("shipping.md", BODY_EVIDENCE);
    let body = hc.run(&["search", "송장번호로 배송 조회", "--json"]).json();
    assert_eq!(body["hits"][0]["id"], "shipping#배송-안내", "{body:#}");
    // A question matching every word in its heading still comes first.
    let body = hc.run(&["search", "배송 조회 방법", "--json"]).json();
    assert_eq!(body["hits"][0]["id"], "shipping#배송-조회-방법", "{body:#}");
}

fn suggestion(query: &str) -> Option<String> {
    bundled_engine().search(&SearchRequest::new(query)).unwrap().suggestion
}

#[test]
fn a_correct_word_the_help_center_does_not_use_is_never_corrected() {
    // 지원 (support) is one jamo from 지연 (delay), which the help center uses.
    for query in ["환불 지원 되나요", "배송비 지원", "휴먼 인증", "환전 수수료"] {
        assert_eq!(suggestion(query), None, "{query}");
    }
}

#[test]
fn typos_slips_and_same_sounding_spellings_are_corrected() {
    for (typed, meant) in [
        ("배숑 조회", "배송 조회"),
        ("결재 방법", "결제 방법"),
        ("배송송 조회", "배송 조회"),
        ("결제단 변경", "결제수단 변경"),
        ("qothd whghl", "배송 조회"),
    ] {
        assert_eq!(suggestion(typed).as_deref(), Some(meant), "{typed}");
    }
}
