/*
 * The klint command line: options, inputs, exit status.
 *
 * Every input becomes one or more kl_source documents handed to one
 * kl_linter; what it finds goes straight to the chosen printer, document by
 * document, so a JSON Lines file of any size streams through with memory
 * bounded by its longest line.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_inputs.h"
#include "cli_rules.h"
#include "jsonl.h"
#include "klint.h"

/* ---- Options ---------------------------------------------------------- */

typedef enum opt_id {
    OPT_FORMAT,
    OPT_COLOR,
    OPT_SYNTAX_ONLY,
    OPT_JSONL,
    OPT_STDIN_FILENAME,
    OPT_PROFILE,
    OPT_RULES,
    OPT_HELP,
    OPT_VERSION,
} opt_id;

typedef struct opt_spec {
    opt_id id;
    const char *name;    /* long name, without "--" */
    char short_name;     /* 0 when there is none */
    const char *metavar; /* the value's name in --help; NULL for a flag */
    const char *help;
} opt_spec;

/* In the order --help lists them. */
static const opt_spec options[] = {
    {OPT_FORMAT, "format", 0, "FORMAT", "output format, see Formats below (default: text)"},
    {OPT_COLOR, "color", 0, "WHEN",
     "colour the text output: auto, always or never\n"
     "(default: auto, colour when the output is a\n"
     "terminal and NO_COLOR is unset or empty)"},
    {OPT_SYNTAX_ONLY, "syntax-only", 0, NULL, "only check that every input is well-formed JSON"},
    {OPT_JSONL, "jsonl", 0, NULL,
     "read every input, stdin included, as JSON Lines\n"
     "(one request per line)"},
    {OPT_STDIN_FILENAME, "stdin-filename", 0, "NAME",
     "name to show for '-' (stdin); a *.jsonl or\n"
     "*.ndjson NAME reads stdin as JSON Lines"},
    {OPT_PROFILE, "profile", 0, "ID",
     "check every input against profile ID instead of detecting it per\n"
     "document ('klint rules' lists the profiles)"},
    {OPT_RULES, "rules", 0, "PATH",
     "also load the rule file PATH, or every *.json in folder PATH\n"
     "(repeatable; see rules/README.md)"},
    {OPT_HELP, "help", 'h', NULL, "print this help and exit"},
    {OPT_VERSION, "version", 'V', NULL, "print the version and exit"},
};

enum { N_OPTIONS = sizeof(options) / sizeof(options[0]) };

/* Width of the option column in --help; help lines stay under 80 columns. */
enum { HELP_INDENT = 27 };

typedef enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } color_mode;

static const char *const color_names[] = {"auto", "always", "never", NULL};

typedef struct cli_config {
    const char *format;
    color_mode color;
    bool syntax_only;
    bool jsonl;
    bool help;
    bool version;
    const char *stdin_name; /* NULL: "-" */
    const char *profile;    /* --profile, or NULL */
    const char **rules;     /* --rules paths, borrowed from argv */
    size_t n_rules;
    const char **paths;     /* borrowed from argv */
    size_t n_paths;
} cli_config;

static const char *const exit_codes_help =
    "Exit status:\n"
    "  0  no error-severity finding\n"
    "  1  error findings in at least one input\n"
    "  2  usage or I/O problem (bad option, unreadable input; the other inputs\n"
    "     are still linted and reported)\n"
    "  3  internal error\n";

static void print_help(FILE *out)
{
    fputs("Usage: klint [OPTIONS] PATH...\n"
          "\n"
          "Check JSON request payloads for video-generation APIs, offline.\n"
          "\n"
          "A PATH is a file (linted whatever its name), a directory (searched\n"
          "recursively for *.json, *.jsonl and *.ndjson files, in name order,\n"
          "hidden entries skipped), or '-' for standard input; at least one is\n"
          "needed. Files named *.jsonl or *.ndjson hold one request per line;\n"
          "blank lines are skipped.\n"
          "\n"
          "Options:\n",
          out);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const opt_spec *o = &options[i];
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
                     o->metavar ? " " : "", o->metavar ? o->metavar : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "");
        fprintf(out, "  %-*s", HELP_INDENT, left);
        /* Continuation lines of the help text line up under its first line. */
        for (const char *h = o->help; *h; h++) {
            fputc(*h, out);
            if (*h == '\n')
                fprintf(out, "  %-*s", HELP_INDENT, "");
        }
        fputc('\n', out);
    }
    fputs("\nFormats:\n", out);
    for (size_t i = 0; kl_printer_formats[i] != NULL; i++)
        fprintf(out, "  %-8s %s\n", kl_printer_formats[i]->name,
                kl_printer_formats[i]->description ? kl_printer_formats[i]->description : "");
    fputc('\n', out);
    fputs(exit_codes_help, out);
}

static void usage_hint(FILE *err)
{
    fputs("Try 'klint --help' for more information.\n", err);
}

static const opt_spec *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (strlen(options[i].name) == len && memcmp(options[i].name, name, len) == 0)
            return &options[i];
    }
    return NULL;
}

static const opt_spec *find_short(char c)
{
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (options[i].short_name == c)
            return &options[i];
    }
    return NULL;
}

/* Store one option's effect; false (with a message) for a value it does not take. */
static bool apply_option(cli_config *cfg, const opt_spec *o, const char *value, FILE *err)
{
    switch (o->id) {
    case OPT_FORMAT:
        if (kl_printer_find(value) == NULL) {
            fprintf(err, "klint: invalid value '%s' for --format (choose from:", value);
            for (size_t i = 0; kl_printer_formats[i] != NULL; i++)
                fprintf(err, "%s %s", i ? "," : "", kl_printer_formats[i]->name);
            fputs(")\n", err);
            return false;
        }
        cfg->format = value;
        return true;
    case OPT_COLOR:
        for (size_t i = 0; color_names[i] != NULL; i++) {
            if (strcmp(value, color_names[i]) == 0) {
                cfg->color = (color_mode)i;
                return true;
            }
        }
        fprintf(err, "klint: invalid value '%s' for --color (choose from: auto, always, never)\n",
                value);
        return false;
    case OPT_SYNTAX_ONLY:
        cfg->syntax_only = true;
        return true;
    case OPT_JSONL:
        cfg->jsonl = true;
        return true;
    case OPT_STDIN_FILENAME:
        cfg->stdin_name = value;
        return true;
    case OPT_PROFILE:
        cfg->profile = value;
        return true;
    case OPT_RULES:
        cfg->rules[cfg->n_rules++] = value;
        return true;
    case OPT_HELP:
        cfg->help = true;
        return true;
    case OPT_VERSION:
        cfg->version = true;
        return true;
    }
    return false;
}

/*
 * Fill `cfg` from argv: long options as --name, --name=value or --name
 * value; -h and -V; "--" ends the options; "-" is a PATH. The last of a
 * repeated option wins. `cfg->paths` must have room for argc entries.
 */
static bool parse_args(int argc, char **argv, cli_config *cfg, FILE *err)
{
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            cfg->paths[cfg->n_paths++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }

        const opt_spec *o;
        const char *value = NULL;
        if (arg[1] == '-') {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            o = find_long(name, eq ? (size_t)(eq - name) : strlen(name));
            if (o != NULL && eq != NULL) {
                if (o->metavar == NULL) {
                    fprintf(err, "klint: option '--%s' takes no value\n", o->name);
                    return false;
                }
                value = eq + 1;
            }
        } else {
            o = arg[2] == '\0' ? find_short(arg[1]) : NULL;
        }
        if (o == NULL) {
            fprintf(err, "klint: unknown option '%s'\n", arg);
            return false;
        }
        if (o->metavar != NULL && value == NULL) {
            if (i + 1 >= argc) {
                fprintf(err, "klint: option '--%s' needs a value (%s)\n", o->name, o->metavar);
                return false;
            }
            value = argv[++i];
        }
        if (!apply_option(cfg, o, value, err))
            return false;
    }
    return true;
}

/* ---- Running ---------------------------------------------------------- */

typedef struct cli_run {
    const cli_config *cfg;
    FILE *out;
    FILE *err;
    kl_printer *printer;
    kl_linter *linter;
    kl_diags *diags; /* one list, cleared for every document */
    kl_summary summary;
    int status;         /* exit status so far: the highest that applies */
    bool output_failed; /* writing a report failed: stop, say so once */
} cli_run;

static void raise_status(cli_run *r, int status)
{
    if (status > r->status)
        r->status = status;
}

/* A problem with one input: reported, and the run goes on with the next. */
static void input_problem(cli_run *r, const char *name, const char *why)
{
    fflush(r->out); /* keep the order of reports and messages on a terminal */
    fprintf(r->err, "klint: cannot read '%s': %s\n", name, why);
    raise_status(r, KL_EXIT_USAGE);
}

static int output_problem(cli_run *r)
{
    if (!r->output_failed) {
        fprintf(r->err, "klint: cannot write the report: %s\n", strerror(errno));
        r->output_failed = true;
    }
    raise_status(r, KL_EXIT_USAGE);
    return KL_EIO;
}

/*
 * Lint one document and print what it found, adding to `*n_diags`.
 * @return KL_OK; a negative code stops the run (internal error, or the
 *         report could not be written).
 */
static int lint_document(cli_run *r, const kl_source *src, size_t *n_diags)
{
    kl_diags_clear(r->diags);
    int rc = kl_linter_lint(r->linter, src, r->diags);
    if (rc < 0)
        return rc;
    r->summary.records++;

    size_t n = kl_diags_count(r->diags);
    if (n == 0)
        return KL_OK;
    kl_diags_sort(r->diags);
    for (size_t i = 0; i < n; i++) {
        const kl_diag *d = kl_diags_at(r->diags, i);
        switch (d->severity) {
        case KL_SEV_ERROR:
            r->summary.errors++;
            raise_status(r, KL_EXIT_FINDINGS);
            break;
        case KL_SEV_WARNING:
            r->summary.warnings++;
            break;
        case KL_SEV_INFO:
            r->summary.infos++;
            break;
        }
        if (kl_printer_diag(r->printer, src, d) < 0)
            return output_problem(r);
    }
    *n_diags += n;
    return KL_OK;
}

static int end_file(cli_run *r, const char *name, size_t n_diags)
{
    if (kl_printer_file(r->printer, name, n_diags) < 0)
        return output_problem(r);
    return KL_OK;
}

/* A whole file (or all of stdin) as one document. */
static int lint_whole(cli_run *r, const char *path, const char *name)
{
    kl_source *src = NULL;
    int rc = kl_source_read_file(&src, path, name);
    if (rc == KL_EIO || rc == KL_ETOOBIG) {
        input_problem(r, name, rc == KL_EIO ? strerror(errno) : kl_error_str(rc));
        return KL_OK;
    }
    if (rc < 0)
        return rc;
    r->summary.files++;
    size_t n = 0;
    rc = lint_document(r, src, &n);
    if (rc == KL_OK)
        rc = end_file(r, name, n);
    kl_source_free(src);
    return rc;
}

/* A JSON Lines file, streamed: each non-blank line is one document. */
static int lint_jsonl(cli_run *r, const char *path, const char *name)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        input_problem(r, name, strerror(errno));
        return KL_OK;
    }
    r->summary.files++;

    kl_jsonl_reader reader;
    kl_jsonl_init(&reader, fd, NULL);
    kl_jsonl_record rec;
    size_t n = 0;
    int rc = KL_OK;
    for (;;) {
        int got = kl_jsonl_next(&reader, &rec);
        if (got == 0)
            break;
        if (got < 0) {
            /* The records before the problem were linted and reported. */
            if (got == KL_EIO)
                input_problem(r, name, strerror(errno));
            else if (got == KL_ETOOBIG)
                input_problem(r, name, "a line over 4 GiB, or over 4294967295 lines");
            else
                rc = got;
            break;
        }
        kl_source src;
        kl_source_init_line(&src, name, rec.data, (uint32_t)rec.len, rec.line);
        rc = lint_document(r, &src, &n);
        if (rc < 0)
            break;
    }
    if (rc == KL_OK)
        rc = end_file(r, name, n);
    kl_jsonl_dispose(&reader);
    if (!is_stdin)
        close(fd);
    return rc;
}

/* kl_inputs_walk callback: one file found under a PATH, or one that could not be read. */
static int lint_path(void *ctx, const char *path, int error)
{
    cli_run *r = ctx;
    if (error != 0) {
        input_problem(r, path, strerror(error));
        return KL_OK;
    }
    if (r->cfg->jsonl || kl_inputs_is_jsonl(path))
        return lint_jsonl(r, path, path);
    return lint_whole(r, path, path);
}

static int lint_stdin(cli_run *r)
{
    const char *name = r->cfg->stdin_name ? r->cfg->stdin_name : "-";
    if (r->cfg->jsonl || kl_inputs_is_jsonl(name))
        return lint_jsonl(r, "-", name);
    return lint_whole(r, "-", name);
}

static bool want_color(color_mode mode, FILE *out)
{
    if (mode != COLOR_AUTO)
        return mode == COLOR_ALWAYS;
    const char *no_color = getenv("NO_COLOR");
    if (no_color != NULL && no_color[0] != '\0')
        return false;
    int fd = fileno(out);
    return fd >= 0 && isatty(fd);
}

static int run_inputs(const cli_config *cfg, FILE *out, FILE *err)
{
    cli_run r = {0};
    r.cfg = cfg;
    r.out = out;
    r.err = err;

    kl_ruleset *rules = NULL;
    if (!cfg->syntax_only) {
        int st = kl_cli_ruleset(cfg->rules, cfg->n_rules, cfg->profile, err, &rules);
        if (st != KL_EXIT_CLEAN)
            return st;
    }
    kl_lint_options lopts = {0};
    lopts.syntax_only = cfg->syntax_only;
    lopts.rules = rules;
    lopts.profile = cfg->profile;
    kl_print_options popts = {0};
    popts.color = want_color(cfg->color, out);

    int rc = kl_linter_new(&r.linter, &lopts);
    if (rc == KL_OK)
        rc = kl_diags_new(&r.diags);
    if (rc == KL_OK) {
        rc = kl_printer_new(&r.printer, cfg->format, out, &popts);
        if (rc == KL_OK)
            kl_printer_set_rules(r.printer, rules);
        if (rc == KL_EIO)
            rc = output_problem(&r);
    }

    for (size_t i = 0; rc == KL_OK && i < cfg->n_paths; i++) {
        if (strcmp(cfg->paths[i], "-") == 0)
            rc = lint_stdin(&r);
        else
            rc = kl_inputs_walk(cfg->paths[i], lint_path, &r);
    }

    if (rc < 0 && !r.output_failed) {
        fflush(out);
        fprintf(err, "klint: internal error: %s\n", kl_error_str(rc));
        raise_status(&r, KL_EXIT_INTERNAL);
    }
    /* Close the report even after an internal error, so a JSON report stays parseable. */
    if (r.printer != NULL && !r.output_failed && kl_printer_end(r.printer, &r.summary) < 0)
        output_problem(&r);
    if (!r.output_failed && (fflush(out) != 0 || ferror(out)))
        output_problem(&r);

    kl_printer_free(r.printer);
    kl_diags_free(r.diags);
    kl_linter_free(r.linter);
    kl_ruleset_free(rules);
    return r.status;
}

int kl_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    if (kl_cli_is_subcommand(argc, argv))
        return kl_cli_subcommand(argc, argv, out, err);
    cli_config cfg = {0};
    cfg.format = "text";
    cfg.color = COLOR_AUTO;
    cfg.paths = malloc((argc > 0 ? (size_t)argc : 1) * sizeof(*cfg.paths));
    cfg.rules = malloc((argc > 0 ? (size_t)argc : 1) * sizeof(*cfg.rules));
    if (cfg.paths == NULL || cfg.rules == NULL) {
        free(cfg.paths);
        free(cfg.rules);
        fprintf(err, "klint: internal error: %s\n", kl_error_str(KL_ENOMEM));
        return KL_EXIT_INTERNAL;
    }

    int status;
    if (!parse_args(argc, argv, &cfg, err)) {
        usage_hint(err);
        status = KL_EXIT_USAGE;
    } else if (cfg.help) {
        print_help(out);
        status = KL_EXIT_CLEAN;
    } else if (cfg.version) {
        fprintf(out, "klint %s\n", KLINT_VERSION);
        status = KL_EXIT_CLEAN;
    } else if (cfg.n_paths == 0) {
        fputs("klint: no input given: name files or directories, or '-' to read stdin\n", err);
        usage_hint(err);
        status = KL_EXIT_USAGE;
    } else {
        status = run_inputs(&cfg, out, err);
    }
    if (cfg.help || cfg.version)
        fflush(out);
    free(cfg.paths);
    free(cfg.rules);
    return status;
}
