//! The expression language of docs/language.md: the pest grammar in `grammar/expr.pest`,
//! the AST it parses into, and a printer whose output parses back to the same AST.

mod ast;
mod limits;
mod parser;
mod printer;
mod scalar;

pub use ast::{BinOp, Expr, ExprKind, Ident, UnaryOp};
pub use limits::{MAX_CHARS, MAX_DEPTH, MAX_OPERATORS};
pub(crate) use parser::parse_datetime;
pub use parser::parse_expr;
pub use printer::{float_text, print_expr, tree_expr};
pub use scalar::ScalarMap;
