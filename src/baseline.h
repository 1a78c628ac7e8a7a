/*
 * Baselines: the findings a project accepts for now, so that a CI gate
 * reports only new ones. `--generate-baseline FILE` writes the current
 * findings; `--baseline FILE` drops the findings it lists and reports the
 * entries that matched nothing. The file format is documented in the README
 * ("Baseline"):
 *
 *   {"klint_baseline": 1,
 *    "findings": [{"file": "templates/a.json", "rule": "unknown-field",
 *                  "path": "$.input.foo", "count": 1}, ...]}
 *
 * `file` is relative to the baseline file's directory, '/'-separated; a
 * finding in a JSON Lines file is keyed by the file (not the line), so
 * inserting a record does not invalidate the baseline; `count` is how many
 * findings with that key are accepted.
 *
 * Matching is done by the printing thread, in output order, so the result
 * does not depend on -j.
 */
#ifndef KL_BASELINE_H
#define KL_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "klint/diag.h"
#include "klint/source.h"

#define KL_RULE_BASELINE_INVALID   "baseline-invalid"
#define KL_RULE_BASELINE_UNMATCHED "baseline-unmatched"

typedef struct kl_baseline kl_baseline;

/*
 * Read and check a baseline file. Problems are `baseline-invalid` errors in
 * `problems`, with spans in `*src_out` (set whenever the file was read;
 * keep it until the kl_baseline_report_unmatched warnings are printed).
 * @return KL_OK; KL_EUSAGE (reported); KL_EIO (errno kept); KL_ENOMEM.
 */
int kl_baseline_load(kl_baseline **out, const char *path, kl_source **src_out, kl_diags *problems);

/* An empty baseline that collects findings, for --generate-baseline FILE
 * (FILE's directory is the base for relative paths). */
int kl_baseline_new(kl_baseline **out, const char *path);

void kl_baseline_free(kl_baseline *bl);

/* `file` (as given on the command line) relative to the baseline's directory; malloc'd. */
char *kl_baseline_relative(const kl_baseline *bl, const char *file);

/* Note that `rel_file` was linted in this run (only entries of linted files
 * can be reported as unmatched). */
void kl_baseline_note_file(kl_baseline *bl, const char *rel_file);

/* True (and one use of the entry consumed) when the baseline accepts this finding. */
bool kl_baseline_match(kl_baseline *bl, const char *rel_file, const char *rule,
                       const char *json_path);

/* Add a finding to a baseline being generated. @return KL_OK or KL_ENOMEM. */
int kl_baseline_add(kl_baseline *bl, const char *rel_file, const char *rule, const char *json_path);

/* Write the collected findings (sorted by file, rule, path; counts merged)
 * atomically to the baseline's path. @return KL_OK, KL_EIO (errno kept), KL_ENOMEM. */
int kl_baseline_write(const kl_baseline *bl);

/* Append a `baseline-unmatched` warning, spanning the entry, for each
 * entry of a linted file whose count was not used up. */
int kl_baseline_report_unmatched(const kl_baseline *bl, kl_diags *out);

#endif
