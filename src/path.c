/*
 * Canonical JSON paths, written snprintf-style.
 *
 * Every step is written through a `sink` that knows where the step lands
 * in the full path and copies only the bytes that fit in the caller's
 * buffer, so a truncated result is always a prefix of the full path. That
 * lets kl_path_of fill the buffer from the leaf upwards (the order in which
 * parent pointers are walked) without recursion or a stack of steps: a
 * document may be nested as deep as its loader allows.
 */
#include "klint/path.h"

#include <stdbool.h>
#include <string.h>

typedef struct sink {
    char *buf;
    size_t cap; /* bytes of buf, NUL included; 0 only measures */
    size_t pos; /* where the next byte goes in the full path */
} sink;

static void put(sink *s, const char *p, size_t n)
{
    /* Bytes at positions < cap - 1 fit; the last byte is kept for the NUL. */
    if (s->cap > 0 && s->pos < s->cap - 1) {
        size_t room = s->cap - 1 - s->pos;
        memcpy(s->buf + s->pos, p, n < room ? n : room);
    }
    s->pos += n;
}

static void terminate(char *buf, size_t cap, size_t len)
{
    if (cap > 0)
        buf[len < cap ? len : cap - 1] = '\0';
}

static bool is_identifier(const char *name, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

/* ".name", or "['name']" with RFC 9535 normalized-path escapes. */
static void put_member(sink *s, const char *name, size_t len)
{
    if (name == NULL)
        len = 0;
    if (is_identifier(name, len)) {
        put(s, ".", 1);
        put(s, name, len);
        return;
    }
    static const char hex[] = "0123456789abcdef";
    put(s, "['", 2);
    size_t run = 0; /* start of the bytes not yet written */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c >= 0x20 && c != '\'' && c != '\\')
            continue;
        put(s, name + run, i - run);
        run = i + 1;
        switch (c) {
        case '\'':
            put(s, "\\'", 2);
            break;
        case '\\':
            put(s, "\\\\", 2);
            break;
        case '\b':
            put(s, "\\b", 2);
            break;
        case '\f':
            put(s, "\\f", 2);
            break;
        case '\n':
            put(s, "\\n", 2);
            break;
        case '\r':
            put(s, "\\r", 2);
            break;
        case '\t':
            put(s, "\\t", 2);
            break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(s, u, sizeof(u));
        }
        }
    }
    put(s, name + run, len - run);
    put(s, "']", 2);
}

static void put_index(sink *s, size_t index)
{
    /* Digits from the right; no printf: findings in lists write one of these each. */
    char tmp[24];
    size_t n = 0;
    tmp[sizeof(tmp) - ++n] = ']';
    do {
        tmp[sizeof(tmp) - ++n] = (char)('0' + index % 10);
        index /= 10;
    } while (index != 0);
    tmp[sizeof(tmp) - ++n] = '[';
    put(s, tmp + sizeof(tmp) - n, n);
}

/* The step that leads from `node`'s parent to `node`; nothing for the root. */
static void put_step(sink *s, const kl_node *node)
{
    const kl_node *parent = node->parent;
    if (parent == NULL)
        return;
    if (parent->kind == KL_JSON_OBJECT)
        put_member(s, node->key, node->key_len);
    else
        put_index(s, kl_node_index(node));
}

static size_t step_len(const kl_node *node)
{
    sink s = {NULL, 0, 0};
    put_step(&s, node);
    return s.pos;
}

size_t kl_path_of(const kl_node *node, char *buf, size_t cap)
{
    size_t total = 1; /* "$" */
    for (const kl_node *n = node; n != NULL; n = n->parent)
        total += step_len(n);

    sink root = {buf, cap, 0};
    put(&root, "$", 1);
    size_t end = total;
    for (const kl_node *n = node; n != NULL && end > 1; n = n->parent) {
        size_t start = end - step_len(n);
        if (cap > 0 && start < cap - 1) {
            sink s = {buf, cap, start};
            put_step(&s, n);
        }
        end = start;
    }
    terminate(buf, cap, total);
    return total;
}

size_t kl_path_append_member(char *buf, size_t cap, size_t len, const char *name, size_t name_len)
{
    sink s = {buf, cap, len};
    put_member(&s, name, name_len);
    terminate(buf, cap, s.pos);
    return s.pos;
}

size_t kl_path_append_index(char *buf, size_t cap, size_t len, size_t index)
{
    sink s = {buf, cap, len};
    put_index(&s, index);
    terminate(buf, cap, s.pos);
    return s.pos;
}
