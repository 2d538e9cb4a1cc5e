export { findRepository, forgeWideSecret, verificationFor, type Verification } from "./find-repository.ts";
export { route } from "./route.ts";
export { buildReason } from "./build-reason.ts";
export { manualPayload, manualRequest } from "./manual-request.ts";
