export { CatchUp, LS_REMOTE_TIMEOUT_MS } from "./catch-up-service.ts";
export { runPass, polledRepositories, type PassReport } from "./run-pass.ts";
export { describePass } from "./describe-pass.ts";
export { lsRemote } from "./ls-remote.ts";
export { graceFor } from "./schedule.ts";
export { redeliverTargets } from "./redeliver-repository.ts";
