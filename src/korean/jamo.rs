//! Hangul syllables and their jamo: decomposition, composition, initial consonants
//! (초성), and the 두벌식 keyboard.
//!
//! Customers type Hangul one key at a time, and the search box sees every state in
//! between: 비밀버 on the way to 비밀번호, 회원강 on the way to 회원가입 (the ㅇ
//! that will move to the next syllable). Comparing text as the keys pressed, not as
//! syllables, makes those states prefixes of the finished word. The same keys
//! measure typos (배숑 is one key from 배송) and read Latin letters typed with
//! the keyboard in English mode (qothd → 배송).

const SYLLABLE_BASE: u32 = 0xAC00;
const SYLLABLE_LAST: u32 = 0xD7A3;

const INITIALS: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ',
];
const MEDIALS: [char; 21] = [
    'ㅏ', 'ㅐ', 'ㅑ', 'ㅒ', 'ㅓ', 'ㅔ', 'ㅕ', 'ㅖ', 'ㅗ', 'ㅘ', 'ㅙ', 'ㅚ', 'ㅛ', 'ㅜ', 'ㅝ', 'ㅞ', 'ㅟ', 'ㅠ', 'ㅡ', 'ㅢ', 'ㅣ',
];
/// Index 0 is "no final consonant".
const FINALS: [Option<char>; 28] = [
    None, Some('ㄱ'), Some('ㄲ'), Some('ㄳ'), Some('ㄴ'), Some('ㄵ'), Some('ㄶ'), Some('ㄷ'), Some('ㄹ'), Some('ㄺ'),
    Some('ㄻ'), Some('ㄼ'), Some('ㄽ'), Some('ㄾ'), Some('ㄿ'), Some('ㅀ'), Some('ㅁ'), Some('ㅂ'), Some('ㅄ'),
    Some('ㅅ'), Some('ㅆ'), Some('ㅇ'), Some('ㅈ'), Some('ㅊ'), Some('ㅋ'), Some('ㅌ'), Some('ㅍ'), Some('ㅎ'),
];

/// Compound vowels and finals, as the two keys that make them.
const COMPOUNDS: [(char, char, char); 18] = [
    ('ㅘ', 'ㅗ', 'ㅏ'), ('ㅙ', 'ㅗ', 'ㅐ'), ('ㅚ', 'ㅗ', 'ㅣ'), ('ㅝ', 'ㅜ', 'ㅓ'), ('ㅞ', 'ㅜ', 'ㅔ'),
    ('ㅟ', 'ㅜ', 'ㅣ'), ('ㅢ', 'ㅡ', 'ㅣ'),
    ('ㄳ', 'ㄱ', 'ㅅ'), ('ㄵ', 'ㄴ', 'ㅈ'), ('ㄶ', 'ㄴ', 'ㅎ'), ('ㄺ', 'ㄹ', 'ㄱ'), ('ㄻ', 'ㄹ', 'ㅁ'),
    ('ㄼ', 'ㄹ', 'ㅂ'), ('ㄽ', 'ㄹ', 'ㅅ'), ('ㄾ', 'ㄹ', 'ㅌ'), ('ㄿ', 'ㄹ', 'ㅍ'), ('ㅀ', 'ㄹ', 'ㅎ'),
    ('ㅄ', 'ㅂ', 'ㅅ'),
];

/// The 두벌식 layout: Latin key → jamo. Shifted keys give the tense consonants and
/// ㅒ ㅖ; any other capital letter (Caps Lock) reads as its lower case.
const DUBEOLSIK: [(char, char); 33] = [
    ('r', 'ㄱ'), ('R', 'ㄲ'), ('s', 'ㄴ'), ('e', 'ㄷ'), ('E', 'ㄸ'), ('f', 'ㄹ'), ('a', 'ㅁ'), ('q', 'ㅂ'),
    ('Q', 'ㅃ'), ('t', 'ㅅ'), ('T', 'ㅆ'), ('d', 'ㅇ'), ('w', 'ㅈ'), ('W', 'ㅉ'), ('c', 'ㅊ'), ('z', 'ㅋ'),
    ('x', 'ㅌ'), ('v', 'ㅍ'), ('g', 'ㅎ'), ('k', 'ㅏ'), ('o', 'ㅐ'), ('i', 'ㅑ'), ('O', 'ㅒ'), ('j', 'ㅓ'),
    ('p', 'ㅔ'), ('u', 'ㅕ'), ('P', 'ㅖ'), ('h', 'ㅗ'), ('y', 'ㅛ'), ('n', 'ㅜ'), ('b', 'ㅠ'), ('m', 'ㅡ'),
    ('l', 'ㅣ'),
];

/// A complete syllable's parts: initial, medial and (maybe) final jamo.
pub fn syllable_parts(c: char) -> Option<(char, char, Option<char>)> {
    let code = c as u32;
    if !(SYLLABLE_BASE..=SYLLABLE_LAST).contains(&code) {
        return None;
    }
    let index = (code - SYLLABLE_BASE) as usize;
    Some((INITIALS[index / 588], MEDIALS[(index % 588) / 28], FINALS[index % 28]))
}

/// Vowels that sound the same in today's standard pronunciation, so a
/// customer writes one for the other by ear: ㅐ/ㅔ, ㅒ/ㅖ, ㅙ/ㅞ/ㅚ.
const SAME_SOUNDING_VOWELS: [&[char]; 3] = [&['ㅐ', 'ㅔ'], &['ㅒ', 'ㅖ'], &['ㅙ', 'ㅞ', 'ㅚ']];

/// Whether two syllables differ only by vowels that sound the same (재/제).
/// After a consonant other than ㅇ and ㄹ, ㅖ is said as ㅔ (계좌 \[게좌\]) and
/// ㅢ as ㅣ (희망 \[히망\]): standard pronunciation, rule 5.
pub fn homophones(a: char, b: char) -> bool {
    match (syllable_parts(a), syllable_parts(b)) {
        (Some((ia, ma, fa)), Some((ib, mb, fb))) => ia == ib && fa == fb && vowel_sound(ia, ma) == vowel_sound(ib, mb),
        _ => a == b,
    }
}

/// Whether some syllable of `word` has a vowel that sounds like another
/// (결재: ㅐ as ㅔ; 계좌: ㅖ as ㅔ): only such a word of the language may be
/// a misspelling of a same-sounding one.
pub fn has_same_sounding_vowel(word: &str) -> bool {
    word.chars().filter_map(syllable_parts).any(|(initial, vowel, _)| {
        vowel_sound(initial, vowel) != vowel || SAME_SOUNDING_VOWELS.iter().any(|group| group.contains(&vowel))
    })
}

/// The vowel as it is said after `initial`, one per group of same-sounding
/// vowels.
fn vowel_sound(initial: char, vowel: char) -> char {
    let vowel = match vowel {
        'ㅖ' if !matches!(initial, 'ㅇ' | 'ㄹ') => 'ㅔ',
        'ㅢ' if initial != 'ㅇ' => 'ㅣ',
        v => v,
    };
    SAME_SOUNDING_VOWELS.iter().find(|g| g.contains(&vowel)).map_or(vowel, |g| g[0])
}

pub fn is_hangul_syllable(c: char) -> bool {
    syllable_parts(c).is_some()
}

/// A compatibility jamo (ㄱ–ㅣ) as customers type it on its own.
pub fn is_jamo(c: char) -> bool {
    ('\u{3131}'..='\u{3163}').contains(&c)
}

pub fn is_consonant(c: char) -> bool {
    ('\u{3131}'..='\u{314E}').contains(&c)
}

fn split_compound(c: char) -> Option<(char, char)> {
    COMPOUNDS.iter().find(|(whole, _, _)| *whole == c).map(|&(_, a, b)| (a, b))
}

fn join_compound(a: char, b: char) -> Option<char> {
    COMPOUNDS.iter().find(|(_, x, y)| *x == a && *y == b).map(|&(whole, _, _)| whole)
}

/// The keys pressed to type `text` on a 두벌식 keyboard, as jamo: 회원가입 →
/// ㅎㅗㅣㅇㅜㅓㄴㄱㅏㅇㅣㅂ. Compound vowels and finals become their two keys, so
/// every state of a word being typed is a prefix of the finished word's keys.
/// Other characters pass through unchanged.
pub fn keystrokes(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut push = |c: char| match split_compound(c) {
        Some((a, b)) => {
            out.push(a);
            out.push(b);
        }
        None => out.push(c),
    };
    for c in text.chars() {
        match syllable_parts(c) {
            Some((initial, medial, last)) => {
                push(initial);
                push(medial);
                if let Some(last) = last {
                    push(last);
                }
            }
            None => push(c),
        }
    }
    out
}

/// The jamo of `text` as units for edit distance: each syllable is its initial,
/// its medial and its final (or a blank), so 훤 and 환 differ by one unit (ㅝ/ㅘ)
/// and 배숑 and 배송 by one (ㅛ/ㅗ).
pub fn jamo_units(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match syllable_parts(c) {
            Some((initial, medial, last)) => {
                out.push(initial);
                out.push(medial);
                out.push(last.unwrap_or('\u{0}'));
            }
            None => out.push(c),
        }
    }
    out
}

/// Initial consonants of each syllable: 비밀번호 → ㅂㅁㅂㅎ. Characters that
/// are not syllables are kept as they are.
pub fn initials(text: &str) -> String {
    text.chars().map(|c| syllable_parts(c).map_or(c, |(i, _, _)| i)).collect()
}

/// Whether `text` is only consonant jamo, as typed for 초성 search (ㅂㅁㅂㅎ).
pub fn is_initials_query(text: &str) -> bool {
    !text.is_empty() && text.chars().all(is_consonant)
}

/// Reads Latin letters as 두벌식 keys and composes them: qlalfqjsgh → 비밀번호.
/// Returns `None` if `text` holds a letter that is not a key of the layout or no
/// letters at all.
pub fn from_dubeolsik(text: &str) -> Option<String> {
    let mut keys = String::with_capacity(text.len() * 3);
    let mut any = false;
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            let jamo = DUBEOLSIK
                .iter()
                .find(|(k, _)| *k == c)
                .or_else(|| DUBEOLSIK.iter().find(|(k, _)| *k == c.to_ascii_lowercase()))
                .map(|&(_, j)| j)?;
            keys.push(jamo);
            any = true;
        } else {
            keys.push(c);
        }
    }
    any.then(|| compose(&keys))
}

/// Composes a sequence of jamo keys into syllables, as a Hangul IME does:
/// ㅂㅣㅁㅣㄹㅂㅓㄴㅎㅗ → 비밀번호, ㄷㅏㄹㄱ → 닭. Non-jamo characters end the
/// syllable being composed and pass through.
pub fn compose(keys: &str) -> String {
    let mut out = String::with_capacity(keys.len());
    let mut state = Composer::default();
    for c in keys.chars() {
        if !is_jamo(c) {
            state.flush(&mut out);
            out.push(c);
        } else if is_consonant(c) {
            state.consonant(c, &mut out);
        } else {
            state.vowel(c, &mut out);
        }
    }
    state.flush(&mut out);
    out
}

#[derive(Default)]
struct Composer {
    initial: Option<char>,
    medial: Option<char>,
    last: Option<char>,
}

impl Composer {
    fn consonant(&mut self, c: char, out: &mut String) {
        match (self.initial, self.medial, self.last) {
            (_, Some(_), None) if self.initial.is_some() && final_index(c).is_some() => self.last = Some(c),
            (Some(_), Some(_), Some(last)) => match join_compound(last, c).filter(|j| final_index(*j).is_some()) {
                Some(joined) => self.last = Some(joined),
                None => {
                    self.flush(out);
                    self.initial = Some(c);
                }
            },
            _ => {
                self.flush(out);
                self.initial = Some(c);
            }
        }
    }

    fn vowel(&mut self, v: char, out: &mut String) {
        match (self.initial, self.medial, self.last) {
            (Some(_), None, _) => self.medial = Some(v),
            (_, Some(medial), None) => match join_compound(medial, v) {
                Some(joined) => self.medial = Some(joined),
                None => {
                    self.flush(out);
                    self.medial = Some(v);
                }
            },
            (Some(_), Some(_), Some(last)) => {
                // The final consonant moves on to start the next syllable (가입: ㄱㅏㅇ+ㅣ → 가이).
                let (stays, moves) = match split_compound(last) {
                    Some((a, b)) => (Some(a), b),
                    None => (None, last),
                };
                self.last = stays;
                self.flush(out);
                self.initial = Some(moves);
                self.medial = Some(v);
            }
            _ => {
                self.flush(out);
                self.medial = Some(v);
            }
        }
    }

    fn flush(&mut self, out: &mut String) {
        match (self.initial.take(), self.medial.take(), self.last.take()) {
            (Some(i), Some(m), last) => {
                let i = INITIALS.iter().position(|&x| x == i);
                let m = MEDIALS.iter().position(|&x| x == m);
                let f = last.map_or(Some(0), final_index);
                if let (Some(i), Some(m), Some(f)) = (i, m, f) {
                    let code = SYLLABLE_BASE + (i * 588 + m * 28 + f) as u32;
                    out.extend(char::from_u32(code));
                }
            }
            (i, m, _) => {
                out.extend(i);
                out.extend(m);
            }
        }
    }
}

fn final_index(c: char) -> Option<usize> {
    FINALS.iter().position(|&f| f == Some(c))
}

/// Cost of one edit, in half-edits: what a slip of the finger or of the ear
/// makes cheap. Vowels are confused with each other all the time (ㅐ/ㅔ, ㅗ/ㅛ);
/// consonants only with a neighbouring key, their own plain/aspirated/tense
/// series (ㄱ/ㅋ/ㄲ) or ㄴ/ㄹ, which sound alike (적립 is said 정닙). Any other
/// consonant swap changes the word (채용 is not 내용).
pub const EDIT: usize = 2;

/// Where a unit of [`jamo_units`] sits in [`SUBSTITUTION_COSTS`]: the 51
/// compatibility jamo, then the blank final.
fn cost_slot(c: char) -> Option<usize> {
    match c as u32 {
        code @ 0x3131..=0x3163 => Some((code - 0x3131) as usize),
        0 => Some(51),
        _ => None,
    }
}

/// [`unit_substitution_cost`] of every pair of jamo, worked out once: the
/// edit distance asks for it for every cell of its table.
static SUBSTITUTION_COSTS: std::sync::LazyLock<Vec<[u8; 52]>> = std::sync::LazyLock::new(|| {
    let unit = |slot: usize| if slot == 51 { '\0' } else { char::from_u32(0x3131 + slot as u32).unwrap_or('\0') };
    (0..52).map(|a| std::array::from_fn(|b| unit_substitution_cost(unit(a), unit(b)) as u8)).collect()
});

fn substitution_cost(a: char, b: char) -> usize {
    match (cost_slot(a), cost_slot(b)) {
        (Some(x), Some(y)) => SUBSTITUTION_COSTS[x][y] as usize,
        _ => unit_substitution_cost(a, b),
    }
}

fn unit_substitution_cost(a: char, b: char) -> usize {
    if a == b {
        return 0;
    }
    let vowel = |c: char| ('\u{314F}'..='\u{3163}').contains(&c);
    match (vowel(a), vowel(b)) {
        (true, true) => EDIT,
        (false, false) if similar_consonants(a, b) || adjacent_keys(a, b) => EDIT,
        // A final consonant added or dropped (배소/배송) is one edit; the blank
        // final is '\0' in `jamo_units`.
        (false, false) if a == '\0' || b == '\0' => EDIT,
        _ => EDIT + EDIT / 2,
    }
}

fn similar_consonants(a: char, b: char) -> bool {
    const SERIES: [&str; 7] = ["ㄱㅋㄲ", "ㄷㅌㄸ", "ㅂㅍㅃ", "ㅈㅊㅉ", "ㅅㅆ", "ㄴㄹ", "ㅇㅎ"];
    SERIES.iter().any(|s| s.contains(a) && s.contains(b))
}

/// Whether two jamo sit on neighbouring keys of the 두벌식 keyboard.
fn adjacent_keys(a: char, b: char) -> bool {
    // Each row, with how far it is shifted right, in quarter keys.
    const ROWS: [(&str, i32); 3] = [("qwertyuiop", 0), ("asdfghjkl", 1), ("zxcvbnm", 3)];
    let position = |jamo: char| {
        let key = DUBEOLSIK.iter().find(|(_, j)| *j == jamo)?.0.to_ascii_lowercase();
        ROWS.iter()
            .enumerate()
            .find_map(|(row, (keys, shift))| keys.find(key).map(|col| (row as i32, col as i32 * 4 + shift)))
    };
    match (position(a), position(b)) {
        (Some((ra, xa)), Some((rb, xb))) if ra == rb => (xa - xb).abs() == 4,
        (Some((ra, xa)), Some((rb, xb))) => (ra - rb).abs() == 1 && (xa - xb).abs() < 4,
        _ => false,
    }
}

/// Weighted edit distance (in half-edits, see [`EDIT`]) between `word` and the
/// closest *prefix* of `typed`, in jamo units, and the length of that prefix:
/// a customer's word may carry a particle or ending after the typo
/// (배숑이 → 배송 + 이).
pub fn prefix_distance(word: &[char], typed: &[char]) -> (usize, usize) {
    prefix_distance_within(word, typed, usize::MAX).expect("no limit")
}

/// [`prefix_distance`], or `None` as soon as the distance must exceed `limit`.
/// One word at a time: the definition that typo correction's walk over the
/// whole vocabulary (`search::spellings`) is tested against.
pub fn prefix_distance_within(word: &[char], typed: &[char], limit: usize) -> Option<(usize, usize)> {
    // prev[j]: distance between word[..i] and typed[..j].
    let (mut prev, mut cur) = (vec![0; typed.len() + 1], vec![0; typed.len() + 1]);
    first_distance_row(&mut prev);
    let typed = Typed::new(typed);
    for &w in word {
        if next_distance_row(&prev, &mut cur, w, &typed) > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    closest_prefix(&prev).filter(|&(distance, _)| distance <= limit)
}

/// The first row of [`prefix_distance`]'s table: an empty word against each
/// prefix of the typed text.
pub fn first_distance_row(row: &mut [usize]) {
    for (j, cell) in row.iter_mut().enumerate() {
        *cell = j * EDIT;
    }
}

/// The table's next row, for the word's next unit `w`, from the row before;
/// returns the smallest cell. No later row has a smaller one, so a word whose
/// row passes a limit cannot come back under it, nor can any word that
/// begins with the same units.
pub fn next_distance_row(prev: &[usize], cur: &mut [usize], w: char, typed: &Typed) -> usize {
    match (cost_slot(w), &typed.slots) {
        (Some(slot), Some(slots)) => {
            let costs = &SUBSTITUTION_COSTS[slot];
            fill_distance_row(prev, cur, slots.iter().map(|&t| costs[t as usize] as usize))
        }
        _ => fill_distance_row(prev, cur, typed.units.iter().map(|&t| substitution_cost(w, t))),
    }
}

/// [`next_distance_row`] with the cost of putting the word's unit for each
/// typed unit.
fn fill_distance_row(prev: &[usize], cur: &mut [usize], substitution_costs: impl Iterator<Item = usize>) -> usize {
    cur[0] = prev[0] + EDIT;
    let mut smallest = cur[0];
    for (j, cost) in substitution_costs.enumerate() {
        let substitution = prev[j] + cost;
        cur[j + 1] = substitution.min(prev[j + 1] + EDIT).min(cur[j] + EDIT);
        smallest = smallest.min(cur[j + 1]);
    }
    smallest
}

/// A typed word as [`next_distance_row`] reads it: its jamo units and, when
/// every one is a jamo or the blank final, their places in the cost table,
/// looked up once rather than in every row.
pub struct Typed<'a> {
    units: &'a [char],
    slots: Option<Vec<u8>>,
}

impl<'a> Typed<'a> {
    pub fn new(units: &'a [char]) -> Typed<'a> {
        let slots = units.iter().map(|&u| cost_slot(u).map(|s| s as u8)).collect();
        Typed { units, slots }
    }
}

/// The distance and length of the typed prefix closest to the whole word, from
/// the table's last row: the longest of the closest.
pub fn closest_prefix(row: &[usize]) -> Option<(usize, usize)> {
    let (len, distance) = row.iter().enumerate().min_by_key(|&(j, d)| (*d, std::cmp::Reverse(j)))?;
    Some((*distance, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cost_table_agrees_with_the_rules_for_every_pair_of_jamo() {
        let units: Vec<char> = (0x3131..=0x3163).filter_map(char::from_u32).chain(['\0', 'a', '1']).collect();
        for &a in &units {
            for &b in &units {
                assert_eq!(substitution_cost(a, b), unit_substitution_cost(a, b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn a_typed_word_of_more_than_64_units_is_measured_the_same() {
        let word = jamo_units("비밀번호");
        for tail in [3, 30] {
            let typed = jamo_units(&format!("비밀번허{}", "가".repeat(tail)));
            assert!(typed.len() + 1 > 64 || tail == 3);
            assert_eq!(prefix_distance_within(&word, &typed, 2 * EDIT), Some((substitution_cost('ㅗ', 'ㅓ'), word.len())), "tail {tail}");
        }
    }

    #[test]
    fn keystrokes_make_half_typed_words_prefixes() {
        assert_eq!(keystrokes("회원가입"), "ㅎㅗㅣㅇㅜㅓㄴㄱㅏㅇㅣㅂ");
        for (typing, word) in [("비밀버", "비밀번호"), ("회원강", "회원가입"), ("배송조ㅎ", "배송조회"), ("닭", "닭갈비")] {
            assert!(keystrokes(word).starts_with(&keystrokes(typing)), "{typing} → {word}");
        }
        assert!(!keystrokes("회원가입").starts_with(&keystrokes("회원강ㅂ")));
    }

    #[test]
    fn initials_of_words() {
        assert_eq!(initials("비밀번호"), "ㅂㅁㅂㅎ");
        assert_eq!(initials("현금영수증"), "ㅎㄱㅇㅅㅈ");
        assert!(is_initials_query("ㅂㅁㅂㅎ"));
        assert!(!is_initials_query("ㅂㅁ번호"));
        assert!(!is_initials_query("ㅏ"));
    }

    #[test]
    fn english_mode_typing_reads_as_hangul() {
        assert_eq!(from_dubeolsik("qlalfqjsgh").as_deref(), Some("비밀번호"));
        assert_eq!(from_dubeolsik("ghksqnf").as_deref(), Some("환불"));
        assert_eq!(from_dubeolsik("qothd whghl").as_deref(), Some("배송 조회"));
        assert_eq!(from_dubeolsik("dkdlel").as_deref(), Some("아이디"));
        assert_eq!(from_dubeolsik("ekfr").as_deref(), Some("닭"));
        assert_eq!(from_dubeolsik("Tmf").as_deref(), Some("쓸"));
        assert_eq!(from_dubeolsik("123"), None);
    }

    #[test]
    fn compose_is_the_inverse_of_keystrokes() {
        for word in ["회원가입", "현금영수증", "읽었어요", "괜찮아요", "쿠폰", "ㅂㅁㅂㅎ"] {
            assert_eq!(compose(&keystrokes(word)), word);
        }
    }

    #[test]
    fn typo_distance_is_counted_in_jamo_and_ignores_trailing_particles() {
        let d = |a: &str, b: &str| prefix_distance(&jamo_units(a), &jamo_units(b)).0;
        assert_eq!(d("배송", "배숑"), EDIT);
        assert_eq!(d("환불", "훤불"), EDIT);
        assert_eq!(d("비밀번호", "비밀번허"), EDIT);
        assert_eq!(d("배송", "배숑이"), EDIT);
        assert_eq!(d("적립금", "적닙금"), EDIT, "ㄴ/ㄹ sound alike");
        assert_eq!(d("배송", "배소"), EDIT, "a dropped final");
        assert_eq!(d("결제", "걸제"), EDIT);
        assert!(d("내용", "채용") > EDIT, "an unrelated initial changes the word");
        assert!(d("환불", "배송") >= 3 * EDIT);
    }
}
