export { CatchUp, LS_REMOTE_TIMEOUT_MS, type CatchUpOptions } from "./catch-up-service.ts";
export { runPass, polledRepositories, type PassDeps, type PassOptions, type PassReport } from "./run-pass.ts";
export { describePass, describeFinding } from "./describe-pass.ts";
export { lsRemote } from "./ls-remote.ts";
export { graceFor } from "./schedule.ts";
export { redactUrl } from "./redact-url.ts";
export { redeliverTargets } from "./redeliver-repository.ts";
