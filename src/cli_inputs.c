#include "cli_inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "klint/common.h"

/* The file names a directory search picks up, and which of them are JSON Lines. */
static const struct {
    const char *suffix;
    bool jsonl;
} extensions[] = {
    {".json", false},
    {".jsonl", true},
    {".ndjson", true},
};

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n >= s && memcmp(name + n - s, suffix, s) == 0;
}

bool kl_inputs_is_lintable(const char *name)
{
    for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
        if (has_suffix(name, extensions[i].suffix))
            return true;
    }
    return false;
}

bool kl_inputs_is_jsonl(const char *name)
{
    for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
        if (extensions[i].jsonl && has_suffix(name, extensions[i].suffix))
            return true;
    }
    return false;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "dir" + "/" + "name", without doubling a '/' the user already typed. */
static char *join(const char *dir, const char *name)
{
    size_t d = strlen(dir), n = strlen(name);
    bool slash = d > 0 && dir[d - 1] != '/';
    char *p = malloc(d + slash + n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, dir, d);
    if (slash)
        p[d] = '/';
    memcpy(p + d + slash, name, n + 1);
    return p;
}

/* The visible entry names of `dir`, sorted; *out_names is NULL when there are none. */
static int list_dir(const char *dir, char ***out_names, size_t *out_n, int *out_errno)
{
    *out_names = NULL;
    *out_n = 0;
    *out_errno = 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = KL_OK;

    DIR *d = opendir(dir);
    if (d == NULL) {
        *out_errno = errno;
        return KL_EIO;
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (e == NULL) {
            if (errno != 0) {
                *out_errno = errno;
                rc = KL_EIO;
            }
            break;
        }
        if (e->d_name[0] == '.') /* ".", "..", and hidden entries */
            continue;
        if (n == cap) {
            size_t grown = cap ? cap * 2 : 16;
            char **p = realloc(names, grown * sizeof(*p));
            if (p == NULL) {
                rc = KL_ENOMEM;
                break;
            }
            names = p;
            cap = grown;
        }
        names[n] = strdup(e->d_name);
        if (names[n] == NULL) {
            rc = KL_ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);

    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return rc;
    }
    if (n > 1)
        qsort(names, n, sizeof(*names), compare_names);
    *out_names = names;
    *out_n = n;
    return KL_OK;
}

static int walk_dir(const char *dir, kl_input_fn fn, void *ctx)
{
    char **names;
    size_t n;
    int err;
    int rc = list_dir(dir, &names, &n, &err);
    if (rc == KL_EIO)
        return fn(ctx, dir, err);
    if (rc < 0)
        return rc;

    size_t i = 0;
    for (; i < n && rc == KL_OK; i++) {
        char *path = join(dir, names[i]);
        if (path == NULL) {
            rc = KL_ENOMEM;
            break;
        }
        struct stat st;
        if (lstat(path, &st) != 0) {
            rc = fn(ctx, path, errno); /* vanished or unreadable since the listing */
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(path, fn, ctx);
        } else if (kl_inputs_is_lintable(names[i])) {
            /* A regular file, or a link that leads to one (never to a directory). */
            if (S_ISREG(st.st_mode) ||
                (S_ISLNK(st.st_mode) && stat(path, &st) == 0 && S_ISREG(st.st_mode)))
                rc = fn(ctx, path, 0);
        }
        free(path);
    }
    for (size_t j = 0; j < n; j++)
        free(names[j]);
    free(names);
    return rc;
}

int kl_inputs_walk(const char *path, kl_input_fn fn, void *ctx)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return fn(ctx, path, errno);
    if (S_ISDIR(st.st_mode))
        return walk_dir(path, fn, ctx);
    return fn(ctx, path, 0);
}
