/*
 * The LSP base protocol on file descriptors: messages framed by a header
 * ("Content-Length: N\r\n" and optional other fields, then "\r\n") and a
 * body of N bytes. Reading never trusts the peer: a bad header, an
 * oversized body or an early end of input is reported as a status and the
 * reader stays usable (it resynchronises on the next "Content-Length").
 * Bodies are not interpreted here; JSON parsing is the server's job.
 */
#ifndef KL_LSP_RPC_H
#define KL_LSP_RPC_H

#include <stdbool.h>
#include <stddef.h>

#include "klint/common.h"

/* JSON-RPC 2.0 and LSP error codes. */
enum {
    KL_RPC_PARSE_ERROR = -32700,
    KL_RPC_INVALID_REQUEST = -32600,
    KL_RPC_METHOD_NOT_FOUND = -32601,
    KL_RPC_INVALID_PARAMS = -32602,
    KL_RPC_INTERNAL_ERROR = -32603,
    KL_RPC_SERVER_NOT_INITIALIZED = -32002,
    KL_RPC_REQUEST_CANCELLED = -32800,
};

/* Largest body accepted by default; bigger ones are skipped unread. */
#define KL_RPC_DEFAULT_MAX_BODY ((size_t)64 << 20)

/* Largest header block (all fields) before the reader gives up on it. */
#define KL_RPC_MAX_HEADER 8192

/* Longest request id (as a JSON lexeme) recovered from a skipped body. */
#define KL_RPC_MAX_ID 64

typedef enum kl_rpc_status {
    KL_RPC_MESSAGE,    /* `body`/`len` hold one message body */
    KL_RPC_EOF,        /* the input ended between messages */
    KL_RPC_TRUNCATED,  /* the input ended inside a header or a body */
    KL_RPC_BAD_HEADER, /* a header without a usable Content-Length: skipped */
    KL_RPC_TOO_BIG,    /* a body over the limit: skipped; `id` set when one was seen */
    KL_RPC_IO_ERROR,   /* read(2) failed (errno is kept) */
    KL_RPC_NOMEM,      /* no memory for the body */
} kl_rpc_status;

/* What kl_rpc_read found. Pointers are valid until the next kl_rpc_read. */
typedef struct kl_rpc_frame {
    const char *body;    /* MESSAGE: the body (not NUL-terminated) */
    size_t len;          /* MESSAGE: its bytes; TOO_BIG: the declared Content-Length */
    const char *problem; /* BAD_HEADER, TOO_BIG, TRUNCATED: what was wrong (static text) */
    /* TOO_BIG: the top-level "id" member of the skipped body as a JSON
     * lexeme (an integer, or a string of printable ASCII), or "" when the
     * body had none that could be read. */
    char id[KL_RPC_MAX_ID + 1];
} kl_rpc_frame;

/* Reader state; fields are private. */
typedef struct kl_rpc_reader {
    int fd_;
    size_t max_body_;
    char *buf_;
    size_t cap_;
    size_t start_; /* first unconsumed byte */
    size_t end_;   /* end of the bytes read so far */
    size_t scan_;  /* header search resumes here (no "\r\n\r\n" before it) */
    bool eof_;     /* read(2) returned 0 */
    bool resync_;  /* skipping to the next "Content-Length" after a bad header */
} kl_rpc_reader;

/* Set up `r` to read `fd` (borrowed). `max_body` 0 means KL_RPC_DEFAULT_MAX_BODY. */
void kl_rpc_reader_init(kl_rpc_reader *r, int fd, size_t max_body);

/*
 * The next message. Blocks in read(2) until a whole message is buffered.
 * Memory is bounded by the largest accepted body plus one header; a body
 * over the limit is read in chunks and dropped. After TRUNCATED or
 * IO_ERROR the next call returns EOF.
 */
kl_rpc_status kl_rpc_read(kl_rpc_reader *r, kl_rpc_frame *f);

/* Free the buffer. NULL is a no-op. */
void kl_rpc_reader_dispose(kl_rpc_reader *r);

/*
 * Write one message: "Content-Length: <len>\r\n\r\n" then `body`, with
 * write(2) only (partial writes and EINTR retried).
 * @return KL_OK, or KL_EIO when the peer is gone or writing failed (errno kept).
 */
int kl_rpc_write(int fd, const char *body, size_t len);

#endif
