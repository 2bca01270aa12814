use std::process::ExitCode;
use yardstick::engine::data::guard;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let [_, flag, file] = args.as_slice()
        && flag == guard::CHILD_ARG
    {
        return guard::child(std::path::Path::new(file));
    }
    yardstick::cli::report_panics_as_bugs();
    // A Parquet export is decoded first in a child process of this binary.
    if let Ok(me) = std::env::current_exe() {
        guard::isolate_with(me);
    }
    yardstick::cli::main()
}
