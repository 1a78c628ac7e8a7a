/*
 * The reports of a run: the terminal one (--format, on standard output)
 * and one per --output FORMAT=FILE, all driven with the same diagnostics in
 * the same order.
 *
 * A report file is streamed into a temporary file next to FILE (so it can
 * be renamed over it) while linting goes, and renamed to FILE when the run
 * ends: FILE is never seen half-written, and a run that dies midway leaves
 * the previous FILE as it was. FILE keeps its mode when it exists. A FILE
 * that exists and is not a regular file (/dev/null, a pipe) is written
 * directly.
 *
 * Main thread only: printers are not thread-safe.
 */
#ifndef KL_CLI_OUTPUTS_H
#define KL_CLI_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli_run.h"
#include "klint/print.h"
#include "klint/rules.h"

typedef struct kl_outputs kl_outputs;

/*
 * Open the terminal report (`format` on `term`, coloured when `color`) and
 * one report per entry of `files`, each told the `rules` of the run. A file
 * that cannot be created is reported on `err` ("klint: cannot write
 * 'FILE': REASON").
 *
 * @return KL_OK; KL_EIO (reported; nothing is left behind); KL_ENOMEM.
 */
int kl_outputs_open(kl_outputs **out, const char *format, FILE *term, bool color,
                    const kl_cli_output *files, size_t n_files, const kl_ruleset *rules, FILE *err);

/* The printer calls, to every report. @return KL_OK, or KL_EIO when a
 * report could not be written (reported once on `err`; stop the run). */
int kl_outputs_diag(kl_outputs *o, const kl_source *src, const kl_diag *d);
int kl_outputs_file(kl_outputs *o, const char *name, size_t n_diags);
int kl_outputs_end(kl_outputs *o, const kl_summary *summary);

/*
 * Flush the terminal stream, and close the report files: each one that was
 * written completely is renamed to its FILE, the others are removed.
 * Frees `o` (NULL is a no-op).
 * @return KL_OK, or KL_EIO when some report could not be written (reported).
 */
int kl_outputs_close(kl_outputs *o);

#endif
