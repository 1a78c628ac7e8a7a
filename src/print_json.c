/*
 * The `json` format: one JSON document per run, streamed. The head is
 * written by begin, each diagnostic as one object on its own line, and the
 * summary by end, so output appears as linting goes and golden files diff
 * line by line. The layout is a contract, described in doc/json-format.md.
 */
#include <stdbool.h>
#include <string.h>

#include "klint/source.h"
#include "print_util.h"

typedef struct json_state {
    size_t n_written; /* diagnostics written so far (for the separators) */
} json_state;

static int json_begin(kl_printer *p)
{
    kl_buf_puts(kl_print_scratch(p), "{\"version\": 1, \"diagnostics\": [");
    return kl_print_flush(p);
}

/* The clamped span of `s` in `src`: 0 <= start <= end <= len. */
static kl_span clamp(const kl_source *src, kl_span s)
{
    uint32_t start = s.start < src->len ? s.start : src->len;
    uint32_t end = s.end < src->len ? s.end : src->len;
    return kl_span_make(start, end > start ? end : start);
}

/* Append a string literal (its length known when compiling: no strlen on the hot path). */
#define PUT_LIT(b, lit) kl_buf_put((b), "" lit, sizeof(lit) - 1)

/* Write the decimal digits of `v` at `w` (printf costs more than the rest of a finding);
 * returns the byte after them. */
static char *write_u32(char *w, uint32_t v)
{
    char tmp[10];
    size_t n = 0;
    do {
        tmp[sizeof tmp - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    memcpy(w, tmp + sizeof tmp - n, n);
    return w + n;
}

static void put_u32(kl_buf *b, uint32_t v)
{
    if (kl_buf_reserve(b, 10)) {
        b->len = (size_t)(write_u32(b->ptr + b->len, v) - b->ptr);
        b->ptr[b->len] = '\0';
    }
}

/* Write the literal `lit` at `w`; the byte after it. */
#define WRITE_LIT(w, lit) ((char *)memcpy((w), "" lit, sizeof(lit) - 1) + sizeof(lit) - 1)

/*
 * "line": L, "column": C, "end_line": L, "end_column": C (code points), written straight
 * into the buffer. `near` is a position in `src` (the finding's start): a span on its line
 * after it is found from there, so the line is walked once per finding, not once per span.
 */
static void put_range(kl_buf *b, const kl_source *src, kl_span span, kl_pos near)
{
    span = clamp(src, span);
    kl_pos start = kl_source_pos_after(src, near, span.start);
    kl_pos end = kl_source_pos_after(src, start, span.end);
    enum { ROOM = 4 * 10 + 48 }; /* four numbers and the names */
    if (!kl_buf_reserve(b, ROOM))
        return;
    char *w = b->ptr + b->len;
    w = WRITE_LIT(w, "\"line\": ");
    w = write_u32(w, start.line);
    w = WRITE_LIT(w, ", \"column\": ");
    w = write_u32(w, start.column);
    w = WRITE_LIT(w, ", \"end_line\": ");
    w = write_u32(w, end.line);
    w = WRITE_LIT(w, ", \"end_column\": ");
    w = write_u32(w, end.column);
    b->len = (size_t)(w - b->ptr);
    b->ptr[b->len] = '\0';
}

static int json_diag(kl_printer *p, const kl_source *src, const kl_diag *d)
{
    json_state *st = p->state;
    kl_buf *b = kl_print_scratch(p);
    kl_pos near = kl_source_pos(src, clamp(src, d->span).start);

    kl_buf_puts(b, st->n_written > 0 ? ",\n{\"file\": " : "\n{\"file\": ");
    kl_print_json_cstr(b, src->name ? src->name : "");
    if (src->is_record) {
        PUT_LIT(b, ", \"record\": ");
        put_u32(b, src->first_line);
    } else
        PUT_LIT(b, ", \"record\": null");
    PUT_LIT(b, ", \"profile\": ");
    kl_print_json_cstr(b, d->profile);
    PUT_LIT(b, ", \"rule\": ");
    kl_print_json_cstr(b, d->rule ? d->rule : "");
    PUT_LIT(b, ", \"severity\": ");
    kl_print_json_cstr(b, kl_severity_name(d->severity));
    PUT_LIT(b, ", \"message\": ");
    kl_print_json_cstr(b, d->message ? d->message : "");
    PUT_LIT(b, ", \"path\": ");
    kl_print_json_cstr(b, d->path ? d->path : "$");
    PUT_LIT(b, ", ");
    put_range(b, src, d->span, near);

    PUT_LIT(b, ", \"related\": [");
    for (size_t i = 0; i < d->n_related; i++) {
        const kl_related *r = &d->related[i];
        kl_buf_puts(b, i > 0 ? ", {\"path\": " : "{\"path\": ");
        kl_print_json_cstr(b, r->path ? r->path : "$");
        PUT_LIT(b, ", ");
        put_range(b, src, r->span, near);
        PUT_LIT(b, ", \"message\": ");
        kl_print_json_cstr(b, r->message ? r->message : "");
        kl_buf_putc(b, '}');
    }

    PUT_LIT(b, "], \"fixes\": [");
    for (size_t i = 0; i < d->n_fixes; i++) {
        const kl_fix *f = &d->fixes[i];
        kl_buf_puts(b, i > 0 ? ", {\"description\": " : "{\"description\": ");
        kl_print_json_cstr(b, f->description ? f->description : "");
        PUT_LIT(b, ", \"edits\": [");
        for (size_t j = 0; j < f->n_edits; j++) {
            kl_buf_puts(b, j > 0 ? ", {" : "{");
            put_range(b, src, f->edits[j].span, near);
            PUT_LIT(b, ", \"text\": ");
            kl_print_json_cstr(b, f->edits[j].text ? f->edits[j].text : "");
            kl_buf_putc(b, '}');
        }
        kl_buf_puts(b, f->unsafe ? "], \"applicability\": \"unsafe\"}"
                                 : "], \"applicability\": \"safe\"}");
    }
    PUT_LIT(b, "]}");

    st->n_written++;
    return kl_print_flush(p);
}

static int json_end(kl_printer *p, const kl_summary *s)
{
    kl_buf_printf(kl_print_scratch(p),
                  "\n], \"summary\": {\"files\": %zu, \"errors\": %zu, \"warnings\": %zu, "
                  "\"infos\": %zu, \"records\": %zu}}\n",
                  s->files, s->errors, s->warnings, s->infos, s->records);
    return kl_print_flush(p);
}

const kl_printer_ops kl_print_json_ops = {
    .name = "json",
    .description = "one JSON document: diagnostics with positions, and a summary",
    .begin = json_begin,
    .diag = json_diag,
    .file = NULL,
    .end = json_end,
    .state_size = sizeof(json_state),
};
