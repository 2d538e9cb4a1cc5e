// YAML file → validated, typed, frozen Config. Every problem is collected with its file, line and
// column before anything is thrown, so `check` shows them all at once.

import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { ConfigError, type ConfigProblem } from "../errors.ts";
import { BUILT_IN_PARAMS as BUILT_IN_PARAM_NAMES, type Config, type ConfigWarning, type ForgeConfig, type ForgeName, type JobRule, type RepositoryConfig, type Template } from "../types.ts";
import { locate, locateText, type DocPath } from "./locate.ts";
import { checkDurations } from "./check-durations.ts";
import { checkPolling } from "./check-polling.ts";
import { checkReporting, DEFAULT_API } from "./check-reporting.ts";
import { checkServerLimits } from "./check-server-limits.ts";
import { checkSupersede } from "./check-supersede.ts";
import { parseTemplate } from "./parse-template.ts";
import { resolveSecret, type SecretSources } from "./resolve-secret.ts";
import { configSchema, type RawConfig, type RawJobRule, type SecretRef, type SecretRefs } from "./schema.ts";
import type { Secret } from "./secret.ts";

/**
 * What a secret or token that cannot be read here does to the load:
 * - `required` (the default; `serve` and its reloads): it is a problem, FILE:LINE:COL, as any other;
 * - `where-used` (`show`, `deliveries`, `check`, `send`, `doctor`, `repo add --dry-run`: commands
 *   run in the operator's shell, which often cannot read the service's secrets): the config loads,
 *   the secret is an unreadable Secret that throws SecretUnreadableError only where it is used, and
 *   `config.unreadableSecrets` lists each one, located, for `check` to warn about.
 */
type SecretsMode = "required" | "where-used";

interface LoadOptions {
  env?: Readonly<Record<string, string | undefined>>;
  readFile?: (path: string) => string;
  secrets?: SecretsMode;
}

/** Reads, validates and freezes the config at `file`; throws ConfigError listing every problem. */
export function loadConfig(file: string, options: LoadOptions = {}): Config {
  const path = resolve(file);
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError([{ file: path, line: 1, col: 1, message: `cannot read the config file (${code})` }]);
  }
  return parseConfig(text, path, { env: options.env ?? process.env, readFile, baseDir: dirname(path) }, options.secrets ?? "required");
}

/** The same, from text already read: `file` names it in messages and anchors relative paths. */
export function parseConfig(text: string, file: string, sources: SecretSources, secrets: SecretsMode = "required"): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  const at = (path: DocPath, message: string, key = false) => {
    const { line, col } = locate(doc, lineCounter, path, { key });
    problems.push({ file, line, col, message });
  };
  const warnings: ConfigWarning[] = [];
  const warn = (path: DocPath, message: string) => {
    const { line, col } = locate(doc, lineCounter, path, { key: true });
    warnings.push({ file, line, col, message });
  };
  const atText = (path: DocPath, needle: string, offset: number, message: string) => {
    const { line, col } = locateText(doc, lineCounter, text, path, needle, offset);
    problems.push({ file, line, col, message });
  };

  for (const error of doc.errors) {
    const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    problems.push({ file, line: pos.line, col: pos.col, message: error.message.split("\n")[0] ?? error.code });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportIssue(issue, doc, at);
    throw new ConfigError(sortProblems(problems));
  }

  const unreadable: ConfigWarning[] = [];
  const secret = (ref: SecretRef | undefined, path: DocPath): Secret | undefined => {
    if (ref === undefined) return undefined;
    const resolved = resolveSecret(ref, sources, path.join("."));
    if (typeof resolved === "string") {
      at(path, resolved);
      return undefined;
    }
    if (resolved.unreadable === undefined) return resolved;
    if (secrets === "required") {
      at(path, resolved.unreadable);
      return undefined;
    }
    const { line, col } = locate(doc, lineCounter, path, { key: false });
    unreadable.push({ file, line, col, message: resolved.unreadable });
    return resolved;
  };
  const config = buildConfig(parsed.data, file, sources, secret, at, atText);
  checkReporting(parsed.data, at, warn);
  checkServerLimits(parsed.data, at, warn);
  checkPolling(parsed.data, at);
  checkDurations(parsed.data, at);
  checkSupersede(parsed.data, at);
  config.warnings = sortProblems(warnings);
  config.unreadableSecrets = sortProblems(unreadable);
  if (problems.length > 0) throw new ConfigError(sortProblems(problems));
  return deepFreeze(config);
}

type Report = (path: DocPath, message: string, key?: boolean) => void;
/** Reports a problem at `needle` (plus `offset`) inside the string at `path`. */
type ReportText = (path: DocPath, needle: string, offset: number, message: string) => void;

function reportIssue(issue: z.core.$ZodIssue, doc: Document, at: Report): void {
  const where = issue.path.length > 0 ? issue.path.join(".") : "the file";
  if (issue.code === "unrecognized_keys") {
    for (const key of issue.keys) at([...issue.path, key], `unknown key "${key}" in ${where}`, true);
    return;
  }
  if (issue.code === "invalid_type" && doc.getIn(issue.path.filter((p) => typeof p !== "symbol") as (string | number)[]) === undefined) {
    at(issue.path, `${where} is required`);
    return;
  }
  if (issue.code === "invalid_key") {
    // A record key (a parameter name) failed: the inner issue carries our explanation.
    at(issue.path, `${where}: ${issue.issues[0]?.message ?? issue.message}`, true);
    return;
  }
  at(issue.path, `${where}: ${issue.message}`);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A secret reference resolved (see SecretsMode), or undefined after reporting why it cannot be. */
type ResolveSecret = (ref: SecretRef | undefined, path: DocPath) => Secret | undefined;

function buildConfig(raw: RawConfig, file: string, sources: SecretSources, secret: ResolveSecret, at: Report, atText: ReportText): Mutable<Config> {

  /** A list is read entry by entry; the last is the one hooks sign with. */
  const secretList = (refs: SecretRefs | undefined, path: DocPath): { secret?: Secret; secrets?: readonly Secret[] } => {
    if (refs === undefined) return {};
    if (!Array.isArray(refs)) {
      const one = secret(refs, path);
      return one === undefined ? {} : { secret: one, secrets: [one] };
    }
    const read = refs.map((ref, index) => secret(ref, [...path, index]));
    const all = read.filter((entry): entry is Secret => entry !== undefined);
    return all.length === read.length ? { secret: all[all.length - 1]!, secrets: all } : {};
  };

  const forges: Partial<Record<ForgeName, ForgeConfig>> = {};
  for (const [name, forge] of Object.entries(raw.forges) as [ForgeName, RawConfig["forges"][ForgeName]][]) {
    if (!forge) continue;
    const resolved = secretList(forge.secret, ["forges", name, "secret"]);
    const token = secret(forge.token, ["forges", name, "token"]);
    const api = forge.api ?? DEFAULT_API[name];
    forges[name] = {
      insecure: forge.insecure,
      ...resolved,
      ...(token ? { token } : {}),
      ...(api ? { api } : {}),
    };
  }

  const repositories = raw.repositories.map((repo, index): RepositoryConfig => {
    const path = ["repositories", index];
    const resolved = secretList(repo.secret, [...path, "secret"]);
    const token = secret(repo.token, [...path, "token"]);
    if (!repo.secret && !repo.insecure) {
      const problem = missingSecret(repo.forge, raw.forges);
      if (problem) at(path, `repositories.${index} (${repo.repo}): ${problem}`);
    }
    return {
      repo: repo.repo,
      insecure: repo.insecure,
      status: repo.status,
      jobs: repo.jobs.map((job, jobIndex) => buildJob(job, [...path, "jobs", jobIndex], at, atText)),
      ...(repo.forge ? { forge: repo.forge } : {}),
      ...resolved,
      ...(token ? { token } : {}),
      ...(repo.poll ? { poll: repo.poll } : {}),
    };
  });

  const fromConfigDir = (path: string) => (isAbsolute(path) ? path : resolve(sources.baseDir, path));
  const journalPath = fromConfigDir(raw.journal.path);
  return {
    file,
    server: {
      listen: raw.server.listen,
      path: raw.server.path,
      trustProxy: raw.server.trust_proxy,
      bodyLimitBytes: raw.server.body_limit,
      unverifiedLimitBytes: raw.server.unverified_limit,
      headerTimeoutMs: raw.server.header_timeout,
      requestTimeoutMs: raw.server.request_timeout,
      socket: { mode: raw.server.socket.mode, ...(raw.server.socket.group ? { group: raw.server.socket.group } : {}) },
      internalLoopbackOnly: raw.server.internal_loopback_only,
      ...(raw.server.allow ? { allow: raw.server.allow } : {}),
      ...(raw.server.public_url ? { publicUrl: raw.server.public_url } : {}),
      ...(raw.server.tls ? { tls: { cert: fromConfigDir(raw.server.tls.cert), key: fromConfigDir(raw.server.tls.key) } } : {}),
    },
    log: { level: raw.log.level },
    laminar: {
      laminarc: raw.laminar.laminarc,
      host: raw.laminar.host,
      concurrency: raw.laminar.concurrency,
      timeoutMs: raw.laminar.timeout,
      retry: { attempts: raw.laminar.retry.attempts, delayMs: raw.laminar.retry.delay, maxDelayMs: raw.laminar.retry.max_delay },
      requeueLost: raw.laminar.requeue_lost,
      ...(raw.laminar.http ? { httpUrl: raw.laminar.http } : {}),
      ...(raw.laminar.home ? { home: fromConfigDir(raw.laminar.home) } : {}),
      ...baseUrl(raw.laminar.base_url ?? raw.laminar.http),
    },
    journal: { path: journalPath, retentionMs: raw.journal.retention },
    forges,
    status: { context: raw.status.context },
    catchUp: { intervalMs: raw.catch_up.interval, redeliver: raw.catch_up.redeliver },
    ui: buildUi(raw.ui, secret),
    repositories,
    warnings: [],
    unreadableSecrets: [],
  };
}

/** Links to runs use `base_url`, else `http` (DESIGN.md). */
function baseUrl(url: string | undefined): { baseUrl?: string } {
  return url === undefined ? {} : { baseUrl: url };
}

function buildUi(raw: RawConfig["ui"], secret: ResolveSecret): Config["ui"] {
  if (!raw.auth) return { enabled: raw.enabled };
  const password = secret(raw.auth.password, ["ui", "auth", "password"]);
  return { enabled: raw.enabled, ...(password ? { auth: { user: raw.auth.user, password } } : {}) };
}


/**
 * A repository without its own secret is verified with its forge's. Refuse, at load, the
 * configurations where no secret could apply: they would accept unsigned deliveries.
 */
function missingSecret(forge: ForgeName | undefined, forges: RawConfig["forges"]): string | undefined {
  if (forge) {
    const entry = forges[forge];
    if (entry?.secret || entry?.insecure) return undefined;
    return `no secret: set secret here or in forges.${forge}, or say insecure: true`;
  }
  const any = Object.values(forges).some((entry) => entry?.secret || entry?.insecure);
  if (any) return undefined;
  return "no secret: set secret here, or forge: and a secret in forges, or say insecure: true";
}

function buildJob(job: RawJobRule, path: DocPath, at: Report, atText: ReportText): JobRule {
  const events = new Set(job.events);
  const where = path.join(".");
  if (job.branches && !events.has("push") && !events.has("pull_request")) {
    at([...path, "branches"], `${where}.branches has no effect without push or pull_request in events`, true);
  }
  if (job.tags && !events.has("tag") && !events.has("release")) {
    at([...path, "tags"], `${where}.tags has no effect without tag or release in events`, true);
  }
  if (job.actions && !events.has("pull_request") && !events.has("release")) {
    at([...path, "actions"], `${where}.actions has no effect without pull_request or release in events`, true);
  }
  // Only branch pushes carry a head commit message and changed files (docs/configuration.md, "Skipping CI", "Path filters").
  for (const key of ["skip_ci", "paths", "ignore_paths"] as const) {
    if (job[key] !== undefined && !events.has("push")) {
      at([...path, key], `${where}.${key} has no effect without push in events: it applies to branch pushes only`, true);
    }
  }
  const params: Record<string, Template> = {};
  for (const [name, value] of Object.entries(job.params)) {
    if (BUILT_IN_PARAMS.has(name)) {
      at([...path, "params", name], `parameter "${name}" is set by laminar-hooks itself; choose another name`, true);
    } else if (LAMINAR_OWN_VARIABLES.has(name)) {
      at([...path, "params", name], `parameter "${name}" would be ignored: Laminar sets ${name} for every run`, true);
    }
    const parsed = parseTemplate(value);
    if (parsed.ok) {
      params[name] = parsed.template;
    } else {
      for (const problem of parsed.problems) {
        atText([...path, "params", name], problem.needle, problem.offset, `${where}.params.${name}: ${problem.message}`);
      }
    }
  }
  return {
    job: job.job,
    events: [...events],
    skipCi: job.skip_ci ?? true,
    params,
    ...(job.branches ? { branches: job.branches } : {}),
    ...(job.tags ? { tags: job.tags } : {}),
    ...(job.actions ? { actions: job.actions } : {}),
    ...(job.paths ? { paths: job.paths } : {}),
    ...(job.ignore_paths ? { ignorePaths: job.ignore_paths } : {}),
    ...(job.host ? { host: job.host } : {}),
    ...(job.supersede ? { supersede: job.supersede } : {}),
  };
}

/** Parameters laminar-hooks derives from every delivery (DESIGN.md, "Events and parameters"). */
const BUILT_IN_PARAMS: ReadonlySet<string> = new Set(BUILT_IN_PARAM_NAMES);

/** A parameter never overrides these (reference/laminarc.md). */
const LAMINAR_OWN_VARIABLES: ReadonlySet<string> = new Set([
  "JOB", "RUN", "CONTEXT", "RESULT", "LAST_RESULT", "WORKSPACE", "ARCHIVE", "PATH", "HOME",
]);

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
