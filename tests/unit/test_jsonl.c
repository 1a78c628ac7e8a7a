/* The streaming JSON Lines reader on its own: splitting, line numbers, memory. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "jsonl.h"
#include "klint/common.h"

/* A readable descriptor positioned at the start of `len` bytes of `data`. */
static int fd_with(const char *data, size_t len)
{
    char name[] = "/tmp/klint-jsonl-XXXXXX";
    int fd = mkstemp(name);
    assert_true(fd >= 0);
    unlink(name);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        assert_true(n > 0);
        done += (size_t)n;
    }
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

static int fd_with_str(const char *s)
{
    return fd_with(s, strlen(s));
}

/* Expect the next record to be `text` on `line`. */
static void expect_record(kl_jsonl_reader *r, const char *text, uint32_t line)
{
    kl_jsonl_record rec;
    assert_int_equal(kl_jsonl_next(r, &rec), 1);
    assert_int_equal(rec.len, strlen(text));
    assert_memory_equal(rec.data, text, rec.len);
    assert_int_equal(rec.line, line);
}

static void expect_end(kl_jsonl_reader *r)
{
    kl_jsonl_record rec;
    assert_int_equal(kl_jsonl_next(r, &rec), 0);
    /* The end stays the end. */
    assert_int_equal(kl_jsonl_next(r, &rec), 0);
}

static void test_lines_and_numbers(void **state)
{
    (void)state;
    int fd = fd_with_str("{\"a\":1}\n[2]\n\"three\"\n");
    kl_jsonl_reader r;
    kl_jsonl_init(&r, fd, NULL);
    expect_record(&r, "{\"a\":1}", 1);
    expect_record(&r, "[2]", 2);
    expect_record(&r, "\"three\"", 3);
    expect_end(&r);
    kl_jsonl_dispose(&r);
    close(fd);
}

static void test_final_line_without_newline(void **state)
{
    (void)state;
    int fd = fd_with_str("{}\n{\"last\":true}");
    kl_jsonl_reader r;
    kl_jsonl_init(&r, fd, NULL);
    expect_record(&r, "{}", 1);
    expect_record(&r, "{\"last\":true}", 2);
    expect_end(&r);
    kl_jsonl_dispose(&r);
    close(fd);
}

static void test_crlf_stripped_once(void **state)
{
    (void)state;
    /* One '\r' before the '\n' goes; a second one is the record's own byte. */
    int fd = fd_with_str("{\"a\":1}\r\n[1]\r\r\n\"x\"\r");
    kl_jsonl_reader r;
    kl_jsonl_init(&r, fd, NULL);
    expect_record(&r, "{\"a\":1}", 1);
    expect_record(&r, "[1]\r", 2);
    expect_record(&r, "\"x\"", 3); /* last line, no '\n', '\r' still stripped */
    expect_end(&r);
    kl_jsonl_dispose(&r);
    close(fd);
}

static void test_blank_lines_skipped_but_counted(void **state)
{
    (void)state;
    int fd = fd_with_str("\n  \t\n{}\n\r\n\n \r\n[ 1 ]\n  {\"lead\":0}\n\n");
    kl_jsonl_reader r;
    kl_jsonl_init(&r, fd, NULL);
    expect_record(&r, "{}", 3);
    expect_record(&r, "[ 1 ]", 7);
    expect_record(&r, "  {\"lead\":0}", 8); /* leading whitespace is kept: it is JSON */
    expect_end(&r);
    kl_jsonl_dispose(&r);
    close(fd);
}

static void test_empty_and_blank_only_inputs(void **state)
{
    (void)state;
    static const char *const inputs[] = {"", "\n", "\n\n\n", " \t \r\n\r\n", "   "};
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        int fd = fd_with_str(inputs[i]);
        kl_jsonl_reader r;
        kl_jsonl_init(&r, fd, NULL);
        expect_end(&r);
        kl_jsonl_dispose(&r);
        close(fd);
    }
}

static void test_bytes_passed_through(void **state)
{
    (void)state;
    /* NUL, invalid UTF-8 and other control bytes are the loader's business. */
    static const char data[] = "a\0b\xff\x01\n";
    int fd = fd_with(data, sizeof(data) - 1);
    kl_jsonl_reader r;
    kl_jsonl_init(&r, fd, NULL);
    kl_jsonl_record rec;
    assert_int_equal(kl_jsonl_next(&r, &rec), 1);
    assert_int_equal(rec.len, 5);
    assert_memory_equal(rec.data, "a\0b\xff\x01", 5);
    expect_end(&r);
    kl_jsonl_dispose(&r);
    close(fd);
}

static void test_line_longer_than_buffer(void **state)
{
    (void)state;
    enum { CHUNK = 64, LONG = 10000 };
    char *data = malloc(LONG + 64);
    assert_non_null(data);
    size_t n = 0;
    n += (size_t)sprintf(data + n, "[1]\n");
    data[n++] = '"';
    for (size_t i = 0; i < LONG - 2; i++)
        data[n++] = (char)('a' + i % 26);
    data[n++] = '"';
    data[n++] = '\n';
    n += (size_t)sprintf(data + n, "[3]\n");

    int fd = fd_with(data, n);
    kl_jsonl_options opts = {CHUNK, 0};
    kl_jsonl_reader r;
    kl_jsonl_init(&r, fd, &opts);
    expect_record(&r, "[1]", 1);
    kl_jsonl_record rec;
    assert_int_equal(kl_jsonl_next(&r, &rec), 1);
    assert_int_equal(rec.line, 2);
    assert_int_equal(rec.len, LONG);
    assert_memory_equal(rec.data, data + 4, LONG);
    expect_record(&r, "[3]", 3);
    expect_end(&r);
    /* It grew to hold the line, and no further than twice the line plus a chunk. */
    assert_true(kl_jsonl_capacity(&r) >= LONG);
    assert_true(kl_jsonl_capacity(&r) <= 2 * LONG + CHUNK);
    kl_jsonl_dispose(&r);
    close(fd);
    free(data);
}

/* Memory is bounded by the longest line: 200,000 short lines never grow the buffer. */
static void test_memory_independent_of_line_count(void **state)
{
    (void)state;
    enum { LINES = 200000, CHUNK = 4096 };
    size_t cap = (size_t)LINES * 24;
    char *data = malloc(cap);
    assert_non_null(data);
    size_t n = 0;
    for (unsigned i = 0; i < LINES; i++)
        n += (size_t)snprintf(data + n, cap - n, "{\"n\":%u}\n", i);

    int fd = fd_with(data, n);
    kl_jsonl_options opts = {CHUNK, 0};
    kl_jsonl_reader r;
    kl_jsonl_init(&r, fd, &opts);
    kl_jsonl_record rec;
    unsigned count = 0;
    int rc;
    while ((rc = kl_jsonl_next(&r, &rec)) == 1) {
        char want[32];
        int len = snprintf(want, sizeof(want), "{\"n\":%u}", count);
        assert_int_equal(rec.len, (size_t)len);
        assert_memory_equal(rec.data, want, rec.len);
        assert_int_equal(rec.line, count + 1);
        count++;
        assert_int_equal(kl_jsonl_capacity(&r), CHUNK);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(count, LINES);
    kl_jsonl_dispose(&r);
    close(fd);
    free(data);
}

/*
 * Every split position: lines of many lengths (some blank, some CRLF) read
 * with several chunk sizes give exactly the records a plain split gives.
 */
static void test_matches_plain_split(void **state)
{
    (void)state;
    enum { LINES = 300 };
    char *data = malloc(LINES * 64);
    assert_non_null(data);
    size_t n = 0;
    for (unsigned i = 0; i < LINES; i++) {
        unsigned len = (i * 7) % 45;
        if (i % 11 == 0)
            len = 0; /* blank line */
        for (unsigned j = 0; j < len; j++)
            data[n++] = (char)('0' + (i + j) % 10);
        if (i % 3 == 0)
            data[n++] = '\r';
        data[n++] = '\n';
    }

    static const size_t chunks[] = {16, 17, 31, 64, 100, 4096};
    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        int fd = fd_with(data, n);
        kl_jsonl_options opts = {chunks[c], 0};
        kl_jsonl_reader r;
        kl_jsonl_init(&r, fd, &opts);

        size_t pos = 0;
        uint32_t line = 0;
        while (pos < n) {
            const char *nl = memchr(data + pos, '\n', n - pos);
            size_t len = (size_t)(nl - (data + pos));
            line++;
            size_t body = len > 0 && data[pos + len - 1] == '\r' ? len - 1 : len;
            if (body > 0) {
                kl_jsonl_record rec;
                assert_int_equal(kl_jsonl_next(&r, &rec), 1);
                assert_int_equal(rec.line, line);
                assert_int_equal(rec.len, body);
                assert_memory_equal(rec.data, data + pos, body);
            }
            pos += len + 1;
        }
        expect_end(&r);
        kl_jsonl_dispose(&r);
        close(fd);
    }
    free(data);
}

/* The split of JSON Lines held in memory (kl_jsonl_line_end, kl_jsonl_blank) gives the records
 * the reader gives for the same bytes, on the same lines. */
static void test_in_memory_split_is_the_readers(void **state)
{
    (void)state;
    static const char text[] = "{\"a\":1}\r\n\n  \t\r\n{\"b\":2}\r\r\n \n\r\n{\"c\":3}";
    size_t len = strlen(text);
    int fd = fd_with(text, len);
    kl_jsonl_reader r;
    kl_jsonl_init(&r, fd, NULL);
    size_t pos = 0, records = 0;
    for (uint32_t line = 1;; line++) {
        size_t rec_len;
        size_t end = kl_jsonl_line_end(text, len, pos, &rec_len);
        assert_true(end == len || text[end] == '\n');
        assert_true(rec_len == end - pos || (rec_len == end - pos - 1 && text[end - 1] == '\r'));
        if (!kl_jsonl_blank(text + pos, rec_len)) {
            kl_jsonl_record rec;
            assert_int_equal(kl_jsonl_next(&r, &rec), 1);
            assert_int_equal(rec.line, line);
            assert_int_equal(rec.len, rec_len);
            assert_memory_equal(rec.data, text + pos, rec_len);
            records++;
        }
        if (end == len)
            break;
        pos = end + 1;
    }
    assert_int_equal(records, 3);
    expect_end(&r);
    kl_jsonl_dispose(&r);
    close(fd);

    /* One '\r' goes, not two; a last line without '\n' ends at the end. */
    size_t rec_len;
    assert_int_equal(kl_jsonl_line_end("ab\r\r\ncd", 7, 0, &rec_len), 4);
    assert_int_equal(rec_len, 3);
    assert_int_equal(kl_jsonl_line_end("ab\r\r\ncd", 7, 5, &rec_len), 7);
    assert_int_equal(rec_len, 2);
    assert_int_equal(kl_jsonl_line_end("ab\n", 3, 3, &rec_len), 3);
    assert_int_equal(rec_len, 0);
    assert_true(kl_jsonl_blank("", 0));
    assert_true(kl_jsonl_blank(" \t\r", 3));
    assert_false(kl_jsonl_blank(" \f", 2)); /* not JSON whitespace */
    assert_false(kl_jsonl_blank("  {}", 4));
}

static void test_pipe(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    const char *text = "{\"a\":1}\n\n{\"b\":2}\n";
    assert_int_equal(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
    close(fds[1]);
    kl_jsonl_reader r;
    kl_jsonl_init(&r, fds[0], NULL);
    expect_record(&r, "{\"a\":1}", 1);
    expect_record(&r, "{\"b\":2}", 3);
    expect_end(&r);
    kl_jsonl_dispose(&r);
    close(fds[0]);
}

static void test_read_error(void **state)
{
    (void)state;
    int fd = open("/", O_RDONLY);
    assert_true(fd >= 0);
    kl_jsonl_reader r;
    kl_jsonl_init(&r, fd, NULL);
    kl_jsonl_record rec;
    errno = 0;
    assert_int_equal(kl_jsonl_next(&r, &rec), KL_EIO);
    assert_int_equal(errno, EISDIR);
    kl_jsonl_dispose(&r);
    close(fd);
}

static void test_max_line(void **state)
{
    (void)state;
    /* max_line 10: ten bytes pass (a CR after them too), eleven do not. */
    int fd = fd_with_str("0123456789\r\n0123456789A\n");
    kl_jsonl_options opts = {16, 10};
    kl_jsonl_reader r;
    kl_jsonl_init(&r, fd, &opts);
    expect_record(&r, "0123456789", 1);
    kl_jsonl_record rec;
    assert_int_equal(kl_jsonl_next(&r, &rec), KL_ETOOBIG);
    kl_jsonl_dispose(&r);
    close(fd);

    /* A line that never ends is refused before the buffer grows past the limit. */
    size_t big = 100000;
    char *data = malloc(big);
    assert_non_null(data);
    memset(data, 'x', big);
    fd = fd_with(data, big);
    kl_jsonl_init(&r, fd, &opts);
    assert_int_equal(kl_jsonl_next(&r, &rec), KL_ETOOBIG);
    assert_true(kl_jsonl_capacity(&r) <= 64);
    kl_jsonl_dispose(&r);
    close(fd);
    free(data);
}

static void test_dispose_is_safe(void **state)
{
    (void)state;
    kl_jsonl_dispose(NULL);
    kl_jsonl_reader r;
    kl_jsonl_init(&r, -1, NULL);
    kl_jsonl_dispose(&r); /* never read: nothing to free */
    kl_jsonl_dispose(&r);
    assert_int_equal(kl_jsonl_capacity(&r), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_and_numbers),
        cmocka_unit_test(test_final_line_without_newline),
        cmocka_unit_test(test_crlf_stripped_once),
        cmocka_unit_test(test_blank_lines_skipped_but_counted),
        cmocka_unit_test(test_empty_and_blank_only_inputs),
        cmocka_unit_test(test_bytes_passed_through),
        cmocka_unit_test(test_line_longer_than_buffer),
        cmocka_unit_test(test_memory_independent_of_line_count),
        cmocka_unit_test(test_matches_plain_split),
        cmocka_unit_test(test_in_memory_split_is_the_readers),
        cmocka_unit_test(test_pipe),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_max_line),
        cmocka_unit_test(test_dispose_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
