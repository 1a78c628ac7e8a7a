/*
 * The rule engine: runs one profile's compiled tables (rules.h) over one
 * document and appends findings to a kl_diags list.
 *
 * A kl_engine holds per-thread scratch memory (slot table, documents for
 * JSON held inside strings, message buffers), reused for every document;
 * it reads a finished kl_ruleset, which must outlive it. Internal to
 * libklint: the public way in is kl_linter_lint (lint.h).
 *
 * The rest of this header is the engine's inside, shared by engine.c,
 * cond.c, checks.c, msg.c and profile.c.
 */
#ifndef KL_ENGINE_H
#define KL_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "klint/diag.h"
#include "klint/json.h"
#include "klint/rules.h"
#include "klint/source.h"
#include "rules.h"

typedef struct kl_engine kl_engine;

/** @return KL_OK or KL_ENOMEM. `rs` is borrowed and must be finished. */
int kl_engine_new(kl_engine **out, const kl_ruleset *rs);

/** NULL is a no-op. */
void kl_engine_free(kl_engine *e);

/** The ruleset the engine reads. */
const kl_ruleset *kl_engine_ruleset(const kl_engine *e);

/**
 * Select a profile for `root` (or use `forced`) and run it; findings are
 * appended to `diags` with their profile set. A payload no profile matches
 * gets `profile-unknown` (or `profile-ambiguous`).
 *
 * @return KL_OK or KL_ENOMEM.
 */
int kl_engine_run(kl_engine *e, const kl_profile *forced, const kl_node *root,
                  const kl_source *src, kl_diags *diags);

/* ---- Inside the engine ----------------------------------------------- */

/* A string whose JSON has been parsed this run. */
typedef struct kl_parsed {
    const kl_node *outer;       /* the string node */
    const kl_source *outer_src; /* the source of the document holding it */
    const kl_node *root;        /* parsed root; NULL when it did not parse */
    const char *error;          /* the loader's message when it did not parse */
    uint32_t error_off;         /* and where, as an offset in the decoded string */
    const kl_source *src;       /* the parsed text's own source */
} kl_parsed;

/* A value: a node, known to have been sent or taken from a default. */
typedef struct kl_val {
    const kl_node *node; /* NULL: unknown (not sent, no default) */
    bool defaulted;
} kl_val;

typedef struct kl_ctx {
    kl_engine *e;
    const kl_profile *p;
    const kl_source *src;
    const kl_node *root;
    kl_diags *out;
    size_t first_diag;     /* this run's findings start here in `out` */
    const kl_node **slots; /* fixed fields' nodes; NULL while detecting */
    const kl_node *item;   /* `@` */
    uint16_t item_field;   /* the field `@` is an instance of; KL_NONE when unbound */
    /* The member table of the item a row runs on (rules.h, `local`), or NULL: the nodes of
     * the fields inside it, [0] being the item itself. Used only while `item` is that item. */
    const kl_node *const *item_tab;
    const kl_row *row;     /* the row being run */
    int depth;             /* recursion guard for defaults that depend on defaults */
    /* While a misplaced (or misspelt) member is checked as the field it would become
     * (kl_misplaced): its path, and the path it would have; findings under it say so. NULL
     * otherwise. */
    const char *misplaced_at;
    const char *belongs_at;
} kl_ctx;

/* Node at `ref` (NULL when absent); ref must be single-valued. */
const kl_node *kl_resolve(kl_ctx *c, kl_ref ref);

/* Node at field `f` below `from` (an instance of field `from_f`). */
const kl_node *kl_resolve_from(kl_ctx *c, const kl_node *from, uint16_t from_f, uint16_t f);

/* Call fn for every node at `ref` (through [*] steps); stops when fn returns false. */
typedef bool (*kl_each_fn)(kl_ctx *c, const kl_node *node, void *arg);
void kl_each(kl_ctx *c, kl_ref ref, kl_each_fn fn, void *arg);

/* The parse whose root is `root`, or NULL. */
const kl_parsed *kl_parsed_by_root(kl_ctx *c, const kl_node *root);

/* The JSON parsed from string node `s`, or NULL. */
const kl_parsed *kl_parsed_of(kl_ctx *c, const kl_node *s);

/* For a field whose value may be held as JSON text: the node that holds the value itself. */
const kl_node *kl_through_parsed(kl_ctx *c, const kl_node *n, uint16_t f);

/* The value in effect at `ref`: sent (not null), else the default. */
kl_val kl_effective(kl_ctx *c, kl_ref ref);
/* The same for an already resolved node `n` of field `f`. */
kl_val kl_effective_node(kl_ctx *c, const kl_node *n, uint16_t f);

/* present(x): sent, not null, not "". */
bool kl_is_present(const kl_node *n);

/* cond.c */
bool kl_cond_eval(kl_ctx *c, int32_t cond);
/* A numeric or node value of an operand; `*num` set and true when numeric. */
kl_val kl_operand_eval(kl_ctx *c, const kl_operand *op, double *num, bool *is_num);
/* Add up the numbers at `ref` (every match of a `[*]` path) into `*sum`; returns how many
 * of the nodes there were numbers. */
size_t kl_sum_numbers(kl_ctx *c, kl_ref ref, double *sum);
bool kl_node_equal(const kl_node *a, const kl_node *b);
/* The number a node holds: a number, or a string of decimal digits. */
bool kl_node_number(const kl_node *n, double *out);
/* Type bits the node satisfies (json-string not included: that needs a parse). */
uint32_t kl_node_types(const kl_node *n);

/* ---- Findings -------------------------------------------------------- */

enum { KL_MAX_EXTRA_RELATED = 4 };

typedef struct kl_finding {
    const kl_node *node;   /* the place; NULL for a missing member */
    const kl_node *parent; /* missing member: the object that should hold it */
    uint16_t field;        /* field of the place (names a missing member) */
    bool key_span;         /* underline the member's key, not its value */
    bool has_span;         /* `span` is set (inside `node`, decoded offsets) */
    uint32_t sub_start, sub_end;
    kl_severity severity;
    kl_val value;
    const char *type;
    const char *found_type;
    const char *found;
    const char *allowed;
    const char *min, *max, *range;
    const char *count;
    const char *sum;
    kl_val expected;
    const char *token;
    const char *n;
    const char *list;
    const char *other;
    const char *names;
    const char *hint;           /* appended to the message: "; did you mean ...?" */
    /* The check's built-in message for a special case (invalid JSON, an empty value, a step
     * not met, ...), or NULL; the row's own message wins whenever the finding can fill it. */
    const kl_tmpl *message;
    const kl_fixspec *fix;      /* NULL: the row's */
    const kl_node *fix_node;    /* SET value made by the engine */
    const char *fix_name;       /* RENAME made by the engine */
    bool fix_unsafe;            /* fix_node is a guess at the meaning (a nearest value) */
    bool no_fix;
    struct {
        const kl_node *node;
        const char *message;
    } extra[KL_MAX_EXTRA_RELATED];
    int n_extra;
} kl_finding;

/* Initialise a finding for the current row at `node` (of field `f`). */
void kl_finding_init(kl_ctx *c, kl_finding *f, const kl_node *node, uint16_t field);

/* Turn a finding into a diagnostic (message, path, span, related, fixes). */
int kl_report(kl_ctx *c, const kl_finding *f);

/* msg.c */
void kl_msg_value(kl_buf *b, const kl_node *n, bool defaulted);
/* A value as JSON text, in full (kl_msg_value clips it for a message). */
void kl_msg_json(kl_buf *b, const kl_node *n);
void kl_msg_render(kl_ctx *c, kl_buf *b, const kl_tmpl *t, const kl_finding *f);
/* Does the finding supply every fact (placeholder) template `t` uses? */
bool kl_msg_fillable(const kl_tmpl *t, const kl_finding *f);
/* The member name (or "[i]") of a place. */
void kl_msg_place_name(kl_ctx *c, kl_buf *b, const kl_node *node, uint16_t field);
/* The canonical path of a node (inner documents continued). */
void kl_node_path(kl_ctx *c, kl_buf *b, const kl_node *node);
/* The span of a node in the linted source (inner documents mapped back). */
kl_span kl_node_span(kl_ctx *c, const kl_node *node, bool key);
/* Map an offset inside node's document to the linted source. */
uint32_t kl_map_offset(kl_ctx *c, const kl_node *node, uint32_t off);
/* Is the node inside JSON parsed from a string? */
bool kl_node_is_inner(kl_ctx *c, const kl_node *node);

/* A short list of values: `"a", "b", "c"`. */
void kl_msg_list(kl_buf *b, const kl_node *array);

/* fixes (fix.c) */
/* Build the finding's fix (at most 4 edits, texts in the run arena): 1, 0 for none, -1 on ENOMEM. */
int kl_fix_build(kl_ctx *c, const kl_finding *f, kl_fix *fix, kl_edit *edits);
/* Does object `obj` have a member named `name` besides `self` (NULL: any)? A fix that would
 * add a second one (rename, move, insert) would make a duplicate key: it is not offered. */
bool kl_name_taken(const kl_node *obj, const char *name, size_t len, const kl_node *self);
/* A NUL-terminated copy in the run arena, or NULL. */
const char *kl_keep(kl_ctx *c, const char *s, size_t len);
/*
 * The text kl_msg_list writes for `list` (NULL: ""), or NULL when out of memory. `list` must
 * be a node of the engine's ruleset (a row's `values`, `mimes`, `strings`, ...), never of a
 * document: the text is made once and kept for the engine's life, keyed by the node's address,
 * so a finding's "allowed values" cost nothing after the first.
 */
const char *kl_list_text(kl_ctx *c, const kl_node *list);

/* unknown keys (unknown.c) */
int kl_unknown_key(kl_ctx *c, const kl_node *member, uint16_t obj_field);

/*
 * A member the profile declares elsewhere ("move it into `input`"), or under another name
 * (a legacy alias, another provider's spelling, a typo), whose
 * fix would make it the declared field `field` (not one inside a list item): once the walk
 * and the rows are done, its value is checked as that field would be — the rows
 * whose every path lies within that field (its type, enum, range, length, item counts, URI
 * schemes, media types, ...), and the unknown keys inside it — with findings at the member's
 * real paths. A null value is not checked (it counts as not sent). Beyond a fixed number of
 * such members per document, further ones are only reported as unknown keys. A `renamed`
 * member (it stays in its object) is checked by every row that reports at or below the
 * field, whatever else the row reads: the rest of the document is what the rename leaves.
 *
 * @return KL_OK or KL_ENOMEM.
 */
int kl_misplaced(kl_ctx *c, const kl_node *member, uint16_t field, bool renamed);

/*
 * The member table of `item`, an item of field `a`, if a row has made and filled it during
 * this run (see kl_resolve), else NULL. Looks nothing up, so it parses nothing: binding it
 * to c->item_tab only saves kl_resolve the look-ups it would repeat.
 */
const kl_node *const *kl_item_table_made(kl_ctx *c, const kl_node *item, uint16_t a);

/* tokens.c: call fn for every match of token pattern `t` in s[0..len) (decoded offsets). */
typedef bool (*kl_token_fn)(void *ctx, uint32_t start, uint32_t end, uint64_t n);
void kl_tokens_scan(const char *s, size_t len, const kl_token_spec *t, kl_token_fn fn, void *ctx);
/* The same, given `at`: the n offsets in s[0..len) of every byte equal to t->prefix[0],
 * ascending (t->prefix_len > 0). Lets one scan of a string serve every pattern that
 * starts with that byte. */
void kl_tokens_scan_at(const char *s, size_t len, const kl_token_spec *t, const uint32_t *at,
                       size_t n, kl_token_fn fn, void *ctx);

/* profile.c */
const kl_profile *kl_profile_select(kl_ctx *c, int *status);

#endif
