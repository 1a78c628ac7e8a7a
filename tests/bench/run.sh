#!/usr/bin/env bash
# Throughput and peak memory of the klint CLI on the benchmark corpus.
#
#   tests/bench/run.sh [--runs N] [--build-dir DIR] [--corpus DIR] [CASE...]
#
# Builds klint in a release build directory of its own (default: build-bench),
# makes the corpus with ../shared/bench/gen_corpus.py if it is missing, then runs
# each CASE N times (default 5) after one warm-up run, and prints for each the
# median wall time and throughput (MB = 10^6 bytes) and the peak RSS (the
# largest "maximum resident set size" that /usr/bin/time reports over the runs).
#
# CASEs are named in the table below; with none given, the default ones run.
# To measure something new (a full lint once the rules exist, a directory of
# small files), add a line to the table.
#
# Not part of CI or `meson test`: run it by hand on a quiet machine.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=5
build_dir="$root/build-bench"
corpus="$root/tests/bench/corpus"
gen_corpus="${KLINT_GEN_CORPUS:-$root/../shared/bench/gen_corpus.py}"

# name | klint arguments | input, relative to the corpus directory | default?
cases=(
    "syntax-only|--syntax-only|batch.jsonl|yes"
    "lint|--format json|batch.jsonl|no"
    "syntax-only-files|--syntax-only|files|no"
)

usage() {
    sed -n '2,16s/^# \{0,1\}//p' "$0"
    echo "Cases:"
    for c in "${cases[@]}"; do
        IFS='|' read -r name args input default <<<"$c"
        printf '  %-18s klint %s CORPUS/%s%s\n' "$name" "$args" "$input" \
            "$([[ $default == yes ]] && echo '   (default)')"
    done
}

selected=()
while [[ $# -gt 0 ]]; do
    case "$1" in
    --runs) runs=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) selected+=("$1"); shift ;;
    esac
done
if [[ ${#selected[@]} -eq 0 ]]; then
    for c in "${cases[@]}"; do
        IFS='|' read -r name _ _ default <<<"$c"
        [[ $default == yes ]] && selected+=("$name")
    done
fi

if [[ ! -x /usr/bin/time ]]; then
    echo "run.sh: installing GNU time for peak RSS" >&2
    apt-get install -y time >/dev/null
fi

# A release build of its own, so that debug or sanitizer builds never leak into the figures.
if [[ ! -f "$build_dir/build.ninja" ]]; then
    meson setup "$build_dir" "$root" --buildtype=release -Dtests=disabled >/dev/null
fi
ninja -C "$build_dir" klint >/dev/null
klint="$build_dir/klint"

if [[ ! -f "$corpus/batch.jsonl" ]]; then
    echo "run.sh: generating the corpus in $corpus (a minute or so)" >&2
    python3 "$gen_corpus" --out "$corpus" >/dev/null
fi

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) cores," \
    "$(uname -sr), $(cc --version | head -n1)"
echo "klint:   $("$klint" --version), $build_dir (release)"
echo "runs:    $runs per case, after one warm-up run; MB = 10^6 bytes"
echo

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# Run klint once on $path with the words of $args; its peak RSS lands in $tmp.
run_once() {
    local status=0
    # shellcheck disable=SC2086 # $args is a list of words
    /usr/bin/time -f '%e %M' -o "$tmp" "$klint" $args "$path" >/dev/null || status=$?
    # 0 and 1 are lint outcomes; 2 and 3 mean the run itself went wrong.
    if [[ $status -ge 2 ]]; then
        echo "run.sh: klint $args $path exited with $status" >&2
        exit 1
    fi
}

for want in "${selected[@]}"; do
    found=no
    for c in "${cases[@]}"; do
        IFS='|' read -r name args input _ <<<"$c"
        [[ $name == "$want" ]] || continue
        found=yes
        path="$corpus/$input"
        if [[ -d $path ]]; then
            bytes=$(find "$path" -type f -name '*.json' -printf '%s\n' | awk '{s += $1} END {print s}')
        else
            bytes=$(stat -c %s "$path")
        fi

        run_once # warm-up: page cache, CPU frequency
        times=()
        peak=0
        for ((i = 0; i < runs; i++)); do
            start=$EPOCHREALTIME
            run_once
            end=$EPOCHREALTIME
            times+=("$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.6f", b - a}')")
            # The last line: GNU time puts "Command exited with non-zero status 1" before it.
            rss=$(tail -n1 "$tmp" | awk '{print $2}')
            if ((rss > peak)); then
                peak=$rss
            fi
        done
        sorted=$(printf '%s\n' "${times[@]}" | sort -g)
        median=$(awk '{t[NR] = $1} END {
            print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }' <<<"$sorted")
        fastest=$(head -n1 <<<"$sorted")
        slowest=$(tail -n1 <<<"$sorted")
        awk -v name="$name" -v args="$args" -v input="$input" -v bytes="$bytes" \
            -v med="$median" -v lo="$fastest" -v hi="$slowest" -v rss="$peak" 'BEGIN {
            printf "%s: klint %s %s\n", name, args, input
            printf "  input      %.1f MB\n", bytes / 1e6
            printf "  median     %.3f s  ->  %.0f MB/s  (runs: %.3f to %.3f s, %.0f to %.0f MB/s)\n",
                med, bytes / 1e6 / med, lo, hi, bytes / 1e6 / hi, bytes / 1e6 / lo
            printf "  peak RSS   %.1f MB (%d KiB)\n", rss * 1024 / 1e6, rss
        }'
    done
    if [[ $found == no ]]; then
        echo "run.sh: no case named '$want'" >&2
        usage >&2
        exit 2
    fi
done
