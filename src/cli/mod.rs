//! The command line (SPEC section 12): a thin layer that parses arguments, calls the
//! library's stages and renders what they report. Exit status: 0 success, 1 errors in
//! definitions or data, 2 wrong usage.

mod check;

use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "yardstick",
    version,
    about = "Metrics-as-code for ISMS governance: check definitions, compute metrics, render reports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load and check a project (or a definition set): names, vocabulary terms, types.
    Check {
        /// The project folder (with yardstick.yaml), or a definition set folder (with set.yaml).
        #[arg(short = 'p', long = "project", default_value = ".")]
        project: PathBuf,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match cli.command {
        Command::Check { project } => check::run(&project, color),
    }
}
