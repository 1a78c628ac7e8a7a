#include "cli_outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

typedef struct output {
    kl_printer *printer;
    FILE *stream;
    const char *path; /* FILE; NULL for the terminal report */
    char *tmp;        /* the temporary file renamed to FILE at the end; NULL: written directly */
    bool failed;      /* a write failed: reported, and the file will not be kept */
    bool ended;       /* the report is complete */
} output;

struct kl_outputs {
    output *v;
    size_t n;
    FILE *err;
};

/* Say once per report that it could not be written; `error` is the errno of the failure. */
static int write_failed(kl_outputs *o, output *x, int error)
{
    if (error == 0)
        error = EIO;
    if (!x->failed) {
        x->failed = true;
        if (x->path == NULL)
            fprintf(o->err, "klint: cannot write the report: %s\n", strerror(error));
        else
            fprintf(o->err, "klint: cannot write '%s': %s\n", x->path, strerror(error));
    }
    return KL_EIO;
}

/* "DIR/.NAME.klint-PID-N": hidden, so a directory search never picks it up. */
static char *temp_name(const char *path, unsigned attempt)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    kl_buf b = KL_BUF_INIT;
    kl_buf_put(&b, path, dir_len);
    kl_buf_printf(&b, ".%s.klint-%ld-%u", path + dir_len, (long)getpid(), attempt);
    if (kl_buf_failed(&b)) {
        kl_buf_dispose(&b);
        return NULL;
    }
    return b.ptr;
}

static int open_file(output *x, const char *path)
{
    x->path = path;
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        x->stream = fopen(path, "w");
        return x->stream ? KL_OK : KL_EIO;
    }
    int fd = -1;
    for (unsigned attempt = 0; fd < 0 && attempt < 100; attempt++) {
        free(x->tmp);
        x->tmp = temp_name(path, attempt);
        if (x->tmp == NULL)
            return KL_ENOMEM;
        fd = open(x->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        free(x->tmp);
        x->tmp = NULL;
        return KL_EIO;
    }
    if (exists)
        (void)fchmod(fd, st.st_mode & 07777);
    x->stream = fdopen(fd, "w");
    if (x->stream == NULL) {
        int e = errno;
        close(fd);
        unlink(x->tmp);
        errno = e;
        return KL_EIO;
    }
    return KL_OK;
}

/* Close report file `x` without keeping it. */
static void discard(output *x)
{
    if (x->stream != NULL)
        fclose(x->stream);
    x->stream = NULL;
    if (x->tmp != NULL)
        unlink(x->tmp);
}

static void free_outputs(kl_outputs *o)
{
    for (size_t i = 0; i < o->n; i++) {
        kl_printer_free(o->v[i].printer);
        free(o->v[i].tmp);
    }
    free(o->v);
    free(o);
}

int kl_outputs_open(kl_outputs **out, const char *format, FILE *term, bool color,
                    const kl_cli_output *files, size_t n_files, const kl_ruleset *rules, FILE *err)
{
    *out = NULL;
    kl_outputs *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return KL_ENOMEM;
    o->err = err;
    o->v = calloc(n_files + 1, sizeof(*o->v));
    if (o->v == NULL) {
        free(o);
        return KL_ENOMEM;
    }
    o->n = n_files + 1;
    o->v[0].stream = term;

    int rc = KL_OK;
    for (size_t i = 1; i < o->n && rc == KL_OK; i++) {
        rc = open_file(&o->v[i], files[i - 1].path);
        if (rc == KL_EIO)
            fprintf(err, "klint: cannot write '%s': %s\n", files[i - 1].path, strerror(errno));
    }
    for (size_t i = 0; i < o->n && rc == KL_OK; i++) {
        kl_print_options popts = {0};
        popts.color = i == 0 && color;
        rc = kl_printer_new(&o->v[i].printer, i == 0 ? format : files[i - 1].format, o->v[i].stream,
                            &popts);
        if (rc == KL_EIO)
            write_failed(o, &o->v[i], errno);
        else if (rc == KL_OK)
            kl_printer_set_rules(o->v[i].printer, rules);
    }
    if (rc < 0) {
        for (size_t i = 1; i < o->n; i++)
            discard(&o->v[i]);
        free_outputs(o);
        return rc == KL_EUSAGE ? KL_EINTERNAL : rc;
    }
    *out = o;
    return KL_OK;
}

int kl_outputs_diag(kl_outputs *o, const kl_source *src, const kl_diag *d)
{
    int rc = KL_OK;
    for (size_t i = 0; i < o->n; i++) {
        output *x = &o->v[i];
        if (!x->failed && kl_printer_diag(x->printer, src, d) < 0)
            rc = write_failed(o, x, errno);
    }
    return rc;
}

int kl_outputs_file(kl_outputs *o, const char *name, size_t n_diags)
{
    int rc = KL_OK;
    for (size_t i = 0; i < o->n; i++) {
        output *x = &o->v[i];
        if (!x->failed && kl_printer_file(x->printer, name, n_diags) < 0)
            rc = write_failed(o, x, errno);
    }
    return rc;
}

int kl_outputs_end(kl_outputs *o, const kl_summary *summary)
{
    int rc = KL_OK;
    for (size_t i = 0; i < o->n; i++) {
        output *x = &o->v[i];
        if (x->failed)
            continue;
        if (kl_printer_end(x->printer, summary) < 0)
            rc = write_failed(o, x, errno);
        else
            x->ended = true;
    }
    return rc;
}

int kl_outputs_close(kl_outputs *o)
{
    if (o == NULL)
        return KL_OK;
    int rc = KL_OK;
    output *term = &o->v[0];
    errno = 0;
    if (!term->failed && (fflush(term->stream) != 0 || ferror(term->stream)))
        rc = write_failed(o, term, errno);
    for (size_t i = 1; i < o->n; i++) {
        output *x = &o->v[i];
        if (x->failed || !x->ended) {
            discard(x);
            rc = x->failed ? KL_EIO : rc;
            continue;
        }
        int e = 0;
        errno = 0;
        if (fflush(x->stream) != 0 || ferror(x->stream) ||
            (x->tmp != NULL && fsync(fileno(x->stream)) != 0))
            e = errno ? errno : EIO;
        if (fclose(x->stream) != 0 && e == 0)
            e = errno ? errno : EIO;
        x->stream = NULL;
        if (e == 0 && x->tmp != NULL && rename(x->tmp, x->path) != 0)
            e = errno;
        if (e != 0) {
            rc = write_failed(o, x, e);
            if (x->tmp != NULL)
                unlink(x->tmp);
        }
    }
    free_outputs(o);
    return rc;
}
