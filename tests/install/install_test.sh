#!/bin/sh
# `meson install` into a scratch DESTDIR, then check what landed there works
# on its own: the binary (run from outside the tree, rules embedded), the man
# page, the headers, and libklint through pkg-config. $1: use_libklint.c.
# The install layout comes from meson (KL_* in tests/install/meson.build).
set -u
src_c=$1
fail() { echo "install_test: $*" >&2; exit 1; }

dest=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$dest"' EXIT INT TERM

meson install -C "$KL_BUILD_ROOT" --no-rebuild --quiet --destdir "$dest" >"$dest.log" 2>&1 ||
    { cat "$dest.log" >&2; rm -f "$dest.log"; fail "meson install failed"; }
rm -f "$dest.log"

root=$dest$KL_PREFIX
abs() { case $1 in /*) echo "$dest$1" ;; *) echo "$root/$1" ;; esac; }
bindir=$(abs "$KL_BINDIR")
libdir=$(abs "$KL_LIBDIR")
incdir=$(abs "$KL_INCLUDEDIR")
mandir=$(abs "$KL_MANDIR")

# The binary, run from a directory with no rules/ in sight.
klint=$bindir/klint
[ -x "$klint" ] || fail "no executable $klint"
v=$(cd "$dest" && "$klint" --version) || fail "klint --version failed"
[ "$v" = "klint $KL_VERSION" ] || fail "klint --version printed '$v', not 'klint $KL_VERSION'"
printf '{"model": "kling-3.0", "input": {"prompt": "a cat", "duration": 5' >"$dest/broken.json"
(cd "$dest" && "$klint" --color never broken.json >out.txt 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "installed klint exited $rc on a truncated file, not 1"
grep -q '^broken.json:1:[0-9]*: error\[json-syntax\]' "$dest/out.txt" ||
    fail "no json-syntax error for a truncated file: $(cat "$dest/out.txt")"
n=$(cd "$dest" && "$klint" rules | grep -c '^[a-z]*:') || fail "klint rules failed"
[ "$n" -ge 1 ] || fail "installed klint lists no profile: rules not embedded?"

# The man page, and the public headers exactly as in the tree.
[ -f "$mandir/man1/klint.1" ] || fail "no $mandir/man1/klint.1"
[ -f "$incdir/klint.h" ] || fail "no $incdir/klint.h"
srcroot=$(cd "$(dirname "$src_c")/../.." && pwd)
for h in "$srcroot"/include/klint/*.h; do
    cmp -s "$h" "$incdir/klint/$(basename "$h")" ||
        fail "include/klint/$(basename "$h") not installed as in the tree"
done

# pkg-config: PKG_CONFIG_SYSROOT_DIR maps the .pc's $KL_PREFIX paths into the
# scratch DESTDIR, as for any staged install.
pc=$libdir/pkgconfig/klint.pc
[ -f "$pc" ] || fail "no $pc"
command -v pkg-config >/dev/null 2>&1 || { echo "pkg-config not found: skipped"; exit 77; }
flags=$(PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_LIBDIR=$libdir/pkgconfig \
        PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --cflags --libs klint) ||
    fail "pkg-config --cflags --libs klint failed"
case " $flags " in
*" -I$incdir "*) ;;
*) [ "$KL_INCLUDEDIR" = /usr/include ] || fail "pkg-config cflags miss -I$incdir: $flags" ;;
esac
case " $flags " in *" -lklint "*) ;; *) fail "pkg-config libs miss -lklint: $flags" ;; esac
case " $flags " in *"$srcroot"*) fail "pkg-config points into the source tree: $flags" ;; esac

san=
[ -n "$KL_SANITIZE" ] && [ "$KL_SANITIZE" != none ] && san="-fsanitize=$KL_SANITIZE"
# shellcheck disable=SC2086 # word splitting of the compiler and flags wanted
$KL_CC -std=c11 $san -o "$dest/use_libklint" "$src_c" $flags ||
    fail "use_libklint.c does not build against the installed library"
out=$("$dest/use_libklint") || fail "use_libklint failed: $out"
[ "$out" = ok ] || fail "use_libklint printed '$out'"
echo "ok: installed under $KL_PREFIX in a scratch DESTDIR"
