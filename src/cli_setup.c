#define _XOPEN_SOURCE 700 /* realpath */

#include "cli_setup.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cli_rules.h"
#include "fspath.h"
#include "klint/print.h"

/* A file's problems as text diagnostics on `err`, pointing into it. */
static void print_problems(FILE *err, const kl_source *src, const kl_diags *problems)
{
    kl_printer *p;
    kl_print_options opts = {false};
    if (src == NULL || kl_printer_new(&p, "text", err, &opts) != KL_OK)
        return;
    for (size_t i = 0; i < kl_diags_count(problems); i++)
        kl_printer_diag(p, src, kl_diags_at(problems, i));
    kl_printer_free(p);
}

static int internal(FILE *err, int rc)
{
    fprintf(err, "klint: internal error: %s\n", kl_error_str(rc));
    return KL_EXIT_INTERNAL;
}

/* ---- Configurations ------------------------------------------------------- */

/*
 * The index of configuration `path` in s->configs, loading it on first use.
 * Problems are printed and make *status KL_EXIT_USAGE; the entry then has
 * no kl_config. @return the index, or -1 when out of memory.
 */
static long config_index(kl_setup *s, const char *path, FILE *err, int *status)
{
    char *key = realpath(path, NULL);
    if (key == NULL)
        key = strdup(path);
    if (key == NULL)
        return -1;
    for (size_t i = 0; i < s->n_configs; i++) {
        if (strcmp(s->configs[i].key, key) == 0) {
            free(key);
            return (long)i;
        }
    }
    kl_setup_config *grown = realloc(s->configs, (s->n_configs + 1) * sizeof(*grown));
    char *name = strdup(path);
    kl_diags *problems = NULL;
    if (grown == NULL || name == NULL || kl_diags_new(&problems) < 0) {
        s->configs = grown ? grown : s->configs;
        free(key);
        free(name);
        return -1;
    }
    s->configs = grown;
    kl_setup_config *c = &s->configs[s->n_configs++];
    memset(c, 0, sizeof(*c));
    c->path = name;
    c->key = key;

    int rc = kl_config_load(&c->cfg, path, &c->src, problems);
    if (rc == KL_EUSAGE) {
        print_problems(err, c->src, problems);
        fprintf(err, "klint: the configuration '%s' has errors; nothing was linted\n", path);
        *status = KL_EXIT_USAGE;
    } else if (rc == KL_EIO) {
        fprintf(err, "klint: cannot read the configuration '%s': %s\n", path, strerror(errno));
        *status = KL_EXIT_USAGE;
    } else if (rc < 0) {
        kl_diags_free(problems);
        return -1;
    }
    kl_diags_free(problems);
    return (long)(s->n_configs - 1);
}

/* Cache of discovery: a directory and the configuration that applies there. */
typedef struct dir_cache {
    char **dirs;
    long *config; /* index into s->configs, or -1: none */
    size_t n;
} dir_cache;

static void dir_cache_free(dir_cache *dc)
{
    for (size_t i = 0; i < dc->n; i++)
        free(dc->dirs[i]);
    free(dc->dirs);
    free(dc->config);
}

/* The configuration for `file` by discovery: *index -1 when there is none.
 * @return KL_OK or KL_ENOMEM. */
static int discover(kl_setup *s, dir_cache *dc, const char *file, FILE *err, int *status,
                    long *index)
{
    /* The directory kl_fspath_dirname gives, without making it: file[0, dir_len), or "." or
     * "/". Inputs come sorted, so a file's directory is most often the last one seen. */
    const char *dir_text = file;
    size_t dir_len;
    const char *slash = strrchr(file, '/');
    if (slash == NULL) {
        dir_text = ".";
        dir_len = 1;
    } else {
        while (slash > file && slash[-1] == '/')
            slash--;
        dir_text = slash == file ? "/" : file;
        dir_len = slash == file ? 1 : (size_t)(slash - file);
    }
    for (size_t k = dc->n; k-- > 0;) {
        if (strncmp(dc->dirs[k], dir_text, dir_len) == 0 && dc->dirs[k][dir_len] == '\0') {
            *index = dc->config[k];
            return KL_OK;
        }
    }
    char *dir = kl_fspath_dirname(file);
    if (dir == NULL)
        return KL_ENOMEM;
    long found = -1;
    char *path = kl_config_discover(file);
    if (path != NULL) {
        found = config_index(s, path, err, status);
        free(path);
        if (found < 0) {
            free(dir);
            return KL_ENOMEM;
        }
    }
    char **dirs = realloc(dc->dirs, (dc->n + 1) * sizeof(*dirs));
    if (dirs != NULL)
        dc->dirs = dirs;
    long *configs = realloc(dc->config, (dc->n + 1) * sizeof(*configs));
    if (configs != NULL)
        dc->config = configs;
    if (dirs == NULL || configs == NULL) {
        free(dir);
        return KL_ENOMEM;
    }
    dc->dirs[dc->n] = dir;
    dc->config[dc->n] = found;
    dc->n++;
    *index = found;
    return KL_OK;
}

/* ---- Rulesets ---------------------------------------------------------------- */

/* The configuration's rule files, '\n'-joined ("" when it has none). */
static char *rules_key(const kl_config *cfg)
{
    kl_buf b = KL_BUF_INIT;
    kl_buf_puts(&b, "");
    for (size_t i = 0; i < kl_config_rule_file_count(cfg); i++) {
        kl_buf_puts(&b, kl_config_rule_file(cfg, i));
        kl_buf_putc(&b, '\n');
    }
    if (kl_buf_failed(&b) || b.ptr == NULL) {
        kl_buf_dispose(&b);
        return NULL;
    }
    return b.ptr;
}

struct kl_setup_early {
    pthread_t thread;
    const kl_cli_options *opts;
    bool joined;
    bool done;       /* it ran to the end: status, rs and said are its */
    int status;      /* kl_cli_ruleset's */
    kl_ruleset *rs;  /* its ruleset, until kl_setup_load takes it */
    char *said;      /* what it printed */
    size_t said_len;
};

static void *build_early(void *arg)
{
    kl_setup_early *e = arg;
    const kl_cli_options *opts = e->opts;
    FILE *say = open_memstream(&e->said, &e->said_len);
    if (say == NULL)
        return NULL; /* kl_setup_load builds it itself */
    e->status = kl_cli_ruleset(opts->rules, opts->n_rules, opts->profile, say, &e->rs);
    /* The listing still has a while to go, and a folder's documents will likely use most
     * profiles: compile their rows now rather than on the linting threads (a profile that
     * fails for want of memory here is tried again when asked for). */
    for (size_t i = 0; e->rs != NULL && i < kl_ruleset_profile_count(e->rs); i++)
        (void)kl_ruleset_profile_at(e->rs, i);
    e->done = fclose(say) == 0;
    return NULL;
}

kl_setup_early *kl_setup_early_start(const kl_cli_options *opts)
{
    kl_setup_early *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return NULL;
    e->opts = opts;
    if (pthread_create(&e->thread, NULL, build_early, e) != 0) {
        free(e);
        return NULL;
    }
    return e;
}

static void early_join(kl_setup_early *e)
{
    if (!e->joined)
        pthread_join(e->thread, NULL);
    e->joined = true;
}

void kl_setup_early_free(kl_setup_early *e)
{
    if (e == NULL)
        return;
    early_join(e);
    kl_ruleset_free(e->rs);
    free(e->said);
    free(e);
}

/* Build the ruleset of `--rules` plus `cfg`'s rule files (cfg may be NULL) as
 * s->rulesets[n_rulesets], or take it from `early` (the base ruleset: cfg NULL). @return an
 * exit status. */
static int add_ruleset(kl_setup *s, const kl_cli_options *opts, const kl_config *cfg, char *key,
                       kl_setup_early *early, FILE *err)
{
    size_t n_extra = cfg ? kl_config_rule_file_count(cfg) : 0;
    const char **paths = malloc((opts->n_rules + n_extra + 1) * sizeof(*paths));
    kl_ruleset **sets = realloc(s->rulesets, (s->n_rulesets + 1) * sizeof(*sets));
    if (sets != NULL)
        s->rulesets = sets;
    char **keys = realloc(s->ruleset_keys, (s->n_rulesets + 1) * sizeof(*keys));
    if (keys != NULL)
        s->ruleset_keys = keys;
    if (paths == NULL || sets == NULL || keys == NULL) {
        free(paths);
        free(key);
        return internal(err, KL_ENOMEM);
    }
    for (size_t i = 0; i < opts->n_rules; i++)
        paths[i] = opts->rules[i];
    for (size_t i = 0; i < n_extra; i++)
        paths[opts->n_rules + i] = kl_config_rule_file(cfg, i);
    kl_ruleset *rs = NULL;
    int st;
    if (early != NULL)
        early_join(early);
    if (early != NULL && early->done) {
        if (early->said_len > 0)
            fwrite(early->said, 1, early->said_len, err);
        st = early->status;
        rs = early->rs;
        early->rs = NULL;
    } else {
        st = kl_cli_ruleset(paths, opts->n_rules + n_extra, opts->profile, err, &rs);
    }
    free(paths);
    if (st != KL_EXIT_CLEAN) {
        free(key);
        return st;
    }
    s->rulesets[s->n_rulesets] = rs;
    s->ruleset_keys[s->n_rulesets] = key;
    s->n_rulesets++;
    return KL_EXIT_CLEAN;
}

/* Give every loaded configuration its ruleset, building each distinct one once. */
static int build_rulesets(kl_setup *s, const kl_cli_options *opts, kl_setup_early *early,
                          FILE *err)
{
    char *base_key = strdup("");
    if (base_key == NULL)
        return internal(err, KL_ENOMEM);
    int st = add_ruleset(s, opts, NULL, base_key, early, err);
    for (size_t i = 0; st == KL_EXIT_CLEAN && i < s->n_configs; i++) {
        kl_setup_config *c = &s->configs[i];
        char *key = rules_key(c->cfg);
        if (key == NULL)
            return internal(err, KL_ENOMEM);
        size_t k = 0;
        while (k < s->n_rulesets && strcmp(s->ruleset_keys[k], key) != 0)
            k++;
        if (k == s->n_rulesets) {
            st = add_ruleset(s, opts, c->cfg, key, NULL, err);
        } else {
            free(key);
        }
        c->ruleset = k;
    }
    return st;
}

/* One ruleset with every rule file of the run, for the printers; falls
 * back to the base ruleset when they do not fit together. */
static void build_described(kl_setup *s, const kl_cli_options *opts)
{
    s->described = s->n_rulesets > 0 ? s->rulesets[0] : NULL;
    if (s->n_rulesets < 2)
        return;
    kl_ruleset *rs;
    if (kl_ruleset_new(&rs) < 0)
        return;
    int rc = kl_ruleset_add_builtin(rs);
    for (size_t i = 0; rc == KL_OK && i < opts->n_rules; i++)
        rc = kl_ruleset_add_path(rs, opts->rules[i]);
    for (size_t k = 1; rc == KL_OK && k < s->n_rulesets; k++) {
        /* Each rule file once, however many configurations name it. */
        const char *line = s->ruleset_keys[k];
        while (rc == KL_OK && *line != '\0') {
            const char *end = strchr(line, '\n');
            size_t len = (size_t)(end - line);
            bool seen = false;
            for (size_t j = 1; j < k && !seen; j++) {
                for (const char *q = s->ruleset_keys[j]; *q != '\0' && !seen;) {
                    const char *qe = strchr(q, '\n');
                    seen = (size_t)(qe - q) == len && memcmp(q, line, len) == 0;
                    q = qe + 1;
                }
            }
            if (!seen) {
                char *path = strndup(line, len);
                rc = path ? kl_ruleset_add_path(rs, path) : KL_ENOMEM;
                free(path);
            }
            line = end + 1;
        }
    }
    if (rc == KL_OK)
        rc = kl_ruleset_finish(rs, NULL, NULL);
    if (rc != KL_OK) {
        kl_ruleset_free(rs);
        return;
    }
    s->described = rs;
    s->described_owned = true;
}

const kl_ruleset *kl_setup_rules(const kl_setup *s)
{
    return s->described;
}

/* ---- Baseline ------------------------------------------------------------------ */

static int load_baseline(kl_setup *s, const kl_cli_options *opts, FILE *err)
{
    if (opts->generate_baseline != NULL) {
        int rc = kl_baseline_new(&s->baseline, opts->generate_baseline);
        return rc < 0 ? internal(err, rc) : KL_EXIT_CLEAN;
    }
    if (opts->baseline == NULL)
        return KL_EXIT_CLEAN;
    kl_diags *problems;
    if (kl_diags_new(&problems) < 0)
        return internal(err, KL_ENOMEM);
    int st = KL_EXIT_CLEAN;
    int rc = kl_baseline_load(&s->baseline, opts->baseline, &s->baseline_src, problems);
    if (rc == KL_EUSAGE) {
        print_problems(err, s->baseline_src, problems);
        fprintf(err, "klint: the baseline '%s' has errors; nothing was linted\n", opts->baseline);
        st = KL_EXIT_USAGE;
    } else if (rc == KL_EIO) {
        fprintf(err, "klint: cannot read the baseline '%s': %s\n", opts->baseline, strerror(errno));
        st = KL_EXIT_USAGE;
    } else if (rc < 0) {
        st = internal(err, rc);
    }
    kl_diags_free(problems);
    return st;
}

/* ---- The whole setup ------------------------------------------------------------- */

/* The file name configurations and baselines see for a job. */
static const char *job_file(const kl_cli_job *job)
{
    return job->name;
}

int kl_setup_load(kl_setup *s, const kl_cli_options *opts, kl_cli_job *jobs, size_t n_jobs,
                  kl_setup_early *early, FILE *err)
{
    memset(s, 0, sizeof(*s));
    int status = KL_EXIT_CLEAN;

    /* 1. Find and load every configuration an input needs. */
    long baseline_config = -1;
    long *which = calloc(n_jobs ? n_jobs : 1, sizeof(*which));
    if (which == NULL)
        return internal(err, KL_ENOMEM);
    for (size_t i = 0; i < n_jobs; i++)
        which[i] = -1;
    if (!opts->no_config) {
        long forced = -1;
        if (opts->config != NULL && (forced = config_index(s, opts->config, err, &status)) < 0) {
            free(which);
            return internal(err, KL_ENOMEM);
        }
        dir_cache dc = {NULL, NULL, 0};
        int rc = KL_OK;
        for (size_t i = 0; rc == KL_OK && i < n_jobs; i++) {
            if (jobs[i].error != 0)
                continue;
            if (opts->config != NULL)
                which[i] = forced;
            else
                rc = discover(s, &dc, job_file(&jobs[i]), err, &status, &which[i]);
        }
        /* The baseline file's own configuration, for its baseline-unmatched findings. */
        if (rc == KL_OK && opts->baseline != NULL) {
            if (opts->config != NULL)
                baseline_config = forced;
            else
                rc = discover(s, &dc, opts->baseline, err, &status, &baseline_config);
        }
        dir_cache_free(&dc);
        if (rc < 0) {
            free(which);
            return internal(err, rc);
        }
    }
    if (status != KL_EXIT_CLEAN) {
        free(which);
        return status;
    }

    /* 2. The rulesets, then the configurations checked against theirs. With --syntax-only
     * no rule runs, but a profile named by --profile or a configuration must exist. */
    if (!opts->syntax_only || s->n_configs > 0 || opts->profile != NULL)
        status = build_rulesets(s, opts, early, err);
    bool rulesets_built = status == KL_EXIT_CLEAN;
    for (size_t i = 0; rulesets_built && status != KL_EXIT_INTERNAL && i < s->n_configs; i++) {
        kl_setup_config *c = &s->configs[i];
        kl_diags *problems;
        if (kl_diags_new(&problems) < 0) {
            status = internal(err, KL_ENOMEM);
            break;
        }
        int rc = kl_config_check(c->cfg, s->rulesets[c->ruleset], problems);
        if (rc == KL_EUSAGE) {
            print_problems(err, c->src, problems);
            fprintf(err, "klint: the configuration '%s' has errors; nothing was linted\n", c->path);
            status = KL_EXIT_USAGE;
        } else if (rc < 0) {
            status = internal(err, rc);
        }
        kl_diags_free(problems);
        /* Go on: every configuration's problems are worth seeing at once. */
    }
    if (status == KL_EXIT_CLEAN)
        status = load_baseline(s, opts, err);
    if (status != KL_EXIT_CLEAN) {
        free(which);
        return status;
    }
    build_described(s, opts);
    if (baseline_config >= 0)
        s->baseline_config = s->configs[baseline_config].cfg;

    /* 3. Each input's configuration, ruleset, profile and relative names. */
    for (size_t i = 0; i < n_jobs; i++) {
        kl_cli_job *job = &jobs[i];
        job->profile = opts->profile;
        if (job->error != 0)
            continue;
        if (which[i] >= 0) {
            kl_setup_config *c = &s->configs[which[i]];
            job->config = c->cfg;
            job->ruleset = c->ruleset;
            job->config_rel = kl_config_relative(c->cfg, job_file(job));
            if (job->profile == NULL && job->config_rel != NULL)
                job->profile = kl_config_profile_for(c->cfg, job->config_rel);
        }
        if (s->baseline != NULL) {
            job->baseline_rel = kl_baseline_relative(s->baseline, job_file(job));
            if (job->baseline_rel == NULL) {
                status = internal(err, KL_ENOMEM);
                break;
            }
        }
    }
    free(which);
    return status;
}

void kl_setup_dispose(kl_setup *s)
{
    for (size_t i = 0; i < s->n_configs; i++) {
        kl_config_free(s->configs[i].cfg);
        kl_source_free(s->configs[i].src);
        free(s->configs[i].path);
        free(s->configs[i].key);
    }
    free(s->configs);
    kl_baseline_free(s->baseline);
    kl_source_free(s->baseline_src);
    if (s->described_owned)
        kl_ruleset_free(s->described);
    for (size_t i = 0; i < s->n_rulesets; i++) {
        kl_ruleset_free(s->rulesets[i]);
        free(s->ruleset_keys[i]);
    }
    free(s->rulesets);
    free(s->ruleset_keys);
    memset(s, 0, sizeof(*s));
}
