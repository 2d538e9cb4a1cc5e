export { buildEnvironment } from "./build-environment.ts";
export { classifyResult, type LaminarcExit } from "./classify-result.ts";
export { LaminarcHelper } from "./laminarc-helper.ts";
