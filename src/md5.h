/*
 * MD5 (RFC 1321), for identifiers only: the stable fingerprints of the
 * gitlab format, where GitLab's own documentation suggests an MD5 hex
 * digest. Not for anything that needs collision resistance against an
 * adversary.
 *
 * Incremental: kl_md5_init, any number of kl_md5_update, kl_md5_final.
 * The context is a plain value, so a copy taken after hashing a common
 * prefix can be finished twice (the gitlab printer uses this).
 */
#ifndef KL_MD5_H
#define KL_MD5_H

#include <stddef.h>
#include <stdint.h>

typedef struct kl_md5 {
    uint32_t state[4];
    uint64_t n_bytes;        /* bytes hashed so far */
    unsigned char block[64]; /* the pending partial block */
} kl_md5;

void kl_md5_init(kl_md5 *ctx);

/* Hash `len` more bytes (`data` may be NULL when `len` is 0). */
void kl_md5_update(kl_md5 *ctx, const void *data, size_t len);

/* Finish: the 16-byte digest. `ctx` must be set up again before reuse. */
void kl_md5_final(kl_md5 *ctx, unsigned char digest[16]);

/* The digest as 32 lowercase hex digits and a NUL. */
void kl_md5_hex(const unsigned char digest[16], char hex[33]);

#endif
