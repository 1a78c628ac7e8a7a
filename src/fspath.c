/*
 * Lexical path arithmetic. Paths are treated as '/'-separated text; the
 * only system call is getcwd in kl_fspath_cwd.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include "fspath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

char *kl_fspath_cwd(void)
{
    size_t cap = 256;
    for (;;) {
        char *buf = malloc(cap);
        if (buf == NULL)
            return NULL;
        if (getcwd(buf, cap) != NULL)
            return buf;
        free(buf);
        if (errno != ERANGE || cap > (1u << 20))
            return NULL;
        cap *= 2;
    }
}

/* Append the segments of `path` to the normalized absolute path in `b` (at least "/"). */
static void push_segments(kl_buf *b, const char *path)
{
    const char *s = path;
    while (*s != '\0') {
        while (*s == '/')
            s++;
        const char *e = s;
        while (*e != '\0' && *e != '/')
            e++;
        size_t n = (size_t)(e - s);
        if (n == 0 || (n == 1 && s[0] == '.')) {
            /* nothing */
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            if (b->len > 1) {
                const char *base = kl_buf_cstr(b);
                const char *slash = strrchr(base, '/');
                b->len = slash == base ? 1 : (size_t)(slash - base);
                b->ptr[b->len] = '\0';
            }
        } else {
            if (b->len > 1)
                kl_buf_putc(b, '/');
            kl_buf_put(b, s, n);
        }
        s = e;
    }
}

static char *take(kl_buf *b)
{
    if (kl_buf_failed(b)) {
        kl_buf_dispose(b);
        return NULL;
    }
    return b->ptr;
}

char *kl_fspath_absolute(const char *path, const char *cwd)
{
    kl_buf b = KL_BUF_INIT;
    kl_buf_putc(&b, '/');
    if (path[0] != '/')
        push_segments(&b, cwd);
    push_segments(&b, path);
    return take(&b);
}

char *kl_fspath_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    kl_buf b = KL_BUF_INIT;
    if (slash == NULL) {
        kl_buf_putc(&b, '.');
    } else {
        while (slash > path && slash[-1] == '/')
            slash--;
        if (slash == path)
            kl_buf_putc(&b, '/');
        else
            kl_buf_put(&b, path, (size_t)(slash - path));
    }
    return take(&b);
}

char *kl_fspath_join(const char *dir, const char *name)
{
    kl_buf b = KL_BUF_INIT;
    if (name[0] != '/' && strcmp(dir, ".") != 0) {
        kl_buf_puts(&b, dir);
        if (b.len == 0 || b.ptr[b.len - 1] != '/')
            kl_buf_putc(&b, '/');
    }
    kl_buf_puts(&b, name);
    return take(&b);
}

/* Length of the first segment of s (s does not start with '/'). */
static size_t seg_len(const char *s)
{
    const char *slash = strchr(s, '/');
    return slash ? (size_t)(slash - s) : strlen(s);
}

char *kl_fspath_relative(const char *from, const char *to)
{
    /* Skip the common leading segments. */
    const char *f = from + 1, *t = to + 1;
    for (;;) {
        size_t fl = seg_len(f), tl = seg_len(t);
        if (fl == 0 || fl != tl || memcmp(f, t, fl) != 0)
            break;
        f += fl + (f[fl] == '/');
        t += tl + (t[tl] == '/');
    }
    kl_buf b = KL_BUF_INIT;
    while (*f != '\0') {
        size_t fl = seg_len(f);
        kl_buf_puts(&b, b.len ? "/.." : "..");
        f += fl + (f[fl] == '/');
    }
    if (*t != '\0') {
        if (b.len)
            kl_buf_putc(&b, '/');
        kl_buf_puts(&b, t);
    }
    if (b.len == 0)
        kl_buf_putc(&b, '.');
    return take(&b);
}

bool kl_fspath_is_below(const char *rel)
{
    return !(rel[0] == '.' && rel[1] == '.' && (rel[2] == '\0' || rel[2] == '/'));
}

/* ---- Anchors -------------------------------------------------------------- */

void kl_anchor_dispose(kl_anchor *a)
{
    free(a->dir);
    free(a->dir_abs);
    free(a->dir_real);
    free(a->cwd);
    memset(a, 0, sizeof(*a));
}

int kl_anchor_init(kl_anchor *a, const char *file)
{
    memset(a, 0, sizeof(*a));
    a->dir = kl_fspath_dirname(file);
    if (a->dir == NULL)
        goto nomem;
    char *cwd = kl_fspath_cwd();
    if (cwd != NULL) {
        a->cwd = kl_fspath_absolute(cwd, "/");
        free(cwd);
        if (a->cwd == NULL)
            goto nomem;
    }
    if (a->dir[0] == '/' || a->cwd != NULL) {
        a->dir_abs = kl_fspath_absolute(a->dir, a->cwd ? a->cwd : "/");
        if (a->dir_abs == NULL)
            goto nomem;
    }
    a->dir_real = realpath(a->dir, NULL); /* NULL: no physical view (missing, or no memory) */
    return 0;
nomem:
    kl_anchor_dispose(a);
    return -1;
}

/*
 * The physical form of the absolute, normalized `abs`: its deepest existing
 * directory through realpath, the rest (the file's own name at least) kept
 * as written, so a file that does not exist yet still has one.
 */
static char *physical(const char *abs)
{
    size_t cut = strlen(abs);
    char *prefix = malloc(cut + 1);
    if (prefix == NULL)
        return NULL;
    char *out = NULL;
    while (cut > 0 && out == NULL) {
        do
            cut--;
        while (cut > 0 && abs[cut] != '/');
        memcpy(prefix, abs, cut);
        prefix[cut] = '\0';
        char *real = realpath(cut == 0 ? "/" : prefix, NULL);
        if (real == NULL)
            continue;
        kl_buf b = KL_BUF_INIT;
        kl_buf_puts(&b, real);
        kl_buf_puts(&b, abs + cut);
        free(real);
        char *joined = take(&b);
        out = joined ? kl_fspath_absolute(joined, "/") : NULL;
        free(joined);
        if (out == NULL)
            break; /* out of memory */
    }
    free(prefix);
    return out;
}

static bool strictly_below(const char *rel)
{
    return rel != NULL && kl_fspath_is_below(rel) && strcmp(rel, ".") != 0;
}

char *kl_anchor_relative(const kl_anchor *a, const char *path, bool outside_ok)
{
    if (path == NULL || path[0] == '\0')
        return NULL;
    if (path[0] != '/' && a->cwd == NULL)
        return NULL; /* relative to an unknown directory */
    char *abs = kl_fspath_absolute(path, a->cwd ? a->cwd : "/");
    if (abs == NULL)
        return NULL;
    char *lexical = a->dir_abs ? kl_fspath_relative(a->dir_abs, abs) : NULL;
    if (strictly_below(lexical)) {
        free(abs);
        return lexical;
    }
    if (a->dir_real != NULL) {
        char *phys = physical(abs);
        char *rel = phys ? kl_fspath_relative(a->dir_real, phys) : NULL;
        free(phys);
        if (strictly_below(rel)) {
            free(abs);
            free(lexical);
            return rel;
        }
        free(rel);
    }
    free(abs);
    if (outside_ok && lexical != NULL)
        return lexical;
    free(lexical);
    return NULL;
}
