use std::process::ExitCode;

fn main() -> ExitCode {
    yardstick::cli::main()
}
