/*
 * kl_diff_unified: the unified diff between two texts, as `diff -u` writes
 * it and `patch` reads it (contract in fix_apply.h).
 *
 * Lines are compared with their '\n', so a last line without one differs
 * from the same line with one, as in diff. The common head and tail are set
 * aside first (a fix changes a few lines of a file), then Myers' O(ND)
 * algorithm finds a shortest edit script for the middle. When the middle
 * differs in more lines than the search may afford, the whole middle is
 * shown as one replacement: longer than needed, still a correct diff.
 *
 * Hunks follow GNU diff: 3 lines of context, changes fewer than 7 equal
 * lines apart share a hunk, a range of one line is written "L", an empty
 * one "L,0" with L the line before it.
 */
#include "fix_apply.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { CONTEXT = 3 };

/* Most differences the search looks for, and its budget in lines times differences. */
enum { MAX_D = 2000 };
#define WORK_BUDGET ((size_t)100 * 1000 * 1000)

typedef struct line {
    const char *s;
    size_t len; /* with its '\n', if it has one */
    uint64_t hash;
} line;

typedef struct lines {
    line *v;
    size_t n;
} lines;

/* One run of changed lines: old lines [a, a + na) become new lines [b, b + nb). */
typedef struct change {
    size_t a, na, b, nb;
} change;

static int split(lines *out, const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    if (len > 0 && s[len - 1] != '\n')
        n++;
    out->n = n;
    out->v = malloc((n ? n : 1) * sizeof(*out->v)); /* never NULL: offsets are taken */
    if (out->v == NULL)
        return KL_ENOMEM;
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        const char *nl = memchr(s + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - s) + 1 : len;
        uint64_t h = 14695981039346656037u; /* FNV-1a */
        for (size_t i = at; i < end; i++)
            h = (h ^ (unsigned char)s[i]) * 1099511628211u;
        out->v[k] = (line){s + at, end - at, h};
        at = end;
    }
    return KL_OK;
}

static bool same(const line *x, const line *y)
{
    return x->hash == y->hash && x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
}

/*
 * Myers' greedy search over a[0, n) and b[0, m), marking deleted lines in
 * `del` and inserted lines in `ins`. Step d keeps, for each diagonal
 * k = x - y in -d, -d + 2, ..., d, the furthest x reached: d + 1 values,
 * stored one step after another for the walk back.
 */
static int shortest_script(const line *a, size_t n, const line *b, size_t m, bool *del, bool *ins)
{
    size_t limit = MAX_D;
    if (n + m > 0 && WORK_BUDGET / (n + m) < limit)
        limit = WORK_BUDGET / (n + m);
    size_t max_d = n + m < limit ? n + m : limit;
    ptrdiff_t *trace = NULL;
    size_t cap = 0;

    ptrdiff_t N = (ptrdiff_t)n, M = (ptrdiff_t)m;
    for (ptrdiff_t d = 0; d <= (ptrdiff_t)max_d; d++) {
        size_t need = (size_t)(d + 1) * (size_t)(d + 2) / 2;
        if (need > cap) {
            cap = cap ? cap * 2 : 64;
            if (cap < need)
                cap = need;
            ptrdiff_t *grown = realloc(trace, cap * sizeof(*trace));
            if (grown == NULL) {
                free(trace);
                return KL_ENOMEM;
            }
            trace = grown;
        }
        ptrdiff_t *v = trace + d * (d + 1) / 2;
        const ptrdiff_t *pv = trace + (d - 1) * d / 2;
        for (ptrdiff_t i = 0; i <= d; i++) {
            ptrdiff_t k = 2 * i - d, x;
            if (d == 0)
                x = 0;
            else if (i == 0 || (i != d && pv[i - 1] < pv[i]))
                x = pv[i]; /* down from diagonal k + 1: insert */
            else
                x = pv[i - 1] + 1; /* right from diagonal k - 1: delete */
            ptrdiff_t y = x - k;
            while (x < N && y < M && same(&a[x], &b[y])) {
                x++;
                y++;
            }
            v[i] = x;
            if (x < N || y < M)
                continue;

            /* Reached the end: walk back through the steps, marking each move. */
            for (ptrdiff_t e = d; e > 0; e--) {
                const ptrdiff_t *pe = trace + (e - 1) * e / 2;
                ptrdiff_t ke = x - y, ie = (ke + e) / 2;
                bool down = ie == 0 || (ie != e && pe[ie - 1] < pe[ie]);
                ptrdiff_t px = down ? pe[ie] : pe[ie - 1];
                ptrdiff_t py = px - (down ? ke + 1 : ke - 1);
                if (down)
                    ins[py] = true;
                else
                    del[px] = true;
                x = px;
                y = py;
            }
            free(trace);
            return KL_OK;
        }
    }
    /* Too many differences to search for: replace the whole middle. */
    free(trace);
    for (size_t i = 0; i < n; i++)
        del[i] = true;
    for (size_t j = 0; j < m; j++)
        ins[j] = true;
    return KL_OK;
}

/* The runs of changed lines, in order. */
static int changes_of(const lines *o, const lines *w, change **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    size_t p = 0, s = 0;
    while (p < o->n && p < w->n && same(&o->v[p], &w->v[p]))
        p++;
    while (s < o->n - p && s < w->n - p && same(&o->v[o->n - 1 - s], &w->v[w->n - 1 - s]))
        s++;
    size_t n = o->n - p - s, m = w->n - p - s;
    bool *del = calloc(n + m + 1, sizeof(*del));
    if (del == NULL)
        return KL_ENOMEM;
    bool *ins = del + n;
    int rc = shortest_script(o->v + p, n, w->v + p, m, del, ins);
    if (rc != KL_OK) {
        free(del);
        return rc;
    }

    change *v = NULL;
    size_t len = 0, cap = 0, i = 0, j = 0;
    while (rc == KL_OK && (i < n || j < m)) {
        if ((i < n && del[i]) || (j < m && ins[j])) {
            change c = {p + i, 0, p + j, 0};
            for (; i < n && del[i]; i++)
                c.na++;
            for (; j < m && ins[j]; j++)
                c.nb++;
            if (len == cap) {
                cap = cap ? cap * 2 : 8;
                change *grown = realloc(v, cap * sizeof(*v));
                if (grown == NULL) {
                    rc = KL_ENOMEM;
                    break;
                }
                v = grown;
            }
            v[len++] = c;
        } else if (i < n && j < m) {
            i++;
            j++;
        } else {
            rc = KL_EINTERNAL; /* kept lines must pair up */
        }
    }
    free(del);
    if (rc != KL_OK) {
        free(v);
        return rc;
    }
    *out = v;
    *n_out = len;
    return KL_OK;
}

/* A hunk range: "L" for one line, "L,0" (L the line before) for none, else "L,N". */
static void put_range(FILE *out, size_t start, size_t count)
{
    if (count == 0)
        fprintf(out, "%zu,0", start);
    else if (count == 1)
        fprintf(out, "%zu", start + 1);
    else
        fprintf(out, "%zu,%zu", start + 1, count);
}

static void put_lines(FILE *out, char mark, const line *v, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        fputc(mark, out);
        fwrite(v[i].s, 1, v[i].len, out);
        if (v[i].len == 0 || v[i].s[v[i].len - 1] != '\n')
            fputs("\n\\ No newline at end of file\n", out);
    }
}

static void put_hunks(FILE *out, const lines *o, const lines *w, const change *c, size_t n)
{
    for (size_t h = 0; h < n;) {
        size_t e = h;
        while (e + 1 < n && c[e + 1].a - (c[e].a + c[e].na) <= 2 * CONTEXT)
            e++;
        size_t a0 = c[h].a > CONTEXT ? c[h].a - CONTEXT : 0;
        size_t b0 = c[h].b - (c[h].a - a0);
        size_t tail = o->n - (c[e].a + c[e].na);
        size_t after = tail < CONTEXT ? tail : CONTEXT;
        size_t a1 = c[e].a + c[e].na + after, b1 = c[e].b + c[e].nb + after;

        fputs("@@ -", out);
        put_range(out, a0, a1 - a0);
        fputs(" +", out);
        put_range(out, b0, b1 - b0);
        fputs(" @@\n", out);
        size_t at = a0;
        for (size_t k = h; k <= e; k++) {
            put_lines(out, ' ', o->v, at, c[k].a);
            put_lines(out, '-', o->v, c[k].a, c[k].a + c[k].na);
            put_lines(out, '+', w->v, c[k].b, c[k].b + c[k].nb);
            at = c[k].a + c[k].na;
        }
        put_lines(out, ' ', o->v, at, a1);
        h = e + 1;
    }
}

int kl_diff_unified(FILE *out, const char *name, const char *old, size_t old_len,
                    const char *new_text, size_t new_len)
{
    if (old_len == new_len && (old_len == 0 || memcmp(old, new_text, old_len) == 0))
        return KL_OK;
    lines o = {NULL, 0}, w = {NULL, 0};
    change *c = NULL;
    size_t n = 0;
    int rc = split(&o, old, old_len);
    if (rc == KL_OK)
        rc = split(&w, new_text, new_len);
    if (rc == KL_OK)
        rc = changes_of(&o, &w, &c, &n);
    if (rc == KL_OK) {
        fprintf(out, "--- a/%s\n+++ b/%s\n", name, name);
        put_hunks(out, &o, &w, c, n);
        if (ferror(out))
            rc = KL_EIO;
    }
    free(c);
    free(o.v);
    free(w.v);
    return rc;
}
