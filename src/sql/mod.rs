//! The SQL back end's first part: a base plan lowered to SQL for DuckDB and Spark SQL,
//! built through sqlparser's syntax tree and printed by its `Display` (`yardstick sql`).
//! The query returns the metric's aggregate table keyed by site (empty: all sites pooled),
//! period (empty: the site's baseline window) and the `by` dimensions, with each slot of
//! the plan (`agg0`, ...) and the row count `n`: what the results stage turns into values,
//! baselines and statuses. Every rule comes from the plan, as for the Polars back end.

mod ast;
mod expr;
mod query;

use crate::diag::{Diagnostic, codes};
use crate::ir::{ColumnType, FileFormat, Site, Vocabulary};
use crate::plan::{BasePlan, Plan};
use ast::*;
use sqlparser::ast::{BinaryOperator, Expr, Query};
use std::collections::BTreeMap;

/// The SQL dialects yardstick writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// DuckDB: the project's bound CSV files read where they are.
    #[value(name = "duckdb")]
    DuckDb,
    /// Spark SQL: each source a table of its name, typed by its schema, with the site's
    /// id in `site`.
    Spark,
}

impl Dialect {
    fn quote(self) -> char {
        match self {
            Dialect::DuckDb => '"',
            Dialect::Spark => '`',
        }
    }

    /// A naive UTC instant as wall-clock time in `tz`.
    fn wall_clock(self, instant: Expr, tz: &str) -> Expr {
        match self {
            Dialect::DuckDb => func("timezone", vec![string(tz), func("timezone", vec![string("UTC"), instant])]),
            Dialect::Spark => func("from_utc_timestamp", vec![instant, string(tz)]),
        }
    }

    /// A wall-clock time in `tz` as a naive UTC instant: the earlier one when the clock
    /// turns back, as yardstick reads local times (Spark does so; DuckDB alone would take
    /// the later, so it takes the earlier of reading it, and reading it an hour before and
    /// adding the hour).
    fn instant_of(self, wall: Expr, tz: &str) -> Expr {
        match self {
            Dialect::DuckDb => {
                let at = |w: Expr| func("timezone", vec![string("UTC"), func("timezone", vec![string(tz), w])]);
                let hour = Expr::Interval(sqlparser::ast::Interval {
                    value: Box::new(string("1 hour")),
                    leading_field: None,
                    leading_precision: None,
                    last_field: None,
                    fractional_seconds_precision: None,
                });
                let shifted =
                    bin(at(bin(wall.clone(), BinaryOperator::Minus, hour.clone())), BinaryOperator::Plus, hour);
                func("least", vec![at(wall), shifted])
            }
            Dialect::Spark => func("to_utc_timestamp", vec![wall, string(tz)]),
        }
    }

    /// Milliseconds since the epoch of a naive UTC instant.
    fn epoch_ms(self, instant: Expr) -> Expr {
        match self {
            Dialect::DuckDb => func("epoch_ms", vec![instant]),
            Dialect::Spark => func("unix_millis", vec![instant]),
        }
    }

    /// Whether text `haystack` holds `needle`.
    fn contains(self, haystack: Expr, needle: Expr) -> Expr {
        let at = match self {
            Dialect::DuckDb => func("strpos", vec![haystack, needle]),
            Dialect::Spark => func("instr", vec![haystack, needle]),
        };
        bin(at, BinaryOperator::Gt, int(0))
    }

    /// A group's values, nulls left out, sorted ascending, as a list.
    fn sorted(self, values: Expr) -> Expr {
        match self {
            Dialect::DuckDb => {
                let Expr::Function(mut list) = func("list", vec![values.clone()]) else { unreachable!("a function") };
                list.filter = Some(Box::new(is_not_null(values)));
                func("list_sort", vec![Expr::Function(list)])
            }
            Dialect::Spark => func("array_sort", vec![func("collect_list", vec![values])]),
        }
    }

    /// For each of a group's values (nulls left out) in ascending order, `flag` of its row:
    /// (value, flag) pairs sorted, then the flags alone.
    fn ended_in_order(self, values: Expr, flag: Expr) -> Expr {
        match self {
            Dialect::DuckDb => {
                let Expr::Function(mut pairs) = func("list", vec![func("row", vec![values.clone(), flag])]) else {
                    unreachable!("a function")
                };
                pairs.filter = Some(Box::new(is_not_null(values)));
                let sorted = func("list_sort", vec![Expr::Function(pairs)]);
                let second = func("struct_extract", vec![col(self, "p"), int(2)]);
                func("list_transform", vec![sorted, lambda(self, "p", second)])
            }
            Dialect::Spark => {
                // `collect_list` leaves out nulls only where the whole item is null.
                let pair = case(vec![(is_not_null(values.clone()), func("struct", vec![values, flag]))], None);
                let sorted = func("array_sort", vec![func("collect_list", vec![pair])]);
                func("transform", vec![sorted, lambda(self, "p", qcol(self, "p", "col2"))])
            }
        }
    }

    /// A number told apart for every row of a relation.
    fn row_id(self) -> Expr {
        match self {
            Dialect::DuckDb => over(func("row_number", Vec::new()), Vec::new(), Vec::new()),
            Dialect::Spark => func("monotonically_increasing_id", Vec::new()),
        }
    }

    /// The `p` quantile, interpolated linearly between the closest ranks.
    fn percentile(self, values: Expr, p: f64) -> Expr {
        match self {
            Dialect::DuckDb => func("quantile_cont", vec![values, float(p)]),
            Dialect::Spark => func("percentile", vec![values, float(p)]),
        }
    }
}

/// The SQL of `base` in `dialect`, for review or another scheduler.
pub fn metric_sql(plan: &Plan, base: &BasePlan, dialect: Dialect) -> Result<String, Vec<Diagnostic>> {
    let unsupported = |what: Unwritable| {
        vec![
            Diagnostic::error(codes::E0805, format!("`{}` cannot be written as SQL yet: {what}", base.metric.id))
                .help("compute it with `yardstick query` (the Polars engine computes every metric)"),
        ]
    };
    let mut zones: std::collections::BTreeMap<&str, (chrono_tz::Tz, Vec<String>)> = Default::default();
    for site in plan.inputs.sites.iter().filter(|s| s.timezone != chrono_tz::Tz::UTC) {
        zones.entry(site.timezone.name()).or_insert((site.timezone, Vec::new())).1.push(site.id.to_string());
    }
    let rows = expr::Rows {
        d: dialect,
        vocabs: plan.inputs.vocabularies,
        as_of: plan.as_of,
        zones: zones.into_values().collect(),
    };
    let problem = std::cell::RefCell::new(None);
    let source = |name: &str| match source_relation(plan, name, dialect) {
        Ok(q) => q,
        Err(why) => {
            problem.borrow_mut().get_or_insert(why);
            select_values(dialect, vec![(null(), "site".into())])
        }
    };
    let query = query::Lowering { plan, base, rows, source: &source }.query();
    if let Some(why) = problem.into_inner() {
        return Err(unsupported(why));
    }
    if let Some(text) = unsafe_text(&query, dialect) {
        return Err(unsupported(Unwritable::UnsafeText(text)));
    }
    Ok(format!("{query:#};\n"))
}

/// Why a source cannot be read in SQL yet.
#[derive(Debug, thiserror::Error)]
pub enum Unwritable {
    #[error("`{name}` at `{site}` is not a plain CSV export (UTF-8, commas)")]
    NotPlainCsv { name: String, site: String },
    #[error("no site binds `{0}`")]
    NotBound(String),
    #[error(
        "the text `{0}` holds a quote or a backslash, which engines read in different ways: yardstick does not write it into SQL"
    )]
    UnsafeText(String),
}

/// The first text in `query` that could end its quotes early in some engine: a string
/// literal holding `'` or `\`, a name holding the dialect's quote or `\`. sqlparser doubles a
/// quote unless a backslash comes before it, DuckDB reads a backslash as itself and Spark
/// as an escape, so such text is refused rather than escaped.
fn unsafe_text(query: &Query, d: Dialect) -> Option<String> {
    use sqlparser::ast::{Visit, Visitor};
    use std::ops::ControlFlow;
    struct Check(char);
    impl Visitor for Check {
        type Break = String;
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<String> {
            let bad_name = |i: &sqlparser::ast::Ident| i.value.contains([self.0, '\\']);
            let found = match e {
                Expr::Value(v) => match &v.value {
                    sqlparser::ast::Value::SingleQuotedString(s) if s.contains(['\'', '\\']) => Some(s.clone()),
                    _ => None,
                },
                Expr::Identifier(i) if bad_name(i) => Some(i.value.clone()),
                Expr::CompoundIdentifier(parts) => parts.iter().find(|i| bad_name(i)).map(|i| i.value.clone()),
                _ => None,
            };
            found.map_or(ControlFlow::Continue(()), ControlFlow::Break)
        }
    }
    match query.visit(&mut Check(d.quote())) {
        ControlFlow::Break(text) => Some(text),
        ControlFlow::Continue(()) => None,
    }
}

/// A source's rows at every site, typed by its schema, as the dialect reads them: DuckDB
/// reads the bound CSV files, Spark a table of the source's name.
fn source_relation(plan: &Plan, source: &str, d: Dialect) -> Result<Query, Unwritable> {
    let schema = &plan.inputs.sources[source];
    let reads = &plan.source(source).reads;
    let columns: Vec<&crate::ir::Column> = schema.columns.iter().filter(|c| reads.contains(&c.name)).collect();
    if d == Dialect::Spark {
        let mut items: Vec<(Expr, String)> = columns.iter().map(|c| (col(d, &c.name), c.name.clone())).collect();
        items.push((col(d, "site"), "site".into()));
        return Ok(select(
            d,
            SelectParts { items, from: table(d, source, None), selection: None, group_by: Vec::new() },
        ));
    }
    let mut parts = Vec::new();
    for site in plan.inputs.sites {
        let Some(binding) = plan.inputs.binding(source, site) else { continue };
        let formats = binding.dialect.date_format.is_some() || binding.dialect.datetime_format.is_some();
        if binding.format != FileFormat::Csv || !binding.dialect.is_plain_csv() || formats {
            return Err(Unwritable::NotPlainCsv { name: source.to_string(), site: site.id.to_string() });
        }
        // Relative to the project folder, where the SQL is run.
        let path = binding.file.replace("{site}", &site.id);
        if path.contains(['\'', '\\']) {
            return Err(Unwritable::UnsafeText(path));
        }
        let header = |c: &str| binding.columns.get(c).cloned().unwrap_or_else(|| c.to_string());
        let mut items: Vec<(Expr, String)> = Vec::new();
        // Under `unmapped: exclude`, a row with a code outside its vocabulary is left out.
        let mut outside = Vec::new();
        for c in &columns {
            let raw = col(d, &header(&c.name));
            let value = typed_cell(d, raw.clone(), &c.ty, site, plan.inputs.vocabularies);
            if matches!(c.ty, ColumnType::Vocab(_)) {
                let written = func("nullif", vec![func("trim", vec![raw]), string("")]);
                outside.push(and(is_not_null(written), is_null(value.clone())));
            }
            items.push((value, c.name.clone()));
        }
        items.push((string(&site.id), "site".into()));
        let selection =
            (plan.inputs.unmapped == crate::ir::Unmapped::Exclude && !outside.is_empty()).then(|| not(any(outside)));
        parts.push(select(d, SelectParts { items, from: read_csv(&path), selection, group_by: Vec::new() }));
    }
    if parts.is_empty() {
        return Err(Unwritable::NotBound(source.to_string()));
    }
    Ok(union_all(parts))
}

/// A cell read as text, as its column's type: trimmed, empty as NULL; a datetime without an
/// offset is the site's wall-clock time (the earlier instant when the clock turns back); a
/// code its site's term (mapped, or a deprecated code's replacement), NULL when it is none;
/// a list `;a;b;` with its items trimmed and mapped.
fn typed_cell(d: Dialect, raw: Expr, ty: &ColumnType, site: &Site, vocabs: &BTreeMap<String, Vocabulary>) -> Expr {
    let text = func("nullif", vec![func("trim", vec![raw]), string("")]);
    match ty {
        ColumnType::Int => cast(text, bigint()),
        ColumnType::Float => cast(text, double()),
        ColumnType::Bool => cast(text, sqlparser::ast::DataType::Boolean),
        ColumnType::Date => cast(text, sqlparser::ast::DataType::Date),
        ColumnType::DateTime => {
            let offset = func("regexp_matches", vec![text.clone(), string("(Z|[+-][0-9]{2}:?[0-9]{2})$")]);
            let with_zone = sqlparser::ast::DataType::Timestamp(None, sqlparser::ast::TimezoneInfo::WithTimeZone);
            let instant = func("timezone", vec![string("UTC"), cast(text.clone(), with_zone)]);
            let wall = d.instant_of(cast(text, timestamp_type()), site.timezone.name());
            case(vec![(offset, instant)], Some(wall))
        }
        ColumnType::Vocab(vocab) => term_of(text, site, vocabs.get(vocab)),
        ColumnType::List(item) => {
            // Items split at `;`, each trimmed (and mapped, for codes), held as `;a;b;`.
            let each = func("nullif", vec![func("trim", vec![col(d, "i")]), string("")]);
            let each = match item.as_ref() {
                ColumnType::Vocab(vocab) => term_of(each, site, vocabs.get(vocab)),
                _ => each,
            };
            let items = func(
                "list_transform",
                vec![func("string_split", vec![text.clone(), string(";")]), lambda(d, "i", each)],
            );
            let joined = func("array_to_string", vec![items, string(";")]);
            let held =
                bin(bin(string(";"), BinaryOperator::StringConcat, joined), BinaryOperator::StringConcat, string(";"));
            case(vec![(is_null(text), null())], Some(held))
        }
        ColumnType::String => text,
    }
}

/// A code as its site's term: a term as itself, mapped by the site, or a deprecated code's
/// replacement; NULL when it is none of them (outside its vocabulary).
fn term_of(code: Expr, site: &Site, vocab: Option<&Vocabulary>) -> Expr {
    let Some(vocab) = vocab else { return code };
    let is_term = |c: &str| vocab.terms.iter().any(|t| t.code == c);
    let term = |c: &str| if is_term(c) { Some(c.to_string()) } else { vocab.deprecated.get(c).cloned() };
    let mut other: BTreeMap<String, String> = vocab.deprecated.clone();
    for (written, mapped) in site.mappings.get(&vocab.name).into_iter().flatten() {
        if let Some(t) = term(mapped) {
            other.insert(written.clone(), t);
        }
    }
    // A site may map a term's own spelling to another term: its mapping comes first.
    let mut whens: Vec<(Expr, Expr)> = other.iter().map(|(c, t)| (eq(code.clone(), string(c)), string(t))).collect();
    let terms = vocab.terms.iter().map(|t| string(&t.code)).collect();
    whens.push((in_list(code.clone(), terms), code));
    case(whens, None)
}

/// DuckDB's statement writing `source`'s rows, typed as its schema says (codes as terms,
/// datetimes as UTC, the site's id in `site`), to a Parquet file at `path`: what a table of
/// it holds for the Spark dialect, made from the project's plain CSV exports. The columns
/// are those `plan` reads.
pub fn source_to_parquet(plan: &Plan, source: &str, path: &str) -> Result<String, Unwritable> {
    let query = source_relation(plan, source, Dialect::DuckDb)?;
    if let Some(text) =
        unsafe_text(&query, Dialect::DuckDb).or_else(|| path.contains(['\'', '\\']).then(|| path.to_string()))
    {
        return Err(Unwritable::UnsafeText(text));
    }
    let copy = sqlparser::ast::Statement::Copy {
        source: sqlparser::ast::CopySource::Query(Box::new(query)),
        to: true,
        target: sqlparser::ast::CopyTarget::File { filename: path.to_string() },
        options: vec![sqlparser::ast::CopyOption::Format(sqlparser::ast::Ident::new("parquet"))],
        legacy_options: Vec::new(),
        values: Vec::new(),
    };
    Ok(format!("{copy};\n"))
}
