//! The gap report computed from a fixture query log: outcomes, KPIs,
//! clustering of Korean phrasings, suggestions, drafts and rechecks.

mod util;

use doumi::analytics::record::{EventKind, EventRecord, LoggedHit, Record, SearchRecord, Source};
use doumi::analytics::report::{self, ReportOptions, Since};
use doumi::analytics::{LogStore, Report, Store};

const NOW: i64 = 1_795_000_000_000;
const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;

/// Builds a log one customer action at a time.
struct Log {
    records: Vec<Record>,
    next: u32,
}

impl Log {
    fn new() -> Log {
        Log { records: Vec::new(), next: 0 }
    }

    /// A search; returns its id. `total` 0 means no results; `confidence`
    /// below 0.5 means no good answer.
    fn search(&mut self, session: &str, at_ms: i64, query: &str, total: u64, confidence: f32, top: &str) -> String {
        self.search_from("", session, at_ms, query, total, confidence, top)
    }

    /// A search from a known client address (as its keyed hash).
    #[allow(clippy::too_many_arguments)]
    fn search_from(&mut self, client: &str, session: &str, at_ms: i64, query: &str, total: u64, confidence: f32, top: &str) -> String {
        self.next += 1;
        let id = format!("00000000-0000-7000-8000-{:012}", self.next);
        self.records.push(Record::Search(SearchRecord {
            id: id.clone(),
            at_ms,
            session: session.into(),
            client: client.into(),
            source: Source::Widget,
            query: query.into(),
            normalized: query.to_lowercase(),
            total,
            confidence,
            hits: if total == 0 { vec![] } else { vec![LoggedHit { id: top.into(), score: 5.0 }] },
        }));
        id
    }

    fn event(&mut self, query_id: &str, session: &str, at_ms: i64, kind: EventKind, article: Option<&str>) {
        self.records.push(Record::Event(EventRecord {
            id: format!("event-{}", self.records.len()),
            query_id: Some(query_id.into()),
            at_ms,
            session: session.into(),
            kind,
            article_id: article.map(str::to_string),
            rank: article.map(|_| 1),
            comment: None,
        }));
    }

    fn report(&self, since: &str) -> (Report, tempfile::TempDir) {
        self.report_with(since, util::bundled_engine())
    }

    fn report_with(&self, since: &str, engine: &doumi::search::Engine) -> (Report, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("queries.sqlite3")).unwrap();
        store.write(&self.records).unwrap();
        let options = ReportOptions { since: since.parse::<Since>().unwrap(), now_ms: NOW, recheck: true };
        (report::build(&store, engine, options).unwrap(), dir)
    }
}

#[test]
fn kpis_count_searches_sessions_clicks_votes_and_escalations() {
    let mut log = Log::new();
    let t = NOW - DAY;
    // s1: found it and said so.
    let q = log.search("s1", t, "비밀번호 변경", 3, 0.9, "account#password");
    log.event(&q, "s1", t + MINUTE, EventKind::Click, Some("account"));
    log.event(&q, "s1", t + 2 * MINUTE, EventKind::Helpful, Some("account"));
    // s2: nothing found, contacted support.
    let q = log.search("s2", t, "제휴 문의", 0, 0.0, "");
    log.event(&q, "s2", t + MINUTE, EventKind::ContactSupport, None);
    // s3: clicked, voted not helpful, contacted support.
    let q = log.search("s3", t, "환불 언제", 2, 0.8, "refund#when");
    log.event(&q, "s3", t + MINUTE, EventKind::Click, Some("refund"));
    log.event(&q, "s3", t + 2 * MINUTE, EventKind::NotHelpful, Some("refund"));
    log.event(&q, "s3", t + 3 * MINUTE, EventKind::ContactSupport, None);
    // s4: searched twice, clicked nothing.
    log.search("s4", t, "배송 조회", 4, 0.9, "shipping#track");
    log.search("s4", t + 20 * MINUTE, "배송비", 4, 0.9, "shipping#fee");
    // Outside the period: ignored.
    log.search("s5", NOW - 40 * DAY, "배송 조회", 4, 0.9, "shipping#track");

    let (report, _dir) = log.report("7d");
    let k = &report.kpis;
    assert_eq!((k.searches, k.sessions), (5, 4));
    assert_eq!(k.zero_result_rate, Some(0.2));
    assert_eq!(k.click_through_rate, Some(0.4));
    // Only s1 helped itself: s3 clicked but then contacted support.
    assert_eq!(k.self_service_rate, Some(0.25));
    assert_eq!(k.escalation_rate, Some(0.5));
    assert_eq!(k.helpfulness, Some(0.5));
    assert_eq!((k.helpful_votes, k.not_helpful_votes, k.escalations), (1, 1, 2));
    assert_eq!(report.previous_kpis.searches, 0);
    // One row per day of the period, the day of the searches holding them all.
    assert_eq!(report.daily.len(), 8);
    assert_eq!(report.daily.iter().map(|d| d.kpis.searches).sum::<usize>(), 5);
    assert_eq!(report.top_queries[0].query, "배송 조회");
    assert_eq!(report.top_articles.iter().find(|a| a.article_id == "refund").unwrap().not_helpful, 1);
    // The unanswered searches are the gaps; the answered one is not.
    let gaps: Vec<&str> = report.gaps.iter().map(|g| g.representative.as_str()).collect();
    assert!(!gaps.contains(&"비밀번호 변경"), "{gaps:?}");
    assert!(gaps.contains(&"제휴 문의") && gaps.contains(&"환불 언제"), "{gaps:?}");
    let refund = report.gaps.iter().find(|g| g.representative == "환불 언제").unwrap();
    assert_eq!(refund.outcomes.not_helpful, 1);
    assert_eq!(refund.action.to_string(), "improve refund: 1 customers found it and voted 아니오 (not helpful)");
    // CSV: a header and one row per gap.
    assert_eq!(report.gaps_csv().lines().count(), report.gaps.len() + 1);
}

#[test]
fn ime_fragments_spacing_variants_and_typos_fold_into_one_gap() {
    let mut log = Log::new();
    let t = NOW - 2 * DAY;
    // Different customers, each leaving after one search: the half-typed
    // states are what the widget searched when they stopped typing.
    for (i, q) in ["선물 포장", "선물포장", "선물 포쟝", "선물포ㅈ", "선물 포장 되나요", "선물 포장"].iter().enumerate() {
        log.search(&format!("gift-{i}"), t + i as i64 * MINUTE, q, 0, 0.0, "");
    }
    for i in 0..2 {
        log.search(&format!("live-{i}"), t, "라이브 방송 일정", 0, 0.0, "");
    }
    let (report, _dir) = log.report("7d");
    let gift = report.gaps.iter().find(|g| g.examples.iter().any(|e| e.query == "선물포장")).expect("a gift-wrapping gap");
    assert_eq!(gift.count, 6, "{gift:#?}");
    assert_eq!(gift.sessions, 6);
    assert_eq!(gift.representative, "선물 포장");
    assert!(gift.examples.iter().any(|e| e.query == "선물 포쟝"));
    assert_eq!(gift.trend.direction, "new");
    assert!(matches!(&gift.action, doumi::analytics::gaps::Action::WriteArticle { title } if title == "선물 포장"), "{:?}", gift.action);
    let live = report.gaps.iter().find(|g| g.representative == "라이브 방송 일정").unwrap();
    assert_eq!(live.count, 2);
    assert_eq!(report.gaps.len(), 2, "{:#?}", report.gaps);
}

#[test]
fn phrasings_that_mean_the_same_join_one_gap_when_search_ranks_by_meaning() {
    let model = match doumi::semantic::Model::load(&doumi::semantic::default_model_dir()) {
        Ok(model) => std::sync::Arc::new(model),
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "the embedding model must load under CI: {e}");
            eprintln!("skipped: {e}");
            return;
        }
    };
    let mut log = Log::new();
    let t = NOW - 2 * DAY;
    // Too few shared words for the word overlap (1 of 4), the same question
    // by meaning (cosine 0.97).
    log.search("live-1", t, "라이브 일정", 0, 0.0, "");
    log.search("live-2", t + MINUTE, "라이브 방송 시간표", 0, 0.0, "");
    log.search("gift-1", t + 2 * MINUTE, "선물 포장", 0, 0.0, "");
    let by_words = log.report("7d").0;
    assert_eq!(by_words.gaps.len(), 3, "apart by words alone: {:#?}", by_words.gaps);

    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = doumi::content::Library::load(&content).unwrap();
    let (engine, _, _scratch) = doumi::eval::scratch_engine(&library, &content).unwrap();
    // Clustering embeds the phrasings only: no entry vectors are needed.
    let meaning = doumi::search::Meaning {
        queries: std::sync::Arc::new(doumi::semantic::QueryEmbedder::new(model, 100)),
        vectors: std::sync::Arc::new(doumi::semantic::EntryVectors::default()),
        weight: 1.5,
    };
    let engine = engine.with_meaning(meaning);
    let (by_meaning, _dir) = log.report_with("7d", &engine);
    assert_eq!(by_meaning.gaps.len(), 2, "{:#?}", by_meaning.gaps);
    let live = by_meaning.gaps.iter().find(|g| g.examples.iter().any(|e| e.query == "라이브 일정")).unwrap();
    assert_eq!((live.count, live.sessions), (2, 2), "{live:#?}");
    assert!(!live.examples.iter().any(|e| e.query == "선물 포장"), "a different question stays apart");
}

#[test]
fn searches_that_look_like_formulas_are_text_in_the_csv_download() {
    let mut log = Log::new();
    let t = NOW - DAY;
    let formulas = ["=cmd|' /C calc'!A0", "+SUM(1+1)", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "＝HYPERLINK(\"https://evil.example\")"];
    for (i, q) in formulas.iter().enumerate() {
        log.search(&format!("formula-{i}"), t + i as i64 * MINUTE, q, 0, 0.0, "");
    }
    let (report, _dir) = log.report("7d");
    let csv = report.gaps_csv();
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let mut representatives = Vec::new();
    for row in reader.records() {
        let row = row.unwrap();
        for cell in row.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r', '＝']), "a live formula: {cell:?}");
        }
        representatives.push(row[1].to_string());
    }
    // The customer's text is kept, as text.
    assert!(representatives.iter().any(|r| r == "'=cmd|' /C calc'!A0"), "{representatives:?}");
    assert!(representatives.iter().any(|r| r == "'-2+3"), "{representatives:?}");
}

#[test]
fn customer_text_in_the_markdown_report_is_text_not_markup() {
    let mut log = Log::new();
    let t = NOW - DAY;
    let hostile = "[무료 쿠폰](https://evil.example) <img src=x onerror=alert(1)> **지금** | # 제목";
    for i in 0..3 {
        log.search(&format!("md-{i}"), t + i as i64 * MINUTE, hostile, 0, 0.0, "");
    }
    let (report, _dir) = log.report("7d");
    let md = report.to_markdown();
    let html = {
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, pulldown_cmark::Parser::new(&md));
        out
    };
    assert!(!html.contains("<a href=\"https://evil.example"), "a live link: {html}");
    assert!(!html.contains("<img"), "a live image: {html}");
    assert!(!html.contains("<strong>지금"), "live emphasis: {html}");
    assert!(html.contains("무료 쿠폰") && html.contains("evil.example"), "the text stays readable: {html}");
}

#[test]
fn keystrokes_on_the_way_to_a_query_are_one_search_not_several() {
    let mut log = Log::new();
    let t = NOW - DAY;
    log.search("s1", t, "회원가", 3, 0.3, "signup#a");
    log.search("s1", t + 400, "회원가ㅇ", 3, 0.3, "signup#a");
    log.search("s1", t + 900, "회원가입", 5, 0.9, "signup#a");
    // The widget asks the settled question again, ranked by meaning too.
    let q = log.search("s1", t + 1500, "회원가입", 5, 0.9, "signup#a");
    log.event(&q, "s1", t + MINUTE, EventKind::Click, Some("signup-guide"));
    let (report, _dir) = log.report("7d");
    assert_eq!(report.kpis.searches, 1);
    assert_eq!(report.kpis.click_through_rate, Some(1.0));
    assert!(report.gaps.is_empty(), "{:#?}", report.gaps);
}

#[test]
fn reworded_searches_are_mined_as_synonym_and_alias_suggestions() {
    let mut log = Log::new();
    let t = NOW - DAY;
    for i in 0..3 {
        let s = format!("s{i}");
        log.search(&s, t, "적금 쓰는 법", 2, 0.3, "x");
        let q = log.search(&s, t + MINUTE, "적립금 쓰는 법", 3, 0.9, "coupons-points#a");
        log.event(&q, &s, t + 2 * MINUTE, EventKind::Click, Some("coupons-points"));
    }
    for s in ["s8", "s9"] {
        log.search(s, t, "돈이 안 들어왔어요", 2, 0.2, "x");
        let q = log.search(s, t + MINUTE, "환불 언제 되나요", 3, 0.9, "refund#when");
        log.event(&q, s, t + 2 * MINUTE, EventKind::Click, Some("refund"));
    }
    // One customer's rewording, and rewordings carrying markup, however
    // many: never suggested.
    log.search("lone", t, "배송비 누가 내요", 2, 0.2, "x");
    let q = log.search("lone", t + MINUTE, "반품 배송비", 3, 0.9, "returns#fee");
    log.event(&q, "lone", t + 2 * MINUTE, EventKind::Click, Some("returns"));
    for i in 0..3 {
        let s = format!("fake-{i}");
        log.search(&s, t, "<img src=x onerror=alert(1)> 환불", 2, 0.2, "x");
        let q = log.search(&s, t + MINUTE, "환불 언제 되나요", 3, 0.9, "refund#when");
        log.event(&q, &s, t + 2 * MINUTE, EventKind::Click, Some("refund"));
    }
    // One client posing as three customers: one client's rewording.
    for i in 0..3 {
        let s = format!("posing-{i}");
        log.search_from("c-one-client", &s, t, "포장 뜯은 거 되나요", 2, 0.2, "x");
        let q = log.search_from("c-one-client", &s, t + MINUTE, "반품 조건", 3, 0.9, "returns#when");
        log.event(&q, &s, t + 2 * MINUTE, EventKind::Click, Some("returns"));
    }
    let (report, _dir) = log.report("7d");
    assert!(
        !report.reformulations.iter().any(|r| r.from.contains("배송비 누가") || r.from.contains("<img") || r.from.contains("포장 뜯은")),
        "{:#?}",
        report.reformulations
    );
    let first = &report.reformulations[0];
    assert_eq!((first.from.as_str(), first.to.as_str(), first.count), ("적금 쓰는 법", "적립금 쓰는 법", 3));
    assert_eq!(first.suggestion.to_string(), "add the synonym 적금 => 적립금");
    let refund = report.reformulations.iter().find(|r| r.article_id == "refund").unwrap();
    assert_eq!(refund.suggestion.to_string(), "add the alias 「돈이 안 들어왔어요」 to refund");
    // The gap of the failed wording carries the same suggestion as its action.
    let gap = report.gaps.iter().find(|g| g.representative == "적금 쓰는 법").unwrap();
    assert_eq!(gap.outcomes.reformulated, 3);
    assert_eq!(gap.action.to_string(), "add the synonym 적금 => 적립금");
}

#[test]
fn gaps_trend_against_the_previous_period() {
    let mut log = Log::new();
    for i in 0..4 {
        log.search(&format!("old{i}"), NOW - 10 * DAY, "제휴 문의", 0, 0.0, "");
    }
    log.search("new1", NOW - DAY, "제휴문의", 0, 0.0, "");
    let (report, _dir) = log.report("7d");
    let gap = &report.gaps[0];
    assert_eq!((gap.count, gap.trend.previous, gap.trend.direction), (1, 4, "falling"));
    assert_eq!(report.previous_kpis.searches, 4);
}

#[test]
fn drafts_are_written_for_new_article_gaps_and_never_overwrite() {
    let mut log = Log::new();
    for i in 0..3 {
        log.search(&format!("s{i}"), NOW - DAY, if i == 0 { "선물포장" } else { "선물 포장" }, 0, 0.0, "");
    }
    let (report, _dir) = log.report("7d");
    let drafts = tempfile::tempdir().unwrap();
    let (written, failed) = report::write_drafts(&report, drafts.path());
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(written.len(), 1);
    let text = std::fs::read_to_string(&written[0]).unwrap();
    assert!(text.starts_with("---\ntitle: \"선물 포장\"\ntype: faq\ndraft: true\naliases: [\"선물포장\"]\n---\n"), "{text}");
    assert!(text.contains("\n## 선물 포장?\n"), "{text}");
    // A draft is an article doumi can read, and it is not published.
    let (article, _) = doumi::content::Article::parse(&doumi::content::SourceFile::read(drafts.path(), &written[0]).unwrap()).unwrap();
    assert!(article.draft);
    // Again: a second file, the first untouched.
    let (again, _) = report::write_drafts(&report, drafts.path());
    assert_ne!(again[0], written[0]);
    assert_eq!(std::fs::read_to_string(&written[0]).unwrap(), text);
}

#[test]
fn customer_text_cannot_escape_a_draft_and_a_long_query_does_not_stop_the_others() {
    let masker = doumi::analytics::Masker::default();
    let hostile = "채용 공고 --> \n\n## 무료 쿠폰 받기\n\n[여기를 누르세요](https://evil.example)\n<!-- ";
    // Logged the way the server logs it: one line, masked.
    let logged = doumi::analytics::record::mask_query(&masker, hostile);
    assert!(!logged.contains('\n'), "{logged:?}");
    let long = "라이브 방송 일정 ".repeat(30) + "알려주세요";
    let mut log = Log::new();
    for i in 0..5 {
        log.search(&format!("evil-{i}"), NOW - DAY, &logged, 0, 0.0, "");
        // An old record, from before queries were kept to one line.
        log.search(&format!("old-{i}"), NOW - DAY, "제휴 문의 -->\n## 가짜 질문\n<!--", 0, 0.0, "");
        log.search(&format!("long-{i}"), NOW - DAY, &long, 0, 0.0, "");
    }
    let (report, _dir) = log.report("7d");
    let drafts = tempfile::tempdir().unwrap();
    let (written, failed) = report::write_drafts(&report, drafts.path());
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(written.len(), 3, "{written:?}");
    for path in &written {
        let text = std::fs::read_to_string(path).unwrap();
        let headings: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
        assert_eq!(headings.len(), 1, "one question per draft: {text}");
        let body = text.splitn(3, "---\n").nth(2).unwrap();
        assert_eq!(body.matches("-->").count(), 1, "the comment closes once, where doumi closes it: {text}");
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(body));
        assert!(!html.contains("<a href"), "a live link: {html}");
        assert!(path.file_name().unwrap().len() < 255, "{path:?}");
    }
}

#[test]
fn recheck_tells_which_gaps_current_content_answers() {
    let mut log = Log::new();
    // Logged when nothing answered it; the bundled content answers it now.
    for i in 0..2 {
        log.search(&format!("a{i}"), NOW - DAY, "비밀번호 변경", 0, 0.0, "");
    }
    log.search("b", NOW - DAY, "로또 당첨 번호", 0, 0.0, "");
    let (report, _dir) = log.report("7d");
    let answered = report.gaps.iter().find(|g| g.representative == "비밀번호 변경").unwrap();
    assert!(answered.recheck.as_ref().unwrap().answered_now, "{answered:#?}");
    let open = report.gaps.iter().find(|g| g.representative == "로또 당첨 번호").unwrap();
    assert!(!open.recheck.as_ref().unwrap().answered_now, "{open:#?}");
}
