//! The engine: reads the sites' data and computes checked metrics with Polars (SPEC
//! sections 4, 7, 8 and 10). Polars types appear only inside this module.

mod agg;
mod compute;
pub mod data;
mod lower;
pub mod period;
pub mod results;

pub use compute::{Request, compute, plan_text};
pub use results::{ResultRow, Results, RowStatus};
