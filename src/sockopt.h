/* Socket options libuv has no portable call for (or none in every libuv cnet
 * runs on): keep-alive timers and the type of service, set on the descriptor. */
#ifndef CN_SOCKOPT_H
#define CN_SOCKOPT_H

#include "handle.h"

/* The keep-alive libuv gives a socket created after uv_tcp_keepalive(on) was
 * called without one: its hard-coded 60 s idle time, 1 s interval, 10 probes. */
int cn_sockopt_apply_keepalive_on_open(cn_handle *h);

napi_value cn_sockopt_set_keep_alive(napi_env env, napi_callback_info info);
napi_value cn_sockopt_set_type_of_service(napi_env env, napi_callback_info info);
napi_value cn_sockopt_get_type_of_service(napi_env env, napi_callback_info info);
napi_value cn_sockopt_read(napi_env env, napi_callback_info info);

#endif
