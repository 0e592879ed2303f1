//! The report page's chart, drawn on the server as SVG: it needs no script
//! and no chart library, prints, and reads the same in every browser.

use std::fmt::Write as _;

use crate::analytics::kpi::Day;
use crate::search::escape;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 44.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;

/// Daily searches as bars (left axis) and the zero-result and self-service
/// rates as lines (right axis, 0–100 %). Days without searches leave the
/// rate lines broken rather than drawn at zero.
pub fn daily_chart(days: &[Day]) -> String {
    let mut svg = String::new();
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let max = days.iter().map(|d| d.kpis.searches).max().unwrap_or(0).max(1) as f64;
    let n = days.len().max(1) as f64;
    let step = plot_w / n;
    let x = |i: usize| LEFT + step * (i as f64 + 0.5);
    let y_count = |v: f64| TOP + plot_h * (1.0 - v / max);
    let y_rate = |r: f64| TOP + plot_h * (1.0 - r);
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">일별 검색 수, 결과 없음 비율, 셀프서비스 비율</title><desc id="chart-desc">{}일 동안, 하루 최대 검색 {}회</desc>"#,
        days.len(),
        max as usize
    );
    // Grid and axes: 0, 50 and 100 % on the right, counts on the left.
    for (fraction, label) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
        let y = y_rate(fraction);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#eaeef2"/><text x="{}" y="{:.1}" font-size="11" fill="#57606a">{label}</text><text x="{}" y="{:.1}" font-size="11" fill="#57606a" text-anchor="end">{}</text>"##,
            WIDTH - RIGHT,
            WIDTH - RIGHT + 4.0,
            y + 4.0,
            LEFT - 4.0,
            y + 4.0,
            (max * fraction).round() as u64
        );
    }
    for (i, day) in days.iter().enumerate() {
        let count = day.kpis.searches as f64;
        let top = y_count(count);
        let _ = write!(
            svg,
            r##"<rect class="bar" x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="#c8cbf5"><title>{} 검색 {}회</title></rect>"##,
            x(i) - step * 0.35,
            step * 0.7,
            TOP + plot_h - top,
            escape(&day.date),
            day.kpis.searches
        );
    }
    for (color, class, rate) in [
        ("#cf222e", "zero-result", (|d: &Day| d.kpis.zero_result_rate) as fn(&Day) -> Option<f64>),
        ("#1a7f37", "self-service", |d: &Day| d.kpis.self_service_rate),
    ] {
        let mut path = String::new();
        let mut dots = String::new();
        let mut pen_down = false;
        for (i, day) in days.iter().enumerate() {
            match rate(day) {
                Some(r) => {
                    let _ = write!(path, "{}{:.1},{:.1} ", if pen_down { "L" } else { "M" }, x(i), y_rate(r));
                    // A dot per day, so a day standing alone still shows.
                    let _ = write!(dots, r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"><title>{} {:.1}%</title></circle>"#, x(i), y_rate(r), escape(&day.date), r * 100.0);
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        svg.push_str(&dots);
        if !path.is_empty() {
            let _ = write!(svg, r#"<path class="{class}" d="{}" fill="none" stroke="{color}" stroke-width="2"/>"#, path.trim_end());
        }
    }
    // A date under the first, middle and last day.
    let mut labelled = vec![0, days.len() / 2, days.len().saturating_sub(1)];
    labelled.dedup();
    for i in labelled.into_iter().filter(|&i| i < days.len()) {
        let label = days[i].date.get(5..).unwrap_or(&days[i].date);
        let _ = write!(svg, r##"<text x="{:.1}" y="{}" font-size="11" fill="#57606a" text-anchor="middle">{}</text>"##, x(i), HEIGHT - 12.0, escape(label));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::kpi::Kpis;

    fn day(date: &str, searches: usize, zero: Option<f64>) -> Day {
        Day { date: date.into(), kpis: Kpis { searches, zero_result_rate: zero, self_service_rate: zero.map(|z| 1.0 - z), ..Kpis::default() } }
    }

    #[test]
    fn one_bar_per_day_and_rate_lines_broken_on_empty_days() {
        let svg = daily_chart(&[day("2026-11-21", 10, Some(0.1)), day("2026-11-22", 0, None), day("2026-11-23", 5, Some(0.2))]);
        assert_eq!(svg.matches("class=\"bar\"").count(), 3);
        let zero = svg.split("class=\"zero-result\" d=\"").nth(1).unwrap();
        assert_eq!(zero.split('"').next().unwrap().matches('M').count(), 2, "{svg}");
        assert!(svg.contains("11-23") && svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
