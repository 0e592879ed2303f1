//! The gap report: KPIs for a period against the one before, a series per
//! day, and the gaps to fill — as JSON, Markdown or CSV.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use time::{Date, OffsetDateTime, UtcOffset};

use super::gaps::{Action, Gap, Reformulation, gaps, reformulations};
use super::kpi::{Day, Kpis, TopArticle, TopQuery, daily, kpis, top_articles, top_queries};
use super::outcome::outcomes;
use super::store::{LogStore, StoreError};
use crate::search::Engine;

/// Days are counted in Korean time: a support lead's "today" starts at
/// midnight in Seoul, not in UTC.
pub const REPORT_OFFSET: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};
const DAY_MS: i64 = 86_400_000;
/// Gaps listed, at most.
pub const GAPS: usize = 25;
const TOP: usize = 10;

/// How far back a report looks: `30d`, `12h`, `2w`, or a date (`2026-11-01`,
/// from its midnight in Korean time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Last { ms: i64 },
    Date(Date),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not a period: use a number of days, hours or weeks (30d, 12h, 2w) or a date (2026-11-01)")]
pub struct SinceError(pub String);

impl std::str::FromStr for Since {
    type Err = SinceError;

    fn from_str(text: &str) -> Result<Since, SinceError> {
        let bad = || SinceError(text.to_string());
        let text = text.trim();
        if let Ok(date) = Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")) {
            return Ok(Since::Date(date));
        }
        let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (number, unit) = text.split_at(split);
        let n: i64 = number.parse().map_err(|_| bad())?;
        let unit_ms = match unit {
            "d" => DAY_MS,
            "h" => 3_600_000,
            "w" => 7 * DAY_MS,
            _ => return Err(bad()),
        };
        // Up to ten years; more is a typo.
        if n == 0 || n > 3660 * DAY_MS / unit_ms {
            return Err(bad());
        }
        Ok(Since::Last { ms: n * unit_ms })
    }
}

impl Since {
    /// The start of the period ending at `now_ms`.
    pub fn start(self, now_ms: i64) -> i64 {
        match self {
            Since::Last { ms } => now_ms - ms,
            Since::Date(date) => {
                let midnight = date.midnight().assume_offset(REPORT_OFFSET);
                (midnight.unix_timestamp_nanos() / 1_000_000) as i64
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    pub since: Since,
    pub now_ms: i64,
    pub recheck: bool,
}

/// A stretch of time, as shown in the report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Window {
    /// RFC 3339, Korean time.
    pub from: String,
    pub to: String,
    pub from_ms: i64,
    pub to_ms: i64,
}

impl Window {
    fn new(from_ms: i64, to_ms: i64) -> Window {
        Window { from: timestamp(from_ms), to: timestamp(to_ms), from_ms, to_ms }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub generated_at: String,
    pub period: Window,
    /// The period of the same length just before, for trends.
    pub previous_period: Window,
    pub kpis: Kpis,
    pub previous_kpis: Kpis,
    pub daily: Vec<Day>,
    pub top_queries: Vec<TopQuery>,
    pub top_articles: Vec<TopArticle>,
    /// Unanswered-query clusters, most severe first.
    pub gaps: Vec<Gap>,
    /// Failed searches that customers reworded into successful ones.
    pub reformulations: Vec<Reformulation>,
}

fn datetime(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(REPORT_OFFSET)
}

fn timestamp(ms: i64) -> String {
    let at = datetime(ms).replace_nanosecond(0).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// The date (Korean time) of `ms`.
pub fn day_of(ms: i64) -> String {
    datetime(ms).date().to_string()
}

/// Builds the report of the period `options` describes from `store`,
/// looking up today's closest entries with `engine`.
pub fn build(store: &dyn LogStore, engine: &Engine, options: ReportOptions) -> Result<Report, StoreError> {
    let to = options.now_ms;
    let from = options.since.start(to).min(to);
    let length = to - from;
    let current = store.period(from, to)?;
    let previous = store.period(from - length, from)?;
    let now = outcomes(&current);
    let before = outcomes(&previous);

    let mut days = Vec::new();
    let mut day = datetime(from).date();
    let last = datetime(to).date();
    while day <= last && days.len() <= 3700 {
        days.push(day.to_string());
        let Some(next) = day.next_day() else { break };
        day = next;
    }
    let reformulations = reformulations(engine, &now);
    let mut gaps = gaps(engine, &now, &before, &reformulations, options.recheck);
    gaps.truncate(GAPS);
    Ok(Report {
        generated_at: timestamp(super::record::now_ms()),
        period: Window::new(from, to),
        previous_period: Window::new(from - length, from),
        kpis: kpis(&now, &current.votes),
        previous_kpis: kpis(&before, &previous.votes),
        daily: daily(&now, &current, &days, day_of),
        top_queries: top_queries(&now, TOP),
        top_articles: top_articles(&now, &current, TOP),
        gaps,
        reformulations: reformulations.into_iter().take(TOP * 2).collect(),
    })
}

/// A rate as people read it (12.3%), or – when there was nothing to divide.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_string(), |r| format!("{:.1}%", r * 100.0))
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }

    /// The report for people: what to write next first, then the numbers.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let k = &self.kpis;
        let p = &self.previous_kpis;
        let _ = writeln!(md, "# doumi gap report\n");
        let _ = writeln!(md, "{} – {} (previous period: {} – {})\n", self.period.from, self.period.to, self.previous_period.from, self.previous_period.to);
        let _ = writeln!(md, "## Self-service\n");
        let _ = writeln!(md, "| | this period | previous |\n| --- | ---: | ---: |");
        let _ = writeln!(md, "| searches | {} | {} |", k.searches, p.searches);
        let _ = writeln!(md, "| sessions | {} | {} |", k.sessions, p.sessions);
        for (name, now, before) in [
            ("zero-result rate", k.zero_result_rate, p.zero_result_rate),
            ("click-through rate", k.click_through_rate, p.click_through_rate),
            ("self-service rate", k.self_service_rate, p.self_service_rate),
            ("helpfulness", k.helpfulness, p.helpfulness),
            ("escalation rate", k.escalation_rate, p.escalation_rate),
        ] {
            let _ = writeln!(md, "| {name} | {} | {} |", percent(now), percent(before));
        }
        let _ = writeln!(md, "\n## Gaps to fill\n");
        if self.gaps.is_empty() {
            let _ = writeln!(md, "No unanswered searches in this period.");
        }
        for (i, gap) in self.gaps.iter().enumerate() {
            let trend = match gap.trend.change {
                Some(c) => format!("{} ({:+.0}% vs {})", gap.trend.direction, c * 100.0, gap.trend.previous),
                None => "new".to_string(),
            };
            let _ = writeln!(md, "### {}. 「{}」 — {} searches, {} customers, {trend}\n", i + 1, cell(&gap.representative), gap.count, gap.sessions);
            let _ = writeln!(md, "- **Action:** {}", cell(&gap.action.to_string()));
            let examples: Vec<String> = gap.examples.iter().map(|e| format!("{} ×{}", cell(&e.query), e.count)).collect();
            let _ = writeln!(md, "- Customers typed: {}", examples.join(" · "));
            let o = &gap.outcomes;
            let _ = writeln!(
                md,
                "- Outcomes: {} no results, {} low confidence, {} no click, {} not helpful, {} contacted support, {} reworded",
                o.zero_results, o.low_confidence, o.no_click, o.not_helpful, o.contact_support, o.reformulated
            );
            match &gap.closest {
                Some(c) => {
                    let _ = writeln!(md, "- Closest entry today: [{}]({}) (`{}`, confidence {:.2})", cell(&c.title), c.url, c.id, c.confidence);
                }
                None => {
                    let _ = writeln!(md, "- Closest entry today: none");
                }
            }
            if let Some(r) = &gap.recheck {
                let verdict = if r.answered_now { "answered now" } else { "still open" };
                let _ = writeln!(md, "- Recheck: {verdict} ({} of {} phrasings answered)", r.answered, r.replayed);
            }
            let _ = writeln!(md);
        }
        if !self.reformulations.is_empty() {
            let _ = writeln!(md, "## Reworded searches\n\n| customers first typed | then found it with | article | times | suggestion |\n| --- | --- | --- | ---: | --- |");
            for r in &self.reformulations {
                let _ = writeln!(md, "| {} | {} | {} | {} | {} |", cell(&r.from), cell(&r.to), r.article_id, r.count, cell(&r.suggestion.to_string()));
            }
            let _ = writeln!(md);
        }
        let _ = writeln!(md, "## Top queries\n\n| query | searches | zero-result | click-through |\n| --- | ---: | ---: | ---: |");
        for q in &self.top_queries {
            let _ = writeln!(md, "| {} | {} | {} | {} |", cell(&q.query), q.count, percent(Some(q.zero_result_rate)), percent(Some(q.click_through_rate)));
        }
        let _ = writeln!(md, "\n## Top articles\n\n| article | clicks | 예 | 아니오 |\n| --- | ---: | ---: | ---: |");
        for a in &self.top_articles {
            let _ = writeln!(md, "| {} | {} | {} | {} |", a.article_id, a.clicks, a.helpful, a.not_helpful);
        }
        let _ = writeln!(md, "\n## Per day\n\n| date | searches | sessions | zero-result | click-through | self-service | escalation |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for d in &self.daily {
            let k = &d.kpis;
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                d.date,
                k.searches,
                k.sessions,
                percent(k.zero_result_rate),
                percent(k.click_through_rate),
                percent(k.self_service_rate),
                percent(k.escalation_rate)
            );
        }
        md
    }

    /// The gaps as a spreadsheet: one row per gap.
    pub fn gaps_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record([
            "rank",
            "representative",
            "searches",
            "sessions",
            "trend",
            "previous",
            "zero_results",
            "low_confidence",
            "no_click",
            "not_helpful",
            "contact_support",
            "reworded",
            "closest_entry",
            "closest_title",
            "closest_confidence",
            "action",
            "examples",
            "answered_now",
        ]);
        for (i, g) in self.gaps.iter().enumerate() {
            let o = &g.outcomes;
            let numbers = [o.zero_results, o.low_confidence, o.no_click, o.not_helpful, o.contact_support, o.reformulated].map(|n| n.to_string());
            let examples: Vec<&str> = g.examples.iter().map(|e| e.query.as_str()).collect();
            let mut row = vec![
                (i + 1).to_string(),
                g.representative.clone(),
                g.count.to_string(),
                g.sessions.to_string(),
                g.trend.direction.to_string(),
                g.trend.previous.to_string(),
            ];
            row.extend(numbers);
            row.extend([
                g.closest.as_ref().map_or_else(String::new, |c| c.id.clone()),
                g.closest.as_ref().map_or_else(String::new, |c| c.title.clone()),
                g.closest.as_ref().map_or_else(String::new, |c| format!("{:.3}", c.confidence)),
                g.action.to_string(),
                examples.join(" | "),
                g.recheck.as_ref().map_or_else(String::new, |r| r.answered_now.to_string()),
            ]);
            let _ = writer.write_record(row.iter().map(|cell| spreadsheet_safe(cell).into_owned()));
        }
        String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// The per-day KPIs as a spreadsheet (dates and numbers only: nothing a
    /// customer typed).
    pub fn daily_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record([
            "date",
            "searches",
            "sessions",
            "zero_result_rate",
            "click_through_rate",
            "self_service_rate",
            "helpfulness",
            "escalation_rate",
        ]);
        let rate = |r: Option<f64>| r.map_or_else(String::new, |r| format!("{r:.4}"));
        for d in &self.daily {
            let k = &d.kpis;
            let _ = writer.write_record([
                d.date.clone(),
                k.searches.to_string(),
                k.sessions.to_string(),
                rate(k.zero_result_rate),
                rate(k.click_through_rate),
                rate(k.self_service_rate),
                rate(k.helpfulness),
                rate(k.escalation_rate),
            ]);
        }
        String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// A cell a spreadsheet will not run: customer text that begins like a
/// formula (`=`, `+`, `-`, `@`, a tab or a carriage return, or their
/// full-width forms) gets a leading `'`, as OWASP's CSV-injection guidance
/// recommends, so Excel and LibreOffice show it as text.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Customer text as Markdown text: every character Markdown or HTML would
/// read as markup is escaped (`[link](…)`, `<img …>`, `**`, a `|` that would
/// end a table cell, `#` that would start a heading) and line breaks and
/// other control characters become spaces, so a search shows as typed and
/// never as a link, an image or a new section.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '!' | '|' | '~' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[derive(Debug, thiserror::Error)]
#[error("cannot write the draft {path}: {cause}")]
pub struct DraftError {
    pub path: PathBuf,
    pub cause: std::io::Error,
}

/// Drafts written per report, at most.
pub const DRAFTS: usize = 10;

/// Longest file name of a draft, in characters before `.md`: Hangul takes
/// three bytes a character, and file systems allow 255 bytes.
const DRAFT_NAME_CHARS: usize = 60;

/// Writes a draft article for each of the top gaps that need a new article:
/// `draft: true` (never indexed), the representative as title and question,
/// the customers' own phrasings as aliases. Existing files are never
/// overwritten: a name already taken gets a number. A draft that cannot be
/// written does not stop the others. Returns the paths written and the
/// drafts that failed.
pub fn write_drafts(report: &Report, dir: &Path) -> (Vec<PathBuf>, Vec<DraftError>) {
    if let Err(cause) = std::fs::create_dir_all(dir) {
        return (Vec::new(), vec![DraftError { path: dir.to_path_buf(), cause }]);
    }
    let mut written = Vec::new();
    let mut failed = Vec::new();
    for gap in report.gaps.iter().filter(|g| matches!(g.action, Action::WriteArticle { .. })).take(DRAFTS) {
        let stem: String = crate::content::slugify(&gap.representative).chars().take(DRAFT_NAME_CHARS).collect();
        let stem = stem.trim_end_matches('-');
        let stem = if stem.is_empty() { "draft" } else { stem };
        let text = draft(gap, &report.period);
        let mut n = 1;
        loop {
            let name = if n == 1 { format!("{stem}.md") } else { format!("{stem}-{n}.md") };
            let path = dir.join(name);
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    use std::io::Write;
                    match file.write_all(text.as_bytes()) {
                        Ok(()) => written.push(path),
                        Err(cause) => failed.push(DraftError { path, cause }),
                    }
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(cause) => {
                    failed.push(DraftError { path, cause });
                    break;
                }
            }
        }
    }
    (written, failed)
}

/// Text for inside an HTML comment: one line, and no `--`, which could end it.
fn in_comment(text: &str) -> String {
    let mut out = super::record::one_line(text).into_owned();
    while out.contains("--") {
        out = out.replace("--", "- -");
    }
    out
}

fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

fn draft(gap: &Gap, period: &Window) -> String {
    let title = super::record::one_line(&gap.representative).trim().trim_end_matches(['?', '？']).to_string();
    let mut out = String::from("---\n");
    let _ = writeln!(out, "title: {}", yaml_string(&title));
    out.push_str("type: faq\ndraft: true\n");
    let aliases: Vec<String> = gap.examples.iter().filter(|e| e.query != gap.representative).map(|e| yaml_string(&e.query)).collect();
    if !aliases.is_empty() {
        let _ = writeln!(out, "aliases: [{}]", aliases.join(", "));
    }
    out.push_str("---\n\n");
    let _ = writeln!(
        out,
        "<!-- doumi draft: {} searches by {} customers went unanswered between {} and {}.\n     Customers typed: {}\n     Closest entry today: {}\n     Write the answer below, then remove `draft: true`. -->\n",
        gap.count,
        gap.sessions,
        period.from,
        period.to,
        in_comment(&gap.examples.iter().map(|e| e.query.as_str()).collect::<Vec<_>>().join(" · ")),
        in_comment(&gap.closest.as_ref().map_or_else(|| "none".to_string(), |c| format!("{} ({})", c.title, c.id))),
    );
    // The question is the customers' words, escaped so it stays one heading
    // of plain text (no link, no markup).
    let _ = writeln!(out, "## {}?\n", cell(&title));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_days_hours_weeks_or_a_date() {
        assert_eq!("30d".parse(), Ok(Since::Last { ms: 30 * DAY_MS }));
        assert_eq!("12h".parse(), Ok(Since::Last { ms: 12 * 3_600_000 }));
        assert_eq!("2w".parse(), Ok(Since::Last { ms: 14 * DAY_MS }));
        let date: Since = "2026-11-01".parse().unwrap();
        // Midnight in Seoul is 15:00 UTC the day before.
        assert_eq!(timestamp(date.start(0)), "2026-11-01T00:00:00+09:00");
        for bad in ["", "30", "d", "0d", "30x", "-3d", "99999999d", "2026-13-01"] {
            assert!(bad.parse::<Since>().is_err(), "{bad}");
        }
    }

    #[test]
    fn days_are_korean_days() {
        // 2026-11-22T15:30Z is already the 23rd in Seoul.
        let ms = OffsetDateTime::parse("2026-11-22T15:30:00Z", &time::format_description::well_known::Rfc3339).unwrap().unix_timestamp() * 1000;
        assert_eq!(day_of(ms), "2026-11-23");
    }
}
