/* The event loop cnet runs on: the host runtime's libuv loop. */
#ifndef CN_LOOP_H
#define CN_LOOP_H

#include <node_api.h>
#include <uv.h>

/* Returns 0 and sets *loop, or a negative libuv error code. */
int cn_loop_acquire(napi_env env, uv_loop_t **loop);

#endif
