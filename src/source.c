/*
 * kl_source: reading inputs and turning byte offsets into line/column.
 *
 * The line table holds the offset of the byte after every '\n' (line 1
 * starts at 0 and is implicit), so a source without a newline allocates
 * nothing. Offset -> line is a binary search; the column is found by
 * walking the line from its start (or from a position already known on it,
 * kl_source_pos_after), because columns come in three units and a table of
 * per-character positions would cost far more than it saves. The walk
 * crosses ASCII a word at a time and decodes only the other characters.
 */
#include "klint/source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "utf8.h"

/* First read when the size of the input is not known (pipes, stdin). */
enum { READ_CHUNK = 64 * 1024 };

/* One past the largest source: reading this many bytes means "too big". */
#define SOURCE_LIMIT ((uint64_t)UINT32_MAX + 1)

/* Count the '\n' bytes and record the offset after each one. */
static int build_lines(kl_source *src)
{
    const char *p = src->data;
    const char *end = p + src->len;
    uint32_t n = 0;

    src->line_starts_ = NULL;
    src->n_line_starts_ = 0;
    if (src->len == 0)
        return KL_OK;
    for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
        n++;
    if (n == 0)
        return KL_OK;

    uint32_t *starts = malloc((size_t)n * sizeof(*starts));
    if (starts == NULL)
        return KL_ENOMEM;
    uint32_t i = 0;
    for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
        starts[i++] = (uint32_t)(q - p) + 1;
    src->line_starts_ = starts;
    src->n_line_starts_ = n;
    return KL_OK;
}

/* Make a heap source around `data` (taken over) and a copy of `name`. */
static int make_source(kl_source **out, const char *name, char *data, size_t len)
{
    size_t name_len = strlen(name);
    kl_source *src = calloc(1, sizeof(*src));
    char *name_copy = malloc(name_len + 1);
    if (src == NULL || name_copy == NULL)
        goto nomem;
    memcpy(name_copy, name, name_len + 1);

    src->name = name_copy;
    src->owned_name_ = name_copy;
    src->data = data;
    src->owned_data_ = data;
    src->len = (uint32_t)len;
    src->first_line = 1;
    src->is_record = false;
    if (build_lines(src) != KL_OK)
        goto nomem;
    *out = src;
    return KL_OK;

nomem:
    free(src);
    free(name_copy);
    free(data);
    return KL_ENOMEM;
}

/*
 * Read all of `f`. A regular file is read in one go into a buffer sized
 * from fstat (plus one byte, to see the end of file without a regrow);
 * anything else (a pipe, a terminal) grows geometrically from READ_CHUNK.
 */
static int read_all(FILE *f, char **out_data, size_t *out_len)
{
    struct stat st;
    uint64_t cap = READ_CHUNK;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0)
        cap = (uint64_t)st.st_size + 1;
    if (cap > SOURCE_LIMIT)
        return KL_ETOOBIG;

    char *data = NULL;
    size_t len = 0;
    int rc = KL_OK;
    for (;;) {
        if (data == NULL || len == cap) {
            if (data != NULL) {
                if (cap >= SOURCE_LIMIT) {
                    rc = KL_ETOOBIG;
                    break;
                }
                cap = cap * 2 < SOURCE_LIMIT ? cap * 2 : SOURCE_LIMIT;
            }
#if SIZE_MAX < UINT64_MAX
            if (cap > SIZE_MAX) {
                rc = KL_ENOMEM;
                break;
            }
#endif
            char *grown = realloc(data, (size_t)cap);
            if (grown == NULL) {
                rc = KL_ENOMEM;
                break;
            }
            data = grown;
        }
        size_t want = (size_t)cap - len;
        size_t got = fread(data + len, 1, want, f);
        len += got;
        if (got < want) {
            if (ferror(f))
                rc = KL_EIO;
            break;
        }
    }
    if (rc != KL_OK) {
        int saved = errno;
        free(data);
        errno = saved;
        return rc;
    }
    *out_data = data;
    *out_len = len;
    return KL_OK;
}

int kl_source_read_file(kl_source **out, const char *path, const char *name)
{
    *out = NULL;
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL)
        return KL_EIO;

    char *data = NULL;
    size_t len = 0;
    int rc = read_all(f, &data, &len);
    if (!is_stdin) {
        int saved = errno;
        fclose(f);
        errno = saved;
    }
    if (rc != KL_OK)
        return rc;
    return make_source(out, name ? name : path, data, len);
}

int kl_source_from_memory(kl_source **out, const char *name, const char *data, size_t len)
{
    *out = NULL;
    if ((uint64_t)len > UINT32_MAX)
        return KL_ETOOBIG;
    /* One spare byte so that an empty source still has a non-NULL `data`. */
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return KL_ENOMEM;
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return make_source(out, name ? name : "", copy, len);
}

void kl_source_free(kl_source *src)
{
    if (src == NULL)
        return;
    kl_source_dispose(src);
    free(src);
}

void kl_source_init_line(kl_source *src, const char *name, const char *data, uint32_t len,
                         uint32_t line)
{
    src->name = name;
    src->data = data;
    src->len = len;
    src->first_line = line ? line : 1;
    src->is_record = true;
    src->line_starts_ = NULL;
    src->n_line_starts_ = 0;
    src->owned_data_ = NULL;
    src->owned_name_ = NULL;
}

int kl_source_init_view(kl_source *src, const char *name, const char *data, size_t len)
{
    memset(src, 0, sizeof(*src));
    if ((uint64_t)len > UINT32_MAX)
        return KL_ETOOBIG;
    src->name = name;
    src->data = data;
    src->len = (uint32_t)len;
    src->first_line = 1;
    return build_lines(src);
}

void kl_source_dispose(kl_source *src)
{
    if (src == NULL)
        return;
    free(src->line_starts_);
    free(src->owned_data_);
    free(src->owned_name_);
    src->line_starts_ = NULL;
    src->n_line_starts_ = 0;
    src->owned_data_ = NULL;
    src->owned_name_ = NULL;
}

/* 0-based index of the line holding `offset` (offset <= len). */
static uint32_t line_index(const kl_source *src, uint32_t offset)
{
    /* Number of line starts <= offset: an upper bound search. */
    uint32_t lo = 0, hi = src->n_line_starts_;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (src->line_starts_[mid] <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t line_start(const kl_source *src, uint32_t index)
{
    return index == 0 ? 0 : src->line_starts_[index - 1];
}

/* End of line `index`: the offset of its '\n', or len for the last line. */
static uint32_t line_end_raw(const kl_source *src, uint32_t index)
{
    return index < src->n_line_starts_ ? src->line_starts_[index] - 1 : src->len;
}

/*
 * Length of the character at p[0..avail): the UTF-8 sequence, or 1 for a
 * byte that starts no valid one. `*cp` gets the code point (U+FFFD for an
 * invalid byte).
 */
static size_t char_at(const unsigned char *p, size_t avail, uint32_t *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t n = kl_utf8_decode(p, avail, cp);
    if (n == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    return n;
}

/* The 8 bytes at `p` as one word, to test eight bytes at once. */
static uint64_t word8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w));
    return w;
}

/*
 * The first offset in [i, end) whose byte is not ASCII, or `end`. Columns are
 * asked for in long one-line records (a JSON Lines batch), mostly ASCII, so
 * the common case is a long run: 32 bytes at a time, then 8, then one.
 */
static uint32_t skip_ascii(const unsigned char *data, uint32_t i, uint32_t end)
{
    const uint64_t highs = UINT64_C(0x8080808080808080);
    while (end - i >= 32 &&
           ((word8(data + i) | word8(data + i + 8) | word8(data + i + 16) | word8(data + i + 24)) &
            highs) == 0)
        i += 32;
    while (end - i >= 8 && (word8(data + i) & highs) == 0)
        i += 8;
    while (i < end && data[i] < 0x80)
        i++;
    return i;
}

/*
 * The position of `offset` on line `index`, walking from `i`, a character boundary on that
 * line at or before `offset` whose columns are known: `extra_cps` and `extra_units` are the
 * bytes between the line's start and `i` that are not a code point, resp. a UTF-16 unit, of
 * their own (an ASCII byte is one of each, so only the other characters need looking at).
 */
static kl_pos walk_to(const kl_source *src, uint32_t index, uint32_t i, uint32_t extra_cps,
                      uint32_t extra_units, uint32_t offset)
{
    const unsigned char *data = (const unsigned char *)src->data;
    while (i < offset) {
        if (data[i] < 0x80) {
            i = skip_ascii(data, i, offset);
            continue;
        }
        uint32_t cp;
        size_t n = char_at(data + i, src->len - i, &cp);
        if (i + n > offset)
            break; /* `offset` is inside this sequence: round down */
        i += (uint32_t)n;
        extra_cps += (uint32_t)n - 1;
        extra_units += (uint32_t)n - (cp >= 0x10000 ? 2 : 1);
    }

    uint32_t bytes = i - line_start(src, index);
    kl_pos pos;
    pos.line = src->first_line + index;
    pos.column = bytes - extra_cps + 1;
    pos.column_utf16 = bytes - extra_units + 1;
    pos.column_byte = bytes + 1;
    return pos;
}

kl_pos kl_source_pos(const kl_source *src, uint32_t offset)
{
    if (offset > src->len)
        offset = src->len;
    uint32_t index = line_index(src, offset);
    return walk_to(src, index, line_start(src, index), 0, 0, offset);
}

kl_pos kl_source_pos_after(const kl_source *src, kl_pos from, uint32_t offset)
{
    if (offset > src->len)
        offset = src->len;
    uint32_t index = line_index(src, offset);
    /* `from` names a character boundary: its byte column counts from the line's start. */
    uint32_t start = line_start(src, index);
    uint32_t at = start + from.column_byte - 1;
    if (from.line != src->first_line + index || from.column_byte == 0 || at > offset)
        return walk_to(src, index, start, 0, 0, offset);
    return walk_to(src, index, at, from.column_byte - from.column,
                   from.column_byte - from.column_utf16, offset);
}

kl_span kl_source_line_span(const kl_source *src, uint32_t offset)
{
    if (offset > src->len)
        offset = src->len;
    uint32_t index = line_index(src, offset);
    uint32_t start = line_start(src, index);
    uint32_t end = line_end_raw(src, index);
    if (index < src->n_line_starts_ && end > start && src->data[end - 1] == '\r')
        end--;
    return kl_span_make(start, end);
}

uint32_t kl_source_offset(const kl_source *src, uint32_t line, uint32_t column, bool utf16)
{
    if (line < src->first_line)
        return 0;
    uint32_t index = line - src->first_line;
    if (index > src->n_line_starts_)
        return src->len;

    kl_span span = kl_source_line_span(src, line_start(src, index));
    const unsigned char *data = (const unsigned char *)src->data;
    uint32_t target = column > 0 ? column - 1 : 0; /* units to skip */
    uint32_t i = span.start;
    uint32_t units = 0;
    while (i < span.end && units < target) {
        uint32_t cp;
        size_t n = char_at(data + i, span.end - i, &cp);
        uint32_t w = utf16 ? (cp >= 0x10000 ? 2 : 1) : (uint32_t)n;
        if (units + w > target)
            break; /* the column falls inside this character: round down */
        units += w;
        i += (uint32_t)n;
    }
    return i;
}

uint32_t kl_source_line_count(const kl_source *src)
{
    return src->n_line_starts_ + 1;
}
