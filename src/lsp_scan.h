/*
 * A tolerant look at JSON text that may be unfinished or broken, as it is
 * while someone types: where an offset sits (a member name, a value, the
 * path of names and items down to it), the names in the object around it,
 * and a best-effort repair into valid JSON (for profile detection).
 *
 * Nothing here fails on any input. Strings are scanned as JSON scans them
 * (escapes skipped), except that a string missing its closing quote ends
 * at the end of its line, since JSON strings cannot span lines.
 */
#ifndef KL_LSP_SCAN_H
#define KL_LSP_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "klint/common.h"

/* Paths deeper than this are beyond any rule file: reported as too deep. */
enum { KL_LSP_SCAN_MAX_DEPTH = 32 };

typedef enum kl_lsp_scan_place {
    KL_LSP_SCAN_NONE,  /* neither a name nor a value goes here (after a name, after an item) */
    KL_LSP_SCAN_KEY,   /* a member name goes here, or is being typed here */
    KL_LSP_SCAN_VALUE, /* a value goes here, or is being typed here */
} kl_lsp_scan_place;

/* One step of a path: a member name (its token, quotes included) or an array item.
 * A step that cannot be named (a container where no value belongs) has `bad` set. */
typedef struct kl_lsp_scan_step {
    kl_span key;
    bool item;
    bool bad;
} kl_lsp_scan_step;

typedef struct kl_lsp_scan_at {
    kl_lsp_scan_place place;
    /* From the root down to the object holding the name (KEY) or to the value (VALUE). */
    kl_lsp_scan_step path[KL_LSP_SCAN_MAX_DEPTH];
    uint32_t depth;
    bool too_deep;
    uint32_t container; /* offset of the innermost '{' or '['; UINT32_MAX at the top level */
    bool in_string;     /* the offset is inside a string token (past its opening quote) */
    bool closed;        /* ... and that string has its closing quote */
    kl_span token;      /* that string (quotes included) or bare word; empty at the offset
                         * when the offset is on neither */
    bool has_colon;     /* KEY: a ':' follows the token, so the member is there already */
    uint32_t cursor;    /* the offset asked about */
} kl_lsp_scan_at;

/*
 * Where `offset` sits in s[0..len). With `on_char` the offset names the
 * character there (a hover); without, the gap before it (a cursor): a cursor
 * just past a word or inside an unclosed string is still in it.
 */
void kl_lsp_scan_locate(const char *s, uint32_t len, uint32_t offset, bool on_char,
                        kl_lsp_scan_at *at);

/* Call fn for every member name token (quotes included) followed by ':' directly in the
 * object whose '{' is at `open`. */
typedef void (*kl_lsp_scan_key_fn)(void *ctx, kl_span key);
void kl_lsp_scan_object_keys(const char *s, uint32_t len, uint32_t open, kl_lsp_scan_key_fn fn,
                             void *ctx);

/* Append the decoded text of string token s[token) (with or without its closing quote). */
void kl_lsp_scan_decode(const char *s, kl_span token, kl_buf *out);

/*
 * Append to `out` a JSON text holding what s[0..len) has that is well formed:
 * members and items that do not parse are dropped, unclosed containers are
 * closed. Whitespace is not kept. Empty when no value starts the text.
 */
void kl_lsp_scan_repair(const char *s, uint32_t len, kl_buf *out);

#endif
