/*
 * What the printer formats share: their ops tables (listed by the registry
 * in print.c), a per-printer scratch buffer, and string helpers.
 *
 * A hook appends its output to the scratch buffer and hands it to
 * kl_print_flush, which writes it to the printer's stream in one call.
 * The scratch buffer is owned by the printer (made by kl_printer_new and
 * released by kl_printer_free), so hooks must only be called on printers
 * made by kl_printer_new.
 */
#ifndef KL_PRINT_UTIL_H
#define KL_PRINT_UTIL_H

#include <stddef.h>

#include "buf.h"
#include "klint/print.h"
#include "klint/source.h"

/* The formats. Add one here, define it in print_<name>.c, list it in print.c. */
extern const kl_printer_ops kl_print_text_ops;
extern const kl_printer_ops kl_print_json_ops;
extern const kl_printer_ops kl_print_short_ops;
extern const kl_printer_ops kl_print_github_ops;
extern const kl_printer_ops kl_print_sarif_ops;
extern const kl_printer_ops kl_print_gitlab_ops;
extern const kl_printer_ops kl_print_junit_ops;

/* How each format names a severity: the one severity table of the code. */
typedef struct kl_print_severity_names {
    const char *text;   /* text, json, short: "error", "warning", "info" */
    const char *sarif;  /* result.level: "error", "warning", "note" */
    const char *github; /* workflow command: "error", "warning", "notice" */
    const char *gitlab; /* Code Quality severity: "major", "minor", "info" */
    const char *junit;  /* <failure type=...>: "error", "warning", "info" */
} kl_print_severity_names;

/* The names of `sev` in every format (an unknown value maps like error). */
const kl_print_severity_names *kl_print_severity(kl_severity sev);

/* `name` as CI reports show a path: without leading "./" segments ("-" for NULL or ""). */
const char *kl_print_display_path(const char *name);

/* The start and end positions of `span` in `src`, clamped to the source. */
void kl_print_range(const kl_source *src, kl_span span, kl_pos *start, kl_pos *end);

/* The printer's reusable scratch buffer; kept empty between hooks. */
kl_buf *kl_print_scratch(kl_printer *p);

/*
 * Write the scratch buffer to the printer's stream and empty it.
 * @return KL_OK; KL_ENOMEM when an append to the buffer failed (nothing is
 *         written); KL_EIO when the stream refused the bytes.
 */
int kl_print_flush(kl_printer *p);

/*
 * Append `len` bytes as a quoted JSON string. Bytes that are not valid
 * UTF-8 become U+FFFD, so the output is valid JSON and valid UTF-8 whatever
 * the input. NULL is written as null.
 */
void kl_print_json_string(kl_buf *b, const char *s, size_t len);

/* Same for a NUL-terminated string (NULL: null). */
void kl_print_json_cstr(kl_buf *b, const char *s);

#endif
