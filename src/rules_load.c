/*
 * Rule files in, compiled profiles out: the ruleset's lifetime, its
 * sources (memory, the built-in rules, files and folders), its read-only
 * accessors, its rule-id vocabulary, and kl_ruleset_finish, which runs the
 * compilation in order: every file is loaded with klint's own strict
 * loader and its `rule_ids` read, then every profile is compiled
 * (rules_profile.c, rules_field.c, rules_implied.c, rules_row.c,
 * rules_expr.c), then every overlay (which may target profiles from any
 * file), then the tables are frozen (each profile keeps its build's tables).
 *
 * A mistake in a rule file is a `rules-invalid` diagnostic at the
 * offending node, so a bad rule file is reported like a bad payload; a
 * ruleset with any such error is not used. Compilation happens once, so
 * that linting a document does no parsing of rules at all.
 *
 * The built-in files cost as little as possible before the first input:
 * their trees were made by the same loader at build time (embed_rules.c,
 * kl_builtin_tree), their texts are NUL-terminated there already, their
 * line tables wait for a diagnostic, and they are trusted: the checks that
 * can only find mistakes are skipped for them, the test suite making them
 * (kl_ruleset_set_strict). Files read at run time get every check, before
 * anything is linted.
 */
#include "rules_cc.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks.h"
#include "rules_builtin.h"

struct kl_ruleset {
    kl_arena arena;
    kl_rfile *files;
    size_t n_files, cap_files;
    kl_pbuild **builds; /* the profiles' builds, which own their tables (kl_cc_freeze) */
    size_t n_builds;
    kl_profile **profiles;
    size_t n_profiles;
    kl_rule_id *ids;
    size_t n_ids, cap_ids;
    kl_tmpl *default_msgs; /* per kl_checks[] entry */
    uint8_t *traits;       /* per kl_checks[] entry (kl_cc_check_traits) */
    kl_tmpl xmsgs[KL_XMSG_COUNT];
    bool strict; /* no trust in the built-in files (kl_ruleset_set_strict) */
    bool finished;
    /* Completing lazy profiles (complete()), once each, whatever the thread. */
    pthread_mutex_t lock;
    bool lock_made;
};

/* ---- Ruleset lifetime -------------------------------------------------- */

int kl_ruleset_new(kl_ruleset **out)
{
    kl_ruleset *rs = calloc(1, sizeof(*rs));
    if (rs != NULL && pthread_mutex_init(&rs->lock, NULL) == 0)
        rs->lock_made = true;
    if (rs != NULL && !rs->lock_made) {
        free(rs);
        rs = NULL;
    }
    *out = rs;
    return rs ? KL_OK : KL_ENOMEM;
}

void kl_ruleset_free(kl_ruleset *rs)
{
    if (rs == NULL)
        return;
    for (size_t i = 0; i < rs->n_files; i++) {
        kl_doc_free(rs->files[i].doc);
        free(rs->files[i].tree);
        if (rs->files[i].view) {
            kl_source_dispose(rs->files[i].src);
            free(rs->files[i].src);
        } else {
            kl_source_free(rs->files[i].src);
        }
        kl_diags_free(rs->files[i].diags);
    }
    free(rs->files);
    for (size_t k = 0; k < rs->n_builds; k++)
        kl_cc_free_build(rs->builds[k]);
    free(rs->builds);
    free(rs->ids);
    free(rs->profiles);
    kl_arena_dispose(&rs->arena);
    if (rs->lock_made)
        pthread_mutex_destroy(&rs->lock);
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

static int add_source(kl_ruleset *rs, kl_source *src, bool view, const kl_builtin_rule *builtin)
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
    f->builtin = builtin;
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
    return add_source(rs, src, false, NULL);
}

void kl_ruleset_set_strict(kl_ruleset *rs)
{
    rs->strict = true;
}

int kl_ruleset_add_builtin(kl_ruleset *rs)
{
    if (rs->finished)
        return KL_EUSAGE;
    /* The bytes live as long as the program: view them, do not copy them. The line table
     * waits for a diagnostic to place (report_source): built-in files have none. */
    for (size_t i = 0; i < kl_builtin_rules_count; i++) {
        const kl_builtin_rule *b = &kl_builtin_rules[i];
        kl_source *src = calloc(1, sizeof(*src));
        if (src == NULL)
            return KL_ENOMEM;
        kl_source_init_line(src, b->name, (const char *)b->data, (uint32_t)b->len, 1);
        int rc = add_source(rs, src, true, b);
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
    return add_source(rs, src, false, NULL);
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

/*
 * Profile `i` whole: a lazy profile's rest is compiled the first time (kl_cc_profile_rest,
 * kl_cc_freeze_rest) under the ruleset's lock, and published with release order on its
 * build's `complete`, which every caller reads with acquire order first. Those compiling it
 * write only what no reader of the head touches: the rows, aliases and not-applicable list
 * and their counts, the conditions table past the head's (in place: it never moves once the
 * head is out, kl_cc_cond_bound), and `near_types` of fields. NULL when out of memory.
 */
static const kl_profile *complete(const kl_ruleset *crs, size_t i)
{
    kl_ruleset *rs = (kl_ruleset *)crs; /* logically const: the profile was always this */
    kl_pbuild *b = rs->builds[i];
    if (atomic_load_explicit(&b->complete, memory_order_acquire))
        return b->p;
    const kl_profile *p = b->p;
    pthread_mutex_lock(&rs->lock);
    if (!atomic_load_explicit(&b->complete, memory_order_relaxed)) {
        kl_cc cc;
        memset(&cc, 0, sizeof(cc));
        cc.arena = &rs->arena;
        cc.rs = rs;
        cc.file = b->file;
        kl_cc_profile_rest(&cc, b);
        if (cc.failed || b->file->bad || !kl_cc_freeze_rest(b, rs->default_msgs, rs->traits)) {
            p = NULL; /* out of memory, or a built-in file the test suite would have refused */
        } else {
            free(b->field_specs);
            b->field_specs = NULL;
            atomic_store_explicit(&b->complete, true, memory_order_release);
        }
    }
    pthread_mutex_unlock(&rs->lock);
    return p;
}

const kl_profile *kl_ruleset_profile_at(const kl_ruleset *rs, size_t i)
{
    return (rs && i < rs->n_profiles) ? complete(rs, i) : NULL;
}

const kl_profile *kl_ruleset_profile_head(const kl_ruleset *rs, size_t i)
{
    return (rs && i < rs->n_profiles) ? rs->profiles[i] : NULL;
}

const kl_profile *kl_ruleset_complete(const kl_ruleset *rs, const kl_profile *p)
{
    for (size_t i = 0; rs && p && i < rs->n_profiles; i++)
        if (rs->profiles[i] == p)
            return complete(rs, i);
    return NULL;
}

const kl_profile *kl_ruleset_find_profile(const kl_ruleset *rs, const char *id)
{
    for (size_t i = 0; rs && id && i < rs->n_profiles; i++)
        if (strcmp(rs->profiles[i]->id, id) == 0)
            return complete(rs, i);
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

/* ---- Rule ids ------------------------------------------------------------ */

bool kl_cc_rule_id_declared(kl_cc *C, const kl_node *idn)
{
    if (C->file->trusted)
        return true;
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

/* Entries of a file's `rule_ids`, added to the vocabulary; KL_OK or KL_ENOMEM. */
static int read_rule_ids(kl_cc *C, kl_ruleset *rs, const kl_node *ids)
{
    if (!kl_cc_list(C, ids, false, "`rule_ids` is a list of {\"id\", \"summary\"}"))
        return KL_OK;
    for (uint32_t k = 0; k < ids->len; k++) {
        const kl_node *e = &ids->u.children[k];
        if (!kl_cc_entry(C, e, "a rule id", "{\"id\", \"summary\"}", "id summary explain",
                         "id summary"))
            continue;
        const kl_node *id = KL_CC_GET(e, "id");
        const kl_node *sum = KL_CC_GET(e, "summary");
        if (!kl_cc_want_string(C, id, "`id`") || !kl_cc_want_string(C, sum, "`summary`"))
            continue;
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
            if (strlen(rs->ids[d].id) == id->len && memcmp(rs->ids[d].id, id->u.str, id->len) == 0)
                dup = true;
        if (dup) {
            kl_cc_error(C, id, false, "rule id `%.*s` is declared twice", (int)id->len, id->u.str);
            continue;
        }
        if (rs->n_ids == rs->cap_ids) {
            size_t nc = rs->cap_ids ? rs->cap_ids * 2 : 64;
            kl_rule_id *ni = realloc(rs->ids, nc * sizeof(*ni));
            if (ni == NULL)
                return KL_ENOMEM;
            rs->ids = ni;
            rs->cap_ids = nc;
        }
        kl_rule_id *ri = &rs->ids[rs->n_ids++];
        ri->id = kl_cc_str(C, id);
        ri->summary = kl_cc_str(C, sum);
        const kl_node *ex = KL_CC_GET(e, "explain");
        ri->explain = (ex && ex->kind == KL_JSON_STRING) ? kl_cc_str(C, ex) : NULL;
    }
    return KL_OK;
}

/* ---- Built-in trees ------------------------------------------------------ */

kl_node *kl_builtin_tree(const kl_builtin_rule *b)
{
    kl_node *nodes = malloc((b->n_nodes ? b->n_nodes : 1) * sizeof(*nodes));
    if (nodes == NULL)
        return NULL;
    /* A text reference is an offset into the bytes, or with KL_BUILTIN_POOL (the top bit)
     * into the pool. */
    _Static_assert(KL_BUILTIN_POOL == 1u << 31, "the pool bit is the top bit");
    const char *const base[2] = {(const char *)b->data, b->pool};
    for (uint32_t i = 0; i < b->n_nodes; i++) {
        const kl_builtin_node *x = &b->tree[i];
        kl_node *n = &nodes[i];
        n->kind = x->kind;
        n->flags = x->flags;
        n->len = x->len;
        n->span = kl_span_make(x->span_start, x->span_end);
        n->key_span = kl_span_make(x->key_start, x->key_end);
        n->key = x->key == KL_BUILTIN_NO_TEXT ? NULL
                                              : base[x->key >> 31] + (x->key & ~KL_BUILTIN_POOL);
        n->key_len = x->key_len;
        if (x->kind == KL_JSON_ARRAY || x->kind == KL_JSON_OBJECT)
            n->u.children = x->value == KL_BUILTIN_NO_NODE ? NULL : &nodes[x->value];
        else if (x->kind == KL_JSON_STRING || x->kind == KL_JSON_NUMBER)
            n->u.str = base[x->value >> 31] + (x->value & ~KL_BUILTIN_POOL);
        else
            n->u.str = NULL;
        n->parent = x->parent == KL_BUILTIN_NO_NODE ? NULL : &nodes[x->parent];
    }
    return nodes;
}

const char *kl_builtin_cstr(const kl_builtin_rule *b, const kl_node *tree, const kl_node *n)
{
    if (b == NULL || tree == NULL || n == NULL || n->kind != KL_JSON_STRING)
        return NULL;
    uintptr_t at = (uintptr_t)n, first = (uintptr_t)tree;
    if (at < first || at >= first + b->n_nodes * sizeof(*tree))
        return NULL;
    return b->pool + b->tree[(at - first) / sizeof(*tree)].cstr;
}

/* ---- Compilation --------------------------------------------------------- */

/* Load one rule file and check its top level; read its rule ids. KL_OK (a bad file is
 * marked and reported, not an error here), or an error from the loader. */
static int load_file(kl_cc *C, kl_ruleset *rs, kl_rfile *f)
{
    C->file = f;
    if (f->builtin != NULL) {
        /* Loaded at build time by the same loader (embed_rules.c), without a finding. */
        f->tree = kl_builtin_tree(f->builtin);
        if (f->tree == NULL)
            return KL_ENOMEM;
        f->root = f->tree;
    } else {
        int rc = kl_json_load(&f->doc, f->src, NULL, f->diags);
        if (rc != KL_OK)
            return rc;
        f->root = kl_doc_root(f->doc);
    }
    const kl_node *root = f->root;
    if (root == NULL) {
        f->bad = true;
        return KL_OK;
    }
    if (root->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, root, false, "a rule file is an object with `klint_rules`");
        return KL_OK;
    }
    if (!kl_cc_keys(C, root, "a rule file", "klint_rules rule_ids profile overlay", NULL))
        return KL_OK;
    const kl_node *ver = KL_CC_GET(root, "klint_rules");
    int64_t version = 0;
    if (ver == NULL || !kl_node_int64(ver, &version) || version != 1) {
        kl_cc_error(C, ver ? ver : root, false,
                    "`klint_rules` must be 1 (this klint reads version 1 of the format)");
        return KL_OK;
    }
    if (KL_CC_GET(root, "profile") && KL_CC_GET(root, "overlay"))
        kl_cc_error(C, root, false, "a rule file holds a `profile` or an `overlay`, not both");
    const kl_node *ids = KL_CC_GET(root, "rule_ids");
    return ids ? read_rule_ids(C, rs, ids) : KL_OK;
}

/* A file's source ready for placing its diagnostics: a built-in file gets its line table. */
static int report_source(kl_rfile *f)
{
    if (f->builtin == NULL)
        return KL_OK;
    const kl_builtin_rule *b = f->builtin;
    f->builtin = NULL;
    return kl_source_init_view(f->src, b->name, (const char *)b->data, b->len);
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
    bool lazy = true;
    for (size_t i = 0; i < rs->n_files; i++) {
        rs->files[i].trusted = rs->files[i].builtin != NULL && !rs->strict;
        lazy = lazy && rs->files[i].trusted;
    }
    for (size_t i = 0; i < rs->n_files && rc == KL_OK; i++)
        rc = load_file(C, rs, &rs->files[i]);
    if (rc != KL_OK)
        goto done;
    /* Lazy profiles only when every file is trusted, and none holds an overlay (overlays go
     * onto whole profiles): then nothing is left to report that the test suite has not
     * seen, and a run compiles the rows of the profiles its documents need only. */
    for (size_t i = 0; lazy && i < rs->n_files; i++) {
        const kl_node *root = rs->files[i].root;
        lazy = root != NULL && root->kind == KL_JSON_OBJECT &&
               KL_CC_GET(root, "overlay") == NULL;
    }
    /* Profiles. */
    for (size_t i = 0; i < rs->n_files; i++) {
        kl_rfile *f = &rs->files[i];
        const kl_node *root = f->root;
        const kl_node *pobj = root && root->kind == KL_JSON_OBJECT ? KL_CC_GET(root, "profile")
                                                                   : NULL;
        if (pobj == NULL || f->bad)
            continue;
        C->file = f;
        const kl_node *idn = pobj->kind == KL_JSON_OBJECT ? KL_CC_GET(pobj, "id") : NULL;
        for (size_t k = 0; idn && k < n_builds; k++) {
            if (kl_cc_is(idn, builds[k]->p->id)) {
                kl_cc_error(C, idn, false, "profile `%.*s` is defined twice", (int)idn->len,
                            idn->u.str);
                idn = NULL;
            }
        }
        if (f->bad)
            continue;
        kl_pbuild *b = kl_cc_new_build(C, &builds, &n_builds, &cap_builds);
        if (b == NULL) {
            rc = KL_ENOMEM;
            goto done;
        }
        if (lazy) {
            /* The conditions table, read by detection while the rows may be compiled on
             * another thread, is made big enough for all of them now. */
            uint32_t bound = kl_cc_cond_bound(pobj);
            b->conds = malloc((bound ? bound : 1) * sizeof(kl_cond));
            if (b->conds == NULL) {
                rc = KL_ENOMEM;
                goto done;
            }
            b->cap_conds = bound;
        }
        kl_cc_profile(C, pobj, b, !lazy);
    }
    /* Overlays. */
    for (size_t i = 0; i < rs->n_files; i++) {
        kl_rfile *f = &rs->files[i];
        const kl_node *root = f->root;
        const kl_node *o = root && root->kind == KL_JSON_OBJECT ? KL_CC_GET(root, "overlay")
                                                                : NULL;
        if (o == NULL || f->bad)
            continue;
        C->file = f;
        kl_cc_overlay(C, o, builds, n_builds);
    }
    if (C->failed) {
        rc = KL_ENOMEM;
        goto done;
    }

    rs->default_msgs = kl_cc_alloc(C, kl_n_checks * sizeof(kl_tmpl));
    uint8_t *traits = rs->traits = kl_cc_alloc(C, kl_n_checks);
    rs->profiles = calloc(n_builds ? n_builds : 1, sizeof(*rs->profiles));
    if (rs->default_msgs == NULL || traits == NULL || rs->profiles == NULL) {
        rc = KL_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < kl_n_checks; k++) {
        if (!kl_cc_tmpl_text(&rs->arena, kl_checks[k]->message, &rs->default_msgs[k])) {
            rc = KL_EINTERNAL;
            goto done;
        }
        traits[k] = kl_cc_check_traits(kl_checks[k]);
    }
    for (int k = 0; k < KL_XMSG_COUNT; k++) {
        if (!kl_cc_tmpl_text(&rs->arena, kl_check_xmsgs[k], &rs->xmsgs[k])) {
            rc = KL_EINTERNAL;
            goto done;
        }
    }
    for (size_t k = 0; k < n_builds; k++) {
        kl_pbuild *b = builds[k];
        if (!kl_cc_freeze_head(C, b)) {
            rc = KL_ENOMEM;
            goto done;
        }
        if (lazy) {
            b->conds_fixed = true;
        } else {
            if (!kl_cc_freeze_rest(b, rs->default_msgs, traits)) {
                rc = KL_ENOMEM;
                goto done;
            }
            atomic_store_explicit(&b->complete, true, memory_order_relaxed);
        }
        rs->profiles[rs->n_profiles++] = b->p;
    }

done:
    /* The builds own the profiles' tables: they go with the ruleset (kl_ruleset_free). A
     * lazy profile's build keeps its field specs until its rest is compiled. */
    for (size_t k = 0; k < n_builds; k++) {
        if (atomic_load_explicit(&builds[k]->complete, memory_order_relaxed) || rc != KL_OK) {
            free(builds[k]->field_specs);
            builds[k]->field_specs = NULL;
        }
    }
    rs->builds = builds;
    rs->n_builds = n_builds;
    bool bad = false;
    for (size_t i = 0; i < rs->n_files; i++) {
        kl_rfile *f = &rs->files[i];
        if (kl_diags_count_severity(f->diags, KL_SEV_ERROR) > 0)
            f->bad = true;
        if (f->bad)
            bad = true;
        if (report && kl_diags_count(f->diags) > 0) {
            int placed = report_source(f);
            if (placed == KL_OK)
                report(ctx, f->src, f->diags);
            else if (rc == KL_OK)
                rc = placed;
        }
    }
    if (rc == KL_OK && bad)
        rc = KL_EUSAGE;
    if (rc != KL_OK)
        rs->n_profiles = 0; /* a half-read ruleset must not be used */
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
