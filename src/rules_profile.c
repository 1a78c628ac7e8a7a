/*
 * A profile's own parts and its end: identity and documentation keys,
 * detection conditions, aliases (hints for known wrong keys), the
 * not-applicable list, overlays (rows added to existing profiles by id or
 * to every profile), and freezing: the growable tables move into the
 * ruleset's arena, each field gets its chain from the root, each row its
 * gate (what must be sent for it to matter) and its message.
 */
#include "rules_cc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

#define PROFILE_KEYS                                                                           \
    "id provider model title endpoint docs constraints sources detect fields aliases rows "    \
    "not_applicable description"

static void compile_aliases(kl_cc *C, const kl_node *arr)
{
    if (!kl_cc_list(C, arr, false, "`aliases` is a list"))
        return;
    for (uint32_t i = 0; i < arr->len; i++) {
        const kl_node *e = &arr->u.children[i];
        if (!kl_cc_entry(C, e, "an alias", "an object", "at name hint rename doc severity",
                         "name hint"))
            continue;
        kl_alias al;
        memset(&al, 0, sizeof(al));
        const kl_node *at = KL_CC_GET(e, "at");
        kl_ref ref = {0, false};
        if (at && !kl_cc_path(C, at, KL_NONE, true, &ref, NULL))
            continue;
        al.at = ref.field;
        if (C->b->fields[al.at].parsed_child != KL_NONE)
            al.at = C->b->fields[al.at].parsed_child;
        const kl_node *name = KL_CC_GET(e, "name");
        const kl_node *hint = KL_CC_GET(e, "hint");
        if (!kl_cc_want_string(C, name, "`name`") || !kl_cc_want_string(C, hint, "`hint`"))
            continue;
        al.name = kl_cc_str(C, name);
        al.name_len = name->len;
        al.hint = kl_cc_str(C, hint);
        const kl_node *v;
        if ((v = KL_CC_GET(e, "rename")) != NULL) {
            if (!kl_cc_want_string(C, v, "`rename`"))
                continue;
            al.rename = kl_cc_str(C, v);
        }
        al.doc = kl_cc_joined(C, KL_CC_GET(e, "doc"), "`doc`");
        if ((v = KL_CC_GET(e, "severity")) != NULL) {
            if (!kl_cc_severity(C, v, &al.sev))
                continue;
            al.has_sev = true;
        }
        kl_pbuild *b = C->b;
        kl_alias *na = kl_cc_grow(C, b->aliases, &b->cap_aliases, b->n_aliases, sizeof(kl_alias));
        if (na == NULL)
            return;
        b->aliases = na;
        b->aliases[b->n_aliases++] = al;
    }
}

static void compile_na(kl_cc *C, const kl_node *arr)
{
    if (!kl_cc_list(C, arr, false, "`not_applicable` is a list of {\"doc\", \"reason\"}"))
        return;
    for (uint32_t i = 0; i < arr->len; i++) {
        const kl_node *e = &arr->u.children[i];
        if (!kl_cc_entry(C, e, "a not-applicable entry", "{\"doc\", \"reason\"}", "doc reason",
                         "doc reason"))
            continue;
        const kl_node *doc = KL_CC_GET(e, "doc");
        const kl_node *reason = KL_CC_GET(e, "reason");
        if (!kl_cc_want_string(C, doc, "`doc`") || !kl_cc_want_string(C, reason, "`reason`"))
            continue;
        kl_pbuild *b = C->b;
        kl_na *nn = kl_cc_grow(C, b->na, &b->cap_na, b->n_na, sizeof(kl_na));
        if (nn == NULL)
            return;
        b->na = nn;
        b->na[b->n_na].doc = kl_cc_str(C, doc);
        b->na[b->n_na].reason = kl_cc_str(C, reason);
        b->n_na++;
    }
}

kl_pbuild *kl_cc_new_build(kl_cc *C, kl_pbuild ***builds, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        kl_pbuild **nb = realloc(*builds, nc * sizeof(*nb));
        if (nb == NULL) {
            C->failed = true;
            return NULL;
        }
        *builds = nb;
        *cap = nc;
    }
    kl_pbuild *b = kl_cc_alloc(C, sizeof(*b));
    kl_profile *p = kl_cc_alloc(C, sizeof(*p));
    if (b == NULL || p == NULL)
        return NULL;
    b->p = p;
    atomic_init(&b->complete, false);
    p->identify = -1;
    p->shape = -1;
    (*builds)[(*n)++] = b;
    return b;
}

/* Aliases, rows and the not-applicable list of profile object `pobj`. */
static void profile_lists(kl_cc *C, const kl_node *pobj)
{
    const kl_node *v;
    if ((v = KL_CC_GET(pobj, "aliases")) != NULL)
        compile_aliases(C, v);
    if ((v = KL_CC_GET(pobj, "rows")) != NULL) {
        if (v->kind != KL_JSON_ARRAY)
            kl_cc_error(C, v, false, "`rows` is a list");
        else
            for (uint32_t i = 0; i < v->len; i++)
                kl_cc_row(C, &v->u.children[i]);
    }
    if ((v = KL_CC_GET(pobj, "not_applicable")) != NULL)
        compile_na(C, v);
}

void kl_cc_profile_rest(kl_cc *C, kl_pbuild *b)
{
    C->b = b;
    C->reach = KL_NONE;
    kl_cc_fields_implied(C);
    profile_lists(C, b->pobj);
}

/* Nodes under `n` (itself included) that can be a condition: objects, true, false. */
static uint32_t cond_nodes(const kl_node *n)
{
    uint32_t count = n->kind == KL_JSON_OBJECT || n->kind == KL_JSON_TRUE ||
                     n->kind == KL_JSON_FALSE;
    if (n->kind == KL_JSON_OBJECT || n->kind == KL_JSON_ARRAY)
        for (uint32_t i = 0; i < n->len; i++)
            count += cond_nodes(&n->u.children[i]);
    return count;
}

uint32_t kl_cc_cond_bound(const kl_node *pobj)
{
    /* Each condition compiled is one node of the rule file; a row is compiled once per
     * place in its `at`, everything else once. */
    uint32_t bound = 0;
    for (uint32_t i = 0; pobj->kind == KL_JSON_OBJECT && i < pobj->len; i++) {
        const kl_node *m = &pobj->u.children[i];
        if (m->key_len != 4 || memcmp(m->key, "rows", 4) != 0 || m->kind != KL_JSON_ARRAY) {
            bound += cond_nodes(m);
            continue;
        }
        for (uint32_t r = 0; r < m->len; r++) {
            const kl_node *at = KL_CC_GET(&m->u.children[r], "at");
            uint32_t places = at != NULL && at->kind == KL_JSON_ARRAY && at->len > 0 ? at->len : 1;
            bound += places * cond_nodes(&m->u.children[r]);
        }
    }
    return bound;
}

void kl_cc_profile(kl_cc *C, const kl_node *pobj, kl_pbuild *b, bool whole)
{
    kl_profile *p = b->p;
    C->b = b;
    C->reach = KL_NONE; /* field indices of another profile mean nothing here */
    b->file = C->file;
    b->pobj = pobj;
    p->file = C->file->src;
    if (pobj->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, pobj, false, "`profile` is an object");
        return;
    }
    if (!kl_cc_keys(C, pobj, "a profile", PROFILE_KEYS, NULL))
        return;
    static const struct {
        const char *key;
        size_t off;
        bool required;
    } strs[] = {
        {"id", offsetof(kl_profile, id), true},
        {"provider", offsetof(kl_profile, provider), true},
        {"model", offsetof(kl_profile, model), true},
        {"title", offsetof(kl_profile, title), false},
        {"endpoint", offsetof(kl_profile, endpoint), false},
        {"constraints", offsetof(kl_profile, constraints), false},
    };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        const kl_node *v = kl_cc_get(pobj, strs[i].key, strlen(strs[i].key));
        if (v == NULL) {
            if (strs[i].required)
                kl_cc_error(C, pobj, false, "a profile needs `%s`", strs[i].key);
            continue;
        }
        if (!kl_cc_want_string(C, v, strs[i].key))
            continue;
        *(const char **)((char *)p + strs[i].off) = kl_cc_str(C, v);
    }
    if (p->id == NULL)
        p->id = "?";
    const kl_node *v;
    if ((v = KL_CC_GET(pobj, "docs")) != NULL) {
        if (kl_cc_strings(C, v))
            p->docs = v;
    }
    if ((v = KL_CC_GET(pobj, "sources")) != NULL) {
        if (v->kind != KL_JSON_OBJECT)
            kl_cc_error(C, v, false, "`sources` maps source keys to URLs or text");
        else
            p->sources = v;
    }

    const kl_node *fields = KL_CC_GET(pobj, "fields");
    if (fields == NULL || fields->kind != KL_JSON_ARRAY) {
        kl_cc_error(C, fields ? fields : pobj, false, "a profile needs `fields`, a list");
        return;
    }
    if (!kl_cc_fields(C, fields, whole))
        return;

    const kl_node *det = KL_CC_GET(pobj, "detect");
    if (det == NULL || det->kind != KL_JSON_OBJECT || det->len == 0) {
        kl_cc_error(C, det ? det : pobj, false,
                    "a profile needs `detect`: {\"identify\": C} and/or {\"shape\": C}");
    } else if (kl_cc_keys(C, det, "`detect`", "identify shape", NULL)) {
        if ((v = KL_CC_GET(det, "identify")) != NULL)
            p->identify = kl_cc_cond(C, v, KL_NONE);
        if ((v = KL_CC_GET(det, "shape")) != NULL)
            p->shape = kl_cc_cond(C, v, KL_NONE);
    }
    if (whole)
        profile_lists(C, pobj);
}

void kl_cc_overlay(kl_cc *C, const kl_node *o, kl_pbuild **builds, size_t n_builds)
{
    if (o->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, o, false, "`overlay` is an object");
        return;
    }
    if (!kl_cc_keys(C, o, "an overlay", "id description profiles rows", NULL))
        return;
    const kl_node *id = KL_CC_GET(o, "id");
    const kl_node *profiles = KL_CC_GET(o, "profiles");
    const kl_node *rows = KL_CC_GET(o, "rows");
    if (!kl_cc_want_string(C, id, "`id`"))
        return;
    if (id == NULL || profiles == NULL || rows == NULL) {
        kl_cc_error(C, o, false, "an overlay needs `id`, `profiles` and `rows`");
        return;
    }
    if (profiles->kind != KL_JSON_ARRAY || profiles->len == 0 || rows->kind != KL_JSON_ARRAY) {
        kl_cc_error(C, profiles->kind != KL_JSON_ARRAY ? profiles : rows, false,
                    "`profiles` is a list of profile ids (or [\"*\"]) and `rows` a list");
        return;
    }
    C->overlay = kl_cc_str(C, id);
    for (uint32_t i = 0; i < profiles->len; i++) {
        const kl_node *pid = &profiles->u.children[i];
        bool star = kl_cc_is(pid, "*");
        bool matched = false;
        for (size_t k = 0; k < n_builds && !C->file->bad; k++) {
            kl_pbuild *b = builds[k];
            if (!star && !kl_cc_is(pid, b->p->id))
                continue;
            matched = true;
            C->b = b;
            C->skip_missing = star;
            for (uint32_t r = 0; r < rows->len && !C->file->bad; r++)
                kl_cc_row(C, &rows->u.children[r]);
            C->skip_missing = false;
        }
        if (!matched && !C->file->bad)
            kl_cc_error(C, pid, false, "no profile has this id (`klint rules` lists them)");
    }
    C->overlay = NULL;
}

/* The nearest field at or above `f` that is outside every list (KL_NONE for the root). */
static uint16_t fixed_ancestor(const kl_profile *p, uint16_t f)
{
    while (f != KL_NONE && p->fields[f].in_item)
        f = p->fields[f].parent;
    return (f == 0) ? KL_NONE : f;
}

/*
 * A field that must have been sent for the row to find anything, so that the
 * engine can skip it with one load: for a row inside a list, the list; for a
 * check that only looks at a sent value, its place (when no default can
 * stand in for it); for a row whose condition starts with present(x), x.
 */
uint8_t kl_cc_check_traits(const kl_check_ops *check)
{
    static const char *const sent_only[] = {
        "type",   "length",     "uri-scheme", "media-type", "data-uri-size", "image-dimensions",
        "forbidden", "requires", "excludes",  "index-within", "references",  "sum"};
    static const char *const sent_unless_default[] = {"enum", "not-enum", "range"};
    uint8_t traits = 0;
    for (size_t i = 0; i < sizeof(sent_only) / sizeof(sent_only[0]); i++)
        if (strcmp(check->name, sent_only[i]) == 0)
            traits |= KL_CC_SENT_ONLY;
    for (size_t i = 0; i < sizeof(sent_unless_default) / sizeof(sent_unless_default[0]); i++)
        if (strcmp(check->name, sent_unless_default[i]) == 0)
            traits |= KL_CC_SENT_UNLESS_DEFAULT;
    if (strcmp(check->name, "count") == 0)
        traits |= KL_CC_SENT_IF_IMPLIED;
    return traits;
}

static uint16_t row_gate(const kl_profile *p, kl_row *r, uint8_t traits)
{
    const kl_field *at = &p->fields[r->at];
    uint16_t list_gate = at->anchor != KL_NONE ? fixed_ancestor(p, at->anchor) : KL_NONE;
    bool needs_sent = (traits & KL_CC_SENT_ONLY) != 0;
    bool no_default = at->dflt == NULL && at->n_cases == 0;
    if ((traits & KL_CC_SENT_UNLESS_DEFAULT) && no_default)
        needs_sent = true;
    if ((traits & KL_CC_SENT_IF_IMPLIED) && r->implied)
        needs_sent = true;
    r->needs_target = needs_sent;
    if (list_gate != KL_NONE)
        return list_gate;
    if (needs_sent && r->at != 0)
        return fixed_ancestor(p, r->at);
    if (r->when >= 0) {
        const kl_cond *cd = &p->conds[r->when];
        if (cd->kind == KL_C_AND)
            cd = &p->conds[cd->kids[0]];
        if (cd->kind == KL_C_PRESENT && !cd->ref.rel)
            return fixed_ancestor(p, cd->ref.field);
    }
    return KL_NONE;
}

/* A literal operand's number, read once rather than at every comparison. */
static void literal_number(kl_operand *op)
{
    if (op->kind == KL_OP_LIT)
        op->lit_is_num = kl_node_number(op->lit, &op->lit_num);
}

/* Each list item's member table: the fields inside an item and their places (rules.h).
 * Fields come after their parents in the table, so an item's table fills top-down. */
static bool item_tables(kl_cc *C, kl_profile *p)
{
    for (uint16_t f = 0; f < p->n_fields; f++) {
        kl_field *x = &p->fields[f];
        if (x->anchor != KL_NONE)
            x->local = p->fields[x->anchor].n_anchored++;
    }
    for (uint16_t a = 0; a < p->n_fields; a++) {
        kl_field *item = &p->fields[a];
        if (item->step != KL_STEP_ITEM)
            continue;
        item->tabled = !p->fields[item->parent].in_item;
        uint16_t *list = kl_cc_alloc(C, item->n_anchored * sizeof(uint16_t));
        if (list == NULL)
            return false;
        for (uint16_t f = a; f < p->n_fields; f++)
            if (p->fields[f].anchor == a)
                list[p->fields[f].local] = f;
        item->anchored = list;
    }
    return true;
}

bool kl_cc_freeze_head(kl_cc *C, kl_pbuild *b)
{
    kl_profile *p = b->p;
    /* The build's tables become the profile's as they are (the build keeps owning them:
     * kl_cc_free_build): no copy. The conditions table is the build's whether or not it holds
     * any yet: a lazy profile's rows add theirs to it in place. */
    p->fields = b->n_fields > 0 ? b->fields : NULL;
    p->conds = b->conds;
    p->n_fields = (uint16_t)b->n_fields;
    p->n_conds = b->n_conds;
    for (uint16_t f = 0; f < p->n_fields; f++) {
        uint16_t *chain = kl_cc_alloc(C, (p->fields[f].depth + 1u) * sizeof(uint16_t));
        if (chain == NULL)
            return false;
        for (uint16_t cur = f, k = p->fields[f].depth; k > 0; cur = p->fields[cur].parent)
            chain[--k] = cur;
        p->fields[f].chain = chain;
        uint16_t fx = fixed_ancestor(p, f);
        p->fields[f].fixed = fx == KL_NONE ? 0 : fx;
    }
    if (!item_tables(C, p))
        return false;
    for (uint32_t i = 0; i < b->n_conds; i++) {
        literal_number(&b->conds[i].a);
        literal_number(&b->conds[i].b);
    }
    b->n_frozen_conds = b->n_conds;
    return true;
}

bool kl_cc_freeze_rest(kl_pbuild *b, const kl_tmpl *default_msgs, const uint8_t *traits)
{
    kl_profile *p = b->p;
    if (b->conds != p->conds)
        return false; /* the table moved after kl_cc_freeze_head: readers hold the old one */
    for (uint32_t i = b->n_frozen_conds; i < b->n_conds; i++) {
        literal_number(&b->conds[i].a);
        literal_number(&b->conds[i].b);
    }
    b->n_frozen_conds = b->n_conds;
    p->rows = b->n_rows > 0 ? b->rows : NULL;
    p->aliases = b->n_aliases > 0 ? b->aliases : NULL;
    p->na = b->n_na > 0 ? b->na : NULL;
    p->n_rows = b->n_rows;
    p->n_conds = b->n_conds;
    p->n_aliases = (uint16_t)b->n_aliases;
    p->n_na = (uint16_t)b->n_na;
    for (uint32_t i = 0; i < p->n_rows; i++) {
        literal_number(&p->rows[i].p.min);
        literal_number(&p->rows[i].p.max);
        literal_number(&p->rows[i].p.equals);
    }
    for (uint32_t i = 0; i < p->n_rows; i++) {
        kl_row *r = &p->rows[i];
        size_t k = 0;
        while (k < kl_n_checks && kl_checks[k] != r->check)
            k++;
        r->gate = row_gate(p, r, k < kl_n_checks ? traits[k] : 0);
        r->judges_type = kl_check_judges_type(r->check);
        r->message_given = r->message.n_segs > 0;
        if (r->message.n_segs == 0 && k < kl_n_checks)
            r->message = default_msgs[k];
    }
    return true;
}

void kl_cc_free_build(kl_pbuild *b)
{
    free(b->fields);
    free(b->rows);
    free(b->conds);
    free(b->aliases);
    free(b->na);
    free(b->field_specs);
}
