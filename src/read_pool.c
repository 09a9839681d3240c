#include "read_pool.h"

#include <string.h>

/* Chunks start 8-byte aligned so callers can lay typed arrays over them. */
static size_t cn_read_pool_align(size_t n) {
  return (n + 7) & ~(size_t)7;
}

static int cn_read_pool_renew(napi_env env, cn_read_pool *rp, napi_value *array_buffer) {
  void *data;
  if (napi_create_arraybuffer(env, CN_READ_POOL_SIZE, &data, array_buffer) != napi_ok) return -1;
  cn_read_pool_release(env, rp);
  if (napi_create_reference(env, *array_buffer, 1, &rp->pool) != napi_ok) return -1;
  rp->data = data;
  rp->used = 0;
  return 0;
}

/* A Buffer made as a copy: unlike a new ArrayBuffer it is not zero-filled
 * first, which for 64 KiB reads cost more than the copy itself. */
static int cn_read_pool_own(napi_env env, const char *bytes, size_t n, napi_value *buffer) {
  void *data;
  return napi_create_buffer_copy(env, n, bytes, &data, buffer) == napi_ok ? 0 : -1;
}

/* A new read target; without one reads land in the caller's memory. */
static void cn_read_pool_new_target(napi_env env, cn_read_pool *rp) {
  napi_value buffer;
  void *data;
  rp->target = NULL;
  rp->target_ref = NULL;
  if (napi_create_buffer(env, CN_READ_TARGET_SIZE, &data, &buffer) != napi_ok) return;
  if (napi_create_reference(env, buffer, 1, &rp->target_ref) != napi_ok) return;
  rp->target = data;
}

char *cn_read_pool_target(const cn_read_pool *rp) {
  return rp->target;
}

/* The target with a large read in it goes to JS whole; reads from then on
 * land in a new one. */
static int cn_read_pool_hand_over_target(napi_env env, cn_read_pool *rp, napi_value *own) {
  if (napi_get_reference_value(env, rp->target_ref, own) != napi_ok || *own == NULL) return -1;
  napi_delete_reference(env, rp->target_ref);
  cn_read_pool_new_target(env, rp);
  return 0;
}

int cn_read_pool_take(napi_env env, cn_read_pool *rp, const char *bytes, size_t n,
                      napi_value *new_pool, napi_value *own, uint32_t *offset) {
  *new_pool = NULL;
  *own = NULL;
  /* A target that could not be made is tried again; reads meanwhile land in
   * the caller's memory. */
  if (rp->target == NULL) cn_read_pool_new_target(env, rp);
  if (n > CN_READ_POOL_MAX_CHUNK) {
    *offset = 0;
    /* Only a full target: the chunk is then the whole Buffer, so its
     * ArrayBuffer shows no bytes the read did not write. */
    if (bytes == rp->target && n == CN_READ_TARGET_SIZE && cn_read_pool_hand_over_target(env, rp, own) == 0)
      return 0;
    return cn_read_pool_own(env, bytes, n, own);
  }
  if (rp->pool == NULL || rp->used + n > CN_READ_POOL_SIZE) {
    if (cn_read_pool_renew(env, rp, new_pool) != 0) return -1;
  }
  memcpy(rp->data + rp->used, bytes, n);
  *offset = (uint32_t)rp->used;
  rp->used = cn_read_pool_align(rp->used + n);
  return 0;
}

void cn_read_pool_release(napi_env env, cn_read_pool *rp) {
  if (rp->pool != NULL) napi_delete_reference(env, rp->pool);
  rp->pool = NULL;
  rp->data = NULL;
  rp->used = 0;
}

int cn_read_pool_init(napi_env env, cn_read_pool *rp, napi_value *array_buffer) {
  void *data;
  if (napi_create_arraybuffer(env, CN_READ_STATE_SLOTS * sizeof(int32_t), &data, array_buffer) != napi_ok ||
      napi_create_reference(env, *array_buffer, 1, &rp->state_ref) != napi_ok)
    return -1;
  rp->state = data;
  cn_read_pool_new_target(env, rp);
  return 0;
}

void cn_read_pool_free(napi_env env, cn_read_pool *rp) {
  cn_read_pool_release(env, rp);
  if (rp->state_ref != NULL) napi_delete_reference(env, rp->state_ref);
  if (rp->target_ref != NULL) napi_delete_reference(env, rp->target_ref);
  rp->state_ref = NULL;
  rp->state = NULL;
  rp->target_ref = NULL;
  rp->target = NULL;
}
