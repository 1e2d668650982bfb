/*
 * vmshift libvirt-lab guest workload (PID 1 of the tiny test guest).
 *
 *   dirtier FILL_MIB DIRTY_MIB RATE_MIBPS
 *
 * FILL: an area written once with a per-page pattern and re-verified every second (proof that
 * migrated memory is intact). DIRTY: a working set kept non-zero and re-dirtied at RATE MiB/s
 * (0 = flat out, -1 = idle). Once per second it prints a health line on the serial console:
 *   tick <n> t=<s.mmm> dirtied=<MiB>MiB verify=ok|FAIL
 * It never exits (PID 1 exiting panics the kernel).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t pattern(uint64_t page, uint64_t word) {
  uint64_t x = (page * 0x9E3779B97F4A7C15ULL) ^ (word + 0x632BE59BD9B4E019ULL);
  x ^= x >> 29; x *= 0xBF58476D1CE4E5B9ULL; x ^= x >> 32;
  return x | 1;
}

static void hang(const char *why) {
  printf("dirtier: error %s\n", why);
  for (;;) sleep(3600);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  long fill = argc > 1 ? atol(argv[1]) : 64;
  long dirty = argc > 2 ? atol(argv[2]) : 64;
  long rate = argc > 3 ? atol(argv[3]) : -1;
  size_t fill_pages = (size_t)fill * 256, dirty_pages = (size_t)dirty * 256;
  uint64_t *f = fill_pages ? malloc(fill_pages * PAGE) : NULL;
  uint64_t *d = dirty_pages ? malloc(dirty_pages * PAGE) : NULL;
  if ((fill_pages && !f) || (dirty_pages && !d)) hang("allocation failed");
  const size_t words = PAGE / 8;
  for (size_t p = 0; p < fill_pages; p++)
    for (size_t w = 0; w < words; w++) f[p * words + w] = pattern(p, w);
  for (size_t p = 0; p < dirty_pages; p++)
    for (size_t w = 0; w < words; w++) d[p * words + w] = p + w + 1;
  printf("dirtier: ready fill=%ldMiB dirty=%ldMiB rate=%ldMiB/s\n", fill, dirty, rate);

  double start = now_s(), next_tick = start + 1.0;
  uint64_t gen = 1, dirtied_pages = 0, tick = 0;
  size_t cursor = 0;
  for (;;) {
    double slice_start = now_s();
    if (rate > 0 && dirty_pages) {
      size_t n = (size_t)rate * 256 / 100; /* pages per 10 ms */
      if (n == 0) n = 1;
      for (size_t i = 0; i < n; i++) {
        d[cursor * words] = gen++;
        cursor = (cursor + 1) % dirty_pages;
      }
      dirtied_pages += n;
    } else if (rate == 0 && dirty_pages) {
      for (size_t p = 0; p < dirty_pages; p++) d[p * words] = gen++;
      dirtied_pages += dirty_pages;
    }
    double t = now_s();
    if (t >= next_tick) {
      int ok = 1;
      for (size_t p = 0; p < fill_pages && ok; p++)
        for (size_t w = 0; w < words; w += 61)
          if (f[p * words + w] != pattern(p, w)) { ok = 0; break; }
      tick++;
      printf("tick %llu t=%.3f dirtied=%lluMiB verify=%s\n", (unsigned long long)tick, t - start,
             (unsigned long long)(dirtied_pages / 256), ok ? "ok" : "FAIL");
      while (next_tick <= t) next_tick += 1.0;
    }
    if (rate < 0) usleep(100000);
    else if (rate > 0) {
      double left = 0.010 - (now_s() - slice_start);
      if (left > 0) usleep((useconds_t)(left * 1e6));
    }
  }
}
