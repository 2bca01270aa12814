//! One test binary for everything that goes through the public API or the CLI
//! (every test binary would link the whole crate again).

mod acme;
mod attributes;
mod build;
mod change;
mod cli;
mod codes;
mod commands;
mod data_rules;
mod diagnostics;
mod dialects;
mod engine;
mod errors;
mod evidence;
mod first_contact;
mod history;
mod honest;
mod hostile;
mod ir;
mod layout;
mod limits;
mod no_panic;
mod pinned;
mod pitfalls;
mod properties;
mod reports;
mod roundtrip;
mod scopes;
mod set3;
mod simulation;
mod sql;
mod syntax;
mod timezones;
mod trust;
mod util;
