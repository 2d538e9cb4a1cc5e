// The faults a chaos run injects, each as production meets it: the service SIGKILLed (and started
// again on the same journal), the spawn helper SIGKILLed under it, laminard restarted with SIGTERM
// while runs are queued and running (running ones end aborted, queued ones are lost:
// reference/laminard-http.md "Restarts"), laminard queueing a run and never answering laminarc
// (killed at laminar.timeout), and the forge's status API answering 5xx or answering late.

import { failures } from "../fixtures/fake-forge-api.ts";
import type { FakeGitHubApi } from "../fixtures/fake-github-api.ts";
import type { FakeLaminard } from "../fixtures/fake-laminard.ts";
import type { ChaosHistory } from "./chaos-history.ts";
import type { PlannedFault } from "./chaos-plan.ts";
import { childrenOf, commandOf, type ServiceProcess } from "./service-process.ts";

export interface ChaosWorld {
  service: ServiceProcess;
  laminard: FakeLaminard;
  github: FakeGitHubApi;
  history: ChaosHistory;
}

/** Injects one fault and records what it did; resolves once the system is back (restarted). */
export async function injectFault(world: ChaosWorld, fault: PlannedFault): Promise<void> {
  const record = (text: string) => world.history.record("fault", `#${fault.index} ${fault.kind}: ${text}`);
  switch (fault.kind) {
    case "kill-service": {
      const pid = world.service.pid;
      if (pid === undefined) return record("skipped: the service is not running");
      const helper = helperOf(pid);
      const calls = helper === undefined ? [] : childrenOf(helper);
      await world.service.kill();
      record(`SIGKILL service ${pid} (helper ${helper ?? "none"}, ${calls.length} laminarc running: ${calls.join(" ") || "-"}); down for ${fault.downMs} ms`);
      await sleep(fault.downMs ?? 0);
      await world.service.start();
      return record(`service started again as ${world.service.pid ?? "?"}`);
    }
    case "kill-helper": {
      const pid = world.service.pid;
      const helper = pid === undefined ? undefined : helperOf(pid);
      if (helper === undefined) return record("skipped: no spawn helper running");
      // The fault that matters comes while laminarc calls are out: wait a little for one.
      await soon(() => childrenOf(helper).length > 0, IN_FLIGHT_PATIENCE_MS);
      const calls = childrenOf(helper);
      process.kill(helper, "SIGKILL");
      return record(`SIGKILL spawn helper ${helper} of service ${pid ?? "?"} (${calls.length} laminarc running: ${calls.join(" ") || "-"})`);
    }
    case "restart-laminard": {
      // With runs queued and running, which the restart aborts and loses: wait a little for some.
      await soon(() => world.laminard.busy > 0, IN_FLIGHT_PATIENCE_MS);
      const busy = world.laminard.busy;
      await world.laminard.restart({ stayDown: true });
      record(`laminard stopped with ${busy} runs queued or running; down for ${fault.downMs} ms`);
      await sleep(fault.downMs ?? 0);
      await world.laminard.up();
      return record("laminard started again");
    }
    case "hang-laminarc":
      world.laminard.holdAnswers += fault.count ?? 1;
      return record(`the next ${fault.count ?? 1} queue call(s) get queued and no answer`);
    case "status-5xx":
      world.github.script(...Array.from({ length: fault.count ?? 1 }, () => failures.serverError()));
      return record(`the next ${fault.count ?? 1} status post(s) get 502`);
    case "status-slow":
      world.github.script(failures.slow(fault.delayMs ?? 1000));
      return record(`the next status post is answered after ${fault.delayMs ?? 1000} ms`);
  }
}

/** The spawn helper: the service's child that runs build/spawn-helper (or the Node fallback). */
export function helperOf(servicePid: number): number | undefined {
  return childrenOf(servicePid).find((pid) => commandOf(pid).includes("spawn-helper"));
}

/** How long a fault waits for something in flight to hit before it strikes anyway. */
const IN_FLIGHT_PATIENCE_MS = 3000;

/** Resolves once `condition` holds, or after `boundMs` (the fault then strikes as things are). */
async function soon(condition: () => boolean, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition() && Date.now() < deadline) await sleep(20);
}

/** The planned pause of a fault (how long something stays down): part of the fault, not a wait for a result. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
