/*
 * The lint façade: one call from source to diagnostics, shared by the CLI
 * and (later) the LSP server.
 *
 * A lint is the strict loader, then (unless syntax-only) the rule engine:
 * the document's profile (detected, or forced by the options) run over the
 * tree, appending to the same list.
 *
 * Diagnostics are appended in the order they are found; callers that show
 * them to people sort them (kl_diags_sort) per document.
 */
#include "klint/lint.h"

#include "engine.h"

#include <stdlib.h>

struct kl_linter {
    kl_lint_options opts;
    kl_doc *doc; /* reused for every document: its arena keeps its memory */
    kl_ruleset *own_rules;     /* the built-in rules, when the options gave none */
    kl_engine *engine;         /* NULL for syntax-only linting */
    const kl_profile *profile; /* forced by the options, or NULL */
};

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
    if (!linter->opts.syntax_only) {
        const kl_ruleset *rules = linter->opts.rules;
        if (rules == NULL) {
            rc = kl_ruleset_builtin(&linter->own_rules);
            rules = linter->own_rules;
        }
        if (rc == KL_OK && linter->opts.profile != NULL) {
            linter->profile = kl_ruleset_find_profile(rules, linter->opts.profile);
            if (linter->profile == NULL)
                rc = KL_EUSAGE;
        }
        if (rc == KL_OK)
            rc = kl_engine_new(&linter->engine, rules);
        if (rc != KL_OK) {
            kl_linter_free(linter);
            return rc;
        }
    }
    *out = linter;
    return KL_OK;
}

int kl_linter_lint(kl_linter *linter, const kl_source *src, kl_diags *diags)
{
    if (linter == NULL || src == NULL || diags == NULL)
        return KL_EINTERNAL;
    int rc = kl_doc_parse(linter->doc, src, diags);
    const kl_node *root = kl_doc_root(linter->doc);
    if (rc != KL_OK || linter->engine == NULL || root == NULL)
        return rc;
    return kl_engine_run(linter->engine, linter->profile, root, src, diags);
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
