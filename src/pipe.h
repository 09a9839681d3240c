/* Unix-domain socket (IPC) specific operations. */
#ifndef CN_PIPE_H
#define CN_PIPE_H

#include "handle.h"

int cn_pipe_init(cn_handle *h);
napi_value cn_pipe_bind(napi_env env, napi_callback_info info);
napi_value cn_pipe_connect(napi_env env, napi_callback_info info);
napi_value cn_pipe_chmod(napi_env env, napi_callback_info info);
napi_value cn_pipe_getsockname(napi_env env, napi_callback_info info);
napi_value cn_pipe_getpeername(napi_env env, napi_callback_info info);

#endif
