/*
 * The `short` format: one line per diagnostic, for editors' quickfix lists
 * and grep:
 *
 *   FILE:LINE:COLUMN: SEVERITY: MESSAGE [RULE]
 *
 * LINE and COLUMN are 1-based, the column in code points (as in `text`).
 * A line break or tab in the message becomes a space so that each
 * diagnostic stays on one line. Nothing is printed for a clean run.
 */
#include <inttypes.h>

#include "print_util.h"

static int short_diag(kl_printer *p, const kl_source *src, const kl_diag *d)
{
    kl_buf *b = kl_print_scratch(p);
    kl_pos start, end;
    kl_print_range(src, d->span, &start, &end);
    kl_buf_printf(b, "%s:%" PRIu32 ":%" PRIu32 ": %s: ", src->name ? src->name : "-",
                  start.line, start.column, kl_print_severity(d->severity)->text);
    for (const char *m = d->message ? d->message : ""; *m; m++)
        kl_buf_putc(b, (*m == '\n' || *m == '\r' || *m == '\t') ? ' ' : *m);
    kl_buf_printf(b, " [%s]\n", d->rule ? d->rule : "");
    return kl_print_flush(p);
}

const kl_printer_ops kl_print_short_ops = {
    .name = "short",
    .description = "one line per diagnostic: file:line:col: severity: message [rule]",
    .diag = short_diag,
};
