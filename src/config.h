/*
 * .klint.json: a project's configuration, found by walking up from each
 * linted file (the nearest wins) or named with --config. Read with klint's
 * own loader, so every problem is a `config-invalid` diagnostic with a
 * position inside the configuration file. The format is documented in the
 * README ("Configuration") and doc/klint.1.
 *
 * A loaded kl_config is read-only except for its use counters
 * (kl_config_note_use), which only the thread that prints the results
 * touches; kl_config_judge is pure and safe on any thread.
 */
#ifndef KL_CONFIG_H
#define KL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "klint/diag.h"
#include "klint/rules.h"
#include "klint/source.h"

#define KL_CONFIG_NAME               ".klint.json"
#define KL_RULE_CONFIG_INVALID       "config-invalid"
#define KL_RULE_CONFIG_UNUSED_IGNORE "config-unused-ignore"

typedef struct kl_config kl_config;

/*
 * Read and check the configuration file `path`. Problems are appended to
 * `problems` with spans in `*src_out` (the file's source, set whenever the
 * file could be read; the caller frees it after printing the problems).
 * Rule ids and profile ids named in the file are checked later, against
 * the ruleset, by kl_config_check.
 *
 * Keep `*src_out` until the diagnostics of kl_config_check and
 * kl_config_report_unused have been printed too: their spans are in it.
 *
 * @return KL_OK; KL_EUSAGE when the file has errors (reported);
 *         KL_EIO when it cannot be read (errno kept); KL_ENOMEM.
 */
int kl_config_load(kl_config **out, const char *path, kl_source **src_out, kl_diags *problems);

/* NULL is a no-op. */
void kl_config_free(kl_config *cfg);

/*
 * The nearest .klint.json for `file`: in the directory holding it, else in
 * each parent up to the filesystem root. `file` may be relative to the
 * current directory. @return a malloc'd path (as found, e.g. "../.klint.json"
 * or an absolute path), or NULL when there is none (or on ENOMEM).
 */
char *kl_config_discover(const char *file);

/* The directory globs are relative to (the configuration file's). */
const char *kl_config_dir(const kl_config *cfg);

/* The rule files the configuration adds, as paths usable from the current
 * directory (resolved against kl_config_dir). */
size_t kl_config_rule_file_count(const kl_config *cfg);
const char *kl_config_rule_file(const kl_config *cfg, size_t i);

/*
 * Check the rule ids and profile ids the configuration names against the
 * ruleset it will be used with (built-in rules, --rules files and its own
 * rule files). Unknown ones are `config-invalid` errors appended to
 * `problems`, with a did-you-mean when one is close.
 *
 * @return KL_OK; KL_EUSAGE when something was reported; KL_ENOMEM.
 */
int kl_config_check(const kl_config *cfg, const kl_ruleset *rs, kl_diags *problems);

/*
 * `file` expressed relative to kl_config_dir(cfg), '/'-separated, for glob
 * matching; NULL when the file is not below that directory (then no glob
 * matches it). malloc'd.
 */
char *kl_config_relative(const kl_config *cfg, const char *file);

/* The profile id the configuration maps `rel_file` to (first matching
 * entry), or NULL. */
const char *kl_config_profile_for(const kl_config *cfg, const char *rel_file);

/* What the configuration says about one finding. */
typedef struct kl_config_verdict {
    bool keep;            /* false: the finding is dropped */
    kl_severity severity; /* the severity to report it with (overrides applied) */
    int ignore_entry;     /* index of the ignore entry that dropped it, or -1 */
} kl_config_verdict;

/*
 * Apply select, ignore, per-file and per-path ignores and severity
 * overrides to a finding with rule `rule`, JSON path `json_path` and
 * severity `sev` in `rel_file` (may be NULL: only the rules that name no
 * files apply). Findings of klint's own syntax rules (json-syntax) are never dropped.
 *
 * In this order: protected rules (json-syntax, json-depth, rules-invalid,
 * config-invalid, baseline-invalid) are kept as they are; a rule in
 * `ignore` is dropped; with `select`, a rule that is neither selected nor
 * one of klint's own (json-*, config-*, baseline-*, rules-invalid) is
 * dropped; the first matching `ignores` entry drops it (ignore_entry set);
 * else `severity` applies.
 */
kl_config_verdict kl_config_judge(const kl_config *cfg, const char *rel_file, const char *rule,
                                  const char *json_path, kl_severity sev);

/* Record that ignore entry `entry` was used, and that `rel_file` was linted
 * (so entries whose files glob matched a linted file can be reported when
 * unused). Printing thread only. */
void kl_config_note_use(kl_config *cfg, int entry);
void kl_config_note_file(kl_config *cfg, const char *rel_file);

/*
 * Append a `config-unused-ignore` warning (span: the entry in the config
 * source) for every ignore entry that dropped nothing although some linted
 * file was in its scope (an entry without `files` covers every linted file,
 * including those noted with a NULL rel_file). The configuration's own
 * `ignore` and `severity` apply to these warnings.
 */
int kl_config_report_unused(const kl_config *cfg, kl_diags *out);

#endif
