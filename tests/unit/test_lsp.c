/* Unit tests for the LSP server: wire positions, transport, lifecycle, documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "klint.h"
#include "lsp_docs.h"
#include "lsp_proto.h"
#include "lsp_server.h"
#include "rule_docs.h"
#include "rules.h"
#include "test_util.h"

/* ---- lsp_proto: positions in both encodings ---------------------------- */

/*
 * Byte offsets, line by line (0-based wire lines):
 *
 *   line 0  "中😀x\n"   中=0..2 😀=3..6 x=7 \n=8   utf-16: 中=0 😀=1,2 x=3 end=4
 *   line 1  "ab\r\n"    a=9 b=10 \r=11 \n=12       (CRLF: the line ends before '\r')
 *   line 2  "é"         é=13..14, end of input=15  utf-16: end=1, utf-8: end=2
 */
static const char proto_text[] = "\xE4\xB8\xAD\xF0\x9F\x98\x80x\n"
                                 "ab\r\n"
                                 "\xC3\xA9";

static kl_source *make(const char *data, size_t len)
{
    kl_source *src = NULL;
    assert_int_equal(kl_source_from_memory(&src, "t.json", data, len), KL_OK);
    return src;
}

static void test_proto_offset(void **state)
{
    (void)state;
    kl_source *src = make(proto_text, sizeof(proto_text) - 1);
    assert_int_equal(src->len, 15);

    /* UTF-16 */
    assert_int_equal(kl_lsp_offset(src, 0, 0, KL_LSP_UTF16), 0);
    assert_int_equal(kl_lsp_offset(src, 0, 1, KL_LSP_UTF16), 3);
    assert_int_equal(kl_lsp_offset(src, 0, 2, KL_LSP_UTF16), 3); /* inside the pair: down */
    assert_int_equal(kl_lsp_offset(src, 0, 3, KL_LSP_UTF16), 7);
    assert_int_equal(kl_lsp_offset(src, 0, 4, KL_LSP_UTF16), 8);
    assert_int_equal(kl_lsp_offset(src, 0, 99, KL_LSP_UTF16), 8); /* past the end: clamp */
    assert_int_equal(kl_lsp_offset(src, 0, UINT32_MAX, KL_LSP_UTF16), 8);
    assert_int_equal(kl_lsp_offset(src, 1, 2, KL_LSP_UTF16), 11);
    assert_int_equal(kl_lsp_offset(src, 1, 3, KL_LSP_UTF16), 11); /* never between \r\n */
    assert_int_equal(kl_lsp_offset(src, 2, 1, KL_LSP_UTF16), 15);
    assert_int_equal(kl_lsp_offset(src, 3, 0, KL_LSP_UTF16), 15); /* past the last line */
    assert_int_equal(kl_lsp_offset(src, UINT32_MAX, 0, KL_LSP_UTF16), 15);

    /* UTF-8 */
    assert_int_equal(kl_lsp_offset(src, 0, 1, KL_LSP_UTF8), 0); /* inside 中: down */
    assert_int_equal(kl_lsp_offset(src, 0, 3, KL_LSP_UTF8), 3);
    assert_int_equal(kl_lsp_offset(src, 0, 5, KL_LSP_UTF8), 3); /* inside 😀 */
    assert_int_equal(kl_lsp_offset(src, 0, 7, KL_LSP_UTF8), 7);
    assert_int_equal(kl_lsp_offset(src, 0, 8, KL_LSP_UTF8), 8);
    assert_int_equal(kl_lsp_offset(src, 2, 1, KL_LSP_UTF8), 13);
    assert_int_equal(kl_lsp_offset(src, 2, 2, KL_LSP_UTF8), 15);
    kl_source_free(src);
}

static void check_range(const kl_source *src, kl_span span, kl_lsp_encoding enc,
                        const char *expected)
{
    kl_buf b = KL_BUF_INIT;
    kl_lsp_put_range(&b, src, span, enc);
    assert_false(kl_buf_failed(&b));
    assert_string_equal(kl_buf_cstr(&b), expected);
    kl_buf_dispose(&b);
}

static void test_proto_range(void **state)
{
    (void)state;
    kl_source *src = make(proto_text, sizeof(proto_text) - 1);
    /* 😀 alone */
    check_range(src, kl_span_make(3, 7), KL_LSP_UTF16,
                "{\"start\":{\"line\":0,\"character\":1},\"end\":{\"line\":0,\"character\":3}}");
    check_range(src, kl_span_make(3, 7), KL_LSP_UTF8,
                "{\"start\":{\"line\":0,\"character\":3},\"end\":{\"line\":0,\"character\":7}}");
    /* from x across the CRLF line to the end of input */
    check_range(src, kl_span_make(7, 15), KL_LSP_UTF16,
                "{\"start\":{\"line\":0,\"character\":3},\"end\":{\"line\":2,\"character\":1}}");
    check_range(src, kl_span_make(7, 15), KL_LSP_UTF8,
                "{\"start\":{\"line\":0,\"character\":7},\"end\":{\"line\":2,\"character\":2}}");
    kl_source_free(src);
}

static void test_proto_record_lines(void **state)
{
    (void)state;
    /* a JSON Lines record that is line 5 (1-based) of its file: wire line 4 */
    static const char rec[] = "{\"k\":\"\xF0\x9F\x98\x80\"}";
    kl_source src;
    kl_source_init_line(&src, "t.jsonl", rec, (uint32_t)(sizeof(rec) - 1), 5);
    assert_int_equal(kl_lsp_offset(&src, 4, 8, KL_LSP_UTF16), 10);
    assert_int_equal(kl_lsp_offset(&src, 4, 7, KL_LSP_UTF16), 6); /* inside the pair */
    assert_int_equal(kl_lsp_offset(&src, 4, 10, KL_LSP_UTF8), 10);
    assert_int_equal(kl_lsp_offset(&src, 4, 7, KL_LSP_UTF8), 6);
    assert_int_equal(kl_lsp_offset(&src, 3, 5, KL_LSP_UTF16), 0); /* a line before the record */
    check_range(&src, kl_span_make(6, 10), KL_LSP_UTF16,
                "{\"start\":{\"line\":4,\"character\":6},\"end\":{\"line\":4,\"character\":8}}");
}

static void test_proto_strings(void **state)
{
    (void)state;
    kl_buf b = KL_BUF_INIT;
    kl_lsp_put_string(&b, "a\"\\\n\x01\xE4\xB8\xAD", 8);
    assert_string_equal(kl_buf_cstr(&b), "\"a\\\"\\\\\\n\\u0001\xE4\xB8\xAD\"");
    kl_buf_clear(&b);
    /* invalid bytes become U+FFFD; a truncated sequence at the end too */
    kl_lsp_put_string(&b, "x\xFFy\xC3\xA9\xE4\xB8", 7);
    assert_string_equal(kl_buf_cstr(&b), "\"x\\ufffdy\xC3\xA9\\ufffd\\ufffd\"");
    kl_buf_clear(&b);
    kl_lsp_put_string(&b, "a\0b", 3);
    assert_string_equal(kl_buf_cstr(&b), "\"a\\u0000b\"");
    kl_buf_clear(&b);
    kl_lsp_put_cstr(&b, "ok");
    kl_buf_putc(&b, ',');
    kl_lsp_put_cstr(&b, NULL);
    assert_string_equal(kl_buf_cstr(&b), "\"ok\",null");
    kl_buf_dispose(&b);
}

static void check_uri(const char *uri, const char *want)
{
    char *got = kl_lsp_uri_to_path(uri, strlen(uri));
    if (want == NULL) {
        assert_null(got);
    } else {
        assert_non_null(got);
        assert_string_equal(got, want);
    }
    free(got);
}

static void test_uri_to_path(void **state)
{
    (void)state;
    check_uri("file:///tmp/a.json", "/tmp/a.json");
    check_uri("file:///tmp/a%20b%E7%8C%AB.json", "/tmp/a b\xE7\x8C\xAB.json");
    check_uri("FILE:///x", "/x");
    check_uri("file://localhost/x/y.jsonl", "/x/y.jsonl");
    check_uri("file:///x.json?query#frag", "/x.json");
    check_uri("file://server/share/x.json", NULL); /* not local */
    check_uri("untitled:Untitled-1", NULL);
    check_uri("file:///a%2", NULL);   /* cut escape */
    check_uri("file:///a%zz", NULL);  /* not hex */
    check_uri("file:///a%00b", NULL); /* NUL */
    check_uri("file://", NULL);
}

/* ---- Sessions ------------------------------------------------------------ */

/*
 * A scripted session: the client's messages are written to a file, the
 * server reads it to the end (kl_lsp_serve on plain descriptors, in this
 * process) and writes its messages to another file, which is then split
 * into frames and parsed with klint's strict loader: every message the
 * server sends must be valid JSON in valid UTF-8.
 *
 * To keep the scripts readable, send() turns every ' into ": the bodies
 * below never need a real apostrophe. raw() sends bytes as they are.
 */
#define MAX_MSGS 64

typedef struct out_msg {
    kl_source *src;
    kl_doc *doc;
    const kl_node *root;
} out_msg;

typedef struct session {
    kl_buf in;
    size_t max_message;
    int status;
    out_msg msgs[MAX_MSGS];
    size_t n;
    char *log;
    size_t log_len;
} session;

static void raw(session *s, const char *bytes, size_t len)
{
    kl_buf_put(&s->in, bytes, len);
}

static void send_len(session *s, const char *body, size_t len)
{
    kl_buf_printf(&s->in, "Content-Length: %zu\r\n\r\n", len);
    size_t at = s->in.len;
    kl_buf_put(&s->in, body, len);
    for (size_t i = at; i < s->in.len; i++)
        if (s->in.ptr[i] == '\'')
            s->in.ptr[i] = '"';
}

static void send(session *s, const char *body)
{
    send_len(s, body, strlen(body));
}

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PRINTF_LIKE(fmt, args)
#endif

static void vsendf(session *s, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
static void sendf(session *s, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void vsendf(session *s, const char *fmt, va_list ap)
{
    kl_buf b = KL_BUF_INIT;
    kl_buf_vprintf(&b, fmt, ap);
    assert_false(kl_buf_failed(&b));
    send_len(s, b.ptr, b.len);
    kl_buf_dispose(&b);
}

static void sendf(session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsendf(s, fmt, ap);
    va_end(ap);
}

static void init_utf16(session *s)
{
    send(s, "{'jsonrpc':'2.0','id':1,'method':'initialize','params':{'capabilities':{}}}");
    send(s, "{'jsonrpc':'2.0','method':'initialized','params':{}}");
}

static void init_utf8(session *s)
{
    send(s, "{'jsonrpc':'2.0','id':1,'method':'initialize','params':{'capabilities':"
            "{'general':{'positionEncodings':['utf-16','utf-8']}}}}");
    send(s, "{'jsonrpc':'2.0','method':'initialized','params':{}}");
}

/* The position encodings a test can run in; a per-encoding test gets one as its state. */
static kl_lsp_encoding encodings[] = {KL_LSP_UTF16, KL_LSP_UTF8};

/* Initialises `s` in the encoding of a per-encoding test; true when that is UTF-8. */
static bool init_for(void **state, session *s)
{
    bool utf8 = *(const kl_lsp_encoding *)*state == KL_LSP_UTF8;
    if (utf8)
        init_utf8(s);
    else
        init_utf16(s);
    return utf8;
}

static void shutdown_exit(session *s)
{
    send(s, "{'jsonrpc':'2.0','id':999,'method':'shutdown'}");
    send(s, "{'jsonrpc':'2.0','method':'exit'}");
}

/* Split the server's output into frames: exactly "Content-Length: N\r\n\r\n" + N bytes. */
static void parse_output(session *s, const char *out, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        assert_true(s->n < MAX_MSGS);
        const char *p = out + pos;
        assert_true(len - pos > 20);
        assert_memory_equal(p, "Content-Length: ", 16);
        char *end;
        unsigned long n = strtoul(p + 16, &end, 10);
        assert_memory_equal(end, "\r\n\r\n", 4);
        const char *body = end + 4;
        assert_true((size_t)(body - out) + n <= len);
        out_msg *m = &s->msgs[s->n++];
        assert_int_equal(kl_source_from_memory(&m->src, "out", body, n), KL_OK);
        kl_diags *diags;
        assert_int_equal(kl_diags_new(&diags), KL_OK);
        assert_int_equal(kl_json_load(&m->doc, m->src, NULL, diags), KL_OK);
        if (kl_diags_count(diags) != 0)
            fail_msg("the server sent a message that is not strict JSON: %.*s", (int)n, body);
        kl_diags_free(diags);
        m->root = kl_doc_root(m->doc);
        assert_non_null(m->root);
        assert_true(kl_node_is_string(kl_node_getz(m->root, "jsonrpc"), "2.0"));
        pos = (size_t)(body - out) + n;
    }
}

static void run(session *s)
{
    FILE *in = tmpfile();
    FILE *out = tmpfile();
    assert_non_null(in);
    assert_non_null(out);
    if (s->in.len)
        assert_int_equal(fwrite(s->in.ptr, 1, s->in.len, in), s->in.len);
    assert_int_equal(fflush(in), 0);
    assert_int_equal(lseek(fileno(in), 0, SEEK_SET), 0);
    FILE *log = open_memstream(&s->log, &s->log_len);
    assert_non_null(log);

    kl_lsp_options opts = {0};
    opts.in_fd = fileno(in);
    opts.out_fd = fileno(out);
    opts.log = log;
    opts.max_message = s->max_message;
    s->status = kl_lsp_serve(&opts);
    fclose(log);

    off_t size = lseek(fileno(out), 0, SEEK_END);
    assert_true(size >= 0);
    char *bytes = malloc((size_t)size + 1);
    assert_non_null(bytes);
    assert_int_equal(pread(fileno(out), bytes, (size_t)size, 0), size);
    parse_output(s, bytes, (size_t)size);
    free(bytes);
    fclose(in);
    fclose(out);
}

static void done(session *s)
{
    for (size_t i = 0; i < s->n; i++) {
        kl_doc_free(s->msgs[i].doc);
        kl_source_free(s->msgs[i].src);
    }
    kl_buf_dispose(&s->in);
    free(s->log);
}

#define assert_str_at(n, path, s) assert_true(kl_node_is_string(tu_at((n), (path)), (s)))

/* The response to request `id` (a number), or NULL. */
static const out_msg *response_msg(const session *s, int64_t id)
{
    for (size_t i = 0; i < s->n; i++) {
        const kl_node *r = s->msgs[i].root;
        int64_t v;
        if (kl_node_getz(r, "method") == NULL && kl_node_int64(kl_node_getz(r, "id"), &v) &&
            v == id)
            return &s->msgs[i];
    }
    return NULL;
}

static const kl_node *response(const session *s, int64_t id)
{
    const out_msg *m = response_msg(s, id);
    return m ? m->root : NULL;
}

/* Responses whose id is null, in order; the k-th (0-based) or NULL. */
static const kl_node *null_id_response(const session *s, size_t k)
{
    for (size_t i = 0; i < s->n; i++) {
        const kl_node *id = kl_node_getz(s->msgs[i].root, "id");
        if (id != NULL && id->kind == KL_JSON_NULL && k-- == 0)
            return s->msgs[i].root;
    }
    return NULL;
}

/* The k-th (0-based) notification with `method`, or NULL. */
static const out_msg *notification_msg(const session *s, const char *method, size_t k)
{
    for (size_t i = 0; i < s->n; i++) {
        const kl_node *r = s->msgs[i].root;
        if (kl_node_getz(r, "id") == NULL && kl_node_is_string(kl_node_getz(r, "method"), method) &&
            k-- == 0)
            return &s->msgs[i];
    }
    return NULL;
}

static const kl_node *notification(const session *s, const char *method, size_t k)
{
    const out_msg *m = notification_msg(s, method, k);
    return m ? m->root : NULL;
}

static size_t count_method(const session *s, const char *method)
{
    size_t n = 0;
    while (notification(s, method, n) != NULL)
        n++;
    return n;
}

static void assert_error(const session *s, int64_t id, int64_t code)
{
    const kl_node *r = response(s, id);
    if (r == NULL)
        fail_msg("no response to request %lld", (long long)id);
    assert_null(kl_node_getz(r, "result"));
    assert_int_equal(tu_int_at(r, "error.code"), code);
    assert_true(tu_at(r, "error.message")->kind == KL_JSON_STRING);
}

static void assert_result_null(const session *s, int64_t id)
{
    const kl_node *r = response(s, id);
    if (r == NULL)
        fail_msg("no response to request %lld", (long long)id);
    assert_non_null(kl_node_getz(r, "result"));
    assert_int_equal(kl_node_getz(r, "result")->kind, KL_JSON_NULL);
    assert_null(kl_node_getz(r, "error"));
}

/* Fails unless the node at `path` is a string holding `needle`. */
static void assert_str_has(const kl_node *n, const char *path, const char *needle)
{
    const kl_node *x = tu_at(n, path);
    if (x == NULL || x->kind != KL_JSON_STRING)
        fail_msg("no string at '%s'", path);
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= x->len; i++)
        if (memcmp(x->u.str + i, needle, k) == 0)
            return;
    fail_msg("'%.*s' does not hold '%s'", (int)x->len, x->u.str, needle);
}

/* ---- Rule documentation addresses: one derivation for LSP and SARIF ------ */

static bool url_starts(const char *url, size_t len, const char *prefix)
{
    return url != NULL && len > strlen(prefix) && memcmp(url, prefix, strlen(prefix)) == 0;
}

static void test_rule_docs(void **state)
{
    (void)state;
    kl_ruleset *rs;
    assert_int_equal(kl_ruleset_builtin(&rs), KL_OK);
    kl_rule_docs *docs;
    assert_int_equal(kl_rule_docs_new(&docs, rs), KL_OK);
    size_t len = 99;
    /* `type` rows cite each provider's page: the profile's own, else the first profile's
     * (Givon's, first in rules/) */
    const char *any = kl_rule_docs_url(docs, "type", NULL, &len);
    assert_true(url_starts(any, len, "https://givon.ai/"));
    const char *uni =
        kl_rule_docs_url(docs, "type", "unifically:kuaishou/kling-3.0-omni-video", &len);
    assert_true(url_starts(uni, len, "https://"));
    assert_true(len > 20 && memcmp(uni + 8, "unifically.com/", 15) == 0);
    assert_true(
        url_starts(kl_rule_docs_url(docs, "type", "replicate:kwaivgi/kling-v3-omni-video", &len),
                   len, "https://"));
    assert_true(kl_rule_docs_url(docs, "type", "no:such-profile", &len) == any);
    assert_null(kl_rule_docs_url(docs, "no-such-rule", NULL, &len));
    assert_int_equal(len, 0);
    assert_null(kl_rule_docs_url(NULL, "type", NULL, &len));
    assert_null(kl_rule_docs_url(docs, NULL, NULL, &len));

    /* SARIF's helpUri of every rule is this address (or absent when it has none) */
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    assert_non_null(out);
    kl_printer *p;
    assert_int_equal(kl_printer_new(&p, "sarif", out, NULL), KL_OK);
    kl_printer_set_rules(p, rs);
    kl_summary sum;
    memset(&sum, 0, sizeof(sum));
    assert_int_equal(kl_printer_end(p, &sum), KL_OK);
    kl_printer_free(p);
    fclose(out);
    kl_source *src;
    kl_doc *doc;
    kl_diags *d;
    assert_int_equal(kl_diags_new(&d), KL_OK);
    assert_int_equal(kl_source_from_memory(&src, "sarif", text, text_len), KL_OK);
    assert_int_equal(kl_json_load(&doc, src, NULL, d), KL_OK);
    const kl_node *rules = tu_at(kl_doc_root(doc), "runs.0.tool.driver.rules");
    assert_non_null(rules);
    assert_int_equal(rules->len, kl_ruleset_rule_id_count(rs));
    size_t n_urls = 0;
    for (uint32_t i = 0; i < rules->len; i++) {
        const kl_node *r = kl_node_at(rules, i);
        const kl_node *id = tu_at(r, "id");
        char name[128];
        assert_true(id->len < sizeof(name));
        memcpy(name, id->u.str, id->len);
        name[id->len] = '\0';
        const char *url = kl_rule_docs_url(docs, name, NULL, &len);
        const kl_node *help = tu_at(r, "helpUri");
        if (url == NULL) {
            assert_null(help);
            continue;
        }
        n_urls++;
        assert_non_null(help);
        assert_int_equal(help->len, len);
        assert_memory_equal(help->u.str, url, len);
    }
    assert_true(n_urls > 10);
    kl_doc_free(doc);
    kl_source_free(src);
    kl_diags_free(d);
    free(text);
    kl_rule_docs_free(docs);
    kl_rule_docs_free(NULL);
    kl_ruleset_free(rs);
}

/* ---- Lifecycle ------------------------------------------------------------- */

static void test_handshake_utf16(void **state)
{
    (void)state;
    session s = {0};
    init_utf16(&s);
    shutdown_exit(&s);
    run(&s);

    assert_int_equal(s.status, 0);
    const kl_node *r = response(&s, 1);
    assert_non_null(r);
    const kl_node *caps = tu_at(r, "result.capabilities");
    assert_str_at(caps, "positionEncoding", "utf-16");
    assert_int_equal(tu_at(caps, "textDocumentSync.openClose")->kind, KL_JSON_TRUE);
    assert_int_equal(tu_int_at(caps, "textDocumentSync.change"), 2);
    assert_int_equal(tu_at(caps, "hoverProvider")->kind, KL_JSON_TRUE);
    assert_str_at(caps, "completionProvider.triggerCharacters.0", "\"");
    assert_str_at(caps, "completionProvider.triggerCharacters.1", ":");
    assert_str_at(caps, "codeActionProvider.codeActionKinds.0", "quickfix");
    assert_str_at(caps, "codeActionProvider.codeActionKinds.1", "source.fixAll.klint");
    /* didSave: how a client that watches no files tells of a saved .klint.json */
    assert_int_equal(tu_at(caps, "textDocumentSync.save.includeText")->kind, KL_JSON_FALSE);
    assert_str_at(r, "result.serverInfo.name", "klint");
    assert_str_at(r, "result.serverInfo.version", KLINT_VERSION);
    /* no dynamic registration offered: nothing registered */
    assert_int_equal(count_method(&s, "client/registerCapability"), 0);
    assert_result_null(&s, 999);
    assert_int_equal(s.n, 2);
    done(&s);
}

static void test_handshake_encodings(void **state)
{
    (void)state;
    /* utf-8 is chosen when offered, even after utf-16 */
    session s = {0};
    init_utf8(&s);
    shutdown_exit(&s);
    run(&s);
    assert_str_at(response(&s, 1), "result.capabilities.positionEncoding", "utf-8");
    done(&s);

    /* only utf-32 offered: utf-16, which every client must support */
    session t = {0};
    send(&t, "{'jsonrpc':'2.0','id':1,'method':'initialize','params':{'capabilities':"
             "{'general':{'positionEncodings':['utf-32']}}}}");
    shutdown_exit(&t);
    run(&t);
    assert_str_at(response(&t, 1), "result.capabilities.positionEncoding", "utf-16");
    assert_int_equal(t.status, 0);
    done(&t);
}

static void test_dynamic_watch_registration(void **state)
{
    (void)state;
    session s = {0};
    send(&s, "{'jsonrpc':'2.0','id':1,'method':'initialize','params':{'capabilities':"
             "{'workspace':{'didChangeWatchedFiles':{'dynamicRegistration':true}}}}}");
    send(&s, "{'jsonrpc':'2.0','method':'initialized','params':{}}");
    /* the client's answer to the registration: not a request, not answered */
    send(&s, "{'jsonrpc':'2.0','id':'klint-1','result':null}");
    shutdown_exit(&s);
    run(&s);
    const kl_node *reg = NULL;
    for (size_t i = 0; i < s.n && reg == NULL; i++)
        if (kl_node_is_string(kl_node_getz(s.msgs[i].root, "method"), "client/registerCapability"))
            reg = s.msgs[i].root;
    assert_non_null(reg);
    assert_true(kl_node_getz(reg, "id") != NULL); /* a request: it has an id */
    assert_str_at(reg, "params.registrations.0.method", "workspace/didChangeWatchedFiles");
    assert_str_at(reg, "params.registrations.0.registerOptions.watchers.0.globPattern",
                  "**/.klint.json");
    assert_int_equal(s.n, 3); /* initialize result, registration, shutdown result */
    assert_int_equal(s.status, 0);
    done(&s);
}

static void test_before_initialize(void **state)
{
    (void)state;
    session s = {0};
    send(&s, "{'jsonrpc':'2.0','id':5,'method':'textDocument/hover','params':{}}");
    send(&s, "{'jsonrpc':'2.0','method':'textDocument/didOpen','params':{'textDocument':"
             "{'uri':'file:///tmp/a.json','languageId':'json','version':1,'text':'{'}}}");
    send(&s, "{'jsonrpc':'2.0','id':6,'method':'shutdown'}");
    send(&s, "{'jsonrpc':'2.0','method':'exit'}");
    run(&s);
    assert_error(&s, 5, -32002);
    assert_error(&s, 6, -32002);
    /* the notification was dropped: nothing published */
    assert_int_equal(count_method(&s, "textDocument/publishDiagnostics"), 0);
    assert_int_equal(s.n, 2);
    /* exit without shutdown */
    assert_int_equal(s.status, 1);
    done(&s);
}

static void test_shutdown_then_requests(void **state)
{
    (void)state;
    session s = {0};
    init_utf16(&s);
    send(&s, "{'jsonrpc':'2.0','id':2,'method':'initialize','params':{'capabilities':{}}}");
    send(&s, "{'jsonrpc':'2.0','id':3,'method':'shutdown'}");
    send(&s, "{'jsonrpc':'2.0','id':4,'method':'textDocument/hover','params':{}}");
    send(&s, "{'jsonrpc':'2.0','method':'textDocument/didOpen','params':{'textDocument':"
             "{'uri':'file:///tmp/a.json','languageId':'json','version':1,'text':'{'}}}");
    send(&s, "{'jsonrpc':'2.0','method':'exit'}");
    send(&s, "{'jsonrpc':'2.0','id':5,'method':'shutdown'}"); /* after exit: never read */
    run(&s);
    assert_error(&s, 2, -32600); /* initialize twice */
    assert_result_null(&s, 3);
    assert_error(&s, 4, -32600);
    assert_int_equal(count_method(&s, "textDocument/publishDiagnostics"), 0);
    assert_null(response(&s, 5));
    assert_int_equal(s.status, 0);
    done(&s);
}

static void test_exit_codes_at_eof(void **state)
{
    (void)state;
    /* end of input after shutdown: 0 */
    session s = {0};
    init_utf16(&s);
    send(&s, "{'jsonrpc':'2.0','id':2,'method':'shutdown'}");
    run(&s);
    assert_int_equal(s.status, 0);
    done(&s);
    /* end of input without shutdown: 1 */
    session t = {0};
    init_utf16(&t);
    run(&t);
    assert_int_equal(t.status, 1);
    done(&t);
    /* exit without shutdown: 1, even after initialize */
    session u = {0};
    init_utf16(&u);
    send(&u, "{'jsonrpc':'2.0','method':'exit'}");
    run(&u);
    assert_int_equal(u.status, 1);
    done(&u);
    /* nothing at all */
    session v = {0};
    run(&v);
    assert_int_equal(v.status, 1);
    assert_int_equal(v.n, 0);
    done(&v);
}

static void test_unknown_methods_and_cancel(void **state)
{
    (void)state;
    session s = {0};
    init_utf16(&s);
    send(&s, "{'jsonrpc':'2.0','id':2,'method':'workspace/frobnicate','params':{}}");
    send(&s, "{'jsonrpc':'2.0','id':3,'method':'$/unknownRequest','params':{}}");
    send(&s, "{'jsonrpc':'2.0','method':'$/unknownNotification','params':{}}");
    send(&s, "{'jsonrpc':'2.0','method':'workspace/unknownNotification'}");
    send(&s, "{'jsonrpc':'2.0','method':'$/setTrace','params':{'value':'off'}}");
    send(&s, "{'jsonrpc':'2.0','method':'$/cancelRequest','params':{'id':2}}");
    send(&s, "{'jsonrpc':'2.0','method':'$/cancelRequest','params':{'id':77}}");
    /* a notification method sent as a request is not a known request */
    send(&s, "{'jsonrpc':'2.0','id':4,'method':'initialized','params':{}}");
    /* params null (Emacs sends it with shutdown) is taken as no params */
    send(&s, "{'jsonrpc':'2.0','id':'s-5','method':'shutdown','params':null}");
    send(&s, "{'jsonrpc':'2.0','method':'exit','params':null}");
    run(&s);
    assert_error(&s, 2, -32601);
    assert_error(&s, 3, -32601);
    assert_error(&s, 4, -32601);
    /* string ids are echoed as strings */
    const kl_node *last = s.msgs[s.n - 1].root;
    assert_str_at(last, "id", "s-5");
    assert_int_equal(kl_node_getz(last, "result")->kind, KL_JSON_NULL);
    /* initialize, three errors, shutdown: the notifications got nothing */
    assert_int_equal(s.n, 5);
    assert_int_equal(s.status, 0);
    done(&s);
}

/* ---- Malformed input -------------------------------------------------------- */

/* A request that must be answered after each bad message: MethodNotFound for id `id`. */
static void probe(session *s, int id)
{
    sendf(s, "{'jsonrpc':'2.0','id':%d,'method':'klint/probe'}", id);
}

static void test_bad_headers(void **state)
{
    (void)state;
    session s = {0};
    init_utf16(&s);
    /* no Content-Length at all */
    static const char no_length[] =
        "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
        "{\"jsonrpc\":\"2.0\",\"id\":50,\"method\":\"klint/probe\"}";
    raw(&s, no_length, sizeof(no_length) - 1);
    probe(&s, 2);
    /* a Content-Length that is not a number */
    static const char bad_length[] = "Content-Length: twelve\r\n\r\n{\"id\":51}";
    raw(&s, bad_length, sizeof(bad_length) - 1);
    probe(&s, 3);
    /* unknown fields are ignored; the message is read */
    static const char extra[] = "X-Whatever: 1\r\nContent-Length: 44\r\n\r\n"
                                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"klint/xx\"}";
    raw(&s, extra, sizeof(extra) - 1);
    /* Content-Type with charset utf8 (a common misspelling) and any case of the name */
    static const char utf8[] = "content-length: 44\r\nContent-Type: application/vscode-jsonrpc; "
                               "charset=utf8\r\n\r\n"
                               "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"klint/xx\"}";
    raw(&s, utf8, sizeof(utf8) - 1);
    /* garbage between messages */
    static const char garbage[] = "hello\r\nthis is not a header\r\n\r\n";
    raw(&s, garbage, sizeof(garbage) - 1);
    probe(&s, 6);
    /* a header that never ends (over 8 KiB without a blank line) */
    for (int i = 0; i < 1000; i++)
        raw(&s, "X-Pad: 12\r\n", 11);
    probe(&s, 7);
    /* a header line without a colon, then a message right after */
    static const char no_colon[] = "Content-Length 10\r\n\r\n";
    raw(&s, no_colon, sizeof(no_colon) - 1);
    probe(&s, 8);
    /* two Content-Length fields that disagree: the reader resynchronises on the
     * second one, so the 4 bytes after the header are read as a body ("{}  ", not
     * a request: one InvalidRequest with id null) */
    static const char two[] = "Content-Length: 3\r\nContent-Length: 4\r\n\r\n{}  ";
    raw(&s, two, sizeof(two) - 1);
    probe(&s, 9);
    shutdown_exit(&s);
    run(&s);

    assert_null(response(&s, 50));
    assert_null(response(&s, 51));
    for (int id = 2; id <= 9; id++)
        assert_error(&s, id, -32601);
    assert_int_equal(tu_int_at(null_id_response(&s, 0), "error.code"), -32600);
    assert_null(null_id_response(&s, 1));
    assert_int_equal(s.status, 0);
    assert_non_null(strstr(s.log, "no Content-Length"));
    assert_non_null(strstr(s.log, "not a decimal number"));
    assert_non_null(strstr(s.log, "8 KiB"));
    assert_non_null(strstr(s.log, "disagree"));
    done(&s);
}

static void test_bad_bodies(void **state)
{
    (void)state;
    session s = {0};
    init_utf16(&s);
    send(&s, "{'jsonrpc':'2.0','id':60,'method'"); /* not JSON: cut short */
    probe(&s, 2);
    send(&s, ""); /* empty body */
    probe(&s, 3);
    send(&s, "{'jsonrpc':'2.0','id':61,'method':'klint/x','params':{'s':'\xff'}}"); /* bad UTF-8 */
    probe(&s, 4);
    send(&s, "{'jsonrpc':'2.0','id':62,'method':'klint/x','params':{'s':'\xed\xa0\x80'}}");
    probe(&s, 5);
    send(&s, "42"); /* JSON, not an object */
    probe(&s, 6);
    send(&s, "[{'jsonrpc':'2.0','id':63,'method':'shutdown'}]"); /* a batch */
    probe(&s, 7);
    send(&s, "[]");
    probe(&s, 8);
    send(&s, "{'jsonrpc':'2.0','id':64}");                          /* no method */
    send(&s, "{'jsonrpc':'1.0','id':65,'method':'shutdown'}");      /* wrong version */
    send(&s, "{'id':66,'method':'shutdown'}");                      /* no version */
    send(&s, "{'jsonrpc':'2.0','id':{'a':1},'method':'shutdown'}"); /* bad id */
    send(&s, "{'jsonrpc':'2.0','id':67,'method':7}");               /* method not a string */
    send(&s, "{'jsonrpc':'2.0','id':68,'method':'shutdown','params':3}");
    send(&s, "{'jsonrpc':'2.0','method':'shutdown'}"); /* a request method as a notification */
    probe(&s, 9);
    shutdown_exit(&s);
    run(&s);

    /* not JSON, empty, invalid UTF-8 twice: ParseError with id null */
    for (size_t k = 0; k < 4; k++) {
        const kl_node *r = null_id_response(&s, k);
        assert_non_null(r);
        assert_int_equal(tu_int_at(r, "error.code"), -32700);
    }
    /* 42, the batch, the empty batch, the object id: InvalidRequest with id null */
    for (size_t k = 4; k < 8; k++) {
        const kl_node *r = null_id_response(&s, k);
        assert_non_null(r);
        assert_int_equal(tu_int_at(r, "error.code"), -32600);
    }
    assert_null(null_id_response(&s, 8));
    assert_null(response(&s, 60));
    assert_null(response(&s, 61));
    assert_null(response(&s, 63)); /* the batch was not run: the probes below are answered */
    assert_error(&s, 64, -32600);
    assert_error(&s, 65, -32600);
    assert_error(&s, 66, -32600);
    assert_error(&s, 67, -32600);
    assert_error(&s, 68, -32600);
    for (int id = 2; id <= 9; id++)
        assert_error(&s, id, -32601);
    assert_result_null(&s, 999);
    assert_int_equal(s.status, 0);
    done(&s);
}

static void test_huge_messages(void **state)
{
    (void)state;
    session s = {0};
    s.max_message = 4096;
    init_utf16(&s);
    char pad[6001];
    memset(pad, 'x', sizeof(pad) - 1);
    pad[sizeof(pad) - 1] = '\0';
    /* the id after a big member, and an "id" inside params that is not it */
    sendf(&s,
          "{'jsonrpc':'2.0','method':'textDocument/hover','params':{'id':99,'pad':'%s',"
          "'q':'a\\'b'},'id':70}",
          pad);
    probe(&s, 2);
    sendf(&s, "{'id':'big-1','jsonrpc':'2.0','method':'klint/x','params':{'pad':'%s'}}", pad);
    probe(&s, 3);
    /* a notification: no id to answer, the user is told instead */
    sendf(&s, "{'jsonrpc':'2.0','method':'textDocument/didChange','params':{'pad':'%s'}}", pad);
    probe(&s, 4);
    /* just at the limit: read normally */
    char body[4097];
    int n =
        snprintf(body, sizeof(body), "{'jsonrpc':'2.0','id':5,'method':'klint/x','params':{'p':'");
    memset(body + n, 'y', sizeof(body) - 1 - (size_t)n - 3);
    memcpy(body + sizeof(body) - 4, "'}}", 4);
    assert_int_equal(strlen(body), 4096);
    send(&s, body);
    shutdown_exit(&s);
    run(&s);

    assert_error(&s, 70, -32600);
    assert_null(response(&s, 99));
    const kl_node *big = NULL;
    for (size_t i = 0; i < s.n; i++)
        if (kl_node_is_string(kl_node_getz(s.msgs[i].root, "id"), "big-1"))
            big = s.msgs[i].root;
    assert_non_null(big);
    assert_int_equal(tu_int_at(big, "error.code"), -32600);
    const kl_node *shown = notification(&s, "window/showMessage", 0);
    assert_non_null(shown);
    assert_int_equal(tu_int_at(shown, "params.type"), 1);
    for (int id = 2; id <= 5; id++)
        assert_error(&s, id, -32601);
    assert_int_equal(s.status, 0);
    done(&s);
}

static void test_truncated_body(void **state)
{
    (void)state;
    session s = {0};
    init_utf16(&s);
    probe(&s, 2);
    static const char cut[] = "Content-Length: 100\r\n\r\n{\"jsonrpc\":\"2.0\",";
    raw(&s, cut, sizeof(cut) - 1);
    run(&s);
    assert_error(&s, 2, -32601);
    assert_non_null(strstr(s.log, "ended inside a body"));
    assert_int_equal(s.status, 1); /* the input ended without shutdown */
    done(&s);

    session t = {0};
    init_utf16(&t);
    send(&t, "{'jsonrpc':'2.0','id':2,'method':'shutdown'}");
    raw(&t, "Content-Len", 11); /* cut inside a header */
    run(&t);
    assert_result_null(&t, 2);
    assert_non_null(strstr(t.log, "ended inside a header"));
    assert_int_equal(t.status, 0);
    done(&t);
}

/* ---- Documents and diagnostics ---------------------------------------------- */

#define NEKO "\xE7\x8C\xAB"     /* 猫: 3 bytes, 1 UTF-16 unit */
#define GA   "\xE3\x81\x8C"     /* が */
#define TOBU "\xE8\xB7\xB3"     /* 跳 */
#define BU   "\xE3\x81\xB6"     /* ぶ */
#define GRIN "\xF0\x9F\x98\x80" /* 😀: 4 bytes, 2 UTF-16 units (a surrogate pair) */

/*
 * Line 1 holds CJK and an emoji before the misspelled key:
 *   "prompt":"猫が跳ぶ 😀","duraton":5,
 *   utf-16: "prompt":" 0-9, 猫が跳ぶ 10-13, space 14, 😀 15-16, " 17, , 18, "duraton" 19-27
 *   utf-8:  "prompt":" 0-9, 猫が跳ぶ 10-21, space 22, 😀 23-26, " 27, , 28, "duraton" 29-37
 */
static const char doc_a[] = "{\"input\":{\n"
                            "\"prompt\":\"" NEKO GA TOBU BU " " GRIN "\",\"duraton\":5,\n"
                            "\"aspect_ratio\":\"16:9\"}}";
#define URI_A "file:///tmp/klint-lsp-test/a.json"

static void open_doc(session *s, const char *uri, const char *lang, int version, const char *text)
{
    kl_buf b = KL_BUF_INIT;
    kl_buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":"
                    "{\"textDocument\":{\"uri\":");
    kl_lsp_put_cstr(&b, uri);
    kl_buf_puts(&b, ",\"languageId\":");
    kl_lsp_put_cstr(&b, lang);
    kl_buf_printf(&b, ",\"version\":%d,\"text\":", version);
    kl_lsp_put_cstr(&b, text);
    kl_buf_puts(&b, "}}}");
    assert_false(kl_buf_failed(&b));
    kl_buf_printf(&s->in, "Content-Length: %zu\r\n\r\n", b.len);
    kl_buf_put(&s->in, b.ptr, b.len);
    kl_buf_dispose(&b);
}

/* One content change: a range (l0 < 0: the whole text) and its new text. */
typedef struct change {
    int l0, c0, l1, c1;
    const char *text;
} change;

static void change_doc(session *s, const char *uri, int version, const change *c, size_t n)
{
    kl_buf b = KL_BUF_INIT;
    kl_buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":"
                    "{\"textDocument\":{\"uri\":");
    kl_lsp_put_cstr(&b, uri);
    kl_buf_printf(&b, ",\"version\":%d},\"contentChanges\":[", version);
    for (size_t i = 0; i < n; i++) {
        kl_buf_puts(&b, i ? ",{" : "{");
        if (c[i].l0 >= 0)
            kl_buf_printf(&b,
                          "\"range\":{\"start\":{\"line\":%d,\"character\":%d},"
                          "\"end\":{\"line\":%d,\"character\":%d}},",
                          c[i].l0, c[i].c0, c[i].l1, c[i].c1);
        kl_buf_puts(&b, "\"text\":");
        kl_lsp_put_cstr(&b, c[i].text);
        kl_buf_putc(&b, '}');
    }
    kl_buf_puts(&b, "]}}");
    assert_false(kl_buf_failed(&b));
    kl_buf_printf(&s->in, "Content-Length: %zu\r\n\r\n", b.len);
    kl_buf_put(&s->in, b.ptr, b.len);
    kl_buf_dispose(&b);
}

static void close_doc(session *s, const char *uri)
{
    sendf(s,
          "{'jsonrpc':'2.0','method':'textDocument/didClose','params':{'textDocument':"
          "{'uri':'%s'}}}",
          uri);
}

/* Request `id` about a position of `uri`: `method` is "hover" or "completion". */
static void ask_at(session *s, int id, const char *method, const char *uri, int line, int ch)
{
    sendf(s,
          "{'jsonrpc':'2.0','id':%d,'method':'textDocument/%s','params':{'textDocument':"
          "{'uri':'%s'},'position':{'line':%d,'character':%d}}}",
          id, method, uri, line, ch);
}

/* Request `id`: the code actions for the empty range at line:ch of `uri`; `only` is the
 * context's `only` list ("['quickfix']"), or NULL for none. */
static void actions_at(session *s, int id, const char *uri, int line, int ch, const char *only)
{
    sendf(s,
          "{'jsonrpc':'2.0','id':%d,'method':'textDocument/codeAction','params':"
          "{'textDocument':{'uri':'%s'},'range':{'start':{'line':%d,'character':%d},"
          "'end':{'line':%d,'character':%d}},'context':{'diagnostics':[]%s%s}}}",
          id, uri, line, ch, line, ch, only ? ",'only':" : "", only ? only : "");
}

/* The k-th publishDiagnostics for `uri`: checks uri and version (-1: no version). */
static const kl_node *published(const session *s, size_t k, const char *uri, int64_t version)
{
    const kl_node *p = notification(s, "textDocument/publishDiagnostics", k);
    if (p == NULL)
        fail_msg("no publishDiagnostics number %zu", k);
    assert_str_at(p, "params.uri", uri);
    if (version < 0)
        assert_null(tu_at(p, "params.version"));
    else
        assert_int_equal(tu_int_at(p, "params.version"), version);
    const kl_node *diags = tu_at(p, "params.diagnostics");
    assert_non_null(diags);
    assert_int_equal(diags->kind, KL_JSON_ARRAY);
    return diags;
}

static void assert_unknown_field(const kl_node *d, const char *path, size_t fixes)
{
    assert_int_equal(tu_int_at(d, "severity"), 2);
    assert_str_at(d, "code", "unknown-field");
    assert_str_at(d, "source", "klint");
    assert_str_at(d, "data.path", path);
    assert_int_equal(tu_int_at(d, "data.fixes"), (int64_t)fixes);
    const kl_node *m = tu_at(d, "message");
    assert_true(m != NULL && m->kind == KL_JSON_STRING && m->len > 0);
}

static void test_sync(void **state)
{
    session s = {0};
    bool utf8 = init_for(state, &s);
    open_doc(&s, URI_A, "json", 1, doc_a);
    /* v2: a range that starts inside the emoji (between its surrogates in
     * UTF-16, inside its bytes in UTF-8) clamps to the emoji's start, so
     * the emoji is replaced by X; the key moves one unit (UTF-16) or three
     * bytes (UTF-8) left. */
    change c2 = utf8 ? (change){1, 25, 1, 27, "X"} : (change){1, 16, 1, 17, "X"};
    change_doc(&s, URI_A, 2, &c2, 1);
    /* v3: two changes applied in order: an insertion past the end of line 0
     * (clamped to the line's end), then "i" into "duraton". */
    change c3[2] = {{0, 99, 0, 99, "\"x\":1,"}, {1, utf8 ? 32 : 24, 1, utf8 ? 32 : 24, "i"}};
    change_doc(&s, URI_A, 3, c3, 2);
    /* v4: full sync */
    change c4 = {-1, 0, 0, 0, "{\"input\":{\"prompt\":\"ok\"}}"};
    change_doc(&s, URI_A, 4, &c4, 1);
    close_doc(&s, URI_A);
    shutdown_exit(&s);
    run(&s);

    const kl_node *d = published(&s, 0, URI_A, 1);
    assert_int_equal(d->len, 1);
    tu_assert_range(tu_at(d, "0.range"), 1, utf8 ? 29 : 19, 1, utf8 ? 38 : 28);
    assert_unknown_field(kl_node_at(d, 0), "$.input.duraton", 1);
    assert_int_equal(tu_int_at(d, "0.data.index"), 0);
    assert_int_equal(tu_int_at(d, "0.data.version"), 1);

    d = published(&s, 1, URI_A, 2);
    assert_int_equal(d->len, 1);
    tu_assert_range(tu_at(d, "0.range"), 1, utf8 ? 26 : 18, 1, utf8 ? 35 : 27);

    d = published(&s, 2, URI_A, 3);
    assert_int_equal(d->len, 1);
    tu_assert_range(tu_at(d, "0.range"), 0, 10, 0, 13); /* "x" right after {"input":{ */
    assert_unknown_field(kl_node_at(d, 0), "$.input.x", 0);

    d = published(&s, 3, URI_A, 4);
    assert_int_equal(d->len, 0);
    d = published(&s, 4, URI_A, -1); /* close clears */
    assert_int_equal(d->len, 0);
    assert_int_equal(count_method(&s, "textDocument/publishDiagnostics"), 5);
    assert_int_equal(s.status, 0);
    done(&s);
}

/*
 * A cross-field finding with a related place after CJK and an emoji:
 *   line 2: `    "prompt": "猫😀", "reference_video": "https://x.test/v.mp4",`
 *   the URL string: utf-16 40-62, utf-8 44-66
 *   line 3: `    "generate_audio": true`: `true` at 22-26 in both
 */
static const char doc_b[] = "{\n"
                            "  \"input\": {\n"
                            "    \"prompt\": \"" NEKO GRIN "\", \"reference_video\": "
                            "\"https://x.test/v.mp4\",\n"
                            "    \"generate_audio\": true\n"
                            "  }\n"
                            "}\n";
#define URI_B "file:///tmp/klint-lsp-test/b.json"

static void test_related(void **state)
{
    session s = {0};
    bool utf8 = init_for(state, &s);
    open_doc(&s, URI_B, "json", 7, doc_b);
    shutdown_exit(&s);
    run(&s);
    const kl_node *d = published(&s, 0, URI_B, 7);
    assert_int_equal(d->len, 1);
    const kl_node *x = kl_node_at(d, 0);
    tu_assert_range(tu_at(x, "range"), 3, 22, 3, 26);
    assert_int_equal(tu_int_at(x, "severity"), 1);
    assert_str_at(x, "code", "audio-with-video");
    /* the rule's provider source, as SARIF's helpUri */
    const kl_node *href = tu_at(x, "codeDescription.href");
    assert_non_null(href);
    assert_true(href->len > 30 && memcmp(href->u.str, "https://replicate.com/", 22) == 0);
    assert_str_at(x, "relatedInformation.0.location.uri", URI_B);
    tu_assert_range(tu_at(x, "relatedInformation.0.location.range"), 2, utf8 ? 44 : 40, 2,
                    utf8 ? 66 : 62);
    assert_str_at(x, "relatedInformation.0.message", "the reference video is here");
    assert_null(tu_at(x, "relatedInformation.1"));
    assert_true(tu_int_at(x, "data.fixes") >= 1);
    done(&s);
}

/*
 * JSON Lines, line by line (record lines are document lines):
 *   0 {"model":"kling-v3-omni","prompt":"猫 😀","duration":"5"}
 *   1 (blank: no record)
 *   2 {"model":"kling-v3-omni","prompt":"😀","duraton":"5"}   CRLF
 *        "duraton" at utf-16 39-47, utf-8 41-49
 *   3 {"model":                                                cut short
 */
static const char doc_l[] =
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"" NEKO " " GRIN "\",\"duration\":\"5\"}\n"
    "\n"
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"" GRIN "\",\"duraton\":\"5\"}\r\n"
    "{\"model\":";
#define URI_L "file:///tmp/klint-lsp-test/batch.jsonl"

static void test_jsonl(void **state)
{
    session s = {0};
    bool utf8 = init_for(state, &s);
    open_doc(&s, URI_L, "json", 1, doc_l);
    /* hover on the "model" key of line 2; on the blank line */
    ask_at(&s, 2, "hover", URI_L, 2, 3);
    ask_at(&s, 3, "hover", URI_L, 1, 0);
    /* the quick fix for line 2 */
    actions_at(&s, 4, URI_L, 2, utf8 ? 43 : 41, "['quickfix']");
    /* the same text as JSON (not Lines): one syntax error for the whole */
    open_doc(&s, "file:///tmp/klint-lsp-test/batch.json", "json", 1, doc_l);
    /* languageId jsonl makes any name JSON Lines */
    open_doc(&s, "untitled:Untitled-1", "jsonl", 1, doc_l);
    shutdown_exit(&s);
    run(&s);

    const kl_node *d = published(&s, 0, URI_L, 1);
    assert_int_equal(d->len, 2);
    tu_assert_range(tu_at(d, "0.range"), 2, utf8 ? 41 : 39, 2, utf8 ? 50 : 48);
    assert_unknown_field(kl_node_at(d, 0), "$.duraton", 1);
    tu_assert_range(tu_at(d, "1.range"), 3, 9, 3, 9);
    assert_str_at(d, "1.code", "json-syntax");
    assert_int_equal(tu_int_at(d, "1.severity"), 1);

    const kl_node *h = tu_at(response(&s, 2), "result");
    assert_non_null(h);
    assert_int_equal(h->kind, KL_JSON_OBJECT);
    assert_str_at(h, "contents.kind", "markdown");
    tu_assert_range(tu_at(h, "range"), 2, 1, 2, 8); /* "model" on line 2, document-wide */
    assert_result_null(&s, 3);

    const kl_node *actions = tu_at(response(&s, 4), "result");
    assert_non_null(actions);
    assert_int_equal(actions->kind, KL_JSON_ARRAY);
    assert_true(actions->len >= 1);
    const kl_node *a = kl_node_at(actions, 0);
    assert_str_at(a, "kind", "quickfix");
    const kl_node *edits = kl_node_getz(tu_at(a, "edit.changes"), URI_L);
    assert_non_null(edits);
    tu_assert_range(tu_at(edits, "0.range"), 2, utf8 ? 41 : 39, 2, utf8 ? 50 : 48);
    assert_str_at(edits, "0.newText", "\"duration\"");

    d = published(&s, 1, "file:///tmp/klint-lsp-test/batch.json", 1);
    assert_int_equal(d->len, 1);
    assert_str_at(d, "0.code", "json-syntax");
    d = published(&s, 2, "untitled:Untitled-1", 1);
    assert_int_equal(d->len, 2);
    assert_int_equal(tu_int_at(d, "0.range.start.line"), 2);
    assert_int_equal(s.status, 0);
    done(&s);
}

/* Offset of (line, byte column) in `text` (positions known to be valid). */
static size_t byte_offset(const char *text, int line, int col)
{
    size_t off = 0;
    for (int l = 0; l < line; l++) {
        off += strcspn(text + off, "\n");
        assert_int_equal(text[off], '\n');
        off++;
    }
    assert_true((size_t)col <= strcspn(text + off, "\n"));
    return off + (size_t)col;
}

/* A diagnostic as a line of text: range, severity, code, message, related ranges. */
static void describe_diag(kl_buf *b, const kl_node *d)
{
    kl_buf_printf(
        b, "%lld:%lld-%lld:%lld sev%lld ", (long long)tu_int_at(d, "range.start.line"),
        (long long)tu_int_at(d, "range.start.character"), (long long)tu_int_at(d, "range.end.line"),
        (long long)tu_int_at(d, "range.end.character"), (long long)tu_int_at(d, "severity"));
    kl_buf_put(b, tu_at(d, "code")->u.str, tu_at(d, "code")->len);
    kl_buf_putc(b, ' ');
    kl_buf_put(b, tu_at(d, "message")->u.str, tu_at(d, "message")->len);
    const kl_node *rel = tu_at(d, "relatedInformation");
    for (uint32_t i = 0; rel && i < rel->len; i++)
        kl_buf_printf(b, " rel %lld:%lld",
                      (long long)tu_int_at(kl_node_at(rel, i), "location.range.start.line"),
                      (long long)tu_int_at(kl_node_at(rel, i), "location.range.start.character"));
    kl_buf_putc(b, '\n');
}

static void describe_diags(kl_buf *b, const kl_node *diags)
{
    for (uint32_t i = 0; i < diags->len; i++)
        describe_diag(b, kl_node_at(diags, i));
}

/*
 * Single edits of a JSON Lines document re-lint only the lines they touch;
 * after each one the published findings must equal those of the same text
 * opened afresh (linted whole).
 */
static void test_jsonl_incremental(void **state)
{
    (void)state;
    static const char start[] =
        "{\"model\":\"kling-v3-omni\",\"prompt\":\"" NEKO "\",\"duraton\":\"5\"}\n"
        "{\"model\":\"kling-v3-omni\",\"prompt\":\"a\",\"duration\":\"7\"}\n"
        "\n"
        "{\"model\":\"kling-v3-omni\",\"prompt\":\"b\",\"sound\":\"on\",\"x\":1}\n"
        "{\"model\":\n"
        "{\"model\":\"kling-v3-omni\",\"prompt\":\"" GRIN "\",\"duraton\":\"5\"}";
    /* utf-8 positions: l0 c0 l1 c1 new-text */
    static const change edits[] = {
        {0, 46, 0, 46, "i"},  /* duraton -> duration on line 0 */
        {1, 25, 1, 25, "\n"}, /* split line 1 in two broken records */
        {1, 25, 2, 0, ""},    /* join them again */
        {2, 0, 4, 0, ""},     /* drop the blank line and line 3 */
        {1, 0, 1, 0, "{\"prompt\":1}\n\n{\"model\":\"kling-v3-omni\",\"duraton\":\"5\"}\n"},
        {6, 54, 6, 54, ",\"colour\":2"}, /* before the last line's } */
        {0, 0, 0, 0, "\n"},              /* everything moves down a line */
        {3, 0, 7, 0, ""},                /* most of the document */
        /* full sync: the whole text, then the same with one line changed */
        {-1, 0, 0, 0,
         "{\"model\":\"kling-v3-omni\",\"prompt\":\"" NEKO "\",\"duration\":\"5\"}\n"
         "{\"prompt\":1}\n"
         "{\"model\":\"kling-v3-omni\",\"prompt\":\"" GRIN "\",\"duraton\":\"5\"}"},
        {-1, 0, 0, 0,
         "{\"model\":\"kling-v3-omni\",\"prompt\":\"" NEKO "\",\"duration\":\"5\"}\n"
         "{\"prompt\":true}\n"
         "{\"model\":\"kling-v3-omni\",\"prompt\":\"" GRIN "\",\"duraton\":\"5\"}"},
    };
    size_t n_edits = sizeof(edits) / sizeof(edits[0]);

    /* then messages with several changes, each in the text the previous left */
    static const change groups[][3] = {
        {{2, 0, 2, 0, "{}\n"}, {0, 1, 0, 1, " "}, {3, 3, 3, 3, "x"}}, /* below, above, below */
        {{3, 0, 3, 2, ""}, {3, 0, 3, 0, "{\"colour\":1,"}, {1, 0, 1, 0, "\n\n"}},
        {{0, 0, 0, 0, "{\"a\":1}\n"}, {5, 0, 5, 0, "{\"b\":2}\n"}, {6, 0, 6, 0, "\n"}},
    };
    size_t n_groups = sizeof(groups) / sizeof(groups[0]);

    session s = {0};
    init_utf8(&s);
    open_doc(&s, URI_L, "json", 1, start);
    kl_buf text = KL_BUF_INIT;
    kl_buf_puts(&text, start);
    char copy_uri[64];
    for (size_t k = 0; k < n_edits + n_groups; k++) {
        const change *e = k < n_edits ? &edits[k] : groups[k - n_edits];
        size_t n_changes = k < n_edits ? 1 : 3;
        change_doc(&s, URI_L, (int)k + 2, e, n_changes);
        for (size_t j = 0; j < n_changes; j++) {
            size_t a = e[j].l0 < 0 ? 0 : byte_offset(text.ptr, e[j].l0, e[j].c0);
            size_t b = e[j].l0 < 0 ? text.len : byte_offset(text.ptr, e[j].l1, e[j].c1);
            kl_buf next = KL_BUF_INIT;
            kl_buf_put(&next, text.ptr, a);
            kl_buf_puts(&next, e[j].text);
            kl_buf_puts(&next, text.ptr + b);
            kl_buf_dispose(&text);
            text = next;
        }
        snprintf(copy_uri, sizeof(copy_uri), "file:///tmp/klint-lsp-test/copy-%zu.jsonl", k);
        open_doc(&s, copy_uri, "json", 1, text.ptr);
        close_doc(&s, copy_uri);
    }
    shutdown_exit(&s);
    run(&s);

    kl_buf got = KL_BUF_INIT, want = KL_BUF_INIT;
    size_t total = 0;
    for (size_t k = 0; k < n_edits + n_groups; k++) {
        snprintf(copy_uri, sizeof(copy_uri), "file:///tmp/klint-lsp-test/copy-%zu.jsonl", k);
        kl_buf_clear(&got);
        kl_buf_clear(&want);
        describe_diags(&got, published(&s, 1 + 3 * k, URI_L, (int64_t)k + 2));
        describe_diags(&want, published(&s, 2 + 3 * k, copy_uri, 1));
        if (strcmp(kl_buf_cstr(&got), kl_buf_cstr(&want)) != 0)
            fail_msg("after edit %zu:\nincremental:\n%sfresh:\n%s", k, kl_buf_cstr(&got),
                     kl_buf_cstr(&want));
        total += published(&s, 2 + 3 * k, copy_uri, 1)->len;
    }
    assert_true(total >= 2 * (n_edits + n_groups)); /* the comparisons were about something */
    /* the first edit fixed line 0: its finding is gone, line 5's stays */
    const kl_node *d = published(&s, 1, URI_L, 2);
    assert_true(d->len >= 1);
    assert_true(tu_int_at(d, "0.range.start.line") > 0);
    kl_buf_dispose(&got);
    kl_buf_dispose(&want);
    kl_buf_dispose(&text);
    done(&s);
}

/* Hover, completion and code actions reach lsp_features.c with offsets in the
 * negotiated encoding; a document that is not open gets null. */
static void test_features(void **state)
{
    session s = {0};
    bool utf8 = init_for(state, &s);
    open_doc(&s, URI_A, "json", 1, doc_a);
    /* inside "duraton" (after the emoji): its quick fix */
    actions_at(&s, 2, URI_A, 1, utf8 ? 31 : 21, NULL);
    /* hover on the "aspect_ratio" key */
    ask_at(&s, 3, "hover", URI_A, 2, 4);
    /* completion in the input object */
    ask_at(&s, 4, "completion", URI_A, 0, 10);
    /* documents that are not open */
    ask_at(&s, 5, "hover", "file:///nowhere.json", 0, 0);
    ask_at(&s, 6, "completion", "file:///nowhere.json", 0, 0);
    actions_at(&s, 7, "file:///nowhere.json", 0, 0, NULL);
    shutdown_exit(&s);
    run(&s);

    const kl_node *actions = tu_at(response(&s, 2), "result");
    assert_non_null(actions);
    assert_int_equal(actions->kind, KL_JSON_ARRAY);
    const kl_node *fix = NULL;
    for (uint32_t i = 0; i < actions->len; i++)
        if (kl_node_is_string(tu_at(kl_node_at(actions, i), "kind"), "quickfix"))
            fix = kl_node_at(actions, i);
    assert_non_null(fix);
    const kl_node *edits = kl_node_getz(tu_at(fix, "edit.changes"), URI_A);
    assert_non_null(edits);
    tu_assert_range(tu_at(edits, "0.range"), 1, utf8 ? 29 : 19, 1, utf8 ? 38 : 28);
    assert_str_at(edits, "0.newText", "\"duration\"");
    tu_assert_range(tu_at(fix, "diagnostics.0.range"), 1, utf8 ? 29 : 19, 1, utf8 ? 38 : 28);

    const kl_node *h = tu_at(response(&s, 3), "result");
    assert_non_null(h);
    assert_str_at(h, "contents.kind", "markdown");
    tu_assert_range(tu_at(h, "range"), 2, 0, 2, 14);

    const kl_node *c = tu_at(response(&s, 4), "result");
    assert_non_null(c);
    assert_true(tu_at(c, "items") != NULL && tu_at(c, "items")->kind == KL_JSON_ARRAY);

    assert_result_null(&s, 5);
    assert_result_null(&s, 6);
    assert_result_null(&s, 7);
    done(&s);
}

/* ---- Completion follows the client's snippet support ------------------------ */

/* Completions in the `input` object of doc_a for a client with capabilities `caps`:
 * snippets (insertTextFormat 2) only when it has completionItem.snippetSupport true. */
static void run_snippet_script(const char *caps, bool want_snippets)
{
    session s = {0};
    sendf(&s, "{'jsonrpc':'2.0','id':1,'method':'initialize','params':{'capabilities':%s}}", caps);
    send(&s, "{'jsonrpc':'2.0','method':'initialized','params':{}}");
    open_doc(&s, URI_A, "json", 1, doc_a);
    ask_at(&s, 2, "completion", URI_A, 0, 10);
    shutdown_exit(&s);
    run(&s);
    const kl_node *items = tu_at(response(&s, 2), "result.items");
    assert_non_null(items);
    assert_true(items->len > 3);
    size_t n_snippets = 0;
    for (uint32_t i = 0; i < items->len; i++) {
        const kl_node *item = kl_node_at(items, i);
        const kl_node *text = tu_at(item, "textEdit.newText");
        assert_non_null(text);
        int64_t format = tu_int_at(item, "insertTextFormat");
        bool tabstop = false; /* $1, ${1:…}, ${1|…|} */
        for (uint32_t k = 0; k + 1 < text->len; k++)
            tabstop |=
                text->u.str[k] == '$' && (text->u.str[k + 1] == '{' ||
                                          (text->u.str[k + 1] >= '0' && text->u.str[k + 1] <= '9'));
        if (format == 2) {
            n_snippets++;
            assert_true(tabstop);
        } else {
            assert_int_equal(format, 1);
            assert_false(tabstop);
        }
    }
    if (want_snippets)
        assert_true(n_snippets > 0);
    else
        assert_int_equal(n_snippets, 0);
    done(&s);
}

static void test_completion_snippet_support(void **state)
{
    (void)state;
    run_snippet_script("{}", false);
    run_snippet_script(
        "{'textDocument':{'completion':{'completionItem':{'snippetSupport':false}}}}", false);
    run_snippet_script("{'textDocument':{'completion':{'completionItem':{'snippetSupport':1}}}}",
                       false);
    run_snippet_script("{'textDocument':{'completion':{'completionItem':{'snippetSupport':true}}}}",
                       true);
}

/* ---- A code action carries its diagnostic exactly as published --------------- */

/* The node's JSON text as the server wrote it. */
static void assert_same_text(const out_msg *ma, const kl_node *a, const out_msg *mb,
                             const kl_node *b)
{
    assert_non_null(a);
    assert_non_null(b);
    size_t la = a->span.end - a->span.start, lb = b->span.end - b->span.start;
    if (la != lb || memcmp(ma->src->data + a->span.start, mb->src->data + b->span.start, la) != 0)
        fail_msg("not the same:\n%.*s\n%.*s", (int)la, ma->src->data + a->span.start, (int)lb,
                 mb->src->data + b->span.start);
}

/* The quick fixes of `actions` carry diagnostic number `index` of the publish `pub`, byte for
 * byte (codeDescription, relatedInformation and data included). @return how many did. */
static size_t check_action_diags(const out_msg *am, const kl_node *actions, const out_msg *pub,
                                 int64_t index)
{
    char path[32];
    snprintf(path, sizeof(path), "params.diagnostics.%lld", (long long)index);
    const kl_node *published_diag = tu_at(pub->root, path);
    assert_non_null(published_diag);
    assert_int_equal(tu_int_at(published_diag, "data.index"), index);
    size_t n = 0;
    for (uint32_t i = 0; i < actions->len; i++) {
        const kl_node *a = kl_node_at(actions, i);
        if (!kl_node_is_string(tu_at(a, "kind"), "quickfix"))
            continue;
        assert_null(tu_at(a, "diagnostics.1"));
        assert_same_text(am, tu_at(a, "diagnostics.0"), pub, published_diag);
        n++;
    }
    return n;
}

/* JSON Lines, two records with a misspelt key each; the second's finding is
 * the document's second (data.index 1). "duraton" on line 1: utf-16 39-47. */
static const char doc_two[] =
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"" NEKO "\",\"duraton\":\"5\"}\n"
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"" GRIN "\",\"duraton\":\"5\"}\n";
#define URI_TWO "file:///tmp/klint-lsp-test/two.jsonl"

static void test_action_diagnostic_as_published(void **state)
{
    (void)state;
    session s = {0};
    init_utf16(&s);
    open_doc(&s, URI_B, "json", 3, doc_b);
    /* on `true` of "generate_audio": audio-with-video, with a related place and a doc URL */
    actions_at(&s, 2, URI_B, 3, 23, NULL);
    open_doc(&s, URI_TWO, "jsonl", 5, doc_two);
    actions_at(&s, 3, URI_TWO, 1, 41, NULL);
    shutdown_exit(&s);
    run(&s);

    const out_msg *pub = notification_msg(&s, "textDocument/publishDiagnostics", 0);
    assert_non_null(tu_at(pub->root, "params.diagnostics.0.codeDescription.href"));
    assert_non_null(tu_at(pub->root, "params.diagnostics.0.relatedInformation.0"));
    const out_msg *am = response_msg(&s, 2);
    assert_non_null(am);
    assert_true(check_action_diags(am, tu_at(am->root, "result"), pub, 0) >= 1);

    pub = notification_msg(&s, "textDocument/publishDiagnostics", 1);
    assert_int_equal(tu_at(pub->root, "params.diagnostics")->len, 2);
    am = response_msg(&s, 3);
    assert_non_null(am);
    const kl_node *actions = tu_at(am->root, "result");
    assert_int_equal(check_action_diags(am, actions, pub, 1), 1);
    assert_int_equal(tu_int_at(actions, "0.diagnostics.0.data.version"), 5);
    /* fix-all covers the record the range is in: one fix, on line 1 only */
    const kl_node *all = kl_node_at(actions, actions->len - 1);
    assert_str_at(all, "kind", "source.fixAll.klint");
    assert_str_at(all, "title", "Fix all: apply 1 klint fix");
    const kl_node *edits = kl_node_getz(tu_at(all, "edit.changes"), URI_TWO);
    assert_non_null(edits);
    assert_int_equal(edits->len, 1);
    assert_int_equal(tu_int_at(edits, "0.range.start.line"), 1);
    assert_int_equal(tu_int_at(edits, "0.range.end.line"), 1);
    assert_true(tu_int_at(edits, "0.range.start.character") >= 39);
    assert_true(tu_int_at(edits, "0.range.end.character") <= 48);
    done(&s);
}

/* ---- Bare carriage returns end lines on the wire --------------------------------- */

/*
 * LSP ends a line at "\n", "\r\n" and a bare "\r"; kl_source only at "\n".
 *   line 0  {"input":{                      (bare CR)
 *   line 1  "prompt":"猫😀","duraton":5     (bare CR)
 *             "duraton" utf-16 15-24, utf-8 19-28
 *   line 2  }}                               (CRLF)
 */
static const char doc_cr[] = "{\"input\":{\r"
                             "\"prompt\":\"" NEKO GRIN "\",\"duraton\":5\r"
                             "}}\r\n";
#define URI_CR "file:///tmp/klint-lsp-test/cr.json"

/*
 * JSON Lines whose second record holds a bare CR (JSON whitespace, a line
 * end for LSP):
 *   line 0  {"model":"kling-v3-omni","prompt":"a","duration":"5"}
 *   line 1  {"model":"kling-v3-omni",        (bare CR)
 *   line 2  "prompt":"😀","duraton":"5"}
 *             "duraton" utf-16 14-23, utf-8 16-25
 */
static const char doc_cr_lines[] =
    "{\"model\":\"kling-v3-omni\",\"prompt\":\"a\",\"duration\":\"5\"}\n"
    "{\"model\":\"kling-v3-omni\",\r\"prompt\":\"" GRIN "\",\"duraton\":\"5\"}\n";
#define URI_CR_L "file:///tmp/klint-lsp-test/cr.jsonl"

static void test_bare_cr(void **state)
{
    session s = {0};
    bool utf8 = init_for(state, &s);
    int key = utf8 ? 19 : 15; /* "duraton" on line 1 of doc_cr */
    open_doc(&s, URI_CR, "json", 1, doc_cr);
    ask_at(&s, 2, "hover", URI_CR, 1, key + 1);
    actions_at(&s, 3, URI_CR, 1, key + 1, "['quickfix']");
    /* "durat|on": an i typed on line 1 fixes it */
    change c2 = {1, key + 6, 1, key + 6, "i"};
    change_doc(&s, URI_CR, 2, &c2, 1);

    int rkey = utf8 ? 16 : 14; /* "duraton" on line 2 of doc_cr_lines */
    open_doc(&s, URI_CR_L, "jsonl", 1, doc_cr_lines);
    ask_at(&s, 4, "hover", URI_CR_L, 2, rkey + 1);
    actions_at(&s, 5, URI_CR_L, 2, rkey + 1, NULL);
    shutdown_exit(&s);
    run(&s);

    const kl_node *d = published(&s, 0, URI_CR, 1);
    assert_int_equal(d->len, 1);
    assert_unknown_field(kl_node_at(d, 0), "$.input.duraton", 1);
    tu_assert_range(tu_at(d, "0.range"), 1, key, 1, key + 9);
    tu_assert_range(tu_at(response(&s, 2), "result.range"), 1, key, 1, key + 9);
    const kl_node *edits = kl_node_getz(tu_at(response(&s, 3), "result.0.edit.changes"), URI_CR);
    assert_non_null(edits);
    tu_assert_range(tu_at(edits, "0.range"), 1, key, 1, key + 9);
    assert_str_at(edits, "0.newText", "\"duration\"");
    d = published(&s, 1, URI_CR, 2);
    assert_int_equal(d->len, 0); /* the i went where it was typed */

    d = published(&s, 2, URI_CR_L, 1);
    assert_int_equal(d->len, 1);
    tu_assert_range(tu_at(d, "0.range"), 2, rkey, 2, rkey + 9);
    tu_assert_range(tu_at(response(&s, 4), "result.range"), 2, rkey, 2, rkey + 9);
    const kl_node *actions = tu_at(response(&s, 5), "result");
    assert_true(actions != NULL && actions->len == 2); /* the quick fix, fix-all */
    edits = kl_node_getz(tu_at(actions, "0.edit.changes"), URI_CR_L);
    tu_assert_range(tu_at(edits, "0.range"), 2, rkey, 2, rkey + 9);
    edits = kl_node_getz(tu_at(actions, "1.edit.changes"), URI_CR_L);
    assert_int_equal(tu_int_at(edits, "0.range.start.line"), 2);
    assert_int_equal(tu_int_at(edits, "0.range.end.line"), 2);
    assert_int_equal(s.status, 0);
    done(&s);
}

/* ---- A live session: configuration changes --------------------------------- */

/*
 * The server in a child process on two pipes, so that the test can change
 * files on disk between messages, as an editor's user does.
 */
typedef struct live {
    pid_t pid;
    int to;
    int from;
    kl_buf got; /* bytes read and not yet split into messages */
    out_msg msg;
} live;

static void live_start(live *l)
{
    int a[2], b[2];
    assert_int_equal(pipe(a), 0);
    assert_int_equal(pipe(b), 0);
    l->pid = fork();
    assert_true(l->pid >= 0);
    if (l->pid == 0) {
        close(a[1]);
        close(b[0]);
        kl_lsp_options opts = {0};
        opts.in_fd = a[0];
        opts.out_fd = b[1];
        _exit(kl_lsp_serve(&opts));
    }
    close(a[0]);
    close(b[1]);
    l->to = a[1];
    l->from = b[0];
    l->got = (kl_buf)KL_BUF_INIT;
    memset(&l->msg, 0, sizeof(l->msg));
}

/* The next message from the server (waiting at most 20 s). */
static const kl_node *live_next(live *l)
{
    kl_doc_free(l->msg.doc);
    kl_source_free(l->msg.src);
    memset(&l->msg, 0, sizeof(l->msg));
    for (;;) {
        const char *sep = l->got.len ? strstr(l->got.ptr, "\r\n\r\n") : NULL;
        if (sep != NULL) {
            size_t n = strtoul(l->got.ptr + 16, NULL, 10);
            size_t head = (size_t)(sep + 4 - l->got.ptr);
            if (l->got.len >= head + n) {
                session tmp = {0};
                parse_output(&tmp, l->got.ptr, head + n);
                l->msg = tmp.msgs[0];
                memmove(l->got.ptr, l->got.ptr + head + n, l->got.len - head - n);
                l->got.len -= head + n;
                l->got.ptr[l->got.len] = '\0';
                return l->msg.root;
            }
        }
        struct pollfd p = {l->from, POLLIN, 0};
        if (poll(&p, 1, 20000) != 1)
            fail_msg("the server did not answer within 20 s");
        char chunk[4096];
        ssize_t n = read(l->from, chunk, sizeof(chunk));
        if (n <= 0)
            fail_msg("the server closed its output");
        kl_buf_put(&l->got, chunk, (size_t)n);
    }
}

static int live_end(live *l)
{
    close(l->to);
    char chunk[4096];
    while (read(l->from, chunk, sizeof(chunk)) > 0) {
    }
    close(l->from);
    int status = -1;
    assert_int_equal(waitpid(l->pid, &status, 0), l->pid);
    kl_doc_free(l->msg.doc);
    kl_source_free(l->msg.src);
    kl_buf_dispose(&l->got);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Writes the messages `tmp` holds (made with send(), open_doc(), ...) to the server. */
static void live_write(live *l, session *tmp)
{
    assert_int_equal(write(l->to, tmp->in.ptr, tmp->in.len), (ssize_t)tmp->in.len);
    kl_buf_dispose(&tmp->in);
}

static void live_send(live *l, const char *body)
{
    session tmp = {0};
    send(&tmp, body);
    live_write(l, &tmp);
}

static void live_sendf(live *l, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void live_sendf(live *l, const char *fmt, ...)
{
    session tmp = {0};
    va_list ap;
    va_start(ap, fmt);
    vsendf(&tmp, fmt, ap);
    va_end(ap);
    live_write(l, &tmp);
}

/* didOpen of DIR/NAME (JSON, version 1) holding `text`. */
static void live_open(live *l, const char *dir, const char *name, const char *text)
{
    char uri[600];
    snprintf(uri, sizeof(uri), "file://%s/%s", dir, name);
    session tmp = {0};
    open_doc(&tmp, uri, "json", 1, text);
    live_write(l, &tmp);
}

/* didSave of DIR/NAME. */
static void live_save(live *l, const char *dir, const char *name)
{
    live_sendf(l,
               "{'jsonrpc':'2.0','method':'textDocument/didSave','params':{'textDocument':"
               "{'uri':'file://%s/%s'}}}",
               dir, name);
}

/* A watched file DIR/NAME was created (type 1), changed (2) or deleted (3). */
static void live_watched(live *l, const char *dir, const char *name, int type)
{
    live_sendf(l,
               "{'jsonrpc':'2.0','method':'workspace/didChangeWatchedFiles','params':{'changes':"
               "[{'uri':'file://%s/%s','type':%d}]}}",
               dir, name, type);
}

/* The handshake, the client offering (`watch`) or not to watch files for the server; with
 * `watch` the server takes the offer: it registers a watcher. */
static void live_initialize(live *l, bool watch)
{
    live_sendf(l, "{'jsonrpc':'2.0','id':1,'method':'initialize','params':{'capabilities':%s}}",
               watch ? "{'workspace':{'didChangeWatchedFiles':{'dynamicRegistration':true}}}"
                     : "{}");
    const kl_node *m = live_next(l);
    assert_str_at(m, "result.capabilities.positionEncoding", "utf-16");
    live_send(l, "{'jsonrpc':'2.0','method':'initialized','params':{}}");
    if (watch) {
        m = live_next(l);
        assert_str_at(m, "method", "client/registerCapability");
    }
}

/* Shutdown, whose answer must be the next message, then exit: the server's exit status. */
static int live_shutdown(live *l)
{
    live_send(l, "{'jsonrpc':'2.0','id':2,'method':'shutdown'}");
    assert_int_equal(tu_int_at(live_next(l), "id"), 2);
    live_send(l, "{'jsonrpc':'2.0','method':'exit'}");
    return live_end(l);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    tu_write_text(path, text);
}

/* A fresh directory under /tmp holding `n` files: names[i] with texts[i] (a name may hold one
 * subdirectory, made first). */
static void make_tree(char *dir, const char *const *names, const char *const *texts, size_t n)
{
    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; i < n; i++) {
        const char *slash = strchr(names[i], '/');
        if (slash != NULL) {
            char sub[512];
            snprintf(sub, sizeof(sub), "%s/%.*s", dir, (int)(slash - names[i]), names[i]);
            mkdir(sub, 0700); /* may exist already */
        }
        write_file(dir, names[i], texts[i]);
    }
}

static void test_config_reload(void **state)
{
    (void)state;
    static const char *const names[] = {".klint.json", "t.json"};
    static const char *const texts[] = {"{\"severity\": {\"unknown-field\": \"error\"}}\n",
                                        "{\"input\":{\"prompt\":\"p\",\"duraton\":5}}"};
    char dir[] = "/tmp/klint-lsp-XXXXXX";
    make_tree(dir, names, texts, 2);

    live l;
    live_start(&l);
    live_initialize(&l, true);
    live_open(&l, dir, "t.json", texts[1]);
    const kl_node *m = live_next(&l);
    assert_str_at(m, "method", "textDocument/publishDiagnostics");
    /* the configuration made the warning an error */
    assert_int_equal(tu_int_at(m, "params.diagnostics.0.severity"), 1);
    assert_str_at(m, "params.diagnostics.0.code", "unknown-field");
    assert_null(tu_at(m, "params.diagnostics.1"));

    /* a change to some other file: nothing to do */
    live_watched(&l, dir, "other.json", 2);
    /* the configuration now ignores the rule */
    write_file(dir, ".klint.json", "{\"ignore\": [\"unknown-field\"]}\n");
    live_watched(&l, dir, ".klint.json", 2);
    m = live_next(&l);
    assert_str_at(m, "method", "textDocument/publishDiagnostics");
    assert_int_equal(tu_int_at(m, "params.version"), 1);
    assert_int_equal(tu_at(m, "params.diagnostics")->len, 0);

    /* the configuration goes away: the built-in severity is back */
    char path[512];
    snprintf(path, sizeof(path), "%s/.klint.json", dir);
    assert_int_equal(unlink(path), 0);
    live_watched(&l, dir, ".klint.json", 3);
    m = live_next(&l);
    assert_int_equal(tu_int_at(m, "params.diagnostics.0.severity"), 2);

    /* a broken configuration is not used (and the server keeps serving) */
    write_file(dir, ".klint.json", "{\"ignore\": [\"unknown-field\"],}\n");
    live_watched(&l, dir, ".klint.json", 1);
    m = live_next(&l);
    assert_int_equal(tu_int_at(m, "params.diagnostics.0.severity"), 2);
    /* ... and, the file not being open in the editor, the user is told so */
    m = live_next(&l);
    assert_str_at(m, "method", "window/showMessage");
    assert_int_equal(tu_int_at(m, "params.type"), 1);
    assert_str_has(m, "params.message", path);
    /* {"ignore": ["unknown-field"],}: the trailing comma is column 29 */
    assert_str_has(m, "params.message", ".klint.json:1:29: trailing comma");
    assert_str_has(m, "params.message", "not used");
    assert_str_has(m, "params.message", "default settings");

    /* a configuration that maps the file to a profile: linted against it */
    write_file(dir, ".klint.json",
               "{\"profiles\": [{\"files\": [\"*.json\"], \"profile\": "
               "\"ezmodel:kling-v3-omni\"}]}\n");
    live_watched(&l, dir, ".klint.json", 1);
    m = live_next(&l);
    const kl_node *diags = tu_at(m, "params.diagnostics");
    bool model_missing = false;
    for (uint32_t i = 0; diags && i < diags->len; i++) {
        assert_str_at(kl_node_at(diags, i), "data.profile", "ezmodel:kling-v3-omni");
        model_missing |= kl_node_is_string(tu_at(kl_node_at(diags, i), "code"), "model");
    }
    assert_true(model_missing);

    assert_int_equal(live_shutdown(&l), 0);
    tu_remove_tree(dir);
}

/*
 * Problems in a .klint.json: the diagnostics of that file when it is open,
 * else one window/showMessage naming the file and the first problem. The
 * documents under a broken configuration are linted with the defaults.
 *   a/.klint.json  line 1 `  "ignore": ["unknown-feild"]`: the string at 13-28
 *   b/.klint.json  {"rules": ["bad-rules.json"]}: the item at 11-27; the rule file is broken
 *   c/.klint.json  {"ignore": 5}: not open; the 5 is column 12
 */
static void test_config_problems(void **state)
{
    (void)state;
    static const char *const names[] = {"a/.klint.json",    "a/t.json",      "b/.klint.json",
                                        "b/bad-rules.json", "c/.klint.json", "c/t.json"};
    static const char a_cfg[] = "{\n  \"ignore\": [\"unknown-feild\"]\n}\n";
    static const char b_cfg[] = "{\"rules\": [\"bad-rules.json\"]}\n";
    static const char t[] = "{\"input\":{\"prompt\":\"p\",\"duraton\":5}}";
    static const char *const texts[] = {a_cfg, t, b_cfg, "{\"profiles\": [}\n", "{\"ignore\": 5}\n",
                                        t};
    char dir[] = "/tmp/klint-lsp-cfg-XXXXXX";
    make_tree(dir, names, texts, 6);
    char uri[6][600];
    for (size_t i = 0; i < 6; i++)
        snprintf(uri[i], sizeof(uri[i]), "file://%s/%s", dir, names[i]);

    session s = {0};
    init_utf16(&s);
    open_doc(&s, uri[0], "json", 1, a_cfg);
    open_doc(&s, uri[1], "json", 1, t);
    open_doc(&s, uri[2], "json", 4, b_cfg);
    open_doc(&s, uri[5], "json", 1, t);
    ask_at(&s, 2, "hover", uri[0], 1, 4);
    ask_at(&s, 3, "completion", uri[0], 1, 2);
    shutdown_exit(&s);
    run(&s);

    /* a/.klint.json: its problem where it is, then the note that it is not used */
    const kl_node *d = published(&s, 0, uri[0], 1);
    assert_int_equal(d->len, 2);
    assert_str_at(d, "0.code", "config-invalid");
    assert_int_equal(tu_int_at(d, "0.severity"), 1);
    tu_assert_range(tu_at(d, "0.range"), 1, 13, 1, 28);
    assert_str_has(d, "0.message", "unknown-field");
    assert_str_at(d, "1.code", "config-invalid");
    assert_int_equal(tu_int_at(d, "1.severity"), 3);
    tu_assert_range(tu_at(d, "1.range"), 0, 0, 0, 0);
    assert_str_has(d, "1.message", "not use this configuration");
    /* a/t.json: linted with the defaults (the severity stays a warning) */
    d = published(&s, 1, uri[1], 1);
    assert_int_equal(d->len, 1);
    assert_unknown_field(kl_node_at(d, 0), "$.input.duraton", 1);
    /* b/.klint.json: the broken rule file, on the item naming it */
    d = published(&s, 2, uri[2], 4);
    assert_int_equal(d->len, 2);
    assert_str_at(d, "0.code", "config-invalid");
    assert_int_equal(tu_int_at(d, "0.severity"), 1);
    tu_assert_range(tu_at(d, "0.range"), 0, 11, 0, 27);
    assert_str_has(d, "0.message", "bad-rules.json` has problems: 1:");
    /* c/t.json: linted with the defaults; c/.klint.json is not open: a message */
    d = published(&s, 3, uri[5], 1);
    assert_int_equal(d->len, 1);
    assert_int_equal(tu_int_at(d, "0.severity"), 2);
    assert_int_equal(count_method(&s, "window/showMessage"), 1);
    const kl_node *m = notification(&s, "window/showMessage", 0);
    assert_int_equal(tu_int_at(m, "params.type"), 1);
    char want[600];
    snprintf(want, sizeof(want), "klint: %s/c/.klint.json:1:12: ", dir);
    assert_str_has(m, "params.message", want);
    assert_str_has(m, "params.message", "not used until it is fixed");
    /* no hover or completion for a configuration file as if it were a request */
    assert_result_null(&s, 2);
    assert_result_null(&s, 3);
    assert_int_equal(s.status, 0);
    done(&s);
    tu_remove_tree(dir);
}

/*
 * An open .klint.json is fixed and saved, in a client that watches no files:
 * didSave loads it again, its problems are cleared and the document under it
 * is linted with it. Edits before the save publish nothing for it.
 */
static void test_config_fixed_on_save(void **state)
{
    (void)state;
    static const char *const names[] = {".klint.json", "t.json"};
    static const char *const texts[] = {"{\"ignore\": [\"unknown-feild\"]}\n",
                                        "{\"input\":{\"prompt\":\"p\",\"duraton\":5}}"};
    char dir[] = "/tmp/klint-lsp-save-XXXXXX";
    make_tree(dir, names, texts, 2);

    live l;
    live_start(&l);
    live_initialize(&l, false);
    live_open(&l, dir, ".klint.json", texts[0]);
    const kl_node *m = live_next(&l);
    assert_str_at(m, "method", "textDocument/publishDiagnostics");
    assert_int_equal(tu_at(m, "params.diagnostics")->len, 2);
    tu_assert_range(tu_at(m, "params.diagnostics.0.range"), 0, 12, 0, 27);
    live_open(&l, dir, "t.json", texts[1]);
    m = live_next(&l);
    assert_int_equal(tu_at(m, "params.diagnostics")->len, 1); /* linted with the defaults */

    /* the user types the fix: nothing is published for the unsaved text */
    live_sendf(&l,
               "{'jsonrpc':'2.0','method':'textDocument/didChange','params':{'textDocument':"
               "{'uri':'file://%s/.klint.json','version':2},'contentChanges':[{'range':"
               "{'start':{'line':0,'character':21},'end':{'line':0,'character':23}},"
               "'text':'ie'}]}}",
               dir);
    /* ... and saves */
    write_file(dir, ".klint.json", "{\"ignore\": [\"unknown-field\"]}\n");
    live_save(&l, dir, ".klint.json");
    m = live_next(&l);
    assert_str_at(m, "method", "textDocument/publishDiagnostics");
    assert_int_equal(tu_int_at(m, "params.version"), 2);
    assert_int_equal(tu_at(m, "params.diagnostics")->len, 0); /* cleared */
    m = live_next(&l);
    assert_int_equal(tu_at(m, "params.diagnostics")->len, 0); /* t.json: the rule is ignored */

    assert_int_equal(live_shutdown(&l), 0); /* no showMessage came before its answer */
    tu_remove_tree(dir);
}

/* The no-4k policy of fixtures/config/example with severity `sev`. */
static void write_policy(const char *dir, const char *sev)
{
    char text[1024];
    snprintf(
        text, sizeof(text),
        "{\"klint_rules\": 1, \"rule_ids\": [{\"id\": \"policy-no-4k\", \"summary\": \"no 4K\"}],"
        " \"overlay\": {\"id\": \"no-4k\", \"profiles\": [\"*\"], \"rows\": [{\"id\": "
        "\"policy-no-4k\", \"doc\": \"acme\", \"severity\": \"%s\", \"check\": \"not-enum\", "
        "\"at\": \"concept:resolution\", \"values\": [\"4k\"]}]}}\n",
        sev);
    write_file(dir, "policy.json", text);
}

/* The severity of the policy-no-4k finding in a publishDiagnostics, or 0. */
static int64_t policy_severity(const kl_node *m)
{
    const kl_node *d = tu_at(m, "params.diagnostics");
    for (uint32_t i = 0; d && i < d->len; i++)
        if (kl_node_is_string(tu_at(kl_node_at(d, i), "code"), "policy-no-4k"))
            return tu_int_at(kl_node_at(d, i), "severity");
    return 0;
}

/*
 * A client that watches .klint.json files for the server (dynamic
 * registration): saving a rule file the configuration adds, which no
 * watcher covers, reloads; saving the .klint.json itself does not (its
 * watcher reports the change).
 */
static void test_rule_file_saved(void **state)
{
    (void)state;
    static const char *const names[] = {".klint.json", "t.json"};
    static const char tmpl[] = "{\"type\": \"video\", \"model\": \"kling-3.0\", \"input\": "
                               "{\"prompt\": \"a city\", \"resolution\": \"4k\", \"duration\": 5}}";
    static const char *const texts[] = {"{\"rules\": [\"policy.json\"]}\n", tmpl};
    char dir[] = "/tmp/klint-lsp-rules-XXXXXX";
    make_tree(dir, names, texts, 2);
    write_policy(dir, "error");

    live l;
    live_start(&l);
    live_initialize(&l, true);
    live_open(&l, dir, "t.json", tmpl);
    const kl_node *m = live_next(&l);
    assert_int_equal(policy_severity(m), 1);

    write_policy(dir, "warning");
    live_save(&l, dir, "policy.json");
    m = live_next(&l);
    assert_str_at(m, "method", "textDocument/publishDiagnostics");
    assert_int_equal(policy_severity(m), 2);

    live_save(&l, dir, ".klint.json");
    assert_int_equal(live_shutdown(&l), 0); /* nothing was published for that save */
    tu_remove_tree(dir);
}

/* ---- The subcommand ---------------------------------------------------------- */

static int cli(const char *const *args, int n, char **out, char **err)
{
    size_t out_len, err_len;
    FILE *o = open_memstream(out, &out_len);
    FILE *e = open_memstream(err, &err_len);
    char *argv[8];
    for (int i = 0; i < n; i++)
        argv[i] = (char *)args[i];
    int status = kl_cli_main(n, argv, o, e);
    fclose(o);
    fclose(e);
    return status;
}

static void test_subcommand_options(void **state)
{
    (void)state;
    char *out, *err;
    const char *help[] = {"klint", "lsp", "--stdio", "--help"};
    assert_int_equal(cli(help, 4, &out, &err), 0);
    assert_non_null(strstr(out, "Usage: klint lsp"));
    assert_non_null(strstr(out, "--log FILE"));
    free(out);
    free(err);

    const char *bogus[] = {"klint", "lsp", "--tcp"};
    assert_int_equal(cli(bogus, 3, &out, &err), 2);
    assert_non_null(strstr(err, "unknown option '--tcp'"));
    assert_string_equal(out, "");
    free(out);
    free(err);

    const char *no_value[] = {"klint", "lsp", "--log"};
    assert_int_equal(cli(no_value, 3, &out, &err), 2);
    assert_non_null(strstr(err, "'--log' needs a value"));
    free(out);
    free(err);

    const char *bad_log[] = {"klint", "lsp", "--log", "/nonexistent-dir/x.log"};
    assert_int_equal(cli(bad_log, 4, &out, &err), 2);
    assert_non_null(strstr(err, "cannot open log file"));
    free(out);
    free(err);
}

/* `klint --help` names the subcommands, one line each, within 80 columns. */
static void test_help_lists_subcommands(void **state)
{
    (void)state;
    char *out, *err;
    const char *help[] = {"klint", "--help"};
    assert_int_equal(cli(help, 2, &out, &err), 0);
    static const char *const lines[] = {"\n  klint rules  ", "\n  klint explain RULE  ",
                                        "\n  klint lsp  "};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        const char *line = strstr(out, lines[i]);
        if (line == NULL)
            fail_msg("--help does not list '%s':\n%s", lines[i] + 1, out);
        line++;
        size_t len = strcspn(line, "\n");
        assert_true(len > strlen(lines[i]) + 10 && len <= 80); /* a description follows */
    }
    /* the subcommands exist as listed */
    const char *rules_help[] = {"klint", "rules", "--help"};
    const char *explain_help[] = {"klint", "explain", "--help"};
    const char *const *subs[] = {rules_help, explain_help};
    for (size_t i = 0; i < 2; i++) {
        char *o, *e;
        assert_int_equal(cli(subs[i], 3, &o, &e), 0);
        assert_non_null(strstr(o, "Usage: klint "));
        free(o);
        free(e);
    }
    free(out);
    free(err);
}

/* `klint lsp --stdio --log FILE --clientProcessId N` serves stdin/stdout and
 * logs to FILE only: nothing but protocol on stdout, nothing on stderr. */
static void test_subcommand_session(void **state)
{
    (void)state;
    char log_path[] = "/tmp/klint-lsp-log-XXXXXX";
    int log_fd = mkstemp(log_path);
    assert_true(log_fd >= 0);
    close(log_fd);

    session s = {0};
    init_utf16(&s);
    raw(&s, "Content-Length: x\r\n\r\n", 21); /* something to log */
    shutdown_exit(&s);
    FILE *in = tmpfile();
    FILE *out = tmpfile();
    FILE *err = tmpfile();
    fwrite(s.in.ptr, 1, s.in.len, in);
    fflush(in);
    lseek(fileno(in), 0, SEEK_SET);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fileno(in), STDIN_FILENO);
        dup2(fileno(out), STDOUT_FILENO);
        char a0[] = "klint", a1[] = "lsp", a2[] = "--stdio", a3[] = "--log",
             a5[] = "--clientProcessId=42";
        char *argv[] = {a0, a1, a2, a3, log_path, a5, NULL};
        _exit(kl_cli_main(6, argv, stdout, fdopen(fileno(err), "w")));
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    off_t size = lseek(fileno(out), 0, SEEK_END);
    char *bytes = malloc((size_t)size + 1);
    assert_int_equal(pread(fileno(out), bytes, (size_t)size, 0), size);
    parse_output(&s, bytes, (size_t)size); /* strict frames only */
    assert_int_equal(s.n, 2);
    assert_result_null(&s, 999);
    free(bytes);
    assert_int_equal(lseek(fileno(err), 0, SEEK_END), 0);

    FILE *log = fopen(log_path, "r");
    assert_non_null(log);
    char line[256] = "";
    assert_non_null(fgets(line, sizeof(line), log));
    assert_non_null(strstr(line, "bad message header"));
    fclose(log);
    unlink(log_path);
    fclose(in);
    fclose(out);
    fclose(err);
    done(&s);
}

/* A test run once in each encoding, as NAME_utf16 and NAME_utf8. */
/* clang-format off */
#define PER_ENCODING(f)                                                                            \
    {#f "_utf16", f, NULL, NULL, &encodings[0]},                                                   \
    {#f "_utf8", f, NULL, NULL, &encodings[1]}
/* clang-format on */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proto_offset),
        cmocka_unit_test(test_proto_range),
        cmocka_unit_test(test_proto_record_lines),
        cmocka_unit_test(test_proto_strings),
        cmocka_unit_test(test_uri_to_path),
        cmocka_unit_test(test_rule_docs),
        cmocka_unit_test(test_handshake_utf16),
        cmocka_unit_test(test_handshake_encodings),
        cmocka_unit_test(test_dynamic_watch_registration),
        cmocka_unit_test(test_before_initialize),
        cmocka_unit_test(test_shutdown_then_requests),
        cmocka_unit_test(test_exit_codes_at_eof),
        cmocka_unit_test(test_unknown_methods_and_cancel),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_bad_bodies),
        cmocka_unit_test(test_huge_messages),
        cmocka_unit_test(test_truncated_body),
        PER_ENCODING(test_sync),
        PER_ENCODING(test_related),
        PER_ENCODING(test_jsonl),
        cmocka_unit_test(test_jsonl_incremental),
        PER_ENCODING(test_features),
        cmocka_unit_test(test_completion_snippet_support),
        cmocka_unit_test(test_action_diagnostic_as_published),
        PER_ENCODING(test_bare_cr),
        cmocka_unit_test(test_config_reload),
        cmocka_unit_test(test_config_problems),
        cmocka_unit_test(test_config_fixed_on_save),
        cmocka_unit_test(test_rule_file_saved),
        cmocka_unit_test(test_subcommand_options),
        cmocka_unit_test(test_help_lists_subcommands),
        cmocka_unit_test(test_subcommand_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
