#!/usr/bin/env bash
# Installs the SQL engines the test suite runs yardstick's SQL on, from the package
# registries: DuckDB's shell from PyPI (`duckdb-cli`), when it is not on the PATH yet.
# Prints the folder holding `duckdb`, for the caller's PATH:
#   PATH="$(bash scripts/engines.sh):$PATH"
set -euo pipefail
if command -v duckdb >/dev/null; then
  dirname "$(command -v duckdb)"
  exit 0
fi
# A Debian Python refuses packages outside a virtual environment (PEP 668) unless told.
python3 -m pip install --quiet duckdb-cli >&2 \
  || python3 -m pip install --quiet --break-system-packages duckdb-cli >&2
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
