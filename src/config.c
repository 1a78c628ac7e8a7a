/*
 * .klint.json: read, checked key by key with positions, and kept as plain
 * tables (every string copied into the configuration's arena, so neither
 * the document nor the source has to outlive the load).
 *
 * What the configuration says about a finding is decided in one place,
 * kl_config_judge, in a fixed order: klint's protected rules are never
 * touched; then `ignore`; then `select`; then the first matching `ignores`
 * entry; then `severity`.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "buf.h"
#include "checks.h"
#include "fspath.h"
#include "glob.h"
#include "jcheck.h"
#include "klint/json.h"
#include "rules.h"

/* A string of the configuration and where it is written. */
typedef struct cfg_str {
    const char *s;
    kl_span span;
    const char *path; /* canonical path in the configuration */
} cfg_str;

typedef struct str_list {
    cfg_str *v;
    size_t n;
} str_list;

typedef struct profile_map {
    str_list files;
    cfg_str profile;
} profile_map;

typedef struct sev_override {
    cfg_str rule; /* span: the key */
    kl_severity sev;
} sev_override;

typedef struct ignore_entry {
    str_list files; /* n == 0: every file */
    str_list rules; /* n == 0: every rule */
    str_list paths; /* n == 0: anywhere */
    kl_span span;
    const char *path;
    size_t uses;     /* findings dropped (printing thread) */
    size_t in_scope; /* linted files its `files` matched (printing thread) */
} ignore_entry;

struct kl_config {
    kl_arena arena;
    kl_anchor anchor;    /* the configuration's directory: globs are relative to it */
    str_list rule_files; /* resolved against dir */
    profile_map *profiles;
    size_t n_profiles;
    bool has_select;
    str_list select;
    str_list ignore;
    sev_override *sev;
    size_t n_sev;
    ignore_entry *ignores;
    size_t n_ignores;
    size_t files_linted; /* printing thread */
};

/* ---- Rule ids klint itself reports --------------------------------------- */

/* Never dropped, never given another severity: they mean an input was not (fully) read. */
static const char *const protected_rules[] = {
    KL_RULE_JSON_SYNTAX,    KL_RULE_JSON_DEPTH, KL_RULE_RULES_INVALID,
    KL_RULE_CONFIG_INVALID, "baseline-invalid", NULL,
};

/* About klint's own inputs, not a linted file: `ignore` and `severity` only. */
static const char *const meta_rules[] = {KL_RULE_CONFIG_UNUSED_IGNORE, "baseline-unmatched", NULL};

/* Reported by klint itself, whatever the ruleset declares; `select` leaves them on. */
static const char *const own_rules[] = {
    KL_RULE_JSON_SYNTAX,
    KL_RULE_JSON_DUPLICATE_KEY,
    KL_RULE_JSON_BOM,
    KL_RULE_JSON_DEPTH,
    KL_RULE_RULES_INVALID,
    KL_RULE_CONFIG_INVALID,
    KL_RULE_CONFIG_UNUSED_IGNORE,
    "baseline-invalid",
    "baseline-unmatched",
    NULL,
};

static bool word_in(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static bool list_has(const str_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].s, s) == 0)
            return true;
    return false;
}

/* ---- Loading ---------------------------------------------------------------- */

typedef struct loader {
    kl_jcheck J;
    kl_config *cfg;
} loader;

static const char *dup_node(loader *L, const kl_node *n)
{
    char *s = kl_arena_strndup(&L->cfg->arena, n->u.str, n->len);
    if (s == NULL)
        L->J.nomem = true;
    return s;
}

static const char *dup_path(loader *L, const kl_node *n)
{
    char *p = kl_jcheck_path(n);
    const char *s = p ? kl_arena_strndup(&L->cfg->arena, p, strlen(p)) : NULL;
    if (s == NULL)
        L->J.nomem = true;
    free(p);
    return s;
}

static bool set_str(loader *L, cfg_str *out, const kl_node *n, bool key)
{
    out->s = key ? kl_arena_strndup(&L->cfg->arena, n->key, n->key_len) : dup_node(L, n);
    out->span = key ? n->key_span : n->span;
    out->path = dup_path(L, n);
    if (out->s == NULL)
        L->J.nomem = true;
    return out->s != NULL && out->path != NULL;
}

/* Room for `n` (at least one) items of `size` bytes in the configuration's arena; NULL
 * (noted as out of memory) when there is none. */
static void *alloc_items(loader *L, size_t n, size_t size)
{
    void *p = kl_arena_alloc(&L->cfg->arena, (n ? n : 1) * size);
    if (p == NULL)
        L->J.nomem = true;
    return p;
}

/* A list of entries (`what` is a list of `shape`): room for one per item, or NULL when `v`
 * is not a list (reported) or out of memory. */
static void *alloc_entries(loader *L, const kl_node *v, const char *what, const char *shape,
                           size_t size)
{
    if (v->kind != KL_JSON_ARRAY) {
        kl_jcheck_error(&L->J, v, false, "%s is a list of %s, not %s", what, shape,
                        kl_node_phrase(v));
        return NULL;
    }
    return alloc_items(L, v->len, size);
}

/* An entry of such a list: an object (else reported: `what` is `shape`) whose keys are
 * checked against `keys`; `*keys_ok` says whether they were all known. */
static bool entry_object(loader *L, const kl_node *e, const char *what, const char *shape,
                         const char *const *keys, bool *keys_ok)
{
    if (e->kind != KL_JSON_OBJECT) {
        kl_jcheck_error(&L->J, e, false, "%s is %s, not %s", what, shape, kl_node_phrase(e));
        return false;
    }
    *keys_ok = kl_jcheck_keys(&L->J, e, what, keys);
    return true;
}

/* A string that must be usable as text: not empty, no NUL byte. */
static bool plain_string(loader *L, const kl_node *n, const char *what)
{
    if (n->kind != KL_JSON_STRING) {
        kl_jcheck_error(&L->J, n, false, "%s is a string, not %s", what, kl_node_phrase(n));
        return false;
    }
    if (n->len == 0) {
        kl_jcheck_error(&L->J, n, false, "%s is empty", what);
        return false;
    }
    if (memchr(n->u.str, '\0', n->len) != NULL) {
        kl_jcheck_error(&L->J, n, false, "%s holds a NUL character", what);
        return false;
    }
    return true;
}

/* Checks one string item; `text` is its NUL-terminated copy (a node's own text may not be). */
typedef bool (*item_fn)(loader *L, const kl_node *item, const char *text);

/*
 * A string, or (when `one_ok` is false) only a list of strings; each item
 * checked by `check` (may be NULL). An empty list is an error unless
 * `empty_ok`. Fills `out` with the items that passed.
 */
static bool read_strings(loader *L, const kl_node *v, bool one_ok, bool empty_ok, const char *what,
                         const char *example, item_fn check, str_list *out)
{
    out->n = 0;
    if (v->kind == KL_JSON_STRING && one_ok) {
        if (!plain_string(L, v, what))
            return false;
        out->v = kl_arena_alloc(&L->cfg->arena, sizeof(cfg_str));
        if (out->v == NULL || !set_str(L, &out->v[0], v, false)) {
            L->J.nomem = true;
            return false;
        }
        if (check && !check(L, v, out->v[0].s))
            return false;
        out->n = 1;
        return true;
    }
    if (v->kind != KL_JSON_ARRAY) {
        kl_jcheck_error(&L->J, v, false, "%s is %s, not %s (for example %s)", what,
                        one_ok ? "a string or a list of strings" : "a list of strings",
                        kl_node_phrase(v), example);
        return false;
    }
    if (v->len == 0 && !empty_ok) {
        kl_jcheck_error(&L->J, v, false,
                        "%s is an empty list, which matches nothing; remove the key to mean "
                        "\"all\"",
                        what);
        return false;
    }
    out->v = alloc_items(L, v->len, sizeof(cfg_str));
    if (out->v == NULL)
        return false;
    bool ok = true;
    for (uint32_t i = 0; i < v->len; i++) {
        const kl_node *item = &v->u.children[i];
        if (!plain_string(L, item, "an item")) {
            ok = false;
            continue;
        }
        if (!set_str(L, &out->v[out->n], item, false))
            return false;
        if (check && !check(L, item, out->v[out->n].s)) {
            ok = false;
            continue;
        }
        out->n++;
    }
    return ok;
}

static bool check_glob(loader *L, const kl_node *n, const char *text)
{
    size_t at;
    const char *msg = kl_glob_check(text, &at);
    if (msg == NULL)
        return true;
    kl_jcheck_error_at(&L->J, n, at, "bad glob: %s", msg);
    return false;
}

/* "/input/x/0" -> "$.input.x[0]"; NULL when not a simple JSON Pointer. */
static char *pointer_as_path(const char *ptr)
{
    kl_buf b = KL_BUF_INIT;
    kl_buf_putc(&b, '$');
    for (const char *s = ptr; *s == '/';) {
        const char *e = s + 1;
        bool digits = true, ident = true;
        while (*e != '\0' && *e != '/') {
            char c = *e;
            digits = digits && c >= '0' && c <= '9';
            ident = ident && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '_');
            e++;
        }
        size_t n = (size_t)(e - s - 1);
        if (n == 0 || !ident) {
            kl_buf_dispose(&b);
            return NULL;
        }
        if (digits)
            kl_buf_printf(&b, "[%.*s]", (int)n, s + 1);
        else
            kl_buf_printf(&b, ".%.*s", (int)n, s + 1);
        s = e;
    }
    if (kl_buf_failed(&b)) {
        kl_buf_dispose(&b);
        return NULL;
    }
    return b.ptr;
}

/* `text` written as a pattern when it was meant as one: a JSON Pointer, or a path without its
 * `$`; NULL when that guess is not a valid pattern either (or out of memory). */
static char *pattern_meant(const char *text)
{
    char *guess = NULL;
    if (text[0] == '/') {
        guess = pointer_as_path(text);
    } else if ((text[0] >= 'a' && text[0] <= 'z') || (text[0] >= 'A' && text[0] <= 'Z') ||
               text[0] == '_') {
        kl_buf b = KL_BUF_INIT;
        kl_buf_printf(&b, "$.%s", text);
        guess = kl_buf_failed(&b) ? NULL : b.ptr;
        if (guess == NULL)
            kl_buf_dispose(&b);
    }
    size_t at;
    if (guess != NULL && kl_jsonpath_check(guess, true, &at) != NULL) {
        free(guess);
        guess = NULL;
    }
    return guess;
}

static bool check_jsonpath(loader *L, const kl_node *n, const char *text)
{
    size_t at;
    const char *msg = kl_jsonpath_check(text, true, &at);
    if (msg == NULL)
        return true;
    char *meant = pattern_meant(text);
    if (meant != NULL && text[0] == '/')
        kl_jcheck_error(&L->J, n, false, "this is a JSON Pointer; patterns are JSON paths: `%s`",
                        meant);
    else if (meant != NULL)
        kl_jcheck_error(&L->J, n, false, "a JSON path starts with `$`: `%s`", meant);
    else
        kl_jcheck_error_at(&L->J, n, at, "bad JSON path pattern: %s", msg);
    free(meant);
    return false;
}

/* Rule ids named in `ignore`, `severity` and `ignores` must be ones that can be dropped. */
static bool check_droppable(loader *L, const kl_node *n, const char *text)
{
    if (word_in(protected_rules, text)) {
        kl_jcheck_error(&L->J, n, false,
                        "`%s` cannot be turned off or given another severity: it means an input "
                        "could not be read",
                        text);
        return false;
    }
    return true;
}

static bool check_entry_rule(loader *L, const kl_node *n, const char *text)
{
    if (!check_droppable(L, n, text))
        return false;
    if (word_in(meta_rules, text)) {
        kl_jcheck_error(&L->J, n, false,
                        "`%s` is about klint's own files, not a linted file: list it in the "
                        "top-level `ignore` instead",
                        text);
        return false;
    }
    return true;
}

static const char *const top_keys[] = {"rules",    "profiles", "select",  "ignore",
                                       "severity", "ignores",  "comment", NULL};
static const char *const profile_keys[] = {"files", "profile", "comment", NULL};
static const char *const ignore_keys[] = {"files", "rules", "paths", "comment", NULL};

static void read_rule_files(loader *L, const kl_node *v)
{
    str_list names;
    if (!read_strings(L, v, false, true, "`rules`", "[\"policy/no-4k.json\"]", NULL, &names))
        return;
    kl_config *cfg = L->cfg;
    cfg->rule_files.v = alloc_items(L, names.n, sizeof(cfg_str));
    if (cfg->rule_files.v == NULL)
        return;
    for (size_t i = 0; i < names.n; i++) {
        char *full = kl_fspath_join(cfg->anchor.dir, names.v[i].s);
        if (full == NULL) {
            L->J.nomem = true;
            return;
        }
        struct stat st;
        if (stat(full, &st) != 0) {
            const char *why = errno == ENOENT ? "no such file or directory" : "not accessible";
            if (strcmp(full, names.v[i].s) == 0)
                kl_jcheck_report(&L->J, KL_SEV_ERROR, names.v[i].span, names.v[i].path,
                                 "cannot read rule file `%s`: %s", full, why);
            else
                kl_jcheck_report(&L->J, KL_SEV_ERROR, names.v[i].span, names.v[i].path,
                                 "cannot read rule file `%s` (`%s` from the current directory): "
                                 "%s",
                                 names.v[i].s, full, why);
        } else {
            cfg_str *r = &cfg->rule_files.v[cfg->rule_files.n++];
            *r = names.v[i];
            r->s = kl_arena_strndup(&cfg->arena, full, strlen(full));
            if (r->s == NULL)
                L->J.nomem = true;
        }
        free(full);
    }
}

static void read_profiles(loader *L, const kl_node *v)
{
    static const char shape[] = "{\"files\": GLOB, \"profile\": ID}";
    kl_config *cfg = L->cfg;
    cfg->profiles = alloc_entries(L, v, "`profiles`", shape, sizeof(profile_map));
    if (cfg->profiles == NULL)
        return;
    for (uint32_t i = 0; i < v->len; i++) {
        const kl_node *e = &v->u.children[i];
        bool ok;
        if (!entry_object(L, e, "a `profiles` entry", shape, profile_keys, &ok))
            continue;
        const kl_node *files = kl_node_getz(e, "files");
        const kl_node *prof = kl_node_getz(e, "profile");
        if (files == NULL || prof == NULL) {
            kl_jcheck_error(&L->J, e, false, "a `profiles` entry needs %s",
                            files == NULL && prof == NULL ? "`files` and `profile`"
                            : files == NULL               ? "`files` (a glob or a list of globs)"
                                                          : "`profile` (a profile id)");
            continue;
        }
        profile_map m = {{NULL, 0}, {NULL, {0, 0}, NULL}};
        ok &= read_strings(L, files, true, false, "`files`", "\"templates/**\"", check_glob,
                           &m.files);
        ok &= plain_string(L, prof, "`profile`") && set_str(L, &m.profile, prof, false);
        if (ok)
            cfg->profiles[cfg->n_profiles++] = m;
    }
}

static void read_severity(loader *L, const kl_node *v)
{
    if (v->kind != KL_JSON_OBJECT) {
        kl_jcheck_error(&L->J, v, false,
                        "`severity` maps rule ids to severities: {\"unknown-field\": \"error\"}, "
                        "not %s",
                        kl_node_phrase(v));
        return;
    }
    static const char *const names[] = {"error", "warning", "info"};
    static const kl_severity sevs[] = {KL_SEV_ERROR, KL_SEV_WARNING, KL_SEV_INFO};
    kl_config *cfg = L->cfg;
    cfg->sev = alloc_items(L, v->len, sizeof(sev_override));
    if (cfg->sev == NULL)
        return;
    for (uint32_t i = 0; i < v->len; i++) {
        const kl_node *m = &v->u.children[i];
        if (m->key_len == 0 || memchr(m->key, '\0', m->key_len) != NULL) {
            kl_jcheck_error(&L->J, m, true, "a rule id is a non-empty name");
            continue;
        }
        char key[128];
        size_t kn = m->key_len < sizeof(key) - 1 ? m->key_len : sizeof(key) - 1;
        memcpy(key, m->key, kn);
        key[kn] = '\0';
        if (word_in(protected_rules, key)) {
            kl_jcheck_error(&L->J, m, true,
                            "`%s` cannot be given another severity: it means an input could not "
                            "be read",
                            key);
            continue;
        }
        int found = -1;
        for (int k = 0; k < 3 && m->kind == KL_JSON_STRING; k++)
            if (kl_node_is_string(m, names[k]))
                found = k;
        if (found < 0) {
            const char *near =
                m->kind == KL_JSON_STRING ? kl_jcheck_nearest(m->u.str, m->len, names, 3) : NULL;
            if (kl_node_is_string(m, "off") || kl_node_is_string(m, "ignore"))
                kl_jcheck_error(&L->J, m, false,
                                "a severity is \"error\", \"warning\" or \"info\"; to turn `%s` "
                                "off, list it in `ignore`",
                                key);
            else if (near != NULL)
                kl_jcheck_error(&L->J, m, false,
                                "a severity is \"error\", \"warning\" or \"info\"; did you mean "
                                "\"%s\"?",
                                near);
            else
                kl_jcheck_error(&L->J, m, false,
                                "a severity is \"error\", \"warning\" or \"info\"");
            continue;
        }
        sev_override *o = &cfg->sev[cfg->n_sev];
        if (set_str(L, &o->rule, m, true)) {
            o->sev = sevs[found];
            cfg->n_sev++;
        }
    }
}

static void read_ignores(loader *L, const kl_node *v)
{
    kl_config *cfg = L->cfg;
    cfg->ignores = alloc_entries(L, v, "`ignores`", "{\"files\", \"rules\", \"paths\"} entries",
                                 sizeof(ignore_entry));
    if (cfg->ignores == NULL)
        return;
    for (uint32_t i = 0; i < v->len; i++) {
        const kl_node *e = &v->u.children[i];
        bool ok;
        if (!entry_object(L, e, "an `ignores` entry",
                          "an object with `files`, `rules` and/or `paths`", ignore_keys, &ok))
            continue;
        const kl_node *files = kl_node_getz(e, "files");
        const kl_node *rules = kl_node_getz(e, "rules");
        const kl_node *paths = kl_node_getz(e, "paths");
        if (files == NULL && rules == NULL && paths == NULL) {
            kl_jcheck_error(&L->J, e, false,
                            "an `ignores` entry names at least one of `files`, `rules` and "
                            "`paths` (an empty entry would drop every finding)");
            continue;
        }
        ignore_entry x;
        memset(&x, 0, sizeof(x));
        if (files)
            ok &= read_strings(L, files, true, false, "`files`", "\"legacy/**\"", check_glob,
                               &x.files);
        if (rules)
            ok &= read_strings(L, rules, true, false, "`rules`", "[\"unknown-field\"]",
                               check_entry_rule, &x.rules);
        if (paths)
            ok &= read_strings(L, paths, true, false, "`paths`", "[\"$.input.prompt\"]",
                               check_jsonpath, &x.paths);
        x.span = e->span;
        x.path = dup_path(L, e);
        if (ok && x.path != NULL)
            cfg->ignores[cfg->n_ignores++] = x;
    }
}

static void read_config(loader *L, const kl_node *root)
{
    kl_config *cfg = L->cfg;
    if (root->kind != KL_JSON_OBJECT) {
        kl_jcheck_error(&L->J, root, false,
                        "a configuration is a JSON object such as {\"ignore\": [\"media-type\"]}, "
                        "not %s",
                        kl_node_phrase(root));
        return;
    }
    kl_jcheck_keys(&L->J, root, "the configuration", top_keys);
    for (uint32_t i = 0; i < root->len; i++) {
        const kl_node *m = &root->u.children[i];
#define KEY(s) (m->key_len == sizeof(s) - 1 && memcmp(m->key, s, sizeof(s) - 1) == 0)
        if (KEY("rules")) {
            read_rule_files(L, m);
        } else if (KEY("profiles")) {
            read_profiles(L, m);
        } else if (KEY("select")) {
            cfg->has_select = read_strings(L, m, false, false, "`select`",
                                           "[\"unknown-field\", \"enum\"]", NULL, &cfg->select);
        } else if (KEY("ignore")) {
            read_strings(L, m, false, true, "`ignore`", "[\"media-type\"]", check_droppable,
                         &cfg->ignore);
        } else if (KEY("severity")) {
            read_severity(L, m);
        } else if (KEY("ignores")) {
            read_ignores(L, m);
        } else if (KEY("comment")) {
            str_list ignored;
            if (m->kind != KL_JSON_STRING)
                read_strings(L, m, true, true, "`comment`", "\"why this file exists\"", NULL,
                             &ignored);
        }
#undef KEY
    }
}

int kl_config_load(kl_config **out, const char *path, kl_source **src_out, kl_diags *problems)
{
    *out = NULL;
    *src_out = NULL;
    kl_config *cfg = calloc(1, sizeof(*cfg));
    if (cfg == NULL)
        return KL_ENOMEM;
    kl_doc *doc = NULL;
    loader L = {{NULL, problems, KL_RULE_CONFIG_INVALID, false, false}, cfg};
    int rc = kl_source_read_file(src_out, path, NULL);
    if (rc != KL_OK)
        goto done;
    L.J.src = *src_out;
    if (kl_anchor_init(&cfg->anchor, path) != 0) {
        rc = KL_ENOMEM;
        goto done;
    }
    rc = kl_jcheck_parse(&L.J, &doc);
    if (rc != KL_OK)
        goto done;
    if (kl_doc_root(doc) != NULL)
        read_config(&L, kl_doc_root(doc));
    if (L.J.nomem)
        rc = KL_ENOMEM;
    else if (L.J.errors)
        rc = KL_EUSAGE;
done:
    kl_doc_free(doc);
    if (rc == KL_OK) {
        *out = cfg;
    } else {
        int err = errno;
        kl_config_free(cfg);
        errno = err;
    }
    return rc;
}

void kl_config_free(kl_config *cfg)
{
    if (cfg == NULL)
        return;
    kl_anchor_dispose(&cfg->anchor);
    kl_arena_dispose(&cfg->arena);
    free(cfg);
}

/* ---- Discovery and paths --------------------------------------------------- */

static bool is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *kl_config_discover(const char *file)
{
    char *cwd_raw = NULL, *cwd = NULL, *dir = NULL, *abs = NULL, *cand = NULL, *found = NULL;
    bool relative = file[0] != '/';
    if (relative) {
        cwd_raw = kl_fspath_cwd();
        cwd = cwd_raw ? kl_fspath_absolute(cwd_raw, "/") : NULL;
        if (cwd == NULL)
            goto done;
    }
    dir = kl_fspath_dirname(file);
    abs = dir ? kl_fspath_absolute(dir, relative ? cwd : "/") : NULL;
    if (abs == NULL)
        goto done;
    for (;;) {
        cand = kl_fspath_join(abs, KL_CONFIG_NAME);
        if (cand == NULL)
            goto done;
        if (is_regular(cand))
            break;
        free(cand);
        cand = NULL;
        if (strcmp(abs, "/") == 0)
            goto done;
        char *slash = strrchr(abs, '/');
        if (slash == abs)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    if (!relative) {
        found = cand;
        cand = NULL;
    } else {
        char *rel = kl_fspath_relative(cwd, abs);
        found = rel ? kl_fspath_join(rel, KL_CONFIG_NAME) : NULL;
        free(rel);
    }
done:
    free(cwd_raw);
    free(cwd);
    free(dir);
    free(abs);
    free(cand);
    return found;
}

const char *kl_config_dir(const kl_config *cfg)
{
    return cfg->anchor.dir;
}

size_t kl_config_rule_file_count(const kl_config *cfg)
{
    return cfg ? cfg->rule_files.n : 0;
}

const char *kl_config_rule_file(const kl_config *cfg, size_t i)
{
    return cfg && i < cfg->rule_files.n ? cfg->rule_files.v[i].s : NULL;
}

char *kl_config_relative(const kl_config *cfg, const char *file)
{
    return cfg ? kl_anchor_relative(&cfg->anchor, file, false) : NULL;
}

const char *kl_config_profile_for(const kl_config *cfg, const char *rel_file)
{
    if (cfg == NULL || rel_file == NULL)
        return NULL;
    for (size_t i = 0; i < cfg->n_profiles; i++)
        for (size_t k = 0; k < cfg->profiles[i].files.n; k++)
            if (kl_glob_match(cfg->profiles[i].files.v[k].s, rel_file))
                return cfg->profiles[i].profile.s;
    return NULL;
}

/* ---- Checking against a ruleset ------------------------------------------- */

static bool rule_known(const kl_ruleset *rs, const char *id)
{
    return word_in(own_rules, id) || (rs != NULL && kl_ruleset_rule_id_find(rs, id) != NULL);
}

static int unknown_rule(const kl_ruleset *rs, const cfg_str *s, kl_diags *problems)
{
    size_t n = rs ? kl_ruleset_rule_id_count(rs) : 0;
    size_t n_own = sizeof(own_rules) / sizeof(own_rules[0]) - 1;
    const char **ids = malloc((n + n_own) * sizeof(*ids));
    if (ids == NULL)
        return KL_ENOMEM;
    for (size_t i = 0; i < n; i++)
        ids[i] = kl_ruleset_rule_id_at(rs, i)->id;
    for (size_t i = 0; i < n_own; i++)
        ids[n + i] = own_rules[i];
    const char *near = kl_jcheck_nearest(s->s, strlen(s->s), ids, n + n_own);
    int rc;
    if (near != NULL)
        rc = kl_diags_addf(problems, KL_RULE_CONFIG_INVALID, KL_SEV_ERROR, s->span, s->path,
                           "unknown rule `%s`; did you mean `%s`? (`klint rules` lists the rules)",
                           s->s, near);
    else
        rc = kl_diags_addf(problems, KL_RULE_CONFIG_INVALID, KL_SEV_ERROR, s->span, s->path,
                           "unknown rule `%s` (`klint rules` lists the rules)", s->s);
    free(ids);
    return rc;
}

/* The profile a mistyped id most likely meant: the same model under its provider, or a few
 * edits away. */
static const char *nearest_profile(const kl_ruleset *rs, const char *id)
{
    size_t len = strlen(id);
    size_t cap = len / 4 < 2 ? 2 : len / 4;
    const char *best = NULL;
    size_t best_d = cap + 1;
    for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++) {
        const char *pid = kl_profile_id(kl_ruleset_profile_at(rs, i));
        const char *colon = strchr(pid, ':');
        if (colon != NULL && strcmp(colon + 1, id) == 0)
            return pid;
        size_t d = kl_edit_distance(id, len, pid, strlen(pid), cap);
        if (d < best_d) {
            best_d = d;
            best = pid;
        }
    }
    return best;
}

int kl_config_check(const kl_config *cfg, const kl_ruleset *rs, kl_diags *problems)
{
    if (cfg == NULL)
        return KL_OK;
    int rc = KL_OK;
    bool bad = false;
    const str_list *lists[] = {&cfg->select, &cfg->ignore};
    for (size_t l = 0; rc == KL_OK && l < 2; l++)
        for (size_t i = 0; rc == KL_OK && i < lists[l]->n; i++)
            if (!rule_known(rs, lists[l]->v[i].s)) {
                rc = unknown_rule(rs, &lists[l]->v[i], problems);
                bad = true;
            }
    for (size_t i = 0; rc == KL_OK && i < cfg->n_sev; i++)
        if (!rule_known(rs, cfg->sev[i].rule.s)) {
            rc = unknown_rule(rs, &cfg->sev[i].rule, problems);
            bad = true;
        }
    for (size_t e = 0; rc == KL_OK && e < cfg->n_ignores; e++)
        for (size_t i = 0; rc == KL_OK && i < cfg->ignores[e].rules.n; i++)
            if (!rule_known(rs, cfg->ignores[e].rules.v[i].s)) {
                rc = unknown_rule(rs, &cfg->ignores[e].rules.v[i], problems);
                bad = true;
            }
    for (size_t i = 0; rc == KL_OK && i < cfg->n_profiles; i++) {
        const cfg_str *p = &cfg->profiles[i].profile;
        if (kl_ruleset_find_profile(rs, p->s) != NULL)
            continue;
        bad = true;
        const char *near = rs ? nearest_profile(rs, p->s) : NULL;
        if (near != NULL)
            rc = kl_diags_addf(problems, KL_RULE_CONFIG_INVALID, KL_SEV_ERROR, p->span, p->path,
                               "unknown profile `%s`; did you mean `%s`? (`klint rules` lists "
                               "the profiles)",
                               p->s, near);
        else
            rc = kl_diags_addf(problems, KL_RULE_CONFIG_INVALID, KL_SEV_ERROR, p->span, p->path,
                               "unknown profile `%s` (`klint rules` lists the profiles)", p->s);
    }
    if (rc != KL_OK)
        return rc;
    return bad ? KL_EUSAGE : KL_OK;
}

/* ---- Judging findings ------------------------------------------------------ */

static bool any_glob(const str_list *globs, const char *rel_file)
{
    for (size_t i = 0; i < globs->n; i++)
        if (kl_glob_match(globs->v[i].s, rel_file))
            return true;
    return false;
}

static bool entry_applies(const ignore_entry *e, const char *rel_file, const char *rule,
                          const char *json_path)
{
    if (e->files.n > 0 && (rel_file == NULL || !any_glob(&e->files, rel_file)))
        return false;
    if (e->rules.n > 0 && !list_has(&e->rules, rule))
        return false;
    if (e->paths.n > 0) {
        bool hit = false;
        for (size_t i = 0; i < e->paths.n && !hit && json_path != NULL; i++)
            hit = kl_jsonpath_match(e->paths.v[i].s, json_path);
        if (!hit)
            return false;
    }
    return true;
}

static kl_severity override(const kl_config *cfg, const char *rule, kl_severity sev)
{
    for (size_t i = 0; i < cfg->n_sev; i++)
        if (strcmp(cfg->sev[i].rule.s, rule) == 0)
            sev = cfg->sev[i].sev; /* the last one written wins */
    return sev;
}

kl_config_verdict kl_config_judge(const kl_config *cfg, const char *rel_file, const char *rule,
                                  const char *json_path, kl_severity sev)
{
    kl_config_verdict v = {true, sev, -1};
    if (cfg == NULL || rule == NULL || word_in(protected_rules, rule))
        return v;
    if (list_has(&cfg->ignore, rule) ||
        (cfg->has_select && !word_in(own_rules, rule) && !list_has(&cfg->select, rule))) {
        v.keep = false;
        return v;
    }
    for (size_t i = 0; i < cfg->n_ignores; i++) {
        if (entry_applies(&cfg->ignores[i], rel_file, rule, json_path)) {
            v.keep = false;
            v.ignore_entry = (int)i;
            return v;
        }
    }
    v.severity = override(cfg, rule, sev);
    return v;
}

void kl_config_note_use(kl_config *cfg, int entry)
{
    if (cfg != NULL && entry >= 0 && (size_t)entry < cfg->n_ignores)
        cfg->ignores[entry].uses++;
}

void kl_config_note_file(kl_config *cfg, const char *rel_file)
{
    if (cfg == NULL)
        return;
    cfg->files_linted++;
    for (size_t i = 0; rel_file != NULL && i < cfg->n_ignores; i++)
        if (cfg->ignores[i].files.n > 0 && any_glob(&cfg->ignores[i].files, rel_file))
            cfg->ignores[i].in_scope++;
}

int kl_config_report_unused(const kl_config *cfg, kl_diags *out)
{
    if (cfg == NULL || list_has(&cfg->ignore, KL_RULE_CONFIG_UNUSED_IGNORE))
        return KL_OK;
    kl_severity sev = override(cfg, KL_RULE_CONFIG_UNUSED_IGNORE, KL_SEV_WARNING);
    for (size_t i = 0; i < cfg->n_ignores; i++) {
        const ignore_entry *e = &cfg->ignores[i];
        size_t scope = e->files.n > 0 ? e->in_scope : cfg->files_linted;
        if (scope == 0 || e->uses > 0)
            continue;
        int rc = kl_diags_addf(out, KL_RULE_CONFIG_UNUSED_IGNORE, sev, e->span, e->path,
                               "this ignore entry dropped no finding in the %zu linted file%s it "
                               "covers: remove it, or correct its `rules` or `paths`",
                               scope, scope == 1 ? "" : "s");
        if (rc != KL_OK)
            return rc;
    }
    return KL_OK;
}
