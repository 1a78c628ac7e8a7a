/*
 * Checking klint's own JSON inputs (configuration files, baselines) with
 * positions: the file is read with klint's loader, and every problem, from
 * a syntax error to an unknown key, becomes one diagnostic of a single rule
 * id (`config-invalid`, `baseline-invalid`) with a span in that file.
 *
 * A kl_jcheck is a small cursor on the stack of one load; it allocates
 * nothing but the diagnostics it appends.
 */
#ifndef KL_JCHECK_H
#define KL_JCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "klint/diag.h"
#include "klint/json.h"
#include "klint/source.h"

typedef struct kl_jcheck {
    const kl_source *src; /* the file being checked */
    kl_diags *out;        /* where problems go */
    const char *rule;     /* the rule id of every problem (a string literal) */
    bool errors;          /* an error-severity problem was reported */
    bool nomem;           /* an allocation failed while reporting */
} kl_jcheck;

/*
 * Parse J->src into a new document. The loader's findings are reported
 * under J->rule: syntax and depth errors and duplicate keys as errors (a
 * klint input must say each thing once), a byte order mark as a warning.
 * @return KL_OK (check kl_doc_root for NULL: nothing to read), KL_ENOMEM, KL_ETOOBIG.
 */
int kl_jcheck_parse(kl_jcheck *J, kl_doc **doc);

/* Report an error at node `n` (its key when `key` and it is a member). */
void kl_jcheck_error(kl_jcheck *J, const kl_node *n, bool key, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Report an error at the character `at` bytes into the decoded text of string node `n`. */
void kl_jcheck_error_at(kl_jcheck *J, const kl_node *n, size_t at, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Report a diagnostic of severity `sev` with a span and path of one's own. */
void kl_jcheck_report(kl_jcheck *J, kl_severity sev, kl_span span, const char *path,
                      const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/*
 * Report every member of object `obj` whose key is not in `allowed` (a
 * NULL-terminated list), with the nearest allowed key as a did-you-mean.
 * `what` names the object in messages ("the configuration").
 * @return true when every key is allowed.
 */
bool kl_jcheck_keys(kl_jcheck *J, const kl_node *obj, const char *what, const char *const *allowed);

/* The candidate nearest to word[0..len) within a few edits (scaled to its length), or one
 * that word[0..len) begins (3 bytes at least); NULL when none is near. */
const char *kl_jcheck_nearest(const char *word, size_t len, const char *const *candidates,
                              size_t n_candidates);

/* The canonical path of `n` in a malloc'd string, or NULL when out of memory. */
char *kl_jcheck_path(const kl_node *n);

#endif
