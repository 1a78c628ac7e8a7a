/*
 * Loader throughput: kl_doc_parse over every line of a JSON Lines file,
 * as `klint --syntax-only` does (no_tree) and as a lint does (full tree).
 *
 *   bench_load [--runs N] [--mode tree|no_tree|both] [FILE]
 *
 * FILE defaults to $KLINT_BENCH_CORPUS. The file is read into memory first,
 * so the figure is the parser's alone (no I/O). Each mode is run N times
 * (default 5) and the median is reported in MB/s (MB = 10^6 bytes) over
 * the bytes of the lines, newlines included. Exit status 77 (skip) when no
 * corpus is given or it does not exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "klint.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 20;
    size_t n = 0;
    char *data = malloc(cap);
    while (data != NULL) {
        n += fread(data + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *bigger = realloc(data, cap * 2);
        if (bigger == NULL) {
            free(data);
            data = NULL;
            break;
        }
        data = bigger;
        cap *= 2;
    }
    if (data != NULL && ferror(f)) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *len = n;
    return data;
}

typedef struct result {
    size_t records;
    size_t rejected; /* records with an error-severity diagnostic */
} result;

/* One pass over every line; returns false when klint could not run. */
static bool run_once(const char *data, size_t len, bool no_tree, result *res)
{
    kl_json_options opts = {0};
    opts.no_tree = no_tree;
    kl_doc *doc = NULL;
    kl_diags *diags = NULL;
    bool ok = kl_doc_new(&doc, &opts) == KL_OK && kl_diags_new(&diags) == KL_OK;
    res->records = 0;
    res->rejected = 0;
    const char *p = data;
    const char *end = data + len;
    uint32_t line = 1;
    while (ok && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        if (stop > p) {
            kl_source src;
            kl_source_init_line(&src, "bench", p, (uint32_t)(stop - p), line);
            ok = kl_doc_parse(doc, &src, diags) == KL_OK;
            res->records++;
            if (kl_diags_count_severity(diags, KL_SEV_ERROR) > 0)
                res->rejected++;
            kl_diags_clear(diags);
        }
        p = stop + 1;
        line++;
    }
    kl_diags_free(diags);
    kl_doc_free(doc);
    return ok;
}

static int bench_mode(const char *data, size_t len, bool no_tree, int runs)
{
    double *mbps = calloc((size_t)runs, sizeof(*mbps));
    if (mbps == NULL)
        return 3;
    result res = {0};
    for (int i = 0; i < runs; i++) {
        double t0 = now_seconds();
        if (!run_once(data, len, no_tree, &res)) {
            fprintf(stderr, "bench_load: the loader failed (out of memory?)\n");
            free(mbps);
            return 3;
        }
        mbps[i] = (double)len / 1e6 / (now_seconds() - t0);
    }
    qsort(mbps, (size_t)runs, sizeof(*mbps), compare_doubles);
    printf("%-8s median %7.1f MB/s  (min %.1f, max %.1f, %d runs; %zu records, %zu rejected)\n",
           no_tree ? "no_tree" : "tree", mbps[runs / 2], mbps[0], mbps[runs - 1], runs, res.records,
           res.rejected);
    free(mbps);
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = getenv("KLINT_BENCH_CORPUS");
    const char *mode = "both";
    int runs = 5;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc)
            mode = argv[++i];
        else
            path = argv[i];
    }
    if (runs < 1)
        runs = 1;
    if (path == NULL || path[0] == '\0') {
        fprintf(stderr,
                "bench_load: no corpus: pass a JSON Lines file or set KLINT_BENCH_CORPUS\n");
        return 77;
    }
    size_t len = 0;
    char *data = read_all(path, &len);
    if (data == NULL) {
        fprintf(stderr,
                "bench_load: cannot read %s; make the corpus with\n"
                "  python3 ../shared/bench/gen_corpus.py --out tests/bench/corpus\n",
                path);
        return 77;
    }
    printf("%s: %.1f MB\n", path, (double)len / 1e6);
    int rc = 0;
    if (strcmp(mode, "both") == 0 || strcmp(mode, "no_tree") == 0)
        rc = bench_mode(data, len, true, runs);
    if (rc == 0 && (strcmp(mode, "both") == 0 || strcmp(mode, "tree") == 0))
        rc = bench_mode(data, len, false, runs);
    struct rusage ru;
    if (rc == 0 && getrusage(RUSAGE_SELF, &ru) == 0)
        printf("peak RSS %.1f MB (the corpus itself is held in memory)\n",
               (double)ru.ru_maxrss * 1024 / 1e6);
    free(data);
    return rc;
}
