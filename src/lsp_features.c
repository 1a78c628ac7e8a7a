/*
 * Hover, completion and code actions for `klint lsp`.
 *
 * Every answer comes from the rule tables and the engine the linter uses:
 * what a field is and allows is read from the profile's field and rows (the
 * words `klint rules` prints), whether a value is allowed is the engine's
 * own findings at that value, and a quick fix is a fix the engine built.
 *
 * Each request looks at the document afresh (a "view": the strict tree when
 * the text parses, the document's profile, an engine for findings), so the
 * functions keep nothing between calls. While the text does not parse (it
 * is being typed), a tolerant scan (lsp_scan.h) says where the cursor is and
 * a repaired copy of the text tells the profile.
 */
#include "lsp_features.h"

#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "cli_rules.h"
#include "engine.h"
#include "fix_apply.h"
#include "klint/json.h"
#include "klint/path.h"
#include "lsp_scan.h"
#include "rules.h"

/* LSP enumerations used here. */
enum {
    KIND_PROPERTY = 10,    /* CompletionItemKind.Property */
    KIND_ENUM_MEMBER = 20, /* CompletionItemKind.EnumMember */
    FORMAT_PLAIN = 1,      /* InsertTextFormat.PlainText */
    FORMAT_SNIPPET = 2,    /* InsertTextFormat.Snippet */
};

/* ---- The view: tree, profile, engine ---------------------------------------- */

typedef struct view {
    const kl_lsp_doc *doc;
    const kl_source *src;
    kl_engine *engine;
    kl_doc *tree;
    const kl_node *root;       /* NULL when the text does not parse */
    const kl_profile *profile; /* forced or detected; NULL when none */
    bool forced;
    kl_diags *scratch; /* the loader's findings (not used) */
    kl_diags *notes;   /* why no profile was found */
    kl_buf fixed;      /* the repaired text, when the text does not parse */
    kl_source fixed_src;
    kl_doc *fixed_tree;
} view;

/*
 * Profile detection exactly as the engine does it (profile.c), on any
 * parsed root: a detection-only context, no slots, no rows run.
 */
static int detect(view *v, const kl_node *root, const kl_source *src)
{
    kl_ctx c;
    memset(&c, 0, sizeof(c));
    c.e = v->engine;
    c.src = src;
    c.root = root;
    c.out = v->notes;
    c.first_diag = kl_diags_count(v->notes);
    c.item_field = KL_NONE;
    int rc = KL_OK;
    v->profile = kl_profile_select(&c, &rc);
    return rc;
}

static void view_close(view *v)
{
    kl_doc_free(v->fixed_tree);
    kl_buf_dispose(&v->fixed);
    kl_doc_free(v->tree);
    kl_diags_free(v->scratch);
    kl_diags_free(v->notes);
    kl_engine_free(v->engine);
}

static int view_open(view *v, const kl_lsp_doc *doc)
{
    memset(v, 0, sizeof(*v));
    v->doc = doc;
    v->src = doc->src;
    if (doc->rules == NULL || doc->src == NULL)
        return KL_OK;
    int rc = kl_engine_new(&v->engine, doc->rules);
    if (rc == KL_OK)
        rc = kl_diags_new(&v->scratch);
    if (rc == KL_OK)
        rc = kl_diags_new(&v->notes);
    if (rc == KL_OK)
        rc = kl_doc_new(&v->tree, NULL);
    if (rc == KL_OK)
        rc = kl_doc_parse(v->tree, v->src, v->scratch);
    if (rc != KL_OK)
        return rc;
    v->root = kl_doc_root(v->tree);
    if (doc->profile != NULL) {
        v->profile = kl_ruleset_find_profile(doc->rules, doc->profile);
        v->forced = v->profile != NULL;
        if (v->forced)
            return KL_OK;
    }
    if (v->root != NULL)
        return detect(v, v->root, v->src);

    /* Being typed: detect on what of the text is well formed. */
    kl_lsp_scan_repair(v->src->data, v->src->len, &v->fixed);
    if (kl_buf_failed(&v->fixed))
        return KL_ENOMEM;
    if (v->fixed.len == 0 || v->fixed.len > UINT32_MAX)
        return KL_OK;
    kl_source_init_line(&v->fixed_src, v->src->name, v->fixed.ptr, (uint32_t)v->fixed.len, 1);
    kl_diags_clear(v->scratch);
    rc = kl_doc_new(&v->fixed_tree, NULL);
    if (rc == KL_OK)
        rc = kl_doc_parse(v->fixed_tree, &v->fixed_src, v->scratch);
    if (rc == KL_OK && kl_doc_root(v->fixed_tree) != NULL)
        rc = detect(v, kl_doc_root(v->fixed_tree), &v->fixed_src);
    return rc;
}

/* The profiles to answer from: the document's, or (none found) every one. */
static size_t view_profile_count(const view *v)
{
    if (v->profile != NULL)
        return 1;
    return v->doc->rules ? kl_ruleset_profile_count(v->doc->rules) : 0;
}

static const kl_profile *view_profile_at(const view *v, size_t i)
{
    return v->profile ? v->profile : kl_ruleset_profile_at(v->doc->rules, i);
}

/* ---- Fields for places --------------------------------------------------------- */

static uint16_t field_of_node(const kl_profile *p, const kl_node *n)
{
    if (n->parent == NULL)
        return 0;
    uint16_t pf = field_of_node(p, n->parent);
    if (pf == KL_NONE)
        return KL_NONE;
    if (n->parent->kind == KL_JSON_OBJECT)
        return kl_field_child(p, pf, n->key, n->key_len);
    return p->fields[pf].item_child;
}

static uint16_t field_of_path(const kl_profile *p, const char *text, const kl_lsp_scan_step *path,
                              uint32_t n, kl_buf *tmp)
{
    uint16_t f = 0;
    for (uint32_t i = 0; i < n && f != KL_NONE; i++) {
        if (path[i].bad)
            return KL_NONE;
        if (path[i].item) {
            f = p->fields[f].item_child;
            continue;
        }
        kl_buf_clear(tmp);
        kl_lsp_scan_decode(text, path[i].key, tmp);
        f = kl_field_child(p, f, kl_buf_cstr(tmp), tmp->len);
    }
    return f;
}

static bool is_check(const kl_row *r, const char *name)
{
    return strcmp(r->check->name, name) == 0;
}

/* A helper buffer's allocation failure is the result's: `b` is marked failed too. */
static void carry_failure(kl_buf *b, const kl_buf *helper)
{
    if (kl_buf_failed(helper))
        b->failed = true;
}

/* ---- Markdown ------------------------------------------------------------------- */

/* Prose from the rule files or a message: its `code spans` are kept as written, and outside
 * them every character markdown would read as markup is escaped ("[*]", "snake_case"). */
static void md_prose(kl_buf *b, const char *s, size_t len)
{
    size_t ticks = 0;
    for (size_t i = 0; i < len; i++)
        ticks += s[i] == '`';
    bool code = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '`' && ticks % 2 == 0) {
            code = !code;
            kl_buf_putc(b, c);
            continue;
        }
        if (!code && strchr("\\`*_[]<>|#", c) != NULL && c != '\0')
            kl_buf_putc(b, '\\');
        kl_buf_putc(b, c == '\n' ? ' ' : c);
    }
}

static void md_prose_z(kl_buf *b, const char *s)
{
    md_prose(b, s, strlen(s));
}

/* A code span holding `s` exactly, whatever backticks it has. */
static void md_code(kl_buf *b, const char *s, size_t len)
{
    size_t run = 0, longest = 0;
    for (size_t i = 0; i < len; i++) {
        run = s[i] == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    bool pad = len > 0 && (s[0] == '`' || s[len - 1] == '`');
    for (size_t i = 0; i <= longest; i++)
        kl_buf_putc(b, '`');
    if (pad)
        kl_buf_putc(b, ' ');
    for (size_t i = 0; i < len; i++)
        kl_buf_putc(b, s[i] == '\n' ? ' ' : s[i]);
    if (pad)
        kl_buf_putc(b, ' ');
    for (size_t i = 0; i <= longest; i++)
        kl_buf_putc(b, '`');
}

static void md_code_z(kl_buf *b, const char *s)
{
    md_code(b, s, strlen(s));
}

/* A value as a markdown code span (clipped as messages clip values). */
static void md_value(kl_buf *b, const kl_node *n, kl_buf *tmp)
{
    kl_buf_clear(tmp);
    kl_msg_value(tmp, n, false);
    md_code(b, kl_buf_cstr(tmp), tmp->len);
}

/* ---- What a field is and allows ----------------------------------------------------- */

/* A list of NUL-separated strings, for "already there" and "already offered". */
static bool in_list(const kl_buf *list, const char *s, size_t len)
{
    for (size_t at = 0; at < list->len; at += strlen(list->ptr + at) + 1)
        if (strlen(list->ptr + at) == len && memcmp(list->ptr + at, s, len) == 0)
            return true;
    return false;
}

static void list_add(kl_buf *list, const char *s, size_t len)
{
    kl_buf_put(list, s, len);
    kl_buf_putc(list, '\0');
}

static void put_types(kl_buf *b, uint32_t types)
{
    size_t n = 0;
    for (uint32_t bit = 1; bit <= KL_T_NULL; bit <<= 1)
        if (types & bit)
            kl_buf_printf(b, "%s%s", n++ ? " or " : "", kl_type_name(bit));
}

/* Source keys, ", "-joined in `keys`, each once across calls (`seen` holds the ones given). */
static void put_sources(kl_buf *b, const kl_profile *p, const char *keys, kl_buf *seen)
{
    const char *s = keys;
    while (s != NULL && *s) {
        const char *e = strstr(s, ", ");
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (!in_list(seen, s, len)) {
            list_add(seen, s, len);
            size_t tlen = 0;
            const char *text = kl_profile_source_text(p, s, len, &tlen);
            kl_buf_puts(b, "  - ");
            md_code(b, s, len);
            if (text != NULL) {
                kl_buf_puts(b, ": ");
                if (tlen > 8 &&
                    (strncmp(text, "https://", 8) == 0 || strncmp(text, "http://", 7) == 0) &&
                    memchr(text, ' ', tlen) == NULL && memchr(text, '>', tlen) == NULL) {
                    kl_buf_putc(b, '<');
                    kl_buf_put(b, text, tlen);
                    kl_buf_putc(b, '>');
                } else {
                    md_prose(b, text, tlen);
                }
            }
            kl_buf_putc(b, '\n');
        }
        s = e ? e + 2 : s + len;
    }
}

/* The markdown for field `f` of `p`: description, type, required, default, what the rows
 * allow, members, constraints ids, sources. */
static void field_md(kl_buf *b, const kl_profile *p, uint16_t f, kl_buf *tmp)
{
    const kl_field *fl = &p->fields[f];
    kl_buf_puts(b, "**");
    if (fl->step == KL_STEP_MEMBER)
        md_code(b, fl->name, fl->name_len);
    else
        md_code_z(b, f == 0 ? "$" : fl->path);
    kl_buf_puts(b, "**");
    if (fl->step == KL_STEP_MEMBER && fl->parent != 0) {
        kl_buf_puts(b, " in ");
        md_code_z(b, p->fields[fl->parent].path);
    }
    if (fl->types) {
        kl_buf_puts(b, " \xc2\xb7 ");
        put_types(b, fl->types);
    }
    kl_buf_puts(b, "\n\n");
    if (fl->description) {
        md_prose_z(b, fl->description);
        kl_buf_puts(b, "\n\n");
    }

    /* Required: always, or under conditions (an unconditional row says all). */
    bool always = false;
    for (uint32_t i = 0; i < p->n_rows; i++)
        always |= p->rows[i].at == f && p->rows[i].when < 0 && is_check(&p->rows[i], "required");
    size_t n_when = 0;
    for (uint32_t i = 0; !always && i < p->n_rows; i++) {
        const kl_row *r = &p->rows[i];
        if (r->at != f || !is_check(r, "required"))
            continue;
        kl_buf_puts(b, n_when++ ? " or when " : "- **Required** when ");
        kl_buf_clear(tmp);
        kl_rules_describe_cond(tmp, p, r->when);
        md_code(b, kl_buf_cstr(tmp), tmp->len);
    }
    if (always)
        kl_buf_puts(b, "- **Required**\n");
    else if (n_when)
        kl_buf_putc(b, '\n');
    else if (fl->step == KL_STEP_MEMBER)
        kl_buf_puts(b, "- Optional\n");

    if (fl->dflt != NULL || fl->n_cases > 0) {
        kl_buf_puts(b, "- **Default:** ");
        for (uint16_t i = 0; i < fl->n_cases; i++) {
            md_value(b, fl->cases[i].value, tmp);
            kl_buf_puts(b, " when ");
            kl_buf_clear(tmp);
            kl_rules_describe_cond(tmp, p, fl->cases[i].when);
            md_code(b, kl_buf_cstr(tmp), tmp->len);
            kl_buf_puts(b, "; ");
        }
        if (fl->n_cases > 0)
            kl_buf_puts(b, fl->dflt ? "otherwise " : "otherwise none");
        if (fl->dflt != NULL)
            md_value(b, fl->dflt, tmp);
        kl_buf_putc(b, '\n');
    }

    /* What each row at this field allows (the type and `required` are said above). */
    size_t n_rows = 0;
    for (uint32_t i = 0; i < p->n_rows; i++) {
        const kl_row *r = &p->rows[i];
        if (r->at != f || (r->implied && (is_check(r, "type") || is_check(r, "required"))))
            continue;
        if (n_rows++ == 0)
            kl_buf_puts(b, "- **Checks:**\n");
        kl_buf_puts(b, "  - ");
        if (r->summary != NULL) {
            md_prose_z(b, r->summary);
        } else if (is_check(r, "enum") || is_check(r, "not-enum")) {
            kl_buf_puts(b, is_check(r, "enum") ? "one of " : "none of ");
            for (uint32_t k = 0; r->p.values && k < r->p.values->len; k++) {
                if (k)
                    kl_buf_puts(b, ", ");
                kl_buf_clear(tmp);
                kl_msg_json(tmp, &r->p.values->u.children[k]);
                md_code(b, kl_buf_cstr(tmp), tmp->len);
            }
        } else {
            kl_buf_clear(tmp);
            kl_rules_describe_row(tmp, p, r);
            md_prose(b, kl_buf_cstr(tmp), tmp->len);
        }
        if (r->when >= 0 && r->summary == NULL) {
            kl_buf_puts(b, ", when ");
            kl_buf_clear(tmp);
            kl_rules_describe_cond(tmp, p, r->when);
            md_code(b, kl_buf_cstr(tmp), tmp->len);
        }
        kl_buf_printf(b, " (%s ", kl_severity_name(r->severity));
        md_code_z(b, r->id);
        kl_buf_puts(b, ")\n");
    }

    if (fl->n_children > 0) {
        kl_buf_puts(b, fl->unknown_allow ? "- **Fields** (any other key is accepted): "
                                         : "- **Fields:** ");
        for (uint16_t k = 0; k < fl->n_children; k++) {
            const kl_field *ch = &p->fields[fl->children[k]];
            if (k)
                kl_buf_puts(b, ", ");
            md_code(b, ch->name, ch->name_len);
        }
        kl_buf_putc(b, '\n');
    }
    if (fl->doc != NULL) {
        kl_buf_puts(b, "- **Constraints:** ");
        md_prose_z(b, fl->doc);
        kl_buf_putc(b, '\n');
    }

    kl_buf seen = KL_BUF_INIT;
    kl_buf src = KL_BUF_INIT;
    put_sources(&src, p, fl->source, &seen);
    for (uint32_t i = 0; i < p->n_rows; i++)
        if (p->rows[i].at == f)
            put_sources(&src, p, p->rows[i].source, &seen);
    if (src.len > 0) {
        kl_buf_puts(b, "- **Source:**\n");
        kl_buf_put(b, src.ptr, src.len);
    }
    carry_failure(b, &seen);
    carry_failure(b, &src);
    kl_buf_dispose(&seen);
    kl_buf_dispose(&src);
}

static void profile_md(kl_buf *b, const view *v)
{
    kl_buf_puts(b, "\n*Profile* ");
    md_code_z(b, v->profile->id);
    kl_buf_puts(b, " (");
    md_prose_z(b, v->profile->provider);
    kl_buf_puts(b, v->forced ? ", from the configuration)" : ", detected)");
}

/* Why the document has no profile: the detection's own finding. */
static void no_profile_md(kl_buf *b, const view *v)
{
    kl_buf_puts(b, "**No profile** for this document");
    if (v->notes != NULL && kl_diags_count(v->notes) > 0) {
        kl_buf_puts(b, ": ");
        md_prose_z(b, kl_diags_at(v->notes, 0)->message);
    } else if (v->root == NULL) {
        kl_buf_puts(b, ": the text is not valid JSON yet");
    }
    kl_buf_putc(b, '\n');
}

/* ---- Hover ----------------------------------------------------------------------- */

static bool contains(kl_span s, uint32_t off)
{
    return s.start <= off && off < s.end;
}

/* The deepest node at `off`; `*on_key` when it is a member's name. */
static const kl_node *node_at(const kl_node *n, uint32_t off, bool *on_key)
{
    *on_key = false;
    for (;;) {
        if (n->kind != KL_JSON_OBJECT && n->kind != KL_JSON_ARRAY)
            return n;
        /* Children are in source order: binary search for the last one starting at or
         * before `off`. */
        uint32_t lo = 0, hi = n->len;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            const kl_node *m = &n->u.children[mid];
            uint32_t start = m->key ? m->key_span.start : m->span.start;
            if (start <= off)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == 0)
            return n;
        const kl_node *m = &n->u.children[lo - 1];
        if (m->key && contains(m->key_span, off)) {
            *on_key = true;
            return m;
        }
        if (!contains(m->span, off))
            return n;
        n = m;
    }
}

static bool overlaps(kl_span a, kl_span b)
{
    if (a.start == a.end)
        return b.start <= a.start && a.start <= b.end;
    return a.start < b.end && b.start < a.end;
}

/* The findings about node `n` (its value; or, with `key`, its name). */
static bool about(const kl_diag *d, const kl_node *n, bool key, const char *path)
{
    if (key)
        return n->key && overlaps(d->span, n->key_span);
    if (n->kind != KL_JSON_OBJECT && n->kind != KL_JSON_ARRAY)
        return overlaps(d->span, n->span) ||
               (n->key && strcmp(d->rule, "unknown-field") == 0 && overlaps(d->span, n->key_span));
    return strcmp(d->path, path) == 0;
}

static void finding_md(kl_buf *b, const kl_diag *d)
{
    kl_buf_printf(b, "- **%s** ", kl_severity_name(d->severity));
    md_code_z(b, d->rule);
    kl_buf_puts(b, ": ");
    md_prose_z(b, d->message);
    for (size_t k = 0; k < d->n_fixes; k++) {
        kl_buf_puts(b, k ? "; " : " \xe2\x80\x94 quick fix: ");
        md_prose_z(b, d->fixes[k].description);
    }
    kl_buf_putc(b, '\n');
}

/* The hover for node `n` (its name with `on_key`) of a parsed document with a profile. */
static int hover_node(view *v, const kl_node *n, bool on_key, const char *path, kl_buf *md,
                      kl_buf *tmp)
{
    const kl_profile *p = v->profile;
    uint16_t f = field_of_node(p, n);
    kl_diags *found = NULL;
    int rc = kl_diags_new(&found);
    if (rc == KL_OK)
        rc = kl_engine_run(v->engine, p, v->root, v->src, found);
    if (rc != KL_OK) {
        kl_diags_free(found);
        return rc;
    }
    size_t n_about = 0;
    for (size_t i = 0; i < kl_diags_count(found); i++)
        n_about += about(kl_diags_at(found, i), n, on_key, path);

    if (f == KL_NONE) {
        uint16_t pf = n->parent ? field_of_node(p, n->parent) : KL_NONE;
        md_code_z(md, path);
        if (pf == KL_NONE)
            kl_buf_puts(md, " is inside a field this profile does not know\n\n");
        else if (p->fields[pf].unknown_allow)
            kl_buf_puts(md, " is not declared, and any key is accepted here\n\n");
        else
            kl_buf_puts(md, " is **not a field** of this profile\n\n");
    } else if (!on_key) {
        md_code_z(md, path);
        kl_buf_puts(md, " = ");
        md_value(md, n, tmp);
        kl_buf_puts(md, n_about ? "\n\n" : " \xe2\x80\x94 allowed: no finding here\n\n");
    }
    for (size_t i = 0; i < kl_diags_count(found); i++) {
        const kl_diag *d = kl_diags_at(found, i);
        if (about(d, n, on_key, path))
            finding_md(md, d);
    }
    if (n_about)
        kl_buf_putc(md, '\n');
    kl_diags_free(found);
    if (f != KL_NONE) {
        if (!on_key)
            kl_buf_puts(md, "---\n\n");
        field_md(md, p, f, tmp);
    }
    profile_md(md, v);
    return KL_OK;
}

static int hover_tree(view *v, uint32_t offset, kl_buf *md, kl_span *range)
{
    bool on_key;
    const kl_node *n = node_at(v->root, offset, &on_key);
    bool container = n->kind == KL_JSON_OBJECT || n->kind == KL_JSON_ARRAY;
    if (!on_key && !contains(n->span, offset))
        return KL_OK;
    if (!on_key && container && offset != n->span.start && offset + 1 != n->span.end)
        return KL_OK; /* blank space inside a container */
    *range = on_key ? n->key_span : n->span;

    kl_buf path = KL_BUF_INIT;
    size_t pl = kl_path_of(n, NULL, 0);
    if (kl_buf_reserve(&path, pl + 1)) {
        kl_path_of(n, path.ptr, pl + 1);
        path.len = pl;
    }
    if (kl_buf_failed(&path)) {
        kl_buf_dispose(&path);
        return KL_ENOMEM;
    }
    int rc = KL_OK;
    kl_buf tmp = KL_BUF_INIT;
    if (v->profile == NULL) {
        md_code(md, path.ptr, path.len);
        kl_buf_puts(md, "\n\n");
        no_profile_md(md, v);
    } else {
        rc = hover_node(v, n, on_key, path.ptr, md, &tmp);
    }
    carry_failure(md, &tmp);
    kl_buf_dispose(&tmp);
    kl_buf_dispose(&path);
    return rc;
}

/* Hover on text that does not parse: what the field at the name or value is. */
static int hover_text(view *v, uint32_t offset, kl_buf *md, kl_span *range)
{
    kl_lsp_scan_at at;
    kl_lsp_scan_locate(v->src->data, v->src->len, offset, true, &at);
    if (at.token.start == at.token.end || at.place == KL_LSP_SCAN_NONE)
        return KL_OK;
    *range = at.token;
    if (v->profile == NULL) {
        no_profile_md(md, v);
        return KL_OK;
    }
    kl_buf tmp = KL_BUF_INIT;
    uint32_t depth = at.depth;
    kl_lsp_scan_step step;
    if (at.place == KL_LSP_SCAN_KEY && depth < KL_LSP_SCAN_MAX_DEPTH) {
        step.key = at.token;
        step.item = false;
        step.bad = at.token.end - at.token.start < 2 || v->src->data[at.token.start] != '"';
        at.path[depth++] = step;
    }
    uint16_t f = field_of_path(v->profile, v->src->data, at.path, depth, &tmp);
    if (f == KL_NONE) {
        md_code(md, v->src->data + at.token.start, at.token.end - at.token.start);
        kl_buf_puts(md, " is not a field of this profile\n");
    } else {
        field_md(md, v->profile, f, &tmp);
    }
    kl_buf_puts(md, "\n*The document does not parse yet: values are not checked.*\n");
    profile_md(md, v);
    carry_failure(md, &tmp);
    kl_buf_dispose(&tmp);
    return KL_OK;
}

int kl_lsp_hover(const kl_lsp_doc *doc, uint32_t offset, kl_buf *out)
{
    view v;
    int rc = view_open(&v, doc);
    kl_buf md = KL_BUF_INIT;
    kl_span range = {0, 0};
    if (rc == KL_OK && v.engine != NULL && offset <= v.src->len)
        rc = v.root ? hover_tree(&v, offset, &md, &range) : hover_text(&v, offset, &md, &range);
    if (rc == KL_OK && kl_buf_failed(&md))
        rc = KL_ENOMEM;
    if (rc == KL_OK) {
        if (md.len == 0) {
            kl_buf_puts(out, "null");
        } else {
            kl_buf_puts(out, "{\"contents\":{\"kind\":\"markdown\",\"value\":");
            kl_lsp_put_string(out, md.ptr, md.len);
            kl_buf_puts(out, "},\"range\":");
            kl_lsp_doc_put_range(out, doc, range);
            kl_buf_putc(out, '}');
        }
    }
    kl_buf_dispose(&md);
    view_close(&v);
    if (rc == KL_OK && kl_buf_failed(out))
        rc = KL_ENOMEM;
    return rc;
}

/* ---- Completion -------------------------------------------------------------------- */

/* Snippet text: `$`, `}` and `\` escaped; in a choice also `,` and `|`. */
static void snippet_text(kl_buf *b, const char *s, size_t len, bool choice)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '$' || c == '}' || c == '\\' || (choice && (c == ',' || c == '|')))
            kl_buf_putc(b, '\\');
        kl_buf_putc(b, c);
    }
}

/* The enum rows that apply at `f` whatever else is sent; none when every enum row there
 * has a condition (those say what a value must be in one case, not what it may be). */
static bool is_enum_row(const kl_row *r, uint16_t f)
{
    return r->at == f && is_check(r, "enum") && r->p.values != NULL && r->when < 0;
}

static const kl_row *enum_row(const kl_profile *p, uint16_t f)
{
    for (uint32_t i = 0; i < p->n_rows; i++)
        if (is_enum_row(&p->rows[i], f))
            return &p->rows[i];
    return NULL;
}

/* The literal lower bound of a range row at `f`, or NULL. */
static const kl_node *range_min(const kl_profile *p, uint16_t f)
{
    for (uint32_t i = 0; i < p->n_rows; i++) {
        const kl_row *r = &p->rows[i];
        if (r->at == f && is_check(r, "range") && r->when < 0 && r->p.min.kind == KL_OP_LIT)
            return r->p.min.lit;
    }
    return NULL;
}

/* The value part of a member completion for field `f`: a snippet (or plain JSON) holding
 * the allowed values (the default first), else the default, else what the type takes. With
 * `generic` (the name is in several profiles, which may differ) only the type says. */
static void value_text(kl_buf *b, const kl_profile *p, uint16_t f, bool snippets, bool generic,
                       kl_buf *tmp)
{
    const kl_field *fl = &p->fields[f];
    const kl_row *en = generic ? NULL : enum_row(p, f);
    if (en != NULL && en->p.values->len > 0) {
        const kl_node *vals = en->p.values;
        bool strings = true;
        for (uint32_t k = 0; k < vals->len; k++)
            strings &= vals->u.children[k].kind == KL_JSON_STRING;
        /* The default first: a choice snippet starts on its first option. */
        const kl_node *first = &vals->u.children[0];
        for (uint32_t k = 0; fl->dflt && k < vals->len; k++)
            if (kl_node_equal(&vals->u.children[k], fl->dflt))
                first = &vals->u.children[k];
        if (!snippets) {
            kl_msg_json(b, first);
            return;
        }
        kl_buf_puts(b, strings ? "\"${1|" : "${1|");
        for (uint32_t k = 0, n = 0; k <= vals->len; k++) {
            const kl_node *x = k == 0 ? first : &vals->u.children[k - 1];
            if (k > 0 && x == first)
                continue;
            if (n++)
                kl_buf_putc(b, ',');
            kl_buf_clear(tmp);
            if (strings)
                kl_buf_put_json_escaped(tmp, x->u.str, x->len);
            else
                kl_msg_json(tmp, x);
            snippet_text(b, kl_buf_cstr(tmp), tmp->len, true);
        }
        kl_buf_puts(b, strings ? "|}\"" : "|}");
        return;
    }
    const kl_node *dflt = generic ? NULL : fl->dflt;
    if (dflt == NULL && !generic && (fl->types & (KL_T_INTEGER | KL_T_INTVAL | KL_T_NUMBER)))
        dflt = range_min(p, f);
    if (dflt != NULL && (dflt->kind == KL_JSON_STRING || dflt->kind == KL_JSON_NUMBER ||
                         dflt->kind == KL_JSON_TRUE || dflt->kind == KL_JSON_FALSE)) {
        bool str = dflt->kind == KL_JSON_STRING;
        kl_buf_clear(tmp);
        if (str)
            kl_buf_put_json_escaped(tmp, dflt->u.str, dflt->len);
        else
            kl_msg_json(tmp, dflt);
        if (!snippets) {
            kl_buf_puts(b, str ? "\"" : "");
            kl_buf_put(b, tmp->ptr, tmp->len);
            kl_buf_puts(b, str ? "\"" : "");
            return;
        }
        kl_buf_puts(b, str ? "\"${1:" : "${1:");
        snippet_text(b, kl_buf_cstr(tmp), tmp->len, false);
        kl_buf_puts(b, str ? "}\"" : "}");
        return;
    }
    uint32_t t = fl->types;
    static const struct {
        uint32_t types;
        const char *snippet, *plain;
    } by_type[] = {
        {KL_T_STRING | KL_T_NUMSTR | KL_T_JSONSTR, "\"$1\"", "\"\""},
        {KL_T_INTEGER | KL_T_INTVAL | KL_T_NUMBER, "${1:0}", "0"},
        {KL_T_BOOLEAN, "${1|false,true|}", "false"},
        {KL_T_OBJECT, "{$1}", "{}"},
        {KL_T_ARRAY, "[$1]", "[]"},
    };
    for (size_t i = 0; i < sizeof(by_type) / sizeof(by_type[0]); i++) {
        if (t & by_type[i].types) {
            kl_buf_puts(b, snippets ? by_type[i].snippet : by_type[i].plain);
            return;
        }
    }
    kl_buf_puts(b, snippets ? "$1" : "null");
}

/* A short detail line: type, default (when one profile answers), the providers (when
 * several might). */
static void field_detail(kl_buf *b, const kl_profile *p, uint16_t f, const char *providers,
                         kl_buf *tmp)
{
    const kl_field *fl = &p->fields[f];
    put_types(b, fl->types);
    if (fl->dflt != NULL && providers == NULL) {
        kl_buf_puts(b, fl->types ? ", default " : "default ");
        kl_buf_clear(tmp);
        kl_msg_value(tmp, fl->dflt, false);
        kl_buf_put(b, tmp->ptr, tmp->len);
    }
    if (providers != NULL)
        kl_buf_printf(b, "%s(%s)", b->len ? " " : "", providers);
}

typedef struct completer {
    view *v;
    const kl_lsp_scan_at *at;
    kl_buf *out;
    kl_buf present; /* names already in the object */
    kl_buf offered; /* labels already offered */
    kl_buf tmp, tmp2, text;
    size_t n_items;
} completer;

static void present_key(void *ctx, kl_span key)
{
    completer *c = ctx;
    if (key.start == c->at->token.start && c->at->token.end != c->at->token.start)
        return; /* the name being typed */
    kl_buf_clear(&c->tmp);
    kl_lsp_scan_decode(c->v->src->data, key, &c->tmp);
    list_add(&c->present, c->tmp.ptr ? c->tmp.ptr : "", c->tmp.len);
}

static char prev_char(const char *s, uint32_t at)
{
    while (at > 0) {
        char c = s[--at];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return c;
    }
    return '\0';
}

static char next_char(const char *s, uint32_t len, uint32_t at)
{
    for (; at < len; at++) {
        char c = s[at];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return c;
    }
    return '\0';
}

static void put_item(completer *c, const char *label, size_t label_len, int kind,
                     const char *detail, const char *filter, kl_span range, const char *text,
                     int format, const char *doc_md)
{
    kl_buf *o = c->out;
    if (c->n_items++)
        kl_buf_putc(o, ',');
    kl_buf_puts(o, "{\"label\":");
    kl_lsp_put_string(o, label, label_len);
    kl_buf_printf(o, ",\"kind\":%d", kind);
    if (detail && *detail) {
        kl_buf_puts(o, ",\"detail\":");
        kl_lsp_put_cstr(o, detail);
    }
    if (doc_md && *doc_md) {
        kl_buf_puts(o, ",\"documentation\":{\"kind\":\"markdown\",\"value\":");
        kl_lsp_put_cstr(o, doc_md);
        kl_buf_putc(o, '}');
    }
    kl_buf_printf(o, ",\"sortText\":\"%05zu\"", c->n_items);
    kl_buf_puts(o, ",\"filterText\":");
    kl_lsp_put_cstr(o, filter);
    kl_buf_printf(o, ",\"insertTextFormat\":%d,\"textEdit\":{\"range\":", format);
    kl_lsp_doc_put_range(o, c->v->doc, range);
    kl_buf_puts(o, ",\"newText\":");
    kl_lsp_put_cstr(o, text);
    kl_buf_puts(o, "}}");
}

/*
 * What a completion replaces: the token at the cursor. Its part after the cursor is kept
 * out when it holds what cannot be in a name or value being typed (a string missing its
 * closing quote runs on to the next quote or the line's end).
 */
static kl_span typed_span(const char *s, const kl_lsp_scan_at *at)
{
    kl_span t = at->token;
    uint32_t cursor = at->cursor;
    if (cursor <= t.start || cursor >= t.end)
        return t;
    uint32_t stop = at->in_string && at->closed ? t.end - 1 : t.end;
    for (uint32_t i = cursor; i < stop; i++)
        if (strchr(" \t,:{}[]", s[i]) != NULL)
            return kl_span_make(t.start, cursor);
    if (at->in_string && !at->closed)
        return kl_span_make(t.start, cursor);
    return t;
}

/* Member names for the object at the cursor. */
static void complete_keys(completer *c)
{
    const view *v = c->v;
    const kl_lsp_scan_at *at = c->at;
    const char *s = v->src->data;
    kl_lsp_scan_object_keys(s, v->src->len, at->container, present_key, c);

    /* What the edit replaces: the name being typed (up to the cursor when its string is
     * not closed), or nothing. */
    kl_span range = typed_span(s, at);
    bool quoted = range.end > range.start && s[range.start] == '"';
    bool snippets = !v->doc->no_snippets;
    const char *lead = "";
    const char *trail = "";
    if (!at->has_colon) {
        char pc = prev_char(s, range.start);
        lead = (pc != '{' && pc != ',' && pc != '\0') ? "," : "";
        char nc = next_char(s, v->src->len, range.end);
        trail = nc == '"' ? "," : "";
    }
    size_t n_profiles = view_profile_count(v);
    for (size_t pi = 0; pi < n_profiles; pi++) {
        const kl_profile *p = view_profile_at(v, pi);
        uint16_t obj = field_of_path(p, s, at->path, at->depth, &c->tmp);
        if (obj == KL_NONE)
            continue;
        const kl_field *of = &p->fields[obj];
        for (uint16_t k = 0; k < of->n_children; k++) {
            uint16_t f = of->children[k];
            const kl_field *fl = &p->fields[f];
            if (in_list(&c->present, fl->name, fl->name_len) ||
                in_list(&c->offered, fl->name, fl->name_len))
                continue;
            list_add(&c->offered, fl->name, fl->name_len);

            /* No profile known: say which providers have this name here. */
            kl_buf providers = KL_BUF_INIT;
            kl_buf seen = KL_BUF_INIT;
            size_t n_having = 0;
            for (size_t pj = pi; v->profile == NULL && pj < n_profiles; pj++) {
                const kl_profile *q = view_profile_at(v, pj);
                uint16_t qo = field_of_path(q, s, at->path, at->depth, &c->tmp);
                if (qo == KL_NONE || kl_field_child(q, qo, fl->name, fl->name_len) == KL_NONE)
                    continue;
                n_having++;
                if (in_list(&seen, q->provider, strlen(q->provider)))
                    continue;
                kl_buf_printf(&providers, "%s%s", seen.len ? ", " : "", q->provider);
                list_add(&seen, q->provider, strlen(q->provider));
            }
            bool generic = n_having > 1;

            kl_buf_clear(&c->text);
            kl_buf_puts(&c->text, lead);
            kl_buf_putc(&c->text, '"');
            kl_buf_clear(&c->tmp);
            kl_buf_put_json_escaped(&c->tmp, fl->name, fl->name_len);
            if (snippets && !at->has_colon)
                snippet_text(&c->text, kl_buf_cstr(&c->tmp), c->tmp.len, false);
            else
                kl_buf_put(&c->text, c->tmp.ptr, c->tmp.len);
            kl_buf_putc(&c->text, '"');
            if (!at->has_colon) {
                kl_buf_puts(&c->text, ": ");
                value_text(&c->text, p, f, snippets, generic, &c->tmp2);
                kl_buf_puts(&c->text, trail);
            }
            kl_buf filter = KL_BUF_INIT;
            kl_buf_puts(&filter, quoted ? "\"" : "");
            kl_buf_put(&filter, fl->name, fl->name_len);
            kl_buf_puts(&filter, quoted ? "\"" : "");

            kl_buf detail = KL_BUF_INIT;
            field_detail(&detail, p, f, v->profile ? NULL : kl_buf_cstr(&providers), &c->tmp);
            kl_buf doc = KL_BUF_INIT;
            field_md(&doc, p, f, &c->tmp);
            if (v->profile == NULL) {
                kl_buf_puts(&doc, "\n*Profile* ");
                md_code_z(&doc, p->id);
            }
            put_item(c, fl->name, fl->name_len, KIND_PROPERTY, kl_buf_cstr(&detail),
                     kl_buf_cstr(&filter), range, kl_buf_cstr(&c->text),
                     snippets && !at->has_colon ? FORMAT_SNIPPET : FORMAT_PLAIN, kl_buf_cstr(&doc));
            carry_failure(c->out, &providers);
            carry_failure(c->out, &seen);
            kl_buf_dispose(&providers);
            kl_buf_dispose(&seen);
            carry_failure(c->out, &filter);
            carry_failure(c->out, &detail);
            carry_failure(c->out, &doc);
            kl_buf_dispose(&filter);
            kl_buf_dispose(&detail);
            kl_buf_dispose(&doc);
        }
    }
}

/* One value offered for field `f`. */
static void offer_value(completer *c, const kl_profile *p, uint16_t f, const kl_node *val,
                        kl_span range, bool in_string)
{
    const kl_field *fl = &p->fields[f];
    if (in_string && val->kind != KL_JSON_STRING)
        return;
    kl_buf_clear(&c->text);
    if (in_string) {
        kl_buf_put_json_escaped(&c->text, val->u.str, val->len);
        if (!c->at->closed)
            kl_buf_putc(&c->text, '"');
    } else {
        kl_msg_json(&c->text, val);
    }
    if (in_list(&c->offered, c->text.ptr, c->text.len))
        return;
    list_add(&c->offered, c->text.ptr, c->text.len);
    kl_buf_clear(&c->tmp);
    kl_msg_json(&c->tmp, val);
    kl_buf_clear(&c->tmp2);
    bool is_default = fl->dflt != NULL && kl_node_equal(fl->dflt, val);
    if (is_default)
        kl_buf_puts(&c->tmp2, "default");
    if (c->v->profile == NULL)
        kl_buf_printf(&c->tmp2, "%s(%s)", is_default ? " " : "", p->provider);
    kl_buf filter = KL_BUF_INIT;
    if (in_string)
        kl_buf_put_json_escaped(&filter, val->u.str, val->len);
    else
        kl_buf_put(&filter, c->tmp.ptr, c->tmp.len);
    put_item(c, c->tmp.ptr, c->tmp.len, KIND_ENUM_MEMBER, kl_buf_cstr(&c->tmp2),
             kl_buf_cstr(&filter), range, kl_buf_cstr(&c->text), FORMAT_PLAIN, NULL);
    carry_failure(c->out, &filter);
    kl_buf_dispose(&filter);
}

/* Values for the field at the cursor: its enum values (strings only inside a string), and
 * true/false for a boolean. */
static void complete_values(completer *c)
{
    const view *v = c->v;
    const kl_lsp_scan_at *at = c->at;
    const char *s = v->src->data;
    bool in_string = at->in_string;
    kl_span range = typed_span(s, at);
    if (in_string) {
        range.start++;
        if (at->closed && range.end == at->token.end)
            range.end--;
    }
    static const kl_node bools[2] = {
        {KL_JSON_TRUE, 0, 0, {0, 0}, {0, 0}, NULL, 0, {NULL}, NULL},
        {KL_JSON_FALSE, 0, 0, {0, 0}, {0, 0}, NULL, 0, {NULL}, NULL},
    };
    size_t n_profiles = view_profile_count(v);
    for (size_t pi = 0; pi < n_profiles; pi++) {
        const kl_profile *p = view_profile_at(v, pi);
        uint16_t f = field_of_path(p, s, at->path, at->depth, &c->tmp);
        if (f == KL_NONE)
            continue;
        for (uint32_t i = 0; i < p->n_rows; i++) {
            const kl_row *r = &p->rows[i];
            if (!is_enum_row(r, f))
                continue;
            for (uint32_t k = 0; k < r->p.values->len; k++)
                offer_value(c, p, f, &r->p.values->u.children[k], range, in_string);
        }
        if (!in_string && (p->fields[f].types & KL_T_BOOLEAN))
            for (size_t k = 0; k < 2; k++)
                offer_value(c, p, f, &bools[k], range, false);
    }
}

int kl_lsp_completion(const kl_lsp_doc *doc, uint32_t offset, kl_buf *out)
{
    view v;
    int rc = view_open(&v, doc);
    completer c;
    memset(&c, 0, sizeof(c));
    kl_lsp_scan_at at;
    c.v = &v;
    c.at = &at;
    c.out = out;
    kl_buf_puts(out, "{\"isIncomplete\":false,\"items\":[");
    if (rc == KL_OK && v.engine != NULL && offset <= v.src->len) {
        kl_lsp_scan_locate(v.src->data, v.src->len, offset, false, &at);
        if (at.place == KL_LSP_SCAN_KEY)
            complete_keys(&c);
        else if (at.place == KL_LSP_SCAN_VALUE && at.depth > 0)
            complete_values(&c);
    }
    kl_buf_puts(out, "]}");
    if (rc == KL_OK &&
        (kl_buf_failed(&c.present) || kl_buf_failed(&c.offered) || kl_buf_failed(&c.tmp) ||
         kl_buf_failed(&c.tmp2) || kl_buf_failed(&c.text) || kl_buf_failed(out)))
        rc = KL_ENOMEM;
    kl_buf_dispose(&c.present);
    kl_buf_dispose(&c.offered);
    kl_buf_dispose(&c.tmp);
    kl_buf_dispose(&c.tmp2);
    kl_buf_dispose(&c.text);
    view_close(&v);
    return rc;
}

/* ---- Code actions --------------------------------------------------------------------- */

/* A WorkspaceEdit changing doc->uri: {"changes":{uri:[TextEdit...]}}, in three parts. */
static void put_changes_open(kl_buf *b, const kl_lsp_doc *doc)
{
    kl_buf_puts(b, "{\"changes\":{");
    kl_lsp_put_cstr(b, doc->uri ? doc->uri : "");
    kl_buf_puts(b, ":[");
}

static void put_edit(kl_buf *b, const kl_lsp_doc *doc, const kl_edit *e, bool first)
{
    kl_buf_puts(b, first ? "{\"range\":" : ",{\"range\":");
    kl_lsp_doc_put_range(b, doc, e->span);
    kl_buf_puts(b, ",\"newText\":");
    kl_lsp_put_cstr(b, e->text);
    kl_buf_putc(b, '}');
}

static void put_changes_close(kl_buf *b)
{
    kl_buf_puts(b, "]}}");
}

static bool within(kl_span inner, kl_span outer)
{
    return outer.start <= inner.start && inner.end <= outer.end;
}

/* Offsets in the whole text to offsets in the part starting at *ctx. */
static uint32_t to_part(uint32_t offset, void *ctx)
{
    return offset - *(const uint32_t *)ctx;
}

/*
 * The findings of `diags` whose place and fixes lie wholly in `scope`, into
 * `part` with offsets relative to scope.start.
 */
static int findings_in(const kl_diags *diags, kl_span scope, kl_diags *part)
{
    int rc = KL_OK;
    for (size_t i = 0; rc == KL_OK && i < kl_diags_count(diags); i++) {
        const kl_diag *d = kl_diags_at(diags, i);
        bool inside = d->n_fixes > 0 && within(d->span, scope);
        for (size_t k = 0; inside && k < d->n_fixes; k++)
            for (size_t e = 0; inside && e < d->fixes[k].n_edits; e++)
                inside = within(d->fixes[k].edits[e].span, scope);
        if (inside)
            rc = kl_diags_add(part, d);
    }
    uint32_t base = scope.start;
    if (rc == KL_OK)
        kl_diags_remap(part, 0, to_part, &base);
    return rc;
}

/*
 * What fix-all takes, as `klint --fix` does: safe fixes only (an unsafe one is a guess
 * at what was meant: offered as a quick fix, never applied wholesale), and in a JSON Lines
 * record, which stays one line, no fix whose text holds a line break.
 */
static bool fix_all_takes(void *jsonl, const kl_diag *d)
{
    const kl_fix *fix = &d->fixes[0];
    if (fix->unsafe)
        return false;
    for (size_t i = 0; *(const bool *)jsonl && i < fix->n_edits; i++)
        if (fix->edits[i].text != NULL && strpbrk(fix->edits[i].text, "\r\n") != NULL)
            return false;
    return true;
}

/*
 * `source.fixAll.klint`: the fixes `klint --fix` takes in one round (kl_fix_apply picks
 * them: the first fix of each finding, skipping any that conflicts with one taken) among the
 * findings in `scope`, as one edit spanning from the first changed byte to the last, so the
 * rest of the text (and the editor's marks in it) stays put.
 */
static int put_fix_all(kl_buf *out, const kl_lsp_doc *doc, const kl_diags *diags, kl_span scope,
                       bool comma)
{
    if (scope.end > doc->src->len)
        scope.end = doc->src->len;
    if (scope.start > scope.end)
        return KL_OK;
    /* The part of the text in scope, as a source of its own (only its bytes matter). */
    kl_source part;
    kl_source_init_line(&part, doc->src->name, doc->src->data + scope.start,
                        scope.end - scope.start, 1);
    kl_diags *mine = NULL;
    int rc = KL_OK;
    bool jsonl = doc->jsonl;
    if (scope.start > 0 || scope.end < doc->src->len) {
        rc = kl_diags_new(&mine);
        if (rc == KL_OK)
            rc = findings_in(diags, scope, mine);
    }
    char *fixed = NULL;
    size_t fixed_len = 0, n_applied = 0;
    if (rc == KL_OK)
        rc = kl_fix_apply(&part, mine ? mine : diags, fix_all_takes, &jsonl, &fixed, &fixed_len,
                          &n_applied);
    kl_diags_free(mine);
    if (rc != KL_OK || n_applied == 0 || fixed == NULL) {
        free(fixed);
        return rc;
    }
    const char *old = part.data;
    size_t old_len = part.len;
    size_t pre = 0;
    while (pre < old_len && pre < fixed_len && old[pre] == fixed[pre])
        pre++;
    size_t suf = 0;
    while (suf < old_len - pre && suf < fixed_len - pre &&
           old[old_len - 1 - suf] == fixed[fixed_len - 1 - suf])
        suf++;
    /* Whole characters only: a position inside a UTF-8 sequence does not exist. */
    while (pre > 0 && pre < old_len && ((unsigned char)old[pre] & 0xC0) == 0x80)
        pre--;
    while (suf > 0 && ((unsigned char)old[old_len - suf] & 0xC0) == 0x80)
        suf--;
    if (comma)
        kl_buf_putc(out, ',');
    kl_buf_printf(out,
                  "{\"title\":\"Fix all: apply %zu klint fix%s\","
                  "\"kind\":\"source.fixAll.klint\",\"edit\":",
                  n_applied, n_applied == 1 ? "" : "es");
    put_changes_open(out, doc);
    kl_buf_puts(out, "{\"range\":");
    kl_lsp_doc_put_range(
        out, doc,
        kl_span_make(scope.start + (uint32_t)pre, scope.start + (uint32_t)(old_len - suf)));
    kl_buf_puts(out, ",\"newText\":");
    kl_lsp_put_string(out, fixed + pre, fixed_len - suf - pre);
    kl_buf_putc(out, '}');
    put_changes_close(out);
    kl_buf_putc(out, '}');
    free(fixed);
    return KL_OK;
}

int kl_lsp_code_actions(const kl_lsp_doc *doc, const kl_diags *diags, kl_span range,
                        const kl_span *fix_all, kl_buf *out)
{
    size_t n_actions = 0;
    kl_buf_putc(out, '[');
    for (size_t i = 0; diags && i < kl_diags_count(diags); i++) {
        const kl_diag *d = kl_diags_at(diags, i);
        if (d->n_fixes == 0 || !overlaps(range, d->span))
            continue;
        for (size_t k = 0; k < d->n_fixes; k++) {
            const kl_fix *fx = &d->fixes[k];
            if (n_actions++)
                kl_buf_putc(out, ',');
            kl_buf_puts(out, "{\"title\":");
            kl_lsp_put_cstr(out, fx->description ? fx->description : "apply klint's fix");
            kl_buf_puts(out, ",\"kind\":\"quickfix\",\"diagnostics\":[");
            kl_lsp_put_diag(out, doc, d, i);
            /* Preferred fixes may be applied without a look (VS Code's auto fix): the
             * first fix, when it is safe. */
            kl_buf_printf(
                out, "],\"isPreferred\":%s,\"edit\":", k == 0 && !fx->unsafe ? "true" : "false");
            put_changes_open(out, doc);
            for (size_t e = 0; e < fx->n_edits; e++)
                put_edit(out, doc, &fx->edits[e], e == 0);
            put_changes_close(out);
            kl_buf_putc(out, '}');
        }
    }
    int rc = KL_OK;
    if (fix_all != NULL && diags != NULL)
        rc = put_fix_all(out, doc, diags, *fix_all, n_actions > 0);
    kl_buf_putc(out, ']');
    if (rc == KL_OK && kl_buf_failed(out))
        rc = KL_ENOMEM;
    return rc;
}
