/*
 * LSP wire helpers shared by the server and its features: positions in the
 * negotiated encoding, and JSON output. Positions on the wire are 0-based
 * lines and characters counted in UTF-16 code units or in bytes (utf-8).
 */
#ifndef KL_LSP_PROTO_H
#define KL_LSP_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "klint/common.h"
#include "klint/diag.h"
#include "klint/rules.h"
#include "klint/source.h"
#include "rule_docs.h"

/* The negotiated position encoding. */
typedef enum kl_lsp_encoding { KL_LSP_UTF16 = 0, KL_LSP_UTF8 = 1 } kl_lsp_encoding;

/*
 * One open document as answers are written for it: the server fills it in
 * (kl_lsp_docs_view), lsp_features.c and kl_lsp_put_diag read it. For a
 * JSON Lines document `src` may be the record (line) a request is about, as
 * a kl_source whose first_line is that line; its spans are then
 * record-relative.
 */
typedef struct kl_lsp_doc {
    const char *uri;
    const kl_source *src;          /* the text: the document, or the record holding the position */
    const kl_ruleset *rules;       /* the ruleset for this document (config applied) */
    const kl_rule_docs *rule_docs; /* its rules' documentation addresses; NULL: none */
    const char *profile;           /* profile forced by configuration, or NULL to detect */
    kl_lsp_encoding enc;
    /* The client cannot take snippets (completionItem.snippetSupport is not
     * true): completions insert plain text. Zero (false) offers snippets. */
    bool no_snippets;
    bool jsonl;      /* a JSON Lines document: every record stays one line */
    int64_t version; /* the document's version, carried in Diagnostic.data */
    /*
     * Where wire positions are counted, when not in `src` itself: offset o
     * of `src` is offset lines_base + o of `lines`, a source over the whole
     * document's bytes whose lines end where LSP lines end (LSP also ends a
     * line at a bare '\r', kl_source only at '\n'). NULL: `src`.
     */
    const kl_source *lines;
    uint32_t lines_base;
} kl_lsp_doc;

/* The byte offset of a wire position (0-based line and character), clamped
 * to the line's end and to the source's end. */
uint32_t kl_lsp_offset(const kl_source *src, uint32_t line, uint32_t character,
                       kl_lsp_encoding enc);

/* Append {"line":L,"character":C} for byte `offset`. */
void kl_lsp_put_position(kl_buf *b, const kl_source *src, uint32_t offset, kl_lsp_encoding enc);

/* Append {"start":…,"end":…} for `span`. */
void kl_lsp_put_range(kl_buf *b, const kl_source *src, kl_span span, kl_lsp_encoding enc);

/* Append the Range of `span` (bytes of doc->src), counted where doc says
 * positions are counted, in doc->enc. */
void kl_lsp_doc_put_range(kl_buf *b, const kl_lsp_doc *doc, kl_span span);

/*
 * Append the LSP Diagnostic object for finding `d` of `doc` (spans in
 * doc->src), published as the `index`-th of the document's list: range,
 * severity, the rule id as `code` (with codeDescription.href when the rule
 * has a documentation address in doc->rule_docs), source "klint", message,
 * relatedInformation, and `data` {index, version, fixes, path, profile}.
 * The one writer of Diagnostics: publishDiagnostics and the diagnostics a
 * code action carries are the same objects, as clients compare them.
 */
void kl_lsp_put_diag(kl_buf *b, const kl_lsp_doc *doc, const kl_diag *d, size_t index);

/* Append a JSON string, quotes included (escaping as JSON requires; bytes
 * that are not valid UTF-8 become U+FFFD). kl_lsp_put_cstr(b, NULL) appends
 * `null`. */
void kl_lsp_put_string(kl_buf *b, const char *s, size_t len);
void kl_lsp_put_cstr(kl_buf *b, const char *s);

#endif
