/*
 * kl_source: the bytes of one input document, its display name, and the
 * table that turns byte offsets into human and protocol positions.
 *
 * A source is either a whole file (or stdin, or an LSP buffer), or one
 * record of a JSON Lines file. A record's positions are real positions in
 * the file it came from: `first_line` is the line the record starts on.
 *
 * Positions are 1-based. Columns come in three units:
 *   - `column`:       Unicode code points, for people (text, json output);
 *   - `column_utf16`: UTF-16 code units, for LSP and SARIF;
 *   - `column_byte`:  UTF-8 bytes, for LSP clients that negotiate utf-8.
 * A span's end position is exclusive: the column just past its last
 * character. Invalid UTF-8 bytes count as one code point (and one UTF-16
 * unit) each, so a position always exists for every offset.
 */
#ifndef KLINT_SOURCE_H
#define KLINT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

/** A position in a source, all fields 1-based. */
typedef struct kl_pos {
    uint32_t line;
    uint32_t column;       /**< in Unicode code points */
    uint32_t column_utf16; /**< in UTF-16 code units */
    uint32_t column_byte;  /**< in bytes */
} kl_pos;

/**
 * One input document. The struct is public so that a JSON Lines reader can
 * set one up on the stack for each record without allocating; treat every
 * field as read-only and use the functions below to create and release it.
 */
typedef struct kl_source {
    const char *name;   /**< display name as given by the user ("-" or --stdin-filename for stdin) */
    const char *data;   /**< the bytes; not NUL-terminated in general */
    uint32_t len;       /**< number of bytes in `data` */
    uint32_t first_line; /**< line number of byte 0 in the file it came from (1 for a whole file) */
    bool is_record;     /**< true when this is one record of a JSON Lines file */

    /* Private: line-start table and ownership. */
    uint32_t *line_starts_; /**< offsets of the bytes after each '\n'; NULL when there is none */
    uint32_t n_line_starts_;
    char *owned_data_;
    char *owned_name_;
} kl_source;

/**
 * Read a whole file into a new source. `path` is opened as given; `name` is
 * the display name (NULL: use `path`). Pass path "-" to read stdin.
 *
 * @return KL_OK; KL_EIO when the file cannot be opened or read (errno is
 *         kept); KL_ETOOBIG when it exceeds 4 GiB; KL_ENOMEM.
 *         On failure `*out` is left as NULL.
 */
int kl_source_read_file(kl_source **out, const char *path, const char *name);

/**
 * Create a source from bytes in memory. The bytes and the name are copied,
 * so the caller keeps ownership of both.
 *
 * @return KL_OK, KL_ENOMEM or KL_ETOOBIG.
 */
int kl_source_from_memory(kl_source **out, const char *name, const char *data, size_t len);

/** Release a source made by kl_source_read_file or kl_source_from_memory. NULL is a no-op. */
void kl_source_free(kl_source *src);

/**
 * Set up `src` as a view on borrowed bytes that hold no newline, such as one
 * JSON Lines record: nothing is allocated or copied, and kl_source_dispose
 * need not be called. `data` and `name` must outlive every use of `src`.
 */
void kl_source_init_line(kl_source *src, const char *name, const char *data, uint32_t len,
                         uint32_t line);

/**
 * Set up `src` as a view on borrowed bytes that may hold newlines. The line
 * table is built here (one scan); release it with kl_source_dispose.
 *
 * @return KL_OK, KL_ENOMEM or KL_ETOOBIG.
 */
int kl_source_init_view(kl_source *src, const char *name, const char *data, size_t len);

/** Release what kl_source_init_view allocated; `src` itself is not freed. NULL is a no-op. */
void kl_source_dispose(kl_source *src);

/**
 * The position of byte `offset` (0 ≤ offset ≤ len; len is the end of input).
 * An offset inside a UTF-8 sequence is rounded down to the sequence's start.
 */
kl_pos kl_source_pos(const kl_source *src, uint32_t offset);

/**
 * kl_source_pos(src, offset), found from `from`, a position that
 * kl_source_pos or this function returned for `src`: when `offset` lies on
 * the same line at or after it, only the bytes between the two are looked
 * at, else the walk starts from the line's start. So a caller asking for
 * several positions in one line (a span's end after its start, the spans
 * of one finding) pays for the line once, not once per position.
 */
kl_pos kl_source_pos_after(const kl_source *src, kl_pos from, uint32_t offset);

/**
 * The byte offset of a 1-based (line, UTF-16 column) position, as an LSP
 * client sends it; clamped to the line's end and to the source's end.
 * `utf16` false means the column counts bytes (LSP utf-8 encoding).
 */
uint32_t kl_source_offset(const kl_source *src, uint32_t line, uint32_t column, bool utf16);

/**
 * The byte range of the line holding `offset`, without its '\n' (and
 * without a '\r' before it).
 */
kl_span kl_source_line_span(const kl_source *src, uint32_t offset);

/** Number of lines in the source (at least 1). */
uint32_t kl_source_line_count(const kl_source *src);

#endif
