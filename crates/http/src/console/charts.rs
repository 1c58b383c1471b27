//! Charts for the console, rendered on the server as inline SVG: lines for time series,
//! horizontal bars for comparisons, funnel bars, a cohort heat map and a heat table of
//! counts (activity per market and hour of day).
//!
//! They need no script and no inline style (the console's CSP allows neither): shapes carry
//! classes that `console.css` colours for light and dark, and presentation attributes
//! (`fill-opacity`) where a value sets the look. Every mark has a `<title>`, which browsers
//! show on hover and screen readers read; each chart also names itself with `aria-label`.
//! The numbers stay readable without the picture: the pages print them in a table and offer
//! the CSV beside each chart.

use super::html::esc;
use std::fmt::Write as _;

/// Width of the drawing area in SVG units; the `<svg>` scales to its container.
const WIDTH: f64 = 640.0;
/// Room for the value labels left of a plot.
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
/// Room for the x labels under a plot.
const BOTTOM: f64 = 28.0;
/// Height of one bar or heat-map row.
const ROW: f64 = 26.0;
/// Width of the labels left of bars and heat-map rows.
const LABEL: f64 = 150.0;

/// One line of a line chart: a value per x label (`None`: no value there, the line breaks).
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A number for an SVG coordinate: one decimal, never NaN or infinite.
fn n(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.1}")
    } else {
        "0".into()
    }
}

/// A round number at or above `max` (1, 2 or 5 times a power of ten) for the top of an axis.
fn nice_max(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|step| step * power)
        .find(|top| *top >= max)
        .unwrap_or(10.0 * power)
}

fn open(title: &str, height: f64, out: &mut String) {
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\" \
         preserveAspectRatio=\"xMinYMin meet\"><title>{t}</title>",
        w = n(WIDTH),
        h = n(height),
        t = esc(title),
    );
}

/// A chart with nothing to show says so, at the chart's size.
fn empty(title: &str, note: &str) -> String {
    let mut out = String::new();
    open(title, 60.0, &mut out);
    let _ = write!(
        out,
        "<text class=\"empty\" x=\"{x}\" y=\"34\" text-anchor=\"middle\">{note}</text></svg>",
        x = n(WIDTH / 2.0),
        note = esc(note),
    );
    out
}

/// A line chart of `series` over `labels` (dates, weeks...). `format` writes the values on
/// the axis and in the tooltips; `none` is the note for a chart without data.
pub fn lines(
    title: &str,
    labels: &[String],
    series: &[Series],
    format: &dyn Fn(f64) -> String,
    none: &str,
) -> String {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if labels.is_empty() || !max.is_finite() {
        return empty(title, none);
    }
    let top = nice_max(max);
    let height = 220.0;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = height - TOP - BOTTOM;
    let x = |i: usize| {
        if labels.len() == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (labels.len() - 1) as f64
        }
    };
    let y = |v: f64| TOP + plot_h - plot_h * (v / top).clamp(0.0, 1.0);
    let mut out = String::new();
    open(
        title,
        height + 18.0 * series.len().div_ceil(3) as f64,
        &mut out,
    );
    // Grid: zero, half and the top, with their values.
    for fraction in [0.0, 0.5, 1.0] {
        let value = top * fraction;
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{l}\" x2=\"{r}\" y1=\"{y}\" y2=\"{y}\"/>\
             <text class=\"axis\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{v}</text>",
            l = n(LEFT),
            r = n(WIDTH - RIGHT),
            y = n(y(value)),
            tx = n(LEFT - 6.0),
            ty = n(y(value) + 4.0),
            v = esc(&format(value)),
        );
    }
    // X labels: the first, the middle and the last, so they never overlap.
    let mut shown = vec![0, labels.len() / 2, labels.len() - 1];
    shown.dedup();
    for i in shown {
        let anchor = match i {
            0 if labels.len() > 1 => "start",
            i if i == labels.len() - 1 && labels.len() > 1 => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\">{label}</text>",
            x = n(x(i)),
            y = n(height - 8.0),
            label = esc(&labels[i]),
        );
    }
    for (index, s) in series.iter().enumerate() {
        let class = format!("s{}", index % 4);
        // A run of points with values is one polyline; a gap starts the next.
        let mut run: Vec<String> = Vec::new();
        let flush = |run: &mut Vec<String>, out: &mut String| {
            if run.len() > 1 {
                let _ = write!(
                    out,
                    "<polyline class=\"{class}\" points=\"{}\"/>",
                    run.join(" ")
                );
            }
            run.clear();
        };
        for (i, value) in s.values.iter().take(labels.len()).enumerate() {
            match value.filter(|v| v.is_finite()) {
                Some(v) => {
                    run.push(format!("{},{}", n(x(i)), n(y(v))));
                    let _ = write!(
                        out,
                        "<circle class=\"{class}\" cx=\"{cx}\" cy=\"{cy}\" r=\"3\">\
                         <title>{name} · {label}: {value}</title></circle>",
                        cx = n(x(i)),
                        cy = n(y(v)),
                        name = esc(&s.name),
                        label = esc(&labels[i]),
                        value = esc(&format(v)),
                    );
                }
                None => flush(&mut run, &mut out),
            }
        }
        flush(&mut run, &mut out);
        // Legend under the plot, three to a row.
        let _ = write!(
            out,
            "<rect class=\"{class}\" x=\"{x}\" y=\"{y}\" width=\"10\" height=\"10\"/>\
             <text class=\"legend\" x=\"{tx}\" y=\"{ty}\">{name}</text>",
            x = n(LEFT + (index % 3) as f64 * 190.0),
            y = n(height + 4.0 + (index / 3) as f64 * 18.0),
            tx = n(LEFT + 14.0 + (index % 3) as f64 * 190.0),
            ty = n(height + 13.0 + (index / 3) as f64 * 18.0),
            name = esc(&s.name),
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one per `(label, value)`, longest for the largest value.
pub fn bars(
    title: &str,
    items: &[(String, f64)],
    format: &dyn Fn(f64) -> String,
    none: &str,
) -> String {
    if items.is_empty() {
        return empty(title, none);
    }
    let max = items
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let plot_w = WIDTH - LABEL - 90.0;
    let height = TOP + ROW * items.len() as f64 + 4.0;
    let mut out = String::new();
    open(title, height, &mut out);
    for (i, (label, value)) in items.iter().enumerate() {
        let width = if max > 0.0 && value.is_finite() {
            plot_w * (value / max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let top = TOP + ROW * i as f64;
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect class=\"bar\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\">\
             <title>{label}: {text}</title></rect>\
             <text class=\"value\" x=\"{vx}\" y=\"{ty}\">{text}</text>",
            lx = n(LABEL - 8.0),
            ty = n(top + ROW / 2.0 + 4.0),
            x = n(LABEL),
            y = n(top + 4.0),
            w = n(width),
            h = n(ROW - 8.0),
            vx = n(LABEL + width + 6.0),
            label = esc(label),
            text = esc(&format(*value)),
        );
    }
    out.push_str("</svg>");
    out
}

/// Funnel bars: each step's count against the largest step (people may reach a later step
/// without an earlier one: a customer who starts the bot without joining a group), with
/// the conversion from the step before written beside the bar.
pub fn funnel(title: &str, steps: &[(String, u64)], none: &str) -> String {
    let largest = steps.iter().map(|(_, count)| *count).max().unwrap_or(0);
    if largest == 0 {
        return empty(title, none);
    }
    let plot_w = WIDTH - LABEL - 150.0;
    let height = TOP + ROW * steps.len() as f64 + 4.0;
    let mut out = String::new();
    open(title, height, &mut out);
    let mut previous: Option<u64> = None;
    for (i, (label, count)) in steps.iter().enumerate() {
        let note = match previous {
            Some(p) if p > 0 => format!("{count} · {}", percent(*count as f64 / p as f64)),
            _ => count.to_string(),
        };
        let top = TOP + ROW * i as f64;
        let width = plot_w * (*count as f64 / largest as f64).clamp(0.0, 1.0);
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect class=\"bar\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\">\
             <title>{label}: {note}</title></rect>\
             <text class=\"value\" x=\"{vx}\" y=\"{ty}\">{note}</text>",
            lx = n(LABEL - 8.0),
            ty = n(top + ROW / 2.0 + 4.0),
            x = n(LABEL),
            y = n(top + 4.0),
            w = n(width),
            h = n(ROW - 8.0),
            vx = n(LABEL + width + 6.0),
            label = esc(label),
            note = esc(&note),
        );
        previous = Some(*count);
    }
    out.push_str("</svg>");
    out
}

/// One row of a cohort heat map: its label, its size, and a share (0–1) per column
/// (`None`: not reached yet, left blank).
#[derive(Debug, Clone)]
pub struct HeatRow {
    pub label: String,
    pub size: u64,
    pub shares: Vec<Option<f64>>,
}

/// A cohort heat map: a row per cohort, a column per period since it started; each cell's
/// colour is as strong as its share, and the share is written in it.
pub fn heat_map(title: &str, columns: &[String], rows: &[HeatRow], none: &str) -> String {
    if rows.is_empty() || columns.is_empty() {
        return empty(title, none);
    }
    let size_w = 56.0;
    let cell_w = ((WIDTH - LABEL - size_w) / columns.len() as f64).max(1.0);
    let height = TOP + 18.0 + ROW * rows.len() as f64 + 4.0;
    let mut out = String::new();
    open(title, height, &mut out);
    for (c, column) in columns.iter().enumerate() {
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{x}\" y=\"{y}\" text-anchor=\"middle\">{column}</text>",
            x = n(LABEL + size_w + cell_w * (c as f64 + 0.5)),
            y = n(TOP + 8.0),
            column = esc(column),
        );
    }
    for (r, row) in rows.iter().enumerate() {
        let top = TOP + 18.0 + ROW * r as f64;
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <text class=\"value\" x=\"{sx}\" y=\"{ty}\" text-anchor=\"end\">{size}</text>",
            lx = n(LABEL - 8.0),
            sx = n(LABEL + size_w - 8.0),
            ty = n(top + ROW / 2.0 + 4.0),
            label = esc(&row.label),
            size = row.size,
        );
        for (c, share) in row.shares.iter().take(columns.len()).enumerate() {
            let Some(share) = share.filter(|s| s.is_finite()) else {
                continue;
            };
            let share = share.clamp(0.0, 1.0);
            let x = LABEL + size_w + cell_w * c as f64;
            let _ = write!(
                out,
                "<rect class=\"heat\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" \
                 fill-opacity=\"{o:.2}\"><title>{label} · {column}: {p}</title></rect>\
                 <text class=\"cell\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\">{p}</text>",
                x = n(x + 1.0),
                y = n(top + 1.0),
                w = n(cell_w - 2.0),
                h = n(ROW - 2.0),
                // A faint floor, so a 0 % cell still shows it was measured.
                o = 0.06 + 0.94 * share,
                tx = n(x + cell_w / 2.0),
                ty = n(top + ROW / 2.0 + 4.0),
                label = esc(&row.label),
                column = esc(&columns[c]),
                p = percent(share),
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A row of a count heat table: a label, its total, and a count per column.
#[derive(Debug, Clone)]
pub struct CountRow {
    pub label: String,
    pub total: i64,
    pub counts: Vec<i64>,
}

/// A heat table of counts: a row per label (its total beside it), a column each; each cell
/// is as strong as its count against the row's largest (so every row shows its own peak),
/// with the count written in it. Cells of 0 stay blank.
pub fn count_heat(title: &str, columns: &[String], rows: &[CountRow], none: &str) -> String {
    if rows.is_empty() || columns.is_empty() {
        return empty(title, none);
    }
    let total_w = 56.0;
    let cell_w = ((WIDTH - LABEL - total_w) / columns.len() as f64).max(1.0);
    let height = TOP + 18.0 + ROW * rows.len() as f64 + 4.0;
    let mut out = String::new();
    open(title, height, &mut out);
    for (c, column) in columns.iter().enumerate() {
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{x}\" y=\"{y}\" text-anchor=\"middle\">{column}</text>",
            x = n(LABEL + total_w + cell_w * (c as f64 + 0.5)),
            y = n(TOP + 8.0),
            column = esc(column),
        );
    }
    for (r, row) in rows.iter().enumerate() {
        let top = TOP + 18.0 + ROW * r as f64;
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <text class=\"value\" x=\"{sx}\" y=\"{ty}\" text-anchor=\"end\">{total}</text>",
            lx = n(LABEL - 8.0),
            sx = n(LABEL + total_w - 8.0),
            ty = n(top + ROW / 2.0 + 4.0),
            label = esc(&row.label),
            total = row.total,
        );
        let peak = row.counts.iter().copied().max().unwrap_or(0);
        for (c, count) in row.counts.iter().take(columns.len()).enumerate() {
            if *count <= 0 || peak <= 0 {
                continue;
            }
            let x = LABEL + total_w + cell_w * c as f64;
            let _ = write!(
                out,
                "<rect class=\"heat\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" \
                 fill-opacity=\"{o:.2}\"><title>{label} · {column}: {count}</title></rect>\
                 <text class=\"cell\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\">{count}</text>",
                x = n(x + 1.0),
                y = n(top + 1.0),
                w = n(cell_w - 2.0),
                h = n(ROW - 2.0),
                o = 0.06 + 0.94 * (*count as f64 / peak as f64),
                tx = n(x + cell_w / 2.0),
                ty = n(top + ROW / 2.0 + 4.0),
                label = esc(&row.label),
                column = esc(&columns[c]),
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A share as a whole percentage ("42 %"); one decimal below 10 %.
pub fn percent(share: f64) -> String {
    let p = if share.is_finite() {
        share * 100.0
    } else {
        0.0
    };
    if p != 0.0 && p.abs() < 10.0 {
        format!("{p:.1} %")
    } else {
        format!("{p:.0} %")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(v: f64) -> String {
        format!("{v:.0}")
    }

    fn well_formed(svg: &str) {
        assert!(svg.starts_with("<svg class=\"chart\""), "{svg}");
        assert!(svg.ends_with("</svg>"), "{svg}");
        for bad in ["NaN", "inf", "<script", "style="] {
            assert!(!svg.contains(bad), "{bad} in {svg}");
        }
        assert_eq!(
            svg.matches("<title>").count(),
            svg.matches("</title>").count()
        );
    }

    #[test]
    fn nice_maxima() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(-3.0), 1.0);
        assert_eq!(nice_max(f64::NAN), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(10.0), 10.0);
        assert_eq!(nice_max(11.0), 20.0);
        assert_eq!(nice_max(0.3), 0.5);
        assert_eq!(nice_max(4_200.0), 5_000.0);
    }

    #[test]
    fn lines_scale_to_the_largest_value_and_break_at_gaps() {
        let labels: Vec<String> = (1..=5).map(|d| format!("2026-11-0{d}")).collect();
        let series = [
            Series {
                name: "joins".into(),
                values: vec![Some(2.0), Some(4.0), None, Some(8.0), Some(1.0)],
            },
            Series {
                name: "leaves".into(),
                values: vec![Some(0.0); 5],
            },
        ];
        let svg = lines("Members", &labels, &series, &plain, "no data");
        well_formed(&svg);
        // Two runs for the first series (the gap splits it), one for the second.
        assert_eq!(svg.matches("<polyline class=\"s0\"").count(), 2);
        assert_eq!(svg.matches("<polyline class=\"s1\"").count(), 1);
        assert_eq!(svg.matches("<circle class=\"s0\"").count(), 4);
        // 8 is drawn at the top of a 0–10 axis; the axis says so.
        assert!(svg.contains(">10</text>"));
        assert!(svg.contains("<title>joins · 2026-11-04: 8</title>"));
        assert!(svg.contains("2026-11-01") && svg.contains("2026-11-05"));
    }

    #[test]
    fn one_point_and_all_zero_values_draw_without_dividing_by_zero() {
        let one = lines(
            "One day",
            &["2026-11-01".into()],
            &[Series {
                name: "orders".into(),
                values: vec![Some(0.0)],
            }],
            &plain,
            "no data",
        );
        well_formed(&one);
        assert!(one.contains("<circle"));
        let zeros = bars("Zero", &[("a".into(), 0.0), ("b".into(), 0.0)], &plain, "-");
        well_formed(&zeros);
        assert!(zeros.contains("width=\"0.0\""));
    }

    #[test]
    fn empty_charts_say_so() {
        for svg in [
            lines("L", &[], &[], &plain, "Nothing yet"),
            lines("L", &["d".into()], &[], &plain, "Nothing yet"),
            bars("B", &[], &plain, "Nothing yet"),
            funnel(
                "F",
                &[("joined".into(), 0), ("paid".into(), 0)],
                "Nothing yet",
            ),
            heat_map("H", &["W0".into()], &[], "Nothing yet"),
        ] {
            well_formed(&svg);
            assert!(svg.contains("Nothing yet"), "{svg}");
        }
    }

    #[test]
    fn text_is_escaped() {
        let svg = bars(
            "<b>&",
            &[("<script>alert(1)</script>".into(), 3.0)],
            &plain,
            "-",
        );
        well_formed(&svg);
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("aria-label=\"&lt;b&gt;&amp;\""));
    }

    #[test]
    fn funnel_writes_conversion_from_the_step_before() {
        let steps = [
            ("joined".to_string(), 0),
            ("started".to_string(), 200),
            ("viewed".to_string(), 100),
            ("paid".to_string(), 5),
            ("repeat".to_string(), 0),
        ];
        let svg = funnel("Funnel", &steps, "-");
        well_formed(&svg);
        // Nobody joined a group: the bars are measured against the largest step.
        assert!(svg.contains(">0</text>"));
        assert!(svg.contains(">200</text>"));
        assert!(svg.contains(">100 · 50 %</text>"));
        assert!(svg.contains(">5 · 5.0 %</text>"));
        assert!(svg.contains(">0 · 0 %</text>"));
        assert!(svg.contains(&format!("width=\"{}\"", n(WIDTH - LABEL - 150.0))));
    }

    #[test]
    fn heat_map_cells_are_as_strong_as_their_share() {
        let rows = [
            HeatRow {
                label: "2026-W40".into(),
                size: 120,
                shares: vec![Some(1.0), Some(0.5), None],
            },
            HeatRow {
                label: "2026-W41".into(),
                size: 0,
                shares: vec![Some(0.0), Some(f64::NAN), Some(3.0)],
            },
        ];
        let columns = ["W0".to_string(), "W1".into(), "W2".into()];
        let svg = heat_map("Cohorts", &columns, &rows, "-");
        well_formed(&svg);
        assert!(svg.contains("fill-opacity=\"1.00\""));
        assert!(svg.contains("fill-opacity=\"0.53\""));
        // A blank for the unreached week and the unreadable share; a share above 1 is 100 %.
        assert_eq!(svg.matches("<rect class=\"heat\"").count(), 4);
        assert!(svg.contains("<title>2026-W41 · W2: 100 %</title>"));
        assert!(svg.contains(">120</text>"));
    }

    #[test]
    fn count_heat_cells_are_as_strong_as_their_count_against_the_row_peak() {
        let rows = [
            CountRow {
                label: "TH".into(),
                total: 6,
                counts: vec![4, 2, 0],
            },
            CountRow {
                label: "unknown".into(),
                total: 0,
                counts: vec![0, 0, 0],
            },
        ];
        let columns = ["0".to_string(), "1".into(), "2".into()];
        let svg = count_heat("Hours", &columns, &rows, "-");
        well_formed(&svg);
        assert!(svg.contains("fill-opacity=\"1.00\""));
        assert!(svg.contains("fill-opacity=\"0.53\""));
        assert_eq!(svg.matches("<rect class=\"heat\"").count(), 2);
        assert!(svg.contains("<title>TH · 1: 2</title>"));
        assert!(count_heat("Hours", &columns, &[], "nothing").contains(">nothing</text>"));
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(0.05), "5.0 %");
        assert_eq!(percent(0.123), "12 %");
        assert_eq!(percent(1.0), "100 %");
        assert_eq!(percent(f64::NAN), "0 %");
    }
}
