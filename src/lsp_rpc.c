/*
 * Base-protocol framing over file descriptors (see lsp_rpc.h).
 *
 * The reader keeps one buffer: unconsumed bytes are [start_, end_). A
 * header block is everything up to the first "\r\n\r\n"; its fields are
 * "Name: value" lines. Only Content-Length matters: Content-Type is
 * accepted whatever it says (the body must be UTF-8 JSON anyway, which the
 * server checks), other fields are ignored as the specification asks.
 */
#include "lsp_rpc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utf8.h"

/* Bytes asked of read(2) at a time (at least). */
#define CHUNK ((size_t)1 << 16)

/* A Content-Length at or above this is not a length anyone means. */
#define ABSURD_LENGTH ((uint64_t)1 << 62)

static const char content_length[] = "Content-Length";
#define CONTENT_LENGTH_LEN (sizeof(content_length) - 1)

void kl_rpc_reader_init(kl_rpc_reader *r, int fd, size_t max_body)
{
    memset(r, 0, sizeof(*r));
    r->fd_ = fd;
    r->max_body_ = max_body ? max_body : KL_RPC_DEFAULT_MAX_BODY;
}

void kl_rpc_reader_dispose(kl_rpc_reader *r)
{
    if (r == NULL)
        return;
    free(r->buf_);
    r->buf_ = NULL;
    r->cap_ = r->start_ = r->end_ = r->scan_ = 0;
}

/* Consume `n` unconsumed bytes. */
static void consume(kl_rpc_reader *r, size_t n)
{
    r->start_ += n;
    r->scan_ = 0;
    if (r->start_ == r->end_)
        r->start_ = r->end_ = 0;
}

/*
 * Read once, with room for at least `need` unconsumed bytes in the buffer
 * (and at least one chunk free). @return 1 when bytes came, 0 at end of
 * input, -1 on a read error (errno kept), -2 when out of memory.
 */
static int read_more(kl_rpc_reader *r, size_t need)
{
    size_t have = r->end_ - r->start_;
    size_t target = have + CHUNK;
    if (target < need)
        target = need;
    if (r->cap_ - r->start_ < target && r->start_ > 0) {
        memmove(r->buf_, r->buf_ + r->start_, have);
        r->start_ = 0;
        r->end_ = have;
    }
    if (r->cap_ < target) {
        size_t cap = r->cap_ + r->cap_ / 2;
        if (cap < target)
            cap = target;
        char *p = realloc(r->buf_, cap);
        if (p == NULL)
            return -2;
        r->buf_ = p;
        r->cap_ = cap;
    }
    for (;;) {
        ssize_t n = read(r->fd_, r->buf_ + r->end_, r->cap_ - r->end_);
        if (n > 0) {
            r->end_ += (size_t)n;
            return 1;
        }
        if (n == 0) {
            r->eof_ = true;
            return 0;
        }
        if (errno != EINTR)
            return -1;
    }
}

static bool ieq_prefix(const char *s, size_t len, const char *lit, size_t lit_len)
{
    return len >= lit_len && kl_ascii_ieq(s, lit, lit_len);
}

/* RFC 9110 token characters, for field names. */
static bool is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/*
 * Parse the header block h[0..len) (without the final "\r\n\r\n").
 * @return true with `*length` set, or false with `*problem` set.
 */
static bool parse_header(const char *h, size_t len, uint64_t *length, const char **problem)
{
    bool have = false;
    size_t i = 0;
    while (i <= len) {
        const char *line = h + i;
        size_t n = 0;
        while (i + n < len && !(h[i + n] == '\r' && i + n + 1 < len && h[i + n + 1] == '\n'))
            n++;
        const char *colon = memchr(line, ':', n);
        if (colon == NULL || colon == line) {
            *problem = "a header line is not 'Name: value'";
            return false;
        }
        size_t name_len = (size_t)(colon - line);
        for (size_t k = 0; k < name_len; k++) {
            if (!is_tchar((unsigned char)line[k])) {
                *problem = "a header field name holds a character a name cannot have";
                return false;
            }
        }
        const char *v = colon + 1;
        const char *v_end = line + n;
        while (v < v_end && (*v == ' ' || *v == '\t'))
            v++;
        while (v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t'))
            v_end--;
        if (name_len == CONTENT_LENGTH_LEN &&
            ieq_prefix(line, name_len, content_length, CONTENT_LENGTH_LEN)) {
            uint64_t value = 0;
            if (v == v_end) {
                *problem = "Content-Length has no value";
                return false;
            }
            for (const char *p = v; p < v_end; p++) {
                if (*p < '0' || *p > '9') {
                    *problem = "Content-Length is not a decimal number";
                    return false;
                }
                value = value * 10 + (uint64_t)(*p - '0');
                if (value >= ABSURD_LENGTH) {
                    *problem = "Content-Length is absurdly large";
                    return false;
                }
            }
            if (have && value != *length) {
                *problem = "two Content-Length fields disagree";
                return false;
            }
            have = true;
            *length = value;
        }
        i += n + 2;
    }
    if (!have) {
        *problem = "the header has no Content-Length";
        return false;
    }
    return true;
}

/* ---- The "id" of a body too big to keep ------------------------------- */

/*
 * A streaming scanner that follows strings and nesting just enough to find
 * the top-level "id" member of a JSON object while its bytes go by. It
 * never validates the JSON: it only has to recover an id to answer with.
 */
typedef struct id_scan {
    uint32_t depth;
    bool top_object; /* the first value is an object */
    bool in_string;
    bool escape;
    bool key_next; /* at depth 1, the next string is a member name */
    bool in_key;
    bool key_is_id;  /* the member being read is "id" */
    bool value_next; /* just after ':' at depth 1 */
    char key[2];
    size_t key_len;
    int capture; /* 0: none, 1: a string id, 2: a number id */
    char val[KL_RPC_MAX_ID + 1];
    size_t val_len;
    bool val_over;
    bool found;
} id_scan;

static void capture_put(id_scan *s, unsigned char c)
{
    if (s->val_len < KL_RPC_MAX_ID)
        s->val[s->val_len++] = (char)c;
    else
        s->val_over = true;
}

/* Keep the captured lexeme if it is one we can echo safely. */
static void capture_end(id_scan *s)
{
    bool ok = !s->val_over && s->val_len > 0 && !s->found;
    if (ok && s->capture == 2) {
        size_t k = s->val[0] == '-' ? 1 : 0;
        ok = k < s->val_len;
        for (; ok && k < s->val_len; k++)
            ok = s->val[k] >= '0' && s->val[k] <= '9';
    } else if (ok) {
        ok = s->val_len >= 2 && s->val[s->val_len - 1] == '"';
        for (size_t k = 1; ok && k + 1 < s->val_len; k++)
            ok = s->val[k] >= 0x20 && s->val[k] <= 0x7E && s->val[k] != '\\' && s->val[k] != '"';
    }
    if (ok) {
        s->val[s->val_len] = '\0';
        s->found = true;
    }
    s->capture = 0;
    s->val_len = 0;
    s->val_over = false;
}

static void scan_byte(id_scan *s, unsigned char c)
{
    if (s->in_string) {
        if (s->capture == 1)
            capture_put(s, c);
        if (s->escape) {
            s->escape = false;
        } else if (c == '\\') {
            s->escape = true;
        } else if (c == '"') {
            s->in_string = false;
            if (s->in_key) {
                s->in_key = false;
                s->key_is_id = s->key_len == 2 && s->key[0] == 'i' && s->key[1] == 'd';
            }
            if (s->capture == 1)
                capture_end(s);
            return;
        }
        if (s->in_key) {
            if (s->key_len < sizeof(s->key))
                s->key[s->key_len] = (char)c;
            s->key_len++;
        }
        return;
    }
    if (s->capture == 2) {
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
            capture_put(s, c);
            return;
        }
        capture_end(s);
    }
    bool at_top = s->depth == 1 && s->top_object;
    switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\n':
        return;
    case '"':
        s->in_string = true;
        if (at_top && s->key_next) {
            s->in_key = true;
            s->key_len = 0;
        } else if (at_top && s->value_next && s->key_is_id) {
            s->capture = 1;
            capture_put(s, c);
        }
        break;
    case '{':
    case '[':
        if (s->depth == 0 && c == '{') {
            s->top_object = true;
            s->key_next = true;
            s->depth++;
            return;
        }
        s->depth++;
        break;
    case '}':
    case ']':
        if (s->depth > 0)
            s->depth--;
        break;
    case ',':
        if (at_top) {
            s->key_next = true;
            s->value_next = false;
            return;
        }
        break;
    case ':':
        if (at_top) {
            s->value_next = true;
            return;
        }
        break;
    default:
        if (at_top && s->value_next && s->key_is_id && (c == '-' || (c >= '0' && c <= '9'))) {
            s->capture = 2;
            capture_put(s, c);
        }
        break;
    }
    s->key_next = false;
    s->value_next = false;
}

/* ---- Reading ------------------------------------------------------------ */

/* Skip bytes up to the next "Content-Length" (any case). @return false at the end of input. */
static kl_rpc_status resync(kl_rpc_reader *r)
{
    for (;;) {
        const char *p = r->buf_ + r->start_;
        size_t avail = r->end_ - r->start_;
        for (size_t i = 0; i + CONTENT_LENGTH_LEN <= avail; i++) {
            if ((p[i] == 'C' || p[i] == 'c') &&
                kl_ascii_ieq(p + i, content_length, CONTENT_LENGTH_LEN)) {
                consume(r, i);
                r->resync_ = false;
                return KL_RPC_MESSAGE;
            }
        }
        /* Keep a tail that may be the start of the name. */
        if (avail >= CONTENT_LENGTH_LEN)
            consume(r, avail - (CONTENT_LENGTH_LEN - 1));
        if (r->eof_) {
            consume(r, r->end_ - r->start_);
            return KL_RPC_EOF;
        }
        int got = read_more(r, 0);
        if (got == -1)
            return KL_RPC_IO_ERROR;
        if (got == -2)
            return KL_RPC_NOMEM;
    }
}

/* Find "\r\n\r\n" in the unconsumed bytes; its offset from start_, or SIZE_MAX. */
static size_t find_header_end(kl_rpc_reader *r)
{
    const char *p = r->buf_ + r->start_;
    size_t avail = r->end_ - r->start_;
    for (size_t i = r->scan_; i + 4 <= avail; i++)
        if (p[i] == '\r' && memcmp(p + i, "\r\n\r\n", 4) == 0)
            return i;
    r->scan_ = avail >= 3 ? avail - 3 : 0;
    return SIZE_MAX;
}

static kl_rpc_status stop(kl_rpc_reader *r, kl_rpc_frame *f, kl_rpc_status st, const char *problem)
{
    /* After a read error or a truncation nothing more can be trusted. */
    if (st == KL_RPC_TRUNCATED || st == KL_RPC_IO_ERROR)
        r->eof_ = true;
    consume(r, r->end_ - r->start_);
    f->problem = problem;
    return st;
}

static kl_rpc_status skip_body(kl_rpc_reader *r, kl_rpc_frame *f, uint64_t length)
{
    id_scan s;
    memset(&s, 0, sizeof(s));
    uint64_t remaining = length;
    for (;;) {
        size_t avail = r->end_ - r->start_;
        size_t take = (uint64_t)avail < remaining ? avail : (size_t)remaining;
        const unsigned char *p = (const unsigned char *)r->buf_ + r->start_;
        for (size_t i = 0; i < take; i++)
            scan_byte(&s, p[i]);
        consume(r, take);
        remaining -= take;
        if (remaining == 0)
            break;
        if (r->eof_)
            return stop(r, f, KL_RPC_TRUNCATED, "the input ended inside an oversized body");
        int got = read_more(r, 0);
        if (got == -1)
            return stop(r, f, KL_RPC_IO_ERROR, "reading failed");
        if (got == -2)
            return stop(r, f, KL_RPC_NOMEM, "out of memory");
    }
    if (s.capture == 2)
        capture_end(&s);
    if (s.found)
        memcpy(f->id, s.val, strlen(s.val) + 1);
    f->len = (size_t)length;
    f->problem = "the message is larger than the limit";
    return KL_RPC_TOO_BIG;
}

kl_rpc_status kl_rpc_read(kl_rpc_reader *r, kl_rpc_frame *f)
{
    memset(f, 0, sizeof(*f));
    for (;;) {
        if (r->resync_) {
            kl_rpc_status st = resync(r);
            if (st == KL_RPC_IO_ERROR)
                return stop(r, f, st, "reading failed");
            if (st != KL_RPC_MESSAGE)
                return st;
        }
        /* Stray line ends between messages are harmless: skip them. */
        while (r->start_ < r->end_ && (r->buf_[r->start_] == '\r' || r->buf_[r->start_] == '\n'))
            consume(r, 1);

        size_t hdr = r->start_ < r->end_ ? find_header_end(r) : SIZE_MAX;
        if (hdr == SIZE_MAX) {
            if (r->end_ - r->start_ > KL_RPC_MAX_HEADER) {
                r->resync_ = true;
                consume(r, 1);
                f->problem = "no end of header within 8 KiB";
                return KL_RPC_BAD_HEADER;
            }
            if (r->eof_) {
                if (r->start_ == r->end_)
                    return KL_RPC_EOF;
                return stop(r, f, KL_RPC_TRUNCATED, "the input ended inside a header");
            }
            int got = read_more(r, 0);
            if (got == -1)
                return stop(r, f, KL_RPC_IO_ERROR, "reading failed");
            if (got == -2)
                return stop(r, f, KL_RPC_NOMEM, "out of memory");
            continue;
        }

        uint64_t length = 0;
        const char *problem = NULL;
        if (hdr > KL_RPC_MAX_HEADER)
            problem = "the header is longer than 8 KiB";
        if (problem != NULL || !parse_header(r->buf_ + r->start_, hdr, &length, &problem)) {
            /* The next message starts at the next Content-Length field,
             * possibly later in this very block. */
            r->resync_ = true;
            consume(r, 1);
            f->problem = problem;
            return KL_RPC_BAD_HEADER;
        }
        consume(r, hdr + 4);
        if (length > r->max_body_)
            return skip_body(r, f, length);

        size_t len = (size_t)length;
        while (r->end_ - r->start_ < len) {
            if (r->eof_)
                return stop(r, f, KL_RPC_TRUNCATED, "the input ended inside a body");
            int got = read_more(r, len);
            if (got == -1)
                return stop(r, f, KL_RPC_IO_ERROR, "reading failed");
            if (got == -2)
                return stop(r, f, KL_RPC_NOMEM, "out of memory");
        }
        f->body = r->buf_ + r->start_;
        f->len = len;
        /* Consumed now; the bytes stay put until the next read moves them. */
        r->start_ += len;
        r->scan_ = 0;
        return KL_RPC_MESSAGE;
    }
}

/* ---- Writing ------------------------------------------------------------ */

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return KL_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return KL_OK;
}

int kl_rpc_write(int fd, const char *body, size_t len)
{
    char header[64];
    int n = snprintf(header, sizeof(header), "Content-Length: %zu\r\n\r\n", len);
    if (write_all(fd, header, (size_t)n) != KL_OK)
        return KL_EIO;
    return write_all(fd, body, len);
}
