/*
 * Rule documentation addresses (see rule_docs.h): every row that cites a
 * web address, sorted by rule id and then by its place in the ruleset
 * (profile order, then row order), so that a lookup is a binary search for
 * the rule and a short walk over its rows.
 */
#include "rule_docs.h"

#include <stdlib.h>
#include <string.h>

#include "rules.h"

typedef struct entry {
    const char *rule;
    const char *profile;
    const char *url;
    size_t len;
    size_t order; /* place in the ruleset: profile-major, then row */
} entry;

struct kl_rule_docs {
    entry *v;
    size_t n;
};

/* The address the row's first source key names, or NULL when it names none. */
static const char *row_url(const kl_profile *p, const kl_row *row, size_t *len)
{
    if (row->source == NULL)
        return NULL;
    const char *comma = strstr(row->source, ", ");
    size_t klen = comma ? (size_t)(comma - row->source) : strlen(row->source);
    size_t n = 0;
    const char *text = kl_profile_source_text(p, row->source, klen, &n);
    if (text == NULL || n <= 8 || strncmp(text, "https://", 8) != 0 ||
        memchr(text, ' ', n) != NULL || memchr(text, '"', n) != NULL)
        return NULL;
    *len = n;
    return text;
}

static int by_rule_then_order(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = strcmp(x->rule, y->rule);
    if (c != 0)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

int kl_rule_docs_new(kl_rule_docs **out, const kl_ruleset *rs)
{
    *out = NULL;
    kl_rule_docs *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return KL_ENOMEM;
    size_t rows = 0;
    for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++)
        rows += kl_ruleset_profile_at(rs, i)->n_rows;
    d->v = rows ? malloc(rows * sizeof(*d->v)) : NULL;
    if (rows && d->v == NULL) {
        free(d);
        return KL_ENOMEM;
    }
    for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++) {
        const kl_profile *p = kl_ruleset_profile_at(rs, i);
        for (uint32_t r = 0; r < p->n_rows; r++) {
            size_t len = 0;
            const char *url = row_url(p, &p->rows[r], &len);
            if (url == NULL)
                continue;
            entry *e = &d->v[d->n];
            e->rule = p->rows[r].id;
            e->profile = p->id;
            e->url = url;
            e->len = len;
            e->order = d->n++;
        }
    }
    if (d->n > 1)
        qsort(d->v, d->n, sizeof(*d->v), by_rule_then_order);
    *out = d;
    return KL_OK;
}

void kl_rule_docs_free(kl_rule_docs *docs)
{
    if (docs == NULL)
        return;
    free(docs->v);
    free(docs);
}

const char *kl_rule_docs_url(const kl_rule_docs *docs, const char *rule, const char *profile,
                             size_t *len)
{
    *len = 0;
    if (docs == NULL || rule == NULL)
        return NULL;
    size_t lo = 0, hi = docs->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(docs->v[mid].rule, rule) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == docs->n || strcmp(docs->v[lo].rule, rule) != 0)
        return NULL;
    const entry *found = &docs->v[lo]; /* the first in any profile */
    for (size_t i = lo; profile && i < docs->n && strcmp(docs->v[i].rule, rule) == 0; i++) {
        if (strcmp(docs->v[i].profile, profile) == 0) {
            found = &docs->v[i];
            break;
        }
    }
    *len = found->len;
    return found->url;
}
