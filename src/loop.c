#include "loop.h"
#include "uv_api.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct cn_loop_driver {
  uv_loop_t loop;         /* private loop: runs the sockets */
  uv_async_t pin;         /* private loop, unref'ed: ref'ed while a wake-up runs it */
  uv_async_t wake;        /* host loop: the watcher says events are ready */
  uv_async_t kick;        /* host loop: JS left work that only a private run does */
  uv_prepare_t flush;     /* host loop: registers work queued from JS */
  pthread_t watcher;
  int watch_fd;           /* the watcher's epoll: the private loop's fd (one-shot) and stop_fd */
  int stop_fd;            /* eventfd that ends the watcher */
  int host_ref;           /* is `wake` ref'ed on the host loop? */
  int has_flush;          /* did the host give a prepare handle? */
};

/* Is process.versions[name] a string (the runtime names itself there)? */
static int cn_loop_runtime_is(napi_env env, const char *name) {
  napi_value global, process, versions, version;
  napi_valuetype type = napi_undefined;
  if (napi_get_global(env, &global) != napi_ok ||
      napi_get_named_property(env, global, "process", &process) != napi_ok ||
      napi_get_named_property(env, process, "versions", &versions) != napi_ok ||
      napi_get_named_property(env, versions, name, &version) != napi_ok ||
      napi_typeof(env, version, &type) != napi_ok)
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
  if (alive && cn_loop_has_deferred(&d->loop)) cn_uv_host.async_send(&d->kick);
  if (alive == d->host_ref) return;
  if (alive) cn_uv_host.ref((uv_handle_t *)&d->wake);
  else cn_uv_host.unref((uv_handle_t *)&d->wake);
  d->host_ref = alive;
}

void cn_loop_run_once(cn_loop_driver *d) {
  if (d == NULL) return;
  cn_uv.run(&d->loop, UV_RUN_NOWAIT);
  cn_loop_sync(d);
}

/* The private loop's fd is watched one-shot: after one wake-up the watcher
 * sleeps until the JS thread has run the loop and re-armed it here. Re-arming
 * reports readiness that arrived meanwhile at once, so nothing is missed, and
 * the two threads hand over with one context switch each per wake-up (a
 * semaphore back to the watcher cost a third). */
static int cn_loop_arm(cn_loop_driver *d, int op) {
  struct epoll_event ev;
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.fd = cn_uv.backend_fd(&d->loop);
  return epoll_ctl(d->watch_fd, op, ev.data.fd, &ev);
}

/* The private loop's fd is readable: run it so that it polls even when none
 * of its handles is ref'ed (a run of a loop that is not alive does not poll),
 * else unref'ed sockets would miss their events and the watcher, re-armed on
 * a still readable fd, would wake us again at once, forever. */
static void cn_loop_on_wake(uv_async_t *async) {
  cn_loop_driver *d = async->data;
  cn_uv.ref((uv_handle_t *)&d->pin);
  cn_uv.run(&d->loop, UV_RUN_NOWAIT);
  cn_uv.unref((uv_handle_t *)&d->pin);
  cn_loop_sync(d);
  /* Re-arming an fd that stays registered can only fail for lack of memory:
   * then try again on the next host turn rather than stop watching. */
  if (cn_loop_arm(d, EPOLL_CTL_MOD) != 0) cn_uv_host.async_send(&d->wake);
}

static void cn_loop_on_kick(uv_async_t *async) {
  cn_loop_run_once(async->data);
}

/* Before the host loop sleeps: readiness reaches the watcher, so a run here
 * is for work the watcher cannot see (and, cheaply, for a loop with nothing
 * alive, for which uv_backend_timeout() is 0 too: such a run does not poll);
 * running for readiness here would cost an epoll_wait per host loop turn
 * that finds nothing. */
static void cn_loop_on_prepare(uv_prepare_t *prepare) {
  cn_loop_driver *d = prepare->data;
  if (cn_loop_has_deferred(&d->loop)) cn_loop_run_once(d);
}

static void *cn_loop_watch(void *arg) {
  cn_loop_driver *d = arg;
  struct epoll_event ev;
  for (;;) {
    int n = epoll_wait(d->watch_fd, &ev, 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || ev.data.fd == d->stop_fd) break;
    if (n == 1) cn_uv_host.async_send(&d->wake);
  }
  return NULL;
}

/* The watcher's epoll set: the stop eventfd, and the private loop's fd armed
 * once. Returns 0, or -1 with both fds closed. */
static int cn_loop_open_watch(cn_loop_driver *d) {
  struct epoll_event ev;
  d->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (d->stop_fd < 0) return -1;
  d->watch_fd = epoll_create1(EPOLL_CLOEXEC);
  if (d->watch_fd < 0) {
    close(d->stop_fd);
    return -1;
  }
  ev.events = EPOLLIN;
  ev.data.fd = d->stop_fd;
  if (epoll_ctl(d->watch_fd, EPOLL_CTL_ADD, d->stop_fd, &ev) != 0 || cn_loop_arm(d, EPOLL_CTL_ADD) != 0) {
    close(d->watch_fd);
    close(d->stop_fd);
    return -1;
  }
  return 0;
}

static void cn_loop_close_watch(cn_loop_driver *d) {
  close(d->watch_fd);
  close(d->stop_fd);
}

static void cn_loop_on_host_close(uv_handle_t *handle) {
  cn_loop_driver *d = handle->data;
  if (handle == (uv_handle_t *)&d->wake) free(d);
}

/* Closes the host handles that were set up; closing `wake` (always the first)
 * frees d once the host loop has let go of it. */
static void cn_loop_close_host(cn_loop_driver *d, int kick, int flush) {
  if (flush) cn_uv_host.close((uv_handle_t *)&d->flush, NULL);
  if (kick) cn_uv_host.close((uv_handle_t *)&d->kick, NULL);
  cn_uv_host.close((uv_handle_t *)&d->wake, cn_loop_on_host_close);
}

/* The host handles that drive the private loop, all unref'ed: only `wake`
 * is ref'ed, and only while the private loop is alive (cn_loop_sync). */
static int cn_loop_init_host(uv_loop_t *host, cn_loop_driver *d, const char **error) {
  if (cn_uv_host.async_init(host, &d->wake, cn_loop_on_wake) != 0) {
    *error = "the host loop refused an async handle";
    return -1;
  }
  d->wake.data = d;
  cn_uv_host.unref((uv_handle_t *)&d->wake);
  if (cn_uv_host.async_init(host, &d->kick, cn_loop_on_kick) != 0) {
    cn_loop_close_host(d, 0, 0);
    *error = "the host loop refused an async handle";
    return -1;
  }
  d->kick.data = d;
  cn_uv_host.unref((uv_handle_t *)&d->kick);
  /* Without prepare handles (Deno) the kick alone brings deferred work to a run. */
  if (cn_uv_host.prepare_init == NULL) return 0;
  if (cn_uv_host.prepare_init(host, &d->flush) != 0) {
    cn_loop_close_host(d, 1, 0);
    *error = "the host loop refused a prepare handle";
    return -1;
  }
  d->flush.data = d;
  if (cn_uv_host.prepare_start(&d->flush, cn_loop_on_prepare) != 0) {
    cn_loop_close_host(d, 1, 1);
    *error = "the host loop refused a prepare handle";
    return -1;
  }
  cn_uv_host.unref((uv_handle_t *)&d->flush);
  d->has_flush = 1;
  return 0;
}

/* Closes the pin and the private loop (its handles are closed by then). */
static void cn_loop_close_private(cn_loop_driver *d) {
  cn_uv.close((uv_handle_t *)&d->pin, NULL);
  cn_uv.run(&d->loop, UV_RUN_NOWAIT);
  cn_uv.loop_close(&d->loop);
}

static int cn_loop_start_private(uv_loop_t *host, cn_loop_driver **out, const char **error) {
  cn_loop_driver *d;
  if (cn_uv_use_host_loop(error) != 0 || cn_uv_use_private(error) != 0) return -1;
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
  if (cn_uv.async_init(&d->loop, &d->pin, NULL) != 0) {
    cn_uv.loop_close(&d->loop);
    free(d);
    *error = "uv_async_init failed on the private loop";
    return -1;
  }
  cn_uv.unref((uv_handle_t *)&d->pin);
  if (cn_loop_open_watch(d) != 0) {
    cn_loop_close_private(d);
    free(d);
    *error = "cannot create the loop watcher's epoll set";
    return -1;
  }
  if (cn_loop_init_host(host, d, error) != 0) {
    /* d is freed by the host close of `wake`, or here when none was made. */
    cn_loop_close_watch(d);
    cn_loop_close_private(d);
    if (d->wake.data == NULL) free(d);
    return -1;
  }
  if (pthread_create(&d->watcher, NULL, cn_loop_watch, d) != 0) {
    /* No watcher yet: undo everything; closing `wake` frees d. */
    cn_loop_close_watch(d);
    cn_loop_close_private(d);
    cn_loop_close_host(d, 1, d->has_flush);
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
  /* Bun's and Deno's libuv are stand-ins without networking (Deno's lacks
   * most functions; Bun's has stubs), so they get the private loop. */
  if (!cn_loop_runtime_is(env, "bun") && !cn_loop_runtime_is(env, "deno")) {
    if (cn_uv_use_host(error) != 0 || cn_uv_use_host_loop(error) != 0) return -1;
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
  if (write(d->stop_fd, &one, sizeof one) == sizeof one) pthread_join(d->watcher, NULL);
  cn_loop_close_watch(d);
  cn_loop_close_private(d);
  cn_loop_close_host(d, 1, d->has_flush);
}
