#include "stream.h"
#include "coalesce.h"
#include "tls.h"
#include "napi_util.h"

#include <stdlib.h>
#include <string.h>

/* Who waits for a queued write: a JS write (onwrite(status)); the rest of a
 * coalesced batch, whose write() calls returned (a failure is the socket's
 * error); or TLS records no JS write waits for (handshake, tickets, alerts),
 * whose failure because the peer has gone the runtime's TLS does not report
 * either: the read side then sees the connection end. */
enum { CN_WRITE_JS = 0, CN_WRITE_BATCH = 1, CN_WRITE_TLS_RECORDS = 2 };

/* A write libuv could not finish at once; keeps the JS data alive until done. */
typedef struct {
  uv_write_t req;
  cn_handle *h;
  napi_ref data;      /* the Buffer or array of Buffers being written */
  char *owned;        /* copy of a string's bytes, or NULL */
  int batch;          /* who waits: CN_WRITE_JS, CN_WRITE_BATCH or CN_WRITE_TLS_RECORDS */
} cn_write_req;

static void cn_stream_alloc(uv_handle_t *uvh, size_t suggested, uv_buf_t *buf) {
  cn_handle *h = uvh->data;
  char *target = cn_read_pool_target(&h->cenv->read_pool);
  /* Encrypted bytes are copied into OpenSSL at once: the shared buffer does. */
  if (h->tls != NULL) *buf = cn_buf(h->cenv->read_buffer, CN_READ_BUFFER_SIZE);
  else if (h->user_buffer != NULL) *buf = cn_buf(h->user_buffer, h->user_buffer_len);
  else if (target != NULL) *buf = cn_buf(target, CN_READ_TARGET_SIZE);
  else *buf = cn_buf(h->cenv->read_buffer, CN_READ_BUFFER_SIZE);
}

/*
 * Calls onread(newPool?, own?) with the read's result and pool offset in the
 * read state (read_pool.h): the offset is -1 when there are no pooled bytes
 * to take (an error, a read of its own, or bytes in the `onread` buffer).
 */
void cn_stream_deliver(cn_handle *h, ssize_t nread, const char *bytes) {
  napi_env env = h->cenv->env;
  cn_read_pool *rp = &h->cenv->read_pool;
  napi_handle_scope scope;
  napi_value argv[2]; /* newPool, own */
  size_t argc = 0;
  uint32_t offset;

  if (nread == 0 || h->cenv->tearing_down) return;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  rp->state[CN_READ_STATE_OFFSET] = -1;
  if (nread > 0 && (h->user_buffer == NULL || h->tls != NULL)) {
    if (cn_read_pool_take(env, rp, bytes, (size_t)nread, &argv[0], &argv[1], &offset) != 0) {
      nread = UV_ENOMEM;
    } else if (argv[1] != NULL) {
      /* Bytes of their own: onread(undefined, own). */
      if (napi_get_undefined(env, &argv[0]) != napi_ok) nread = UV_ENOMEM;
      else argc = 2;
    } else {
      rp->state[CN_READ_STATE_OFFSET] = (int32_t)offset;
      if (argv[0] != NULL) argc = 1;
    }
  }
  rp->state[CN_READ_STATE_NREAD] = (int32_t)nread;
  /* A new pool JS never got must not be written to as if it had. */
  if (cn_handle_emit(h, CN_ON_READ, argc, argv) != 0 && argc == 1) {
    cn_read_pool_release(env, rp);
  }
  napi_close_handle_scope(env, scope);
}

static void cn_stream_on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  cn_handle *h = stream->data;
  if (nread == 0 || h->cenv->tearing_down) return;
  if (h->tls != NULL) cn_tls_on_read(h, nread, buf);
  else cn_stream_deliver(h, nread, buf->base);
}

/* Starting an already reading stream is not an error (libuv says EALREADY). */
int cn_stream_read_start_socket(cn_handle *h) {
  int err = cn_uv.read_start(&h->uv.stream, cn_stream_alloc, cn_stream_on_read);
  return err == UV_EALREADY ? 0 : err;
}

napi_value cn_stream_read_start(napi_env env, napi_callback_info info) {
  cn_call c;
  cn_call_init(env, info, &c);
  if (c.h == NULL) return cn_int(env, UV_EBADF);
  return cn_synced(c.h, c.h->tls != NULL ? cn_tls_read_start(c.h) : cn_stream_read_start_socket(c.h));
}

/* useUserBuffer(uint8array): later reads go straight into it (the `onread` option). */
napi_value cn_stream_use_user_buffer(napi_env env, napi_callback_info info) {
  cn_call c;
  void *data;
  size_t length;
  napi_typedarray_type type;
  napi_ref ref;
  cn_call_init(env, info, &c);
  if (c.h == NULL) return cn_int(env, UV_EBADF);
  if (c.argc < 1 || napi_get_typedarray_info(env, c.argv[0], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    return cn_int(env, UV_EINVAL);
  }
  /* The new buffer is pinned before the old one is let go: libuv reads into it. */
  if (napi_create_reference(env, c.argv[0], 1, &ref) != napi_ok) return cn_int(env, UV_ENOMEM);
  if (c.h->user_buffer_ref) napi_delete_reference(env, c.h->user_buffer_ref);
  c.h->user_buffer_ref = ref;
  c.h->user_buffer = data;
  c.h->user_buffer_len = length;
  return cn_int(env, 0);
}

napi_value cn_stream_read_stop(napi_env env, napi_callback_info info) {
  cn_call c;
  cn_call_init(env, info, &c);
  if (c.h == NULL) return cn_int(env, UV_EBADF);
  return cn_synced(c.h, c.h->tls != NULL ? cn_tls_read_stop(c.h) : cn_uv.read_stop(&c.h->uv.stream));
}

int cn_stream_peer_gone(int status) {
  return status == UV_ECANCELED || status == UV_EPIPE || status == UV_ECONNRESET || status == UV_ENOTCONN;
}

void cn_stream_report_batch_error(cn_handle *h, int status) {
  napi_env env = h->cenv->env;
  napi_handle_scope scope;
  napi_value argv[2];
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  argv[0] = cn_int(env, status);
  argv[1] = cn_bool(env, 1);
  cn_handle_emit(h, CN_ON_WRITE, 2, argv);
  napi_close_handle_scope(env, scope);
}

static void cn_stream_after_write(uv_write_t *req, int status) {
  cn_write_req *wr = (cn_write_req *)req;
  cn_handle *h = wr->h;
  int batch = wr->batch;

  if (wr->data) napi_delete_reference(h->cenv->env, wr->data);
  free(wr->owned);
  free(wr);
  if (batch == CN_WRITE_JS) cn_handle_emit_status(h, CN_ON_WRITE, status);
  else if (batch == CN_WRITE_BATCH && status < 0 && status != UV_ECANCELED) cn_stream_report_batch_error(h, status);
  else if (batch == CN_WRITE_TLS_RECORDS && status < 0 && !cn_stream_peer_gone(status)) cn_stream_report_batch_error(h, status);
}

/* Queues what the socket did not take of a batch; owned is the batch's memory. */
static int cn_stream_queue(cn_handle *h, uv_buf_t *bufs, unsigned nbufs,
                           napi_value keep, char *owned, int batch) {
  napi_env env = h->cenv->env;
  cn_write_req *wr = malloc(sizeof *wr);
  int err;
  if (wr == NULL) {
    free(owned);
    return UV_ENOMEM;
  }
  wr->h = h;
  wr->owned = owned;
  wr->data = NULL;
  wr->batch = batch;
  /* Without the reference the Buffer could be collected while libuv writes from it. */
  if (keep != NULL && napi_create_reference(env, keep, 1, &wr->data) != napi_ok) {
    free(owned);
    free(wr);
    return UV_ENOMEM;
  }
  err = cn_uv.write(&wr->req, &h->uv.stream, bufs, nbufs, cn_stream_after_write);
  if (err) {
    if (wr->data) napi_delete_reference(env, wr->data);
    free(owned);
    free(wr);
    return err;
  }
  return 1;
}

int cn_stream_send_owned(cn_handle *h, char *owned, size_t len, int quiet) {
  uv_buf_t buf = cn_buf(owned, len);
  return cn_stream_queue(h, &buf, 1, NULL, owned, quiet ? CN_WRITE_TLS_RECORDS : CN_WRITE_JS);
}

int cn_stream_write_batch(cn_handle *h, uv_buf_t rest, char *owned) {
  int result = cn_stream_queue(h, &rest, 1, NULL, owned, CN_WRITE_BATCH);
  cn_loop_sync(h->cenv->driver);
  return result < 0 ? result : 0;
}

/*
 * Writes bufs: first straight to the socket with uv_try_write, then queues
 * whatever is left. Returns 0 when all was written now, 1 when a write was
 * queued (CN_ON_WRITE follows), or a negative libuv error.
 * `keep` is the JS value backing bufs, referenced until the queued write ends;
 * `owned` is heap memory backing bufs, freed then (it is freed here on error or
 * when no queue is needed).
 */
static int cn_stream_write_bufs(cn_handle *h, uv_buf_t *bufs, unsigned nbufs,
                                napi_value keep, char *owned) {
  uv_stream_t *stream = &h->uv.stream;
  int err;

  if (h->tls != NULL) {
    /* OpenSSL has copied the plaintext into records once this returns. */
    err = cn_tls_write(h, bufs, nbufs);
    free(owned);
    return err;
  }
  err = cn_coalesce_flush(h);

  if (err) {
    free(owned);
    return err;
  }
  if (stream->write_queue_size == 0) {
    int written = cn_uv.try_write(stream, bufs, nbufs);
    if (written < 0 && written != UV_EAGAIN && written != UV_ENOSYS) {
      free(owned);
      return written;
    }
    if (written > 0) {
      size_t left = (size_t)written;
      while (nbufs > 0 && left >= bufs->len) {
        left -= bufs->len;
        bufs++;
        nbufs--;
      }
      if (nbufs == 0) {
        free(owned);
        return 0;
      }
      bufs->base += left;
      bufs->len -= left;
    }
  }

  return cn_stream_queue(h, bufs, nbufs, keep, owned, CN_WRITE_JS);
}

/* The handle named by argv[0] of a by-id call (handle_ids.h), or NULL. */
static cn_handle *cn_stream_by_id(napi_env env, napi_callback_info info, napi_value argv[2]) {
  size_t argc = 2;
  cn_env *cenv;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&cenv) != napi_ok || argc < 2) return NULL;
  return cn_handle_ids_find(&cenv->ids, env, argv[0]);
}

static napi_value cn_stream_write_buffer_as(napi_env env, napi_callback_info info, int coalesce) {
  napi_value argv[2];
  cn_handle *h = cn_stream_by_id(env, info, argv);
  void *data;
  size_t len;
  uv_buf_t buf;
  int result;

  if (h == NULL) return cn_int(env, UV_EBADF);
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) return cn_int(env, UV_EINVAL);
  if (h->tls != NULL) coalesce = 0;
  if (coalesce && cn_coalesce_started(h)) {
    char *room = cn_coalesce_reserve(h, len);
    if (room != NULL) {
      memcpy(room, data, len);
      cn_coalesce_commit(h, len);
      return cn_int(env, 0);
    }
  }
  buf = cn_buf(data, len);
  result = cn_stream_write_bufs(h, &buf, 1, argv[1], NULL);
  if (coalesce && result == 0) cn_coalesce_start(h);
  return cn_synced(h, result);
}

/* writeBuffer(handleId, buffer) */
napi_value cn_stream_write_buffer(napi_env env, napi_callback_info info) {
  return cn_stream_write_buffer_as(env, info, 0);
}

/* coalesceBuffer(handleId, buffer): as writeBuffer, into the batch if it fits. */
napi_value cn_stream_coalesce_buffer(napi_env env, napi_callback_info info) {
  return cn_stream_write_buffer_as(env, info, 1);
}

/* writev(arrayOfBuffers) */
napi_value cn_stream_writev(napi_env env, napi_callback_info info) {
  cn_call c;
  uint32_t count, i;
  uv_buf_t stack_bufs[16], *bufs = stack_bufs;
  int result;

  cn_call_init(env, info, &c);
  if (c.h == NULL) return cn_int(env, UV_EBADF);
  if (c.argc < 1 || napi_get_array_length(env, c.argv[0], &count) != napi_ok || count == 0)
    return cn_int(env, UV_EINVAL);
  if (count > 16) {
    bufs = malloc(count * sizeof *bufs);
    if (bufs == NULL) return cn_int(env, UV_ENOMEM);
  }
  for (i = 0; i < count; i++) {
    napi_value item;
    void *data;
    size_t len;
    if (napi_get_element(env, c.argv[0], i, &item) != napi_ok ||
        napi_get_buffer_info(env, item, &data, &len) != napi_ok) {
      if (bufs != stack_bufs) free(bufs);
      return cn_int(env, UV_EINVAL);
    }
    bufs[i] = cn_buf(data, len);
  }
  /* uv_write copies the uv_buf_t array, so ours can go when this returns. */
  result = cn_stream_write_bufs(c.h, bufs, count, c.argv[0], NULL);
  if (bufs != stack_bufs) free(bufs);
  return cn_synced(c.h, result);
}

/* Encodes a string straight into the batch, the socket or a heap copy. */
static napi_value cn_stream_write_string_as(napi_env env, napi_callback_info info, int coalesce) {
  napi_value argv[2];
  cn_handle *h = cn_stream_by_id(env, info, argv);
  char stack[16384];
  char *text = stack;
  size_t len = 0;
  uv_buf_t buf;
  int err;

  if (h == NULL) return cn_int(env, UV_EBADF);
  if (napi_get_value_string_utf8(env, argv[1], NULL, 0, &len) != napi_ok) return cn_int(env, UV_EINVAL);
  if (h->tls != NULL) coalesce = 0;
  if (coalesce && cn_coalesce_started(h)) {
    /* Node-API writes a terminating NUL, which the batch does not keep. */
    char *room = cn_coalesce_reserve(h, len + 1);
    if (room != NULL) {
      if (napi_get_value_string_utf8(env, argv[1], room, len + 1, &len) != napi_ok) return cn_int(env, UV_EINVAL);
      cn_coalesce_commit(h, len);
      return cn_int(env, 0);
    }
  }
  if ((err = cn_coalesce_flush(h)) != 0) return cn_int(env, err);
  if (len >= sizeof stack) {
    text = malloc(len + 1);
    if (text == NULL) return cn_int(env, UV_ENOMEM);
  }
  if (napi_get_value_string_utf8(env, argv[1], text, len + 1, &len) != napi_ok) {
    if (text != stack) free(text);
    return cn_int(env, UV_EINVAL);
  }
  buf = cn_buf(text, len);
  if (text == stack && h->tls != NULL) return cn_synced(h, cn_stream_write_bufs(h, &buf, 1, NULL, NULL));
  if (text == stack) {
    /* Try from the stack; copy only what must be queued. */
    uv_stream_t *stream = &h->uv.stream;
    int written = 0;
    char *rest;
    if (stream->write_queue_size == 0) {
      written = cn_uv.try_write(stream, &buf, 1);
      if (written == (int)len) {
        if (coalesce) cn_coalesce_start(h);
        return cn_int(env, 0);
      }
      if (written < 0 && written != UV_EAGAIN && written != UV_ENOSYS) return cn_int(env, written);
      if (written < 0) written = 0;
    }
    rest = malloc(len - written);
    if (rest == NULL) return cn_int(env, UV_ENOMEM);
    memcpy(rest, text + written, len - written);
    buf = cn_buf(rest, len - (size_t)written);
    return cn_synced(h, cn_stream_write_bufs(h, &buf, 1, NULL, rest));
  }
  err = cn_stream_write_bufs(h, &buf, 1, NULL, text);
  if (coalesce && err == 0) cn_coalesce_start(h);
  return cn_synced(h, err);
}

/* writeUtf8(handleId, string) */
napi_value cn_stream_write_string(napi_env env, napi_callback_info info) {
  return cn_stream_write_string_as(env, info, 0);
}

/* coalesceUtf8(handleId, string): as writeUtf8, into the batch if it fits. */
napi_value cn_stream_coalesce_string(napi_env env, napi_callback_info info) {
  return cn_stream_write_string_as(env, info, 1);
}

/* flush(): sends the batch now; 0 or the error of the socket write. */
napi_value cn_stream_flush(napi_env env, napi_callback_info info) {
  cn_call c;
  cn_call_init(env, info, &c);
  if (c.h == NULL) return cn_int(env, UV_EBADF);
  return cn_synced(c.h, cn_coalesce_flush(c.h));
}

static void cn_stream_after_shutdown(uv_shutdown_t *req, int status) {
  cn_handle_emit_status(req->data, CN_ON_SHUTDOWN, status);
}

void cn_stream_after_connect(uv_connect_t *req, int status) {
  cn_handle *h = req->data;
  h->connecting = 0;
  cn_handle_emit_status(h, CN_ON_CONNECT, status);
}

napi_value cn_stream_shutdown(napi_env env, napi_callback_info info) {
  cn_call c;
  cn_call_init(env, info, &c);
  if (c.h == NULL) return cn_int(env, UV_EBADF);
  /* A shutdown queued behind a batch's queued rest waits for it, as libuv orders both. */
  cn_coalesce_flush_deferred(c.h);
  if (c.h->tls != NULL) cn_tls_shutdown(c.h);
  c.h->shutdown_req.data = c.h;
  return cn_synced(c.h, cn_uv.shutdown(&c.h->shutdown_req, &c.h->uv.stream, cn_stream_after_shutdown));
}

static void cn_stream_on_connection(uv_stream_t *server, int status) {
  cn_handle *h = server->data;
  napi_env env = h->cenv->env;
  napi_handle_scope scope;
  napi_value argv[2];
  cn_handle *client = NULL;

  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (status == 0) {
    argv[1] = cn_handle_new(h->cenv, h->kind, &client);
    if (client == NULL) {
      status = UV_ENOMEM;
    } else {
      status = cn_uv.accept(server, &client->uv.stream);
      if (status) {
        /* Nothing accepted: the fresh handle has no JS owner yet; close it. */
        cn_handle_start_close(client);
      }
    }
  }
  argv[0] = cn_int(env, status);
  cn_handle_emit(h, CN_ON_CONNECTION, status == 0 ? 2 : 1, argv);
  napi_close_handle_scope(env, scope);
}

/* listen(backlog) */
napi_value cn_stream_listen(napi_env env, napi_callback_info info) {
  cn_call c;
  int32_t backlog = 511;
  cn_call_init(env, info, &c);
  if (c.h == NULL) return cn_int(env, UV_EBADF);
  if (c.argc >= 1 && napi_get_value_int32(env, c.argv[0], &backlog) != napi_ok) return cn_int(env, UV_EINVAL);
  return cn_synced(c.h, cn_uv.listen(&c.h->uv.stream, backlog, cn_stream_on_connection));
}

napi_value cn_stream_write_queue_size(napi_env env, napi_callback_info info) {
  cn_call c;
  napi_value v;
  cn_call_init(env, info, &c);
  if (c.h) cn_coalesce_flush_deferred(c.h);
  if (napi_create_double(env, c.h ? (double)c.h->uv.stream.write_queue_size : 0, &v) != napi_ok) return NULL;
  return v;
}
