//! `yardstick fetch`: refreshes the definition set a project pins in git
//! (`definitions: {git: URL, rev: TAG}`), then checks the project against it.

use crate::diag::{Diagnostics, Sources, render_all};
use crate::load::{Definitions, definitions_of};
use std::path::Path;
use std::process::ExitCode;

pub fn run(project: &Path, color: bool) -> ExitCode {
    let mut sources = Sources::default();
    let mut diags = Diagnostics::default();
    let pin = match definitions_of(project, &mut sources, &mut diags) {
        Some(Definitions::Pinned(pin)) => pin,
        Some(Definitions::Folder(folder)) => {
            return super::emit(&format!(
                "nothing to fetch: the definitions are the folder `{folder}`, read as they are on disk\n"
            ));
        }
        None => {
            eprint!("{}", render_all(diags.iter(), &sources, color));
            return ExitCode::from(1);
        }
    };
    match pin.checkout(true) {
        Ok(checkout) => {
            let short = &checkout.commit[..checkout.commit.len().min(12)];
            let url = crate::load::remote::shown(&pin.url);
            eprintln!("fetched {url} at {} (commit {short}) into {}", pin.rev, checkout.dir.display());
            super::check::run(project, false, None, color)
        }
        Err(e) => {
            eprintln!("error: cannot fetch the definition set: {e}");
            eprintln!("help: check the URL and the tag in yardstick.yaml; the copy fetched before, if any, is kept");
            ExitCode::from(1)
        }
    }
}
