//! The tantivy side of the analyzer: one tokenizer, used for documents and queries.

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::analyzer::Analyzer;

/// Name under which the Korean analyzer is registered; schema fields refer to it.
pub const KOREAN: &str = "korean";

/// Runs an [`Analyzer`] (with the index's user dictionary) inside tantivy.
#[derive(Clone)]
pub struct KoreanTokenizer {
    analyzer: Arc<Analyzer>,
}

impl KoreanTokenizer {
    pub fn new(analyzer: Arc<Analyzer>) -> KoreanTokenizer {
        KoreanTokenizer { analyzer }
    }
}

impl Default for KoreanTokenizer {
    fn default() -> KoreanTokenizer {
        KoreanTokenizer::new(Analyzer::shared_default())
    }
}

pub struct KoreanTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for KoreanTokenizer {
    type TokenStream<'a> = KoreanTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KoreanTokenStream {
        let tokens = self
            .analyzer
            .index_terms(text)
            .into_iter()
            .map(|term| Token {
                offset_from: term.start,
                offset_to: term.end,
                position: term.position,
                text: term.text,
                position_length: 1,
            })
            .collect();
        KoreanTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for KoreanTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_yields_terms_with_offsets_and_positions() {
        let mut tokenizer = KoreanTokenizer::default();
        let text = "배송지를 변경하고 싶어요";
        let mut stream = tokenizer.token_stream(text);
        let mut seen = Vec::new();
        while stream.advance() {
            let t = stream.token();
            seen.push((t.text.clone(), &text[t.offset_from..t.offset_to], t.position));
        }
        assert_eq!(seen[0], ("배송지".to_string(), "배송지", 0));
        assert!(seen.iter().any(|(t, _, _)| t == "변경"));
    }
}
