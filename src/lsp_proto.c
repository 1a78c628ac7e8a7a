/*
 * LSP wire helpers: positions in the negotiated encoding, JSON strings,
 * Diagnostic objects. Lines on the wire are 0-based and document-wide (a
 * JSON Lines record's source has first_line set, so its positions need no
 * translation here).
 */
#include "lsp_proto.h"

#include <string.h>

#include "rule_docs.h"
#include "utf8.h"

/* 1-based from 0-based without wrapping: UINT32_MAX stays "far past the end". */
static uint32_t one_based(uint32_t n)
{
    return n < UINT32_MAX ? n + 1 : UINT32_MAX;
}

uint32_t kl_lsp_offset(const kl_source *src, uint32_t line, uint32_t character, kl_lsp_encoding enc)
{
    /* kl_source_offset clamps to the line's end and rounds a column that
     * falls inside a character (a UTF-16 surrogate pair, a UTF-8 sequence)
     * down to that character's start. */
    return kl_source_offset(src, one_based(line), one_based(character), enc == KL_LSP_UTF16);
}

void kl_lsp_put_position(kl_buf *b, const kl_source *src, uint32_t offset, kl_lsp_encoding enc)
{
    kl_pos pos = kl_source_pos(src, offset);
    uint32_t column = enc == KL_LSP_UTF16 ? pos.column_utf16 : pos.column_byte;
    kl_buf_printf(b, "{\"line\":%u,\"character\":%u}", (unsigned)(pos.line - 1),
                  (unsigned)(column - 1));
}

void kl_lsp_put_range(kl_buf *b, const kl_source *src, kl_span span, kl_lsp_encoding enc)
{
    kl_buf_puts(b, "{\"start\":");
    kl_lsp_put_position(b, src, span.start, enc);
    kl_buf_puts(b, ",\"end\":");
    kl_lsp_put_position(b, src, span.end < span.start ? span.start : span.end, enc);
    kl_buf_putc(b, '}');
}

void kl_lsp_doc_put_range(kl_buf *b, const kl_lsp_doc *doc, kl_span span)
{
    if (doc->lines == NULL) {
        kl_lsp_put_range(b, doc->src, span, doc->enc);
        return;
    }
    kl_span shifted = kl_span_make(span.start + doc->lines_base, span.end + doc->lines_base);
    kl_lsp_put_range(b, doc->lines, shifted, doc->enc);
}

static int lsp_severity(kl_severity sev)
{
    switch (sev) {
    case KL_SEV_ERROR:
        return 1;
    case KL_SEV_WARNING:
        return 2;
    case KL_SEV_INFO:
        return 3;
    }
    return 1;
}

void kl_lsp_put_diag(kl_buf *b, const kl_lsp_doc *doc, const kl_diag *d, size_t index)
{
    kl_buf_puts(b, "{\"range\":");
    kl_lsp_doc_put_range(b, doc, d->span);
    kl_buf_printf(b, ",\"severity\":%d,\"code\":", lsp_severity(d->severity));
    kl_lsp_put_cstr(b, d->rule);
    size_t url_len;
    const char *url = kl_rule_docs_url(doc->rule_docs, d->rule, d->profile, &url_len);
    if (url != NULL) {
        kl_buf_puts(b, ",\"codeDescription\":{\"href\":");
        kl_lsp_put_string(b, url, url_len);
        kl_buf_putc(b, '}');
    }
    kl_buf_puts(b, ",\"source\":\"klint\",\"message\":");
    kl_lsp_put_cstr(b, d->message ? d->message : d->rule);
    if (d->n_related > 0) {
        kl_buf_puts(b, ",\"relatedInformation\":[");
        for (size_t i = 0; i < d->n_related; i++) {
            const kl_related *r = &d->related[i];
            kl_buf_puts(b, i ? ",{\"location\":{\"uri\":" : "{\"location\":{\"uri\":");
            kl_lsp_put_cstr(b, doc->uri);
            kl_buf_puts(b, ",\"range\":");
            kl_lsp_doc_put_range(b, doc, r->span);
            kl_buf_puts(b, "},\"message\":");
            kl_lsp_put_cstr(b, r->message ? r->message : r->path ? r->path : "related place");
            kl_buf_putc(b, '}');
        }
        kl_buf_putc(b, ']');
    }
    /* Diagnostic.data comes back in codeAction requests: enough to find
     * the finding and its fixes in the same version of the document. */
    kl_buf_printf(b, ",\"data\":{\"index\":%zu,\"version\":%lld,\"fixes\":%zu,\"path\":", index,
                  (long long)doc->version, d->n_fixes);
    kl_lsp_put_cstr(b, d->path ? d->path : "$");
    if (d->profile != NULL) {
        kl_buf_puts(b, ",\"profile\":");
        kl_lsp_put_cstr(b, d->profile);
    }
    kl_buf_puts(b, "}}");
}

/*
 * The wire must carry valid UTF-8 (clients decode the body strictly), but
 * messages can quote bytes of a broken document: every byte that starts no
 * valid sequence becomes U+FFFD.
 */
void kl_lsp_put_string(kl_buf *b, const char *s, size_t len)
{
    kl_buf_putc(b, '"');
    size_t i = 0;
    while (i < len) {
        size_t n = kl_utf8_valid_len(s + i, len - i);
        kl_buf_put_json_escaped(b, s + i, n);
        i += n;
        if (i < len) {
            kl_buf_puts(b, "\\ufffd"); /* a byte that starts no valid sequence */
            i++;
        }
    }
    kl_buf_putc(b, '"');
}

void kl_lsp_put_cstr(kl_buf *b, const char *s)
{
    if (s == NULL) {
        kl_buf_puts(b, "null");
        return;
    }
    kl_lsp_put_string(b, s, strlen(s));
}
