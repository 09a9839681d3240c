#include "coalesce.h"
#include "napi_util.h"
#include "stream.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Host loop handles that flush batches made outside native callbacks. */
struct cn_coalescer {
  uv_prepare_t prepare;  /* before the host loop polls (timers, the main script) */
  uv_check_t check;      /* after a poll phase's callbacks and immediates */
  uv_async_t kick;       /* Bun: its loop may poll without running prepare first */
  cn_env *cenv;
  int open;              /* host handles not yet closed */
  int armed;             /* a hook will end the current turn */
};

/* Every env with hooks, for the exit handler: process.exit() ends the process
 * without env teardown, and bytes write() accepted must still leave. */
static pthread_mutex_t cn_coalesce_envs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t cn_coalesce_exit_once = PTHREAD_ONCE_INIT;
static pthread_once_t cn_coalesce_quick_exit_once = PTHREAD_ONCE_INIT;
static cn_env *cn_coalesce_envs;

/* At exit(): one last non-blocking write of each batch; no JS, no loop. */
static void cn_coalesce_at_exit(void) {
  cn_env *cenv;
  pthread_mutex_lock(&cn_coalesce_envs_lock);
  for (cenv = cn_coalesce_envs; cenv != NULL; cenv = cenv->coalesce_next) {
    cn_handle *h;
    for (h = cenv->batched; h != NULL; h = h->batch_next) {
      uv_buf_t buf = cn_buf(h->batch, h->batch_len);
      if (buf.len > 0 && !h->closing && h->uv.stream.write_queue_size == 0)
        cn_uv.try_write(&h->uv.stream, &buf, 1);
    }
  }
  pthread_mutex_unlock(&cn_coalesce_envs_lock);
}

/* glibc runs (and forgets) a library's atexit handlers when it is unloaded,
 * as Node does with an addon only a worker loaded. */
static void cn_coalesce_register_exit(void) {
  atexit(cn_coalesce_at_exit);
}

/* Bun's process.exit() leaves through quick_exit(); Bun keeps addons loaded. */
static void cn_coalesce_register_quick_exit(void) {
  at_quick_exit(cn_coalesce_at_exit);
}

static void cn_coalesce_list(cn_handle *h) {
  cn_env *cenv = h->cenv;
  if (h->batch_listed) return;
  h->batch_listed = 1;
  h->batch_prev = NULL;
  h->batch_next = cenv->batched;
  if (cenv->batched) cenv->batched->batch_prev = h;
  cenv->batched = h;
}

static void cn_coalesce_unlist(cn_handle *h) {
  cn_env *cenv = h->cenv;
  if (!h->batch_listed) return;
  h->batch_listed = 0;
  if (h->batch_prev) h->batch_prev->batch_next = h->batch_next; else cenv->batched = h->batch_next;
  if (h->batch_next) h->batch_next->batch_prev = h->batch_prev;
}

static void cn_coalesce_on_prepare(uv_prepare_t *prepare);
static void cn_coalesce_on_check(uv_check_t *check);

/* Makes sure a turn that wrote outside native callbacks ends soon: on Node
 * the host's next prepare or check phase (both come before the loop can
 * sleep), on Bun an async wake-up. The hooks run only while needed. */
static void cn_coalesce_schedule(cn_env *cenv) {
  struct cn_coalescer *co = cenv->coalescer;
  if (cenv->js_depth > 0 || co == NULL || co->armed) return;
  co->armed = 1;
  if (co->prepare.data) cn_uv_host.prepare_start(&co->prepare, cn_coalesce_on_prepare);
  if (co->check.data) cn_uv_host.check_start(&co->check, cn_coalesce_on_check);
  if (co->kick.data) cn_uv_host.async_send(&co->kick);
}

/* One write(2) of the whole batch; what the socket does not take now is
 * queued with the batch's memory, which the handle then gives up. */
static int cn_coalesce_write_out(cn_handle *h) {
  uv_stream_t *stream = &h->uv.stream;
  uv_buf_t buf = cn_buf(h->batch, h->batch_len);
  int written = 0;
  h->batch_len = 0;
  if (buf.len == 0) return 0;
  if (stream->write_queue_size == 0) {
    written = cn_uv.try_write(stream, &buf, 1);
    if (written == (int)buf.len) {
      /* Not kept between turns: many idle connections would each hold one. */
      free(h->batch);
      h->batch = NULL;
      return 0;
    }
    if (written < 0 && written != UV_EAGAIN && written != UV_ENOSYS) return written;
    if (written < 0) written = 0;
  }
  buf.base += written;
  buf.len -= (size_t)written;
  h->batch = NULL;
  return cn_stream_write_batch(h, buf, buf.base - written);
}

/* Flushes every batch; JS run by an error report may make new ones. */
static void cn_coalesce_flush_all(cn_env *cenv) {
  if (cenv->flushing || cenv->tearing_down) return;
  cenv->flushing = 1;
  while (cenv->batched) {
    cn_handle *h = cenv->batched;
    int err = h->batch_error;
    cn_coalesce_unlist(h);
    h->batch_error = 0;
    if (err == 0) err = cn_coalesce_write_out(h);
    if (err) cn_stream_report_batch_error(h, err);
  }
  cenv->flushing = 0;
  cn_loop_sync(cenv->driver);
}

/* A JS turn ended: the next write of each handle is a turn's first again. */
static void cn_coalesce_end_turn(cn_env *cenv) {
  cenv->turn++;
  if (cenv->batched) cn_coalesce_flush_all(cenv);
}

/* From a host hook: the turn it was armed for is over. */
static void cn_coalesce_on_hook(struct cn_coalescer *co) {
  if (co->prepare.data) cn_uv_host.prepare_stop(&co->prepare);
  if (co->check.data) cn_uv_host.check_stop(&co->check);
  co->armed = 0;
  cn_coalesce_end_turn(co->cenv);
}

static void cn_coalesce_on_prepare(uv_prepare_t *prepare) {
  cn_coalesce_on_hook(prepare->data);
}

static void cn_coalesce_on_check(uv_check_t *check) {
  cn_coalesce_on_hook(check->data);
}

static void cn_coalesce_on_kick(uv_async_t *kick) {
  cn_coalesce_on_hook(kick->data);
}

void cn_coalesce_leave(cn_env *cenv) {
  if (--cenv->js_depth == 0) cn_coalesce_end_turn(cenv);
}

char *cn_coalesce_reserve(cn_handle *h, size_t len) {
  if (h->closing || h->batch_error || h->uv.stream.write_queue_size != 0 ||
      h->cenv->coalescer == NULL || h->batch_len + len > CN_BATCH_SIZE)
    return NULL;
  if (h->batch == NULL && (h->batch = malloc(CN_BATCH_SIZE)) == NULL) return NULL;
  return h->batch + h->batch_len;
}

void cn_coalesce_start(cn_handle *h) {
  if (h->cenv->coalescer == NULL) return;
  h->batch_turn = h->cenv->turn;
  cn_coalesce_schedule(h->cenv);
}

void cn_coalesce_commit(cn_handle *h, size_t len) {
  h->batch_len += len;
  cn_coalesce_list(h);
  cn_coalesce_schedule(h->cenv);
}

int cn_coalesce_flush(cn_handle *h) {
  int err = h->batch_error;
  cn_coalesce_unlist(h);
  h->batch_error = 0;
  if (err == 0) err = cn_coalesce_write_out(h);
  else h->batch_len = 0;
  return err;
}

void cn_coalesce_flush_deferred(cn_handle *h) {
  int err = cn_coalesce_flush(h);
  if (err == 0) return;
  h->batch_error = err;
  cn_coalesce_list(h);
  cn_coalesce_schedule(h->cenv);
}

void cn_coalesce_drop(cn_handle *h) {
  cn_coalesce_flush(h);
  free(h->batch);
  h->batch = NULL;
}

int cn_coalesce_init(cn_env *cenv) {
  uv_loop_t *host = NULL;
  struct cn_coalescer *co;
  if (napi_get_uv_event_loop(cenv->env, &host) != napi_ok || host == NULL) return UV_EINVAL;
  co = calloc(1, sizeof *co);
  if (co == NULL) return UV_ENOMEM;
  co->cenv = cenv;
  /* Handles start at turn 0: their first write is never taken as a turn's second. */
  cenv->turn = 1;
  /* Node: the host's prepare and check phases both come before its loop can
   * sleep. A private loop (Bun, Deno) is woken by an async instead: Bun's loop
   * may poll without running prepare first, and Deno's has none. */
  if (cenv->driver == NULL && cn_uv_host.prepare_init != NULL) {
    if (cn_uv_host.prepare_init(host, &co->prepare) != 0) {
      free(co);
      return UV_EINVAL;
    }
    co->open++;
    co->prepare.data = co;
    cn_uv_host.unref((uv_handle_t *)&co->prepare);
    if (cn_uv_host.check_init != NULL && cn_uv_host.check_init(host, &co->check) == 0) {
      co->open++;
      co->check.data = co;
      cn_uv_host.unref((uv_handle_t *)&co->check);
    }
  } else {
    if (cn_uv_host.async_init(host, &co->kick, cn_coalesce_on_kick) != 0) {
      free(co);
      return UV_EINVAL;
    }
    co->open++;
    co->kick.data = co;
    cn_uv_host.unref((uv_handle_t *)&co->kick);
  }
  cenv->coalescer = co;
  pthread_once(&cn_coalesce_exit_once, cn_coalesce_register_exit);
  if (cenv->driver != NULL) pthread_once(&cn_coalesce_quick_exit_once, cn_coalesce_register_quick_exit);
  pthread_mutex_lock(&cn_coalesce_envs_lock);
  cenv->coalesce_next = cn_coalesce_envs;
  cn_coalesce_envs = cenv;
  pthread_mutex_unlock(&cn_coalesce_envs_lock);
  return 0;
}

/* cenv is NULL when the env did not wait for these closes (a private loop's
 * teardown ends with the env). */
static void cn_coalesce_on_close(uv_handle_t *handle) {
  struct cn_coalescer *co = handle->data;
  cn_env *cenv = co->cenv;
  if (--co->open == 0) free(co);
  if (cenv != NULL) {
    cenv->host_closing--;
    cn_env_teardown_step(cenv);
  }
}

void cn_coalesce_release(cn_env *cenv) {
  struct cn_coalescer *co = cenv->coalescer;
  cn_env **link;
  if (co == NULL) return;
  cenv->coalescer = NULL;
  pthread_mutex_lock(&cn_coalesce_envs_lock);
  for (link = &cn_coalesce_envs; *link != NULL; link = &(*link)->coalesce_next) {
    if (*link == cenv) {
      *link = cenv->coalesce_next;
      break;
    }
  }
  pthread_mutex_unlock(&cn_coalesce_envs_lock);
  /* Their close callbacks are this library's code: on Node the env's teardown
   * waits for them; a private loop's synchronous teardown cannot. */
  if (cenv->driver == NULL) cenv->host_closing = co->open;
  else co->cenv = NULL;
  if (co->prepare.data) cn_uv_host.close((uv_handle_t *)&co->prepare, cn_coalesce_on_close);
  if (co->check.data) cn_uv_host.close((uv_handle_t *)&co->check, cn_coalesce_on_close);
  if (co->kick.data) cn_uv_host.close((uv_handle_t *)&co->kick, cn_coalesce_on_close);
}
