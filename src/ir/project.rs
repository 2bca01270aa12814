//! A checked project: its sites, bindings, dialects, baseline, reports and context events.

use super::*;

/// A checked project (docs/project.md).
#[derive(Debug, Serialize)]
pub struct Project {
    pub name: String,
    pub root: PathBuf,
    /// The definition set's folder as yardstick.yaml writes it (relative to the project),
    /// or where it was fetched from when it is pinned in git.
    #[serde(skip)]
    pub definitions: String,
    /// The git repository and revision of a pinned set.
    #[serde(skip)]
    pub pinned: Option<crate::load::remote::Pin>,
    pub start: NaiveDate,
    /// Month 1..=12 in which the fiscal year starts.
    pub fiscal_year_start: u32,
    pub baseline: Baseline,
    pub unmapped: Unmapped,
    pub sites: Vec<Site>,
    /// Source name to where each site's export of it lives.
    pub bindings: BTreeMap<String, Binding>,
    /// The sources no site exports, said once (`sources: {capas: none}`): their metrics are
    /// not collected, without a note. In the project hash only when there are some, so that
    /// a project that says none hashes as before.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub not_exported: BTreeSet<String>,
    pub reports: Vec<ReportSpec>,
    pub context: Vec<ContextEvent>,
    /// How results are judged. In the project hash only when it differs from the default,
    /// so that a project that does not set it hashes as before.
    #[serde(skip_serializing_if = "Judgement::is_default")]
    pub judgement: Judgement,
    /// The reports' language and number format (`locale:`); words, not numbers.
    #[serde(skip)]
    pub locale: &'static Locale,
    /// The texts of the project's own report templates, which replace the set's.
    #[serde(skip)]
    pub messages: Messages,
}

/// `judgement:` in yardstick.yaml (docs/project.md).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Judgement {
    /// The two-sided confidence of every interval: 0.90 unless the project says.
    pub confidence: f64,
    /// What makes a row green (docs/semantics.md, "Statuses from evidence").
    #[serde(skip_serializing_if = "Green::is_evidence")]
    pub green: Green,
}

/// `judgement: {green: ...}`: when a criterion that makes a row green is established.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Green {
    /// The estimate meets it and the interval lies beyond "no change" (or wholly meets it).
    #[default]
    Evidence,
    /// The whole interval meets it.
    Guarded,
}

impl Green {
    fn is_evidence(&self) -> bool {
        *self == Green::Evidence
    }
}

impl Judgement {
    pub const DEFAULT_CONFIDENCE: f64 = 0.90;

    fn is_default(&self) -> bool {
        *self == Judgement::default()
    }
}

impl Default for Judgement {
    fn default() -> Judgement {
        Judgement { confidence: Judgement::DEFAULT_CONFIDENCE, green: Green::Evidence }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    MonthsBeforeRollout(u32),
    Window { from: NaiveDate, to: NaiveDate },
}

/// What a code outside the vocabulary gets in the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmapped {
    Error,
    Exclude,
}

#[derive(Debug, Serialize)]
pub struct Site {
    pub id: SiteId,
    pub title: Option<String>,
    pub rollout: Option<NaiveDate>,
    /// How offset-less datetimes in the site's exports are read, and where its days begin
    /// and end (default UTC).
    #[serde(serialize_with = "serialize_time_zone")]
    pub timezone: chrono_tz::Tz,
    /// Vocabulary name, then local code to standard term.
    pub mappings: BTreeMap<String, BTreeMap<String, String>>,
    /// Source name to where this site's data starts and how it is collected.
    pub coverage: BTreeMap<String, Coverage>,
    /// The sources this site does not export (`sources: {capas: none}`): the metrics over
    /// them are not collected here.
    pub absent: BTreeSet<String>,
    /// This site's own bindings (`sources:` under the site), the project's merged in.
    pub bindings: BTreeMap<String, Binding>,
    /// The site lints (its baseline window) it is exempt from, with the reasons: they
    /// change no number, so they are not in the project hash.
    #[serde(skip)]
    pub allow: Vec<Allow>,
    /// The set's scopes the site is in (`nis2`): metrics with a `scope` apply only there.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub scopes: BTreeSet<String>,
    /// Where yardstick.yaml names the site.
    #[serde(skip)]
    pub at: Option<Span>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub from: Option<NaiveDate>,
    /// The last day the export holds, when the site's data ends.
    pub to: Option<NaiveDate>,
    pub collection: Option<Collection>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Csv,
    Parquet,
    Ndjson,
}

#[derive(Clone, Debug, Serialize)]
pub struct Binding {
    pub source: String,
    /// Path relative to the project, `{site}` standing for the site id.
    pub file: String,
    pub format: FileFormat,
    pub collection: Option<Collection>,
    pub dialect: Dialect,
    /// Schema column to the export's own header, for the columns it names otherwise. In the
    /// project hash, as `empty`, only when given, so that a binding without hashes as before.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, String>,
    /// What an export without rows means (`empty:`).
    #[serde(skip_serializing_if = "Empty::is_no_data")]
    pub empty: Empty,
    /// Where the binding is written in yardstick.yaml: `sources.incidents`, or
    /// `sites.lodz.sources.incidents` for a site's own.
    pub at: String,
}

/// What an export without rows means: no data (the default: its periods have no value),
/// or a site with nothing to report (its counts are zero).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Empty {
    #[default]
    NoData,
    NoneToReport,
}

impl Empty {
    pub fn is_no_data(&self) -> bool {
        *self == Empty::NoData
    }
}

/// How an export writes its values: a CSV's delimiter, decimal mark, encoding and
/// spellings, and the date patterns of text cells (any format).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dialect {
    pub delimiter: u8,
    pub decimal_comma: bool,
    /// A WHATWG encoding name, such as `UTF-8` or `windows-1250`.
    pub encoding: String,
    /// Spellings of booleans and of an empty cell, compared ignoring case (booleans) or
    /// exactly (empty cells; an empty cell is always empty).
    pub true_values: Vec<String>,
    pub false_values: Vec<String>,
    pub null_values: Vec<String>,
    /// Lines starting with this byte are not rows.
    pub comment: Option<u8>,
    /// chrono patterns; ISO 8601 when `None`.
    pub date_format: Option<String>,
    pub datetime_format: Option<String>,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            delimiter: b',',
            decimal_comma: false,
            encoding: "UTF-8".into(),
            true_values: vec!["true".into()],
            false_values: vec!["false".into()],
            null_values: Vec::new(),
            comment: None,
            date_format: None,
            datetime_format: None,
        }
    }
}

impl Dialect {
    /// Whether a CSV in this dialect reads as a plain comma-separated UTF-8 export, whose
    /// numbers and booleans the reader may type itself.
    pub fn is_plain_csv(&self) -> bool {
        *self
            == Dialect {
                date_format: self.date_format.clone(),
                datetime_format: self.datetime_format.clone(),
                ..Dialect::default()
            }
    }
}

impl Project {
    /// The binding of `source` at `site`: the site's own, else the project's; `None` when
    /// the source is not bound or the site has no such export.
    pub fn binding<'a>(&'a self, source: &str, site: &'a Site) -> Option<&'a Binding> {
        binding_of(&self.bindings, source, site)
    }

    /// Whether any site's data of `source` is bound: by the project or by a site.
    pub fn is_bound(&self, source: &str) -> bool {
        self.bindings.contains_key(source) || self.sites.iter().any(|s| s.bindings.contains_key(source))
    }

    /// Every bound source, in name order.
    pub fn bound_sources(&self) -> BTreeSet<&str> {
        bound_sources_of(&self.bindings, &self.sites)
    }
}

/// How `site` exports `source`: its own binding, else the project's (`bindings`); none
/// when the site says it has no such export.
pub fn binding_of<'a>(bindings: &'a BTreeMap<String, Binding>, source: &str, site: &'a Site) -> Option<&'a Binding> {
    if site.absent.contains(source) {
        return None;
    }
    site.bindings.get(source).or_else(|| bindings.get(source))
}

/// Every source bound by the project (`bindings`) or by one of its `sites`, in name order.
pub fn bound_sources_of<'a>(bindings: &'a BTreeMap<String, Binding>, sites: &'a [Site]) -> BTreeSet<&'a str> {
    let by_sites = sites.iter().flat_map(|s| s.bindings.keys());
    bindings.keys().chain(by_sites).map(String::as_str).collect()
}

#[derive(Debug, Serialize)]
pub struct ReportSpec {
    pub template: String,
    pub grain: Option<Grain>,
    /// The file name in the build's output folder, `{period}` and `{site}` filled in; the
    /// report is written as `.md` and `.html`.
    pub out: String,
    pub site: Option<String>,
    /// Only the metrics with one of these tags (all when empty).
    pub tags: Vec<String>,
    /// The report's period is the one holding `as_of`, judged on its days so far
    /// (docs/semantics.md, "To date"), when it is not over. In the project hash only when
    /// set, so that a project without it hashes as before.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub to_date: bool,
    /// The report's own locale, instead of the project's.
    #[serde(skip)]
    pub locale: Option<&'static Locale>,
}

/// A report's `out` without its `.md` or `.html`: the name both files share.
pub fn out_stem(out: &str) -> &str {
    out.strip_suffix(".md").or_else(|| out.strip_suffix(".html")).unwrap_or(out)
}

#[derive(Debug, Serialize)]
pub struct ContextEvent {
    pub date: NaiveDate,
    /// A site id, or `None` for `all`.
    pub site: Option<String>,
    pub kind: String,
    pub text: String,
    /// The source of the set it concerns, if it names one; absent, it hashes as before it
    /// existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where the context file dates it.
    #[serde(skip)]
    pub at: Option<Span>,
}

fn serialize_time_zone<S: Serializer>(tz: &chrono_tz::Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}
