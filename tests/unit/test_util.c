/* Helpers shared by the unit tests (test_util.h). */
#define _XOPEN_SOURCE 700 /* mkdtemp */

#include "test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

char *tu_read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

void tu_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

void tu_temp_dir(char *dir, size_t cap, const char *name)
{
    assert_true((size_t)snprintf(dir, cap, "/tmp/klint-%s-XXXXXX", name) < cap);
    assert_non_null(mkdtemp(dir));
}

void tu_remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

void tu_expect_diag(const kl_diags *diags, const kl_source *src, size_t i, const char *rule,
                    kl_severity sev, uint32_t line, uint32_t col, const char *words)
{
    if (i >= kl_diags_count(diags))
        fail_msg("expected a diagnostic #%zu (\"%s\"), there are %zu", i, words,
                 kl_diags_count(diags));
    const kl_diag *d = kl_diags_at(diags, i);
    kl_pos pos = kl_source_pos(src, d->span.start);
    if (strcmp(d->rule, rule) != 0 || d->severity != sev || pos.line != line || pos.column != col ||
        strstr(d->message, words) == NULL)
        fail_msg("diagnostic #%zu: got %s/%d at %u:%u \"%s\"; expected %s/%d at %u:%u with \"%s\"",
                 i, d->rule, (int)d->severity, pos.line, pos.column, d->message, rule, (int)sev,
                 line, col, words);
}

const kl_node *tu_at(const kl_node *n, const char *path)
{
    while (n != NULL && *path) {
        size_t len = strcspn(path, ".");
        if (n->kind == KL_JSON_ARRAY) {
            char *end;
            unsigned long i = strtoul(path, &end, 10);
            n = end == path + len && len > 0 ? kl_node_at(n, i) : NULL;
        } else {
            n = kl_node_get(n, path, len);
        }
        path += len + (path[len] == '.');
    }
    return n;
}

int64_t tu_int_at(const kl_node *n, const char *path)
{
    int64_t v = 0;
    if (!kl_node_int64(tu_at(n, path), &v))
        fail_msg("no integer at '%s'", path);
    return v;
}

void tu_assert_range(const kl_node *range, int64_t l0, int64_t c0, int64_t l1, int64_t c1)
{
    assert_non_null(range);
    assert_int_equal(tu_int_at(range, "start.line"), l0);
    assert_int_equal(tu_int_at(range, "start.character"), c0);
    assert_int_equal(tu_int_at(range, "end.line"), l1);
    assert_int_equal(tu_int_at(range, "end.character"), c1);
}
