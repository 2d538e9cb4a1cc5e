import { loadConfig } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { findRepository, verificationFor } from "../routing/index.ts";
import type { ForgeName } from "../types.ts";
import type { CommandIO } from "./io.ts";
import { sampleDelivery, type SampleEvent } from "./sample-delivery.ts";

interface SendOptions {
  url: string;
  forge: ForgeName;
  repo: string;
  event: SampleEvent;
  branch: string;
  tag: string;
  /** Name of the environment variable holding the secret. */
  secretEnv?: string;
  /** Else the secret is taken from this config, as the service would choose it. */
  configFile?: string;
}

/** `send`: posts a correctly signed sample delivery and prints the answer; exit 0 on 2xx. */
export async function sendCommand(options: SendOptions, io: CommandIO): Promise<number> {
  const secret = chooseSecret(options, io);
  if (secret === null) return 1;
  if (options.event === "ping" && options.forge !== "github") {
    io.err("only GitHub sends ping events; use --event push or tag");
    return 1;
  }
  const sample = sampleDelivery({
    forge: options.forge, repo: options.repo, event: options.event, branch: options.branch, tag: options.tag,
    secret, sender: "laminar-hooks-send",
  });
  let response: Response;
  try {
    response = await fetch(options.url, { method: "POST", body: sample.body, headers: sample.headers, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    io.err(`cannot reach ${options.url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
    return 1;
  }
  const text = await response.text();
  let message = text;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    // not laminar-hooks answering (nginx's own error page?): print what came
  }
  io.out(`${response.status} ${message}`);
  io.out(`delivery ${sample.deliveryId}${secret ? "" : " (unsigned)"}; details: laminar-hooks show ${sample.deliveryId}`);
  if (response.ok) {
    try {
      const answer = JSON.parse(text) as { trace?: { job: string; matched: boolean; reason: string }[] };
      for (const line of answer.trace ?? []) io.out(`  ${line.matched ? "✓" : "✗"} ${line.job}: ${line.reason}`);
    } catch {
      // already printed
    }
  }
  return response.ok ? 0 : 1;
}

/** The secret to sign with: undefined for unsigned, null when it cannot be had (already said why). */
function chooseSecret(options: SendOptions, io: CommandIO): string | undefined | null {
  if (options.secretEnv) {
    const value = io.env[options.secretEnv];
    if (!value) {
      io.err(`environment variable ${options.secretEnv} is not set or empty`);
      return null;
    }
    return value;
  }
  if (!options.configFile) return undefined;
  // Only the one secret this delivery needs must be at hand: the config also names the other
  // forges' secrets and the tokens for statuses, which a shell on the CI box seldom has.
  try {
    const config = loadConfig(options.configFile, { env: io.env, secrets: "where-used" });
    const verification = verificationFor(config, options.forge, findRepository(config, options.forge, options.repo));
    if (verification.kind !== "secret") return undefined;
    if (verification.secret.unreadable !== undefined) {
      io.err(`${verification.secret.unreadable}: it holds the ${options.forge} secret for ${options.repo} (or use --secret-env)`);
      return null;
    }
    return verification.secret.reveal();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`cannot take the secret from the config; use --secret-env\n${error.message}`);
    return null;
  }
}
