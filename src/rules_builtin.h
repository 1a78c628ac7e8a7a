/*
 * The rule files built into libklint: rules/NAME.json turned into C data at
 * build time by embed_rules.c (a meson custom_target), so an installed
 * klint needs nothing beside its binary.
 *
 * Each file comes with its bytes and with its JSON tree as klint's loader
 * builds it, packed: indices and offsets instead of pointers, so that the
 * table is plain read-only data (no relocation at program start) and the
 * built-in rules need no parsing at run time (kl_builtin_tree).
 */
#ifndef KL_RULES_BUILTIN_H
#define KL_RULES_BUILTIN_H

#include <stddef.h>
#include <stdint.h>

#include "klint/json.h"

/* A text reference with this bit is an offset into the file's pool (decoded text that is
 * not in its bytes: strings with escapes); without it, an offset into the bytes. */
#define KL_BUILTIN_POOL 0x80000000u
#define KL_BUILTIN_NO_TEXT 0xFFFFFFFFu /* no key */
#define KL_BUILTIN_NO_NODE 0xFFFFFFFFu /* no parent (the root), no children */

/* One kl_node, packed. Node 0 is the root; a container's children are consecutive. */
typedef struct kl_builtin_node {
    uint8_t kind;
    uint8_t flags;
    uint32_t len;
    uint32_t span_start, span_end;
    uint32_t key_start, key_end; /* key_span */
    uint32_t key;                /* text reference, or KL_BUILTIN_NO_TEXT */
    uint32_t key_len;
    uint32_t value; /* strings and numbers: a text reference; containers: the first child's
                     * index, or KL_BUILTIN_NO_NODE when empty; others: 0 */
    uint32_t parent; /* index, or KL_BUILTIN_NO_NODE */
    uint32_t cstr;   /* strings: the offset in the pool of the text, NUL-terminated */
} kl_builtin_node;

typedef struct kl_builtin_rule {
    const char *name;          /* "rules/<file>.json", as shown in diagnostics */
    const unsigned char *data; /* the file's bytes (not NUL-terminated) */
    size_t len;
    const kl_builtin_node *tree; /* its JSON tree, n_nodes nodes */
    uint32_t n_nodes;
    const char *pool; /* decoded texts, each NUL-terminated */
} kl_builtin_rule;

extern const kl_builtin_rule kl_builtin_rules[];
extern const size_t kl_builtin_rules_count;

/*
 * The tree of built-in file `b` as kl_nodes in one malloc'd array (node 0
 * is the root; free() it when done), equal in every field to what
 * kl_json_load makes of the file's bytes; NULL when out of memory.
 */
kl_node *kl_builtin_tree(const kl_builtin_rule *b);

/* The text of string node `n` NUL-terminated, when `n` is a node of `tree`, the tree of
 * built-in file `b`; else NULL. It lives as long as the program. */
const char *kl_builtin_cstr(const kl_builtin_rule *b, const kl_node *tree, const kl_node *n);

#endif
