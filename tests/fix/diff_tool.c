/*
 * diff_tool OLD NEW [NAME]: print kl_diff_unified's diff turning the file
 * OLD into the file NEW (NAME in the headers; default: OLD), for
 * diff_patch.sh to check against GNU patch and diff.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fix_apply.h"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (grown == NULL)
                free(buf);
            buf = grown;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: diff_tool OLD NEW [NAME]\n");
        return 2;
    }
    size_t old_len, new_len;
    char *old = read_all(argv[1], &old_len), *new_text = read_all(argv[2], &new_len);
    if (old == NULL || new_text == NULL) {
        fprintf(stderr, "diff_tool: cannot read the inputs\n");
        return 2;
    }
    int rc = kl_diff_unified(stdout, argc > 3 ? argv[3] : argv[1], old, old_len, new_text, new_len);
    free(old);
    free(new_text);
    return rc == KL_OK ? 0 : 1;
}
