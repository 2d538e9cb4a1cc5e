// Long chaos runs, by hand or in a loop: `npm run chaos -- --seed 7 --pushes 200`, with
// `--duration MS` (how long the pushes are spread over; 600 ms a push), `--faults kind=N,…` (counts
// of kill-service, kill-helper, restart-laminard, hang-laminarc, status-5xx, status-slow; the others
// keep their default), `--settle MS` and `--quiet` (no progress lines). Prints the seed,
// the pushes, the faults injected and the verdict; exit 1 when an invariant broke (the report gives
// the seed and the command that replays the same plan). Needs `npm run build` first: it runs the
// service as users do, from dist/.
import { parseArgs } from "node:util";
import { defaultFaults, parseFaultCounts } from "../test/chaos/chaos-plan.ts";
import { runChaos } from "../test/chaos/run-chaos.ts";

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    pushes: { type: "string", default: "40" },
    duration: { type: "string" },
    faults: { type: "string", default: "" },
    settle: { type: "string" },
    quiet: { type: "boolean", default: false },
  },
});

const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 32) >>> 0 : Number(values.seed) >>> 0;
const pushes = Number(values.pushes);
if (!Number.isInteger(pushes) || pushes < 1) throw new Error(`--pushes ${values.pushes}: give a count of pushes, like --pushes 40`);
const faults = parseFaultCounts(values.faults, defaultFaults(pushes));
const report = await runChaos({
  seed,
  pushes,
  faults,
  ...(values.settle === undefined ? {} : { settleMs: Number(values.settle) }),
  ...(values.duration === undefined ? {} : { durationMs: Number(values.duration) }),
  ...(values.quiet ? {} : { progress: (line: string) => console.log(`  ${line}`) }),
});
console.log(report.text);
console.log(report.violations.length === 0 ? `PASS seed ${seed}` : `FAIL seed ${seed}`);
process.exitCode = report.violations.length === 0 ? 0 : 1;
