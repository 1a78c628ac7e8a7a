/* `klint lsp`: the subcommand that serves one LSP session on stdin/stdout. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lsp_server.h"

static const char usage[] =
    "Usage: klint lsp [--stdio] [--log FILE]\n"
    "Serve the Language Server Protocol on stdin/stdout: diagnostics as you type,\n"
    "hover, completion and quick fixes, with the same rules and .klint.json as the\n"
    "command line. Nothing but protocol is written to stdout.\n"
    "\n"
    "  --stdio             the transport (the only one; accepted because clients pass it)\n"
    "  --log FILE          append the server's log to FILE instead of stderr\n"
    "  --clientProcessId N accepted and ignored\n"
    "  -h, --help          print this help\n";

/* The value of `--name VALUE` or `--name=VALUE` at argv[*i], or NULL (and *i unchanged). */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

int kl_lsp_main(int argc, char **argv, FILE *out, FILE *err)
{
    const char *log_path = NULL;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        bool missing = false;
        const char *v;
        if (strcmp(arg, "--stdio") == 0)
            continue;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage, out);
            return fflush(out) == 0 ? KL_EXIT_CLEAN : KL_EXIT_USAGE;
        }
        if ((v = option_value(argc, argv, &i, "--log", &missing)) != NULL) {
            log_path = v;
            continue;
        }
        if (!missing && (v = option_value(argc, argv, &i, "--clientProcessId", &missing)) != NULL)
            continue;
        if (missing)
            fprintf(err, "klint: '%s' needs a value\n", arg);
        else
            fprintf(err, "klint: unknown option '%s' for 'lsp'\n", arg);
        fputs("Try 'klint lsp --help'.\n", err);
        return KL_EXIT_USAGE;
    }

    FILE *log = err;
    if (log_path != NULL) {
        log = fopen(log_path, "a");
        if (log == NULL) {
            fprintf(err, "klint: cannot open log file '%s': %s\n", log_path, strerror(errno));
            return KL_EXIT_USAGE;
        }
    }
    /* A client that goes away must end the session with an error from
     * write(2), not kill the process. */
    signal(SIGPIPE, SIG_IGN);

    kl_lsp_options opts = {0};
    opts.in_fd = STDIN_FILENO;
    opts.out_fd = STDOUT_FILENO;
    opts.log = log;
    int status = kl_lsp_serve(&opts);
    if (log != err)
        fclose(log);
    return status;
}
