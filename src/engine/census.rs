//! The plan operators of a computation's Polars frames, each with the rows it touches:
//! the rows of its inputs times the expression nodes it evaluates on them (at least one);
//! a scan, the rows it scans.
//! An operator whose expression grew a branch per site, or a plan that grew an input per
//! site, shows here as work growing faster than the sites ([`crate::census`]).

use crate::census::Operator;
use polars::prelude::*;

/// Every operator of `frames`, depth first, inputs before the operator.
pub fn operators(frames: &[LazyFrame]) -> PolarsResult<Vec<Operator>> {
    let mut out = Vec::new();
    for frame in frames {
        walk(&frame.logical_plan, &mut out)?;
    }
    Ok(out)
}

fn walk(plan: &DslPlan, out: &mut Vec<Operator>) -> PolarsResult<()> {
    let (inputs, exprs): (Vec<&DslPlan>, Vec<&Expr>) = match plan {
        // A table's scan touches its rows once.
        DslPlan::DataFrameScan { df, .. } => {
            out.push(Operator { kind: plan.into(), rows: df.height() as u64 });
            return Ok(());
        }
        DslPlan::Scan { .. } => {
            let rows = LazyFrame::from(plan.clone()).collect()?.height() as u64;
            out.push(Operator { kind: plan.into(), rows });
            return Ok(());
        }
        DslPlan::IR { dsl, .. } => return walk(dsl, out),
        DslPlan::Filter { input, predicate } => (vec![input], vec![predicate]),
        DslPlan::Select { expr, input, .. } => (vec![input], expr.iter().collect()),
        DslPlan::HStack { input, exprs, .. } => (vec![input], exprs.iter().collect()),
        DslPlan::GroupBy { input, keys, predicates, aggs, .. } => {
            (vec![input], keys.iter().chain(predicates).chain(aggs).collect())
        }
        DslPlan::Join { input_left, input_right, left_on, right_on, predicates, .. } => {
            (vec![input_left, input_right], left_on.iter().chain(right_on).chain(predicates).collect())
        }
        DslPlan::Sort { input, by_column, .. } => (vec![input], by_column.iter().collect()),
        DslPlan::Cache { input, .. }
        | DslPlan::Distinct { input, .. }
        | DslPlan::Slice { input, .. }
        | DslPlan::MapFunction { input, .. }
        | DslPlan::MatchToSchema { input, .. }
        | DslPlan::Sink { input, .. } => (vec![input], Vec::new()),
        DslPlan::Gather { input, idxs, .. } => (vec![input, idxs], Vec::new()),
        DslPlan::Union { inputs, .. } | DslPlan::HConcat { inputs, .. } | DslPlan::SinkMultiple { inputs } => {
            (inputs.iter().collect(), Vec::new())
        }
        DslPlan::PipeWithSchema { input, .. } => (input.iter().collect(), Vec::new()),
        DslPlan::ExtContext { input, contexts } => (std::iter::once(&**input).chain(contexts).collect(), Vec::new()),
        #[allow(unreachable_patterns)] // operators of Polars features this build leaves out
        other => {
            let kind: &'static str = other.into();
            return Err(polars_err!(ComputeError: "the census does not know the operator `{kind}`"));
        }
    };
    let mut rows = 0u64;
    for input in &inputs {
        walk(input, out)?;
        rows += LazyFrame::from((*input).clone()).collect()?.height() as u64;
    }
    let nodes: usize = exprs.iter().map(|e| e.into_iter().count()).sum();
    out.push(Operator { kind: plan.into(), rows: rows * nodes.max(1) as u64 });
    Ok(())
}
