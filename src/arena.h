/*
 * A bump allocator: many small allocations, freed all at once. Documents
 * (nodes, decoded strings) and diagnostic lists (messages, paths) live in
 * arenas so that a reset is O(1) and a JSON Lines batch reuses one block.
 */
#ifndef KL_ARENA_H
#define KL_ARENA_H

#include <stddef.h>

typedef struct kl_arena_block kl_arena_block;

typedef struct kl_arena {
    kl_arena_block *head; /* current block; older blocks follow `next` */
    char *ptr;            /* next free byte in head */
    char *end;            /* end of head's usable bytes */
} kl_arena;

#define KL_ARENA_INIT {NULL, NULL, NULL}

/* `size` bytes aligned for any type, or NULL when out of memory. */
void *kl_arena_alloc(kl_arena *arena, size_t size);

/* A NUL-terminated copy of `len` bytes of `s`, or NULL. */
char *kl_arena_strndup(kl_arena *arena, const char *s, size_t len);

/* Forget every allocation, keeping the largest block for reuse. */
void kl_arena_reset(kl_arena *arena);

/* Free every block. The arena may be used again afterwards. */
void kl_arena_dispose(kl_arena *arena);

#endif
