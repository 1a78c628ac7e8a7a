/*
 * The lint run: plan, set up, lint on workers, report in order, finish.
 * See cli_run.h for the stages; this file owns the main thread's side:
 * the order of the inputs, the verdict on every finding (configuration,
 * baseline), the printers, the totals and the exit status.
 */
#include "cli_run.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_inputs.h"
#include "cli_job.h"
#include "cli_outputs.h"
#include "cli_pool.h"
#include "cli_setup.h"

/* JSON Lines files larger than this are streamed by the main thread in
 * their turn rather than collected by a worker: what waits to be printed
 * stays small whatever the batch. */
#define KL_RUN_COLLECT_MAX ((off_t)1 << 20)

/* Results a worker may have ready ahead of the printer, per worker. */
#define KL_RUN_WINDOW_PER_WORKER 8

/* Free heap glibc may keep per thread instead of returning it (see lint_all). */
#define KL_RUN_TRIM_THRESHOLD (64 << 20)

typedef struct cli_run {
    const kl_cli_options *opts;
    FILE *out;
    FILE *err;
    FILE *report; /* the terminal report's stream */
    kl_setup setup;
    kl_outputs *outputs; /* NULL for --diff, which prints diffs only */
    kl_job_env env;
    kl_cli_job *jobs;
    size_t n_jobs;
    kl_job_result *results; /* per job, filled by workers */
    size_t *made_by;        /* per job, the worker index that filled its result */
    kl_job_worker *workers;
    size_t n_workers;
    size_t printer;       /* the worker index of this thread, which prints */
    size_t window;        /* the pool's window */
    size_t *reclaim_from; /* per worker thread, the first job whose result it has not freed */
    kl_summary summary;
    size_t file_diags;  /* findings reported for the current input */
    size_t fixes;       /* fixes applied (--fix) or shown (--diff) */
    size_t fixed_files; /* inputs they changed */
    size_t baselined;   /* findings written to --generate-baseline */
    int status;         /* the highest usage/internal status so far */
    bool stopped;       /* a report could not be written, or an internal error */
} cli_run;

static void raise_status(cli_run *r, int status)
{
    if (status > r->status)
        r->status = status;
}

/* A message on stderr, after what the report stream holds so far (a terminal shows both). */
static void say(cli_run *r)
{
    fflush(r->report);
    if (r->report != r->out)
        fflush(r->out);
}

static int internal_error(cli_run *r, int rc)
{
    say(r);
    fprintf(r->err, "klint: internal error: %s\n", kl_error_str(rc));
    raise_status(r, KL_EXIT_INTERNAL);
    r->stopped = true;
    return rc;
}

static int output_failed(cli_run *r)
{
    raise_status(r, KL_EXIT_USAGE);
    r->stopped = true;
    return KL_EIO;
}

/* ---- Planning ------------------------------------------------------------- */

static unsigned online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/*
 * Whether to build the base ruleset on a thread of its own while the PATHs are expanded
 * (kl_setup_early_start): worth a thread only when listing takes a while (a PATH is a folder)
 * and there is a second core, and pointless when no rule will run.
 */
static bool build_rules_early(const kl_cli_options *o)
{
    if (o->jobs == 1 || online_cores() < 2 || (o->syntax_only && o->profile == NULL))
        return false;
    for (size_t i = 0; i < o->n_paths; i++) {
        struct stat st;
        if (strcmp(o->paths[i], "-") != 0 && stat(o->paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            return true;
    }
    return false;
}

/* One job per input, in the run's order: the files by path, then stdin. */
static int plan(cli_run *r, kl_input_list *inputs)
{
    const kl_cli_options *o = r->opts;
    bool has_stdin = false;
    size_t n_files = 0;
    const char **files = malloc((o->n_paths ? o->n_paths : 1) * sizeof(*files));
    if (files == NULL)
        return KL_ENOMEM;
    for (size_t i = 0; i < o->n_paths; i++) {
        if (strcmp(o->paths[i], "-") == 0)
            has_stdin = true;
        else
            files[n_files++] = o->paths[i];
    }
    int rc = kl_inputs_collect(files, n_files, o->exclude, o->n_exclude, inputs);
    free(files);
    if (rc < 0)
        return rc;

    r->n_jobs = inputs->n + has_stdin;
    r->jobs = calloc(r->n_jobs ? r->n_jobs : 1, sizeof(*r->jobs));
    r->results = calloc(r->n_jobs ? r->n_jobs : 1, sizeof(*r->results));
    if (r->jobs == NULL || r->results == NULL)
        return KL_ENOMEM;
    for (size_t i = 0; i < inputs->n; i++) {
        kl_cli_job *job = &r->jobs[i];
        job->path = job->name = inputs->items[i].path;
        if (inputs->items[i].dir_fd >= 0) {
            job->dir_fd = inputs->items[i].dir_fd;
            job->at = job->path + inputs->items[i].base;
        }
        job->error = inputs->items[i].error;
        job->jsonl = o->jsonl || kl_inputs_is_jsonl(job->path);
        job->in_main = job->error != 0;
        struct stat st;
        if (job->jsonl && stat(job->path, &st) == 0 && st.st_size > KL_RUN_COLLECT_MAX)
            job->in_main = true;
    }
    if (has_stdin) {
        kl_cli_job *job = &r->jobs[r->n_jobs - 1];
        job->path = "-";
        job->name = o->stdin_name ? o->stdin_name : "-";
        job->is_stdin = true;
        job->jsonl = o->jsonl || kl_inputs_is_jsonl(job->name);
        job->in_main = true;
    }
    return KL_OK;
}

/* ---- Reporting (main thread) ------------------------------------------------ */

static void count(kl_summary *s, kl_severity sev)
{
    if (sev == KL_SEV_ERROR)
        s->errors++;
    else if (sev == KL_SEV_WARNING)
        s->warnings++;
    else
        s->infos++;
}

/* Judge and print findings diags[first .. first + n) of one document of `job`. */
static int deliver(cli_run *r, const kl_cli_job *job, const kl_source *src, const kl_diags *diags,
                   size_t first, size_t n)
{
    kl_baseline *bl = r->setup.baseline;
    for (size_t k = first; k < first + n; k++) {
        const kl_diag *d = kl_diags_at(diags, k);
        kl_diag shown = *d;
        if (job->config != NULL) {
            kl_config_verdict v =
                kl_config_judge(job->config, job->config_rel, d->rule, d->path, d->severity);
            if (!v.keep) {
                if (v.ignore_entry >= 0)
                    kl_config_note_use(job->config, v.ignore_entry);
                continue;
            }
            shown.severity = v.severity;
        }
        if (r->opts->baseline != NULL && kl_baseline_match(bl, job->baseline_rel, d->rule, d->path))
            continue;
        if (r->opts->generate_baseline != NULL) {
            int rc = kl_baseline_add(bl, job->baseline_rel, d->rule, d->path);
            if (rc < 0)
                return internal_error(r, rc);
            r->baselined++;
        }
        count(&r->summary, shown.severity);
        r->file_diags++;
        if (r->outputs != NULL && kl_outputs_diag(r->outputs, src, &shown) < 0)
            return output_failed(r);
    }
    return KL_OK;
}

typedef struct sink_ctx {
    cli_run *r;
    const kl_cli_job *job;
} sink_ctx;

/* kl_job_sink for the inputs the main thread lints itself: print as it goes. */
static int print_now(void *ctx, const kl_source *src, kl_source **own, const kl_diags *diags)
{
    (void)own;
    sink_ctx *c = ctx;
    return deliver(c->r, c->job, src, diags, 0, kl_diags_count(diags));
}

/* What is left to say about an input once its documents are printed. */
static int end_job(cli_run *r, const kl_cli_job *job, const kl_job_result *res)
{
    if (res->rc < 0)
        return internal_error(r, res->rc);
    /* A diff, or the fixed stdin document, on stdout. */
    errno = 0;
    if (res->text != NULL && fwrite(res->text, 1, res->text_len, r->out) != res->text_len) {
        fprintf(r->err, "klint: cannot write the report: %s\n", strerror(errno ? errno : EIO));
        return output_failed(r);
    }
    r->fixes += res->fixes;
    r->fixed_files += res->changed;
    if (res->problem != KL_JOB_OK) {
        say(r);
        switch (res->problem) {
        case KL_JOB_CANNOT_WRITE:
            fprintf(r->err, "klint: cannot write '%s': %s\n", job->name,
                    strerror(res->errno_value));
            break;
        case KL_JOB_TOO_BIG:
            fprintf(r->err, "klint: cannot read '%s': %s\n", job->name, kl_error_str(KL_ETOOBIG));
            break;
        case KL_JOB_LONG_LINE:
            fprintf(r->err, "klint: cannot read '%s': %s\n", job->name,
                    "a line over 4 GiB, or over 4294967295 lines");
            break;
        default:
            fprintf(r->err, "klint: cannot read '%s': %s\n", job->name, strerror(res->errno_value));
            break;
        }
        raise_status(r, KL_EXIT_USAGE);
    }
    if (!res->opened || r->outputs == NULL)
        return KL_OK;
    r->summary.files++;
    r->summary.records += res->records;
    if (job->config != NULL && job->config_rel != NULL)
        kl_config_note_file(job->config, job->config_rel);
    if (job->baseline_rel != NULL && r->opts->baseline != NULL)
        kl_baseline_note_file(r->setup.baseline, job->baseline_rel);
    if (kl_outputs_file(r->outputs, job->name, r->file_diags) < 0)
        return output_failed(r);
    return KL_OK;
}

/* An input the PATH expansion could not read. */
static void path_problem(cli_run *r, const kl_cli_job *job)
{
    say(r);
    fprintf(r->err, "klint: cannot read '%s': %s\n", job->name, strerror(job->error));
    raise_status(r, KL_EXIT_USAGE);
}

/* Print what a worker collected for `job`. */
static int print_collected(cli_run *r, const kl_cli_job *job, const kl_job_result *res)
{
    r->file_diags = 0;
    for (size_t i = 0; i < res->n_docs && !r->stopped; i++) {
        const kl_job_doc *doc = &res->docs[i];
        int rc = deliver(r, job, kl_job_doc_source(doc), res->diags, doc->first, doc->count);
        if (rc < 0)
            return rc;
    }
    return end_job(r, job, res);
}

/* Lint `job` on the main thread, printing as it goes. */
static int run_here(cli_run *r, kl_job_worker *w, const kl_cli_job *job)
{
    if (job->error != 0) {
        path_problem(r, job);
        return KL_OK;
    }
    r->file_diags = 0;
    kl_job_result res = {0};
    sink_ctx c = {r, job};
    res.rc = kl_job_run(w, &r->env, job, print_now, &c, &res);
    int rc = r->stopped ? KL_EIO : end_job(r, job, &res);
    kl_job_result_dispose(&res);
    return rc;
}

/* ---- Linting ---------------------------------------------------------------- */

/*
 * Free, on the worker thread that made them, the results of this worker's jobs
 * the printer is done with. A job is claimed only below the first unreleased
 * one plus the window, so every job up to `job` - window has been released, and
 * the pool's mutex orders the printer's reading before this. Freeing where the
 * memory was allocated keeps glibc from taking another thread's arena lock and
 * trimming its heap (madvise, TLB shootdowns) for each small result.
 */
static void reclaim(cli_run *r, size_t worker, size_t job)
{
    if (worker == r->printer || job < r->window)
        return; /* the printer's own results are freed as it prints them */
    size_t end = job - r->window + 1;
    for (size_t j = r->reclaim_from[worker]; j < end; j++) {
        if (r->made_by[j] == worker)
            kl_job_result_dispose(&r->results[j]);
    }
    if (end > r->reclaim_from[worker])
        r->reclaim_from[worker] = end;
}

static void work(void *ctx, size_t worker, size_t job)
{
    cli_run *r = ctx;
    reclaim(r, worker, job);
    r->made_by[job] = worker;
    kl_job_result *res = &r->results[job];
    res->rc = kl_job_run(&r->workers[worker], &r->env, &r->jobs[job], kl_job_collect, res, res);
}

/*
 * Lint every job in order. With N jobs (threads), N-1 worker threads start
 * at once; this thread prints, and at each input's turn either lints it
 * itself (when no worker has started it) or lints later inputs while a
 * worker finishes it, so N threads are busy and none only waits.
 */
static int lint_all(cli_run *r)
{
    /* Threads only when at least two inputs can use them. */
    size_t n_parallel = 0;
    bool *skip = calloc(r->n_jobs ? r->n_jobs : 1, sizeof(*skip));
    if (skip == NULL)
        return internal_error(r, KL_ENOMEM);
    for (size_t i = 0; i < r->n_jobs; i++) {
        skip[i] = r->jobs[i].in_main;
        n_parallel += !skip[i];
    }
    size_t threads = r->opts->jobs ? r->opts->jobs : online_cores();
    if (threads > n_parallel)
        threads = n_parallel;
    size_t n_threads = threads > 1 ? threads - 1 : 0;

    /* One scratch per thread; the last one is this thread's. */
    int rc = KL_OK;
    r->workers = calloc(n_threads + 1, sizeof(*r->workers));
    if (r->workers == NULL)
        rc = KL_ENOMEM;
    for (size_t i = 0; rc == KL_OK && i <= n_threads; i++) {
        rc = kl_job_worker_init(&r->workers[i], &r->env);
        r->n_workers += rc == KL_OK;
    }
    r->printer = n_threads;
    r->window = threads * KL_RUN_WINDOW_PER_WORKER;
    r->made_by = malloc((r->n_jobs ? r->n_jobs : 1) * sizeof(*r->made_by));
    r->reclaim_from = calloc(n_threads + 1, sizeof(*r->reclaim_from));
    if (rc == KL_OK && (r->made_by == NULL || r->reclaim_from == NULL))
        rc = KL_ENOMEM;
    for (size_t i = 0; rc == KL_OK && i < r->n_jobs; i++)
        r->made_by[i] = SIZE_MAX;
    kl_pool *pool = NULL;
#ifdef __GLIBC__
    /* With threads, glibc gives each its own heap and gives back its free top with
     * madvise, which costs an IPI to every other core (TLB shootdown) while they lint;
     * a run's heap stays small (the window bounds it), so keep it until exit. */
    if (rc == KL_OK && n_threads > 0)
        mallopt(M_TRIM_THRESHOLD, KL_RUN_TRIM_THRESHOLD);
#endif
    if (rc == KL_OK && n_threads > 0) {
        rc = kl_pool_start(&pool, n_threads, r->n_jobs, r->window, skip, work, r);
        if (rc == KL_EINTERNAL) /* no thread could start: lint on this one */
            rc = KL_OK;
    }
    kl_job_worker *here = r->workers ? &r->workers[n_threads] : NULL;

    for (size_t i = 0; rc == KL_OK && i < r->n_jobs && !r->stopped; i++) {
        const kl_cli_job *job = &r->jobs[i];
        if (pool == NULL || skip[i] || kl_pool_turn(pool, i)) {
            rc = run_here(r, here, job);
        } else {
            rc = print_collected(r, job, &r->results[i]);
            if (r->made_by[i] == r->printer) /* made here; a worker frees its own */
                kl_job_result_dispose(&r->results[i]);
        }
        if (pool != NULL)
            kl_pool_release(pool, i);
    }
    kl_pool_finish(pool);
    if (rc < 0 && !r->stopped)
        internal_error(r, rc);

    for (size_t i = 0; i < r->n_workers; i++)
        kl_job_worker_dispose(&r->workers[i]);
    free(r->workers);
    r->workers = NULL;
    free(r->made_by);
    r->made_by = NULL;
    free(r->reclaim_from);
    r->reclaim_from = NULL;
    free(skip);
    return rc;
}

/* ---- Finishing ------------------------------------------------------------------ */

/* Findings about one of klint's own files (a configuration, the baseline), judged by
 * `cfg` (NULL: as they are). */
static int print_own(cli_run *r, const char *name, const kl_source *src, kl_diags *diags,
                     const kl_config *cfg)
{
    size_t n = kl_diags_count(diags), shown_n = 0;
    if (n == 0)
        return KL_OK;
    kl_diags_sort(diags);
    for (size_t i = 0; i < n; i++) {
        kl_diag shown = *kl_diags_at(diags, i);
        if (cfg != NULL) {
            kl_config_verdict v =
                kl_config_judge(cfg, NULL, shown.rule, shown.path, shown.severity);
            if (!v.keep)
                continue;
            shown.severity = v.severity;
        }
        count(&r->summary, shown.severity);
        shown_n++;
        if (kl_outputs_diag(r->outputs, src, &shown) < 0)
            return output_failed(r);
    }
    if (shown_n > 0 && kl_outputs_file(r->outputs, name, shown_n) < 0)
        return output_failed(r);
    return KL_OK;
}

/* Ignore entries that matched nothing, and baseline entries never met. */
static int report_unused(cli_run *r)
{
    kl_diags *diags;
    int rc = kl_diags_new(&diags);
    if (rc < 0)
        return internal_error(r, rc);
    for (size_t i = 0; rc == KL_OK && i < r->setup.n_configs; i++) {
        const kl_setup_config *c = &r->setup.configs[i];
        kl_diags_clear(diags);
        rc = kl_config_report_unused(c->cfg, diags);
        if (rc < 0)
            internal_error(r, rc);
        else
            rc = print_own(r, c->path, c->src, diags, NULL); /* judged when made */
    }
    if (rc == KL_OK && r->opts->baseline != NULL) {
        kl_diags_clear(diags);
        rc = kl_baseline_report_unmatched(r->setup.baseline, diags);
        if (rc < 0)
            internal_error(r, rc);
        else
            rc = print_own(r, r->opts->baseline, r->setup.baseline_src, diags,
                           r->setup.baseline_config);
    }
    kl_diags_free(diags);
    return rc;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The status the findings (or the diffs) give, by --fail-on and --max-warnings. */
static int findings_status(const cli_run *r)
{
    const kl_cli_options *o = r->opts;
    if (o->fix == KL_CLI_FIX_DIFF)
        return r->fixed_files > 0 ? KL_EXIT_FINDINGS : KL_EXIT_CLEAN;
    if (o->generate_baseline != NULL)
        return KL_EXIT_CLEAN;
    const kl_summary *s = &r->summary;
    bool fail = false;
    switch (o->fail_on) {
    case KL_SEV_INFO:
        fail = s->errors + s->warnings + s->infos > 0;
        break;
    case KL_SEV_WARNING:
        fail = s->errors + s->warnings > 0;
        break;
    case KL_SEV_ERROR:
        fail = s->errors > 0;
        break;
    default: /* never */
        break;
    }
    if (o->max_warnings_set && s->warnings > o->max_warnings)
        fail = true;
    return fail ? KL_EXIT_FINDINGS : KL_EXIT_CLEAN;
}

static void finish(cli_run *r)
{
    const kl_cli_options *o = r->opts;
    bool reports = r->outputs != NULL;
    if (reports) {
        if (!r->stopped)
            report_unused(r);
        /* Close the reports even after an internal error, so a JSON report stays parseable. */
        if (kl_outputs_end(r->outputs, &r->summary) < 0)
            raise_status(r, KL_EXIT_USAGE);
        if (kl_outputs_close(r->outputs) < 0)
            raise_status(r, KL_EXIT_USAGE);
        r->outputs = NULL;
    }
    /* stdout when no report went there: diffs, or the fixed stdin document. */
    if ((!reports || r->report != r->out) && !r->stopped) {
        errno = 0;
        if (fflush(r->out) != 0 || ferror(r->out)) {
            fprintf(r->err, "klint: cannot write the report: %s\n", strerror(errno ? errno : EIO));
            raise_status(r, KL_EXIT_USAGE);
        }
    }
    if (o->fix == KL_CLI_FIX_WRITE)
        fprintf(r->err, "klint: applied %zu %s in %zu %s\n", r->fixes,
                plural(r->fixes, "fix", "fixes"), r->fixed_files,
                plural(r->fixed_files, "file", "files"));
    else if (o->fix == KL_CLI_FIX_DIFF)
        fprintf(r->err, "klint: %zu %s in %zu %s would be applied\n", r->fixes,
                plural(r->fixes, "fix", "fixes"), r->fixed_files,
                plural(r->fixed_files, "file", "files"));
    if (o->generate_baseline != NULL && !r->stopped) {
        if (kl_baseline_write(r->setup.baseline) < 0) {
            fprintf(r->err, "klint: cannot write the baseline '%s': %s\n", o->generate_baseline,
                    strerror(errno));
            raise_status(r, KL_EXIT_USAGE);
        } else {
            fprintf(r->err, "klint: wrote %zu %s to the baseline '%s'\n", r->baselined,
                    plural(r->baselined, "finding", "findings"), o->generate_baseline);
        }
    }
}

/* ---- The run -------------------------------------------------------------------- */

static bool want_color(kl_color_mode mode, FILE *stream)
{
    if (mode != KL_COLOR_AUTO)
        return mode == KL_COLOR_ALWAYS;
    const char *no_color = getenv("NO_COLOR");
    if (no_color != NULL && no_color[0] != '\0')
        return false;
    int fd = fileno(stream);
    return fd >= 0 && isatty(fd);
}

int kl_cli_run(const kl_cli_options *opts, FILE *out, FILE *err)
{
    cli_run r;
    memset(&r, 0, sizeof(r));
    r.opts = opts;
    r.out = out;
    r.err = err;
    r.report = out;

    kl_setup_early *early = build_rules_early(opts) ? kl_setup_early_start(opts) : NULL;
    kl_input_list inputs = {NULL, 0, NULL, 0};
    int rc = plan(&r, &inputs);
    if (rc < 0) {
        internal_error(&r, rc);
        goto done;
    }
    /* --fix on stdin writes the fixed document to stdout: the report moves to stderr. */
    if (opts->fix == KL_CLI_FIX_WRITE && r.n_jobs > 0 && r.jobs[r.n_jobs - 1].is_stdin)
        r.report = err;

    int st = kl_setup_load(&r.setup, opts, r.jobs, r.n_jobs, early, err);
    if (st != KL_EXIT_CLEAN) {
        raise_status(&r, st);
        goto done;
    }
    r.env.syntax_only = opts->syntax_only;
    r.env.fix = opts->fix;
    r.env.unsafe_fixes = opts->unsafe_fixes;
    r.env.rulesets = r.setup.rulesets;
    r.env.n_rulesets = r.setup.n_rulesets;

    if (opts->fix != KL_CLI_FIX_DIFF) {
        rc = kl_outputs_open(&r.outputs, opts->format, r.report, want_color(opts->color, r.report),
                             opts->outputs, opts->n_outputs, kl_setup_rules(&r.setup), err);
        if (rc < 0) {
            if (rc == KL_EIO)
                raise_status(&r, KL_EXIT_USAGE);
            else
                internal_error(&r, rc);
            goto done;
        }
    }

    lint_all(&r);
    finish(&r);
    raise_status(&r, findings_status(&r));

done:
    for (size_t i = 0; r.results != NULL && i < r.n_jobs; i++)
        kl_job_result_dispose(&r.results[i]);
    for (size_t i = 0; r.jobs != NULL && i < r.n_jobs; i++) {
        free(r.jobs[i].config_rel);
        free(r.jobs[i].baseline_rel);
    }
    free(r.results);
    free(r.jobs);
    kl_setup_early_free(early);
    kl_setup_dispose(&r.setup);
    kl_inputs_list_free(&inputs);
    return r.status;
}
