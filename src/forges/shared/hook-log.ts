// What redelivery needs of a forge's webhook log, for one repository: its hooks, the attempts each
// logged, and "send this one again". GitHub and GitLab each have one (reference/forges.md,
// "Finding deliveries that never arrived"); Gitea, Forgejo and Gogs have none.

/** One attempt of a hook's delivery, as GitHub's delivery log lists it (GitLab's events are read into the same shape). */
export interface HookDelivery {
  /** This attempt's id: the one to ask GitHub to send again. */
  id: number;
  /** The delivery's id (X-GitHub-Delivery; GitLab's Idempotency-Key), the same on every attempt. */
  guid: string;
  deliveredAt: number;
  /** "OK" when it worked; else what went wrong ("failed to connect to host", "Invalid HTTP Response: 503"). */
  status: string;
  statusCode: number;
  event: string;
}

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
