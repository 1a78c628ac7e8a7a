/*
 * The `gitlab` format: a GitLab Code Quality report, the JSON array that
 * `artifacts:reports:codequality` reads (no byte order mark):
 *
 *   [
 *   {"type": "issue", "check_name": RULE, "description": "[RULE] MESSAGE",
 *    "categories": ["Bug Risk"], "severity": "major", "fingerprint": HEX,
 *    "location": {"path": PATH, "lines": {"begin": L, "end": L},
 *                 "positions": {"begin": {"line": L, "column": C},
 *                               "end": {"line": L, "column": C}}}}
 *   ]
 *
 * One object per line. GitLab does not show check_name, so the rule id is
 * also the head of the description. Severity comes from the one severity
 * table (major, minor, info). PATH is the file's name as given, without a
 * leading "./" (GitLab wants it relative to the project: pass relative
 * paths). Lines and columns are 1-based, columns in code points; the end
 * position is just past the span, as in the json format. `type` and
 * `categories` are there for Code Climate's own tools; GitLab ignores them.
 *
 * The fingerprint identifies a finding across runs, so the merge request
 * widget can tell new findings from old ones. It is the MD5, as 32 hex
 * digits, of the bytes
 *
 *   PATH NUL RULE NUL JSONPATH NUL N
 *
 * where JSONPATH is the finding's canonical JSON path and N (decimal, from
 * 1) counts the findings with the same RULE and JSONPATH so far in the
 * file, this one included. Line numbers and message text are deliberately
 * left out: a finding keeps its fingerprint when lines are inserted
 * elsewhere in the file or when a message is reworded, and the counter
 * keeps every fingerprint of a report unique (GitLab merges findings with
 * equal fingerprints into one).
 *
 * JSON Lines: every record of a file has the same PATH and the same kind
 * of JSON paths, so findings in different records are told apart by N
 * alone, counted across the whole file. The alternatives are worse: the
 * record's line number changes whenever a line is inserted above it, and a
 * hash of the record's text changes whenever that record is edited at all
 * (fixing one finding would renumber its neighbours). With the counter,
 * adding or removing k findings of one (rule, path) changes exactly k
 * fingerprints of that kind, so the widget's counts of new and resolved
 * findings stay right, even if it may attribute them to a neighbouring
 * record.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "md5.h"
#include "print_util.h"

/* How many findings of one (path, rule, JSON path) were seen; count 0 marks a free slot. */
typedef struct occurrence {
    unsigned char key[16]; /* MD5 of "PATH NUL RULE NUL JSONPATH NUL" */
    uint32_t count;
} occurrence;

typedef struct gitlab_state {
    size_t n_written;  /* findings written (for the separators) */
    occurrence *slots; /* open addressing, linear probing; cap is 0 or a power of two */
    size_t cap;
    size_t n_used;
    kl_buf desc; /* the description being built, reused */
} gitlab_state;

/* Tables bigger than this are freed, not cleared, when a file ends. */
#define KEEP_SLOTS 256

static int gitlab_begin(kl_printer *p)
{
    kl_buf_putc(kl_print_scratch(p), '[');
    return kl_print_flush(p);
}

static size_t slot_of(const occurrence *slots, size_t cap, const unsigned char key[16])
{
    size_t h = 0;
    for (size_t i = 0; i < sizeof(h); i++)
        h = h << 8 | key[i];
    size_t i = h & (cap - 1);
    while (slots[i].count != 0 && memcmp(slots[i].key, key, 16) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

/* The counter for `key` (0 when new), or NULL when the table could not grow. */
static uint32_t *counter(gitlab_state *st, const unsigned char key[16])
{
    if ((st->n_used + 1) * 2 > st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        occurrence *slots = calloc(cap, sizeof(*slots));
        if (slots == NULL)
            return NULL;
        for (size_t i = 0; i < st->cap; i++) {
            if (st->slots[i].count != 0)
                slots[slot_of(slots, cap, st->slots[i].key)] = st->slots[i];
        }
        free(st->slots);
        st->slots = slots;
        st->cap = cap;
    }
    size_t i = slot_of(st->slots, st->cap, key);
    if (st->slots[i].count == 0) {
        memcpy(st->slots[i].key, key, 16);
        st->n_used++;
    }
    return &st->slots[i].count;
}

/* The fingerprint of the next finding of (path, rule, json_path), as 32 hex digits. */
static int fingerprint(gitlab_state *st, const char *path, const char *rule, const char *json_path,
                       char hex[33])
{
    kl_md5 ctx;
    kl_md5_init(&ctx);
    kl_md5_update(&ctx, path, strlen(path) + 1); /* each with its NUL */
    kl_md5_update(&ctx, rule, strlen(rule) + 1);
    kl_md5_update(&ctx, json_path, strlen(json_path) + 1);
    kl_md5 prefix = ctx;
    unsigned char key[16];
    kl_md5_final(&prefix, key);

    uint32_t *n = counter(st, key);
    if (n == NULL)
        return KL_ENOMEM;
    (*n)++;
    char digits[16];
    int len = snprintf(digits, sizeof(digits), "%" PRIu32, *n);
    kl_md5_update(&ctx, digits, (size_t)len);
    unsigned char digest[16];
    kl_md5_final(&ctx, digest);
    kl_md5_hex(digest, hex);
    return KL_OK;
}

static void put_pos(kl_buf *b, const kl_pos *pos)
{
    kl_buf_printf(b, "{\"line\": %" PRIu32 ", \"column\": %" PRIu32 "}", pos->line, pos->column);
}

static int gitlab_diag(kl_printer *p, const kl_source *src, const kl_diag *d)
{
    gitlab_state *st = p->state;
    const char *path = kl_print_display_path(src->name);
    const char *rule = d->rule && *d->rule ? d->rule : "klint";
    const char *json_path = d->path && *d->path ? d->path : "$";
    char hex[33];
    if (fingerprint(st, path, rule, json_path, hex) != KL_OK)
        return KL_ENOMEM;

    kl_pos start, end;
    kl_print_range(src, d->span, &start, &end);
    kl_buf *b = kl_print_scratch(p);
    kl_buf_puts(b, st->n_written > 0 ? ",\n" : "\n");
    kl_buf_puts(b, "{\"type\": \"issue\", \"check_name\": ");
    kl_print_json_cstr(b, rule);
    kl_buf_puts(b, ", \"description\": ");
    /* "[rule] message" as one JSON string: both parts may need escaping. */
    kl_buf *desc = &st->desc;
    kl_buf_clear(desc);
    kl_buf_printf(desc, "[%s] %s", rule, d->message ? d->message : "");
    if (kl_buf_failed(desc)) {
        kl_buf_clear(b);
        return KL_ENOMEM;
    }
    kl_print_json_string(b, desc->ptr, desc->len);
    kl_buf_printf(
        b,
        ", \"categories\": [\"Bug Risk\"], \"severity\": \"%s\", \"fingerprint\": \"%s\", "
        "\"location\": {\"path\": ",
        kl_print_severity(d->severity)->gitlab, hex);
    kl_print_json_cstr(b, path);
    kl_buf_printf(b, ", \"lines\": {\"begin\": %" PRIu32 ", \"end\": %" PRIu32 "}", start.line,
                  end.line);
    kl_buf_puts(b, ", \"positions\": {\"begin\": ");
    put_pos(b, &start);
    kl_buf_puts(b, ", \"end\": ");
    put_pos(b, &end);
    kl_buf_puts(b, "}}}");
    st->n_written++;
    return kl_print_flush(p);
}

/* A file is done: its counters are no longer needed (the path is part of every key). */
static int gitlab_file(kl_printer *p, const char *name, size_t n_diags)
{
    (void)name;
    (void)n_diags;
    gitlab_state *st = p->state;
    if (st->cap > KEEP_SLOTS) {
        free(st->slots);
        st->slots = NULL;
        st->cap = 0;
    } else if (st->n_used > 0) {
        memset(st->slots, 0, st->cap * sizeof(*st->slots));
    }
    st->n_used = 0;
    return KL_OK;
}

static int gitlab_end(kl_printer *p, const kl_summary *s)
{
    (void)s;
    gitlab_state *st = p->state;
    kl_buf_puts(kl_print_scratch(p), st->n_written > 0 ? "\n]\n" : "]\n");
    return kl_print_flush(p);
}

static void gitlab_dispose(kl_printer *p)
{
    gitlab_state *st = p->state;
    free(st->slots);
    st->slots = NULL;
    st->cap = 0;
    st->n_used = 0;
    kl_buf_dispose(&st->desc);
}

const kl_printer_ops kl_print_gitlab_ops = {
    .name = "gitlab",
    .description = "GitLab Code Quality report (JSON, a stable fingerprint per finding)",
    .begin = gitlab_begin,
    .diag = gitlab_diag,
    .file = gitlab_file,
    .end = gitlab_end,
    .state_size = sizeof(gitlab_state),
    .dispose = gitlab_dispose,
};
