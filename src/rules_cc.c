/*
 * The rule compiler's common ground, shared by every rules_*.c: problems
 * reported into the rule file (`rules-invalid`, with the offending node's
 * position), arena copies, growable tables, and the checks every part of a
 * rule file needs — a value is a string, a number, a severity, a type name,
 * a list; an object has only the keys it may have and every key it must.
 * Each check reports what is wrong and returns false; none is silent.
 */
#include "rules_cc.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "klint/path.h"
#include "rules_builtin.h"


void *kl_cc_alloc(kl_cc *C, size_t size)
{
    void *p = kl_arena_alloc(C->arena, size);
    if (p == NULL)
        C->failed = true;
    else
        memset(p, 0, size);
    return p;
}

const char *kl_cc_str(kl_cc *C, const kl_node *n)
{
    if (n == NULL || n->kind != KL_JSON_STRING)
        return NULL;
    /* A built-in file has its texts NUL-terminated already, for the program's lifetime. */
    const char *text = kl_builtin_cstr(C->file->builtin, C->file->tree, n);
    if (text != NULL)
        return text;
    char *s = kl_arena_strndup(C->arena, n->u.str, n->len);
    if (s == NULL)
        C->failed = true;
    return s;
}

bool kl_cc_is(const kl_node *n, const char *s)
{
    size_t len = strlen(s);
    return n != NULL && n->kind == KL_JSON_STRING && n->len == len && memcmp(n->u.str, s, len) == 0;
}

void kl_cc_error(kl_cc *C, const kl_node *n, bool key, const char *fmt, ...)
{
    kl_buf msg = KL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    kl_buf_vprintf(&msg, fmt, ap);
    va_end(ap);

    char path[512];
    size_t plen = kl_path_of(n, path, sizeof(path));
    if (plen >= sizeof(path))
        strcpy(path + sizeof(path) - 4, "...");
    kl_diag d = {0};
    d.rule = KL_RULE_RULES_INVALID;
    d.severity = KL_SEV_ERROR;
    d.message = kl_buf_cstr(&msg);
    d.path = path;
    d.span = (key && n->key != NULL) ? n->key_span : n->span;
    if (kl_buf_failed(&msg) || kl_diags_add(C->file->diags, &d) != KL_OK)
        C->failed = true;
    C->file->bad = true;
    kl_buf_dispose(&msg);
}

void kl_cc_pick(const kl_node *obj, const kl_cc_name *names, size_t n, const kl_node **out)
{
    for (size_t k = 0; k < n; k++)
        out[k] = NULL;
    if (obj == NULL || obj->kind != KL_JSON_OBJECT)
        return;
    /* Forward, so that with duplicate keys the last one wins, as in kl_cc_get. */
    for (uint32_t i = 0; i < obj->len; i++) {
        const kl_node *m = &obj->u.children[i];
        if (m->key_len == 0)
            continue;
        for (size_t k = 0; k < n; k++) {
            if (names[k].len == m->key_len && names[k].s[0] == m->key[0] &&
                memcmp(names[k].s, m->key, m->key_len) == 0) {
                out[k] = m;
                break;
            }
        }
    }
}

bool kl_cc_severity(kl_cc *C, const kl_node *n, kl_severity *out)
{
    static const struct {
        const char *name;
        kl_severity sev;
    } names[] = {{"error", KL_SEV_ERROR}, {"warning", KL_SEV_WARNING}, {"info", KL_SEV_INFO}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (kl_cc_is(n, names[i].name)) {
            *out = names[i].sev;
            return true;
        }
    }
    kl_cc_error(C, n, false, "a severity is \"error\", \"warning\" or \"info\"");
    return false;
}

bool kl_cc_word_in(const char *list, const char *w, size_t len)
{
    if (list == NULL || len == 0)
        return false;
    /* Each occurrence of the word's first byte that starts a word of the list and is
     * followed by the rest of the word and then a space or the end. */
    const char *end = list + strlen(list);
    for (const char *s = list; (size_t)(end - s) >= len;) {
        const char *hit = memchr(s, w[0], (size_t)(end - s) - len + 1);
        if (hit == NULL)
            return false;
        if ((hit == list || hit[-1] == ' ') && (hit[len] == ' ' || hit[len] == '\0') &&
            memcmp(hit, w, len) == 0)
            return true;
        s = hit + 1;
    }
    return false;
}

const kl_node *kl_cc_get(const kl_node *obj, const char *name, size_t len)
{
    if (obj == NULL || obj->kind != KL_JSON_OBJECT)
        return NULL;
    /* From the end, as kl_node_get: with duplicate keys the last one wins. */
    for (uint32_t i = obj->len; i-- > 0;) {
        const kl_node *m = &obj->u.children[i];
        if (m->key_len == len && (len == 0 || (m->key[0] == name[0] &&
                                               memcmp(m->key, name, len) == 0)))
            return m;
    }
    return NULL;
}

bool kl_cc_keys(kl_cc *C, const kl_node *obj, const char *what, const char *allowed,
                const char *allowed2)
{
    if (C->file->trusted)
        return true;
    bool ok = true;
    for (uint32_t i = 0; i < obj->len; i++) {
        const kl_node *m = &obj->u.children[i];
        if (kl_cc_word_in(allowed, m->key, m->key_len) ||
            kl_cc_word_in(allowed2, m->key, m->key_len) ||
            (m->key_len == 7 && memcmp(m->key, "comment", 7) == 0))
            continue;
        kl_cc_error(C, m, true, "unknown key `%.*s` in %s (allowed: %s%s%s)", (int)m->key_len,
                    m->key, what, allowed, allowed2 && *allowed2 ? " " : "",
                    allowed2 ? allowed2 : "");
        ok = false;
    }
    return ok;
}

void *kl_cc_grow(kl_cc *C, void *arr, uint32_t *cap, uint32_t n, size_t elem)
{
    if (n < *cap)
        return arr;
    uint32_t nc = *cap ? *cap * 2 : 16;
    void *na = realloc(arr, (size_t)nc * elem);
    if (na == NULL) {
        C->failed = true;
        return NULL;
    }
    *cap = nc;
    return na;
}

const char *kl_cc_joined(kl_cc *C, const kl_node *n, const char *what)
{
    if (n == NULL)
        return NULL;
    if (n->kind == KL_JSON_STRING)
        return kl_cc_str(C, n);
    if (n->kind != KL_JSON_ARRAY) {
        kl_cc_error(C, n, false, "%s is a string or a list of strings", what);
        return NULL;
    }
    kl_buf b = KL_BUF_INIT;
    for (uint32_t i = 0; i < n->len; i++) {
        const kl_node *s = &n->u.children[i];
        if (s->kind != KL_JSON_STRING) {
            kl_cc_error(C, s, false, "%s is a string or a list of strings", what);
            kl_buf_dispose(&b);
            return NULL;
        }
        if (i)
            kl_buf_puts(&b, ", ");
        kl_buf_put(&b, s->u.str, s->len);
    }
    const char *out = kl_arena_strndup(C->arena, kl_buf_cstr(&b), b.len);
    if (out == NULL || kl_buf_failed(&b))
        C->failed = true;
    kl_buf_dispose(&b);
    return out;
}

bool kl_cc_want_string(kl_cc *C, const kl_node *n, const char *what)
{
    if (n && n->kind == KL_JSON_STRING && n->len > 0)
        return true;
    if (n)
        kl_cc_error(C, n, false, "%s is a non-empty string", what);
    return false;
}

bool kl_cc_want_number(kl_cc *C, const kl_node *n, double *out)
{
    if (n && n->kind == KL_JSON_NUMBER && kl_node_double(n, out))
        return true;
    if (n)
        kl_cc_error(C, n, false, "expected a number");
    return false;
}

bool kl_cc_strings(kl_cc *C, const kl_node *v)
{
    if (v->kind != KL_JSON_ARRAY || v->len == 0) {
        kl_cc_error(C, v, false, "expected a non-empty list of strings");
        return false;
    }
    for (uint32_t i = 0; i < v->len; i++) {
        if (v->u.children[i].kind != KL_JSON_STRING) {
            kl_cc_error(C, &v->u.children[i], false, "expected a string");
            return false;
        }
    }
    return true;
}

bool kl_cc_types(kl_cc *C, const kl_node *n, uint32_t *out)
{
    *out = 0;
    if (n->kind == KL_JSON_ARRAY && n->len == 0) {
        kl_cc_error(C, n, false, "expected a type name or a non-empty list of them");
        return false;
    }
    uint32_t count = n->kind == KL_JSON_ARRAY ? n->len : 1;
    for (uint32_t i = 0; i < count; i++) {
        const kl_node *t = n->kind == KL_JSON_ARRAY ? &n->u.children[i] : n;
        const char *s = kl_cc_str(C, t);
        uint32_t bit = s ? kl_type_parse(s) : 0;
        if (bit == 0) {
            kl_cc_error(C, t, false,
                        "unknown type (string, numeric-string, json-string, integer, "
                        "integer-valued, number, boolean, object, array, null)");
            *out = 0;
            return false;
        }
        *out |= bit;
    }
    return true;
}

bool kl_cc_list(kl_cc *C, const kl_node *n, bool nonempty, const char *message)
{
    if (n->kind == KL_JSON_ARRAY && (n->len > 0 || !nonempty))
        return true;
    kl_cc_error(C, n, false, "%s", message);
    return false;
}

bool kl_cc_entry(kl_cc *C, const kl_node *e, const char *what, const char *shape,
                 const char *allowed, const char *required)
{
    if (e->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, e, false, "%s is %s", what, shape);
        return false;
    }
    if (C->file->trusted)
        return true;
    if (!kl_cc_keys(C, e, what, allowed, NULL))
        return false;
    /* Every required key: "an alias needs `name` and `hint`", naming them all. */
    bool missing = false;
    size_t n_words = 0;
    for (const char *s = required; s && *s;) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        if (s > w) {
            n_words++;
            missing = missing || kl_cc_get(e, w, (size_t)(s - w)) == NULL;
        }
    }
    if (!missing)
        return true;
    kl_buf msg = KL_BUF_INIT;
    kl_buf_printf(&msg, "%s needs ", what);
    size_t k = 0;
    for (const char *s = required; *s;) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        if (s == w)
            continue;
        k++;
        kl_buf_printf(&msg, "%s`%.*s`", k == 1 ? "" : k == n_words ? " and " : ", ",
                      (int)(s - w), w);
    }
    kl_cc_error(C, e, false, "%s", kl_buf_failed(&msg) ? what : kl_buf_cstr(&msg));
    kl_buf_dispose(&msg);
    return false;
}
