// `doctor`: checks the chain a push goes through and prints a line per thing wrong, with what to do.
// The checks are pure (doctor/check-*.ts: facts in, findings out); this file gathers the facts.
// It changes nothing: it only reads files, runs `laminarc show-jobs` and sends GET requests (to
// laminard, the service, and the forges' APIs).

import { existsSync } from "node:fs";
import { JournalNotReadableError, JournalUnavailableError } from "../errors.ts";
import { forgeApis } from "../forges/api-clients.ts";
import { openJournalReadOnly } from "../journal/index.ts";
import type { Config } from "../types.ts";
import { checkLaminarHome, type LaminarHome } from "./doctor/check-laminar-home.ts";
import { checkLaminarc } from "./doctor/check-laminarc.ts";
import { checkHealthz } from "./doctor/check-service.ts";
import { checkStream } from "./doctor/check-stream.ts";
import { configuredJobs } from "./doctor/configured-jobs.ts";
import { exitCodeFor, formatFinding, note, type Finding } from "./doctor/finding.ts";
import { hookTargets } from "./doctor/hook-targets.ts";
import { localHealthz, probeHealthz, publicHealthz } from "./doctor/probe-healthz.ts";
import { probeHook } from "./doctor/probe-hook.ts";
import { showJobs } from "./doctor/probe-laminarc.ts";
import { probeStream } from "./doctor/probe-stream.ts";
import { readLaminarHome } from "./doctor/read-laminar-home.ts";
import { checkSecretLists, hasSecretLists } from "./doctor/secret-lists.ts";
import type { CommandIO } from "./io.ts";

interface DoctorOptions {
  /** Bound of each probe (laminarc, a stream, an HTTP request). */
  timeoutMs: number;
}

export async function doctorCommand(config: Config, options: DoctorOptions, io: CommandIO): Promise<number> {
  // Independent probes run at once: doctor takes as long as its slowest one, not their sum.
  const [laminar, stream, service, hooks, secrets] = await Promise.all([
    laminarFindings(config, options, io.env),
    streamFindings(config, options),
    serviceFindings(config, options),
    hookFindings(config, options),
    secretFindings(config),
  ]);
  const findings = [...laminar, ...stream, ...service, ...hooks, ...secrets];
  for (const finding of findings) io.out(formatFinding(finding));
  io.out(summary(findings));
  return exitCodeFor(findings);
}

async function laminarFindings(config: Config, options: DoctorOptions, env: NodeJS.ProcessEnv): Promise<Finding[]> {
  const jobs = configuredJobs(config);
  const findings: Finding[] = [];
  const homePath = config.laminar.home ?? env["LAMINAR_HOME"];
  let home: LaminarHome | undefined;
  if (homePath === undefined || homePath === "") {
    findings.push(note("laminar home", "neither laminar.home nor $LAMINAR_HOME is set: jobs' .run and .env files were not checked",
      "set laminar.home (e.g. /var/lib/laminar) to check them"));
  } else {
    const read = await readLaminarHome(homePath);
    if ("error" in read) {
      findings.push(note("laminar home", `${read.error}: jobs' .run and .env files were not checked`,
        "run doctor as a user who may read Laminar's home (laminard's user or group), or fix laminar.home"));
    } else {
      home = read;
    }
  }
  const withoutRun = new Set(home === undefined ? [] : jobs.filter((job) => !home.runnable.has(job.job)).map((job) => job.job));
  const hosts = [...new Set(jobs.map((job) => job.host))];
  const perHost = await Promise.all(hosts.map(async (host) =>
    checkLaminarc(host, await showJobs(config.laminar.laminarc, host, { timeoutMs: options.timeoutMs, env }), jobs, withoutRun)));
  findings.push(...perHost.flat());
  if (home !== undefined) findings.push(...checkLaminarHome(home, jobs));
  return findings;
}

async function streamFindings(config: Config, options: DoctorOptions): Promise<Finding[]> {
  const url = config.laminar.httpUrl;
  return checkStream(url, url === undefined ? undefined : await probeStream(url, options.timeoutMs));
}

async function serviceFindings(config: Config, options: DoctorOptions): Promise<Finding[]> {
  const local = localHealthz(config.server);
  const publicUrl = config.server.publicUrl;
  const [localAnswer, publicAnswer] = await Promise.all([
    probeHealthz(local, options.timeoutMs),
    publicUrl === undefined ? undefined : probeHealthz(publicHealthz(publicUrl), options.timeoutMs),
  ]);
  const findings = checkHealthz("local", local.shown, localAnswer);
  if (publicUrl === undefined) {
    findings.push(note("server.public_url", "not set: the forges' hooks and the way they reach the service were not checked",
      "set server.public_url to the hook URL the forges use (e.g. https://ci.example.com/hooks)"));
  } else if (publicAnswer !== undefined) {
    findings.push(...checkHealthz("public", publicHealthz(publicUrl).shown, publicAnswer));
  }
  return findings;
}

async function hookFindings(config: Config, options: DoctorOptions): Promise<Finding[]> {
  const publicUrl = config.server.publicUrl;
  if (publicUrl === undefined) return []; // serviceFindings says why nothing was checked
  const { targets, notes } = hookTargets(config);
  const apis = forgeApis();
  const now = Date.now();
  const perRepository = await Promise.all(targets.map((target) => probeHook(apis[target.forge], target, publicUrl, { timeoutMs: options.timeoutMs, now })));
  return [...perRepository.flat(), ...notes];
}

/** What the journal says of each secret list; read-only, and only when the config has a list. */
async function secretFindings(config: Config): Promise<Finding[]> {
  if (!hasSecretLists(config)) return [];
  const path = config.journal.path;
  const subject = "secret lists";
  // No journal yet: the service has not run with this journal.path, so no secret has verified anything.
  if (!existsSync(path)) return [note(subject, `no journal at ${path} yet: which secret verifies deliveries was not checked`, "check again once the service has taken deliveries")];
  let opened;
  try {
    opened = openJournalReadOnly(path);
  } catch (error) {
    if (!(error instanceof JournalNotReadableError)) throw error;
    return [note(subject, `${error.message}: which secret verifies deliveries was not checked`, "run doctor as a user who may read the journal (the service's user)")];
  }
  try {
    return checkSecretLists(config, (forge) => opened.journal.secretUsesByRepo(forge), Date.now());
  } catch (error) {
    if (!(error instanceof JournalUnavailableError)) throw error;
    return [note(subject, `the journal ${path} cannot be read now: ${error.message}`, "run doctor again")];
  } finally {
    await opened.journal.close();
  }
}

function summary(findings: readonly Finding[]): string {
  const count = (severity: Finding["severity"]) => findings.filter((finding) => finding.severity === severity).length;
  const problems = count("problem");
  const warnings = count("warning");
  if (problems === 0 && warnings === 0) return "doctor: no problem found";
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `doctor: ${plural(problems, "problem")}, ${plural(warnings, "warning")}`;
}
