/*
 * The native helper behind LaminarcHelper (laminarc-helper.ts): a tiny long-lived process that
 * starts laminarc for the service. It does what spawn-helper.ts does, for a fraction of the cost:
 *
 * - Node's child_process forks, and a fork costs in proportion to the forking process's memory
 *   (~1 ms a spawn from a 50 MB helper, ~4 ms from the 180 MB service on the project's machine);
 *   posix_spawn here uses vfork semantics and costs ~0.1 ms from a process of ~1 MB.
 * - A Node helper is another ~60 MB resident; this one is about 1 MB.
 *
 * Built by scripts/build-spawn-helper.mjs when npm installs the project; when no C compiler is
 * there, the service uses spawn-helper.ts instead (same protocol fields, same results).
 *
 * Protocol (native-helper-protocol.ts is the other side). Every frame is a little-endian u32
 * length, then that many bytes. From the service, on stdin:
 *   'E' key:u32 count:u32 then count NUL-terminated "K=V"     a base environment, kept by key
 *   'R' id:u32 envKey:u32 timeoutMs:u32 maxOutput:u32 argc:u32 setc:u32
 *       then argc NUL-terminated strings (the file, then its arguments),
 *       then setc NUL-terminated "K=V" (override the base)   start one run
 *   'C' id:u32                                                 kill that run (canceled)
 * To the service, on stdout, once per run when it has exited and closed its output:
 *   id:u32 flags:u8 exitCode:i32 signal:u32 errno:u32 durationMs:u32 outLen:u32 errLen:u32
 *   then outLen bytes of stdout and errLen bytes of stderr
 *   flags: 1 exited, 2 killed by a signal, 4 timed out, 8 canceled, 16 could not be started
 *
 * When stdin ends (the service exited, even by SIGKILL), every laminarc still running is killed
 * and the helper exits: no orphans (DESIGN.md, guarantee 4). Nothing here uses a shell.
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
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME (64u * 1024u * 1024u)

enum { FLAG_EXITED = 1, FLAG_SIGNALED = 2, FLAG_TIMED_OUT = 4, FLAG_CANCELED = 8, FLAG_SPAWN_ERROR = 16 };
enum { KILLED_NONE, KILLED_TIMEOUT, KILLED_CANCEL, KILLED_OUTPUT };

struct env {
  uint32_t key;
  char **vars; /* NULL-terminated */
  struct env *next;
};

struct run {
  uint32_t id;
  pid_t pid;
  int fds[2]; /* stdout, stderr read ends; -1 once closed */
  int exited;
  int status;
  int killed;
  uint32_t max_output;
  int64_t started_ms, deadline_ms;
  char *output[2];
  uint32_t length[2];
  struct run *next;
};

static struct env *envs;
static struct run *runs;
static int signal_pipe[2];

static void die(const char *what) {
  fprintf(stderr, "laminar-hooks spawn helper: %s: %s\n", what, strerror(errno));
  exit(2);
}

static void *xmalloc(size_t size) {
  void *memory = malloc(size ? size : 1);
  if (!memory) die("out of memory");
  return memory;
}

static int64_t now_ms(void) {
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
      exit(0);
    }
    data += written;
    length -= (size_t)written;
  }
}

static void send_result(uint32_t id, int flags, int32_t exit_code, uint32_t signal_number, uint32_t error,
                        uint32_t duration_ms, const char *out, uint32_t out_length, const char *err, uint32_t err_length) {
  unsigned char header[4 + 29];
  uint32_t body = 29 + out_length + err_length;
  put_u32(header, body);
  put_u32(header + 4, id);
  header[8] = (unsigned char)flags;
  put_u32(header + 9, (uint32_t)exit_code);
  put_u32(header + 13, signal_number);
  put_u32(header + 17, error);
  put_u32(header + 21, duration_ms);
  put_u32(header + 25, out_length);
  put_u32(header + 29, err_length);
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

static size_t name_length(const char *var) {
  const char *equals = strchr(var, '=');
  return equals ? (size_t)(equals - var) : strlen(var);
}

/* The base environment without the names `set` overrides, then `set`. */
static char **merge_env(char **base, char **set) {
  size_t count = 0, n = 0;
  for (char **v = base; v && *v; v++) count++;
  for (char **v = set; *v; v++) count++;
  char **merged = xmalloc((count + 1) * sizeof *merged);
  for (char **v = base; v && *v; v++) {
    int overridden = 0;
    for (char **s = set; *s && !overridden; s++)
      overridden = name_length(*s) == name_length(*v) && strncmp(*s, *v, name_length(*v)) == 0;
    if (!overridden) merged[n++] = *v;
  }
  for (char **v = set; *v; v++) merged[n++] = *v;
  merged[n] = NULL;
  return merged;
}

/* execvp's search, but with the PATH of the environment laminarc gets, as Node's spawn does. */
static int spawn_searching(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                           const posix_spawnattr_t *attributes, char **argv, char **envp) {
  if (strchr(file, '/')) return posix_spawn(pid, file, actions, attributes, argv, envp);
  const char *path = NULL;
  for (char **v = envp; *v; v++)
    if (strncmp(*v, "PATH=", 5) == 0) path = *v + 5;
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  int result = ENOENT, denied = 0;
  size_t file_length = strlen(file);
  while (1) {
    const char *colon = strchr(path, ':');
    size_t dir_length = colon ? (size_t)(colon - path) : strlen(path);
    char *candidate = xmalloc(dir_length + file_length + 2);
    if (dir_length == 0) {
      strcpy(candidate, file); /* an empty PATH entry is the current directory */
    } else {
      memcpy(candidate, path, dir_length);
      candidate[dir_length] = '/';
      strcpy(candidate + dir_length + 1, file);
    }
    result = posix_spawn(pid, candidate, actions, attributes, argv, envp);
    free(candidate);
    if (result == 0) return 0;
    if (result == EACCES) denied = 1;
    else if (result != ENOENT && result != ENOTDIR) return result;
    if (!colon) break;
    path = colon + 1;
  }
  return denied ? EACCES : result;
}

static void start_run(uint32_t id, uint32_t env_key, uint32_t timeout_ms, uint32_t max_output, char **argv, char **set) {
  int64_t started = now_ms();
  struct env *base = find_env(env_key);
  char **envp = merge_env(base ? base->vars : NULL, set);
  int out[2] = { -1, -1 }, err[2] = { -1, -1 };
  pid_t pid = -1;
  int error = 0;
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    error = errno;
  } else {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    sigset_t none, standard;
    sigemptyset(&none);
    sigemptyset(&standard);
    for (int number = 1; number < 32; number++)
      if (number != SIGKILL && number != SIGSTOP) sigaddset(&standard, number);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawnattr_init(&attributes);
    /* laminarc starts with the signals at their defaults (SIGPIPE and SIGINT are ignored here)
       and none blocked, as a child of Node does. */
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &standard);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    error = spawn_searching(&pid, argv[0], &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  free(envp);
  if (out[1] >= 0) close(out[1]);
  if (err[1] >= 0) close(err[1]);
  if (error != 0) {
    if (out[0] >= 0) close(out[0]);
    if (err[0] >= 0) close(err[0]);
    send_result(id, FLAG_SPAWN_ERROR, 0, 0, (uint32_t)error, (uint32_t)(now_ms() - started), NULL, 0, NULL, 0);
    return;
  }
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  fcntl(err[0], F_SETFL, O_NONBLOCK);
  struct run *run = xmalloc(sizeof *run);
  memset(run, 0, sizeof *run);
  run->id = id;
  run->pid = pid;
  run->fds[0] = out[0];
  run->fds[1] = err[0];
  run->max_output = max_output;
  run->started_ms = started;
  run->deadline_ms = started + timeout_ms;
  run->output[0] = xmalloc(max_output);
  run->output[1] = xmalloc(max_output);
  run->next = runs;
  runs = run;
}

/* SIGKILL: laminarc holds nothing worth cleaning up, and a SIGSTOPped one would ignore SIGTERM. */
static void kill_run(struct run *run, int reason) {
  if (run->exited) return;
  if (run->killed == KILLED_NONE) run->killed = reason;
  kill(run->pid, SIGKILL);
}

static void handle_frame(const unsigned char *frame, uint32_t length) {
  if (length < 1) return;
  const char *end = (const char *)frame + length;
  if (frame[0] == 'E' && length >= 9) {
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
    start_run(id, env_key, timeout, max_output, argv, set);
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

static void read_output(struct run *run, int which) {
  char chunk[16384];
  for (;;) {
    ssize_t got = read(run->fds[which], chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return;
    if (got <= 0) {
      close(run->fds[which]);
      run->fds[which] = -1;
      return;
    }
    uint32_t used = run->length[0] + run->length[1];
    uint32_t room = run->max_output > used ? run->max_output - used : 0;
    uint32_t kept = (uint32_t)got < room ? (uint32_t)got : room;
    memcpy(run->output[which] + run->length[which], chunk, kept);
    run->length[which] += kept;
    /* More than laminarc ever prints: not laminarc talking; stop it rather than keep reading. */
    if ((uint32_t)got > room) kill_run(run, KILLED_OUTPUT);
  }
}

static void reap_children(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (struct run *run = runs; run; run = run->next) {
      if (run->pid == pid) {
        run->exited = 1;
        run->status = status;
      }
    }
  }
}

/* A run is over once laminarc has exited and both of its outputs are closed, like Node's 'close'. */
static void finish_runs(void) {
  struct run **link = &runs;
  while (*link) {
    struct run *run = *link;
    if (!run->exited || run->fds[0] >= 0 || run->fds[1] >= 0) {
      link = &run->next;
      continue;
    }
    int flags = 0;
    int32_t code = 0;
    uint32_t signal_number = 0;
    if (WIFEXITED(run->status)) {
      flags |= FLAG_EXITED;
      code = WEXITSTATUS(run->status);
    } else if (WIFSIGNALED(run->status)) {
      flags |= FLAG_SIGNALED;
      signal_number = (uint32_t)WTERMSIG(run->status);
    }
    if (run->killed == KILLED_TIMEOUT) flags |= FLAG_TIMED_OUT;
    if (run->killed == KILLED_CANCEL) flags |= FLAG_CANCELED;
    send_result(run->id, flags, code, signal_number, 0, (uint32_t)(now_ms() - run->started_ms),
                run->output[0], run->length[0], run->output[1], run->length[1]);
    *link = run->next;
    free(run->output[0]);
    free(run->output[1]);
    free(run);
  }
}

static void end_everything(void) {
  for (struct run *run = runs; run; run = run->next)
    if (!run->exited) kill(run->pid, SIGKILL);
  for (struct run *run = runs; run; run = run->next)
    if (!run->exited) waitpid(run->pid, NULL, 0);
  exit(0);
}

/* Before any laminarc is started, so that each inherits it. Failing to lower it is no reason to stop. */
static void lower_priority(const char *increment) {
  errno = 0;
  if (nice(atoi(increment)) == -1 && errno != 0)
    fprintf(stderr, "laminar-hooks spawn helper: nice: %s; laminarc runs at the service's priority\n", strerror(errno));
}

int main(int argc, char **argv) {
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
