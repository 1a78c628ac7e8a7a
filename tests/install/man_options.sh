#!/bin/sh
# doc/klint.1 and the CLI cannot drift: every long option in src/cli.c's
# option table, and every subcommand in src/cli_rules.c, appears in the man
# page; and every long option the man page names exists in one of them.
# Run from the repository root.
set -u
man=doc/klint.1
fail=0

# {OPT_X, "name", ... in the options[] table.
opts=$(sed -n 's/^ *{OPT_[A-Z_]*, "\([a-z-]*\)".*/\1/p' src/cli.c)
[ -n "$opts" ] || { echo "man_options: no option table found in src/cli.c" >&2; exit 1; }
# roff writes "--name" as "\-\-name" (and a hyphen inside as "\-").
roff() { printf '%s' "$1" | sed 's/-/\\\\-/g'; }
for o in $opts; do
    grep -q -- "\\\\-\\\\-$(roff "$o")\\([^a-z\\\\]\\|\$\\)" "$man" ||
        { echo "man_options: --$o (src/cli.c) is not in $man" >&2; fail=1; }
done

subs=$(sed -n 's/^static const char \*const subcommands\[\] = {\(.*\)};/\1/p' src/cli_rules.c |
    tr ',' '\n' | tr -d '" ')
[ -n "$subs" ] || { echo "man_options: no subcommand table found in src/cli_rules.c" >&2; exit 1; }
for s in $subs; do
    grep -q "^\\.B[IR]* \"klint $s\"" "$man" || grep -q "^\\.BI \"klint $s \"" "$man" ||
        { echo "man_options: subcommand '$s' has no entry in $man" >&2; fail=1; }
done

# The other way: options the page names. `rules` and `explain` take --profile,
# --rules and --help, all in the main table too; `klint lsp` has its own
# options, in the usage text of src/lsp_main.c.
lsp_opts=$(sed -n 's/^ *"  \(--[a-z][a-z-]*\) .*/\1/p' src/lsp_main.c | sed 's/^--//')
named=$(grep -o -- '\\-\\-[a-z][a-z\\-]*' "$man" | sed 's/\\//g; s/^--//' | sort -u)
for n in $named; do
    printf '%s\n%s\n' "$opts" "$lsp_opts" | grep -qx -- "$n" ||
        { echo "man_options: $man names --$n, which src/cli.c does not have" >&2; fail=1; }
done
exit $fail
