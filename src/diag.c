/*
 * The diagnostic list: a growable array of kl_diag whose strings, related
 * entries and fixes live in one arena, so clearing the list for the next
 * JSON Lines record is O(1) and reuses the memory.
 */
#include "klint/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct kl_diags {
    kl_diag *items;
    size_t len;
    size_t cap;
    size_t by_severity[KL_SEV_ERROR + 1]; /* indexed by kl_severity */
    kl_arena arena;                       /* every string and array the items point to */
};

int kl_diags_new(kl_diags **out)
{
    kl_diags *diags = calloc(1, sizeof(*diags));
    *out = diags;
    if (diags == NULL)
        return KL_ENOMEM;
    diags->arena = (kl_arena)KL_ARENA_INIT;
    return KL_OK;
}

void kl_diags_free(kl_diags *diags)
{
    if (diags == NULL)
        return;
    kl_arena_dispose(&diags->arena);
    free(diags->items);
    free(diags);
}

void kl_diags_clear(kl_diags *diags)
{
    diags->len = 0;
    memset(diags->by_severity, 0, sizeof(diags->by_severity));
    kl_arena_reset(&diags->arena);
}

size_t kl_diags_count(const kl_diags *diags)
{
    return diags->len;
}

const kl_diag *kl_diags_at(const kl_diags *diags, size_t i)
{
    return i < diags->len ? &diags->items[i] : NULL;
}

/* A copy of the NUL-terminated `s` in the arena; `fallback` stands in for NULL. */
static const char *copy_str(kl_arena *arena, const char *s, const char *fallback)
{
    if (s == NULL)
        s = fallback;
    return kl_arena_strndup(arena, s, strlen(s));
}

/* Room for `n` elements of `size` bytes in the arena; NULL for n == 0 or on failure. */
static void *copy_array(kl_arena *arena, const void *src, size_t n, size_t size, bool *failed)
{
    if (n == 0)
        return NULL;
    if (n > SIZE_MAX / size) {
        *failed = true;
        return NULL;
    }
    void *dst = kl_arena_alloc(arena, n * size);
    if (dst == NULL)
        *failed = true;
    else
        memcpy(dst, src, n * size);
    return dst;
}

/*
 * Deep-copy the owned parts of `d` into `*out`. A NULL message becomes "",
 * a NULL path "$". On failure some arena memory may already be used; it is
 * reclaimed by the next clear, and the list itself is untouched.
 */
static bool copy_diag(kl_arena *arena, const kl_diag *d, kl_diag *out)
{
    bool failed = false;
    *out = *d;
    out->message = copy_str(arena, d->message, "");
    out->path = copy_str(arena, d->path, "$");
    if (out->message == NULL || out->path == NULL)
        return false;

    size_t n_related = d->related ? d->n_related : 0;
    kl_related *related = copy_array(arena, d->related, n_related, sizeof(*related), &failed);
    for (size_t i = 0; i < n_related && !failed; i++) {
        related[i].path = copy_str(arena, d->related[i].path, "$");
        related[i].message = copy_str(arena, d->related[i].message, "");
        failed = related[i].path == NULL || related[i].message == NULL;
    }
    out->related = related;
    out->n_related = n_related;

    size_t n_fixes = d->fixes ? d->n_fixes : 0;
    kl_fix *fixes = failed ? NULL : copy_array(arena, d->fixes, n_fixes, sizeof(*fixes), &failed);
    for (size_t i = 0; i < n_fixes && !failed; i++) {
        const kl_fix *f = &d->fixes[i];
        size_t n_edits = f->edits ? f->n_edits : 0;
        kl_edit *edits = copy_array(arena, f->edits, n_edits, sizeof(*edits), &failed);
        for (size_t j = 0; j < n_edits && !failed; j++) {
            edits[j].text = copy_str(arena, f->edits[j].text, "");
            failed = edits[j].text == NULL;
        }
        fixes[i].description = failed ? NULL : copy_str(arena, f->description, "");
        fixes[i].edits = edits;
        fixes[i].n_edits = n_edits;
        failed = failed || fixes[i].description == NULL;
    }
    out->fixes = fixes;
    out->n_fixes = n_fixes;
    return !failed;
}

int kl_diags_add(kl_diags *diags, const kl_diag *in)
{
    /* `in` may be an item of this very list, which the realloc below would move. */
    kl_diag copy = *in;
    const kl_diag *d = &copy;
    if (diags->len == diags->cap) {
        size_t cap = diags->cap ? diags->cap * 2 : 16;
        if (cap > SIZE_MAX / sizeof(kl_diag))
            return KL_ENOMEM;
        kl_diag *items = realloc(diags->items, cap * sizeof(kl_diag));
        if (items == NULL)
            return KL_ENOMEM;
        diags->items = items;
        diags->cap = cap;
    }
    if (!copy_diag(&diags->arena, d, &diags->items[diags->len]))
        return KL_ENOMEM;
    diags->len++;
    if (d->severity >= KL_SEV_INFO && d->severity <= KL_SEV_ERROR)
        diags->by_severity[d->severity]++;
    return KL_OK;
}

int kl_diags_addf(kl_diags *diags, const char *rule, kl_severity sev, kl_span span,
                  const char *path, const char *fmt, ...)
{
    char small[256];
    char *message = small;
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return KL_EINTERNAL; /* a bad format string: a bug in the caller */
    if ((size_t)n >= sizeof(small)) {
        message = malloc((size_t)n + 1);
        if (message == NULL)
            return KL_ENOMEM;
        va_start(ap, fmt);
        vsnprintf(message, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }

    kl_diag d;
    memset(&d, 0, sizeof(d));
    d.rule = rule;
    d.severity = sev;
    d.message = message;
    d.path = path;
    d.span = span;
    int rc = kl_diags_add(diags, &d);
    if (message != small)
        free(message);
    return rc;
}

static int compare_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int compare(const kl_diag *a, const kl_diag *b)
{
    if (a->span.start != b->span.start)
        return a->span.start < b->span.start ? -1 : 1;
    if (a->span.end != b->span.end)
        return a->span.end < b->span.end ? -1 : 1;
    return compare_str(a->rule, b->rule);
}

/* Stable, in place, no memory: the fallback when the merge buffer is not available. */
static void insertion_sort(kl_diag *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        kl_diag x = v[i];
        size_t j = i;
        while (j > 0 && compare(&v[j - 1], &x) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Bottom-up merge sort of v[0..n) using tmp[0..n). */
static void merge_sort(kl_diag *v, kl_diag *tmp, size_t n)
{
    kl_diag *from = v, *to = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = mid + width < n ? mid + width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                to[k++] = compare(&from[j], &from[i]) < 0 ? from[j++] : from[i++];
            while (i < mid)
                to[k++] = from[i++];
            while (j < hi)
                to[k++] = from[j++];
        }
        kl_diag *t = from;
        from = to;
        to = t;
    }
    if (from != v)
        memcpy(v, from, n * sizeof(*v));
}

void kl_diags_sort(kl_diags *diags)
{
    size_t n = diags->len;
    size_t i = 1;
    while (i < n && compare(&diags->items[i - 1], &diags->items[i]) <= 0)
        i++;
    if (i >= n)
        return; /* already in order: the usual case */
    kl_diag *tmp = malloc(n * sizeof(*tmp));
    if (tmp == NULL) {
        insertion_sort(diags->items, n);
        return;
    }
    merge_sort(diags->items, tmp, n);
    free(tmp);
}

size_t kl_diags_count_severity(const kl_diags *diags, kl_severity sev)
{
    if (sev < KL_SEV_INFO || sev > KL_SEV_ERROR)
        return 0;
    return diags->by_severity[sev];
}

static kl_span remap_span(kl_span s, uint32_t (*map)(uint32_t, void *), void *ctx)
{
    return kl_span_make(map(s.start, ctx), map(s.end, ctx));
}

void kl_diags_remap(kl_diags *diags, size_t from, uint32_t (*map)(uint32_t offset, void *ctx),
                    void *ctx)
{
    for (size_t i = from; i < diags->len; i++) {
        kl_diag *d = &diags->items[i];
        d->span = remap_span(d->span, map, ctx);
        /* The related entries and fixes were allocated by copy_diag: writable. */
        kl_related *related = (kl_related *)d->related;
        for (size_t r = 0; r < d->n_related; r++)
            related[r].span = remap_span(related[r].span, map, ctx);
        for (size_t f = 0; f < d->n_fixes; f++) {
            kl_edit *edits = (kl_edit *)d->fixes[f].edits;
            for (size_t e = 0; e < d->fixes[f].n_edits; e++)
                edits[e].span = remap_span(edits[e].span, map, ctx);
        }
    }
}
