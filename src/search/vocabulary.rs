//! The words of the help center, read from the index: what typos are corrected
//! to, what half-typed words complete to, and what initials (ㅂㅁㅂㅎ) stand for.
//!
//! Built from the index rather than from a word list, so it knows exactly the
//! words that can match, in any help center's content.

use foldhash::HashMap;

use tantivy::Searcher;
use tantivy::schema::Field;

use crate::index::Fields;
use super::spellings::{Near, Spellings};
use crate::korean::jamo::{self, initials, jamo_units, keystrokes};

/// One word the index holds, with what fuzzy matching needs.
#[derive(Debug)]
pub struct Word {
    pub text: String,
    /// Entries holding the word in any field (the largest per-field count).
    pub df: u32,
    /// Found in a question, title, alias or tag, not only in answer text.
    pub key: bool,
    syllables: usize,
}

/// What the vocabulary knows of one term.
#[derive(Debug, Clone, Copy)]
struct TermStats {
    /// Entries holding the term in any field (the largest per-field count).
    df: u32,
    /// A bit per field that holds the term, by field id.
    fields: u32,
    /// Entries holding the term in their answer, summed over segments: the
    /// index's own document frequency in the answer field, which snippets
    /// weigh terms by, without a term-dictionary lookup per search.
    in_answers: u32,
}

#[derive(Debug, Default)]
pub struct Vocabulary {
    terms: HashMap<String, TermStats>,
    words: Vec<Word>,
    /// (keystrokes, word index), sorted: completions are one range of it.
    by_keystrokes: Vec<(String, u32)>,
    /// Initials of key words: ㅂㅁㅂㅎ → 비밀번호.
    by_initials: HashMap<String, Vec<u32>>,
    /// Words of two syllables or more, spelled in jamo: what typos are
    /// corrected to. Words of two and three syllables, which take one edit,
    /// apart from longer ones, which take two: a trie of the first is ruled
    /// out sooner, and the two kinds rarely begin alike.
    short_spellings: Spellings,
    long_spellings: Spellings,
    num_docs: u64,
}

/// How far, in half-edits, a typo may be from a word of so many syllables:
/// one edit up to three syllables, two beyond.
fn allowed_edits(syllables: usize) -> usize {
    if syllables >= 4 { 2 * jamo::EDIT } else { jamo::EDIT }
}

fn syllables(text: &str) -> usize {
    text.chars().filter(|c| jamo::is_hangul_syllable(*c)).count()
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
                let entry = stats.entry(term).or_insert((TermStats { df: 0, fields: 0, in_answers: 0 }, false));
                entry.0.df = entry.0.df.max(df);
                entry.0.fields |= field_bit(field);
                if field == fields.body {
                    entry.0.in_answers = df;
                }
                entry.1 |= key;
            }
        }
        let mut vocabulary = Vocabulary { num_docs: searcher.num_docs(), ..Vocabulary::default() };
        for (text, (term, key)) in stats {
            let df = term.df;
            vocabulary.terms.insert(text.clone(), term);
            let syllables = syllables(&text);
            let latin = text.chars().all(|c| c.is_ascii_alphanumeric()) && text.len() >= 2;
            if syllables >= 2 || (latin && !text.chars().all(|c| c.is_ascii_digit())) {
                vocabulary.words.push(Word { syllables, text, df, key });
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
        let spelled = |syllables: std::ops::Range<usize>| {
            let words = vocabulary.words.iter().enumerate().filter(|(_, w)| syllables.contains(&w.syllables));
            Spellings::new(words.map(|(i, w)| (i as u32, jamo_units(&w.text), allowed_edits(w.syllables))))
        };
        vocabulary.short_spellings = spelled(2..4);
        vocabulary.long_spellings = spelled(4..usize::MAX);
        Ok(vocabulary)
    }

    /// Entries holding `term`; 0 if the help center never uses it.
    pub fn df(&self, term: &str) -> u32 {
        self.terms.get(term).map_or(0, |t| t.df)
    }

    /// Entries whose answer holds `term`: what `Searcher::doc_freq` counts
    /// in the answer field.
    pub fn df_in_answers(&self, term: &str) -> u32 {
        self.terms.get(term).map_or(0, |t| t.in_answers)
    }

    /// Whether `field` holds `term` in any entry: a query need not look for a
    /// term where the help center never writes it.
    pub fn in_field(&self, term: &str, field: Field) -> bool {
        self.terms.get(term).is_some_and(|t| t.fields & field_bit(field) != 0)
    }

    /// Words that typos, half-typed words and initials can stand for.
    pub fn word_count(&self) -> usize {
        self.words.len()
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
        let typed_units = jamo_units(typed);
        if syllables(typed) < 2 {
            return Vec::new();
        }
        // A word at most one syllable longer than the input.
        let longest = typed_units.len() + 3;
        let mut near = self.short_spellings.near(&typed_units, longest);
        near.extend(self.long_spellings.near(&typed_units, longest));
        self.ranked_corrections(typed, near, max)
    }

    /// The best of the words found near `typed` (each within its
    /// [`allowed_edits`]): a word must cover the input but for a particle.
    fn ranked_corrections(&self, typed: &str, near: Vec<Near>, max: usize) -> Vec<Candidate> {
        let typed_chars = typed.chars().count();
        let typed_syllables = syllables(typed);
        let mut found: Vec<(usize, u32, usize, usize)> = Vec::new();
        for Near { id, distance, matched } in near {
            let word = &self.words[id as usize];
            if word.syllables + 3 < typed_syllables || distance == 0 {
                continue;
            }
            let covers_chars = matched.div_ceil(3).min(typed_chars);
            let left_over = typed_chars - covers_chars;
            if left_over > 2 {
                continue;
            }
            // Edits cost most; each syllable left over (a particle) a little.
            found.push((distance * 2 + left_over * 3, id, distance, covers_chars));
        }
        // Words are numbered most used first: the more common of equals wins.
        found.sort_unstable();
        let best = found.first().map_or(0, |f| f.0);
        found
            .into_iter()
            .take_while(|f| f.0 == best)
            .take(max)
            .map(|(_, id, distance, covers_chars)| Candidate { word: self.words[id as usize].text.clone(), distance, covers_chars })
            .collect()
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
        found.sort_by_key(|f| std::cmp::Reverse(f.1));
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
        // Words are numbered most used first, ties by their text: the same
        // order whatever order the map hands them out in.
        prefixed.sort_unstable();
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

    /// Corrections as they were found before [`Spellings`]: every word of
    /// the vocabulary measured against the input, in the vocabulary's order.
    fn corrections_by_measuring_every_word(vocabulary: &Vocabulary, typed: &str, max: usize) -> Vec<Candidate> {
        let typed_units = jamo_units(typed);
        let typed_syllables = syllables(typed);
        if typed_syllables < 2 {
            return Vec::new();
        }
        let mut found: Vec<(usize, Candidate, u32)> = Vec::new();
        for word in &vocabulary.words {
            let units = jamo_units(&word.text);
            if word.syllables < 2 || units.len() > typed_units.len() + 3 || word.syllables + 3 < typed_syllables {
                continue;
            }
            let allowed = if word.syllables >= 4 { 2 * jamo::EDIT } else { jamo::EDIT };
            let Some((distance, matched)) = jamo::prefix_distance_within(&units, &typed_units, allowed) else {
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
            let cost = distance * 2 + left_over * 3;
            found.push((cost, Candidate { word: word.text.clone(), distance, covers_chars }, word.df));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)));
        let best = found.first().map_or(0, |f| f.0);
        found.into_iter().take_while(|f| f.0 == best).take(max).map(|f| f.1).collect()
    }

    #[test]
    fn answer_counts_are_the_index_document_frequencies_in_the_answer_field() {
        let (engine, _dir) = crate::eval::bundled_help_center();
        let body = engine.index.fields.body;
        let terms = field_terms(&engine.searcher, body).unwrap();
        assert!(terms.len() > 1000, "{} terms", terms.len());
        for text in terms.keys().map(String::as_str).chain(["없는낱말", "배송"]) {
            let counted = engine.searcher.doc_freq(&tantivy::Term::from_field_text(body, text)).unwrap();
            assert_eq!(u64::from(engine.vocabulary.df_in_answers(text)), counted, "{text}");
        }
        // A word of titles and aliases only is in no answer.
        let title_only = engine.vocabulary.terms.iter().find(|(_, t)| t.fields & field_bit(body) == 0).map(|(text, _)| text.clone()).unwrap();
        assert_eq!(engine.vocabulary.df_in_answers(&title_only), 0, "{title_only}");
    }

    #[test]
    fn the_sorted_spellings_correct_every_typo_of_the_bundled_vocabulary_as_measuring_every_word_does() {
        let (engine, _dir) = crate::eval::bundled_help_center();
        let vocabulary = engine.vocabulary();
        let words: Vec<&Word> = vocabulary.words.iter().filter(|w| w.syllables >= 2).collect();
        assert!(words.len() > 1000, "{} words", words.len());
        let (mut asked, mut corrected) = (0, 0);
        for word in words {
            for typo in typos(&word.text) {
                let walked = vocabulary.corrections(&typo, 5);
                assert_eq!(walked, corrections_by_measuring_every_word(vocabulary, &typo, 5), "{typo} (from {})", word.text);
                asked += 1;
                corrected += usize::from(!walked.is_empty());
            }
        }
        assert!(corrected > asked / 2, "the typos exercise corrections: {corrected} of {asked}");
    }

    #[test]
    fn initials_still_being_typed_complete_to_the_most_used_words_first_and_equals_by_their_text() {
        let (engine, _dir) = crate::eval::bundled_help_center();
        let vocabulary = engine.vocabulary();
        let mut prefixes: Vec<String> = vocabulary.by_initials.keys().map(|k| k.chars().take(2).collect()).collect();
        prefixes.sort();
        prefixes.dedup();
        let mut ties = 0;
        for prefix in prefixes.iter().filter(|p| !vocabulary.by_initials.contains_key(*p)) {
            let found = vocabulary.by_initials(prefix, usize::MAX);
            let order: Vec<(std::cmp::Reverse<u32>, &str)> = found
                .iter()
                .map(|c| (std::cmp::Reverse(vocabulary.df(&c.word)), c.word.as_str()))
                .collect();
            assert!(order.is_sorted(), "{prefix}: {order:?}");
            ties += order.windows(2).filter(|w| w[0].0 == w[1].0).count();
        }
        assert!(ties > 0, "equally used words come up: {ties}");
    }
}
