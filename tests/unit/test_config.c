/*
 * .klint.json (src/config.h): loading with positions, checking against a
 * ruleset, discovery, relative paths, judging findings, unused ignores, and
 * the README's example, linted as written.
 *
 * Fixtures: fixtures/config/ (example/ is the README's example with the
 * files it talks about; bad/ holds broken configurations). Every expected
 * line:column below was counted by hand in the fixture.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, symlink, realpath */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>

#include <cmocka.h>

#include "config.h"
#include "klint.h"
#include "rules.h"
#include "test_util.h"

/* ---- Helpers -------------------------------------------------------------- */

typedef struct loaded {
    kl_config *cfg;
    kl_source *src;
    kl_diags *diags;
    int rc;
} loaded;

static void load(loaded *l, const char *path)
{
    memset(l, 0, sizeof(*l));
    assert_int_equal(kl_diags_new(&l->diags), KL_OK);
    l->rc = kl_config_load(&l->cfg, path, &l->src, l->diags);
}

static void unload(loaded *l)
{
    kl_config_free(l->cfg);
    kl_source_free(l->src);
    kl_diags_free(l->diags);
}

#define INVALID(i, line, col, words)                                                               \
    tu_expect_diag(l.diags, l.src, i, KL_RULE_CONFIG_INVALID, KL_SEV_ERROR, line, col, words)

/* The ```json block of README.md between `<!-- NAME:begin -->` and `<!-- NAME:end -->`. */
static char *readme_block(const char *name)
{
    char *readme = tu_read_text(KL_SOURCE_ROOT "/README.md");
    char begin[128], end[128];
    snprintf(begin, sizeof(begin), "<!-- %s:begin -->\n```json\n", name);
    snprintf(end, sizeof(end), "```\n<!-- %s:end -->", name);
    char *b = strstr(readme, begin);
    if (b == NULL)
        fail_msg("README.md has no `%s` block", name);
    b += strlen(begin);
    char *e = strstr(b, end);
    assert_non_null(e);
    size_t n = (size_t)(e - b);
    char *out = malloc(n + 1);
    assert_non_null(out);
    memcpy(out, b, n);
    out[n] = '\0';
    free(readme);
    return out;
}

/* A finished ruleset: the built-in rules plus the configuration's own rule files. */
static kl_ruleset *ruleset_for(const kl_config *cfg)
{
    kl_ruleset *rs;
    assert_int_equal(kl_ruleset_new(&rs), KL_OK);
    assert_int_equal(kl_ruleset_add_builtin(rs), KL_OK);
    for (size_t i = 0; i < kl_config_rule_file_count(cfg); i++)
        assert_int_equal(kl_ruleset_add_path(rs, kl_config_rule_file(cfg, i)), KL_OK);
    assert_int_equal(kl_ruleset_finish(rs, NULL, NULL), KL_OK);
    return rs;
}

/* ---- The README's example ---------------------------------------------------- */

static void test_readme_example_is_the_fixture(void **state)
{
    (void)state;
    char *block = readme_block("config-example");
    char *fixture = tu_read_text("fixtures/config/example/.klint.json");
    assert_string_equal(block, fixture);
    free(block);
    free(fixture);
}

static void test_example_loads_and_checks(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/example/.klint.json");
    assert_int_equal(l.rc, KL_OK);
    assert_int_equal(kl_diags_count(l.diags), 0);
    assert_string_equal(kl_config_dir(l.cfg), "fixtures/config/example");
    assert_int_equal(kl_config_rule_file_count(l.cfg), 1);
    assert_string_equal(kl_config_rule_file(l.cfg, 0), "fixtures/config/example/policy/no-4k.json");
    kl_ruleset *rs = ruleset_for(l.cfg);
    /* policy-no-4k is declared by the configuration's own rule file. */
    assert_int_equal(kl_config_check(l.cfg, rs, l.diags), KL_OK);
    assert_int_equal(kl_diags_count(l.diags), 0);
    assert_string_equal(kl_config_profile_for(l.cfg, "templates/replicate/typo.json"),
                        "replicate:kwaivgi/kling-v3-omni-video");
    assert_null(kl_config_profile_for(l.cfg, "templates/givon-4k.json"));
    assert_null(kl_config_profile_for(l.cfg, NULL));
    kl_ruleset_free(rs);
    unload(&l);
}

/* What the configuration made of one finding. */
typedef struct judged {
    const char *file;
    const char *rule;
    const char *path;
    bool keep;
    kl_severity sev;
    int entry;
} judged;

static void test_example_lints_as_documented(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/example/.klint.json");
    assert_int_equal(l.rc, KL_OK);
    kl_ruleset *rs = ruleset_for(l.cfg);
    kl_lint_options opts = {0};
    opts.rules = rs;
    kl_linter *linter;
    assert_int_equal(kl_linter_new(&linter, &opts), KL_OK);

    static const char *const files[] = {
        "fixtures/config/example/legacy/old.json",
        "fixtures/config/example/templates/givon-4k.json",
        "fixtures/config/example/templates/replicate/clean.json",
        "fixtures/config/example/templates/replicate/typo.json",
    };
    /*
     * Without the configuration: unknown-field (warning) in old.json and typo.json, media-type
     * in typo.json, nothing in givon-4k.json (4k is a Givon resolution). With it: the legacy
     * entry drops old.json's finding, `ignore` drops media-type, `severity` raises
     * unknown-field to an error, and the policy's rule file adds policy-no-4k, lowered to a
     * warning.
     */
    static const judged expected[] = {
        {"legacy/old.json", "unknown-field", "$.input.negativePrompt", false, KL_SEV_WARNING, 0},
        {"templates/givon-4k.json", "policy-no-4k", "$.input.resolution", true, KL_SEV_WARNING, -1},
        {"templates/replicate/typo.json", "unknown-field", "$.input.negative_promt", true,
         KL_SEV_ERROR, -1},
        {"templates/replicate/typo.json", "media-type", "$.input.start_image", false,
         KL_SEV_WARNING, -1},
    };
    size_t n = 0;
    kl_diags *diags;
    assert_int_equal(kl_diags_new(&diags), KL_OK);
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        kl_source *src;
        assert_int_equal(kl_source_read_file(&src, files[f], NULL), KL_OK);
        char *rel = kl_config_relative(l.cfg, files[f]);
        assert_non_null(rel);
        kl_config_note_file(l.cfg, rel);
        kl_diags_clear(diags);
        assert_int_equal(kl_linter_lint_as(linter, src, kl_config_profile_for(l.cfg, rel), diags),
                         KL_OK);
        for (size_t i = 0; i < kl_diags_count(diags); i++) {
            const kl_diag *d = kl_diags_at(diags, i);
            kl_config_verdict v = kl_config_judge(l.cfg, rel, d->rule, d->path, d->severity);
            if (!v.keep)
                kl_config_note_use(l.cfg, v.ignore_entry);
            assert_true(n < sizeof(expected) / sizeof(expected[0]));
            const judged *x = &expected[n++];
            assert_string_equal(rel, x->file);
            assert_string_equal(d->rule, x->rule);
            assert_string_equal(d->path, x->path);
            assert_int_equal(v.keep, x->keep);
            assert_int_equal(v.keep ? v.severity : d->severity, x->sev);
            assert_int_equal(v.ignore_entry, x->entry);
        }
        free(rel);
        kl_source_free(src);
    }
    assert_int_equal(n, sizeof(expected) / sizeof(expected[0]));
    /* The legacy entry was used: nothing to report. */
    kl_diags_clear(diags);
    assert_int_equal(kl_config_report_unused(l.cfg, diags), KL_OK);
    assert_int_equal(kl_diags_count(diags), 0);
    kl_diags_free(diags);
    kl_linter_free(linter);
    kl_ruleset_free(rs);
    unload(&l);
}

static void test_readme_select_example_loads(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_temp_dir(dir, sizeof(dir), "config");
    snprintf(path, sizeof(path), "%s/.klint.json", dir);
    char *block = readme_block("config-example-select");
    tu_write_text(path, block);
    free(block);
    loaded l;
    load(&l, path);
    assert_int_equal(l.rc, KL_OK);
    assert_int_equal(kl_diags_count(l.diags), 0);
    kl_ruleset *rs = ruleset_for(l.cfg);
    assert_int_equal(kl_config_check(l.cfg, rs, l.diags), KL_OK);
    kl_ruleset_free(rs);
    unload(&l);
    tu_remove_tree(dir);
}

/* ---- Broken configurations ---------------------------------------------------- */

static void test_syntax_error(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/bad/syntax.json");
    assert_int_equal(l.rc, KL_EUSAGE);
    assert_null(l.cfg);
    assert_non_null(l.src);
    assert_int_equal(kl_diags_count(l.diags), 1);
    INVALID(0, 2, 26, "trailing comma before ']'");
    unload(&l);
}

static void test_unknown_key_has_a_did_you_mean(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/bad/unknown-key.json");
    assert_int_equal(l.rc, KL_EUSAGE);
    assert_int_equal(kl_diags_count(l.diags), 1);
    INVALID(0, 2, 3, "unknown key `ignores_` in the configuration; did you mean `ignores`?");
    unload(&l);
}

static void test_not_an_object(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/bad/not-object.json");
    assert_int_equal(l.rc, KL_EUSAGE);
    assert_int_equal(kl_diags_count(l.diags), 1);
    INVALID(0, 1, 1, "a configuration is a JSON object");
    unload(&l);
}

static void test_duplicate_key_is_an_error(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/bad/duplicate-key.json");
    assert_int_equal(l.rc, KL_EUSAGE);
    assert_int_equal(kl_diags_count(l.diags), 1);
    INVALID(0, 3, 3, "duplicate key \"ignore\" on line 3 (first defined on line 2)");
    const kl_diag *d = kl_diags_at(l.diags, 0);
    assert_int_equal(d->n_related, 1);
    assert_int_equal(kl_source_pos(l.src, d->related[0].span.start).line, 2);
    unload(&l);
}

static void test_missing_rule_file(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/bad/rule-file-missing.json");
    assert_int_equal(l.rc, KL_EUSAGE);
    assert_int_equal(kl_diags_count(l.diags), 1);
    INVALID(0, 1, 12,
            "cannot read rule file `policy/missing.json` "
            "(`fixtures/config/bad/policy/missing.json` from the current directory): no such file");
    unload(&l);
}

static void test_every_kind_of_mistake_is_reported_in_place(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/bad/types.json");
    assert_int_equal(l.rc, KL_EUSAGE);
    INVALID(0, 2, 12, "`rules` is a list of strings, not a string");
    INVALID(1, 3, 13, "`select` is an empty list");
    INVALID(2, 4, 14, "`json-syntax` cannot be turned off");
    INVALID(3, 5, 33,
            "a severity is \"error\", \"warning\" or \"info\"; did you mean \"warning\"?");
    INVALID(4, 5, 49, "to turn `enum` off, list it in `ignore`");
    INVALID(5, 6, 27, "bad glob: a glob is relative to the configuration's directory");
    INVALID(6, 8, 5, "an `ignores` entry names at least one of `files`, `rules` and `paths`");
    INVALID(7, 9, 26, "bad glob: `**` must be a whole path segment");
    INVALID(8, 10, 16, "this is a JSON Pointer; patterns are JSON paths: `$.input.negativePrompt`");
    INVALID(9, 10, 41, "a JSON path starts with `$`: `$.input.x`");
    INVALID(10, 10, 57, "bad JSON path pattern: an index has no leading zeros");
    INVALID(11, 11, 16, "`config-unused-ignore` is about klint's own files");
    assert_int_equal(kl_diags_count(l.diags), 12);
    /* The path of a problem is its place in the configuration. */
    assert_string_equal(kl_diags_at(l.diags, 8)->path, "$.ignores[2].paths[0]");
    assert_string_equal(kl_diags_at(l.diags, 3)->path, "$.severity['unknown-field']");
    unload(&l);
}

static void test_unknown_rule_and_profile_ids(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/bad/unknown-ids.json");
    assert_int_equal(l.rc, KL_OK); /* ids are checked against a ruleset, later */
    assert_int_equal(kl_diags_count(l.diags), 0);
    kl_ruleset *rs = ruleset_for(l.cfg);
    assert_int_equal(kl_config_check(l.cfg, rs, l.diags), KL_EUSAGE);
    INVALID(0, 2, 14, "unknown rule `unkown-field`; did you mean `unknown-field`?");
    INVALID(1, 3, 16, "unknown rule `shot-summ`; did you mean `shot-sum`?");
    INVALID(2, 4, 26, "unknown rule `no-such-rule-at-all` (`klint rules` lists the rules)");
    INVALID(3, 6, 34,
            "unknown profile `kwaivgi/kling-v3-omni-video`; did you mean "
            "`replicate:kwaivgi/kling-v3-omni-video`?");
    INVALID(4, 7, 34,
            "unknown profile `givon:kling-3.0-omnii`; did you mean `givon:kling-3.0-omni`?");
    INVALID(5, 8, 34, "unknown profile `nope` (`klint rules` lists the profiles)");
    assert_int_equal(kl_diags_count(l.diags), 6);
    kl_ruleset_free(rs);
    unload(&l);
}

static void test_own_rule_ids_are_known(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_temp_dir(dir, sizeof(dir), "config");
    snprintf(path, sizeof(path), "%s/.klint.json", dir);
    tu_write_text(path,
                  "{\"select\": [\"json-syntax\", \"enum\"],\n"
                  " \"ignore\": [\"json-bom\", \"baseline-unmatched\", \"config-unused-ignore\"],\n"
                  " \"severity\": {\"json-duplicate-key\": \"error\"}}\n");
    loaded l;
    load(&l, path);
    assert_int_equal(l.rc, KL_OK);
    kl_ruleset *rs;
    assert_int_equal(kl_ruleset_builtin(&rs), KL_OK);
    assert_int_equal(kl_config_check(l.cfg, rs, l.diags), KL_OK);
    assert_int_equal(kl_diags_count(l.diags), 0);
    /* json-duplicate-key is not a model rule: `select` leaves it on, `severity` applies. */
    kl_config_verdict v =
        kl_config_judge(l.cfg, "a.json", "json-duplicate-key", "$.a", KL_SEV_WARNING);
    assert_true(v.keep);
    assert_int_equal(v.severity, KL_SEV_ERROR);
    v = kl_config_judge(l.cfg, "a.json", "json-bom", "$", KL_SEV_WARNING);
    assert_false(v.keep);
    v = kl_config_judge(l.cfg, "a.json", "range", "$.input.duration", KL_SEV_ERROR);
    assert_false(v.keep); /* not selected */
    kl_ruleset_free(rs);
    unload(&l);
    tu_remove_tree(dir);
}

static void test_unreadable_and_odd_files(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/no-such-file.json");
    assert_int_equal(l.rc, KL_EIO);
    assert_int_equal(errno, ENOENT);
    assert_null(l.cfg);
    assert_null(l.src);
    unload(&l);

    char dir[64], path[128];
    tu_temp_dir(dir, sizeof(dir), "config");
    snprintf(path, sizeof(path), "%s/.klint.json", dir);
    tu_write_text(path, "");
    load(&l, path);
    assert_int_equal(l.rc, KL_EUSAGE);
    INVALID(0, 1, 1, "");
    assert_int_equal(kl_diags_count(l.diags), 1);
    unload(&l);

    /* A byte order mark is a warning; comments are allowed anywhere an object is. */
    tu_write_text(path,
                  "\xef\xbb\xbf{\"comment\": \"shared settings\",\n"
                  " \"ignores\": [{\"comment\": [\"why\", \"until when\"], \"rules\": \"enum\"}],\n"
                  " \"profiles\": [{\"files\": \"x/\", \"profile\": \"givon:kling-3.0\", "
                  "\"comment\": \"x\"}]}");
    load(&l, path);
    assert_int_equal(l.rc, KL_OK);
    assert_int_equal(kl_diags_count(l.diags), 1);
    tu_expect_diag(l.diags, l.src, 0, KL_RULE_CONFIG_INVALID, KL_SEV_WARNING, 1, 1,
                   "byte order mark");
    unload(&l);

    /* A comment that is neither text nor a list of text. */
    tu_write_text(path, "{\"comment\": 42}");
    load(&l, path);
    assert_int_equal(l.rc, KL_EUSAGE);
    INVALID(0, 1, 13, "`comment` is a string or a list of strings, not an integer");
    unload(&l);
    tu_remove_tree(dir);
}

static void test_path_pattern_suggestions_are_valid_patterns(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_temp_dir(dir, sizeof(dir), "config");
    snprintf(path, sizeof(path), "%s/.klint.json", dir);
    /* Each guess ("$.input[01]", "$.a[01]", a pointer with an escape) would be invalid too. */
    tu_write_text(path, "{\"ignores\": [{\"paths\": [\"input[01]\", \"/a/01\", \"/a/~1b\", "
                        "\"/input/shots/0\"]}]}");
    loaded l;
    load(&l, path);
    assert_int_equal(l.rc, KL_EUSAGE);
    INVALID(0, 1, 26, "bad JSON path pattern: a JSON path starts with `$`");
    INVALID(1, 1, 39, "bad JSON path pattern: a JSON path starts with `$`");
    INVALID(2, 1, 48, "bad JSON path pattern: a JSON path starts with `$`");
    /* A pointer that has a pattern form gets it. */
    INVALID(3, 1, 57, "this is a JSON Pointer; patterns are JSON paths: `$.input.shots[0]`");
    assert_int_equal(kl_diags_count(l.diags), 4);
    unload(&l);
    tu_remove_tree(dir);
}

/* ---- Judging ----------------------------------------------------------------- */

static void expect_verdict(const kl_config *cfg, const char *file, const char *rule,
                           const char *path, kl_severity sev, bool keep, kl_severity want_sev,
                           int entry)
{
    kl_config_verdict v = kl_config_judge(cfg, file, rule, path, sev);
    if (v.keep != keep || (keep && v.severity != want_sev) || v.ignore_entry != entry)
        fail_msg("%s %s %s: got keep=%d sev=%d entry=%d", file ? file : "(none)", rule, path,
                 v.keep, (int)v.severity, v.ignore_entry);
}

static void test_judge(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/ignores.json");
    assert_int_equal(l.rc, KL_OK);
    const kl_config *c = l.cfg;
    const kl_severity W = KL_SEV_WARNING, E = KL_SEV_ERROR, I = KL_SEV_INFO;
    /* ignores[0]: files under legacy/, rule unknown-field. */
    expect_verdict(c, "legacy/x.json", "unknown-field", "$.input.foo", W, false, W, 0);
    expect_verdict(c, "legacy/deep/x.json", "unknown-field", "$.input.foo", W, false, W, 0);
    /* Elsewhere it is kept, at the severity the configuration gives it. */
    expect_verdict(c, "x.json", "unknown-field", "$.input.foo", W, true, I, -1);
    expect_verdict(c, NULL, "unknown-field", "$.input.foo", W, true, I, -1);
    /* `ignore` beats `select`; rules outside `select` are dropped. */
    expect_verdict(c, "x.json", "enum", "$.input.mode", E, false, E, -1);
    expect_verdict(c, "x.json", "range", "$.input.duration", E, false, E, -1);
    /* klint's own rules are not model rules: `select` does not drop them. */
    expect_verdict(c, "x.json", "json-duplicate-key", "$.a", W, true, W, -1);
    expect_verdict(c, "x.json", "json-syntax", "$", E, true, E, -1);
    /* ignores[1]: a name glob and an anchored glob, a wildcard path and a subtree. */
    expect_verdict(c, "sub/a.json", "type", "$.input.multi_prompt[3].duration", E, false, E, 1);
    expect_verdict(c, "b/c.json", "type", "$.x", E, false, E, 1);
    expect_verdict(c, "b/c.json", "type", "$.x.y[2]", E, false, E, 1);
    expect_verdict(c, "b/c.json", "type", "$.input.multi_prompt.duration", E, true, W, -1);
    expect_verdict(c, "b/c/d.json", "type", "$.x.y", E, true, W, -1);
    /* ignores[2]: no files, so it applies to every file (and to findings of no file). */
    expect_verdict(c, "z.json", "type", "$.input.duration", E, false, E, 2);
    expect_verdict(c, NULL, "type", "$.input.duration", E, false, E, 2);
    expect_verdict(c, "z.json", "type", "$.input.duration2", E, true, W, -1);
    /* ignores[3]: every rule, files under never/. */
    expect_verdict(c, "never/a.json", "type", "$.q", E, false, E, 3);
    expect_verdict(c, "never/a.json", "json-syntax", "$", E, true, E, -1);
    unload(&l);
}

static void test_unused_ignores(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/ignores.json");
    assert_int_equal(l.rc, KL_OK);
    kl_diags *out;
    assert_int_equal(kl_diags_new(&out), KL_OK);

    /* Nothing linted: nothing is in scope, nothing reported. */
    assert_int_equal(kl_config_report_unused(l.cfg, out), KL_OK);
    assert_int_equal(kl_diags_count(out), 0);

    kl_config_note_file(l.cfg, "legacy/x.json");
    kl_config_note_file(l.cfg, "z.json");
    kl_config_note_use(l.cfg, 0);
    kl_config_note_use(l.cfg, 2);
    kl_config_note_use(l.cfg, -1); /* no entry: a no-op */
    kl_config_note_use(l.cfg, 99);
    /* Entries 1 (a.json and b/ globs) and 3 (never/) cover no linted file: not reported. */
    assert_int_equal(kl_config_report_unused(l.cfg, out), KL_OK);
    assert_int_equal(kl_diags_count(out), 0);

    kl_config_note_file(l.cfg, "b/q.json");
    assert_int_equal(kl_config_report_unused(l.cfg, out), KL_OK);
    assert_int_equal(kl_diags_count(out), 1);
    tu_expect_diag(out, l.src, 0, KL_RULE_CONFIG_UNUSED_IGNORE, KL_SEV_WARNING, 7, 5,
                   "this ignore entry dropped no finding in the 1 linted file it covers");
    assert_string_equal(kl_diags_at(out, 0)->path, "$.ignores[1]");
    kl_diags_free(out);
    unload(&l);
}

static void test_unused_entry_without_files_and_its_switches(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_temp_dir(dir, sizeof(dir), "config");
    snprintf(path, sizeof(path), "%s/.klint.json", dir);
    kl_diags *out;
    assert_int_equal(kl_diags_new(&out), KL_OK);

    tu_write_text(path, "{\"ignores\": [{\"rules\": [\"enum\"]}]}");
    loaded l;
    load(&l, path);
    assert_int_equal(l.rc, KL_OK);
    kl_config_note_file(l.cfg, NULL); /* a file outside the configuration's directory */
    kl_config_note_file(l.cfg, "a.json");
    assert_int_equal(kl_config_report_unused(l.cfg, out), KL_OK);
    tu_expect_diag(out, l.src, 0, KL_RULE_CONFIG_UNUSED_IGNORE, KL_SEV_WARNING, 1, 14,
                   "in the 2 linted files it covers");
    assert_int_equal(kl_diags_count(out), 1);
    unload(&l);

    /* The report can be raised to an error, or turned off. */
    kl_diags_clear(out);
    tu_write_text(path, "{\"severity\": {\"config-unused-ignore\": \"error\"},\n"
                        " \"ignores\": [{\"rules\": [\"enum\"]}]}");
    load(&l, path);
    assert_int_equal(l.rc, KL_OK);
    kl_config_note_file(l.cfg, "a.json");
    assert_int_equal(kl_config_report_unused(l.cfg, out), KL_OK);
    tu_expect_diag(out, l.src, 0, KL_RULE_CONFIG_UNUSED_IGNORE, KL_SEV_ERROR, 2, 14,
                   "1 linted file");
    unload(&l);

    kl_diags_clear(out);
    tu_write_text(path,
                  "{\"ignore\": [\"config-unused-ignore\"], \"ignores\": [{\"rules\": \"enum\"}]}");
    load(&l, path);
    assert_int_equal(l.rc, KL_OK);
    kl_config_note_file(l.cfg, "a.json");
    assert_int_equal(kl_config_report_unused(l.cfg, out), KL_OK);
    assert_int_equal(kl_diags_count(out), 0);
    unload(&l);
    kl_diags_free(out);
    tu_remove_tree(dir);
}

/* ---- Paths ------------------------------------------------------------------ */

static void expect_relative(const kl_config *cfg, const char *file, const char *want)
{
    char *rel = kl_config_relative(cfg, file);
    if (want == NULL) {
        if (rel != NULL)
            fail_msg("%s: expected no relative path, got %s", file, rel);
        return;
    }
    if (rel == NULL)
        fail_msg("%s: expected %s, got none", file, want);
    assert_string_equal(rel, want);
    free(rel);
}

static void test_relative_paths(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/example/.klint.json");
    assert_int_equal(l.rc, KL_OK);
    const char *root = KL_SOURCE_ROOT "/fixtures/config/example/legacy/x.json";
    expect_relative(l.cfg, "fixtures/config/example/templates/replicate/a.json",
                    "templates/replicate/a.json");
    expect_relative(l.cfg, "./fixtures/config/example/legacy/x.json", "legacy/x.json");
    expect_relative(l.cfg, "fixtures/config/other/../example/legacy/x.json", "legacy/x.json");
    expect_relative(l.cfg, "fixtures//config/./example/legacy/x.json", "legacy/x.json");
    expect_relative(l.cfg, root, "legacy/x.json");
    expect_relative(l.cfg, "fixtures/x.json", NULL);
    expect_relative(l.cfg, "fixtures/config/example", NULL);
    expect_relative(l.cfg, "fixtures/config/examples/a.json", NULL);
    expect_relative(l.cfg, "", NULL);
    unload(&l);

    /* From another current directory: "../.klint.json" and files given relative to it. */
    char *cwd = getcwd(NULL, 4096);
    assert_non_null(cwd);
    assert_int_equal(chdir("fixtures/config/example/templates"), 0);
    load(&l, "../.klint.json");
    assert_int_equal(l.rc, KL_OK);
    assert_string_equal(kl_config_dir(l.cfg), "..");
    assert_string_equal(kl_config_rule_file(l.cfg, 0), "../policy/no-4k.json");
    expect_relative(l.cfg, "replicate/a.json", "templates/replicate/a.json");
    expect_relative(l.cfg, "../legacy/x.json", "legacy/x.json");
    expect_relative(l.cfg, "../../x.json", NULL);
    unload(&l);
    assert_int_equal(chdir(cwd), 0);
    free(cwd);
}

static void test_relative_through_a_symbolic_link(void **state)
{
    (void)state;
    char dir[64], p[256], q[256];
    tu_temp_dir(dir, sizeof(dir), "config");
    snprintf(p, sizeof(p), "%s/real", dir);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/real/.klint.json", dir);
    tu_write_text(p, "{}");
    snprintf(p, sizeof(p), "%s/real", dir);
    snprintf(q, sizeof(q), "%s/link", dir);
    assert_int_equal(symlink(p, q), 0);

    /* Loaded through the link, asked about the real path. */
    loaded l;
    snprintf(p, sizeof(p), "%s/link/.klint.json", dir);
    load(&l, p);
    assert_int_equal(l.rc, KL_OK);
    snprintf(q, sizeof(q), "%s/real/t/a.json", dir);
    expect_relative(l.cfg, q, "t/a.json");
    snprintf(q, sizeof(q), "%s/link/t/a.json", dir);
    expect_relative(l.cfg, q, "t/a.json");
    snprintf(q, sizeof(q), "%s/elsewhere.json", dir);
    expect_relative(l.cfg, q, NULL);
    unload(&l);
    tu_remove_tree(dir);
}

static void test_discover(void **state)
{
    (void)state;
    char dir[64], p[256], q[256];
    tu_temp_dir(dir, sizeof(dir), "config");
    const char *mk[] = {"a", "a/b", "a/b/c", "a/b/c/.klint.json", "d"};
    for (size_t i = 0; i < sizeof(mk) / sizeof(mk[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, mk[i]);
        assert_int_equal(mkdir(p, 0755), 0); /* a directory named .klint.json is no config */
    }
    snprintf(p, sizeof(p), "%s/.klint.json", dir);
    tu_write_text(p, "{}");
    snprintf(p, sizeof(p), "%s/a/b/.klint.json", dir);
    tu_write_text(p, "{}");

    /* Absolute files: the nearest, as an absolute path. */
    snprintf(p, sizeof(p), "%s/a/b/c/file.json", dir);
    char *found = kl_config_discover(p);
    snprintf(q, sizeof(q), "%s/a/b/.klint.json", dir);
    assert_non_null(found);
    assert_string_equal(found, q);
    free(found);
    snprintf(p, sizeof(p), "%s/a/x.json", dir);
    found = kl_config_discover(p);
    snprintf(q, sizeof(q), "%s/.klint.json", dir);
    assert_non_null(found);
    assert_string_equal(found, q);
    free(found);
    snprintf(p, sizeof(p), "%s/a/b/c/../x.json", dir);
    found = kl_config_discover(p);
    snprintf(q, sizeof(q), "%s/a/b/.klint.json", dir);
    assert_non_null(found);
    assert_string_equal(found, q);
    free(found);

    /* Relative files: relative results. */
    char *cwd = getcwd(NULL, 4096);
    assert_non_null(cwd);
    snprintf(p, sizeof(p), "%s/a/b/c", dir);
    assert_int_equal(chdir(p), 0);
    const struct {
        const char *file, *want;
    } rel[] = {
        {"file.json", "../.klint.json"}, /* c/.klint.json is a directory: skipped */
        {"./deeper/file.json", "../.klint.json"}, {"../file.json", "../.klint.json"},
        {"../../x.json", "../../../.klint.json"}, {"../../../d/x.json", "../../../.klint.json"},
    };
    for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
        found = kl_config_discover(rel[i].file);
        if (found == NULL)
            fail_msg("%s: found nothing", rel[i].file);
        assert_string_equal(found, rel[i].want);
        free(found);
    }
    assert_int_equal(chdir(cwd), 0);
    free(cwd);
    tu_remove_tree(dir);

    /* No configuration up to the root (when the machine has none above /tmp either). */
    struct stat st;
    if (stat("/tmp/.klint.json", &st) == 0 || stat("/.klint.json", &st) == 0)
        return;
    tu_temp_dir(dir, sizeof(dir), "config");
    snprintf(p, sizeof(p), "%s/x.json", dir);
    assert_null(kl_config_discover(p));
    assert_null(kl_config_discover("/x.json"));
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readme_example_is_the_fixture),
        cmocka_unit_test(test_example_loads_and_checks),
        cmocka_unit_test(test_example_lints_as_documented),
        cmocka_unit_test(test_readme_select_example_loads),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_unknown_key_has_a_did_you_mean),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_duplicate_key_is_an_error),
        cmocka_unit_test(test_missing_rule_file),
        cmocka_unit_test(test_every_kind_of_mistake_is_reported_in_place),
        cmocka_unit_test(test_unknown_rule_and_profile_ids),
        cmocka_unit_test(test_own_rule_ids_are_known),
        cmocka_unit_test(test_unreadable_and_odd_files),
        cmocka_unit_test(test_path_pattern_suggestions_are_valid_patterns),
        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_unused_ignores),
        cmocka_unit_test(test_unused_entry_without_files_and_its_switches),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_relative_through_a_symbolic_link),
        cmocka_unit_test(test_discover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
