//! `yardstick explain METRIC`: what a metric means, in words, where its numbers come from,
//! and the plan that computes them. `yardstick explain E0304`: what a diagnostic code means.

use crate::diag::render_all;
use std::path::Path;
use std::process::ExitCode;

pub struct Args<'a> {
    pub metric: &'a str,
    pub project: &'a Path,
    /// Show the Polars plan behind the neutral one.
    pub polars: bool,
    /// The day the plan is made as of.
    pub as_of: Option<chrono::NaiveDate>,
}

pub fn run(args: &Args, color: bool) -> ExitCode {
    if is_code(args.metric) {
        return explain_code(args.metric);
    }
    // The metric's own sources say whether they are bound; notes on the others are noise.
    let (checked, sources) = super::compile_for_metrics(args.project, color);
    let Some(checked) = checked else {
        return ExitCode::from(1);
    };
    let m = match super::metric_named(&checked, args.metric) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let as_of = match super::as_of(args.as_of, Some(&checked), color) {
        Ok(day) => day,
        Err(code) => return code,
    };
    // The trend needs the data: computed here, or the count of data errors said instead.
    let computed = checked.project.as_ref().map(|_| {
        let ids = [m.id.clone()];
        crate::compute(&checked, &crate::plan::Request { metrics: &ids, as_of, grain: None, to_date: false })
    });
    let trends = match &computed {
        Some(Ok(results)) => Ok(&results.trends[..]),
        Some(Err(errors)) => Err(errors.len()),
        None => Ok(&[][..]),
    };
    match crate::report::explain::metric(&checked, m, args.polars, as_of, trends) {
        Ok(text) => super::emit(&text),
        Err(errors) => {
            eprint!("{}", render_all(errors.iter(), &sources, color));
            ExitCode::from(1)
        }
    }
}

/// `E0304`, `w0501`, `N0610`: a diagnostic code rather than a metric id (ids are
/// lowercase).
fn is_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5 && matches!(b[0].to_ascii_uppercase(), b'E' | b'W' | b'N') && b[1..].iter().all(u8::is_ascii_digit)
}

/// What a diagnostic code means and what to do about it.
fn explain_code(code: &str) -> ExitCode {
    match crate::diag::codes::lookup(code) {
        Some(info) => {
            let kind = match info.code.as_bytes()[0] {
                b'W' => "warning",
                b'N' => "note",
                _ => "error",
            };
            super::emit(&format!(
                "{} ({kind}): {}

{}
",
                info.code, info.summary, info.help
            ))
        }
        None => {
            eprintln!(
                "error: no diagnostic code `{code}`\n  help: codes look like E0304, W0501 or N0610; `yardstick check` prints them"
            );
            ExitCode::from(2)
        }
    }
}
