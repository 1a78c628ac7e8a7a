/*
 * Expanding the PATH arguments of the command line into the files to lint.
 *
 * A PATH that names a directory is searched recursively for files named
 * *.json, *.jsonl or *.ndjson. Hidden entries (names starting with '.')
 * found during the search are skipped, files and directories alike (.git,
 * .vscode, editor and tool settings), and symbolic links to directories are
 * not followed (no loops); symbolic links to files are. Any other PATH is a
 * file and is linted whatever its name, hidden or not.
 *
 * --exclude GLOB drops files and whole directories, explicitly named ones
 * included (a pre-commit hook names every file it passes): see
 * kl_inputs_excluded.
 *
 * The files found are then put in one order for the whole run: byte order
 * (strcmp, independent of the locale) of the paths as they are shown, with
 * duplicates (a file named twice, or named and found in a directory) kept
 * once. So a run's output order is the same on every machine, whatever the
 * order of the PATHs and however many threads lint them.
 *
 * "-" (stdin) is the caller's business: this module never sees it.
 */
#ifndef KL_CLI_INPUTS_H
#define KL_CLI_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

/* One entry of the expanded list. */
typedef struct kl_input {
    char *path; /* as shown in reports: a PATH as typed, or PATH/name/... (owned) */
    int error;  /* 0: a file to lint; else the errno that kept this PATH (or a
                   directory inside one) from being found or listed */
    int dir_fd; /* -1, or the open folder (owned by the list) whose entry path + base is */
    size_t base;
} kl_input;

typedef struct kl_input_list {
    kl_input *items; /* sorted by path, no two equal */
    size_t n;
    int *dir_fds; /* the folders items[].dir_fd name, open until kl_inputs_list_free */
    size_t n_dir_fds;
} kl_input_list;

/*
 * Expand `paths` (none of them "-") into `out`, dropping what `exclude`
 * (globs, may be empty) matches, sorted and without duplicates. An
 * unreadable PATH or directory is an entry with `error` set, in its place
 * in the order; expansion goes on with the others.
 *
 * @return KL_OK or KL_ENOMEM (then `out` is empty).
 */
int kl_inputs_collect(const char *const *paths, size_t n_paths, const char *const *exclude,
                      size_t n_exclude, kl_input_list *out);

void kl_inputs_list_free(kl_input_list *list);

/*
 * True when a --exclude glob matches `path` (a file or a directory, as
 * shown). Globs are matched (kl_glob_match) against the path relative to
 * the current directory ("./a/b.json" and "/abs/cwd/a/b.json" are both
 * "a/b.json"); a glob without '/' is also matched against every component
 * of the path, so `--exclude vendor` skips everything under any directory
 * named vendor and `--exclude '*.ndjson'` every such file. A path outside
 * the current directory is matched by components only. `cwd` is the
 * current directory, absolute (NULL when unknown: components only).
 */
bool kl_inputs_excluded(const char *const *exclude, size_t n_exclude, const char *cwd,
                        const char *path);

/* True when a directory search picks up a file of this name (*.json, *.jsonl, *.ndjson). */
bool kl_inputs_is_lintable(const char *name);

/* True when a file of this name holds JSON Lines (*.jsonl, *.ndjson). */
bool kl_inputs_is_jsonl(const char *name);

#endif
