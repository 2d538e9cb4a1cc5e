/*
 * What the two halves of the spawn helper share: spawn-helper.c reads the service's frames and
 * runs the loop; spawn-helper-runs.c starts each laminarc, collects its output and reports how it
 * ended. See spawn-helper.c for the protocol.
 */
#ifndef SPAWN_HELPER_H
#define SPAWN_HELPER_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

/* The handshake's version: helper-protocol.ts PROTOCOL_VERSION must be the same. */
#define PROTOCOL_VERSION 2u

enum { FLAG_EXITED = 1, FLAG_SIGNALED = 2, FLAG_TIMED_OUT = 4, FLAG_CANCELED = 8, FLAG_SPAWN_ERROR = 16 };
enum { KILLED_NONE, KILLED_TIMEOUT, KILLED_CANCEL, KILLED_OUTPUT };

struct run {
  uint32_t id;
  pid_t pid; /* also its process group */
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

/* The runs not reported yet. */
extern struct run *runs;

/* spawn-helper.c */
void die(const char *what);
void *xmalloc(size_t size);
int64_t now_ms(void);
void send_hello(void);
void send_result(uint32_t id, int flags, int32_t exit_code, uint32_t signal_number, uint32_t error,
                 uint32_t duration_ms, const char *out, uint32_t out_length, const char *err, uint32_t err_length);

/* spawn-helper-runs.c */
void start_run(uint32_t id, char **base_env, uint32_t timeout_ms, uint32_t max_output, char **argv, char **set);
void kill_run(struct run *run, int reason);
void read_output(struct run *run, int which);
void reap_children(void);
void finish_runs(void);
void kill_every_run(void);
void end_everything(void);

#endif
