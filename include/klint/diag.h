/*
 * Diagnostics: what klint found, where, and how to fix it.
 *
 * A diagnostic holds spans (byte ranges in one kl_source), never node
 * pointers, so the document it was found in can be freed before it is
 * printed. The kl_source must still be alive when the diagnostic is turned
 * into lines and columns.
 *
 * A kl_diags list owns every string of every diagnostic in it (messages,
 * paths, fix texts): adding copies them. `rule` and `profile` are borrowed:
 * they must point at storage that outlives the list (string literals, or
 * rule tables that live as long as the program).
 */
#ifndef KLINT_DIAG_H
#define KLINT_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

/** Severity, ordered so that a larger value is more severe. */
typedef enum kl_severity {
    KL_SEV_INFO = 1,
    KL_SEV_WARNING = 2,
    KL_SEV_ERROR = 3,
} kl_severity;

/** "error", "warning" or "info". */
const char *kl_severity_name(kl_severity sev);

/** Parse "error", "warning", "info"; false when `name` is none of them. */
bool kl_severity_parse(const char *name, kl_severity *out);

/** Another place that explains the diagnostic (the other side of a cross-field rule). */
typedef struct kl_related {
    kl_span span;
    const char *path;    /**< canonical JSON path of that place */
    const char *message; /**< what is there, e.g. "the reference video is here" */
} kl_related;

/** One replacement: the bytes of `span` become `text`. */
typedef struct kl_edit {
    kl_span span;
    const char *text;
} kl_edit;

/**
 * A fix: a set of non-overlapping edits applied together.
 *
 * A fix is safe (`unsafe` false, the zero value) when it keeps what the
 * payload asks for: it corrects a spelling (a key, an enum value's case) or
 * the place of a member, or makes the only change the request allows. It
 * is unsafe when it changes a value into a guess at what was meant (the
 * nearest allowed value): `klint --fix` applies it only with
 * `--unsafe-fixes`. rules/README.md §8 lists which fix is which.
 */
typedef struct kl_fix {
    const char *description; /**< "rename `colour` to `color`" */
    const kl_edit *edits;
    size_t n_edits;
    bool unsafe; /**< may change what the payload asks for; copied by kl_diags_add */
} kl_fix;

/** One finding. */
typedef struct kl_diag {
    const char *rule;    /**< stable kebab-case rule id (borrowed) */
    const char *profile; /**< profile id (borrowed), or NULL */
    kl_severity severity;
    const char *message; /**< says what was found and what is allowed */
    const char *path;    /**< canonical JSON path of the primary place ("$" for the root) */
    kl_span span;        /**< primary place */
    const kl_related *related;
    size_t n_related;
    const kl_fix *fixes;
    size_t n_fixes;
} kl_diag;

/** A growing list of diagnostics that owns their strings. */
typedef struct kl_diags kl_diags;

/** @return KL_OK or KL_ENOMEM. */
int kl_diags_new(kl_diags **out);

/** Free the list and all it owns. NULL is a no-op. */
void kl_diags_free(kl_diags *diags);

/** Drop every diagnostic, keeping the memory for reuse. */
void kl_diags_clear(kl_diags *diags);

/** Number of diagnostics in the list. */
size_t kl_diags_count(const kl_diags *diags);

/** Diagnostic `i` (borrowed; valid until the list is changed). */
const kl_diag *kl_diags_at(const kl_diags *diags, size_t i);

/**
 * Append a copy of `d`: message, path, related entries and fixes are deep
 * copied into the list; `rule` and `profile` are borrowed.
 *
 * @return KL_OK, or KL_ENOMEM (the list is left unchanged).
 */
int kl_diags_add(kl_diags *diags, const kl_diag *d);

/**
 * Append a diagnostic with no related places or fixes and a message made
 * with printf-style formatting.
 *
 * @return KL_OK or KL_ENOMEM.
 */
int kl_diags_addf(kl_diags *diags, const char *rule, kl_severity sev, kl_span span,
                  const char *path, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/** Stable sort by primary span start, then end, then rule id. */
void kl_diags_sort(kl_diags *diags);

/** Number of diagnostics of severity `sev`. */
size_t kl_diags_count_severity(const kl_diags *diags, kl_severity sev);

/**
 * Shift every span (primary, related and edits) of diagnostics `from`..end
 * through `map`, which turns an offset in one source into an offset in
 * another (used for JSON nested inside a string). `ctx` is passed through.
 */
void kl_diags_remap(kl_diags *diags, size_t from, uint32_t (*map)(uint32_t offset, void *ctx),
                    void *ctx);

#endif
