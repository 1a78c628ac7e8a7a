/*
 * Words and places: message templates filled from a finding, values shown
 * as JSON, and the paths and spans of nodes — including nodes of JSON held
 * inside a string, whose paths continue the string's path and whose spans
 * are mapped back to the exact characters of the linted file.
 */
#include <string.h>

#include "engine.h"
#include "klint/path.h"
#include "utf8.h"

enum { VALUE_CLIP = 40 };

/* ---- Places ------------------------------------------------------------- */

static const kl_node *doc_root(const kl_node *n)
{
    while (n->parent)
        n = n->parent;
    return n;
}

static const kl_parsed *parsed_by_root(kl_ctx *c, const kl_node *root)
{
    return kl_parsed_by_root(c, root);
}

bool kl_node_is_inner(kl_ctx *c, const kl_node *node)
{
    return node != NULL && doc_root(node) != c->root;
}

uint32_t kl_map_offset(kl_ctx *c, const kl_node *node, uint32_t off)
{
    for (int guard = 0; guard < 64; guard++) {
        const kl_node *r = doc_root(node);
        if (r == c->root)
            return off;
        const kl_parsed *ps = parsed_by_root(c, r);
        if (ps == NULL)
            return off;
        off = kl_node_string_source_offset(ps->outer, ps->outer_src, off);
        node = ps->outer;
    }
    return off;
}

void kl_node_path(kl_ctx *c, kl_buf *b, const kl_node *node)
{
    const kl_node *r = doc_root(node);
    const kl_parsed *ps = r == c->root ? NULL : parsed_by_root(c, r);
    if (ps != NULL)
        kl_node_path(c, b, ps->outer);
    size_t skip = (ps != NULL) ? 1 : 0; /* an inner path continues the string's: drop its '$' */
    /* Usually short and shallow: the steps from the root down, each written once. */
    const kl_node *up[32];
    size_t depth = 0;
    bool deep = false;
    for (const kl_node *x = node; x->parent != NULL && !deep; x = x->parent) {
        if (depth == sizeof(up) / sizeof(up[0]))
            deep = true;
        else
            up[depth++] = x;
    }
    char small[256] = "$";
    size_t n = 1;
    for (size_t i = depth; !deep && i-- > 0 && n < sizeof(small);) {
        const kl_node *x = up[i];
        n = x->parent->kind == KL_JSON_OBJECT
                ? kl_path_append_member(small, sizeof(small), n, x->key, x->key_len)
                : kl_path_append_index(small, sizeof(small), n, kl_node_index(x));
    }
    if (!deep && n < sizeof(small)) {
        kl_buf_put(b, small + skip, n - skip);
        return;
    }
    n = kl_path_of(node, NULL, 0);
    kl_buf big = KL_BUF_INIT;
    if (!kl_buf_reserve(&big, n + 1)) {
        b->failed = true;
        return;
    }
    kl_path_of(node, big.ptr, n + 1);
    kl_buf_put(b, big.ptr + skip, n - skip);
    kl_buf_dispose(&big);
}

kl_span kl_node_span(kl_ctx *c, const kl_node *node, bool key)
{
    kl_span s = (key && node->key != NULL) ? node->key_span : node->span;
    if (doc_root(node) != c->root) {
        s.start = kl_map_offset(c, node, s.start);
        s.end = kl_map_offset(c, node, s.end);
        if (s.end < s.start)
            s.end = s.start;
    }
    return s;
}

void kl_msg_place_name(kl_ctx *c, kl_buf *b, const kl_node *node, uint16_t field)
{
    if (node != NULL) {
        if (node->key != NULL) {
            kl_buf_put(b, node->key, node->key_len);
            return;
        }
        if (node->parent != NULL) {
            kl_buf_printf(b, "[%zu]", kl_node_index(node));
            return;
        }
        const kl_parsed *ps = parsed_by_root(c, node);
        if (ps != NULL && node != c->root) {
            kl_msg_place_name(c, b, ps->outer, KL_NONE);
            return;
        }
    }
    /* No node: the field's own name, or its list's for an item. */
    while (field != KL_NONE) {
        const kl_field *fl = &c->p->fields[field];
        if (fl->step == KL_STEP_MEMBER) {
            kl_buf_put(b, fl->name, fl->name_len);
            return;
        }
        if (fl->step == KL_STEP_ROOT)
            break;
        field = fl->parent;
    }
    kl_buf_puts(b, "the request");
}

/* ---- Values --------------------------------------------------------------- */

static void put_items(kl_buf *b, const kl_node *n);

/* A value as JSON text: in full when `clip` is 0; else a string or a number clipped to `clip`
 * characters (a string never inside one) and an array or an object summarised. */
static void put_value(kl_buf *b, const kl_node *n, size_t clip)
{
    switch (n->kind) {
    case KL_JSON_STRING: {
        size_t at = clip ? 0 : n->len, chars = 0;
        while (at < n->len && chars < clip) {
            at += kl_utf8_seq_len((unsigned char)n->u.str[at]);
            chars++;
        }
        if (at > n->len)
            at = n->len;
        kl_buf_putc(b, '"');
        kl_buf_put_json_escaped(b, n->u.str, at);
        if (at < n->len)
            kl_buf_puts(b, "\xe2\x80\xa6");
        kl_buf_putc(b, '"');
        break;
    }
    case KL_JSON_NUMBER:
        kl_buf_put(b, n->u.str, clip && n->len > clip ? clip : n->len);
        break;
    case KL_JSON_TRUE:
        kl_buf_puts(b, "true");
        break;
    case KL_JSON_FALSE:
        kl_buf_puts(b, "false");
        break;
    case KL_JSON_NULL:
        kl_buf_puts(b, "null");
        break;
    case KL_JSON_ARRAY:
        if (clip)
            kl_buf_printf(b, "[\xe2\x80\xa6] (%u item%s)", n->len, n->len == 1 ? "" : "s");
        else
            put_items(b, n);
        break;
    case KL_JSON_OBJECT:
        if (clip)
            kl_buf_puts(b, "{\xe2\x80\xa6}");
        else
            put_items(b, n);
        break;
    default:
        break;
    }
}

/* The members or items of an object or an array, in full. */
static void put_items(kl_buf *b, const kl_node *n)
{
    bool obj = n->kind == KL_JSON_OBJECT;
    kl_buf_putc(b, obj ? '{' : '[');
    for (uint32_t i = 0; i < n->len; i++) {
        const kl_node *m = &n->u.children[i];
        if (i)
            kl_buf_puts(b, ", ");
        if (obj) {
            kl_buf_putc(b, '"');
            kl_buf_put_json_escaped(b, m->key, m->key_len);
            kl_buf_puts(b, "\": ");
        }
        put_value(b, m, 0);
    }
    kl_buf_putc(b, obj ? '}' : ']');
}

void kl_msg_value(kl_buf *b, const kl_node *n, bool defaulted)
{
    if (n == NULL) {
        kl_buf_puts(b, "(nothing)");
        return;
    }
    put_value(b, n, VALUE_CLIP);
    if (defaulted)
        kl_buf_puts(b, " (the default)");
}

void kl_msg_json(kl_buf *b, const kl_node *n)
{
    put_value(b, n, 0);
}

void kl_msg_list(kl_buf *b, const kl_node *array)
{
    for (uint32_t i = 0; array && i < array->len; i++) {
        if (i)
            kl_buf_puts(b, ", ");
        kl_msg_value(b, &array->u.children[i], false);
    }
}

/* ---- Templates -------------------------------------------------------------- */

static void put_or(kl_buf *b, const char *s)
{
    kl_buf_puts(b, s ? s : "?");
}

bool kl_msg_fillable(const kl_tmpl *t, const kl_finding *f)
{
    for (uint16_t i = 0; i < t->n_segs; i++) {
        const char *fact = "";
        switch (t->segs[i].kind) {
        case KL_PH_TYPE:
            fact = f->type;
            break;
        case KL_PH_FOUND_TYPE:
            fact = f->found_type;
            break;
        case KL_PH_FOUND:
            fact = f->found;
            break;
        case KL_PH_ALLOWED:
            fact = f->allowed;
            break;
        case KL_PH_MIN:
            fact = f->min;
            break;
        case KL_PH_MAX:
            fact = f->max;
            break;
        case KL_PH_RANGE:
            fact = f->range;
            break;
        case KL_PH_COUNT:
            fact = f->count;
            break;
        case KL_PH_SUM:
            fact = f->sum;
            break;
        case KL_PH_EXPECTED:
            fact = f->expected.node ? "" : NULL;
            break;
        case KL_PH_TOKEN:
            fact = f->token;
            break;
        case KL_PH_N:
            fact = f->n;
            break;
        case KL_PH_LIST:
            fact = f->list;
            break;
        case KL_PH_OTHER:
            fact = f->other;
            break;
        case KL_PH_NAMES:
            fact = f->names;
            break;
        default:
            break; /* places, values and the profile are always known */
        }
        if (fact == NULL)
            return false;
    }
    return true;
}

void kl_msg_render(kl_ctx *c, kl_buf *b, const kl_tmpl *t, const kl_finding *f)
{
    for (uint16_t i = 0; i < t->n_segs; i++) {
        const kl_seg *s = &t->segs[i];
        switch (s->kind) {
        case KL_PH_TEXT:
            kl_buf_put(b, s->text, s->len);
            break;
        case KL_PH_FIELD:
            kl_msg_place_name(c, b, f->node, f->field);
            break;
        case KL_PH_PATH:
            if (f->node)
                kl_node_path(c, b, f->node);
            else
                kl_msg_place_name(c, b, NULL, f->field);
            break;
        case KL_PH_VALUE:
            kl_msg_value(b, f->value.node, f->value.defaulted);
            break;
        case KL_PH_VALUE_AT: {
            kl_val v = kl_effective(c, s->ref);
            kl_msg_value(b, v.node, v.defaulted);
            break;
        }
        case KL_PH_FIELD_AT:
            kl_msg_place_name(c, b, NULL, s->ref.field);
            break;
        case KL_PH_TYPE:
            put_or(b, f->type);
            break;
        case KL_PH_FOUND_TYPE:
            put_or(b, f->found_type);
            break;
        case KL_PH_FOUND:
            put_or(b, f->found);
            break;
        case KL_PH_ALLOWED:
            put_or(b, f->allowed);
            break;
        case KL_PH_MIN:
            put_or(b, f->min);
            break;
        case KL_PH_MAX:
            put_or(b, f->max);
            break;
        case KL_PH_RANGE:
            put_or(b, f->range);
            break;
        case KL_PH_COUNT:
            put_or(b, f->count);
            break;
        case KL_PH_SUM:
            put_or(b, f->sum);
            break;
        case KL_PH_EXPECTED:
            kl_msg_value(b, f->expected.node, f->expected.defaulted);
            break;
        case KL_PH_TOKEN:
            put_or(b, f->token);
            break;
        case KL_PH_N:
            put_or(b, f->n);
            break;
        case KL_PH_LIST:
            put_or(b, f->list);
            break;
        case KL_PH_OTHER:
            put_or(b, f->other);
            break;
        case KL_PH_NAMES:
            put_or(b, f->names);
            break;
        case KL_PH_PROFILE:
            put_or(b, c->p ? c->p->id : NULL);
            break;
        case KL_PH_PROVIDER:
            put_or(b, c->p ? c->p->provider : NULL);
            break;
        default:
            break;
        }
    }
}
