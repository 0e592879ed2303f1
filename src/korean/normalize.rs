//! Unicode normalization that remembers where every normalized byte came from.
//!
//! Customers and editors type full-width Latin (ＩＤ), compatibility characters and,
//! from macOS, decomposed Hangul (ᄇ+ᅵ instead of 비). NFKC folds all of these, but it
//! changes byte lengths, and snippets must highlight the syllables of the *original*
//! text. So normalization keeps a map from each normalized byte back to the source.

use unicode_normalization::UnicodeNormalization;

/// Text after NFKC and lowercasing, with a byte map back into the source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    /// `source_offset[i]` is the source byte offset of normalized byte `i`;
    /// it has one extra element, the source length, so an exclusive end maps too.
    source_offset: Vec<usize>,
}

impl Normalized {
    /// Normalizes `source`: NFKC, then Latin lowercase.
    pub fn new(source: &str) -> Normalized {
        if source.chars().all(is_already_normal) {
            return Normalized::unchanged(source);
        }
        Normalized::folded(source)
    }

    /// Only the normalized text, for callers that never map back into the
    /// source (the query log): borrowed when nothing changes.
    pub fn text_of(source: &str) -> std::borrow::Cow<'_, str> {
        if source.chars().all(is_already_normal) {
            return std::borrow::Cow::Borrowed(source);
        }
        std::borrow::Cow::Owned(Normalized::folded(source).text)
    }

    /// Text NFKC and lowercasing leave as it is: each byte maps to the start
    /// of its own character.
    fn unchanged(source: &str) -> Normalized {
        let mut source_offset = Vec::with_capacity(source.len() + 1);
        for (start, c) in source.char_indices() {
            source_offset.resize(source_offset.len() + c.len_utf8(), start);
        }
        source_offset.push(source.len());
        Normalized { text: source.to_string(), source_offset }
    }

    fn folded(source: &str) -> Normalized {
        let mut text = String::with_capacity(source.len());
        let mut source_offset = Vec::with_capacity(source.len() + 1);
        for (start, cluster) in clusters(source) {
            let before = text.len();
            if is_compatibility_jamo(cluster) {
                // NFKC would turn ㅂ into a conjoining jamo; customers' initial
                // consonants (ㅂㅁㅂㅎ) and half-typed syllables must stay as typed.
                text.push_str(cluster);
                source_offset.resize(source_offset.len() + cluster.len(), start);
                continue;
            }
            for c in cluster.nfkc() {
                for lower in c.to_lowercase() {
                    text.push(lower);
                }
            }
            // Every byte produced from a cluster points at the cluster's start:
            // a highlight can never cut a source character in half.
            source_offset.resize(source_offset.len() + (text.len() - before), start);
        }
        source_offset.push(source.len());
        Normalized { text, source_offset }
    }

    /// Maps a byte range of the normalized text to the source text.
    ///
    /// `end` maps to the start of the cluster that follows, so the range covers
    /// whole source characters.
    pub fn source_range(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.source_offset[start.min(self.source_offset.len() - 1)];
        let e = self.source_offset[end.min(self.source_offset.len() - 1)];
        (s, e.max(s))
    }
}

/// Whether folding leaves `c` as it is in a text made only of such
/// characters: ASCII other than capitals and precomposed Hangul syllables,
/// which is what nearly every query and answer is made of, and the
/// compatibility jamo of initials and half-typed syllables (ㅂㅁㅂㅎ), which
/// folding keeps as typed when nothing combines with them. (A syllable or a
/// jamo followed by a conjoining vowel or final would compose, but those are
/// none of these.)
fn is_already_normal(c: char) -> bool {
    matches!(c, '\0'..='@' | '['..='\x7f' | '가'..='힣' | '\u{3131}'..='\u{318E}')
}

/// Splits `source` into runs that NFKC may compose together: a starter followed by
/// combining marks or conjoining Hangul vowels and finals. Normalizing each run alone
/// gives the same text as normalizing the whole, and keeps the offset map exact.
fn clusters(source: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut starts = source
        .char_indices()
        .filter(|&(_, c)| !continues_cluster(c))
        .map(|(i, _)| i)
        .peekable();
    let mut first = true;
    std::iter::from_fn(move || {
        let start = if first {
            first = false;
            // Text may begin with a combining mark; the run then starts at 0.
            let s = 0;
            if starts.peek() == Some(&0) {
                starts.next();
            }
            s
        } else {
            starts.next()?
        };
        if start >= source.len() {
            return None;
        }
        let end = starts.peek().copied().unwrap_or(source.len());
        Some((start, &source[start..end]))
    })
}

fn is_compatibility_jamo(cluster: &str) -> bool {
    let mut chars = cluster.chars();
    matches!((chars.next(), chars.next()), (Some('\u{3131}'..='\u{318E}'), None))
}

fn continues_cluster(c: char) -> bool {
    use unicode_normalization::char::canonical_combining_class;
    matches!(c, '\u{1160}'..='\u{11FF}' | '\u{D7B0}'..='\u{D7FF}')
        || canonical_combining_class(c) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_taken_as_already_normal_is_what_folding_it_gives() {
        let mut samples: Vec<String> = (0u8..=0x7f).map(|b| format!("{}가{}", b as char, b as char)).collect();
        samples.extend(('가'..='힣').step_by(97).map(|c| format!("{c}a{c} Z{c}")));
        samples.push("비밀번호 변경은 어떻게 하나요? 010-1234 id@example.com".into());
        samples.push("Wi-Fi 설정 ABC".into());
        samples.push("각\u{11a8}".into());
        samples.extend(('\u{3131}'..='\u{318E}').map(|j| format!("{j}{j}비밀{j} 번호ㅎ")));
        samples.push("ㅂ\u{1161}ㅁ".into());
        samples.push("ㄱ\u{0301}".into());
        for sample in &samples {
            let folded = Normalized::folded(sample);
            assert_eq!(Normalized::new(sample), folded, "{sample:?}");
            assert_eq!(Normalized::text_of(sample), folded.text, "the text alone, {sample:?}");
            if sample.chars().all(is_already_normal) {
                assert_eq!(folded.text, *sample, "{sample:?}");
            }
        }
    }

    #[test]
    fn full_width_latin_is_folded_and_mapped_back() {
        let n = Normalized::new("ＩＤ 찾기");
        assert_eq!(n.text, "id 찾기");
        // "id" in the normalized text covers both full-width letters (3 bytes each).
        assert_eq!(n.source_range(0, 2), (0, 6));
        assert_eq!(n.source_range(3, 9), (7, 13));
    }

    #[test]
    fn decomposed_hangul_from_macos_is_composed() {
        let source = "비밀번호".nfd().collect::<String>();
        let n = Normalized::new(&source);
        assert_eq!(n.text, "비밀번호");
        assert_eq!(n.source_range(0, n.text.len()), (0, source.len()));
        // The second syllable starts where its decomposed jamo start.
        let second = source.char_indices().nth(2).unwrap().0;
        assert_eq!(n.source_range(3, 6).0, second);
    }

    #[test]
    fn compatibility_jamo_stay_as_typed() {
        // ㅂㅁㅂㅎ (initial consonants) must survive normalization for chosung search.
        assert_eq!(Normalized::new("ㅂㅁㅂㅎ").text, "ㅂㅁㅂㅎ");
    }

    #[test]
    fn leading_combining_mark_and_empty_text_do_not_panic() {
        assert_eq!(Normalized::new("").text, "");
        let n = Normalized::new("\u{0301}a");
        assert_eq!(n.source_range(0, n.text.len()), (0, 3));
    }
}
