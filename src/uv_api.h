/*
 * The libuv functions cnet calls, as tables filled at run time.
 *
 * cn_uv: what the socket code calls. On Node they are the host's own exports.
 * On a host whose libuv lacks networking (Bun, Deno), they come from a private
 * libuv loaded at run time (loop.c decides). Socket code calls cn_uv.<name>()
 * and never knows which.
 *
 * cn_uv_host: the few functions loop.c calls on the HOST loop to drive a
 * private one (async wake-ups, ref/unref, close, prepare).
 *
 * Both are looked up with dlsym(), never linked: a host that lacks a libuv
 * function (Deno has no uv_shutdown, no uv_prepare_*) still loads the addon.
 */
#ifndef CN_UV_API_H
#define CN_UV_API_H

#include <uv.h>

#define CN_UV_FUNCTIONS(X)                                                                   \
  X(int, accept, (uv_stream_t *, uv_stream_t *))                                             \
  X(int, async_init, (uv_loop_t *, uv_async_t *, uv_async_cb))                               \
  X(void, close, (uv_handle_t *, uv_close_cb))                                               \
  X(const char *, err_name, (int))                                                           \
  X(const char *, strerror, (int))                                                           \
  X(int, fileno, (const uv_handle_t *, uv_os_fd_t *))                                        \
  X(uv_handle_type, guess_handle, (uv_file))                                                 \
  X(int, has_ref, (const uv_handle_t *))                                                     \
  X(void, ref, (uv_handle_t *))                                                              \
  X(void, unref, (uv_handle_t *))                                                            \
  X(int, inet_pton, (int, const char *, void *))                                             \
  X(int, ip4_addr, (const char *, int, struct sockaddr_in *))                                \
  X(int, ip6_addr, (const char *, int, struct sockaddr_in6 *))                               \
  X(int, ip4_name, (const struct sockaddr_in *, char *, size_t))                             \
  X(int, ip6_name, (const struct sockaddr_in6 *, char *, size_t))                            \
  X(int, listen, (uv_stream_t *, int, uv_connection_cb))                                     \
  X(int, read_start, (uv_stream_t *, uv_alloc_cb, uv_read_cb))                               \
  X(int, read_stop, (uv_stream_t *))                                                         \
  X(int, try_write, (uv_stream_t *, const uv_buf_t[], unsigned int))                         \
  X(int, write, (uv_write_t *, uv_stream_t *, const uv_buf_t[], unsigned int, uv_write_cb))  \
  X(int, shutdown, (uv_shutdown_t *, uv_stream_t *, uv_shutdown_cb))                         \
  X(int, tcp_init, (uv_loop_t *, uv_tcp_t *))                                                \
  X(int, tcp_open, (uv_tcp_t *, uv_os_sock_t))                                               \
  X(int, tcp_bind, (uv_tcp_t *, const struct sockaddr *, unsigned int))                      \
  X(int, tcp_connect, (uv_connect_t *, uv_tcp_t *, const struct sockaddr *, uv_connect_cb))  \
  X(int, tcp_nodelay, (uv_tcp_t *, int))                                                     \
  X(int, tcp_keepalive, (uv_tcp_t *, int, unsigned int))                                     \
  X(int, tcp_getsockname, (const uv_tcp_t *, struct sockaddr *, int *))                      \
  X(int, tcp_getpeername, (const uv_tcp_t *, struct sockaddr *, int *))                      \
  X(int, tcp_close_reset, (uv_tcp_t *, uv_close_cb))                                         \
  X(int, pipe_init, (uv_loop_t *, uv_pipe_t *, int))                                         \
  X(int, pipe_open, (uv_pipe_t *, uv_file))                                                  \
  X(int, pipe_bind, (uv_pipe_t *, const char *))                                             \
  X(void, pipe_connect, (uv_connect_t *, uv_pipe_t *, const char *, uv_connect_cb))          \
  X(int, pipe_chmod, (uv_pipe_t *, int))                                                     \
  X(int, pipe_getsockname, (const uv_pipe_t *, char *, size_t *))                            \
  X(int, pipe_getpeername, (const uv_pipe_t *, char *, size_t *))                            \
  X(int, loop_init, (uv_loop_t *))                                                           \
  X(int, loop_close, (uv_loop_t *))                                                          \
  X(int, loop_alive, (const uv_loop_t *))                                                    \
  X(int, run, (uv_loop_t *, uv_run_mode))                                                    \
  X(int, backend_fd, (const uv_loop_t *))                                                    \
  X(int, backend_timeout, (const uv_loop_t *))                                               \
  X(unsigned int, version, (void))

/* Functions a private libuv.so.1 may lack (NULL then): names with a length
 * (abstract sockets, no truncation) came in libuv 1.46. */
#define CN_UV_OPTIONAL_FUNCTIONS(X)                                                          \
  X(int, pipe_bind2, (uv_pipe_t *, const char *, size_t, unsigned int))                      \
  X(int, pipe_connect2, (uv_connect_t *, uv_pipe_t *, const char *, size_t, unsigned int,    \
                         uv_connect_cb))

#define CN_UV_FIELD(ret, name, params) ret(*name) params;
typedef struct {
  CN_UV_FUNCTIONS(CN_UV_FIELD)
  CN_UV_OPTIONAL_FUNCTIONS(CN_UV_FIELD)
} cn_uv_api;
#undef CN_UV_FIELD

extern cn_uv_api cn_uv;

/* prepare_* may be NULL: Deno's Node-API host has no prepare handles. */
#define CN_UV_HOST_FUNCTIONS(X)                                                              \
  X(int, async_init, (uv_loop_t *, uv_async_t *, uv_async_cb))                               \
  X(int, async_send, (uv_async_t *))                                                         \
  X(void, close, (uv_handle_t *, uv_close_cb))                                               \
  X(void, ref, (uv_handle_t *))                                                              \
  X(void, unref, (uv_handle_t *))                                                            \
  X(int, prepare_init, (uv_loop_t *, uv_prepare_t *))                                        \
  X(int, prepare_start, (uv_prepare_t *, uv_prepare_cb))                                      \
  X(int, prepare_stop, (uv_prepare_t *))                                                      \
  X(int, check_init, (uv_loop_t *, uv_check_t *))                                            \
  X(int, check_start, (uv_check_t *, uv_check_cb))                                            \
  X(int, check_stop, (uv_check_t *))

#define CN_UV_FIELD(ret, name, params) ret(*name) params;
typedef struct {
  CN_UV_HOST_FUNCTIONS(CN_UV_FIELD)
} cn_uv_host_api;
#undef CN_UV_FIELD

extern cn_uv_host_api cn_uv_host;

/* Fills cn_uv with the host process's libuv; returns 0 or -1 with *error set
 * when the host lacks one of the functions. */
int cn_uv_use_host(const char **error);

/* Fills cn_uv_host, the functions cnet calls on the host's own loop; returns
 * 0 or -1 with *error set when the host lacks the async, ref or close
 * functions. Prepare and check handles are optional (NULL where missing). */
int cn_uv_use_host_loop(const char **error);

/* Fills cn_uv from a private copy of libuv; returns 0 or -1 with *error set. */
int cn_uv_use_private(const char **error);

static inline uv_buf_t cn_buf(char *base, size_t len) {
  uv_buf_t buf;
  buf.base = base;
  buf.len = len;
  return buf;
}

#endif
