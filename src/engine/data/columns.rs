//! One site's file, column by column: the header checked (a column missing, another
//! delimiter), each declared column parsed by its declared type, codes mapped onto
//! vocabulary terms, what does not parse reported with file, row, column and value.

use super::*;

/// One site's file of one source being parsed, column by column.
pub(super) struct Read<'a> {
    pub(super) inputs: &'a Inputs<'a>,
    pub(super) source: &'a Source,
    pub(super) site: &'a Site,
    pub(super) binding: &'a Binding,
    pub(super) path: &'a Path,
    pub(super) lines: &'a Lines,
    pub(super) excluded: &'a mut Vec<Option<&'static str>>,
    pub(super) report: &'a mut DataReport,
}

impl Read<'_> {
    /// Every declared column, typed, and the count of deprecated codes per column; `None`
    /// (reported) when a column is missing or does not parse.
    pub(super) fn columns(&mut self, raw: &DataFrame) -> Option<(Vec<Column>, BTreeMap<String, usize>)> {
        let mut columns = Vec::with_capacity(self.source.columns.len() + 2);
        let mut deprecated = BTreeMap::new();
        if self.other_delimiter(raw) {
            return None;
        }
        let mut ok = true;
        for col in &self.source.columns {
            let Ok(values) = raw.column(&col.name) else {
                self.missing(&col.name, raw);
                ok = false;
                continue;
            };
            let plain = self.binding.format != FileFormat::Csv || self.binding.dialect.is_plain_csv();
            if let Some(ready) = as_stored(self.inputs.vocabularies, self.site, &col.ty, values).filter(|_| plain) {
                columns.push(ready);
                continue;
            }
            match self.parse(col, values) {
                Some((series, n)) => {
                    if n > 0 {
                        deprecated.insert(col.name.clone(), n);
                    }
                    columns.push(series.into_column());
                }
                None => ok = false,
            }
        }
        ok.then_some((columns, deprecated))
    }

    /// Whether the header reads as one column holding another delimiter: said once for
    /// the file (E0705), instead of every declared column being missing.
    fn other_delimiter(&mut self, raw: &DataFrame) -> bool {
        let delimiter = char::from(self.binding.dialect.delimiter);
        let other = match raw.get_column_names().as_slice() {
            [one] if self.binding.format == FileFormat::Csv && self.source.columns.len() > 1 => [',', ';', '\t', '|']
                .into_iter()
                .find(|d| *d != delimiter && one.contains(*d))
                .map(|d| (one.to_string(), d)),
            _ => None,
        };
        let Some((header, d)) = other else { return false };
        let looks = if d == '\t' { "tab".to_string() } else { format!("`{d}`") };
        self.report.errors.push(
            Diagnostic::error(
                codes::E0705,
                format!(
                    "the columns of source `{}` are missing from {}: its header reads as one column, `{header}`",
                    self.source.name,
                    self.path.display()
                ),
            )
            .in_file(self.path)
            .help(format!(
                "the file looks {looks}-separated; say so in its binding `{}` in yardstick.yaml: `csv: {{delimiter: \"{}\"}}`",
                self.binding.at,
                d.escape_default()
            )),
        );
        true
    }

    fn missing(&mut self, column: &str, raw: &DataFrame) {
        let names: Vec<&str> = raw.get_column_names().iter().map(|n| n.as_str()).collect();
        // A header typo gets the close name first; the file's columns always follow.
        let declared = |n: &&str| self.source.column(n).is_none();
        let close = crate::diag::did_you_mean(column, names.iter().copied().filter(declared));
        let help = match close {
            Some(close) => format!("{close} (a header typo?); the file has: {}", names.join(", ")),
            None => format!("the file has: {}", names.join(", ")),
        };
        let read_as = match self.binding.columns.get(column) {
            Some(header) => format!(" (read from the header `{header}`, as its binding's `columns:` says)"),
            None => String::new(),
        };
        self.report.errors.push(
            Diagnostic::error(
                codes::E0705,
                format!(
                    "column `{column}`{read_as} of source `{}` is missing from {}",
                    self.source.name,
                    self.path.display()
                ),
            )
            .in_file(self.path)
            .help(help),
        );
    }

    /// Reports a column the file holds but Polars cannot hand over (E0704).
    fn unreadable<T>(&mut self, column: &str, e: PolarsError) -> Option<T> {
        let message = format!("cannot read column `{column}` of {}: {e}", self.path.display());
        self.report.errors.push(Diagnostic::error(codes::E0704, message).in_file(self.path));
        None
    }

    /// A column through our parser, with its count of deprecated codes; `None` (reported)
    /// when it cannot be used.
    fn parse(&mut self, col: &crate::ir::Column, values: &Column) -> Option<(Series, usize)> {
        let stored_datetimes = matches!(values.dtype(), DataType::Datetime(..)) && col.ty == ColumnType::DateTime;
        let text = if stored_datetimes { Ok(StringChunked::default()) } else { text_values(values) };
        let text = match text {
            Ok(t) => t,
            Err(e) => return self.unreadable(&col.name, e),
        };
        let mut cx = ColumnCx {
            path: self.path,
            source: self.source,
            column: &col.name,
            site: self.site,
            vocabularies: self.inputs.vocabularies,
            policy: self.inputs.unmapped,
            binding: self.binding,
            lines: self.lines,
            ty: &col.ty,
            bad: Vec::new(),
            unmapped: BTreeMap::new(),
            deprecated: 0,
            excluded: self.excluded,
            codes: HashMap::new(),
            moved: Vec::new(),
        };
        let series =
            if stored_datetimes { cx.stored_datetimes(values) } else { Ok(parse_column(&mut cx, &col.ty, &text)) };
        let series = match series {
            Ok(s) => s,
            Err(e) => return self.unreadable(&col.name, e),
        };
        cx.finish(self.report).then_some((series, cx.deprecated))
    }
}

/// The column as read, when it already is what the schema asks for: numbers and booleans
/// the file stored typed, text without cells to trim or empty, and codes that all are
/// terms. Anything else goes through our parser.
pub(super) fn as_stored(
    vocabularies: &BTreeMap<String, Vocabulary>,
    site: &Site,
    ty: &ColumnType,
    values: &Column,
) -> Option<Column> {
    let ready = match (ty, values.dtype()) {
        (ColumnType::Int, DataType::Int64) | (ColumnType::Float, DataType::Float64) => true,
        (ColumnType::Bool, DataType::Boolean) => true,
        // Dates a file stores typed (Parquet) are days already: no pattern applies.
        (ColumnType::Date, DataType::Date) => true,
        (ColumnType::String, DataType::String) => values.str().ok()?.iter().flatten().all(is_clean),
        (ColumnType::Vocab(v), DataType::String) => {
            let vocab = &vocabularies[v];
            let codes = values.as_materialized_series().unique().ok()?;
            codes
                .str()
                .ok()?
                .iter()
                .flatten()
                .all(|code| is_clean(code) && matches!(resolve(site, vocab, code), Code::Term(t) if t == code))
        }
        _ => false,
    };
    ready.then(|| values.clone())
}

/// A cell that reads as itself: not empty, nothing to trim.
pub(super) fn is_clean(v: &str) -> bool {
    let b = v.as_bytes();
    !b.is_empty() && !b[0].is_ascii_whitespace() && !b[b.len() - 1].is_ascii_whitespace()
}

/// A column as text, whatever type the file stored it as.
pub(super) fn text_values(c: &Column) -> PolarsResult<StringChunked> {
    let as_text = match c.dtype() {
        DataType::String => c.clone(),
        DataType::Datetime(_, _) => {
            // Render stored datetimes in the ISO form our parser reads.
            c.cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?.cast(&DataType::String)?
        }
        _ => c.cast(&DataType::String)?,
    };
    Ok(as_text.str()?.clone())
}

/// The cells of a text column: trimmed, empty ones (and the dialect's spellings of an
/// empty cell) as `None`.
pub(super) fn cells<'t>(text: &'t StringChunked, nulls: &[String]) -> impl Iterator<Item = Option<&'t str>> {
    let nulls: Vec<String> = nulls.to_vec();
    text.iter().map(move |v| v.map(str::trim).filter(|s| !s.is_empty() && !nulls.iter().any(|n| n == s)))
}

pub(super) struct ColumnCx<'a> {
    path: &'a Path,
    source: &'a Source,
    column: &'a str,
    site: &'a Site,
    vocabularies: &'a BTreeMap<String, Vocabulary>,
    policy: Unmapped,
    binding: &'a Binding,
    lines: &'a Lines,
    ty: &'a ColumnType,
    /// (row, value, expected) of values that do not parse.
    bad: Vec<(usize, String, String)>,
    /// Code to rows, for codes outside the vocabulary.
    unmapped: BTreeMap<String, (Vec<usize>, &'a Vocabulary)>,
    deprecated: usize,
    excluded: &'a mut Vec<Option<&'static str>>,
    /// What each code read so far resolved to: columns repeat few codes many times.
    codes: HashMap<String, Code<'a>>,
    /// (row, value) of wall-clock times in a DST gap, moved forward.
    moved: Vec<(usize, String)>,
}

/// What a code in a vocabulary column stands for at a site.
#[derive(Clone, Copy)]
pub(super) enum Code<'a> {
    Term(&'a str),
    Deprecated(&'a str),
    /// Neither a term nor mapped onto one; with the local mapping's target, if it has one.
    Unmapped {
        mapped_to: Option<&'a str>,
    },
}

impl<'a> ColumnCx<'a> {
    /// What to do about a value that does not parse: fix it, or describe in the binding
    /// how the export writes such values (the column's type is the shared set's).
    fn how_to_fix(&self) -> String {
        let (d, at) = (&self.binding.dialect, &self.binding.at);
        let csv = self.binding.format == FileFormat::Csv;
        let describe = match self.ty {
            ColumnType::Float if csv && !d.decimal_comma => {
                "`csv: {decimal: \",\", delimiter: \";\"}` for decimal commas"
            }
            ColumnType::Bool if csv => "its spellings, such as `csv: {\"true\": [tak], \"false\": [nie]}`",
            ColumnType::Date if d.date_format.is_none() => "its pattern, such as `date_format: \"%d.%m.%Y\"`",
            ColumnType::DateTime if d.datetime_format.is_none() => {
                "its pattern, such as `datetime_format: \"%d.%m.%Y %H:%M\"`"
            }
            _ => {
                return format!(
                    "fix the value in the export, or the binding `{at}` in yardstick.yaml that says how it is written"
                );
            }
        };
        format!(
            "fix the value in the export; if the export writes every such value this way, give {describe} in its binding `{at}` in yardstick.yaml"
        )
    }

    /// Turns what went wrong in this column into diagnostics; false when the column
    /// cannot be used.
    fn finish(&self, report: &mut DataReport) -> bool {
        self.gap_warning(report);
        let mut ok = true;
        if let Some((row, value, expected)) = self.bad.first() {
            let more = match self.bad.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more row{})", if n == 1 { "" } else { "s" }),
            };
            report.errors.push(
                Diagnostic::error(
                    codes::E0701,
                    format!(
                        "{}, {}, column `{}`: `{value}` is not {expected}{more}",
                        self.path.display(),
                        self.lines.row(*row),
                        self.column
                    ),
                )
                .in_file(self.path)
                .help(self.how_to_fix()),
            );
            ok = false;
        }
        for (code, (rows, vocab)) in &self.unmapped {
            let located = rules::located(self.path, rows, self.lines);
            let hint = close_code(self.site, vocab, code);
            match self.policy {
                Unmapped::Error => {
                    let map = format!(
                        "map it in the site's mappings file (sites/{}.yaml), or set `unmapped: exclude` to leave such rows out",
                        self.site.id
                    );
                    report.errors.push(
                        Diagnostic::error(
                            codes::E0702,
                            format!(
                                "code `{code}` in column `{}` of `{}` at site `{}` is not a term and not mapped ({} row{}): {located}",
                                self.column,
                                self.source.name,
                                self.site.id,
                                rows.len(),
                                if rows.len() == 1 { "" } else { "s" },
                            ),
                        )
                        .in_file(self.path)
                        .help(hint.map_or(map.clone(), |h| with_hint(&h, &map))),
                    );
                    ok = false;
                }
                Unmapped::Exclude => {
                    let key =
                        (self.site.id.to_string(), self.source.name.clone(), self.column.to_string(), code.clone());
                    report.excluded_codes.insert(key, Excluded { rows: rows.len(), located, hint });
                }
            }
        }
        ok
    }

    /// The UTC instant of a datetime read at this site; a wall-clock time in a DST gap is
    /// moved forward and recorded (with its text, made only then) for a warning.
    fn instant(&mut self, written: Written, row: usize, text: impl FnOnce() -> String) -> NaiveDateTime {
        match written {
            Written::Instant(utc) => utc,
            Written::Wall(wall) if self.site.timezone == Tz::UTC => wall,
            Written::Wall(wall) => {
                let (utc, moved) = wall_to_utc(wall, self.site.timezone);
                if moved {
                    self.moved.push((row, text()));
                }
                utc
            }
        }
    }

    /// Datetimes a Parquet file stores typed: with a time zone they are instants; without
    /// one, wall-clock times at the site, like offset-less text.
    fn stored_datetimes(&mut self, values: &Column) -> PolarsResult<Series> {
        let DataType::Datetime(_, zone) = values.dtype() else { polars_bail!(ComputeError: "not a datetime column") };
        let is_instant = zone.is_some() || self.site.timezone == Tz::UTC;
        let ms = values.cast(&DataType::Datetime(TimeUnit::Milliseconds, zone.clone()))?.to_physical_repr();
        let ms = ms.i64()?;
        let name: PlSmallStr = self.column.into();
        let utc: Vec<Option<i64>> = if is_instant {
            ms.iter().collect()
        } else {
            ms.iter()
                .enumerate()
                .map(|(row, v)| {
                    let wall = chrono::DateTime::from_timestamp_millis(v?)?.naive_utc();
                    let text = || wall.format("%Y-%m-%dT%H:%M:%S").to_string();
                    Some(self.instant(Written::Wall(wall), row, text).and_utc().timestamp_millis())
                })
                .collect()
        };
        Series::new(name, utc).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
    }

    /// The warning for wall-clock times that do not exist at the site (moved forward).
    fn gap_warning(&self, report: &mut DataReport) {
        if self.moved.is_empty() {
            return;
        }
        let rows: Vec<usize> = self.moved.iter().map(|(row, _)| *row).collect();
        let values: Vec<String> = self.moved.iter().take(5).map(|(_, v)| format!("`{v}`")).collect();
        let n = self.moved.len();
        let message = format!(
            "{}, column `{}`: {n} local time{} in the spring DST gap of {} ({}), moved forward by the gap's length",
            rules::located(self.path, &rows, self.lines),
            self.column,
            if n == 1 { "" } else { "s" },
            self.site.timezone.name(),
            values.join(", "),
        );
        report.warnings.push(
            Diagnostic::warning(codes::W0704, message)
                .in_file(self.path)
                .help("such a time never showed on the site's clocks; check the export, or write it with its offset"),
        );
    }

    /// The term for a code at this site, or `None` (recorded) when there is none.
    fn term(&mut self, vocab: &'a Vocabulary, code: &str, row: usize) -> Option<&'a str> {
        let resolved = match self.codes.get(code) {
            Some(c) => *c,
            None => {
                let c = resolve(self.site, vocab, code);
                self.codes.insert(code.to_string(), c);
                c
            }
        };
        match resolved {
            Code::Term(t) => Some(t),
            Code::Deprecated(t) => {
                self.deprecated += 1;
                Some(t)
            }
            Code::Unmapped { mapped_to } => {
                let rows = self.unmapped.entry(mapped_to.unwrap_or(code).to_string()).or_insert((Vec::new(), vocab));
                rows.0.push(row);
                self.excluded[row] = Some(UNMAPPED);
                None
            }
        }
    }
}

/// A term or mapped code of `vocab` at `site` that `code` may have meant: one differing
/// only in case first (codes are case-sensitive), else a close one.
pub(super) fn close_code(site: &Site, vocab: &Vocabulary, code: &str) -> Option<String> {
    let terms = vocab.terms.iter().map(|t| (t.code.as_str(), "a term"));
    let mapped = site.mappings.get(&vocab.name).into_iter().flat_map(|m| m.keys().map(|k| (k.as_str(), "mapped")));
    let known: Vec<(&str, &str)> = terms.chain(mapped).collect();
    if let Some((other, what)) = known.iter().find(|(k, _)| k.eq_ignore_ascii_case(code)) {
        return Some(format!("`{other}` is {what}, and codes are case-sensitive"));
    }
    crate::diag::did_you_mean(code, known.iter().map(|(k, _)| *k))
}

/// A close code's hint before what to do: a question (`did you mean ...?`) ends its
/// sentence.
pub(super) fn with_hint(hint: &str, then: &str) -> String {
    if hint.ends_with('?') { format!("{hint} If not, {then}") } else { format!("{hint}; {then}") }
}

/// What `code` stands for at `site`: its local mapping first, then the vocabulary.
pub(super) fn resolve<'a>(site: &'a Site, vocab: &'a Vocabulary, code: &str) -> Code<'a> {
    let mapped_to = site.mappings.get(&vocab.name).and_then(|m| m.get(code)).map(String::as_str);
    let code = mapped_to.unwrap_or(code);
    if let Some(t) = vocab.terms.iter().find(|t| t.code == code) {
        return Code::Term(&t.code);
    }
    match vocab.deprecated.get(code) {
        Some(new) => Code::Deprecated(new),
        None => Code::Unmapped { mapped_to },
    }
}

pub(super) fn parse_column<'a>(cx: &mut ColumnCx<'a>, ty: &ColumnType, text: &StringChunked) -> Series {
    let name: PlSmallStr = cx.column.into();
    let dialect: &'a Dialect = &cx.binding.dialect;
    let cells = || cells(text, &dialect.null_values);
    macro_rules! typed {
        ($parse:expr, $expected:expr) => {{
            let values: Vec<_> = cells()
                .enumerate()
                .map(|(row, v)| {
                    let v = v?;
                    let parsed = $parse(v);
                    if parsed.is_none() {
                        cx.bad.push((row, v.to_string(), $expected));
                    }
                    parsed
                })
                .collect();
            values
        }};
    }
    match ty {
        ColumnType::String => Series::new(name, cells().collect::<Vec<_>>()),
        ColumnType::Int => Series::new(name, typed!(|v: &str| v.parse::<i64>().ok(), "a whole number".into())),
        ColumnType::Float if dialect.decimal_comma => {
            // A dot would be a thousands separator here, which is not read: refused.
            let number = |v: &str| (!v.contains('.')).then(|| v.replace(',', ".").parse::<f64>().ok()).flatten();
            Series::new(name, typed!(number, "a number with a decimal comma (such as 12,5)".into()))
        }
        ColumnType::Float => Series::new(name, typed!(|v: &str| v.parse::<f64>().ok(), "a number".into())),
        ColumnType::Bool => {
            let spelt = |list: &[String]| list.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or ");
            let expected =
                format!("true ({}) or false ({})", spelt(&dialect.true_values), spelt(&dialect.false_values));
            Series::new(name, typed!(|v: &str| parse_bool(dialect, v), expected.clone()))
        }
        ColumnType::Date => {
            let days = dates(cx, dialect, cells());
            Series::new(name, days).cast(&DataType::Date).expect("days cast to dates")
        }
        ColumnType::DateTime => {
            let ms = datetimes(cx, dialect, cells());
            Series::new(name, ms).cast(&DataType::Datetime(TimeUnit::Milliseconds, None)).expect("ms cast to datetimes")
        }
        ColumnType::Vocab(v) => {
            let vocab = &cx.vocabularies[v];
            let values: Vec<Option<&str>> =
                cells().enumerate().map(|(row, t)| t.and_then(|code| cx.term(vocab, code, row))).collect();
            Series::new(name, values)
        }
        ColumnType::List(inner) => {
            let values: Vec<Option<String>> = cells()
                .enumerate()
                .map(|(row, t)| {
                    let t = t?;
                    let mut items = Vec::new();
                    for item in t.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                        let parsed = match inner.as_ref() {
                            ColumnType::Vocab(v) => cx.term(&cx.vocabularies[v], item, row).map(str::to_string),
                            ColumnType::String => Some(item.to_string()),
                            ColumnType::Int => item.parse::<i64>().ok().map(|i| i.to_string()).or_else(|| {
                                cx.bad.push((row, item.to_string(), "a whole number".into()));
                                None
                            }),
                            _ => Some(item.to_string()),
                        };
                        items.extend(parsed);
                    }
                    Some(format!(";{};", items.join(";")))
                })
                .collect();
            Series::new(name, values)
        }
    }
}

/// Days since the epoch of the cells of a date column, in the dialect's pattern or ISO.
pub(super) fn dates<'t>(
    cx: &mut ColumnCx,
    dialect: &Dialect,
    cells: impl Iterator<Item = Option<&'t str>>,
) -> Vec<Option<i32>> {
    let (expected, pattern) = match &dialect.date_format {
        Some(p) => (format!("a date written `{p}`"), Some(p.as_str())),
        None => ("a date (YYYY-MM-DD)".to_string(), None),
    };
    // A year before 1000 is one written short (`25` for 2025), never meant.
    let full = |d: NaiveDate| if d.year() < 1000 { Err(d.year()) } else { Ok(days_since_epoch(d)) };
    let day = |v: &str| match pattern {
        Some(p) => NaiveDate::parse_from_str(v, p).ok().map(full),
        None => iso_days(v.as_bytes()).map(Ok).or_else(|| parse_date(v).map(full)),
    };
    cells
        .enumerate()
        .map(|(row, v)| {
            let v = v?;
            match day(v) {
                Some(Ok(days)) => Some(days),
                Some(Err(year)) => {
                    cx.bad.push((row, v.to_string(), short_year(&expected, v, year)));
                    None
                }
                None => {
                    let why = no_such_day(v, pattern.unwrap_or("%Y-%m-%d")).unwrap_or_else(|| expected.clone());
                    cx.bad.push((row, v.to_string(), why));
                    None
                }
            }
        })
        .collect()
}

/// UTC milliseconds of the cells of a datetime column, in the dialect's pattern or ISO;
/// wall-clock times are read at the site.
pub(super) fn datetimes<'t>(
    cx: &mut ColumnCx,
    dialect: &Dialect,
    cells: impl Iterator<Item = Option<&'t str>>,
) -> Vec<Option<i64>> {
    let utc = cx.site.timezone == Tz::UTC;
    let expected = match &dialect.datetime_format {
        Some(p) => format!("a datetime written `{p}`"),
        None => "a datetime (ISO 8601, such as 2025-01-31T08:00:00Z)".into(),
    };
    cells
        .enumerate()
        .map(|(row, v)| {
            let v = v?;
            if dialect.datetime_format.is_none()
                && let Some(ms) = iso_utc_ms(v.as_bytes(), utc)
            {
                return Some(ms);
            }
            let written = match &dialect.datetime_format {
                Some(p) => instants::parse_with(v, p),
                None => parse_written(v),
            };
            let Some(written) = written else {
                let pattern = dialect.datetime_format.as_deref().unwrap_or("%Y-%m-%dT%H:%M:%S");
                cx.bad.push((row, v.to_string(), no_such_day(v, pattern).unwrap_or_else(|| expected.clone())));
                return None;
            };
            if let Some(year) = Some(written.year()).filter(|y| *y < 1000) {
                cx.bad.push((row, v.to_string(), short_year(&expected, v, year)));
                return None;
            }
            Some(cx.instant(written, row, || v.to_string()).and_utc().timestamp_millis())
        })
        .collect()
}
