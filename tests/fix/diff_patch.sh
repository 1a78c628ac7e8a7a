#!/bin/sh
# kl_diff_unified against the tools that define the format: for many
# random pairs of small texts (few distinct lines, so that equal lines are
# ambiguous; with and without a final newline; empty ones), the diff must
#  - make GNU patch turn the old text into the new one, byte for byte;
#  - change as many lines as `diff --minimal -u` does (both are shortest).
# Usage: diff_patch.sh DIFF_TOOL [ROUNDS]. Skipped (77) without patch or diff.
set -u
tool=$1
rounds=${2:-300}
command -v patch >/dev/null 2>&1 || { echo "patch not installed: skipped"; exit 77; }
command -v diff >/dev/null 2>&1 || { echo "diff not installed: skipped"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/klint-diff-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# gen SEED: old text in $work/old, new text in $work/new.
gen() {
    awk -v seed="$1" -v out_old="$work/old" -v out_new="$work/new" 'BEGIN {
        srand(seed)
        n = int(rand() * 25)
        alphabet = 2 + int(rand() * 6)
        for (i = 0; i < n; i++) old[i] = "line " int(rand() * alphabet)
        m = 0
        for (i = 0; i <= n; i++) {
            while (rand() < 0.15) new[m++] = "new " int(rand() * alphabet)
            if (i == n) break
            r = rand()
            if (r < 0.15) continue
            if (r < 0.25) new[m++] = "line " int(rand() * alphabet)
            else new[m++] = old[i]
        }
        printf "" > out_old
        printf "" > out_new
        for (i = 0; i < n; i++)
            printf (i == n - 1 && rand() < 0.3) ? "%s" : "%s\n", old[i] > out_old
        for (i = 0; i < m; i++)
            printf (i == m - 1 && rand() < 0.3) ? "%s" : "%s\n", new[i] > out_new
    }'
}

# Lines a diff removes or adds (headers left out).
changed() {
    grep -c '^[-+]' "$1" | { read -r all; heads=$(grep -c '^\(---\|+++\) ' "$1"); echo $((all - heads)); }
}

fail=0
same=0
i=1
while [ "$i" -le "$rounds" ]; do
    gen "$i"
    "$tool" "$work/old" "$work/new" t.json >"$work/ours.diff"
    st=$?
    if [ "$st" -ne 0 ]; then
        echo "FAIL seed $i: diff_tool exited $st"; fail=1
    fi
    if cmp -s "$work/old" "$work/new"; then
        [ -s "$work/ours.diff" ] && { echo "FAIL seed $i: equal texts, non-empty diff"; fail=1; }
        i=$((i + 1))
        continue
    fi
    cp "$work/old" "$work/patched"
    if ! patch -s -f -o "$work/out" "$work/patched" <"$work/ours.diff" >"$work/patch.log" 2>&1 ||
        ! cmp -s "$work/out" "$work/new"; then
        echo "FAIL seed $i: patch does not turn the old text into the new one"
        cat "$work/patch.log" "$work/ours.diff"
        fail=1
    fi
    diff --minimal -u --label a/t.json --label b/t.json "$work/old" "$work/new" >"$work/gnu.diff"
    ours=$(changed "$work/ours.diff")
    gnu=$(changed "$work/gnu.diff")
    if [ "$ours" != "$gnu" ]; then
        echo "FAIL seed $i: $ours changed lines, diff --minimal has $gnu"
        cat "$work/ours.diff" "$work/gnu.diff"
        fail=1
    fi
    cmp -s "$work/ours.diff" "$work/gnu.diff" && same=$((same + 1))
    rm -f "$work/out" "$work/out.orig" "$work/out.rej"
    i=$((i + 1))
done
echo "$rounds random pairs; byte-identical to diff --minimal -u: $same"
exit $fail
