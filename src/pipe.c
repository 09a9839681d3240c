#include "pipe.h"
#include "napi_util.h"
#include "stream.h"

#include <stdlib.h>

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

/* chmod(mode) with UV_READABLE / UV_WRITABLE bits. */
napi_value cn_pipe_chmod(napi_env env, napi_callback_info info) {
  cn_call c;
  int32_t mode = 0;
  cn_handle *h;
  cn_call_init(env, info, &c);
  if ((h = cn_pipe_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  if (c.argc >= 1) napi_get_value_int32(env, c.argv[0], &mode);
  return cn_int(env, cn_uv.pipe_chmod(&h->uv.pipe, mode));
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
