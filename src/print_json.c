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

/* Append the decimal digits of `v` (the hot path: printf costs more than the rest). */
static void put_u32(kl_buf *b, uint32_t v)
{
    char tmp[10];
    size_t n = 0;
    do {
        tmp[sizeof tmp - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    kl_buf_put(b, tmp + sizeof tmp - n, n);
}

/* True when the bytes [start, end) of `src` are all ASCII and none is a '\n'. */
static bool ascii_one_line(const kl_source *src, uint32_t start, uint32_t end)
{
    const unsigned char *d = (const unsigned char *)src->data;
    for (uint32_t i = start; i < end; i++)
        if (d[i] >= 0x80 || d[i] == '\n')
            return false;
    return true;
}

/* "line": L, "column": C, "end_line": L, "end_column": C (code points). */
static void put_range(kl_buf *b, const kl_source *src, kl_span span)
{
    span = clamp(src, span);
    kl_pos start = kl_source_pos(src, span.start);
    kl_pos end;
    /* Most spans are a short ASCII token: the end is on the start's line, one column per byte
     * (a start inside a multi-byte sequence sees a byte >= 0x80 and takes the general path). */
    if (span.end - span.start <= 256 && ascii_one_line(src, span.start, span.end)) {
        end.line = start.line;
        end.column = start.column + (span.end - span.start);
    } else {
        end = kl_source_pos(src, span.end);
    }
    kl_buf_puts(b, "\"line\": ");
    put_u32(b, start.line);
    kl_buf_puts(b, ", \"column\": ");
    put_u32(b, start.column);
    kl_buf_puts(b, ", \"end_line\": ");
    put_u32(b, end.line);
    kl_buf_puts(b, ", \"end_column\": ");
    put_u32(b, end.column);
}

static int json_diag(kl_printer *p, const kl_source *src, const kl_diag *d)
{
    json_state *st = p->state;
    kl_buf *b = kl_print_scratch(p);

    kl_buf_puts(b, st->n_written > 0 ? ",\n{\"file\": " : "\n{\"file\": ");
    kl_print_json_cstr(b, src->name ? src->name : "");
    if (src->is_record) {
        kl_buf_puts(b, ", \"record\": ");
        put_u32(b, src->first_line);
    } else
        kl_buf_puts(b, ", \"record\": null");
    kl_buf_puts(b, ", \"profile\": ");
    kl_print_json_cstr(b, d->profile);
    kl_buf_puts(b, ", \"rule\": ");
    kl_print_json_cstr(b, d->rule ? d->rule : "");
    kl_buf_puts(b, ", \"severity\": ");
    kl_print_json_cstr(b, kl_severity_name(d->severity));
    kl_buf_puts(b, ", \"message\": ");
    kl_print_json_cstr(b, d->message ? d->message : "");
    kl_buf_puts(b, ", \"path\": ");
    kl_print_json_cstr(b, d->path ? d->path : "$");
    kl_buf_puts(b, ", ");
    put_range(b, src, d->span);

    kl_buf_puts(b, ", \"related\": [");
    for (size_t i = 0; i < d->n_related; i++) {
        const kl_related *r = &d->related[i];
        kl_buf_puts(b, i > 0 ? ", {\"path\": " : "{\"path\": ");
        kl_print_json_cstr(b, r->path ? r->path : "$");
        kl_buf_puts(b, ", ");
        put_range(b, src, r->span);
        kl_buf_puts(b, ", \"message\": ");
        kl_print_json_cstr(b, r->message ? r->message : "");
        kl_buf_putc(b, '}');
    }

    kl_buf_puts(b, "], \"fixes\": [");
    for (size_t i = 0; i < d->n_fixes; i++) {
        const kl_fix *f = &d->fixes[i];
        kl_buf_puts(b, i > 0 ? ", {\"description\": " : "{\"description\": ");
        kl_print_json_cstr(b, f->description ? f->description : "");
        kl_buf_puts(b, ", \"edits\": [");
        for (size_t j = 0; j < f->n_edits; j++) {
            kl_buf_puts(b, j > 0 ? ", {" : "{");
            put_range(b, src, f->edits[j].span);
            kl_buf_puts(b, ", \"text\": ");
            kl_print_json_cstr(b, f->edits[j].text ? f->edits[j].text : "");
            kl_buf_putc(b, '}');
        }
        kl_buf_puts(b, "]}");
    }
    kl_buf_puts(b, "]}");

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
