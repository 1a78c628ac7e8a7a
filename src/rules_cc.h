/*
 * The rule compiler's shared state and internal interface. The compiler is
 * split by concern, each file building one part of a profile through a
 * kl_cc (one profile at a time):
 *
 *   rules_load.c     the ruleset: sources, accessors, rule ids, and the
 *                    order of compilation (kl_ruleset_finish)
 *   rules_profile.c  a profile's own keys, aliases, not-applicable list,
 *                    overlays, and freezing the tables into the arena
 *   rules_field.c    the field table: paths to fields, member hashes,
 *                    defaults, `unknown`
 *   rules_implied.c  the rows a field's attributes imply (type, enum, ...)
 *   rules_row.c      constraint rows and their check parameters
 *   rules_expr.c     paths, conditions, operands, templates, fixes
 *   rules_cc.c       reporting and the value checks they all share
 *
 * Internal to those files. Every problem in a rule file is reported at its
 * node (kl_cc_error); a function that returns false or -1 has reported why,
 * unless C->failed (out of memory) or, under skip_missing, C->missing.
 */
#ifndef KL_RULES_CC_H
#define KL_RULES_CC_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "rules.h"

/* One rule file: its bytes, its tree and what is wrong with it. */
typedef struct kl_rfile {
    kl_source *src;
    kl_doc *doc;         /* the loaded tree of a file read at run time */
    kl_node *tree;       /* the tree of a built-in file (kl_builtin_tree), or NULL */
    const kl_node *root; /* the tree's root once loaded; NULL when the file is not JSON */
    kl_diags *diags;
    bool bad;  /* an error was reported */
    bool view; /* `src` views bytes it does not own (built-in rules): dispose, then free */
    /* A built-in file: `src` has no line table until a diagnostic needs positions. */
    const struct kl_builtin_rule *builtin;
    /* A built-in file, compiled without the checks that only find mistakes (keys that are
     * not allowed or missing, undeclared rule ids): the test suite makes them on every
     * built-in file (kl_ruleset_set_strict), so they cannot fail at run time. */
    bool trusted;
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
    bool hashed; /* every field exists and every object field has its member hash */
    /* A lazy profile (rules_load.c): its head is compiled and frozen first, the rest (rows,
     * aliases, not-applicable list) when the whole profile is first asked for. */
    const kl_node *pobj;     /* the profile object, for kl_cc_profile_rest */
    uint32_t n_frozen_conds; /* conditions kl_cc_freeze_head has seen */
    bool conds_fixed;        /* the conditions table must not move: readers have it */
    atomic_bool complete;    /* the profile is whole (set last, with release order) */
} kl_pbuild;

typedef struct kl_cc {
    kl_arena *arena;
    kl_rfile *file; /* the file being compiled (errors go to its diags) */
    kl_pbuild *b;   /* the profile being built */
    bool failed;    /* out of memory */
    bool skip_missing; /* overlays on "*": a path the profile lacks skips the row */
    bool missing;      /* ... and one was met */
    const char *overlay; /* overlay id while compiling an overlay row */
    uint16_t reach; /* common ancestor of every field a path named since the last reset
                     * (KL_NONE: none yet): a row's `reach` */
    const kl_ruleset *rs;
    /* The checks implied rows run, found by name once (rules_implied.c). */
    struct {
        const char *name;
        const kl_check_ops *ops;
    } implied_checks[16];
    uint8_t n_implied_checks;
} kl_cc;

/* Report a problem in the rule file at node `n` (its key when `key`). */
void kl_cc_error(kl_cc *C, const kl_node *n, bool key, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* NUL-terminated arena copy of a string node's text (NULL for another node). */
const char *kl_cc_str(kl_cc *C, const kl_node *n);
/* Zeroed arena memory; NULL (and C->failed) when out of memory. */
void *kl_cc_alloc(kl_cc *C, size_t size);

/* True when `n` is a string whose text is `s`. */
bool kl_cc_is(const kl_node *n, const char *s);

/* `arr` (of `*cap` elements, `n` used) with room for one more: the same or a larger one
 * (`*cap` updated), or NULL (and C->failed) when out of memory, `arr` untouched. */
void *kl_cc_grow(kl_cc *C, void *arr, uint32_t *cap, uint32_t n, size_t elem);

/* Append a zeroed condition to the profile being built; its index, or -1 (out of memory). */
int32_t kl_cc_new_cond(kl_cc *C);

/* ---- Values of a rule file (each reports what is wrong) ---------------- */

/* ", "-joined arena copy of a string or a list of strings; NULL when `n` is NULL or bad. */
const char *kl_cc_joined(kl_cc *C, const kl_node *n, const char *what);
/* `n` is a non-empty string. A NULL `n` is false without a report: check presence first. */
bool kl_cc_want_string(kl_cc *C, const kl_node *n, const char *what);
/* `n` is a number; its value in `*out`. NULL: false without a report, as above. */
bool kl_cc_want_number(kl_cc *C, const kl_node *n, double *out);
/* `v` is a non-empty list of strings. */
bool kl_cc_strings(kl_cc *C, const kl_node *v);
/* A type name or a non-empty list of them (§4 of rules/README.md), as KL_T_* bits. */
bool kl_cc_types(kl_cc *C, const kl_node *n, uint32_t *out);
/* `n` is a list (and not empty when `nonempty`); else `message` is reported at it. */
bool kl_cc_list(kl_cc *C, const kl_node *n, bool nonempty, const char *message);
/*
 * One entry of a list of objects: `e` is an object ("<what> is <shape>" when not) with
 * only keys from `allowed` (and "comment") and every key of `required` ("<what> needs
 * `a` and `b`"); keys are space-separated. False after reporting the first problem.
 */
bool kl_cc_entry(kl_cc *C, const kl_node *e, const char *what, const char *shape,
                 const char *allowed, const char *required);

/*
 * Compile a path (string node) from `scope` (the field `@` stands for, or
 * KL_NONE). `multi`: the path may cross [*] steps. `crossed`, when not
 * NULL, says whether it did. False when it failed (reported, or missing
 * under skip_missing). The field it names is folded into C->reach.
 */
bool kl_cc_path(kl_cc *C, const kl_node *sn, uint16_t scope, bool multi, kl_ref *out,
                bool *crossed);

/* The nearest common ancestor-or-self of fields a and b (KL_NONE stands for "none"). */
uint16_t kl_cc_common(const kl_cc *C, uint16_t a, uint16_t b);

/* The item field of list field `f` (through a parsed child), or KL_NONE. */
uint16_t kl_cc_item_of(kl_cc *C, uint16_t f);

/* Compile a condition; -1 on error (reported). */
int32_t kl_cc_cond(kl_cc *C, const kl_node *n, uint16_t scope);

/* Compile an operand: object form, or (when `path_string`) a path string. */
bool kl_cc_operand(kl_cc *C, const kl_node *n, uint16_t scope, bool path_string,
                   kl_operand *out);

/* Compile a message template. */
bool kl_cc_tmpl(kl_cc *C, const kl_node *n, uint16_t scope, kl_tmpl *out);
/* Compile a built-in template (no paths allowed). The segments point into `text`, which
 * must outlive them (a static string). */
bool kl_cc_tmpl_text(kl_arena *arena, const char *text, kl_tmpl *out);

/* Compile a fix object. */
bool kl_cc_fix(kl_cc *C, const kl_node *n, uint16_t scope, kl_fixspec *out);

/* Parse a severity string node. */
bool kl_cc_severity(kl_cc *C, const kl_node *n, kl_severity *out);

/* True when `w` is one of the space-separated words of `list`. */
bool kl_cc_word_in(const char *list, const char *w, size_t len);

/* Member `name` of object `obj`, as kl_node_get (the last one of that name; NULL when none,
 * or when `obj` is NULL or not an object), a little faster; KL_CC_GET for a literal name. */
const kl_node *kl_cc_get(const kl_node *obj, const char *name, size_t len);
#define KL_CC_GET(obj, literal) kl_cc_get((obj), "" literal, sizeof(literal) - 1)

/* A member name for kl_cc_pick: KL_CC_NAME("type"). */
typedef struct kl_cc_name {
    const char *s;
    size_t len;
} kl_cc_name;
#define KL_CC_NAME(literal) {"" literal, sizeof(literal) - 1}

/* Members `names[0..n)` (non-empty, distinct) of object `obj` in one pass: out[k] is what
 * kl_cc_get(obj, names[k].s, names[k].len) gives. */
void kl_cc_pick(const kl_node *obj, const kl_cc_name *names, size_t n, const kl_node **out);

/* Check that object `obj` has only keys from the space-separated lists (true without looking
 * in a trusted file). */
bool kl_cc_keys(kl_cc *C, const kl_node *obj, const char *what, const char *allowed,
                const char *allowed2);

/* ---- The parts of a profile ---------------------------------------------- */

/* rules_load.c: `idn` (a string node) is a rule id some loaded file declares. */
bool kl_cc_rule_id_declared(kl_cc *C, const kl_node *idn);

/* rules_field.c: the MEMBER child of field `f` of the profile being built named `name`, or
 * KL_NONE (by the member hashes once they exist). */
uint16_t kl_cc_member(kl_cc *C, uint16_t f, const char *name, size_t len);

/* rules_field.c: the profile's field table from its `fields` list (an array): the root
 * (field 0), every field, the member hashes, then defaults and (when `implied`) implied rows,
 * once every field exists. False when the fields are wrong: the rest of the profile is not
 * compiled. */
bool kl_cc_fields(kl_cc *C, const kl_node *fields, bool implied);
/* rules_field.c: the implied rows of every field, for fields compiled without them. */
void kl_cc_fields_implied(kl_cc *C);

/* rules_implied.c: the rows field `f`'s attributes imply, from its spec in the rule file. */
void kl_cc_implied(kl_cc *C, uint16_t f);

/* rules_row.c: a row with every field at its "nothing given" value. */
void kl_cc_row_init(kl_row *r);
/* rules_row.c: append a copy of `r` to the profile, with its `reach` (C->reach folded
 * with `r->at`: reset C->reach before compiling the row's paths). */
bool kl_cc_add_row(kl_cc *C, const kl_row *r);
/* rules_row.c: one check parameter (member `m` of a row, or of a field attribute). */
bool kl_cc_param(kl_cc *C, kl_row *r, const kl_node *m, uint16_t scope);
/* rules_row.c: one row object of `rows` (one compiled row per `at`). */
void kl_cc_row(kl_cc *C, const kl_node *obj);

/* rules_profile.c: a new, empty profile build appended to *builds; NULL when out of memory. */
kl_pbuild *kl_cc_new_build(kl_cc *C, kl_pbuild ***builds, size_t *n, size_t *cap);
/* rules_profile.c: compile profile object `pobj` (of C->file) into `b`: all of it when `whole`,
 * else its head only: its own keys, its fields with their defaults, its detection. */
void kl_cc_profile(kl_cc *C, const kl_node *pobj, kl_pbuild *b, bool whole);
/* rules_profile.c: the rest of a profile whose head kl_cc_profile compiled: implied rows,
 * aliases, rows, not-applicable list. */
void kl_cc_profile_rest(kl_cc *C, kl_pbuild *b);
/* rules_profile.c: an upper bound on the conditions compiling profile object `pobj` makes. */
uint32_t kl_cc_cond_bound(const kl_node *pobj);
/* rules_profile.c: add overlay `o`'s rows to the profiles it names. */
void kl_cc_overlay(kl_cc *C, const kl_node *o, kl_pbuild **builds, size_t n_builds);
/* rules_profile.c: what a row of check `check` needs to find anything (row gates). */
enum {
    KL_CC_SENT_ONLY = 1,           /* a sent value at its place */
    KL_CC_SENT_UNLESS_DEFAULT = 2, /* ... unless the place has a default */
    KL_CC_SENT_IF_IMPLIED = 4,     /* ... when the row comes from a field attribute */
};
uint8_t kl_cc_check_traits(const kl_check_ops *check);
/* rules_profile.c: make a build's tables the profile's, the build keeping them; false when out
 * of memory. kl_cc_freeze_head: the fields and the conditions made so far (what detection and
 * the walk read); kl_cc_freeze_rest, after it: the rows, aliases and not-applicable list and
 * the conditions made since, with, per kl_checks[] entry, `default_msgs` for rows without a
 * message and `traits` (kl_cc_check_traits). The profile is final after both. */
bool kl_cc_freeze_head(kl_cc *C, kl_pbuild *b);
bool kl_cc_freeze_rest(kl_pbuild *b, const kl_tmpl *default_msgs, const uint8_t *traits);
/* rules_profile.c: free the build's tables: those of its profile once frozen (the profile
 * itself lives in the arena). */
void kl_cc_free_build(kl_pbuild *b);

#endif
