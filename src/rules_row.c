/*
 * Constraint rows: one row object of a profile (or overlay) becomes one
 * compiled row per place in its `at`, with its condition, the parameters
 * its check takes (checked against the check's table in checks.c),
 * related places, message and fix. `sum` rows run once, at the list their
 * path goes through.
 */
#include "rules_cc.h"

#include <string.h>

#include "buf.h"
#include "checks.h"

#define ROW_KEYS "id doc severity check at when related message fix summary explain source"

void kl_cc_row_init(kl_row *r)
{
    memset(r, 0, sizeof(*r));
    r->when = -1;
    r->p.where = -1;
    r->p.that = -1;
    r->p.list.field = KL_NONE;
    r->p.base = 1;
    r->fix.target = KL_NONE;
}

bool kl_cc_add_row(kl_cc *C, const kl_row *r)
{
    kl_pbuild *b = C->b;
    kl_row *rows = kl_cc_grow(C, b->rows, &b->cap_rows, b->n_rows, sizeof(kl_row));
    if (rows == NULL)
        return false;
    b->rows = rows;
    rows[b->n_rows] = *r;
    rows[b->n_rows].reach = kl_cc_common(C, C->reach, r->at);
    b->n_rows++;
    return true;
}

static bool bound_operand(kl_cc *C, const kl_node *v, uint16_t scope, kl_operand *out)
{
    if (v->kind != KL_JSON_NUMBER && v->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, v, false, "a bound is a number or a value expression such as "
                                 "{\"path\": \"input.duration\"}");
        return false;
    }
    return kl_cc_operand(C, v, scope, false, out);
}

static bool compile_tokens(kl_cc *C, const kl_node *v, uint16_t scope, kl_params *p)
{
    if (!kl_cc_list(C, v, true, "`tokens` is a list of {\"pattern\", \"list\"}"))
        return false;
    p->tokens = kl_cc_alloc(C, v->len * sizeof(*p->tokens));
    if (p->tokens == NULL)
        return false;
    p->n_tokens = (uint16_t)v->len;
    for (uint32_t i = 0; i < v->len; i++) {
        const kl_node *t = &v->u.children[i];
        kl_token_spec *ts = &p->tokens[i];
        if (!kl_cc_entry(C, t, "a token", "{\"pattern\", \"list\"}", "pattern list",
                         "pattern list"))
            return false;
        const kl_node *pat = KL_CC_GET(t, "pattern");
        if (!kl_cc_want_string(C, pat, "`pattern`"))
            return false;
        const char *s = kl_cc_str(C, pat);
        const char *mark = s ? strstr(s, "{N}") : NULL;
        if (mark == NULL || mark == s || strstr(mark + 3, "{N}") != NULL) {
            kl_cc_error(C, pat, false,
                        "a token pattern has text before exactly one `{N}`: \"<<<image_{N}>>>\"");
            return false;
        }
        ts->pattern = s;
        ts->prefix = s;
        ts->prefix_len = (uint32_t)(mark - s);
        ts->suffix = mark + 3;
        ts->suffix_len = (uint32_t)strlen(mark + 3);
        const kl_node *list = KL_CC_GET(t, "list"); /* a path, a list of paths, or null */
        if (list->kind == KL_JSON_NULL)
            continue;
        uint32_t n = list->kind == KL_JSON_ARRAY ? list->len : 1;
        ts->lists = kl_cc_alloc(C, n * sizeof(kl_ref));
        if (ts->lists == NULL)
            return false;
        for (uint32_t k = 0; k < n; k++) {
            const kl_node *pn = list->kind == KL_JSON_ARRAY ? &list->u.children[k] : list;
            if (!kl_cc_path(C, pn, scope, false, &ts->lists[k], NULL))
                return false;
        }
        ts->n_lists = (uint16_t)n;
    }
    return true;
}

static bool compile_refs_param(kl_cc *C, const kl_node *v, uint16_t scope, kl_params *p)
{
    uint32_t n = v->kind == KL_JSON_ARRAY ? v->len : 1;
    if (n == 0) {
        kl_cc_error(C, v, false, "expected a path or a non-empty list of paths");
        return false;
    }
    p->paths = kl_cc_alloc(C, n * sizeof(kl_ref));
    if (p->paths == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        const kl_node *pn = v->kind == KL_JSON_ARRAY ? &v->u.children[i] : v;
        if (!kl_cc_path(C, pn, scope, false, &p->paths[i], NULL))
            return false;
    }
    p->n_paths = (uint16_t)n;
    return true;
}

/* One parameter of a check; `scope` is what `@` means in it. */
bool kl_cc_param(kl_cc *C, kl_row *r, const kl_node *m, uint16_t scope)
{
    kl_params *p = &r->p;
    const char *k = m->key;
    size_t kl = m->key_len;
#define KEY(s) (kl == sizeof(s) - 1 && memcmp(k, s, kl) == 0)
    double d;
    if (KEY("type")) {
        uint32_t types;
        if (!kl_cc_types(C, m, &types))
            return false;
        p->types |= types;
        return true;
    }
    if (KEY("near")) {
        if (m->kind != KL_JSON_OBJECT || m->len == 0) {
            kl_cc_error(C, m, false, "`near` maps type names to severities");
            return false;
        }
        for (uint32_t i = 0; i < m->len; i++) {
            const kl_node *e = &m->u.children[i];
            char name[32];
            size_t nl = e->key_len < sizeof(name) - 1 ? e->key_len : sizeof(name) - 1;
            memcpy(name, e->key, nl);
            name[nl] = '\0';
            uint32_t bit = kl_type_parse(name);
            if (bit == 0) {
                kl_cc_error(C, e, true, "unknown type `%s`", name);
                return false;
            }
            p->near_types |= bit;
            if (!kl_cc_severity(C, e, &p->near_sev))
                return false;
        }
        return true;
    }
    if (KEY("values")) {
        if (m->kind != KL_JSON_ARRAY || m->len == 0) {
            kl_cc_error(C, m, false, "`values` is a non-empty list");
            return false;
        }
        p->values = m;
        return true;
    }
    if (KEY("case_mismatch")) {
        p->has_case_sev = true;
        return kl_cc_severity(C, m, &p->case_sev);
    }
    if (KEY("suggest")) {
        for (uint32_t i = 0; m->kind == KL_JSON_OBJECT && i < m->len; i++)
            if (m->u.children[i].kind == KL_JSON_STRING)
                continue;
            else
                goto bad_suggest;
        if (m->kind != KL_JSON_OBJECT)
            goto bad_suggest;
        p->suggest = m;
        return true;
    bad_suggest:
        kl_cc_error(C, m, false, "`suggest` maps a wrong value to the allowed one: {\"std\": "
                                 "\"standard\"}");
        return false;
    }
    if (KEY("min"))
        return bound_operand(C, m, scope, &p->min);
    if (KEY("max"))
        return bound_operand(C, m, scope, &p->max);
    if (KEY("equals"))
        return bound_operand(C, m, scope, &p->equals);
    if (KEY("step")) {
        if (!kl_cc_want_number(C, m, &d))
            return false;
        if (!(d > 0)) {
            kl_cc_error(C, m, false, "`step` is a positive number");
            return false;
        }
        p->step = m;
        return true;
    }
    if (KEY("exclusive_min") || KEY("exclusive_max")) {
        if (m->kind != KL_JSON_TRUE && m->kind != KL_JSON_FALSE) {
            kl_cc_error(C, m, false, "expected true or false");
            return false;
        }
        if (KEY("exclusive_min"))
            p->exclusive_min = m->kind == KL_JSON_TRUE;
        else
            p->exclusive_max = m->kind == KL_JSON_TRUE;
        return true;
    }
    if (KEY("paths") || KEY("needs") || KEY("with"))
        return compile_refs_param(C, m, scope, p);
    if (KEY("list"))
        return kl_cc_path(C, m, scope, false, &p->list, NULL);
    if (KEY("base")) {
        if (m->kind != KL_JSON_NUMBER || !kl_node_int64(m, &p->base)) {
            kl_cc_error(C, m, false, "`base` is an integer (0 or 1)");
            return false;
        }
        return true;
    }
    if (KEY("tokens"))
        return compile_tokens(C, m, scope, p);
    if (KEY("schemes") || KEY("extensions")) {
        if (!kl_cc_strings(C, m))
            return false;
        p->strings = m;
        return true;
    }
    if (KEY("mime")) {
        if (!kl_cc_strings(C, m))
            return false;
        p->mimes = m;
        return true;
    }
    if (KEY("min_side"))
        return kl_cc_want_number(C, m, &p->min_side);
    if (KEY("max_side"))
        return kl_cc_want_number(C, m, &p->max_side);
    if (KEY("min_aspect"))
        return kl_cc_want_number(C, m, &p->min_aspect);
    if (KEY("max_aspect"))
        return kl_cc_want_number(C, m, &p->max_aspect);
    if (KEY("that")) {
        p->that = kl_cc_cond(C, m, scope);
        return p->that >= 0;
    }
    if (KEY("where"))
        return true; /* compiled after `paths`, whose items it tests */
#undef KEY
    kl_cc_error(C, m, true, "unknown parameter `%.*s`", (int)kl, k);
    return false;
}

static bool compile_related(kl_cc *C, kl_row *r, const kl_node *v, uint16_t scope)
{
    uint32_t n = v->kind == KL_JSON_ARRAY ? v->len : 1;
    r->related = kl_cc_alloc(C, n * sizeof(*r->related));
    if (r->related == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        const kl_node *e = v->kind == KL_JSON_ARRAY ? &v->u.children[i] : v;
        const kl_node *pn = e;
        if (e->kind == KL_JSON_OBJECT) {
            if (!kl_cc_entry(C, e, "a related place", "a path or {\"path\", \"message\"}",
                             "path message", "path"))
                return false;
            pn = KL_CC_GET(e, "path");
            const kl_node *msg = KL_CC_GET(e, "message");
            if (msg && !kl_cc_want_string(C, msg, "`message`"))
                return false;
            r->related[i].message = kl_cc_str(C, msg);
        }
        if (!kl_cc_path(C, pn, scope, false, &r->related[i].ref, NULL))
            return false;
    }
    r->n_related = (uint16_t)n;
    return true;
}

/* The members of a row object this file reads, picked in one pass (kl_cc_pick). */
enum {
    R_CHECK,
    R_AT,
    R_ID,
    R_DOC,
    R_SEVERITY,
    R_SOURCE,
    R_SUMMARY,
    R_EXPLAIN,
    R_WHEN,
    R_WHERE,
    R_RELATED,
    R_MESSAGE,
    R_FIX,
    R_COUNT
};
static const kl_cc_name row_names[R_COUNT] = {
    KL_CC_NAME("check"),   KL_CC_NAME("at"),      KL_CC_NAME("id"),      KL_CC_NAME("doc"),
    KL_CC_NAME("severity"), KL_CC_NAME("source"), KL_CC_NAME("summary"), KL_CC_NAME("explain"),
    KL_CC_NAME("when"),    KL_CC_NAME("where"),   KL_CC_NAME("related"), KL_CC_NAME("message"),
    KL_CC_NAME("fix"),
};

/* Compile one row for one `at`; false on error or when skipped. `mb`: the members of row
 * object `obj` picked by row_names. */
static bool compile_row_at(kl_cc *C, const kl_node *obj, const kl_node *const *mb,
                           const kl_check_ops *ops, const kl_node *atn)
{
    kl_row tmp;
    kl_row *r = &tmp;
    kl_cc_row_init(r);
    r->check = ops;
    r->spec = obj;
    r->overlay = C->overlay;

    kl_ref at = {0, false};
    bool crossed = false;
    C->reach = KL_NONE;
    if (atn != NULL && !kl_cc_path(C, atn, KL_NONE, true, &at, &crossed))
        return false;
    r->at = at.field;
    if (strcmp(ops->name, "sum") == 0) {
        /* A sum is over every item: the row runs once, at the list. */
        uint16_t item = C->b->fields[at.field].anchor;
        if (!crossed || item == KL_NONE) {
            kl_cc_error(C, atn, false, "`sum` takes a path through a list: \"list[*].field\"");
            return false;
        }
        uint16_t list = C->b->fields[item].parent;
        r->at = list;
        r->p.list.field = at.field;
        r->p.list.rel = C->b->fields[list].anchor != KL_NONE;
    }
    uint16_t scope = C->b->fields[r->at].anchor;

    const kl_node *v = mb[R_ID];
    if (v == NULL) {
        kl_cc_error(C, obj, false, "a row needs `id`: the rule id its findings carry");
        return false;
    }
    if (!kl_cc_want_string(C, v, "`id`") || !kl_cc_rule_id_declared(C, v))
        return false;
    r->id = kl_cc_str(C, v);
    v = mb[R_DOC];
    if (v == NULL) {
        kl_cc_error(C, obj, false, "a row needs `doc`: the constraints-doc id it implements");
        return false;
    }
    r->doc = kl_cc_joined(C, v, "`doc`");
    v = mb[R_SEVERITY];
    if (v == NULL) {
        kl_cc_error(C, obj, false, "a row needs `severity`");
        return false;
    }
    if (!kl_cc_severity(C, v, &r->severity))
        return false;
    r->source = kl_cc_joined(C, mb[R_SOURCE], "`source`");
    if ((v = mb[R_SUMMARY]) != NULL) {
        if (!kl_cc_want_string(C, v, "`summary`"))
            return false;
        r->summary = kl_cc_str(C, v);
    }
    if ((v = mb[R_EXPLAIN]) != NULL) {
        if (!kl_cc_want_string(C, v, "`explain`"))
            return false;
        r->explain = kl_cc_str(C, v);
    }
    if ((v = mb[R_WHEN]) != NULL) {
        r->when = kl_cc_cond(C, v, scope);
        if (r->when < 0)
            return false;
    }
    /* Parameters: every key the check takes. */
    for (uint32_t i = 0; i < obj->len; i++) {
        const kl_node *m = &obj->u.children[i];
        if (kl_cc_word_in(ops->params, m->key, m->key_len) && !kl_cc_param(C, r, m, scope))
            return false;
    }
    const kl_node *where = mb[R_WHERE];
    if (where != NULL) {
        uint16_t list = r->p.n_paths == 1 ? r->p.paths[0].field : r->at;
        if (r->p.n_paths > 1) {
            kl_cc_error(C, where, true, "`where` tests the items of one list only");
            return false;
        }
        uint16_t item = kl_cc_item_of(C, list);
        if (item == KL_NONE) {
            kl_cc_error(C, where, true, "declare the items (`[*]`) of the list to test them");
            return false;
        }
        r->p.where = kl_cc_cond(C, where, item);
        if (r->p.where < 0)
            return false;
    }
    if ((v = mb[R_RELATED]) != NULL && !compile_related(C, r, v, scope))
        return false;
    if ((v = mb[R_MESSAGE]) != NULL && !kl_cc_tmpl(C, v, scope, &r->message))
        return false;
    if ((v = mb[R_FIX]) != NULL && !kl_cc_fix(C, v, scope, &r->fix))
        return false;

    return kl_cc_add_row(C, r);
}

void kl_cc_row(kl_cc *C, const kl_node *obj)
{
    if (obj->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, obj, false, "a row is an object");
        return;
    }
    const kl_node *mb[R_COUNT];
    kl_cc_pick(obj, row_names, R_COUNT, mb);
    const kl_node *chk = mb[R_CHECK];
    if (chk == NULL) {
        kl_cc_error(C, obj, false, "a row needs `check`: the check it runs");
        return;
    }
    if (!kl_cc_want_string(C, chk, "`check`"))
        return;
    const kl_check_ops *ops = kl_check_find(chk->u.str, chk->len);
    if (ops == NULL) {
        kl_buf names = KL_BUF_INIT;
        for (size_t i = 0; i < kl_n_checks; i++)
            kl_buf_printf(&names, "%s%s", i ? ", " : "", kl_checks[i]->name);
        kl_cc_error(C, chk, false, "unknown check `%.*s` (checks: %s)", (int)chk->len,
                    chk->u.str, kl_buf_cstr(&names));
        kl_buf_dispose(&names);
        return;
    }
    if (!kl_cc_keys(C, obj, "a row", ROW_KEYS " where", ops->params))
        return;
    /* Required parameters. */
    const char *s = C->file->trusted ? NULL : ops->required;
    while (s && *s) {
        const char *e = strchr(s, ' ');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (kl_cc_get(obj, s, len) == NULL) {
            kl_cc_error(C, obj, false, "check `%s` needs `%.*s`", ops->name, (int)len, s);
            return;
        }
        s = e ? e + 1 : s + len;
    }
    const kl_node *at = mb[R_AT];
    if (at == NULL && !ops->at_optional) {
        kl_cc_error(C, obj, false, "check `%s` needs `at`: the place it checks", ops->name);
        return;
    }
    if (at && at->kind == KL_JSON_ARRAY &&
        !kl_cc_list(C, at, true, "`at` is a path or a non-empty list of paths"))
        return;
    uint32_t n = (at && at->kind == KL_JSON_ARRAY) ? at->len : 1;
    for (uint32_t i = 0; i < n; i++) {
        const kl_node *atn = at ? (at->kind == KL_JSON_ARRAY ? &at->u.children[i] : at) : NULL;
        C->missing = false;
        compile_row_at(C, obj, mb, ops, atn);
    }
}

