//! Ranking on the bundled help center: natural customer questions must find
//! their answer in the top 3, and near-neighbours must be told apart.

mod util;

use doumi::search::SearchRequest;
use util::bundled_engine;

fn ids(query: &str, limit: usize) -> Vec<String> {
    let mut request = SearchRequest::new(query);
    request.limit = limit;
    bundled_engine().search(&request).unwrap().hits.into_iter().map(|h| h.id).collect()
}

fn rank_of(query: &str, id: &str) -> Option<usize> {
    ids(query, 10).iter().position(|h| h == id)
}

#[test]
fn password_recovery_ranks_first_for_a_colloquial_question() {
    assert_eq!(
        ids("비밀번호를 잊어버렸어요", 1),
        ["login#비밀번호를-잊어버렸어요-어떻게-재설정하나요"]
    );
}

#[test]
fn guest_order_lookup_ranks_above_member_order_lookup() {
    let guest = rank_of("비회원 주문 조회", "guest-order#비회원으로-주문한-내역은-어디서-조회하나요");
    let member = rank_of("비회원 주문 조회", "order-status#회원으로-주문한-내역은-어디서-확인하나요");
    assert_eq!(guest, Some(0), "{:?}", ids("비회원 주문 조회", 5));
    assert!(member.is_none_or(|m| m > 0));
    // And the other way round: a member's question must not be answered with the guest one.
    assert_eq!(
        ids("회원 주문 내역 확인", 1),
        ["order-status#회원으로-주문한-내역은-어디서-확인하나요"]
    );
}

#[test]
fn finding_an_id_and_finding_a_password_are_different_answers() {
    assert_eq!(ids("아이디 찾기", 1), ["login#아이디를-잊어버렸어요-어떻게-찾나요"]);
    assert_eq!(ids("비밀번호 재설정", 1), ["login#비밀번호를-잊어버렸어요-어떻게-재설정하나요"]);
}

#[test]
fn exchange_return_and_refund_are_told_apart() {
    assert_eq!(ids("교환 신청하고 싶어요", 1), ["cancel-exchange-return#교환은-어떻게-신청하나요"]);
    assert_eq!(ids("반품 신청 방법", 1), ["cancel-exchange-return#반품은-어떻게-신청하나요"]);
    assert_eq!(ids("환불 언제 돼요", 1), ["refund#환불은-언제-되나요"]);
}

/// (question as customers type it, the entry that answers it)
const NATURAL_QUESTIONS: &[(&str, &str)] = &[
    ("배송 조회는 어디서 해요", "shipping#배송-조회는-어떻게-하나요"),
    ("배송비 얼마예요", "shipping#배송비는-얼마인가요"),
    ("택배가 너무 늦게 와요", "shipping#배송이-너무-늦어요"),
    ("제주도 배송비", "shipping#제주도나-도서산간-지역은-배송비가-더-드나요"),
    ("배송지 주소 변경", "shipping#배송지를-바꾸고-싶어요"),
    ("회원 탈퇴하고 싶어요", "withdrawal#회원-탈퇴는-어떻게-하나요"),
    ("휴면계정 해제", "dormant-account#휴면계정은-어떻게-해제하나요"),
    ("인증번호가 안 와요", "signup-guide#sms-not-received"),
    ("만 14세 미만도 가입할 수 있나요", "signup-guide#under-14"),
    ("현금영수증 발급", "receipts#현금영수증은-어떻게-발급받나요"),
    ("세금계산서 발행", "receipts#사업자인데-세금계산서를-발급받을-수-있나요"),
    ("무이자 할부 되나요", "payment-methods#무이자-할부가-되나요"),
    ("카카오페이로 결제", "payment-methods#카카오페이로-결제하려면-어떻게-하나요"),
    ("가상계좌 입금 기한", "payment-methods#무통장입금-가상계좌-은-언제까지-입금해야-하나요"),
    ("결제 오류가 나요", "payment-errors#결제가-안-되거나-결제-오류-메시지가-떠요"),
    ("카드 결제가 두 번 됐어요", "payment-errors#카드-승인-문자가-두-번-왔어요-중복결제된-건가요"),
    ("불량 상품이 왔어요", "cancel-exchange-return#불량인-상품을-받았어요"),
    ("주문한 거랑 다른 상품이 왔어요", "cancel-exchange-return#주문한-것과-다른-상품이-왔어요"),
    ("쿠폰 적용이 안 돼요", "coupons-points#쿠폰이-적용되지-않아요"),
    ("적립금 유효기간", "coupons-points#적립금도-유효기간이-있나요"),
    ("고객센터 운영시간", "contact-support#고객센터-운영시간이-어떻게-되나요"),
    ("2단계 인증 설정", "privacy-security#2단계-인증은-어떻게-설정하나요"),
    ("주문 취소하고 싶어요", "order-status#주문을-취소하고-싶어요"),
    ("불만 접수하면 어떻게 처리되나요", "complaint-process#intake"),
    ("계정이 해킹당한 것 같아요", "privacy-security#계정이-해킹되거나-도용된-것-같아요"),
];

#[test]
fn natural_questions_find_their_answer_in_the_top_3() {
    let mut misses = Vec::new();
    for (query, expected) in NATURAL_QUESTIONS {
        let top = ids(query, 3);
        if !top.iter().any(|id| id == expected) {
            misses.push(format!("{query} → expected {expected}, got {top:?}"));
        }
    }
    assert!(misses.is_empty(), "not in the top 3:\n{}", misses.join("\n"));
}

#[test]
fn snippets_escape_markup_and_mark_the_matched_words() {
    let response = bundled_engine().search(&SearchRequest::new("환불 계좌 등록")).unwrap();
    let hit = &response.hits[0];
    assert_eq!(hit.id, "refund#환불-계좌는-어디서-등록하거나-바꾸나요");
    assert!(hit.snippet.contains("<mark>환불</mark>") || hit.snippet.contains("<mark>계좌</mark>"), "{}", hit.snippet);
    assert!(!hit.snippet.contains("<script"));
}

#[test]
fn category_filter_keeps_only_that_category() {
    let mut request = SearchRequest::new("비밀번호");
    request.category = Some("주문".into());
    let response = bundled_engine().search(&request).unwrap();
    assert!(!response.hits.is_empty());
    assert!(response.hits.iter().all(|h| h.category.as_deref() == Some("주문")));
}
