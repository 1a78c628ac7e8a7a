/*
 * File globs and JSON path patterns, matched without allocating.
 *
 * Globs match segment by segment: a `**` segment is the star of the
 * classic wildcard algorithm one level up (it swallows whole segments, with
 * backtracking to the last `**` only), and inside a segment `*` is that
 * same algorithm over characters. Both levels are linear in practice and
 * never recurse, so a hostile pattern cannot blow the stack.
 *
 * JSON paths are compared step by step, decoding quoted names on the fly,
 * so `$.input['prompt']` and `$.input.prompt` are the same place, as they
 * are in JSON.
 */
#include "glob.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"

/* ---- Characters ---------------------------------------------------------- */

/* The code point at s (an invalid byte stands for itself, outside Unicode), and its length. */
static size_t cp_at(const char *s, const char *end, uint32_t *cp)
{
    size_t n = kl_utf8_decode((const unsigned char *)s, (size_t)(end - s), cp);
    if (n == 0) {
        *cp = 0x110000u + (unsigned char)*s;
        n = 1;
    }
    return n;
}

/* ---- Glob: one segment --------------------------------------------------- */

/* Length of the class starting at p[0] == '[', or 0 when it is not closed before `end`. */
static size_t class_len(const char *p, const char *end)
{
    const char *q = p + 1;
    if (q < end && (*q == '!' || *q == '^'))
        q++;
    if (q < end && *q == ']')
        q++; /* a ']' first is a member, not the end */
    while (q < end && *q != ']') {
        if (*q == '\\' && q + 1 < end)
            q += 2;
        else
            q++;
    }
    return q < end ? (size_t)(q + 1 - p) : 0;
}

/* One member of a class at q (escapes resolved); advances q. */
static uint32_t class_item(const char **q, const char *end)
{
    if (**q == '\\' && *q + 1 < end)
        (*q)++;
    uint32_t cp;
    *q += cp_at(*q, end, &cp);
    return cp;
}

/* Does the class p[0..n) (from '[' to ']') hold c? */
static bool class_has(const char *p, size_t n, uint32_t c)
{
    const char *q = p + 1, *end = p + n - 1; /* end: the closing ']' */
    bool negate = false;
    if (*q == '!' || *q == '^') {
        negate = true;
        q++;
    }
    bool hit = false;
    bool first = true;
    while (q < end && (first || *q != ']')) {
        first = false;
        uint32_t lo = class_item(&q, end), hi = lo;
        if (q + 1 < end && *q == '-') {
            q++;
            hi = class_item(&q, end);
        }
        if (c >= lo && c <= hi)
            hit = true;
    }
    return hit != negate;
}

/* Does the pattern item at p match the character at s? Sets the lengths consumed. */
static bool item_match(const char *p, const char *pe, const char *s, const char *se, size_t *pl,
                       size_t *sl)
{
    uint32_t c;
    *sl = cp_at(s, se, &c);
    if (*p == '?') {
        *pl = 1;
        return true;
    }
    if (*p == '[') {
        size_t n = class_len(p, pe);
        if (n > 0) {
            *pl = n;
            return class_has(p, n, c);
        }
        /* An unclosed '[' is an ordinary character. */
    }
    size_t skip = 0;
    if (*p == '\\' && p + 1 < pe)
        skip = 1;
    uint32_t pc;
    *pl = skip + cp_at(p + skip, pe, &pc);
    return pc == c;
}

/* fnmatch within one segment: `*`, `?`, classes, escapes. */
static bool seg_match(const char *p, const char *pe, const char *s, const char *se)
{
    const char *star_p = NULL, *star_s = NULL;
    while (s < se) {
        if (p < pe && *p == '*') {
            while (p < pe && *p == '*')
                p++;
            star_p = p;
            star_s = s;
            continue;
        }
        size_t pl, sl;
        if (p < pe && item_match(p, pe, s, se, &pl, &sl)) {
            p += pl;
            s += sl;
            continue;
        }
        if (star_p == NULL)
            return false;
        uint32_t ignored;
        star_s += cp_at(star_s, se, &ignored);
        s = star_s;
        p = star_p;
    }
    while (p < pe && *p == '*')
        p++;
    return p == pe;
}

/* ---- Glob: segments ------------------------------------------------------ */

static const char *seg_end(const char *x, const char *end)
{
    const char *slash = memchr(x, '/', (size_t)(end - x));
    return slash ? slash : end;
}

/* The start of the segment after the one at x, or NULL when x's is the last. */
static const char *seg_next(const char *x, const char *end)
{
    const char *e = seg_end(x, end);
    return e < end ? e + 1 : NULL;
}

static bool is_globstar(const char *x, const char *end)
{
    return seg_end(x, end) - x == 2 && x[0] == '*' && x[1] == '*';
}

/* Does the whole pattern p..pe match the whole path s..se, segment by segment? */
static bool segs_match(const char *p, const char *pe, const char *s, const char *se)
{
    if (p == pe)
        p = NULL;
    if (s == se)
        s = NULL;
    const char *star_p = NULL, *star_s = NULL;
    while (s != NULL) {
        if (p != NULL && is_globstar(p, pe)) {
            p = seg_next(p, pe);
            star_p = p;
            star_s = s;
            continue;
        }
        if (p != NULL && seg_match(p, seg_end(p, pe), s, seg_end(s, se))) {
            p = seg_next(p, pe);
            s = seg_next(s, se);
            continue;
        }
        if (star_s == NULL)
            return false;
        /* The last `**` swallows one more segment. */
        star_s = seg_next(star_s, se);
        s = star_s;
        p = star_p;
    }
    while (p != NULL && is_globstar(p, pe))
        p = seg_next(p, pe);
    return p == NULL;
}

bool kl_glob_match(const char *pattern, const char *path)
{
    if (pattern == NULL || path == NULL)
        return false;
    while (pattern[0] == '.' && pattern[1] == '/')
        pattern += 2;
    while (*pattern == '/')
        pattern++;
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    size_t plen = strlen(pattern), slen = strlen(path);
    if (plen == 0 || slen == 0)
        return false;
    if (pattern[plen - 1] == '/') {
        /* "dir/": everything below dir, i.e. some proper prefix of the path's segments. */
        for (const char *slash = path; (slash = memchr(slash, '/', (size_t)(path + slen - slash)));
             slash++)
            if (segs_match(pattern, pattern + plen - 1, path, slash))
                return true;
        return false;
    }
    if (memchr(pattern, '/', plen) == NULL) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        return segs_match(pattern, pattern + plen, base, path + slen);
    }
    return segs_match(pattern, pattern + plen, path, path + slen);
}

/* Problems inside one segment [s, e) of a glob; NULL when fine. */
static const char *check_segment(const char *s, const char *e, const char **where)
{
    *where = s;
    if (s == e)
        return "empty path segment (`//`)";
    if (e - s == 1 && s[0] == '.')
        return "a `.` segment: write the path without it";
    if (e - s == 2 && s[0] == '.' && s[1] == '.')
        return "a `..` segment never matches: globs match files below the configuration's "
               "directory";
    bool star = e - s == 2 && s[0] == '*' && s[1] == '*';
    for (const char *q = s; q < e; q++) {
        *where = q;
        if (!star && q + 1 < e && q[0] == '*' && q[1] == '*')
            return "`**` must be a whole path segment (`templates/**/*.json`); use `*` inside a "
                   "name";
        if (*q == '\\') {
            if (q + 1 >= e)
                return "`\\` at the end of a segment escapes nothing";
            q++;
            continue;
        }
        if (*q != '[')
            continue;
        size_t n = class_len(q, e);
        if (n == 0)
            return memchr(q, ']', (size_t)(e - q)) == NULL && strchr(e, ']') != NULL
                       ? "a class `[...]` cannot hold '/'"
                       : "unclosed class: `[` without `]` (a `]` right after `[` or `[!` belongs "
                         "to the class)";
        const char *c = q + 1, *close = q + n - 1;
        if (*c == '!' || *c == '^')
            c++;
        bool first = true;
        while (c < close && (first || *c != ']')) {
            first = false;
            const char *lo_at = c;
            uint32_t lo = class_item(&c, close), hi = lo;
            if (c + 1 < close && *c == '-') {
                c++;
                hi = class_item(&c, close);
            }
            if (hi < lo) {
                *where = lo_at;
                return "reversed range in a class: write the lower bound first (`[a-z]`)";
            }
        }
        q = close;
    }
    return NULL;
}

const char *kl_glob_check(const char *pattern, size_t *at)
{
    *at = 0;
    const char *p = pattern;
    if (*p == '\0')
        return "empty glob";
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    if (*p == '/') {
        *at = (size_t)(p - pattern);
        return "a glob is relative to the configuration's directory: drop the leading '/'";
    }
    if (*p == '\0')
        return "the glob names no file (write `**` for every file)";
    size_t len = strlen(p);
    const char *end = p + len;
    if (p[len - 1] == '/')
        end--; /* "dir/": everything below dir */
    for (const char *s = p;;) {
        const char *e = seg_end(s, end), *where;
        const char *msg = check_segment(s, e, &where);
        if (msg != NULL) {
            *at = (size_t)(where - pattern);
            return msg;
        }
        if (e == end)
            break;
        s = e + 1;
    }
    return NULL;
}

/* ---- JSON path patterns ----------------------------------------------------- */

typedef enum step_kind {
    STEP_MEMBER,
    STEP_INDEX,
    STEP_ANY_INDEX,  /* [*] */
    STEP_ANY_MEMBER, /* .* */
    STEP_DEEP,       /* .** (last) */
} step_kind;

typedef struct step {
    step_kind kind;
    const char *b, *e; /* MEMBER: the name as written (without quotes); INDEX: the digits */
    char quote;        /* MEMBER: '\'' or '"' when bracketed, 0 for dot notation */
} step;

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Parse the step at *s (not at the end); advances *s. NULL, or a message with *s at the problem. */
static const char *parse_step(const char **sp, step *out, bool wildcards)
{
    const char *s = *sp;
    out->quote = 0;
    if (*s == '.') {
        s++;
        if (s[0] == '*' && s[1] == '*') {
            if (!wildcards) {
                *sp = s;
                return "wildcards are not allowed here";
            }
            if (s[2] != '\0') {
                *sp = s;
                return "`.**` (everything below) must end the pattern";
            }
            out->kind = STEP_DEEP;
            *sp = s + 2;
            return NULL;
        }
        if (s[0] == '*' && (s[1] == '\0' || s[1] == '.' || s[1] == '[')) {
            if (!wildcards) {
                *sp = s;
                return "wildcards are not allowed here";
            }
            out->kind = STEP_ANY_MEMBER;
            *sp = s + 1;
            return NULL;
        }
        const char *b = s;
        while (*s != '\0' && *s != '.' && *s != '[') {
            if (*s == '*') {
                *sp = s;
                return "`*` inside a member name: `.*` is any member; write `['a*']` for a "
                       "name with a star";
            }
            s++;
        }
        if (s == b) {
            *sp = s;
            return "empty member name after `.`";
        }
        out->kind = STEP_MEMBER;
        out->b = b;
        out->e = s;
        *sp = s;
        return NULL;
    }
    if (*s != '[') {
        *sp = s;
        return "expected `.name`, `['name']` or `[N]`";
    }
    s++;
    if (s[0] == '*' && s[1] == ']') {
        if (!wildcards) {
            *sp = s;
            return "wildcards are not allowed here";
        }
        out->kind = STEP_ANY_INDEX;
        *sp = s + 2;
        return NULL;
    }
    if (*s >= '0' && *s <= '9') {
        const char *b = s;
        while (*s >= '0' && *s <= '9')
            s++;
        if (*s != ']') {
            *sp = s;
            return "an index is a non-negative integer followed by `]`";
        }
        if (s - b > 1 && *b == '0') {
            *sp = b;
            return "an index has no leading zeros";
        }
        out->kind = STEP_INDEX;
        out->b = b;
        out->e = s;
        *sp = s + 1;
        return NULL;
    }
    if (*s == '\'' || *s == '"') {
        char q = *s++;
        const char *b = s;
        while (*s != q) {
            if (*s == '\0') {
                *sp = b - 1;
                return "unclosed quoted name";
            }
            if (*s == '\\') {
                const char *esc = s++;
                if (*s == 'u') {
                    for (int i = 1; i <= 4; i++) {
                        if (!is_hex(s[i])) {
                            *sp = esc;
                            return "`\\u` takes four hexadecimal digits";
                        }
                    }
                    s += 4;
                } else if (*s == '\0' || strchr("\\'\"/bfnrt", *s) == NULL) {
                    *sp = esc;
                    return "unknown escape in a quoted name";
                }
            }
            s++;
        }
        if (s[1] != ']') {
            *sp = s + 1;
            return "expected `]` after the quoted name";
        }
        out->kind = STEP_MEMBER;
        out->quote = q;
        out->b = b;
        out->e = s;
        *sp = s + 2;
        return NULL;
    }
    *sp = s;
    return "expected an index, `*` or a quoted name after `[`";
}

const char *kl_jsonpath_check(const char *pattern, bool wildcards, size_t *at)
{
    *at = 0;
    if (pattern[0] != '$')
        return "a JSON path starts with `$` (`$.input.prompt`)";
    const char *s = pattern + 1;
    while (*s != '\0') {
        step st;
        const char *msg = parse_step(&s, &st, wildcards);
        if (msg != NULL) {
            *at = (size_t)(s - pattern);
            return msg;
        }
    }
    return NULL;
}

/* Bytes of a member name, escapes decoded on the fly. */
typedef struct name_iter {
    const char *s, *e;
    char quote;
    char pend[4];
    size_t n_pend, i_pend;
} name_iter;

static uint32_t hex4(const char *s)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v = v * 16 + (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* The next byte, or -1 at the end. */
static int name_next(name_iter *it)
{
    if (it->i_pend < it->n_pend)
        return (unsigned char)it->pend[it->i_pend++];
    if (it->s >= it->e)
        return -1;
    char c = *it->s++;
    if (c != '\\' || it->quote == 0 || it->s >= it->e)
        return (unsigned char)c;
    char x = *it->s++;
    switch (x) {
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'u': {
        if (it->e - it->s < 4)
            return -1;
        uint32_t cp = hex4(it->s);
        it->s += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && it->e - it->s >= 6 && it->s[0] == '\\' &&
            it->s[1] == 'u') {
            uint32_t lo = hex4(it->s + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                it->s += 6;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD; /* a lone surrogate: what a JSON decoder makes of it */
        it->n_pend = kl_utf8_encode(cp, it->pend);
        it->i_pend = 1;
        return (unsigned char)it->pend[0];
    }
    default:
        return (unsigned char)x; /* \\ \' \" \/ */
    }
}

static bool names_equal(const step *a, const step *b)
{
    name_iter x = {a->b, a->e, a->quote, {0}, 0, 0};
    name_iter y = {b->b, b->e, b->quote, {0}, 0, 0};
    for (;;) {
        int cx = name_next(&x), cy = name_next(&y);
        if (cx != cy)
            return false;
        if (cx < 0)
            return true;
    }
}

static bool step_matches(const step *pat, const step *got)
{
    switch (pat->kind) {
    case STEP_ANY_INDEX:
        return got->kind == STEP_INDEX;
    case STEP_ANY_MEMBER:
        return got->kind == STEP_MEMBER;
    case STEP_INDEX:
        return got->kind == STEP_INDEX && pat->e - pat->b == got->e - got->b &&
               memcmp(pat->b, got->b, (size_t)(pat->e - pat->b)) == 0;
    case STEP_MEMBER:
        return got->kind == STEP_MEMBER && names_equal(pat, got);
    case STEP_DEEP:
        return true;
    }
    return false;
}

bool kl_jsonpath_match(const char *pattern, const char *path)
{
    if (pattern == NULL || path == NULL || pattern[0] != '$' || path[0] != '$')
        return false;
    const char *p = pattern + 1, *s = path + 1;
    for (;;) {
        if (*p == '\0')
            return *s == '\0';
        step ps, ss;
        if (parse_step(&p, &ps, true) != NULL)
            return false;
        if (ps.kind == STEP_DEEP)
            return true; /* this place and everything below it */
        if (*s == '\0' || parse_step(&s, &ss, false) != NULL)
            return false;
        if (!step_matches(&ps, &ss))
            return false;
    }
}
