#!/usr/bin/env bash
# The pre-commit hooks of .pre-commit-hooks.yaml, through Debian's real pre-commit and real
# `git commit`s:
#
#   tests/precommit/run.sh KLINT     (from the repository root; meson passes the fresh klint)
#
# 1. The repository's working tree as it is now (tracked and new files, not the build
#    directories) is copied into a throwaway git repository with one commit, so uncommitted work
#    is what gets tested.
# 2. For each hook, `klint` (system: KLINT on PATH) and `klint-build` (script: no klint on PATH,
#    built by .pre-commit-klint on first use), a throwaway project whose .pre-commit-config.yaml
#    is the README's ("## pre-commit", its yaml blocks with the placeholder URL and rev replaced
#    by that copy) runs `pre-commit install`; committing twelve good request templates and
#    one bad one is refused with the diagnostic in the output, and after fixing the bad one the
#    commit goes through. pre-commit splits the files into batches run in parallel (one per CPU),
#    so on a machine with several CPUs the script hook's first build is already raced there.
# 3. The README's `args:` example: `pre-commit run --all-files` applies each hook's arguments
#    and `files:` pattern.
# 4. .pre-commit-klint started three times at once on a fresh cache: all give klint's results,
#    and exactly one built klint; with flock(1) and with the mkdir lock.
#
# Nothing touches the user's git or pre-commit configuration: HOME, PRE_COMMIT_HOME and the git
# config are private to a temporary directory, and no network is used. Exit 77 (skip) without
# git or pre-commit.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 KLINT" >&2
    exit 2
fi
# CI (CI=true) installs both (.ci/run): there a missing tool is a failure, not a skip.
skip() {
    if [[ ${CI:-} == true ]]; then
        echo "FAIL (CI=true, so no skipping): $*"
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}
for tool in git pre-commit; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        skip "'$tool' is not installed (Debian: apt-get install $tool)"
    fi
done

klint=$(realpath "$1")
root=$(pwd -P)
if [[ ! -f $root/.pre-commit-hooks.yaml ]]; then
    echo "run from the repository root" >&2
    exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
start=$SECONDS

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# A private, predictable environment: no user or system git config, no inherited hook variables.
export HOME=$tmp/home
export XDG_CONFIG_HOME=$tmp/home/.config XDG_CACHE_HOME=$tmp/home/.cache
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export PRE_COMMIT_HOME=$tmp/pre-commit-home PRE_COMMIT_COLOR=never NO_COLOR=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PREFIX GIT_COMMON_DIR GIT_OBJECT_DIRECTORY \
    GIT_ALTERNATE_OBJECT_DIRECTORIES PRE_COMMIT_NO_CONCURRENCY
mkdir -p "$HOME"

g() {
    git -c user.name='klint test' -c user.email=klint-test@example.invalid \
        -c init.defaultBranch=main -c commit.gpgsign=false "$@"
}

# PATH without any directory that holds a klint: the script hook must build its own.
nokl_path=
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
    if [[ -n $d && ! -e $d/klint ]]; then
        nokl_path=${nokl_path:+$nokl_path:}$d
    fi
done
for tool in sh git meson ninja cc; do
    if ! PATH=$nokl_path command -v "$tool" >/dev/null; then
        skip "'$tool' is not on PATH (outside the directories that hold a klint)"
    fi
done
if PATH=$nokl_path command -v klint >/dev/null; then
    echo "internal: klint still on the reduced PATH" >&2
    exit 2
fi
# PATH for the system hook: the klint under test first.
mkdir -p "$tmp/sysbin"
ln -s "$klint" "$tmp/sysbin/klint"
sys_path=$tmp/sysbin:$nokl_path

# ---- 1. The working tree as a git repository ------------------------------------------------
src=$tmp/klint-src
mkdir "$src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Tracked and untracked-but-not-ignored files that exist now (build dirs are ignored).
    (cd "$root" && git ls-files -z --cached --others --exclude-standard) |
        while IFS= read -r -d '' f; do
            if [[ -f $root/$f || -L $root/$f ]]; then printf '%s\0' "$f"; fi
        done |
        tar -C "$root" --null -T - -cf - | tar -C "$src" -xf -
else
    tar -C "$root" --exclude='./build*' --exclude=./.git --exclude=./.klint-hook \
        --exclude=./tests/bench/corpus -cf - . | tar -C "$src" -xf -
fi
for f in .pre-commit-hooks.yaml .pre-commit-klint meson.build src/main.c; do
    [[ -e $src/$f ]] || { echo "internal: $f missing from the copy" >&2; exit 2; }
done
[[ -x $src/.pre-commit-klint ]] || fail ".pre-commit-klint is not executable"
g -C "$src" init -q
g -C "$src" add -A
g -C "$src" commit -q -m "klint working tree under test"
rev=$(g -C "$src" rev-parse HEAD)
echo "copied the working tree: $(g -C "$src" ls-files | wc -l) files, commit $rev" \
    "($((SECONDS - start)) s)"

# The README's pre-commit configuration: block 1 is a whole file for the `klint` hook, blocks 2
# and 3 replace its `hooks:` part. The placeholders become the copy and its commit.
readme=$tmp/readme-precommit
awk -v out="$readme" '
    /^## /                  { inside = ($0 == "## pre-commit") }
    inside && /^```yaml$/   { n++; file = out "." n; printf "" > file; next }
    inside && /^```$/       { file = "" }
    inside && file != ""    { print > file }
' "$root/README.md"
url=https://example.invalid/klint.git
placeholder_rev=0123456789abcdef0123456789abcdef01234567
if [[ ! -f $readme.3 ]] || ! grep -Fq "repo: $url" "$readme.1" ||
    ! grep -Fq "rev: $placeholder_rev" "$readme.1"; then
    echo "internal: README.md \"## pre-commit\" lost its yaml blocks or their placeholders" >&2
    exit 2
fi
head_of_config() {
    sed -e "s|$url|$src|" -e "s|$placeholder_rev|$rev|" -e '/^    hooks:/,$d' "$readme.1"
}
head_of_config >"$tmp/config.klint"
sed -n '/^    hooks:/,$p' "$readme.1" >>"$tmp/config.klint"
head_of_config >"$tmp/config.klint-build"
cat "$readme.2" >>"$tmp/config.klint-build"
head_of_config >"$tmp/config.args"
cat "$readme.3" >>"$tmp/config.args"
grep -Eq '^      - id: klint( |$)' "$tmp/config.klint" || fail "README block 1: no 'klint' hook"
grep -Eq '^      - id: klint-build( |$)' "$tmp/config.klint-build" ||
    fail "README block 2: no 'klint-build' hook"

# Request templates that lint clean (provider examples), and one with an error whose place is
# known from its text: line 8 is `    "duration": 42`, the value at column 17; givon's kling-3.0
# allows 3 to 15 seconds, so rule `range` (rules/rule-ids.json) flags it as an error.
good=(
    fixtures/examples/ezmodel-first-end-frame.json
    fixtures/examples/ezmodel-multi-shot.json
    fixtures/examples/ezmodel-text-to-video.json
    fixtures/examples/ezmodel-video-editing.json
    fixtures/examples/givon-kling-3.0-omni.json
    fixtures/examples/givon-kling-3.0.json
    fixtures/examples/replicate-multi-prompt.json
    fixtures/examples/unifically-text-to-video.json
    fixtures/ezmodel--kling-v3-omni/doc-example-2.json
    fixtures/givon--kling-3.0-omni/doc-example-1.json
    fixtures/replicate--kwaivgi--kling-v3-omni-video/doc-example-1.json
    fixtures/unifically--kuaishou--kling-3.0-omni-video/doc-example-1.json
)
write_template() { # FILE DURATION
    cat >"$1" <<EOF
{
  "type": "video",
  "model": "kling-3.0",
  "input": {
    "prompt": "a lighthouse in a storm, slow push-in",
    "aspectRatio": "16:9",
    "resolution": "720p",
    "duration": $2
  }
}
EOF
}
bad_diag='templates/storm.json:8:17: error[range]'

# ---- 2. Real commits through pre-commit ---------------------------------------------------
# run_case NAME HOOK-ID PATH BUILDS: BUILDS is how many builds the refused commit must show.
run_case() {
    local name=$1 hook=$2 path=$3 builds=$4 proj=$tmp/project-$1 out=$tmp/$1.out t0=$SECONDS n
    echo "== hook $hook ($name)"
    mkdir -p "$proj/templates"
    g -C "$proj" init -q
    cp "$tmp/config.$hook" "$proj/.pre-commit-config.yaml"
    (
        cd "$proj"
        export PATH=$path
        pre-commit install >"$out" 2>&1 || { cat "$out"; exit 1; }
        g add .pre-commit-config.yaml
        g commit -q -m "pre-commit config" </dev/null >>"$out" 2>&1 || { cat "$out"; exit 1; }
    ) || { fail "$name: pre-commit install or the first commit failed"; return; }
    [[ -x $proj/.git/hooks/pre-commit ]] || fail "$name: no .git/hooks/pre-commit installed"

    for f in "${good[@]}"; do
        cp "$root/$f" "$proj/templates/${f//\//--}"
    done
    write_template "$proj/templates/storm.json" 42
    n=$(find "$proj/templates" -name '*.json' | wc -l)
    (( n >= 11 )) || fail "$name: only $n templates"

    # The bad template among the good ones: refused, with the diagnostic shown.
    local status=0
    (cd "$proj" && g add templates && PATH=$path g commit -m "templates" </dev/null) \
        >"$out" 2>&1 || status=$?
    if [[ $status -eq 0 ]]; then
        fail "$name: the commit with a bad template went through"
    fi
    grep -Fq "$bad_diag" "$out" || fail "$name: '$bad_diag' not in the hook output"
    grep -Eq '^klint\.+Failed$' "$out" || fail "$name: no 'klint....Failed' line"
    grep -Fq -- '- exit code: 1' "$out" || fail "$name: klint did not exit with status 1"
    if grep -F 'templates/' "$out" | grep -Fv 'templates/storm.json' | grep -q .; then
        fail "$name: a finding in a good template"
    fi
    n=$(grep -c '^pre-commit-klint: building klint' "$out" || true)
    [[ $n -eq $builds ]] || fail "$name: $n builds of klint in the hook output, expected $builds"
    if [[ $(g -C "$proj" rev-list --count HEAD) -ne 1 ]]; then
        fail "$name: a commit was made although the hook failed"
    fi
    echo "-- refused commit, hook output:"
    tail -n 40 "$out" | sed 's/^/   | /'

    # Fixed: the same commit goes through, and klint really ran (Passed, not Skipped).
    write_template "$proj/templates/storm.json" 5
    status=0
    (cd "$proj" && g add templates && PATH=$path g commit -m "templates" </dev/null) \
        >"$out" 2>&1 || status=$?
    if [[ $status -ne 0 ]]; then
        fail "$name: the fixed commit was refused (status $status)"
        tail -n 40 "$out" | sed 's/^/   | /'
        return
    fi
    grep -Eq '^klint\.+Passed$' "$out" || fail "$name: no 'klint....Passed' line"
    n=$(g -C "$proj" ls-tree -r --name-only HEAD -- templates | wc -l)
    (( n == ${#good[@]} + 1 )) ||
        fail "$name: $n templates committed, expected $((${#good[@]} + 1))"
    echo "-- fixed commit went through ($((SECONDS - t0)) s for this hook)"
}

run_case system klint "$sys_path" 0
run_case script klint-build "$nokl_path" 1
built=$(find "$PRE_COMMIT_HOME" -path '*/.klint-hook/klint' -type f | wc -l)
[[ $built -eq 1 ]] || fail "script: expected one cached klint in pre-commit's clone, found $built"
if find "$PRE_COMMIT_HOME" -path '*/.klint-hook/build.*' | grep -q .; then
    fail "script: a temporary build directory was left behind"
fi

# ---- 3. The README's args: example ---------------------------------------------------------
# Hook 1 checks requests/*.json against givon:kling-3.0 (a clean givon request, and an ezmodel one
# that is wrong for that profile); hook 2 prints batches/*.jsonl in the short format (the
# example batch, whose line 3 lost its closing brace); a broken JSON file elsewhere is left alone.
args_case() {
    local proj=$tmp/project-args out=$tmp/args.out status=0 before=$failures
    echo "== the README's args: example"
    mkdir -p "$proj/requests" "$proj/batches"
    g -C "$proj" init -q
    cp "$tmp/config.args" "$proj/.pre-commit-config.yaml"
    cp "$root/fixtures/examples/givon-kling-3.0.json" "$proj/requests/givon.json"
    cp "$root/fixtures/examples/ezmodel-text-to-video.json" "$proj/requests/ezmodel.json"
    cp "$root/fixtures/examples/batch.jsonl" "$proj/batches/batch.jsonl"
    echo '{"broken": ' >"$proj/elsewhere.json"
    (cd "$proj" && g add -A && PATH=$sys_path pre-commit run --all-files </dev/null) >"$out" 2>&1 ||
        status=$?
    [[ $status -eq 1 ]] || fail "args: pre-commit run exited $status, expected 1"
    # The ezmodel request is not a givon:kling-3.0 one (its model is kling-v3-omni).
    grep -Eq '^requests/ezmodel\.json:[0-9]+:[0-9]+: error\[model\]: .*givon:kling-3\.0' "$out" ||
        fail "args: no model error against givon:kling-3.0 for requests/ezmodel.json"
    if grep -q '^requests/givon\.json:' "$out"; then
        fail "args: a finding in requests/givon.json"
    fi
    grep -Eq '^batches/batch\.jsonl:3:[0-9]+: error: .*\[json-syntax\]$' "$out" ||
        fail "args: no short-format json-syntax error on line 3 of batches/batch.jsonl"
    if grep -q 'elsewhere\.json' "$out"; then
        fail "args: elsewhere.json was linted although no files: pattern matches it"
    fi
    (( $(grep -Ec '^klint\.+Failed$' "$out") == 2 )) || fail "args: expected both hooks to fail"
    if [[ $failures -ne $before ]]; then tail -n 40 "$out" | sed 's/^/   | /'; fi
}
args_case

# ---- 4. Parallel first use of the script hook --------------------------------------------
# parallel NAME [ENV=VALUE...]
parallel() {
    local name=$1 t0=$SECONDS i builds
    shift
    rm -rf "$src/.klint-hook"
    write_template "$tmp/storm.json" 42
    for i in 1 2 3; do
        (
            cd "$tmp"
            s=0
            if [[ $i -eq 3 ]]; then files=(storm.json); else files=("$root/${good[$i]}"); fi
            env PATH="$nokl_path" "$@" "$src/.pre-commit-klint" --format short "${files[@]}" \
                >"$tmp/par$i.out" 2>&1 || s=$?
            echo "$s" >"$tmp/par$i.rc"
        ) &
    done
    wait
    for i in 1 2 3; do
        local want=0 got
        if [[ $i -eq 3 ]]; then want=1; fi
        got=$(cat "$tmp/par$i.rc")
        if [[ $got -ne $want ]]; then
            fail "$name: run $i exited $got, expected $want"
            tail -n 20 "$tmp/par$i.out"
        fi
    done
    grep -Eq '^storm\.json:8:17: error: .*\[range\]$' "$tmp/par3.out" ||
        fail "$name: run 3 did not report storm.json:8:17 [range]"
    builds=$(cat "$tmp"/par?.out | grep -c '^pre-commit-klint: building klint' || true)
    [[ $builds -eq 1 ]] || fail "$name: $builds builds for three concurrent first calls, expected 1"
    [[ -x $src/.klint-hook/klint ]] || fail "$name: no cached klint"
    if find "$src/.klint-hook" -name 'build.*' | grep -q .; then
        fail "$name: a temporary build directory was left behind"
    fi
    # Warm cache: no build, same result.
    env PATH="$nokl_path" "$@" "$src/.pre-commit-klint" "$root/${good[0]}" >"$tmp/warm.out" 2>&1 ||
        fail "$name: warm call failed"
    if grep -q '^pre-commit-klint: building' "$tmp/warm.out"; then
        fail "$name: warm call rebuilt klint"
    fi
    echo "== parallel first use ($name): 3 runs, $builds build ($((SECONDS - t0)) s)"
}
parallel flock
parallel mkdir-lock KLINT_HOOK_NO_FLOCK=1

echo "total $((SECONDS - start)) s"
if [[ $failures -ne 0 ]]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all pre-commit checks passed"
