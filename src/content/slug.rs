//! Anchors for headings that have no explicit `{#anchor}`.

/// A deterministic, readable anchor that keeps Hangul: `비밀번호를 잊어버렸어요?` →
/// `비밀번호를-잊어버렸어요`. Letters are lowercased, every run of other characters
/// becomes one `-`. Browsers percent-encode Hangul in URLs and decode it back, so
/// the link a customer copies still reads as Korean.
pub fn slugify(heading: &str) -> String {
    let mut slug = String::with_capacity(heading.len());
    let mut pending_dash = false;
    for c in heading.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if slug.is_empty() { "section".to_string() } else { slug }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn keeps_hangul_and_joins_words_with_dashes() {
        assert_eq!(slugify("비밀번호를 잊어버렸어요. 어떻게 찾나요?"), "비밀번호를-잊어버렸어요-어떻게-찾나요");
        assert_eq!(slugify("SNS 간편가입 (카카오·네이버)"), "sns-간편가입-카카오-네이버");
    }

    #[test]
    fn punctuation_only_heading_still_gets_an_anchor() {
        assert_eq!(slugify("?!"), "section");
    }
}
