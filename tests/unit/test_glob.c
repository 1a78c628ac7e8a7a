/* File globs and JSON path patterns (src/glob.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "glob.h"

#define MATCH(p, s)    assert_true(kl_glob_match(p, s))
#define NO_MATCH(p, s) assert_false(kl_glob_match(p, s))

static void test_pattern_without_slash_matches_the_name_anywhere(void **state)
{
    (void)state;
    MATCH("*.jsonl", "batch.jsonl");
    MATCH("*.jsonl", "a/b/batch.jsonl");
    NO_MATCH("*.jsonl", "batch.json");
    NO_MATCH("*.jsonl", "a.jsonl/x.json"); /* the name is x.json */
    MATCH("a.json", "deep/down/a.json");
    NO_MATCH("a.json", "deep/down/ba.json");
    MATCH("*.json", ".hidden.json"); /* `*` matches a leading dot */
}

static void test_pattern_with_slash_is_anchored(void **state)
{
    (void)state;
    MATCH("templates/*.json", "templates/a.json");
    NO_MATCH("templates/*.json", "templates/sub/a.json"); /* `*` stops at '/' */
    NO_MATCH("templates/*.json", "x/templates/a.json");
    MATCH("templates/a.json", "templates/a.json");
    NO_MATCH("templates/a.json", "templates/a.jsonl");
    MATCH("./templates/*.json", "templates/a.json");
    MATCH("templates/*.json", "./templates/a.json");
}

static void test_globstar_spans_whole_segments(void **state)
{
    (void)state;
    MATCH("templates/**", "templates/a.json");
    MATCH("templates/**", "templates/a/b/c.json");
    MATCH("templates/**", "templates"); /* zero segments */
    NO_MATCH("templates/**", "other/templates/a.json");
    NO_MATCH("templates/**", "templatesx/a.json");
    MATCH("**/a.json", "a.json");
    MATCH("**/a.json", "x/y/a.json");
    NO_MATCH("**/a.json", "x/ya.json");
    MATCH("a/**/b.json", "a/b.json");
    MATCH("a/**/b.json", "a/x/y/b.json");
    NO_MATCH("a/**/b.json", "a/x/c.json");
    NO_MATCH("a/**/b.json", "b.json");
    /* Backtracking: the first `b` segment is not the one that completes the match. */
    MATCH("a/**/b/**/c.json", "a/b/x/b/y/c.json");
    MATCH("a/**/b/**/c.json", "a/b/x/c.json");
    NO_MATCH("a/**/b/**/c.json", "a/x/y/c.json");
    MATCH("**", "anything/at/all.json");
    MATCH("**/**", "x.json");
}

static void test_trailing_slash_matches_everything_below(void **state)
{
    (void)state;
    MATCH("legacy/", "legacy/a.json");
    MATCH("legacy/", "legacy/x/y.json");
    NO_MATCH("legacy/", "legacy"); /* a file named legacy is not below it */
    NO_MATCH("legacy/", "legacyx/a.json");
    NO_MATCH("legacy/", "x/legacy/a.json");
    MATCH("a/*/", "a/b/c.json");
    NO_MATCH("a/*/", "a/c.json");
}

static void test_question_mark_classes_and_escapes(void **state)
{
    (void)state;
    MATCH("a?.json", "ab.json");
    MATCH("a?.json", "a\xc3\xa9.json"); /* one character, two bytes */
    NO_MATCH("a?.json", "a.json");
    NO_MATCH("x/a?b", "x/a/b");
    MATCH("[ab].json", "a.json");
    MATCH("[ab].json", "b.json");
    NO_MATCH("[ab].json", "c.json");
    MATCH("[!ab].json", "c.json");
    NO_MATCH("[!ab].json", "a.json");
    MATCH("[^ab].json", "c.json");
    MATCH("v[0-9].json", "v7.json");
    NO_MATCH("v[0-9].json", "vx.json");
    MATCH("[]]x", "]x");
    MATCH("[!]]x", "ax");
    NO_MATCH("[!]]x", "]x");
    MATCH("[a-]", "-");
    MATCH("[\xc3\xa9]", "\xc3\xa9");
    MATCH("\\*.json", "*.json");
    NO_MATCH("\\*.json", "a.json");
    MATCH("\\[x", "[x");
    MATCH("[x", "[x"); /* an unclosed '[' is an ordinary character */
}

static void test_stars_inside_a_segment(void **state)
{
    (void)state;
    MATCH("a*b*c", "aXbYc");
    MATCH("a*b*c", "abc");
    NO_MATCH("a*b*c", "abcabd");
    MATCH("*-trigger.json", "x/audio-with-video-trigger.json");
    /* Linear, not exponential: 30 letters against a pattern of many stars. */
    NO_MATCH("*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    NO_MATCH("", "a.json");
    NO_MATCH("*.json", "");
}

/* A checker found a problem (`msg`, at `got`) in `pattern` (a `what`): at `at`, holding `words`. */
static void expect_problem(const char *what, const char *pattern, const char *msg, size_t got,
                           size_t at, const char *words)
{
    if (msg == NULL)
        fail_msg("expected a problem in %s \"%s\"", what, pattern);
    assert_int_equal(got, at);
    if (strstr(msg, words) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", msg, words);
}

static void expect_glob_problem(const char *pattern, size_t at, const char *words)
{
    size_t got = 999;
    const char *msg = kl_glob_check(pattern, &got);
    expect_problem("glob", pattern, msg, got, at, words);
}

static void test_glob_check_accepts_good_globs(void **state)
{
    (void)state;
    const char *good[] = {"templates/**", "**/*.json", "legacy/", "./x/*.json",  "[]]x",
                          "\\[x",         "*.json",    "a/**/b",  "v[0-9].json", "[!a-z]"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        size_t at = 999;
        const char *msg = kl_glob_check(good[i], &at);
        if (msg != NULL)
            fail_msg("\"%s\": %s", good[i], msg);
    }
}

static void test_glob_check_reports_where(void **state)
{
    (void)state;
    expect_glob_problem("", 0, "empty glob");
    expect_glob_problem("/abs/*.json", 0, "leading '/'");
    expect_glob_problem("./", 0, "no file");
    /*                   0123 */
    expect_glob_problem("a//b", 2, "empty path segment");
    expect_glob_problem("a/../b", 2, "`..`");
    expect_glob_problem("a/./b", 2, "`.` segment");
    /*                   0123456789012345 */
    expect_glob_problem("templates/**.json", 10, "whole path segment");
    expect_glob_problem("a/b**", 3, "whole path segment");
    expect_glob_problem("[abc", 0, "unclosed class");
    expect_glob_problem("[]", 0, "unclosed class");
    expect_glob_problem("x/[a/b]", 2, "cannot hold '/'");
    expect_glob_problem("x[z-a]", 2, "reversed range");
    expect_glob_problem("a\\", 1, "escapes nothing");
}

/* ---- JSON paths ---------------------------------------------------------- */

#define PMATCH(p, s)    assert_true(kl_jsonpath_match(p, s))
#define NO_PMATCH(p, s) assert_false(kl_jsonpath_match(p, s))

static void test_jsonpath_exact_and_wildcards(void **state)
{
    (void)state;
    PMATCH("$", "$");
    NO_PMATCH("$", "$.a");
    PMATCH("$.input.negativePrompt", "$.input.negativePrompt");
    NO_PMATCH("$.input.negativePrompt", "$.input.negativePrompt2");
    NO_PMATCH("$.input.negativePrompt", "$.input");
    NO_PMATCH("$.input.negativePrompt", "$.input.negativePrompt.x");
    PMATCH("$.input.multi_prompt[*].duration", "$.input.multi_prompt[2].duration");
    PMATCH("$.input.multi_prompt[*].duration", "$.input.multi_prompt[10].duration");
    NO_PMATCH("$.input.multi_prompt[*].duration", "$.input.multi_prompt.duration");
    NO_PMATCH("$.input.multi_prompt[*].duration", "$.input.multi_prompt[2].prompt");
    PMATCH("$.input.*", "$.input.foo");
    PMATCH("$.input.*", "$.input['odd key']");
    NO_PMATCH("$.input.*", "$.input[0]"); /* `.*` is a member, `[*]` an index */
    NO_PMATCH("$.input[*]", "$.input.foo");
    NO_PMATCH("$.input.*", "$.input.foo.bar");
    PMATCH("$[3]", "$[3]");
    NO_PMATCH("$[3]", "$[30]");
    NO_PMATCH("$[1]", "$[10]");
}

static void test_jsonpath_everything_below(void **state)
{
    (void)state;
    PMATCH("$.input.**", "$.input");
    PMATCH("$.input.**", "$.input.a[3].b");
    NO_PMATCH("$.input.**", "$.inputs");
    NO_PMATCH("$.input.**", "$");
    PMATCH("$.**", "$");
    PMATCH("$.**", "$['x'][0]");
}

static void test_jsonpath_quoting_is_decoded(void **state)
{
    (void)state;
    PMATCH("$.input['odd key']", "$.input['odd key']");
    PMATCH("$.input[\"odd key\"]", "$.input['odd key']");
    PMATCH("$.input['negativePrompt']", "$.input.negativePrompt");
    PMATCH("$.input.multi-prompt", "$.input['multi-prompt']"); /* lenient dot names */
    PMATCH("$[\"it's\"]", "$['it\\'s']");
    PMATCH("$['back\\\\slash']", "$['back\\\\slash']");
    PMATCH("$['\\u0041']", "$.A");
    PMATCH("$['\\u00e9']", "$['\xc3\xa9']");
    PMATCH("$['\\ud83d\\ude00']", "$['\xf0\x9f\x98\x80']");
    PMATCH("$['tab\\t']", "$['tab\\t']");
    NO_PMATCH("$['a']", "$['b']");
    NO_PMATCH("$['ab']", "$['a']");
    NO_PMATCH("input.x", "$.input.x"); /* not a pattern */
    NO_PMATCH("$.a", "input.a");
}

static void expect_path_problem(const char *pattern, bool wildcards, size_t at, const char *words)
{
    size_t got = 999;
    const char *msg = kl_jsonpath_check(pattern, wildcards, &got);
    expect_problem("path", pattern, msg, got, at, words);
}

static void test_jsonpath_check(void **state)
{
    (void)state;
    const char *good[] = {"$",
                          "$.input.negativePrompt",
                          "$.input.multi_prompt[*].duration",
                          "$.input.*",
                          "$.**",
                          "$['a b'][\"c\"][0]",
                          "$['\\u00e9\\n']"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        size_t at = 999;
        const char *msg = kl_jsonpath_check(good[i], true, &at);
        if (msg != NULL)
            fail_msg("\"%s\": %s", good[i], msg);
    }
    size_t at;
    assert_null(kl_jsonpath_check("$.input['x'][2]", false, &at));
    expect_path_problem("input.x", true, 0, "starts with `$`");
    /*                   012345678 */
    expect_path_problem("$.input.", true, 8, "empty member name");
    expect_path_problem("$.a[01]", true, 4, "leading zeros");
    expect_path_problem("$.a[x]", true, 4, "after `[`");
    expect_path_problem("$.a[-1]", true, 4, "after `[`");
    expect_path_problem("$.a['x", true, 4, "unclosed quoted name");
    expect_path_problem("$.a['x'", true, 7, "expected `]`");
    expect_path_problem("$.a.**.b", true, 4, "must end the pattern");
    expect_path_problem("$.a*", true, 3, "inside a member name");
    expect_path_problem("$.a[*]", false, 4, "wildcards are not allowed");
    expect_path_problem("$.*", false, 2, "wildcards are not allowed");
    expect_path_problem("$['a\\q']", true, 4, "unknown escape");
    expect_path_problem("$['\\u12']", true, 3, "four hexadecimal digits");
    expect_path_problem("$x", true, 1, "expected `.name`");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_without_slash_matches_the_name_anywhere),
        cmocka_unit_test(test_pattern_with_slash_is_anchored),
        cmocka_unit_test(test_globstar_spans_whole_segments),
        cmocka_unit_test(test_trailing_slash_matches_everything_below),
        cmocka_unit_test(test_question_mark_classes_and_escapes),
        cmocka_unit_test(test_stars_inside_a_segment),
        cmocka_unit_test(test_glob_check_accepts_good_globs),
        cmocka_unit_test(test_glob_check_reports_where),
        cmocka_unit_test(test_jsonpath_exact_and_wildcards),
        cmocka_unit_test(test_jsonpath_everything_below),
        cmocka_unit_test(test_jsonpath_quoting_is_decoded),
        cmocka_unit_test(test_jsonpath_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
