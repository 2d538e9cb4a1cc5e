/*
 * The benchmark's laminarc: it costs what a real `laminarc queue` costs. The real client takes
 * about 15 ms of CPU a call (process start-up and loading the capnp/kj libraries;
 * ../../shared/reference/laminarc.md), which at `concurrency: 4` on a 2-core machine competes with
 * the service for the CPU. A fake that only sleeps costs nothing and hides that, so this one
 * spins on its own CPU clock. Built by bench/run.ts with cc into build/bench-laminarc.
 *
 *   laminarc queue JOB k=v…   spins until it has used $BENCH_LAMINARC_CPU_MS ms of CPU (default
 *                             15, start-up included), then sleeps $BENCH_LAMINARC_SLEEP_MS ms
 *                             (default 0: "laminarc takes 2 s" sets 2000), appends the value of
 *                             its `delivery=` argument (or $BENCH_DELIVERY) as one line to
 *                             $BENCH_CALLS, prints `JOB:PID`, exit 0
 *
 * adnanh/webhook runs the same binary (bench/hooks.json.template) so both sides pay and record
 * alike.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double cpu_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

static long env_number(const char *name, long fallback) {
  const char *value = getenv(name);
  return value && *value ? atol(value) : fallback;
}

int main(int argc, char **argv) {
  const char *delivery = getenv("BENCH_DELIVERY");
  for (int i = 1; i < argc; i++)
    if (strncmp(argv[i], "delivery=", 9) == 0) delivery = argv[i] + 9;

  /* User time, as laminarc's own is: a little work between looks at the clock (each look is a
     system call). */
  double until = (double)env_number("BENCH_LAMINARC_CPU_MS", 15);
  volatile unsigned long sink = 0;
  while (cpu_ms() < until)
    for (int i = 0; i < 20000; i++) sink += (unsigned long)i;

  long sleep_ms = env_number("BENCH_LAMINARC_SLEEP_MS", 0);
  if (sleep_ms > 0) {
    struct timespec pause = { sleep_ms / 1000, (sleep_ms % 1000) * 1000000L };
    while (nanosleep(&pause, &pause) != 0) {}
  }

  const char *calls = getenv("BENCH_CALLS");
  if (calls) {
    /* One short line in one write with O_APPEND: parallel calls never interleave. */
    char line[512];
    int length = snprintf(line, sizeof line, "%s\n", delivery ? delivery : "");
    int fd = open(calls, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, line, (size_t)length) != length) {
      perror("bench-laminarc: BENCH_CALLS");
      return 2;
    }
    close(fd);
  }
  printf("%s:%d\n", argc > 2 ? argv[2] : "job", (int)getpid());
  return 0;
}
