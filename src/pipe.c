#include "pipe.h"
#include "napi_util.h"
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

int cn_pipe_init(cn_handle *h) {
  return cn_uv.pipe_init(h->cenv->loop, &h->uv.pipe, 0);
}

static cn_handle *cn_pipe_from_call(cn_call *c) {
  return c->h && c->h->kind == CN_KIND_PIPE ? c->h : NULL;
}

/* Copies the path argument; sun_path is far shorter than this buffer. */
static int cn_pipe_path_arg(cn_call *c, char *path, size_t size) {
  size_t len;
  if (c->argc < 1 || napi_get_value_string_utf8(c->env, c->argv[0], path, size, &len) != napi_ok)
    return UV_EINVAL;
  return len + 1 >= size ? UV_ENAMETOOLONG : 0;
}

napi_value cn_pipe_bind(napi_env env, napi_callback_info info) {
  cn_call c;
  char path[4096];
  cn_handle *h;
  int err;
  cn_call_init(env, info, &c);
  if ((h = cn_pipe_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  if ((err = cn_pipe_path_arg(&c, path, sizeof path)) != 0) return cn_int(env, err);
  return cn_int(env, cn_uv.pipe_bind(&h->uv.pipe, path));
}

/* connectPath(path): errors, even synchronous ones, arrive via CN_ON_CONNECT. */
napi_value cn_pipe_connect(napi_env env, napi_callback_info info) {
  cn_call c;
  char path[4096];
  cn_handle *h;
  int err;
  cn_call_init(env, info, &c);
  if ((h = cn_pipe_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  if ((err = cn_pipe_path_arg(&c, path, sizeof path)) != 0) return cn_int(env, err);
  if (h->connecting) return cn_int(env, UV_EALREADY);
  h->connect_req.data = h;
  h->connecting = 1;
  cn_uv.pipe_connect(&h->connect_req, &h->uv.pipe, path, cn_stream_after_connect);
  return cn_synced(h, 0);
}

/* The socket file gets exactly these permissions, as recent libuv (Node 24's) does;
 * older libuv (Debian's, also a private libuv.so.1 on Bun) adds them to its mode. */
static int cn_pipe_chmod_exact(cn_handle *h, int mode) {
  char path[4096];
  size_t len = sizeof path;
  mode_t desired = 0;
  int err;
  if (mode == 0 || (mode & ~(UV_READABLE | UV_WRITABLE)) != 0) return UV_EINVAL;
  if (mode & UV_READABLE) desired |= S_IRUSR | S_IRGRP | S_IROTH;
  if (mode & UV_WRITABLE) desired |= S_IWUSR | S_IWGRP | S_IWOTH;
  if ((err = cn_uv.pipe_getsockname(&h->uv.pipe, path, &len)) != 0) return err;
  if (len == 0 || path[0] == '\0') return UV_EINVAL;  /* abstract or unbound: no file */
  return chmod(path, desired) == 0 ? 0 : -errno;
}

/* chmod(mode) with UV_READABLE / UV_WRITABLE bits. */
napi_value cn_pipe_chmod(napi_env env, napi_callback_info info) {
  cn_call c;
  int32_t mode = 0;
  cn_handle *h;
  cn_call_init(env, info, &c);
  if ((h = cn_pipe_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  if (c.argc >= 1) napi_get_value_int32(env, c.argv[0], &mode);
  /* On Node, the host's libuv: whatever built-in net on that Node does. On a
   * private loop (Bun) there is no such reference: Node 24's behaviour. */
  if (h->cenv->driver == NULL) return cn_int(env, cn_uv.pipe_chmod(&h->uv.pipe, mode));
  return cn_int(env, cn_pipe_chmod_exact(h, mode));
}

typedef int (*cn_pipe_name_fn)(const uv_pipe_t *, char *, size_t *);

static napi_value cn_pipe_name(napi_env env, napi_callback_info info, cn_pipe_name_fn fn) {
  cn_call c;
  char path[4096];
  size_t len = sizeof path;
  cn_handle *h;
  napi_value v;
  int err;
  cn_call_init(env, info, &c);
  if ((h = cn_pipe_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  if ((err = fn(&h->uv.pipe, path, &len)) != 0) return cn_int(env, err);
  napi_create_string_utf8(env, path, len, &v);
  return v;
}

napi_value cn_pipe_getsockname(napi_env env, napi_callback_info info) {
  return cn_pipe_name(env, info, cn_uv.pipe_getsockname);
}

napi_value cn_pipe_getpeername(napi_env env, napi_callback_info info) {
  return cn_pipe_name(env, info, cn_uv.pipe_getpeername);
}
