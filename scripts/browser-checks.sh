#!/usr/bin/env bash
# The HTML reports in headless Chromium (scripts/browser-checks.mjs): no chart text
# overlaps another, axe-core finds no serious accessibility violation, and printing gives
# A4 pages with the answer on page one and every chart beside its caption. Checked on
# the Acme example and on a copy of it crowded with context events. Installs Debian's
# chromium and poppler-utils (pdftotext) when missing, and npm's puppeteer-core and
# axe-core into a throwaway folder.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npm install --silent --no-audit --no-fund --prefix "$work/node" puppeteer-core@25.19.0 axe-core@4.14.1

cargo build --quiet
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
yardstick="$target/debug/yardstick"
"$yardstick" build -p examples/acme --as-of 2025-12-31 --out "$work/acme" --quiet

# Crowded: eleven more events at Lyon, four of them in one quarter and two on one day.
cp -r examples/acme "$work/crowded-project"
rm -rf "$work/crowded-project/out"
sed -i "s|^definitions: ../../metrics|definitions: $PWD/metrics|" "$work/crowded-project/yardstick.yaml"
for day in 2024-04-02 2024-04-20 2024-05-09 2024-06-30 2024-06-30 2024-09-15 2024-10-01 2025-01-10 2025-02-01 2025-07-07 2025-08-08; do
  printf '  - {date: %s, site: lyon, kind: line_changeover, text: "A line changed over"}\n' "$day" >> "$work/crowded-project/context.yaml"
done
"$yardstick" build -p "$work/crowded-project" --as-of 2025-12-31 --out "$work/crowded" --quiet

mkdir "$work/pdf"
node scripts/browser-checks.mjs "$work/node/node_modules" "$work/pdf" "$work/acme" "$work/crowded"

# A chart whose two labels lie on each other must not pass: the check is really measuring.
mkdir "$work/bad" "$work/bad-pdf"
cat > "$work/bad/overlap.html" <<'HTML'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>overlap</title></head><body><main>
<figure class="chart"><svg width="200" height="60" role="img" aria-label="two labels"><text x="10" y="30">baseline 1.2</text><text x="30" y="32">target 0.9</text></svg><figcaption><strong>overlap</strong></figcaption></figure>
</main></body></html>
HTML
caught=no
node scripts/browser-checks.mjs "$work/node/node_modules" "$work/bad-pdf" "$work/bad" > "$work/bad.txt" 2>&1 || caught=yes
if [ "$caught" != yes ] || ! grep -q '"baseline 1.2" overlaps "target 0.9"' "$work/bad.txt"; then
  cat "$work/bad.txt"
  echo "error: the overlap check passed two labels drawn on each other" >&2
  exit 1
fi
