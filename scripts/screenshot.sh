#!/usr/bin/env bash
# Photographs the leadership report of the Acme example with headless Chromium: the
# README's picture (docs/leadership.png, the default) or, given a path, a copy elsewhere
# (CI looks at one to see that a browser opens the page offline and draws its charts).
# Installs Debian's chromium when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
png="${1:-docs/leadership.png}"
if ! command -v chromium >/dev/null; then
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo run --quiet -- build -p examples/acme --as-of 2025-12-31 --out "$work/out" --quiet
# No network for the page: it must draw from what it holds.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --proxy-server=127.0.0.1:9 \
  --window-size=1100,1400 --screenshot="$png" "file://$work/out/leadership-2025-Q4.html" 2>/dev/null
test "$(stat -c %s "$png")" -gt 50000
echo "wrote $png"
