//! Source schemas: the columns of a site's export, how it is collected, its joins.

use super::*;

/// How a source's data is collected; manual and mixed values carry a caveat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    Automated,
    Manual,
    Mixed,
}

impl Collection {
    pub fn as_str(self) -> &'static str {
        match self {
            Collection::Automated => "automated",
            Collection::Manual => "manual",
            Collection::Mixed => "mixed",
        }
    }

    /// A value combined from several is as manual as its most manual part.
    pub fn worst(self, other: Collection) -> Collection {
        use Collection::*;
        match (self, other) {
            (Manual, _) | (_, Manual) => Manual,
            (Mixed, _) | (_, Mixed) => Mixed,
            _ => Automated,
        }
    }
}

impl PartialEq<&str> for Collection {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A logical source schema (docs/definition-set.md, source schemas).
#[derive(Clone, Debug, Serialize)]
pub struct Source {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub key: Option<String>,
    /// The date column of a source that holds periodic snapshots (an asset inventory): the
    /// key is unique per snapshot, and joins to it are point-in-time.
    pub snapshot: Option<String>,
    /// A source kept as dated revisions (docs/semantics.md, revision histories): a build as
    /// of a day reads each key's latest revision recorded by then.
    pub history: Option<History>,
    pub collection: Collection,
    /// Its rows record activity evidence (documents, trainings, reviews), not outcomes.
    pub evidence: bool,
    /// Its rows are what detection makes visible: a `change` target on their count is a
    /// pitfall (W1012).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub detection_dependent: bool,
    /// Who delivers the export.
    pub provider: Option<String>,
    /// Declared columns in order; the implicit `site` column is not listed.
    pub columns: Vec<Column>,
    pub joins: Vec<Join>,
    /// Columns whose declaration was in error (already reported), so their uses are not
    /// reported again. Always empty in a checked set.
    #[serde(skip)]
    pub broken_columns: Vec<String>,
}

impl Source {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn join(&self, name: &str) -> Option<&Join> {
        self.joins.iter().find(|j| j.name == name)
    }

    /// The column that, beside the key, names a row: the snapshot's day in a source of
    /// snapshots, the revision's time in one with a history; and what that column dates.
    pub fn key_within(&self) -> Option<(&str, &'static str)> {
        match (&self.snapshot, &self.history) {
            (Some(s), _) => Some((s.as_str(), "snapshot")),
            (None, Some(h)) => Some((h.recorded_at.as_str(), "revision")),
            (None, None) => None,
        }
    }

    /// The date and datetime columns that record what happened (every one not `planned`):
    /// a value after the end of `as_of` was not known yet.
    pub fn recorded_dates(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| !c.planned && matches!(c.ty, ColumnType::Date | ColumnType::DateTime))
    }

    /// The schema with only the columns in `keep` (the others are not read).
    pub fn projected(&self, keep: &std::collections::BTreeSet<String>) -> Source {
        Source { columns: self.columns.iter().filter(|c| keep.contains(&c.name)).cloned().collect(), ..self.clone() }
    }

    /// The recorded dates every row has: a row was known once all of them were (what a
    /// replay sees of a source, joined or judged by the data rules; docs/semantics.md).
    pub fn required_dates(&self) -> impl Iterator<Item = &Column> {
        self.recorded_dates().filter(|c| !c.nullable)
    }
}

/// `history: {recorded_at: COL, deleted: COL}`: the key is unique per revision, the
/// revision's time is `recorded_at` (a date or datetime every row has), and a revision whose
/// `deleted` holds true removes its key from then on.
#[derive(Clone, Debug, Serialize)]
pub struct History {
    pub recorded_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub nullable: bool,
    /// A date known in advance (a due date): read as it is, even after `as_of`.
    pub planned: bool,
    /// Bounds on a number column's values, both included.
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    String,
    Int,
    Float,
    Bool,
    Date,
    DateTime,
    /// A term of the named vocabulary.
    Vocab(String),
    /// Multi-valued; `;`-separated in CSV.
    List(Box<ColumnType>),
}

/// `asset: {source: assets, on: asset_id}`: a left join on this source's `on` column
/// against the joined source's key.
#[derive(Clone, Debug, Serialize)]
pub struct Join {
    pub name: String,
    pub source: String,
    pub on: String,
    pub on_missing: OnMissing,
}

/// What a row does whose non-empty `on` value has no partner among the joined source's
/// rows known as of `as_of` (a join miss, docs/semantics.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnMissing {
    /// A data error naming the rows: the default.
    #[default]
    Error,
    /// Left out of every metric over the source, counted as `join_miss`.
    Exclude,
    /// Kept, its joined columns empty, and counted in a warning.
    Keep,
}

impl OnMissing {
    pub const CHOICES: [(&'static str, OnMissing); 3] =
        [("error", OnMissing::Error), ("exclude", OnMissing::Exclude), ("keep", OnMissing::Keep)];

    pub fn as_str(self) -> &'static str {
        match self {
            OnMissing::Error => "error",
            OnMissing::Exclude => "exclude",
            OnMissing::Keep => "keep",
        }
    }
}
