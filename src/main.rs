use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    report_panics_as_bugs();
    yardstick::cli::main()
}

/// No input should make yardstick panic (SPEC section 6), so a panic is a bug: say so in
/// one line, with what to report, instead of a backtrace. The exit code stays 101.
fn report_panics_as_bugs() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.payload_as_str().unwrap_or("a panic without a message").replace('\n', " ");
        let location = info.location().map_or_else(|| "an unknown place".into(), ToString::to_string);
        let command: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
        // Writing may fail (stderr closed); a panic inside this hook would abort.
        let _ = writeln!(
            std::io::stderr(),
            "yardstick: internal error (a bug): {message} at {location}; please report it with the command you ran: {}",
            command.join(" ")
        );
    }));
}
