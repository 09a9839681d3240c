/* cnet benchmark: pure-C libuv server, the "C limit" row.
 *
 *   cserver echo|sink|source|http [--port P] [--host H]
 *
 * echo    writes back every byte it reads (uv_try_write, queue the rest)
 * sink    counts bytes until EOF, then replies "<count>\n" and closes
 * source  for each request line "<N>\n" sends N bytes of the 64 KiB pattern in
 *         64 KiB writes (at most 4 queued); closes after EOF
 * reply   echoes the first chunk it reads and ends (shutdown), closes on EOF:
 *         the churn server, which closes first
 * http    answers every "\r\n\r\n"-terminated request with a fixed 200 response
 * pipeline the echo server: a C server answers all requests of one read with
 *         one write, the bound the pipeline scenario's coalescing aims at
 *
 * Prints {"port":P,"pid":PID} on stdout when listening; exits when stdin closes
 * or receives a line (so callgrind can write its totals on a clean exit).
 */
#define _GNU_SOURCE
#include <uv.h>

#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common.h"

enum { M_ECHO, M_SINK, M_SOURCE, M_HTTP, M_REPLY };
static int mode = M_ECHO;
static uv_loop_t *loop;
static uv_tcp_t server;
static uv_pipe_t stdin_pipe;
static char rbuf[65536];
static uint8_t pattern[BULK_CHUNK];

static const char http_resp[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";

typedef struct {
  uv_tcp_t tcp;
  uv_shutdown_t sreq;
  uint64_t count;      /* sink: bytes; source: bytes still to send */
  int writes_pending;  /* source */
  bool eof;
  bool closing;
  char line[32];
  int line_len;
  int http_match;      /* how many bytes of "\r\n\r\n" matched so far */
} client_t;

typedef struct {
  uv_write_t req;
  char data[];
} wbuf_t;

static void on_alloc(uv_handle_t *h, size_t sug, uv_buf_t *buf) {
  (void)h;
  (void)sug;
  buf->base = rbuf;
  buf->len = sizeof rbuf;
}

static void on_client_closed(uv_handle_t *h) { free(h->data); }

static void client_close(client_t *c) {
  if (c->closing) return;
  c->closing = true;
  uv_close((uv_handle_t *)&c->tcp, on_client_closed);
}

static void on_wfree(uv_write_t *req, int status) {
  (void)status;
  free(req);
}

static void write_copy(client_t *c, const char *p, size_t len) {
  uv_buf_t b = uv_buf_init((char *)p, (unsigned)len);
  int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
  if (n == UV_EAGAIN) n = 0;
  if (n < 0) {
    client_close(c);
    return;
  }
  if ((size_t)n == len) return;
  wbuf_t *w = malloc(sizeof(wbuf_t) + len - n);
  memcpy(w->data, p + n, len - n);
  b = uv_buf_init(w->data, (unsigned)(len - n));
  if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_wfree) < 0) {
    free(w);
    client_close(c);
  }
}

static void on_sink_reply_written(uv_write_t *req, int status) {
  (void)status;
  client_t *c = req->handle->data;
  free(req);
  client_close(c);
}

/* ---- source ---- */
static void source_pump(client_t *c);

static void on_source_write(uv_write_t *req, int status) {
  client_t *c = req->handle->data;
  free(req);
  c->writes_pending--;
  if (status < 0) {
    client_close(c);
    return;
  }
  source_pump(c);
}

static void source_pump(client_t *c) {
  while (c->count > 0 && c->writes_pending < 4 && !c->closing) {
    size_t n = c->count < BULK_CHUNK ? (size_t)c->count : BULK_CHUNK;
    uv_write_t *req = malloc(sizeof *req);
    uv_buf_t b = uv_buf_init((char *)pattern, (unsigned)n);
    if (uv_write(req, (uv_stream_t *)&c->tcp, &b, 1, on_source_write) < 0) {
      free(req);
      client_close(c);
      return;
    }
    c->writes_pending++;
    c->count -= n;
  }
  if (c->eof && c->count == 0 && c->writes_pending == 0) client_close(c);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  client_t *c = s->data;
  if (nread == UV_EOF) {
    c->eof = true;
    if (mode == M_SINK) {
      char tmp[32];
      int n = snprintf(tmp, sizeof tmp, "%" PRIu64 "\n", c->count);
      wbuf_t *w = malloc(sizeof(wbuf_t) + (size_t)n);
      memcpy(w->data, tmp, (size_t)n);
      uv_buf_t b = uv_buf_init(w->data, (unsigned)n);
      if (uv_write(&w->req, s, &b, 1, on_sink_reply_written) < 0) {
        free(w);
        client_close(c);
      }
      uv_read_stop(s);
    } else if (mode == M_SOURCE) {
      uv_read_stop(s);
      source_pump(c);
    } else {
      client_close(c);
    }
    return;
  }
  if (nread < 0) {
    client_close(c);
    return;
  }
  switch (mode) {
    case M_ECHO:
      write_copy(c, buf->base, (size_t)nread);
      break;
    case M_SINK:
      c->count += (uint64_t)nread;
      break;
    case M_REPLY:
      if (!c->eof && c->count == 0) {
        c->count = 1;
        write_copy(c, buf->base, (size_t)nread);
        if (!c->closing) uv_shutdown(&c->sreq, s, NULL);
      }
      break;
    case M_SOURCE:
      for (ssize_t i = 0; i < nread; i++) {
        char ch = buf->base[i];
        if (ch == '\n') {
          c->line[c->line_len] = 0;
          c->count += strtoull(c->line, NULL, 10);
          c->line_len = 0;
        } else if (c->line_len < (int)sizeof c->line - 1) {
          c->line[c->line_len++] = ch;
        }
      }
      source_pump(c);
      break;
    case M_HTTP: {
      static const char term[] = "\r\n\r\n";
      int reqs = 0;
      for (ssize_t i = 0; i < nread; i++) {
        char ch = buf->base[i];
        if (ch == term[c->http_match]) {
          if (++c->http_match == 4) {
            reqs++;
            c->http_match = 0;
          }
        } else {
          c->http_match = (ch == '\r') ? 1 : 0;
        }
      }
      if (reqs) {
        static char out[64 * sizeof http_resp];
        while (reqs > 0) {
          int batch = reqs > 64 ? 64 : reqs;
          size_t len = 0;
          for (int k = 0; k < batch; k++) {
            memcpy(out + len, http_resp, sizeof http_resp - 1);
            len += sizeof http_resp - 1;
          }
          write_copy(c, out, len);
          reqs -= batch;
        }
      }
      break;
    }
  }
}

static void on_connection(uv_stream_t *srv, int status) {
  if (status < 0) return;
  client_t *c = calloc(1, sizeof *c);
  uv_tcp_init(loop, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(srv, (uv_stream_t *)&c->tcp) < 0) {
    client_close(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void walk_close(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

static void on_stdin(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  (void)s;
  (void)buf;
  if (nread == 0) return;
  uv_stop(loop);
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: cserver echo|sink|source|http|reply [--port P] [--host H]\n");
    return 1;
  }
  if (!strcmp(argv[1], "echo") || !strcmp(argv[1], "pipeline")) mode = M_ECHO;
  else if (!strcmp(argv[1], "sink")) mode = M_SINK;
  else if (!strcmp(argv[1], "source")) mode = M_SOURCE;
  else if (!strcmp(argv[1], "http")) mode = M_HTTP;
  else if (!strcmp(argv[1], "reply")) mode = M_REPLY;
  else {
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 1;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--host")) host = argv[i + 1];
  }
  signal(SIGPIPE, SIG_IGN);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  bulk_pattern_fill(pattern, sizeof pattern);
  loop = uv_default_loop();

  struct sockaddr_storage addr;
  if (strchr(host, ':'))
    UVCHECK(uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr));
  else
    UVCHECK(uv_ip4_addr(host, port, (struct sockaddr_in *)&addr));
  UVCHECK(uv_tcp_init(loop, &server));
  UVCHECK(uv_tcp_bind(&server, (struct sockaddr *)&addr, 0));
  UVCHECK(uv_listen((uv_stream_t *)&server, 4096, on_connection));
  struct sockaddr_storage bound;
  int blen = sizeof bound;
  UVCHECK(uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &blen));
  int bport = ntohs(((struct sockaddr_in *)&bound)->sin_port);
  printf("{\"port\":%d,\"pid\":%d}\n", bport, (int)getpid());
  fflush(stdout);

  if (uv_guess_handle(0) == UV_NAMED_PIPE) {
    UVCHECK(uv_pipe_init(loop, &stdin_pipe, 0));
    UVCHECK(uv_pipe_open(&stdin_pipe, 0));
    UVCHECK(uv_read_start((uv_stream_t *)&stdin_pipe, on_alloc, on_stdin));
  }
  uv_run(loop, UV_RUN_DEFAULT);
  uv_walk(loop, walk_close, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  return 0;
}
