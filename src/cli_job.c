#include "cli_job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fix_apply.h"
#include "jsonl.h"

/* ---- Workers ------------------------------------------------------------- */

int kl_job_worker_init(kl_job_worker *w, const kl_job_env *env)
{
    memset(w, 0, sizeof(*w));
    w->n_linters = env->n_rulesets > 0 ? env->n_rulesets : 1;
    w->linters = calloc(w->n_linters, sizeof(*w->linters));
    if (w->linters == NULL)
        return KL_ENOMEM;
    int rc = kl_diags_new(&w->scratch);
    if (rc < 0)
        kl_job_worker_dispose(w);
    return rc;
}

void kl_job_worker_dispose(kl_job_worker *w)
{
    for (size_t i = 0; w->linters != NULL && i < w->n_linters; i++)
        kl_linter_free(w->linters[i]);
    free(w->linters);
    kl_diags_free(w->scratch);
    memset(w, 0, sizeof(*w));
}

/* The worker's linter for ruleset `index`, made on first use. */
static int linter_for(kl_job_worker *w, const kl_job_env *env, size_t index, kl_linter **out)
{
    if (index >= w->n_linters)
        return KL_EINTERNAL;
    if (w->linters[index] == NULL) {
        kl_lint_options opts = {0};
        opts.syntax_only = env->syntax_only;
        opts.rules = index < env->n_rulesets ? env->rulesets[index] : NULL;
        int rc = kl_linter_new(&w->linters[index], &opts);
        if (rc < 0)
            return rc == KL_EUSAGE ? KL_EINTERNAL : rc;
    }
    *out = w->linters[index];
    return KL_OK;
}

/* ---- Results --------------------------------------------------------------- */

void kl_job_result_dispose(kl_job_result *r)
{
    for (size_t i = 0; i < r->n_docs; i++) {
        kl_source_free(r->docs[i].owned);
        free(r->docs[i].bytes);
    }
    free(r->docs);
    kl_diags_free(r->diags);
    free(r->text);
    memset(r, 0, sizeof(*r));
}

const kl_source *kl_job_doc_source(const kl_job_doc *doc)
{
    return doc->owned != NULL ? doc->owned : &doc->view;
}

int kl_job_collect(void *ctx, const kl_source *src, kl_source **own, const kl_diags *diags)
{
    kl_job_result *r = ctx;
    if (r->diags == NULL && kl_diags_new(&r->diags) < 0)
        return KL_ENOMEM;
    if (r->n_docs == r->cap_docs) {
        size_t grown = r->cap_docs ? r->cap_docs * 2 : 4;
        kl_job_doc *p = realloc(r->docs, grown * sizeof(*p));
        if (p == NULL)
            return KL_ENOMEM;
        r->docs = p;
        r->cap_docs = grown;
    }
    kl_job_doc doc = {0};
    doc.first = kl_diags_count(r->diags);
    if (own != NULL && *own != NULL) {
        doc.owned = *own;
        *own = NULL;
    } else if (src->is_record) {
        /* A record's bytes live in the reader's buffer: keep a copy. */
        doc.bytes = malloc(src->len ? src->len : 1);
        if (doc.bytes == NULL)
            return KL_ENOMEM;
        memcpy(doc.bytes, src->data, src->len);
        kl_source_init_line(&doc.view, src->name, doc.bytes, src->len, src->first_line);
    } else {
        int rc = kl_source_from_memory(&doc.owned, src->name, src->data, src->len);
        if (rc < 0)
            return rc;
    }
    /* From here on the document belongs to the result, even if a copy below fails. */
    r->docs[r->n_docs++] = doc;
    size_t n = kl_diags_count(diags);
    for (size_t i = 0; i < n; i++) {
        int rc = kl_diags_add(r->diags, kl_diags_at(diags, i));
        if (rc < 0)
            return rc;
        r->docs[r->n_docs - 1].count++;
    }
    return KL_OK;
}

/* ---- Linting ------------------------------------------------------------- */

typedef struct job_ctx {
    kl_job_worker *w;
    kl_linter *linter;
    const kl_cli_job *job;
    kl_job_sink sink;
    void *sink_ctx;
    kl_job_result *result;
} job_ctx;

/* Lint one document; hand it to the sink when it has findings. */
static int lint_doc(job_ctx *c, const kl_source *src, kl_source **own)
{
    kl_diags *d = c->w->scratch;
    kl_diags_clear(d);
    int rc = kl_linter_lint_as(c->linter, src, c->job->profile, d);
    if (rc < 0)
        return rc == KL_EUSAGE ? KL_EINTERNAL : rc; /* profiles are checked before linting */
    c->result->records++;
    if (kl_diags_count(d) == 0)
        return KL_OK;
    kl_diags_sort(d);
    return c->sink(c->sink_ctx, src, own, d);
}

/* A JSON Lines input read from `fd`, streamed: each non-blank line is one document. */
static int lint_jsonl_fd(job_ctx *c, int fd)
{
    kl_jsonl_reader reader;
    kl_jsonl_init(&reader, fd, NULL);
    kl_jsonl_record rec;
    int rc = KL_OK;
    for (;;) {
        int got = kl_jsonl_next(&reader, &rec);
        if (got == 0)
            break;
        if (got < 0) {
            /* The records before the problem were linted. */
            if (got == KL_EIO) {
                c->result->problem = KL_JOB_CANNOT_READ;
                c->result->errno_value = errno;
            } else if (got == KL_ETOOBIG) {
                c->result->problem = KL_JOB_LONG_LINE;
            } else {
                rc = got;
            }
            break;
        }
        kl_source src;
        kl_source_init_line(&src, c->job->name, rec.data, (uint32_t)rec.len, rec.line);
        rc = lint_doc(c, &src, NULL);
        if (rc < 0)
            break;
    }
    kl_jsonl_dispose(&reader);
    return rc;
}

static int lint_jsonl_path(job_ctx *c, const char *path)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        c->result->problem = KL_JOB_CANNOT_READ;
        c->result->errno_value = errno;
        return KL_OK;
    }
    c->result->opened = true;
    int rc = lint_jsonl_fd(c, fd);
    if (!is_stdin)
        close(fd);
    return rc;
}

/* Files up to this size are read into a buffer on the stack (then copied to their source). */
#define KL_JOB_SMALL_FILE 16384

/* read_small_file: not a small regular file (or it changed while read). */
enum { NOT_SMALL = 1 };

/*
 * kl_source_read_file for the common case, a small regular file, in four system calls
 * (open, fstat, read, close) rather than six: a read that returns what fstat said the file
 * holds is taken as its end (a read of a regular file is short only at its end; one byte
 * more is asked for, so a file that grew in between is noticed). NOT_SMALL when the path
 * is not such a file, or changed while read: kl_source_read_file then reads it.
 */
static int read_small_file(const kl_cli_job *job, kl_source **out)
{
    const char *name = job->name;
    int fd = job->at != NULL ? openat(job->dir_fd, job->at, O_RDONLY | O_CLOEXEC)
                             : open(job->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return KL_EIO;
    char buf[KL_JOB_SMALL_FILE];
    struct stat st;
    int rc = NOT_SMALL;
    if (fstat(fd, &st) != 0) {
        rc = KL_EIO;
    } else if (S_ISREG(st.st_mode) && st.st_size >= 0 && st.st_size < KL_JOB_SMALL_FILE) {
        size_t size = (size_t)st.st_size, got = 0;
        for (;;) {
            ssize_t n = read(fd, buf + got, size + 1 - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                rc = KL_EIO;
                break;
            }
            got += (size_t)n;
            if (got > size)
                break; /* it grew */
            if (n == 0 || got == size) {
                rc = got == size ? KL_OK : NOT_SMALL; /* or it shrank */
                break;
            }
        }
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return rc == KL_OK ? kl_source_from_memory(out, name, buf, st.st_size) : rc;
}

/* Read the whole input; false (with the problem noted) when it cannot be read. */
static int read_whole(job_ctx *c, kl_source **src)
{
    int rc = c->job->is_stdin ? NOT_SMALL : read_small_file(c->job, src);
    if (rc == NOT_SMALL)
        rc = kl_source_read_file(src, c->job->path, c->job->name);
    if (rc == KL_EIO) {
        c->result->problem = KL_JOB_CANNOT_READ;
        c->result->errno_value = errno;
        return KL_OK;
    }
    if (rc == KL_ETOOBIG) {
        c->result->problem = KL_JOB_TOO_BIG;
        return KL_OK;
    }
    if (rc == KL_OK)
        c->result->opened = true;
    return rc;
}

/* Lint a whole-file source; the source is the sink's to keep, else freed here. */
static int lint_owned(job_ctx *c, kl_source *src)
{
    int rc = lint_doc(c, src, &src);
    kl_source_free(src);
    return rc;
}

/* JSON Lines text held in memory (fixed stdin), through the same reader as files. */
static int lint_jsonl_memory(job_ctx *c, const char *data, size_t len)
{
    FILE *tmp = tmpfile();
    if (tmp == NULL)
        return KL_EIO;
    int rc = KL_OK;
    if (fwrite(data, 1, len, tmp) != len || fflush(tmp) != 0 ||
        lseek(fileno(tmp), 0, SEEK_SET) != 0)
        rc = KL_EIO;
    if (rc == KL_OK)
        rc = lint_jsonl_fd(c, fileno(tmp));
    fclose(tmp);
    return rc;
}

/* --fix and --diff: fix only what the configuration keeps. */
static bool keep_fix(void *ctx, const kl_diag *d)
{
    const kl_cli_job *job = ctx;
    if (job->config == NULL)
        return true;
    return kl_config_judge(job->config, job->config_rel, d->rule, d->path, d->severity).keep;
}

static int run_fix(job_ctx *c, kl_cli_fix mode, bool unsafe)
{
    const kl_cli_job *job = c->job;
    kl_job_result *result = c->result;
    kl_source *src = NULL;
    int rc = read_whole(c, &src);
    if (rc < 0 || src == NULL)
        return rc;

    char *fixed = NULL;
    size_t fixed_len = 0;
    rc = kl_fix_document(c->linter, job->profile, src, job->jsonl, unsafe, keep_fix, (void *)job,
                         &fixed, &fixed_len, &result->fixes);
    if (rc < 0)
        goto done;
    result->changed = fixed != NULL;

    if (mode == KL_CLI_FIX_DIFF) {
        if (fixed != NULL) {
            FILE *f = open_memstream(&result->text, &result->text_len);
            if (f == NULL) {
                rc = KL_ENOMEM;
                goto done;
            }
            rc = kl_diff_unified(f, job->name, src->data, src->len, fixed, fixed_len);
            if (fclose(f) != 0 && rc == KL_OK)
                rc = KL_ENOMEM;
        }
        goto done;
    }

    /* --fix: write the result, then report what is left in it. */
    if (job->is_stdin) {
        if (fixed == NULL) {
            fixed = malloc(src->len + 1);
            if (fixed == NULL) {
                rc = KL_ENOMEM;
                goto done;
            }
            memcpy(fixed, src->data, src->len);
            fixed_len = src->len;
        }
        result->text = fixed;
        result->text_len = fixed_len;
        if (job->jsonl) {
            rc = lint_jsonl_memory(c, fixed, fixed_len);
        } else {
            kl_source *left;
            rc = kl_source_from_memory(&left, job->name, fixed, fixed_len);
            if (rc == KL_OK)
                rc = lint_owned(c, left);
        }
        fixed = NULL; /* the result owns it */
        goto done;
    }
    if (fixed != NULL && kl_file_replace(job->path, fixed, fixed_len) != KL_OK) {
        result->problem = KL_JOB_CANNOT_WRITE;
        result->errno_value = errno;
        result->changed = false;
        free(fixed);
        fixed = NULL; /* report what the unchanged file holds */
    }
    if (job->jsonl) {
        rc = lint_jsonl_path(c, job->path); /* the file as it is now */
    } else if (fixed != NULL) {
        kl_source *left;
        rc = kl_source_from_memory(&left, job->name, fixed, fixed_len);
        if (rc == KL_OK)
            rc = lint_owned(c, left);
    } else {
        rc = lint_owned(c, src);
        src = NULL;
    }
done:
    free(fixed);
    kl_source_free(src);
    return rc;
}

int kl_job_run(kl_job_worker *w, const kl_job_env *env, const kl_cli_job *job, kl_job_sink sink,
               void *sink_ctx, kl_job_result *result)
{
    job_ctx c = {w, NULL, job, sink, sink_ctx, result};
    int rc = linter_for(w, env, job->ruleset, &c.linter);
    if (rc < 0)
        return rc;
    if (env->fix != KL_CLI_FIX_NONE)
        return run_fix(&c, env->fix, env->unsafe_fixes);
    if (job->jsonl)
        return lint_jsonl_path(&c, job->path);
    kl_source *src = NULL;
    rc = read_whole(&c, &src);
    if (rc < 0 || src == NULL)
        return rc;
    return lint_owned(&c, src);
}
