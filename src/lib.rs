//! doumi (도우미): a self-service help center for Korean-speaking customers.
//!
//! Data flows one way: [`content`] reads Markdown articles into entries, [`korean`]
//! analyses their text, [`index`] stores them in tantivy, and [`search`] answers
//! customer questions from that index.

pub mod config;
pub mod content;
pub mod eval;
pub mod index;
pub mod korean;
pub mod search;
pub mod server;
