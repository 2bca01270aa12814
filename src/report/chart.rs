//! Charts for the HTML reports, drawn with plotters' SVG back end into inline `<svg>`:
//! a metric's trend at one site (the baseline and the target as reference lines, the
//! rollout and context events as marked verticals, the partial period marked, missing
//! values as gaps, never zeros), and the rollout-aligned view of the management review.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const SIZE: (u32, u32) = (720, 260);
const VALUE: RGBColor = RGBColor(31, 86, 160);
const BASELINE: RGBColor = RGBColor(120, 120, 120);
const TARGET: RGBColor = RGBColor(27, 127, 68);
const ROLLOUT: RGBColor = RGBColor(150, 60, 160);
const EVENT: RGBColor = RGBColor(200, 110, 20);
const SITES: [RGBColor; 6] = [
    RGBColor(31, 86, 160),
    RGBColor(200, 80, 40),
    RGBColor(27, 127, 68),
    RGBColor(150, 60, 160),
    RGBColor(120, 120, 120),
    RGBColor(190, 150, 20),
];

/// One period on a trend chart.
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
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
    /// The values are shares (unit `%`): the axis reads in per cent.
    pub percent: bool,
}

/// The trend chart as an SVG document, or `None` when there is nothing to draw.
pub fn trend(t: &Trend) -> Option<String> {
    let values: Vec<f64> = t.points.iter().filter_map(|p| p.value).chain(t.baseline).chain(t.target).collect();
    if values.is_empty() {
        return None;
    }
    let (low, high) = span(&values);
    let mut svg = String::new();
    draw_trend(t, low, high, &mut svg).ok()?;
    Some(tidy(svg))
}

fn draw_trend<'a>(t: &Trend, low: f64, high: f64, svg: &'a mut String) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let n = t.points.len();
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .margin_right(110)
        .caption(t.title, ("sans-serif", 15))
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), low..high)?;
    let labels: Vec<String> = t.points.iter().map(|p| p.label.clone()).collect();
    let every = n.div_ceil(8).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(12))
        .x_label_formatter(&|x| label_at(&labels, *x, every))
        .y_label_formatter(&|y| if t.percent { format!("{}%", short(*y * 100.0)) } else { short(*y) })
        .max_light_lines(0)
        .bold_line_style(RGBColor(232, 232, 232))
        .draw()?;
    let x = |i: usize| i as f64;
    if let Some(b) = t.baseline {
        chart
            .draw_series(DashedLineSeries::new([(-0.5, b), (n as f64 - 0.5, b)], 6, 4, BASELINE.stroke_width(1)))?
            .label("baseline")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BASELINE));
    }
    if let Some(target) = t.target {
        chart
            .draw_series(DashedLineSeries::new(
                [(-0.5, target), (n as f64 - 0.5, target)],
                2,
                3,
                TARGET.stroke_width(2),
            ))?
            .label("target")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], TARGET));
    }
    if let Some(r) = t.rollout {
        let at = x(r) - 0.5;
        chart.draw_series(LineSeries::new([(at, low), (at, high)], ROLLOUT.stroke_width(2)))?;
        chart.draw_series([Text::new("rollout", (at, high), ("sans-serif", 11).into_font().color(&ROLLOUT))])?;
    }
    for (i, what) in t.events {
        chart.draw_series(DashedLineSeries::new([(x(*i), low), (x(*i), high)], 3, 3, EVENT.stroke_width(1)))?;
        let style = ("sans-serif", 10).into_font().color(&EVENT).pos(Pos::new(HPos::Left, VPos::Top));
        chart.draw_series([Text::new(format!("event: {what}"), (x(*i) + 0.05, high), style)])?;
    }
    // Runs of consecutive values: a missing value is a gap, not a zero.
    for run in runs(t.points) {
        let line = run.iter().map(|&i| (x(i), t.points[i].value.unwrap_or_default()));
        chart.draw_series(LineSeries::new(line, VALUE.stroke_width(2)))?;
    }
    let whole = t.points.iter().enumerate().filter(|(_, p)| !p.partial);
    chart
        .draw_series(whole.filter_map(|(i, p)| Some(Circle::new((x(i), p.value?), 3, VALUE.filled()))))?
        .label("value")
        .legend(|(x, y)| Circle::new((x + 8, y), 3, VALUE.filled()));
    for (i, p) in t.points.iter().enumerate().filter(|(_, p)| p.partial) {
        if let Some(v) = p.value {
            chart.draw_series([Circle::new((x(i), v), 4, VALUE.stroke_width(2))])?;
            let style = ("sans-serif", 10).into_font().color(&VALUE).pos(Pos::new(HPos::Center, VPos::Bottom));
            chart.draw_series([Text::new("partial", (x(i), v), style)])?;
        }
    }
    // The legend right of the plot, where it hides no line.
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::Coordinate(SIZE.0 as i32 - 104, 30))
        .background_style(WHITE)
        .border_style(RGBColor(200, 200, 200))
        .draw()?;
    root.present()?;
    Ok(())
}

/// One site's values by quarters since its own rollout (0 is the rollout's quarter).
pub struct Aligned {
    pub site: String,
    pub points: Vec<(i64, f64)>,
}

/// Every site's line against quarters since its rollout, the rollout at 0; a share's
/// axis (`percent`) in per cent.
pub fn aligned(title: &str, lines: &[Aligned], percent: bool) -> Option<String> {
    let all: Vec<(i64, f64)> = lines.iter().flat_map(|l| l.points.iter().copied()).collect();
    let (first, last) = (all.iter().map(|p| p.0).min()?, all.iter().map(|p| p.0).max()?);
    let (low, high) = span(&all.iter().map(|p| p.1).collect::<Vec<_>>());
    let mut svg = String::new();
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .caption(title, ("sans-serif", 15))
            .x_label_area_size(28)
            .y_label_area_size(56)
            .build_cartesian_2d((first as f64 - 0.5)..(last as f64 + 0.5), low..high)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("quarters since the site's rollout")
            .x_label_formatter(&|x| format!("{:+}", x.round() as i64))
            .y_label_formatter(&|y| if percent { format!("{}%", short(*y * 100.0)) } else { short(*y) })
            .max_light_lines(0)
            .bold_line_style(RGBColor(232, 232, 232))
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
            chart
                .draw_series(LineSeries::new(run, color.stroke_width(2)))?
                .label(line.site.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .draw()?;
        root.present()?;
        Ok(())
    })();
    drawn.ok()?;
    Some(tidy(svg))
}

/// The range of the y axis: the values with a margin, and zero when close.
fn span(values: &[f64]) -> (f64, f64) {
    let (mut low, mut high) = values.iter().fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
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

/// The indices of each run of consecutive periods that have a value.
fn runs(points: &[Point]) -> Vec<Vec<usize>> {
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut current = Vec::new();
    for (i, p) in points.iter().enumerate() {
        if p.value.is_some() {
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

/// An axis number: short, without trailing zeros.
fn short(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The SVG without its XML declaration and blank lines, to sit inside an HTML block.
fn tidy(svg: String) -> String {
    svg.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("<?xml")).collect::<Vec<_>>().join("\n")
}
