//! doumi (도우미): a self-service help center for Korean-speaking customers.
//!
//! Data flows one way: [`content`] reads Markdown articles into entries, [`korean`]
//! analyses their text, [`index`] stores them in tantivy, and [`search`] answers
//! customer questions from that index. [`analytics`] logs what customers searched
//! and did, and turns what they did not find into the gap report.

pub mod analytics;
pub mod config;
pub mod content;
pub mod eval;
pub mod index;
pub mod korean;
pub mod search;
pub mod semantic;
pub mod server;
