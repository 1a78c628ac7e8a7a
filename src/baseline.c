/*
 * Baselines: read and checked with positions like a configuration, looked
 * up by (file, rule, path) through an index sorted on that key, and written
 * in the same sorted order, one finding per line, so that a regenerated
 * baseline diffs line by line against the committed one. Writing goes
 * through kl_file_replace: atomic, the mode of a file it replaces kept, a
 * new one made like any new file, a symbolic link written through.
 */
#include "baseline.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "fix_apply.h"
#include "fspath.h"
#include "glob.h"
#include "jcheck.h"
#include "rules.h"

typedef struct bl_entry {
    const char *file, *rule, *path;
    size_t count;      /* findings accepted */
    size_t used;       /* findings matched so far (printing thread) */
    bool linted;       /* its file was linted in this run (printing thread) */
    kl_span span;      /* the entry in the baseline file (loaded baselines) */
    const char *where; /* its canonical path there: "$.findings[3]" */
} bl_entry;

struct kl_baseline {
    kl_arena arena;
    kl_anchor anchor; /* the baseline's directory: `file` is relative to it */
    char *path;       /* the baseline file */
    bl_entry *v;      /* file order (loaded) or insertion order (generated) */
    size_t n, cap;
    bl_entry **by_key; /* loaded: v sorted by (file, rule, path) */
};

static int cmp_key(const bl_entry *a, const bl_entry *b)
{
    int c = strcmp(a->file, b->file);
    if (c == 0)
        c = strcmp(a->rule, b->rule);
    if (c == 0)
        c = strcmp(a->path, b->path);
    return c;
}

static int cmp_entry_ptr(const void *a, const void *b)
{
    const bl_entry *x = *(const bl_entry *const *)a, *y = *(const bl_entry *const *)b;
    int c = cmp_key(x, y);
    /* Ties in file order, so the later duplicate is the one reported. */
    return c != 0 ? c : (x < y ? -1 : x > y);
}

static int new_baseline(kl_baseline **out, const char *path)
{
    *out = NULL;
    kl_baseline *bl = calloc(1, sizeof(*bl));
    if (bl == NULL)
        return KL_ENOMEM;
    bl->path = malloc(strlen(path) + 1);
    if (bl->path == NULL || kl_anchor_init(&bl->anchor, path) != 0) {
        free(bl->path);
        free(bl);
        return KL_ENOMEM;
    }
    strcpy(bl->path, path);
    *out = bl;
    return KL_OK;
}

int kl_baseline_new(kl_baseline **out, const char *path)
{
    return new_baseline(out, path);
}

void kl_baseline_free(kl_baseline *bl)
{
    if (bl == NULL)
        return;
    kl_anchor_dispose(&bl->anchor);
    kl_arena_dispose(&bl->arena);
    free(bl->by_key);
    free(bl->v);
    free(bl->path);
    free(bl);
}

static bl_entry *push(kl_baseline *bl)
{
    if (bl->n == bl->cap) {
        size_t cap = bl->cap ? bl->cap * 2 : 64;
        bl_entry *nv = realloc(bl->v, cap * sizeof(*nv));
        if (nv == NULL)
            return NULL;
        bl->v = nv;
        bl->cap = cap;
    }
    bl_entry *e = &bl->v[bl->n++];
    memset(e, 0, sizeof(*e));
    return e;
}

/* ---- Loading ---------------------------------------------------------------- */

static const char *const top_keys[] = {"klint_baseline", "findings", NULL};
static const char *const entry_keys[] = {"file", "rule", "path", "count", NULL};

static const char *copy_str(kl_baseline *bl, kl_jcheck *J, const kl_node *n)
{
    const char *s = kl_arena_strndup(&bl->arena, n->u.str, n->len);
    if (s == NULL)
        J->nomem = true;
    return s;
}

static bool want_text(kl_jcheck *J, const kl_node *e, const char *name, const kl_node **out)
{
    const kl_node *n = kl_node_getz(e, name);
    *out = n;
    if (n == NULL) {
        kl_jcheck_error(J, e, false, "a baseline entry needs `%s`", name);
        return false;
    }
    if (n->kind != KL_JSON_STRING || n->len == 0 || memchr(n->u.str, '\0', n->len) != NULL) {
        kl_jcheck_error(J, n, false, "`%s` is a non-empty string", name);
        return false;
    }
    return true;
}

static void read_entry(kl_baseline *bl, kl_jcheck *J, const kl_node *e)
{
    if (e->kind != KL_JSON_OBJECT) {
        kl_jcheck_error(J, e, false,
                        "a baseline entry is {\"file\", \"rule\", \"path\", \"count\"}, not %s",
                        kl_node_phrase(e));
        return;
    }
    bool ok = kl_jcheck_keys(J, e, "a baseline entry", entry_keys);
    const kl_node *file, *rule, *path;
    ok &= want_text(J, e, "file", &file);
    ok &= want_text(J, e, "rule", &rule);
    bool path_ok = want_text(J, e, "path", &path);
    ok &= path_ok;
    if (file != NULL && file->kind == KL_JSON_STRING && file->len > 0 && file->u.str[0] == '/') {
        kl_jcheck_error(J, file, false,
                        "`file` is relative to the baseline's directory, not an absolute path");
        ok = false;
    }
    size_t at;
    const char *path_text = path_ok ? copy_str(bl, J, path) : NULL; /* NUL-terminated */
    const char *msg = path_text ? kl_jsonpath_check(path_text, false, &at) : NULL;
    if (msg != NULL) {
        kl_jcheck_error_at(J, path, at, "bad JSON path: %s%s", msg,
                           strstr(msg, "wildcards") ? " (a baseline names exact places; use an "
                                                      "`ignores` entry of .klint.json for patterns)"
                                                    : "");
        ok = false;
    }
    int64_t count = 1;
    const kl_node *cn = kl_node_getz(e, "count");
    if (cn != NULL && (cn->kind != KL_JSON_NUMBER || !kl_node_int64(cn, &count) || count < 1)) {
        kl_jcheck_error(J, cn, false,
                        "`count` is a positive integer: how many findings with this file, rule "
                        "and path are accepted");
        ok = false;
    }
    if (!ok)
        return;
    bl_entry *x = push(bl);
    if (x == NULL) {
        J->nomem = true;
        return;
    }
    x->file = copy_str(bl, J, file);
    x->rule = copy_str(bl, J, rule);
    x->path = path_text;
    x->count = (size_t)count;
    x->span = e->span;
    char *where = kl_jcheck_path(e);
    x->where = where ? kl_arena_strndup(&bl->arena, where, strlen(where)) : NULL;
    free(where);
    if (x->file == NULL || x->rule == NULL || x->path == NULL || x->where == NULL) {
        J->nomem = true;
        bl->n--;
    }
}

static void read_baseline(kl_baseline *bl, kl_jcheck *J, const kl_node *root)
{
    if (root->kind != KL_JSON_OBJECT) {
        kl_jcheck_error(J, root, false,
                        "a baseline is an object {\"klint_baseline\": 1, \"findings\": [...]}, "
                        "not %s",
                        kl_node_phrase(root));
        return;
    }
    kl_jcheck_keys(J, root, "the baseline", top_keys);
    const kl_node *ver = kl_node_getz(root, "klint_baseline");
    int64_t version = 0;
    if (ver == NULL)
        kl_jcheck_error(J, root, false,
                        "not a klint baseline: `\"klint_baseline\": 1` is missing (write one with "
                        "--generate-baseline)");
    else if (ver->kind != KL_JSON_NUMBER || !kl_node_int64(ver, &version) || version != 1)
        kl_jcheck_error(J, ver, false,
                        "`klint_baseline` must be 1 (this klint reads version 1 of the format)");
    const kl_node *list = kl_node_getz(root, "findings");
    if (list == NULL) {
        kl_jcheck_error(J, root, false, "a baseline needs `findings` (a list, maybe empty)");
        return;
    }
    if (list->kind != KL_JSON_ARRAY) {
        kl_jcheck_error(J, list, false, "`findings` is a list of entries, not %s",
                        kl_node_phrase(list));
        return;
    }
    for (uint32_t i = 0; i < list->len; i++)
        read_entry(bl, J, &list->u.children[i]);
}

/* Sort the index; report an entry whose key an earlier one already has. */
static int index_entries(kl_baseline *bl, kl_jcheck *J)
{
    bl->by_key = malloc((bl->n ? bl->n : 1) * sizeof(*bl->by_key));
    if (bl->by_key == NULL)
        return KL_ENOMEM;
    for (size_t i = 0; i < bl->n; i++)
        bl->by_key[i] = &bl->v[i];
    qsort(bl->by_key, bl->n, sizeof(*bl->by_key), cmp_entry_ptr);
    for (size_t i = 1; i < bl->n; i++) {
        const bl_entry *a = bl->by_key[i - 1], *b = bl->by_key[i];
        if (cmp_key(a, b) != 0)
            continue;
        kl_pos first = kl_source_pos(J->src, a->span.start);
        kl_jcheck_report(J, KL_SEV_ERROR, b->span, b->where,
                         "this finding is listed twice (first on line %u): merge the two entries "
                         "into one and add up their `count`",
                         (unsigned)first.line);
    }
    return J->nomem ? KL_ENOMEM : KL_OK;
}

int kl_baseline_load(kl_baseline **out, const char *path, kl_source **src_out, kl_diags *problems)
{
    *out = NULL;
    *src_out = NULL;
    kl_baseline *bl = NULL;
    kl_doc *doc = NULL;
    int rc = new_baseline(&bl, path);
    if (rc != KL_OK)
        return rc;
    kl_jcheck J = {NULL, problems, KL_RULE_BASELINE_INVALID, false, false};
    rc = kl_source_read_file(src_out, path, NULL);
    if (rc != KL_OK)
        goto done;
    J.src = *src_out;
    rc = kl_jcheck_parse(&J, &doc);
    if (rc != KL_OK)
        goto done;
    if (kl_doc_root(doc) != NULL)
        read_baseline(bl, &J, kl_doc_root(doc));
    rc = J.nomem ? KL_ENOMEM : index_entries(bl, &J);
    if (rc == KL_OK && J.errors)
        rc = KL_EUSAGE;
done:
    kl_doc_free(doc);
    if (rc != KL_OK) {
        int err = errno;
        kl_baseline_free(bl);
        bl = NULL;
        errno = err;
    }
    *out = bl;
    return rc;
}

/* ---- Matching ---------------------------------------------------------------- */

char *kl_baseline_relative(const kl_baseline *bl, const char *file)
{
    char *rel = kl_anchor_relative(&bl->anchor, file, true);
    if (rel == NULL && file != NULL && bl->anchor.dir_abs == NULL) {
        /* The current directory is unknown: the name as given is the best key there is. */
        rel = malloc(strlen(file) + 1);
        if (rel != NULL)
            strcpy(rel, file);
    }
    return rel;
}

/* The first index entry whose key is >= (file, rule, path); NULL rule/path compare lowest. */
static size_t lower_bound(const kl_baseline *bl, const char *file, const char *rule,
                          const char *path)
{
    size_t lo = 0, hi = bl->by_key ? bl->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const bl_entry *e = bl->by_key[mid];
        int c = strcmp(e->file, file);
        if (c == 0 && rule != NULL)
            c = strcmp(e->rule, rule);
        if (c == 0 && rule != NULL && path != NULL)
            c = strcmp(e->path, path);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void kl_baseline_note_file(kl_baseline *bl, const char *rel_file)
{
    if (bl == NULL || rel_file == NULL || bl->by_key == NULL)
        return;
    for (size_t i = lower_bound(bl, rel_file, NULL, NULL);
         i < bl->n && strcmp(bl->by_key[i]->file, rel_file) == 0; i++)
        bl->by_key[i]->linted = true;
}

bool kl_baseline_match(kl_baseline *bl, const char *rel_file, const char *rule,
                       const char *json_path)
{
    if (bl == NULL || bl->by_key == NULL || rel_file == NULL || rule == NULL)
        return false;
    if (json_path == NULL)
        json_path = "$";
    /* Duplicates were rejected at load: at most one entry has this key. */
    size_t i = lower_bound(bl, rel_file, rule, json_path);
    if (i >= bl->n)
        return false;
    bl_entry *e = bl->by_key[i];
    if (strcmp(e->file, rel_file) != 0 || strcmp(e->rule, rule) != 0 ||
        strcmp(e->path, json_path) != 0 || e->used >= e->count)
        return false;
    e->used++;
    return true;
}

int kl_baseline_report_unmatched(const kl_baseline *bl, kl_diags *out)
{
    for (size_t i = 0; bl != NULL && bl->by_key != NULL && i < bl->n; i++) {
        const bl_entry *e = &bl->v[i];
        if (!e->linted || e->used >= e->count)
            continue;
        int rc;
        if (e->used == 0 && e->count == 1)
            rc = kl_diags_addf(out, KL_RULE_BASELINE_UNMATCHED, KL_SEV_WARNING, e->span, e->where,
                               "no `%s` finding at %s in %s any more: regenerate the baseline "
                               "(--generate-baseline) to drop this entry",
                               e->rule, e->path, e->file);
        else
            rc = kl_diags_addf(out, KL_RULE_BASELINE_UNMATCHED, KL_SEV_WARNING, e->span, e->where,
                               "this entry accepts %zu `%s` findings at %s in %s but %zu %s found: "
                               "regenerate the baseline (--generate-baseline) to lower its count",
                               e->count, e->rule, e->path, e->file, e->used,
                               e->used == 1 ? "was" : "were");
        if (rc != KL_OK)
            return rc;
    }
    return KL_OK;
}

/* ---- Generating ---------------------------------------------------------------- */

int kl_baseline_add(kl_baseline *bl, const char *rel_file, const char *rule, const char *json_path)
{
    bl_entry *e = push(bl);
    if (e == NULL)
        return KL_ENOMEM;
    e->file = kl_arena_strndup(&bl->arena, rel_file, strlen(rel_file));
    e->rule = kl_arena_strndup(&bl->arena, rule, strlen(rule));
    json_path = json_path ? json_path : "$";
    e->path = kl_arena_strndup(&bl->arena, json_path, strlen(json_path));
    e->count = 1;
    if (e->file == NULL || e->rule == NULL || e->path == NULL) {
        bl->n--;
        return KL_ENOMEM;
    }
    return KL_OK;
}

static void put_string(kl_buf *b, const char *s)
{
    kl_buf_putc(b, '"');
    kl_buf_put_json_escaped(b, s, strlen(s));
    kl_buf_putc(b, '"');
}

/* The file's text: sorted, equal keys merged, one finding per line. */
static int render(const kl_baseline *bl, kl_buf *b)
{
    const bl_entry **order = malloc((bl->n ? bl->n : 1) * sizeof(*order));
    if (order == NULL)
        return KL_ENOMEM;
    for (size_t i = 0; i < bl->n; i++)
        order[i] = &bl->v[i];
    qsort(order, bl->n, sizeof(*order), cmp_entry_ptr);
    kl_buf_puts(b, "{\n  \"klint_baseline\": 1,\n  \"findings\": [");
    size_t written = 0;
    for (size_t i = 0; i < bl->n;) {
        size_t count = 0, k = i;
        for (; k < bl->n && cmp_key(order[i], order[k]) == 0; k++)
            count += order[k]->count;
        kl_buf_puts(b, written++ ? ",\n    {\"file\": " : "\n    {\"file\": ");
        put_string(b, order[i]->file);
        kl_buf_puts(b, ", \"rule\": ");
        put_string(b, order[i]->rule);
        kl_buf_puts(b, ", \"path\": ");
        put_string(b, order[i]->path);
        kl_buf_printf(b, ", \"count\": %zu}", count);
        i = k;
    }
    kl_buf_puts(b, written ? "\n  ]\n}\n" : "]\n}\n");
    free(order);
    return kl_buf_failed(b) ? KL_ENOMEM : KL_OK;
}

int kl_baseline_write(const kl_baseline *bl)
{
    kl_buf text = KL_BUF_INIT;
    int rc = render(bl, &text);
    if (rc == KL_OK)
        rc = kl_file_replace(bl->path, text.ptr, text.len);
    kl_buf_dispose(&text);
    return rc;
}
