// `laminar-hooks repo add OWNER/NAME --forge F --job JOB…`: the repository (or its new jobs) goes
// into the config file, edited in place, validated and written atomically (the running service
// reloads it); then the forge's hook is created, or ours updated in place (reference/forges.md,
// "Creating and updating a repository's webhook"). The config comes first: the service must know
// the secret before the forge signs anything with it.

import { SecretUnreadableError } from "../config/secret.ts";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { insertJobs, insertRepository, type NewJob } from "../config/insert-repository.ts";
import { parseConfig } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { forgeApis, sendsHere, webhookMatches, type ApiRequest, type ForgeApi, type Webhook, type WebhookSpec } from "../forges/api-clients.ts";
import { FORGE_LABELS } from "../forges/shared/forge-labels.ts";
import { findRepository } from "../routing/find-repository.ts";
import type { Config, EventKind, ForgeName } from "../types.ts";
import { describeEdit } from "./describe-edit.ts";
import type { CommandIO } from "./io.ts";
import { refusedNamed, RepoCommandError } from "./forge-refusal.ts";
import { writeConfigAndSecret } from "./write-file-atomically.ts";

interface RepoAddOptions {
  configFile: string;
  repo: string;
  forge: ForgeName;
  jobs: readonly string[];
  branches?: readonly string[];
  events?: readonly EventKind[];
  dryRun: boolean;
}

export interface RepoAddDeps {
  /** Default: the real APIs. */
  apis?: Readonly<Record<ForgeName, ForgeApi>>;
  /** Default: 32 random bytes, base64url. */
  newSecret?: () => string;
}

/** What --dry-run prints where the new secret would go. */
const SECRET_PLACEHOLDER = "<new secret>";


export async function repoAddCommand(options: RepoAddOptions, io: CommandIO, deps: RepoAddDeps = {}): Promise<number> {
  try {
    return await repoAdd(options, io, deps);
  } catch (error) {
    if (error instanceof RepoCommandError || error instanceof ConfigError || error instanceof SecretUnreadableError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}

async function repoAdd(options: RepoAddOptions, io: CommandIO, deps: RepoAddDeps): Promise<number> {
  const file = options.configFile;
  const label = FORGE_LABELS[options.forge];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new RepoCommandError(`${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  // Only the forge's token is used here: the other secrets may be the service's alone.
  const sources = { env: io.env, readFile: (path: string) => readFileSync(path, "utf8"), baseDir: dirname(file) };
  const current = parseConfig(text, file, sources, "where-used");
  const publicUrl = current.server.publicUrl;
  if (publicUrl === undefined) throw new RepoCommandError(`${file}: server.public_url is not set: it is the URL the hook sends to (e.g. https://ci.example.com/hooks)`);

  const existing = existingEntry(current, options.forge, options.repo, file);
  const jobs: NewJob[] = options.jobs.map((job) => ({
    job, events: options.events ?? ["push"], ...(options.branches === undefined ? {} : { branches: options.branches }),
  }));

  // The config edit, and the secret the hook gets.
  let edited: string;
  let secret: { value: string; shown: string; file?: string };
  if (existing === undefined) {
    const secretFile = join(dirname(file), `${options.repo.replace(/[^A-Za-z0-9._-]+/g, "-")}.secret`);
    if (existsSync(secretFile)) throw new RepoCommandError(`${secretFile} exists already: remove it (or move it away) and run repo add again`);
    const value = options.dryRun ? SECRET_PLACEHOLDER : (deps.newSecret ?? randomSecret)();
    secret = { value, shown: SECRET_PLACEHOLDER, file: secretFile };
    edited = insertRepository(text, file, { repo: options.repo, forge: options.forge, secretFile: basename(secretFile), jobs });
  } else {
    const known = new Set(existing.entry.jobs.map((job) => job.job));
    const fresh = jobs.filter((job) => !known.has(job.job));
    edited = fresh.length === 0 ? text : insertJobs(text, file, existing.index, fresh);
    const kept = existing.entry.secret ?? current.forges[options.forge]?.secret;
    if (kept === undefined) throw new RepoCommandError(`${file}: ${existing.entry.repo} has no secret (insecure: true): give it one before its hook is made`);
    secret = { value: options.dryRun ? `<secret from ${kept.source}>` : kept.reveal(), shown: `<secret from ${kept.source}>` };
  }

  // Validated as `check` does, with the new secret file as it will be.
  const next = edited === text ? current : parseConfig(edited, file, {
    ...sources,
    readFile: (path) => (path === secret.file ? `${secret.value}\n` : sources.readFile(path)),
  }, "where-used");
  const entry = findRepository(next, options.forge, options.repo);
  if (entry === undefined) throw new RepoCommandError(`${file}: after the edit ${options.repo} is still not routed for ${label}: edit the file by hand`);
  const token = entry.token ?? next.forges[options.forge]?.token;
  const api = next.forges[options.forge]?.api;
  if (token === undefined || api === undefined) {
    throw new RepoCommandError(`${file}: repo add needs forges.${options.forge}.token${api === undefined && options.forge !== "github" ? ` and forges.${options.forge}.api` : ""} to make the hook: ${forgeApi(deps, options.forge).webhookDialect.permission}`);
  }

  const client = forgeApi(deps, options.forge);
  const hooks = client.webhooks({ api, token }, options.repo);
  const listed = await refusedNamed(hooks.list(), { label, repo: options.repo, api, permission: client.webhookDialect.permission });
  const ours = listed.find((hook) => sendsHere(hook.url, publicUrl, options.forge));
  const spec: WebhookSpec = { url: ours?.url ?? publicUrl, events: [...new Set(entry.jobs.flatMap((job) => job.events))], secret: secret.value };
  // A new secret must reach the hook; otherwise a hook that already is ours is left alone.
  const action: "create" | "update" | "none" = ours === undefined ? "create" : existing === undefined || !webhookMatches(client.webhookDialect, ours, spec) ? "update" : "none";
  const request: ApiRequest | undefined = action === "create"
    ? client.webhookDialect.createRequest(options.repo, spec)
    : action === "update" ? client.webhookDialect.updateRequest(options.repo, ours!, spec) : undefined;

  if (options.dryRun) {
    io.out("dry run: nothing is changed");
    io.out(describeEdit(file, text, edited));
    if (secret.file !== undefined) io.out(`new file ${secret.file} (mode 0600): the new secret`);
    io.out(request === undefined ? `${label} hook #${ours!.id}: already ours, nothing to send` : describeRequest(api, request, secret.value, secret.shown));
    return 0;
  }

  if (edited !== text) writeConfigAndSecret(file, edited, secret.file === undefined ? undefined : { value: secret.value, file: secret.file });
  io.out(edited === text ? `${file}: ${options.repo} already has ${jobs.map((job) => job.job).join(", ")}; unchanged` : `${file}: ${existing === undefined ? `added ${options.repo}` : `added ${jobs.map((job) => job.job).join(", ")} to ${options.repo}`}${secret.file === undefined ? "" : `, its secret in ${secret.file}`}`);

  const done = {
    label, repo: options.repo, api, permission: client.webhookDialect.permission,
    ...(edited === text ? {} : { afterChange: "the config was written, the hook was not: fix this and run repo add again" }),
  };
  if (action === "create") {
    const made = await refusedNamed(hooks.create(spec), done);
    io.out(`${label} hook #${made.id} created: ${describeHook(made)}`);
  } else if (action === "update") {
    const made = await refusedNamed(hooks.update(ours!, spec), done);
    io.out(`${label} hook #${made.id} updated in place: ${describeHook(made)}`);
  } else {
    io.out(`${label} hook #${ours!.id} already sends ${describeHook(ours!)}`);
  }
  return 0;
}

/** The entry `repo add` extends: the one of this exact name. Another forge's, or a glob's, is the operator's to sort out. */
function existingEntry(config: Config, forge: ForgeName, repo: string, file: string): { index: number; entry: Config["repositories"][number] } | undefined {
  const wanted = repo.toLowerCase();
  const index = config.repositories.findIndex((entry) => entry.repo.toLowerCase() === wanted);
  const entry = config.repositories[index];
  if (entry !== undefined) {
    if (entry.forge !== undefined && entry.forge !== forge) {
      throw new RepoCommandError(`${file}: repositories.${index} is already ${entry.repo} on ${FORGE_LABELS[entry.forge]}: one name, one forge (remove it, or add the job there)`);
    }
    return { index, entry };
  }
  const glob = findRepository(config, forge, repo);
  if (glob !== undefined) {
    throw new RepoCommandError(`${file}: ${repo} is already routed by repositories.${config.repositories.indexOf(glob)} (${glob.repo}): add the job there by hand`);
  }
  return undefined;
}

function describeRequest(api: string, request: ApiRequest, secret: string, shown: string): string {
  const body = JSON.stringify(request.body ?? {}, null, 2).split(JSON.stringify(secret)).join(JSON.stringify(shown));
  return `${request.method} ${api.replace(/\/+$/, "")}${request.path}\n${body}`;
}

function describeHook(hook: Webhook): string {
  return `${hook.url ?? "?"}, ${hook.contentType}, events ${hook.events.join(", ") || "none"}${hook.active ? "" : ", inactive"}`;
}

function forgeApi(deps: RepoAddDeps, forge: ForgeName): ForgeApi {
  return (deps.apis ?? forgeApis())[forge];
}

function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}
