/*
 * Reference tokens in prompt text: a pattern is literal text around one
 * number, "<<<image_{N}>>>", "@image_{N}", "@Image{N}". Matching is exact
 * (case-sensitive) and the number is one to nine decimal digits.
 */
#include <string.h>

#include "engine.h"

void kl_tokens_scan(const char *s, size_t len, const kl_token_spec *t, kl_token_fn fn, void *ctx)
{
    size_t i = 0;
    while (i + t->prefix_len <= len) {
        const char *hit = memchr(s + i, t->prefix[0], len - i);
        if (hit == NULL)
            return;
        if ((size_t)(hit - s) + t->prefix_len > len)
            return;
        if (memcmp(hit, t->prefix, t->prefix_len) != 0) {
            i = (size_t)(hit - s) + 1;
            continue;
        }
        size_t at = (size_t)(hit - s) + t->prefix_len;
        size_t d = at;
        uint64_t n = 0;
        while (d < len && d - at < 9 && s[d] >= '0' && s[d] <= '9')
            n = n * 10 + (uint64_t)(s[d++] - '0');
        bool digits = d > at && !(d < len && s[d] >= '0' && s[d] <= '9');
        if (digits && d + t->suffix_len <= len &&
            (t->suffix_len == 0 || memcmp(s + d, t->suffix, t->suffix_len) == 0)) {
            size_t end = d + t->suffix_len;
            if (!fn(ctx, (uint32_t)(hit - s), (uint32_t)end, n))
                return;
            i = end;
        } else {
            i = (size_t)(hit - s) + 1;
        }
    }
}
