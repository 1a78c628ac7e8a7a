/*
 * The engine proper: one pass over the document guided by the profile's
 * field tree (recording where each fixed field is, reporting unknown keys,
 * parsing JSON held in strings), then one pass over the profile's rows;
 * last, each member found out of place or misspelt (an unknown key whose fix
 * moves or renames it to a declared field) is checked as that field.
 *
 * Rows never rescan the document: a field outside any list is found in the
 * slot table filled by the walk; a field inside a list item is found in
 * that item's member table, made the first time a row looks at the item
 * (or, in a list inside another list's items, by member lookups). Memory
 * per document is the slot table, the item tables and an arena, all reused
 * from one run to the next: nothing is allocated per row.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "checks.h"
#include "klint/path.h"

enum { MAX_PARSED = 32, MAX_MISPLACED = 16 };

/* A member checked as the field it would become, once the rows have run (kl_misplaced). */
typedef struct misplaced {
    const kl_node *member;
    uint16_t field;
    bool renamed; /* it stays in its object, under the field's name */
} misplaced;

/* A rule list and its text as kl_msg_list writes it. */
typedef struct list_text {
    const kl_node *list;
    const char *text;
} list_text;

struct kl_engine {
    const kl_ruleset *rs;
    const kl_node **slots;
    size_t n_slots;
    kl_parsed parsed[MAX_PARSED];
    kl_source psrc[MAX_PARSED];
    bool pview[MAX_PARSED]; /* psrc[i] owns a line table */
    kl_doc *pdocs[MAX_PARSED];
    size_t n_parsed;
    misplaced moved[MAX_MISPLACED];
    size_t n_moved;
    const kl_node **saved; /* the slot table, kept while a misplaced member borrows it */
    /* Item member tables (rules.h), this run's: for each tabled item field, the list whose
     * items' tables start at tabs[tab_at[field]], `n_anchored` slots an item. */
    const kl_node **tabs;
    size_t n_tabs, cap_tabs;
    const kl_node **tab_list;
    size_t *tab_at;
    kl_diags *scratch;     /* the loader's findings inside strings */
    kl_arena run;          /* strings made while reporting; reset per run */
    kl_buf msg;
    kl_buf tmp;
    /* The texts of rule lists (kl_list_text), made the first time a finding needs one and
     * kept for the engine's life: an open-addressed table keyed by the list node, whose
     * capacity is a power of two (or 0) and which is at most half full. */
    list_text *lists;
    size_t n_lists, cap_lists;
    kl_arena keep;
};

int kl_engine_new(kl_engine **out, const kl_ruleset *rs)
{
    *out = NULL;
    kl_engine *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return KL_ENOMEM;
    e->rs = rs;
    size_t max = 1;
    for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++) {
        const kl_profile *p = kl_ruleset_profile_head(rs, i); /* fields only: rows may come later */
        if (p->n_fields > max)
            max = p->n_fields;
    }
    e->slots = calloc(max, sizeof(*e->slots));
    e->saved = calloc(max, sizeof(*e->saved));
    e->tab_list = calloc(max, sizeof(*e->tab_list));
    e->tab_at = calloc(max, sizeof(*e->tab_at));
    e->n_slots = max;
    if (e->slots == NULL || e->saved == NULL || e->tab_list == NULL || e->tab_at == NULL ||
        kl_diags_new(&e->scratch) != KL_OK) {
        kl_engine_free(e);
        return KL_ENOMEM;
    }
    *out = e;
    return KL_OK;
}

const kl_ruleset *kl_engine_ruleset(const kl_engine *e)
{
    return e->rs;
}

static void end_run(kl_engine *e)
{
    for (size_t i = 0; i < e->n_parsed; i++) {
        if (e->pview[i])
            kl_source_dispose(&e->psrc[i]);
        e->pview[i] = false;
    }
    e->n_parsed = 0;
    e->n_moved = 0;
}

void kl_engine_free(kl_engine *e)
{
    if (e == NULL)
        return;
    end_run(e);
    for (size_t i = 0; i < MAX_PARSED; i++)
        kl_doc_free(e->pdocs[i]);
    free(e->slots);
    free(e->saved);
    free(e->tabs);
    free(e->tab_list);
    free(e->tab_at);
    kl_diags_free(e->scratch);
    kl_arena_dispose(&e->run);
    free(e->lists);
    kl_arena_dispose(&e->keep);
    kl_buf_dispose(&e->msg);
    kl_buf_dispose(&e->tmp);
    free(e);
}

/* ---- Finding nodes ----------------------------------------------------- */

const kl_parsed *kl_parsed_of(kl_ctx *c, const kl_node *s)
{
    for (size_t i = 0; i < c->e->n_parsed; i++)
        if (c->e->parsed[i].outer == s)
            return &c->e->parsed[i];
    return NULL;
}

const kl_node *kl_through_parsed(kl_ctx *c, const kl_node *n, uint16_t f)
{
    if (n == NULL || c->p->fields[f].parsed_child == KL_NONE)
        return n;
    if (n->kind != KL_JSON_STRING)
        return NULL;
    const kl_parsed *ps = kl_parsed_of(c, n);
    return ps ? ps->root : NULL;
}

/* Fields from `from_f` (exclusive) down to `f` (inclusive), top-down; -1 if not below. */
static int chain_of(const kl_profile *p, uint16_t from_f, uint16_t f, const uint16_t **chain)
{
    const kl_field *to = &p->fields[f];
    uint16_t from_depth = p->fields[from_f].depth;
    if (from_depth > to->depth || (from_depth > 0 && to->chain[from_depth - 1] != from_f))
        return -1;
    *chain = to->chain + from_depth;
    return to->depth - from_depth;
}

static const kl_node *step(kl_ctx *c, const kl_node *node, const kl_field *s)
{
    if (node == NULL)
        return NULL;
    switch (s->step) {
    case KL_STEP_MEMBER:
        return node->kind == KL_JSON_OBJECT ? kl_node_get(node, s->name, s->name_len) : NULL;
    case KL_STEP_PARSED: {
        if (node->kind != KL_JSON_STRING)
            return NULL;
        const kl_parsed *ps = kl_parsed_of(c, node);
        return ps ? ps->root : NULL;
    }
    default:
        return NULL;
    }
}

const kl_node *kl_resolve_from(kl_ctx *c, const kl_node *from, uint16_t from_f, uint16_t f)
{
    if (from_f == f)
        return from;
    const uint16_t *chain;
    int n = chain_of(c->p, from_f, f, &chain);
    const kl_node *node = from;
    for (int i = 0; i < n && node; i++) {
        const kl_field *s = &c->p->fields[chain[i]];
        if (s->step == KL_STEP_ITEM)
            return NULL;
        node = step(c, node, s);
    }
    return n < 0 ? NULL : node;
}

const kl_node *kl_resolve(kl_ctx *c, kl_ref ref)
{
    if (!ref.rel) {
        const kl_field *f = &c->p->fields[ref.field];
        if (c->slots && !f->in_item)
            return c->slots[ref.field];
        if (f->parent == 0 && f->step == KL_STEP_MEMBER) /* detection's usual question */
            return kl_node_get(c->root, f->name, f->name_len);
        return kl_resolve_from(c, c->root, 0, ref.field);
    }
    if (c->item == NULL)
        return NULL;
    const kl_field *f = &c->p->fields[ref.field];
    if (c->item_tab != NULL && c->item_tab[0] == c->item && f->anchor == c->item_field)
        return c->item_tab[f->local];
    return kl_resolve_from(c, c->item, c->item_field, ref.field);
}

static bool each_rec(kl_ctx *c, const kl_node *node, const uint16_t *chain, int i, int n,
                     kl_each_fn fn, void *arg)
{
    if (node == NULL)
        return true;
    if (i == n)
        return fn(c, node, arg);
    const kl_field *s = &c->p->fields[chain[i]];
    if (s->step != KL_STEP_ITEM)
        return each_rec(c, step(c, node, s), chain, i + 1, n, fn, arg);
    if (node->kind != KL_JSON_ARRAY)
        return true;
    for (uint32_t k = 0; k < node->len; k++)
        if (!each_rec(c, &node->u.children[k], chain, i + 1, n, fn, arg))
            return false;
    return true;
}

void kl_each(kl_ctx *c, kl_ref ref, kl_each_fn fn, void *arg)
{
    const kl_node *from = ref.rel ? c->item : c->root;
    uint16_t from_f = ref.rel ? c->item_field : 0;
    if (!ref.rel && c->slots) {
        /* The walk has found the way down to the last field outside any list. */
        from_f = c->p->fields[ref.field].fixed;
        from = c->slots[from_f];
    }
    if (from == NULL)
        return;
    const uint16_t *chain;
    int n = chain_of(c->p, from_f, ref.field, &chain);
    if (n < 0)
        return;
    each_rec(c, from, chain, 0, n, fn, arg);
}

/* Is the object that holds (or would hold) member field `f` there, and an object? The root
 * has no holder. `@` must be bound for a field inside a list. */
static bool holder_is_object(kl_ctx *c, uint16_t f)
{
    uint16_t parent = c->p->fields[f].parent;
    if (parent == KL_NONE)
        return true;
    kl_ref ref = {parent, c->p->fields[parent].in_item};
    const kl_node *holder = kl_through_parsed(c, kl_resolve(c, ref), parent);
    return holder != NULL && holder->kind == KL_JSON_OBJECT;
}

kl_val kl_effective_node(kl_ctx *c, const kl_node *n, uint16_t f)
{
    kl_val v = {NULL, false};
    if (n != NULL && n->kind != KL_JSON_NULL) {
        v.node = n;
        return v;
    }
    const kl_field *fl = &c->p->fields[f];
    /* A default is the server's value for a member of an object it received: a list item
     * that is a string, or a missing object, has no members and so no defaults. */
    if (c->depth > 8 || (fl->dflt == NULL && fl->n_cases == 0) || !holder_is_object(c, f))
        return v;
    c->depth++;
    for (uint16_t i = 0; i < fl->n_cases && v.node == NULL; i++)
        if (kl_cond_eval(c, fl->cases[i].when))
            v.node = fl->cases[i].value;
    c->depth--;
    if (v.node == NULL)
        v.node = fl->dflt;
    v.defaulted = v.node != NULL;
    return v;
}

kl_val kl_effective(kl_ctx *c, kl_ref ref)
{
    return kl_effective_node(c, kl_resolve(c, ref), ref.field);
}

/* ---- JSON inside strings ------------------------------------------------- */

const kl_parsed *kl_parsed_by_root(kl_ctx *c, const kl_node *root)
{
    for (size_t i = 0; i < c->e->n_parsed; i++)
        if (c->e->parsed[i].root == root)
            return &c->e->parsed[i];
    return NULL;
}

static const kl_source *source_of(kl_ctx *c, const kl_node *node)
{
    const kl_node *r = node;
    while (r->parent)
        r = r->parent;
    if (r == c->root)
        return c->src;
    for (size_t i = 0; i < c->e->n_parsed; i++)
        if (c->e->parsed[i].root == r)
            return c->e->parsed[i].src;
    return c->src;
}

static int parse_string(kl_ctx *c, const kl_node *s, const kl_parsed **out)
{
    kl_engine *e = c->e;
    *out = NULL;
    if (e->n_parsed == MAX_PARSED)
        return KL_OK; /* beyond the limit a string is simply not looked into */
    size_t i = e->n_parsed;
    if (e->pdocs[i] == NULL) {
        int rc = kl_doc_new(&e->pdocs[i], NULL);
        if (rc != KL_OK)
            return rc;
    }
    kl_source *isrc = &e->psrc[i];
    if (memchr(s->u.str, '\n', s->len) != NULL) {
        int rc = kl_source_init_view(isrc, c->src->name, s->u.str, s->len);
        if (rc != KL_OK)
            return rc;
        e->pview[i] = true;
    } else {
        kl_source_init_line(isrc, c->src->name, s->u.str, s->len, 1);
    }
    kl_parsed *ps = &e->parsed[i];
    memset(ps, 0, sizeof(*ps));
    ps->outer = s;
    ps->outer_src = source_of(c, s);
    ps->src = isrc;
    e->n_parsed++;

    kl_diags_clear(e->scratch);
    int rc = kl_doc_parse(e->pdocs[i], isrc, e->scratch);
    if (rc != KL_OK)
        return rc;
    ps->root = kl_doc_root(e->pdocs[i]);
    for (size_t k = 0; k < kl_diags_count(e->scratch); k++) {
        const kl_diag *d = kl_diags_at(e->scratch, k);
        if (ps->root == NULL && d->severity == KL_SEV_ERROR && ps->error == NULL) {
            ps->error = kl_arena_strndup(&e->run, d->message, strlen(d->message));
            ps->error_off = d->span.start;
            if (ps->error == NULL)
                return KL_ENOMEM;
        }
    }
    if (ps->root != NULL) {
        /* Warnings inside (duplicate keys) are the document's too: carry them out. */
        for (size_t k = 0; k < kl_diags_count(e->scratch); k++) {
            const kl_diag *d = kl_diags_at(e->scratch, k);
            kl_diag fwd = *d;
            kl_buf_clear(&e->tmp);
            kl_node_path(c, &e->tmp, s);
            kl_buf_puts(&e->tmp, d->path[0] == '$' ? d->path + 1 : d->path);
            fwd.path = kl_buf_cstr(&e->tmp);
            fwd.span.start = kl_map_offset(c, s, d->span.start);
            fwd.span.end = kl_map_offset(c, s, d->span.end);
            fwd.n_related = 0;
            fwd.n_fixes = 0;
            fwd.profile = c->p->id;
            if (kl_buf_failed(&e->tmp) || kl_diags_add(c->out, &fwd) != KL_OK)
                return KL_ENOMEM;
        }
    }
    *out = ps;
    return KL_OK;
}

/* ---- The walk ------------------------------------------------------------ */

static int walk(kl_ctx *c, const kl_node *node, uint16_t f)
{
    const kl_field *fl = &c->p->fields[f];
    int rc = KL_OK;
    switch (node->kind) {
    case KL_JSON_OBJECT:
        if (fl->types != 0 && !(fl->types & KL_T_OBJECT))
            return KL_OK;
        if (fl->unknown_allow && fl->hash == NULL)
            return KL_OK;
        for (uint32_t i = 0; i < node->len && rc == KL_OK; i++) {
            const kl_node *m = &node->u.children[i];
            uint16_t ch = kl_field_child(c->p, f, m->key, m->key_len);
            if (ch == KL_NONE) {
                if (!fl->unknown_allow)
                    rc = kl_unknown_key(c, m, f);
                continue;
            }
            if (!c->p->fields[ch].in_item)
                c->slots[ch] = m;
            rc = walk(c, m, ch);
        }
        return rc;
    case KL_JSON_ARRAY:
        if (fl->item_child == KL_NONE)
            return KL_OK;
        for (uint32_t i = 0; i < node->len && rc == KL_OK; i++)
            rc = walk(c, &node->u.children[i], fl->item_child);
        return rc;
    case KL_JSON_STRING: {
        if (fl->parsed_child == KL_NONE)
            return KL_OK;
        const kl_parsed *ps;
        rc = parse_string(c, node, &ps);
        if (rc != KL_OK || ps == NULL || ps->root == NULL)
            return rc;
        if (!c->p->fields[fl->parsed_child].in_item)
            c->slots[fl->parsed_child] = ps->root;
        return walk(c, ps->root, fl->parsed_child);
    }
    default:
        return KL_OK;
    }
}

/* ---- Rows ------------------------------------------------------------------ */

static int run_row_at(kl_ctx *c, const kl_row *r, const kl_node *target)
{
    if (target == NULL && r->needs_target)
        return KL_OK;
    /* Nothing sent: only worth a look when the object that would hold it is there
     * (defaults and `required` are about a member of an object that exists). */
    if (target == NULL && !holder_is_object(c, r->at))
        return KL_OK;
    if (r->when >= 0 && !kl_cond_eval(c, r->when))
        return KL_OK;
    return r->check->run(c, r, target);
}

typedef struct item_run {
    const kl_row *row;
    uint16_t anchor;
    int rc;
} item_run;

/* Does `n` have one of the types field `f` declares (or tolerates)? Undeclared: yes. */
static bool of_declared_type(kl_ctx *c, const kl_node *n, uint16_t f)
{
    const kl_field *fl = &c->p->fields[f];
    uint32_t want = fl->types | fl->near_types;
    if (want == 0)
        return true;
    uint32_t have = kl_node_types(n);
    if (n->kind == KL_JSON_STRING && (want & KL_T_JSONSTR))
        have |= KL_T_JSONSTR; /* whether it parses is the type check's business */
    return (have & want) != 0;
}

/*
 * The member tables of the items of `list`, the list of tabled field `a` (rules.h): one
 * after the other, n_anchored pointers each, made empty the first time a row looks at the
 * list. NULL when out of memory (the caller then looks members up itself). Valid until the
 * next call for another list.
 */
static const kl_node **item_tables(kl_ctx *c, const kl_node *list, uint16_t a)
{
    kl_engine *e = c->e;
    if (e->tab_list[a] != list) {
        size_t w = c->p->fields[a].n_anchored;
        size_t need = e->n_tabs + (size_t)list->len * w;
        if (need > e->cap_tabs) {
            size_t cap = e->cap_tabs ? e->cap_tabs * 2 : 256;
            cap = cap < need ? need : cap;
            const kl_node **nt = realloc(e->tabs, cap * sizeof(*nt));
            if (nt == NULL)
                return NULL;
            e->tabs = nt;
            e->cap_tabs = cap;
        }
        memset(e->tabs + e->n_tabs, 0, (size_t)list->len * w * sizeof(*e->tabs));
        e->tab_list[a] = list;
        e->tab_at[a] = e->n_tabs;
        e->n_tabs = need;
    }
    return e->tabs + e->tab_at[a];
}

/* `t`, the member table of `item` (an item of tabled field `a`), filled the first time: the
 * same nodes kl_resolve_from would find, looked up once. */
static const kl_node *const *item_filled(kl_ctx *c, const kl_node **t, const kl_node *item,
                                         uint16_t a)
{
    if (t[0] == NULL) {
        const kl_field *af = &c->p->fields[a];
        t[0] = item;
        for (uint16_t i = 1; i < af->n_anchored; i++) {
            const kl_field *f = &c->p->fields[af->anchored[i]];
            t[i] = step(c, t[c->p->fields[f->parent].local], f);
        }
    }
    return t;
}

/* The member table of `item`, an item of tabled field `a`; NULL when out of memory. */
static const kl_node *const *item_table(kl_ctx *c, const kl_node *item, uint16_t a)
{
    const kl_node *list = item->parent;
    const kl_node **tabs = item_tables(c, list, a);
    if (tabs == NULL)
        return NULL;
    size_t w = c->p->fields[a].n_anchored;
    return item_filled(c, tabs + (size_t)(item - list->u.children) * w, item, a);
}

const kl_node *const *kl_item_table_made(kl_ctx *c, const kl_node *item, uint16_t a)
{
    kl_engine *e = c->e;
    const kl_node *list = item->parent;
    if (a == KL_NONE || !c->p->fields[a].tabled || list == NULL || e->tab_list[a] != list)
        return NULL;
    const kl_node **t =
        e->tabs + e->tab_at[a] + (size_t)(item - list->u.children) * c->p->fields[a].n_anchored;
    return t[0] == item ? t : NULL;
}

static bool run_on_item(kl_ctx *c, const kl_node *item, void *arg)
{
    item_run *ir = arg;
    /* An item of another type than its list declares is the `type` check's finding; the
     * other rows are about items of the declared type (members, shapes, values) and would
     * only restate it, or misread it. */
    if (!ir->row->judges_type && !of_declared_type(c, item, ir->anchor))
        return true;
    c->item = item;
    c->item_field = ir->anchor;
    c->item_tab = c->p->fields[ir->anchor].tabled ? item_table(c, item, ir->anchor) : NULL;
    const kl_node *target = c->item_tab != NULL
                                ? c->item_tab[c->p->fields[ir->row->at].local]
                                : kl_resolve_from(c, item, ir->anchor, ir->row->at);
    ir->rc = run_row_at(c, ir->row, target);
    return ir->rc == KL_OK;
}

/* Is field `f` field `top` or below it? */
static bool within(const kl_profile *p, uint16_t f, uint16_t top)
{
    const kl_field *x = &p->fields[f];
    uint16_t d = p->fields[top].depth;
    return f == top || (d == 0 && top == 0) || (x->depth > d && x->chain[d - 1] == top);
}

/* Run the profile's rows, or (top != KL_NONE) those that read nothing outside field `top`,
 * or (`at_top`) those that report at or below it. */
static int run_rows(kl_ctx *c, uint16_t top, bool at_top)
{
    const kl_profile *p = c->p;
    for (uint32_t i = 0; i < p->n_rows; i++) {
        const kl_row *r = &p->rows[i];
        if (r->gate != KL_NONE && c->slots[r->gate] == NULL)
            continue;
        if (top != KL_NONE && !within(p, at_top ? r->at : r->reach, top))
            continue;
        c->row = r;
        c->item = NULL;
        c->item_field = KL_NONE;
        c->item_tab = NULL;
        uint16_t anchor = p->fields[r->at].anchor;
        int rc;
        if (anchor == KL_NONE) {
            rc = run_row_at(c, r, c->slots[r->at]);
        } else if (p->fields[anchor].tabled) {
            /* The list is outside any list: the walk has found it. What run_on_item does,
             * with the row's invariants looked up once. */
            const kl_node *list = c->slots[p->fields[anchor].parent];
            const kl_field *af = &p->fields[anchor];
            bool typed = !r->judges_type && (af->types | af->near_types) != 0;
            uint16_t local = p->fields[r->at].local;
            size_t w = af->n_anchored;
            const kl_node **tabs = NULL;
            if (list && list->kind == KL_JSON_ARRAY && list->len > 0)
                tabs = item_tables(c, list, anchor);
            rc = KL_OK;
            for (uint32_t k = 0; list && list->kind == KL_JSON_ARRAY && k < list->len; k++) {
                const kl_node *item = &list->u.children[k];
                if (typed && !of_declared_type(c, item, anchor))
                    continue;
                c->item = item;
                c->item_field = anchor;
                c->item_tab = tabs != NULL ? item_filled(c, tabs + k * w, item, anchor) : NULL;
                const kl_node *target = c->item_tab != NULL
                                            ? c->item_tab[local]
                                            : kl_resolve_from(c, item, anchor, r->at);
                rc = run_row_at(c, r, target);
                if (rc != KL_OK)
                    break;
            }
        } else {
            item_run ir = {r, anchor, KL_OK};
            kl_ref ref = {anchor, false};
            kl_each(c, ref, run_on_item, &ir);
            rc = ir.rc;
        }
        c->item_tab = NULL;
        if (rc != KL_OK)
            return rc;
    }
    return KL_OK;
}

/* ---- Misplaced members ------------------------------------------------------ */

int kl_misplaced(kl_ctx *c, const kl_node *member, uint16_t field, bool renamed)
{
    kl_engine *e = c->e;
    if (c->slots == NULL || member->kind == KL_JSON_NULL || e->n_moved == MAX_MISPLACED)
        return KL_OK;
    e->moved[e->n_moved].member = member;
    e->moved[e->n_moved].field = field;
    e->moved[e->n_moved].renamed = renamed;
    e->n_moved++;
    return KL_OK;
}

/* The canonical path field `f` has (outside any list), from the root. */
static void field_path(const kl_profile *p, kl_buf *b, uint16_t f)
{
    char tmp[512] = "$";
    size_t len = 1;
    const kl_field *x = &p->fields[f];
    for (uint16_t i = 0; i < x->depth; i++) {
        const kl_field *s = &p->fields[x->chain[i]];
        if (s->step == KL_STEP_MEMBER)
            len = kl_path_append_member(tmp, sizeof(tmp), len, s->name, s->name_len);
    }
    kl_buf_put(b, tmp, len < sizeof(tmp) ? len : sizeof(tmp) - 1);
}

/*
 * Check a misplaced member as the field it belongs to: it borrows the slot table (the
 * field's subtree points into the member; the rest of the document stays as it is), the
 * walk records its inside (and reports unknown keys there), and the rows that read nothing
 * outside the field run on it. Only those: a row that also reads other fields would judge a
 * document that does not exist (the member moved, the rest unchanged).
 *
 * A renamed member is different: the rename leaves every other member where it is, so the
 * borrowed table is the document the fix makes, and every row that reports at or below the
 * field runs on it, conditions and bounds on other fields included: whatever the rename
 * would bring up is reported before it is made.
 */
static int check_misplaced(kl_ctx *c, const misplaced *mv)
{
    kl_engine *e = c->e;
    const kl_profile *p = c->p;
    kl_buf at = KL_BUF_INIT, belongs = KL_BUF_INIT;
    kl_node_path(c, &at, mv->member);
    field_path(p, &belongs, mv->field);
    int rc = KL_ENOMEM;
    if (kl_buf_failed(&at) || kl_buf_failed(&belongs))
        goto done;
    c->misplaced_at = kl_keep(c, kl_buf_cstr(&at), at.len);
    c->belongs_at = kl_keep(c, kl_buf_cstr(&belongs), belongs.len);
    if (c->misplaced_at == NULL || c->belongs_at == NULL)
        goto done;

    memcpy(e->saved, e->slots, p->n_fields * sizeof(*e->slots));
    for (uint16_t f = 0; f < p->n_fields; f++)
        if (within(p, f, mv->field))
            e->slots[f] = NULL;
    e->slots[mv->field] = mv->member;
    rc = walk(c, mv->member, mv->field);
    if (rc == KL_OK)
        rc = run_rows(c, mv->field, mv->renamed);
    memcpy(e->slots, e->saved, p->n_fields * sizeof(*e->slots));
    c->misplaced_at = NULL;
    c->belongs_at = NULL;
done:
    kl_buf_dispose(&at);
    kl_buf_dispose(&belongs);
    return rc;
}

int kl_engine_run(kl_engine *e, const kl_profile *forced, const kl_node *root,
                  const kl_source *src, kl_diags *diags)
{
    if (root == NULL)
        return KL_OK;
    kl_arena_reset(&e->run);
    kl_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.e = e;
    ctx.src = src;
    ctx.root = root;
    ctx.out = diags;
    ctx.first_diag = kl_diags_count(diags);
    ctx.item_field = KL_NONE;
    int rc = KL_OK;
    const kl_profile *p = forced;
    if (p == NULL) {
        p = kl_profile_select(&ctx, &rc);
        if (p == NULL)
            return rc;
    }
    ctx.p = p;
    memset(e->slots, 0, p->n_fields * sizeof(*e->slots));
    memset(e->tab_list, 0, p->n_fields * sizeof(*e->tab_list)); /* no table is this run's */
    e->n_tabs = 0;
    ctx.slots = e->slots;
    e->slots[0] = root;
    rc = walk(&ctx, root, 0);
    if (rc == KL_OK)
        rc = run_rows(&ctx, KL_NONE, false);
    /* Members found out of place, checked where they belong (the list may grow meanwhile:
     * a misplaced object can hold misplaced members of its own). */
    for (size_t i = 0; i < e->n_moved && rc == KL_OK; i++)
        rc = check_misplaced(&ctx, &e->moved[i]);
    end_run(e);
    return rc;
}

/* ---- Reporting ------------------------------------------------------------- */

void kl_finding_init(kl_ctx *c, kl_finding *f, const kl_node *node, uint16_t field)
{
    memset(f, 0, sizeof(*f));
    f->node = node;
    f->field = field;
    f->severity = c->row ? c->row->severity : KL_SEV_ERROR;
}

const char *kl_keep(kl_ctx *c, const char *s, size_t len)
{
    return kl_arena_strndup(&c->e->run, s, len);
}

/* The home slot of `list` in a table of `cap` slots: its address, scrambled by the usual
 * multiplicative (Fibonacci) hash so that nodes of one array spread out. */
static size_t list_slot(const kl_node *list, size_t cap)
{
    uintptr_t h = (uintptr_t)list / sizeof(kl_node);
    return (size_t)(h * 0x9E3779B97F4A7C15u) & (cap - 1);
}

/* Double the table (or make its first 64 slots). false when out of memory. */
static bool grow_lists(kl_engine *e)
{
    size_t cap = e->cap_lists ? e->cap_lists * 2 : 64;
    list_text *t = calloc(cap, sizeof(*t));
    if (t == NULL)
        return false;
    for (size_t i = 0; i < e->cap_lists; i++) {
        if (e->lists[i].list == NULL)
            continue;
        size_t k = list_slot(e->lists[i].list, cap);
        while (t[k].list != NULL)
            k = (k + 1) & (cap - 1);
        t[k] = e->lists[i];
    }
    free(e->lists);
    e->lists = t;
    e->cap_lists = cap;
    return true;
}

const char *kl_list_text(kl_ctx *c, const kl_node *list)
{
    kl_engine *e = c->e;
    if (list == NULL)
        return kl_keep(c, "", 0);
    if (e->cap_lists > 0) {
        for (size_t k = list_slot(list, e->cap_lists); e->lists[k].list != NULL;
             k = (k + 1) & (e->cap_lists - 1)) {
            if (e->lists[k].list == list)
                return e->lists[k].text;
        }
    }
    kl_buf b = KL_BUF_INIT;
    kl_msg_list(&b, list);
    const char *text = NULL;
    if (!kl_buf_failed(&b) && ((e->n_lists + 1) * 2 <= e->cap_lists || grow_lists(e)))
        text = kl_arena_strndup(&e->keep, kl_buf_cstr(&b), b.len);
    if (text != NULL) {
        size_t k = list_slot(list, e->cap_lists);
        while (e->lists[k].list != NULL)
            k = (k + 1) & (e->cap_lists - 1);
        e->lists[k] = (list_text){list, text};
        e->n_lists++;
    } else {
        text = kl_keep(c, kl_buf_cstr(&b), b.len); /* not cached: this run's copy, or NULL */
    }
    kl_buf_dispose(&b);
    return text;
}

/* The object that should hold field `f`, given the place `@` is bound to. */
static const kl_node *holder_of(kl_ctx *c, uint16_t f)
{
    uint16_t parent = c->p->fields[f].parent;
    if (parent == KL_NONE)
        return NULL;
    kl_ref ref = {parent, false};
    if (c->p->fields[parent].in_item) {
        ref.rel = true;
        if (c->item == NULL)
            return NULL;
    }
    return kl_resolve(c, ref);
}

int kl_report(kl_ctx *c, const kl_finding *f)
{
    kl_engine *e = c->e;
    const kl_row *row = c->row;
    kl_diag d;
    memset(&d, 0, sizeof(d));
    d.rule = row ? row->id : "profile-unknown";
    d.profile = c->p ? c->p->id : NULL;
    d.severity = f->severity;

    /* The row's own words win; a check's built-in message for a special case is only the
     * default, used when the row gave none or names a fact this case does not have (the
     * decoded size of a data: URI that is not Base64). */
    const kl_tmpl *tmpl = &row->message;
    if (f->message != NULL && !(row->message_given && kl_msg_fillable(&row->message, f)))
        tmpl = f->message;
    kl_buf_clear(&e->msg);
    kl_msg_render(c, &e->msg, tmpl, f);
    if (f->hint) {
        kl_buf_puts(&e->msg, "; ");
        kl_buf_puts(&e->msg, f->hint);
    }

    /* Where: the node, or (for a missing member) the object that should hold it. */
    kl_buf_clear(&e->tmp);
    const kl_node *parent = f->parent;
    if (f->node != NULL) {
        kl_node_path(c, &e->tmp, f->node);
        if (f->has_span) {
            const kl_source *s = source_of(c, f->node);
            uint32_t a = kl_node_string_source_offset(f->node, s, f->sub_start);
            uint32_t b = kl_node_string_source_offset(f->node, s, f->sub_end);
            /* Offsets are in the node's own document; carry them out to the file. */
            const kl_node *r = f->node;
            while (r->parent)
                r = r->parent;
            if (r != c->root) {
                a = kl_map_offset(c, f->node, a);
                b = kl_map_offset(c, f->node, b);
            }
            d.span = kl_span_make(a, b > a ? b : a + 1); /* never empty: at least a character */
        } else {
            d.span = kl_node_span(c, f->node, f->key_span);
        }
    } else {
        if (parent == NULL)
            parent = holder_of(c, f->field);
        if (parent == NULL)
            parent = c->root;
        kl_node_path(c, &e->tmp, parent);
        const kl_field *fl = &c->p->fields[f->field];
        if (fl->step == KL_STEP_MEMBER) {
            char step_buf[512];
            size_t sl =
                kl_path_append_member(step_buf, sizeof(step_buf), 0, fl->name, fl->name_len);
            kl_buf_put(&e->tmp, step_buf, sl < sizeof(step_buf) ? sl : sizeof(step_buf) - 1);
        }
        if (parent->key != NULL) {
            d.span = kl_node_span(c, parent, true);
        } else {
            kl_span s = kl_node_span(c, parent, false);
            d.span = kl_span_make(s.start, s.start + (s.end > s.start ? 1 : 0));
        }
    }
    /* Under a misplaced member, the finding is about the place it belongs to: say so. */
    if (c->misplaced_at != NULL) {
        size_t n = strlen(c->misplaced_at);
        const char *path = kl_buf_cstr(&e->tmp);
        if (strncmp(path, c->misplaced_at, n) == 0)
            kl_buf_printf(&e->msg, " (checked as `%s%s` would be)", c->belongs_at, path + n);
    }
    /* The same finding twice (two rows checking one thing, e.g. two size limits on a
     * malformed data: URI) is reported once. */
    for (size_t i = c->first_diag; i < kl_diags_count(c->out); i++) {
        const kl_diag *o = kl_diags_at(c->out, i);
        if (strcmp(o->rule, d.rule) == 0 && strcmp(o->path, kl_buf_cstr(&e->tmp)) == 0 &&
            strcmp(o->message, kl_buf_cstr(&e->msg)) == 0)
            return KL_OK;
    }
    const char *path = kl_keep(c, kl_buf_cstr(&e->tmp), e->tmp.len);
    const char *message = kl_keep(c, kl_buf_cstr(&e->msg), e->msg.len);
    if (path == NULL || message == NULL || kl_buf_failed(&e->msg) || kl_buf_failed(&e->tmp))
        return KL_ENOMEM;
    d.path = path;
    d.message = message;

    /* Related places: the row's (when present), then the check's own. */
    kl_related rel[16];
    size_t n_rel = 0;
    for (uint16_t i = 0; row && i < row->n_related && n_rel < 12; i++) {
        const kl_node *n = kl_resolve(c, row->related[i].ref);
        if (!kl_is_present(n) || n == f->node)
            continue;
        kl_buf_clear(&e->tmp);
        kl_node_path(c, &e->tmp, n);
        rel[n_rel].path = kl_keep(c, kl_buf_cstr(&e->tmp), e->tmp.len);
        rel[n_rel].span = kl_node_span(c, n, false);
        if (row->related[i].message) {
            rel[n_rel].message = row->related[i].message;
        } else {
            kl_buf_clear(&e->tmp);
            kl_msg_place_name(c, &e->tmp, n, row->related[i].ref.field);
            kl_buf_puts(&e->tmp, " is set here");
            rel[n_rel].message = kl_keep(c, kl_buf_cstr(&e->tmp), e->tmp.len);
        }
        if (rel[n_rel].path == NULL || rel[n_rel].message == NULL)
            return KL_ENOMEM;
        n_rel++;
    }
    for (int i = 0; i < f->n_extra && n_rel < 16; i++) {
        const kl_node *n = f->extra[i].node;
        kl_buf_clear(&e->tmp);
        kl_node_path(c, &e->tmp, n);
        rel[n_rel].path = kl_keep(c, kl_buf_cstr(&e->tmp), e->tmp.len);
        rel[n_rel].span = kl_node_span(c, n, false);
        rel[n_rel].message = f->extra[i].message;
        if (rel[n_rel].path == NULL)
            return KL_ENOMEM;
        n_rel++;
    }
    d.related = rel;
    d.n_related = n_rel;

    kl_fix fix;
    kl_edit edits[4];
    int nfix = kl_fix_build(c, f, &fix, edits);
    if (nfix < 0)
        return KL_ENOMEM;
    d.fixes = nfix ? &fix : NULL;
    d.n_fixes = (size_t)nfix;
    return kl_diags_add(c->out, &d);
}
