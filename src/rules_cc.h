/*
 * The rule compiler's shared state: rules_load.c (files, profiles, fields,
 * rows) and rules_expr.c (paths, conditions, templates, fixes) build one
 * profile at a time through a kl_cc. Internal to those two files.
 */
#ifndef KL_RULES_CC_H
#define KL_RULES_CC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "rules.h"

/* One rule file: its bytes, its tree and what is wrong with it. */
typedef struct kl_rfile {
    kl_source *src;
    kl_doc *doc;
    kl_diags *diags;
    bool bad;  /* an error was reported */
    bool view; /* `src` views bytes it does not own (built-in rules): dispose, then free */
} kl_rfile;

/* A profile while it is being built: growable tables, frozen at the end. */
typedef struct kl_pbuild {
    kl_profile *p;
    kl_rfile *file;
    kl_field *fields;
    uint32_t n_fields, cap_fields;
    kl_row *rows;
    uint32_t n_rows, cap_rows;
    kl_cond *conds;
    uint32_t n_conds, cap_conds;
    kl_alias *aliases;
    uint32_t n_aliases, cap_aliases;
    kl_na *na;
    uint32_t n_na, cap_na;
    const kl_node **field_specs; /* per field: its object in the rule file (NULL: implied) */
    uint32_t cap_specs;
} kl_pbuild;

typedef struct kl_cc {
    kl_arena *arena;
    kl_rfile *file; /* the file being compiled (errors go to its diags) */
    kl_pbuild *b;   /* the profile being built */
    bool failed;    /* out of memory */
    bool skip_missing; /* overlays on "*": a path the profile lacks skips the row */
    bool missing;      /* ... and one was met */
    const char *overlay; /* overlay id while compiling an overlay row */
    const kl_ruleset *rs;
} kl_cc;

/* Report a problem in the rule file at node `n` (its key when `key`). */
void kl_cc_error(kl_cc *C, const kl_node *n, bool key, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* NUL-terminated arena copy of a string node's text. */
const char *kl_cc_str(kl_cc *C, const kl_node *n);
void *kl_cc_alloc(kl_cc *C, size_t size);

/* True when `n` is a string whose text is `s`. */
bool kl_cc_is(const kl_node *n, const char *s);

/* Grow-and-append helpers for the pbuild tables; -1 when out of memory. */
int32_t kl_cc_new_cond(kl_cc *C);

/*
 * Compile a path (string node) from `scope` (the field `@` stands for, or
 * KL_NONE). `multi`: the path may cross [*] steps. `crossed`, when not
 * NULL, says whether it did. False when it failed (reported, or missing
 * under skip_missing).
 */
bool kl_cc_path(kl_cc *C, const kl_node *sn, uint16_t scope, bool multi, kl_ref *out,
                bool *crossed);

/* The item field of list field `f` (through a parsed child), or KL_NONE. */
uint16_t kl_cc_item_of(kl_cc *C, uint16_t f);

/* Compile a condition; -1 on error (reported). */
int32_t kl_cc_cond(kl_cc *C, const kl_node *n, uint16_t scope);

/* Compile an operand: object form, or (when `path_string`) a path string. */
bool kl_cc_operand(kl_cc *C, const kl_node *n, uint16_t scope, bool path_string,
                   kl_operand *out);

/* Compile a message template. */
bool kl_cc_tmpl(kl_cc *C, const kl_node *n, uint16_t scope, kl_tmpl *out);
/* Compile a built-in template (no paths allowed). */
bool kl_cc_tmpl_text(kl_arena *arena, const char *text, kl_tmpl *out);

/* Compile a fix object. */
bool kl_cc_fix(kl_cc *C, const kl_node *n, uint16_t scope, kl_fixspec *out);

/* Parse a severity string node. */
bool kl_cc_severity(kl_cc *C, const kl_node *n, kl_severity *out);

/* True when `w` is one of the space-separated words of `list`. */
bool kl_cc_word_in(const char *list, const char *w, size_t len);

/* Check that object `obj` has only keys from the space-separated lists. */
bool kl_cc_keys(kl_cc *C, const kl_node *obj, const char *what, const char *allowed,
                const char *allowed2);

#endif
