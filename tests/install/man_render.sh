#!/bin/sh
# doc/klint.1 renders with groff's man macros without a single warning
# (-ww: all warnings). Skipped when groff is not installed.
set -u
command -v groff >/dev/null 2>&1 || { echo "groff not found: skipped"; exit 77; }
out=$(groff -man -Tutf8 -ww -z doc/klint.1 2>&1)
rc=$?
[ $rc -eq 0 ] && [ -z "$out" ] && exit 0
echo "man_render: groff exited $rc:" >&2
printf '%s\n' "$out" >&2
exit 1
