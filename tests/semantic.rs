//! The embedding model from ../shared, loaded the way `doumi` loads it: it
//! places a question near the entry that answers it in other words, and a
//! missing model is a clear error, not a crash.

mod util;

use doumi::semantic::{DIM, Embedded, EmbeddingStore, Model, SemanticError, cosine, default_model_dir};
use util::HelpCenter;

/// The model, or `None` (with the reason printed) where ../shared has none;
/// under CI the model must be there.
fn model() -> Option<Model> {
    match Model::load(&default_model_dir()) {
        Ok(model) => Some(model),
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "the embedding model must load under CI: {e}");
            eprintln!("skipped: {e}");
            None
        }
    }
}

#[test]
fn a_question_lands_near_the_entry_that_answers_it_in_other_words() {
    let Some(model) = model() else { return };
    let query = model.embed_query("계정을 완전히 없애고 싶어요").unwrap();
    assert_eq!(query.len(), DIM);
    let norm: f32 = query.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "unit length: {norm}");
    let passages = model
        .embed_passages(&["회원 탈퇴는 어떻게 하나요?".to_string(), "배송비는 얼마인가요?".to_string(), "현금영수증은 어떻게 발급받나요?".to_string()])
        .unwrap();
    let scores: Vec<f32> = passages.iter().map(|p| cosine(&query, p)).collect();
    assert!(scores[0] > scores[1] + 0.03 && scores[0] > scores[2] + 0.03, "회원 탈퇴 first: {scores:?}");
}

#[test]
fn a_padded_batch_embeds_each_text_as_alone() {
    let Some(model) = model() else { return };
    let texts = ["비밀번호를 잊어버렸어요".to_string(), "주문을 취소하고 싶은데 이미 배송이 시작됐다고 나와요. 어떻게 해야 하나요?".to_string()];
    let batch = model.embed_passages(&texts).unwrap();
    for (text, batched) in texts.iter().zip(&batch) {
        let alone = model.embed_passages(std::slice::from_ref(text)).unwrap().remove(0);
        assert!(cosine(&alone, batched) > 0.99999, "{text}: {}", cosine(&alone, batched));
    }
}

#[test]
fn a_missing_model_folder_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let Err(e) = Model::load(dir.path()) else { panic!("an empty folder is no model") };
    assert!(matches!(e, SemanticError::Missing { file: "config.json", .. }), "{e}");
    assert!(e.to_string().contains(&dir.path().display().to_string()) && e.to_string().contains("DOUMI_MODEL_DIR"), "{e}");
    std::fs::write(dir.path().join("config.json"), "{}").unwrap();
    std::fs::write(dir.path().join("tokenizer.json"), "not json").unwrap();
    std::fs::write(dir.path().join("model.safetensors"), "").unwrap();
    let Err(e) = Model::load(dir.path()) else { panic!("broken files are no model") };
    assert!(matches!(e, SemanticError::Unreadable { .. }), "{e}");
}

#[test]
fn eval_ranks_by_meaning_beside_doumi_when_asked() {
    if model().is_none() {
        return;
    }
    let hc = HelpCenter::new();
    hc.write(
        "account.md",
        "---\ntitle: 계정\ntype: faq\n---\n## 회원 탈퇴는 어떻게 하나요?\n마이페이지 > 회원정보에서 탈퇴를 누릅니다.\n\n## 배송비는 얼마인가요?\n3만 원 이상이면 무료입니다.\n",
    );
    std::fs::write(
        hc.root().join("queries.jsonl"),
        "{\"query\": \"계정을 완전히 없애고 싶어요\", \"expected\": [\"account#회원-탈퇴는-어떻게-하나요\"], \"class\": \"paraphrase\"}\n",
    )
    .unwrap();
    let run = hc.run(&["eval", "--queries", "queries.jsonl", "--semantic", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    // No word of the question is in the entry: only meaning finds it.
    assert_eq!(report["overall"]["dense"]["recall_at_1"], 1.0, "{report:#}");
    assert!(report["overall"]["hybrid"]["recall_at_3"].as_f64().unwrap() >= report["overall"]["doumi"]["recall_at_3"].as_f64().unwrap());
    let without = hc.run(&["eval", "--queries", "queries.jsonl", "--json"]).json();
    assert!(without["overall"].get("dense").is_none(), "no model asked for, no dense column");
}

#[test]
fn kept_embeddings_survive_a_reopen_and_only_changed_texts_are_embedded_again() {
    let Some(model) = model() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("embeddings");
    let texts = vec!["회원 탈퇴는 어떻게 하나요?".to_string(), "배송비는 얼마인가요?".to_string(), "환불은 언제 되나요?".to_string()];
    let mut store = EmbeddingStore::open(&path, &model);
    let (first, done) = store.embed_all(&model, &texts).unwrap();
    assert_eq!(done, Embedded { reused: 0, computed: 3 });
    store.save().unwrap();

    let mut store = EmbeddingStore::open(&path, &model);
    assert_eq!(store.len(), 3, "read back after a restart");
    let (again, done) = store.embed_all(&model, &texts).unwrap();
    assert_eq!(done, Embedded { reused: 3, computed: 0 });
    assert_eq!(first, again, "the same vectors, bit for bit");

    // An edited entry is embedded anew; a deleted one is forgotten.
    let edited = vec![texts[0].clone(), "배송비는 얼마이고 언제 무료인가요?".to_string()];
    let (_, done) = store.embed_all(&model, &edited).unwrap();
    assert_eq!(done, Embedded { reused: 1, computed: 1 });
    assert_eq!(store.len(), 2);

    // A damaged file is started over, never read wrongly.
    store.save().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 7]).unwrap();
    assert!(EmbeddingStore::open(&path, &model).is_empty());
}

/// A small help center whose 탈퇴 answer shares no content word with
/// "계정을 완전히 없애고 싶어요".
const ACCOUNT_FAQ: &str = "---\ntitle: 회원정보\ntype: faq\n---\n\
## 회원 탈퇴는 어떻게 하나요?\n마이페이지 > 회원정보 > 탈퇴하기를 누르면 됩니다. 탈퇴 후 30일이 지나면 재가입할 수 있습니다.\n\n\
## 비밀번호를 잊어버렸어요\n로그인 화면의 비밀번호 찾기에서 휴대폰 인증 후 새 비밀번호를 정하세요.\n\n\
## 배송비는 얼마인가요?\n3만 원 이상 주문하면 무료이고, 그보다 적으면 3,000원입니다.\n\n\
## 현금영수증은 어떻게 발급받나요?\n결제할 때 현금영수증 신청을 선택하고 휴대폰 번호를 입력하세요.\n\n\
## 주문을 취소하고 싶어요\n결제완료 상태라면 주문내역에서 바로 취소할 수 있습니다.\n";

/// Environment of a server that ranks by meaning, with the model from ../shared.
const WITH_MEANING: [(&str, &str); 2] = [("DOUMI_SEMANTIC", "true"), ("DOUMI_RATE_LIMIT_PER_MINUTE", "0")];

/// Waits until `/healthz` says `entries` entries are embedded and ready.
fn wait_for_meaning(server: &util::Server, entries: u64) {
    server.eventually(std::time::Duration::from_secs(180), |s| {
        let health = s.get("/healthz").json();
        health["semantic"]["status"] == "ready" && health["semantic"]["entries"] == entries
    });
}

fn first_ids(response: &serde_json::Value, n: usize) -> Vec<String> {
    response["hits"].as_array().unwrap().iter().take(n).map(|h| h["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_paraphrase_is_found_by_meaning_while_initials_and_mistypes_stay_first_by_their_words() {
    if model().is_none() {
        return;
    }
    let hc = HelpCenter::new();
    hc.write("account.md", ACCOUNT_FAQ);
    let server = hc.serve(&WITH_MEANING, &[]);
    wait_for_meaning(&server, 5);
    let leave = "account#회원-탈퇴는-어떻게-하나요";
    let paraphrase = "계정을 완전히 없애고 싶어요";
    let settled = server.search(paraphrase);
    assert!(first_ids(&settled, 3).contains(&leave.to_string()), "found by meaning: {settled:#}");
    // While typing the same words the search stays lexical: no word of the
    // question is in the entry, so only meaning found it.
    let typing = server.get(&format!("/api/search?typing=true&q={}", util::encode(paraphrase))).json();
    assert!(!first_ids(&typing, 3).contains(&leave.to_string()), "not by words: {typing:#}");

    let password = "account#비밀번호를-잊어버렸어요";
    for initials_or_mistype in ["ㅂㅁㅂㅎ", "qlalfqjsgh"] {
        let response = server.search(initials_or_mistype);
        assert_eq!(first_ids(&response, 1), [password], "{initials_or_mistype}: {response:#}");
        assert!(response["confidence"].as_f64().unwrap() >= 0.5, "{response:#}");
    }
    // A question the help center has no answer for is still flagged.
    let unanswerable = server.search("채용 공고 있나요");
    assert!(unanswerable["confidence"].as_f64().unwrap() < 0.5, "{unanswerable:#}");
}

#[test]
fn without_the_model_the_help_center_answers_by_words_and_says_why() {
    let hc = HelpCenter::new();
    hc.write("account.md", ACCOUNT_FAQ);
    let missing = hc.root().join("no-model-here");
    let server = hc.serve(&[("DOUMI_SEMANTIC", "true"), ("DOUMI_MODEL_DIR", missing.to_str().unwrap())], &[]);
    server.eventually(std::time::Duration::from_secs(30), |s| s.get("/healthz").json()["semantic"]["status"] == "unavailable");
    let health = server.get("/healthz").json();
    assert_eq!(health["status"], "degraded", "{health:#}");
    let message = health["semantic"]["message"].as_str().unwrap();
    assert!(message.contains("no-model-here") && message.contains("DOUMI_MODEL_DIR"), "{message}");
    let response = server.search("배송비 얼마");
    assert_eq!(first_ids(&response, 1), ["account#배송비는-얼마인가요"], "{response:#}");
    // Turned off on purpose, it is not a fault.
    drop(server);
    let server = hc.serve(&[("DOUMI_MODEL_DIR", missing.to_str().unwrap())], &[]);
    let health = server.get("/healthz").json();
    assert_eq!((health["status"].as_str(), health["semantic"]["status"].as_str()), (Some("ok"), Some("off")), "{health:#}");
}

#[test]
fn entry_embeddings_survive_a_restart_and_a_save_embeds_only_what_changed() {
    if model().is_none() {
        return;
    }
    let hc = HelpCenter::new();
    hc.write("account.md", ACCOUNT_FAQ);
    let index = |hc: &HelpCenter| {
        let run = hc.run_with_env(&["index", "--json"], &[("DOUMI_SEMANTIC", "true")]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let report = run.json();
        (report["embedded"]["computed"].as_u64().unwrap(), report["embedded"]["reused"].as_u64().unwrap())
    };
    assert_eq!(index(&hc), (5, 0), "first run embeds every entry");
    assert_eq!(index(&hc), (0, 5), "a rebuild with nothing changed embeds nothing");
    hc.write("account.md", ACCOUNT_FAQ.replace("3,000원입니다", "3,500원입니다"));
    assert_eq!(index(&hc), (1, 4), "only the edited answer is embedded again");

    // The server starts from the kept vectors, and a save is embedded after
    // it is searchable by its words.
    let server = hc.serve(&WITH_MEANING, &[]);
    wait_for_meaning(&server, 5);
    hc.write("points.md", "---\ntitle: 적립금\ntype: faq\n---\n## 적립금은 언제 사라지나요?\n적립금은 지급일로부터 1년이 지나면 소멸합니다.\n");
    server.eventually(std::time::Duration::from_secs(10), |s| s.get("/healthz").json()["entries"] == 6);
    wait_for_meaning(&server, 6);
    let response = server.search("포인트 유효기간 끝나면 없어지나요");
    assert_eq!(first_ids(&response, 1), ["points#적립금은-언제-사라지나요"], "{response:#}");
}

#[test]
fn doumi_s_encoder_embeds_as_candle_s_bert_model_does_at_each_precision() {
    use candle_core::{DType, Device, Tensor};
    if model().is_none() {
        return;
    }
    let dir = default_model_dir();
    let texts = ["query: 계정을 완전히 없애고 싶어요", "passage: 회원 탈퇴는 어떻게 하나요?\n마이페이지에서 탈퇴하기를 누르면 됩니다."];
    // The reference: candle's own BERT, f32, mean-pooled and normalised.
    let config: candle_transformers::models::bert::Config = serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    let weights = unsafe { candle_nn::VarBuilder::from_mmaped_safetensors(&[dir.join("model.safetensors")], DType::F32, &Device::Cpu) }.unwrap();
    let bert = candle_transformers::models::bert::BertModel::load(weights, &config).unwrap();
    let tokenizer = tokenizers::Tokenizer::from_file(dir.join("tokenizer.json")).unwrap();
    let reference = |text: &str| -> Vec<f32> {
        let ids = tokenizer.encode(text, true).unwrap().get_ids().to_vec();
        let ids = Tensor::new(ids.as_slice(), &Device::Cpu).unwrap().unsqueeze(0).unwrap();
        let hidden = bert.forward(&ids, &ids.zeros_like().unwrap(), None).unwrap();
        let mean = hidden.mean(1).unwrap().squeeze(0).unwrap().to_vec1::<f32>().unwrap();
        let norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt();
        mean.iter().map(|x| x / norm).collect()
    };
    for (precision, at_least) in [(doumi::semantic::Precision::F32, 0.99999), (doumi::semantic::Precision::Q8, 0.999)] {
        let model = Model::load_with(&dir, precision).unwrap();
        let query = model.embed_query("계정을 완전히 없애고 싶어요").unwrap();
        let passage = model.embed_passages(&["회원 탈퇴는 어떻게 하나요?\n마이페이지에서 탈퇴하기를 누르면 됩니다.".to_string()]).unwrap().remove(0);
        for (ours, text) in [(query, texts[0]), (passage, texts[1])] {
            let c = cosine(&ours, &reference(text));
            assert!(c >= at_least, "{precision:?} {text}: cosine {c}");
        }
    }
}

#[test]
fn check_warns_about_a_question_asked_twice_in_other_words_and_not_about_neighbours() {
    if model().is_none() {
        return;
    }
    let hc = HelpCenter::new();
    hc.write("account.md", ACCOUNT_FAQ);
    hc.write(
        "more.md",
        "---\ntitle: 더 묻는 질문\ntype: faq\n---\n## 회원 탈퇴하는 방법이 궁금해요\n마이페이지에서 탈퇴하기를 누르세요.\n\n## 배송비 무료 조건\n3만 원 이상이면 무료입니다.\n",
    );
    let run = hc.run_with_env(&["check"], &[("DOUMI_SEMANTIC", "true")]);
    assert_eq!(run.code, 0, "warnings only: {}", run.stderr);
    let warnings: Vec<&str> = run.stdout.lines().filter(|l| l.contains("in other words")).collect();
    assert_eq!(warnings.len(), 1, "{}", run.stdout);
    assert!(warnings[0].starts_with("content/more.md:5: warning:") || warnings[0].starts_with("content/account.md"), "{}", warnings[0]);
    assert!(warnings[0].contains("회원 탈퇴하는 방법이 궁금해요") && warnings[0].contains("회원 탈퇴는 어떻게 하나요?"), "{}", warnings[0]);
    // Off on purpose, no model is loaded and nothing is compared.
    let run = hc.run(&["check"]);
    assert!(!run.stdout.contains("in other words"), "{}", run.stdout);
}

/// Hybrid search on the dev set and the holdout (docs/quality.md): it never
/// loses a class the lexical engine has on the dev set, lifts the overall
/// Recall@3 of both sets, and still flags unanswerable questions.
#[test]
fn hybrid_search_keeps_every_class_raises_recall_and_flags_the_unanswerable() {
    let Some(model) = model() else { return };
    let model = std::sync::Arc::new(model);
    let weight = doumi::config::Config::default().semantic_weight;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (content, queries, floor, every_class) in [
        (root.join("content"), root.join("tests/eval/queries.jsonl"), 0.95, true),
        (root.join("tests/eval/holdout/content"), root.join("tests/eval/holdout/queries.jsonl"), 0.92, false),
    ] {
        let library = doumi::content::Library::load(&content).unwrap();
        let queries = doumi::eval::read_queries(&queries).unwrap();
        let report = doumi::eval::run_with(&library, &content, &queries, None, Some((model.clone(), weight))).unwrap();
        let hybrid = report.overall.hybrid.as_ref().unwrap();
        assert!(hybrid.recall_at_3 >= floor, "{}: hybrid Recall@3 {}", content.display(), hybrid.recall_at_3);
        assert!(hybrid.recall_at_3 > report.overall.doumi.recall_at_3, "hybrid above lexical");
        assert!(hybrid.no_answer_correct.unwrap() >= 0.9, "unanswerable flagged: {:?}", hybrid.no_answer_correct);
        if every_class {
            for (class, c) in &report.classes {
                let (lexical, hybrid) = (&c.doumi, c.hybrid.as_ref().unwrap());
                assert!(hybrid.recall_at_3 >= lexical.recall_at_3, "class {class}: hybrid {} < lexical {}", hybrid.recall_at_3, lexical.recall_at_3);
            }
        }
    }
}
