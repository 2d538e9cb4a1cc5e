// `laminar-hooks repo rotate-secret OWNER/NAME [--finish]`: a new secret without a window of 401s.
// No forge lets a hook carry two secrets, so the service must take both before the forge has the
// new one: (1) the config lists [old, new] (written atomically; the service reloads it), (2) wait
// until the running service verifies a delivery signed with the new one, (3) update the forge's
// hook in place. `--finish` then drops the old one.
//
// Why a signed probe delivery rather than asking the service which config it has: it is the very
// thing a push signed with the new secret will need, checked the way the forge will reach the
// service (server.public_url, through nginx), and it also fails when the service's user cannot
// read the new secret file (its reload is then refused and the old config stays). The probe builds
// nothing: GitHub's ping, an issue event elsewhere, answered 200. A generation number on /readyz
// would say that some config was loaded, not that this secret verifies there.

import { SecretUnreadableError } from "../config/secret.ts";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { addSecret, keepLastSecret } from "../config/edit-secret.ts";
import { scalar } from "../config/insert-repository.ts";
import { parseConfig } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { forgeApis, sendsHere, type ForgeApi } from "../forges/api-clients.ts";
import { FORGE_LABELS } from "../forges/shared/forge-labels.ts";
import { secretsOf } from "../routing/find-repository.ts";
import type { Config, ForgeName } from "../types.ts";
import { describeEdit } from "./describe-edit.ts";
import { refusedNamed, RepoCommandError } from "./forge-refusal.ts";
import type { CommandIO } from "./io.ts";
import { sampleDelivery } from "./sample-delivery.ts";
import { readingJournal } from "./with-journal.ts";
import { writeConfigAndSecret } from "./write-file-atomically.ts";

interface RotateOptions {
  configFile: string;
  repo: string;
  finish: boolean;
  /** Where the probe goes; default server.public_url. */
  url?: string;
  /** How long to wait for the service to take the new secret; default 30 s. */
  waitMs?: number;
}

interface RotateDeps {
  apis?: Readonly<Record<ForgeName, ForgeApi>>;
  newSecret?: () => string;
}

const PROBE_EVERY_MS = 100;

export async function rotateSecretCommand(options: RotateOptions, io: CommandIO, deps: RotateDeps = {}): Promise<number> {
  try {
    return options.finish ? await finish(options, io) : await rotate(options, io, deps);
  } catch (error) {
    if (error instanceof RepoCommandError || error instanceof ConfigError || error instanceof SecretUnreadableError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}

function load(options: RotateOptions, io: CommandIO, text: string, override?: { path: string; value: string }): Config {
  const file = options.configFile;
  // Only the secrets used here are read: the others may be the service's alone.
  return parseConfig(text, file, {
    env: io.env,
    baseDir: dirname(file),
    readFile: (path) => (path === override?.path ? `${override.value}\n` : readFileSync(path, "utf8")),
  }, "where-used");
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new RepoCommandError(`${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** The repository's own entry, by exact name, with its forge. */
function entryOf(config: Config, repo: string): { index: number; entry: Config["repositories"][number]; forge: ForgeName } {
  const index = config.repositories.findIndex((candidate) => candidate.repo.toLowerCase() === repo.toLowerCase());
  const entry = config.repositories[index];
  if (entry === undefined) throw new RepoCommandError(`${config.file}: ${repo} is not in repositories (a glob's secret is rotated by hand): add it with repo add`);
  if (entry.forge === undefined) throw new RepoCommandError(`${config.file}: repositories.${index} (${entry.repo}) has no forge: say which forge's hook to update (forge: …)`);
  return { index, entry, forge: entry.forge };
}

async function rotate(options: RotateOptions, io: CommandIO, deps: RotateDeps): Promise<number> {
  const file = options.configFile;
  const text = readText(file);
  const current = load(options, io, text);
  const { index, entry, forge } = entryOf(current, options.repo);
  const label = FORGE_LABELS[forge];
  const publicUrl = current.server.publicUrl;
  if (publicUrl === undefined) throw new RepoCommandError(`${file}: server.public_url is not set: it is how the hook is found at ${label}`);

  // A list already there is a rotation begun and not finished: go on with its last secret.
  let config = current;
  const listed = secretsOf(entry);
  if (listed.length < 2 || entry.secret === undefined) {
    const secretFile = freeSecretFile(file, options.repo);
    const value = (deps.newSecret ?? (() => randomBytes(32).toString("base64url")))();
    const edited = addSecret(text, file, index, `{ file: ${scalar(basename(secretFile))} }`, forge);
    config = load(options, io, edited, { path: secretFile, value });
    writeConfigAndSecret(file, edited, { value, file: secretFile });
    io.out(describeEdit(file, text, edited));
    io.out(`${file}: ${options.repo} has a second secret, in ${secretFile}; both verify`);
  } else {
    io.out(`${file}: ${options.repo} lists ${listed.length} secrets already: going on with the last`);
  }
  const rotated = entryOf(config, options.repo).entry;
  const secret = rotated.secret!;

  // The service must take the new secret before the forge signs with it.
  const url = options.url ?? publicUrl;
  await waitForService(url, forge, options.repo, secret.reveal(), options.waitMs ?? 30_000);
  io.out(`the service at ${url} takes deliveries signed with the new secret`);

  const token = rotated.token ?? config.forges[forge]?.token;
  const api = config.forges[forge]?.api;
  if (token === undefined || api === undefined) {
    throw new RepoCommandError(`${file}: no token for ${label} (forges.${forge}.token and api): set the new secret in the hook by hand (${secret.source}), then run rotate-secret --finish`);
  }
  const client = (deps.apis ?? forgeApis())[forge];
  const hooks = client.webhooks({ api, token }, options.repo);
  const afterChange = "the service takes both secrets, the hook still has the old one: fix this and run rotate-secret again";
  const context = { label, repo: options.repo, api, permission: client.webhookDialect.permission, afterChange };
  const ours = (await refusedNamed(hooks.list(), context)).find((hook) => sendsHere(hook.url, publicUrl, forge));
  if (ours === undefined) throw new RepoCommandError(`${label} has no hook of ${options.repo} that sends to ${publicUrl}: make it with repo add`);
  const events = [...new Set(rotated.jobs.flatMap((job) => job.events))];
  const updated = await refusedNamed(hooks.update(ours, { url: ours.url ?? publicUrl, events, secret: secret.reveal() }), context);
  io.out(`${label} hook #${updated.id} now signs with the new secret`);
  io.out(`once nothing uses the old one (laminar-hooks show ID names the secret that verified a delivery), run: laminar-hooks repo rotate-secret ${options.repo} --finish`);
  return 0;
}

async function finish(options: RotateOptions, io: CommandIO): Promise<number> {
  const file = options.configFile;
  const text = readText(file);
  const current = load(options, io, text);
  const { index, forge } = entryOf(current, options.repo);
  const { text: edited, dropped } = keepLastSecret(text, file, index);
  load(options, io, edited);
  // What the journal says of each secret dropped: the operator sees what they let go of.
  if (existsSync(current.journal.path)) {
    await readingJournal(current, io, (journal) => {
      const uses = journal.secretUses(forge, options.repo);
      dropped.forEach((ref, position) => {
        const use = uses.find((entry) => entry.index === position);
        io.out(`old secret #${position + 1} (${ref}): ${use === undefined ? "no delivery in the journal verified with it" : `last verified a delivery at ${new Date(use.lastAt).toISOString()} (${use.count} in all)`}`);
      });
      return 0;
    });
  }
  writeConfigAndSecret(file, edited);
  io.out(describeEdit(file, text, edited).replace(/^--- .*\n\+\+\+ .*\n/, ""));
  io.out(`${file}: ${options.repo} keeps only its new secret; no longer used: ${dropped.join(", ")} (a file there may be deleted)`);
  return 0;
}

/** `NAME.secret` beside the config, else NAME.2.secret, …: never over an existing file. */
function freeSecretFile(file: string, repo: string): string {
  const slug = repo.replace(/[^A-Za-z0-9._-]+/g, "-");
  for (let n = 1; ; n += 1) {
    const candidate = join(dirname(file), n === 1 ? `${slug}.secret` : `${slug}.${n}.secret`);
    if (!existsSync(candidate)) return candidate;
  }
}

/** Sends probes signed with `secret` until one is answered 2xx, or says why not after `waitMs`. */
async function waitForService(url: string, forge: ForgeName, repo: string, secret: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let last = "no answer";
  for (;;) {
    const probe = sampleDelivery({ forge, repo, event: "probe", branch: "main", tag: "", secret, sender: "laminar-hooks-rotate-secret" });
    try {
      const response = await fetch(url, { method: "POST", body: probe.body, headers: probe.headers, signal: AbortSignal.timeout(5_000) });
      const text = await response.text();
      if (response.ok) return;
      last = `${response.status} ${messageOf(text)}`;
    } catch (error) {
      last = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    if (Date.now() >= deadline) {
      throw new RepoCommandError(`the service at ${url} did not take the new secret within ${Math.round(waitMs / 1000)} s (last answer: ${last}): is it running with this config, and may its user read the new secret file? The hook was not changed; run rotate-secret again once it does (--url to reach it another way)`);
    }
    await new Promise((resolveSleep) => setTimeout(resolveSleep, PROBE_EVERY_MS));
  }
}

function messageOf(text: string): string {
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

