/*
 * One LSP session: JSON-RPC messages in, lifecycle, document sync,
 * diagnostics out, feature requests routed to lsp_features.c.
 *
 * Every message body is parsed with klint's own loader. What the client
 * gets back for input that is not a proper message:
 *   - a body that is not JSON (or not UTF-8): ParseError, id null;
 *   - JSON that is not a request or notification object (a batch
 *     included: LSP never sends one): InvalidRequest, with the id when
 *     one can be read, else null;
 *   - a header the framing cannot use: nothing (no id can be known), logged;
 *   - a body over the size limit: InvalidRequest when its id could be
 *     recovered, else a window/showMessage (the document may be stale);
 *   - an unknown request: MethodNotFound; an unknown notification: nothing.
 * The session goes on after each of these.
 */
#include "lsp_server.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "klint/json.h"
#include "lsp_docs.h"
#include "lsp_features.h"
#include "lsp_proto.h"
#include "lsp_rpc.h"

typedef enum session_state { ST_NEW, ST_RUNNING, ST_SHUTDOWN } session_state;

typedef struct server {
    kl_rpc_reader in;
    int out_fd;
    FILE *log;
    size_t max_message;
    session_state state;
    bool exit_now;
    bool broken; /* the client cannot be written to, or memory ran out */
    kl_lsp_encoding enc;
    bool snippets;      /* the client takes snippets in completions */
    bool watch_dynamic; /* the client registers didChangeWatchedFiles dynamically */
    unsigned next_id;   /* for requests the server sends */
    kl_lsp_docs *docs;
    kl_doc *msg; /* the message being handled */
    kl_diags *msg_diags;
    kl_buf out;  /* the message being written */
    kl_buf text; /* scratch for error messages */
} server;

static void say(server *s, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void say(server *s, const char *fmt, ...)
{
    if (s->log == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("klint lsp: ", s->log);
    vfprintf(s->log, fmt, ap);
    fputc('\n', s->log);
    va_end(ap);
    fflush(s->log);
}

/* ---- Writing messages --------------------------------------------------- */

/* Send s->out as one message. */
static int send_out(server *s)
{
    if (kl_buf_failed(&s->out)) {
        say(s, "out of memory while writing a message");
        kl_buf_clear(&s->out);
        return KL_ENOMEM;
    }
    if (kl_rpc_write(s->out_fd, s->out.ptr, s->out.len) != KL_OK) {
        say(s, "cannot write to the client; stopping");
        s->broken = true;
        return KL_EIO;
    }
    return KL_OK;
}

/* An id is echoed as written: a number's lexeme, a string re-encoded. */
static void put_id(kl_buf *b, const kl_node *id)
{
    if (id == NULL)
        kl_buf_puts(b, "null");
    else if (id->kind == KL_JSON_NUMBER)
        kl_buf_put(b, id->u.str, id->len);
    else
        kl_lsp_put_string(b, id->u.str, id->len);
}

static void begin_result(server *s, const kl_node *id)
{
    kl_buf_clear(&s->out);
    kl_buf_puts(&s->out, "{\"jsonrpc\":\"2.0\",\"id\":");
    put_id(&s->out, id);
    kl_buf_puts(&s->out, ",\"result\":");
}

static int end_result(server *s)
{
    kl_buf_putc(&s->out, '}');
    return send_out(s);
}

static int reply_null(server *s, const kl_node *id)
{
    begin_result(s, id);
    kl_buf_puts(&s->out, "null");
    return end_result(s);
}

/* An error response; `raw_id` (a JSON lexeme) is used when `id` is NULL. */
static int reply_error(server *s, const kl_node *id, const char *raw_id, int code, const char *fmt,
                       ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static int reply_error(server *s, const kl_node *id, const char *raw_id, int code, const char *fmt,
                       ...)
{
    kl_buf_clear(&s->text);
    va_list ap;
    va_start(ap, fmt);
    kl_buf_vprintf(&s->text, fmt, ap);
    va_end(ap);
    kl_buf_clear(&s->out);
    kl_buf_puts(&s->out, "{\"jsonrpc\":\"2.0\",\"id\":");
    if (id != NULL || raw_id == NULL || raw_id[0] == '\0')
        put_id(&s->out, id);
    else
        kl_buf_puts(&s->out, raw_id);
    kl_buf_printf(&s->out, ",\"error\":{\"code\":%d,\"message\":", code);
    kl_lsp_put_string(&s->out, s->text.ptr ? s->text.ptr : "", s->text.len);
    kl_buf_puts(&s->out, "}}");
    return send_out(s);
}

static int notify_show_message(server *s, int type, const char *message)
{
    kl_buf_clear(&s->out);
    kl_buf_printf(&s->out,
                  "{\"jsonrpc\":\"2.0\",\"method\":\"window/showMessage\",\"params\":{\"type\":%d,"
                  "\"message\":",
                  type);
    kl_lsp_put_cstr(&s->out, message);
    kl_buf_puts(&s->out, "}}");
    return send_out(s);
}

/* publishDiagnostics for `doc` (its current findings), or [] to clear when `doc` is NULL. */
static int publish(server *s, const kl_lsp_document *doc, const char *uri)
{
    kl_buf_clear(&s->out);
    kl_buf_puts(&s->out, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/publishDiagnostics\","
                         "\"params\":{\"uri\":");
    kl_lsp_put_cstr(&s->out, doc ? doc->uri : uri);
    if (doc != NULL) {
        kl_buf_printf(&s->out, ",\"version\":%lld,\"diagnostics\":", (long long)doc->version);
        kl_lsp_docs_put_diagnostics(s->docs, doc, s->enc, &s->out);
    } else {
        kl_buf_puts(&s->out, ",\"diagnostics\":[]");
    }
    kl_buf_puts(&s->out, "}}");
    return send_out(s);
}

static void show_notice(void *ctx, int type, const char *message)
{
    server *s = ctx;
    say(s, "%s", message);
    if (!s->broken)
        notify_show_message(s, type, message);
}

/* Tell the user about configuration files just loaded that have problems
 * and are not open (an open one has them as its diagnostics). */
static void config_notices(server *s)
{
    kl_lsp_docs_config_notices(s->docs, show_notice, s);
}

/* ---- Reading parameters -------------------------------------------------- */

static const kl_node *get_path2(const kl_node *n, const char *a, const char *b)
{
    return kl_node_getz(kl_node_getz(n, a), b);
}

static bool get_string(const kl_node *n, const char **s, size_t *len)
{
    if (n == NULL || n->kind != KL_JSON_STRING)
        return false;
    *s = n->u.str;
    *len = n->len;
    return true;
}

/* A non-negative integer, saturated to UINT32_MAX. */
static bool get_u32(const kl_node *n, uint32_t *out)
{
    int64_t v;
    if (!kl_node_int64(n, &v) || v < 0)
        return false;
    *out = v > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    return true;
}

/* Byte offset of an LSP Position object in `src` (where the document's
 * positions are counted: kl_lsp_docs_lines). */
static bool get_offset(server *s, const kl_node *pos, const kl_source *src, uint32_t *out)
{
    uint32_t line, character;
    if (!get_u32(kl_node_getz(pos, "line"), &line) ||
        !get_u32(kl_node_getz(pos, "character"), &character))
        return false;
    *out = kl_lsp_offset(src, line, character, s->enc);
    return true;
}

static bool get_span(server *s, const kl_node *range, const kl_source *src, kl_span *out)
{
    uint32_t a, b;
    if (!get_offset(s, kl_node_getz(range, "start"), src, &a) ||
        !get_offset(s, kl_node_getz(range, "end"), src, &b))
        return false;
    *out = kl_span_make(a, b < a ? a : b);
    return true;
}

/* The open document params.textDocument.uri names, or NULL. */
static kl_lsp_document *find_doc(server *s, const kl_node *params)
{
    const char *uri;
    size_t len;
    if (!get_string(get_path2(params, "textDocument", "uri"), &uri, &len))
        return NULL;
    return kl_lsp_docs_find(s->docs, uri, len);
}

/* ---- Lifecycle ------------------------------------------------------------ */

static bool offers(const kl_node *list, const char *value)
{
    for (uint32_t i = 0; list && list->kind == KL_JSON_ARRAY && i < list->len; i++)
        if (kl_node_is_string(&list->u.children[i], value))
            return true;
    return false;
}

static int on_initialize(server *s, const kl_node *id, const kl_node *params)
{
    if (s->state != ST_NEW)
        return reply_error(s, id, NULL, KL_RPC_INVALID_REQUEST, "initialize was already sent");
    const kl_node *caps = kl_node_getz(params, "capabilities");
    /* UTF-16 must always be supported; the loader counts bytes, so UTF-8 when offered. */
    s->enc = offers(get_path2(caps, "general", "positionEncodings"), "utf-8") ? KL_LSP_UTF8
                                                                              : KL_LSP_UTF16;
    const kl_node *snip = get_path2(get_path2(caps, "textDocument", "completion"), "completionItem",
                                    "snippetSupport");
    s->snippets = snip != NULL && snip->kind == KL_JSON_TRUE;
    const kl_node *dyn =
        kl_node_getz(get_path2(caps, "workspace", "didChangeWatchedFiles"), "dynamicRegistration");
    s->watch_dynamic = dyn != NULL && dyn->kind == KL_JSON_TRUE;
    int rc = kl_lsp_docs_new(&s->docs, s->log);
    if (rc != KL_OK)
        return reply_error(s, id, NULL, KL_RPC_INTERNAL_ERROR, "cannot load the rules: %s",
                           kl_error_str(rc));
    s->state = ST_RUNNING;
    begin_result(s, id);
    kl_buf_printf(&s->out,
                  "{\"capabilities\":{\"positionEncoding\":\"%s\","
                  "\"textDocumentSync\":{\"openClose\":true,\"change\":2,"
                  "\"save\":{\"includeText\":false}},"
                  "\"hoverProvider\":true,"
                  "\"completionProvider\":{\"triggerCharacters\":[\"\\\"\",\":\"]},"
                  "\"codeActionProvider\":{\"codeActionKinds\":[\"quickfix\","
                  "\"source.fixAll.klint\"]}},"
                  "\"serverInfo\":{\"name\":\"klint\",\"version\":\"%s\"}}",
                  s->enc == KL_LSP_UTF8 ? "utf-8" : "utf-16", KLINT_VERSION);
    return end_result(s);
}

static int on_initialized(server *s, const kl_node *id, const kl_node *params)
{
    (void)id;
    (void)params;
    if (!s->watch_dynamic)
        return KL_OK;
    /* Be told when any .klint.json changes, to push fresh diagnostics. */
    kl_buf_clear(&s->out);
    kl_buf_printf(
        &s->out,
        "{\"jsonrpc\":\"2.0\",\"id\":\"klint-%u\",\"method\":\"client/registerCapability\","
        "\"params\":{\"registrations\":[{\"id\":\"klint-config-watch\","
        "\"method\":\"workspace/didChangeWatchedFiles\",\"registerOptions\":"
        "{\"watchers\":[{\"globPattern\":\"**/.klint.json\"}]}}]}}",
        ++s->next_id);
    return send_out(s);
}

static int on_shutdown(server *s, const kl_node *id, const kl_node *params)
{
    (void)params;
    s->state = ST_SHUTDOWN;
    return reply_null(s, id);
}

static int on_exit(server *s, const kl_node *id, const kl_node *params)
{
    (void)id;
    (void)params;
    s->exit_now = true;
    return KL_OK;
}

static int on_cancel(server *s, const kl_node *id, const kl_node *params)
{
    (void)s;
    (void)id;
    (void)params;
    /* Requests are answered one at a time, before the next message is
     * read: by the time a cancellation arrives its request is answered. */
    return KL_OK;
}

/* ---- Document synchronisation -------------------------------------------- */

static int on_did_open(server *s, const kl_node *id, const kl_node *params)
{
    (void)id;
    const kl_node *td = kl_node_getz(params, "textDocument");
    const char *uri, *text, *lang = NULL;
    size_t uri_len, text_len, lang_len;
    int64_t version = 0;
    if (!get_string(kl_node_getz(td, "uri"), &uri, &uri_len) ||
        !get_string(kl_node_getz(td, "text"), &text, &text_len)) {
        say(s, "didOpen without textDocument.uri and .text: ignored");
        return KL_OK;
    }
    kl_node_int64(kl_node_getz(td, "version"), &version);
    if (!get_string(kl_node_getz(td, "languageId"), &lang, &lang_len)) {
        lang = NULL;
        lang_len = 0;
    }
    kl_lsp_document *doc = NULL;
    int rc = kl_lsp_docs_open(s->docs, uri, uri_len, lang, lang_len, version, text, text_len, &doc);
    if (rc == KL_ETOOBIG) {
        say(s, "didOpen: the document is over 4 GiB: not kept");
        return KL_OK;
    }
    if (rc < 0 && doc == NULL)
        return rc;
    if (rc < 0)
        say(s, "%s: linting failed: %s", doc->uri, kl_error_str(rc));
    rc = publish(s, doc, NULL);
    config_notices(s);
    return rc;
}

static int on_did_change(server *s, const kl_node *id, const kl_node *params)
{
    (void)id;
    kl_lsp_document *doc = find_doc(s, params);
    if (doc == NULL) {
        say(s, "didChange for a document that is not open: ignored");
        return KL_OK;
    }
    const kl_node *changes = kl_node_getz(params, "contentChanges");
    for (uint32_t i = 0; changes && changes->kind == KL_JSON_ARRAY && i < changes->len; i++) {
        const kl_node *c = &changes->u.children[i];
        const char *text;
        size_t len;
        if (!get_string(kl_node_getz(c, "text"), &text, &len)) {
            say(s, "%s: a change without text: skipped (the document may be out of sync)",
                doc->uri);
            continue;
        }
        const kl_node *range = kl_node_getz(c, "range");
        kl_span span = kl_span_make(0, (uint32_t)doc->len);
        if (range != NULL && !get_span(s, range, kl_lsp_docs_lines(doc), &span)) {
            say(s, "%s: a change with a bad range: skipped", doc->uri);
            continue;
        }
        int rc = kl_lsp_docs_edit(doc, span, text, len);
        if (rc != KL_OK) {
            say(s, "%s: cannot apply a change: %s", doc->uri, kl_error_str(rc));
            if (rc == KL_ENOMEM)
                return rc;
        }
    }
    int64_t version;
    if (kl_node_int64(get_path2(params, "textDocument", "version"), &version))
        doc->version = version;
    /* A configuration file's problems are those of the file as saved: they
     * are published again when it is saved, not while it is edited. */
    if (doc->config)
        return KL_OK;
    int rc = kl_lsp_docs_lint(s->docs, doc);
    if (rc < 0)
        say(s, "%s: linting failed: %s", doc->uri, kl_error_str(rc));
    return publish(s, doc, NULL);
}

static int on_did_close(server *s, const kl_node *id, const kl_node *params)
{
    (void)id;
    const char *uri;
    size_t len;
    if (!get_string(get_path2(params, "textDocument", "uri"), &uri, &len))
        return KL_OK;
    kl_lsp_document *doc = kl_lsp_docs_find(s->docs, uri, len);
    if (doc == NULL)
        return KL_OK;
    /* A closed single file keeps no findings: clear them in the editor. */
    kl_buf_clear(&s->text);
    kl_buf_puts(&s->text, doc->uri);
    kl_lsp_docs_close(s->docs, doc);
    if (kl_buf_failed(&s->text))
        return KL_ENOMEM;
    return publish(s, NULL, s->text.ptr);
}

/* A configuration or rule file changed on disk: load them again, lint and
 * publish every open document again, and tell about new problems. */
static void reload_configs(server *s)
{
    say(s, "configuration changed: linting every open document again");
    int rc = kl_lsp_docs_reload(s->docs);
    if (rc < 0)
        say(s, "reloading failed: %s", kl_error_str(rc));
    for (size_t i = 0; i < kl_lsp_docs_count(s->docs) && !s->broken; i++)
        publish(s, kl_lsp_docs_at(s->docs, i), NULL);
    config_notices(s);
}

/* The file a change or save is about, when it is a configuration or rule
 * file in use (or named .klint.json): malloc'd, else NULL. */
static char *watched_path(server *s, const kl_node *uri_node)
{
    const char *uri;
    size_t len;
    if (!get_string(uri_node, &uri, &len))
        return NULL;
    char *path = kl_lsp_uri_to_path(uri, len);
    if (path != NULL && !kl_lsp_docs_watches(s->docs, path)) {
        free(path);
        path = NULL;
    }
    return path;
}

static int on_watched_files(server *s, const kl_node *id, const kl_node *params)
{
    (void)id;
    const kl_node *changes = kl_node_getz(params, "changes");
    bool reload = false;
    for (uint32_t i = 0; !reload && changes && changes->kind == KL_JSON_ARRAY && i < changes->len;
         i++) {
        char *path = watched_path(s, kl_node_getz(&changes->u.children[i], "uri"));
        reload = path != NULL;
        free(path);
    }
    if (reload)
        reload_configs(s);
    return KL_OK;
}

/* Saving a configuration or rule file in the editor is how the server
 * learns that it changed, unless the client watches it for the server
 * already (a .klint.json, when the client took the registration: the file
 * change comes as workspace/didChangeWatchedFiles). */
static int on_did_save(server *s, const kl_node *id, const kl_node *params)
{
    (void)id;
    char *path = watched_path(s, get_path2(params, "textDocument", "uri"));
    if (path == NULL)
        return KL_OK;
    const char *slash = strrchr(path, '/');
    bool config = strcmp(slash ? slash + 1 : path, KL_CONFIG_NAME) == 0;
    free(path);
    if (!(config && s->watch_dynamic))
        reload_configs(s);
    return KL_OK;
}

/* ---- Features ------------------------------------------------------------ */

/*
 * The document a position request is about and the byte offset of
 * params.position, as lsp_features.h wants them: for JSON Lines, the
 * record on that line (offset relative to it). @return false when the
 * document is not open, is a configuration file, or there is no record at
 * the position.
 */
static bool feature_target(server *s, const kl_node *params, kl_lsp_doc *view, kl_source *rec,
                           uint32_t *offset)
{
    kl_lsp_document *doc = find_doc(s, params);
    if (doc == NULL || doc->config ||
        !get_offset(s, kl_node_getz(params, "position"), kl_lsp_docs_lines(doc), offset))
        return false;
    kl_lsp_docs_view(s->docs, doc, s->enc, view);
    view->no_snippets = !s->snippets;
    if (doc->jsonl) {
        uint32_t base;
        if (!kl_lsp_docs_record(doc, *offset, rec, &base))
            return false;
        view->src = rec;
        view->lines = kl_lsp_docs_lines(doc);
        view->lines_base = base;
        *offset -= base;
    }
    return true;
}

/* A request about a position (hover, completion): `answer` writes its result, null when
 * feature_target finds nothing there. */
typedef int (*position_fn)(const kl_lsp_doc *doc, uint32_t offset, kl_buf *out);

static int position_request(server *s, const kl_node *id, const kl_node *params, position_fn answer)
{
    kl_lsp_doc view;
    kl_source rec;
    uint32_t offset;
    if (!feature_target(s, params, &view, &rec, &offset))
        return reply_null(s, id);
    begin_result(s, id);
    int rc = answer(&view, offset, &s->out);
    if (rc != KL_OK)
        return rc;
    return end_result(s);
}

static int on_hover(server *s, const kl_node *id, const kl_node *params)
{
    return position_request(s, id, params, kl_lsp_hover);
}

static int on_completion(server *s, const kl_node *id, const kl_node *params)
{
    return position_request(s, id, params, kl_lsp_completion);
}

/* True when a CodeActionContext.only list asks for source.fixAll.klint (or a parent kind). */
static bool wants_fix_all(const kl_node *only)
{
    if (only == NULL || only->kind != KL_JSON_ARRAY)
        return true;
    static const char kind[] = "source.fixAll.klint";
    for (uint32_t i = 0; i < only->len; i++) {
        const kl_node *k = &only->u.children[i];
        if (k->kind == KL_JSON_STRING && k->len <= sizeof(kind) - 1 &&
            memcmp(k->u.str, kind, k->len) == 0 &&
            (k->len == sizeof(kind) - 1 || kind[k->len] == '.'))
            return true;
    }
    return false;
}

static int on_code_action(server *s, const kl_node *id, const kl_node *params)
{
    kl_lsp_document *doc = find_doc(s, params);
    kl_span range;
    if (doc == NULL || !get_span(s, kl_node_getz(params, "range"), kl_lsp_docs_lines(doc), &range))
        return reply_null(s, id);
    kl_lsp_doc view;
    kl_lsp_docs_view(s->docs, doc, s->enc, &view);
    /* Fix-all covers the document; for JSON Lines, the record holding the
     * range's start (a whole batch rewritten at each request would be slow
     * and is rarely what is meant). */
    kl_span scope = kl_span_make(0, (uint32_t)doc->len);
    bool fix_all = wants_fix_all(get_path2(params, "context", "only"));
    if (fix_all && doc->jsonl) {
        kl_source rec;
        uint32_t base;
        fix_all = kl_lsp_docs_record(doc, range.start, &rec, &base);
        if (fix_all)
            scope = kl_span_make(base, base + rec.len);
    }
    begin_result(s, id);
    int rc = kl_lsp_code_actions(&view, doc->diags, range, fix_all ? &scope : NULL, &s->out);
    return rc != KL_OK ? rc : end_result(s);
}

/* ---- Dispatch ----------------------------------------------------------- */

typedef int (*handler_fn)(server *s, const kl_node *id, const kl_node *params);

typedef struct method {
    const char *name;
    bool request; /* answered; false: a notification */
    handler_fn fn;
} method;

static const method methods[] = {
    {"initialize", true, on_initialize},
    {"initialized", false, on_initialized},
    {"shutdown", true, on_shutdown},
    {"exit", false, on_exit},
    {"$/cancelRequest", false, on_cancel},
    {"textDocument/didOpen", false, on_did_open},
    {"textDocument/didChange", false, on_did_change},
    {"textDocument/didClose", false, on_did_close},
    {"textDocument/didSave", false, on_did_save},
    {"workspace/didChangeWatchedFiles", false, on_watched_files},
    {"textDocument/hover", true, on_hover},
    {"textDocument/completion", true, on_completion},
    {"textDocument/codeAction", true, on_code_action},
};

static const method *find_method(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strlen(methods[i].name) == len && memcmp(methods[i].name, name, len) == 0)
            return &methods[i];
    return NULL;
}

static bool is_named(const kl_node *n, const char *name)
{
    return n != NULL && n->kind == KL_JSON_STRING && strlen(name) == n->len &&
           memcmp(n->u.str, name, n->len) == 0;
}

/* The first error the loader reported, for a ParseError's message. */
static void describe_parse_error(server *s, kl_buf *b)
{
    for (size_t i = 0; i < kl_diags_count(s->msg_diags); i++) {
        const kl_diag *d = kl_diags_at(s->msg_diags, i);
        if (d->severity == KL_SEV_ERROR) {
            kl_buf_printf(b, "%s (at byte %u)", d->message, (unsigned)d->span.start);
            return;
        }
    }
    kl_buf_puts(b, "not JSON");
}

static int handle_message(server *s, const char *body, size_t len)
{
    kl_source src;
    int rc = kl_source_init_view(&src, "message", body, len);
    if (rc == KL_OK) {
        kl_diags_clear(s->msg_diags);
        rc = kl_doc_parse(s->msg, &src, s->msg_diags);
    }
    if (rc != KL_OK) {
        kl_source_dispose(&src);
        return reply_error(s, NULL, NULL, KL_RPC_INTERNAL_ERROR, "cannot read the message: %s",
                           kl_error_str(rc));
    }
    const kl_node *root = kl_doc_root(s->msg);
    if (root == NULL) {
        kl_buf b = KL_BUF_INIT;
        describe_parse_error(s, &b);
        say(s, "a message that is not JSON: %s", kl_buf_cstr(&b));
        rc = reply_error(s, NULL, NULL, KL_RPC_PARSE_ERROR, "Parse error: %s", kl_buf_cstr(&b));
        kl_buf_dispose(&b);
        goto done;
    }
    if (root->kind == KL_JSON_ARRAY) {
        rc = reply_error(s, NULL, NULL, KL_RPC_INVALID_REQUEST,
                         "a batch (JSON array): the Language Server Protocol does not use them");
        goto done;
    }
    if (root->kind != KL_JSON_OBJECT) {
        rc = reply_error(s, NULL, NULL, KL_RPC_INVALID_REQUEST,
                         "a message must be a JSON object, not %s",
                         kl_json_kind_name((kl_json_kind)root->kind));
        goto done;
    }
    const kl_node *id = kl_node_getz(root, "id");
    const kl_node *method_node = kl_node_getz(root, "method");
    const kl_node *params = kl_node_getz(root, "params");
    bool id_ok = id != NULL && (id->kind == KL_JSON_NUMBER || id->kind == KL_JSON_STRING);

    if (id != NULL && !id_ok) {
        rc = reply_error(s, NULL, NULL, KL_RPC_INVALID_REQUEST,
                         "the id must be an integer or a string");
        goto done;
    }
    if (!is_named(kl_node_getz(root, "jsonrpc"), "2.0")) {
        /* Not a JSON-RPC 2.0 message at all: an Invalid Request, answered
         * with its id, or null when it has none. */
        rc = reply_error(s, id, NULL, KL_RPC_INVALID_REQUEST,
                         "the message needs \"jsonrpc\": \"2.0\"");
        goto done;
    }
    if (method_node == NULL && id != NULL &&
        (kl_node_getz(root, "result") != NULL || kl_node_getz(root, "error") != NULL)) {
        /* The client's answer to one of our requests (registerCapability). */
        if (kl_node_getz(root, "error") != NULL)
            say(s, "the client answered a request of ours with an error");
        rc = KL_OK;
        goto done;
    }
    if (method_node == NULL || method_node->kind != KL_JSON_STRING) {
        if (id != NULL)
            rc = reply_error(s, id, NULL, KL_RPC_INVALID_REQUEST,
                             "the message has no \"method\" string");
        else
            rc = reply_error(s, NULL, NULL, KL_RPC_INVALID_REQUEST,
                             "a message with neither \"method\" nor \"id\"");
        goto done;
    }
    /* "params": null is not JSON-RPC 2.0, but clients send it (Emacs's
     * jsonrpc for shutdown): read it as no params. */
    if (params != NULL && params->kind == KL_JSON_NULL)
        params = NULL;
    if (params != NULL && params->kind != KL_JSON_OBJECT && params->kind != KL_JSON_ARRAY) {
        rc = id ? reply_error(s, id, NULL, KL_RPC_INVALID_REQUEST,
                              "\"params\" must be an object or an array")
                : KL_OK;
        goto done;
    }

    const char *name = method_node->u.str;
    size_t name_len = method_node->len;
    bool is_request = id != NULL;
    const method *m = find_method(name, name_len);
    bool is_exit = m != NULL && m->fn == on_exit;

    if (s->state == ST_NEW && !(m != NULL && m->fn == on_initialize) && !is_exit) {
        rc = is_request ? reply_error(s, id, NULL, KL_RPC_SERVER_NOT_INITIALIZED,
                                      "the server is not initialized yet")
                        : KL_OK;
        goto done;
    }
    if (s->state == ST_SHUTDOWN && !is_exit) {
        rc = is_request
                 ? reply_error(s, id, NULL, KL_RPC_INVALID_REQUEST, "the server is shutting down")
                 : KL_OK;
        goto done;
    }
    if (m == NULL || m->request != is_request) {
        if (is_request)
            rc = reply_error(s, id, NULL, KL_RPC_METHOD_NOT_FOUND, "unknown method '%.*s'",
                             (int)(name_len > 200 ? 200 : name_len), name);
        else
            rc = KL_OK; /* unknown notifications, $/ ones included, are ignored */
        goto done;
    }
    rc = m->fn(s, id, params);
    /* A handler that fails has sent nothing: every request gets an answer
     * (unless the client can no longer be written to). */
    if (rc < 0 && rc != KL_EIO && is_request)
        rc = reply_error(s, id, NULL, KL_RPC_INTERNAL_ERROR, "%s", kl_error_str(rc));
done:
    kl_source_dispose(&src);
    return rc;
}

static void handle_too_big(server *s, const kl_rpc_frame *f)
{
    say(s, "a message of %zu bytes is over the limit of %zu bytes: skipped", f->len,
        s->max_message);
    if (f->id[0] != '\0') {
        reply_error(s, NULL, f->id, KL_RPC_INVALID_REQUEST,
                    "the message has %zu bytes, more than the %zu this server accepts", f->len,
                    s->max_message);
    } else if (s->state == ST_RUNNING) {
        kl_buf_clear(&s->text);
        kl_buf_printf(&s->text,
                      "klint: a message of %zu bytes was ignored (the limit is %zu): the "
                      "diagnostics of the document it changed may be out of date",
                      f->len, s->max_message);
        if (!kl_buf_failed(&s->text))
            notify_show_message(s, 1, s->text.ptr);
    }
}

int kl_lsp_serve(const kl_lsp_options *opts)
{
    server s;
    memset(&s, 0, sizeof(s));
    s.out_fd = opts->out_fd;
    s.log = opts->log;
    s.max_message = opts->max_message ? opts->max_message : KL_RPC_DEFAULT_MAX_BODY;
    s.out = (kl_buf)KL_BUF_INIT;
    s.text = (kl_buf)KL_BUF_INIT;
    kl_rpc_reader_init(&s.in, opts->in_fd, s.max_message);
    if (kl_doc_new(&s.msg, NULL) != KL_OK || kl_diags_new(&s.msg_diags) != KL_OK) {
        say(&s, "out of memory");
        s.broken = true;
    }

    while (!s.exit_now && !s.broken) {
        kl_rpc_frame f;
        kl_rpc_status st = kl_rpc_read(&s.in, &f);
        if (st == KL_RPC_EOF) {
            say(&s, "end of input");
            break;
        }
        switch (st) {
        case KL_RPC_MESSAGE:
            if (handle_message(&s, f.body, f.len) == KL_ENOMEM)
                say(&s, "out of memory while handling a message");
            break;
        case KL_RPC_BAD_HEADER:
            say(&s, "bad message header (%s): skipped to the next Content-Length", f.problem);
            break;
        case KL_RPC_TOO_BIG:
            handle_too_big(&s, &f);
            break;
        case KL_RPC_TRUNCATED:
            say(&s, "%s", f.problem);
            break;
        case KL_RPC_IO_ERROR:
        case KL_RPC_NOMEM:
            say(&s, "cannot read messages: %s", f.problem);
            s.broken = true;
            break;
        case KL_RPC_EOF:
            break;
        }
    }

    int status = s.state == ST_SHUTDOWN && !s.broken ? 0 : 1;
    kl_rpc_reader_dispose(&s.in);
    kl_lsp_docs_free(s.docs);
    kl_doc_free(s.msg);
    kl_diags_free(s.msg_diags);
    kl_buf_dispose(&s.out);
    kl_buf_dispose(&s.text);
    return status;
}
