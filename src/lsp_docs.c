/*
 * Open documents, their configuration and their findings (see lsp_docs.h).
 *
 * Linting goes through kl_linter_lint_as, the call the command line uses,
 * with the nearest .klint.json applied the same way (profile mapping,
 * select/ignore, severity overrides, extra rule files). Configurations are
 * loaded once and shared by every document under them until a reload. A
 * configuration with errors is not used (its documents get the defaults);
 * its problems are kept for the editor, as the diagnostics of the file
 * when it is open, else as a message the server shows.
 */
#include "lsp_docs.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jsonl.h"
#include "klint/json.h"
#include "klint/lint.h"
#include "klint/print.h"
#include "rule_docs.h"
#include "utf8.h"

/* What linting needs: a finished ruleset, a linter on it, its rules' doc addresses. */
struct kl_lsp_lint_ctx {
    kl_ruleset *rules;
    kl_linter *linter;
    kl_rule_docs *urls;
};

/* One loaded .klint.json. */
struct kl_lsp_cfg {
    char *path;
    kl_config *cfg;       /* NULL when the file cannot be used (see `problems`) */
    kl_lsp_lint_ctx *ctx; /* own rules when the file adds rule files; NULL: the built-in */
    kl_source *src;       /* the file as read, or NULL when it could not be read */
    kl_diags *problems;   /* what is wrong with it, spans in `src` (sorted) */
    bool missing;         /* there is no such file (yet) */
    bool noticed;         /* seen by kl_lsp_docs_config_notices */
};

struct kl_lsp_docs {
    FILE *log;
    kl_lsp_lint_ctx base;
    kl_lsp_document **docs;
    size_t n_docs;
    size_t cap_docs;
    kl_lsp_cfg **cfgs;
    size_t n_cfgs;
    size_t cap_cfgs;
    kl_diags *scratch;
};

/* ---- Linting contexts ---------------------------------------------------- */

static void ctx_dispose(kl_lsp_lint_ctx *c)
{
    kl_linter_free(c->linter);
    kl_rule_docs_free(c->urls);
    kl_ruleset_free(c->rules);
    memset(c, 0, sizeof(*c));
}

/* Take ownership of finished `rules` and make the linter. */
static int ctx_init(kl_lsp_lint_ctx *c, kl_ruleset *rules)
{
    memset(c, 0, sizeof(*c));
    c->rules = rules;
    kl_lint_options opts = {0};
    opts.rules = rules;
    int rc = kl_linter_new(&c->linter, &opts);
    if (rc == KL_OK)
        rc = kl_rule_docs_new(&c->urls, rules);
    if (rc != KL_OK)
        ctx_dispose(c);
    return rc;
}

/* ---- Logging ------------------------------------------------------------ */

static void log_problems(void *ctx, const kl_source *src, const kl_diags *diags)
{
    FILE *log = ctx;
    if (log == NULL)
        return;
    kl_printer *p;
    kl_print_options opts = {false};
    if (kl_printer_new(&p, "text", log, &opts) != KL_OK)
        return;
    for (size_t i = 0; i < kl_diags_count(diags); i++)
        kl_printer_diag(p, src, kl_diags_at(diags, i));
    kl_printer_free(p);
    fflush(log);
}

/* ---- Configuration ------------------------------------------------------ */

static void cfg_free(kl_lsp_cfg *c)
{
    if (c == NULL)
        return;
    if (c->ctx != NULL) {
        ctx_dispose(c->ctx);
        free(c->ctx);
    }
    kl_config_free(c->cfg);
    kl_diags_free(c->problems);
    kl_source_free(c->src);
    free(c->path);
    free(c);
}

/*
 * Where a problem about rule file `file` is shown in the configuration: the
 * item of its `rules` list naming it (items are relative to the
 * configuration's directory, `file` is resolved: the item is its tail),
 * else the `rules` key, else the first byte.
 */
static kl_span rule_file_span(const kl_source *src, const char *file)
{
    kl_span at = kl_span_make(0, 0);
    kl_doc *doc = NULL;
    kl_diags *scratch = NULL;
    if (src == NULL || kl_diags_new(&scratch) != KL_OK ||
        kl_json_load(&doc, src, NULL, scratch) != KL_OK) {
        kl_diags_free(scratch);
        return at;
    }
    const kl_node *rules = kl_node_getz(kl_doc_root(doc), "rules");
    if (rules != NULL)
        at = rules->key_span;
    size_t n = strlen(file);
    for (uint32_t i = 0; rules && rules->kind == KL_JSON_ARRAY && i < rules->len; i++) {
        const kl_node *item = &rules->u.children[i];
        if (item->kind == KL_JSON_STRING && item->len <= n &&
            memcmp(file + n - item->len, item->u.str, item->len) == 0 &&
            (item->len == n || file[n - item->len - 1] == '/')) {
            at = item->span;
            break;
        }
    }
    kl_doc_free(doc);
    kl_diags_free(scratch);
    return at;
}

/* Loading the rule files a configuration adds: their problems are logged
 * and summed up as problems of the configuration (one per file). */
typedef struct rule_report {
    kl_lsp_docs *docs;
    kl_lsp_cfg *cfg;
    int rc;
} rule_report;

static void report_rule_file(void *ctx, const kl_source *src, const kl_diags *diags)
{
    rule_report *r = ctx;
    log_problems(r->docs->log, src, diags);
    size_t n = kl_diags_count(diags);
    if (n == 0 || r->rc != KL_OK)
        return;
    const kl_diag *first = kl_diags_at(diags, 0);
    kl_severity worst = KL_SEV_INFO; /* larger is more severe */
    for (size_t i = 0; i < n; i++)
        if (kl_diags_at(diags, i)->severity > worst)
            worst = kl_diags_at(diags, i)->severity;
    kl_pos pos = kl_source_pos(src, first->span.start);
    char more[64] = "";
    if (n > 1)
        snprintf(more, sizeof(more), " (and %zu more)", n - 1);
    r->rc = kl_diags_addf(
        r->cfg->problems, KL_RULE_CONFIG_INVALID, worst, rule_file_span(r->cfg->src, src->name),
        "$.rules", "rule file `%s` has problems: %u:%u: %s%s", src->name, (unsigned)pos.line,
        (unsigned)pos.column, first->message ? first->message : first->rule, more);
}

/* The ruleset a configuration with rule files lints with: built-in plus
 * those. @return KL_OK, KL_EUSAGE (problems added to c->problems) or KL_ENOMEM. */
static int cfg_rules(kl_lsp_docs *docs, kl_lsp_cfg *c)
{
    kl_ruleset *rs;
    int rc = kl_ruleset_new(&rs);
    if (rc != KL_OK)
        return rc;
    rc = kl_ruleset_add_builtin(rs);
    for (size_t i = 0; rc == KL_OK && i < kl_config_rule_file_count(c->cfg); i++) {
        const char *file = kl_config_rule_file(c->cfg, i);
        rc = kl_ruleset_add_path(rs, file);
        if (rc == KL_EIO) {
            const char *why = strerror(errno);
            if (docs->log != NULL)
                fprintf(docs->log, "klint lsp: %s: cannot read rule file '%s': %s\n", c->path, file,
                        why);
            rc = kl_diags_addf(c->problems, KL_RULE_CONFIG_INVALID, KL_SEV_ERROR,
                               rule_file_span(c->src, file), "$.rules",
                               "cannot read rule file `%s`: %s", file, why);
            if (rc == KL_OK)
                rc = KL_EUSAGE;
        }
    }
    rule_report report = {docs, c, KL_OK};
    if (rc == KL_OK) {
        rc = kl_ruleset_finish(rs, report_rule_file, &report);
        if (report.rc != KL_OK)
            rc = report.rc;
        else if (rc != KL_OK && rc != KL_ENOMEM)
            rc = KL_EUSAGE;
    }
    if (rc != KL_OK) {
        kl_ruleset_free(rs);
        return rc;
    }
    c->ctx = malloc(sizeof(*c->ctx));
    if (c->ctx == NULL) {
        kl_ruleset_free(rs);
        return KL_ENOMEM;
    }
    rc = ctx_init(c->ctx, rs);
    if (rc != KL_OK) {
        free(c->ctx);
        c->ctx = NULL;
    }
    return rc;
}

/*
 * Load the configuration at `path`. A file with problems is remembered as
 * unusable (cfg NULL) so that it is not read again for every document;
 * documents under it get the defaults. Its problems are logged and kept
 * (with the text they point into) for the editor: as the diagnostics of
 * the file when it is open, else in a message (kl_lsp_docs_config_notices).
 * @return NULL only when memory ran out.
 */
static kl_lsp_cfg *cfg_load(kl_lsp_docs *docs, const char *path)
{
    kl_lsp_cfg *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->path = strdup(path)) == NULL || kl_diags_new(&c->problems) != KL_OK) {
        cfg_free(c);
        return NULL;
    }
    errno = 0;
    int rc = kl_config_load(&c->cfg, path, &c->src, c->problems);
    if (rc != KL_OK && rc != KL_EUSAGE && rc != KL_ENOMEM) { /* not read */
        int err = errno;
        c->missing = rc == KL_EIO && (err == ENOENT || err == ENOTDIR);
        int added = KL_OK;
        if (!c->missing)
            added = kl_diags_addf(c->problems, KL_RULE_CONFIG_INVALID, KL_SEV_ERROR,
                                  kl_span_make(0, 0), "$", "the file cannot be read: %s",
                                  rc == KL_EIO && err ? strerror(err) : kl_error_str(rc));
        if (added != KL_OK)
            rc = added;
    }
    if (rc == KL_OK && kl_config_rule_file_count(c->cfg) > 0)
        rc = cfg_rules(docs, c);
    if (rc == KL_OK)
        rc = kl_config_check(c->cfg, c->ctx ? c->ctx->rules : docs->base.rules, c->problems);
    if (rc == KL_ENOMEM) {
        cfg_free(c);
        return NULL;
    }
    kl_diags_sort(c->problems);
    if (c->src != NULL)
        log_problems(docs->log, c->src, c->problems);
    if (rc != KL_OK) {
        if (docs->log != NULL && !c->missing)
            fprintf(docs->log, "klint lsp: %s: configuration not used (%s)\n", path,
                    rc == KL_EUSAGE ? "it has errors" : "cannot be read");
        kl_config_free(c->cfg);
        c->cfg = NULL;
        if (c->ctx != NULL) {
            ctx_dispose(c->ctx);
            free(c->ctx);
            c->ctx = NULL;
        }
    }
    return c;
}

/* The configuration at `path` (as found: absolute for documents with file: URIs), loaded once. */
static int cfg_get(kl_lsp_docs *docs, const char *path, kl_lsp_cfg **out)
{
    *out = NULL;
    for (size_t i = 0; i < docs->n_cfgs; i++) {
        if (strcmp(docs->cfgs[i]->path, path) == 0) {
            *out = docs->cfgs[i];
            return KL_OK;
        }
    }
    if (docs->n_cfgs == docs->cap_cfgs) {
        size_t cap = docs->cap_cfgs ? docs->cap_cfgs * 2 : 4;
        kl_lsp_cfg **p = realloc(docs->cfgs, cap * sizeof(*p));
        if (p == NULL)
            return KL_ENOMEM;
        docs->cfgs = p;
        docs->cap_cfgs = cap;
    }
    kl_lsp_cfg *c = cfg_load(docs, path);
    if (c == NULL)
        return KL_ENOMEM;
    docs->cfgs[docs->n_cfgs++] = c;
    *out = c;
    return KL_OK;
}

/*
 * The configuration for `doc`: discovered from its path, loaded once. A
 * configuration file open as a document gets itself, for its problems.
 */
static int doc_resolve_config(kl_lsp_docs *docs, kl_lsp_document *doc)
{
    free(doc->rel);
    doc->rel = NULL;
    doc->cfg = NULL;
    doc->profile = NULL;
    if (doc->path == NULL)
        return KL_OK;
    if (doc->config)
        return cfg_get(docs, doc->path, &doc->cfg);
    char *found = kl_config_discover(doc->path);
    if (found == NULL)
        return KL_OK;
    kl_lsp_cfg *c = NULL;
    int rc = cfg_get(docs, found, &c);
    free(found);
    if (rc != KL_OK)
        return rc;
    doc->cfg = c;
    if (c->cfg != NULL) {
        doc->rel = kl_config_relative(c->cfg, doc->path);
        doc->profile = kl_config_profile_for(c->cfg, doc->rel);
    }
    return KL_OK;
}

static const kl_lsp_lint_ctx *doc_ctx(const kl_lsp_docs *docs, const kl_lsp_document *doc)
{
    return doc->cfg && doc->cfg->ctx ? doc->cfg->ctx : &docs->base;
}

const kl_ruleset *kl_lsp_docs_rules(const kl_lsp_docs *docs, const kl_lsp_document *doc)
{
    return doc_ctx(docs, doc)->rules;
}

bool kl_lsp_docs_watches(const kl_lsp_docs *docs, const char *path)
{
    size_t n = strlen(path);
    size_t k = strlen(KL_CONFIG_NAME);
    if (n >= k && strcmp(path + n - k, KL_CONFIG_NAME) == 0 && (n == k || path[n - k - 1] == '/'))
        return true;
    for (size_t i = 0; i < docs->n_cfgs; i++) {
        const kl_config *cfg = docs->cfgs[i]->cfg;
        if (strcmp(docs->cfgs[i]->path, path) == 0)
            return true;
        for (size_t r = 0; cfg && r < kl_config_rule_file_count(cfg); r++) {
            const char *rule_file = kl_config_rule_file(cfg, r);
            size_t rl = strlen(rule_file);
            /* Rule files may be relative to the server's directory: compare the tail. */
            if (strcmp(rule_file, path) == 0 ||
                (rl < n && path[n - rl - 1] == '/' && strcmp(path + n - rl, rule_file) == 0))
                return true;
        }
    }
    return false;
}

/* ---- Documents ---------------------------------------------------------- */

size_t kl_lsp_docs_count(const kl_lsp_docs *docs)
{
    return docs->n_docs;
}

kl_lsp_document *kl_lsp_docs_at(kl_lsp_docs *docs, size_t i)
{
    return i < docs->n_docs ? docs->docs[i] : NULL;
}

kl_lsp_document *kl_lsp_docs_find(kl_lsp_docs *docs, const char *uri, size_t uri_len)
{
    for (size_t i = 0; i < docs->n_docs; i++)
        if (strlen(docs->docs[i]->uri) == uri_len && memcmp(docs->docs[i]->uri, uri, uri_len) == 0)
            return docs->docs[i];
    return NULL;
}

/* The first bare '\r' (not followed by '\n') in s[0..len), or NULL. */
static const char *bare_cr(const char *s, size_t len)
{
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, '\r', (size_t)(end - p))) != NULL; p++)
        if (p + 1 == end || p[1] != '\n')
            return p;
    return NULL;
}

/* The source positions are counted in, for a text with a bare '\r'. */
static int doc_refresh_lines(kl_lsp_document *doc)
{
    kl_source_dispose(&doc->lines);
    memset(&doc->lines, 0, sizeof(doc->lines));
    const char *cr = bare_cr(doc->text, doc->len);
    if (cr == NULL) {
        free(doc->lines_text);
        doc->lines_text = NULL;
        return KL_OK;
    }
    char *copy = realloc(doc->lines_text, doc->len + 1);
    if (copy == NULL)
        return KL_ENOMEM;
    doc->lines_text = copy;
    memcpy(copy, doc->text, doc->len);
    copy[doc->len] = '\0';
    for (size_t i = (size_t)(cr - doc->text); i < doc->len; i++)
        if (copy[i] == '\r' && (i + 1 == doc->len || copy[i + 1] != '\n'))
            copy[i] = '\n';
    int rc = kl_source_init_view(&doc->lines, doc->src.name, copy, doc->len);
    if (rc != KL_OK) {
        free(doc->lines_text);
        doc->lines_text = NULL;
    }
    return rc;
}

static int doc_refresh_source(kl_lsp_document *doc)
{
    kl_source_dispose(&doc->src);
    int rc = kl_source_init_view(&doc->src, doc->path ? doc->path : doc->uri, doc->text, doc->len);
    if (rc == KL_OK)
        rc = doc_refresh_lines(doc);
    return rc;
}

const kl_source *kl_lsp_docs_lines(const kl_lsp_document *doc)
{
    return doc->lines_text ? &doc->lines : &doc->src;
}

static void doc_free(kl_lsp_document *doc)
{
    if (doc == NULL)
        return;
    kl_source_dispose(&doc->src);
    kl_source_dispose(&doc->lines);
    free(doc->lines_text);
    kl_diags_free(doc->diags);
    kl_diags_free(doc->spare);
    free(doc->text);
    free(doc->uri);
    free(doc->path);
    free(doc->rel);
    free(doc);
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && kl_ascii_ieq(s + n - k, suffix, k);
}

static bool same(const char *s, size_t n, const char *lit)
{
    return s != NULL && strlen(lit) == n && memcmp(s, lit, n) == 0;
}

int kl_lsp_docs_open(kl_lsp_docs *docs, const char *uri, size_t uri_len, const char *lang,
                     size_t lang_len, int64_t version, const char *text, size_t len,
                     kl_lsp_document **out)
{
    *out = NULL;
    if ((uint64_t)len >= UINT32_MAX)
        return KL_ETOOBIG;
    kl_lsp_document *old = kl_lsp_docs_find(docs, uri, uri_len);
    if (old != NULL)
        kl_lsp_docs_close(docs, old);
    if (docs->n_docs == docs->cap_docs) {
        size_t cap = docs->cap_docs ? docs->cap_docs * 2 : 8;
        kl_lsp_document **p = realloc(docs->docs, cap * sizeof(*p));
        if (p == NULL)
            return KL_ENOMEM;
        docs->docs = p;
        docs->cap_docs = cap;
    }
    kl_lsp_document *doc = calloc(1, sizeof(*doc));
    if (doc == NULL)
        return KL_ENOMEM;
    doc->uri = malloc(uri_len + 1);
    doc->cap = len + 1;
    doc->text = malloc(doc->cap);
    if (doc->uri == NULL || doc->text == NULL || kl_diags_new(&doc->diags) != KL_OK ||
        kl_diags_new(&doc->spare) != KL_OK) {
        doc_free(doc);
        return KL_ENOMEM;
    }
    memcpy(doc->uri, uri, uri_len);
    doc->uri[uri_len] = '\0';
    if (len > 0)
        memcpy(doc->text, text, len);
    doc->len = len;
    doc->version = version;
    doc->stale = true;
    doc->path = kl_lsp_uri_to_path(uri, uri_len);
    doc->jsonl = ends_with(uri, uri_len, ".jsonl") || ends_with(uri, uri_len, ".ndjson") ||
                 same(lang, lang_len, "jsonl") || same(lang, lang_len, "jsonlines") ||
                 same(lang, lang_len, "ndjson");
    if (doc->path != NULL) {
        const char *slash = strrchr(doc->path, '/');
        doc->config = strcmp(slash ? slash + 1 : doc->path, KL_CONFIG_NAME) == 0;
        doc->jsonl = doc->jsonl && !doc->config;
    }
    int rc = doc_refresh_source(doc);
    if (rc == KL_OK)
        rc = doc_resolve_config(docs, doc);
    if (rc != KL_OK) {
        doc_free(doc);
        return rc;
    }
    docs->docs[docs->n_docs++] = doc;
    *out = doc;
    return kl_lsp_docs_lint(docs, doc);
}

/* Length of the common prefix of a[0..n) and b[0..n). */
static size_t common_prefix(const char *a, const char *b, size_t n)
{
    size_t i = 0;
    while (i + 64 <= n && memcmp(a + i, b + i, 64) == 0)
        i += 64;
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

/* Length of the common suffix of the n bytes before `a_end` and before `b_end`. */
static size_t common_suffix(const char *a_end, const char *b_end, size_t n)
{
    size_t i = 0;
    while (i + 64 <= n && memcmp(a_end - i - 64, b_end - i - 64, 64) == 0)
        i += 64;
    while (i < n && a_end[-(ptrdiff_t)i - 1] == b_end[-(ptrdiff_t)i - 1])
        i++;
    return i;
}

/*
 * Grow the window of edited bytes by the edit of [start, end) (current
 * text) into `len` bytes. The window is [edit_start, edit_new_end) in the
 * current text and [edit_start, edit_old_end) in the text last linted:
 * bytes before it are untouched, bytes after it moved by the difference.
 */
static void track_edit(kl_lsp_document *doc, size_t start, size_t end, size_t len)
{
    int64_t change = (int64_t)len - (int64_t)(end - start);
    if (!doc->edited) {
        doc->edited = true;
        doc->edit_start = (uint32_t)start;
        doc->edit_old_end = (uint32_t)end;
        doc->edit_new_end = (uint32_t)(start + len);
        return;
    }
    int64_t delta = (int64_t)doc->edit_new_end - (int64_t)doc->edit_old_end + change;
    int64_t hi =
        doc->edit_new_end > end ? (int64_t)doc->edit_new_end + change : (int64_t)(start + len);
    if (start < doc->edit_start)
        doc->edit_start = (uint32_t)start;
    doc->edit_new_end = (uint32_t)hi;
    doc->edit_old_end = (uint32_t)(hi - delta);
}

int kl_lsp_docs_edit(kl_lsp_document *doc, kl_span span, const char *text, size_t len)
{
    size_t start = span.start < doc->len ? span.start : doc->len;
    size_t end = span.end < doc->len ? span.end : doc->len;
    if (end < start)
        end = start;
    /* Bytes the replacement leaves as they were do not count as edited: a
     * client that sends the whole text for each keystroke still gets only
     * the touched lines of a JSON Lines document linted again. */
    size_t same = common_prefix(doc->text + start, text, end - start < len ? end - start : len);
    start += same;
    text += same;
    len -= same;
    same = common_suffix(doc->text + end, text + len, end - start < len ? end - start : len);
    end -= same;
    len -= same;
    size_t new_len = doc->len - (end - start) + len;
    if ((uint64_t)new_len >= UINT32_MAX)
        return KL_ETOOBIG;
    if (new_len + 1 > doc->cap) {
        size_t cap = doc->cap + doc->cap / 2;
        if (cap < new_len + 1)
            cap = new_len + 1;
        char *p = realloc(doc->text, cap);
        if (p == NULL)
            return KL_ENOMEM;
        doc->text = p;
        doc->cap = cap;
    }
    memmove(doc->text + start + len, doc->text + end, doc->len - end);
    if (len > 0)
        memcpy(doc->text + start, text, len);
    doc->len = new_len;
    track_edit(doc, start, end, len);
    return doc_refresh_source(doc);
}

void kl_lsp_docs_close(kl_lsp_docs *docs, kl_lsp_document *doc)
{
    for (size_t i = 0; i < docs->n_docs; i++) {
        if (docs->docs[i] == doc) {
            memmove(&docs->docs[i], &docs->docs[i + 1], (docs->n_docs - i - 1) * sizeof(doc));
            docs->n_docs--;
            break;
        }
    }
    doc_free(doc);
}

/* ---- Linting ------------------------------------------------------------ */

static uint32_t shift(uint32_t offset, void *ctx)
{
    return offset + *(const uint32_t *)ctx;
}

/* Offsets after an edit move by its change in length (the result stays in the text). */
static uint32_t shift_signed(uint32_t offset, void *ctx)
{
    return (uint32_t)((int64_t)offset + *(const int64_t *)ctx);
}

/* Lint `src` (the document, or one of its records) and append the findings
 * the configuration keeps to `out`, with its severities. */
static int lint_source(kl_lsp_docs *docs, const kl_lsp_document *doc, const kl_source *src,
                       kl_diags *out)
{
    const kl_lsp_lint_ctx *c = doc_ctx(docs, doc);
    const kl_config *cfg = doc->cfg ? doc->cfg->cfg : NULL;
    if (cfg == NULL) {
        int rc = kl_linter_lint_as(c->linter, src, doc->profile, out);
        return rc == KL_ETOOBIG ? KL_OK : rc;
    }
    kl_diags_clear(docs->scratch);
    int rc = kl_linter_lint_as(c->linter, src, doc->profile, docs->scratch);
    for (size_t i = 0; rc >= 0 && i < kl_diags_count(docs->scratch); i++) {
        kl_diag d = *kl_diags_at(docs->scratch, i);
        kl_config_verdict v = kl_config_judge(cfg, doc->rel, d.rule, d.path, d.severity);
        if (!v.keep)
            continue;
        d.severity = v.severity;
        rc = kl_diags_add(out, &d);
    }
    return rc == KL_ETOOBIG ? KL_OK : rc;
}

/*
 * Lint the JSON Lines records on the lines that start in [from, to] (byte
 * offsets of the current text; `from` starts a line) into `out`, their
 * findings shifted to document offsets (lines are document-wide already).
 */
static int lint_lines(kl_lsp_docs *docs, kl_lsp_document *doc, size_t from, size_t to,
                      kl_diags *out)
{
    const char *name = doc->src.name;
    uint32_t line = kl_source_pos(&doc->src, (uint32_t)from).line;
    size_t pos = from;
    int rc = KL_OK;
    while (rc >= 0 && pos <= to) {
        size_t n;
        size_t end = kl_jsonl_line_end(doc->text, doc->len, pos, &n);
        if (!kl_jsonl_blank(doc->text + pos, n)) {
            kl_source rec;
            kl_source_init_line(&rec, name, doc->text + pos, (uint32_t)n, line);
            size_t first = kl_diags_count(out);
            rc = lint_source(docs, doc, &rec, out);
            uint32_t base = (uint32_t)pos;
            if (base > 0)
                kl_diags_remap(out, first, shift, &base);
        }
        if (end == doc->len)
            break;
        pos = end + 1;
        line++;
    }
    return rc;
}

/* Offset of the first byte of the line holding `offset`. */
static size_t line_start_of(const kl_lsp_document *doc, size_t offset)
{
    while (offset > 0 && doc->text[offset - 1] != '\n')
        offset--;
    return offset;
}

/* Offset of the '\n' ending the line holding `offset`, or the text's length. */
static size_t line_end_of(const kl_lsp_document *doc, size_t offset)
{
    const char *nl = memchr(doc->text + offset, '\n', doc->len - offset);
    return nl ? (size_t)(nl - doc->text) : doc->len;
}

/*
 * After edits: the records on the lines of the edited window are linted
 * again; the findings of the records before it are kept, those after it
 * are kept and shifted by the change in length. Records are independent,
 * so this gives the same findings as linting the whole text.
 */
static int relint_edited_lines(kl_lsp_docs *docs, kl_lsp_document *doc)
{
    size_t lo = line_start_of(doc, doc->edit_start);
    size_t hi = line_end_of(doc, doc->edit_new_end);
    int64_t delta = (int64_t)doc->edit_new_end - (int64_t)doc->edit_old_end;
    int64_t old_hi = (int64_t)hi - delta; /* the same line end, before the edit */

    kl_diags *out = doc->spare;
    kl_diags_clear(out);
    size_t i = 0, n = kl_diags_count(doc->diags);
    int rc = KL_OK;
    for (; rc == KL_OK && i < n && kl_diags_at(doc->diags, i)->span.start < lo; i++)
        rc = kl_diags_add(out, kl_diags_at(doc->diags, i));
    if (rc == KL_OK)
        rc = lint_lines(docs, doc, lo, hi, out);
    while (i < n && (int64_t)kl_diags_at(doc->diags, i)->span.start <= old_hi)
        i++;
    size_t moved = kl_diags_count(out);
    for (; rc == KL_OK && i < n; i++)
        rc = kl_diags_add(out, kl_diags_at(doc->diags, i));
    if (rc == KL_OK && delta != 0)
        kl_diags_remap(out, moved, shift_signed, &delta);
    if (rc != KL_OK)
        return rc;
    doc->spare = doc->diags;
    doc->diags = out;
    return KL_OK;
}

int kl_lsp_docs_lint(kl_lsp_docs *docs, kl_lsp_document *doc)
{
    if (doc->config) { /* its problems are the configuration's (kl_lsp_docs_put_diagnostics) */
        kl_diags_clear(doc->diags);
        doc->edited = false;
        doc->stale = false;
        return KL_OK;
    }
    bool partial = doc->jsonl && doc->edited && !doc->stale;
    doc->edited = false;
    doc->stale = false;
    int rc = partial ? relint_edited_lines(docs, doc) : KL_OK;
    if (!partial || rc == KL_ENOMEM) { /* out of memory for the copy: try it whole */
        kl_diags_clear(doc->diags);
        if (!doc->jsonl)
            rc = lint_source(docs, doc, &doc->src, doc->diags);
        else /* each non-blank line is a record, linted alone */
            rc = lint_lines(docs, doc, 0, doc->len, doc->diags);
    }
    /* In the order of the command line's reports. Records' spans do not
     * overlap, so a JSON Lines document's findings stay grouped by record. */
    kl_diags_sort(doc->diags);
    return rc;
}

bool kl_lsp_docs_record(const kl_lsp_document *doc, uint32_t offset, kl_source *rec, uint32_t *base)
{
    kl_span line = kl_source_line_span(&doc->src, offset);
    if (kl_jsonl_blank(doc->text + line.start, line.end - line.start))
        return false;
    kl_source_init_line(rec, doc->src.name, doc->text + line.start, line.end - line.start,
                        kl_source_pos(&doc->src, line.start).line);
    *base = line.start;
    return true;
}

int kl_lsp_docs_reload(kl_lsp_docs *docs)
{
    for (size_t i = 0; i < docs->n_docs; i++) {
        docs->docs[i]->cfg = NULL;
        docs->docs[i]->profile = NULL; /* the configuration's string */
        docs->docs[i]->stale = true;
    }
    for (size_t i = 0; i < docs->n_cfgs; i++)
        cfg_free(docs->cfgs[i]);
    docs->n_cfgs = 0;
    int rc = KL_OK;
    for (size_t i = 0; rc == KL_OK && i < docs->n_docs; i++) {
        rc = doc_resolve_config(docs, docs->docs[i]);
        if (rc == KL_OK)
            rc = kl_lsp_docs_lint(docs, docs->docs[i]);
    }
    return rc;
}

/* ---- The store ---------------------------------------------------------- */

int kl_lsp_docs_new(kl_lsp_docs **out, FILE *log)
{
    *out = NULL;
    kl_lsp_docs *docs = calloc(1, sizeof(*docs));
    if (docs == NULL)
        return KL_ENOMEM;
    docs->log = log;
    kl_ruleset *rs = NULL;
    int rc = kl_ruleset_builtin(&rs);
    if (rc == KL_OK)
        rc = ctx_init(&docs->base, rs);
    else
        kl_ruleset_free(rs);
    if (rc == KL_OK)
        rc = kl_diags_new(&docs->scratch);
    if (rc != KL_OK) {
        kl_lsp_docs_free(docs);
        return rc;
    }
    *out = docs;
    return KL_OK;
}

void kl_lsp_docs_free(kl_lsp_docs *docs)
{
    if (docs == NULL)
        return;
    for (size_t i = 0; i < docs->n_docs; i++)
        doc_free(docs->docs[i]);
    for (size_t i = 0; i < docs->n_cfgs; i++)
        cfg_free(docs->cfgs[i]);
    free(docs->docs);
    free(docs->cfgs);
    kl_diags_free(docs->scratch);
    ctx_dispose(&docs->base);
    free(docs);
}

/* ---- Diagnostics as LSP objects ----------------------------------------- */

void kl_lsp_docs_view(const kl_lsp_docs *docs, const kl_lsp_document *doc, kl_lsp_encoding enc,
                      kl_lsp_doc *view)
{
    memset(view, 0, sizeof(*view));
    view->uri = doc->uri;
    view->src = &doc->src;
    view->rules = kl_lsp_docs_rules(docs, doc);
    view->rule_docs = doc_ctx(docs, doc)->urls;
    view->profile = doc->profile;
    view->enc = enc;
    view->jsonl = doc->jsonl;
    view->version = doc->version;
    view->lines = doc->lines_text ? &doc->lines : NULL;
}

/* The note on a configuration that is not used, after its problems. */
static const char unused_note[] =
    "klint does not use this configuration until its errors are fixed: the files under it are "
    "linted with the default settings";

void kl_lsp_docs_put_diagnostics(const kl_lsp_docs *docs, const kl_lsp_document *doc,
                                 kl_lsp_encoding enc, kl_buf *b)
{
    kl_lsp_doc view;
    kl_lsp_docs_view(docs, doc, enc, &view);
    const kl_diags *list = doc->diags;
    const kl_lsp_cfg *c = doc->config ? doc->cfg : NULL;
    if (c != NULL) {
        /* The problems point into the file as read from disk. */
        list = c->problems;
        if (c->src != NULL) {
            view.src = c->src;
            view.lines = NULL;
        }
    }
    kl_buf_putc(b, '[');
    size_t n = kl_diags_count(list);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            kl_buf_putc(b, ',');
        kl_lsp_put_diag(b, &view, kl_diags_at(list, i), i);
    }
    if (c != NULL && c->cfg == NULL && n > 0) {
        kl_diag note;
        memset(&note, 0, sizeof(note));
        note.rule = KL_RULE_CONFIG_INVALID;
        note.severity = KL_SEV_INFO;
        note.message = unused_note;
        note.path = "$";
        note.span = kl_span_make(0, 0);
        kl_buf_putc(b, ',');
        kl_lsp_put_diag(b, &view, &note, n);
    }
    kl_buf_putc(b, ']');
}

/* Is a document open on the file at `path`? */
static bool is_open(const kl_lsp_docs *docs, const char *path)
{
    for (size_t i = 0; i < docs->n_docs; i++)
        if (docs->docs[i]->path != NULL && strcmp(docs->docs[i]->path, path) == 0)
            return true;
    return false;
}

void kl_lsp_docs_config_notices(kl_lsp_docs *docs, kl_lsp_notice_fn fn, void *ctx)
{
    kl_buf msg = KL_BUF_INIT;
    for (size_t i = 0; i < docs->n_cfgs; i++) {
        kl_lsp_cfg *c = docs->cfgs[i];
        if (c->noticed)
            continue;
        c->noticed = true;
        size_t n = kl_diags_count(c->problems);
        if (n == 0 || is_open(docs, c->path))
            continue;
        const kl_diag *first = kl_diags_at(c->problems, 0);
        kl_buf_clear(&msg);
        kl_buf_printf(&msg, "klint: %s", c->path);
        if (c->src != NULL) {
            kl_pos pos = kl_source_pos(c->src, first->span.start);
            kl_buf_printf(&msg, ":%u:%u", (unsigned)pos.line, (unsigned)pos.column);
        }
        kl_buf_printf(&msg, ": %s", first->message ? first->message : first->rule);
        if (n > 1)
            kl_buf_printf(&msg, " (and %zu more problem%s)", n - 1, n > 2 ? "s" : "");
        if (c->cfg == NULL)
            kl_buf_puts(&msg, ". This configuration is not used until it is fixed: the files "
                              "under it are linted with the default settings.");
        if (!kl_buf_failed(&msg))
            fn(ctx, c->cfg == NULL ? 1 : 2, msg.ptr);
    }
    kl_buf_dispose(&msg);
}

/* ---- URIs --------------------------------------------------------------- */

char *kl_lsp_uri_to_path(const char *uri, size_t len)
{
    /* file:///abs/path or file://localhost/abs/path (RFC 8089); nothing else is local. */
    if (len < 7 || !kl_ascii_ieq(uri, "file://", 7))
        return NULL;
    size_t i = 7;
    if (len - i >= 9 && kl_ascii_ieq(uri + i, "localhost", 9))
        i += 9;
    if (i >= len || uri[i] != '/')
        return NULL;
    char *path = malloc(len - i + 1);
    if (path == NULL)
        return NULL;
    size_t n = 0;
    for (; i < len; i++) {
        char c = uri[i];
        if (c == '?' || c == '#')
            break;
        if (c == '%') {
            int hi = i + 2 < len ? kl_ascii_hex(uri[i + 1]) : -1;
            int lo = hi >= 0 ? kl_ascii_hex(uri[i + 2]) : -1;
            if (lo < 0 || (hi == 0 && lo == 0)) {
                free(path);
                return NULL;
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        path[n++] = c;
    }
    path[n] = '\0';
    return path;
}
