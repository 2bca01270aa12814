#!/usr/bin/env bash
# Installs the SQL engines the test suite runs yardstick's SQL on (tests/integration/sql.rs),
# from the package registries, each only when missing: DuckDB's shell from PyPI
# (`duckdb-cli`), and a local Spark, PyPI's `pyspark` with Debian's Java 17 runtime.
# Prints the folder holding `duckdb`, for the caller's PATH:
#   PATH="$(bash scripts/engines.sh):$PATH"
set -euo pipefail

# A Debian Python refuses packages outside a virtual environment (PEP 668) unless told.
pip_install() {
  python3 -m pip install --quiet "$@" >&2 || python3 -m pip install --quiet --break-system-packages "$@" >&2
}

if ! command -v java >/dev/null; then
  apt-get update -qq >&2 && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
if ! python3 -c "import pyspark" 2>/dev/null; then
  pip_install pyspark
fi

if command -v duckdb >/dev/null; then
  dirname "$(command -v duckdb)"
  exit 0
fi
pip_install duckdb-cli
for dir in "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')" \
  "$(python3 -m site --user-base)/bin"; do
  if [ -x "$dir/duckdb" ]; then
    "$dir/duckdb" --version >&2
    echo "$dir"
    exit 0
  fi
done
echo "duckdb-cli installed, but its duckdb is in no folder known" >&2
exit 1
