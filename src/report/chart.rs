//! Charts for the HTML reports, drawn with plotters' SVG back end into inline `<svg>`, each
//! in a `<figure>` whose caption holds the title, the legend with a sample of every line
//! and marker, and the context events by number:
//!
//! - a metric's trend at one site: the value with its interval as a band, the rolling
//!   window where the metric has one, the baseline and the target as labelled reference
//!   lines, the rollout and the context events as numbered markers in a lane above the
//!   plot (staggered so that no two labels touch), the partial period as a hollow point,
//!   a missing value as a gap, never a zero;
//! - small multiples of a metric with `by`, one panel per value on one scale;
//! - the rollout-aligned view of the management review.
//!
//! One colour-blind-safe palette (Okabe and Ito) serves every chart, and every figure
//! has a text alternative giving its numbers.

use super::escape;
use super::words::Words;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const SIZE: (u32, u32) = (720, 280);
/// Okabe-Ito: blue, black, bluish green, reddish purple, orange, vermillion, sky blue, yellow.
const VALUE: RGBColor = RGBColor(0, 114, 178);
const BASELINE: RGBColor = RGBColor(0, 0, 0);
const TARGET: RGBColor = RGBColor(0, 158, 115);
const ROLLOUT: RGBColor = RGBColor(204, 121, 167);
const EVENT: RGBColor = RGBColor(230, 159, 0);
const WINDOW: RGBColor = RGBColor(213, 94, 0);
const SITES: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];
const FONT: &str = "sans-serif";
/// The height of one row of the marker lane above the plot.
const LANE_ROW: u32 = 18;
/// The width left of the plot for the axis numbers and the unit.
const Y_AREA: u32 = 72;

/// One period on a trend chart.
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    /// The value's interval, where it has one.
    pub interval: Option<(f64, f64)>,
    /// The trailing window's value per period, where the metric has a window.
    pub window: Option<f64>,
    pub partial: bool,
}

/// What a trend chart shows besides the values.
pub struct Trend<'a> {
    pub title: &'a str,
    pub points: &'a [Point],
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// Index of the period holding the site's rollout.
    pub rollout: Option<usize>,
    /// (index of the period, what happened) of context events.
    pub events: &'a [(usize, String)],
    /// The unit the axis reads in; `%` for shares, drawn in per cent.
    pub unit: &'a str,
    /// The periods of the rolling line (the points' `window`).
    pub window: Option<u32>,
}

/// A chart ready for a page: the `<svg>` and the caption's HTML.
pub struct Figure {
    pub svg: String,
    pub caption: String,
}

/// The trend chart, or `None` when there is no value to draw.
pub fn trend(t: &Trend, w: &Words) -> Option<Figure> {
    if t.points.iter().all(|p| p.value.is_none()) {
        return None;
    }
    let bands = t.points.iter().filter_map(|p| p.interval).flat_map(|(l, u)| [l, u]);
    let values: Vec<f64> = (t.points.iter().filter_map(|p| p.value))
        .chain(t.points.iter().filter_map(|p| p.window))
        .chain(bands)
        .chain(t.baseline)
        .chain(t.target)
        .collect();
    let (low, high) = span(&values);
    // The lane above the plot: the rollout, then the events, each in the first row where
    // it touches nothing already placed.
    let mut marks: Vec<(usize, String, RGBColor)> = Vec::new();
    if let Some(r) = t.rollout {
        marks.push((r, w.say("chart.rollout", &[]), ROLLOUT));
    }
    marks.extend(t.events.iter().enumerate().map(|(k, (i, _))| (*i, (k + 1).to_string(), EVENT)));
    let mut svg = String::new();
    draw_trend(t, low, high, &marks, w, &mut svg).ok()?;
    let say = |key: &str| w.say(key, &[]);
    let mut key = vec![Key::Line(VALUE, say("chart.value"))];
    if t.points.iter().any(|p| p.interval.is_some()) {
        key.push(Key::Band(VALUE, say("chart.interval")));
    }
    if t.points.iter().any(|p| p.window.is_some()) {
        let n = t.window.unwrap_or_default().to_string();
        key.push(Key::Line(WINDOW, w.say("chart.window", &[("n", &n)])));
    }
    if t.baseline.is_some() {
        key.push(Key::Dashed(BASELINE, say("chart.baseline")));
    }
    if t.target.is_some() {
        key.push(Key::Dotted(TARGET, say("chart.target")));
    }
    if t.rollout.is_some() {
        key.push(Key::Line(ROLLOUT, say("chart.rollout")));
    }
    if !t.events.is_empty() {
        key.push(Key::Dashed(EVENT, say("chart.events")));
    }
    if t.points.iter().any(|p| p.partial && p.value.is_some()) {
        key.push(Key::Hollow(VALUE, say("chart.partial")));
    }
    let mut alt = format!("{}: {}", t.title, told(t.points, t.unit, w));
    let rolling: Vec<String> =
        t.points.iter().filter_map(|p| Some(format!("{} {}", p.label, axis(p.window?, t.unit, w)))).collect();
    if !rolling.is_empty() {
        let n = t.window.unwrap_or_default().to_string();
        alt += &format!("; {}: {}", w.say("chart.window", &[("n", &n)]), rolling.join(", "));
    }
    if let Some(b) = t.baseline {
        alt += &format!("; {} {}", say("chart.baseline"), axis(b, t.unit, w));
    }
    if let Some(target) = t.target {
        alt += &format!("; {} {}", say("chart.target"), axis(target, t.unit, w));
    }
    let events: Vec<String> =
        t.events.iter().map(|(i, what)| format!("{} ({})", escape(what), escape(&t.points[*i].label))).collect();
    Some(Figure { svg: labelled(&tidy(svg), &alt), caption: caption(t.title, &key, &events) })
}

fn draw_trend<'a>(
    t: &Trend,
    low: f64,
    high: f64,
    marks: &[(usize, String, RGBColor)],
    w: &Words,
    svg: &'a mut String,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let n = t.points.len();
    // Where each period sits across, before the lane is laid out: the plot's own frame.
    let (left, right) = (12 + Y_AREA as i32, SIZE.0 as i32 - 96);
    let across = |i: f64| left as f64 + (i + 0.5) / n as f64 * (right - left) as f64;
    let placed = lane(
        marks
            .iter()
            .map(|(i, text, color)| (across(*i as f64 - 0.5 * f64::from(u8::from(*color == ROLLOUT))), text.as_str())),
    );
    let rows = placed.iter().map(|p| p.1 + 1).max().unwrap_or(0) as u32;
    // The lane's rows add to the chart's height: the plot keeps its own however crowded.
    let root = SVGBackend::with_string(svg, (SIZE.0, SIZE.1 + rows * LANE_ROW)).into_drawing_area();
    root.fill(&WHITE)?;
    let (_, plot) = root.split_vertically(rows * LANE_ROW + 8);
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(12)
        .margin_right(SIZE.0 - right as u32)
        .margin_bottom(4)
        .x_label_area_size(24)
        .y_label_area_size(Y_AREA)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), low..high)?;
    let labels: Vec<String> = t.points.iter().map(|p| p.label.clone()).collect();
    let every = n.div_ceil(8).max(1);
    let unit = t.unit;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(12))
        .x_label_formatter(&|x| label_at(&labels, *x, every))
        .y_labels(6)
        .y_label_formatter(&|y| axis(*y, unit, w))
        .y_desc(if unit == "%" { "" } else { unit })
        .max_light_lines(0)
        .bold_line_style(RGBColor(232, 232, 232))
        .label_style((FONT, 11))
        .axis_desc_style((FONT, 11))
        .draw()?;
    let x = |i: usize| i as f64;
    for outline in bands(t.points) {
        chart.draw_series([Polygon::new(outline, VALUE.mix(0.16).filled())])?;
    }
    let (first, last) = (-0.5, n as f64 - 0.5);
    let (baseline, target) = (w.say("chart.baseline", &[]), w.say("chart.target", &[]));
    let references = [(t.baseline, BASELINE, baseline, 6, 4), (t.target, TARGET, target, 2, 3)];
    for &(value, color, _, dash, gap) in &references {
        if let Some(v) = value {
            let style = color.stroke_width(if color == TARGET { 2 } else { 1 });
            chart.draw_series(DashedLineSeries::new([(first, v), (last, v)], dash, gap, style))?;
        }
    }
    if let Some(r) = t.rollout {
        let at = x(r) - 0.5;
        chart.draw_series(LineSeries::new([(at, low), (at, high)], ROLLOUT.stroke_width(2)))?;
    }
    for (i, _) in t.events {
        chart.draw_series(DashedLineSeries::new([(x(*i), low), (x(*i), high)], 3, 3, EVENT.stroke_width(1)))?;
    }
    for run in runs(t.points, |p| p.window.is_some()) {
        let line = run.iter().map(|&i| (x(i), t.points[i].window.unwrap_or_default()));
        chart.draw_series(LineSeries::new(line, WINDOW.stroke_width(2)))?;
    }
    // Runs of consecutive values: a missing value is a gap, not a zero.
    for run in runs(t.points, |p| p.value.is_some()) {
        let line = run.iter().map(|&i| (x(i), t.points[i].value.unwrap_or_default()));
        chart.draw_series(LineSeries::new(line, VALUE.stroke_width(2)))?;
    }
    let whole = t.points.iter().enumerate().filter(|(_, p)| !p.partial);
    chart.draw_series(whole.filter_map(|(i, p)| Some(Circle::new((x(i), p.value?), 3, VALUE.filled()))))?;
    let partial = t.points.iter().enumerate().filter(|(_, p)| p.partial);
    chart.draw_series(partial.filter_map(|(i, p)| Some(Circle::new((x(i), p.value?), 4, WHITE.filled()))))?;
    let partial = t.points.iter().enumerate().filter(|(_, p)| p.partial);
    chart.draw_series(partial.filter_map(|(i, p)| Some(Circle::new((x(i), p.value?), 4, VALUE.stroke_width(2)))))?;
    // The reference lines' labels right of the plot, moved apart where they would touch.
    let tags: Vec<(i32, String, RGBColor)> = references
        .iter()
        .filter_map(|(v, color, name, _, _)| {
            Some((chart.backend_coord(&(last, (*v)?)).1, format!("{name} {}", axis((*v)?, unit, w)), *color))
        })
        .collect();
    draw_labels(&root, tags, right, &placed, marks)?;
    root.present()?;
    Ok(())
}

/// The outlines of the interval's band, run by run (a period without one is a gap); a
/// period alone is a narrow bar.
fn bands(points: &[Point]) -> Vec<Vec<(f64, f64)>> {
    let at = |i: usize| points[i].interval.unwrap_or_default();
    (runs(points, |p| p.interval.is_some()).into_iter())
        .map(|run| match run.as_slice() {
            [i] => {
                let (x, (l, u)) = (*i as f64, at(*i));
                vec![(x - 0.08, l), (x + 0.08, l), (x + 0.08, u), (x - 0.08, u)]
            }
            _ => {
                let upper = run.iter().map(|&i| (i as f64, at(i).1));
                upper.chain(run.iter().rev().map(|&i| (i as f64, at(i).0))).collect()
            }
        })
        .collect()
}

/// The reference lines' labels right of the plot (`right`), moved apart where they would
/// touch, and the lane's marks, each on its row.
fn draw_labels<'a>(
    root: &DrawingArea<SVGBackend<'a>, Shift>,
    mut tags: Vec<(i32, String, RGBColor)>,
    right: i32,
    placed: &[(f64, usize, &str)],
    marks: &[(usize, String, RGBColor)],
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    tags.sort_by_key(|t| t.0);
    if let [a, b] = tags.as_mut_slice()
        && b.0 - a.0 < 14
    {
        let middle = (a.0 + b.0) / 2;
        (a.0, b.0) = (middle - 7, middle + 7);
    }
    for (y, text, color) in tags {
        let style = (FONT, 11).into_font().color(&color).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(text, (right + 6, y), style))?;
    }
    let color_of = |text: &str| marks.iter().find(|m| m.1 == text).map_or(EVENT, |m| m.2);
    // The rollout is a word; events are numbered in rings.
    for &(x, row, text) in placed {
        let y = (row as u32 * LANE_ROW + LANE_ROW / 2 + 2) as i32;
        let color = color_of(text);
        let style = (FONT, 11).into_font().color(&color).pos(Pos::new(HPos::Center, VPos::Center));
        if color != ROLLOUT {
            root.draw(&Circle::new((x as i32, y), 7, color.stroke_width(1)))?;
        }
        root.draw(&Text::new(text.to_string(), (x as i32, y), style))?;
    }
    Ok(())
}

/// The rows of the marker lane: each mark at its place across, in the first row where it
/// keeps clear of the marks already there (a number needs 18 pixels, a word its letters).
fn lane<'m>(marks: impl Iterator<Item = (f64, &'m str)>) -> Vec<(f64, usize, &'m str)> {
    let width = |text: &str| {
        let letters = text.chars().count();
        if letters <= 2 { 18.0 } else { letters as f64 * 6.5 + 6.0 }
    };
    let mut taken: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut out = Vec::new();
    for (x, text) in marks {
        let (from, to) = (x - width(text) / 2.0, x + width(text) / 2.0);
        let row = taken.iter().position(|row| row.iter().all(|(a, b)| to <= *a || *b <= from));
        let row = row.unwrap_or_else(|| {
            taken.push(Vec::new());
            taken.len() - 1
        });
        taken[row].push((from, to));
        out.push((x, row, text));
    }
    out
}

/// One panel of small multiples: a dimension value and its periods.
pub struct Panel {
    pub label: String,
    pub points: Vec<Point>,
}

/// A metric with `by`: a small chart per value, three to a row, on one scale.
pub fn multiples(title: &str, panels: &[Panel], unit: &str, w: &Words) -> Option<Figure> {
    let values: Vec<f64> = panels.iter().flat_map(|p| p.points.iter().filter_map(|p| p.value)).collect();
    if values.is_empty() {
        return None;
    }
    let (low, high) = span(&values);
    let columns = panels.len().clamp(1, 3);
    let rows = panels.len().div_ceil(columns);
    let size = (SIZE.0, rows as u32 * 150);
    let mut svg = String::new();
    draw_multiples(panels, (rows, columns), size, (low, high), (unit, w), &mut svg).ok()?;
    let alt: Vec<String> = panels.iter().map(|p| format!("{}: {}", p.label, told(&p.points, unit, w))).collect();
    let key = [Key::Line(VALUE, w.say("chart.value", &[])), Key::Hollow(VALUE, w.say("chart.partial", &[]))];
    let title = w.say("chart.panels", &[("title", title)]);
    Some(Figure {
        svg: labelled(&tidy(svg), &format!("{title}. {}", alt.join("; "))),
        caption: caption(&title, &key, &[]),
    })
}

fn draw_multiples<'a>(
    panels: &[Panel],
    (rows, columns): (usize, usize),
    size: (u32, u32),
    (low, high): (f64, f64),
    (unit, w): (&str, &Words),
    svg: &'a mut String,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    root.fill(&WHITE)?;
    for (panel, area) in panels.iter().zip(root.split_evenly((rows, columns))) {
        small(panel, &area, (low, high), (unit, w), SIZE.0 as usize / columns)?;
    }
    root.present()?;
    Ok(())
}

fn small<'a>(
    panel: &Panel,
    area: &DrawingArea<SVGBackend<'a>, Shift>,
    (low, high): (f64, f64),
    (unit, w): (&str, &Words),
    width: usize,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let n = panel.points.len();
    // The panel's title, cut to what its width holds.
    let room = width / 7;
    let label: String = if panel.label.chars().count() > room {
        panel.label.chars().take(room.saturating_sub(1)).chain(['…']).collect()
    } else {
        panel.label.clone()
    };
    let mut chart = ChartBuilder::on(area)
        .margin(6)
        .caption(label, (FONT, 11))
        .x_label_area_size(16)
        .y_label_area_size(44)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5).max(0.5), low..high)?;
    let labels: Vec<String> = panel.points.iter().map(|p| p.label.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(2)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() > 0.01 || i < 0.0 || (i as usize != 0 && i as usize != n - 1) {
                return String::new();
            }
            labels.get(i as usize).cloned().unwrap_or_default()
        })
        .y_labels(3)
        .y_label_formatter(&|y| axis(*y, unit, w))
        .max_light_lines(0)
        .bold_line_style(RGBColor(232, 232, 232))
        .label_style((FONT, 9))
        .draw()?;
    for run in runs(&panel.points, |p| p.value.is_some()) {
        let line = run.iter().map(|&i| (i as f64, panel.points[i].value.unwrap_or_default()));
        chart.draw_series(LineSeries::new(line, VALUE.stroke_width(2)))?;
    }
    let partial = panel.points.iter().enumerate().filter(|(_, p)| p.partial);
    chart
        .draw_series(partial.filter_map(|(i, p)| Some(Circle::new((i as f64, p.value?), 3, VALUE.stroke_width(2)))))?;
    Ok(())
}

/// One site's values by quarters since its own rollout (0 is the rollout's quarter).
pub struct Aligned {
    pub site: String,
    pub points: Vec<(i64, f64)>,
}

/// Every site's line against quarters since its rollout, the rollout at 0; a share's
/// axis (`%`) in per cent.
pub fn aligned(title: &str, lines: &[Aligned], unit: &str, w: &Words) -> Option<Figure> {
    let all: Vec<(i64, f64)> = lines.iter().flat_map(|l| l.points.iter().copied()).collect();
    let (first, last) = (all.iter().map(|p| p.0).min()?, all.iter().map(|p| p.0).max()?);
    let (low, high) = span(&all.iter().map(|p| p.1).collect::<Vec<_>>());
    let mut svg = String::new();
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d((first as f64 - 0.5)..(last as f64 + 0.5), low..high)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(w.say("chart.quarters_since", &[]))
            .x_label_formatter(&|x| format!("{:+}", x.round() as i64))
            .y_label_formatter(&|y| axis(*y, unit, w))
            .max_light_lines(0)
            .bold_line_style(RGBColor(232, 232, 232))
            .label_style((FONT, 11))
            .draw()?;
        chart.draw_series(LineSeries::new([(0.0, low), (0.0, high)], ROLLOUT.stroke_width(2)))?;
        for (i, line) in lines.iter().enumerate() {
            let color = SITES[i % SITES.len()];
            // Consecutive quarters only: a missing quarter is a gap.
            let mut run: Vec<(f64, f64)> = Vec::new();
            for (k, (q, v)) in line.points.iter().enumerate() {
                if k > 0 && line.points[k - 1].0 + 1 != *q {
                    chart.draw_series(LineSeries::new(std::mem::take(&mut run), color.stroke_width(2)))?;
                }
                run.push((*q as f64, *v));
            }
            chart.draw_series(LineSeries::new(run, color.stroke_width(2)))?;
        }
        root.present()?;
        Ok(())
    })();
    drawn.ok()?;
    let mut key: Vec<Key> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        key.push(Key::Site(SITES[i % SITES.len()], line.site.clone()));
    }
    key.push(Key::Line(ROLLOUT, w.say("chart.rollout", &[])));
    let alt: Vec<String> = lines
        .iter()
        .map(|l| {
            let numbers: Vec<String> = l.points.iter().map(|(q, v)| format!("{q:+} {}", axis(*v, unit, w))).collect();
            format!("{}: {}", l.site, numbers.join(", "))
        })
        .collect();
    Some(Figure {
        svg: labelled(&tidy(svg), &format!("{title}. {}", alt.join("; "))),
        caption: caption(title, &key, &[]),
    })
}

/// One entry of a legend: the sample drawn as the chart draws it, and its words.
enum Key {
    Line(RGBColor, String),
    Site(RGBColor, String),
    Dashed(RGBColor, String),
    Dotted(RGBColor, String),
    Band(RGBColor, String),
    Hollow(RGBColor, String),
}

/// The caption: the title, the legend with its samples, the numbered events.
fn caption(title: &str, key: &[Key], events: &[String]) -> String {
    let hex = |c: &RGBColor| format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2);
    let sample = |inner: String| format!("<svg width=\"22\" height=\"10\" aria-hidden=\"true\">{inner}</svg>");
    let line = |c: &RGBColor, dash: &str| {
        sample(format!("<line x1=\"1\" y1=\"5\" x2=\"21\" y2=\"5\" stroke=\"{}\" stroke-width=\"2\"{dash}/>", hex(c)))
    };
    let items: Vec<String> = key
        .iter()
        .map(|k| {
            let (drawn, words) = match k {
                Key::Line(c, w) => (line(c, ""), w.to_string()),
                Key::Site(c, w) => (line(c, ""), escape(w)),
                Key::Dashed(c, w) => (line(c, " stroke-dasharray=\"6 4\""), w.to_string()),
                Key::Dotted(c, w) => (line(c, " stroke-dasharray=\"2 3\""), w.to_string()),
                Key::Band(c, w) => (
                    sample(format!(
                        "<rect x=\"1\" y=\"1\" width=\"20\" height=\"8\" fill=\"{}\" fill-opacity=\"0.16\"/>",
                        hex(c)
                    )),
                    w.to_string(),
                ),
                Key::Hollow(c, w) => (
                    sample(format!(
                        "<circle cx=\"11\" cy=\"5\" r=\"3.5\" fill=\"white\" stroke=\"{}\" stroke-width=\"2\"/>",
                        hex(c)
                    )),
                    w.to_string(),
                ),
            };
            format!("<span class=\"key\">{drawn} {words}</span>")
        })
        .collect();
    let events = if events.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = events.iter().map(|e| format!("<li>{e}</li>")).collect();
        format!("\n<ol class=\"events\">{}</ol>", list.join(""))
    };
    format!("<strong>{}</strong> {}{events}", escape(title), items.join(" "))
}

/// The periods and their values in words, for a text alternative: `2025-Q1 1.2, 2025-Q2
/// no value`.
fn told(points: &[Point], unit: &str, w: &Words) -> String {
    let none = w.say("chart.no_value", &[]);
    let each = points.iter().map(|p| format!("{} {}", p.label, p.value.map_or(none.clone(), |v| axis(v, unit, w))));
    each.collect::<Vec<_>>().join(", ")
}

/// The SVG as an image with a text alternative: its numbers.
fn labelled(svg: &str, alt: &str) -> String {
    svg.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{}\" ", escape(alt)), 1)
}

/// The range of the y axis: the finite values with a margin, and zero when close.
fn span(values: &[f64]) -> (f64, f64) {
    let finite = values.iter().filter(|v| v.is_finite());
    let (mut low, mut high) = finite.fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
    if low > high {
        return (0.0, 1.0);
    }
    if low > 0.0 && low < high * 0.5 {
        low = 0.0;
    }
    let pad = ((high - low) * 0.12).max(high.abs() * 0.05).max(1e-9);
    if low != 0.0 {
        low -= pad;
    }
    high += pad;
    (low, high)
}

/// The indices of each run of consecutive periods that have what `has` asks for.
fn runs(points: &[Point], has: impl Fn(&Point) -> bool) -> Vec<Vec<usize>> {
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut current = Vec::new();
    for (i, p) in points.iter().enumerate() {
        if has(p) {
            current.push(i);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

fn label_at(labels: &[String], x: f64, every: usize) -> String {
    let i = x.round();
    if (x - i).abs() > 0.01 || i < 0.0 || !(i as usize).is_multiple_of(every) {
        return String::new();
    }
    labels.get(i as usize).cloned().unwrap_or_default()
}

/// An axis number in the chart's unit: short, without trailing zeros; a share in per cent.
fn axis(v: f64, unit: &str, w: &Words) -> String {
    let v = if unit == "%" { v * 100.0 } else { v };
    let s = if v.abs() >= 1000.0 {
        w.locale.decimals(v, 0)
    } else {
        let s = w.locale.decimals(v, 2);
        let s = s.trim_end_matches('0');
        s.strip_suffix(w.locale.decimal).unwrap_or(s).to_string()
    };
    if unit == "%" { w.say("percent", &[("n", &s)]) } else { s }
}

/// The SVG without its XML declaration and blank lines, to sit inside an HTML block.
fn tidy(svg: String) -> String {
    svg.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("<?xml")).collect::<Vec<_>>().join("\n")
}
