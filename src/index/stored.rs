//! What a hit shows, read back from tantivy's document store.
//!
//! Reading a hit through `TantivyDocument` copies each stored value three
//! times (into an owned value, into the compact document, out again as a
//! `String`). [`StoredEntry`] takes each value once, as tantivy decodes it.

use tantivy::schema::Field;
use tantivy::schema::document::{
    DeserializeError, DocumentDeserialize, DocumentDeserializer, ValueDeserialize, ValueDeserializer, ValueVisitor,
};

/// The stored values of one entry, by field (see `schema`: only what a hit
/// shows is stored).
#[derive(Debug, Default)]
pub struct StoredEntry {
    values: Vec<(Field, StoredValue)>,
}

impl StoredEntry {
    /// The text stored in `field`, or "" when there is none.
    pub fn text(&self, field: Field) -> &str {
        match self.value(field) {
            Some(StoredValue::Text(text)) => text,
            _ => "",
        }
    }

    /// [`StoredEntry::text`], taken out of the entry.
    pub fn take_text(&mut self, field: Field) -> String {
        match self.values.iter_mut().find(|(f, _)| *f == field) {
            Some((_, StoredValue::Text(text))) => std::mem::take(text),
            _ => String::new(),
        }
    }

    /// The bytes stored in `field`, or none.
    pub fn bytes(&self, field: Field) -> &[u8] {
        match self.value(field) {
            Some(StoredValue::Bytes(bytes)) => bytes,
            _ => &[],
        }
    }

    /// The first value stored in `field` (each field of the schema holds one).
    fn value(&self, field: Field) -> Option<&StoredValue> {
        self.values.iter().find(|(f, _)| *f == field).map(|(_, value)| value)
    }
}

impl DocumentDeserialize for StoredEntry {
    fn deserialize<'de, D>(mut deserializer: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let mut values = Vec::with_capacity(deserializer.size_hint());
        while let Some(field_value) = deserializer.next_field::<StoredValue>()? {
            values.push(field_value);
        }
        Ok(StoredEntry { values })
    }
}

/// One stored value: doc's schema stores only text and bytes.
#[derive(Debug)]
enum StoredValue {
    Text(String),
    Bytes(Vec<u8>),
    /// Any other kind of value, which this schema never stores.
    Other,
}

impl ValueDeserialize for StoredValue {
    fn deserialize<'de, D>(deserializer: D) -> Result<Self, DeserializeError>
    where
        D: ValueDeserializer<'de>,
    {
        deserializer.deserialize_any(Visitor)
    }
}

struct Visitor;

impl ValueVisitor for Visitor {
    type Value = StoredValue;

    fn visit_string(&self, text: String) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Text(text))
    }

    fn visit_bytes(&self, bytes: Vec<u8>) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Bytes(bytes))
    }

    fn visit_null(&self) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }

    fn visit_u64(&self, _: u64) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }

    fn visit_i64(&self, _: i64) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }

    fn visit_f64(&self, _: f64) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }

    fn visit_bool(&self, _: bool) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Library;
    use crate::index::SearchIndex;

    #[test]
    fn a_hit_reads_back_what_it_shows_and_nothing_it_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(&content).unwrap();
        let long_answer = "환불은 영업일 기준 3일 안에 처리됩니다. ".repeat(200);
        std::fs::write(
            content.join("refund.md"),
            format!("---\ntitle: 환불 안내\ntype: faq\ncategory: 결제\naliases: [돈 돌려받기]\ntags: [환불]\n---\n\n## 환불은 언제 되나요?\n\n{long_answer}\n"),
        )
        .unwrap();
        let library = Library::load(&content).unwrap();
        let index_dir = dir.path().join("index");
        crate::index::build(&library, &index_dir, std::time::Instant::now()).unwrap();
        let index = SearchIndex::open(&index_dir).unwrap();
        let searcher = index.reader.searcher();
        let fields = index.fields;
        let segment = searcher.segment_reader(0);
        let mut entry: StoredEntry = (0..segment.max_doc())
            .map(|doc| searcher.doc::<StoredEntry>(tantivy::DocAddress::new(0, doc)).unwrap())
            .find(|e| e.text(fields.kind) == "question")
            .expect("the question is indexed");
        assert_eq!(entry.text(fields.title), "환불은 언제 되나요?");
        assert_eq!(entry.text(fields.article_title), "환불 안내");
        assert_eq!(entry.text(fields.category), "결제");
        assert!(!entry.bytes(fields.snippet_terms).is_empty());
        let source = std::str::from_utf8(entry.bytes(fields.snippet_source)).unwrap();
        assert!(long_answer.starts_with(source) && source.len() <= crate::index::snippet_terms::SNIPPET_SOURCE_BYTES, "{}", source.len());
        // Indexed, never shown: not read back with every hit.
        for field in [fields.body, fields.aliases, fields.article_aliases, fields.tags] {
            assert_eq!(entry.text(field), "");
        }
        assert_eq!(entry.take_text(fields.title), "환불은 언제 되나요?");
        assert_eq!(entry.text(fields.title), "", "taken out");
    }
}
