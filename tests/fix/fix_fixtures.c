/*
 * Fixes never make a payload invalid: every fixture under fixtures/ (each
 * *.json and *.jsonl, recursively) whose findings carry fixes is fixed in
 * memory with kl_fix_document, linted again, and checked. This is done
 * twice: with the safe fixes only (`klint --fix`), then, for a fixture that
 * has unsafe fixes too, with all of them (`--fix --unsafe-fixes`):
 *
 *  1. it is still well-formed JSON: no document or record that parsed
 *     before has a json-syntax or json-depth finding now, and none has more
 *     json-duplicate-key findings than before;
 *  2. it is at a fixed point: kl_fix_apply would take no fix that is left
 *     (of those the mode applies);
 *  3. no error appeared from a rule that did not fire before the fix
 *     (exceptions in `new_error_allowed`, each with its reason);
 *  4. the number of errors did not grow;
 *  and for JSON Lines, every byte outside the records (blank lines, line
 *  ends, the final newline) is kept.
 *
 * kl_fix_document drops a round of fixes that breaks the JSON, so check 1
 * alone would hide a broken fix template behind a smaller fix. Every round
 * is therefore also replayed here with kl_fix_apply and linted on its own:
 * a template that breaks a payload is named with its rule, its fixture and
 * the text before and after.
 *
 * A fixture whose .expect says `option --profile ID` is linted and fixed
 * as that profile, as the fixture runner does.
 *
 * Usage: fix_fixtures [--diff] [DIR...]   (default: fixtures; --diff prints
 * each fixed file as a unified diff, for review). tests/fix/inputs adds
 * cases the fixtures lack: a CRLF JSON Lines batch with fixable records,
 * and moves that take several rounds.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix_apply.h"
#include "klint.h"

enum { MAX_ROUNDS = 10 };

/*
 * A new error after fixing that is expected, and why. Such an error counts
 * neither for check 3 nor for check 4. None is left: a member whose fix
 * renames or moves it has its value checked as the field it becomes before
 * the fix (givon--kling-3.0/invalid-8.json used to be listed here: renaming
 * `aspect_ratio` handed "4:3" to the `aspectRatio` enum silently).
 */
static const struct {
    const char *fixture; /* path from the repository root */
    const char *rule;
    const char *reason;
} new_error_allowed[] = {
    {NULL, NULL, NULL},
};

/* The two ways --fix runs: safe fixes only, and with --unsafe-fixes. */
enum { SAFE, UNSAFE, N_MODES };
static const char *const mode_name[N_MODES] = {"safe fixes", "all fixes (--unsafe-fixes)"};

typedef struct run {
    kl_linter *linter;
    kl_diags *diags;
    bool show_diff;
    int failures;
    size_t fixtures;
    int mode; /* the one being checked */
    struct {
        size_t with_fixes, fixed, fixes_applied, errors_before, errors_after;
    } n[N_MODES];
} run;

/* kl_fix_filter: the fixes the current mode applies. */
static bool in_mode(void *ctx, const kl_diag *d)
{
    const run *r = ctx;
    return r->mode == UNSAFE || !d->fixes[0].unsafe;
}

/* What linting a whole file (every record of a JSON Lines file) found. */
typedef struct tally {
    kl_diags *found; /* every finding, copied (spans relative to their record) */
    size_t errors;
    size_t with_fix;  /* findings that carry a fix the mode applies */
    size_t unsafe;    /* findings whose fix is unsafe */
    size_t fixable;   /* fixes kl_fix_apply takes (check 2) */
    size_t units;     /* documents or records */
    size_t *broken;   /* per unit: json-syntax + json-depth findings */
    size_t *dup_keys; /* per unit: json-duplicate-key findings */
} tally;

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf != NULL && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (grown == NULL)
                free(buf);
            buf = grown;
        }
    }
    fclose(f);
    if (buf != NULL)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The `option --profile ID` of the fixture's .expect, or NULL (malloc'd). */
static char *profile_of(const char *path)
{
    char expect[4096];
    const char *dot = strrchr(path, '.');
    snprintf(expect, sizeof(expect), "%.*s.expect", (int)(dot - path), path);
    size_t len;
    char *text = read_all(expect, &len);
    if (text == NULL)
        return NULL;
    char *profile = NULL;
    const char *opt = strstr(text, "option --profile ");
    if (opt != NULL) {
        opt += strlen("option --profile ");
        profile = strndup(opt, strcspn(opt, " \t\r\n"));
    }
    free(text);
    return profile;
}

static void fail(run *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(run *r, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL %s: ", path);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    r->failures++;
}

/*
 * The documents of a text: the whole text, or each non-blank line of a
 * JSON Lines file without its line end, with its line number.
 */
typedef void (*unit_fn)(run *r, const kl_source *unit, void *ctx);

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static void for_each_unit(run *r, const char *name, const char *data, size_t len, bool jsonl,
                          unit_fn fn, void *ctx)
{
    if (!jsonl) {
        kl_source src;
        if (kl_source_init_view(&src, name, data, len) != KL_OK)
            abort();
        fn(r, &src, ctx);
        kl_source_dispose(&src);
        return;
    }
    uint32_t line = 1;
    for (size_t pos = 0; pos < len; line++) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len, n = end - pos;
        if (n > 0 && data[end - 1] == '\r')
            n--;
        if (!blank(data + pos, n)) {
            kl_source src;
            kl_source_init_line(&src, name, data + pos, (uint32_t)n, line);
            fn(r, &src, ctx);
        }
        pos = end + 1;
    }
}

typedef struct count_ctx {
    tally *t;
    const char *profile;
} count_ctx;

static bool is_rule(const char *rule, const char *id)
{
    return strcmp(rule, id) == 0;
}

static void count_unit(run *r, const kl_source *unit, void *p)
{
    count_ctx *c = p;
    tally *t = c->t;
    kl_diags_clear(r->diags);
    if (kl_linter_lint_as(r->linter, unit, c->profile, r->diags) != KL_OK)
        abort();
    size_t broken = 0, dups = 0;
    for (size_t i = 0; i < kl_diags_count(r->diags); i++) {
        const kl_diag *d = kl_diags_at(r->diags, i);
        t->errors += d->severity == KL_SEV_ERROR;
        t->with_fix += d->n_fixes > 0 && in_mode(r, d);
        t->unsafe += d->n_fixes > 0 && d->fixes[0].unsafe;
        broken += is_rule(d->rule, KL_RULE_JSON_SYNTAX) || is_rule(d->rule, KL_RULE_JSON_DEPTH);
        dups += is_rule(d->rule, KL_RULE_JSON_DUPLICATE_KEY);
        if (kl_diags_add(t->found, d) != KL_OK)
            abort();
    }
    char *out;
    size_t out_len, n;
    if (kl_fix_apply(unit, r->diags, in_mode, r, &out, &out_len, &n) != KL_OK)
        abort();
    free(out);
    t->fixable += n;
    t->broken = realloc(t->broken, (t->units + 1) * sizeof(*t->broken));
    t->dup_keys = realloc(t->dup_keys, (t->units + 1) * sizeof(*t->dup_keys));
    if (t->broken == NULL || t->dup_keys == NULL)
        abort();
    t->broken[t->units] = broken;
    t->dup_keys[t->units] = dups;
    t->units++;
}

static void count(run *r, const char *name, const char *data, size_t len, bool jsonl,
                  const char *profile, tally *t)
{
    memset(t, 0, sizeof(*t));
    if (kl_diags_new(&t->found) != KL_OK)
        abort();
    count_ctx c = {t, profile};
    for_each_unit(r, name, data, len, jsonl, count_unit, &c);
}

static void tally_dispose(tally *t)
{
    kl_diags_free(t->found);
    free(t->broken);
    free(t->dup_keys);
}

static bool fired(const tally *t, const char *rule)
{
    for (size_t i = 0; i < kl_diags_count(t->found); i++)
        if (is_rule(kl_diags_at(t->found, i)->rule, rule))
            return true;
    return false;
}

/* Replaying the rounds of one unit with kl_fix_apply, each checked on its own. */
typedef struct replay_ctx {
    const char *path;
    const char *profile;
    bool jsonl;
} replay_ctx;

static size_t malformed(const kl_diags *diags)
{
    size_t n = 0;
    for (size_t i = 0; i < kl_diags_count(diags); i++) {
        const char *rule = kl_diags_at(diags, i)->rule;
        n += is_rule(rule, KL_RULE_JSON_SYNTAX) || is_rule(rule, KL_RULE_JSON_DEPTH) ||
             is_rule(rule, KL_RULE_JSON_DUPLICATE_KEY);
    }
    return n;
}

static void replay_unit(run *r, const kl_source *unit, void *p)
{
    const replay_ctx *c = p;
    char *cur = NULL;
    size_t cur_len = unit->len, before = 0;
    kl_diags *offered; /* the fixes of the previous round, to name a culprit */
    if (kl_diags_new(&offered) != KL_OK)
        abort();
    for (int round = 0; round <= MAX_ROUNDS; round++) {
        kl_source src;
        const char *text = cur ? cur : unit->data;
        if (unit->is_record)
            kl_source_init_line(&src, unit->name, text, (uint32_t)cur_len, unit->first_line);
        else if (kl_source_init_view(&src, unit->name, text, cur_len) != KL_OK)
            abort();
        kl_diags_clear(r->diags);
        if (kl_linter_lint_as(r->linter, &src, c->profile, r->diags) != KL_OK)
            abort();
        size_t now = malformed(r->diags);
        if (round == 0)
            before = now;
        if (now > before) {
            printf("FAIL %s (line %u): round %d of fixes makes the payload invalid; "
                   "fixes offered in that round:\n",
                   c->path, (unsigned)unit->first_line, round);
            for (size_t i = 0; i < kl_diags_count(offered); i++) {
                const kl_diag *d = kl_diags_at(offered, i);
                if (d->n_fixes > 0)
                    printf("    %s at %s: %s\n", d->rule, d->path, d->fixes[0].description);
            }
            printf("  now:\n%.*s\n", (int)cur_len, text);
            r->failures++;
        }
        char *next = NULL;
        size_t next_len = 0, n = 0;
        if (now <= before && round < MAX_ROUNDS &&
            kl_fix_apply(&src, r->diags, in_mode, r, &next, &next_len, &n) != KL_OK)
            abort();
        kl_diags_clear(offered);
        for (size_t i = 0; i < kl_diags_count(r->diags); i++) {
            const kl_diag *d = kl_diags_at(r->diags, i);
            if (d->n_fixes == 0 || !in_mode(r, d))
                continue;
            if (kl_diags_add(offered, d) != KL_OK)
                abort();
            for (size_t e = 0; c->jsonl && e < d->fixes[0].n_edits; e++) {
                if (strpbrk(d->fixes[0].edits[e].text, "\r\n") != NULL)
                    printf("note %s (line %u): fix of %s breaks the line; --fix skips it\n",
                           c->path, (unsigned)unit->first_line, d->rule);
            }
        }
        if (!unit->is_record)
            kl_source_dispose(&src);
        if (n == 0) {
            free(next);
            break;
        }
        free(cur);
        cur = next;
        cur_len = next_len;
    }
    free(cur);
    kl_diags_free(offered);
}

/* JSON Lines: the same lines, each blank or not as before, with the same ends. */
static void check_lines_kept(run *r, const char *path, const char *a, size_t a_len, const char *b,
                             size_t b_len)
{
    size_t i = 0, k = 0;
    while (i <= a_len && k <= b_len) {
        const char *na = memchr(a + i, '\n', a_len - i);
        const char *nb = memchr(b + k, '\n', b_len - k);
        size_t ea = na ? (size_t)(na - a) : a_len, eb = nb ? (size_t)(nb - b) : b_len;
        bool cr_a = ea > i && a[ea - 1] == '\r', cr_b = eb > k && b[eb - 1] == '\r';
        bool blank_a = blank(a + i, ea - i), blank_b = blank(b + k, eb - k);
        if ((na == NULL) != (nb == NULL) || cr_a != cr_b || blank_a != blank_b ||
            (blank_a && (ea - i != eb - k || memcmp(a + i, b + k, ea - i) != 0))) {
            fail(r, path, "%s", "the fix changed the lines of the JSON Lines file");
            return;
        }
        if (na == NULL)
            return;
        i = ea + 1;
        k = eb + 1;
    }
}

static bool allowed(const char *path, const char *rule)
{
    for (size_t i = 0; new_error_allowed[i].fixture != NULL; i++)
        if (strcmp(new_error_allowed[i].fixture, path) == 0 &&
            strcmp(new_error_allowed[i].rule, rule) == 0)
            return true;
    return false;
}

/* Fix the fixture `data` in the current mode and check the result; `before` is its tally. */
static void check_mode(run *r, const char *path, const char *data, size_t len, bool jsonl,
                       const char *profile, const tally *before)
{
    const char *how = mode_name[r->mode];
    r->n[r->mode].with_fixes++;
    replay_ctx rc = {path, profile, jsonl};
    for_each_unit(r, path, data, len, jsonl, replay_unit, &rc);

    kl_source src;
    if (kl_source_init_view(&src, path, data, len) != KL_OK)
        abort();
    char *out;
    size_t out_len, n;
    int err = kl_fix_document(r->linter, profile, &src, jsonl, r->mode == UNSAFE, NULL, NULL, &out,
                              &out_len, &n);
    kl_source_dispose(&src);
    if (err != KL_OK) {
        fail(r, path, "%s: kl_fix_document: %s", how, kl_error_str(err));
        return;
    }
    if (out == NULL) {
        fail(r, path, "%s: findings carry fixes, but none was applied", how);
        return;
    }
    r->n[r->mode].fixed++;
    r->n[r->mode].fixes_applied += n;

    tally after;
    count(r, path, out, out_len, jsonl, profile, &after);
    /* 1. still well-formed */
    if (after.units != before->units) {
        fail(r, path, "%s: the number of JSON Lines records changed", how);
    } else {
        for (size_t u = 0; u < after.units; u++) {
            if (after.broken[u] > before->broken[u] || after.dup_keys[u] > before->dup_keys[u])
                fail(r, path, "%s: the fixed payload is not well-formed JSON any more", how);
        }
    }
    /* 2. fixed point */
    if (after.fixable > 0)
        fail(r, path, "%s: a fix that could be applied is left (no fixed point)", how);
    /* 3. no error from a rule that was silent */
    size_t excused = 0;
    for (size_t i = 0; i < kl_diags_count(after.found); i++) {
        const kl_diag *d = kl_diags_at(after.found, i);
        if (d->severity != KL_SEV_ERROR || fired(before, d->rule))
            continue;
        if (allowed(path, d->rule)) {
            printf("note %s: new error %s at %s, listed as expected\n", path, d->rule, d->path);
            excused++;
        } else {
            fail(r, path, "%s: the fix brought a new error: %s at %s: %s", how, d->rule, d->path,
                 d->message);
        }
    }
    /* 4. no more errors */
    if (after.errors - excused > before->errors)
        fail(r, path, "%s: errors grew: %zu -> %zu", how, before->errors, after.errors);
    if (jsonl)
        check_lines_kept(r, path, data, len, out, out_len);

    printf("fixed %s (%s): %zu fix%s, errors %zu -> %zu\n", path, how, n, n == 1 ? "" : "es",
           before->errors, after.errors);
    r->n[r->mode].errors_before += before->errors;
    r->n[r->mode].errors_after += after.errors;
    if (r->show_diff && kl_diff_unified(stdout, path, data, len, out, out_len) != KL_OK)
        fail(r, path, "%s", "kl_diff_unified failed");
    tally_dispose(&after);
    free(out);
}

static void check_fixture(run *r, const char *path)
{
    size_t len;
    char *data = read_all(path, &len);
    if (data == NULL) {
        fail(r, path, "%s", "cannot read");
        return;
    }
    r->fixtures++;
    bool jsonl = ends_with(path, ".jsonl");
    char *profile = profile_of(path);
    for (r->mode = SAFE; r->mode < N_MODES; r->mode++) {
        tally before;
        count(r, path, data, len, jsonl, profile, &before);
        /* With no unsafe fix, the second mode would only repeat the first. */
        if (before.with_fix > 0 && (r->mode == SAFE || before.unsafe > 0))
            check_mode(r, path, data, len, jsonl, profile, &before);
        tally_dispose(&before);
    }
    free(profile);
    free(data);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.json and *.jsonl under `dir`, in name order, hidden entries skipped. */
static void walk(run *r, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fail(r, dir, "%s", "cannot open the directory");
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof(*names));
        if (names == NULL || (names[n] = strdup(e->d_name)) == NULL)
            abort();
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        DIR *sub = opendir(path);
        if (sub != NULL) {
            closedir(sub);
            walk(r, path);
        } else if (ends_with(path, ".json") || ends_with(path, ".jsonl")) {
            check_fixture(r, path);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    run r = {0};
    for (int i = 1; i < argc; i++)
        r.show_diff |= strcmp(argv[i], "--diff") == 0;
    kl_ruleset *rs;
    if (kl_ruleset_builtin(&rs) != KL_OK)
        return 2;
    kl_lint_options opts = {0};
    opts.rules = rs;
    if (kl_linter_new(&r.linter, &opts) != KL_OK || kl_diags_new(&r.diags) != KL_OK)
        return 2;
    int dirs = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--diff") != 0) {
            walk(&r, argv[i]);
            dirs++;
        }
    }
    if (dirs == 0)
        walk(&r, "fixtures");
    for (int m = SAFE; m < N_MODES; m++)
        printf("%s: %zu fixtures, %zu with such fixes, %zu fixed (%zu fixes applied); "
               "errors in the fixed ones %zu -> %zu\n",
               mode_name[m], r.fixtures, r.n[m].with_fixes, r.n[m].fixed, r.n[m].fixes_applied,
               r.n[m].errors_before, r.n[m].errors_after);
    printf("%d failing checks\n", r.failures);
    kl_diags_free(r.diags);
    kl_linter_free(r.linter);
    kl_ruleset_free(rs);
    for (int m = SAFE; m < N_MODES; m++) {
        if (r.n[m].fixed == 0) {
            printf("FAIL no fixture was fixed with %s: the test checked nothing\n", mode_name[m]);
            return 1;
        }
    }
    return r.failures ? 1 : 0;
}
