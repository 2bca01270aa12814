//! The Acme project with generated data, for the benchmarks: the example's configuration
//! reading the repository's definitions, and `generate-acme`'s exports.

#[path = "../examples/generate_acme.rs"]
#[allow(dead_code)] // its `main` and argument handling are the example's, not ours
mod generate_acme;

use std::fs;
use std::path::Path;

/// Writes the project into `dir`: 3 sites x `years` years at `scale`.
pub fn write(dir: &Path, years: i32, scale: usize) {
    fs::create_dir_all(dir).expect("project folder");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let acme = root.join("examples/acme");
    let config = fs::read_to_string(acme.join("yardstick.yaml")).expect("examples/acme/yardstick.yaml");
    let config =
        config.replace("definitions: ../../metrics", &format!("definitions: {}", root.join("metrics").display()));
    fs::write(dir.join("yardstick.yaml"), config).expect("write yardstick.yaml");
    fs::copy(acme.join("context.yaml"), dir.join("context.yaml")).expect("copy context.yaml");
    fs::create_dir_all(dir.join("sites")).expect("sites folder");
    fs::copy(acme.join("sites/brno.yaml"), dir.join("sites/brno.yaml")).expect("copy sites/brno.yaml");
    generate_acme::write_data(&dir.join("data"), years, scale, 2026).expect("generate the data");
}

/// The rows of the largest source, `downtime`, over the three sites.
pub fn downtime_rows(dir: &Path) -> usize {
    ["lyon", "brno", "porto"]
        .iter()
        .map(|site| {
            let text = fs::read_to_string(dir.join(format!("data/{site}/downtime.csv"))).expect("downtime");
            text.lines().count() - 1
        })
        .sum()
}
