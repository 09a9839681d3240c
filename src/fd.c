#include "fd.h"
#include "napi_util.h"

#include <errno.h>
#include <fcntl.h>

static const char *cn_fd_type_name(uv_handle_type type) {
  switch (type) {
    case UV_TCP: return "TCP";
    case UV_NAMED_PIPE: return "PIPE";
    case UV_TTY: return "TTY";
    case UV_UDP: return "UDP";
    case UV_FILE: return "FILE";
    default: return "UNKNOWN";
  }
}

napi_value cn_fd_guess_type(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0)
    return cn_string(env, "UNKNOWN");
  return cn_string(env, cn_fd_type_name(cn_uv.guess_handle(fd)));
}

/* libuv refuses (UV_EEXIST) a descriptor its loop already watches for another handle. */
napi_value cn_fd_open(napi_env env, napi_callback_info info) {
  cn_call c;
  int32_t fd = -1;
  int err;
  cn_call_init(env, info, &c);
  if (c.h == NULL) return cn_int(env, UV_EBADF);
  if (c.argc < 1 || napi_get_value_int32(env, c.argv[0], &fd) != napi_ok || fd < 0)
    return cn_int(env, UV_EINVAL);
  if (c.h->kind == CN_KIND_TCP) err = cn_uv.tcp_open(&c.h->uv.tcp, fd);
  else err = cn_uv.pipe_open(&c.h->uv.pipe, fd);
  return cn_synced(c.h, err);
}

/* dupDescriptor(fd) -> a second descriptor for the same socket (close-on-exec),
 * or a negative libuv error (on Unix libuv's errors are negated errno values).
 * A cluster worker takes over the sockets Node's cluster hands it this way and
 * closes the built-in handle they came in. */
napi_value cn_fd_dup(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  int32_t fd = -1;
  int copy;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0)
    return cn_int(env, UV_EINVAL);
  copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  return cn_int(env, copy < 0 ? -errno : copy);
}
