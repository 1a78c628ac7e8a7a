/*
 * Applying fixes: from diagnostics to new file contents, atomic writes and
 * unified diffs, for `--fix` and `--diff` (and the LSP's fix-all).
 */
#ifndef KL_FIX_APPLY_H
#define KL_FIX_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "klint/diag.h"
#include "klint/lint.h"
#include "klint/source.h"

/* Which findings may have their fix applied (e.g. not the ones a
 * configuration ignores). NULL: all. Called only for findings with a fix. */
typedef bool (*kl_fix_filter)(void *ctx, const kl_diag *d);

/*
 * Apply to `src` the first fix of every diagnostic in `diags` (in list
 * order) that `keep` keeps and whose edits overlap no edit already taken.
 * Unsafe fixes (kl_fix.unsafe) are taken like safe ones: leaving them out
 * is the filter's business (kl_fix_document does it). The result is
 * malloc'd in `*out` / `*out_len` (NUL-terminated); `*n_applied` counts the
 * fixes taken. Spans in `diags` must refer to `src`.
 *
 * @return KL_OK or KL_ENOMEM.
 */
int kl_fix_apply(const kl_source *src, const kl_diags *diags, kl_fix_filter keep, void *ctx,
                 char **out, size_t *out_len, size_t *n_applied);

/*
 * Fix one document to a fixed point: lint, apply, lint the result again,
 * until no fix applies (at most 10 rounds). Only safe fixes are applied
 * unless `unsafe` is set (kl_fix.unsafe; `--unsafe-fixes`); `keep` is asked
 * about the others. For a JSON Lines file set
 * `jsonl`: each non-blank line is fixed on its own and stays one line
 * (a fix that would put a CR or LF into it is not applied); every byte
 * outside the records (blank lines, line ends) is kept. A source that is
 * one record (`is_record`) is fixed as a record. A round of fixes after
 * which the text parses worse than before (a broken fix template) is
 * dropped and the rounds stop. `profile` as for kl_linter_lint_as. Output
 * as for kl_fix_apply; when nothing was fixed `*out` is NULL.
 *
 * @return KL_OK, KL_ENOMEM, or an error from the linter.
 */
int kl_fix_document(kl_linter *linter, const char *profile, const kl_source *src, bool jsonl,
                    bool unsafe, kl_fix_filter keep, void *ctx, char **out, size_t *out_len,
                    size_t *n_applied);

/*
 * Replace the file at `path` with `data`, atomically: a temporary file in
 * the same directory, written, fsync'd, given the original's mode, then
 * renamed over it (and the directory fsync'd). If anything fails the
 * original is untouched and the temporary file removed. A symbolic link is
 * followed: the file it points to is replaced, the link stays (details in
 * file_replace.c). When there is no file at `path` (or at the end of the
 * link) it is created, with mode 0666 less the umask like any new file;
 * its directory must exist (else KL_EIO, errno ENOENT, nothing created).
 * Anything there that is not a regular file: KL_EIO, errno EINVAL.
 *
 * @return KL_OK, KL_EIO (errno kept) or KL_ENOMEM.
 */
int kl_file_replace(const char *path, const char *data, size_t len);

/*
 * Write a unified diff (3 lines of context, "--- a/NAME" / "+++ b/NAME"
 * headers, "\ No newline at end of file" where due) turning `old` into
 * `new`. Nothing is written when they are equal.
 *
 * @return KL_OK, KL_EIO or KL_ENOMEM.
 */
int kl_diff_unified(FILE *out, const char *name, const char *old, size_t old_len,
                    const char *new_text, size_t new_len);

#endif
