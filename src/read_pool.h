/*
 * Memory that read data is handed to JS in. Small reads are copied into a
 * shared 64 KiB ArrayBuffer and JS makes each chunk a Buffer view of its
 * slice (as Buffer.allocUnsafe pools small buffers); creating a view in JS
 * costs far less than creating a Buffer from C for every read.
 */
#ifndef CN_READ_POOL_H
#define CN_READ_POOL_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#define CN_READ_POOL_SIZE 65536
/* Larger reads get a Buffer of their own: a chunk never pins a pool it barely uses. */
#define CN_READ_POOL_MAX_CHUNK 8192

typedef struct cn_read_pool {
  napi_ref pool;      /* the current pool ArrayBuffer, or NULL */
  char *data;
  size_t used;
  napi_ref state_ref; /* the ArrayBuffer behind `state` */
  int32_t *state;     /* [nread, offset] of the read being delivered */
  napi_ref target_ref; /* a Buffer of CN_READ_TARGET_SIZE that reads land in, or NULL */
  char *target;
} cn_read_pool;

/* Reads land in a Buffer that a read filling it is handed to JS in as it is
 * (no copy); other reads are copied out of it and it is reused. */
#define CN_READ_TARGET_SIZE 65536

/* Where the next read should land: the read target, or NULL when there is
 * none (making a new one failed), for the caller's own memory. */
char *cn_read_pool_target(const cn_read_pool *rp);

/* The read state's slots: a read's result and where its bytes start in the
 * pool (-1: in no pool). JS reads them off an Int32Array over the same memory
 * instead of receiving them as two arguments made per read. */
enum { CN_READ_STATE_NREAD, CN_READ_STATE_OFFSET, CN_READ_STATE_SLOTS };

/* Creates the read state and the first read target; *array_buffer is the
 * state's memory, for JS to view. */
int cn_read_pool_init(napi_env env, cn_read_pool *rp, napi_value *array_buffer);

/*
 * Hands n read bytes to JS: at *offset of either the pool JS already holds
 * or, when set, *new_pool (an ArrayBuffer JS keeps from then on), or in *own
 * (a Buffer of its own: the read target itself when the read filled it, with
 * a new target made for the next read, else a copy). Handing the pool over
 * only when it changes saves a reference lookup per read.
 */
int cn_read_pool_take(napi_env env, cn_read_pool *rp, const char *bytes, size_t n,
                      napi_value *new_pool, napi_value *own, uint32_t *offset);

/* Lets go of the current pool (a new one is made on the next read). */
void cn_read_pool_release(napi_env env, cn_read_pool *rp);

/* Lets go of the pool, the read state and the target, at env teardown. */
void cn_read_pool_free(napi_env env, cn_read_pool *rp);

#endif
