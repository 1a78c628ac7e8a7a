#!/bin/sh
# The README's baseline workflow, as written: its `klint` lines are taken from the first
# ```sh block of the "## Baseline" section and run in a throwaway copy of some templates
# (the `git` line is skipped: no repository is needed to check klint's side of it).
# Checks: step 1 writes a baseline and exits 0 though the templates have errors; step 3
# then passes (exit 0) with nothing new; a new finding added afterwards fails step 3
# (exit 1) and is the only one reported; a fixed finding makes its entry unmatched.
#
# Usage: baseline_workflow.sh KLINT README.md FIXTURES_DIR
set -eu
klint=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
readme=$2
fixtures=$(cd "$3" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk '/^## Baseline/ {s = 1; next} s && /^## / {exit} s && /^```sh/ {b = 1; next}
     b && /^```/ {exit} b {print}' "$readme" | grep '^klint ' >"$work/steps"
[ "$(wc -l <"$work/steps")" -eq 3 ] || { echo "FAIL: expected 3 klint lines"; cat "$work/steps"; exit 1; }

mkdir "$work/templates"
cp "$fixtures/givon--kling-3.0/invalid-8.json" "$work/templates/a.json"
cp "$fixtures/examples/givon-kling-3.0-omni.json" "$work/templates/b.json"
cd "$work"

step() { # run README line N with the `klint` at its start replaced by the built one
    line=$(sed -n "${1}p" steps | sed 's/#.*//')
    set -- $line
    shift
    status=0
    "$klint" --format short --no-config "$@" >out.txt 2>err.txt || status=$?
}

step 1
[ "$status" -eq 0 ] || { echo "FAIL: step 1 exited $status"; cat out.txt err.txt; exit 1; }
grep -q '"klint_baseline": 1' klint-baseline.json || { echo "FAIL: no baseline written"; exit 1; }
grep -q 'error' out.txt || { echo "FAIL: step 1 should report today's errors"; exit 1; }

step 2
[ "$status" -eq 0 ] || { echo "FAIL: step 3 exited $status with nothing new"; cat out.txt; exit 1; }
[ ! -s out.txt ] || { echo "FAIL: step 3 reported accepted findings"; cat out.txt; exit 1; }

# A new finding: only it is reported, and the gate fails.
sed 's/"prompt":"p"/"prompt":"p","duration":"99"/' templates/a.json >templates/c.json
step 2
[ "$status" -eq 1 ] || { echo "FAIL: step 3 exited $status with a new error"; cat out.txt; exit 1; }
if grep -v '^templates/c.json:' out.txt | grep -q .; then
    echo "FAIL: findings other than the new file's were reported"; cat out.txt; exit 1
fi
rm templates/c.json

# A fixed finding: its entry is reported as unmatched (a warning: the gate still passes).
cp "$fixtures/examples/givon-kling-3.0-omni.json" templates/a.json
step 2
[ "$status" -eq 0 ] || { echo "FAIL: step 3 exited $status after a fix"; cat out.txt; exit 1; }
grep -q 'klint-baseline.json:.*baseline-unmatched' out.txt ||
    { echo "FAIL: no baseline-unmatched after a fix"; cat out.txt; exit 1; }

# Step 4: regenerate; the gate is clean again.
step 3
step 2
[ "$status" -eq 0 ] && [ ! -s out.txt ] || { echo "FAIL: after regenerating"; cat out.txt; exit 1; }
echo "PASS: the README's baseline workflow"
