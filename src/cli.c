/*
 * The klint command line: the option table, --help, and parsing argv into
 * a kl_cli_options for the run (cli_run.c) or a subcommand (cli_rules.c).
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_rules.h"
#include "cli_run.h"
#include "klint.h"

/* ---- Options ---------------------------------------------------------- */

typedef enum opt_id {
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_COLOR,
    OPT_JOBS,
    OPT_EXCLUDE,
    OPT_SYNTAX_ONLY,
    OPT_JSONL,
    OPT_STDIN_FILENAME,
    OPT_PROFILE,
    OPT_RULES,
    OPT_CONFIG,
    OPT_NO_CONFIG,
    OPT_FAIL_ON,
    OPT_MAX_WARNINGS,
    OPT_BASELINE,
    OPT_GENERATE_BASELINE,
    OPT_FIX,
    OPT_UNSAFE_FIXES,
    OPT_DIFF,
    OPT_HELP,
    OPT_VERSION,
} opt_id;

typedef struct opt_spec {
    opt_id id;
    const char *name;    /* long name, without "--" */
    char short_name;     /* 0 when there is none */
    const char *metavar; /* the value's name in --help; NULL for a flag */
    const char *help;    /* lines of at most 48 columns */
} opt_spec;

/* In the order --help lists them. tests/install/man_options.sh reads the
 * long names from this table: keep one entry per line start. */
static const opt_spec options[] = {
    {OPT_FORMAT, "format", 0, "FORMAT",
     "format of the report on stdout, see Formats\n"
     "below (default: text)"},
    {OPT_OUTPUT, "output", 0, "FORMAT=FILE",
     "also write a FORMAT report to FILE, put in\n"
     "place when the run ends (repeatable)"},
    {OPT_COLOR, "color", 0, "WHEN",
     "colour the text output: auto, always or never\n"
     "(default: auto, colour when the output is a\n"
     "terminal and NO_COLOR is unset or empty)"},
    {OPT_JOBS, "jobs", 'j', "N",
     "lint N files at a time (default: the number\n"
     "of online cores; 1: no threads)"},
    {OPT_EXCLUDE, "exclude", 0, "GLOB",
     "skip the files and directories GLOB matches,\n"
     "named ones too (repeatable; see above)"},
    {OPT_SYNTAX_ONLY, "syntax-only", 0, NULL, "only check that every input is well-formed JSON"},
    {OPT_JSONL, "jsonl", 0, NULL,
     "read every input, stdin included, as JSON\n"
     "Lines (one request per line)"},
    {OPT_STDIN_FILENAME, "stdin-filename", 0, "NAME",
     "name to show for '-' (stdin); a *.jsonl or\n"
     "*.ndjson NAME reads stdin as JSON Lines"},
    {OPT_PROFILE, "profile", 0, "ID",
     "check every input against profile ID instead\n"
     "of detecting it per document ('klint rules'\n"
     "lists the profiles)"},
    {OPT_RULES, "rules", 0, "PATH",
     "also load the rule file PATH, or every *.json\n"
     "in folder PATH (repeatable)"},
    {OPT_CONFIG, "config", 0, "FILE",
     "use the configuration FILE for every input\n"
     "instead of the nearest .klint.json"},
    {OPT_NO_CONFIG, "no-config", 0, NULL, "use no configuration file"},
    {OPT_FAIL_ON, "fail-on", 0, "LEVEL",
     "exit 1 on a finding of LEVEL or above: error\n"
     "(default), warning, info, or never"},
    {OPT_MAX_WARNINGS, "max-warnings", 0, "N", "also exit 1 on more than N warnings"},
    {OPT_BASELINE, "baseline", 0, "FILE",
     "report only the findings the baseline FILE\n"
     "does not list, and its entries left unmatched"},
    {OPT_GENERATE_BASELINE, "generate-baseline", 0, "FILE",
     "write the findings reported to FILE as a\n"
     "baseline, and exit 0"},
    {OPT_FIX, "fix", 0, NULL,
     "apply the safe fixes to the files, then report\n"
     "what is left; for '-', the fixed input goes to\n"
     "stdout and the report to stderr"},
    {OPT_UNSAFE_FIXES, "unsafe-fixes", 0, NULL,
     "with --fix or --diff, also apply the fixes\n"
     "that guess at a value (\"8k\" -> \"4k\")"},
    {OPT_DIFF, "diff", 0, NULL,
     "print the fixes as unified diffs and change\n"
     "nothing (exit 1 when there is one)"},
    {OPT_HELP, "help", 'h', NULL, "print this help and exit"},
    {OPT_VERSION, "version", 'V', NULL, "print the version and exit"},
};

enum { N_OPTIONS = sizeof(options) / sizeof(options[0]) };

/* Width of the option column in --help: help lines stay within 80 columns. */
enum { HELP_INDENT = 30 };

/* Most --jobs accepts: more threads than this only costs memory. */
enum { MAX_JOBS = 1024 };

static const char *const color_names[] = {"auto", "always", "never", NULL};

static const struct {
    const char *name;
    int level;
} fail_on_names[] = {
    {"error", KL_SEV_ERROR},
    {"warning", KL_SEV_WARNING},
    {"info", KL_SEV_INFO},
    {"never", KL_FAIL_ON_NEVER},
};

typedef struct cli_args {
    kl_cli_options run;
    bool help;
    bool version;
    bool fix;
    bool diff;
} cli_args;

static const char *const usage_head =
    "Usage: klint [OPTIONS] PATH...\n"
    "\n"
    "Check JSON request payloads for video-generation APIs, offline.\n"
    "\n"
    "Subcommands (each takes --help):\n"
    "  klint rules         list every profile's rules: severity, id, place, limits\n"
    "  klint explain RULE  what rule RULE checks, where, with what limits, sources\n"
    "  klint lsp           serve editors: a Language Server (LSP) on stdin/stdout\n"
    "\n"
    "A PATH is a file (linted whatever its name), a directory (searched\n"
    "recursively for *.json, *.jsonl and *.ndjson files, hidden entries\n"
    "skipped), or '-' for standard input; at least one is needed. Files named\n"
    "*.jsonl or *.ndjson hold one request per line; blank lines are skipped.\n"
    "Files are reported in byte order of their paths, each once, whatever\n"
    "the order of the PATHs and the number of jobs; standard input comes last.\n"
    "--exclude GLOB skips a file or directory when GLOB matches its path\n"
    "relative to the current directory or, for a GLOB without '/', any one\n"
    "of the path's components.\n"
    "\n"
    "Each file is checked with the nearest .klint.json in its directory or\n"
    "above (see klint(1)), unless --config or --no-config says otherwise.\n"
    "\n"
    "Options:\n";

static const char *const exit_codes_help =
    "Exit status:\n"
    "  0  no finding at or above the --fail-on level (default: error), and no\n"
    "     more warnings than --max-warnings; with --diff, no fix to show\n"
    "  1  a finding at or above that level, or too many warnings; with --diff,\n"
    "     some fix to show\n"
    "  2  usage or I/O problem: a bad option, configuration, rule file or\n"
    "     baseline (then nothing is linted), or an unreadable input or report\n"
    "     (the other inputs are still linted and reported)\n"
    "  3  internal error\n";

static void print_help(FILE *out)
{
    fputs(usage_head, out);
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
    fputs("\nFormats (--format, --output):\n", out);
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

static void list_formats(FILE *err)
{
    for (size_t i = 0; kl_printer_formats[i] != NULL; i++)
        fprintf(err, "%s %s", i ? "," : "", kl_printer_formats[i]->name);
}

/* A decimal number in [min, max]; false for anything else. */
static bool parse_count(const char *s, unsigned long long min, unsigned long long max,
                        unsigned long long *out)
{
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Store one option's effect; false (with a message) for a value it does not take. */
static bool apply_option(cli_args *a, const opt_spec *o, const char *value, FILE *err)
{
    kl_cli_options *run = &a->run;
    unsigned long long n;
    switch (o->id) {
    case OPT_FORMAT:
        if (kl_printer_find(value) == NULL) {
            fprintf(err, "klint: invalid value '%s' for --format (choose from:", value);
            list_formats(err);
            fputs(")\n", err);
            return false;
        }
        run->format = value;
        return true;
    case OPT_OUTPUT: {
        const char *eq = strchr(value, '=');
        if (eq == NULL || eq == value || eq[1] == '\0') {
            fprintf(err, "klint: invalid value '%s' for --output (expected FORMAT=FILE)\n", value);
            return false;
        }
        size_t len = (size_t)(eq - value);
        const kl_printer_ops *ops = NULL;
        for (size_t i = 0; kl_printer_formats[i] != NULL && ops == NULL; i++) {
            if (strlen(kl_printer_formats[i]->name) == len &&
                memcmp(kl_printer_formats[i]->name, value, len) == 0)
                ops = kl_printer_formats[i];
        }
        if (ops == NULL) {
            fprintf(err, "klint: invalid format '%.*s' in --output %s (choose from:", (int)len,
                    value, value);
            list_formats(err);
            fputs(")\n", err);
            return false;
        }
        run->outputs[run->n_outputs].format = ops->name;
        run->outputs[run->n_outputs].path = eq + 1;
        run->n_outputs++;
        return true;
    }
    case OPT_COLOR:
        for (size_t i = 0; color_names[i] != NULL; i++) {
            if (strcmp(value, color_names[i]) == 0) {
                run->color = (kl_color_mode)i;
                return true;
            }
        }
        fprintf(err, "klint: invalid value '%s' for --color (choose from: auto, always, never)\n",
                value);
        return false;
    case OPT_JOBS:
        if (!parse_count(value, 1, MAX_JOBS, &n)) {
            fprintf(err, "klint: invalid value '%s' for --jobs (expected a number from 1 to %d)\n",
                    value, MAX_JOBS);
            return false;
        }
        run->jobs = (unsigned)n;
        return true;
    case OPT_EXCLUDE:
        run->exclude[run->n_exclude++] = value;
        return true;
    case OPT_SYNTAX_ONLY:
        run->syntax_only = true;
        return true;
    case OPT_JSONL:
        run->jsonl = true;
        return true;
    case OPT_STDIN_FILENAME:
        run->stdin_name = value;
        return true;
    case OPT_PROFILE:
        run->profile = value;
        return true;
    case OPT_RULES:
        run->rules[run->n_rules++] = value;
        return true;
    case OPT_CONFIG:
        run->config = value;
        return true;
    case OPT_NO_CONFIG:
        run->no_config = true;
        return true;
    case OPT_FAIL_ON:
        for (size_t i = 0; i < sizeof(fail_on_names) / sizeof(fail_on_names[0]); i++) {
            if (strcmp(value, fail_on_names[i].name) == 0) {
                run->fail_on = fail_on_names[i].level;
                return true;
            }
        }
        fprintf(err,
                "klint: invalid value '%s' for --fail-on (choose from: error, warning, info, "
                "never)\n",
                value);
        return false;
    case OPT_MAX_WARNINGS:
        if (!parse_count(value, 0, SIZE_MAX, &n)) {
            fprintf(err,
                    "klint: invalid value '%s' for --max-warnings (expected a number, 0 or "
                    "more)\n",
                    value);
            return false;
        }
        run->max_warnings_set = true;
        run->max_warnings = (size_t)n;
        return true;
    case OPT_BASELINE:
        run->baseline = value;
        return true;
    case OPT_GENERATE_BASELINE:
        run->generate_baseline = value;
        return true;
    case OPT_FIX:
        a->fix = true;
        return true;
    case OPT_UNSAFE_FIXES:
        run->unsafe_fixes = true;
        return true;
    case OPT_DIFF:
        a->diff = true;
        return true;
    case OPT_HELP:
        a->help = true;
        return true;
    case OPT_VERSION:
        a->version = true;
        return true;
    }
    return false;
}

/*
 * Fill `a` from argv: long options as --name, --name=value or --name
 * value; short ones as -j N or -jN; "--" ends the options; "-" is a PATH.
 * The last of a repeated option wins, except the repeatable ones. The
 * arrays in `a->run` must have room for argc entries.
 */
static bool parse_args(int argc, char **argv, cli_args *a, FILE *err)
{
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            a->run.paths[a->run.n_paths++] = arg;
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
            o = find_short(arg[1]);
            if (o != NULL && arg[2] != '\0') {
                if (o->metavar != NULL)
                    value = arg + 2; /* -j4 */
                else
                    o = NULL;
            }
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
        if (!apply_option(a, o, value, err))
            return false;
    }
    return true;
}

/* Options that make no sense together; false with a message. */
static bool check_combinations(cli_args *a, FILE *err)
{
    const kl_cli_options *run = &a->run;
    const char *clash = NULL;
    if (run->config != NULL && run->no_config)
        clash = "--config and --no-config";
    else if (run->baseline != NULL && run->generate_baseline != NULL)
        clash = "--baseline and --generate-baseline";
    else if (a->diff && run->n_outputs > 0)
        clash = "--diff (which prints diffs only) and --output";
    else if (a->diff && run->generate_baseline != NULL)
        clash = "--diff (which prints diffs only) and --generate-baseline";
    if (clash != NULL) {
        fprintf(err, "klint: %s cannot be used together\n", clash);
        return false;
    }
    if (run->unsafe_fixes && !a->fix && !a->diff) {
        fprintf(err, "klint: --unsafe-fixes needs --fix or --diff\n");
        return false;
    }
    /* --diff shows what --fix would do, and writes nothing, with or without --fix. */
    a->run.fix = a->diff ? KL_CLI_FIX_DIFF : a->fix ? KL_CLI_FIX_WRITE : KL_CLI_FIX_NONE;
    return true;
}

int kl_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    if (kl_cli_is_subcommand(argc, argv))
        return kl_cli_subcommand(argc, argv, out, err);
    cli_args a;
    memset(&a, 0, sizeof(a));
    a.run.format = "text";
    a.run.color = KL_COLOR_AUTO;
    a.run.fail_on = KL_SEV_ERROR;
    size_t room = argc > 0 ? (size_t)argc : 1;
    a.run.paths = malloc(room * sizeof(*a.run.paths));
    a.run.rules = malloc(room * sizeof(*a.run.rules));
    a.run.exclude = malloc(room * sizeof(*a.run.exclude));
    a.run.outputs = malloc(room * sizeof(*a.run.outputs));
    int status;
    if (a.run.paths == NULL || a.run.rules == NULL || a.run.exclude == NULL ||
        a.run.outputs == NULL) {
        fprintf(err, "klint: internal error: %s\n", kl_error_str(KL_ENOMEM));
        status = KL_EXIT_INTERNAL;
    } else if (!parse_args(argc, argv, &a, err) || !check_combinations(&a, err)) {
        usage_hint(err);
        status = KL_EXIT_USAGE;
    } else if (a.help) {
        print_help(out);
        status = KL_EXIT_CLEAN;
    } else if (a.version) {
        fprintf(out, "klint %s\n", KLINT_VERSION);
        status = KL_EXIT_CLEAN;
    } else if (a.run.n_paths == 0) {
        fputs("klint: no input given: name files or directories, or '-' to read stdin\n", err);
        usage_hint(err);
        status = KL_EXIT_USAGE;
    } else {
        status = kl_cli_run(&a.run, out, err);
    }
    if (a.help || a.version)
        fflush(out);
    free(a.run.paths);
    free(a.run.rules);
    free(a.run.exclude);
    free(a.run.outputs);
    return status;
}
