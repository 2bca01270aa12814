//! The plan in words, as `explain` prints it.

use super::post::Post;
use super::{BasePlan, DerivedPlan, JoinPick, Plan};
use crate::ir::{Builtin, ThresholdInput, TimeSemantics};
use std::fmt::{self, Write as _};

impl Plan<'_> {
    /// A base plan, one rule a line.
    pub fn describe_base(&self, b: &BasePlan) -> String {
        let mut out = String::new();
        let w = &mut out;
        let grain = format!("{:?}", b.grain).to_lowercase();
        let _ = writeln!(w, "rows:       `{}` at every site, less rows with a code outside its vocabulary", b.source);
        if let Some(scope) = &b.metric.scope {
            let outside: Vec<&str> = b.out_of_scope.iter().map(|s| s.as_str()).collect();
            let outside = if outside.is_empty() { "none".to_string() } else { outside.join(", ") };
            let _ =
                writeln!(w, "scope:      `{scope}` only: no rows and no results at the sites outside it ({outside})");
        }
        for source in std::iter::once(&b.source).chain(b.joins.iter().map(|j| &j.source)) {
            self.describe_reading(w, source);
        }
        for j in &b.joins {
            let pick = match &j.pick {
                JoinPick::LastInFile => "of several rows per key, the last in file order".to_string(),
                JoinPick::LatestSnapshot { column } => match b.time {
                    TimeSemantics::Event { .. } => {
                        format!("the latest `{column}` on or before the row's time (else the key's first)")
                    }
                    _ => format!("the latest `{column}` on or before the period's end (else the key's first)"),
                },
            };
            let known = if j.known_by.is_empty() {
                String::new()
            } else {
                format!("rows count when {} is before the end of as_of; ", j.known_by.join(", "))
            };
            let _ = writeln!(
                w,
                "join:       {} = `{}` on {} = {}.{} (reads {}); {known}{pick}",
                j.name,
                j.source,
                j.on,
                j.name,
                j.key,
                j.columns.join(", ")
            );
        }
        for c in &b.rows_within {
            let to = c.span.to.map(|to| format!(" to {to}")).unwrap_or_default();
            let _ = writeln!(w, "coverage:   {} from {}{to} (by {})", c.site, c.span.from, b.time.column());
        }
        for (site, last) in &b.data_ends {
            let _ = writeln!(w, "export end: {site} on {last}: rows opened later left out, closes dated later unknown");
        }
        let (first, last) =
            (self.calendar.label(b.grain, b.periods.first), self.calendar.label(b.grain, b.periods.last));
        let _ = writeln!(w, "periods:    {grain} {first} .. {last}; {}", placement(&b.time));
        if let Some(f) = &b.filter {
            let _ = writeln!(w, "where:      {f}");
        }
        let dims: String = b.by.iter().map(|d| format!(", {d}")).collect();
        let _ = writeln!(w, "group by:   site, period{dims}; and all sites pooled: period{dims}");
        for (i, s) in b.slots.iter().enumerate() {
            let _ = writeln!(w, "aggregate:  #{i} = {s}");
        }
        let _ = writeln!(w, "value:      {}", b.post);
        match &b.baseline {
            Some(windows) => {
                let listed: Vec<String> =
                    windows.iter().map(|w| format!("{} {} .. {}", w.site, w.window.from, w.window.to)).collect();
                let scaled = match b.time {
                    TimeSemantics::Event { .. } => format!("; counts and sums scaled to one {grain} by its months"),
                    _ => String::new(),
                };
                let _ = writeln!(w, "baseline:   each site's window as one period: {}{scaled}", listed.join(", "));
            }
            None => {
                let _ = writeln!(w, "baseline:   none (no site has a baseline window)");
            }
        }
        out
    }

    /// Which rows and values of `source` a build as of a day reads: its current revisions,
    /// and the recorded dates not yet known.
    fn describe_reading(&self, w: &mut String, source: &str) {
        if let Some(schema) = self.inputs.sources.get(source)
            && let (Some(h), Some(key)) = (&schema.history, &schema.key)
        {
            let deleted = h.deleted.as_ref().map(|d| format!(", unless `{d}` removes the key")).unwrap_or_default();
            let _ = writeln!(
                w,
                "history:    `{source}`: per {key}, the latest revision by `{}` recorded by the end of as_of{deleted}",
                h.recorded_at
            );
        }
        let unknown = &self.source(source).unknown_after;
        if !unknown.is_empty() {
            let _ = writeln!(w, "as of:      `{source}`: {} after the end of as_of read as null", unknown.join(", "));
        }
    }

    /// A derived plan in one line.
    pub fn describe_derived(&self, d: &DerivedPlan) -> String {
        let inputs: Vec<&str> = d.inputs.iter().map(|i| i.0.as_str()).collect();
        format!(
            "derived:    {} from {} per site, dimension value and period; baselines from theirs\n",
            d.post,
            inputs.join(", ")
        )
    }
}

fn placement(time: &TimeSemantics) -> String {
    match time {
        TimeSemantics::Event { column } => {
            format!("a row counts in the period holding `{column}`, if before the end of as_of")
        }
        TimeSemantics::Open { from, close } => format!(
            "a row counts in each period at whose end it is open (`{from}` before it{}); closes after as_of are not known yet",
            close.as_ref().map_or(String::new(), |c| format!(", `{c}` empty or not before it"))
        ),
        TimeSemantics::Snapshot { column } => {
            format!("each site's rows of the latest `{column}` inside the period, if before the end of as_of")
        }
    }
}

impl fmt::Display for Post {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Post::Slot(i) => write!(f, "#{i}"),
            Post::Metric(m) => f.write_str(m),
            Post::Input(ThresholdInput::Value) => f.write_str("value"),
            Post::Input(ThresholdInput::Baseline) => f.write_str("baseline"),
            Post::Input(ThresholdInput::Target) => f.write_str("target"),
            Post::Num(n) => write!(f, "{n}"),
            Post::Bool(b) => write!(f, "{b}"),
            Post::Null => f.write_str("null"),
            Post::Builtin(Builtin::PeriodStart) => f.write_str("period_start"),
            Post::Builtin(Builtin::PeriodEnd) => f.write_str("period_end"),
            Post::Builtin(Builtin::AsOf) => f.write_str("as_of"),
            Post::Neg(x) => write!(f, "-{x}"),
            Post::Not(x) => write!(f, "not {x}"),
            Post::Bin(op, l, r) => write!(f, "({l} {} {r})", op.symbol()),
            Post::If(c, a, b) => write!(f, "if({c}, {a}, {b})"),
            Post::Coalesce(items) => {
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "coalesce({})", items.join(", "))
            }
            Post::IsNull(x, false) => write!(f, "{x} is null"),
            Post::IsNull(x, true) => write!(f, "{x} is not null"),
            Post::Between(x, lo, hi) => write!(f, "{x} between {lo} and {hi}"),
            Post::Span(a, b, unit) => {
                let name = match *unit as i64 {
                    60_000 => "minutes_between",
                    3_600_000 => "hours_between",
                    _ => "days_between",
                };
                write!(f, "{name}({a}, {b})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::AggFn;
    use crate::plan::post::Slot;

    #[test]
    fn posts_read_as_expressions_over_slots() {
        let ratio = Post::Bin(crate::syntax::BinOp::Div, Box::new(Post::Slot(0)), Box::new(Post::Num(60.0)));
        assert_eq!(ratio.to_string(), "(#0 / 60)");
        let count = Slot { func: AggFn::Count, arg: None, quantile: 0.0 };
        assert_eq!(count.to_string(), "count()");
    }
}
