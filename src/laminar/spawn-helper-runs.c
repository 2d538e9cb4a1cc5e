/*
 * The runs of the native spawn helper (spawn-helper.c has the protocol and the loop): each
 * laminarc started with posix_spawn and no shell, its output collected up to a bound, killed at
 * its deadline or when canceled, and reported once it has exited and closed its output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

void start_run(uint32_t id, char **base_env, uint32_t timeout_ms, uint32_t max_output, char **argv, char **set) {
  int64_t started = now_ms();
  char **envp = merge_env(base_env, set);
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
void kill_run(struct run *run, int reason) {
  if (run->exited) return;
  if (run->killed == KILLED_NONE) run->killed = reason;
  kill(run->pid, SIGKILL);
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

void end_everything(void) {
  for (struct run *run = runs; run; run = run->next)
    if (!run->exited) kill(run->pid, SIGKILL);
  for (struct run *run = runs; run; run = run->next)
    if (!run->exited) waitpid(run->pid, NULL, 0);
  exit(0);
}
