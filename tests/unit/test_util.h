/*
 * Helpers shared by the unit tests: whole files, scratch directories, a
 * diagnostic checked by rule, severity, start position and words, and nodes
 * of a JSON answer found by path. On any failure they fail the running
 * cmocka test; they never return an error.
 */
#ifndef KL_TEST_UTIL_H
#define KL_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "klint.h"

/* The whole file at `path`, NUL-terminated; the caller frees it. */
char *tu_read_text(const char *path);

/* Write `text` to `path`, replacing what was there. */
void tu_write_text(const char *path, const char *text);

/* Make a fresh directory /tmp/klint-NAME-XXXXXX; its path goes to dir[0..cap). */
void tu_temp_dir(char *dir, size_t cap, const char *name);

/* Remove `dir` and everything under it. */
void tu_remove_tree(const char *dir);

/* Diagnostic `i` of `diags` has `rule` and `sev`, starts at line:col (1-based) of `src`,
 * and its message holds `words`. */
void tu_expect_diag(const kl_diags *diags, const kl_source *src, size_t i, const char *rule,
                    kl_severity sev, uint32_t line, uint32_t col, const char *words);

/* ---- JSON answers (LSP messages, reports) ---- */

/* The node under `n` at a dotted path of member names and item indices ("a.b.0.c"), or
 * NULL when there is none (`n` may be NULL). */
const kl_node *tu_at(const kl_node *n, const char *path);

/* The integer at `path` under `n`; fails the test when there is none. */
int64_t tu_int_at(const kl_node *n, const char *path);

/* `range` is an LSP Range from line l0, character c0 to line l1, character c1. */
void tu_assert_range(const kl_node *range, int64_t l0, int64_t c0, int64_t l1, int64_t c1);

#endif
