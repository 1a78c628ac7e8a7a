/*
 * The lint façade: one call from source to diagnostics, shared by the CLI
 * and the LSP server.
 *
 * A lint is the strict loader, then (unless syntax-only) the rule engine:
 * the document's profile (detected, or forced by the options) run over the
 * tree, appending to the same list.
 *
 * Diagnostics are appended in the order they are found; callers that show
 * them to people sort them (kl_diags_sort) per document.
 *
 * A profile id is checked in every mode: a syntax-only linter runs no rule,
 * but an id it is given must still name a profile (of the options' rules,
 * else of the built-in ones, loaded the first time an id is to be checked),
 * so that a typo is an error whether or not --syntax-only is on.
 */
#include "klint/lint.h"

#include "engine.h"

#include <stdlib.h>

struct kl_linter {
    kl_lint_options opts;
    kl_doc *doc; /* reused for every document: its arena keeps its memory */
    kl_ruleset *own_rules;     /* the built-in rules, when the options gave none (syntax only:
                                * loaded when a profile id is first checked) */
    kl_engine *engine;         /* NULL for syntax-only linting */
    const kl_profile *profile; /* forced by the options, or NULL */
};

/* The profile named `id` in the linter's rules (loading the built-in ones if need be) into
 * `*out`. @return KL_OK, KL_EUSAGE when no profile has that id, or KL_ENOMEM. */
static int find_profile(kl_linter *linter, const char *id, const kl_profile **out)
{
    const kl_ruleset *rules = linter->opts.rules;
    if (rules == NULL) {
        if (linter->own_rules == NULL) {
            int rc = kl_ruleset_builtin(&linter->own_rules);
            if (rc != KL_OK)
                return rc;
        }
        rules = linter->own_rules;
    }
    *out = kl_ruleset_find_profile(rules, id);
    return *out != NULL ? KL_OK : KL_EUSAGE;
}

int kl_linter_new(kl_linter **out, const kl_lint_options *opts)
{
    *out = NULL;
    kl_linter *linter = calloc(1, sizeof(*linter));
    if (linter == NULL)
        return KL_ENOMEM;
    if (opts != NULL)
        linter->opts = *opts;

    kl_json_options jopts = {0};
    jopts.max_depth = linter->opts.max_depth;
    /* Syntax only: the loader still checks everything, but builds no tree. */
    jopts.no_tree = linter->opts.syntax_only;
    int rc = kl_doc_new(&linter->doc, &jopts);
    if (rc < 0) {
        free(linter);
        return rc;
    }
    if (!linter->opts.syntax_only && linter->opts.rules == NULL)
        rc = kl_ruleset_builtin(&linter->own_rules);
    if (rc == KL_OK && linter->opts.profile != NULL)
        rc = find_profile(linter, linter->opts.profile, &linter->profile);
    if (rc == KL_OK && !linter->opts.syntax_only)
        rc = kl_engine_new(&linter->engine,
                           linter->opts.rules ? linter->opts.rules : linter->own_rules);
    if (rc != KL_OK) {
        kl_linter_free(linter);
        return rc;
    }
    *out = linter;
    return KL_OK;
}

static int lint_with(kl_linter *linter, const kl_source *src, const kl_profile *profile,
                     kl_diags *diags)
{
    int rc = kl_doc_parse(linter->doc, src, diags);
    const kl_node *root = kl_doc_root(linter->doc);
    if (rc != KL_OK || linter->engine == NULL || root == NULL)
        return rc;
    return kl_engine_run(linter->engine, profile, root, src, diags);
}

int kl_linter_lint(kl_linter *linter, const kl_source *src, kl_diags *diags)
{
    if (linter == NULL || src == NULL || diags == NULL)
        return KL_EINTERNAL;
    return lint_with(linter, src, linter->profile, diags);
}

int kl_linter_lint_as(kl_linter *linter, const kl_source *src, const char *profile,
                      kl_diags *diags)
{
    if (linter == NULL || src == NULL || diags == NULL)
        return KL_EINTERNAL;
    const kl_profile *p = linter->profile;
    if (profile != NULL) {
        int rc = find_profile(linter, profile, &p);
        if (rc != KL_OK)
            return rc;
    }
    return lint_with(linter, src, p, diags);
}

void kl_linter_free(kl_linter *linter)
{
    if (linter == NULL)
        return;
    kl_engine_free(linter->engine);
    kl_ruleset_free(linter->own_rules);
    kl_doc_free(linter->doc);
    free(linter);
}
