/*
 * The command line, run in-process: options, inputs, exit status, and the
 * reports it writes. Every test works in a fresh temporary directory holding
 * the files written by setup(), so paths in the output are short and known.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "klint.h"

/* ---- Fixture files ---------------------------------------------------- */

static const char ok_json[] = "{\n"
                              "  \"model\": \"kling-v3-omni\",\n"
                              "  \"prompt\": \"A fox running through a sunlit forest\",\n"
                              "  \"duration\": \"5\"\n"
                              "}\n";

/* A forgotten comma: the parser expects ',' or '}' at line 4, column 3. */
static const char bad_json[] = "{\n"
                               "  \"model\": \"kling-v3-omni\",\n"
                               "  \"prompt\": \"A fox\"\n"
                               "  \"duration\": \"5\"\n"
                               "}\n";

/* A duplicate key alone is a warning: the exit status stays 0. */
static const char dup_json[] =
    "{\"model\": \"kling-v3-omni\", \"prompt\": \"a\", \"prompt\": \"b\"}\n";

/* Line 3 lacks a comma (before "duration", column 43); line 4 is blank; line 5 repeats a key. */
static const char batch_jsonl[] =
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"a fox\",\"duration\":\"5\"}\n"
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"a cat\",\"duration\":\"10\"}\n"
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"a dog\" \"duration\":\"5\"}\n"
    "\n"
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"x\",\"prompt\":\"y\"}\n"
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"ok\"}\n";

/* CRLF lines; record 2 ends after `{"model":`, so the error is at column 10 (the '\r' is not
 * input: it would be skipped as whitespace and put the error at column 11). */
static const char crlf_jsonl[] = "{\"model\":\"kling-v3-omni\",\"prompt\":\"a\"}\r\n"
                                 "{\"model\":\r\n"
                                 "\r\n"
                                 "{\"model\":\"kling-v3-omni\",\"prompt\":\"b\"}\r\n";

/* Only one record among blank and whitespace-only lines. */
static const char blank_jsonl[] =
    "\n\n   \n\t\n{\"model\":\"kling-v3-omni\",\"prompt\":\"a\"}\n \r\n\n";

static char tmpdir[PATH_MAX];
static char origdir[PATH_MAX];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    (void)state;
    if (getcwd(origdir, sizeof(origdir)) == NULL)
        return -1;
    strcpy(tmpdir, "/tmp/klint-cli-XXXXXX");
    if (mkdtemp(tmpdir) == NULL || chdir(tmpdir) != 0)
        return -1;
    write_file("ok.json", ok_json);
    write_file("bad.json", bad_json);
    write_file("dup.json", dup_json);
    write_file("batch.jsonl", batch_jsonl);
    write_file("crlf.jsonl", crlf_jsonl);
    write_file("blank.jsonl", blank_jsonl);
    write_file("-dash.json", "{");

    /* A tree for directory search: every file holds one syntax error. */
    if (mkdir("tree", 0777) != 0 || mkdir("tree/sub", 0777) != 0 ||
        mkdir("tree/.hidden", 0777) != 0)
        return -1;
    write_file("tree/b.json", "{");
    write_file("tree/a.json", "{");
    write_file("tree/A.json", "{");
    write_file("tree/notes.txt", "{");
    write_file("tree/sub.json", "{");
    write_file("tree/sub/x.jsonl", "{\n");
    write_file("tree/z.ndjson", "{\"model\":\"kling-v3-omni\",\"prompt\":\"a\"}\n{\n");
    write_file("tree/.dot.json", "{");
    write_file("tree/.hidden/h.json", "{");
    if (symlink("a.json", "tree/link.json") != 0 || symlink(".", "tree/loop") != 0)
        return -1;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    (void)state;
    if (chdir(origdir) != 0)
        return -1;
    return nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- Running the CLI -------------------------------------------------- */

typedef struct cli_result {
    int status;
    char *out;
    size_t out_len;
    char *err;
    size_t err_len;
} cli_result;

/* Run klint with the NULL-terminated `args` (argv[0] is added), writing `out` to `out_stream`
 * when given (else a memory stream). */
static cli_result run_on(FILE *out_stream, const char *const *args)
{
    cli_result r = {0};
    char *argv[64];
    int argc = 0;
    argv[argc++] = strdup("klint");
    for (size_t i = 0; args[i] != NULL; i++) {
        assert_true(argc < 63);
        argv[argc++] = strdup(args[i]);
    }
    argv[argc] = NULL;

    FILE *out = out_stream ? out_stream : open_memstream(&r.out, &r.out_len);
    FILE *err = open_memstream(&r.err, &r.err_len);
    assert_non_null(out);
    assert_non_null(err);
    r.status = kl_cli_main(argc, argv, out, err);
    if (out_stream == NULL)
        fclose(out);
    fclose(err);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    return r;
}

#define RUN(...) run_on(NULL, (const char *const[]){__VA_ARGS__, NULL})

static void result_free(cli_result *r)
{
    free(r->out);
    free(r->err);
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL)
        fail_msg("expected to find \"%s\" in an output that was never written", needle);
    else if (strstr(haystack, needle) == NULL)
        fail_msg("expected to find \"%s\" in:\n%s", needle, haystack);
}

static void assert_lacks(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) != NULL)
        fail_msg("did not expect \"%s\" in:\n%s", needle, haystack);
}

/* ---- Reading the JSON report with klint's own loader ----------------- */

typedef struct report {
    kl_source *src;
    kl_doc *doc;
    const kl_node *root;
    const kl_node *diags;   /* the "diagnostics" array */
    const kl_node *summary; /* the "summary" object */
} report;

static report parse_report(const char *text)
{
    report rep = {0};
    kl_diags *found;
    assert_int_equal(kl_diags_new(&found), KL_OK);
    assert_int_equal(kl_source_from_memory(&rep.src, "report.json", text, strlen(text)), KL_OK);
    assert_int_equal(kl_json_load(&rep.doc, rep.src, NULL, found), KL_OK);
    if (kl_diags_count(found) != 0)
        fail_msg("the JSON report is not clean JSON (%s):\n%s", kl_diags_at(found, 0)->message,
                 text);
    kl_diags_free(found);
    rep.root = kl_doc_root(rep.doc);
    assert_non_null(rep.root);
    int64_t version;
    assert_true(kl_node_int64(kl_node_getz(rep.root, "version"), &version));
    assert_int_equal(version, 1);
    rep.diags = kl_node_getz(rep.root, "diagnostics");
    rep.summary = kl_node_getz(rep.root, "summary");
    assert_non_null(rep.diags);
    assert_int_equal(rep.diags->kind, KL_JSON_ARRAY);
    assert_non_null(rep.summary);
    assert_int_equal(rep.summary->kind, KL_JSON_OBJECT);
    return rep;
}

static void report_free(report *rep)
{
    kl_doc_free(rep->doc);
    kl_source_free(rep->src);
}

static int64_t int_member(const kl_node *obj, const char *name)
{
    int64_t v;
    if (!kl_node_int64(kl_node_getz(obj, name), &v))
        fail_msg("member \"%s\" is missing or not an integer", name);
    return v;
}

/* Assert that member `name` of `obj` is the string `want` (decoded strings are not
 * NUL-terminated). */
static void assert_str_member(const kl_node *obj, const char *name, const char *want)
{
    const kl_node *n = kl_node_getz(obj, name);
    if (n == NULL || n->kind != KL_JSON_STRING)
        fail_msg("member \"%s\" is missing or not a string", name);
    if (!kl_node_is_string(n, want))
        fail_msg("member \"%s\" is \"%.*s\", expected \"%s\"", name, (int)n->len, n->u.str, want);
}

static void assert_summary(const report *rep, int64_t files, int64_t records, int64_t errors,
                           int64_t warnings)
{
    assert_int_equal(int_member(rep->summary, "files"), files);
    assert_int_equal(int_member(rep->summary, "records"), records);
    assert_int_equal(int_member(rep->summary, "errors"), errors);
    assert_int_equal(int_member(rep->summary, "warnings"), warnings);
    assert_int_equal(int_member(rep->summary, "infos"), 0);
}

/* ---- Exit status ------------------------------------------------------ */

static void test_clean_input_exits_0(void **state)
{
    (void)state;
    cli_result r = RUN("ok.json");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_lacks(r.out, "error");
    assert_string_equal(r.err, "");
    result_free(&r);
}

static void test_error_finding_exits_1(void **state)
{
    (void)state;
    cli_result r = RUN("bad.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_contains(r.out, "bad.json:4:3: error[json-syntax]");
    assert_string_equal(r.err, "");
    result_free(&r);
}

static void test_warning_alone_exits_0(void **state)
{
    (void)state;
    cli_result r = RUN("dup.json");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_contains(r.out, "dup.json:1:43: warning[json-duplicate-key]");
    result_free(&r);
}

static void test_missing_file_exits_2_and_others_are_linted(void **state)
{
    (void)state;
    cli_result r = RUN("missing.json", "bad.json");
    assert_int_equal(r.status, KL_EXIT_USAGE); /* 2 beats the 1 of bad.json */
    assert_string_equal(r.err, "klint: cannot read 'missing.json': No such file or directory\n");
    assert_contains(r.out, "bad.json:4:3: error[json-syntax]");
    result_free(&r);

    r = RUN("--format", "json", "ok.json", "missing.json", "dup.json");
    assert_int_equal(r.status, KL_EXIT_USAGE);
    report rep = parse_report(r.out);
    assert_summary(&rep, 2, 2, 0, 1); /* the missing file is not counted */
    report_free(&rep);
    result_free(&r);

    r = RUN("ok.json/x.json");
    assert_int_equal(r.status, KL_EXIT_USAGE);
    assert_string_equal(r.err, "klint: cannot read 'ok.json/x.json': Not a directory\n");
    result_free(&r);

    r = RUN("missing.jsonl");
    assert_int_equal(r.status, KL_EXIT_USAGE);
    assert_string_equal(r.err, "klint: cannot read 'missing.jsonl': No such file or directory\n");
    result_free(&r);
}

/* ---- Options ---------------------------------------------------------- */

static void expect_usage_error(const cli_result *r, const char *message)
{
    assert_int_equal(r->status, KL_EXIT_USAGE);
    assert_contains(r->err, message);
    assert_contains(r->err, "Try 'klint --help'");
    assert_string_equal(r->out, ""); /* nothing was linted */
}

static void test_bad_options_exit_2(void **state)
{
    (void)state;
    cli_result r = RUN("--bogus", "ok.json");
    expect_usage_error(&r, "klint: unknown option '--bogus'\n");
    result_free(&r);

    r = RUN("-x", "ok.json");
    expect_usage_error(&r, "unknown option '-x'");
    result_free(&r);

    r = RUN("-hV");
    expect_usage_error(&r, "unknown option '-hV'");
    result_free(&r);

    r = RUN("--synta", "ok.json"); /* no abbreviations */
    expect_usage_error(&r, "unknown option '--synta'");
    result_free(&r);

    r = RUN("ok.json", "--format");
    expect_usage_error(&r, "option '--format' needs a value");
    result_free(&r);

    r = RUN("--syntax-only=yes", "ok.json");
    expect_usage_error(&r, "option '--syntax-only' takes no value");
    result_free(&r);

    r = RUN("--color", "sometimes", "ok.json");
    expect_usage_error(&r, "invalid value 'sometimes' for --color (choose from: auto, always, "
                           "never)");
    result_free(&r);
}

static void test_bad_format_names_the_choices(void **state)
{
    (void)state;
    cli_result r = RUN("--format=xml", "ok.json");
    expect_usage_error(&r, "invalid value 'xml' for --format (choose from: ");
    for (size_t i = 0; kl_printer_formats[i] != NULL; i++)
        assert_contains(r.err, kl_printer_formats[i]->name);
    assert_contains(r.err, "text");
    assert_contains(r.err, "json");
    result_free(&r);
}

static void test_no_path_is_a_usage_error(void **state)
{
    (void)state;
    cli_result r = RUN("--syntax-only");
    expect_usage_error(&r, "no input given");
    assert_contains(r.err, "'-'");
    result_free(&r);
}

static void test_help_and_version(void **state)
{
    (void)state;
    cli_result r = RUN("--help");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_string_equal(r.err, "");
    assert_contains(r.out, "Usage: klint [OPTIONS] PATH...");
    static const char *const names[] = {"--format FORMAT", "--color WHEN",          "--syntax-only",
                                        "--jsonl",         "--stdin-filename NAME", "-h, --help",
                                        "-V, --version",   "Exit status:"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_contains(r.out, names[i]);
    /* The formats come from the printer table. */
    for (size_t i = 0; kl_printer_formats[i] != NULL; i++)
        assert_contains(r.out, kl_printer_formats[i]->name);
    result_free(&r);

    r = RUN("-h", "bad.json"); /* help wins over linting */
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_lacks(r.out, "json-syntax");
    result_free(&r);

    r = RUN("-V");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_string_equal(r.out, "klint " KLINT_VERSION "\n");
    result_free(&r);

    r = RUN("--version");
    assert_string_equal(r.out, "klint " KLINT_VERSION "\n");
    result_free(&r);
}

static void test_option_forms_agree(void **state)
{
    (void)state;
    cli_result a = RUN("--format=json", "bad.json");
    cli_result b = RUN("--format", "json", "bad.json");
    cli_result c = RUN("--format", "text", "--format", "json", "bad.json"); /* last wins */
    assert_int_equal(a.status, KL_EXIT_FINDINGS);
    assert_string_equal(a.out, b.out);
    assert_string_equal(a.out, c.out);
    result_free(&a);
    result_free(&b);
    result_free(&c);
}

static void test_double_dash_ends_options(void **state)
{
    (void)state;
    cli_result r = RUN("-dash.json");
    expect_usage_error(&r, "unknown option '-dash.json'");
    result_free(&r);

    r = RUN("--format", "json", "--", "-dash.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    report rep = parse_report(r.out);
    assert_int_equal(rep.diags->len, 1);
    assert_str_member(kl_node_at(rep.diags, 0), "file", "-dash.json");
    report_free(&rep);
    result_free(&r);
}

static void test_syntax_only(void **state)
{
    (void)state;
    cli_result r = RUN("--syntax-only", "ok.json");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    result_free(&r);

    r = RUN("--syntax-only", "ok.json", "bad.json", "batch.jsonl");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_contains(r.out, "bad.json:4:3: error[json-syntax]");
    assert_contains(r.out, "batch.jsonl:3:43: error[json-syntax]");
    result_free(&r);
}

/* ---- The JSON report -------------------------------------------------- */

static void test_json_format(void **state)
{
    (void)state;
    cli_result r = RUN("--format", "json", "ok.json", "bad.json", "dup.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    report rep = parse_report(r.out);
    assert_summary(&rep, 3, 3, 1, 1);
    assert_int_equal(rep.diags->len, 2);

    const kl_node *d = kl_node_at(rep.diags, 0);
    assert_str_member(d, "file", "bad.json");
    assert_int_equal(kl_node_getz(d, "record")->kind, KL_JSON_NULL);
    assert_str_member(d, "rule", "json-syntax");
    assert_str_member(d, "severity", "error");
    assert_int_equal(int_member(d, "line"), 4);
    assert_int_equal(int_member(d, "column"), 3);

    d = kl_node_at(rep.diags, 1);
    assert_str_member(d, "file", "dup.json");
    assert_str_member(d, "rule", "json-duplicate-key");
    assert_str_member(d, "severity", "warning");
    assert_int_equal(int_member(d, "line"), 1);
    assert_int_equal(int_member(d, "column"), 43);
    assert_int_equal(kl_node_getz(d, "related")->len, 1);
    report_free(&rep);
    result_free(&r);
}

/* ---- JSON Lines ------------------------------------------------------- */

static void test_jsonl_real_line_numbers(void **state)
{
    (void)state;
    cli_result r = RUN("batch.jsonl");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_contains(r.out, "batch.jsonl:3:43: error[json-syntax]");
    assert_contains(r.out, "batch.jsonl:5:39: warning[json-duplicate-key]");
    result_free(&r);

    r = RUN("--format", "json", "batch.jsonl");
    report rep = parse_report(r.out);
    assert_summary(&rep, 1, 5, 1, 1);
    assert_int_equal(rep.diags->len, 2);
    const kl_node *d = kl_node_at(rep.diags, 0);
    assert_int_equal(int_member(d, "record"), 3);
    assert_int_equal(int_member(d, "line"), 3);
    assert_int_equal(int_member(d, "column"), 43);
    d = kl_node_at(rep.diags, 1);
    assert_int_equal(int_member(d, "record"), 5);
    assert_int_equal(int_member(d, "line"), 5);
    report_free(&rep);
    result_free(&r);
}

static void test_jsonl_crlf(void **state)
{
    (void)state;
    cli_result r = RUN("--format", "json", "crlf.jsonl");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    report rep = parse_report(r.out);
    assert_int_equal(rep.diags->len, 1);
    const kl_node *d = kl_node_at(rep.diags, 0);
    assert_int_equal(int_member(d, "record"), 2);
    assert_int_equal(int_member(d, "line"), 2);
    assert_int_equal(int_member(d, "column"), 10);
    report_free(&rep);
    result_free(&r);
}

static void test_jsonl_blank_lines_skipped(void **state)
{
    (void)state;
    /* A blank line linted as a document would be an "empty input" error. */
    cli_result r = RUN("--format", "json", "blank.jsonl");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    report rep = parse_report(r.out);
    assert_summary(&rep, 1, 1, 0, 0);
    assert_int_equal(rep.diags->len, 0);
    report_free(&rep);
    result_free(&r);
}

static void test_jsonl_flag_applies_to_any_name(void **state)
{
    (void)state;
    write_file("lines.txt", "{}\n[1,]\n");
    cli_result r = RUN("lines.txt");
    assert_int_equal(r.status, KL_EXIT_FINDINGS); /* two values in one document */
    assert_lacks(r.out, "lines.txt:2:3:");
    result_free(&r);

    r = RUN("--jsonl", "lines.txt");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_contains(r.out, "lines.txt:2:3: error[json-syntax]");
    result_free(&r);
    remove("lines.txt");
}

/* ---- Standard input --------------------------------------------------- */

/* Run klint with stdin reading `text`. */
static cli_result run_with_stdin(const char *text, const char *const *args)
{
    int saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    write_file("stdin.tmp", text);
    int fd = open("stdin.tmp", O_RDONLY);
    assert_true(fd >= 0);
    assert_true(dup2(fd, STDIN_FILENO) >= 0);
    close(fd);
    clearerr(stdin);
    cli_result r = run_on(NULL, args);
    assert_true(dup2(saved, STDIN_FILENO) >= 0);
    close(saved);
    clearerr(stdin);
    remove("stdin.tmp");
    return r;
}

#define RUN_STDIN(text, ...) run_with_stdin(text, (const char *const[]){__VA_ARGS__, NULL})

static void test_stdin(void **state)
{
    (void)state;
    cli_result r = RUN_STDIN(bad_json, "--stdin-filename", "req.json", "-");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_contains(r.out, "req.json:4:3: error[json-syntax]");
    result_free(&r);

    r = RUN_STDIN(bad_json, "-");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_contains(r.out, "-:4:3: error[json-syntax]");
    result_free(&r);

    r = RUN_STDIN(ok_json, "-", "bad.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_lacks(r.out, "-:");
    result_free(&r);
}

static void test_stdin_jsonl(void **state)
{
    (void)state;
    /* The display name's extension makes stdin JSON Lines... */
    cli_result r =
        RUN_STDIN(batch_jsonl, "--format", "json", "--stdin-filename", "batch.ndjson", "-");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    report rep = parse_report(r.out);
    assert_summary(&rep, 1, 5, 1, 1);
    assert_str_member(kl_node_at(rep.diags, 0), "file", "batch.ndjson");
    assert_int_equal(int_member(kl_node_at(rep.diags, 0), "record"), 3);
    report_free(&rep);
    result_free(&r);

    /* ...and so does --jsonl. */
    r = RUN_STDIN(batch_jsonl, "--jsonl", "-");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_contains(r.out, "-:3:43: error[json-syntax]");
    result_free(&r);
}

/* ---- Directories ------------------------------------------------------ */

static void expect_files(const report *rep, const char *const *files, size_t n)
{
    assert_int_equal(rep->diags->len, n);
    for (size_t i = 0; i < n; i++)
        assert_str_member(kl_node_at(rep->diags, i), "file", files[i]);
}

static void test_directory_recursion(void **state)
{
    (void)state;
    /* Byte order of names; hidden entries, other extensions and linked directories skipped. */
    static const char *const want[] = {
        "tree/A.json",      "tree/a.json",   "tree/b.json",   "tree/link.json",
        "tree/sub/x.jsonl", "tree/sub.json", "tree/z.ndjson",
    };
    cli_result r = RUN("--format", "json", "tree");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_string_equal(r.err, "");
    report rep = parse_report(r.out);
    expect_files(&rep, want, sizeof(want) / sizeof(want[0]));
    assert_summary(&rep, 7, 8, 7, 0);
    assert_int_equal(int_member(kl_node_at(rep.diags, 6), "record"), 2);
    report_free(&rep);
    result_free(&r);

    /* A trailing slash is kept as typed, not doubled. */
    r = RUN("--format", "json", "tree/");
    rep = parse_report(r.out);
    assert_str_member(kl_node_at(rep.diags, 0), "file", "tree/A.json");
    report_free(&rep);
    result_free(&r);

    /* Named explicitly, any file is linted, hidden or not, whatever its extension. */
    static const char *const named[] = {"tree/notes.txt", "tree/.hidden/h.json"};
    r = RUN("--format", "json", "tree/notes.txt", "tree/.hidden/h.json");
    rep = parse_report(r.out);
    expect_files(&rep, named, 2);
    report_free(&rep);
    result_free(&r);

    /* An empty directory is no error. */
    assert_int_equal(mkdir("empty", 0777), 0);
    r = RUN("empty");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_string_equal(r.err, "");
    result_free(&r);
    rmdir("empty");
}

/* ---- Colour ----------------------------------------------------------- */

static void test_color_flag(void **state)
{
    (void)state;
    cli_result r = RUN("--color", "always", "bad.json");
    assert_contains(r.out, "\033[");
    result_free(&r);

    r = RUN("--color=never", "bad.json");
    assert_lacks(r.out, "\033");
    result_free(&r);

    r = RUN("bad.json"); /* auto, and a memory stream is no terminal */
    assert_lacks(r.out, "\033");
    result_free(&r);

    r = RUN("--color", "always", "--format", "json", "bad.json");
    assert_lacks(r.out, "\033");
    result_free(&r);
}

/* Run with the report going to a pseudo-terminal; returns what arrived there. */
static char *run_on_tty(const char *const *args)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    assert_true(slave >= 0);
    FILE *out = fdopen(slave, "w");
    assert_non_null(out);

    cli_result r = run_on(out, args);
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    fflush(out);

    char *text = calloc(1, 65536);
    assert_non_null(text);
    size_t len = 0;
    struct pollfd p = {master, POLLIN, 0};
    while (len < 65535 && poll(&p, 1, 200) > 0) {
        ssize_t n = read(master, text + len, 65535 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    fclose(out);
    close(master);
    free(r.err);
    return text;
}

#define RUN_TTY(...) run_on_tty((const char *const[]){__VA_ARGS__, NULL})

static void test_color_auto_on_a_terminal(void **state)
{
    (void)state;
    unsetenv("NO_COLOR");
    char *text = RUN_TTY("bad.json");
    assert_contains(text, "bad.json");
    assert_contains(text, "\033[");
    free(text);

    setenv("NO_COLOR", "1", 1);
    text = RUN_TTY("bad.json");
    assert_contains(text, "bad.json");
    assert_lacks(text, "\033");
    free(text);

    text = RUN_TTY("--color", "always", "bad.json"); /* an explicit flag beats NO_COLOR */
    assert_contains(text, "\033[");
    free(text);

    setenv("NO_COLOR", "", 1); /* empty counts as unset */
    text = RUN_TTY("bad.json");
    assert_contains(text, "\033[");
    free(text);
    unsetenv("NO_COLOR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_input_exits_0),
        cmocka_unit_test(test_error_finding_exits_1),
        cmocka_unit_test(test_warning_alone_exits_0),
        cmocka_unit_test(test_missing_file_exits_2_and_others_are_linted),
        cmocka_unit_test(test_bad_options_exit_2),
        cmocka_unit_test(test_bad_format_names_the_choices),
        cmocka_unit_test(test_no_path_is_a_usage_error),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_option_forms_agree),
        cmocka_unit_test(test_double_dash_ends_options),
        cmocka_unit_test(test_syntax_only),
        cmocka_unit_test(test_json_format),
        cmocka_unit_test(test_jsonl_real_line_numbers),
        cmocka_unit_test(test_jsonl_crlf),
        cmocka_unit_test(test_jsonl_blank_lines_skipped),
        cmocka_unit_test(test_jsonl_flag_applies_to_any_name),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_stdin_jsonl),
        cmocka_unit_test(test_directory_recursion),
        cmocka_unit_test(test_color_flag),
        cmocka_unit_test(test_color_auto_on_a_terminal),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
