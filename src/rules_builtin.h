/*
 * The rule files built into libklint: rules/NAME.json turned into byte arrays
 * at build time by embed_rules.c (a meson custom_target), so an installed
 * klint needs nothing beside its binary.
 */
#ifndef KL_RULES_BUILTIN_H
#define KL_RULES_BUILTIN_H

#include <stddef.h>

typedef struct kl_builtin_rule {
    const char *name;          /* "rules/<file>.json", as shown in diagnostics */
    const unsigned char *data; /* the file's bytes (not NUL-terminated) */
    size_t len;
} kl_builtin_rule;

extern const kl_builtin_rule kl_builtin_rules[];
extern const size_t kl_builtin_rules_count;

#endif
