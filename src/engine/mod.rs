//! The Polars back end: reads the sites' data (SPEC sections 4 and 7), lowers each base
//! plan to Polars lazy frames, collects them all at once and returns the aggregate tables.
//! Polars types appear only inside this module.

mod census;
pub mod data;
mod lower;
mod run;

use crate::diag::Diagnostic;
use crate::plan::{Backend, BasePlan, Computed, Plan};

/// The Polars back end; one made with [`Polars::keeping_files`] reads each file once
/// over all the computations it serves.
#[derive(Default)]
pub struct Polars {
    files: Option<data::FileCache>,
}

impl Polars {
    pub fn keeping_files() -> Polars {
        Polars::reading_from(data::FileCache::default())
    }

    /// A back end that reads through `files`: what was read into them is not read again.
    pub fn reading_from(files: data::FileCache) -> Polars {
        Polars { files: Some(files) }
    }

    /// How many files this back end has read and kept (none when it keeps none).
    pub fn files_kept(&self) -> usize {
        self.files.as_ref().map_or(0, data::FileCache::len)
    }
}

impl Backend for Polars {
    fn aggregate(&self, plan: &Plan) -> Result<Computed, Vec<Diagnostic>> {
        run::aggregate(plan, self.files.as_ref())
    }
}

/// The Polars plan of a base metric's per-site view, built over empty tables (no data is
/// read).
pub fn describe(plan: &Plan, base: &BasePlan) -> Result<String, Vec<Diagnostic>> {
    run::describe(plan, base)
}

/// Writes the results table as Parquet, typed: text, numbers (float), counts (unsigned
/// integers), flags and days (dates), empty cells as nulls.
pub fn write_parquet(
    head: &[String],
    body: &[Vec<crate::results::Cell>],
    path: &std::path::Path,
) -> Result<(), String> {
    use crate::results::Cell;
    use polars::prelude::*;
    let column = |i: usize, name: &str| -> PolarsResult<Column> {
        let name: PlSmallStr = name.into();
        let cells = body.iter().map(|row| &row[i]);
        let series = match body.first().map(|row| &row[i]) {
            Some(Cell::Number(_)) => {
                Series::new(name, cells.map(|c| if let Cell::Number(v) = c { *v } else { None }).collect::<Vec<_>>())
            }
            Some(Cell::Count(_)) => {
                Series::new(name, cells.map(|c| if let Cell::Count(v) = c { *v } else { None }).collect::<Vec<_>>())
            }
            Some(Cell::Flag(_)) => Series::new(
                name,
                cells.map(|c| if let Cell::Flag(v) = c { Some(*v) } else { None }).collect::<Vec<_>>(),
            ),
            Some(Cell::Day(_)) => {
                let days = cells.map(|c| if let Cell::Day(d) = c { Some(data::days_since_epoch(*d)) } else { None });
                Series::new(name, days.collect::<Vec<_>>()).cast(&DataType::Date)?
            }
            _ => Series::new(
                name,
                cells
                    .map(|c| match c {
                        Cell::Text(t) => Some(*t),
                        Cell::MaybeText(t) => *t,
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
        };
        Ok(series.into_column())
    };
    let write = || -> PolarsResult<()> {
        let columns = head.iter().enumerate().map(|(i, name)| column(i, name)).collect::<PolarsResult<Vec<_>>>()?;
        let mut frame = DataFrame::new(body.len(), columns)?;
        let file = std::fs::File::create(path)?;
        ParquetWriter::new(file).finish(&mut frame)?;
        Ok(())
    };
    write().map_err(|e| format!("cannot write {}: {e}", path.display()))
}
