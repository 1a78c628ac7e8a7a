/*
 * Runs of plain JSON string content, found quickly. Shared by the loader
 * (json_parse.c), which crosses every string of the input with it, and the
 * printers' JSON string writer (print.c).
 *
 * A plain byte is one a JSON string holds as it is and that needs no UTF-8
 * check: 0x20 to 0x7f except '"' and '\\'. Everything else (a quote, a
 * backslash, a control character, any byte of 0x80 or more) stops the run.
 *
 * Strings (prompts above all) are most of a payload's bytes, so the run is
 * looked at 16 bytes at a time with SSE2 where the compiler targets it
 * (every x86-64), and 8 at a time with 64-bit arithmetic elsewhere and for
 * the last bytes. The unit tests (test_json.c) check both versions against
 * a byte-by-byte reference.
 */
#ifndef KL_JSON_PLAIN_H
#define KL_JSON_PLAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#define KL_JSON_PLAIN_SSE2 1
#include <emmintrin.h>
#endif

/* True when `c` is plain (the definition above, one byte at a time). */
static inline bool kl_json_is_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* The first byte in [p, end) that is not plain, or `end`: 8 bytes at a time, portably. */
static inline const unsigned char *kl_json_skip_plain_swar(const unsigned char *p,
                                                           const unsigned char *end)
{
    const uint64_t ones = UINT64_C(0x0101010101010101);
    const uint64_t highs = UINT64_C(0x8080808080808080);
    while (end - p >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        uint64_t q = v ^ (ones * '"');
        uint64_t b = v ^ (ones * '\\');
        /* The high bit of each byte that is below 0x20, '"', '\\' or 0x80 and more. */
        uint64_t m = (((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b) | v) & highs;
        if (m != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* Borrows only run towards later bytes, so the lowest flag is exact. */
            return p + (__builtin_ctzll(m) >> 3);
#else
            break;
#endif
        }
        p += 8;
    }
    while (p < end && kl_json_is_plain(*p))
        p++;
    return p;
}

#ifdef KL_JSON_PLAIN_SSE2
/* One bit per byte of `v` that is not plain. */
static inline unsigned kl_json_stop_mask(__m128i v)
{
    /* A signed compare: bytes of 0x80 and more are negative, so one test finds both the
     * control characters and the non-ASCII bytes. */
    __m128i stop = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
    return (unsigned)_mm_movemask_epi8(stop);
}

/* The same as kl_json_skip_plain_swar, 16 bytes at a time (the tail with that one). */
static inline const unsigned char *kl_json_skip_plain_sse2(const unsigned char *p,
                                                           const unsigned char *end)
{
    while (end - p >= 16) {
        unsigned mask = kl_json_stop_mask(_mm_loadu_si128((const __m128i *)(const void *)p));
        if (mask != 0)
            return p + __builtin_ctz(mask);
        p += 16;
    }
    return kl_json_skip_plain_swar(p, end); /* the last 15 bytes or fewer */
}
#endif

/* The first byte in [p, end) that is not plain, or `end` when there is none. */
static inline const unsigned char *kl_json_skip_plain(const unsigned char *p,
                                                      const unsigned char *end)
{
#ifdef KL_JSON_PLAIN_SSE2
    return kl_json_skip_plain_sse2(p, end);
#else
    return kl_json_skip_plain_swar(p, end);
#endif
}

#endif
