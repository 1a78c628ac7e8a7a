/*
 * Read-only accessors over the loader's nodes (see json.h). None of them
 * allocates; all accept NULL nodes.
 */
#include <float.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "klint/json.h"
#include "utf8.h"

static bool has_children(const kl_node *node)
{
    return node != NULL && (node->kind == KL_JSON_ARRAY || node->kind == KL_JSON_OBJECT);
}

const kl_node *kl_node_get(const kl_node *obj, const char *name, size_t name_len)
{
    if (obj == NULL || obj->kind != KL_JSON_OBJECT || (name == NULL && name_len != 0))
        return NULL;
    /* From the end: with duplicate keys the last one wins, as in most parsers. */
    for (uint32_t i = obj->len; i-- > 0;) {
        const kl_node *m = &obj->u.children[i];
        /* The first bytes first: most members differ there, and memcmp is a call. */
        if (m->key_len == name_len &&
            (name_len == 0 || (m->key[0] == name[0] && memcmp(m->key, name, name_len) == 0)))
            return m;
    }
    return NULL;
}

const kl_node *kl_node_getz(const kl_node *obj, const char *name)
{
    return name ? kl_node_get(obj, name, strlen(name)) : NULL;
}

const kl_node *kl_node_at(const kl_node *node, size_t i)
{
    if (!has_children(node) || i >= node->len)
        return NULL;
    return &node->u.children[i];
}

size_t kl_node_index(const kl_node *node)
{
    if (node == NULL || node->parent == NULL)
        return 0;
    return (size_t)(node - node->parent->u.children);
}

bool kl_node_is_string(const kl_node *node, const char *s)
{
    if (node == NULL || s == NULL || node->kind != KL_JSON_STRING)
        return false;
    size_t n = strlen(s);
    return n == node->len && (n == 0 || memcmp(node->u.str, s, n) == 0);
}

bool kl_node_int64(const kl_node *node, int64_t *out)
{
    if (node == NULL || node->kind != KL_JSON_NUMBER || !(node->flags & KL_NODE_NUM_INTEGER))
        return false;
    const char *p = node->u.str;
    const char *end = p + node->len;
    bool negative = *p == '-';
    if (negative)
        p++;
    /* Accumulate the magnitude; a negative number may reach 2^63. */
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (; p < end; p++) {
        uint64_t digit = (uint64_t)(*p - '0');
        if (v > (limit - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    if (out != NULL) {
        if (negative)
            *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
        else
            *out = (int64_t)v;
    }
    return true;
}

/*
 * The value of a number lexeme without an exponent and with at most 15 digits, without
 * strtod: the digits make an integer m < 10^15 and the value is ±m / 10^k (k digits after
 * the point). Both m and 10^k are exact doubles and one IEEE division rounds correctly, so
 * this is the double strtod returns (Clinger's fast path). False for any other lexeme, and
 * where doubles are evaluated in a wider format (x87), which would round twice.
 */
static bool short_decimal(const char *s, uint32_t len, double *out)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const char *p = s;
    const char *end = s + len;
    bool negative = p < end && *p == '-';
    if (negative)
        p++;
    uint64_t m = 0;
    int digits = 0;
    int fraction = -1; /* digits after the point; -1 before it */
    for (; p < end; p++) {
        if (*p == '.') {
            fraction = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || ++digits > 15)
            return false;
        m = m * 10 + (uint64_t)(*p - '0');
        if (fraction >= 0)
            fraction++;
    }
    double v = (double)m;
    if (fraction > 0)
        v /= pow10[fraction];
    *out = negative ? -v : v; /* "-0" is -0.0, as strtod reads it */
    return true;
#else
    (void)s;
    (void)len;
    (void)out;
    return false;
#endif
}

bool kl_node_double(const kl_node *node, double *out)
{
    if (node == NULL || node->kind != KL_JSON_NUMBER)
        return false;
    /* Most numbers in a payload are short (durations, scales, counts). */
    double quick;
    if (short_decimal(node->u.str, node->len, &quick)) {
        if (out != NULL)
            *out = quick;
        return true;
    }
    /* The lexeme is not NUL-terminated; copy it. JSON numbers use '.', so
     * this assumes the "C" LC_NUMERIC locale, which klint never changes. */
    char small[64];
    char *text = small;
    if (node->len >= sizeof(small)) {
        text = malloc((size_t)node->len + 1);
        if (text == NULL)
            return false;
    }
    memcpy(text, node->u.str, node->len);
    text[node->len] = '\0';
    double v = strtod(text, NULL); /* out of range gives ±HUGE_VAL or 0, still ordered right */
    if (text != small)
        free(text);
    if (out != NULL)
        *out = v;
    return true;
}

size_t kl_node_strlen_chars(const kl_node *node)
{
    if (node == NULL || node->kind != KL_JSON_STRING)
        return 0;
    const unsigned char *s = (const unsigned char *)node->u.str;
    size_t n = 0;
    for (uint32_t i = 0; i < node->len; i++)
        n += (s[i] & 0xC0) != 0x80;
    return n;
}

static uint32_t hex4(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        v = v * 16 + (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

uint32_t kl_node_string_source_offset(const kl_node *node, const kl_source *src,
                                      uint32_t decoded_offset)
{
    if (node == NULL)
        return 0;
    if (node->kind != KL_JSON_STRING)
        return node->span.start;
    uint32_t close = node->span.end - 1;
    if (decoded_offset >= node->len)
        return close;
    if (!(node->flags & KL_NODE_STR_ESCAPED)) {
        /* Decoded text is the source text: only round down to the character's start. */
        const unsigned char *s = (const unsigned char *)node->u.str;
        while (decoded_offset > 0 && (s[decoded_offset] & 0xC0) == 0x80)
            decoded_offset--;
        return node->span.start + 1 + decoded_offset;
    }
    if (src == NULL || src->data == NULL || node->span.end > src->len)
        return node->span.start;
    /* Walk the source text, which the loader validated, one character at a time. */
    const unsigned char *data = (const unsigned char *)src->data;
    uint32_t at = node->span.start + 1;
    uint32_t decoded = 0;
    while (at < close) {
        uint32_t src_len;
        uint32_t dec_len;
        if (data[at] == '\\' && data[at + 1] == 'u') {
            uint32_t cp = hex4(data + at + 2);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                src_len = 12;
                dec_len = 4;
            } else {
                char tmp[4];
                src_len = 6;
                dec_len = (uint32_t)kl_utf8_encode(cp, tmp);
            }
        } else if (data[at] == '\\') {
            src_len = 2;
            dec_len = 1;
        } else {
            src_len = dec_len = (uint32_t)kl_utf8_seq_len(data[at]);
        }
        if (decoded_offset < decoded + dec_len)
            return at;
        decoded += dec_len;
        at += src_len;
    }
    return close;
}

const char *kl_json_kind_name(kl_json_kind kind)
{
    switch (kind) {
    case KL_JSON_NULL:
        return "null";
    case KL_JSON_FALSE:
    case KL_JSON_TRUE:
        return "boolean";
    case KL_JSON_NUMBER:
        return "number";
    case KL_JSON_STRING:
        return "string";
    case KL_JSON_ARRAY:
        return "array";
    case KL_JSON_OBJECT:
        return "object";
    }
    return "unknown";
}
