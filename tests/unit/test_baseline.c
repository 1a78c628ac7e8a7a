/*
 * Baselines (src/baseline.h): generate -> write -> load -> match round
 * trip, the exact file text, atomic replacement, matching with counts,
 * unmatched entries, and broken baselines reported with positions.
 * Fixtures: fixtures/config/baseline/; every line:column was counted by hand.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, symlink */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "baseline.h"
#include "klint.h"
#include "test_util.h"

typedef struct loaded {
    kl_baseline *bl;
    kl_source *src;
    kl_diags *diags;
    int rc;
} loaded;

static void load(loaded *l, const char *path)
{
    memset(l, 0, sizeof(*l));
    assert_int_equal(kl_diags_new(&l->diags), KL_OK);
    l->rc = kl_baseline_load(&l->bl, path, &l->src, l->diags);
}

static void unload(loaded *l)
{
    kl_baseline_free(l->bl);
    kl_source_free(l->src);
    kl_diags_free(l->diags);
}

#define INVALID(i, line, col, words)                                                               \
    tu_expect_diag(l.diags, l.src, i, KL_RULE_BASELINE_INVALID, KL_SEV_ERROR, line, col, words)

/* ---- Round trip ------------------------------------------------------------- */

typedef struct finding {
    const char *file; /* relative to the temporary directory */
    const char *rule;
    const char *path;
} finding;

/* In no particular order, with one finding twice. */
static const finding findings[] = {
    {"sub/t/b.json", "unknown-field", "$.input['odd \"key']"},
    {"sub/a.json", "enum", "$.input.mode"},
    {"sub/a.json", "enum", "$.input.mode"},
    {"x.json", "type", "$"},
    {"sub/a.json", "enum", "$.input.aspect_ratio"},
    {"sub/a.json", "audio-with-video", "$.input.generate_audio"},
};
enum { N_FINDINGS = sizeof(findings) / sizeof(findings[0]) };

/* Sorted by file ("../" first), rule, path; the twice-seen finding merged into a count of 2. */
static const char expected_text[] =
    "{\n"
    "  \"klint_baseline\": 1,\n"
    "  \"findings\": [\n"
    "    {\"file\": \"../x.json\", \"rule\": \"type\", \"path\": \"$\", \"count\": 1},\n"
    "    {\"file\": \"a.json\", \"rule\": \"audio-with-video\", \"path\": "
    "\"$.input.generate_audio\", \"count\": 1},\n"
    "    {\"file\": \"a.json\", \"rule\": \"enum\", \"path\": \"$.input.aspect_ratio\", "
    "\"count\": 1},\n"
    "    {\"file\": \"a.json\", \"rule\": \"enum\", \"path\": \"$.input.mode\", \"count\": 2},\n"
    "    {\"file\": \"t/b.json\", \"rule\": \"unknown-field\", \"path\": "
    "\"$.input['odd \\\"key']\", \"count\": 1}\n"
    "  ]\n"
    "}\n";

/* Generate a baseline at DIR/sub/klint-baseline.json from `findings`, in the given order. */
static void generate(const char *dir, bool reversed)
{
    char path[256], file[256];
    snprintf(path, sizeof(path), "%s/sub/klint-baseline.json", dir);
    kl_baseline *bl;
    assert_int_equal(kl_baseline_new(&bl, path), KL_OK);
    for (size_t k = 0; k < N_FINDINGS; k++) {
        const finding *f = &findings[reversed ? N_FINDINGS - 1 - k : k];
        snprintf(file, sizeof(file), "%s/%s", dir, f->file);
        char *rel = kl_baseline_relative(bl, file);
        assert_non_null(rel);
        assert_int_equal(kl_baseline_add(bl, rel, f->rule, f->path), KL_OK);
        free(rel);
    }
    assert_int_equal(kl_baseline_write(bl), KL_OK);
    kl_baseline_free(bl);
}

static void test_round_trip(void **state)
{
    (void)state;
    char dir[64], path[256], file[256];
    tu_temp_dir(dir, sizeof(dir), "baseline");
    snprintf(path, sizeof(path), "%s/sub", dir);
    assert_int_equal(mkdir(path, 0755), 0);

    generate(dir, false);
    snprintf(path, sizeof(path), "%s/sub/klint-baseline.json", dir);
    char *text = tu_read_text(path);
    assert_string_equal(text, expected_text);
    free(text);

    /* Deterministic: another order of the same findings gives the same bytes. */
    generate(dir, true);
    text = tu_read_text(path);
    assert_string_equal(text, expected_text);
    free(text);

    /* Loaded back: every finding matched, once each, and nothing left over. */
    loaded l;
    load(&l, path);
    assert_int_equal(l.rc, KL_OK);
    assert_int_equal(kl_diags_count(l.diags), 0);
    for (size_t k = 0; k < N_FINDINGS; k++) {
        snprintf(file, sizeof(file), "%s/%s", dir, findings[k].file);
        char *rel = kl_baseline_relative(l.bl, file);
        kl_baseline_note_file(l.bl, rel);
        assert_true(kl_baseline_match(l.bl, rel, findings[k].rule, findings[k].path));
        free(rel);
    }
    /* A third `enum` at $.input.mode in a.json is new. */
    assert_false(kl_baseline_match(l.bl, "a.json", "enum", "$.input.mode"));
    assert_false(kl_baseline_match(l.bl, "a.json", "enum", "$.input.other"));
    assert_false(kl_baseline_match(l.bl, NULL, "enum", "$.input.mode"));
    kl_diags *out;
    assert_int_equal(kl_diags_new(&out), KL_OK);
    assert_int_equal(kl_baseline_report_unmatched(l.bl, out), KL_OK);
    assert_int_equal(kl_diags_count(out), 0);
    kl_diags_free(out);
    unload(&l);

    /* Nothing but the baseline in its directory: the temporary file was renamed. */
    snprintf(path, sizeof(path), "%s/sub", dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        assert_string_equal(e->d_name, "klint-baseline.json");
        n++;
    }
    closedir(d);
    assert_int_equal(n, 1);
    tu_remove_tree(dir);
}

static void test_write_keeps_the_mode_and_fails_cleanly(void **state)
{
    (void)state;
    char dir[64], path[256];
    tu_temp_dir(dir, sizeof(dir), "baseline");
    snprintf(path, sizeof(path), "%s/b.json", dir);

    kl_baseline *bl;
    assert_int_equal(kl_baseline_new(&bl, path), KL_OK);
    assert_int_equal(kl_baseline_write(bl), KL_OK); /* no findings */
    char *text = tu_read_text(path);
    assert_string_equal(text, "{\n  \"klint_baseline\": 1,\n  \"findings\": []\n}\n");
    free(text);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(kl_baseline_add(bl, "a.json", "enum", "$.input.mode"), KL_OK);
    assert_int_equal(kl_baseline_write(bl), KL_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    kl_baseline_free(bl);

    /* An empty baseline loads, and accepts nothing. */
    loaded l;
    snprintf(path, sizeof(path), "%s/empty.json", dir);
    assert_int_equal(kl_baseline_new(&bl, path), KL_OK);
    assert_int_equal(kl_baseline_write(bl), KL_OK);
    kl_baseline_free(bl);
    load(&l, path);
    assert_int_equal(l.rc, KL_OK);
    assert_false(kl_baseline_match(l.bl, "a.json", "enum", "$"));
    unload(&l);

    /* A directory that does not exist: KL_EIO with errno, nothing created. */
    snprintf(path, sizeof(path), "%s/missing/b.json", dir);
    assert_int_equal(kl_baseline_new(&bl, path), KL_OK);
    assert_int_equal(kl_baseline_write(bl), KL_EIO);
    assert_int_equal(errno, ENOENT);
    kl_baseline_free(bl);
    tu_remove_tree(dir);
}

/* A new baseline gets the mode of any new file (0666 less the umask); a baseline that is a
 * symbolic link is written through the link, which stays a link. */
static void test_write_new_files_and_links(void **state)
{
    (void)state;
    char dir[64], path[256], real[256];
    tu_temp_dir(dir, sizeof(dir), "baseline");
    static const struct {
        mode_t umask, mode;
    } masks[] = {{022, 0644}, {077, 0600}, {002, 0664}};
    for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
        snprintf(path, sizeof(path), "%s/new-%zu.json", dir, i);
        kl_baseline *bl;
        assert_int_equal(kl_baseline_new(&bl, path), KL_OK);
        mode_t old = umask(masks[i].umask);
        int rc = kl_baseline_write(bl);
        umask(old);
        assert_int_equal(rc, KL_OK);
        kl_baseline_free(bl);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, masks[i].mode);
    }

    /* Through a link (relative, to a file in a subdirectory) that exists ... */
    snprintf(real, sizeof(real), "%s/kept", dir);
    assert_int_equal(mkdir(real, 0755), 0);
    snprintf(real, sizeof(real), "%s/kept/real.json", dir);
    tu_write_text(real, "old");
    assert_int_equal(chmod(real, 0604), 0);
    snprintf(path, sizeof(path), "%s/link.json", dir);
    assert_int_equal(symlink("kept/real.json", path), 0);
    kl_baseline *bl;
    assert_int_equal(kl_baseline_new(&bl, path), KL_OK);
    assert_int_equal(kl_baseline_add(bl, "a.json", "enum", "$.input.mode"), KL_OK);
    assert_int_equal(kl_baseline_write(bl), KL_OK);
    kl_baseline_free(bl);
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(real, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0604);
    char *text = tu_read_text(real);
    assert_non_null(strstr(text, "\"rule\": \"enum\""));
    free(text);
    loaded l;
    load(&l, path); /* and it loads back through the link */
    assert_int_equal(l.rc, KL_OK);
    assert_true(kl_baseline_match(l.bl, "a.json", "enum", "$.input.mode"));
    unload(&l);

    /* ... and one whose file is missing: the file is created, the link kept. */
    snprintf(path, sizeof(path), "%s/dangling.json", dir);
    assert_int_equal(symlink("kept/later.json", path), 0);
    assert_int_equal(kl_baseline_new(&bl, path), KL_OK);
    assert_int_equal(kl_baseline_write(bl), KL_OK);
    kl_baseline_free(bl);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    snprintf(real, sizeof(real), "%s/kept/later.json", dir);
    text = tu_read_text(real);
    assert_string_equal(text, "{\n  \"klint_baseline\": 1,\n  \"findings\": []\n}\n");
    free(text);

    /* A directory where the file should be: KL_EIO (EINVAL), the directory untouched. */
    snprintf(path, sizeof(path), "%s/kept", dir);
    assert_int_equal(kl_baseline_new(&bl, path), KL_OK);
    errno = 0;
    assert_int_equal(kl_baseline_write(bl), KL_EIO);
    assert_int_equal(errno, EINVAL);
    kl_baseline_free(bl);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    tu_remove_tree(dir);
}

/* ---- Matching and unmatched entries ------------------------------------------ */

static void test_counts_and_unmatched_entries(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/baseline/good.json");
    assert_int_equal(l.rc, KL_OK);
    assert_int_equal(kl_diags_count(l.diags), 0);

    char *rel = kl_baseline_relative(l.bl, "fixtures/config/baseline/legacy/a.json");
    assert_string_equal(rel, "legacy/a.json");
    free(rel);
    rel = kl_baseline_relative(l.bl, "./fixtures/config/x.json");
    assert_string_equal(rel, "../x.json");
    free(rel);
    rel = kl_baseline_relative(l.bl, KL_SOURCE_ROOT "/fixtures/config/baseline/legacy/b.json");
    assert_string_equal(rel, "legacy/b.json");
    free(rel);

    kl_baseline_note_file(l.bl, "legacy/a.json");
    /* count 2: two findings accepted, the third is new. */
    assert_true(kl_baseline_match(l.bl, "legacy/a.json", "enum", "$.input.mode"));
    assert_false(kl_baseline_match(l.bl, "legacy/a.json", "enum", "$.input.mode2"));
    assert_false(kl_baseline_match(l.bl, "legacy/a.json", "range", "$.input.mode"));
    assert_false(kl_baseline_match(l.bl, "legacy/b.json/", "enum", "$.input.mode"));

    kl_diags *out;
    assert_int_equal(kl_diags_new(&out), KL_OK);
    assert_int_equal(kl_baseline_report_unmatched(l.bl, out), KL_OK);
    /* legacy/b.json was not linted: its entry is not reported. */
    assert_int_equal(kl_diags_count(out), 2);
    tu_expect_diag(
        out, l.src, 0, KL_RULE_BASELINE_UNMATCHED, KL_SEV_WARNING, 4, 5,
        "this entry accepts 2 `enum` findings at $.input.mode in legacy/a.json but 1 was "
        "found");
    tu_expect_diag(
        out, l.src, 1, KL_RULE_BASELINE_UNMATCHED, KL_SEV_WARNING, 5, 5,
        "no `unknown-field` finding at $.input.negativePrompt in legacy/a.json any more");
    assert_string_equal(kl_diags_at(out, 1)->path, "$.findings[1]");

    /* The second enum finding uses the entry up; a third is new. */
    kl_diags_clear(out);
    assert_true(kl_baseline_match(l.bl, "legacy/a.json", "enum", "$.input.mode"));
    assert_false(kl_baseline_match(l.bl, "legacy/a.json", "enum", "$.input.mode"));
    /* legacy/b.json linted now, its finding gone: reported; `count` absent means 1. */
    kl_baseline_note_file(l.bl, "legacy/b.json");
    assert_int_equal(kl_baseline_report_unmatched(l.bl, out), KL_OK);
    assert_int_equal(kl_diags_count(out), 2);
    tu_expect_diag(out, l.src, 0, KL_RULE_BASELINE_UNMATCHED, KL_SEV_WARNING, 5, 5,
                   "unknown-field");
    tu_expect_diag(out, l.src, 1, KL_RULE_BASELINE_UNMATCHED, KL_SEV_WARNING, 6, 5,
                   "no `enum` finding at $.input.mode in legacy/b.json any more");
    kl_diags_free(out);
    unload(&l);
}

/* ---- Broken baselines ---------------------------------------------------------- */

static void test_syntax_error(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/baseline/bad-syntax.json");
    assert_int_equal(l.rc, KL_EUSAGE);
    assert_null(l.bl);
    assert_non_null(l.src);
    assert_int_equal(kl_diags_count(l.diags), 1);
    INVALID(0, 1, 36, "'}'");
    unload(&l);
}

static void test_wrong_shape_everywhere(void **state)
{
    (void)state;
    loaded l;
    load(&l, "fixtures/config/baseline/bad-shape.json");
    assert_int_equal(l.rc, KL_EUSAGE);
    INVALID(0, 10, 3, "unknown key `extra` in the baseline");
    INVALID(1, 2, 21, "`klint_baseline` must be 1");
    INVALID(2, 4, 73, "`count` is a positive integer");
    INVALID(3, 5, 64, "unknown key `cuont` in a baseline entry; did you mean `count`?");
    INVALID(4, 6, 37, "`rule` is a non-empty string");
    INVALID(5, 6, 14, "`file` is relative to the baseline's directory");
    INVALID(6, 6, 71, "bad JSON path: wildcards are not allowed here");
    INVALID(7, 7, 5, "a baseline entry is {\"file\", \"rule\", \"path\", \"count\"}, not a string");
    INVALID(8, 8, 49, "bad JSON path: a JSON path starts with `$`");
    INVALID(9, 8, 71, "`count` is a positive integer");
    assert_int_equal(kl_diags_count(l.diags), 10);
    assert_string_equal(kl_diags_at(l.diags, 3)->path, "$.findings[1].cuont");
    unload(&l);
}

static void test_other_broken_baselines(void **state)
{
    (void)state;
    static const struct {
        const char *file; /* under fixtures/config/baseline/ */
        uint32_t line, col;
        const char *words;
    } cases[] = {
        {"bad-duplicate-entry.json", 3, 3, "this finding is listed twice (first on line 2)"},
        {"bad-duplicate-key.json", 1, 23, "duplicate key \"klint_baseline\""},
        {"bad-no-version.json", 1, 1, "not a klint baseline: `\"klint_baseline\": 1` is missing"},
        {"bad-not-object.json", 1, 1, "a baseline is an object"},
    };
    loaded l;
    char path[128];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(path, sizeof(path), "fixtures/config/baseline/%s", cases[i].file);
        load(&l, path);
        assert_int_equal(l.rc, KL_EUSAGE);
        assert_int_equal(kl_diags_count(l.diags), 1);
        INVALID(0, cases[i].line, cases[i].col, cases[i].words);
        unload(&l);
    }

    load(&l, "fixtures/config/baseline/no-such-file.json");
    assert_int_equal(l.rc, KL_EIO);
    assert_int_equal(errno, ENOENT);
    assert_null(l.bl);
    assert_null(l.src);
    unload(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_write_keeps_the_mode_and_fails_cleanly),
        cmocka_unit_test(test_write_new_files_and_links),
        cmocka_unit_test(test_counts_and_unmatched_entries),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_wrong_shape_everywhere),
        cmocka_unit_test(test_other_broken_baselines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
