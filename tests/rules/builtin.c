/*
 * The built-in rule files as klint carries them (rules_builtin.h), against
 * the files themselves:
 *
 *  - the tree embedded at build time (kl_builtin_tree) is, node for node,
 *    the one klint's loader makes of the file's bytes now: same kinds,
 *    flags, lengths, spans, keys and texts, the same shape, texts pointing
 *    into the bytes exactly where the loader's do; kl_builtin_cstr gives
 *    every string's text NUL-terminated;
 *  - the built-in files compile without a single diagnostic when nothing
 *    is trusted (kl_ruleset_set_strict): at run time they are compiled
 *    without the checks that can only find mistakes, so this is where a
 *    mistake in one is caught;
 *  - the trusted compilation lints every fixture exactly as the strict one
 *    does (every finding's rule, severity, span, path and message);
 *  - its profiles are lazy: after kl_ruleset_finish only their heads are
 *    compiled, and each is made whole once, on whichever thread asks first,
 *    equal to the strict compilation's (threads ask at once here: run it
 *    under ThreadSanitizer too).
 */
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "klint.h"
#include "rules.h"
#include "rules_builtin.h"

static int problems;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    problems++;
}

/* ---- The embedded trees ------------------------------------------------- */

/* Where text `s` lies: its offset in the file's bytes, or -1 when elsewhere. */
static long offset_in(const kl_source *src, const char *s, size_t len)
{
    if (s == NULL)
        return -2;
    uintptr_t at = (uintptr_t)s, first = (uintptr_t)src->data;
    if (at < first || at + len > first + src->len)
        return -1;
    return (long)(at - first);
}

static bool same_text(const kl_source *sa, const char *a, const kl_source *sb, const char *b,
                      size_t len)
{
    if ((a == NULL) != (b == NULL))
        return false;
    if (a == NULL)
        return true;
    return offset_in(sa, a, len) == offset_in(sb, b, len) && memcmp(a, b, len) == 0;
}

/* Node `a` of the embedded tree (over `sa`) against node `b` of the loader's (over `sb`). */
static void compare_nodes(const char *name, const kl_builtin_rule *br, const kl_node *tree,
                          const kl_source *sa, const kl_node *a, const kl_source *sb,
                          const kl_node *b, const kl_node *pa, const kl_node *pb)
{
    unsigned long at = b->span.start;
    if (a->kind != b->kind || a->flags != b->flags || a->len != b->len ||
        a->span.start != b->span.start || a->span.end != b->span.end ||
        a->key_span.start != b->key_span.start || a->key_span.end != b->key_span.end ||
        a->key_len != b->key_len) {
        fail("%s: the embedded node at offset %lu differs from the loader's", name, at);
        return;
    }
    if (!same_text(sa, a->key, sb, b->key, a->key_len))
        fail("%s: the key of the node at offset %lu differs", name, at);
    if (a->parent != pa || b->parent != pb)
        fail("%s: the parent of the node at offset %lu differs", name, at);
    if (a->kind == KL_JSON_STRING || a->kind == KL_JSON_NUMBER) {
        if (!same_text(sa, a->u.str, sb, b->u.str, a->len))
            fail("%s: the text of the node at offset %lu differs", name, at);
    }
    if (a->kind == KL_JSON_STRING) {
        const char *c = kl_builtin_cstr(br, tree, a);
        if (c == NULL || memcmp(c, b->u.str, b->len) != 0 || c[b->len] != '\0')
            fail("%s: kl_builtin_cstr of the node at offset %lu is wrong", name, at);
    } else if (kl_builtin_cstr(br, tree, a) != NULL) {
        fail("%s: kl_builtin_cstr of the non-string at offset %lu is not NULL", name, at);
    }
    if (a->kind != KL_JSON_ARRAY && a->kind != KL_JSON_OBJECT)
        return;
    if ((a->u.children == NULL) != (b->u.children == NULL)) {
        fail("%s: the children of the node at offset %lu differ", name, at);
        return;
    }
    for (uint32_t i = 0; i < a->len; i++)
        compare_nodes(name, br, tree, sa, &a->u.children[i], sb, &b->u.children[i], a, b);
}

static void check_trees(void)
{
    for (size_t i = 0; i < kl_builtin_rules_count; i++) {
        const kl_builtin_rule *br = &kl_builtin_rules[i];
        kl_source *src = NULL;
        kl_doc *doc = NULL;
        kl_diags *diags = NULL;
        kl_node *tree = kl_builtin_tree(br);
        if (tree == NULL || kl_diags_new(&diags) != KL_OK ||
            kl_source_from_memory(&src, br->name, (const char *)br->data, br->len) != KL_OK ||
            kl_json_load(&doc, src, NULL, diags) != KL_OK || kl_doc_root(doc) == NULL) {
            fail("%s: cannot load", br->name);
        } else {
            if (kl_diags_count(diags) != 0)
                fail("%s: the loader finds %zu problems in it", br->name, kl_diags_count(diags));
            /* The embedded tree's texts lie in the embedded bytes; the loader's in its copy. */
            kl_source view;
            kl_source_init_line(&view, br->name, (const char *)br->data, (uint32_t)br->len, 1);
            compare_nodes(br->name, br, tree, &view, tree, src, kl_doc_root(doc), NULL, NULL);
            if (tree->parent != NULL)
                fail("%s: the embedded root has a parent", br->name);
        }
        kl_doc_free(doc);
        kl_source_free(src);
        kl_diags_free(diags);
        free(tree);
    }
}

/* ---- Strict and trusted compilation ------------------------------------- */

static void report(void *ctx, const kl_source *src, const kl_diags *diags)
{
    (void)ctx;
    for (size_t i = 0; i < kl_diags_count(diags); i++) {
        const kl_diag *d = kl_diags_at(diags, i);
        kl_pos pos = kl_source_pos(src, d->span.start);
        printf("FAIL %s:%u: %s (at %s)\n", src->name, (unsigned)pos.line, d->message,
               d->path ? d->path : "?");
        problems++;
    }
}

static kl_ruleset *compile(bool strict)
{
    kl_ruleset *rs = NULL;
    if (kl_ruleset_new(&rs) != KL_OK || kl_ruleset_add_builtin(rs) != KL_OK) {
        fail("cannot make a ruleset");
        kl_ruleset_free(rs);
        return NULL;
    }
    if (strict)
        kl_ruleset_set_strict(rs);
    int rc = kl_ruleset_finish(rs, report, NULL);
    if (rc != KL_OK) {
        fail("the built-in rules do not compile (%s): %s", strict ? "strict" : "trusted",
             kl_error_str(rc));
        kl_ruleset_free(rs);
        return NULL;
    }
    return rs;
}

static bool same_diag(const kl_diag *a, const kl_diag *b)
{
    return strcmp(a->rule, b->rule) == 0 && a->severity == b->severity &&
           a->span.start == b->span.start && a->span.end == b->span.end &&
           strcmp(a->path ? a->path : "", b->path ? b->path : "") == 0 &&
           strcmp(a->message, b->message) == 0;
}

typedef struct pair {
    kl_linter *strict, *trusted;
    kl_diags *ds, *dt;
    size_t files, findings;
} pair;

static void lint_both(pair *p, const char *path)
{
    kl_source *src;
    if (kl_source_read_file(&src, path, NULL) != KL_OK) {
        fail("cannot read %s", path);
        return;
    }
    kl_diags_clear(p->ds);
    kl_diags_clear(p->dt);
    int rs = kl_linter_lint(p->strict, src, p->ds);
    int rt = kl_linter_lint(p->trusted, src, p->dt);
    if (rs != KL_OK || rt != KL_OK) {
        fail("%s: cannot lint", path);
    } else if (kl_diags_count(p->ds) != kl_diags_count(p->dt)) {
        fail("%s: %zu findings with the strict rules, %zu with the trusted ones", path,
             kl_diags_count(p->ds), kl_diags_count(p->dt));
    } else {
        for (size_t i = 0; i < kl_diags_count(p->ds); i++)
            if (!same_diag(kl_diags_at(p->ds, i), kl_diags_at(p->dt, i)))
                fail("%s: finding %zu differs between the strict and the trusted rules", path, i);
    }
    p->files++;
    p->findings += kl_diags_count(p->ds);
    kl_source_free(src);
}

/* Every *.json fixture below `dir` (JSON Lines files are records of the same payloads). */
static void lint_tree(pair *p, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        size_t len = strlen(e->d_name);
        if (S_ISDIR(st.st_mode))
            lint_tree(p, path);
        else if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            lint_both(p, path);
    }
    closedir(d);
}

static void check_compilations(void)
{
    kl_ruleset *strict = compile(true);
    kl_ruleset *trusted = compile(false);
    pair p = {0};
    if (strict != NULL && trusted != NULL) {
        if (kl_ruleset_profile_count(strict) != kl_ruleset_profile_count(trusted) ||
            kl_ruleset_profile_count(strict) == 0)
            fail("the strict and trusted rules have different profiles");
        kl_lint_options os = {0}, ot = {0};
        os.rules = strict;
        ot.rules = trusted;
        if (kl_linter_new(&p.strict, &os) != KL_OK || kl_linter_new(&p.trusted, &ot) != KL_OK ||
            kl_diags_new(&p.ds) != KL_OK || kl_diags_new(&p.dt) != KL_OK) {
            fail("cannot make linters");
        } else {
            lint_tree(&p, KL_SOURCE_ROOT "/fixtures");
            if (p.files < 50 || p.findings < 50)
                fail("too few fixtures linted: %zu files, %zu findings", p.files, p.findings);
        }
    }
    printf("%zu fixtures, %zu findings, the same with strict and trusted rules\n", p.files,
           p.findings);
    kl_linter_free(p.strict);
    kl_linter_free(p.trusted);
    kl_diags_free(p.ds);
    kl_diags_free(p.dt);
    kl_ruleset_free(strict);
    kl_ruleset_free(trusted);
}

/* ---- Lazy profiles ------------------------------------------------------- */

enum { N_THREADS = 4 };

typedef struct asker {
    const kl_ruleset *rs;
    size_t first;  /* the profile it completes first; then the others, in order */
    size_t reads;  /* head fields and detection conditions read meanwhile */
    bool failed;
} asker;

/* Read what detection reads of every profile's head, completing them one by one. */
static void *ask(void *arg)
{
    asker *a = arg;
    size_t n = kl_ruleset_profile_count(a->rs);
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < n; i++) {
            const kl_profile *h = kl_ruleset_profile_head(a->rs, i);
            a->reads += h->n_fields;
            if (h->identify >= 0)
                a->reads += h->conds[h->identify].kind;
            if (h->shape >= 0)
                a->reads += h->conds[h->shape].kind;
        }
        const kl_profile *whole = kl_ruleset_profile_at(a->rs, (a->first + k) % n);
        if (whole == NULL || whole != kl_ruleset_profile_head(a->rs, (a->first + k) % n) ||
            whole->n_rows == 0) {
            a->failed = true;
            continue;
        }
        /* What the engine reads of a whole profile. */
        for (uint32_t r = 0; r < whole->n_rows; r++)
            a->reads += whole->rows[r].at + (size_t)(whole->rows[r].when + 1);
    }
    return NULL;
}

static bool same_row(const kl_row *a, const kl_row *b)
{
    return strcmp(a->id, b->id) == 0 && a->check == b->check && a->at == b->at &&
           a->when == b->when && a->severity == b->severity && a->gate == b->gate &&
           a->reach == b->reach && a->implied == b->implied &&
           a->needs_target == b->needs_target && a->message.n_segs == b->message.n_segs &&
           a->message_given == b->message_given && a->fix.kind == b->fix.kind &&
           a->p.n_paths == b->p.n_paths && a->p.where == b->p.where &&
           a->p.min.kind == b->p.min.kind && a->p.max.kind == b->p.max.kind &&
           a->p.min.lit_is_num == b->p.min.lit_is_num && a->p.min.lit_num == b->p.min.lit_num &&
           a->p.max.lit_is_num == b->p.max.lit_is_num && a->p.max.lit_num == b->p.max.lit_num;
}

/* Profile `a` (made whole lazily) against `b` (compiled strictly, all at once). */
static void compare_profiles(const kl_profile *a, const kl_profile *b)
{
    if (strcmp(a->id, b->id) != 0 || a->n_fields != b->n_fields || a->n_rows != b->n_rows ||
        a->n_conds != b->n_conds || a->n_aliases != b->n_aliases || a->n_na != b->n_na ||
        a->identify != b->identify || a->shape != b->shape) {
        fail("%s: the lazy profile's tables differ from the strict one's (%u rows, not %u)",
             a->id, a->n_rows, b->n_rows);
        return;
    }
    for (uint32_t i = 0; i < a->n_rows; i++)
        if (!same_row(&a->rows[i], &b->rows[i]))
            fail("%s: row %u (%s) differs", a->id, i, b->rows[i].id);
    for (uint32_t i = 0; i < a->n_conds; i++)
        if (a->conds[i].kind != b->conds[i].kind || a->conds[i].n_kids != b->conds[i].n_kids ||
            a->conds[i].a.lit_num != b->conds[i].a.lit_num)
            fail("%s: condition %u differs", a->id, i);
    for (uint16_t f = 0; f < a->n_fields; f++)
        if (a->fields[f].near_types != b->fields[f].near_types ||
            a->fields[f].n_cases != b->fields[f].n_cases)
            fail("%s: field %s differs", a->id, b->fields[f].path);
}

static void check_lazy(void)
{
    kl_ruleset *strict = compile(true);
    kl_ruleset *lazy = compile(false);
    if (strict == NULL || lazy == NULL)
        goto done;
    size_t n = kl_ruleset_profile_count(lazy);
    if (n != kl_ruleset_profile_count(strict) || n == 0) {
        fail("the lazy and strict rules have different profiles");
        goto done;
    }
    /* Only heads so far: detection's conditions, no rows. */
    for (size_t i = 0; i < n; i++) {
        const kl_profile *h = kl_ruleset_profile_head(lazy, i);
        if (h->n_rows != 0 || h->n_aliases != 0 || h->rows != NULL)
            fail("%s: its rows were compiled before anything asked for them", h->id);
        if (h->identify < 0 && h->shape < 0)
            fail("%s: its head has no detection condition", h->id);
    }
    pthread_t threads[N_THREADS];
    asker askers[N_THREADS];
    size_t started = 0;
    for (size_t t = 0; t < N_THREADS; t++) {
        askers[t] = (asker){lazy, t % n, 0, false};
        if (pthread_create(&threads[t], NULL, ask, &askers[t]) == 0)
            started++;
        else
            break;
    }
    for (size_t t = 0; t < started; t++) {
        pthread_join(threads[t], NULL);
        if (askers[t].failed)
            fail("thread %zu: a profile could not be made whole", t);
    }
    if (started < 2)
        fail("only %zu threads started", started);
    for (size_t i = 0; i < n; i++)
        compare_profiles(kl_ruleset_profile_at(lazy, i), kl_ruleset_profile_at(strict, i));
    printf("%zu lazy profiles made whole by %zu threads at once, equal to the strict ones\n", n,
           started);
done:
    kl_ruleset_free(strict);
    kl_ruleset_free(lazy);
}

int main(void)
{
    check_trees();
    check_compilations();
    check_lazy();
    printf("%zu built-in rule files; %d problems\n", kl_builtin_rules_count, problems);
    return problems ? 1 : 0;
}
