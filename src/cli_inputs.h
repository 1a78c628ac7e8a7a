/*
 * Expanding the PATH arguments of the command line into the files to lint.
 *
 * A PATH that names a directory is searched recursively for files named
 * *.json, *.jsonl or *.ndjson. Entries are visited in byte order of their
 * names (strcmp, independent of the locale), depth first, so a run's output
 * order is the same on every machine. Hidden entries (names starting with
 * '.') found during the search are skipped, files and directories alike
 * (.git, .vscode, editor and tool settings), and symbolic links to
 * directories are not followed (no loops); symbolic links to files are.
 * Any other PATH is a file and is linted whatever its name.
 *
 * "-" (stdin) is the caller's business: this module never sees it.
 */
#ifndef KL_CLI_INPUTS_H
#define KL_CLI_INPUTS_H

#include <stdbool.h>

/*
 * Called once per file, in order. `error` is 0 for a file to lint, or the
 * errno value that kept a PATH (or a directory inside it) from being found
 * or listed; `path` is then that PATH or directory. Return KL_OK to go on;
 * a negative value stops the walk and is returned by kl_inputs_walk.
 */
typedef int (*kl_input_fn)(void *ctx, const char *path, int error);

/*
 * Call `fn` for every file `path` stands for, as described above. Paths
 * passed to `fn` are `path` itself or `path` joined with the names below
 * it by '/', so they show as the user typed them.
 *
 * @return KL_OK, KL_ENOMEM, or the first negative value `fn` returned.
 */
int kl_inputs_walk(const char *path, kl_input_fn fn, void *ctx);

/* True when a directory search picks up a file of this name (*.json, *.jsonl, *.ndjson). */
bool kl_inputs_is_lintable(const char *name);

/* True when a file of this name holds JSON Lines (*.jsonl, *.ndjson). */
bool kl_inputs_is_jsonl(const char *name);

#endif
