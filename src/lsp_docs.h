/*
 * The documents an LSP session has open: their text (kept in sync with the
 * editor's edits), the configuration that applies to each (the nearest
 * .klint.json, as for the command line), and their current findings,
 * turned into LSP Diagnostic objects. No transport here: lsp_server.c
 * reads messages and calls in.
 */
#ifndef KL_LSP_DOCS_H
#define KL_LSP_DOCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "klint/diag.h"
#include "klint/rules.h"
#include "klint/source.h"
#include "lsp_proto.h"

typedef struct kl_lsp_docs kl_lsp_docs;
typedef struct kl_lsp_lint_ctx kl_lsp_lint_ctx;
typedef struct kl_lsp_cfg kl_lsp_cfg;

/* One open document. Read-only outside lsp_docs.c. */
typedef struct kl_lsp_document {
    char *uri;
    char *path; /* the file a file: URI names, or NULL */
    bool jsonl; /* linted line by line */
    int64_t version;
    char *text; /* never NULL */
    size_t len;
    size_t cap;
    kl_source src; /* a view on `text`, rebuilt after every edit */
    /* When `text` holds a bare '\r' (one not before '\n'), which LSP counts
     * as a line end and kl_source does not: a copy of it with every bare
     * '\r' made '\n' (same offsets), and `lines` a view on that copy, for
     * positions. NULL and unused otherwise (kl_lsp_docs_lines). */
    char *lines_text;
    kl_source lines;
    bool config;     /* a configuration file (.klint.json): not linted as a request;
                      * its diagnostics are its problems as a configuration */
    kl_diags *diags; /* current findings, configuration applied; spans in `src` */
    kl_diags *spare; /* the next `diags`, while a JSON Lines document is re-linted in part */
    /* Edits since the last lint, as one window of changed bytes, so that
     * the next lint of a JSON Lines document re-checks only its lines. */
    bool stale;  /* everything must be linted again */
    bool edited; /* bytes [edit_start, edit_old_end) of the text last linted
                  * are now [edit_start, edit_new_end); the rest is as it was */
    uint32_t edit_start;
    uint32_t edit_old_end;
    uint32_t edit_new_end;
    kl_lsp_cfg *cfg;     /* configuration in effect, or NULL */
    char *rel;           /* `path` relative to the configuration's directory, or NULL */
    const char *profile; /* profile the configuration forces, or NULL: detect */
} kl_lsp_document;

/*
 * A store with the built-in rules ready. `log` (may be NULL) gets problems
 * in configuration and rule files. @return KL_OK, KL_ENOMEM or KL_EINTERNAL.
 */
int kl_lsp_docs_new(kl_lsp_docs **out, FILE *log);
void kl_lsp_docs_free(kl_lsp_docs *docs);

size_t kl_lsp_docs_count(const kl_lsp_docs *docs);
kl_lsp_document *kl_lsp_docs_at(kl_lsp_docs *docs, size_t i);
kl_lsp_document *kl_lsp_docs_find(kl_lsp_docs *docs, const char *uri, size_t uri_len);

/*
 * Open (or reopen) `uri` with `text`; `lang` (`lang_len` bytes) is the
 * languageId, may be NULL. A URI ending in .jsonl or .ndjson, or a
 * languageId jsonl, jsonlines or ndjson, makes a JSON Lines document; a
 * file: URI whose name is .klint.json a configuration file (its problems
 * are its diagnostics). The document is linted. @return KL_OK, KL_ENOMEM
 * or KL_ETOOBIG.
 */
int kl_lsp_docs_open(kl_lsp_docs *docs, const char *uri, size_t uri_len, const char *lang,
                     size_t lang_len, int64_t version, const char *text, size_t len,
                     kl_lsp_document **out);

/* Replace the bytes `span` of the text (clamped to it) with `text`. The
 * document is not linted: call kl_lsp_docs_lint after the last change. */
int kl_lsp_docs_edit(kl_lsp_document *doc, kl_span span, const char *text, size_t len);

/* Lint the document again (its diagnostics are replaced). After edits of a
 * JSON Lines document only the records on the lines they touched (and any
 * between them) are linted; the others' findings are kept, shifted.
 * @return KL_OK or KL_ENOMEM. */
int kl_lsp_docs_lint(kl_lsp_docs *docs, kl_lsp_document *doc);

/* Forget the document. */
void kl_lsp_docs_close(kl_lsp_docs *docs, kl_lsp_document *doc);

/* Drop every loaded configuration, find each document's again and lint
 * every document. @return KL_OK or KL_ENOMEM. */
int kl_lsp_docs_reload(kl_lsp_docs *docs);

/* True when `path` is a configuration or rule file some document uses
 * (or is named .klint.json): a change to it calls for kl_lsp_docs_reload. */
bool kl_lsp_docs_watches(const kl_lsp_docs *docs, const char *path);

/* Append the `diagnostics` array of the document's publishDiagnostics: its
 * findings, or for a configuration file its problems as a configuration
 * (those of the file as saved: the configuration in use is read from disk). */
void kl_lsp_docs_put_diagnostics(const kl_lsp_docs *docs, const kl_lsp_document *doc,
                                 kl_lsp_encoding enc, kl_buf *b);

/* The ruleset for the document (configuration applied). */
const kl_ruleset *kl_lsp_docs_rules(const kl_lsp_docs *docs, const kl_lsp_document *doc);

/* The source wire positions of the document are counted in: doc->src, or
 * doc->lines when the text holds a bare '\r'. Same bytes, same offsets. */
const kl_source *kl_lsp_docs_lines(const kl_lsp_document *doc);

/* Fill `view` for answers about the whole document (src, uri, ruleset,
 * profile, version, where positions are counted) in encoding `enc`;
 * no_snippets is false. */
void kl_lsp_docs_view(const kl_lsp_docs *docs, const kl_lsp_document *doc, kl_lsp_encoding enc,
                      kl_lsp_doc *view);

/*
 * For every configuration file loaded since the last call that has
 * problems and is not open as a document (an open one shows them as its
 * diagnostics): `fn` gets an LSP MessageType (1, Error, when the file is
 * not used: documents under it are linted with the defaults; 2, Warning,
 * when it is used) and a one-line message naming the file and its first
 * problem with line:column.
 */
typedef void (*kl_lsp_notice_fn)(void *ctx, int type, const char *message);
void kl_lsp_docs_config_notices(kl_lsp_docs *docs, kl_lsp_notice_fn fn, void *ctx);

/*
 * For a JSON Lines document: set up `rec` as the record on the line that
 * holds byte `offset` (a view, first_line set) and `*base` to the record's
 * first byte in the document. @return false when that line holds no record.
 */
bool kl_lsp_docs_record(const kl_lsp_document *doc, uint32_t offset, kl_source *rec,
                        uint32_t *base);

/*
 * The file path a file: URI names (percent-decoded), malloc'd; NULL when
 * `uri` is not a local file URI (or on ENOMEM).
 */
char *kl_lsp_uri_to_path(const char *uri, size_t len);

#endif
