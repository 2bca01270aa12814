#!/usr/bin/env bash
# The long run of the property tests (docs/files.md, "limits"): every target of hostile
# input in release mode, at least 100,000 cases each and over a million in all. A panic
# fails its target; an abort ends the run (the input of the case under way is kept in
# target/tmp/properties-last-case). Prints each target's wall time and, for the readers,
# how many cases reached a decoder. Takes about an hour on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --release --test integration --no-run
log=$(mktemp)
run() {
  local cases=$1 target=$2 started=$SECONDS
  if ! PROPTEST_CASES=$cases cargo test --release --quiet --test integration "$target" -- --exact --nocapture >"$log" 2>&1; then
    cat "$log"
    echo "$target: FAILED after $((SECONDS - started)) s"
    exit 1
  fi
  grep "reached a decoder" "$log" || true
  echo "$target: $cases cases, 0 panics, 0 aborts, in $((SECONDS - started)) s"
}
run 300000 no_panic::random_expressions_never_crash_check
run 150000 no_panic::random_yaml_documents_never_crash_check
run 150000 properties::mutated_csv_exports_never_crash_the_reader
run 150000 properties::mutated_ndjson_exports_never_crash_the_reader
run 100000 properties::mutated_parquet_exports_never_crash_the_reader
run 100000 properties::generated_templates_stop_within_their_fuel_and_never_crash
run 100000 properties::generated_revision_arguments_are_refused_or_read_never_run_or_written
