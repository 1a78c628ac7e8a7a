/*
 * The klint command line, as a library function so that tests run it
 * in-process with captured streams.
 */
#ifndef KL_CLI_H
#define KL_CLI_H

#include <stdio.h>

/* Exit codes: a documented contract (README, man page). */
enum {
    KL_EXIT_CLEAN = 0,    /* no error-severity finding */
    KL_EXIT_FINDINGS = 1, /* error findings in some input */
    KL_EXIT_USAGE = 2,    /* usage or I/O problem (other inputs were still linted) */
    KL_EXIT_INTERNAL = 3, /* internal error */
};

/*
 * Run klint with `argv` (argv[0] is the program name). Reports go to `out`,
 * problems with klint's own usage to `err`; stdin is read for "-" inputs.
 * Returns the process exit code.
 */
int kl_cli_main(int argc, char **argv, FILE *out, FILE *err);

#endif
