// The plan is a function of the seed alone: a printed seed replays the same pushes and faults.

import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultFaults, FAULT_KINDS, parseFaultCounts, planChaos } from "./chaos-plan.ts";

test("the same seed gives the same plan; another seed another", () => {
  const a = planChaos({ seed: 42, pushes: 30 });
  assert.deepEqual(planChaos({ seed: 42, pushes: 30 }), a);
  assert.notDeepEqual(planChaos({ seed: 43, pushes: 30 }), a);
});

test("pushes are spread over the run, each a new commit on its branch, with the jobs its branch matches", () => {
  const plan = planChaos({ seed: 7, pushes: 40, durationMs: 20_000, secondHookChance: 0.5 });
  assert.equal(plan.pushes.length, 40);
  assert.equal(new Set(plan.pushes.map((push) => push.sha)).size, 40);
  for (const push of plan.pushes) {
    assert.ok(push.deliveries[0]!.at >= 0 && push.deliveries[0]!.at < 20_000);
    assert.deepEqual(push.jobs, push.branch === "master" ? ["build", "docs"] : ["build"]);
    const previous = plan.pushes.filter((other) => other.branch === push.branch && other.index < push.index).at(-1);
    if (previous !== undefined) assert.equal(push.before, previous.sha);
  }
  const twice = plan.pushes.filter((push) => push.deliveries.length === 2);
  assert.ok(twice.length > 5, "about half the pushes come from a second hook too");
  for (const push of twice) assert.notEqual(push.deliveries[0]!.id, push.deliveries[1]!.id);
});

test("faults come in the counts asked for, in time order, inside the run but not at its very start", () => {
  const faults = { ...defaultFaults(40), "kill-service": 5, "status-slow": 0 };
  const plan = planChaos({ seed: 9, pushes: 40, durationMs: 30_000, faults });
  for (const kind of FAULT_KINDS) assert.equal(plan.faults.filter((fault) => fault.kind === kind).length, faults[kind], kind);
  assert.deepEqual(plan.faults.map((fault) => fault.at), [...plan.faults.map((fault) => fault.at)].sort((a, b) => a - b));
  for (const fault of plan.faults) assert.ok(fault.at >= 3000 && fault.at <= 27_000, `${fault.kind} at ${fault.at}`);
});

test("--faults names counts; a mistyped kind or count is refused with what to write", () => {
  assert.deepEqual(parseFaultCounts("kill-service=1, status-5xx=0", { "kill-helper": 2 }), { "kill-helper": 2, "kill-service": 1, "status-5xx": 0 });
  assert.throws(() => parseFaultCounts("kill-servce=1", {}), /unknown fault "kill-servce": one of kill-service, /);
  assert.throws(() => parseFaultCounts("kill-service=x", {}), /kill-service=x: give a count, like kill-service=2/);
});
