//! Markdown body → plain text, split at second-level headings.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A `##` heading and the plain text under it, up to the next `##`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSection {
    pub heading: String,
    /// `{#anchor}` written by the editor, if any.
    pub explicit_anchor: Option<String>,
    /// Line of the heading in the file.
    pub line: usize,
    pub text: String,
    /// Other ways customers ask this question, from `<!-- aliases: a, b -->`.
    pub aliases: Vec<String>,
}

/// A link to another help-center article, checked by `doumi check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalLink {
    pub article_id: String,
    pub anchor: Option<String>,
    pub line: usize,
}

#[derive(Debug, Default)]
pub struct Body {
    /// Text before the first `##` heading.
    pub intro: String,
    pub sections: Vec<RawSection>,
    pub links: Vec<InternalLink>,
}

/// The Markdown extensions articles may use, for parsing and rendering alike.
pub fn options() -> Options {
    Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
}

/// Parses `body`, which starts at line `first_line` of its file.
pub fn parse(body: &str, first_line: usize) -> Body {
    let line_at = |offset: usize| first_line + body.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count();
    let mut out = Body::default();
    let mut heading: Option<(String, Option<String>, usize)> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H2, id, .. }) => {
                heading = Some((String::new(), id.map(|i| i.to_string()), line_at(range.start)));
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some((text, explicit_anchor, line)) = heading.take() {
                    out.sections.push(RawSection {
                        heading: collapse_spaces(&text),
                        explicit_anchor,
                        line,
                        text: String::new(),
                        aliases: Vec::new(),
                    });
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(link) = internal_link(&dest_url, line_at(range.start)) {
                    out.links.push(link);
                }
            }
            Event::Text(text) | Event::Code(text) => push(&mut out, &mut heading, &text),
            Event::SoftBreak | Event::HardBreak => push(&mut out, &mut heading, " "),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::BlockQuote(_),
            ) => push(&mut out, &mut heading, "\n"),
            // Raw HTML is neither shown in snippets nor worth matching, except
            // the aliases comment that gives a question its own aliases.
            Event::Html(html) | Event::InlineHtml(html) => {
                if let (Some(aliases), Some(section)) = (aliases_comment(&html), out.sections.last_mut()) {
                    section.aliases.extend(aliases);
                }
            }
            _ => {}
        }
    }
    out.intro = tidy(&out.intro);
    for section in &mut out.sections {
        section.text = tidy(&section.text);
    }
    out
}

fn push(out: &mut Body, heading: &mut Option<(String, Option<String>, usize)>, text: &str) {
    if let Some((heading_text, _, _)) = heading {
        heading_text.push_str(text);
    } else if let Some(section) = out.sections.last_mut() {
        section.text.push_str(text);
    } else {
        out.intro.push_str(text);
    }
}

/// `<!-- aliases: 비번 까먹음, 비밀번호 분실 -->` → the two aliases.
fn aliases_comment(html: &str) -> Option<Vec<String>> {
    let inner = html.trim().strip_prefix("<!--")?.trim_end().strip_suffix("-->")?.trim();
    let list = inner.strip_prefix("aliases:")?;
    Some(list.split(',').map(collapse_spaces).filter(|a| !a.is_empty()).collect())
}

/// `/articles/refund#언제` → article `refund`, anchor `언제`.
fn internal_link(url: &str, line: usize) -> Option<InternalLink> {
    let rest = url.strip_prefix("/articles/")?;
    let (id, anchor) = match rest.split_once('#') {
        Some((id, anchor)) => (id, Some(percent_decode(anchor))),
        None => (rest, None),
    };
    Some(InternalLink { article_id: percent_decode(id.trim_end_matches('/')), anchor, line })
}

/// Editors paste links copied from a browser, where Hangul anchors are
/// percent-encoded.
fn percent_decode(s: &str) -> String {
    String::from_utf8(percent_decode_bytes(s)).unwrap_or_else(|_| s.to_string())
}

/// `%XX` escapes decoded to bytes; anything else kept as it is.
pub fn percent_decode_bytes(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One line per block, single spaces inside lines.
fn tidy(s: &str) -> String {
    s.lines().map(collapse_spaces).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "소개 문단입니다.\n\n## 환불은 언제 되나요? {#when}\n\n카드는 **3~7영업일**, [환불 계좌](/articles/refund#%EA%B3%84%EC%A2%8C)는 `1~2일`.\n\n- 첫째\n- 둘째\n\n## 부분 환불\n\n<b>raw</b> 가능합니다.\n";

    #[test]
    fn sections_split_at_second_level_headings_with_lines() {
        let body = parse(BODY, 10);
        assert_eq!(body.intro, "소개 문단입니다.");
        assert_eq!(body.sections.len(), 2);
        let s = &body.sections[0];
        assert_eq!((s.heading.as_str(), s.explicit_anchor.as_deref(), s.line), ("환불은 언제 되나요?", Some("when"), 12));
        assert_eq!(s.text, "카드는 3~7영업일, 환불 계좌는 1~2일.\n첫째\n둘째");
        // Inline HTML tags are dropped; the text between them is still text.
        assert_eq!(body.sections[1].text, "raw 가능합니다.");
    }

    #[test]
    fn a_question_takes_aliases_from_a_comment_under_it() {
        let body = parse("## 비밀번호를 잊었어요\n<!-- aliases: 비번 까먹음, 비밀번호 분실 -->\n\n재설정하세요.\n", 1);
        assert_eq!(body.sections[0].aliases, ["비번 까먹음", "비밀번호 분실"]);
        assert_eq!(body.sections[0].text, "재설정하세요.");
    }

    #[test]
    fn internal_links_are_decoded() {
        let body = parse(BODY, 1);
        assert_eq!(
            body.links,
            [InternalLink { article_id: "refund".into(), anchor: Some("계좌".into()), line: 5 }]
        );
    }
}
