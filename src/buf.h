/*
 * A growable byte buffer, always NUL-terminated. Used by printers, message
 * formatting and the LSP transport. After an allocation failure the buffer
 * is marked failed: further appends do nothing and kl_buf_failed() says so,
 * so callers check once at the end instead of after every append.
 */
#ifndef KL_BUF_H
#define KL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct kl_buf {
    char *ptr;   /* NUL-terminated contents, or NULL when never grown */
    size_t len;  /* bytes used, without the NUL */
    size_t cap;  /* bytes allocated */
    bool failed; /* an allocation failed */
} kl_buf;

#define KL_BUF_INIT {NULL, 0, 0, false}

void kl_buf_put(kl_buf *b, const char *s, size_t len);
void kl_buf_puts(kl_buf *b, const char *s);
void kl_buf_putc(kl_buf *b, char c);
void kl_buf_printf(kl_buf *b, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void kl_buf_vprintf(kl_buf *b, const char *fmt, va_list ap)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 0)))
#endif
    ;

/* Append `len` bytes as the body of a JSON string (no quotes): escapes `"`,
 * `\` and control characters; other bytes, UTF-8 included, pass through. */
void kl_buf_put_json_escaped(kl_buf *b, const char *s, size_t len);

/* Make room for `extra` more bytes; false when that failed. */
bool kl_buf_reserve(kl_buf *b, size_t extra);

void kl_buf_clear(kl_buf *b);
bool kl_buf_failed(const kl_buf *b);
/* The contents ("" when empty); valid until the next change. */
const char *kl_buf_cstr(const kl_buf *b);
void kl_buf_dispose(kl_buf *b);

#endif
