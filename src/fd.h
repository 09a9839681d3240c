/* Descriptors opened elsewhere: what kind they are, and adopting one into a handle. */
#ifndef CN_FD_H
#define CN_FD_H

#include "handle.h"

/* guessHandleType(fd) -> 'TCP', 'PIPE', 'TTY', 'UDP', 'FILE' or 'UNKNOWN' (Node's names). */
napi_value cn_fd_guess_type(napi_env env, napi_callback_info info);

/* handle.open(fd): the handle takes over fd (a TCP socket, or a Unix socket or pipe). */
napi_value cn_fd_open(napi_env env, napi_callback_info info);

/* dupDescriptor(fd) -> a new descriptor for the same open socket, or a negative libuv error. */
napi_value cn_fd_dup(napi_env env, napi_callback_info info);

#endif
