/*
 * klint: common definitions shared by every public header.
 *
 * Return codes: every fallible function returns an `int` that is KL_OK (0)
 * or one of the negative kl_error values below. A return code means klint
 * could not do its job (out of memory, I/O, bad usage). Problems found in
 * the user's input are never return codes: they are diagnostics, appended
 * to a kl_diags list (see diag.h).
 */
#ifndef KLINT_COMMON_H
#define KLINT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define KLINT_VERSION_MAJOR 0
#define KLINT_VERSION_MINOR 1
#define KLINT_VERSION_PATCH 0
#define KLINT_VERSION       "0.1.0"

/** Why a call could not complete. */
typedef enum kl_error {
    KL_OK = 0,
    KL_ENOMEM = -1,    /**< an allocation failed; the object is left usable but unchanged */
    KL_EIO = -2,       /**< a file could not be opened, read or written */
    KL_EUSAGE = -3,    /**< the caller passed something invalid (bad option, unknown name) */
    KL_ETOOBIG = -4,   /**< the input exceeds a hard limit (a source over 4 GiB) */
    KL_EINTERNAL = -5, /**< a bug in klint: an invariant did not hold */
} kl_error;

/**
 * A half-open byte range [start, end) inside one kl_source.
 * Offsets are relative to the start of that source's bytes. A zero-length
 * span (start == end) marks a position between two bytes, such as the end
 * of input.
 */
typedef struct kl_span {
    uint32_t start;
    uint32_t end;
} kl_span;

/** Build a span; `end` must be >= `start`. */
static inline kl_span kl_span_make(uint32_t start, uint32_t end)
{
    kl_span s;
    s.start = start;
    s.end = end;
    return s;
}

/** Short human text for a kl_error value ("out of memory", ...); never NULL. */
const char *kl_error_str(int error);

#endif
