/*
 * The command line, run in-process: options, inputs, exit status, and the
 * reports it writes. Every test works in a fresh temporary directory holding
 * the files written by setup(), so paths in the output are short and known.
 */
#define _XOPEN_SOURCE 700

#include <dirent.h>
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
    if (mkdir("tree/.git", 0777) != 0)
        return -1;
    write_file("tree/.git/config.json", "{");
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
    /* Byte order of the paths ('.' < '/', so sub.json comes before sub/x.jsonl); hidden
     * entries (.git included), other extensions and linked directories skipped. */
    static const char *const want[] = {
        "tree/A.json",   "tree/a.json",      "tree/b.json",   "tree/link.json",
        "tree/sub.json", "tree/sub/x.jsonl", "tree/z.ndjson",
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
    static const char *const named[] = {"tree/.hidden/h.json", "tree/notes.txt"};
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

/* ---- Helpers for the tests below ------------------------------------- */

/* The contents of `path`, NUL-terminated (free it), or NULL when it cannot be read. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_non_null(m);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        assert_int_equal(fwrite(chunk, 1, n, m), n);
    fclose(f);
    fclose(m);
    return text;
}

static void rm_rf(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void make_dir(const char *path)
{
    assert_int_equal(mkdir(path, 0777), 0);
}

/* Run klint with the NULL-terminated `args`. */
static cli_result run_args(const char *const *args)
{
    return run_on(NULL, args);
}

/* The "file" members of the report's diagnostics are in byte order, and so are the
 * positions within one file: the order a run promises whatever the number of jobs. */
static void expect_run_order(const report *rep)
{
    for (uint32_t i = 1; i < rep->diags->len; i++) {
        const kl_node *a = kl_node_at(rep->diags, i - 1), *b = kl_node_at(rep->diags, i);
        const kl_node *fa = kl_node_getz(a, "file"), *fb = kl_node_getz(b, "file");
        size_t la = fa->len, lb = fb->len;
        int c = memcmp(fa->u.str, fb->u.str, la < lb ? la : lb);
        if (c == 0)
            c = la < lb ? -1 : la > lb;
        if (c > 0)
            fail_msg("diagnostic %u (%.*s) comes after %.*s", (unsigned)i, (int)lb, fb->u.str,
                     (int)la, fa->u.str);
        if (c == 0) {
            int64_t pa = int_member(a, "line") * 100000 + int_member(a, "column");
            int64_t pb = int_member(b, "line") * 100000 + int_member(b, "column");
            if (pa > pb)
                fail_msg("diagnostic %u is before the previous one in %.*s", (unsigned)i,
                         (int)la, fa->u.str);
        }
    }
}

/* A request the ezmodel profile rejects at one place ("99" is out of range). */
static const char rule_json[] =
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"a fox\",\"duration\":\"99\"}\n";

/* An ezmodel request whose one error has a fix: sound "on" becomes "off" (line 7). */
static const char fixable_json[] = "{\n"
                                   "  \"model\": \"kling-v3-omni\",\n"
                                   "  \"prompt\": \"A red fox\",\n"
                                   "  \"video_list\": [\n"
                                   "    {\"video_url\": \"https://cdn.example.com/v.mp4\", "
                                   "\"refer_type\": \"feature\"}\n"
                                   "  ],\n"
                                   "  \"sound\": \"on\"\n"
                                   "}\n";

/* The same with the fix applied. */
static const char fixed_json[] = "{\n"
                                 "  \"model\": \"kling-v3-omni\",\n"
                                 "  \"prompt\": \"A red fox\",\n"
                                 "  \"video_list\": [\n"
                                 "    {\"video_url\": \"https://cdn.example.com/v.mp4\", "
                                 "\"refer_type\": \"feature\"}\n"
                                 "  ],\n"
                                 "  \"sound\": \"off\"\n"
                                 "}\n";

/* An info finding alone: duration is ignored for video editing (refer_type "base"). */
static const char info_json[] =
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"a fox\",\"video_list\":[{\"video_url\":"
    "\"https://cdn.example.com/v.mp4\",\"refer_type\":\"base\"}],\"duration\":\"5\"}\n";

/* ---- Order and jobs -------------------------------------------------- */

/* A folder of `n` files of four kinds, a sub-folder, and a JSON Lines batch of over 1 MiB
 * (streamed by the main thread while workers lint the rest). */
static void make_many(const char *dir, int n)
{
    static const char *const kinds[] = {bad_json, dup_json, ok_json, rule_json};
    char path[PATH_MAX];
    make_dir(dir);
    snprintf(path, sizeof(path), "%s/sub", dir);
    make_dir(path);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%sf%03d.json", dir, i % 5 == 0 ? "sub/" : "", i);
        write_file(path, kinds[i % 4]);
    }
    snprintf(path, sizeof(path), "%s/m-batch.jsonl", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 14000; i++)
        fprintf(f, "%s\n", i % 997 == 5 ? "{\"model\":\"kling-v3-omni\",\"prompt\":\"x\" \"y\"}"
                           : i % 1009 == 7 ? "{\"model\":\"kling-v3-omni\",\"prompt\":\"a\","
                                             "\"duration\":\"99\"}"
                                           : "{\"model\":\"kling-v3-omni\",\"prompt\":\"a "
                                             "fox running through a sunlit forest, slowly\"}");
    assert_int_equal(fclose(f), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > (1 << 20));
}

static void test_output_is_the_same_whatever_the_jobs(void **state)
{
    (void)state;
    make_many("many", 80);
    static const char *const formats[] = {"json", "text", "sarif"};
    for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
        cli_result one = RUN("-j1", "--format", formats[f], "many", "bad.json", "batch.jsonl");
        assert_int_equal(one.status, KL_EXIT_FINDINGS);
        assert_string_equal(one.err, "");
        static const char *const jobs[] = {"-j2", "-j3", "--jobs=8", "-j64"};
        for (size_t j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++) {
            cli_result r = RUN(jobs[j], "--format", formats[f], "many", "bad.json", "batch.jsonl");
            assert_int_equal(r.status, one.status);
            assert_string_equal(r.out, one.out);
            result_free(&r);
        }
        if (strcmp(formats[f], "json") == 0) {
            report rep = parse_report(one.out);
            expect_run_order(&rep);
            /* 80 files + the batch + bad.json + batch.jsonl; every 4th file is broken. */
            assert_int_equal(int_member(rep.summary, "files"), 83);
            assert_int_equal(int_member(rep.summary, "records"), 80 + 14000 + 1 + 5);
            assert_str_member(kl_node_at(rep.diags, 0), "file", "bad.json");
            report_free(&rep);
        }
        result_free(&one);
    }
    rm_rf("many");
}

static void test_inputs_sorted_and_linted_once(void **state)
{
    (void)state;
    /* By path, whatever the order of the PATHs; a file named twice, or named and found in a
     * directory, is linted once. */
    static const char *const want[] = {"bad.json", "tree/A.json", "tree/a.json", "tree/b.json",
                                       "tree/link.json", "tree/sub.json", "tree/sub/x.jsonl",
                                       "tree/z.ndjson"};
    cli_result r = RUN("-j2", "--format", "json", "tree/b.json", "tree", "bad.json",
                       "tree/a.json", "tree/b.json");
    report rep = parse_report(r.out);
    expect_files(&rep, want, sizeof(want) / sizeof(want[0]));
    assert_summary(&rep, 8, 9, 8, 0);
    report_free(&rep);
    result_free(&r);
}

static void test_stdin_is_last(void **state)
{
    (void)state;
    /* "-" would sort first by name: stdin comes last all the same. */
    static const char *const want[] = {"bad.json", "dup.json", "-"};
    cli_result r = RUN_STDIN(bad_json, "-j2", "--format", "json", "-", "dup.json", "bad.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    report rep = parse_report(r.out);
    expect_files(&rep, want, 3);
    report_free(&rep);
    result_free(&r);
}

static void test_jobs_values(void **state)
{
    (void)state;
    cli_result r = RUN("-j0", "ok.json");
    expect_usage_error(&r, "invalid value '0' for --jobs (expected a number from 1 to 1024)");
    result_free(&r);

    r = RUN("--jobs", "two", "ok.json");
    expect_usage_error(&r, "invalid value 'two' for --jobs");
    result_free(&r);

    r = RUN("-j", "1025", "ok.json");
    expect_usage_error(&r, "invalid value '1025' for --jobs");
    result_free(&r);

    r = RUN("-j", "+2", "ok.json");
    expect_usage_error(&r, "invalid value '+2' for --jobs");
    result_free(&r);

    r = RUN("ok.json", "-j");
    expect_usage_error(&r, "option '--jobs' needs a value (N)");
    result_free(&r);

    r = RUN("-j4", "bad.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_contains(r.out, "bad.json:4:3: error[json-syntax]");
    result_free(&r);
}

/* ---- --exclude ------------------------------------------------------- */

static void test_exclude(void **state)
{
    (void)state;
    /* A glob without '/' matches any component: the directory sub and all below it. */
    static const char *const no_sub[] = {"tree/A.json", "tree/a.json", "tree/b.json",
                                         "tree/link.json", "tree/sub.json", "tree/z.ndjson"};
    cli_result r = RUN("--format", "json", "--exclude", "sub", "tree");
    report rep = parse_report(r.out);
    expect_files(&rep, no_sub, 6);
    report_free(&rep);
    result_free(&r);

    /* Names by pattern, and a glob with '/' anchored at the current directory. */
    static const char *const some[] = {"tree/A.json", "tree/link.json", "tree/sub/x.jsonl"};
    r = RUN("--format", "json", "--exclude", "*.ndjson", "--exclude", "tree/[ab].json",
            "--exclude=sub.json", "tree");
    rep = parse_report(r.out);
    expect_files(&rep, some, 3);
    report_free(&rep);
    result_free(&r);

    /* "./tree" and an absolute path are the same files relative to the current directory. */
    char abs[PATH_MAX + 8];
    snprintf(abs, sizeof(abs), "%s/tree", tmpdir);
    static const char *const rel_x[] = {"./tree/sub/x.jsonl"};
    r = RUN("--format", "json", "--exclude", "tree/*.*", "./tree");
    rep = parse_report(r.out);
    expect_files(&rep, rel_x, 1);
    report_free(&rep);
    result_free(&r);
    r = RUN("--format", "json", "--exclude", "tree/**", abs);
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    rep = parse_report(r.out);
    assert_int_equal(rep.diags->len, 0);
    report_free(&rep);
    result_free(&r);

    /* Explicitly named files are excluded too (a pre-commit hook names every file)... */
    r = RUN("--exclude", "notes.txt", "--exclude", "missing.json", "tree/notes.txt",
            "missing.json");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_string_equal(r.err, "");
    result_free(&r);

    /* ...but a hidden file named explicitly is linted: only searches skip hidden entries. */
    r = RUN("--format", "short", "tree/.git/config.json", "tree");
    assert_contains(r.out, "tree/.git/config.json:1:2: error:");
    assert_lacks(r.out, ".hidden");
    result_free(&r);
}

/* ---- --output -------------------------------------------------------- */

static bool has_temp_files(void)
{
    DIR *d = opendir(".");
    assert_non_null(d);
    bool found = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        found = found || strstr(e->d_name, ".klint-") != NULL;
    closedir(d);
    return found;
}

static void test_output_files(void **state)
{
    (void)state;
    cli_result json = RUN("--format", "json", "tree", "bad.json");
    cli_result shrt = RUN("--format", "short", "tree", "bad.json");
    cli_result text = RUN("--format", "text", "tree", "bad.json");
    cli_result r = RUN("--output", "json=r.json", "--output=short=r.txt", "-j2", "tree",
                       "bad.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_string_equal(r.err, "");
    assert_string_equal(r.out, text.out); /* the terminal report is the default format */
    char *got = slurp("r.json");
    assert_non_null(got);
    assert_string_equal(got, json.out);
    free(got);
    got = slurp("r.txt");
    assert_non_null(got);
    assert_string_equal(got, shrt.out);
    free(got);
    assert_false(has_temp_files());

    /* An existing report keeps its mode. */
    assert_int_equal(chmod("r.json", 0640), 0);
    result_free(&r);
    r = RUN("--output", "json=r.json", "ok.json");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    struct stat st;
    assert_int_equal(stat("r.json", &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    got = slurp("r.json");
    assert_contains(got, "\"files\": 1");
    free(got);
    result_free(&r);

    /* Not a regular file: written in place. */
    r = RUN("--output", "json=/dev/null", "bad.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_string_equal(r.err, "");
    result_free(&r);

    remove("r.json");
    remove("r.txt");
    result_free(&json);
    result_free(&shrt);
    result_free(&text);
}

static void test_output_problems_exit_2_before_linting(void **state)
{
    (void)state;
    cli_result r = RUN("--output", "xml=r.xml", "bad.json");
    expect_usage_error(&r, "klint: invalid format 'xml' in --output xml=r.xml (choose from: ");
    result_free(&r);

    r = RUN("--output", "r.json", "bad.json");
    expect_usage_error(&r, "invalid value 'r.json' for --output (expected FORMAT=FILE)");
    result_free(&r);

    r = RUN("--output", "json=", "bad.json");
    expect_usage_error(&r, "expected FORMAT=FILE");
    result_free(&r);

    r = RUN("--output", "json=ok.json", "--output", "sarif=no/such/dir/r.sarif", "bad.json");
    assert_int_equal(r.status, KL_EXIT_USAGE);
    assert_string_equal(r.err, "klint: cannot write 'no/such/dir/r.sarif': No such file or "
                               "directory\n");
    assert_string_equal(r.out, ""); /* nothing linted */
    char *kept = slurp("ok.json");
    assert_string_equal(kept, ok_json); /* and the other report not started */
    free(kept);
    assert_false(has_temp_files());
    result_free(&r);
}

/* ---- Exit policy ------------------------------------------------------- */

static void test_fail_on(void **state)
{
    (void)state;
    write_file("info.json", info_json);
    static const struct {
        const char *level;
        int bad, dup, info, ok;
    } cases[] = {
        {"error", 1, 0, 0, 0},
        {"warning", 1, 1, 0, 0},
        {"info", 1, 1, 1, 0},
        {"never", 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *files[] = {"bad.json", "dup.json", "info.json", "ok.json"};
        int want[] = {cases[i].bad, cases[i].dup, cases[i].info, cases[i].ok};
        for (size_t f = 0; f < 4; f++) {
            cli_result r = RUN("--fail-on", cases[i].level, files[f]);
            if (r.status != want[f])
                fail_msg("--fail-on %s %s: exit %d, expected %d", cases[i].level, files[f],
                         r.status, want[f]);
            result_free(&r);
        }
    }
    cli_result r = RUN("--format", "short", "info.json");
    assert_contains(r.out, "info.json:1:");
    assert_contains(r.out, ": info: ");
    result_free(&r);

    /* A usage problem still wins. */
    r = RUN("--fail-on", "never", "bad.json", "missing.json");
    assert_int_equal(r.status, KL_EXIT_USAGE);
    result_free(&r);

    r = RUN("--fail-on", "fatal", "ok.json");
    expect_usage_error(&r, "invalid value 'fatal' for --fail-on (choose from: error, warning, "
                           "info, never)");
    result_free(&r);
    remove("info.json");
}

static void test_max_warnings(void **state)
{
    (void)state;
    cli_result r = RUN("--max-warnings", "0", "dup.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    result_free(&r);

    r = RUN("--max-warnings", "1", "dup.json");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    result_free(&r);

    r = RUN("--max-warnings", "1", "dup.json", "batch.jsonl", "--fail-on", "never");
    assert_int_equal(r.status, KL_EXIT_FINDINGS); /* two warnings; errors do not count */
    result_free(&r);

    r = RUN("--max-warnings=2", "dup.json", "batch.jsonl", "--fail-on=never");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    result_free(&r);

    r = RUN("--max-warnings", "-1", "dup.json");
    expect_usage_error(&r, "invalid value '-1' for --max-warnings (expected a number, 0 or more)");
    result_free(&r);
}

static void test_help_lists_the_new_options(void **state)
{
    (void)state;
    cli_result r = RUN("--help");
    static const char *const names[] = {
        "-j, --jobs N",      "--exclude GLOB",        "--output FORMAT=FILE",
        "--fail-on LEVEL",   "--max-warnings N",      "--config FILE",
        "--no-config",       "--baseline FILE",       "--generate-baseline FILE",
        "--fix",             "--diff",                "--fail-on level (default: error)"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_contains(r.out, names[i]);
    /* Every line fits a terminal of 80 columns. */
    for (const char *line = r.out; *line != '\0';) {
        const char *end = strchr(line, '\n');
        assert_non_null(end);
        if (end - line > 80)
            fail_msg("help line over 80 columns: %.*s", (int)(end - line), line);
        line = end + 1;
    }
    result_free(&r);
}

/* ---- Configuration ------------------------------------------------------ */

static void test_config_nearest_wins(void **state)
{
    (void)state;
    make_dir("cfg");
    make_dir("cfg/sub");
    make_dir("cfg/near");
    /* The top configuration makes duplicate keys errors and has an ignore entry that will
     * drop nothing; the nearer one ignores duplicate keys. */
    write_file("cfg/.klint.json", "{\"severity\": {\"json-duplicate-key\": \"error\"},\n"
                                  " \"ignores\": [{\"rules\": \"enum\"}]}\n");
    write_file("cfg/near/.klint.json", "{\"ignore\": [\"json-duplicate-key\"]}\n");
    write_file("cfg/dup.json", dup_json);
    write_file("cfg/sub/dup.json", dup_json);
    write_file("cfg/near/dup.json", dup_json);

    for (int j = 1; j <= 2; j++) {
        cli_result r = run_args(
            (const char *const[]){j == 1 ? "-j1" : "-j2", "--format", "json", "cfg", NULL});
        assert_int_equal(r.status, KL_EXIT_FINDINGS);
        assert_string_equal(r.err, "");
        report rep = parse_report(r.out);
        /* Two files under the top configuration, in two directories: one configuration
         * loaded once, so its unused entry is reported once, as a finding of its own. */
        static const char *const want[] = {"cfg/dup.json", "cfg/sub/dup.json",
                                           "cfg/.klint.json"};
        expect_files(&rep, want, 3);
        assert_str_member(kl_node_at(rep.diags, 0), "severity", "error");
        assert_str_member(kl_node_at(rep.diags, 1), "severity", "error");
        const kl_node *unused = kl_node_at(rep.diags, 2);
        assert_str_member(unused, "rule", "config-unused-ignore");
        assert_str_member(unused, "severity", "warning");
        assert_int_equal(int_member(unused, "line"), 2);
        assert_int_equal(int_member(unused, "column"), 14); /* the entry's '{' */
        assert_summary(&rep, 3, 3, 2, 1);
        report_free(&rep);
        result_free(&r);
    }

    /* --no-config: plain warnings everywhere. */
    cli_result r = RUN("--no-config", "--format", "json", "cfg");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    report rep = parse_report(r.out);
    assert_summary(&rep, 3, 3, 0, 3);
    report_free(&rep);
    result_free(&r);

    /* --config: one configuration for every input. */
    r = RUN("--config", "cfg/near/.klint.json", "--format", "json", "cfg", "dup.json");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    rep = parse_report(r.out);
    assert_summary(&rep, 4, 4, 0, 0);
    report_free(&rep);
    result_free(&r);

    r = RUN("--config", "cfg/.klint.json", "--no-config", "ok.json");
    expect_usage_error(&r, "klint: --config and --no-config cannot be used together");
    result_free(&r);

    r = RUN("--config", "cfg/none.json", "ok.json");
    assert_int_equal(r.status, KL_EXIT_USAGE);
    assert_string_equal(r.err, "klint: cannot read the configuration 'cfg/none.json': No such "
                               "file or directory\n");
    assert_string_equal(r.out, "");
    result_free(&r);
    rm_rf("cfg");
}

static void test_config_profiles_and_rule_files(void **state)
{
    (void)state;
    make_dir("cfg2");
    make_dir("cfg2/givon");
    make_dir("cfg2/policy");
    write_file("cfg2/.klint.json",
               "{\"profiles\": [{\"files\": \"givon/*.json\", \"profile\": \"givon:kling-3.0\"}],\n"
               " \"rules\": [\"policy/max10.json\"]}\n");
    write_file("cfg2/policy/max10.json",
               "{\"klint_rules\": 1,\n"
               " \"rule_ids\": [{\"id\": \"policy-max-duration\", \"summary\": \"at most 10 s\"}],\n"
               " \"overlay\": {\"id\": \"acme\", \"profiles\": [\"*\"], \"rows\": [\n"
               "   {\"id\": \"policy-max-duration\", \"doc\": \"acme\", \"severity\": \"error\",\n"
               "    \"check\": \"range\", \"at\": \"concept:duration\", \"max\": 10}]}}\n");
    write_file("cfg2/givon/req.json", ok_json);
    write_file("cfg2/long.json",
               "{\"model\":\"kling-v3-omni\",\"prompt\":\"a fox\",\"duration\":\"15\"}\n");
    write_file("long.json", "{\"model\":\"kling-v3-omni\",\"prompt\":\"a fox\",\"duration\":\"15\"}\n");

    /* The ezmodel request is checked as a Givon one, as the configuration maps it. */
    cli_result r = RUN("--format", "json", "--exclude", "policy", "cfg2/givon", "cfg2/long.json",
                       "long.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    report rep = parse_report(r.out);
    assert_true(rep.diags->len >= 2);
    const kl_node *first = kl_node_at(rep.diags, 0);
    assert_str_member(first, "file", "cfg2/givon/req.json");
    assert_str_member(first, "profile", "givon:kling-3.0");
    /* The configuration's own rule file applies below it, and only there. */
    const kl_node *last = kl_node_at(rep.diags, rep.diags->len - 1);
    assert_str_member(last, "file", "cfg2/long.json");
    assert_str_member(last, "rule", "policy-max-duration");
    for (uint32_t i = 0; i < rep.diags->len; i++)
        assert_false(kl_node_is_string(kl_node_getz(kl_node_at(rep.diags, i), "file"),
                                       "long.json"));
    report_free(&rep);
    result_free(&r);

    /* Without it, neither. */
    r = RUN("--no-config", "--format", "short", "cfg2/givon", "cfg2/long.json");
    assert_lacks(r.out, "policy-max-duration");
    assert_lacks(r.out, "cfg2/givon/req.json");
    result_free(&r);

    /* --profile on the command line beats the configuration's mapping. */
    r = RUN("--profile", "ezmodel:kling-v3-omni", "--format", "short", "cfg2/givon");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    result_free(&r);

    /* SARIF describes the configuration's rules too. */
    r = RUN("--format", "sarif", "cfg2/long.json", "long.json");
    assert_contains(r.out, "{\"id\": \"policy-max-duration\"");
    result_free(&r);
    rm_rf("cfg2");
    remove("long.json");
}

static void test_bad_config_lints_nothing(void **state)
{
    (void)state;
    make_dir("cfg3");
    write_file("cfg3/.klint.json", "{\"bogus\": 1}\n");
    write_file("cfg3/bad.json", bad_json);
    cli_result r = RUN("--output", "json=r.json", "bad.json", "cfg3");
    assert_int_equal(r.status, KL_EXIT_USAGE);
    assert_string_equal(r.out, "");
    assert_contains(r.err, "cfg3/.klint.json:1:2: error[config-invalid]: ");
    assert_contains(r.err, "klint: the configuration 'cfg3/.klint.json' has errors; nothing was "
                           "linted\n");
    assert_lacks(r.err, "json-syntax");
    assert_int_equal(access("r.json", F_OK), -1); /* no report either */
    result_free(&r);

    /* A configuration that names an unknown rule: checked against the ruleset, with a
     * position. */
    write_file("cfg3/.klint.json", "{\"ignore\": [\"json-duplicat-key\"]}\n");
    r = RUN("cfg3", "bad.json");
    assert_int_equal(r.status, KL_EXIT_USAGE);
    assert_string_equal(r.out, "");
    assert_contains(r.err, "cfg3/.klint.json:1:13: error[config-invalid]: ");
    result_free(&r);

    /* A configuration's rule file with an error: the same. */
    write_file("cfg3/.klint.json", "{\"rules\": [\"r.json\"]}\n");
    write_file("cfg3/r.json", "{\"klint_rules\": 1, \"bogus\": true}\n");
    r = RUN("cfg3/bad.json");
    assert_int_equal(r.status, KL_EXIT_USAGE);
    assert_string_equal(r.out, "");
    assert_contains(r.err, "cfg3/r.json:1:");
    assert_contains(r.err, "error[rules-invalid]");
    result_free(&r);

    /* --no-config lints as if there were none. */
    r = RUN("--no-config", "cfg3/bad.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    result_free(&r);
    rm_rf("cfg3");
}

/* ---- Baseline ----------------------------------------------------------- */

static void test_baseline(void **state)
{
    (void)state;
    make_dir("bl");
    write_file("bl/a.json", bad_json);
    write_file("bl/b.json", dup_json);

    /* Generating: the findings are reported as usual, written, and the run passes. */
    cli_result r = RUN("--generate-baseline", "base.json", "--format", "short", "bl");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_contains(r.out, "bl/a.json:4:3: error:");
    assert_string_equal(r.err, "klint: wrote 2 findings to the baseline 'base.json'\n");
    char *text = slurp("base.json");
    assert_non_null(text);
    assert_contains(text, "\"file\": \"bl/a.json\", \"rule\": \"json-syntax\"");
    assert_contains(text, "\"file\": \"bl/b.json\", \"rule\": \"json-duplicate-key\"");
    free(text);
    result_free(&r);

    /* With it, the known findings are gone, whatever the jobs. */
    r = RUN("--baseline", "base.json", "--format", "json", "-j2", "bl");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    report rep = parse_report(r.out);
    assert_summary(&rep, 2, 2, 0, 0);
    report_free(&rep);
    result_free(&r);

    /* A new finding is reported. */
    write_file("bl/c.json", bad_json);
    r = RUN("--baseline", "base.json", "--format", "short", "bl");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_contains(r.out, "bl/c.json:4:3: error:");
    assert_lacks(r.out, "bl/a.json");
    result_free(&r);

    /* A fixed finding leaves its entry unmatched: reported on the baseline itself. */
    write_file("bl/a.json", ok_json);
    remove("bl/c.json");
    r = RUN("--baseline", "base.json", "--format", "json", "bl");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    rep = parse_report(r.out);
    assert_int_equal(rep.diags->len, 1);
    assert_str_member(kl_node_at(rep.diags, 0), "file", "base.json");
    assert_str_member(kl_node_at(rep.diags, 0), "rule", "baseline-unmatched");
    assert_str_member(kl_node_at(rep.diags, 0), "severity", "warning");
    report_free(&rep);
    result_free(&r);
    r = RUN("--baseline", "base.json", "--fail-on", "warning", "bl");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    result_free(&r);

    /* A bad baseline: nothing is linted. */
    write_file("base.json", "{\"klint_baseline\": 1}\n");
    r = RUN("--baseline", "base.json", "bl", "bad.json");
    assert_int_equal(r.status, KL_EXIT_USAGE);
    assert_string_equal(r.out, "");
    assert_contains(r.err, "base.json:1:1: error[baseline-invalid]");
    assert_contains(r.err, "klint: the baseline 'base.json' has errors; nothing was linted\n");
    result_free(&r);

    r = RUN("--baseline", "x.json", "--generate-baseline", "y.json", "bl");
    expect_usage_error(&r, "--baseline and --generate-baseline cannot be used together");
    result_free(&r);
    remove("base.json");
    rm_rf("bl");
}

/* ---- Fixes --------------------------------------------------------------- */

static void test_diff(void **state)
{
    (void)state;
    make_dir("fx");
    write_file("fx/a.json", fixable_json);
    write_file("fx/b.json", ok_json);
    cli_result r = RUN("--diff", "fx");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_string_equal(r.out, "--- a/fx/a.json\n"
                               "+++ b/fx/a.json\n"
                               "@@ -4,5 +4,5 @@\n"
                               "   \"video_list\": [\n"
                               "     {\"video_url\": \"https://cdn.example.com/v.mp4\", "
                               "\"refer_type\": \"feature\"}\n"
                               "   ],\n"
                               "-  \"sound\": \"on\"\n"
                               "+  \"sound\": \"off\"\n"
                               " }\n");
    assert_string_equal(r.err, "klint: 1 fix in 1 file would be applied\n");
    char *text = slurp("fx/a.json");
    assert_string_equal(text, fixable_json); /* nothing written */
    free(text);
    result_free(&r);

    r = RUN("--diff", "fx/b.json");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_string_equal(r.out, "");
    result_free(&r);

    /* stdin, under its display name. */
    r = RUN_STDIN(fixable_json, "--diff", "--stdin-filename", "req.json", "-");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_contains(r.out, "--- a/req.json\n+++ b/req.json\n");
    result_free(&r);

    r = RUN("--diff", "--output", "json=r.json", "fx");
    expect_usage_error(&r, "--diff (which prints diffs only) and --output cannot be used together");
    result_free(&r);
    rm_rf("fx");
}

static void test_fix(void **state)
{
    (void)state;
    make_dir("fx");
    write_file("fx/a.json", fixable_json);
    write_file("fx/b.json", ok_json);
    /* Line 2 has a fixable error and one without a fix. */
    write_file("fx/c.jsonl",
               "{\"model\":\"kling-v3-omni\",\"prompt\":\"a\",\"video_list\":[{\"video_url\":"
               "\"https://cdn.example.com/v.mp4\",\"refer_type\":\"feature\"}],\"sound\":\"on\"}\n"
               "{\"model\":\"kling-v3-omni\",\"prompt\":\"a\",\"duration\":\"99\",\"video_list\":"
               "[{\"video_url\":\"https://cdn.example.com/v.mp4\",\"refer_type\":\"feature\"}],"
               "\"sound\":\"on\"}\n");
    assert_int_equal(chmod("fx/a.json", 0600), 0);

    cli_result r = RUN("--fix", "--format", "short", "-j2", "fx");
    assert_int_equal(r.status, KL_EXIT_FINDINGS); /* the error without a fix is left */
    assert_string_equal(r.out, "fx/c.jsonl:2:50: error: duration \"99\" is not allowed with a "
                               "feature reference video (refer_type \"feature\"): 3–10 s allowed "
                               "[duration-with-video]\n");
    assert_string_equal(r.err, "klint: applied 3 fixes in 2 files\n");
    char *text = slurp("fx/a.json");
    assert_string_equal(text, fixed_json);
    free(text);
    struct stat st;
    assert_int_equal(stat("fx/a.json", &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    text = slurp("fx/c.jsonl");
    assert_int_equal(strstr(text, "\"sound\":\"on\""), NULL);
    assert_non_null(strstr(strstr(text, "\"sound\":\"off\"}\n") + 1, "\"sound\":\"off\"}\n"));
    free(text);
    text = slurp("fx/b.json");
    assert_string_equal(text, ok_json);
    free(text);
    result_free(&r);

    /* Nothing left to fix. */
    r = RUN("--fix", "fx/a.json");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_string_equal(r.err, "klint: applied 0 fixes in 0 files\n");
    result_free(&r);

    /* A finding the configuration drops is not fixed. */
    write_file("fx/a.json", fixable_json);
    write_file("fx/.klint.json", "{\"ignore\": [\"audio-with-video\"]}\n");
    r = RUN("--fix", "fx/a.json");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_string_equal(r.err, "klint: applied 0 fixes in 0 files\n");
    text = slurp("fx/a.json");
    assert_string_equal(text, fixable_json);
    free(text);
    result_free(&r);
    rm_rf("fx");

    /* stdin: the fixed document on stdout, the report on stderr. */
    r = RUN_STDIN(fixable_json, "--fix", "--format", "short", "-", "bad.json");
    assert_int_equal(r.status, KL_EXIT_FINDINGS);
    assert_string_equal(r.out, fixed_json);
    assert_contains(r.err, "bad.json:4:3: error: ");
    assert_contains(r.err, "klint: applied 1 fix in 1 file\n");
    result_free(&r);

    r = RUN_STDIN(ok_json, "--fix", "-");
    assert_int_equal(r.status, KL_EXIT_CLEAN);
    assert_string_equal(r.out, ok_json); /* unchanged, but always written */
    result_free(&r);
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
        cmocka_unit_test(test_output_is_the_same_whatever_the_jobs),
        cmocka_unit_test(test_inputs_sorted_and_linted_once),
        cmocka_unit_test(test_stdin_is_last),
        cmocka_unit_test(test_jobs_values),
        cmocka_unit_test(test_exclude),
        cmocka_unit_test(test_output_files),
        cmocka_unit_test(test_output_problems_exit_2_before_linting),
        cmocka_unit_test(test_fail_on),
        cmocka_unit_test(test_max_warnings),
        cmocka_unit_test(test_help_lists_the_new_options),
        cmocka_unit_test(test_config_nearest_wins),
        cmocka_unit_test(test_config_profiles_and_rule_files),
        cmocka_unit_test(test_bad_config_lints_nothing),
        cmocka_unit_test(test_baseline),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_fix),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
