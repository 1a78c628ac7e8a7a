/*
 * kl_file_replace: the atomic write behind `--fix` and the baseline writer
 * (contract in fix_apply.h).
 *
 * The new text goes to a temporary file next to the target (same directory,
 * so the same file system), which is written in full, fsync'd, given the
 * target's permission bits, and renamed over the target; then the directory
 * is fsync'd so the rename itself is durable. A reader sees the old file or
 * the new one, never a mix, and a crash leaves at worst a stray
 * ".NAME.klint-XXXXXX" beside an intact original.
 *
 * Choices:
 *  - A symbolic link is followed (to the end of a chain of links): the file
 *    it points to is replaced and the link stays a link. Replacing the link
 *    would turn it into a regular file and leave the file it pointed to
 *    unchanged. A link to a file that does not exist creates that file.
 *  - A target that does not exist is created, with the mode any new file
 *    gets (0666 less the umask): the temporary file is created with 0666 and
 *    the kernel applies the umask, so the umask is never read or changed
 *    (umask(2) is process-wide, and klint writes on several threads).
 *  - Only regular files are replaced (anything else: KL_EIO, errno EINVAL).
 *  - The owner and group are carried over where the system allows it; a
 *    refused chown is not an error (a user cannot give a file away), the
 *    permission bits are always carried over.
 *  - Hard links to the original keep the old text: the rename gives the
 *    name a new inode, as every atomic-replace tool does.
 *  - Once the rename is done, only the directory fsync can fail; the new
 *    text is then in place but its durability unknown, and KL_EIO is
 *    returned. A file system that cannot fsync a directory (EINVAL) is not
 *    an error.
 */
#define _XOPEN_SOURCE 700 /* readlink, O_CLOEXEC */

#include "fix_apply.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Temporary name suffix (six characters replace the X's); a longer base name falls back to a
 * short one. */
#define TMP_SUFFIX ".klint-XXXXXX"
enum { MAX_BASE_IN_TMP = 200, MAX_LINKS = 40, TMP_TRIES = 100 };

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        size_t chunk = len < ((size_t)1 << 30) ? len : (size_t)1 << 30; /* below SSIZE_MAX */
        ssize_t n = write(fd, data, chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EIO;
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* "DIR/.BASE.klint-XXXXXX" for the file `target` (malloc'd). */
static char *temp_name(const char *target)
{
    const char *slash = strrchr(target, '/');
    const char *base = slash ? slash + 1 : target;
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    size_t base_len = strlen(base);
    if (base_len > MAX_BASE_IN_TMP)
        base_len = 0;
    char *tmp = malloc(dir_len + 1 + base_len + sizeof(TMP_SUFFIX));
    if (tmp == NULL)
        return NULL;
    memcpy(tmp, target, dir_len);
    tmp[dir_len] = '.';
    memcpy(tmp + dir_len + 1, base, base_len);
    memcpy(tmp + dir_len + 1 + base_len, TMP_SUFFIX, sizeof(TMP_SUFFIX));
    return tmp;
}

/*
 * Create the temporary file `tmp` (its X's replaced) with mode 0666, which the kernel
 * reduces by the umask: mkstemp would make it 0600, and a new file would keep that. The
 * names come from the clock, the process id and the address of a local, so two threads or
 * processes seldom try the same one, and O_EXCL settles it when they do.
 */
static int open_temp(char *tmp)
{
    char *x = tmp + strlen(tmp) - 6;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
                    ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&ts;
    static const char digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (int attempt = 0; attempt < TMP_TRIES; attempt++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u; /* an LCG step */
        uint64_t v = seed >> 16;
        for (int i = 0; i < 6; i++, v /= 62)
            x[i] = digits[v % 62];
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1; /* errno EEXIST */
}

/* fsync the directory holding `target`. */
static bool sync_dir(const char *target)
{
    const char *slash = strrchr(target, '/');
    char *dir = NULL;
    if (slash != NULL) {
        size_t n = slash == target ? 1 : (size_t)(slash - target);
        dir = malloc(n + 1);
        if (dir == NULL)
            return false;
        memcpy(dir, target, n);
        dir[n] = '\0';
    }
    int fd = open(dir ? dir : ".", O_RDONLY | O_DIRECTORY);
    free(dir);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0 || errno == EINVAL;
    int err = errno;
    close(fd);
    errno = err;
    return ok;
}

/*
 * The file `path` names once symbolic links are followed (malloc'd in `*target`); `*st` is
 * its status, or `*exists` false when nothing is there (a link to a missing file names that
 * file). A relative link is resolved against the directory of the link.
 * @return KL_OK, KL_EIO (errno: ELOOP after too many links, or lstat's) or KL_ENOMEM.
 */
static int resolve(const char *path, char **target, struct stat *st, bool *exists)
{
    char *cur = strdup(path);
    if (cur == NULL)
        return KL_ENOMEM;
    for (int links = 0;; links++) {
        if (lstat(cur, st) != 0) {
            if (errno != ENOENT) {
                free(cur);
                return KL_EIO;
            }
            *exists = false;
            *target = cur;
            return KL_OK;
        }
        if (!S_ISLNK(st->st_mode)) {
            *exists = true;
            *target = cur;
            return KL_OK;
        }
        if (links == MAX_LINKS) {
            free(cur);
            errno = ELOOP;
            return KL_EIO;
        }
        size_t cap = st->st_size > 0 ? (size_t)st->st_size + 1 : 256;
        char *dest = malloc(cap);
        ssize_t n = dest ? readlink(cur, dest, cap) : -1;
        if (dest == NULL || n < 0 || (size_t)n >= cap) {
            int err = dest == NULL ? ENOMEM : n < 0 ? errno : ENAMETOOLONG;
            free(dest);
            free(cur);
            errno = err;
            return err == ENOMEM ? KL_ENOMEM : KL_EIO;
        }
        dest[n] = '\0';
        const char *slash = strrchr(cur, '/');
        if (dest[0] != '/' && slash != NULL) {
            /* Relative to the link's directory. */
            size_t dir_len = (size_t)(slash - cur) + 1;
            char *joined = malloc(dir_len + (size_t)n + 1);
            if (joined == NULL) {
                free(dest);
                free(cur);
                return KL_ENOMEM;
            }
            memcpy(joined, cur, dir_len);
            memcpy(joined + dir_len, dest, (size_t)n + 1);
            free(dest);
            dest = joined;
        }
        free(cur);
        cur = dest;
    }
}

int kl_file_replace(const char *path, const char *data, size_t len)
{
    char *target = NULL, *tmp = NULL;
    int fd = -1, rc;
    struct stat st;
    bool exists;

    rc = resolve(path, &target, &st, &exists);
    if (rc != KL_OK)
        return rc;
    rc = KL_EIO;
    if (exists && !S_ISREG(st.st_mode)) {
        errno = EINVAL;
        goto done;
    }
    tmp = temp_name(target);
    if (tmp == NULL) {
        rc = KL_ENOMEM;
        goto done;
    }
    fd = open_temp(tmp);
    if (fd < 0) {
        free(tmp);
        tmp = NULL;
        goto done;
    }
    if (!write_all(fd, data, len))
        goto done;
    if (exists && (st.st_uid != geteuid() || st.st_gid != getegid())) {
        int refused = fchown(fd, st.st_uid, st.st_gid); /* then ours stays */
        (void)refused;
    }
    if ((exists && fchmod(fd, st.st_mode & 07777) != 0) || fsync(fd) != 0)
        goto done;
    int closed = close(fd);
    fd = -1;
    if (closed != 0 || rename(tmp, target) != 0)
        goto done;
    free(tmp);
    tmp = NULL; /* renamed: nothing left to remove */
    rc = sync_dir(target) ? KL_OK : KL_EIO;

done:
    if (rc != KL_OK) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        if (tmp != NULL)
            unlink(tmp);
        errno = err;
    }
    free(tmp);
    free(target);
    return rc;
}
