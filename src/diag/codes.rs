//! Every diagnostic code, with what it means and what to do about it: one table, so a code
//! has one meaning, and `yardstick explain E0304` can print it as `rustc --explain` does.
//!
//! Codes are grouped by stage: E01 files and YAML, E02 expression syntax, E03 names, E04
//! types, E05 metrics, E06 the project, E07 data, E08 computing, E09 change control. W codes are warnings, N
//! codes notes (nothing to fix).
//! A code, once published, keeps its meaning; a retired code is not reused.

/// A diagnostic code, such as `E0304`: only the registry below makes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code(&'static str);

impl Code {
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The stage the code belongs to, as the reference groups it ("Names", "Data", ...).
    pub fn category(self) -> &'static str {
        CATEGORIES.iter().find(|(prefix, _)| self.0.starts_with(prefix)).map_or("Other", |(_, title)| title)
    }
}

impl std::ops::Deref for Code {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// The stages codes are grouped by, by prefix, in the reference's order.
const CATEGORIES: &[(&str, &str)] = &[
    ("E01", "Files and YAML"),
    ("E02", "Expression syntax"),
    ("E03", "Names"),
    ("E04", "Types"),
    ("E05", "Metrics"),
    ("E06", "The project"),
    ("E07", "Data"),
    ("E08", "Computing"),
    ("E09", "Change control"),
    ("N", "Notes"),
    ("W", "Warnings"),
];

/// What a code means and what to do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: Code,
    /// One line: what the code means.
    pub summary: &'static str,
    /// One or two sentences: what to do about it.
    pub help: &'static str,
}

/// Declares one constant per code (named as the code, valued as its text) and [`ALL`].
macro_rules! codes {
    ($($code:ident: $summary:literal, $help:literal;)*) => {
        $(
            #[doc = $summary]
            pub const $code: Code = Code(stringify!($code));
        )*
        /// Every code, sorted.
        pub const ALL: &[CodeInfo] = &[$(CodeInfo { code: $code, summary: $summary, help: $help }),*];
    };
}

codes! {
    E0101: "a YAML file that is not well-formed",
        "Check the quotes, brackets and indentation around the point shown.";
    E0102: "a key that this mapping does not accept",
        "Fix its spelling (the diagnostic suggests close keys) or remove it.";
    E0103: "a YAML value of the wrong kind for its key, such as text where a whole number is expected",
        "Give the kind of value the key takes: a number, true or false, a list or a mapping.";
    E0104: "a file or folder that cannot be read",
        "Check that it exists and that yardstick may read it.";
    E0105: "a folder that should be a project or a definition set holds neither yardstick.yaml nor set.yaml",
        "Pass the project folder with -p (or run inside it), and point `definitions` at a folder holding set.yaml.";
    E0106: "a required key is missing",
        "Add the key; the diagnostic's help says what it holds.";
    E0107: "a value that is not one of the words allowed for its key (grain, layer, direction, collection, ...)",
        "Use one of the words listed in the diagnostic.";
    E0108: "a date that is not a valid YYYY-MM-DD date",
        "Write dates as YYYY-MM-DD, for example 2024-01-01, and check that the day exists.";
    E0109: "a key given twice in one mapping",
        "Each key appears once in a mapping; remove one of them.";
    E0110: "the definition set's `version` is not a semantic version",
        "Write it as MAJOR.MINOR.PATCH, such as 1.0.0; projects accept versions with `requires`.";
    E0111: "a vocabulary, source or term defined twice",
        "Names are unique: remove or rename the second definition.";
    E0112: "a term code that does not match `[A-Za-z][A-Za-z0-9_-]*`",
        "Start the code with a letter and use only letters, digits, `_` and `-`.";
    E0113: "a deprecated code that is still listed among the vocabulary's terms",
        "Remove it from `terms` or from `deprecated`.";
    E0114: "a vocabulary group that contains itself, directly or through other groups",
        "A group may list other groups, but not in a circle.";
    E0115: "a source schema that declares the implicit `site` column",
        "Remove it: yardstick fills `site` from the project's binding.";
    E0116: "a join onto a source that has no `key`",
        "Declare `key:` in the joined source's schema.";
    E0117: "an unknown column type",
        "Column types are string, int, float, bool, date, datetime, {vocab: NAME} and {list: T}.";
    E0118: "a vocabulary group named like one of the vocabulary's terms",
        "Give the group a name that is not a term code, so `vocab.NAME` means one thing.";
    E0119: "a join column whose type differs from the type of the joined source's key",
        "Join on a column of the same type as the joined source's key.";
    E0120: "a YAML file that is empty or holds only comments",
        "Write the file's content (docs/definition-set.md and docs/project.md list the keys of each file), or remove the file if it does not belong there.";
    E0121: "`planned: true` on a column that is not a date or datetime",
        "Only a date known in advance (a due date, a target date) is planned; remove the key from this column.";
    E0122: "`min` or `max` on a column that is not a number (int or float)",
        "Bounds apply to int and float columns; remove them from this column.";
    E0123: "a column whose `min` is greater than its `max`, or a bound that is not a finite number",
        "Give `min` a number at most `max`, each at most about 1.8e308; both bounds are included.";
    E0124: "a source's `snapshot` column that is not a date column, or that may be empty",
        "`snapshot:` names a non-nullable `date` column holding the day each snapshot was taken.";
    E0125: "a source's `history` column that does not fit: `recorded_at` not a date or datetime every row has (nullable or `planned`), or `deleted` not a bool",
        "`history: {recorded_at: COL}` names a non-nullable, non-planned `date` or `datetime` column holding when each revision was recorded; `deleted:` names a `bool` column.";
    E0126: "a source with `history` but no `key`, or with both `history` and `snapshot`",
        "A revision history holds one row per change of a key: give the source a `key`; a source holds either periodic snapshots or revisions, not both.";
    E0127: "a vocabulary attribute whose type is not a number (`int`, `float`) or a list of terms",
        "Declare an attribute under `attributes:` as `int`, `float` or `{list: {vocab: NAME}}`: the data each term of the vocabulary carries.";
    E0128: "a term's attribute value that its vocabulary does not declare, or that does not fit the attribute's type",
        "Give each term only the attributes its vocabulary declares under `attributes:`: a number for `int` and `float` (a whole one for `int`), a list of terms or groups for a list.";

    E0201: "a syntax error in an expression",
        "Strings are double-quoted, dates written @2025-01-31, equality is `==`; docs/language.md has the whole language.";
    E0202: "a literal that is not a valid value: a whole number beyond 64 bits, an impossible date or datetime",
        "Whole numbers fit in 64 bits; dates are @YYYY-MM-DD and datetimes @YYYY-MM-DDTHH:MM:SS with Z or an offset.";
    E0203: "an expression longer than 10,000 characters",
        "Split it: move parts into metrics of their own, or list codes in a vocabulary group.";
    E0204: "an expression nested deeper than 64 levels of parentheses, brackets, `not` and unary `-`",
        "Remove redundant parentheses and double negations, or split the expression into metrics of their own.";
    E0205: "an expression with more than 1,000 operators",
        "Replace long `or` chains with `in [a, b, ...]` or a vocabulary group, or split the expression.";

    E0301: "an unknown column of a source",
        "Use one of the source's columns (or `site`); the diagnostic lists the close names.";
    E0302: "a dotted name `x.y` whose `x` is neither a vocabulary nor a join",
        "`x.y` names a term or group of vocabulary x, or column y of join x.";
    E0303: "a join named like a vocabulary, which makes `x.y` ambiguous",
        "Rename the join in the source schema.";
    E0304: "a code that is not a term (or group) of its vocabulary",
        "Use one of the vocabulary's terms; the diagnostic lists the close ones.";
    E0305: "a deprecated code used in an expression or a mapping, where a current term is needed",
        "Use the term that replaces it, as the diagnostic says.";
    E0306: "an unknown metric in a derived metric's `value`",
        "A derived metric names other metrics by their id (the `metric:` key).";
    E0307: "an unknown function",
        "Row functions are if, coalesce, hours_between, days_between, minutes_between, year, month, lower and contains; aggregates are count, count_distinct, sum, mean, median, min, max, percentile and share.";
    E0308: "an unknown source",
        "Name a source defined in sources/.";
    E0309: "an unknown vocabulary",
        "Name a vocabulary defined in vocab/.";
    E0310: "a name in a threshold other than `value`, `baseline` or `target`",
        "Thresholds compare `value` (and `baseline`, `target`) with numbers, as in `value <= 40`.";
    E0311: "a name with more than two dotted parts",
        "A name is `name` or `prefix.name`: a column, a vocabulary term or group, or a join's column.";
    E0312: "an unknown attribute in `attribute(term, \"name\")`: the term's vocabulary declares none of that name",
        "Name an attribute the vocabulary declares under `attributes:`, as a string: `attribute(asset_class, \"controls_required\")`.";

    E0401: "an aggregate where none is allowed: in `where`, in a threshold or in a derived metric's `value`",
        "Aggregates belong in a base metric's `value`; a derived metric combines the values of the metrics it names.";
    E0402: "a column used in `value` outside an aggregate",
        "Wrap it in an aggregate, such as sum(x), mean(x) or max(x): `value` has one number per period, not per row.";
    E0403: "an operand or argument of the wrong type",
        "Give the operator or function the type it takes; the label shows the type found.";
    E0404: "a term of one vocabulary where a term of another is expected",
        "Compare with a term of the expected vocabulary, as in `vocab.TERM`.";
    E0405: "an ordering (<, <=, >, >=, between) on terms of a vocabulary that is not ordered",
        "Compare with `==` or `in`, or declare `ordered: true` in the vocabulary if its terms are ranked.";
    E0406: "an ordering (<, <=, >, >=, between) of values that have no common order",
        "Both sides must be numbers, dates or datetimes, or terms of one ordered vocabulary.";
    E0407: "an aggregate inside another aggregate",
        "Compute the inner aggregate as a metric of its own and combine both in a derived metric.";
    E0409: "a function or aggregate called with the wrong number of arguments",
        "Give it the number of arguments the diagnostic says (docs/language.md lists every function).";
    E0410: "a `value` that is not a number",
        "Aggregate the rows into a number: count(), sum(x), mean(x), share(cond), ...";
    E0411: "a `where` or threshold that is not a condition",
        "Write a comparison, such as `severity == incident_severity.SEV1` or `value <= 40`.";
    E0412: "a time column that is not a date or datetime",
        "Time semantics place rows in periods by a date or datetime column.";
    E0413: "a percentile that is not a literal number from 0 to 100",
        "Write it as a number, as in `percentile(x, 90)` for the 90th percentile.";

    E0501: "a metric whose id differs from its file's name",
        "Rename the file or the metric: `metric: x` lives in x.yaml.";
    E0502: "a metric id defined twice",
        "Metric ids are unique in a definition set; rename or remove one.";
    E0503: "a derived metric that combines a metric of another grain",
        "A derived metric combines metrics of the same grain; change one grain or combine other metrics.";
    E0504: "derived metrics that depend on each other in a cycle",
        "A derived metric cannot depend on itself; compute one of them from a source.";
    E0505: "a derived metric (one without `source`) that has `time`, `where` or `by`",
        "Add `source:` to compute the metric from rows, or remove the key.";
    E0506: "a `time` that is not exactly one of {event: COL}, {open: FROM, close: TO} or {snapshot: COL}",
        "Keep one form: event counts a row in the period of COL, open while it is open, snapshot the latest snapshot.";
    E0507: "a threshold other than `green` and `amber`",
        "Thresholds are `green` and `amber`; anything that meets neither is red.";
    E0508: "a reference that is not in a known FRAMEWORK:EDITION/ID format",
        "Write references as iso27001:2022/A.5.24 (or a clause, iso27001:2022/9.1), iso27004:2016/B.5, iec62443-3-3/SR 6.2, csf:2.0/RS.MI-01 or sp800-53:r5/AC-2(1).";
    E0509: "`site` listed in `by`",
        "Remove it: `site` is always a dimension.";
    E0510: "a target `change` or `value` that is not a number",
        "Write a number such as -30% or 0.95.";
    E0511: "a target with both or neither of `change` and `value`",
        "Give one: `{change: -30%, by: DATE}` is relative to the baseline, `{value: 0.95}` absolute.";
    E0512: "a multi-valued (list) column used as a dimension in `by`",
        "Group by a single-valued column.";
    E0513: "a derived metric combining metrics that have different `by` dimensions",
        "Combine metrics with the same `by`, or with none; a derived metric is computed per dimension value.";
    E0514: "a `time: {snapshot: COL}` whose COL is not its source's `snapshot:` column",
        "Declare `snapshot: COL` in the source schema, or time the metric by the column the source declares.";
    E0515: "a project-local metric (under the project's `metrics:`) whose id is a metric of the definition set",
        "Give the project's metric an id of its own, such as one with the site or company as prefix; the set's metric keeps its meaning everywhere.";
    E0516: "an `allow:` entry that names no pitfall lint a metric (or, under a site, a site) can be exempt from",
        "`allow:` takes the metric pitfall lints W1001 to W1005, W1009, W1011 and W1012 (under a site: W1006 to W1008 and W1010), each as `{code: W1004, reason: \"...\"}`.";
    E0517: "an `allow:` entry without a reason",
        "Write why the pitfall does not apply to this metric in `reason:`; the catalog report shows it beside the metric.";
    E0518: "a `window:` that is not 2 to 36 periods or is on a metric whose value is not an event count, share or sum, or a `min_n` of 0",
        "Use `window: 4` (a rolling year of quarters) on a `count(...)`, `share(...)` or `sum(...)` with `time: {event: ...}`, and a `min_n` of at least 1.";

    E0519: "an `exposure:` that is not another metric of the same grain whose value is an event count or sum, or on a metric that is not one",
        "Name a flow of the set computed per the same grain, such as `exposure: production_hours`, on a `count(...)` or `sum(...)` of events: its rate is then judged per that flow.";
    E0520: "a metric's `scope:` that `set.yaml` does not declare under `scopes:`, or on a derived metric",
        "Name a scope of the set (`scopes:` in set.yaml) on a metric over a source; a derived metric is computed where its parts are.";
    E0521: "an `order:` entry in set.yaml that names no metric of the set, or one listed twice",
        "List each metric of the set at most once, by its id; metrics not listed follow in file order.";
    E0522: "a message in `reports/messages.yaml` without an English text, in a language reports are not written in, with placeholders other than its English text's, or naming one the text it rewords does not fill",
        "Give every message an `en:` text (a project rewording a text gives it too), write the others in a language of the list (`en`, `de`), and name the same `{placeholders}` in each, none the template does not fill.";

    E0601: "a `requires` that is not a version requirement",
        "Write it like \">=1.0, <2\".";
    E0602: "a definition set whose version does not satisfy the project's `requires`",
        "Point `definitions` at a compatible set, or widen `requires` after reviewing the set's changes.";
    E0603: "a `definitions` folder that does not exist",
        "`definitions` is a path relative to yardstick.yaml.";
    E0604: "a mappings or context file named in yardstick.yaml that does not exist",
        "Paths in yardstick.yaml are relative to the project folder.";
    E0605: "a `fiscal_year_start` that is not a month from 1 to 12",
        "1 is January (calendar years); 4 makes April the first fiscal month.";
    E0606: "a baseline that is neither `{months_before_rollout: N}` with N > 0 nor `{from: DATE, to: DATE}`",
        "Give one form: months_before_rollout counts back from each site's rollout; from/to is one window for all sites.";
    E0607: "coverage for a source that the project does not bind",
        "Coverage names a source bound under `sources:` in yardstick.yaml.";
    E0609: "a data file whose format cannot be told from its extension",
        "Data files end in .csv, .parquet, .ndjson or .jsonl.";
    E0610: "retired: a source used by a metric but not bound in the project was an error; it is now note N0610",
        "A project binds the sources it has; the metrics over the others are not collected (see N0610).";
    E0612: "an unknown site",
        "Name a site listed under `sites:` in yardstick.yaml.";
    E0613: "a site with the id `all`, which is reserved for the pooled all-sites row",
        "Give the site another id.";
    E0614: "a project with no sites",
        "List each site under `sites:` with its rollout date.";
    E0615: "a baseline window that ends before it starts",
        "Give `from` a date on or before `to`.";
    E0616: "a site `timezone` that is not an IANA time-zone name",
        "Write a name of the IANA time-zone database, such as Europe/Paris or America/New_York; the default is UTC.";
    E0617: "a coverage entry whose `to` is before its `from`",
        "Give `from` (the first day the export holds) a date on or before `to` (its last day).";
    E0618: "a `sources:` entry (the project's or a site's) that is neither `none` nor a binding, or names no source of the set",
        "Under a site, `sources: {capas: none}` says the site has no such export (its metrics are then not collected there); a mapping such as `{csv: {delimiter: \";\"}}` is the site's own binding.";
    E0619: "a source bound under some sites but neither bound nor said `none` at another",
        "Bind the source under the project's `sources:` (for every site) or under this site, or write `none` under the site if it has no such export.";
    E0620: "a binding whose file or options cannot be used: no `file`, a `csv:` option out of range, an unknown encoding, a date pattern that cannot read dates",
        "Fix the binding in yardstick.yaml; the diagnostic names the accepted values.";

    E0621: "a report in yardstick.yaml whose template is neither in the project's reports/ nor in the set's",
        "Name one of the templates the diagnostic lists, or add reports/NAME.md.j2 beside yardstick.yaml.";
    E0622: "a `definitions: {git: URL, rev: TAG}` that cannot be fetched: a URL git cannot reach, or a rev that is neither a tag, a branch nor a commit",
        "Check the URL and the tag; the set is cloned into yardstick's cache ($YARDSTICK_CACHE, else ~/.cache/yardstick) on first use and read offline afterwards; `yardstick fetch` refreshes it.";
    E0623: "a report's `out` that is empty, names a hidden file, leads out of the output folder, or is another report's, or is `index` (the build's front page, index.html)",
        "Give each report its own file name inside the output folder, such as `leadership-{period}.md`; `{site}` and `{period}` are filled in.";
    E0624: "a `judgement: {confidence: ...}` that is not a level from 0.5 to 0.999",
        "Write the confidence of the intervals as a fraction, such as 0.90 (the default) or 0.95.";
    E0625: "a `judgement: {green: ...}` that is not `evidence` or `guarded`",
        "Write `green: evidence` (the default: green when the interval shows the criterion is met) or `green: guarded` (green only when the whole interval meets it).";
    E0626: "a site's `scopes:` naming a scope the definition set does not declare",
        "List only scopes of the set (`scopes:` in its set.yaml), such as `scopes: [nis2]` for a site in scope of the NIS2 Directive.";
    E0627: "a report with `to_date: true` but no `grain`: a report judged to date needs the period it is judged in",
        "Give the report a `grain`, such as `grain: year` for a year-to-date management review, or remove `to_date`.";
    E0628: "a `locale:` (of the project or of a report) that is not a locale reports are written in",
        "Write one of the locales: `en` (the default), `en-GB`, `en-US`, `de`, `de-DE`, `de-AT` or `de-CH`.";

    E0701: "a value in a data file that does not parse as its column's type",
        "Fix the value in the export, or describe how the export writes values (decimal comma, booleans, date patterns) in its binding in yardstick.yaml.";
    E0702: "a code in the data that is neither a term of the column's vocabulary nor mapped at the site",
        "Map the code in the site's mappings file, or set `unmapped: exclude` to leave its rows out.";
    E0703: "a data file bound in the project that is missing at a site",
        "Export the file, or fix the binding's path in yardstick.yaml.";
    E0704: "a data file that cannot be read: not text in its encoding, a CSV row with fewer or more fields than the header, a corrupted Parquet file, NDJSON nested too deep, a header naming a column twice",
        "Check that the file is a well-formed CSV, Parquet or NDJSON export; the message names the line or what is corrupted (docs/files.md lists the limits).";
    E0705: "a column declared in the source schema that is missing from a data file, or a column a binding renames found beside a column of the schema's own name (which one is meant?)",
        "Add the column to the export, or fix its name in the export's header; when the header reads as one column, set the binding's `csv: {delimiter: ...}`.";
    E0706: "a `key` value found more than once at a site (more than once in one snapshot, for a snapshot source)",
        "Remove or merge the duplicated rows in the export; a key names one row per site (and snapshot).";
    E0707: "a `float` value that is not a finite number (NaN, inf or -inf)",
        "Fix the export: leave the cell empty when the value is unknown, in a nullable column.";
    E0708: "a number outside its column's `min` or `max`",
        "Fix the value in the export, or the bounds in the source schema.";
    E0709: "a row whose end comes before its start, between two columns a metric measures a duration between",
        "Fix the dates in the export: a negative duration would lower a mean or a sum instead of being caught.";
    E0710: "a row whose join key is not empty but names no row of the joined source known as of `as_of` at its site (a join miss), under the join's default `on_missing: error`",
        "Fix the key in the export (a typo, a renamed line or asset) or export the missing row of the joined source. If such rows are expected, the source schema's join says what they do: `on_missing: exclude` leaves them out of the metrics that read the join and counts them (`join_miss` in the results' `excluded_reasons`); `on_missing: keep` keeps them with the joined columns empty. An empty key joins nothing and is no miss.";

    E0801: "computing metrics needs a project, not a definition set alone",
        "Run inside a project folder (with yardstick.yaml), or pass it with -p.";
    E0802: "the query engine failed on definitions that checked: a bug in yardstick",
        "Please report it with the metric and the command you ran.";
    E0803: "no metric with this id in the definition set",
        "`yardstick check` lists the set's metrics.";
    E0804: "an `--as-of` day that has not ended yet at some site (in its time zone): refused, exit status 2",
        "Give a day that has ended at every site, or leave `--as-of` out: the default is the last day ended at every site. A run as of a day not yet over would judge periods that are not complete. Tests and replays fix today with `YARDSTICK_TODAY=YYYY-MM-DD`.";
    E0805: "a metric that `yardstick sql` cannot write as SQL yet",
        "For DuckDB, the SQL reads the project's exports where they are, and so far only plain CSV (UTF-8, commas, ISO dates, no `csv:` dialect): export the source that way, or use `--dialect spark` (each source a table of its name). Text that holds a quote or a backslash (a code, a path, a string in `where`) is not written into SQL, since engines read those in different ways. `yardstick query` computes every metric from every format.";

    E0901: "a metric whose fingerprint changed since the base revision while its `version` did not",
        "Raise the metric's `version`: its numbers or statuses can change, and results, reports and manifests must tell the two apart.";
    E0902: "a vocabulary whose terms, groups or deprecated codes changed since the base revision while its `version` did not",
        "Raise the vocabulary's `version`; the metrics over it change with it.";
    E0903: "a definition set whose `version` did not move as its changes since the base revision require",
        "A change that can move numbers needs at least a minor version (1.2.0 to 1.3.0); removing a metric, a vocabulary or a source schema needs a major one (2.0.0).";
    E0904: "a metric removed since the base revision while a report template still names it",
        "Remove or replace the metric's id in the template before removing the metric, so that no report silently loses a section.";

    N0610: "a source of the definition set that the project does not bind: the metrics over it are not collected",
        "Nothing to fix when the sites have no such export: its metrics show `not_collected`, never a zero. Say so once to silence the note, `sources: {capas: none}` in yardstick.yaml; bind it under `sources:` once they export it.";
    N0701: "rows of an event metric's source dated before the project's `start`: the first period counts them as left out (`before_start`)",
        "Nothing to fix when the export holds history from before the project; the results count them in the first period's `excluded` (`before_start`). Move `start` earlier to count them.";
    N0901: "the definitions did not exist at the base revision (`check --base`): every metric, vocabulary and source is new",
        "Nothing to fix: a new metric needs no version raised. `yardstick diff REV` lists them all as added.";

    W0501: "an event metric whose value mixes aggregates the baseline scales (count, sum) with others",
        "The value and its baseline are then not comparable; a per-item average compares well as a derived metric of two flows.";

    W0701: "rows of a source at a site left out because a code in them is not mapped (under `unmapped: exclude`)",
        "Map the codes in the site's mappings file to count these rows.";
    W0702: "rows read with a deprecated code, counted as the term that replaces it",
        "Update the export, or the site's mappings, to the replacing term.";
    W0703: "rows whose time column is empty, left out of the metrics that the column times",
        "Fill in the time column in the export; a row without it cannot be placed in a period. A column declared `nullable: true` is empty by design (a closing date of a case still open) and is not reported.";
    W0704: "datetimes without an offset that do not exist at their site (the spring DST gap), moved forward",
        "Check the export's clock: a wall-clock time skipped by the change to summer time was read as the time after the gap.";
    W0705: "a bound data file that holds no rows",
        "An export without rows is not a zero: the periods of the metrics over it have no value at the site (`no_data`). If the site had nothing to report, say so in its binding, `empty: none_to_report`, and its counts are zero; if the site has no such export, write `sources: {x: none}` under the site, and its metrics are not collected there.";
    W0706: "rows whose join key names no row of the joined source known as of `as_of`, under the join's `on_missing: exclude` (left out, counted as `join_miss`) or `keep` (kept with the joined columns empty)",
        "Fix the keys in the export to join them; the source schema's `on_missing` says what such rows do.";
    W0801: "a baseline window that the data covers for fewer than six months",
        "The window is clipped to the project's start and the source's coverage at the site; move the window, or read its baselines with care.";

    W0802: "a count whose events cluster: its baseline's monthly counts swing more than a Poisson process's (dispersion above 1.5)",
        "Its intervals and changes are widened by the square root of the dispersion (Laney's u' chart), so fewer changes are judged; a `window:` gathers more events. Look for what makes the events come together (one cause, one campaign, one reporting batch).";

    W0803: "a count whose baseline window is worse than the whole periods before it: a rollout after an unusually bad year (regression to the mean)",
        "An unusually bad year tends to be followed by a better one with or without the ISMS. Choose a baseline window of ordinary years, or read the changes at that site with this in mind.";
    W0804: "a quarterly count without `window:` whose quarters of the year differ more than chance allows (a season)",
        "A quarter is then judged against the baseline's average quarter and differs by its season alone: add `window: 4` to judge a rolling year beside each quarter.";

    W1001: "an outcome metric over a source of activity evidence (`evidence: true`): it counts documents, trainings or reviews, not outcomes",
        "Make it an activity metric, or measure the outcome the activity should change. Exempt a metric with `allow: [{code: W1001, reason: \"...\"}]`.";
    W1002: "a `higher_is_better` activity metric that is a raw count or sum: more activity scores better whether or not it helps (gaming)",
        "Measure coverage instead: the share of what should be done that was done (`share(...)`, unit `%`).";
    W1003: "an incident count tagged `leadership` without a severity and a detection-source companion in the same tag",
        "Incident counts rise when detection improves: tag `leadership` a metric of the same source by severity and one by detection source.";
    W1004: "a metric with a direction (`higher_is_better`, `lower_is_better`) but no decision criteria (no `target`, no `thresholds`)",
        "Give a `target` or `thresholds` (what value calls for action), or `direction: neutral` for a metric that only informs.";
    W1005: "a metric over data collected by hand (manual or mixed collection, in the set or at a site) without `caveats`",
        "Say in `caveats` how the manual collection limits the numbers (late, partial, uneven between sites); reports show it.";
    W1006: "a major incident (a `major_incident` context event) inside a site's baseline window",
        "The baseline is inflated by it, so improvements after rollout look larger: move the window, or read that site's changes with this in mind. Site lints are not silenced per metric: a site that keeps its window says why under `allow:` in yardstick.yaml.";
    W1007: "a site's baseline window shorter than six months (after the project's `start`)",
        "A short window carries its season and accidents: use six to twelve months.";
    W1008: "a site's baseline window that reaches past the coverage of a source it binds (`coverage: {from, to}`)",
        "Move the window inside the coverage, or read the baselines of the metrics over that source as partial.";
    W1009: "a metric whose baseline at a site rests on fewer than five rows (found by `check --data`)",
        "One row more or less moves such a baseline by a fifth or more: widen the window, compute at a coarser grain, or read the metric's changes there as noise.";
    W1010: "a change in how a source is collected (a `collection_change` context event) after a site's baseline window began",
        "Its baseline and later periods are measured differently, and a change may be an artefact of measurement: start the window after the change, or read the changes over that source with it in mind. Site lints are not silenced per metric: a site that keeps its window says why under `allow:` in yardstick.yaml.";
    W1011: "a metric tagged `leadership` whose value is a raw count or sum with no population and no `exposure:`",
        "A larger site looks worse for its size alone: make it a share of its population (`share(...)`), or judge it per a flow of the set (`exposure: production_hours`).";
    W1012: "a `change` target on a raw count (`count`, `count_distinct`) over a source marked `detection_dependent: true`",
        "Better detection raises such a count, so a reduction target rewards seeing less: judge severity, containment time or impact instead, or leave the count without a change target.";
}

/// The entry for `code`, in any case (`e0304` finds `E0304`).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    let code = code.trim();
    ALL.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

/// The reference page of every code (`docs/diagnostics.md`), written from [`ALL`] so that
/// it cannot drift from what yardstick reports; a test keeps the committed page equal.
pub fn reference() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         Every code yardstick reports, with what it means and what to do about it. This page is\n\
         generated from the code registry (`src/diag/codes.rs`); `yardstick explain CODE` prints\n\
         the same entry. E codes are errors (the run exits 1), W codes warnings and N codes\n\
         notes (nothing to fix). A code keeps its meaning once published; a retired code is not\n\
         reused.\n",
    );
    for (_, title) in CATEGORIES {
        out.push_str(&format!("\n## {title}\n"));
        for info in ALL.iter().filter(|c| c.code.category() == *title) {
            out.push_str(&format!("\n### {}\n\n{}.\n\n{}\n", info.code, capitalized(info.summary), info.help));
        }
    }
    out
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
