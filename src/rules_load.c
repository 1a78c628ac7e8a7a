/*
 * Rule files in, compiled profiles out.
 *
 * Each file is read with klint's own strict loader and checked key by key:
 * a mistake is a `rules-invalid` diagnostic at the offending node, so a bad
 * rule file is reported like a bad payload. Compilation turns paths into
 * field indices (with a member hash per object), field attributes into
 * implied rows, conditions into index trees and templates into segments,
 * once, so that linting a document does no parsing of rules at all.
 *
 * Order: every file's `rule_ids`, then every profile, then every overlay
 * (which may target profiles from any file), then the tables are frozen
 * into the ruleset's arena.
 */
#include "rules_cc.h"

#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "checks.h"
#include "rules_builtin.h"

struct kl_ruleset {
    kl_arena arena;
    kl_rfile *files;
    size_t n_files, cap_files;
    kl_pbuild *builds; /* while compiling */
    kl_profile **profiles;
    size_t n_profiles;
    kl_rule_id *ids;
    size_t n_ids, cap_ids;
    kl_tmpl *default_msgs; /* per kl_checks[] entry */
    kl_tmpl xmsgs[KL_XMSG_COUNT];
    bool finished;
};

/* ---- Ruleset lifetime -------------------------------------------------- */

int kl_ruleset_new(kl_ruleset **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? KL_OK : KL_ENOMEM;
}

void kl_ruleset_free(kl_ruleset *rs)
{
    if (rs == NULL)
        return;
    for (size_t i = 0; i < rs->n_files; i++) {
        kl_doc_free(rs->files[i].doc);
        if (rs->files[i].view) {
            kl_source_dispose(rs->files[i].src);
            free(rs->files[i].src);
        } else {
            kl_source_free(rs->files[i].src);
        }
        kl_diags_free(rs->files[i].diags);
    }
    free(rs->files);
    free(rs->ids);
    free(rs->profiles);
    kl_arena_dispose(&rs->arena);
    free(rs);
}

static void drop_source(kl_source *src, bool view)
{
    if (view) {
        kl_source_dispose(src);
        free(src);
    } else {
        kl_source_free(src);
    }
}

static int add_source(kl_ruleset *rs, kl_source *src, bool view)
{
    if (rs->n_files == rs->cap_files) {
        size_t cap = rs->cap_files ? rs->cap_files * 2 : 16;
        kl_rfile *nf = realloc(rs->files, cap * sizeof(*nf));
        if (nf == NULL) {
            drop_source(src, view);
            return KL_ENOMEM;
        }
        rs->files = nf;
        rs->cap_files = cap;
    }
    kl_rfile *f = &rs->files[rs->n_files];
    memset(f, 0, sizeof(*f));
    f->src = src;
    f->view = view;
    if (kl_diags_new(&f->diags) != KL_OK) {
        drop_source(src, view);
        return KL_ENOMEM;
    }
    rs->n_files++;
    return KL_OK;
}

int kl_ruleset_add_memory(kl_ruleset *rs, const char *name, const char *data, size_t len)
{
    if (rs->finished)
        return KL_EUSAGE;
    kl_source *src;
    int rc = kl_source_from_memory(&src, name, data, len);
    if (rc != KL_OK)
        return rc;
    return add_source(rs, src, false);
}

int kl_ruleset_add_builtin(kl_ruleset *rs)
{
    if (rs->finished)
        return KL_EUSAGE;
    /* The bytes live as long as the program: view them, do not copy them. */
    for (size_t i = 0; i < kl_builtin_rules_count; i++) {
        const kl_builtin_rule *b = &kl_builtin_rules[i];
        kl_source *src = calloc(1, sizeof(*src));
        if (src == NULL)
            return KL_ENOMEM;
        int rc = kl_source_init_view(src, b->name, (const char *)b->data, b->len);
        if (rc != KL_OK) {
            free(src);
            return rc;
        }
        rc = add_source(rs, src, true);
        if (rc != KL_OK)
            return rc;
    }
    return KL_OK;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_file(kl_ruleset *rs, const char *path)
{
    kl_source *src;
    int rc = kl_source_read_file(&src, path, NULL);
    if (rc != KL_OK)
        return rc;
    return add_source(rs, src, false);
}

int kl_ruleset_add_path(kl_ruleset *rs, const char *path)
{
    if (rs->finished)
        return KL_EUSAGE;
    struct stat st;
    if (stat(path, &st) != 0)
        return KL_EIO;
    if (!S_ISDIR(st.st_mode))
        return add_file(rs, path);

    DIR *dir = opendir(path);
    if (dir == NULL)
        return KL_EIO;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = KL_OK;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof(*nn));
            if (nn == NULL) {
                rc = KL_ENOMEM;
                break;
            }
            names = nn;
        }
        size_t plen = strlen(path);
        names[n] = malloc(plen + len + 2);
        if (names[n] == NULL) {
            rc = KL_ENOMEM;
            break;
        }
        memcpy(names[n], path, plen);
        size_t at = plen;
        if (plen > 0 && path[plen - 1] != '/')
            names[n][at++] = '/';
        memcpy(names[n] + at, de->d_name, len + 1);
        n++;
    }
    closedir(dir);
    if (names != NULL)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (rc == KL_OK)
            rc = add_file(rs, names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* ---- Accessors ---------------------------------------------------------- */

size_t kl_ruleset_profile_count(const kl_ruleset *rs)
{
    return rs ? rs->n_profiles : 0;
}

const kl_profile *kl_ruleset_profile_at(const kl_ruleset *rs, size_t i)
{
    return (rs && i < rs->n_profiles) ? rs->profiles[i] : NULL;
}

const kl_profile *kl_ruleset_find_profile(const kl_ruleset *rs, const char *id)
{
    for (size_t i = 0; rs && id && i < rs->n_profiles; i++)
        if (strcmp(rs->profiles[i]->id, id) == 0)
            return rs->profiles[i];
    return NULL;
}

const char *kl_profile_id(const kl_profile *p)
{
    return p ? p->id : NULL;
}

const kl_tmpl *kl_ruleset_xmsg(const kl_ruleset *rs, int which)
{
    return &rs->xmsgs[which];
}

size_t kl_ruleset_rule_id_count(const kl_ruleset *rs)
{
    return rs->n_ids;
}

const kl_rule_id *kl_ruleset_rule_id_at(const kl_ruleset *rs, size_t i)
{
    return i < rs->n_ids ? &rs->ids[i] : NULL;
}

const kl_rule_id *kl_ruleset_rule_id_find(const kl_ruleset *rs, const char *id)
{
    for (size_t i = 0; i < rs->n_ids; i++)
        if (strcmp(rs->ids[i].id, id) == 0)
            return &rs->ids[i];
    return NULL;
}

static uint32_t hash_name(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

uint16_t kl_field_child(const kl_profile *p, uint16_t f, const char *name, size_t len)
{
    const kl_field *fl = &p->fields[f];
    if (fl->hash == NULL)
        return KL_NONE;
    uint32_t i = hash_name(name, len) & fl->hash_mask;
    for (;;) {
        uint16_t c = fl->hash[i];
        if (c == KL_NONE)
            return KL_NONE;
        const kl_field *x = &p->fields[c];
        if (x->name_len == len && memcmp(x->name, name, len) == 0)
            return c;
        i = (i + 1) & fl->hash_mask;
    }
}

uint16_t kl_profile_concept(const kl_profile *p, const char *concept)
{
    for (uint16_t i = 0; i < p->n_fields; i++)
        if (p->fields[i].concept && strcmp(p->fields[i].concept, concept) == 0)
            return i;
    return KL_NONE;
}

const char *kl_profile_source_text(const kl_profile *p, const char *key, size_t len,
                                   size_t *out_len)
{
    const kl_node *v = kl_node_get(p->sources, key, len);
    if (v == NULL || v->kind != KL_JSON_STRING)
        return NULL;
    *out_len = v->len;
    return v->u.str;
}

void kl_ruleset_fields_named(const kl_ruleset *rs, const char *name, size_t name_len,
                             kl_concept_fn fn, void *ctx)
{
    for (size_t i = 0; i < rs->n_profiles; i++) {
        const kl_profile *p = rs->profiles[i];
        for (uint16_t f = 0; f < p->n_fields; f++) {
            const kl_field *x = &p->fields[f];
            if (x->step == KL_STEP_MEMBER && x->name_len == name_len &&
                memcmp(x->name, name, name_len) == 0)
                fn(ctx, p, x);
        }
    }
}

/* ---- Growable tables --------------------------------------------------- */

static void *grow(kl_cc *C, void *arr, uint32_t *cap, uint32_t n, size_t elem)
{
    if (n < *cap)
        return arr;
    uint32_t nc = *cap ? *cap * 2 : 16;
    void *na = realloc(arr, (size_t)nc * elem);
    if (na == NULL) {
        C->failed = true;
        return NULL;
    }
    *cap = nc;
    return na;
}

static kl_row *new_row(kl_cc *C)
{
    kl_pbuild *b = C->b;
    kl_row *rows = grow(C, b->rows, &b->cap_rows, b->n_rows, sizeof(kl_row));
    if (rows == NULL)
        return NULL;
    b->rows = rows;
    kl_row *r = &rows[b->n_rows];
    memset(r, 0, sizeof(*r));
    r->when = -1;
    r->p.where = -1;
    r->p.that = -1;
    r->p.list.field = KL_NONE;
    r->p.base = 1;
    r->fix.target = KL_NONE;
    return r;
}

static int32_t new_field(kl_cc *C, uint16_t parent, kl_step step, const char *name,
                         size_t name_len, const char *path)
{
    kl_pbuild *b = C->b;
    if (b->n_fields >= KL_NONE - 1) {
        C->failed = true;
        return -1;
    }
    kl_field *fields = grow(C, b->fields, &b->cap_fields, b->n_fields, sizeof(kl_field));
    if (fields == NULL)
        return -1;
    b->fields = fields;
    const kl_node **specs = grow(C, b->field_specs, &b->cap_specs, b->n_fields, sizeof(*specs));
    if (specs == NULL)
        return -1;
    b->field_specs = specs;
    uint16_t idx = (uint16_t)b->n_fields++;
    kl_field *f = &fields[idx];
    memset(f, 0, sizeof(*f));
    specs[idx] = NULL;
    f->parent = parent;
    f->step = (uint8_t)step;
    f->item_child = KL_NONE;
    f->parsed_child = KL_NONE;
    f->anchor = KL_NONE;
    f->unknown_sev = KL_SEV_WARNING;
    f->path = path;
    if (name) {
        f->name = kl_arena_strndup(C->arena, name, name_len);
        f->name_len = (uint32_t)name_len;
        if (f->name == NULL)
            C->failed = true;
    }
    if (parent != KL_NONE) {
        kl_field *pf = &fields[parent];
        f->in_item = pf->in_item || step == KL_STEP_ITEM;
        f->anchor = step == KL_STEP_ITEM ? idx : pf->anchor;
        f->depth = (uint16_t)(pf->depth + 1);
        if (step == KL_STEP_ITEM)
            pf->item_child = idx;
        if (step == KL_STEP_PARSED)
            pf->parsed_child = idx;
    }
    return idx;
}

/* ", "-joined text of a string or an array of strings. */
static const char *joined(kl_cc *C, const kl_node *n, const char *what)
{
    if (n == NULL)
        return NULL;
    if (n->kind == KL_JSON_STRING)
        return kl_cc_str(C, n);
    if (n->kind != KL_JSON_ARRAY) {
        kl_cc_error(C, n, false, "%s is a string or a list of strings", what);
        return NULL;
    }
    kl_buf b = KL_BUF_INIT;
    for (uint32_t i = 0; i < n->len; i++) {
        const kl_node *s = &n->u.children[i];
        if (s->kind != KL_JSON_STRING) {
            kl_cc_error(C, s, false, "%s is a string or a list of strings", what);
            kl_buf_dispose(&b);
            return NULL;
        }
        if (i)
            kl_buf_puts(&b, ", ");
        kl_buf_put(&b, s->u.str, s->len);
    }
    const char *out = kl_arena_strndup(C->arena, kl_buf_cstr(&b), b.len);
    if (out == NULL || kl_buf_failed(&b))
        C->failed = true;
    kl_buf_dispose(&b);
    return out;
}

static bool want_string(kl_cc *C, const kl_node *n, const char *what)
{
    if (n && n->kind == KL_JSON_STRING && n->len > 0)
        return true;
    if (n)
        kl_cc_error(C, n, false, "%s is a non-empty string", what);
    return false;
}

static bool want_number(kl_cc *C, const kl_node *n, double *out)
{
    if (n && n->kind == KL_JSON_NUMBER && kl_node_double(n, out))
        return true;
    if (n)
        kl_cc_error(C, n, false, "expected a number");
    return false;
}

static bool rule_id_declared(kl_cc *C, const kl_node *idn)
{
    for (size_t i = 0; i < C->rs->n_ids; i++) {
        const char *id = C->rs->ids[i].id;
        if (strlen(id) == idn->len && memcmp(id, idn->u.str, idn->len) == 0)
            return true;
    }
    kl_cc_error(C, idn, false,
                "rule id `%.*s` is not declared: add it to `rule_ids` (rules/rule-ids.json for "
                "klint's own)",
                (int)idn->len, idn->u.str);
    return false;
}

/* ---- Rows ---------------------------------------------------------------- */

#define ROW_KEYS "id doc severity check at when related message fix summary explain source"

static bool param_strings(kl_cc *C, const kl_node *v)
{
    if (v->kind != KL_JSON_ARRAY || v->len == 0) {
        kl_cc_error(C, v, false, "expected a non-empty list of strings");
        return false;
    }
    for (uint32_t i = 0; i < v->len; i++) {
        if (v->u.children[i].kind != KL_JSON_STRING) {
            kl_cc_error(C, &v->u.children[i], false, "expected a string");
            return false;
        }
    }
    return true;
}

static bool bound_operand(kl_cc *C, const kl_node *v, uint16_t scope, kl_operand *out)
{
    if (v->kind != KL_JSON_NUMBER && v->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, v, false, "a bound is a number or a value expression such as "
                                 "{\"path\": \"input.duration\"}");
        return false;
    }
    return kl_cc_operand(C, v, scope, false, out);
}

static bool compile_tokens(kl_cc *C, const kl_node *v, uint16_t scope, kl_params *p)
{
    if (v->kind != KL_JSON_ARRAY || v->len == 0) {
        kl_cc_error(C, v, false, "`tokens` is a list of {\"pattern\", \"list\"}");
        return false;
    }
    p->tokens = kl_cc_alloc(C, v->len * sizeof(*p->tokens));
    if (p->tokens == NULL)
        return false;
    p->n_tokens = (uint16_t)v->len;
    for (uint32_t i = 0; i < v->len; i++) {
        const kl_node *t = &v->u.children[i];
        kl_token_spec *ts = &p->tokens[i];
        if (t->kind != KL_JSON_OBJECT || !kl_cc_keys(C, t, "a token", "pattern list", NULL))
            return false;
        const kl_node *pat = kl_node_getz(t, "pattern");
        if (!want_string(C, pat, "`pattern`"))
            return false;
        const char *s = kl_cc_str(C, pat);
        const char *mark = s ? strstr(s, "{N}") : NULL;
        if (mark == NULL || mark == s || strstr(mark + 3, "{N}") != NULL) {
            kl_cc_error(C, pat, false,
                        "a token pattern has text before exactly one `{N}`: \"<<<image_{N}>>>\"");
            return false;
        }
        ts->pattern = s;
        ts->prefix = s;
        ts->prefix_len = (uint32_t)(mark - s);
        ts->suffix = mark + 3;
        ts->suffix_len = (uint32_t)strlen(mark + 3);
        const kl_node *list = kl_node_getz(t, "list");
        if (list == NULL) {
            kl_cc_error(C, t, false, "a token needs `list` (a path, a list of paths, or null)");
            return false;
        }
        if (list->kind == KL_JSON_NULL)
            continue;
        uint32_t n = list->kind == KL_JSON_ARRAY ? list->len : 1;
        ts->lists = kl_cc_alloc(C, n * sizeof(kl_ref));
        if (ts->lists == NULL)
            return false;
        for (uint32_t k = 0; k < n; k++) {
            const kl_node *pn = list->kind == KL_JSON_ARRAY ? &list->u.children[k] : list;
            if (!kl_cc_path(C, pn, scope, false, &ts->lists[k], NULL))
                return false;
        }
        ts->n_lists = (uint16_t)n;
    }
    return true;
}

static bool compile_refs_param(kl_cc *C, const kl_node *v, uint16_t scope, kl_params *p)
{
    uint32_t n = v->kind == KL_JSON_ARRAY ? v->len : 1;
    if (n == 0) {
        kl_cc_error(C, v, false, "expected a path or a non-empty list of paths");
        return false;
    }
    p->paths = kl_cc_alloc(C, n * sizeof(kl_ref));
    if (p->paths == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        const kl_node *pn = v->kind == KL_JSON_ARRAY ? &v->u.children[i] : v;
        if (!kl_cc_path(C, pn, scope, false, &p->paths[i], NULL))
            return false;
    }
    p->n_paths = (uint16_t)n;
    return true;
}

/* One parameter of a check; `scope` is what `@` means in it. */
static bool compile_param(kl_cc *C, kl_row *r, const kl_node *m, uint16_t scope)
{
    kl_params *p = &r->p;
    const char *k = m->key;
    size_t kl = m->key_len;
#define KEY(s) (kl == sizeof(s) - 1 && memcmp(k, s, kl) == 0)
    double d;
    if (KEY("type")) {
        uint32_t n = m->kind == KL_JSON_ARRAY ? m->len : 1;
        for (uint32_t i = 0; i < n; i++) {
            const kl_node *t = m->kind == KL_JSON_ARRAY ? &m->u.children[i] : m;
            const char *s = kl_cc_str(C, t);
            uint32_t bit = s ? kl_type_parse(s) : 0;
            if (bit == 0) {
                kl_cc_error(C, t, false,
                            "unknown type (string, numeric-string, json-string, integer, "
                            "integer-valued, number, boolean, object, array, null)");
                return false;
            }
            p->types |= bit;
        }
        return true;
    }
    if (KEY("near")) {
        if (m->kind != KL_JSON_OBJECT || m->len == 0) {
            kl_cc_error(C, m, false, "`near` maps type names to severities");
            return false;
        }
        for (uint32_t i = 0; i < m->len; i++) {
            const kl_node *e = &m->u.children[i];
            char name[32];
            size_t nl = e->key_len < sizeof(name) - 1 ? e->key_len : sizeof(name) - 1;
            memcpy(name, e->key, nl);
            name[nl] = '\0';
            uint32_t bit = kl_type_parse(name);
            if (bit == 0) {
                kl_cc_error(C, e, true, "unknown type `%s`", name);
                return false;
            }
            p->near_types |= bit;
            if (!kl_cc_severity(C, e, &p->near_sev))
                return false;
        }
        return true;
    }
    if (KEY("values")) {
        if (m->kind != KL_JSON_ARRAY || m->len == 0) {
            kl_cc_error(C, m, false, "`values` is a non-empty list");
            return false;
        }
        p->values = m;
        return true;
    }
    if (KEY("case_mismatch")) {
        p->has_case_sev = true;
        return kl_cc_severity(C, m, &p->case_sev);
    }
    if (KEY("suggest")) {
        for (uint32_t i = 0; m->kind == KL_JSON_OBJECT && i < m->len; i++)
            if (m->u.children[i].kind == KL_JSON_STRING)
                continue;
            else
                goto bad_suggest;
        if (m->kind != KL_JSON_OBJECT)
            goto bad_suggest;
        p->suggest = m;
        return true;
    bad_suggest:
        kl_cc_error(C, m, false, "`suggest` maps a wrong value to the allowed one: {\"std\": "
                                 "\"standard\"}");
        return false;
    }
    if (KEY("min"))
        return bound_operand(C, m, scope, &p->min);
    if (KEY("max"))
        return bound_operand(C, m, scope, &p->max);
    if (KEY("equals"))
        return bound_operand(C, m, scope, &p->equals);
    if (KEY("step")) {
        if (!want_number(C, m, &d))
            return false;
        if (!(d > 0)) {
            kl_cc_error(C, m, false, "`step` is a positive number");
            return false;
        }
        p->step = m;
        return true;
    }
    if (KEY("exclusive_min") || KEY("exclusive_max")) {
        if (m->kind != KL_JSON_TRUE && m->kind != KL_JSON_FALSE) {
            kl_cc_error(C, m, false, "expected true or false");
            return false;
        }
        if (KEY("exclusive_min"))
            p->exclusive_min = m->kind == KL_JSON_TRUE;
        else
            p->exclusive_max = m->kind == KL_JSON_TRUE;
        return true;
    }
    if (KEY("paths") || KEY("needs") || KEY("with"))
        return compile_refs_param(C, m, scope, p);
    if (KEY("list"))
        return kl_cc_path(C, m, scope, false, &p->list, NULL);
    if (KEY("base")) {
        if (m->kind != KL_JSON_NUMBER || !kl_node_int64(m, &p->base)) {
            kl_cc_error(C, m, false, "`base` is an integer (0 or 1)");
            return false;
        }
        return true;
    }
    if (KEY("tokens"))
        return compile_tokens(C, m, scope, p);
    if (KEY("schemes") || KEY("extensions")) {
        if (!param_strings(C, m))
            return false;
        p->strings = m;
        return true;
    }
    if (KEY("mime")) {
        if (!param_strings(C, m))
            return false;
        p->mimes = m;
        return true;
    }
    if (KEY("min_side"))
        return want_number(C, m, &p->min_side);
    if (KEY("max_side"))
        return want_number(C, m, &p->max_side);
    if (KEY("min_aspect"))
        return want_number(C, m, &p->min_aspect);
    if (KEY("max_aspect"))
        return want_number(C, m, &p->max_aspect);
    if (KEY("that")) {
        p->that = kl_cc_cond(C, m, scope);
        return p->that >= 0;
    }
    if (KEY("where"))
        return true; /* compiled after `paths`, whose items it tests */
#undef KEY
    kl_cc_error(C, m, true, "unknown parameter `%.*s`", (int)kl, k);
    return false;
}

static bool compile_related(kl_cc *C, kl_row *r, const kl_node *v, uint16_t scope)
{
    uint32_t n = v->kind == KL_JSON_ARRAY ? v->len : 1;
    r->related = kl_cc_alloc(C, n * sizeof(*r->related));
    if (r->related == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        const kl_node *e = v->kind == KL_JSON_ARRAY ? &v->u.children[i] : v;
        const kl_node *pn = e;
        if (e->kind == KL_JSON_OBJECT) {
            if (!kl_cc_keys(C, e, "a related place", "path message", NULL))
                return false;
            pn = kl_node_getz(e, "path");
            const kl_node *msg = kl_node_getz(e, "message");
            if (msg && !want_string(C, msg, "`message`"))
                return false;
            r->related[i].message = kl_cc_str(C, msg);
            if (pn == NULL) {
                kl_cc_error(C, e, false, "a related place needs `path`");
                return false;
            }
        }
        if (!kl_cc_path(C, pn, scope, false, &r->related[i].ref, NULL))
            return false;
    }
    r->n_related = (uint16_t)n;
    return true;
}

/* Compile one row for one `at`; false on error or when skipped. */
static bool compile_row_at(kl_cc *C, const kl_node *obj, const kl_check_ops *ops,
                           const kl_node *atn)
{
    kl_row tmp;
    kl_row *r = &tmp;
    memset(r, 0, sizeof(*r));
    r->when = -1;
    r->p.where = -1;
    r->p.that = -1;
    r->p.list.field = KL_NONE;
    r->p.base = 1;
    r->fix.target = KL_NONE;
    r->check = ops;
    r->spec = obj;
    r->overlay = C->overlay;

    kl_ref at = {0, false};
    bool crossed = false;
    if (atn != NULL && !kl_cc_path(C, atn, KL_NONE, true, &at, &crossed))
        return false;
    r->at = at.field;
    if (strcmp(ops->name, "sum") == 0) {
        /* A sum is over every item: the row runs once, at the list. */
        uint16_t item = C->b->fields[at.field].anchor;
        if (!crossed || item == KL_NONE) {
            kl_cc_error(C, atn, false, "`sum` takes a path through a list: \"list[*].field\"");
            return false;
        }
        uint16_t list = C->b->fields[item].parent;
        r->at = list;
        r->p.list.field = at.field;
        r->p.list.rel = C->b->fields[list].anchor != KL_NONE;
    }
    uint16_t scope = C->b->fields[r->at].anchor;

    const kl_node *v = kl_node_getz(obj, "id");
    if (!want_string(C, v, "`id`") || !rule_id_declared(C, v))
        return false;
    r->id = kl_cc_str(C, v);
    v = kl_node_getz(obj, "doc");
    if (v == NULL) {
        kl_cc_error(C, obj, false, "a row needs `doc`: the constraints-doc id it implements");
        return false;
    }
    r->doc = joined(C, v, "`doc`");
    v = kl_node_getz(obj, "severity");
    if (v == NULL) {
        kl_cc_error(C, obj, false, "a row needs `severity`");
        return false;
    }
    if (!kl_cc_severity(C, v, &r->severity))
        return false;
    r->source = joined(C, kl_node_getz(obj, "source"), "`source`");
    if ((v = kl_node_getz(obj, "summary")) != NULL) {
        if (!want_string(C, v, "`summary`"))
            return false;
        r->summary = kl_cc_str(C, v);
    }
    if ((v = kl_node_getz(obj, "explain")) != NULL) {
        if (!want_string(C, v, "`explain`"))
            return false;
        r->explain = kl_cc_str(C, v);
    }
    if ((v = kl_node_getz(obj, "when")) != NULL) {
        r->when = kl_cc_cond(C, v, scope);
        if (r->when < 0)
            return false;
    }
    /* Parameters: every key the check takes. */
    for (uint32_t i = 0; i < obj->len; i++) {
        const kl_node *m = &obj->u.children[i];
        if (kl_cc_word_in(ops->params, m->key, m->key_len) && !compile_param(C, r, m, scope))
            return false;
    }
    const kl_node *where = kl_node_getz(obj, "where");
    if (where != NULL) {
        uint16_t list = r->p.n_paths == 1 ? r->p.paths[0].field : r->at;
        if (r->p.n_paths > 1) {
            kl_cc_error(C, where, true, "`where` tests the items of one list only");
            return false;
        }
        uint16_t item = kl_cc_item_of(C, list);
        if (item == KL_NONE) {
            kl_cc_error(C, where, true, "declare the items (`[*]`) of the list to test them");
            return false;
        }
        r->p.where = kl_cc_cond(C, where, item);
        if (r->p.where < 0)
            return false;
    }
    if ((v = kl_node_getz(obj, "related")) != NULL && !compile_related(C, r, v, scope))
        return false;
    if ((v = kl_node_getz(obj, "message")) != NULL && !kl_cc_tmpl(C, v, scope, &r->message))
        return false;
    if ((v = kl_node_getz(obj, "fix")) != NULL && !kl_cc_fix(C, v, scope, &r->fix))
        return false;

    kl_row *slot = new_row(C);
    if (slot == NULL)
        return false;
    *slot = tmp;
    C->b->n_rows++;
    return true;
}

static void compile_row(kl_cc *C, const kl_node *obj)
{
    if (obj->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, obj, false, "a row is an object");
        return;
    }
    const kl_node *chk = kl_node_getz(obj, "check");
    if (!want_string(C, chk, "`check`"))
        return;
    const kl_check_ops *ops = kl_check_find(chk->u.str, chk->len);
    if (ops == NULL) {
        kl_buf names = KL_BUF_INIT;
        for (size_t i = 0; i < kl_n_checks; i++)
            kl_buf_printf(&names, "%s%s", i ? ", " : "", kl_checks[i]->name);
        kl_cc_error(C, chk, false, "unknown check `%.*s` (checks: %s)", (int)chk->len,
                    chk->u.str, kl_buf_cstr(&names));
        kl_buf_dispose(&names);
        return;
    }
    if (!kl_cc_keys(C, obj, "a row", ROW_KEYS " where", ops->params))
        return;
    /* Required parameters. */
    const char *s = ops->required;
    while (s && *s) {
        const char *e = strchr(s, ' ');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (kl_node_get(obj, s, len) == NULL) {
            kl_cc_error(C, obj, false, "check `%s` needs `%.*s`", ops->name, (int)len, s);
            return;
        }
        s = e ? e + 1 : s + len;
    }
    const kl_node *at = kl_node_getz(obj, "at");
    if (at == NULL && !ops->at_optional) {
        kl_cc_error(C, obj, false, "check `%s` needs `at`: the place it checks", ops->name);
        return;
    }
    uint32_t n = (at && at->kind == KL_JSON_ARRAY) ? at->len : 1;
    for (uint32_t i = 0; i < n; i++) {
        const kl_node *atn = at ? (at->kind == KL_JSON_ARRAY ? &at->u.children[i] : at) : NULL;
        C->missing = false;
        compile_row_at(C, obj, ops, atn);
    }
}

/* ---- Fields ---------------------------------------------------------------- */

#define FIELD_KEYS                                                                             \
    "path type concept description required default default_when enum min max step "          \
    "min_length max_length min_items max_items schemes media max_bytes image unknown parsed "  \
    "doc severity source"
#define PARSED_KEYS                                                                            \
    "type description enum min max step min_length max_length min_items max_items unknown "    \
    "doc severity source"
#define OVERRIDE_KEYS "rule doc severity message fix source"

/* A field attribute: its node, the value it gives, and its object form (for overrides). */
typedef struct attr {
    const kl_node *node;
    const kl_node *value;
    const kl_node *obj;
} attr;

static bool attr_get(kl_cc *C, const kl_node *spec, const char *key, bool object_valued,
                     const char *extra, attr *out)
{
    memset(out, 0, sizeof(*out));
    const kl_node *n = kl_node_getz(spec, key);
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
        out->value = kl_node_getz(n, "value");
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

static void start_implied(kl_cc *C, kl_row *r, uint16_t f, const char *check, const char *rule,
                          const fdefaults *fd, const kl_node *spec)
{
    memset(r, 0, sizeof(*r));
    r->when = -1;
    r->p.where = -1;
    r->p.that = -1;
    r->p.list.field = KL_NONE;
    r->p.base = 1;
    r->fix.target = KL_NONE;
    r->check = kl_check_find(check, strlen(check));
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
}

static bool apply_overrides(kl_cc *C, kl_row *r, const kl_node *obj)
{
    if (obj == NULL)
        return true;
    uint16_t scope = C->b->fields[r->at].anchor;
    const kl_node *v;
    if ((v = kl_node_getz(obj, "rule")) != NULL) {
        if (!want_string(C, v, "`rule`") || !rule_id_declared(C, v))
            return false;
        r->id = kl_cc_str(C, v);
    }
    if ((v = kl_node_getz(obj, "doc")) != NULL)
        r->doc = joined(C, v, "`doc`");
    if ((v = kl_node_getz(obj, "source")) != NULL)
        r->source = joined(C, v, "`source`");
    if ((v = kl_node_getz(obj, "severity")) != NULL && !kl_cc_severity(C, v, &r->severity))
        return false;
    if ((v = kl_node_getz(obj, "message")) != NULL && !kl_cc_tmpl(C, v, scope, &r->message))
        return false;
    if ((v = kl_node_getz(obj, "fix")) != NULL && !kl_cc_fix(C, v, scope, &r->fix))
        return false;
    return true;
}

static bool push_row(kl_cc *C, const kl_row *r)
{
    kl_row *slot = new_row(C);
    if (slot == NULL)
        return false;
    *slot = *r;
    C->b->n_rows++;
    return true;
}

static bool lit_bound(kl_cc *C, const kl_node *v, kl_operand *op)
{
    double d;
    if (!want_number(C, v, &d))
        return false;
    op->kind = KL_OP_LIT;
    op->lit = v;
    return true;
}

/* Implied rows from a field's attributes (the field's spec or its `parsed` spec). */
static void implied_rows(kl_cc *C, uint16_t f, const kl_node *spec, const fdefaults *fd)
{
    attr a, b, s;
    kl_row r;

    if (attr_get(C, spec, "required", false, NULL, &a)) {
        if (a.value->kind != KL_JSON_TRUE && a.value->kind != KL_JSON_FALSE) {
            kl_cc_error(C, a.value, false, "`required` is true or false");
            return;
        }
        if (a.value->kind == KL_JSON_TRUE) {
            start_implied(C, &r, f, "required", "required", fd, a.node);
            if (!apply_overrides(C, &r, a.obj) || !push_row(C, &r))
                return;
        }
    }
    if (attr_get(C, spec, "type", false, "value near", &a)) {
        start_implied(C, &r, f, "type", "type", fd, a.node);
        r.p.types = C->b->fields[f].types;
        const kl_node *near = a.obj ? kl_node_getz(a.obj, "near") : NULL;
        if (near && !compile_param(C, &r, near, KL_NONE))
            return;
        C->b->fields[f].near_types = r.p.near_types;
        if (!apply_overrides(C, &r, a.obj) || !push_row(C, &r))
            return;
    }
    if (attr_get(C, spec, "enum", false, "value case_mismatch suggest", &a)) {
        start_implied(C, &r, f, "enum", "enum", fd, a.node);
        if (a.value->kind != KL_JSON_ARRAY || a.value->len == 0) {
            kl_cc_error(C, a.value, false, "`enum` is a non-empty list of values");
            return;
        }
        r.p.values = a.value;
        for (uint32_t i = 0; a.obj && i < a.obj->len; i++) {
            const kl_node *m = &a.obj->u.children[i];
            if ((m->key_len == 13 && memcmp(m->key, "case_mismatch", 13) == 0) ||
                (m->key_len == 7 && memcmp(m->key, "suggest", 7) == 0))
                if (!compile_param(C, &r, m, KL_NONE))
                    return;
        }
        if (!apply_overrides(C, &r, a.obj) || !push_row(C, &r))
            return;
    }
    {
        attr lo, hi, st;
        bool has_lo = attr_get(C, spec, "min", false, NULL, &lo);
        bool has_hi = attr_get(C, spec, "max", false, NULL, &hi);
        bool has_st = attr_get(C, spec, "step", false, NULL, &st);
        if (has_lo || has_hi || has_st) {
            start_implied(C, &r, f, "range", "range", fd,
                          has_lo ? lo.node : has_hi ? hi.node : st.node);
            if ((has_lo && !lit_bound(C, lo.value, &r.p.min)) ||
                (has_hi && !lit_bound(C, hi.value, &r.p.max)))
                return;
            if (has_st) {
                double d;
                if (!want_number(C, st.value, &d) || !(d > 0)) {
                    kl_cc_error(C, st.value, false, "`step` is a positive number");
                    return;
                }
                r.p.step = st.value;
            }
            if ((has_lo && !apply_overrides(C, &r, lo.obj)) ||
                (has_hi && !apply_overrides(C, &r, hi.obj)) ||
                (has_st && !apply_overrides(C, &r, st.obj)) || !push_row(C, &r))
                return;
        }
    }
    static const struct {
        const char *lo, *hi, *check, *rule;
    } pairs[] = {
        {"min_length", "max_length", "length", "length"},
        {"min_items", "max_items", "count", "item-count"},
    };
    for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
        bool has_lo = attr_get(C, spec, pairs[k].lo, false, NULL, &a);
        bool has_hi = attr_get(C, spec, pairs[k].hi, false, NULL, &b);
        if (!has_lo && !has_hi)
            continue;
        start_implied(C, &r, f, pairs[k].check, pairs[k].rule, fd, has_lo ? a.node : b.node);
        if ((has_lo && !lit_bound(C, a.value, &r.p.min)) ||
            (has_hi && !lit_bound(C, b.value, &r.p.max)))
            return;
        if ((has_lo && !apply_overrides(C, &r, a.obj)) ||
            (has_hi && !apply_overrides(C, &r, b.obj)) || !push_row(C, &r))
            return;
    }
    if (attr_get(C, spec, "schemes", false, NULL, &s)) {
        start_implied(C, &r, f, "uri-scheme", "uri-scheme", fd, s.node);
        if (!param_strings(C, s.value))
            return;
        r.p.strings = s.value;
        if (!apply_overrides(C, &r, s.obj) || !push_row(C, &r))
            return;
    }
    if (attr_get(C, spec, "media", true, "extensions mime", &s)) {
        start_implied(C, &r, f, "media-type", "media-type", fd, s.node);
        for (uint32_t i = 0; i < s.obj->len; i++) {
            const kl_node *m = &s.obj->u.children[i];
            if (kl_cc_word_in("extensions mime", m->key, m->key_len) &&
                !compile_param(C, &r, m, KL_NONE))
                return;
        }
        if (!apply_overrides(C, &r, s.obj) || !push_row(C, &r))
            return;
    }
    if (attr_get(C, spec, "max_bytes", false, NULL, &s)) {
        start_implied(C, &r, f, "data-uri-size", "data-uri-size", fd, s.node);
        if (!lit_bound(C, s.value, &r.p.max))
            return;
        if (!apply_overrides(C, &r, s.obj) || !push_row(C, &r))
            return;
    }
    if (attr_get(C, spec, "image", true, "min_side max_side min_aspect max_aspect", &s)) {
        start_implied(C, &r, f, "image-dimensions", "image-dimensions", fd, s.node);
        for (uint32_t i = 0; i < s.obj->len; i++) {
            const kl_node *m = &s.obj->u.children[i];
            if (kl_cc_word_in("min_side max_side min_aspect max_aspect", m->key, m->key_len) &&
                !compile_param(C, &r, m, KL_NONE))
                return;
        }
        if (!apply_overrides(C, &r, s.obj) || !push_row(C, &r))
            return;
    }
}

static bool parse_unknown(kl_cc *C, uint16_t f, const kl_node *u)
{
    kl_field *fl = &C->b->fields[f];
    if (u == NULL)
        return true;
    if (kl_cc_is(u, "allow")) {
        fl->unknown_allow = true;
        return true;
    }
    if (u->kind == KL_JSON_STRING)
        return kl_cc_severity(C, u, &fl->unknown_sev);
    if (u->kind != KL_JSON_OBJECT || !kl_cc_keys(C, u, "`unknown`", "severity doc source", NULL)) {
        if (u->kind != KL_JSON_OBJECT)
            kl_cc_error(C, u, false, "`unknown` is a severity, \"allow\", or {\"severity\", "
                                     "\"doc\", \"source\"}");
        return false;
    }
    const kl_node *sv = kl_node_getz(u, "severity");
    if (sv && !kl_cc_severity(C, sv, &C->b->fields[f].unknown_sev))
        return false;
    C->b->fields[f].unknown_doc = joined(C, kl_node_getz(u, "doc"), "`doc`");
    C->b->fields[f].unknown_source = joined(C, kl_node_getz(u, "source"), "`source`");
    return true;
}

static uint32_t spec_types(kl_cc *C, const kl_node *spec)
{
    const kl_node *t = kl_node_getz(spec, "type");
    if (t == NULL)
        return 0;
    if (t->kind == KL_JSON_OBJECT)
        t = kl_node_getz(t, "value");
    if (t == NULL)
        return 0;
    uint32_t types = 0;
    uint32_t n = t->kind == KL_JSON_ARRAY ? t->len : 1;
    for (uint32_t i = 0; i < n; i++) {
        const kl_node *e = t->kind == KL_JSON_ARRAY ? &t->u.children[i] : t;
        const char *s = kl_cc_str(C, e);
        uint32_t bit = s ? kl_type_parse(s) : 0;
        if (bit == 0) {
            kl_cc_error(C, e, false,
                        "unknown type (string, numeric-string, json-string, integer, "
                        "integer-valued, number, boolean, object, array, null)");
            return 0;
        }
        types |= bit;
    }
    return types;
}

/* Pass 1: create the field (and its parsed child) and its plain attributes. */
static void field_pass1(kl_cc *C, const kl_node *spec)
{
    if (spec->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, spec, false, "a field is an object with at least `path`");
        return;
    }
    if (!kl_cc_keys(C, spec, "a field", FIELD_KEYS, NULL))
        return;
    const kl_node *pn = kl_node_getz(spec, "path");
    if (!want_string(C, pn, "`path`"))
        return;
    const char *t = pn->u.str;
    size_t n = pn->len;
    int32_t idx;
    if (n == 1 && t[0] == '$') {
        if (C->b->field_specs[0] != NULL) {
            kl_cc_error(C, pn, false, "field `$` is declared twice");
            return;
        }
        idx = 0;
    } else {
        size_t skip = (n > 2 && t[0] == '$' && t[1] == '.') ? 2 : 0;
        t += skip;
        n -= skip;
        kl_step step = KL_STEP_MEMBER;
        size_t cut; /* parent text is t[0..cut) */
        const char *name = NULL;
        size_t name_len = 0;
        char namebuf[256];
        if (n >= 3 && memcmp(t + n - 3, "[*]", 3) == 0) {
            step = KL_STEP_ITEM;
            cut = n - 3;
        } else if (n >= 4 && t[n - 1] == ']' && t[n - 2] == '\'') {
            size_t open = n - 2;
            while (open > 1 && !(t[open - 1] == '\'' && t[open - 2] == '['))
                open--;
            if (open <= 1) {
                kl_cc_error(C, pn, false, "malformed path");
                return;
            }
            cut = open - 2;
            for (size_t i = open; i < n - 2 && name_len < sizeof(namebuf); i++) {
                if (t[i] == '\\' && i + 1 < n - 2)
                    i++;
                namebuf[name_len++] = t[i];
            }
            name = namebuf;
        } else {
            cut = n;
            while (cut > 0 && t[cut - 1] != '.' && t[cut - 1] != ']')
                cut--;
            name = t + cut;
            name_len = n - cut;
            if (cut > 0 && t[cut - 1] == '.')
                cut--;
            if (name_len == 0) {
                kl_cc_error(C, pn, false, "malformed path");
                return;
            }
        }
        uint16_t parent = 0;
        if (cut > 0) {
            kl_node fake = *pn;
            fake.u.str = t;
            fake.len = (uint32_t)cut;
            kl_ref ref;
            if (!kl_cc_path(C, &fake, KL_NONE, true, &ref, NULL))
                return;
            parent = ref.field;
        }
        if (C->b->fields[parent].parsed_child != KL_NONE)
            parent = C->b->fields[parent].parsed_child;
        if (step == KL_STEP_ITEM) {
            if (C->b->fields[parent].item_child != KL_NONE) {
                kl_cc_error(C, pn, false, "field `%.*s` is declared twice", (int)pn->len,
                            pn->u.str);
                return;
            }
        } else {
            for (uint32_t i = 0; i < C->b->n_fields; i++) {
                const kl_field *x = &C->b->fields[i];
                if (x->parent == parent && x->step == KL_STEP_MEMBER && x->name_len == name_len &&
                    memcmp(x->name, name, name_len) == 0) {
                    kl_cc_error(C, pn, false, "field `%.*s` is declared twice", (int)pn->len,
                                pn->u.str);
                    return;
                }
            }
        }
        idx = new_field(C, parent, step, name, name_len, kl_cc_str(C, pn));
        if (idx < 0)
            return;
    }
    C->b->field_specs[idx] = spec;
    kl_field *f = &C->b->fields[idx];
    f->declared = true;
    f->spec = spec;
    f->types = spec_types(C, spec);
    const kl_node *v;
    if ((v = kl_node_getz(spec, "concept")) != NULL && want_string(C, v, "`concept`"))
        C->b->fields[idx].concept = kl_cc_str(C, v);
    if ((v = kl_node_getz(spec, "description")) != NULL && want_string(C, v, "`description`"))
        C->b->fields[idx].description = kl_cc_str(C, v);
    C->b->fields[idx].doc = joined(C, kl_node_getz(spec, "doc"), "`doc`");
    C->b->fields[idx].source = joined(C, kl_node_getz(spec, "source"), "`source`");
    if (!parse_unknown(C, (uint16_t)idx, kl_node_getz(spec, "unknown")))
        return;

    const kl_node *parsed = kl_node_getz(spec, "parsed");
    if (C->b->fields[idx].types & KL_T_JSONSTR) {
        int32_t pc = new_field(C, (uint16_t)idx, KL_STEP_PARSED, NULL, 0, C->b->fields[idx].path);
        if (pc < 0)
            return;
        C->b->fields[pc].declared = true;
        if (parsed != NULL) {
            if (parsed->kind != KL_JSON_OBJECT) {
                kl_cc_error(C, parsed, false, "`parsed` is a field spec (without `path`)");
                return;
            }
            if (!kl_cc_keys(C, parsed, "`parsed`", PARSED_KEYS, NULL))
                return;
            C->b->field_specs[pc] = parsed;
            C->b->fields[pc].spec = parsed;
            C->b->fields[pc].types = spec_types(C, parsed);
            C->b->fields[pc].concept = C->b->fields[idx].concept;
            C->b->fields[pc].description = C->b->fields[idx].description;
            if (!parse_unknown(C, (uint16_t)pc, kl_node_getz(parsed, "unknown")))
                return;
        }
    } else if (parsed != NULL) {
        kl_cc_error(C, parsed, true, "`parsed` is only for fields of type json-string");
    }
}

/* Pass 2: defaults and implied rows, once every field exists. */
static void field_pass2(kl_cc *C, uint16_t f)
{
    const kl_node *spec = C->b->field_specs[f];
    if (spec == NULL)
        return;
    uint16_t scope = C->b->fields[f].anchor;
    const kl_node *v;
    if ((v = kl_node_getz(spec, "default")) != NULL)
        C->b->fields[f].dflt = v;
    if ((v = kl_node_getz(spec, "default_when")) != NULL) {
        if (v->kind != KL_JSON_ARRAY || v->len == 0) {
            kl_cc_error(C, v, false, "`default_when` is a list of {\"when\", \"value\"}");
            return;
        }
        kl_default_case *cases = kl_cc_alloc(C, v->len * sizeof(*cases));
        if (cases == NULL)
            return;
        for (uint32_t i = 0; i < v->len; i++) {
            const kl_node *e = &v->u.children[i];
            if (e->kind != KL_JSON_OBJECT ||
                !kl_cc_keys(C, e, "a default case", "when value", NULL) ||
                kl_node_getz(e, "when") == NULL || kl_node_getz(e, "value") == NULL) {
                if (e->kind != KL_JSON_OBJECT || !C->file->bad)
                    kl_cc_error(C, e, false, "a default case is {\"when\": C, \"value\": V}");
                return;
            }
            cases[i].when = kl_cc_cond(C, kl_node_getz(e, "when"), scope);
            cases[i].value = kl_node_getz(e, "value");
            if (cases[i].when < 0)
                return;
        }
        C->b->fields[f].cases = cases;
        C->b->fields[f].n_cases = (uint16_t)v->len;
    }

    fdefaults fd;
    const kl_node *owner = spec;
    const kl_field *fl = &C->b->fields[f];
    /* A parsed child inherits its string field's doc, severity and source. */
    const kl_node *outer = fl->step == KL_STEP_PARSED ? C->b->field_specs[fl->parent] : NULL;
    fd.doc = joined(C, kl_node_getz(owner, "doc"), "`doc`");
    if (fd.doc == NULL && outer)
        fd.doc = C->b->fields[fl->parent].doc;
    fd.source = joined(C, kl_node_getz(owner, "source"), "`source`");
    if (fd.source == NULL && outer)
        fd.source = C->b->fields[fl->parent].source;
    fd.sev = KL_SEV_ERROR;
    v = kl_node_getz(owner, "severity");
    if (v == NULL && outer)
        v = kl_node_getz(outer, "severity");
    if (v && !kl_cc_severity(C, v, &fd.sev))
        return;
    if (fd.doc == NULL && fl->declared && fl->step != KL_STEP_ROOT) {
        /* Checks must be traceable; a field with checks but no doc says why not. */
        static const char *const checked[] = {"required", "enum", "min", "max", "step",
                                              "min_length", "max_length", "min_items",
                                              "max_items", "schemes", "media", "max_bytes",
                                              "image"};
        for (size_t i = 0; i < sizeof(checked) / sizeof(checked[0]); i++) {
            if (kl_node_getz(owner, checked[i]) != NULL) {
                kl_cc_error(C, owner, false,
                            "a field with checks needs `doc`: the constraints-doc id (or field "
                            "table) they implement");
                return;
            }
        }
    }
    implied_rows(C, f, owner, &fd);
}

static void build_children(kl_cc *C)
{
    kl_pbuild *b = C->b;
    for (uint32_t f = 0; f < b->n_fields; f++) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < b->n_fields; i++)
            if (b->fields[i].parent == f && b->fields[i].step == KL_STEP_MEMBER)
                n++;
        kl_field *fl = &b->fields[f];
        if (n == 0) {
            const kl_node *spec = b->field_specs[f];
            if (spec == NULL || kl_node_getz(spec, "unknown") == NULL)
                fl->unknown_allow = fl->unknown_allow || f != 0;
            continue;
        }
        uint32_t size = 4;
        while (size < n * 2)
            size *= 2;
        fl->children = kl_cc_alloc(C, n * sizeof(uint16_t));
        fl->hash = kl_cc_alloc(C, size * sizeof(uint16_t));
        if (fl->children == NULL || fl->hash == NULL)
            return;
        fl->hash_mask = size - 1;
        for (uint32_t i = 0; i < size; i++)
            fl->hash[i] = KL_NONE;
        for (uint32_t i = 0; i < b->n_fields; i++) {
            const kl_field *x = &b->fields[i];
            if (x->parent != f || x->step != KL_STEP_MEMBER)
                continue;
            fl->children[fl->n_children++] = (uint16_t)i;
            uint32_t h = hash_name(x->name, x->name_len) & fl->hash_mask;
            while (fl->hash[h] != KL_NONE)
                h = (h + 1) & fl->hash_mask;
            fl->hash[h] = (uint16_t)i;
        }
    }
}

/* ---- Profiles ---------------------------------------------------------------- */

#define PROFILE_KEYS                                                                           \
    "id provider model title endpoint docs constraints sources detect fields aliases rows "    \
    "not_applicable description"

static void compile_aliases(kl_cc *C, const kl_node *arr)
{
    if (arr->kind != KL_JSON_ARRAY) {
        kl_cc_error(C, arr, false, "`aliases` is a list");
        return;
    }
    for (uint32_t i = 0; i < arr->len; i++) {
        const kl_node *e = &arr->u.children[i];
        if (e->kind != KL_JSON_OBJECT ||
            !kl_cc_keys(C, e, "an alias", "at name hint rename doc severity", NULL)) {
            if (e->kind != KL_JSON_OBJECT)
                kl_cc_error(C, e, false, "an alias is an object");
            continue;
        }
        kl_alias al;
        memset(&al, 0, sizeof(al));
        const kl_node *at = kl_node_getz(e, "at");
        kl_ref ref = {0, false};
        if (at && !kl_cc_path(C, at, KL_NONE, true, &ref, NULL))
            continue;
        al.at = ref.field;
        if (C->b->fields[al.at].parsed_child != KL_NONE)
            al.at = C->b->fields[al.at].parsed_child;
        const kl_node *name = kl_node_getz(e, "name");
        const kl_node *hint = kl_node_getz(e, "hint");
        if (!want_string(C, name, "`name`") || !want_string(C, hint, "`hint`"))
            continue;
        if (name == NULL || hint == NULL) {
            kl_cc_error(C, e, false, "an alias needs `name` and `hint`");
            continue;
        }
        al.name = kl_cc_str(C, name);
        al.name_len = name->len;
        al.hint = kl_cc_str(C, hint);
        const kl_node *v;
        if ((v = kl_node_getz(e, "rename")) != NULL) {
            if (!want_string(C, v, "`rename`"))
                continue;
            al.rename = kl_cc_str(C, v);
        }
        al.doc = joined(C, kl_node_getz(e, "doc"), "`doc`");
        if ((v = kl_node_getz(e, "severity")) != NULL) {
            if (!kl_cc_severity(C, v, &al.sev))
                continue;
            al.has_sev = true;
        }
        kl_pbuild *b = C->b;
        kl_alias *na = grow(C, b->aliases, &b->cap_aliases, b->n_aliases, sizeof(kl_alias));
        if (na == NULL)
            return;
        b->aliases = na;
        b->aliases[b->n_aliases++] = al;
    }
}

static void compile_na(kl_cc *C, const kl_node *arr)
{
    if (arr->kind != KL_JSON_ARRAY) {
        kl_cc_error(C, arr, false, "`not_applicable` is a list of {\"doc\", \"reason\"}");
        return;
    }
    for (uint32_t i = 0; i < arr->len; i++) {
        const kl_node *e = &arr->u.children[i];
        if (e->kind != KL_JSON_OBJECT ||
            !kl_cc_keys(C, e, "a not-applicable entry", "doc reason", NULL)) {
            if (e->kind != KL_JSON_OBJECT)
                kl_cc_error(C, e, false, "a not-applicable entry is {\"doc\", \"reason\"}");
            continue;
        }
        const kl_node *doc = kl_node_getz(e, "doc");
        const kl_node *reason = kl_node_getz(e, "reason");
        if (doc == NULL || reason == NULL) {
            kl_cc_error(C, e, false, "a not-applicable entry needs `doc` and `reason`");
            continue;
        }
        if (!want_string(C, doc, "`doc`") || !want_string(C, reason, "`reason`"))
            continue;
        kl_pbuild *b = C->b;
        kl_na *nn = grow(C, b->na, &b->cap_na, b->n_na, sizeof(kl_na));
        if (nn == NULL)
            return;
        b->na = nn;
        b->na[b->n_na].doc = kl_cc_str(C, doc);
        b->na[b->n_na].reason = kl_cc_str(C, reason);
        b->n_na++;
    }
}

static kl_pbuild *new_build(kl_cc *C, kl_ruleset *rs, kl_pbuild ***builds, size_t *n,
                            size_t *cap)
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
    (void)rs;
    b->p = p;
    p->identify = -1;
    p->shape = -1;
    (*builds)[(*n)++] = b;
    return b;
}

static void compile_profile(kl_cc *C, const kl_node *pobj, kl_pbuild *b)
{
    kl_profile *p = b->p;
    C->b = b;
    b->file = C->file;
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
        const kl_node *v = kl_node_getz(pobj, strs[i].key);
        if (v == NULL) {
            if (strs[i].required)
                kl_cc_error(C, pobj, false, "a profile needs `%s`", strs[i].key);
            continue;
        }
        if (!want_string(C, v, strs[i].key))
            continue;
        *(const char **)((char *)p + strs[i].off) = kl_cc_str(C, v);
    }
    if (p->id == NULL)
        p->id = "?";
    const kl_node *v;
    if ((v = kl_node_getz(pobj, "docs")) != NULL) {
        if (param_strings(C, v))
            p->docs = v;
    }
    if ((v = kl_node_getz(pobj, "sources")) != NULL) {
        if (v->kind != KL_JSON_OBJECT)
            kl_cc_error(C, v, false, "`sources` maps source keys to URLs or text");
        else
            p->sources = v;
    }

    if (new_field(C, KL_NONE, KL_STEP_ROOT, NULL, 0, "$") != 0)
        return;
    C->b->fields[0].unknown_sev = KL_SEV_WARNING;
    const kl_node *fields = kl_node_getz(pobj, "fields");
    if (fields == NULL || fields->kind != KL_JSON_ARRAY) {
        kl_cc_error(C, fields ? fields : pobj, false, "a profile needs `fields`, a list");
        return;
    }
    for (uint32_t i = 0; i < fields->len; i++)
        field_pass1(C, &fields->u.children[i]);
    if (C->file->bad || C->failed)
        return;
    build_children(C);
    for (uint32_t i = 0; i < b->n_fields; i++)
        field_pass2(C, (uint16_t)i);

    const kl_node *det = kl_node_getz(pobj, "detect");
    if (det == NULL || det->kind != KL_JSON_OBJECT || det->len == 0) {
        kl_cc_error(C, det ? det : pobj, false,
                    "a profile needs `detect`: {\"identify\": C} and/or {\"shape\": C}");
    } else if (kl_cc_keys(C, det, "`detect`", "identify shape", NULL)) {
        if ((v = kl_node_getz(det, "identify")) != NULL)
            p->identify = kl_cc_cond(C, v, KL_NONE);
        if ((v = kl_node_getz(det, "shape")) != NULL)
            p->shape = kl_cc_cond(C, v, KL_NONE);
    }
    if ((v = kl_node_getz(pobj, "aliases")) != NULL)
        compile_aliases(C, v);
    if ((v = kl_node_getz(pobj, "rows")) != NULL) {
        if (v->kind != KL_JSON_ARRAY)
            kl_cc_error(C, v, false, "`rows` is a list");
        else
            for (uint32_t i = 0; i < v->len; i++)
                compile_row(C, &v->u.children[i]);
    }
    if ((v = kl_node_getz(pobj, "not_applicable")) != NULL)
        compile_na(C, v);
}

static void compile_overlay(kl_cc *C, const kl_node *o, kl_pbuild **builds, size_t n_builds)
{
    if (o->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, o, false, "`overlay` is an object");
        return;
    }
    if (!kl_cc_keys(C, o, "an overlay", "id description profiles rows", NULL))
        return;
    const kl_node *id = kl_node_getz(o, "id");
    const kl_node *profiles = kl_node_getz(o, "profiles");
    const kl_node *rows = kl_node_getz(o, "rows");
    if (!want_string(C, id, "`id`"))
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
                compile_row(C, &rows->u.children[r]);
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
static uint16_t row_gate(const kl_profile *p, kl_row *r)
{
    const kl_field *at = &p->fields[r->at];
    uint16_t list_gate = at->anchor != KL_NONE ? fixed_ancestor(p, at->anchor) : KL_NONE;
    static const char *const sent_only[] = {
        "type",   "length",     "uri-scheme", "media-type", "data-uri-size", "image-dimensions",
        "forbidden", "requires", "excludes",  "index-within", "references",  "sum"};
    bool needs_sent = false;
    for (size_t i = 0; i < sizeof(sent_only) / sizeof(sent_only[0]); i++)
        if (strcmp(r->check->name, sent_only[i]) == 0)
            needs_sent = true;
    bool no_default = at->dflt == NULL && at->n_cases == 0;
    if ((strcmp(r->check->name, "enum") == 0 || strcmp(r->check->name, "not-enum") == 0 ||
         strcmp(r->check->name, "range") == 0) && no_default)
        needs_sent = true;
    if (strcmp(r->check->name, "count") == 0 && r->implied)
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

/* Move a profile's tables into the arena. */
static bool freeze(kl_cc *C, kl_pbuild *b, const kl_tmpl *default_msgs)
{
    kl_profile *p = b->p;
#define MOVE(dst, src, n, type)                                                                \
    do {                                                                                       \
        dst = NULL;                                                                            \
        if ((n) > 0) {                                                                         \
            dst = kl_cc_alloc(C, (size_t)(n) * sizeof(type));                                  \
            if (dst == NULL)                                                                   \
                return false;                                                                  \
            memcpy(dst, src, (size_t)(n) * sizeof(type));                                      \
        }                                                                                      \
    } while (0)
    MOVE(p->fields, b->fields, b->n_fields, kl_field);
    MOVE(p->rows, b->rows, b->n_rows, kl_row);
    MOVE(p->conds, b->conds, b->n_conds, kl_cond);
    MOVE(p->aliases, b->aliases, b->n_aliases, kl_alias);
    MOVE(p->na, b->na, b->n_na, kl_na);
#undef MOVE
    p->n_fields = (uint16_t)b->n_fields;
    p->n_rows = b->n_rows;
    for (uint16_t f = 0; f < p->n_fields; f++) {
        uint16_t *chain = kl_cc_alloc(C, (p->fields[f].depth + 1u) * sizeof(uint16_t));
        if (chain == NULL)
            return false;
        for (uint16_t cur = f, k = p->fields[f].depth; k > 0; cur = p->fields[cur].parent)
            chain[--k] = cur;
        p->fields[f].chain = chain;
    }
    for (uint32_t i = 0; i < p->n_rows; i++)
        p->rows[i].gate = row_gate(p, &p->rows[i]);
    p->n_conds = b->n_conds;
    p->n_aliases = (uint16_t)b->n_aliases;
    p->n_na = (uint16_t)b->n_na;
    for (uint32_t i = 0; i < p->n_rows; i++) {
        kl_row *r = &p->rows[i];
        r->message_given = r->message.n_segs > 0;
        if (r->message.n_segs == 0) {
            for (size_t k = 0; k < kl_n_checks; k++)
                if (kl_checks[k] == r->check)
                    r->message = default_msgs[k];
        }
    }
    return true;
}

static void free_build(kl_pbuild *b)
{
    free(b->fields);
    free(b->rows);
    free(b->conds);
    free(b->aliases);
    free(b->na);
    free(b->field_specs);
}

int kl_ruleset_finish(kl_ruleset *rs, kl_ruleset_report_fn report, void *ctx)
{
    if (rs->finished)
        return KL_EUSAGE;
    rs->finished = true;
    kl_cc cc;
    memset(&cc, 0, sizeof(cc));
    kl_cc *C = &cc;
    C->arena = &rs->arena;
    C->rs = rs;
    kl_pbuild **builds = NULL;
    size_t n_builds = 0, cap_builds = 0;
    int rc = KL_OK;

    /* Load every file; collect rule ids. */
    for (size_t i = 0; i < rs->n_files; i++) {
        kl_rfile *f = &rs->files[i];
        C->file = f;
        rc = kl_json_load(&f->doc, f->src, NULL, f->diags);
        if (rc != KL_OK)
            goto done;
        const kl_node *root = kl_doc_root(f->doc);
        if (root == NULL) {
            f->bad = true;
            continue;
        }
        if (root->kind != KL_JSON_OBJECT) {
            kl_cc_error(C, root, false, "a rule file is an object with `klint_rules`");
            continue;
        }
        if (!kl_cc_keys(C, root, "a rule file", "klint_rules rule_ids profile overlay", NULL))
            continue;
        const kl_node *ver = kl_node_getz(root, "klint_rules");
        int64_t version = 0;
        if (ver == NULL || !kl_node_int64(ver, &version) || version != 1) {
            kl_cc_error(C, ver ? ver : root, false,
                        "`klint_rules` must be 1 (this klint reads version 1 of the format)");
            continue;
        }
        if (kl_node_getz(root, "profile") && kl_node_getz(root, "overlay"))
            kl_cc_error(C, root, false, "a rule file holds a `profile` or an `overlay`, not both");
        const kl_node *ids = kl_node_getz(root, "rule_ids");
        if (ids == NULL)
            continue;
        if (ids->kind != KL_JSON_ARRAY) {
            kl_cc_error(C, ids, false, "`rule_ids` is a list of {\"id\", \"summary\"}");
            continue;
        }
        for (uint32_t k = 0; k < ids->len; k++) {
            const kl_node *e = &ids->u.children[k];
            if (e->kind != KL_JSON_OBJECT ||
                !kl_cc_keys(C, e, "a rule id", "id summary explain", NULL)) {
                if (e->kind != KL_JSON_OBJECT)
                    kl_cc_error(C, e, false, "a rule id is {\"id\", \"summary\"}");
                continue;
            }
            const kl_node *id = kl_node_getz(e, "id");
            const kl_node *sum = kl_node_getz(e, "summary");
            if (!want_string(C, id, "`id`") || !want_string(C, sum, "`summary`"))
                continue;
            if (id == NULL || sum == NULL) {
                kl_cc_error(C, e, false, "a rule id needs `id` and `summary`");
                continue;
            }
            bool slug = true;
            for (uint32_t c = 0; c < id->len; c++) {
                char ch = id->u.str[c];
                if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
                    slug = false;
            }
            if (!slug) {
                kl_cc_error(C, id, false, "a rule id is a kebab-case slug: a-z, 0-9 and '-'");
                continue;
            }
            bool dup = false;
            for (size_t d = 0; d < rs->n_ids; d++)
                if (strlen(rs->ids[d].id) == id->len &&
                    memcmp(rs->ids[d].id, id->u.str, id->len) == 0)
                    dup = true;
            if (dup) {
                kl_cc_error(C, id, false, "rule id `%.*s` is declared twice", (int)id->len,
                            id->u.str);
                continue;
            }
            if (rs->n_ids == rs->cap_ids) {
                size_t nc = rs->cap_ids ? rs->cap_ids * 2 : 64;
                kl_rule_id *ni = realloc(rs->ids, nc * sizeof(*ni));
                if (ni == NULL) {
                    rc = KL_ENOMEM;
                    goto done;
                }
                rs->ids = ni;
                rs->cap_ids = nc;
            }
            kl_rule_id *ri = &rs->ids[rs->n_ids++];
            ri->id = kl_cc_str(C, id);
            ri->summary = kl_cc_str(C, sum);
            const kl_node *ex = kl_node_getz(e, "explain");
            ri->explain = (ex && ex->kind == KL_JSON_STRING) ? kl_cc_str(C, ex) : NULL;
        }
    }
    /* Profiles. */
    for (size_t i = 0; i < rs->n_files; i++) {
        kl_rfile *f = &rs->files[i];
        const kl_node *root = f->doc ? kl_doc_root(f->doc) : NULL;
        const kl_node *pobj = root && root->kind == KL_JSON_OBJECT ? kl_node_getz(root, "profile")
                                                                   : NULL;
        if (pobj == NULL || f->bad)
            continue;
        C->file = f;
        const kl_node *idn = pobj->kind == KL_JSON_OBJECT ? kl_node_getz(pobj, "id") : NULL;
        for (size_t k = 0; idn && k < n_builds; k++) {
            if (kl_cc_is(idn, builds[k]->p->id)) {
                kl_cc_error(C, idn, false, "profile `%.*s` is defined twice", (int)idn->len,
                            idn->u.str);
                idn = NULL;
            }
        }
        if (f->bad)
            continue;
        kl_pbuild *b = new_build(C, rs, &builds, &n_builds, &cap_builds);
        if (b == NULL) {
            rc = KL_ENOMEM;
            goto done;
        }
        compile_profile(C, pobj, b);
    }
    /* Overlays. */
    for (size_t i = 0; i < rs->n_files; i++) {
        kl_rfile *f = &rs->files[i];
        const kl_node *root = f->doc ? kl_doc_root(f->doc) : NULL;
        const kl_node *o = root && root->kind == KL_JSON_OBJECT ? kl_node_getz(root, "overlay")
                                                                : NULL;
        if (o == NULL || f->bad)
            continue;
        C->file = f;
        compile_overlay(C, o, builds, n_builds);
    }
    if (C->failed) {
        rc = KL_ENOMEM;
        goto done;
    }

    rs->default_msgs = kl_cc_alloc(C, kl_n_checks * sizeof(kl_tmpl));
    rs->profiles = calloc(n_builds ? n_builds : 1, sizeof(*rs->profiles));
    if (rs->default_msgs == NULL || rs->profiles == NULL) {
        rc = KL_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < kl_n_checks; k++) {
        if (!kl_cc_tmpl_text(&rs->arena, kl_checks[k]->message, &rs->default_msgs[k])) {
            rc = KL_EINTERNAL;
            goto done;
        }
    }
    for (int k = 0; k < KL_XMSG_COUNT; k++) {
        if (!kl_cc_tmpl_text(&rs->arena, kl_check_xmsgs[k], &rs->xmsgs[k])) {
            rc = KL_EINTERNAL;
            goto done;
        }
    }
    for (size_t k = 0; k < n_builds; k++) {
        if (!freeze(C, builds[k], rs->default_msgs)) {
            rc = KL_ENOMEM;
            goto done;
        }
        rs->profiles[rs->n_profiles++] = builds[k]->p;
    }

done:
    for (size_t k = 0; k < n_builds; k++)
        free_build(builds[k]);
    free(builds);
    bool bad = false;
    for (size_t i = 0; i < rs->n_files; i++) {
        kl_rfile *f = &rs->files[i];
        if (kl_diags_count_severity(f->diags, KL_SEV_ERROR) > 0)
            f->bad = true;
        if (f->bad)
            bad = true;
        if (report && kl_diags_count(f->diags) > 0)
            report(ctx, f->src, f->diags);
    }
    if (rc == KL_OK && bad) {
        rs->n_profiles = 0; /* a half-read ruleset must not be used */
        rc = KL_EUSAGE;
    }
    return rc;
}

int kl_ruleset_builtin(kl_ruleset **out)
{
    kl_ruleset *rs;
    int rc = kl_ruleset_new(&rs);
    if (rc != KL_OK)
        return rc;
    rc = kl_ruleset_add_builtin(rs);
    if (rc == KL_OK)
        rc = kl_ruleset_finish(rs, NULL, NULL);
    if (rc == KL_EUSAGE)
        rc = KL_EINTERNAL;
    if (rc != KL_OK) {
        kl_ruleset_free(rs);
        rs = NULL;
    }
    *out = rs;
    return rc;
}
