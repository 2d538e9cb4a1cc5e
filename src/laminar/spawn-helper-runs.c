/*
 * The runs of the spawn helper (spawn-helper.c has the protocol and the loop): each laminarc
 * started with fork and exec and no shell, in a process group of its own, killed by the kernel if
 * the helper dies; its output collected up to a bound, killed at its deadline or when canceled,
 * and reported once it has exited and closed its output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn-helper.h"

struct run *runs;

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

/*
 * The paths to try for `file`, as execvp searches them but with the PATH of the environment
 * laminarc gets (as Node's spawn does); built before the fork, so that the child only calls exec.
 */
static char **candidates_for(const char *file, char **envp) {
  if (strchr(file, '/')) {
    char **one = xmalloc(2 * sizeof *one);
    one[0] = strdup(file);
    one[1] = NULL;
    if (!one[0]) die("out of memory");
    return one;
  }
  const char *path = NULL;
  for (char **v = envp; *v; v++)
    if (strncmp(*v, "PATH=", 5) == 0) path = *v + 5;
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  size_t count = 1;
  for (const char *c = path; *c; c++) count += *c == ':';
  char **list = xmalloc((count + 1) * sizeof *list);
  size_t n = 0, file_length = strlen(file);
  for (const char *dir = path;; ) {
    const char *colon = strchr(dir, ':');
    size_t dir_length = colon ? (size_t)(colon - dir) : strlen(dir);
    char *candidate = xmalloc(dir_length + file_length + 2);
    if (dir_length == 0) {
      strcpy(candidate, file); /* an empty PATH entry is the current directory */
    } else {
      memcpy(candidate, dir, dir_length);
      candidate[dir_length] = '/';
      strcpy(candidate + dir_length + 1, file);
    }
    list[n++] = candidate;
    if (!colon) break;
    dir = colon + 1;
  }
  list[n] = NULL;
  return list;
}

static void free_list(char **list) {
  for (char **v = list; *v; v++) free(*v);
  free(list);
}

/*
 * In the child, between fork and exec: only async-signal-safe calls. Tells the helper why the
 * exec failed through `report` (closed by a successful exec: O_CLOEXEC) and exits.
 */
static void become_laminarc(pid_t helper, int report, int out, int err, char **candidates, char **argv, char **envp) {
  /* Killed by the kernel when the helper dies, whatever kills it. If it died already (the child
     was adopted before this line), nothing would kill this laminarc later: do not start it. The
     signal is tied to the thread that forks; the helper has only one. It survives the exec
     (laminarc is neither set-user-ID nor given capabilities). */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != helper) _exit(127);
  /* A process group of its own: out of reach of the terminal's Ctrl-C, and killed as a whole. */
  setpgid(0, 0);
  /* laminarc starts with the signals at their defaults (SIGPIPE and SIGINT are ignored here) and
     none blocked, as a child of Node does. */
  struct sigaction standard;
  memset(&standard, 0, sizeof standard);
  standard.sa_handler = SIG_DFL;
  for (int number = 1; number < NSIG; number++)
    if (number != SIGKILL && number != SIGSTOP) sigaction(number, &standard, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  int null = open("/dev/null", O_RDONLY);
  if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0) {
    int error = errno;
    ssize_t ignored = write(report, &error, sizeof error);
    (void)ignored;
    _exit(127);
  }
  int error = ENOENT, denied = 0;
  for (char **candidate = candidates; *candidate; candidate++) {
    execve(*candidate, argv, envp);
    error = errno;
    if (error == EACCES) denied = 1;
    else if (error != ENOENT && error != ENOTDIR) break;
  }
  if (denied && (error == ENOENT || error == ENOTDIR)) error = EACCES;
  ssize_t ignored = write(report, &error, sizeof error);
  (void)ignored;
  _exit(127);
}

/* Starts argv; 0 with *pid set, or the errno why it could not be started. */
static int spawn_laminarc(pid_t *pid, int out, int err, char **argv, char **envp) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return errno;
  char **candidates = candidates_for(argv[0], envp);
  pid_t helper = getpid();
  pid_t child = fork();
  if (child == 0) become_laminarc(helper, report[1], out, err, candidates, argv, envp);
  int error = child < 0 ? errno : 0;
  close(report[1]);
  free_list(candidates);
  if (child > 0) {
    /* Until the exec: a successful one closes the pipe with nothing written. */
    int reported;
    ssize_t got;
    do got = read(report[0], &reported, sizeof reported);
    while (got < 0 && errno == EINTR);
    if (got == (ssize_t)sizeof reported) {
      error = reported;
      while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
    }
  }
  close(report[0]);
  if (error == 0) *pid = child;
  return error;
}

void start_run(uint32_t id, char **base_env, uint32_t timeout_ms, uint32_t max_output, char **argv, char **set) {
  int64_t started = now_ms();
  char **envp = merge_env(base_env, set);
  int out[2] = { -1, -1 }, err[2] = { -1, -1 };
  pid_t pid = -1;
  int error = 0;
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) error = errno;
  else error = spawn_laminarc(&pid, out[1], err[1], argv, envp);
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

/*
 * SIGKILL to its whole process group: laminarc holds nothing worth cleaning up, and a SIGSTOPped
 * one would ignore SIGTERM.
 */
void kill_run(struct run *run, int reason) {
  if (run->exited) return;
  if (run->killed == KILLED_NONE) run->killed = reason;
  kill(-run->pid, SIGKILL);
}


void read_output(struct run *run, int which) {
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

void reap_children(void) {
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
void finish_runs(void) {
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

void kill_every_run(void) {
  for (struct run *run = runs; run; run = run->next)
    if (!run->exited) kill(-run->pid, SIGKILL);
}

/* The service is gone: nobody will read a result. */
void end_everything(void) {
  kill_every_run();
  for (struct run *run = runs; run; run = run->next)
    if (!run->exited) waitpid(run->pid, NULL, 0);
  exit(0);
}
