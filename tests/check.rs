//! `doumi check`: every problem an editor must fix, as `path:line: message`.

mod util;

use util::{HelpCenter, REFUND_FAQ};

#[test]
fn every_kind_of_problem_is_reported_with_its_line() {
    let hc = HelpCenter::new();
    hc.write("returns/refund.md", REFUND_FAQ);
    // Same id as refund.md, an unknown key, a duplicate anchor, an empty answer,
    // the same question as refund.md, and links to nowhere.
    hc.write(
        "returns/t-copy.md",
        "---\ntitle: 환불 사본\nid: refund\n---\n",
    );
    hc.write(
        "faq/broken.md",
        "---
title: 여러 문제
type: faq
alias: [오타]
---

## 환불은 언제 되나요?

중복 질문입니다. [계좌](/articles/refund#없는-앵커) [배송](/articles/shiping)

## 빈 질문

## 포장 {#wrap}

선물 포장 안내.

## 포장 다시 {#wrap}

두 번째 포장.
",
    );
    hc.write("faq/no-title.md", "---\ncategory: 기타\n---\n본문\n");
    hc.write("faq/bad-type.md", "---\ntitle: x\ntype: blog\n---\n");
    let run = hc.run(&["check"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "\
content/faq/bad-type.md:3: `type: blog` is not a type: write `type: faq` or `type: guide`
content/faq/broken.md:4: warning: unknown front-matter key `alias` is ignored (did you mean `aliases`?)
content/faq/broken.md:9: link to `/articles/refund#없는-앵커`: `content/returns/refund.md` has no section with that anchor
content/faq/broken.md:9: link to `/articles/shiping` leads nowhere: no article has that id
content/faq/broken.md:11: question `빈 질문` has no answer: write it under the heading
content/faq/broken.md:17: warning: duplicate anchor `#wrap` (explicit anchor repeated in this file); this section is linked as `#wrap-2`
content/faq/no-title.md:1: `title` is missing or empty: add `title: 질문이나 안내의 제목`
content/returns/refund.md:8: warning: question `환불은 언제 되나요?` is also asked at content/faq/broken.md:7; merge the answers or reword one
content/returns/t-copy.md:3: article id `refund` is already used by content/returns/refund.md; set a different `id:`
"
    );
}

#[test]
fn check_json_lists_severity() {
    let hc = HelpCenter::new();
    hc.write("a.md", "---\ntitle: a\nupdated: yesterday\n---\n본문\n");
    let run = hc.run(&["check", "--json"]);
    assert_eq!(run.code, 0, "warnings alone do not fail the check");
    assert_eq!(
        run.json(),
        serde_json::json!([{"path": "content/a.md", "line": 3, "severity": "warning",
            "message": "`updated: yesterday` is not a date: write YYYY-MM-DD"}])
    );
}

#[test]
fn dictionary_problems_are_reported_with_their_line() {
    let hc = HelpCenter::new();
    hc.write("refund.md", REFUND_FAQ);
    hc.write("synonyms.txt", "# 동의어\n환불, 리펀드\n환불 =>\n환불, 을\n");
    hc.write("user-dictionary.txt", "카카오 페이\n");
    let run = hc.run(&["check"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "\
content/synonyms.txt:3: one-way synonym needs words on both sides of `=>`: `비번 => 비밀번호`
content/synonyms.txt:4: `을` has no searchable words (only particles, endings or symbols), so it can never match
content/user-dictionary.txt:1: `카카오 페이` is not one word; a user-dictionary entry has no spaces (write `카카오페이 = 카카오 페이`)
"
    );
}
