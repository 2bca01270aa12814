//! `yardstick init`: a new project, ready to fill; the work is [`crate::publish::init`].

use crate::publish::{InitRequest, init};
use std::path::Path;
use std::process::ExitCode;

pub struct Args<'a> {
    pub dir: &'a Path,
    pub set: &'a Path,
    pub sites: &'a [String],
    pub sources: &'a [String],
}

pub fn run(args: &Args, color: bool) -> ExitCode {
    let mut diag_sources = crate::diag::Sources::default();
    if args.set.join("yardstick.yaml").is_file() {
        eprintln!("error: {} is a project; --set names a definition set folder (with set.yaml)", args.set.display());
        return ExitCode::from(2);
    }
    let (checked, diags) = crate::compile(args.set, &mut diag_sources);
    if !diags.is_empty() {
        eprint!("{}", crate::diag::render_all(diags.iter(), &diag_sources, color));
    }
    let Some(checked) = checked else { return ExitCode::from(1) };
    let request = InitRequest { dir: args.dir, set: args.set, sites: args.sites, sources: args.sources };
    let written = match init(&checked.set, &request) {
        Ok(written) => written,
        Err(e) if e.is_usage() => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: {e}; nothing was written");
            return ExitCode::from(1);
        }
    };
    let dir = args.dir.display();
    super::emit(&format!(
        "wrote a project for {} in {dir}: yardstick.yaml, {} mappings file(s), {} CSV template(s)\n\
         next: put each site's rows in data/<site>/*.csv (each template shows one commented example row),\n\
         \x20     map local codes in sites/<site>.yaml, set each site's rollout date, then run\n\
         \x20     yardstick check -p {dir} --data\n",
        written.sites.join(", "),
        written.mappings,
        written.templates,
    ))
}
