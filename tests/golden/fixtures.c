/*
 * The fixture runner: for every payload in fixtures/<profile-dir>/ (see
 * rules/README.md, "Fixtures and golden files"):
 *
 *  1. lint it in-process and compare the (rule, path) pairs found with the
 *     hand-written <case>.expect, exactly (as multisets), and check that
 *     every finding names the directory's profile;
 *  2. run the CLI on it (from the repo root, relative path, no colour) and
 *     compare the text and JSON outputs with <case>.txt.golden and
 *     <case>.json.golden, byte for byte.
 *
 * Usage: fixture_runner [--update] fixtures/<profile-dir>...
 * --update rewrites the golden files (for review in `git diff`, never
 * blindly); the expectations are never written by the program.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "klint.h"

enum { MAX_PAIRS = 256, MAX_OPTS = 8 };

typedef struct expectation {
    char *pairs[MAX_PAIRS];
    size_t n_pairs;
    char *opts[MAX_OPTS];
    size_t n_opts;
    const char *profile; /* from an `option --profile ID` line */
} expectation;

static int failures;

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static bool read_expect(const char *path, expectation *ex)
{
    memset(ex, 0, sizeof(*ex));
    char *text = read_all(path, NULL);
    if (text == NULL)
        return false;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line = trim(line);
        if (*line == '\0' || *line == '#')
            continue;
        if (strncmp(line, "option ", 7) == 0) {
            char *opt_save = NULL;
            for (char *w = strtok_r(line + 7, " ", &opt_save); w && ex->n_opts < MAX_OPTS;
                 w = strtok_r(NULL, " ", &opt_save)) {
                ex->opts[ex->n_opts++] = strdup(w);
                if (ex->n_opts >= 2 && strcmp(ex->opts[ex->n_opts - 2], "--profile") == 0)
                    ex->profile = ex->opts[ex->n_opts - 1];
            }
            continue;
        }
        /* "rule path": normalise the spacing. */
        char *sp = strpbrk(line, " \t");
        char buf[1024];
        if (sp == NULL) {
            snprintf(buf, sizeof(buf), "%s (no path)", line);
        } else {
            *sp = '\0';
            snprintf(buf, sizeof(buf), "%s %s", line, trim(sp + 1));
        }
        if (ex->n_pairs < MAX_PAIRS)
            ex->pairs[ex->n_pairs++] = strdup(buf);
    }
    free(text);
    return true;
}

static void free_expect(expectation *ex)
{
    for (size_t i = 0; i < ex->n_pairs; i++)
        free(ex->pairs[i]);
    for (size_t i = 0; i < ex->n_opts; i++)
        free(ex->opts[i]);
}

static bool profile_free_rule(const char *rule)
{
    return strcmp(rule, "profile-unknown") == 0 || strcmp(rule, "profile-ambiguous") == 0 ||
           strncmp(rule, "json-", 5) == 0;
}

/* Lint one document and append "rule path" for each finding. */
static void lint_doc(kl_linter *linter, const kl_source *src, const char *case_name,
                     const char *profile, char **found, size_t *n_found)
{
    kl_diags *diags;
    if (kl_diags_new(&diags) != KL_OK)
        abort();
    int rc = kl_linter_lint(linter, src, diags);
    if (rc != KL_OK) {
        printf("FAIL %s: lint returned %s\n", case_name, kl_error_str(rc));
        failures++;
    }
    for (size_t i = 0; i < kl_diags_count(diags); i++) {
        const kl_diag *d = kl_diags_at(diags, i);
        char buf[1024];
        snprintf(buf, sizeof(buf), "%s %s", d->rule, d->path);
        if (*n_found < MAX_PAIRS)
            found[(*n_found)++] = strdup(buf);
        if (d->profile == NULL ? !profile_free_rule(d->rule) : strcmp(d->profile, profile) != 0) {
            printf("FAIL %s: finding %s has profile %s, not %s\n", case_name, buf,
                   d->profile ? d->profile : "(none)", profile);
            failures++;
        }
    }
    kl_diags_free(diags);
}

static void check_pairs(const char *case_name, const char *payload, const kl_ruleset *rs,
                        const char *profile, expectation *ex)
{
    kl_lint_options opts = {0};
    opts.rules = rs;
    opts.profile = ex->profile;
    kl_linter *linter;
    if (kl_linter_new(&linter, &opts) != KL_OK) {
        printf("FAIL %s: cannot make a linter (bad `option --profile`?)\n", case_name);
        failures++;
        return;
    }
    char *found[MAX_PAIRS];
    size_t n_found = 0;
    size_t len;
    char *data = read_all(payload, &len);
    size_t plen = strlen(payload);
    bool jsonl = plen > 6 && strcmp(payload + plen - 6, ".jsonl") == 0;
    if (data == NULL) {
        printf("FAIL %s: cannot read\n", case_name);
        failures++;
    } else if (!jsonl) {
        kl_source src;
        if (kl_source_init_view(&src, payload, data, len) != KL_OK)
            abort();
        lint_doc(linter, &src, case_name, profile, found, &n_found);
        kl_source_dispose(&src);
    } else {
        uint32_t line = 1;
        for (char *p = data; p < data + len; line++) {
            char *nl = memchr(p, '\n', (size_t)(data + len - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(data + len - p);
            if (n > 0 && trim(p)[0] != '\0') {
                kl_source src;
                kl_source_init_line(&src, payload, p, (uint32_t)n, line);
                lint_doc(linter, &src, case_name, profile, found, &n_found);
            }
            p += n + 1;
        }
    }
    free(data);
    kl_linter_free(linter);

    qsort(found, n_found, sizeof(*found), cmp_str);
    qsort(ex->pairs, ex->n_pairs, sizeof(*ex->pairs), cmp_str);
    size_t i = 0, k = 0;
    bool ok = true;
    while (i < n_found || k < ex->n_pairs) {
        int c = i >= n_found ? 1 : k >= ex->n_pairs ? -1 : strcmp(found[i], ex->pairs[k]);
        if (c == 0) {
            i++;
            k++;
            continue;
        }
        ok = false;
        if (c < 0)
            printf("FAIL %s: unexpected finding  %s\n", case_name, found[i++]);
        else
            printf("FAIL %s: missing finding     %s\n", case_name, ex->pairs[k++]);
    }
    if (!ok)
        failures++;
    for (i = 0; i < n_found; i++)
        free(found[i]);
}

/* Run the CLI in-process; returns its stdout (caller frees) and exit status. */
static char *run_cli(const char *format, const char *payload, expectation *ex, int *status)
{
    char a_klint[] = "klint", a_format[] = "--format", a_color[] = "--color", a_never[] = "never";
    char a_fmt[16], a_payload[4096];
    snprintf(a_fmt, sizeof(a_fmt), "%s", format);
    snprintf(a_payload, sizeof(a_payload), "%s", payload);
    char *argv[32];
    int argc = 0;
    argv[argc++] = a_klint;
    argv[argc++] = a_format;
    argv[argc++] = a_fmt;
    argv[argc++] = a_color;
    argv[argc++] = a_never;
    for (size_t i = 0; i < ex->n_opts; i++)
        argv[argc++] = ex->opts[i];
    argv[argc++] = a_payload;
    argv[argc] = NULL;
    char *out = NULL, *err = NULL;
    size_t out_len = 0, err_len = 0;
    FILE *fo = open_memstream(&out, &out_len);
    FILE *fe = open_memstream(&err, &err_len);
    *status = kl_cli_main(argc, argv, fo, fe);
    fclose(fo);
    fclose(fe);
    if (err_len > 0)
        printf("note %s: klint wrote to stderr: %s", payload, err);
    free(err);
    return out;
}

static void check_golden(const char *case_name, const char *payload, const char *base,
                         expectation *ex, bool update)
{
    static const char *const formats[] = {"txt", "json"};
    for (size_t f = 0; f < 2; f++) {
        int status;
        char *actual = run_cli(f == 0 ? "text" : "json", payload, ex, &status);
        char golden[4200];
        snprintf(golden, sizeof(golden), "%s.%s.golden", base, formats[f]);
        if (update) {
            FILE *g = fopen(golden, "wb");
            if (g == NULL || fputs(actual, g) < 0 || fclose(g) != 0) {
                printf("FAIL %s: cannot write %s\n", case_name, golden);
                failures++;
            }
        } else {
            char *want = read_all(golden, NULL);
            if (want == NULL) {
                printf("FAIL %s: no golden file %s (tests/golden/update.sh writes it)\n",
                       case_name, golden);
                failures++;
            } else if (strcmp(want, actual) != 0) {
                size_t line = 1, i = 0;
                while (want[i] && want[i] == actual[i])
                    line += want[i++] == '\n';
                printf("FAIL %s: %s differs from the output at line %zu\n", case_name, golden,
                       line);
                failures++;
            }
            free(want);
        }
        if (status != 0 && status != 1) {
            printf("FAIL %s: klint exited %d\n", case_name, status);
            failures++;
        }
        free(actual);
    }
}

static void dir_name_of(const char *id, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *s = id; *s && n + 3 < cap; s++) {
        if (*s == ':' || *s == '/') {
            out[n++] = '-';
            out[n++] = '-';
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
}

static void run_dir(const char *dir, const kl_ruleset *rs, bool update)
{
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    const char *profile = NULL;
    for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++) {
        char name[512];
        const char *id = kl_profile_id(kl_ruleset_profile_at(rs, i));
        dir_name_of(id, name, sizeof(name));
        if (strcmp(name, base) == 0)
            profile = id;
    }
    if (profile == NULL) {
        printf("FAIL %s: no built-in profile maps to this directory\n", dir);
        failures++;
        return;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        printf("FAIL %s: cannot open\n", dir);
        failures++;
        return;
    }
    char *names[4096];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 4096) {
        size_t len = strlen(e->d_name);
        if ((len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) ||
            (len > 6 && strcmp(e->d_name + len - 6, ".jsonl") == 0))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_str);
    int before = failures;
    for (size_t i = 0; i < n; i++) {
        char payload[2048], stem[2048], expect_path[2100];
        if ((size_t)snprintf(payload, sizeof(payload), "%s/%s", dir, names[i]) >= sizeof(payload))
            abort();
        snprintf(stem, sizeof(stem), "%s", payload);
        *strrchr(stem, '.') = '\0';
        snprintf(expect_path, sizeof(expect_path), "%s.expect", stem);
        expectation ex;
        if (!read_expect(expect_path, &ex)) {
            printf("FAIL %s: no %s (write the expected `rule path` pairs by hand)\n", payload,
                   expect_path);
            failures++;
            free(names[i]);
            continue;
        }
        check_pairs(payload, payload, rs, profile, &ex);
        check_golden(payload, payload, stem, &ex, update);
        free_expect(&ex);
        free(names[i]);
    }
    printf("%s: %zu fixtures, %d failing checks\n", dir, n, failures - before);
}

int main(int argc, char **argv)
{
    bool update = false;
    kl_ruleset *rs;
    if (kl_ruleset_builtin(&rs) != KL_OK) {
        printf("FAIL the built-in rules do not load\n");
        return 1;
    }
    int dirs = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--update") == 0) {
            update = true;
            continue;
        }
        run_dir(argv[i], rs, update);
        dirs++;
    }
    kl_ruleset_free(rs);
    if (dirs == 0) {
        printf("usage: fixture_runner [--update] fixtures/<profile-dir>...\n");
        return 2;
    }
    return failures ? 1 : 0;
}
