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
/* Larger reads get an ArrayBuffer of their own: a chunk never pins a pool it barely uses. */
#define CN_READ_POOL_MAX_CHUNK 8192

typedef struct cn_read_pool {
  napi_ref pool;      /* the current pool ArrayBuffer, or NULL */
  char *data;
  size_t used;
  napi_ref state_ref; /* the ArrayBuffer behind `state` */
  int32_t *state;     /* [nread, offset] of the read being delivered */
} cn_read_pool;

/* The read state's slots: a read's result and where its bytes start in the
 * pool (-1: in no pool). JS reads them off an Int32Array over the same memory
 * instead of receiving them as two arguments made per read. */
enum { CN_READ_STATE_NREAD, CN_READ_STATE_OFFSET, CN_READ_STATE_SLOTS };

/* Creates the read state; *array_buffer is its memory, for JS to view. */
int cn_read_pool_init_state(napi_env env, cn_read_pool *rp, napi_value *array_buffer);

/*
 * Copies n bytes into JS memory at *offset of either the pool JS already holds
 * or, when set, *new_pool (which JS keeps from then on) or *own (a buffer for
 * this read alone). Handing the pool over only when it changes saves a
 * reference lookup per read.
 */
int cn_read_pool_copy(napi_env env, cn_read_pool *rp, const char *bytes, size_t n,
                      napi_value *new_pool, napi_value *own, uint32_t *offset);

/* Lets go of the current pool (a new one is made on the next read). */
void cn_read_pool_release(napi_env env, cn_read_pool *rp);

/* Lets go of the pool and the read state, at env teardown. */
void cn_read_pool_free(napi_env env, cn_read_pool *rp);

#endif
