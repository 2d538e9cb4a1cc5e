// Argument parsing for bin/laminar-hooks.js: each command's work lives in its own file.

import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import type { DeliveryStatus } from "../journal/index.ts";
import { EVENT_KINDS, FORGE_NAMES, LOG_LEVELS, type Config, type EventKind, type ForgeName, type LogLevel } from "../types.ts";
import { existsSync } from "node:fs";
import type { SampleEvent } from "./sample-delivery.ts";
import { sendCommand } from "./send.ts";
import { DELIVERY_STATUSES } from "../journal/index.ts";
import { deliveriesCommand } from "./deliveries.ts";
import { redeliverCommand, retryFailedCommand } from "./redeliver.ts";
import { showCommand } from "./show.ts";
import { catchUpCommand } from "./catch-up.ts";
import { checkCommand } from "./check.ts";
import { doctorCommand } from "./doctor.ts";
import { parseDuration } from "../config/units.ts";
import { findConfigFile } from "./find-config.ts";
import { processIO, type CommandIO } from "./io.ts";
import { serveCommand } from "./serve.ts";
import { repoAddCommand, type RepoAddDeps } from "./repo-add.ts";
import { rotateSecretCommand } from "./repo-rotate-secret.ts";

/** What tests pass instead of the real forges' APIs. */
type MainDeps = RepoAddDeps;

export async function main(argv: readonly string[], io: CommandIO = processIO, deps: MainDeps = {}): Promise<number> {
  let exitCode = 0;
  const program = new Command("laminar-hooks")
    .description("Receives forge webhooks, journals them and queues Laminar jobs")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });
  const configOption = "--config <file>";
  const configHelp = "config file (default: $LAMINAR_HOOKS_CONFIG, ./laminar-hooks.yml, /etc/laminar-hooks/config.yml)";

  program.command("serve").description("run the service").option(configOption, configHelp)
    .addOption(new Option("--log-level <level>", "overrides log.level of the config").choices(LOG_LEVELS))
    .action(async (options: { config?: string; logLevel?: LogLevel }) => {
      exitCode = await serveCommand(findConfigFile(options.config, io.env), options.logLevel ? { logLevel: options.logLevel } : {}, io);
    });
  program.command("check").description("validate the config and print what it routes").option(configOption, configHelp)
    .action((options: { config?: string }) => {
      exitCode = checkCommand(findConfigFile(options.config, io.env), io);
    });

  /**
   * The config, or undefined after printing why it cannot be used. These commands run in the
   * operator's shell, which often cannot read the service's secrets: one is an error only where
   * it is used (catch-up's tokens, for the forge's delivery log).
   */
  const configOrSay = (file: string | undefined): Config | undefined => {
    try {
      return loadConfig(findConfigFile(file, io.env), { env: io.env, secrets: "where-used" });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.err(error.message);
      return undefined;
    }
  };
  const withConfig = async (file: string | undefined, run: (config: Config) => Promise<number>): Promise<number> => {
    const config = configOrSay(file);
    return config === undefined ? 1 : run(config);
  };

  program.command("deliveries").description("list recent deliveries from the journal").option(configOption, configHelp)
    .option("--limit <n>", "how many, newest first", parsePositive, 20)
    .addOption(new Option("--status <status>", "only these").choices(DELIVERY_STATUSES))
    .option("--json", "as JSON", false)
    .action(async (options: { config?: string; limit: number; status?: DeliveryStatus; json: boolean }) => {
      exitCode = await withConfig(options.config, (config) => deliveriesCommand(config, {
        limit: options.limit, json: options.json, ...(options.status ? { status: options.status } : {}),
      }, io));
    });
  program.command("show").description("one delivery: headers, routing trace, every laminarc attempt")
    .argument("<id>", "journal id or the forge's delivery id").option(configOption, configHelp).option("--json", "as JSON", false)
    .action(async (id: string, options: { config?: string; json: boolean }) => {
      exitCode = await withConfig(options.config, (config) => showCommand(config, id, { json: options.json }, io));
    });
  program.command("redeliver").description("route a stored delivery again with the current config and queue its jobs")
    .argument("[id]", "journal id or the forge's delivery id").option(configOption, configHelp)
    .option("--failed", "only try the failed jobs again (of ID, or of every delivery), without routing again", false)
    .action(async (id: string | undefined, options: { config?: string; failed: boolean }) => {
      if (options.failed) {
        exitCode = await withConfig(options.config, (config) => retryFailedCommand(config, id, io));
      } else if (id === undefined) {
        io.err("redeliver needs a delivery ID, or --failed");
        exitCode = 1;
      } else {
        exitCode = await withConfig(options.config, (config) => redeliverCommand(config, id, io));
      }
    });

  program.command("catch-up").description("one catch-up pass now: pushes whose webhook never arrived, found by polling")
    .option(configOption, configHelp)
    .option("--repo <owner/name>", "only this repository")
    .option("--dry-run", "ask the remotes and print what would be done; change nothing", false)
    .action(async (options: { config?: string; repo?: string; dryRun: boolean }) => {
      const config = configOrSay(options.config);
      exitCode = config === undefined
        ? 1
        : await catchUpCommand(config, { dryRun: options.dryRun, ...(options.repo === undefined ? {} : { repo: options.repo }) }, io);
    });

  program.command("doctor").description("check the chain: laminard and its jobs, the service, each repository's hook; changes nothing")
    .option(configOption, configHelp)
    .option("--timeout <duration>", "bound of each check (laminarc, a stream, a request)", parseTimeout, 10_000)
    .action(async (options: { config?: string; timeout: number }) => {
      exitCode = await withConfig(options.config, (config) => doctorCommand(config, { timeoutMs: options.timeout }, io));
    });

  program.command("send").description("send a correctly signed sample delivery, as a forge's test delivery would")
    .requiredOption("--url <url>", "where to POST it, e.g. https://ci.example.com/hooks")
    .addOption(new Option("--forge <forge>", "which forge to imitate").choices(FORGE_NAMES).makeOptionMandatory())
    .requiredOption("--repo <owner/name>", "the repository")
    .addOption(new Option("--event <event>", "push, tag, or ping (GitHub)").choices(["push", "tag", "ping"]).default("push"))
    .option("--branch <branch>", "the branch pushed to", "main")
    .option("--tag <tag>", "the tag pushed, with --event tag", "v0.0.0-test")
    .option("--secret-env <name>", "environment variable with the secret (default: the secret the config gives this repository)")
    .option(configOption, configHelp)
    .action(async (options: { url: string; forge: ForgeName; repo: string; event: SampleEvent; branch: string; tag: string; secretEnv?: string; config?: string }) => {
      const configFile = options.secretEnv ? undefined : findConfigFile(options.config, io.env);
      exitCode = await sendCommand({
        url: options.url, forge: options.forge, repo: options.repo, event: options.event, branch: options.branch, tag: options.tag,
        ...(options.secretEnv ? { secretEnv: options.secretEnv } : {}),
        ...(configFile && existsSync(configFile) ? { configFile } : {}),
      }, io);
    });

  const repo = program.command("repo").description("add a repository: config and the forge's webhook");
  repo.command("add").description("add the repository (or the job) to the config file, and create or update its webhook at the forge")
    .argument("<owner/name>", "the repository as the forge names it")
    .addOption(new Option("--forge <forge>", "its forge").choices(FORGE_NAMES).makeOptionMandatory())
    .requiredOption("--job <job>", "a Laminar job to run (repeat for more)", (value: string, previous: string[] = []) => [...previous, value])
    .option("--branches <glob...>", "only pushes to these branches (default: every branch)")
    .addOption(new Option("--events <event...>", "what starts the jobs (default: push)").choices(EVENT_KINDS))
    .option("--dry-run", "print the config diff and the API requests; change nothing", false)
    .option(configOption, configHelp)
    .action(async (name: string, options: { forge: ForgeName; job: string[]; branches?: string[]; events?: EventKind[]; dryRun: boolean; config?: string }) => {
      exitCode = await repoAddCommand({
        configFile: findConfigFile(options.config, io.env), repo: name, forge: options.forge, jobs: options.job, dryRun: options.dryRun,
        ...(options.branches ? { branches: options.branches } : {}), ...(options.events ? { events: options.events } : {}),
      }, io, deps);
    });

  repo.command("rotate-secret").description("a new secret without a window of 401s: both verify, the service takes the new one, then the forge's hook gets it")
    .argument("<owner/name>", "a repository of the config")
    .option("--finish", "drop the old secret (once nothing uses it)", false)
    .option("--url <url>", "where to send the probe signed with the new secret (default: server.public_url)")
    .option("--wait <seconds>", "how long the service may take to load the new secret", parsePositive, 30)
    .option(configOption, configHelp)
    .action(async (name: string, options: { finish: boolean; url?: string; wait: number; config?: string }) => {
      exitCode = await rotateSecretCommand({
        configFile: findConfigFile(options.config, io.env), repo: name, finish: options.finish, waitMs: options.wait * 1000,
        ...(options.url === undefined ? {} : { url: options.url }),
      }, io, deps);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    throw error;
  }
  return exitCode;
}

function parseTimeout(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError("a duration such as 500ms, 5s or 1m");
  return ms;
}

function parsePositive(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError("a whole number from 1");
  return value;
}
