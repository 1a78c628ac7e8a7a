/*
 * Build-time generator: writes a C file holding every rule file given on
 * the command line, as the kl_builtin_rules table of rules_builtin.h: the
 * file's bytes, and its JSON tree as klint's own loader builds it, packed
 * (indices and offsets instead of pointers, so the table needs no
 * relocation). At run time kl_builtin_tree turns the packed tree back into
 * kl_nodes without parsing: the built-in rules are there before the first
 * input in a fraction of the time a parse takes.
 *
 *   embed_rules OUTPUT.c rules/a.json rules/b.json ...
 *
 * A rule file the loader has anything to say about (a syntax error, a
 * duplicate key, a byte order mark) stops the build with the loader's
 * diagnostics: a built-in file must load cleanly.
 *
 * Arrays of byte values rather than string literals, so that no compiler
 * limit on literal length applies.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klint/diag.h"
#include "klint/json.h"
#include "klint/source.h"
#include "rules_builtin.h"

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void put_bytes(FILE *out, const char *name, int index, const unsigned char *data,
                      size_t len)
{
    fprintf(out, "static const unsigned char %s_%d[] = {", name, index);
    for (size_t n = 0; n < len; n++)
        fprintf(out, "%s%d,", n % 24 == 0 ? "\n    " : "", data[n]);
    if (len == 0)
        fprintf(out, "0");
    fprintf(out, "\n};\n\n");
}

/* The whole file, or NULL (reported). */
static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        perror(path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *data = malloc(cap);
    size_t got;
    while (data != NULL && (got = fread(data + n, 1, cap - n, in)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *grown = realloc(data, cap * 2);
            if (grown == NULL)
                free(data);
            data = grown;
            cap *= 2;
        }
    }
    if (data == NULL || ferror(in)) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(data);
        data = NULL;
    }
    fclose(in);
    *len = n;
    return data;
}

/* One packed tree under construction: nodes in breadth-first order (so that every
 * container's children are consecutive, as the loader lays them out), and the pool of
 * decoded texts that do not lie in the file's bytes. */
typedef struct packer {
    const kl_source *src;
    const kl_node **order; /* order[i]: the node packed at index i */
    uint32_t *parent;      /* parent[i]: the index of its parent, KL_BUILTIN_NO_NODE for the root */
    uint32_t n, cap;
    char *pool;
    size_t pool_len, pool_cap;
} packer;

static int push(packer *pk, const kl_node *n, uint32_t parent)
{
    if (pk->n == pk->cap) {
        uint32_t cap = pk->cap ? pk->cap * 2 : 1024;
        const kl_node **grown = realloc(pk->order, cap * sizeof(*grown));
        if (grown != NULL)
            pk->order = grown;
        uint32_t *grown_parent = realloc(pk->parent, cap * sizeof(*grown_parent));
        if (grown_parent != NULL)
            pk->parent = grown_parent;
        if (grown == NULL || grown_parent == NULL)
            return -1;
        pk->cap = cap;
    }
    pk->order[pk->n] = n;
    pk->parent[pk->n++] = parent;
    return 0;
}

/* `len` bytes at `s` and a NUL appended to the pool; their offset in it. */
static int pool_add(packer *pk, const char *s, uint32_t len, uint32_t *out)
{
    if (pk->pool_len + len + 1 > pk->pool_cap) {
        size_t cap = (pk->pool_cap + len + 1) * 2;
        char *grown = realloc(pk->pool, cap);
        if (grown == NULL)
            return -1;
        pk->pool = grown;
        pk->pool_cap = cap;
    }
    if (pk->pool_len >= KL_BUILTIN_POOL) {
        fprintf(stderr, "%s: too much escaped text\n", pk->src->name);
        return -1;
    }
    *out = (uint32_t)pk->pool_len;
    memcpy(pk->pool + pk->pool_len, s, len);
    pk->pool_len += len;
    pk->pool[pk->pool_len++] = '\0';
    return 0;
}

/* A text reference: an offset into the file's bytes when the loader points there, else
 * (escaped text, decoded) an offset into the pool with KL_BUILTIN_POOL set. */
static int text_ref(packer *pk, const char *s, uint32_t len, uint32_t *out)
{
    const char *data = pk->src->data;
    if (s >= data && s + len <= data + pk->src->len) {
        *out = (uint32_t)(s - data);
        return 0;
    }
    int rc = pool_add(pk, s, len, out);
    *out |= KL_BUILTIN_POOL;
    return rc;
}

/* Write file `index`'s node table and pool; its node count in `*count`. */
static int put_tree(FILE *out, int index, const kl_source *src, const kl_node *root,
                    uint32_t *count, size_t *pool_len)
{
    packer pk = {src, NULL, NULL, 0, 0, NULL, 0, 0};
    int rc = push(&pk, root, KL_BUILTIN_NO_NODE);
    /* Breadth first: the children of order[i] are pushed together, in order, so the first
     * child of each container comes right after the children of the containers before it. */
    uint32_t *first = calloc(1, sizeof(*first));
    for (uint32_t i = 0; rc == 0 && i < pk.n; i++) {
        const kl_node *n = pk.order[i];
        if (n->kind != KL_JSON_ARRAY && n->kind != KL_JSON_OBJECT)
            continue;
        for (uint32_t k = 0; rc == 0 && k < n->len; k++)
            rc = push(&pk, &n->u.children[k], i);
    }
    uint32_t *grown = rc == 0 && first != NULL ? realloc(first, pk.n * sizeof(*first)) : NULL;
    if (grown == NULL) {
        free(first);
        free(pk.order);
        free(pk.parent);
        return -1;
    }
    first = grown;
    uint32_t next = 1;
    for (uint32_t i = 0; i < pk.n; i++) {
        const kl_node *n = pk.order[i];
        first[i] = KL_BUILTIN_NO_NODE;
        if ((n->kind == KL_JSON_ARRAY || n->kind == KL_JSON_OBJECT) && n->len > 0) {
            first[i] = next;
            next += n->len;
        }
    }
    fprintf(out, "static const kl_builtin_node tree_%d[] = {\n", index);
    for (uint32_t i = 0; rc == 0 && i < pk.n; i++) {
        const kl_node *n = pk.order[i];
        uint32_t parent = pk.parent[i];
        if (n->parent != (parent == KL_BUILTIN_NO_NODE ? NULL : pk.order[parent])) {
            fprintf(stderr, "%s: the loader's tree has an unexpected parent link\n", src->name);
            rc = -1;
            break;
        }
        uint32_t key = KL_BUILTIN_NO_TEXT, val = 0, cstr = 0;
        if (n->key != NULL)
            rc = text_ref(&pk, n->key, n->key_len, &key);
        if (n->kind == KL_JSON_ARRAY || n->kind == KL_JSON_OBJECT)
            val = first[i];
        else if (n->kind == KL_JSON_STRING || n->kind == KL_JSON_NUMBER)
            rc = rc == 0 ? text_ref(&pk, n->u.str, n->len, &val) : rc;
        if (rc == 0 && n->kind == KL_JSON_STRING) {
            /* A decoded text in the pool is NUL-terminated already; one in the bytes is not. */
            if (val & KL_BUILTIN_POOL)
                cstr = val & ~KL_BUILTIN_POOL;
            else
                rc = pool_add(&pk, n->u.str, n->len, &cstr);
        }
        /* true, false, null: `u` means nothing (kl_builtin_tree leaves it NULL) */
        if (rc != 0) {
            fprintf(stderr, "%s: cannot pack the loader's tree\n", src->name);
            break;
        }
        fprintf(out,
                "    {%u, %u, %" PRIu32 ", %" PRIu32 ", %" PRIu32 ", %" PRIu32 ", %" PRIu32
                ", %" PRIu32 ", %" PRIu32 ", %" PRIu32 ", %" PRIu32 ", %" PRIu32 "},\n",
                (unsigned)n->kind, (unsigned)n->flags, n->len, n->span.start, n->span.end,
                n->key_span.start, n->key_span.end, key, n->key_len, val, parent, cstr);
    }
    fprintf(out, "};\n\n");
    if (rc == 0)
        put_bytes(out, "pool", index, (const unsigned char *)pk.pool, pk.pool_len);
    *count = pk.n;
    *pool_len = pk.pool_len;
    free(first);
    free(pk.order);
    free(pk.parent);
    free(pk.pool);
    return rc;
}

/* Load `path` with klint's loader and write its bytes, tree and pool as file `index`. */
static int put_file(FILE *out, int index, const char *path, uint32_t *n_nodes)
{
    size_t len;
    unsigned char *data = read_file(path, &len);
    if (data == NULL)
        return -1;
    put_bytes(out, "rule", index, data, len);
    kl_source *src = NULL;
    kl_diags *diags = NULL;
    kl_doc *doc = NULL;
    int rc = -1;
    if (kl_source_from_memory(&src, path, (const char *)data, len) != KL_OK ||
        kl_diags_new(&diags) != KL_OK || kl_json_load(&doc, src, NULL, diags) != KL_OK) {
        fprintf(stderr, "%s: cannot load\n", path);
        goto done;
    }
    if (kl_diags_count(diags) > 0 || kl_doc_root(doc) == NULL) {
        for (size_t i = 0; i < kl_diags_count(diags); i++) {
            const kl_diag *d = kl_diags_at(diags, i);
            kl_pos pos = kl_source_pos(src, d->span.start);
            fprintf(stderr, "%s:%" PRIu32 ":%" PRIu32 ": %s [%s]\n", path, pos.line, pos.column,
                    d->message, d->rule);
        }
        fprintf(stderr, "%s: a built-in rule file must load without any finding\n", path);
        goto done;
    }
    size_t pool_len;
    rc = put_tree(out, index, src, kl_doc_root(doc), n_nodes, &pool_len);
done:
    kl_doc_free(doc);
    kl_diags_free(diags);
    kl_source_free(src);
    free(data);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: embed_rules OUTPUT.c RULES.json...\n");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (out == NULL) {
        perror(argv[1]);
        return 1;
    }
    fprintf(out, "/* Generated by embed_rules from rules/NAME.json: do not edit. */\n");
    fprintf(out, "#include \"rules_builtin.h\"\n\n");
    uint32_t *counts = calloc((size_t)argc, sizeof(*counts));
    int status = counts == NULL ? 1 : 0;
    for (int i = 2; status == 0 && i < argc; i++)
        if (put_file(out, i - 2, argv[i], &counts[i]) != 0)
            status = 1;
    if (status == 0) {
        fprintf(out, "const kl_builtin_rule kl_builtin_rules[] = {\n");
        for (int i = 2; i < argc; i++)
            fprintf(out,
                    "    {\"rules/%s\", rule_%d, sizeof(rule_%d), tree_%d, %" PRIu32
                    ", (const char *)pool_%d},\n",
                    base_name(argv[i]), i - 2, i - 2, i - 2, counts[i], i - 2);
        if (argc == 2)
            fprintf(out, "    {\"\", NULL, 0, NULL, 0, NULL},\n");
        fprintf(out, "};\n\nconst size_t kl_builtin_rules_count = %d;\n", argc - 2);
    }
    free(counts);
    if (fclose(out) != 0) {
        perror(argv[1]);
        status = 1;
    }
    if (status != 0)
        remove(argv[1]);
    return status;
}
