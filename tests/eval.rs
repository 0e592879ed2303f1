//! `doumi eval`: recall and MRR on a labelled query file, beside the baseline,
//! and a clear error for a malformed line.

mod util;

use util::{HelpCenter, REFUND_FAQ};

#[test]
fn eval_reports_doumi_beside_the_baseline_per_class() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    std::fs::write(
        hc.root().join("queries.jsonl"),
        concat!(
            "{\"query\": \"환불은언제되나요\", \"expected\": [\"refund#환불은-언제-되나요\"], \"class\": \"spacing\"}\n",
            "{\"query\": \"훤불\", \"expected\": [\"refund\"], \"class\": \"typo\"}\n",
            "\n",
            "{\"query\": \"오늘 날씨 어때\", \"expected\": [], \"class\": \"none\"}\n",
        ),
    )
    .unwrap();
    let run = hc.run(&["eval", "--queries", "queries.jsonl", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["queries"], 3);
    let overall = &report["overall"];
    assert_eq!(overall["doumi"]["answerable"], 2);
    assert_eq!(overall["doumi"]["recall_at_1"], 1.0);
    assert_eq!(overall["doumi"]["recall_at_3"], 1.0);
    assert_eq!(overall["doumi"]["no_answer_correct"], 1.0);
    // Whitespace tokens cannot match a question typed without spaces, nor a typo.
    assert_eq!(overall["baseline"]["recall_at_3"], 0.0);
    assert_eq!(report["classes"]["typo"]["doumi"]["recall_at_3"], 1.0);
    assert_eq!(report["classes"]["none"]["doumi"]["answerable"], 0);
    assert_eq!(report["misses"], serde_json::json!([]));

    let human = hc.run(&["eval", "--queries", "queries.jsonl"]);
    assert_eq!(human.code, 0);
    assert!(human.stdout.starts_with("3 queries (2 with an answer, 1 without) on content, "), "{}", human.stdout);
    assert!(human.stdout.contains("\noverall           3    1.000  0.000"), "{}", human.stdout);
}

#[test]
fn a_malformed_line_is_named_by_its_number() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    std::fs::write(
        hc.root().join("queries.jsonl"),
        "{\"query\": \"환불\", \"expected\": []}\n{\"query\": \"환불\", \"expectd\": []}\n",
    )
    .unwrap();
    let run = hc.run(&["eval", "--queries", "queries.jsonl"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("doumi: queries.jsonl:2: not a query line (unknown field `expectd`"), "{}", run.stderr);
    let run = hc.run(&["eval", "--queries", "missing.jsonl"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("doumi: cannot read query file `missing.jsonl`: "), "{}", run.stderr);
}

/// Quality must not slip: overall Recall@3 on the dev set and the holdout help
/// center stays above a floor a little under what doumi reaches (see
/// docs/quality.md), and no class of the dev set falls below 0.80.
#[test]
fn recall_at_3_stays_above_its_floor() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // (content, queries, overall floor, floor for every class)
    for (content, queries, floor, class_floor) in [
        (root.join("content"), root.join("tests/eval/queries.jsonl"), 0.94, Some(0.80)),
        (root.join("tests/eval/holdout/content"), root.join("tests/eval/holdout/queries.jsonl"), 0.92, None),
    ] {
        let library = doumi::content::Library::load(&content).unwrap();
        let queries = doumi::eval::read_queries(&queries).unwrap();
        let report = doumi::eval::run(&library, &content, &queries).unwrap();
        let overall = report.overall.doumi.recall_at_3;
        assert!(overall >= floor, "{}: Recall@3 {overall} < {floor}; misses: {:#?}", content.display(), report.misses);
        assert!(overall > report.overall.baseline.recall_at_3 + 0.3, "far above the baseline");
        if let Some(class_floor) = class_floor {
            for (class, c) in report.classes.iter().filter(|(_, c)| c.doumi.answerable > 0) {
                assert!(c.doumi.recall_at_3 >= class_floor, "class {class}: Recall@3 {}", c.doumi.recall_at_3);
            }
        }
    }
}
