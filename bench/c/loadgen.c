/* cnet benchmark load generator (C11 + libuv).
 *
 * Modes (first argument):
 *   echo       N connections, K messages in flight each, S-byte messages; every
 *              echoed byte is checked; msgs/s and p50/p99 round trip.
 *   churn      W workers: connect, send S bytes, read the echo and the server's
 *              end (the server closes first), close; per second.
 *   bulk-up    one connection streams 64 KiB writes to a sink server, shuts down,
 *              and checks the byte count the sink sends back ("<count>\n").
 *   bulk-down  asks a source server for bursts of B bytes ("<B>\n"), checks every
 *              byte against the 64 KiB pattern, MB/s.
 *   idle       opens N connections, one echoed message each, prints a "ready" JSON
 *              line and holds them until stdin closes.
 *   --sync     (echo with --messages) for counting a server's instructions without
 *              connection set-up: after --warmup-messages W it prints {"sync":"warm"},
 *              waits for a line on stdin, echoes the --messages M, prints the result
 *              and waits for another line before it closes the connections.
 *   http       N keep-alive connections, one HTTP/1.1 GET in flight each (no
 *              pipelining); every response is parsed (status line, Content-Length,
 *              body length); req/s, p50/p99, non-2xx responses and connection
 *              errors (a failed connection is counted and reopened).
 *
 * Results are one JSON object on stdout. Exit status 0 on success, 3 on a
 * verification error or time-out (a JSON object with "error" is printed).
 */
#define _GNU_SOURCE
#include <uv.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/resource.h>

#include "common.h"

/* ---------- options ---------- */
static const char *opt_mode = "echo";
static const char *opt_host = "127.0.0.1";
static int opt_port = 0;
static int opt_conns = 1;
static int opt_inflight = 1;
static int opt_size = 64;
static double opt_warmup = 0.0;
static double opt_duration = 1.0;
static uint64_t opt_messages = 0; /* fixed count mode when > 0 */
static uint64_t opt_warmup_messages = 0;
static bool opt_sync = false;
static double opt_timeout = 60.0;
static uint64_t opt_burst = 32u << 20;
static int opt_concurrency = 256; /* pending connects (idle mode) */

/* ---------- latency histogram (log-linear, <1.6% error) ---------- */
#define HIST_BUCKETS 4096
static uint64_t hist[HIST_BUCKETS];
static uint64_t hist_n;

static inline int hist_index(uint64_t v) {
  if (v < 128) return (int)v;
  int msb = 63 - __builtin_clzll(v);
  int shift = msb - 6;
  int idx = (shift + 1) * 64 + (int)((v >> shift) - 64);
  return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

static inline double hist_value(int idx) {
  if (idx < 128) return idx + 0.5;
  int shift = idx / 64 - 1;
  uint64_t mant = (uint64_t)(idx % 64 + 64);
  return (double)(mant << shift) + (double)(1ull << shift) / 2.0;
}

static inline void hist_add(uint64_t ns) {
  hist[hist_index(ns)]++;
  hist_n++;
}

static double hist_pct(double p) {
  if (hist_n == 0) return 0;
  uint64_t want = (uint64_t)(p * (double)hist_n);
  if (want < 1) want = 1;
  uint64_t acc = 0;
  for (int i = 0; i < HIST_BUCKETS; i++) {
    acc += hist[i];
    if (acc >= want) return hist_value(i);
  }
  return hist_value(HIST_BUCKETS - 1);
}

/* ---------- global state ---------- */
enum { PH_WARMUP, PH_MEASURE, PH_DRAIN };
static uv_loop_t *loop;
static int phase = PH_WARMUP;
static uint64_t t_start, t_measure, t_end;
static uint64_t msgs_measured, msgs_total, bytes_verified;
static int conns_open, conns_ready;
static uv_timer_t phase_timer, timeout_timer;
static struct sockaddr_storage addr;
static char rbuf[256 * 1024];
static uint8_t pattern[BULK_CHUNK];

static void fail(const char *fmt, const char *detail) {
  printf("{\"mode\":\"%s\",\"error\":\"", opt_mode);
  printf(fmt, detail ? detail : "");
  printf("\"}\n");
  fflush(stdout);
  exit(3);
}

/* CPU seconds this process has used so far (user + system). */
static double self_cpu_s(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Fraction of one core this process has used since it started. */
static double self_busy(void) {
  double wall = (double)(uv_hrtime() - t_start) / 1e9;
  return wall > 0 ? self_cpu_s() / wall : 0.0;
}

static void on_alloc(uv_handle_t *h, size_t sug, uv_buf_t *buf) {
  (void)h;
  (void)sug;
  buf->base = rbuf;
  buf->len = sizeof rbuf;
}

typedef struct conn_s {
  uv_tcp_t tcp;
  uv_connect_t creq;
  uv_shutdown_t sreq;
  int id;
  bool closing;
  uint64_t next_send; /* echo: index of next message to send */
  uint64_t recv_msgs; /* echo: messages fully received */
  uint32_t recv_off;  /* echo: offset in current message */
  uint64_t quota;     /* echo fixed mode: messages to send, 0 = unlimited */
  uint64_t *stimes;   /* send times, ring of opt_inflight */
  uint64_t cycle_start;
  uint64_t bytes;     /* bulk: sent or received */
  uint64_t want;      /* bulk-down: bytes expected in current burst */
  int writes_pending;
  char line[32];
  int line_len;
} conn_t;

static conn_t *conns;

typedef struct {
  uv_write_t req;
  char data[];
} wbuf_t;

static void on_wfree(uv_write_t *req, int status) {
  if (status < 0 && status != UV_ECANCELED) fail("write: %s", uv_strerror(status));
  free(req);
}

/* Write bytes in order: uv_try_write first, queue what is left. */
static void send_bytes(conn_t *c, const char *p, size_t len) {
  uv_buf_t b = uv_buf_init((char *)p, (unsigned)len);
  int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
  if (n == UV_EAGAIN) n = 0;
  if (n < 0) fail("try_write: %s", uv_strerror(n));
  if ((size_t)n == len) return;
  wbuf_t *w = malloc(sizeof(wbuf_t) + len - n);
  memcpy(w->data, p + n, len - n);
  b = uv_buf_init(w->data, (unsigned)(len - n));
  int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_wfree);
  if (rc < 0) fail("write: %s", uv_strerror(rc));
}

/* Message k on connection c: byte j = c*29 + k*13 + j*7 + 3 (mod 256). */
static inline void fill_msg(const conn_t *c, uint64_t k, uint8_t *dst) {
  uint8_t base = (uint8_t)(c->id * 29u + k * 13u + 3u);
  for (int j = 0; j < opt_size; j++) dst[j] = (uint8_t)(base + j * 7u);
}

static void print_echo_result(void);
static void finish(void);

static void on_closed(uv_handle_t *h) {
  (void)h;
  if (--conns_open == 0 && phase == PH_DRAIN) finish();
}

static void conn_close(conn_t *c) {
  if (c->closing) return;
  c->closing = true;
  uv_close((uv_handle_t *)&c->tcp, on_closed);
}

/* ================= stdin lines (--sync, idle) ================= */
static uv_pipe_t stdin_pipe;
static bool stdin_open;
static void (*on_stdin_line)(void);

static void on_stdin(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  (void)buf;
  if (nread == 0) return;
  uv_read_stop(s);
  void (*next)(void) = on_stdin_line;
  on_stdin_line = NULL;
  if (next) next();
}

/* Call next() when a line (or the end) arrives on stdin. */
static void wait_stdin(void (*next)(void)) {
  if (!stdin_open) {
    if (uv_guess_handle(0) != UV_NAMED_PIPE) {
      next();
      return;
    }
    UVCHECK(uv_pipe_init(loop, &stdin_pipe, 0));
    UVCHECK(uv_pipe_open(&stdin_pipe, 0));
    stdin_open = true;
  }
  on_stdin_line = next;
  UVCHECK(uv_read_start((uv_stream_t *)&stdin_pipe, on_alloc, on_stdin));
}

/* ================= echo ================= */
static uint8_t *scratch;
static bool echo_result_printed;
enum { SYNC_WARM, SYNC_MEASURE, SYNC_DONE };
static int sync_stage = SYNC_DONE;

static bool echo_may_send(conn_t *c) {
  if (phase == PH_DRAIN) return false;
  if (c->quota && c->next_send >= c->quota) return false;
  return true;
}

static void echo_fill(conn_t *c) {
  /* top up to opt_inflight outstanding messages, one write */
  size_t n = 0;
  uint64_t now = uv_hrtime();
  while (c->next_send - c->recv_msgs < (uint64_t)opt_inflight && echo_may_send(c)) {
    fill_msg(c, c->next_send, scratch + n);
    c->stimes[c->next_send % opt_inflight] = now;
    c->next_send++;
    n += opt_size;
  }
  if (n) send_bytes(c, (const char *)scratch, n);
}

static bool echo_all_done(void) {
  for (int i = 0; i < opt_conns; i++)
    if (conns[i].recv_msgs != conns[i].next_send || echo_may_send(&conns[i])) return false;
  return true;
}

static void echo_enter_drain(void) {
  if (phase == PH_DRAIN) return;
  if (!echo_result_printed) t_end = uv_hrtime();
  phase = PH_DRAIN;
  for (int i = 0; i < opt_conns; i++)
    if (conns[i].recv_msgs == conns[i].next_send) conn_close(&conns[i]);
}

/* Give every connection `total` more messages to send, spread evenly. */
static void echo_add_quota(uint64_t total) {
  uint64_t each = total / opt_conns, rem = total % opt_conns;
  for (int i = 0; i < opt_conns; i++) conns[i].quota += each + ((uint64_t)i < rem ? 1 : 0);
}

static void echo_sync_close(void) {
  echo_enter_drain();
}

static void echo_sync_measure(void) {
  sync_stage = SYNC_MEASURE;
  phase = PH_MEASURE;
  t_measure = uv_hrtime();
  echo_add_quota(opt_messages);
  for (int i = 0; i < opt_conns; i++) echo_fill(&conns[i]);
}

/* Every connection has echoed its quota (and is idle). */
static void echo_quota_done(void) {
  if (sync_stage == SYNC_WARM) {
    sync_stage = SYNC_DONE;
    printf("{\"sync\":\"warm\",\"msgs\":%" PRIu64 "}\n", msgs_total);
    fflush(stdout);
    wait_stdin(echo_sync_measure);
  } else if (sync_stage == SYNC_MEASURE) {
    sync_stage = SYNC_DONE;
    t_end = uv_hrtime();
    print_echo_result();
    echo_result_printed = true;
    fflush(stdout);
    wait_stdin(echo_sync_close);
  } else {
    echo_enter_drain();
  }
}

static void echo_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  conn_t *c = s->data;
  if (nread < 0) {
    if (c->closing) return;
    fail("echo read: %s", uv_strerror((int)nread));
  }
  if (nread == 0) return;
  uint64_t now = uv_hrtime();
  const uint8_t *p = (const uint8_t *)buf->base;
  for (ssize_t i = 0; i < nread; i++) {
    if (c->recv_msgs >= c->next_send) fail("%s", "server sent more bytes than were sent to it");
    uint8_t want = (uint8_t)((uint8_t)(c->id * 29u + c->recv_msgs * 13u + 3u) + c->recv_off * 7u);
    if (p[i] != want) fail("%s", "echoed byte differs from the byte sent");
    if (++c->recv_off == (uint32_t)opt_size) {
      c->recv_off = 0;
      uint64_t rtt = now - c->stimes[c->recv_msgs % opt_inflight];
      c->recv_msgs++;
      msgs_total++;
      if (phase == PH_MEASURE) {
        msgs_measured++;
        hist_add(rtt);
      }
    }
  }
  bytes_verified += (uint64_t)nread;
  echo_fill(c);
  if (c->quota && phase != PH_DRAIN && echo_all_done()) echo_quota_done();
  if (phase == PH_DRAIN && c->recv_msgs == c->next_send) conn_close(c);
}

static void echo_on_measure_end(uv_timer_t *t) {
  (void)t;
  echo_enter_drain();
}

static void echo_on_warm(uv_timer_t *t) {
  (void)t;
  phase = PH_MEASURE;
  t_measure = uv_hrtime();
  uv_timer_start(&phase_timer, echo_on_measure_end, (uint64_t)(opt_duration * 1000), 0);
}

static void echo_start_all(void) {
  t_start = uv_hrtime();
  if (opt_messages && opt_sync) {
    sync_stage = SYNC_WARM;
    echo_add_quota(opt_warmup_messages ? opt_warmup_messages : 1);
    phase = PH_WARMUP;
  } else if (opt_messages) {
    echo_add_quota(opt_messages);
    phase = PH_MEASURE;
    t_measure = t_start;
  } else if (opt_warmup > 0) {
    phase = PH_WARMUP;
    uv_timer_start(&phase_timer, echo_on_warm, (uint64_t)(opt_warmup * 1000), 0);
  } else {
    echo_on_warm(NULL);
  }
  for (int i = 0; i < opt_conns; i++) {
    UVCHECK(uv_read_start((uv_stream_t *)&conns[i].tcp, on_alloc, echo_on_read));
    echo_fill(&conns[i]);
  }
}

static void print_echo_result(void) {
  double secs = (double)(t_end - t_measure) / 1e9;
  double cpu = self_cpu_s();
  printf("{\"mode\":\"echo\",\"conns\":%d,\"inflight\":%d,\"size\":%d,\"seconds\":%.6f,"
         "\"msgs\":%" PRIu64 ",\"msgs_per_s\":%.1f,\"p50_us\":%.2f,\"p99_us\":%.2f,"
         "\"total_msgs\":%" PRIu64 ",\"verified_bytes\":%" PRIu64 ",\"gen_cpu_s\":%.4f,"
         "\"gen_cpu_us_per_msg\":%.3f,\"gen_busy\":%.3f}\n",
         opt_conns, opt_inflight, opt_size, secs, msgs_measured,
         secs > 0 ? (double)msgs_measured / secs : 0.0, hist_pct(0.50) / 1e3,
         hist_pct(0.99) / 1e3, msgs_total, bytes_verified, cpu,
         msgs_total ? cpu * 1e6 / (double)msgs_total : 0.0, self_busy());
}

/* ================= connecting (echo, idle, bulk) ================= */
static void (*after_connect)(conn_t *c);
static int connects_pending, next_to_connect;

static void connect_next(void);

static void on_connect(uv_connect_t *req, int status) {
  conn_t *c = req->data;
  connects_pending--;
  if (status == UV_ECANCELED && c->closing) return; /* closed by the end of an http run */
  if (status < 0) fail("connect: %s", uv_strerror(status));
  UVCHECK(uv_tcp_nodelay(&c->tcp, 1));
  after_connect(c);
  connect_next();
}

static void connect_one(conn_t *c) {
  UVCHECK(uv_tcp_init(loop, &c->tcp));
  c->tcp.data = c;
  c->creq.data = c;
  c->closing = false;
  conns_open++;
  connects_pending++;
  UVCHECK(uv_tcp_connect(&c->creq, &c->tcp, (struct sockaddr *)&addr, on_connect));
}

static void connect_next(void) {
  while (next_to_connect < opt_conns && connects_pending < opt_concurrency)
    connect_one(&conns[next_to_connect++]);
}

static void echo_after_connect(conn_t *c) {
  (void)c;
  if (++conns_ready == opt_conns) echo_start_all();
}

/* ================= idle ================= */
static void idle_close_all(void) {
  phase = PH_DRAIN;
  for (int i = 0; i < opt_conns; i++) conn_close(&conns[i]);
  if (conns_open == 0) finish();
}

static void idle_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  conn_t *c = s->data;
  if (nread < 0) {
    if (phase == PH_DRAIN) return;
    fail("idle connection: %s", uv_strerror((int)nread));
  }
  const uint8_t *p = (const uint8_t *)buf->base;
  for (ssize_t i = 0; i < nread; i++) {
    if (c->recv_msgs >= 1) fail("%s", "unexpected bytes on an idle connection");
    uint8_t want = (uint8_t)((uint8_t)(c->id * 29u + 3u) + c->recv_off * 7u);
    if (p[i] != want) fail("%s", "echoed byte differs from the byte sent");
    if (++c->recv_off == (uint32_t)opt_size) {
      c->recv_off = 0;
      c->recv_msgs++;
      if (++conns_ready == opt_conns) {
        t_end = uv_hrtime();
        printf("{\"mode\":\"idle\",\"ready\":true,\"conns\":%d,\"setup_seconds\":%.3f}\n", opt_conns,
               (double)(t_end - t_start) / 1e9);
        fflush(stdout);
        wait_stdin(idle_close_all);
      }
    }
  }
}

static void idle_after_connect(conn_t *c) {
  uint8_t msg[4096];
  fill_msg(c, 0, msg);
  c->next_send = 1;
  UVCHECK(uv_read_start((uv_stream_t *)&c->tcp, on_alloc, idle_on_read));
  send_bytes(c, (const char *)msg, opt_size);
}

/* ================= churn ================= */
static void churn_start(conn_t *c);

static void churn_on_closed(uv_handle_t *h) {
  conn_t *c = h->data;
  conns_open--;
  if (phase != PH_DRAIN) {
    churn_start(c);
  } else if (conns_open == 0) {
    finish();
  }
}

static void churn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  conn_t *c = s->data;
  if (nread == UV_EOF && c->recv_off == (uint32_t)opt_size) {
    /* the server closed first (so TIME_WAIT stays on its side): count it */
    uint64_t now = uv_hrtime();
    msgs_total++;
    if (phase == PH_MEASURE) {
      msgs_measured++;
      hist_add(now - c->cycle_start);
    }
    c->next_send++;
    c->closing = true;
    uv_read_stop(s);
    uv_close((uv_handle_t *)&c->tcp, churn_on_closed);
    return;
  }
  if (nread == UV_EOF) fail("%s", "churn: server closed before echoing the whole message");
  if (nread < 0) fail("churn read: %s", uv_strerror((int)nread));
  const uint8_t *p = (const uint8_t *)buf->base;
  for (ssize_t i = 0; i < nread; i++) {
    uint8_t want = (uint8_t)((uint8_t)(c->id * 29u + c->next_send * 13u + 3u) + c->recv_off * 7u);
    if (p[i] != want || c->recv_off >= (uint32_t)opt_size) fail("%s", "churn: echo differs");
    c->recv_off++;
  }
  bytes_verified += (uint64_t)nread;
  /* complete echo: wait for the server's FIN (next callback, UV_EOF) */
}

static void churn_on_connect(uv_connect_t *req, int status) {
  conn_t *c = req->data;
  if (status < 0) fail("churn connect: %s", uv_strerror(status));
  uint8_t msg[4096];
  fill_msg(c, c->next_send, msg);
  c->recv_off = 0;
  UVCHECK(uv_read_start((uv_stream_t *)&c->tcp, on_alloc, churn_on_read));
  send_bytes(c, (const char *)msg, opt_size);
}

static void churn_start(conn_t *c) {
  UVCHECK(uv_tcp_init(loop, &c->tcp));
  c->tcp.data = c;
  c->creq.data = c;
  c->closing = false;
  conns_open++;
  c->cycle_start = uv_hrtime();
  UVCHECK(uv_tcp_connect(&c->creq, &c->tcp, (struct sockaddr *)&addr, churn_on_connect));
}

static void churn_on_measure_end(uv_timer_t *t) {
  (void)t;
  t_end = uv_hrtime();
  phase = PH_DRAIN;
}

static void churn_on_warm(uv_timer_t *t) {
  (void)t;
  phase = PH_MEASURE;
  t_measure = uv_hrtime();
  uv_timer_start(&phase_timer, churn_on_measure_end, (uint64_t)(opt_duration * 1000), 0);
}

/* ================= bulk-up (side under test receives) ================= */
static uv_write_t bulk_wreqs[4];

static void bulk_up_write(conn_t *c, uv_write_t *req);

static void bulk_on_reply(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  conn_t *c = s->data;
  if (nread == UV_EOF) fail("%s", "sink closed without sending its byte count");
  if (nread < 0) fail("bulk-up read: %s", uv_strerror((int)nread));
  for (ssize_t i = 0; i < nread; i++) {
    char ch = buf->base[i];
    if (ch == '\n') {
      c->line[c->line_len] = 0;
      uint64_t got = strtoull(c->line, NULL, 10);
      t_end = uv_hrtime();
      if (got != c->bytes) {
        char msg[96];
        snprintf(msg, sizeof msg, "sink counted %" PRIu64 " bytes, sent %" PRIu64, got, c->bytes);
        fail("%s", msg);
      }
      double secs = (double)(t_end - t_measure) / 1e9;
      printf("{\"mode\":\"bulk-up\",\"seconds\":%.6f,\"bytes\":%" PRIu64 ",\"mb_per_s\":%.2f,"
             "\"verified_count\":true,\"gen_busy\":%.3f}\n",
             secs, c->bytes, (double)c->bytes / secs / 1e6, self_busy());
      phase = PH_DRAIN;
      conn_close(c);
      return;
    }
    if (c->line_len < (int)sizeof c->line - 1) c->line[c->line_len++] = ch;
  }
}

static void bulk_on_shutdown(uv_shutdown_t *req, int status) {
  if (status < 0) fail("shutdown: %s", uv_strerror(status));
  (void)req;
}

static void bulk_up_on_write(uv_write_t *req, int status) {
  conn_t *c = req->handle->data;
  if (status < 0) fail("bulk-up write: %s", uv_strerror(status));
  c->writes_pending--;
  c->bytes += BULK_CHUNK;
  if ((double)(uv_hrtime() - t_measure) / 1e9 < opt_duration) {
    bulk_up_write(c, req);
  } else if (c->writes_pending == 0) {
    UVCHECK(uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, bulk_on_shutdown));
  }
}

static void bulk_up_write(conn_t *c, uv_write_t *req) {
  uv_buf_t b = uv_buf_init((char *)pattern, BULK_CHUNK);
  c->writes_pending++;
  UVCHECK(uv_write(req, (uv_stream_t *)&c->tcp, &b, 1, bulk_up_on_write));
}

static void bulk_up_after_connect(conn_t *c) {
  t_measure = uv_hrtime();
  UVCHECK(uv_read_start((uv_stream_t *)&c->tcp, on_alloc, bulk_on_reply));
  for (int i = 0; i < 4; i++) bulk_up_write(c, &bulk_wreqs[i]);
}

/* ================= bulk-down (side under test sends) ================= */
static void bulk_down_request(conn_t *c) {
  char req[32];
  int n = snprintf(req, sizeof req, "%" PRIu64 "\n", opt_burst);
  c->want = opt_burst;
  c->recv_off = 0; /* offset in current burst, mod 64 KiB is the pattern offset */
  send_bytes(c, req, (size_t)n);
}

static void bulk_down_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  conn_t *c = s->data;
  if (nread == UV_EOF) {
    if (phase != PH_DRAIN) fail("%s", "source closed early");
    double secs = (double)(t_end - t_measure) / 1e9;
    printf("{\"mode\":\"bulk-down\",\"seconds\":%.6f,\"bytes\":%" PRIu64 ",\"mb_per_s\":%.2f,"
           "\"verified_bytes\":%" PRIu64 ",\"gen_busy\":%.3f}\n",
           secs, c->bytes, (double)c->bytes / secs / 1e6, bytes_verified, self_busy());
    conn_close(c);
    return;
  }
  if (nread < 0) fail("bulk-down read: %s", uv_strerror((int)nread));
  if (nread == 0) return; /* libuv's "nothing read" (EAGAIN), possible after the shutdown */
  if (phase == PH_DRAIN || (uint64_t)nread > c->want) fail("%s", "source sent more bytes than asked");
  const uint8_t *p = (const uint8_t *)buf->base;
  size_t left = (size_t)nread;
  while (left) {
    size_t off = c->recv_off % BULK_CHUNK;
    size_t n = BULK_CHUNK - off;
    if (n > left) n = left;
    if (memcmp(p, pattern + off, n) != 0) fail("%s", "bulk byte differs from the pattern");
    p += n;
    left -= n;
    c->recv_off += (uint32_t)n;
  }
  bytes_verified += (uint64_t)nread;
  c->bytes += (uint64_t)nread;
  c->want -= (uint64_t)nread;
  if (c->want == 0) {
    if ((double)(uv_hrtime() - t_measure) / 1e9 < opt_duration) {
      bulk_down_request(c);
    } else {
      t_end = uv_hrtime();
      phase = PH_DRAIN;
      UVCHECK(uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, bulk_on_shutdown));
    }
  }
}

static void bulk_down_after_connect(conn_t *c) {
  t_measure = uv_hrtime();
  UVCHECK(uv_read_start((uv_stream_t *)&c->tcp, on_alloc, bulk_down_on_read));
  bulk_down_request(c);
}

/* ================= http ================= */
/* Per-connection response parser: the head is collected up to HEAD_MAX bytes,
 * then Content-Length bytes of body are counted. */
#define HEAD_MAX 2048
typedef struct {
  char head[HEAD_MAX];
  int head_len;
  bool in_body;
  uint64_t body_left;
  int status;
} http_resp_t;

static http_resp_t *resps;
static char http_req[128];
static int http_req_len;
static uint64_t http_non2xx, http_errors, http_body_bytes;

static void http_on_closed(uv_handle_t *h);

/* Drop a connection after a transport or protocol error and open a new one. */
static void http_conn_error(conn_t *c) {
  http_errors++;
  if (c->closing) return;
  c->closing = true;
  uv_read_stop((uv_stream_t *)&c->tcp);
  uv_close((uv_handle_t *)&c->tcp, http_on_closed);
}

static void http_send(conn_t *c) {
  http_resp_t *r = &resps[c->id];
  r->head_len = 0;
  r->in_body = false;
  c->stimes[0] = uv_hrtime();
  c->next_send++;
  send_bytes(c, http_req, (size_t)http_req_len);
}

/* Parse the collected head: "HTTP/1.x SSS ..." and a Content-Length header.
 * Returns false when the head is not a response this client can frame. */
static bool http_parse_head(http_resp_t *r) {
  const char *h = r->head;
  int n = r->head_len;
  if (n < 12 || memcmp(h, "HTTP/1.", 7) != 0 || h[8] != ' ') return false;
  if (h[9] < '0' || h[9] > '9' || h[10] < '0' || h[10] > '9' || h[11] < '0' || h[11] > '9') return false;
  r->status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
  bool have_length = false;
  const char *line = memchr(h, '\n', (size_t)n);
  while (line && line + 1 < h + n) {
    line++;
    const char *end = memchr(line, '\n', (size_t)(h + n - line));
    if (!end) break;
    size_t len = (size_t)(end - line);
    if (len > 15 && strncasecmp(line, "content-length:", 15) == 0) {
      char *stop;
      const char *v = line + 15;
      while (*v == ' ' || *v == '\t') v++;
      unsigned long long cl = strtoull(v, &stop, 10);
      if (stop == v) return false;
      r->body_left = cl;
      have_length = true;
    } else if (len > 18 && strncasecmp(line, "transfer-encoding:", 18) == 0) {
      return false; /* chunked bodies are not framed by this client */
    }
    line = end;
  }
  return have_length;
}

static void http_response_done(conn_t *c) {
  http_resp_t *r = &resps[c->id];
  uint64_t now = uv_hrtime();
  c->recv_msgs++;
  msgs_total++;
  if (r->status < 200 || r->status > 299) http_non2xx++;
  if (phase == PH_MEASURE) {
    msgs_measured++;
    hist_add(now - c->stimes[0]);
  }
  if (phase == PH_DRAIN) {
    conn_close(c);
  } else {
    http_send(c);
  }
}

static void http_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  conn_t *c = s->data;
  if (nread < 0) {
    if (!c->closing) http_conn_error(c);
    return;
  }
  http_resp_t *r = &resps[c->id];
  const char *p = buf->base;
  size_t left = (size_t)nread;
  while (left) {
    if (c->recv_msgs == c->next_send) {
      http_conn_error(c); /* bytes with no request outstanding */
      return;
    }
    if (!r->in_body) {
      /* copy up to the end of the head ("\r\n\r\n") */
      size_t take = 0;
      bool complete = false;
      while (take < left) {
        if (r->head_len >= HEAD_MAX) {
          http_conn_error(c);
          return;
        }
        r->head[r->head_len++] = p[take++];
        if (r->head_len >= 4 && memcmp(r->head + r->head_len - 4, "\r\n\r\n", 4) == 0) {
          complete = true;
          break;
        }
      }
      p += take;
      left -= take;
      if (!complete) break;
      if (!http_parse_head(r)) {
        http_conn_error(c);
        return;
      }
      r->in_body = true;
    }
    size_t body = left < r->body_left ? left : (size_t)r->body_left;
    r->body_left -= body;
    http_body_bytes += body;
    p += body;
    left -= body;
    if (r->body_left == 0) {
      http_response_done(c);
      if (c->closing) return;
    }
  }
}

static void http_start_conn(conn_t *c) {
  UVCHECK(uv_read_start((uv_stream_t *)&c->tcp, on_alloc, http_on_read));
  http_send(c);
}

static void http_on_reconnect(conn_t *c) {
  if (phase == PH_DRAIN) {
    conn_close(c);
    return;
  }
  http_start_conn(c);
}

static void http_on_closed(uv_handle_t *h) {
  conn_t *c = h->data;
  conns_open--;
  c->recv_msgs = c->next_send; /* the lost request is not answered */
  if (phase != PH_DRAIN) {
    after_connect = http_on_reconnect;
    connect_one(c);
  } else if (conns_open == 0) {
    finish();
  }
}

static void http_enter_drain(uv_timer_t *t) {
  (void)t;
  t_end = uv_hrtime();
  phase = PH_DRAIN;
  for (int i = 0; i < opt_conns; i++)
    if (conns[i].recv_msgs == conns[i].next_send) conn_close(&conns[i]);
  if (conns_open == 0) finish();
}

static void http_on_warm(uv_timer_t *t) {
  (void)t;
  phase = PH_MEASURE;
  t_measure = uv_hrtime();
  uv_timer_start(&phase_timer, http_enter_drain, (uint64_t)(opt_duration * 1000), 0);
}

static void http_after_connect(conn_t *c) {
  (void)c;
  if (++conns_ready < opt_conns) return;
  t_start = uv_hrtime();
  if (opt_warmup > 0)
    uv_timer_start(&phase_timer, http_on_warm, (uint64_t)(opt_warmup * 1000), 0);
  else
    http_on_warm(NULL);
  for (int i = 0; i < opt_conns; i++) http_start_conn(&conns[i]);
}

static void print_http_result(void) {
  double secs = (double)(t_end - t_measure) / 1e9;
  double cpu = self_cpu_s();
  printf("{\"mode\":\"http\",\"conns\":%d,\"seconds\":%.6f,\"requests\":%" PRIu64 ",\"req_per_s\":%.1f,"
         "\"p50_us\":%.2f,\"p99_us\":%.2f,\"total_requests\":%" PRIu64 ",\"non2xx\":%" PRIu64
         ",\"errors\":%" PRIu64 ",\"body_bytes\":%" PRIu64 ",\"gen_cpu_s\":%.4f,"
         "\"gen_cpu_us_per_req\":%.3f,\"gen_busy\":%.3f}\n",
         opt_conns, secs, msgs_measured, secs > 0 ? (double)msgs_measured / secs : 0.0,
         hist_pct(0.50) / 1e3, hist_pct(0.99) / 1e3, msgs_total, http_non2xx, http_errors,
         http_body_bytes, cpu, msgs_total ? cpu * 1e6 / (double)msgs_total : 0.0, self_busy());
}

/* ================= main ================= */
static void finish(void) {
  if (strcmp(opt_mode, "echo") == 0) {
    if (!echo_result_printed) print_echo_result();
  } else if (strcmp(opt_mode, "http") == 0) {
    print_http_result();
  } else if (strcmp(opt_mode, "churn") == 0) {
    double secs = (double)(t_end - t_measure) / 1e9;
    printf("{\"mode\":\"churn\",\"workers\":%d,\"seconds\":%.6f,\"conns\":%" PRIu64
           ",\"conns_per_s\":%.1f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"total_conns\":%" PRIu64
           ",\"verified_bytes\":%" PRIu64 ",\"gen_cpu_us_per_conn\":%.3f,\"gen_busy\":%.3f}\n",
           opt_conns, secs, msgs_measured, secs > 0 ? (double)msgs_measured / secs : 0.0,
           hist_pct(0.5) / 1e3, hist_pct(0.99) / 1e3, msgs_total, bytes_verified,
           msgs_total ? self_cpu_s() * 1e6 / (double)msgs_total : 0.0, self_busy());
  } else if (strcmp(opt_mode, "idle") == 0) {
    printf("{\"mode\":\"idle\",\"done\":true}\n");
  }
  fflush(stdout);
  uv_close((uv_handle_t *)&timeout_timer, NULL);
  uv_close((uv_handle_t *)&phase_timer, NULL);
}

static void on_timeout(uv_timer_t *t) {
  (void)t;
  fail("timed out after %s seconds", "--timeout");
}

static void usage(void) {
  fprintf(stderr,
          "usage: loadgen echo|churn|bulk-up|bulk-down|idle|http --port P [--host H] [--conns N]\n"
          "  [--inflight K] [--size S] [--warmup SEC] [--duration SEC] [--messages M]\n"
          "  [--warmup-messages W --sync 1] [--burst BYTES] [--concurrency C] [--timeout SEC]\n");
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  opt_mode = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *k = argv[i];
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (!strcmp(k, "--host")) opt_host = v;
    else if (!strcmp(k, "--port")) opt_port = atoi(v);
    else if (!strcmp(k, "--conns")) opt_conns = atoi(v);
    else if (!strcmp(k, "--inflight")) opt_inflight = atoi(v);
    else if (!strcmp(k, "--size")) opt_size = atoi(v);
    else if (!strcmp(k, "--warmup")) opt_warmup = atof(v);
    else if (!strcmp(k, "--duration")) opt_duration = atof(v);
    else if (!strcmp(k, "--messages")) opt_messages = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--warmup-messages")) opt_warmup_messages = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--sync")) opt_sync = atoi(v) != 0;
    else if (!strcmp(k, "--timeout")) opt_timeout = atof(v);
    else if (!strcmp(k, "--burst")) opt_burst = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--concurrency")) opt_concurrency = atoi(v);
    else usage();
  }
  if (opt_port <= 0 || opt_conns < 1 || opt_inflight < 1 || opt_size < 1 || opt_size > 4096)
    usage();
  if (opt_burst < BULK_CHUNK) opt_burst = BULK_CHUNK;
  signal(SIGPIPE, SIG_IGN);

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  loop = uv_default_loop();
  if (strchr(opt_host, ':'))
    UVCHECK(uv_ip6_addr(opt_host, opt_port, (struct sockaddr_in6 *)&addr));
  else
    UVCHECK(uv_ip4_addr(opt_host, opt_port, (struct sockaddr_in *)&addr));
  bulk_pattern_fill(pattern, sizeof pattern);

  conns = calloc((size_t)opt_conns, sizeof(conn_t));
  scratch = malloc((size_t)opt_inflight * opt_size);
  for (int i = 0; i < opt_conns; i++) {
    conns[i].id = i;
    conns[i].stimes = calloc((size_t)opt_inflight, sizeof(uint64_t));
  }
  UVCHECK(uv_timer_init(loop, &phase_timer));
  UVCHECK(uv_timer_init(loop, &timeout_timer));
  uv_timer_start(&timeout_timer, on_timeout, (uint64_t)(opt_timeout * 1000), 0);
  uv_unref((uv_handle_t *)&timeout_timer);
  t_start = uv_hrtime();

  if (!strcmp(opt_mode, "echo")) {
    after_connect = echo_after_connect;
    connect_next();
  } else if (!strcmp(opt_mode, "http")) {
    resps = calloc((size_t)opt_conns, sizeof *resps);
    http_req_len = snprintf(http_req, sizeof http_req, "GET / HTTP/1.1\r\nHost: %s:%d\r\n\r\n",
                            opt_host, opt_port);
    after_connect = http_after_connect;
    connect_next();
  } else if (!strcmp(opt_mode, "idle")) {
    after_connect = idle_after_connect;
    connect_next();
  } else if (!strcmp(opt_mode, "bulk-up")) {
    opt_conns = 1;
    after_connect = bulk_up_after_connect;
    connect_next();
  } else if (!strcmp(opt_mode, "bulk-down")) {
    opt_conns = 1;
    after_connect = bulk_down_after_connect;
    connect_next();
  } else if (!strcmp(opt_mode, "churn")) {
    if (opt_warmup > 0) {
      uv_timer_start(&phase_timer, churn_on_warm, (uint64_t)(opt_warmup * 1000), 0);
    } else {
      churn_on_warm(NULL);
    }
    for (int i = 0; i < opt_conns; i++) churn_start(&conns[i]);
  } else {
    usage();
  }
  /* the time-out timer is unref'd: keep the loop alive through the run */
  uv_ref((uv_handle_t *)&timeout_timer);
  uv_run(loop, UV_RUN_DEFAULT);
  return 0;
}
