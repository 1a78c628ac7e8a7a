#!/usr/bin/env bash
# The pre-commit and many-files benchmark (issue 4, item 9), with hyperfine:
#
#   tests/bench/precommit_bench.sh [--runs N] [--build-dir DIR]
#
#   one-file       klint FILE                     one small request per call (default 500 runs)
#   one-file-hook  .pre-commit-klint FILE         the same through the script hook, warm cache
#   files-j1       klint -j 1 corpus/files/       2,000 small files in one call (default 30 runs)
#   files-j2       klint -j 2 corpus/files/
#
# FILE is fixtures/examples/givon-kling-3.0.json (clean). The hook case runs a copy of
# .pre-commit-klint whose cache already holds the klint of DIR, so it measures what the hook adds
# to every call (sh, one test, exec). corpus/files/ is made by gen_files.py if missing. Builds a
# release klint in DIR (default build-perf) if there is none. Output goes to /dev/null, in the
# text format. Not part of CI or `meson test`: run it by hand on a quiet machine.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=500
file_runs=30
build_dir="$root/build-perf"
while [[ $# -gt 0 ]]; do
    case $1 in
    --runs) runs=$2; file_runs=$2; shift 2 ;;
    --build-dir) build_dir=$(realpath -m "$2"); shift 2 ;;
    -h | --help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "precommit_bench.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
klint="$build_dir/klint"
if [[ ! -x $klint ]]; then
    [[ -d $build_dir ]] || meson setup "$build_dir" "$root" --buildtype=release >/dev/null
    ninja -C "$build_dir" klint >/dev/null
fi
files="$root/tests/bench/corpus/files"
[[ -f $files/truth.tsv ]] || python3 "$root/tests/bench/gen_files.py" --out "$files" >/dev/null
one="$root/fixtures/examples/givon-kling-3.0.json"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/hook/.klint-hook"
cp "$root/.pre-commit-klint" "$out/hook/"
cp "$klint" "$out/hook/.klint-hook/klint"

# summary JSON: one line per command from hyperfine's JSON export.
summary() {
    python3 - "$1" <<'EOF'
import json, statistics, sys
for r in json.load(open(sys.argv[1]))["results"]:
    t = [x * 1000 for x in r["times"]]
    print(f'{r["command"]}\n    mean {statistics.mean(t):.2f} ms ± {statistics.stdev(t):.2f}, '
          f'median {statistics.median(t):.2f} ms, min {min(t):.2f}, max {max(t):.2f} '
          f'({len(t)} runs)')
EOF
}

echo "klint: $klint ($("$klint" --version)); $(nproc) CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 20 --runs "$runs" --export-json "$out/one.json" \
    "$klint $one" "$out/hook/.pre-commit-klint $one" >/dev/null
summary "$out/one.json"
hyperfine -N -i --warmup 3 --runs "$file_runs" --export-json "$out/files.json" \
    "$klint -j 1 $files" "$klint -j 2 $files" >/dev/null 2>&1
summary "$out/files.json"
