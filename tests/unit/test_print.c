/*
 * Unit tests for the printer registry and the text and json formats.
 *
 * Output is captured with open_memstream and compared with the golden files
 * in tests/golden/print/, which were written by hand from the format's
 * specification (see the comments in src/print_text.c and
 * doc/json-format.md), not copied from the program's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "klint.h"
#include "print_util.h"
#include "utf8.h"

#ifndef KL_SOURCE_ROOT
#define KL_SOURCE_ROOT "."
#endif

/* ---- helpers ---- */

typedef struct capture {
    FILE *f;
    char *data;
    size_t len;
    kl_printer *p;
} capture;

static void capture_begin(capture *c, const char *format, bool color)
{
    memset(c, 0, sizeof(*c));
    c->f = open_memstream(&c->data, &c->len);
    assert_non_null(c->f);
    kl_print_options opts = {color};
    assert_int_equal(kl_printer_new(&c->p, format, c->f, &opts), KL_OK);
    assert_non_null(c->p);
}

/* Ends the run; returns the output (free it). */
static char *capture_end(capture *c, size_t files, size_t records, size_t errors, size_t warnings,
                         size_t infos)
{
    kl_summary s = {files, records, errors, warnings, infos};
    assert_int_equal(kl_printer_end(c->p, &s), KL_OK);
    kl_printer_free(c->p);
    assert_int_equal(fclose(c->f), 0);
    return c->data;
}

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

/* Compare with tests/golden/print/<name>; on a difference, show the first differing line. */
static void assert_golden(char *actual, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/golden/print/%s", KL_SOURCE_ROOT, name);
    char *want = read_file(path);
    if (strcmp(actual, want) != 0) {
        size_t line = 1, i = 0;
        for (; actual[i] && actual[i] == want[i]; i++)
            line += actual[i] == '\n';
        size_t start = i;
        while (start > 0 && want[start - 1] != '\n')
            start--;
        print_error("golden %s differs at line %zu\n--- want:\n%.*s\n--- got:\n%.*s\n"
                    "--- full output:\n%s\n",
                    name, line, (int)strcspn(want + start, "\n"), want + start,
                    (int)strcspn(actual + start, "\n"), actual + start, actual);
        free(want);
        free(actual);
        fail();
    }
    free(want);
    free(actual);
}

static kl_source *source(const char *name, const char *text)
{
    kl_source *src = NULL;
    assert_int_equal(kl_source_from_memory(&src, name, text, strlen(text)), KL_OK);
    return src;
}

/* The span of the `nth` (1-based) occurrence of `needle` in the source. */
static kl_span find(const kl_source *src, const char *needle, int nth)
{
    size_t n = strlen(needle);
    for (uint32_t i = 0; i + n <= src->len; i++) {
        if (memcmp(src->data + i, needle, n) == 0 && --nth == 0)
            return kl_span_make(i, i + (uint32_t)n);
    }
    fail_msg("\"%s\" not found", needle);
    return kl_span_make(0, 0);
}

static kl_span at(uint32_t offset)
{
    return kl_span_make(offset, offset);
}

static kl_diag diag(const char *rule, kl_severity sev, kl_span span, const char *path,
                    const char *message)
{
    kl_diag d;
    memset(&d, 0, sizeof(d));
    d.rule = rule;
    d.severity = sev;
    d.span = span;
    d.path = path;
    d.message = message;
    return d;
}

static void emit(capture *c, const kl_source *src, const kl_diag *d)
{
    assert_int_equal(kl_printer_diag(c->p, src, d), KL_OK);
}

static void file_done(capture *c, const kl_source *src, size_t n)
{
    assert_int_equal(kl_printer_file(c->p, src->name, n), KL_OK);
}

/* ---- the inputs shared by the text and json goldens ---- */

static const char x_json[] = "{\n"
                             "  \"model\": \"kling-v3\",\n"
                             "  \"duration\": 5]\n"
                             "}\n";

static void print_simple_error(capture *c)
{
    kl_source *src = source("fixtures/x.json", x_json);
    kl_diag d = diag("json-syntax", KL_SEV_ERROR, find(src, "]", 1), "$",
                     "expected ',' or '}' after object member, found ']'");
    emit(c, src, &d);
    file_done(c, src, 1);
    kl_source_free(src);
}

static const char dup_json[] = "{\n"
                               "  \"duration\": 5,\n"
                               "  \"a\": 1,\n"
                               "  \"b\": 2,\n"
                               "  \"c\": 3,\n"
                               "  \"d\": 4,\n"
                               "  \"e\": 5,\n"
                               "  \"f\": 6,\n"
                               "  \"g\": 7,\n"
                               "  \"duration\": 10\n"
                               "}\n";

static void print_duplicate(capture *c, const char *profile)
{
    kl_source *src = source("dup.json", dup_json);
    kl_related first = {find(src, "\"duration\"", 1), "$.duration", "first defined here"};
    kl_diag d = diag("json-duplicate-key", KL_SEV_WARNING, find(src, "\"duration\"", 2),
                     "$.duration", "duplicate key \"duration\"");
    d.profile = profile;
    d.related = &first;
    d.n_related = 1;
    emit(c, src, &d);
    file_done(c, src, 1);
    kl_source_free(src);
}

static void print_fix(capture *c)
{
    kl_source *src = source("req.json", "{\"aspect_ratio\": \"16:9\"}\n");
    kl_edit rename = {find(src, "aspect_ratio", 1), "aspectRatio"};
    kl_edit remove = {kl_span_make(1, 23), ""};
    kl_fix fixes[2] = {
        {"rename `aspect_ratio` to `aspectRatio`", &rename, 1, false},
        {"remove the member", &remove, 1, true}, /* printed as unsafe */
    };
    kl_diag d = diag("field-name", KL_SEV_WARNING, find(src, "\"aspect_ratio\"", 1),
                     "$.aspect_ratio", "unknown field \"aspect_ratio\"");
    d.fixes = fixes;
    d.n_fixes = 2;
    emit(c, src, &d);
    file_done(c, src, 1);
    kl_source_free(src);
}

static void print_wide(capture *c)
{
    kl_source *src = source("wide.json", "{\"prompt\": \"中文😀 x\", \"n\": 1}\n");
    kl_diag a = diag("prompt-language", KL_SEV_INFO, find(src, "\"中文😀 x\"", 1), "$.prompt",
                     "prompt is not in English");
    kl_diag b = diag("range", KL_SEV_ERROR, find(src, "1", 1), "$.n", "n must be at least 2");
    emit(c, src, &a);
    emit(c, src, &b);
    file_done(c, src, 2);
    kl_source_free(src);
}

/* Two records of batch.jsonl, each its own stack source as the JSON Lines reader makes them. */
static void print_jsonl(capture *c)
{
    static const char rec1[] = "{\"duration\": \"5\"}";
    static const char rec2[] = "{\"duration\": 5,}";
    kl_source src;
    kl_source_init_line(&src, "batch.jsonl", rec1, (uint32_t)strlen(rec1), 42);
    kl_diag a = diag("type", KL_SEV_ERROR, find(&src, "\"5\"", 1), "$.duration",
                     "duration must be a number, found string \"5\"");
    emit(c, &src, &a);
    kl_source_init_line(&src, "batch.jsonl", rec2, (uint32_t)strlen(rec2), 1234);
    kl_diag b = diag("json-syntax", KL_SEV_ERROR, find(&src, "}", 1), "$",
                     "expected a member name after ',', found '}'");
    emit(c, &src, &b);
    file_done(c, &src, 2);
}

/* ---- text ---- */

static void test_text_simple_error(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "text", false);
    print_simple_error(&c);
    assert_golden(capture_end(&c, 1, 1, 1, 0, 0), "simple_error.txt");
}

static void test_text_related(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "text", false);
    print_duplicate(&c, NULL);
    assert_golden(capture_end(&c, 1, 1, 0, 1, 0), "related.txt");
}

static void test_text_fix(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "text", false);
    print_fix(&c);
    assert_golden(capture_end(&c, 1, 1, 0, 1, 0), "fix.txt");
}

static void test_text_wide(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "text", false);
    print_wide(&c);
    assert_golden(capture_end(&c, 1, 1, 1, 0, 1), "wide.txt");
}

static void test_text_tabs_controls(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "text", false);
    kl_source *src = source("tabs.json", "{\n\t\"a\":\t1,\n\t\"b\": \"x\x01y\xFFz\"\n}\n");
    kl_diag a = diag("type", KL_SEV_ERROR, find(src, "1", 1), "$.a", "a must be a string");
    kl_diag b = diag("json-syntax", KL_SEV_ERROR, find(src, "\x01", 1), "$",
                     "control character U+0001 in string");
    kl_diag d = diag("json-syntax", KL_SEV_ERROR, find(src, "\xFF", 1), "$",
                     "invalid UTF-8 byte 0xFF (near \"\x1b[0m\")");
    emit(&c, src, &a);
    emit(&c, src, &b);
    emit(&c, src, &d);
    file_done(&c, src, 3);
    kl_source_free(src);
    assert_golden(capture_end(&c, 1, 1, 3, 0, 0), "tabs_controls.txt");
}

static void test_text_end_of_input(void **state)
{
    (void)state;
    static const char eoi[] = "expected ',' or '}' after object member, found end of input";
    capture c;
    capture_begin(&c, "text", false);
    kl_source *a = source("a.json", "{\"a\": 1");
    kl_source *b = source("b.json", "{\"a\": 1\n");
    kl_source *e = source("c.json", "");
    kl_diag da = diag("json-syntax", KL_SEV_ERROR, at(a->len), "$", eoi);
    kl_diag db = diag("json-syntax", KL_SEV_ERROR, at(b->len), "$", eoi);
    kl_diag de =
        diag("json-syntax", KL_SEV_ERROR, at(0), "$", "expected a JSON value, found end of input");
    emit(&c, a, &da);
    file_done(&c, a, 1);
    emit(&c, b, &db);
    file_done(&c, b, 1);
    emit(&c, e, &de);
    file_done(&c, e, 1);
    kl_source_free(a);
    kl_source_free(b);
    kl_source_free(e);
    assert_golden(capture_end(&c, 3, 3, 3, 0, 0), "end_of_input.txt");
}

static void test_text_jsonl(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "text", false);
    print_jsonl(&c);
    assert_golden(capture_end(&c, 1, 2, 2, 0, 0), "jsonl.txt");
}

static void test_text_multiline_span(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "text", false);
    kl_source *src = source("m.json", "{\n  \"input\": {\"a\": 1,\n    \"b\": 2}\n}\n");
    kl_span open = find(src, "{\"a\"", 1);
    kl_span close = find(src, "2}", 1);
    kl_diag d = diag("shape", KL_SEV_WARNING, kl_span_make(open.start, close.end), "$.input",
                     "input has 2 members, expected 1");
    emit(&c, src, &d);
    file_done(&c, src, 1);
    kl_source_free(src);
    assert_golden(capture_end(&c, 1, 1, 0, 1, 0), "multiline.txt");
}

/* P: a letter every ten columns, so a column can be read off the text. */
static void pattern(char *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = i % 10 == 0 ? (char)('A' + i / 10) : (char)('0' + i % 10);
}

static void test_text_clip(void **state)
{
    (void)state;
    char p150[151], p260[261];
    pattern(p150, 150);
    p150[150] = '\0';
    pattern(p260, 260);
    p260[260] = '\0';
    static const char wide[] = "中";
    char line7[1 + 120 * 3 + 1 + 1] = "x", line8[120 * 3 + 1] = "";
    for (int i = 0; i < 60; i++)
        strcat(line7, wide);
    strcat(line7, "y");
    for (int i = 0; i < 60; i++)
        strcat(line7, wide);
    for (int i = 0; i < 120; i++)
        strcat(line8, wide);

    char text[4096];
    snprintf(text, sizeof(text), "%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n", p150, p150, p260, p260, p260,
             p150, line7, line8);
    kl_source *src = source("long.json", text);
    uint32_t l[9];
    for (uint32_t i = 1; i <= 8; i++)
        l[i] = kl_source_offset(src, i, 1, true);

    const struct {
        kl_span span;
        const char *message;
    } cases[] = {
        {kl_span_make(l[1] + 4, l[1] + 7), "right"},
        {kl_span_make(l[2] + 140, l[2] + 145), "left"},
        {kl_span_make(l[3] + 130, l[3] + 133), "middle"},
        {kl_span_make(l[4] + 5, l[4] + 200), "long span"},
        {kl_span_make(l[5] + 50, l[5] + 250), "long span in the middle"},
        {at(l[6] + 150), "end of line"},
        {kl_span_make(l[7] + 1 + 59 * 3, l[7] + 1 + 60 * 3 + 1), "wide left edge"},
        {kl_span_make(l[8], l[8] + 3), "wide right edge"},
    };
    capture c;
    capture_begin(&c, "text", false);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        kl_diag d = diag("clip", KL_SEV_WARNING, cases[i].span, "$", cases[i].message);
        emit(&c, src, &d);
    }
    file_done(&c, src, 8);
    kl_source_free(src);
    assert_golden(capture_end(&c, 1, 1, 0, 8, 0), "clip.txt");
}

static void test_text_color(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "text", true);
    kl_source *src = source("x.json", "[1, 2,]\n");
    kl_related comma = {find(src, ",", 2), "$", "the comma is here"};
    kl_edit edit = {find(src, ",", 2), ""};
    kl_fix fix = {"remove the trailing comma", &edit, 1, false};
    kl_diag d = diag("json-syntax", KL_SEV_ERROR, find(src, "]", 1), "$",
                     "expected a value after ',', found ']'");
    d.related = &comma;
    d.n_related = 1;
    d.fixes = &fix;
    d.n_fixes = 1;
    emit(&c, src, &d);
    file_done(&c, src, 1);
    kl_source_free(src);
    assert_golden(capture_end(&c, 1, 1, 1, 0, 0), "color.txt");
}

/* The summary line alone, in every wording. */
static void assert_summary(size_t files, size_t records, size_t errors, size_t warnings,
                           size_t infos, const char *want)
{
    capture c;
    capture_begin(&c, "text", false);
    char *got = capture_end(&c, files, records, errors, warnings, infos);
    assert_string_equal(got, want);
    free(got);
}

static void test_text_summary_wording(void **state)
{
    (void)state;
    assert_summary(3, 3, 0, 0, 0, "no problems found in 3 files\n");
    assert_summary(1, 1, 0, 0, 0, "no problems found in 1 file\n");
    assert_summary(0, 0, 0, 0, 0, "no problems found in 0 files\n");
    assert_summary(1, 1, 1, 1, 1, "1 error, 1 warning, 1 info in 1 file\n");
    assert_summary(2, 2, 2, 0, 0, "2 errors, 0 warnings, 0 infos in 2 files\n");
    assert_summary(0, 0, 0, 3, 2, "0 errors, 3 warnings, 2 infos in 0 files\n");
    assert_summary(5, 1500, 2, 3, 4, "2 errors, 3 warnings, 4 infos in 5 files (1500 documents)\n");
    assert_summary(1, 1500, 0, 0, 0, "no problems found in 1 file (1500 documents)\n");
    assert_summary(2, 1, 0, 0, 0, "no problems found in 2 files (1 document)\n");
}

/* ---- json ---- */

static void test_json_simple_error(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "json", false);
    print_simple_error(&c);
    assert_golden(capture_end(&c, 1, 1, 1, 0, 0), "simple_error.json");
}

static void test_json_related_fix_two_files(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "json", false);
    print_duplicate(&c, "kling-3.0");
    print_fix(&c);
    assert_golden(capture_end(&c, 2, 2, 0, 2, 0), "related_fix.json");
}

static void test_json_jsonl(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "json", false);
    print_jsonl(&c);
    assert_golden(capture_end(&c, 1, 2, 2, 0, 0), "jsonl.json");
}

static void test_json_wide(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "json", false);
    print_wide(&c);
    assert_golden(capture_end(&c, 1, 1, 1, 0, 1), "wide.json");
}

static void test_json_escaping(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "json", true); /* colour never applies to json */
    kl_source *src = source("we\"ird\xFF.json", "{\n}");
    kl_edit edit = {at(1), "a\nb"};
    kl_fix fix = {"tab\there", &edit, 1, false};
    kl_diag d = diag("r", KL_SEV_WARNING, kl_span_make(0, 2), "$['\xFF']",
                     "bad \x01 \xC3( \\ \"q\" \xC3\xA9 \x7f \xE2\x80\xA8");
    d.fixes = &fix;
    d.n_fixes = 1;
    emit(&c, src, &d);
    file_done(&c, src, 1);
    kl_source_free(src);
    char *out = capture_end(&c, 1, 1, 0, 1, 0);
    assert_true(kl_utf8_valid(out, strlen(out)));
    assert_golden(out, "escaping.json");
}

static void test_json_empty(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c, "json", false);
    assert_golden(capture_end(&c, 0, 0, 0, 0, 0), "empty.json");
}

/* A small deterministic generator (xorshift) for the robustness test. */
static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/*
 * Random bytes (ASCII, tabs, newlines, CJK, emoji, invalid and truncated
 * sequences, long lines) and random spans, also reversed or out of range:
 * the text output stays valid UTF-8 without control bytes and has one
 * caret row with at least one caret per snippet; the json output is valid
 * UTF-8 and strict JSON (checked with klint's own loader).
 */
static void test_random_inputs(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a",
        "{",
        "\"",
        " ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "\x01",
        "\x1b",
        "\x7f",
        "\xFF",
        "\xC3",
        "\xE4\xB8",
        "\xE4\xB8\xAD",
        "\xF0\x9F\x98\x80",
        "\xCC\x81",
        "\xE2\x80\xAE",
        "\xEF\xBB\xBF",
        "0123456789012345678901234567890123456789",
    };
    enum { N_PIECES = sizeof(pieces) / sizeof(pieces[0]) };
    uint32_t rnd = 2463534242u;
    char text[8192];

    for (int round = 0; round < 300; round++) {
        size_t len = 0;
        size_t n_pieces = next_random(&rnd) % 200;
        for (size_t i = 0; i < n_pieces; i++) {
            const char *piece = pieces[next_random(&rnd) % N_PIECES];
            size_t n = strlen(piece);
            if (len + n >= sizeof(text))
                break;
            memcpy(text + len, piece, n);
            len += n;
        }
        kl_source *src = NULL;
        assert_int_equal(kl_source_from_memory(&src, "r\x1b\xFF.json", text, len), KL_OK);

        kl_diag d[4];
        kl_related related[4];
        for (int i = 0; i < 4; i++) {
            uint32_t a = next_random(&rnd) % (uint32_t)(len + 3);
            uint32_t b = next_random(&rnd) % (uint32_t)(len + 3);
            related[i] = (kl_related){kl_span_make(b, a), "$['\xFF']", "rel\x1b\xC3"};
            d[i] = diag("r", (kl_severity)(1 + i % 3), kl_span_make(a, b), "$.x", "m\xFF\t");
            d[i].related = &related[i];
            d[i].n_related = 1;
        }
        for (int f = 0; f < 2; f++) {
            capture c;
            capture_begin(&c, f == 0 ? "text" : "json", false);
            for (int i = 0; i < 4; i++)
                emit(&c, src, &d[i]);
            char *out = capture_end(&c, 1, 1, 1, 1, 2);
            size_t out_len = strlen(out);
            assert_true(kl_utf8_valid(out, out_len));
            if (f == 0) {
                size_t carets = 0, dashes = 0;
                for (size_t i = 0; i < out_len; i++) {
                    unsigned char ch = (unsigned char)out[i];
                    assert_true(ch >= 0x20 || ch == '\n');
                    assert_true(ch != 0x7f);
                }
                /* Underline rows are the ones with a blank gutter and text after it
                 * ("   | ^^^"); each must hold marks, '^' for the diagnostic and '-'
                 * for its related place. */
                for (const char *line = out; *line; line = strchr(line, '\n') + 1) {
                    size_t indent = strspn(line, " ");
                    if (line[indent] != '|' || line[indent + 1] != ' ')
                        continue;
                    const char *marks = line + indent + 2;
                    marks += strspn(marks, " ");
                    if (*marks == '^')
                        carets++;
                    else if (*marks == '-')
                        dashes++;
                    else
                        fail_msg("underline row without marks:\n%s", out);
                }
                assert_int_equal(carets, 4);
                assert_int_equal(dashes, 4);
            } else {
                kl_source *json = NULL;
                assert_int_equal(kl_source_from_memory(&json, "out", out, out_len), KL_OK);
                kl_diags *diags = NULL;
                kl_doc *doc = NULL;
                assert_int_equal(kl_diags_new(&diags), KL_OK);
                assert_int_equal(kl_json_load(&doc, json, NULL, diags), KL_OK);
                if (kl_diags_count(diags) != 0)
                    fail_msg("invalid json output: %s\n%s", kl_diags_at(diags, 0)->message, out);
                assert_non_null(kl_doc_root(doc));
                kl_doc_free(doc);
                kl_diags_free(diags);
                kl_source_free(json);
            }
            free(out);
        }
        kl_source_free(src);
    }
}

/* The JSON string of s[0..len) the slow way, one byte at a time, as doc/json-format.md
 * says: quote, backslash and controls escaped, invalid UTF-8 bytes as U+FFFD. */
static void slow_json_string(kl_buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    kl_buf_putc(b, '"');
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = u[i] < 0x80 ? 1 : kl_utf8_decode(u + i, len - i, &cp);
        if (n == 0) {
            kl_buf_put(b, "\xEF\xBF\xBD", 3);
            i++;
            continue;
        }
        const char *esc = u[i] == '"'    ? "\\\""
                          : u[i] == '\\' ? "\\\\"
                          : u[i] == '\n' ? "\\n"
                          : u[i] == '\r' ? "\\r"
                          : u[i] == '\t' ? "\\t"
                          : u[i] == '\b' ? "\\b"
                          : u[i] == '\f' ? "\\f"
                                         : NULL;
        if (esc != NULL)
            kl_buf_puts(b, esc);
        else if (u[i] < 0x20)
            kl_buf_printf(b, "\\u%04x", u[i]);
        else
            kl_buf_put(b, s + i, n);
        i += n;
    }
    kl_buf_putc(b, '"');
}

/* kl_print_json_string on long strings: characters cut by its 4 KiB pieces at every byte,
 * escapes and invalid bytes on both sides of a cut, random mixtures. */
static void test_json_string_long(void **state)
{
    (void)state;
    enum { LEN = 3 * 4096 + 100 };
    char *text = malloc(LEN);
    assert_non_null(text);
    kl_buf got = KL_BUF_INIT, want = KL_BUF_INIT;
    uint32_t rnd = 2463534242u;
    for (int round = 0; round < 60; round++) {
        for (size_t i = 0; i < LEN; i++)
            text[i] = (char)('a' + i % 26);
        if (round < 20) {
            /* Around each 4096-byte cut, shifted by `round % 5` bytes. */
            static const char *const at_cut[] = {"\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xFF", "\x01",
                                                 "\"",           "\xC3\xA9"};
            for (size_t cut = 4096; cut < LEN; cut += 4096) {
                const char *piece = at_cut[(size_t)round % 6];
                memcpy(text + cut - (size_t)round % 5, piece, strlen(piece));
            }
        } else {
            static const char *const pieces[] = {
                "\xE4\xB8\xAD", "\xF0\x9F\x98\x80",
                "\xFF",         "\xC3",
                "\x01",         "\x1f",
                "\"",           "\\",
                "\n",           "\t",
                "\x7f",         "\xE2\x80\xA8",
            };
            for (int k = 0; k < 400; k++) {
                const char *piece = pieces[next_random(&rnd) % (sizeof(pieces) / sizeof(*pieces))];
                size_t at = next_random(&rnd) % (LEN - 4);
                memcpy(text + at, piece, strlen(piece));
            }
        }
        size_t len = round % 2 ? LEN : LEN - 50 - (size_t)round;
        kl_buf_clear(&got);
        kl_buf_clear(&want);
        kl_buf_puts(&got, "x");
        kl_buf_puts(&want, "x");
        kl_print_json_string(&got, text, len);
        slow_json_string(&want, text, len);
        assert_false(kl_buf_failed(&got));
        assert_int_equal(got.len, want.len);
        assert_string_equal(got.ptr, want.ptr);
    }
    kl_buf_clear(&got);
    kl_print_json_string(&got, "", 0);
    kl_print_json_string(&got, NULL, 0);
    assert_string_equal(got.ptr, "\"\"null");
    kl_buf_dispose(&got);
    kl_buf_dispose(&want);
    free(text);
}

/* ---- registry and errors ---- */

static void test_registry(void **state)
{
    (void)state;
    size_t n = 0;
    for (; kl_printer_formats[n] != NULL; n++) {
        const kl_printer_ops *ops = kl_printer_formats[n];
        assert_non_null(ops->name);
        assert_non_null(ops->description);
        assert_ptr_equal(kl_printer_find(ops->name), ops);
        for (size_t j = 0; j < n; j++)
            assert_string_not_equal(kl_printer_formats[j]->name, ops->name);
    }
    assert_true(n >= 2);
    assert_string_equal(kl_printer_find("text")->name, "text");
    assert_string_equal(kl_printer_find("json")->name, "json");
    assert_null(kl_printer_find("xml"));
    assert_null(kl_printer_find(""));
    assert_null(kl_printer_find(NULL));

    kl_printer *p = (kl_printer *)1;
    assert_int_equal(kl_printer_new(&p, "xml", stdout, NULL), KL_EUSAGE);
    assert_null(p);
    kl_printer_free(NULL);
}

/* A stream that refuses writes makes the hooks report KL_EIO. */
static void test_write_error(void **state)
{
    (void)state;
    FILE *ro = fopen("/dev/null", "r");
    assert_non_null(ro);
    setvbuf(ro, NULL, _IONBF, 0);
    kl_printer *p = (kl_printer *)1;
    assert_int_equal(kl_printer_new(&p, "json", ro, NULL), KL_EIO); /* begin writes the head */
    assert_null(p);

    assert_int_equal(kl_printer_new(&p, "text", ro, NULL), KL_OK); /* text has no head */
    kl_source *src = source("x.json", "[]");
    kl_diag d = diag("r", KL_SEV_ERROR, at(0), "$", "m");
    assert_int_equal(kl_printer_diag(p, src, &d), KL_EIO);
    kl_summary s = {1, 1, 1, 0, 0};
    assert_int_equal(kl_printer_end(p, &s), KL_EIO);
    kl_printer_free(p);
    kl_source_free(src);
    fclose(ro);
}

/* Spans past the end of the source are clamped, never read out of bounds. */
static void test_out_of_range_spans(void **state)
{
    (void)state;
    kl_source *src = source("x.json", "[1]");
    kl_related r = {kl_span_make(900, 1000), "$", "far away"};
    kl_diag d = diag("r", KL_SEV_ERROR, kl_span_make(50, 10), "$", "m");
    d.related = &r;
    d.n_related = 1;
    static const char *const formats[] = {"text", "json"};
    for (size_t i = 0; i < 2; i++) {
        capture c;
        capture_begin(&c, formats[i], false);
        emit(&c, src, &d);
        char *out = capture_end(&c, 1, 1, 1, 0, 0);
        /* both places are the end of input: line 1, column 4 */
        assert_non_null(
            strstr(out, i == 0 ? "x.json:1:4: error[r]: m" : "\"line\": 1, \"column\": 4"));
        free(out);
    }
    kl_source_free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_simple_error),
        cmocka_unit_test(test_text_related),
        cmocka_unit_test(test_text_fix),
        cmocka_unit_test(test_text_wide),
        cmocka_unit_test(test_text_tabs_controls),
        cmocka_unit_test(test_text_end_of_input),
        cmocka_unit_test(test_text_jsonl),
        cmocka_unit_test(test_text_multiline_span),
        cmocka_unit_test(test_text_clip),
        cmocka_unit_test(test_text_color),
        cmocka_unit_test(test_text_summary_wording),
        cmocka_unit_test(test_json_simple_error),
        cmocka_unit_test(test_json_related_fix_two_files),
        cmocka_unit_test(test_json_jsonl),
        cmocka_unit_test(test_json_wide),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_json_empty),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_out_of_range_spans),
        cmocka_unit_test(test_random_inputs),
        cmocka_unit_test(test_json_string_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
