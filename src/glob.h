/*
 * Pattern matching for configuration and baselines: file globs and JSON
 * path patterns. Pure functions, safe on any thread.
 */
#ifndef KL_GLOB_H
#define KL_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Match a '/'-separated relative file path (no leading "./") against a glob:
 * `*` any run of characters but '/', `?` one character but '/', `[abc]`,
 * `[a-z]` and `[!a-z]` classes, `**` as a whole segment any number of
 * segments (zero included), `\x` the character x. A pattern without '/'
 * matches the file's name in any directory ("*.jsonl"); a pattern with '/'
 * is anchored at the configuration's directory ("templates/a.json",
 * "templates/" followed by "**"). A trailing '/' in the pattern matches everything
 * below that directory.
 */
bool kl_glob_match(const char *pattern, const char *path);

/*
 * Match a canonical JSON path ("$.input.shots[2].duration",
 * "$.input[\"odd key\"]") against a pattern in the same form where `[*]`
 * stands for any array index and `.*` for any member name, and a pattern
 * ending in ".**" also matches everything below that place.
 */
bool kl_jsonpath_match(const char *pattern, const char *path);

/*
 * Check a glob before it is used: NULL when it is well formed, else a short
 * message (a string literal) with `*at` set to the byte offset of the
 * problem in `pattern`. Rejected: an empty glob, a leading '/', empty, "."
 * and ".." segments (globs only name files below the configuration's
 * directory), `**` inside a segment, an unclosed or empty class, a reversed
 * range, '/' in a class and a trailing '\'. A leading "./" is allowed.
 */
const char *kl_glob_check(const char *pattern, size_t *at);

/*
 * Check a JSON path pattern: `$` followed by steps `.name`, `['name']` or
 * `["name"]` (with JSON-style escapes), `[N]`, and, when `wildcards`,
 * `[*]`, `.*` and a final `.**`. Returns NULL or a message (a string
 * literal) with `*at` as for kl_glob_check.
 */
const char *kl_jsonpath_check(const char *pattern, bool wildcards, size_t *at);

#endif
