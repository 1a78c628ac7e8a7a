/*
 * The generic checks. Each is one function of the table below, named for
 * what it checks; the rows of rules/NAME.json choose one and give it
 * parameters. A check reads the value at its row's place (the value in
 * effect unless it is about what was sent), decides, and reports through
 * kl_report with the facts a message template can use.
 */
#include "checks.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "media.h"
#include "utf8.h"

/* ---- Shared helpers ------------------------------------------------------ */

static const char *fmt_num(kl_ctx *c, double d)
{
    char buf[64];
    if (fabs(d) < 1e15 && floor(d) == d)
        snprintf(buf, sizeof(buf), "%.0f", d);
    else
        snprintf(buf, sizeof(buf), "%g", d);
    return kl_keep(c, buf, strlen(buf));
}

/* a b c, without printf (these are written for every finding of some checks) */
static void put3(kl_buf *b, const char *x, const char *y, const char *z)
{
    kl_buf_puts(b, x);
    kl_buf_puts(b, y);
    kl_buf_puts(b, z);
}

/* what "text": `text` is raw bytes, quoted as they are */
static void put_quoted(kl_buf *b, const char *what, const char *text, size_t len)
{
    kl_buf_puts(b, what);
    kl_buf_putc(b, '"');
    kl_buf_put(b, text, len);
    kl_buf_putc(b, '"');
}

static const char *kept(kl_ctx *c, kl_buf *b)
{
    const char *s = kl_keep(c, kl_buf_cstr(b), b->len);
    kl_buf_dispose(b);
    return s;
}

/* A bound: its number (false when unknown) and, when `text` is not NULL, its text. */
static bool bound(kl_ctx *c, const kl_operand *op, double *out, const char **text)
{
    if (op->kind == KL_OP_NONE)
        return false;
    if (op->kind == KL_OP_LIT && text == NULL) {
        *out = op->lit_num; /* read when the rules were loaded */
        return op->lit_is_num;
    }
    bool is_num;
    kl_val v = kl_operand_eval(c, op, out, &is_num);
    if (!is_num)
        return false;
    if (text) {
        kl_buf b = KL_BUF_INIT;
        if (v.node && v.node->kind == KL_JSON_NUMBER)
            kl_buf_put(&b, v.node->u.str, v.node->len);
        else
            kl_buf_puts(&b, fmt_num(c, *out));
        if (v.defaulted)
            kl_buf_puts(&b, " (the default)");
        *text = kept(c, &b);
    }
    return true;
}

/* "3–15", "at most 10", "at least 1". */
static const char *range_text(kl_ctx *c, const char *lo, const char *hi)
{
    kl_buf b = KL_BUF_INIT;
    if (lo && hi)
        put3(&b, lo, "\xe2\x80\x93", hi);
    else if (hi)
        put3(&b, "at most ", hi, "");
    else if (lo)
        put3(&b, "at least ", lo, "");
    return kept(c, &b);
}

static const char *name_of(kl_ctx *c, const kl_node *n, uint16_t field)
{
    kl_buf b = KL_BUF_INIT;
    kl_msg_place_name(c, &b, n, field);
    return kept(c, &b);
}

static const kl_tmpl *xmsg(kl_ctx *c, int which)
{
    return kl_ruleset_xmsg(kl_engine_ruleset(c->e), which);
}

static bool sent(const kl_node *n)
{
    return n != NULL && n->kind != KL_JSON_NULL;
}

static size_t len_of(kl_ctx *c, kl_ref ref, const kl_node **node)
{
    const kl_node *n = kl_resolve(c, ref);
    if (node)
        *node = n;
    if (!kl_is_present(n))
        return 0;
    const kl_node *v = kl_through_parsed(c, n, ref.field);
    if (v && v->kind == KL_JSON_ARRAY)
        return v->len;
    return (v == NULL) ? 0 : 1;
}

/* Levenshtein distance, capped: anything above `cap` returns cap + 1. */
size_t kl_edit_distance(const char *a, size_t an, const char *b, size_t bn, size_t cap)
{
    if (an > 64 || bn > 64)
        return cap + 1;
    size_t row[65];
    for (size_t j = 0; j <= bn; j++)
        row[j] = j;
    for (size_t i = 1; i <= an; i++) {
        size_t prev = row[0], best = i;
        row[0] = i;
        for (size_t j = 1; j <= bn; j++) {
            size_t cur = row[j];
            size_t sub = prev + (a[i - 1] == b[j - 1] ? 0 : 1);
            size_t del = row[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            if (row[j] < best)
                best = row[j];
            prev = cur;
        }
        if (best > cap)
            return cap + 1;
    }
    return row[bn];
}

/*
 * Value checks (enum, not-enum, range, length) judge the value in effect, and only
 * when it has the field's own type: a sent value of another type is the `type`
 * check's finding, not theirs. A default (nothing sent, or `null` sent) comes
 * from the rule data and stands for the field.
 */
static bool typed_ok(kl_ctx *c, const kl_row *r, kl_val v)
{
    const kl_field *f = &c->p->fields[r->at];
    uint32_t want = f->types | f->near_types;
    const kl_node *n = v.node;
    if (n == NULL || v.defaulted || want == 0)
        return true;
    uint32_t have = kl_node_types(n);
    if (n->kind == KL_JSON_STRING && (want & KL_T_JSONSTR))
        have |= KL_T_JSONSTR;
    return (have & want) != 0;
}

/* ---- type ------------------------------------------------------------------ */

static const char *types_text(kl_ctx *c, uint32_t types)
{
    kl_buf b = KL_BUF_INIT;
    int n = 0;
    for (uint32_t bit = 1; bit <= KL_T_NULL; bit <<= 1) {
        if (!(types & bit))
            continue;
        if (n++)
            kl_buf_puts(&b, " or ");
        kl_buf_puts(&b, kl_type_phrase(bit));
    }
    return kept(c, &b);
}

static int check_type(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    if (!sent(t) && !(t && (r->p.types & KL_T_NULL)))
        return KL_OK;
    uint32_t have = kl_node_types(t);
    kl_finding f;
    if ((r->p.types & KL_T_JSONSTR) && t->kind == KL_JSON_STRING) {
        const kl_parsed *ps = kl_parsed_of(c, t);
        if (ps == NULL || ps->root != NULL)
            return KL_OK;
        kl_finding_init(c, &f, t, r->at);
        f.value.node = t;
        f.type = types_text(c, r->p.types);
        f.message = xmsg(c, KL_XMSG_JSON_INVALID);
        f.found_type = "a string that does not hold valid JSON";
        f.found = ps->error;
        f.has_span = true;
        f.sub_start = ps->error_off;
        f.sub_end = ps->error_off < t->len ? ps->error_off + 1 : ps->error_off;
        return kl_report(c, &f);
    }
    if (have & r->p.types)
        return KL_OK;
    kl_finding_init(c, &f, t, r->at);
    f.value.node = t;
    f.type = types_text(c, r->p.types);
    if (have & r->p.near_types)
        f.severity = r->p.near_sev;
    f.found_type = kl_node_phrase(t);
    return kl_report(c, &f);
}

/* ---- enum, not-enum ------------------------------------------------------------ */

static bool in_values(const kl_node *v, const kl_node *values)
{
    for (uint32_t i = 0; i < values->len; i++)
        if (kl_node_equal(v, &values->u.children[i]))
            return true;
    return false;
}

static int check_enum(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    kl_val v = kl_effective_node(c, t, r->at);
    if (v.node == NULL || in_values(v.node, r->p.values) || !typed_ok(c, r, v))
        return KL_OK;
    kl_finding f;
    kl_finding_init(c, &f, t, r->at);
    f.value = v;
    f.allowed = kl_list_text(c, r->p.values);
    if (v.node->kind == KL_JSON_STRING) {
        const kl_node *best = NULL;
        bool case_only = false;
        for (uint32_t i = 0; i < r->p.values->len && best == NULL; i++) {
            const kl_node *a = &r->p.values->u.children[i];
            if (a->kind == KL_JSON_STRING && a->len == v.node->len &&
                kl_ascii_ieq(a->u.str, v.node->u.str, a->len)) {
                best = a;
                case_only = true;
            }
        }
        const kl_node *sug = NULL;
        if (best == NULL && r->p.suggest)
            sug = kl_node_get(r->p.suggest, v.node->u.str, v.node->len);
        if (sug) {
            for (uint32_t i = 0; i < r->p.values->len && best == NULL; i++)
                if (kl_node_equal(sug, &r->p.values->u.children[i]))
                    best = &r->p.values->u.children[i];
        }
        /* The nearest value is a guess at what was meant, not a spelling (the case, or a
         * did-you-mean the rule file declares): its fix is unsafe (rules/README.md §8). */
        for (uint32_t i = 0; i < r->p.values->len && best == NULL; i++) {
            const kl_node *a = &r->p.values->u.children[i];
            size_t cap = a->len <= 4 ? 1 : 2;
            if (a->kind == KL_JSON_STRING &&
                kl_edit_distance(a->u.str, a->len, v.node->u.str, v.node->len, cap) <= cap) {
                best = a;
                f.fix_unsafe = true;
            }
        }
        if (best != NULL) {
            kl_buf b = KL_BUF_INIT;
            kl_buf_puts(&b, "did you mean ");
            kl_msg_value(&b, best, false);
            kl_buf_putc(&b, '?');
            f.hint = kept(c, &b);
            f.fix_node = best;
            if (case_only && r->p.has_case_sev)
                f.severity = r->p.case_sev;
        }
    }
    return kl_report(c, &f);
}

static int check_not_enum(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    kl_val v = kl_effective_node(c, t, r->at);
    if (v.node == NULL || !in_values(v.node, r->p.values) || !typed_ok(c, r, v))
        return KL_OK;
    kl_finding f;
    kl_finding_init(c, &f, t, r->at);
    f.value = v;
    f.found = kl_list_text(c, r->p.values);
    return kl_report(c, &f);
}

/* ---- range ------------------------------------------------------------------- */

static int check_range(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    kl_val v = kl_effective_node(c, t, r->at);
    double x;
    if (v.node == NULL || !kl_node_number(v.node, &x) || !typed_ok(c, r, v))
        return KL_OK;
    double lo = 0, hi = 0;
    const char *lo_t = NULL, *hi_t = NULL;
    bool has_lo = bound(c, &r->p.min, &lo, NULL);
    bool has_hi = bound(c, &r->p.max, &hi, NULL);
    bool bad = (has_lo && (r->p.exclusive_min ? x <= lo : x < lo)) ||
               (has_hi && (r->p.exclusive_max ? x >= hi : x > hi));
    bool off_step = false;
    if (!bad && r->p.step) {
        double st = 0;
        kl_node_number(r->p.step, &st);
        double q = (x - (has_lo ? lo : 0)) / st;
        off_step = st > 0 && fabs(q - floor(q + 0.5)) > 1e-9;
    }
    if (!bad && !off_step)
        return KL_OK;
    bound(c, &r->p.min, &lo, &lo_t);
    bound(c, &r->p.max, &hi, &hi_t);
    kl_finding f;
    kl_finding_init(c, &f, t, r->at);
    f.value = v;
    f.min = lo_t;
    f.max = hi_t;
    f.range = range_text(c, has_lo ? lo_t : NULL, has_hi ? hi_t : NULL);
    if (off_step) {
        f.message = xmsg(c, KL_XMSG_STEP);
        f.found = kl_keep(c, r->p.step->u.str, r->p.step->len);
    }
    return kl_report(c, &f);
}

/* ---- length ------------------------------------------------------------------ */

static int check_length(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    kl_val v = {t, false};
    if (t == NULL || t->kind != KL_JSON_STRING || !typed_ok(c, r, v))
        return KL_OK;
    double lo = 0, hi = 0;
    const char *lo_t = NULL, *hi_t = NULL;
    bool has_lo = bound(c, &r->p.min, &lo, NULL);
    bool has_hi = bound(c, &r->p.max, &hi, NULL);
    /* A string of L bytes has between L/4 and L code points (UTF-8): when both ends are
     * within the limits, there is nothing to count. */
    double bytes = (double)t->len;
    if ((!has_lo || ceil(bytes / 4) >= lo) && (!has_hi || bytes <= hi))
        return KL_OK;
    double n = (double)kl_node_strlen_chars(t);
    if (!((has_lo && n < lo) || (has_hi && n > hi)))
        return KL_OK;
    bound(c, &r->p.min, &lo, &lo_t);
    bound(c, &r->p.max, &hi, &hi_t);
    kl_finding f;
    kl_finding_init(c, &f, t, r->at);
    f.value.node = t;
    f.count = fmt_num(c, n);
    f.min = lo_t;
    f.max = hi_t;
    f.range = range_text(c, has_lo ? lo_t : NULL, has_hi ? hi_t : NULL);
    return kl_report(c, &f);
}

/* ---- count ------------------------------------------------------------------- */

typedef struct where_acc {
    int32_t cond;
    uint16_t item_field;
    size_t n;
} where_acc;

static int check_count(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    kl_ref self = {r->at, false};
    if (r->implied) {
        /* An absent list is `required`'s business, a non-list `type`'s. */
        const kl_node *v = kl_is_present(t) ? kl_through_parsed(c, t, r->at) : NULL;
        if (v == NULL || v->kind != KL_JSON_ARRAY)
            return KL_OK;
    }
    const kl_ref *paths = r->p.n_paths ? r->p.paths : &self;
    uint16_t n_paths = r->p.n_paths ? r->p.n_paths : 1;
    double total = 0;
    const kl_node *first = NULL;
    const kl_node *nodes[16];
    for (uint16_t i = 0; i < n_paths && i < 16; i++) {
        const kl_node *n = r->p.n_paths == 0 ? t : kl_resolve(c, paths[i]);
        const kl_node *list = kl_is_present(n) ? kl_through_parsed(c, n, paths[i].field) : NULL;
        if (r->p.where >= 0) {
            const kl_node *save = c->item;
            uint16_t save_f = c->item_field;
            const kl_node *const *save_tab = c->item_tab;
            const kl_field *pf = &c->p->fields[paths[i].field];
            uint16_t item_f = pf->parsed_child != KL_NONE
                                  ? c->p->fields[pf->parsed_child].item_child
                                  : pf->item_child;
            for (uint32_t k = 0; list && list->kind == KL_JSON_ARRAY && k < list->len; k++) {
                c->item = &list->u.children[k];
                c->item_field = item_f;
                c->item_tab = kl_item_table_made(c, c->item, item_f);
                if (kl_cond_eval(c, r->p.where))
                    total += 1;
            }
            c->item = save;
            c->item_field = save_f;
            c->item_tab = save_tab;
        } else if (list != NULL) {
            total += list->kind == KL_JSON_ARRAY ? list->len : 1;
        }
        nodes[i] = kl_is_present(n) ? n : NULL;
        if (first == NULL && nodes[i] != NULL)
            first = nodes[i];
    }
    double lo = 0, hi = 0;
    const char *lo_t = NULL, *hi_t = NULL;
    bool has_lo = bound(c, &r->p.min, &lo, NULL);
    bool has_hi = bound(c, &r->p.max, &hi, NULL);
    if (!((has_lo && total < lo) || (has_hi && total > hi)))
        return KL_OK;
    bound(c, &r->p.min, &lo, &lo_t);
    bound(c, &r->p.max, &hi, &hi_t);
    bool at_given = r->spec && kl_node_getz(r->spec, "at") != NULL;
    const kl_node *place = (r->p.n_paths == 0 || at_given) ? t : first;
    kl_finding f;
    kl_finding_init(c, &f, place, place == t ? r->at : paths[0].field);
    if (place == NULL && !at_given && r->p.n_paths)
        f.field = paths[0].field;
    f.value.node = place;
    f.count = fmt_num(c, total);
    f.min = lo_t;
    f.max = hi_t;
    f.range = range_text(c, has_lo ? lo_t : NULL, has_hi ? hi_t : NULL);
    for (uint16_t i = 0; i < n_paths && i < 16 && f.n_extra < KL_MAX_EXTRA_RELATED; i++) {
        if (nodes[i] == NULL || nodes[i] == place || r->p.n_paths == 0)
            continue;
        f.extra[f.n_extra].node = nodes[i];
        f.extra[f.n_extra].message = "counted here too";
        f.n_extra++;
    }
    return kl_report(c, &f);
}

/* ---- required, forbidden, requires, excludes -------------------------------------- */

static int check_required(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    if (kl_is_present(t))
        return KL_OK;
    kl_finding f;
    if (t != NULL) {
        kl_finding_init(c, &f, t, r->at);
        f.value.node = t;
        f.found_type = kl_node_phrase(t);
        f.message = xmsg(c, KL_XMSG_EMPTY);
        return kl_report(c, &f);
    }
    /* Missing: only when the object that should hold it is there. */
    uint16_t parent = c->p->fields[r->at].parent;
    if (parent == KL_NONE)
        return KL_OK;
    kl_ref pref = {parent, c->p->fields[parent].in_item};
    const kl_node *holder = kl_resolve(c, pref);
    holder = kl_through_parsed(c, holder, parent);
    if (holder == NULL || holder->kind != KL_JSON_OBJECT)
        return KL_OK;
    kl_finding_init(c, &f, NULL, r->at);
    f.parent = holder;
    return kl_report(c, &f);
}

static int check_forbidden(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    if (!sent(t))
        return KL_OK;
    kl_finding f;
    kl_finding_init(c, &f, t, r->at);
    f.key_span = true;
    f.value.node = t;
    return kl_report(c, &f);
}

static int check_requires(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    if (!kl_is_present(t))
        return KL_OK;
    for (uint16_t i = 0; i < r->p.n_paths; i++) {
        const kl_node *n = kl_resolve(c, r->p.paths[i]);
        if (kl_is_present(n))
            continue;
        kl_finding f;
        kl_finding_init(c, &f, n, r->p.paths[i].field);
        f.other = name_of(c, t, r->at);
        f.value.node = t;
        f.extra[0].node = t;
        kl_buf b = KL_BUF_INIT;
        kl_buf_printf(&b, "%s is set here", f.other);
        f.extra[0].message = kept(c, &b);
        f.n_extra = 1;
        int rc = kl_report(c, &f);
        if (rc != KL_OK)
            return rc;
    }
    return KL_OK;
}

static int check_excludes(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    if (!kl_is_present(t))
        return KL_OK;
    for (uint16_t i = 0; i < r->p.n_paths; i++) {
        const kl_node *n = kl_resolve(c, r->p.paths[i]);
        if (!kl_is_present(n))
            continue;
        kl_finding f;
        kl_finding_init(c, &f, t, r->at);
        f.key_span = true;
        f.value.node = t;
        f.other = name_of(c, n, r->p.paths[i].field);
        f.extra[0].node = n;
        f.extra[0].message = "the other one is here";
        f.n_extra = 1;
        int rc = kl_report(c, &f);
        if (rc != KL_OK)
            return rc;
    }
    return KL_OK;
}

/* ---- exactly / at most / at least one of ---------------------------------------------- */

static int one_of(kl_ctx *c, const kl_row *r, size_t lo, size_t hi)
{
    const kl_node *present[16];
    size_t n = 0;
    kl_buf names = KL_BUF_INIT;
    for (uint16_t i = 0; i < r->p.n_paths; i++) {
        const kl_node *node = kl_resolve(c, r->p.paths[i]);
        if (kl_is_present(node) && n < 16)
            present[n++] = node;
        kl_buf_puts(&names, i ? ", `" : "`");
        kl_msg_place_name(c, &names, NULL, r->p.paths[i].field);
        kl_buf_putc(&names, '`');
    }
    if (n >= lo && n <= hi) {
        kl_buf_dispose(&names);
        return KL_OK;
    }
    kl_finding f;
    if (n == 0) {
        /* None sent: only a finding when the object that should hold them is one. */
        uint16_t parent = c->p->fields[r->p.paths[0].field].parent;
        kl_ref pref = {parent, r->p.paths[0].rel};
        const kl_node *holder =
            parent == KL_NONE ? c->root : kl_through_parsed(c, kl_resolve(c, pref), parent);
        if (holder == NULL || holder->kind != KL_JSON_OBJECT) {
            kl_buf_dispose(&names);
            return KL_OK;
        }
        kl_finding_init(c, &f, NULL, r->p.paths[0].field);
        f.message = xmsg(c, KL_XMSG_NONE_OF);
    } else {
        kl_finding_init(c, &f, present[1], r->p.paths[0].field);
        f.key_span = true;
        f.value.node = present[1];
        for (size_t i = 0; i < n && f.n_extra < KL_MAX_EXTRA_RELATED; i++) {
            if (i == 1)
                continue;
            f.extra[f.n_extra].node = present[i];
            f.extra[f.n_extra].message = "also sent here";
            f.n_extra++;
        }
        f.other = name_of(c, present[0], KL_NONE);
    }
    f.names = kept(c, &names);
    f.count = fmt_num(c, (double)n);
    return kl_report(c, &f);
}

static int check_exactly_one(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    (void)t;
    return one_of(c, r, 1, 1);
}

static int check_at_most_one(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    (void)t;
    return one_of(c, r, 0, 1);
}

static int check_at_least_one(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    (void)t;
    return one_of(c, r, 1, (size_t)-1);
}

/* ---- sum ---------------------------------------------------------------------- */

static int check_sum(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    const kl_node *list = kl_through_parsed(c, t, r->at);
    if (list == NULL || list->kind != KL_JSON_ARRAY || list->len == 0)
        return KL_OK;
    double sum;
    /* A shot without a number is a type finding already; a sum would only repeat it. */
    if (kl_sum_numbers(c, r->p.list, &sum) != list->len)
        return KL_OK;
    double want = 0, lo = 0, hi = 0;
    bool is_num = false;
    kl_val v = {NULL, false};
    if (r->p.equals.kind != KL_OP_NONE)
        v = kl_operand_eval(c, &r->p.equals, &want, &is_num);
    bool unequal = is_num && want != sum;
    bool has_lo = bound(c, &r->p.min, &lo, NULL);
    bool has_hi = bound(c, &r->p.max, &hi, NULL);
    bool outside = (has_lo && sum < lo) || (has_hi && sum > hi);
    if (!unequal && !outside)
        return KL_OK;
    kl_finding f;
    kl_finding_init(c, &f, list, r->at);
    f.sum = fmt_num(c, sum);
    f.count = fmt_num(c, (double)list->len);
    if (unequal) {
        f.expected = v;
        if (v.node == NULL) {
            f.range = fmt_num(c, want);
        } else {
            kl_buf b = KL_BUF_INIT;
            kl_msg_value(&b, v.node, v.defaulted);
            f.range = kept(c, &b);
        }
        return kl_report(c, &f);
    }
    const char *lo_t = NULL, *hi_t = NULL;
    bound(c, &r->p.min, &lo, &lo_t);
    bound(c, &r->p.max, &hi, &hi_t);
    f.min = lo_t;
    f.max = hi_t;
    f.range = range_text(c, has_lo ? lo_t : NULL, has_hi ? hi_t : NULL);
    return kl_report(c, &f);
}

/* ---- index-within ---------------------------------------------------------------- */

static int check_index_within(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    int64_t i;
    if (!sent(t) || !kl_node_int64(t, &i))
        return KL_OK;
    const kl_node *list;
    size_t len = len_of(c, r->p.list, &list);
    if (i >= r->p.base && (uint64_t)(i - r->p.base) < len)
        return KL_OK;
    kl_finding f;
    kl_finding_init(c, &f, t, r->at);
    f.value.node = t;
    f.count = fmt_num(c, (double)len);
    f.list = name_of(c, NULL, r->p.list.field);
    if (len == 0) {
        f.range = "none";
    } else {
        f.range = range_text(c, fmt_num(c, (double)r->p.base),
                             fmt_num(c, (double)r->p.base + (double)len - 1));
    }
    if (kl_is_present(list)) {
        f.extra[0].node = list;
        f.extra[0].message = "the list is here";
        f.n_extra = 1;
    }
    return kl_report(c, &f);
}

/* ---- references -------------------------------------------------------------------- */

typedef struct ref_scan {
    kl_ctx *c;
    const kl_row *r;
    const kl_node *t;
    const kl_token_spec *tok;
    size_t available;
    const char *list_names; /* made for the first finding */
    int rc;
} ref_scan;

/* "a + b": the names of the lists that back a token. */
static const char *list_names(kl_ctx *c, const kl_token_spec *tok)
{
    kl_buf names = KL_BUF_INIT;
    for (uint16_t i = 0; i < tok->n_lists; i++) {
        if (i)
            kl_buf_puts(&names, " + ");
        kl_msg_place_name(c, &names, NULL, tok->lists[i].field);
    }
    return kept(c, &names);
}

static bool on_token(void *ctx, uint32_t start, uint32_t end, uint64_t n)
{
    ref_scan *s = ctx;
    if (s->tok->n_lists > 0 && n >= 1 && n <= s->available)
        return true;
    kl_ctx *c = s->c;
    if (s->list_names == NULL)
        s->list_names = list_names(c, s->tok);
    kl_finding f;
    kl_finding_init(c, &f, s->t, s->r->at);
    f.value.node = s->t;
    f.has_span = true;
    f.sub_start = start;
    f.sub_end = end;
    f.token = kl_keep(c, s->t->u.str + start, end - start);
    f.n = fmt_num(c, (double)n);
    f.list = s->tok->n_lists > 0 ? s->list_names : NULL; /* NULL: nothing could back it */
    f.count = fmt_num(c, (double)s->available);
    kl_buf b = KL_BUF_INIT;
    if (s->tok->n_lists == 0) {
        f.message = xmsg(c, KL_XMSG_TOKEN_NONE);
    } else if (s->available == 0) {
        kl_buf_printf(&b, "refers to %s, which is not sent", s->list_names);
    } else {
        kl_buf_printf(&b, "refers to item %s of %s, which has %zu", f.n, s->list_names,
                      s->available);
    }
    f.found = kept(c, &b);
    s->rc = kl_report(c, &f);
    return s->rc == KL_OK;
}

/*
 * The offsets of one byte in a string, found once for all the patterns that start with it
 * (a row's patterns start with a few bytes: '<' and '@'). `n` is SIZE_MAX when there were
 * more than fit, and the patterns then scan the string themselves.
 */
#define REF_MAX_BYTES 4
#define REF_MAX_AT 256

typedef struct ref_offsets {
    char byte;
    size_t n;
    uint32_t at[REF_MAX_AT];
} ref_offsets;

static void find_offsets(const char *s, size_t len, ref_offsets *o)
{
    o->n = 0;
    for (const char *p = s, *e = s + len; p < e && (p = memchr(p, o->byte, (size_t)(e - p)));
         p++) {
        if (o->n == REF_MAX_AT) {
            o->n = SIZE_MAX;
            return;
        }
        o->at[o->n++] = (uint32_t)(p - s);
    }
}

static int check_references(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    if (t == NULL || t->kind != KL_JSON_STRING)
        return KL_OK;
    ref_offsets offs[REF_MAX_BYTES];
    size_t n_offs = 0;
    for (uint16_t k = 0; k < r->p.n_tokens; k++) {
        const kl_token_spec *tok = &r->p.tokens[k];
        ref_scan s = {c, r, t, tok, 0, NULL, KL_OK};
        for (uint16_t i = 0; i < tok->n_lists; i++)
            s.available += len_of(c, tok->lists[i], NULL);
        ref_offsets *o = NULL;
        if (tok->prefix_len > 0) {
            for (size_t j = 0; j < n_offs && o == NULL; j++)
                if (offs[j].byte == tok->prefix[0])
                    o = &offs[j];
            if (o == NULL && n_offs < REF_MAX_BYTES) {
                o = &offs[n_offs++];
                o->byte = tok->prefix[0];
                find_offsets(t->u.str, t->len, o);
            }
        }
        if (o != NULL && o->n != SIZE_MAX)
            kl_tokens_scan_at(t->u.str, t->len, tok, o->at, o->n, on_token, &s);
        else
            kl_tokens_scan(t->u.str, t->len, tok, on_token, &s);
        if (s.rc != KL_OK)
            return s.rc;
    }
    return KL_OK;
}

/* ---- media: uri-scheme, media-type, data-uri-size, image-dimensions ---------------- */

static bool in_strings_ci(const kl_node *list, const char *s, size_t len)
{
    for (uint32_t i = 0; list && i < list->len; i++) {
        const kl_node *e = &list->u.children[i];
        if (e->len == len && kl_ascii_ieq(e->u.str, s, len))
            return true;
    }
    return false;
}

static int check_uri_scheme(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    if (t == NULL || t->kind != KL_JSON_STRING)
        return KL_OK;
    size_t n = kl_uri_scheme(t->u.str, t->len);
    if (n > 0 && in_strings_ci(r->p.strings, t->u.str, n))
        return KL_OK;
    kl_finding f;
    kl_finding_init(c, &f, t, r->at);
    f.value.node = t;
    kl_buf b = KL_BUF_INIT;
    if (n == 0)
        kl_buf_puts(&b, "no URI scheme (a relative path or bare Base64?)");
    else
        put_quoted(&b, "scheme ", t->u.str, n);
    f.found = kept(c, &b);
    for (uint32_t i = 0; i < r->p.strings->len; i++) {
        const kl_node *e = &r->p.strings->u.children[i];
        if (i)
            kl_buf_puts(&b, i + 1 == r->p.strings->len ? " or " : ", ");
        kl_buf_put(&b, e->u.str, e->len);
        kl_buf_puts(&b, kl_ascii_ieq(e->u.str, "data", 4) && e->len == 4 ? ":" : "://");
    }
    f.allowed = kept(c, &b);
    return kl_report(c, &f);
}

static bool mime_matches(const kl_node *list, const char *m, size_t len)
{
    for (uint32_t i = 0; list && i < list->len; i++) {
        const kl_node *e = &list->u.children[i];
        if (e->len >= 2 && e->u.str[e->len - 1] == '*' && e->u.str[e->len - 2] == '/') {
            size_t pre = e->len - 1; /* "image/" */
            if (len > pre && kl_ascii_ieq(e->u.str, m, pre))
                return true;
        } else if (e->len == len && kl_ascii_ieq(e->u.str, m, len)) {
            return true;
        }
    }
    return false;
}

static bool has_authority(const char *s, size_t len)
{
    size_t n = kl_uri_scheme(s, len);
    return n > 0 && n + 3 <= len && s[n + 1] == '/' && s[n + 2] == '/';
}

static int check_media_type(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    if (t == NULL || t->kind != KL_JSON_STRING)
        return KL_OK;
    kl_finding f;
    kl_buf b = KL_BUF_INIT;
    kl_data_uri u;
    if (kl_data_uri_parse(t->u.str, t->len, &u)) {
        if (r->p.mimes == NULL || mime_matches(r->p.mimes, u.mime, u.mime_len))
            return KL_OK;
        kl_finding_init(c, &f, t, r->at);
        f.value.node = t;
        if (u.mime_len == 0)
            kl_buf_puts(&b, "a data: URI without a MIME type");
        else
            put_quoted(&b, "MIME type ", u.mime, u.mime_len);
        f.found = kept(c, &b);
        f.allowed = kl_list_text(c, r->p.mimes);
        return kl_report(c, &f);
    }
    const char *ext;
    size_t ext_len;
    if (r->p.strings == NULL || !has_authority(t->u.str, t->len) ||
        !kl_url_extension(t->u.str, t->len, &ext, &ext_len) ||
        in_strings_ci(r->p.strings, ext, ext_len))
        return KL_OK;
    kl_finding_init(c, &f, t, r->at);
    f.value.node = t;
    put_quoted(&b, "extension ", ext, ext_len);
    f.found = kept(c, &b);
    f.allowed = kl_list_text(c, r->p.strings);
    return kl_report(c, &f);
}

static int check_data_uri_size(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    kl_data_uri u;
    if (t == NULL || t->kind != KL_JSON_STRING || !kl_data_uri_parse(t->u.str, t->len, &u))
        return KL_OK;
    uint64_t size;
    kl_finding f;
    double max;
    const char *max_t = NULL;
    if (!kl_data_uri_size(&u, &size)) {
        /* Not decodable: the size is unknown ({count} has no value), the limit is known. */
        kl_finding_init(c, &f, t, r->at);
        f.value.node = t;
        f.found = "a payload that is not valid Base64 (or percent-encoding)";
        if (bound(c, &r->p.max, &max, &max_t)) {
            f.max = max_t;
            f.range = range_text(c, NULL, max_t);
        }
        f.message = xmsg(c, KL_XMSG_BASE64);
        return kl_report(c, &f);
    }
    if (!bound(c, &r->p.max, &max, NULL) || (double)size <= max)
        return KL_OK;
    bound(c, &r->p.max, &max, &max_t);
    kl_finding_init(c, &f, t, r->at);
    f.value.node = t;
    f.count = fmt_num(c, (double)size);
    f.max = max_t;
    f.range = range_text(c, NULL, max_t);
    return kl_report(c, &f);
}

static int check_image_dimensions(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    kl_data_uri u;
    if (t == NULL || t->kind != KL_JSON_STRING || !kl_data_uri_parse(t->u.str, t->len, &u))
        return KL_OK;
    unsigned char head[64 * 1024];
    size_t n = kl_data_uri_head(&u, head, sizeof(head));
    uint32_t w, h;
    if (!kl_image_size(head, n, &w, &h) || w == 0 || h == 0)
        return KL_OK;
    double aspect = (double)w / (double)h;
    const kl_params *p = &r->p;
    bool bad = (p->min_side > 0 && (w < p->min_side || h < p->min_side)) ||
               (p->max_side > 0 && (w > p->max_side || h > p->max_side)) ||
               (p->min_aspect > 0 && aspect < p->min_aspect - 1e-9) ||
               (p->max_aspect > 0 && aspect > p->max_aspect + 1e-9);
    if (!bad)
        return KL_OK;
    kl_finding f;
    kl_finding_init(c, &f, t, r->at);
    f.value.node = t;
    kl_buf b = KL_BUF_INIT;
    kl_buf_printf(&b, "%" PRIu32 "\xc3\x97%" PRIu32 " px (aspect %.4g)", w, h, aspect);
    f.found = kept(c, &b);
    const char *sep = "";
    if (p->min_side > 0) {
        kl_buf_printf(&b, "both sides at least %g px", p->min_side);
        sep = ", ";
    }
    if (p->max_side > 0) {
        kl_buf_printf(&b, "%sboth sides at most %g px", sep, p->max_side);
        sep = ", ";
    }
    if (p->min_aspect > 0 || p->max_aspect > 0)
        kl_buf_printf(&b, "%saspect %g\xe2\x80\x93%g", sep, p->min_aspect,
                      p->max_aspect > 0 ? p->max_aspect : INFINITY);
    f.allowed = kept(c, &b);
    return kl_report(c, &f);
}

/* ---- assert ---------------------------------------------------------------------- */

static int check_assert(kl_ctx *c, const kl_row *r, const kl_node *t)
{
    if (kl_cond_eval(c, r->p.that))
        return KL_OK;
    kl_finding f;
    kl_finding_init(c, &f, t, r->at);
    f.value = kl_effective_node(c, t, r->at);
    if (t == NULL)
        f.parent = NULL;
    return kl_report(c, &f);
}

/* ---- The table -------------------------------------------------------------------- */

#define BOUNDS "min max"

static const kl_check_ops ops_type = {"type", "type near", "type",
                                      "{field} {value} is {found_type}: expected {type}", false,
                                      check_type};
static const kl_check_ops ops_enum = {"enum", "values case_mismatch suggest", "values",
                                      "{field} {value} is not allowed: {allowed}", false,
                                      check_enum};
static const kl_check_ops ops_not_enum = {"not-enum", "values", "values",
                                          "{field} {value} is not allowed", false,
                                          check_not_enum};
static const kl_check_ops ops_range = {"range", BOUNDS " step exclusive_min exclusive_max", NULL,
                                       "{field} {value} is out of range: {range} allowed", false,
                                       check_range};
static const kl_check_ops ops_length = {"length", BOUNDS, NULL,
                                        "{field} is {count} characters long: {range} allowed",
                                        false, check_length};
static const kl_check_ops ops_count = {"count", BOUNDS " paths where", NULL,
                                       "{field} has {count} items: {range} allowed", true,
                                       check_count};
static const kl_check_ops ops_required = {"required", "", NULL, "{field} is required", false,
                                          check_required};
static const kl_check_ops ops_forbidden = {"forbidden", "", NULL, "{field} is not allowed here",
                                           false, check_forbidden};
static const kl_check_ops ops_requires = {"requires", "needs", "needs",
                                          "{other} requires {field}, which is missing", false,
                                          check_requires};
static const kl_check_ops ops_excludes = {"excludes", "with", "with",
                                          "{field} cannot be used together with {other}", false,
                                          check_excludes};
static const kl_check_ops ops_exactly_one = {"exactly-one-of", "paths", "paths",
                                             "exactly one of {names} is allowed: {count} sent",
                                             true, check_exactly_one};
static const kl_check_ops ops_at_most_one = {"at-most-one-of", "paths", "paths",
                                             "at most one of {names} is allowed: {count} sent",
                                             true, check_at_most_one};
static const kl_check_ops ops_at_least_one = {"at-least-one-of", "paths", "paths",
                                              "one of {names} is required", true,
                                              check_at_least_one};
static const kl_check_ops ops_sum = {"sum", BOUNDS " equals", NULL,
                                     "the values of {field} add up to {sum}: {range} required",
                                     false, check_sum};
static const kl_check_ops ops_index_within = {
    "index-within", "list base", "list",
    "{field} {value} is not an item of {list} ({count} items): {range} allowed", false,
    check_index_within};
static const kl_check_ops ops_references = {"references", "tokens", "tokens", "{token} {found}",
                                            false, check_references};
static const kl_check_ops ops_uri_scheme = {"uri-scheme", "schemes", "schemes",
                                            "{field} {value} has {found}: {allowed} allowed",
                                            false, check_uri_scheme};
static const kl_check_ops ops_media_type = {"media-type", "extensions mime", NULL,
                                            "{field} has {found}: {allowed} expected", false,
                                            check_media_type};
static const kl_check_ops ops_data_uri_size = {
    "data-uri-size", "max", "max",
    "{field} is a data: URI of {count} bytes: at most {max} allowed", false,
    check_data_uri_size};
static const kl_check_ops ops_image_dimensions = {
    "image-dimensions", "min_side max_side min_aspect max_aspect", NULL,
    "{field} is an image of {found}: {allowed} required", false, check_image_dimensions};
static const kl_check_ops ops_assert = {"assert", "that", "that",
                                        "{field} does not meet this profile's rule", true,
                                        check_assert};

const kl_check_ops *const kl_checks[] = {
    &ops_type,         &ops_enum,        &ops_not_enum,     &ops_range,
    &ops_length,       &ops_count,       &ops_required,     &ops_forbidden,
    &ops_requires,     &ops_excludes,    &ops_exactly_one,  &ops_at_most_one,
    &ops_at_least_one, &ops_sum,         &ops_index_within, &ops_references,
    &ops_uri_scheme,   &ops_media_type,  &ops_data_uri_size, &ops_image_dimensions,
    &ops_assert,
};

const size_t kl_n_checks = sizeof(kl_checks) / sizeof(kl_checks[0]);

const char *const kl_check_xmsgs[KL_XMSG_COUNT] = {
    [KL_XMSG_JSON_INVALID] = "{field} does not hold valid JSON: {found}",
    [KL_XMSG_BASE64] = "{field} is a data: URI whose payload is not valid Base64 (or percent-encoding)",
    [KL_XMSG_EMPTY] = "{field} is empty: a value is required",
    [KL_XMSG_TOKEN_NONE] = "{token} refers to nothing: this request has no input it could name",
    [KL_XMSG_STEP] = "{field} {value} is not a multiple of {found}",
    [KL_XMSG_NONE_OF] = "one of {names} is required: none was sent",
    [KL_XMSG_UNKNOWN] = "unknown field `{field}`",
};

bool kl_check_judges_type(const kl_check_ops *ops)
{
    return ops == &ops_type;
}

const kl_check_ops *kl_check_find(const char *name, size_t len)
{
    for (size_t i = 0; i < kl_n_checks; i++)
        if (strlen(kl_checks[i]->name) == len && memcmp(kl_checks[i]->name, name, len) == 0)
            return kl_checks[i];
    return NULL;
}
