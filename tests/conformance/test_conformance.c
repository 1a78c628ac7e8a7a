/*
 * JSONTestSuite conformance: every y_ file accepted, every n_ file rejected
 * with exactly one error, every i_ file as README.md's table says (see
 * README.md in this folder). Exit 0 on success, 1 on a failure, 77 (meson's
 * skip) when the suite is not there. `-v` prints every verdict.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klint.h"

#define SUITE_DIR  KL_SOURCE_ROOT "/../shared/conformance/JSONTestSuite/test_parsing"
#define README     KL_SOURCE_ROOT "/tests/conformance/README.md"
#define SKIP       77
#define MAX_CHOICE 256

typedef struct choice {
    char name[128];
    bool accept;
    bool seen; /* the suite has this file */
} choice;

typedef struct verdict {
    bool accepted;
    size_t errors;
    char message[256]; /* the first error's message, for -v and failure reports */
} verdict;

/* Read the i_ table of README.md: rows "| `i_name.json` | accept|reject | ... |". */
static int read_choices(choice *out, size_t cap)
{
    FILE *f = fopen(README, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", README);
        return -1;
    }
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        char name[128];
        char what[16];
        if (sscanf(line, "| `%127[^`]` | %15s |", name, what) != 2 || strncmp(name, "i_", 2) != 0)
            continue;
        if ((size_t)n == cap || (strcmp(what, "accept") != 0 && strcmp(what, "reject") != 0)) {
            fprintf(stderr, "README.md: bad row: %s", line);
            fclose(f);
            return -1;
        }
        snprintf(out[n].name, sizeof(out[n].name), "%s", name);
        out[n].accept = strcmp(what, "accept") == 0;
        out[n].seen = false;
        n++;
    }
    fclose(f);
    return n;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load `src` in one mode; false when klint itself failed. */
static bool judge(const kl_source *src, bool no_tree, verdict *v)
{
    kl_json_options opts = {0};
    opts.no_tree = no_tree;
    kl_diags *diags = NULL;
    kl_doc *doc = NULL;
    if (kl_diags_new(&diags) != KL_OK || kl_json_load(&doc, src, &opts, diags) != KL_OK) {
        kl_diags_free(diags);
        return false;
    }
    v->errors = kl_diags_count_severity(diags, KL_SEV_ERROR);
    v->accepted = v->errors == 0 && (no_tree || kl_doc_root(doc) != NULL);
    v->message[0] = '\0';
    for (size_t i = 0; i < kl_diags_count(diags); i++) {
        const kl_diag *d = kl_diags_at(diags, i);
        if (d->severity == KL_SEV_ERROR || v->message[0] == '\0') {
            kl_pos pos = kl_source_pos(src, d->span.start);
            snprintf(v->message, sizeof(v->message), "%u:%u: %s[%s]: %s", (unsigned)pos.line,
                     (unsigned)pos.column, kl_severity_name(d->severity), d->rule, d->message);
            if (d->severity == KL_SEV_ERROR)
                break;
        }
    }
    kl_doc_free(doc);
    kl_diags_free(diags);
    return true;
}

int main(int argc, char **argv)
{
    bool verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    DIR *dir = opendir(SUITE_DIR);
    if (dir == NULL) {
        printf("SKIP: JSONTestSuite not found at %s\n"
               "(clone https://github.com/nst/JSONTestSuite into ../shared/conformance/)\n",
               SUITE_DIR);
        return SKIP;
    }
    static choice choices[MAX_CHOICE];
    int n_choices = read_choices(choices, MAX_CHOICE);
    if (n_choices < 0) {
        closedir(dir);
        return 1;
    }

    char **names = NULL;
    size_t n_names = 0;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n_names == cap) {
            cap = cap ? cap * 2 : 512;
            char **bigger = realloc(names, cap * sizeof(*names));
            if (bigger == NULL)
                return 3;
            names = bigger;
        }
        names[n_names] = strdup(e->d_name);
        if (names[n_names] == NULL)
            return 3;
        n_names++;
    }
    closedir(dir);
    qsort(names, n_names, sizeof(*names), compare_names);

    int failures = 0;
    size_t counts[3] = {0, 0, 0}; /* y, n, i */
    for (size_t i = 0; i < n_names; i++) {
        const char *name = names[i];
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", SUITE_DIR, name);
        kl_source *src = NULL;
        if (kl_source_read_file(&src, path, name) != KL_OK) {
            printf("FAIL %s: cannot read\n", name);
            failures++;
            continue;
        }
        verdict tree;
        verdict flat;
        if (!judge(src, false, &tree) || !judge(src, true, &flat)) {
            printf("FAIL %s: the loader failed (out of memory?)\n", name);
            failures++;
            kl_source_free(src);
            continue;
        }
        kl_source_free(src);

        const char *problem = NULL;
        if (tree.accepted != flat.accepted || tree.errors != flat.errors)
            problem = "tree and no_tree modes disagree";
        if (name[0] == 'y') {
            counts[0]++;
            if (!tree.accepted)
                problem = "must be accepted, was rejected";
        } else if (name[0] == 'n') {
            counts[1]++;
            if (tree.accepted)
                problem = "must be rejected, was accepted";
            else if (tree.errors != 1)
                problem = "rejected with more than one error";
        } else if (name[0] == 'i') {
            counts[2]++;
            choice *c = NULL;
            for (int k = 0; k < n_choices; k++) {
                if (strcmp(choices[k].name, name) == 0)
                    c = &choices[k];
            }
            if (c == NULL) {
                problem = "i_ case missing from tests/conformance/README.md";
            } else {
                c->seen = true;
                if (c->accept != tree.accepted)
                    problem = c->accept ? "README.md says accept, was rejected"
                                        : "README.md says reject, was accepted";
            }
        }
        if (problem != NULL) {
            printf("FAIL %s: %s%s%s\n", name, problem, tree.message[0] ? ": " : "", tree.message);
            failures++;
        } else if (verbose) {
            printf("ok   %-60s %s %s\n", name, tree.accepted ? "accept" : "reject", tree.message);
        }
        free(names[i]);
    }
    free(names);
    for (int k = 0; k < n_choices; k++) {
        if (!choices[k].seen) {
            printf("FAIL README.md lists %s, which the suite does not have\n", choices[k].name);
            failures++;
        }
    }
    printf("%zu y_, %zu n_, %zu i_ files: %d failure%s\n", counts[0], counts[1], counts[2],
           failures, failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
