export { buildArguments, LaminarArgumentError, MAX_ARGUMENT_BYTES } from "./build-arguments.ts";
export { buildEnvironment, DROPPED_VARIABLES } from "./build-environment.ts";
export type { AbortResult } from "./classify-abort.ts";
export { classifyResult, type LaminarcExit } from "./classify-result.ts";
export { LaminarcHelper } from "./laminarc-helper.ts";
export { MAX_OUTPUT_BYTES, type RunOptions } from "./run-options.ts";
