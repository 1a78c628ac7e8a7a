/*
 * Media references, offline: URI schemes, URL extensions, data: URIs
 * (MIME type, decoded size) and image sizes from PNG/JPEG headers. Nothing
 * here allocates: a data: URI is decoded only as far as its header.
 */
#include "media.h"
#include "utf8.h"

#include <string.h>

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

size_t kl_uri_scheme(const char *s, size_t len)
{
    if (len == 0 || !is_alpha(s[0]))
        return 0;
    for (size_t i = 1; i < len && i < 32; i++) {
        char c = s[i];
        if (c == ':')
            return i;
        if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

bool kl_data_uri_parse(const char *s, size_t len, kl_data_uri *out)
{
    memset(out, 0, sizeof(*out));
    if (len < 5 || !kl_ascii_ieq(s, "data:", 5))
        return false;
    const char *comma = memchr(s + 5, ',', len - 5);
    if (comma == NULL)
        return false;
    const char *meta = s + 5;
    size_t meta_len = (size_t)(comma - meta);
    const char *semi = memchr(meta, ';', meta_len);
    out->mime = meta;
    out->mime_len = semi ? (size_t)(semi - meta) : meta_len;
    out->base64 = meta_len >= 7 && kl_ascii_ieq(comma - 7, ";base64", 7);
    out->payload = comma + 1;
    out->payload_len = len - (size_t)(comma + 1 - s);
    return true;
}

static int b64(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* The byte a percent-escape at p[i] (the '%') stands for; -1 when it is cut short or not hex. */
static int escaped_byte(const unsigned char *p, size_t n, size_t i)
{
    if (i + 2 >= n)
        return -1;
    int hi = kl_ascii_hex((char)p[i + 1]), lo = kl_ascii_hex((char)p[i + 2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

bool kl_base64_size(size_t n, size_t pad, uint64_t *out)
{
    if (pad > 2 || pad > n)
        return false;
    size_t chars = n - pad;
    if (chars % 4 == 1 || (pad > 0 && n % 4 != 0))
        return false;
    *out = (uint64_t)chars / 4 * 3 + (chars % 4 == 0 ? 0 : chars % 4 - 1);
    return true;
}

bool kl_data_uri_size(const kl_data_uri *u, uint64_t *out)
{
    const unsigned char *p = (const unsigned char *)u->payload;
    size_t n = u->payload_len;
    if (!u->base64) {
        uint64_t size = 0;
        for (size_t i = 0; i < n; i++, size++) {
            if (p[i] == '%') {
                if (escaped_byte(p, n, i) < 0)
                    return false;
                i += 2;
            }
        }
        *out = size;
        return true;
    }
    size_t pad = 0;
    while (pad < 2 && n > pad && p[n - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < n - pad; i++)
        if (b64(p[i]) < 0)
            return false;
    return kl_base64_size(n, pad, out);
}

size_t kl_data_uri_head(const kl_data_uri *u, unsigned char *buf, size_t cap)
{
    const unsigned char *p = (const unsigned char *)u->payload;
    size_t n = u->payload_len, out = 0;
    if (!u->base64) {
        for (size_t i = 0; i < n && out < cap; i++) {
            int v = p[i] == '%' ? escaped_byte(p, n, i) : -1;
            if (v >= 0) {
                buf[out++] = (unsigned char)v;
                i += 2;
            } else {
                buf[out++] = p[i];
            }
        }
        return out;
    }
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n && out < cap; i++) {
        int v = b64(p[i]);
        if (v < 0)
            break;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[out++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return out;
}

static uint32_t be16(const unsigned char *b)
{
    return ((uint32_t)b[0] << 8) | b[1];
}

static uint32_t be32(const unsigned char *b)
{
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

bool kl_image_size(const unsigned char *b, size_t n, uint32_t *w, uint32_t *h)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (n >= 24 && memcmp(b, png, 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0) {
        *w = be32(b + 16);
        *h = be32(b + 20);
        return true;
    }
    if (n < 4 || b[0] != 0xFF || b[1] != 0xD8)
        return false;
    size_t i = 2;
    while (i + 4 <= n) {
        if (b[i] != 0xFF) {
            i++;
            continue;
        }
        unsigned char marker = b[i + 1];
        if (marker == 0xFF) {
            i++;
            continue;
        }
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            i += 2;
            continue;
        }
        uint32_t seg = be16(b + i + 2);
        bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                   marker != 0xCC;
        if (sof) {
            if (i + 9 > n)
                return false;
            *h = be16(b + i + 5);
            *w = be16(b + i + 7);
            return true;
        }
        if (marker == 0xD9 || marker == 0xDA || seg < 2)
            return false;
        i += 2 + seg;
    }
    return false;
}

bool kl_url_extension(const char *s, size_t len, const char **ext, size_t *ext_len)
{
    /* The path ends at the query or the fragment... */
    const char *q = memchr(s, '?', len);
    size_t end = q ? (size_t)(q - s) : len;
    const char *h = memchr(s, '#', end);
    end = h ? (size_t)(h - s) : end;
    /* ... and starts after "scheme://authority". */
    size_t start = 0;
    const char *sep = NULL;
    for (const char *col = memchr(s, ':', end); col != NULL && sep == NULL;
         col = memchr(col + 1, ':', end - (size_t)(col + 1 - s))) {
        size_t i = (size_t)(col - s);
        if (i + 2 < end && s[i + 1] == '/' && s[i + 2] == '/')
            sep = col + 3;
    }
    if (sep != NULL) {
        start = (size_t)(sep - s);
        const char *slash = memchr(s + start, '/', end - start);
        start = slash ? (size_t)(slash - s) : end;
    }
    size_t seg = end;
    while (seg > start && s[seg - 1] != '/')
        seg--;
    for (size_t i = end; i > seg; i--) {
        if (s[i - 1] == '.') {
            if (i - 1 == seg || end - i == 0 || end - i > 8)
                return false;
            *ext = s + i - 1;
            *ext_len = end - (i - 1);
            return true;
        }
    }
    return false;
}
