// Types shared across the stages of the data flow: http → forges → routing → journal → dispatch →
// laminar. Each stage imports what it needs with `import type`; nothing here does any work.
// The two imports below are the one edge from here into a stage folder, allowed on purpose
// (test/layout/imports.test.ts checks that it stays so): type-only, of two files in src/config that
// import nothing of the project, so no module cycle can pass through them.

import type { Cidr } from "./config/cidr.ts";
import type { Secret } from "./config/secret.ts";

/** The forges laminar-hooks understands. Forgejo and Gogs speak Gitea's dialect with their own headers. */
export const FORGE_NAMES = ["github", "gitea", "forgejo", "gogs", "gitlab"] as const;
export type ForgeName = (typeof FORGE_NAMES)[number];

/** The events a job can be routed on, the same for every forge. */
export const EVENT_KINDS = ["push", "tag", "pull_request", "release"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Pull request actions that start a job when a rule does not list `actions:` itself. */
export const DEFAULT_PULL_REQUEST_ACTIONS = ["opened", "synchronize", "reopened"] as const;

/** Release actions that start a job when a rule does not list `actions:` itself. */
export const DEFAULT_RELEASE_ACTIONS = ["published"] as const;

/** The parameters laminar-hooks derives from every delivery, in the order laminarc gets them. */
export const BUILT_IN_PARAMS = [
  "rev", "ref", "branch", "tag", "before", "repo", "clone_url", "ssh_url", "event", "forge", "pr", "base_branch",
  "sender", "delivery",
] as const;

// ---------------------------------------------------------------------------------------------
// Configuration: what src/config turns the YAML file into. Frozen; secrets already resolved
// (or, for commands that only read, marked unreadable: src/config/secret.ts).

export type ListenAddress =
  | { kind: "tcp"; host: string; port: number }
  | { kind: "unix"; path: string };

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  delayMs: number;
  maxDelayMs: number;
}

export interface ServerConfig {
  listen: ListenAddress;
  /** URL prefix of the hook endpoints, without a trailing slash: `/hooks`. */
  path: string;
  trustProxy: boolean;
  bodyLimitBytes: number;
  /** Bytes that bodies not yet verified may hold at once, all requests together. */
  unverifiedLimitBytes: number;
  /** Where the forges send hooks, as they see it (catch-up looks for hooks with this URL). */
  publicUrl?: string;
  /** Slow clients: time to send the headers, and the whole request. */
  headerTimeoutMs: number;
  requestTimeoutMs: number;
  /** For a unix socket: its mode, and the group that may connect (nginx's). */
  socket: { mode: number; group?: string };
  /** Hook senders allowed; absent: everyone. */
  allow?: readonly Cidr[];
  /** /metrics and /readyz only for loopback and the unix socket. */
  internalLoopbackOnly: boolean;
  /** PEM file paths; absent: plain HTTP. */
  tls?: { cert: string; key: string };
}

export interface LaminarConfig {
  laminarc: string;
  host: string;
  /** laminard's web UI as this box reaches it; absent: runs are not followed. */
  httpUrl?: string;
  /** Laminar's UI as users reach it, for links: `base_url`, else `http`. */
  baseUrl?: string;
  /** A run lost to a laminard restart is queued again at most this often. */
  requeueLost: number;
  /** Laminar's home (LAMINAR_HOME), absolute: `doctor` reads cfg/jobs and cfg/env there. */
  home?: string;
  concurrency: number;
  timeoutMs: number;
  retry: RetryPolicy;
}

interface JournalConfig {
  /** Absolute; a relative path in the file is taken from the config file's folder. */
  path: string;
  retentionMs: number;
}

export interface ForgeConfig {
  /** The secret the forge's hooks sign with: the last of `secrets`. */
  secret?: Secret;
  /** Every secret a delivery may be signed with, in the config's order (one, or two while it changes). */
  secrets?: readonly Secret[];
  insecure: boolean;
  /** API token for commit statuses and redelivery. */
  token?: Secret;
  /** API root; github defaults to https://api.github.com. */
  api?: string;
}

/** Commit statuses: `context` is a template over job, event, forge and repo. */
interface StatusConfig {
  context: string;
}

interface CatchUpConfig {
  /** 0: catch-up is off. */
  intervalMs: number;
  /** Ask GitHub and GitLab to send failed deliveries to `server.public_url` again. */
  redeliver: boolean;
}

interface UiConfig {
  enabled: boolean;
  /** HTTP basic auth; absent: loopback clients only. */
  auth?: { user: string; password: Secret };
}

export interface JobRule {
  job: string;
  events: readonly EventKind[];
  /** Globs on the branch name; absent: every branch. */
  branches?: readonly string[];
  /** Globs on the tag name; absent: every tag. */
  tags?: readonly string[];
  /** Pull request or release actions; absent: the defaults above. */
  actions?: readonly string[];
  /** A push whose head commit says `[skip ci]` (or the like) starts this job only when false. */
  skipCi: boolean;
  /** Globs on the changed files of a push: build only when one of them matches. */
  paths?: readonly string[];
  /** Globs on the changed files of a push: skip only when every one of them matches. */
  ignorePaths?: readonly string[];
  /** LAMINAR_HOST for this job instead of `laminar.host`. */
  host?: string;
  /**
   * A newer push to the same branch (or pull request) dispatched for this job aborts its older run:
   * `queued` when that run starts, `running` also while it runs. Absent: every push builds.
   */
  supersede?: "queued" | "running";
  /** Extra parameters, parsed at load: `{{ branch }}` and `{{ payload.a.b }}` are filled per delivery. */
  params: Readonly<Record<string, Template>>;
}

/** A `params` value as written in the config, and its parts: text and placeholders, in order. */
export interface Template {
  source: string;
  parts: readonly TemplatePart[];
}

export type TemplatePart =
  | { kind: "text"; text: string }
  /** A built-in parameter by name (`rev`, `branch`, …): empty when the delivery has none. */
  | { kind: "param"; name: string }
  /** A dot path into the delivery's JSON; digits index arrays. */
  | { kind: "payload"; path: readonly string[] };

export interface RepositoryConfig {
  /** Full name as the forge sends it, or a glob: `sbrl/*`. */
  repo: string;
  forge?: ForgeName;
  /** The secret the forge's hook signs with: the last of `secrets`. */
  secret?: Secret;
  /** Every secret a delivery may be signed with, in the config's order (one, or two while it changes). */
  secrets?: readonly Secret[];
  insecure: boolean;
  /** Overrides the forge's API token. */
  token?: Secret;
  /** false: no commit statuses for this repository. */
  status: boolean;
  /** A git remote watched with `git ls-remote` by catch-up. */
  poll?: string;
  jobs: readonly JobRule[];
}

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** Absolute path of the file it was loaded from. */
  file: string;
  server: ServerConfig;
  log: { level: LogLevel };
  laminar: LaminarConfig;
  journal: JournalConfig;
  forges: Readonly<Partial<Record<ForgeName, ForgeConfig>>>;
  status: StatusConfig;
  catchUp: CatchUpConfig;
  ui: UiConfig;
  repositories: readonly RepositoryConfig[];
  /** Valid but probably not meant (`check` prints them, `serve` logs them at load). */
  warnings: readonly ConfigWarning[];
  /**
   * Secrets and tokens this process could not read, located; only a config loaded with
   * `secrets: "where-used"` has any (load-config.ts): each is an unreadable Secret in the config.
   */
  unreadableSecrets: readonly ConfigWarning[];
}

/** A problem that does not stop the config from loading, located like an error. */
export interface ConfigWarning {
  file: string;
  line: number;
  col: number;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// A delivery as it arrived, and as a forge module reads it.

/** Lower-cased header names, as Node gives them. */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** What the HTTP layer hands to a forge: the bytes and the parsed form of one request. */
export interface IncomingDelivery {
  headers: Headers;
  /** The exact bytes of the body. */
  rawBody: Buffer;
  /** The JSON document: the body itself, or the `payload` field of a form body. */
  payload: unknown;
  /** The JSON text as sent: the body, or the decoded `payload` form field. Gitea family signs this. */
  payloadText: string;
  contentType: "json" | "form";
}

/** The forge-level facts of a delivery, read from its headers before anything else. */
export interface Envelope {
  forge: ForgeName;
  /** The forge's own event name: `push`, `pull_request`, `Push Hook`. */
  event: string;
  /** The forge's delivery id; the key for de-duplication together with the forge. */
  deliveryId: string;
}

/** A delivery normalised to one model across forges. */
export interface HookEvent {
  forge: ForgeName;
  /** The forge's own event name, kept for logs and the journal. */
  forgeEvent: string;
  kind: EventKind | "ping";
  /** Pull request and release actions, spelled as GitHub does (`synchronize`). */
  action?: string;
  /** A branch or tag was deleted: starts nothing. */
  deleted: boolean;
  /** `owner/name`; absent only for an organization-wide ping. */
  repo?: string;
  ref?: string;
  branch?: string;
  tag?: string;
  rev?: string;
  before?: string;
  cloneUrl?: string;
  sshUrl?: string;
  pr?: number;
  baseBranch?: string;
  sender?: string;
  /** First line of the head commit's message (or the pull request's title), for LAMINAR_REASON. */
  title?: string;
  /** The whole head commit message of a push, for `[skip ci]`. */
  headCommitMessage?: string;
  /**
   * Paths added, modified or removed by the pushed commits. `complete` is false when the payload
   * cannot tell them all (GitHub truncates, Gitea sends a few commits, GitLab the newest 20).
   */
  changedFiles?: { paths: readonly string[]; complete: boolean };
}

// ---------------------------------------------------------------------------------------------
// Routing: which jobs a delivery starts, and why each rule of its repository did or did not match.

export interface TraceLine {
  job: string;
  matched: boolean;
  /** A sentence a person reads: `branch "dev" matches none of master, release/*`. */
  reason: string;
}

export interface JobRequest {
  job: string;
  /** Parameter name → value, in the order they are given to laminarc. */
  params: Readonly<Record<string, string>>;
  /**
   * LAMINAR_HOST: the job's own `host:`, or "" for `laminar.host`, which the dispatcher reads at
   * each attempt (a reload that fixes it must rescue dispatches already retrying).
   */
  host: string;
  /** LAMINAR_REASON: shown by Laminar on the run's page. */
  reason: string;
}

export interface RoutingResult {
  jobs: readonly JobRequest[];
  trace: readonly TraceLine[];
  /** Why nothing was considered at all (a ping, a deletion, an event no rule can take). */
  note?: string;
}

// ---------------------------------------------------------------------------------------------
// Dispatch: one laminarc attempt and how it ended.

export type AttemptOutcome =
  /** Laminar accepted the job and gave it a run number; `note`: how that was learned, when not from laminarc. */
  | { kind: "queued"; run: string; note?: string }
  /**
   * Worth trying again: laminard unreachable, laminarc timed out, … `unknown`: laminarc ran and may
   * have queued the job (killed at the timeout, by a signal, with its helper): ask laminard first.
   */
  | { kind: "retry"; message: string; unknown?: boolean }
  /** Trying again cannot help: unknown job, bad arguments. */
  | { kind: "permanent"; message: string };

export interface AttemptResult {
  outcome: AttemptOutcome;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}
