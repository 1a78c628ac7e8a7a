/*
 * The generic check primitives: a static const table the rule loader looks
 * checks up in by name and the engine calls through. Each check is named
 * for what it checks; none knows a provider, a model or a field.
 */
#ifndef KL_CHECKS_H
#define KL_CHECKS_H

#include <stdbool.h>

#include "engine.h"

struct kl_check_ops {
    const char *name;
    const char *params;   /* accepted parameter keys, space-separated */
    const char *required; /* parameter keys that must be given, space-separated */
    const char *message;  /* default message template */
    bool at_optional;     /* `at` may be omitted: the root */
    /* Run the check for one place; `target` is the node at the row's `at`
     * (NULL when absent). Findings go through kl_report. */
    int (*run)(kl_ctx *c, const kl_row *row, const kl_node *target);
};

/* Messages a check uses for a case its row's template does not describe. */
enum {
    KL_XMSG_JSON_INVALID,
    KL_XMSG_BASE64,
    KL_XMSG_EMPTY,
    KL_XMSG_TOKEN_NONE,
    KL_XMSG_STEP,
    KL_XMSG_NONE_OF,
    KL_XMSG_UNKNOWN,
    KL_XMSG_COUNT
};
extern const char *const kl_check_xmsgs[KL_XMSG_COUNT];

/* Levenshtein distance of a and b; anything above `cap` comes back as cap + 1. */
size_t kl_edit_distance(const char *a, size_t an, const char *b, size_t bn, size_t cap);

/* Is this the `type` check (the one check that runs on a value of an undeclared type)? */
bool kl_check_judges_type(const kl_check_ops *ops);

/* The check named `name` (`len` bytes), or NULL. */
const kl_check_ops *kl_check_find(const char *name, size_t len);

/* Every check, for default-message compilation and `klint explain`. */
extern const kl_check_ops *const kl_checks[];
extern const size_t kl_n_checks;

#endif
