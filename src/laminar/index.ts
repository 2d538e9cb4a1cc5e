export { buildArguments, LaminarArgumentError, MAX_ARGUMENT_BYTES } from "./build-arguments.ts";
export { buildEnvironment, DROPPED_VARIABLES } from "./build-environment.ts";
export { classifyResult, type LaminarcExit } from "./classify-result.ts";
export { runLaminarc, MAX_OUTPUT_BYTES, type RunLaminarcOptions } from "./run-laminarc.ts";
export { LaminarcHelper } from "./laminarc-helper.ts";
