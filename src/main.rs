use std::process::ExitCode;

fn main() -> ExitCode {
    yardstick::cli::report_panics_as_bugs();
    yardstick::cli::main()
}
