/*
 * The `github` format: GitHub Actions workflow commands, one per
 * diagnostic, which the runner turns into annotations:
 *
 *   ::error file=F,line=L,col=C,endLine=L,endColumn=C,title=RULE::MESSAGE
 *
 * The command is error, warning or notice (kl_print_severity). Columns are
 * 1-based code points, endColumn just past the span. GitHub refuses `col`
 * and `endColumn` when `line` and `endLine` differ, so a span over several
 * lines gives `line` and `endLine` only. Escaping is the toolkit's: in the
 * message `%`, CR and LF become %25, %0D, %0A; in property values `:` and
 * `,` also become %3A and %2C. The run ends with one plain summary line
 * (not an annotation: GitHub shows at most 10 of each kind per step, so the
 * totals tell how many there were).
 */
#include <inttypes.h>

#include "print_util.h"

static void put_escaped(kl_buf *b, const char *s, bool property)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '%':
            kl_buf_puts(b, "%25");
            break;
        case '\r':
            kl_buf_puts(b, "%0D");
            break;
        case '\n':
            kl_buf_puts(b, "%0A");
            break;
        case ':':
            kl_buf_puts(b, property ? "%3A" : ":");
            break;
        case ',':
            kl_buf_puts(b, property ? "%2C" : ",");
            break;
        default:
            kl_buf_putc(b, *s);
            break;
        }
    }
}

static int github_diag(kl_printer *p, const kl_source *src, const kl_diag *d)
{
    kl_buf *b = kl_print_scratch(p);
    kl_pos start, end;
    kl_print_range(src, d->span, &start, &end);
    kl_buf_printf(b, "::%s file=", kl_print_severity(d->severity)->github);
    put_escaped(b, src->name ? src->name : "-", true);
    kl_buf_printf(b, ",line=%" PRIu32, start.line);
    if (start.line == end.line)
        kl_buf_printf(b, ",col=%" PRIu32, start.column);
    kl_buf_printf(b, ",endLine=%" PRIu32, end.line);
    if (start.line == end.line)
        kl_buf_printf(b, ",endColumn=%" PRIu32, end.column);
    kl_buf_puts(b, ",title=");
    put_escaped(b, d->rule ? d->rule : "klint", true);
    kl_buf_puts(b, "::");
    put_escaped(b, d->message ? d->message : "", false);
    kl_buf_putc(b, '\n');
    return kl_print_flush(p);
}

static int github_end(kl_printer *p, const kl_summary *s)
{
    kl_buf_printf(kl_print_scratch(p),
                  "klint: %zu error(s), %zu warning(s), %zu info(s) in %zu file(s)\n", s->errors,
                  s->warnings, s->infos, s->files);
    return kl_print_flush(p);
}

const kl_printer_ops kl_print_github_ops = {
    .name = "github",
    .description = "GitHub Actions workflow commands (annotations)",
    .diag = github_diag,
    .end = github_end,
};
