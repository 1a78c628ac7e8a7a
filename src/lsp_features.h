/*
 * The editor features of `klint lsp` beyond diagnostics: hover, completion
 * and code actions. Each turns (document, position) into the JSON `result`
 * of the LSP request; the server owns documents, transport and lifecycle.
 * These functions only read their inputs: safe to call with any document.
 */
#ifndef KL_LSP_FEATURES_H
#define KL_LSP_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "klint/diag.h"
#include "klint/rules.h"
#include "klint/source.h"
#include "lsp_proto.h"

/* The document is a kl_lsp_doc (lsp_proto.h): for a JSON Lines document the
 * server passes the record (line) the position is on as doc->src, with
 * doc->lines and doc->lines_base saying where its bytes sit in the document. */

/*
 * textDocument/hover at byte `offset`: append the `result` (a Hover object
 * with markdown contents and a range, or `null`) to `out`.
 * On a key: what the field is, its type, allowed values or range, default,
 * provider source. On a value: whether it is allowed and, if not, why.
 * @return KL_OK or KL_ENOMEM.
 */
int kl_lsp_hover(const kl_lsp_doc *doc, uint32_t offset, kl_buf *out);

/*
 * textDocument/completion at byte `offset`: append the `result` (a
 * CompletionList) to `out`: the field names valid in the object at the
 * cursor for the document's profile, in the provider's spelling, with a
 * snippet for the value (plain text, insertTextFormat 1, when
 * doc->no_snippets); inside a string value, that field's enum values.
 * @return KL_OK or KL_ENOMEM.
 */
int kl_lsp_completion(const kl_lsp_doc *doc, uint32_t offset, kl_buf *out);

/*
 * textDocument/codeAction for the byte range `range`: append the `result`
 * (an array of CodeAction) to `out`: one quick fix per fix of each
 * diagnostic in `diags` that overlaps `range`, with the edit as a
 * WorkspaceEdit on doc->uri. `diags` are the document's findings as
 * published (spans in doc->src; the i-th was published as the i-th), and
 * each quick fix carries its diagnostic exactly as published
 * (kl_lsp_put_diag); only a safe first fix is isPreferred. With `fix_all`
 * (NULL: none), a `source.fixAll.klint` action follows, applying the fixes
 * `klint --fix` takes in one round (safe ones only; for a JSON Lines
 * document, none that would put a line break into a record) to the
 * findings that lie wholly in the bytes *fix_all (the whole text, or one
 * record).
 * @return KL_OK or KL_ENOMEM.
 */
int kl_lsp_code_actions(const kl_lsp_doc *doc, const kl_diags *diags, kl_span range,
                        const kl_span *fix_all, kl_buf *out);

#endif
