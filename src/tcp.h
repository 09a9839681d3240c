/* TCP-specific operations. */
#ifndef CN_TCP_H
#define CN_TCP_H

#include "handle.h"

/* Flags of bind(), exported to JS. */
#define CN_TCP_IPV6ONLY 1
#define CN_TCP_REUSEPORT 2

int cn_tcp_init(cn_handle *h);
napi_value cn_tcp_bind(napi_env env, napi_callback_info info);
napi_value cn_tcp_connect(napi_env env, napi_callback_info info);
napi_value cn_tcp_set_no_delay(napi_env env, napi_callback_info info);
napi_value cn_tcp_getsockname(napi_env env, napi_callback_info info);
napi_value cn_tcp_getpeername(napi_env env, napi_callback_info info);

#endif
