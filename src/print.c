/*
 * The printer registry and the driver functions. A format is a
 * kl_printer_ops table; the driver finds it by name, allocates its state
 * and calls its hooks, so adding a format never touches this logic.
 */
#include "klint/print.h"

#include <stdlib.h>
#include <string.h>

#include "json_plain.h"
#include "print_util.h"
#include "utf8.h"

const kl_printer_ops *const kl_printer_formats[] = {
    &kl_print_text_ops,
    &kl_print_json_ops,
    &kl_print_short_ops,
    &kl_print_github_ops,
    &kl_print_sarif_ops,
    &kl_print_gitlab_ops,
    &kl_print_junit_ops,
    NULL,
};

static const kl_print_severity_names severity_names[] = {
    [KL_SEV_INFO] = {"info", "note", "notice", "info", "info"},
    [KL_SEV_WARNING] = {"warning", "warning", "warning", "minor", "warning"},
    [KL_SEV_ERROR] = {"error", "error", "error", "major", "error"},
};

const kl_print_severity_names *kl_print_severity(kl_severity sev)
{
    if (sev != KL_SEV_INFO && sev != KL_SEV_WARNING)
        sev = KL_SEV_ERROR;
    return &severity_names[sev];
}

/* The public printer plus what the driver keeps for the hooks. */
typedef struct printer_impl {
    kl_printer base; /* first, so a kl_printer * converts back */
    kl_buf scratch;
} printer_impl;

const kl_printer_ops *kl_printer_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; kl_printer_formats[i] != NULL; i++) {
        if (strcmp(kl_printer_formats[i]->name, name) == 0)
            return kl_printer_formats[i];
    }
    return NULL;
}

int kl_printer_new(kl_printer **out_printer, const char *name, FILE *out,
                   const kl_print_options *opts)
{
    *out_printer = NULL;
    const kl_printer_ops *ops = kl_printer_find(name);
    if (ops == NULL)
        return KL_EUSAGE;

    printer_impl *impl = calloc(1, sizeof(*impl));
    if (impl == NULL)
        return KL_ENOMEM;
    impl->scratch = (kl_buf)KL_BUF_INIT;
    kl_printer *p = &impl->base;
    p->ops = ops;
    p->out = out;
    if (opts != NULL)
        p->opts = *opts;
    if (ops->state_size > 0) {
        p->state = calloc(1, ops->state_size);
        if (p->state == NULL) {
            kl_printer_free(p);
            return KL_ENOMEM;
        }
    }
    if (ops->begin != NULL) {
        int rc = ops->begin(p);
        if (rc != KL_OK) {
            kl_printer_free(p);
            return rc;
        }
    }
    *out_printer = p;
    return KL_OK;
}

void kl_printer_set_rules(kl_printer *p, const struct kl_ruleset *rules)
{
    p->rules = rules;
}

int kl_printer_diag(kl_printer *p, const kl_source *src, const kl_diag *d)
{
    return p->ops->diag ? p->ops->diag(p, src, d) : KL_OK;
}

int kl_printer_file(kl_printer *p, const char *name, size_t n_diags)
{
    return p->ops->file ? p->ops->file(p, name, n_diags) : KL_OK;
}

int kl_printer_end(kl_printer *p, const kl_summary *summary)
{
    kl_summary none;
    if (summary == NULL) {
        memset(&none, 0, sizeof(none));
        summary = &none;
    }
    return p->ops->end ? p->ops->end(p, summary) : KL_OK;
}

void kl_printer_free(kl_printer *p)
{
    if (p == NULL)
        return;
    printer_impl *impl = (printer_impl *)p;
    if (p->ops->dispose != NULL && p->state != NULL)
        p->ops->dispose(p);
    kl_buf_dispose(&impl->scratch);
    free(p->state);
    free(impl);
}

const char *kl_print_display_path(const char *name)
{
    if (name == NULL || *name == '\0')
        return "-";
    while (name[0] == '.' && name[1] == '/' && name[2] != '\0')
        name += 2;
    return name;
}

void kl_print_range(const kl_source *src, kl_span span, kl_pos *start, kl_pos *end)
{
    uint32_t a = span.start < src->len ? span.start : src->len;
    uint32_t z = span.end < src->len ? span.end : src->len;
    *start = kl_source_pos(src, a);
    *end = kl_source_pos_after(src, *start, z > a ? z : a);
}

kl_buf *kl_print_scratch(kl_printer *p)
{
    return &((printer_impl *)p)->scratch;
}

int kl_print_flush(kl_printer *p)
{
    kl_buf *b = kl_print_scratch(p);
    int rc = KL_OK;
    if (kl_buf_failed(b))
        rc = KL_ENOMEM;
    else if (b->len > 0 && fwrite(b->ptr, 1, b->len, p->out) != b->len)
        rc = KL_EIO;
    kl_buf_clear(b);
    return rc;
}

/*
 * Write the escape of `c` ('"', '\\' or a control character) at `w`; returns the byte after
 * it. The same escapes as kl_buf_put_json_escaped: the short form where JSON has one, else
 * \u00XX in lowercase hex.
 */
static char *put_escape(char *w, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    static const char short_form[0x80] = {
        ['"'] = '"',  ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r',
        ['\t'] = 't', ['\b'] = 'b',  ['\f'] = 'f',
    };
    *w++ = '\\';
    if (c < 0x80 && short_form[c] != 0) {
        *w++ = short_form[c];
        return w;
    }
    memcpy(w, "u00", 3);
    w[3] = hex[c >> 4];
    w[4] = hex[c & 15];
    return w + 5;
}

/* Bytes of input written per reservation: room for the worst case (each byte a six-byte
 * \u00XX) is reserved a piece at a time, so a long string never needs six times its size. */
enum { JSON_PIECE = 4096 };

void kl_print_json_string(kl_buf *b, const char *s, size_t len)
{
    if (s == NULL) {
        kl_buf_put(b, "null", 4);
        return;
    }
    /* Written straight into the buffer: runs of plain bytes are copied whole; a byte that
     * stops a run is escaped, copied with its UTF-8 sequence when it starts a valid one, or
     * replaced by U+FFFD. */
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + len;
    do {
        const unsigned char *stop = (size_t)(end - p) > JSON_PIECE ? p + JSON_PIECE : end;
        /* + 3: a sequence that starts before `stop` may end after it; + 2: the quotes. */
        if (!kl_buf_reserve(b, 6 * (size_t)(stop - p) + 3 + 2))
            return;
        char *w = b->ptr + b->len;
        if (p == (const unsigned char *)s)
            *w++ = '"';
        while (p < stop) {
            const unsigned char *q = kl_json_skip_plain(p, stop);
            memcpy(w, p, (size_t)(q - p));
            w += q - p;
            p = q;
            if (p == stop)
                break;
            uint32_t cp;
            size_t n = *p >= 0x80 ? kl_utf8_decode(p, (size_t)(end - p), &cp) : 0;
            if (n > 0) {
                memcpy(w, p, n);
                w += n;
                p += n;
            } else if (*p >= 0x80) {
                memcpy(w, "\xEF\xBF\xBD", 3); /* U+FFFD */
                w += 3;
                p++;
            } else {
                w = put_escape(w, *p);
                p++;
            }
        }
        if (p == end)
            *w++ = '"';
        b->len = (size_t)(w - b->ptr);
        b->ptr[b->len] = '\0';
    } while (p < end);
}

void kl_print_json_cstr(kl_buf *b, const char *s)
{
    kl_print_json_string(b, s, s ? strlen(s) : 0);
}
