/*
 * The compiled rule model: what the rule compiler (rules_*.c, see rules_cc.h)
 * builds from rules/NAME.json and what the engine (engine.c, cond.c,
 * checks.c, msg.c, profile.c) walks.
 *
 * Everything here is read-only once kl_ruleset_finish has returned, so one
 * ruleset serves any number of engines on any number of threads. All
 * strings point into the rule documents (kept alive by the ruleset) or into
 * the ruleset's arena; nothing here names a provider, a model or a field:
 * those are data.
 *
 * Paths are compiled to field indices. A field is one step from its parent:
 * the root, a member name, "every item" ([*]) or "the JSON parsed from this
 * string" (for fields of type json-string). Field 0 is the root.
 */
#ifndef KL_RULES_H
#define KL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "klint/diag.h"
#include "klint/json.h"
#include "klint/rules.h"
#include "klint/source.h"

#define KL_NONE 0xFFFFu

/* ---- Types ---------------------------------------------------------- */

/* Type names of the rule format, as bits so a field may allow several. */
enum {
    KL_T_STRING = 1u << 0,
    KL_T_NUMSTR = 1u << 1,  /* string of ASCII decimal digits */
    KL_T_JSONSTR = 1u << 2, /* string that parses as JSON */
    KL_T_INTEGER = 1u << 3, /* number lexeme without fraction or exponent */
    KL_T_INTVAL = 1u << 4,  /* number with an integral value */
    KL_T_NUMBER = 1u << 5,
    KL_T_BOOLEAN = 1u << 6,
    KL_T_OBJECT = 1u << 7,
    KL_T_ARRAY = 1u << 8,
    KL_T_NULL = 1u << 9,
};

/* Parse a type name; 0 when unknown. */
uint32_t kl_type_parse(const char *name);
/* "an integer", "a string of decimal digits", ... for one type bit. */
const char *kl_type_phrase(uint32_t bit);
/* The type name of the rule format for one type bit ("integer"). */
const char *kl_type_name(uint32_t bit);
/* What a node is, in the words of messages: "a string", "a number with a fraction". */
const char *kl_node_phrase(const kl_node *n);

/* ---- Fields --------------------------------------------------------- */

typedef enum kl_step {
    KL_STEP_ROOT,
    KL_STEP_MEMBER,
    KL_STEP_ITEM,   /* [*] */
    KL_STEP_PARSED, /* the JSON held by a json-string */
} kl_step;

typedef struct kl_default_case {
    int32_t when; /* condition index */
    const kl_node *value;
} kl_default_case;

typedef struct kl_field {
    uint16_t parent; /* KL_NONE for the root */
    uint8_t step;    /* kl_step */
    bool in_item;    /* at or below an ITEM step: resolved per item, not by slot */
    uint16_t anchor; /* nearest ITEM ancestor-or-self; KL_NONE when none */
    uint16_t fixed;  /* nearest ancestor-or-self outside every list (its node is in the slot
                      * table); 0, the root, at worst */
    uint16_t depth;  /* steps from the root */
    uint16_t item_child;   /* the [*] child, or KL_NONE */
    uint16_t parsed_child; /* the parsed-JSON child of a json-string, or KL_NONE */
    uint16_t *children;    /* MEMBER children, in declaration order */
    uint16_t n_children;
    uint16_t *hash; /* open addressing over children by name; KL_NONE = empty */
    uint32_t hash_mask;
    const char *name; /* member name (MEMBER) */
    uint32_t name_len;
    const char *path; /* as written in rule files: "input.shots[*].duration" */
    const char *concept;
    const char *description;
    const char *doc;    /* constraints-doc ids, ", "-joined */
    const char *source; /* source keys, ", "-joined */
    uint32_t types;     /* allowed types; 0 = not declared */
    uint32_t near_types; /* tolerated (at a lower severity) by the type check */
    const kl_node *dflt;
    kl_default_case *cases;
    uint16_t n_cases;
    bool declared;     /* listed in the rule file (not only implied as the root) */
    bool unknown_allow;
    kl_severity unknown_sev;
    const char *unknown_doc;
    const char *unknown_source;
    const kl_node *spec; /* the field's object in the rule file */
    const uint16_t *chain; /* fields from the root (excluded) down to this one, `depth` of them */
    /* Item member tables: every field inside a list item (`anchor` set) has a place `local`
     * in its item's table; an ITEM field lists the `n_anchored` fields of that table (itself
     * first, parents before children), and `tabled` says whether the engine keeps such
     * tables for its items (its list is outside any other list). */
    uint16_t local;
    uint16_t n_anchored;
    const uint16_t *anchored;
    bool tabled;
} kl_field;

/* ---- Operands and conditions --------------------------------------- */

typedef enum kl_opk {
    KL_OP_NONE,
    KL_OP_LIT,   /* lit */
    KL_OP_PATH,  /* value in effect at field */
    KL_OP_SENT,  /* sent value at field */
    KL_OP_LEN,   /* summed length of fields[] */
    KL_OP_COUNT, /* items of field satisfying where */
    KL_OP_SUM,   /* sum of numbers at field (a path through [*]) */
} kl_opk;

/* A reference to a field, from the root or from the current item `@`. */
typedef struct kl_ref {
    uint16_t field;
    bool rel; /* relative to `@` */
} kl_ref;

typedef struct kl_operand {
    uint8_t kind; /* kl_opk */
    kl_ref ref;
    kl_ref *refs; /* KL_OP_LEN */
    uint16_t n_refs;
    int32_t where; /* KL_OP_COUNT; -1 for none */
    const kl_node *lit;
    bool lit_is_num; /* LIT: `lit` reads as a number (kl_node_number), worked out once */
    double lit_num;
} kl_operand;

typedef enum kl_condk {
    KL_C_TRUE,
    KL_C_FALSE,
    KL_C_PRESENT,
    KL_C_ABSENT,
    KL_C_EXISTS,
    KL_C_EQ,
    KL_C_NE,
    KL_C_IN,
    KL_C_LT,
    KL_C_LE,
    KL_C_GT,
    KL_C_GE,
    KL_C_IS,
    KL_C_ANY,
    KL_C_ALL,
    KL_C_KEYS_IN,
    KL_C_AND,
    KL_C_OR,
    KL_C_NOT,
} kl_condk;

typedef struct kl_cond {
    uint8_t kind; /* kl_condk */
    kl_ref ref;   /* PRESENT, ABSENT, EXISTS, IS, ANY, ALL, KEYS_IN */
    kl_operand a, b;
    const kl_node *list; /* IN values, KEYS_IN names (arrays in the rule doc) */
    uint32_t types;      /* IS */
    int32_t *kids;       /* AND, OR, NOT (1), ANY/ALL (1: where) */
    uint16_t n_kids;
} kl_cond;

/* ---- Messages and fixes -------------------------------------------- */

typedef enum kl_ph {
    KL_PH_TEXT,
    KL_PH_FIELD,
    KL_PH_PATH,
    KL_PH_VALUE,
    KL_PH_VALUE_AT, /* {value:P} */
    KL_PH_FIELD_AT, /* {field:P} */
    KL_PH_TYPE,
    KL_PH_FOUND_TYPE,
    KL_PH_FOUND,
    KL_PH_ALLOWED,
    KL_PH_MIN,
    KL_PH_MAX,
    KL_PH_RANGE,
    KL_PH_COUNT,
    KL_PH_SUM,
    KL_PH_EXPECTED,
    KL_PH_TOKEN,
    KL_PH_N,
    KL_PH_LIST,
    KL_PH_OTHER,
    KL_PH_NAMES,
    KL_PH_PROFILE,
    KL_PH_PROVIDER,
} kl_ph;

typedef struct kl_seg {
    uint8_t kind; /* kl_ph */
    uint16_t len; /* KL_PH_TEXT */
    const char *text;
    kl_ref ref; /* VALUE_AT, FIELD_AT */
} kl_seg;

typedef struct kl_tmpl {
    kl_seg *segs;
    uint16_t n_segs;
} kl_tmpl;

typedef enum kl_fixk {
    KL_FIX_NONE,
    KL_FIX_SET,
    KL_FIX_REMOVE,
    KL_FIX_RENAME,
    KL_FIX_MOVE_INTO,
} kl_fixk;

typedef struct kl_fixspec {
    uint8_t kind; /* kl_fixk */
    const kl_node *value; /* SET */
    const char *name;     /* RENAME */
    uint16_t target;      /* MOVE_INTO: field index of the object */
    kl_tmpl description;  /* n_segs 0: the default description */
    bool unsafe;          /* "unsafe": true: applied only with --unsafe-fixes */
} kl_fixspec;

/* ---- Rows ------------------------------------------------------------- */

typedef struct kl_check_ops kl_check_ops;

typedef struct kl_token_spec {
    const char *prefix; /* text before {N} */
    uint32_t prefix_len;
    const char *suffix; /* text after {N} */
    uint32_t suffix_len;
    const char *pattern;
    kl_ref *lists; /* what backs the token; none: nothing does */
    uint16_t n_lists;
} kl_token_spec;

typedef struct kl_related_spec {
    kl_ref ref;
    const char *message; /* NULL: a default */
} kl_related_spec;

/* The parameters of every check; each check reads the ones it takes. */
typedef struct kl_params {
    uint32_t types;           /* type */
    uint32_t near_types;      /* type: tolerated at near_sev */
    kl_severity near_sev;
    const kl_node *values;    /* enum, not-enum: array node */
    bool has_case_sev;
    kl_severity case_sev;
    const kl_node *suggest;   /* enum: object node */
    kl_operand min, max;      /* range, length, count, sum */
    kl_operand equals;        /* sum */
    const kl_node *step;      /* range: number node */
    bool exclusive_min, exclusive_max;
    kl_ref *paths;            /* count, one-of checks, requires (needs), excludes (with) */
    uint16_t n_paths;
    int32_t where;            /* count */
    kl_ref list;              /* index-within */
    int64_t base;
    kl_token_spec *tokens;    /* references */
    uint16_t n_tokens;
    const kl_node *strings;   /* uri-scheme: schemes; media-type: extensions */
    const kl_node *mimes;     /* media-type */
    double min_side, max_side, min_aspect, max_aspect; /* image-dimensions; 0 = none */
    int32_t that;             /* assert */
} kl_params;

typedef struct kl_row {
    const char *id;
    const char *doc;     /* ", "-joined constraints-doc ids */
    const char *source;  /* ", "-joined source keys */
    const char *summary; /* NULL: generated */
    const char *explain;
    kl_severity severity;
    const kl_check_ops *check;
    uint16_t at;    /* field index */
    int32_t when;   /* condition index or -1 */
    kl_params p;
    kl_tmpl message; /* the row's template; the check's default when none was given */
    /* `message` came from the rule file: it wins over the check's built-in messages for
     * its special cases (kl_report). */
    bool message_given;
    kl_fixspec fix;
    kl_related_spec *related;
    uint16_t n_related;
    bool implied;        /* made from a field attribute */
    bool judges_type;    /* its check is `type` (kl_check_judges_type) */
    bool needs_target;   /* the check finds nothing when nothing is at `at` */
    uint16_t gate;       /* a field outside any list that must be sent for the row to matter,
                          * or KL_NONE: lets the engine skip rows about absent fields */
    uint16_t reach;      /* the deepest field whose subtree holds every place the row reads
                          * (`at`, and the paths of its condition, parameters, related places,
                          * message and fix): the row can be run on that subtree alone, e.g.
                          * on a misplaced member checked where it belongs */
    const char *overlay; /* overlay id, or NULL */
    const kl_node *spec; /* the row (or attribute) in the rule file */
} kl_row;

typedef struct kl_alias {
    uint16_t at; /* object field */
    const char *name;
    uint32_t name_len;
    const char *hint;
    const char *rename; /* NULL: no fix */
    const char *doc;
    bool has_sev;
    kl_severity sev;
} kl_alias;

typedef struct kl_na {
    const char *doc;
    const char *reason;
} kl_na;

struct kl_profile {
    const char *id;
    const char *provider;
    const char *model;
    const char *title;
    const char *endpoint;
    const char *constraints;
    const kl_node *docs;    /* array of strings, or NULL */
    const kl_node *sources; /* object, or NULL */
    const kl_source *file;  /* the rule file it came from */

    kl_field *fields;
    uint16_t n_fields;
    kl_row *rows;
    uint32_t n_rows;
    kl_cond *conds;
    uint32_t n_conds;
    kl_alias *aliases;
    uint16_t n_aliases;
    kl_na *na;
    uint16_t n_na;
    int32_t identify; /* condition index or -1 */
    int32_t shape;
};

typedef struct kl_rule_id {
    const char *id;
    const char *summary;
    const char *explain;
} kl_rule_id;

/*
 * Compile the built-in rule files with every check a rule file read at run time gets (call
 * before kl_ruleset_finish). Without it they are trusted: the checks that can only find
 * mistakes are skipped for them. The test suite compiles them strictly, so a mistake in a
 * built-in file fails the tests rather than going unnoticed.
 */
void kl_ruleset_set_strict(kl_ruleset *rs);

/*
 * Lazy profiles. A ruleset of trusted files only (the built-in ones, no --rules file, not
 * strict) compiles each profile's head at kl_ruleset_finish: its own keys, its fields with
 * their member hashes, defaults and item tables, and its detection conditions; that is all
 * detection (kl_profile_select), the walk and kl_ruleset_fields_named read. The rest (rows,
 * aliases, not-applicable list) is compiled the first time the whole profile is asked for,
 * once, whatever the thread: so a run compiles the rows of the profiles its documents use.
 *
 * kl_ruleset_profile_at and kl_ruleset_find_profile (klint/rules.h) always give whole
 * profiles, compiling them when needed (NULL when that runs out of memory). Other rulesets'
 * profiles are whole from kl_ruleset_finish on.
 */
/* Profile `i` as it is: its head at least (its rows may not be compiled yet); NULL when `i`
 * is out of range. For detection and for what only reads fields and conditions. */
const kl_profile *kl_ruleset_profile_head(const kl_ruleset *rs, size_t i);
/* `p` (a profile of `rs`) whole; NULL when out of memory. */
const kl_profile *kl_ruleset_complete(const kl_ruleset *rs, const kl_profile *p);

/* The ruleset's read-only view, for the engine and `klint rules`. */
const kl_tmpl *kl_ruleset_xmsg(const kl_ruleset *rs, int which);
size_t kl_ruleset_rule_id_count(const kl_ruleset *rs);
const kl_rule_id *kl_ruleset_rule_id_at(const kl_ruleset *rs, size_t i);
const kl_rule_id *kl_ruleset_rule_id_find(const kl_ruleset *rs, const char *id);

/*
 * Every spelling of a concept in any profile: the member names some field
 * with a concept has, for hints like "<provider> spells this `x`". Calls
 * fn for each (profile, field) whose member name is `name`.
 */
typedef void (*kl_concept_fn)(void *ctx, const kl_profile *p, const kl_field *f);
void kl_ruleset_fields_named(const kl_ruleset *rs, const char *name, size_t name_len,
                             kl_concept_fn fn, void *ctx);

/* Child field of object field `f` named `name`, or KL_NONE. */
uint16_t kl_field_child(const kl_profile *p, uint16_t f, const char *name, size_t len);

/* Field with concept `concept` in profile `p`, or KL_NONE. */
uint16_t kl_profile_concept(const kl_profile *p, const char *concept);

/* Source key `key` of profile `p` resolved to its text (URL), or NULL; `*out_len` bytes
 * (the text is not NUL-terminated). */
const char *kl_profile_source_text(const kl_profile *p, const char *key, size_t len,
                                   size_t *out_len);

#endif
