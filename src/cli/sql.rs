//! `yardstick sql METRIC`: the SQL that computes a metric's aggregate table, for review
//! or for the user's own scheduler.

use crate::diag::render_all;
use crate::sql::Dialect;
use std::path::Path;
use std::process::ExitCode;

pub struct Args<'a> {
    pub metric: &'a str,
    pub project: &'a Path,
    pub dialect: Dialect,
    pub as_of: Option<chrono::NaiveDate>,
}

pub fn run(args: &Args, color: bool) -> ExitCode {
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
    let ids = [m.id.clone()];
    let request = crate::plan::Request { metrics: &ids, as_of, grain: None, to_date: false };
    let fail = |errors: Vec<crate::diag::Diagnostic>| {
        eprint!("{}", render_all(errors.iter(), &sources, color));
        ExitCode::from(1)
    };
    let plan = match crate::plan::plan(&checked, &request) {
        Ok(plan) => plan,
        Err(errors) => return fail(errors),
    };
    if let Some(not) = plan.not_collected.get(&m.id) {
        eprintln!("error: `{}` is not collected in this project: {}", m.id, not.why());
        return ExitCode::from(1);
    }
    // A derived metric is computed from its inputs' tables: each base input's query.
    let mut text = String::new();
    for base in &plan.bases {
        let what = if base.metric.id == m.id {
            format!("-- {}", m.id)
        } else {
            format!("-- {}, which `{}` reads", base.metric.id, m.id)
        };
        match crate::sql::metric_sql(&plan, base, args.dialect) {
            Ok(sql) => text.push_str(&format!(
                "{what}: its aggregate tables as of {as_of}, by part (period, window, month, snapshot, window_snapshot), site (empty: all sites pooled) and period (the period's number; empty in a window){dims}, with each aggregate of its value (agg0, ...) and the rows counted (n); docs/commands.md says every column\n{sql}",
                dims = if base.by.is_empty() { String::new() } else { format!(" and {}", base.dim_names().join(", ")) },
            )),
            Err(errors) => return fail(errors),
        }
    }
    super::emit(&text)
}
