/* libuv error codes and address helpers exposed to JS; JS builds Node-style errors. */
#ifndef CN_ERRORS_H
#define CN_ERRORS_H

#include <node_api.h>

napi_status cn_errors_export(napi_env env, napi_value exports);

#endif
