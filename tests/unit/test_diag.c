/* Unit tests for the diagnostic list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "klint.h"

static kl_diags *new_list(void)
{
    kl_diags *diags = NULL;
    assert_int_equal(kl_diags_new(&diags), KL_OK);
    assert_non_null(diags);
    return diags;
}

static kl_diag plain(const char *rule, kl_severity sev, uint32_t start, uint32_t end,
                     const char *message)
{
    kl_diag d;
    memset(&d, 0, sizeof(d));
    d.rule = rule;
    d.severity = sev;
    d.span = kl_span_make(start, end);
    d.message = message;
    d.path = "$";
    return d;
}

static void test_add_copies_strings(void **state)
{
    (void)state;
    kl_diags *diags = new_list();
    char message[] = "expected a value";
    char path[] = "$.input";
    static const char rule[] = "json-syntax";
    static const char profile[] = "kling-3.0";
    kl_diag d = plain(rule, KL_SEV_ERROR, 3, 4, message);
    d.path = path;
    d.profile = profile;
    assert_int_equal(kl_diags_add(diags, &d), KL_OK);
    memset(message, 'x', sizeof(message) - 1);
    memset(path, 'x', sizeof(path) - 1);

    assert_int_equal(kl_diags_count(diags), 1);
    const kl_diag *got = kl_diags_at(diags, 0);
    assert_string_equal(got->message, "expected a value");
    assert_string_equal(got->path, "$.input");
    assert_ptr_equal(got->rule, rule);       /* borrowed */
    assert_ptr_equal(got->profile, profile); /* borrowed */
    assert_int_equal(got->severity, KL_SEV_ERROR);
    assert_int_equal(got->span.start, 3);
    assert_int_equal(got->span.end, 4);
    assert_int_equal(got->n_related, 0);
    assert_int_equal(got->n_fixes, 0);
    assert_null(kl_diags_at(diags, 1));
    kl_diags_free(diags);
    kl_diags_free(NULL);
}

static void test_null_strings_get_defaults(void **state)
{
    (void)state;
    kl_diags *diags = new_list();
    kl_diag d = plain("r", KL_SEV_INFO, 0, 0, NULL);
    d.path = NULL;
    assert_int_equal(kl_diags_add(diags, &d), KL_OK);
    assert_string_equal(kl_diags_at(diags, 0)->message, "");
    assert_string_equal(kl_diags_at(diags, 0)->path, "$");
    kl_diags_free(diags);
}

static void test_deep_copy_related_and_fixes(void **state)
{
    (void)state;
    kl_diags *diags = new_list();
    char rel_msg[] = "first defined here";
    char rel_path[] = "$.duration";
    kl_related related[2] = {
        {kl_span_make(5, 15), rel_path, rel_msg},
        {kl_span_make(20, 22), "$.b", "also here"},
    };
    char text[] = "aspectRatio";
    kl_edit edits[2] = {{kl_span_make(2, 14), text}, {kl_span_make(30, 31), ""}};
    char desc[] = "rename it";
    kl_fix fixes[1] = {{desc, edits, 2, false}};
    kl_diag d = plain("json-duplicate-key", KL_SEV_WARNING, 40, 50, "duplicate key");
    d.related = related;
    d.n_related = 2;
    d.fixes = fixes;
    d.n_fixes = 1;
    assert_int_equal(kl_diags_add(diags, &d), KL_OK);

    /* Scribble over every input: the list must not care. */
    memset(rel_msg, '?', sizeof(rel_msg) - 1);
    memset(rel_path, '?', sizeof(rel_path) - 1);
    memset(text, '?', sizeof(text) - 1);
    memset(desc, '?', sizeof(desc) - 1);
    memset(related, 0, sizeof(related));
    memset(edits, 0, sizeof(edits));
    memset(fixes, 0, sizeof(fixes));

    const kl_diag *got = kl_diags_at(diags, 0);
    assert_int_equal(got->n_related, 2);
    assert_int_equal(got->related[0].span.start, 5);
    assert_int_equal(got->related[0].span.end, 15);
    assert_string_equal(got->related[0].path, "$.duration");
    assert_string_equal(got->related[0].message, "first defined here");
    assert_string_equal(got->related[1].path, "$.b");
    assert_string_equal(got->related[1].message, "also here");
    assert_int_equal(got->n_fixes, 1);
    assert_string_equal(got->fixes[0].description, "rename it");
    assert_int_equal(got->fixes[0].n_edits, 2);
    assert_int_equal(got->fixes[0].edits[0].span.start, 2);
    assert_int_equal(got->fixes[0].edits[0].span.end, 14);
    assert_string_equal(got->fixes[0].edits[0].text, "aspectRatio");
    assert_int_equal(got->fixes[0].edits[1].span.start, 30);
    assert_string_equal(got->fixes[0].edits[1].text, "");
    kl_diags_free(diags);
}

static void test_addf(void **state)
{
    (void)state;
    kl_diags *diags = new_list();
    assert_int_equal(kl_diags_addf(diags, "json-syntax", KL_SEV_ERROR, kl_span_make(7, 8), "$",
                                   "expected %s, found '%c'", "':'", ']'),
                     KL_OK);
    /* longer than any small stack buffer */
    char long_word[1000];
    memset(long_word, 'w', sizeof(long_word) - 1);
    long_word[sizeof(long_word) - 1] = '\0';
    assert_int_equal(
        kl_diags_addf(diags, "r", KL_SEV_INFO, kl_span_make(0, 0), NULL, "<%s>%d", long_word, 42),
        KL_OK);

    const kl_diag *a = kl_diags_at(diags, 0);
    assert_string_equal(a->message, "expected ':', found ']'");
    assert_string_equal(a->rule, "json-syntax");
    assert_null(a->profile);
    assert_int_equal(a->span.start, 7);
    const kl_diag *b = kl_diags_at(diags, 1);
    assert_int_equal(strlen(b->message), 1 + 999 + 1 + 2);
    assert_int_equal(b->message[0], '<');
    assert_string_equal(b->message + 1000, ">42");
    assert_string_equal(b->path, "$");
    kl_diags_free(diags);
}

static void test_sort_stable(void **state)
{
    (void)state;
    kl_diags *diags = new_list();
    /* start, end, rule, message (the message marks insertion order) */
    static const struct {
        uint32_t start, end;
        const char *rule, *message;
    } in[] = {
        {10, 12, "b", "1"}, {3, 9, "a", "2"}, {10, 11, "z", "3"}, {10, 12, "a", "4"},
        {10, 12, "b", "5"}, {0, 0, "q", "6"}, {3, 9, "a", "7"},
    };
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        kl_diag d = plain(in[i].rule, KL_SEV_ERROR, in[i].start, in[i].end, in[i].message);
        assert_int_equal(kl_diags_add(diags, &d), KL_OK);
    }
    kl_diags_sort(diags);
    /* by start, then end, then rule; equal keys keep their order (2 before 7, 1 before 5) */
    static const char *const want[] = {"6", "2", "7", "3", "4", "1", "5"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_string_equal(kl_diags_at(diags, i)->message, want[i]);
    kl_diags_free(diags);
}

/* Many equal keys in reverse order: a stable sort must keep insertion order. */
static void test_sort_large(void **state)
{
    (void)state;
    enum { N = 1000 };
    kl_diags *diags = new_list();
    for (uint32_t i = 0; i < N; i++) {
        char msg[16];
        snprintf(msg, sizeof(msg), "%u", i);
        kl_diag d = plain("r", KL_SEV_ERROR, (N - 1 - i) / 10, 0, msg);
        d.span.end = d.span.start;
        assert_int_equal(kl_diags_add(diags, &d), KL_OK);
    }
    kl_diags_sort(diags);
    for (uint32_t i = 1; i < N; i++) {
        const kl_diag *prev = kl_diags_at(diags, i - 1), *cur = kl_diags_at(diags, i);
        assert_true(prev->span.start <= cur->span.start);
        if (prev->span.start == cur->span.start)
            assert_true(atoi(prev->message) < atoi(cur->message));
    }
    kl_diags_free(diags);
}

static void test_counts_and_clear(void **state)
{
    (void)state;
    kl_diags *diags = new_list();
    static const kl_severity sevs[] = {KL_SEV_ERROR, KL_SEV_WARNING, KL_SEV_ERROR, KL_SEV_INFO,
                                       KL_SEV_ERROR};
    for (size_t i = 0; i < sizeof(sevs) / sizeof(sevs[0]); i++) {
        kl_diag d = plain("r", sevs[i], 0, 1, "m");
        assert_int_equal(kl_diags_add(diags, &d), KL_OK);
    }
    assert_int_equal(kl_diags_count(diags), 5);
    assert_int_equal(kl_diags_count_severity(diags, KL_SEV_ERROR), 3);
    assert_int_equal(kl_diags_count_severity(diags, KL_SEV_WARNING), 1);
    assert_int_equal(kl_diags_count_severity(diags, KL_SEV_INFO), 1);

    kl_diags_clear(diags);
    assert_int_equal(kl_diags_count(diags), 0);
    assert_int_equal(kl_diags_count_severity(diags, KL_SEV_ERROR), 0);
    assert_null(kl_diags_at(diags, 0));

    /* Reuse after clear, past the first growth of the array and the arena. */
    char big[5000];
    memset(big, 'm', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    for (int i = 0; i < 100; i++) {
        kl_diag d = plain("r", KL_SEV_WARNING, (uint32_t)i, (uint32_t)i, big);
        assert_int_equal(kl_diags_add(diags, &d), KL_OK);
    }
    assert_int_equal(kl_diags_count(diags), 100);
    assert_int_equal(kl_diags_count_severity(diags, KL_SEV_WARNING), 100);
    assert_string_equal(kl_diags_at(diags, 0)->message, big);
    assert_string_equal(kl_diags_at(diags, 99)->message, big);
    kl_diags_free(diags);
}

static uint32_t shift(uint32_t offset, void *ctx)
{
    return offset + *(const uint32_t *)ctx;
}

static void test_remap(void **state)
{
    (void)state;
    kl_diags *diags = new_list();
    kl_related related = {kl_span_make(1, 2), "$.a", "here"};
    kl_edit edit = {kl_span_make(3, 4), "x"};
    kl_fix fix = {"fix", &edit, 1, false};
    kl_diag d = plain("r", KL_SEV_ERROR, 5, 6, "m");
    assert_int_equal(kl_diags_add(diags, &d), KL_OK);
    d.related = &related;
    d.n_related = 1;
    d.fixes = &fix;
    d.n_fixes = 1;
    assert_int_equal(kl_diags_add(diags, &d), KL_OK);

    uint32_t delta = 100;
    kl_diags_remap(diags, 1, shift, &delta);
    const kl_diag *first = kl_diags_at(diags, 0), *second = kl_diags_at(diags, 1);
    assert_int_equal(first->span.start, 5); /* before `from`: untouched */
    assert_int_equal(second->span.start, 105);
    assert_int_equal(second->span.end, 106);
    assert_int_equal(second->related[0].span.start, 101);
    assert_int_equal(second->related[0].span.end, 102);
    assert_int_equal(second->fixes[0].edits[0].span.start, 103);
    assert_int_equal(second->fixes[0].edits[0].span.end, 104);
    assert_int_equal(related.span.start, 1); /* the caller's copy is not the list's */
    kl_diags_free(diags);
}

/* A request the list cannot satisfy fails with ENOMEM and changes nothing. */
static void test_enomem_leaves_list_unchanged(void **state)
{
    (void)state;
    kl_diags *diags = new_list();
    kl_diag ok = plain("r", KL_SEV_ERROR, 0, 1, "kept");
    assert_int_equal(kl_diags_add(diags, &ok), KL_OK);

    kl_related related = {kl_span_make(0, 1), "$", "x"};
    kl_diag too_many_related = plain("r", KL_SEV_ERROR, 0, 1, "lost");
    too_many_related.related = &related;
    too_many_related.n_related = SIZE_MAX / sizeof(kl_related) + 1;
    assert_int_equal(kl_diags_add(diags, &too_many_related), KL_ENOMEM);

    /* Fails after the message, path and fix array were already copied. */
    kl_edit edit = {kl_span_make(0, 1), "x"};
    kl_fix fix = {"fix", &edit, SIZE_MAX / sizeof(kl_edit) + 1, false};
    kl_diag too_many_edits = plain("r", KL_SEV_WARNING, 0, 1, "lost");
    too_many_edits.fixes = &fix;
    too_many_edits.n_fixes = 1;
    assert_int_equal(kl_diags_add(diags, &too_many_edits), KL_ENOMEM);

    assert_int_equal(kl_diags_count(diags), 1);
    assert_int_equal(kl_diags_count_severity(diags, KL_SEV_ERROR), 1);
    assert_int_equal(kl_diags_count_severity(diags, KL_SEV_WARNING), 0);
    assert_string_equal(kl_diags_at(diags, 0)->message, "kept");
    assert_null(kl_diags_at(diags, 1));

    /* and the list still works */
    assert_int_equal(kl_diags_add(diags, &ok), KL_OK);
    assert_int_equal(kl_diags_count(diags), 2);
    kl_diags_free(diags);
}

/* Adding an item of the list to itself survives the array moving. */
static void test_add_from_self(void **state)
{
    (void)state;
    kl_diags *diags = new_list();
    kl_diag d = plain("r", KL_SEV_INFO, 1, 2, "again");
    assert_int_equal(kl_diags_add(diags, &d), KL_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(kl_diags_add(diags, kl_diags_at(diags, kl_diags_count(diags) - 1)), KL_OK);
    assert_int_equal(kl_diags_count(diags), 101);
    assert_string_equal(kl_diags_at(diags, 100)->message, "again");
    assert_int_equal(kl_diags_at(diags, 100)->span.end, 2);
    kl_diags_free(diags);
}

static void test_severity_names(void **state)
{
    (void)state;
    kl_severity sev;
    assert_string_equal(kl_severity_name(KL_SEV_ERROR), "error");
    assert_string_equal(kl_severity_name(KL_SEV_WARNING), "warning");
    assert_string_equal(kl_severity_name(KL_SEV_INFO), "info");
    assert_true(kl_severity_parse("warning", &sev));
    assert_int_equal(sev, KL_SEV_WARNING);
    assert_false(kl_severity_parse("fatal", &sev));
    assert_true(KL_SEV_ERROR > KL_SEV_WARNING && KL_SEV_WARNING > KL_SEV_INFO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_copies_strings),
        cmocka_unit_test(test_null_strings_get_defaults),
        cmocka_unit_test(test_deep_copy_related_and_fixes),
        cmocka_unit_test(test_addf),
        cmocka_unit_test(test_sort_stable),
        cmocka_unit_test(test_sort_large),
        cmocka_unit_test(test_counts_and_clear),
        cmocka_unit_test(test_remap),
        cmocka_unit_test(test_enomem_leaves_list_unchanged),
        cmocka_unit_test(test_add_from_self),
        cmocka_unit_test(test_severity_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
