/*
 * The one-call façade the CLI and the LSP server share: source in,
 * diagnostics out, so a payload gets the same findings everywhere.
 *
 *   kl_linter_new(&linter, &opts);
 *   kl_linter_lint(linter, src, diags);     // any number of times
 *   kl_linter_free(linter);
 *
 * A kl_linter keeps scratch memory (a reusable document), so it is used by
 * one thread at a time: make one per thread. Everything it reads from its
 * options is borrowed and must outlive it.
 */
#ifndef KLINT_LINT_H
#define KLINT_LINT_H

#include <stdbool.h>

#include "common.h"
#include "diag.h"
#include "json.h"
#include "rules.h"
#include "source.h"

typedef struct kl_lint_options {
    bool syntax_only;   /**< only check that the input is well-formed JSON */
    uint32_t max_depth; /**< nesting limit; 0 = KL_JSON_DEFAULT_MAX_DEPTH */
    /** Profiles to check against (borrowed, finished); NULL: the built-in rules. */
    const kl_ruleset *rules;
    /** Check every document against this profile id; NULL: detect it per document.
     *  An id no profile has makes kl_linter_new return KL_EUSAGE, in syntax-only mode
     *  too (the id is then looked up, though no rule runs). */
    const char *profile;
} kl_lint_options;

typedef struct kl_linter kl_linter;

/**
 * `opts` may be NULL for the defaults; it is copied.
 * @return KL_OK; KL_ENOMEM; KL_EUSAGE for an unknown `profile`.
 */
int kl_linter_new(kl_linter **out, const kl_lint_options *opts);

/**
 * Lint one document (a whole file, or one JSON Lines record) and append
 * what was found to `diags`. Findings are never a return code.
 *
 * @return KL_OK, KL_ENOMEM, KL_ETOOBIG or KL_EINTERNAL.
 */
int kl_linter_lint(kl_linter *linter, const kl_source *src, kl_diags *diags);

/**
 * kl_linter_lint, checking against the profile whose id is `profile`
 * instead of the one the options chose (NULL: as the options say). Used
 * when a configuration maps some files to a profile.
 *
 * @return as kl_linter_lint; KL_EUSAGE (nothing linted) when no profile has
 *         that id, in syntax-only mode too: the id is looked up in the
 *         options' rules, or the built-in ones (loaded on the first call
 *         that names a profile), though no rule runs.
 */
int kl_linter_lint_as(kl_linter *linter, const kl_source *src, const char *profile,
                      kl_diags *diags);

/** NULL is a no-op. */
void kl_linter_free(kl_linter *linter);

#endif
