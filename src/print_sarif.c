/*
 * The `sarif` format: one SARIF 2.1.0 log with one run, as GitHub code
 * scanning reads it.
 *
 * Results are streamed as linting goes; the run's `tool` member, whose
 * rules come from the ruleset (kl_print_options.rules), is written by end,
 * after the results (member order is free in JSON). Every result has a
 * physical location: the file's name as a relative URI reference (forward
 * slashes, percent-encoded) and a region whose columns count UTF-16 code
 * units (`columnKind`), endColumn just past the span. The diagnostic's JSON
 * path is its logical location; related places and fixes are carried over
 * as relatedLocations and fixes (deletedRegion + insertedContent, and the
 * fix's applicability, safe or unsafe, in its property bag).
 */
#include <inttypes.h>
#include <string.h>

#include "print_util.h"
#include "rule_docs.h"
#include "rules.h"

typedef struct sarif_state {
    size_t n_written; /* results written so far (for the separators) */
} sarif_state;

static int sarif_begin(kl_printer *p)
{
    kl_buf_puts(kl_print_scratch(p),
                "{\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\", "
                "\"version\": \"2.1.0\", \"runs\": [{\"columnKind\": \"utf16CodeUnits\", "
                "\"results\": [");
    return kl_print_flush(p);
}

/* The file name as a URI reference: `\` becomes `/`, a leading "./" goes,
 * and every byte but unreserved characters and `/` is percent-encoded. */
static void put_uri(kl_buf *b, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    if (name == NULL || *name == '\0')
        name = "-";
    while (name[0] == '.' && (name[1] == '/' || name[1] == '\\') && name[2] != '\0')
        name += 2;
    kl_buf_putc(b, '"');
    for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
        unsigned char c = *s == '\\' ? '/' : *s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            kl_buf_putc(b, (char)c);
        } else {
            kl_buf_putc(b, '%');
            kl_buf_putc(b, hex[c >> 4]);
            kl_buf_putc(b, hex[c & 15]);
        }
    }
    kl_buf_putc(b, '"');
}

static void put_region(kl_buf *b, const kl_source *src, kl_span span)
{
    kl_pos start, end;
    kl_print_range(src, span, &start, &end);
    kl_buf_printf(b,
                  "{\"startLine\": %" PRIu32 ", \"startColumn\": %" PRIu32
                  ", \"endLine\": %" PRIu32 ", \"endColumn\": %" PRIu32 "}",
                  start.line, start.column_utf16, end.line, end.column_utf16);
}

static void put_physical(kl_buf *b, const kl_source *src, kl_span span)
{
    kl_buf_puts(b, "{\"artifactLocation\": {\"uri\": ");
    put_uri(b, src->name);
    kl_buf_puts(b, "}, \"region\": ");
    put_region(b, src, span);
    kl_buf_putc(b, '}');
}

static void put_text(kl_buf *b, const char *text)
{
    kl_buf_puts(b, "{\"text\": ");
    kl_print_json_cstr(b, text && *text ? text : "-");
    kl_buf_putc(b, '}');
}

static int sarif_diag(kl_printer *p, const kl_source *src, const kl_diag *d)
{
    sarif_state *st = p->state;
    kl_buf *b = kl_print_scratch(p);
    const char *path = d->path && *d->path ? d->path : "$";
    size_t plen = strlen(path);

    kl_buf_puts(b, st->n_written > 0 ? ",\n{\"ruleId\": " : "\n{\"ruleId\": ");
    kl_print_json_cstr(b, d->rule && *d->rule ? d->rule : "klint");
    kl_buf_printf(b, ", \"level\": \"%s\", \"message\": ", kl_print_severity(d->severity)->sarif);
    put_text(b, d->message);
    kl_buf_puts(b, ", \"locations\": [{\"physicalLocation\": ");
    put_physical(b, src, d->span);
    kl_buf_puts(b, ", \"logicalLocations\": [{\"fullyQualifiedName\": ");
    kl_print_json_cstr(b, path);
    kl_buf_printf(b, ", \"kind\": \"%s\"}]}]",
                  plen > 1 && path[plen - 1] == ']' ? "element" : "member");

    if (d->n_related > 0) {
        kl_buf_puts(b, ", \"relatedLocations\": [");
        for (size_t i = 0; i < d->n_related; i++) {
            const kl_related *r = &d->related[i];
            kl_buf_printf(b, "%s{\"id\": %zu, \"physicalLocation\": ", i > 0 ? ", " : "", i + 1);
            put_physical(b, src, r->span);
            kl_buf_puts(b, ", \"logicalLocations\": [{\"fullyQualifiedName\": ");
            kl_print_json_cstr(b, r->path && *r->path ? r->path : "$");
            kl_buf_puts(b, "}], \"message\": ");
            put_text(b, r->message);
            kl_buf_putc(b, '}');
        }
        kl_buf_putc(b, ']');
    }
    if (d->n_fixes > 0) {
        kl_buf_puts(b, ", \"fixes\": [");
        for (size_t i = 0; i < d->n_fixes; i++) {
            const kl_fix *f = &d->fixes[i];
            kl_buf_puts(b, i > 0 ? ", {\"description\": " : "{\"description\": ");
            put_text(b, f->description);
            kl_buf_puts(b, ", \"artifactChanges\": [{\"artifactLocation\": {\"uri\": ");
            put_uri(b, src->name);
            kl_buf_puts(b, "}, \"replacements\": [");
            for (size_t j = 0; j < f->n_edits; j++) {
                kl_buf_puts(b, j > 0 ? ", {\"deletedRegion\": " : "{\"deletedRegion\": ");
                put_region(b, src, f->edits[j].span);
                kl_buf_puts(b, ", \"insertedContent\": {\"text\": ");
                kl_print_json_cstr(b, f->edits[j].text ? f->edits[j].text : "");
                kl_buf_puts(b, "}}");
            }
            /* SARIF has no applicability; a property bag carries klint's (--unsafe-fixes). */
            kl_buf_puts(b, f->unsafe ? "]}], \"properties\": {\"applicability\": \"unsafe\"}}"
                                     : "]}], \"properties\": {\"applicability\": \"safe\"}}");
        }
        kl_buf_putc(b, ']');
    }
    kl_buf_putc(b, '}');
    st->n_written++;
    return kl_print_flush(p);
}

static void put_rules(kl_buf *b, const kl_ruleset *rs, const kl_rule_docs *urls)
{
    size_t n = rs ? kl_ruleset_rule_id_count(rs) : 0;
    for (size_t i = 0; i < n; i++) {
        const kl_rule_id *ri = kl_ruleset_rule_id_at(rs, i);
        const char *summary = ri->summary && *ri->summary ? ri->summary : ri->id;
        const char *full = ri->explain && *ri->explain ? ri->explain : summary;
        kl_buf_puts(b, i > 0 ? ",\n{\"id\": " : "\n{\"id\": ");
        kl_print_json_cstr(b, ri->id);
        kl_buf_puts(b, ", \"shortDescription\": ");
        put_text(b, summary);
        kl_buf_puts(b, ", \"fullDescription\": ");
        put_text(b, full);
        kl_buf_puts(b, ", \"help\": ");
        put_text(b, full);
        size_t ulen = 0;
        const char *url = kl_rule_docs_url(urls, ri->id, NULL, &ulen);
        if (url != NULL) {
            kl_buf_puts(b, ", \"helpUri\": ");
            kl_print_json_string(b, url, ulen);
        }
        kl_buf_putc(b, '}');
    }
}

static int sarif_end(kl_printer *p, const kl_summary *s)
{
    (void)s;
    kl_rule_docs *urls = NULL;
    if (p->rules != NULL && kl_rule_docs_new(&urls, p->rules) != KL_OK)
        return KL_ENOMEM;
    kl_buf *b = kl_print_scratch(p);
    kl_buf_puts(b, "\n], \"tool\": {\"driver\": {\"name\": \"klint\", \"version\": \"" KLINT_VERSION
                   "\", \"semanticVersion\": \"" KLINT_VERSION "\", \"rules\": [");
    put_rules(b, p->rules, urls);
    kl_rule_docs_free(urls);
    kl_buf_puts(b, "]}}}]}\n");
    return kl_print_flush(p);
}

const kl_printer_ops kl_print_sarif_ops = {
    .name = "sarif",
    .description = "SARIF 2.1.0 log (GitHub code scanning)",
    .begin = sarif_begin,
    .diag = sarif_diag,
    .end = sarif_end,
    .state_size = sizeof(sarif_state),
};
