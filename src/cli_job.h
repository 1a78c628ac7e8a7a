/*
 * One input's work, on whichever thread runs it: read the file (or stdin),
 * fix it when asked (--fix / --diff), lint it document by document, and hand
 * every document that has findings, with its findings sorted by position,
 * to a sink.
 *
 * Two sinks exist: the main thread's printer, for inputs it streams itself
 * (JSON Lines files of any size go through with memory bounded by the
 * longest line), and kl_job_collect, which keeps what a worker found in a
 * kl_job_result for the main thread to print when the input's turn comes.
 *
 * Nothing here touches a printer, a configuration's counters or the
 * baseline: those belong to the main thread. Everything an input's work
 * reads (kl_job_env, the rulesets, the configurations' rules) is read-only
 * while workers run; each worker has its own kl_job_worker.
 */
#ifndef KL_CLI_JOB_H
#define KL_CLI_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "cli_run.h"
#include "config.h"
#include "klint/diag.h"
#include "klint/lint.h"
#include "klint/rules.h"
#include "klint/source.h"

/* One input of the run, planned by the main thread before linting starts. */
typedef struct kl_cli_job {
    const char *path; /* what to open: a file path, or "-" for stdin */
    const char *name; /* the name shown in reports */
    const char *at;   /* NULL, or path's name in the open folder dir_fd (a shorter lookup) */
    int dir_fd;       /* meaningful when `at` is not NULL */
    int error;        /* errno from expanding the PATHs: nothing to lint */
    bool is_stdin;
    bool jsonl;          /* read as JSON Lines */
    bool in_main;        /* done by the main thread in its turn (stdin, big JSON Lines) */
    size_t ruleset;      /* index into kl_job_env.rulesets */
    const char *profile; /* the profile to check against; NULL: detect */
    kl_config *config;   /* the file's configuration, or NULL */
    char *config_rel;    /* the file relative to the configuration's directory */
    char *baseline_rel;  /* the file relative to the baseline's directory */
} kl_cli_job;

/* What every input's work shares: read-only while workers run. */
typedef struct kl_job_env {
    bool syntax_only;
    kl_cli_fix fix;
    bool unsafe_fixes;           /* --unsafe-fixes */
    kl_ruleset *const *rulesets; /* NULL entries when syntax_only */
    size_t n_rulesets;
} kl_job_env;

/* Per-thread scratch: one linter per ruleset (made when first needed) and a
 * diagnostics list reused for every document. */
typedef struct kl_job_worker {
    kl_linter **linters;
    size_t n_linters;
    kl_diags *scratch;
} kl_job_worker;

int kl_job_worker_init(kl_job_worker *w, const kl_job_env *env);
void kl_job_worker_dispose(kl_job_worker *w);

/* Why an input was not (entirely) linted; the main thread words it. */
typedef enum kl_job_problem {
    KL_JOB_OK,
    KL_JOB_CANNOT_READ,  /* `errno_value` */
    KL_JOB_TOO_BIG,      /* a file over 4 GiB */
    KL_JOB_LONG_LINE,    /* a JSON Lines line over 4 GiB, or too many lines */
    KL_JOB_CANNOT_WRITE, /* --fix could not replace the file: `errno_value` */
} kl_job_problem;

/* One document with findings, kept for later printing. */
typedef struct kl_job_doc {
    kl_source *owned; /* a whole file's source, or NULL */
    kl_source view;   /* a JSON Lines record: a view on `bytes` */
    char *bytes;
    size_t first; /* its findings: diags[first .. first + count) */
    size_t count;
} kl_job_doc;

/* Everything an input's work produced. Zero-initialise before use. */
typedef struct kl_job_result {
    int rc; /* KL_OK, or an internal error (KL_ENOMEM, KL_EINTERNAL...) */
    kl_job_problem problem;
    int errno_value;
    bool opened;    /* the input was read (it counts as a file) */
    size_t records; /* documents linted */
    size_t fixes;   /* fixes applied (--fix) or shown (--diff) */
    bool changed;   /* the fixes changed the input */
    char *text;     /* --diff: the diff; --fix on stdin: the fixed document */
    size_t text_len;
    /* Collected documents (kl_job_collect only). */
    kl_diags *diags;
    kl_job_doc *docs;
    size_t n_docs;
    size_t cap_docs;
} kl_job_result;

void kl_job_result_dispose(kl_job_result *r);

/* The source of a collected document. */
const kl_source *kl_job_doc_source(const kl_job_doc *doc);

/*
 * Called once per linted document that has findings, in order. `diags`
 * holds the document's findings sorted by position. `own` is non-NULL when
 * the source was allocated for this document: the sink may take it (and
 * set *own to NULL); otherwise `src` is valid only for the call.
 * @return KL_OK, or a negative code that stops the input's work.
 */
typedef int (*kl_job_sink)(void *ctx, const kl_source *src, kl_source **own, const kl_diags *diags);

/*
 * Do input `job`'s work: fix it as env->fix says, then (except for --diff)
 * lint it, sending documents with findings to `sink`. Problems with the
 * input itself go to `result` (problem, errno_value), as do the counts and
 * the text; the return value is for the run: KL_OK, or a negative code
 * (internal error, or what the sink returned).
 */
int kl_job_run(kl_job_worker *w, const kl_job_env *env, const kl_cli_job *job, kl_job_sink sink,
               void *sink_ctx, kl_job_result *result);

/* A sink that keeps each document and copies of its findings in the
 * kl_job_result passed as `ctx`. */
int kl_job_collect(void *ctx, const kl_source *src, kl_source **own, const kl_diags *diags);

#endif
