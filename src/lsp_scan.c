/*
 * Tolerant scanning of JSON text being typed: one forward pass that keeps a
 * stack of open containers and, for each, what comes next (a name, a colon,
 * a value, a comma). The strict loader stops at the first error; this scan
 * never stops, so an editor can still tell where the cursor is.
 */
#include "lsp_scan.h"

#include <string.h>

#include "utf8.h"

typedef enum state { EXPECT_KEY, AFTER_KEY, EXPECT_VALUE, AFTER_VALUE } state;

typedef struct frame {
    char kind; /* '{' or '[' */
    uint8_t state;
    kl_span key; /* the object's last member name (object frames) */
    uint32_t open;
    kl_lsp_scan_step step; /* how the parent reaches this container */
} frame;

enum { REPAIR_MAX_DEPTH = 256 };

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_word(char c)
{
    return !is_space(c) && c != '"' && c != '{' && c != '}' && c != '[' && c != ']' && c != ':' &&
           c != ',';
}

/* The end of the string token opening at s[i] == '"'. */
static uint32_t string_end(const char *s, uint32_t len, uint32_t i, bool *closed)
{
    uint32_t j = i + 1;
    *closed = false;
    while (j < len) {
        char c = s[j];
        if (c == '"') {
            *closed = true;
            return j + 1;
        }
        if (c == '\n' || c == '\r')
            return j;
        j += (c == '\\' && j + 1 < len && s[j + 1] != '\n' && s[j + 1] != '\r') ? 2 : 1;
    }
    return len;
}

static uint32_t word_end(const char *s, uint32_t len, uint32_t i)
{
    while (i < len && is_word(s[i]))
        i++;
    return i;
}

static uint32_t skip_space(const char *s, uint32_t len, uint32_t i)
{
    while (i < len && is_space(s[i]))
        i++;
    return i;
}

/* ---- Locating an offset ----------------------------------------------------- */

typedef struct stack {
    frame f[KL_LSP_SCAN_MAX_DEPTH];
    uint32_t n;        /* frames kept */
    uint32_t overflow; /* frames opened beyond the ones kept */
    uint8_t top;       /* state at the top level: EXPECT_VALUE or AFTER_VALUE */
} stack;

static uint8_t *cur_state(stack *st)
{
    return st->n ? &st->f[st->n - 1].state : &st->top;
}

/* A value (scalar or closed container) was completed in the current container. */
static void took_value(stack *st)
{
    if (st->overflow)
        return;
    *cur_state(st) = AFTER_VALUE;
}

static void push(stack *st, char kind, uint32_t open)
{
    if (st->overflow || st->n == KL_LSP_SCAN_MAX_DEPTH) {
        st->overflow++;
        return;
    }
    frame *fr = &st->f[st->n];
    memset(fr, 0, sizeof(*fr));
    if (st->n > 0) {
        const frame *parent = &st->f[st->n - 1];
        if (parent->kind == '[' && parent->state == EXPECT_VALUE)
            fr->step.item = true;
        else if (parent->kind == '{' && parent->state == EXPECT_VALUE)
            fr->step.key = parent->key;
        else
            fr->step.bad = true;
    } else if (st->top != EXPECT_VALUE) {
        fr->step.bad = true;
    }
    fr->kind = kind;
    fr->state = kind == '{' ? EXPECT_KEY : EXPECT_VALUE;
    fr->open = open;
    st->n++;
}

static void pop(stack *st)
{
    if (st->overflow) {
        st->overflow--;
        return;
    }
    if (st->n == 0)
        return;
    st->n--;
    took_value(st);
}

/* A string or word token completed at the current place. */
static void took_token(stack *st, kl_span tok)
{
    if (st->overflow)
        return;
    if (st->n == 0) {
        st->top = AFTER_VALUE;
        return;
    }
    frame *fr = &st->f[st->n - 1];
    if (fr->kind == '[') {
        fr->state = AFTER_VALUE;
        return;
    }
    switch (fr->state) {
    case EXPECT_VALUE:
        fr->state = AFTER_VALUE;
        break;
    case EXPECT_KEY:
    case AFTER_VALUE: /* a name after a value with its comma missing: still a name */
        fr->key = tok;
        fr->state = AFTER_KEY;
        break;
    default:
        break;
    }
}

static void fill_path(const stack *st, kl_lsp_scan_at *at)
{
    at->depth = 0;
    for (uint32_t i = 1; i < st->n; i++)
        at->path[at->depth++] = st->f[i].step;
}

void kl_lsp_scan_locate(const char *s, uint32_t len, uint32_t offset, bool on_char,
                        kl_lsp_scan_at *at)
{
    memset(at, 0, sizeof(*at));
    if (offset > len)
        offset = len;
    at->cursor = offset;
    stack st;
    st.n = 0;
    st.overflow = 0;
    st.top = EXPECT_VALUE;
    bool found = false;
    uint32_t i = 0;
    while (i < len && (on_char ? i <= offset : i < offset)) {
        char c = s[i];
        if (is_space(c)) {
            i++;
            continue;
        }
        if (c == '"' || is_word(c)) {
            bool str = c == '"', closed = false;
            uint32_t e = str ? string_end(s, len, i, &closed) : word_end(s, len, i);
            /* On the token: before its end; between characters also at the end of a word or
             * of a string still being typed (not closed). */
            if (offset < e || (!on_char && offset == e && !(str && closed))) {
                if (str) {
                    at->in_string = offset > i;
                    at->closed = closed;
                }
                at->token = kl_span_make(i, e);
                found = true;
                break;
            }
            took_token(&st, kl_span_make(i, e));
            i = e;
            continue;
        }
        if (on_char && i == offset)
            break; /* on a structural character: no token */
        switch (c) {
        case '{':
        case '[':
            push(&st, c, i);
            break;
        case '}':
        case ']':
            pop(&st);
            break;
        case ':':
            if (!st.overflow && st.n && st.f[st.n - 1].kind == '{')
                st.f[st.n - 1].state = EXPECT_VALUE;
            break;
        case ',':
            if (!st.overflow && st.n)
                st.f[st.n - 1].state = st.f[st.n - 1].kind == '{' ? EXPECT_KEY : EXPECT_VALUE;
            break;
        default:
            break;
        }
        i++;
    }
    if (!found)
        at->token = kl_span_make(offset, offset);
    if (st.overflow) {
        at->too_deep = true;
        at->place = KL_LSP_SCAN_NONE;
        return;
    }
    at->container = st.n ? st.f[st.n - 1].open : UINT32_MAX;
    fill_path(&st, at);
    if (st.n > 0 && st.f[0].step.bad) {
        at->place = KL_LSP_SCAN_NONE; /* a second top-level value: nothing to offer */
        return;
    }
    if (st.n == 0) {
        at->place = st.top == EXPECT_VALUE ? KL_LSP_SCAN_VALUE : KL_LSP_SCAN_NONE;
        return;
    }
    const frame *fr = &st.f[st.n - 1];
    if (fr->kind == '[') {
        if (fr->state != EXPECT_VALUE) {
            at->place = KL_LSP_SCAN_NONE;
            return;
        }
        at->place = KL_LSP_SCAN_VALUE;
        if (at->depth == KL_LSP_SCAN_MAX_DEPTH) {
            at->too_deep = true;
            at->place = KL_LSP_SCAN_NONE;
            return;
        }
        at->path[at->depth].item = true;
        at->path[at->depth].key = kl_span_make(0, 0);
        at->path[at->depth].bad = false;
        at->depth++;
        return;
    }
    switch (fr->state) {
    case EXPECT_KEY:
    case AFTER_VALUE:
        at->place = KL_LSP_SCAN_KEY;
        {
            uint32_t j = skip_space(s, len, at->token.end);
            at->has_colon = j < len && s[j] == ':';
        }
        break;
    case EXPECT_VALUE:
        at->place = KL_LSP_SCAN_VALUE;
        if (at->depth == KL_LSP_SCAN_MAX_DEPTH) {
            at->too_deep = true;
            at->place = KL_LSP_SCAN_NONE;
            return;
        }
        at->path[at->depth].item = false;
        at->path[at->depth].key = fr->key;
        at->path[at->depth].bad = fr->key.end == fr->key.start;
        at->depth++;
        break;
    default:
        at->place = KL_LSP_SCAN_NONE;
        break;
    }
}

/* ---- Names of one object --------------------------------------------------------- */

void kl_lsp_scan_object_keys(const char *s, uint32_t len, uint32_t open, kl_lsp_scan_key_fn fn,
                             void *ctx)
{
    if (open >= len || s[open] != '{')
        return;
    uint32_t depth = 0;
    uint32_t i = open + 1;
    while (i < len) {
        char c = s[i];
        if (c == '"') {
            bool closed;
            uint32_t e = string_end(s, len, i, &closed);
            uint32_t j = skip_space(s, len, e);
            if (depth == 0 && j < len && s[j] == ':')
                fn(ctx, kl_span_make(i, e));
            i = e;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return;
            depth--;
        }
        i++;
    }
}

/* ---- Decoding a string token ---------------------------------------------------------- */

/* The code unit of the \uXXXX whose 'u' is at s[u], within s[..end); -1 when malformed. */
static long hex4(const char *s, uint32_t end, uint32_t u)
{
    if (end < 5 || u > end - 5)
        return -1;
    long v = 0;
    for (uint32_t k = 1; k <= 4; k++) {
        int d = kl_ascii_hex(s[u + k]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

void kl_lsp_scan_decode(const char *s, kl_span token, kl_buf *out)
{
    uint32_t i = token.start + 1;
    uint32_t end = token.end;
    if (end > i && s[end - 1] == '"' && end - 1 >= i) {
        /* Drop the closing quote unless it is escaped (then the token has none). */
        uint32_t bs = 0;
        for (uint32_t k = end - 1; k > i && s[k - 1] == '\\'; k--)
            bs++;
        if (bs % 2 == 0)
            end--;
    }
    while (i < end) {
        char c = s[i];
        if (c != '\\' || i + 1 >= end) {
            kl_buf_putc(out, c);
            i++;
            continue;
        }
        char e = s[i + 1];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (simple != NULL && e != '\0') {
            static const char map[] = "\"\\/\b\f\n\r\t";
            kl_buf_putc(out, map[simple - "\"\\/bfnrt"]);
            i += 2;
            continue;
        }
        long u = e == 'u' ? hex4(s, end, i + 1) : -1;
        if (u < 0) {
            kl_buf_putc(out, c);
            i++;
            continue;
        }
        uint32_t cp = (uint32_t)u;
        i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < end && s[i] == '\\' && s[i + 1] == 'u') {
            long lo = hex4(s, end, i + 1);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                i += 6;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        char enc[4];
        kl_buf_put(out, enc, kl_utf8_encode(cp, enc));
    }
}

/* ---- Repair ------------------------------------------------------------------------- */

typedef struct repair {
    const char *s;
    uint32_t len;
    uint32_t i;
    kl_buf *out;
} repair;

/* Is s[start..end) a closed JSON string with valid escapes and UTF-8? */
static bool valid_string(const char *s, uint32_t start, uint32_t end)
{
    if (end < start + 2 || s[end - 1] != '"')
        return false;
    for (uint32_t i = start + 1; i < end - 1; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20)
            return false;
        if (c != '\\')
            continue;
        char e = s[i + 1];
        if (e == 'u') {
            for (uint32_t k = 2; k <= 5; k++)
                if (i + k >= end - 1 || kl_ascii_hex(s[i + k]) < 0)
                    return false;
            i += 5;
        } else if (strchr("\"\\/bfnrt", e) != NULL && e != '\0') {
            i++;
        } else {
            return false;
        }
    }
    return kl_utf8_valid(s + start + 1, end - start - 2);
}

static bool valid_number(const char *s, uint32_t n)
{
    uint32_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n)
        return false;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return false;
    }
    if (i < n && s[i] == '.') {
        uint32_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        uint32_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    return i == n;
}

static bool repair_value(repair *r, int depth);

/* Drop what was appended after `mark` (a member or item that turned out malformed). */
static void truncate_to(kl_buf *b, size_t mark)
{
    if (b->failed || mark > b->len)
        return;
    b->len = mark;
    if (b->ptr)
        b->ptr[mark] = '\0';
}

/* Skip a container whose opening bracket is at r->i, nested ones included. */
static void skip_container(repair *r)
{
    uint32_t depth = 0;
    while (r->i < r->len) {
        char c = r->s[r->i];
        if (c == '"') {
            bool closed;
            r->i = string_end(r->s, r->len, r->i, &closed);
            continue;
        }
        r->i++;
        if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return;
        }
    }
}

/* Members or items up to the closing bracket; a '}' or ']' of the other kind also ends
 * the container (without being consumed: it closes an outer one). */
static void repair_container(repair *r, int depth)
{
    char open = r->s[r->i++];
    char close = open == '{' ? '}' : ']';
    char other = open == '{' ? ']' : '}';
    bool first = true;
    kl_buf_putc(r->out, open);
    for (;;) {
        r->i = skip_space(r->s, r->len, r->i);
        if (r->i >= r->len)
            break;
        char c = r->s[r->i];
        if (c == close) {
            r->i++;
            break;
        }
        if (c == other)
            break;
        if (c == ',') {
            r->i++;
            continue;
        }
        size_t mark = r->out->len;
        if (!first)
            kl_buf_putc(r->out, ',');
        bool ok;
        if (open == '{') {
            ok = false;
            if (c == '"') {
                bool closed;
                uint32_t e = string_end(r->s, r->len, r->i, &closed);
                bool good = closed && valid_string(r->s, r->i, e);
                uint32_t key = r->i;
                r->i = skip_space(r->s, r->len, e);
                if (r->i < r->len && r->s[r->i] == ':') {
                    r->i++;
                    if (good) {
                        kl_buf_put(r->out, r->s + key, e - key);
                        kl_buf_putc(r->out, ':');
                        ok = repair_value(r, depth);
                    } else {
                        size_t m2 = r->out->len;
                        (void)repair_value(r, depth); /* consume it; the member is dropped */
                        truncate_to(r->out, m2);
                    }
                }
            } else {
                /* Not a name: skip this character (or word) and resynchronise. */
                r->i = is_word(c) ? word_end(r->s, r->len, r->i) : r->i + 1;
            }
        } else {
            uint32_t before = r->i;
            ok = repair_value(r, depth);
            if (!ok && r->i == before)
                r->i = is_word(c) ? word_end(r->s, r->len, r->i) : r->i + 1;
        }
        if (ok)
            first = false;
        else
            truncate_to(r->out, mark);
    }
    kl_buf_putc(r->out, close);
}

/* One value at r->i (after blanks): appended when well formed (true); otherwise consumed
 * when it was a token, left when r->i is on a structural character. */
static bool repair_value(repair *r, int depth)
{
    r->i = skip_space(r->s, r->len, r->i);
    if (r->i >= r->len)
        return false;
    char c = r->s[r->i];
    if (c == '{' || c == '[') {
        if (depth >= REPAIR_MAX_DEPTH) {
            skip_container(r);
            return false;
        }
        repair_container(r, depth + 1);
        return true;
    }
    if (c == '"') {
        bool closed;
        uint32_t e = string_end(r->s, r->len, r->i, &closed);
        bool good = closed && valid_string(r->s, r->i, e);
        if (good)
            kl_buf_put(r->out, r->s + r->i, e - r->i);
        r->i = e;
        return good;
    }
    if (is_word(c)) {
        uint32_t e = word_end(r->s, r->len, r->i);
        const char *w = r->s + r->i;
        uint32_t n = e - r->i;
        bool good = (n == 4 && memcmp(w, "true", 4) == 0) ||
                    (n == 5 && memcmp(w, "false", 5) == 0) ||
                    (n == 4 && memcmp(w, "null", 4) == 0) || valid_number(w, n);
        if (good)
            kl_buf_put(r->out, w, n);
        r->i = e;
        return good;
    }
    return false;
}

void kl_lsp_scan_repair(const char *s, uint32_t len, kl_buf *out)
{
    repair r = {s, len, 0, out};
    size_t mark = out->len;
    if (!repair_value(&r, 0))
        truncate_to(out, mark);
}
