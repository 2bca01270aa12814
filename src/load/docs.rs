//! One struct per file kind, mirroring the YAML of docs/definition-set.md and docs/project.md.
//!
//! Enumerated values (grain, layer, ...) stay strings here so that the checker can report
//! every bad one with suggestions instead of stopping at the first.

use super::map::Map;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// `set.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetDoc {
    pub name: Spanned<String>,
    pub version: Spanned<String>,
    pub description: Option<String>,
    /// Named groups of sites a metric may apply to only (`nis2: Sites in scope of NIS2`),
    /// each with what puts a site in it; a project's sites say which they are in.
    #[serde(default)]
    pub scopes: Map<String>,
    /// The metrics in the order reports, `metrics` and `query --tag` show them; those not
    /// listed follow in file order.
    #[serde(default)]
    pub order: Vec<Spanned<String>>,
}

/// `vocab/*.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabDoc {
    pub vocabulary: Spanned<String>,
    pub version: Option<Spanned<u32>>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub terms: Map<TermDoc>,
    #[serde(default)]
    pub ordered: bool,
    #[serde(default)]
    pub groups: Map<Vec<Spanned<String>>>,
    #[serde(default)]
    pub deprecated: Map<Spanned<String>>,
    /// Data every term may carry, declared like columns: `controls_required: {list: {vocab:
    /// control}}`.
    #[serde(default)]
    pub attributes: Map<Spanned<ColumnDoc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermDoc {
    pub label: Option<String>,
    pub definition: Option<String>,
    /// The term's values of the vocabulary's attributes.
    #[serde(default)]
    pub attributes: Map<Spanned<AttributeValueDoc>>,
}

/// A term's value of an attribute: a number, or a list of codes (each with its place).
#[derive(Debug)]
pub enum AttributeValueDoc {
    Number(f64),
    Codes(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for AttributeValueDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AttributeValueDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a list of terms, as [access_control, backup]")
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<AttributeValueDoc, E> {
                Ok(AttributeValueDoc::Number(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<AttributeValueDoc, E> {
                Ok(AttributeValueDoc::Number(n as f64))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<AttributeValueDoc, E> {
                Ok(AttributeValueDoc::Number(n as f64))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<AttributeValueDoc, A::Error> {
                let mut codes = Vec::new();
                while let Some(code) = s.next_element::<Spanned<String>>()? {
                    codes.push(code);
                }
                Ok(AttributeValueDoc::Codes(codes))
            }
        }
        d.deserialize_any(V)
    }
}

/// `sources/*.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    pub source: Spanned<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub key: Option<Spanned<String>>,
    /// The date column of a source holding periodic snapshots.
    pub snapshot: Option<Spanned<String>>,
    /// A source kept as dated revisions: one row per change of a key.
    pub history: Option<Spanned<HistoryDoc>>,
    pub collection: Option<Spanned<String>>,
    /// Rows that record activity evidence (documents, trainings, reviews), not outcomes.
    #[serde(default)]
    pub evidence: bool,
    /// Its rows are what detection or a well-kept register makes visible (incidents,
    /// findings): a reduction target on their count rewards seeing less.
    #[serde(default)]
    pub detection_dependent: bool,
    /// Who delivers the export (the ISO/IEC 27004 data provider).
    pub provider: Option<String>,
    pub columns: Map<Spanned<ColumnDoc>>,
    #[serde(default)]
    pub joins: Map<Spanned<JoinDoc>>,
}

/// A column: `string`, or `{type: datetime, nullable: true}`, `{vocab: NAME}`, `{list: T}`,
/// with `planned: true` on dates and `min`/`max` on numbers.
#[derive(Debug, Default)]
pub struct ColumnDoc {
    pub ty: Option<TypeDoc>,
    pub nullable: bool,
    pub planned: Option<Spanned<bool>>,
    pub min: Option<Spanned<f64>>,
    pub max: Option<Spanned<f64>>,
    pub description: Option<String>,
}

#[derive(Debug)]
pub enum TypeDoc {
    /// `string`, `int`, ...: the span is that of the name when written as `type:`.
    Named(Option<Spanned<String>>, String),
    Vocab(Spanned<String>),
    List(Box<TypeDoc>),
}

impl<'de> Deserialize<'de> for ColumnDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ColumnDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a column type (string, int, float, bool, date, datetime) or a mapping with type, vocab or list",
                )
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ColumnDoc, E> {
                Ok(ColumnDoc { ty: Some(TypeDoc::Named(None, s.to_string())), ..ColumnDoc::default() })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ColumnDoc, A::Error> {
                let mut col = ColumnDoc::default();
                while let Some(key) = m.next_key::<String>()? {
                    let ty = match key.as_str() {
                        "type" => {
                            let name: Spanned<String> = m.next_value()?;
                            let text = name.value.clone();
                            TypeDoc::Named(Some(name), text)
                        }
                        "vocab" => TypeDoc::Vocab(m.next_value()?),
                        "list" => {
                            let inner: ColumnDoc = m.next_value()?;
                            TypeDoc::List(Box::new(inner.ty.ok_or_else(|| {
                                de::Error::custom(
                                    "a list needs an element type: {list: string} or {list: {vocab: NAME}}",
                                )
                            })?))
                        }
                        "nullable" => {
                            col.nullable = m.next_value()?;
                            continue;
                        }
                        "description" => {
                            col.description = Some(m.next_value()?);
                            continue;
                        }
                        "planned" => {
                            col.planned = Some(m.next_value()?);
                            continue;
                        }
                        "min" => {
                            col.min = Some(m.next_value()?);
                            continue;
                        }
                        "max" => {
                            col.max = Some(m.next_value()?);
                            continue;
                        }
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["type", "vocab", "list", "nullable", "planned", "min", "max", "description"],
                            ));
                        }
                    };
                    if col.ty.is_some() {
                        return Err(de::Error::custom("a column has one of type, vocab or list, not several"));
                    }
                    col.ty = Some(ty);
                }
                Ok(col)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinDoc {
    pub source: Spanned<String>,
    pub on: Spanned<String>,
    /// What a row whose key finds no partner does: `error` (the default), `exclude`, `keep`.
    pub on_missing: Option<Spanned<String>>,
}

/// `history: {recorded_at: COL, deleted: COL}` on a source kept as dated revisions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryDoc {
    pub recorded_at: Spanned<String>,
    pub deleted: Option<Spanned<String>>,
}

/// `metrics/**/*.yaml`. Required fields are checked by the checker, so that all missing
/// ones are reported together.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricDoc {
    pub metric: Spanned<String>,
    pub version: Option<Spanned<u32>>,
    pub title: Option<Spanned<String>>,
    pub description: Option<String>,
    pub layer: Option<Spanned<String>>,
    #[serde(rename = "type")]
    pub kind: Option<Spanned<String>>,
    pub information_need: Option<String>,
    pub owner: Option<String>,
    pub unit: Option<Spanned<String>>,
    pub direction: Option<Spanned<String>>,
    pub grain: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub time: Option<Spanned<TimeDoc>>,
    #[serde(rename = "where")]
    pub filter: Option<Spanned<String>>,
    pub value: Option<Spanned<String>>,
    #[serde(default)]
    pub by: Vec<Spanned<String>>,
    pub target: Option<Spanned<TargetDoc>>,
    #[serde(default)]
    pub thresholds: Map<Spanned<String>>,
    /// Judge a trailing window of this many periods too (a rolling year: 4 quarters).
    pub window: Option<Spanned<u32>>,
    /// The fewest cases a period is judged on, instead of the aggregate's own minimum.
    pub min_n: Option<Spanned<u32>>,
    /// The metric of the set a count or sum is judged per (`production_hours`).
    pub exposure: Option<Spanned<String>>,
    /// The scope of the set whose sites alone the metric applies to (`nis2`).
    pub scope: Option<Spanned<String>>,
    #[serde(default)]
    pub references: Vec<Spanned<String>>,
    pub caveats: Option<String>,
    /// Why the definition stands as it is, where a reviewer would expect another.
    pub rationale: Option<String>,
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    /// Who reads the metric: plant management, the ISMS committee, the board.
    #[serde(default)]
    pub audience: Vec<String>,
    /// Pitfall lints this metric is exempt from, each with the reason.
    #[serde(default)]
    pub allow: Vec<Spanned<AllowDoc>>,
}

/// `allow: [{code: W1004, reason: "..."}]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowDoc {
    pub code: Spanned<String>,
    pub reason: Option<Spanned<String>>,
}

/// `time:` one of `{event: COL}`, `{open: FROM, close: TO}`, `{snapshot: COL}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeDoc {
    pub event: Option<Spanned<String>>,
    pub open: Option<Spanned<String>>,
    pub close: Option<Spanned<String>>,
    pub snapshot: Option<Spanned<String>>,
}

/// `target:` `{change: -30%, by: DATE}` or `{value: 0.95, by: DATE}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetDoc {
    pub change: Option<Spanned<String>>,
    pub value: Option<Spanned<String>>,
    pub by: Option<Spanned<String>>,
}

/// `yardstick.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectDoc {
    pub project: Spanned<String>,
    pub definitions: Spanned<DefinitionsDoc>,
    pub requires: Option<Spanned<String>>,
    pub start: Spanned<String>,
    pub calendar: Option<CalendarDoc>,
    pub baseline: Option<Spanned<BaselineDoc>>,
    pub unmapped: Option<Spanned<String>>,
    pub sites: Map<SiteDoc>,
    #[serde(default)]
    /// A binding per source, or `none` for a source no site exports.
    pub sources: Map<Spanned<SiteSourceDoc>>,
    /// A folder of project-local metrics, beside the set's.
    pub metrics: Option<Spanned<String>>,
    #[serde(default)]
    pub reports: Vec<Spanned<ReportDoc>>,
    pub context: Option<Spanned<String>>,
    /// How results are judged: the confidence of their intervals, what makes them green.
    pub judgement: Option<JudgementDoc>,
    /// The reports' language and number format (`de-DE`).
    pub locale: Option<Spanned<String>>,
}

/// `judgement: {confidence: 0.90, green: evidence}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgementDoc {
    pub confidence: Option<Spanned<f64>>,
    /// `evidence` (the default) or `guarded`.
    pub green: Option<Spanned<String>>,
}

/// `definitions:` a folder, or a set pinned at a revision of a git repository.
#[derive(Debug)]
pub enum DefinitionsDoc {
    Path(String),
    Git(Box<GitDoc>),
}

/// `definitions: {git: URL, rev: TAG, path: FOLDER}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitDoc {
    pub git: Spanned<String>,
    pub rev: Spanned<String>,
    /// The folder of the repository holding set.yaml; its top when absent.
    pub path: Option<Spanned<String>>,
}

impl<'de> Deserialize<'de> for DefinitionsDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DefinitionsDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a folder such as ../isms-metrics, or {git: URL, rev: TAG}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DefinitionsDoc, E> {
                Ok(DefinitionsDoc::Path(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<DefinitionsDoc, A::Error> {
                GitDoc::deserialize(de::value::MapAccessDeserializer::new(m)).map(|g| DefinitionsDoc::Git(Box::new(g)))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarDoc {
    pub fiscal_year_start: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineDoc {
    pub months_before_rollout: Option<Spanned<u32>>,
    pub from: Option<Spanned<String>>,
    pub to: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteDoc {
    pub title: Option<String>,
    pub rollout: Option<Spanned<String>>,
    /// An IANA time-zone name, such as `Europe/Paris`.
    pub timezone: Option<Spanned<String>>,
    pub mappings: Option<Spanned<String>>,
    #[serde(default)]
    pub coverage: Map<Spanned<CoverageDoc>>,
    /// This site's own bindings: `capas: none` (no such export), or a binding whose keys
    /// replace the project's.
    #[serde(default)]
    pub sources: Map<Spanned<SiteSourceDoc>>,
    /// The site lints this site is exempt from, each with why.
    #[serde(default)]
    pub allow: Vec<Spanned<AllowDoc>>,
    /// The scopes of the definition set this site is in (`[nis2]`).
    #[serde(default)]
    pub scopes: Vec<Spanned<String>>,
}

/// A site's entry for one source: `none`, another word (an error), or its own binding.
#[derive(Debug)]
pub enum SiteSourceDoc {
    None,
    Other(String),
    Binding(Box<BindingDoc>),
}

impl SiteSourceDoc {
    /// The binding, when it is one.
    pub fn binding(&self) -> Option<&BindingDoc> {
        match self {
            SiteSourceDoc::Binding(b) => Some(b),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for SiteSourceDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SiteSourceDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`none`, or a binding such as {file: \"data/lodz/incidents.csv\"}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SiteSourceDoc, E> {
                Ok(if v == "none" { SiteSourceDoc::None } else { SiteSourceDoc::Other(v.to_string()) })
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<SiteSourceDoc, E> {
                Ok(SiteSourceDoc::Other(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<SiteSourceDoc, E> {
                Ok(SiteSourceDoc::Other(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<SiteSourceDoc, E> {
                Ok(SiteSourceDoc::Other(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<SiteSourceDoc, E> {
                Ok(SiteSourceDoc::Other("null".into()))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<SiteSourceDoc, A::Error> {
                BindingDoc::deserialize(de::value::MapAccessDeserializer::new(m))
                    .map(|b| SiteSourceDoc::Binding(Box::new(b)))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageDoc {
    pub from: Option<Spanned<String>>,
    pub to: Option<Spanned<String>>,
    pub collection: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BindingDoc {
    /// Required in the project's `sources:`; a site's own binding may leave it out.
    pub file: Option<Spanned<String>>,
    /// Schema column to the export's own header: `{detected_at: Erkannt_am}`.
    pub columns: Option<Spanned<Map<Spanned<String>>>>,
    /// What an export without rows means: `no_data` (the default) or `none_to_report`.
    pub empty: Option<Spanned<String>>,
    pub collection: Option<Spanned<String>>,
    pub csv: Option<Spanned<CsvDoc>>,
    /// A chrono pattern such as `%d.%m.%Y`; ISO 8601 when absent.
    pub date_format: Option<Spanned<String>>,
    pub datetime_format: Option<Spanned<String>>,
}

/// How a CSV export is written (its dialect).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvDoc {
    pub delimiter: Option<Spanned<String>>,
    pub decimal: Option<Spanned<String>>,
    pub encoding: Option<Spanned<String>>,
    #[serde(rename = "true")]
    pub true_values: Option<Spanned<Vec<String>>>,
    #[serde(rename = "false")]
    pub false_values: Option<Spanned<Vec<String>>>,
    #[serde(rename = "null")]
    pub null_values: Option<Spanned<Vec<String>>>,
    pub comment: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportDoc {
    pub template: Spanned<String>,
    pub grain: Option<Spanned<String>>,
    pub out: Spanned<String>,
    pub site: Option<Spanned<String>>,
    /// Only the metrics with one of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Judge the period holding `as_of` on its days so far.
    pub to_date: Option<Spanned<bool>>,
    /// The report's language and number format, instead of the project's.
    pub locale: Option<Spanned<String>>,
}

/// `sites/*.yaml`: vocabulary name, then local code to standard term.
pub type MappingDoc = Map<Map<Spanned<String>>>;

/// `reports/messages.yaml`: a message key, then language to text.
pub type MessagesDoc = Map<Map<Spanned<String>>>;

/// `context.yaml`: a list of dated events, at top level or under `events:`.
#[derive(Debug, Default)]
pub struct ContextDoc {
    pub events: Vec<EventDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDoc {
    pub date: Spanned<String>,
    /// A site id, or `all` (the default).
    pub site: Option<Spanned<String>>,
    pub kind: Spanned<String>,
    pub text: String,
    /// The source it concerns (a `collection_change` of one export).
    pub source: Option<Spanned<String>>,
}

impl<'de> Deserialize<'de> for ContextDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ContextDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of events, or a mapping with `events:`")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<ContextDoc, A::Error> {
                let mut events = Vec::new();
                while let Some(e) = s.next_element()? {
                    events.push(e);
                }
                Ok(ContextDoc { events })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ContextDoc, A::Error> {
                let mut doc = ContextDoc::default();
                while let Some(key) = m.next_key::<String>()? {
                    if key != "events" {
                        return Err(de::Error::unknown_field(&key, &["events"]));
                    }
                    doc.events = m.next_value()?;
                }
                Ok(doc)
            }
        }
        d.deserialize_any(V)
    }
}
