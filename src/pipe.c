#include "pipe.h"
#include "napi_util.h"
#include "stream.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int cn_pipe_init(cn_handle *h) {
  return cn_uv.pipe_init(h->cenv->loop, &h->uv.pipe, 0);
}

static cn_handle *cn_pipe_from_call(cn_call *c) {
  return c->h && c->h->kind == CN_KIND_PIPE ? c->h : NULL;
}

/* The path argument (which may hold NUL bytes: '\0name' is a Linux abstract
 * name) and the flags of its bind or connect: UV_PIPE_NO_TRUNCATE or 0. A
 * path longer than the buffer is refused, or (to be truncated) cut to it:
 * either way far beyond sun_path, so libuv decides as for any long path. */
static int cn_pipe_path_arg(cn_call *c, char *path, size_t size, size_t *len, unsigned int *flags) {
  bool truncate = false;
  size_t full;
  if (c->argc < 2 || napi_get_value_bool(c->env, c->argv[1], &truncate) != napi_ok ||
      napi_get_value_string_utf8(c->env, c->argv[0], NULL, 0, &full) != napi_ok)
    return UV_EINVAL;
  *flags = truncate ? 0 : UV_PIPE_NO_TRUNCATE;
  if (full + 1 > size && !truncate) return UV_EINVAL;
  return napi_get_value_string_utf8(c->env, c->argv[0], path, size, len) == napi_ok ? 0 : UV_EINVAL;
}

/* A libuv older than 1.46 (a private libuv.so.1) takes names as C strings of
 * at most sizeof sun_path - 1 bytes, so cannot reach an abstract name or use
 * all of sun_path; those names get a socket made here. */
static int cn_pipe_addr(const char *path, size_t len, struct sockaddr_un *addr, socklen_t *addrlen) {
  if (len > sizeof addr->sun_path) return UV_EINVAL;
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  memcpy(addr->sun_path, path, len);
  *addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
  return 0;
}

/* A new socket for the handle; with `connect_to`, connected to the address
 * (at once: Unix sockets do not wait), else bound to it, a socket file then
 * being the handle's to remove when it closes, as libuv does with its own. */
static int cn_pipe_open_by_hand(cn_handle *h, const char *path, size_t len, int connect_to) {
  struct sockaddr_un addr;
  socklen_t addrlen;
  int fd, err;
  if ((err = cn_pipe_addr(path, len, &addr, &addrlen)) != 0) return err;
  if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) return -errno;
  if ((err = cn_uv.pipe_open(&h->uv.pipe, fd)) != 0) {
    close(fd);
    return err;
  }
  /* From here the handle owns fd and closes it. */
  if (connect_to) {
    do err = connect(fd, (struct sockaddr *)&addr, addrlen);
    while (err != 0 && errno == EINTR);
    return err == 0 ? 0 : -errno;
  }
  if (bind(fd, (struct sockaddr *)&addr, addrlen) != 0) return -errno;
  if (path[0] != '\0' && (h->bound_path = strndup(path, len)) == NULL) return UV_ENOMEM;
  return 0;
}

/* For a libuv without names with a length: an error, 1 for a name to handle
 * by hand (cn_pipe_open_by_hand), 0 for one libuv takes. */
static int cn_pipe_without_length(size_t len, unsigned int flags, const char *path) {
  const size_t sun_path_size = sizeof(((struct sockaddr_un *)0)->sun_path);
  if (len == 0) return UV_EINVAL;
  if ((flags & UV_PIPE_NO_TRUNCATE) && len > sun_path_size) return UV_EINVAL;
  return path[0] == '\0' || len == sun_path_size ? 1 : 0;
}

/* bindPath(path, truncate) */
napi_value cn_pipe_bind(napi_env env, napi_callback_info info) {
  cn_call c;
  char path[4096];
  size_t len;
  unsigned int flags;
  cn_handle *h;
  int err;
  cn_call_init(env, info, &c);
  if ((h = cn_pipe_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  if ((err = cn_pipe_path_arg(&c, path, sizeof path, &len, &flags)) != 0) return cn_int(env, err);
  if (cn_uv.pipe_bind2) return cn_int(env, cn_uv.pipe_bind2(&h->uv.pipe, path, len, flags));
  if ((err = cn_pipe_without_length(len, flags, path)) < 0) return cn_int(env, err);
  if (err == 1) return cn_int(env, cn_pipe_open_by_hand(h, path, len, 0));
  return cn_int(env, cn_uv.pipe_bind(&h->uv.pipe, path));
}

/* connectPath(path, truncate) -> 0 when CN_ON_CONNECT will follow; an error
 * number when the connect could not start; [status] when it finished at once. */
napi_value cn_pipe_connect(napi_env env, napi_callback_info info) {
  cn_call c;
  char path[4096];
  size_t len;
  unsigned int flags;
  cn_handle *h;
  napi_value done;
  int err;
  cn_call_init(env, info, &c);
  if ((h = cn_pipe_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  if ((err = cn_pipe_path_arg(&c, path, sizeof path, &len, &flags)) != 0) return cn_int(env, err);
  if (h->connecting) return cn_int(env, UV_EALREADY);
  h->connect_req.data = h;
  if (cn_uv.pipe_connect2) {
    err = cn_uv.pipe_connect2(&h->connect_req, &h->uv.pipe, path, len, flags, cn_stream_after_connect);
    if (err == 0) h->connecting = 1;
    return cn_synced(h, err);
  }
  if ((err = cn_pipe_without_length(len, flags, path)) < 0) return cn_int(env, err);
  if (err == 1) {
    err = cn_pipe_open_by_hand(h, path, len, 1);
    if (napi_create_array_with_length(env, 1, &done) != napi_ok ||
        napi_set_element(env, done, 0, cn_int(env, err)) != napi_ok)
      return NULL;
    cn_loop_sync(h->cenv->driver);
    return done;
  }
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
  if (c.argc >= 1 && napi_get_value_int32(env, c.argv[0], &mode) != napi_ok) return cn_int(env, UV_EINVAL);
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
  if (napi_create_string_utf8(env, path, len, &v) != napi_ok) return cn_int(env, UV_ENOMEM);
  return v;
}

napi_value cn_pipe_getsockname(napi_env env, napi_callback_info info) {
  return cn_pipe_name(env, info, cn_uv.pipe_getsockname);
}

napi_value cn_pipe_getpeername(napi_env env, napi_callback_info info) {
  return cn_pipe_name(env, info, cn_uv.pipe_getpeername);
}
