import { quietLogger, type StageLogger } from "../observe/stage-logger.ts";
import { WorkerLoop } from "../dispatch/worker-loop.ts";
import type { ClaimedStatusPost, StatusOutbox } from "../journal/status-outbox.ts";
import type { Config, ForgeName, RetryPolicy } from "../types.ts";
import { decidePost, type PostDecision } from "./decide-post.ts";
import { formatDuration } from "../config/units.ts";
import { forgeApis, type ApiLog, type ForgeApi, type PostStatus, type StatusAnswer } from "../forges/api-clients.ts";
import { statusTarget } from "./status-target.ts";

/** What the onPost hook (metrics) is told after each attempt has been recorded. */
export interface PostEvent {
  post: ClaimedStatusPost;
  decision: PostDecision;
}

interface StatusPosterOptions {
  outbox: StatusOutbox;
  /** Read at each post: a reload that changes a token or turns statuses off applies at once. */
  getConfig: () => Config;
  /** A client per forge; default: the real ones over `fetch`. */
  clients?: Partial<Record<ForgeName, PostStatus>>;
  fetch?: typeof fetch;
  logger?: StageLogger;
  /** ms since the epoch */
  now?: () => number;
  /** In [0, 1), for the backoff's jitter. */
  random?: () => number;
  /** Posts in flight at once. */
  concurrency?: number;
  /** One post; a forge that hangs longer is tried again later. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** How often to look when nothing wakes the poster (a safety net). */
  pollIntervalMs?: number;
  onPost?: (event: PostEvent) => void;
}

/** 2 s doubling to 10 min: a forge's outage of about two hours is ridden out before giving up. */
const DEFAULT_STATUS_RETRY: RetryPolicy = { attempts: 20, delayMs: 2_000, maxDelayMs: 600_000 };

/** The clients for each forge with a status API; Forgejo speaks Gitea's. */
function defaultClients(options: { fetch?: typeof fetch; log?: ApiLog }): Partial<Record<ForgeName, PostStatus>> {
  const apis = forgeApis(options);
  const clients: Partial<Record<ForgeName, PostStatus>> = {};
  for (const [forge, api] of Object.entries(apis) as [ForgeName, ForgeApi][]) if (api.postStatus !== undefined) clients[forge] = api.postStatus;
  return clients;
}

/**
 * Sends the outbox's posts: at most `concurrency` at once and one per commit and context, each
 * bounded by `timeoutMs`, retried with backoff, every answer recorded. Woken by kick() when a
 * post is added, and by a timer for the next one due. All its state is in the journal: what a
 * stopped process left in flight is sent again at the next start.
 */
export class StatusPoster {
  readonly #outbox: StatusOutbox;
  readonly #getConfig: () => Config;
  readonly #clients: Partial<Record<ForgeName, PostStatus>>;
  readonly #logger: StageLogger;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #onPost: ((event: PostEvent) => void) | undefined;
  readonly #loop: WorkerLoop<ClaimedStatusPost, PostEvent>;

  constructor(options: StatusPosterOptions) {
    this.#outbox = options.outbox;
    this.#getConfig = options.getConfig;
    this.#logger = options.logger ?? quietLogger;
    this.#clients = options.clients ?? defaultClients({
      ...(options.fetch ? { fetch: options.fetch } : {}),
      log: octokitLog(this.#logger),
    });
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retry = options.retry ?? DEFAULT_STATUS_RETRY;
    this.#onPost = options.onPost;
    const concurrency = Math.max(1, options.concurrency ?? 4);
    this.#loop = new WorkerLoop({
      capacity: () => concurrency,
      claim: (now, max) => this.#outbox.claimDue(now, max),
      nextDue: () => this.#outbox.nextDueTime(),
      idOf: (post) => post.id,
      attempt: async (post, signal) => ({ post, decision: await this.#attempt(post, signal) }),
      record: (events) => events.map((event) => this.#record(event)),
      announce: (event) => this.#announce(event),
      // A forge's rate limit is in the journal before the next post to that forge is claimed.
      recordFirst: true,
      now: this.#now,
      pollIntervalMs: options.pollIntervalMs ?? 5_000,
      logger: this.#logger,
      words: {
        idField: "post",
        claimed: "status posts",
        outcome: "a status post",
        leftAtStop: "these posts stay marked sending and are sent again at the next start",
      },
    });
  }

  /** Posts being sent now. */
  get inFlight(): number {
    return this.#loop.inFlight;
  }

  /** Sends again what a previous process left in flight, then starts. Throws if the journal cannot be written. */
  start(): void {
    this.#loop.start(() => {
      const released = this.#outbox.releaseSending(this.#now());
      if (released > 0) this.#logger.warn({ released }, `${released} status post(s) were in flight when laminar-hooks last stopped; sending them again`);
    });
  }

  /** Looks for posts now; deferred, so a caller inside a transaction has committed by then. */
  kick(): void {
    this.#loop.kick();
  }

  /** Stops claiming and cuts the posts in flight short; they stay in the outbox, not counted as attempts. */
  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  async #attempt(post: ClaimedStatusPost, cancel: AbortSignal): Promise<PostDecision> {
    const now = () => this.#now();
    const target = statusTarget(this.#getConfig(), post.forge, post.repo);
    const client = this.#clients[post.forge];
    if (target === undefined || client === undefined) {
      return {
        outcome: "refused",
        status: "refused",
        answerStatus: null,
        answerMessage: `not sent: the config no longer has a token and API for ${post.forge} ${post.repo}, or says status: false`,
      };
    }
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let answer: StatusAnswer = await client({
      target,
      repo: post.repo,
      sha: post.sha,
      state: post.state,
      context: post.context,
      description: post.description,
      signal: AbortSignal.any([cancel, timeout]),
      ...(post.targetUrl !== undefined ? { targetUrl: post.targetUrl } : {}),
      ...(post.ref !== undefined ? { ref: post.ref } : {}),
    });
    if (answer.kind === "network" && cancel.aborted) {
      answer = { kind: "network", message: "cut short by the service stopping", canceled: true };
    } else if (answer.kind === "network" && timeout.aborted) {
      answer = { kind: "network", message: `no answer from ${target.api} within ${formatDuration(this.#timeoutMs)}`, canceled: false };
    }
    return decidePost({ forge: post.forge, answer, attempt: post.attempt, policy: this.#retry, now: now(), random: this.#random });
  }

  /** Undefined once the post's outcome (and a forge's rate limit) is in the journal, else the error. */
  #record(event: PostEvent): unknown {
    try {
      this.#outbox.record(event.post.id, event.decision, this.#now());
      if (event.decision.deferForgeUntil !== undefined) this.#outbox.deferForge(event.post.forge, event.decision.deferForgeUntil);
      return undefined;
    } catch (error) {
      return error;
    }
  }

  #announce(event: PostEvent): void {
    const { post, decision } = event;
    const details = {
      post: post.id,
      dispatch: post.dispatchId,
      forge: post.forge,
      repo: post.repo,
      sha: post.sha,
      context: post.context,
      state: post.state,
      attempt: post.attempt,
      answer: decision.answerStatus,
    };
    const what = `status ${post.state} "${post.context}" on ${post.repo}@${post.sha.slice(0, 7)}`;
    const said = decision.answerMessage ? `: ${decision.answerMessage}` : "";
    switch (decision.outcome) {
      case "posted":
        this.#logger.info(details, `posted ${what}`);
        break;
      case "canceled":
        this.#logger.info(details, `${what} was cut short by the shutdown; it is sent at the next start`);
        break;
      case "retry": {
        const wait = formatDuration(Math.max(0, (decision.nextAttemptAt ?? this.#now()) - this.#now()));
        this.#logger.warn(details, `${what} not posted${said}; trying again in ${wait}`);
        break;
      }
      case "refused":
        this.#logger.error(details, `${post.forge} refused ${what}${said}`);
        break;
      case "failed":
        this.#logger.error(details, `${what} not posted${said}`);
        break;
    }
    this.#onPost?.(event);
  }
}

/** octokit's own warnings go to the service's log; its debug chatter does not. */
function octokitLog(logger: StageLogger): ApiLog {
  return {
    debug() {},
    info() {},
    warn: (message) => logger.warn({ component: "octokit" }, message),
    error: (message) => logger.error({ component: "octokit" }, message),
  };
}
