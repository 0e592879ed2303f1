//! An article as HTML for its page and `GET /api/articles/{id}`: Markdown
//! rendered with the same anchors search links to, then sanitized.

use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, html};

use super::article::Article;
use super::markdown::options;

/// Only what an article needs: no scripts, no event handlers, no
/// `javascript:` links, no styles; ids on headings so anchors work.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        builder.add_tag_attributes(h, &["id"]);
    }
    builder.link_rel(Some("noopener noreferrer"));
    // `//evil.example` looks relative but leaves the site: written out as the
    // https link it is, so nobody (and no link check) takes it for a page here.
    builder.url_relative(ammonia::UrlRelative::Custom(Box::new(scheme_relative_as_https)));
    builder
});

fn scheme_relative_as_https(url: &str) -> Option<std::borrow::Cow<'_, str>> {
    Some(match url.strip_prefix("//") {
        Some(rest) => format!("https://{rest}").into(),
        None => url.into(),
    })
}

/// The article body as sanitized HTML; every `##` heading carries the anchor
/// its search results link to.
pub fn article_html(article: &Article) -> String {
    let mut anchors = article.sections.iter().map(|s| s.anchor.clone());
    let events = Parser::new_ext(&article.markdown, options()).map(|event| match event {
        Event::Start(Tag::Heading { level: HeadingLevel::H2, classes, attrs, .. }) => Event::Start(Tag::Heading {
            level: HeadingLevel::H2,
            id: anchors.next().map(CowStr::from),
            classes,
            attrs,
        }),
        other => other,
    });
    let mut raw = String::with_capacity(article.markdown.len() * 2);
    html::push_html(&mut raw, events);
    SANITIZER.clean(&raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Fingerprint, SourceFile};

    fn article(body: &str) -> Article {
        let fingerprint = Fingerprint { hash: String::new(), size: 0, modified_ns: 0 };
        let text = format!("---\ntitle: 안내\ntype: faq\n---\n{body}");
        let source = SourceFile { path: "content/a.md".into(), stem: "a".into(), folder: None, text, fingerprint };
        Article::parse(&source).unwrap().0
    }

    #[test]
    fn a_scheme_relative_link_is_written_out_as_the_external_link_it_is() {
        let html = article_html(&article("## 링크\n\n[여기](//evil.example/x) 그리고 [환불](/articles/refund)\n"));
        assert!(html.contains("href=\"https://evil.example/x\""), "{html}");
        assert!(html.contains("href=\"/articles/refund\""), "{html}");
    }

    #[test]
    fn headings_carry_the_anchors_search_links_to() {
        let html = article_html(&article("## 환불은 언제 되나요?\n\n3~7영업일.\n\n## 부분 환불 {#partial}\n\n됩니다.\n"));
        assert!(html.contains("<h2 id=\"환불은-언제-되나요\">환불은 언제 되나요?</h2>"), "{html}");
        assert!(html.contains("<h2 id=\"partial\">부분 환불</h2>"), "{html}");
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let html = article_html(&article(
            "## 질문\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[눌러](javascript:alert(1)) <a href=\"/articles/b\" onclick=\"x()\">링크</a>\n",
        ));
        assert!(!html.contains("<script") && !html.contains("onerror") && !html.contains("onclick"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"/articles/b\""), "{html}");
    }
}
