//! The search schema, in one place. Nobody else names fields by string.

use tantivy::schema::{
    IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Field,
};

use tantivy::IndexSettings;

use crate::korean::KOREAN;

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `article_id#anchor`, or `article_id` for a whole guide. Raw, for lookups.
    pub id: Field,
    /// Raw article id: an edited article is replaced by deleting on this term.
    pub article_id: Field,
    /// Analysed, so a customer naming the article's topic finds its questions.
    pub article_title: Field,
    /// The question, section heading, or guide title: the strongest signal.
    pub title: Field,
    /// Other ways customers ask for this entry; indexed, never shown (so not stored).
    pub aliases: Field,
    /// The article's aliases on each of its questions and sections.
    pub article_aliases: Field,
    /// The answer text, indexed only: a hit shows `snippet_source`.
    pub body: Field,
    /// Indexed only.
    pub tags: Field,
    /// Raw, for `category=` filters.
    pub category: Field,
    pub anchor: Field,
    pub url: Field,
    /// `question`, `guide` or `section`.
    pub kind: Field,
    /// The opening of the answer that snippets are cut from, stored alone so
    /// that showing a hit reads a bounded amount however long its answer is.
    /// Stored as bytes: a snippet checks only the part it shows to be UTF-8,
    /// not all of it with every hit.
    pub snippet_source: Field,
    /// The answer's terms with their places, analysed once here so that a
    /// search highlights without analysing (see `search::snippet`).
    pub snippet_terms: Field,
}

/// Builds the schema. Text fields keep positions for phrase queries. Only
/// what a hit shows is stored (see `index::stored`): a search reads the
/// stored values of every hit it shows, and the cost is in the bytes read.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let korean = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(KOREAN)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let shown_korean = korean.clone().set_stored();
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        article_id: builder.add_text_field("article_id", STRING | STORED),
        article_title: builder.add_text_field("article_title", shown_korean.clone()),
        title: builder.add_text_field("title", shown_korean),
        aliases: builder.add_text_field("aliases", korean.clone()),
        article_aliases: builder.add_text_field("article_aliases", korean.clone()),
        body: builder.add_text_field("body", korean.clone()),
        tags: builder.add_text_field("tags", korean),
        category: builder.add_text_field("category", STRING | STORED),
        anchor: builder.add_text_field("anchor", STRING | STORED),
        url: builder.add_text_field("url", STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        snippet_source: builder.add_bytes_field("snippet_source", STORED),
        snippet_terms: builder.add_bytes_field("snippet_terms", STORED),
    };
    (builder.build(), fields)
}

/// Bytes of stored entries compressed together. A hit shown decompresses
/// its whole block when the block is not cached; tantivy's default (16 KiB,
/// a dozen entries) made that the costliest step of a search at 10,000
/// entries. 4 KiB still compresses a few entries together.
const STORE_BLOCK_BYTES: usize = 4096;

/// How the index stores entries (see [`STORE_BLOCK_BYTES`]).
pub fn settings() -> IndexSettings {
    IndexSettings { docstore_blocksize: STORE_BLOCK_BYTES, ..IndexSettings::default() }
}

/// Recovers the handles from an opened index's schema.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |name: &str| schema.get_field(name);
    Ok(Fields {
        id: f("id")?,
        article_id: f("article_id")?,
        article_title: f("article_title")?,
        title: f("title")?,
        aliases: f("aliases")?,
        article_aliases: f("article_aliases")?,
        body: f("body")?,
        tags: f("tags")?,
        category: f("category")?,
        anchor: f("anchor")?,
        url: f("url")?,
        kind: f("kind")?,
        snippet_source: f("snippet_source")?,
        snippet_terms: f("snippet_terms")?,
    })
}
