/*
 * Unit tests for the short, github and sarif formats and the shared
 * severity table.
 *
 * The golden files in tests/golden/print/formats.* were written by hand from
 * each format's specification (src/print_short.c, src/print_github.c with
 * the Actions toolkit's escaping, src/print_sarif.c with SARIF 2.1.0), with
 * the columns counted by hand: on line 1 of the test document, `"bad"`
 * starts at code point 18 but at UTF-16 unit 19, because U+1F600 is one
 * code point and two UTF-16 units.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "klint.h"
#include "print_util.h"

#ifndef KL_SOURCE_ROOT
#define KL_SOURCE_ROOT "."
#endif

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    char *data = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&data, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        fwrite(chunk, 1, n, out);
    fclose(f);
    fclose(out);
    return data;
}

static void assert_golden(char *actual, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/golden/print/%s", KL_SOURCE_ROOT, name);
    char *want = read_file(path);
    if (strcmp(actual, want) != 0) {
        size_t line = 1;
        for (size_t i = 0; actual[i] && actual[i] == want[i]; i++)
            line += actual[i] == '\n';
        print_error("golden %s differs at line %zu\n--- want:\n%s\n--- got:\n%s\n", name, line,
                    want, actual);
        free(want);
        free(actual);
        fail();
    }
    free(want);
    free(actual);
}

static kl_span find(const kl_source *src, const char *needle)
{
    size_t n = strlen(needle);
    for (uint32_t i = 0; i + n <= src->len; i++) {
        if (memcmp(src->data + i, needle, n) == 0)
            return kl_span_make(i, i + (uint32_t)n);
    }
    fail_msg("\"%s\" not found", needle);
    return kl_span_make(0, 0);
}

/*
 * Print the shared test document's three diagnostics in `format`:
 * an error with a related place, a fix, and a message holding `%`, LF and
 * CR; a warning whose span covers two lines; an info at the very start.
 */
static char *run_format(const char *format)
{
    static const char text[] = "{\"prompt\": \"\xF0\x9F\x98\x80\xC3\xA9\", \"bad\": 1,\n"
                               " \"n\": 2}\n";
    kl_source *src = NULL;
    assert_int_equal(kl_source_from_memory(&src, "dir/a:b,c \xC3\xA9.json", text, strlen(text)),
                     KL_OK);

    kl_span bad = find(src, "\"bad\"");
    kl_related rel = {find(src, "\"prompt\""), "$.prompt", "the prompt is here"};
    kl_edit edit = {find(src, "bad"), "good"};
    kl_fix fix = {"rename `bad` to `good`", &edit, 1};
    kl_diag d1 = {"unknown-field", NULL, KL_SEV_ERROR, "`bad` is not allowed: 100% sure,\nreally\r",
                  "$.bad", bad, &rel, 1, &fix, 1};
    kl_diag d2 = {"span-multi", NULL, KL_SEV_WARNING, "spans lines", "$.n",
                  kl_span_make(bad.start, find(src, "2").end), NULL, 0, NULL, 0};
    kl_diag d3 = {"r", NULL, KL_SEV_INFO, "plain", "$.items[0]", kl_span_make(0, 0),
                  NULL, 0, NULL, 0};

    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    assert_non_null(f);
    kl_printer *p = NULL;
    assert_int_equal(kl_printer_new(&p, format, f, NULL), KL_OK);
    assert_int_equal(kl_printer_diag(p, src, &d1), KL_OK);
    assert_int_equal(kl_printer_diag(p, src, &d2), KL_OK);
    assert_int_equal(kl_printer_diag(p, src, &d3), KL_OK);
    assert_int_equal(kl_printer_file(p, src->name, 3), KL_OK);
    kl_summary s = {1, 1, 1, 1, 1};
    assert_int_equal(kl_printer_end(p, &s), KL_OK);
    kl_printer_free(p);
    assert_int_equal(fclose(f), 0);
    kl_source_free(src);
    return data;
}

static void test_short(void **state)
{
    (void)state;
    assert_golden(run_format("short"), "formats.short.txt");
}

static void test_github(void **state)
{
    (void)state;
    assert_golden(run_format("github"), "formats.github.txt");
}

static void test_sarif(void **state)
{
    (void)state;
    assert_golden(run_format("sarif"), "formats.sarif");
}

/* A clean run: a valid SARIF log with no results. */
static void test_sarif_empty(void **state)
{
    (void)state;
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    kl_printer *p = NULL;
    assert_int_equal(kl_printer_new(&p, "sarif", f, NULL), KL_OK);
    assert_int_equal(kl_printer_end(p, NULL), KL_OK);
    kl_printer_free(p);
    fclose(f);
    assert_golden(data, "formats.empty.sarif");
}

/* With a ruleset, tool.driver.rules lists its rule ids with their texts. */
static void test_sarif_rules(void **state)
{
    (void)state;
    kl_ruleset *rs = NULL;
    assert_int_equal(kl_ruleset_builtin(&rs), KL_OK);
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    kl_printer *p = NULL;
    assert_int_equal(kl_printer_new(&p, "sarif", f, NULL), KL_OK);
    kl_printer_set_rules(p, rs);
    assert_int_equal(kl_printer_end(p, NULL), KL_OK);
    kl_printer_free(p);
    fclose(f);
    assert_non_null(strstr(data, "\"rules\": [\n{\"id\": \""));
    assert_non_null(strstr(data, "\"shortDescription\": {\"text\": \""));
    assert_non_null(strstr(data, "\"helpUri\": \"https://"));
    assert_null(strstr(data, "\"text\": \"\""));
    free(data);
    kl_ruleset_free(rs);
}

static void test_severity_table(void **state)
{
    (void)state;
    const kl_print_severity_names *e = kl_print_severity(KL_SEV_ERROR);
    const kl_print_severity_names *w = kl_print_severity(KL_SEV_WARNING);
    const kl_print_severity_names *i = kl_print_severity(KL_SEV_INFO);
    assert_string_equal(e->sarif, "error");
    assert_string_equal(w->sarif, "warning");
    assert_string_equal(i->sarif, "note");
    assert_string_equal(e->github, "error");
    assert_string_equal(w->github, "warning");
    assert_string_equal(i->github, "notice");
    assert_string_equal(e->gitlab, "major");
    assert_string_equal(w->gitlab, "minor");
    assert_string_equal(i->gitlab, "info");
    assert_string_equal(i->text, "info");
    assert_ptr_equal(kl_print_severity((kl_severity)0), e);
}

static void test_registry(void **state)
{
    (void)state;
    assert_non_null(kl_printer_find("short"));
    assert_non_null(kl_printer_find("github"));
    assert_non_null(kl_printer_find("sarif"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short),          cmocka_unit_test(test_github),
        cmocka_unit_test(test_sarif),          cmocka_unit_test(test_sarif_empty),
        cmocka_unit_test(test_sarif_rules),    cmocka_unit_test(test_severity_table),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
