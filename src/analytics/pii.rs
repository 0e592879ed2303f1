//! Personal-data masking: what customers type into a search box sometimes
//! holds their phone number, resident registration number, e-mail, card or
//! account number. None of it may reach the query log or the server's logs,
//! so every query and comment passes through [`Masker::mask`] first.
//!
//! Numbers are found as spans of digits joined by single separators (space,
//! `-`, `.`, parentheses, a leading `+`) and classified by their digits, not
//! by word boundaries: Korean is written without spaces around numbers
//! (제번호는01012345678이에요), and to a regular expression there is no word
//! boundary between a Hangul syllable and a digit. The rule errs on the side
//! of masking: a run of 9 or more digits that fits no known shape is still
//! masked, as `[번호]`. Dates, prices and counts (2024-11-23, 10,000원, 3개월)
//! have fewer digits per span and are left alone.

use std::borrow::Cow;

use regex::Regex;

/// Order numbers most Korean shops use: a date-prefixed number
/// (20241123 followed by 4–12 digits, with or without a hyphen:
/// 2024112312345, 20241123-0001234), or a number after an `ORD`/`ORDER`
/// prefix (ORD-20241123-001, ORDER12345678). A shop with another shape sets
/// `order_number_pattern`.
pub const DEFAULT_ORDER_NUMBER_PATTERN: &str = r"(?i)ord(?:er)?[-_#]?[0-9][0-9-]{4,}[0-9]|20[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-?[0-9]{4,12}";

const PHONE: &str = "[전화번호]";
const RESIDENT: &str = "[주민등록번호]";
const EMAIL: &str = "[이메일]";
const CARD: &str = "[카드번호]";
const ACCOUNT: &str = "[계좌번호]";
const ORDER: &str = "[주문번호]";
const NUMBER: &str = "[번호]";

/// Digits in a span from which it is masked whatever its shape.
const LONG_NUMBER: usize = 9;

#[derive(Debug, Clone)]
pub struct Masker {
    email: Regex,
    order: Regex,
    number: Regex,
}

impl Default for Masker {
    fn default() -> Masker {
        Masker::new(None).expect("the built-in patterns compile")
    }
}

impl Masker {
    /// `order_number_pattern` replaces [`DEFAULT_ORDER_NUMBER_PATTERN`].
    pub fn new(order_number_pattern: Option<&str>) -> Result<Masker, regex::Error> {
        Ok(Masker {
            email: Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")?,
            order: Regex::new(order_number_pattern.unwrap_or(DEFAULT_ORDER_NUMBER_PATTERN))?,
            // Digits joined by at most two separator characters: "010 1234 5678",
            // "(010)1234-5678", "+82 10-1234-5678", "3333-01-1234567".
            number: Regex::new(r"\+?\(?[0-9](?:[ .()\-]{0,2}[0-9])*")?,
        })
    }

    /// The text with every piece of personal data replaced by a placeholder
    /// (`[전화번호]`, `[주민등록번호]`, `[이메일]`, `[카드번호]`, `[계좌번호]`,
    /// `[주문번호]`, `[번호]`). Idempotent; borrows when nothing is masked.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let has_digit = text.bytes().any(|b| b.is_ascii_digit());
        if !has_digit && !text.contains('@') {
            return Cow::Borrowed(text);
        }
        let mut out = Cow::Borrowed(text);
        if text.contains('@') {
            out = replace(out, &self.email, |_| Some(EMAIL));
        }
        if has_digit {
            out = replace(out, &self.order, |_| Some(ORDER));
            out = replace(out, &self.number, classify);
        }
        out
    }
}

/// Replaces the matches of `pattern` that `placeholder` names, provided
/// they do not cut a number in two (no digit right before or after).
fn replace<'a>(text: Cow<'a, str>, pattern: &Regex, placeholder: impl Fn(&str) -> Option<&'static str>) -> Cow<'a, str> {
    let mut out = String::new();
    let mut last = 0;
    for m in pattern.find_iter(&text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if before.is_some_and(|c| c.is_ascii_digit()) || after.is_some_and(|c| c.is_ascii_digit()) {
            continue;
        }
        let Some(placeholder) = placeholder(m.as_str()) else { continue };
        out.push_str(&text[last..m.start()]);
        out.push_str(placeholder);
        last = m.end();
    }
    if last == 0 && out.is_empty() {
        return text;
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// What a number-like span is, if it is personal data.
fn classify(span: &str) -> Option<&'static str> {
    let digits: String = span.chars().filter(char::is_ascii_digit).collect();
    if is_phone(span, &digits) {
        return Some(PHONE);
    }
    if is_resident_number(&digits) && matches!(groups(span).as_slice(), [13] | [6, 7]) {
        return Some(RESIDENT);
    }
    let n = digits.len();
    if (13..=19).contains(&n) && card_grouping(span) && luhn(&digits) {
        return Some(CARD);
    }
    if (10..=14).contains(&n) {
        return Some(ACCOUNT);
    }
    (n >= LONG_NUMBER).then_some(NUMBER)
}

/// Korean phone numbers, with or without the +82 country code: mobiles
/// (010-1234-5678, 011-123-4567), Seoul (02-123-4567), other areas
/// (031-123-4567), and 050x / 070 / 080 numbers.
fn is_phone(span: &str, digits: &str) -> bool {
    let national = match digits.strip_prefix("82") {
        Some(rest) if span.trim_start().starts_with('+') || (rest.starts_with("10") && digits.len() == 12) => {
            let rest = rest.strip_prefix('0').unwrap_or(rest);
            format!("0{rest}")
        }
        _ => digits.to_string(),
    };
    let n = national.len();
    let b = national.as_bytes();
    if !(9..=11).contains(&n) || b[0] != b'0' {
        return false;
    }
    let mobile = b[1] == b'1' && matches!(b[2], b'0' | b'1' | b'6' | b'7' | b'8' | b'9') && (10..=11).contains(&n);
    let seoul = b[1] == b'2' && (9..=10).contains(&n);
    let area = (b'3'..=b'6').contains(&b[1]) && (b'1'..=b'5').contains(&b[2]) && (10..=11).contains(&n);
    let other = (national.starts_with("050") || national.starts_with("070") || national.starts_with("080")) && (10..=12).contains(&n);
    mobile || seoul || area || other
}

/// YYMMDD, then a digit 1–8 (century and sex; 5–8 for foreigners), then six
/// digits. The check digit is not verified: a mistyped number is still one.
fn is_resident_number(digits: &str) -> bool {
    if digits.len() != 13 {
        return false;
    }
    let d = digits.as_bytes();
    let two = |i: usize| (d[i] - b'0') * 10 + (d[i + 1] - b'0');
    let (month, day) = (two(2), two(4));
    (1..=12).contains(&month) && (1..=31).contains(&day) && (b'1'..=b'8').contains(&d[6])
}

/// The lengths of the digit groups of a span: 010-1234-5678 → [3, 4, 4].
fn groups(span: &str) -> Vec<usize> {
    span.split(|c: char| !c.is_ascii_digit()).filter(|g| !g.is_empty()).map(str::len).collect()
}

/// Cards are printed ungrouped or in groups of 4 (4-6-5 or 4-6-4 for
/// Amex and Diners); account numbers have other groupings.
fn card_grouping(span: &str) -> bool {
    match groups(span).as_slice() {
        [_] => true,
        [4, 6, 5] | [4, 6, 4] => true,
        [first @ .., last] => first.iter().all(|&g| g == 4) && (1..=4).contains(last),
        [] => false,
    }
}

/// The Luhn checksum card numbers carry.
fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(text: &str) -> String {
        Masker::default().mask(text).into_owned()
    }

    #[test]
    fn phone_numbers_in_every_common_format_are_masked() {
        for phone in [
            "010-1234-5678",
            "01012345678",
            "010 1234 5678",
            "010.1234.5678",
            "011-123-4567",
            "+82 10 1234 5678",
            "+82-10-1234-5678",
            "+821012345678",
            "+82 010 1234 5678",
            "82-10-1234-5678",
            "(010)1234-5678",
            "02-123-4567",
            "02-1234-5678",
            "031-123-4567",
            "0505-123-4567",
            "070-1234-5678",
        ] {
            assert_eq!(mask(&format!("연락처 {phone} 입니다")), "연락처 [전화번호] 입니다", "{phone}");
        }
    }

    #[test]
    fn personal_data_inside_korean_text_without_spaces_is_masked() {
        assert_eq!(mask("제번호는01012345678이에요"), "제번호는[전화번호]이에요");
        assert_eq!(mask("카드4111111111111111결제취소"), "카드[카드번호]결제취소");
        assert_eq!(mask("주민번호900101-1234567로가입"), "주민번호[주민등록번호]로가입");
        assert_eq!(mask("제메일은abc@naver.com입니다"), "제메일은[이메일]입니다");
        assert_eq!(mask("환불계좌110-123-456789로요"), "환불계좌[계좌번호]로요");
        assert_eq!(mask("주문번호2024112312345배송언제"), "주문번호[주문번호]배송언제");
    }

    #[test]
    fn resident_registration_numbers_are_masked_even_with_a_wrong_check_digit() {
        for rrn in ["900101-1234567", "9001011234567", "900101 1234567", "051231-4123456", "880315-5123456"] {
            assert_eq!(mask(&format!("주민등록번호 {rrn}")), "주민등록번호 [주민등록번호]", "{rrn}");
        }
    }

    #[test]
    fn emails_are_masked_and_stop_at_hangul() {
        assert_eq!(mask("abc@naver.com"), "[이메일]");
        assert_eq!(mask("first.last+tag@gmail.co.kr 로 보냈어요"), "[이메일] 로 보냈어요");
        assert_eq!(mask("메일 kim_01@company-mail.com로"), "메일 [이메일]로");
    }

    #[test]
    fn card_numbers_that_pass_luhn_are_cards_and_others_are_still_masked() {
        for card in ["4111 1111 1111 1111", "4111-1111-1111-1111", "5500000000000004", "3782 822463 10005", "4111111111111111"] {
            assert_eq!(mask(&format!("카드 {card} 결제")), "카드 [카드번호] 결제", "{card}");
        }
        let not_luhn = mask("카드 4111 1111 1111 1112 결제");
        assert!(!not_luhn.contains("1112"), "{not_luhn}");
        assert!(not_luhn.contains("[번호]") || not_luhn.contains("[계좌번호]"), "{not_luhn}");
    }

    #[test]
    fn bank_account_numbers_are_masked() {
        for account in ["110-123-456789", "1002-123-456789", "3333-01-1234567", "123-456789-01-012", "352-1234-5678-13", "123456-01-123456"] {
            let masked = mask(&format!("계좌 {account} 로 환불"));
            assert_eq!(masked, "계좌 [계좌번호] 로 환불", "{account}");
        }
    }

    #[test]
    fn order_numbers_are_masked_with_the_default_or_a_configured_pattern() {
        for order in ["2024112312345", "20241123-0001234", "ORD-20241123-001", "ORDER12345678", "order#1234567"] {
            assert_eq!(mask(&format!("주문 {order} 취소")), "주문 [주문번호] 취소", "{order}");
        }
        let shop = Masker::new(Some(r"(?i)\bDM[0-9]{6}\b")).unwrap();
        assert_eq!(shop.mask("주문 DM123456 취소"), "주문 [주문번호] 취소");
        assert!(Masker::new(Some("(unclosed")).is_err());
    }

    #[test]
    fn ordinary_numbers_customers_type_are_left_alone() {
        for text in [
            "3일 안에 배송되나요",
            "2,000원 포장비",
            "10,000원 이상 무료배송",
            "2024년 11월 주문",
            "2024-11-23 주문 취소",
            "2024.11.23 결제",
            "3개월 할부",
            "주문 3건",
            "5000포인트 적립",
            "1588-1234 고객센터",
            "iphone 15 pro",
            "10시 이후 주문",
        ] {
            assert_eq!(mask(text), text);
        }
    }

    #[test]
    fn nothing_to_mask_borrows() {
        assert!(matches!(Masker::default().mask("비밀번호 변경"), Cow::Borrowed(_)));
        assert!(matches!(Masker::default().mask("3일 배송"), Cow::Borrowed(_)));
    }

    #[test]
    fn any_text_masks_without_panicking_idempotently_leaving_no_long_digit_run() {
        let masker = Masker::default();
        let pieces = ["0", "1", "5", "9", "-", " ", ".", "+", "(", ")", "@", "a", "가", "ㅂ", "ｘ", "82", "010", "é", "🙂", ".com"];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..5000 {
            let mut text = String::new();
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let once = masker.mask(&text).into_owned();
            assert_eq!(masker.mask(&once), once, "not idempotent for {text:?}");
            let mut run = 0;
            for c in once.chars() {
                run = if c.is_ascii_digit() { run + 1 } else { 0 };
                assert!(run < LONG_NUMBER, "{text:?} → {once:?}");
            }
        }
    }
}
