//! The resolved, typed IR: the contract between the front end and every back end.
//! Nothing here refers to YAML; names are resolved, vocabulary groups expanded to their
//! terms, and every expression node carries its type and its span in the user's file.
//! `check` produces it; the plan, the back ends, the results and the reports read it.

use crate::diag::Span;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

/// References, column references and expressions serialize as written in metric files.
macro_rules! serialize_as_text {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}

mod expr;
mod ids;
mod locale;
mod metric;
mod project;
mod set;
mod show;
mod source;

pub use expr::*;
pub use ids::*;
pub use locale::*;
pub use metric::*;
pub use project::*;
pub use set::*;
pub use show::{agg_name, row_fn_name};
pub use source::*;

serialize_as_text!(Reference, ColumnRef, SiteRef);
