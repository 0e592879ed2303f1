//! Personal-data masking: what customers type into a search box sometimes
//! holds their phone number, resident registration number, e-mail, card or
//! account number. None of it may reach the query log or the server's logs,
//! so every query and comment passes through [`Masker::mask`] first.
//!
//! Matching runs on a folded copy of the text, each of whose characters
//! remembers where it came from; the placeholders replace those places in the
//! text as typed. The fold undoes what customers (and their keyboards) do to
//! numbers and addresses: full-width digits, every dash-like character and
//! the Hangul vowel ㅡ typed for a dash, runs of spaces, tabs and separators
//! (`/ _ , ~ ·`) between digits, the letter O among digits (O1O), digits read
//! out in Hangul (공일공 일이삼사 오육칠팔), and addresses spelled out
//! (`abc (at) naver dot com`, `abc골뱅이naver.com`, `abc @ naver.com`).
//!
//! Numbers are then found as spans of digits joined by separators and
//! classified by their digits, not by word boundaries: Korean is written
//! without spaces around numbers (제번호는01012345678이에요), and to a regular
//! expression there is no word boundary between a Hangul syllable and a digit.
//! The rule errs on the side of masking: a run of 9 or more digits that fits no
//! known shape is still masked, as `[번호]`. Dates, prices and counts
//! (2024-11-23, 10,000원, 3개월) have fewer digits per span and are left alone.
//! Masking repeats until nothing changes.

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
    /// `abc at naver dot com`: an address spelled out in words.
    spelled_email: Regex,
    /// Ways of writing `@` and `.` in an address, folded before matching.
    at_sign: Regex,
    dot: Regex,
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
            // Local part in Latin letters or a Korean name (김철수@…); domain in
            // Latin letters or Hangul (네이버.한국), its dots perhaps typed as commas.
            email: Regex::new(
                r"(?:[A-Za-z0-9._%+-]+|\p{Hangul}{2,5})@(?:[A-Za-z0-9-]+|\p{Hangul}+)(?:[.,](?:[A-Za-z0-9-]+|\p{Hangul}+))*[.,](?:[A-Za-z]{2,}|한국|닷컴|닷넷)",
            )?,
            spelled_email: Regex::new(r"(?i)[a-z0-9._%+-]+\s+at\s+[a-z0-9-]+(?:[.,][a-z0-9-]+)*[.,][a-z]{2,}")?,
            at_sign: Regex::new(r"\s*(?:@|[(\[]\s*(?i:at)\s*[)\]]|골뱅이)\s*")?,
            dot: Regex::new(r"\s*[(\[]\s*(?i:dot)\s*[)\]]\s*|\s+(?i:dot)\s+")?,
            order: Regex::new(order_number_pattern.unwrap_or(DEFAULT_ORDER_NUMBER_PATTERN))?,
            // Digits joined by at most two separator characters: "010 1234 5678",
            // "(010)1234-5678", "+82 10-1234-5678", "3333-01-1234567".
            number: Regex::new(r"\+?\(?[0-9](?:[ .()\-]{0,2}[0-9])*")?,
        })
    }

    /// The text with every piece of personal data replaced by a placeholder
    /// (`[전화번호]`, `[주민등록번호]`, `[이메일]`, `[카드번호]`, `[계좌번호]`,
    /// `[주문번호]`, `[번호]`), again and again until nothing changes.
    /// Idempotent; borrows when nothing is masked.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let Some(mut masked) = self.mask_once(text) else { return Cow::Borrowed(text) };
        // A placeholder can bring two pieces of a number or an address
        // together; each pass masks at least one more, so this ends.
        while let Some(again) = self.mask_once(&masked) {
            masked = again;
        }
        Cow::Owned(masked)
    }

    /// One pass: `None` when nothing in `text` is personal data.
    fn mask_once(&self, text: &str) -> Option<String> {
        if !may_hold_personal_data(text) {
            return None;
        }
        let folded = Folded::new(text);
        let folded = self.fold_addresses(folded);
        let mut found: Vec<(std::ops::Range<usize>, &'static str)> = Vec::new();
        if folded.text.contains('@') {
            found.extend(self.email.find_iter(&folded.text).map(|m| (m.range(), EMAIL)));
        }
        found.extend(self.spelled_email.find_iter(&folded.text).map(|m| (m.range(), EMAIL)));
        if folded.text.bytes().any(|b| b.is_ascii_digit()) {
            found.extend(numbers(&folded.text, &self.order, |_| Some(ORDER)));
            found.extend(numbers(&folded.text, &self.number, classify));
        }
        if found.is_empty() {
            return None;
        }
        // Earlier and longer first; a span inside one already taken is dropped.
        found.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (range, placeholder) in found {
            let original = folded.original(range);
            if original.start < last {
                continue;
            }
            out.push_str(&text[last..original.start]);
            out.push_str(placeholder);
            last = original.end;
        }
        out.push_str(&text[last..]);
        Some(out)
    }

    /// Folds the ways of writing `@` and `.` in an address.
    fn fold_addresses(&self, folded: Folded) -> Folded {
        let lower = folded.text.to_lowercase();
        let spelled = lower.contains("at") || lower.contains("dot") || folded.text.contains("골뱅이") || folded.text.contains('@');
        if !spelled {
            return folded;
        }
        folded.replace_all(&self.at_sign, '@').replace_all(&self.dot, '.')
    }
}

/// Whether `text` has anything the masks look for: a digit (ASCII or
/// full-width), an at sign or a word for one, or enough Hangul digits to read
/// out a number. Most queries have none, and are not folded at all.
fn may_hold_personal_data(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit() || matches!(c, '\u{FF10}'..='\u{FF19}' | '@' | '\u{FF20}'))
        || text.as_bytes().windows(2).any(|w| w.eq_ignore_ascii_case(b"at"))
        || text.contains("골뱅이")
        || text.chars().filter(|&c| hangul_digit(c).is_some()).count() >= LONG_NUMBER
}

/// The number-like matches of `pattern` in `text` that `placeholder` names,
/// provided they do not cut a number in two (no digit right before or after).
fn numbers<'t>(
    text: &'t str,
    pattern: &'t Regex,
    placeholder: impl Fn(&str) -> Option<&'static str> + 't,
) -> impl Iterator<Item = (std::ops::Range<usize>, &'static str)> + 't {
    pattern.find_iter(text).filter_map(move |m| {
        // A number that starts with its `+` (a country code) starts there,
        // whatever comes before it: 0+000000000 is a digit, then a number.
        let before = text[..m.start()].chars().next_back().filter(|_| !m.as_str().starts_with('+'));
        let after = text[m.end()..].chars().next();
        if before.is_some_and(|c| c.is_ascii_digit()) || after.is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        Some((m.range(), placeholder(m.as_str())?))
    })
}

/// The text as matched: folded, each character with the byte range of the
/// text as typed it stands for.
struct Folded {
    text: String,
    /// Per character of `text`, in order: where it came from.
    sources: Vec<std::ops::Range<usize>>,
}

/// Digits read out in Hangul (공일공 일이삼사 …) and the digit each stands for.
fn hangul_digit(c: char) -> Option<char> {
    Some(match c {
        '공' | '영' => '0',
        '일' => '1',
        '이' => '2',
        '삼' => '3',
        '사' => '4',
        '오' => '5',
        '육' => '6',
        '칠' => '7',
        '팔' => '8',
        '구' => '9',
        _ => return None,
    })
}

/// Characters customers put between the digits of one number.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '/' | '_' | ',' | '~' | '·' | '(' | ')')
}

/// Dash-like characters, and the Hangul vowel ㅡ typed for a dash.
fn is_dash(c: char) -> bool {
    matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' | 'ㅡ' | '\u{30FC}')
}

impl Folded {
    fn new(text: &str) -> Folded {
        let mut chars: Vec<(char, std::ops::Range<usize>)> = text
            .char_indices()
            .map(|(i, c)| {
                let range = i..i + c.len_utf8();
                // Full-width forms (０１０, ＠, －) are their ASCII selves.
                let c = match c {
                    '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                    c if is_dash(c) => '-',
                    '\t' | '\u{3000}' | '\u{A0}' => ' ',
                    c => c,
                };
                (c, range)
            })
            .collect();
        spell_out_hangul_digits(&mut chars);
        letter_o_among_digits(&mut chars);
        let chars = join_separator_runs(chars);
        Folded { text: chars.iter().map(|(c, _)| *c).collect(), sources: chars.into_iter().map(|(_, r)| r).collect() }
    }

    /// The text as typed behind `range`, a byte range of the folded text.
    fn original(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let first = self.text[..range.start].chars().count();
        let count = self.text[range].chars().count().max(1);
        let start = self.sources[first].start;
        let end = self.sources[(first + count - 1).min(self.sources.len() - 1)].end;
        start..end
    }

    /// Every match of `pattern` folded into the one character `with`.
    fn replace_all(self, pattern: &Regex, with: char) -> Folded {
        let mut text = String::with_capacity(self.text.len());
        let mut sources = Vec::with_capacity(self.sources.len());
        let mut next = 0; // characters of self.text consumed
        let mut byte = 0;
        for m in pattern.find_iter(&self.text) {
            if m.as_str().is_empty() {
                continue;
            }
            for c in self.text[byte..m.start()].chars() {
                text.push(c);
                sources.push(self.sources[next].clone());
                next += 1;
            }
            let count = m.as_str().chars().count();
            text.push(with);
            sources.push(self.sources[next].start..self.sources[next + count - 1].end);
            next += count;
            byte = m.end();
        }
        for c in self.text[byte..].chars() {
            text.push(c);
            sources.push(self.sources[next].clone());
            next += 1;
        }
        Folded { text, sources }
    }
}

/// Runs of nine or more Hangul digits (공일공 일이삼사 오육칠팔), separators
/// between them allowed, become the digits they read out. Shorter runs are
/// words (이사, 일일, 사이).
fn spell_out_hangul_digits(chars: &mut [(char, std::ops::Range<usize>)]) {
    let mut i = 0;
    while i < chars.len() {
        if hangul_digit(chars[i].0).is_none() {
            i += 1;
            continue;
        }
        let mut end = i;
        let mut digits = 0;
        let mut j = i;
        while j < chars.len() && (hangul_digit(chars[j].0).is_some() || (is_separator(chars[j].0) && digits > 0)) {
            if hangul_digit(chars[j].0).is_some() {
                digits += 1;
                end = j + 1;
            }
            j += 1;
        }
        if digits >= LONG_NUMBER {
            for (c, _) in &mut chars[i..end] {
                if let Some(d) = hangul_digit(*c) {
                    *c = d;
                }
            }
        }
        i = end.max(i + 1);
    }
}

/// The letter O (or o) typed for a zero next to a digit (O1O-1234-5678), but
/// not inside a word (iphone 15 pro, 10ok).
fn letter_o_among_digits(chars: &mut [(char, std::ops::Range<usize>)]) {
    for i in 0..chars.len() {
        if !matches!(chars[i].0, 'O' | 'o') {
            continue;
        }
        let neighbour = |j: Option<usize>| j.and_then(|j| chars.get(j)).map(|(c, _)| *c);
        let (before, after) = (neighbour(i.checked_sub(1)), neighbour(Some(i + 1)));
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        let letter = |c: Option<char>| c.is_some_and(|c| c.is_alphabetic() && !matches!(c, 'O' | 'o'));
        if (digit(before) || digit(after)) && !letter(before) && !letter(after) {
            chars[i].0 = '0';
        }
    }
}

/// A run of separators between two digits becomes one `-`: 010 - 1234 - 5678,
/// 010 . 1234 . 5678, 010/1234/5678 and 010\t1234\t5678 read as 010-1234-5678.
fn join_separator_runs(chars: Vec<(char, std::ops::Range<usize>)>) -> Vec<(char, std::ops::Range<usize>)> {
    let mut out: Vec<(char, std::ops::Range<usize>)> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let (c, range) = &chars[i];
        let after_digit = out.last().is_some_and(|(p, _)| p.is_ascii_digit());
        if after_digit && is_separator(*c) && !matches!(c, '(' | ')') {
            let mut j = i;
            while j < chars.len() && is_separator(chars[j].0) && !matches!(chars[j].0, '(' | ')') {
                j += 1;
            }
            let run = j - i;
            let before_digit = chars.get(j).is_some_and(|(n, _)| n.is_ascii_digit());
            // One plain space, dash or dot is already how numbers are written;
            // longer or other runs between digits are folded.
            if before_digit && (run > 1 || !matches!(c, ' ' | '-' | '.')) {
                out.push(('-', range.start..chars[j - 1].1.end));
                i = j;
                continue;
            }
        }
        out.push((*c, range.clone()));
        i += 1;
    }
    out
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
    fn a_number_starting_with_a_plus_right_after_a_digit_is_masked() {
        // Found by the property test in tests/hostile_input.rs.
        for text in ["０＋000000000", "0+000000000", "1+821012345678", "번호 7+01012345678"] {
            let masked = mask(text);
            assert!(masked.chars().filter(char::is_ascii_digit).count() < 9, "{text:?} → {masked:?}");
            assert_eq!(mask(&masked), masked, "idempotent");
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
    fn separators_dashes_and_spacing_customers_use_do_not_hide_a_number() {
        for (text, placeholder) in [
            ("900101 - 1234567", RESIDENT),
            ("900101ㅡ1234567", RESIDENT),
            ("900101–1234567", RESIDENT),
            ("4111 - 1111 - 1111 - 1111", CARD),
            ("4111–1111–1111–1111", CARD),
            ("4111/1111/1111/1111", CARD),
            ("110 - 123 - 456789", ACCOUNT),
            ("110ㅡ123ㅡ456789", ACCOUNT),
            ("20241123 - 12345", ORDER),
            ("010 - 1234 - 5678", PHONE),
            ("010 . 1234 . 5678", PHONE),
            ("010–1234–5678", PHONE),
            ("010\u{2212}1234\u{2212}5678", PHONE),
            ("010\u{2010}1234\u{2010}5678", PHONE),
            ("010ㅡ1234ㅡ5678", PHONE),
            ("010/1234/5678", PHONE),
            ("010_1234_5678", PHONE),
            ("010,1234,5678", PHONE),
            ("010~1234~5678", PHONE),
            ("O1O-1234-5678", PHONE),
            ("010\t1234\t5678", PHONE),
            ("010    1234    5678", PHONE),
            ("０１０-１２３４-５６７８", PHONE),
            ("공일공 일이삼사 오육칠팔", PHONE),
        ] {
            assert_eq!(mask(&format!("번호 {text} 입니다")), format!("번호 {placeholder} 입니다"), "{text:?}");
        }
    }

    #[test]
    fn addresses_spelled_out_or_in_hangul_are_masked() {
        for text in [
            "abc.kim @ naver.com",
            "abc(at)naver.com",
            "abc [at] naver [dot] com",
            "abc at naver dot com",
            "abc골뱅이naver.com",
            "김철수@naver.com",
            "abc@네이버.한국",
            "abc@naver,com",
            "ａｂｃ＠ｎａｖｅｒ．ｃｏｍ",
        ] {
            assert_eq!(mask(&format!("메일 {text} 로 보내주세요")), "메일 [이메일] 로 보내주세요", "{text:?}");
        }
        assert_eq!(mask("abc.kim@naver.com010-1234-5678"), "[이메일][전화번호]");
    }

    #[test]
    fn words_that_look_like_digits_or_addresses_are_left_alone() {
        for text in ["이사 가는데 배송지 변경", "골뱅이무침 주문", "사이즈 교환 일일이 해야 하나요", "what about the app", "10,000원 이상", "2024.11.23 결제", "iphone 15 pro", "오늘 오후 2시"] {
            assert_eq!(mask(text), text);
        }
    }

    /// Every kind of personal data, written the ways customers write it:
    /// random separators (runs of them too), full-width digits, glued to the
    /// Hangul around it or not, at the start, in the middle or at the end.
    /// None of its digit groups survives.
    #[test]
    fn generated_personal_data_never_survives_masking() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        let masker = Masker::default();
        let separator = prop::sample::select(vec!["-", " - ", " . ", ".", " ", "  ", "\t", "–", "—", "\u{2212}", "\u{2010}", "ㅡ", "/", "_", ",", "~", " / "]);
        let digits = |n: usize| prop::collection::vec(0u8..10, n);
        let kind = prop_oneof![
            // phone: 010-XXXX-XXXX
            (digits(8)).prop_map(|d| vec![vec![0, 1, 0], d[..4].to_vec(), d[4..].to_vec()]),
            // resident registration number: YYMMDD-[1-4]XXXXXX
            (0u8..100, 1u8..13, 1u8..29, 1u8..5, digits(6)).prop_map(|(y, m, d, s, rest)| {
                let two = |v: u8| vec![v / 10, v % 10];
                let mut back = vec![s];
                back.extend(rest);
                vec![[two(y), two(m), two(d)].concat(), back]
            }),
            // card: 4 groups of 4 passing Luhn
            (digits(15)).prop_map(|mut d| {
                d.insert(0, 4);
                d.truncate(15);
                let text: String = d.iter().map(|x| char::from(b'0' + x)).collect();
                let check = (0..10).find(|c| luhn(&format!("{text}{c}"))).unwrap();
                d.push(check);
                d.chunks(4).map(<[u8]>::to_vec).collect()
            }),
            // account: 3-3-6
            (digits(12)).prop_map(|d| vec![d[..3].to_vec(), d[3..6].to_vec(), d[6..].to_vec()]),
        ];
        let around = prop::sample::select(vec![("", ""), ("번호는 ", " 입니다"), ("번호는", "이에요"), ("환불계좌", "로 보내주세요"), ("", " 확인 부탁"), ("제 연락처 ", "")]);
        let strategy = (kind, separator, any::<u64>(), around);
        let mut runner = TestRunner::new(Config { cases: 10_000, failure_persistence: None, ..Config::default() });
        runner
            .run(&strategy, |(groups, separator, widths, (before, after))| {
                let mut bits = widths;
                let mut text = String::from(before);
                for (i, group) in groups.iter().enumerate() {
                    if i > 0 {
                        text.push_str(separator);
                    }
                    for d in group {
                        bits = bits.rotate_left(1);
                        // Some digits full-width (０–９), as a phone keyboard types them.
                        text.push(if bits & 1 == 1 { char::from_u32(0xFF10 + u32::from(*d)).unwrap() } else { char::from(b'0' + d) });
                    }
                }
                text.push_str(after);
                let masked = masker.mask(&text).into_owned();
                for group in groups.iter().filter(|g| g.len() >= 3) {
                    let ascii: String = group.iter().map(|d| char::from(b'0' + d)).collect();
                    let wide: String = group.iter().map(|d| char::from_u32(0xFF10 + u32::from(*d)).unwrap()).collect();
                    prop_assert!(!masked.contains(&ascii) && !masked.contains(&wide), "{text:?} → {masked:?}");
                }
                prop_assert!(!masked.chars().any(|c| c.is_ascii_digit() || ('\u{FF10}'..='\u{FF19}').contains(&c)), "{text:?} → {masked:?}");
                Ok(())
            })
            .unwrap();
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
