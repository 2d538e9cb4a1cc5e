import { ForgeApiError, refusalWhy } from "../forges/api-clients.ts";

/** A failure of `repo add` or `rotate-secret` that is the operator's to fix: its message says how. */
export class RepoCommandError extends Error {}

/** The forge's refusal of the token, named with the permission it needs; `afterChange` says what was already done. */
export async function refusedNamed<T>(call: Promise<T>, context: { label: string; repo: string; api: string; permission: string; afterChange?: string }): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const after = context.afterChange ?? "nothing was changed";
    if (error instanceof ForgeApiError && [401, 403, 404].includes(error.status)) {
      throw new RepoCommandError(`${context.label} refused the token for ${context.repo} (${error.status} ${error.message}: ${refusalWhy(error.status)}); it needs ${context.permission}. ${after}`);
    }
    const message = error instanceof ForgeApiError ? `${error.status} ${error.message}` : error instanceof Error ? error.message : String(error);
    throw new RepoCommandError(`${context.label}'s API at ${context.api} failed for ${context.repo}: ${message}. ${after}`);
  }
}

