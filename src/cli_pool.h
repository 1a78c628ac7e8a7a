/*
 * An ordered work pool: jobs 0..n-1 run on worker threads and on the
 * consumer (the thread that started the pool), and the consumer takes them
 * strictly in job order.
 *
 * Jobs are started in increasing order, never more than `window` jobs past
 * the first one the consumer has not released, so the results waiting to
 * be consumed stay bounded however fast the workers are. At its turn for a
 * job the consumer either finds it not started yet and does it itself (so
 * it can print as it goes), or helps with the next jobs until a worker has
 * finished it. Jobs marked in `skip` are never run by the pool: the
 * consumer does them itself in their turn.
 *
 *   kl_pool_start(&pool, n_workers, ...);
 *   for (i = 0; i < n; i++) {
 *       if (skip[i] || kl_pool_turn(pool, i))
 *           ... do job i here ...
 *       else
 *           ... consume the result a worker (or fn on this thread) left ...
 *       kl_pool_release(pool, i);
 *   }
 *   kl_pool_finish(pool);
 *
 * The pool's mutex orders everything written for job i before
 * kl_pool_turn(pool, i) returns: results need no locking of their own.
 */
#ifndef KL_CLI_POOL_H
#define KL_CLI_POOL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kl_pool kl_pool;

/* Run job `job`: `worker` is 0..n_workers-1 on the worker threads, and
 * n_workers when the consumer runs it while waiting for another job (each
 * index is used by one thread at a time). */
typedef void (*kl_pool_work_fn)(void *ctx, size_t worker, size_t job);

/*
 * Start `n_workers` threads (at least 1) over `n_jobs` jobs. `skip` (may be
 * NULL) has n_jobs entries and must stay unchanged while the pool runs.
 *
 * @return KL_OK; KL_ENOMEM; KL_EINTERNAL when not even one thread could be
 *         started (nothing runs then, and `*out` is NULL).
 */
int kl_pool_start(kl_pool **out, size_t n_workers, size_t n_jobs, size_t window, const bool *skip,
                  kl_pool_work_fn fn, void *ctx);

/*
 * The consumer's turn at job `job` (not a skipped one; every job before it
 * released). True: no one had started it, and it is now the consumer's to
 * do. False: it has been done (by a worker, or by fn on this thread while
 * waiting) and its result is ready.
 */
bool kl_pool_turn(kl_pool *pool, size_t job);

/* The consumer is done with every job up to and including `job`: the window moves on. */
void kl_pool_release(kl_pool *pool, size_t job);

/* Let running jobs finish, start no new one, join the threads and free the pool.
 * NULL is a no-op. */
void kl_pool_finish(kl_pool *pool);

#endif
