/*
 * Problems in klint's own JSON inputs, reported like findings in a payload:
 * one rule id, a span, a canonical path.
 */
#include "jcheck.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checks.h"
#include "klint/path.h"

char *kl_jcheck_path(const kl_node *n)
{
    size_t need = kl_path_of(n, NULL, 0);
    char *path = malloc(need + 1);
    if (path != NULL)
        kl_path_of(n, path, need + 1);
    return path;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 5, 0)))
#endif
static void
vreport(kl_jcheck *J, kl_severity sev, kl_span span, const char *path, const char *fmt, va_list ap)
{
    kl_buf msg = KL_BUF_INIT;
    kl_buf_vprintf(&msg, fmt, ap);
    kl_diag d = {0};
    d.rule = J->rule;
    d.severity = sev;
    d.message = kl_buf_cstr(&msg);
    d.path = path ? path : "$";
    d.span = span;
    if (kl_buf_failed(&msg) || kl_diags_add(J->out, &d) != KL_OK)
        J->nomem = true;
    if (sev == KL_SEV_ERROR)
        J->errors = true;
    kl_buf_dispose(&msg);
}

void kl_jcheck_report(kl_jcheck *J, kl_severity sev, kl_span span, const char *path,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(J, sev, span, path, fmt, ap);
    va_end(ap);
}

void kl_jcheck_error(kl_jcheck *J, const kl_node *n, bool key, const char *fmt, ...)
{
    char *path = kl_jcheck_path(n);
    if (path == NULL)
        J->nomem = true;
    va_list ap;
    va_start(ap, fmt);
    vreport(J, KL_SEV_ERROR, (key && n->key != NULL) ? n->key_span : n->span, path, fmt, ap);
    va_end(ap);
    free(path);
}

void kl_jcheck_error_at(kl_jcheck *J, const kl_node *n, size_t at, const char *fmt, ...)
{
    kl_span span = n->span;
    if (n->kind == KL_JSON_STRING && at <= n->len) {
        /* One character: from its first source byte to the next character's. */
        size_t next = at < n->len ? at + 1 : at;
        while (next < n->len && ((unsigned char)n->u.str[next] & 0xC0) == 0x80)
            next++;
        uint32_t start = kl_node_string_source_offset(n, J->src, (uint32_t)at);
        uint32_t end = at < n->len ? kl_node_string_source_offset(n, J->src, (uint32_t)next)
                                   : start + 1; /* the closing quote */
        span = kl_span_make(start, end > start ? end : start + 1);
    }
    char *path = kl_jcheck_path(n);
    if (path == NULL)
        J->nomem = true;
    va_list ap;
    va_start(ap, fmt);
    vreport(J, KL_SEV_ERROR, span, path, fmt, ap);
    va_end(ap);
    free(path);
}

int kl_jcheck_parse(kl_jcheck *J, kl_doc **doc)
{
    kl_diags *found = NULL;
    int rc = kl_diags_new(&found);
    if (rc != KL_OK)
        return rc;
    rc = kl_json_load(doc, J->src, NULL, found);
    for (size_t i = 0; rc == KL_OK && i < kl_diags_count(found); i++) {
        kl_diag d = *kl_diags_at(found, i);
        d.rule = J->rule;
        d.severity = strcmp(kl_diags_at(found, i)->rule, KL_RULE_JSON_BOM) == 0 ? KL_SEV_WARNING
                                                                                : KL_SEV_ERROR;
        if (d.severity == KL_SEV_ERROR)
            J->errors = true;
        if (kl_diags_add(J->out, &d) != KL_OK)
            rc = KL_ENOMEM;
    }
    kl_diags_free(found);
    if (rc != KL_OK) {
        kl_doc_free(*doc);
        *doc = NULL;
    }
    return rc;
}

const char *kl_jcheck_nearest(const char *word, size_t len, const char *const *candidates,
                              size_t n_candidates)
{
    size_t cap = len <= 3 ? 1 : len <= 7 ? 2 : 3;
    const char *best = NULL;
    size_t best_d = cap + 1;
    for (size_t i = 0; i < n_candidates; i++) {
        size_t clen = strlen(candidates[i]);
        size_t d = kl_edit_distance(word, len, candidates[i], clen, cap);
        if (d > 1 && len >= 3 && len < clen && memcmp(word, candidates[i], len) == 0)
            d = 1; /* a prefix: "warn" for "warning" */
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

bool kl_jcheck_keys(kl_jcheck *J, const kl_node *obj, const char *what, const char *const *allowed)
{
    size_t n_allowed = 0;
    while (allowed[n_allowed] != NULL)
        n_allowed++;
    bool ok = true;
    for (uint32_t i = 0; i < obj->len; i++) {
        const kl_node *m = &obj->u.children[i];
        bool known = false;
        for (size_t k = 0; k < n_allowed && !known; k++)
            known = strlen(allowed[k]) == m->key_len && memcmp(allowed[k], m->key, m->key_len) == 0;
        if (known)
            continue;
        ok = false;
        kl_buf list = KL_BUF_INIT;
        for (size_t k = 0; k < n_allowed; k++)
            kl_buf_printf(&list, "%s`%s`", k ? ", " : "", allowed[k]);
        const char *near = kl_jcheck_nearest(m->key, m->key_len, allowed, n_allowed);
        if (kl_buf_failed(&list))
            J->nomem = true;
        if (near != NULL)
            kl_jcheck_error(J, m, true,
                            "unknown key `%.*s` in %s; did you mean `%s`? (allowed: %s)",
                            (int)m->key_len, m->key, what, near, kl_buf_cstr(&list));
        else
            kl_jcheck_error(J, m, true, "unknown key `%.*s` in %s (allowed: %s)", (int)m->key_len,
                            m->key, what, kl_buf_cstr(&list));
        kl_buf_dispose(&list);
    }
    return ok;
}
