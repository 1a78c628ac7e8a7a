#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct kl_arena_block {
    kl_arena_block *next;
    size_t size; /* usable bytes after the header */
    alignas(max_align_t) char data[];
};

enum { MIN_BLOCK = 64 * 1024 };

static size_t align_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) & ~(a - 1);
}

void *kl_arena_alloc(kl_arena *arena, size_t size)
{
    size = align_up(size ? size : 1);
    if ((size_t)(arena->end - arena->ptr) < size || arena->ptr == NULL) {
        size_t want = arena->head ? arena->head->size * 2 : MIN_BLOCK;
        if (want < size)
            want = size;
        kl_arena_block *b = malloc(sizeof(*b) + want);
        if (b == NULL)
            return NULL;
        b->next = arena->head;
        b->size = want;
        arena->head = b;
        arena->ptr = b->data;
        arena->end = b->data + want;
    }
    void *p = arena->ptr;
    arena->ptr += size;
    return p;
}

char *kl_arena_strndup(kl_arena *arena, const char *s, size_t len)
{
    char *p = kl_arena_alloc(arena, len + 1);
    if (p == NULL)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void kl_arena_reset(kl_arena *arena)
{
    /* Blocks grow geometrically, so the head is the largest: keep it alone. */
    kl_arena_block *keep = arena->head;
    if (keep == NULL)
        return;
    kl_arena_block *b = keep->next;
    while (b) {
        kl_arena_block *next = b->next;
        free(b);
        b = next;
    }
    keep->next = NULL;
    arena->ptr = keep->data;
    arena->end = keep->data + keep->size;
}

void kl_arena_dispose(kl_arena *arena)
{
    kl_arena_block *b = arena->head;
    while (b) {
        kl_arena_block *next = b->next;
        free(b);
        b = next;
    }
    arena->head = NULL;
    arena->ptr = NULL;
    arena->end = NULL;
}
