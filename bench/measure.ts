// What the benchmark watches from outside the contenders: the memory of a whole process tree,
// and the calls the fake laminarc (or webhook's command) has recorded.

import { closeSync, openSync, readFileSync, readSync, readdirSync } from "node:fs";

const PAGE_BYTES = 4096;

/** A process and all its descendants, from /proc/PID/task/TID/children (Linux). */
export function processTree(root: number): number[] {
  const seen: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    seen.push(pid);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ")) {
          if (child.trim() !== "") stack.push(Number(child));
        }
      } catch {
        // The task ended while we looked.
      }
    }
  }
  return seen;
}

/** The name the kernel gives a process (its executable's, cut to 15 bytes); "" once it is gone. */
export function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** Resident memory of one process in bytes (0 once it is gone). */
export function rssBytes(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/statm`, "utf8").split(" ");
    return Number(fields[1]) * PAGE_BYTES;
  } catch {
    return 0;
  }
}

/** VmHWM, the kernel's own peak resident memory of one process, in bytes. */
export function peakRssBytes(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Proportional set size: resident memory with each shared page (the node binary's code, shared
 * libraries) divided among the processes that map it, so a tree's sum counts it once.
 */
export function pssBytes(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface TreeMemory {
  /** Highest sum of the tree's resident memory seen in one sample, the processes left out aside. */
  peakTreeBytes: number;
  /** Highest sum of the tree's proportional memory (sampled less often: it costs more to read). */
  peakTreePssBytes: number;
  /** The root process's own VmHWM at the last sample (exact, not sampled). */
  peakRootBytes: number;
  /** Most processes counted in the tree at once. */
  peakProcesses: number;
  /** Most processes left out (laminarc calls) at once. */
  peakLeftOut: number;
}

/**
 * Samples the resident memory of a process tree every `intervalMs` until stopped, leaving out the
 * processes named `leaveOut` (the fake laminarc: the targets judge the service, not laminarc).
 * Children that live a few milliseconds can fall between samples; the root's own peak is exact.
 */
export function sampleTreeMemory(root: number, leaveOut: string, intervalMs = 20): { stop(): TreeMemory; current(): TreeMemory } {
  const memory: TreeMemory = { peakTreeBytes: 0, peakTreePssBytes: 0, peakRootBytes: 0, peakProcesses: 0, peakLeftOut: 0 };
  let samples = 0;
  const sample = () => {
    const all = processTree(root);
    const pids = all.filter((pid) => processName(pid) !== leaveOut);
    memory.peakLeftOut = Math.max(memory.peakLeftOut, all.length - pids.length);
    let sum = 0;
    for (const pid of pids) sum += rssBytes(pid);
    memory.peakTreeBytes = Math.max(memory.peakTreeBytes, sum);
    if (samples++ % 5 === 0) {
      let pss = 0;
      for (const pid of pids) pss += pssBytes(pid);
      memory.peakTreePssBytes = Math.max(memory.peakTreePssBytes, pss);
    }
    memory.peakProcesses = Math.max(memory.peakProcesses, pids.length);
    memory.peakRootBytes = Math.max(memory.peakRootBytes, peakRssBytes(root));
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    current: () => ({ ...memory }),
    stop() {
      clearInterval(timer);
      sample();
      return { ...memory };
    },
  };
}

/** Counts the lines of a file that only grows, reading only what was appended since the last look. */
export class CallCounter {
  readonly #file: string;
  #offset = 0;
  #count = 0;

  constructor(file: string) {
    this.#file = file;
  }

  count(): number {
    let fd: number;
    try {
      fd = openSync(this.#file, "r");
    } catch {
      return this.#count;
    }
    try {
      const buffer = Buffer.allocUnsafe(1 << 16);
      for (;;) {
        const read = readSync(fd, buffer, 0, buffer.length, this.#offset);
        if (read === 0) break;
        // Count whole lines only: a line being appended right now is counted at the next look.
        const end = buffer.lastIndexOf(10, read - 1);
        if (end === -1) break;
        for (let i = 0; i <= end; i++) if (buffer[i] === 10) this.#count += 1;
        this.#offset += end + 1;
      }
    } finally {
      closeSync(fd);
    }
    return this.#count;
  }
}

/** Distinct delivery ids among the recorded calls, and how many were recorded more than once. */
export function distinctCalls(file: string): { distinct: number; repeated: number } {
  let text = "";
  try {
    text = readFileSync(file, "latin1");
  } catch {
    return { distinct: 0, repeated: 0 };
  }
  const seen = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line !== "") seen.set(line, (seen.get(line) ?? 0) + 1);
  }
  let repeated = 0;
  for (const count of seen.values()) if (count > 1) repeated += 1;
  return { distinct: seen.size, repeated };
}

/** No call for this long: the rest are not coming (a command that never ran). */
const STALLED_MS = 5000;

export interface Drain {
  /** Calls recorded when the load stopped. */
  atLoadEnd: number;
  /** Calls recorded in the end. */
  final: number;
  /** From the end of the load to the last call recorded, in ms; 0 when nothing was left. */
  drainMs: number;
  /** Gave up (timeout or stalled) before reaching `expected`. */
  timedOut: boolean;
}

/**
 * Waits until at least `expected` calls are recorded and no more arrive for `quietMs`, or until
 * `timeoutMs`. `loadEnd` is the performance.now() at which the load generator stopped.
 */
export async function waitForDrain(file: string, expected: number, loadEnd: number, timeoutMs: number, quietMs = 400): Promise<Drain> {
  const counter = new CallCounter(file);
  const atLoadEnd = counter.count();
  let last = atLoadEnd;
  let lastChange = loadEnd;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const now = performance.now();
    const count = counter.count();
    if (count !== last) {
      last = count;
      lastChange = now;
    }
    // Done when every expected call came, or when none came for a while: those never will.
    if ((count >= expected && now - lastChange >= quietMs) || now - lastChange >= STALLED_MS) {
      return { atLoadEnd, final: count, drainMs: last === atLoadEnd ? 0 : lastChange - loadEnd, timedOut: count < expected };
    }
    if (now - loadEnd > timeoutMs) return { atLoadEnd, final: count, drainMs: now - loadEnd, timedOut: true };
  }
}
