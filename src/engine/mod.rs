//! The Polars back end: reads the sites' data (docs/definition-set.md and docs/project.md), lowers each base
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

/// One typed column of a table to write: what the back end needs to know of the results
/// table (which lives above it), empty cells as `None`.
pub enum Cells<'a> {
    Text(Vec<Option<&'a str>>),
    Number(Vec<Option<f64>>),
    Count(Vec<Option<u64>>),
    Flag(Vec<Option<bool>>),
    Day(Vec<Option<chrono::NaiveDate>>),
}

/// Writes the named columns as one Parquet file, typed: text, numbers (float), counts
/// (unsigned integers), flags and days (dates), empty cells as nulls.
pub fn write_parquet(columns: Vec<(&str, Cells)>, rows: usize, path: &std::path::Path) -> Result<(), WriteError> {
    use polars::prelude::*;
    let column = |name: &str, cells: Cells| -> PolarsResult<polars::prelude::Column> {
        let name: PlSmallStr = name.into();
        let series = match cells {
            Cells::Text(v) => Series::new(name, v),
            Cells::Number(v) => Series::new(name, v),
            Cells::Count(v) => Series::new(name, v),
            Cells::Flag(v) => Series::new(name, v),
            Cells::Day(v) => {
                let days: Vec<Option<i32>> = v.into_iter().map(|d| d.map(data::dates::days_since_epoch)).collect();
                Series::new(name, days).cast(&DataType::Date)?
            }
        };
        Ok(series.into_column())
    };
    let write = || -> PolarsResult<()> {
        let columns = columns.into_iter().map(|(name, c)| column(name, c)).collect::<PolarsResult<Vec<_>>>()?;
        let mut frame = DataFrame::new(rows, columns)?;
        let file = std::fs::File::create(path)?;
        ParquetWriter::new(file).finish(&mut frame)?;
        Ok(())
    };
    write().map_err(|source| WriteError { path: path.to_path_buf(), source })
}

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    path: std::path::PathBuf,
    source: polars::error::PolarsError,
}
