//! The Polars back end: reads the sites' data (SPEC sections 4 and 7), lowers each base
//! plan to Polars lazy frames, collects them all at once and returns the aggregate tables.
//! Polars types appear only inside this module.

pub mod data;
mod lower;
mod run;

use crate::diag::Diagnostic;
use crate::plan::{Backend, BasePlan, Computed, Plan};

/// The Polars back end.
pub struct Polars;

impl Backend for Polars {
    fn aggregate(&self, plan: &Plan) -> Result<Computed, Vec<Diagnostic>> {
        run::aggregate(plan)
    }
}

/// The Polars plan of a base metric's per-site view, built over empty tables (no data is
/// read).
pub fn describe(plan: &Plan, base: &BasePlan) -> Result<String, Vec<Diagnostic>> {
    run::describe(plan, base)
}
