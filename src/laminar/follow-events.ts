// laminard's event stream, parsed at the edge into typed values (reference/laminard-http.md).
// Times on the wire are Unix seconds; here they are ms since the epoch, as everywhere else.

/** What a run ends as in Laminar. */
type RunResult = "success" | "failed" | "aborted";
/** What laminard says of a run: its `result` field. */
export type LaminarRunState = "queued" | "running" | RunResult;

/** One run as a home snapshot or a live event names it, with what is known of its times. */
export interface RunFacts {
  job: string;
  number: number;
  state: LaminarRunState;
  queuedAt?: number;
  startedAt?: number;
  completedAt?: number;
  /** The LAMINAR_REASON it was queued with, when the frame carries it. */
  reason?: string;
}

/** The first frame on `/`: laminard's in-memory queue and running runs, and the last completed ones. */
export interface HomeSnapshot {
  /** laminard's clock when it made the snapshot, ms (whole seconds). */
  time: number;
  runs: RunFacts[];
}

/** The first frame on `/jobs/JOB/N`. */
export type RunSnapshot =
  | { kind: "unknown-job" }
  | { kind: "unknown-run"; latestNumber?: number }
  | { kind: "run"; state: LaminarRunState; queuedAt?: number; startedAt?: number; completedAt?: number; reason?: string; latestNumber?: number };

/** A frame that is not what laminard sends: laminar.http probably points at something else. */
export class LaminardFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LaminardFrameError";
  }
}

const STATES: readonly string[] = ["queued", "running", "success", "failed", "aborted"];

/** One `data:` frame: its type, its `data`, and the `time` a `status` frame carries beside it. */
export interface Frame {
  type: string;
  time?: unknown;
  data: Record<string, unknown>;
}

/** The `data:` of one frame as JSON, or a LaminardFrameError. */
export function parseFrame(data: string): Frame {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new LaminardFrameError(`laminard sent a frame that is not JSON: ${data.slice(0, 120)}`);
  }
  if (!isObject(value) || typeof value["type"] !== "string") {
    throw new LaminardFrameError(`laminard sent a frame without a type: ${data.slice(0, 120)}`);
  }
  return { type: value["type"], time: value["time"], data: isObject(value["data"]) ? value["data"] : {} };
}

/** The home scope's `status` frame; throws if the frame is not one. */
export function parseHomeSnapshot(frame: Frame): HomeSnapshot {
  if (frame.type !== "status") throw new LaminardFrameError(`the first frame of laminard's stream is "${frame.type}", not "status"`);
  const { data } = frame;
  const runs: RunFacts[] = [];
  for (const item of list(data["queued"])) {
    const run = runRef(item);
    if (run !== undefined) runs.push({ ...run, state: "queued" });
  }
  for (const item of list(data["running"])) {
    const run = runRef(item);
    if (run !== undefined) runs.push(withTimes({ ...run, state: "running" as const }, item));
  }
  for (const item of list(data["recent"])) {
    const run = runRef(item);
    const state = item["result"];
    if (run !== undefined && typeof state === "string" && STATES.includes(state)) {
      runs.push(withTimes({ ...run, state: state as LaminarRunState }, item));
    }
  }
  return { time: seconds(frame.time) ?? 0, runs };
}

/** The `status` frame of one run's scope. */
export function parseRunSnapshot(frame: Frame): RunSnapshot {
  if (frame.type !== "status") throw new LaminardFrameError(`the first frame of a run's stream is "${frame.type}", not "status"`);
  const { data } = frame;
  const result = data["result"];
  if (typeof result === "string" && STATES.includes(result)) {
    const times = withTimes({}, data);
    const reason = data["reason"];
    const latest = data["latestNum"];
    return {
      kind: "run", state: result as LaminarRunState, ...times,
      ...(typeof reason === "string" ? { reason } : {}),
      ...(typeof latest === "number" ? { latestNumber: latest } : {}),
    };
  }
  if ("latestNum" in data) {
    const latest = data["latestNum"];
    return typeof latest === "number" ? { kind: "unknown-run", latestNumber: latest } : { kind: "unknown-run" };
  }
  return { kind: "unknown-job" };
}

/** A live event about one run, or undefined for frames that say nothing about runs. */
export function parseLiveEvent(frame: Frame): RunFacts | undefined {
  const ref = runRef(frame.data);
  if (ref === undefined) return undefined;
  const reason = frame.data["reason"];
  const run = typeof reason === "string" ? { ...ref, reason } : ref;
  switch (frame.type) {
    case "job_queued":
      return { ...run, state: "queued" };
    case "job_started":
      return withTimes({ ...run, state: "running" as const }, frame.data);
    case "job_completed": {
      const result = frame.data["result"];
      if (result !== "success" && result !== "failed" && result !== "aborted") return undefined;
      return withTimes({ ...run, state: result as RunResult }, frame.data);
    }
    default:
      return undefined;
  }
}

function runRef(item: Record<string, unknown>): { job: string; number: number } | undefined {
  const name = item["name"];
  const number = item["number"];
  if (typeof name !== "string" || name === "" || typeof number !== "number" || !Number.isSafeInteger(number)) return undefined;
  return { job: name, number };
}

/** Copies the times laminard gave; 0 means "not yet" in its rows, so it is left out. */
function withTimes<T extends object>(target: T, item: Record<string, unknown>): T & Pick<RunFacts, "queuedAt" | "startedAt" | "completedAt"> {
  const result: T & Pick<RunFacts, "queuedAt" | "startedAt" | "completedAt"> = { ...target };
  const queued = seconds(item["queued"]);
  const started = seconds(item["started"]);
  const completed = seconds(item["completed"]);
  if (queued !== undefined) result.queuedAt = queued;
  if (started !== undefined) result.startedAt = started;
  if (completed !== undefined) result.completedAt = completed;
  return result;
}

function seconds(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value * 1000 : undefined;
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
