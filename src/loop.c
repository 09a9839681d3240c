#include "loop.h"
#include "uv_api.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct cn_loop_driver {
  uv_loop_t loop;         /* private loop: runs the sockets */
  uv_async_t wake;        /* host loop: the watcher says events are ready */
  uv_async_t kick;        /* host loop: JS left work that only a private run does */
  uv_prepare_t flush;     /* host loop: registers work queued from JS */
  pthread_t watcher;
  sem_t drained;          /* posted after the JS thread ran the private loop */
  int stop_fd;            /* eventfd that ends the watcher */
  int host_ref;           /* is `wake` ref'ed on the host loop? */
};

static int cn_loop_is_bun(napi_env env) {
  napi_value global, process, versions, bun;
  napi_valuetype type = napi_undefined;
  if (napi_get_global(env, &global) != napi_ok ||
      napi_get_named_property(env, global, "process", &process) != napi_ok ||
      napi_get_named_property(env, process, "versions", &versions) != napi_ok ||
      napi_get_named_property(env, versions, "bun", &bun) != napi_ok ||
      napi_typeof(env, bun, &type) != napi_ok)
    return 0;
  return type == napi_string;
}

/* Work the private loop holds in user space, which its epoll fd does not
 * signal, so the watcher thread never sees it: write/shutdown callbacks of
 * writes that completed at once, interest changes not yet given to epoll
 * (POLLOUT after EAGAIN) and close callbacks. Bun's loop can sleep in epoll
 * without running our prepare handle first, which stalled such sockets until
 * an unrelated event arrived. Since libuv 1.44 uv_backend_timeout() is 0
 * exactly when such work is queued (the private loop has no timers). */
static int cn_loop_has_deferred(const uv_loop_t *l) {
  return cn_uv.backend_timeout(l) == 0;
}

void cn_loop_sync(cn_loop_driver *d) {
  int alive;
  if (d == NULL) return;
  alive = cn_uv.loop_alive(&d->loop) != 0;
  /* Called inside JS calls: never run the loop here (callbacks would re-enter
   * JS); ask the host loop to run it soon instead. Coalesced by libuv. Only
   * for a live loop: a run of a loop with nothing ref'ed does nothing, so the
   * kick would come back forever and keep the process from exiting. */
  if (alive && cn_loop_has_deferred(&d->loop)) uv_async_send(&d->kick);
  if (alive == d->host_ref) return;
  /* These act on a host handle: the host's own uv_ref/uv_unref. */
  if (alive) uv_ref((uv_handle_t *)&d->wake);
  else uv_unref((uv_handle_t *)&d->wake);
  d->host_ref = alive;
}

void cn_loop_run_once(cn_loop_driver *d) {
  if (d == NULL) return;
  cn_uv.run(&d->loop, UV_RUN_NOWAIT);
  cn_loop_sync(d);
}

static void cn_loop_on_wake(uv_async_t *async) {
  cn_loop_driver *d = async->data;
  cn_loop_run_once(d);
  sem_post(&d->drained);
}

static void cn_loop_on_kick(uv_async_t *async) {
  cn_loop_run_once(async->data);
}

static void cn_loop_on_prepare(uv_prepare_t *prepare) {
  cn_loop_run_once(prepare->data);
}

static void *cn_loop_watch(void *arg) {
  cn_loop_driver *d = arg;
  struct pollfd fds[2];
  fds[0].fd = cn_uv.backend_fd(&d->loop);
  fds[0].events = POLLIN;
  fds[1].fd = d->stop_fd;
  fds[1].events = POLLIN;
  for (;;) {
    int n = poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || fds[1].revents) break;
    uv_async_send(&d->wake);
    while (sem_wait(&d->drained) != 0 && errno == EINTR) {}
  }
  return NULL;
}

static void cn_loop_on_host_close(uv_handle_t *handle) {
  cn_loop_driver *d = handle->data;
  if (handle == (uv_handle_t *)&d->wake) free(d);
}

static int cn_loop_start_private(uv_loop_t *host, cn_loop_driver **out, const char **error) {
  cn_loop_driver *d;
  if (cn_uv_use_private(error) != 0) return -1;
  d = calloc(1, sizeof *d);
  if (d == NULL) {
    *error = "out of memory";
    return -1;
  }
  if (cn_uv.loop_init(&d->loop) != 0) {
    free(d);
    *error = "uv_loop_init failed for the private loop";
    return -1;
  }
  d->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (d->stop_fd < 0) {
    cn_uv.loop_close(&d->loop);
    free(d);
    *error = "cannot create the loop watcher's eventfd";
    return -1;
  }
  sem_init(&d->drained, 0, 0);
  uv_async_init(host, &d->wake, cn_loop_on_wake);
  d->wake.data = d;
  uv_unref((uv_handle_t *)&d->wake);
  uv_async_init(host, &d->kick, cn_loop_on_kick);
  d->kick.data = d;
  uv_unref((uv_handle_t *)&d->kick);
  uv_prepare_init(host, &d->flush);
  d->flush.data = d;
  uv_prepare_start(&d->flush, cn_loop_on_prepare);
  uv_unref((uv_handle_t *)&d->flush);
  if (pthread_create(&d->watcher, NULL, cn_loop_watch, d) != 0) {
    /* No watcher yet: undo everything; closing `wake` frees d. */
    close(d->stop_fd);
    sem_destroy(&d->drained);
    cn_uv.loop_close(&d->loop);
    uv_close((uv_handle_t *)&d->flush, NULL);
    uv_close((uv_handle_t *)&d->kick, NULL);
    uv_close((uv_handle_t *)&d->wake, cn_loop_on_host_close);
    *error = "cannot start the loop watcher thread";
    return -1;
  }
  *out = d;
  return 0;
}

int cn_loop_acquire(napi_env env, uv_loop_t **loop, cn_loop_driver **driver, const char **error) {
  uv_loop_t *host = NULL;
  *driver = NULL;
  if (napi_get_uv_event_loop(env, &host) != napi_ok || host == NULL) {
    *error = "the runtime provides no libuv loop";
    return -1;
  }
  if (!cn_loop_is_bun(env)) {
    cn_uv_use_host();
    *loop = host;
    return 0;
  }
  if (cn_loop_start_private(host, driver, error) != 0) return -1;
  *loop = &(*driver)->loop;
  return 0;
}

void cn_loop_release(cn_loop_driver *d) {
  uint64_t one = 1;
  if (d == NULL) return;
  /* Wake the watcher whether it sleeps in poll() or waits for a drain. */
  if (write(d->stop_fd, &one, sizeof one) == sizeof one) {
    sem_post(&d->drained);
    pthread_join(d->watcher, NULL);
  }
  close(d->stop_fd);
  cn_uv.run(&d->loop, UV_RUN_NOWAIT);
  cn_uv.loop_close(&d->loop);
  sem_destroy(&d->drained);
  uv_close((uv_handle_t *)&d->flush, NULL);
  uv_close((uv_handle_t *)&d->kick, NULL);
  uv_close((uv_handle_t *)&d->wake, cn_loop_on_host_close);
}
