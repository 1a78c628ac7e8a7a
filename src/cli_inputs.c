#define _DEFAULT_SOURCE /* d_type and DT_* in struct dirent, where the system has them */

#include "cli_inputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fspath.h"
#include "glob.h"
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

/* What a directory entry is, from readdir when the file system says (no stat
 * needed), stored as the first byte of each listed name. */
enum { KIND_DIR = 'd', KIND_FILE = 'f', KIND_LINK = 'l', KIND_OTHER = 'o', KIND_UNKNOWN = '?' };

static char entry_kind(const struct dirent *e)
{
#ifdef DT_DIR
    switch (e->d_type) {
    case DT_DIR:
        return KIND_DIR;
    case DT_REG:
        return KIND_FILE;
    case DT_LNK:
        return KIND_LINK;
    case DT_UNKNOWN:
        return KIND_UNKNOWN;
    default:
        return KIND_OTHER;
    }
#else
    (void)e;
    return KIND_UNKNOWN;
#endif
}

/* Folders kept open so that their files are opened by name in them (a lookup of one
 * component rather than the whole path); past this many, files are opened by path. */
#define KL_INPUTS_MAX_DIR_FDS 64

/* The visible entries of `dir`, each as its kind byte followed by its name (unsorted: the
 * run sorts every path); *out_names is NULL when there are none. *out_fd is `dir` opened
 * again when `want_fd` (-1 if not, or when that failed). */
static int list_dir(const char *dir, bool want_fd, char ***out_names, size_t *out_n, int *out_errno,
                    int *out_fd)
{
    *out_fd = -1;
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
        size_t len = strlen(e->d_name);
        names[n] = malloc(len + 2);
        if (names[n] == NULL) {
            rc = KL_ENOMEM;
            break;
        }
        names[n][0] = entry_kind(e);
        memcpy(names[n] + 1, e->d_name, len + 1);
        n++;
    }
    if (rc == KL_OK && want_fd)
        *out_fd = fcntl(dirfd(d), F_DUPFD_CLOEXEC, 0);
    closedir(d);

    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return rc;
    }
    *out_names = names;
    *out_n = n;
    return KL_OK;
}

/* ---- Exclusion ------------------------------------------------------------ */

/* Does glob `pattern` (without '/') match a component of `path`? Each
 * component is tried as the last one of a prefix, which kl_glob_match
 * compares by name. `path` is modified while matching and restored. */
static bool matches_component(const char *pattern, char *path)
{
    for (char *p = path;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        const char *name = strrchr(path, '/');
        name = name ? name + 1 : path;
        bool hit = strcmp(name, "") != 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
                   kl_glob_match(pattern, path);
        *p = saved;
        if (hit || saved == '\0')
            return hit;
    }
}

bool kl_inputs_excluded(const char *const *exclude, size_t n_exclude, const char *cwd,
                        const char *path)
{
    if (n_exclude == 0)
        return false;
    /* The path relative to the current directory, when it is below it. */
    char *rel = NULL;
    if (cwd != NULL) {
        char *abs = kl_fspath_absolute(path, cwd);
        rel = abs ? kl_fspath_relative(cwd, abs) : NULL;
        free(abs);
        if (rel != NULL && (!kl_fspath_is_below(rel) || strcmp(rel, ".") == 0)) {
            free(rel);
            rel = NULL;
        }
    }
    char *parts = strdup(rel ? rel : path);
    bool hit = false;
    for (size_t i = 0; i < n_exclude && !hit; i++) {
        if (rel != NULL && kl_glob_match(exclude[i], rel))
            hit = true;
        else if (parts != NULL && strchr(exclude[i], '/') == NULL)
            hit = matches_component(exclude[i], parts);
    }
    free(parts);
    free(rel);
    return hit;
}

/* ---- Collecting ------------------------------------------------------------- */

typedef struct collector {
    kl_input_list list;
    size_t cap;
    const char *const *exclude;
    size_t n_exclude;
    const char *cwd;
} collector;

/* Add `path` (malloc'd; the list takes it, or frees it when excluded), found as entry
 * path + base of the open folder dir_fd (-1: none). */
static int add_in(collector *c, char *path, int error, int dir_fd, size_t base)
{
    if (kl_inputs_excluded(c->exclude, c->n_exclude, c->cwd, path)) {
        free(path);
        return KL_OK;
    }
    if (c->list.n == c->cap) {
        size_t grown = c->cap ? c->cap * 2 : 64;
        kl_input *p = realloc(c->list.items, grown * sizeof(*p));
        if (p == NULL) {
            free(path);
            return KL_ENOMEM;
        }
        c->list.items = p;
        c->cap = grown;
    }
    c->list.items[c->list.n++] = (kl_input){path, error, dir_fd, base};
    return KL_OK;
}

static int add_owned(collector *c, char *path, int error)
{
    return add_in(c, path, error, -1, 0);
}

static int add(collector *c, const char *path, int error)
{
    char *copy = strdup(path);
    return copy != NULL ? add_owned(c, copy, error) : KL_ENOMEM;
}

static int walk_dir(collector *c, const char *dir)
{
    char **names;
    size_t n;
    int err, fd;
    bool want_fd = c->list.n_dir_fds < KL_INPUTS_MAX_DIR_FDS;
    int rc = list_dir(dir, want_fd, &names, &n, &err, &fd);
    if (rc == KL_EIO)
        return add(c, dir, err);
    if (rc < 0)
        return rc;
    if (fd >= 0)
        c->list.dir_fds[c->list.n_dir_fds++] = fd;
    size_t base = strlen(dir);
    base += base > 0 && dir[base - 1] != '/'; /* as join puts them together */

    for (size_t i = 0; i < n && rc == KL_OK; i++) {
        char kind = names[i][0];
        const char *name = names[i] + 1;
        if (kind != KIND_DIR && kind != KIND_UNKNOWN && !kl_inputs_is_lintable(name))
            continue; /* no stat for files that are not ours */
        char *path = join(dir, name);
        if (path == NULL) {
            rc = KL_ENOMEM;
            break;
        }
        struct stat st;
        if (kind == KIND_UNKNOWN) {
            if (lstat(path, &st) != 0) {
                rc = add_owned(c, path, errno); /* vanished or unreadable since the listing */
                continue;
            }
            kind = S_ISDIR(st.st_mode)   ? KIND_DIR
                   : S_ISREG(st.st_mode) ? KIND_FILE
                   : S_ISLNK(st.st_mode) ? KIND_LINK
                                         : KIND_OTHER;
        }
        if (kind == KIND_DIR) {
            if (!kl_inputs_excluded(c->exclude, c->n_exclude, c->cwd, path))
                rc = walk_dir(c, path);
        } else if (kl_inputs_is_lintable(name)) {
            /* A regular file, or a link that leads to one (never to a directory). */
            if (kind == KIND_FILE ||
                (kind == KIND_LINK && stat(path, &st) == 0 && S_ISREG(st.st_mode))) {
                rc = add_in(c, path, 0, fd, base);
                continue;
            }
        }
        free(path);
    }
    for (size_t j = 0; j < n; j++)
        free(names[j]);
    free(names);
    return rc;
}

static int compare_inputs(const void *a, const void *b)
{
    return strcmp(((const kl_input *)a)->path, ((const kl_input *)b)->path);
}

int kl_inputs_collect(const char *const *paths, size_t n_paths, const char *const *exclude,
                      size_t n_exclude, kl_input_list *out)
{
    collector c = {{NULL, 0, NULL, 0}, 0, exclude, n_exclude, NULL};
    c.list.dir_fds = malloc(KL_INPUTS_MAX_DIR_FDS * sizeof(*c.list.dir_fds));
    if (c.list.dir_fds == NULL) {
        *out = c.list;
        return KL_ENOMEM;
    }
    char *cwd = n_exclude > 0 ? kl_fspath_cwd() : NULL;
    c.cwd = cwd;
    int rc = KL_OK;
    for (size_t i = 0; i < n_paths && rc == KL_OK; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0)
            rc = add(&c, paths[i], errno);
        else if (!S_ISDIR(st.st_mode))
            rc = add(&c, paths[i], 0);
        else if (!kl_inputs_excluded(exclude, n_exclude, cwd, paths[i]))
            rc = walk_dir(&c, paths[i]);
    }
    free(cwd);
    if (rc < 0) {
        kl_inputs_list_free(&c.list);
        *out = c.list;
        return rc;
    }

    /* One order for the run; a file reached twice is linted once. */
    kl_input *items = c.list.items;
    size_t n = c.list.n;
    if (n > 1)
        qsort(items, n, sizeof(*items), compare_inputs);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept > 0 && strcmp(items[kept - 1].path, items[i].path) == 0)
            free(items[i].path);
        else
            items[kept++] = items[i];
    }
    c.list.n = kept;
    *out = c.list;
    return KL_OK;
}

void kl_inputs_list_free(kl_input_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i].path);
    free(list->items);
    list->items = NULL;
    list->n = 0;
    for (size_t i = 0; i < list->n_dir_fds; i++)
        close(list->dir_fds[i]);
    free(list->dir_fds);
    list->dir_fds = NULL;
    list->n_dir_fds = 0;
}
