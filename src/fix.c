/*
 * Fixes: a finding's fix template (set a value, remove a member, rename a
 * key, move a member into another object) turned into byte edits of the
 * linted source. Edits are computed from the spans the loader recorded, so
 * they keep the file's own formatting (an inserted member takes the layout
 * of the members around it); no fix is offered inside JSON held in a string
 * (its text would need re-escaping), nor one that would give an object two
 * members of the same name: a fix never makes a payload invalid. Each fix
 * says whether it is safe (kl_fix.unsafe; rules/README.md §8).
 */
#include <string.h>

#include "engine.h"

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

static bool is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* The blanks that begin the line `at` is on; false when something else comes before `at`
 * on that line. */
static bool line_indent(const kl_source *src, uint32_t at, kl_span *indent)
{
    uint32_t i = at;
    while (i > 0 && (src->data[i - 1] == ' ' || src->data[i - 1] == '\t'))
        i--;
    *indent = kl_span_make(i, at);
    return i == 0 || src->data[i - 1] == '\n';
}

/*
 * The text between object `obj`'s last member and the member inserted after it: the comma,
 * then the blanks that separate the last member from what comes before it (the `{` or the
 * previous comma). In an object written over several lines those hold a line break and the
 * members' indentation, so the new member gets a line of its own (true, and `*indent` is
 * that indentation); otherwise ", " keeps the object on its lines.
 */
static bool separator(kl_buf *text, const kl_source *src, const kl_node *obj, kl_span *indent)
{
    const kl_node *last = &obj->u.children[obj->len - 1];
    uint32_t key = last->key_span.start, ws = key;
    while (ws > obj->span.start && is_ws(src->data[ws - 1]))
        ws--;
    if (memchr(src->data + ws, '\n', key - ws) == NULL) {
        kl_buf_puts(text, ", ");
        return false;
    }
    kl_buf_putc(text, ',');
    kl_buf_put(text, src->data + ws, key - ws);
    line_indent(src, key, indent); /* true: a line break comes before the key */
    return true;
}

/* A value's text written at another indentation: after each line break inside it (blanks
 * only: JSON strings hold no raw line break), `from` becomes `to`. */
static void put_reindented(kl_buf *b, const kl_source *src, kl_span value, kl_span from, kl_span to)
{
    const char *p = src->data + value.start, *end = src->data + value.end;
    size_t from_len = from.end - from.start;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl + 1 : end;
        kl_buf_put(b, p, (size_t)(stop - p));
        p = stop;
        if (nl != NULL && (size_t)(end - p) >= from_len &&
            memcmp(p, src->data + from.start, from_len) == 0) {
            kl_buf_put(b, src->data + to.start, to.end - to.start);
            p += from_len;
        }
    }
}

/*
 * Where (`*at`) and what (`ins`) to insert to add `"name": <value>` to object `obj`, with
 * the layout of its members (separator()). The value is `text`, or (text NULL) a member
 * `moved` of the source, whose value is re-indented to its new place when both it and the
 * object's members begin lines of their own.
 */
static void insertion(kl_buf *ins, const kl_source *src, const kl_node *obj, const char *name,
                      size_t name_len, const char *text, const kl_node *moved, uint32_t *at)
{
    kl_span indent = {0, 0}, old_indent;
    bool lines = false;
    if (obj->len > 0) {
        lines = separator(ins, src, obj, &indent);
        *at = obj->u.children[obj->len - 1].span.end;
    } else {
        *at = obj->span.start + 1;
    }
    kl_buf_putc(ins, '"');
    kl_buf_put_json_escaped(ins, name, name_len);
    kl_buf_puts(ins, "\": ");
    if (text != NULL)
        kl_buf_puts(ins, text);
    else if (lines && line_indent(src, moved->key_span.start, &old_indent))
        put_reindented(ins, src, moved->span, old_indent, indent);
    else
        kl_buf_put(ins, src->data + moved->span.start, moved->span.end - moved->span.start);
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
    /* The engine's own fix wins over the template; but when its guess (the nearest value) is
     * the value the template sets, the template is the rule author's word: safe unless it
     * says otherwise, with its own description. */
    bool guess_is_template = f->fix_node != NULL && f->fix_unsafe && kind == KL_FIX_SET &&
                             value != NULL && kl_node_equal(value, f->fix_node);
    bool made = (f->fix_node != NULL && !guess_is_template) ||
                (f->fix_node == NULL && f->fix_name != NULL);
    if (made && f->fix_node) {
        kind = KL_FIX_SET;
        value = f->fix_node;
    } else if (made) {
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
        kl_msg_json(&text, value);
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
            insertion(&ins, c->src, obj, fl->name, fl->name_len, kl_buf_cstr(&text), NULL, &at);
            edits[0].span = kl_span_make(at, at);
            edits[0].text = kl_buf_failed(&ins) ? NULL : kl_keep(c, kl_buf_cstr(&ins), ins.len);
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
            kl_node_is_inner(c, obj) || kl_name_taken(obj, node->key, node->key_len, NULL))
            break;
        /* The member's own value, as it is written. */
        kl_buf ins = KL_BUF_INIT;
        uint32_t at;
        insertion(&ins, c->src, obj, node->key, node->key_len, NULL, node, &at);
        kl_span del = removal(node);
        kl_edit a = {del, ""};
        kl_edit b = {kl_span_make(at, at),
                     kl_buf_failed(&ins) ? NULL : kl_keep(c, kl_buf_cstr(&ins), ins.len)};
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
        if (spec && spec->description.n_segs > 0 && !made) {
            kl_buf_clear(&desc);
            kl_msg_render(c, &desc, &spec->description, f);
        }
        fix->description = kl_keep(c, kl_buf_cstr(&desc), desc.len);
        fix->edits = edits;
        fix->n_edits = n_edits;
        /* Engine-made fixes say for themselves; a template is safe unless marked. */
        fix->unsafe = made ? f->fix_unsafe : spec != NULL && spec->unsafe;
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
