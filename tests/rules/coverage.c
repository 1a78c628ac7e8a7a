/*
 * Every constraint of the constraints doc (sections A to D) is enforced by
 * the built-in rules or declared not applicable with a reason; and every
 * rule file in rules/ is built in (a file left out of rules/meson.build
 * would silently not ship).
 *
 * An id counts as implemented when some row (a constraint row, a field's
 * implied check, an object's unknown-key rule or an alias) carries it in
 * its `doc`. Ids outside the sections' ranges are reported as typos.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klint.h"
#include "rules.h"
#include "rules_builtin.h"

static const struct {
    char section;
    int last;
} sections[] = {{'A', 18}, {'B', 22}, {'C', 27}, {'D', 24}};

enum { MAX_ID = 40 };

typedef struct cover {
    bool implemented[4][MAX_ID];
    bool not_applicable[4][MAX_ID];
    int problems;
} cover;

/* Mark every "X-Rnn" in a ", "-joined doc string; `na` for not-applicable entries. */
static void mark(cover *cv, const char *doc, const char *where, bool na)
{
    if (doc == NULL)
        return;
    const char *s = doc;
    while ((s = strstr(s, "-R")) != NULL) {
        if (s == doc || s[-1] < 'A' || s[-1] > 'Z' || s[2] < '0' || s[2] > '9') {
            s += 2;
            continue;
        }
        char sec = s[-1];
        int n = atoi(s + 2);
        int k = -1;
        for (int i = 0; i < 4; i++)
            if (sections[i].section == sec)
                k = i;
        if (k < 0 || n < 1 || n > sections[k].last) {
            printf("FAIL %s: `%c-R%02d` is not an id of the constraints doc\n", where, sec, n);
            cv->problems++;
        } else if (na) {
            cv->not_applicable[k][n] = true;
        } else {
            cv->implemented[k][n] = true;
        }
        s += 2;
    }
}

static int check_files_built_in(void)
{
    int problems = 0;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/rules", KL_SOURCE_ROOT);
    DIR *d = opendir(dir);
    if (d == NULL) {
        printf("FAIL cannot open %s\n", dir);
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        bool found = false;
        for (size_t i = 0; i < kl_builtin_rules_count; i++) {
            const char *name = kl_builtin_rules[i].name;
            const char *slash = strrchr(name, '/');
            if (strcmp(slash ? slash + 1 : name, e->d_name) == 0)
                found = true;
        }
        if (!found) {
            printf("FAIL rules/%s is not built in: add it to rules/meson.build\n", e->d_name);
            problems++;
        }
    }
    closedir(d);
    return problems;
}

int main(void)
{
    kl_ruleset *rs;
    int rc = kl_ruleset_builtin(&rs);
    if (rc != KL_OK) {
        printf("FAIL the built-in rules do not load: %s\n", kl_error_str(rc));
        return 1;
    }
    cover cv;
    memset(&cv, 0, sizeof(cv));
    for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++) {
        const kl_profile *p = kl_ruleset_profile_at(rs, i);
        char where[256];
        for (uint32_t r = 0; r < p->n_rows; r++) {
            snprintf(where, sizeof(where), "%s row %u (%s)", p->id, r, p->rows[r].id);
            mark(&cv, p->rows[r].doc, where, false);
        }
        for (uint16_t f = 0; f < p->n_fields; f++) {
            snprintf(where, sizeof(where), "%s field %s", p->id, p->fields[f].path);
            mark(&cv, p->fields[f].unknown_doc, where, false);
        }
        for (uint16_t a = 0; a < p->n_aliases; a++) {
            snprintf(where, sizeof(where), "%s alias %s", p->id, p->aliases[a].name);
            mark(&cv, p->aliases[a].doc, where, false);
        }
        for (uint16_t n = 0; n < p->n_na; n++) {
            snprintf(where, sizeof(where), "%s not_applicable", p->id);
            if (p->na[n].reason == NULL || strlen(p->na[n].reason) < 10) {
                printf("FAIL %s: `%s` needs a reason\n", where, p->na[n].doc);
                cv.problems++;
            }
            mark(&cv, p->na[n].doc, where, true);
        }
    }
    int implemented = 0, na = 0, missing = 0;
    for (int k = 0; k < 4; k++) {
        for (int n = 1; n <= sections[k].last; n++) {
            if (cv.implemented[k][n]) {
                implemented++;
            } else if (cv.not_applicable[k][n]) {
                na++;
            } else {
                printf("FAIL %c-R%02d is neither implemented by a row nor listed as not "
                       "applicable\n",
                       sections[k].section, n);
                missing++;
            }
        }
    }
    int files = check_files_built_in();
    printf("%d ids implemented, %d not applicable, %d missing; %zu profiles\n", implemented, na,
           missing, kl_ruleset_profile_count(rs));
    kl_ruleset_free(rs);
    return (missing || cv.problems || files) ? 1 : 0;
}
