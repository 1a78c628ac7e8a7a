/*
 * Lexical file-path arithmetic for configurations and baselines: absolute
 * forms, parents and relative paths computed on the text alone ("." and
 * ".." resolved without asking the file system), so a file named as
 * "./a.json" or "sub/../a.json" is the same file as "a.json". Callers that
 * need the physical view (symbolic links) use realpath themselves.
 *
 * Every result is malloc'd (the caller frees it); NULL means out of memory
 * (or, for kl_fspath_cwd, that the current directory is unknown).
 */
#ifndef KL_FSPATH_H
#define KL_FSPATH_H

#include <stdbool.h>

/* The current directory (getcwd), or NULL. */
char *kl_fspath_cwd(void);

/* `path` made absolute against `cwd` (an absolute directory) and normalized: no ".", "..",
 * empty segments or trailing '/'; "/" for the root. */
char *kl_fspath_absolute(const char *path, const char *cwd);

/* The directory part of `path` as written: "a/b.json" -> "a", "b.json" -> ".",
 * "/b.json" -> "/". */
char *kl_fspath_dirname(const char *path);

/* `name` resolved against `dir`: `name` itself when absolute or when `dir` is ".". */
char *kl_fspath_join(const char *dir, const char *name);

/* The '/'-separated path that leads from directory `from` to `to` (both normalized absolute):
 * "." when equal, "../x" when `to` is not below `from`. */
char *kl_fspath_relative(const char *from, const char *to);

/* True when a relative path from kl_fspath_relative stays below its directory. */
bool kl_fspath_is_below(const char *rel);

/*
 * The directory a configuration or a baseline anchors relative paths at
 * (the directory of its own file), captured once with the current
 * directory so that later questions need no system call but realpath.
 */
typedef struct kl_anchor {
    char *dir;      /* as written: "templates", "..", "/abs", "." when the name has no '/' */
    char *dir_abs;  /* absolute and normalized; NULL when the current directory is unknown */
    char *dir_real; /* through realpath (symbolic links resolved); NULL when that failed */
    char *cwd;      /* the current directory, normalized; NULL when unknown */
} kl_anchor;

/* Anchor at the directory of `file`. @return 0, or -1 when out of memory (`a` then empty). */
int kl_anchor_init(kl_anchor *a, const char *file);

/* Free what kl_anchor_init allocated. */
void kl_anchor_dispose(kl_anchor *a);

/*
 * `path` (as given on the command line: relative to the current directory,
 * or absolute) relative to the anchor, '/'-separated, without "./". When
 * the text does not lead below the anchor, the physical paths are tried
 * (realpath of both directories), so "/home/me/p/x.json" and "x.json" name
 * the same file whatever links lie on the way. A path that is still not
 * below gives NULL, or with `outside_ok` a "../"-path. NULL also when out
 * of memory.
 */
char *kl_anchor_relative(const kl_anchor *a, const char *path, bool outside_ok);

#endif
