/*
 * UTF-8 helpers shared by the loader, the position table and the printers.
 * Validity follows RFC 3629: no overlong forms, no surrogates (U+D800 to
 * U+DFFF), nothing above U+10FFFF.
 */
#ifndef KL_UTF8_H
#define KL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode the sequence at s[0..avail). On success stores the code point in
 * `*cp` and returns its length (1 to 4). Returns 0 when the bytes there are
 * not valid UTF-8 (truncated, overlong, surrogate, out of range, or a stray
 * continuation byte); `*cp` is then unspecified.
 */
size_t kl_utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp);

/* Encode `cp` (≤ 0x10FFFF, not a surrogate) into `out`; returns 1 to 4. */
size_t kl_utf8_encode(uint32_t cp, char out[4]);

/* Length in bytes of a sequence from its lead byte, 1 for anything invalid. */
size_t kl_utf8_seq_len(unsigned char lead);

/*
 * Count code points and UTF-16 units in s[0..len). A byte that does not
 * start a valid sequence counts as one of each, so every offset has a column.
 */
void kl_utf8_count(const char *s, size_t len, uint32_t *code_points, uint32_t *utf16_units);

/* Length of the longest prefix of s[0..len) that is valid UTF-8 (len when all of it is). */
size_t kl_utf8_valid_len(const char *s, size_t len);

/* True when the whole of s[0..len) is valid UTF-8. */
bool kl_utf8_valid(const char *s, size_t len);

/* True when a[0..n) and b[0..n) are equal ignoring ASCII case (URI schemes, MIME types,
 * enum case mismatches); bytes outside A-Z compare exactly. */
bool kl_ascii_ieq(const char *a, const char *b, size_t n);

/* The value (0 to 15) of the hexadecimal digit `c`, either case; -1 when it is not one. */
int kl_ascii_hex(char c);

#endif
