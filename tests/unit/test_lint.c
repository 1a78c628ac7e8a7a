/* The lint façade: one call from a source to its diagnostics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "klint.h"

typedef struct fixture {
    kl_diags *diags;
} fixture;

static int setup(void **state)
{
    static fixture f;
    if (kl_diags_new(&f.diags) != KL_OK)
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kl_diags_free(f->diags);
    return 0;
}

/* Lint `text` with `opts` into f->diags (cleared first); the source stays alive in *src. */
static void lint_text(fixture *f, const kl_lint_options *opts, const char *text, kl_source **src)
{
    kl_linter *linter = NULL;
    assert_int_equal(kl_linter_new(&linter, opts), KL_OK);
    assert_non_null(linter);
    assert_int_equal(kl_source_from_memory(src, "t.json", text, strlen(text)), KL_OK);
    kl_diags_clear(f->diags);
    assert_int_equal(kl_linter_lint(linter, *src, f->diags), KL_OK);
    kl_linter_free(linter);
}

static void test_valid_document_has_no_findings(void **state)
{
    fixture *f = *state;
    kl_source *src;
    lint_text(f, NULL, "{\"model\": \"kling-v3-omni\", \"prompt\": \"a fox\", \"duration\": \"5\"}",
              &src);
    assert_int_equal(kl_diags_count(f->diags), 0);
    kl_source_free(src);
}

static void test_syntax_error_is_one_finding(void **state)
{
    fixture *f = *state;
    kl_source *src;
    /*                  0123456789 */
    lint_text(f, NULL, "{\"a\": 1,}", &src);
    assert_int_equal(kl_diags_count(f->diags), 1);
    const kl_diag *d = kl_diags_at(f->diags, 0);
    assert_string_equal(d->rule, KL_RULE_JSON_SYNTAX);
    assert_int_equal(d->severity, KL_SEV_ERROR);
    assert_int_equal(d->span.start, 7); /* the trailing comma itself */
    kl_source_free(src);
}

static void test_duplicate_key_is_a_warning_with_both_places(void **state)
{
    fixture *f = *state;
    kl_source *src;
    /*                  0         1         2         3         4 */
    /*                  01234567890123456789012345678901234567890123456789 */
    lint_text(f, NULL, "{\"model\":\"kling-v3-omni\",\"prompt\":\"x\",\"prompt\":\"y\"}", &src);
    assert_int_equal(kl_diags_count(f->diags), 1);
    const kl_diag *d = kl_diags_at(f->diags, 0);
    assert_string_equal(d->rule, KL_RULE_JSON_DUPLICATE_KEY);
    assert_int_equal(d->severity, KL_SEV_WARNING);
    assert_int_equal(d->span.start, 38); /* the second "prompt" */
    assert_int_equal(d->n_related, 1);
    assert_int_equal(d->related[0].span.start, 25); /* the first "prompt" */
    kl_source_free(src);
}

/* Copy the diagnostics of f->diags into a new list. */
static kl_diags *copy_diags(const fixture *f)
{
    kl_diags *copy = NULL;
    assert_int_equal(kl_diags_new(&copy), KL_OK);
    for (size_t j = 0; j < kl_diags_count(f->diags); j++)
        assert_int_equal(kl_diags_add(copy, kl_diags_at(f->diags, j)), KL_OK);
    return copy;
}

/*
 * Syntax only: the loader's findings are exactly those of a full lint (a
 * document that does not load gets no rules either), and no rule runs.
 */
static void test_syntax_only_finds_the_loader_findings(void **state)
{
    fixture *f = *state;
    static const char *const docs[] = {
        "{\"model\":\"kling-v3-omni\",\"prompt\":\"a fox\"}",
        "{\"model\":\"kling-v3-omni\",\"prompt\":\"x\",\"prompt\":\"y\"}",
        "\xef\xbb\xbf{\"model\":\"kling-v3-omni\",\"prompt\":\"a fox\"}",
        "[1, 2,]",
        "{\"a\": tru}",
        "",
    };
    kl_lint_options syntax = {0};
    syntax.syntax_only = true;
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        kl_source *src_full, *src_syntax;
        lint_text(f, NULL, docs[i], &src_full);
        kl_diags *full = copy_diags(f);

        lint_text(f, &syntax, docs[i], &src_syntax);
        assert_int_equal(kl_diags_count(f->diags), kl_diags_count(full));
        for (size_t j = 0; j < kl_diags_count(full); j++) {
            const kl_diag *a = kl_diags_at(full, j), *b = kl_diags_at(f->diags, j);
            assert_string_equal(a->rule, b->rule);
            assert_int_equal(a->severity, b->severity);
            assert_int_equal(a->span.start, b->span.start);
            assert_int_equal(a->span.end, b->span.end);
            assert_string_equal(a->message, b->message);
        }
        kl_diags_free(full);
        kl_source_free(src_full);
        kl_source_free(src_syntax);
    }
}

/* A full lint runs the model rules behind the same call; syntax only does not. */
static void test_full_lint_runs_the_rules(void **state)
{
    fixture *f = *state;
    static const char doc[] =
        "{\"model\":\"kling-v3-omni\",\"prompt\":\"a fox\",\"duration\":\"99\"}";
    kl_source *src;
    lint_text(f, NULL, doc, &src);
    assert_true(kl_diags_count(f->diags) >= 1);
    const kl_diag *d = kl_diags_at(f->diags, 0);
    assert_non_null(d->profile); /* a rule finding, not the loader's */
    assert_int_equal(d->severity, KL_SEV_ERROR);
    assert_int_equal(d->span.start, (uint32_t)(strstr(doc, "\"99\"") - doc));
    kl_source_free(src);

    kl_lint_options syntax = {0};
    syntax.syntax_only = true;
    lint_text(f, &syntax, doc, &src);
    assert_int_equal(kl_diags_count(f->diags), 0);
    kl_source_free(src);
}

static void test_max_depth_option(void **state)
{
    fixture *f = *state;
    kl_source *src;
    kl_lint_options opts = {0};
    opts.syntax_only = true; /* a loader option: keep the rules out of it */
    opts.max_depth = 2;
    lint_text(f, &opts, "[[1]]", &src);
    assert_int_equal(kl_diags_count(f->diags), 0);
    kl_source_free(src);

    lint_text(f, &opts, "[[[1]]]", &src);
    assert_int_equal(kl_diags_count(f->diags), 1);
    assert_string_equal(kl_diags_at(f->diags, 0)->rule, KL_RULE_JSON_DEPTH);
    assert_int_equal(kl_diags_at(f->diags, 0)->severity, KL_SEV_ERROR);
    kl_source_free(src);

    /* 0 means the default limit, which three levels do not reach. */
    opts.max_depth = 0;
    lint_text(f, &opts, "[[[1]]]", &src);
    assert_int_equal(kl_diags_count(f->diags), 0);
    kl_source_free(src);
}

/*
 * One linter, many documents (the JSON Lines case): results do not leak
 * from one document into the next, and findings are appended, not replaced.
 */
static void test_linter_reused_across_documents(void **state)
{
    fixture *f = *state;
    kl_linter *linter;
    assert_int_equal(kl_linter_new(&linter, NULL), KL_OK);
    static const struct {
        const char *text;
        size_t findings;
    } docs[] = {
        {"{\"model\":", 1},
        {"{\"model\":\"kling-v3-omni\",\"prompt\":\"a fox\"}", 0},
        {"[1,,2]", 1},
        {"{\"model\":\"kling-v3-omni\",\"prompt\":\"x\",\"prompt\":\"y\"}", 1},
    };
    size_t total = 0;
    kl_diags_clear(f->diags);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
            kl_source *src;
            assert_int_equal(
                kl_source_from_memory(&src, "t.json", docs[i].text, strlen(docs[i].text)), KL_OK);
            size_t before = kl_diags_count(f->diags);
            assert_int_equal(kl_linter_lint(linter, src, f->diags), KL_OK);
            assert_int_equal(kl_diags_count(f->diags) - before, docs[i].findings);
            total += docs[i].findings;
            kl_source_free(src);
        }
    }
    assert_int_equal(kl_diags_count(f->diags), total);
    kl_linter_free(linter);
}

/* A JSON Lines record: spans are relative to the record, lines are the file's. */
static void test_record_source_positions(void **state)
{
    fixture *f = *state;
    kl_linter *linter;
    assert_int_equal(kl_linter_new(&linter, NULL), KL_OK);
    static const char line[] = "{\"a\":1 \"b\":2}";
    kl_source src;
    kl_source_init_line(&src, "batch.jsonl", line, (uint32_t)strlen(line), 42);
    kl_diags_clear(f->diags);
    assert_int_equal(kl_linter_lint(linter, &src, f->diags), KL_OK);
    assert_int_equal(kl_diags_count(f->diags), 1);
    const kl_diag *d = kl_diags_at(f->diags, 0);
    assert_int_equal(d->span.start, 7); /* the '"' of "b", where ',' or '}' was expected */
    kl_pos pos = kl_source_pos(&src, d->span.start);
    assert_int_equal(pos.line, 42);
    assert_int_equal(pos.column, 8);
    kl_linter_free(linter);
}

static void test_bad_arguments(void **state)
{
    fixture *f = *state;
    kl_linter_free(NULL);
    kl_linter *linter;
    assert_int_equal(kl_linter_new(&linter, NULL), KL_OK);
    kl_source src;
    kl_source_init_line(&src, "x", "{}", 2, 1);
    assert_int_equal(kl_linter_lint(linter, NULL, f->diags), KL_EINTERNAL);
    assert_int_equal(kl_linter_lint(linter, &src, NULL), KL_EINTERNAL);
    kl_linter_free(linter);
}

/* kl_linter_lint_as: the profile named per call beats detection and the options' profile. */
static void test_lint_as_profile(void **state)
{
    fixture *f = *state;
    /* An ezmodel request: clean for its own profile, wrong for Givon's. */
    static const char doc[] = "{\"model\":\"kling-v3-omni\",\"prompt\":\"a fox\",\"duration\":\"5\"}";
    kl_source *src;
    assert_int_equal(kl_source_from_memory(&src, "t.json", doc, strlen(doc)), KL_OK);
    kl_linter *linter;
    assert_int_equal(kl_linter_new(&linter, NULL), KL_OK);

    kl_diags_clear(f->diags);
    assert_int_equal(kl_linter_lint_as(linter, src, NULL, f->diags), KL_OK); /* detection */
    assert_int_equal(kl_diags_count(f->diags), 0);

    assert_int_equal(kl_linter_lint_as(linter, src, "givon:kling-3.0", f->diags), KL_OK);
    size_t n = kl_diags_count(f->diags);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(kl_diags_at(f->diags, i)->profile, "givon:kling-3.0");

    /* An unknown id: KL_EUSAGE, and nothing appended. */
    assert_int_equal(kl_linter_lint_as(linter, src, "givon:kling-9", f->diags), KL_EUSAGE);
    assert_int_equal(kl_diags_count(f->diags), n);

    /* The same linter goes on detecting when asked for nothing in particular. */
    kl_diags_clear(f->diags);
    assert_int_equal(kl_linter_lint(linter, src, f->diags), KL_OK);
    assert_int_equal(kl_diags_count(f->diags), 0);
    kl_linter_free(linter);

    /* With a profile forced by the options, NULL keeps it and an id overrides it. */
    kl_lint_options opts = {0};
    opts.profile = "givon:kling-3.0";
    assert_int_equal(kl_linter_new(&linter, &opts), KL_OK);
    kl_diags_clear(f->diags);
    assert_int_equal(kl_linter_lint_as(linter, src, NULL, f->diags), KL_OK);
    assert_int_equal(kl_diags_count(f->diags), n);
    kl_diags_clear(f->diags);
    assert_int_equal(kl_linter_lint_as(linter, src, "ezmodel:kling-v3-omni", f->diags), KL_OK);
    assert_int_equal(kl_diags_count(f->diags), 0);
    kl_linter_free(linter);

    /* Syntax only: no profile runs, whichever is named ... */
    opts.profile = NULL;
    opts.syntax_only = true;
    assert_int_equal(kl_linter_new(&linter, &opts), KL_OK);
    kl_diags_clear(f->diags);
    assert_int_equal(kl_linter_lint_as(linter, src, "givon:kling-3.0", f->diags), KL_OK);
    assert_int_equal(kl_diags_count(f->diags), 0);
    /* ... but an unknown id is KL_EUSAGE all the same, with nothing appended (not even the
     * loader's findings of a broken document). */
    assert_int_equal(kl_linter_lint_as(linter, src, "givon:kling-9", f->diags), KL_EUSAGE);
    kl_source *broken;
    assert_int_equal(kl_source_from_memory(&broken, "b.json", "{,", 2), KL_OK);
    assert_int_equal(kl_linter_lint_as(linter, broken, "givon:kling-9", f->diags), KL_EUSAGE);
    assert_int_equal(kl_diags_count(f->diags), 0);
    assert_int_equal(kl_linter_lint_as(linter, broken, NULL, f->diags), KL_OK);
    assert_int_equal(kl_diags_count(f->diags), 1);
    kl_source_free(broken);
    assert_int_equal(kl_linter_lint_as(NULL, src, NULL, f->diags), KL_EINTERNAL);
    assert_int_equal(kl_linter_lint_as(linter, NULL, NULL, f->diags), KL_EINTERNAL);
    kl_linter_free(linter);

    /* The same for the options' profile, and for the ids of the options' own rules. */
    opts.profile = "givon:kling-9";
    linter = (kl_linter *)&opts; /* must be reset */
    assert_int_equal(kl_linter_new(&linter, &opts), KL_EUSAGE);
    assert_null(linter);
    opts.profile = "givon:kling-3.0";
    assert_int_equal(kl_linter_new(&linter, &opts), KL_OK);
    kl_linter_free(linter);
    kl_ruleset *rs;
    assert_int_equal(kl_ruleset_new(&rs), KL_OK);
    assert_int_equal(kl_ruleset_finish(rs, NULL, NULL), KL_OK); /* no profile at all */
    opts.rules = rs;
    assert_int_equal(kl_linter_new(&linter, &opts), KL_EUSAGE);
    opts.profile = NULL;
    assert_int_equal(kl_linter_new(&linter, &opts), KL_OK);
    assert_int_equal(kl_linter_lint_as(linter, src, "givon:kling-3.0", f->diags), KL_EUSAGE);
    kl_linter_free(linter);
    kl_ruleset_free(rs);
    kl_source_free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_document_has_no_findings),
        cmocka_unit_test(test_syntax_error_is_one_finding),
        cmocka_unit_test(test_duplicate_key_is_a_warning_with_both_places),
        cmocka_unit_test(test_syntax_only_finds_the_loader_findings),
        cmocka_unit_test(test_full_lint_runs_the_rules),
        cmocka_unit_test(test_max_depth_option),
        cmocka_unit_test(test_linter_reused_across_documents),
        cmocka_unit_test(test_record_source_positions),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_lint_as_profile),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
