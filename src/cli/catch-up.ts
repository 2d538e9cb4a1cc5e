import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import {
  describePass, graceFor, lsRemote, LS_REMOTE_TIMEOUT_MS, polledRepositories, redeliverTargets, runPass, type PassReport,
} from "../catch-up/index.ts";
import { JournalNotReadableError } from "../errors.ts";
import { Journal, openJournal, openJournalReadOnly } from "../journal/index.ts";
import type { Config } from "../types.ts";
import type { CommandIO } from "./io.ts";

interface CatchUpCommandOptions {
  repo?: string;
  /** Ask the remotes and say what would be done; the journal is not written. */
  dryRun: boolean;
}

/**
 * `catch-up`: one pass now, as the service runs it every catch_up.interval, printing what it found
 * and did. What it journals, the running service's dispatcher queues within a second (it polls the
 * journal), so this works beside the service. Exit 1 when a remote could not be asked.
 */
export async function catchUpCommand(config: Config, options: CatchUpCommandOptions, io: CommandIO): Promise<number> {
  if (polledRepositories(config, options.repo).length === 0 && redeliverTargets(config, options.repo).length === 0) {
    io.err(`${options.repo === undefined ? "no repository" : `repository ${options.repo} is not one`} in ${config.file} catch-up can check: `
      + "it needs poll: and forge:, or forge: github or gitlab with a token (and the forge's api), server.public_url and catch_up.redeliver");
    return 1;
  }
  const report = options.dryRun ? await dryRun(config, options, io) : await realRun(config, options, io);
  if (report === undefined) return 1;
  for (const line of describePass(report)) io.out(line);
  const failed = [...report.polls, ...report.redeliveries].some((part) =>
    part.outcome === "failed" || part.findings.some((finding) => finding.kind === "failed"));
  return failed ? 1 : 0;
}

async function realRun(config: Config, options: CatchUpCommandOptions, io: CommandIO): Promise<PassReport> {
  const journal = openJournal(config.journal.path);
  try {
    return await runPass({
      config,
      store: journal.catchUp,
      // The service's dispatcher finds the new dispatches in the journal by itself.
      services: { journal, kick: () => {}, observe: { delivery: () => {} }, now: Date.now },
      listHeads: (remote) => lsRemote(remote, { timeoutMs: LS_REMOTE_TIMEOUT_MS, env: io.env }),
      graceMs: graceFor(config.catchUp.intervalMs),
      sleep: (ms) => sleep(ms),
      now: Date.now,
    }, {
      ...(options.repo === undefined ? {} : { repo: options.repo }),
      onGrace: (ms) => io.out(`waiting ${(ms / 1000).toFixed(1)} s for the webhooks of what moved…`),
    });
  } finally {
    await journal.close();
  }
}

/**
 * Reads the journal read-only, never creating or migrating it. Before the service's first start
 * there is no journal: then every remote is at its first poll, which the dry run says.
 */
async function dryRun(config: Config, options: CatchUpCommandOptions, io: CommandIO): Promise<PassReport | undefined> {
  let journal: Journal;
  if (existsSync(config.journal.path)) {
    try {
      const opened = openJournalReadOnly(config.journal.path);
      if (opened.notice !== undefined) io.err(`note: ${opened.notice}`);
      journal = opened.journal;
    } catch (error) {
      if (!(error instanceof JournalNotReadableError)) throw error;
      io.err(`${error.message} (journal.path in ${config.file})`);
      return undefined;
    }
  } else {
    io.err(`note: no journal at ${config.journal.path} (journal.path in ${config.file}): read as an empty one, every remote at its first poll`);
    journal = new Journal(new Database(":memory:"));
  }
  try {
    return await runPass({
      config,
      store: journal.catchUp,
      services: {
        journal: { commitDelivery: () => Promise.reject(new Error("a dry run writes nothing")) }, kick: () => {}, observe: { delivery: () => {} }, now: Date.now,
      },
      listHeads: (remote) => lsRemote(remote, { timeoutMs: LS_REMOTE_TIMEOUT_MS, env: io.env }),
      graceMs: 0,
      sleep: (ms) => sleep(ms),
      now: Date.now,
    }, { dryRun: true, ...(options.repo === undefined ? {} : { repo: options.repo }) });
  } finally {
    await journal.close();
  }
}
