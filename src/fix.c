/*
 * Fixes: a finding's fix template (set a value, remove a member, rename a
 * key, move a member into another object) turned into byte edits of the
 * linted source. Edits are computed from the spans the loader recorded, so
 * they keep the file's own formatting; no fix is offered inside JSON held
 * in a string (its text would need re-escaping), nor one that would give an
 * object two members of the same name: a fix never makes a payload invalid.
 */
#include <string.h>

#include "engine.h"

/* JSON text of a literal node from a rule file. */
static void put_json(kl_buf *b, const kl_node *n)
{
    switch (n->kind) {
    case KL_JSON_STRING:
        kl_buf_putc(b, '"');
        kl_buf_put_json_escaped(b, n->u.str, n->len);
        kl_buf_putc(b, '"');
        break;
    case KL_JSON_NUMBER:
        kl_buf_put(b, n->u.str, n->len);
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
        kl_buf_putc(b, '[');
        for (uint32_t i = 0; i < n->len; i++) {
            if (i)
                kl_buf_puts(b, ", ");
            put_json(b, &n->u.children[i]);
        }
        kl_buf_putc(b, ']');
        break;
    case KL_JSON_OBJECT:
        kl_buf_putc(b, '{');
        for (uint32_t i = 0; i < n->len; i++) {
            const kl_node *m = &n->u.children[i];
            if (i)
                kl_buf_puts(b, ", ");
            kl_buf_putc(b, '"');
            kl_buf_put_json_escaped(b, m->key, m->key_len);
            kl_buf_puts(b, "\": ");
            put_json(b, m);
        }
        kl_buf_putc(b, '}');
        break;
    default:
        break;
    }
}

/* The bytes to delete to remove member/item `m` together with one comma. */
static kl_span removal(const kl_node *m)
{
    const kl_node *p = m->parent;
    size_t i = kl_node_index(m);
    uint32_t start = m->key ? m->key_span.start : m->span.start;
    if (i + 1 < p->len) {
        const kl_node *next = &p->u.children[i + 1];
        return kl_span_make(start, next->key ? next->key_span.start : next->span.start);
    }
    if (i > 0)
        return kl_span_make(p->u.children[i - 1].span.end, m->span.end);
    return kl_span_make(start, m->span.end);
}

/* Where and what to insert to add `"name": <text>` to object `obj`. */
static void insertion(kl_buf *text, const kl_node *obj, const char *name, size_t name_len,
                      const char *value, size_t value_len, uint32_t *at)
{
    if (obj->len > 0) {
        *at = obj->u.children[obj->len - 1].span.end;
        kl_buf_puts(text, ", ");
    } else {
        *at = obj->span.start + 1;
    }
    kl_buf_putc(text, '"');
    kl_buf_put_json_escaped(text, name, name_len);
    kl_buf_puts(text, "\": ");
    kl_buf_put(text, value, value_len);
}

bool kl_name_taken(const kl_node *obj, const char *name, size_t len, const kl_node *self)
{
    if (obj == NULL || obj->kind != KL_JSON_OBJECT)
        return false;
    for (uint32_t i = 0; i < obj->len; i++) {
        const kl_node *m = &obj->u.children[i];
        if (m != self && m->key_len == len && memcmp(m->key, name, len) == 0)
            return true;
    }
    return false;
}

static const kl_node *holder(kl_ctx *c, const kl_finding *f)
{
    if (f->parent)
        return f->parent;
    uint16_t parent = c->p->fields[f->field].parent;
    if (parent == KL_NONE)
        return NULL;
    kl_ref ref = {parent, c->p->fields[parent].in_item};
    return kl_resolve(c, ref);
}

int kl_fix_build(kl_ctx *c, const kl_finding *f, kl_fix *fix, kl_edit *edits)
{
    if (f->no_fix)
        return 0;
    const kl_fixspec *spec = f->fix ? f->fix : (c->row ? &c->row->fix : NULL);
    kl_fixk kind = spec ? (kl_fixk)spec->kind : KL_FIX_NONE;
    const kl_node *value = spec ? spec->value : NULL;
    const char *name = spec ? spec->name : NULL;
    if (f->fix_node) {
        kind = KL_FIX_SET;
        value = f->fix_node;
    } else if (f->fix_name) {
        kind = KL_FIX_RENAME;
        name = f->fix_name;
    }
    if (kind == KL_FIX_NONE)
        return 0;
    const kl_node *node = f->node;
    if (node && kl_node_is_inner(c, node))
        return 0;

    kl_buf desc = KL_BUF_INIT;
    kl_buf text = KL_BUF_INIT;
    kl_buf field = KL_BUF_INIT;
    kl_msg_place_name(c, &field, node, f->field);
    size_t n_edits = 0;
    int result = 0;

    switch (kind) {
    case KL_FIX_SET: {
        if (value == NULL)
            break;
        put_json(&text, value);
        if (node != NULL) {
            edits[0].span = node->span;
            edits[0].text = kl_keep(c, kl_buf_cstr(&text), text.len);
            n_edits = 1;
        } else {
            const kl_node *obj = holder(c, f);
            const kl_field *fl = &c->p->fields[f->field];
            if (obj == NULL || obj->kind != KL_JSON_OBJECT || kl_node_is_inner(c, obj) ||
                fl->step != KL_STEP_MEMBER)
                break;
            const kl_node *there = kl_node_get(obj, fl->name, fl->name_len);
            if (there != NULL) {
                /* The member is there after all (e.g. `null`): replace its value. */
                edits[0].span = there->span;
                edits[0].text = kl_keep(c, kl_buf_cstr(&text), text.len);
                n_edits = 1;
                kl_buf_printf(&desc, "set `%s` to %s", kl_buf_cstr(&field), kl_buf_cstr(&text));
                break;
            }
            kl_buf ins = KL_BUF_INIT;
            uint32_t at;
            insertion(&ins, obj, fl->name, fl->name_len, kl_buf_cstr(&text), text.len, &at);
            edits[0].span = kl_span_make(at, at);
            edits[0].text = kl_keep(c, kl_buf_cstr(&ins), ins.len);
            kl_buf_dispose(&ins);
            n_edits = 1;
        }
        kl_buf_printf(&desc, "set `%s` to %s", kl_buf_cstr(&field), kl_buf_cstr(&text));
        break;
    }
    case KL_FIX_REMOVE:
        if (node == NULL || node->parent == NULL)
            break;
        edits[0].span = removal(node);
        edits[0].text = "";
        n_edits = 1;
        kl_buf_printf(&desc, "remove `%s`", kl_buf_cstr(&field));
        break;
    case KL_FIX_RENAME:
        if (node == NULL || node->key == NULL || name == NULL ||
            kl_name_taken(node->parent, name, strlen(name), node))
            break;
        kl_buf_putc(&text, '"');
        kl_buf_put_json_escaped(&text, name, strlen(name));
        kl_buf_putc(&text, '"');
        edits[0].span = node->key_span;
        edits[0].text = kl_keep(c, kl_buf_cstr(&text), text.len);
        n_edits = 1;
        kl_buf_printf(&desc, "rename `%s` to `%s`", kl_buf_cstr(&field), name);
        break;
    case KL_FIX_MOVE_INTO: {
        if (node == NULL || node->key == NULL || spec == NULL || spec->target == KL_NONE)
            break;
        /* From the root, not the slot table: unknown keys are reported during the walk,
         * before the walk has reached a target that comes later in the document. */
        const kl_node *obj = c->p->fields[spec->target].in_item
                                 ? NULL
                                 : kl_resolve_from(c, c->root, 0, spec->target);
        if (obj == NULL || obj->kind != KL_JSON_OBJECT || obj == node || obj == node->parent ||
            kl_name_taken(obj, node->key, node->key_len, NULL))
            break;
        /* The member's own text, from its key to the end of its value. */
        const char *src = c->src->data;
        uint32_t vs = node->span.start, ve = node->span.end;
        kl_buf ins = KL_BUF_INIT;
        uint32_t at;
        insertion(&ins, obj, node->key, node->key_len, src + vs, ve - vs, &at);
        kl_span del = removal(node);
        kl_edit a = {del, ""};
        kl_edit b = {kl_span_make(at, at), kl_keep(c, kl_buf_cstr(&ins), ins.len)};
        kl_buf_dispose(&ins);
        if (at > del.start && at < del.end)
            break; /* would overlap: no safe fix */
        edits[0] = a.span.start <= b.span.start ? a : b;
        edits[1] = a.span.start <= b.span.start ? b : a;
        n_edits = 2;
        kl_buf_printf(&desc, "move `%s` into `", kl_buf_cstr(&field));
        kl_msg_place_name(c, &desc, obj, spec->target);
        kl_buf_putc(&desc, '`');
        break;
    }
    default:
        break;
    }
    if (n_edits > 0) {
        for (size_t i = 0; i < n_edits; i++)
            if (edits[i].text == NULL)
                result = -1;
        if (spec && spec->description.n_segs > 0 && f->fix_node == NULL && f->fix_name == NULL) {
            kl_buf_clear(&desc);
            kl_msg_render(c, &desc, &spec->description, f);
        }
        fix->description = kl_keep(c, kl_buf_cstr(&desc), desc.len);
        fix->edits = edits;
        fix->n_edits = n_edits;
        if (fix->description == NULL || kl_buf_failed(&desc) || kl_buf_failed(&text))
            result = -1;
        else if (result == 0)
            result = 1;
    }
    kl_buf_dispose(&desc);
    kl_buf_dispose(&text);
    kl_buf_dispose(&field);
    return result;
}
