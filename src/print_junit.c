/*
 * The `junit` format: JUnit XML as CI servers read test reports (Jenkins'
 * junit.xsd shape, which GitLab, Azure and others accept):
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <testsuites name="klint" tests="FILES" failures="FAILED FILES" errors="0">
 *     <testsuite name="PATH" tests="1" failures="0|1" errors="0">
 *       <testcase name="PATH" classname="PATH WITHOUT EXTENSION" file="PATH">
 *         <failure type="SEVERITY" message="MESSAGE"
 *           >line L, col C: MESSAGE [RULE] at JSONPATH</failure>
 *       </testcase>
 *     </testsuite>
 *   </testsuites>
 *
 * One test suite and one test case per input file (a JSON Lines file is one
 * file), one <failure> per finding, whatever its severity (the type
 * attribute says which, from the one severity table). A clean file is a
 * passing test case, so a clean run is still a valid report. `failures`
 * counts failed test cases, as junit.xsd defines it, not findings. L and C
 * are 1-based, C in code points; a finding in a JSON Lines record gives its
 * line in the file. PATH is the file's name as given without a leading
 * "./" (GitLab links `file` to the repository; Jenkins splits class names
 * at dots); the class name is PATH without its extension.
 *
 * The totals come first in the document, so the suites are kept in memory
 * and written by end. Text is escaped for XML 1.0: & < > as entities, and
 * " too inside attributes (which are quoted with ", so ' never needs it);
 * tab, LF and CR as character references inside attributes (which would
 * otherwise turn them into spaces), and CR in text; the characters XML 1.0
 * forbids (the other C0 controls, U+FFFE, U+FFFF) and bytes that are not
 * valid UTF-8 become U+FFFD. No CDATA is used, so `]]>` needs nothing
 * special: its `>` is escaped like any other.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "print_util.h"
#include "utf8.h"

typedef struct junit_state {
    kl_buf suites;       /* the finished <testsuite> elements */
    kl_buf failures;     /* the <failure> elements of the file being printed */
    size_t n_failures;   /* elements in `failures` */
    kl_buf pending_name; /* name of the last diagnostic's source */
    size_t tests;        /* test cases (files) */
    size_t failed;       /* test cases with a failure */
} junit_state;

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* Append s[0..len) escaped for XML 1.0 text (`attr` false) or a quoted attribute value. */
static void put_xml_n(kl_buf *b, const char *s, size_t len, bool attr)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t n = kl_utf8_decode(u + i, len - i, &cp);
            if (n == 0 || cp == 0xFFFE || cp == 0xFFFF) {
                kl_buf_puts(b, REPLACEMENT);
                i += n ? n : 1;
            } else {
                kl_buf_put(b, (const char *)u + i, n);
                i += n;
            }
            continue;
        }
        switch (c) {
        case '&':
            kl_buf_puts(b, "&amp;");
            break;
        case '<':
            kl_buf_puts(b, "&lt;");
            break;
        case '>':
            kl_buf_puts(b, "&gt;");
            break;
        case '"':
            kl_buf_puts(b, attr ? "&quot;" : "\"");
            break;
        case '\t':
            kl_buf_puts(b, attr ? "&#9;" : "\t");
            break;
        case '\n':
            kl_buf_puts(b, attr ? "&#10;" : "\n");
            break;
        case '\r':
            kl_buf_puts(b, "&#13;");
            break;
        default:
            if (c < 0x20)
                kl_buf_puts(b, REPLACEMENT);
            else
                kl_buf_putc(b, (char)c);
            break;
        }
        i++;
    }
}

static void put_xml(kl_buf *b, const char *s, bool attr)
{
    put_xml_n(b, s ? s : "", s ? strlen(s) : 0, attr);
}

static int close_suite(junit_state *st, const char *name);

/* True when the failures gathered so far are for the source named `name`. */
static bool pending_is(const junit_state *st, const char *name)
{
    return st->pending_name.len > 0 && !kl_buf_failed(&st->pending_name) &&
           strcmp(st->pending_name.ptr, name) == 0;
}

/* Close the suite of failures no file hook claimed, under their source's name. */
static int close_pending(junit_state *st)
{
    kl_buf name = st->pending_name;
    st->pending_name = (kl_buf)KL_BUF_INIT;
    int rc = close_suite(st, kl_print_display_path(name.ptr));
    rc = kl_buf_failed(&name) ? KL_ENOMEM : rc;
    kl_buf_dispose(&name);
    return rc;
}

static int junit_diag(kl_printer *p, const kl_source *src, const kl_diag *d)
{
    junit_state *st = p->state;
    const char *name = src->name && *src->name ? src->name : "-";
    if (!pending_is(st, name)) {
        /* Another file without a file hook for the last one: that one is done. */
        if (st->n_failures > 0 && close_pending(st) != KL_OK)
            return KL_ENOMEM;
        kl_buf_clear(&st->pending_name);
        kl_buf_puts(&st->pending_name, name);
    }
    kl_pos start, end;
    kl_print_range(src, d->span, &start, &end);
    const char *message = d->message ? d->message : "";
    kl_buf *b = &st->failures;
    kl_buf_printf(b, "      <failure type=\"%s\" message=\"",
                  kl_print_severity(d->severity)->junit);
    put_xml(b, message, true);
    kl_buf_printf(b, "\">line %" PRIu32 ", col %" PRIu32 ": ", start.line, start.column);
    put_xml(b, message, false);
    kl_buf_puts(b, " [");
    put_xml(b, d->rule && *d->rule ? d->rule : "klint", false);
    kl_buf_puts(b, "] at ");
    put_xml(b, d->path && *d->path ? d->path : "$", false);
    kl_buf_puts(b, "</failure>\n");
    st->n_failures++;
    return kl_buf_failed(b) || kl_buf_failed(&st->pending_name) ? KL_ENOMEM : KL_OK;
}

/* Close the test suite of file `name` (a display path) with the failures gathered for it.
 * `name` must not point into st->pending_name, which is cleared. */
static int close_suite(junit_state *st, const char *name)
{
    kl_buf *b = &st->suites;
    bool failed = st->n_failures > 0;
    kl_buf_puts(b, "  <testsuite name=\"");
    put_xml(b, name, true);
    kl_buf_printf(b, "\" tests=\"1\" failures=\"%d\" errors=\"0\">\n", failed ? 1 : 0);
    kl_buf_puts(b, "    <testcase name=\"");
    put_xml(b, name, true);
    kl_buf_puts(b, "\" classname=\"");
    /* The class is the path without its extension (a '.' after the last '/'). */
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash + 1 : name, '.');
    bool has_ext = dot != NULL && dot != (slash ? slash + 1 : name);
    put_xml_n(b, name, has_ext ? (size_t)(dot - name) : strlen(name), true);
    kl_buf_puts(b, "\" file=\"");
    put_xml(b, name, true);
    if (failed) {
        kl_buf_puts(b, "\">\n");
        kl_buf_put(b, st->failures.ptr, st->failures.len);
        kl_buf_puts(b, "    </testcase>\n");
    } else {
        kl_buf_puts(b, "\"/>\n");
    }
    kl_buf_puts(b, "  </testsuite>\n");
    st->tests++;
    st->failed += failed;
    bool oom = kl_buf_failed(b) || kl_buf_failed(&st->failures);
    kl_buf_clear(&st->failures);
    kl_buf_clear(&st->pending_name);
    st->n_failures = 0;
    return oom ? KL_ENOMEM : KL_OK;
}

static int junit_file(kl_printer *p, const char *name, size_t n_diags)
{
    (void)n_diags; /* the failures gathered are what counts */
    junit_state *st = p->state;
    name = name && *name ? name : "-";
    if (st->n_failures > 0 && !pending_is(st, name) && close_pending(st) != KL_OK)
        return KL_ENOMEM;
    return close_suite(st, kl_print_display_path(name));
}

static int junit_end(kl_printer *p, const kl_summary *s)
{
    (void)s;
    junit_state *st = p->state;
    int rc = KL_OK;
    /* Findings no file hook claimed (a run cut short) still get their suite. */
    if (st->n_failures > 0)
        rc = close_pending(st);
    if (rc != KL_OK || kl_buf_failed(&st->suites))
        return KL_ENOMEM;
    kl_buf *b = kl_print_scratch(p);
    kl_buf_printf(b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<testsuites name=\"klint\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
                  st->tests, st->failed);
    rc = kl_print_flush(p);
    if (rc == KL_OK && st->suites.len > 0 &&
        fwrite(st->suites.ptr, 1, st->suites.len, p->out) != st->suites.len)
        rc = KL_EIO;
    if (rc == KL_OK) {
        kl_buf_puts(b, "</testsuites>\n");
        rc = kl_print_flush(p);
    }
    return rc;
}

static void junit_dispose(kl_printer *p)
{
    junit_state *st = p->state;
    kl_buf_dispose(&st->suites);
    kl_buf_dispose(&st->failures);
    kl_buf_dispose(&st->pending_name);
}

const kl_printer_ops kl_print_junit_ops = {
    .name = "junit",
    .description = "JUnit XML: a test case per file, a failure per finding",
    .begin = NULL,
    .diag = junit_diag,
    .file = junit_file,
    .end = junit_end,
    .state_size = sizeof(junit_state),
    .dispose = junit_dispose,
};
