/*
 * A lint run of the command line, once the options are parsed (cli.c):
 *
 *   1. plan: expand the PATHs into one ordered list of inputs (cli_inputs.h),
 *      find and load every configuration they need, the rulesets, the
 *      baseline, and open the reports (cli_setup.h, cli_outputs.h). Any
 *      problem here stops the run before a single input is linted;
 *   2. lint: the inputs on `jobs` worker threads (cli_pool.h, cli_job.h),
 *      each with its own linters;
 *   3. report: the main thread alone judges every finding against the
 *      configuration and the baseline and prints it, strictly in input
 *      order, so the output does not depend on the number of threads;
 *   4. finish: unused configuration ignores, unmatched baseline entries, the
 *      summary, the generated baseline, and the exit status.
 */
#ifndef KL_CLI_RUN_H
#define KL_CLI_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "klint/diag.h"

typedef enum kl_color_mode { KL_COLOR_AUTO, KL_COLOR_ALWAYS, KL_COLOR_NEVER } kl_color_mode;

/* What --fix / --diff ask for. */
typedef enum kl_cli_fix {
    KL_CLI_FIX_NONE,
    KL_CLI_FIX_WRITE, /* --fix: rewrite the files, then report what is left */
    KL_CLI_FIX_DIFF,  /* --diff: print the fixes as unified diffs, change nothing */
} kl_cli_fix;

/* One --output FORMAT=FILE. */
typedef struct kl_cli_output {
    const char *format; /* a registered printer name */
    const char *path;
} kl_cli_output;

/* --fail-on never: no finding fails the run. */
#define KL_FAIL_ON_NEVER 4

/* Everything the options say. Strings and arrays are borrowed (from argv
 * and the parser) and outlive the run. */
typedef struct kl_cli_options {
    const char *format; /* the terminal report's format */
    kl_color_mode color;
    bool syntax_only;
    bool jsonl;
    const char *stdin_name; /* NULL: "-" */
    const char *profile;    /* --profile, or NULL */
    const char **rules;     /* --rules paths */
    size_t n_rules;
    const char **paths; /* the PATH operands, "-" for stdin */
    size_t n_paths;
    const char **exclude; /* --exclude globs */
    size_t n_exclude;
    kl_cli_output *outputs; /* --output FORMAT=FILE */
    size_t n_outputs;
    unsigned jobs; /* worker threads; 0: one per online core */
    int fail_on;   /* a kl_severity, or KL_FAIL_ON_NEVER */
    bool max_warnings_set;
    size_t max_warnings;
    const char *config;            /* --config FILE, or NULL: discover */
    bool no_config;                /* --no-config */
    const char *baseline;          /* --baseline FILE, or NULL */
    const char *generate_baseline; /* --generate-baseline FILE, or NULL */
    kl_cli_fix fix;
    bool unsafe_fixes; /* --unsafe-fixes: --fix / --diff apply unsafe fixes too */
} kl_cli_options;

/* Run the lint described by `opts`. Reports go to `out` (to `err` when
 * --fix rewrites stdin onto `out`), problems to `err`. Returns the exit
 * status (cli.h). */
int kl_cli_run(const kl_cli_options *opts, FILE *out, FILE *err);

#endif
