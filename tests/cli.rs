//! The `doumi` binary on real content trees: index, search and check, and a clear
//! message with the right exit code for every kind of bad input.

mod util;

use util::{HelpCenter, REFUND_FAQ};

#[test]
fn index_json_on_the_bundled_content_has_no_errors() {
    let hc = HelpCenter::bundled();
    let run = hc.run(&["index", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let keys: Vec<&str> = report.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["entries", "errors", "files", "took_ms"]);
    assert!(report["entries"].as_u64().unwrap() >= 80, "{report}");
    assert!(report["files"].as_u64().unwrap() >= 12);
    assert_eq!(report["errors"], serde_json::json!([]));
}

#[test]
fn check_passes_on_the_bundled_content() {
    let run = HelpCenter::bundled().run(&["check"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert!(run.stderr.contains("0 error(s), 0 warning(s)"), "{}", run.stderr);
}

#[test]
fn broken_front_matter_is_named_and_every_other_file_still_indexed() {
    let hc = HelpCenter::bundled();
    let clean = hc.run(&["index", "--json"]).json()["entries"].as_u64().unwrap();
    // refund.md has 6 questions; break its YAML on line 4.
    let refund = hc.content().join("returns/refund.md");
    let text = std::fs::read_to_string(&refund).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[3] = "tags: [환불, 환불기간";
    std::fs::write(&refund, lines.join("\n")).unwrap();

    let run = hc.run(&["index", "--json"]);
    assert_eq!(run.code, 1);
    let report = run.json();
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!(errors[0]["path"], "content/returns/refund.md");
    assert!((4..=5).contains(&errors[0]["line"].as_u64().unwrap()), "{report}");
    assert!(errors[0]["message"].as_str().unwrap().starts_with("front matter is not valid YAML"));
    assert_eq!(report["entries"].as_u64().unwrap(), clean - 6);

    let human = hc.run(&["index"]);
    assert_eq!(human.code, 1);
    assert!(human.stderr.starts_with("content/returns/refund.md:"), "{}", human.stderr);
    assert!(human.stdout.contains("1 file(s) not indexed"), "{}", human.stdout);
}

#[test]
fn search_json_is_the_api_body() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let run = hc.run(&["search", "환불 언제 돼요", "--json", "--limit", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let body = run.json();
    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["confidence", "hits", "query", "query_id", "took_ms", "total"]);
    assert_eq!(body["query"], "환불 언제 돼요");
    assert_eq!(body["total"], 2);
    let hit = &body["hits"][0];
    let hit_keys: Vec<&str> = hit.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(hit_keys, ["article_id", "article_title", "category", "id", "score", "snippet", "title", "url"]);
    assert_eq!(hit["id"], "refund#환불은-언제-되나요");
    assert_eq!(hit["url"], "/articles/refund#환불은-언제-되나요");
    assert_eq!(hit["title"], "환불은 언제 되나요?");
    assert_eq!(hit["article_title"], "환불 안내");
    assert_eq!(hit["category"], "환불");
}

#[test]
fn search_builds_a_missing_index_and_prints_a_ranked_list() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let run = hc.run(&["search", "환불 계좌 변경"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("no index yet; building it from content"), "{}", run.stderr);
    let first: Vec<&str> = run.stdout.lines().take(2).collect();
    assert_eq!(first, ["1. 환불 계좌는 어디서 바꾸나요?  [환불]  (".to_string() + &first[0][first[0].find("(").unwrap() + 1..], "   /articles/refund#환불-계좌는-어디서-바꾸나요".to_string()]);
}

#[test]
fn markup_in_an_answer_is_escaped_in_the_snippet() {
    let hc = HelpCenter::new();
    hc.write("x.md", "---\ntitle: 보안\n---\n## 스크립트\n환불 안내 <script>alert(1)</script> 그리고 `<b>코드</b>` & 끝\n");
    let body = hc.run(&["search", "환불", "--json"]).json();
    let snippet = body["hits"][0]["snippet"].as_str().unwrap();
    assert_eq!(snippet, "<mark>환불</mark> 안내 alert(1) 그리고 &lt;b&gt;코드&lt;/b&gt; &amp; 끝");
}

#[test]
fn drafts_are_not_indexed() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    hc.write("new.md", "---\ntitle: 준비 중인 안내\ndraft: true\n---\n## 포장 방법\n선물 포장은 2,000원입니다.\n");
    let report = hc.run(&["index", "--json"]).json();
    assert_eq!((report["files"].as_u64(), report["entries"].as_u64()), (Some(2), Some(2)));
    assert_eq!(hc.run(&["search", "선물 포장", "--json"]).json()["total"], 0);
}

#[test]
fn missing_content_directory_is_a_clear_error() {
    let hc = HelpCenter::new();
    let run = hc.run(&["--content", "nowhere", "index"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "doumi: content directory `nowhere` does not exist; pass --content DIR or create it\n");
}

#[test]
fn empty_content_directory_is_a_clear_error_and_keeps_the_old_index() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    assert_eq!(hc.run(&["index"]).code, 0);
    std::fs::remove_file(hc.content().join("refund.md")).unwrap();
    let run = hc.run(&["index"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "doumi: content directory `content` holds no .md articles; write one (see README: content format)\n");
    // The failed build left the previous index serving.
    assert_eq!(hc.run(&["search", "환불", "--json"]).json()["total"], 2);
}

#[test]
fn an_interrupted_swap_is_recovered_from_the_previous_index() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    assert_eq!(hc.run(&["index"]).code, 0);
    // As if a build died between moving the live index aside and moving the new one in.
    std::fs::rename(hc.root().join("index/search"), hc.root().join("index/search.old")).unwrap();
    let run = hc.run(&["search", "환불", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("building"), "{}", run.stderr);
    assert_eq!(run.json()["total"], 2);
}

#[test]
fn non_utf8_file_is_named_with_its_line() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let mut bytes = b"---\ntitle: euc-kr\n---\n".to_vec();
    bytes.extend([0xc8, 0xaf, 0xba, 0xd2]); // 환불 in EUC-KR
    hc.write("legacy.md", bytes);
    let run = hc.run(&["index", "--json"]);
    assert_eq!(run.code, 1);
    let errors = &run.json()["errors"];
    assert_eq!(errors[0]["path"], "content/legacy.md");
    assert_eq!(errors[0]["line"], 4);
    assert_eq!(errors[0]["message"], "not valid UTF-8 (byte 24); save the file as UTF-8");
    assert_eq!(run.json()["entries"], 2);
}

#[test]
fn ten_megabyte_file_is_refused_and_the_rest_indexed() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    let mut big = String::from("---\ntitle: 큰 파일\n---\n");
    while big.len() < 10 * 1024 * 1024 {
        big.push_str("## 질문\n배송 안내 문장입니다.\n");
    }
    hc.write("big.md", big);
    let run = hc.run(&["index", "--json"]);
    assert_eq!(run.code, 1);
    let report = run.json();
    assert_eq!(report["errors"][0]["path"], "content/big.md");
    assert_eq!(
        report["errors"][0]["message"],
        "file is 10.5 MB, over the 1024 KB limit for one article; split it into several articles"
    );
    assert_eq!(report["entries"], 2);
}

#[test]
fn empty_query_is_refused() {
    let hc = HelpCenter::new();
    let run = hc.run(&["search", "  "]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "doumi: the query is empty; type a question, e.g. 비밀번호를 잊어버렸어요\n");
}

#[test]
fn ten_thousand_character_query_is_refused() {
    let hc = HelpCenter::new();
    let run = hc.run(&["search", &"환불".repeat(5000)]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "doumi: the query is 10000 characters long; the limit is 500\n");
}

#[test]
fn punctuation_or_emoji_query_says_there_is_nothing_to_search() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    hc.run(&["index"]);
    let run = hc.run(&["search", "?!… 😀🙏"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "no results for 「?!… 😀🙏」 (it has no words to search for, only punctuation or symbols)\n");
    let json = hc.run(&["search", "😀", "--json"]).json();
    assert_eq!((json["total"].as_u64(), json["hits"].as_array().map(Vec::len)), (Some(0), Some(0)));
}

#[test]
fn bad_limit_and_unknown_flags_are_usage_errors() {
    let hc = HelpCenter::new();
    let run = hc.run(&["search", "환불", "--limit", "0"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "doumi: limit must be between 1 and 50, got 0\n");
    let run = hc.run(&["search", "환불", "--limit", "abc"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("invalid value 'abc' for '--limit <N>'"), "{}", run.stderr);
    let run = hc.run(&["search", "환불", "--jsn"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("tip: a similar argument exists: '--json'"), "{}", run.stderr);
}

#[test]
fn a_corrupt_index_says_how_to_rebuild() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    hc.run(&["index"]);
    std::fs::write(hc.root().join("index/search/meta.json"), "{not json").unwrap();
    let run = hc.run(&["search", "환불"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("doumi: search index at `index/search` cannot be opened ("), "{}", run.stderr);
    assert!(run.stderr.ends_with("); rebuild it with `doumi index`\n"), "{}", run.stderr);
}

#[test]
fn help_keeps_the_typical_uses_one_to_a_line() {
    let hc = HelpCenter::new();
    let run = hc.run(&["--help"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for command in ["index", "search \"비밀번호를 잊어버렸어요\"", "check", "serve", "report --since 7d"] {
        let line = run.stdout.lines().find(|l| l.trim_start().starts_with(&format!("doumi {command}"))).unwrap_or_else(|| panic!("no line for {command}:\n{}", run.stdout));
        assert_eq!(line.matches("doumi ").count(), 1, "one use a line: {line:?}");
    }
    assert!(run.stdout.contains("\nExit codes: 0 success"), "{}", run.stdout);
}

#[test]
fn serve_help_lists_every_setting_on_a_line_of_its_own_with_its_default() {
    let hc = HelpCenter::new();
    let run = hc.run(&["serve", "--help"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (key, default) in [
        ("addr", "127.0.0.1:7878"),
        ("rate_limit_per_minute", "600"),
        ("search_cache_entries", "4096"),
        ("semantic", "true"),
        ("semantic_weight", "1.5"),
        ("query_embedding_cache", "4096"),
    ] {
        let line = run.stdout.lines().find(|l| l.trim_start().starts_with(&format!("{key} "))).unwrap_or_else(|| panic!("no line for {key}:\n{}", run.stdout));
        assert!(line.trim_end().ends_with(default), "{key}: {line:?}");
    }
}
