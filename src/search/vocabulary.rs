//! The words of the help center, read from the index: what typos are corrected
//! to, what half-typed words complete to, and what initials (ㅂㅁㅂㅎ) stand for.
//!
//! Built from the index rather than from a word list, so it knows exactly the
//! words that can match, in any help center's content.

use foldhash::HashMap;

use tantivy::Searcher;
use tantivy::schema::Field;

use crate::index::Fields;
use crate::korean::jamo::{self, initials, jamo_units, keystrokes};

/// One word the index holds, with what fuzzy matching needs.
#[derive(Debug)]
pub struct Word {
    pub text: String,
    /// Entries holding the word in any field (the largest per-field count).
    pub df: u32,
    /// Found in a question, title, alias or tag, not only in answer text.
    pub key: bool,
    units: Vec<char>,
    /// Which jamo the word holds ([`signature`]).
    signature: u64,
    syllables: usize,
}

/// What the vocabulary knows of one term.
#[derive(Debug, Clone, Copy)]
struct TermStats {
    /// Entries holding the term in any field (the largest per-field count).
    df: u32,
    /// A bit per field that holds the term, by field id.
    fields: u32,
}

#[derive(Debug, Default)]
pub struct Vocabulary {
    terms: HashMap<String, TermStats>,
    words: Vec<Word>,
    /// (keystrokes, word index), sorted: completions are one range of it.
    by_keystrokes: Vec<(String, u32)>,
    /// Initials of key words: ㅂㅁㅂㅎ → 비밀번호.
    by_initials: HashMap<String, Vec<u32>>,
    num_docs: u64,
}

/// A bit for each jamo the units hold: the 51 compatibility jamo, the blank
/// final, and other characters folded onto the remaining bits. A bit the
/// input lacks is a jamo the input lacks (folding can only add bits to the
/// input's side), so the count of the word's bits the input lacks is a lower
/// bound on the edits between them.
fn signature(units: &[char]) -> u64 {
    units.iter().fold(0u64, |bits, &c| {
        let bit = match c as u32 {
            code @ 0x3131..=0x3163 => code - 0x3131,
            0 => 51,
            code => 52 + code % 12,
        };
        bits | 1 << bit
    })
}

/// A vocabulary word that a customer's input may have meant.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub word: String,
    /// Jamo edits needed, in half-edits (typos); 0 for completions and initials.
    pub distance: usize,
    /// Characters of the input the word stands for (the rest is a particle
    /// or ending: 배숑이 → 배송 covers 2 of 3).
    pub covers_chars: usize,
}

impl Vocabulary {
    pub fn build(searcher: &Searcher, fields: &Fields) -> tantivy::Result<Vocabulary> {
        let key_fields = [fields.title, fields.aliases, fields.article_aliases, fields.tags, fields.article_title];
        let mut stats: HashMap<String, (TermStats, bool)> = HashMap::default();
        for (field, key) in key_fields.iter().map(|f| (*f, true)).chain([(fields.body, false)]) {
            for (term, df) in field_terms(searcher, field)? {
                let entry = stats.entry(term).or_insert((TermStats { df: 0, fields: 0 }, false));
                entry.0.df = entry.0.df.max(df);
                entry.0.fields |= field_bit(field);
                entry.1 |= key;
            }
        }
        let mut vocabulary = Vocabulary { num_docs: searcher.num_docs(), ..Vocabulary::default() };
        for (text, (term, key)) in stats {
            let df = term.df;
            vocabulary.terms.insert(text.clone(), term);
            let syllables = text.chars().filter(|c| jamo::is_hangul_syllable(*c)).count();
            let latin = text.chars().all(|c| c.is_ascii_alphanumeric()) && text.len() >= 2;
            if syllables >= 2 || (latin && !text.chars().all(|c| c.is_ascii_digit())) {
                let units = jamo_units(&text);
                vocabulary.words.push(Word { signature: signature(&units), units, syllables, text, df, key });
            }
        }
        vocabulary.words.sort_by(|a, b| b.df.cmp(&a.df).then_with(|| a.text.cmp(&b.text)));
        for (i, word) in vocabulary.words.iter().enumerate() {
            vocabulary.by_keystrokes.push((keystrokes(&word.text), i as u32));
            if word.key && word.syllables >= 2 && word.syllables == word.text.chars().count() {
                vocabulary.by_initials.entry(initials(&word.text)).or_default().push(i as u32);
            }
        }
        vocabulary.by_keystrokes.sort();
        Ok(vocabulary)
    }

    /// Entries holding `term`; 0 if the help center never uses it.
    pub fn df(&self, term: &str) -> u32 {
        self.terms.get(term).map_or(0, |t| t.df)
    }

    /// Whether `field` holds `term` in any entry: a query need not look for a
    /// term where the help center never writes it.
    pub fn in_field(&self, term: &str, field: Field) -> bool {
        self.terms.get(term).is_some_and(|t| t.fields & field_bit(field) != 0)
    }

    pub fn num_docs(&self) -> u64 {
        self.num_docs
    }

    /// How informative a term is (BM25's idf), for weighing query words.
    pub fn idf(&self, term: &str) -> f32 {
        self.idf_of(self.df(term))
    }

    /// The idf of a word no entry holds: the most telling a word can be.
    pub fn unseen_idf(&self) -> f32 {
        self.idf_of(0)
    }

    fn idf_of(&self, df: u32) -> f32 {
        let n = self.num_docs.max(1) as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Words the input may be a misspelling of, fewest edits first. The input is
    /// a whole word as typed, maybe with a particle after it.
    pub fn corrections(&self, typed: &str, max: usize) -> Vec<Candidate> {
        self.corrections_checked(typed, max, true)
    }

    /// [`Vocabulary::corrections`], with or without the signature check
    /// (which only skips words the distance would rule out; tests compare).
    fn corrections_checked(&self, typed: &str, max: usize, by_signature: bool) -> Vec<Candidate> {
        let typed_units = jamo_units(typed);
        let typed_signature = signature(&typed_units);
        let typed_syllables = typed.chars().filter(|c| jamo::is_hangul_syllable(*c)).count();
        if typed_syllables < 2 {
            return Vec::new();
        }
        let mut found: Vec<(usize, Candidate, u32)> = Vec::new();
        for word in &self.words {
            if word.syllables < 2 || word.units.len() > typed_units.len() + 3 || word.syllables + 3 < typed_syllables {
                continue;
            }
            // A longer word may take more edits: one up to three syllables, two beyond.
            let allowed = if word.syllables >= 4 { 2 * jamo::EDIT } else { jamo::EDIT };
            // Each jamo of the word found nowhere in the input costs an edit
            // at least (a substitution or a deletion): most words are ruled
            // out by that count alone, without the distance's table.
            if by_signature && (word.signature & !typed_signature).count_ones() as usize * jamo::EDIT > allowed {
                continue;
            }
            let Some((distance, matched)) = jamo::prefix_distance_within(&word.units, &typed_units, allowed) else {
                continue;
            };
            if distance == 0 {
                continue;
            }
            let covers_chars = matched.div_ceil(3).min(typed.chars().count());
            let left_over = typed.chars().count() - covers_chars;
            if left_over > 2 {
                continue;
            }
            // Edits cost most; each syllable left over (a particle) a little.
            let cost = distance * 2 + left_over * 3;
            found.push((cost, Candidate { word: word.text.clone(), distance, covers_chars }, word.df));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)));
        let best = found.first().map_or(0, |f| f.0);
        found.into_iter().take_while(|f| f.0 == best).take(max).map(|f| f.1).collect()
    }

    /// Words the input is one slip of the finger from: a syllable typed
    /// twice (배송송 → 배송, 회원가가입 → 회원가입) or one left out (세금산서 →
    /// 세금계산서, 결제단 → 결제수단). Unlike a jamo typo, such a slip keeps every
    /// other syllable whole, which is strong evidence even where each piece is
    /// a word of its own. The input may carry a particle after the word.
    pub fn slips(&self, typed: &str, max: usize) -> Vec<Candidate> {
        let chars: Vec<char> = typed.chars().collect();
        if chars.iter().filter(|c| jamo::is_hangul_syllable(**c)).count() < 2 {
            return Vec::new();
        }
        let mut found: Vec<(Candidate, u32)> = Vec::new();
        // Typed twice: drop the repeat, then the longest known head.
        for i in 1..chars.len() {
            if chars[i] != chars[i - 1] || !jamo::is_hangul_syllable(chars[i]) {
                continue;
            }
            // A word the help center writes with the repeat (본인인증) is no slip.
            if (i + 1..=chars.len()).rev().take(3).any(|end| self.df(&chars[..end].iter().collect::<String>()) > 0) {
                continue;
            }
            let undoubled: Vec<char> = chars[..i].iter().chain(&chars[i + 1..]).copied().collect();
            for head in (2.max(i)..=undoubled.len()).rev().take_while(|h| undoubled.len() - h <= 2) {
                let text: String = undoubled[..head].iter().collect();
                if self.is_key_word(&text) {
                    found.push((Candidate { word: text.clone(), distance: 1, covers_chars: head + 1 }, self.df(&text)));
                    break;
                }
            }
        }
        // Left out: a key word of one syllable more whose other syllables are
        // the typed head, in order (not its last syllable: that is typing on).
        let first_keys = keystrokes(&chars[0].to_string());
        let start = self.by_keystrokes.partition_point(|(k, _)| k.as_str() < first_keys.as_str());
        for (_, i) in self.by_keystrokes[start..].iter().take_while(|(k, _)| k.starts_with(&first_keys)) {
            let word = &self.words[*i as usize];
            let w: Vec<char> = word.text.chars().collect();
            if !word.key || w.len() < 3 || w.len() != word.syllables || w[0] != chars[0] {
                continue;
            }
            // Two syllables are too few to tell a slip from another word
            // (적금 is not 적립금 missing a syllable).
            let head = w.len() - 1;
            if head < 3 || head > chars.len() || chars.len() - head > 2 || self.terms.contains_key(&chars[..head].iter().collect::<String>()) {
                continue;
            }
            let slipped = (1..w.len() - 1).any(|skip| w.iter().enumerate().filter(|(j, _)| *j != skip).map(|(_, c)| c).eq(chars[..head].iter()));
            if slipped {
                found.push((Candidate { word: word.text.clone(), distance: 1, covers_chars: head }, word.df));
            }
        }
        found.sort_by(|a, b| b.1.cmp(&a.1));
        found.dedup_by(|a, b| a.0.word == b.0.word);
        found.into_iter().take(max).map(|(c, _)| c).collect()
    }

    /// Whether `text` is a word of a question, title, alias or tag.
    fn is_key_word(&self, text: &str) -> bool {
        let keys = keystrokes(text);
        let start = self.by_keystrokes.partition_point(|(k, _)| k.as_str() < keys.as_str());
        self.by_keystrokes[start..]
            .iter()
            .take_while(|(k, _)| *k == keys)
            .any(|(_, i)| self.words[*i as usize].key && self.words[*i as usize].text == text)
    }

    /// Words that the input, still being typed, may become: 비밀버 → 비밀번호,
    /// 회원강 → 회원가입. Words in questions and titles first, then by use.
    pub fn completions(&self, typed: &str, max: usize) -> Vec<Candidate> {
        let keys = keystrokes(typed);
        if keys.chars().count() < 2 {
            return Vec::new();
        }
        let start = self.by_keystrokes.partition_point(|(k, _)| k.as_str() < keys.as_str());
        let mut found: Vec<&Word> = self.by_keystrokes[start..]
            .iter()
            .take_while(|(k, _)| k.starts_with(&keys))
            .map(|(_, i)| &self.words[*i as usize])
            .filter(|w| w.text != typed)
            .collect();
        found.sort_by(|a, b| b.key.cmp(&a.key).then(b.df.cmp(&a.df)).then(a.text.len().cmp(&b.text.len())));
        let covers_chars = typed.chars().count();
        found
            .into_iter()
            .take(max)
            .map(|w| Candidate { word: w.text.clone(), distance: 0, covers_chars })
            .collect()
    }

    /// Key words whose initials are `typed` (ㅂㅁㅂㅎ → 비밀번호), or, if none,
    /// start with it (ㅂㅁㅂ while still typing).
    pub fn by_initials(&self, typed: &str, max: usize) -> Vec<Candidate> {
        let covers_chars = typed.chars().count();
        let to_candidates = |ids: &mut dyn Iterator<Item = u32>| -> Vec<Candidate> {
            ids.take(max)
                .map(|i| Candidate { word: self.words[i as usize].text.clone(), distance: 0, covers_chars })
                .collect()
        };
        if let Some(ids) = self.by_initials.get(typed) {
            return to_candidates(&mut ids.iter().copied());
        }
        if covers_chars < 2 {
            return Vec::new();
        }
        let mut prefixed: Vec<u32> = self
            .by_initials
            .iter()
            .filter(|(k, _)| k.starts_with(typed))
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        prefixed.sort_by_key(|&i| std::cmp::Reverse(self.words[i as usize].df));
        to_candidates(&mut prefixed.into_iter())
    }
}

/// The bit of `field` in [`TermStats::fields`]. A schema has far fewer than
/// 32 fields; one past that would share the last bit, which can only make
/// `in_field` say yes where the answer is no, never lose a match.
fn field_bit(field: Field) -> u32 {
    1 << field.field_id().min(31)
}

/// Every term of `field` with its document frequency, summed over segments.
fn field_terms(searcher: &Searcher, field: Field) -> tantivy::Result<HashMap<String, u32>> {
    let mut terms: HashMap<String, u32> = HashMap::default();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(text) = std::str::from_utf8(stream.key()) {
                *terms.entry(text.to_string()).or_default() += stream.value().doc_freq;
            }
        }
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Misspellings of `word` as fingers make them: one keystroke changed,
    /// dropped or doubled, then composed as the keyboard would.
    fn typos(word: &str) -> Vec<String> {
        let keys: Vec<char> = keystrokes(word).chars().collect();
        let mut out = Vec::new();
        for (i, swap) in [(1, 'ㅔ'), (0, 'ㅅ'), (2, 'ㅇ')] {
            if i < keys.len() {
                let mut changed = keys.clone();
                changed[i] = swap;
                out.push(jamo::compose(&changed.iter().collect::<String>()));
            }
        }
        let middle = keys.len() / 2;
        out.push(jamo::compose(&keys.iter().enumerate().filter(|(j, _)| *j != middle).map(|(_, c)| c).collect::<String>()));
        out.push(jamo::compose(&format!("{}이", keys.iter().collect::<String>())));
        out
    }

    #[test]
    fn the_signature_check_changes_no_correction_of_the_bundled_vocabulary() {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let library = crate::content::Library::load(&content).unwrap();
        let (engine, _, _dir) = crate::eval::scratch_engine(&library, &content).unwrap();
        let vocabulary = engine.vocabulary();
        let sample: Vec<&Word> = vocabulary.words.iter().filter(|w| w.syllables >= 2).step_by(7).collect();
        assert!(sample.len() > 100, "{} words", sample.len());
        let mut corrected = 0;
        for word in sample {
            for typo in typos(&word.text) {
                let checked = vocabulary.corrections_checked(&typo, 5, true);
                assert_eq!(checked, vocabulary.corrections_checked(&typo, 5, false), "{typo} (from {})", word.text);
                corrected += usize::from(!checked.is_empty());
            }
        }
        assert!(corrected > 100, "the sample exercises corrections: {corrected}");
    }
}
