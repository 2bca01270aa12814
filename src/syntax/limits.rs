//! Limits on an expression's size (docs/language.md), checked on its text before the parser
//! runs. pest and the Pratt parser recurse once per level of nesting, and every pass over
//! the tree (checking, printing, lowering, dropping it) once per node on the way down, so
//! without limits a deep or long enough expression overflows the stack and aborts.
//!
//! Nesting counts what makes the parser recurse: brackets, and prefix `not` and `-` while
//! they apply. The operator limit bounds what nesting does not: `a or b or c ...` nests to
//! the left, one tree level per operator. With both, no path in the tree is longer than
//! about `MAX_OPERATORS + MAX_DEPTH` nodes, which a debug build's 2 MiB test thread handles
//! with room to spare.

use super::scalar::ScalarMap;
use crate::diag::{Diagnostic, codes};

/// The longest expression, in characters.
pub const MAX_CHARS: usize = 10_000;
/// The deepest nesting of brackets and prefix operators.
pub const MAX_DEPTH: usize = 64;
/// The most operators in one expression.
pub const MAX_OPERATORS: usize = 1_000;

/// An error when `text` is too long, too deeply nested or has too many operators.
pub(super) fn check_limits(text: &str, map: &ScalarMap) -> Result<(), Box<Diagnostic>> {
    let chars = text.chars().count();
    if chars > MAX_CHARS {
        return Err(Box::new(
            Diagnostic::error(
                codes::E0203,
                format!(
                    "this expression is {} characters long, more than the limit of {}",
                    grouped(chars),
                    grouped(MAX_CHARS)
                ),
            )
            .at(map.span(0, text.len()))
            .label("too long")
            .help("split it: move parts into metrics of their own, or list codes in a vocabulary group"),
        ));
    }
    let mut scan = Scan::default();
    let mut at = 0;
    while let Some((start, token, end)) = next_token(text, at) {
        scan.step(token).map_err(|limit| Box::new(limit.diagnostic(map.span(start, end))))?;
        at = end;
    }
    Ok(())
}

/// What a token of the expression is, as far as nesting and operators go.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Token<'t> {
    Open,
    Close,
    Comma,
    Minus,
    /// `+ * / == != < <= > >=`
    Symbol,
    /// A name or a keyword.
    Word(&'t str),
    /// A number, a string, a date.
    Value,
    Other,
}

/// The next token at or after byte `at`: its start, what it is and its end.
fn next_token(text: &str, at: usize) -> Option<(usize, Token<'_>, usize)> {
    let bytes = text.as_bytes();
    let start = at + bytes.get(at..)?.iter().position(|b| !b.is_ascii_whitespace())?;
    let run = |from: usize, ok: fn(u8) -> bool| from + bytes[from..].iter().take_while(|b| ok(**b)).count();
    let (token, end) = match bytes[start] {
        b'(' | b'[' => (Token::Open, start + 1),
        b')' | b']' => (Token::Close, start + 1),
        b',' => (Token::Comma, start + 1),
        b'-' => (Token::Minus, start + 1),
        b'+' | b'*' | b'/' => (Token::Symbol, start + 1),
        b'=' | b'!' | b'<' | b'>' => (Token::Symbol, run(start, |b| matches!(b, b'=' | b'!' | b'<' | b'>'))),
        b'"' => (Token::Value, string_end(bytes, start)),
        b'@' => (Token::Value, run(start + 1, |b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'+' | b'-' | b'.'))),
        b'0'..=b'9' => (Token::Value, run(start, |b| b.is_ascii_digit() || matches!(b, b'.' | b'%'))),
        b if b.is_ascii_alphabetic() || b == b'_' => {
            let end = run(start, |b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'));
            (Token::Word(&text[start..end]), end)
        }
        _ => (Token::Other, start + text[start..].chars().next().map_or(1, char::len_utf8)),
    };
    Some((start, token, end))
}

/// Just after the closing quote of the string that starts at `start` (or the end of the
/// text, when it is not closed: the parser reports that).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// What is open at a point of the text; each is one level of nesting.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Level {
    Bracket,
    /// A prefix `not`: it applies until the next `and`, `or`, `,` or closing bracket.
    Not,
    /// A prefix `-`: it applies to the next operand only.
    Neg,
}

/// Which limit was passed.
enum Limit {
    Depth,
    Operators,
}

impl Limit {
    fn diagnostic(self, span: crate::diag::Span) -> Diagnostic {
        match self {
            Limit::Depth => Diagnostic::error(
                codes::E0204,
                format!("this expression is nested deeper than the limit of {MAX_DEPTH} levels"),
            )
            .at(span)
            .label(format!("level {} here", MAX_DEPTH + 1))
            .help("parentheses, brackets, `not` and unary `-` each nest one level: remove redundant ones, or split the expression into metrics of their own"),
            Limit::Operators => Diagnostic::error(
                codes::E0205,
                format!("this expression has more than the limit of {} operators", grouped(MAX_OPERATORS)),
            )
            .at(span)
            .label(format!("operator {} here", grouped(MAX_OPERATORS + 1)))
            .help("replace long `or` chains with `in [a, b, ...]` or a vocabulary group, or split the expression"),
        }
    }
}

#[derive(Default)]
struct Scan<'t> {
    levels: Vec<Level>,
    operators: usize,
    /// Whether the last token ended an operand, so that `-` and `not` are infix.
    after_operand: bool,
    /// The last token, when it was a word: `is not null`, `not in`, `has any` and `has all` are one
    /// operator each.
    last_word: Option<&'t str>,
}

impl<'t> Scan<'t> {
    fn step(&mut self, token: Token<'t>) -> Result<(), Limit> {
        let last_word = self.last_word.take();
        match token {
            Token::Open => {
                self.after_operand = false;
                return self.open(Level::Bracket);
            }
            Token::Close => {
                while self.levels.pop().is_some_and(|l| l != Level::Bracket) {}
                self.after_operand = true;
            }
            Token::Comma => {
                self.release(&[Level::Not, Level::Neg]);
                self.after_operand = false;
            }
            Token::Minus if self.after_operand => return self.infix(&[Level::Neg]),
            Token::Minus => {
                self.count()?;
                return self.open(Level::Neg);
            }
            Token::Symbol => return self.infix(&[Level::Neg]),
            Token::Word(word) => {
                self.last_word = Some(word);
                return self.word(word, last_word);
            }
            Token::Value => self.after_operand = true,
            Token::Other => {}
        }
        Ok(())
    }

    fn word(&mut self, word: &str, last_word: Option<&str>) -> Result<(), Limit> {
        match (word, last_word) {
            ("and" | "or", _) => self.infix(&[Level::Not, Level::Neg]),
            // The second word of `is not null`, `not in`, `has any` and `has all`.
            ("not", Some("is")) | ("in", Some("not")) | ("any" | "all", Some("has")) => Ok(()),
            ("not", _) if self.after_operand => self.infix(&[Level::Neg]),
            ("not", _) => {
                self.count()?;
                self.open(Level::Not)
            }
            ("in" | "has" | "is" | "between", _) => self.infix(&[Level::Neg]),
            _ => {
                self.after_operand = true;
                Ok(())
            }
        }
    }

    /// An operator between two operands: it ends the prefixes in `ends`.
    fn infix(&mut self, ends: &[Level]) -> Result<(), Limit> {
        self.release(ends);
        self.after_operand = false;
        self.count()
    }

    fn release(&mut self, ends: &[Level]) {
        while self.levels.last().is_some_and(|l| ends.contains(l)) {
            self.levels.pop();
        }
    }

    fn open(&mut self, level: Level) -> Result<(), Limit> {
        self.levels.push(level);
        if self.levels.len() > MAX_DEPTH { Err(Limit::Depth) } else { Ok(()) }
    }

    fn count(&mut self) -> Result<(), Limit> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS { Err(Limit::Operators) } else { Ok(()) }
    }
}

/// `10000` as `10,000`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    fn limit(text: &str) -> Option<codes::Code> {
        let map = ScalarMap::identity(FileId(0), 0, text.len());
        check_limits(text, &map).err().map(|d| d.code)
    }

    #[test]
    fn nesting_counts_brackets_and_prefixes_while_they_apply() {
        let deep = |open: &str, close: &str, n: usize| format!("{}x{}", open.repeat(n), close.repeat(n));
        assert_eq!(limit(&deep("(", ")", 64)), None);
        assert_eq!(limit(&deep("(", ")", 65)), Some(codes::E0204));
        assert_eq!(limit(&deep("f([", "])", 32)), None);
        assert_eq!(limit(&deep("f([", "])", 33)), Some(codes::E0204));
        assert_eq!(limit(&deep("not ", "", 65)), Some(codes::E0204));
        assert_eq!(limit(&deep("-", "", 65)), Some(codes::E0204));
        // `not a == not b == ...` nests: each `not` takes the rest of the comparison.
        assert_eq!(limit(&"not a == ".repeat(65)), Some(codes::E0204));
        // Prefixes that end at an operator do not add up.
        assert_eq!(limit(&"not a and ".repeat(100)), None);
        assert_eq!(limit(&"-a * ".repeat(100)), None);
        assert_eq!(limit(&"f(-a, not b, ".repeat(30)), None);
        assert_eq!(limit("x not in [a] and y is not null and z has any [b] and d > @2025-01-31T08:00:00-01:00"), None);
        // Brackets inside a string do not nest.
        assert_eq!(limit(&format!("s == \"{}\"", "(".repeat(100))), None);
    }

    #[test]
    fn operators_are_counted_once_each() {
        assert_eq!(limit(&vec!["a"; MAX_OPERATORS + 1].join(" or ")), None);
        assert_eq!(limit(&vec!["a"; MAX_OPERATORS + 2].join(" or ")), Some(codes::E0205));
        assert_eq!(limit(&vec!["a is not null"; MAX_OPERATORS / 2].join(" or ")), None);
        assert_eq!(limit(&vec!["a not in b"; MAX_OPERATORS / 2].join(" or ")), None);
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(limit(&"é".repeat(MAX_CHARS)), None);
        assert_eq!(limit(&"a".repeat(MAX_CHARS + 1)), Some(codes::E0203));
    }

    #[test]
    fn the_registry_names_the_limits() {
        let summary = |code: codes::Code| codes::lookup(&code).unwrap().summary;
        assert!(summary(codes::E0203).contains(&grouped(MAX_CHARS)));
        assert!(summary(codes::E0204).contains(&grouped(MAX_DEPTH)));
        assert!(summary(codes::E0205).contains(&grouped(MAX_OPERATORS)));
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(10_000), "10,000");
        assert_eq!(grouped(123_456_789), "123,456,789");
    }
}
