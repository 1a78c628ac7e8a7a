/*
 * `klint lsp`: a Language Server Protocol server (3.17) on a pair of file
 * descriptors. It keeps the open documents, lints them with the same
 * library call as the command line (and the same .klint.json), pushes
 * diagnostics, and answers hover, completion and code action requests
 * through lsp_features.h.
 *
 * One session is single-threaded: every request is answered before the
 * next message is read. `$/cancelRequest` is therefore accepted and has
 * nothing left to cancel. The server keeps no global state: tests run it
 * on pipes or files.
 */
#ifndef KL_LSP_SERVER_H
#define KL_LSP_SERVER_H

#include <stddef.h>
#include <stdio.h>

typedef struct kl_lsp_options {
    int in_fd;          /* messages from the client (read with read(2)) */
    int out_fd;         /* messages to the client: nothing else is ever written there */
    FILE *log;          /* what went wrong, for people; NULL: no log */
    size_t max_message; /* largest message body accepted; 0: 64 MiB */
} kl_lsp_options;

/*
 * Serve one session until `exit` or the end of the input.
 * @return the process exit status the specification asks for: 0 when
 *         `shutdown` came before the end, 1 otherwise (and 1 when the
 *         client could no longer be written to, or memory ran out).
 */
int kl_lsp_serve(const kl_lsp_options *opts);

/*
 * The `klint lsp` subcommand: argv[1] is "lsp". Options: --stdio (the
 * only transport, accepted because clients pass it), --log FILE (append
 * the log there instead of to `err`), --clientProcessId N (accepted,
 * unused), --help (printed to `out`). Serves stdin/stdout, whatever `out`
 * is. @return the exit status.
 */
int kl_lsp_main(int argc, char **argv, FILE *out, FILE *err);

#endif
