/* Unit tests for kl_source: reading, line table, positions in three units. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "klint.h"
#include "utf8.h"

/*
 * The reference text. Byte offsets, line by line:
 *
 *   line 1  "ab\r\n"      a=0 b=1 \r=2 \n=3                      (CRLF)
 *   line 2  "中文x\n"      中=4..6 文=7..9 x=10 \n=11             (3-byte CJK)
 *   line 3  "😀y\n"        😀=12..15 y=16 \n=17                   (4 bytes, 2 UTF-16 units)
 *   line 4  "a\xFFb\xC3"   a=18 FF=19 b=20 C3=21, end of input=22 (invalid bytes)
 */
static const char text[] = "ab\r\n"
                           "\xE4\xB8\xAD\xE6\x96\x87x\n"
                           "\xF0\x9F\x98\x80y\n"
                           "a\xFF"
                           "b\xC3";

static kl_source *make(const char *data, size_t len)
{
    kl_source *src = NULL;
    assert_int_equal(kl_source_from_memory(&src, "t.json", data, len), KL_OK);
    assert_non_null(src);
    return src;
}

#define assert_pos(src, offset, l, c, c16, cb)                                                     \
    do {                                                                                           \
        kl_pos p_ = kl_source_pos((src), (offset));                                                \
        assert_int_equal(p_.line, (l));                                                            \
        assert_int_equal(p_.column, (c));                                                          \
        assert_int_equal(p_.column_utf16, (c16));                                                  \
        assert_int_equal(p_.column_byte, (cb));                                                    \
    } while (0)

static void test_positions_three_units(void **state)
{
    (void)state;
    kl_source *src = make(text, sizeof(text) - 1);
    assert_int_equal(src->len, 22);
    assert_int_equal(kl_source_line_count(src), 4);

    /* line 1, CRLF: the '\r' is an ordinary column before the '\n' */
    assert_pos(src, 0, 1, 1, 1, 1);
    assert_pos(src, 1, 1, 2, 2, 2);
    assert_pos(src, 2, 1, 3, 3, 3);
    assert_pos(src, 3, 1, 4, 4, 4);
    /* line 2, CJK: one code point and one UTF-16 unit each, three bytes */
    assert_pos(src, 4, 2, 1, 1, 1);
    assert_pos(src, 7, 2, 2, 2, 4);
    assert_pos(src, 8, 2, 2, 2, 4); /* inside 文: rounded down */
    assert_pos(src, 9, 2, 2, 2, 4);
    assert_pos(src, 10, 2, 3, 3, 7);
    assert_pos(src, 11, 2, 4, 4, 8);
    /* line 3, emoji: one code point, two UTF-16 units, four bytes */
    assert_pos(src, 12, 3, 1, 1, 1);
    assert_pos(src, 13, 3, 1, 1, 1);
    assert_pos(src, 15, 3, 1, 1, 1);
    assert_pos(src, 16, 3, 2, 3, 5);
    assert_pos(src, 17, 3, 3, 4, 6);
    /* line 4, invalid bytes count one of each */
    assert_pos(src, 18, 4, 1, 1, 1);
    assert_pos(src, 19, 4, 2, 2, 2);
    assert_pos(src, 20, 4, 3, 3, 3);
    assert_pos(src, 21, 4, 4, 4, 4);
    assert_pos(src, 22, 4, 5, 5, 5);   /* end of input */
    assert_pos(src, 1000, 4, 5, 5, 5); /* clamped to the end */
    kl_source_free(src);
}

static void test_line_span(void **state)
{
    (void)state;
    kl_source *src = make(text, sizeof(text) - 1);
    kl_span s = kl_source_line_span(src, 0);
    assert_int_equal(s.start, 0);
    assert_int_equal(s.end, 2);      /* without "\r\n" */
    s = kl_source_line_span(src, 3); /* the '\n' belongs to line 1 */
    assert_int_equal(s.start, 0);
    assert_int_equal(s.end, 2);
    s = kl_source_line_span(src, 5);
    assert_int_equal(s.start, 4);
    assert_int_equal(s.end, 11);
    s = kl_source_line_span(src, 17);
    assert_int_equal(s.start, 12);
    assert_int_equal(s.end, 17);
    s = kl_source_line_span(src, 22);
    assert_int_equal(s.start, 18);
    assert_int_equal(s.end, 22);
    kl_source_free(src);

    /* A '\r' not followed by '\n' is kept: only "\r\n" ends a line that way. */
    src = make("a\r", 2);
    s = kl_source_line_span(src, 0);
    assert_int_equal(s.end, 2);
    kl_source_free(src);
}

static void test_offset_inverse(void **state)
{
    (void)state;
    kl_source *src = make(text, sizeof(text) - 1);
    /* UTF-16 columns, as LSP clients send them */
    assert_int_equal(kl_source_offset(src, 2, 2, true), 7);
    assert_int_equal(kl_source_offset(src, 3, 2, true), 12); /* between the surrogates: down */
    assert_int_equal(kl_source_offset(src, 3, 3, true), 16);
    assert_int_equal(kl_source_offset(src, 3, 4, true), 17);
    assert_int_equal(kl_source_offset(src, 3, 99, true), 17); /* clamped to the line end */
    assert_int_equal(kl_source_offset(src, 1, 99, true), 2);  /* the '\r' is not in the line */
    assert_int_equal(kl_source_offset(src, 4, 5, true), 22);
    assert_int_equal(kl_source_offset(src, 2, 0, true), 4); /* column 0 is read as 1 */
    /* byte columns (LSP utf-8) */
    assert_int_equal(kl_source_offset(src, 2, 4, false), 7);
    assert_int_equal(kl_source_offset(src, 2, 2, false), 4); /* inside 中: down */
    assert_int_equal(kl_source_offset(src, 3, 5, false), 16);
    /* lines out of range */
    assert_int_equal(kl_source_offset(src, 0, 1, true), 0);
    assert_int_equal(kl_source_offset(src, 5, 1, true), 22);
    assert_int_equal(kl_source_offset(src, 99, 1, true), 22);

    /* Round trip: every character start maps back to itself in both units. */
    for (uint32_t off = 0; off <= src->len; off++) {
        kl_pos p = kl_source_pos(src, off);
        if (p.column_byte - 1 != off - kl_source_line_span(src, off).start)
            continue; /* inside a sequence, or the '\n' */
        if (off == 2 || off == 3 || off == 11 || off == 17)
            continue; /* '\r' and '\n' are past the line end the inverse clamps to */
        assert_int_equal(kl_source_offset(src, p.line, p.column_utf16, true), off);
        assert_int_equal(kl_source_offset(src, p.line, p.column_byte, false), off);
    }
    kl_source_free(src);
}

static void test_trailing_newline_and_empty(void **state)
{
    (void)state;
    kl_source *src = make("{}\n", 3);
    assert_int_equal(kl_source_line_count(src), 2);
    assert_pos(src, 2, 1, 3, 3, 3);
    assert_pos(src, 3, 2, 1, 1, 1); /* the end of input is on the empty last line */
    kl_span s = kl_source_line_span(src, 3);
    assert_int_equal(s.start, 3);
    assert_int_equal(s.end, 3);
    kl_source_free(src);

    src = make("", 0);
    assert_non_null(src->data);
    assert_int_equal(src->len, 0);
    assert_int_equal(kl_source_line_count(src), 1);
    assert_pos(src, 0, 1, 1, 1, 1);
    assert_int_equal(kl_source_offset(src, 1, 7, true), 0);
    kl_source_free(src);

    src = make("\n\n\n", 3);
    assert_int_equal(kl_source_line_count(src), 4);
    assert_pos(src, 0, 1, 1, 1, 1);
    assert_pos(src, 1, 2, 1, 1, 1);
    assert_pos(src, 3, 4, 1, 1, 1);
    assert_int_equal(kl_source_offset(src, 3, 1, true), 2);
    kl_source_free(src);
}

static void test_no_newline_allocates_no_table(void **state)
{
    (void)state;
    kl_source *src = make("{\"a\": 1}", 8);
    assert_null(src->line_starts_);
    assert_int_equal(src->n_line_starts_, 0);
    kl_source_free(src);
    src = make("[\n1]", 4);
    assert_non_null(src->line_starts_);
    assert_int_equal(src->n_line_starts_, 1);
    assert_int_equal(src->line_starts_[0], 2);
    kl_source_free(src);
}

static void test_from_memory_copies(void **state)
{
    (void)state;
    char data[] = "[1]";
    char name[] = "mem.json";
    kl_source *src = NULL;
    assert_int_equal(kl_source_from_memory(&src, name, data, 3), KL_OK);
    data[1] = '2';
    name[0] = 'X';
    assert_memory_equal(src->data, "[1]", 3);
    assert_string_equal(src->name, "mem.json");
    assert_int_equal(src->first_line, 1);
    assert_false(src->is_record);
    kl_source_free(src);
    kl_source_free(NULL);
}

static void test_init_line_record(void **state)
{
    (void)state;
    /* é is two bytes: the closing brace is byte 9, code point column 9 */
    static const char rec[] = "{\"a\":\"\xC3\xA9\"}";
    kl_source src;
    kl_source_init_line(&src, "batch.jsonl", rec, (uint32_t)strlen(rec), 42);
    assert_true(src.is_record);
    assert_int_equal(src.first_line, 42);
    assert_null(src.line_starts_);
    assert_null(src.owned_data_);
    assert_int_equal(kl_source_line_count(&src), 1);
    assert_pos(&src, 0, 42, 1, 1, 1);
    assert_pos(&src, 9, 42, 9, 9, 10);
    assert_int_equal(kl_source_offset(&src, 42, 9, true), 9);
    assert_int_equal(kl_source_offset(&src, 41, 9, true), 0);
    kl_span s = kl_source_line_span(&src, 4);
    assert_int_equal(s.start, 0);
    assert_int_equal(s.end, 10);
    kl_source_dispose(&src); /* allowed, and a no-op */
}

static void test_init_view(void **state)
{
    (void)state;
    static const char data[] = "[\n  1,\n  2\n]";
    kl_source src;
    assert_int_equal(kl_source_init_view(&src, "view.json", data, strlen(data)), KL_OK);
    assert_ptr_equal(src.data, data); /* borrowed, not copied */
    assert_false(src.is_record);
    assert_int_equal(kl_source_line_count(&src), 4);
    assert_pos(&src, 9, 3, 3, 3, 3); /* the 2 */
    kl_source_dispose(&src);
    assert_null(src.line_starts_);
    kl_source_dispose(NULL);
}

static void test_too_big(void **state)
{
    (void)state;
#if SIZE_MAX > UINT32_MAX
    /* The length is checked before a byte is read. */
    static const char byte[1] = {'x'};
    kl_source *src = (kl_source *)1;
    assert_int_equal(kl_source_from_memory(&src, "big", byte, (size_t)UINT32_MAX + 1), KL_ETOOBIG);
    assert_null(src);
    kl_source view;
    assert_int_equal(kl_source_init_view(&view, "big", byte, (size_t)UINT32_MAX + 1), KL_ETOOBIG);
    kl_source_dispose(&view);
#else
    skip();
#endif
}

static char *temp_file(const char *content, size_t len)
{
    char *path = strdup("/tmp/klint-test-source-XXXXXX");
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    close(fd);
    return path;
}

static void test_read_file(void **state)
{
    (void)state;
    char *path = temp_file(text, sizeof(text) - 1);
    kl_source *src = NULL;
    assert_int_equal(kl_source_read_file(&src, path, NULL), KL_OK);
    assert_string_equal(src->name, path); /* name defaults to the path */
    assert_int_equal(src->len, sizeof(text) - 1);
    assert_memory_equal(src->data, text, sizeof(text) - 1);
    assert_int_equal(kl_source_line_count(src), 4);
    assert_pos(src, 16, 3, 2, 3, 5);
    kl_source_free(src);

    assert_int_equal(kl_source_read_file(&src, path, "shown.json"), KL_OK);
    assert_string_equal(src->name, "shown.json");
    kl_source_free(src);
    unlink(path);
    free(path);

    path = temp_file("", 0);
    assert_int_equal(kl_source_read_file(&src, path, NULL), KL_OK);
    assert_int_equal(src->len, 0);
    assert_non_null(src->data);
    kl_source_free(src);
    unlink(path);
    free(path);
}

static void test_read_file_errors(void **state)
{
    (void)state;
    kl_source *src = (kl_source *)1;
    errno = 0;
    assert_int_equal(kl_source_read_file(&src, "/nonexistent/klint/x.json", NULL), KL_EIO);
    assert_int_equal(errno, ENOENT);
    assert_null(src);

    src = (kl_source *)1;
    errno = 0;
    assert_int_equal(kl_source_read_file(&src, "/tmp", NULL), KL_EIO);
    assert_int_equal(errno, EISDIR);
    assert_null(src);
}

/* "-" reads stdin; a pipe has no size, so this also covers growing the buffer. */
static void test_read_stdin_pipe(void **state)
{
    (void)state;
    enum { SIZE = 200 * 1024 + 7 };
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        char block[1024];
        for (size_t i = 0; i < SIZE;) {
            size_t n = SIZE - i < sizeof(block) ? SIZE - i : sizeof(block);
            for (size_t j = 0; j < n; j++)
                block[j] = (i + j) % 100 == 99 ? '\n' : (char)('a' + (i + j) % 26);
            if (write(fds[1], block, n) != (ssize_t)n)
                _exit(1);
            i += n;
        }
        _exit(0);
    }
    close(fds[1]);
    int saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fds[0], STDIN_FILENO) >= 0);
    close(fds[0]);
    clearerr(stdin);

    kl_source *src = NULL;
    int rc = kl_source_read_file(&src, "-", "stdin.json");

    assert_true(dup2(saved, STDIN_FILENO) >= 0);
    close(saved);
    clearerr(stdin);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    assert_int_equal(rc, KL_OK);
    assert_string_equal(src->name, "stdin.json");
    assert_int_equal(src->len, SIZE);
    for (size_t i = 0; i < SIZE; i++) {
        char want = i % 100 == 99 ? '\n' : (char)('a' + i % 26);
        if (src->data[i] != want)
            fail_msg("byte %zu differs", i);
    }
    /* one '\n' every 100 bytes: lines of 99 characters */
    assert_int_equal(kl_source_line_count(src), SIZE / 100 + 1);
    assert_pos(src, 100 * 1000 + 5, 1001, 6, 6, 6);
    kl_source_free(src);
}

/* Lines far apart: the binary search finds the right one at both ends. */
static void test_many_lines(void **state)
{
    (void)state;
    enum { LINES = 10000 };
    char *data = malloc(LINES * 3);
    assert_non_null(data);
    for (size_t i = 0; i < LINES; i++)
        memcpy(data + 3 * i, "ab\n", 3);
    kl_source *src = make(data, LINES * 3);
    free(data);
    assert_int_equal(kl_source_line_count(src), LINES + 1);
    for (uint32_t line = 1; line <= LINES; line += 997) {
        uint32_t off = (line - 1) * 3;
        assert_pos(src, off, line, 1, 1, 1);
        assert_pos(src, off + 1, line, 2, 2, 2);
        assert_pos(src, off + 2, line, 3, 3, 3);
        assert_int_equal(kl_source_offset(src, line, 2, true), off + 1);
    }
    assert_pos(src, LINES * 3, LINES + 1, 1, 1, 1);
    kl_source_free(src);
}

/*
 * A text for the fast paths: ASCII runs of every length around the 8- and 32-byte steps,
 * between CJK, emoji, a combining mark, invalid and truncated sequences and newlines.
 */
static size_t mixed_text(char *out, size_t cap)
{
    static const char *const pieces[] = {
        "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xCC\x81", "\xFF", "\xC3", "\xE4\xB8", "\n", "\r\n",
    };
    size_t len = 0;
    for (size_t run = 0; run < 70; run++) {
        const char *piece = pieces[run % (sizeof(pieces) / sizeof(pieces[0]))];
        if (len + run + strlen(piece) > cap)
            break;
        for (size_t i = 0; i < run; i++)
            out[len++] = (char)('a' + i % 26);
        memcpy(out + len, piece, strlen(piece));
        len += strlen(piece);
    }
    return len;
}

/* The position of `offset` the slow way: one character at a time from the line's start. */
static kl_pos slow_pos(const kl_source *src, uint32_t offset)
{
    const unsigned char *d = (const unsigned char *)src->data;
    uint32_t line_start = 0, line = src->first_line;
    for (uint32_t i = 0; i < offset; i++) {
        if (d[i] == '\n') {
            line_start = i + 1;
            line++;
        }
    }
    kl_pos pos = {line, 1, 1, 1};
    uint32_t i = line_start;
    while (i < offset) {
        uint32_t cp = d[i];
        size_t n = d[i] < 0x80 ? 1 : kl_utf8_decode(d + i, src->len - i, &cp);
        if (n == 0) {
            n = 1;
            cp = 0xFFFD;
        }
        if (i + n > offset)
            break;
        i += (uint32_t)n;
        pos.column++;
        pos.column_utf16 += cp >= 0x10000 ? 2 : 1;
        pos.column_byte += (uint32_t)n;
    }
    return pos;
}

static void assert_same_pos(kl_pos a, kl_pos b, uint32_t offset)
{
    if (a.line != b.line || a.column != b.column || a.column_utf16 != b.column_utf16 ||
        a.column_byte != b.column_byte)
        fail_msg("offset %u: %u:%u/%u/%u, expected %u:%u/%u/%u", offset, a.line, a.column,
                 a.column_utf16, a.column_byte, b.line, b.column, b.column_utf16, b.column_byte);
}

/* kl_source_pos at every offset, and kl_source_pos_after from every earlier or later one. */
static void test_pos_fast_paths(void **state)
{
    (void)state;
    char data[4096];
    size_t len = mixed_text(data, sizeof(data));
    assert_true(len > 2000);
    kl_source *src = make(data, len);
    kl_pos *at = malloc((len + 1) * sizeof(*at));
    assert_non_null(at);
    for (uint32_t off = 0; off <= len; off++) {
        at[off] = kl_source_pos(src, off);
        assert_same_pos(at[off], slow_pos(src, off), off);
    }
    for (uint32_t from = 0; from <= len; from += 7)
        for (uint32_t off = 0; off <= len; off++)
            assert_same_pos(kl_source_pos_after(src, at[from], off), at[off], off);
    /* A position of no line of this source, and a zeroed one: the walk starts afresh. */
    kl_pos far = {src->first_line + 1000, 3, 3, 3}, zero = {0, 0, 0, 0};
    assert_same_pos(kl_source_pos_after(src, far, 40), at[40], 40);
    assert_same_pos(kl_source_pos_after(src, zero, 40), at[40], 40);
    free(at);
    kl_source_free(src);

    /* One JSON Lines record (no line table): the same answers, on the record's line. */
    size_t rec_len = 0;
    while (rec_len < len && data[rec_len] != '\n')
        rec_len++;
    kl_source rec;
    kl_source_init_line(&rec, "r.jsonl", data, (uint32_t)rec_len, 7);
    for (uint32_t off = 0; off <= rec_len; off++) {
        kl_pos p = kl_source_pos(&rec, off);
        assert_same_pos(p, slow_pos(&rec, off), off);
        assert_same_pos(kl_source_pos_after(&rec, kl_source_pos(&rec, off / 2), off), p, off);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions_three_units),
        cmocka_unit_test(test_line_span),
        cmocka_unit_test(test_offset_inverse),
        cmocka_unit_test(test_trailing_newline_and_empty),
        cmocka_unit_test(test_no_newline_allocates_no_table),
        cmocka_unit_test(test_from_memory_copies),
        cmocka_unit_test(test_init_line_record),
        cmocka_unit_test(test_init_view),
        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_read_file_errors),
        cmocka_unit_test(test_read_stdin_pipe),
        cmocka_unit_test(test_many_lines),
        cmocka_unit_test(test_pos_fast_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
