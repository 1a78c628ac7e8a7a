/*
 * Unit tests for the short, github, sarif, gitlab and junit formats, the
 * shared severity table, and the MD5 behind gitlab's fingerprints.
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
#include "md5.h"
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
    kl_fix fix = {"rename `bad` to `good`", &edit, 1, false};
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

/* ---- gitlab and junit ---- */

/* The MD5 test suite of RFC 1321 (appendix A.5), and a long input fed in uneven pieces. */
static void test_md5(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"1234567890123456789012345678901234567890"
         "1234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        kl_md5 ctx;
        unsigned char digest[16];
        char hex[33];
        kl_md5_init(&ctx);
        kl_md5_update(&ctx, cases[i][0], strlen(cases[i][0]));
        kl_md5_final(&ctx, digest);
        kl_md5_hex(digest, hex);
        assert_string_equal(hex, cases[i][1]);
    }
    /* One million 'a' (a published vector), in pieces of 1 to 130 bytes. */
    static char as[130];
    memset(as, 'a', sizeof(as));
    kl_md5 ctx;
    kl_md5_init(&ctx);
    size_t left = 1000000;
    for (size_t piece = 1; left > 0; piece = piece % 130 + 1) {
        size_t n = piece < left ? piece : left;
        kl_md5_update(&ctx, as, n);
        left -= n;
    }
    unsigned char digest[16];
    char hex[33];
    kl_md5_final(&ctx, digest);
    kl_md5_hex(digest, hex);
    assert_string_equal(hex, "7707d6ae4e027c70eea2a935c2296f21");
}

/* Print `n` diagnostics of `src` with `format`'s printer, then end the file. */
static void emit_file(kl_printer *p, const kl_source *src, const kl_diag *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(kl_printer_diag(p, src, &d[i]), KL_OK);
    assert_int_equal(kl_printer_file(p, src->name, n), KL_OK);
}

/*
 * The CI scenario, four files:
 *   ./dir/a:b,c é.json  the shared document's three findings (error, a warning over two
 *                       lines, an info at the very start; a message with %, LF and CR);
 *                       the name starts with "./", which the formats drop;
 *   batch.jsonl         three JSON Lines records (lines 2, 4, 6): the same rule and path
 *                       in the first two, a syntax error in the third;
 *   clean.json          no finding;
 *   q/esc&<>"'.json     a name and a message full of characters that need escaping:
 *                       & < > " ', ]]>, a C0 control, a tab, a byte that is not UTF-8,
 *                       U+FFFF, non-ASCII text.
 */
static char *run_ci(const char *format)
{
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    assert_non_null(f);
    kl_printer *p = NULL;
    assert_int_equal(kl_printer_new(&p, format, f, NULL), KL_OK);

    static const char text[] = "{\"prompt\": \"\xF0\x9F\x98\x80\xC3\xA9\", \"bad\": 1,\n"
                               " \"n\": 2}\n";
    kl_source *src = NULL;
    assert_int_equal(
        kl_source_from_memory(&src, "./dir/a:b,c \xC3\xA9.json", text, strlen(text)), KL_OK);
    kl_span bad = find(src, "\"bad\"");
    kl_related rel = {find(src, "\"prompt\""), "$.prompt", "the prompt is here"};
    kl_edit edit = {find(src, "bad"), "good"};
    kl_fix fix = {"rename `bad` to `good`", &edit, 1, false};
    kl_diag first[] = {
        {"unknown-field", NULL, KL_SEV_ERROR, "`bad` is not allowed: 100% sure,\nreally\r",
         "$.bad", bad, &rel, 1, &fix, 1},
        {"span-multi", NULL, KL_SEV_WARNING, "spans lines", "$.n",
         kl_span_make(bad.start, find(src, "2").end), NULL, 0, NULL, 0},
        {"r", NULL, KL_SEV_INFO, "plain", "$.items[0]", kl_span_make(0, 0), NULL, 0, NULL, 0},
    };
    emit_file(p, src, first, 3);
    kl_source_free(src);

    static const char *const records[] = {
        "{\"duration\": \"5\"}",
        "{\"duration\": \"5\", \"n\": 1}",
        "{\"duration\": 5,}",
    };
    for (uint32_t i = 0; i < 3; i++) {
        kl_source rec;
        kl_source_init_line(&rec, "batch.jsonl", records[i], (uint32_t)strlen(records[i]),
                            2 + 2 * i);
        kl_diag d = {"type", NULL, KL_SEV_ERROR, "duration must be a number, found string \"5\"",
                     "$.duration", kl_span_make(0, 0), NULL, 0, NULL, 0};
        if (i < 2) {
            d.span = find(&rec, "\"5\"");
        } else {
            d.rule = "json-syntax";
            d.message = "expected a member name after ',', found '}'";
            d.path = "$";
            d.span = find(&rec, "}");
        }
        assert_int_equal(kl_printer_diag(p, &rec, &d), KL_OK);
    }
    assert_int_equal(kl_printer_file(p, "batch.jsonl", 3), KL_OK);

    assert_int_equal(kl_source_from_memory(&src, "clean.json", "{}", 2), KL_OK);
    emit_file(p, src, NULL, 0);
    kl_source_free(src);

    assert_int_equal(kl_source_from_memory(&src, "q/esc&<>\"'.json", "{\"k\": \"v\"}\n", 11),
                     KL_OK);
    kl_diag esc = {"unknown-field", NULL, KL_SEV_WARNING,
                   "unknown field `x<&>\"'\x01\t]]>` \xFF \xEF\xBF\xBF caf\xC3\xA9 \xF0\x9F\x98\x80",
                   "$['a<&>\"b']", find(src, "\"k\""), NULL, 0, NULL, 0};
    emit_file(p, src, &esc, 1);
    kl_source_free(src);

    kl_summary s = {4, 6, 4, 2, 1};
    assert_int_equal(kl_printer_end(p, &s), KL_OK);
    kl_printer_free(p);
    assert_int_equal(fclose(f), 0);
    return data;
}

static void test_gitlab(void **state)
{
    (void)state;
    assert_golden(run_ci("gitlab"), "formats.ci.gitlab.json");
}

static void test_junit(void **state)
{
    (void)state;
    assert_golden(run_ci("junit"), "formats.ci.junit.xml");
}

/* A clean run: an empty array, and a report with no test suite. */
static void test_gitlab_junit_empty(void **state)
{
    (void)state;
    static const char *const want[][2] = {
        {"gitlab", "[]\n"},
        {"junit", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<testsuites name=\"klint\" tests=\"0\" failures=\"0\" errors=\"0\">\n"
                  "</testsuites>\n"},
    };
    for (size_t i = 0; i < 2; i++) {
        char *data = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&data, &len);
        kl_printer *p = NULL;
        assert_int_equal(kl_printer_new(&p, want[i][0], f, NULL), KL_OK);
        assert_int_equal(kl_printer_end(p, NULL), KL_OK);
        kl_printer_free(p);
        fclose(f);
        assert_string_equal(data, want[i][1]);
        free(data);
    }
}

/* The fingerprints of a gitlab report, in order (at most `max`); returns how many. */
static size_t fingerprints(const char *report, char (*out)[33], size_t max)
{
    static const char key[] = "\"fingerprint\": \"";
    size_t n = 0;
    for (const char *at = strstr(report, key); at != NULL; at = strstr(at + 1, key)) {
        assert_true(n < max);
        const char *hex = at + strlen(key);
        assert_int_equal(strspn(hex, "0123456789abcdef"), 32);
        assert_int_equal(hex[32], '"');
        memcpy(out[n], hex, 32);
        out[n][32] = '\0';
        n++;
    }
    return n;
}

/* The documented fingerprint: MD5 of PATH NUL RULE NUL JSONPATH NUL N. */
static void documented(const char *path, const char *rule, const char *json_path, const char *n,
                       char hex[33])
{
    kl_md5 ctx;
    kl_md5_init(&ctx);
    kl_md5_update(&ctx, path, strlen(path) + 1);
    kl_md5_update(&ctx, rule, strlen(rule) + 1);
    kl_md5_update(&ctx, json_path, strlen(json_path) + 1);
    kl_md5_update(&ctx, n, strlen(n));
    unsigned char digest[16];
    kl_md5_final(&ctx, digest);
    kl_md5_hex(digest, hex);
}

/* Unique within a report, the same in a second run, and the documented formula. */
static void test_gitlab_fingerprints(void **state)
{
    (void)state;
    char a[16][33], b[16][33];
    char *one = run_ci("gitlab");
    char *two = run_ci("gitlab");
    size_t n = fingerprints(one, a, 16);
    assert_int_equal(n, 7);
    assert_int_equal(fingerprints(two, b, 16), n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(a[i], b[i]);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(a[i], a[j]);
    }
    char want[33];
    documented("dir/a:b,c \xC3\xA9.json", "unknown-field", "$.bad", "1", want);
    assert_string_equal(a[0], want);
    documented("batch.jsonl", "type", "$.duration", "1", want);
    assert_string_equal(a[3], want);
    documented("batch.jsonl", "type", "$.duration", "2", want);
    assert_string_equal(a[4], want);
    free(one);
    free(two);
}

/*
 * Two findings in a document, printed as gitlab; with `shift`, an unrelated
 * line is inserted at the top of the file first. Returns the report.
 */
static char *run_shifted(bool shift)
{
    static const char text[] = "{\"model\": \"kling\",\n \"duration\": \"5\",\n \"colour\": 1}\n";
    char buf[128];
    snprintf(buf, sizeof(buf), "%s%s", shift ? "{\"added\": true,\n" : "", text + (shift ? 1 : 0));
    kl_source *src = NULL;
    assert_int_equal(kl_source_from_memory(&src, "req.json", buf, strlen(buf)), KL_OK);
    kl_diag d[] = {
        {"type", NULL, KL_SEV_ERROR, "duration must be a number", "$.duration",
         find(src, "\"5\""), NULL, 0, NULL, 0},
        {"unknown-field", NULL, KL_SEV_WARNING, "unknown field `colour`", "$.colour",
         find(src, "\"colour\""), NULL, 0, NULL, 0},
    };
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    kl_printer *p = NULL;
    assert_int_equal(kl_printer_new(&p, "gitlab", f, NULL), KL_OK);
    emit_file(p, src, d, 2);
    assert_int_equal(kl_printer_end(p, NULL), KL_OK);
    kl_printer_free(p);
    fclose(f);
    kl_source_free(src);
    return data;
}

/* A line inserted above the findings moves them, and keeps their fingerprints. */
static void test_gitlab_fingerprints_after_insert(void **state)
{
    (void)state;
    char *before = run_shifted(false);
    char *after = run_shifted(true);
    assert_non_null(strstr(before, "\"lines\": {\"begin\": 2, \"end\": 2}"));
    assert_null(strstr(after, "\"lines\": {\"begin\": 2, \"end\": 2}"));
    assert_non_null(strstr(after, "\"lines\": {\"begin\": 3, \"end\": 3}"));
    assert_non_null(strstr(after, "\"lines\": {\"begin\": 4, \"end\": 4}"));
    char a[4][33], b[4][33];
    assert_int_equal(fingerprints(before, a, 4), 2);
    assert_int_equal(fingerprints(after, b, 4), 2);
    assert_string_equal(a[0], b[0]);
    assert_string_equal(a[1], b[1]);
    assert_string_not_equal(a[0], a[1]);
    free(before);
    free(after);
}

/*
 * Findings that no file hook closed (a run cut short) still get a test
 * suite, and a printer freed without end releases what it holds (the
 * sanitizer build checks the second part).
 */
static void test_junit_unclosed(void **state)
{
    (void)state;
    kl_source *src = NULL;
    assert_int_equal(kl_source_from_memory(&src, "./x.json", "[]", 2), KL_OK);
    kl_diag d = {"r", NULL, KL_SEV_ERROR, "m", "$", kl_span_make(0, 1), NULL, 0, NULL, 0};
    static const char want[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"klint\" tests=\"1\" failures=\"1\" errors=\"0\">\n"
        "  <testsuite name=\"x.json\" tests=\"1\" failures=\"1\" errors=\"0\">\n"
        "    <testcase name=\"x.json\" classname=\"x\" file=\"x.json\">\n"
        "      <failure type=\"error\" message=\"m\">line 1, col 1: m [r] at $</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "</testsuites>\n";
    for (int with_end = 0; with_end < 2; with_end++) {
        static const char *const formats[] = {"junit", "gitlab"};
        for (size_t i = 0; i < 2; i++) {
            char *data = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&data, &len);
            kl_printer *p = NULL;
            assert_int_equal(kl_printer_new(&p, formats[i], f, NULL), KL_OK);
            assert_int_equal(kl_printer_diag(p, src, &d), KL_OK);
            if (with_end)
                assert_int_equal(kl_printer_end(p, NULL), KL_OK);
            kl_printer_free(p);
            fclose(f);
            if (with_end && i == 0)
                assert_string_equal(data, want);
            free(data);
        }
    }

    /* Two files, no file hook: a file of another name closes the first one's suite. */
    kl_source *other = NULL;
    assert_int_equal(kl_source_from_memory(&other, "y.yaml.json", "[]", 2), KL_OK);
    static const char want2[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"klint\" tests=\"3\" failures=\"2\" errors=\"0\">\n"
        "  <testsuite name=\"x.json\" tests=\"1\" failures=\"1\" errors=\"0\">\n"
        "    <testcase name=\"x.json\" classname=\"x\" file=\"x.json\">\n"
        "      <failure type=\"error\" message=\"m\">line 1, col 1: m [r] at $</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "  <testsuite name=\"y.yaml.json\" tests=\"1\" failures=\"1\" errors=\"0\">\n"
        "    <testcase name=\"y.yaml.json\" classname=\"y.yaml\" file=\"y.yaml.json\">\n"
        "      <failure type=\"error\" message=\"m\">line 1, col 1: m [r] at $</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "  <testsuite name=\"z\" tests=\"1\" failures=\"0\" errors=\"0\">\n"
        "    <testcase name=\"z\" classname=\"z\" file=\"z\"/>\n"
        "  </testsuite>\n"
        "</testsuites>\n";
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    kl_printer *p = NULL;
    assert_int_equal(kl_printer_new(&p, "junit", f, NULL), KL_OK);
    assert_int_equal(kl_printer_diag(p, src, &d), KL_OK);
    assert_int_equal(kl_printer_diag(p, other, &d), KL_OK);
    assert_int_equal(kl_printer_file(p, "./z", 0), KL_OK);
    assert_int_equal(kl_printer_end(p, NULL), KL_OK);
    kl_printer_free(p);
    fclose(f);
    assert_string_equal(data, want2);
    free(data);
    kl_source_free(other);
    kl_source_free(src);
}

/* junit writes everything at the end: a stream that refuses it gives KL_EIO there. */
static void test_junit_write_error(void **state)
{
    (void)state;
    FILE *ro = fopen("/dev/null", "r");
    assert_non_null(ro);
    setvbuf(ro, NULL, _IONBF, 0);
    kl_printer *p = NULL;
    assert_int_equal(kl_printer_new(&p, "junit", ro, NULL), KL_OK);
    kl_source *src = NULL;
    assert_int_equal(kl_source_from_memory(&src, "x.json", "[]", 2), KL_OK);
    kl_diag d = {"r", NULL, KL_SEV_ERROR, "m", "$", kl_span_make(0, 1), NULL, 0, NULL, 0};
    assert_int_equal(kl_printer_diag(p, src, &d), KL_OK);
    assert_int_equal(kl_printer_file(p, "x.json", 1), KL_OK);
    assert_int_equal(kl_printer_end(p, NULL), KL_EIO);
    kl_printer_free(p);
    assert_int_equal(kl_printer_new(&p, "gitlab", ro, NULL), KL_EIO); /* begin writes '[' */
    assert_null(p);
    kl_source_free(src);
    fclose(ro);
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
    assert_string_equal(e->junit, "error");
    assert_string_equal(w->junit, "warning");
    assert_string_equal(i->junit, "info");
    assert_string_equal(i->text, "info");
    assert_ptr_equal(kl_print_severity((kl_severity)0), e);
}

static void test_registry(void **state)
{
    (void)state;
    assert_non_null(kl_printer_find("short"));
    assert_non_null(kl_printer_find("github"));
    assert_non_null(kl_printer_find("sarif"));
    assert_string_equal(kl_printer_find("gitlab")->name, "gitlab");
    assert_string_equal(kl_printer_find("junit")->name, "junit");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short),          cmocka_unit_test(test_github),
        cmocka_unit_test(test_sarif),          cmocka_unit_test(test_sarif_empty),
        cmocka_unit_test(test_sarif_rules),    cmocka_unit_test(test_severity_table),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_md5),
        cmocka_unit_test(test_gitlab),
        cmocka_unit_test(test_junit),
        cmocka_unit_test(test_gitlab_junit_empty),
        cmocka_unit_test(test_gitlab_fingerprints),
        cmocka_unit_test(test_gitlab_fingerprints_after_insert),
        cmocka_unit_test(test_junit_unclosed),
        cmocka_unit_test(test_junit_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
