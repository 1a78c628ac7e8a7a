/*
 * Profile selection for one document, in the order rules/README.md gives:
 * the payload's own identifying fields (each profile's `detect.identify`),
 * then, only when none identified itself, the envelope's shape
 * (`detect.shape`). One match is the profile; none is `profile-unknown`
 * naming the closest profile by known keys; several is `profile-ambiguous`.
 * Never a guess.
 */
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "engine.h"

#define RULE_UNKNOWN   "profile-unknown"
#define RULE_AMBIGUOUS "profile-ambiguous"

enum { MAX_MATCHES = 8 };

/* Keys of the payload (top level and one level down) the profile declares. */
static void score(const kl_profile *p, const kl_node *root, size_t *known, size_t *total)
{
    *known = *total = 0;
    for (uint32_t i = 0; i < root->len; i++) {
        const kl_node *m = &root->u.children[i];
        uint16_t f = kl_field_child(p, 0, m->key, m->key_len);
        (*total)++;
        if (f != KL_NONE)
            (*known)++;
        if (m->kind != KL_JSON_OBJECT)
            continue;
        for (uint32_t k = 0; k < m->len; k++) {
            const kl_node *mm = &m->u.children[k];
            (*total)++;
            if (f != KL_NONE && kl_field_child(p, f, mm->key, mm->key_len) != KL_NONE)
                (*known)++;
        }
    }
}

/* Top-level members the profile requires that the payload lacks: a tie-breaker. */
static size_t missing_required(const kl_profile *p, const kl_node *root)
{
    size_t n = 0;
    for (uint32_t i = 0; i < p->n_rows; i++) {
        const kl_row *r = &p->rows[i];
        const kl_field *f = &p->fields[r->at];
        if (r->when < 0 && f->parent == 0 && f->step == KL_STEP_MEMBER &&
            strcmp(r->check->name, "required") == 0 &&
            kl_node_get(root, f->name, f->name_len) == NULL)
            n++;
    }
    return n;
}

/* The first identifying field a profile's `identify` condition reads, if the payload has it. */
static const kl_node *identifying_field(kl_ctx *c, const kl_profile *p)
{
    for (uint32_t i = 0; p->identify >= 0 && i < p->n_conds; i++) {
        const kl_cond *cd = &p->conds[i];
        kl_ref ref = cd->ref;
        if (cd->kind == KL_C_EQ || cd->kind == KL_C_IN || cd->kind == KL_C_NE) {
            if (cd->a.kind != KL_OP_PATH)
                continue;
            ref = cd->a.ref;
        } else if (cd->kind != KL_C_PRESENT) {
            continue;
        }
        const kl_node *n = kl_resolve(c, ref);
        if (n != NULL && n->key != NULL)
            return n;
    }
    return NULL;
}

/* Among every profile's identifying values for the member `idf` names, one a typo away. */
static const kl_node *close_identifier(const kl_ruleset *rs, const kl_node *idf)
{
    if (idf->kind != KL_JSON_STRING)
        return NULL;
    for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++) {
        const kl_profile *p = kl_ruleset_profile_at(rs, i);
        for (uint32_t k = 0; p->identify >= 0 && k < p->n_conds; k++) {
            const kl_cond *cd = &p->conds[k];
            if ((cd->kind != KL_C_EQ && cd->kind != KL_C_IN) || cd->a.kind != KL_OP_PATH)
                continue;
            const kl_field *f = &p->fields[cd->a.ref.field];
            if (f->name_len != idf->key_len || memcmp(f->name, idf->key, f->name_len) != 0)
                continue;
            const kl_node *one = cd->kind == KL_C_EQ ? cd->b.lit : NULL;
            uint32_t n = cd->kind == KL_C_EQ ? 1 : cd->list->len;
            for (uint32_t j = 0; j < n; j++) {
                const kl_node *v = one ? one : &cd->list->u.children[j];
                if (v == NULL || v->kind != KL_JSON_STRING)
                    continue;
                if (kl_edit_distance(v->u.str, v->len, idf->u.str, idf->len, 2) <= 2 ||
                    (v->len == idf->len && strncasecmp(v->u.str, idf->u.str, v->len) == 0))
                    return v;
            }
        }
    }
    return NULL;
}

/*
 * Identification by one top-level member (nearly every profile: `{"eq": ["model", "..."]}`).
 * A profile's `identify` is keyed when it is `eq(path, literal)` or `in(path, [literals])` on a
 * top-level member field that has no default. While detecting (no slot table), kl_cond_eval
 * then finds that member with kl_node_get on the root, takes it when it is not null, and
 * compares it with kl_node_equal: true exactly when keyed_match says so. keyed_match needs
 * only the member, which kl_profile_select looks up once per distinct name instead of once per
 * profile.
 */
static const kl_cond *keyed_identify(const kl_profile *p)
{
    if (p->identify < 0)
        return NULL;
    const kl_cond *cd = &p->conds[p->identify];
    if (cd->kind == KL_C_EQ) {
        if (cd->b.kind != KL_OP_LIT || cd->b.lit == NULL)
            return NULL;
    } else if (cd->kind != KL_C_IN) {
        return NULL;
    }
    if (cd->a.kind != KL_OP_PATH || cd->a.ref.rel)
        return NULL;
    const kl_field *f = &p->fields[cd->a.ref.field];
    if (f->parent != 0 || f->step != KL_STEP_MEMBER || f->dflt != NULL || f->n_cases != 0)
        return NULL;
    return cd;
}

/* kl_cond_eval of a keyed `identify` (keyed_identify), given its member (NULL: absent). */
static bool keyed_match(const kl_cond *cd, const kl_node *member)
{
    if (member == NULL || member->kind == KL_JSON_NULL)
        return false;
    if (cd->kind == KL_C_EQ)
        return kl_node_equal(member, cd->b.lit);
    for (uint32_t i = 0; i < cd->list->len; i++)
        if (kl_node_equal(member, &cd->list->u.children[i]))
            return true;
    return false;
}

/* The root's member looked up for keyed identification, by name. */
typedef struct keyed_member {
    const char *name;
    uint32_t name_len;
    const kl_node *node;
} keyed_member;

enum { MAX_KEYED_NAMES = 8 };

/* Does `p` identify itself in `root`? `seen` caches member lookups across profiles. */
static bool identifies(kl_ctx *c, const kl_profile *p, keyed_member *seen, size_t *n_seen)
{
    const kl_cond *cd = keyed_identify(p);
    if (cd == NULL)
        return kl_cond_eval(c, p->identify);
    const kl_field *f = &p->fields[cd->a.ref.field];
    for (size_t i = 0; i < *n_seen; i++)
        if (seen[i].name_len == f->name_len && memcmp(seen[i].name, f->name, f->name_len) == 0)
            return keyed_match(cd, seen[i].node);
    const kl_node *member = kl_node_get(c->root, f->name, f->name_len);
    if (*n_seen < MAX_KEYED_NAMES)
        seen[(*n_seen)++] = (keyed_member){f->name, f->name_len, member};
    return keyed_match(cd, member);
}

static kl_span root_span(const kl_node *root)
{
    return kl_span_make(root->span.start, root->span.start + 1);
}

const kl_profile *kl_profile_select(kl_ctx *c, int *status)
{
    const kl_ruleset *rs = kl_engine_ruleset(c->e);
    const kl_node *root = c->root;
    size_t n_profiles = kl_ruleset_profile_count(rs);
    *status = KL_OK;
    c->slots = NULL;
    if (root->kind != KL_JSON_OBJECT) {
        *status = kl_diags_addf(c->out, RULE_UNKNOWN, KL_SEV_ERROR, root_span(root), "$",
                                "the payload is %s, not a JSON object: no profile applies",
                                kl_node_phrase(root));
        return NULL;
    }
    const kl_profile *matches[MAX_MATCHES];
    size_t n = 0;
    keyed_member seen[MAX_KEYED_NAMES];
    size_t n_seen = 0;
    for (int tier = 0; tier < 2 && n == 0; tier++) {
        for (size_t i = 0; i < n_profiles; i++) {
            const kl_profile *p = kl_ruleset_profile_head(rs, i); /* detection needs no rows */
            int32_t cond = tier == 0 ? p->identify : p->shape;
            if (cond < 0)
                continue;
            c->p = p;
            bool match = tier == 0 ? identifies(c, p, seen, &n_seen) : kl_cond_eval(c, cond);
            if (match && n < MAX_MATCHES)
                matches[n++] = p;
        }
    }
    c->p = NULL;
    if (n == 1) {
        /* The one profile that applies: compile its rows now if that has not happened yet. */
        const kl_profile *whole = kl_ruleset_complete(rs, matches[0]);
        if (whole == NULL)
            *status = KL_ENOMEM;
        return whole;
    }

    kl_buf msg = KL_BUF_INIT;
    if (n > 1) {
        kl_buf_puts(&msg, "this payload matches several profiles: ");
        for (size_t i = 0; i < n; i++)
            kl_buf_printf(&msg, "%s`%s`", i ? ", " : "", matches[i]->id);
        kl_buf_puts(&msg, "; choose one with --profile ID");
        *status = kl_buf_failed(&msg) ? KL_ENOMEM
                                      : kl_diags_addf(c->out, RULE_AMBIGUOUS, KL_SEV_ERROR,
                                                      root_span(root), "$", "%s",
                                                      kl_buf_cstr(&msg));
        kl_buf_dispose(&msg);
        return NULL;
    }
    const kl_profile *best = NULL;
    size_t best_known = 0, best_total = 1, best_missing = 0;
    for (size_t i = 0; i < n_profiles; i++) {
        const kl_profile *p = kl_ruleset_profile_at(rs, i);
        size_t known, total;
        score(p, root, &known, &total);
        total = total ? total : 1;
        size_t missing = missing_required(p, root);
        if (best == NULL || known * best_total > best_known * total ||
            (known * best_total == best_known * total && missing < best_missing)) {
            best = p;
            best_known = known;
            best_total = total;
            best_missing = missing;
        }
    }
    kl_buf_puts(&msg, "cannot tell which profile this payload is for");
    if (best != NULL) {
        c->p = best;
        const kl_node *idf = identifying_field(c, best);
        c->p = NULL;
        if (idf != NULL) {
            kl_buf_printf(&msg, ": its `%.*s` ", (int)idf->key_len, idf->key);
            kl_msg_value(&msg, idf, false);
            kl_buf_puts(&msg, " names no known profile");
            const kl_node *near = close_identifier(rs, idf);
            if (near != NULL) {
                kl_buf_puts(&msg, " (did you mean ");
                kl_msg_value(&msg, near, false);
                kl_buf_puts(&msg, "?)");
            }
        } else {
            kl_buf_puts(&msg, ": no field identifies one and its shape fits none");
        }
        if (best_known > 0)
            kl_buf_printf(&msg, "; closest is `%s` (it knows %zu of the %zu keys)", best->id,
                          best_known, best_total);
    }
    kl_buf_puts(&msg, "; choose a profile with --profile ID (`klint rules` lists them)");
    *status = kl_buf_failed(&msg) ? KL_ENOMEM
                                  : kl_diags_addf(c->out, RULE_UNKNOWN, KL_SEV_ERROR,
                                                  root_span(root), "$", "%s", kl_buf_cstr(&msg));
    kl_buf_dispose(&msg);
    return NULL;
}
