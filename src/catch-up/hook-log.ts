// What redelivery needs of a forge's webhook log, for one repository: its hooks, the attempts each
// logged, and "send this one again". GitHub and GitLab each have one (reference/forges.md,
// "Finding deliveries that never arrived"); Gitea, Forgejo and Gogs have none.

import type { HookDelivery } from "./pick-redeliveries.ts";

export interface LoggedHook {
  id: number;
  url: string | undefined;
  active: boolean;
}

export interface HookLog {
  listHooks(): Promise<LoggedHook[]>;
  /** Attempts logged at `since` or later (as far back as the forge keeps them). */
  listDeliveries(hookId: number, since: number): Promise<HookDelivery[]>;
  /** Asks the forge to send one attempt's delivery again; rejects with an error carrying the forge's `status`. */
  redeliver(hookId: number, deliveryId: number): Promise<void>;
}

/** A forge API's refusal: its status, and its message without the token. */
export class ForgeApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "ForgeApiError";
    this.status = status;
  }
}
