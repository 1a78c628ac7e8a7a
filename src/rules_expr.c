/*
 * The rule compiler's expression half: paths, conditions, operands,
 * message templates and fix templates, from rule-file JSON to the compiled
 * forms of rules.h. Every problem is a `rules-invalid` diagnostic at the
 * offending node of the rule file.
 */
#include "rules_cc.h"

#include <string.h>

int32_t kl_cc_new_cond(kl_cc *C)
{
    kl_pbuild *b = C->b;
    if (b->conds_fixed && b->n_conds == b->cap_conds) {
        C->failed = true; /* kl_cc_cond_bound was wrong: never move a table readers have */
        return -1;
    }
    kl_cond *conds = kl_cc_grow(C, b->conds, &b->cap_conds, b->n_conds, sizeof(kl_cond));
    if (conds == NULL)
        return -1;
    b->conds = conds;
    memset(&b->conds[b->n_conds], 0, sizeof(kl_cond));
    return (int32_t)b->n_conds++;
}

/* ---- Paths ------------------------------------------------------------ */

uint16_t kl_cc_common(const kl_cc *C, uint16_t a, uint16_t b)
{
    if (a == KL_NONE)
        return b;
    if (b == KL_NONE)
        return a;
    const kl_field *f = C->b->fields;
    while (f[a].depth > f[b].depth)
        a = f[a].parent;
    while (f[b].depth > f[a].depth)
        b = f[b].parent;
    while (a != b) {
        a = f[a].parent;
        b = f[b].parent;
    }
    return a;
}

uint16_t kl_cc_item_of(kl_cc *C, uint16_t f)
{
    if (f == KL_NONE)
        return KL_NONE;
    const kl_field *fl = &C->b->fields[f];
    if (fl->parsed_child != KL_NONE)
        fl = &C->b->fields[fl->parsed_child];
    return fl->item_child;
}

static uint16_t member_of(kl_cc *C, uint16_t f, const char *name, size_t len)
{
    const kl_field *fl = &C->b->fields[f];
    if (fl->parsed_child != KL_NONE)
        f = fl->parsed_child;
    return kl_cc_member(C, f, name, len);
}

static bool is_ident_start(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
}

static bool is_ident(char ch)
{
    return is_ident_start(ch) || (ch >= '0' && ch <= '9') || ch == '-';
}

bool kl_cc_path(kl_cc *C, const kl_node *sn, uint16_t scope, bool multi, kl_ref *out,
                bool *crossed)
{
    if (crossed)
        *crossed = false;
    if (sn == NULL || sn->kind != KL_JSON_STRING) {
        if (sn)
            kl_cc_error(C, sn, false, "a path is a string such as \"input.duration\"");
        return false;
    }
    const char *t = sn->u.str;
    size_t n = sn->len;
    out->rel = false;

    if (n > 8 && memcmp(t, "concept:", 8) == 0) {
        for (uint32_t i = 0; i < C->b->n_fields; i++) {
            const kl_field *x = &C->b->fields[i];
            if (x->concept && strlen(x->concept) == n - 8 && memcmp(x->concept, t + 8, n - 8) == 0) {
                if (x->in_item && !multi) {
                    kl_cc_error(C, sn, false, "concept `%.*s` is a field inside a list here",
                                (int)(n - 8), t + 8);
                    return false;
                }
                out->field = (uint16_t)i;
                if (crossed)
                    *crossed = x->in_item;
                C->reach = kl_cc_common(C, C->reach, out->field);
                return true;
            }
        }
        if (C->skip_missing) {
            C->missing = true;
            return false;
        }
        kl_cc_error(C, sn, false, "no field of this profile has concept `%.*s`", (int)(n - 8),
                    t + 8);
        return false;
    }

    uint16_t cur = 0;
    size_t i = 0;
    if (n > 0 && t[0] == '@') {
        if (scope == KL_NONE) {
            kl_cc_error(C, sn, false,
                        "`@` (the current item) is only available inside `any`, `all` or "
                        "`count` ... `where`, or in a row whose `at` has [*]");
            return false;
        }
        cur = scope;
        out->rel = true;
        i = 1;
    } else if (n > 0 && t[0] == '$') {
        i = 1;
    }
    bool first = (i == 0);
    bool cross = false;
    while (i < n) {
        const char *name = NULL;
        size_t name_len = 0;
        char namebuf[256];
        if (t[i] == '[') {
            if (i + 2 < n && t[i + 1] == '*' && t[i + 2] == ']') {
                uint16_t item = kl_cc_item_of(C, cur);
                if (item == KL_NONE) {
                    if (C->skip_missing) {
                        C->missing = true;
                        return false;
                    }
                    kl_cc_error(C, sn, false,
                                "`%.*s` has no [*] field: declare the items of this list first",
                                (int)n, t);
                    return false;
                }
                cur = item;
                cross = true;
                i += 3;
                first = false;
                continue;
            }
            if (i + 1 < n && t[i + 1] == '\'') {
                size_t j = i + 2;
                while (j < n && t[j] != '\'') {
                    if (t[j] == '\\' && j + 1 < n)
                        j++;
                    if (name_len < sizeof(namebuf))
                        namebuf[name_len++] = t[j];
                    j++;
                }
                if (j + 1 >= n || t[j + 1] != ']')
                    goto bad;
                name = namebuf;
                i = j + 2;
            } else {
                goto bad;
            }
        } else {
            if (t[i] == '.') {
                i++;
            } else if (!first) {
                goto bad;
            }
            size_t s = i;
            if (i >= n || !is_ident_start(t[i]))
                goto bad;
            while (i < n && is_ident(t[i]))
                i++;
            name = t + s;
            name_len = i - s;
        }
        first = false;
        uint16_t next = member_of(C, cur, name, name_len);
        if (next == KL_NONE) {
            if (C->skip_missing) {
                C->missing = true;
                return false;
            }
            kl_cc_error(C, sn, false, "`%.*s`: no field `%.*s` is declared there", (int)n, t,
                        (int)name_len, name);
            return false;
        }
        cur = next;
    }
    if (cross && !multi) {
        kl_cc_error(C, sn, false,
                    "`%.*s` names every item of a list: use `@` inside `any`/`all`, or "
                    "`count`/`sum`",
                    (int)n, t);
        return false;
    }
    if (crossed)
        *crossed = cross;
    out->field = cur;
    C->reach = kl_cc_common(C, C->reach, cur);
    return true;
bad:
    kl_cc_error(C, sn, false,
                "malformed path `%.*s` (write `input.duration`, `list[*].field`, `@.type`, "
                "`input['odd key']`)",
                (int)n, t);
    return false;
}

/* ---- Operands --------------------------------------------------------- */

static bool compile_refs(kl_cc *C, const kl_node *n, uint16_t scope, bool multi, kl_ref **out,
                         uint16_t *n_out)
{
    uint32_t count = n->kind == KL_JSON_ARRAY ? n->len : 1;
    if (count == 0) {
        kl_cc_error(C, n, false, "an empty list of paths");
        return false;
    }
    kl_ref *refs = kl_cc_alloc(C, count * sizeof(*refs));
    if (refs == NULL)
        return false;
    for (uint32_t i = 0; i < count; i++) {
        const kl_node *pn = n->kind == KL_JSON_ARRAY ? &n->u.children[i] : n;
        if (!kl_cc_path(C, pn, scope, multi, &refs[i], NULL))
            return false;
    }
    *out = refs;
    *n_out = (uint16_t)count;
    return true;
}

bool kl_cc_operand(kl_cc *C, const kl_node *n, uint16_t scope, bool path_string, kl_operand *out)
{
    memset(out, 0, sizeof(*out));
    out->where = -1;
    if (n->kind == KL_JSON_STRING && path_string) {
        out->kind = KL_OP_PATH;
        return kl_cc_path(C, n, scope, false, &out->ref, NULL);
    }
    if (n->kind != KL_JSON_OBJECT) {
        out->kind = KL_OP_LIT;
        out->lit = n;
        return true;
    }
    if (!kl_cc_keys(C, n, "a value expression", "path sent value len count where sum", NULL))
        return false;
    const kl_node *v;
    if ((v = KL_CC_GET(n, "path")) != NULL) {
        out->kind = KL_OP_PATH;
        return kl_cc_path(C, v, scope, false, &out->ref, NULL);
    }
    if ((v = KL_CC_GET(n, "sent")) != NULL) {
        out->kind = KL_OP_SENT;
        return kl_cc_path(C, v, scope, false, &out->ref, NULL);
    }
    if ((v = KL_CC_GET(n, "value")) != NULL) {
        out->kind = KL_OP_LIT;
        out->lit = v;
        return true;
    }
    if ((v = KL_CC_GET(n, "len")) != NULL) {
        out->kind = KL_OP_LEN;
        return compile_refs(C, v, scope, false, &out->refs, &out->n_refs);
    }
    if ((v = KL_CC_GET(n, "count")) != NULL) {
        out->kind = KL_OP_COUNT;
        if (!kl_cc_path(C, v, scope, false, &out->ref, NULL))
            return false;
        const kl_node *w = KL_CC_GET(n, "where");
        if (w == NULL) {
            kl_cc_error(C, n, false, "`count` needs `where` (use `len` to count every item)");
            return false;
        }
        uint16_t item = kl_cc_item_of(C, out->ref.field);
        if (item == KL_NONE) {
            kl_cc_error(C, v, false, "declare the items (`[*]`) of this list to count them");
            return false;
        }
        out->where = kl_cc_cond(C, w, item);
        return out->where >= 0;
    }
    if ((v = KL_CC_GET(n, "sum")) != NULL) {
        out->kind = KL_OP_SUM;
        return kl_cc_path(C, v, scope, true, &out->ref, NULL);
    }
    kl_cc_error(C, n, false,
                "a value expression is {\"path\"}, {\"sent\"}, {\"value\"}, {\"len\"}, "
                "{\"count\", \"where\"} or {\"sum\"}");
    return false;
}

/* ---- Conditions ------------------------------------------------------- */

static const struct {
    const char *name;
    kl_condk kind;
} cond_ops[] = {
    {"present", KL_C_PRESENT}, {"absent", KL_C_ABSENT}, {"exists", KL_C_EXISTS},
    {"eq", KL_C_EQ},           {"ne", KL_C_NE},         {"in", KL_C_IN},
    {"lt", KL_C_LT},           {"le", KL_C_LE},         {"gt", KL_C_GT},
    {"ge", KL_C_GE},           {"is", KL_C_IS},         {"any", KL_C_ANY},
    {"all", KL_C_ALL},         {"keys_in", KL_C_KEYS_IN}, {"and", KL_C_AND},
    {"or", KL_C_OR},           {"not", KL_C_NOT},
};

int32_t kl_cc_cond(kl_cc *C, const kl_node *n, uint16_t scope)
{
    if (n->kind == KL_JSON_TRUE || n->kind == KL_JSON_FALSE) {
        int32_t ci = kl_cc_new_cond(C);
        if (ci >= 0)
            C->b->conds[ci].kind = n->kind == KL_JSON_TRUE ? KL_C_TRUE : KL_C_FALSE;
        return ci;
    }
    if (n->kind != KL_JSON_OBJECT || n->len == 0) {
        kl_cc_error(C, n, false, "a condition is an object such as {\"present\": \"input.x\"}");
        return -1;
    }
    const kl_node *opn = &n->u.children[0];
    kl_condk kind = KL_C_TRUE;
    bool found = false;
    for (size_t i = 0; i < sizeof(cond_ops) / sizeof(cond_ops[0]); i++) {
        if (strlen(cond_ops[i].name) == opn->key_len &&
            memcmp(cond_ops[i].name, opn->key, opn->key_len) == 0) {
            kind = cond_ops[i].kind;
            found = true;
        }
    }
    if (!found) {
        kl_cc_error(C, opn, true,
                    "unknown condition `%.*s` (present, absent, exists, eq, ne, in, lt, le, gt, "
                    "ge, is, any, all, keys_in, and, or, not)",
                    (int)opn->key_len, opn->key);
        return -1;
    }
    bool quant = kind == KL_C_ANY || kind == KL_C_ALL;
    if (n->len != (quant ? 2u : 1u) || (quant && KL_CC_GET(n, "where") == NULL)) {
        kl_cc_error(C, n, false,
                    quant ? "`any`/`all` take a list path and `where`"
                          : "a condition has exactly one operator key");
        return -1;
    }
    const kl_node *arg = opn;
    int32_t ci = kl_cc_new_cond(C);
    if (ci < 0)
        return -1;
    kl_cond cd;
    memset(&cd, 0, sizeof(cd));
    cd.kind = (uint8_t)kind;
    switch (kind) {
    case KL_C_PRESENT:
    case KL_C_ABSENT:
    case KL_C_EXISTS:
        if (!kl_cc_path(C, arg, scope, false, &cd.ref, NULL))
            return -1;
        break;
    case KL_C_EQ:
    case KL_C_NE:
    case KL_C_LT:
    case KL_C_LE:
    case KL_C_GT:
    case KL_C_GE:
    case KL_C_IN:
    case KL_C_IS:
    case KL_C_KEYS_IN:
        if (arg->kind != KL_JSON_ARRAY || arg->len != 2) {
            kl_cc_error(C, arg, false, "`%.*s` takes a list of two: [operand, operand]",
                        (int)opn->key_len, opn->key);
            return -1;
        }
        if (kind == KL_C_IS || kind == KL_C_KEYS_IN) {
            if (!kl_cc_path(C, &arg->u.children[0], scope, false, &cd.ref, NULL))
                return -1;
            const kl_node *second = &arg->u.children[1];
            if (kind == KL_C_IS) {
                if (!kl_cc_types(C, second, &cd.types))
                    return -1;
            } else {
                if (second->kind != KL_JSON_ARRAY) {
                    kl_cc_error(C, second, false, "`keys_in` takes a list of member names");
                    return -1;
                }
                cd.list = second;
            }
            break;
        }
        if (!kl_cc_operand(C, &arg->u.children[0], scope, true, &cd.a))
            return -1;
        if (kind == KL_C_IN) {
            if (arg->u.children[1].kind != KL_JSON_ARRAY) {
                kl_cc_error(C, &arg->u.children[1], false, "`in` takes a list of values");
                return -1;
            }
            cd.list = &arg->u.children[1];
        } else if (!kl_cc_operand(C, &arg->u.children[1], scope, false, &cd.b)) {
            return -1;
        }
        break;
    case KL_C_ANY:
    case KL_C_ALL: {
        if (!kl_cc_path(C, arg, scope, false, &cd.ref, NULL))
            return -1;
        uint16_t item = kl_cc_item_of(C, cd.ref.field);
        if (item == KL_NONE) {
            kl_cc_error(C, arg, false, "declare the items (`[*]`) of this list to test them");
            return -1;
        }
        cd.kids = kl_cc_alloc(C, sizeof(int32_t));
        if (cd.kids == NULL)
            return -1;
        cd.kids[0] = kl_cc_cond(C, KL_CC_GET(n, "where"), item);
        if (cd.kids[0] < 0)
            return -1;
        cd.n_kids = 1;
        break;
    }
    case KL_C_AND:
    case KL_C_OR:
        if (arg->kind != KL_JSON_ARRAY || arg->len == 0) {
            kl_cc_error(C, arg, false, "`and`/`or` take a non-empty list of conditions");
            return -1;
        }
        cd.kids = kl_cc_alloc(C, arg->len * sizeof(int32_t));
        if (cd.kids == NULL)
            return -1;
        for (uint32_t i = 0; i < arg->len; i++) {
            cd.kids[i] = kl_cc_cond(C, &arg->u.children[i], scope);
            if (cd.kids[i] < 0)
                return -1;
        }
        cd.n_kids = (uint16_t)arg->len;
        break;
    case KL_C_NOT:
        cd.kids = kl_cc_alloc(C, sizeof(int32_t));
        if (cd.kids == NULL)
            return -1;
        cd.kids[0] = kl_cc_cond(C, arg, scope);
        if (cd.kids[0] < 0)
            return -1;
        cd.n_kids = 1;
        break;
    default:
        break;
    }
    C->b->conds[ci] = cd;
    return ci;
}

/* ---- Templates -------------------------------------------------------- */

static const struct {
    const char *name;
    uint8_t len;
    kl_ph kind;
} placeholders[] = {
#define PH(name, kind) {name, sizeof(name) - 1, kind}
    PH("field", KL_PH_FIELD),       PH("path", KL_PH_PATH),         PH("value", KL_PH_VALUE),
    PH("type", KL_PH_TYPE),         PH("found_type", KL_PH_FOUND_TYPE), PH("found", KL_PH_FOUND),
    PH("allowed", KL_PH_ALLOWED),   PH("min", KL_PH_MIN),           PH("max", KL_PH_MAX),
    PH("range", KL_PH_RANGE),       PH("count", KL_PH_COUNT),       PH("sum", KL_PH_SUM),
    PH("expected", KL_PH_EXPECTED), PH("token", KL_PH_TOKEN),       PH("n", KL_PH_N),
    PH("list", KL_PH_LIST),         PH("other", KL_PH_OTHER),       PH("names", KL_PH_NAMES),
    PH("profile", KL_PH_PROFILE),   PH("provider", KL_PH_PROVIDER),
#undef PH
};

/* The offset of the first brace in text[i, len), or len. */
static size_t next_brace(const char *text, size_t i, size_t len)
{
    const char *open = memchr(text + i, '{', len - i);
    size_t limit = open ? (size_t)(open - text) : len;
    const char *close = memchr(text + i, '}', limit - i);
    return close ? (size_t)(close - text) : limit;
}

/* Compile `text` into segments; `C` NULL for built-in templates (no paths). `text` must
 * outlive the template: text segments point into it unless it has `{{` or `}}` escapes,
 * which need a copy with them undone. */
static bool tmpl_compile(kl_cc *C, kl_arena *arena, const kl_node *where, const char *text,
                         size_t len, uint16_t scope, kl_tmpl *out)
{
    /* At most one segment per brace plus one per text run. */
    size_t max_segs = 1;
    bool escapes = false;
    const char *end = text + len;
    for (const char *b = text; (b = memchr(b, '{', (size_t)(end - b))) != NULL; b++) {
        max_segs += 2;
        escapes = escapes || (b + 1 < end && b[1] == '{');
    }
    for (const char *b = text; (b = memchr(b, '}', (size_t)(end - b))) != NULL; b++) {
        max_segs += 2;
        escapes = escapes || (b + 1 < end && b[1] == '}');
    }
    kl_seg *segs = kl_arena_alloc(arena, max_segs * sizeof(*segs));
    char *buf = escapes ? kl_arena_alloc(arena, len + 1) : NULL;
    if (segs == NULL || (escapes && buf == NULL)) {
        if (C)
            C->failed = true;
        return false;
    }
    /* A text run is buf[run_start, blen) with the escapes undone, or (no escapes) stays in
     * `text`, at text[tstart, i). */
    size_t n = 0, blen = 0, run_start = 0, tstart = 0;
    for (size_t i = 0; i < len;) {
        if ((text[i] == '{' && i + 1 < len && text[i + 1] == '{') ||
            (text[i] == '}' && i + 1 < len && text[i + 1] == '}')) {
            buf[blen++] = text[i];
            i += 2;
            continue;
        }
        if (text[i] == '}') {
            if (C)
                kl_cc_error(C, where, false, "unmatched `}` in a message (write `}}`)");
            return false;
        }
        if (text[i] != '{') {
            /* A run of plain text, up to the next brace. */
            size_t j = next_brace(text, i + 1, len);
            if (escapes)
                memcpy(buf + blen, text + i, j - i);
            blen += j - i;
            i = j;
            continue;
        }
        const char *closing = memchr(text + i + 1, '}', len - i - 1);
        size_t close = closing ? (size_t)(closing - text) : len;
        if (close >= len) {
            if (C)
                kl_cc_error(C, where, false, "unmatched `{` in a message (write `{{`)");
            return false;
        }
        if (blen > run_start) {
            segs[n].kind = KL_PH_TEXT;
            segs[n].text = escapes ? buf + run_start : text + tstart;
            segs[n].len = (uint16_t)(blen - run_start);
            segs[n].ref = (kl_ref){0, false};
            n++;
        }
        const char *name = text + i + 1;
        size_t name_len = close - i - 1;
        const char *colon = memchr(name, ':', name_len);
        kl_seg *sg = &segs[n];
        memset(sg, 0, sizeof(*sg));
        if (colon != NULL) {
            size_t head = (size_t)(colon - name);
            if (C == NULL || !((head == 5 && memcmp(name, "value", 5) == 0) ||
                               (head == 5 && memcmp(name, "field", 5) == 0))) {
                if (C)
                    kl_cc_error(C, where, false, "unknown placeholder `{%.*s}`", (int)name_len,
                                name);
                return false;
            }
            sg->kind = memcmp(name, "value", 5) == 0 ? KL_PH_VALUE_AT : KL_PH_FIELD_AT;
            /* The path is compiled from a temporary string node. */
            kl_node pn;
            memset(&pn, 0, sizeof(pn));
            pn.kind = KL_JSON_STRING;
            pn.u.str = colon + 1;
            pn.len = (uint32_t)(name_len - head - 1);
            pn.span = where->span;
            pn.parent = where->parent;
            pn.key = where->key;
            pn.key_len = where->key_len;
            pn.key_span = where->key_span;
            if (!kl_cc_path(C, &pn, scope, false, &sg->ref, NULL))
                return false;
        } else {
            bool ok = false;
            for (size_t k = 0; k < sizeof(placeholders) / sizeof(placeholders[0]); k++) {
                if (placeholders[k].len == name_len &&
                    memcmp(placeholders[k].name, name, name_len) == 0) {
                    sg->kind = (uint8_t)placeholders[k].kind;
                    ok = true;
                }
            }
            if (!ok) {
                if (C)
                    kl_cc_error(C, where, false,
                                "unknown placeholder `{%.*s}` (see rules/README.md, message "
                                "templates)",
                                (int)name_len, name);
                return false;
            }
        }
        n++;
        run_start = blen;
        i = close + 1;
        tstart = i;
    }
    if (blen > run_start) {
        segs[n].kind = KL_PH_TEXT;
        segs[n].text = escapes ? buf + run_start : text + tstart;
        segs[n].len = (uint16_t)(blen - run_start);
        segs[n].ref = (kl_ref){0, false};
        n++;
    }
    out->segs = segs;
    out->n_segs = (uint16_t)n;
    return true;
}

bool kl_cc_tmpl(kl_cc *C, const kl_node *n, uint16_t scope, kl_tmpl *out)
{
    if (n->kind != KL_JSON_STRING || n->len == 0) {
        kl_cc_error(C, n, false, "a message template is a non-empty string");
        return false;
    }
    return tmpl_compile(C, C->arena, n, n->u.str, n->len, scope, out);
}

bool kl_cc_tmpl_text(kl_arena *arena, const char *text, kl_tmpl *out)
{
    return tmpl_compile(NULL, arena, NULL, text, strlen(text), KL_NONE, out);
}

/* ---- Fixes ------------------------------------------------------------ */

bool kl_cc_fix(kl_cc *C, const kl_node *n, uint16_t scope, kl_fixspec *out)
{
    memset(out, 0, sizeof(*out));
    out->target = KL_NONE;
    if (n->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, n, false, "a fix is an object: {\"set\": V}, {\"remove\": true}, "
                                 "{\"rename\": \"name\"} or {\"move_into\": \"path\"}");
        return false;
    }
    if (!kl_cc_keys(C, n, "a fix", "set remove rename move_into description unsafe", NULL))
        return false;
    const kl_node *v;
    int kinds = 0;
    if ((v = KL_CC_GET(n, "set")) != NULL) {
        out->kind = KL_FIX_SET;
        out->value = v;
        kinds++;
    }
    if ((v = KL_CC_GET(n, "remove")) != NULL) {
        if (v->kind != KL_JSON_TRUE) {
            kl_cc_error(C, v, false, "`remove` takes true");
            return false;
        }
        out->kind = KL_FIX_REMOVE;
        kinds++;
    }
    if ((v = KL_CC_GET(n, "rename")) != NULL) {
        out->kind = KL_FIX_RENAME;
        out->name = kl_cc_str(C, v);
        if (out->name == NULL || v->len == 0) {
            kl_cc_error(C, v, false, "`rename` takes the new member name");
            return false;
        }
        kinds++;
    }
    if ((v = KL_CC_GET(n, "move_into")) != NULL) {
        kl_ref r;
        if (!kl_cc_path(C, v, KL_NONE, false, &r, NULL))
            return false;
        out->kind = KL_FIX_MOVE_INTO;
        out->target = r.field;
        kinds++;
    }
    if (kinds != 1) {
        kl_cc_error(C, n, false, "a fix has exactly one of set, remove, rename, move_into");
        return false;
    }
    if ((v = KL_CC_GET(n, "description")) != NULL &&
        !kl_cc_tmpl(C, v, scope, &out->description))
        return false;
    if ((v = KL_CC_GET(n, "unsafe")) != NULL) {
        if (v->kind != KL_JSON_TRUE && v->kind != KL_JSON_FALSE) {
            kl_cc_error(C, v, false, "`unsafe` takes true or false");
            return false;
        }
        out->unsafe = v->kind == KL_JSON_TRUE;
    }
    return true;
}
