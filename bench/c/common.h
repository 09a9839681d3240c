/* Shared helpers for the cnet benchmark programs (load generator and C
 * reference server). C11 + libuv. */
#ifndef CNET_BENCH_COMMON_H
#define CNET_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BULK_CHUNK 65536

/* Byte i of the 64 KiB bulk pattern. The JS scenario code computes the same
 * formula (bench/scenarios/common.js: bulkPattern). */
static inline uint8_t bulk_pattern_byte(size_t i) {
  return (uint8_t)(i * 7u + (i >> 8) * 3u + 11u);
}

static inline void bulk_pattern_fill(uint8_t *buf, size_t len) {
  for (size_t i = 0; i < len; i++) buf[i] = bulk_pattern_byte(i);
}

static void die(const char *what, int err) {
  fprintf(stderr, "fatal: %s: %d\n", what, err);
  exit(2);
}

#define UVCHECK(call)                                                     \
  do {                                                                    \
    int rc_ = (call);                                                     \
    if (rc_ < 0) {                                                        \
      fprintf(stderr, "fatal: %s: %s\n", #call, uv_strerror(rc_));        \
      exit(2);                                                            \
    }                                                                     \
  } while (0)

#endif
