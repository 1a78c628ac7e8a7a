/*
 * Applying fixes: choosing the fixes of a diagnostic list that can be
 * applied together, turning them into new text, and fixing a document (or
 * each record of a JSON Lines file) to a fixed point.
 *
 * Two edits conflict when they share a byte, or when one is an insertion at
 * a point inside or at either end of the other: the order of the two would
 * then be a guess (two insertions at one offset, or an insertion just
 * before a replaced range). A conflicting fix is not lost: kl_fix_document's
 * next round lints the new text, where it is offered again.
 */
#include "fix_apply.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonl.h"
#include "klint/json.h"

/* Lint-and-apply rounds per document (the contract's "at most 10"). */
enum { MAX_ROUNDS = 10 };

/* The edits taken so far, sorted by offset and pairwise free of conflicts. */
typedef struct edit_set {
    kl_edit *items;
    size_t len;
    size_t cap;
} edit_set;

static bool conflict(kl_span a, kl_span b)
{
    if (a.start < b.end && b.start < a.end)
        return true;
    if (a.start == a.end && b.start <= a.start && a.start <= b.end)
        return true;
    return b.start == b.end && a.start <= b.start && b.start <= a.end;
}

/* Index of the first taken edit that starts at or after `offset`. */
static size_t lower_bound(const edit_set *set, uint32_t offset)
{
    size_t lo = 0, hi = set->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set->items[mid].span.start < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * Whether `s` conflicts with a taken edit. Taken edits start at strictly
 * increasing offsets and each ends at or before the next one starts, so
 * only the one just before `s` and those starting inside it can touch it.
 */
static bool taken_conflicts(const edit_set *set, kl_span s)
{
    size_t i = lower_bound(set, s.start);
    if (i > 0 && conflict(set->items[i - 1].span, s))
        return true;
    for (; i < set->len && set->items[i].span.start <= s.end; i++) {
        if (conflict(set->items[i].span, s))
            return true;
    }
    return false;
}

static bool set_insert(edit_set *set, kl_edit e)
{
    if (set->len == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        kl_edit *items = realloc(set->items, cap * sizeof(*items));
        if (items == NULL)
            return false;
        set->items = items;
        set->cap = cap;
    }
    size_t i = lower_bound(set, e.span.start);
    memmove(set->items + i + 1, set->items + i, (set->len - i) * sizeof(*set->items));
    set->items[i] = e;
    set->len++;
    return true;
}

/* A fix can be taken: its edits lie inside the source, conflict neither
 * with each other nor with an edit already taken. */
static bool fix_fits(const edit_set *set, const kl_fix *fix, uint32_t src_len)
{
    if (fix->n_edits == 0 || fix->edits == NULL)
        return false;
    for (size_t i = 0; i < fix->n_edits; i++) {
        kl_span s = fix->edits[i].span;
        if (s.start > s.end || s.end > src_len || fix->edits[i].text == NULL)
            return false;
        if (taken_conflicts(set, s))
            return false;
        for (size_t k = 0; k < i; k++) {
            if (conflict(fix->edits[k].span, s))
                return false;
        }
    }
    return true;
}

int kl_fix_apply(const kl_source *src, const kl_diags *diags, kl_fix_filter keep, void *ctx,
                 char **out, size_t *out_len, size_t *n_applied)
{
    *out = NULL;
    *out_len = 0;
    *n_applied = 0;
    int rc = KL_ENOMEM;
    edit_set set = {NULL, 0, 0};
    size_t taken = 0;

    for (size_t i = 0; i < kl_diags_count(diags); i++) {
        const kl_diag *d = kl_diags_at(diags, i);
        if (d->n_fixes == 0 || d->fixes == NULL)
            continue;
        if (keep != NULL && !keep(ctx, d))
            continue;
        const kl_fix *fix = &d->fixes[0];
        if (!fix_fits(&set, fix, src->len))
            continue;
        for (size_t e = 0; e < fix->n_edits; e++) {
            if (!set_insert(&set, fix->edits[e]))
                goto done;
        }
        taken++;
    }

    /* The new length, then the text: kept bytes and replacements in offset order. */
    size_t len = src->len;
    for (size_t i = 0; i < set.len; i++) {
        size_t add = strlen(set.items[i].text);
        len -= set.items[i].span.end - set.items[i].span.start;
        if (add > SIZE_MAX - 1 - len)
            goto done;
        len += add;
    }
    char *text = malloc(len + 1);
    if (text == NULL)
        goto done;
    size_t n = 0;
    uint32_t at = 0;
    for (size_t i = 0; i <= set.len; i++) {
        uint32_t keep_to = i < set.len ? set.items[i].span.start : src->len;
        if (keep_to > at) /* (data may be NULL when empty) */
            memcpy(text + n, src->data + at, keep_to - at);
        n += keep_to - at;
        if (i == set.len)
            break;
        size_t add = strlen(set.items[i].text);
        memcpy(text + n, set.items[i].text, add);
        n += add;
        at = set.items[i].span.end;
    }
    text[n] = '\0';

    *out = text;
    *out_len = n;
    *n_applied = taken;
    rc = KL_OK;
done:
    free(set.items);
    return rc;
}

/*
 * What kl_fix_document applies: the caller's filter; safe fixes only unless
 * unsafe ones are asked for; and for a JSON Lines record, which stays one
 * line, no fix whose text holds a line feed, nor one with a carriage return
 * (some readers end a line at a lone CR). The engine escapes the values it
 * writes, but a move copies a member's value as it is written, whitespace
 * included, and an insertion into a multi-line object takes its layout.
 */
typedef struct doc_filter {
    kl_fix_filter keep;
    void *ctx;
    bool unsafe; /* unsafe fixes too */
    bool record; /* one line */
} doc_filter;

static bool keep_in_document(void *p, const kl_diag *d)
{
    const doc_filter *f = p;
    const kl_fix *fix = &d->fixes[0];
    if (fix->unsafe && !f->unsafe)
        return false;
    if (f->keep != NULL && !f->keep(f->ctx, d))
        return false;
    for (size_t i = 0; f->record && i < fix->n_edits; i++) {
        const char *t = fix->edits[i].text;
        if (t != NULL && strpbrk(t, "\r\n") != NULL)
            return false;
    }
    return true;
}

/* Findings that say the text is no longer well-formed JSON. */
static size_t count_malformed(const kl_diags *diags)
{
    size_t n = 0;
    for (size_t i = 0; i < kl_diags_count(diags); i++) {
        const char *rule = kl_diags_at(diags, i)->rule;
        if (strcmp(rule, KL_RULE_JSON_SYNTAX) == 0 || strcmp(rule, KL_RULE_JSON_DEPTH) == 0 ||
            strcmp(rule, KL_RULE_JSON_DUPLICATE_KEY) == 0)
            n++;
    }
    return n;
}

/* One document or one record to fix: where it came from and how to lint it. */
typedef struct fix_job {
    kl_linter *linter;
    const char *profile;
    const char *name;
    uint32_t first_line;
    bool record; /* one JSON Lines record: a view with no newline */
    kl_fix_filter keep;
    void *ctx;
    kl_diags *diags; /* scratch */
} fix_job;

static void drop_view(const fix_job *job, kl_source *view)
{
    if (!job->record)
        kl_source_dispose(view);
}

/* Set up `view` on the text and lint it into job->diags; on success the
 * caller drops the view. */
static int lint_text(const fix_job *job, const char *data, size_t len, kl_source *view)
{
    kl_diags_clear(job->diags);
    if (job->record) {
        if (len > UINT32_MAX)
            return KL_ETOOBIG;
        kl_source_init_line(view, job->name, data, (uint32_t)len, job->first_line);
    } else {
        int rc = kl_source_init_view(view, job->name, data, len);
        if (rc != KL_OK)
            return rc;
    }
    int rc = kl_linter_lint_as(job->linter, view, job->profile, job->diags);
    if (rc != KL_OK)
        drop_view(job, view);
    return rc;
}

/*
 * Lint and apply until no fix applies, from `data`. `*out` is the last
 * text (NULL when no fix applied). A round after which the text lints as
 * less well-formed than before is a bug in a fix template: it is dropped
 * and the rounds stop, so a payload is never made invalid.
 */
static int fix_rounds(const fix_job *job, const char *data, size_t len, char **out, size_t *out_len,
                      size_t *n_applied)
{
    char *cur = NULL, *prev = NULL;
    size_t cur_len = len, prev_len = 0, total = 0, last = 0, malformed = 0;
    int rc = KL_OK;
    for (int round = 0;; round++) {
        kl_source view;
        rc = lint_text(job, cur ? cur : data, cur_len, &view);
        if (rc != KL_OK)
            break;
        size_t now = count_malformed(job->diags);
        if (round > 0 && now > malformed) {
            drop_view(job, &view);
            free(cur);
            cur = prev;
            cur_len = prev_len;
            prev = NULL;
            total -= last;
            break;
        }
        malformed = now;
        if (round == MAX_ROUNDS) {
            drop_view(job, &view);
            break;
        }
        char *next;
        size_t next_len;
        rc = kl_fix_apply(&view, job->diags, job->keep, job->ctx, &next, &next_len, &last);
        drop_view(job, &view);
        if (rc != KL_OK)
            break;
        if (last == 0) {
            free(next);
            break;
        }
        free(prev);
        prev = cur;
        prev_len = cur_len;
        cur = next;
        cur_len = next_len;
        total += last;
    }
    free(prev);
    if (rc != KL_OK) {
        free(cur);
        return rc;
    }
    *out = cur;
    *out_len = cur ? cur_len : 0;
    *n_applied = total;
    return KL_OK;
}

/*
 * JSON Lines: records as the JSON Lines reader sees them (split at '\n',
 * one trailing '\r' not part of the record, blank lines skipped), each
 * fixed on its own; every byte outside the records is copied as it was.
 */
static int fix_lines(fix_job *job, const kl_source *src, kl_buf *b, size_t *n_applied)
{

    const char *data = src->data;
    size_t len = src->len, pos = 0;
    uint32_t line = src->first_line;
    while (pos < len) {
        size_t rec_len;
        size_t end = kl_jsonl_line_end(data, len, pos, &rec_len);
        char *fixed = NULL;
        size_t fixed_len = 0, n = 0;
        if (!kl_jsonl_blank(data + pos, rec_len)) {
            job->first_line = line;
            int rc = fix_rounds(job, data + pos, rec_len, &fixed, &fixed_len, &n);
            if (rc != KL_OK)
                return rc;
        }
        if (fixed != NULL) {
            kl_buf_put(b, fixed, fixed_len);
            kl_buf_put(b, data + pos + rec_len, end - pos - rec_len);
            free(fixed);
            *n_applied += n;
        } else {
            kl_buf_put(b, data + pos, end - pos);
        }
        if (end < len)
            kl_buf_putc(b, '\n');
        pos = end + 1;
        line++;
    }
    return kl_buf_failed(b) ? KL_ENOMEM : KL_OK;
}

int kl_fix_document(kl_linter *linter, const char *profile, const kl_source *src, bool jsonl,
                    bool unsafe, kl_fix_filter keep, void *ctx, char **out, size_t *out_len,
                    size_t *n_applied)
{
    *out = NULL;
    *out_len = 0;
    *n_applied = 0;
    doc_filter filter = {keep, ctx, unsafe, jsonl || src->is_record};
    fix_job job = {linter,        profile,          src->name, src->first_line,
                   filter.record, keep_in_document, &filter,   NULL};
    int rc = kl_diags_new(&job.diags);
    if (rc != KL_OK)
        return rc;
    if (!jsonl) {
        rc = fix_rounds(&job, src->data, src->len, out, out_len, n_applied);
        kl_diags_free(job.diags);
        return rc;
    }

    kl_buf b = KL_BUF_INIT;
    size_t n = 0;
    rc = fix_lines(&job, src, &b, &n);
    kl_diags_free(job.diags);
    if (rc == KL_OK && n > 0 && b.ptr == NULL) {
        rc = KL_ENOMEM;
        b.ptr = calloc(1, 1);
        if (b.ptr != NULL)
            rc = KL_OK;
    }
    if (rc != KL_OK || n == 0) {
        kl_buf_dispose(&b);
        return rc;
    }
    *out = b.ptr;
    *out_len = b.len;
    *n_applied = n;
    return KL_OK;
}
