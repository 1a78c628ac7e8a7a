#!/usr/bin/env bash
# Full-lint benchmark (issue 3, item 11): all rules, JSON report written to a file.
#
#   tests/bench/lint_bench.sh [--runs N] [--build-dir DIR]
#
# Builds a release klint if DIR (default build-perf) has none, generates the corpora if
# missing (tests/bench/corpus/mixed by gen_mixed.py, tests/bench/corpus/ezmodel by
# ../shared/bench/gen_corpus.py), then measures, median of N runs (default 5) after one
# warm-up run:
#   mixed     klint --format json mixed/batch.jsonl > FILE   (MB/s, MB = 10^6 bytes)
#   ezmodel   klint --format json ezmodel/batch.jsonl > FILE
#   files     klint --format json ezmodel/files/ > FILE      (2,000 small files, one call)
#   one-file  klint --format json ezmodel/files/req_0001.json (hyperfine, else 200 runs)
# and the peak RSS of each (GNU time; the wall time includes its fork, about 1 ms). After the batch runs it checks the report: the number
# of diagnostics equals the summary's errors + warnings + infos, and every record the
# generator made invalid got at least one error or warning.
#
# Not part of CI or `meson test`: run it by hand on a quiet machine.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=5
build_dir="$root/build-perf"
while [[ $# -gt 0 ]]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --build-dir) build_dir=$(realpath -m "$2"); shift 2 ;;
    -h | --help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "lint_bench.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
corpus="$root/tests/bench/corpus"
klint="$build_dir/klint"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if [[ ! -x $klint ]]; then
    [[ -d $build_dir ]] || meson setup "$build_dir" "$root" --buildtype=release >/dev/null
    ninja -C "$build_dir" >/dev/null
fi
[[ -f $corpus/mixed/batch.jsonl ]] || python3 "$root/tests/bench/gen_mixed.py" --out "$corpus/mixed"
[[ -f $corpus/ezmodel/batch.jsonl ]] ||
    python3 "$root/../shared/bench/gen_corpus.py" --out "$corpus/ezmodel"
[[ -x /usr/bin/time ]] || apt-get install -y time >/dev/null

# run NAME INPUT: warm-up, then $runs timed runs; prints median time, MB/s, spread, peak RSS.
run() {
    local name=$1 input=$2 bytes times=() rss=0 t r
    bytes=$(du -sb --apparent-size "$input" | cut -f1)
    if [[ -d $input ]]; then bytes=$(find "$input" -type f -name '*.json' -printf '%s\n' |
        awk '{s += $1} END {print s}'); fi
    "$klint" --format json "$input" >"$out/$name.json" || [[ $? -eq 1 ]]
    for ((i = 0; i < runs; i++)); do
        t=$(date +%s%N)
        /usr/bin/time -f '%M' -o "$out/time" "$klint" --format json "$input" \
            >"$out/$name.json" || [[ $? -eq 1 ]]
        times+=("$((($(date +%s%N) - t) / 1000))")
        r=$(tail -n 1 "$out/time")
        ((r > rss)) && rss=$r
    done
    python3 - "$name" "$bytes" "$rss" "${times[@]}" <<'EOF'
import statistics, sys
name, nbytes, rss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ts = sorted(float(t) / 1e6 for t in sys.argv[4:])
med = statistics.median(ts)
mbs = lambda t: nbytes / 1e6 / t if t > 0 else float("inf")
print(f"{name:10} {nbytes / 1e6:8.1f} MB  median {med * 1e3:7.1f} ms  {mbs(med):7.1f} MB/s"
      f"  (runs {mbs(ts[-1]):.1f}-{mbs(ts[0]):.1f} MB/s)  peak RSS {rss / 1024:.1f} MiB")
EOF
}

# check NAME [TRUTH]: the report holds every finding; every invalid record has one.
check() {
    python3 - "$out/$1.json" "${2:-}" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1], encoding="utf-8"))
s, d = rep["summary"], rep["diagnostics"]
total = s["errors"] + s["warnings"] + s["infos"]
assert len(d) == total, f"{len(d)} diagnostics, summary says {total}"
msg = f"  report: {len(d)} diagnostics = summary"
if sys.argv[2]:
    hit = {x["record"] for x in d if x["severity"] in ("error", "warning")}
    bad = [l.split("\t")[0] for l in open(sys.argv[2])
           if l.split("\t")[1] == "0" and int(l.split("\t")[0]) not in hit]
    n = sum(1 for l in open(sys.argv[2]) if l.split("\t")[1] == "0")
    assert not bad, f"invalid records without an error or warning: lines {bad[:10]}"
    msg += f"; all {n} invalid records flagged"
print(msg)
EOF
}

echo "klint: $klint ($runs runs each, median)"
run mixed "$corpus/mixed/batch.jsonl"
check mixed "$corpus/mixed/truth.tsv"
run ezmodel "$corpus/ezmodel/batch.jsonl"
# truth_batch.tsv: line <TAB> 1 (valid) | 0 <TAB> kinds — the same layout as truth.tsv
check ezmodel "$corpus/ezmodel/truth_batch.tsv"
run files "$corpus/ezmodel/files"
check files
one="$corpus/ezmodel/files/req_0001.json"
if command -v hyperfine >/dev/null; then
    hyperfine -N -i --warmup 20 --runs 200 --style basic \
        "$klint --format json $one" 2>/dev/null | grep -E 'Time|Range'
else
    start=$(date +%s.%N)
    for ((i = 0; i < 200; i++)); do "$klint" --format json "$one" >/dev/null || true; done
    echo "one-file: $(echo "($(date +%s.%N) - $start) * 1000 / 200" | bc -l | cut -c1-6) ms per call"
fi
/usr/bin/time -f 'one-file peak RSS %M KiB' "$klint" --format json "$one" >/dev/null
