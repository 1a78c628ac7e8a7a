/*
 * What a run loads before it lints a single input: the configuration of
 * every input (the nearest .klint.json, or --config), the rulesets (one per
 * distinct set of rule files: built-in + --rules + a configuration's own),
 * and the baseline. Everything is loaded and checked first, so a bad
 * configuration, rule file or baseline stops the run with its diagnostics
 * (text, on stderr, pointing into that file) before any input is linted
 * with half of it.
 *
 * Discovery is cached by directory (2,000 files in one folder walk up the
 * tree once) and configurations by their real path (loaded once each).
 */
#ifndef KL_CLI_SETUP_H
#define KL_CLI_SETUP_H

#include <stdio.h>

#include "baseline.h"
#include "cli_job.h"
#include "cli_run.h"
#include "config.h"
#include "klint/rules.h"

/* A configuration in use. */
typedef struct kl_setup_config {
    char *path;     /* as found or given: the name its findings are shown with */
    char *key;      /* its real path (or `path`), for the cache */
    kl_config *cfg; /* NULL when it could not be loaded */
    kl_source *src; /* its text, for its own findings */
    size_t ruleset; /* index into kl_setup.rulesets */
} kl_setup_config;

typedef struct kl_setup {
    kl_ruleset **rulesets; /* [0]: built-in + --rules; NULL entries never */
    size_t n_rulesets;
    char **ruleset_keys;   /* the configuration rule files of each, '\n'-joined */
    kl_ruleset *described; /* the rules printers describe (may be one of rulesets) */
    bool described_owned;
    kl_setup_config *configs; /* in order of first use */
    size_t n_configs;
    kl_baseline *baseline;      /* --baseline or --generate-baseline, or NULL */
    kl_source *baseline_src;    /* --baseline's text */
    kl_config *baseline_config; /* the configuration of the --baseline file itself, or NULL:
                                   its `ignore` and `severity` may name baseline-unmatched */
} kl_setup;

/*
 * The base ruleset (built-in + --rules) built on a thread of its own while
 * the main thread expands the PATHs (a big folder takes as long to list as
 * the rules take to compile). What building it has to say is kept and
 * printed by kl_setup_load where it would have printed it, so the output is
 * the same as without.
 */
typedef struct kl_setup_early kl_setup_early;

/* Start building the base ruleset for `opts` (which must outlive it); NULL when no thread
 * could start (kl_setup_load then builds it itself). */
kl_setup_early *kl_setup_early_start(const kl_cli_options *opts);

/* Wait for it and free it, with its ruleset unless kl_setup_load took it. NULL: no-op. */
void kl_setup_early_free(kl_setup_early *early);

/*
 * Load everything `jobs` need as `opts` say and fill in each job's
 * configuration, ruleset, profile and relative paths. `early` (may be NULL)
 * is the base ruleset's early build. Problems are printed on `err`. Returns
 * an exit status: KL_EXIT_CLEAN to go on, KL_EXIT_USAGE or KL_EXIT_INTERNAL
 * to stop (nothing linted). `s` is to be disposed in every case.
 */
int kl_setup_load(kl_setup *s, const kl_cli_options *opts, kl_cli_job *jobs, size_t n_jobs,
                  kl_setup_early *early, FILE *err);

/* The ruleset printers describe (SARIF's rules[]): one holding every rule
 * file of the run when they fit together, else the base one; NULL for a
 * syntax-only run. */
const kl_ruleset *kl_setup_rules(const kl_setup *s);

void kl_setup_dispose(kl_setup *s);

#endif
