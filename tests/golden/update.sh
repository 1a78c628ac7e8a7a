#!/bin/sh
# Rewrite the golden outputs of fixtures/<profile-dir>/ from the current
# klint, for review with `git diff` before committing: a golden file is
# reviewed like code, never regenerated blindly. The .expect files (the
# (rule, path) pairs each fixture must produce) are written by hand.
#
# Usage (from the repo root): tests/golden/update.sh BUILD_DIR [fixtures/<dir>...]
set -eu
build=${1:?usage: tests/golden/update.sh BUILD_DIR [fixtures/DIR...]}
shift
ninja -C "$build" tests/golden/fixture_runner >/dev/null
if [ $# -eq 0 ]; then
    set -- fixtures/*--*
fi
"$build/tests/golden/fixture_runner" --update "$@"
