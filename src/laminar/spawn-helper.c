/*
 * The spawn helper behind LaminarcHelper (laminarc-helper.ts): a tiny long-lived process that
 * starts every laminarc for the service. Starting a child blocks the starting process until the
 * child has exec'd, and a fork costs in proportion to the forking process's memory (~4 ms from the
 * 180 MB service on the project's machine, taken from every HTTP answer); from this ~1 MB process
 * it costs ~0.1 ms and nothing of the service's event loop.
 *
 * Built by scripts/build-spawn-helper.mjs when npm installs the project (a C compiler is needed),
 * from this file (the protocol and the loop) and spawn-helper-runs.c (starting, watching and
 * reporting each laminarc).
 *
 * Protocol (helper-protocol.ts is the other side). Every frame is a little-endian u32 length, then
 * that many bytes, the first of which says what it is. From the service, on stdin:
 *   'H' version:u32                                            the handshake: answered with an 'H'
 *   'E' key:u32 count:u32 then count NUL-terminated "K=V"     a base environment, kept by key
 *   'R' id:u32 envKey:u32 timeoutMs:u32 maxOutput:u32 argc:u32 setc:u32
 *       then argc NUL-terminated strings (the file, then its arguments),
 *       then setc NUL-terminated "K=V" (override the base)   start one run
 *   'C' id:u32                                                 kill that run (canceled)
 * To the service, on stdout:
 *   'H' version:u32                                            PROTOCOL_VERSION, first of all
 *   'F' id:u32 flags:u8 exitCode:i32 signal:u32 errno:u32 durationMs:u32 outLen:u32 errLen:u32
 *       then outLen bytes of stdout and errLen bytes of stderr
 *       once per run, when it has exited and closed its output
 *   flags: 1 exited, 2 killed by a signal, 4 timed out, 8 canceled, 16 could not be started
 * The service sends nothing else before it has the helper's 'H' with the version it expects, so a
 * build/ from elsewhere (another version, another machine) is refused before it starts anything.
 *
 * No laminarc outlives the service (DESIGN.md, guarantee 4), whichever process dies and however:
 * - the service exits, even by SIGKILL: stdin ends, every laminarc's process group is killed and
 *   the helper exits; and the kernel kills the helper itself (PR_SET_PDEATHSIG, set at start);
 * - the helper dies (SIGKILL, the OOM killer, a bad frame): the kernel kills every laminarc it
 *   started (each gets PR_SET_PDEATHSIG before its exec, see spawn-helper-runs.c).
 * Nothing here uses a shell.
 *
 * It runs at a lower CPU priority than the service (its first argument is the nice increment,
 * helper-channel.ts LAMINARC_NICENESS), and so does every laminarc it starts: one `laminarc queue`
 * costs ~15 ms of CPU, and the service's answers must win it.
 *
 * Ctrl-C at a terminal sends SIGINT to the whole foreground process group. The service then stops
 * gracefully, letting laminarc calls in flight finish; so the helper ignores SIGINT, and starts each
 * laminarc in a process group of its own, out of the terminal's reach.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "spawn-helper.h"

#define MAX_FRAME (64u * 1024u * 1024u)

struct env {
  uint32_t key;
  char **vars; /* NULL-terminated */
  struct env *next;
};

static struct env *envs;
static int signal_pipe[2];

void die(const char *what) {
  fprintf(stderr, "laminar-hooks spawn helper: %s: %s\n", what, strerror(errno));
  kill_every_run();
  exit(2);
}

void *xmalloc(size_t size) {
  void *memory = malloc(size ? size : 1);
  if (!memory) die("out of memory");
  return memory;
}

int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t read_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(unsigned char *p, uint32_t value) {
  p[0] = value & 0xff;
  p[1] = (value >> 8) & 0xff;
  p[2] = (value >> 16) & 0xff;
  p[3] = (value >> 24) & 0xff;
}

static void on_sigchld(int signal_number) {
  (void)signal_number;
  int saved = errno;
  ssize_t ignored = write(signal_pipe[1], "c", 1);
  (void)ignored;
  errno = saved;
}

/* Blocking: the service reads results as they come. A service that is gone ends us (EPIPE). */
static void write_all(const unsigned char *data, size_t length) {
  while (length > 0) {
    ssize_t written = write(STDOUT_FILENO, data, length);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd out = { STDOUT_FILENO, POLLOUT, 0 };
        poll(&out, 1, -1);
        continue;
      }
      end_everything();
    }
    data += written;
    length -= (size_t)written;
  }
}

void send_hello(void) {
  unsigned char frame[4 + 5];
  put_u32(frame, 5);
  frame[4] = 'H';
  put_u32(frame + 5, PROTOCOL_VERSION);
  write_all(frame, sizeof frame);
}

void send_result(uint32_t id, int flags, int32_t exit_code, uint32_t signal_number, uint32_t error,
                 uint32_t duration_ms, const char *out, uint32_t out_length, const char *err, uint32_t err_length) {
  unsigned char header[4 + 30];
  uint32_t body = 30 + out_length + err_length;
  put_u32(header, body);
  header[4] = 'F';
  put_u32(header + 5, id);
  header[9] = (unsigned char)flags;
  put_u32(header + 10, (uint32_t)exit_code);
  put_u32(header + 14, signal_number);
  put_u32(header + 18, error);
  put_u32(header + 22, duration_ms);
  put_u32(header + 26, out_length);
  put_u32(header + 30, err_length);
  write_all(header, sizeof header);
  if (out_length) write_all((const unsigned char *)out, out_length);
  if (err_length) write_all((const unsigned char *)err, err_length);
}

static struct env *find_env(uint32_t key) {
  for (struct env *e = envs; e; e = e->next)
    if (e->key == key) return e;
  return NULL;
}

/* Splits `count` NUL-terminated strings from [*cursor, end); NULL if the frame is malformed. */
static char **take_strings(const char **cursor, const char *end, uint32_t count) {
  char **strings = xmalloc(((size_t)count + 1) * sizeof *strings);
  for (uint32_t i = 0; i < count; i++) {
    const char *nul = memchr(*cursor, '\0', (size_t)(end - *cursor));
    if (!nul) {
      free(strings);
      return NULL;
    }
    strings[i] = (char *)*cursor;
    *cursor = nul + 1;
  }
  strings[count] = NULL;
  return strings;
}


static void handle_frame(const unsigned char *frame, uint32_t length) {
  if (length < 1) return;
  const char *end = (const char *)frame + length;
  if (frame[0] == 'H' && length >= 5) {
    send_hello();
  } else if (frame[0] == 'E' && length >= 9) {
    uint32_t key = read_u32(frame + 1), count = read_u32(frame + 5);
    char *copy = xmalloc(length);
    memcpy(copy, frame, length);
    const char *cursor = copy + 9;
    char **vars = take_strings(&cursor, copy + length, count);
    if (!vars) die("malformed environment frame");
    struct env *e = xmalloc(sizeof *e);
    e->key = key;
    e->vars = vars;
    e->next = envs;
    envs = e;
  } else if (frame[0] == 'R' && length >= 25) {
    uint32_t id = read_u32(frame + 1), env_key = read_u32(frame + 5), timeout = read_u32(frame + 9);
    uint32_t max_output = read_u32(frame + 13), argc = read_u32(frame + 17), setc = read_u32(frame + 21);
    const char *cursor = (const char *)frame + 25;
    char **argv = take_strings(&cursor, end, argc);
    char **set = argv ? take_strings(&cursor, end, setc) : NULL;
    if (!argv || !set || argc == 0) die("malformed run frame");
    struct env *base = find_env(env_key);
    start_run(id, base ? base->vars : NULL, timeout, max_output, argv, set);
    free(argv);
    free(set);
  } else if (frame[0] == 'C' && length >= 5) {
    uint32_t id = read_u32(frame + 1);
    for (struct run *run = runs; run; run = run->next)
      if (run->id == id) kill_run(run, KILLED_CANCEL);
  } else {
    errno = EPROTO;
    die("unknown frame");
  }
}

/* Before any laminarc is started, so that each inherits it. Failing to lower it is no reason to stop. */
static void lower_priority(const char *increment) {
  errno = 0;
  if (nice(atoi(increment)) == -1 && errno != 0)
    fprintf(stderr, "laminar-hooks spawn helper: nice: %s; laminarc runs at the service's priority\n", strerror(errno));
}

/*
 * The kernel kills this helper when the service dies, however it dies; if the service is already
 * gone (it died between its spawn and this line, and the helper now has another parent), exit.
 * The signal is tied to the thread that started the helper: Node's main thread, which lives as
 * long as the service.
 */
static void die_with_service(const char *service_pid) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die("prctl(PR_SET_PDEATHSIG)");
  if (service_pid != NULL && getppid() != (pid_t)atol(service_pid)) exit(0);
}

int main(int argc, char **argv) {
  die_with_service(argc > 2 ? argv[2] : NULL);
  if (argc > 1) lower_priority(argv[1]);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) die("pipe");
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_sigchld;
  action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGCHLD, &action, NULL) != 0) die("sigaction");
  fcntl(STDIN_FILENO, F_SETFD, FD_CLOEXEC);
  fcntl(STDOUT_FILENO, F_SETFD, FD_CLOEXEC);

  size_t capacity = 65536, filled = 0;
  unsigned char *input = xmalloc(capacity);
  struct pollfd *polled = NULL;
  size_t polled_capacity = 0;

  for (;;) {
    size_t count = 2;
    for (struct run *run = runs; run; run = run->next) count += 2;
    if (count > polled_capacity) {
      free(polled);
      polled_capacity = count * 2;
      polled = xmalloc(polled_capacity * sizeof *polled);
    }
    polled[0] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
    polled[1] = (struct pollfd){ signal_pipe[0], POLLIN, 0 };
    size_t n = 2;
    int64_t now = now_ms(), wait = -1;
    for (struct run *run = runs; run; run = run->next) {
      for (int which = 0; which < 2; which++) polled[n++] = (struct pollfd){ run->fds[which], POLLIN, 0 };
      if (run->killed == KILLED_NONE && !run->exited) {
        int64_t left = run->deadline_ms > now ? run->deadline_ms - now : 0;
        if (wait < 0 || left < wait) wait = left;
      }
    }
    int ready = poll(polled, n, wait > INT32_MAX ? INT32_MAX : (int)wait);
    if (ready < 0 && errno != EINTR) die("poll");

    if (polled[1].revents) {
      char drained[64];
      while (read(signal_pipe[0], drained, sizeof drained) > 0) {}
    }
    reap_children();
    n = 2;
    for (struct run *run = runs; run; run = run->next)
      for (int which = 0; which < 2; which++, n++)
        if (run->fds[which] >= 0 && polled[n].revents) read_output(run, which);
    now = now_ms();
    for (struct run *run = runs; run; run = run->next)
      if (run->killed == KILLED_NONE && !run->exited && now >= run->deadline_ms) kill_run(run, KILLED_TIMEOUT);

    if (polled[0].revents) {
      if (filled == capacity) {
        capacity *= 2;
        unsigned char *grown = realloc(input, capacity);
        if (!grown) die("out of memory");
        input = grown;
      }
      ssize_t got = read(STDIN_FILENO, input + filled, capacity - filled);
      if (got < 0 && errno != EINTR && errno != EAGAIN) end_everything();
      if (got == 0) end_everything();
      if (got > 0) filled += (size_t)got;
      size_t used = 0;
      while (filled - used >= 4) {
        uint32_t length = read_u32(input + used);
        if (length > MAX_FRAME) {
          errno = EMSGSIZE;
          die("frame too large");
        }
        if (filled - used - 4 < length) {
          if (length + 4 > capacity) {
            while (capacity < length + 4) capacity *= 2;
            unsigned char *grown = realloc(input, capacity);
            if (!grown) die("out of memory");
            input = grown;
          }
          break;
        }
        handle_frame(input + used + 4, length);
        used += 4 + length;
      }
      memmove(input, input + used, filled - used);
      filled -= used;
    }
    finish_runs();
  }
}
