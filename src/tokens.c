/*
 * Reference tokens in prompt text: a pattern is literal text around one
 * number, "<<<image_{N}>>>", "@image_{N}", "@Image{N}". Matching is exact
 * (case-sensitive) and the number is one to nine decimal digits.
 */
#include <string.h>

#include "engine.h"

/* Does pattern `t` match at s[hit..], whose prefix is there? Sets *end and *n if so. */
static bool match_rest(const char *s, size_t len, const kl_token_spec *t, size_t hit,
                       size_t *end, uint64_t *n)
{
    size_t at = hit + t->prefix_len;
    size_t d = at;
    uint64_t v = 0;
    while (d < len && d - at < 9 && s[d] >= '0' && s[d] <= '9')
        v = v * 10 + (uint64_t)(s[d++] - '0');
    bool digits = d > at && !(d < len && s[d] >= '0' && s[d] <= '9');
    if (!digits || d + t->suffix_len > len ||
        (t->suffix_len != 0 && memcmp(s + d, t->suffix, t->suffix_len) != 0))
        return false;
    *end = d + t->suffix_len;
    *n = v;
    return true;
}

void kl_tokens_scan(const char *s, size_t len, const kl_token_spec *t, kl_token_fn fn, void *ctx)
{
    size_t i = 0;
    while (i + t->prefix_len <= len) {
        const char *hit = memchr(s + i, t->prefix[0], len - i);
        if (hit == NULL)
            return;
        size_t h = (size_t)(hit - s);
        if (h + t->prefix_len > len)
            return;
        size_t end;
        uint64_t n;
        if (memcmp(hit, t->prefix, t->prefix_len) == 0 && match_rest(s, len, t, h, &end, &n)) {
            if (!fn(ctx, (uint32_t)h, (uint32_t)end, n))
                return;
            i = end;
        } else {
            i = h + 1;
        }
    }
}

void kl_tokens_scan_at(const char *s, size_t len, const kl_token_spec *t, const uint32_t *at,
                       size_t n_at, kl_token_fn fn, void *ctx)
{
    size_t i = 0;
    for (size_t k = 0; k < n_at; k++) {
        size_t h = at[k];
        if (h < i)
            continue;
        if (h + t->prefix_len > len)
            return;
        size_t end;
        uint64_t n;
        if (memcmp(s + h, t->prefix, t->prefix_len) == 0 && match_rest(s, len, t, h, &end, &n)) {
            if (!fn(ctx, (uint32_t)h, (uint32_t)end, n))
                return;
            i = end;
        } else {
            i = h + 1;
        }
    }
}
