/*
 * A streaming JSON Lines reader: yields one record per line of a file
 * descriptor without ever holding the whole file.
 *
 * The reader reads the descriptor in chunks (read(2)) into one buffer that
 * grows only when a single line does not fit, so memory is bounded by the
 * longest line (plus one chunk), never by the size of the file or the
 * number of lines. Nothing is allocated per record.
 *
 * What counts as a record:
 *   - lines end at '\n'; a final line without '\n' is still a record;
 *   - one trailing '\r' is removed, so CRLF files read like LF files;
 *   - a line holding only JSON whitespace (space, tab, '\r') or nothing at
 *     all is skipped: it is not a record, but it still counts for the line
 *     numbers of the records after it;
 *   - every other line is one record, passed on byte for byte (leading
 *     and inner whitespace included, no UTF-8 check: that is the loader's
 *     job).
 *
 * Line numbers are 1-based physical lines of the file, so a diagnostic in
 * a record points at the real line.
 */
#ifndef KL_JSONL_H
#define KL_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Default bytes per read(2), and the buffer's starting size. */
#define KL_JSONL_DEFAULT_CHUNK ((size_t)1 << 20)

/* Longest record accepted by default: what a kl_source can hold. */
#define KL_JSONL_DEFAULT_MAX_LINE ((size_t)UINT32_MAX)

/* Reader settings; zero-initialise for the defaults. */
typedef struct kl_jsonl_options {
    size_t chunk;    /* bytes per read and starting buffer size; 0 = KL_JSONL_DEFAULT_CHUNK */
    size_t max_line; /* longest record in bytes; 0 = KL_JSONL_DEFAULT_MAX_LINE */
} kl_jsonl_options;

/* One record. `data` is borrowed from the reader and valid until the next
 * kl_jsonl_next or kl_jsonl_dispose; it is not NUL-terminated. */
typedef struct kl_jsonl_record {
    const char *data;
    size_t len;    /* bytes, without the '\n' and a trailing '\r' */
    uint32_t line; /* 1-based line number of the record in the file */
} kl_jsonl_record;

/* The reader's state; set up with kl_jsonl_init, release with kl_jsonl_dispose.
 * The fields are private. */
typedef struct kl_jsonl_reader {
    int fd_;
    size_t chunk_;
    size_t max_line_;
    char *buf_;
    size_t cap_;
    size_t start_;  /* first byte of the unconsumed data */
    size_t scan_;   /* bytes before this offset are known to hold no '\n' */
    size_t end_;    /* end of the data read so far */
    uint64_t line_; /* line number of the line starting at start_ */
    bool eof_;
} kl_jsonl_reader;

/*
 * Set up `r` to read `fd` (borrowed: the reader never closes it). `opts`
 * may be NULL. The buffer is allocated on the first read.
 */
void kl_jsonl_init(kl_jsonl_reader *r, int fd, const kl_jsonl_options *opts);

/*
 * The next record.
 *
 * @return 1 and fills `*rec`; 0 at the end of the input;
 *         KL_EIO when read(2) failed (errno is kept);
 *         KL_ETOOBIG when a line is longer than max_line or the file has
 *         more than UINT32_MAX lines; KL_ENOMEM.
 *         After an error the reader stays at the error: call no more.
 */
int kl_jsonl_next(kl_jsonl_reader *r, kl_jsonl_record *rec);

/* Bytes the reader's buffer holds now: for tests and memory accounting. */
size_t kl_jsonl_capacity(const kl_jsonl_reader *r);

/* Free the buffer. `r` may be set up again with kl_jsonl_init. NULL is a no-op. */
void kl_jsonl_dispose(kl_jsonl_reader *r);

/*
 * The reader's split (above) for JSON Lines already in memory, text[0..len): the line that
 * starts at `pos` (at most len) ends at the returned offset, that of its '\n' or `len` for a
 * last line without one; its record is text[pos..pos + *rec_len), without a trailing '\r'.
 */
size_t kl_jsonl_line_end(const char *text, size_t len, size_t pos, size_t *rec_len);

/* True when the line s[0..len) (its '\n' gone) is blank, so no record: nothing but JSON
 * whitespace (space, tab, '\r'), or nothing at all. */
bool kl_jsonl_blank(const char *s, size_t len);

#endif
