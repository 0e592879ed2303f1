//! Analytics: the query log, personal-data masking, what counts as
//! unanswered, gap clustering, self-service KPIs and the gap report.
//!
//! Data flows one way: the server hands searches and events to the
//! [`QueryLog`] (masked on the way in), which commits them to SQLite off the
//! request path; [`report::build`] reads a period back, decides each search's
//! [`outcome`], clusters the unanswered ones into [`gaps`] and computes the
//! [`kpi`]s.

pub mod export;
pub mod gaps;
pub mod kpi;
pub mod log;
pub mod outcome;
pub mod pii;
pub mod postgres;
pub mod record;
pub mod report;
pub mod simulate;
pub mod spool;
pub mod store;

pub use log::{LogCounters, LogOptions, LogTarget, QueryLog};
pub use pii::Masker;
pub use record::{EventKind, EventRecord, Record, SearchRecord, Source};
pub use report::{Report, ReportOptions, Since};
pub use store::{AdminExpiry, AdminSession, LogStore, Store, StoreError};
