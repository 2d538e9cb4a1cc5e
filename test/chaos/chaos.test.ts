// The promise, proven the Jepsen way (STYLE.md point 10): a seeded plan of pushes and faults played
// against the real service (`bin/laminar-hooks.js serve`, so `npm run build` first), the fake
// laminarc and laminard (two executors, runs that take a while) and the fake GitHub status API;
// then, once everything settled, every push must have built exactly once and show success on the
// forge, no status out of order, no process of the service's left. A short run, with a fixed seed
// so that CI replays the same plan; `npm run chaos -- --seed N --pushes N` runs long ones.
// LH_CHAOS_SEED replays another seed here. A failure prints the seed, the replay command and the
// history of each push that broke.

import assert from "node:assert/strict";
import { test } from "node:test";
import { runChaos } from "./run-chaos.ts";

const SEED = process.env.LH_CHAOS_SEED === undefined || process.env.LH_CHAOS_SEED === "" ? 19 : Number(process.env.LH_CHAOS_SEED) >>> 0;

test(`chaos, seed ${SEED}: 10 pushes, every fault at least once, each push built exactly once and shown on the forge`, { timeout: 150_000 }, async () => {
  const report = await runChaos({
    seed: SEED,
    pushes: 10,
    durationMs: 8_000,
    faults: { "kill-service": 2, "kill-helper": 1, "restart-laminard": 2, "hang-laminarc": 1, "status-5xx": 1, "status-slow": 1 },
  });
  assert.ok(report.settled, report.text);
  assert.deepEqual(report.violations, [], report.text);
});
