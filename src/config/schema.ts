// The shape of the YAML file, checked with zod. Strict objects everywhere: an unknown key is an
// error, because a misspelt `branchs:` would otherwise silently build every branch.
// Values come out already converted (durations in ms, sizes in bytes); secrets are still
// references here and are resolved by resolve-secret.ts, which does the I/O.

import { z } from "zod";
import { EVENT_KINDS, FORGE_NAMES, LOG_LEVELS, type ListenAddress } from "../types.ts";
import { parseCidr } from "./cidr.ts";
import { formatDuration, parseDuration, parseSize } from "./units.ts";

/**
 * Node's timers hold a signed 32-bit count of ms: a longer setTimeout fires after 1 ms instead
 * (with a TimeoutOverflowWarning), so a duration that becomes a timer stays below 2^31-1 ms. 24d is
 * the round value under it (2^31-1 ms is 24d 20h 31m), and the message can say it plainly.
 */
const MAX_TIMER_MS = 24 * 86_400_000;

/** A duration such as 500ms, 30s, 10m or 30d, in ms, from `min` to `max`: outside, the message gives the range. */
function durationWithin(min: number, max: number, also = "") {
  return z.string({ error: "expected a duration such as 500ms, 30s, 10m or 30d" }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `"${text}" is not a duration such as 500ms, 30s, 10m or 30d` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: "custom", message: `${text} is out of range: from ${formatDuration(min)} to ${formatDuration(max)}${also}` });
      return z.NEVER;
    }
    return ms;
  });
}

const size = z.union([z.number().int().nonnegative(), z.string()], { error: "expected a size such as 512kb or 25mb" })
  .transform((value, ctx) => {
    const bytes = typeof value === "number" ? value : parseSize(value);
    if (bytes === undefined || bytes <= 0) {
      ctx.addIssue({ code: "custom", message: `"${value}" is not a size such as 512kb or 25mb` });
      return z.NEVER;
    }
    return bytes;
  });

const listen = z.string().transform((text, ctx): ListenAddress => {
  if (text.startsWith("unix:")) {
    const path = text.slice("unix:".length);
    if (!path.startsWith("/")) {
      ctx.addIssue({ code: "custom", message: `"${text}": a unix socket needs an absolute path, as in unix:/run/laminar-hooks/hooks.sock` });
      return z.NEVER;
    }
    return { kind: "unix", path };
  }
  // HOST:PORT, with IPv6 hosts in brackets: [::1]:9090.
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not HOST:PORT (127.0.0.1:9090, [::1]:9090) or unix:/path/to.sock` });
    return z.NEVER;
  }
  return { kind: "tcp", host: match[1] ?? match[2]!, port };
});

/** `10.0.0.0/8`, `2001:db8::/32`, or one address. */
const cidr = z.string().transform((text, ctx) => {
  const parsed = parseCidr(text);
  if (!parsed) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not an address or CIDR such as 192.0.2.0/24 or 2001:db8::/32` });
    return z.NEVER;
  }
  return parsed;
});

/** An absolute http(s) URL, without a trailing slash. */
const httpUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL such as http://ci.example.com" })
  .transform((url) => url.replace(/\/+$/, ""));

/** A duration from `min` to `max`, or 0 to turn the thing off. */
function durationOrOff(min: number, max: number) {
  const within = durationWithin(min, max, ", or 0 to turn it off");
  const zero = z.string().refine((text) => parseDuration(text) === 0 || text.trim() === "0").transform(() => 0);
  return z.union([z.literal(0), z.string()], { error: "expected a duration such as 500ms, 30s, 10m or 30d, or 0 for off" })
    .pipe(z.union([z.literal(0), zero, within], {
      // Any other string failed as a duration: its own message (not a duration, or out of range) says why.
      error: (issue) => (issue.code === "invalid_union" ? issue.errors.at(-1)?.[0]?.message : undefined),
    }));
}

const urlPath = z.string().regex(/^\/[A-Za-z0-9._~\/-]*$/, "a URL path starting with /, such as /hooks")
  .transform((path) => path.replace(/\/+$/, "") || "/");

/** `{ env: NAME }`, `{ file: PATH }` or the secret itself. */
const secretRef = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name") }),
  z.strictObject({ file: z.string().min(1) }),
  z.string().min(1, "an empty secret would accept any signature made with an empty key"),
], { error: "a secret is { env: NAME }, { file: PATH } or the secret itself" });
export type SecretRef = z.infer<typeof secretRef>;

/**
 * One secret, or a list of them while a secret changes: a delivery verified by any is taken, and
 * the forge's hook gets the last (`repo rotate-secret`). No forge lets a hook carry two.
 */
const secrets = z.union([secretRef, z.array(secretRef).min(1, "a list of secrets needs at least one")]);
export type SecretRefs = z.infer<typeof secrets>;

/** Laminar runs a job from cfg/jobs/NAME.run; other characters break its URLs (reference/laminarc.md). */
const JOB_NAME = /^[A-Za-z0-9._-]+$/;
/** Only these names can be read from a job's shell script. */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const glob = z.string().min(1);

const jobRule = z.strictObject({
  job: z.string().regex(JOB_NAME, "a Laminar job name: letters, digits, '.', '_' and '-' only"),
  events: z.array(z.enum(EVENT_KINDS, { error: `an event is one of ${EVENT_KINDS.join(", ")}` })).min(1).default(["push"]),
  branches: z.array(glob).min(1).optional(),
  tags: z.array(glob).min(1).optional(),
  actions: z.array(z.string().min(1)).min(1).optional(),
  // Optional rather than defaulted, so that a `skip_ci:` that cannot apply is found (load-config.ts).
  skip_ci: z.boolean().optional(),
  paths: z.array(glob).min(1).optional(),
  ignore_paths: z.array(glob).min(1).optional(),
  host: z.string().min(1).optional(),
  supersede: z.enum(["queued", "running"], { error: "supersede is queued (abort an older run of the branch when it starts) or running (also while it runs)" }).optional(),
  params: z.record(
    z.string().regex(PARAM_NAME, "a parameter name usable in a shell script: [A-Za-z_][A-Za-z0-9_]*"),
    z.union([z.string(), z.number(), z.boolean()]).transform(String),
  ).default({}),
});
export type RawJobRule = z.infer<typeof jobRule>;

const repository = z.strictObject({
  repo: z.string().regex(/^[^\s]+$/, "owner/name as the forge sends it, or a glob such as owner/*"),
  forge: z.enum(FORGE_NAMES).optional(),
  secret: secrets.optional(),
  insecure: z.boolean().default(false),
  /** Overrides the forge's API token for this repository; `status: false` posts no statuses. */
  token: secretRef.optional(),
  status: z.boolean().default(true),
  /** Any git remote, watched with `git ls-remote` by catch-up. */
  poll: z.string().min(1).regex(/^\S+$/, "a git remote URL without spaces").optional(),
  jobs: z.array(jobRule).min(1, "a repository needs at least one job"),
});

const forge = z.strictObject({
  secret: secrets.optional(),
  insecure: z.boolean().default(false),
  /** API token: commit statuses and catch-up's redelivery. */
  token: secretRef.optional(),
  /** The forge's API root: https://api.github.com, https://HOST/api/v1 (Gitea), https://HOST/api/v4 (GitLab). */
  api: httpUrl.optional(),
});

/** What a status context may name. */
const STATUS_CONTEXT_FIELDS: readonly string[] = ["job", "event", "forge", "repo"];

/** `{{ job }}`, `{{ event }}`, `{{ forge }}`, `{{ repo }}` and text: what a status context may say. */
const statusContext = z.string().min(1).max(255).refine(
  (text) => [...text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].every((match) => STATUS_CONTEXT_FIELDS.includes(match[1] ?? "")),
  { error: "a status context may use {{ job }}, {{ event }}, {{ forge }} and {{ repo }} only" },
);

export const configSchema = z.strictObject({
  server: z.strictObject({
    listen: listen.default({ kind: "tcp", host: "127.0.0.1", port: 9090 }),
    path: urlPath.default("/hooks"),
    trust_proxy: z.boolean().default(false),
    // Sizes need no bound past "more than 0": a body over body_limit is answered 413 naming it, which
    // the forge's delivery log shows, and check warns when it exceeds unverified_limit; neither is
    // a timer, and unverified_limit is what bounds memory.
    body_limit: size.default(25 * 1024 ** 2),
    /** Bytes all bodies not yet verified may hold at once; past it new hooks get 503. */
    unverified_limit: size.default(100 * 1024 ** 2),
    /** Where the forges send hooks, as they see it: catch-up finds the hooks pointing here. */
    public_url: httpUrl.optional(),
    // 0 would be no timeout at all for Node, and a slow client could hold a socket forever. A
    // forge's headers arrive in one round trip, 0.3 s across the world: 500ms is the least that
    // lets every forge through. The whole request is a body of up to body_limit on top.
    header_timeout: durationWithin(500, MAX_TIMER_MS).default(10_000),
    request_timeout: durationWithin(1_000, MAX_TIMER_MS).default(30_000),
    /** For `listen: unix:…`: who may connect (nginx's group). */
    socket: z.strictObject({
      mode: z.string().regex(/^0?[0-7]{3}$/, "an octal mode such as \"0660\" (quote it)").transform((text) => parseInt(text, 8)).default(0o660),
      group: z.string().min(1).optional(),
    }).prefault({}),
    /** Hook senders allowed, as CIDRs; absent: everyone (the signature is the real check). */
    allow: z.array(cidr).min(1).optional(),
    /** /metrics and /readyz only for loopback (and the unix socket). */
    internal_loopback_only: z.boolean().default(false),
    /** Serve HTTPS directly, for forges that reach the service without a proxy. */
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  }).prefault({}),
  laminar: z.strictObject({
    laminarc: z.string().min(1).default("laminarc"),
    host: z.string().min(1).default("unix-abstract:laminar"),
    base_url: httpUrl.optional(),
    /** laminard's web UI as this box reaches it: runs are followed through its event stream. */
    http: httpUrl.optional(),
    // Counts are bounded where they are defined (requeue_lost, concurrency, retry.attempts): none
    // becomes a timer, and each bound keeps one delivery from starting unbounded work.
    requeue_lost: z.number().int().min(0).max(100).default(2),
    /** LAMINAR_HOME, for `doctor` to read jobs' .run and .env files; absent: $LAMINAR_HOME when doctor runs. */
    home: z.string().min(1).optional(),
    concurrency: z.number().int().min(1).max(256).default(4),
    // A laminarc that queues answers in milliseconds; forking it on a loaded box takes some. Under
    // 1s, attempts that did queue would be killed (and tried again: built twice); 0s kills every one.
    // Over 1h a longer wait only keeps a slot waiting on a frozen laminard.
    timeout: durationWithin(1_000, 3_600_000).default(30_000),
    retry: z.strictObject({
      attempts: z.number().int().min(1).max(1000).default(10),
      // The backoff doubles from `delay`: 0 would try a refused laminarc again in a hot loop.
      // `max_delay` must not be below it (check-durations.ts); both become timers.
      delay: durationWithin(10, MAX_TIMER_MS).default(2_000),
      max_delay: durationWithin(10, MAX_TIMER_MS).default(600_000),
    }).prefault({}),
  }).prefault({}),
  journal: z.strictObject({
    path: z.string().min(1).default("./data/journal.db"),
    // Catch-up asks the forge for every failed delivery in its log (GitHub Enterprise and GitLab keep
    // 7 days) that the journal does not hold: a delivery pruned sooner than that, and logged as
    // failed (answered after the forge's 10 s), would be redelivered and built twice. 8d is the
    // least, as catch-up forgets its own redeliveries after 8 days. Not a timer: a decade at most,
    // past which a value is a typo.
    retention: durationWithin(8 * 86_400_000, 3_650 * 86_400_000).default(30 * 86_400_000),
  }).prefault({}),
  log: z.strictObject({
    level: z.enum(LOG_LEVELS).default("info"),
  }).prefault({}),
  forges: z.partialRecord(z.enum(FORGE_NAMES), forge).default({}),
  status: z.strictObject({
    context: statusContext.default("laminar/{{ job }}"),
  }).prefault({}),
  catch_up: z.strictObject({
    // Each pass runs `git ls-remote` on every polled remote and asks GitHub or GitLab for each hook
    // log (2 requests or more a repository): every 30 s is 240 an hour a repository, which leaves
    // GitHub's 5,000 an hour a token room for about 20 repositories. 0 turns it off.
    interval: durationOrOff(30_000, MAX_TIMER_MS).default(120_000),
    redeliver: z.boolean().default(true),
  }).prefault({}),
  ui: z.strictObject({
    enabled: z.boolean().default(true),
    auth: z.strictObject({ user: z.string().min(1).regex(/^[^:]+$/, "a user name without ':'"), password: secretRef }).optional(),
  }).prefault({}),
  repositories: z.array(repository),
});
export type RawConfig = z.infer<typeof configSchema>;
