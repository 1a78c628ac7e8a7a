/*
 * The `text` format, for people at a terminal (rustc / actionlint style):
 *
 *   PATH:LINE:COL: SEVERITY[RULE]: MESSAGE
 *      |
 *   12 |   "duration": 5]
 *      |                ^
 *      = at $.input.duration
 *      = note: PATH:LINE:COL: MESSAGE      (one per related place, with its
 *      |                                    own snippet underlined with '-')
 *    9 |   "duration": 5,
 *      |   ----------
 *      = help: DESCRIPTION                 (one per fix; an unsafe one says so)
 *
 * a blank line after each diagnostic, and one summary line at the end.
 *
 * The gutter is as wide as the largest line number the diagnostic shows.
 * Source lines wider than KL_PRINT_CLIP_WIDTH display columns are clipped
 * around the span with "..." markers, so the output is the same in every
 * terminal. What is shown is what the terminal will draw in the columns the
 * carets assume: tabs become one space, control characters become their
 * Unicode "control picture" (U+2400...), invalid UTF-8 bytes, C1 controls
 * and invisible format characters (BOM, zero-width space, bidi controls)
 * become U+FFFD, East Asian wide characters and emoji take two columns and
 * combining marks none. The width table is built in, so no locale matters.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "klint/source.h"
#include "print_util.h"
#include "utf8.h"

#define SGR_RESET  "\033[0m"
#define SGR_BOLD   "\033[1m"
#define SGR_RED    "\033[1;31m"
#define SGR_YELLOW "\033[1;33m"
#define SGR_BLUE   "\033[1;34m"
#define SGR_CYAN   "\033[36m"

/* Clipping: "..." markers, and the left context kept before a span too long to centre. */
#define MARKER            "..."
#define MARKER_WIDTH      3
#define LONG_SPAN_CONTEXT 8

typedef struct cp_range {
    uint32_t first, last;
} cp_range;

/* East Asian Width W and F (Unicode 14, assigned code points), plus the ideographic planes. */
static const cp_range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x3029},
    {0x302E, 0x303E},   {0x3041, 0x3096},   {0x309B, 0x3247},   {0x3250, 0x4DBF},
    {0x4E00, 0xA4C6},   {0xA960, 0xA97C},   {0xAC00, 0xD7A3},   {0xF900, 0xFAD9},
    {0xFE10, 0xFE19},   {0xFE30, 0xFE6B},   {0xFF01, 0xFF60},   {0xFFE0, 0xFFE6},
    {0x16FE0, 0x16FE3}, {0x16FF0, 0x1B2FB}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F320}, {0x1F32D, 0x1F335},
    {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA}, {0x1F3CF, 0x1F3D3},
    {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E}, {0x1F440, 0x1F440},
    {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567},
    {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F},
    {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6DF},
    {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7F0}, {0x1F90C, 0x1F93A},
    {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x3FFFD},
};

/* Combining marks and joiners that draw on the previous character. */
static const cp_range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489},   {0x1AB0, 0x1AFF},   {0x1DC0, 0x1DFF},
    {0x200D, 0x200D}, {0x20D0, 0x20FF},   {0x3099, 0x309A},   {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

/* Characters a terminal would not show (or would act on): drawn as U+FFFD. */
static const cp_range invisible[] = {
    {0x0080, 0x009F}, {0x061C, 0x061C}, {0x200B, 0x200C}, {0x200E, 0x200F}, {0x2028, 0x202E},
    {0x2060, 0x2064}, {0x2066, 0x2069}, {0xFEFF, 0xFEFF}, {0xFFF9, 0xFFFB},
};

static bool in_ranges(const cp_range *r, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].first)
            hi = mid;
        else if (cp > r[mid].last)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

#define IN(table, cp) in_ranges(table, sizeof(table) / sizeof(table[0]), cp)

/* How one character of the input is drawn. */
typedef struct glyph {
    const char *bytes; /* what to write */
    size_t n_bytes;
    size_t width; /* display columns: 0, 1 or 2 */
    char tmp[4];  /* storage for a substituted character */
} glyph;

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Decode the character at s[0..avail) into `g`; returns the bytes it takes (>= 1). */
static size_t next_glyph(const unsigned char *s, size_t avail, glyph *g)
{
    unsigned char c = s[0];
    g->bytes = (const char *)s;
    g->n_bytes = 1;
    g->width = 1;
    if (c >= 0x20 && c < 0x7F)
        return 1;
    if (c == '\t') {
        g->bytes = " ";
        return 1;
    }
    if (c < 0x20 || c == 0x7F) {
        /* U+2400 + c, or U+2421 for DEL: E2 90 80+c / E2 90 A1. */
        g->tmp[0] = '\xE2';
        g->tmp[1] = '\x90';
        g->tmp[2] = (char)(c == 0x7F ? 0xA1 : 0x80 + c);
        g->bytes = g->tmp;
        g->n_bytes = 3;
        return 1;
    }
    uint32_t cp;
    size_t n = kl_utf8_decode(s, avail, &cp);
    if (n == 0 || IN(invisible, cp)) {
        g->bytes = replacement;
        g->n_bytes = 3;
        return n == 0 ? 1 : n;
    }
    g->n_bytes = n;
    if (IN(zero_width, cp))
        g->width = 0;
    else if (IN(wide, cp))
        g->width = 2;
    return n;
}

/* Append s[0..len) as it would be drawn (for names and messages). */
static void put_visible(kl_buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        glyph g;
        i += next_glyph(u + i, len - i, &g);
        kl_buf_put(b, g.bytes, g.n_bytes);
    }
}

static void put_visible_cstr(kl_buf *b, const char *s)
{
    if (s != NULL)
        put_visible(b, s, strlen(s));
}

static void put_repeat(kl_buf *b, char c, size_t n)
{
    while (n-- > 0)
        kl_buf_putc(b, c);
}

/* An SGR escape sequence, written only when colour is on. */
static void sgr(kl_buf *b, const kl_printer *p, const char *code)
{
    if (p->opts.color)
        kl_buf_puts(b, code);
}

static const char *severity_color(kl_severity sev)
{
    switch (sev) {
    case KL_SEV_ERROR:
        return SGR_RED;
    case KL_SEV_WARNING:
        return SGR_YELLOW;
    case KL_SEV_INFO:
        return SGR_BLUE;
    }
    return SGR_RED;
}

static size_t digits(uint32_t n)
{
    size_t d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* " NNN |" with the number, or blanks when line is 0; no trailing space. */
static void put_gutter(kl_buf *b, const kl_printer *p, size_t width, uint32_t line)
{
    sgr(b, p, SGR_CYAN);
    kl_buf_putc(b, ' ');
    if (line == 0)
        put_repeat(b, ' ', width);
    else
        kl_buf_printf(b, "%*" PRIu32, (int)width, line);
    kl_buf_puts(b, " |");
    sgr(b, p, SGR_RESET);
}

/* " WWW = " before a note, help or path line. */
static void put_label(kl_buf *b, const kl_printer *p, size_t width, const char *label)
{
    put_repeat(b, ' ', width + 2);
    sgr(b, p, SGR_CYAN);
    kl_buf_puts(b, "=");
    sgr(b, p, SGR_RESET);
    kl_buf_putc(b, ' ');
    sgr(b, p, SGR_BOLD);
    kl_buf_puts(b, label);
    sgr(b, p, SGR_RESET);
}

/* `s` clamped to the source: 0 <= start <= end <= len. */
static kl_span clamp_span(const kl_source *src, kl_span s)
{
    uint32_t start = s.start < src->len ? s.start : src->len;
    uint32_t end = s.end < src->len ? s.end : src->len;
    return kl_span_make(start, end > start ? end : start);
}

/* The display columns to show of one source line, and the underline within them. */
typedef struct window {
    size_t start, end;           /* shown columns [start, end) */
    bool left_clip, right_clip;  /* "..." before / after */
    size_t mark_start, mark_end; /* underlined columns [mark_start, mark_end) */
} window;

/*
 * Choose what to show of a line `total` columns wide whose underline is
 * [ms, me) (me may be total + 1: a caret just past the last character).
 * A line that fits is shown whole. Otherwise the window keeps the span
 * start in view: from the line start when the span ends early enough, up
 * to the line end when it starts late enough, else centred on the span
 * (or, for a span too long for the window, starting a little before it).
 */
static window choose_window(size_t total, size_t ms, size_t me)
{
    const size_t max = KL_PRINT_CLIP_WIDTH;
    const size_t one = max - MARKER_WIDTH;     /* room beside one marker */
    const size_t two = max - 2 * MARKER_WIDTH; /* room between two markers */
    size_t all = total > me ? total : me;
    window w = {0, all, false, false, ms, me};

    if (all <= max)
        return w;
    if (me <= one) {
        w.end = one;
        w.right_clip = true;
        return w;
    }
    if (ms >= all - one) {
        w.start = all - one;
        w.left_clip = true;
        return w;
    }
    size_t span = me - ms;
    size_t lead = span <= two ? (two - span) / 2 : LONG_SPAN_CONTEXT;
    if (ms <= lead) { /* a long span near the line start */
        w.end = one;
        w.right_clip = true;
        return w;
    }
    /* Here ms < all - one, so start + two < all: both markers are real. */
    w.start = ms - lead;
    w.end = w.start + two;
    w.left_clip = w.right_clip = true;
    return w;
}

/*
 * Show the line holding `span.start` and underline the span with `mark`
 * (to the end of that line for a span that goes on). At least one mark is
 * drawn, after the last character for a span at the end of the line.
 */
static void put_snippet(kl_buf *b, const kl_printer *p, const kl_source *src, kl_span span,
                        size_t gutter, uint32_t line, char mark, const char *mark_color)
{
    span = clamp_span(src, span);
    kl_span ls = kl_source_line_span(src, span.start);
    const unsigned char *data = (const unsigned char *)src->data;
    size_t a = span.start < ls.end ? span.start : ls.end;
    size_t z = span.end < ls.end ? span.end : ls.end;

    /* Pass 1: columns of the span and of the whole line. */
    size_t col = 0, ms = SIZE_MAX, me = 0, a_col = SIZE_MAX;
    for (size_t i = ls.start; i < ls.end;) {
        glyph g;
        size_t n = next_glyph(data + i, ls.end - i, &g);
        if (a_col == SIZE_MAX && i + n > a)
            a_col = col;
        if (i + n > a && i < z && g.width > 0) {
            if (ms == SIZE_MAX)
                ms = col;
            me = col + g.width;
        }
        col += g.width;
        i += n;
    }
    size_t total = col;
    if (a_col == SIZE_MAX)
        a_col = total;
    if (ms == SIZE_MAX) { /* empty span, or only zero-width characters */
        ms = a_col;
        me = a_col + 1;
    }
    window w = choose_window(total, ms, me);

    /* Pass 2: the visible part of the line. */
    put_gutter(b, p, gutter, 0);
    kl_buf_putc(b, '\n');
    put_gutter(b, p, gutter, line);
    if (ls.end > ls.start)
        kl_buf_putc(b, ' '); /* no trailing blank after the gutter of an empty line */
    if (w.left_clip)
        kl_buf_puts(b, MARKER);
    col = 0;
    size_t shown_end = w.start;
    for (size_t i = ls.start; i < ls.end && col < w.end;) {
        glyph g;
        size_t n = next_glyph(data + i, ls.end - i, &g);
        if (col + g.width > w.end)
            break; /* a wide character across the right edge */
        if (col >= w.start) {
            kl_buf_put(b, g.bytes, g.n_bytes);
            shown_end = col + g.width;
        } else if (col + g.width > w.start) {
            kl_buf_putc(b, ' '); /* the right half of a wide character across the left edge */
            shown_end = col + g.width;
        }
        col += g.width;
        i += n;
    }
    if (w.right_clip)
        kl_buf_puts(b, MARKER);
    kl_buf_putc(b, '\n');

    size_t from = w.mark_start > w.start ? w.mark_start : w.start;
    size_t to = w.mark_end;
    size_t limit = w.right_clip ? shown_end : w.end;
    if (to > limit)
        to = limit;
    if (to <= from)
        to = from + 1;
    put_gutter(b, p, gutter, 0);
    kl_buf_putc(b, ' ');
    put_repeat(b, ' ', (w.left_clip ? MARKER_WIDTH : 0) + from - w.start);
    sgr(b, p, mark_color);
    put_repeat(b, mark, to - from);
    sgr(b, p, SGR_RESET);
    kl_buf_putc(b, '\n');
}

/* "PATH:LINE:COL" */
static void put_location(kl_buf *b, const kl_source *src, kl_pos pos)
{
    put_visible_cstr(b, src->name);
    kl_buf_printf(b, ":%" PRIu32 ":%" PRIu32, pos.line, pos.column);
}

static int text_diag(kl_printer *p, const kl_source *src, const kl_diag *d)
{
    kl_buf *b = kl_print_scratch(p);
    const char *color = severity_color(d->severity);
    kl_span span = clamp_span(src, d->span);
    kl_pos pos = kl_source_pos(src, span.start);

    uint32_t max_line = pos.line;
    for (size_t i = 0; i < d->n_related; i++) {
        kl_pos rp = kl_source_pos(src, clamp_span(src, d->related[i].span).start);
        if (rp.line > max_line)
            max_line = rp.line;
    }
    size_t gutter = digits(max_line);

    sgr(b, p, SGR_BOLD);
    put_location(b, src, pos);
    kl_buf_puts(b, ": ");
    sgr(b, p, SGR_RESET);
    sgr(b, p, color);
    kl_buf_puts(b, kl_severity_name(d->severity));
    kl_buf_putc(b, '[');
    put_visible_cstr(b, d->rule);
    kl_buf_putc(b, ']');
    sgr(b, p, SGR_RESET);
    sgr(b, p, SGR_BOLD);
    kl_buf_puts(b, ": ");
    put_visible_cstr(b, d->message);
    sgr(b, p, SGR_RESET);
    kl_buf_putc(b, '\n');
    put_snippet(b, p, src, span, gutter, pos.line, '^', color);

    if (d->path != NULL && strcmp(d->path, "$") != 0) {
        put_label(b, p, gutter, "at");
        kl_buf_putc(b, ' ');
        put_visible_cstr(b, d->path);
        kl_buf_putc(b, '\n');
    }
    for (size_t i = 0; i < d->n_related; i++) {
        const kl_related *r = &d->related[i];
        kl_span rs = clamp_span(src, r->span);
        kl_pos rp = kl_source_pos(src, rs.start);
        put_label(b, p, gutter, "note:");
        kl_buf_putc(b, ' ');
        put_location(b, src, rp);
        kl_buf_puts(b, ": ");
        put_visible_cstr(b, r->message);
        kl_buf_putc(b, '\n');
        put_snippet(b, p, src, rs, gutter, rp.line, '-', SGR_CYAN);
    }
    for (size_t i = 0; i < d->n_fixes; i++) {
        put_label(b, p, gutter, "help:");
        kl_buf_putc(b, ' ');
        put_visible_cstr(b, d->fixes[i].description);
        if (d->fixes[i].unsafe)
            kl_buf_puts(b, " (unsafe fix: --fix applies it only with --unsafe-fixes)");
        kl_buf_putc(b, '\n');
    }
    kl_buf_putc(b, '\n');
    return kl_print_flush(p);
}

/* "N things", with the singular for 1. */
static void put_count(kl_buf *b, size_t n, const char *one, const char *many)
{
    kl_buf_printf(b, "%zu %s", n, n == 1 ? one : many);
}

/*
 * "2 errors, 1 warning, 0 infos in 3 files" or "no problems found in 3
 * files". When JSON Lines records were linted (records != files), the
 * number of documents linted follows: "in 2 files (1501 documents)", one
 * per ordinary file plus one per record.
 */
static int text_end(kl_printer *p, const kl_summary *s)
{
    kl_buf *b = kl_print_scratch(p);
    sgr(b, p, SGR_BOLD);
    if (s->errors + s->warnings + s->infos == 0) {
        kl_buf_puts(b, "no problems found");
    } else {
        put_count(b, s->errors, "error", "errors");
        kl_buf_puts(b, ", ");
        put_count(b, s->warnings, "warning", "warnings");
        kl_buf_puts(b, ", ");
        put_count(b, s->infos, "info", "infos");
    }
    kl_buf_puts(b, " in ");
    put_count(b, s->files, "file", "files");
    if (s->records != s->files) {
        kl_buf_puts(b, " (");
        put_count(b, s->records, "document", "documents");
        kl_buf_putc(b, ')');
    }
    sgr(b, p, SGR_RESET);
    kl_buf_putc(b, '\n');
    return kl_print_flush(p);
}

const kl_printer_ops kl_print_text_ops = {
    .name = "text",
    .description = "for people: location, message, the source line with a caret underline",
    .begin = NULL,
    .diag = text_diag,
    .file = NULL,
    .end = text_end,
    .state_size = 0,
};
