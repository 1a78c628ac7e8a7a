/*
 * The strict JSON loader: one pass over the bytes, no recursion.
 *
 * Open arrays and objects sit on an explicit stack of frames, so nesting
 * costs heap, never C stack, and is bounded by kl_json_options.max_depth.
 * The nodes of the open containers' children sit on a scratch stack
 * (`doc->stack`) until their container closes; they are then copied into
 * the document's arena as one contiguous array. Only then is the address
 * of each child final, so that is when the child's own children (already
 * in the arena) get their parent pointer. Nothing is allocated per node:
 * the arena and both stacks are reused by the next parse on the document.
 *
 * Duplicate keys are looked for when an object closes: pairwise for small
 * objects, through a hash table for large ones, so the check stays linear.
 * (So an input with a syntax error still gets the duplicate warnings of the
 * objects that closed before the error.) The lines named in the message come
 * from a line counter kept while skipping whitespace, the only place a raw
 * newline can be, so no position lookup is needed per duplicate.
 *
 * no_tree (`klint --syntax-only`) runs the same checks, duplicates included,
 * and reports the same diagnostics; it only skips copying the children into
 * the arena, and the document gets no root.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "klint/json.h"
#include "json_plain.h"
#include "klint/path.h"
#include "utf8.h"

/* Objects with at most this many members are checked for duplicates pairwise. */
enum { SMALL_OBJECT = 16 };

/* Byte classes. */
enum {
    W = 1, /* JSON whitespace */
    D = 2, /* decimal digit */
    X = 4, /* hex digit */
    DX = D | X,
};

/* clang-format off */
static const uint8_t cc[256] = {
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , W , W , 0 , 0 , W , 0 , 0,  /* 0x00 */
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0x10 */
    W , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0x20 */
    DX, DX, DX, DX, DX, DX, DX, DX, DX, DX, 0 , 0 , 0 , 0 , 0 , 0,  /* 0x30 */
    0 , X , X , X , X , X , X , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0x40 */
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0x50 */
    0 , X , X , X , X , X , X , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0x60 */
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0x70 */
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0x80 */
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0x90 */
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0xa0 */
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0xb0 */
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0xc0 */
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0xd0 */
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0xe0 */
    0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0 , 0,  /* 0xf0 */
};
/* clang-format on */

/* An open array or object. Its own node is doc->stack[base - 1]. */
typedef struct frame {
    uint32_t base; /* stack index of its first child */
    bool is_object;
} frame;

struct kl_doc {
    kl_json_options opts;
    const kl_source *src;
    const kl_node *root;
    kl_arena arena;  /* nodes and decoded strings of the last parse */
    kl_node *stack;  /* scratch: children of the open containers */
    uint32_t *lines; /* lines[i]: the line of stack[i]'s key, for duplicate-key messages */
    uint32_t stack_cap;
    frame *frames;
    uint32_t frames_cap;
    uint32_t *slots; /* duplicate-key hash table: member index + 1, 0 when free */
    size_t slots_cap;
    char *path; /* scratch for diagnostic paths */
    size_t path_cap;
    kl_buf msg; /* scratch for diagnostic messages */
};

/* Where a value is expected; chooses the wording of "expected ..., found ...". */
typedef enum value_ctx {
    CTX_ROOT,
    CTX_ARRAY_FIRST,
    CTX_ARRAY_NEXT,
    CTX_MEMBER,
} value_ctx;

typedef struct parser {
    kl_doc *doc;
    const unsigned char *start; /* byte 0 of the source */
    const unsigned char *end;
    kl_diags *diags;
    uint32_t n;     /* nodes on doc->stack */
    uint32_t depth; /* frames in use */
    uint32_t line;  /* line of the byte skip_ws last stopped at */
    int rc;         /* KL_OK, or why the parse had to stop early */
} parser;

enum { DESCRIBE_MAX = 48 };

static uint32_t off(const parser *ps, const unsigned char *p)
{
    return (uint32_t)(p - ps->start);
}

/* Skip whitespace, counting lines: a raw '\n' can only occur here, never in a token. */
static const unsigned char *skip_ws(parser *ps, const unsigned char *p)
{
    while (p < ps->end && (cc[*p] & W)) {
        ps->line += *p == '\n';
        p++;
    }
    return p;
}

/* ---- Diagnostics ---- */

/* A readable name for the byte at `p`: 'x', U+0001, 'é' (U+00E9), byte 0xff, end of input. */
static const char *describe(const parser *ps, const unsigned char *p, char out[DESCRIBE_MAX])
{
    if (p >= ps->end)
        return "end of input";
    unsigned char c = *p;
    if (c == '\'')
        return "a single quote (')";
    if (c >= 0x20 && c < 0x7f) {
        snprintf(out, DESCRIBE_MAX, "'%c'", c);
    } else if (c < 0x80) {
        snprintf(out, DESCRIBE_MAX, "U+%04X", (unsigned)c);
    } else {
        uint32_t cp;
        size_t n = kl_utf8_decode(p, (size_t)(ps->end - p), &cp);
        if (n != 0)
            snprintf(out, DESCRIBE_MAX, "'%.*s' (U+%04X)", (int)n, (const char *)p, (unsigned)cp);
        else
            snprintf(out, DESCRIBE_MAX, "byte 0x%02x (invalid UTF-8)", (unsigned)c);
    }
    return out;
}

/* Grow doc->path so it holds at least `need` bytes. */
static bool path_reserve(parser *ps, size_t need)
{
    kl_doc *doc = ps->doc;
    if (need <= doc->path_cap)
        return true;
    size_t cap = doc->path_cap ? doc->path_cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(doc->path, cap);
    if (p == NULL) {
        ps->rc = KL_ENOMEM;
        return false;
    }
    doc->path = p;
    doc->path_cap = cap;
    return true;
}

/* Append the step from container `k - 1` to container `k` (or to `member`). */
static bool path_step(parser *ps, size_t *len, const frame *parent, const kl_node *child,
                      uint32_t child_index)
{
    for (;;) {
        kl_doc *doc = ps->doc;
        size_t need;
        if (parent->is_object)
            need =
                kl_path_append_member(doc->path, doc->path_cap, *len, child->key, child->key_len);
        else
            need = kl_path_append_index(doc->path, doc->path_cap, *len, child_index - parent->base);
        if (need < doc->path_cap) {
            *len = need;
            return true;
        }
        if (!path_reserve(ps, need + 1))
            return false;
    }
}

/*
 * Write the canonical path of the innermost open container ("$" when none)
 * into doc->path and its length into `*len`; false when out of memory.
 */
static bool container_path(parser *ps, size_t *len)
{
    kl_doc *doc = ps->doc;
    if (!path_reserve(ps, 64))
        return false;
    memcpy(doc->path, "$", 2);
    *len = 1;
    for (uint32_t k = 1; k < ps->depth; k++) {
        uint32_t index = doc->frames[k].base - 1;
        if (!path_step(ps, len, &doc->frames[k - 1], &doc->stack[index], index))
            return false;
    }
    return true;
}

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PRINTF_LIKE(fmt, args)
#endif

static void report(parser *ps, const unsigned char *at, const char *rule, kl_severity sev,
                   const char *fmt, va_list ap) PRINTF_LIKE(5, 0);
static const unsigned char *fail(parser *ps, const unsigned char *at, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
static void diag_at(parser *ps, const unsigned char *at, const char *rule, kl_severity sev,
                    const char *fmt, ...) PRINTF_LIKE(5, 6);

/* Report one diagnostic at the byte `at` (a zero-length span at the end of input). */
static void report(parser *ps, const unsigned char *at, const char *rule, kl_severity sev,
                   const char *fmt, va_list ap)
{
    if (ps->diags == NULL)
        return;
    kl_buf *msg = &ps->doc->msg;
    kl_buf_clear(msg);
    kl_buf_vprintf(msg, fmt, ap);
    size_t path_len;
    if (!container_path(ps, &path_len) || kl_buf_failed(msg)) {
        ps->rc = KL_ENOMEM;
        return;
    }
    uint32_t o = at >= ps->end ? off(ps, ps->end) : off(ps, at);
    kl_span span = kl_span_make(o, at >= ps->end ? o : o + 1);
    if (kl_diags_addf(ps->diags, rule, sev, span, ps->doc->path, "%s", kl_buf_cstr(msg)) != KL_OK)
        ps->rc = KL_ENOMEM;
}

/* Report a `json-syntax` error at `at`; returns NULL so callers can `return fail(...)`. */
static const unsigned char *fail(parser *ps, const unsigned char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(ps, at, KL_RULE_JSON_SYNTAX, KL_SEV_ERROR, fmt, ap);
    va_end(ap);
    return NULL;
}

/* Report a diagnostic of any rule at `at`. */
static void diag_at(parser *ps, const unsigned char *at, const char *rule, kl_severity sev,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(ps, at, rule, sev, fmt, ap);
    va_end(ap);
}

static bool starts_with(const parser *ps, const unsigned char *p, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(ps->end - p) >= n && memcmp(p, word, n) == 0;
}

static bool is_comment(const parser *ps, const unsigned char *p)
{
    return ps->end - p >= 2 && p[0] == '/' && (p[1] == '/' || p[1] == '*');
}

/* A short hint for a common mistake at a place where a value or key is expected. */
static const char *hint_for(const parser *ps, const unsigned char *p, bool key)
{
    if (p >= ps->end)
        return "";
    if (*p == '\'' || starts_with(ps, p, "\xe2\x80\x9c") || starts_with(ps, p, "\xe2\x80\x9d"))
        return ": JSON strings use straight double quotes";
    if (key && ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
        return ": object keys must be double-quoted strings";
    if (key)
        return "";
    if (starts_with(ps, p, "True") || starts_with(ps, p, "False") || starts_with(ps, p, "None") ||
        starts_with(ps, p, "Null") || starts_with(ps, p, "TRUE") || starts_with(ps, p, "FALSE") ||
        starts_with(ps, p, "NULL"))
        return ": JSON literals are lowercase: true, false, null";
    if (*p == '+')
        return ": a number cannot start with '+'";
    if (*p == '.')
        return ": a number needs a digit before '.'";
    return "";
}

/* The error for a byte that cannot start a value here. */
static const unsigned char *bad_value(parser *ps, const unsigned char *p, value_ctx ctx)
{
    static const char *const expected[] = {
        [CTX_ROOT] = "expected a JSON value",
        [CTX_ARRAY_FIRST] = "expected a value or ']' after '['",
        [CTX_ARRAY_NEXT] = "expected a value after ','",
        [CTX_MEMBER] = "expected a value after ':'",
    };
    char d[DESCRIBE_MAX];
    if (is_comment(ps, p))
        return fail(ps, p, "comments are not allowed in JSON");
    if (starts_with(ps, p, "NaN"))
        return fail(ps, p, "NaN is not valid JSON");
    if (starts_with(ps, p, "Infinity"))
        return fail(ps, p, "Infinity is not valid JSON");
    return fail(ps, p, "%s, found %s%s", expected[ctx], describe(ps, p, d), hint_for(ps, p, false));
}

/* The error for a byte that cannot start an object key here. */
static const unsigned char *bad_key(parser *ps, const unsigned char *p, const char *expected)
{
    char d[DESCRIBE_MAX];
    if (is_comment(ps, p))
        return fail(ps, p, "comments are not allowed in JSON");
    return fail(ps, p, "%s, found %s%s", expected, describe(ps, p, d), hint_for(ps, p, true));
}

/* ---- Scratch stacks ---- */

static bool grow_stack(parser *ps)
{
    kl_doc *doc = ps->doc;
    if (doc->stack_cap > UINT32_MAX / 2) {
        ps->rc = KL_ETOOBIG;
        return false;
    }
    uint32_t cap = doc->stack_cap ? doc->stack_cap * 2 : 256;
    kl_node *s = realloc(doc->stack, (size_t)cap * sizeof(*s));
    if (s != NULL)
        doc->stack = s;
    uint32_t *l = s ? realloc(doc->lines, (size_t)cap * sizeof(*l)) : NULL;
    if (l == NULL) {
        ps->rc = KL_ENOMEM;
        return false;
    }
    doc->lines = l;
    doc->stack_cap = cap;
    return true;
}

/* A fresh node on the scratch stack with no key, or NULL (ps->rc set). */
static kl_node *push_node(parser *ps)
{
    if (ps->n == ps->doc->stack_cap && !grow_stack(ps))
        return NULL;
    kl_node *node = &ps->doc->stack[ps->n++];
    node->flags = 0;
    node->len = 0;
    node->key_span = kl_span_make(0, 0);
    node->key = NULL;
    node->key_len = 0;
    node->parent = NULL;
    return node;
}

static bool push_frame(parser *ps, bool is_object)
{
    kl_doc *doc = ps->doc;
    if (ps->depth == doc->frames_cap) {
        uint32_t cap = doc->frames_cap ? doc->frames_cap * 2 : 64;
        frame *f = realloc(doc->frames, (size_t)cap * sizeof(*f));
        if (f == NULL) {
            ps->rc = KL_ENOMEM;
            return false;
        }
        doc->frames = f;
        doc->frames_cap = cap;
    }
    doc->frames[ps->depth].base = ps->n;
    doc->frames[ps->depth].is_object = is_object;
    ps->depth++;
    return true;
}

/* ---- Duplicate keys ---- */

static bool same_key(const kl_node *a, const kl_node *b)
{
    return a->key_len == b->key_len && (a->key_len == 0 || memcmp(a->key, b->key, a->key_len) == 0);
}

static uint32_t hash_key(const kl_node *m)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    const unsigned char *k = (const unsigned char *)m->key;
    for (uint32_t i = 0; i < m->key_len; i++)
        h = (h ^ k[i]) * 16777619u;
    return h;
}

/* Append a key to `msg` as a JSON string body, shortened when long. */
static void put_key(kl_buf *msg, const kl_node *m)
{
    enum { MAX_SHOWN = 60 };
    size_t n = m->key_len;
    if (n > MAX_SHOWN) {
        n = MAX_SHOWN;
        while (n > 0 && ((unsigned char)m->key[n] & 0xC0) == 0x80)
            n--;
    }
    kl_buf_put_json_escaped(msg, m->key, n);
    if (n < m->key_len)
        kl_buf_puts(msg, "...");
}

/*
 * Warn that member `later` repeats the key of member `first` (both on the
 * stack). `*object_len` is the length of the object's path in doc->path,
 * built on the first call (SIZE_MAX before), so that many duplicates in one
 * object cost one path each, not one walk of the whole stack each.
 */
static bool report_duplicate(parser *ps, const kl_node *first, const kl_node *later,
                             size_t *object_len)
{
    if (ps->diags == NULL)
        return true;
    kl_doc *doc = ps->doc;
    if (*object_len == SIZE_MAX && !container_path(ps, object_len))
        return false;
    size_t len = *object_len;
    if (!path_step(ps, &len, &doc->frames[ps->depth - 1], later, 0))
        return false;
    uint32_t first_line = doc->lines[first - doc->stack];
    uint32_t later_line = doc->lines[later - doc->stack];
    kl_buf *msg = &doc->msg;
    kl_buf_clear(msg);
    kl_buf_puts(msg, "duplicate key \"");
    put_key(msg, later);
    kl_buf_printf(msg,
                  "\" on line %u (first defined on line %u); "
                  "most JSON parsers keep only the last value",
                  (unsigned)later_line, (unsigned)first_line);
    const char *path = doc->path;
    if (kl_buf_failed(msg)) {
        ps->rc = KL_ENOMEM;
        return false;
    }
    kl_related rel = {first->key_span, path, "first defined here"};
    kl_diag d = {0};
    d.rule = KL_RULE_JSON_DUPLICATE_KEY;
    d.severity = KL_SEV_WARNING;
    d.message = kl_buf_cstr(msg);
    d.path = path;
    d.span = later->key_span;
    d.related = &rel;
    d.n_related = 1;
    if (kl_diags_add(ps->diags, &d) != KL_OK) {
        ps->rc = KL_ENOMEM;
        return false;
    }
    return true;
}

/* Warn about every member of the innermost open object whose key appeared before. */
static bool check_duplicates(parser *ps, uint32_t base, uint32_t count)
{
    kl_doc *doc = ps->doc;
    const kl_node *m = &doc->stack[base];
    size_t object_len = SIZE_MAX;
    if (count <= SMALL_OBJECT) {
        for (uint32_t j = 1; j < count; j++) {
            for (uint32_t i = 0; i < j; i++) {
                if (same_key(&m[i], &m[j])) {
                    if (!report_duplicate(ps, &m[i], &m[j], &object_len))
                        return false;
                    break;
                }
            }
        }
        return true;
    }
    size_t size = 64;
    while (size < (size_t)count * 2)
        size *= 2;
    if (size > doc->slots_cap) {
        uint32_t *s = realloc(doc->slots, size * sizeof(*s));
        if (s == NULL) {
            ps->rc = KL_ENOMEM;
            return false;
        }
        doc->slots = s;
        doc->slots_cap = size;
    }
    memset(doc->slots, 0, size * sizeof(*doc->slots));
    size_t mask = size - 1;
    for (uint32_t j = 0; j < count; j++) {
        size_t h = hash_key(&m[j]) & mask;
        for (;;) {
            uint32_t slot = doc->slots[h];
            if (slot == 0) {
                doc->slots[h] = j + 1; /* the first occurrence stays in the table */
                break;
            }
            if (same_key(&m[slot - 1], &m[j])) {
                if (!report_duplicate(ps, &m[slot - 1], &m[j], &object_len))
                    return false;
                break;
            }
            h = (h + 1) & mask;
        }
    }
    return true;
}

/* ---- Containers ---- */

static bool is_container(const kl_node *node)
{
    return node->kind == KL_JSON_ARRAY || node->kind == KL_JSON_OBJECT;
}

/* Point the children of `node` (already in the arena) at `node`. */
static void adopt_children(const kl_node *node)
{
    kl_node *kids = (kl_node *)node->u.children; /* arena memory this parse owns */
    for (uint32_t i = 0; i < node->len; i++)
        kids[i].parent = node;
}

/* Close the innermost container at `p` (its ']' or '}'). */
static bool close_container(parser *ps, const unsigned char *p)
{
    kl_doc *doc = ps->doc;
    const frame *fr = &doc->frames[ps->depth - 1];
    uint32_t base = fr->base;
    uint32_t count = ps->n - base;
    kl_node *node = &doc->stack[base - 1];
    node->span.end = off(ps, p) + 1;
    node->len = count;
    node->u.children = NULL;
    if (fr->is_object && count > 1 && !check_duplicates(ps, base, count))
        return false;
    if (!doc->opts.no_tree && count > 0) {
        kl_node *kids = kl_arena_alloc(&doc->arena, (size_t)count * sizeof(*kids));
        if (kids == NULL) {
            ps->rc = KL_ENOMEM;
            return false;
        }
        memcpy(kids, &doc->stack[base], (size_t)count * sizeof(*kids));
        for (uint32_t i = 0; i < count; i++) {
            if (is_container(&kids[i]))
                adopt_children(&kids[i]);
        }
        node->u.children = kids;
    }
    ps->n = base;
    ps->depth--;
    return true;
}

/* ---- Scalars ---- */

/* Read the 4 hex digits at `p` (after "\u"). */
static bool read_hex4(parser *ps, const unsigned char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        if (p + i >= ps->end || !(cc[p[i]] & X)) {
            char d[DESCRIBE_MAX];
            fail(ps, p + i, "expected 4 hex digits after '\\u', found %s", describe(ps, p + i, d));
            return false;
        }
        unsigned char c = p[i];
        v = v * 16 + (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    *out = v;
    return true;
}

/* Decode the escape whose backslash is at `p`, writing to `*w`; returns the byte after it. */
static const unsigned char *decode_escape(parser *ps, const unsigned char *p, char **w)
{
    const unsigned char *e = p + 1;
    char *out = *w;
    char d[DESCRIBE_MAX];
    switch (e < ps->end ? *e : 0) {
    case '"':
    case '\\':
    case '/':
        *out = (char)*e;
        break;
    case 'b':
        *out = '\b';
        break;
    case 'f':
        *out = '\f';
        break;
    case 'n':
        *out = '\n';
        break;
    case 'r':
        *out = '\r';
        break;
    case 't':
        *out = '\t';
        break;
    case 'u': {
        uint32_t cp;
        if (!read_hex4(ps, e + 1, &cp))
            return NULL;
        const unsigned char *next = e + 5;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = 0;
            if (ps->end - next < 2 || next[0] != '\\' || next[1] != 'u')
                return fail(ps, p, "lone surrogate \\u%.4s in string escape", (const char *)e + 1);
            if (!read_hex4(ps, next + 2, &lo))
                return NULL;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return fail(ps, p, "lone surrogate \\u%.4s in string escape", (const char *)e + 1);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            next += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail(ps, p, "lone surrogate \\u%.4s in string escape", (const char *)e + 1);
        }
        *w += kl_utf8_encode(cp, out);
        return next;
    }
    default:
        return fail(ps, e,
                    "invalid escape: expected one of \" \\ / b f n r t u after '\\', found %s",
                    describe(ps, e, d));
    }
    *w += 1;
    return e + 1;
}

/* The error for a raw control character inside a string. */
static const unsigned char *control_in_string(parser *ps, const unsigned char *p)
{
    static const char *const named[0x20] = {
        ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
    };
    char esc[8];
    const char *as = named[*p];
    if (as == NULL) {
        snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)*p);
        as = esc;
    }
    return fail(ps, p, "control character U+%04X in string: escape it as %s", (unsigned)*p, as);
}

/*
 * Room for the decoded text of the string whose content starts at `s`, now
 * that an escape was found at `bs`: decoding never makes text longer, so
 * the source bytes up to the closing quote are enough.
 */
static char *alloc_decoded(parser *ps, const unsigned char *s, const unsigned char *bs)
{
    const unsigned char *q = bs;
    for (;;) {
        q = kl_json_skip_plain(q, ps->end);
        if (q >= ps->end || *q == '"')
            break;
        q += *q == '\\' ? 2 : 1;
    }
    if (q > ps->end)
        q = ps->end;
    char *buf = kl_arena_alloc(&ps->doc->arena, (size_t)(q - s));
    if (buf == NULL)
        ps->rc = KL_ENOMEM;
    return buf;
}

/*
 * Parse the string whose opening quote is at `p`: validate it, decode it
 * (into the arena when it has escapes, else pointing into the source) and
 * return the byte after the closing quote, or NULL after an error.
 */
static const unsigned char *parse_string(parser *ps, const unsigned char *p, const char **out,
                                         uint32_t *out_len, bool *escaped)
{
    const unsigned char *end = ps->end;
    const unsigned char *s = p + 1; /* first content byte */
    const unsigned char *seg = s;   /* first byte not yet copied to `w` */
    char *buf = NULL;
    char *w = NULL;
    p = s;
    for (;;) {
        p = kl_json_skip_plain(p, end);
        if (p == end)
            return fail(ps, p, "expected '\"' to close the string, found end of input");
        unsigned char c = *p;
        if (c == '"')
            break;
        if (c == '\\') {
            if (buf == NULL) {
                buf = alloc_decoded(ps, s, p);
                if (buf == NULL)
                    return NULL;
                w = buf;
            }
            memcpy(w, seg, (size_t)(p - seg));
            w += p - seg;
            p = decode_escape(ps, p, &w);
            if (p == NULL)
                return NULL;
            seg = p;
        } else if (c >= 0x80) {
            /* Non-ASCII text (accents, CJK) comes in runs: check the whole run here. */
            do {
                uint32_t cp;
                size_t n = kl_utf8_decode(p, (size_t)(end - p), &cp);
                if (n == 0)
                    return fail(ps, p, "invalid UTF-8 byte 0x%02x in string", (unsigned)*p);
                p += n;
            } while (p < end && *p >= 0x80);
        } else {
            return control_in_string(ps, p);
        }
    }
    if (buf != NULL) {
        memcpy(w, seg, (size_t)(p - seg));
        w += p - seg;
        *out = buf;
        *out_len = (uint32_t)(w - buf);
        *escaped = true;
    } else {
        *out = (const char *)s;
        *out_len = (uint32_t)(p - s);
        *escaped = false;
    }
    return p + 1;
}

static const unsigned char *digits(const unsigned char *p, const unsigned char *end)
{
    while (p < end && (cc[*p] & D))
        p++;
    return p;
}

/* Parse the number starting at `p` (a '-' or a digit) into `node`. */
static const unsigned char *parse_number(parser *ps, const unsigned char *p, kl_node *node)
{
    const unsigned char *s = p;
    const unsigned char *end = ps->end;
    char d[DESCRIBE_MAX];
    uint8_t flags = KL_NODE_NUM_INTEGER;
    if (*p == '-') {
        flags |= KL_NODE_NUM_NEGATIVE;
        p++;
        if (p == end || !(cc[*p] & D)) {
            if (starts_with(ps, p, "Infinity"))
                return fail(ps, p, "-Infinity is not valid JSON");
            return fail(ps, p, "expected a digit after '-', found %s", describe(ps, p, d));
        }
    }
    if (*p == '0') {
        p++;
        if (p < end && (cc[*p] & D))
            return fail(ps, p, "leading zeros are not allowed in numbers");
    } else {
        p = digits(p, end);
    }
    if (p < end && *p == '.') {
        flags &= (uint8_t)~KL_NODE_NUM_INTEGER;
        p++;
        if (p == end || !(cc[*p] & D))
            return fail(ps, p, "expected a digit after '.' in number, found %s",
                        describe(ps, p, d));
        p = digits(p, end);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        flags &= (uint8_t)~KL_NODE_NUM_INTEGER;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !(cc[*p] & D))
            return fail(ps, p, "expected a digit in the number's exponent, found %s",
                        describe(ps, p, d));
        p = digits(p, end);
    }
    node->kind = KL_JSON_NUMBER;
    node->flags = flags;
    node->u.str = (const char *)s;
    node->len = (uint32_t)(p - s);
    return p;
}

static const unsigned char *parse_literal(parser *ps, const unsigned char *p, const char *word)
{
    for (size_t i = 0; word[i] != '\0'; i++) {
        if (p + i == ps->end || p[i] != (unsigned char)word[i]) {
            char d[DESCRIBE_MAX];
            return fail(ps, p + i, "invalid literal: expected '%s', found %s", word,
                        describe(ps, p + i, d));
        }
    }
    return p + strlen(word);
}

/* ---- The document ---- */

int kl_doc_new(kl_doc **out, const kl_json_options *opts)
{
    *out = NULL;
    kl_doc *doc = calloc(1, sizeof(*doc));
    if (doc == NULL)
        return KL_ENOMEM;
    if (opts != NULL)
        doc->opts = *opts;
    if (doc->opts.max_depth == 0)
        doc->opts.max_depth = KL_JSON_DEFAULT_MAX_DEPTH;
    doc->arena = (kl_arena)KL_ARENA_INIT;
    doc->msg = (kl_buf)KL_BUF_INIT;
    *out = doc;
    return KL_OK;
}

/* Copy the finished root into the arena and make it the document's root. */
static bool finish_tree(parser *ps)
{
    kl_doc *doc = ps->doc;
    kl_node *root = kl_arena_alloc(&doc->arena, sizeof(*root));
    if (root == NULL) {
        ps->rc = KL_ENOMEM;
        return false;
    }
    *root = doc->stack[0];
    root->parent = NULL;
    if (is_container(root))
        adopt_children(root);
    doc->root = root;
    return true;
}

int kl_doc_parse(kl_doc *doc, const kl_source *src, kl_diags *diags)
{
    if (doc == NULL || src == NULL)
        return KL_EUSAGE;
    kl_arena_reset(&doc->arena);
    doc->root = NULL;
    doc->src = src;

    static const unsigned char empty[1] = {0};
    const unsigned char *data = src->len ? (const unsigned char *)src->data : empty;
    parser ps = {.doc = doc,
                 .start = data,
                 .end = data + src->len,
                 .diags = diags,
                 .line = src->first_line ? src->first_line : 1,
                 .rc = KL_OK};
    const unsigned char *p = data;
    const unsigned char *end = ps.end;
    const uint32_t max_depth = doc->opts.max_depth;
    char d[DESCRIBE_MAX];
    value_ctx ctx = CTX_ROOT;
    kl_node *node;
    bool escaped;

    const bool has_bom = src->len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0;
    if (has_bom) {
        if (diags != NULL) {
            kl_diag bom = {0};
            bom.rule = KL_RULE_JSON_BOM;
            bom.severity = KL_SEV_WARNING;
            bom.message =
                "UTF-8 byte order mark at the start of the input: "
                "RFC 8259 says JSON text must not begin with one, and some parsers reject it";
            bom.path = "$";
            bom.span = kl_span_make(0, 3);
            if (kl_diags_add(diags, &bom) != KL_OK)
                return KL_ENOMEM;
        }
        p += 3;
    }
    p = skip_ws(&ps, p);
    if (p == end) {
        if (p == data + (has_bom ? 3 : 0))
            fail(&ps, p, "empty input: expected a JSON value");
        else
            fail(&ps, p, "expected a JSON value, found end of input (the input is whitespace)");
        goto done;
    }
    if (push_node(&ps) == NULL)
        goto done;

value:
    /* `p` is at the first byte of a value; its node is on top of the stack. */
    if (p == end) {
        bad_value(&ps, p, ctx);
        goto done;
    }
    node = &doc->stack[ps.n - 1];
    node->span.start = off(&ps, p);
    switch (*p) {
    case '"':
        p = parse_string(&ps, p, &node->u.str, &node->len, &escaped);
        if (p == NULL)
            goto done;
        node->kind = KL_JSON_STRING;
        node->flags = escaped ? KL_NODE_STR_ESCAPED : 0;
        break;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        p = parse_number(&ps, p, node);
        if (p == NULL)
            goto done;
        break;
    case 't':
        node->kind = KL_JSON_TRUE;
        p = parse_literal(&ps, p, "true");
        if (p == NULL)
            goto done;
        break;
    case 'f':
        node->kind = KL_JSON_FALSE;
        p = parse_literal(&ps, p, "false");
        if (p == NULL)
            goto done;
        break;
    case 'n':
        node->kind = KL_JSON_NULL;
        p = parse_literal(&ps, p, "null");
        if (p == NULL)
            goto done;
        break;
    case '[':
    case '{': {
        bool is_object = *p == '{';
        if (ps.depth >= max_depth) {
            diag_at(&ps, p, KL_RULE_JSON_DEPTH, KL_SEV_ERROR,
                    "nesting too deep: more than %u levels of arrays and objects",
                    (unsigned)max_depth);
            goto done;
        }
        node->kind = is_object ? KL_JSON_OBJECT : KL_JSON_ARRAY;
        if (!push_frame(&ps, is_object))
            goto done;
        p = skip_ws(&ps, p + 1);
        if (p < end && *p == (is_object ? '}' : ']')) {
            if (!close_container(&ps, p))
                goto done;
            p++;
            goto after_value;
        }
        if (is_object) {
            if (p == end || *p != '"') {
                bad_key(&ps, p, "expected a string key or '}' after '{'");
                goto done;
            }
            goto member;
        }
        if (push_node(&ps) == NULL)
            goto done;
        ctx = CTX_ARRAY_FIRST;
        goto value;
    }
    default:
        bad_value(&ps, p, ctx);
        goto done;
    }
    node->span.end = off(&ps, p);

after_value:
    /* A value just ended at `p`: what may follow depends on its container. */
    if (ps.depth == 0)
        goto finish;
    p = skip_ws(&ps, p);
    if (p < end) {
        const frame *fr = &doc->frames[ps.depth - 1];
        const unsigned char *comma = p;
        if (*p == ',') {
            p = skip_ws(&ps, p + 1);
            if (fr->is_object) {
                if (p < end && *p == '}') {
                    fail(&ps, comma, "trailing comma before '}'");
                    goto done;
                }
                if (p == end || *p != '"') {
                    bad_key(&ps, p, "expected a string key after ','");
                    goto done;
                }
                goto member;
            }
            if (p < end && *p == ']') {
                fail(&ps, comma, "trailing comma before ']'");
                goto done;
            }
            if (push_node(&ps) == NULL)
                goto done;
            ctx = CTX_ARRAY_NEXT;
            goto value;
        }
        if (*p == (fr->is_object ? '}' : ']')) {
            if (!close_container(&ps, p))
                goto done;
            p++;
            goto after_value;
        }
        if (is_comment(&ps, p)) {
            fail(&ps, p, "comments are not allowed in JSON");
            goto done;
        }
        if (fr->is_object)
            fail(&ps, p, "expected ',' or '}' after object member, found %s", describe(&ps, p, d));
        else
            fail(&ps, p, "expected ',' or ']' after array item, found %s", describe(&ps, p, d));
        goto done;
    }
    if (doc->frames[ps.depth - 1].is_object)
        fail(&ps, p, "expected ',' or '}' after object member, found end of input");
    else
        fail(&ps, p, "expected ',' or ']' after array item, found end of input");
    goto done;

member : {
    /* `p` is at the opening quote of a key. */
    const unsigned char *key = p;
    node = push_node(&ps);
    if (node == NULL)
        goto done;
    doc->lines[ps.n - 1] = ps.line;
    p = parse_string(&ps, p, &node->key, &node->key_len, &escaped);
    if (p == NULL)
        goto done;
    node->key_span = kl_span_make(off(&ps, key), off(&ps, p));
    p = skip_ws(&ps, p);
    if (p == end || *p != ':') {
        if (p < end && is_comment(&ps, p))
            fail(&ps, p, "comments are not allowed in JSON");
        else
            fail(&ps, p, "expected ':' after object key, found %s", describe(&ps, p, d));
        goto done;
    }
    p = skip_ws(&ps, p + 1);
    ctx = CTX_MEMBER;
    goto value;
}

finish:
    p = skip_ws(&ps, p);
    if (p < end) {
        if (is_comment(&ps, p))
            fail(&ps, p, "comments are not allowed in JSON");
        else
            fail(&ps, p, "unexpected %s after the JSON value", describe(&ps, p, d));
        goto done;
    }
    if (!doc->opts.no_tree)
        finish_tree(&ps);

done:
    if (ps.rc != KL_OK)
        doc->root = NULL;
    return ps.rc;
}

int kl_json_load(kl_doc **out, const kl_source *src, const kl_json_options *opts, kl_diags *diags)
{
    *out = NULL;
    kl_doc *doc;
    int rc = kl_doc_new(&doc, opts);
    if (rc != KL_OK)
        return rc;
    rc = kl_doc_parse(doc, src, diags);
    if (rc != KL_OK) {
        kl_doc_free(doc);
        return rc;
    }
    *out = doc;
    return KL_OK;
}

const kl_node *kl_doc_root(const kl_doc *doc)
{
    return doc ? doc->root : NULL;
}

const kl_source *kl_doc_source(const kl_doc *doc)
{
    return doc ? doc->src : NULL;
}

void kl_doc_free(kl_doc *doc)
{
    if (doc == NULL)
        return;
    kl_arena_dispose(&doc->arena);
    free(doc->stack);
    free(doc->lines);
    free(doc->frames);
    free(doc->slots);
    free(doc->path);
    kl_buf_dispose(&doc->msg);
    free(doc);
}
