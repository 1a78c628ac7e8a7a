/*
 * libFuzzer target for the JSON loader. Besides "no crash, no leak, no
 * undefined behaviour" it checks the loader's promises on every input, and
 * aborts when one does not hold:
 *   - a rejected input has exactly one error, at a 1-byte span (or at the
 *     end of input), and no root; an accepted one has a root and no error;
 *   - the full-tree and no_tree modes, and a reused document, agree;
 *   - every node's span lies inside its parent's, children are in order
 *     and point back at their parent, keys come before their values;
 *   - numbers are their source bytes; kl_node_int64 round-trips;
 *   - decoded strings are valid UTF-8 and kl_node_string_source_offset
 *     maps every decoded offset inside the string's quotes, in order.
 * The same function runs the committed corpus under `meson test` (replay_main.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klint.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static bool within(kl_span inner, kl_span outer)
{
    return inner.start >= outer.start && inner.end <= outer.end && inner.start <= inner.end;
}

static void check_string(const kl_node *n, const kl_source *src)
{
    CHECK(n->len <= n->span.end - n->span.start - 2);
    CHECK(kl_utf8_valid(n->u.str, n->len));
    CHECK(src->data[n->span.start] == '"' && src->data[n->span.end - 1] == '"');
    CHECK(!(n->flags & KL_NODE_STR_ESCAPED) == (n->u.str == src->data + n->span.start + 1));
    uint32_t prev = n->span.start + 1;
    for (uint32_t i = 0; i <= n->len; i++) {
        uint32_t at = kl_node_string_source_offset(n, src, i);
        CHECK(at >= prev && at < n->span.end);
        CHECK(i == n->len ? at == n->span.end - 1 : at < n->span.end - 1);
        prev = at;
    }
    CHECK(kl_node_strlen_chars(n) <= n->len);
}

static void check_number(const kl_node *n, const kl_source *src)
{
    CHECK(n->u.str == src->data + n->span.start);
    CHECK(n->len == n->span.end - n->span.start);
    CHECK(((n->flags & KL_NODE_NUM_NEGATIVE) != 0) == (n->u.str[0] == '-'));
    bool integer = memchr(n->u.str, '.', n->len) == NULL && memchr(n->u.str, 'e', n->len) == NULL &&
                   memchr(n->u.str, 'E', n->len) == NULL;
    CHECK(((n->flags & KL_NODE_NUM_INTEGER) != 0) == integer);
    int64_t v;
    if (kl_node_int64(n, &v)) {
        char text[32];
        int len = snprintf(text, sizeof(text), "%" PRId64, v);
        bool minus_zero = n->len == 2 && memcmp(n->u.str, "-0", 2) == 0;
        CHECK(minus_zero ? v == 0 : (size_t)len == n->len && memcmp(text, n->u.str, n->len) == 0);
    }
    double d;
    CHECK(kl_node_double(n, &d));
}

static void check_node(const kl_node *n, const kl_source *src)
{
    CHECK(n->span.start < n->span.end && n->span.end <= src->len);
    if (n->parent != NULL) {
        CHECK(within(n->span, n->parent->span));
        CHECK(kl_node_at(n->parent, kl_node_index(n)) == n);
        if (n->parent->kind == KL_JSON_OBJECT) {
            CHECK(n->key != NULL && kl_utf8_valid(n->key, n->key_len));
            CHECK(within(n->key_span, n->parent->span) && n->key_span.end <= n->span.start);
            CHECK(src->data[n->key_span.start] == '"');
            const kl_node *last = kl_node_get(n->parent, n->key, n->key_len);
            CHECK(last != NULL && last >= n && last->key_len == n->key_len);
        } else {
            CHECK(n->key == NULL);
        }
    }
    switch (n->kind) {
    case KL_JSON_STRING:
        check_string(n, src);
        break;
    case KL_JSON_NUMBER:
        check_number(n, src);
        break;
    case KL_JSON_ARRAY:
    case KL_JSON_OBJECT:
        for (uint32_t i = 0; i < n->len; i++) {
            const kl_node *c = &n->u.children[i];
            CHECK(c->parent == n);
            if (i > 0)
                CHECK(c->span.start >= n->u.children[i - 1].span.end);
        }
        break;
    default:
        CHECK(n->span.end - n->span.start == (n->kind == KL_JSON_FALSE ? 5u : 4u));
        break;
    }
}

/* Visit every node without recursion: first child, else next sibling, else up. */
static size_t walk(const kl_node *root, const kl_source *src)
{
    size_t count = 0;
    const kl_node *n = root;
    while (n != NULL) {
        check_node(n, src);
        count++;
        if ((n->kind == KL_JSON_ARRAY || n->kind == KL_JSON_OBJECT) && n->len > 0) {
            n = &n->u.children[0];
            continue;
        }
        while (n != root && kl_node_index(n) + 1 == n->parent->len)
            n = n->parent;
        n = n == root ? NULL : n + 1;
    }
    return count;
}

/* The lines a duplicate-key message names are those of its two spans. */
static void check_duplicate(const kl_diag *d, const kl_source *src)
{
    CHECK(d->n_related == 1 && d->severity == KL_SEV_WARNING);
    CHECK(d->related[0].span.end <= d->span.start);
    CHECK(src->data[d->span.start] == '"' && src->data[d->related[0].span.start] == '"');
    const char *tail = NULL;
    for (const char *p = d->message; (p = strstr(p, "\" on line ")) != NULL; p++)
        tail = p;
    unsigned later = 0;
    unsigned first = 0;
    CHECK(tail != NULL &&
          sscanf(tail, "\" on line %u (first defined on line %u)", &later, &first) == 2);
    CHECK(later == kl_source_pos(src, d->span.start).line);
    CHECK(first == kl_source_pos(src, d->related[0].span.start).line);
    CHECK(strcmp(d->path, d->related[0].path) == 0);
}

typedef struct outcome {
    size_t errors;
    size_t warnings;
    kl_span first_error;
} outcome;

static outcome check_diags(const kl_diags *diags, const kl_source *src)
{
    outcome o = {0, 0, {0, 0}};
    for (size_t i = 0; i < kl_diags_count(diags); i++) {
        const kl_diag *d = kl_diags_at(diags, i);
        CHECK(d->span.start <= d->span.end && d->span.end <= src->len);
        CHECK(d->message != NULL && d->message[0] != '\0' && d->path != NULL && d->path[0] == '$');
        for (size_t r = 0; r < d->n_related; r++)
            CHECK(d->related[r].span.end <= src->len);
        if (strcmp(d->rule, KL_RULE_JSON_DUPLICATE_KEY) == 0)
            check_duplicate(d, src);
        if (d->severity == KL_SEV_ERROR) {
            if (o.errors++ == 0)
                o.first_error = d->span;
            CHECK(d->span.end - d->span.start == 1 ||
                  (d->span.start == src->len && d->span.end == src->len));
        } else {
            o.warnings++;
        }
        (void)kl_source_pos(src, d->span.start);
    }
    return o;
}

static outcome parse(kl_doc *doc, const kl_source *src, kl_diags *diags)
{
    kl_diags_clear(diags);
    CHECK(kl_doc_parse(doc, src, diags) == KL_OK);
    outcome o = check_diags(diags, src);
    CHECK(o.errors <= 1);
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > UINT32_MAX)
        return 0;
    kl_source src;
    kl_diags *diags = NULL;
    kl_doc *tree = NULL;
    kl_doc *flat = NULL;
    kl_doc *shallow = NULL;
    kl_json_options flat_opts = {0};
    kl_json_options shallow_opts = {0};
    flat_opts.no_tree = true;
    shallow_opts.max_depth = 3;
    if (kl_source_init_view(&src, "fuzz", (const char *)data, size) != KL_OK)
        return 0;
    CHECK(kl_diags_new(&diags) == KL_OK);
    CHECK(kl_doc_new(&tree, NULL) == KL_OK);
    CHECK(kl_doc_new(&flat, &flat_opts) == KL_OK);
    CHECK(kl_doc_new(&shallow, &shallow_opts) == KL_OK);

    outcome t = parse(tree, &src, diags);
    const kl_node *root = kl_doc_root(tree);
    CHECK((root != NULL) == (t.errors == 0));
    size_t nodes = root ? walk(root, &src) : 0;
    if (root != NULL)
        CHECK(root->parent == NULL && root->span.end <= src.len);

    outcome f = parse(flat, &src, diags);
    CHECK(kl_doc_root(flat) == NULL);
    CHECK(f.errors == t.errors && f.warnings == t.warnings);
    CHECK(f.first_error.start == t.first_error.start && f.first_error.end == t.first_error.end);

    /* The same document again: same verdict, same tree size. */
    outcome again = parse(tree, &src, diags);
    CHECK(again.errors == t.errors && again.warnings == t.warnings);
    CHECK((kl_doc_root(tree) ? walk(kl_doc_root(tree), &src) : 0) == nodes);

    outcome s = parse(shallow, &src, diags);
    CHECK(s.errors >= t.errors);

    kl_doc_free(shallow);
    kl_doc_free(flat);
    kl_doc_free(tree);
    kl_diags_free(diags);
    kl_source_dispose(&src);
    return 0;
}
