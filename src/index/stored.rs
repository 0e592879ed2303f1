//! What a hit shows, read back from tantivy's document store.
//!
//! Reading a hit through `TantivyDocument` copies each stored value three
//! times (into an owned value, into the compact document, out again as a
//! `String`), and tantivy's deserializer reads a bytes value one byte at a
//! time. A hit's stored values are a few kilobytes (the snippet source and its
//! terms), read for every hit shown. [`Stores`] reads the entry's bytes as the
//! store holds them and [`StoredEntry`] points into them: nothing is copied
//! until a value is shown, and only the text shown is checked to be UTF-8.
//!
//! The store decompresses a block of entries (16 KB before compression) to
//! read one, and keeps only so many blocks: at 10,000 entries and more the
//! hits of distinct searches keep asking for blocks it no longer holds, and
//! a block's decompression and the walk of the store's skip index to find
//! it were 8 % of a search's instructions at 10k. So an entry read for a
//! hit is remembered, its own bytes copied out of the block, in a memory
//! bounded in bytes: the entries shown least recently make room.
//!
//! The layout read is tantivy's (`schema::document::se`, doc store V2): a
//! VInt count of values, then per value its field (u32, little-endian), a
//! type code and, for text and bytes, a VInt length and the bytes. Only text
//! and bytes are stored (see `schema`); anything else is refused as corrupt,
//! and a test reads every bundled entry both ways.

use std::ops::Range;
use std::sync::Arc;

use tantivy::directory::OwnedBytes;
use tantivy::schema::Field;
use tantivy::store::StoreReader;
use tantivy::{DocAddress, Searcher, TantivyError};

/// Decompressed blocks each segment's store keeps: tantivy's own default.
const CACHED_BLOCKS: usize = 1000;
/// tantivy's type codes (`schema::document::type_codes`).
const TEXT_CODE: u8 = 0;
const BYTES_CODE: u8 = 4;

/// Bytes the remembered entries may take.
const REMEMBERED_BYTES: u64 = 32 << 20;

/// Entries the memory expects to hold.
const REMEMBERED_ENTRIES: usize = 16_384;

/// The document stores of one generation of the index, one per segment,
/// and the entries read from them.
pub struct Stores {
    readers: Vec<StoreReader>,
    remembered: quick_cache::sync::Cache<DocAddress, Arc<StoredEntry>, EntrySize>,
}

impl Stores {
    pub fn open(searcher: &Searcher) -> tantivy::Result<Stores> {
        Stores::remembering(searcher, REMEMBERED_ENTRIES, REMEMBERED_BYTES)
    }

    /// Stores that remember about `entries` entries in at most `bytes`.
    fn remembering(searcher: &Searcher, entries: usize, bytes: u64) -> tantivy::Result<Stores> {
        let readers = searcher.segment_readers().iter().map(|segment| segment.get_store_reader(CACHED_BLOCKS)).collect::<Result<_, _>>()?;
        Ok(Stores { readers, remembered: quick_cache::sync::Cache::with_weighter(entries, bytes, EntrySize) })
    }

    /// The stored values of the entry at `address`.
    pub fn entry(&self, address: DocAddress) -> tantivy::Result<Arc<StoredEntry>> {
        if let Some(entry) = self.remembered.get(&address) {
            return Ok(entry);
        }
        let store = self
            .readers
            .get(address.segment_ord as usize)
            .ok_or_else(|| TantivyError::InvalidArgument(format!("no segment {}", address.segment_ord)))?;
        // Its own bytes, so that the block they were in can go.
        let bytes = OwnedBytes::new(store.get_document_bytes(address.doc_id)?.as_slice().to_vec());
        let entry = Arc::new(StoredEntry::parse(bytes)?);
        self.remembered.insert(address, entry.clone());
        Ok(entry)
    }
}

/// What a remembered entry takes, in bytes.
#[derive(Clone)]
struct EntrySize;

impl quick_cache::Weighter<DocAddress, Arc<StoredEntry>> for EntrySize {
    fn weight(&self, _: &DocAddress, entry: &Arc<StoredEntry>) -> u64 {
        (std::mem::size_of::<(DocAddress, StoredEntry)>() + entry.bytes.len() + std::mem::size_of_val(&*entry.values)) as u64
    }
}

/// The stored values of one entry, by field (see `schema`: only what a hit
/// shows is stored), pointing into the bytes the store holds.
pub struct StoredEntry {
    bytes: OwnedBytes,
    values: Vec<(Field, u8, Range<usize>)>,
}

impl StoredEntry {
    fn parse(bytes: OwnedBytes) -> tantivy::Result<StoredEntry> {
        let corrupt = || TantivyError::InternalError("a stored entry does not have the layout doumi reads".to_string());
        let mut at = 0;
        let count = vint(&bytes, &mut at).ok_or_else(corrupt)?;
        let mut values = Vec::with_capacity(count.min(32) as usize);
        for _ in 0..count {
            let field = bytes.get(at..at + 4).ok_or_else(corrupt)?;
            let field = Field::from_field_id(u32::from_le_bytes([field[0], field[1], field[2], field[3]]));
            let code = *bytes.get(at + 4).ok_or_else(corrupt)?;
            at += 5;
            if code != TEXT_CODE && code != BYTES_CODE {
                return Err(corrupt());
            }
            let len = vint(&bytes, &mut at).ok_or_else(corrupt)? as usize;
            let end = at.checked_add(len).filter(|end| *end <= bytes.len()).ok_or_else(corrupt)?;
            values.push((field, code, at..end));
            at = end;
        }
        Ok(StoredEntry { bytes, values })
    }

    /// The text stored in `field`, or "" when there is none (or it is not
    /// UTF-8, which tantivy's writer never stores). Checked with SIMD: std's
    /// check of the Hangul in every value shown was 4 % of a search.
    pub fn text(&self, field: Field) -> &str {
        self.value(field, TEXT_CODE).and_then(|bytes| simdutf8::basic::from_utf8(bytes).ok()).unwrap_or_default()
    }

    /// The bytes stored in `field`, or none.
    pub fn bytes(&self, field: Field) -> &[u8] {
        self.value(field, BYTES_CODE).unwrap_or_default()
    }

    /// The first value of `code`'s type stored in `field` (each field of the
    /// schema holds one).
    fn value(&self, field: Field, code: u8) -> Option<&[u8]> {
        let (_, _, range) = self.values.iter().find(|(f, c, _)| *f == field && *c == code)?;
        self.bytes.get(range.clone())
    }
}

/// tantivy's VInt: seven bits a byte, low bits first, the last byte marked
/// by its high bit.
fn vint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 != 0 {
            return Some(value);
        }
    }
    None
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
        let stores = Stores::open(&searcher).unwrap();
        let segment = searcher.segment_reader(0);
        let entry: Arc<StoredEntry> = (0..segment.max_doc())
            .map(|doc| stores.entry(DocAddress::new(0, doc)).unwrap())
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
    }

    #[test]
    fn every_bundled_entry_reads_the_same_as_through_tantivys_own_document_remembered_or_read_again() {
        use tantivy::TantivyDocument;
        use tantivy::schema::Value;
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let library = Library::load(&content).unwrap();
        let dir = tempfile::tempdir().unwrap();
        crate::index::build(&library, dir.path(), std::time::Instant::now()).unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let searcher = index.reader.searcher();
        let stores = Stores::open(&searcher).unwrap();
        // One that remembers a few entries only, and reads the others again.
        let forgetful = Stores::remembering(&searcher, 4, 16 << 10).unwrap();
        let schema = index.index.schema();
        let mut first = Vec::new();
        for pass in 0..2 {
            let mut read = 0;
            for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
                for doc in 0..segment.max_doc() {
                    let address = DocAddress::new(ordinal as u32, doc);
                    let theirs: TantivyDocument = searcher.doc(address).unwrap();
                    for ours in [stores.entry(address).unwrap(), forgetful.entry(address).unwrap()] {
                        for (field, entry) in schema.fields().filter(|(_, e)| e.is_stored()) {
                            let value = theirs.get_first(field);
                            match value.and_then(|v| v.as_str()) {
                                Some(text) => assert_eq!(ours.text(field), text, "{}", entry.name()),
                                None => assert_eq!(ours.bytes(field), value.and_then(|v| v.as_bytes()).unwrap_or_default(), "{}", entry.name()),
                            }
                        }
                    }
                    let remembered = stores.entry(address).unwrap();
                    if pass == 0 {
                        first.push(remembered);
                    } else {
                        assert!(Arc::ptr_eq(&remembered, &first[read]), "{address:?} is read from the store once");
                    }
                    read += 1;
                }
            }
        }
        assert!(first.len() >= 100, "{} entries", first.len());
        assert!(forgetful.remembered.weight() <= 16 << 10, "the forgetful memory keeps to its bytes");
    }

    #[test]
    fn a_damaged_entry_is_an_error_not_a_panic() {
        for damaged in [&[][..], &[0x81, 0, 0, 0, 0, 9][..], &[0x81, 0, 0, 0, 0, 0, 0x85, b'a'][..], &[0x01][..]] {
            assert!(StoredEntry::parse(OwnedBytes::new(damaged.to_vec())).is_err(), "{damaged:?}");
        }
        let fine = StoredEntry::parse(OwnedBytes::new(vec![0x81, 3, 0, 0, 0, 0, 0x82, b'o', b'k'])).unwrap();
        assert_eq!(fine.text(Field::from_field_id(3)), "ok");
    }
}
