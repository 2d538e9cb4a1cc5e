import type { ApiTarget } from "./api-target.ts";
import type { StatusAnswer } from "./api-answer.ts";

/** One status to send, as every forge's client takes it. */
export interface StatusRequest {
  target: ApiTarget;
  /** `owner/name`; GitLab groups may nest: `group/sub/name`. */
  repo: string;
  sha: string;
  state: string;
  context: string;
  description: string;
  targetUrl?: string;
  /** GitLab only: the branch or tag. */
  ref?: string;
  /** Aborted on timeout or shutdown. */
  signal: AbortSignal;
}

/** Sends one status; never rejects: every failure is an answer (StatusAnswer). */
export type PostStatus = (request: StatusRequest) => Promise<StatusAnswer>;

/** Whom the API sees; GitHub refuses requests without a User-Agent. */
export const USER_AGENT = "laminar-hooks";
