#include "loop.h"

int cn_loop_acquire(napi_env env, uv_loop_t **loop) {
  if (napi_get_uv_event_loop(env, loop) != napi_ok || *loop == NULL)
    return UV_ENOSYS;
  return 0;
}
