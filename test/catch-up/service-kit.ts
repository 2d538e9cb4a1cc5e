// What the catch-up tests of a running service share: its catch-up counters, waiting for passes,
// and stopping it whether or not a test restarted it.

import { rmSync } from "node:fs";
import type { Service } from "../../src/start-service.ts";
import type { Logger } from "../../src/observe/logger.ts";
import type { TestService, TestServiceOptions } from "../support/test-service.ts";

export type Source = "poll" | "redeliver";

/** A catch-up counter at /metrics, for one source. */
export async function counter(service: Service, name: string, source: Source): Promise<number> {
  const values = (await service.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.find((value) => value.labels.source === source)?.value ?? 0;
}

/** Waits until `count` more passes of `source` have ended: everything was asked after this call. */
export async function morePasses(service: Service, source: Source, count: number): Promise<void> {
  const passes = () => counter(service, "laminar_hooks_catch_up_passes_total", source);
  const start = await passes();
  const deadline = Date.now() + 15_000;
  while ((await passes()) < start + count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} catch-up passes`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Stops the test's service, or the one a test started on its config after stopping it. */
export async function stopService(svc: TestService, restarted: Service | undefined): Promise<void> {
  if (!restarted) return svc.stop();
  // The first service was stopped by the restart: its folder goes with the second.
  await restarted.stop(1_000);
  svc.fake.remove();
  rmSync(svc.dir, { recursive: true, force: true });
}

/** Where the forges' hooks point in these tests: catch-up redelivers only what was sent here. */
export const PUBLIC_URL = "https://ci.example.com/hooks";

/**
 * A service that redelivers from a forge's hook log: catch-up on, a pass every 300 ms (below the
 * config's minimum, through startService's catchUpIntervalMs), `forge` the line under `forges:`.
 */
export function redeliveringService(forge: string, repositories: readonly string[], logger: Logger): TestServiceOptions {
  return {
    catchUpIntervalMs: 300,
    logger,
    server: `  public_url: ${JSON.stringify(PUBLIC_URL)}`,
    config: `
catch_up: { interval: 30s }
forges:
  ${forge}
repositories:
${repositories.map((line) => `  - ${line}\n`).join("")}`,
  };
}
