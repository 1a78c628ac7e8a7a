/*
 * Conditions and values: evaluating the compiled condition trees of a
 * profile against one document, and the type and number semantics every
 * check shares (what "integer", "numeric string" and "equal" mean).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* ---- Types ------------------------------------------------------------ */

static const struct {
    const char *name;
    uint32_t bit;
    const char *phrase;
} type_names[] = {
    {"string", KL_T_STRING, "a string"},
    {"numeric-string", KL_T_NUMSTR, "a string of decimal digits"},
    {"json-string", KL_T_JSONSTR, "a string holding JSON"},
    {"integer", KL_T_INTEGER, "an integer"},
    {"integer-valued", KL_T_INTVAL, "a number with an integer value"},
    {"number", KL_T_NUMBER, "a number"},
    {"boolean", KL_T_BOOLEAN, "a boolean"},
    {"object", KL_T_OBJECT, "an object"},
    {"array", KL_T_ARRAY, "an array"},
    {"null", KL_T_NULL, "null"},
};

uint32_t kl_type_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (strcmp(type_names[i].name, name) == 0)
            return type_names[i].bit;
    return 0;
}

const char *kl_type_phrase(uint32_t bit)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (type_names[i].bit == bit)
            return type_names[i].phrase;
    return "a value";
}

const char *kl_type_name(uint32_t bit)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (type_names[i].bit == bit)
            return type_names[i].name;
    return "?";
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

uint32_t kl_node_types(const kl_node *n)
{
    if (n == NULL)
        return 0;
    switch (n->kind) {
    case KL_JSON_STRING:
        return KL_T_STRING | (all_digits(n->u.str, n->len) ? KL_T_NUMSTR : 0);
    case KL_JSON_NUMBER: {
        uint32_t t = KL_T_NUMBER;
        if (n->flags & KL_NODE_NUM_INTEGER) {
            t |= KL_T_INTEGER | KL_T_INTVAL;
        } else {
            double d;
            if (kl_node_double(n, &d) && isfinite(d) && floor(d) == d)
                t |= KL_T_INTVAL;
        }
        return t;
    }
    case KL_JSON_TRUE:
    case KL_JSON_FALSE:
        return KL_T_BOOLEAN;
    case KL_JSON_OBJECT:
        return KL_T_OBJECT;
    case KL_JSON_ARRAY:
        return KL_T_ARRAY;
    default:
        return KL_T_NULL;
    }
}

const char *kl_node_phrase(const kl_node *n)
{
    if (n == NULL)
        return "missing";
    switch (n->kind) {
    case KL_JSON_STRING:
        if (n->len == 0)
            return "an empty string";
        return all_digits(n->u.str, n->len) ? "a string of digits" : "a string";
    case KL_JSON_NUMBER:
        if (n->flags & KL_NODE_NUM_INTEGER)
            return "an integer";
        return (kl_node_types(n) & KL_T_INTVAL) ? "a number written with a fraction or exponent"
                                                : "a number with a fraction";
    case KL_JSON_TRUE:
    case KL_JSON_FALSE:
        return "a boolean";
    case KL_JSON_OBJECT:
        return "an object";
    case KL_JSON_ARRAY:
        return "an array";
    default:
        return "null";
    }
}

/* ---- Numbers and equality ---------------------------------------------- */

bool kl_node_number(const kl_node *n, double *out)
{
    if (n == NULL)
        return false;
    if (n->kind == KL_JSON_NUMBER) {
        int64_t i;
        if (kl_node_int64(n, &i)) {
            *out = (double)i;
            return true;
        }
        return kl_node_double(n, out);
    }
    if (n->kind == KL_JSON_STRING && all_digits(n->u.str, n->len) && n->len <= 15) {
        double v = 0;
        for (uint32_t i = 0; i < n->len; i++)
            v = v * 10 + (n->u.str[i] - '0');
        *out = v;
        return true;
    }
    return false;
}

bool kl_node_equal(const kl_node *a, const kl_node *b)
{
    if (a == NULL || b == NULL)
        return false;
    if (a->kind == KL_JSON_NUMBER && b->kind == KL_JSON_NUMBER) {
        int64_t x, y;
        if (kl_node_int64(a, &x) && kl_node_int64(b, &y))
            return x == y;
        double dx, dy;
        return kl_node_double(a, &dx) && kl_node_double(b, &dy) && dx == dy;
    }
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case KL_JSON_STRING:
        return a->len == b->len && (a->len == 0 || memcmp(a->u.str, b->u.str, a->len) == 0);
    case KL_JSON_ARRAY:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!kl_node_equal(&a->u.children[i], &b->u.children[i]))
                return false;
        return true;
    case KL_JSON_OBJECT:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++) {
            const kl_node *m = &a->u.children[i];
            if (!kl_node_equal(m, kl_node_get(b, m->key, m->key_len)))
                return false;
        }
        return true;
    default:
        return true;
    }
}

bool kl_is_present(const kl_node *n)
{
    return n != NULL && n->kind != KL_JSON_NULL && !(n->kind == KL_JSON_STRING && n->len == 0);
}

/* ---- Operands ---------------------------------------------------------- */

/* Items of the list at `ref` (the parsed array for a json-string), or NULL. */
static const kl_node *list_at(kl_ctx *c, kl_ref ref)
{
    const kl_node *n = kl_resolve(c, ref);
    n = kl_through_parsed(c, n, ref.field);
    return (n && n->kind == KL_JSON_ARRAY) ? n : NULL;
}

static size_t len_of(kl_ctx *c, kl_ref ref)
{
    const kl_node *n = kl_resolve(c, ref);
    if (!kl_is_present(n))
        return 0;
    const kl_node *v = kl_through_parsed(c, n, ref.field);
    if (v && v->kind == KL_JSON_ARRAY)
        return v->len;
    return v == NULL && c->p->fields[ref.field].parsed_child != KL_NONE ? 0 : 1;
}

/* Bind `@` to each item of `list` (field `item_f`) and count those satisfying `cond`. */
static size_t count_where(kl_ctx *c, const kl_node *list, uint16_t item_f, int32_t cond,
                          bool stop_at_first)
{
    const kl_node *save_item = c->item;
    uint16_t save_f = c->item_field;
    const kl_node *const *save_tab = c->item_tab;
    size_t count = 0;
    for (uint32_t i = 0; list && i < list->len; i++) {
        c->item = &list->u.children[i];
        c->item_field = item_f;
        c->item_tab = kl_item_table_made(c, c->item, item_f);
        if (kl_cond_eval(c, cond)) {
            count++;
            if (stop_at_first)
                break;
        }
    }
    c->item = save_item;
    c->item_field = save_f;
    c->item_tab = save_tab;
    return count;
}

static uint16_t item_field_of(kl_ctx *c, uint16_t f)
{
    const kl_field *fl = &c->p->fields[f];
    if (fl->parsed_child != KL_NONE)
        fl = &c->p->fields[fl->parsed_child];
    return fl->item_child;
}

typedef struct sum_acc {
    double sum;
    size_t n;
} sum_acc;

static bool add_number(kl_ctx *c, const kl_node *n, void *arg)
{
    (void)c;
    sum_acc *acc = arg;
    double d;
    if (kl_node_number(n, &d)) {
        acc->sum += d;
        acc->n++;
    }
    return true;
}

size_t kl_sum_numbers(kl_ctx *c, kl_ref ref, double *sum)
{
    sum_acc acc = {0, 0};
    kl_each(c, ref, add_number, &acc);
    *sum = acc.sum;
    return acc.n;
}

/* kl_operand_eval; a node value is read as a number only when `want_num` (comparing
 * nodes for equality needs no number, and reading one costs a parse). */
static kl_val operand(kl_ctx *c, const kl_operand *op, double *num, bool *is_num, bool want_num)
{
    kl_val v = {NULL, false};
    *is_num = false;
    switch (op->kind) {
    case KL_OP_LIT:
        v.node = op->lit;
        if (want_num && op->lit_is_num) {
            *num = op->lit_num;
            *is_num = true;
        }
        return v;
    case KL_OP_PATH:
        v = kl_effective(c, op->ref);
        break;
    case KL_OP_SENT: {
        const kl_node *n = kl_resolve(c, op->ref);
        if (n && n->kind != KL_JSON_NULL)
            v.node = n;
        break;
    }
    case KL_OP_LEN: {
        size_t total = 0;
        for (uint16_t i = 0; i < op->n_refs; i++)
            total += len_of(c, op->refs[i]);
        *num = (double)total;
        *is_num = true;
        return v;
    }
    case KL_OP_COUNT: {
        const kl_node *list = list_at(c, op->ref);
        *num = (double)count_where(c, list, item_field_of(c, op->ref.field), op->where, false);
        *is_num = true;
        return v;
    }
    case KL_OP_SUM:
        kl_sum_numbers(c, op->ref, num);
        *is_num = true;
        return v;
    default:
        return v;
    }
    if (want_num && v.node && kl_node_number(v.node, num))
        *is_num = true;
    return v;
}

kl_val kl_operand_eval(kl_ctx *c, const kl_operand *op, double *num, bool *is_num)
{
    return operand(c, op, num, is_num, true);
}

/* ---- Conditions -------------------------------------------------------- */

static bool compare(kl_ctx *c, const kl_cond *cd)
{
    double x = 0, y = 0;
    bool xn, yn;
    bool ordering = cd->kind != KL_C_IN && cd->kind != KL_C_EQ && cd->kind != KL_C_NE;
    kl_val a = operand(c, &cd->a, &x, &xn, ordering);
    if (cd->kind == KL_C_IN) {
        for (uint32_t i = 0; i < cd->list->len; i++) {
            const kl_node *e = &cd->list->u.children[i];
            double d;
            if (a.node ? kl_node_equal(a.node, e) : (xn && kl_node_number(e, &d) && d == x))
                return true;
        }
        return false;
    }
    kl_val b = operand(c, &cd->b, &y, &yn, ordering);
    if (cd->kind == KL_C_EQ || cd->kind == KL_C_NE) {
        bool eq;
        if (a.node && b.node) {
            eq = kl_node_equal(a.node, b.node);
        } else {
            /* A count or sum against a number (a node side read as one), or unknown. */
            if (a.node)
                xn = kl_node_number(a.node, &x);
            if (b.node)
                yn = kl_node_number(b.node, &y);
            if (!(xn && yn))
                return false; /* unknown on one side */
            eq = x == y;
        }
        return cd->kind == KL_C_EQ ? eq : !eq;
    }
    /* Ordering compares numbers; a number in a string counts. */
    if (!xn || !yn)
        return false;
    switch (cd->kind) {
    case KL_C_LT:
        return x < y;
    case KL_C_LE:
        return x <= y;
    case KL_C_GT:
        return x > y;
    default:
        return x >= y;
    }
}

bool kl_cond_eval(kl_ctx *c, int32_t idx)
{
    const kl_cond *cd = &c->p->conds[idx];
    switch (cd->kind) {
    case KL_C_TRUE:
        return true;
    case KL_C_FALSE:
        return false;
    case KL_C_PRESENT:
        return kl_is_present(kl_resolve(c, cd->ref));
    case KL_C_ABSENT:
        return !kl_is_present(kl_resolve(c, cd->ref));
    case KL_C_EXISTS:
        return kl_resolve(c, cd->ref) != NULL;
    case KL_C_EQ:
    case KL_C_NE:
    case KL_C_IN:
    case KL_C_LT:
    case KL_C_LE:
    case KL_C_GT:
    case KL_C_GE:
        return compare(c, cd);
    case KL_C_IS: {
        const kl_node *n = kl_resolve(c, cd->ref);
        if (n == NULL)
            return false;
        uint32_t t = kl_node_types(n);
        if ((cd->types & KL_T_JSONSTR) && n->kind == KL_JSON_STRING) {
            const kl_parsed *ps = kl_parsed_of(c, n);
            if (ps && ps->root)
                t |= KL_T_JSONSTR;
        }
        return (t & cd->types) != 0;
    }
    case KL_C_ANY:
    case KL_C_ALL: {
        const kl_node *list = list_at(c, cd->ref);
        uint16_t item = item_field_of(c, cd->ref.field);
        if (cd->kind == KL_C_ANY)
            return count_where(c, list, item, cd->kids[0], true) > 0;
        size_t n = list ? list->len : 0;
        return count_where(c, list, item, cd->kids[0], false) == n;
    }
    case KL_C_KEYS_IN: {
        const kl_node *obj = kl_resolve(c, cd->ref);
        if (obj == NULL || obj->kind != KL_JSON_OBJECT)
            return false;
        for (uint32_t i = 0; i < obj->len; i++) {
            const kl_node *m = &obj->u.children[i];
            bool ok = false;
            for (uint32_t k = 0; k < cd->list->len && !ok; k++) {
                const kl_node *name = &cd->list->u.children[k];
                ok = name->kind == KL_JSON_STRING && name->len == m->key_len &&
                     memcmp(name->u.str, m->key, m->key_len) == 0;
            }
            if (!ok)
                return false;
        }
        return true;
    }
    case KL_C_AND:
        for (uint16_t i = 0; i < cd->n_kids; i++)
            if (!kl_cond_eval(c, cd->kids[i]))
                return false;
        return true;
    case KL_C_OR:
        for (uint16_t i = 0; i < cd->n_kids; i++)
            if (kl_cond_eval(c, cd->kids[i]))
                return true;
        return false;
    case KL_C_NOT:
        return !kl_cond_eval(c, cd->kids[0]);
    default:
        return false;
    }
}
