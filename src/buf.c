#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool kl_buf_reserve(kl_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(b->ptr, cap);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->ptr = p;
    b->cap = cap;
    return true;
}

void kl_buf_put(kl_buf *b, const char *s, size_t len)
{
    if (!kl_buf_reserve(b, len))
        return;
    if (len)
        memcpy(b->ptr + b->len, s, len);
    b->len += len;
    b->ptr[b->len] = '\0';
}

void kl_buf_puts(kl_buf *b, const char *s)
{
    kl_buf_put(b, s, strlen(s));
}

void kl_buf_putc(kl_buf *b, char c)
{
    kl_buf_put(b, &c, 1);
}

void kl_buf_vprintf(kl_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (!kl_buf_reserve(b, (size_t)n))
        return;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void kl_buf_printf(kl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kl_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void kl_buf_put_json_escaped(kl_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        kl_buf_put(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': kl_buf_put(b, "\\\"", 2); break;
        case '\\': kl_buf_put(b, "\\\\", 2); break;
        case '\n': kl_buf_put(b, "\\n", 2); break;
        case '\r': kl_buf_put(b, "\\r", 2); break;
        case '\t': kl_buf_put(b, "\\t", 2); break;
        case '\b': kl_buf_put(b, "\\b", 2); break;
        case '\f': kl_buf_put(b, "\\f", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            kl_buf_put(b, u, 6);
        }
        }
    }
    kl_buf_put(b, s + run, len - run);
}

void kl_buf_clear(kl_buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->ptr)
        b->ptr[0] = '\0';
}

bool kl_buf_failed(const kl_buf *b)
{
    return b->failed;
}

const char *kl_buf_cstr(const kl_buf *b)
{
    return b->ptr ? b->ptr : "";
}

void kl_buf_dispose(kl_buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}
