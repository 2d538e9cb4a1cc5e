// A planned push as GitHub sends it: the real push payload of test/fixtures (push-5.json), moved to
// the push's branch and commits, signed with the hook's secret, and the request that carries it.

import { payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders } from "../support/test-service.ts";
import type { PlannedPush } from "./chaos-plan.ts";

export const CHAOS_SECRET = "chaos-hook-secret";
export const CHAOS_REPO = "Codertocat/Hello-World";

const template = JSON.parse(payload("github/push-5.json").toString("utf8")) as Record<string, unknown> & {
  commits: Record<string, unknown>[];
  head_commit: Record<string, unknown>;
};

/** The body GitHub would send for this push (the same bytes for every delivery of it). */
export function pushBody(push: PlannedPush): Buffer {
  const commit = { ...template.head_commit, id: push.sha, message: `chaos push ${push.index}`, url: `https://github.com/${CHAOS_REPO}/commit/${push.sha}` };
  return Buffer.from(
    JSON.stringify({
      ...template,
      ref: `refs/heads/${push.branch}`,
      before: push.before,
      after: push.sha,
      compare: `https://github.com/${CHAOS_REPO}/compare/${push.before.slice(0, 12)}...${push.sha.slice(0, 12)}`,
      commits: [commit],
      head_commit: commit,
    }),
  );
}

export type SendOutcome = { status: number; message: string } | { error: string };

/** POSTs one delivery of the push and reads the answer; a refused or cut connection is an outcome too. */
export async function sendDelivery(url: string, body: Buffer, deliveryId: string): Promise<SendOutcome> {
  try {
    // GitHub gives a hook 10 s to answer.
    const response = await fetch(`${url}/hooks`, {
      method: "POST",
      body,
      headers: githubHeaders("push", deliveryId, githubSignature(CHAOS_SECRET, body)),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let message = text.slice(0, 200);
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
    } catch {
      // Not JSON: the text itself says what happened.
    }
    return { status: response.status, message };
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause;
    return { error: cause?.code ?? (error as Error).message };
  }
}
