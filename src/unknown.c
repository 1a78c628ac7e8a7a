/*
 * Unknown keys: a member the profile does not declare, reported with the
 * most useful hint the rule data allows — the profile's own alias table,
 * the same name declared elsewhere in this profile ("move it into `input`"),
 * another profile's spelling of the same concept ("<provider> spells this
 * `x`"), or a declared sibling a typo away ("did you mean `x`?"). A member
 * whose fix moves or renames it also has its value checked as the field it
 * would become (kl_misplaced), so that the fix reveals no new problem.
 */
#include <string.h>

#include "checks.h"
#include "engine.h"

typedef struct concept_hit {
    const kl_profile *self;
    uint16_t obj_field;
    const char *name;
    size_t name_len;
    uint16_t found;      /* this profile's field with the same concept, same object */
    uint16_t elsewhere;  /* ... in another object */
} concept_hit;

/*
 * Called for every (profile, field) spelling the unknown name. The answer is the first
 * field of this profile (in its own declaration order) with one of those concepts, so it
 * does not depend on the order the rule files were loaded in.
 */
static void on_named(void *ctx, const kl_profile *q, const kl_field *x)
{
    concept_hit *h = ctx;
    (void)q;
    if (x->concept == NULL)
        return;
    const kl_profile *p = h->self;
    for (uint16_t i = 0; i < p->n_fields; i++) {
        const kl_field *y = &p->fields[i];
        if (y->concept == NULL || strcmp(y->concept, x->concept) != 0 || y->step != KL_STEP_MEMBER)
            continue;
        if (y->name_len == h->name_len && memcmp(y->name, h->name, h->name_len) == 0)
            continue;
        if (y->parent == h->obj_field) {
            if (h->found == KL_NONE || i < h->found)
                h->found = i;
        } else if (h->elsewhere == KL_NONE || i < h->elsewhere) {
            h->elsewhere = i;
        }
    }
}

int kl_unknown_key(kl_ctx *c, const kl_node *m, uint16_t obj_field)
{
    const kl_profile *p = c->p;
    const kl_field *of = &p->fields[obj_field];
    const kl_ruleset *rs = kl_engine_ruleset(c->e);

    kl_row row;
    memset(&row, 0, sizeof(row));
    row.id = "unknown-field";
    row.severity = of->unknown_sev;
    row.doc = of->unknown_doc;
    row.source = of->unknown_source;
    row.message = *kl_ruleset_xmsg(rs, KL_XMSG_UNKNOWN);
    row.at = obj_field;
    row.when = -1;
    kl_fixspec move;
    memset(&move, 0, sizeof(move));

    const kl_row *saved = c->row;
    c->row = &row;
    kl_finding f;
    kl_finding_init(c, &f, m, obj_field);
    f.key_span = true;
    f.value.node = m;

    kl_buf hint = KL_BUF_INIT;
    uint16_t misplaced = KL_NONE; /* the field it belongs to, when hint 2 applies */
    uint16_t renamed = KL_NONE;   /* the field a rename (hints 1, 3, 4) makes it */
    /* 1. The profile's own aliases. */
    for (uint16_t i = 0; i < p->n_aliases && hint.len == 0; i++) {
        const kl_alias *al = &p->aliases[i];
        if (al->at != obj_field || al->name_len != m->key_len ||
            memcmp(al->name, m->key, m->key_len) != 0)
            continue;
        kl_buf_puts(&hint, al->hint);
        f.fix_name = al->rename;
        if (al->rename != NULL)
            renamed = kl_field_child(p, obj_field, al->rename, strlen(al->rename));
        if (al->has_sev)
            f.severity = al->sev;
    }
    /* 2. Declared in another object of this profile. */
    for (uint16_t i = 0; i < p->n_fields && hint.len == 0; i++) {
        const kl_field *x = &p->fields[i];
        if (x->step != KL_STEP_MEMBER || x->parent == obj_field || x->name_len != m->key_len ||
            memcmp(x->name, m->key, m->key_len) != 0)
            continue;
        const kl_field *target = &p->fields[x->parent];
        if (target->in_item || target->step == KL_STEP_PARSED)
            continue;
        /* (From the root: the walk may not have reached the target's slot yet.) */
        if (kl_name_taken(kl_resolve_from(c, c->root, 0, x->parent), m->key, m->key_len, NULL)) {
            /* Moving it would make a duplicate key: say so, offer no fix. */
            if (x->parent == 0)
                kl_buf_puts(&hint, "it belongs at the top level, which has it already: "
                                   "remove this one");
            else
                kl_buf_printf(&hint, "it belongs in `%s`, which has it already: remove this one",
                              target->path);
            continue;
        }
        if (x->parent == 0) {
            kl_buf_puts(&hint, "it belongs at the top level of the request");
        } else {
            kl_buf_puts(&hint, "move it into `");
            kl_buf_puts(&hint, target->path);
            kl_buf_putc(&hint, '`');
        }
        move.kind = KL_FIX_MOVE_INTO;
        move.target = x->parent;
        f.fix = &move;
        misplaced = i;
    }
    /* 3. Another profile's spelling of a concept this profile has. */
    if (hint.len == 0) {
        concept_hit h = {p, obj_field, m->key, m->key_len, KL_NONE, KL_NONE};
        kl_ruleset_fields_named(rs, m->key, m->key_len, on_named, &h);
        if (h.found != KL_NONE) {
            const kl_field *y = &p->fields[h.found];
            kl_buf_printf(&hint, "%s spells this `%.*s`", p->provider, (int)y->name_len, y->name);
            f.fix_name = y->name;
            renamed = h.found;
        } else if (h.elsewhere != KL_NONE) {
            const kl_field *y = &p->fields[h.elsewhere];
            kl_buf_printf(&hint, "%s has this as `%s`", p->provider, y->path);
        }
    }
    /* 4. A declared sibling a typo away. */
    for (uint16_t i = 0; i < of->n_children && hint.len == 0; i++) {
        const kl_field *x = &p->fields[of->children[i]];
        size_t cap = x->name_len <= 4 ? 1 : 2;
        if (kl_edit_distance(x->name, x->name_len, m->key, m->key_len, cap) <= cap) {
            kl_buf_printf(&hint, "did you mean `%.*s`?", (int)x->name_len, x->name);
            f.fix_name = x->name;
            renamed = of->children[i];
        }
    }
    /* A rename onto a name the object already has would make a duplicate key: the fix is
     * not offered (kl_fix_build), and the hint says what to do instead. */
    if (f.fix_name != NULL && kl_name_taken(m->parent, f.fix_name, strlen(f.fix_name), m)) {
        bool question = hint.len > 0 && kl_buf_cstr(&hint)[hint.len - 1] == '?';
        kl_buf_printf(&hint, "%s`%s` is already sent: remove `%.*s`", question ? " " : "; ",
                      f.fix_name, (int)m->key_len, m->key);
        renamed = KL_NONE; /* no rename: nothing to check */
    }
    /* Checked where it would be: fields inside list items are found through their item,
     * which a renamed member has no slot for. */
    if (renamed != KL_NONE && p->fields[renamed].in_item)
        renamed = KL_NONE;
    int rc = KL_OK;
    if (kl_buf_failed(&hint)) {
        rc = KL_ENOMEM;
    } else {
        if (hint.len > 0)
            f.hint = kl_keep(c, kl_buf_cstr(&hint), hint.len);
        rc = kl_report(c, &f);
        /* Its value is checked too, as it would be where it belongs, or once renamed. */
        if (rc == KL_OK && misplaced != KL_NONE)
            rc = kl_misplaced(c, m, misplaced, false);
        else if (rc == KL_OK && renamed != KL_NONE)
            rc = kl_misplaced(c, m, renamed, true);
    }
    kl_buf_dispose(&hint);
    c->row = saved;
    return rc;
}
