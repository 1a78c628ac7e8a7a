/*
 * The rows a field's attributes imply: `type`, `required`, `enum`,
 * `min`/`max`/`step`, the `_length` and `_items` pairs, `schemes`,
 * `media`, `max_bytes` and `image` each become one row of the matching
 * check at the field (rule id, doc, severity, message and fix overridable
 * in the attribute's object form), with the field's doc, severity and
 * source, inherited by a json-string's parsed child. A field with checks
 * must say which constraints-doc ids they implement.
 */
#include "rules_cc.h"

#include <string.h>

#include "checks.h"

#define OVERRIDE_KEYS "rule doc severity message fix source"

/* A field attribute: its node, the value it gives, and its object form (for overrides). */
typedef struct attr {
    const kl_node *node;
    const kl_node *value;
    const kl_node *obj;
} attr;

/* The members of a field spec this file reads, picked in one pass (kl_cc_pick). */
enum {
    A_REQUIRED,
    A_TYPE,
    A_ENUM,
    A_MIN,
    A_MAX,
    A_STEP,
    A_MIN_LENGTH,
    A_MAX_LENGTH,
    A_MIN_ITEMS,
    A_MAX_ITEMS,
    A_SCHEMES,
    A_MEDIA,
    A_MAX_BYTES,
    A_IMAGE,
    A_DOC,
    A_SOURCE,
    A_SEVERITY,
    A_COUNT
};
static const kl_cc_name attr_names[A_COUNT] = {
    KL_CC_NAME("required"),   KL_CC_NAME("type"),       KL_CC_NAME("enum"),
    KL_CC_NAME("min"),        KL_CC_NAME("max"),        KL_CC_NAME("step"),
    KL_CC_NAME("min_length"), KL_CC_NAME("max_length"), KL_CC_NAME("min_items"),
    KL_CC_NAME("max_items"),  KL_CC_NAME("schemes"),    KL_CC_NAME("media"),
    KL_CC_NAME("max_bytes"),  KL_CC_NAME("image"),      KL_CC_NAME("doc"),
    KL_CC_NAME("source"),     KL_CC_NAME("severity"),
};

/* Attribute `key` of a field spec, `n` (NULL when the spec has none). */
static bool attr_get(kl_cc *C, const kl_node *n, const char *key, bool object_valued,
                     const char *extra, attr *out)
{
    memset(out, 0, sizeof(*out));
    if (n == NULL)
        return false;
    out->node = n;
    if (object_valued) {
        if (n->kind != KL_JSON_OBJECT) {
            kl_cc_error(C, n, false, "`%s` is an object", key);
            return false;
        }
        if (!kl_cc_keys(C, n, key, extra, OVERRIDE_KEYS))
            return false;
        out->obj = n;
        out->value = n;
        return true;
    }
    if (n->kind == KL_JSON_OBJECT) {
        if (!kl_cc_keys(C, n, key, extra ? extra : "value", OVERRIDE_KEYS " value"))
            return false;
        out->obj = n;
        out->value = KL_CC_GET(n, "value");
        if (out->value == NULL) {
            kl_cc_error(C, n, false, "`%s` in object form needs `value`", key);
            return false;
        }
        return true;
    }
    out->value = n;
    return true;
}

/* Field-level defaults of implied checks: doc, severity, source. */
typedef struct fdefaults {
    const char *doc;
    const char *source;
    kl_severity sev;
} fdefaults;

/* The check named `check` (a string literal of this file), looked up once per compilation. */
static const kl_check_ops *implied_check(kl_cc *C, const char *check)
{
    for (uint8_t i = 0; i < C->n_implied_checks; i++)
        if (C->implied_checks[i].name == check)
            return C->implied_checks[i].ops;
    const kl_check_ops *ops = kl_check_find(check, strlen(check));
    if (ops != NULL && C->n_implied_checks < sizeof(C->implied_checks) / sizeof(C->implied_checks[0])) {
        C->implied_checks[C->n_implied_checks].name = check;
        C->implied_checks[C->n_implied_checks++].ops = ops;
    }
    return ops;
}

static void start_implied(kl_cc *C, kl_row *r, uint16_t f, const char *check, const char *rule,
                          const fdefaults *fd, const kl_node *spec)
{
    kl_cc_row_init(r);
    r->check = implied_check(C, check);
    r->id = rule;
    r->at = f;
    r->implied = true;
    r->doc = fd->doc;
    r->source = fd->source;
    r->severity = fd->sev;
    r->spec = spec;
    r->overlay = C->overlay;
    if (r->check == NULL)
        C->failed = true;
    C->reach = KL_NONE; /* the paths of its overrides (message, fix) are folded in from here */
}

static bool apply_overrides(kl_cc *C, kl_row *r, const kl_node *obj)
{
    if (obj == NULL)
        return true;
    uint16_t scope = C->b->fields[r->at].anchor;
    const kl_node *v;
    if ((v = KL_CC_GET(obj, "rule")) != NULL) {
        if (!kl_cc_want_string(C, v, "`rule`") || !kl_cc_rule_id_declared(C, v))
            return false;
        r->id = kl_cc_str(C, v);
    }
    if ((v = KL_CC_GET(obj, "doc")) != NULL)
        r->doc = kl_cc_joined(C, v, "`doc`");
    if ((v = KL_CC_GET(obj, "source")) != NULL)
        r->source = kl_cc_joined(C, v, "`source`");
    if ((v = KL_CC_GET(obj, "severity")) != NULL && !kl_cc_severity(C, v, &r->severity))
        return false;
    if ((v = KL_CC_GET(obj, "message")) != NULL && !kl_cc_tmpl(C, v, scope, &r->message))
        return false;
    if ((v = KL_CC_GET(obj, "fix")) != NULL && !kl_cc_fix(C, v, scope, &r->fix))
        return false;
    return true;
}

static bool lit_bound(kl_cc *C, const kl_node *v, kl_operand *op)
{
    double d;
    if (!kl_cc_want_number(C, v, &d))
        return false;
    op->kind = KL_OP_LIT;
    op->lit = v;
    return true;
}

/* The check parameters among the members of an attribute's object form (NULL: none). */
static bool attr_params(kl_cc *C, kl_row *r, const kl_node *obj, const char *keys)
{
    for (uint32_t i = 0; obj != NULL && i < obj->len; i++) {
        const kl_node *m = &obj->u.children[i];
        if (kl_cc_word_in(keys, m->key, m->key_len) && !kl_cc_param(C, r, m, KL_NONE))
            return false;
    }
    return true;
}

/* Implied rows from a field's attributes (the members `at` picked from the field's spec or
 * its `parsed` spec). */
static void implied_rows(kl_cc *C, uint16_t f, const kl_node *const *at, const fdefaults *fd)
{
    attr a, b, s;
    kl_row r;

    if (attr_get(C, at[A_REQUIRED], "required", false, NULL, &a)) {
        if (a.value->kind != KL_JSON_TRUE && a.value->kind != KL_JSON_FALSE) {
            kl_cc_error(C, a.value, false, "`required` is true or false");
            return;
        }
        if (a.value->kind == KL_JSON_TRUE) {
            start_implied(C, &r, f, "required", "required", fd, a.node);
            if (!apply_overrides(C, &r, a.obj) || !kl_cc_add_row(C, &r))
                return;
        }
    }
    if (attr_get(C, at[A_TYPE], "type", false, "value near", &a)) {
        start_implied(C, &r, f, "type", "type", fd, a.node);
        r.p.types = C->b->fields[f].types;
        const kl_node *near = a.obj ? KL_CC_GET(a.obj, "near") : NULL;
        if (near && !kl_cc_param(C, &r, near, KL_NONE))
            return;
        C->b->fields[f].near_types = r.p.near_types;
        if (!apply_overrides(C, &r, a.obj) || !kl_cc_add_row(C, &r))
            return;
    }
    if (attr_get(C, at[A_ENUM], "enum", false, "value case_mismatch suggest", &a)) {
        start_implied(C, &r, f, "enum", "enum", fd, a.node);
        if (a.value->kind != KL_JSON_ARRAY || a.value->len == 0) {
            kl_cc_error(C, a.value, false, "`enum` is a non-empty list of values");
            return;
        }
        r.p.values = a.value;
        if (!attr_params(C, &r, a.obj, "case_mismatch suggest"))
            return;
        if (!apply_overrides(C, &r, a.obj) || !kl_cc_add_row(C, &r))
            return;
    }
    {
        attr lo, hi, st;
        bool has_lo = attr_get(C, at[A_MIN], "min", false, NULL, &lo);
        bool has_hi = attr_get(C, at[A_MAX], "max", false, NULL, &hi);
        bool has_st = attr_get(C, at[A_STEP], "step", false, NULL, &st);
        if (has_lo || has_hi || has_st) {
            start_implied(C, &r, f, "range", "range", fd,
                          has_lo ? lo.node : has_hi ? hi.node : st.node);
            if ((has_lo && !lit_bound(C, lo.value, &r.p.min)) ||
                (has_hi && !lit_bound(C, hi.value, &r.p.max)))
                return;
            if (has_st) {
                double d;
                if (!kl_cc_want_number(C, st.value, &d) || !(d > 0)) {
                    kl_cc_error(C, st.value, false, "`step` is a positive number");
                    return;
                }
                r.p.step = st.value;
            }
            if ((has_lo && !apply_overrides(C, &r, lo.obj)) ||
                (has_hi && !apply_overrides(C, &r, hi.obj)) ||
                (has_st && !apply_overrides(C, &r, st.obj)) || !kl_cc_add_row(C, &r))
                return;
        }
    }
    static const struct {
        int lo, hi;
        const char *check, *rule;
    } pairs[] = {
        {A_MIN_LENGTH, A_MAX_LENGTH, "length", "length"},
        {A_MIN_ITEMS, A_MAX_ITEMS, "count", "item-count"},
    };
    for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
        int lo = pairs[k].lo, hi = pairs[k].hi;
        bool has_lo = attr_get(C, at[lo], attr_names[lo].s, false, NULL, &a);
        bool has_hi = attr_get(C, at[hi], attr_names[hi].s, false, NULL, &b);
        if (!has_lo && !has_hi)
            continue;
        start_implied(C, &r, f, pairs[k].check, pairs[k].rule, fd, has_lo ? a.node : b.node);
        if ((has_lo && !lit_bound(C, a.value, &r.p.min)) ||
            (has_hi && !lit_bound(C, b.value, &r.p.max)))
            return;
        if ((has_lo && !apply_overrides(C, &r, a.obj)) ||
            (has_hi && !apply_overrides(C, &r, b.obj)) || !kl_cc_add_row(C, &r))
            return;
    }
    if (attr_get(C, at[A_SCHEMES], "schemes", false, NULL, &s)) {
        start_implied(C, &r, f, "uri-scheme", "uri-scheme", fd, s.node);
        if (!kl_cc_strings(C, s.value))
            return;
        r.p.strings = s.value;
        if (!apply_overrides(C, &r, s.obj) || !kl_cc_add_row(C, &r))
            return;
    }
    if (attr_get(C, at[A_MEDIA], "media", true, "extensions mime", &s)) {
        start_implied(C, &r, f, "media-type", "media-type", fd, s.node);
        if (!attr_params(C, &r, s.obj, "extensions mime"))
            return;
        if (!apply_overrides(C, &r, s.obj) || !kl_cc_add_row(C, &r))
            return;
    }
    if (attr_get(C, at[A_MAX_BYTES], "max_bytes", false, NULL, &s)) {
        start_implied(C, &r, f, "data-uri-size", "data-uri-size", fd, s.node);
        if (!lit_bound(C, s.value, &r.p.max))
            return;
        if (!apply_overrides(C, &r, s.obj) || !kl_cc_add_row(C, &r))
            return;
    }
    if (attr_get(C, at[A_IMAGE], "image", true, "min_side max_side min_aspect max_aspect", &s)) {
        start_implied(C, &r, f, "image-dimensions", "image-dimensions", fd, s.node);
        if (!attr_params(C, &r, s.obj, "min_side max_side min_aspect max_aspect"))
            return;
        if (!apply_overrides(C, &r, s.obj) || !kl_cc_add_row(C, &r))
            return;
    }
}

void kl_cc_implied(kl_cc *C, uint16_t f)
{
    const kl_node *owner = C->b->field_specs[f];
    if (owner == NULL)
        return;
    fdefaults fd;
    const kl_field *fl = &C->b->fields[f];
    /* A parsed child inherits its string field's doc, severity and source. */
    const kl_node *outer = fl->step == KL_STEP_PARSED ? C->b->field_specs[fl->parent] : NULL;
    const kl_node *at[A_COUNT];
    kl_cc_pick(owner, attr_names, A_COUNT, at);
    if (outer == NULL) {
        /* Its own spec's `doc` and `source`, joined already (pass 1 of rules_field.c). */
        fd.doc = fl->doc;
        fd.source = fl->source;
    } else {
        fd.doc = kl_cc_joined(C, at[A_DOC], "`doc`");
        if (fd.doc == NULL)
            fd.doc = C->b->fields[fl->parent].doc;
        fd.source = kl_cc_joined(C, at[A_SOURCE], "`source`");
        if (fd.source == NULL)
            fd.source = C->b->fields[fl->parent].source;
    }
    fd.sev = KL_SEV_ERROR;
    const kl_node *v = at[A_SEVERITY];
    if (v == NULL && outer)
        v = KL_CC_GET(outer, "severity");
    if (v && !kl_cc_severity(C, v, &fd.sev))
        return;
    if (fd.doc == NULL && fl->declared && fl->step != KL_STEP_ROOT) {
        /* Checks must be traceable; a field with checks but no doc says why not. */
        static const char *const checked[] = {"required", "enum", "min", "max", "step",
                                              "min_length", "max_length", "min_items",
                                              "max_items", "schemes", "media", "max_bytes",
                                              "image"};
        for (size_t i = 0; i < sizeof(checked) / sizeof(checked[0]); i++) {
            if (kl_cc_get(owner, checked[i], strlen(checked[i])) != NULL) {
                kl_cc_error(C, owner, false,
                            "a field with checks needs `doc`: the constraints-doc id (or field "
                            "table) they implement");
                return;
            }
        }
    }
    implied_rows(C, f, at, &fd);
}
