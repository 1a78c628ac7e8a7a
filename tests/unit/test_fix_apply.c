/*
 * Applying fixes (src/fix_apply.h): choosing the fixes that go together,
 * fixing a document or a JSON Lines file to a fixed point, replacing a
 * file atomically, and writing a unified diff.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, symlink */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fix_apply.h"
#include "klint.h"

/* ---- kl_fix_apply on hand-made diagnostics ---------------------------- */

/* Append a finding of `rule` whose only fix is `edits`. */
static void add_fix(kl_diags *diags, const char *rule, const kl_edit *edits, size_t n)
{
    kl_fix fix = {"a fix", edits, n, false};
    kl_diag d;
    memset(&d, 0, sizeof(d));
    d.rule = rule;
    d.severity = KL_SEV_ERROR;
    d.message = "found";
    d.path = "$";
    d.span = edits[0].span;
    d.fixes = &fix;
    d.n_fixes = 1;
    assert_int_equal(kl_diags_add(diags, &d), KL_OK);
}

static void add_edit(kl_diags *diags, uint32_t start, uint32_t end, const char *text)
{
    kl_edit e = {kl_span_make(start, end), text};
    add_fix(diags, "some-rule", &e, 1);
}

/* kl_fix_apply over `text`; checks the output's length and NUL. */
static char *apply(const char *text, const kl_diags *diags, kl_fix_filter keep, void *ctx,
                   size_t *n_applied)
{
    kl_source *src;
    assert_int_equal(kl_source_from_memory(&src, "t.json", text, strlen(text)), KL_OK);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(kl_fix_apply(src, diags, keep, ctx, &out, &len, n_applied), KL_OK);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    kl_source_free(src);
    return out;
}

static kl_diags *new_diags(void)
{
    kl_diags *diags;
    assert_int_equal(kl_diags_new(&diags), KL_OK);
    return diags;
}

static void test_apply_without_fixes_copies(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    assert_int_equal(kl_diags_addf(diags, "r", KL_SEV_ERROR, kl_span_make(1, 2), "$", "x"), KL_OK);
    size_t n = 99;
    char *out = apply("{\"a\": 1}", diags, NULL, NULL, &n);
    assert_string_equal(out, "{\"a\": 1}");
    assert_int_equal(n, 0);
    free(out);
    kl_diags_free(diags);
}

static void test_apply_in_offset_order(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    /*             0123456789 */
    add_edit(diags, 6, 8, "XY"); /* "gh" */
    add_edit(diags, 0, 1, "_");  /* "a" */
    add_edit(diags, 3, 3, "+");  /* before "d" */
    size_t n;
    char *out = apply("abcdefghij", diags, NULL, NULL, &n);
    assert_string_equal(out, "_bc+defXYij");
    assert_int_equal(n, 3);
    free(out);
    kl_diags_free(diags);
}

static void test_apply_overlap_first_in_list_wins(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    add_edit(diags, 2, 5, "1"); /* "cde" */
    add_edit(diags, 4, 6, "2"); /* "ef": shares "e" */
    size_t n;
    char *out = apply("abcdefghij", diags, NULL, NULL, &n);
    assert_string_equal(out, "ab1fghij");
    assert_int_equal(n, 1);
    free(out);
    kl_diags_free(diags);

    diags = new_diags();
    add_edit(diags, 4, 6, "2");
    add_edit(diags, 2, 5, "1");
    out = apply("abcdefghij", diags, NULL, NULL, &n);
    assert_string_equal(out, "abcd2ghij");
    assert_int_equal(n, 1);
    free(out);
    kl_diags_free(diags);
}

static void test_apply_two_insertions_at_one_offset_overlap(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    add_edit(diags, 3, 3, "X");
    add_edit(diags, 3, 3, "Y");
    size_t n;
    char *out = apply("abcdefghij", diags, NULL, NULL, &n);
    assert_string_equal(out, "abcXdefghij");
    assert_int_equal(n, 1);
    free(out);
    kl_diags_free(diags);
}

static void test_apply_insertion_at_either_end_of_a_replacement_overlaps(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    add_edit(diags, 2, 4, "--"); /* "cd" */
    add_edit(diags, 4, 4, "!");  /* just after it */
    add_edit(diags, 2, 2, "?");  /* just before it */
    add_edit(diags, 3, 3, "*");  /* inside it */
    add_edit(diags, 5, 5, "#");  /* one byte away: fine */
    size_t n;
    char *out = apply("abcdefghij", diags, NULL, NULL, &n);
    assert_string_equal(out, "ab--e#fghij");
    assert_int_equal(n, 2);
    free(out);
    kl_diags_free(diags);
}

static void test_apply_adjacent_replacements_both_apply(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    add_edit(diags, 2, 4, "Y");
    add_edit(diags, 0, 2, "X");
    add_edit(diags, 4, 10, "");
    size_t n;
    char *out = apply("abcdefghij", diags, NULL, NULL, &n);
    assert_string_equal(out, "XY");
    assert_int_equal(n, 3);
    free(out);
    kl_diags_free(diags);
}

static void test_apply_edits_of_a_fix_all_or_nothing(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    add_edit(diags, 5, 6, "F");
    /* Its second edit overlaps "F": neither edit may be applied. */
    kl_edit both[2] = {{kl_span_make(0, 1), "A"}, {kl_span_make(5, 7), "B"}};
    add_fix(diags, "pair", both, 2);
    /* Free again, since "A" was not taken. */
    add_edit(diags, 0, 1, "Z");
    size_t n;
    char *out = apply("abcdefghij", diags, NULL, NULL, &n);
    assert_string_equal(out, "ZbcdeFghij");
    assert_int_equal(n, 2);
    free(out);
    kl_diags_free(diags);
}

static void test_apply_edits_of_a_fix_in_any_order(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    kl_edit two[2] = {{kl_span_make(8, 9), "I"}, {kl_span_make(1, 2), "B"}};
    add_fix(diags, "pair", two, 2);
    size_t n;
    char *out = apply("abcdefghij", diags, NULL, NULL, &n);
    assert_string_equal(out, "aBcdefghIj");
    assert_int_equal(n, 1);
    free(out);
    kl_diags_free(diags);
}

static void test_apply_fix_whose_own_edits_overlap_is_skipped(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    kl_edit two[2] = {{kl_span_make(1, 4), "1"}, {kl_span_make(3, 5), "2"}};
    add_fix(diags, "bad", two, 2);
    size_t n;
    char *out = apply("abcdefghij", diags, NULL, NULL, &n);
    assert_string_equal(out, "abcdefghij");
    assert_int_equal(n, 0);
    free(out);
    kl_diags_free(diags);
}

static void test_apply_takes_the_first_fix_only(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    kl_edit first = {kl_span_make(0, 1), "1"}, second = {kl_span_make(9, 10), "2"};
    kl_fix fixes[2] = {{"first", &first, 1, false}, {"second", &second, 1, false}};
    kl_diag d;
    memset(&d, 0, sizeof(d));
    d.rule = "alternatives";
    d.severity = KL_SEV_WARNING;
    d.message = "m";
    d.path = "$";
    d.fixes = fixes;
    d.n_fixes = 2;
    assert_int_equal(kl_diags_add(diags, &d), KL_OK);
    size_t n;
    char *out = apply("abcdefghij", diags, NULL, NULL, &n);
    assert_string_equal(out, "1bcdefghij");
    assert_int_equal(n, 1);
    free(out);
    kl_diags_free(diags);
}

typedef struct filter_calls {
    int calls;
} filter_calls;

static bool skip_rule_skip_me(void *ctx, const kl_diag *d)
{
    ((filter_calls *)ctx)->calls++;
    return strcmp(d->rule, "skip-me") != 0;
}

static void test_apply_filter_decides_per_finding(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    assert_int_equal(kl_diags_addf(diags, "no-fix", KL_SEV_ERROR, kl_span_make(0, 1), "$", "x"),
                     KL_OK);
    kl_edit skipped = {kl_span_make(0, 1), "S"}, kept = {kl_span_make(0, 1), "K"};
    add_fix(diags, "skip-me", &skipped, 1);
    add_fix(diags, "keep-me", &kept, 1);
    filter_calls calls = {0};
    size_t n;
    char *out = apply("abc", diags, skip_rule_skip_me, &calls, &n);
    assert_string_equal(out, "Kbc");
    assert_int_equal(n, 1);
    assert_int_equal(calls.calls, 2); /* only findings with a fix are asked about */
    free(out);
    kl_diags_free(diags);
}

static void test_apply_skips_edits_outside_the_source(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    add_edit(diags, 2, 11, "x");  /* past the end */
    add_edit(diags, 11, 11, "x"); /* an insertion past the end */
    add_edit(diags, 10, 10, "!"); /* at the very end: fine */
    size_t n;
    char *out = apply("abcdefghij", diags, NULL, NULL, &n);
    assert_string_equal(out, "abcdefghij!");
    assert_int_equal(n, 1);
    free(out);
    kl_diags_free(diags);
}

static void test_apply_can_empty_the_text(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    add_edit(diags, 0, 3, "");
    size_t n;
    char *out = apply("abc", diags, NULL, NULL, &n);
    assert_string_equal(out, "");
    assert_int_equal(n, 1);
    free(out);
    kl_diags_free(diags);
}

static void test_apply_to_an_empty_source(void **state)
{
    (void)state;
    kl_diags *diags = new_diags();
    add_edit(diags, 0, 0, "{}");
    size_t n;
    char *out = apply("", diags, NULL, NULL, &n);
    assert_string_equal(out, "{}");
    assert_int_equal(n, 1);
    free(out);
    kl_diags_free(diags);
}

/* ---- kl_fix_apply on real findings ------------------------------------ */

typedef struct linted {
    kl_linter *linter;
    kl_source *src;
    kl_diags *diags;
} linted;

/* Replicate payloads with members outside `input` need the profile named. */
#define REPLICATE "replicate:kwaivgi/kling-v3-omni-video"

/* Lint `text` as `profile` (NULL: detect it). */
static void lint(linted *l, const char *profile, const char *text)
{
    kl_lint_options opts;
    memset(&opts, 0, sizeof(opts));
    opts.profile = profile;
    assert_int_equal(kl_linter_new(&l->linter, &opts), KL_OK);
    assert_int_equal(kl_source_from_memory(&l->src, "t.json", text, strlen(text)), KL_OK);
    l->diags = new_diags();
    assert_int_equal(kl_linter_lint(l->linter, l->src, l->diags), KL_OK);
}

static void linted_free(linted *l)
{
    kl_diags_free(l->diags);
    kl_source_free(l->src);
    kl_linter_free(l->linter);
}

static size_t count_rule(const kl_diags *diags, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < kl_diags_count(diags); i++)
        n += strcmp(kl_diags_at(diags, i)->rule, rule) == 0;
    return n;
}

/*
 * Lint `before`, expect exactly one finding of `rule` and it with a fix,
 * apply the fixes, expect `after` exactly, and lint `after` to see that
 * the finding is gone and nothing else is found.
 */
static void fixes_to(const char *profile, const char *before, const char *rule, const char *after)
{
    linted l;
    lint(&l, profile, before);
    assert_int_equal(count_rule(l.diags, rule), 1);
    assert_int_equal(kl_diags_count(l.diags), 1);
    assert_int_equal(kl_diags_at(l.diags, 0)->n_fixes, 1);
    char *out;
    size_t len, n;
    assert_int_equal(kl_fix_apply(l.src, l.diags, NULL, NULL, &out, &len, &n), KL_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out, after);
    linted_free(&l);
    free(out);

    lint(&l, profile, after);
    if (kl_diags_count(l.diags) != 0)
        print_message("still found: %s: %s\n", kl_diags_at(l.diags, 0)->rule,
                      kl_diags_at(l.diags, 0)->message);
    assert_int_equal(kl_diags_count(l.diags), 0);
    linted_free(&l);
}

static void test_real_rename_misspelled_key(void **state)
{
    (void)state;
    fixes_to(NULL, "{\"input\": {\"prompt\": \"p\", \"durration\": 5}}", "unknown-field",
             "{\"input\": {\"prompt\": \"p\", \"duration\": 5}}");
}

static void test_real_move_into_input(void **state)
{
    (void)state;
    fixes_to(REPLICATE, "{\"input\": {\"prompt\": \"p\"}, \"duration\": 5}", "unknown-field",
             "{\"input\": {\"prompt\": \"p\", \"duration\": 5}}");
}

static void test_real_sound_off_with_a_video(void **state)
{
    (void)state;
    fixes_to(NULL,
             "{\"model\": \"kling-v3-omni\", \"prompt\": \"a fox\",\n"
             " \"video_list\": [{\"video_url\": \"https://cdn.example.com/v.mp4\","
             " \"refer_type\": \"feature\"}],\n"
             " \"sound\": \"on\"}",
             "audio-with-video",
             "{\"model\": \"kling-v3-omni\", \"prompt\": \"a fox\",\n"
             " \"video_list\": [{\"video_url\": \"https://cdn.example.com/v.mp4\","
             " \"refer_type\": \"feature\"}],\n"
             " \"sound\": \"off\"}");
}

/* `duration` with multi-shot prompts: removed with its comma, wherever it is. */
#define SHOTS                                                                                      \
    "  \"multi_prompt\": [\n"                                                                      \
    "    {\"prompt\": \"Shot 1: the fox\", \"duration\": \"5\"},\n"                                \
    "    {\"prompt\": \"Shot 2: the fox\", \"duration\": \"5\"}\n"                                 \
    "  ]"

static void test_real_remove_first_member(void **state)
{
    (void)state;
    fixes_to(NULL, "{\n  \"duration\": \"10\",\n  \"model\": \"kling-v3-omni\",\n" SHOTS "\n}\n",
             "duration-with-shots", "{\n  \"model\": \"kling-v3-omni\",\n" SHOTS "\n}\n");
}

static void test_real_remove_middle_member(void **state)
{
    (void)state;
    fixes_to(NULL, "{\n  \"model\": \"kling-v3-omni\",\n  \"duration\": \"10\",\n" SHOTS "\n}\n",
             "duration-with-shots", "{\n  \"model\": \"kling-v3-omni\",\n" SHOTS "\n}\n");
}

static void test_real_remove_last_member(void **state)
{
    (void)state;
    fixes_to(NULL, "{\n  \"model\": \"kling-v3-omni\",\n" SHOTS ",\n  \"duration\": \"10\"\n}\n",
             "duration-with-shots", "{\n  \"model\": \"kling-v3-omni\",\n" SHOTS "\n}\n");
}

static void test_real_remove_on_one_line(void **state)
{
    (void)state;
    const char *shots = "\"multi_prompt\": [{\"prompt\": \"a\", \"duration\": \"5\"}, "
                        "{\"prompt\": \"b\", \"duration\": \"5\"}]";
    char before[512], after[512];
    snprintf(after, sizeof(after), "{\"model\": \"kling-v3-omni\", %s}", shots);
    snprintf(before, sizeof(before), "{\"duration\": \"10\", \"model\": \"kling-v3-omni\", %s}",
             shots);
    fixes_to(NULL, before, "duration-with-shots", after);
    snprintf(before, sizeof(before), "{\"model\": \"kling-v3-omni\", \"duration\": \"10\", %s}",
             shots);
    fixes_to(NULL, before, "duration-with-shots", after);
    snprintf(before, sizeof(before), "{\"model\": \"kling-v3-omni\", %s, \"duration\": \"10\"}",
             shots);
    fixes_to(NULL, before, "duration-with-shots", after);
}

/* Inserted members follow the object's layout: a line of their own, with the members'
 * indentation, in an object written over several lines (a moved value re-indented with
 * them); ", " in an object written on one line (test_real_move_into_input). */
static void test_real_insert_follows_the_layout(void **state)
{
    (void)state;
    fixes_to(REPLICATE,
             "{\n"
             "  \"input\": {\n"
             "    \"prompt\": \"p\"\n"
             "  },\n"
             "  \"reference_images\": [\n"
             "    \"https://x.test/a.jpg\",\n"
             "    \"https://x.test/b.jpg\"\n"
             "  ]\n"
             "}\n",
             "unknown-field",
             "{\n"
             "  \"input\": {\n"
             "    \"prompt\": \"p\",\n"
             "    \"reference_images\": [\n"
             "      \"https://x.test/a.jpg\",\n"
             "      \"https://x.test/b.jpg\"\n"
             "    ]\n"
             "  }\n"
             "}\n");
    /* Tabs and CRLF are the file's own. */
    fixes_to(
        REPLICATE,
        "{\r\n\t\"input\": {\r\n\t\t\"prompt\": \"p\"\r\n\t},\r\n\t\"duration\": 5\r\n}\r\n",
        "unknown-field",
        "{\r\n\t\"input\": {\r\n\t\t\"prompt\": \"p\",\r\n\t\t\"duration\": 5\r\n\t}\r\n}\r\n");
    /* A member that was not sent, set by a fix. */
    fixes_to(NULL,
             "{\n"
             "  \"type\": \"video\",\n"
             "  \"model\": \"kling-3.0-omni\",\n"
             "  \"input\": {\n"
             "    \"prompt\": \"a hero\",\n"
             "    \"referenceVideo\": \"asset://asset_video1\"\n"
             "  }\n"
             "}\n",
             "audio-with-video",
             "{\n"
             "  \"type\": \"video\",\n"
             "  \"model\": \"kling-3.0-omni\",\n"
             "  \"input\": {\n"
             "    \"prompt\": \"a hero\",\n"
             "    \"referenceVideo\": \"asset://asset_video1\",\n"
             "    \"audioEnabled\": false\n"
             "  }\n"
             "}\n");
    /* One line, and the same member set in a one-line object of a pretty file. */
    fixes_to(NULL,
             "{\"type\": \"video\", \"model\": \"kling-3.0-omni\", \"input\": {\"prompt\": "
             "\"a hero\", \"referenceVideo\": \"asset://v\"}}",
             "audio-with-video",
             "{\"type\": \"video\", \"model\": \"kling-3.0-omni\", \"input\": {\"prompt\": "
             "\"a hero\", \"referenceVideo\": \"asset://v\", \"audioEnabled\": false}}");
    fixes_to(NULL,
             "{\n  \"type\": \"video\",\n  \"model\": \"kling-3.0-omni\",\n"
             "  \"input\": {\"prompt\": \"a hero\", \"referenceVideo\": \"asset://v\"}\n}\n",
             "audio-with-video",
             "{\n  \"type\": \"video\",\n  \"model\": \"kling-3.0-omni\",\n"
             "  \"input\": {\"prompt\": \"a hero\", \"referenceVideo\": \"asset://v\", "
             "\"audioEnabled\": false}\n}\n");
}

/* ---- kl_fix_document --------------------------------------------------- */

/* kl_fix_document over `text`, safe fixes only or (`unsafe`) all of them. */
static char *fix_document_as(const char *text, bool jsonl, const char *profile, bool unsafe,
                             size_t *n)
{
    kl_linter *linter;
    kl_source *src;
    assert_int_equal(kl_linter_new(&linter, NULL), KL_OK);
    assert_int_equal(kl_source_from_memory(&src, "t.json", text, strlen(text)), KL_OK);
    char *out = (char *)"not set";
    size_t len = 12345;
    assert_int_equal(
        kl_fix_document(linter, profile, src, jsonl, unsafe, NULL, NULL, &out, &len, n), KL_OK);
    if (out != NULL)
        assert_int_equal(strlen(out), len);
    else
        assert_int_equal(len, 0);
    kl_source_free(src);
    kl_linter_free(linter);
    return out;
}

static char *fix_document(const char *text, bool jsonl, const char *profile, size_t *n)
{
    return fix_document_as(text, jsonl, profile, false, n);
}

/* Two members to move into `input`: both insert at one place, so one
 * round takes one of them and the next round the other. */
static void test_document_reaches_a_fixed_point(void **state)
{
    (void)state;
    const char *text = "{\"input\": {\"prompt\": \"p\"}, \"duration\": 5, \"mode\": \"pro\"}";
    linted l;
    lint(&l, REPLICATE, text);
    assert_int_equal(count_rule(l.diags, "unknown-field"), 2);
    char *once;
    size_t len, n;
    assert_int_equal(kl_fix_apply(l.src, l.diags, NULL, NULL, &once, &len, &n), KL_OK);
    assert_int_equal(n, 1);
    assert_string_equal(once,
                        "{\"input\": {\"prompt\": \"p\", \"duration\": 5}, \"mode\": \"pro\"}");
    free(once);
    linted_free(&l);

    char *out = fix_document(text, false, REPLICATE, &n);
    assert_non_null(out);
    assert_string_equal(out,
                        "{\"input\": {\"prompt\": \"p\", \"duration\": 5, \"mode\": \"pro\"}}");
    assert_int_equal(n, 2);
    free(out);
}

static void test_document_with_nothing_to_fix(void **state)
{
    (void)state;
    size_t n = 7;
    assert_null(fix_document("{\"input\": {\"prompt\": \"p\", \"duration\": 5}}", false, NULL, &n));
    assert_int_equal(n, 0);
    /* Findings without fixes, and a syntax error, fix nothing either. */
    assert_null(fix_document("{\"input\": {\"prompt\": 5}}", false, NULL, &n));
    assert_null(fix_document("{\"input\": {\"prompt\": \"p\",}}", false, NULL, &n));
    assert_int_equal(n, 0);
}

static bool no_unknown_field(void *ctx, const kl_diag *d)
{
    (void)ctx;
    return strcmp(d->rule, "unknown-field") != 0;
}

static void test_document_filter(void **state)
{
    (void)state;
    const char *text = "{\"input\": {\"prompt\": \"p\", \"durration\": 5}}";
    kl_linter *linter;
    kl_source *src;
    assert_int_equal(kl_linter_new(&linter, NULL), KL_OK);
    assert_int_equal(kl_source_from_memory(&src, "t.json", text, strlen(text)), KL_OK);
    char *out;
    size_t len, n;
    assert_int_equal(
        kl_fix_document(linter, NULL, src, false, false, no_unknown_field, NULL, &out, &len, &n),
        KL_OK);
    assert_null(out);
    assert_int_equal(n, 0);
    kl_source_free(src);
    kl_linter_free(linter);
}

static void test_document_profile(void **state)
{
    (void)state;
    /* No `model`: detection finds no profile, the named one fixes the key. */
    const char *text = "{\"prompt\": \"p\", \"aspectRatio\": \"9:16\"}";
    size_t n;
    assert_null(fix_document(text, false, NULL, &n));
    char *out = fix_document(text, false, "ezmodel:kling-v3-omni", &n);
    assert_non_null(out);
    assert_string_equal(out, "{\"prompt\": \"p\", \"aspect_ratio\": \"9:16\"}");
    assert_int_equal(n, 1);
    free(out);

    kl_linter *linter;
    kl_source *src;
    assert_int_equal(kl_linter_new(&linter, NULL), KL_OK);
    assert_int_equal(kl_source_from_memory(&src, "t.json", text, strlen(text)), KL_OK);
    size_t len;
    out = NULL;
    assert_int_equal(
        kl_fix_document(linter, "no:such-profile", src, false, false, NULL, NULL, &out, &len, &n),
        KL_EUSAGE);
    assert_null(out);
    kl_source_free(src);
    kl_linter_free(linter);
}

/* Unsafe fixes (a nearest value) only when asked; safe ones always. */
static void test_document_unsafe_fixes(void **state)
{
    (void)state;
    const char *text = "{\"type\": \"video\", \"model\": \"kling-3.0\", \"input\": {\"prompt\": "
                       "\"p\", \"resolution\": \"8k\", \"aspect_ratio\": \"16:9\"}}";
    linted l;
    lint(&l, NULL, text);
    assert_int_equal(kl_diags_count(l.diags), 2);
    for (size_t i = 0; i < 2; i++) {
        const kl_diag *d = kl_diags_at(l.diags, i);
        assert_int_equal(d->n_fixes, 1);
        /* "8k" -> "4k" guesses; the rename spells the same field */
        assert_int_equal(d->fixes[0].unsafe, strcmp(d->rule, "enum") == 0);
    }
    linted_free(&l);

    size_t n;
    char *out = fix_document(text, false, NULL, &n);
    assert_non_null(out);
    assert_string_equal(out, "{\"type\": \"video\", \"model\": \"kling-3.0\", \"input\": "
                             "{\"prompt\": \"p\", \"resolution\": \"8k\", \"aspectRatio\": "
                             "\"16:9\"}}");
    assert_int_equal(n, 1);
    free(out);
    out = fix_document_as(text, false, NULL, true, &n);
    assert_non_null(out);
    assert_string_equal(out, "{\"type\": \"video\", \"model\": \"kling-3.0\", \"input\": "
                             "{\"prompt\": \"p\", \"resolution\": \"4k\", \"aspectRatio\": "
                             "\"16:9\"}}");
    assert_int_equal(n, 2);
    free(out);

    /* Only an unsafe fix: nothing to do, unless asked (in a JSON Lines record too). */
    const char *only = "{\"type\": \"video\", \"model\": \"kling-3.0\", \"input\": {\"prompt\": "
                       "\"p\", \"resolution\": \"8k\"}}\n";
    assert_null(fix_document(only, true, NULL, &n));
    assert_int_equal(n, 0);
    out = fix_document_as(only, true, NULL, true, &n);
    assert_non_null(out);
    assert_string_equal(out, "{\"type\": \"video\", \"model\": \"kling-3.0\", \"input\": "
                             "{\"prompt\": \"p\", \"resolution\": \"4k\"}}\n");
    assert_int_equal(n, 1);
    free(out);
}

/* Records fixed one by one; blank lines, CRLF and the missing final newline kept. */
static void test_jsonl_keeps_every_other_byte(void **state)
{
    (void)state;
    const char *text = "{\"input\": {\"prompt\": \"p\", \"durration\": 5}}\r\n"
                       "\r\n"
                       "  \t\r\n"
                       "{\"input\": {\"prompt\": \"q\"}}\r\n"
                       "{\"input\": {\"prompt\": \"broken\"}\r\n"
                       "\n"
                       "  {\"input\": {\"prompt\": \"r\"}, \"duration\": 5}  ";
    const char *want = "{\"input\": {\"prompt\": \"p\", \"duration\": 5}}\r\n"
                       "\r\n"
                       "  \t\r\n"
                       "{\"input\": {\"prompt\": \"q\"}}\r\n"
                       "{\"input\": {\"prompt\": \"broken\"}\r\n"
                       "\n"
                       "  {\"input\": {\"prompt\": \"r\", \"duration\": 5}}  ";
    size_t n;
    char *out = fix_document(text, true, REPLICATE, &n);
    assert_non_null(out);
    assert_string_equal(out, want);
    assert_int_equal(n, 2);
    free(out);

    /* Nothing to fix in any record: no output. */
    assert_null(fix_document("{\"input\": {\"prompt\": \"q\"}}\n\n", true, NULL, &n));
    assert_int_equal(n, 0);
}

/*
 * A move copies the member's value as it is written; a lone CR inside it
 * (JSON whitespace) would go into the edit. In a JSON Lines record that
 * fix is not applied (some readers end a line at a lone CR); in a plain
 * document it is.
 */
static void test_jsonl_fix_may_not_break_the_line(void **state)
{
    (void)state;
    const char *text =
        "{\"input\": {\"prompt\": \"p\"}, "
        "\"reference_images\": [\"https://x.test/a.jpg\",\r\"https://x.test/b.jpg\"]}";
    size_t n;
    assert_null(fix_document(text, true, REPLICATE, &n));
    assert_int_equal(n, 0);

    /* A source that is one record is fixed as a record. */
    kl_lint_options opts;
    memset(&opts, 0, sizeof(opts));
    opts.profile = REPLICATE;
    kl_linter *linter;
    assert_int_equal(kl_linter_new(&linter, &opts), KL_OK);
    kl_source record;
    kl_source_init_line(&record, "batch.jsonl", text, (uint32_t)strlen(text), 7);
    char *fixed = NULL;
    size_t len;
    assert_int_equal(
        kl_fix_document(linter, NULL, &record, false, false, NULL, NULL, &fixed, &len, &n), KL_OK);
    assert_null(fixed);
    assert_int_equal(n, 0);
    kl_linter_free(linter);

    char *out = fix_document(text, false, REPLICATE, &n);
    assert_non_null(out);
    assert_string_equal(out, "{\"input\": {\"prompt\": \"p\", \"reference_images\": "
                             "[\"https://x.test/a.jpg\",\r\"https://x.test/b.jpg\"]}}");
    assert_int_equal(n, 1);
    free(out);
}

/* ---- kl_file_replace --------------------------------------------------- */

typedef struct tmpdir {
    char path[64];
} tmpdir;

static void tmpdir_make(tmpdir *t)
{
    snprintf(t->path, sizeof(t->path), "/tmp/klint-fix-XXXXXX");
    assert_non_null(mkdtemp(t->path));
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static const size_t cap = 1 << 16;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Number of entries in the directory other than "." and "..". */
static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void remove_all(const tmpdir *t)
{
    DIR *d = opendir(t->path);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", t->path, e->d_name);
        unlink(p);
    }
    closedir(d);
    assert_int_equal(rmdir(t->path), 0);
}

static void test_replace_content_and_mode(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    char path[128];
    snprintf(path, sizeof(path), "%s/req.json", t.path);
    write_file(path, "{\"old\": true}\n", 0640);

    const char *text = "{\"new\": true, \"longer\": \"than before\"}\n";
    assert_int_equal(kl_file_replace(path, text, strlen(text)), KL_OK);
    char *got = read_file(path);
    assert_string_equal(got, text);
    free(got);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(count_entries(t.path), 1); /* no temporary file left */

    /* Shorter, and an empty file, with another mode. */
    assert_int_equal(chmod(path, 0755), 0);
    assert_int_equal(kl_file_replace(path, "", 0), KL_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    assert_int_equal(count_entries(t.path), 1);
    remove_all(&t);
}

static void test_replace_relative_path(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(t.path), 0);
    write_file("plain.json", "{}", 0600);
    assert_int_equal(kl_file_replace("plain.json", "[]", 2), KL_OK);
    char *got = read_file("plain.json");
    assert_string_equal(got, "[]");
    free(got);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(count_entries(t.path), 1);
    remove_all(&t);
}

/* A symbolic link is followed: the target gets the text, the link stays. */
static void test_replace_follows_a_symlink(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    char target[128], link[128];
    snprintf(target, sizeof(target), "%s/real.json", t.path);
    snprintf(link, sizeof(link), "%s/link.json", t.path);
    write_file(target, "{\"a\": 1}", 0604);
    assert_int_equal(symlink("real.json", link), 0);

    assert_int_equal(kl_file_replace(link, "{\"a\": 2}", 8), KL_OK);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char *got = read_file(target);
    assert_string_equal(got, "{\"a\": 2}");
    free(got);
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0604);
    assert_int_equal(count_entries(t.path), 2);
    remove_all(&t);
}

/* A missing file is created with the mode of any new file: 0666 less the umask. */
static void test_replace_creates_a_missing_file(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    static const struct {
        mode_t umask, mode;
    } masks[] = {{022, 0644}, {077, 0600}, {0, 0666}};
    for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/new-%zu.json", t.path, i);
        mode_t old = umask(masks[i].umask);
        int rc = kl_file_replace(path, "{}\n", 3);
        umask(old);
        assert_int_equal(rc, KL_OK);
        char *got = read_file(path);
        assert_string_equal(got, "{}\n");
        free(got);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, masks[i].mode);
    }
    assert_int_equal(count_entries(t.path), 3); /* no temporary file left */
    remove_all(&t);
}

/* Links are followed to the end of a chain, also to a file that does not exist yet; a loop
 * of links is an error (ELOOP) that creates nothing. */
static void test_replace_link_chains(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    char a[128], b[128], c[128], target[128];
    snprintf(a, sizeof(a), "%s/a.json", t.path);
    snprintf(b, sizeof(b), "%s/b.json", t.path);
    snprintf(c, sizeof(c), "%s/c.json", t.path);
    snprintf(target, sizeof(target), "%s/real.json", t.path);
    write_file(target, "old", 0640);
    assert_int_equal(symlink("b.json", a), 0);
    assert_int_equal(symlink(target, b), 0); /* absolute */
    assert_int_equal(kl_file_replace(a, "new", 3), KL_OK);
    char *got = read_file(target);
    assert_string_equal(got, "new");
    free(got);
    struct stat st;
    assert_int_equal(lstat(a, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(lstat(b, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);

    /* A link to a file not there yet: the file is made where the link points. */
    assert_int_equal(symlink("later.json", c), 0);
    mode_t old = umask(022);
    int rc = kl_file_replace(c, "made", 4);
    umask(old);
    assert_int_equal(rc, KL_OK);
    char later[128];
    snprintf(later, sizeof(later), "%s/later.json", t.path);
    got = read_file(later);
    assert_string_equal(got, "made");
    free(got);
    assert_int_equal(lstat(c, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(later, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(count_entries(t.path), 5);

    /* A loop. */
    char loop[128];
    snprintf(loop, sizeof(loop), "%s/loop.json", t.path);
    assert_int_equal(symlink("loop.json", loop), 0);
    errno = 0;
    assert_int_equal(kl_file_replace(loop, "x", 1), KL_EIO);
    assert_int_equal(errno, ELOOP);
    assert_int_equal(count_entries(t.path), 6);
    remove_all(&t);
}

static void test_replace_fails_cleanly(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    char path[128];

    /* No such directory: nothing is created. */
    snprintf(path, sizeof(path), "%s/missing/req.json", t.path);
    errno = 0;
    assert_int_equal(kl_file_replace(path, "x", 1), KL_EIO);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(count_entries(t.path), 0);

    /* Not a regular file. */
    assert_int_equal(kl_file_replace(t.path, "x", 1), KL_EIO);
    assert_int_equal(errno, EINVAL);

    snprintf(path, sizeof(path), "%s/req.json", t.path);
    write_file(path, "original", 0644);

    /* The write fails midway (a file size limit holds for root too). */
    struct rlimit old_limit, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    small = old_limit;
    small.rlim_cur = 16;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    char big[100];
    memset(big, 'x', sizeof(big));
    int rc = kl_file_replace(path, big, sizeof(big));
    int err = errno;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(rc, KL_EIO);
    assert_int_equal(err, EFBIG);
    char *got = read_file(path);
    assert_string_equal(got, "original");
    free(got);
    assert_int_equal(count_entries(t.path), 1);

    /* A directory we may not write to: no temporary file can be made. */
    if (geteuid() == 0) {
        print_message("running as root: the read-only directory case is skipped "
                      "(root may write anywhere)\n");
    } else {
        assert_int_equal(chmod(t.path, 0555), 0);
        errno = 0;
        assert_int_equal(kl_file_replace(path, "new", 3), KL_EIO);
        assert_int_equal(errno, EACCES);
        assert_int_equal(chmod(t.path, 0755), 0);
        got = read_file(path);
        assert_string_equal(got, "original");
        free(got);
        assert_int_equal(count_entries(t.path), 1);
    }
    remove_all(&t);
}

/* ---- --unsafe-fixes from the command line --------------------------------- */

/* klint FLAGS... FILE: the exit status, with stdout and stderr (malloc'd). */
static int run_cli(char **out, char **err, int argc, const char *const *argv)
{
    size_t out_len, err_len;
    FILE *o = open_memstream(out, &out_len), *e = open_memstream(err, &err_len);
    assert_non_null(o);
    assert_non_null(e);
    int status = kl_cli_main(argc, (char **)argv, o, e);
    fclose(o);
    fclose(e);
    return status;
}

static void test_cli_unsafe_fixes(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    char path[128];
    snprintf(path, sizeof(path), "%s/req.json", t.path);
    const char *text = "{\n  \"type\": \"video\",\n  \"model\": \"kling-3.0\",\n"
                       "  \"input\": {\"prompt\": \"p\", \"resolution\": \"8k\"}\n}\n";
    write_file(path, text, 0644);
    char *out, *err;

    /* Without --fix or --diff it would do nothing: a usage error. */
    const char *alone[] = {"klint", "--unsafe-fixes", path};
    assert_int_equal(run_cli(&out, &err, 3, alone), KL_EXIT_USAGE);
    assert_non_null(strstr(err, "--unsafe-fixes needs --fix or --diff"));
    free(out);
    free(err);

    /* --diff: nothing safe to show; with --unsafe-fixes, the nearest value. */
    const char *diff_safe[] = {"klint", "--diff", path};
    assert_int_equal(run_cli(&out, &err, 3, diff_safe), KL_EXIT_CLEAN);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "0 fixes in 0 files would be applied"));
    free(out);
    free(err);
    const char *diff_all[] = {"klint", "--diff", "--unsafe-fixes", path};
    assert_int_equal(run_cli(&out, &err, 4, diff_all), KL_EXIT_FINDINGS);
    assert_non_null(strstr(out, "+  \"input\": {\"prompt\": \"p\", \"resolution\": \"4k\"}\n"));
    free(out);
    free(err);

    /* --fix leaves the file; the report marks the fix unsafe. */
    const char *fix[] = {"klint", "--fix", "--color", "never", path};
    assert_int_equal(run_cli(&out, &err, 5, fix), KL_EXIT_FINDINGS);
    assert_non_null(strstr(out, "= help: set `resolution` to \"4k\" (unsafe fix: --fix applies it "
                                "only with --unsafe-fixes)"));
    char *got = read_file(path);
    assert_string_equal(got, text);
    free(got);
    free(out);
    free(err);
    const char *fix_all[] = {"klint", "--fix", "--unsafe-fixes", path};
    assert_int_equal(run_cli(&out, &err, 4, fix_all), KL_EXIT_CLEAN);
    assert_non_null(strstr(err, "applied 1 fix in 1 file"));
    got = read_file(path);
    assert_non_null(strstr(got, "\"resolution\": \"4k\""));
    free(got);
    free(out);
    free(err);
    remove_all(&t);
}

/* ---- kl_diff_unified ---------------------------------------------------- */

static char *diff(const char *old, const char *new_text)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(kl_diff_unified(f, "t.json", old, strlen(old), new_text, strlen(new_text)),
                     KL_OK);
    assert_int_equal(fclose(f), 0);
    return text;
}

static void expect_diff(const char *old, const char *new_text, const char *hunks)
{
    char *got = diff(old, new_text);
    char want[8192];
    snprintf(want, sizeof(want), "--- a/t.json\n+++ b/t.json\n%s", hunks);
    assert_string_equal(got, want);
    free(got);
}

static void test_diff_equal_texts_write_nothing(void **state)
{
    (void)state;
    char *got = diff("a\nb\n", "a\nb\n");
    assert_string_equal(got, "");
    free(got);
    got = diff("", "");
    assert_string_equal(got, "");
    free(got);
}

#define TEN "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"

static void test_diff_one_line_with_context(void **state)
{
    (void)state;
    expect_diff(TEN, "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n",
                "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
    /* Near the start and the end the context is shorter. */
    expect_diff(TEN, "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
                "@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n");
    expect_diff(TEN, "1\n2\n3\n4\n5\n6\n7\n8\n9\nten\n",
                "@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+ten\n");
}

static void test_diff_insert_and_delete(void **state)
{
    (void)state;
    expect_diff("1\n2\n3\n4\n5\n", "1\n2\nx\n3\n4\n5\n",
                "@@ -1,5 +1,6 @@\n 1\n 2\n+x\n 3\n 4\n 5\n");
    expect_diff("1\n2\n3\n4\n5\n", "1\n2\n4\n5\n", "@@ -1,5 +1,4 @@\n 1\n 2\n-3\n 4\n 5\n");
    /* One-line ranges are written without a count, empty ones as "line before,0". */
    expect_diff("a\n", "b\n", "@@ -1 +1 @@\n-a\n+b\n");
    expect_diff("", "a\nb\n", "@@ -0,0 +1,2 @@\n+a\n+b\n");
    expect_diff("a\n", "", "@@ -1 +0,0 @@\n-a\n");
}

/* 20 lines; changes 6 equal lines apart share a hunk, 7 apart do not. */
static void test_diff_hunks_join_within_six_lines(void **state)
{
    (void)state;
    char old[256] = "", a[256] = "", b[256] = "";
    for (int i = 1; i <= 20; i++) {
        char line[16];
        snprintf(line, sizeof(line), "%d\n", i);
        strcat(old, line);
        snprintf(line, sizeof(line), i == 2 || i == 9 ? "x%d\n" : "%d\n", i);
        strcat(a, line);
        snprintf(line, sizeof(line), i == 2 || i == 10 ? "x%d\n" : "%d\n", i);
        strcat(b, line);
    }
    expect_diff(old, a,
                "@@ -1,12 +1,12 @@\n 1\n-2\n+x2\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+x9\n 10\n 11\n 12\n");
    expect_diff(old, b,
                "@@ -1,5 +1,5 @@\n 1\n-2\n+x2\n 3\n 4\n 5\n"
                "@@ -7,7 +7,7 @@\n 7\n 8\n 9\n-10\n+x10\n 11\n 12\n 13\n");
}

static void test_diff_no_newline_at_end(void **state)
{
    (void)state;
    expect_diff("a\nb", "a\nc",
                "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
                "+c\n\\ No newline at end of file\n");
    /* Adding the final newline changes the last line. */
    expect_diff("a\nb", "a\nb\n", "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
    expect_diff("a\nb\n", "a\nb", "@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n");
    /* As context. */
    expect_diff("a\nb\nc", "x\nb\nc",
                "@@ -1,3 +1,3 @@\n-a\n+x\n b\n c\n\\ No newline at end of file\n");
}

/* Count the lines of a diff's hunks that start with `mark`. */
static size_t count_marked(const char *text, char mark)
{
    size_t n = 0;
    bool head = true;
    for (const char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        if (head && strncmp(p, "@@", 2) == 0)
            head = false;
        if (!head && *p == mark)
            n++;
    }
    return n;
}

/* The classic pair from Myers' paper: a shortest script has 5 edits. */
static void test_diff_is_minimal(void **state)
{
    (void)state;
    char *got = diff("a\nb\nc\na\nb\nb\na\n", "c\nb\na\nb\na\nc\n");
    assert_int_equal(count_marked(got, '-') + count_marked(got, '+'), 5);
    assert_int_equal(count_marked(got, '-'), 3);
    free(got);
}

/* Too many differences to search: still a correct diff, one replacement. */
static void test_diff_huge_falls_back_to_one_hunk(void **state)
{
    (void)state;
    enum { LINES = 60000 };
    char *old = malloc(LINES * 8 + 1), *new_text = malloc(LINES * 8 + 1);
    assert_non_null(old);
    assert_non_null(new_text);
    size_t a = 0, b = 0;
    for (int i = 0; i < LINES; i++) {
        a += (size_t)sprintf(old + a, "o%05d\n", i);
        b += (size_t)sprintf(new_text + b, "n%05d\n", i);
    }
    char *got = diff(old, new_text);
    assert_int_equal(count_marked(got, '-'), LINES);
    assert_int_equal(count_marked(got, '+'), LINES);
    assert_non_null(strstr(got, "@@ -1,60000 +1,60000 @@\n-o00000\n"));
    assert_non_null(strstr(got, "-o59999\n+n00000\n"));
    free(got);

    /* A few scattered changes in a big file: small hunks, found fast. */
    memcpy(new_text, old, a + 1);
    new_text[7 * 100] = 'X';
    new_text[7 * 30000] = 'Y';
    got = diff(old, new_text);
    assert_string_equal(got, "--- a/t.json\n+++ b/t.json\n"
                             "@@ -98,7 +98,7 @@\n o00097\n o00098\n o00099\n-o00100\n+X00100\n"
                             " o00101\n o00102\n o00103\n"
                             "@@ -29998,7 +29998,7 @@\n o29997\n o29998\n o29999\n-o30000\n"
                             "+Y30000\n o30001\n o30002\n o30003\n");
    free(got);
    free(old);
    free(new_text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_without_fixes_copies),
        cmocka_unit_test(test_apply_in_offset_order),
        cmocka_unit_test(test_apply_overlap_first_in_list_wins),
        cmocka_unit_test(test_apply_two_insertions_at_one_offset_overlap),
        cmocka_unit_test(test_apply_insertion_at_either_end_of_a_replacement_overlaps),
        cmocka_unit_test(test_apply_adjacent_replacements_both_apply),
        cmocka_unit_test(test_apply_edits_of_a_fix_all_or_nothing),
        cmocka_unit_test(test_apply_edits_of_a_fix_in_any_order),
        cmocka_unit_test(test_apply_fix_whose_own_edits_overlap_is_skipped),
        cmocka_unit_test(test_apply_takes_the_first_fix_only),
        cmocka_unit_test(test_apply_filter_decides_per_finding),
        cmocka_unit_test(test_apply_skips_edits_outside_the_source),
        cmocka_unit_test(test_apply_can_empty_the_text),
        cmocka_unit_test(test_apply_to_an_empty_source),
        cmocka_unit_test(test_real_rename_misspelled_key),
        cmocka_unit_test(test_real_move_into_input),
        cmocka_unit_test(test_real_sound_off_with_a_video),
        cmocka_unit_test(test_real_remove_first_member),
        cmocka_unit_test(test_real_remove_middle_member),
        cmocka_unit_test(test_real_remove_last_member),
        cmocka_unit_test(test_real_remove_on_one_line),
        cmocka_unit_test(test_real_insert_follows_the_layout),
        cmocka_unit_test(test_document_reaches_a_fixed_point),
        cmocka_unit_test(test_document_with_nothing_to_fix),
        cmocka_unit_test(test_document_filter),
        cmocka_unit_test(test_document_profile),
        cmocka_unit_test(test_document_unsafe_fixes),
        cmocka_unit_test(test_jsonl_keeps_every_other_byte),
        cmocka_unit_test(test_jsonl_fix_may_not_break_the_line),
        cmocka_unit_test(test_replace_content_and_mode),
        cmocka_unit_test(test_replace_relative_path),
        cmocka_unit_test(test_replace_follows_a_symlink),
        cmocka_unit_test(test_replace_fails_cleanly),
        cmocka_unit_test(test_replace_creates_a_missing_file),
        cmocka_unit_test(test_replace_link_chains),
        cmocka_unit_test(test_cli_unsafe_fixes),
        cmocka_unit_test(test_diff_equal_texts_write_nothing),
        cmocka_unit_test(test_diff_one_line_with_context),
        cmocka_unit_test(test_diff_insert_and_delete),
        cmocka_unit_test(test_diff_hunks_join_within_six_lines),
        cmocka_unit_test(test_diff_no_newline_at_end),
        cmocka_unit_test(test_diff_is_minimal),
        cmocka_unit_test(test_diff_huge_falls_back_to_one_hunk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
