/*
 * The strict JSON loader and the document tree it builds.
 *
 * The loader accepts exactly RFC 8259 JSON text (one value, optionally
 * surrounded by whitespace) encoded as UTF-8. Everything it rejects becomes
 * one `json-syntax` or `json-depth` diagnostic at the offending byte; the
 * load then stops and the document has no root. Duplicate member names
 * (`json-duplicate-key`, with both places) and a leading UTF-8 byte order
 * mark (`json-bom`) are warnings: the document still loads.
 *
 * Every node keeps the byte span of its value and, for object members, the
 * span of its key. Numbers keep their exact lexeme. Strings are decoded
 * (escapes resolved) into memory that lives as long as the document.
 *
 * Ownership: a kl_doc owns every node and decoded string; all pointers
 * obtained from it stay valid until the next kl_doc_parse on the same
 * document or kl_doc_free. Strings without escapes may point straight into
 * the source's bytes, so the kl_source must outlive the document too.
 *
 * Threads: a kl_doc is used by one thread at a time; distinct documents may
 * be used on distinct threads. The loader keeps no global state.
 */
#ifndef KLINT_JSON_H
#define KLINT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "diag.h"
#include "source.h"

/** Loader rule ids, as they appear in diagnostics. */
#define KL_RULE_JSON_SYNTAX        "json-syntax"
#define KL_RULE_JSON_DUPLICATE_KEY "json-duplicate-key"
#define KL_RULE_JSON_BOM           "json-bom"
#define KL_RULE_JSON_DEPTH         "json-depth"

/** Default nesting limit: arrays and objects nested deeper are an error. */
#define KL_JSON_DEFAULT_MAX_DEPTH 512

typedef enum kl_json_kind {
    KL_JSON_NULL,
    KL_JSON_FALSE,
    KL_JSON_TRUE,
    KL_JSON_NUMBER,
    KL_JSON_STRING,
    KL_JSON_ARRAY,
    KL_JSON_OBJECT,
} kl_json_kind;

/** kl_node.flags bits. */
enum {
    KL_NODE_NUM_INTEGER = 1u << 0,  /**< number lexeme has no fraction and no exponent */
    KL_NODE_NUM_NEGATIVE = 1u << 1, /**< number lexeme starts with '-' */
    KL_NODE_STR_ESCAPED = 1u << 2,  /**< string had at least one escape in the source */
};

typedef struct kl_node kl_node;

/**
 * One JSON value. Read-only for users; fields by kind:
 *   NUMBER: `str`/`len` is the exact lexeme as written ("-0.5e3").
 *   STRING: `str`/`len` is the decoded UTF-8 (may contain NUL bytes).
 *   ARRAY, OBJECT: `children`/`len` are the items or members, in source
 *   order (duplicate members are kept).
 * A member of an object additionally has `key`/`key_len` (decoded name)
 * and `key_span` (the span of the quoted name, quotes included).
 */
struct kl_node {
    uint8_t kind;          /**< a kl_json_kind */
    uint8_t flags;         /**< KL_NODE_* bits */
    uint32_t len;          /**< bytes of `str`, or number of `children` */
    kl_span span;          /**< the value in the source (quotes included for strings) */
    kl_span key_span;      /**< member name in the source; {0,0} when not a member */
    const char *key;       /**< decoded member name; NULL when not an object member */
    uint32_t key_len;
    union {
        const char *str;         /**< NUMBER lexeme or decoded STRING */
        const kl_node *children; /**< ARRAY items or OBJECT members, `len` of them */
    } u;
    const kl_node *parent; /**< the containing array or object; NULL for the root */
};

/** Options for the loader; zero-initialise, then set what you need. */
typedef struct kl_json_options {
    uint32_t max_depth; /**< nesting limit; 0 means KL_JSON_DEFAULT_MAX_DEPTH */
    bool no_tree;       /**< check syntax (and duplicates) only; the document gets no root */
} kl_json_options;

typedef struct kl_doc kl_doc;

/**
 * Create an empty document that can be filled by kl_doc_parse, repeatedly:
 * reusing one document for many records reuses its memory.
 * `opts` may be NULL for the defaults; it is copied.
 *
 * @return KL_OK or KL_ENOMEM.
 */
int kl_doc_new(kl_doc **out, const kl_json_options *opts);

/**
 * Parse `src` into `doc`, replacing what it held. Syntax problems are
 * appended to `diags` (attributed to no profile) and leave the document
 * without a root; that is still KL_OK.
 *
 * @return KL_OK, KL_ENOMEM, or KL_ETOOBIG.
 */
int kl_doc_parse(kl_doc *doc, const kl_source *src, kl_diags *diags);

/** Convenience: kl_doc_new + kl_doc_parse. On error `*out` is NULL. */
int kl_json_load(kl_doc **out, const kl_source *src, const kl_json_options *opts,
                 kl_diags *diags);

/** The root value, or NULL when the last parse failed (or used no_tree). */
const kl_node *kl_doc_root(const kl_doc *doc);

/** The source the document was last parsed from (borrowed), or NULL. */
const kl_source *kl_doc_source(const kl_doc *doc);

/** Free the document and everything it owns. NULL is a no-op. */
void kl_doc_free(kl_doc *doc);

/* ---- Accessors (all NULL-safe: a NULL node yields NULL / false / 0) ---- */

/** The last member named `name` (`name_len` bytes) of an object, or NULL. */
const kl_node *kl_node_get(const kl_node *obj, const char *name, size_t name_len);

/** Same as kl_node_get for a NUL-terminated name. */
const kl_node *kl_node_getz(const kl_node *obj, const char *name);

/** Item `i` of an array (or member `i` of an object), or NULL when out of range. */
const kl_node *kl_node_at(const kl_node *node, size_t i);

/** The index of `node` within its parent's children; 0 for the root. */
size_t kl_node_index(const kl_node *node);

/** True when `node` is a string equal to the NUL-terminated `s`. */
bool kl_node_is_string(const kl_node *node, const char *s);

/**
 * Read a number whose lexeme is a plain integer (no fraction, no exponent)
 * that fits in int64_t, without going through double.
 * @return true and sets `*out`; false for anything else.
 */
bool kl_node_int64(const kl_node *node, int64_t *out);

/** The value of any number as a double (strtod on the lexeme). */
bool kl_node_double(const kl_node *node, double *out);

/** Number of Unicode code points in a string node (its decoded length in characters). */
size_t kl_node_strlen_chars(const kl_node *node);

/**
 * Map an offset into a string node's decoded bytes back to the source:
 * the offset of the first source byte of the character that decoded
 * byte `decoded_offset` belongs to (escapes accounted for). An offset equal
 * to the decoded length maps to the closing quote.
 */
uint32_t kl_node_string_source_offset(const kl_node *node, const kl_source *src,
                                      uint32_t decoded_offset);

/** Human name of a kind: "null", "boolean", "number", "string", "array", "object". */
const char *kl_json_kind_name(kl_json_kind kind);

#endif
