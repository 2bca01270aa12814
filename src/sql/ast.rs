//! Building SQL through sqlparser's syntax tree: every name becomes a quoted identifier and
//! every value a literal, printed (and escaped) by the tree's `Display`, never pasted into
//! text. Nodes with many fields are taken from a parsed skeleton and filled in, so that a
//! new field in sqlparser does not change what is built.

use super::Dialect;
use sqlparser::ast::{
    BinaryOperator, CaseWhen, CastKind, Cte, DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
    GroupByExpr, Ident, ObjectName, ObjectNamePart, OrderByExpr, OrderByOptions, Query, Select, SelectItem, SetExpr,
    Statement, TableAlias, TableFactor, TableWithJoins, UnaryOperator, Value, WindowSpec, WindowType, With,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// The one query of a fixed text.
fn parsed(text: &str) -> Query {
    match Parser::parse_sql(&GenericDialect {}, text).ok().and_then(|mut s| s.pop()) {
        Some(Statement::Query(q)) => *q,
        _ => unreachable!("a fixed skeleton parses"),
    }
}

/// The SELECT of a fixed text.
fn select_of(query: Query) -> Select {
    match *query.body {
        SetExpr::Select(s) => *s,
        _ => unreachable!("a fixed SELECT skeleton"),
    }
}

/// A name quoted as the dialect quotes identifiers.
pub fn ident(d: Dialect, name: &str) -> Ident {
    Ident::with_quote(d.quote(), name)
}

pub fn col(d: Dialect, name: &str) -> Expr {
    Expr::Identifier(ident(d, name))
}

pub fn qcol(d: Dialect, table: &str, name: &str) -> Expr {
    Expr::CompoundIdentifier(vec![ident(d, table), ident(d, name)])
}

pub fn object(d: Dialect, name: &str) -> ObjectName {
    ObjectName(vec![ObjectNamePart::Identifier(ident(d, name))])
}

pub fn string(s: &str) -> Expr {
    Expr::Value(Value::SingleQuotedString(s.to_string()).into())
}

pub fn int(i: i64) -> Expr {
    Expr::Value(Value::Number(i.to_string(), false).into())
}

/// A float literal, written in full (never with an exponent), so that it reads back as
/// the same double.
pub fn float(f: f64) -> Expr {
    let text = if f.fract() == 0.0 && f.abs() < 1e15 { format!("{f:.1}") } else { format!("{f}") };
    Expr::Value(Value::Number(text, false).into())
}

pub fn boolean(b: bool) -> Expr {
    Expr::Value(Value::Boolean(b).into())
}

pub fn null() -> Expr {
    Expr::Value(Value::Null.into())
}

/// A typed literal: `DATE '2025-01-01'`, `TIMESTAMP '2025-01-01 00:00:00'`.
pub fn typed(data_type: DataType, text: String) -> Expr {
    Expr::TypedString(sqlparser::ast::TypedString {
        data_type,
        value: sqlparser::ast::ValueWithSpan {
            value: Value::SingleQuotedString(text),
            span: sqlparser::tokenizer::Span::empty(),
        },
        uses_odbc_syntax: false,
    })
}

pub fn date(day: chrono::NaiveDate) -> Expr {
    typed(DataType::Date, day.format("%Y-%m-%d").to_string())
}

/// A wall-clock or UTC time, to the millisecond.
pub fn timestamp(t: chrono::NaiveDateTime) -> Expr {
    typed(timestamp_type(), t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
}

pub fn timestamp_type() -> DataType {
    DataType::Timestamp(None, sqlparser::ast::TimezoneInfo::None)
}

pub fn bin(l: Expr, op: BinaryOperator, r: Expr) -> Expr {
    Expr::BinaryOp { left: Box::new(nested(l)), op, right: Box::new(nested(r)) }
}

/// `e` in parentheses where it is an operation, so that precedence never depends on
/// printing.
pub fn nested(e: Expr) -> Expr {
    match e {
        Expr::BinaryOp { .. } | Expr::UnaryOp { .. } | Expr::IsNull(_) | Expr::IsNotNull(_) | Expr::InList { .. } => {
            Expr::Nested(Box::new(e))
        }
        e => e,
    }
}

pub fn and(l: Expr, r: Expr) -> Expr {
    bin(l, BinaryOperator::And, r)
}

pub fn or(l: Expr, r: Expr) -> Expr {
    bin(l, BinaryOperator::Or, r)
}

pub fn eq(l: Expr, r: Expr) -> Expr {
    bin(l, BinaryOperator::Eq, r)
}

pub fn not(e: Expr) -> Expr {
    Expr::UnaryOp { op: UnaryOperator::Not, expr: Box::new(nested(e)) }
}

pub fn is_null(e: Expr) -> Expr {
    Expr::IsNull(Box::new(nested(e)))
}

pub fn is_not_null(e: Expr) -> Expr {
    Expr::IsNotNull(Box::new(nested(e)))
}

pub fn in_list(e: Expr, list: Vec<Expr>) -> Expr {
    Expr::InList { expr: Box::new(nested(e)), list, negated: false }
}

/// Every one of `items` holds; true of none.
pub fn all(items: impl IntoIterator<Item = Expr>) -> Expr {
    items.into_iter().reduce(and).unwrap_or_else(|| boolean(true))
}

pub fn any(items: impl IntoIterator<Item = Expr>) -> Expr {
    items.into_iter().reduce(or).unwrap_or_else(|| boolean(false))
}

/// `CASE WHEN c THEN r ... ELSE e END`.
pub fn case(whens: Vec<(Expr, Expr)>, otherwise: Option<Expr>) -> Expr {
    if whens.is_empty() {
        return otherwise.unwrap_or_else(null);
    }
    Expr::Case {
        case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        operand: None,
        conditions: whens.into_iter().map(|(condition, result)| CaseWhen { condition, result }).collect(),
        else_result: otherwise.map(Box::new),
    }
}

pub fn cast(e: Expr, data_type: DataType) -> Expr {
    Expr::Cast { kind: CastKind::Cast, expr: Box::new(e), data_type, array: false, format: None }
}

pub fn double() -> DataType {
    DataType::Double(sqlparser::ast::ExactNumberInfo::None)
}

pub fn bigint() -> DataType {
    DataType::BigInt(None)
}

/// `name(args)`, the name as a plain (unquoted) function name.
pub fn func(name: &str, args: Vec<Expr>) -> Expr {
    let mut f = function_skeleton();
    f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]);
    f.args = FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
        duplicate_treatment: None,
        args: args.into_iter().map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a))).collect(),
        clauses: Vec::new(),
    });
    Expr::Function(f)
}

/// `count(*)`.
pub fn count_all() -> Expr {
    let mut f = function_skeleton();
    f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new("count"))]);
    f.args = FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
        duplicate_treatment: None,
        args: vec![FunctionArg::Unnamed(FunctionArgExpr::Wildcard)],
        clauses: Vec::new(),
    });
    Expr::Function(f)
}

/// `count(DISTINCT e)`.
pub fn count_distinct(e: Expr) -> Expr {
    let mut f = function_skeleton();
    f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new("count"))]);
    f.args = FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
        duplicate_treatment: Some(sqlparser::ast::DuplicateTreatment::Distinct),
        args: vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(e))],
        clauses: Vec::new(),
    });
    Expr::Function(f)
}

fn function_skeleton() -> Function {
    match parsed("SELECT f(1)").body.as_ref() {
        SetExpr::Select(s) => match &s.projection[0] {
            SelectItem::UnnamedExpr(Expr::Function(f)) => f.clone(),
            _ => unreachable!("a fixed function skeleton"),
        },
        _ => unreachable!("a fixed SELECT skeleton"),
    }
}

/// `f OVER (PARTITION BY ... ORDER BY ...)`; each order item ascending unless `false`.
pub fn over(f: Expr, partition_by: Vec<Expr>, order_by: Vec<(Expr, bool)>) -> Expr {
    let Expr::Function(mut f) = f else { unreachable!("a window over a function") };
    f.over = Some(WindowType::WindowSpec(WindowSpec {
        window_name: None,
        partition_by,
        order_by: order_by
            .into_iter()
            .map(|(expr, asc)| OrderByExpr {
                expr,
                options: OrderByOptions { asc: Some(asc), nulls_first: None },
                with_fill: None,
            })
            .collect(),
        window_frame: None,
    }));
    Expr::Function(f)
}

/// One SELECT: named items from `from` where `selection`, grouped by `group_by` (grouping
/// sets when more than one).
pub struct SelectParts {
    pub items: Vec<(Expr, String)>,
    pub from: TableWithJoins,
    pub selection: Option<Expr>,
    pub group_by: Vec<Vec<Expr>>,
}

pub fn select(d: Dialect, parts: SelectParts) -> Query {
    let mut query = parsed("SELECT 1 FROM t");
    let mut select = select_of(query.clone());
    select.projection = parts
        .items
        .into_iter()
        .map(|(expr, alias)| SelectItem::ExprWithAlias { expr, alias: ident(d, &alias) })
        .collect();
    select.from = vec![parts.from];
    select.selection = parts.selection;
    // One empty set: no GROUP BY, one row over all rows (none included).
    select.group_by = match parts.group_by.len() {
        0 => GroupByExpr::Expressions(Vec::new(), Vec::new()),
        1 => GroupByExpr::Expressions(parts.group_by.into_iter().next().unwrap_or_default(), Vec::new()),
        _ => GroupByExpr::Expressions(vec![Expr::GroupingSets(parts.group_by)], Vec::new()),
    };
    query.body = Box::new(SetExpr::Select(Box::new(select)));
    query
}

/// `SELECT *` from `from` where `selection`, with `extra` items after the star.
pub fn select_all(d: Dialect, from: TableWithJoins, extra: Vec<(Expr, String)>, selection: Option<Expr>) -> Query {
    with_star(d, parsed("SELECT * FROM t"), from, extra, selection)
}

/// The star query `query` (`SELECT *` or `SELECT alias.*`) with `extra` items after the star,
/// from `from` where `selection`.
fn with_star(
    d: Dialect,
    mut query: Query,
    from: TableWithJoins,
    extra: Vec<(Expr, String)>,
    selection: Option<Expr>,
) -> Query {
    let mut select = select_of(query.clone());
    select
        .projection
        .extend(extra.into_iter().map(|(expr, alias)| SelectItem::ExprWithAlias { expr, alias: ident(d, &alias) }));
    select.from = vec![from];
    select.selection = selection;
    query.body = Box::new(SetExpr::Select(Box::new(select)));
    query
}

/// A table (or CTE) by name, with an alias.
pub fn table(d: Dialect, name: &str, alias: Option<&str>) -> TableWithJoins {
    let select = select_of(parsed("SELECT 1 FROM t AS a"));
    let mut from = select.from.into_iter().next().unwrap_or_else(|| unreachable!("a FROM in the skeleton"));
    if let TableFactor::Table { name: n, alias: a, .. } = &mut from.relation {
        *n = object(d, name);
        *a = match (a.take(), alias) {
            (Some(mut template), Some(alias)) => {
                template.name = ident(d, alias);
                Some(template)
            }
            _ => None,
        };
    }
    from
}

/// `left LEFT JOIN right ON on`.
pub fn left_join(left: TableWithJoins, right: TableWithJoins, on: Expr) -> TableWithJoins {
    joined(left, right, on, "SELECT 1 FROM t LEFT JOIN u ON TRUE")
}

/// `left JOIN right ON on`.
pub fn inner_join(left: TableWithJoins, right: TableWithJoins, on: Expr) -> TableWithJoins {
    joined(left, right, on, "SELECT 1 FROM t JOIN u ON TRUE")
}

/// `left` with the join of `skeleton` to `right` on `on`.
fn joined(mut left: TableWithJoins, right: TableWithJoins, on: Expr, skeleton: &str) -> TableWithJoins {
    use sqlparser::ast::{JoinConstraint, JoinOperator};
    let select = select_of(parsed(skeleton));
    let from = select.from.into_iter().next().unwrap_or_else(|| unreachable!("a FROM in the skeleton"));
    let mut join = from.joins.into_iter().next().unwrap_or_else(|| unreachable!("a JOIN in the skeleton"));
    join.relation = right.relation;
    join.join_operator = match join.join_operator {
        JoinOperator::LeftOuter(_) => JoinOperator::LeftOuter(JoinConstraint::On(on)),
        JoinOperator::Left(_) => JoinOperator::Left(JoinConstraint::On(on)),
        JoinOperator::Join(_) => JoinOperator::Join(JoinConstraint::On(on)),
        JoinOperator::Inner(_) => JoinOperator::Inner(JoinConstraint::On(on)),
        other => other,
    };
    left.joins.push(join);
    left
}

/// `q1 UNION ALL q2 ...`.
pub fn union_all(queries: Vec<Query>) -> Query {
    let mut queries = queries.into_iter();
    let first = queries.next().unwrap_or_else(|| parsed("SELECT 1"));
    queries.fold(first, |acc, q| {
        let mut out = parsed("SELECT 1");
        out.body = Box::new(SetExpr::SetOperation {
            op: sqlparser::ast::SetOperator::Union,
            set_quantifier: sqlparser::ast::SetQuantifier::All,
            left: acc.body,
            right: q.body,
        });
        out
    })
}

/// `WITH name AS (query), ... body`.
pub fn with(d: Dialect, ctes: Vec<(String, Query)>, mut body: Query) -> Query {
    let skeleton = parsed("WITH a AS (SELECT 1) SELECT 1");
    let mut with: With = skeleton.with.unwrap_or_else(|| unreachable!("a WITH in the skeleton"));
    let template: Cte = with.cte_tables.remove(0);
    with.cte_tables = ctes
        .into_iter()
        .map(|(name, query)| {
            let mut alias: TableAlias = template.alias.clone();
            alias.name = ident(d, &name);
            Cte { alias, query: Box::new(query), ..template.clone() }
        })
        .collect();
    body.with = Some(with);
    body
}

/// `SELECT e AS a, ...` without a FROM: one row.
pub fn select_values(d: Dialect, items: Vec<(Expr, String)>) -> Query {
    let mut query = parsed("SELECT 1");
    let mut select = select_of(query.clone());
    select.projection =
        items.into_iter().map(|(expr, alias)| SelectItem::ExprWithAlias { expr, alias: ident(d, &alias) }).collect();
    query.body = Box::new(SetExpr::Select(Box::new(select)));
    query
}

/// `SELECT alias.*, extra... FROM from WHERE selection`.
pub fn select_star_of(
    d: Dialect,
    alias: &str,
    from: TableWithJoins,
    extra: Vec<(Expr, String)>,
    selection: Option<Expr>,
) -> Query {
    let mut query = parsed("SELECT r.* FROM t");
    if let SetExpr::Select(select) = query.body.as_mut()
        && let Some(SelectItem::QualifiedWildcard(sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(name), _)) =
            select.projection.first_mut()
    {
        *name = object(d, alias);
    }
    with_star(d, query, from, extra, selection)
}

/// DuckDB's `read_csv(path, ...)`: every cell as text, the format said rather than guessed
/// (a header, commas, double quotes doubled inside quotes).
pub fn read_csv(path: &str) -> TableWithJoins {
    let select = select_of(parsed(
        "SELECT 1 FROM read_csv('x', header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')",
    ));
    let mut from = select.from.into_iter().next().unwrap_or_else(|| unreachable!("a FROM in the skeleton"));
    if let TableFactor::Table { args: Some(args), .. } = &mut from.relation
        && let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(first))) = args.args.first_mut()
    {
        *first = string(path);
    }
    from
}

/// `SELECT * FROM (VALUES (..), ...) AS name(columns)`: a constant table, one row per line.
pub fn values_table(d: Dialect, name: &str, columns: &[&str], rows: Vec<Vec<Expr>>) -> Query {
    let mut query = parsed("SELECT * FROM (VALUES (1, 2)) AS p(a, b)");
    let mut select = select_of(query.clone());
    if let Some(from) = select.from.first_mut()
        && let TableFactor::Derived { subquery, alias: Some(alias), .. } = &mut from.relation
    {
        if let SetExpr::Values(values) = subquery.body.as_mut()
            && let Some(template) = values.rows.first().cloned()
        {
            values.rows =
                rows.into_iter().map(|content| sqlparser::ast::Parens { content, ..template.clone() }).collect();
        }
        alias.name = ident(d, name);
        if let Some(first) = alias.columns.first().cloned() {
            alias.columns = columns
                .iter()
                .map(|c| sqlparser::ast::TableAliasColumnDef { name: ident(d, c), ..first.clone() })
                .collect();
        }
    }
    query.body = Box::new(SetExpr::Select(Box::new(select)));
    query
}

/// `name -> body`: a function over each item of a list.
pub fn lambda(d: Dialect, name: &str, body: Expr) -> Expr {
    Expr::Lambda(sqlparser::ast::LambdaFunction {
        params: sqlparser::ast::OneOrManyWithParens::One(sqlparser::ast::LambdaFunctionParameter {
            name: ident(d, name),
            data_type: None,
        }),
        body: Box::new(body),
        // DuckDB deprecates the arrow; Spark knows only the arrow.
        syntax: match d {
            Dialect::DuckDb => sqlparser::ast::LambdaSyntax::LambdaKeyword,
            Dialect::Spark => sqlparser::ast::LambdaSyntax::Arrow,
        },
    })
}
