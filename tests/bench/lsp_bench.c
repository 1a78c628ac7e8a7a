/*
 * Latency of `klint lsp`: the time from writing a textDocument/didChange to
 * reading the publishDiagnostics for that version, measured through the
 * real `klint lsp` process over pipes, as an editor sees it.
 *
 *   lsp_bench KLINT TEMPLATE BATCH [--runs N]
 *
 * KLINT is the klint executable; TEMPLATE a typical request template
 * (one JSON document); BATCH a JSON Lines file whose lines are repeated to
 * make a 1 MiB JSON Lines document. Cases:
 *   template    TEMPLATE as it is
 *   1mb-jsonl   BATCH's lines repeated to 1 MiB (.jsonl: linted line by line)
 *   1mb-json    TEMPLATE with its prompt padded to 1 MiB of text
 * Each change is incremental (one character typed into a prompt, then
 * deleted again), as editors send them. Two more cases on the 1 MiB JSON
 * Lines document: 1mb-jsonl-full sends the whole text each time (a client
 * without incremental sync); 1mb-jsonl-2chg sends two changes per message
 * (far apart: every record between them is linted again); 1mb-jsonl-open
 * times didOpen (after a didClose), which lints every record.
 * Prints the median, the 10th and 90th percentiles, and the number of
 * diagnostics published.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "klint.h"
#include "lsp_proto.h"

typedef struct conn {
    pid_t pid;
    int to;
    int from;
    char *buf;
    size_t len;
    size_t cap;
    size_t consumed; /* bytes of buf already returned as messages */
} conn;

static void die(const char *what)
{
    fprintf(stderr, "lsp_bench: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void start(conn *c, const char *klint)
{
    int a[2], b[2];
    if (pipe(a) != 0 || pipe(b) != 0)
        die("pipe");
    c->pid = fork();
    if (c->pid < 0)
        die("fork");
    if (c->pid == 0) {
        dup2(a[0], STDIN_FILENO);
        dup2(b[1], STDOUT_FILENO);
        close(a[0]);
        close(a[1]);
        close(b[0]);
        close(b[1]);
        execl(klint, klint, "lsp", "--stdio", (char *)NULL);
        _exit(127);
    }
    close(a[0]);
    close(b[1]);
    c->to = a[1];
    c->from = b[0];
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die("write");
        p += w;
        n -= (size_t)w;
    }
}

static void send_msg(conn *c, const kl_buf *body)
{
    char head[64];
    int n = snprintf(head, sizeof(head), "Content-Length: %zu\r\n\r\n", body->len);
    write_all(c->to, head, (size_t)n);
    write_all(c->to, body->ptr, body->len);
}

/* The first occurrence of `needle` in s[0..len), or NULL. */
static const char *find(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; s != NULL && i + n <= len; i++)
        if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
            return s + i;
    return NULL;
}

/* The next message body (valid until the next call). */
static const char *next_msg(conn *c, size_t *len)
{
    if (c->consumed > 0) {
        memmove(c->buf, c->buf + c->consumed, c->len - c->consumed);
        c->len -= c->consumed;
        c->consumed = 0;
    }
    for (;;) {
        const char *sep = find(c->buf, c->len, "\r\n\r\n");
        if (sep != NULL) {
            size_t body_len = strtoul(c->buf + 16, NULL, 10);
            size_t head = (size_t)(sep + 4 - c->buf);
            if (c->len >= head + body_len) {
                c->consumed = head + body_len;
                *len = body_len;
                return c->buf + head;
            }
        }
        if (c->cap - c->len < 65536) {
            c->cap = c->cap ? c->cap * 2 : 1 << 20;
            c->buf = realloc(c->buf, c->cap);
            if (c->buf == NULL)
                die("realloc");
        }
        ssize_t n = read(c->from, c->buf + c->len, c->cap - c->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "lsp_bench: klint lsp closed its output\n");
            exit(2);
        }
        c->len += (size_t)n;
    }
}

static bool has(const char *body, size_t len, const char *needle)
{
    return find(body, len, needle) != NULL;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        die(path);
    kl_buf b = KL_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        kl_buf_put(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.ptr;
}

/* Number of diagnostics in a publishDiagnostics body. */
static size_t count_diagnostics(const char *body, size_t len)
{
    kl_source *src = NULL;
    kl_doc *doc = NULL;
    kl_diags *d = NULL;
    size_t n = 0;
    if (kl_source_from_memory(&src, "publish", body, len) == KL_OK && kl_diags_new(&d) == KL_OK &&
        kl_json_load(&doc, src, NULL, d) == KL_OK) {
        const kl_node *diags =
            kl_node_getz(kl_node_getz(kl_doc_root(doc), "params"), "diagnostics");
        n = diags ? diags->len : 0;
    }
    kl_doc_free(doc);
    kl_diags_free(d);
    kl_source_free(src);
    return n;
}

typedef struct bench_case {
    const char *name;
    const char *uri;
    char *text;
    size_t len;
    size_t edit_at;  /* byte offset where a character is typed */
    size_t edit2_at; /* and, when not 0, a second change in the same message (before edit_at) */
    bool full_sync;
    bool reopen; /* measure didOpen instead (close, open again): a lint of every record */
} bench_case;

static void run_case(const char *klint, const bench_case *bc, int runs)
{
    conn c = {0};
    start(&c, klint);
    kl_buf b = KL_BUF_INIT;
    size_t len;
    kl_buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                    "{\"capabilities\":{}}}");
    send_msg(&c, &b);
    next_msg(&c, &len);
    kl_buf_clear(&b);
    kl_buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}");
    send_msg(&c, &b);

    kl_buf_clear(&b);
    kl_buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":"
                    "{\"textDocument\":{\"uri\":");
    kl_lsp_put_cstr(&b, bc->uri);
    kl_buf_puts(&b, ",\"languageId\":\"json\",\"version\":1,\"text\":");
    kl_lsp_put_string(&b, bc->text, bc->len);
    kl_buf_puts(&b, "}}}");
    send_msg(&c, &b);
    next_msg(&c, &len);

    /* The edit position on the wire (UTF-16). */
    kl_source *src = NULL;
    if (kl_source_from_memory(&src, "t", bc->text, bc->len) != KL_OK)
        die("source");
    kl_pos pos = kl_source_pos(src, (uint32_t)bc->edit_at);
    kl_pos pos2 = kl_source_pos(src, (uint32_t)bc->edit2_at);
    kl_source_free(src);
    char *edited = malloc(bc->len + 1);
    memcpy(edited, bc->text, bc->edit_at);
    edited[bc->edit_at] = 'a';
    memcpy(edited + bc->edit_at + 1, bc->text + bc->edit_at, bc->len - bc->edit_at);

    int warm = runs / 10 + 2;
    double *ms = malloc((size_t)runs * sizeof(double));
    size_t n_diags = 0;
    for (int i = 0; i < warm + runs; i++) {
        int version = i + 2;
        bool insert = i % 2 == 0;
        kl_buf_clear(&b);
        if (bc->reopen) {
            kl_buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didClose\",\"params\":"
                            "{\"textDocument\":{\"uri\":");
            kl_lsp_put_cstr(&b, bc->uri);
            kl_buf_puts(&b, "}}}");
            send_msg(&c, &b);
            next_msg(&c, &len); /* the publish that clears */
            kl_buf_clear(&b);
            kl_buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":"
                            "{\"textDocument\":{\"uri\":");
            kl_lsp_put_cstr(&b, bc->uri);
            kl_buf_printf(&b, ",\"languageId\":\"json\",\"version\":%d,\"text\":", version);
            kl_lsp_put_string(&b, bc->text, bc->len);
            kl_buf_puts(&b, "}}}");
        } else {
            kl_buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":"
                            "{\"textDocument\":{\"uri\":");
            kl_lsp_put_cstr(&b, bc->uri);
            kl_buf_printf(&b, ",\"version\":%d},\"contentChanges\":[{", version);
            if (bc->full_sync) {
                kl_buf_puts(&b, "\"text\":");
                if (insert)
                    kl_lsp_put_string(&b, edited, bc->len + 1);
                else
                    kl_lsp_put_string(&b, bc->text, bc->len);
            } else {
                for (int k = 0; k < (bc->edit2_at ? 2 : 1); k++) {
                    const kl_pos *p = k == 0 ? &pos : &pos2;
                    unsigned line = p->line - 1, ch = p->column_utf16 - 1;
                    kl_buf_printf(&b,
                                  "%s\"range\":{\"start\":{\"line\":%u,\"character\":%u},\"end\":"
                                  "{\"line\":%u,\"character\":%u}},\"text\":\"%s\"",
                                  k ? "},{" : "", line, ch, line, insert ? ch : ch + 1,
                                  insert ? "a" : "");
                }
            }
            kl_buf_puts(&b, "}]}}");
        }
        char want[64];
        snprintf(want, sizeof(want), "\"version\":%d,", version);

        double t0 = now_ms();
        send_msg(&c, &b);
        const char *body;
        do {
            body = next_msg(&c, &len);
            /* method, uri and version come first: look at the start only */
        } while (!(has(body, len < 512 ? len : 512, "textDocument/publishDiagnostics") &&
                   has(body, len < 512 ? len : 512, want)));
        double t1 = now_ms();
        if (i >= warm)
            ms[i - warm] = t1 - t0;
        if (i == warm + runs - 1)
            n_diags = count_diagnostics(body, len);
    }

    kl_buf_clear(&b);
    kl_buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"shutdown\"}");
    send_msg(&c, &b);
    next_msg(&c, &len);
    kl_buf_clear(&b);
    kl_buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
    send_msg(&c, &b);
    close(c.to);
    int status = 0;
    waitpid(c.pid, &status, 0);
    close(c.from);

    qsort(ms, (size_t)runs, sizeof(double), cmp_double);
    printf("%-15s %9zu bytes  %5d changes  median %7.3f ms  p10 %7.3f  p90 %7.3f  "
           "%zu diagnostics  exit %d\n",
           bc->name, bc->len, runs, ms[runs / 2], ms[runs / 10], ms[runs * 9 / 10], n_diags,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    fflush(stdout);
    free(ms);
    free(edited);
    free(c.buf);
    kl_buf_dispose(&b);
}

/* Offset just inside the value of the first "prompt" member, or 1. */
static size_t prompt_at(const char *text, size_t len)
{
    const char *p = find(text, len, "\"prompt\"");
    if (p == NULL)
        return 1;
    const char *q = memchr(p + 8, '"', len - (size_t)(p + 8 - text));
    return q ? (size_t)(q - text) + 1 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: lsp_bench KLINT TEMPLATE BATCH [--runs N]\n", stderr);
        return 2;
    }
    int runs = 200;
    if (argc >= 6 && strcmp(argv[4], "--runs") == 0)
        runs = atoi(argv[5]);
    if (runs < 10)
        runs = 10;
    signal(SIGPIPE, SIG_IGN);

    size_t tlen, blen;
    char *tmpl = read_file(argv[2], &tlen);
    char *batch = read_file(argv[3], &blen);
    const size_t mib = (size_t)1 << 20;

    /* BATCH's lines repeated to 1 MiB; the edit goes into a prompt halfway. */
    kl_buf jl = KL_BUF_INIT;
    while (jl.len < mib)
        kl_buf_put(&jl, batch, blen);
    size_t mid = jl.len / 2;
    while (mid < jl.len && jl.ptr[mid - 1] != '\n')
        mid++;

    /* TEMPLATE with 1 MiB of prompt text (words, as people write them). */
    kl_buf big = KL_BUF_INIT;
    size_t at = prompt_at(tmpl, tlen);
    kl_buf_put(&big, tmpl, at);
    static const char words[] = "a cat jumps from the sofa onto the sunlit windowsill ";
    while (big.len < mib)
        kl_buf_puts(&big, words);
    kl_buf_put(&big, tmpl + at, tlen - at);

    bench_case cases[] = {
        {"template", "file:///bench/template.json", tmpl, tlen, prompt_at(tmpl, tlen), 0, false,
         false},
        {"1mb-jsonl", "file:///bench/batch.jsonl", jl.ptr, jl.len,
         mid + prompt_at(jl.ptr + mid, jl.len - mid), 0, false, false},
        {"1mb-json", "file:///bench/big.json", big.ptr, big.len, at + 1000, 0, false, false},
        {"1mb-jsonl-full", "file:///bench/batch.jsonl", jl.ptr, jl.len,
         mid + prompt_at(jl.ptr + mid, jl.len - mid), 0, true, false},
        {"1mb-jsonl-2chg", "file:///bench/batch.jsonl", jl.ptr, jl.len,
         mid + prompt_at(jl.ptr + mid, jl.len - mid), prompt_at(jl.ptr, jl.len), false, false},
        {"1mb-jsonl-open", "file:///bench/batch.jsonl", jl.ptr, jl.len, 1, 0, false, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(argv[1], &cases[i], i == 0 ? runs : (runs / 4 < 10 ? 10 : runs / 4));

    free(tmpl);
    free(batch);
    kl_buf_dispose(&jl);
    kl_buf_dispose(&big);
    return 0;
}
