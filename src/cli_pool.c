/*
 * The ordered work pool on POSIX threads: one mutex, one condition for the
 * workers (the window moved, or stop) and one for the consumer (the job it
 * waits for is done). Each is signalled only when someone waits on it:
 * with thousands of small files, a wake-up per file would cost more than
 * the files.
 */
#include "cli_pool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "klint/common.h"

#define NOT_WAITING SIZE_MAX

struct kl_pool {
    pthread_mutex_t lock;
    pthread_cond_t can_start; /* idle workers wait here for the window to move */
    pthread_cond_t finished;  /* the consumer waits here for job `waiting_for` */
    size_t n_jobs;
    size_t window;
    const bool *skip;
    bool *done;         /* per job, set by whoever ran it */
    size_t next;        /* the next job to start, unless skipped */
    size_t released;    /* jobs below this one are consumed */
    size_t waiting_for; /* the job the consumer sleeps on, or NOT_WAITING */
    size_t idle;        /* workers asleep on can_start */
    bool stop;
    kl_pool_work_fn fn;
    void *ctx;
    pthread_t *threads;
    size_t n_threads; /* started */
    size_t consumer;  /* the worker index fn gets on the consumer's thread */
};

/* The next job anyone may start, claimed; SIZE_MAX when none is (yet). Locked. */
static size_t claim(kl_pool *pool)
{
    if (pool->next < pool->released)
        pool->next = pool->released;
    while (pool->next < pool->n_jobs && pool->skip != NULL && pool->skip[pool->next])
        pool->next++;
    if (pool->stop || pool->next >= pool->n_jobs || pool->next >= pool->released + pool->window)
        return SIZE_MAX;
    return pool->next++;
}

/* Run `job` (claimed) with the lock released; mark it done. Locked on entry and exit. */
static void run(kl_pool *pool, size_t worker, size_t job)
{
    pthread_mutex_unlock(&pool->lock);
    pool->fn(pool->ctx, worker, job);
    pthread_mutex_lock(&pool->lock);
    pool->done[job] = true;
    if (pool->waiting_for == job)
        pthread_cond_signal(&pool->finished);
}

typedef struct worker_arg {
    kl_pool *pool;
    size_t index;
} worker_arg;

static void *worker_main(void *p)
{
    worker_arg *arg = p;
    kl_pool *pool = arg->pool;
    size_t index = arg->index;
    free(arg);

    pthread_mutex_lock(&pool->lock);
    while (!pool->stop) {
        size_t job = claim(pool);
        if (job != SIZE_MAX) {
            run(pool, index, job);
            continue;
        }
        if (pool->next >= pool->n_jobs)
            break; /* everything is started */
        pool->idle++;
        pthread_cond_wait(&pool->can_start, &pool->lock);
        pool->idle--;
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

static void destroy(kl_pool *pool)
{
    pthread_cond_destroy(&pool->finished);
    pthread_cond_destroy(&pool->can_start);
    pthread_mutex_destroy(&pool->lock);
    free(pool->threads);
    free(pool->done);
    free(pool);
}

int kl_pool_start(kl_pool **out, size_t n_workers, size_t n_jobs, size_t window, const bool *skip,
                  kl_pool_work_fn fn, void *ctx)
{
    *out = NULL;
    kl_pool *pool = calloc(1, sizeof(*pool));
    if (pool == NULL)
        return KL_ENOMEM;
    pool->done = calloc(n_jobs ? n_jobs : 1, sizeof(*pool->done));
    pool->threads = calloc(n_workers ? n_workers : 1, sizeof(*pool->threads));
    int rc = pool->done == NULL || pool->threads == NULL  ? KL_ENOMEM
             : pthread_mutex_init(&pool->lock, NULL) != 0 ? KL_EINTERNAL
                                                          : KL_OK;
    if (rc != KL_OK) {
        free(pool->done);
        free(pool->threads);
        free(pool);
        return rc;
    }
    pthread_cond_init(&pool->can_start, NULL);
    pthread_cond_init(&pool->finished, NULL);
    pool->n_jobs = n_jobs;
    pool->window = window ? window : 1;
    pool->skip = skip;
    pool->waiting_for = NOT_WAITING;
    pool->fn = fn;
    pool->ctx = ctx;
    pool->consumer = n_workers;

    for (size_t i = 0; i < n_workers; i++) {
        worker_arg *arg = malloc(sizeof(*arg));
        if (arg == NULL)
            break;
        arg->pool = pool;
        arg->index = i;
        if (pthread_create(&pool->threads[pool->n_threads], NULL, worker_main, arg) != 0) {
            free(arg);
            break;
        }
        pool->n_threads++;
    }
    if (pool->n_threads == 0) {
        destroy(pool);
        return KL_EINTERNAL;
    }
    *out = pool;
    return KL_OK;
}

bool kl_pool_turn(kl_pool *pool, size_t job)
{
    bool mine = false;
    pthread_mutex_lock(&pool->lock);
    if (pool->next <= job) {
        /* No one has started it: the consumer does it, printing as it goes. */
        pool->next = job + 1;
        mine = true;
    }
    while (!mine && !pool->done[job]) {
        size_t other = claim(pool);
        if (other != SIZE_MAX) {
            run(pool, pool->consumer, other);
            continue;
        }
        pool->waiting_for = job;
        pthread_cond_wait(&pool->finished, &pool->lock);
        pool->waiting_for = NOT_WAITING;
    }
    pthread_mutex_unlock(&pool->lock);
    return mine;
}

void kl_pool_release(kl_pool *pool, size_t job)
{
    pthread_mutex_lock(&pool->lock);
    if (job + 1 > pool->released) {
        pool->released = job + 1;
        /* Wake idle workers once half the window is free, not for every slot: a
         * wake-up per small file would cost more than the file. */
        size_t next = pool->next > pool->released ? pool->next : pool->released;
        if (pool->idle > 0 && (pool->released + pool->window - next >= (pool->window + 1) / 2 ||
                               next >= pool->n_jobs))
            pthread_cond_broadcast(&pool->can_start);
    }
    pthread_mutex_unlock(&pool->lock);
}

void kl_pool_finish(kl_pool *pool)
{
    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stop = true;
    pthread_cond_broadcast(&pool->can_start);
    pthread_mutex_unlock(&pool->lock);
    for (size_t i = 0; i < pool->n_threads; i++)
        pthread_join(pool->threads[i], NULL);
    destroy(pool);
}
