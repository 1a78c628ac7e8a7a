#include "jsonl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "klint/common.h"

/* A chunk smaller than this would make every refill a tiny read. */
enum { MIN_CHUNK = 16 };

void kl_jsonl_init(kl_jsonl_reader *r, int fd, const kl_jsonl_options *opts)
{
    memset(r, 0, sizeof(*r));
    r->fd_ = fd;
    r->chunk_ = opts && opts->chunk ? opts->chunk : KL_JSONL_DEFAULT_CHUNK;
    if (r->chunk_ < MIN_CHUNK)
        r->chunk_ = MIN_CHUNK;
    r->max_line_ = opts && opts->max_line ? opts->max_line : KL_JSONL_DEFAULT_MAX_LINE;
    r->line_ = 1;
}

size_t kl_jsonl_capacity(const kl_jsonl_reader *r)
{
    return r->cap_;
}

void kl_jsonl_dispose(kl_jsonl_reader *r)
{
    if (r == NULL)
        return;
    free(r->buf_);
    r->buf_ = NULL;
    r->cap_ = r->start_ = r->scan_ = r->end_ = 0;
}

/*
 * Make room and read once more. The unconsumed tail (the start of a line
 * whose '\n' has not arrived) moves to the front; the buffer doubles only
 * when that tail leaves less than half a chunk free, so every read asks for
 * at least half a chunk and the capacity stays below 2 * longest line + chunk.
 */
static int fill(kl_jsonl_reader *r)
{
    size_t pending = r->end_ - r->start_;
    if (pending > r->max_line_ + 1) /* + 1: a '\r' that will be stripped */
        return KL_ETOOBIG;

    if (r->buf_ == NULL) {
        r->buf_ = malloc(r->chunk_);
        if (r->buf_ == NULL)
            return KL_ENOMEM;
        r->cap_ = r->chunk_;
    } else if (r->start_ > 0) {
        memmove(r->buf_, r->buf_ + r->start_, pending);
        r->scan_ -= r->start_;
        r->start_ = 0;
        r->end_ = pending;
    }

    if (r->cap_ - r->end_ < r->chunk_ / 2) {
        if (r->cap_ > SIZE_MAX / 2)
            return KL_ENOMEM;
        char *grown = realloc(r->buf_, r->cap_ * 2);
        if (grown == NULL)
            return KL_ENOMEM;
        r->buf_ = grown;
        r->cap_ *= 2;
    }

    ssize_t n;
    do {
        n = read(r->fd_, r->buf_ + r->end_, r->cap_ - r->end_);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return KL_EIO;
    if (n == 0)
        r->eof_ = true;
    r->end_ += (size_t)n;
    return KL_OK;
}

int kl_jsonl_next(kl_jsonl_reader *r, kl_jsonl_record *rec)
{
    for (;;) {
        const char *nl = NULL;
        if (r->scan_ < r->end_)
            nl = memchr(r->buf_ + r->scan_, '\n', r->end_ - r->scan_);

        size_t line_end, next_start;
        if (nl != NULL) {
            line_end = (size_t)(nl - r->buf_);
            next_start = line_end + 1;
        } else if (!r->eof_) {
            r->scan_ = r->end_; /* no need to search these bytes again */
            int rc = fill(r);
            if (rc < 0)
                return rc;
            continue;
        } else if (r->start_ < r->end_) {
            line_end = next_start = r->end_; /* last line, no '\n' */
        } else {
            return 0;
        }

        const char *data = r->buf_ + r->start_;
        size_t len = line_end - r->start_;
        uint64_t line = r->line_;
        r->start_ = r->scan_ = next_start;
        r->line_++;

        if (len > 0 && data[len - 1] == '\r')
            len--;
        if (kl_jsonl_blank(data, len))
            continue;
        if (line > UINT32_MAX || len > r->max_line_)
            return KL_ETOOBIG;
        rec->data = data;
        rec->len = len;
        rec->line = (uint32_t)line;
        return 1;
    }
}

size_t kl_jsonl_line_end(const char *text, size_t len, size_t pos, size_t *rec_len)
{
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) : len;
    *rec_len = end - pos;
    if (*rec_len > 0 && text[end - 1] == '\r')
        (*rec_len)--;
    return end;
}

bool kl_jsonl_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    }
    return true;
}
